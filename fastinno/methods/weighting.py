"""Objective and subjective indicator weightings: CRITIC, SD, CV, MEREC, Gini, AHP, combinations.

Array level: ``critic_weights(matrix, is_cost=None)`` and the like take a raw decision matrix
``(n_alternatives, n_indicators)`` and return weights summing to 1; ``cells(x3, is_cost)``
functions do the same for every cell of ``x3`` ``(n_cells, n_alternatives, n_indicators)`` in
one compiled call. ``ahp_weights`` reads a pairwise-comparison matrix and ``combine_weights``
merges a subjective and an objective vector. ``WEIGHTINGS`` are the registry entries.

Which data each weighting reads (the conventions of pymcdm 1.4.0, ``pymcdm/weights/weights.py``,
unless the source paper says otherwise): CRITIC the min-max normalised matrix (direction-aware,
as in Diakoulaki et al. 1995); SD the min-max normalised matrix (the paper's r_ij; pymcdm reads
the raw matrix); CV, MEREC and Gini the raw matrix.
"""

from __future__ import annotations

import numpy as np

from .. import _options as opt
from .._threads import serial_below
from ..errors import DegenerateDataError, InputError, format_keys
from ..kernels import objective_weights as ko
from ..validate import as_float_view, check_finite, cost_mask
from .spec import WeightingSpec

__all__ = [
    "critic_weights",
    "std_weights",
    "cv_weights",
    "merec_weights",
    "gini_weights",
    "ahp_weights",
    "combine_weights",
    "critic_cells",
    "std_cells",
    "cv_cells",
    "merec_cells",
    "gini_cells",
    "RANDOM_INDEX",
    "WEIGHTINGS",
]

#: Saaty's random consistency index RI by matrix order n = 1..15 (Saaty 1980, *The Analytic
#: Hierarchy Process*, McGraw-Hill, table 1.7; n = 13..15 as extended there).
RANDOM_INDEX = (
    0.0,
    0.0,
    0.58,
    0.90,
    1.12,
    1.24,
    1.32,
    1.41,
    1.45,
    1.49,
    1.51,
    1.48,
    1.56,
    1.57,
    1.59,
)
#: Consistency ratio above which a pairwise-comparison matrix is rejected (Saaty 1980).
CR_LIMIT = 0.1
#: Below this many matrix entries the kernels run on one thread (waking the pool costs more).
PARALLEL_MIN_WORK = 400_000
#: Relative tolerance of the reciprocity check a_ji = 1 / a_ij.
_RECIPROCAL_RTOL = 1e-6


def _cube(x3: object, name: str) -> np.ndarray:
    x = as_float_view(x3, name, 3, "a 3-D array (cells x alternatives x indicators)")
    check_finite(x, name)
    if x.shape[1] < 2:
        raise InputError(
            f"{name} needs at least 2 alternatives per cell to weigh indicators; got {x.shape[1]}."
        )
    return x


def _run(kernel, x: np.ndarray, *args) -> np.ndarray:
    with serial_below(x.size, PARALLEL_MIN_WORK):
        return kernel(x, *args)


def _finish(scores: np.ndarray, what: str, why: str, fix: str) -> np.ndarray:
    """Rows of ``scores`` scaled to sum 1; NaN (undefined) entries and all-zero rows raise."""
    bad = np.argwhere(np.isnan(scores))
    if bad.size:
        cells = sorted({int(c) for c in bad[:, 0]})
        cols = sorted({int(j) for j in bad[:, 1]})
        where = f" (cells {format_keys(cells)})" if scores.shape[0] > 1 else ""
        raise DegenerateDataError(
            f"{what} is undefined for indicator(s) {format_keys(cols)}{where}: {why}. {fix}"
        )
    total = scores.sum(axis=1, keepdims=True)
    if not (total > 0).all():
        raise DegenerateDataError(
            f"{what} gives every indicator a zero score (a 0/0 weight vector): {fix}"
        )
    return scores / total


def critic_cells(x3: object, is_cost: object = None) -> np.ndarray:
    """CRITIC weights of every cell: ``(n_cells, n_alternatives, n_indicators)`` -> ``(n_cells, n_indicators)``."""
    x = _cube(x3, "x3")
    return _finish(
        _run(ko.critic_scores_cells, x, cost_mask(is_cost, x.shape[2])),
        "CRITIC",
        "the indicator is constant, so its min-max normalisation and correlations divide by zero",
        "Drop constant indicators first.",
    )


def std_cells(x3: object, is_cost: object = None) -> np.ndarray:
    """Standard-deviation weights of every cell (of the min-max normalised columns)."""
    x = _cube(x3, "x3")
    cost_mask(is_cost, x.shape[2])  # checked; the spread of a min-max column ignores direction
    return _finish(
        _run(ko.spread_scores_cells, x, ko.STD), "SD weighting", "", "Every indicator is constant."
    )


def cv_cells(x3: object, is_cost: object = None) -> np.ndarray:
    """Coefficient-of-variation weights of every cell (of the raw columns)."""
    x = _cube(x3, "x3")
    cost_mask(is_cost, x.shape[2])
    return _finish(
        _run(ko.spread_scores_cells, x, ko.CV),
        "The coefficient of variation",
        "the column mean is <= 0",
        "CV weights need positive ratio-scale data; use std or critic for data with zeros or negatives.",
    )


def merec_cells(x3: object, is_cost: object = None) -> np.ndarray:
    """MEREC weights of every cell (of the raw, strictly positive columns)."""
    x = _cube(x3, "x3")
    return _finish(
        _run(ko.merec_scores_cells, x, cost_mask(is_cost, x.shape[2])),
        "MEREC",
        "it takes logarithms of min / x and needs every value > 0",
        "Shift the indicator to positive values or choose another weighting.",
    )


def gini_cells(x3: object, is_cost: object = None) -> np.ndarray:
    """Gini weights of every cell (of the raw, non-negative columns)."""
    x = _cube(x3, "x3")
    cost_mask(is_cost, x.shape[2])
    s3 = _run(ko.transpose_cells, x)
    s3.sort(axis=-1)  # numpy's SIMD sort, in place, on contiguous rows
    return _finish(
        _run(ko.gini_scores_sorted, s3),
        "The Gini coefficient",
        "the column has negative values or sums to 0",
        "Gini weights need non-negative data with a positive total; normalise (min-max) first.",
    )


def _one(cells, matrix: object, is_cost: object) -> np.ndarray:
    x = as_float_view(matrix, "matrix", 2, "a 2-D array (alternatives x indicators)")
    return cells(x[None], is_cost)[0]


def critic_weights(matrix: object, is_cost: object = None) -> np.ndarray:
    """CRITIC weights (Criteria Importance Through Intercriteria Correlation).

    Parameters
    ----------
    matrix : array_like (n_alternatives >= 2, n_indicators), raw data.
    is_cost : bool array or criterion types (1 benefit, -1 cost), optional; default all benefit.

    Returns
    -------
    w : ndarray (n_indicators,), >= 0, summing to 1.

    Notes
    -----
    Reads the min-max normalised matrix r_ij = (x_ij - min_j) / (max_j - min_j) (benefit) or
    (max_j - x_ij) / (max_j - min_j) (cost); sigma_j = sd(r_j), r_jk = corr(r_j, r_k),
    C_j = sigma_j sum_k (1 - r_jk), w_j = C_j / sum_k C_k.
    Diakoulaki, Mavrotas, Papayannakis (1995) Computers & Operations Research 22(7) 763-770.
    With ``is_cost=None`` this equals ``pymcdm.weights.critic_weights`` (pymcdm 1.4.0, which
    normalises every column as benefit). A constant indicator raises
    :class:`~fastinno.errors.DegenerateDataError`.
    """
    return _one(critic_cells, matrix, is_cost)


def std_weights(matrix: object, is_cost: object = None) -> np.ndarray:
    """Standard-deviation (SD) weights w_j = sigma_j / sum_k sigma_k of the min-max normalised columns.

    Parameters
    ----------
    matrix : array_like (n_alternatives >= 2, n_indicators), raw data.
    is_cost : optional; checked, but the spread of a min-max column does not depend on direction.

    Returns
    -------
    w : ndarray (n_indicators,), summing to 1; a constant indicator gets 0.

    Notes
    -----
    sigma_j = sd(r_j) = sd(x_j) / (max_j - min_j), r the min-max normalised matrix, as in the SD
    method of Diakoulaki et al. (1995) Computers & Operations Research 22(7) 763-770 (sec. 2).
    pymcdm 1.4.0's ``standard_deviation_weights`` reads the raw matrix instead: apply it to a
    min-max normalised matrix to compare.
    """
    return _one(std_cells, matrix, is_cost)


def cv_weights(matrix: object, is_cost: object = None) -> np.ndarray:
    """Coefficient-of-variation weights w_j = v_j / sum_k v_k, v_j = sd(x_j) / mean(x_j).

    Parameters
    ----------
    matrix : array_like (n_alternatives >= 2, n_indicators), raw ratio-scale data with positive
        column means.
    is_cost : optional; checked, not used (the CV of a column does not depend on direction).

    Returns
    -------
    w : ndarray (n_indicators,), summing to 1.

    Notes
    -----
    Reads the raw matrix (the CV is scale-free; sum normalisation first, as pyrepo-mcda's
    ``coeff_var_weighting`` does, gives the same weights). Sample sd (n - 1); the factor cancels.
    Source: e.g. Bączkiewicz & Wątróbski (2022) pyrepo-mcda, SoftwareX 19 101107.
    """
    return _one(cv_cells, matrix, is_cost)


def merec_weights(matrix: object, is_cost: object = None) -> np.ndarray:
    """MEREC weights (Method based on the Removal Effects of Criteria).

    Parameters
    ----------
    matrix : array_like (n_alternatives >= 2, n_indicators), raw data, every value > 0.
    is_cost : bool array or criterion types, optional; default all benefit.

    Returns
    -------
    w : ndarray (n_indicators,), summing to 1.

    Notes
    -----
    n_ij = min_k x_kj / x_ij (benefit), x_ij / max_k x_kj (cost);
    S_i = ln(1 + (1/m) sum_j |ln n_ij|); S'_ij = ln(1 + (1/m) sum_{k != j} |ln n_ik|);
    E_j = sum_i |S'_ij - S_i|; w_j = E_j / sum_k E_k.
    Keshavarz-Ghorabaee, Amiri, Zavadskas, Turskis, Antucheviciene (2021) Symmetry 13(4) 525,
    eqs. (1)-(6). Equals ``pymcdm.weights.merec_weights`` (pymcdm 1.4.0).
    """
    return _one(merec_cells, matrix, is_cost)


def gini_weights(matrix: object, is_cost: object = None) -> np.ndarray:
    """Gini-coefficient weights w_j = G_j / sum_k G_k.

    Parameters
    ----------
    matrix : array_like (n_alternatives >= 2, n_indicators), raw non-negative data.
    is_cost : optional; checked, not used (the Gini coefficient ignores direction).

    Returns
    -------
    w : ndarray (n_indicators,), summing to 1.

    Notes
    -----
    G_j = sum_i sum_k |x_ij - x_kj| / (2 n^2 mean_j) on the raw matrix, computed in O(n log n)
    from the sorted column. Equals ``pymcdm.weights.gini_weights`` (pymcdm 1.4.0) and
    pyrepo-mcda's ``gini_weighting``; as used by Baczkiewicz, Watrobski, Kizielewicz & Salabun
    (2021), *Towards reliable results: a comparative analysis of selected MCDA techniques in the
    camera selection problem*, Information Technology for Management, Springer, 143-165.
    """
    return _one(gini_cells, matrix, is_cost)


def _pairwise(pairwise: object) -> np.ndarray:
    a = as_float_view(pairwise, "pairwise", 2, "a square 2-D pairwise-comparison matrix")
    check_finite(a, "pairwise")
    n = a.shape[0]
    if a.shape != (n, n):
        raise InputError(f"pairwise must be square (n x n); got shape {a.shape}.")
    if not (a > 0).all():
        raise InputError("pairwise must be strictly positive (Saaty's scale 1/9 .. 9).")
    if not np.allclose(np.diag(a), 1.0, rtol=_RECIPROCAL_RTOL):
        raise InputError("pairwise must have ones on its diagonal (each indicator equals itself).")
    bad = np.argwhere(~np.isclose(a * a.T, 1.0, rtol=_RECIPROCAL_RTOL, atol=0.0))
    if bad.size:
        i, j = (int(v) for v in bad[0])
        raise InputError(
            f"pairwise is not reciprocal: a[{i}, {j}] * a[{j}, {i}] = {a[i, j] * a[j, i]:g}, not 1. "
            "Fill the lower triangle with the reciprocals of the upper one."
        )
    if n > len(RANDOM_INDEX):
        raise InputError(
            f"pairwise has order {n}; Saaty's random index covers n <= {len(RANDOM_INDEX)}."
        )
    return a


def ahp_weights(pairwise: object, *, full: bool = False, allow_inconsistent: bool = False):
    """AHP weights: the principal eigenvector of a pairwise-comparison matrix (Saaty 1980).

    Parameters
    ----------
    pairwise : array_like (n, n), positive and reciprocal (a_ji = 1 / a_ij, a_ii = 1); a_ij says
        how much more important indicator i is than j on Saaty's 1-9 scale.
    full : bool
        ``True``: return a dict with ``weights``, ``lambda_max``, ``ci`` and ``cr``.
    allow_inconsistent : bool
        ``False`` (default): a consistency ratio above 0.1 raises :class:`InputError`.

    Returns
    -------
    w : ndarray (n,), > 0, summing to 1 (or the dict above).

    Notes
    -----
    A w = lambda_max w (Perron vector); CI = (lambda_max - n) / (n - 1); CR = CI / RI_n with
    Saaty's random index :data:`RANDOM_INDEX` (CR = 0 for n <= 2). Saaty, T.L. (1980) *The
    Analytic Hierarchy Process*, McGraw-Hill; Saaty (1990) EJOR 48(1) 9-26. pymcdm 1.4.0's
    ``AHP`` gives the same weights but its CR uses the random index of Tummala & Ling (1998).
    """
    a = _pairwise(pairwise)
    n = a.shape[0]
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    lam = float(vals[k].real)
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    ci = max(0.0, (lam - n) / (n - 1)) if n > 1 else 0.0
    ri = RANDOM_INDEX[n - 1]
    cr = ci / ri if ri > 0 else 0.0
    if cr > CR_LIMIT and not allow_inconsistent:
        raise InputError(
            f"The pairwise-comparison matrix is inconsistent: CR = {cr:.3f} > {CR_LIMIT} (CI = {ci:.3f}, "
            f"lambda_max = {lam:.3f}). Revise the judgements, or pass allow_inconsistent=True."
        )
    if full:
        return {"weights": w, "lambda_max": lam, "ci": ci, "cr": cr}
    return w


def _simplex(w: object, name: str, m: int | None = None) -> np.ndarray:
    v = as_float_view(w, name, 1, "a 1-D weight vector")
    check_finite(v, name)
    if m is not None and v.shape[0] != m:
        raise InputError(f"{name} has {v.shape[0]} weights; the other vector has {m}.")
    if (v < 0).any() or not v.sum() > 0:
        raise InputError(f"{name} must be non-negative with a positive sum.")
    return v / v.sum()


def combine_weights(
    subjective: object, objective: object, *, method: str = "multiplicative", alpha: float = 0.5
):
    """Combine a subjective and an objective weight vector.

    Parameters
    ----------
    subjective, objective : array_like (m,), non-negative (each rescaled to sum 1).
    method : {"multiplicative", "linear", "game_theory"}
    alpha : float in [0, 1], the share of the subjective vector (``"linear"`` only).

    Returns
    -------
    w : ndarray (m,), summing to 1.

    Notes
    -----
    multiplicative: w_j = s_j o_j / sum_k s_k o_k (e.g. Zardari et al. 2015, *Weighting Methods
    and their Effects on Multi-Criteria Decision Making Model Outcomes*, Springer, sec. 4.3);
    linear: w = alpha s + (1 - alpha) o;
    game_theory: w = a_1 s + a_2 o with (a_1, a_2) minimising || a_1 s + a_2 o - s || +
    || a_1 s + a_2 o - o ||, i.e. the 2 x 2 system [[s.s, s.o], [o.s, o.o]] a = [s.s, o.o],
    then a normalised to |a| / sum |a|. Lai, Chen, Chen et al. (2015) Natural Hazards 77(2)
    1243-1259, eqs. (9)-(12).
    """
    method = opt.check("weight_combination", method, name="method")
    s = _simplex(subjective, "subjective")
    o = _simplex(objective, "objective", s.shape[0])
    if method == "multiplicative":
        p = s * o
        if not p.sum() > 0:
            raise DegenerateDataError(
                "subjective * objective is zero everywhere: no indicator gets weight."
            )
        return p / p.sum()
    if method == "linear":
        if not 0.0 <= float(alpha) <= 1.0:
            raise InputError(f"alpha must be in [0, 1]; got {alpha!r}.")
        return alpha * s + (1.0 - alpha) * o
    g = np.array([[s @ s, s @ o], [o @ s, o @ o]])
    rhs = np.array([s @ s, o @ o])
    if abs(np.linalg.det(g)) <= 1e-12 * (s @ s) * (o @ o):
        return s.copy()  # the two vectors coincide (up to scale): so does the combination
    a = np.abs(np.linalg.solve(g, rhs))
    a = a / a.sum()
    w = a[0] * s + a[1] * o
    return w / w.sum()


_MINMAX = "minmax"

WEIGHTINGS = (
    WeightingSpec(
        "critic",
        "CRITIC",
        critic_weights,
        critic_cells,
        _MINMAX,
        "Diakoulaki, Mavrotas, Papayannakis (1995) Computers & Operations Research 22(7) 763-770",
    ),
    WeightingSpec(
        "std",
        "Standard deviation",
        std_weights,
        std_cells,
        _MINMAX,
        "Diakoulaki, Mavrotas, Papayannakis (1995) Computers & Operations Research 22(7) 763-770",
    ),
    WeightingSpec(
        "cv",
        "Coefficient of variation",
        cv_weights,
        cv_cells,
        "raw",
        "Baczkiewicz & Watrobski (2022) SoftwareX 19 101107",
    ),
    WeightingSpec(
        "merec",
        "MEREC",
        merec_weights,
        merec_cells,
        "raw",
        "Keshavarz-Ghorabaee, Amiri, Zavadskas, Turskis, Antucheviciene (2021) Symmetry 13(4) 525",
    ),
    WeightingSpec(
        "gini",
        "Gini",
        gini_weights,
        gini_cells,
        "raw",
        "Gini coefficient of each raw column (pymcdm 1.4.0 convention)",
    ),
    WeightingSpec(
        "ahp",
        "AHP",
        ahp_weights,
        None,
        "raw",
        "Saaty (1980) The Analytic Hierarchy Process, McGraw-Hill",
        needs="pairwise",
    ),
)
