"""Array level of the classic methods: grey relational analysis and the objective weightings.

A *matrix* is float64 ``(n_alternatives, n_indicators)`` of raw values; ``is_cost`` is a bool
vector (``None`` = all benefit) or criterion types (1 benefit, -1 cost). Inputs are only read.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import _options as opt
from ..errors import DegenerateDataError, InputError, format_keys
from ..kernels import normalize as kn
from ..kernels import relational as krel
from ..methods import mcda
from ..validate import UNSET, as_float_view, check_finite, check_weights, cost_mask

__all__ = ["gra", "entropy_weights", "max_deviation_weights", "hierarchical_weights", "equal_weights"]


def _matrix(matrix, min_rows=1):
    x = check_finite(as_float_view(matrix, "matrix", ndim=2, what="a 2-D array (alternatives x indicators)"), "matrix")
    if x.shape[0] < min_rows:
        raise InputError(f"matrix needs at least {min_rows} rows (alternatives); got {x.shape[0]}.")
    return x


def _efficacy(x, cost, what):
    """Min-max normalized matrix (cost columns flipped); a constant column is an error."""
    span = x.max(axis=0) - x.min(axis=0)
    const = np.flatnonzero(span == 0)
    if const.size:
        raise DegenerateDataError(
            f"Indicator column(s) {format_keys(const.tolist())} are constant: {what} reads min-max "
            "normalized data, which divides by max - min = 0. Drop them."
        )
    return kn.normalize_matrix(x, cost, kn.MINMAX)


def gra(matrix, weights, is_cost=None, *, normalize=UNSET, full=False, rho=0.5):
    """Grey relational grade of each alternative (larger = better).

    Parameters
    ----------
    matrix : array (n_alternatives, n_indicators), raw values.
    weights : array (n_indicators,), >= 0 summing to 1.
    is_cost : bool array or criterion types, optional (default all benefit).
    normalize : {"minmax", "max_ratio", "vector", "zscore"}, default "minmax"
        Column normalization to larger-is-better values p.
    full : bool
        Return ``{"grade", "coefficients"}`` (the coefficients xi, (n_alternatives, n_indicators)).
    rho : float in (0, 1], distinguishing coefficient (0.5 as in Deng 1982).

    Returns
    -------
    grade : ndarray (n_alternatives,), or a dict with ``full=True``.

    Notes
    -----
    Reference x0_j = max_i p_ij; D_ij = |x0_j - p_ij|; D_min, D_max over the whole matrix;
    xi_ij = (D_min + rho D_max) / (D_ij + rho D_max); grade_i = sum_j w_j xi_ij.
    Deng, J.-L. (1982) "Control problems of grey systems", Systems & Control Letters 1(5) 288-294;
    Xia, Li, Yin (2020) Sustainability 12(7) 2739, sec. 3.1.1.
    """
    x = as_float_view(matrix, "matrix", ndim=2, what="a 2-D array (alternatives x indicators)")
    cost = cost_mask(is_cost, x.shape[1])
    w = check_weights(weights, x.shape[1])
    code = opt.code("standardize", "minmax" if normalize is UNSET or normalize is None else normalize, name="normalize")
    r = mcda.check_rho(rho)
    # one pass of column statistics: finiteness, the max_ratio domain, constant columns (the
    # normalized column is constant where the raw one is), and the normalization's own
    mn, mx, s1, s2, n_bad = kn.matrix_stats(x, code in (kn.VECTOR, kn.ZSCORE))
    if n_bad:
        check_finite(x, "matrix")  # raises, naming the positions
    if code == kn.MAX_RATIO and np.where(cost, mn <= 0, mn < 0).any():
        raise DegenerateDataError("normalize='max_ratio' needs positive values. Use normalize='minmax'.")
    if np.all(mx == mn):
        raise DegenerateDataError("Grey relational analysis is 0/0: every column of the matrix is constant.")
    p = kn.normalize_from_stats(x, cost, code, mn, mx, s1, s2)
    grade = krel.grey_relational_grades(p, w, r)
    if full:
        return {"grade": grade, "coefficients": krel.grey_relational_coefficients(p, r)}
    return grade


def equal_weights(matrix, is_cost=None):  # noqa: ARG001
    """Equal weights 1 / n_indicators (the matrix only gives the number of indicators)."""
    x = as_float_view(matrix, "matrix", ndim=2, what="a 2-D array (alternatives x indicators)")
    return np.full(x.shape[1], 1.0 / x.shape[1])


def entropy_weights(matrix, is_cost=None):
    """Entropy weights of a raw matrix, read on its min-max normalized values.

    p = min-max normalized matrix (cost columns flipped: (max - x) / (max - min));
    f_ij = p_ij / sum_i p_ij; h_j = -(1/ln n) sum_i f_ij ln f_ij (0 ln 0 = 0);
    w_j = (1 - h_j) / (m - sum_j h_j). Xia, Li, Yin (2020) Sustainability 12(7) 2739, sec. 3.1.1
    (the "entropy weight method" on efficacy coefficients, as the combined evaluation uses it).
    """
    x = _matrix(matrix, min_rows=2)
    p = _efficacy(x, cost_mask(is_cost, x.shape[1]), "the entropy weighting")
    return mcda.entropy_weights(p)


def max_deviation_weights(matrix, is_cost=None):
    """Maximum-deviation weights of a raw matrix, read on its min-max normalized values.

    w_j = D_j / sum_k D_k, D_j = sum_i sum_l |p_ij - p_lj| on the min-max normalized matrix p
    (cost columns flipped). Wang Yingming (1998); Xia, Li, Yin (2020) sec. 3.1.1.
    """
    x = _matrix(matrix, min_rows=2)
    p = _efficacy(x, cost_mask(is_cost, x.shape[1]), "the maximum-deviation weighting")
    return mcda.max_deviation_weights(p)


def hierarchical_weights(groups: Sequence) -> np.ndarray:
    """Equal weights at every level of a hierarchy of indicator positions.

    Parameters
    ----------
    groups : nested lists of indicator positions; a list is a dimension, an int an indicator,
        e.g. ``[[0, 1], [2, [3, 4]]]``: two dimensions of weight 1/2; the first splits it over
        indicators 0 and 1, the second over indicator 2 and a sub-dimension of 3 and 4.
        Every position 0..m-1 appears exactly once.

    Returns
    -------
    w : ndarray (m,), summing to 1: each node's weight is split equally over its children.
    """
    out: dict[int, float] = {}

    def walk(node, share, path):
        if isinstance(node, (int, np.integer)) and not isinstance(node, bool):
            if int(node) in out:
                raise InputError(f"indicator position {int(node)} appears twice in groups.")
            out[int(node)] = share
            return
        if isinstance(node, (str, bytes)) or not isinstance(node, Sequence) or len(node) == 0:
            raise InputError(
                f"groups{path} must be an indicator position (int) or a non-empty list of them; got {node!r}."
            )
        for k, child in enumerate(node):
            walk(child, share / len(node), f"{path}[{k}]")

    walk(list(groups), 1.0, "")
    m = len(out)
    if sorted(out) != list(range(m)):
        missing = sorted(set(range(max(out) + 1)) - set(out))
        raise InputError(f"groups must name every indicator position 0..{m - 1} once; missing {format_keys(missing)}.")
    return np.array([out[j] for j in range(m)])

