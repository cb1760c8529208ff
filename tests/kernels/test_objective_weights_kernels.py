"""Objective weighting kernels (CRITIC, SD, CV, MEREC, Gini) against the naive references."""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastinno.kernels import objective_weights as ko

# (cells, alternatives, indicators): several cells (parallel over cells) and one tall cell
# (parallel over row blocks; 1,200 x 30 spans more than one block of normalize.block_rows).
SHAPES = [(1, 2, 1), (1, 5, 3), (3, 7, 4), (2, 40, 6)]


def _cube(shape, seed, ties=False):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 20.0, shape)
    if ties:
        x = np.round(x)
    return x


def _cost(m):
    return np.arange(m) % 3 == 1


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("want_cov", [False, True])
def test_column_moments_match_naive(shape, want_cov):
    x = _cube(shape, 1)
    got = ko.column_moments_cells(x, want_cov)
    want = naive.column_moments_cells(x, want_cov)
    for g, w in zip(got, want):
        npt.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def test_column_moments_blocks_match_one_pass():
    """One tall cell is split in row blocks; the block sums must add up to the whole."""
    x = _cube((1, 1200, 30), 2) + 1e6  # far from 0: the centred second pass matters
    mn, mx, mean, s2 = ko.column_moments_cells(x, True)
    npt.assert_allclose(mean[0], x[0].mean(axis=0), rtol=1e-14)
    xc = x[0] - x[0].mean(axis=0)
    npt.assert_allclose(s2[0], xc.T @ xc, rtol=1e-9)
    npt.assert_array_equal(mn[0], x[0].min(axis=0))
    npt.assert_array_equal(mx[0], x[0].max(axis=0))


@pytest.mark.parametrize("shape", SHAPES[1:])
@pytest.mark.parametrize("code", [ko.STD, ko.CV])
def test_spread_scores_match_naive(shape, code):
    x = _cube(shape, 3, ties=True)
    npt.assert_allclose(
        ko.spread_scores_cells(x, code), naive.spread_scores_cells(x, code), rtol=1e-12
    )


def test_spread_scores_degenerate_columns():
    x = _cube((1, 6, 3), 4)
    x[0, :, 1] = 2.0  # constant: SD score 0
    x[0, :, 2] -= 100.0  # negative mean: CV undefined
    s = ko.spread_scores_cells(x, ko.STD)
    assert s[0, 1] == 0.0 and s[0, 0] > 0
    c = ko.spread_scores_cells(x, ko.CV)
    assert np.isnan(c[0, 2]) and np.isfinite(c[0, :2]).all()


@pytest.mark.parametrize("shape", SHAPES[1:])
def test_critic_scores_match_naive(shape):
    x = _cube(shape, 5)
    cost = _cost(shape[2])
    npt.assert_allclose(
        ko.critic_scores_cells(x, cost), naive.critic_scores_cells(x, cost), rtol=1e-10
    )


def test_critic_constant_column_is_nan():
    x = _cube((1, 6, 3), 6)
    x[0, :, 0] = 1.0
    got = ko.critic_scores_cells(x, np.zeros(3, dtype=np.bool_))
    assert np.isnan(got).all()  # the constant column's correlations enter every other column


@pytest.mark.parametrize("shape", SHAPES)
def test_merec_scores_match_naive(shape):
    x = _cube(shape, 7)
    cost = _cost(shape[2])
    npt.assert_allclose(
        ko.merec_scores_cells(x, cost), naive.merec_scores_cells(x, cost), rtol=1e-11, atol=1e-14
    )


def test_merec_tall_cell_matches_naive():
    x = _cube((1, 1500, 4), 8)  # more rows than one logarithm chunk and one block
    cost = np.array([False, True, False, True])
    npt.assert_allclose(
        ko.merec_scores_cells(x, cost), naive.merec_scores_cells(x[:, :, :], cost), rtol=1e-10
    )


def test_merec_non_positive_column_is_nan():
    x = _cube((1, 5, 3), 9)
    x[0, 2, 1] = 0.0
    got = ko.merec_scores_cells(x, np.zeros(3, dtype=np.bool_))
    assert np.isnan(got[0, 1])


@pytest.mark.parametrize("shape", SHAPES)
def test_transpose_cells_matches_naive(shape):
    x = _cube(shape, 13)
    got = ko.transpose_cells(x)
    assert got.flags.c_contiguous
    npt.assert_array_equal(got, naive.transpose_cells(x))


def test_transpose_cells_tall():
    x = _cube((1, 1000, 7), 14)
    npt.assert_array_equal(ko.transpose_cells(x)[0], x[0].T)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("ties", [False, True])
def test_gini_scores_match_naive(shape, ties):
    s3 = np.sort(naive.transpose_cells(_cube(shape, 10, ties)), axis=-1)
    npt.assert_allclose(ko.gini_scores_sorted(s3), naive.gini_scores_sorted(s3), rtol=1e-12)


def test_gini_negative_or_zero_row_is_nan():
    s3 = np.sort(np.random.default_rng(11).uniform(1, 5, (2, 3, 5)), axis=-1)
    s3[1, 2, 0] = -1.0
    s3[0, 0] = 0.0
    got = ko.gini_scores_sorted(s3)
    assert np.isnan(got[1, 2]) and np.isnan(got[0, 0]) and np.isfinite(got[0, 1:]).all()


@settings(max_examples=40, deadline=None)
# no subnormals: the naive reference's mean of [0, 5e-324] underflows to 0 (a 0/0 of its own)
@given(st.lists(st.floats(0.0, 1e6, allow_nan=False, allow_subnormal=False), min_size=2, max_size=40))
def test_gini_hypothesis(values):
    s3 = np.sort(np.array(values))[None, None, :]
    want = naive.gini_scores_sorted(s3)
    npt.assert_allclose(ko.gini_scores_sorted(s3), want, rtol=1e-9, atol=1e-12)
