"""The public surface: every name fastinno has exported keeps working, and old import paths too."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import fastinno

#: Every public name of ``fastinno`` in its first releases: none may disappear.
PUBLIC = (
    "CombinedResult", "ConfigError", "DegenerateDataError", "DematelResult", "FastinnoError",
    "FastinnoWarning", "GM11Result", "IndexResult", "IndicatorSystem", "InputError",
    "LinguisticScale", "Panel", "RobustnessResult", "SchemaError", "SingularMatrixError", "Survey",
    "bootstrap", "cause_effect_diagram", "combined_evaluation", "dematel", "drift_combination",
    "entropy_weights", "expert_weights", "forecast", "gm11", "gm11_plot", "grey_dematel",
    "grey_relational", "hew_topsis", "kendall", "linguistic_scale", "max_deviation_weights",
    "normalize", "rankdata", "read_factors", "read_panel", "read_survey", "read_system", "run",
    "simulate", "simulate_weights", "spearman", "spearman_many", "topsis", "datasets", "array",
    "__version__",
    # the method library
    "evaluate", "compare_methods", "EvaluationResult", "ComparisonResult",
    # regional disparities and convergence
    "disparity", "DisparityResult", "convergence", "ConvergenceResult",
    # regional distribution dynamics and spatial structure
    "density", "markov", "MarkovResult", "neighbours", "Neighbours", "moran", "MoranResult",
)

#: Old module paths that keep working as re-exports, with a name each must still provide.
OLD_PATHS = {
    "fastinno.panel": ("Panel", "IndicatorSystem", "read_panel", "read_system"),
    "fastinno.datasets": ("six_triangles", "demo_panel", "data_path"),
    "fastinno.pipeline": ("run", "load_config", "demo_config_path", "read_run_info"),
    "fastinno.plots_dematel": ("cause_effect_diagram", "gm11_plot"),
    "fastinno.methods.robustness": ("simulate", "bootstrap", "simulate_weights"),
}


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_is_there(name):
    assert name in dir(fastinno)
    assert getattr(fastinno, name) is not None


def test_every_listed_name_resolves():
    for name in fastinno.__all__:
        getattr(fastinno, name)


@pytest.mark.parametrize("module", sorted(OLD_PATHS))
def test_old_import_paths_keep_working(module):
    mod = importlib.import_module(module)
    for name in OLD_PATHS[module]:
        assert callable(getattr(mod, name)), (module, name)


def test_import_is_light():
    """``import fastinno`` loads no numerics (the API is imported on first use)."""
    code = ("import sys, fastinno; heavy = [m for m in ('numba', 'polars', 'numpy', 'matplotlib') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
