"""Every registered ranking method as a Monte Carlo model: ``simulate(model="vikor")``.

A method whose preference is linear in the weights after a fixed, weight-independent transform
of the data (its :attr:`~fastinno.methods.spec.MethodSpec.linear_terms`) becomes GEMM operands:
``P[k] = T[k] @ w`` per year, then its ``combine`` (WSM, MOORA, MABAC, ARAS, PROMETHEE II's
net flow straight into the engine's block products; WPM in logs, WASPAS and COPRAS through their
combination; PROMETHEE II's net flow and SPOTIS's distance from their unit-weight terms). The
others evaluate a block of weight rows at once through their ``draws_state`` / ``draws_scores``
hooks (VIKOR, EDAS, CODAS, MARCOS, CoCoSo), or, for a method without them, draw by draw with its
batched kernel. Either way the index the engine ranks is the method's preference turned so that
larger is better (VIKOR's Q and SPOTIS's distance are negated).

Periods are years: each year's regions are one cell, as ``fastinno.evaluate(by="year")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import DegenerateDataError, InputError
from ..kernels import ranking as krk
from ..methods import registry
from ..validate import constant_indicators_error
from .models import Model, base_weights, check_model_options, panel_parts, register
from .workspace import dot_rows

__all__ = ["MethodModel", "prepare_method", "method_defaults", "PLUGIN_METHODS"]

#: Registered methods the engine already runs as built-in models (their own operands).
BUILT_IN = ("topsis", "gra", "hew_topsis")


def method_defaults(name: str) -> dict:
    """Model options of method ``name``: ``normalize`` (its paper's default), its own options,
    ``weights`` (None = the system's hierarchical equal weights) and ``constant``."""
    spec = registry.method(name)
    return {"normalize": spec.default_normalize, **dict(spec.options), "weights": None, "constant": "error"}


def _year_cells(cube: np.ndarray) -> np.ndarray:
    """(regions, years, indicators) -> (years, regions, indicators), C-contiguous: one cell per year."""
    return np.ascontiguousarray(np.transpose(cube, (1, 0, 2)))


def _check_constant(panel, x3: np.ndarray, name: str) -> None:
    const = x3.max(axis=1) == x3.min(axis=1)  # (years, indicators)
    if const.any():
        names = [panel.indicators[j] for j in np.flatnonzero(const.any(axis=0))]
        cells = [(panel.indicators[j], panel.years[y]) for y, j in np.argwhere(const)]
        raise constant_indicators_error(
            names, cells, "year", f"the {name} preference is undefined or ignores them",
            "model_options={'constant': 'drop'} (removes them)",
        )


@dataclass
class MethodModel:
    """Weight-independent state of a registered method (shipped to Dask workers with the context)."""

    name: str
    x3: np.ndarray  # (years, regions, indicators) raw values
    is_cost: np.ndarray
    normalize: str | None
    options: dict
    sign: float  # +1 larger-is-better, -1 otherwise
    terms: np.ndarray | None  # (years, k, indicators, regions) operands of P = w @ T, or None
    lo: np.ndarray  # (years, regions) a-priori index range
    hi: np.ndarray
    state: object = None  # the method's draws_state, when it evaluates many weight rows at once

    def _spec(self):
        return registry.method(self.name)

    def index(self, w: np.ndarray, y: int, out: np.ndarray | None = None) -> np.ndarray:
        """The index (sign x preference) of every region in year ``y`` for each weight row."""
        n_draws, n_regions = w.shape[0], self.x3.shape[1]
        if out is None:
            out = np.empty((n_draws, n_regions))
        spec = self._spec()
        if self.terms is not None:
            k = self.terms.shape[1]
            p = np.empty((1, k, n_draws, n_regions))
            for j in range(k):
                dot_rows(w, self.terms[y, j], p[0, j])
            if spec.combine is None:
                out[:] = p[0, 0]
            else:
                # combine works per cell on (cells, k, alternatives): each draw is a cell here
                out[:] = spec.combine(np.ascontiguousarray(np.transpose(p[0], (1, 0, 2))))
        elif self.state is not None:
            spec.draws_scores(self.state, y, np.ascontiguousarray(w), out)
        else:
            cell = self.x3[y:y + 1]
            for d in range(n_draws):
                out[d] = spec.cells(cell, w[d], self.is_cost, self.normalize, self.options)[0]
        if self.sign < 0:
            np.negative(out, out=out)
        return out

    def producer(self, w: np.ndarray):
        """The engine's hook: ``produce(y, s, e, buf1, buf2)`` writes draws s..e of year y into ``buf1``."""
        w = np.ascontiguousarray(w)

        def produce(y, s, e, buf1, buf2):
            g = self.index(w[s:e], y, out=buf1)
            lo, hi = self.lo[y], self.hi[y]
            if (g < lo).any() or (g > hi).any():
                raise DegenerateDataError(
                    f"model {self.name!r}: a weight draw moved a preference outside the range the engine "
                    "reserved for it (three times the spread of the year's preferences over probe weights). Rescale the "
                    "indicators or use normalize='minmax'."
                )
            return g, g, krk.LINEAR

        return produce

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """A-priori index range of every (year, region)."""
        return self.lo, self.hi

    def check_sampler(self, sampler) -> None:  # noqa: ARG002 - any weights on the simplex are valid
        return None


def _bounds(model: MethodModel, support: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The index range of each year at the base weights, at the simplex vertices of the support and
    half-way to them, widened by the spread on each side: the histogram range of every region of
    the year (a safety margin for methods that are not linear in the weights; a draw outside it
    is an error, never a clipped value)."""
    n_years = model.x3.shape[0]
    m = model.x3.shape[2]
    vertices = np.eye(m)[support]
    # a vertex with a single weight can make a ratio method's denominator vanish: mix it with the base
    probes = np.vstack([base[None, :], 0.5 * vertices + 0.5 * base[None, :], vertices])
    lo = np.empty((n_years, model.x3.shape[1]))
    hi = np.empty_like(lo)
    for y in range(n_years):
        g = np.full((probes.shape[0], model.x3.shape[1]), np.nan)
        for i in range(probes.shape[0]):
            try:
                with np.errstate(all="ignore"):
                    g[i] = model.index(probes[i:i + 1], y)[0]
            except DegenerateDataError:
                if i == 0:  # undefined at the base weights: the method's own message
                    raise
        g = np.where(np.isfinite(g), g, np.nan)
        if np.isnan(g[0]).any():
            raise DegenerateDataError(
                f"model {model.name!r} is undefined at the base weights in year {y}: check the panel's values."
            )
        # one range per year: a nonlinear preference of one region need not stay within its own
        # probes' range, but it stays within the spread the year's regions span
        a, b = np.nanmin(g), np.nanmax(g)
        span = max(b - a, max(abs(a), abs(b)) * 1e-9 + 1e-12)
        lo[y], hi[y] = a - span, b + span
    return lo, hi


def _terms(spec, x3, is_cost, normalize, own) -> np.ndarray | None:
    """GEMM operands ``(years, k, indicators, regions)`` of a method linear in the weights, or None."""
    if spec.linear_terms is not None:
        t = spec.linear_terms(x3, is_cost, normalize, own)  # (years, k, regions, indicators)
        return np.ascontiguousarray(np.transpose(t, (0, 1, 3, 2)))
    if spec.linear_in_weights:
        m = x3.shape[2]
        t = np.empty((x3.shape[0], 1, m, x3.shape[1]))
        for j in range(m):  # the preference at the unit weight vector e_j is the j-th term
            t[:, 0, j] = spec.cells(x3, np.eye(m)[j], is_cost, normalize, own)
        return t
    return None


def prepare_method(name: str):
    """The plug-in ``prepare(panel, options) -> (Model, base weights)`` of method ``name``."""

    def prepare(panel, options: Mapping | None):
        spec = registry.method(name)
        opts = method_defaults(name)
        options = dict(options or {})
        check_model_options(name, options, list(opts))
        opts.update(options)
        if opts["constant"] not in ("error",):
            raise InputError(
                f"model {name!r} takes constant='error' or 'drop' (drop removes constant indicators first); "
                f"got {opts['constant']!r}."
            )
        cube, is_cost = panel_parts(panel)
        x3 = _year_cells(cube)
        _check_constant(panel, x3, name)
        own = {k: opts[k] for k in spec.options}
        normalize = opts["normalize"]
        # one evaluation at equal weights checks the data and the options (clear errors up front)
        m = x3.shape[2]
        spec.cells(x3, np.full(m, 1.0 / m), is_cost, normalize, own)
        terms = _terms(spec, x3, is_cost, normalize, own)
        sign = 1.0 if spec.higher_is_better else -1.0
        base = base_weights(panel, opts["weights"], x3, raw=True)
        if not isinstance(opts["weights"], (str, type(None), Mapping)):
            opts["weights"] = "array"
        if terms is not None and terms.shape[1] == 1 and spec.combine is None:
            # exactly linear: the engine's own GEMM path and exact a-priori bounds
            return Model(name, krk.LINEAR, np.ascontiguousarray(sign * terms[:, 0]), None, opts), base
        state = (spec.draws_state(x3, is_cost, normalize, own)
                 if terms is None and spec.draws_state is not None else None)
        model = MethodModel(name, x3, is_cost, normalize, own, sign, terms,
                            np.zeros((x3.shape[0], x3.shape[1])), np.zeros((x3.shape[0], x3.shape[1])), state)
        support = np.arange(m)
        model.lo, model.hi = _bounds(model, support, base)
        # at1 fixes the shape (years, indicators, regions) for the engine
        at1 = np.zeros((x3.shape[0], m, x3.shape[1])) if terms is None else terms[:, 0]
        return Model(name, krk.LINEAR, at1, None, opts, custom=model), base

    return prepare


#: Registered methods that run through this plug-in.
PLUGIN_METHODS = tuple(n for n in registry.METHODS if n not in BUILT_IN)


def _register_all() -> None:
    for name in PLUGIN_METHODS:
        register(name, prepare_method(name), method_defaults(name))


_register_all()

