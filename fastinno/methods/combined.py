"""Combined evaluation of a panel: the four single methods of :mod:`fastinno.methods.mcda` per
period, the Spearman compatibility test with Kendall's W, and the drift-degree combination.

Source: Xia, W.; Li, B.; Yin, S. (2020) "Identification of Influencing Factors for Sustainable
Development: Evaluation and Management of Regional Innovation Performance in Heilongjiang,
China", Sustainability 12(7), 2739, doi:10.3390/su12072739, sec. 3.1.1 and Appendix A.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Literal

import numpy as np

from .. import validate as V
from ..errors import DegenerateDataError, FastinnoWarning, InputError, format_keys
from ..kernels import normalize as kn
from ..kernels import rank as kr
from ..kernels import relational as krel
from ..kernels import weights as kw
from .mcda import (
    SPEARMAN_CODES,
    check_rho,
    competition_ranks,
    drift_cells,
    drift_combination,
    entropy_weights,
    grey_relational,
    kendall,
    max_deviation_weights,
    normalize,
    packed_ranks,
    rankdata,
    safe_log,
    sort_rows,
    spearman,
    spearman_many,
    threads_for,
    topsis,
)

__all__ = [
    "normalize",
    "entropy_weights",
    "max_deviation_weights",
    "topsis",
    "grey_relational",
    "rankdata",
    "spearman",
    "kendall",
    "spearman_many",
    "drift_combination",
    "combined_evaluation",
    "spearman_pvalues",
    "compatible_set",
    "prepare",
    "METHODS",
]

#: Single evaluation methods of the combined evaluation, in their default order.
METHODS = ("entropy", "max_deviation", "topsis", "gra")
METHOD_CODES = {
    "entropy": krel.M_ENTROPY,
    "max_deviation": krel.M_MAX_DEVIATION,
    "topsis": krel.M_TOPSIS,
    "gra": krel.M_GRA,
}


def registered_methods() -> tuple[str, ...]:
    """Registered ranking methods the combined evaluation may list besides its own four (its
    ``topsis`` and ``gra`` are the paper's, on efficacy coefficients)."""
    from . import registry

    return tuple(n for n in registry.METHODS if n not in METHODS and n != "hew_topsis")


def registered_scores(panel, prep, name: str) -> np.ndarray:
    """Scores (cells, objects) of the registered method ``name`` in every cell of ``prep``.

    The method runs on the cell's raw values (its own default normalization and cost
    directions) with the cell's TOPSIS / GRA weights; its preference is turned so that larger is
    better and min-max scaled to [0, 1] within the cell, so that it combines with the other
    methods' scores on one scale.
    """
    from . import registry

    spec = registry.method(name)
    cube = np.ascontiguousarray(panel.cube, dtype=np.float64)
    is_cost = np.ascontiguousarray(panel.is_cost, dtype=np.bool_)
    out = np.empty((len(prep.cell_year), prep.n_obj))
    for c, y in enumerate(prep.cell_year):
        idx = np.asarray(prep.idx_all[c], dtype=np.int64)
        x = cube[:, y, :] if prep.n_obj == cube.shape[0] else cube.reshape(-1, cube.shape[2])
        x3 = np.ascontiguousarray(x[:, idx])[None]
        s = spec.cells(x3, prep.wt_all[c], is_cost[idx], spec.default_normalize, dict(spec.options))[0]
        s = s if spec.higher_is_better else -s
        lo, hi = s.min(), s.max()
        out[c] = (s - lo) / (hi - lo) if hi > lo else 0.5
    return out


def spearman_pvalues(rho: np.ndarray, n: int) -> np.ndarray:
    """Two-sided p-values of Spearman's rho by the t approximation (as scipy.stats.spearmanr)."""
    from scipy import stats

    df = n - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = rho * np.sqrt(df / ((1.0 - rho) * (1.0 + rho)))
    p = 2.0 * stats.t.sf(np.abs(t), df)
    return np.where(np.isnan(rho), np.nan, p)


def compatible_set(rho: np.ndarray, pval: np.ndarray, alpha: float) -> tuple[np.ndarray, str]:
    """Methods whose pairwise rank correlations are all positive and significant at ``alpha``.

    Greedy: while some pair fails, drop the method with the most failing pairs (ties: the
    smallest mean rho, then the later method). Returns (keep mask, note).
    """
    k = rho.shape[0]
    ok = (pval < alpha) & (rho > 0)
    np.fill_diagonal(ok, True)
    keep = np.ones(k, dtype=bool)
    while keep.sum() > 2:
        sub = ~ok[np.ix_(keep, keep)]
        if not sub.any():
            return keep, ""
        idx = np.flatnonzero(keep)
        fails = sub.sum(axis=1)
        r = np.where(np.isnan(rho), -2.0, rho)[np.ix_(keep, keep)]
        mean_r = (r.sum(axis=1) - 1.0) / (len(idx) - 1)
        order = sorted(range(len(idx)), key=lambda a: (-fails[a], mean_r[a], -a))
        keep[idx[order[0]]] = False
    if keep.sum() == 2:
        a, b = np.flatnonzero(keep)
        if not ok[a, b]:
            return np.ones(k, dtype=bool), "no compatible subset: all methods combined"
    return keep, ""


def combined_evaluation(
    panel,
    *,
    methods: Sequence[str] = METHODS,
    by: Literal["year", "panel"] = "year",
    alpha: float = 0.05,
    rho: float = 0.5,
    weights: object = "entropy",
    spearman_method: Literal["pearson", "d2"] = "pearson",
    minmax_scores: bool = False,
    constant: Literal["error", "drop", "zero"] = "error",
    entropy_data: Literal["normalized", "raw"] = "normalized",
):
    """Combined evaluation of a panel (Xia, Li, Yin 2020): four single methods, a Spearman
    compatibility test, and the drift-degree combination, per period, for the whole index and
    for every dimension of the indicator system.

    Parameters
    ----------
    panel : fastinno.Panel (complete).
    methods : at least one of ("entropy", "max_deviation", "topsis", "gra") (the paper's single
        methods on efficacy coefficients) or of the registered ranking methods ("vikor",
        "promethee_ii", "wsm", ... see :data:`fastinno.methods.registry.METHODS`), which run on the
        cell's raw values with their own default normalization and the TOPSIS / GRA weights, their
        preference min-max scaled to [0, 1] within the cell.
    by : "year" (each year's cross-section, default) or "panel" (all region-years pooled).
    alpha : significance level of the compatibility test.
    rho : grey distinguishing coefficient.
    weights : indicator weights of TOPSIS and GRA: "entropy" (default), "max_deviation",
        "equal", a {indicator: weight} mapping, or an array over the panel's indicators (>= 0, sum 1;
        renormalised within a dimension).
    spearman_method : "pearson" (average ranks, default) or "d2" (the paper's formula), used by
        the compatibility test and the drift degrees.
    minmax_scores : min-max each method's scores before the drift-degree combination.
    constant : an indicator constant within a period: "error" (default), "drop" it from that
        period, or "zero" (normalised to 0, weight 0). Reported in ``.excluded``.
    entropy_data : entropy on the efficacy coefficients ("normalized", default) or on the raw,
        non-negative data ("raw").

    Returns
    -------
    CombinedResult
        ``.scores`` (region, year, dimension, one column per method, combined, rank; rows by
        dimension -- ``"index"`` first, then system order --, year, region in panel order),
        ``.method_weights`` (year, dimension, method, compatible, spearman_rho, drift, weight),
        ``.compatibility`` (year, dimension, method_a, method_b, rho, p_value),
        ``.kendall_w`` (year, dimension, n_methods, w, chi2, df, p_value),
        ``.excluded`` (year, dimension, item, reason), ``.indicator_weights``
        (year, dimension, indicator, entropy, max_deviation).

    Notes
    -----
    Normalisation: efficacy coefficient p = (v - beta)/(alpha - beta) (cost: (alpha - v)/(alpha -
    beta)) with alpha / beta the observed max / min of the period, or the critical limits of
    ``system.limits`` where given (then clipped to [0, 1] with a warning). The compatible set
    keeps the methods whose pairwise correlations are all positive and significant; a failing
    method is dropped greedily (most failing pairs first) and reported.
    """
    cube = getattr(panel, "cube", None)
    work = 2 * int(np.size(cube)) if cube is not None else 0
    with threads_for(work):
        return _combined_evaluation(
            panel, methods=methods, by=by, alpha=alpha, rho=rho, weights=weights,
            spearman_method=spearman_method, minmax_scores=minmax_scores, constant=constant,
            entropy_data=entropy_data,
        )


def prepare(
    panel,
    *,
    methods: Sequence[str] = METHODS,
    by: Literal["year", "panel"] = "year",
    alpha: float = 0.05,
    rho: float = 0.5,
    weights: object = "entropy",
    spearman_method: Literal["pearson", "d2"] = "pearson",
    constant: Literal["error", "drop", "zero"] = "error",
    entropy_data: Literal["normalized", "raw"] = "normalized",
    index_only: bool = False,
    stacklevel: int = 4,
) -> SimpleNamespace:
    """Checked options, efficacy coefficients and the per-cell indicator weights.

    Everything of :func:`combined_evaluation` that comes before the single methods' scores:
    shared with the Monte Carlo model (``simulate(model="combined")``), which perturbs these
    weights. ``index_only``: only the cells of the whole index (dimension ``"index"``).
    ``stacklevel``: of the critical-limits warning, for the public caller's frame.

    Returns a namespace with ``methods``, ``alpha``, ``rho``, ``smethod`` (kernel code of the
    Spearman variant), ``n_obj``, ``n_per``, ``period_labels``, ``indicators``, ``dims``
    ([(name, indicator indices)]), ``pt`` ((periods, indicators, objects) efficacy coefficients,
    each series contiguous), ``excluded_rows`` and per cell (period-major, dimension order)
    ``cell_year``, ``cell_dim``, ``ptr``, ``idx_all``, ``we_all``, ``wm_all``, ``wt_all`` (the
    cell's indicators and their entropy, max-deviation and TOPSIS / GRA weights, each summing to 1).
    """
    V.check_choice("by", by, ("year", "panel"))
    V.check_choice("spearman_method", spearman_method, tuple(SPEARMAN_CODES))
    V.check_choice("constant", constant, ("error", "drop", "zero"))
    V.check_choice("entropy_data", entropy_data, ("normalized", "raw"))
    methods = tuple(methods) if not isinstance(methods, str) else (methods,)
    if not methods:
        raise InputError("methods is empty: choose from " + ", ".join(METHODS) + ".")
    for m in methods:
        V.check_choice("method", m, METHODS + registered_methods())
    if len(set(methods)) != len(methods):
        raise InputError(f"methods has duplicates: {list(methods)}.")
    try:
        alpha = float(alpha)
    except (TypeError, ValueError):
        raise InputError(f"alpha must be a number in (0, 1); got {alpha!r}.") from None
    if not 0.0 < alpha < 1.0:
        raise InputError(f"alpha must lie in (0, 1); got {alpha:g}.")
    rho = check_rho(rho)
    system = panel.system
    cube = np.ascontiguousarray(panel.cube, dtype=np.float64)
    if not np.isfinite(cube).all():
        if hasattr(panel, "require_complete"):  # names the missing cells
            panel.require_complete("The combined evaluation")
        V.check_finite(cube, "panel.cube")
    n_regions, n_years, m = cube.shape
    indicators = list(panel.indicators)
    is_cost = np.ascontiguousarray(panel.is_cost, dtype=np.bool_)

    fixed_w = None
    if isinstance(weights, str):
        V.check_choice("weights", weights, ("entropy", "max_deviation", "equal"))
    else:
        fixed_w = V.indicator_weights(weights, indicators)

    # ---- periods --------------------------------------------------------------------------
    if by == "year":
        work = cube
        period_labels: list[int | None] = list(panel.years)
        scope = kn.SCOPE_YEAR
    else:
        work = cube.reshape(n_regions * n_years, 1, m)
        period_labels = [None]
        scope = kn.SCOPE_PANEL
    n_obj = work.shape[0]
    n_per = work.shape[1]
    if n_obj < 3:
        raise InputError(
            f"The combined evaluation needs at least 3 objects per period (the Spearman test has "
            f"n - 2 degrees of freedom); got {n_obj}."
        )

    # ---- efficacy coefficient -------------------------------------------------------------
    p = np.ascontiguousarray(kn.standardize_cube(cube, is_cost, kn.MINMAX, scope).reshape(n_obj, n_per, m))
    limits = np.asarray(getattr(system, "limits", np.full((m, 2), np.nan)), dtype=np.float64)
    js = np.flatnonzero(np.isfinite(limits).any(axis=1))
    if js.size:
        # critical limits replace the observed max (alpha) / min (beta) where given
        v = work[:, :, js]
        lo = np.where(np.isfinite(limits[js, 0]), limits[js, 0], v.min(axis=0))
        hi = np.where(np.isfinite(limits[js, 1]), limits[js, 1], v.max(axis=0))
        bad = np.argwhere(~(hi > lo))
        if bad.size:
            cells = [(indicators[js[j]], period_labels[t]) for t, j in bad]
            raise DegenerateDataError(
                f"Efficacy coefficient of {format_keys(cells)}: the critical limits (or the observed "
                "max / min standing in for a missing one) leave alpha <= beta. Fix the limits in the system."
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = np.where(is_cost[js], (hi - v) / (hi - lo), (v - lo) / (hi - lo))
        clipped = (raw < 0) | (raw > 1)
        if clipped.any():
            names = [indicators[js[j]] for j in np.flatnonzero(clipped.any(axis=(0, 1)))]
            warnings.warn(
                f"Efficacy coefficient: {int(clipped.sum())} value(s) of {format_keys(names)} lie "
                "outside their critical limits and were clipped to [0, 1].",
                FastinnoWarning,
                stacklevel=stacklevel,
            )
        p[:, :, js] = np.clip(raw, 0.0, 1.0)

    # (period, indicator)-major layout: every series of n objects contiguous
    pt = krel.series_major(p)
    srt = sort_rows(pt.reshape(n_per * m, n_obj).copy())  # numpy's SIMD sort, contiguous rows
    d_sum = kw.pairwise_abs_sums_sorted(srt).reshape(n_per, m)
    # constant series standardise to 0 (kernel convention) and only they have D = 0
    const = d_sum == 0.0
    if js.size:
        const[:, js] = False

    excluded_rows: list[tuple] = []
    if const.any():
        cells = [(indicators[j], period_labels[t]) for t, j in np.argwhere(const)]
        if constant == "error":
            names = [indicators[j] for j in np.flatnonzero(const.any(axis=0))]
            raise V.constant_indicators_error(
                names, cells, "year" if by == "year" else "panel",
                "the efficacy coefficient divides by max - min = 0",
                "constant='drop' or constant='zero'" + (", or by='panel'" if by == "year" else ""),
            )
        for t, j in np.argwhere(const):
            excluded_rows.append(
                (period_labels[t], None, indicators[j], f"indicator constant: constant={constant!r}")
            )

    # ---- per (period, indicator) statistics -----------------------------------------------
    if entropy_data == "raw":
        V.check_nonnegative(cube, "panel.cube", "entropy_data='raw' takes logarithms of shares")
        ent_src = krel.series_major(np.ascontiguousarray(cube.reshape(n_obj, n_per, m)))
    else:
        ent_src = pt
    ent_rows = ent_src.reshape(n_per * m, n_obj)
    h = kw.row_entropy_logs(ent_rows, safe_log(ent_rows)).reshape(n_per, m)
    info = np.clip(1.0 - h, 0.0, None)

    # ---- cells: (period, dimension) ------------------------------------------------------
    dims: list[tuple[str, np.ndarray]] = [("index", np.arange(m, dtype=np.int64))]
    for g in () if index_only else getattr(system, "groups", ()):
        dims.append((g.name, np.asarray(g.indices, dtype=np.int64)))
    cell_year, cell_dim, ptr, idx_all = [], [], [0], []
    we_all, wm_all, wt_all = [], [], []
    for t in range(n_per):
        for d, (dname, idx) in enumerate(dims):
            if constant == "drop":
                idx = idx[~const[t, idx]]
            if idx.size == 0:
                excluded_rows.append((period_labels[t], dname, None, "no indicator left after constant='drop'"))
                continue
            e = info[t, idx]
            dd = d_sum[t, idx]
            if not e.sum() > 0 or not dd.sum() > 0:
                raise DegenerateDataError(
                    f"Dimension {dname!r} in period {period_labels[t]}: every indicator is constant "
                    "or uniform, so the entropy / maximum deviation weights are 0/0."
                )
            we = e / e.sum()
            wm = dd / dd.sum()
            if fixed_w is not None:
                fw = fixed_w[idx]
                if not fw.sum() > 0:
                    raise InputError(f"weights are all zero on dimension {dname!r}.")
                wt = fw / fw.sum()
            elif weights == "entropy":
                wt = we
            elif weights == "max_deviation":
                wt = wm
            else:
                wt = np.full(idx.size, 1.0 / idx.size)
            cell_year.append(t)
            cell_dim.append(d)
            idx_all.append(idx)
            ptr.append(ptr[-1] + idx.size)
            we_all.append(we)
            wm_all.append(wm)
            wt_all.append(wt)
    return SimpleNamespace(
        methods=methods, alpha=alpha, rho=rho, smethod=SPEARMAN_CODES[spearman_method], n_regions=n_regions,
        n_years=n_years, n_obj=n_obj, n_per=n_per, period_labels=period_labels, indicators=indicators,
        dims=dims, pt=pt, excluded_rows=excluded_rows, cell_year=cell_year, cell_dim=cell_dim, ptr=ptr,
        idx_all=idx_all, we_all=we_all, wm_all=wm_all, wt_all=wt_all,
    )


def _combined_evaluation(
    panel,
    *,
    methods: Sequence[str] = METHODS,
    by: Literal["year", "panel"] = "year",
    alpha: float = 0.05,
    rho: float = 0.5,
    weights: object = "entropy",
    spearman_method: Literal["pearson", "d2"] = "pearson",
    minmax_scores: bool = False,
    constant: Literal["error", "drop", "zero"] = "error",
    entropy_data: Literal["normalized", "raw"] = "normalized",
):
    """Body of :func:`combined_evaluation`."""
    import polars as pl

    from ..results import CombinedResult

    prep = prepare(
        panel, methods=methods, by=by, alpha=alpha, rho=rho, weights=weights,
        spearman_method=spearman_method, constant=constant, entropy_data=entropy_data,
    )
    methods, alpha, rho = prep.methods, prep.alpha, prep.rho
    n_regions, n_years, n_obj = prep.n_regions, prep.n_years, prep.n_obj
    period_labels, indicators, dims, pt = prep.period_labels, prep.indicators, prep.dims, prep.pt
    excluded_rows = prep.excluded_rows
    cell_year, cell_dim, ptr = prep.cell_year, prep.cell_dim, prep.ptr
    idx_all, we_all, wm_all, wt_all = prep.idx_all, prep.we_all, prep.wm_all, prep.wt_all
    cell_year_a = np.asarray(cell_year, dtype=np.int64)
    own = [mm for mm in methods if mm in METHOD_CODES]
    codes = np.asarray([METHOD_CODES[mm] for mm in own], dtype=np.int64)
    own_scores = krel.cell_scores(
        pt, cell_year_a, np.asarray(ptr, dtype=np.int64), np.concatenate(idx_all).astype(np.int64),
        np.concatenate(we_all), np.concatenate(wm_all), np.concatenate(wt_all), codes, rho,
    )
    if len(own) == len(methods):
        scores = own_scores
    else:  # registered methods beside the paper's four, in the order asked
        scores = np.empty((own_scores.shape[0], len(methods), prep.n_obj))
        for j, mm in enumerate(methods):
            scores[:, j] = own_scores[:, own.index(mm)] if mm in own else registered_scores(panel, prep, mm)
    n_cells, k, _ = scores.shape
    smethod = SPEARMAN_CODES[spearman_method]
    ranks = packed_ranks(scores.reshape(n_cells * k, -1), True).reshape(n_cells, k, -1)
    rho_m, w_kendall = kr.cell_correlations(ranks, smethod)
    pval = spearman_pvalues(rho_m, n_obj)

    # ---- compatibility -------------------------------------------------------------------
    keep = np.ones((n_cells, k), dtype=np.bool_)
    eye = np.eye(k, dtype=bool)
    all_ok = (((pval < alpha) & (rho_m > 0)) | eye).all(axis=(1, 2))
    for c in np.flatnonzero(~all_ok):
        if k >= 2:
            kc, note = compatible_set(rho_m[c], pval[c], alpha)
            keep[c] = kc
            lab = period_labels[cell_year[c]]
            dname = dims[cell_dim[c]][0]
            if note:
                warnings.warn(
                    f"Compatibility test, period {lab}, dimension {dname!r}: {note}.",
                    FastinnoWarning,
                    stacklevel=3,
                )
                excluded_rows.append((lab, dname, None, note))
            for j in np.flatnonzero(~kc):
                excluded_rows.append(
                    (lab, dname, methods[j], f"not compatible at alpha={alpha:g}")
                )
    r_d, drift_d, w_d, combined, equal = drift_cells(scores, keep, ranks, bool(minmax_scores), smethod)
    if equal.any():
        where = [(period_labels[cell_year[c]], dims[cell_dim[c]][0]) for c in np.flatnonzero(equal)]
        warnings.warn(
            f"Drift-degree combination: every method drifts equally in {format_keys(where)}; the "
            "drift weights are 0/0 there and equal weights were used.",
            FastinnoWarning,
            stacklevel=3,
        )

    # ---- frames ---------------------------------------------------------------------------
    years_arr = np.asarray(panel.years, dtype=np.int64)
    cell_year_np = np.asarray(cell_year, dtype=np.int64)
    if by == "year":
        obj_region = np.arange(n_regions, dtype=np.int64)
        year_col = np.repeat(years_arr[cell_year_np], n_obj)
    else:
        obj_region = np.repeat(np.arange(n_regions, dtype=np.int64), n_years)
        year_col = np.tile(np.tile(years_arr, n_regions), n_cells)
    rank_col = competition_ranks(combined).ravel()
    region_s = pl.Series("region", list(panel.regions), dtype=pl.String)
    dim_s = pl.Series("dimension", [name for name, _ in dims], dtype=pl.String)
    cols = [
        region_s.gather(np.tile(obj_region, n_cells)),
        pl.Series("year", year_col, dtype=pl.Int64),
        dim_s.gather(np.repeat(np.asarray(cell_dim, dtype=np.int64), n_obj)),
    ]
    for j, mm in enumerate(methods):
        cols.append(pl.Series(mm, scores[:, j, :].ravel()))
    cols.append(pl.Series("combined", combined.ravel()))
    cols.append(pl.Series("rank", rank_col, dtype=pl.Int64))
    score_df = pl.DataFrame(cols)

    cy = [period_labels[cell_year[c]] for c in range(n_cells)]
    cd = [dims[cell_dim[c]][0] for c in range(n_cells)]
    year_dtype = pl.Int64
    mw = pl.DataFrame(
        {
            "year": [cy[c] for c in range(n_cells) for _ in range(k)],
            "dimension": [cd[c] for c in range(n_cells) for _ in range(k)],
            "method": [mm for _ in range(n_cells) for mm in methods],
            "compatible": keep.ravel().tolist(),
            "spearman_rho": pl.Series(r_d.ravel(), nan_to_null=True),
            "drift": pl.Series(drift_d.ravel(), nan_to_null=True),
            "weight": w_d.ravel(),
        },
        schema_overrides={"year": year_dtype},
    )
    iu = np.triu_indices(k, 1)
    comp = pl.DataFrame(
        {
            "year": [cy[c] for c in range(n_cells) for _ in iu[0]],
            "dimension": [cd[c] for c in range(n_cells) for _ in iu[0]],
            "method_a": [methods[a] for _ in range(n_cells) for a in iu[0]],
            "method_b": [methods[b] for _ in range(n_cells) for b in iu[1]],
            "spearman_rho": rho_m[:, iu[0], iu[1]].ravel(),
            "p_value": pval[:, iu[0], iu[1]].ravel(),
        },
        schema={"year": year_dtype, "dimension": pl.String, "method_a": pl.String,
                "method_b": pl.String, "spearman_rho": pl.Float64, "p_value": pl.Float64},
    )
    from scipy import stats

    df_w = n_obj - 1
    chi2 = k * df_w * w_kendall
    kw_df = pl.DataFrame(
        {
            "year": cy,
            "dimension": cd,
            "n_methods": [k] * n_cells,
            "w": pl.Series(w_kendall, nan_to_null=True),
            "chi2": pl.Series(chi2, nan_to_null=True),
            "df": [df_w] * n_cells,
            "p_value": pl.Series(stats.chi2.sf(chi2, df_w), nan_to_null=True),
        },
        schema_overrides={"year": year_dtype},
    )
    excl = pl.DataFrame(
        excluded_rows,
        schema={"year": year_dtype, "dimension": pl.String, "item": pl.String, "reason": pl.String},
        orient="row",
    )
    sizes = np.diff(np.asarray(ptr, dtype=np.int64))
    per_label = pl.Series("year", period_labels, dtype=year_dtype)
    iw = pl.DataFrame([
        per_label.gather(np.repeat(cell_year_a, sizes)),
        dim_s.gather(np.repeat(np.asarray(cell_dim, dtype=np.int64), sizes)),
        pl.Series("indicator", indicators, dtype=pl.String).gather(np.concatenate(idx_all).astype(np.int64)),
        pl.Series("entropy", np.concatenate(we_all)),
        pl.Series("max_deviation", np.concatenate(wm_all)),
    ])
    options = {
        "methods": methods, "by": by, "alpha": alpha, "rho": rho,
        "weights": weights if isinstance(weights, str) else "array",
        "spearman_method": spearman_method, "minmax_scores": bool(minmax_scores),
        "constant": constant, "entropy_data": entropy_data,
    }
    return CombinedResult(
        scores=score_df,
        method_weights=mw,
        compatibility=comp,
        kendall_w=kw_df,
        excluded=excl,
        indicator_weights=iw,
        options=options,
    )
