"""Compromise and outranking ranking methods: VIKOR, PROMETHEE II, EDAS, CODAS, SPOTIS, MARCOS
and CoCoSo.

Array level: ``method(matrix, weights, is_cost=None, *, normalize=None, full=False, **options)``
-> 1-D preference values, one per alternative (``full=True``: a dict of the intermediates).
Batched level (the registry's ``cells``): ``method_cells(x3, weights, is_cost, normalize,
options)`` -> ``(n_cells, n_alternatives)``. The matrix is only read. VIKOR's Q and SPOTIS's
distance are smaller-is-better; the others larger-is-better.

Example
-------
>>> import numpy as np
>>> from fastinno import array as fa
>>> x = np.array([[4.0, 3, 2], [3, 2, 4], [5, 1, 3]])
>>> fa.promethee_ii(x, [0.5, 0.3, 0.2]).round(2)
array([ 0.1, -0.3,  0.2])
"""

from __future__ import annotations

import numpy as np

from .. import _options as opt
from ..errors import DegenerateDataError, InputError, format_keys
from ..kernels import compromise as kc
from ..kernels import outranking as ko
from ..validate import as_float_view, check_finite, check_weights, cost_mask
from .compromise_draws import HOOKS
from .spec import MethodSpec

__all__ = ["vikor", "promethee_ii", "edas", "codas", "spotis", "marcos", "cocoso", "SPECS"]


# --- shared input handling ---


def _stats(x3, name, want_sums=False):
    """Per-cell column min, max, sum and sum of squares (sums 0 unless ``want_sums``), checking
    finiteness in the same pass."""
    *stats, n_bad = kc.column_stats(x3, want_sums)
    if n_bad:
        check_finite(x3 if x3.shape[0] > 1 else x3[0], name)  # raises, naming the positions
    return stats


def _matrix(matrix, weights, is_cost):
    x = as_float_view(matrix, "matrix", ndim=2, what="a 2-D array (alternatives x indicators)")
    n, m = x.shape
    if n < 2:
        raise InputError(f"matrix has {n} alternative; a ranking needs at least 2 rows.")
    w = check_weights(weights, m)
    return x[None], w[None], cost_mask(is_cost, m)


def _cells_inputs(x3, weights, is_cost):
    x3 = as_float_view(x3, "x3", ndim=3, what="a 3-D array (cells x alternatives x indicators)")
    if x3.shape[1] < 2:
        raise InputError(f"x3 has {x3.shape[1]} alternative per cell; a ranking needs at least 2.")
    m = x3.shape[2]
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim == 1:
        w2 = check_weights(w, m)[None]
    elif w.ndim == 2 and w.shape[0] in (1, x3.shape[0]) and w.shape[1] == m:
        w2 = np.ascontiguousarray(np.stack([check_weights(row, m) for row in w]))
    else:
        raise InputError(f"weights must be (n_indicators,) or (n_cells, n_indicators); got shape {w.shape}.")
    return x3, w2, cost_mask(is_cost, m)


def _no_normalize(method, normalize):
    if normalize is not None:
        raise InputError(
            f"{method} normalizes the indicators itself (see its docstring); normalize={normalize!r} "
            "is not accepted: leave normalize=None."
        )


def _normalize(method, normalize, allowed, default):
    if normalize is None:
        return default
    return opt.check("standardize", normalize, name=f"normalize of {method}", allowed=allowed)


def _check_positive(x3, cost, stats, method):
    """A max-ratio normalization divides by the values: benefit >= 0, cost > 0."""
    lowest = stats[0].min(axis=0)
    if not np.where(cost, lowest <= 0, lowest < 0).any():
        return
    bad = np.where(cost, x3 <= 0, x3 < 0)
    lead = 1 if x3.shape[0] == 1 else 0  # one matrix: (alternative, indicator) positions
    where = [tuple(int(i) for i in ix[lead:]) for ix in np.argwhere(bad)]
    raise DegenerateDataError(
        f"{method} divides by the indicator values (benefit values must be >= 0, cost values > 0); "
        f"{len(where)} value(s) break this at {format_keys(where)}. Shift the indicator or choose "
        "another normalize= / method."
    )


def _finite_or(out, message):
    if not np.isfinite(out).all():
        raise DegenerateDataError(message)
    return out


def _merge(method, options, defaults):
    unknown = set(options) - set(defaults)
    if unknown:
        raise InputError(f"{method} has no option(s) {sorted(unknown)}; its options are {sorted(defaults)}.")
    return {**defaults, **options}


def _unit(name, value, method, *, open_low=False):
    v = float(value)
    if not (0.0 < v <= 1.0 if open_low else 0.0 <= v <= 1.0):
        raise InputError(f"{method}: {name} must be in {'(0' if open_low else '[0'}, 1]; got {value!r}.")
    return v


# --- VIKOR ---

VIKOR_OPTIONS = {"v": 0.5, "constant_q": "zero"}


def _vikor(x3, w2, cost, options):
    o = _merge("vikor", options, VIKOR_OPTIONS)
    v = _unit("v", o["v"], "vikor")
    mode = opt.check("constant_q", o["constant_q"])
    mn, mx, _, _ = _stats(x3, "matrix")
    s, r = kc.vikor_sr(x3, w2, cost, mn, mx)
    q = kc.vikor_q(s, r, v, kc.Q_ZERO if mode == "zero" else kc.Q_NAN)
    if mode == "error" and np.isnan(q).any():
        raise DegenerateDataError(
            "VIKOR: S or R is the same for every alternative, so Q divides 0 by 0. Pass "
            "constant_q='zero' (the constant measure adds 0) or drop the tied alternatives."
        )
    return s, r, q


def vikor(matrix, weights, is_cost=None, *, normalize=None, full=False, v=0.5, constant_q="zero"):
    """VIKOR compromise index Q (Opricovic & Tzeng 2004), smaller is better.

    ``S_i = sum_j w_j (f*_j - f_ij) / (f*_j - f-_j)``, ``R_i = max_j w_j (f*_j - f_ij) /
    (f*_j - f-_j)`` (``f*`` best, ``f-`` worst value of each indicator) and
    ``Q_i = v (S_i - S*) / (S- - S*) + (1 - v) (R_i - R*) / (R- - R*)``.

    Parameters
    ----------
    matrix : array (n_alternatives, n_indicators), raw values (VIKOR's linear normalization is
        built in, so ``normalize`` must stay None).
    weights : array (n_indicators,), >= 0 summing to 1.
    is_cost : bool array or criterion types (1 / -1), optional (default all benefit).
    full : bool
        Also return S, R and the compromise conditions: ``c1`` acceptable advantage
        ``Q(a'') - Q(a') >= DQ = 1 / (n - 1)``, ``c2`` acceptable stability (``a'``, the best by
        Q, is also best by S or R), and ``compromise`` the compromise set (``a'`` alone when both
        hold; ``a', a''`` when only C2 fails; all ``a`` with ``Q(a) - Q(a') < DQ`` when C1 fails).
    v : float in [0, 1], default 0.5, the weight of the strategy of the majority of criteria.
    constant_q : {"zero", "nan", "error"}, default "zero"
        When S (or R) is the same for every alternative (e.g. all alternatives equal) its term of
        Q is 0/0. ``"zero"`` (default): the term is 0 (every alternative ties on it), so Q rests
        on the other measure; ``"nan"``: NaN as pymcdm 1.4.0 returns; ``"error"``: raise. The
        paper leaves the case undefined.

    Notes
    -----
    A constant indicator (``f* == f-``) adds 0 to S and R (pymcdm raises instead).
    """
    _no_normalize("vikor", normalize)
    x3, w2, cost = _matrix(matrix, weights, is_cost)
    s, r, q = _vikor(x3, w2, cost, {"v": v, "constant_q": constant_q})
    if not full:
        return q[0]
    return {"S": s[0], "R": r[0], "Q": q[0], **_vikor_conditions(s[0], r[0], q[0])}


def _vikor_conditions(s, r, q):
    n = q.shape[0]
    dq = 1.0 / (n - 1)
    order = np.argsort(q, kind="stable")
    best, second = order[0], order[1]
    c1 = bool(q[second] - q[best] >= dq)
    c2 = bool(s[best] == s.min() or r[best] == r.min())
    if c1 and c2:
        comp = order[:1]
    elif c1:
        comp = order[:2]
    else:
        comp = order[q[order] - q[best] < dq]
    return {"dq": dq, "c1": c1, "c2": c2, "compromise": np.sort(comp)}


def vikor_cells(x3, weights, is_cost, normalize, options):
    """Batched VIKOR Q, (n_cells, n_alternatives); see :func:`vikor`."""
    _no_normalize("vikor", normalize)
    return _vikor(*_cells_inputs(x3, weights, is_cost), options)[2]


# --- PROMETHEE II ---

PROMETHEE_OPTIONS = {"preference": "usual", "q": None, "p": None, "s": None}
_NEEDS = {"usual": (), "u_shape": ("q",), "v_shape": ("p",), "level": ("q", "p"), "linear": ("q", "p"), "gaussian": ("s",)}


def _thresholds(name, value, m, pref):
    if value is None:
        raise InputError(f"preference={pref!r} needs {name}= (one value per indicator, in its units).")
    arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (m,)) if np.ndim(value) == 0 else np.asarray(value, dtype=np.float64)
    if arr.shape != (m,):
        raise InputError(f"{name} must have one value per indicator ({m}); got shape {arr.shape}.")
    check_finite(arr, name)
    if (arr < 0).any():
        raise InputError(f"{name} must be >= 0; got {arr.tolist()}.")
    return np.ascontiguousarray(arr)


def _promethee(x3, w2, cost, options):
    o = _merge("promethee_ii", options, PROMETHEE_OPTIONS)
    pref = opt.check("preference", o["preference"])
    m = x3.shape[2]
    th = {k: (_thresholds(k, o[k], m, pref) if k in _NEEDS[pref] else np.zeros(m)) for k in ("q", "p", "s")}
    if pref in ("v_shape", "gaussian") and (th["p" if pref == "v_shape" else "s"] <= 0).any():
        raise InputError(f"preference={pref!r}: {'p' if pref == 'v_shape' else 's'} must be > 0 for every indicator.")
    if pref in ("level", "linear") and (th["p"] <= th["q"]).any():
        bad = np.flatnonzero(th["p"] <= th["q"]).tolist()
        raise InputError(f"preference={pref!r} needs p > q for every indicator; not at {format_keys(bad)}.")
    _stats(x3, "matrix")
    pos, neg = ko.column_flows(x3, cost, opt.code("preference", pref), th["q"], th["p"], th["s"])
    return ko.weighted_flows(pos, neg, w2)


def promethee_ii(
    matrix, weights, is_cost=None, *, normalize=None, full=False, preference="usual", q=None, p=None, s=None
):
    """PROMETHEE II net outranking flow (Brans & Vincke 1985), larger is better.

    ``phi(a) = phi+(a) - phi-(a)``, ``phi+(a) = sum_b sum_j w_j P_j(d_j(a, b)) / (n - 1)``,
    ``phi-(a) = sum_b sum_j w_j P_j(d_j(b, a)) / (n - 1)``, ``d_j(a, b) = g_j(a) - g_j(b)``
    (reversed for a cost indicator).

    Parameters
    ----------
    matrix : array (n_alternatives, n_indicators), raw values (``normalize`` must stay None: the
        preference functions read differences in the indicators' units).
    weights, is_cost : as in :func:`vikor`.
    full : bool, also return ``phi_plus`` and ``phi_minus``.
    preference : {"usual", "u_shape", "v_shape", "level", "linear", "gaussian"}
        The generalized criterion of Brans & Vincke (types I-VI), the same for every indicator;
        see :mod:`fastinno.kernels.outranking` for the formulas. pymcdm's names "ushape",
        "vshape" and "vshape_2" are accepted (for "linear").
    q, p, s : array (n_indicators,) or scalar, in the indicators' units
        Indifference threshold ``q`` (u_shape, level, linear), preference threshold ``p``
        (v_shape, level, linear; ``p > q``), gaussian spread ``s`` (> 0).

    Notes
    -----
    O(n log n) per indicator for types I-V; the gaussian type costs O(n k) per indicator with
    ``k`` the alternatives within ``sqrt(80) s`` of each other (up to O(n^2)), run in parallel
    over the indicators.
    """
    _no_normalize("promethee_ii", normalize)
    x3, w2, cost = _matrix(matrix, weights, is_cost)
    plus, minus, net = _promethee(x3, w2, cost, {"preference": preference, "q": q, "p": p, "s": s})
    if not full:
        return net[0]
    return {"phi_plus": plus[0], "phi_minus": minus[0], "net_flow": net[0]}


def promethee_ii_cells(x3, weights, is_cost, normalize, options):
    """Batched PROMETHEE II net flow, (n_cells, n_alternatives); see :func:`promethee_ii`."""
    _no_normalize("promethee_ii", normalize)
    return _promethee(*_cells_inputs(x3, weights, is_cost), options)[2]


# --- EDAS ---


def _edas(x3, w2, cost, options):
    _merge("edas", options, {})
    mn, mx, s1, _ = _stats(x3, "matrix", want_sums=True)
    av = s1 / x3.shape[1]
    bad = (av <= 0) & (mx > mn)
    if bad.any():
        where = np.argwhere(bad)
        raise DegenerateDataError(
            f"EDAS divides by each indicator's average, which must be > 0; it is <= 0 for "
            f"(cell, indicator) {format_keys([tuple(int(i) for i in ix) for ix in where])}. Shift "
            "the indicator to positive values."
        )
    sp, sn = kc.edas_sums(x3, w2, cost, av, mn, mx)
    return av, sp, sn, kc.edas_score(sp, sn)


def edas(matrix, weights, is_cost=None, *, normalize=None, full=False):
    """EDAS appraisal score (Keshavarz Ghorabaee et al. 2015), larger is better.

    Distances from the average ``AV_j``: ``PDA = max(0, (x - AV) / AV)``, ``NDA = max(0,
    (AV - x) / AV)`` (swapped for cost), ``SP = sum_j w_j PDA``, ``SN = sum_j w_j NDA``,
    ``AS = (SP / max SP + 1 - SN / max SN) / 2``.

    Parameters
    ----------
    matrix : array (n_alternatives, n_indicators), raw values; EDAS's distance to the average is
        its normalization, so ``normalize`` must stay None.
    weights, is_cost : as in :func:`vikor`.
    full : bool, also return ``average``, ``sp``, ``sn``.

    Notes
    -----
    An indicator whose average is <= 0 raises :class:`DegenerateDataError` (the paper divides by
    it); a constant indicator adds 0. When every weighted indicator is constant, every
    alternative scores 0.5.
    """
    _no_normalize("edas", normalize)
    x3, w2, cost = _matrix(matrix, weights, is_cost)
    av, sp, sn, score = _edas(x3, w2, cost, {})
    if not full:
        return score[0]
    return {"average": av[0], "sp": sp[0], "sn": sn[0], "score": score[0]}


def edas_cells(x3, weights, is_cost, normalize, options):
    """Batched EDAS appraisal score, (n_cells, n_alternatives); see :func:`edas`."""
    _no_normalize("edas", normalize)
    return _edas(*_cells_inputs(x3, weights, is_cost), options)[3]


# --- CODAS ---

CODAS_OPTIONS = {"tau": 0.02}
CODAS_NORMALIZE = ("max_ratio", "minmax", "vector")


def _codas(x3, w2, cost, normalize, options):
    o = _merge("codas", options, CODAS_OPTIONS)
    tau = float(o["tau"])
    if not tau > 0:
        raise InputError(f"codas: tau must be > 0 (the paper takes 0.01 to 0.05); got {o['tau']!r}.")
    method = _normalize("codas", normalize, CODAS_NORMALIZE, "max_ratio")
    stats = _stats(x3, "matrix", want_sums=method == "vector")
    if method == "max_ratio":
        _check_positive(x3, cost, stats, "CODAS with normalize='max_ratio'")
    e, t = kc.codas_distances(x3, w2, cost, opt.code("standardize", method), *stats)
    return e, t, kc.codas_score(e, t, tau)


def codas(matrix, weights, is_cost=None, *, normalize=None, full=False, tau=0.02):
    """CODAS assessment score (Keshavarz Ghorabaee et al. 2016), larger is better.

    ``r_ij = w_j n_ij``, distances from the negative-ideal ``ns_j = min_i r_ij``:
    ``E_i = sqrt(sum_j (r_ij - ns_j)^2)``, ``T_i = sum_j |r_ij - ns_j|``, and
    ``H_i = sum_k [(E_i - E_k) + psi(E_i - E_k) (T_i - T_k)]`` with ``psi(x) = 1`` if
    ``|x| >= tau``, else 0.

    Parameters
    ----------
    matrix : array (n_alternatives, n_indicators).
    weights, is_cost : as in :func:`vikor`.
    normalize : {"max_ratio", "minmax", "vector"}, default None = "max_ratio", the paper's linear
        normalization (benefit ``x / max``, cost ``min / x``; values must be positive).
    full : bool, also return ``euclidean`` (E) and ``taxicab`` (T).
    tau : float > 0, default 0.02, the threshold of psi.

    Notes
    -----
    O(n log n) (sorting by E, prefix sums of T) instead of the paper's n x n matrix. A constant
    indicator adds 0.
    """
    x3, w2, cost = _matrix(matrix, weights, is_cost)
    e, t, h = _codas(x3, w2, cost, normalize, {"tau": tau})
    if not full:
        return h[0]
    return {"euclidean": e[0], "taxicab": t[0], "score": h[0]}


def codas_cells(x3, weights, is_cost, normalize, options):
    """Batched CODAS assessment score, (n_cells, n_alternatives); see :func:`codas`."""
    return _codas(*_cells_inputs(x3, weights, is_cost), normalize, options)[2]


# --- SPOTIS ---

SPOTIS_OPTIONS = {"bounds": None}


def _spotis(x3, w2, cost, options):
    o = _merge("spotis", options, SPOTIS_OPTIONS)
    mn, mx, _, _ = _stats(x3, "matrix")
    m = x3.shape[2]
    if o["bounds"] is None:
        lo, hi = mn, mx
    else:
        b = check_finite(np.asarray(o["bounds"], dtype=np.float64), "bounds")
        if b.shape != (m, 2):
            raise InputError(f"bounds must be (n_indicators, 2) = ({m}, 2) rows of [min, max]; got shape {b.shape}.")
        if (b[:, 0] >= b[:, 1]).any():
            raise InputError(f"bounds: min < max needed; not for indicator(s) {format_keys(np.flatnonzero(b[:, 0] >= b[:, 1]).tolist())}.")
        out = (mn < b[:, 0]).any(axis=0) | (mx > b[:, 1]).any(axis=0)
        if out.any():
            raise InputError(
                f"SPOTIS: values outside the bounds for indicator(s) {format_keys(np.flatnonzero(out).tolist())}; "
                "widen the bounds to cover the data."
            )
        lo = np.ascontiguousarray(np.broadcast_to(b[:, 0], mn.shape))
        hi = np.ascontiguousarray(np.broadcast_to(b[:, 1], mn.shape))
    return lo, hi, kc.spotis_distance(x3, w2, cost, lo, hi)


def spotis(matrix, weights, is_cost=None, *, normalize=None, full=False, bounds=None):
    """SPOTIS distance to the ideal solution point (Dezert et al. 2020), smaller is better.

    ``d_i = sum_j w_j |x_ij - S*_j| / (max_j - min_j)`` with the ideal point ``S*_j = max_j``
    (benefit) or ``min_j`` (cost) of the bounds.

    Parameters
    ----------
    matrix : array (n_alternatives, n_indicators), raw values (the bounds normalize; ``normalize``
        must stay None).
    weights, is_cost : as in :func:`vikor`.
    full : bool, also return ``bounds`` and ``ideal``.
    bounds : array (n_indicators, 2) of ``[min, max]``, optional
        Default: the data's min and max per indicator (per cell in the batched form); an
        indicator constant in the data then adds 0. Given bounds must cover the data. Fixed
        bounds make SPOTIS free of rank reversal.
    """
    _no_normalize("spotis", normalize)
    x3, w2, cost = _matrix(matrix, weights, is_cost)
    lo, hi, d = _spotis(x3, w2, cost, {"bounds": bounds})
    if not full:
        return d[0]
    return {"bounds": np.stack([lo[0], hi[0]], axis=1), "ideal": np.where(cost, lo[0], hi[0]), "distance": d[0]}


def spotis_cells(x3, weights, is_cost, normalize, options):
    """Batched SPOTIS distance, (n_cells, n_alternatives); see :func:`spotis`."""
    _no_normalize("spotis", normalize)
    return _spotis(*_cells_inputs(x3, weights, is_cost), options)[2]


# --- MARCOS ---


def _marcos(x3, w2, cost, normalize, options):
    _merge("marcos", options, {})
    _normalize("marcos", normalize, ("max_ratio",), "max_ratio")
    stats = _stats(x3, "matrix")
    _check_positive(x3, cost, stats, "MARCOS")
    f, kp, kn_ = kc.marcos_utility(x3, w2, cost, stats[0], stats[1])
    _finite_or(
        f,
        "MARCOS: the utility degree is 0/0 or x/0 because the anti-ideal row, or an alternative, "
        "sums to 0 (zero on every weighted benefit indicator). Shift the indicators to positive values.",
    )
    return f, kp, kn_


def marcos(matrix, weights, is_cost=None, *, normalize=None, full=False):
    """MARCOS utility function (Stevic et al. 2020), larger is better.

    Against the ideal AI (best value of each indicator) and anti-ideal AAI (worst):
    ``n_ij = x_ij / x_ai`` (benefit) or ``x_ai / x_ij`` (cost), ``S_i = sum_j w_j n_ij``,
    ``K-_i = S_i / S_aai``, ``K+_i = S_i / S_ai``, ``f(K+) = K- / (K+ + K-)``,
    ``f(K-) = K+ / (K+ + K-)``, ``f(K_i) = (K+ + K-) / (1 + (1 - f(K+)) / f(K+) + (1 - f(K-)) /
    f(K-))``.

    Parameters
    ----------
    matrix : array (n_alternatives, n_indicators), benefit values >= 0, cost values > 0.
    weights, is_cost : as in :func:`vikor`.
    normalize : None or "max_ratio" (the paper's normalization against the ideal, the only one).
    full : bool, also return ``k_pos`` and ``k_neg``.

    Notes
    -----
    A constant indicator normalizes to 1 for every row (a constant zero benefit indicator too).
    """
    x3, w2, cost = _matrix(matrix, weights, is_cost)
    f, kp, kn_ = _marcos(x3, w2, cost, normalize, {})
    if not full:
        return f[0]
    return {"k_pos": kp[0], "k_neg": kn_[0], "utility": f[0]}


def marcos_cells(x3, weights, is_cost, normalize, options):
    """Batched MARCOS utility, (n_cells, n_alternatives); see :func:`marcos`."""
    return _marcos(*_cells_inputs(x3, weights, is_cost), normalize, options)[0]


# --- CoCoSo ---

COCOSO_OPTIONS = {"lam": 0.5}
COCOSO_NORMALIZE = ("minmax", "max_ratio")


def _cocoso(x3, w2, cost, normalize, options):
    o = _merge("cocoso", options, COCOSO_OPTIONS)
    lam = _unit("lam", o["lam"], "cocoso")
    method = _normalize("cocoso", normalize, COCOSO_NORMALIZE, "minmax")
    stats = _stats(x3, "matrix")
    if method == "max_ratio":
        _check_positive(x3, cost, stats, "CoCoSo with normalize='max_ratio'")
    code = kc.COCOSO_MINMAX if method == "minmax" else kc.COCOSO_MAX_RATIO
    s, p = kc.cocoso_sums(x3, w2, cost, code, stats[0], stats[1])
    k, ka, kb, kcc = kc.cocoso_score(s, p, lam)
    _finite_or(
        k,
        "CoCoSo: k_b divides by min S and min P, which are 0 because an alternative has the worst "
        "value of every weighted indicator (dominated by all). Drop it or use normalize='max_ratio'.",
    )
    return s, p, k, ka, kb, kcc


def cocoso(matrix, weights, is_cost=None, *, normalize=None, full=False, lam=0.5):
    """CoCoSo combined compromise solution (Yazdani et al. 2019), larger is better.

    ``S_i = sum_j w_j r_ij``, ``P_i = sum_j r_ij ** w_j``, ``k_a = (P + S) / sum (P + S)``,
    ``k_b = S / min S + P / min P``, ``k_c = (lam S + (1 - lam) P) / (lam max S + (1 - lam)
    max P)`` and ``k = (k_a k_b k_c) ** (1/3) + (k_a + k_b + k_c) / 3``.

    Parameters
    ----------
    matrix : array (n_alternatives, n_indicators).
    weights, is_cost : as in :func:`vikor`.
    normalize : {"minmax", "max_ratio"}, default None = "minmax" (the paper's); a constant
        indicator normalizes to 1 (as pymcdm).
    full : bool, also return ``s``, ``p``, ``k_a``, ``k_b``, ``k_c``.
    lam : float in [0, 1], default 0.5.
    """
    x3, w2, cost = _matrix(matrix, weights, is_cost)
    s, p, k, ka, kb, kcc = _cocoso(x3, w2, cost, normalize, {"lam": lam})
    if not full:
        return k[0]
    return {"s": s[0], "p": p[0], "k_a": ka[0], "k_b": kb[0], "k_c": kcc[0], "score": k[0]}


def cocoso_cells(x3, weights, is_cost, normalize, options):
    """Batched CoCoSo score, (n_cells, n_alternatives); see :func:`cocoso`."""
    return _cocoso(*_cells_inputs(x3, weights, is_cost), normalize, options)[2]


# --- registry entries ---

SPECS = (
    MethodSpec(
        "vikor", "VIKOR", vikor, vikor_cells, higher_is_better=False, default_normalize=None,
        normalizations=(), options=VIKOR_OPTIONS, **HOOKS["vikor"],
        source="Opricovic, S. & Tzeng, G.-H. (2004). Compromise solution by MCDM methods. EJOR 156(2), 445-455.",
    ),
    MethodSpec(
        "promethee_ii", "PROMETHEE II", promethee_ii, promethee_ii_cells, higher_is_better=True,
        default_normalize=None, normalizations=(), options=PROMETHEE_OPTIONS, linear_in_weights=True,
        source="Brans, J. P. & Vincke, Ph. (1985). A preference ranking organisation method. Management Science 31(6), 647-656.",
    ),
    MethodSpec(
        "edas", "EDAS", edas, edas_cells, higher_is_better=True, default_normalize=None, normalizations=(), **HOOKS["edas"],
        source="Keshavarz Ghorabaee, M. et al. (2015). Multi-criteria inventory classification using EDAS. Informatica 26(3), 435-451.",
    ),
    MethodSpec(
        "codas", "CODAS", codas, codas_cells, higher_is_better=True, default_normalize="max_ratio",
        normalizations=CODAS_NORMALIZE, options=CODAS_OPTIONS, **HOOKS["codas"],
        source="Keshavarz Ghorabaee, M. et al. (2016). A new combinative distance-based assessment (CODAS) method. "
        "Economic Computation and Economic Cybernetics Studies and Research 50(3), 25-44.",
    ),
    MethodSpec(
        "spotis", "SPOTIS", spotis, spotis_cells, higher_is_better=False, default_normalize=None,
        normalizations=(), options=SPOTIS_OPTIONS, linear_in_weights=True,
        source="Dezert, J. et al. (2020). The SPOTIS rank reversal free method for multi-criteria decision-making "
        "support. FUSION 2020.",
    ),
    MethodSpec(
        "marcos", "MARCOS", marcos, marcos_cells, higher_is_better=True, default_normalize="max_ratio",
        normalizations=("max_ratio",), **HOOKS["marcos"],
        source="Stevic, Z. et al. (2020). Sustainable supplier selection in healthcare industries using MARCOS. "
        "Computers & Industrial Engineering 140, 106231.",
    ),
    MethodSpec(
        "cocoso", "CoCoSo", cocoso, cocoso_cells, higher_is_better=True, default_normalize="minmax",
        normalizations=COCOSO_NORMALIZE, options=COCOSO_OPTIONS, **HOOKS["cocoso"],
        source="Yazdani, M. et al. (2019). A combined compromise solution (CoCoSo) method. Management Decision 57(9), 2501-2519.",
    ),
)
