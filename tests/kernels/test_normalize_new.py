"""The batched normalization kernels (SUM, MAX, LOG and the first four through p = a g(x) + b)
against tests/naive.py, pymcdm 1.4.0 and literal values."""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fastinno import _options as opt
from fastinno import array as fa
from fastinno.errors import DegenerateDataError, InputError
from fastinno.kernels import normalize as kn

HYP = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = ("max_ratio", "minmax", "vector", "zscore", "sum", "max", "log")
COST = np.array([False, True, False, True])


def cube(seed=0, shape=(3, 7, 4)):
    return np.random.default_rng(seed).uniform(1.5, 9.0, shape)


def test_new_codes_and_option_values():
    assert (kn.SUM, kn.MAX, kn.LOG) == (4, 5, 6)
    assert opt.code("standardize", "sum") == kn.SUM
    assert opt.code("standardize", "max") == kn.MAX
    assert opt.code("standardize", "log") == kn.LOG
    assert opt.check("standardize", "max") == "max"  # no longer an alias of max_ratio
    assert opt.check("standardize", "max-ratio") == "max_ratio"
    assert set(opt.CUBE_STANDARDIZATIONS) < set(opt.option("standardize").choices)


@pytest.mark.parametrize("flags", [(False, False, False), (True, True, True), (False, "every other", False)])
def test_cell_stats_matches_naive(flags):
    x3 = cube(1)
    sq, inv, lg = flags
    inv = np.arange(x3.shape[2]) % 2 == 0 if inv == "every other" else np.full(x3.shape[2], inv)
    npt.assert_allclose(kn.cell_stats(x3, sq, inv, lg), naive.cell_stats(x3, sq, inv, lg), rtol=1e-13)


def test_cell_stats_many_blocks_matches_naive():
    x3 = cube(2, (2, 3000, 13))  # several row blocks per cell
    every = np.ones(13, dtype=bool)
    npt.assert_allclose(kn.cell_stats(x3, True, every, True), naive.cell_stats(x3, True, True, True), rtol=1e-12)


def test_cell_centered_sq_matches_naive():
    x3 = cube(3)
    mean = x3.mean(axis=1)
    npt.assert_allclose(kn.cell_centered_sq(x3, mean), naive.cell_centered_sq(x3, mean), rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_linear_coefficients_and_apply_linear_match_naive(name):
    x3 = cube(4)
    code = opt.code("standardize", name)
    a, b, g = kn.batched_coefficients(x3, COST, code)
    na, nb, ng = naive.linear_coefficients(x3, COST, name)
    npt.assert_array_equal(g, ng)
    npt.assert_allclose(a, na, rtol=1e-10)
    npt.assert_allclose(b, nb, rtol=1e-10, atol=1e-14)
    got = kn.apply_linear(x3, a, b, g)
    npt.assert_allclose(got, naive.apply_linear(x3, a, b, g), rtol=1e-13, atol=1e-15)
    for c in range(x3.shape[0]):
        npt.assert_allclose(got[c], naive.normalize_columns(x3[c], COST, name), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_normalize_matrix_takes_every_code(name):
    x = cube(5)[0]
    got = kn.normalize_matrix(x, COST, opt.code("standardize", name))
    npt.assert_allclose(got, naive.normalize_columns(x, COST, name), rtol=1e-12, atol=1e-15)


# Literal values: x = [2, 4, 8]; sum: 2/14, 4/14, 8/14; cost (1/2, 1/4, 1/8) / (7/8);
# max: x / 8, cost 1 - x / 8; log: ln x / ln 64, cost (1 - ln x / ln 64) / 2.
LITERAL = {
    "sum": ([1 / 7, 2 / 7, 4 / 7], [4 / 7, 2 / 7, 1 / 7]),
    "max": ([0.25, 0.5, 1.0], [0.75, 0.5, 0.0]),
    "log": ([1 / 6, 2 / 6, 3 / 6], [5 / 12, 4 / 12, 3 / 12]),
}


@pytest.mark.parametrize("name", sorted(LITERAL))
def test_literal_values(name):
    x = np.array([[2.0, 2.0], [4.0, 4.0], [8.0, 8.0]])
    got = fa.normalize(x, [1, -1], method=name)
    npt.assert_allclose(got[:, 0], LITERAL[name][0], rtol=1e-14)
    npt.assert_allclose(got[:, 1], LITERAL[name][1], rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_normalize_matches_pymcdm(name):
    pytest.importorskip("pymcdm")
    from pymcdm import helpers
    from pymcdm import normalizations as pn

    funcs = {"max_ratio": pn.linear_normalization, "minmax": pn.minmax_normalization,
             "vector": pn.vector_normalization, "sum": pn.sum_normalization, "max": pn.max_normalization,
             "log": pn.logarithmic_normalization}
    if name not in funcs:  # pymcdm has no z-score
        return
    x = cube(6)[0]
    types = np.where(COST, -1, 1)
    npt.assert_allclose(fa.normalize(x, COST, method=name), helpers.normalize_matrix(x, funcs[name], types),
                        rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(("name", "x", "msg"), [
    ("sum", [[1.0, 0.0], [2.0, 3.0]], "values <= 0"),
    ("sum", [[-1.0, 1.0], [2.0, 3.0]], "values <= 0"),
    ("log", [[1.0, 2.0], [0.5, 3.0]], "product <= 1"),
    ("log", [[-1.0, 2.0], [2.0, 3.0]], "values <= 0"),
    ("max", [[-1.0, 2.0], [-2.0, 3.0]], "max <= 0"),
    ("max_ratio", [[1.0, 2.0], [2.0, 0.0]], "values <= 0"),
    ("minmax", [[1.0, 2.0], [1.0, 3.0]], "constant"),
])
def test_domain_errors(name, x, msg):
    with pytest.raises(DegenerateDataError, match=msg):
        fa.normalize(np.array(x), [1, -1] if name != "max" else None, method=name)


def test_unknown_method_and_nonfinite():
    with pytest.raises(InputError, match="Unknown normalization method"):
        fa.normalize(np.ones((2, 2)), method="l2")
    with pytest.raises(InputError, match="missing or infinite"):
        fa.normalize(np.array([[1.0, np.nan], [2.0, 3.0]]), method="sum")


def test_input_not_written():
    x = cube(7)[0]
    before = x.copy()
    fa.normalize(x, COST, method="log")
    npt.assert_array_equal(x, before)


@HYP
@given(x=arrays(np.float64, (6, 3), elements=st.floats(1.01, 1e3)), name=st.sampled_from(NAMES),
       cost=st.lists(st.booleans(), min_size=3, max_size=3))
def test_larger_is_better_after_normalizing(x, name, cost):
    """Every normalization keeps (benefit) or reverses (cost) the order of each column."""
    if name in ("minmax", "zscore") and (x.max(axis=0) == x.min(axis=0)).any():
        return
    p = fa.normalize(x, np.array(cost), method=name)
    for j in range(3):
        order = np.argsort(x[:, j], kind="stable")
        col = p[order, j]
        steps = np.diff(col) * (-1 if cost[j] else 1)
        assert (steps >= -1e-12 * np.abs(col).max()).all()


@HYP
@given(x=arrays(np.float64, (5, 3), elements=st.floats(0.1, 1e3)), scale=st.floats(0.01, 100.0))
def test_scale_invariance(x, scale):
    """sum, max, max_ratio and vector are invariant to rescaling a column."""
    for name in ("sum", "max", "max_ratio", "vector"):
        npt.assert_allclose(fa.normalize(x * scale, [1, -1, 1], method=name),
                            fa.normalize(x, [1, -1, 1], method=name), rtol=1e-9, atol=1e-12)


@HYP
@given(x=arrays(np.float64, (5, 2), elements=st.floats(0.1, 1e3)))
def test_sum_columns_sum_to_one(x):
    npt.assert_allclose(fa.normalize(x, [1, -1], method="sum").sum(axis=0), 1.0, rtol=1e-12)
