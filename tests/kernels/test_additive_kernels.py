"""kernels/additive.py against tests/naive.py."""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import pytest

from fastinno.kernels import additive as ka
from fastinno.kernels import normalize as kn

COST = np.array([False, True, False, True, False])


def batch(seed=0, shape=(3, 6, 5)):
    return np.random.default_rng(seed).uniform(1.5, 9.0, shape)


@pytest.mark.parametrize("code", [kn.SUM, kn.MAX_RATIO, kn.LOG, kn.MINMAX])
@pytest.mark.parametrize("k", [1, 2])
def test_linear_scores_matches_naive(code, k):
    x3 = batch(1)
    a, b, g = kn.batched_coefficients(x3, COST, code)
    rng = np.random.default_rng(2)
    ca = rng.uniform(-1, 1, (x3.shape[0], k, x3.shape[2]))
    cb = rng.uniform(-1, 1, (x3.shape[0], k))
    npt.assert_allclose(ka.linear_scores(x3, ca, cb, g), naive.linear_scores(x3, ca, cb, g), rtol=1e-12, atol=1e-14)


def test_linear_scores_many_blocks():
    x3 = batch(3, (1, 5000, 9))
    g = np.array([0, 1, 2, 0, 1, 2, 0, 0, 0], dtype=np.int64)
    ca = np.random.default_rng(4).uniform(0, 1, (1, 1, 9))
    cb = np.array([[0.5]])
    npt.assert_allclose(ka.linear_scores(x3, ca, cb, g), naive.linear_scores(x3, ca, cb, g), rtol=1e-11)


@pytest.mark.parametrize("code", [kn.SUM, kn.MAX_RATIO, kn.LOG])
@pytest.mark.parametrize("want_sum", [True, False])
def test_power_scores_matches_naive(code, want_sum):
    x3 = batch(5)
    a, b, g = kn.batched_coefficients(x3, COST, code)
    w = np.random.default_rng(6).dirichlet(np.ones(5), size=3)
    got, bad = ka.power_scores(x3, a, b, g, w, want_sum)
    ref, ref_bad = naive.power_scores(x3, a, b, g, w, want_sum)
    assert bad == ref_bad == 0
    npt.assert_allclose(got, ref, rtol=1e-12, atol=1e-14)


def test_power_scores_counts_nonpositive_values():
    x3 = batch(7)
    a, b, g = kn.batched_coefficients(x3, COST, kn.MINMAX)  # one 0 per column and cell
    w = np.full((3, 5), 0.2)
    _, bad = ka.power_scores(x3, a, b, g, w, False)
    assert bad == naive.power_scores(x3, a, b, g, w, False)[1] == 3 * 5


@pytest.mark.parametrize("code", [kn.MINMAX, kn.SUM, kn.MAX])
def test_log_shift_sums_matches_naive(code):
    x3 = batch(8, (2, 700, 4))  # several product chunks
    cost = np.array([False, True, True, False])
    a, b, g = kn.batched_coefficients(x3, cost, code)
    npt.assert_allclose(ka.log_shift_sums(x3, a, b, g), naive.log_shift_sums(x3, a, b, g), rtol=1e-12)


def test_log_shift_sums_no_overflow():
    """2^5000 overflows a float64 product; the frexp renormalization does not."""
    x3 = np.full((1, 5000, 1), 1.0)
    got = ka.log_shift_sums(x3, np.ones((1, 1)), np.zeros((1, 1)), np.zeros(1, dtype=np.int64))
    npt.assert_allclose(got, [[5000 * np.log(2.0)]], rtol=1e-13)


def test_copras_q():
    rng = np.random.default_rng(17)
    P = rng.uniform(0.1, 2.0, (3, 2, 41))
    P[1, 1] = 0.0  # no cost indicator: Q = S+
    np.testing.assert_allclose(ka.copras_q(P), naive.copras_q(P), rtol=1e-13)
