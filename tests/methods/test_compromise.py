"""VIKOR, PROMETHEE II, EDAS, CODAS, SPOTIS, MARCOS and CoCoSo: published cases, pymcdm, errors,
degenerate input, the batched form and invariants."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastinno import array as fa
from fastinno.errors import DegenerateDataError, InputError
from fastinno.methods import compromise as mc
from fastinno.methods import registry

# --- published cases (literal values; each cites where it comes from) ---------------------------

# Papathanasiou & Ploskas (2018), Multiple Criteria Decision Aid, ch. 2 (VIKOR) and ch. 3
# (PROMETHEE); the same matrix, as used in pyrepo-mcda@b3ac297 tests/test_mcda_methods_1.py and
# tests/test_mcda_methods_2.py.
PP_MATRIX = np.array([[8, 7, 2, 1], [5, 3, 7, 5], [7, 5, 6, 4], [9, 9, 7, 3], [11, 10, 3, 7], [6, 9, 5, 4]], float)
PP_WEIGHTS = np.array([0.4, 0.3, 0.1, 0.2])

# Ziemba (2019), Sustainability 11(6) 1555 (linear criterion); pyrepo-mcda@b3ac297
# tests/test_mcda_methods_2.py Test_PROMETHEE_II_2.
ZIEMBA_2019 = dict(
    matrix=np.array([
        [38723, 34913, 25596, 34842, 22570, 39773, 19500, 34525, 16486],
        [33207, 32085, 2123, 32095, 1445, 17485, 868, 16958, 958],
        [0, 0.2, 5, 0.2, 0.2, 0.2, 99, 99, 99],
        [3375, 3127, 3547, 3115, 3090, 4135, 3160, 4295, 3653],
        [11.36, 12.78, 12.78, 12.86, 12.86, 17, 12.86, 17, 12.86],
        [-320.9, -148.4, -148.4, -9.9, -9.9, 0, -9.9, 0, -9.9],
        [203.7, 463, 356.2, 552.5, 295, 383, 264, 352, 264],
        [0, 11.7, 44.8, 11.7, 95.9, 95.9, 116.8, 116.8, 164.9],
        [0, 4.9, 10.7, 5.4, 11.2, 11.2, 11.2, 11.2, 11.2],
        [1, 1, 1, 3.5, 4, 4, 4, 4, 4],
        [21.5, 47.9, 27.7, 39.7, 1.5, 22.7, 2.7, 23.9, 1],
        [0, 3.7, 4.5, 10.3, 11.5, 11.5, 11.3, 11.3, 11.4],
    ]).T,
    weights=np.array([0.3333, 0.1667, 0.1667, 0.3333, 0.25, 0.75, 1, 1, 0.4, 0.20, 0.40, 1]),
    types=np.array([-1, -1, 1, -1, 1, 1, -1, 1, 1, -1, -1, 1]),
    p=np.array([2100, 5000, 50, 200, 5, 20, 100, 80, 4, 2, 23, 3]),
    q=np.array([420, 1000, 10, 40, 1, 7, 50, 20, 1, 1, 4.6, 1]),
    net=[-0.4143, -0.5056, -0.2317, -0.2892, 0.3313, 0.0619, 0.4296, 0.1626, 0.4554],
)

# Ziemba et al. (2017), Energies 10(11) 1755 (V-shape criterion); pyrepo-mcda@b3ac297
# tests/test_mcda_methods_2.py Test_PROMETHEE_II_3.
ZIEMBA_2017 = dict(
    matrix=np.array([
        [16347, 14219, 8160, 8160], [9, 8.5, 9, 8.5], [73.8, 55, 64.8, 62.5], [36.7, 36, 28.5, 29.5],
        [1.5, 2, 2, 1.5], [3730, 3240, 1860, 1860], [2, 1, 2, 1], [1, 1, 2, 3], [38.8, 33.1, 45.8, 27.3],
        [4, 2, 4, 3], [1720524, 1496512, 858830, 858830], [40012, 34803, 19973, 19973],
    ]).T,
    weights=np.array([20, 5, 5, 1.67, 1.67, 11.67, 11.67, 5, 5, 16.67, 8.33, 8.33]),
    types=np.array([-1, -1, -1, -1, -1, 1, -1, -1, 1, -1, 1, 1]),
    p=np.array([7280, 4, 13.4, 7.4, 3, 1662, 3, 3, 13.8, 3, 766240, 17820]),
    net=[-0.0445, 0.1884, -0.0954, -0.0485],
)

# Badi, Abdulshahed & Shetwan (2018), Decision Making: Applications in Management and Engineering
# 1(1) (CODAS); also the example of pymcdm 1.4.0 pymcdm/methods/codas.py and pyrepo-mcda@b3ac297
# tests/test_mcda_methods_1.py Test_CODAS.test_codas.
CODAS_1 = dict(
    matrix=np.array([[45, 3600, 45, 0.9], [25, 3800, 60, 0.8], [23, 3100, 35, 0.9], [14, 3400, 50, 0.7],
                     [15, 3300, 40, 0.8], [28, 3000, 30, 0.6]]),
    weights=np.array([0.2857, 0.3036, 0.2321, 0.1786]), types=np.array([1, -1, 1, 1]),
    score=[1.3914, 0.3411, -0.2170, -0.5381, -0.7292, -0.2481],
)
# Badi, Ballem & Shetwan (2018), Int. J. for Quality Research 12(3) 609; pyrepo-mcda@b3ac297
# tests/test_mcda_methods_1.py Test_CODAS.test_codas2.
CODAS_2 = dict(
    matrix=np.array([[8, 8, 10, 9, 5], [8, 9, 9, 9, 8], [9, 9, 7, 8, 6], [8, 8, 7, 8, 9], [9, 8, 7, 7, 4]]),
    weights=np.array([0.19, 0.26, 0.24, 0.17, 0.14]), types=np.array([-1, 1, 1, 1, -1]),
    score=[0.4463, 0.1658, -0.2544, -0.4618, 0.1041],
)

# Dezert, Tchamova, Han & Tacnet (2020), FUSION 2020 (SPOTIS), fixed bounds; pyrepo-mcda@b3ac297
# tests/test_mcda_methods_1.py Test_SPOTIS.
SPOTIS_PAPER = dict(
    matrix=np.array([[15000, 4.3, 99, 42, 737], [15290, 5.0, 116, 42, 892], [15350, 5.0, 114, 45, 952],
                     [15490, 5.3, 123, 45, 1120]]),
    weights=np.array([0.2941, 0.2353, 0.2353, 0.0588, 0.1765]), types=np.array([-1, -1, -1, 1, 1]),
    bounds=np.array([[14000, 16000], [3, 8], [80, 140], [35, 60], [650, 1300]]),
    distance=[0.4779, 0.5781, 0.5558, 0.5801],
)
# pymcdm 1.4.0, pymcdm/methods/spotis.py (SPOTIS docstring example, bounds given).
SPOTIS_PYMCDM = dict(
    matrix=np.array([[10.5, -3.1, 1.7], [-4.7, 0, 3.4], [8.1, 0.3, 1.3], [3.2, 7.3, -5.3]]),
    weights=np.array([0.2, 0.3, 0.5]), types=np.array([1, -1, 1]),
    bounds=np.array([[-5, 12], [-6, 10], [-8, 5]], dtype=float),
    distance=[0.1989, 0.3705, 0.3063, 0.7491],
)

# Ersoy (2021), LogForum 17(3) (EDAS); pyrepo-mcda@b3ac297 tests/test_mcda_methods_1.py Test_EDAS.
EDAS_ERSOY = dict(
    matrix=np.array([[256, 8, 41, 1.6, 1.77, 7347.16], [256, 8, 32, 1.0, 1.8, 6919.99], [256, 8, 53, 1.6, 1.9, 8400],
                     [256, 8, 41, 1.0, 1.75, 6808.9], [512, 8, 35, 1.6, 1.7, 8479.99], [256, 4, 35, 1.6, 1.7, 7499.99]]),
    weights=np.array([0.405, 0.221, 0.134, 0.199, 0.007, 0.034]), types=np.array([1, 1, 1, 1, -1, -1]),
    score=[0.414, 0.130, 0.461, 0.212, 0.944, 0.043],
)
# pymcdm 1.4.0, pymcdm/methods/edas.py (EDAS docstring example); its weights sum to 0.999 and EDAS
# is invariant to scaling the weights (SP / max SP, SN / max SN), so they are rescaled here.
EDAS_PYMCDM = dict(
    matrix=np.array([[3873, 39.55, 0.27, 0.87, 150, 0.07, 12, 2130], [5067, 67.26, 0.23, 0.23, 40, 0.02, 21, 2200],
                     [2213, 24.69, 0.08, 0.17, 200, 0.04, 35, 570], [6243, 132, 0.07, 0.25, 100, 0.04, 16, 100],
                     [8312, 460.47, 0.05, 0.21, 25, 0.1, 25, 200]]),
    weights=np.array([0.131, 0.113, 0.126, 0.125, 0.126, 0.129, 0.132, 0.117]),
    types=np.array([-1, -1, -1, 1, 1, -1, 1, 1]),
    score=[0.841, 0.632, 0.883, 0.457, 0.104],
)

# Stevic, Pamucar, Puska & Chatterjee (2020), Computers & Industrial Engineering 140, 106231
# (MARCOS); pyrepo-mcda@b3ac297 tests/test_mcda_methods_2.py Test_MARCOS. The paper's weights sum
# to 0.997; MARCOS is invariant to scaling the weights, so they are rescaled to 1 here.
MARCOS_PAPER = dict(
    matrix=np.array([
        [6.257, 4.217, 4.217, 6.257, 3.000, 4.217, 5.000, 3.557, 3.557, 3.557, 3.000, 5.000, 4.718, 3.557, 3.557, 2.080, 3.557, 3.000, 4.718, 3.557, 2.080],
        [4.217, 6.804, 7.000, 5.000, 7.000, 6.804, 5.593, 5.593, 6.804, 7.000, 5.000, 7.612, 5.593, 6.257, 5.000, 7.000, 5.593, 5.593, 6.804, 5.593, 5.593],
        [4.718, 5.593, 6.257, 5.000, 4.718, 5.000, 5.593, 4.718, 5.593, 5.000, 3.557, 6.257, 5.000, 4.718, 4.718, 5.000, 3.557, 5.593, 5.593, 3.557, 4.217],
        [5.000, 6.804, 5.000, 3.000, 5.000, 6.257, 7.612, 3.557, 5.000, 6.257, 6.257, 5.593, 6.257, 5.000, 5.593, 7.000, 5.000, 6.257, 5.000, 3.557, 4.217],
        [3.557, 5.593, 6.804, 3.000, 5.000, 7.000, 5.593, 5.000, 6.257, 7.000, 5.593, 7.612, 6.257, 6.257, 5.000, 6.257, 5.593, 7.000, 5.000, 4.718, 5.000],
        [6.257, 3.000, 4.217, 5.000, 3.557, 3.000, 4.217, 3.000, 4.217, 3.000, 2.466, 3.000, 4.217, 3.557, 5.000, 3.000, 4.217, 3.557, 2.080, 5.000, 3.000],
        [4.217, 5.000, 6.257, 5.593, 3.557, 5.593, 4.217, 5.593, 5.000, 6.257, 3.557, 5.000, 6.257, 5.593, 5.593, 7.000, 6.257, 5.000, 6.257, 5.593, 5.000],
        [7.612, 1.442, 3.000, 9.000, 2.080, 3.000, 1.442, 2.080, 1.442, 3.000, 1.000, 1.442, 2.080, 3.000, 3.000, 1.000, 1.442, 1.442, 3.000, 2.080, 1.000],
    ]),
    weights=np.array([0.127, 0.159, 0.060, 0.075, 0.043, 0.051, 0.075, 0.061, 0.053, 0.020, 0.039, 0.022, 0.017,
                      0.027, 0.022, 0.039, 0.017, 0.035, 0.015, 0.024, 0.016]),
    types=np.array([-1, 1, 1, -1] + [1] * 17),
    utility=[0.524, 0.846, 0.703, 0.796, 0.843, 0.499, 0.722, 0.291],
)
# pymcdm 1.4.0, pymcdm/methods/marcos.py (MARCOS docstring example).
MARCOS_PYMCDM = dict(
    matrix=np.array([[660, 1000, 1600, 18, 1200], [800, 1000, 1600, 24, 900], [980, 1000, 2500, 24, 900],
                     [920, 1500, 1600, 24, 900], [1380, 1500, 1500, 24, 1150], [1230, 1000, 1600, 24, 1150],
                     [680, 1500, 1600, 18, 1100], [960, 2000, 1600, 12, 1150]]),
    weights=np.array([0.1061, 0.3476, 0.3330, 0.1185, 0.0949]), types=np.array([-1, 1, 1, 1, 1]),
    utility=[0.5649, 0.5543, 0.6410, 0.6174, 0.6016, 0.5453, 0.6282, 0.6543],
)

# Yazdani, Zarate, Zavadskas & Turskis (2019), Management Decision 57(9) (CoCoSo); values to 3
# decimals from pymcdm 1.4.0 pymcdm/methods/cocoso.py (docstring example); pyrepo-mcda@b3ac297
# tests/test_mcda_methods_2.py Test_COCOSO gives the paper's [2.041, 2.788, 2.882, 2.416, 1.3, 1.443, 2.52].
COCOSO_PAPER = dict(
    matrix=np.array([[60, 0.4, 2540, 500, 990], [6.35, 0.15, 1016, 3000, 1041], [6.8, 0.1, 1727.2, 1500, 1676],
                     [10, 0.2, 1000, 2000, 965], [2.5, 0.1, 560, 500, 915], [4.5, 0.08, 1016, 350, 508],
                     [3, 0.1, 1778, 1000, 920]]),
    weights=np.array([0.036, 0.192, 0.326, 0.326, 0.12]), types=np.array([1, -1, 1, 1, 1]),
    score=[2.041, 2.788, 2.882, 2.416, 1.299, 1.443, 2.519],
)

# pymcdm 1.4.0, pymcdm/methods/vikor.py (VIKOR docstring example).
VIKOR_PYMCDM = dict(
    matrix=np.array([[78, 56, 34, 6], [4, 45, 3, 97], [18, 2, 50, 63], [9, 14, 11, 92], [85, 9, 100, 29]]),
    weights=np.full(4, 0.25), Q=[0.5679, 0.7667, 1, 0.7493, 0],
)
# pymcdm 1.4.0, pymcdm/methods/promethee_ii.py (PROMETHEE_II('usual') docstring example).
PROMETHEE_PYMCDM = dict(matrix=np.array([[4, 3, 2], [3, 2, 4], [5, 1, 3]]), weights=np.array([0.5, 0.3, 0.2]),
                        net=[0.1, -0.3, 0.2])


def test_vikor_papathanasiou_ploskas():
    q = fa.vikor(PP_MATRIX, PP_WEIGHTS, v=0.625)
    npt.assert_array_equal(np.round(q, 3), [0.640, 1.000, 0.693, 0.271, 0.000, 0.694])


def test_vikor_pymcdm_example():
    npt.assert_array_equal(np.round(fa.vikor(VIKOR_PYMCDM["matrix"], VIKOR_PYMCDM["weights"]), 4), VIKOR_PYMCDM["Q"])


def test_promethee_papathanasiou_ploskas_linear():
    net = fa.promethee_ii(PP_MATRIX, PP_WEIGHTS, preference="linear", p=2, q=1)
    npt.assert_allclose(net, [-0.26, -0.52, -0.22, 0.36, 0.7, -0.06], atol=1e-12)


def test_promethee_ziemba_2019_linear():
    z = ZIEMBA_2019
    net = fa.promethee_ii(z["matrix"], z["weights"] / z["weights"].sum(), z["types"], preference="linear", p=z["p"], q=z["q"])
    npt.assert_array_equal(np.round(net, 4), z["net"])


def test_promethee_ziemba_2017_v_shape():
    z = ZIEMBA_2017
    net = fa.promethee_ii(z["matrix"], z["weights"] / z["weights"].sum(), z["types"], preference="v_shape", p=z["p"])
    npt.assert_array_equal(np.round(net, 4), z["net"])


def test_promethee_pymcdm_example_and_full():
    out = fa.promethee_ii(PROMETHEE_PYMCDM["matrix"], PROMETHEE_PYMCDM["weights"], full=True)
    npt.assert_allclose(out["net_flow"], PROMETHEE_PYMCDM["net"], atol=1e-12)
    npt.assert_allclose(out["phi_plus"] - out["phi_minus"], out["net_flow"], atol=1e-15)


@pytest.mark.parametrize("case", [CODAS_1, CODAS_2])
def test_codas_badi(case):
    h = fa.codas(case["matrix"], case["weights"], case["types"])
    npt.assert_array_equal(np.round(h, 4), case["score"])


@pytest.mark.parametrize("case", [SPOTIS_PAPER, SPOTIS_PYMCDM])
def test_spotis_published(case):
    d = fa.spotis(case["matrix"], case["weights"], case["types"], bounds=case["bounds"])
    npt.assert_allclose(d, case["distance"], atol=6e-5)


@pytest.mark.parametrize("case", [EDAS_ERSOY, EDAS_PYMCDM])
def test_edas_published(case):
    w = case["weights"] / case["weights"].sum()
    npt.assert_array_equal(np.round(fa.edas(case["matrix"], w, case["types"]), 3), case["score"])


def test_marcos_stevic():
    m = MARCOS_PAPER
    npt.assert_array_equal(np.round(fa.marcos(m["matrix"], m["weights"] / m["weights"].sum(), m["types"]), 3), m["utility"])


def test_marcos_pymcdm_example():
    m = MARCOS_PYMCDM  # weights sum to 1.0001; MARCOS is invariant to scaling them
    npt.assert_array_equal(np.round(fa.marcos(m["matrix"], m["weights"] / m["weights"].sum(), m["types"]), 4), m["utility"])


def test_cocoso_yazdani():
    c = COCOSO_PAPER
    npt.assert_array_equal(np.round(fa.cocoso(c["matrix"], c["weights"], c["types"]), 3), c["score"])


# --- live against pymcdm --------------------------------------------------------------------


def _random_case(seed, n=25, m=5):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, (n, m))
    w = rng.random(m) + 0.1
    types = np.where(np.arange(m) % 2 == 1, -1, 1)
    return x, w / w.sum(), types


@pytest.mark.parametrize("seed", [0, 1])
def test_against_pymcdm(seed):
    pm = pytest.importorskip("pymcdm.methods")
    x, w, t = _random_case(seed)
    kw = dict(validation=False)
    npt.assert_allclose(fa.vikor(x, w, t), pm.VIKOR()(x, w, t, **kw), rtol=1e-12, atol=1e-14)
    npt.assert_allclose(fa.edas(x, w, t), pm.EDAS()(x, w, t, **kw), rtol=1e-12)
    npt.assert_allclose(fa.codas(x, w, t), pm.CODAS()(x, w, t, **kw), rtol=1e-10, atol=1e-12)
    bounds = pm.SPOTIS.make_bounds(x)
    npt.assert_allclose(fa.spotis(x, w, t), pm.SPOTIS(bounds)(x, w, t, **kw), rtol=1e-12)
    npt.assert_allclose(fa.marcos(x, w, t), pm.MARCOS()(x, w, t, **kw), rtol=1e-12)
    npt.assert_allclose(fa.cocoso(x, w, t), pm.COCOSO()(x, w, t, **kw), rtol=1e-12)
    q, p = np.full(5, 0.5), np.full(5, 2.0)
    for ours, theirs, args in [("usual", "usual", {}), ("u_shape", "ushape", {"q": q}), ("v_shape", "vshape", {"p": p}),
                               ("level", "level", {"q": q, "p": p}), ("linear", "vshape_2", {"q": q, "p": p})]:
        npt.assert_allclose(fa.promethee_ii(x, w, t, preference=ours, **args),
                            pm.PROMETHEE_II(theirs, **args)(x, w, t, **kw), rtol=1e-12, atol=1e-14)
        # pymcdm's names are accepted too
        npt.assert_allclose(fa.promethee_ii(x, w, t, preference=theirs, **args), fa.promethee_ii(x, w, t, preference=ours, **args))


# --- full output, options, degenerate input --------------------------------------------------


def test_vikor_full_conditions():
    out = fa.vikor(PP_MATRIX, PP_WEIGHTS, v=0.625, full=True)
    # best a5 (Q 0), then a4 (0.271): advantage 0.271 >= DQ = 1/5, and a5 has the least S and R
    assert out["dq"] == pytest.approx(0.2)
    assert out["c1"] and out["c2"]
    npt.assert_array_equal(out["compromise"], [4])
    assert out["S"].argmin() == 4 and out["R"].argmin() == 4
    # C1 fails: two alternatives within DQ of the best
    x = np.array([[1.0, 1.0], [0.99, 0.99], [0.0, 0.0], [0.5, 0.2]])
    out = fa.vikor(x, [0.5, 0.5], full=True)
    assert not out["c1"]
    npt.assert_array_equal(out["compromise"], [0, 1])


def test_vikor_c2_fails_gives_two():
    # best by Q is not best by S nor by R with v = 0.5 when S and R disagree
    x = np.array([[10, 0, 5], [0, 10, 5], [6, 6, 0], [0, 0, 0]], float)
    out = fa.vikor(x, [1 / 3, 1 / 3, 1 / 3], full=True)
    best = int(np.argmin(out["Q"]))
    assert out["c2"] == bool(out["S"][best] == out["S"].min() or out["R"][best] == out["R"].min())
    if out["c1"] and not out["c2"]:
        assert out["compromise"].size == 2


def test_vikor_all_alternatives_equal():
    x = np.ones((4, 3))
    w = np.full(3, 1 / 3)
    npt.assert_array_equal(fa.vikor(x, w), 0.0)  # default "zero": every alternative ties
    assert np.isnan(fa.vikor(x, w, constant_q="nan")).all()  # pymcdm's 0 / 0
    with pytest.raises(DegenerateDataError, match="constant_q"):
        fa.vikor(x, w, constant_q="error")


def test_vikor_constant_indicator_adds_zero():
    x = np.column_stack([PP_MATRIX, np.full(6, 3.0)])
    w = np.append(PP_WEIGHTS * 0.8, 0.2)
    s = fa.vikor(x, w, full=True)["S"]
    npt.assert_allclose(s, fa.vikor(PP_MATRIX, PP_WEIGHTS, full=True)["S"] * 0.8, rtol=1e-12)


def test_methods_with_their_own_normalization_reject_normalize():
    for f in (fa.vikor, fa.promethee_ii, fa.edas, fa.spotis):
        with pytest.raises(InputError, match="normalize"):
            f(PP_MATRIX, PP_WEIGHTS, normalize="minmax")
    with pytest.raises(InputError, match="normalize of marcos"):
        fa.marcos(PP_MATRIX, PP_WEIGHTS, normalize="minmax")
    with pytest.raises(InputError, match="normalize of cocoso"):
        fa.cocoso(PP_MATRIX, PP_WEIGHTS, normalize="zscore")


def test_codas_and_cocoso_normalizations():
    x, w, t = _random_case(3)
    for norm in mc.CODAS_NORMALIZE:
        assert np.isfinite(fa.codas(x, w, t, normalize=norm)).all()
    npt.assert_allclose(fa.codas(x, w, t), fa.codas(x, w, t, normalize="max-ratio"))
    pm = pytest.importorskip("pymcdm")
    ref = pm.methods.COCOSO(pm.normalizations.linear_normalization)(x, w, t, validation=False)
    npt.assert_allclose(fa.cocoso(x, w, t, normalize="max_ratio"), ref, rtol=1e-12)


def test_promethee_threshold_errors():
    with pytest.raises(InputError, match="needs q"):
        fa.promethee_ii(PP_MATRIX, PP_WEIGHTS, preference="u_shape")
    with pytest.raises(InputError, match="p > q"):
        fa.promethee_ii(PP_MATRIX, PP_WEIGHTS, preference="linear", q=2, p=2)
    with pytest.raises(InputError, match="s must be > 0"):
        fa.promethee_ii(PP_MATRIX, PP_WEIGHTS, preference="gaussian", s=[1, 1, 0, 1])
    with pytest.raises(InputError, match="one value per indicator"):
        fa.promethee_ii(PP_MATRIX, PP_WEIGHTS, preference="v_shape", p=[1, 2])
    with pytest.raises(InputError, match="preference"):
        fa.promethee_ii(PP_MATRIX, PP_WEIGHTS, preference="triangle")


def test_edas_average_zero_or_negative():
    x = np.array([[1.0, -1.0], [2.0, 1.0], [3.0, 0.0]])
    with pytest.raises(DegenerateDataError, match="average"):
        fa.edas(x, [0.5, 0.5])


def test_edas_constant_matrix_ties():
    npt.assert_array_equal(fa.edas(np.full((3, 2), 4.0), [0.5, 0.5]), 0.5)


def test_codas_tau_and_positivity():
    with pytest.raises(InputError, match="tau"):
        fa.codas(PP_MATRIX, PP_WEIGHTS, tau=0)
    with pytest.raises(DegenerateDataError, match="CODAS"):
        fa.codas(np.array([[1.0, 0.0], [2.0, 1.0]]), [0.5, 0.5], [1, -1])


def test_spotis_bounds_checks():
    x = SPOTIS_PAPER["matrix"]
    w, t = SPOTIS_PAPER["weights"], SPOTIS_PAPER["types"]
    with pytest.raises(InputError, match="outside the bounds"):
        fa.spotis(x, w, t, bounds=SPOTIS_PAPER["bounds"] / 2)
    with pytest.raises(InputError, match=r"\(n_indicators, 2\)"):
        fa.spotis(x, w, t, bounds=SPOTIS_PAPER["bounds"].T)
    bad = SPOTIS_PAPER["bounds"][:, ::-1]
    with pytest.raises(InputError, match="min < max"):
        fa.spotis(x, w, t, bounds=bad)
    out = fa.spotis(x, w, t, bounds=SPOTIS_PAPER["bounds"], full=True)
    npt.assert_array_equal(out["ideal"], [14000, 3, 80, 60, 1300])


def test_marcos_and_cocoso_degenerate():
    with pytest.raises(DegenerateDataError, match="MARCOS"):
        fa.marcos(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]]), [0.5, 0.5])
    with pytest.raises(DegenerateDataError, match="CoCoSo"):
        fa.cocoso(np.array([[1.0, 1.0], [2.0, 3.0], [3.0, 2.0]]), [0.5, 0.5])  # row 0 worst everywhere
    with pytest.raises(DegenerateDataError, match="benefit values"):
        fa.marcos(np.array([[1.0, -1.0], [2.0, 3.0]]), [0.5, 0.5])


def test_input_errors():
    with pytest.raises(InputError, match="at least 2"):
        fa.vikor(np.ones((1, 3)), np.full(3, 1 / 3))
    with pytest.raises(InputError, match="missing or infinite"):
        fa.cocoso(np.array([[1.0, np.nan], [2.0, 3.0]]), [0.5, 0.5])
    with pytest.raises(InputError, match="sum to"):
        fa.edas(PP_MATRIX, [1, 1, 1, 1])
    with pytest.raises(InputError, match="v must be"):
        fa.vikor(PP_MATRIX, PP_WEIGHTS, v=1.5)


# --- batched form and registry ---------------------------------------------------------------

CELL_OPTIONS = {
    "vikor": {"v": 0.4},
    "promethee_ii": {"preference": "linear", "q": 0.5, "p": 3.0},
    "edas": {},
    "codas": {"tau": 0.05},
    "spotis": {},
    "marcos": {},
    "cocoso": {"lam": 0.3},
}


@pytest.mark.parametrize("name", list(CELL_OPTIONS))
def test_cells_match_the_array_function_per_cell(name):
    spec = registry.method(name)
    rng = np.random.default_rng(7)
    x3 = rng.uniform(1, 10, (3, 12, 4))
    w = rng.random((3, 4)) + 0.1
    w /= w.sum(axis=1, keepdims=True)
    cost = np.array([False, True, False, True])
    got = spec.cells(x3, w, cost, None, CELL_OPTIONS[name])
    shared = spec.cells(x3, w[0], cost, None, CELL_OPTIONS[name])
    assert got.shape == (3, 12)
    for c in range(3):
        npt.assert_allclose(got[c], spec.array(x3[c], w[c], cost, **CELL_OPTIONS[name]), rtol=1e-13)
        npt.assert_allclose(shared[c], spec.array(x3[c], w[0], cost, **CELL_OPTIONS[name]), rtol=1e-13)
    with pytest.raises(InputError, match="no option"):
        spec.cells(x3, w, cost, None, {"bogus": 1})


def test_registry_entries():
    for name in CELL_OPTIONS:
        spec = registry.method(name)
        assert spec.array is getattr(fa, name)
        assert spec.higher_is_better == (name not in ("vikor", "spotis"))
        assert spec.source
        assert (spec.default_normalize is None) == (spec.normalizations == ())
    assert registry.method("promethee").name == "promethee_ii"


# --- invariants (hypothesis) -----------------------------------------------------------------

_SCALE_INVARIANT = {
    "vikor": {}, "edas": {}, "codas": {}, "spotis": {}, "marcos": {}, "cocoso": {},
    "promethee_ii": {"preference": "usual"},
}


def _matrix(seed, n, m):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, (n, m))
    cost = np.arange(m) % 2 == 1
    # indicators 0 and 1 have their worst value in different rows, so no alternative is the worst
    # everywhere (where CoCoSo's k_b divides by 0)
    x[1, 0] = 0.5
    x[2, 1] = 10.5  # indicator 1 is a cost indicator
    w = rng.random(m) + 0.1
    return x, w / w.sum(), cost


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(3, 15), m=st.integers(2, 5), name=st.sampled_from(sorted(_SCALE_INVARIANT)))
def test_positive_column_scaling(seed, n, m, name):
    x, w, cost = _matrix(seed, n, m)
    scale = np.random.default_rng(seed + 1).uniform(0.1, 50, m)
    f = getattr(fa, name)
    npt.assert_allclose(f(x * scale, w, cost, **_SCALE_INVARIANT[name]), f(x, w, cost, **_SCALE_INVARIANT[name]),
                        rtol=1e-9, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(3, 15), m=st.integers(2, 5), name=st.sampled_from(sorted(CELL_OPTIONS)))
def test_indicator_and_alternative_permutation(seed, n, m, name):
    x, w, cost = _matrix(seed, n, m)
    rng = np.random.default_rng(seed + 2)
    cols, rows = rng.permutation(m), rng.permutation(n)
    f = getattr(fa, name)
    kw = {"preference": "level", "q": np.arange(m) * 0.3, "p": np.arange(m) * 0.3 + 2} if name == "promethee_ii" else {}
    base = f(x, w, cost, **kw)
    kw_cols = {**kw, "q": kw["q"][cols], "p": kw["p"][cols]} if kw else {}
    npt.assert_allclose(f(x[:, cols], w[cols], cost[cols], **kw_cols), base, rtol=1e-9, atol=1e-12)
    npt.assert_allclose(f(x[rows], w, cost, **kw), base[rows], rtol=1e-9, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(3, 15), m=st.integers(2, 5))
def test_translation_and_flow_identities(seed, n, m):
    x, w, cost = _matrix(seed, n, m)
    shift = np.random.default_rng(seed + 3).uniform(-100, 100, m)
    # VIKOR, PROMETHEE (raw differences) and SPOTIS with the data's bounds read only differences
    for name, kw in [("vikor", {}), ("spotis", {}), ("promethee_ii", {"preference": "linear", "q": 0.5, "p": 2.0})]:
        f = getattr(fa, name)
        npt.assert_allclose(f(x + shift, w, cost, **kw), f(x, w, cost, **kw), rtol=1e-9, atol=1e-11)
    flows = fa.promethee_ii(x, w, cost, preference="gaussian", s=1.0, full=True)
    assert abs(flows["net_flow"].sum()) < 1e-12  # net flows sum to 0
    assert (flows["phi_plus"] >= 0).all() and (flows["phi_plus"] <= 1 + 1e-15).all()
    q = fa.vikor(x, w, cost)
    assert (q >= 0).all() and (q <= 1 + 1e-15).all()
    score = fa.edas(x, w, cost)
    assert (score >= 0).all() and (score <= 1).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(3, 15), m=st.integers(2, 5))
def test_spotis_fixed_bounds_free_of_rank_reversal(seed, n, m):
    # with fixed bounds each distance depends on its own row only: adding any alternative
    # (here a dominated one) leaves the others' distances unchanged
    x, w, cost = _matrix(seed, n, m)
    bounds = np.stack([np.zeros(m), np.full(m, 20.0)], axis=1)
    worst = np.where(cost, x.max(axis=0), x.min(axis=0))
    d = fa.spotis(x, w, cost, bounds=bounds)
    d2 = fa.spotis(np.vstack([x, worst]), w, cost, bounds=bounds)
    npt.assert_array_equal(d2[:n], d)
    assert d2[n] >= d.max()
