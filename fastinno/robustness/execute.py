"""Running the chunks of a robustness run: locally on threads, or as Dask tasks.

Draws run in chunks of whole seeding blocks (``_config.DRAW_BLOCK`` draws). Locally every chunk
folds into one accumulator; on Dask each task runs a contiguous group of chunks into its own
accumulator, and the few fixed-size accumulators merge exactly on the client.
"""

from __future__ import annotations

import math
import re

from .. import _config
from .. import _options as opt
from .._threads import single_threaded_blas
from ..errors import ConfigError, InputError
from .accumulators import Acc, new_acc
from .blocks import run_chunk, warm
from .models import check_int
from .workspace import release_work

__all__ = ["default_chunk", "chunk_plan", "progress_bar", "execute", "check_backend", "check_scheduler_address",
           "dask_client", "run_group", "execute_dask"]

_ADDRESS = re.compile(r"(?:(?:tcp|tls)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>[0-9]{1,5})")
_ADDRESS_HELP = "use tcp://host:port, tls://host:port, inproc://... or host:port (e.g. tcp://127.0.0.1:8786)"


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


def check_scheduler_address(address: str) -> str:
    """``address`` stripped, or an :class:`InputError` when it is not a Dask scheduler address
    (``tcp://host:port``, ``tls://host:port``, ``inproc://...`` or ``host:port``, port 1-65535)."""
    text = address.strip()
    if text.startswith("inproc://") and len(text) > len("inproc://"):
        return text
    m = _ADDRESS.fullmatch(text)
    if m is None or not 1 <= int(m["port"]) <= 65535:
        raise InputError(f"scheduler {address!r} is not a Dask scheduler address: {_ADDRESS_HELP}.")
    return text


def _is_client(obj) -> bool:
    try:
        from distributed import Client
    except ImportError:
        return False
    return isinstance(obj, Client)


def check_backend(backend, scheduler, n_workers, scheduler_timeout=None):
    """The backend settings checked before any work: ``(backend, scheduler, n_workers, timeout)``.

    ``scheduler`` is an address (see :func:`check_scheduler_address`) or a ``distributed.Client``;
    ``n_workers`` an integer >= 1; ``scheduler_timeout`` seconds > 0 (default
    ``_config.SCHEDULER_TIMEOUT``). ``scheduler`` and ``n_workers`` exclude each other and need
    ``backend="dask"``.
    """
    backend = opt.check("backend", backend)
    if scheduler_timeout is None:
        timeout = float(_config.SCHEDULER_TIMEOUT)
    else:
        if isinstance(scheduler_timeout, bool) or not isinstance(scheduler_timeout, (int, float)):
            raise InputError(f"scheduler_timeout must be a number of seconds > 0; got {scheduler_timeout!r}.")
        timeout = float(scheduler_timeout)
        if not (timeout > 0 and math.isfinite(timeout)):
            raise InputError(f"scheduler_timeout must be a number of seconds > 0; got {scheduler_timeout!r}.")
    if backend != "dask":
        if scheduler is not None or n_workers is not None:
            raise InputError("scheduler= and n_workers= need backend='dask'.")
        return backend, None, None, timeout
    if scheduler is not None and n_workers is not None:
        raise InputError("give either scheduler= (an existing cluster) or n_workers= (a LocalCluster), not both.")
    if n_workers is not None:
        n_workers = check_int("n_workers", n_workers, 1)
    if isinstance(scheduler, str):
        scheduler = check_scheduler_address(scheduler)
    elif scheduler is not None and not _is_client(scheduler):
        raise InputError(f"scheduler must be an address ({_ADDRESS_HELP}) or a distributed.Client; got "
                         f"{type(scheduler).__name__}.")
    return backend, scheduler, n_workers, timeout


def execute(ctx, n_draws, chunk_size, backend, scheduler, n_workers, progress, run=None, unit="draw",
            scheduler_timeout=None) -> Acc:
    """Run every chunk (``run``, default :func:`run_chunk`) locally or on Dask; the merged accumulator."""
    run = run_chunk if run is None else run
    backend, scheduler, n_workers, timeout = check_backend(backend, scheduler, n_workers, scheduler_timeout)
    chunks = chunk_plan(n_draws, chunk_size, ctx.lo.shape[1], max(1, len(getattr(ctx, "combos", None) or ())))
    if backend == "dask":
        return execute_dask(ctx, chunks, scheduler, n_workers, progress, n_draws, run, unit, timeout)
    acc = new_acc(ctx, 0, n_draws)
    try:
        with progress_bar(n_draws, progress, unit) as bar, single_threaded_blas():
            for fb, nb, nd in chunks:
                run(ctx, fb, nb, nd, acc)
                bar.update(nd)
    finally:
        release_work()
    return acc


def dask_client(scheduler, n_workers, scheduler_timeout=None):
    """``(client, cluster or None, owned)``: a client of ``scheduler``, or of a new LocalCluster of
    ``n_workers`` workers (default 2). A scheduler not reached within ``scheduler_timeout`` seconds
    is an :class:`InputError` naming its address."""
    _, scheduler, n_workers, timeout = check_backend("dask", scheduler, n_workers, scheduler_timeout)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError(
            "backend='dask' needs dask.distributed: pip install 'fastinno[distributed]'."
        ) from None
    if scheduler is not None:
        if isinstance(scheduler, Client):
            return scheduler, None, False
        try:
            return Client(scheduler, timeout=timeout), None, True
        except (OSError, ValueError) as exc:  # TimeoutError is an OSError; a bad protocol a ValueError
            raise InputError(
                f"Could not reach the Dask scheduler at {scheduler} within {timeout:g} s: is it running? Start "
                "it with `dask scheduler`, check the address, give a longer scheduler_timeout "
                "(--scheduler-timeout), or use n_workers= (--workers N) for a local cluster."
            ) from exc
    cluster = LocalCluster(n_workers=2 if n_workers is None else n_workers, threads_per_worker=1, processes=True,
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


def execute_dask(ctx, chunks, scheduler, n_workers, progress, n_draws, run, unit="draw",
                 scheduler_timeout=None) -> Acc:
    """Run ``chunks`` as Dask tasks (contiguous groups) and merge their accumulators exactly."""
    client, cluster, own = dask_client(scheduler, n_workers, scheduler_timeout)
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
