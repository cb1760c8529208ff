"""The matrix toolbox: normalisation, objective weights, TOPSIS, grey relational analysis,
ranks and rank correlations, and the drift-degree combination, on one decision matrix.

Rows are objects (regions), columns indicators; float arrays in, numpy arrays out. These are the
single methods the combined evaluation (:mod:`fastinno.methods.combined`) runs per period.

Source: Xia, W.; Li, B.; Yin, S. (2020) "Identification of Influencing Factors for Sustainable
Development: Evaluation and Management of Regional Innovation Performance in Heilongjiang,
China", Sustainability 12(7), 2739, doi:10.3390/su12072739, sec. 3.1.1 and Appendix A.

Spearman's rho defaults to the Pearson correlation of average ranks (``method="pearson"``, exact
with ties, as ``scipy.stats.spearmanr``); ``method="d2"`` is the 1 - 6 sum d^2 / (n (n^2 - 1))
formula the paper prints (identical without ties).
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np

from .. import _config
from .. import validate as V
from .._threads import serial_below
from ..errors import DegenerateDataError, FastinnoWarning, InputError, format_keys
from ..kernels import normalize as kn
from ..kernels import rank as kr
from ..kernels import relational as krel
from ..kernels import twins
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
]

#: Kernel codes of the normalisations and Spearman variants.
NORMALIZE_CODES = {"max_ratio": kn.MAX_RATIO, "minmax": kn.MINMAX, "vector": kn.VECTOR, "zscore": kn.ZSCORE}
SPEARMAN_CODES = {"pearson": kr.PEARSON, "d2": kr.D2}


def _matrix(x: object, name: str, min_rows: int = 1) -> np.ndarray:
    arr = V.as_float_array(x, name, ndim=None)
    if arr.ndim != 2:
        raise InputError(f"{name} must be a 2-D array (objects x indicators); got shape {arr.shape}.")
    if arr.shape[0] < min_rows:
        raise InputError(f"{name} needs at least {min_rows} rows (objects); got {arr.shape[0]}.")
    V.check_finite(arr, name)
    return arr


def _matrix_view(x: object, name: str) -> np.ndarray:
    """Like :func:`_matrix` but without the defensive copy (the kernels only read it)."""
    return V.check_finite(V.as_float_view(x, name, ndim=2, what="a 2-D array (objects x indicators)"), name)


def _matrix_stats(x: object, name: str, min_rows: int = 1, want_sums: bool = False):
    """``x`` as a float64 C-contiguous 2-D array (no copy when it is one already: the kernels
    only read it) and its column statistics ``(mn, mx, s1, s2)`` from one pass that also checks
    finiteness (``normalize.matrix_stats``). Call it inside :func:`threads_for`."""
    try:
        arr = np.ascontiguousarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric; could not convert it to float64 ({exc}).") from None
    if arr.ndim != 2:
        raise InputError(f"{name} must be a 2-D array (objects x indicators); got shape {arr.shape}.")
    if arr.size == 0:
        raise InputError(f"{name} is empty (shape {arr.shape}).")
    if arr.shape[0] < min_rows:
        raise InputError(f"{name} needs at least {min_rows} rows (objects); got {arr.shape[0]}.")
    mn, mx, s1, s2, n_bad = kn.matrix_stats(arr, want_sums)
    if n_bad:
        V.check_finite(arr, name)  # raises, naming the positions
    return arr, mn, mx, s1, s2


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
    V.check_choice("normalization method", method, tuple(NORMALIZE_CODES))
    code = NORMALIZE_CODES[method]
    with threads_for(np.size(x)):
        x, mn, mx, s1, s2 = _matrix_stats(x, "x", want_sums=code in (kn.VECTOR, kn.ZSCORE))
        is_cost = V.check_types(types, x.shape[1])
        if method in ("minmax", "zscore"):
            if (mn == mx).any():
                V.check_not_constant(x, scope="across the objects")  # raises, naming them
        elif method == "max_ratio":
            bad = np.flatnonzero(np.where(is_cost, mn <= 0, mx <= 0)).tolist()
            if bad:
                raise DegenerateDataError(
                    f"max_ratio normalisation divides by values <= 0 in column(s) {format_keys(bad)} "
                    f"(min {mn[bad[0]]:g}): use method='minmax'."
                )
        else:
            zero = np.flatnonzero(np.sqrt(s2) == 0)
            if zero.size:
                raise DegenerateDataError(
                    f"vector normalisation divides by a zero norm in column(s) {format_keys(zero.tolist())}."
                )
        return kn.normalize_from_stats(x, is_cost, code, mn, mx, s1, s2)


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
    with threads_for(np.size(p)):
        p, mn, _, s1, _ = _matrix_stats(p, "p", min_rows=2, want_sums=True)
        if (mn < 0).any():
            V.check_nonnegative(p, "p", "the entropy weight method takes logarithms of shares")
        zero = np.flatnonzero(s1 == 0)
        if zero.size:
            raise DegenerateDataError(
                f"Column(s) {format_keys(zero.tolist())} of p sum to zero: their entropy is undefined. "
                "Drop them (a constant indicator carries no information)."
            )
        h = kw.column_entropy_sums(p, s1)
    info = np.clip(1.0 - h, 0.0, None)
    if not info.sum() > 0.0:
        raise DegenerateDataError(
            "Every column of p is uniform (entropy 1): the entropy weights are 0/0."
        )
    return info / info.sum()


def safe_log(p: np.ndarray) -> np.ndarray:
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
        # numpy's SIMD sort of contiguous rows beats numba's sort; the transpose
        # makes the copy, so the caller's array is never touched
        s = sort_rows(kw.transpose_blocked(np.ascontiguousarray(v)))
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
PARALLEL_MIN_WORK = 400_000


def threads_for(work: int):
    """Run numba kernels single-threaded for small work; leave the thread count alone otherwise."""
    return serial_below(work, PARALLEL_MIN_WORK)


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

    with threads_for(np.size(p)):
        p, mn, mx, _, _ = _matrix_stats(p, "p")
        w = _resolve_weights(weights, p)
        if not np.any((mx - mn) * w > 0):
            raise DegenerateDataError(
                "TOPSIS closeness is 0/0: every weighted column of p is constant (or has weight 0)."
            )
        return kd.topsis_rows(p, w, mn, mx, kd.CLOSENESS)[0]


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
    rho = check_rho(rho)
    w = _resolve_weights(weights, p)
    if np.all(p.max(axis=0) == p.min(axis=0)):
        raise DegenerateDataError("Grey relational analysis is 0/0: every column of p is constant.")
    return krel.grey_relational_grades(p, w, rho)


def check_rho(rho: object) -> float:
    try:
        r = float(rho)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"rho must be a number in (0, 1]; got {rho!r}.") from None
    if not (0.0 < r <= 1.0):
        raise InputError(f"rho must lie in (0, 1] (distinguishing coefficient, usually 0.5); got {r:g}.")
    return r


_SORT_POOL = None


def sort_rows(a: np.ndarray) -> np.ndarray:
    """Sort every row of a C-contiguous 2-D array in place, rows split over numba's thread count.

    numpy releases the GIL while sorting, so two threads sort two halves at once; the result does
    not depend on the split (each row is sorted on its own).
    """
    global _SORT_POOL
    import numba

    nt = numba.get_num_threads()
    rows = a.shape[0]
    if nt < 2 or a.size < PARALLEL_MIN_WORK or rows < 2:
        a.sort(axis=1)
        return a
    if _SORT_POOL is None:
        from concurrent.futures import ThreadPoolExecutor

        _SORT_POOL = ThreadPoolExecutor(max_workers=max(2, nt), thread_name_prefix="fastinno-sort")
    bounds = np.linspace(0, rows, min(nt, rows) + 1).astype(int)
    parts = [a[bounds[i]:bounds[i + 1]] for i in range(len(bounds) - 1)]
    list(_SORT_POOL.map(lambda part: part.sort(axis=1), parts))
    return a


def _tie_groups(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ascending stable order of every row of ``x`` (k, n), and for each sorted position the
    start and (exclusive) end of its group of equal values (numpy; -0.0 equals 0.0)."""
    k, n = x.shape
    order = np.argsort(x, axis=1, kind="stable")
    s = np.take_along_axis(x, order, axis=1)
    pos = np.broadcast_to(np.arange(n), (k, n))
    differs = s[:, 1:] != s[:, :-1]
    first = np.ones((k, n), dtype=bool)
    first[:, 1:] = differs
    last = np.ones((k, n), dtype=bool)
    last[:, :-1] = differs
    start = np.maximum.accumulate(np.where(first, pos, 0), axis=1)
    end = n - np.maximum.accumulate(np.where(last[:, ::-1], pos, 0), axis=1)[:, ::-1]
    return order, start, end


def _scatter_rows(order: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    np.put_along_axis(out, order, values, axis=1)
    return out


def packed_ranks(x: np.ndarray, descending: bool) -> np.ndarray:
    """Average ranks of every row of a C-contiguous float64 (k, n) array.

    One numpy (SIMD) sort of packed (key, index) words replaces the argsort (numpy's sort beats
    argsort and numba's sort); the numba kernel repairs near-ties and assigns ranks. Below
    ``_config.NUMPY_RANKS_BELOW`` values, a numpy argsort gives the same ranks (exact halves)
    with nothing to compile.
    """
    if x.size < _config.NUMPY_RANKS_BELOW and twins.numpy_allowed():
        order, start, end = _tie_groups(x)
        r = 0.5 * (start + end + 1)
        return _scatter_rows(order, (x.shape[1] + 1.0) - r if descending else r)
    shift = kr.index_bits(x.shape[1])
    s = sort_rows(kr.pack_keys(x, shift))
    return kr.ranks_rows_packed(x, s, shift, bool(descending))


def competition_ranks(x: np.ndarray) -> np.ndarray:
    """Descending competition ranks of every row of a C-contiguous float64 (k, n) array: 1 = largest,
    ties share the best rank, int64 (numpy below ``_config.NUMPY_RANKS_BELOW`` values, as
    :func:`packed_ranks`)."""
    n = x.shape[1]
    if x.size < _config.NUMPY_RANKS_BELOW and twins.numpy_allowed():
        order, _, end = _tie_groups(x)
        return _scatter_rows(order, n - end + 1)
    shift = kr.index_bits(n)
    return kr.competition_ranks_rows_packed(x, sort_rows(kr.pack_keys(x, shift)), shift)


def rankdata(x: object, *, descending: bool = True) -> np.ndarray:
    """Average (mid) ranks, 1-based; ``descending=True``: rank 1 = largest value.

    Ties share the mean of their positions, as ``scipy.stats.rankdata(method="average")``.
    """
    x = _vector(x, "x")
    with threads_for(x.size):
        return packed_ranks(x.reshape(1, -1), descending)[0]


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
    V.check_choice("Spearman method", method, tuple(SPEARMAN_CODES))
    x = _pair_rows(a, b)
    with threads_for(x.size):
        r = packed_ranks(x, False)
    rho = float(kr.spearman_from_ranks(r[0], r[1], SPEARMAN_CODES[method]))
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
    V.check_choice("Spearman method", method, tuple(SPEARMAN_CODES))
    x = np.ascontiguousarray(_matrix_view(x, "x"))  # read only: packing makes the working copy
    base = _vector(base, "base")
    if base.shape[0] != x.shape[1]:
        raise InputError(f"base has {base.shape[0]} entries but x has {x.shape[1]} columns.")
    if base.max() == base.min():
        raise DegenerateDataError("base is constant: its rank correlations are undefined.")
    with threads_for(x.size):
        base_r = packed_ranks(base.reshape(1, -1), False)[0]
        n = x.shape[1]
        if n > 2_000_000:  # int64 exact sums need n^3 < 2^63
            return kr.spearman_rows_vs_one_ordered(x, np.argsort(x, axis=1), base_r, SPEARMAN_CODES[method])
        shift = kr.index_bits(n)
        s = sort_rows(kr.pack_keys(x, shift))
        return kr.spearman_rows_vs_one_fused(x, s, shift, base_r, SPEARMAN_CODES[method])


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
    details : bool, also return ``spearman_rho`` and ``drift``.

    Returns
    -------
    (method_weights, combined) : ndarray (n_methods,), ndarray (n_objects,)
        With ``details=True``: (method_weights, combined, spearman_rho, drift).

    Notes
    -----
    Reference u_bar = mean over methods of u; r_j = Spearman(u_j, u_bar); p_j = 1 - r_j;
    w_j = (min p + max p - p_j) / sum_l (min p + max p - p_l); P_i = sum_j u_ij w_j
    (Xia, Li, Yin 2020, sec. 3.1.1). When all drifts lie within 1e-12 of each other (0/0 or
    rounding noise) the weights are equal and a :class:`FastinnoWarning` says so. When min p = 0
    the most-drifting method gets weight exactly 0.
    """
    V.check_choice("Spearman method", method, tuple(SPEARMAN_CODES))
    s = _matrix(scores, "scores", min_rows=2)
    const = np.flatnonzero(s.max(axis=0) == s.min(axis=0))
    if const.size:
        raise DegenerateDataError(
            f"Method column(s) {format_keys(const.tolist())} of scores are constant: their rank "
            "correlation with the reference is undefined. Drop them."
        )
    cube = np.ascontiguousarray(s.T[None, :, :])
    keep = np.ones((1, s.shape[1]), dtype=np.bool_)
    r, d, w, comb, equal = drift_cells(cube, keep, None, bool(minmax), SPEARMAN_CODES[method])
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


def drift_cells(scores, keep, ranks, minmax, method):
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
        ranks = packed_ranks(u.reshape(c * k, n), True).reshape(c, k, n)
    kept = keep.astype(np.float64)[:, :, None]
    ref = np.zeros((c, n))
    for j in range(k):  # sequential sum over methods, then divide: the formula's order
        ref += kept[:, j] * u[:, j]
    ref /= keep.sum(axis=1)[:, None]
    ref_ranks = packed_ranks(np.ascontiguousarray(ref), True)
    return kr.drift_degree_cells(u, keep, ranks, ref_ranks, method, _config.DRIFT_TIE_TOL)
