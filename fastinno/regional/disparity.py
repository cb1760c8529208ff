"""Regional disparities of a score: CV, Gini, Theil T / L and their group decompositions.

:func:`disparity` measures, year by year, how unequal the regions' scores are, splits Theil T
into within- and between-group parts (Shorrocks 1980) and the Gini coefficient into within, net
between and transvariation parts (Dagum 1997), with percentile intervals from a bootstrap over
regions stratified by group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import polars as pl

from .. import _options
from .._random import block_seeds, check_seed
from .._threads import serial_below
from ..errors import DegenerateDataError, InputError, format_keys
from ..kernels import inequality as ki
from ..results import Result
from .inputs import group_labels, score_table

__all__ = ["disparity", "DisparityResult", "MEASURES"]

#: Every measure :func:`disparity` computes by default (``"dagum"`` only with groups).
MEASURES = ("cv", "gini", "theil_t", "theil_l", "dagum")

#: Rows of ``.overall``: measure name -> kernel column, in display order.
_OVERALL = (
    ("cv", ki.CV),
    ("gini", ki.GINI),
    ("theil_t", ki.THEIL_T),
    ("theil_l", ki.THEIL_L),
    ("theil_within", ki.THEIL_WITHIN),
    ("theil_between", ki.THEIL_BETWEEN),
    ("dagum_within", ki.DAGUM_WITHIN),
    ("dagum_net_between", ki.DAGUM_NET),
    ("dagum_transvariation", ki.DAGUM_TRANS),
)
_LEVEL = 0.95
#: Below this many region-years x replicates the bootstrap runs on one thread.
_SERIAL_WORK = 400_000


@dataclass(frozen=True, repr=False)
class DisparityResult(Result):
    """Result of :func:`fastinno.disparity`.

    Attributes
    ----------
    overall : pl.DataFrame
        ``year``, ``measure``, ``value``, ``lower``, ``upper`` (95% bootstrap percentile interval;
        null without bootstrap). Measures: those asked for among ``cv``, ``gini``, ``theil_t``,
        ``theil_l``; with groups, also ``theil_within`` and ``theil_between`` (with ``theil_t``)
        and ``dagum_within``, ``dagum_net_between``, ``dagum_transvariation`` (with ``dagum``), so
        every decomposition part has its interval too.
    theil : pl.DataFrame or None
        Theil T decomposition per year: ``year``, ``total``, ``within``, ``between``,
        ``within_share``, ``between_share`` (total = within + between).
    theil_groups : pl.DataFrame or None
        Each group's within term: ``year``, ``group``, ``n_regions``, ``mean``, ``income_share``
        s_j, ``theil`` T_j, ``contribution`` = s_j T_j (sums to ``within``).
    dagum : pl.DataFrame or None
        Dagum decomposition per year: ``year``, ``gini`` G, ``within`` G_w, ``net_between`` G_nb,
        ``transvariation`` G_t, ``between`` G_gb = G_nb + G_t, and each part's share of G
        (``within_share``, ``net_between_share``, ``transvariation_share``).
    dagum_within : pl.DataFrame or None
        ``year``, ``group``, ``n_regions``, ``mean``, ``population_share`` p_j, ``income_share``
        s_j, ``gini`` G_jj, ``contribution`` p_j s_j G_jj (sums to G_w).
    dagum_between : pl.DataFrame or None
        One row per pair of groups (``group_a`` < ``group_b``): ``year``, ``group_a``,
        ``group_b``, ``gini`` G_jh, ``gross`` d_jh (gross economic affluence of the richer group),
        ``transvariation`` p_jh, ``d`` = D_jh = (d_jh - p_jh) / (d_jh + p_jh) in [0, 1] (0 when
        every member of both groups is equal), ``net_between`` and ``transvariation_part``
        (the pair's contributions G_jh (p_j s_h + p_h s_j) D_jh and ... (1 - D_jh)).
    options : dict
        ``column``, ``measures``, ``groups`` (the group labels, or None), ``bootstrap``,
        ``level``, ``seed`` (None without bootstrap).
    """

    overall: pl.DataFrame
    theil: pl.DataFrame | None = None
    theil_groups: pl.DataFrame | None = None
    dagum: pl.DataFrame | None = None
    dagum_within: pl.DataFrame | None = None
    dagum_between: pl.DataFrame | None = None
    options: dict = field(default_factory=dict)

    TABLES: ClassVar[tuple[str, ...]] = (
        "overall", "theil", "theil_groups", "dagum", "dagum_within", "dagum_between",
    )

    def __post_init__(self) -> None:
        self.options.setdefault("seed", None)

    def headline(self) -> str:
        n_y = self.overall["year"].n_unique()
        groups = self.options.get("groups")
        grp = f"{len(groups)} groups" if groups else "no groups"
        boot = self.options.get("bootstrap", 0)
        return (f"{self.options.get('column')!r}: {n_y} years, {grp}, measures "
                f"{list(self.options.get('measures', ()))}" + (f", {boot} bootstrap replicates" if boot else ""))


def _check_measures(measures: object, has_groups: bool) -> tuple[str, ...]:
    if isinstance(measures, str):
        measures = (measures,)
    try:
        items = list(measures)  # type: ignore[call-overload]
    except TypeError:
        raise InputError(f"measures must be a list of names among {', '.join(MEASURES)}; got {measures!r}.") from None
    if not items:
        raise InputError(f"measures is empty: name at least one of {', '.join(MEASURES)}.")
    out = []
    for m in items:
        c = _options.check("measure", m)
        if c not in out:
            out.append(c)
    if "dagum" in out and not has_groups:
        raise InputError("the Dagum decomposition needs groups: pass groups= (region -> group), "
                         "or leave 'dagum' out of measures.")
    return tuple(out)


def _check_bootstrap(bootstrap: object) -> int:
    if isinstance(bootstrap, (bool, np.bool_)) or not isinstance(bootstrap, (int, np.integer)):
        raise InputError(f"bootstrap must be a whole number of replicates (0 for none); got {bootstrap!r}.")
    if bootstrap < 0 or bootstrap == 1:
        raise InputError(f"bootstrap must be 0 (no intervals) or at least 2 replicates; got {bootstrap}.")
    return int(bootstrap)


def _check_values(values: np.ndarray, years: np.ndarray, regions: list[str], column: str,
                  measures: tuple[str, ...]) -> None:
    theil = any(m in measures for m in ("theil_t", "theil_l"))
    bad = values <= 0.0 if theil else values < 0.0
    if bad.any():
        r, y = np.nonzero(bad)
        keys = [(regions[i], int(years[t])) for i, t in zip(r, y)]
        need = "> 0 for the Theil indices (logarithms)" if theil else ">= 0 for inequality measures"
        raise DegenerateDataError(
            f"column {column!r} must be {need}; {len(keys)} value(s) are not, at {format_keys(keys)}. "
            "Shift or rescale the scores to positive values, or leave those measures out."
        )
    zero = values.sum(axis=0) <= 0.0
    if zero.any():
        raise DegenerateDataError(
            f"column {column!r} sums to 0 in year(s) {format_keys(years[zero].tolist())}: "
            "inequality relative to the mean is undefined."
        )


def _group_blocks(groups: object, regions: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Group names (sorted), the regions' order by group, and the group block starts."""
    if groups is None:
        return [], np.arange(len(regions), dtype=np.int64), np.array([0, len(regions)], dtype=np.int64)
    labels = group_labels(groups, regions)
    names = sorted(set(labels.values()))
    code = {g: i for i, g in enumerate(names)}
    codes = np.array([code[labels[r]] for r in regions], dtype=np.int64)
    perm = np.argsort(codes, kind="stable").astype(np.int64)
    gstart = np.searchsorted(codes[perm], np.arange(len(names) + 1)).astype(np.int64)
    return names, perm, gstart


def _interval(reps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = (1.0 - _LEVEL) / 2.0
    lo, hi = np.percentile(reps, [100 * a, 100 * (1 - a)], axis=0)
    return lo, hi


def disparity(scores: object, column: str = "index", groups: object = None,
              measures: object = MEASURES, bootstrap: int = 0, seed: int | None = 0) -> DisparityResult:
    """Regional disparities of ``column`` per year, with group decompositions and intervals.

    Parameters
    ----------
    scores : polars DataFrame (``region``, ``year``, ``column``) or a fastinno result with
        ``.scores``; a balanced panel.
    column : str
        The score to analyse.
    groups : mapping region -> group, or a frame (``region`` and one group column), optional.
        Needed for the decompositions (``theil`` tables, ``dagum``); every region needs a group.
    measures : names among ``"cv"``, ``"gini"``, ``"theil_t"``, ``"theil_l"``, ``"dagum"``.
        By default all of them; ``"dagum"`` is then left out when no groups are given (asking
        for it explicitly without groups is an error).
    bootstrap : int
        Replicates of a bootstrap over regions (0 = none). Regions are resampled with
        replacement within each group, keeping group sizes; the same resampled regions serve
        every year. Intervals are 95% percentile intervals.
    seed : int
        Replicate k is seeded from ``np.random.SeedSequence(seed, spawn_key=(k,))``, so results
        do not depend on the thread count or on how many replicates are drawn.

    Returns
    -------
    DisparityResult

    Notes
    -----
    With n regions, mean m (per year), CV = sd / m (population sd, ddof 0); Gini G =
    sum_i sum_r |y_i - y_r| / (2 n^2 m); Theil T = (1/n) sum (y_i/m) ln(y_i/m) (Theil 1967)
    = sum_j s_j T_j + sum_j s_j ln(m_j/m) with income shares s_j = n_j m_j / (n m) (Shorrocks
    1980); Theil L = (1/n) sum ln(m/y_i), the mean log deviation. Dagum (1997) splits
    G = G_w + G_nb + G_t: G_w = sum_j G_jj p_j s_j (p_j = n_j/n), and for pairs j, h,
    G_jh = sum |y_ji - y_hr| / (n_j n_h (m_j + m_h)) weighted by p_j s_h + p_h s_j and split by
    the relative economic affluence D_jh = (d_jh - p_jh)/(d_jh + p_jh) into the net between part
    (D_jh) and transvariation (1 - D_jh). Every pair sum comes from one pass over the sorted
    values: O(n log n + n k) per year.

    Raises
    ------
    InputError
        Bad scores, groups, measures or bootstrap; ``"dagum"`` asked for without groups.
    DegenerateDataError
        Values <= 0 with a Theil index asked for, negative values, or a year summing to 0.
    """
    default = measures is MEASURES
    if default and groups is None:
        measures = MEASURES[:-1]
    measures = _check_measures(measures, groups is not None)
    n_boot = _check_bootstrap(bootstrap)
    seed = check_seed(seed) if n_boot or seed is not None else None
    if not n_boot:
        seed = None  # deterministic without replicates
    table = score_table(scores, column)
    names, perm, gstart = _group_blocks(groups, table.regions)
    _check_values(table.values, table.years, table.regions, column, measures)
    vt = np.ascontiguousarray(table.values[perm].T)
    k = len(gstart) - 1
    if names:
        zero = np.add.reduceat(vt, gstart[:-1], axis=1) <= 0.0  # (years, groups)
        if zero.any():
            t, j = np.nonzero(zero)
            keys = [(names[g], int(table.years[y])) for y, g in zip(t, j)]
            raise DegenerateDataError(
                f"column {column!r} sums to 0 within {len(keys)} (group, year): {format_keys(keys)}; "
                "the group decompositions divide by group means. Merge or drop those groups."
            )
    codes = np.repeat(np.arange(k, dtype=np.int64), np.diff(gstart))
    stats, gstats, pstats = ki.inequality_panel(vt, codes, k)
    years = table.years
    n_years = len(years)

    rows = [(name, col) for name, col in _OVERALL if _wanted(name, measures, bool(names))]
    lower = upper = None
    if n_boot:
        order = ki.sorted_orders(vt)
        seeds = block_seeds(seed, 0, n_boot)
        with serial_below(n_boot * vt.size, _SERIAL_WORK):
            reps = ki.bootstrap_inequality(vt, order, codes, gstart, seeds)
        lower, upper = _interval(reps)
    cols = [c for _n, c in rows]
    empty = [None] * (n_years * len(rows))
    overall = pl.DataFrame({
        "year": np.repeat(years, len(rows)),
        "measure": [name for _ in range(n_years) for name, _c in rows],
        "value": stats[:, cols].ravel(),
        "lower": lower[:, cols].ravel() if lower is not None else empty,
        "upper": upper[:, cols].ravel() if upper is not None else empty,
    }, schema={"year": pl.Int64, "measure": pl.String, "value": pl.Float64, "lower": pl.Float64,
               "upper": pl.Float64})
    out: dict[str, pl.DataFrame | None] = {"overall": overall}
    if names and "theil_t" in measures:
        out.update(_theil_tables(years, names, stats, gstats))
    if names and "dagum" in measures:
        out.update(_dagum_tables(years, names, stats, gstats, pstats))
    options = {"column": column, "measures": measures, "groups": tuple(names) or None,
               "bootstrap": n_boot, "level": _LEVEL, "seed": seed}
    return DisparityResult(**out, options=options)


def _wanted(name: str, measures: tuple[str, ...], grouped: bool) -> bool:
    if name in ("cv", "gini", "theil_t", "theil_l"):
        return name in measures
    if name.startswith("theil_"):
        return grouped and "theil_t" in measures
    return grouped and "dagum" in measures


def _theil_tables(years, names, stats, gstats) -> dict[str, pl.DataFrame]:
    total = stats[:, ki.THEIL_T]
    within = stats[:, ki.THEIL_WITHIN]
    between = stats[:, ki.THEIL_BETWEEN]
    with np.errstate(invalid="ignore", divide="ignore"):
        theil = pl.DataFrame({
            "year": years, "total": total, "within": within, "between": between,
            "within_share": within / total, "between_share": between / total,
        })
    k = len(names)
    g = gstats.reshape(-1, ki.N_GROUP_STATS)
    groups = pl.DataFrame({
        "year": np.repeat(years, k),
        "group": names * len(years),
        "n_regions": g[:, ki.G_N].astype(np.int64),
        "mean": g[:, ki.G_MEAN],
        "income_share": g[:, ki.G_SHARE],
        "theil": g[:, ki.G_THEIL],
        "contribution": g[:, ki.G_SHARE] * g[:, ki.G_THEIL],
    })
    return {"theil": theil, "theil_groups": groups}


def _dagum_tables(years, names, stats, gstats, pstats) -> dict[str, pl.DataFrame]:
    gini = stats[:, ki.GINI]
    gw, gnb, gt = stats[:, ki.DAGUM_WITHIN], stats[:, ki.DAGUM_NET], stats[:, ki.DAGUM_TRANS]
    with np.errstate(invalid="ignore", divide="ignore"):
        dagum = pl.DataFrame({
            "year": years, "gini": gini, "within": gw, "net_between": gnb, "transvariation": gt,
            "between": gnb + gt, "within_share": gw / gini, "net_between_share": gnb / gini,
            "transvariation_share": gt / gini,
        })
    k = len(names)
    g = gstats.reshape(-1, ki.N_GROUP_STATS)
    n_tot = gstats[:, :, ki.G_N].sum(axis=1)
    p = (gstats[:, :, ki.G_N] / n_tot[:, None]).ravel()
    within = pl.DataFrame({
        "year": np.repeat(years, k),
        "group": names * len(years),
        "n_regions": g[:, ki.G_N].astype(np.int64),
        "mean": g[:, ki.G_MEAN],
        "population_share": p,
        "income_share": g[:, ki.G_SHARE],
        "gini": g[:, ki.G_GINI],
        "contribution": p * g[:, ki.G_SHARE] * g[:, ki.G_GINI],
    })
    ja, hb = np.triu_indices(k, 1)
    n_pairs = len(ja)
    pr = pstats[:, ja, hb, :].reshape(-1, ki.N_PAIR_STATS)
    ps = (gstats[:, :, ki.G_N] / n_tot[:, None])
    ss = gstats[:, :, ki.G_SHARE]
    wt = (ps[:, ja] * ss[:, hb] + ps[:, hb] * ss[:, ja]).ravel() * pr[:, ki.P_GINI]
    between = pl.DataFrame({
        "year": np.repeat(years, n_pairs),
        "group_a": [names[j] for j in ja] * len(years),
        "group_b": [names[h] for h in hb] * len(years),
        "gini": pr[:, ki.P_GINI],
        "gross": pr[:, ki.P_GROSS],
        "transvariation": pr[:, ki.P_TRANS],
        "d": pr[:, ki.P_D],
        "net_between": wt * pr[:, ki.P_D],
        "transvariation_part": wt * (1.0 - pr[:, ki.P_D]),
    }, schema_overrides={"group_a": pl.String, "group_b": pl.String})
    return {"dagum": dagum, "dagum_within": within, "dagum_between": between}
