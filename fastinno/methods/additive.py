"""Additive and ratio ranking methods: WSM, WPM, WASPAS, COPRAS, ARAS, MOORA and MABAC.

Each method has an array-level function ``name(matrix, weights, is_cost=None, *, normalize=None,
full=False, **options)`` (1-D preference values, larger is better), a batched ``name_cells(x3,
weights, is_cost, normalize, options)`` over ``(n_cells, n_alternatives, n_indicators)`` and a
:class:`~fastinno.methods.spec.MethodSpec` in ``SPECS``. All scores are linear in the weights
(WPM in logs; COPRAS through two linear sums), so every spec gives ``linear_terms`` and
``combine`` for the Monte Carlo engine's block products.

Normalizations (``normalize=``) are those of the ``standardize`` option
(:mod:`fastinno._options`); cost conventions follow pymcdm 1.4.0. The data checks of the
normalizations are here too (:func:`normalization_coefficients`), shared with
:func:`fastinno.array.normalize`.
"""

from __future__ import annotations

import numpy as np

from .. import _options as opt
from ..errors import DegenerateDataError, InputError, format_keys
from ..kernels import additive as ka
from ..kernels import normalize as kn
from ..validate import as_float_view, check_finite, check_weights, cost_mask
from .spec import MethodSpec

__all__ = [
    "wsm", "wpm", "waspas", "copras", "aras", "moora", "mabac",
    "wsm_cells", "wpm_cells", "waspas_cells", "copras_cells", "aras_cells", "moora_cells", "mabac_cells",
    "normalization_coefficients", "SPECS",
]

_ALL = ("sum", "max", "max_ratio", "minmax", "vector", "zscore", "log")
_POSITIVE = ("sum", "max", "max_ratio", "vector", "log")  # may give r > 0 everywhere (WPM)
_UNIT = ("minmax", "max", "max_ratio", "sum", "vector")  # r in [0, 1] for valid data (MABAC)
_ST = (kn.ST_MIN, kn.ST_MAX, kn.ST_SUM, kn.ST_SQ, kn.ST_INV, kn.ST_LOG)


def _cells_where(mask) -> list:
    found = np.argwhere(mask)
    return [(int(c), int(j)) if mask.shape[0] > 1 else int(j) for c, j in found]


def _domain(stats, is_cost, name: str, n_rows: int) -> None:
    # Raise DegenerateDataError where the normalization divides by 0, takes logs of values <= 0
    # or would reverse a column's direction.
    mn, mx = stats[:, kn.ST_MIN], stats[:, kn.ST_MAX]
    cost = np.broadcast_to(is_cost, mn.shape)
    rules = {  # built for the one normalization asked (each rule is a few array operations)
        "minmax": lambda: (mn == mx, "is constant (max = min)", "drop it or use normalize='sum' or 'max'"),
        "zscore": lambda: (mn == mx, "is constant (sd = 0)", "drop it or use normalize='sum' or 'max'"),
        "vector": lambda: ((mn == 0) & (mx == 0), "is all zeros (norm 0)", "drop it"),
        "max": lambda: (mx <= 0, "has max <= 0", "shift the values to be positive or use normalize='minmax'"),
        "max_ratio": lambda: (np.where(cost, mn <= 0, (mn < 0) | (mx <= 0)),
                              "has values <= 0 (cost) or < 0 (benefit)", "use normalize='minmax'"),
        "sum": lambda: (np.where(cost, mn <= 0, (mn < 0) | (mx <= 0)),
                        "has values <= 0 (cost) or < 0 / all zero (benefit)", "use normalize='minmax'"),
        "log": lambda: ((mn <= 0) | (stats[:, kn.ST_LOG] <= 0),
                        "has values <= 0 or a product <= 1 (ln prod x <= 0 reverses the column)",
                        "rescale the column (e.g. to values > 1) or use normalize='sum'"),
    }
    bad, what, fix = rules[name]()
    if name == "log" and n_rows < 2 and cost.any():
        raise DegenerateDataError("normalize='log' on a cost column needs at least 2 alternatives.")
    if np.any(bad):
        raise DegenerateDataError(
            f"normalize={name!r}: indicator(s) {format_keys(_cells_where(bad))} {what}; {fix}."
        )


def _cell_stats(x3, need_sq=False, need_inv=None, need_log=False):
    # the column statistics, with the finiteness of the data read off the column sums (one pass);
    # need_inv: the columns whose sums of 1 / c are taken (None: none)
    if need_inv is None:
        need_inv = np.zeros(x3.shape[2], dtype=np.bool_)
    stats = kn.cell_stats(x3, need_sq, need_inv, need_log)
    if not np.isfinite(stats[:, kn.ST_SUM]).all():
        check_finite(x3, "matrix")  # raises, naming the positions
        raise InputError("matrix values are too large: their column sums overflow float64.")
    return stats


def _stats(x3, is_cost, code, optimal=False):
    need_sq, need_inv, need_log = kn.stats_needs(code, is_cost)
    stats = _cell_stats(x3, need_sq, need_inv, need_log)
    e = None
    if optimal:  # ARAS: the optimal alternative joins the columns' statistics
        e = np.where(is_cost, stats[:, kn.ST_MIN], stats[:, kn.ST_MAX])
        stats[:, kn.ST_MIN] = np.minimum(stats[:, kn.ST_MIN], e)
        stats[:, kn.ST_MAX] = np.maximum(stats[:, kn.ST_MAX], e)
        stats[:, kn.ST_SUM] += e
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_sq:
                stats[:, kn.ST_SQ] += e * e
            if need_inv.any():
                stats[:, kn.ST_INV] += np.where(need_inv, 1.0 / e, 0.0)
            if need_log:
                stats[:, kn.ST_LOG] += np.log(np.maximum(e, 0.0))
    return stats, e


def normalization_coefficients(x3, is_cost, name: str, optimal=False):
    """Checked ``(a, b, g)`` of the normalization ``name`` on every cell of ``x3``: ``r = a g(c) + b``.

    ``x3`` float64 C-contiguous ``(n_cells, n, m)``. ``optimal=True`` adds ARAS's optimal
    alternative (column max, cost columns min) to every cell's statistics and returns it as a
    fourth item ``(n_cells, m)``. Raises :class:`DegenerateDataError` where the normalization is
    undefined (see the ``standardize`` option's help).
    """
    code = opt.code("standardize", name, name="normalize")
    n = x3.shape[1] + bool(optimal)
    stats, x0 = _stats(x3, is_cost, code, optimal)
    _domain(stats, is_cost, name, n)
    sd = np.ones((x3.shape[0], x3.shape[2]))
    if code == kn.ZSCORE:
        sd = np.sqrt(kn.cell_centered_sq(x3, stats[:, kn.ST_SUM] / n) / n)
    a, b, g = kn.linear_coefficients(stats, sd, is_cost, code, n)
    return (a, b, g, x0) if optimal else (a, b, g)


def _norm_name(method: str, normalize, default: str | None, allowed: tuple) -> str:
    if normalize is None:
        return default
    if not allowed:
        raise InputError(f"{method} normalizes internally: leave normalize=None.")
    return opt.check("standardize", normalize, name=f"normalize for {method}", allowed=allowed)


def _w2(weights, n_cells):
    # (n_cells, m) weights, a view when they already are (the kernels only read them)
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim == 1 and n_cells == 1:
        return np.ascontiguousarray(w).reshape(1, -1)
    return np.ascontiguousarray(np.broadcast_to(w, (n_cells, w.shape[-1])))


def _check_options(method: str, options: dict, defaults: dict) -> dict:
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        known = ", ".join(map(repr, defaults)) or "none"
        raise InputError(f"Unknown option(s) {format_keys(unknown)} for {method}: its options are {known}.")
    out = {**defaults, **options}
    if "lam" in out:
        lam = out["lam"]
        if not isinstance(lam, (int, float)) or not 0.0 <= float(lam) <= 1.0:
            raise InputError(f"waspas option lam must be a number in [0, 1]; got {lam!r}.")
        out["lam"] = float(lam)
    return out


def _finite(p, method: str, why: str):
    if not np.isfinite(p).all():
        raise DegenerateDataError(f"{method} gave non-finite scores: {why}.")
    return p


# --- the methods, batched over cells ---


def wsm_cells(x3, weights, is_cost, normalize=None, options=None):
    """WSM per cell: ``P_i = sum_j w_j r_ij`` (default ``normalize="sum"``)."""
    a, b, g = normalization_coefficients(x3, is_cost, _norm_name("wsm", normalize, "sum", _ALL))
    w = _w2(weights, x3.shape[0])
    return ka.linear_scores(x3, (w * a)[:, None], (w * b).sum(axis=1)[:, None], g)[:, 0]


def _power(x3, weights, is_cost, normalize, want_sum, method):
    a, b, g = normalization_coefficients(x3, is_cost, normalize)
    w = _w2(weights, x3.shape[0])
    p, n_bad = ka.power_scores(x3, a, b, g, w, want_sum)
    if n_bad:
        raise DegenerateDataError(
            f"{method} raises the normalized values to powers: normalize={normalize!r} gave {n_bad} value(s) "
            "<= 0 (minmax and max give 0 at a column's worst value). Use normalize='sum' or 'max_ratio' "
            "on positive data."
        )
    return p


def wpm_cells(x3, weights, is_cost, normalize=None, options=None):
    """WPM per cell: ``P_i = prod_j r_ij ** w_j`` (default ``normalize="sum"``; ``r > 0`` needed)."""
    name = _norm_name("wpm", normalize, "sum", _POSITIVE + ("minmax",))
    return np.exp(_power(x3, weights, is_cost, name, False, "wpm")[:, 1])


def waspas_cells(x3, weights, is_cost, normalize=None, options=None):
    """WASPAS per cell: ``lam * WSM + (1 - lam) * WPM`` (default ``normalize="max_ratio"``)."""
    lam = _check_options("waspas", dict(options or {}), {"lam": 0.5})["lam"]
    name = _norm_name("waspas", normalize, "max_ratio", _POSITIVE + ("minmax",))
    p = _power(x3, weights, is_cost, name, True, "waspas")
    return lam * p[:, 0] + (1.0 - lam) * np.exp(p[:, 1])


def _copras_terms(x3, is_cost):
    # x / sum x on every column, cost ones too: a = 1 / sum x from one pass of min / max / sum
    stats = _cell_stats(x3)
    if (stats[:, kn.ST_MIN] < 0).any() or (stats[:, kn.ST_MAX] <= 0).any():
        _domain(stats, np.zeros_like(is_cost), "sum", x3.shape[1])  # raises, naming the columns
    return 1.0 / stats[:, kn.ST_SUM], np.zeros(x3.shape[2], dtype=np.int64)


def copras_combine(P):
    """COPRAS ``Q_i = S+_i + sum_k S-_k / (S-_i sum_k 1 / S-_k)`` from ``P[:, 0] = S+``, ``P[:, 1] = S-``
    (cells without cost indicators: ``Q = S+``)."""
    return ka.copras_q(np.ascontiguousarray(P, dtype=np.float64))


def copras_cells(x3, weights, is_cost, normalize=None, options=None):
    """COPRAS relative significance ``Q`` per cell (sum normalization ``x / sum x`` on every column)."""
    _norm_name("copras", normalize, None, ())
    a, g = _copras_terms(x3, is_cost)
    wa = _w2(weights, x3.shape[0]) * a
    ca = np.stack([np.where(is_cost, 0.0, wa), np.where(is_cost, wa, 0.0)], axis=1)
    P = ka.linear_scores(x3, ca, np.zeros((x3.shape[0], 2)), g)
    if is_cost.any() and P[:, 1].min() <= 0:
        raise DegenerateDataError("copras: an alternative has a weighted cost sum S- of 0 (Q divides by it); "
                                  "give cost indicators positive values and weights.")
    return copras_combine(P)


def aras_cells(x3, weights, is_cost, normalize=None, options=None):
    """ARAS utility degree ``K_i = S_i / S_0`` per cell (``S_0``: the optimal alternative)."""
    name = _norm_name("aras", normalize, "sum", tuple(n for n in _ALL if n != "zscore"))
    a, b, g, x0 = normalization_coefficients(x3, is_cost, name, optimal=True)
    w = _w2(weights, x3.shape[0])
    s = ka.linear_scores(x3, (w * a)[:, None], (w * b).sum(axis=1)[:, None], g)[:, 0]
    s0 = ka.linear_scores(np.ascontiguousarray(x0[:, None]), (w * a)[:, None], (w * b).sum(axis=1)[:, None], g)
    return _finite(s / s0[:, 0], "aras", "the optimal alternative's score S_0 is 0")


def _moora_coefficients(x3, is_cost):
    # (+-1 / ||x_j||, identity transform) per cell and column, from one pass summing squares (the
    # vector normalization's only statistic; a NaN or infinite value makes its column's sum so)
    s2 = kn.cell_centered_sq(x3, np.zeros((x3.shape[0], x3.shape[2])))
    if not np.isfinite(s2).all():
        check_finite(x3, "matrix")  # raises, naming the positions
        raise InputError("matrix values are too large: their column sums of squares overflow float64.")
    if (s2 == 0).any():
        raise DegenerateDataError(
            f"normalize='vector': indicator(s) {format_keys(_cells_where(s2 == 0))} is all zeros (norm 0); drop it."
        )
    a = 1.0 / np.sqrt(s2)
    return np.where(is_cost, -a, a), np.zeros(x3.shape[2], dtype=np.int64)


def moora_cells(x3, weights, is_cost, normalize=None, options=None):
    """MOORA ratio system per cell: ``y_i = sum_benefit w_j x_ij / ||x_j|| - sum_cost w_j x_ij / ||x_j||``.

    Two passes over the matrix: the column sums of squares, then the weighted row sums with the
    normalization folded into the coefficients ``+-w_j / ||x_j||``.
    """
    _norm_name("moora", normalize, None, ())
    a, g = _moora_coefficients(x3, is_cost)
    w = _w2(weights, x3.shape[0])
    return ka.linear_scores(x3, (w * a)[:, None], np.zeros((x3.shape[0], 1)), g)[:, 0]


def _mabac_geo(x3, a, b, g):
    geo = np.exp(ka.log_shift_sums(x3, a, b, g) / x3.shape[1])
    return _finite(geo, "mabac", "a normalized value is below -1")


def mabac_cells(x3, weights, is_cost, normalize=None, options=None):
    """MABAC ``S_i = sum_j (v_ij - g_j)``, ``v = w (r + 1)``, ``g_j = (prod_i v_ij)^(1/n)``."""
    name = _norm_name("mabac", normalize, "minmax", _UNIT)
    a, b, g = normalization_coefficients(x3, is_cost, name)
    geo = _mabac_geo(x3, a, b, g)
    w = _w2(weights, x3.shape[0])
    return ka.linear_scores(x3, (w * a)[:, None], (w * (b + 1.0 - geo)).sum(axis=1)[:, None], g)[:, 0]


# --- linear terms: P[c, k, i] = sum_j T[c, k, i, j] w_j ---


def _normalized(x3, is_cost, name, optimal=False):
    a, b, g = normalization_coefficients(x3, is_cost, name, optimal)[:3]
    return kn.apply_linear(x3, a, b, g)


def _logs(r, method):
    if (r <= 0).any():
        raise DegenerateDataError(f"{method}: normalized values must be > 0 (their logarithms are summed).")
    return np.log(r)


def wsm_terms(x3, is_cost, normalize, options):
    """``T[:, 0] = r``."""
    return _normalized(x3, is_cost, _norm_name("wsm", normalize, "sum", _ALL))[:, None]


def wpm_terms(x3, is_cost, normalize, options):
    """``T[:, 0] = ln r`` (combine: ``exp``)."""
    name = _norm_name("wpm", normalize, "sum", _POSITIVE + ("minmax",))
    return _logs(_normalized(x3, is_cost, name), "wpm")[:, None]


def waspas_terms(x3, is_cost, normalize, options):
    """``T[:, 0] = lam r``, ``T[:, 1] = ln r + ln(1 - lam)`` (combine: ``P0 + exp(P1)``).

    Weights sum to 1, so ``sum_j w_j (ln r_ij + ln(1 - lam)) = ln((1 - lam) WPM_i)``. For
    ``lam = 1``, ``T[:, 1] = 0`` (combine adds the constant 1).
    """
    lam = _check_options("waspas", dict(options or {}), {"lam": 0.5})["lam"]
    name = _norm_name("waspas", normalize, "max_ratio", _POSITIVE + ("minmax",))
    r = _normalized(x3, is_cost, name)
    logs = _logs(r, "waspas") + np.log(1.0 - lam) if lam < 1.0 else np.zeros_like(r)
    return np.stack([lam * r, logs], axis=1)


def copras_terms(x3, is_cost, normalize, options):
    """``T[:, 0] = r`` on benefit columns, ``T[:, 1] = r`` on cost columns (``r = x / sum x``)."""
    _norm_name("copras", normalize, None, ())
    r = _normalized(x3, np.zeros_like(is_cost), "sum")
    return np.stack([r * ~is_cost, r * is_cost], axis=1)


def aras_terms(x3, is_cost, normalize, options):
    """``T[:, 0] = r`` (rows of the extended normalization): ``S_i``, proportional to ``K_i``."""
    name = _norm_name("aras", normalize, "sum", tuple(n for n in _ALL if n != "zscore"))
    return _normalized(x3, is_cost, name, optimal=True)[:, None]


def moora_terms(x3, is_cost, normalize, options):
    """``T[:, 0] = +-x / ||x||`` (minus on cost columns)."""
    _norm_name("moora", normalize, None, ())
    a, g = _moora_coefficients(x3, is_cost)
    return (x3 * a[:, None])[:, None]


def mabac_terms(x3, is_cost, normalize, options):
    """``T[:, 0] = r + 1 - geo`` (``geo``: the geometric mean of ``r + 1`` per column)."""
    name = _norm_name("mabac", normalize, "minmax", _UNIT)
    a, b, g = normalization_coefficients(x3, is_cost, name)
    geo = _mabac_geo(x3, a, b, g)
    return (kn.apply_linear(x3, a, b, g) + (1.0 - geo)[:, None])[:, None]


def _exp0(P):
    return np.exp(P[:, 0])


# --- array level ---


def _prepare(matrix, weights, is_cost):
    x = as_float_view(matrix, "matrix", ndim=2, what="a 2-D array (alternatives x indicators)")
    m = x.shape[1]
    return x.reshape(1, *x.shape), check_weights(weights, m), cost_mask(is_cost, m)


def _array(method, cells, matrix, weights, is_cost, normalize, full, options, defaults):
    x3, w, cost = _prepare(matrix, weights, is_cost)
    opts = _check_options(method, options, defaults)
    p = cells(x3, w, cost, normalize, opts)[0]
    if not full:
        return p
    return {"preference": p, **_intermediates(method, x3, w, cost, normalize, opts)}


def _intermediates(method, x3, w, cost, normalize, opts) -> dict:
    spec = {s.name: s for s in SPECS}[method]
    name = normalize if normalize is None else opt.check("standardize", normalize)
    out = {"normalize": name or spec.default_normalize}
    T = spec.linear_terms(x3, cost, normalize, opts)[0]
    if method in ("wsm", "aras"):
        out["normalized"] = T[0]
    if method == "mabac":
        nm = _normalized(x3, cost, name or "minmax")[0]
        out["normalized"] = nm
        out["weighted"] = w * (nm + 1.0)
        out["border"] = w * (nm[0] + 1.0 - T[0, 0])
        out["distances"] = out["weighted"] - out["border"]
    elif method in ("wpm", "waspas"):
        r = _normalized(x3, cost, name or spec.default_normalize)[0]
        out["normalized"] = r
        out["wsm"], out["wpm"] = r @ w, np.exp(np.log(r) @ w)
    elif method == "copras":
        out["normalized"] = T[0] + T[1]
        out["weighted"] = out["normalized"] * w
        out["s_plus"], out["s_minus"] = T[0] @ w, T[1] @ w
        q = copras_combine((T @ w)[None])[0]
        out["utility"] = q / q.max()
    elif method == "aras":
        a, b, g, x0 = normalization_coefficients(x3, cost, name or "sum", optimal=True)
        r0 = kn.apply_linear(np.ascontiguousarray(x0[:, None]), a, b, g)[0, 0]
        out["optimal"], out["optimal_normalized"] = x0[0], r0
        out["s"], out["s0"] = T[0] @ w, float(r0 @ w)
    elif method == "moora":
        out["normalized"] = np.abs(T[0])
        out["weighted"] = T[0] * w
    if method in ("wsm", "aras"):
        out["weighted"] = out["normalized"] * w
    return out


def wsm(matrix, weights, is_cost=None, *, normalize=None, full=False, **options):
    """Weighted sum model: ``P_i = sum_j w_j r_ij``.

    ``r`` is the normalization ``normalize`` (default ``"sum"``: ``x / sum x``, cost
    ``(1/x) / sum(1/x)``, as pymcdm 1.4.0). Source: Fishburn (1967), *Additive utilities with
    incomplete product sets*, Operations Research 15(3). ``full=True`` adds ``normalized``,
    ``weighted``. Larger is better.
    """
    return _array("wsm", wsm_cells, matrix, weights, is_cost, normalize, full, options, {})


def wpm(matrix, weights, is_cost=None, *, normalize=None, full=False, **options):
    """Weighted product model: ``P_i = prod_j r_ij ** w_j`` (computed as ``exp(sum_j w_j ln r_ij)``).

    Default ``normalize="sum"``. Every normalized value must be > 0: a zero (minmax and max give 0
    at each column's worst value, ``sum``/``max_ratio`` at a zero benefit value) raises
    :class:`DegenerateDataError` rather than zeroing the alternative. Source: Miller & Starr
    (1969), *Executive Decisions and Operations Research*; Triantaphyllou (2000), *Multi-criteria
    Decision Making Methods*, Springer.
    """
    return _array("wpm", wpm_cells, matrix, weights, is_cost, normalize, full, options, {})


def waspas(matrix, weights, is_cost=None, *, normalize=None, full=False, lam=0.5, **options):
    """WASPAS: ``Q_i = lam * sum_j w_j r_ij + (1 - lam) * prod_j r_ij ** w_j``.

    Default ``normalize="max_ratio"`` (``x / max``, cost ``min / x``) and ``lam = 0.5``, as
    Zavadskas, Turskis, Antucheviciene & Zakarevicius (2012), Elektronika ir Elektrotechnika
    122(6), 3-6. Normalized values must be > 0 (see :func:`wpm`).
    """
    return _array("waspas", waspas_cells, matrix, weights, is_cost, normalize, full,
                  {"lam": lam, **options}, {"lam": 0.5})


def copras(matrix, weights, is_cost=None, *, normalize=None, full=False, **options):
    """COPRAS relative significance ``Q_i = S+_i + sum_k S-_k / (S-_i sum_k (1 / S-_k))``.

    ``d_ij = w_j x_ij / sum_i x_ij`` on every column; ``S+`` sums ``d`` over benefit columns,
    ``S-`` over cost columns. The form is the paper's ``S-min sum S- / (S-_i sum S-min / S-_k)``
    with ``S-min`` cancelled (Zavadskas, Kaklauskas & Sarka 1994, Technological and Economic
    Development of Economy 1(3), 131-139). Without cost indicators ``Q = S+``. ``full=True`` adds
    the utility degree ``Q / max Q`` (pymcdm's and pyrepo-mcda's output). Values must be >= 0.
    """
    return _array("copras", copras_cells, matrix, weights, is_cost, normalize, full, options, {})


def aras(matrix, weights, is_cost=None, *, normalize=None, full=False, **options):
    """ARAS utility degree ``K_i = S_i / S_0``, ``S_i = sum_j w_j r_ij``.

    The optimal alternative ``x_0j`` = column max (benefit) / min (cost) joins the matrix before
    the normalization (default ``"sum"``, cost ``(1/x) / sum(1/x)``); Zavadskas & Turskis (2010),
    Technological and Economic Development of Economy 16(2), 159-172.
    """
    return _array("aras", aras_cells, matrix, weights, is_cost, normalize, full, options, {})


def moora(matrix, weights, is_cost=None, *, normalize=None, full=False, **options):
    """MOORA ratio system: ``y_i = sum_benefit w_j x_ij / ||x_j|| - sum_cost w_j x_ij / ||x_j||``.

    ``||x_j|| = sqrt(sum_i x_ij^2)`` (built in; ``normalize`` must be None). Brauers & Zavadskas
    (2006), Control and Cybernetics 35(2), 445-469.
    """
    return _array("moora", moora_cells, matrix, weights, is_cost, normalize, full, options, {})


def mabac(matrix, weights, is_cost=None, *, normalize=None, full=False, **options):
    """MABAC: ``S_i = sum_j (v_ij - g_j)``, ``v_ij = w_j (r_ij + 1)``, ``g_j = (prod_i v_ij)^(1/n)``.

    Default ``normalize="minmax"``; Pamucar & Cirovic (2015), Expert Systems with Applications
    42(6), 3016-3028. ``full=True`` adds ``normalized``, ``weighted``, ``border`` (g) and
    ``distances`` (v - g).
    """
    return _array("mabac", mabac_cells, matrix, weights, is_cost, normalize, full, options, {})


def _spec(name, title, array, cells, default, norms, terms, combine=None, options=None, source=""):
    return MethodSpec(name=name, title=title, array=array, cells=cells, higher_is_better=True,
                      default_normalize=default, normalizations=norms, options=options or {},
                      source=source, linear_terms=terms, combine=combine)


def waspas_combine(P):
    """``P[:, 0] + exp(P[:, 1])`` (see :func:`waspas_terms`)."""
    return P[:, 0] + np.exp(P[:, 1])


SPECS = (
    _spec("wsm", "WSM", wsm, wsm_cells, "sum", _ALL, wsm_terms, source="Fishburn (1967)"),
    _spec("wpm", "WPM", wpm, wpm_cells, "sum", _POSITIVE + ("minmax",), wpm_terms, _exp0,
          source="Miller & Starr (1969)"),
    _spec("waspas", "WASPAS", waspas, waspas_cells, "max_ratio", _POSITIVE + ("minmax",), waspas_terms,
          waspas_combine, {"lam": 0.5}, "Zavadskas et al. (2012)"),
    _spec("copras", "COPRAS", copras, copras_cells, None, (), copras_terms, copras_combine,
          source="Zavadskas, Kaklauskas & Sarka (1994)"),
    _spec("aras", "ARAS", aras, aras_cells, "sum", tuple(n for n in _ALL if n != "zscore"), aras_terms,
          source="Zavadskas & Turskis (2010)"),
    _spec("moora", "MOORA", moora, moora_cells, None, (), moora_terms, source="Brauers & Zavadskas (2006)"),
    _spec("mabac", "MABAC", mabac, mabac_cells, "minmax", _UNIT, mabac_terms,
          source="Pamucar & Cirovic (2015)"),
)
