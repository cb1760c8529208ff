"""Distribution dynamics of scores: kernel densities per year and (spatial) Markov chains of
score classes (Quah 1993; Rey 2001)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import polars as pl

from .. import _options as opts
from ..errors import DegenerateDataError, FastinnoWarning, InputError, format_keys
from ..kernels import spatial as ks
from ..results import Result
from . import chains
from .inputs import score_table
from .neighbours import aligned

__all__ = ["MarkovResult", "density", "markov", "bandwidths", "quantile_cuts", "classify"]

#: Grid points x regions evaluated at once by :func:`density` (bounds its memory).
DENSITY_CHUNK = 1 << 20


def bandwidths(values: np.ndarray, bandwidth: object) -> np.ndarray:
    """Kernel bandwidth h per column of ``values`` (n, m).

    ``"silverman"``: h = sd (3 n / 4)^(-1/5); ``"scott"``: h = sd n^(-1/5), with sd the sample
    standard deviation (ddof = 1): scipy.stats.gaussian_kde's factors (Silverman 1986, eq. 3.31;
    Scott 1992) times the data's sd. A positive number is h itself, for every column.
    """
    n, m = values.shape
    if isinstance(bandwidth, str):
        rule = opts.check("bandwidth", bandwidth)
        if n < 2:
            raise DegenerateDataError(f"a {rule} bandwidth needs at least 2 regions; there is {n}.")
        factor = (3.0 * n / 4.0) ** (-0.2) if rule == "silverman" else n ** (-0.2)
        return factor * values.std(axis=0, ddof=1)
    if isinstance(bandwidth, (bool, np.bool_)) or not isinstance(bandwidth, (int, float, np.integer, np.floating)):
        raise InputError(f"bandwidth must be 'silverman', 'scott' or a positive number; got {bandwidth!r}.")
    if not (math.isfinite(bandwidth) and bandwidth > 0):
        raise InputError(f"bandwidth must be a positive number; got {bandwidth!r}.")
    return np.full(m, float(bandwidth))


def density(scores: object, *, column: str = "index", bandwidth: object = "silverman",
            grid: int = 200) -> pl.DataFrame:
    """Gaussian kernel density of a score column in every year, on one common grid.

    Parameters
    ----------
    scores : polars.DataFrame or fastinno result
        ``region``, ``year`` and ``column`` (a balanced panel).
    column : str
        The analysed column.
    bandwidth : {"silverman", "scott"} or float
        A rule (per year, as scipy.stats.gaussian_kde) or the bandwidth h itself.
    grid : int
        Number of evaluation points (>= 2).

    Returns
    -------
    polars.DataFrame
        ``year``, ``x``, ``density``: ``grid`` rows per year, x increasing.

    Notes
    -----
    f_t(x) = 1 / (n h_t) sum_i phi((x - x_it) / h_t), phi the standard normal density
    (Silverman 1986, eq. 2.2a). The grid spans the pooled minimum and maximum widened by three
    times the largest bandwidth of any year, so every year's curve reaches its tails. A year
    whose values are all equal has no rule bandwidth: an error names it.
    """
    table = score_table(scores, column)
    if isinstance(grid, (bool, np.bool_)) or not isinstance(grid, (int, np.integer)) or grid < 2:
        raise InputError(f"grid must be an integer >= 2; got {grid!r}.")
    values = table.values
    h = bandwidths(values, bandwidth)
    flat = h <= 0
    if flat.any():
        raise DegenerateDataError(f"column {column!r} is constant in year(s) {format_keys(table.years[flat].tolist())}: "
                                  "no bandwidth rule applies there. Pass a numeric bandwidth, or drop those years.")
    pad = 3.0 * float(h.max())
    x = np.linspace(float(values.min()) - pad, float(values.max()) + pad, int(grid))
    n, m = values.shape
    dens = np.empty((m, grid))
    step = max(1, DENSITY_CHUNK // max(n, 1))
    for y in range(m):
        for a in range(0, grid, step):
            u = (x[a:a + step, None] - values[None, :, y]) / h[y]
            dens[y, a:a + step] = np.exp(-0.5 * u * u).sum(axis=1)
        dens[y] /= n * h[y] * math.sqrt(2.0 * math.pi)
    return pl.DataFrame({"year": np.repeat(table.years, grid), "x": np.tile(x, m), "density": dens.ravel()})


def quantile_cuts(values: np.ndarray, classes: int) -> np.ndarray:
    """Upper bounds of ``classes`` quantile classes: numpy's linear quantiles at j / classes,
    j = 1..classes, with repeated cut points merged (so there may be fewer classes)."""
    return np.unique(np.quantile(values, np.arange(1, classes + 1) / classes))


def classify(values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """0-based class of each value: class j holds cuts[j-1] < v <= cuts[j] (upper bound
    included, as mapclassify / giddy); values above the last cut fall in the last class."""
    return np.minimum(np.searchsorted(cuts, values, side="left"), len(cuts) - 1)


def _classes(values: np.ndarray, classes: int, per_year: bool, what: str, years: np.ndarray):
    """Class ids (n, m) and the cut table rows (year or None, class, upper)."""
    rows = []
    if per_year:
        ids = np.empty(values.shape, dtype=np.int64)
        merged = []
        for t in range(values.shape[1]):
            c = quantile_cuts(values[:, t], classes)
            if len(c) < classes:
                merged.append(int(years[t]))
            ids[:, t] = classify(values[:, t], c)
            rows += [(what, int(years[t]), j + 1, float(u)) for j, u in enumerate(c)]
        if merged:
            warnings.warn(f"{what} quantiles repeat in year(s) {format_keys(merged)}: fewer than {classes} classes there "
                          "(tied values).", FastinnoWarning, stacklevel=3)
        k = int(ids.max()) + 1
    else:
        c = quantile_cuts(values.ravel(), classes)
        if len(c) < classes:
            warnings.warn(f"pooled {what} quantiles repeat (tied values): {len(c)} classes instead of {classes}.",
                          FastinnoWarning, stacklevel=3)
        ids = classify(values, c).astype(np.int64)
        rows = [(what, None, j + 1, float(u)) for j, u in enumerate(c)]
        k = len(c)
    return ids, k, rows


@dataclass(frozen=True, repr=False)
class MarkovResult(Result):
    """Result of :func:`fastinno.markov`: a (spatial) Markov chain of score classes.

    Classes are numbered 1 (lowest scores) to k. With neighbours, every table has a leading
    ``lag_class`` column: the class of the region's spatial lag in the origin year.

    Attributes
    ----------
    transitions : pl.DataFrame
        [``lag_class``], ``from_class``, ``to_class``, ``count`` (year-to-year moves),
        ``probability`` (count / row total; NaN for a class never seen as origin).
    ergodic : pl.DataFrame
        [``lag_class``], ``class``, ``probability``: the steady-state distribution (NaN when the
        chain has no unique one).
    first_passage : pl.DataFrame
        [``lag_class``], ``from_class``, ``to_class``, ``years``: mean first passage times, the
        diagonal holding mean recurrence times (NaN unless the chain is irreducible).
    cuts : pl.DataFrame
        ``kind`` ("value" or "lag"), ``year`` (null for pooled cuts), ``class``, ``upper``.
    options : dict
    """

    transitions: pl.DataFrame
    ergodic: pl.DataFrame
    first_passage: pl.DataFrame
    cuts: pl.DataFrame
    options: dict = field(default_factory=dict)

    TABLES: ClassVar[tuple[str, ...]] = ("transitions", "ergodic", "first_passage", "cuts")

    def __post_init__(self) -> None:
        self.options.setdefault("seed", None)

    def matrix(self, lag_class: int | None = None) -> np.ndarray:
        """The transition probability matrix (k, k) (of one lag class in the spatial case)."""
        t = self.transitions
        if "lag_class" in t.columns:
            if lag_class is None:
                raise InputError("this is a spatial Markov chain: name a lag_class.")
            t = t.filter(pl.col("lag_class") == lag_class)
        k = self.options["classes_used"]
        out = np.full((k, k), np.nan)
        out[t["from_class"].to_numpy() - 1, t["to_class"].to_numpy() - 1] = t["probability"].to_numpy()
        return out

    def headline(self) -> str:
        kind = "spatial Markov" if self.options.get("spatial") else "Markov"
        return f"{kind}, {self.options.get('classes_used')} classes, cuts={self.options.get('cuts')!r}"


def markov(scores: object, *, column: str = "index", classes: int = 5, neighbours: object = None,
           cuts: str = "pooled", lag_classes: int | None = None) -> MarkovResult:
    """Discrete Markov chain of score classes; spatial Markov when ``neighbours`` are given.

    Parameters
    ----------
    scores : polars.DataFrame or fastinno result
        ``region``, ``year`` and ``column`` (a balanced panel, at least 2 years).
    column : str
    classes : int
        Number of quantile classes (>= 2).
    neighbours : Neighbours or a neighbour source, optional
        With neighbours, transitions are conditioned on the class of the region's spatial lag
        (row-standardized weights) in the origin year (Rey 2001).
    cuts : {"pooled", "year"}
        Quantiles of all years pooled (giddy ``fixed=True``) or of each year (``fixed=False``);
        the lag classes follow the same choice.
    lag_classes : int, optional
        Number of lag classes (default ``classes``).

    Returns
    -------
    MarkovResult

    Notes
    -----
    Cut points are numpy's linear quantiles at j / k; a value v is in class j when
    cut_{j-1} < v <= cut_j (giddy 2.3.8 / mapclassify ``Quantiles``). Repeated cut points (tied
    values) are merged, with a warning. Transition probabilities are maximum-likelihood
    p_ij = n_ij / n_i (Anderson & Goodman 1957). The lag of region i in year t is
    sum_j w_ij x_jt; its classes are pooled quantiles of the lag over all years (or per year),
    as giddy's ``Spatial_Markov``. The steady state solves pi P = pi, sum pi = 1, when the chain
    has a single recurrent class; mean first passage times follow Kemeny & Snell (1976, thm.
    4.4.7), M = (I - Z + E Z_dg) D, with Z = (I - P + 1 pi')^-1, D = diag(1 / pi), for an
    irreducible chain. Otherwise those entries are NaN and a warning says why.
    """
    table = score_table(scores, column)
    k_req = _positive_int("classes", classes, 2)
    m_req = k_req if lag_classes is None else _positive_int("lag_classes", lag_classes, 2)
    per_year = opts.check("cuts", cuts) == "year"
    if len(table.years) < 2:
        raise DegenerateDataError(f"a Markov chain needs at least 2 years; scores has {len(table.years)}.")
    values = table.values
    ids, k, cut_rows = _classes(values, k_req, per_year, "value", table.years)
    spatial = neighbours is not None
    if spatial:
        nb = aligned(neighbours, table.regions)
        lag = ks.spatial_lag(nb.indptr, nb.indices, nb.weights, values)
        lag_ids, m, lag_rows = _classes(lag, m_req, per_year, "lag", table.years)
        cut_rows += lag_rows
    else:
        lag_ids, m = np.zeros_like(ids), 1
    counts = chains.transition_counts(ids, lag_ids, k, m)
    frames = chains.chain_tables(counts, spatial)
    cut_frame = pl.DataFrame(cut_rows, schema={"kind": pl.String, "year": pl.Int64, "class": pl.Int64, "upper": pl.Float64},
                             orient="row")
    options = {"column": column, "classes": k_req, "classes_used": k, "cuts": "year" if per_year else "pooled",
               "spatial": spatial, "lag_classes_used": m if spatial else None}
    return MarkovResult(*frames, cuts=cut_frame, options=options)


def _positive_int(name: str, value: object, low: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < low:
        raise InputError(f"{name} must be an integer >= {low}; got {value!r}.")
    return int(value)
