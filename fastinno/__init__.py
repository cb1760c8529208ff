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

from ._version import __version__  # noqa: E402  (after the environment default above)

# name -> module that defines it, grouped by capability.
_EXPORTS: dict[str, str] = {
    # --- errors ---
    "FastinnoError": "fastinno.errors",
    "InputError": "fastinno.errors",
    "SchemaError": "fastinno.errors",
    "DegenerateDataError": "fastinno.errors",
    "SingularMatrixError": "fastinno.errors",
    "ConfigError": "fastinno.errors",
    "FastinnoWarning": "fastinno.errors",
    # --- panels ---
    "IndicatorSystem": "fastinno.data.system",
    "Panel": "fastinno.data.panel",
    "read_panel": "fastinno.data.read_panel",
    "read_system": "fastinno.data.system",
    # --- ideal-solution model ---
    "hew_topsis": "fastinno.methods.ideal_solution",
    "IndexResult": "fastinno.results",
    # --- matrix toolbox and combined evaluation ---
    "normalize": "fastinno.methods.mcda",
    "entropy_weights": "fastinno.methods.mcda",
    "max_deviation_weights": "fastinno.methods.mcda",
    "topsis": "fastinno.methods.mcda",
    "grey_relational": "fastinno.methods.mcda",
    "rankdata": "fastinno.methods.mcda",
    "spearman": "fastinno.methods.mcda",
    "spearman_many": "fastinno.methods.mcda",
    "kendall": "fastinno.methods.mcda",
    "drift_combination": "fastinno.methods.mcda",
    "combined_evaluation": "fastinno.methods.combined",
    "CombinedResult": "fastinno.results",
    # --- DEMATEL and GM(1,1) forecasts ---
    "grey_dematel": "fastinno.methods.dematel",
    "dematel": "fastinno.methods.dematel",
    "read_survey": "fastinno.data.survey",
    "read_factors": "fastinno.data.survey",
    "linguistic_scale": "fastinno.data.linguistic",
    "expert_weights": "fastinno.data.linguistic",
    "LinguisticScale": "fastinno.data.linguistic",
    "Survey": "fastinno.data.survey",
    "gm11": "fastinno.methods.forecast",
    "forecast": "fastinno.methods.forecast",
    "DematelResult": "fastinno.results",
    "GM11Result": "fastinno.results",
    "ForecastResult": "fastinno.results",
    "cause_effect_diagram": "fastinno.plots",
    "gm11_plot": "fastinno.plots",
    # --- robustness ---
    "simulate": "fastinno.robustness",
    "bootstrap": "fastinno.robustness",
    "simulate_weights": "fastinno.robustness",
    "RobustnessResult": "fastinno.results",
    # --- regional disparities and convergence ---
    "disparity": "fastinno.regional.disparity",
    "DisparityResult": "fastinno.regional.disparity",
    "convergence": "fastinno.regional.convergence",
    "ConvergenceResult": "fastinno.regional.convergence",
    # --- method library: one method on a panel, many compared ---
    "evaluate": "fastinno.methods.evaluate",
    "compare_methods": "fastinno.methods.compare",
    "EvaluationResult": "fastinno.methods.comparison_results",
    "ComparisonResult": "fastinno.methods.comparison_results",
    # --- regional distribution dynamics and spatial structure ---
    "density": "fastinno.regional.dynamics",
    "markov": "fastinno.regional.dynamics",
    "MarkovResult": "fastinno.regional.dynamics",
    "neighbours": "fastinno.regional.neighbours",
    "Neighbours": "fastinno.regional.neighbours",
    "moran": "fastinno.regional.spatial",
    "MoranResult": "fastinno.regional.spatial",
    # --- the main job ---
    "run": "fastinno.main_job",
}

# Sub-modules exposed as attributes (fastinno.datasets.six_triangles()).
_MODULES: dict[str, str] = {"datasets": "fastinno.data.datasets", "array": "fastinno.array"}

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
