"""Order-free accumulators of the robustness engine: counts, histograms, exact sums, kept draws.

Every field merges exactly (integers add, min / max commute), so results do not depend on how the
draws were chunked, threaded or distributed. Sums (for means) are exact fixed point: each value
times a power of two (exact), truncated to an integer and added as a two-word integer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _config
from ..errors import ConfigError, InputError, format_keys
from ..kernels import ranking as krk
from ..validate import check_memory
from .models import Model, check_int, hist_bounds, index_of
from .sampling import Sampler

__all__ = [
    "UNIT_SCALE",
    "Acc",
    "Ctx",
    "new_acc",
    "index_keeper",
    "quantile_budget",
    "quantile_mode",
    "fixed_sum",
    "fixed_mean",
    "sum_scales",
    "pair_indices",
    "base_ranks",
    "check_counts",
    "rank_budget",
    "rank_shift_for",
    "count_dtype",
    "rank_mode",
    "max_index_bins",
    "context",
]


@dataclass
class Acc:
    """Order-free accumulators: integer counts, exact fixed-point sums, min / max.

    Every field merges exactly (integers add, min / max commute), so the result does not depend
    on how the draws were chunked, threaded or distributed, and memory does not grow with the
    number of draws, except in two capped stores: ``exact`` (every index value, within
    ``quantile_memory``) and ``growth_parts`` (the year bootstrap's growth values, within
    ``_config.GROWTH_MEMORY_BUDGET``).
    """

    # (Y, R, R) exact rank counts, or (Y, R, ceil(R / 2^shift)) rank histograms: uint16 when a
    # run ranks at most 65,535 values per region and year, else int32 (see count_dtype)
    counts: np.ndarray
    rank_lo: np.ndarray  # int32 (Y, R): smallest rank - 1 seen (the window of counts to read)
    rank_hi: np.ndarray  # int32 (Y, R): largest
    hist: np.ndarray  # int32 (Y, R, B)
    vmin: np.ndarray  # (Y, R)
    vmax: np.ndarray
    rho_hist: np.ndarray  # int64 (Y, _config.RHO_BINS)
    rho_min: np.ndarray  # (Y,)
    rho_n: np.ndarray  # int64 (Y,) non-NaN rho
    outranks: np.ndarray  # int64 (Y, P)
    sum_hi: np.ndarray = None  # int64 (Y, R): index sums in fixed point, see ranking.rank_block
    sum_lo: np.ndarray = None
    rho_sum: np.ndarray = None  # object (Y,): Python-int sums of trunc(rho * 2^61)
    n: int = 0
    w_hist: np.ndarray | None = None  # bootstrap: int64 (J, W_BINS) weight histograms
    w_min: np.ndarray | None = None
    w_max: np.ndarray | None = None
    w_sum: np.ndarray | None = None  # object (J,): Python-int sums of trunc(w * 2^61)
    var: tuple | None = None  # method choice: s_k, q_k (K, Y, R), t_f (F, Y, R), w1 (Y, R) int64
    n_draws: int = 0  # weight draws (n counts draws x combinations)
    # bootstrap over years: [(first replicate, float64 (n, R, 2) cagr / mean_yoy)], placed by
    # replicate index at the end (the documented exception to memory independence)
    growth_parts: list | None = None
    exact: np.ndarray | None = None  # exact quantiles: float64 (Y, draws, K, R) index of each draw
    exact_first: int = 0  # global draw number of ``exact[:, 0]`` (a Dask task keeps its own slice)
    # rank histograms (shift > 0): exact integer sums of rank and |rank - base rank| (Y, R), and
    # counts of rank <= k (Y, R, K); zero-sized with exact counts
    rank_sum: np.ndarray | None = None
    shift_sum: np.ndarray | None = None
    top_counts: np.ndarray | None = None

    @classmethod
    def empty(cls, n_years, n_regions, n_bins, n_pairs, rank_shift=0, n_top=0, count_dtype=np.int32):
        rank_bins = ((n_regions - 1) >> rank_shift) + 1 if n_regions else 0
        m = n_regions if rank_shift else 0
        return cls(
            counts=np.zeros((n_years, n_regions, rank_bins), dtype=count_dtype),
            rank_lo=np.full((n_years, n_regions), n_regions, dtype=np.int32),
            rank_hi=np.full((n_years, n_regions), -1, dtype=np.int32),
            hist=np.zeros((n_years, n_regions, n_bins), dtype=np.int32),
            vmin=np.full((n_years, n_regions), np.inf),
            vmax=np.full((n_years, n_regions), -np.inf),
            rho_hist=np.zeros((n_years, _config.RHO_BINS), dtype=np.int64),
            rho_min=np.full(n_years, np.inf),
            rho_n=np.zeros(n_years, dtype=np.int64),
            outranks=np.zeros((n_years, n_pairs), dtype=np.int64),
            sum_hi=np.zeros((n_years, n_regions), dtype=np.int64),
            sum_lo=np.zeros((n_years, n_regions), dtype=np.int64),
            rho_sum=np.zeros(n_years, dtype=object),
            rank_sum=np.zeros((n_years, m), dtype=np.int64),
            shift_sum=np.zeros((n_years, m), dtype=np.int64),
            top_counts=np.zeros((n_years, m, n_top if m else 0), dtype=np.int64),
        )

    def merge(self, other: Acc) -> None:
        """Add another chunk's accumulators (exact)."""
        self.counts += other.counts
        np.minimum(self.rank_lo, other.rank_lo, out=self.rank_lo)
        np.maximum(self.rank_hi, other.rank_hi, out=self.rank_hi)
        self.hist += other.hist
        np.minimum(self.vmin, other.vmin, out=self.vmin)
        np.maximum(self.vmax, other.vmax, out=self.vmax)
        self.rho_hist += other.rho_hist
        np.fmin(self.rho_min, other.rho_min, out=self.rho_min)
        self.rho_n += other.rho_n
        self.outranks += other.outranks
        self.rank_sum += other.rank_sum
        self.shift_sum += other.shift_sum
        self.top_counts += other.top_counts
        self.n += other.n
        self.n_draws += other.n_draws
        if other.exact is not None:  # a task's slice of the draw matrix, placed by draw number
            d0 = other.exact_first - self.exact_first
            self.exact[:, d0 : d0 + other.exact.shape[1]] = other.exact
        if other.var is not None:
            if self.var is None:
                self.var = tuple(np.zeros_like(a) for a in other.var)
            for a, b in zip(self.var, other.var):
                a += b
        lo = self.sum_lo + other.sum_lo  # |lo| < 2^62 each: no overflow
        carry = np.floor_divide(lo, krk.FIXED_BASE)
        self.sum_lo = lo - carry * krk.FIXED_BASE
        self.sum_hi += other.sum_hi + carry
        self.rho_sum = self.rho_sum + other.rho_sum
        if other.w_hist is not None:
            if self.w_hist is None:
                self.w_hist = np.zeros_like(other.w_hist)
                self.w_min = np.full_like(other.w_min, np.inf)
                self.w_max = np.full_like(other.w_max, -np.inf)
                self.w_sum = np.zeros_like(other.w_sum)
            self.w_hist += other.w_hist
            self.w_sum = self.w_sum + other.w_sum
            np.minimum(self.w_min, other.w_min, out=self.w_min)
            np.maximum(self.w_max, other.w_max, out=self.w_max)
        if other.growth_parts:
            self.growth_parts = (self.growth_parts or []) + other.growth_parts


@dataclass
class Ctx:
    """Everything a chunk needs (shipped once to each Dask worker)."""

    model: Model
    sampler: Sampler
    seed: int
    base_c2: np.ndarray  # (Y, R) int64: 2 * base average rank - (R + 1)
    base_ss4: np.ndarray  # (Y,) int64: sum of squares of base_c2
    lo: np.ndarray  # (Y, R)
    inv_width: np.ndarray  # (Y, R)
    n_bins: int
    pairs: np.ndarray  # (P, 2) int64
    combos: list = field(default_factory=list)  # method-choice runs: [(model, sampler), ...]
    levels: np.ndarray | None = None  # (K, F) int64
    n_levels: np.ndarray | None = None  # (F,) int64
    sum_scale: np.ndarray | None = None  # (Y, R) fixed-point scales of the index sums
    exact_draws: int = 0  # exact index quantiles: draws kept per cell (0 = histograms)
    exact_combos: int = 1  # index values per draw (method-choice combinations)
    rank_bits: int = krk.RANK_BITS  # bits of the rank field of the codes (see krk.rank_bits_for)
    rank_shift: int = 0  # rank histograms of 2^rank_shift ranks per bin (0 = exact rank counts)
    count_dtype: Any = np.int32  # dtype of the rank counts (see count_dtype)
    top_k: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # (K,) int64
    base_rank: np.ndarray | None = None  # (Y, R) int64 base competition ranks


def new_acc(ctx: Ctx, first_draw: int, n_draws: int) -> Acc:
    """Empty accumulators for draws ``first_draw ..`` (+ n_draws); with the exact-quantile slice."""
    n_years, n_regions = ctx.lo.shape
    acc = Acc.empty(n_years, n_regions, ctx.n_bins, ctx.pairs.shape[0], ctx.rank_shift, ctx.top_k.shape[0],
                    ctx.count_dtype)
    if ctx.exact_draws:
        acc.exact = np.empty((n_years, n_draws, ctx.exact_combos, n_regions))
        acc.exact_first = first_draw
    return acc


def index_keeper(acc: Acc, y: int, k: int, first_draw: int):
    """None, or (exact quantiles) ``keep(s, e, index)`` storing a chunk's draws ``s .. e`` of year
    ``y``, combination ``k`` (chunk starting at global draw ``first_draw``) by draw number.
    Blocks write disjoint rows, so the ranking threads may call it concurrently."""
    if acc.exact is None:
        return None
    dest = acc.exact[y, first_draw - acc.exact_first :, k]

    def keep(s, e, index):
        dest[s:e] = index

    return keep


def quantile_budget(quantile_memory: Any) -> int:
    """``quantile_memory`` in bytes (None = ``_config.EXACT_QUANTILE_MEMORY``, read at call time)."""
    value = _config.EXACT_QUANTILE_MEMORY if quantile_memory is None else quantile_memory
    return check_memory("quantile_memory", value)


def quantile_mode(ctx: Ctx, budget: int, n_draws: int, n_combos: int) -> None:
    """Switch ``ctx`` to exact index quantiles when the draw matrix fits ``budget`` bytes.

    The matrix holds ``n_years x n_draws x n_combos x n_regions`` float64 values. In exact mode
    the index histograms shrink to one bin (only their counts are used, for the means); else
    nothing changes.
    """
    n_years, n_regions = ctx.lo.shape
    if 8 * n_years * n_draws * n_combos * n_regions <= budget and budget > 0:
        ctx.exact_draws, ctx.exact_combos, ctx.n_bins = n_draws, n_combos, 1


#: Fixed-point scale of values in [-1, 1] (Spearman's rho, weights).
UNIT_SCALE = 2.0**61


def fixed_sum(x: np.ndarray, axis: int | None = None):
    """Exact, order-free sum of values in [-1, 1]: Python-int sum of trunc(x * 2^61).

    ``x * 2^61`` is exact (a power of two), its truncation is deterministic, and integers add
    associatively: the same draws give the same bits whatever the chunking or backend.
    """
    return (x * UNIT_SCALE).astype(np.int64).astype(object).sum(axis=axis)


def fixed_mean(total, n, scale=UNIT_SCALE) -> np.ndarray:
    """Fixed-point totals (Python ints, any shape) / (scale * n) as float64; NaN where n == 0."""
    tot = np.asarray(total, dtype=object)
    # int -> float is correctly rounded by Python; the divisions are then the same IEEE operations
    # elementwise as a scalar loop would do
    as_float = np.array([float(t) for t in tot.ravel().tolist()], dtype=np.float64).reshape(tot.shape)
    n = np.broadcast_to(np.asarray(n), tot.shape)
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), tot.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = as_float / scale / n.astype(np.float64)
    return np.where(n > 0, out, np.nan)


def sum_scales(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per-cell powers of two with |value| * scale <= 2^61 for values in [lo, hi]."""
    m = np.maximum(np.abs(lo), np.abs(hi))
    e = np.zeros(m.shape, dtype=np.int64)
    pos = m > 0
    e[pos] = np.ceil(np.log2(m[pos])).astype(np.int64) + 1  # one bit of headroom for rounding
    return np.ldexp(1.0, 61 - e)


def pair_indices(panel, pairs) -> np.ndarray:
    """``pairs`` of region names as (P, 2) int64 region positions."""
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    pos = {r: i for i, r in enumerate(panel.regions)}
    bad = [r for p in pairs for r in p if r not in pos]
    if bad:
        raise InputError(f"pairs name unknown region(s) {format_keys(bad)}.")
    return np.array([[pos[a], pos[b]] for a, b in pairs], dtype=np.int64).reshape(-1, 2)


def base_ranks(base_index: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Base competition ranks (Y, R), doubled centred average ranks (integers) and their sums of squares.

    Rank 1 = largest; a region's competition rank is 1 + the number of strictly larger values and
    its tie group the regions of equal value (NaN last, all tied), as ``ranking.ranks_of_row``
    (one numpy sort per year: nothing to compile).
    """
    n_years, n_regions = base_index.shape
    base_rank = np.empty((n_years, n_regions), dtype=np.int64)
    ties = np.empty((n_years, n_regions), dtype=np.int64)
    for y in range(n_years):
        key = -base_index[y]
        ok = key == key
        n_ok = int(ok.sum())
        order = np.sort(key[ok])
        first = np.searchsorted(order, key[ok], "left")
        base_rank[y, ok] = first + 1
        ties[y, ok] = np.searchsorted(order, key[ok], "right") - first
        base_rank[y, ~ok] = n_ok + 1
        ties[y, ~ok] = n_regions - n_ok
    base_c2 = 2 * base_rank + ties - 1 - (n_regions + 1)  # 2 x average rank - (n + 1)
    return base_rank, base_c2, (base_c2 * base_c2).sum(axis=1)


def rank_budget(rank_memory: Any) -> int:
    """``rank_memory`` in bytes (None = ``_config.COUNTS_MEMORY_BUDGET``, read at call time)."""
    value = _config.COUNTS_MEMORY_BUDGET if rank_memory is None else rank_memory
    return check_memory("rank_memory", value)


def count_dtype(n_values: int) -> type:
    """dtype of the rank counts of a run ranking ``n_values`` values per region and year (draws x
    method combinations, or replicates): uint16 up to 65,535 (half the memory and cache footprint
    of int32; a count never exceeds ``n_values``, merged partial counts included), else int32."""
    return np.uint16 if n_values <= np.iinfo(np.uint16).max else np.int32


def rank_shift_for(n_regions: int, n_years: int, budget: int, count_bytes: int = 4) -> int:
    """log2 of the rank bin width: 0 (exact counts) when the ``count_bytes x years x regions^2``
    bytes of rank counts fit ``budget``, else the smallest s >= 1 whose histograms of 2^s ranks
    per bin (``count_bytes x years x regions x ceil(regions / 2^s)`` bytes) fit, with at most
    ``_config.RANK_HIST_BINS`` bins per region; one bin per region when nothing fits."""
    def bins(s):
        return ((n_regions - 1) >> s) + 1

    if count_bytes * n_years * n_regions * bins(0) <= budget:
        return 0
    s = 1
    while (1 << s) < n_regions and (
        count_bytes * n_years * n_regions * bins(s) > budget or bins(s) > _config.RANK_HIST_BINS
    ):
        s += 1
    return s


def check_counts(n_regions: int, n_years: int, n_values: int) -> None:
    """Limits of the rank accumulators: ranks within the widest rank field of the codes
    (``krk.MAX_REGIONS_ANY`` regions per year) and at most 2^31 - 1 ranked values per cell (the
    counts are int32; ``n_values`` = draws x method combinations, or replicates)."""
    if n_regions > krk.MAX_REGIONS_ANY:
        raise ConfigError(
            f"{n_regions} regions: the robustness engine ranks at most {krk.MAX_REGIONS_ANY} regions per "
            f"year ({krk.MAX_RANK_BITS}-bit rank codes); split the panel (panel.select(...))."
        )
    if n_values >= 2**31:
        raise ConfigError(
            f"{n_values} ranked values per region and year (draws x method combinations, or "
            "replicates) overflow the int32 rank counts: run at most 2,147,483,647 and combine runs "
            "with different seeds."
        )


def rank_mode(ctx: Ctx, budget: int, top_k, base_rank: np.ndarray, n_values: int) -> None:
    """Exact rank counts or rank histograms for ``ctx`` (see :func:`rank_shift_for`), their dtype
    (:func:`count_dtype` of the ``n_values`` ranked per region and year); the top-k and base ranks
    the histograms' exact sums need."""
    n_years, n_regions = ctx.lo.shape
    ctx.count_dtype = count_dtype(n_values)
    ctx.rank_shift = rank_shift_for(n_regions, n_years, budget, np.dtype(ctx.count_dtype).itemsize)
    ctx.top_k = np.array(top_k, dtype=np.int64).reshape(-1)
    ctx.base_rank = np.ascontiguousarray(base_rank, dtype=np.int64)


def max_index_bins(n_regions: int) -> int:
    """Index histogram bins the codes of ``n_regions`` regions hold (32,767 up to 65,536 regions)."""
    return krk.nan_bin(krk.rank_bits_for(n_regions))


def context(mdl, sampler, base, seed, n_regions, n_years, pair_idx, index_bins, combos=()):
    """The run's :class:`Ctx`, base index and base ranks (the base ranked by the same GEMM path as the draws).

    ``base`` None: the sampler's base. ``combos``: method-choice runs, whose index ranges widen the
    histogram range.
    """
    base_index = np.empty((n_years, n_regions))
    if base is None:
        base = sampler.base
    for y in range(n_years):
        base_index[y] = index_of(mdl, base[None, :], y)[0]
    base_rank, base_c2, base_ss4 = base_ranks(base_index)
    n_bins = _config.INDEX_HIST_BINS if index_bins is None else check_int("index_bins", index_bins, 1)
    most = max_index_bins(n_regions)
    if index_bins is not None and n_bins > most:
        raise InputError(f"index_bins must be at most {most} for {n_regions} regions; got {n_bins}.")
    if index_bins is None:
        while n_bins > 256 and 4 * n_years * n_regions * n_bins > _config.HIST_MEMORY_BUDGET:
            n_bins //= 2
        n_bins = min(n_bins, most)
    lo, hi = hist_bounds(mdl, sampler.support())
    for m, smp in combos[1:]:
        lo2, hi2 = hist_bounds(m, smp.support())
        lo, hi = np.minimum(lo, lo2), np.maximum(hi, hi2)
    width = (hi - lo) / n_bins
    with np.errstate(divide="ignore"):
        inv_width = np.where(width > 0, 1.0 / np.where(width > 0, width, 1.0), 0.0)
    ctx = Ctx(mdl, sampler, seed, base_c2, base_ss4,
              np.ascontiguousarray(lo), np.ascontiguousarray(inv_width), n_bins, pair_idx,
              sum_scale=sum_scales(lo, hi), rank_bits=krk.rank_bits_for(n_regions), base_rank=base_rank)
    return ctx, base_index, base_rank
