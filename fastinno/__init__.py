"""fastinno: composite innovation indices, key-factor maps and forecasts, fast.

Public API (imported lazily so ``import fastinno`` stays cheap; numba kernels compile on
first use and are cached on disk).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> module that defines it. Each section belongs to one capability.
_EXPORTS: dict[str, str] = {
    # --- errors ---
    "FastinnoError": "fastinno.errors",
    "InputError": "fastinno.errors",
    "SchemaError": "fastinno.errors",
    "DegenerateDataError": "fastinno.errors",
    "SingularMatrixError": "fastinno.errors",
    "ConfigError": "fastinno.errors",
    "FastinnoWarning": "fastinno.errors",
    # --- panels (issue 2) ---
    "IndicatorSystem": "fastinno.panel",
    "Panel": "fastinno.panel",
    "read_panel": "fastinno.panel",
    "read_system": "fastinno.panel",
    "datasets": "fastinno.datasets",
    # --- ideal-solution model (issue 3) ---
    "hew_topsis": "fastinno.methods.ideal_solution",
    "IndexResult": "fastinno.results",
    "array": "fastinno.array",
    # --- combined evaluation (issue 4) ---
    # --- DEMATEL and GM(1,1) (issue 5) ---
    # --- robustness (issue 6) ---
    # --- pipeline (issue 7) ---
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'fastinno' has no attribute {name!r}") from None
    mod = importlib.import_module(module)
    value = mod if module.endswith("." + name) else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
