"""DEMATEL's small-matrix numpy versions (whitening, normalisation, checks, influence sums): the
numba kernels' bits, on awkward input (ties, signed zeros, rows of zeros)."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from fastinno.kernels import dematel as kdm
from fastinno.kernels import grey as kg


def _same(a, b):
    a, b = np.asarray(a).reshape(-1), np.asarray(b).reshape(-1)
    assert a.dtype == b.dtype or (a.dtype.kind == b.dtype.kind == "i")
    assert a.shape == b.shape
    npt.assert_array_equal(a.astype(b.dtype).view(np.uint8), b.view(np.uint8))


def _matrix(rng, n, coarse):
    if coarse:
        return rng.choice(np.array([0.0, -0.0, 0.25, 0.5, 1.0, 4.0]), size=(n, n))
    return rng.uniform(0.0, 4.0, size=(n, n))


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 13), st.booleans())
def test_numpy_versions_give_the_kernels_bits(seed, n, coarse):
    rng = np.random.default_rng(seed)
    z = _matrix(rng, n, coarse)
    z[rng.integers(n)] = 0.0  # a row of zeros
    for mode in (kdm.NORM_ROW, kdm.NORM_MAX):
        _same(kdm.normalization_scale_numpy(z, mode), kdm.normalization_scale(z, mode))
    for got, want in zip(kdm.row_col_sums_numpy(z), kdm.row_col_sums(z), strict=True):
        _same(got, want)
    for got, want in zip(kdm.influence_sums_numpy(z), kdm.influence_sums(z), strict=True):
        _same(got, want)
    n_mat = z / (z.sum(axis=1).max() + 1.0)
    t = np.linalg.solve(np.eye(n) - n_mat, np.eye(n)) - np.eye(n)
    t[0, 0] = -0.0 if coarse else t[0, 0]
    for got, want in zip(kdm.relation_checks_numpy(n_mat, t), kdm.relation_checks(n_mat, t), strict=True):
        _same(got, want)
    lower = _matrix(rng, n, coarse)
    upper = lower + _matrix(rng, n, coarse) * rng.integers(0, 2, size=(n, n))
    if coarse:
        upper[0] = lower[0]  # a row of white numbers: D = 0 in row scope
    for scope in (kg.SCOPE_GLOBAL, kg.SCOPE_ROW):
        _same(kg.cfcs_crisp_numpy(lower, upper, scope), kg.cfcs_crisp(lower, upper, scope))
        stack_lo, stack_up = np.stack([lower, lower * 0.5]), np.stack([upper, upper])
        _same(kg.cfcs_experts_numpy(stack_lo, stack_up, scope), kg.cfcs_experts(stack_lo, stack_up, scope))
