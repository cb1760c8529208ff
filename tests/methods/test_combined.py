"""Combined evaluation: TOPSIS / GRA array API, drift-degree combination, the
compatibility test, ``combined_evaluation`` on panels, and the ``combine`` CLI command.

Source of the model: Xia, Li, Yin (2020) Sustainability 12(7) 2739, sec. 3.1.1.
"""

from __future__ import annotations

import warnings

import naive
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
import scipy.stats as ss
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from refvectors import load_refvectors

import fastinno
from fastinno.cli import cli
from fastinno.errors import DegenerateDataError, FastinnoWarning, InputError
from fastinno.kernels import rank as kr
from fastinno.kernels import relational as krel
from fastinno.methods import combined as mc
from fastinno.methods import mcda
from fastinno.panel import Panel, read_system

# --- kernels against naive ------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 1), (5, 3), (40, 7)])
@pytest.mark.parametrize("rho", [0.5, 0.2, 1.0])
def test_grey_relational_kernels(shape, rho):
    rng = np.random.default_rng(10)
    p = rng.random(shape)
    p[0, 0] = 0.0
    p[-1, 0] = 1.0
    w = rng.random(shape[1])
    w /= w.sum()
    npt.assert_allclose(krel.grey_relational_coefficients(p, rho), naive.grey_relational_coefficients(p, rho),
                        rtol=1e-12)
    npt.assert_allclose(krel.grey_relational_grades(p, w, rho), naive.grey_relational_grades(p, w, rho),
                        rtol=1e-12)
    npt.assert_allclose(fastinno.grey_relational(p, w, rho=rho), naive.grey_relational_grades(p, w, rho),
                        rtol=1e-12)
    npt.assert_allclose(krel.weighted_sum(p, w), naive.weighted_sum(p, w), rtol=1e-12)


@pytest.mark.parametrize("shape", [(3, 2), (25, 6)])
def test_topsis_matches_naive(shape):
    rng = np.random.default_rng(11)
    p = rng.random(shape)
    w = rng.random(shape[1])
    w /= w.sum()
    npt.assert_allclose(fastinno.topsis(p, w), naive.topsis_closeness_matrix(p, w), rtol=1e-12)
    we = naive.entropy_weights(p)
    npt.assert_allclose(fastinno.topsis(p), naive.topsis_closeness_matrix(p, we), rtol=1e-12)
    wm = naive.max_deviation_weights(p)
    npt.assert_allclose(fastinno.topsis(p, "max_deviation"), naive.topsis_closeness_matrix(p, wm), rtol=1e-12)
    eq = np.full(shape[1], 1.0 / shape[1])
    npt.assert_allclose(fastinno.topsis(p, "equal"), naive.topsis_closeness_matrix(p, eq), rtol=1e-12)


def test_cell_scores_against_naive():
    rng = np.random.default_rng(12)
    n, t, m = 17, 3, 5
    p = rng.random((n, t, m))
    cells = [(0, [0, 1, 2, 3, 4]), (1, [1, 3]), (2, [4, 0, 2])]
    ptr, idx, we, wm, wt, yr = [0], [], [], [], [], []
    for year, ind in cells:
        sub = p[:, year, ind]
        yr.append(year)
        idx += ind
        ptr.append(len(idx))
        we += list(naive.entropy_weights(sub))
        wm += list(naive.max_deviation_weights(sub))
        ww = rng.random(len(ind))
        wt += list(ww / ww.sum())
    codes = np.array([krel.M_ENTROPY, krel.M_MAX_DEVIATION, krel.M_TOPSIS, krel.M_GRA], dtype=np.int64)
    out = krel.cell_scores(np.ascontiguousarray(p.transpose(1, 2, 0)), np.array(yr, dtype=np.int64), np.array(ptr, dtype=np.int64),
                           np.array(idx, dtype=np.int64), np.array(we), np.array(wm), np.array(wt), codes, 0.5)
    for c, (year, ind) in enumerate(cells):
        sub = p[:, year, ind]
        a, b = ptr[c], ptr[c + 1]
        npt.assert_allclose(out[c, 0], naive.weighted_sum(sub, we[a:b]), rtol=1e-12)
        npt.assert_allclose(out[c, 1], naive.weighted_sum(sub, wm[a:b]), rtol=1e-12)
        npt.assert_allclose(out[c, 2], naive.topsis_closeness_matrix(sub, wt[a:b]), rtol=1e-12)
        npt.assert_allclose(out[c, 3], naive.grey_relational_grades(sub, wt[a:b]), rtol=1e-12)


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("k", [2, 3, 5])
def test_drift_against_naive(ties, k):
    rng = np.random.default_rng(13 + k)
    s = rng.random((23, k))
    s[:, 1:] = 0.6 * s[:, [0]] + 0.4 * s[:, 1:]
    if ties:
        s = np.round(s * 8) / 8
    w_exp, c_exp = naive.drift_combination(s)
    w, c = fastinno.drift_combination(s)
    npt.assert_allclose(w, w_exp, rtol=1e-12, atol=1e-15)
    npt.assert_allclose(c, c_exp, rtol=1e-12)
    assert abs(w.sum() - 1) < 1e-12 and np.all(w >= 0)


def test_cell_correlations_against_naive():
    rng = np.random.default_rng(14)
    scores = np.round(rng.random((3, 4, 12)) * 6)
    ranks = np.array([[naive.average_ranks(scores[c, a], descending=True) for a in range(4)] for c in range(3)])
    rho, w = kr.cell_correlations(ranks, kr.PEARSON)
    for c in range(3):
        for a in range(4):
            for b in range(4):
                exp = 1.0 if a == b else naive.spearman(scores[c, a], scores[c, b])
                npt.assert_allclose(rho[c, a, b], exp, rtol=1e-12)
        npt.assert_allclose(w[c], naive.kendall_w(ranks[c]), rtol=1e-12)


# --- reference vectors ----------------------------------------------------------------------


@pytest.mark.parametrize("case", load_refvectors("topsis"), ids=lambda c: c["id"])
def test_topsis_refvectors(case):
    # source: Tzeng & Huang (2011) as tested in scikit-criteria (see case["source"])
    inp = case["inputs"]
    if case["method"] != "topsis.closeness":
        # topsis-F: variant F = d-^2/(d+^2 + d-^2) belongs to the ideal-solution model (tested in
        # tests/test_ideal_solution.py);
        # here we check its standard closeness on the same min-max distances.
        p = fastinno.normalize(inp["matrix"], inp["types"], method="minmax")
        c = fastinno.topsis(p, inp["weights"])
        npt.assert_allclose(c, case["expected"]["standard_closeness_same_distances"], atol=case["tolerance"])
        return
    p = fastinno.normalize(inp["matrix"], inp["types"], method=inp["normalization"])
    c = fastinno.topsis(p, inp["weights"])
    npt.assert_allclose(c, case["expected"]["closeness"], atol=case["tolerance"], rtol=0)


@pytest.mark.parametrize("case", load_refvectors("gra"), ids=lambda c: c["id"])
def test_gra_refvectors(case):
    # source: Si Shoukui & Sun Xijing ex14_5 (see case["source"])
    inp = case["inputs"]
    p = fastinno.normalize(inp["matrix"], inp["types"], method="minmax")
    m = p.shape[1]
    w = np.full(m, 1.0 / m) if inp["weights"] is None else inp["weights"]
    g = fastinno.grey_relational(p, w, rho=inp["rho"])
    npt.assert_allclose(g, case["expected"]["grade"], atol=case["tolerance"], rtol=0)
    xi = krel.grey_relational_coefficients(p, inp["rho"])
    npt.assert_allclose(xi, case["expected"]["coefficients"], atol=case["tolerance"], rtol=0)


@pytest.mark.parametrize("case", load_refvectors("drift_degree"), ids=lambda c: c["id"])
def test_drift_refvectors(case):
    # source: computed cases (see case["source"]); conventions: mean reference, Pearson on ranks
    exp = case["expected"]
    tol = case["tolerance"]
    w, comb, r, d = fastinno.drift_combination(case["inputs"]["scores"], details=True)
    npt.assert_allclose(r, exp["spearman_r"], atol=tol, rtol=0)
    npt.assert_allclose(d, exp["drift_p"], atol=tol, rtol=0)
    npt.assert_allclose(w, exp["weights"], atol=tol, rtol=0)
    npt.assert_allclose(comb, exp["combined"], atol=tol, rtol=0)


def test_drift_min_p_zero_gives_exact_zero():
    # drift-01: min p = 0, so the most-drifting method gets weight exactly 0
    case = load_refvectors("drift_degree")[0]
    w, _ = fastinno.drift_combination(case["inputs"]["scores"])
    assert w[1] == 0.0


def test_drift_equal_weights_warn():
    s = np.array([[0.1, 0.2], [0.5, 0.6], [0.3, 0.35], [0.9, 0.95]])
    with pytest.warns(FastinnoWarning, match="drifts equally"):
        w, c = fastinno.drift_combination(s)
    npt.assert_array_equal(w, [0.5, 0.5])
    npt.assert_allclose(c, s.mean(axis=1), rtol=1e-15)


def test_drift_minmax_option():
    rng = np.random.default_rng(15)
    s = rng.random((9, 3)) * [1.0, 10.0, 0.1]
    u = (s - s.min(axis=0)) / (s.max(axis=0) - s.min(axis=0))
    w_exp, c_exp = naive.drift_combination(u)
    w, c = fastinno.drift_combination(s, minmax=True)
    npt.assert_allclose(w, w_exp, rtol=1e-12)
    npt.assert_allclose(c, c_exp, rtol=1e-12)


def test_drift_errors():
    with pytest.raises(DegenerateDataError, match="constant"):
        fastinno.drift_combination([[1.0, 2.0], [1.0, 3.0], [1.0, 4.0]])
    with pytest.raises(InputError, match="at least 2 rows"):
        fastinno.drift_combination([[1.0, 2.0]])


# --- compatibility test ---------------------------------------------------------------------


def test_spearman_pvalues_match_scipy():
    rng = np.random.default_rng(16)
    a = rng.random(14)
    b = a + rng.random(14)
    res = ss.spearmanr(a, b)
    p = mc.spearman_pvalues(np.array([res.statistic]), 14)
    npt.assert_allclose(p, [res.pvalue], rtol=1e-10)
    assert mc.spearman_pvalues(np.array([1.0]), 10)[0] == 0.0


def test_compatible_set_drops_the_odd_method():
    # methods 0-2 agree; method 3 disagrees with all
    rho = np.array([[1, 0.9, 0.8, 0.1], [0.9, 1, 0.85, 0.05], [0.8, 0.85, 1, -0.2], [0.1, 0.05, -0.2, 1]])
    p = mc.spearman_pvalues(rho, 15)
    keep, note = mc.compatible_set(rho, p, 0.05)
    npt.assert_array_equal(keep, [True, True, True, False])
    assert note == ""
    # two incompatible methods: keep both, say so
    rho2 = np.array([[1.0, 0.1], [0.1, 1.0]])
    keep, note = mc.compatible_set(rho2, mc.spearman_pvalues(rho2, 15), 0.05)
    assert keep.all() and "no compatible subset" in note


# --- panel level ----------------------------------------------------------------------------


def _panel(n=30, t=3, seed=0, system=None):
    rng = np.random.default_rng(seed)
    base = rng.random((n, 1, 1))
    cube = 0.2 * base + rng.random((n, t, 6))
    cube[:, :, 5] = 2.0 - cube[:, :, 5]  # a cost indicator that agrees with the others
    if system is None:
        system = {
            "input": {"a": "+", "b": "+", "c": "+"},
            "output": {"d": "+", "e": "+", "f": "-"},
        }
    return Panel.from_array(cube, system, regions=[f"r{i:02d}" for i in range(n)], years=range(2001, 2001 + t))


def _naive_cell(x, is_cost, methods=mc.METHODS, rho=0.5):
    """The whole per-period model from naive pieces for one (year, dimension) cell."""
    mn = x.min(axis=0)
    mx = x.max(axis=0)
    p = np.where(is_cost, (mx - x) / (mx - mn), (x - mn) / (mx - mn))
    we = naive.entropy_weights(p)
    wm = naive.max_deviation_weights(p)
    cols = {
        "entropy": naive.weighted_sum(p, we),
        "max_deviation": naive.weighted_sum(p, wm),
        "topsis": naive.topsis_closeness_matrix(p, we),
        "gra": naive.grey_relational_grades(p, we, rho),
    }
    s = np.column_stack([cols[m] for m in methods])
    w, comb = naive.drift_combination(s)
    return s, w, comb, we, wm


def test_combined_evaluation_matches_naive():
    panel = _panel()
    res = fastinno.combined_evaluation(panel)
    assert res.excluded.height == 0
    sc = res.scores
    assert sc.columns == ["region", "year", "dimension", "entropy", "max_deviation", "topsis", "gra",
                          "combined", "rank"]
    dims = {"index": np.arange(6), "input": np.arange(3), "output": np.arange(3, 6)}
    for year_i, year in enumerate(panel.years):
        for dname, idx in dims.items():
            x = panel.cube[:, year_i, idx]
            s, w, comb, we, wm = _naive_cell(x, panel.is_cost[idx])
            got = (
                sc.filter((pl.col("year") == year) & (pl.col("dimension") == dname))
                .sort("region")
            )
            npt.assert_allclose(got.select(mc.METHODS).to_numpy(), s, rtol=1e-12)
            npt.assert_allclose(got["combined"].to_numpy(), comb, rtol=1e-12)
            mw = res.method_weights.filter((pl.col("year") == year) & (pl.col("dimension") == dname))
            npt.assert_allclose(mw["weight"].to_numpy(), w, rtol=1e-12, atol=1e-15)
            iw = res.indicator_weights.filter((pl.col("year") == year) & (pl.col("dimension") == dname))
            npt.assert_allclose(iw["entropy"].to_numpy(), we, rtol=1e-12)
            npt.assert_allclose(iw["max_deviation"].to_numpy(), wm, rtol=1e-12)
            # rank 1 = best combined score
            best = got.filter(pl.col("rank") == 1)["region"][0]
            assert best == got["region"][int(np.argmax(comb))]
            # compatibility and Kendall's W
            comp = res.compatibility.filter((pl.col("year") == year) & (pl.col("dimension") == dname))
            assert comp.height == 6
            r0 = ss.spearmanr(s[:, 0], s[:, 1])
            npt.assert_allclose(comp["spearman_rho"][0], r0.statistic, rtol=1e-12)
            npt.assert_allclose(comp["p_value"][0], r0.pvalue, rtol=1e-9)
            kwr = res.kendall_w.filter((pl.col("year") == year) & (pl.col("dimension") == dname))
            ranks = np.stack([naive.average_ranks(s[:, j], True) for j in range(4)])
            wk = naive.kendall_w(ranks)
            npt.assert_allclose(kwr["w"][0], wk, rtol=1e-12)
            npt.assert_allclose(kwr["p_value"][0], ss.chi2.sf(4 * 29 * wk, 29), rtol=1e-9)


def test_combined_by_panel_pools_region_years():
    panel = _panel(n=8, t=3)
    res = fastinno.combined_evaluation(panel, by="panel", methods=("entropy", "gra"))
    x = panel.cube.reshape(-1, 6)
    s, w, comb, _, _ = _naive_cell(x, panel.is_cost, methods=("entropy", "gra"))
    got = res.scores.filter(pl.col("dimension") == "index").sort(["region", "year"])
    npt.assert_allclose(got["combined"].to_numpy(), comb, rtol=1e-12)
    assert res.method_weights["year"].null_count() == res.method_weights.height
    assert got["rank"].min() == 1 and got["rank"].max() == 24
    assert res.top(3)["rank"].to_list() == [1, 2, 3]


def test_combined_permuting_regions_permutes_scores():
    panel = _panel(n=20)
    perm = np.random.default_rng(3).permutation(20)
    other = Panel(panel.cube[perm], tuple(panel.regions[i] for i in perm), panel.years, panel.system)
    a = fastinno.combined_evaluation(panel).scores.sort(["dimension", "year", "region"])
    b = fastinno.combined_evaluation(other).scores.sort(["dimension", "year", "region"])
    cols = [*mc.METHODS, "combined"]
    npt.assert_allclose(a.select(cols).to_numpy(), b.select(cols).to_numpy(), rtol=1e-12)
    assert a["rank"].to_list() == b["rank"].to_list()


def test_combined_options_and_weights():
    panel = _panel()
    res = fastinno.combined_evaluation(panel, weights="equal", spearman_method="d2", minmax_scores=True, rho=0.3)
    x = panel.cube[:, 0, :]
    mn, mx = x.min(axis=0), x.max(axis=0)
    p = np.where(panel.is_cost, (mx - x) / (mx - mn), (x - mn) / (mx - mn))
    got = res.scores.filter((pl.col("year") == 2001) & (pl.col("dimension") == "index")).sort("region")
    npt.assert_allclose(got["gra"].to_numpy(), naive.grey_relational_grades(p, np.full(6, 1 / 6), 0.3), rtol=1e-12)
    w = np.array([0.1, 0.1, 0.2, 0.2, 0.2, 0.2])
    res2 = fastinno.combined_evaluation(panel, weights=w)
    got2 = res2.scores.filter((pl.col("year") == 2001) & (pl.col("dimension") == "input")).sort("region")
    npt.assert_allclose(got2["topsis"].to_numpy(), naive.topsis_closeness_matrix(p[:, :3], w[:3] / w[:3].sum()),
                        rtol=1e-12)
    for frame in (res.method_weights, res2.method_weights):
        sums = frame.group_by(["year", "dimension"]).agg(pl.col("weight").sum())["weight"].to_numpy()
        npt.assert_allclose(sums, 1.0, rtol=1e-12)


def test_combined_raw_entropy_option():
    panel = _panel()
    res = fastinno.combined_evaluation(panel, entropy_data="raw", methods=("entropy", "topsis"))
    iw = res.indicator_weights.filter((pl.col("year") == 2002) & (pl.col("dimension") == "index"))
    npt.assert_allclose(iw["entropy"].to_numpy(), naive.entropy_weights(panel.cube[:, 1, :]), rtol=1e-12)


def test_combined_constant_policies():
    panel = _panel()
    cube = panel.cube.copy()
    cube[:, 1, 2] = 5.0  # indicator c constant in 2002
    p2 = Panel(cube, panel.regions, panel.years, panel.system)
    with pytest.raises(DegenerateDataError, match=r"constant within a year.*\('c', 2002\).*constant='drop'"):
        fastinno.combined_evaluation(p2)
    res = fastinno.combined_evaluation(p2, constant="drop")
    assert res.excluded.filter(pl.col("item") == "c").height == 1
    iw = res.indicator_weights.filter((pl.col("year") == 2002) & (pl.col("dimension") == "index"))
    assert "c" not in iw["indicator"].to_list()
    res0 = fastinno.combined_evaluation(p2, constant="zero")
    iw0 = res0.indicator_weights.filter((pl.col("year") == 2002) & (pl.col("indicator") == "c"))
    npt.assert_array_equal(iw0["entropy"].to_numpy(), 0.0)
    npt.assert_array_equal(iw0["max_deviation"].to_numpy(), 0.0)
    # with c carrying no weight, 'drop' and 'zero' give the same entropy / max-deviation scores
    a = res.scores.filter(pl.col("year") == 2002).sort(["dimension", "region"])
    b = res0.scores.filter(pl.col("year") == 2002).sort(["dimension", "region"])
    npt.assert_allclose(a.select("entropy", "max_deviation", "topsis").to_numpy(),
                        b.select("entropy", "max_deviation", "topsis").to_numpy(), rtol=1e-12)


def test_combined_critical_limits_clip_and_warn():
    system = read_system({
        "input": {"a": {"direction": "+", "lower": 0.2, "upper": 1.0}, "b": "+", "c": "+"},
        "output": {"d": "+", "e": "+", "f": "-"},
    })
    panel = _panel(system=system)
    with pytest.warns(FastinnoWarning, match="clipped"):
        res = fastinno.combined_evaluation(panel, methods=("entropy",))
    x = panel.cube[:, 0, :]
    mn, mx = x.min(axis=0), x.max(axis=0)
    p = np.where(panel.is_cost, (mx - x) / (mx - mn), (x - mn) / (mx - mn))
    p[:, 0] = np.clip((x[:, 0] - 0.2) / 0.8, 0, 1)
    got = res.scores.filter((pl.col("year") == 2001) & (pl.col("dimension") == "index")).sort("region")
    npt.assert_allclose(got["entropy"].to_numpy(), naive.weighted_sum(p, naive.entropy_weights(p)), rtol=1e-12)


def test_combined_reports_excluded_method():
    # y is concentrated (low entropy -> the entropy weights favour it) and opposite to the spread
    # indicators x, z (large deviations -> the max-deviation weights favour them): the
    # max-deviation ranking runs against the other three and must be excluded, and reported.
    n = 30
    x = np.linspace(0.0, 1.0, n)
    y = (1.0 - x) ** 6
    z = x + 0.05 * np.random.default_rng(0).random(n)
    cube = np.stack([x, y, z], axis=1)[:, None, :].repeat(2, axis=1)
    panel = Panel.from_array(cube, {"x": "+", "y": "+", "z": "+"})
    res = fastinno.combined_evaluation(panel)
    ex = res.excluded_methods
    assert ex["item"].to_list() == ["max_deviation", "max_deviation"]
    mw = res.method_weights.filter(pl.col("method") == "max_deviation")
    assert not mw["compatible"].any() and (mw["weight"] == 0).all()
    kept = res.method_weights.filter(pl.col("compatible"))
    s, _, _, _, _ = _naive_cell(cube[:, 0, :], np.zeros(3, bool))
    w_exp, c_exp = naive.drift_combination(s[:, [0, 2, 3]])
    npt.assert_allclose(kept.filter(pl.col("year") == 1)["weight"].to_numpy(), w_exp, rtol=1e-12, atol=1e-15)
    got = res.scores.filter((pl.col("year") == 1) & (pl.col("dimension") == "index"))
    npt.assert_allclose(got["combined"].to_numpy(), c_exp, rtol=1e-12)
    comp = res.compatibility.filter((pl.col("year") == 1) & (pl.col("method_a") == "entropy")
                                    & (pl.col("method_b") == "max_deviation"))
    assert comp["spearman_rho"][0] < 0


def test_combined_errors():
    panel = _panel()
    with pytest.raises(InputError, match="Unknown method 'ahp'"):
        fastinno.combined_evaluation(panel, methods=("entropy", "ahp"))
    with pytest.raises(InputError, match="alpha must lie"):
        fastinno.combined_evaluation(panel, alpha=1.5)
    with pytest.raises(InputError, match="rho must lie"):
        fastinno.combined_evaluation(panel, rho=0.0)
    with pytest.raises(InputError, match="weights sum to"):
        fastinno.combined_evaluation(panel, weights=np.full(6, 0.5))
    with pytest.raises(InputError, match="Unknown by"):
        fastinno.combined_evaluation(panel, by="region")
    small = _panel(n=2)
    with pytest.raises(InputError, match="at least 3 objects"):
        fastinno.combined_evaluation(small)


def test_array_api_errors():
    with pytest.raises(InputError, match="types must be 1-D"):
        fastinno.normalize(np.ones((3, 2)), [1])
    with pytest.raises(DegenerateDataError, match="constant"):
        fastinno.normalize([[1.0, 2.0], [1.0, 3.0]], [1, 1])
    with pytest.raises(DegenerateDataError, match="max_ratio"):
        fastinno.normalize([[0.0, 2.0], [1.0, 3.0]], [-1, 1], method="max_ratio")
    with pytest.raises(InputError, match="weights must be >= 0"):
        fastinno.topsis(np.eye(3), [0.5, 0.6, -0.1])
    with pytest.raises(InputError, match="Unknown weights"):
        fastinno.grey_relational(np.eye(3), "ahp")


def test_six_triangles_runs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)
        panel = fastinno.datasets.six_triangles(missing="drop-region")
        res = fastinno.combined_evaluation(panel)
    assert res.scores.height == 14 * 9 * 4
    assert set(res.scores["dimension"].unique()) == {"index", "enterprise", "university", "research_institution"}
    assert res.scores["combined"].is_finite().all()


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.integers(3, 9), st.integers(2, 4), st.integers(0, 10_000))
def test_property_scores_bounded_and_weights_sum(n, m, seed):
    rng = np.random.default_rng(seed)
    x = rng.random((n, m))
    x[0] = 0.0
    x[1] = 1.0
    p = fastinno.normalize(x, [1] * m)
    for f in (fastinno.topsis, fastinno.grey_relational):
        s = f(p)
        assert np.all(s >= 0) and np.all(s <= 1 + 1e-12)
        perm = rng.permutation(n)
        npt.assert_allclose(f(p[perm]), s[perm], rtol=1e-12)
    scores = np.column_stack([fastinno.topsis(p), fastinno.grey_relational(p), p @ fastinno.entropy_weights(p)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)
        w, c = fastinno.drift_combination(scores)
    assert np.all(w >= 0) and abs(w.sum() - 1) < 1e-12
    assert np.all(c >= scores.min(axis=1) - 1e-12) and np.all(c <= scores.max(axis=1) + 1e-12)


# --- CLI ------------------------------------------------------------------------------------


def test_cli_combine_demo(tmp_path):
    out = tmp_path / "scores.csv"
    r = CliRunner().invoke(cli, ["combine", "--demo", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "Drift-degree method weights" in r.output
    assert "Top 5 regions" in r.output and "Beijing" in r.output
    assert out.exists() and (tmp_path / "scores_method_weights.csv").exists()
    df = pl.read_csv(out)
    assert {"region", "year", "dimension", "combined", "rank"} <= set(df.columns)


def test_cli_combine_bad_input():
    r = CliRunner().invoke(cli, ["combine", "--demo", "--methods", "entropy,ahp"])
    assert r.exit_code == 2
    assert "Error: Unknown method 'ahp'" in r.output
    assert "Traceback" not in r.output


def test_combined_missing_cells_named():
    from fastinno.errors import SchemaError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)
        panel = fastinno.datasets.six_triangles(missing="keep")
    with pytest.raises(SchemaError, match="combined evaluation needs a complete panel.*Jiangxi"):
        fastinno.combined_evaluation(panel)


def test_thread_count_does_not_change_results():
    import numba
    from polars.testing import assert_frame_equal

    panel = _panel(n=3400, t=10, seed=4)  # large enough to run the parallel kernels
    assert 2 * panel.cube.size >= mcda.PARALLEL_MIN_WORK
    prev = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = fastinno.combined_evaluation(panel)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = fastinno.combined_evaluation(panel)
    finally:
        numba.set_num_threads(prev)
    assert_frame_equal(one.scores, many.scores)
    assert_frame_equal(one.method_weights, many.method_weights)
    assert_frame_equal(one.compatibility, many.compatibility)


def test_combined_single_method():
    panel = _panel(n=12, t=2)
    res = fastinno.combined_evaluation(panel, methods=("gra",), spearman_method="d2")
    assert res.compatibility.height == 0
    assert res.kendall_w["w"].null_count() == res.kendall_w.height
    npt.assert_array_equal(res.method_weights["weight"].to_numpy(), 1.0)
    npt.assert_allclose(res.scores["combined"].to_numpy(), res.scores["gra"].to_numpy(), rtol=0)
