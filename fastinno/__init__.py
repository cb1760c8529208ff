"""fastinno: composite innovation indices, key-factor maps and forecasts, fast.

Public API (imported lazily so ``import fastinno`` stays cheap; numba kernels compile on
first use and are cached on disk).
"""

from __future__ import annotations

import importlib
import os
from typing import Any

# numba's OpenMP threads spin while they wait; on a shared laptop or CI core that stalls every
# parallel step by 10-40 ms (measured: 2-3x slower hew_topsis on a loaded 2-core machine).
# Passive waiting must be set before the OpenMP runtime starts; the user's own value wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

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
    # --- ideal-solution model (issue 3) ---
    "hew_topsis": "fastinno.methods.ideal_solution",
    "IndexResult": "fastinno.results",
    # --- combined evaluation (issue 4) ---
    "normalize": "fastinno.methods.combined",
    "entropy_weights": "fastinno.methods.combined",
    "max_deviation_weights": "fastinno.methods.combined",
    "topsis": "fastinno.methods.combined",
    "grey_relational": "fastinno.methods.combined",
    "rankdata": "fastinno.methods.combined",
    "spearman": "fastinno.methods.combined",
    "spearman_many": "fastinno.methods.combined",
    "kendall": "fastinno.methods.combined",
    "drift_combination": "fastinno.methods.combined",
    "combined_evaluation": "fastinno.methods.combined",
    "CombinedResult": "fastinno.results",
    # --- DEMATEL and GM(1,1) (issue 5) ---
    "grey_dematel": "fastinno.methods.dematel",
    "dematel": "fastinno.methods.dematel",
    "read_survey": "fastinno.methods.dematel",
    "read_factors": "fastinno.methods.dematel",
    "linguistic_scale": "fastinno.methods.dematel",
    "expert_weights": "fastinno.methods.dematel",
    "LinguisticScale": "fastinno.methods.dematel",
    "Survey": "fastinno.methods.dematel",
    "gm11": "fastinno.methods.forecast",
    "forecast": "fastinno.methods.forecast",
    "DematelResult": "fastinno.results",
    "GM11Result": "fastinno.results",
    "cause_effect_diagram": "fastinno.plots_dematel",
    "gm11_plot": "fastinno.plots_dematel",
    # --- robustness (issue 6) ---
    "simulate": "fastinno.robustness",
    "bootstrap": "fastinno.robustness",
    "simulate_weights": "fastinno.robustness",
    "RobustnessResult": "fastinno.results",
    # --- pipeline (issue 7) ---
    "run": "fastinno.pipeline",
}

# Sub-modules exposed as attributes (fastinno.datasets.six_triangles()).
_MODULES: dict[str, str] = {"datasets": "fastinno.datasets", "array": "fastinno.array"}

__all__ = ["__version__", *_EXPORTS, *_MODULES]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    else:
        raise AttributeError(f"module 'fastinno' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
