"""``fi.evaluate``: one registered ranking method on a panel, cell by cell.

The method, the weighting and the normalization are read from the registry
(:mod:`fastinno.methods.registry`), so every registered entry works here with no change to this
module. :func:`fastinno.compare_methods` runs the same steps for many configurations.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from .. import _options as opt
from .. import validate as V
from .._threads import single_threaded_blas
from ..errors import DegenerateDataError, InputError, format_keys
from . import mcda
from . import registry as reg
from .comparison_results import EvaluationResult
from .spec import MethodSpec

__all__ = ["evaluate", "resolve_method", "resolve_normalize", "panel_cells", "cell_weights",
           "method_scores", "best_first_ranks", "average_ranks", "EvaluationResult"]

#: Label of the normalization of methods that normalize on their own.
INTERNAL = "internal"


def _registered(kind: str, name: object, table: Mapping) -> str:
    """Canonical ``name`` of option ``kind``; a clear error when it is a known value not registered."""
    canonical = opt.check(kind, name)
    if canonical not in table:
        raise InputError(
            f"{kind} {canonical!r} is not available in this installation; registered: "
            f"{', '.join(repr(k) for k in table)}."
        )
    return canonical


def resolve_method(name: object) -> MethodSpec:
    """The registered method called ``name`` (typos and unregistered names are clear errors)."""
    return reg.METHODS[_registered("method", name, reg.METHODS)]


def resolve_normalize(spec: MethodSpec, normalize: object) -> str | None:
    """The normalization ``spec`` runs with: ``None`` -> its default; checked against its list."""
    if normalize is None:
        return spec.default_normalize
    if not spec.normalizations:
        raise InputError(
            f"method {spec.name!r} normalizes on its own and takes no normalize=; pass normalize=None."
        )
    return opt.check("standardize", normalize, name="normalize", allowed=spec.normalizations)


def panel_cells(panel, by: str) -> np.ndarray:
    """The cells of ``panel`` as float64 C-contiguous (n_cells, n_alternatives, m): by year
    (Y, R, m), or the whole panel as one cell (1, R * Y, m) in panel order (region, then year)."""
    if not panel.is_complete():
        panel.require_complete("The method evaluation")
    cube = np.asarray(panel.cube, dtype=np.float64)
    r, y, m = cube.shape
    if by == "year":
        if r < 2:
            raise InputError(f"ranking by year needs at least 2 regions; got {r}.")
        return np.ascontiguousarray(cube.transpose(1, 0, 2))
    return np.ascontiguousarray(cube.reshape(1, r * y, m))


def check_constant(panel, x3: np.ndarray, by: str) -> None:
    """Raise the one constant-indicator error when an indicator is constant within a cell."""
    const = x3.max(axis=1) == x3.min(axis=1)  # (C, m)
    if const.any():
        cells = [(panel.indicators[j], panel.years[c] if by == "year" else "panel")
                 for c, j in zip(*np.nonzero(const))]
        names = [panel.indicators[j] for j in np.flatnonzero(const.any(axis=0))]
        raise V.constant_indicators_error(
            names, cells[:5], by,
            "the normalizations and the objective weightings divide by its spread (max - min = 0)",
            hint="panel.select(indicators=...) without it",
        )


def cell_weights(weights: object, panel, x3: np.ndarray) -> tuple[np.ndarray, str]:
    """Weights of every cell (n_cells, m) and their label (registry name or ``"given"``)."""
    c, _, m = x3.shape
    if isinstance(weights, str):
        name = _registered("weights", weights, reg.WEIGHTINGS)
        spec = reg.WEIGHTINGS[name]
        if spec.needs == "system":
            w = np.asarray(panel.system.base_weights(), dtype=np.float64)
            return np.ascontiguousarray(np.broadcast_to(w, (c, m))), name
        if spec.needs:
            raise InputError(
                f"weights={name!r} needs {spec.needs} input: compute the weights with "
                f"fastinno.array.{name}_weights(...) and pass them as an array or a mapping."
            )
        is_cost = np.ascontiguousarray(panel.is_cost, dtype=np.bool_)
        if spec.cells is not None:
            w = np.asarray(spec.cells(x3, is_cost), dtype=np.float64)
        else:
            w = np.stack([np.asarray(spec.array(x3[k], is_cost), dtype=np.float64) for k in range(c)])
        return np.ascontiguousarray(w.reshape(c, m)), name
    w = V.indicator_weights(weights, list(panel.indicators))
    return np.ascontiguousarray(np.broadcast_to(w, (c, m))), "given"


def method_options(spec: MethodSpec, options: Mapping | None) -> dict:
    """The method's options: its defaults updated by ``options`` (unknown names are errors)."""
    given = dict(options or {})
    unknown = sorted(set(given) - set(spec.options))
    if unknown:
        known = ", ".join(repr(k) for k in spec.options) or "none"
        raise InputError(f"method {spec.name!r} has no option(s) {format_keys(unknown)}; its options: {known}.")
    return {**spec.options, **given}


def method_scores(spec: MethodSpec, x3, w, is_cost, normalize, options) -> np.ndarray:
    """``spec.cells`` on the cells, checked: (n_cells, n_alternatives) finite preference values."""
    s = np.ascontiguousarray(spec.cells(x3, w, is_cost, normalize, options), dtype=np.float64)
    if s.shape != x3.shape[:2]:
        raise RuntimeError(f"method {spec.name!r} returned shape {s.shape}; expected {x3.shape[:2]}.")
    if not np.isfinite(s).all():
        raise DegenerateDataError(
            f"method {spec.name!r} gives undefined scores (0/0) in {int((~np.isfinite(s)).sum())} "
            "place(s): the data leave it nothing to tell the alternatives apart by. Check the "
            "indicators and weights."
        )
    return s


def _oriented(scores: np.ndarray, higher_is_better: bool) -> np.ndarray:
    return scores if higher_is_better else -scores


def best_first_ranks(scores: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Competition ranks of every row (1 = best; ties share the best rank), int64."""
    return mcda.competition_ranks(np.ascontiguousarray(_oriented(scores, higher_is_better)))


def average_ranks(scores: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Average ranks of every row, 1 = best (for rank correlations)."""
    return mcda.packed_ranks(np.ascontiguousarray(_oriented(scores, higher_is_better)), True)


def panel_order(a: np.ndarray, by: str) -> np.ndarray:
    """(n_cells, n_alternatives) values in panel order (region, then year) as one vector."""
    return a.T.ravel() if by == "year" else a.ravel()


def weights_frame(panel, w: np.ndarray, by: str) -> pl.DataFrame:
    c, m = w.shape
    years = list(panel.years) if by == "year" else [None]
    return pl.DataFrame({
        "year": pl.Series(np.repeat(np.asarray(years, dtype=object), m).tolist(), dtype=pl.Int64),
        "indicator": list(panel.indicators) * c,
        "weight": w.ravel(),
    })


@single_threaded_blas()  # small GEMMs: a threaded BLAS only waits on a busy machine
def evaluate(panel, *, method: str = "vikor", weights: object = "critic", normalize: object = V.UNSET,
             by: str = "year", options: Mapping | None = None) -> EvaluationResult:
    """Scores and ranks of a registered ranking method, per year or over the whole panel.

    Parameters
    ----------
    panel : fastinno.Panel
        Complete panel (regions x years x indicators) with indicator directions.
    method : str
        A registered ranking method (a value of the ``method`` option: ``"vikor"``, ``"topsis"``,
        ``"gra"``, ...).
    weights : str, array or mapping
        A registered weighting (``"critic"``, ``"entropy"``, ``"equal"``, ``"hierarchical"`` ...;
        objective weightings are computed in every cell), an array in indicator order, or an
        ``{indicator: weight}`` mapping (summing to 1).
    normalize : str or None, default "minmax"
        The column normalization (one the method accepts); ``None`` = the method's own default;
        methods that normalize on their own take their own whatever is left as the default.
    by : {"year", "panel"}
        ``"year"``: one decision problem per year (its regions are the alternatives);
        ``"panel"``: one problem with every region-year as an alternative.
    options : mapping, optional
        Method options (e.g. ``{"v": 0.5}`` for VIKOR), defaults from the registry.

    Returns
    -------
    EvaluationResult
        ``.scores`` (region, year, score, rank, direction), ``.weights``, ``.options``.

    Notes
    -----
    The score is the method's own preference value (VIKOR's Q and SPOTIS' distance: lower is
    better; ``direction`` says which); ``rank`` is 1 for the best alternative of each cell.
    """
    spec = resolve_method(method)
    by = opt.check("by", by)
    if normalize is V.UNSET:
        norm = "minmax" if "minmax" in spec.normalizations else spec.default_normalize
    else:
        norm = resolve_normalize(spec, normalize)
    mopts = method_options(spec, options)
    x3 = panel_cells(panel, by)
    check_constant(panel, x3, by)
    w, wlabel = cell_weights(weights, panel, x3)
    is_cost = np.ascontiguousarray(panel.is_cost, dtype=np.bool_)
    with mcda.threads_for(x3.size):
        s = method_scores(spec, x3, w, is_cost, norm, mopts)
        ranks = best_first_ranks(s, spec.higher_is_better)
    r, y, _ = panel.cube.shape
    direction = "higher_is_better" if spec.higher_is_better else "lower_is_better"
    scores = pl.DataFrame({
        "region": np.repeat(np.asarray(panel.regions, dtype=object), y).tolist(),
        "year": np.tile(np.asarray(panel.years, dtype=np.int64), r),
        "score": panel_order(s, by),
        "rank": panel_order(ranks, by),
    }).with_columns(pl.lit(direction).alias("direction"))
    opts = {"method": spec.name, "weights": wlabel, "normalize": norm, "by": by,
            "higher_is_better": spec.higher_is_better, **mopts}
    return EvaluationResult(scores=scores, weights=weights_frame(panel, w, by), options=opts)
