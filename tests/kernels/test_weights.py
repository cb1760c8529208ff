"""Entropy and maximum-deviation weight kernels and their public wrappers."""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from refvectors import load_refvectors

import fastinno
from fastinno.errors import DegenerateDataError, InputError
from fastinno.kernels import normalize as kn
from fastinno.kernels import weights as kw

SHAPES = [(2, 1), (3, 4), (7, 3), (50, 9), (200, 12)]


def _random(shape, seed, ties=False):
    rng = np.random.default_rng(seed)
    x = rng.random(shape)
    if ties:
        x = np.round(x * 4) / 4
    return x


# --- against the naive loops ---------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("ties", [False, True])
def test_entropy_kernel_matches_naive(shape, ties):
    p = _random(shape, 1, ties)
    p[0] += 0.5  # no column of zeros, no uniform column
    p[-1] *= 0.1
    npt.assert_allclose(kw.column_entropy(p), naive.column_entropy(p), rtol=1e-12)
    npt.assert_allclose(kw.entropy_weights(p), naive.entropy_weights(p), rtol=1e-12)


def test_entropy_hand_worked():
    # column 0 uniform -> h = 1 -> weight 0; column 1 = (1, 0): f = (1, 0), h = 0 -> weight 1
    p = np.array([[1.0, 1.0], [1.0, 0.0]])
    npt.assert_allclose(kw.column_entropy(p), [1.0, 0.0], atol=1e-15)
    npt.assert_allclose(kw.entropy_weights(p), [0.0, 1.0], atol=1e-15)


def test_entropy_zero_column_has_no_information():
    p = np.array([[0.0, 0.2], [0.0, 0.7], [0.0, 0.1]])
    h = kw.column_entropy(p)
    assert h[0] == 1.0
    w = kw.entropy_weights(p)
    npt.assert_allclose(w, [0.0, 1.0], atol=1e-15)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("ties", [False, True])
def test_max_deviation_kernel_matches_naive(shape, ties):
    v = _random(shape, 2, ties)
    v[0, :] = 0.0
    v[1, :] = 1.0  # no constant column
    npt.assert_allclose(kw.max_deviation_weights(v), naive.max_deviation_weights(v), rtol=1e-12)
    d = kw.pairwise_abs_sums_sorted(np.sort(v.T, axis=1))
    npt.assert_allclose(d / d.sum(), naive.max_deviation_weights(v), rtol=1e-12)


def test_pairwise_abs_sums_hand_worked():
    # (0, 1, 3): ordered pairs |0-1|+|0-3|+|1-3| = 6, times 2 = 12; formula 2*(-2*0 + 0*1 + 2*3) = 12
    v = np.array([[3.0], [0.0], [1.0]])
    npt.assert_allclose(kw.pairwise_abs_sums(v), [12.0], rtol=1e-15)


# --- published / reference cases -----------------------------------------------------------


@pytest.mark.parametrize("case", load_refvectors("entropy"), ids=lambda c: c["id"])
def test_entropy_refvectors(case):
    # source: see case["source"] (Xu 2004; Zavadskas & Podvezko 2016; pymcdm matrix)
    inp = case["inputs"]
    tol = case["tolerance"]
    if "types" in inp:  # Chinese convention: min-max (efficacy coefficient) first
        p = fastinno.normalize(np.array(inp["matrix"], float), inp["types"], method="minmax")
        npt.assert_allclose(p, inp["normalized_matrix_used"], atol=1e-12)
    else:
        p = np.array(inp["matrix"], float)
    w = fastinno.entropy_weights(p)
    npt.assert_allclose(w, case["expected"]["weights"], atol=tol, rtol=0)
    npt.assert_allclose(kw.column_entropy(p), case["expected"]["entropy_E"], atol=tol, rtol=0)


@pytest.mark.parametrize("case", load_refvectors("max_deviation"), ids=lambda c: c["id"])
def test_max_deviation_refvectors(case):
    # source: computed on the Tzeng & Huang (2011) matrix (see case["source"])
    inp = case["inputs"]
    v = fastinno.normalize(np.array(inp["raw_matrix"], float), inp["types"], method=inp["normalization"])
    npt.assert_allclose(v, inp["normalized_matrix"], atol=1e-12)
    npt.assert_allclose(fastinno.max_deviation_weights(v), case["expected"]["weights"],
                        atol=case["tolerance"], rtol=0)
    npt.assert_allclose(kw.pairwise_abs_sums(v), case["expected"]["D_ordered_pairs"], atol=1e-12)


@pytest.mark.parametrize("case", load_refvectors("normalization"), ids=lambda c: c["id"])
def test_normalization_refvectors(case):
    # source: pymcdm normalisation tests (see case["source"])
    method = {"normalization.minmax": "minmax", "normalization.maxratio": "max_ratio"}[case["method"]]
    p = fastinno.normalize(case["inputs"]["matrix"], case["inputs"]["types"], method=method)
    npt.assert_allclose(p, case["expected"]["normalized"], atol=case["tolerance"], rtol=0)


# --- public API validation -----------------------------------------------------------------


def test_entropy_rejects_negative():
    with pytest.raises(DegenerateDataError, match=r"negative.*-0.5"):
        fastinno.entropy_weights(np.array([[1.0, 2.0], [3.0, -0.5]]))


def test_entropy_rejects_nan_and_shape():
    with pytest.raises(InputError, match="missing or infinite"):
        fastinno.entropy_weights(np.array([[1.0, np.nan], [3.0, 0.5]]))
    with pytest.raises(InputError, match="2-D"):
        fastinno.entropy_weights(np.array([1.0, 2.0]))
    with pytest.raises(InputError, match="at least 2 rows"):
        fastinno.entropy_weights(np.array([[1.0, 2.0]]))


def test_entropy_rejects_zero_and_uniform():
    with pytest.raises(DegenerateDataError, match="sum to zero"):
        fastinno.entropy_weights(np.array([[0.0, 2.0], [0.0, 0.5]]))
    with pytest.raises(DegenerateDataError, match="uniform"):
        fastinno.entropy_weights(np.array([[1.0, 2.0], [1.0, 2.0]]))


def test_max_deviation_rejects_constant():
    with pytest.raises(DegenerateDataError, match="constant"):
        fastinno.max_deviation_weights(np.ones((4, 3)))


def test_inputs_not_mutated():
    p = _random((6, 3), 4)
    before = p.copy()
    fastinno.entropy_weights(p)
    fastinno.max_deviation_weights(p)
    npt.assert_array_equal(p, before)


def test_integer_input_accepted():
    w = fastinno.entropy_weights([[1, 2], [3, 4], [5, 9]])
    npt.assert_allclose(w, naive.entropy_weights(np.array([[1, 2], [3, 4], [5, 9]], float)), rtol=1e-12)


# --- properties ----------------------------------------------------------------------------

matrices = st.integers(2, 12).flatmap(
    lambda n: st.integers(1, 6).flatmap(
        lambda m: arrays(np.float64, (n, m), elements=st.floats(0.0, 100.0, allow_subnormal=False))
    )
)


@settings(max_examples=60, deadline=None)
@given(matrices, st.randoms(use_true_random=False))
def test_weight_properties(x, rnd):
    x = x.copy()
    x[0] += 1.0  # no zero column, no constant column, no uniform column
    x[1] = 0.0
    for fn in (kw.entropy_weights, kw.max_deviation_weights):
        w = fn(x)
        assert np.all(w >= 0.0)
        assert abs(w.sum() - 1.0) < 1e-12
        perm = list(range(x.shape[0]))
        rnd.shuffle(perm)
        npt.assert_allclose(fn(x[perm]), w, rtol=1e-10, atol=1e-15)
    # max-deviation weights are invariant to a common positive scaling
    npt.assert_allclose(kw.max_deviation_weights(3.5 * x), kw.max_deviation_weights(x), rtol=1e-10)


@pytest.mark.parametrize("shape", SHAPES)
def test_entropy_with_precomputed_logs(shape):
    p = _random(shape, 6, ties=True)
    p[0] += 0.5
    p[-1] *= 0.1
    logp = np.zeros_like(p)
    np.log(p, out=logp, where=p > 0)
    npt.assert_allclose(kw.column_entropy_logs(p, logp), naive.column_entropy(p), rtol=1e-12)
    npt.assert_allclose(fastinno.entropy_weights(p), naive.entropy_weights(p), rtol=1e-12)


def test_row_entropy_logs():
    x = _random((5, 30), 7, ties=True)
    x[:, 0] += 0.3
    x[2] = 0.0  # an all-zero series: no information, h = 1
    lx = np.zeros_like(x)
    np.log(x, out=lx, where=x > 0)
    h = kw.row_entropy_logs(x, lx)
    npt.assert_allclose(h, naive.column_entropy(x.T), rtol=1e-12)
    assert h[2] == 1.0


# --- the vectorised logarithm and the blocked entropy kernel ------------------------------------


def test_log_nonneg_within_one_ulp():
    from numba import njit

    @njit
    def logs(x):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = kw.log_nonneg(x[i])
        return out

    rng = np.random.default_rng(0)
    x = np.concatenate([
        np.exp(rng.uniform(-700, 700, 20_000)),
        rng.random(5000),
        rng.random(1000) * 1e-310,  # subnormals
        1.0 + rng.uniform(-1e-6, 1e-6, 1000),
        [5e-324, 2.2250738585072014e-308, 0.5, 1.0, 2.0, np.sqrt(2.0), 1.7976931348623157e308],
    ])
    got = logs(x)
    want = np.log(x)
    ulp = np.spacing(np.maximum(np.abs(want), 1e-300))
    assert np.max(np.abs(got - want) / ulp) <= 1.0
    assert got[x == 1.0][0] == 0.0
    assert np.isfinite(logs(np.zeros(3))).all()  # 0: finite (masked by the callers)


def _entropy_input(seed, n=9000, m=7):
    p = _random((n, m), seed)
    p[::7, 3] = 0.0  # zeros: 0 ln 0 = 0
    p[:, 5] = 0.0  # an all-zero column: h = 1
    return p


def test_column_entropy_sums_blocks_match_naive():
    p = _entropy_input(11)
    assert kn.block_rows(*p.shape)[1] >= 2
    got = kw.column_entropy_sums(p, p.sum(axis=0))
    npt.assert_allclose(got, naive.column_entropy(p), rtol=1e-12)
    assert got[5] == 1.0


def test_column_entropy_sums_same_for_any_thread_count():
    import numba

    p = _entropy_input(12)
    s1 = kn.matrix_stats(p, True)[2]
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = kw.column_entropy_sums(p, s1)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = kw.column_entropy_sums(p, s1)
    finally:
        numba.set_num_threads(before)
    npt.assert_array_equal(one, two)


def test_entropy_weights_api_on_a_tall_matrix():
    p = _entropy_input(13)
    p = p[:, [0, 1, 2, 3, 4, 6]]  # no all-zero column
    h = naive.column_entropy(p)
    npt.assert_allclose(fastinno.entropy_weights(p), (1 - h) / (1 - h).sum(), rtol=1e-11)
    bad = p.copy()
    bad[8000, 2] = np.nan
    with pytest.raises(InputError, match=r"\(8000, 2\)"):
        fastinno.entropy_weights(bad)
    bad[8000, 2] = -1.0
    with pytest.raises(DegenerateDataError, match="negative"):
        fastinno.entropy_weights(bad)
