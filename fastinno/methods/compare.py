"""``fi.compare_methods``: many ranking configurations on one panel, and how far they agree.

A configuration is a registered method, a registered weighting and a normalization. Every
configuration is run cell by cell as :func:`fastinno.evaluate` runs it; the rank correlations of
every pair of configurations come from each coefficient's all-pairs function, one call per cell;
order reversals come from one inversion count per pair and cell (O(n log n)).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import polars as pl

from .. import _options as opt
from .._threads import single_threaded_blas
from ..errors import DegenerateDataError, FastinnoWarning, InputError, format_keys
from ..kernels import agreement as ka
from ..kernels import rank as kr
from . import mcda
from . import registry as reg
from .comparison_results import ComparisonResult
from .evaluate import (
    INTERNAL,
    average_ranks,
    best_first_ranks,
    cell_weights,
    check_constant,
    method_scores,
    panel_cells,
)

__all__ = ["compare_methods", "ComparisonResult", "DEFAULT_WEIGHTS", "DEFAULT_CORRELATIONS"]

#: Weightings and coefficients compared by default (those of them that are registered).
DEFAULT_WEIGHTS = ("equal", "entropy", "critic")
DEFAULT_CORRELATIONS = ("spearman", "ws", "rw")


def _names(kind: str, given, default, table) -> tuple[str, ...]:
    """Canonical registered names: defaults keep the registered ones; given ones must all be."""
    if given is None:
        return tuple(n for n in default if n in table)
    values = (given,) if isinstance(given, str) else tuple(given)
    if not values:
        raise InputError(f"{kind} is empty: choose from {', '.join(repr(k) for k in table)}.")
    canonical = [opt.check(kind, v) for v in values]
    missing = [n for n in canonical if n not in table]
    if missing:
        raise InputError(
            f"{kind} {format_keys(missing)} not available in this installation; registered: "
            f"{', '.join(repr(k) for k in table)}."
        )
    if len(set(canonical)) != len(canonical):
        raise InputError(f"{kind} has duplicates: {canonical}.")
    return tuple(canonical)


def _configs(methods, weights, normalize):
    """(method spec, weighting, normalization, label) of every configuration, and the skipped."""
    norms = (normalize,) if normalize is None or isinstance(normalize, str) else tuple(normalize)
    if not norms:
        raise InputError("normalize is empty: give None (each method's own) or normalizations.")
    norms = tuple(None if n is None else opt.check("standardize", n, name="normalize") for n in norms)
    out, skipped, seen = [], [], set()
    for name in methods:
        spec = reg.METHODS[name]
        for nm in norms:
            if nm is None:
                use = spec.default_normalize
            elif nm in spec.normalizations:
                use = nm
            else:
                skipped.append(f"{name}/{nm}")
                continue
            for w in weights:
                label = f"{name}/{w}/{use or INTERNAL}"
                if label not in seen:  # a method's own normalization may also be listed by name
                    seen.add(label)
                    out.append((spec, w, use, label))
    if not out:
        raise InputError(f"no method takes normalize={normalize!r}; pass normalize=None (each method's own).")
    if skipped:
        warnings.warn(f"compare_methods: skipped {format_keys(skipped)} (the method does not take that "
                      "normalization).", FastinnoWarning, stacklevel=3)
    return out, skipped


def _enum(values: Sequence[str], idx: np.ndarray) -> pl.Series:
    cats = list(dict.fromkeys(values))
    pos = {v: k for k, v in enumerate(cats)}
    codes = np.asarray([pos[v] for v in values], dtype=np.int64)[idx]
    return pl.Series(cats, dtype=pl.Enum(cats)).gather(codes)


@single_threaded_blas()  # small GEMMs: a threaded BLAS only waits on a busy machine
def compare_methods(
    panel,
    *,
    methods: Sequence[str] | None = None,
    weights: Sequence[str] | None = None,
    normalize: str | Sequence[str | None] | None = None,
    by: str = "year",
    correlations: Sequence[str] | None = None,
    reversals: bool = True,
) -> ComparisonResult:
    """Run many ranking configurations and measure how far their rankings agree.

    Parameters
    ----------
    panel : fastinno.Panel
        Complete panel.
    methods : sequence of str, optional
        Registered ranking methods; default every registered method except ``hew_topsis``
        (the model of :func:`fastinno.hew_topsis`, which ranks like TOPSIS on max-ratio data).
    weights : sequence of str, optional
        Registered weightings; default those of ``("equal", "entropy", "critic")`` registered.
    normalize : str, sequence or None
        ``None``: each method's own default normalization (the label names it, ``internal`` for
        methods that normalize on their own); a name or several: every method that accepts it
        (the others are skipped with a warning).
    by : {"year", "panel"}
        As in :func:`fastinno.evaluate`.
    correlations : sequence of str, optional
        Registered rank correlations; default those of ``("spearman", "ws", "rw")`` registered.
    reversals : bool
        Count the order reversals of every pair of configurations (O(n log n) per pair and
        cell, the costliest part for many configurations); ``False`` leaves ``.reversals`` empty.

    Returns
    -------
    ComparisonResult
        ``.scores``, ``.correlation``, ``.agreement``, ``.reversals``, ``.stability``.

    Notes
    -----
    Ranks are average ranks, 1 = best, whatever the direction of each method's score; scores
    read by a coefficient ``on_scores`` are oriented so that larger is better. Kendall's W with tie
    correction: W = 12 S / (k^2 (n^3 - n) - k sum T) (Kendall & Babington Smith 1939). A reversal is
    a pair of regions ordered strictly one way by one configuration and strictly the other way by
    the other; its share is over the n (n - 1) / 2 pairs (the discordant pairs of Kendall's tau).
    """
    method_names = _names("method", methods, tuple(n for n in reg.METHODS if n != "hew_topsis"), reg.METHODS)
    weight_names = _names("weights", weights, DEFAULT_WEIGHTS, reg.WEIGHTINGS)
    corr_names = _names("correlation", correlations, DEFAULT_CORRELATIONS, reg.CORRELATIONS)
    if not method_names or not weight_names:
        raise InputError("no registered method or weighting to compare.")
    by = opt.check("by", by)
    configs, skipped = _configs(method_names, weight_names, normalize)
    if len(configs) < 2:
        raise InputError(f"compare_methods needs at least 2 configurations; got {[c[3] for c in configs]}.")
    x3 = panel_cells(panel, by)
    check_constant(panel, x3, by)
    is_cost = np.ascontiguousarray(panel.is_cost, dtype=np.bool_)
    c, n, _ = x3.shape
    k = len(configs)
    # the methods run cell by cell: one thread per cell-sized kernel call (waking the pool for
    # every small call costs more than it gives); the batched rank work below is parallel
    with mcda.threads_for(x3[0].size):
        wts = {w: cell_weights(w, panel, x3)[0] for w in weight_names}
        scores = np.empty((k, c, n))
        kept, failed = [], []
        for q, (spec, w, nm, label) in enumerate(configs):
            try:
                scores[q] = method_scores(spec, x3, wts[w], is_cost, nm, dict(spec.options))
                kept.append(q)
            except DegenerateDataError as exc:
                if methods is not None:  # asked for by name: the user hears why it cannot run
                    raise
                failed.append((label, str(exc)))
        if failed:  # the default list: leave out what this data cannot feed, and say so
            warnings.warn(
                f"{len(failed)} configuration(s) left out, undefined on this panel: "
                + "; ".join(f"{label}: {why}" for label, why in failed[:3])
                + (" ..." if len(failed) > 3 else ""), FastinnoWarning, stacklevel=3,
            )
            configs, scores = [configs[q] for q in kept], scores[kept]
            k = len(configs)
            skipped = [*skipped, *(label for label, _ in failed)]
            if k < 2:
                raise InputError(f"compare_methods needs at least 2 configurations; {k} can run on this panel.")
    with mcda.threads_for(x3.size * k):
        higher = np.array([spec.higher_is_better for spec, *_ in configs])
        oriented = np.where(higher[:, None, None], scores, -scores)
        avg = average_ranks(oriented.reshape(k * c, n), True).reshape(k, c, n)
        best = best_first_ranks(oriented.reshape(k * c, n), True).reshape(k, c, n)
        r3 = np.ascontiguousarray(avg.transpose(1, 0, 2))  # (cells, configs, alternatives)
        s3 = np.ascontiguousarray(oriented.transpose(1, 0, 2))
        coef = {}
        for name in corr_names:
            cs = reg.CORRELATIONS[name]
            src = s3 if cs.on_scores else r3
            coef[name] = np.stack([np.asarray(cs.pairs(src[q]), dtype=np.float64) for q in range(c)])
        kw = np.array([kr.kendall_w(r3[q]) for q in range(c)])
        disc = ka.pair_counts_cells(r3)[0] if reversals else None
    labels = [cfg[3] for cfg in configs]
    years = list(panel.years) if by == "year" else [None]
    tables = _tables(panel, by, configs, labels, years, scores, best, avg, coef, kw, disc, n)
    opts = {
        "methods": list(method_names), "weights": list(weight_names), "normalize": normalize, "by": by,
        "correlations": list(corr_names), "reversals": bool(reversals), "configs": labels, "skipped": skipped,
        "symmetric": [nm for nm in corr_names if reg.CORRELATIONS[nm].symmetric],
    }
    return ComparisonResult(**tables, options=opts)


def _year_col(years, idx):
    return pl.Series("year", np.asarray(years, dtype=object)[idx].tolist(), dtype=pl.Int64) \
        if years == [None] else pl.Series("year", np.asarray(years, dtype=np.int64)[idx])


def _tables(panel, by, configs, labels, years, scores, best, avg, coef, kw, disc, n):
    k, c, _ = scores.shape
    r, y = panel.n_regions, panel.n_years
    # ---- scores: configuration-major, then panel order (region, then year) -----------------
    if by == "year":
        order = lambda a: a.transpose(0, 2, 1).reshape(k, r * y)  # noqa: E731
    else:
        order = lambda a: a.reshape(k, r * y)  # noqa: E731
    cfg_idx = np.repeat(np.arange(k), r * y)
    reg_idx = np.tile(np.repeat(np.arange(r), y), k)
    yr = np.tile(np.tile(np.asarray(panel.years, dtype=np.int64), r), k)
    direction = ["higher_is_better" if s.higher_is_better else "lower_is_better" for s, *_ in configs]
    scores_df = pl.DataFrame([
        _enum(labels, cfg_idx).alias("config"),
        _enum([s.name for s, *_ in configs], cfg_idx).alias("method"),
        _enum([w for _, w, _, _ in configs], cfg_idx).alias("weights"),
        _enum([nm or INTERNAL for _, _, nm, _ in configs], cfg_idx).alias("normalize"),
        pl.Series("region", list(panel.regions)).gather(reg_idx),
        pl.Series("year", yr),
        pl.Series("score", order(scores).ravel()),
        pl.Series("rank", order(best).ravel()),
        _enum(direction, cfg_idx).alias("direction"),
    ])
    # ---- pairs of configurations ------------------------------------------------------------
    ia, ib = np.triu_indices(k, 1)
    n_pairs = ia.size
    cell_of_pair = np.repeat(np.arange(c), n_pairs)
    frames = []
    for name, mat in coef.items():
        if reg.CORRELATIONS[name].symmetric:
            a, b = ia, ib
        else:
            a, b = np.nonzero(~np.eye(k, dtype=bool))
        cells = np.repeat(np.arange(c), a.size)
        frames.append(pl.DataFrame([
            _year_col(years, cells),
            _enum(labels, np.tile(a, c)).alias("config_a"),
            _enum(labels, np.tile(b, c)).alias("config_b"),
            pl.Series("coefficient", [name] * cells.size, dtype=pl.String),
            pl.Series("value", mat[:, a, b].ravel()),
        ]))
    correlation = pl.concat(frames) if frames else pl.DataFrame(
        schema={"year": pl.Int64, "config_a": pl.Enum(labels), "config_b": pl.Enum(labels),
                "coefficient": pl.String, "value": pl.Float64})
    agree = {"year": _year_col(years, np.arange(c)), "kendall_w": kw}
    off = ~np.eye(k, dtype=bool)
    for name, mat in coef.items():
        agree[f"mean_{name}"] = np.array([mat[q][off].mean() for q in range(c)])
    total = n * (n - 1) // 2
    keep = np.arange(c * n_pairs) if disc is not None else np.arange(0)
    rev = disc[:, ia, ib].ravel() if disc is not None else np.zeros(0, dtype=np.int64)
    reversals = pl.DataFrame([
        _year_col(years, cell_of_pair[keep]),
        _enum(labels, np.tile(ia, c)[keep]).alias("config_a"),
        _enum(labels, np.tile(ib, c)[keep]).alias("config_b"),
        pl.Series("pairs", np.full(rev.size, total, dtype=np.int64)),
        pl.Series("reversed", rev),
        pl.Series("share", rev / total),
    ])
    # ---- stability of each region across configurations --------------------------------------
    med = np.median(avg, axis=0)  # (cells, alternatives)
    lo = avg.min(axis=0)
    hi = avg.max(axis=0)
    flat = (lambda a: a.T.ravel()) if by == "year" else (lambda a: a.ravel())
    stability = pl.DataFrame({
        "region": np.repeat(np.asarray(panel.regions, dtype=object), y).tolist(),
        "year": np.tile(np.asarray(panel.years, dtype=np.int64), r),
        "median_rank": flat(med), "best_rank": flat(lo), "worst_rank": flat(hi), "rank_range": flat(hi - lo),
    })
    return {"scores": scores_df, "correlation": correlation, "agreement": pl.DataFrame(agree),
            "reversals": reversals, "stability": stability}
