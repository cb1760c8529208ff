"""DEMATEL total relation, expert bootstrap and batched GM(1,1) vs their numpy baselines.

Targets (issue 5): T for n = 2,000 within 1.5x of ``numpy.linalg.solve`` on the same matrix;
expert bootstrap B = 10,000, 20 factors, 6 experts >= 20x faster than a numpy loop over
resamples and < 1 s warm; GM(1,1) for 100,000 series of length 10 < 100 ms.
"""

from __future__ import annotations

import baselines
import numpy as np
import numpy.testing as npt
import pytest

from fastinno import _config
from fastinno._random import block_seeds
from fastinno.kernels import dematel as kd
from fastinno.kernels import grey as kg

IMPLS = ("fastinno", "numpy")


def _normalized(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 5, size=(n, n)).astype(np.float64)
    np.fill_diagonal(z, 0.0)
    return np.ascontiguousarray(z / z.sum(axis=1).max())


TR_SHAPES = {"n200": 200, "n2000": 2000}


@pytest.mark.parametrize(
    "shape", [pytest.param(k, marks=pytest.mark.slow) if v >= 2000 else k for k, v in TR_SHAPES.items()]
)
@pytest.mark.parametrize("impl", IMPLS)
def test_total_relation(benchmark, tag, impl, shape):
    n = TR_SHAPES[shape]
    tag("dematel_total_relation", shape)
    n_mat = _normalized(n)
    fn = kd.total_relation_matrix if impl == "fastinno" else baselines.total_relation_matrix
    fn(n_mat)  # warm the JIT / BLAS
    t = benchmark(fn, n_mat)
    npt.assert_allclose(t, baselines.total_relation_matrix(n_mat), rtol=1e-10, atol=1e-12)


BOOT_SHAPES = {"B2000_n20_k6": (2000, 20, 6), "B10000_n20_k6": (10_000, 20, 6)}


@pytest.fixture(scope="module")
def boot_inputs():
    out = {}
    for name, (b_count, n, k) in BOOT_SHAPES.items():
        rng = np.random.default_rng(1)
        levels = rng.integers(0, 5, size=(k, n, n))
        grey_lo = np.array([0.0, 0.0, 0.25, 0.5, 0.75])[levels]
        grey_up = np.array([0.0, 0.25, 0.5, 0.75, 1.0])[levels]
        crisp = kg.cfcs_experts(grey_lo, grey_up, kg.SCOPE_GLOBAL)
        for e in range(k):
            np.fill_diagonal(crisp[e], 0.0)
        w = rng.uniform(0.3, 1.0, size=k)
        w /= w.sum()
        seeds = block_seeds(7, 0, -(-b_count // _config.DRAW_BLOCK))
        draws = kd.bootstrap_draws(k, seeds, b_count, _config.DRAW_BLOCK)
        out[name] = (np.ascontiguousarray(crisp), w, seeds, draws, b_count)
    return out


_LOOP_RESULTS: dict = {}


@pytest.mark.parametrize("shape", list(BOOT_SHAPES))
@pytest.mark.parametrize("impl", IMPLS)
def test_expert_bootstrap(benchmark, tag, boot_inputs, impl, shape):
    """fastinno: the API's path (distinct resamples + multiplicities); numpy: a loop over all B."""
    crisp, w, seeds, draws, b_count = boot_inputs[shape]
    tag("dematel_expert_bootstrap", shape, resamples=b_count)
    if impl == "fastinno":
        def fn():
            return kd.bootstrap_distinct(
                crisp, crisp, w, kd.AGG_CFCS_THEN_MEAN, 0, kd.NORM_ROW, seeds, b_count,
                _config.DRAW_BLOCK,
            )
    else:
        def fn():
            return baselines.bootstrap_experts_loop(crisp, w, draws)
    fn()
    out = benchmark.pedantic(fn, rounds=3 if impl == "numpy" else 20, iterations=1)
    if impl == "fastinno":
        _, mult, r, c = out
        r = np.repeat(r, mult, axis=0)
        c = np.repeat(c, mult, axis=0)
        benchmark.extra_info["distinct_resamples"] = int(len(mult))
    else:
        r, c = out
    # the same B resamples (as a multiset) as the loop over the same draws
    if shape not in _LOOP_RESULTS:
        _LOOP_RESULTS[shape] = out if impl == "numpy" else baselines.bootstrap_experts_loop(crisp, w, draws)
    r_ref, c_ref = _LOOP_RESULTS[shape]
    npt.assert_allclose(np.sort(r, axis=0), np.sort(r_ref, axis=0), rtol=1e-10)
    npt.assert_allclose(np.sort(c, axis=0), np.sort(c_ref, axis=0), rtol=1e-10)


GM_SHAPES = {"S10000_n10": (10_000, 10), "S100000_n10": (100_000, 10)}


@pytest.mark.parametrize("shape", list(GM_SHAPES))
@pytest.mark.parametrize("impl", IMPLS)
def test_gm11_batch(benchmark, tag, impl, shape):
    n_series, n = GM_SHAPES[shape]
    tag("gm11_batch", shape)
    rng = np.random.default_rng(2)
    x0 = np.ascontiguousarray(
        rng.uniform(0.5, 1.5, size=(n_series, 1)) * np.exp(rng.normal(0.03, 0.02, size=(n_series, n)).cumsum(1))
    )
    if impl == "fastinno":
        def fn():
            return kg.gm11_batch(x0, 3)
    else:
        def fn():
            return baselines.gm11_batch(x0, 3)
    fn()
    out = benchmark(fn)
    a_ref, b_ref, fit_ref, fc_ref = baselines.gm11_batch(x0, 3)
    if impl == "fastinno":
        params, _, _, fitted, _, _, fc = out
        npt.assert_allclose(params[:, 0], a_ref, rtol=1e-9)
        npt.assert_allclose(params[:, 1], b_ref, rtol=1e-9)
        npt.assert_allclose(fitted, fit_ref, rtol=1e-9)
        npt.assert_allclose(fc, fc_ref, rtol=1e-9)
