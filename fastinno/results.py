"""Result containers: frozen dataclasses holding polars DataFrames and the options used.

Each capability adds its result class in its own section below.
"""

from __future__ import annotations

from dataclasses import dataclass, field  # noqa: F401

import polars as pl  # noqa: F401

# --- IndexResult (issue 3) ---


@dataclass(frozen=True)
class IndexResult:
    """Result of :func:`fastinno.hew_topsis`: a composite index per region and year.

    Attributes
    ----------
    scores : pl.DataFrame
        ``region``, ``year``, ``index``, then one column per dimension at every level of the
        indicator system (the sub-indices), rows in panel order (region, then year).
    weights : pl.DataFrame
        ``indicator``, ``dimension`` (direct parent; null at the root), ``weight`` (sum 1).
    growth : pl.DataFrame
        ``region``, ``column``, ``cagr`` (compound annual growth rate over the true year span),
        ``mean_yoy`` (mean of the annual year-on-year rates), ``first_year``, ``last_year``.
    yoy : pl.DataFrame
        Year-on-year table with the same columns as ``scores`` (NaN in the first year and where
        a rate is undefined).
    options : dict
        The options the model ran with (``model``, ``scope``, ``standardize``, ``form``,
        ``constant``, ``weights`` = "system" or "user", ``dropped`` indicators).
    columns : tuple of str
        Index columns: ``("index", <dimension>, ...)``.
    report : tuple of str
        What was changed or could not be computed (also emitted as FastinnoWarning).
    """

    scores: pl.DataFrame
    weights: pl.DataFrame
    growth: pl.DataFrame
    yoy: pl.DataFrame
    options: dict = field(default_factory=dict)
    columns: tuple[str, ...] = ("index",)
    report: tuple[str, ...] = ()

    def to_polars(self) -> pl.DataFrame:
        """The scores frame (region, year, index, sub-indices)."""
        return self.scores

    def ranks(self, column: str = "index") -> pl.DataFrame:
        """``region``, ``year``, ``column`` and its ``rank`` within each year (1 = best; ties min)."""
        return (
            self.scores.select("region", "year", column)
            .with_columns(
                pl.col(column).rank(method="min", descending=True).over("year").cast(pl.Int64).alias("rank")
            )
            .sort(["year", "rank", "region"])
        )

    def summary(self, top: int = 5, column: str = "index") -> pl.DataFrame:
        """The ``top`` regions of each year on ``column``: year, rank, region, value."""
        return self.ranks(column).filter(pl.col("rank") <= top).select("year", "rank", "region", column)

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items() if k in ("scope", "standardize", "form"))
        n_r = self.scores["region"].n_unique()
        n_y = self.scores["year"].n_unique()
        return f"IndexResult({n_r} regions x {n_y} years; columns {list(self.columns)}; {opts})"


# --- CombinedResult (issue 4) ---

# --- DematelResult, GM11Result (issue 5) ---

# --- RobustnessResult (issue 6) ---
