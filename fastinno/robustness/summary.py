"""Assembly of a robustness run's accumulators into a :class:`fastinno.RobustnessResult`.

Rank statistics come exactly from the rank-position counts, or (rank histograms, past the
counts' memory budget) the mean, top-k shares and shifts from exact integer sums and the rank
quantiles and acceptability shares per bin of ``rank_resolution`` ranks; index quantiles from the kept draws
(exact) or the histograms (accurate to one bin, clamped to the exact running min / max); means
from the exact fixed-point sums.
"""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

from .. import _config
from ..errors import FastinnoWarning, format_keys
from ..kernels import quantiles as kq
from ..kernels import ranking as krk
from .accumulators import fixed_mean

__all__ = ["bin_window", "rank_summary", "result"]


def bin_window(ctx, acc) -> tuple[np.ndarray, np.ndarray]:
    """Bins of the running min / max of every cell (the same map as ``ranking.rank_block``), widened by
    one bin each way: every non-zero histogram count lies inside. Empty cells get an empty window."""
    ok = np.isfinite(acc.vmin) & np.isfinite(acc.vmax)
    with np.errstate(invalid="ignore"):
        b_lo = np.where(ok, (np.where(ok, acc.vmin, 0.0) - ctx.lo) * ctx.inv_width, 1.0)
        b_hi = np.where(ok, (np.where(ok, acc.vmax, 0.0) - ctx.lo) * ctx.inv_width, 0.0)
    top = ctx.n_bins - 1
    b_lo = np.clip(np.floor(b_lo), 0, top).astype(np.int64) - 1
    b_hi = np.clip(np.floor(b_hi), 0, top).astype(np.int64) + 1
    b_lo[~ok], b_hi[~ok] = 1, 0
    return b_lo, b_hi


def rank_summary(ctx, acc, base_rank, top_k):
    """Mean rank, (rank_p05, median_rank, rank_p95), {k: p_top_k} and the |rank - base rank| sums,
    as (years, regions) arrays.

    Exact counts: everything from the counts (:func:`kq.rank_stats`). Rank histograms: the mean,
    top-k shares and shifts from their exact integer sums (the same divisions as ``rank_stats``),
    the quantiles from the histograms within ``2^shift - 1`` ranks (:func:`kq.rank_hist_quantiles`).
    """
    n_years, n_regions = ctx.lo.shape
    n = acc.n
    qs = np.array([0.05, 0.5, 0.95])
    flat_counts = acc.counts.reshape(n_years * n_regions, -1)
    if ctx.rank_shift == 0:
        mean_rank, rq, ptop, shift = kq.rank_stats(flat_counts, n, qs, np.array(top_k, dtype=np.int64),
                                                   np.ascontiguousarray(base_rank, dtype=np.int64).ravel(),
                                                   acc.rank_lo.ravel(), acc.rank_hi.ravel())
    else:
        mean_rank = acc.rank_sum.ravel() / n
        ptop = acc.top_counts.reshape(n_years * n_regions, -1) / n
        shift = acc.shift_sum.ravel()
        rq = kq.rank_hist_quantiles(flat_counts, ctx.rank_shift, n, qs, acc.rank_lo.ravel(), acc.rank_hi.ravel())
    quantiles = tuple(rq[:, k].reshape(n_years, n_regions) for k in range(3))
    p_top = {k: ptop[:, m].reshape(n_years, n_regions) for m, k in enumerate(top_k)}
    return mean_rank.reshape(n_years, n_regions), quantiles, p_top, shift


def result(panel, ctx, acc, base_index, base_rank, top_k, acceptability, pair_idx, seed, meta,
           weights_frame=None, variance_shares=None, growth=None):
    """The :class:`fastinno.RobustnessResult` of a finished run (summary, agreement, optional tables)."""
    from ..results import RobustnessResult

    n_years, n_regions = ctx.lo.shape
    n = acc.n
    mean_rank, (r05, med_rank, r95), p_top, shift = rank_summary(ctx, acc, base_rank, top_k)
    hist = acc.hist
    total = acc.sum_hi.astype(object) * krk.FIXED_BASE + acc.sum_lo.astype(object)
    qs = np.array([0.05, 0.5, 0.95])
    if acc.exact is not None:
        # exact: numpy's linear quantiles of every kept draw (a reshape of the C-order matrix is a view)
        iq = kq.exact_quantiles(acc.exact.reshape(n_years, -1, n_regions), qs)
        q = {p: iq[:, :, k] for k, p in enumerate((0.05, 0.5, 0.95))}
        res_width = 0.0
        n_ok = hist.sum(axis=-1, dtype=np.int64)
    else:
        width = np.where(ctx.inv_width > 0, 1.0 / np.where(ctx.inv_width > 0, ctx.inv_width, 1.0), 0.0)
        b_lo, b_hi = bin_window(ctx, acc)
        iq, n_ok = kq.hist_quantiles(hist.reshape(n_years * n_regions, -1), ctx.lo.ravel(), width.ravel(),
                                     acc.vmin.ravel(), acc.vmax.ravel(), qs, b_lo.ravel(), b_hi.ravel())
        n_ok = n_ok.reshape(n_years, n_regions)
        q = {p: iq[:, k].reshape(n_years, n_regions) for k, p in enumerate((0.05, 0.5, 0.95))}
        res_width = float(np.max(width)) if width.size else 0.0
    mean_index = fixed_mean(total, n_ok, ctx.sum_scale)
    meta = {**meta, "quantiles": "exact" if acc.exact is not None else "histogram",
            "ranks": "histogram" if ctx.rank_shift else "exact"}
    yrs = np.repeat(np.array(panel.years, dtype=np.int64), n_regions)
    regs = list(panel.regions) * n_years
    cols = {
        "region": regs,
        "year": yrs,
        "base_index": base_index.ravel(),
        "base_rank": base_rank.ravel(),
        "mean_index": mean_index.ravel(),
        "median_index": q[0.5].ravel(),
        "index_p05": q[0.05].ravel(),
        "index_p95": q[0.95].ravel(),
        "mean_rank": mean_rank.ravel(),
        "median_rank": med_rank.ravel(),
        "rank_p05": r05.ravel(),
        "rank_p95": r95.ravel(),
    }
    for k in top_k:
        cols[f"p_top_{k}"] = p_top[k].ravel()
    summary = pl.DataFrame(cols).sort(["year", "base_rank", "region"])
    # agreement
    rho_mean = fixed_mean(acc.rho_sum, acc.rho_n)
    # the histogram's bins from that of the smallest rho up (the bin map of blocks.py is monotone)
    top_bin = _config.RHO_BINS - 1
    defined = acc.rho_n > 0
    rho_lo = np.clip((np.where(defined, acc.rho_min, -1.0) + 1.0) * (_config.RHO_BINS / 2.0), 0, top_bin)
    rho_p05 = kq.hist_quantiles(acc.rho_hist, np.full(n_years, -1.0), np.full(n_years, 2.0 / _config.RHO_BINS),
                                acc.rho_min, np.ones(n_years), np.array([0.05]),
                                np.where(defined, rho_lo.astype(np.int64), 1),
                                np.where(defined, top_bin, 0).astype(np.int64))[0][:, 0]
    agreement = pl.DataFrame({
        "year": np.array(panel.years, dtype=np.int64),
        "spearman_rho_mean": rho_mean,
        "spearman_rho_p05": rho_p05,
        "spearman_rho_min": np.where(acc.rho_n > 0, acc.rho_min, np.nan),
        "mean_abs_rank_shift": shift.reshape(n_years, n_regions).sum(axis=1) / (n * n_regions),
    })
    undefined = n - acc.rho_n
    if undefined.any():
        years = [panel.years[y] for y in np.flatnonzero(undefined)]
        warnings.warn(
            f"Spearman's rho is undefined for {int(undefined.sum())} of {n * n_years} rankings (year(s) "
            f"{format_keys(years)}): a ranking in which every region ties, in the draw or in the base run, "
            "has no rank correlation. spearman_rho_mean, spearman_rho_p05 and spearman_rho_min summarise the defined ones (NaN where "
            "there are none).", FastinnoWarning, stacklevel=3,
        )
    acc_frame = None
    if acceptability:
        y_i, r_i, k_i = np.nonzero(acc.counts)
        acc_frame = pl.DataFrame({
            "region": [panel.regions[i] for i in r_i],
            "year": np.array(panel.years, dtype=np.int64)[y_i],
            "rank": (k_i.astype(np.int64) << ctx.rank_shift) + 1,  # the first rank of the bin
            "share": acc.counts[y_i, r_i, k_i] / n,
        }).sort(["year", "region", "rank"])
    outranks = None
    if pair_idx.shape[0]:
        P = pair_idx.shape[0]
        outranks = pl.DataFrame({
            "year": np.repeat(np.array(panel.years, dtype=np.int64), P),
            "region_a": [panel.regions[a] for a in pair_idx[:, 0]] * n_years,
            "region_b": [panel.regions[b] for b in pair_idx[:, 1]] * n_years,
            "p_outranks": (acc.outranks / n).ravel(),
        })
    return RobustnessResult(
        summary=summary, agreement=agreement, acceptability=acc_frame, outranks=outranks,
        variance_shares=variance_shares, weights=weights_frame, index_resolution=res_width, seed=seed,
        options=meta, growth=growth, rank_resolution=1 << ctx.rank_shift,
    )
