"""Bundled real data.

``six_triangles``: published evaluation scores of regional innovation performance for 16 Chinese
provinces in six "growth triangle" regions, 2009-2017, transcribed from Appendix C (Tables A1 and
A2) of Xia, W.; Li, B.; Yin, S. (2020) "Identification of Influencing Factors for Sustainable
Development: Evaluation and Management of Regional Innovation Performance in Heilongjiang, China",
*Sustainability* 12(7), 2739, doi:10.3390/su12072739. See ``fastinno/data/README.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import polars as pl

from ..errors import FastinnoWarning, SchemaError
from .panel import Panel
from .read_panel import MissingPolicy, read_panel
from .system import IndicatorSystem

__all__ = ["six_triangles", "six_triangles_system", "six_triangles_published", "demo_panel", "data_path", "CITATION"]

CITATION = (
    "Xia, W.; Li, B.; Yin, S. (2020). Identification of Influencing Factors for Sustainable "
    "Development: Evaluation and Management of Regional Innovation Performance in Heilongjiang, "
    "China. Sustainability 12(7), 2739. doi:10.3390/su12072739 (Appendix C, Tables A1-A2)."
)
SUBJECTS = ("enterprise", "university", "research_institution")
MEASURES = ("st_output", "economic_output", "social_effect")
_MEASURE_LABELS = {"st_output": "S&T output", "economic_output": "economic output", "social_effect": "social effect"}


def data_path(name: str = "six_triangles.csv") -> Path:
    """Path of a bundled data file."""
    return Path(str(resources.files("fastinno.data") / name))


def six_triangles_system(subjects: Sequence[str] = SUBJECTS) -> IndicatorSystem:
    """Three dimensions (innovation subjects) x three benefit indicators each.

    Indicator names are ``<subject>_<measure>``, e.g. ``enterprise_st_output``.
    """
    return IndicatorSystem.from_dict(
        {
            s: {
                f"{s}_{m}": {"direction": "+", "label": f"{s.replace('_', ' ').capitalize()}: {_MEASURE_LABELS[m]}", "unit": "score"}
                for m in MEASURES
            }
            for s in subjects
        }
    )


def _long_frame(subjects: Sequence[str]) -> pl.DataFrame:
    raw = pl.read_csv(data_path(), infer_schema_length=None)
    a2 = raw.filter((pl.col("table") == "A2") & pl.col("subject").is_in(list(subjects)))
    long = a2.unpivot(index=["subject", "year", "region"], on=list(MEASURES), variable_name="measure", value_name="value")
    # The region order of the paper (Table A1), so that every region appears even where a subject is absent.
    order = raw.filter(pl.col("table") == "A1").get_column("region").unique(maintain_order=True)
    years = raw.get_column("year").unique().sort()
    grid = (
        pl.DataFrame({"region": order})
        .join(pl.DataFrame({"year": years}), how="cross")
        .join(pl.DataFrame({"subject": list(subjects)}), how="cross")
        .join(pl.DataFrame({"measure": list(MEASURES)}), how="cross")
    )
    out = grid.join(long, on=["region", "year", "subject", "measure"], how="left")
    return out.select(
        "region",
        "year",
        (pl.col("subject") + "_" + pl.col("measure")).alias("indicator"),
        pl.col("value").cast(pl.Float64),
    )


def six_triangles(
    missing: MissingPolicy | Sequence[str] = "error",
    *,
    subjects: Sequence[str] = SUBJECTS,
) -> Panel:
    """The bundled six-triangles panel: 16 provinces x 2009-2017 x 9 indicators in 3 dimensions.

    It has real gaps: Jiangxi has no research-institution data and the 2011 Guangdong
    research-institution row is missing. With the default ``missing="error"`` loading raises an
    error naming those cells. Complete panels:

    - ``six_triangles(missing=("interpolate", "drop-region"))``: fills Guangdong 2011 and drops
      Jiangxi (15 provinces, 9 indicators) -- also :func:`demo_panel`;
    - ``six_triangles(subjects=("enterprise", "university"))``: all 16 provinces, 6 indicators;
    - ``six_triangles(missing="drop-region")``: drops both Jiangxi and Guangdong (14 provinces).
    """
    unknown = [s for s in subjects if s not in SUBJECTS]
    if unknown:
        raise SchemaError(f"Unknown subject(s) {unknown}; choose from {list(SUBJECTS)}.")
    return read_panel(_long_frame(subjects), six_triangles_system(subjects), missing=missing)


def demo_panel() -> Panel:
    """A complete six-triangles panel for demos: Guangdong 2011 interpolated, Jiangxi dropped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)
        return six_triangles(missing=("interpolate", "drop-region"))


def six_triangles_published() -> pl.DataFrame:
    """The paper's published scores and ranks (Tables A1 and A2) as printed, one row per record."""
    return pl.read_csv(data_path(), infer_schema_length=None)
