"""Combined evaluation: entropy weight, maximum deviation, TOPSIS, grey relational analysis,
the Spearman compatibility test with Kendall's W, and the drift-degree combination.

Source: Xia, W.; Li, B.; Yin, S. (2020) "Identification of Influencing Factors for Sustainable
Development: Evaluation and Management of Regional Innovation Performance in Heilongjiang,
China", Sustainability 12(7), 2739, doi:10.3390/su12072739, sec. 3.1.1 and Appendix A.

Array-level functions (rows = objects/regions, columns = indicators; float arrays in, numpy out):
:func:`normalize`, :func:`entropy_weights`, :func:`max_deviation_weights`, :func:`topsis`,
:func:`grey_relational`, :func:`rankdata`, :func:`spearman`, :func:`kendall`,
:func:`spearman_many`, :func:`drift_combination`. Panel level: :func:`combined_evaluation`.

Spearman's rho defaults to the Pearson correlation of average ranks (``method="pearson"``, exact
with ties, as ``scipy.stats.spearmanr``); ``method="d2"`` is the 1 - 6 sum d^2 / (n (n^2 - 1))
formula the paper prints (identical without ties).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Literal

import numpy as np

from .. import _config
from .. import validate as V
from .._threads import serial_below
from ..errors import DegenerateDataError, FastinnoWarning, InputError, format_keys
from ..kernels import normalize as kn
from ..kernels import rank as kr
from ..kernels import relational as krel
from ..kernels import weights as kw

__all__ = [
    "normalize",
    "entropy_weights",
    "max_deviation_weights",
    "topsis",
    "grey_relational",
    "rankdata",
    "spearman",
    "kendall",
    "spearman_many",
    "drift_combination",
    "combined_evaluation",
    "METHODS",
]

#: Single evaluation methods of the combined evaluation, in their default order.
METHODS = ("entropy", "max_deviation", "topsis", "gra")
_METHOD_CODES = {
    "entropy": krel.M_ENTROPY,
    "max_deviation": krel.M_MAX_DEVIATION,
    "topsis": krel.M_TOPSIS,
    "gra": krel.M_GRA,
}
_NORMALIZE = {"max_ratio": kn.MAX_RATIO, "minmax": kn.MINMAX, "vector": kn.VECTOR, "zscore": kn.ZSCORE}
_SPEARMAN = {"pearson": kr.PEARSON, "d2": kr.D2}


# --------------------------------------------------------------------------------------------
# array level
# --------------------------------------------------------------------------------------------


def _matrix(x: object, name: str, min_rows: int = 1) -> np.ndarray:
    arr = V.as_float_array(x, name, ndim=None)
    if arr.ndim != 2:
        raise InputError(f"{name} must be a 2-D array (objects x indicators); got shape {arr.shape}.")
    if arr.shape[0] < min_rows:
        raise InputError(f"{name} needs at least {min_rows} rows (objects); got {arr.shape[0]}.")
    V.check_finite(arr, name)
    return arr


def _matrix_view(x: object, name: str) -> np.ndarray:
    """Like :func:`_matrix` but without the defensive copy (for callers that copy anyway)."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric; could not convert it to float64 ({exc}).") from None
    if arr.ndim != 2:
        raise InputError(f"{name} must be a 2-D array (objects x indicators); got shape {arr.shape}.")
    if arr.size == 0:
        raise InputError(f"{name} is empty (shape {arr.shape}).")
    V.check_finite(arr, name)
    return arr


def _vector(x: object, name: str) -> np.ndarray:
    arr = V.as_float_array(x, name, ndim=None)
    if arr.ndim != 1:
        raise InputError(f"{name} must be a 1-D array; got shape {arr.shape}.")
    V.check_finite(arr, name)
    return arr


def normalize(
    x: object,
    types: object,
    method: Literal["minmax", "max_ratio", "vector", "zscore"] = "minmax",
) -> np.ndarray:
    """Column-wise normalisation of a decision matrix so that larger is better.

    Parameters
    ----------
    x : array_like (n_objects, n_indicators)
    types : array_like (n_indicators,), 1 = benefit, -1 = cost.
    method : {"minmax", "max_ratio", "vector", "zscore"}
        ``minmax`` is the efficacy coefficient (v - min)/(max - min), cost (max - v)/(max - min);
        ``max_ratio``: v / max, cost min / v; ``vector``: v / ||v||, cost 1 - v / ||v||;
        ``zscore``: (v - mean)/sd, cost (mean - v)/sd (population sd).

    Returns
    -------
    ndarray float64 (n_objects, n_indicators)

    Raises
    ------
    DegenerateDataError
        A constant column (minmax / zscore), non-positive values where ``max_ratio`` divides, a
        zero column (vector).
    """
    V.check_choice("normalization method", method, tuple(_NORMALIZE))
    x = _matrix(x, "x")
    is_cost = V.check_types(types, x.shape[1])
    if method in ("minmax", "zscore"):
        V.check_not_constant(x, scope="across the objects")
    elif method == "max_ratio":
        bad = [j for j in range(x.shape[1]) if (x[:, j].min() <= 0 if is_cost[j] else x[:, j].max() <= 0)]
        if bad:
            raise DegenerateDataError(
                f"max_ratio normalisation divides by values <= 0 in column(s) {format_keys(bad)} "
                f"(min {x[:, bad[0]].min():g}): use method='minmax'."
            )
    else:
        zero = np.flatnonzero(np.sqrt((x * x).sum(axis=0)) == 0)
        if zero.size:
            raise DegenerateDataError(
                f"vector normalisation divides by a zero norm in column(s) {format_keys(zero.tolist())}."
            )
    return kn.normalize_matrix(x, is_cost, _NORMALIZE[method])


def entropy_weights(p: object) -> np.ndarray:
    """Entropy weights of a non-negative matrix.

    Parameters
    ----------
    p : array_like (n_objects >= 2, n_indicators), >= 0: usually min-max normalised data (the
        Chinese "entropy weight method"), or raw positive data (the raw-data variant).

    Returns
    -------
    w : ndarray (n_indicators,), >= 0, summing to 1.

    Notes
    -----
    f_ij = p_ij / sum_i p_ij; h_j = -(1/ln n) sum_i f_ij ln f_ij (0 ln 0 = 0);
    w_j = (1 - h_j) / (m - sum_j h_j). Xia, Li, Yin (2020) sec. 3.1.1.
    """
    p = _matrix(p, "p", min_rows=2)
    V.check_nonnegative(p, "p", "the entropy weight method takes logarithms of shares")
    zero = np.flatnonzero(p.sum(axis=0) == 0)
    if zero.size:
        raise DegenerateDataError(
            f"Column(s) {format_keys(zero.tolist())} of p sum to zero: their entropy is undefined. "
            "Drop them (a constant indicator carries no information)."
        )
    h = kw.column_entropy_logs(p, _safe_log(p))
    info = np.clip(1.0 - h, 0.0, None)
    if not info.sum() > 0.0:
        raise DegenerateDataError(
            "Every column of p is uniform (entropy 1): the entropy weights are 0/0."
        )
    return info / info.sum()


def _safe_log(p: np.ndarray) -> np.ndarray:
    """np.log(p) (SIMD in numpy) for p >= 0; -inf at zeros, which the kernels skip."""
    with np.errstate(divide="ignore"):
        return np.log(p)


def max_deviation_weights(v: object) -> np.ndarray:
    """Maximum deviation weights w_j = D_j / sum D, D_j = sum_i sum_k |v_ij - v_kj|.

    Parameters
    ----------
    v : array_like (n_objects, n_indicators), normalised data.

    Returns
    -------
    w : ndarray (n_indicators,), >= 0, summing to 1.

    Notes
    -----
    D_j computed in O(n log n) per column: with the column sorted ascending,
    D_j = 2 sum_i (2i - n + 1) v_(i) (0-based i). Wang Yingming (1998); Xia, Li, Yin (2020).
    """
    v = _matrix_view(v, "v")
    if v.shape[0] >= 256:
        # numpy's SIMD sort of contiguous rows beats numba's sort (PERF-NOTES); the transpose
        # makes the copy, so the caller's array is never touched
        s = _sort_rows(kw.transpose_blocked(np.ascontiguousarray(v)))
        d = kw.pairwise_abs_sums_sorted(s)
    else:
        d = kw.pairwise_abs_sums(np.ascontiguousarray(v))
    total = d.sum()
    if not total > 0.0:
        raise DegenerateDataError(
            "Every column of v is constant: the maximum deviation weights are 0/0."
        )
    return d / total


#: Below this many element operations the kernels run on one thread: waking a thread pool costs
#: more than the work (and a lot more on an oversubscribed machine). Results do not depend on it.
_PARALLEL_MIN_WORK = 400_000


def _threads_for(work: int):
    """Run numba kernels single-threaded for small work; leave the thread count alone otherwise."""
    return serial_below(work, _PARALLEL_MIN_WORK)


def _resolve_weights(weights: object, p: np.ndarray) -> np.ndarray:
    m = p.shape[1]
    if isinstance(weights, str):
        V.check_choice("weights", weights, ("entropy", "max_deviation", "equal"))
        if weights == "entropy":
            return entropy_weights(p)
        if weights == "max_deviation":
            return max_deviation_weights(p)
        return np.full(m, 1.0 / m)
    return V.check_weights(weights, m)


def topsis(p: object, weights: object = "entropy") -> np.ndarray:
    """TOPSIS closeness of a normalised matrix (larger = better).

    Parameters
    ----------
    p : array_like (n_objects, n_indicators), already normalised.
    weights : {"entropy", "max_deviation", "equal"} or array_like (n_indicators,) >= 0 summing
        to 1.

    Returns
    -------
    c : ndarray (n_objects,), c_i = d-_i / (d+_i + d-_i) in [0, 1].

    Notes
    -----
    r = w * p; ideal r+_j = max_i r_ij, anti-ideal r-_j = min_i r_ij; Euclidean d+, d-.
    Hwang & Yoon (1981); Xia, Li, Yin (2020) sec. 3.1.1.
    """
    from ..kernels import distance as kd

    p = _matrix(p, "p")
    w = _resolve_weights(weights, p)
    span = (p.max(axis=0) - p.min(axis=0)) * w
    if not np.any(span > 0):
        raise DegenerateDataError(
            "TOPSIS closeness is 0/0: every weighted column of p is constant (or has weight 0)."
        )
    return kd.topsis_closeness_matrix(p, w)


def grey_relational(p: object, weights: object = "entropy", rho: float = 0.5) -> np.ndarray:
    """Grey relational grades against the column ideal.

    Parameters
    ----------
    p : array_like (n_objects, n_indicators), already normalised (larger = better).
    weights : as for :func:`topsis`.
    rho : float in (0, 1], distinguishing coefficient.

    Returns
    -------
    gamma : ndarray (n_objects,)

    Notes
    -----
    x0_j = max_i p_ij; D_ij = |x0_j - p_ij|; D_min, D_max global over the matrix;
    xi_ij = (D_min + rho D_max) / (D_ij + rho D_max); gamma_i = sum_j w_j xi_ij.
    Deng (1982); Xia, Li, Yin (2020) sec. 3.1.1.
    """
    p = _matrix(p, "p")
    rho = _check_rho(rho)
    w = _resolve_weights(weights, p)
    if np.all(p.max(axis=0) == p.min(axis=0)):
        raise DegenerateDataError("Grey relational analysis is 0/0: every column of p is constant.")
    return krel.grey_relational_grades(p, w, rho)


def _check_rho(rho: object) -> float:
    try:
        r = float(rho)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"rho must be a number in (0, 1]; got {rho!r}.") from None
    if not (0.0 < r <= 1.0):
        raise InputError(f"rho must lie in (0, 1] (distinguishing coefficient, usually 0.5); got {r:g}.")
    return r


_SORT_POOL = None


def _sort_rows(a: np.ndarray) -> np.ndarray:
    """Sort every row of a C-contiguous 2-D array in place, rows split over numba's thread count.

    numpy releases the GIL while sorting, so two threads sort two halves at once; the result does
    not depend on the split (each row is sorted on its own).
    """
    global _SORT_POOL
    import numba

    nt = numba.get_num_threads()
    rows = a.shape[0]
    if nt < 2 or a.size < _PARALLEL_MIN_WORK or rows < 2:
        a.sort(axis=1)
        return a
    if _SORT_POOL is None:
        from concurrent.futures import ThreadPoolExecutor

        _SORT_POOL = ThreadPoolExecutor(max_workers=max(2, nt), thread_name_prefix="fastinno-sort")
    bounds = np.linspace(0, rows, min(nt, rows) + 1).astype(int)
    parts = [a[bounds[i]:bounds[i + 1]] for i in range(len(bounds) - 1)]
    list(_SORT_POOL.map(lambda part: part.sort(axis=1), parts))
    return a


def _packed_ranks(x: np.ndarray, descending: bool) -> np.ndarray:
    """Average ranks of every row of a C-contiguous float64 (k, n) array.

    One numpy (SIMD) sort of packed (key, index) words replaces the argsort (PERF-NOTES: numpy's
    sort beats argsort and numba's sort); the numba kernel repairs near-ties and assigns ranks.
    """
    shift = kr.index_bits(x.shape[1])
    s = _sort_rows(kr.pack_keys(x, shift))
    return kr.ranks_rows_packed(x, s, shift, bool(descending))


def rankdata(x: object, *, descending: bool = True) -> np.ndarray:
    """Average (mid) ranks, 1-based; ``descending=True``: rank 1 = largest value.

    Ties share the mean of their positions, as ``scipy.stats.rankdata(method="average")``.
    """
    x = _vector(x, "x")
    with _threads_for(x.size):
        return _packed_ranks(x.reshape(1, -1), descending)[0]


def _pair(a: object, b: object) -> tuple[np.ndarray, np.ndarray]:
    a = _vector(a, "a")
    b = _vector(b, "b")
    if a.shape != b.shape:
        raise InputError(f"a and b must have the same length; got {a.shape[0]} and {b.shape[0]}.")
    if a.shape[0] < 2:
        raise InputError("a rank correlation needs at least 2 observations.")
    for name, v in (("a", a), ("b", b)):
        if v.max() == v.min():
            raise DegenerateDataError(
                f"{name} is constant ({v[0]:g}): a rank correlation with a constant vector is undefined."
            )
    return a, b


def _pair_rows(a: object, b: object) -> np.ndarray:
    """a and b as the rows of one new (2, n) float64 array, checked for shape and finiteness."""
    a = np.asarray(a, dtype=np.float64) if not isinstance(a, np.ndarray) or a.dtype != np.float64 else a
    b = np.asarray(b, dtype=np.float64) if not isinstance(b, np.ndarray) or b.dtype != np.float64 else b
    if a.ndim != 1 or b.ndim != 1:
        raise InputError(f"a and b must be 1-D arrays; got shapes {a.shape} and {b.shape}.")
    if a.shape != b.shape:
        raise InputError(f"a and b must have the same length; got {a.shape[0]} and {b.shape[0]}.")
    if a.shape[0] < 2:
        raise InputError("a rank correlation needs at least 2 observations.")
    x = np.empty((2, a.shape[0]))
    x[0] = a
    x[1] = b
    V.check_finite(x, "(a, b)")
    return x


def spearman(a: object, b: object, method: Literal["pearson", "d2"] = "pearson") -> float:
    """Spearman's rank correlation of two vectors.

    Parameters
    ----------
    a, b : array_like (n,), n >= 2, not constant.
    method : {"pearson", "d2"}
        ``pearson`` (default): Pearson correlation of average ranks (exact with ties, as
        ``scipy.stats.spearmanr``); ``d2``: 1 - 6 sum d^2 / (n (n^2 - 1)) on average ranks (the
        formula printed by Xia, Li, Yin 2020; equal without ties).
    """
    V.check_choice("Spearman method", method, tuple(_SPEARMAN))
    x = _pair_rows(a, b)
    with _threads_for(x.size):
        r = _packed_ranks(x, False)
    rho = float(kr.spearman_from_ranks(r[0], r[1], _SPEARMAN[method]))
    if np.isnan(rho) or r[0].max() == r[0].min() or r[1].max() == r[1].min():
        _pair(a, b)  # a constant vector: raises the error naming it
    return rho


def kendall(a: object, b: object) -> float:
    """Kendall's tau-b in O(n log n) (Knight 1966), same as ``scipy.stats.kendalltau``.

    tau_b = (n_c - n_d) / sqrt((n0 - n1)(n0 - n2)), n1 / n2 tied pairs in a / b.
    """
    a, b = _pair(a, b)
    o = np.lexsort((b, a))
    return float(kr.kendall_tau_b_lexsorted(a[o], b[o]))


def spearman_many(
    x: object, base: object, method: Literal["pearson", "d2"] = "pearson"
) -> np.ndarray:
    """Spearman's rho of every row of ``x`` (k rankings x n objects) against one ``base`` (n,).

    Rows are sorted with numpy (SIMD) and ranked / correlated in a parallel numba kernel.
    A constant row gives NaN.
    """
    V.check_choice("Spearman method", method, tuple(_SPEARMAN))
    x = np.ascontiguousarray(_matrix_view(x, "x"))  # read only: packing makes the working copy
    base = _vector(base, "base")
    if base.shape[0] != x.shape[1]:
        raise InputError(f"base has {base.shape[0]} entries but x has {x.shape[1]} columns.")
    if base.max() == base.min():
        raise DegenerateDataError("base is constant: its rank correlations are undefined.")
    with _threads_for(x.size):
        base_r = _packed_ranks(base.reshape(1, -1), False)[0]
        n = x.shape[1]
        if n > 2_000_000:  # int64 exact sums need n^3 < 2^63
            return kr.spearman_rows_vs_one_ordered(x, np.argsort(x, axis=1), base_r, _SPEARMAN[method])
        shift = kr.index_bits(n)
        s = _sort_rows(kr.pack_keys(x, shift))
        return kr.spearman_rows_vs_one_fused(x, s, shift, base_r, _SPEARMAN[method])


def drift_combination(
    scores: object,
    *,
    minmax: bool = False,
    method: Literal["pearson", "d2"] = "pearson",
    details: bool = False,
):
    """Drift-degree combination of several methods' scores.

    Parameters
    ----------
    scores : array_like (n_objects >= 2, n_methods >= 1)
    minmax : bool, min-max each method's scores first (then combine the rescaled scores).
    method : Spearman variant used for r_j.
    details : bool, also return ``spearman_r`` and ``drift``.

    Returns
    -------
    (method_weights, combined) : ndarray (n_methods,), ndarray (n_objects,)
        With ``details=True``: (method_weights, combined, spearman_r, drift).

    Notes
    -----
    Reference u_bar = mean over methods of u; r_j = Spearman(u_j, u_bar); p_j = 1 - r_j;
    w_j = (min p + max p - p_j) / sum_l (min p + max p - p_l); P_i = sum_j u_ij w_j
    (Xia, Li, Yin 2020, sec. 3.1.1). When all drifts lie within 1e-12 of each other (0/0 or
    rounding noise) the weights are equal and a :class:`FastinnoWarning` says so. When min p = 0
    the most-drifting method gets weight exactly 0.
    """
    V.check_choice("Spearman method", method, tuple(_SPEARMAN))
    s = _matrix(scores, "scores", min_rows=2)
    const = np.flatnonzero(s.max(axis=0) == s.min(axis=0))
    if const.size:
        raise DegenerateDataError(
            f"Method column(s) {format_keys(const.tolist())} of scores are constant: their rank "
            "correlation with the reference is undefined. Drop them."
        )
    cube = np.ascontiguousarray(s.T[None, :, :])
    keep = np.ones((1, s.shape[1]), dtype=np.bool_)
    r, d, w, comb, equal = _drift_cells(cube, keep, None, bool(minmax), _SPEARMAN[method])
    if equal[0]:
        warnings.warn(
            "Drift-degree combination: every method drifts equally from the reference (drifts "
            f"within {_config.DRIFT_TIE_TOL:g}), so the weights are 0/0; equal weights used.",
            FastinnoWarning,
            stacklevel=2,
        )
    if details:
        return w[0], comb[0], r[0], d[0]
    return w[0], comb[0]


def _drift_cells(scores, keep, ranks, minmax, method):
    """Drift-degree combination of (c, k, n) scores over the kept methods of each cell."""
    c, k, n = scores.shape
    if minmax:
        lo = scores.min(axis=2, keepdims=True)
        span = scores.max(axis=2, keepdims=True) - lo
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(span > 0, (scores - lo) / span, 0.0)
        ranks = None  # same order, but recompute: constant columns turn into ties
    else:
        u = scores
    u = np.ascontiguousarray(u, dtype=np.float64)
    if ranks is None:
        ranks = _packed_ranks(u.reshape(c * k, n), True).reshape(c, k, n)
    kept = keep.astype(np.float64)[:, :, None]
    ref = np.zeros((c, n))
    for j in range(k):  # sequential sum over methods, then divide: the formula's order
        ref += kept[:, j] * u[:, j]
    ref /= keep.sum(axis=1)[:, None]
    ref_ranks = _packed_ranks(np.ascontiguousarray(ref), True)
    return kr.drift_degree_cells(u, keep, ranks, ref_ranks, method, _config.DRIFT_TIE_TOL)


# --------------------------------------------------------------------------------------------
# panel level
# --------------------------------------------------------------------------------------------


def _spearman_pvalues(rho: np.ndarray, n: int) -> np.ndarray:
    """Two-sided p-values of Spearman's rho by the t approximation (as scipy.stats.spearmanr)."""
    from scipy import stats

    df = n - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = rho * np.sqrt(df / ((1.0 - rho) * (1.0 + rho)))
    p = 2.0 * stats.t.sf(np.abs(t), df)
    return np.where(np.isnan(rho), np.nan, p)


def _compatible_set(rho: np.ndarray, pval: np.ndarray, alpha: float) -> tuple[np.ndarray, str]:
    """Methods whose pairwise rank correlations are all positive and significant at ``alpha``.

    Greedy: while some pair fails, drop the method with the most failing pairs (ties: the
    smallest mean rho, then the later method). Returns (keep mask, note).
    """
    k = rho.shape[0]
    ok = (pval < alpha) & (rho > 0)
    np.fill_diagonal(ok, True)
    keep = np.ones(k, dtype=bool)
    while keep.sum() > 2:
        sub = ~ok[np.ix_(keep, keep)]
        if not sub.any():
            return keep, ""
        idx = np.flatnonzero(keep)
        fails = sub.sum(axis=1)
        r = np.where(np.isnan(rho), -2.0, rho)[np.ix_(keep, keep)]
        mean_r = (r.sum(axis=1) - 1.0) / (len(idx) - 1)
        order = sorted(range(len(idx)), key=lambda a: (-fails[a], mean_r[a], -a))
        keep[idx[order[0]]] = False
    if keep.sum() == 2:
        a, b = np.flatnonzero(keep)
        if not ok[a, b]:
            return np.ones(k, dtype=bool), "no compatible subset: all methods combined"
    return keep, ""


def combined_evaluation(
    panel,
    *,
    methods: Sequence[str] = METHODS,
    by: Literal["year", "panel"] = "year",
    alpha: float = 0.05,
    rho: float = 0.5,
    weights: object = "entropy",
    spearman_method: Literal["pearson", "d2"] = "pearson",
    minmax_scores: bool = False,
    constant: Literal["error", "drop", "zero"] = "error",
    entropy_data: Literal["normalized", "raw"] = "normalized",
):
    """Combined evaluation of a panel (Xia, Li, Yin 2020): four single methods, a Spearman
    compatibility test, and the drift-degree combination, per period, for the whole index and
    for every dimension of the indicator system.

    Parameters
    ----------
    panel : fastinno.panel.Panel (complete).
    methods : subset of ("entropy", "max_deviation", "topsis", "gra"), at least one.
    by : "year" (each year's cross-section, default) or "panel" (all region-years pooled).
    alpha : significance level of the compatibility test.
    rho : grey distinguishing coefficient.
    weights : indicator weights of TOPSIS and GRA: "entropy" (default), "max_deviation",
        "equal", or an array over the panel's indicators (>= 0, sum 1; renormalised within a
        dimension).
    spearman_method : "pearson" (average ranks, default) or "d2" (the paper's formula), used by
        the compatibility test and the drift degrees.
    minmax_scores : min-max each method's scores before the drift-degree combination.
    constant : an indicator constant within a period: "error" (default), "drop" it from that
        period, or "zero" (normalised to 0, weight 0). Reported in ``.excluded``.
    entropy_data : entropy on the efficacy coefficients ("normalized", default) or on the raw,
        non-negative data ("raw").

    Returns
    -------
    CombinedResult
        ``.scores`` (region, year, dimension, one column per method, combined, rank; rows by
        dimension -- ``"index"`` first, then system order --, year, region in panel order),
        ``.method_weights`` (year, dimension, method, compatible, spearman_r, drift, weight),
        ``.compatibility`` (year, dimension, method_a, method_b, rho, p_value),
        ``.kendall_w`` (year, dimension, n_methods, w, chi2, df, p_value),
        ``.excluded`` (year, dimension, item, reason), ``.indicator_weights``
        (year, dimension, indicator, entropy, max_deviation).

    Notes
    -----
    Normalisation: efficacy coefficient p = (v - beta)/(alpha - beta) (cost: (alpha - v)/(alpha -
    beta)) with alpha / beta the observed max / min of the period, or the critical limits of
    ``system.limits`` where given (then clipped to [0, 1] with a warning). The compatible set
    keeps the methods whose pairwise correlations are all positive and significant; a failing
    method is dropped greedily (most failing pairs first) and reported.
    """
    cube = getattr(panel, "cube", None)
    work = 2 * int(np.size(cube)) if cube is not None else 0
    with _threads_for(work):
        return _combined_evaluation(
            panel, methods=methods, by=by, alpha=alpha, rho=rho, weights=weights,
            spearman_method=spearman_method, minmax_scores=minmax_scores, constant=constant,
            entropy_data=entropy_data,
        )


def _prepare(
    panel,
    *,
    methods: Sequence[str] = METHODS,
    by: Literal["year", "panel"] = "year",
    alpha: float = 0.05,
    rho: float = 0.5,
    weights: object = "entropy",
    spearman_method: Literal["pearson", "d2"] = "pearson",
    constant: Literal["error", "drop", "zero"] = "error",
    entropy_data: Literal["normalized", "raw"] = "normalized",
    index_only: bool = False,
    stacklevel: int = 4,
) -> SimpleNamespace:
    """Checked options, efficacy coefficients and the per-cell indicator weights.

    Everything of :func:`combined_evaluation` that comes before the single methods' scores:
    shared with the Monte Carlo model (``simulate(model="combined")``), which perturbs these
    weights. ``index_only``: only the cells of the whole index (dimension ``"index"``).
    ``stacklevel``: of the critical-limits warning, for the public caller's frame.

    Returns a namespace with ``methods``, ``alpha``, ``rho``, ``smethod`` (kernel code of the
    Spearman variant), ``n_obj``, ``n_per``, ``period_labels``, ``indicators``, ``dims``
    ([(name, indicator indices)]), ``pt`` ((periods, indicators, objects) efficacy coefficients,
    each series contiguous), ``excluded_rows`` and per cell (period-major, dimension order)
    ``cell_year``, ``cell_dim``, ``ptr``, ``idx_all``, ``we_all``, ``wm_all``, ``wt_all`` (the
    cell's indicators and their entropy, max-deviation and TOPSIS / GRA weights, each summing to 1).
    """
    V.check_choice("by", by, ("year", "panel"))
    V.check_choice("spearman_method", spearman_method, tuple(_SPEARMAN))
    V.check_choice("constant", constant, ("error", "drop", "zero"))
    V.check_choice("entropy_data", entropy_data, ("normalized", "raw"))
    methods = tuple(methods) if not isinstance(methods, str) else (methods,)
    if not methods:
        raise InputError("methods is empty: choose from " + ", ".join(METHODS) + ".")
    for m in methods:
        V.check_choice("method", m, METHODS)
    if len(set(methods)) != len(methods):
        raise InputError(f"methods has duplicates: {list(methods)}.")
    try:
        alpha = float(alpha)
    except (TypeError, ValueError):
        raise InputError(f"alpha must be a number in (0, 1); got {alpha!r}.") from None
    if not 0.0 < alpha < 1.0:
        raise InputError(f"alpha must lie in (0, 1); got {alpha:g}.")
    rho = _check_rho(rho)
    system = panel.system
    cube = np.ascontiguousarray(panel.cube, dtype=np.float64)
    if not np.isfinite(cube).all():
        if hasattr(panel, "require_complete"):  # names the missing cells
            panel.require_complete("The combined evaluation")
        V.check_finite(cube, "panel.cube")
    n_regions, n_years, m = cube.shape
    indicators = list(panel.indicators)
    is_cost = np.ascontiguousarray(panel.is_cost, dtype=np.bool_)

    fixed_w = None
    if isinstance(weights, str):
        V.check_choice("weights", weights, ("entropy", "max_deviation", "equal"))
    else:
        fixed_w = V.check_weights(weights, m, labels=indicators)

    # ---- periods --------------------------------------------------------------------------
    if by == "year":
        work = cube
        period_labels: list[int | None] = list(panel.years)
        scope = kn.SCOPE_YEAR
    else:
        work = cube.reshape(n_regions * n_years, 1, m)
        period_labels = [None]
        scope = kn.SCOPE_PANEL
    n_obj = work.shape[0]
    n_per = work.shape[1]
    if n_obj < 3:
        raise InputError(
            f"The combined evaluation needs at least 3 objects per period (the Spearman test has "
            f"n - 2 degrees of freedom); got {n_obj}."
        )

    # ---- efficacy coefficient -------------------------------------------------------------
    p = np.ascontiguousarray(kn.standardize_cube(cube, is_cost, kn.MINMAX, scope).reshape(n_obj, n_per, m))
    limits = np.asarray(getattr(system, "limits", np.full((m, 2), np.nan)), dtype=np.float64)
    js = np.flatnonzero(np.isfinite(limits).any(axis=1))
    if js.size:
        # critical limits replace the observed max (alpha) / min (beta) where given
        v = work[:, :, js]
        lo = np.where(np.isfinite(limits[js, 0]), limits[js, 0], v.min(axis=0))
        hi = np.where(np.isfinite(limits[js, 1]), limits[js, 1], v.max(axis=0))
        bad = np.argwhere(~(hi > lo))
        if bad.size:
            cells = [(indicators[js[j]], period_labels[t]) for t, j in bad]
            raise DegenerateDataError(
                f"Efficacy coefficient of {format_keys(cells)}: the critical limits (or the observed "
                "max / min standing in for a missing one) leave alpha <= beta. Fix the limits in the system."
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = np.where(is_cost[js], (hi - v) / (hi - lo), (v - lo) / (hi - lo))
        clipped = (raw < 0) | (raw > 1)
        if clipped.any():
            names = [indicators[js[j]] for j in np.flatnonzero(clipped.any(axis=(0, 1)))]
            warnings.warn(
                f"Efficacy coefficient: {int(clipped.sum())} value(s) of {format_keys(names)} lie "
                "outside their critical limits and were clipped to [0, 1].",
                FastinnoWarning,
                stacklevel=stacklevel,
            )
        p[:, :, js] = np.clip(raw, 0.0, 1.0)

    # (period, indicator)-major layout: every series of n objects contiguous
    pt = krel.series_major(p)
    srt = _sort_rows(pt.reshape(n_per * m, n_obj).copy())  # numpy's SIMD sort, contiguous rows
    d_sum = kw.pairwise_abs_sums_sorted(srt).reshape(n_per, m)
    # constant series standardise to 0 (kernel convention) and only they have D = 0
    const = d_sum == 0.0
    if js.size:
        const[:, js] = False

    excluded_rows: list[tuple] = []
    if const.any():
        cells = [(indicators[j], period_labels[t]) for t, j in np.argwhere(const)]
        if constant == "error":
            where = "in year" if by == "year" else "over the panel"
            raise DegenerateDataError(
                f"{len(cells)} indicator-period cell(s) are constant {where}: {format_keys(cells)}: "
                "the efficacy coefficient divides by max - min = 0. Drop the indicator, or pass "
                "constant='drop' or constant='zero'."
            )
        for t, j in np.argwhere(const):
            excluded_rows.append(
                (period_labels[t], None, indicators[j], f"indicator constant: constant={constant!r}")
            )

    # ---- per (period, indicator) statistics -----------------------------------------------
    if entropy_data == "raw":
        V.check_nonnegative(cube, "panel.cube", "entropy_data='raw' takes logarithms of shares")
        ent_src = krel.series_major(np.ascontiguousarray(cube.reshape(n_obj, n_per, m)))
    else:
        ent_src = pt
    ent_rows = ent_src.reshape(n_per * m, n_obj)
    h = kw.row_entropy_logs(ent_rows, _safe_log(ent_rows)).reshape(n_per, m)
    info = np.clip(1.0 - h, 0.0, None)

    # ---- cells: (period, dimension) ------------------------------------------------------
    dims: list[tuple[str, np.ndarray]] = [("index", np.arange(m, dtype=np.int64))]
    for g in () if index_only else getattr(system, "groups", ()):
        dims.append((g.name, np.asarray(g.indices, dtype=np.int64)))
    cell_year, cell_dim, ptr, idx_all = [], [], [0], []
    we_all, wm_all, wt_all = [], [], []
    for t in range(n_per):
        for d, (dname, idx) in enumerate(dims):
            if constant == "drop":
                idx = idx[~const[t, idx]]
            if idx.size == 0:
                excluded_rows.append((period_labels[t], dname, None, "no indicator left after constant='drop'"))
                continue
            e = info[t, idx]
            dd = d_sum[t, idx]
            if not e.sum() > 0 or not dd.sum() > 0:
                raise DegenerateDataError(
                    f"Dimension {dname!r} in period {period_labels[t]}: every indicator is constant "
                    "or uniform, so the entropy / maximum deviation weights are 0/0."
                )
            we = e / e.sum()
            wm = dd / dd.sum()
            if fixed_w is not None:
                fw = fixed_w[idx]
                if not fw.sum() > 0:
                    raise InputError(f"weights are all zero on dimension {dname!r}.")
                wt = fw / fw.sum()
            elif weights == "entropy":
                wt = we
            elif weights == "max_deviation":
                wt = wm
            else:
                wt = np.full(idx.size, 1.0 / idx.size)
            cell_year.append(t)
            cell_dim.append(d)
            idx_all.append(idx)
            ptr.append(ptr[-1] + idx.size)
            we_all.append(we)
            wm_all.append(wm)
            wt_all.append(wt)
    return SimpleNamespace(
        methods=methods, alpha=alpha, rho=rho, smethod=_SPEARMAN[spearman_method], n_regions=n_regions,
        n_years=n_years, n_obj=n_obj, n_per=n_per, period_labels=period_labels, indicators=indicators,
        dims=dims, pt=pt, excluded_rows=excluded_rows, cell_year=cell_year, cell_dim=cell_dim, ptr=ptr,
        idx_all=idx_all, we_all=we_all, wm_all=wm_all, wt_all=wt_all,
    )


def _combined_evaluation(
    panel,
    *,
    methods: Sequence[str] = METHODS,
    by: Literal["year", "panel"] = "year",
    alpha: float = 0.05,
    rho: float = 0.5,
    weights: object = "entropy",
    spearman_method: Literal["pearson", "d2"] = "pearson",
    minmax_scores: bool = False,
    constant: Literal["error", "drop", "zero"] = "error",
    entropy_data: Literal["normalized", "raw"] = "normalized",
):
    """Body of :func:`combined_evaluation`."""
    import polars as pl

    from ..results import CombinedResult

    prep = _prepare(
        panel, methods=methods, by=by, alpha=alpha, rho=rho, weights=weights,
        spearman_method=spearman_method, constant=constant, entropy_data=entropy_data,
    )
    methods, alpha, rho = prep.methods, prep.alpha, prep.rho
    n_regions, n_years, n_obj = prep.n_regions, prep.n_years, prep.n_obj
    period_labels, indicators, dims, pt = prep.period_labels, prep.indicators, prep.dims, prep.pt
    excluded_rows = prep.excluded_rows
    cell_year, cell_dim, ptr = prep.cell_year, prep.cell_dim, prep.ptr
    idx_all, we_all, wm_all, wt_all = prep.idx_all, prep.we_all, prep.wm_all, prep.wt_all
    cell_year_a = np.asarray(cell_year, dtype=np.int64)
    codes = np.asarray([_METHOD_CODES[mm] for mm in methods], dtype=np.int64)
    scores = krel.cell_scores(
        pt, cell_year_a, np.asarray(ptr, dtype=np.int64), np.concatenate(idx_all).astype(np.int64),
        np.concatenate(we_all), np.concatenate(wm_all), np.concatenate(wt_all), codes, rho,
    )
    n_cells, k, _ = scores.shape
    smethod = _SPEARMAN[spearman_method]
    ranks = _packed_ranks(scores.reshape(n_cells * k, -1), True).reshape(n_cells, k, -1)
    rho_m, w_kendall = kr.cell_correlations(ranks, smethod)
    pval = _spearman_pvalues(rho_m, n_obj)

    # ---- compatibility -------------------------------------------------------------------
    keep = np.ones((n_cells, k), dtype=np.bool_)
    eye = np.eye(k, dtype=bool)
    all_ok = (((pval < alpha) & (rho_m > 0)) | eye).all(axis=(1, 2))
    for c in np.flatnonzero(~all_ok):
        if k >= 2:
            kc, note = _compatible_set(rho_m[c], pval[c], alpha)
            keep[c] = kc
            lab = period_labels[cell_year[c]]
            dname = dims[cell_dim[c]][0]
            if note:
                warnings.warn(
                    f"Compatibility test, period {lab}, dimension {dname!r}: {note}.",
                    FastinnoWarning,
                    stacklevel=3,
                )
                excluded_rows.append((lab, dname, None, note))
            for j in np.flatnonzero(~kc):
                excluded_rows.append(
                    (lab, dname, methods[j], f"not compatible at alpha={alpha:g}")
                )
    r_d, drift_d, w_d, combined, equal = _drift_cells(scores, keep, ranks, bool(minmax_scores), smethod)
    if equal.any():
        where = [(period_labels[cell_year[c]], dims[cell_dim[c]][0]) for c in np.flatnonzero(equal)]
        warnings.warn(
            f"Drift-degree combination: every method drifts equally in {format_keys(where)}; the "
            "drift weights are 0/0 there and equal weights were used.",
            FastinnoWarning,
            stacklevel=3,
        )

    # ---- frames ---------------------------------------------------------------------------
    years_arr = np.asarray(panel.years, dtype=np.int64)
    cell_year_np = np.asarray(cell_year, dtype=np.int64)
    if by == "year":
        obj_region = np.arange(n_regions, dtype=np.int64)
        year_col = np.repeat(years_arr[cell_year_np], n_obj)
    else:
        obj_region = np.repeat(np.arange(n_regions, dtype=np.int64), n_years)
        year_col = np.tile(np.tile(years_arr, n_regions), n_cells)
    shift = kr.index_bits(n_obj)
    packed = _sort_rows(kr.pack_keys(combined, shift))
    rank_col = kr.competition_ranks_rows_packed(combined, packed, shift).ravel()
    region_s = pl.Series("region", list(panel.regions), dtype=pl.String)
    dim_s = pl.Series("dimension", [name for name, _ in dims], dtype=pl.String)
    cols = [
        region_s.gather(np.tile(obj_region, n_cells)),
        pl.Series("year", year_col, dtype=pl.Int64),
        dim_s.gather(np.repeat(np.asarray(cell_dim, dtype=np.int64), n_obj)),
    ]
    for j, mm in enumerate(methods):
        cols.append(pl.Series(mm, scores[:, j, :].ravel()))
    cols.append(pl.Series("combined", combined.ravel()))
    cols.append(pl.Series("rank", rank_col, dtype=pl.Int64))
    score_df = pl.DataFrame(cols)

    cy = [period_labels[cell_year[c]] for c in range(n_cells)]
    cd = [dims[cell_dim[c]][0] for c in range(n_cells)]
    year_dtype = pl.Int64
    mw = pl.DataFrame(
        {
            "year": [cy[c] for c in range(n_cells) for _ in range(k)],
            "dimension": [cd[c] for c in range(n_cells) for _ in range(k)],
            "method": [mm for _ in range(n_cells) for mm in methods],
            "compatible": keep.ravel().tolist(),
            "spearman_r": pl.Series(r_d.ravel(), nan_to_null=True),
            "drift": pl.Series(drift_d.ravel(), nan_to_null=True),
            "weight": w_d.ravel(),
        },
        schema_overrides={"year": year_dtype},
    )
    iu = np.triu_indices(k, 1)
    comp = pl.DataFrame(
        {
            "year": [cy[c] for c in range(n_cells) for _ in iu[0]],
            "dimension": [cd[c] for c in range(n_cells) for _ in iu[0]],
            "method_a": [methods[a] for _ in range(n_cells) for a in iu[0]],
            "method_b": [methods[b] for _ in range(n_cells) for b in iu[1]],
            "rho": rho_m[:, iu[0], iu[1]].ravel(),
            "p_value": pval[:, iu[0], iu[1]].ravel(),
        },
        schema={"year": year_dtype, "dimension": pl.String, "method_a": pl.String,
                "method_b": pl.String, "rho": pl.Float64, "p_value": pl.Float64},
    )
    from scipy import stats

    df_w = n_obj - 1
    chi2 = k * df_w * w_kendall
    kw_df = pl.DataFrame(
        {
            "year": cy,
            "dimension": cd,
            "n_methods": [k] * n_cells,
            "w": pl.Series(w_kendall, nan_to_null=True),
            "chi2": pl.Series(chi2, nan_to_null=True),
            "df": [df_w] * n_cells,
            "p_value": pl.Series(stats.chi2.sf(chi2, df_w), nan_to_null=True),
        },
        schema_overrides={"year": year_dtype},
    )
    excl = pl.DataFrame(
        excluded_rows,
        schema={"year": year_dtype, "dimension": pl.String, "item": pl.String, "reason": pl.String},
        orient="row",
    )
    sizes = np.diff(np.asarray(ptr, dtype=np.int64))
    per_label = pl.Series("year", period_labels, dtype=year_dtype)
    iw = pl.DataFrame([
        per_label.gather(np.repeat(cell_year_a, sizes)),
        dim_s.gather(np.repeat(np.asarray(cell_dim, dtype=np.int64), sizes)),
        pl.Series("indicator", indicators, dtype=pl.String).gather(np.concatenate(idx_all).astype(np.int64)),
        pl.Series("entropy", np.concatenate(we_all)),
        pl.Series("max_deviation", np.concatenate(wm_all)),
    ])
    options = {
        "methods": methods, "by": by, "alpha": alpha, "rho": rho,
        "weights": weights if isinstance(weights, str) else "array",
        "spearman_method": spearman_method, "minmax_scores": bool(minmax_scores),
        "constant": constant, "entropy_data": entropy_data,
    }
    return CombinedResult(
        scores=score_df,
        method_weights=mw,
        compatibility=comp,
        kendall_w=kw_df,
        excluded=excl,
        indicator_weights=iw,
        options=options,
    )
