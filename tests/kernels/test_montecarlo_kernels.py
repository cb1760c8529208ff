"""Monte Carlo chunk kernels against plain numpy / Python references.

``rank_block`` (index, ranks, agreement, fixed-point sums, histogram bins of a block of draws),
``accumulate_codes`` (rank counts, histograms, outrank counts) and ``merge_sums``. The
references are written the obvious way: the index from its formulas, scipy's ``rankdata`` for
ranks, Python integers for the fixed-point sums, ``np.add.at`` for the counts.
"""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pytest
import scipy.stats as ss

from fastinno.kernels import accumulate as ka
from fastinno.kernels import quantiles as kq
from fastinno.kernels import ranking as krk

FIXED = 1 << 62


def _empty_codes(n_draws, n):
    return np.full((-(-n // krk.SLAB), n_draws, krk.SLAB), -1, np.int32)


def _flat(codes, n):
    """(n_slabs, n_draws, SLAB) codes -> (n_draws, n_regions)."""
    return codes.transpose(1, 0, 2).reshape(codes.shape[1], -1)[:, :n]


def _slabbed(flat):
    n_draws, n = flat.shape
    out = _empty_codes(n_draws, n)
    pad = np.full((n_draws, out.shape[0] * krk.SLAB), -1, np.int32)
    pad[:, :n] = flat
    out[:] = pad.reshape(n_draws, -1, krk.SLAB).transpose(1, 0, 2)
    return out


def _inputs(n_draws, n, form, seed, ties=False, nan=False):
    rng = np.random.default_rng(seed)
    g1 = rng.random((n_draws, n))
    g2 = rng.random((n_draws, n))
    if ties:  # few distinct values: many exact ties within a row
        g1 = np.round(g1 * 4) / 4 + 0.25
        g2 = np.round(g2 * 4) / 4 + 0.25
    if nan:  # both distances 0 -> NaN index
        g1[:, 0] = 0.0
        g2[:, 0] = 0.0
        g1[0, :] = 0.0  # d_pos = 0: a row with index 1 everywhere (NaN in column 0)
        g2[1, 2::2] = 0.0  # d_neg = 0: index 0 in every other region of row 1
    if form == krk.LINEAR:
        g1 = rng.normal(size=(n_draws, n)) if not ties else np.round(rng.normal(size=(n_draws, n)))
        if nan:
            g1[:, 1] = np.nan
        g2 = g1
    base = rng.random(n)
    base[: n // 3] = base[0]  # ties in the base ranking too
    return g1, g2, base


def _reference(g1, g2, form, base, lo, inv_width, n_bins, scale):
    """Index, competition ranks, codes, rho, sums, min / max: plain numpy + Python ints."""
    n_draws, n = g1.shape
    # the index written out: g1 = d_pos^2, g2 = d_neg^2 (LINEAR: g1 is the index itself)
    with np.errstate(divide="ignore", invalid="ignore"):
        if form == krk.LINEAR:
            idx = g1.copy()
        elif form == krk.RATIO2:  # d_neg^2 / (d_pos^2 + d_neg^2) = 1 / (1 + (d_pos / d_neg)^2)
            idx = g2 / (g1 + g2)
        else:  # closeness: d_neg / (d_pos + d_neg)
            idx = np.sqrt(g2) / (np.sqrt(g1) + np.sqrt(g2))
    if form != krk.LINEAR:  # both distances 0: no index (NaN); one of them 0 gives 0 or 1 above
        idx = np.where((g1 == 0.0) & (g2 == 0.0), np.nan, idx)
    key = np.where(np.isnan(idx), -np.inf, idx)  # NaN ranked last, tied
    rmin = np.stack([ss.rankdata(-k, method="min") for k in key]).astype(np.int64)
    ravg = np.stack([ss.rankdata(-k, method="average") for k in key])
    base_avg = ss.rankdata(-base, method="average")
    rho = np.array([np.corrcoef(r, base_avg)[0, 1] if r.std() > 0 else np.nan for r in ravg])
    ok = ~np.isnan(idx)
    bins = np.clip(np.floor((idx - lo) * inv_width), 0, n_bins - 1)
    bins = np.where(ok, bins, krk.NAN_BIN).astype(np.int64)
    codes = (bins << 16) | (rmin - 1)
    sums = [sum(int(np.int64(x * scale[i])) for x in idx[ok[:, i], i]) for i in range(n)]
    vmin = np.array([idx[ok[:, i], i].min() if ok[:, i].any() else np.inf for i in range(n)])
    vmax = np.array([idx[ok[:, i], i].max() if ok[:, i].any() else -np.inf for i in range(n)])
    return idx, codes, rho, sums, vmin, vmax, base_avg


@pytest.mark.parametrize("form", [krk.RATIO2, krk.CLOSENESS, krk.LINEAR])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("nan", [False, True])
def test_rank_block_matches_reference(form, ties, nan):
    n_draws, n, n_bins = 23, 57, 37
    g1, g2, base = _inputs(n_draws, n, form, seed=form * 7 + ties * 3 + nan, ties=ties, nan=nan)
    lo = np.full(n, -3.0 if form == krk.LINEAR else 0.0)
    inv_width = np.full(n, n_bins / (6.0 if form == krk.LINEAR else 1.0))
    inv_width[3] = 0.0  # a constant cell: everything in bin 0
    scale = np.full(n, 2.0**58)
    idx, codes_ref, rho_ref, sums_ref, vmin_ref, vmax_ref, base_avg = _reference(
        g1, g2, form, base, lo, inv_width, n_bins, scale
    )
    base_c2 = np.rint(2 * base_avg).astype(np.int64) - (n + 1)
    hi = np.zeros(n, np.int64)
    lo_w = np.zeros(n, np.int64)
    vmin = np.full(n, np.inf)
    vmax = np.full(n, -np.inf)
    codes = _empty_codes(n_draws + 3, n)
    rho = np.empty(n_draws)
    a1 = g1.copy()
    krk.rank_block(a1, g2.copy(), form, base_c2, int((base_c2**2).sum()), lo, inv_width, n_bins, scale,
                  hi, lo_w, vmin, vmax, codes, 3, rho)
    npt.assert_array_equal(a1, idx)  # g1 overwritten with the index
    assert (a1[np.isnan(a1)].view(np.int64) == np.float64(np.nan).view(np.int64)).all()  # numpy's NaN, not 0/0's
    npt.assert_array_equal(_flat(codes, n)[3:], codes_ref)  # rows first .. first + n_draws
    assert (_flat(codes, n)[:3] == -1).all()  # other rows untouched
    npt.assert_allclose(rho, rho_ref, rtol=1e-13, atol=1e-15)
    npt.assert_array_equal(np.isnan(rho), np.isnan(rho_ref))
    npt.assert_array_equal(vmin, vmin_ref)
    npt.assert_array_equal(vmax, vmax_ref)
    assert ((lo_w >= 0) & (lo_w < FIXED)).all()
    assert [int(h) * FIXED + int(low) for h, low in zip(hi, lo_w)] == sums_ref


def test_rank_block_is_blocking_invariant():
    """Two blocks into the same sums equal one block (integers: order-free)."""
    g1, g2, base = _inputs(40, 31, krk.RATIO2, seed=5)
    n = 31
    args = (krk.RATIO2, np.zeros(n, np.int64), 1, np.zeros(n), np.full(n, 8.0), 8, np.full(n, 2.0**60))
    outs = []
    for cuts in ([0, 40], [0, 17, 40], [0, 1, 2, 40]):
        hi, lo = np.zeros(n, np.int64), np.zeros(n, np.int64)
        mn, mx = np.full(n, np.inf), np.full(n, -np.inf)
        codes = _empty_codes(40, n)
        rho = np.empty(40)
        for s, e in zip(cuts[:-1], cuts[1:]):
            krk.rank_block(g1[s:e].copy(), g2[s:e].copy(), *args, hi, lo, mn, mx, codes, s, rho[s:e])
        outs.append((hi, lo, mn, mx, codes, rho))
    for other in outs[1:]:
        for a, b in zip(outs[0], other):
            npt.assert_array_equal(a, b)


def test_accumulate_codes_matches_add_at():
    rng = np.random.default_rng(3)
    n_draws, n, n_bins = 300, 45, 19
    ranks = np.stack([rng.permutation(n) for _ in range(n_draws)])  # rank - 1
    bins = rng.integers(0, n_bins, size=(n_draws, n))
    bins[::7, 4] = krk.NAN_BIN
    codes = _slabbed(((bins << 16) | ranks).astype(np.int32))
    pairs = np.array([[0, 1], [4, 2], [7, 7], [40, 17]], dtype=np.int64)
    for kernel in (ka.accumulate_codes, ka.accumulate_codes_serial):
        counts = np.ones((n, n), np.int32)  # updated in place, not overwritten
        hist = np.zeros((n, n_bins), np.int32)
        r_lo = np.full(n, n, np.int32)
        r_hi = np.full(n, -1, np.int32)
        r_lo[0], r_hi[0] = -5, n + 5  # running extremes are kept, not overwritten
        outr = kernel(codes, n_draws, counts, hist, r_lo, r_hi, pairs)
        npt.assert_array_equal(r_lo[1:], ranks[:, 1:].min(axis=0))
        npt.assert_array_equal(r_hi[1:], ranks[:, 1:].max(axis=0))
        assert (r_lo[0], r_hi[0]) == (-5, n + 5)
        c_ref = np.ones((n, n), np.int32)
        np.add.at(c_ref, (np.tile(np.arange(n), n_draws), ranks.ravel()), 1)
        h_ref = np.zeros((n, n_bins), np.int32)
        ok = bins != krk.NAN_BIN
        np.add.at(h_ref, (np.tile(np.arange(n), n_draws)[ok.ravel()], bins.ravel()[ok.ravel()]), 1)
        npt.assert_array_equal(counts, c_ref)
        npt.assert_array_equal(hist, h_ref)
        npt.assert_array_equal(outr, [(ranks[:, a] < ranks[:, b]).sum() for a, b in pairs])


def test_merge_sums_is_exact():
    rng = np.random.default_rng(4)
    n = 50
    hi = rng.integers(-5, 5, n)
    lo = rng.integers(0, FIXED, n)
    p_hi = rng.integers(-5, 5, n)
    p_lo = rng.integers(0, FIXED, n)
    vmin, vmax = rng.random(n), rng.random(n) + 1
    p_min, p_max = rng.random(n), rng.random(n) + 1
    want = [int(a) * FIXED + int(b) + int(c) * FIXED + int(d) for a, b, c, d in zip(hi, lo, p_hi, p_lo)]
    want_min, want_max = np.minimum(vmin, p_min), np.maximum(vmax, p_max)
    ka.merge_sums(hi, lo, vmin, vmax, p_hi, p_lo, p_min, p_max)
    assert [int(a) * FIXED + int(b) for a, b in zip(hi, lo)] == want
    assert ((lo >= 0) & (lo < FIXED)).all()
    npt.assert_array_equal(vmin, want_min)
    npt.assert_array_equal(vmax, want_max)


def test_rho_of_identical_ranking_is_one():
    """A draw equal to the base ranking has rho exactly 1 (integer sums)."""
    n = 101
    base = np.linspace(0.1, 0.9, n)
    g1 = np.tile(base, (3, 1))
    base_avg = ss.rankdata(-base)
    base_c2 = np.rint(2 * base_avg).astype(np.int64) - (n + 1)
    codes = _empty_codes(3, n)
    rho = np.empty(3)
    krk.rank_block(g1, g1, krk.LINEAR, base_c2, int((base_c2**2).sum()),
                  np.zeros(n), np.ones(n), 1, np.full(n, 2.0**60), np.zeros(n, np.int64), np.zeros(n, np.int64),
                  np.full(n, np.inf), np.full(n, -np.inf), codes, 0, rho)
    assert (rho == 1.0).all()
    assert (_flat(codes, n) & krk.RANK_MASK == np.arange(n)[::-1]).all()  # largest value = rank 1


def test_rank_stats_match_numpy_on_the_draws():
    """Mean, linear quantiles, top-k shares and |rank - base| sums from the counts equal numpy on
    the draws themselves."""
    rng = np.random.default_rng(9)
    n, n_draws = 13, 201
    base = (rng.permutation(n) + 1).astype(np.int64)
    ranks = rng.integers(1, n + 1, size=(n_draws, n))
    ranks[:, 3] = 5  # a region that never moves
    counts = np.zeros((n, n), np.int32)
    np.add.at(counts, (np.tile(np.arange(n), n_draws), ranks.ravel() - 1), 1)
    qs = np.array([0.95, 0.05, 0.5, 0.0, 1.0, 1 / 3])
    top_k = np.array([1, 3, 20], dtype=np.int64)
    window = ((ranks - 1).min(axis=0).astype(np.int32), (ranks - 1).max(axis=0).astype(np.int32))
    mean, quant, top, shift = kq.rank_stats(counts, n_draws, qs, top_k, base, *window)
    # a wider window (the whole row) gives the same numbers; a window is all the kernel reads
    wide = kq.rank_stats(counts, n_draws, qs, top_k, base, np.zeros(n, np.int32), np.full(n, n - 1, np.int32))
    for a, b in zip((mean, quant, top, shift), wide):
        npt.assert_array_equal(a, b)
    npt.assert_allclose(mean, ranks.mean(axis=0), rtol=1e-15)
    npt.assert_array_equal(quant, np.quantile(ranks, qs, axis=0).T)
    npt.assert_array_equal(top, np.stack([(ranks <= k).mean(axis=0) for k in top_k], axis=1))
    npt.assert_array_equal(shift, np.abs(ranks - base).sum(axis=0))


def test_hist_quantiles_within_one_bin_and_clamped():
    rng = np.random.default_rng(10)
    n_bins = 64
    x = rng.random((5, 999))
    x[2] = 0.5  # one value only: clamped to the exact min / max
    lo, width = np.zeros(5), np.full(5, 1.0 / n_bins)
    hist = np.stack([np.bincount(np.minimum((r * n_bins).astype(np.int64), n_bins - 1), minlength=n_bins) for r in x])
    hist[4] = 0  # empty row -> NaN
    qs = np.array([0.95, 0.05, 0.5])
    full = (np.zeros(5, np.int64), np.full(5, n_bins - 1, np.int64))
    got, total = kq.hist_quantiles(hist, lo, width, x.min(axis=1), x.max(axis=1), qs, *full)
    npt.assert_array_equal(total, hist.sum(axis=1))
    nz = [np.flatnonzero(h) for h in hist[:4]]
    window = (np.array([z[0] for z in nz] + [1]), np.array([z[-1] for z in nz] + [0]))  # last: empty
    got_w, total_w = kq.hist_quantiles(hist, lo, width, x.min(axis=1), x.max(axis=1), qs, *window)
    npt.assert_array_equal(got_w, got)
    npt.assert_array_equal(total_w, total)
    want = np.quantile(x, qs, axis=1).T
    assert (np.abs(got[:4] - want[:4]) <= 1.0 / n_bins).all()
    npt.assert_array_equal(got[2], 0.5)
    assert np.isnan(got[4]).all()


@pytest.mark.parametrize("rank_bits", [17, 20])
def test_rank_block_wide_rank_field(rank_bits):
    """Wider rank fields (past 65,536 regions) move the bin up: same ranks, bins and NaN code."""
    n_draws, n, n_bins = 9, 40, 11
    g1, g2, base = _inputs(n_draws, n, krk.RATIO2, seed=12, ties=True, nan=True)
    lo, inv_width, scale = np.zeros(n), np.full(n, float(n_bins)), np.full(n, 2.0**58)
    _, codes16, *_ = _reference(g1, g2, krk.RATIO2, base, lo, inv_width, n_bins, scale)
    base_c2 = np.rint(2 * ss.rankdata(-base)).astype(np.int64) - (n + 1)
    codes = _empty_codes(n_draws, n)
    krk.rank_block(g1.copy(), g2.copy(), krk.RATIO2, base_c2, int((base_c2**2).sum()), lo, inv_width, n_bins,
                   scale, np.zeros(n, np.int64), np.zeros(n, np.int64), np.full(n, np.inf), np.full(n, -np.inf),
                   codes, 0, np.empty(n_draws), rank_bits)
    got = _flat(codes, n).astype(np.int64)
    bins16 = codes16 >> 16
    want_bins = np.where(bins16 == krk.NAN_BIN, krk.nan_bin(rank_bits), bins16)
    npt.assert_array_equal(got & ((1 << rank_bits) - 1), codes16 & krk.RANK_MASK)
    npt.assert_array_equal(got >> rank_bits, want_bins)
    assert krk.rank_bits_for(65_536) == 16 and krk.rank_bits_for(65_537) == 17 and krk.rank_bits_for(1) == 16


@pytest.mark.parametrize("shift,rank_bits", [(0, 16), (2, 16), (3, 19)])
def test_accumulate_ranks_histograms_and_exact_sums(shift, rank_bits):
    rng = np.random.default_rng(13)
    n_draws, n, n_bins = 250, 45, 19
    ranks = np.stack([rng.permutation(n) for _ in range(n_draws)])  # rank - 1
    ranks[::5, 9] = ranks[::5, 10] = 0  # ties at the top
    bins = rng.integers(0, n_bins, size=(n_draws, n))
    nan_b = krk.nan_bin(rank_bits)
    bins[::7, 4] = nan_b
    codes = _slabbed(((bins << rank_bits) | ranks).astype(np.int32))
    pairs = np.array([[0, 1], [9, 10], [40, 17]], dtype=np.int64)
    base = (rng.permutation(n) + 1).astype(np.int64)
    top_k = np.array([1, 5, 100], dtype=np.int64)
    n_rb = ((n - 1) >> shift) + 1
    for kernel in (ka.accumulate_ranks, ka.accumulate_ranks_serial):
        counts = np.zeros((n, n_rb), np.int32)
        hist = np.zeros((n, n_bins), np.int32)
        r_lo, r_hi = np.full(n, n, np.int32), np.full(n, -1, np.int32)
        m = n if shift else 0
        rsum, ssum = np.zeros(m, np.int64), np.zeros(m, np.int64)
        top = np.zeros((m, top_k.size if m else 0), np.int64)
        outr = kernel(codes, n_draws, rank_bits, shift, counts, hist, r_lo, r_hi, base if shift else base[:0],
                      top_k, rsum, ssum, top, pairs)
        c_ref = np.zeros((n, n_rb), np.int32)
        np.add.at(c_ref, (np.tile(np.arange(n), n_draws), ranks.ravel() >> shift), 1)
        npt.assert_array_equal(counts, c_ref)
        ok = bins != nan_b
        h_ref = np.zeros((n, n_bins), np.int32)
        np.add.at(h_ref, (np.tile(np.arange(n), n_draws)[ok.ravel()], bins.ravel()[ok.ravel()]), 1)
        npt.assert_array_equal(hist, h_ref)
        npt.assert_array_equal(r_lo, ranks.min(axis=0))
        npt.assert_array_equal(r_hi, ranks.max(axis=0))
        npt.assert_array_equal(outr, [(ranks[:, a] < ranks[:, b]).sum() for a, b in pairs])
        if shift:
            npt.assert_array_equal(rsum, (ranks + 1).sum(axis=0))
            npt.assert_array_equal(ssum, np.abs(ranks + 1 - base).sum(axis=0))
            npt.assert_array_equal(top, np.stack([(ranks + 1 <= k).sum(axis=0) for k in top_k], axis=1))


def test_rank_hist_quantiles_within_a_bin():
    rng = np.random.default_rng(14)
    n, n_draws = 37, 301
    ranks = rng.integers(1, n + 1, size=(n_draws, n))
    ranks[:, 3] = 29  # never moves: exact from the running min / max
    ranks[:, 5] = rng.integers(30, 33, size=n_draws)  # inside one bin of 4 or 8
    qs = np.array([0.05, 0.5, 0.95, 0.0, 1.0, 1 / 3])
    lo = (ranks - 1).min(axis=0).astype(np.int32)
    hi = (ranks - 1).max(axis=0).astype(np.int32)
    want = np.quantile(ranks, qs, axis=0).T
    counts = np.zeros((n, n), np.int32)
    np.add.at(counts, (np.tile(np.arange(n), n_draws), ranks.ravel() - 1), 1)
    # shift 0: the exact counts give rank_stats' quantiles (= numpy's) bit for bit
    npt.assert_array_equal(kq.rank_hist_quantiles(counts, 0, n_draws, qs, lo, hi), want)
    for shift in (1, 2, 3, 6):
        w = 1 << shift
        hist = np.zeros((n, ((n - 1) >> shift) + 1), np.int32)
        np.add.at(hist, (np.tile(np.arange(n), n_draws), (ranks.ravel() - 1) >> shift), 1)
        got = kq.rank_hist_quantiles(hist, shift, n_draws, qs, lo, hi)
        assert (np.abs(got - want) <= w - 1 + 1e-12).all()
        assert (got >= lo[:, None] + 1).all() and (got <= hi[:, None] + 1).all()
        npt.assert_array_equal(got[3], 29.0)
