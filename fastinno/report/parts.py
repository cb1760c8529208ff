"""The report's parts: how each step of the main job is shown (section, figures, methods text).

The main job's step registry (:mod:`fastinno.main_job.steps`) names the part of each step and
passes them to :func:`~fastinno.report.render.render_report`; :data:`DEFAULT_PARTS` (the same
parts in the same order) is used when a run folder is re-rendered without them.
"""

from __future__ import annotations

from . import figures as f
from . import methods_text as m
from . import regional as r
from . import sections as s
from .sections import ReportPart

__all__ = ["ReportPart", "IDEAL_SOLUTION", "COMBINED", "COMPARE", "SIMULATE", "BOOTSTRAP", "FORECAST",
           "DEMATEL", "DISPARITY", "DEFAULT_PARTS"]

IDEAL_SOLUTION = ReportPart(
    "ideal_solution", "ideal-solution", "Index", "Ideal-solution index", s.ideal_solution_section,
    (f.INDEX_TRAJECTORIES, f.INDEX_RANK_BANDS, f.INDEX_RANK_HEATMAP, f.INDEX_MAP_FIRST, f.INDEX_MAP_LAST),
    m.ideal_solution_methods)
COMBINED = ReportPart(
    "combined", "combined", "Combined evaluation", "Combined evaluation", s.combined_section,
    (f.COMBINED_RANK_BANDS, f.COMBINED_RANK_HEATMAP, f.COMBINED_METHOD_AGREEMENT,
     f.COMBINED_METHOD_WEIGHTS),
    m.combined_methods)
COMPARE = ReportPart(
    "compare", "compare", "Method comparison", "Method comparison", s.compare_section,
    (f.COMPARE_METHODS,), m.compare_methods)
SIMULATE = ReportPart(
    "simulate", "simulate", "Monte Carlo", "Robustness: weight Monte Carlo", s.robustness_section,
    (f.SIMULATE_RANK_STABILITY, f.SIMULATE_RHO), m.robustness_methods)
BOOTSTRAP = ReportPart(
    "bootstrap", "bootstrap", "Bootstrap", "Robustness: bootstrap", s.robustness_section,
    (f.BOOTSTRAP_RANK_STABILITY, f.BOOTSTRAP_RHO), m.robustness_methods)
FORECAST = ReportPart(
    "forecast", "forecast", "Forecasts", "GM(1,1) forecasts", s.forecast_section,
    (f.FORECAST,), m.forecast_methods)
DEMATEL = ReportPart(
    "dematel", "dematel", "Key factors", "Grey-DEMATEL key factors", s.dematel_section,
    (f.DEMATEL_CAUSE_EFFECT,), m.dematel_methods)
DISPARITY = ReportPart(
    "disparity", "disparity", "Regional disparities", "Regional disparities, convergence and spatial structure",
    r.disparity_section, r.DISPARITY_FIGURES, r.disparity_methods)

#: Every part in report order (the main job's step order).
DEFAULT_PARTS: tuple[ReportPart, ...] = (IDEAL_SOLUTION, COMBINED, COMPARE, SIMULATE, BOOTSTRAP, FORECAST,
                                         DEMATEL, DISPARITY)
