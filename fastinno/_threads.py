"""Thread control for the API layer: small inputs run numba kernels, or BLAS, on one thread.

Waking numba's thread pool costs more than the work on small inputs (and far more on a busy
machine); a multi-threaded BLAS stalls whenever one of its threads is descheduled, and its idle
threads spin after every call. Results never depend on the thread count; only the time does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

_BLAS_CONTROLLER = None


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


@contextmanager
def single_threaded_blas(when: bool = True) -> Iterator[None]:
    """BLAS on one thread inside the block when ``when`` (threadpoolctl; a no-op without BLAS)."""
    global _BLAS_CONTROLLER
    if not when:
        yield
        return
    if _BLAS_CONTROLLER is None:
        # numba's np.dot calls SciPy's BLAS, numpy has its own: load both before the controller
        # looks for them, or kernels compiled later would run a threaded BLAS inside the block
        import scipy.linalg.cython_blas  # noqa: F401
        from threadpoolctl import ThreadpoolController

        _BLAS_CONTROLLER = ThreadpoolController()
    with _BLAS_CONTROLLER.limit(limits=1, user_api="blas"):
        yield
