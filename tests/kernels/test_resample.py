"""Block-seeded weight samplers and bootstrap resampling indices."""

from __future__ import annotations

import numba
import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastinno
from fastinno import _config
from fastinno._random import block_seeds
from fastinno.errors import InputError
from fastinno.kernels import resample as kr
from fastinno.panel import IndicatorSystem, Panel

BLOCK = _config.DRAW_BLOCK
SYSTEM = {
    "input": {"x1": "+", "x2": "-", "x3": "+"},
    "output": {"x4": "+", "sub": {"x5": "+", "x6": "-"}},
}


def _panel(n_regions=10, n_years=2, seed=0, system=SYSTEM):
    rng = np.random.default_rng(seed)
    sysm = IndicatorSystem.from_dict(system)
    cube = rng.random((n_regions, n_years, sysm.n_indicators)) + 0.1
    return Panel.from_array(cube, sysm)


def _hier(system):
    gp = np.array([g.parent for g in system.groups], dtype=np.int64)
    gs = np.array([g.share for g in system.groups], dtype=np.float64)
    return gp, gs, np.asarray(system.indicator_parent, np.int64), np.asarray(system.indicator_share, np.float64)


def _all_schemes(base, seeds, kappa=50.0, spread=0.3):
    sysm = IndicatorSystem.from_dict(SYSTEM)
    return {
        "dirichlet": kr.dirichlet_weights(base, kappa, seeds, BLOCK),
        "uniform": kr.uniform_weights(base, spread, seeds, BLOCK),
        "simplex": kr.simplex_weights(base.shape[0], seeds, BLOCK),
        "hierarchical": kr.hierarchical_weights(*_hier(sysm), kappa, seeds, BLOCK),
    }


# --- simplex property -------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    kappa=st.floats(1e-3, 1e6),
    spread=st.floats(0.0, 1.0),
    first=st.integers(0, 1000),
)
def test_every_draw_on_the_simplex(seed, kappa, spread, first):
    base = IndicatorSystem.from_dict(SYSTEM).base_weights()
    seeds = block_seeds(seed, first, 2)
    for name, w in _all_schemes(base, seeds, kappa, spread).items():
        assert w.shape == (2 * BLOCK, base.shape[0]), name
        assert (w >= 0).all(), name
        npt.assert_allclose(w.sum(axis=1), 1.0, rtol=0, atol=1e-12, err_msg=name)


def test_zero_base_weight_stays_zero():
    base = np.array([0.5, 0.0, 0.5])
    seeds = block_seeds(3, 0, 2)
    assert (kr.dirichlet_weights(base, 10.0, seeds, BLOCK)[:, 1] == 0).all()
    assert (kr.uniform_weights(base, 0.5, seeds, BLOCK)[:, 1] == 0).all()


# --- distributions (against the formulas) ----------------------------------------------------


def test_dirichlet_moments():
    base = np.array([0.5, 0.3, 0.15, 0.05])
    kappa = 40.0
    w = kr.dirichlet_weights(base, kappa, block_seeds(1, 0, 400), BLOCK)  # 25,600 draws
    n = w.shape[0]
    var = base * (1 - base) / (kappa + 1)  # Dirichlet(kappa * base)
    npt.assert_allclose(w.mean(axis=0), base, atol=5 * np.sqrt(var / n).max())
    npt.assert_allclose(w.var(axis=0), var, rtol=0.05)


def test_uniform_bounds_and_mean():
    base = np.array([0.4, 0.4, 0.2])
    d = 0.25
    w = kr.uniform_weights(base, d, block_seeds(2, 0, 200), BLOCK)
    # before renormalisation u in [1 - d, 1 + d]: ratios w_j / w_k / (base_j / base_k) bounded
    ratio = (w[:, 0] / w[:, 2]) / (base[0] / base[2])
    assert ratio.min() >= (1 - d) / (1 + d) - 1e-12 and ratio.max() <= (1 + d) / (1 - d) + 1e-12
    npt.assert_allclose(w.mean(axis=0), base, atol=0.01)
    assert np.array_equal(kr.uniform_weights(base, 0.0, block_seeds(2, 0, 1), BLOCK),
                          np.tile(base / base.sum(), (BLOCK, 1)))


def test_simplex_mean_and_marginal():
    m = 4
    w = kr.simplex_weights(m, block_seeds(5, 0, 300), BLOCK)
    npt.assert_allclose(w.mean(axis=0), 1 / m, atol=0.01)
    # marginal of a flat Dirichlet(1,..,1): Beta(1, m - 1), P(w_1 > 1/2) = (1/2)^(m-1)
    assert abs((w[:, 0] > 0.5).mean() - 0.5 ** (m - 1)) < 0.01


def test_hierarchical_respects_the_hierarchy():
    sysm = IndicatorSystem.from_dict(SYSTEM)
    w = kr.hierarchical_weights(*_hier(sysm), 30.0, block_seeds(7, 0, 300), BLOCK)
    npt.assert_allclose(w.mean(axis=0), sysm.base_weights(), atol=0.01)
    # dimension totals are Dirichlet(kappa * shares) at the top level: mean 1/2 each
    g_in = sysm.group("input").indices
    tot = w[:, g_in].sum(axis=1)
    npt.assert_allclose(tot.mean(), 0.5, atol=0.01)
    npt.assert_allclose(tot.var(), 0.5 * 0.5 / 31, rtol=0.1)


# --- determinism --------------------------------------------------------------------------------


def test_blocks_do_not_depend_on_chunking_or_threads():
    base = IndicatorSystem.from_dict(SYSTEM).base_weights()
    whole = _all_schemes(base, block_seeds(11, 0, 6))
    parts = [_all_schemes(base, block_seeds(11, k, 2)) for k in (0, 2, 4)]
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = _all_schemes(base, block_seeds(11, 0, 6))
    finally:
        numba.set_num_threads(old)
    for name in whole:
        npt.assert_array_equal(whole[name], np.vstack([p[name] for p in parts]), err_msg=name)
        npt.assert_array_equal(whole[name], single[name], err_msg=name)


def test_simulate_weights_prefix_stable():
    p = _panel()
    a = fastinno.simulate_weights(p, draws=100, seed=4)
    b = fastinno.simulate_weights(p, draws=300, seed=4)
    npt.assert_array_equal(a, b[:100])
    assert not np.array_equal(a, fastinno.simulate_weights(p, draws=100, seed=5))


def test_simulate_weights_errors():
    p = _panel()
    with pytest.raises(InputError, match="spread must be in"):
        fastinno.simulate_weights(p, scheme="uniform", spread=1.5)
    with pytest.raises(InputError, match="concentration must be a positive number"):
        fastinno.simulate_weights(p, concentration=-1.0)
    with pytest.raises(InputError, match="Unknown scheme"):
        fastinno.simulate_weights(p, scheme="gaussian")


# --- bootstrap indices ------------------------------------------------------------------------


def test_bootstrap_indices():
    idx = kr.bootstrap_indices(50, block_seeds(1, 0, 20), BLOCK)
    assert idx.shape == (20 * BLOCK, 50) and idx.min() >= 0 and idx.max() < 50
    # P(a region is absent) = (1 - 1/n)^n
    absent = np.mean([50 - np.unique(r).size for r in idx]) / 50
    assert abs(absent - (1 - 1 / 50) ** 50) < 0.01
    npt.assert_array_equal(idx[BLOCK:], kr.bootstrap_indices(50, block_seeds(1, 1, 19), BLOCK))


@pytest.mark.parametrize("n,length", [(10, 3), (7, 7), (5, 1), (1, 1)])
def test_block_bootstrap_indices(n, length):
    idx = kr.block_bootstrap_indices(n, length, block_seeds(3, 0, 4), BLOCK)
    assert idx.shape == (4 * BLOCK, n) and idx.min() >= 0 and idx.max() < n
    for row in idx:
        for s in range(0, n, length):  # runs of consecutive years
            run = row[s : s + length]
            npt.assert_array_equal(np.diff(run), 1)
