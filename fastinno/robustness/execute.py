"""Running the chunks of a robustness run: locally on threads, or as Dask tasks.

Draws run in chunks of whole seeding blocks (``_config.DRAW_BLOCK`` draws). Locally every chunk
folds into one accumulator; on Dask each task runs a contiguous group of chunks into its own
accumulator, and the few fixed-size accumulators merge exactly on the client.
"""

from __future__ import annotations

from .. import _config
from .. import _options as opt
from ..errors import ConfigError, InputError
from .accumulators import Acc, new_acc
from .blocks import run_chunk, warm
from .models import check_int
from .workspace import release_work, single_threaded_blas

__all__ = ["default_chunk", "chunk_plan", "progress_bar", "execute", "dask_client", "run_group", "execute_dask"]


def default_chunk(n_regions: int, n_combos: int = 1) -> int:
    """Draws per chunk: about ``_config.CHUNK_MEMORY`` of rank codes (4 bytes per draw, region and
    method combination), and at least ``_config.CHUNK_SIZE / n_combos`` draws (a block at least)
    as long as their codes stay within 4 x ``_config.CHUNK_MEMORY``; fewer, larger chunks mean
    fewer thread wake-ups per draw, and several chunks per run keep Dask workers busy. Past that
    (tens of thousands of regions) a chunk holds fewer draws: each is already large work, and the
    codes of a 1,024-draw chunk would be hundreds of MB."""
    k = max(1, n_combos)
    per_draw = 4 * max(1, n_regions) * k
    floor = max(_config.DRAW_BLOCK, _config.CHUNK_SIZE // k)
    if floor * per_draw > 4 * _config.CHUNK_MEMORY:
        floor = _config.DRAW_BLOCK
    return int(min(16384, max(floor, _config.CHUNK_MEMORY // per_draw)))


def chunk_plan(n_draws: int, chunk_size: int | None, n_regions: int = 1, n_combos: int = 1):
    """``(first_block, n_blocks, n_draws)`` of every chunk: whole seeding blocks, the last one partial."""
    block = _config.DRAW_BLOCK
    cs = default_chunk(n_regions, n_combos) if chunk_size is None else check_int("chunk_size", chunk_size, 1)
    cb = -(-cs // block)  # blocks per chunk
    total_blocks = -(-n_draws // block)
    out = []
    for fb in range(0, total_blocks, cb):
        nb = min(cb, total_blocks - fb)
        nd = min(nb * block, n_draws - fb * block)
        out.append((fb, nb, nd))
    return out


def progress_bar(total, progress, unit="draw"):
    """A tqdm bar of ``total`` draws (or replicates), shown after ``_config.PROGRESS_DELAY`` seconds."""
    from tqdm.auto import tqdm

    # disable=None: no bar when stderr is not a terminal (logs, pipes)
    return tqdm(total=total, unit=unit, unit_scale=True, disable=None if progress else True, leave=False,
                delay=_config.PROGRESS_DELAY, desc="fastinno bootstrap" if unit == "replicate" else "fastinno simulate")


def execute(ctx, n_draws, chunk_size, backend, scheduler, n_workers, progress, run=None, unit="draw") -> Acc:
    """Run every chunk (``run``, default :func:`run_chunk`) locally or on Dask; the merged accumulator."""
    run = run_chunk if run is None else run
    backend = opt.check("backend", backend)
    chunks = chunk_plan(n_draws, chunk_size, ctx.lo.shape[1], max(1, len(getattr(ctx, "combos", None) or ())))
    if backend == "dask":
        return execute_dask(ctx, chunks, scheduler, n_workers, progress, n_draws, run, unit)
    if scheduler is not None or n_workers is not None:
        raise InputError("scheduler= and n_workers= need backend='dask'.")
    acc = new_acc(ctx, 0, n_draws)
    try:
        with progress_bar(n_draws, progress, unit) as bar, single_threaded_blas():
            for fb, nb, nd in chunks:
                run(ctx, fb, nb, nd, acc)
                bar.update(nd)
    finally:
        release_work()
    return acc


def dask_client(scheduler, n_workers):
    """``(client, cluster or None, owned)``: a client of ``scheduler``, or of a new LocalCluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover
        raise ConfigError(
            "backend='dask' needs dask.distributed: pip install 'fastinno[distributed]'."
        ) from None
    if scheduler is not None and n_workers is not None:
        raise InputError("give either scheduler= (an existing cluster) or n_workers= (a LocalCluster), not both.")
    if scheduler is not None:
        if isinstance(scheduler, Client):
            return scheduler, None, False
        return Client(scheduler), None, True
    cluster = LocalCluster(n_workers=n_workers or 2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster), cluster, True


def run_group(ctx, run, group) -> Acc:
    """Run a contiguous group of chunks into one accumulator (one Dask task)."""
    acc = new_acc(ctx, group[0][0] * _config.DRAW_BLOCK, sum(nd for _, _, nd in group))
    try:
        with single_threaded_blas():
            for fb, nb, nd in group:
                acc = run(ctx, fb, nb, nd, acc)
    finally:
        release_work()
    return acc


def execute_dask(ctx, chunks, scheduler, n_workers, progress, n_draws, run, unit="draw") -> Acc:
    """Run ``chunks`` as Dask tasks (contiguous groups) and merge their accumulators exactly."""
    client, cluster, own = dask_client(scheduler, n_workers)
    try:
        ctx_f = client.scatter(ctx, broadcast=True)
        # warm the JIT once per worker
        workers = list(client.scheduler_info()["workers"])
        warming = [client.submit(warm, ctx_f, run, workers=[w], pure=False, allow_other_workers=False)
                   for w in workers]
        client.gather(warming)
        # a task runs a contiguous group of chunks into one accumulator, so only a few fixed-size
        # accumulators travel back (two tasks per worker keep the workers busy)
        n_tasks = max(1, min(len(chunks), _config.TASKS_PER_WORKER * len(workers)))
        groups = [chunks[t * len(chunks) // n_tasks : (t + 1) * len(chunks) // n_tasks] for t in range(n_tasks)]
        futures = [client.submit(run_group, ctx_f, run, g, pure=False) for g in groups]
        acc = new_acc(ctx, 0, n_draws)
        from distributed import as_completed

        with progress_bar(n_draws, progress, unit) as bar:
            for fut in as_completed(futures):
                part = fut.result()
                acc.merge(part)  # exact: integer counts and fixed-point sums
                bar.update(part.n_draws)
                fut.release()
        return acc
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
