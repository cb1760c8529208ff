"""The block pipeline of the robustness engine: GEMM products, ranking, folding into accumulators.

A chunk of draws is cut into blocks of a few dozen draws; for each block and year one thread
computes the model's products with the (squared) weights (:func:`gemm_producer`, or a plug-in
model's own producer) and ranks them in :func:`fastinno.kernels.ranking.rank_block`, whose codes
:func:`fold` then adds into the accumulators. Which thread takes which block does not matter:
every output row depends on its draw only, and all sums are exact integers.
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import _config
from ..kernels import accumulate as ka
from ..kernels import ranking as krk
from .accumulators import Acc, Ctx, fixed_sum, index_keeper, new_acc
from .models import Model
from .workspace import dot_rows, gemm_pool, work_array

__all__ = ["run_chunk", "gemm_producer", "block_rows", "Part", "rank_blocks", "accumulate", "fold", "warm"]


def run_chunk(ctx: Ctx, first_block: int, n_blocks: int, n_draws: int, acc: Acc | None = None) -> Acc:
    """Draws ``first_block * DRAW_BLOCK`` .. (+ n_draws) folded into ``acc`` (new when None)."""
    block = _config.DRAW_BLOCK
    combos = ctx.combos or [(ctx.model, ctx.sampler)]
    if acc is None:
        acc = new_acc(ctx, first_block * block, n_draws)
    producers = []
    for m, sampler in combos:
        w = sampler.draw(ctx.seed, first_block, n_blocks, first_block * block, n_draws)
        if m.custom is not None:  # a model that evaluates itself (combined): its own producer
            producers.append(m.custom.producer(w))
            continue
        producers.append(gemm_producer(m, w if m.form == krk.LINEAR else w * w))
    fold(ctx, acc, n_draws, producers, first_block * block)
    return acc


def gemm_producer(m: Model, wk: np.ndarray):
    """Rows s..e of year y of the model's products with the (squared) weights, into the buffers."""
    wk = np.ascontiguousarray(wk)

    def produce(y, s, e, buf1, buf2):
        g1 = dot_rows(wk[s:e], m.at1[y], buf1)
        if m.form == krk.LINEAR:
            return g1, g1, m.form
        return g1, dot_rows(wk[s:e], m.at2[y], buf2), m.form

    return produce


def block_rows(n_regions: int) -> int:
    """Draws per block: a multiple of 16 in [16, 1024] with 2 x 8 x rows x regions <= _config.BLOCK_BYTES."""
    return int(min(1024, max(16, _config.BLOCK_BYTES // (16 * max(1, n_regions)) // 16 * 16)))


class Part:
    """One thread's share of a year: GEMM buffers and its own exact sums / min / max."""

    def __init__(self, k: int, n_regions: int, rows: int):
        self.buf1 = work_array(("g1", k), (rows, n_regions), np.float64)
        self.buf2 = work_array(("g2", k), (rows, n_regions), np.float64)
        self.hi = np.zeros(n_regions, dtype=np.int64)
        self.lo = np.zeros(n_regions, dtype=np.int64)
        self.mn = np.full(n_regions, np.inf)
        self.mx = np.full(n_regions, -np.inf)

    def flush(self, acc: Acc, y: int) -> None:
        """Add this part's sums and extremes into year ``y`` of ``acc`` (exact) and reset them."""
        ka.merge_sums(acc.sum_hi[y], acc.sum_lo[y], acc.vmin[y], acc.vmax[y], self.hi, self.lo, self.mn, self.mx)
        self.hi[:] = 0
        self.lo[:] = 0
        self.mn[:] = np.inf
        self.mx[:] = -np.inf


def rank_blocks(ctx, y, produce, codes, rho, parts, rows, keep=None) -> None:
    """Blocks of ``rows`` draws of year ``y``: product (``produce``) then :func:`krk.rank_block`,
    spread over ``parts`` (one Python thread each; numpy and the kernel release the GIL).
    ``keep(s, e, index)``, when given, receives each block's index as the kernel ranked it.

    Which thread takes which block does not matter: every output row depends on its draw only,
    and the sums are exact integers.
    """
    n_draws = rho.shape[0]
    n_blocks = -(-n_draws // rows)
    nxt = itertools.count()  # next() is atomic under the GIL
    base_c2, base_ss4 = ctx.base_c2[y], int(ctx.base_ss4[y])
    lo, inv_width, scale = ctx.lo[y], ctx.inv_width[y], ctx.sum_scale[y]

    def run_block(part: Part, j: int) -> None:
        s, e = j * rows, min(n_draws, (j + 1) * rows)
        g1, g2, form = produce(y, s, e, part.buf1[: e - s], part.buf2[: e - s])
        krk.rank_block(g1, g2, form, base_c2, base_ss4, lo, inv_width, ctx.n_bins, scale,
                      part.hi, part.lo, part.mn, part.mx, codes, s, rho[s:e], ctx.rank_bits)
        if keep is not None:  # exact quantiles: g1 now holds the index
            keep(s, e, g1)

    if len(parts) == 1:
        for j in range(n_blocks):
            run_block(parts[0], j)
        return
    stop = []  # non-empty once a thread has failed: the others take no further block

    def work(part: Part) -> None:
        try:
            while not stop and (j := next(nxt)) < n_blocks:
                run_block(part, j)
        except BaseException:
            stop.append(True)
            raise

    futures = [gemm_pool().submit(work, p) for p in parts[1:]]
    try:
        work(parts[0])  # the calling thread takes its share too
    finally:
        # wait for every thread before the buffers are released or reused, even on an error or
        # KeyboardInterrupt in this thread (they stop after their current block)
        for f in futures:
            f.exception()
    for f in futures:
        f.result()


def accumulate(ctx, acc: Acc, y: int, codes: np.ndarray, n_draws: int, base_rank: np.ndarray, n_parts: int):
    """Fold one year's codes into ``acc`` (:func:`ka.accumulate_ranks_serial`); the outrank counts.

    With ``n_parts`` > 1 the slabs of regions are split into contiguous ranges, one per pool
    thread (every range owns its regions' rows of the accumulators: no shared writes; the kernel
    releases the GIL). The outrank counts of the pairs are then counted here from the codes.
    """
    args = (ctx.rank_bits, ctx.rank_shift)
    if n_parts == 1:
        return ka.accumulate_ranks_serial(codes, n_draws, *args, acc.counts[y], acc.hist[y], acc.rank_lo[y],
                                          acc.rank_hi[y], base_rank, ctx.top_k, acc.rank_sum[y], acc.shift_sum[y],
                                          acc.top_counts[y], ctx.pairs)
    n_slabs = codes.shape[0]
    no_pairs = ctx.pairs[:0]
    sums = ctx.rank_shift > 0

    def run(k: int) -> None:
        s0, s1 = k * n_slabs // n_parts, (k + 1) * n_slabs // n_parts
        r0, r1 = s0 * krk.SLAB, min(s1 * krk.SLAB, acc.counts.shape[1])
        rows = slice(r0, r1) if sums else slice(0, 0)  # the exact sums are zero-sized with exact counts
        ka.accumulate_ranks_serial(codes[s0:s1], n_draws, *args, acc.counts[y, r0:r1], acc.hist[y, r0:r1],
                                   acc.rank_lo[y, r0:r1], acc.rank_hi[y, r0:r1], base_rank[rows], ctx.top_k,
                                   acc.rank_sum[y, rows], acc.shift_sum[y, rows], acc.top_counts[y, rows], no_pairs)

    futures = [gemm_pool().submit(run, k) for k in range(1, n_parts)]
    try:
        run(0)
    finally:
        for f in futures:  # every thread done before the codes are reused, even on an error
            f.exception()
    for f in futures:
        f.result()
    mask = (1 << ctx.rank_bits) - 1
    out = np.zeros(ctx.pairs.shape[0], dtype=np.int64)
    for p, (a, b) in enumerate(ctx.pairs):
        ra = codes[a >> krk.SLAB_BITS, :n_draws, a & krk.SLAB_MASK] & mask
        rb = codes[b >> krk.SLAB_BITS, :n_draws, b & krk.SLAB_MASK] & mask
        out[p] = np.count_nonzero(ra < rb)
    return out


def fold(ctx, acc: Acc, n_draws: int, producers, first_draw: int = 0) -> None:
    """Rank every year's draws and fold them into ``acc``.

    ``producers``: one callable per model combination (one for plain runs),
    ``produce(y, s, e, buf1, buf2) -> (g1, g2, form)`` giving draws ``s .. e`` of year ``y`` (the
    products written into the thread's buffers, or views of a precomputed index with
    ``form = LINEAR``). All combinations of a draw count as draws of the pooled summary.
    ``first_draw``: global number of the chunk's first draw (where exact quantiles keep its index).
    """
    import numba

    n_years, n_regions = ctx.lo.shape
    parallel = n_draws * n_regions >= _config.PARALLEL_MIN_CELLS
    rows = block_rows(n_regions)
    n_parts = min(numba.get_num_threads(), -(-n_draws // rows)) if parallel else 1
    parts = [Part(k, n_regions, rows) for k in range(n_parts)]
    rho = np.empty(n_draws)
    base_rank = ctx.base_rank if ctx.rank_shift else np.zeros((n_years, 0), dtype=np.int64)
    # every combination's codes of the chunk in one array (the variance shares read them together)
    all_codes = work_array("codes", (len(producers), -(-n_regions // krk.SLAB), n_draws, krk.SLAB), np.int32)
    for y in range(n_years):
        for c, produce in enumerate(producers):
            codes = all_codes[c]
            keep = index_keeper(acc, y, c, first_draw)
            rank_blocks(ctx, y, produce, codes, rho, parts, rows, keep)
            for part in parts:
                part.flush(acc, y)
            acc.outranks[y] += accumulate(ctx, acc, y, codes, n_draws, base_rank[y], n_parts)
            ok = ~np.isnan(rho)
            acc.rho_sum[y] += fixed_sum(rho[ok])
            if ok.any():
                acc.rho_min[y] = np.fmin(acc.rho_min[y], rho[ok].min())
                bins = np.clip(((rho[ok] + 1.0) * (_config.RHO_BINS / 2.0)).astype(np.int64), 0, _config.RHO_BINS - 1)
                acc.rho_hist[y] += np.bincount(bins, minlength=_config.RHO_BINS)
            acc.rho_n[y] += int(ok.sum())
        if ctx.levels is not None:
            if acc.var is None:
                k_, f_ = ctx.levels.shape
                acc.var = (np.zeros((k_, n_years, n_regions), np.int64), np.zeros((k_, n_years, n_regions), np.int64),
                           np.zeros((f_, n_years, n_regions), np.int64), np.zeros((n_years, n_regions), np.int64))
            s_k, q_k, t_f, w1 = acc.var
            sk, qk, tf, ww = (np.ascontiguousarray(s_k[:, y]), np.ascontiguousarray(q_k[:, y]),
                              np.ascontiguousarray(t_f[:, y]), np.ascontiguousarray(w1[y]))
            ka.variance_accumulate(all_codes, n_draws, ctx.levels, ctx.n_levels, sk, qk, tf, ww, (1 << ctx.rank_bits) - 1)
            s_k[:, y], q_k[:, y], t_f[:, y], w1[y] = sk, qk, tf, ww
    acc.n += n_draws * max(len(producers), 1)
    acc.n_draws += n_draws


def warm(ctx, run) -> bool:
    """Compile / load every kernel a chunk needs (run once per Dask worker)."""
    run(ctx, 0, 1, 1)
    return True
