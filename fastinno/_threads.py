"""Thread control for the API layer: small inputs run numba kernels on one thread.

Waking numba's thread pool costs more than the work on small inputs (and far more on a busy
machine). Results never depend on the thread count; only the time does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def serial_below(work: int, threshold: int) -> Iterator[None]:
    """Run the enclosed kernels single-threaded when ``work < threshold``; else leave threads alone."""
    if work >= threshold:
        yield
        return
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)
