"""Rank correlation and similarity coefficients: Kendall's tau-a and tau-c, weighted Spearman r_w,
the WS coefficient, Goodman-Kruskal gamma and Pearson's r.

Array level: ``kendall_tau_a(a, b)`` and the like take two rankings (1 = best; average ranks for
ties) and return a float; Pearson reads scores. ``*_pairs(r)`` give the ``(k, k)`` matrix of the
coefficient between the rows of ``r`` ``(k, n)`` (or ``(c, k, k)`` for ``(c, k, n)``), in one
parallel compiled call. ``CORRELATIONS`` are the registry entries.
"""

from __future__ import annotations

import numpy as np

from .._threads import serial_below
from ..errors import InputError
from ..kernels import rank_similarity as kr
from ..validate import as_float_view, check_finite
from .spec import CorrelationSpec

__all__ = [
    "kendall_tau_a",
    "kendall_tau_c",
    "weighted_spearman",
    "ws_coefficient",
    "goodman_kruskal_gamma",
    "pearson",
    "kendall_tau_a_pairs",
    "kendall_tau_c_pairs",
    "weighted_spearman_pairs",
    "ws_coefficient_pairs",
    "goodman_kruskal_gamma_pairs",
    "pearson_pairs",
    "CORRELATIONS",
]


def _vector(v: object, name: str) -> np.ndarray:
    x = as_float_view(v, name, 1, "a 1-D array (one value per alternative)")
    return check_finite(x, name)


def _pair(a: object, b: object, names=("a", "b"), ranks: bool = False):
    x = _vector(a, names[0])
    y = _vector(b, names[1])
    if x.shape != y.shape:
        raise InputError(
            f"{names[0]} and {names[1]} must have the same length; got {x.shape[0]} and {y.shape[0]}."
        )
    if x.shape[0] < 2:
        raise InputError(
            f"{names[0]} and {names[1]} need at least 2 alternatives; got {x.shape[0]}."
        )
    if ranks:
        _check_ranks(x, names[0])
        _check_ranks(y, names[1])
    return x, y


def _check_ranks(x: np.ndarray, name: str) -> None:
    n = x.shape[-1]
    if (x < 1).any() or (x > n).any():
        raise InputError(
            f"{name} must be a ranking with values in [1, {n}] (1 = best); got values from {x.min():g} "
            f"to {x.max():g}. Rank the scores first (e.g. fastinno.rank)."
        )


def _rows(r: object, ranks: bool = False):
    x = as_float_view(r, "r")
    if x.ndim not in (2, 3):
        raise InputError(
            f"r must be (k, n) rankings or (c, k, n) cells of them; got shape {x.shape}."
        )
    check_finite(x, "r")
    if x.shape[-1] < 2 or x.shape[-2] < 1:
        raise InputError(
            f"r needs at least one ranking of at least 2 alternatives; got shape {x.shape}."
        )
    if ranks:
        _check_ranks(x, "r")
    return (x[None] if x.ndim == 2 else x), x.ndim == 2


#: Below this many ranks (k^2 n work) the all-pairs kernels run on one thread.
PARALLEL_MIN_WORK = 200_000


def _all_pairs(kernel, x: np.ndarray, squeeze: bool, *args) -> np.ndarray:
    with serial_below(x.shape[1] * x.size, PARALLEL_MIN_WORK):
        m = kernel(x, *args)
    return m[0] if squeeze else m


def kendall_tau_a(a: object, b: object) -> float:
    """Kendall's tau-a = (C - D) / (n (n - 1) / 2), in O(n log n).

    Parameters
    ----------
    a, b : array_like (n,), rankings or scores (only their order matters).

    Returns
    -------
    tau : float in [-1, 1]; tied pairs count as neither concordant nor discordant.

    Notes
    -----
    C, D: concordant and discordant pairs, counted by Knight's merge sort (Knight 1966, JASA
    61(314) 436-439). Kendall, M.G. (1938) Biometrika 30(1/2) 81-93. Equals
    ``pymcdm.correlations.kendall_tau`` (pymcdm 1.4.0) and, without ties, tau-b.
    """
    x, y = _pair(a, b)
    return float(kr.tau_family(x, y, kr.TAU_A))


def kendall_tau_c(a: object, b: object) -> float:
    """Stuart's tau-c = 2 (C - D) / (n^2 (q - 1) / q), q = min(distinct a, distinct b).

    Parameters
    ----------
    a, b : array_like (n,), rankings or scores.

    Returns
    -------
    tau : float; NaN when either vector is constant.

    Notes
    -----
    Stuart, A. (1953) Biometrika 40(1/2) 106-108; as ``scipy.stats.kendalltau(variant='c')``.
    O(n log n) (Knight 1966).
    """
    x, y = _pair(a, b)
    return float(kr.tau_family(x, y, kr.TAU_C))


def goodman_kruskal_gamma(a: object, b: object) -> float:
    """Goodman-Kruskal gamma = (C - D) / (C + D), in O(n log n).

    Parameters
    ----------
    a, b : array_like (n,), rankings or scores.

    Returns
    -------
    gamma : float in [-1, 1]; NaN when no pair is untied in both.

    Notes
    -----
    Goodman & Kruskal (1954) JASA 49(268) 732-764. Equals
    ``pymcdm.correlations.goodman_kruskal_gamma`` (pymcdm 1.4.0).
    """
    x, y = _pair(a, b)
    return float(kr.tau_family(x, y, kr.GAMMA))


def weighted_spearman(a: object, b: object) -> float:
    """Weighted Spearman r_w: disagreements at the top weigh more.

    Parameters
    ----------
    a, b : array_like (n,), rankings with values in [1, n] (1 = best).

    Returns
    -------
    r_w : float, 1 for identical rankings.

    Notes
    -----
    r_w = 1 - 6 sum_i (a_i - b_i)^2 ((n - a_i + 1) + (n - b_i + 1)) / (n^4 + n^3 - n^2 - n).
    Pinto da Costa & Soares (2005) ANZ J Stat 47(4) 515-529; Dancelli, Manisera & Vezzoli (2013)
    in *Statistical Models for Data Analysis*, Springer, 107-114. As
    ``pymcdm.correlations.weighted_spearman`` (pymcdm 1.4.0).
    """
    x, y = _pair(a, b, ranks=True)
    return float(kr.weighted_spearman(x, y))


def ws_coefficient(reference: object, other: object) -> float:
    """WS rank similarity coefficient of ``other`` to ``reference`` (not symmetric).

    Parameters
    ----------
    reference, other : array_like (n,), rankings with values in [1, n] (1 = best).

    Returns
    -------
    ws : float, 1 for identical rankings; in (0, 1] when the reference holds ranks 1..n (average
        ranks for ties), as the penalty is then at most sum_i 2^-x_i < 1.

    Notes
    -----
    WS = 1 - sum_i 2^-x_i |x_i - y_i| / max(|x_i - 1|, |x_i - n|), x the reference.
    Salabun & Urbaniak (2020) ICCS 2020, LNCS 12138, 632-645. As
    ``pymcdm.correlations.rank_similarity_coef`` (pymcdm 1.4.0).
    """
    x, y = _pair(reference, other, names=("reference", "other"), ranks=True)
    return float(kr.ws_coefficient(x, y))


def pearson(a: object, b: object) -> float:
    """Pearson's r of two score vectors (centred two-pass sums); NaN when either is constant."""
    x, y = _pair(a, b)
    return float(kr.pearson(x, y))


def kendall_tau_a_pairs(r: object) -> np.ndarray:
    """tau-a between all pairs of rows of r ``(k, n)`` -> ``(k, k)`` (``(c, k, n)`` -> ``(c, k, k)``)."""
    x, sq = _rows(r)
    return _all_pairs(kr.tau_family_pairs, x, sq, kr.TAU_A)


def kendall_tau_c_pairs(r: object) -> np.ndarray:
    """tau-c between all pairs of rows of r; see :func:`kendall_tau_a_pairs`."""
    x, sq = _rows(r)
    return _all_pairs(kr.tau_family_pairs, x, sq, kr.TAU_C)


def goodman_kruskal_gamma_pairs(r: object) -> np.ndarray:
    """Gamma between all pairs of rows of r; see :func:`kendall_tau_a_pairs`."""
    x, sq = _rows(r)
    return _all_pairs(kr.tau_family_pairs, x, sq, kr.GAMMA)


def weighted_spearman_pairs(r: object) -> np.ndarray:
    """r_w between all pairs of rows of r (rankings in [1, n]); symmetric."""
    x, sq = _rows(r, ranks=True)
    return _all_pairs(kr.weighted_spearman_pairs, x, sq)


def ws_coefficient_pairs(r: object) -> np.ndarray:
    """WS between all pairs of rows of r; entry ``[a, b]`` takes row ``a`` as the reference."""
    x, sq = _rows(r, ranks=True)
    return _all_pairs(kr.ws_coefficient_pairs, x, sq)


def pearson_pairs(r: object) -> np.ndarray:
    """Pearson's r between all pairs of rows of r (scores); symmetric."""
    x, sq = _rows(r)
    return _all_pairs(kr.pearson_pairs, x, sq)


_KNIGHT = "Knight (1966) JASA 61(314) 436-439 (O(n log n) counting)"

CORRELATIONS = (
    CorrelationSpec(
        "kendall_tau_a",
        "Kendall's tau-a",
        kendall_tau_a,
        kendall_tau_a_pairs,
        source=f"Kendall (1938) Biometrika 30(1/2) 81-93; {_KNIGHT}",
    ),
    CorrelationSpec(
        "kendall_tau_c",
        "Kendall's tau-c",
        kendall_tau_c,
        kendall_tau_c_pairs,
        source=f"Stuart (1953) Biometrika 40(1/2) 106-108; {_KNIGHT}",
    ),
    CorrelationSpec(
        "rw",
        "Weighted Spearman r_w",
        weighted_spearman,
        weighted_spearman_pairs,
        source="Pinto da Costa & Soares (2005) ANZ J Stat 47(4) 515-529; Dancelli et al. (2013)",
    ),
    CorrelationSpec(
        "ws",
        "WS similarity",
        ws_coefficient,
        ws_coefficient_pairs,
        symmetric=False,
        source="Salabun & Urbaniak (2020) ICCS 2020, LNCS 12138, 632-645",
    ),
    CorrelationSpec(
        "gamma",
        "Goodman-Kruskal gamma",
        goodman_kruskal_gamma,
        goodman_kruskal_gamma_pairs,
        source=f"Goodman & Kruskal (1954) JASA 49(268) 732-764; {_KNIGHT}",
    ),
    CorrelationSpec(
        "pearson",
        "Pearson's r",
        pearson,
        pearson_pairs,
        on_scores=True,
        source="Pearson (1895) Proc. R. Soc. Lond. 58, 240-242",
    ),
)
