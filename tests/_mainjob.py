"""Shared helpers for the main-job tests (pipeline, report): a small synthetic panel on disk and
a config that runs every step quickly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

import fastinno

SURVEY = Path(fastinno.__file__).parent / "data" / "survey"

SYSTEM_TOML = """\
[inputs]
rd_share = "+"
researchers = "+"

[outputs]
patents = "+"
energy_per_gdp = "-"
"""

REGIONS = ["North", "South", "East", "West", "Centre", "Coast"]
YEARS = list(range(2012, 2018))


def write_small_panel(folder: Path) -> tuple[Path, Path]:
    """6 regions x 6 years x 4 indicators (2 dimensions), long CSV + system TOML, all > 0."""
    rng = np.random.default_rng(7)
    rows = []
    for i, r in enumerate(REGIONS):
        level = 1.0 + 0.4 * i
        for t, y in enumerate(YEARS):
            g = 1.0 + 0.05 * t
            rows += [
                (r, y, "rd_share", level * g * rng.uniform(0.9, 1.1)),
                (r, y, "researchers", 100 * level * g * rng.uniform(0.9, 1.1)),
                (r, y, "patents", 50 * (7 - i) * g * rng.uniform(0.8, 1.2)),
                (r, y, "energy_per_gdp", (2.0 - 0.1 * i) / g * rng.uniform(0.9, 1.1)),
            ]
    df = pl.DataFrame(rows, schema=["region", "year", "indicator", "value"], orient="row")
    panel = folder / "panel.csv"
    df.write_csv(panel)
    system = folder / "system.toml"
    system.write_text(SYSTEM_TOML)
    return panel, system


def small_config(folder: Path, *, draws: int = 128) -> dict:
    """A config running every step on the small panel (relative paths: run from ``folder``)."""
    panel, system = write_small_panel(folder)
    return {
        "title": "Small test run",
        "seed": 11,
        "panel": {"path": str(panel), "system": str(system)},
        "ideal_solution": {"scope": "panel"},
        "combined": {"methods": ["entropy", "max_deviation", "topsis", "gra"]},
        "simulate": {"draws": draws, "concentration": 50, "top_k": [1, 3]},
        "bootstrap": {"replicates": 64, "over": "regions"},
        "forecast": {"horizon": 2},
        "dematel": {
            "survey": str(SURVEY / "survey_long.csv"),
            "factors": str(SURVEY / "factors.csv"),
            "expert_weights": str(SURVEY / "expert_weights.csv"),
        },
        "figures": {"dpi": 60, "forecast_regions": 3},
    }


#: Tables every step of ``small_config`` must write.
EXPECTED_TABLES = (
    "index_scores", "index_growth", "index_weights",
    "combined_scores", "combined_method_weights", "combined_compatibility",
    "combined_indicator_weights", "simulate_summary", "simulate_agreement",
    "bootstrap_summary", "bootstrap_agreement",
    "forecast", "forecast_fit", "dematel_factors", "dematel_relations",
)
#: Figures the report must draw for ``small_config``.
EXPECTED_FIGURES = (
    "index_trajectories", "index_rank_heatmap", "combined_rank_heatmap",
    "combined_method_agreement", "combined_method_weights", "simulate_rank_stability",
    "simulate_rho", "bootstrap_rank_stability", "bootstrap_rho", "forecast",
    "dematel_cause_effect",
)
