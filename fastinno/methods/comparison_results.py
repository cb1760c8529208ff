"""Results of :func:`fastinno.evaluate` and :func:`fastinno.compare_methods`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import polars as pl

from ..results import Result

__all__ = ["EvaluationResult", "ComparisonResult"]


@dataclass(frozen=True, repr=False)
class EvaluationResult(Result):
    """Result of :func:`fastinno.evaluate`: one ranking method's scores per region and year.

    Attributes
    ----------
    scores : pl.DataFrame
        ``region``, ``year``, ``score``, ``rank`` (1 = best within the cell, whatever the
        direction; ties share the best rank), ``direction`` (``"higher_is_better"`` or
        ``"lower_is_better"``: which way ``score`` points), rows in panel order.
    weights : pl.DataFrame
        ``year`` (null when ``by="panel"``), ``indicator``, ``weight``: the weights each cell ran
        with (objective weightings are computed per cell).
    options : dict
        ``method``, ``weights``, ``normalize`` (the normalization used; ``None`` when the method
        normalizes internally), ``by``, the method options and ``seed`` (None).
    """

    scores: pl.DataFrame
    weights: pl.DataFrame
    options: dict = field(default_factory=dict)

    TABLES: ClassVar[tuple[str, ...]] = ("scores", "weights")

    def __post_init__(self) -> None:
        self.options.setdefault("seed", None)

    @property
    def higher_is_better(self) -> bool:
        """Whether a larger ``score`` is better."""
        return bool(self.options.get("higher_is_better", True))

    def top(self, n: int = 5) -> pl.DataFrame:
        """The ``n`` best regions of each year: year, rank, region, score."""
        return (self.scores.filter(pl.col("rank") <= n).sort(["year", "rank", "region"])
                .select("year", "rank", "region", "score"))

    def headline(self) -> str:
        o = self.options
        return (f"{o.get('method')}; weights={o.get('weights')!r}; normalize={o.get('normalize')!r}; "
                f"by={o.get('by')!r}; {'higher' if self.higher_is_better else 'lower'} score is better")


@dataclass(frozen=True, repr=False)
class ComparisonResult(Result):
    """Result of :func:`fastinno.compare_methods`: many configurations ranked side by side.

    A *configuration* is a method, a weighting and a normalization, labelled
    ``"method/weights/normalize"`` (e.g. ``"topsis/entropy/vector"``; ``internal`` for methods that
    normalize on their own).

    Attributes
    ----------
    scores : pl.DataFrame
        ``config``, ``method``, ``weights``, ``normalize``, ``region``, ``year``, ``score``,
        ``rank`` (1 = best whatever the direction; ties share the best rank), ``direction``.
    correlation : pl.DataFrame
        ``year``, ``config_a``, ``config_b``, ``coefficient``, ``value``: every pair of
        configurations (a < b for symmetric coefficients; both orders otherwise, ``config_a`` the
        reference) per cell.
    agreement : pl.DataFrame
        Per cell: ``year``, ``kendall_w`` (Kendall's W across the configurations, tie corrected)
        and ``mean_<coefficient>`` (the mean over pairs of configurations).
    reversals : pl.DataFrame
        ``year``, ``config_a``, ``config_b``, ``pairs`` (region pairs), ``reversed`` (pairs ordered
        strictly one way by a and strictly the other way by b), ``share``.
    stability : pl.DataFrame
        ``region``, ``year``, ``median_rank``, ``best_rank``, ``worst_rank``, ``rank_range``
        across the configurations (average ranks).
    options : dict
        ``methods``, ``weights``, ``normalize``, ``by``, ``correlations``, ``configs``, ``skipped``
        (method / normalization pairs that do not go together) and ``seed`` (None).
    """

    scores: pl.DataFrame
    correlation: pl.DataFrame
    agreement: pl.DataFrame
    reversals: pl.DataFrame
    stability: pl.DataFrame
    options: dict = field(default_factory=dict)

    TABLES: ClassVar[tuple[str, ...]] = ("scores", "correlation", "agreement", "reversals", "stability")

    def __post_init__(self) -> None:
        self.options.setdefault("seed", None)

    @property
    def configs(self) -> tuple[str, ...]:
        """The configuration labels, in run order."""
        return tuple(self.options.get("configs", ()))

    def correlation_matrix(self, coefficient: str | None = None, year: int | None = None) -> pl.DataFrame:
        """Mean (over cells, or of one ``year``) of a coefficient as a square table ``config`` x configs."""
        df = self.correlation
        coef = coefficient or df["coefficient"][0]
        df = df.filter(pl.col("coefficient") == coef)
        if year is not None:
            df = df.filter(pl.col("year") == year)
        mean = df.group_by("config_a", "config_b").agg(pl.col("value").mean())
        configs = list(self.configs)
        table = {c: {c: 1.0} for c in configs}
        symmetric = coef in self.options.get("symmetric", ())
        for a, b, v in mean.iter_rows():
            table[str(a)][str(b)] = v
            if symmetric:
                table[str(b)][str(a)] = v
        return pl.DataFrame({"config": configs, **{b: [table[a].get(b) for a in configs] for b in configs}})

    def headline(self) -> str:
        n = len(self.configs)
        w = self.agreement["kendall_w"].mean() if self.agreement.height else float("nan")
        return f"{n} configurations; mean Kendall's W {w:.3f}; by={self.options.get('by')!r}"
