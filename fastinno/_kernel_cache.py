"""Whether fastinno's numba kernels are compiled and cached yet: marker files in numba's cache.

A run (or ``fastinno warmup``) that compiled the kernels of some steps leaves a marker keyed on the
kernel sources, the steps and the versions; a command checks for it before it starts, to say once
that the first run compiles. Light on purpose: it imports no numerics beyond one kernel module.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from ._version import __version__

__all__ = ["warm_marker", "kernels_cold", "mark_warm", "cache_location", "FIRST_RUN_NOTICE", "EVERY_STEP"]

#: The notice a command prints once before compiling on a cold cache.
FIRST_RUN_NOTICE = ("First run: compiling fastinno's kernels (about 20 seconds, once; "
                    "`fastinno warmup` does it ahead).")
#: Marker key of ``fastinno warmup``: every step's kernels are cached.
EVERY_STEP = "*"


def warm_marker(steps: list[str]) -> Path | None:
    """A file in numba's cache folder for fastinno's kernels that exists once a run of these
    steps has compiled and cached them (keyed on the kernel sources' sizes and mtimes, the steps,
    and the numba, Python and fastinno versions); ``None`` when it cannot be located."""
    try:
        import pkgutil

        import numba
        from numba.core.dispatcher import Dispatcher

        from . import kernels

        kdir = Path(kernels.__path__[0])
        h = hashlib.sha256(f"{numba.__version__}|{sys.version}|{__version__}|"
                           f"{','.join(sorted(steps))}".encode())
        cache_dir = None
        for m in sorted(pkgutil.iter_modules(kernels.__path__), key=lambda m: m.name):
            st = (kdir / f"{m.name}.py").stat()
            h.update(f"{m.name}:{st.st_mtime_ns}:{st.st_size}".encode())
            if cache_dir is None:
                mod = __import__(f"fastinno.kernels.{m.name}", fromlist=["_"])
                for obj in vars(mod).values():
                    path = getattr(getattr(obj, "_cache", None), "_cache_path", None)
                    if isinstance(obj, Dispatcher) and path:
                        cache_dir = Path(path)
                        break
        if cache_dir is None:
            return None
        return cache_dir / f"fastinno-warm-{h.hexdigest()[:20]}.marker"
    except Exception:  # numba internals moved: no marker, the helper decides by default
        return None


def kernels_cold(steps: list[str]) -> bool:
    """Whether the kernels of ``steps`` are probably not compiled and cached yet: no earlier run
    of these steps, of each of them, or of ``fastinno warmup`` left its marker (see
    :func:`warm_marker`). ``False`` when the cache cannot be located (nothing to say then)."""
    every = warm_marker([EVERY_STEP])
    if every is None:
        return False
    if every.exists():
        return False
    whole = warm_marker(steps)
    if whole is not None and whole.exists():
        return False
    return not all((m := warm_marker([s])) is not None and m.exists() for s in steps)


def mark_warm(steps: list[str]) -> None:
    """Record that the kernels of ``steps`` (together and each alone) are compiled and cached."""
    for key in (steps, *([s] for s in steps if [s] != steps)):
        marker = warm_marker(list(key))
        if marker is not None and not marker.exists():
            try:
                marker.touch()
            except OSError:
                pass


def cache_location() -> str:
    """Where numba caches fastinno's compiled kernels: ``NUMBA_CACHE_DIR`` when set, else the
    ``__pycache__`` folder beside the kernel sources (or the user-wide fallback numba picks
    when that is not writable)."""
    marker = warm_marker([EVERY_STEP])
    if marker is not None:
        return str(marker.parent)
    try:
        import numba

        if numba.config.CACHE_DIR:
            return str(numba.config.CACHE_DIR)
    except Exception:  # pragma: no cover
        pass
    from . import kernels

    return str(Path(kernels.__path__[0]) / "__pycache__")
