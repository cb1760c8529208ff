"""Model preparation for the robustness engine: everything that does not depend on the weights.

A model is reduced to GEMM operands (:class:`Model`): the index of every region in every draw is
``f(W2 @ at1, W2 @ at2)`` (the ideal-solution forms, ``W2`` the squared weights) or ``W @ at1``
(linear models). Models that evaluate themselves (the combined evaluation) are plug-ins: they
:func:`register` a prepare function in :data:`REGISTRY` and answer through ``Model.custom``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _options as opt
from ..errors import DegenerateDataError, FastinnoWarning, InputError, format_keys
from ..kernels import distance as kd
from ..kernels import normalize as kn
from ..kernels import ranking as krk
from ..kernels import relational as kgr
from ..kernels import weights as kw
from ..methods.ideal_solution import check_max_ratio
from ..validate import check_choice, constant_indicators_error, indicator_weights
from .workspace import dot_rows

__all__ = [
    "MODELS",
    "DEFAULT_OPTIONS",
    "REGISTRY",
    "Model",
    "PlugIn",
    "register",
    "check_model",
    "check_int",
    "panel_parts",
    "standardized",
    "model_defaults",
    "canonical_options",
    "prepare_model",
    "drop_constant",
    "base_weights",
    "index_of",
    "hist_bounds",
]

MODELS = ("hew-topsis", "topsis", "gra", "weighted-sum", "combined")

#: Options of the built-in models and their defaults (plug-ins declare theirs in :data:`REGISTRY`).
DEFAULT_OPTIONS = {
    "hew-topsis": {"scope": "panel", "standardize": "max_ratio", "form": "ratio2", "constant": "error"},
    "topsis": {"scope": "year", "standardize": "minmax", "form": "closeness", "constant": "error"},
    "gra": {"scope": "year", "standardize": "minmax", "rho": 0.5, "constant": "error"},
    "weighted-sum": {"scope": "year", "standardize": "minmax", "constant": "error"},
}


@dataclass
class Model:
    """Weight-independent model state: index = f(W2 @ at1, W2 @ at2) or W @ at1."""

    name: str
    form: int  # ranking.RATIO2 / CLOSENESS / LINEAR
    at1: np.ndarray  # (n_years, n_indicators, n_regions)
    at2: np.ndarray | None
    options: dict
    #: A model with its own evaluation (``model="combined"``): ``custom.index(w, y)`` gives the
    #: (draws, regions) index of weight rows ``w`` in year ``y``, ``custom.producer(w)`` a
    #: producer for :func:`fastinno.robustness.blocks.fold`, ``custom.bounds()`` the a-priori
    #: range, ``custom.check_sampler(sampler)`` its checks of the draws; ``at1`` then only fixes
    #: the shape (years, indicators, regions).
    custom: Any = None


@dataclass(frozen=True)
class PlugIn:
    """A model with its own evaluation: ``prepare(panel, options) -> (Model, base weights)``.

    ``defaults`` are its model options and their defaults; its periods are years.
    """

    prepare: Callable[[Any, Mapping | None], tuple[Model, np.ndarray]]
    defaults: Mapping[str, Any]


#: Plug-in models by name (the combined evaluation registers itself on import).
REGISTRY: dict[str, PlugIn] = {}


def register(name: str, prepare: Callable, defaults: Mapping[str, Any]) -> None:
    """Register a plug-in model ``name`` (one of :data:`MODELS`)."""
    REGISTRY[opt.check("model", name)] = PlugIn(prepare, defaults)


def check_model(model: object) -> str:
    """The name of ``model`` as in :data:`MODELS` (``"hew_topsis"`` is ``"hew-topsis"``)."""
    return opt.check("model", model, allowed=tuple(dict.fromkeys((*MODELS, *REGISTRY))))


def check_int(name, v, lo):
    """``v`` as an int, or an :class:`InputError` when it is not an integer >= ``lo``."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < lo:
        raise InputError(f"{name} must be an integer >= {lo}; got {v!r}.")
    return int(v)


def panel_parts(panel: Any):
    """The panel's cube (float64, complete) and cost flags, or an :class:`InputError`."""
    from ..data.panel import Panel

    if not isinstance(panel, Panel):
        raise InputError(
            f"panel must be a fastinno Panel (read_panel(...) or Panel.from_array(...)); got "
            f"{type(panel).__name__}."
        )
    cube = np.ascontiguousarray(panel.cube, dtype=np.float64)
    if not np.isfinite(cube).all():
        bad = [(panel.regions[r], panel.years[y], panel.indicators[j]) for r, y, j in np.argwhere(~np.isfinite(cube))]
        raise InputError(
            f"panel has {len(bad)} missing value(s) at {format_keys(bad)}: load it with "
            "missing='interpolate' or 'drop-region' first."
        )
    return cube, np.ascontiguousarray(panel.is_cost, dtype=np.bool_)


def standardized(cube, is_cost, panel, standardize, scope, constant):
    """The standardized cube and the scope code (constant cells checked as ``constant`` says)."""
    standardize = opt.check("standardize", standardize, allowed=opt.CUBE_STANDARDIZATIONS)
    method = opt.code("standardize", standardize)
    sc = opt.code("scope", scope)
    opt.check("constant", constant, allowed=("error", "zero"))
    if method == kn.MAX_RATIO:
        check_max_ratio(cube, is_cost, panel)  # the ideal-solution model's own rule
    const = np.asarray(kn.constant_cells(cube, sc))
    if constant == "error" and const.any():
        scope_name = {kn.SCOPE_PANEL: "panel", kn.SCOPE_REGION: "region", kn.SCOPE_YEAR: "year"}[sc]
        labels = {"panel": lambda k: "the whole panel", "region": lambda k: panel.regions[k],
                  "year": lambda k: panel.years[k]}[scope_name]
        found = np.argwhere(const)
        names = [panel.indicators[j] for j in np.flatnonzero(const.any(axis=0))]
        cells = [(panel.indicators[j], labels(int(k))) for k, j in found]
        raise constant_indicators_error(
            names, cells, scope_name, "the standardization divides by max - min = 0",
            "model_options={'constant': 'drop'} (removes them) or {'constant': 'zero'}, or use another scope",
        )
    return np.ascontiguousarray(kn.standardize_cube(cube, is_cost, method, sc)), sc


def _transpose_cube(a):
    # (R, Y, J) -> (Y, J, R), C-contiguous: each year's GEMM operand
    return np.ascontiguousarray(np.transpose(a, (1, 2, 0)))


def model_defaults(model: str) -> dict:
    """Options of ``model`` and their defaults (a plug-in's come from its registration)."""
    if model in REGISTRY:
        return dict(REGISTRY[model].defaults)
    return dict(DEFAULT_OPTIONS[model])


def check_model_options(model: str, options, allowed) -> None:
    """Raise :class:`InputError` naming the ``model_options`` keys that ``model`` does not take."""
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise InputError(
            f"Unknown model_options {format_keys(unknown)} for model {model!r}: allowed are "
            f"{', '.join(repr(k) for k in allowed)}."
        )


def canonical_options(opts: dict) -> dict:
    """String options in their canonical spelling (``"max-ratio"`` -> ``"max_ratio"``)."""
    for key in ("standardize", "scope", "form", "constant"):
        if key in opts:
            allowed = opt.CUBE_STANDARDIZATIONS if key == "standardize" else None
            opts[key] = opt.check(key, opts[key], allowed=allowed)
    return opts


def prepare_model(panel, model: str, options: Mapping | None) -> tuple[Model, np.ndarray]:
    """Standardized operands of the model and the model's base weights."""
    model = check_model(model)
    if model in REGISTRY:
        return REGISTRY[model].prepare(panel, options)
    opts = dict(DEFAULT_OPTIONS[model])
    options = dict(options or {})
    weights = options.pop("weights", None)
    check_model_options(model, options, [*opts, "weights"])
    opts.update(options)
    cube, is_cost = panel_parts(panel)
    x, sc = standardized(cube, is_cost, panel, opts["standardize"], opts["scope"], opts["constant"])
    canonical_options(opts)
    if model in ("hew-topsis", "topsis"):
        form = opt.code("form", opts["form"])
        a_pos, a_neg = kn.squared_deviations(x, sc)
        m = Model(model, form, _transpose_cube(a_pos), _transpose_cube(a_neg), opts)
    elif model == "weighted-sum":
        m = Model(model, krk.LINEAR, _transpose_cube(x), None, opts)
    else:  # gra: coefficients per scope cell (the year cross-section by default)
        rho = float(opts["rho"])
        if not 0.0 < rho <= 1.0:
            raise InputError(f"gra distinguishing coefficient rho must be in (0, 1]; got {rho}.")
        if sc != kn.SCOPE_YEAR:
            raise InputError("model 'gra' compares regions within a year: use scope='year'.")
        xi = np.empty_like(x)
        for y in range(x.shape[1]):
            xi[:, y, :] = kgr.grey_relational_coefficients(np.ascontiguousarray(x[:, y, :]), rho)
        m = Model(model, krk.LINEAR, _transpose_cube(xi), None, opts)
    base = base_weights(panel, weights, x)
    return m, base


def drop_constant(panel, model, model_options, given=None, choices=None):
    """``constant="drop"``: the panel without the indicators constant in some scope cell.

    As in :func:`fastinno.hew_topsis`: every indicator whose raw values are constant within a cell
    of the model's scope (of any scope a method-choice run uses) is removed, base weights given as
    an array or mapping are renormalised over the rest, and a :class:`FastinnoWarning` says what
    was dropped. Returns ``(panel, model_options, given)`` with ``constant="error"``.
    """
    options = dict(model_options or {})
    if options.get("constant") != "drop":
        return panel, model_options, given
    from ..data.panel import Panel

    options["constant"] = "error"
    models = list((choices or {}).get("model", [model]))
    scopes = set((choices or {}).get("scope", []))
    if models == ["combined"]:
        return panel, model_options, given  # the combined evaluation drops per year, as combined_evaluation
    for m in models:
        m = check_model(m)
        # a plug-in model's periods are years
        scopes.add("year" if m in REGISTRY else options.get("scope", DEFAULT_OPTIONS[m]["scope"]))
    cube, _ = panel_parts(panel)
    const = np.zeros(cube.shape[2], dtype=bool)
    for sc in sorted(scopes):
        const |= np.asarray(kn.constant_cells(cube, opt.code("scope", sc))).any(axis=0)
    if not const.any():
        return panel, options, given
    keep = np.flatnonzero(~const)
    dropped = [panel.indicators[j] for j in np.flatnonzero(const)]
    if keep.size == 0:
        raise DegenerateDataError(
            f"Every indicator is constant within some scope cell (scope {format_keys(sorted(scopes))}): "
            "constant='drop' leaves nothing to evaluate. Use constant='zero' or another scope."
        )
    names = [panel.indicators[j] for j in keep]
    w = options.get("weights")
    if isinstance(w, Mapping):
        kept = {k: float(v) for k, v in w.items() if k not in dropped}
        total = sum(kept.values())
        if total <= 0:
            raise InputError("After dropping constant indicators every remaining weight is 0.")
        options["weights"] = {k: v / total for k, v in kept.items()}
    elif w is not None and not isinstance(w, str):
        arr = np.asarray(w, dtype=np.float64)
        if arr.shape == (cube.shape[2],):
            if arr[keep].sum() <= 0:
                raise InputError("After dropping constant indicators every remaining weight is 0.")
            options["weights"] = arr[keep] / arr[keep].sum()
    if given is not None:
        g = np.asarray(given, dtype=np.float64)
        if g.ndim == 2 and g.shape[1] == cube.shape[2]:
            g = g[:, keep]
            sums = g.sum(axis=1, keepdims=True)
            if (sums <= 0).any():
                raise InputError("After dropping constant indicators some given weight rows are all 0.")
            given = g / sums
    warnings.warn(
        f"constant='drop': dropped constant indicator(s) {format_keys(dropped)}; weights renormalised "
        f"over the remaining {keep.size}.", FastinnoWarning, stacklevel=3,
    )
    reduced = Panel.from_array(np.ascontiguousarray(cube[:, :, keep]), panel.system.subset(names),
                               regions=panel.regions, years=panel.years)
    return reduced, options, given


def base_weights(panel, weights, x, *, raw: bool = False) -> np.ndarray:
    """The base weights named by ``weights`` (None, a weighting name, an array or a mapping).

    ``"equal-hierarchical"`` / ``"hierarchical"`` (and None) are the system's hierarchical equal
    weights. ``"entropy"`` and ``"max_deviation"`` read the model's standardized panel ``x``
    (pooled over regions and years), unless ``raw``; every other registered weighting
    (:data:`fastinno.methods.registry.WEIGHTINGS`: ``"critic"``, ``"std"``, ``"cv"``, ``"merec"``,
    ``"gini"`` ...) reads the pooled raw panel with its own normalization, as its array function.
    """
    n = panel.system.n_indicators
    if weights is None or (isinstance(weights, str) and weights in ("equal-hierarchical", "hierarchical")):
        return np.ascontiguousarray(panel.system.base_weights(), dtype=np.float64)
    if isinstance(weights, str):
        from ..methods import registry

        names = ("equal-hierarchical", "equal", *(k for k in registry.WEIGHTINGS if k != "equal"))
        weights = check_choice("weights", weights, names)
        if weights == "equal":
            return np.full(n, 1.0 / n)
        if weights in ("entropy", "max_deviation") and not raw:
            flat = np.ascontiguousarray(x.reshape(-1, n))
            if weights == "entropy":
                if (flat < 0).any():
                    raise DegenerateDataError(
                        "entropy weights need non-negative standardized values; use standardize="
                        "'minmax' or 'max_ratio'."
                    )
                return np.asarray(kw.entropy_weights(flat))
            return np.asarray(kw.max_deviation_weights(flat))
        spec = registry.weighting(weights)
        if spec.needs:
            raise InputError(
                f"weights={weights!r} needs {spec.needs} input: compute the weights first "
                f"(fastinno.array.{weights}_weights) and pass them as an array or mapping."
            )
        cube, is_cost = panel_parts(panel)
        return np.ascontiguousarray(spec.array(np.ascontiguousarray(cube.reshape(-1, n)), is_cost), dtype=np.float64)
    return indicator_weights(weights, panel.indicators)


def index_of(model: Model, w: np.ndarray, y: int) -> np.ndarray:
    """Index of every region in year ``y`` for each weight row: (n_draws, n_regions)."""
    if model.custom is not None:
        return model.custom.index(w, y)
    if model.form == krk.LINEAR:
        return dot_rows(w, model.at1[y], np.empty((w.shape[0], model.at1.shape[2])))
    w2 = w * w
    g1 = dot_rows(w2, model.at1[y], np.empty((w.shape[0], model.at1.shape[2])))
    g2 = dot_rows(w2, model.at2[y], np.empty((w.shape[0], model.at2.shape[2])))
    return kd.index_from_squared(g1, g2, model.form)


def hist_bounds(model: Model, support: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A-priori [lo, hi] of each (year, region) index over all weights supported on ``support``.

    LINEAR: sum_j w_j a_j lies between min_j and max_j of a_j. RATIO2: d_neg^2 / (d_pos^2 +
    d_neg^2) = sum v_j n_j / sum v_j (p_j + n_j) (v = w^2) is a mediant of t_j = n_j / (p_j + n_j);
    CLOSENESS is an increasing function of it, 1 / (1 + sqrt(1 / F - 1)).
    """
    if model.custom is not None:
        return model.custom.bounds()
    a1 = model.at1[:, support, :]
    if model.form == krk.LINEAR:
        return a1.min(axis=1), a1.max(axis=1)
    a2 = model.at2[:, support, :]
    den = a1 + a2
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(den > 0, a2 / np.where(den > 0, den, 1.0), np.nan)
    all_nan = np.isnan(t).all(axis=1)
    t = np.where(np.isnan(t).all(axis=1, keepdims=True), 0.0, t)
    lo = np.nanmin(t, axis=1)
    hi = np.nanmax(t, axis=1)
    lo[all_nan] = 0.0
    hi[all_nan] = 0.0
    if model.form == krk.CLOSENESS:
        def h(f):
            with np.errstate(divide="ignore", invalid="ignore"):
                out = 1.0 / (1.0 + np.sqrt(np.maximum(1.0 / f - 1.0, 0.0)))
            return np.where(f > 0, out, 0.0)

        lo, hi = h(lo), h(hi)
    return lo, hi
