"""Result containers: frozen dataclasses holding polars DataFrames and the options used.

Every result follows one protocol (:class:`Result`):

- ``.tables()`` -> ``{name: pl.DataFrame}``: every table the result holds (the main job writes
  these, under these names);
- ``.to_polars()`` -> the main table;
- ``.options`` -> the options the computation ran with, including ``seed`` (``None`` for
  deterministic methods);
- a compact ``repr``: the headline, the size of each table and the first rows of the main one.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import ClassVar

import polars as pl

__all__ = [
    "Result",
    "IndexResult",
    "CombinedResult",
    "DematelResult",
    "GM11Result",
    "ForecastResult",
    "RobustnessResult",
]


class Result:
    """The protocol every fastinno result follows (a mixin of the result dataclasses).

    Subclasses name their tables in ``TABLES`` (attribute names, main table first) and may
    override :meth:`headline`.
    """

    TABLES: ClassVar[tuple[str, ...]] = ()

    def tables(self) -> dict[str, pl.DataFrame]:
        """Every table of the result, by name (tables that were not computed are left out)."""
        out = {}
        for name in self.TABLES:
            value = getattr(self, name)
            if isinstance(value, pl.DataFrame):
                out[name] = value
        return out

    def to_polars(self) -> pl.DataFrame:
        """The main table (the first of :meth:`tables`)."""
        return getattr(self, self.TABLES[0])

    def headline(self) -> str:
        """One line that says what the result is (used by ``repr``)."""
        return ""

    def __repr__(self) -> str:
        head = self.headline()
        lines = [f"{type(self).__name__}({head})" if head else f"{type(self).__name__}()"]
        for name, df in self.tables().items():
            lines.append(f"  .{name}: {df.height:,} rows x {df.width} columns")
        main = self.to_polars()
        if isinstance(main, pl.DataFrame) and main.height:
            with pl.Config(tbl_rows=3, tbl_cols=8, fmt_str_lengths=24, tbl_hide_dataframe_shape=True,
                           tbl_hide_column_data_types=True, float_precision=4):
                lines.append(f"  first rows of .{self.TABLES[0]}:")
                lines.extend("  " + ln for ln in str(main.head(3)).splitlines())
        return "\n".join(lines)


def _with_seed(options: dict) -> None:
    """Deterministic methods report ``seed = None`` so every result's options name the seed."""
    options.setdefault("seed", None)


def _top_renamed(old: str) -> None:
    warnings.warn(f"{old}.summary() is renamed {old}.top(); the old name will be removed.",
                  FutureWarning, stacklevel=3)


@dataclass(frozen=True, repr=False)
class IndexResult(Result):
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

    TABLES: ClassVar[tuple[str, ...]] = ("scores", "weights", "growth", "yoy")

    def __post_init__(self) -> None:
        _with_seed(self.options)

    def ranks(self, column: str = "index") -> pl.DataFrame:
        """``region``, ``year``, ``column`` and its ``rank`` within each year (1 = best; ties min).

        NaN values (undefined index) get a null rank and sort last.
        """
        return (
            self.scores.select("region", "year", column)
            .with_columns(
                pl.col(column).fill_nan(None).rank(method="min", descending=True).over("year")
                .cast(pl.Int64).alias("rank")
            )
            .sort(["year", "rank", "region"], nulls_last=True)
        )

    def top(self, n: int = 5, column: str = "index") -> pl.DataFrame:
        """The ``n`` best regions of each year on ``column``: year, rank, region, value."""
        return self.ranks(column).filter(pl.col("rank") <= n).select("year", "rank", "region", column)

    def summary(self, top: int = 5, column: str = "index") -> pl.DataFrame:
        """Old name of :meth:`top` (a ``FutureWarning`` says so)."""
        _top_renamed("IndexResult")
        return self.top(top, column)

    def headline(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items() if k in ("scope", "standardize", "form"))
        n_r = self.scores["region"].n_unique()
        n_y = self.scores["year"].n_unique()
        return f"{n_r} regions x {n_y} years; columns {list(self.columns)}; {opts}"


@dataclass(frozen=True, repr=False)
class CombinedResult(Result):
    """Result of :func:`fastinno.combined_evaluation` (Xia, Li, Yin 2020).

    Attributes
    ----------
    scores : pl.DataFrame
        ``region``, ``year``, ``dimension`` (``"index"`` = all indicators, then each dimension),
        one column per single method (``entropy``, ``max_deviation``, ``topsis``, ``gra``),
        ``combined`` (drift-degree) and ``rank`` (1 = best within period and dimension; ties min).
        Rows by dimension, year, then region in panel order.
    method_weights : pl.DataFrame
        ``year``, ``dimension``, ``method``, ``compatible``, ``spearman_rho`` (with the reference),
        ``drift`` (1 - r), ``weight`` (0 for methods left out of the compatible set).
    compatibility : pl.DataFrame
        ``year``, ``dimension``, ``method_a``, ``method_b``, ``spearman_rho``, ``p_value``
        (two-sided, t approximation as scipy).
    kendall_w : pl.DataFrame
        ``year``, ``dimension``, ``n_methods``, ``w``, ``chi2`` = k (n - 1) W, ``df``, ``p_value``.
    excluded : pl.DataFrame
        ``year``, ``dimension``, ``item`` (method or indicator), ``reason``: everything left out.
    indicator_weights : pl.DataFrame
        ``year``, ``dimension``, ``indicator``, ``entropy``, ``max_deviation``.
    options : dict
        The options the evaluation ran with.

    ``year`` is null in the per-period frames when ``by="panel"``.
    """

    scores: pl.DataFrame
    method_weights: pl.DataFrame
    compatibility: pl.DataFrame
    kendall_w: pl.DataFrame
    excluded: pl.DataFrame
    indicator_weights: pl.DataFrame
    options: dict = field(default_factory=dict)

    TABLES: ClassVar[tuple[str, ...]] = (
        "scores", "method_weights", "compatibility", "kendall_w", "excluded", "indicator_weights",
    )

    def __post_init__(self) -> None:
        _with_seed(self.options)

    @property
    def excluded_methods(self) -> pl.DataFrame:
        """Rows of :attr:`excluded` naming a method left out of the compatible set."""
        return self.excluded.filter(pl.col("reason").str.starts_with("not compatible"))

    def top(self, n: int = 5, dimension: str = "index") -> pl.DataFrame:
        """The ``n`` best regions of each period on the combined score of ``dimension``."""
        order = ["rank", "region", "year"] if self.options.get("by") == "panel" else ["year", "rank", "region"]
        return (
            self.scores.filter((pl.col("dimension") == dimension) & (pl.col("rank") <= n))
            .sort(order)
            .select("year", "rank", "region", "combined")
        )

    def summary(self, top: int = 5, dimension: str = "index") -> pl.DataFrame:
        """Old name of :meth:`top` (a ``FutureWarning`` says so)."""
        _top_renamed("CombinedResult")
        return self.top(top, dimension)

    def headline(self) -> str:
        n_r = self.scores["region"].n_unique()
        n_y = self.scores["year"].n_unique()
        dims = self.scores["dimension"].unique(maintain_order=True).to_list()
        return (
            f"{n_r} regions x {n_y} years; methods {list(self.options.get('methods', ()))}; "
            f"by={self.options.get('by')!r}; dimensions {dims}"
        )


@dataclass(frozen=True, repr=False)
class DematelResult(Result):
    """Result of :func:`fastinno.grey_dematel` / :func:`fastinno.dematel`.

    Attributes
    ----------
    total_relation : pl.DataFrame
        T as a frame: column ``factor`` (row factor code), then one column per factor code.
    T : np.ndarray
        Total-relation matrix T = N (I - N)^{-1}, float64 (n, n).
    factors : pl.DataFrame
        One row per factor in factor order: ``code``, ``name``, ``group``, ``R`` (influence
        given, row sums of T), ``C`` (influence received, column sums), ``prominence`` (R + C),
        ``relation`` (R - C), ``role`` ("cause" if R - C > 0 else "effect"); after a bootstrap
        also ``R_lower``, ``R_upper``, ``C_lower``, ``C_upper``, ``prominence_lower``,
        ``prominence_upper``, ``relation_lower``, ``relation_upper`` (percentile interval at
        ``options["ci"]``) and ``p_cause`` (share of resamples with R - C > 0).
    relations : pl.DataFrame
        Off-diagonal pairs ``from``, ``to`` (factor codes as a ``pl.Enum``), ``t`` (t_ij) and ``above_threshold``
        (t_ij > threshold): the influence map.
    orderings : dict[str, str]
        ``{"R", "C", "prominence", "relation"}`` -> "C16 > C17 > ..." (descending; "=" for ties).
    threshold : float
        The influence-map threshold applied to T.
    direct : np.ndarray
        Aggregated crisp direct-relation matrix Z (zero diagonal).
    normalized : np.ndarray
        N = Z / s.
    scale_factor : float
        s (max row sum, or max of max row/column sums).
    experts : tuple[str, ...]
        Expert ids in survey order (("matrix1", ...) for plain DEMATEL).
    expert_weights : np.ndarray
        Normalised expert weights (sum 1) used in the aggregation.
    options : dict
        Every option used (normalization, cfcs_scope, aggregation, scale, threshold, bootstrap,
        seed, ci, n_valid_resamples, ...).
    """

    total_relation: pl.DataFrame
    T: object
    factors: pl.DataFrame
    relations: pl.DataFrame
    orderings: dict
    threshold: float
    direct: object
    normalized: object
    scale_factor: float
    experts: tuple
    expert_weights: object
    options: dict = field(default_factory=dict)

    TABLES: ClassVar[tuple[str, ...]] = ("factors", "relations", "total_relation")

    def __post_init__(self) -> None:
        _with_seed(self.options)

    def headline(self) -> str:
        return (f"{len(self.factors)} factors, {len(self.experts)} experts; causes {list(self.causes)}; "
                f"threshold {self.threshold:.4g}")

    @property
    def codes(self) -> tuple:
        """Factor codes in factor order."""
        return tuple(self.factors["code"].to_list())

    @property
    def causes(self) -> tuple:
        """Codes of the cause factors (R - C > 0), in factor order."""
        return tuple(self.factors.filter(pl.col("role") == "cause")["code"].to_list())



@dataclass(frozen=True, repr=False)
class GM11Result(Result):
    """Result of :func:`fastinno.gm11`.

    Attributes
    ----------
    x0 : np.ndarray
        The observed series (length n).
    a, b : float
        Development coefficient and grey input of x0(k) + a z(k) = b.
    fitted : np.ndarray
        Restored fitted values x0hat(1..n) (x0hat(1) = x0(1)).
    forecast : np.ndarray
        x0hat(n+1 .. n+horizon).
    residuals, relative_errors : np.ndarray
        e(k) = x0(k) - x0hat(k) and |e(k)| / x0(k), k = 1..n (both 0 at k = 1).
    mean_relative_error : float
        Mean of the relative errors over k = 2..n.
    C : float
        Posterior variance ratio S2 / S1 (population standard deviations of residuals and x0).
    P : float
        Small error probability: share of k with |e(k) - mean e| < 0.6745 S1.
    grade : str
        "good" (C <= 0.35, P >= 0.95), "qualified" (<= 0.5, >= 0.8), "barely qualified"
        (<= 0.65, >= 0.7) or "unqualified".
    class_ratios : np.ndarray
        lambda(k) = x0(k-1) / x0(k), k = 2..n.
    class_ratio_ok : bool
        Every lambda(k) lies in (e^{-2/(n+1)}, e^{2/(n+1)}).
    """

    x0: object
    a: float
    b: float
    fitted: object
    forecast: object
    residuals: object
    relative_errors: object
    mean_relative_error: float
    C: float
    P: float
    grade: str
    class_ratios: object
    class_ratio_ok: bool
    options: dict = field(default_factory=dict)

    TABLES: ClassVar[tuple[str, ...]] = ("fit",)

    def __post_init__(self) -> None:
        self.options.setdefault("horizon", len(self.forecast))
        _with_seed(self.options)

    @property
    def horizon(self) -> int:
        """Number of forecast steps."""
        return len(self.forecast)

    def headline(self) -> str:
        return (f"n={len(self.x0)}, horizon={self.horizon}; a={self.a:.6g}, b={self.b:.6g}; "
                f"C={self.C:.4g}, P={self.P:.4g}: {self.grade}")

    @property
    def fit(self) -> pl.DataFrame:
        """The fitted and forecast values as a long frame (same as :meth:`to_polars`)."""
        return self.to_polars()

    def to_polars(self) -> pl.DataFrame:
        """Long frame: ``step`` (1..n+horizon), ``kind`` (fitted|forecast), ``observed``,
        ``value``, ``residual``, ``relative_error`` (nulls for forecast steps)."""
        n = len(self.x0)
        h = len(self.forecast)
        return pl.DataFrame(
            {
                "step": list(range(1, n + h + 1)),
                "kind": ["fitted"] * n + ["forecast"] * h,
                "observed": [float(v) for v in self.x0] + [None] * h,
                "value": [float(v) for v in self.fitted] + [float(v) for v in self.forecast],
                "residual": [float(v) for v in self.residuals] + [None] * h,
                "relative_error": [float(v) for v in self.relative_errors] + [None] * h,
            },
            schema={
                "step": pl.Int64,
                "kind": pl.String,
                "observed": pl.Float64,
                "value": pl.Float64,
                "residual": pl.Float64,
                "relative_error": pl.Float64,
            },
        )



@dataclass(frozen=True, repr=False)
class ForecastResult(Result):
    """Result of :func:`fastinno.forecast`: GM(1,1) fits and forecasts of every region.

    Attributes
    ----------
    forecasts : pl.DataFrame
        One row per region and year, sorted by region (first-seen order) then year: ``<by>``,
        ``year``, ``kind`` ("fitted" for observed years, "forecast" after), ``observed`` (null
        for forecasts), ``value``, then the region's fit repeated on each of its rows: ``a``,
        ``b``, ``C``, ``P``, ``grade``, ``mean_relative_error``, ``class_ratio_ok``.
    fits : pl.DataFrame
        One row per region: ``<by>``, ``first_year``, ``last_year``, ``a``, ``b``, ``C``, ``P``,
        ``grade``, ``mean_relative_error``, ``class_ratio_ok``.
    options : dict
        ``column``, ``horizon``, ``by``, ``year`` and ``seed`` (None: GM(1,1) is deterministic).
    """

    forecasts: pl.DataFrame
    fits: pl.DataFrame
    options: dict = field(default_factory=dict)

    TABLES: ClassVar[tuple[str, ...]] = ("forecasts", "fits")

    def __post_init__(self) -> None:
        _with_seed(self.options)

    def headline(self) -> str:
        return (f"{self.fits.height} series of {self.options.get('column', '?')!r}, "
                f"horizon {self.options.get('horizon', '?')}")


@dataclass(frozen=True, repr=False)
class RobustnessResult(Result):
    """Result of :func:`fastinno.simulate` / :func:`fastinno.bootstrap`: index and rank stability.

    Attributes
    ----------
    summary : pl.DataFrame
        Per region and year: ``region``, ``year``, ``base_index``, ``base_rank``, ``mean_index``,
        ``median_index``, ``index_p05``, ``index_p95``, ``mean_rank``, ``median_rank``,
        ``rank_p05``, ``rank_p95``, ``p_top_<k>`` for each requested k (rank 1 = best in its
        year). ``mean_rank`` and ``p_top_<k>`` are exact; the rank quantiles are exact when the
        rank counts fitted ``rank_memory`` (``options["ranks"] == "exact"``), else from rank
        histograms, within ``rank_resolution - 1`` ranks. Index quantiles (numpy's linear
        quantiles of the draws) are exact when the draw matrix fitted ``quantile_memory``
        (``options["quantiles"] == "exact"``), else from histograms, within ``index_resolution``.
    agreement : pl.DataFrame
        Per year: ``spearman_rho_mean``, ``spearman_rho_p05``, ``spearman_rho_min`` (Spearman's rho of each draw's ranking
        against the base ranking) and ``mean_abs_rank_shift``.
    acceptability : pl.DataFrame or None
        ``region``, ``year``, ``rank``, ``share``: rank acceptability matrix (non-zero entries);
        with rank histograms each row is a bin: the share of draws with a rank in ``rank .. rank
        + rank_resolution - 1``.
    outranks : pl.DataFrame or None
        ``year``, ``region_a``, ``region_b``, ``p_outranks`` = P(rank of a < rank of b).
    variance_shares : pl.DataFrame or None
        Method-choice runs: ``choice``, ``first_order``, ``total`` (shares of rank variance), a
        row per choice and ``weight_draws`` (the weight perturbation).
    weights : pl.DataFrame or None
        Bootstrap runs: ``indicator``, ``base_weight``, ``mean_weight``, ``weight_p05``,
        ``weight_p95``.
    growth : pl.DataFrame or None
        Year bootstraps (``bootstrap(..., over="years")`` on two or more years; None otherwise):
        one row per region in panel order, ``region``, ``base_cagr``, ``mean_cagr``,
        ``cagr_p05``, ``cagr_p95``, ``base_mean_yoy``, ``mean_mean_yoy``, ``mean_yoy_p05``,
        ``mean_yoy_p95``. ``base_*`` = the growth of the model on the full panel (as
        ``hew_topsis(...).growth``); the rest are the mean and numpy's default (linear) 5 / 95 %
        quantiles over the replicates, whose growth comes from a moving-block resample of the
        replicate's own annual growth terms (see :func:`fastinno.bootstrap`). Undefined
        replicate values (zero or negative index) are skipped, with a warning.
    index_resolution : float
        Largest histogram bin width of the index quantiles (0 when exact).
    rank_resolution : int
        Ranks per bin of the rank counts: 1 = exact counts, else a power of two (rank histograms,
        used when the exact counts would pass ``rank_memory``).
    seed : int
        The seed used (drawn from fresh entropy when ``seed=None`` was given).
    options : dict
        Model, scheme and run options (draws, backend, seconds, ``quantile_memory`` in bytes and
        ``quantiles``: ``"exact"`` or ``"histogram"``; ``rank_memory`` in bytes and ``ranks``:
        ``"exact"`` or ``"histogram"``).
    """

    summary: pl.DataFrame
    agreement: pl.DataFrame
    acceptability: pl.DataFrame | None = None
    outranks: pl.DataFrame | None = None
    variance_shares: pl.DataFrame | None = None
    weights: pl.DataFrame | None = None
    index_resolution: float = 0.0
    seed: int = 0
    options: dict = field(default_factory=dict)
    growth: pl.DataFrame | None = None
    rank_resolution: int = 1

    TABLES: ClassVar[tuple[str, ...]] = (
        "summary", "agreement", "acceptability", "outranks", "variance_shares", "weights", "growth",
    )

    def __post_init__(self) -> None:
        self.options.setdefault("seed", self.seed)

    def headline(self) -> str:
        n_r = self.summary["region"].n_unique() if "region" in self.summary.columns else 0
        n_y = self.summary["year"].n_unique() if "year" in self.summary.columns else 0
        runs = self.options.get("draws", self.options.get("replicates", "?"))
        return f"{n_r} regions x {n_y} years; {runs} runs; model {self.options.get('model')!r}; seed {self.seed}"

    def most_stable(self, n: int = 5) -> pl.DataFrame:
        """Regions with the narrowest 90 % rank interval (mean over years)."""
        return self._stability().sort(["rank_width", "region"]).head(n)

    def least_stable(self, n: int = 5) -> pl.DataFrame:
        """Regions with the widest 90 % rank interval (mean over years)."""
        return self._stability().sort(["rank_width", "region"], descending=[True, False]).head(n)

    def widest_growth_intervals(self, n: int = 5) -> pl.DataFrame:
        """Regions with the widest 90 % bootstrap interval of the CAGR (year bootstraps only).

        ``region``, ``base_cagr``, ``cagr_p05``, ``cagr_p95``, ``cagr_width`` (p95 - p05), widest
        first; regions without a defined interval last. Empty when ``growth`` is None.
        """
        if self.growth is None:
            return pl.DataFrame(schema={"region": pl.String, "base_cagr": pl.Float64, "cagr_p05": pl.Float64,
                                        "cagr_p95": pl.Float64, "cagr_width": pl.Float64})
        return (
            self.growth.select("region", "base_cagr", "cagr_p05", "cagr_p95")
            .with_columns((pl.col("cagr_p95") - pl.col("cagr_p05")).fill_nan(None).alias("cagr_width"))
            .sort(["cagr_width", "region"], descending=[True, False], nulls_last=True)
            .head(n)
        )

    def _stability(self) -> pl.DataFrame:
        return (
            self.summary.group_by("region")
            .agg(
                (pl.col("rank_p95") - pl.col("rank_p05")).mean().alias("rank_width"),
                pl.col("base_rank").mean().alias("base_rank"),
                pl.col("mean_rank").mean().alias("mean_rank"),
            )
        )
