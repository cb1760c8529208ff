"""VIKOR, EDAS, CODAS, MARCOS and CoCoSo for many weight rows at once (the Monte Carlo hooks).

``draws_state(x3, is_cost, normalize, options)`` computes what does not depend on the weights
(normalized matrices, distances from the average, the anti-ideal row), once per panel;
``draws_scores(state, cell, w, out)`` writes the preferences of cell ``cell`` for every weight row
of ``w`` ``(n_draws, n_indicators)`` into ``out`` ``(n_draws, n_alternatives)``, equal (up to
rounding) to the method's ``cells`` called row by row. The inputs are those ``cells`` has already
accepted (the registry entries in :mod:`fastinno.methods.compromise` carry these hooks in
:data:`HOOKS`); the scores run in the serial kernels of
:mod:`fastinno.kernels.compromise_draws`, which release the GIL.

The formulas rearranged so that the weights enter last: VIKOR's regret ``w_j d_ij`` with
``d_ij = (f*_j - f_ij) / (f*_j - f-_j)``; EDAS's ``SP = sum_j w_j PDA_ij``; CODAS's
``r_ij - min_k r_kj = w_j (n_ij - min_k n_kj)`` (``w >= 0``); MARCOS's ``S_i`` and the
anti-ideal's ``S_aai`` from normalized values; CoCoSo's ``r ** w = exp(w ln r)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _options as opt
from ..errors import DegenerateDataError
from ..kernels import compromise as kc
from ..kernels import compromise_draws as kd

__all__ = ["DrawsState", "HOOKS"]


@dataclass
class DrawsState:
    """Weight-independent matrices of one method, one per cell: ``first``, ``second``
    ``(n_cells, n_alternatives, n_indicators)`` (``second`` may be None), ``row``
    ``(n_cells, n_indicators)`` or None, and the method's scalar option ``value``."""

    method: str
    first: np.ndarray
    second: np.ndarray | None = None
    row: np.ndarray | None = None
    value: float = 0.0
    mode: int = 0


def _stats(x3, want_sums=False):
    mn, mx, s1, s2, _ = kc.column_stats(np.ascontiguousarray(x3, dtype=np.float64), want_sums)
    return mn[:, None, :], mx[:, None, :], s1[:, None, :], s2[:, None, :]


def _cost(is_cost, m):
    if is_cost is None:
        return np.zeros(m, dtype=np.bool_)
    c = np.asarray(is_cost)
    return c if c.dtype == np.bool_ else c < 0


def _out(out):
    if not (out.flags.c_contiguous and out.dtype == np.float64):
        raise ValueError("out must be a float64 C-contiguous (n_draws, n_alternatives) array")
    return out


def _weights(w):
    return np.ascontiguousarray(w, dtype=np.float64)


# --- VIKOR ---


def vikor_state(x3, is_cost, normalize, options):
    """Normalized regrets ``d_ij = (f*_j - f_ij) / (f*_j - f-_j)`` (0 on a constant indicator)."""
    mn, mx, _, _ = _stats(x3)
    cost = _cost(is_cost, x3.shape[2])
    span = mx - mn
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(cost, x3 - mn, mx - x3) / span
    d = np.ascontiguousarray(np.where(span > 0, d, 0.0))
    mode = opt.check("constant_q", options.get("constant_q", "zero"))
    return DrawsState("vikor", d, value=float(options.get("v", 0.5)),
                      mode={"zero": 0, "nan": 1, "error": 2}[mode])


def vikor_scores(state, cell, w, out):
    """VIKOR Q of cell ``cell`` for every weight row (see :func:`fastinno.methods.compromise.vikor`)."""
    kd.vikor_draws(state.first[cell], _weights(w), state.value, kd.Q_ZERO if state.mode == 0 else kd.Q_NAN,
                   _out(out))
    if state.mode == 2 and np.isnan(out).any():
        raise DegenerateDataError(
            "VIKOR: S or R is the same for every alternative, so Q divides 0 by 0. Pass "
            "constant_q='zero' (the constant measure adds 0) or drop the tied alternatives."
        )
    return out


# --- EDAS ---


def edas_state(x3, is_cost, normalize, options):
    """Positive and negative distances from the average, ``PDA``, ``NDA`` (0 on a constant indicator)."""
    mn, mx, s1, _ = _stats(x3, want_sums=True)
    av = s1 / x3.shape[1]
    cost = _cost(is_cost, x3.shape[2])
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(cost, av - x3, x3 - av) / av
    d = np.where(mx > mn, d, 0.0)
    return DrawsState("edas", np.ascontiguousarray(np.maximum(d, 0.0)), np.ascontiguousarray(np.maximum(-d, 0.0)))


def edas_scores(state, cell, w, out):
    """EDAS appraisal score of cell ``cell`` for every weight row (see :func:`fastinno.methods.compromise.edas`)."""
    kd.edas_draws(state.first[cell], state.second[cell], _weights(w), _out(out))
    return out


# --- CODAS ---


def codas_state(x3, is_cost, normalize, options):
    """Normalized values minus their column minimum, ``a``, and ``a * a`` (0 on a constant indicator).

    The normalizations are those of :func:`fastinno.kernels.compromise.codas_distances`: max-ratio
    (benefit ``x / max``, cost ``min / x``), min-max, and vector (``x / ||x||``, a cost indicator
    negated).
    """
    method = "max_ratio" if normalize is None else opt.check("standardize", normalize)
    mn, mx, _, s2 = _stats(x3, want_sums=method == "vector")
    cost = _cost(is_cost, x3.shape[2])
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "max_ratio":
            a = np.where(cost, mn / x3 - mn / mx, x3 / mx - mn / mx)
        elif method == "minmax":
            a = np.where(cost, mx - x3, x3 - mn) / (mx - mn)
        else:
            a = np.where(cost, mx - x3, x3 - mn) / np.sqrt(s2)
    a = np.ascontiguousarray(np.where(mx > mn, a, 0.0))
    return DrawsState("codas", a, np.ascontiguousarray(a * a), value=float(options.get("tau", 0.02)))


def codas_scores(state, cell, w, out):
    """CODAS assessment score of cell ``cell`` for every weight row (see :func:`fastinno.methods.compromise.codas`)."""
    kd.codas_draws(state.first[cell], state.second[cell], _weights(w), state.value, _out(out))
    return out


# --- MARCOS ---


def marcos_state(x3, is_cost, normalize, options):
    """Values normalized against the ideal (benefit ``x / max``, cost ``min / x``, 1 on a constant
    indicator) and the anti-ideal row normalized likewise (``min / max``)."""
    mn, mx, _, _ = _stats(x3)
    cost = _cost(is_cost, x3.shape[2])
    const = mx == mn
    with np.errstate(divide="ignore", invalid="ignore"):
        nm = np.where(const, 1.0, np.where(cost, mn / x3, x3 / mx))
        anti = np.where(const, 1.0, mn / mx)[:, 0, :]
    return DrawsState("marcos", np.ascontiguousarray(nm), row=np.ascontiguousarray(anti))


def marcos_scores(state, cell, w, out):
    """MARCOS utility of cell ``cell`` for every weight row (see :func:`fastinno.methods.compromise.marcos`)."""
    kd.marcos_draws(state.first[cell], state.row[cell], _weights(w), _out(out))
    if not np.isfinite(out).all():
        raise DegenerateDataError(
            "MARCOS: the utility degree is 0/0 or x/0 because the anti-ideal row, or an alternative, "
            "sums to 0 (zero on every weighted benefit indicator). Shift the indicators to positive values."
        )
    return out


# --- CoCoSo ---


def cocoso_state(x3, is_cost, normalize, options):
    """Normalized values ``r`` (min-max, the paper's, or max-ratio; 1 on a constant indicator) and ``ln r``."""
    method = "minmax" if normalize is None else opt.check("standardize", normalize)
    mn, mx, _, _ = _stats(x3)
    cost = _cost(is_cost, x3.shape[2])
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "minmax":
            r = np.where(cost, mx - x3, x3 - mn) / (mx - mn)
        else:
            r = np.where(cost, mn / x3, x3 / mx)
        r = np.ascontiguousarray(np.where(mx > mn, r, 1.0))
        log_r = np.ascontiguousarray(np.log(r))
    return DrawsState("cocoso", r, log_r, value=float(options.get("lam", 0.5)))


def cocoso_scores(state, cell, w, out):
    """CoCoSo score of cell ``cell`` for every weight row (see :func:`fastinno.methods.compromise.cocoso`)."""
    kd.cocoso_draws(state.first[cell], state.second[cell], _weights(w), state.value, _out(out))
    if not np.isfinite(out).all():
        raise DegenerateDataError(
            "CoCoSo: k_b divides by min S and min P, which are 0 because an alternative has the worst "
            "value of every weighted indicator (dominated by all). Drop it or use normalize='max_ratio'."
        )
    return out


#: The registry hooks of each method: ``MethodSpec(..., **HOOKS[name])``.
HOOKS = {
    "vikor": {"draws_state": vikor_state, "draws_scores": vikor_scores},
    "edas": {"draws_state": edas_state, "draws_scores": edas_scores},
    "codas": {"draws_state": codas_state, "draws_scores": codas_scores},
    "marcos": {"draws_state": marcos_state, "draws_scores": marcos_scores},
    "cocoso": {"draws_state": cocoso_state, "draws_scores": cocoso_scores},
}
