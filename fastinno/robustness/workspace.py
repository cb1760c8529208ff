"""Per-thread work arrays, the GEMM thread pool and BLAS thread limits of the robustness engine.

Every Monte Carlo chunk reuses a few large buffers (GEMM outputs, rank codes); each Python thread
keeps its own, grown on demand and dropped at the end of a run (:func:`release_work`).
:func:`dot_rows` is the one matrix product of the engine (weights against model operands).
"""

from __future__ import annotations

import math
import os
import threading
import weakref
from typing import Any

import numpy as np

__all__ = ["gemm_pool", "work_array", "release_work", "work_bytes", "dot_rows"]

_POOL: list = []


def gemm_pool():
    """The engine's thread pool (created on first use, one thread per core, at least two)."""
    if not _POOL:
        from concurrent.futures import ThreadPoolExecutor

        _POOL.append(ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1),
                                        thread_name_prefix="fastinno-gemm"))
    return _POOL[0]


_WORK = threading.local()


class _WorkCache(dict):
    """One thread's work arrays (a dict subclass, so that the registry can hold it weakly)."""


#: Every live thread's work cache: the end of a run clears them all, the block pipeline's pool
#: threads included (a thread's cache goes away with the thread).
_ALL_WORK: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # id -> cache
_WORK_LOCK = threading.Lock()


def work_array(name: Any, shape: tuple, dtype) -> np.ndarray:
    """A reusable C-contiguous work array of this thread, grown on demand (see :func:`release_work`)."""
    cache = getattr(_WORK, "arrays", None)
    if cache is None:
        cache = _WORK.arrays = _WorkCache()
        with _WORK_LOCK:
            _ALL_WORK[id(cache)] = cache
    dtype = np.dtype(dtype)
    size = math.prod(shape)
    buf = cache.get((name, dtype.str))
    if buf is None or buf.size < size:
        buf = cache[(name, dtype.str)] = np.empty(max(size, 1), dtype=dtype)
    return buf[:size].reshape(shape)


def release_work() -> None:
    """Drop the work arrays of every thread (end of a run or of a Dask task).

    Arrays still in use elsewhere (a concurrent run in another thread) stay alive through their
    references; that run's next request simply allocates afresh.
    """
    with _WORK_LOCK:
        caches = list(_ALL_WORK.values())
    for cache in caches:
        cache.clear()


def work_bytes() -> int:
    """Bytes held in work arrays by all threads (the footprint checks of the tests read it)."""
    with _WORK_LOCK:
        caches = list(_ALL_WORK.values())
    return sum(a.nbytes for c in caches for a in list(c.values()))


def dot_rows(w, a, out):
    """``w @ a`` into ``out`` in this thread (a single row is padded: BLAS's gemv sums differently)."""
    if w.shape[0] == 1:
        out[...] = np.dot(np.vstack([w, w]), a)[:1]
        return out
    return np.dot(w, a, out=out)
