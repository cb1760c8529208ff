"""WSM, WPM, WASPAS, COPRAS, ARAS, MOORA and MABAC: published cases, pymcdm 1.4.0, naive
references, the batched cells, the linear terms and the invariants."""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fastinno import array as fa
from fastinno.errors import DegenerateDataError, InputError
from fastinno.methods import registry

HYP = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = ("wsm", "wpm", "waspas", "copras", "aras", "moora", "mabac")

# --- published cases (as tested in pyrepo-mcda, energyinpython/pyrepo-mcda@798cff1
# tests/test_mcda_methods_2.py and @8ea0d9f tests/test_mcda_methods.py) ---

# Goswami & Mitra (2020), "Selecting the best mobile model by applying AHP-COPRAS and AHP-ARAS
# decision making methodology", International Journal of Data and Network Science 4(1), 27-42.
GOSWAMI_X = np.array([[80, 16, 2, 5], [110, 32, 2, 9], [130, 64, 4, 9], [185, 64, 4, 1], [135, 64, 3, 4],
                      [140, 32, 3, 5], [185, 64, 6, 7], [110, 16, 3, 3], [120, 16, 4, 3], [340, 128, 6, 5]],
                     dtype=float)
GOSWAMI_W = np.array([0.60338, 0.13639, 0.19567, 0.06456])
GOSWAMI_COST = np.array([True, False, False, False])
GOSWAMI_COPRAS_UTILITY = [1, 0.85262, 0.91930, 0.68523, 0.80515, 0.72587, 0.83436, 0.79758, 0.79097, 0.79533]
GOSWAMI_ARAS = [0.68915, 0.58525, 0.62793, 0.46666, 0.54924, 0.49801, 0.56959, 0.54950, 0.54505, 0.53549]

# Isik, Aydin & Kosaroglu (2020), "The assessment of the logistics performance index of CEE
# countries with the new combination of SV and MABAC methods", LogForum 16(4).
ISIK_X = np.array([
    [2.937588, 2.762986, 3.233723, 2.881315, 3.015289, 3.313491],
    [2.978555, 3.012820, 2.929487, 3.096154, 3.012820, 3.593939],
    [3.286673, 3.464600, 3.746009, 3.715632, 3.703427, 4.133620],
    [3.322037, 3.098638, 3.262154, 3.147851, 3.206675, 3.798684],
    [3.354866, 3.270945, 3.221880, 3.213207, 3.670508, 3.785941],
    [2.796570, 2.983000, 2.744904, 2.692550, 2.787563, 2.878851],
    [2.846491, 2.729618, 2.789990, 2.955624, 3.123323, 3.646595],
    [3.253458, 3.208902, 3.678499, 3.580044, 3.505663, 3.954262],
    [2.580718, 2.906903, 3.176497, 3.073653, 3.264727, 3.681887],
    [2.789011, 3.000000, 3.101099, 3.139194, 2.985348, 3.139194],
    [3.418681, 3.261905, 3.187912, 3.052381, 3.266667, 3.695238]])
ISIK_W = np.array([0.171761, 0.105975, 0.191793, 0.168824, 0.161768, 0.199880])  # sums to 1.000001
ISIK_MABAC = [-0.155317, -0.089493, 0.505407, 0.132405, 0.246943, -0.386756, -0.179406, 0.362921,
              -0.084198, -0.167505, 0.139895]

# Karabasevic, Stanujkic, Urosevic & Maksimovic (2015), "Selection of candidates in the mining
# industry based on the application of the SWARA and the MULTIMOORA methods", Acta Montanistica
# Slovaca 20(2): the ratio system (weights sum to 0.999; the scores are linear in the weights).
KARA_X = np.array([[4, 3, 3, 4, 3, 2, 4], [3, 3, 4, 3, 5, 4, 4], [5, 4, 4, 5, 5, 5, 4]], dtype=float)
KARA_W = np.array([0.215, 0.215, 0.159, 0.133, 0.102, 0.102, 0.073])
KARA_MOORA = [0.494, 0.527, 0.677]

# --- pymcdm 1.4.0 (pymcdm/methods/{wsm,wpm,waspas,aras,moora,mabac}.py, default normalizations),
# computed on this matrix; kept literally so the test means something without pymcdm ---
SMALL_X = np.array([[7.0, 9, 9, 8], [8, 7, 8, 7], [9, 6, 8, 9], [6, 7, 8, 6]])
SMALL_W = np.array([0.1, 0.4, 0.3, 0.2])
SMALL_COST = np.array([False, False, True, False])
PYMCDM_SMALL = {
    "wsm": [0.269376026273, 0.247027914614, 0.249901477833, 0.233694581281],
    "wpm": [0.266953618739, 0.246788311536, 0.246882335377, 0.232509849515],
    "waspas": [0.920816183907, 0.852757365078, 0.858474833542, 0.805947046039],
    "aras": [0.92422448174, 0.849674003294, 0.859855445302, 0.804156968435],
    "moora": [0.23376403727, 0.190767511358, 0.196456761449, 0.164392292422],
    "mabac": [0.07726986167, 0.07726986167, 0.110603195003, -0.056063471663],
}
PYMCDM_CLASSES = {"wsm": "WSM", "wpm": "WPM", "waspas": "WASPAS", "aras": "ARAS", "moora": "MOORA", "mabac": "MABAC"}


def test_copras_goswami_mitra_2020():
    out = fa.copras(GOSWAMI_X, GOSWAMI_W, GOSWAMI_COST, full=True)
    npt.assert_allclose(np.round(out["utility"], 5), GOSWAMI_COPRAS_UTILITY, atol=1e-12)
    npt.assert_allclose(out["preference"], naive.copras(GOSWAMI_X, GOSWAMI_W, GOSWAMI_COST), rtol=1e-12)


def test_aras_goswami_mitra_2020():
    npt.assert_allclose(np.round(fa.aras(GOSWAMI_X, GOSWAMI_W, GOSWAMI_COST), 5), GOSWAMI_ARAS, atol=1e-12)


def test_mabac_isik_2020():
    with pytest.warns(UserWarning, match="rescaled"):
        got = fa.mabac(ISIK_X, ISIK_W)
    npt.assert_allclose(got, ISIK_MABAC, atol=6e-6)


def test_moora_karabasevic_2015():
    got = fa.moora(KARA_X, KARA_W / KARA_W.sum()) * KARA_W.sum()
    npt.assert_allclose(np.round(got, 3), KARA_MOORA, atol=1e-12)


@pytest.mark.parametrize("name", sorted(PYMCDM_SMALL))
def test_pymcdm_literal(name):
    got = getattr(fa, name)(SMALL_X, SMALL_W, SMALL_COST)
    npt.assert_allclose(got, PYMCDM_SMALL[name], rtol=1e-10)


@pytest.mark.parametrize("name", sorted(PYMCDM_CLASSES))
@pytest.mark.parametrize("seed", [0, 1])
def test_pymcdm_live(name, seed):
    pytest.importorskip("pymcdm")
    from pymcdm import methods as pm

    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, (9, 5))
    w = rng.dirichlet(np.ones(5))
    cost = np.array([False, True, False, True, False])
    ref = getattr(pm, PYMCDM_CLASSES[name])()(x, w, np.where(cost, -1, 1))
    npt.assert_allclose(getattr(fa, name)(x, w, cost), ref, rtol=1e-11, atol=1e-14)


def test_copras_pymcdm_differs_from_the_paper():
    """pymcdm 1.4.0 (pymcdm/methods/copras.py) simplifies its Q to S+ + S- (the S-min terms are
    taken elementwise and cancel); fastinno follows the paper, which the published case above
    confirms. Without cost indicators both reduce to S+."""
    out = fa.copras(SMALL_X, SMALL_W, SMALL_COST, full=True)
    pymcdm_q = out["s_plus"] + out["s_minus"]
    assert not np.allclose(out["preference"], pymcdm_q)
    npt.assert_allclose(fa.copras(SMALL_X, SMALL_W), fa.copras(SMALL_X, SMALL_W, full=True)["s_plus"])


# --- naive references over normalizations ---

NORMS = {
    "wsm": ("sum", "max", "max_ratio", "minmax", "vector", "zscore", "log"),
    "wpm": ("sum", "max_ratio", "log"),
    "waspas": ("max_ratio", "sum", "log"),
    "aras": ("sum", "max", "max_ratio", "vector", "log"),
    "mabac": ("minmax", "max", "max_ratio", "sum", "vector"),
}


@pytest.mark.parametrize(("name", "norm"), [(n, k) for n, ks in NORMS.items() for k in ks])
def test_matches_naive(name, norm):
    rng = np.random.default_rng(3)
    x = rng.uniform(1.5, 9.0, (7, 5))
    w = rng.dirichlet(np.ones(5))
    cost = np.array([True, False, False, True, False])
    npt.assert_allclose(getattr(fa, name)(x, w, cost, normalize=norm), getattr(naive, name)(x, w, cost, norm),
                        rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("name", ["copras", "moora"])
def test_matches_naive_builtin(name):
    rng = np.random.default_rng(4)
    x = rng.uniform(1.5, 9.0, (7, 5))
    w = rng.dirichlet(np.ones(5))
    cost = np.array([True, False, False, True, False])
    npt.assert_allclose(getattr(fa, name)(x, w, cost), getattr(naive, name)(x, w, cost), rtol=1e-12)


# --- batched cells and linear terms ---


@pytest.mark.parametrize("name", NAMES)
def test_cells_equal_per_cell_arrays(name):
    rng = np.random.default_rng(5)
    x3 = rng.uniform(1.5, 9.0, (3, 6, 4))
    w = rng.dirichlet(np.ones(4), size=3)
    cost = np.array([False, True, False, True])
    spec = registry.method(name)
    got = spec.cells(x3, w, cost, None, dict(spec.options))
    assert got.shape == (3, 6)
    for c in range(3):
        npt.assert_allclose(got[c], spec.array(x3[c], w[c], cost), rtol=1e-12)


def _ranks(p):
    return np.argsort(np.argsort(-p, axis=-1, kind="stable"), axis=-1, kind="stable")


@pytest.mark.parametrize("name", NAMES)
def test_linear_terms_combine_gives_the_method(name):
    rng = np.random.default_rng(6)
    x3 = rng.uniform(1.5, 9.0, (2, 8, 5))
    cost = np.array([False, True, False, True, False])
    spec = registry.method(name)
    T = spec.linear_terms(x3, cost, None, dict(spec.options))
    assert T.shape[0] == 2 and T.shape[2:] == (8, 5)
    for _ in range(3):
        w = rng.dirichlet(np.ones(5))
        P = T @ w
        score = P[:, 0] if spec.combine is None else spec.combine(P)
        direct = spec.cells(x3, w, cost, None, dict(spec.options))
        npt.assert_array_equal(_ranks(score), _ranks(direct))
        if name == "aras":  # S_i = K_i * S_0: proportional
            npt.assert_allclose(score / direct, (score / direct)[:, :1] * np.ones((1, 8)), rtol=1e-12)
        else:
            npt.assert_allclose(score, direct, rtol=1e-12)


@pytest.mark.parametrize("lam", [0.0, 0.3, 1.0])
def test_waspas_terms_follow_lam(lam):
    rng = np.random.default_rng(7)
    x3 = rng.uniform(1.5, 9.0, (1, 6, 3))
    cost = np.array([False, True, False])
    w = rng.dirichlet(np.ones(3))
    spec = registry.method("waspas")
    score = spec.combine(spec.linear_terms(x3, cost, None, {"lam": lam}) @ w)
    direct = fa.waspas(x3[0], w, cost, lam=lam)
    npt.assert_array_equal(_ranks(score[0]), _ranks(direct))
    if lam < 1:
        npt.assert_allclose(score[0], direct, rtol=1e-12)


def test_registry_entries():
    assert set(NAMES) <= set(registry.METHODS)
    spec = registry.method("weighted_sum")
    assert spec.name == "wsm" and spec.default_normalize == "sum" and spec.higher_is_better
    assert registry.method("copras").normalizations == ()
    assert registry.method("waspas").options == {"lam": 0.5}


# --- full output ---


def test_full_outputs():
    out = fa.mabac(SMALL_X, SMALL_W, SMALL_COST, full=True)
    npt.assert_allclose(out["distances"].sum(axis=1), out["preference"], rtol=1e-12)
    npt.assert_allclose(out["weighted"], SMALL_W * (out["normalized"] + 1), rtol=1e-14)
    out = fa.aras(SMALL_X, SMALL_W, SMALL_COST, full=True)
    npt.assert_allclose(out["s"] / out["s0"], out["preference"], rtol=1e-12)
    npt.assert_array_equal(out["optimal"], [9, 9, 8, 9])
    out = fa.waspas(SMALL_X, SMALL_W, SMALL_COST, full=True)
    npt.assert_allclose(0.5 * out["wsm"] + 0.5 * out["wpm"], out["preference"], rtol=1e-12)
    out = fa.copras(SMALL_X, SMALL_W, SMALL_COST, full=True)
    assert out["utility"].max() == 1.0
    assert out["normalize"] is None
    out = fa.wsm(SMALL_X, SMALL_W, SMALL_COST, full=True)
    assert out["normalize"] == "sum"
    npt.assert_allclose(out["weighted"].sum(axis=1), out["preference"], rtol=1e-12)


# --- errors ---


def test_wpm_with_zeros_raises():
    with pytest.raises(DegenerateDataError, match="powers"):
        fa.wpm(SMALL_X, SMALL_W, SMALL_COST, normalize="minmax")
    with pytest.raises(DegenerateDataError, match="powers"):
        fa.waspas(SMALL_X, SMALL_W, SMALL_COST, normalize="minmax")
    x = SMALL_X.copy()
    x[0, 0] = 0.0  # a zero benefit value: its sum-normalized value is 0
    with pytest.raises(DegenerateDataError, match="powers"):
        fa.wpm(x, SMALL_W, SMALL_COST)


def test_option_and_normalize_errors():
    with pytest.raises(InputError, match="normalizes internally"):
        fa.copras(SMALL_X, SMALL_W, SMALL_COST, normalize="sum")
    with pytest.raises(InputError, match="normalizes internally"):
        fa.moora(SMALL_X, SMALL_W, normalize="vector")
    with pytest.raises(InputError, match="Unknown normalize for wpm"):
        fa.wpm(SMALL_X, SMALL_W, normalize="zscore")
    with pytest.raises(InputError, match="Unknown option"):
        fa.wsm(SMALL_X, SMALL_W, v=0.5)
    with pytest.raises(InputError, match="lam"):
        fa.waspas(SMALL_X, SMALL_W, lam=1.5)
    with pytest.raises(DegenerateDataError, match="values <= 0"):
        fa.copras(SMALL_X - 8, SMALL_W, SMALL_COST)  # negative values
    with pytest.raises(DegenerateDataError, match="constant"):
        fa.mabac(np.array([[1.0, 2.0], [1.0, 3.0]]), [0.5, 0.5])
    with pytest.raises(InputError, match="missing or infinite"):
        fa.wsm(np.array([[1.0, np.inf], [2.0, 3.0]]), [0.5, 0.5])
    with pytest.raises(InputError, match="4 indicators"):
        fa.aras(SMALL_X, [0.5, 0.5])


def test_cube_models_reject_matrix_normalizations():
    with pytest.raises(InputError, match="'max_ratio', 'minmax', 'vector', 'zscore'"):
        fa.hew_topsis(np.random.default_rng(0).uniform(1, 2, (4, 3, 2)), normalize="sum")
    with pytest.raises(InputError, match="Unknown normalize"):
        fa.standardize(np.random.default_rng(0).uniform(1, 2, (4, 3, 2)), normalize="log")


@pytest.mark.parametrize("name", NAMES)
def test_input_not_written(name):
    x = SMALL_X.copy()
    getattr(fa, name)(x, SMALL_W, SMALL_COST, full=True)
    npt.assert_array_equal(x, SMALL_X)


# --- invariants ---

matrices = arrays(np.float64, (5, 3), elements=st.floats(1.0, 100.0))
weights = arrays(np.float64, 3, elements=st.floats(0.05, 1.0)).map(lambda w: w / w.sum())


@HYP
@given(x=matrices, w=weights, name=st.sampled_from(NAMES), perm=st.permutations(range(5)))
def test_permuting_alternatives_permutes_scores(x, w, name, perm):
    if name == "mabac" and (x.max(axis=0) == x.min(axis=0)).any():
        return
    cost = np.array([False, True, False])
    f = getattr(fa, name)
    npt.assert_allclose(f(x[list(perm)], w, cost), f(x, w, cost)[list(perm)], rtol=1e-9, atol=1e-12)


@HYP
@given(x=matrices, w=weights, name=st.sampled_from(["wsm", "wpm", "copras", "aras", "moora", "waspas"]),
       scale=st.floats(0.01, 100.0))
def test_rescaling_a_column_keeps_the_scores(x, w, name, scale):
    """Sum, vector and max-ratio normalizations are unit-free."""
    cost = np.array([False, True, False])
    y = x.copy()
    y[:, 1] *= scale
    f = getattr(fa, name)
    npt.assert_allclose(f(y, w, cost), f(x, w, cost), rtol=1e-9, atol=1e-12)


@HYP
@given(x=matrices, w=weights, name=st.sampled_from(NAMES), i=st.integers(0, 4), k=st.integers(0, 4))
def test_dominance_ranks_first(x, w, name, i, k):
    """An alternative at least as good on every indicator scores at least as high."""
    if i == k:
        return
    cost = np.array([False, True, False])
    y = x.copy()
    y[i] = np.where(cost, np.minimum(x[i], x[k]), np.maximum(x[i], x[k]))
    if name == "mabac" and (y.max(axis=0) == y.min(axis=0)).any():
        return
    p = getattr(fa, name)(y, w, cost)
    assert p[i] >= p[k] - 1e-12 * max(1.0, abs(p[k]))


@HYP
@given(x=matrices, w=weights)
def test_waspas_ends_are_wsm_and_wpm(x, w):
    cost = np.array([False, True, False])
    npt.assert_allclose(fa.waspas(x, w, cost, lam=1.0), fa.wsm(x, w, cost, normalize="max_ratio"), rtol=1e-12)
    npt.assert_allclose(fa.waspas(x, w, cost, lam=0.0), fa.wpm(x, w, cost, normalize="max_ratio"), rtol=1e-12)


@pytest.mark.parametrize("value", ["sum", "max", "log"])
def test_robustness_models_reject_matrix_normalizations(value):
    from fastinno.robustness import models

    cube = np.random.default_rng(0).uniform(1, 2, (4, 3, 2))
    with pytest.raises(InputError, match="'max_ratio', 'minmax', 'vector', 'zscore'"):
        models.standardized(cube, np.zeros(2, dtype=bool), None, value, "panel", "error")
    with pytest.raises(InputError, match="'max_ratio', 'minmax', 'vector', 'zscore'"):
        models.canonical_options({"standardize": value})


@pytest.mark.parametrize(("name", "norm"), [("wsm", "zscore"), ("wsm", "log"), ("aras", "log"), ("mabac", "vector"),
                                            ("wpm", "max_ratio"), ("waspas", "sum")])
def test_cells_with_normalizations_equal_per_cell_arrays(name, norm):
    rng = np.random.default_rng(8)
    x3 = rng.uniform(1.5, 9.0, (3, 6, 4))
    w = rng.dirichlet(np.ones(4))
    cost = np.array([False, True, False, True])
    spec = registry.method(name)
    got = spec.cells(x3, w, cost, norm, dict(spec.options))
    for c in range(3):
        npt.assert_allclose(got[c], spec.array(x3[c], w, cost, normalize=norm), rtol=1e-12)
