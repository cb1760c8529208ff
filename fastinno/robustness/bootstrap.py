"""Bootstrap of the ideal-solution model: :func:`bootstrap` (regions or blocks of years, growth).

Each replicate re-estimates the model's data-dependent parts on a resample
(:func:`fastinno.kernels.bootstrap.bootstrap_index`) and scores every original cell; the
replicates then run through the same ranking and accumulators as :func:`fastinno.simulate`'s
draws.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from .. import _config
from .. import _options as opt
from .._random import block_seeds, check_seed
from ..errors import ConfigError, FastinnoWarning, InputError, format_keys
from ..kernels import bootstrap as kb
from ..kernels import distance as kd
from ..kernels import normalize as kn
from ..kernels import quantiles as kq
from ..kernels import ranking as krk
from ..kernels import resample as kr
from ..validate import check_choice
from .accumulators import (
    Acc,
    Ctx,
    base_ranks,
    check_counts,
    fixed_mean,
    fixed_sum,
    max_index_bins,
    new_acc,
    pair_indices,
    quantile_budget,
    quantile_mode,
    rank_budget,
    rank_mode,
    sum_scales,
)
from .blocks import fold
from .execute import check_backend, execute
from .models import (
    DEFAULT_OPTIONS,
    base_weights,
    canonical_options,
    check_int,
    drop_constant,
    panel_parts,
    standardized,
)
from .summary import result

__all__ = ["GROWTH_STREAM", "BootCtx", "bootstrap", "run_boot_chunk", "check_growth_memory", "growth_frame", "growth_stats"]

#: Second seed stream of each replicate block (``block_seeds(..., stream=)``): the growth-term resample.
GROWTH_STREAM = 1


@dataclass
class BootCtx(Ctx):
    """Bootstrap state: the raw cube and the model options instead of GEMM operands."""

    cube: np.ndarray = None
    is_cost: np.ndarray = None
    method: int = 0
    scope: int = 0
    form: int = 0
    over: str = "regions"
    block_length: int = 1
    wmode: int = 0
    fixed_w: np.ndarray = None
    cprime: np.ndarray = None
    cplogc: np.ndarray = None
    region_stats: np.ndarray = None
    years: np.ndarray | None = None  # float64 (Y,): growth intervals of over="years" (None = off)
    growth_length: int = 1  # block length of the growth-term resample, min(block_length, Y - 1)


def boot_multiplicities(bctx: BootCtx, first_block: int, n_blocks: int, n: int):
    """Multiplicities of regions (n, R) and years (n, Y) in replicates of blocks ``first_block ..``."""
    block = _config.DRAW_BLOCK
    n_regions, n_years, _ = bctx.cube.shape
    seeds = block_seeds(bctx.seed, first_block, n_blocks)
    if bctx.over == "regions":
        idx = kr.bootstrap_indices(n_regions, seeds, block)[:n]
        mr = np.zeros((n, n_regions), dtype=np.int64)
        np.add.at(mr, (np.repeat(np.arange(n), n_regions), idx.ravel()), 1)
        my = np.ones((n, n_years), dtype=np.int64)
    else:
        idx = kr.block_bootstrap_indices(n_years, bctx.block_length, seeds, block)[:n]
        my = np.zeros((n, n_years), dtype=np.int64)
        np.add.at(my, (np.repeat(np.arange(n), n_years), idx.ravel()), 1)
        mr = np.ones((n, n_regions), dtype=np.int64)
    return mr, my


def run_boot_chunk(bctx: BootCtx, first_block: int, n_blocks: int, n: int, acc: Acc | None = None) -> Acc:
    """Replicates ``first_block * DRAW_BLOCK`` .. (+ n) folded into ``acc``."""
    n_years, n_regions = bctx.lo.shape
    if acc is None:
        acc = new_acc(bctx, first_block * _config.DRAW_BLOCK, n)
    mr, my = boot_multiplicities(bctx, first_block, n_blocks, n)
    index, w = kb.bootstrap_index(
        bctx.cube, bctx.is_cost, bctx.method, bctx.scope, bctx.form, mr, my, bctx.wmode,
        bctx.fixed_w, bctx.cprime, bctx.cplogc, bctx.region_stats,
    )
    fold(bctx, acc, n, [lambda y, s, e, b1, b2: (index[y, s:e], index[y, s:e], krk.LINEAR)],
         first_block * _config.DRAW_BLOCK)
    if bctx.years is not None:
        # growth terms resampled in moving blocks from the block's second seed stream
        seeds = block_seeds(bctx.seed, first_block, n_blocks, stream=GROWTH_STREAM)
        terms = kr.block_bootstrap_indices(n_years - 1, bctx.growth_length, seeds, _config.DRAW_BLOCK)[:n]
        part = kb.bootstrap_growth(index, bctx.years, np.ascontiguousarray(terms))
        acc.growth_parts = (acc.growth_parts or []) + [(first_block * _config.DRAW_BLOCK, part)]
    # weight statistics: histogram on [0, 1], exact min / max, exact fixed-point sums
    n_ind = w.shape[1]
    if acc.w_hist is None:
        acc.w_hist = np.zeros((n_ind, _config.WEIGHT_BINS), dtype=np.int64)
        acc.w_min = np.full(n_ind, np.inf)
        acc.w_max = np.full(n_ind, -np.inf)
        acc.w_sum = np.zeros(n_ind, dtype=object)
    bins = np.clip((w * _config.WEIGHT_BINS).astype(np.int64), 0, _config.WEIGHT_BINS - 1)
    for j in range(n_ind):
        acc.w_hist[j] += np.bincount(bins[:, j], minlength=_config.WEIGHT_BINS)
    np.minimum(acc.w_min, w.min(axis=0), out=acc.w_min)
    np.maximum(acc.w_max, w.max(axis=0), out=acc.w_max)
    acc.w_sum = acc.w_sum + fixed_sum(w, axis=0)
    return acc


def bootstrap(
    panel: Any,
    *,
    model: Literal["hew-topsis", "topsis"] = "hew-topsis",
    model_options: Mapping[str, Any] | None = None,
    replicates: int = 1000,
    over: Literal["regions", "years"] = "regions",
    block_length: int | None = None,
    top_k: Sequence[int] = (1, 3, 10),
    pairs: Sequence[tuple[str, str]] | None = None,
    acceptability: bool = False,
    seed: int | None = None,
    backend: Literal["local", "dask"] = "local",
    scheduler: Any = None,
    n_workers: int | None = None,
    scheduler_timeout: float | None = None,
    chunk_size: int | None = None,
    quantile_memory: int | str | None = None,
    rank_memory: int | str | None = None,
    progress: bool = True,
):
    """Bootstrap the ideal-solution model: resample regions (or blocks of years), re-estimate.

    Parameters
    ----------
    panel : Panel
    model : {"hew-topsis", "topsis"}
        The ideal-solution model (options ``scope``, ``standardize``, ``form``, ``constant`` as in
        :func:`simulate`) or TOPSIS (min-max per year, closeness).
    model_options : mapping, optional
        Model options plus ``weights``: ``"entropy"`` (default) or ``"max_deviation"`` (objective
        weights recomputed on every replicate, pooled over its standardized cells), ``None`` /
        ``"equal-hierarchical"`` (the system's weights, fixed), ``"equal"``, an array or a mapping
        (fixed).
    replicates : int
    over : {"regions", "years"}
        ``regions``: regions drawn with replacement. ``years``: moving-block bootstrap of years
        (``block_length``, default ``max(1, round(n_years ** (1/3)))``), plus growth-rate
        intervals (``.growth``, see Notes).
    top_k, pairs, acceptability, seed, backend, scheduler, n_workers, scheduler_timeout, chunk_size, progress
        As in :func:`simulate` (chunks are whole blocks of replicates; the default chunk holds
        about 2.56 million region-years, at least one block of 64 replicates).
    quantile_memory : int or str, optional
        As in :func:`simulate`: exact index quantiles when ``8 x years x replicates x regions``
        bytes fit (int bytes or e.g. ``"512MB"``, ``"2GiB"``; 0 = always histograms; None =
        ``_config.EXACT_QUANTILE_MEMORY``, 64 MiB).
    rank_memory : int or str, optional
        As in :func:`simulate`: exact rank counts when ``b x years x regions^2`` bytes fit (b = 2
        up to 65,535 replicates, else 4), else
        rank histograms of ``rank_resolution`` ranks per bin (mean rank, top-k shares, shifts and
        outranks stay exact).

    Returns
    -------
    RobustnessResult
        ``.summary`` and ``.agreement`` as in :func:`simulate` (the base = the model on the full
        panel), ``.weights`` (indicator, base_weight, mean_weight, weight_p05, weight_p95) and,
        for ``over="years"`` on two or more years, ``.growth`` (one row per region in panel
        order: region, base_cagr, mean_cagr, cagr_p05, cagr_p95, base_mean_yoy, mean_mean_yoy,
        mean_yoy_p05, mean_yoy_p95); None otherwise (a one-year panel warns).

    Notes
    -----
    Each replicate estimates the model's data-dependent parts on the resample (scope min / max /
    norm / mean / sd, hence the ideal and anti-ideal points, and the objective weights; a scope
    cell on the resampled axis keeps all its data) and applies them to every original region and
    year, so every cell gets an index and a rank in every replicate. Index quantiles: numpy's
    linear quantiles (as in :func:`simulate`) of the replicates' non-NaN index values, exact
    within ``quantile_memory``, else from 2^12-bin histograms on [0, 1] (halved, down to 256
    bins, while they would pass ``_config.HIST_MEMORY_BUDGET``; ``index_resolution`` says which); weight
    quantiles from 2^14-bin histograms on [0, 1].

    Growth (``over="years"``): the base is ``distance.growth_rates`` of the model on the full
    panel (``hew_topsis(...).growth`` for the same options and weights). Replicate b's index
    F_b(r, t) of every original year gives T - 1 annual growth terms g_t = F_b(t+1) / F_b(t) - 1
    (annualised over a gap of dt years, (F_b(t+1) / F_b(t))^(1/dt) - 1, as ``growth_rates``).
    This time series is resampled by a moving-block bootstrap with the same block length
    (capped at T - 1; the same resampled positions for every region, keeping the cross-section
    together as the year resample does), its starts drawn from a second seed stream of the
    replicate's block, ``SeedSequence(seed, spawn_key=(block, 1))``. The replicate's cagr is
    the geometric mean of the resampled (1 + g*) minus 1 and its mean_yoy the arithmetic mean of
    g*, each term weighted by its dt (so both reduce to ``growth_rates``' definitions for the
    identity resample). The interval thus reflects both the re-estimated model and the
    time-series sampling of the growth terms. A replicate value is NaN when a resampled term is
    undefined (index <= 0 at its start, < 0 at its end, or NaN); NaN values are skipped in the
    mean and the quantiles (numpy's default, linear) and counted in a :class:`FastinnoWarning`.
    The values are kept exactly (see ``_config.GROWTH_MEMORY_BUDGET``), so the table is bit-identical for
    any chunking and backend. Sources: Efron & Tibshirani (1993) An Introduction to the
    Bootstrap; Kuensch (1989) Ann. Statist. 17, 1217-1241 (moving blocks); Politis & Romano
    (1994) J. Amer. Statist. Assoc. 89, 1303-1313; Lahiri (2003) Resampling Methods for Dependent
    Data, Springer, ch. 2-3 (block bootstrap of the mean of a time series).
    """
    t0 = time.perf_counter()
    check_backend(backend, scheduler, n_workers, scheduler_timeout)
    model = opt.check("model", model, allowed=("hew-topsis", "topsis"))
    check_choice("over", over, ("regions", "years"))
    panel, model_options, _ = drop_constant(panel, model, model_options)
    opts = dict(DEFAULT_OPTIONS[model])
    options = dict(model_options or {})
    weights = options.pop("weights", "entropy")
    unknown = sorted(set(options) - set(opts))
    if unknown:
        raise InputError(f"Unknown model_options {format_keys(unknown)} for model {model!r}.")
    opts.update(options)
    cube, is_cost = panel_parts(panel)
    x, sc = standardized(cube, is_cost, panel, opts["standardize"], opts["scope"], opts["constant"])
    method = opt.code("standardize", opt.check("standardize", opts["standardize"], allowed=opt.CUBE_STANDARDIZATIONS))
    form = opt.code("form", opts["form"])
    opts = canonical_options(opts)
    n_regions, n_years, n_ind = cube.shape
    fixed = np.full(n_ind, 1.0 / n_ind)
    if isinstance(weights, str) and weights in ("entropy", "max_deviation"):
        wmode = kb.W_ENTROPY if weights == "entropy" else kb.W_MAX_DEVIATION
        if method == kn.ZSCORE:
            raise InputError(f"{weights} weights need non-negative standardized values: use another standardize.")
    else:
        wmode = kb.W_FIXED
        fixed = base_weights(panel, weights, x)
    n_rep = check_int("replicates", replicates, 1)
    check_counts(n_regions, n_years, n_rep)
    if over == "years":
        L = block_length if block_length is not None else max(1, round(n_years ** (1 / 3)))
        L = check_int("block_length", L, 1)
        if L > n_years:
            raise InputError(f"block_length {L} exceeds the number of years ({n_years}).")
        if L == n_years > 1:
            warnings.warn(
                f"block_length {L} = the number of years: the only block is the whole series, so every "
                f"replicate is the original panel and the intervals have zero width; use block_length < "
                f"{n_years}.", FastinnoWarning, stacklevel=2,
            )
    else:
        if block_length is not None:
            raise InputError("block_length is only used with over='years'.")
        L = 1
    top_k = tuple(check_int("top_k", k, 1) for k in top_k)
    seed = check_seed(seed)
    budget = quantile_budget(quantile_memory)
    r_budget = rank_budget(rank_memory)
    growth_years = None
    if over == "years":
        if n_years < 2:
            warnings.warn(
                f"bootstrap(over='years'): growth rates need at least two years; the panel has {n_years}: "
                "RobustnessResult.growth is None.", FastinnoWarning, stacklevel=2,
            )
        else:
            check_growth_memory(n_rep, n_regions)
            growth_years = np.asarray(panel.years, dtype=np.float64)
    if method == kn.MAX_RATIO:
        with np.errstate(divide="ignore", invalid="ignore"):
            cprime = np.ascontiguousarray(np.where(is_cost[None, None, :], 1.0 / cube, cube))
            cplogc = np.where(cprime > 0, cprime * np.log(cprime), 0.0)  # 0 ln 0 = 0
    else:
        cprime = cube
        cplogc = np.zeros((1, 1, 1))
    pair_idx = pair_indices(panel, pairs)
    if sc == kn.SCOPE_PANEL and over == "regions":
        rstats = kb.region_stats(cube, cprime, cplogc if method == kn.MAX_RATIO else cube)
    else:
        rstats = np.zeros((0, 5, n_ind))
    # base: the model on the full panel (multiplicity one everywhere)
    base_idx, base_w = kb.bootstrap_index(
        cube, is_cost, method, sc, form, np.ones((1, n_regions), dtype=np.int64),
        np.ones((1, n_years), dtype=np.int64), wmode, fixed, cprime, cplogc, rstats,
    )
    base_index = base_idx[:, 0, :]
    base_rank, base_c2, base_ss4 = base_ranks(base_index)
    n_bins = _config.INDEX_HIST_BINS
    while n_bins > 256 and 4 * n_years * n_regions * n_bins > _config.HIST_MEMORY_BUDGET:
        n_bins //= 2
    n_bins = min(n_bins, max_index_bins(n_regions))
    bctx = BootCtx(
        model=None, sampler=None, seed=seed, base_c2=base_c2, base_ss4=base_ss4,
        lo=np.zeros((n_years, n_regions)), inv_width=np.full((n_years, n_regions), float(n_bins)),
        n_bins=n_bins, pairs=pair_idx, cube=cube, is_cost=is_cost, method=method, scope=sc, form=form,
        over=over, block_length=L, wmode=wmode, fixed_w=np.ascontiguousarray(fixed), cprime=cprime, cplogc=cplogc,
        region_stats=rstats, sum_scale=sum_scales(np.zeros((n_years, n_regions)), np.ones((n_years, n_regions))),
        years=growth_years, growth_length=min(L, max(1, n_years - 1)), rank_bits=krk.rank_bits_for(n_regions),
    )
    quantile_mode(bctx, budget, n_rep, 1)
    rank_mode(bctx, r_budget, top_k, base_rank, n_rep)
    cs = chunk_size if chunk_size is not None else max(_config.DRAW_BLOCK, 4 * _config.DRAW_BLOCK * 10_000 // max(1, n_regions * n_years))
    acc = execute(bctx, n_rep, cs, backend, scheduler, n_workers, progress, run=run_boot_chunk, unit="replicate",
                  scheduler_timeout=scheduler_timeout)
    wq, _ = kq.hist_quantiles(acc.w_hist, np.zeros(n_ind), np.full(n_ind, 1.0 / _config.WEIGHT_BINS), acc.w_min, acc.w_max,
                              np.array([0.05, 0.95]), np.zeros(n_ind, np.int64), np.full(n_ind, _config.WEIGHT_BINS - 1, np.int64))
    w_q = {0.05: wq[:, 0], 0.95: wq[:, 1]}
    wf = pl.DataFrame({
        "indicator": list(panel.indicators),
        "base_weight": base_w[0],
        "mean_weight": fixed_mean(acc.w_sum, acc.n),
        "weight_p05": w_q[0.05],
        "weight_p95": w_q[0.95],
    })
    growth = growth_frame(panel, base_index, bctx, acc, n_rep) if growth_years is not None else None
    meta = dict(model=model, model_options=opts, weights=weights if isinstance(weights, str) or weights is None else "given",
                replicates=n_rep, over=over, block_length=L, backend=backend, quantile_memory=budget,
                rank_memory=r_budget,
                seconds=time.perf_counter() - t0)
    if growth is not None:
        meta["growth_block_length"] = bctx.growth_length
    return result(panel, bctx, acc, base_index, base_rank, top_k, acceptability, pair_idx, seed, meta,
                  weights_frame=wf, growth=growth)


def check_growth_memory(n_rep: int, n_regions: int) -> None:
    """A :class:`ConfigError` when the exact growth values would pass ``_config.GROWTH_MEMORY_BUDGET``."""
    need = 16 * n_rep * n_regions
    if need > _config.GROWTH_MEMORY_BUDGET:
        most = max(1, _config.GROWTH_MEMORY_BUDGET // (16 * n_regions))
        raise ConfigError(
            f"bootstrap(over='years') keeps every replicate's growth rates for exact quantiles: {n_rep} "
            f"replicates x {n_regions} regions x 2 rates x 8 bytes = {need / 2**30:.2f} GiB "
            f"(> GROWTH_MEMORY_BUDGET = {_config.GROWTH_MEMORY_BUDGET / 2**30:.2f} GiB). Use at most {most} "
            "replicates, or fewer regions at a time (panel.select(...))."
        )


def growth_frame(panel, base_index, bctx, acc, n_rep) -> pl.DataFrame:
    """Growth table of a year bootstrap from the replicates' exact growth values (see ``bootstrap``)."""
    n_regions = base_index.shape[1]
    base_cagr, base_yoy, _ = kd.growth_rates(np.ascontiguousarray(base_index.T), bctx.years)
    # place every chunk's values by replicate index (any chunking or backend gives the same array)
    values = np.empty((n_rep, n_regions, 2))
    parts, acc.growth_parts = acc.growth_parts or [], None
    placed = 0
    while parts:
        start, g = parts.pop()  # drop each part once copied
        values[start : start + g.shape[0]] = g
        placed += g.shape[0]
    if placed != n_rep:  # pragma: no cover - every chunk reports its replicates
        raise RuntimeError(f"growth values of {placed} replicates collected, expected {n_rep}.")
    stats = growth_stats(values)  # (2, 3, R): [cagr, mean_yoy] x [mean, p05, p95]
    nan = np.isnan(values[:, :, 0])
    if nan.any():
        per_region = nan.sum(axis=0)
        names = [panel.regions[r] for r in np.flatnonzero(per_region)]
        warnings.warn(
            f"growth undefined (zero, negative or NaN index at the start of a resampled interval, or "
            f"negative at its end) in {int(nan.sum())} of {nan.size} replicate values, for "
            f"{len(names)} region(s) {format_keys(names)}: skipped in the growth means and quantiles "
            "(NaN where no replicate is defined).", FastinnoWarning, stacklevel=3,
        )
    return pl.DataFrame({
        "region": pl.Series(list(panel.regions), dtype=pl.String),
        "base_cagr": base_cagr,
        "mean_cagr": stats[0, 0],
        "cagr_p05": stats[0, 1],
        "cagr_p95": stats[0, 2],
        "base_mean_yoy": base_yoy,
        "mean_mean_yoy": stats[1, 0],
        "mean_yoy_p05": stats[1, 1],
        "mean_yoy_p95": stats[1, 2],
    })


def growth_stats(values: np.ndarray) -> np.ndarray:
    """Mean and numpy-default (linear) 5 / 95 % quantiles over replicates, NaN skipped: (2, 3, R).

    Each region's values are taken as one contiguous row, so the mean is numpy's pairwise sum of
    that row (the same bits as ``np.mean`` of the region's non-NaN values).
    """
    n_rep, n_regions, _ = values.shape
    out = np.full((2, 3, n_regions), np.nan)
    qs = np.array([0.05, 0.95])
    step = max(1, _config.GROWTH_SLICE // (8 * n_rep))
    for k in range(2):
        for r0 in range(0, n_regions, step):
            r1 = min(n_regions, r0 + step)
            x = np.ascontiguousarray(values[:, r0:r1, k].T)  # (regions, replicates)
            nan = np.isnan(x)
            full = ~nan.any(axis=1)
            if full.all():
                out[k, 0, r0:r1] = x.mean(axis=1)
                out[k, 1:, r0:r1] = np.quantile(x, qs, axis=1)
                continue
            for i in range(r1 - r0):
                v = x[i] if full[i] else x[i][~nan[i]]
                if v.size:
                    out[k, 0, r0 + i] = v.mean()
                    out[k, 1:, r0 + i] = np.quantile(v, qs)
    return out
