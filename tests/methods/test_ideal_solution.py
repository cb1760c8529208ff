"""fastinno.hew_topsis: the DataFrame API against tests/naive.py, errors, properties."""

from __future__ import annotations

import itertools
import warnings

import naive
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from refvectors import load_refvectors

import fastinno
from fastinno import array as fa
from fastinno.errors import DegenerateDataError, FastinnoWarning, InputError, SchemaError
from fastinno.panel import IndicatorSystem, Panel

SPEC = {
    "input": {"rd_staff": "+", "rd_spend": "+", "energy": "-"},
    "output": {"patents": "+", "sales": {"new_products": "+", "exports": "+"}},
}
SCOPES = ("panel", "region", "year")
STANDARDIZATIONS = ("max_ratio", "minmax", "vector", "zscore")
FORMS = ("ratio2", "closeness")
CODES = {"max_ratio": 0, "minmax": 1, "vector": 2, "zscore": 3, "panel": 0, "region": 1, "year": 2,
         "ratio2": 0, "closeness": 1}


def run(panel, **kw):
    """hew_topsis, ignoring the (expected) growth warning: with region/year scopes a region at the
    anti-ideal in its first year has F = 0 and its growth is undefined."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "growth rate undefined", FastinnoWarning)
        return fastinno.hew_topsis(panel, **kw)


def make_panel(seed=0, n_regions=6, years=(2011, 2012, 2013, 2015)):
    cube = np.random.default_rng(seed).uniform(0.5, 4.0, (n_regions, len(years), 6))
    return Panel.from_array(cube, IndicatorSystem.from_dict(SPEC), years=years)


def test_system_weights_are_hierarchical_equal():
    system = IndicatorSystem.from_dict(SPEC)
    # input 1/2 -> 1/6 each; output 1/2 -> patents 1/4, sales 1/4 -> 1/8 each
    npt.assert_allclose(system.base_weights(), [1 / 6, 1 / 6, 1 / 6, 1 / 4, 1 / 8, 1 / 8], rtol=1e-15)
    r = fastinno.hew_topsis(make_panel())
    assert r.columns == ("index", "input", "output", "sales")
    assert r.scores.columns == ["region", "year", "index", "input", "output", "sales"]
    assert r.weights.columns == ["indicator", "dimension", "weight"]
    assert r.weights["dimension"].to_list() == ["input", "input", "input", "output", "sales", "sales"]
    assert r.weights["weight"].sum() == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize(
    ("scope", "standardize", "form"), list(itertools.product(SCOPES, STANDARDIZATIONS, FORMS))
)
def test_hew_topsis_matches_naive(scope, standardize, form):
    panel = make_panel(seed=CODES[scope] * 7 + CODES[standardize])
    r = run(panel, scope=scope, standardize=standardize, form=form)
    system = panel.system
    w = system.base_weights()
    cube, is_cost = np.array(panel.cube), system.is_cost
    args = (CODES[standardize], CODES[scope])
    want = naive.hew_index_cube(cube, is_cost, *args, w, CODES[form])
    npt.assert_allclose(r.scores["index"].to_numpy().reshape(6, 4), want, rtol=1e-12)
    for g in system.groups:
        wg = np.zeros(6)
        wg[g.indices] = system.group_weights(g)
        want_g = naive.hew_index_cube(cube, is_cost, *args, wg, CODES[form])
        npt.assert_allclose(r.scores[g.name].to_numpy().reshape(6, 4), want_g, rtol=1e-12)
    # growth: true year span (2011..2015 = 4 years, one gap)
    f = r.scores["index"].to_numpy().reshape(6, 4)
    cagr, mean_yoy, yoy = naive.growth_rates(f, np.array([2011.0, 2012, 2013, 2015]))
    g = r.growth.filter(pl.col("column") == "index")
    npt.assert_allclose(g["cagr"].to_numpy(), cagr, rtol=1e-12)
    npt.assert_allclose(g["mean_yoy"].to_numpy(), mean_yoy, rtol=1e-12)
    npt.assert_allclose(r.yoy["index"].to_numpy().reshape(6, 4), yoy, rtol=1e-12)
    assert r.options["scope"] == scope and r.options["standardize"] == standardize
    assert r.options["form"] == form


def test_frames_layout_and_helpers():
    panel = make_panel()
    r = fastinno.hew_topsis(panel)
    assert r.scores["region"].to_list()[:4] == ["R1"] * 4
    assert r.scores["year"].to_list()[:4] == [2011, 2012, 2013, 2015]
    assert r.growth.columns == ["region", "column", "cagr", "mean_yoy", "first_year", "last_year"]
    assert r.growth.height == 6 * 4
    assert r.growth["first_year"].unique().to_list() == [2011]
    assert r.growth["last_year"].unique().to_list() == [2015]
    assert r.to_polars() is r.scores
    top = r.top(2)
    assert top.columns == ["year", "rank", "region", "index"]
    assert top.height == 8
    best = r.scores.filter(pl.col("year") == 2011).sort("index", descending=True)["region"][0]
    assert top.filter(pl.col("year") == 2011)["region"][0] == best
    assert "IndexResult(6 regions x 4 years" in repr(r)


def test_weights_override_mapping_and_array():
    panel = make_panel()
    w = np.array([0.1, 0.1, 0.2, 0.2, 0.3, 0.1])
    r1 = fastinno.hew_topsis(panel, weights=w)
    r2 = fastinno.hew_topsis(panel, weights=dict(zip(panel.indicators, w.tolist())))
    assert r1.scores.equals(r2.scores)
    want = naive.hew_index_cube(np.array(panel.cube), panel.is_cost, 0, 0, w, 0)
    npt.assert_allclose(r1.scores["index"].to_numpy().reshape(6, 4), want, rtol=1e-12)
    # sub-index "sales": weights renormalised within the dimension: 0.3, 0.1 -> 0.75, 0.25
    ws = np.array([0, 0, 0, 0, 0.75, 0.25])
    want_s = naive.hew_index_cube(np.array(panel.cube), panel.is_cost, 0, 0, ws, 0)
    npt.assert_allclose(r1.scores["sales"].to_numpy().reshape(6, 4), want_s, rtol=1e-12)
    assert r1.options["weights"] == "user"
    npt.assert_allclose(r1.weights["weight"].to_numpy(), w)


def test_caller_panel_unchanged():
    panel = make_panel()
    before = np.array(panel.cube)
    fastinno.hew_topsis(panel, standardize="zscore", scope="year")
    npt.assert_array_equal(panel.cube, before)


# ---- errors ------------------------------------------------------------------------------


def test_max_ratio_nonpositive_names_cells():
    cube = np.array(make_panel().cube)
    cube[1, 2, 2] = 0.0  # cost indicator 'energy' = 0: min / c divides by zero
    cube[3, 0, 0] = -1.0  # benefit value negative
    panel = Panel.from_array(cube, IndicatorSystem.from_dict(SPEC), years=(2011, 2012, 2013, 2015))
    with pytest.raises(DegenerateDataError, match=r"max_ratio.*2 cell\(s\).*\('R2', 2013, 'energy'\).*\('R4', 2011, 'rd_staff'\)"):
        fastinno.hew_topsis(panel)
    # other standardizations accept them
    fastinno.hew_topsis(panel, standardize="minmax")


@pytest.mark.parametrize(
    ("scope", "where"),
    [("panel", "'patents', 'the whole panel'"), ("region", "'patents', 'region R3'"), ("year", "'patents', 'year 2012'")],
)
def test_constant_indicator_error_names_indicator_and_scope(scope, where):
    cube = np.array(make_panel().cube)
    if scope == "panel":
        cube[:, :, 3] = 2.0
    elif scope == "region":
        cube[2, :, 3] = 2.0
    else:
        cube[:, 1, 3] = 2.0
    panel = Panel.from_array(cube, IndicatorSystem.from_dict(SPEC), years=(2011, 2012, 2013, 2015))
    with pytest.raises(DegenerateDataError, match=rf"'patents' are constant.*scope='{scope}'.*\({where}\).*constant='drop'"):
        fastinno.hew_topsis(panel, scope=scope)


def test_constant_drop_and_zero_are_reported():
    cube = np.array(make_panel().cube)
    cube[:, 1, 3] = 2.0  # 'patents' constant in 2012
    panel = Panel.from_array(cube, IndicatorSystem.from_dict(SPEC), years=(2011, 2012, 2013, 2015))
    with pytest.warns(FastinnoWarning, match=r"dropped constant indicator\(s\) 'patents'"):
        r = fastinno.hew_topsis(panel, scope="year", constant="drop")
    assert "patents" not in r.weights["indicator"].to_list()
    assert r.options["dropped"] == ("patents",)
    sub = panel.system.subset([i for i in panel.indicators if i != "patents"])
    keep = [0, 1, 2, 4, 5]
    want = naive.hew_index_cube(cube[:, :, keep], sub.is_cost, 0, 2, sub.base_weights(), 0)
    npt.assert_allclose(r.scores["index"].to_numpy().reshape(6, 4), want, rtol=1e-12)

    with pytest.warns(FastinnoWarning, match=r"contribute 0 there \(constant='zero', scope='year'\): \('patents', 'year 2012'\)"):
        r = fastinno.hew_topsis(panel, scope="year", constant="zero")
    want = naive.hew_index_cube(cube, panel.is_cost, 0, 2, panel.system.base_weights(), 0)
    npt.assert_allclose(r.scores["index"].to_numpy().reshape(6, 4), want, rtol=1e-12)


@pytest.mark.parametrize(
    ("weights", "error", "message"),
    [
        ([0.5, 0.5, 0.2, -0.2, 0.0, 0.0], InputError, r"weights must be >= 0; negative at 'patents'"),
        ([0.5, 0.5], InputError, r"weights has 2 entries but there are 6 indicators"),
        ([0.2] * 6, InputError, r"weights sum to 1\.2, not 1"),
        ({"rd_staff": 1.0, "nope": 0.0}, SchemaError, r"must name every indicator exactly: missing .*; unknown 'nope'"),
        ({"rd_staff": 1.0}, SchemaError, r"must name every indicator exactly: missing 'rd_spend'"),
    ],
)
def test_bad_weights(weights, error, message):
    with pytest.raises(error, match=message):
        fastinno.hew_topsis(make_panel(), weights=weights)


@pytest.mark.parametrize(
    ("option", "value"),
    [("scope", "country"), ("standardize", "log"), ("form", "ratio3"), ("constant", "ignore")],
)
def test_unknown_options(option, value):
    with pytest.raises(InputError, match=rf"Unknown {option} '{value}': choose one of"):
        fastinno.hew_topsis(make_panel(), **{option: value})


def test_not_a_panel():
    with pytest.raises(InputError, match="needs a fastinno Panel, got ndarray"):
        fastinno.hew_topsis(np.ones((2, 2, 2)))


def test_nan_index_cells_are_warned():
    # one region and the indicators' two... a 1-region panel with scope="region" and constant
    # values everywhere except 'patents' with weight zero: both distances 0 everywhere
    cube = np.array(make_panel().cube)
    w = np.array([0.25, 0.25, 0.25, 0.25, 0.0, 0.0])
    cube[0, :, :4] = cube[0, 0, :4]  # region R1 constant on every weighted indicator
    panel = Panel.from_array(cube, IndicatorSystem.from_dict(SPEC), years=(2011, 2012, 2013, 2015))
    with pytest.warns(FastinnoWarning) as rec:
        r = fastinno.hew_topsis(panel, scope="region", constant="zero", weights=w)
    messages = [str(m.message) for m in rec]
    assert any("index undefined (d+ = d- = 0" in m and "('R1', 2011, 'index')" in m for m in messages)
    assert any("sub-index 'sales' has zero total weight" in m for m in messages)
    assert np.isnan(r.scores.filter(pl.col("region") == "R1")["index"].to_numpy()).all()
    assert np.isfinite(r.scores.filter(pl.col("region") == "R2")["index"].to_numpy()).all()


def test_growth_zero_base_is_warned():
    # scope="year": the region worst on every indicator in the first year gets F = 0
    cube = np.array(make_panel().cube)
    cube[0, 0, :] = np.where(IndicatorSystem.from_dict(SPEC).is_cost, 10.0, 0.1)
    panel = Panel.from_array(cube, IndicatorSystem.from_dict(SPEC), years=(2011, 2012, 2013, 2015))
    with pytest.warns(FastinnoWarning, match=r"growth rate undefined \(zero or negative base value\).*\('R1', 'index'\)"):
        r = fastinno.hew_topsis(panel, scope="year")
    assert r.scores["index"][0] == 0.0
    assert np.isnan(r.growth.filter((pl.col("region") == "R1") & (pl.col("column") == "index"))["cagr"][0])


def test_demo_panel_runs_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)  # the loader reports dropped regions
        panel = fastinno.datasets.six_triangles(missing="drop-region")
    r = fastinno.hew_topsis(panel)
    assert r.columns == ("index", "enterprise", "university", "research_institution")
    assert r.scores.height == panel.n_regions * panel.n_years
    v = r.scores.select(pl.exclude("region", "year")).to_numpy()
    assert np.isfinite(v).all() and (v >= 0).all() and (v <= 1).all()


# ---- array API and reference vectors --------------------------------------------------------

TOPSIS = {c["id"]: c for c in load_refvectors("topsis")}


def test_refvector_topsis_01_through_array_api():
    # source: Tzeng & Huang (2011) via scikit-criteria @35f17ee (see the case's "source")
    case = TOPSIS["topsis-01"]
    c = fa.topsis(case["inputs"]["matrix"], case["inputs"]["weights"], case["inputs"]["types"],
                  normalize="vector", form="closeness")
    npt.assert_allclose(c, case["expected"]["closeness"], rtol=0, atol=case["tolerance"])


def test_refvector_topsis_F_01_through_array_api():
    # source: computed on Tzeng & Huang (2011) inputs (see the case's "source")
    case = TOPSIS["topsis-F-01"]
    out = fa.topsis(case["inputs"]["matrix"], case["inputs"]["weights"], case["inputs"]["types"],
                    normalize="minmax", form="ratio2", full=True)
    f, d_pos, d_neg = out["index"], out["d_pos"], out["d_neg"]
    tol = case["tolerance"]
    npt.assert_allclose(f, case["expected"]["F"], rtol=0, atol=tol)
    npt.assert_allclose(d_pos, case["expected"]["d_plus"], rtol=0, atol=tol)
    npt.assert_allclose(d_neg, case["expected"]["d_minus"], rtol=0, atol=tol)
    # the cube route: objects as regions of a one-year panel, year scope
    cube = np.array(case["inputs"]["matrix"], dtype=float)[:, None, :]
    g = fa.hew_topsis(cube, weights=case["inputs"]["weights"], scope="year", normalize="minmax")
    npt.assert_allclose(g[0, :, 0], case["expected"]["F"], rtol=0, atol=tol)
    x = fa.standardize(cube, normalize="minmax", scope="year")
    dp, dn = fa.distances(x, case["inputs"]["weights"], scope="year")
    npt.assert_allclose(fa.index(dp, dn, form="closeness")[:, 0],
                        case["expected"]["standard_closeness_same_distances"], rtol=0, atol=tol)


def test_array_api_matches_dataframe_api():
    panel = make_panel(3)
    r = run(panel, scope="region", standardize="vector", form="closeness")
    groups = [g.indices for g in panel.system.groups]
    out = fa.hew_topsis(np.array(panel.cube), panel.is_cost, weights=panel.system.base_weights(),
                        groups=groups, scope="region", normalize="vector", form="closeness")
    for m, c in enumerate(r.columns):
        npt.assert_allclose(out[m].ravel(), r.scores[c].to_numpy(), rtol=1e-14)
    ideal, anti = fa.ideal_points(np.array(panel.cube), panel.is_cost, normalize="vector", scope="region")
    assert ideal.shape == anti.shape == (6, 6)
    cagr, _, _ = fa.growth(out[0], years=panel.years)
    npt.assert_allclose(cagr, r.growth.filter(pl.col("column") == "index")["cagr"].to_numpy(), rtol=1e-14)


def test_array_api_errors():
    with pytest.raises(InputError, match="cube must be 3-dimensional"):
        fa.standardize(np.ones((2, 2)))
    with pytest.raises(InputError, match="missing or infinite"):
        fa.standardize(np.full((2, 2, 2), np.nan))
    with pytest.raises(DegenerateDataError, match="max_ratio' needs positive values"):
        fa.standardize(-np.ones((2, 2, 2)))
    with pytest.raises(InputError, match="Unknown scope 'x'"):
        fa.standardize(np.ones((2, 2, 2)), scope="x")
    with pytest.raises(InputError, match="years must be strictly increasing"):
        fa.growth(np.ones(3), years=[3, 2, 1])


def test_array_hew_topsis_checks_on_the_statistics_and_leaves_the_input_alone():
    cube = np.random.default_rng(3).uniform(1.0, 2.0, (6, 4, 3))
    before = cube.copy()
    for scope in ("panel", "region", "year"):
        out = fa.hew_topsis(cube, scope=scope)
        npt.assert_allclose(out[0], fa.hew_topsis(cube.tolist(), scope=scope)[0], rtol=0)
    npt.assert_array_equal(cube, before)
    assert cube.flags.writeable  # the read-only flag is set on a view only
    bad = cube.copy()
    bad[2, 1, 0] = np.inf
    with pytest.raises(InputError, match=r"missing or infinite value\(s\) at \(2, 1, 0\)"):
        fa.hew_topsis(bad, scope="year")
    bad[2, 1, 0] = 0.0
    with pytest.raises(DegenerateDataError, match=r"max_ratio' needs positive values.*\(2, 1, 0\)"):
        fa.hew_topsis(bad, is_cost=[-1, 1, 1])  # a zero in a cost column
    fa.hew_topsis(bad, normalize="minmax")  # min-max does not divide by the values


# ---- properties -----------------------------------------------------------------------------

cubes = st.builds(
    lambda seed, r, y: np.random.default_rng(seed).uniform(0.1, 10.0, (r, y, 6)),
    st.integers(0, 2**32 - 1), st.integers(2, 6), st.integers(2, 5),
)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _panel(cube):
    return Panel.from_array(cube, IndicatorSystem.from_dict(SPEC))


@SETTINGS
@given(cubes, st.sampled_from(SCOPES), st.sampled_from(STANDARDIZATIONS), st.sampled_from(FORMS))
def test_property_index_in_unit_interval(cube, scope, standardize, form):
    r = run(_panel(cube), scope=scope, standardize=standardize, form=form)
    v = r.scores.select(r.columns).to_numpy()
    assert ((v >= 0) & (v <= 1)).all()


@SETTINGS
@given(cubes, st.sampled_from(SCOPES), st.sampled_from(STANDARDIZATIONS), st.randoms(use_true_random=False))
def test_property_permuting_regions_permutes_results(cube, scope, standardize, rnd):
    perm = list(range(cube.shape[0]))
    rnd.shuffle(perm)
    a = run(_panel(cube), scope=scope, standardize=standardize)
    b = run(_panel(np.ascontiguousarray(cube[perm])), scope=scope, standardize=standardize)
    va = a.scores.select(a.columns).to_numpy().reshape(cube.shape[0], cube.shape[1], -1)
    vb = b.scores.select(b.columns).to_numpy().reshape(cube.shape[0], cube.shape[1], -1)
    npt.assert_allclose(vb, va[perm], rtol=1e-12)


@SETTINGS
@given(cubes, st.sampled_from(STANDARDIZATIONS))
def test_property_year_scope_forms_rank_alike(cube, standardize):
    f = run(_panel(cube), scope="year", standardize=standardize, form="ratio2")
    c = run(_panel(cube), scope="year", standardize=standardize, form="closeness")
    # F = 1/(1 + q^2) and C = 1/(1 + q) with q = d+/d-: both strictly decreasing in q
    fv = f.scores["index"].to_numpy().reshape(cube.shape[:2])
    cv = c.scores["index"].to_numpy().reshape(cube.shape[:2])
    for t in range(cube.shape[1]):
        of, oc = np.argsort(fv[:, t], kind="stable"), np.argsort(cv[:, t], kind="stable")
        # compare orderings where values are not tied (ties up to rounding may swap)
        npt.assert_allclose(cv[of, t], np.sort(cv[:, t]), rtol=1e-9, atol=1e-12)
        npt.assert_allclose(fv[oc, t], np.sort(fv[:, t]), rtol=1e-9, atol=1e-12)


@SETTINGS
@given(cubes, st.sampled_from(SCOPES), st.floats(1e-3, 1e3), st.sampled_from([0, 1, 3, 4, 5]))
def test_property_max_ratio_invariant_to_scaling_benefit(cube, scope, factor, j):
    scaled = cube.copy()
    scaled[:, :, j] *= factor
    a = run(_panel(cube), scope=scope)
    b = run(_panel(scaled), scope=scope)
    npt.assert_allclose(b.scores.select(b.columns).to_numpy(), a.scores.select(a.columns).to_numpy(), rtol=1e-12, atol=1e-14)


def _tree(draw, depth, counter):
    n = draw(st.integers(1, 3))
    out = {}
    for _ in range(n):
        counter[0] += 1
        name = f"n{counter[0]}"
        if depth < 3 and draw(st.booleans()):
            out[name] = _tree(draw, depth + 1, counter)
        else:
            out[name] = draw(st.sampled_from(["+", "-"]))
    return out


@SETTINGS
@given(st.data())
def test_property_hierarchical_weights_sum_to_one(data):
    spec = _tree(data.draw, 0, [0])
    system = IndicatorSystem.from_dict(spec)
    n = system.n_indicators
    cube = np.random.default_rng(n).uniform(1, 2, (3, 2, n))
    r = run(Panel.from_array(cube, system))
    assert r.weights["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert (r.weights["weight"].to_numpy() > 0).all()
    for g in system.groups:
        assert system.group_weights(g).sum() == pytest.approx(1.0, abs=1e-12)


def test_missing_and_infinite_values_are_errors():
    cube = np.array(make_panel().cube)
    cube[1, 1, 1] = np.nan
    panel = Panel.from_array(cube, IndicatorSystem.from_dict(SPEC), years=(2011, 2012, 2013, 2015))
    with pytest.raises(SchemaError, match=r"hew_topsis needs a complete panel.*\('R2', 2012, 'rd_spend'\)"):
        fastinno.hew_topsis(panel)
    cube[1, 1, 1] = np.inf
    panel = Panel.from_array(cube, IndicatorSystem.from_dict(SPEC), years=(2011, 2012, 2013, 2015))
    with pytest.raises(InputError, match="infinite values"):
        fastinno.hew_topsis(panel)


def test_ranks_put_undefined_cells_last():
    cube = np.array(make_panel().cube)
    w = np.array([0.25, 0.25, 0.25, 0.25, 0.0, 0.0])
    cube[0, :, :4] = cube[0, 0, :4]  # R1 constant: index NaN with scope="region"
    panel = Panel.from_array(cube, IndicatorSystem.from_dict(SPEC), years=(2011, 2012, 2013, 2015))
    with pytest.warns(FastinnoWarning):
        r = fastinno.hew_topsis(panel, scope="region", constant="zero", weights=w)
    ranks = r.ranks().filter(pl.col("year") == 2011)
    assert ranks["rank"].to_list()[:5] == [1, 2, 3, 4, 5] and ranks["rank"][5] is None
    assert ranks["region"][5] == "R1"
    assert "R1" not in r.top(5)["region"].to_list()


def test_array_api_old_option_names_warn_and_agree():
    """``method=`` / ``standardize=`` at array level are the old names of ``normalize=``."""
    cube = np.random.default_rng(3).uniform(1, 2, (5, 3, 4))
    want = fa.standardize(cube, normalize="minmax", scope="year")
    with pytest.warns(FutureWarning, match="method= is renamed normalize="):
        got = fa.standardize(cube, method="minmax", scope="year")
    npt.assert_array_equal(got, want)
    with pytest.warns(FutureWarning, match="standardize= is renamed normalize="):
        old = fa.hew_topsis(cube, standardize="vector")
    npt.assert_array_equal(old, fa.hew_topsis(cube, normalize="vector"))
    with pytest.warns(FutureWarning, match="standardize= is renamed normalize="):
        old_t = fa.topsis(cube[:, 0, :], np.full(4, 0.25), standardize="minmax")
    npt.assert_array_equal(old_t, fa.topsis(cube[:, 0, :], np.full(4, 0.25), normalize="minmax"))
    with pytest.raises(InputError, match="Pass normalize= only"):
        fa.standardize(cube, normalize="minmax", method="minmax")
    # both spellings of the option value, as everywhere
    npt.assert_array_equal(fa.standardize(cube, normalize="max-ratio"), fa.standardize(cube))


def test_weights_rounded_for_print_are_rescaled_with_a_warning():
    panel = make_panel()
    n = len(panel.indicators)
    exact = np.full(n, 1.0 / n)
    rounded = np.round(exact, 4)  # sums to 0.9999 or 1.0001, as printed in a paper
    assert 0 < abs(rounded.sum() - 1.0) <= 1e-3
    with pytest.warns(FastinnoWarning, match=r"weights sum to .*not 1: rescaled to sum to 1"):
        res = fastinno.hew_topsis(panel, weights=rounded)
    want = fastinno.hew_topsis(panel, weights=rounded / rounded.sum())
    assert res.scores.equals(want.scores)
    with pytest.raises(InputError, match=r"sum to 0\.99, not 1\. Give weights that sum to 1") as err:
        fastinno.hew_topsis(panel, weights=exact * 0.99)
    assert "normalize=True" not in str(err.value)  # no advice naming an option that does not exist


def test_named_weights_follow_one_rule_everywhere():
    """hew_topsis, combined_evaluation and simulate take the same {indicator: weight} mapping."""
    panel = make_panel()
    names = list(panel.indicators)
    w = np.linspace(1.0, 2.0, len(names))
    w /= w.sum()
    named = dict(zip(names, w))
    assert fastinno.hew_topsis(panel, weights=named).scores.equals(fastinno.hew_topsis(panel, weights=w).scores)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)
        by_name = fastinno.combined_evaluation(panel, weights=named)
        by_array = fastinno.combined_evaluation(panel, weights=w)
    assert by_name.scores.equals(by_array.scores)
    for call in (lambda m: fastinno.hew_topsis(panel, weights=m), lambda m: fastinno.combined_evaluation(panel, weights=m)):
        with pytest.raises(SchemaError, match=r"must name every indicator exactly: missing"):
            call({names[0]: 1.0})
