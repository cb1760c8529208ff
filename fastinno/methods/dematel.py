"""Grey-DEMATEL key-factor analysis from expert surveys, and plain (crisp) DEMATEL.

Steps (Xia, Li & Yin 2020, Sustainability 12(7):2739, section 3.1.2 and Appendix B; grey
aggregation after Bai & Sarkis 2013, IJPE 146(1):281-292):

1. read the survey (long table, one matrix per expert, one Excel sheet per expert, or an array);
2. map linguistic scores to grey numbers with a scale (the paper's Table 1 by default);
3. whiten each expert's grey matrix by CFCS (min/max scope "global" or "row");
4. weight experts (the paper's Table 2 labels, grey intervals, crisp numbers, or equal) and
   aggregate: Z = sum_k w_k Z^k, zero diagonal;
5. normalise N = Z / s (s = max row sum, or max of max row and column sums);
6. T = N (I - N)^{-1} by one LU solve;
7. R, C, R + C, R - C, roles, orderings, the influence map above a threshold.

An optional bootstrap over experts gives percentile intervals and the probability that each
factor is a cause.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import polars as pl

from .. import _config, _options
from .._random import block_seeds, check_seed
from .._threads import single_threaded_blas
from ..data import linguistic
from ..data.linguistic import (
    PAPER_SCALE,
    SCALE_0_4,
    WEIGHT_LABELS,
    LinguisticScale,
    expert_weights,
    grey_bounds,
    grey_bounds_array,
    linguistic_scale,
)
from ..data.survey import (
    Survey,
    align_factors,
    array_factor_table,
    crisp_matrices,
    read_factors,
    read_survey,
)
from ..errors import (
    DegenerateDataError,
    FastinnoWarning,
    InputError,
    SchemaError,
    SingularMatrixError,
    format_keys,
)
from ..kernels import dematel as kd
from ..kernels import grey as kg
from ..kernels import twins
from ..results import DematelResult
from ..validate import UNSET, renamed

# The survey-side names (scales, surveys, factor tables, expert weights) live in fastinno.data;
# they stay importable from here.
__all__ = [
    "LinguisticScale",
    "Survey",
    "PAPER_SCALE",
    "SCALE_0_4",
    "WEIGHT_LABELS",
    "linguistic_scale",
    "read_survey",
    "read_factors",
    "expert_weights",
    "grey_dematel",
    "dematel",
]

_NORMALIZATION = _options.option("normalization")
_CFCS_SCOPE = _options.option("cfcs_scope")
_AGGREGATION = _options.option("aggregation")
_THRESHOLD_RE = re.compile(r"^\s*mean\s*(?:\+\s*([0-9]*\.?[0-9]+)\s*\*?\s*sd)?\s*$", re.I)


def _threshold_value(t: np.ndarray, threshold) -> float:
    if isinstance(threshold, str):
        m = _THRESHOLD_RE.match(threshold)
        if not m:
            raise InputError(
                f"threshold must be 'mean', 'mean+<k>sd' (e.g. 'mean+1sd') or a number; got "
                f"{threshold!r}."
            )
        k = float(m.group(1)) if m.group(1) else 0.0
        return float(t.mean() + k * t.std()) if k else float(t.mean())
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number)):
        raise InputError(f"threshold must be 'mean', 'mean+<k>sd' or a number; got {threshold!r}.")
    if not math.isfinite(float(threshold)):
        raise InputError(f"threshold must be finite; got {threshold!r}.")
    if float(threshold) < 0:
        raise InputError(
            f"threshold must be >= 0 (T has no negative entries) or 'mean' / 'mean+<k>sd'; got "
            f"{threshold!r}."
        )
    return float(threshold)


def _ordering(codes: Sequence[str], values: np.ndarray) -> str:
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(-values, kind="stable")  # descending, ties in factor order
    v = values[order]
    same = np.abs(v[:-1] - v[1:]) <= 1e-12 * np.maximum(1.0, np.abs(v[:-1]))
    seps = np.where(same, "= ", "> ").tolist()
    names = [codes[i] for i in order.tolist()]
    return " ".join([names[0]] + [sep + name for sep, name in zip(seps, names[1:])])


def _singular_error(n_mat: np.ndarray, normalization: str, detail: str) -> SingularMatrixError:
    rho = ""
    if n_mat.shape[0] <= 500:
        try:
            rho = f" (spectral radius of N = {np.max(np.abs(np.linalg.eigvals(n_mat))):.12g})"
        except np.linalg.LinAlgError:  # pragma: no cover
            rho = ""
    hint = (
        "normalization='max' divides by the larger of the max row and column sums and usually "
        "brings it below 1"
        if normalization == "row"
        else "the survey has a closed group of factors that pass all their influence among "
        "themselves; check those scores (a factor with no influence received or given from "
        "outside the group)"
    )
    return SingularMatrixError(
        f"DEMATEL cannot compute T = N (I - N)^-1: I - N is {detail}{rho}. This happens when the "
        f"spectral radius of N is (nearly) 1, e.g. with normalization={normalization!r} a group "
        f"of factors whose rows all reach the maximum row sum and influence only each other. Fix: "
        f"{hint}."
    )




def _small(matrix: np.ndarray, kernel, numpy_version):
    """The numpy version of a kernel for matrices of up to ``_config.DEMATEL_NUMPY_MAX_N``
    factors (the same bits, nothing to compile), else the numba kernel."""
    small = matrix.shape[0] <= _config.DEMATEL_NUMPY_MAX_N and twins.numpy_allowed()
    return numpy_version if small else kernel


def _total_relation(z: np.ndarray, norm_code: int, normalization: str):
    s = float(_small(z, kd.normalization_scale, kd.normalization_scale_numpy)(z, norm_code))
    if not s > 0:
        raise DegenerateDataError(
            "DEMATEL: every influence score is zero (the aggregated direct-relation matrix is all "
            "zeros), so there is nothing to normalise. Check the survey scores and scale."
        )
    n_mat = np.ascontiguousarray(z / s)
    try:
        with single_threaded_blas(n_mat.shape[0] <= _config.DEMATEL_SERIAL_BLAS_MAX_N):
            t = kd.total_relation_matrix(n_mat)
    except np.linalg.LinAlgError:
        raise _singular_error(n_mat, normalization, "singular") from None
    cond, t_min, t_absmax, n_bad = _small(t, kd.relation_checks, kd.relation_checks_numpy)(n_mat, t)
    if not np.isfinite(cond) or cond > _config.DEMATEL_COND_LIMIT or n_bad:
        raise _singular_error(
            n_mat, normalization, f"ill-conditioned (1-norm condition number {cond:.3g})"
        )
    if t_min < -1e-9 * max(1.0, float(t_absmax)):
        raise _singular_error(
            n_mat, normalization, "not invertible by the DEMATEL series (T has negative entries)"
        )
    return s, n_mat, t


def _off_diagonal(a: np.ndarray) -> np.ndarray:
    """The off-diagonal entries of a square array in row-major order (one strided copy)."""
    n = a.shape[0]
    return a.reshape(-1)[1:].reshape(n - 1, n + 1)[:, :-1].reshape(-1)


def _relations_frame(codes: Sequence[str], t: np.ndarray, thr: float) -> pl.DataFrame:
    """The n (n - 1) off-diagonal pairs (from, to, t, above_threshold), built from arrays.

    ``from`` / ``to`` are an Enum of the factor codes (in factor order) gathered by integer
    index: no Python object per pair.
    """
    n = len(codes)
    codes = list(codes)
    dtype = pl.Enum(codes) if len(set(codes)) == n else pl.String
    values = pl.Series(codes, dtype=dtype)
    rows = np.arange(n, dtype=np.uint32)
    ii = np.repeat(rows, n - 1)
    jj = _off_diagonal(np.broadcast_to(rows, (n, n)).copy())
    tv = _off_diagonal(np.ascontiguousarray(t))
    return pl.DataFrame([  # index by a polars UInt32 series: eager, no query plan
        values[pl.Series(ii)].alias("from"),
        values[pl.Series(jj)].alias("to"),
        pl.Series("t", tv),
        pl.Series("above_threshold", tv > thr),
    ])


def _total_frame(codes: Sequence[str], t: np.ndarray) -> pl.DataFrame:
    """T as a frame: ``factor`` then one column per factor code.

    One Array series (a row of T per element) unnested into its fields: column j is T[:, j],
    with no per-column Python work.
    """
    codes = list(codes)
    frame = pl.Series("T", np.ascontiguousarray(t)).arr.to_struct(fields=codes).struct.unnest()
    return frame.insert_column(0, pl.Series("factor", codes, dtype=pl.String))


def _build_result(
    z, norm_code, normalization, threshold, table, experts, weights, options, boot=None
) -> DematelResult:
    s, n_mat, t = _total_relation(z, norm_code, normalization)
    r, c, prom, rel = _small(t, kd.influence_sums, kd.influence_sums_numpy)(t)
    codes = table["code"].to_list()
    thr = _threshold_value(t, threshold)
    factors = table.hstack([
        pl.Series("R", r),
        pl.Series("C", c),
        pl.Series("prominence", prom),
        pl.Series("relation", rel),
        pl.Series("role", ["cause" if v else "effect" for v in (rel > 0).tolist()], dtype=pl.String),
    ])
    if boot is not None:
        factors = factors.with_columns(*boot)
    relations = _relations_frame(codes, t, thr)
    total = _total_frame(codes, t)
    orderings = {
        "R": _ordering(codes, r),
        "C": _ordering(codes, c),
        "prominence": _ordering(codes, prom),
        "relation": _ordering(codes, rel),
    }
    options = {
        **options,
        "threshold": threshold,
        "threshold_value": thr,
        "normalization": normalization,
    }
    return DematelResult(
        total_relation=total,
        T=t,
        factors=factors,
        relations=relations,
        orderings=orderings,
        threshold=thr,
        direct=z,
        normalized=n_mat,
        scale_factor=s,
        experts=tuple(experts),
        expert_weights=weights,
        options=options,
    )


#: Resamples used by ``replicates=True``.
DEFAULT_BOOTSTRAP = 2000


def _check_bootstrap(n_boot, name: str) -> int:
    """Replicate count option -> number of resamples (True = DEFAULT_BOOTSTRAP, False/None = 0)."""
    if n_boot is None or n_boot is False:
        return 0
    if n_boot is True:
        return DEFAULT_BOOTSTRAP
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise InputError(
            f"{name} must be a non-negative integer (or True for {DEFAULT_BOOTSTRAP}); got "
            f"{n_boot!r}."
        )
    return int(n_boot)


def _bootstrap(a, b, w, agg, scope, norm_code, n_boot, seed, ci, name):
    """Run the expert bootstrap; return (polars columns, n_valid, seed used)."""
    if not 0 < ci < 1:
        raise InputError(f"ci must be in (0, 1); got {ci!r}.")
    if a.shape[0] < 2:
        raise InputError(
            f"The expert bootstrap needs at least 2 experts; the survey has {a.shape[0]}. Use "
            f"{name}=0."
        )
    seed = check_seed(seed)
    block = _config.DRAW_BLOCK
    n_blocks = -(-int(n_boot) // block)
    seeds = block_seeds(seed, 0, n_blocks)
    _, mult, r, c = kd.bootstrap_distinct(a, b, w, agg, scope, norm_code, seeds, int(n_boot), block)
    # T >= 0 entrywise when rho(N) < 1, so R, C >= 0; anything else is a degenerate resample
    valid = np.isfinite(r).all(axis=1) & np.isfinite(c).all(axis=1)
    valid &= (r > -1e-9).all(axis=1) & (c > -1e-9).all(axis=1)
    n_valid = int(mult[valid].sum())
    if n_valid < n_boot:
        warnings.warn(
            f"{n_boot - n_valid} of {n_boot} bootstrap resamples had an all-zero or singular "
            "direct-relation matrix and were left out of the intervals.",
            FastinnoWarning,
            stacklevel=3,
        )
    if n_valid == 0:
        raise DegenerateDataError("Every bootstrap resample was degenerate; no intervals.")
    r, c, mult = r[valid], c[valid], mult[valid]
    q = [50 * (1 - ci), 50 * (1 + ci)]
    cols = []
    for name, v in (("R", r), ("C", c), ("prominence", r + c), ("relation", r - c)):
        lo, hi = kd.weighted_percentile(v, mult, q)
        cols += [pl.Series(f"{name}_lower", lo), pl.Series(f"{name}_upper", hi)]
    cols.append(pl.Series("p_cause", (mult[:, None] * ((r - c) > 0)).sum(axis=0) / n_valid))
    return cols, n_valid, seed


# ----------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------


def grey_dematel(
    survey,
    *,
    factors=None,
    scale="paper",
    expert_weights=None,
    cfcs_scope: Literal["global", "row"] = "global",
    aggregation: Literal["cfcs_then_mean", "grey_mean_then_cfcs"] = "cfcs_then_mean",
    normalization: Literal["row", "max"] = "row",
    threshold="mean",
    replicates: int = UNSET,
    seed: int | None = None,
    ci: float = 0.95,
    weight_whitening: float = 0.5,
    bootstrap: int = UNSET,
) -> DematelResult:
    """Grey-DEMATEL key-factor analysis of an expert survey.

    Parameters
    ----------
    survey
        Anything :func:`read_survey` accepts: a long table (expert, from, to, score) as a file or
        polars frame, per-expert matrix CSVs, an Excel workbook with one sheet per expert, or a
        numpy array (n_experts, n, n) of scale codes.
    factors : path or frame, optional
        Factor table (code, name, group); fixes the factor order.
    scale : "paper" | "0-4" | path to TOML | LinguisticScale
        Linguistic scale -> grey numbers (default: the paper's Table 1, codes 1-5 or labels
        N/VL/L/H/VH).
    expert_weights : optional
        None/"equal", a sequence or mapping of crisp numbers, [lower, upper] intervals or Table 2
        labels (NI/LI/I/MI/VI), or a weights table; see :func:`expert_weights`.
    cfcs_scope : "global" | "row"
        Min/max of the CFCS over each expert's whole matrix (default) or within each row.
    aggregation : "cfcs_then_mean" | "grey_mean_then_cfcs"
        CFCS per expert then the weighted mean (the paper's order, default), or the weighted
        mean of grey bounds then one CFCS.
    normalization : "row" | "max"
        s = max row sum (paper, default) or max(max row sum, max column sum).
    threshold : "mean" | "mean+<k>sd" | float
        Influence-map threshold on T: its mean (default), mean + k standard deviations
        (population sd over all n^2 entries), or a value.
    replicates : int or bool
        Number of expert resamples (0 = none; True = 2,000, the default size for intervals).
    seed : int, optional
        Seed of the bootstrap (drawn and reported in ``options["seed"]`` when None).
    ci : float
        Coverage of the percentile intervals (default 0.95).
    weight_whitening : float
        Grey expert weights are whitened to lower + weight_whitening (upper - lower).
    bootstrap : int or bool, optional
        Deprecated name of ``replicates`` (a :class:`FutureWarning`).

    Returns
    -------
    DematelResult

    Notes
    -----
    CFCS: l~ = (l - mn)/D, u~ = (u - mn)/D, Y = (l~(1 - l~) + u~ u~)/(1 - l~ + u~),
    z = mn + Y D (Bai & Sarkis 2013). Z = sum_k w_k Z^k; N = Z / s; T = N (I - N)^{-1} solved as
    (I - N) X = I, T = X - I; R = T 1, C = 1^T T. Xia, Li & Yin (2020), section 3.1.2.
    Bootstrap: B resamples of experts with replacement, drawn in seed blocks (identical for any
    thread count). A resample's result depends only on how often each expert was drawn, so
    only the distinct resamples are solved (at most C(2K - 1, K), e.g. 462 for K = 6) and kept
    with their multiplicities: memory O(U (K + n)), independent of B for small panels of
    experts. Intervals are exact percentiles of the B resamples (numpy's linear interpolation)
    computed from the weighted distinct values; ``p_cause`` is the share of resamples with
    R - C > 0.
    """
    replicates = renamed("replicates", replicates, "bootstrap", bootstrap, 0)
    cfcs_scope = _CFCS_SCOPE.check(cfcs_scope)
    aggregation = _AGGREGATION.check(aggregation)
    normalization = _NORMALIZATION.check(normalization)
    scope_code = _CFCS_SCOPE.code(cfcs_scope)
    agg_code = _AGGREGATION.code(aggregation)
    norm_code = _NORMALIZATION.code(normalization)
    replicates = _check_bootstrap(replicates, "replicates")
    sc = linguistic_scale(scale)
    if isinstance(survey, np.ndarray) and survey.dtype.kind in "biuf":
        lower, upper, experts, codes = grey_bounds_array(survey, sc)
        table, perm = array_factor_table(codes, factors)
        if perm is not None:
            lower = np.ascontiguousarray(lower[:, perm][:, :, perm])
            upper = np.ascontiguousarray(upper[:, perm][:, :, perm])
        source = "<array>"
    else:
        sv = read_survey(survey)
        sv, table = align_factors(sv, factors)
        lower, upper = grey_bounds(sv, sc)
        experts, source = sv.experts, sv.source
    w = linguistic.expert_weights(expert_weights, experts, whitening=weight_whitening)
    if agg_code == kd.AGG_CFCS_THEN_MEAN:
        crisp = _small(lower[0], kg.cfcs_experts, kg.cfcs_experts_numpy)(lower, upper, scope_code)
        z = np.tensordot(w, crisp, axes=1)
        a_in, b_in = crisp, crisp
    else:
        lo = np.ascontiguousarray(np.tensordot(w, lower, axes=1))
        up = np.ascontiguousarray(np.tensordot(w, upper, axes=1))
        z = _small(lo, kg.cfcs_crisp, kg.cfcs_crisp_numpy)(lo, up, scope_code)
        a_in, b_in = lower, upper
    z = np.ascontiguousarray(z)
    np.fill_diagonal(z, 0.0)
    options = {
        "method": "grey_dematel",
        "scale": sc.name,
        "cfcs_scope": cfcs_scope,
        "aggregation": aggregation,
        "weight_whitening": weight_whitening,
        "replicates": replicates,
        "ci": ci,
        "source": source,
    }
    boot = None
    if replicates:
        boot, n_valid, seed_used = _bootstrap(
            a_in, b_in, w, agg_code, scope_code, norm_code, replicates, seed, ci, "replicates"
        )
        options.update(seed=seed_used, n_valid_resamples=n_valid)
    return _build_result(z, norm_code, normalization, threshold, table, experts, w, options, boot)


def dematel(
    matrix_or_matrices,
    *,
    factors=None,
    weights=None,
    normalization: Literal["row", "max"] = "row",
    threshold="mean",
    replicates: int = UNSET,
    seed: int | None = None,
    ci: float = 0.95,
    bootstrap: int = UNSET,
) -> DematelResult:
    """Plain (crisp) DEMATEL on one or more direct-relation matrices.

    Parameters
    ----------
    matrix_or_matrices
        A numpy array (n, n) or (n_matrices, n, n), a list of arrays, or anything
        :func:`read_survey` accepts with numeric scores. Several matrices are averaged with
        ``weights`` (equal by default). Factor codes default to C1..Cn.
    factors : optional
        Factor table (code, name, group) or a list of codes.
    weights : optional
        Matrix weights, as for :func:`expert_weights`.
    normalization, threshold, seed, ci
        As in :func:`grey_dematel`.
    replicates : int or bool
        Number of matrix resamples, as in :func:`grey_dematel` (``bootstrap=`` is its old name).

    Returns
    -------
    DematelResult

    Notes
    -----
    N = Z / s, T = N (I - N)^{-1} = (I - N)^{-1} - I via one LU solve, R = T 1, C = 1^T T,
    prominence R + C, relation R - C (Xia et al. 2020, section 3.1.2).
    """
    normalization = _NORMALIZATION.check(normalization)
    norm_code = _NORMALIZATION.code(normalization)
    replicates = _check_bootstrap(renamed("replicates", replicates, "bootstrap", bootstrap, 0), "replicates")
    if (
        isinstance(matrix_or_matrices, (list, tuple))
        and matrix_or_matrices
        and isinstance(matrix_or_matrices[0], np.ndarray)
    ):
        mats = [np.asarray(m) for m in matrix_or_matrices]
        shapes = [m.shape for m in mats]
        if len(set(shapes)) > 1:
            raise SchemaError(
                f"DEMATEL matrices must all have the same square shape (n, n); got shapes "
                f"{format_keys(shapes)} (one per matrix, in order)."
            )
        matrix_or_matrices = np.stack(mats)
    if isinstance(matrix_or_matrices, np.ndarray) and matrix_or_matrices.dtype != object:
        arr = np.asarray(matrix_or_matrices, dtype=np.float64)
        if arr.ndim == 2:
            arr = arr[None]
        if arr.ndim != 3 or arr.shape[1] != arr.shape[2] or arr.shape[1] < 2:
            raise SchemaError(
                f"DEMATEL needs a square (n, n) matrix or a stack (k, n, n) with n >= 2; got shape "
                f"{np.shape(matrix_or_matrices)}."
            )
        if not np.all(np.isfinite(arr)) or (arr < 0).any():
            pos = np.argwhere(~np.isfinite(arr) | (arr < 0))[:5]
            raise InputError(
                f"DEMATEL matrices must be finite and >= 0; bad entries at (matrix, row, col) "
                f"{format_keys([tuple(int(v) for v in p) for p in pos])}."
            )
        k, n, _ = arr.shape
        experts = tuple(f"matrix{e + 1}" for e in range(k))
        codes = tuple(f"C{i + 1}" for i in range(n))
        diag = np.einsum("kii->ki", arr)
        if (diag != 0).any():
            bad = [(experts[e], codes[i]) for e, i in np.argwhere(diag != 0)]
            warnings.warn(
                f"DEMATEL input: {len(bad)} non-zero diagonal value(s) at (matrix, factor) "
                f"{format_keys(bad)} were set to zero.",
                FastinnoWarning,
                stacklevel=2,
            )
            arr = arr.copy()
            for e in range(k):
                np.fill_diagonal(arr[e], 0.0)
        table, perm = array_factor_table(codes, factors)
        if perm is not None:
            arr = arr[:, perm][:, :, perm]
        source = "<array>"
    else:
        sv = read_survey(matrix_or_matrices)
        sv, table = align_factors(sv, factors)
        arr = crisp_matrices(sv)
        experts = sv.experts
        source = sv.source
    arr = np.ascontiguousarray(arr)
    w = linguistic.expert_weights(weights, experts)
    z = np.ascontiguousarray(np.tensordot(w, arr, axes=1)) if arr.shape[0] > 1 else arr[0].copy()
    options = {"method": "dematel", "replicates": replicates, "ci": ci, "source": source}
    boot = None
    if replicates:
        boot, n_valid, seed_used = _bootstrap(
            arr, arr, w, kd.AGG_CFCS_THEN_MEAN, 0, norm_code, replicates, seed, ci, "replicates"
        )
        options.update(seed=seed_used, n_valid_resamples=n_valid)
    return _build_result(z, norm_code, normalization, threshold, table, experts, w, options, boot)
