"""CRITIC, SD, CV, MEREC, Gini and AHP weights and the weight combinations: published and peer cases,
invariants and errors."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastinno.array as fa
from fastinno.errors import DegenerateDataError, InputError
from fastinno.methods import registry
from fastinno.methods import weighting as mw

# --- published and peer cases ----------------------------------------------------------------

# Keshavarz-Ghorabaee et al. (2021) Symmetry 13(4) 525, illustrative example (sec. 4): 5
# alternatives, C1, C2 benefit, C3, C4 cost. Weights as in the paper (0.5752, 0.0141, 0.4016,
# 0.0091); the same case in pymcdm's tests (tests/test_weights.py, TestMERECWeights) and
# pyrepo-mcda@b3ac297 tests/test_weighting_methods.py; full precision from JMcDM's MEREC test.
MEREC_X = np.array(
    [
        [450, 8000, 54, 145],
        [10, 9100, 2, 160],
        [100, 8200, 31, 153],
        [220, 9300, 1, 162],
        [5, 8400, 23, 158],
    ]
)
MEREC_W = [0.5752216672093823, 0.01409659116846726, 0.40156136388773117, 0.009120377734419302]

# Tus & Aytac Adali (2019) Opsearch 56(2) 528-538, CRITIC weights of the time-and-attendance
# software example, as in pymcdm's tests (tests/test_weights.py, TestCRITICWeights) and
# pyrepo-mcda@b3ac297 tests/test_weighting_methods.py (every column normalised as benefit,
# i.e. is_cost=None).
CRITIC_X = np.array(
    [
        [5000, 3, 3, 4, 3, 2],
        [680, 5, 3, 2, 2, 1],
        [2000, 3, 2, 3, 4, 3],
        [600, 4, 3, 1, 2, 2],
        [800, 2, 4, 3, 3, 4],
    ]
)
CRITIC_W = [0.157, 0.249, 0.168, 0.121, 0.154, 0.151]

# Shuai et al. (2012) CCDC 3889-3892, coefficient-of-variation weights, as in
# pyrepo-mcda@b3ac297 tests/test_weighting_methods.py.
CV_X = np.array([[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]])
CV_W = [0.4258, 0.3610, 0.2121, 0.0011]

# Baczkiewicz et al. (2021) camera selection, Gini weights of the raw matrix, as in
# pyrepo-mcda@b3ac297 tests/test_weighting_methods.py.
GINI_X = np.array(
    [
        [29.4, 83, 47, 114, 12, 30, 120, 240, 170, 90, 1717.75],
        [30, 38.1, 124.7, 117, 16, 60, 60, 60, 93, 70, 2389],
        [29.28, 59.27, 41.13, 58, 16, 30, 60, 120, 170, 78, 239.99],
        [33.6, 71, 55, 159, 23.6, 60, 240, 240, 132, 140, 2099],
        [21, 59, 41, 66, 16, 24, 60, 120, 170, 70, 439],
        [35, 65, 42, 134, 12, 60, 240, 240, 145, 60, 1087],
        [47, 79, 54, 158, 19, 60, 120, 120, 360, 72, 2499],
        [28.3, 62.3, 44.9, 116, 12, 30, 60, 60, 130, 90, 999.99],
        [36.9, 28.6, 121.6, 130, 12, 60, 120, 120, 80, 80, 1099],
        [32, 59, 41, 60, 16, 30, 120, 120, 170, 60, 302.96],
        [28.4, 66.3, 48.6, 126, 12, 60, 240, 240, 132, 135, 1629],
        [29.8, 46, 113, 47, 18, 50, 50, 50, 360, 72, 2099],
        [20.2, 64, 80, 70, 8, 24, 60, 120, 166, 480, 699.99],
        [33, 60, 44, 59, 12, 30, 60, 120, 170, 90, 388],
        [29, 59, 41, 55, 16, 30, 60, 120, 170, 120, 299],
        [29, 59, 41, 182, 12, 30, 30, 60, 94, 140, 249],
        [29.8, 59.2, 41, 65, 16, 30, 60, 120, 160, 90, 219.99],
        [28.8, 62.5, 41, 70, 12, 60, 120, 120, 170, 138, 1399.99],
        [24, 40, 59, 60, 12, 10, 30, 30, 140, 78, 269.99],
        [30, 60, 45, 201, 16, 30, 30, 30, 170, 90, 199.99],
    ]
)
GINI_W = [0.0362, 0.0437, 0.0848, 0.0984, 0.0480, 0.0842, 0.1379, 0.1125, 0.0745, 0.1107, 0.1690]

# Salabun, Watrobski & Shekhovtsov (2020) Symmetry 12(9) 1549, the 5 x 3 matrix of
# pyrepo-mcda@b3ac297 tests/test_weighting_methods.py (Test_STD). Expected values computed with
# pymcdm 1.4.0 (pymcdm/weights/weights.py): standard_deviation_weights of the min-max normalised
# matrix (our SD reads min-max), critic_weights, gini_weights and merec_weights(types [1, -1, 1]).
SMALL_X = np.array(
    [
        [0.619, 0.449, 0.447],
        [0.862, 0.466, 0.006],
        [0.458, 0.698, 0.771],
        [0.777, 0.631, 0.491],
        [0.567, 0.992, 0.968],
    ]
)
SMALL = {
    "std": ([0.3388053738613598, 0.34158007415671165, 0.31961455198192845], None),
    "critic": ([0.4862648316441319, 0.24269571927399397, 0.27103944908187416], None),
    "gini": ([0.1993786123183885, 0.2618837620088083, 0.5387376256728031], None),
    "merec": ([0.07119834182006879, 0.09732673253109811, 0.8314749256488331], [1, -1, 1]),
}


def test_merec_paper_example():
    npt.assert_allclose(fa.merec_weights(MEREC_X, [1, 1, -1, -1]), MEREC_W, rtol=1e-12)


def test_critic_published_example():
    npt.assert_allclose(fa.critic_weights(CRITIC_X), CRITIC_W, atol=5e-4)


def test_cv_published_example():
    npt.assert_allclose(fa.cv_weights(CV_X), CV_W, atol=5e-5)


def test_gini_published_example():
    npt.assert_allclose(fa.gini_weights(GINI_X), GINI_W, atol=5e-5)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_pymcdm_literal_fixtures(name):
    want, types = SMALL[name]
    npt.assert_allclose(registry.weighting(name).array(SMALL_X, types), want, rtol=1e-12)


def test_against_pymcdm_live():
    pw = pytest.importorskip("pymcdm.weights")
    from pymcdm.helpers import normalize_matrix
    from pymcdm.normalizations import minmax_normalization

    rng = np.random.default_rng(0)
    x = rng.uniform(1, 50, (25, 6))
    types = np.array([1, -1, 1, 1, -1, 1])
    npt.assert_allclose(fa.critic_weights(x), pw.critic_weights(x), rtol=1e-12)
    # direction-aware CRITIC = pymcdm's CRITIC of the direction-aware min-max matrix
    nm = normalize_matrix(x, minmax_normalization, types)
    npt.assert_allclose(fa.critic_weights(x, types), pw.critic_weights(nm), rtol=1e-12)
    npt.assert_allclose(fa.std_weights(x, types), pw.standard_deviation_weights(nm), rtol=1e-12)
    npt.assert_allclose(fa.merec_weights(x, types), pw.merec_weights(x, types), rtol=1e-12)
    npt.assert_allclose(fa.gini_weights(x), pw.gini_weights(x), rtol=1e-12)


def test_critic_direction_matters():
    """A cost column flips its correlations, so CRITIC changes; is_cost=None is all benefit."""
    w_benefit = fa.critic_weights(CRITIC_X)
    w_cost = fa.critic_weights(CRITIC_X, [-1, 1, 1, 1, 1, 1])
    npt.assert_allclose(
        w_cost, [0.184, 0.213, 0.142, 0.158, 0.168, 0.134], atol=5e-4
    )  # computed here, Diakoulaki's r_ij
    assert not np.allclose(w_benefit, w_cost)
    npt.assert_allclose(fa.critic_weights(CRITIC_X, np.zeros(6, dtype=bool)), w_benefit, rtol=1e-15)


# --- cells: batched equals one by one --------------------------------------------------------


@pytest.mark.parametrize("name", ["critic", "std", "cv", "merec", "gini"])
def test_cells_equal_single_matrices(name):
    spec = registry.weighting(name)
    rng = np.random.default_rng(1)
    x3 = rng.uniform(1, 9, (4, 12, 5))
    cost = np.array([False, True, False, False, True])
    got = spec.cells(x3, cost)
    assert got.shape == (4, 5)
    for c in range(4):
        npt.assert_allclose(got[c], spec.array(x3[c], cost), rtol=1e-13)


# --- invariants ------------------------------------------------------------------------------

_OBJECTIVE = ["critic", "std", "cv", "merec", "gini"]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(_OBJECTIVE), st.integers(3, 9), st.integers(2, 5))
def test_weights_sum_to_one_and_are_permutation_equivariant(seed, name, n, m):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 10, (n, m))
    cost = rng.random(m) < 0.4
    f = registry.weighting(name).array
    w = f(x, cost)
    assert w.shape == (m,) and (w >= 0).all()
    npt.assert_allclose(w.sum(), 1.0, rtol=1e-12)
    perm = rng.permutation(m)
    npt.assert_allclose(f(x[:, perm], cost[perm]), w[perm], rtol=1e-9, atol=1e-15)
    rows = rng.permutation(n)
    npt.assert_allclose(f(x[rows], cost), w, rtol=1e-9, atol=1e-15)
    # every weighting here is invariant to a positive rescaling of a column
    scale = rng.uniform(0.5, 4.0, m)
    npt.assert_allclose(f(x * scale, cost), w, rtol=1e-8, atol=1e-14)


# --- degenerate data -------------------------------------------------------------------------


def test_degenerate_inputs_raise():
    x = np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 5.0], [4.0, 2.0, 1.0]])
    with pytest.raises(DegenerateDataError, match=r"CRITIC.*constant"):
        fa.critic_weights(x)
    w = fa.std_weights(x)
    assert w[1] == 0.0 and w.sum() == pytest.approx(1.0)
    with pytest.raises(DegenerateDataError, match="every indicator"):
        fa.std_weights(np.ones((4, 2)))
    with pytest.raises(DegenerateDataError, match=r"mean is <= 0"):
        fa.cv_weights(x - 3.0)
    with pytest.raises(DegenerateDataError, match=r"MEREC.*> 0"):
        fa.merec_weights(x - 1.0)
    with pytest.raises(DegenerateDataError, match="Gini"):
        fa.gini_weights(x - 2.0)
    with pytest.raises(InputError, match="at least 2"):
        fa.critic_weights(np.ones((1, 3)))
    with pytest.raises(InputError, match="missing or infinite"):
        fa.gini_weights(np.array([[1.0, np.nan], [2.0, 3.0]]))
    with pytest.raises(InputError, match="one entry per indicator"):
        fa.merec_weights(x, np.array([True, False]))


# --- AHP -------------------------------------------------------------------------------------

# pymcdm 1.4.0, pymcdm/weights/subjective/ahp.py docstring: AHP(ranking=[1, 2, 4, 3])() =
# [0.48144852 0.21998235 0.13073309 0.16783605]; the matrix it builds from that ranking:
AHP_RANKING_MATRIX = np.array(
    [[1, 2, 4, 3], [1 / 2, 1, 2, 1], [1 / 4, 1 / 2, 1, 1], [1 / 3, 1, 1, 1]]
)
AHP_RANKING_W = [0.4814485184167287, 0.21998234804656813, 0.13073308518508034, 0.16783604835162289]
# The textbook 3 x 3 judgement matrix (a_12 = 3, a_13 = 5, a_23 = 3): w = (0.637, 0.258, 0.105),
# lambda_max = 3.039, CR = 0.033 with Saaty's RI_3 = 0.58 (pymcdm 1.4.0 AHP(matrix=...) gives
# the same weights, full precision below).
AHP3 = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
AHP3_W = [0.6369855717447568, 0.25828499437449515, 0.10472943388074794]


def test_ahp_pymcdm_docstring_case():
    res = fa.ahp_weights(AHP_RANKING_MATRIX, full=True)
    npt.assert_allclose(res["weights"], AHP_RANKING_W, rtol=1e-10)
    assert res["ci"] == pytest.approx((res["lambda_max"] - 4) / 3)
    assert res["cr"] == pytest.approx(res["ci"] / 0.90)


def test_ahp_textbook_3x3():
    res = fa.ahp_weights(AHP3, full=True)
    npt.assert_allclose(res["weights"], AHP3_W, rtol=1e-10)
    assert res["lambda_max"] == pytest.approx(3.0385, abs=1e-4)
    assert res["cr"] == pytest.approx(0.033, abs=5e-4)
    npt.assert_allclose(fa.ahp_weights(AHP3), AHP3_W, rtol=1e-10)


def test_ahp_against_pymcdm_live():
    subj = pytest.importorskip("pymcdm.weights.subjective")
    ahp = subj.AHP(ranking=[2, 1, 3, 5, 4])
    w = ahp()
    npt.assert_allclose(fa.ahp_weights(ahp.matrix, allow_inconsistent=True), w, rtol=1e-10)


def test_ahp_consistent_matrix_recovers_weights():
    w = np.array([0.5, 0.3, 0.15, 0.05])
    res = fa.ahp_weights(w[:, None] / w[None, :], full=True)
    npt.assert_allclose(res["weights"], w, rtol=1e-12)
    assert res["cr"] == pytest.approx(0.0, abs=1e-12)


def test_ahp_inconsistency_and_bad_input():
    bad = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    with pytest.raises(InputError, match=r"inconsistent: CR = .* > 0.1"):
        fa.ahp_weights(bad)
    res = fa.ahp_weights(bad, allow_inconsistent=True, full=True)
    assert res["cr"] > 0.1
    npt.assert_allclose(res["weights"], [1 / 3] * 3, rtol=1e-9)  # cyclic: symmetric judgements
    with pytest.raises(InputError, match="reciprocal"):
        fa.ahp_weights(np.array([[1, 3], [3, 1]]))
    with pytest.raises(InputError, match="square"):
        fa.ahp_weights(np.ones((2, 3)))
    with pytest.raises(InputError, match="positive"):
        fa.ahp_weights(np.array([[1, -2], [-0.5, 1]]))
    assert fa.ahp_weights(np.array([[1.0, 4.0], [0.25, 1.0]]), full=True)["cr"] == 0.0


def test_random_index_is_saatys():
    assert mw.RANDOM_INDEX[:10] == (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)


# --- combinations ----------------------------------------------------------------------------


def test_combine_multiplicative_and_linear():
    s = np.array([0.5, 0.3, 0.2])
    o = np.array([0.2, 0.2, 0.6])
    npt.assert_allclose(
        fa.combine_weights(s, o), [0.1 / 0.28, 0.06 / 0.28, 0.12 / 0.28], rtol=1e-14
    )
    npt.assert_allclose(
        fa.combine_weights(s, o, method="linear", alpha=0.25), [0.275, 0.225, 0.5], rtol=1e-14
    )
    npt.assert_allclose(fa.combine_weights(s * 10, o, method="linear", alpha=1.0), s, rtol=1e-14)


def test_combine_game_theory():
    """Lai et al. (2015) Natural Hazards 77(2) 1243-1259: a from [[s.s, s.o], [o.s, o.o]] a = [s.s, o.o]."""
    # mirror-image vectors: a = (1/2, 1/2) by symmetry (hand computation)
    npt.assert_allclose(
        fa.combine_weights([0.5, 0.3, 0.2], [0.2, 0.3, 0.5], method="game_theory"),
        [0.35, 0.3, 0.35],
        rtol=1e-12,
    )
    # s.s = 0.52, s.o = o.o = 0.5: the system gives a = (1, 0), so w = s (hand computation)
    npt.assert_allclose(
        fa.combine_weights([0.6, 0.4], [0.5, 0.5], method="game-theory"), [0.6, 0.4], rtol=1e-12
    )
    s = np.array([0.7, 0.2, 0.1])
    o = np.array([0.2, 0.5, 0.3])
    a = np.abs(
        np.linalg.lstsq(
            np.array([[s @ s, s @ o], [o @ s, o @ o]]), np.array([s @ s, o @ o]), rcond=None
        )[0]
    )
    a /= a.sum()
    npt.assert_allclose(
        fa.combine_weights(s, o, method="game_theory"), a[0] * s + a[1] * o, rtol=1e-12
    )
    npt.assert_allclose(fa.combine_weights(s, s, method="game_theory"), s, rtol=1e-12)


def test_combine_errors():
    with pytest.raises(InputError, match="Unknown method"):
        fa.combine_weights([0.5, 0.5], [0.5, 0.5], method="geometric")
    with pytest.raises(InputError, match="alpha"):
        fa.combine_weights([0.5, 0.5], [0.5, 0.5], method="linear", alpha=1.5)
    with pytest.raises(InputError, match="other vector has 2"):
        fa.combine_weights([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(DegenerateDataError, match="zero everywhere"):
        fa.combine_weights([1.0, 0.0], [0.0, 1.0])


def test_registry_entries():
    for name in ["critic", "std", "cv", "merec", "gini", "ahp"]:
        spec = registry.weighting(name)
        assert spec.name == name and spec.source
    assert registry.weighting("ahp").needs == "pairwise" and registry.weighting("ahp").cells is None
    assert (
        registry.weighting("critic").data == "minmax" and registry.weighting("gini").data == "raw"
    )
