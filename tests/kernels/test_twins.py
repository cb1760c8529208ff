"""Parallel kernels and their serial twins: the same bits either way, and the size rule."""

from __future__ import annotations

import importlib
import pkgutil

import naive
import numba
import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastinno.kernels as kernels_pkg
from fastinno.kernels import additive as kadd
from fastinno.kernels import compromise as kc
from fastinno.kernels import distance as kd
from fastinno.kernels import normalize as kn
from fastinno.kernels import quantiles as kq
from fastinno.kernels import rank as krank
from fastinno.kernels import relational as krel
from fastinno.kernels import resample as kr
from fastinno.kernels import twins


def all_twins() -> dict[str, twins.ParallelTwin]:
    """Every twin of the kernel package, by module.name."""
    found = {}
    for m in pkgutil.iter_modules(kernels_pkg.__path__):
        mod = importlib.import_module(f"fastinno.kernels.{m.name}")
        for name, obj in vars(mod).items():
            if isinstance(obj, twins.ParallelTwin) and obj.__module__ == mod.__name__:
                found[f"{m.name}.{name}"] = obj
    return found


def _cube(rng, shape=(37, 6, 5)):
    cube = rng.uniform(0.5, 3.0, size=shape)
    cube[:, :, 2] = 1.25  # a constant indicator: the constant-cell branches run too
    return cube, np.array([False, True, False, True, False])


def _scope_stats(rng):
    cube, _ = _cube(rng)
    return [kn.scope_stats(cube, method, scope) for method in range(4) for scope in range(3)]


def _standardize(rng):
    cube, cost = _cube(rng)
    return [kn.standardize_cube(cube, cost, method, scope) for method in range(4) for scope in range(3)]


def _squared_deviations(rng):
    x, _ = _cube(rng)
    return [kn.squared_deviations(x, scope) for scope in range(3)]


def _weighted_squared_distances(rng):
    x, _ = _cube(rng)
    w = rng.dirichlet(np.ones(5))
    return [kd.weighted_squared_distances(x, w, scope) for scope in range(3)]


def _topsis_raw(rng):
    x = rng.uniform(0.5, 3.0, size=(41, 6))
    x[:, 2] = 1.25
    cost = np.array([False, True, False, True, False, True])
    w = rng.dirichlet(np.ones(6))
    out = []
    for method in range(4):
        mn, mx, s1, s2, _ = kn.matrix_stats(x, True)
        scale = kn.matrix_scale(x, method, mn, s1, s2)[1]
        out += [kd.topsis_raw(x, w, cost, method, mn, mx, scale, form) for form in (kd.RATIO2, kd.CLOSENESS)]
    return out


def _batched(rng):
    x3 = rng.uniform(0.5, 3.0, size=(3, 45, 5))
    x3[1, :, 2] = 1.25
    cost = np.array([False, True, False, True, False])
    out = [kn.cell_stats(x3, sq, np.full(5, inv), lg) for sq, inv, lg in ((False, False, False), (True, True, True))]
    out.append(kn.cell_stats(x3, False, cost, False))
    out.append(kn.cell_centered_sq(x3, x3.mean(axis=1)))
    for method in (kn.SUM, kn.MAX, kn.LOG, kn.MINMAX):
        out.append(kn.apply_linear(x3, *kn.batched_coefficients(x3, cost, method)))
    return out


def _methods_batch(rng):
    x3 = rng.uniform(1.0, 9.0, size=(3, 37, 6))
    x3[1, :, 4] = 2.5  # a constant indicator in one cell
    cost = np.array([False, True, False, False, True, False])
    w2 = rng.dirichlet(np.ones(6), size=3)
    return x3, cost, w2


def _compromise(rng):
    x3, cost, w2 = _methods_batch(rng)
    one = kc.column_stats(x3[:1], True)  # one cell: normalize.matrix_stats
    mn, mx, s1, s2, _ = kc.column_stats(x3, True)  # several: the per-cell kernel
    e, t = kc.codas_distances(x3, w2, cost, kn.MAX_RATIO, mn, mx, s1, s2)
    return [*one[:4], mn, mx, s1, s2, *kc.vikor_sr(x3, w2, cost, mn, mx),
            *kc.edas_sums(x3, w2, cost, s1 / x3.shape[1], mn, mx), e, t, kc.codas_score(e, t, 0.02),
            kc.spotis_distance(x3, w2, cost, mn, mx), *kc.marcos_utility(x3, w2, cost, mn, mx),
            *[a for code in (kc.COCOSO_MINMAX, kc.COCOSO_MAX_RATIO) for a in kc.cocoso_sums(x3, w2, cost, code, mn, mx)],
            *kc.cocoso_score(*kc.cocoso_sums(x3, w2, cost, kc.COCOSO_MAX_RATIO, mn, mx), 0.4)]


def _additive(rng):
    x3, cost, _ = _methods_batch(rng)
    out = []
    for method in (kn.SUM, kn.MAX_RATIO, kn.LOG):
        a, b, g = kn.batched_coefficients(x3, cost, method)
        out += [kadd.linear_scores(x3, a[:, None], b.sum(axis=1)[:, None], g),
                kadd.power_scores(x3, a, b, g, np.full((3, 6), 1 / 6), True)[0],
                kadd.log_shift_sums(x3, a, b, g)]
    return out


def _hew(rng):
    cube, cost = _cube(rng)
    w = rng.dirichlet(np.ones(5))
    ptr = np.array([0, 2, 5], np.int64)
    idx = np.arange(5, dtype=np.int64)
    cptr = np.zeros(3, np.int64)
    cidx = np.zeros(0, np.int64)
    return [kd.hew_index_cube(cube, cost, method, scope, w, ptr, idx, cptr, cidx, form)
            for method in range(4) for scope in range(3) for form in (kd.RATIO2, kd.CLOSENESS)]


def _counts_of(ranks):
    n_draws, n = ranks.shape
    counts = np.zeros((n, n), np.int32)
    np.add.at(counts, (np.tile(np.arange(n), n_draws), ranks.ravel() - 1), 1)
    return counts, n_draws


def _counts(rng, n=23, n_draws=401):
    ranks = rng.integers(1, n + 1, size=(n_draws, n))
    return *_counts_of(ranks)[:1], ranks, n_draws


QS = np.array([0.0, 0.05, 0.5, 0.95, 1.0])


def _rank_stats(rng):
    counts, ranks, n_draws = _counts(rng)
    n = counts.shape[0]
    lo = (ranks.min(axis=0) - 1).astype(np.int32)
    hi = (ranks.max(axis=0) - 1).astype(np.int32)
    return kq.rank_stats(counts, n_draws, QS, np.array([1, 3, 10]), np.arange(1, n + 1), lo, hi)


def _rank_hist_quantiles(rng):
    counts, ranks, n_draws = _counts(rng)
    lo = (ranks.min(axis=0) - 1).astype(np.int32)
    hi = (ranks.max(axis=0) - 1).astype(np.int32)
    return [kq.rank_hist_quantiles(counts, 0, n_draws, QS, lo, hi)]


def _hist_quantiles(rng):
    x = rng.normal(size=(29, 500))
    n_bins = 64
    lo = x.min(axis=1)
    width = (x.max(axis=1) - lo) / n_bins * (1 + 1e-9)
    b = np.minimum(((x - lo[:, None]) / width[:, None]).astype(np.int64), n_bins - 1)
    hist = np.zeros((29, n_bins), np.int64)
    np.add.at(hist, (np.repeat(np.arange(29), 500), b.ravel()), 1)
    return kq.hist_quantiles(hist, lo, width, x.min(axis=1), x.max(axis=1), QS,
                             np.zeros(29, np.int64), np.full(29, n_bins - 1, np.int64))


def _exact_quantiles(rng):
    v = rng.normal(size=(3, 301, 19))
    v[0, ::7, 2] = np.nan
    v[1, :, 5] = np.nan
    return [kq.exact_quantiles(v, QS)]


def _rows(rng, k=7, n=300):
    x = rng.normal(size=(k, n))
    x[:, 10:40] = 0.5  # a long run of ties (sorted exactly inside runs of equal keys)
    x[:, 50:90] = 0.25 + np.arange(40) * 1e-15  # values closer than the key resolution
    x[2, 5] = -0.0
    return x


def _packed(rng):
    x = _rows(rng)
    shift = krank.index_bits(x.shape[1])
    return x, np.sort(krank.pack_keys(x, shift), axis=1), shift


def _rank_rows(rng):
    x, s, shift = _packed(rng)
    base = np.arange(1.0, x.shape[1] + 1)
    return [krank.pack_keys(x, shift), krank.ranks_rows_packed(x, s, shift, True),
            krank.ranks_rows_packed(x, s, shift, False), krank.competition_ranks_rows_packed(x, s, shift),
            *[krank.spearman_rows_vs_one_fused(x, s, shift, base, m) for m in (krank.PEARSON, krank.D2)],
            *[krank.spearman_rows_vs_one_ordered(x, np.argsort(x, axis=1), base, m)
              for m in (krank.PEARSON, krank.D2)]]


def _cells(rng, c=5, k=4, n=60):
    u = rng.uniform(size=(c, k, n))
    u[1] = u[1, :1]  # every method agrees: equal drifts
    ranks = np.array([[krank.average_ranks(r, False) for r in cell] for cell in u])
    keep = np.ones((c, k), bool)
    keep[2, 1] = False
    ref = np.array([krank.average_ranks(cell[keep[i]].mean(axis=0), False) for i, cell in enumerate(u)])
    return u, keep, ranks, ref


def _drift(rng):
    u, keep, ranks, ref = _cells(rng)
    return [krank.drift_degree_cells(u, keep, ranks, ref, m, 1e-12) for m in (krank.PEARSON, krank.D2)]


def _cell_correlations(rng):
    _, _, ranks, _ = _cells(rng)
    return [krank.cell_correlations(ranks, m) for m in (krank.PEARSON, krank.D2)]


def _cell_scores(rng):
    t, m, n = 3, 6, 80
    pt = rng.uniform(size=(t, m, n))
    cell_year = np.array([0, 1, 2, 2], np.int64)
    cell_ptr = np.array([0, 6, 9, 12, 18], np.int64)
    cell_idx = np.array([*range(6), 0, 1, 2, 3, 4, 5, *range(6)], np.int64)
    w = [np.concatenate([rng.dirichlet(np.ones(b - a)) for a, b in zip(cell_ptr[:-1], cell_ptr[1:])])
         for _ in range(3)]
    methods = np.array([krel.M_ENTROPY, krel.M_MAX_DEVIATION, krel.M_TOPSIS, krel.M_GRA], np.int64)
    return krel.cell_scores(pt, cell_year, cell_ptr, cell_idx, *w, methods, 0.5)


SEEDS = np.array([11, 12, 13, 14, 15], np.int64)


def _hier_args():
    return (np.array([-1, -1], np.int64), np.array([0.4, 0.6]), np.array([0, 0, 1, 1, -1], np.int64),
            np.array([0.5, 0.5, 0.3, 0.7, 0.2]))


#: One case per twin (module.name -> a call through its public path): the test below fails when
#: a new twin has no case.
CASES = {
    "normalize._minmax_sums": _scope_stats,
    "normalize._centered_sq": _scope_stats,
    "normalize._apply_standardize": _standardize,
    "normalize._squared_deviations": _squared_deviations,
    "normalize.cell_stats": _batched,
    "normalize.cell_centered_sq": _batched,
    "normalize.apply_linear": _batched,
    "distance._weighted_squared_distances": _weighted_squared_distances,
    "distance._hew_cells": _hew,
    "compromise._stats_cells": _compromise,
    "normalize.matrix_stats": _topsis_raw,
    "compromise.vikor_sr": _compromise,
    "compromise.edas_sums": _compromise,
    "compromise.codas_distances": _compromise,
    "compromise.codas_score": _compromise,
    "compromise.spotis_distance": _compromise,
    "compromise.marcos_utility": _compromise,
    "compromise.cocoso_sums": _compromise,
    "compromise.cocoso_score": _compromise,
    "additive.linear_scores": _additive,
    "additive.power_scores": _additive,
    "additive.log_shift_sums": _additive,
    "distance.topsis_raw": _topsis_raw,
    "quantiles.rank_stats": _rank_stats,
    "quantiles.rank_hist_quantiles": _rank_hist_quantiles,
    "quantiles.hist_quantiles": _hist_quantiles,
    "quantiles.exact_quantiles": _exact_quantiles,
    "rank.pack_keys": _rank_rows,
    "rank.ranks_rows_packed": _rank_rows,
    "rank.competition_ranks_rows_packed": _rank_rows,
    "rank.spearman_rows_vs_one_fused": _rank_rows,
    "rank.spearman_rows_vs_one_ordered": _rank_rows,
    "rank.drift_degree_cells": _drift,
    "rank.cell_correlations": _cell_correlations,
    "relational.cell_scores": _cell_scores,
    "resample.dirichlet_weights": lambda rng: kr.dirichlet_weights(np.array([0.2, 0.0, 0.5, 0.3]), 20.0, SEEDS, 8),
    "resample.uniform_weights": lambda rng: kr.uniform_weights(np.array([0.2, 0.0, 0.5, 0.3]), 0.4, SEEDS, 8),
    "resample.simplex_weights": lambda rng: kr.simplex_weights(6, SEEDS, 8),
    "resample.hierarchical_weights": lambda rng: kr.hierarchical_weights(*_hier_args(), 15.0, SEEDS, 8),
    "resample.bootstrap_indices": lambda rng: kr.bootstrap_indices(17, SEEDS, 8),
    "resample.block_bootstrap_indices": lambda rng: kr.block_bootstrap_indices(17, 4, SEEDS, 8),
}


def test_every_twin_has_a_case():
    assert set(all_twins()) == set(CASES)


def _flatten(out):
    if isinstance(out, np.ndarray):
        return [out]
    if isinstance(out, (int, float, np.number)):
        return [np.asarray(out).reshape(1)]
    return [a for o in out for a in _flatten(o)]


def _same_bits_both_ways(name, mode):
    with twins.forced("serial"):
        serial = _flatten(CASES[name](np.random.default_rng(5)))
    with twins.forced(mode):
        other = _flatten(CASES[name](np.random.default_rng(5)))
    assert len(serial) == len(other) > 0
    for a, b in zip(serial, other, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        npt.assert_array_equal(a.view(np.uint8), b.view(np.uint8))  # bits, NaNs and signed zeros included


@pytest.mark.parametrize("name", sorted(CASES))
def test_serial_and_parallel_twins_give_the_same_bits(name):
    _same_bits_both_ways(name, "parallel")


NUMPY_VERSIONS = sorted(name for name, twin in all_twins().items() if twin.numpy is not None)


def test_the_summary_kernels_have_numpy_versions():
    assert {"quantiles.rank_stats", "quantiles.hist_quantiles", "quantiles.exact_quantiles"} <= set(NUMPY_VERSIONS)


@pytest.mark.parametrize("name", NUMPY_VERSIONS)
def test_numpy_versions_give_the_serial_twins_bits(name):
    _same_bits_both_ways(name, "numpy")


def test_a_tiered_numpy_version_serves_only_the_first_calls(monkeypatch):
    twin = kn.matrix_stats
    monkeypatch.setattr(twin, "numpy_calls", 2)
    tiny = np.ones((4, 3))
    assert [twin.pick(tiny, False) for _ in range(4)] == [twin.numpy, twin.numpy, twin.serial, twin.serial]


def test_size_rule_picks_the_numpy_version_below_its_limit():
    twin = kq.exact_quantiles
    qs = np.array([0.5])
    assert twin.pick(np.zeros((1, 10, 3)), qs) is twin.numpy
    big = np.zeros((1, twins.SUMMARY_NUMPY_BELOW, 1))
    assert twin.pick(big, qs) is twin.serial
    assert kd.topsis_raw.numpy is None
    assert kd.topsis_raw.pick(np.ones((4, 3))) is kd.topsis_raw.serial
    with twins.forced("numpy"):  # a twin without a numpy version runs serially
        assert kd.topsis_raw.pick(np.ones((4, 3))) is kd.topsis_raw.serial


def test_size_rule_picks_the_serial_twin_for_small_calls():
    twin = kn.matrix_stats
    small = np.ones((kn.MATRIX_BLOCK_ELEMS // 3 + 1, 3))  # past its numpy version's limit
    large = np.ones((twins.SERIAL_MAX_ELEMENTS // 3 + 1, 3))
    assert twin.pick(small, False) is twin.serial
    assert twin.pick(large, False) is twin.parallel
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        assert twin.pick(large, False) is twin.serial
    finally:
        numba.set_num_threads(before)
    # a work function replaces the element count: 10 seeds x 64 draws x 300 indicators
    w = kr.dirichlet_weights
    assert w.pick(np.ones(300) / 300, 5.0, np.arange(10), 64) is w.parallel
    assert w.pick(np.ones(3) / 3, 5.0, np.arange(10), 64) is w.serial


def test_numpy_versions_are_not_allowed_while_a_numba_mode_is_forced():
    assert twins.numpy_allowed()
    for mode, allowed in (("serial", False), ("parallel", False), ("numpy", True)):
        with twins.forced(mode):
            assert twins.numpy_allowed() is allowed
    assert twins.numpy_allowed()


def test_forced_rejects_unknown_modes():
    with pytest.raises(ValueError, match="serial"):
        twins.forced("gpu")


def test_readonly_is_a_view_that_cannot_be_written():
    a = np.arange(6.0)
    v = twins.readonly(a)
    assert not v.flags.writeable and np.shares_memory(a, v)
    assert twins.readonly(v) is v
    assert a.flags.writeable


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.float64, st.integers(0, 80),
                  elements=st.floats(allow_nan=False, allow_infinity=True, width=64)))
def test_sort_values_matches_naive(a):
    got = a.copy()
    kq.sort_values(got)
    npt.assert_array_equal(got, naive.sort_values(a))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(1, 9))
def test_numpy_summaries_match_the_serial_kernels_on_awkward_input(seed, n_draws, n_regions):
    """Ties, NaN-only cells, empty histogram rows and narrow windows: the numpy versions give
    the serial kernels' bits (Monte Carlo output is finite or NaN; column statistics also see
    signed zeros and infinities)."""
    rng = np.random.default_rng(seed)
    qs = np.sort(rng.uniform(size=4))
    v = rng.choice(np.array([0.0, 1.0, 2.5, -3.0, np.nan]), size=(2, n_draws, n_regions))
    v += rng.normal(size=v.shape) * (rng.uniform(size=v.shape) < 0.5)
    v[0, :, 0] = np.nan
    hist = rng.integers(0, 3, size=(n_regions, 12)).astype(np.int32)
    hist[0] = 0
    bin_lo = rng.integers(-1, 6, size=n_regions)
    bin_hi = bin_lo + rng.integers(-1, 8, size=n_regions)
    lo, width = rng.normal(size=n_regions), rng.uniform(0.1, 1.0, size=n_regions)
    vmin, vmax = lo + width, lo + 10 * width
    ranks = rng.integers(1, n_regions + 1, size=(n_draws, n_regions)) if n_regions > 1 else np.ones((n_draws, 1), np.int64)
    counts, _ = _counts_of(ranks)
    base = rng.integers(1, n_regions + 1, n_regions)
    calls = [
        lambda: [kq.exact_quantiles(v, qs)],
        lambda: kq.hist_quantiles(hist, lo, width, vmin, vmax, qs, bin_lo, bin_hi),
        lambda: kq.rank_stats(counts, n_draws, qs, np.array([1, 2, 50]), base,
                              (ranks.min(axis=0) - 1).astype(np.int32), (ranks.max(axis=0) - 1).astype(np.int32)),
    ]
    mat = rng.choice(np.array([0.0, -0.0, 1.5, -2.0, np.inf, -np.inf, np.nan]), size=(n_draws, n_regions))
    mat = np.where(rng.uniform(size=mat.shape) < 0.5, rng.normal(size=mat.shape), mat)
    calls += [lambda: kn.matrix_stats(mat, True), lambda: kn.matrix_stats(-mat[:, ::-1].copy(), False)]
    for call in calls:
        with twins.forced("serial"):
            a = _flatten(call())
        with twins.forced("numpy"):
            b = _flatten(call())
        for x, y in zip(a, b, strict=True):
            assert x.dtype == y.dtype and x.shape == y.shape
            if x.dtype.kind == "f":  # a NaN's sign and payload are not a result (inf - inf sums)
                npt.assert_array_equal(np.isnan(x), np.isnan(y))
                x, y = np.where(np.isnan(x), 0.0, x), np.where(np.isnan(y), 0.0, y)
            npt.assert_array_equal(x.view(np.uint8), y.view(np.uint8))
