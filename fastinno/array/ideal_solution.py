"""Array level of the ideal-solution model: standardization, ideal points, distances, the index,
the whole hierarchical model on a raw cube, 2-D TOPSIS and growth rates (examples in
:mod:`fastinno.array`).

Thin, validated wrappers over :mod:`fastinno.kernels.normalize` and
:mod:`fastinno.kernels.distance`; the NaN edge case of the index (d+ = d- = 0) is returned as NaN
without a warning here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import _options as opt
from ..errors import DegenerateDataError, InputError, format_keys
from ..kernels import distance as kd
from ..kernels import normalize as kn
from ..validate import (
    UNSET,
    as_float_array,
    as_float_view,
    check_finite,
    check_weights,
    cost_mask,
    renamed,
)

__all__ = ["standardize", "ideal_points", "distances", "index", "hew_topsis", "topsis", "growth"]



def _cube(cube, name="cube"):
    return check_finite(as_float_array(cube, name, ndim=3), name)


def _cube_view(cube, name="cube"):
    """A read-only float64 C-contiguous view of ``cube`` (a copy only when it is not one already;
    the kernels only read it, and the caller's array and its flags are never touched).
    Finiteness is checked later, from the scope statistics."""
    x = as_float_view(cube, name, ndim=3).view()
    x.setflags(write=False)  # same (read-only) kernel specialization as the Panel API's cube
    return x


def _checked_stats(x, cost, method, scope, name="cube"):
    """Scope statistics of ``x`` (one pass), with finiteness and the max_ratio positivity read
    off them; the slow checks that name positions run only when something is wrong."""
    stats = kn.scope_stats(x, method, scope)
    if not np.isfinite(stats[2]).all() and kn.count_nonfinite(x):
        check_finite(x, name)  # raises, naming the positions
    if method == kn.MAX_RATIO:
        lowest = stats[0].min(axis=0)
        if np.where(cost, lowest <= 0, lowest < 0).any():
            _check_method_data(x, cost, method)  # raises, naming the positions
    return stats


def _normalize_code(normalize, old_value, default, old_name="method", stacklevel=4):
    value = renamed("normalize", normalize, old_name, old_value, default, stacklevel=stacklevel)
    value = opt.check("standardize", value, name="normalize", allowed=opt.CUBE_STANDARDIZATIONS)
    return opt.code("standardize", value, name="normalize")


def _check_method_data(x, is_cost, method):
    """max_ratio divides by the values: benefit columns must be >= 0, cost columns > 0.

    One pass (the column minima); positions are looked up only when something is wrong.
    """
    if method != kn.MAX_RATIO:
        return
    mins = x.reshape(-1, x.shape[-1]).min(axis=0)
    if not (np.where(is_cost, mins <= 0, mins < 0)).any():
        return
    bad = np.where(is_cost, x <= 0, x < 0)
    where = [tuple(int(i) for i in ix) for ix in np.argwhere(bad)]
    raise DegenerateDataError(
        f"normalize='max_ratio' needs positive values; {len(where)} zero or negative value(s) at "
        f"{format_keys(where)}. Use normalize='minmax' or 'zscore'."
    )


def standardize(cube, is_cost=None, *, normalize=UNSET, scope="panel", method=UNSET):
    """Standardized cube (larger = better); constant scope cells give 0.

    ``normalize`` in {"max_ratio", "minmax", "vector", "zscore"} (default "max_ratio"; ``method=``
    is its old name); ``scope`` in {"panel", "region", "year"}. See
    :func:`fastinno.kernels.normalize.standardize_cube`.
    """
    x = _cube(cube)
    cost = cost_mask(is_cost, x.shape[2])
    m = _normalize_code(normalize, method, "max_ratio")
    _check_method_data(x, cost, m)
    return kn.standardize_cube(x, cost, m, opt.code("scope", scope))


def ideal_points(cube, is_cost=None, *, normalize=UNSET, scope="panel", method=UNSET):
    """``(ideal, anti_ideal)``, each (n_cells, n_indicators): max / min of the standardized cube.

    ``normalize`` as in :func:`standardize` (``method=`` is its old name).
    """
    x = _cube(cube)
    cost = cost_mask(is_cost, x.shape[2])
    m = _normalize_code(normalize, method, "max_ratio")
    _check_method_data(x, cost, m)
    return kd.ideal_points(x, cost, m, opt.code("scope", scope))


def distances(x, weights, *, scope="panel"):
    """Weighted distances ``(d_pos, d_neg)``, each (n_regions, n_years), of a standardized cube.

    d+- = sqrt(sum_j w_j^2 (x - x_alpha/beta)^2) with the ideal points = max / min of ``x`` over
    the scope. ``weights`` >= 0 summing to 1.
    """
    xx = _cube(x, "x")
    w = check_weights(weights, xx.shape[2])
    return kd.weighted_distances(xx, w, opt.code("scope", scope))


def index(d_pos, d_neg, *, form="ratio2"):
    """Index from distances: ratio2 d-^2/(d+^2 + d-^2) or closeness d-/(d+ + d-); both 0 -> NaN."""
    dp = check_finite(as_float_array(d_pos, "d_pos"), "d_pos")
    dn = check_finite(as_float_array(d_neg, "d_neg"), "d_neg")
    if dp.shape != dn.shape:
        raise InputError(f"d_pos and d_neg must have the same shape; got {dp.shape} and {dn.shape}.")
    if (dp < 0).any() or (dn < 0).any():
        raise InputError("distances must be >= 0.")
    return kd.index_from_squared(dp * dp, dn * dn, opt.code("form", form))


def hew_topsis(
    cube,
    is_cost=None,
    *,
    weights=None,
    groups: Sequence[Sequence[int]] | None = None,
    scope="panel",
    normalize=UNSET,
    form="ratio2",
    standardize=UNSET,
):
    """The whole model on a raw cube: index and sub-indices, shape (1 + n_groups, R, Y).

    Parameters
    ----------
    cube : array (n_regions, n_years, n_indicators), raw values.
    is_cost : bool array or criterion types, optional (default all benefit).
    weights : array (n_indicators,), >= 0 summing to 1; default equal weights.
    groups : list of index lists, optional; each gives a sub-index with ``weights`` renormalised
        over the group.
    scope, form : as in :func:`fastinno.hew_topsis`.
    normalize : {"max_ratio", "minmax", "vector", "zscore"}, default "max_ratio"
        The standardization (the Panel API's ``standardize=``; ``standardize=`` is accepted here
        as its old name).

    Notes
    -----
    Constant scope cells contribute 0 (no error at this level; see
    :func:`fastinno.kernels.normalize.constant_cells`).
    """
    x = _cube_view(cube)
    n = x.shape[2]
    cost = cost_mask(is_cost, n)
    m = _normalize_code(normalize, standardize, "max_ratio", "standardize")
    sc = opt.code("scope", scope)
    stats = _checked_stats(x, cost, m, sc)
    w = np.full(n, 1.0 / n) if weights is None else check_weights(weights, n)
    idx = [np.arange(n)]
    for k, g in enumerate(groups or ()):
        gi = np.asarray(g, dtype=np.int64)
        if gi.ndim != 1 or gi.size == 0 or gi.min() < 0 or gi.max() >= n:
            raise InputError(f"groups[{k}] must be a non-empty list of indicator positions in 0..{n - 1}.")
        if w[gi].sum() <= 0:
            raise InputError(f"groups[{k}] has zero total weight.")
        idx.append(gi)
    ptr = np.concatenate([[0], np.cumsum([a.size for a in idx])]).astype(np.int64)
    no_children = np.zeros(len(idx) + 1, dtype=np.int64)
    return kd.hew_index_from_stats(
        x, cost, m, sc, *stats, w, ptr,
        np.ascontiguousarray(np.concatenate(idx)), no_children, np.zeros(0, dtype=np.int64),
        opt.code("form", form),
    )


def topsis(matrix, weights, is_cost=None, *, normalize=UNSET, form="closeness", full=False, standardize=UNSET):
    """TOPSIS on one decision matrix: the 1-D index (larger = better).

    Parameters
    ----------
    matrix : array (n_alternatives, n_indicators), raw values (only read, never copied when it
        is float64 C-contiguous already).
    weights : array (n_indicators,), >= 0 summing to 1.
    is_cost : bool array or criterion types, optional (default all benefit).
    normalize : {"vector", "minmax", "max_ratio", "zscore"}, default "vector"
        Column normalization (``standardize=`` is its old name).
    form : {"closeness", "ratio2"}, default "closeness"
        closeness C = d- / (d+ + d-); ratio2 F = d-^2 / (d+^2 + d-^2).
    full : bool
        Return ``{"index", "d_pos", "d_neg"}`` instead of the index.

    Returns
    -------
    index : ndarray (n_alternatives,), or a dict with ``full=True``.

    Notes
    -----
    v_ij = w_j p_ij on the normalized matrix p; ideal v+_j = max_i v_ij, anti-ideal
    v-_j = min_i v_ij; d+-_i = sqrt(sum_j (v_ij - v+-_j)^2). ``normalize="vector",
    form="closeness"`` (the defaults) is classical TOPSIS (Hwang & Yoon 1981, *Multiple Attribute
    Decision Making*, Springer, ch. 4); ``normalize="minmax", form="ratio2"`` is the F variant of
    the ideal-solution model.

    Changed after 0.1.0: returns the index alone (it returned the tuple ``(index, d_pos, d_neg)``);
    pass ``full=True`` for the distances.
    """
    x = as_float_view(matrix, "matrix", ndim=2)
    cost = cost_mask(is_cost, x.shape[1])
    w = check_weights(weights, x.shape[1])
    m = _normalize_code(normalize, standardize, "vector", "standardize")
    idx, d_pos, d_neg = topsis_matrix(x, w, cost, m, opt.code("form", form))
    if full:
        return {"index": idx, "d_pos": d_pos, "d_neg": d_neg}
    return idx


def topsis_matrix(x, w, cost, method, form):
    """``(index, d_pos, d_neg)`` of TOPSIS on a float64 C-contiguous matrix ``x`` with checked
    weights ``w``, cost mask ``cost`` and the codes of the normalization and the index form.

    Two passes at most over ``x``: its column statistics (:func:`fastinno.kernels.compromise.
    matrix_stats`, which also counts non-finite values; the z-score sd takes a second one),
    then :func:`fastinno.kernels.distance.topsis_raw`. Raises :class:`InputError` on missing or
    infinite values and :class:`DegenerateDataError` on values max_ratio cannot divide by.
    """
    mn, mx, s1, s2, n_bad = kn.matrix_stats(x, method in (kn.VECTOR, kn.ZSCORE))
    if n_bad:
        check_finite(x, "matrix")  # raises, naming the positions
    if method == kn.MAX_RATIO and np.where(cost, mn <= 0, mn < 0).any():
        _check_method_data(x, cost, method)  # raises, naming the positions
    scale = kn.matrix_scale(x, method, mn, s1, s2)[1] if method in (kn.VECTOR, kn.ZSCORE) else s2
    return kd.topsis_raw(x, w, cost, method, mn, mx, scale, form)


def growth(f, years=None):
    """``(cagr, mean_yoy, yoy)`` of index series ``f`` (n_series, n_years) or (n_years,).

    CAGR over the true year span; y-o-y rates annualised over gaps; NaN where a base is <= 0.
    """
    arr = as_float_array(f, "f")
    one = arr.ndim == 1
    if one:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise InputError(f"f must be 1-D or 2-D (series x years); got shape {arr.shape}.")
    yrs = np.arange(arr.shape[1], dtype=np.float64) if years is None else as_float_array(list(years), "years", ndim=1)
    if yrs.shape[0] != arr.shape[1]:
        raise InputError(f"years has {yrs.shape[0]} entries but f has {arr.shape[1]} columns.")
    if np.any(np.diff(yrs) <= 0):
        raise InputError("years must be strictly increasing.")
    cagr, mean_yoy, yoy = kd.growth_rates(np.ascontiguousarray(arr), yrs)
    if one:
        return cagr[0], mean_yoy[0], yoy[0]
    return cagr, mean_yoy, yoy
