"""Spatial autocorrelation of scores: global Moran's I and local Moran (LISA) per year."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import polars as pl

from .. import _random
from .._config import DRAW_BLOCK
from .._threads import serial_below
from ..errors import DegenerateDataError, InputError, format_keys
from ..kernels import spatial as ks
from ..results import Result
from .inputs import score_table
from .neighbours import Neighbours, aligned

__all__ = ["MoranResult", "moran", "moran_statistics"]

#: SeedSequence streams of the two permutation tests (spawn_key = (block, stream)).
GLOBAL_STREAM = 11
LOCAL_STREAM = 12
#: Regions per parallel task in the LISA kernel.
LISA_CHUNK = 64
#: Below this many (permutations x links x years) the kernels run on one thread.
PARALLEL_WORK = 2_000_000


@dataclass(frozen=True, repr=False)
class MoranResult(Result):
    """Result of :func:`fastinno.moran`.

    Attributes
    ----------
    global_ : pl.DataFrame
        ``year``, ``moran_i``, ``expected`` (= -1 / (n - 1)), ``z`` (normality z), ``p_value``
        (folded permutation pseudo p-value; null without permutations).
    local : pl.DataFrame or None
        ``region``, ``year``, ``local_i``, ``p_value``, ``cluster`` (HH, LL, HL, LH when
        ``p_value <= alpha``, else ``ns``). Rows by year, then region in score order.
    options : dict
        ``column``, ``permutations``, ``seed``, ``alpha``, ``n_regions``, ``islands``.
    """

    global_: pl.DataFrame
    local: pl.DataFrame | None = None
    options: dict = field(default_factory=dict)

    TABLES: ClassVar[tuple[str, ...]] = ("global_", "local")

    def tables(self) -> dict[str, pl.DataFrame]:
        out = super().tables()
        if "global_" in out:
            out["global"] = out.pop("global_")
        return {"global": out["global"], **{k: v for k, v in out.items() if k != "global"}}

    def headline(self) -> str:
        return (f"{self.options.get('n_regions')} regions x {self.global_.height} years; "
                f"{self.options.get('permutations')} permutations")


def _weights_sums(nb: Neighbours) -> tuple[float, float, float]:
    """S0 = sum w_ij, S1 = 1/2 sum (w_ij + w_ji)^2, S2 = sum_i (w_i. + w_.i)^2 (Cliff & Ord)."""
    n = nb.n
    rows = np.repeat(np.arange(n), nb.cardinalities)
    w = nb.weights
    key = rows * n + nb.indices
    tkey = nb.indices * n + rows
    order = np.argsort(key)
    pos = np.searchsorted(key[order], tkey)
    pos = np.minimum(pos, len(key) - 1) if len(key) else pos
    found = (key[order][pos] == tkey) if len(key) else np.zeros(0, bool)
    w_t = np.where(found, w[order][pos] if len(key) else 0.0, 0.0)
    # pairs present in one direction only count their (w_ij)^2 once in each half
    s1 = 0.5 * (np.sum((w + w_t) ** 2) + np.sum(w[~found] ** 2))
    out_sum = np.bincount(rows, weights=w, minlength=n)
    in_sum = np.bincount(nb.indices, weights=w, minlength=n)
    return float(w.sum()), float(s1), float(np.sum((out_sum + in_sum) ** 2))


def moran_statistics(values: np.ndarray, nb: Neighbours) -> dict[str, np.ndarray]:
    """Moran's I, its expectation, normality variance and z per column of ``values`` (n, m).

    I = n / S0 * z'Wz / z'z; E[I] = -1 / (n - 1);
    Var_N[I] = (n^2 S1 - n S2 + 3 S0^2) / ((n^2 - 1) S0^2) - E[I]^2 (Cliff & Ord 1981, eq. 1.37).
    """
    n = values.shape[0]
    z = values - values.mean(axis=0)
    z2 = np.sum(z * z, axis=0)
    num = ks.moran_numerators(np.ascontiguousarray(z), nb.indptr, nb.indices, nb.weights)
    s0, s1, s2 = _weights_sums(nb)
    i_stat = n / s0 * num / z2
    expected = -1.0 / (n - 1)
    var = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - expected ** 2
    return {"z": z, "num": num, "i": i_stat, "expected": expected, "z_norm": (i_stat - expected) / math.sqrt(var)}


def _folded(count: np.ndarray, permutations: int) -> np.ndarray:
    """(min(c, P - c) + 1) / (P + 1): the folded one-sided pseudo p-value (esda, GeoDa)."""
    larger = np.minimum(count, permutations - count)
    return (larger + 1.0) / (permutations + 1.0)


def _check_int(name: str, value: object, low: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < low:
        raise InputError(f"{name} must be an integer >= {low}; got {value!r}.")
    return int(value)


def moran(scores: object, *, column: str = "index", neighbours: object, permutations: int = 999,
          seed: int | None = 0, local: bool = True, alpha: float = 0.05) -> MoranResult:
    """Global Moran's I and local Moran (LISA) of a score column, per year.

    Parameters
    ----------
    scores : polars.DataFrame or fastinno result
        ``region``, ``year`` and ``column`` (a balanced panel).
    column : str
        The analysed column.
    neighbours : Neighbours, or anything :func:`fastinno.neighbours` takes
        Row-standardized weights; they must cover every region of ``scores`` (regions of the
        weights absent from ``scores`` are dropped and the rows re-standardized).
    permutations : int
        Random permutations for the pseudo p-values (0: none, p-values null).
    seed : int or None
        Seed of the permutations; block b of 64 permutations uses
        ``np.random.SeedSequence(seed, spawn_key=(b, stream))``, so results do not depend on the
        thread count. The same permutations serve every year.
    local : bool
        Also compute local Moran per region and year.
    alpha : float
        Significance level of the LISA clusters (significant means ``p_value <= alpha``).

    Returns
    -------
    MoranResult

    Notes
    -----
    Global: I = n / S0 * sum_ij w_ij z_i z_j / sum_i z_i^2 with z = x - mean (Moran 1950);
    ``z`` is (I - E[I]) / sd_N[I] under normality (Cliff & Ord 1981). The permutation p-value
    reshuffles the values among all regions: with c of P permutations at or above the observed
    I, p = (min(c, P - c) + 1) / (P + 1) (folded, as esda and GeoDa).

    Local (Anselin 1995): I_i = (n - 1) z_i sum_j w_ij z_j / sum_j z_j^2 with z standardized
    (population sd), as esda's ``Moran_Local.Is``. Conditional permutation keeps z_i at region i
    and fills its neighbour slots with values drawn without replacement from the other regions;
    one draw per permutation serves all regions (esda's scheme). Clusters by the signs of z_i and
    its lag: HH (z > 0, lag > 0), LH (z <= 0, lag > 0), LL (z <= 0, lag <= 0), HL (z > 0,
    lag <= 0). An island (no neighbour) has local_i 0, a null p-value and cluster ``ns``.
    A year whose values are all equal has no Moran's I: an error names it.
    """
    table = score_table(scores, column)
    permutations = _check_int("permutations", permutations, 0)
    seed = _random.check_seed(seed)
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise InputError(f"alpha must be a number in (0, 1); got {alpha!r}.")
    nb = aligned(neighbours, table.regions)
    n = nb.n
    if n < 3:
        raise DegenerateDataError(f"Moran's I needs at least 3 regions; scores has {n}.")
    if nb.indices.size == 0:
        raise DegenerateDataError("no region has a neighbour: Moran's I is undefined. Check the neighbour source.")
    flat = np.ptp(table.values, axis=0) == 0
    if flat.any():
        raise DegenerateDataError(f"column {column!r} is constant in year(s) {format_keys(table.years[flat].tolist())}: "
                                  "Moran's I is undefined there. Drop those years.")
    stats = moran_statistics(table.values, nb)
    years = table.years
    work = max(permutations, 1) * max(nb.indices.size, n) * len(years)
    p_global = np.full(len(years), np.nan)
    n_blocks = -(-permutations // DRAW_BLOCK)
    with serial_below(work, PARALLEL_WORK):
        if permutations:
            seeds = _random.block_seeds(seed, 0, n_blocks, stream=GLOBAL_STREAM)
            counts = ks.moran_permutation_counts(np.ascontiguousarray(stats["z"]), nb.indptr, nb.indices,
                                                 nb.weights, stats["num"], seeds, DRAW_BLOCK, permutations)
            p_global = _folded(counts.sum(axis=0), permutations)
        global_ = pl.DataFrame({
            "year": years, "moran_i": stats["i"], "expected": np.full(len(years), stats["expected"]),
            "z": stats["z_norm"], "p_value": p_global,
        }).with_columns(pl.col("p_value").fill_nan(None))
        local_frame = _local(table, nb, permutations, seed, alpha) if local else None
    options = {"column": column, "permutations": permutations, "seed": seed if permutations else None,
               "alpha": alpha, "n_regions": n, "islands": list(nb.islands)}
    return MoranResult(global_=global_, local=local_frame, options=options)


def local_moran(values: np.ndarray, nb: Neighbours) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardized z, its spatial lag and I_i = (n - 1) z_i lag_i / sum z^2, per column."""
    n = values.shape[0]
    z = (values - values.mean(axis=0)) / values.std(axis=0)
    z = np.ascontiguousarray(z)
    lag = ks.spatial_lag(nb.indptr, nb.indices, nb.weights, z)
    return z, lag, (n - 1) * z * lag / np.sum(z * z, axis=0)


def _local(table, nb: Neighbours, permutations: int, seed: int, alpha: float) -> pl.DataFrame:
    z, lag, li = local_moran(table.values, nb)
    n, m = z.shape
    island = nb.cardinalities == 0
    if permutations:
        n_blocks = -(-permutations // DRAW_BLOCK)
        seeds = _random.block_seeds(seed, 0, n_blocks, stream=LOCAL_STREAM)
        counts = ks.lisa_permutation_counts(z, nb.indptr, nb.indices, nb.weights, seeds, DRAW_BLOCK,
                                            permutations, LISA_CHUNK)
        p = _folded(counts, permutations)
    else:
        p = np.full((n, m), np.nan)
    p[island] = np.nan
    high, lag_high = z > 0, lag > 0
    quad = np.where(high, np.where(lag_high, "HH", "HL"), np.where(lag_high, "LH", "LL"))
    cluster = np.where(p <= alpha, quad, "ns")  # NaN <= alpha is False: islands are "ns"
    return pl.DataFrame({
        "region": np.tile(np.asarray(table.regions, dtype=object), m).tolist(),
        "year": np.repeat(table.years, n),
        "local_i": li.T.ravel(),
        "p_value": p.T.ravel(),
        "cluster": cluster.T.ravel().tolist(),
    }, schema={"region": pl.String, "year": pl.Int64, "local_i": pl.Float64, "p_value": pl.Float64,
               "cluster": pl.String}).with_columns(pl.col("p_value").fill_nan(None))
