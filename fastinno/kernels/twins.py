"""Parallel kernels with a serial twin: small inputs run (and compile) the serial one.

A ``parallel=True`` numba kernel costs 3-5 s to compile on a 2-core machine against about 1 s for
the same code compiled serially, and on small inputs waking numba's threads costs more than the
work. :func:`parallel_twin` compiles one Python function both ways, each on first use: a call
whose array arguments hold fewer than :data:`SERIAL_MAX_ELEMENTS` elements in all (or any call
while numba runs on one thread) runs the serial twin, larger calls the parallel kernel. A run on
small panels therefore never compiles the parallel twin.

Only kernels whose ``prange`` iterations are independent (no reduction across iterations) are
made twins, so both give the same bits; the tests check every twin both ways.

A twin may also name a ``numpy`` version (plain vectorised numpy, the same operations on the
same values, so the same bits) for calls below ``numpy_below`` elements: kernels that only
summarise a small run's output then cost no compilation at all on a first run. With
``numpy_calls=k`` only the first k such calls of a process run numpy (a tiered start: a kernel
called often on small inputs, where numpy's per-call overhead would add up, is compiled once it
is hot).

:func:`renamed` gives the serial copy its own qualified name, so the two compilations are kept
apart in numba's on-disk cache. :func:`readonly` gives kernels one array flavour (numba compiles
a separate specialization for read-only and writeable arrays).
"""

from __future__ import annotations

import types

import numba
import numpy as np
from numba import njit

__all__ = ["SERIAL_MAX_ELEMENTS", "SUMMARY_SERIAL_BELOW", "SUMMARY_NUMPY_BELOW", "running_extreme", "numpy_allowed", "ParallelTwin", "parallel_twin", "renamed", "readonly", "forced"]

#: Below this many array elements (all array arguments of a call together) a twin runs serially
#: unless the kernel sets its own limit.
SERIAL_MAX_ELEMENTS = 1 << 17
#: The limit of kernels that only summarise Monte Carlo output (quantiles of kept draws or of
#: histograms): up to ~10 ms of serial work, less than their parallel twin's compile time.
SUMMARY_SERIAL_BELOW = 1 << 21
#: Below this many elements the summary kernels with a numpy version run it: a few milliseconds
#: at most, against 1-3 s to compile each numba twin.
SUMMARY_NUMPY_BELOW = 1 << 19

_FORCED: list[str] = []


def renamed(fn, name):
    """A copy of the Python function ``fn`` under another qualified name.

    Compiling the copy with other numba options (a serial twin of a parallel kernel) keeps the two
    compilations apart in numba's on-disk cache.
    """
    g = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    g.__qualname__ = name
    g.__doc__ = fn.__doc__
    return g


def readonly(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a`` (no copy): kernels that only read an argument are then compiled
    for one array flavour whether the caller's array is writeable or not."""
    if not a.flags.writeable:
        return a
    v = a.view()
    v.flags.writeable = False
    return v


def running_extreme(x: np.ndarray, largest: bool) -> np.ndarray:
    """A numba kernel's running minimum (maximum) over axis 0, in numpy: ``a = v if v < a else a``
    from +inf (``>`` from -inf), so NaN is skipped, of equal values the first is kept (the sign
    of a zero) and a column of NaN gives +inf (-inf). For numpy versions of kernels."""
    empty = -np.inf if largest else np.inf
    if x.shape[0] == 0:
        return np.full(x.shape[1:], empty)
    v = np.asarray((np.fmax if largest else np.fmin).reduce(x, axis=0))
    v = np.where(v != v, empty, v)
    zero = v == 0.0
    if zero.any():  # the first zero of the column: -0.0 and 0.0 compare equal
        cols = x.reshape(x.shape[0], -1)[:, zero.ravel()]
        v.ravel()[np.flatnonzero(zero)] = cols[np.argmax(cols == 0.0, axis=0), np.arange(cols.shape[1])]
    return v


class ParallelTwin:
    """A kernel compiled as ``parallel`` (``parallel=True``) and ``serial``, picked per call by
    the size of its array arguments (see the module docstring). Call it from Python only."""

    def __init__(self, fn, options: dict, work, serial_below: int, numpy=None,
                 numpy_below: int = 0, numpy_calls: int | None = None) -> None:
        self.py_func = fn
        self.numpy = numpy
        self.numpy_below = numpy_below if numpy is not None else 0
        self.numpy_calls = numpy_calls  # None: every small call
        self.parallel = njit(cache=True, parallel=True, **options)(fn)
        self.serial = njit(cache=True, **options)(renamed(fn, f"{fn.__name__}__serial"))
        self._work = work
        self.serial_below = serial_below
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__module__ = fn.__module__
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def pick(self, *args):
        """The twin a call with ``args`` runs."""
        if _FORCED:
            mode = _FORCED[-1]
            if mode == "parallel":
                return self.parallel
            return self.numpy if mode == "numpy" and self.numpy is not None else self.serial
        if self._work is not None:
            n = self._work(*args)
        else:
            n = 0
            for a in args:
                if isinstance(a, np.ndarray):
                    n += a.size
        if n < self.numpy_below:
            if self.numpy_calls is None:
                return self.numpy
            if self.numpy_calls > 0:
                self.numpy_calls -= 1
                return self.numpy
        if n < self.serial_below or numba.get_num_threads() == 1:
            return self.serial
        return self.parallel

    def __call__(self, *args):
        return self.pick(*args)(*args)


def parallel_twin(fn=None, *, work=None, serial_below=SERIAL_MAX_ELEMENTS, numpy=None,
                  numpy_below=0, numpy_calls=None, **options):
    """Decorator: ``fn`` as a :class:`ParallelTwin` (numba ``options`` besides ``parallel`` and
    ``cache``). ``work(*args)``, when given, replaces the element count as the size of a call;
    calls smaller than ``serial_below`` run serially (raise it for kernels whose serial pass
    over that many elements still takes only milliseconds), calls smaller than ``numpy_below``
    run ``numpy`` (a plain numpy function giving the same bits), when given; the first
    ``numpy_calls`` of them only, when that is given."""
    def make(f):
        return ParallelTwin(f, options, work, serial_below, numpy, numpy_below, numpy_calls)

    return make if fn is None else make(fn)


def numpy_allowed() -> bool:
    """Whether numpy versions of kernels may run now: not inside ``forced("serial")`` or
    ``forced("parallel")`` (the warm-up compiles the numba kernels that way). For callers that
    pick a numpy version themselves."""
    return not _FORCED or _FORCED[-1] == "numpy"


class forced:
    """``with forced("serial" | "parallel" | "numpy"):`` runs every twin that way inside the
    block, whatever the size (``"numpy"``: the numpy version where a twin has one, else the
    serial twin). Tests compare them, the warm-up compiles the numba ones; not thread-safe."""

    def __init__(self, mode: str) -> None:
        if mode not in ("serial", "parallel", "numpy"):
            raise ValueError(f"mode must be 'serial', 'parallel' or 'numpy', got {mode!r}")
        self.mode = mode

    def __enter__(self) -> None:
        _FORCED.append(self.mode)

    def __exit__(self, *exc) -> None:
        _FORCED.pop()
