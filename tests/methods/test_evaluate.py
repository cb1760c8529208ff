"""fi.evaluate and the classic registry entries (topsis, gra, hew_topsis; equal, hierarchical,
entropy, max_deviation; spearman, kendall)."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from refvectors import load_refvectors

import fastinno as fi
from fastinno import array as fa
from fastinno.errors import DegenerateDataError, InputError
from fastinno.methods import registry as reg

PANEL = fi.datasets.demo_panel()


def _case(name, cid):
    return {c["id"]: c for c in load_refvectors(name)}[cid]


# ---- array level ---------------------------------------------------------------------------

def test_topsis_returns_the_index_and_full_the_distances():
    # source: Tzeng & Huang (2011) via scikit-criteria @35f17ee (the case's "source")
    case = _case("topsis", "topsis-01")
    args = (case["inputs"]["matrix"], case["inputs"]["weights"], case["inputs"]["types"])
    c = fa.topsis(*args)
    assert c.ndim == 1
    npt.assert_allclose(c, case["expected"]["closeness"], rtol=0, atol=case["tolerance"])
    full = fa.topsis(*args, full=True)
    assert set(full) == {"index", "d_pos", "d_neg"}
    npt.assert_array_equal(full["index"], c)
    npt.assert_allclose(full["d_neg"] / (full["d_pos"] + full["d_neg"]), c, rtol=1e-12)


def test_gra_matches_the_reference_case():
    # source: Si & Sun, ex14_5 inputs, grades computed (tests/fixtures/refvectors/gra.json "gra-02")
    case = _case("gra", "gra-02")
    i = case["inputs"]
    m = len(i["matrix"][0])
    w = np.ones(m) if i["weights"] is None else np.asarray(i["weights"], dtype=float)  # None: equal
    g = fa.gra(i["matrix"], w / w.sum(), i["types"], rho=i["rho"])
    npt.assert_allclose(g, case["expected"]["grade"], rtol=0, atol=case["tolerance"])
    full = fa.gra(i["matrix"], w / w.sum(), i["types"], full=True)
    npt.assert_allclose(full["coefficients"], case["expected"]["coefficients"], rtol=0, atol=case["tolerance"])
    with pytest.raises(InputError, match="rho"):
        fa.gra(i["matrix"], w / w.sum(), i["types"], rho=0)


def test_entropy_and_max_deviation_weights_read_minmax_data():
    # source: pymcdm normalisation test matrix, min-max then entropy (refvectors "entropy-06")
    case = _case("entropy", "entropy-06")
    npt.assert_allclose(fa.entropy_weights(case["inputs"]["matrix"], case["inputs"]["types"]),
                        case["expected"]["weights"], rtol=0, atol=case["tolerance"])
    # source: Tzeng & Huang (2011) raw inputs, min-max, max deviation (refvectors "maxdev-01")
    case = _case("max_deviation", "maxdev-01")
    npt.assert_allclose(fa.max_deviation_weights(case["inputs"]["raw_matrix"], case["inputs"]["types"]),
                        case["expected"]["weights"], rtol=0, atol=case["tolerance"])
    with pytest.raises(DegenerateDataError, match="constant"):
        fa.entropy_weights([[1.0, 2.0], [1.0, 3.0]])


def test_hierarchical_weights_split_equally_at_every_level():
    npt.assert_allclose(fa.hierarchical_weights([[0, 1], [2, [3, 4]]]), [0.25, 0.25, 0.25, 0.125, 0.125])
    npt.assert_allclose(fa.hierarchical_weights([0, 1, 2, 3]), [0.25] * 4)
    with pytest.raises(InputError, match="twice"):
        fa.hierarchical_weights([[0, 1], [1]])
    with pytest.raises(InputError, match="missing"):
        fa.hierarchical_weights([[0, 2]])
    # the indicator system's own level-by-level weights
    sys_w = PANEL.system.base_weights()
    groups = [list(map(int, g.indices)) for g in PANEL.system.groups if g.level == 1]
    if groups and sum(len(g) for g in groups) == PANEL.n_indicators:
        npt.assert_allclose(fa.hierarchical_weights(groups), sys_w, rtol=1e-12)


def test_registry_has_the_classic_entries():
    assert {"topsis", "gra", "hew_topsis"} <= set(reg.METHODS)
    assert {"equal", "hierarchical", "entropy", "max_deviation"} <= set(reg.WEIGHTINGS)
    assert {"spearman", "kendall"} <= set(reg.CORRELATIONS)
    r = np.array([[1.0, 2, 3, 4, 5], [2.0, 1, 3, 5, 4], [5.0, 4, 3, 2, 1]])
    for name in ("spearman", "kendall"):
        spec = reg.CORRELATIONS[name]
        m = spec.pairs(r)
        for a in range(3):
            for b in range(3):
                if a != b:
                    npt.assert_allclose(m[a, b], spec.array(r[a], r[b]), rtol=1e-12)
        npt.assert_allclose(np.diag(m), 1.0)


# ---- evaluate ------------------------------------------------------------------------------

@pytest.mark.parametrize("method,normalize,weights", [
    ("topsis", "vector", "equal"), ("topsis", "minmax", "entropy"), ("gra", "minmax", "max_deviation"),
    ("hew_topsis", "max_ratio", "hierarchical"),
])
def test_evaluate_matches_array_calls_year_by_year(method, normalize, weights):
    res = fi.evaluate(PANEL, method=method, weights=weights, normalize=normalize)
    is_cost = PANEL.is_cost
    wfun = {"equal": fa.equal_weights, "entropy": fa.entropy_weights, "max_deviation": fa.max_deviation_weights}
    for t, year in enumerate(PANEL.years):
        x = PANEL.cube[:, t, :]
        w = PANEL.system.base_weights() if weights == "hierarchical" else wfun[weights](x, is_cost)
        if method == "hew_topsis":
            want = fa.hew_topsis(PANEL.cube[:, t:t + 1, :], is_cost, weights=w, normalize=normalize,
                                 scope="year")[0, :, 0]
        else:
            want = getattr(fa, method)(x, w, is_cost, normalize=normalize)
        got = res.scores.filter(pl.col("year") == year)
        assert got["region"].to_list() == list(PANEL.regions)
        npt.assert_allclose(got["score"].to_numpy(), want, rtol=1e-12)
        order = np.argsort(-want, kind="stable")
        assert got["rank"].to_numpy()[order[0]] == 1
        wt = res.weights.filter(pl.col("year") == year)
        npt.assert_allclose(wt["weight"].to_numpy(), w, rtol=1e-12)
    assert set(res.scores["direction"].unique()) == {"higher_is_better"}
    assert res.options["method"] == method and res.options["normalize"] == normalize


def test_evaluate_by_panel_is_one_cell_and_takes_given_weights():
    w = {name: 1 / PANEL.n_indicators for name in PANEL.indicators}
    res = fi.evaluate(PANEL, method="topsis", weights=w, normalize="vector", by="panel")
    x = PANEL.cube.reshape(-1, PANEL.n_indicators)
    want = fa.topsis(x, np.full(PANEL.n_indicators, 1 / PANEL.n_indicators), PANEL.is_cost, normalize="vector")
    npt.assert_allclose(res.scores["score"].to_numpy(), want, rtol=1e-12)
    assert res.scores["rank"].min() == 1 and res.scores["rank"].max() <= x.shape[0]
    assert res.weights["year"].null_count() == PANEL.n_indicators
    assert res.options["weights"] == "given"
    res2 = fi.evaluate(PANEL, method="topsis", weights=np.full(9, 1 / 9), normalize="vector", by="panel")
    npt.assert_array_equal(res2.scores["score"].to_numpy(), res.scores["score"].to_numpy())


def test_evaluate_rank_one_is_best_for_lower_is_better_methods(monkeypatch):
    # a registered method whose score is lower-is-better: TOPSIS's 1 - C
    from fastinno.methods import classic
    from fastinno.methods.spec import MethodSpec

    spec = MethodSpec("spotis", "flip", fa.topsis,
                      lambda x3, w, c, n, o: 1.0 - classic.topsis_cells(x3, w, c, n, o),
                      False, "vector", ("vector",), {"form": "closeness"})
    monkeypatch.setitem(reg.METHODS, "spotis", spec)
    flip = fi.evaluate(PANEL, method="spotis", weights="equal", normalize="vector")
    base = fi.evaluate(PANEL, method="topsis", weights="equal", normalize="vector")
    npt.assert_array_equal(flip.scores["rank"].to_numpy(), base.scores["rank"].to_numpy())
    assert flip.scores["direction"][0] == "lower_is_better" and not flip.higher_is_better


def test_evaluate_errors_are_clear(monkeypatch):
    monkeypatch.delitem(reg.METHODS, "marcos")  # a known name without a registry entry
    with pytest.raises(InputError, match="not available in this installation"):
        fi.evaluate(PANEL, method="marcos", weights="equal")
    with pytest.raises(InputError, match="Unknown method"):
        fi.evaluate(PANEL, method="topsys", weights="equal")
    with pytest.raises(InputError, match="no option"):
        fi.evaluate(PANEL, method="topsis", weights="equal", options={"v": 0.5})
    with pytest.raises(InputError, match="normalize"):
        fi.evaluate(PANEL, method="topsis", weights="equal", normalize="sum_of_squares")
    cube = np.array(PANEL.cube)
    cube[:, 2, 0] = 5.0
    p = fi.Panel.from_array(cube, PANEL.system, regions=PANEL.regions, years=PANEL.years)
    with pytest.raises(DegenerateDataError, match="constant within a year"):
        fi.evaluate(p, method="topsis", weights="equal")


def test_evaluation_result_protocol():
    res = fi.evaluate(PANEL, method="gra", weights="entropy")
    assert set(res.tables()) == {"scores", "weights"}
    assert res.options["seed"] is None and res.options["rho"] == 0.5
    top = res.top(3)
    assert top.height == 3 * PANEL.n_years and top["rank"].max() == 3
    assert "gra" in repr(res)


# pymcdm 1.4.0, pymcdm/methods/topsis.py with normalizations.minmax_normalization /
# vector_normalization, on this matrix (cost first column), equal weights
_PEER_X = [[250, 16, 12, 5], [200, 16, 8, 3], [300, 32, 16, 4], [275, 32, 8, 4], [225, 16, 16, 2]]
_PEER_TOPSIS = {
    "minmax": [0.5, 0.40269975, 0.59730025, 0.48689056, 0.46535165],
    "vector": [0.53427686, 0.30836777, 0.69163223, 0.53473658, 0.40104612],
}


@pytest.mark.parametrize("normalize", ["minmax", "vector"])
def test_topsis_matches_pymcdm(normalize):
    got = fa.topsis(_PEER_X, np.full(4, 0.25), [-1, 1, 1, 1], normalize=normalize)
    npt.assert_allclose(got, _PEER_TOPSIS[normalize], rtol=0, atol=1e-8)
    pymcdm = pytest.importorskip("pymcdm")
    from pymcdm import normalizations as pn

    fn = pn.minmax_normalization if normalize == "minmax" else pn.vector_normalization
    want = pymcdm.methods.TOPSIS(normalization_function=fn)(np.array(_PEER_X, float), np.full(4, 0.25),
                                                           np.array([-1, 1, 1, 1]))
    npt.assert_allclose(got, want, rtol=1e-12)
