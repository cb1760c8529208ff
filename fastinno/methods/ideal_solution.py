"""Hierarchical equal-weight ideal-solution model (dynamic TOPSIS) on a region x year panel.

Validate -> convert -> one fused kernel for the index and every sub-index -> growth kernel ->
polars frames in an :class:`fastinno.results.IndexResult`.

Source: Wu, Wang & Chen, "Comparative Evaluation of Scientific and Technological Innovation
Levels in the Beijing-Tianjin-Hebei Region" (hierarchical equal weights, max-ratio
standardization, F = 1 / (1 + (d+/d-)^2), compound growth rate); Hwang & Yoon (1981) for TOPSIS.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Literal

import numpy as np
import polars as pl

from .. import _config
from .. import _options as opt
from .._threads import serial_below
from ..data.panel import Panel
from ..errors import DegenerateDataError, FastinnoWarning, InputError, SchemaError, format_keys
from ..kernels import distance as kd
from ..kernels import normalize as kn
from ..results import IndexResult
from ..validate import constant_indicators_error, indicator_weights

__all__ = ["hew_topsis", "SCOPES", "STANDARDIZATIONS", "FORMS", "CONSTANT_POLICIES"]

#: Option values -> kernel codes, read from the option vocabulary (:mod:`fastinno._options`).
SCOPES = {v: opt.code("scope", v) for v in opt.option("scope").choices}
#: The cube kernels take the first four standardizations (``sum``, ``max``, ``log`` are 2-D only).
STANDARDIZATIONS = {v: opt.code("standardize", v) for v in opt.CUBE_STANDARDIZATIONS}
FORMS = {v: opt.code("form", v) for v in opt.option("form").choices}
CONSTANT_POLICIES = opt.option("constant").choices
_RESERVED = ("region", "year", "index")


def _kernel_threads(n_values: int):
    """Run the enclosed kernels single-threaded when the cube is small."""
    return serial_below(n_values, _config.INDEX_SERIAL_BELOW)


def hew_topsis(
    panel: Panel,
    *,
    scope: Literal["panel", "region", "year"] = "panel",
    standardize: Literal["max_ratio", "minmax", "vector", "zscore"] = "max_ratio",
    form: Literal["ratio2", "closeness"] = "ratio2",
    weights: Mapping[str, float] | np.ndarray | list[float] | None = None,
    constant: Literal["error", "drop", "zero"] = "error",
) -> IndexResult:
    """Hierarchical equal-weight ideal-solution index with sub-indices and growth.

    Parameters
    ----------
    panel : Panel
        A complete panel (see :func:`fastinno.read_panel`), raw indicator values.
    scope : {"panel", "region", "year"}
        Where the max / min of the standardization and the ideal / anti-ideal points are taken:
        all regions and years (comparable across space and time; default), each region over its
        own years (the formula as printed in the paper), or each year across regions (classic
        cross-sectional TOPSIS).
    standardize : {"max_ratio", "minmax", "vector", "zscore"}
        ``max_ratio`` (paper): benefit c / max, cost min / c (needs positive values);
        ``minmax``: the efficacy coefficient; ``vector`` and ``zscore`` for comparison.
    form : {"ratio2", "closeness"}
        ``ratio2`` (paper): F = d-^2 / (d+^2 + d-^2); ``closeness``: d- / (d+ + d-).
    weights : mapping or array, optional
        Indicator weights (>= 0, summing to 1), overriding ``panel.system.base_weights()``
        (hierarchical equal weights). A mapping must name every indicator.
    constant : {"error", "drop", "zero"}
        An indicator constant within a scope cell is an error by default; ``"drop"`` removes it
        (weights renormalised), ``"zero"`` lets it contribute nothing in the constant cells.
        Both are reported with a :class:`FastinnoWarning`.

    Returns
    -------
    IndexResult
        ``.scores`` (region, year, index, one column per dimension), ``.weights``,
        ``.growth`` (cagr, mean_yoy), ``.yoy`` and ``.options``.

    Notes
    -----
    d+ = sqrt(sum_j w_j^2 (x_ktj - x_alpha_j)^2), d- likewise with x_beta, x_alpha / x_beta the
    max / min of the standardized values over the scope. Sub-indices run the same model on each
    dimension's indicators with the weights renormalised within the dimension. Edge conventions:
    d- = 0 < d+ gives 0, d+ = 0 < d- gives 1, both 0 gives NaN (warned, with the cells named).
    Growth: CAGR = (F_last / F_first)^(1 / (year_last - year_first)) - 1; y-o-y rates are
    annualised over gaps and ``mean_yoy`` counts each calendar year once.
    """
    if not isinstance(panel, Panel):
        raise InputError(
            f"hew_topsis needs a fastinno Panel, got {type(panel).__name__}. Load one with "
            "fastinno.read_panel(...) or wrap a cube with Panel.from_array(cube, system); "
            "fastinno.array.hew_topsis works on raw arrays."
        )
    scope = opt.check("scope", scope)
    standardize = opt.check("standardize", standardize, allowed=opt.CUBE_STANDARDIZATIONS)
    form = opt.check("form", form)
    constant = opt.check("constant", constant)
    with _kernel_threads(panel.cube.size):
        index, cagr, mean_yoy, yoy, system, w_all, dropped, columns, report = _evaluate(
            panel, weights, scope, standardize, form, constant
        )
    regions, years = panel.regions, panel.years
    n_models, n_regions, n_years = index.shape

    for note in report:
        warnings.warn(note, FastinnoWarning, stacklevel=2)

    region_names = pl.Series("region", list(regions), dtype=pl.String)
    reg_col = region_names.gather(np.repeat(np.arange(n_regions), n_years))
    year_col = np.tile(np.asarray(years, dtype=np.int64), n_regions)
    scores = pl.DataFrame([reg_col, pl.Series("year", year_col)] + [pl.Series(c, index[m].ravel()) for m, c in enumerate(columns)])
    yoy_frame = pl.DataFrame(
        [reg_col, pl.Series("year", year_col)]
        + [pl.Series(c, yoy[m * n_regions : (m + 1) * n_regions].ravel()) for m, c in enumerate(columns)]
    )
    # growth rows: region-major, then column order
    order = np.arange(n_models * n_regions).reshape(n_models, n_regions).T.ravel()
    growth = pl.DataFrame(
        {
            "region": region_names.gather(np.repeat(np.arange(n_regions), n_models)),
            "column": pl.Series(list(columns), dtype=pl.String).gather(np.tile(np.arange(n_models), n_regions)),
            "cagr": cagr[order],
            "mean_yoy": mean_yoy[order],
            "first_year": np.full(n_models * n_regions, years[0], dtype=np.int64),
            "last_year": np.full(n_models * n_regions, years[-1], dtype=np.int64),
        },
        schema_overrides={"region": pl.String, "column": pl.String},
    )
    weight_frame = pl.DataFrame(
        {
            "indicator": list(system.indicators),
            "dimension": [system.groups[k].name if k >= 0 else None for k in system.indicator_parent.tolist()],
            "weight": w_all,
        },
        schema_overrides={"dimension": pl.String},
    )
    options = {
        "model": "hew-topsis",
        "scope": scope,
        "standardize": standardize,
        "form": form,
        "constant": constant,
        "weights": "system" if weights is None else "user",
        "dropped": tuple(dropped),
    }
    return IndexResult(
        scores=scores,
        weights=weight_frame,
        growth=growth,
        yoy=yoy_frame,
        options=options,
        columns=tuple(columns),
        report=tuple(report),
    )


def _evaluate(panel, weights, scope, standardize, form, constant):
    """Validate on the scope statistics, run the fused kernel and the growth kernel."""
    report: list[str] = []
    system = panel.system
    w_all = _resolve_weights(weights, system)
    is_cost = np.ascontiguousarray(system.is_cost, dtype=np.bool_)
    cube = panel.cube
    scope_id, method_id, form_id = SCOPES[scope], STANDARDIZATIONS[standardize], FORMS[form]

    # One pass for the scope statistics; finiteness (the means), positivity and constant cells
    # are read off them.
    stats = kn.scope_stats(cube, method_id, scope_id)
    if not np.isfinite(stats[2]).all() and kn.count_nonfinite(cube):
        panel.require_complete("hew_topsis")
        raise InputError("The panel has infinite values: fix them before evaluating.")
    if method_id == kn.MAX_RATIO:
        lowest = stats[0].min(axis=0)
        if np.any(np.where(is_cost, lowest <= 0, lowest < 0)):
            check_max_ratio(cube, is_cost, panel)

    dropped: list[str] = []
    const = stats[0] == stats[1]
    if const.any():
        cells = _constant_keys(const, panel, scope, cube)
        if constant == "error":
            first_j = int(np.argwhere(const)[0][1])
            names = [system.indicators[j] for j in np.flatnonzero(const.any(axis=0))]
            raise constant_indicators_error(
                names, cells, scope,
                "the standardization divides by max - min = 0, and the indicator cannot tell regions "
                f"apart (e.g. value {_constant_value(const, cube, scope_id, first_j):g})",
            )
        if constant == "drop":
            dropped = [system.indicators[j] for j in np.flatnonzero(const.any(axis=0))]
            keep = [j for j in range(system.n_indicators) if system.indicators[j] not in dropped]
            if not keep:
                raise DegenerateDataError(
                    f"Every indicator is constant within some scope cell (scope={scope!r}): "
                    "constant='drop' leaves nothing to evaluate. Use constant='zero' or another scope."
                )
            user_weights = weights is not None
            w_keep = w_all[keep]
            system = system.subset([system.indicators[j] for j in keep])
            if user_weights:
                if w_keep.sum() <= 0:
                    raise InputError("After dropping constant indicators every remaining weight is 0.")
                w_all = w_keep / w_keep.sum()
            else:
                w_all = system.base_weights()
            is_cost = np.ascontiguousarray(system.is_cost, dtype=np.bool_)
            cube = np.ascontiguousarray(panel.cube[:, :, keep])
            stats = kn.scope_stats(cube, method_id, scope_id)
            report.append(
                f"dropped constant indicator(s) {format_keys(dropped)} (scope={scope!r}: constant in "
                f"{format_keys(cells)}); weights renormalised over the remaining {len(keep)}."
            )
        else:
            report.append(
                f"indicator(s) constant within a scope cell contribute 0 there (constant='zero', "
                f"scope={scope!r}): {format_keys(cells)}."
            )

    columns, order, ptr, idx, cptr, cidx, empty = _models(system, w_all)
    for g in empty:
        report.append(f"sub-index {g!r} has zero total weight: its column is NaN.")
    rows = kd.hew_index_from_stats(
        cube, is_cost, method_id, scope_id, *stats, np.ascontiguousarray(w_all, dtype=np.float64),
        ptr, idx, cptr, cidx, form_id,
    )
    index = rows[order]  # columns order: index, then dimensions depth-first

    regions, years = panel.regions, panel.years
    nan_cells = []
    if np.isnan(index.sum()):
        nan_cells = [
            (regions[r], years[t], columns[m])
            for m, r, t in np.argwhere(np.isnan(index))
            if columns[m] not in empty
        ]
    if nan_cells:
        report.append(
            f"index undefined (d+ = d- = 0: every weighted indicator at both ideal and anti-ideal) "
            f"in {len(nan_cells)} cell(s) {format_keys(nan_cells)}: set to NaN."
        )

    n_models, n_regions, n_years = index.shape
    series = index.reshape(n_models * n_regions, n_years)
    cagr, mean_yoy, yoy = kd.growth_rates(series, np.asarray(years, dtype=np.float64))
    report.extend(_growth_notes(series, cagr, yoy, columns, regions, years, empty))

    return index, cagr, mean_yoy, yoy, system, w_all, dropped, columns, report


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------


def _resolve_weights(weights, system) -> np.ndarray:
    if weights is None:
        return np.ascontiguousarray(system.base_weights(), dtype=np.float64)
    return indicator_weights(weights, system.indicators)


def _models(system, w_all):
    """Model CSR arrays in evaluation order (children before parents) for the fused kernel.

    Columns are ``index`` then every dimension in system (depth-first) order; the kernel sees
    the dimensions in reverse depth-first order (so every child precedes its parent), then the
    whole index. Each model lists its own indicators and its child dimensions, so every
    indicator is summed once. Returns ``(columns, order, ptr, idx, cptr, cidx, empty)``, where
    ``order[c]`` is the kernel row of column ``c``.
    """
    groups = system.groups
    n_groups = len(groups)
    for g in groups:
        if g.name in _RESERVED:
            raise SchemaError(
                f"Dimension name {g.name!r} clashes with a result column ({', '.join(_RESERVED)}): rename it."
            )
    parent = np.asarray(system.indicator_parent, dtype=np.int64)
    # kernel row of group k: n_groups - 1 - k; whole index: n_groups
    row = {k: n_groups - 1 - k for k in range(n_groups)}
    row[-1] = n_groups
    ptr, idx, cptr, cidx = [0], [], [0], []
    for k in [*range(n_groups - 1, -1, -1), -1]:
        idx.extend(np.flatnonzero(parent == k).tolist())
        cidx.extend(row[c] for c in range(n_groups) if groups[c].parent == k)
        ptr.append(len(idx))
        cptr.append(len(cidx))
    columns = ["index", *(g.name for g in groups)]
    order = [n_groups, *(row[k] for k in range(n_groups))]
    empty = [g.name for g in groups if w_all[np.asarray(g.indices)].sum() <= 0]
    as64 = lambda a: np.asarray(a, dtype=np.int64)  # noqa: E731
    return columns, order, as64(ptr), as64(idx), as64(cptr), as64(cidx), empty


def check_max_ratio(cube, is_cost, panel) -> None:
    """Raise :class:`DegenerateDataError` naming the cells where max-ratio divides by c <= 0.

    Benefit indicators need c >= 0, cost indicators c > 0 (they are standardized as min / c). One
    pass over the column minima; the cells are looked up only when something is wrong.
    """
    mins = cube.reshape(-1, cube.shape[-1]).min(axis=0)
    if (np.where(is_cost, mins <= 0, mins < 0)).any():
        bad = np.where(is_cost[None, None, :], cube <= 0, cube < 0)
        where = np.argwhere(bad)
        cells = [(panel.regions[r], panel.years[t], panel.indicators[j]) for r, t, j in where]
        r, t, j = where[0]
        raise DegenerateDataError(
            f"standardize='max_ratio' needs positive values (cost indicators are standardized as "
            f"min / c, benefit ones as c / max), but {len(cells)} cell(s) are zero or negative: "
            f"{format_keys(cells)} (first: {cube[r, t, j]:g}). Fix the data or use "
            "standardize='minmax' or 'zscore'."
        )
    # A benefit indicator that is 0 in a whole scope cell is constant there: reported as such.


def _cell_label(k: int, panel: Panel, scope: str):
    if scope == "region":
        return f"region {panel.regions[k]}"
    if scope == "year":
        return f"year {panel.years[k]}"
    return "the whole panel"


def _constant_keys(const, panel, scope, cube):
    return [(panel.indicators[j], _cell_label(int(k), panel, scope)) for k, j in np.argwhere(const)]


def _constant_value(const, cube, scope_id, j) -> float:
    k = int(np.argwhere(const[:, j])[0][0])
    if scope_id == kn.SCOPE_REGION:
        return float(cube[k, 0, j])
    if scope_id == kn.SCOPE_YEAR:
        return float(cube[0, k, j])
    return float(cube[0, 0, j])


def _growth_notes(series, cagr, yoy, columns, regions, years, empty):
    notes = []
    n_regions = len(regions)
    if len(years) < 2:
        notes.append(f"growth needs at least two years; the panel has {len(years)}: growth is NaN.")
        return notes
    if not (np.isnan(cagr.sum()) or np.isnan(yoy[:, 1:].sum())):
        return notes
    finite = ~np.isnan(series)
    # undefined because of a zero/negative base (the index itself was finite there)
    bad_cagr = np.isnan(cagr) & finite[:, 0] & finite[:, -1]
    bad_yoy = np.isnan(yoy[:, 1:]) & finite[:, 1:] & finite[:, :-1]
    keys = []
    for s in np.flatnonzero(bad_cagr | bad_yoy.any(axis=1)):
        m, r = divmod(int(s), n_regions)
        if columns[m] in empty:
            continue
        keys.append((regions[r], columns[m]))
    if keys:
        notes.append(
            f"growth rate undefined (zero or negative base value) for {len(keys)} series "
            f"{format_keys(keys)}: set to NaN."
        )
    return notes
