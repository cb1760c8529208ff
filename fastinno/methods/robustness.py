"""Robustness engine: Monte Carlo weight perturbations, method-choice uncertainty, bootstrap.

``simulate`` draws thousands of weight vectors (and optionally method choices), re-evaluates the
model for each, ranks the regions of every year in every draw and reports how stable the index
and the ranking are. ``bootstrap`` resamples regions (or blocks of years) and re-estimates the
data-dependent parts of the model (standardization bounds, ideal points, objective weights).
``simulate(model="combined")`` perturbs the weighted steps of the combined evaluation
(:mod:`._combined_model`, plugged in through the ``_Model.custom`` hook; its index lies in [0, 1]).

Streaming: draws run in chunks (a whole number of seeding blocks of ``_config.DRAW_BLOCK``
draws). Each chunk folds into fixed-size accumulators, so memory is
O(chunk x regions + regions^2 x years + regions x years x bins), independent of the number of
draws (the exact-quantile draw matrix below, capped by ``quantile_memory``, is one of two
documented exceptions):

- rank-position counts ``(years, regions, regions)`` int32: every rank statistic (mean, median,
  5 / 95 % quantiles, top-k probabilities, the acceptability matrix) is **exact**;
- index histograms ``(years, regions, bins)`` on each cell's a-priori range ``[lo, hi]`` (the
  index of a weighted model is a mediant of per-indicator terms, so it cannot leave the range
  spanned by them): index quantiles are accurate to one bin, ``(hi - lo) / bins`` (reported as
  ``RobustnessResult.index_resolution``; at most ``1 / bins`` for indices in [0, 1]), and are
  clamped to the exact running min / max;
- exact index quantiles instead, when the draw matrix fits ``quantile_memory`` (default
  ``EXACT_QUANTILE_MEMORY``): every draw's index (float64, as the ranking kernel computed it)
  is kept in a ``(years, draws, combinations, regions)`` matrix (8 x years x values x regions
  bytes), filled by global draw position (so chunking and backend do not matter), and
  ``median_index`` / ``index_p05`` / ``index_p95`` are numpy's linear quantiles of it
  (``index_resolution`` 0, ``options["quantiles"] == "exact"``; no histograms are kept);
- sums (for means) in exact fixed point: each value times a power of two (exact), truncated to
  an integer and added as a two-word integer, so means are identical for any chunking, thread
  count or backend and no per-block state is kept (memory does not grow with the draws);
- Spearman's rho per draw goes into a 2^16-bin histogram on [-1, 1] (``rho_p05`` accurate to
  3.1e-5), an exact running min and an exact fixed-point sum.

The other documented exception: ``bootstrap(over="years")`` keeps every replicate's growth rates
exactly, (replicates x regions x 2) float64 placed by replicate index, for exact quantiles; it
grows with the replicates and is capped by ``GROWTH_MEMORY_BUDGET`` (a ``ConfigError`` before
the run when it would not fit).

Seeding: block ``k`` uses ``SeedSequence(seed, spawn_key=(k,))``; results are bit-identical for
any ``chunk_size``, numba thread count and backend (local or Dask), on the same BLAS build.
"""

from __future__ import annotations

import itertools
import math
import numbers
import os
import threading
import time
import warnings
import weakref
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from .. import _config
from .._random import block_seeds, check_seed
from ..errors import ConfigError, DegenerateDataError, FastinnoWarning, InputError, format_keys
from ..kernels import distance as kd
from ..kernels import montecarlo as km
from ..kernels import normalize as kn
from ..kernels import relational as kgr
from ..kernels import resample as kr
from ..kernels import weights as kw
from ..validate import check_choice, check_memory, check_weights, weights_by_name

__all__ = ["simulate", "bootstrap", "simulate_weights", "MODELS", "SCHEMES"]

MODELS = ("hew-topsis", "topsis", "gra", "weighted-sum", "combined")
SCHEMES = ("dirichlet", "uniform", "hierarchical", "simplex", "given")
_STANDARDIZE = {"max_ratio": kn.MAX_RATIO, "minmax": kn.MINMAX, "vector": kn.VECTOR, "zscore": kn.ZSCORE}
_SCOPE = {"panel": kn.SCOPE_PANEL, "region": kn.SCOPE_REGION, "year": kn.SCOPE_YEAR}
_FORM = {"ratio2": km.RATIO2, "closeness": km.CLOSENESS}

#: Memory allowed for the index histograms before the bin count is halved (bytes).
HIST_MEMORY_BUDGET = 512 * 2**20
#: Memory allowed for the rank-position counts (bytes).
COUNTS_MEMORY_BUDGET = 1536 * 2**20
#: Memory for one chunk's rank codes (4 bytes per draw and region), which sets the default chunk
#: size (bytes).
CHUNK_MEMORY = 32 * 2**20
#: Below this many (draw, region) cells per chunk and year the work stays on the calling thread.
PARALLEL_MIN_CELLS = 256 * 1024
#: Bins of the Spearman-rho histogram on [-1, 1].
RHO_BINS = 2**16
#: Memory allowed for the replicates' growth values of ``bootstrap(over="years")`` (bytes): they
#: are kept exactly, (replicates x regions x 2) float64, so this is the one store that grows with
#: the number of replicates.
GROWTH_MEMORY_BUDGET = 2**30
#: Second seed stream of each replicate block (``block_seeds(..., stream=)``): the growth-term resample.
_GROWTH_STREAM = 1
#: Default ``quantile_memory``: bytes the exact index quantiles may keep (the draw matrix). 64 MiB
#: = 8M index values (e.g. 800 regions x 10 years x 1,000 draws) are exact by default; larger runs
#: use the histograms unless asked (keeping and selecting 30M values costs about as much as the
#: 10,000-draw Monte Carlo of 3,000 regions itself: measured 0.4 s).
EXACT_QUANTILE_MEMORY = 64 * 2**20


# ----------------------------------------------------------------------------------------------
# model preparation: everything that does not depend on the weights
# ----------------------------------------------------------------------------------------------


@dataclass
class _Model:
    """Weight-independent model state: index = f(W2 @ at1, W2 @ at2) or W @ at1."""

    name: str
    form: int  # km.RATIO2 / CLOSENESS / LINEAR
    at1: np.ndarray  # (n_years, n_indicators, n_regions)
    at2: np.ndarray | None
    options: dict
    #: A model with its own evaluation (``model="combined"``): ``custom.index(w, y)`` gives the
    #: (draws, regions) index of weight rows ``w`` in year ``y``, ``custom.producer(w)`` a
    #: producer for :func:`_fold`, ``custom.bounds()`` the a-priori range; ``at1`` then only fixes
    #: the shape (years, indicators, regions).
    custom: Any = None


def _panel_parts(panel: Any):
    from ..panel import Panel

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


def _standardized(cube, is_cost, panel, standardize, scope, constant):
    method = _STANDARDIZE[check_choice("standardize", standardize, tuple(_STANDARDIZE))]
    sc = _SCOPE[check_choice("scope", scope, tuple(_SCOPE))]
    check_choice("constant", constant, ("error", "zero"))
    if method == kn.MAX_RATIO:
        from .ideal_solution import _check_max_ratio  # the ideal-solution model's own rule

        _check_max_ratio(cube, is_cost, panel)
    const = np.asarray(kn.constant_cells(cube, sc))
    if constant == "error" and const.any():
        k, j = np.argwhere(const)[0]
        where = {kn.SCOPE_PANEL: "over the whole panel", kn.SCOPE_REGION: f"in region {panel.regions[k]!r}",
                 kn.SCOPE_YEAR: f"in year {panel.years[k]}"}[sc]
        names = sorted({panel.indicators[j] for _, j in np.argwhere(const)})
        raise DegenerateDataError(
            f"Indicator(s) {format_keys(names)} are constant {where} (first: {panel.indicators[j]!r}): "
            f"standardization divides by max - min = 0. Drop them, use another scope, or pass "
            f"model_options={{'constant': 'drop'}} (removes them) or {{'constant': 'zero'}}."
        )
    return np.ascontiguousarray(kn.standardize_cube(cube, is_cost, method, sc)), sc


def _transpose_cube(a):
    # (R, Y, J) -> (Y, J, R), C-contiguous: each year's GEMM operand
    return np.ascontiguousarray(np.transpose(a, (1, 2, 0)))


_DEFAULT_OPTIONS = {
    "hew-topsis": {"scope": "panel", "standardize": "max_ratio", "form": "ratio2", "constant": "error"},
    "topsis": {"scope": "year", "standardize": "minmax", "form": "closeness", "constant": "error"},
    "gra": {"scope": "year", "standardize": "minmax", "rho": 0.5, "constant": "error"},
    "weighted-sum": {"scope": "year", "standardize": "minmax", "constant": "error"},
}


def _model_defaults(model: str) -> dict:
    """Options of ``model`` and their defaults (the combined model's live in its own module)."""
    if model == "combined":
        from ._combined_model import DEFAULT_OPTIONS

        return dict(DEFAULT_OPTIONS)
    return dict(_DEFAULT_OPTIONS[model])


def _prepare_model(panel, model: str, options: Mapping | None) -> tuple[_Model, np.ndarray]:
    """Standardized operands of the model and the model's base weights."""
    check_choice("model", model, MODELS)
    if model == "combined":
        from ._combined_model import prepare

        return prepare(panel, options)
    opts = dict(_DEFAULT_OPTIONS[model])
    options = dict(options or {})
    weights = options.pop("weights", None)
    unknown = sorted(set(options) - set(opts))
    if unknown:
        raise InputError(
            f"Unknown model_options {format_keys(unknown)} for model {model!r}: allowed are "
            f"{', '.join(repr(k) for k in [*opts, 'weights'])}."
        )
    opts.update(options)
    cube, is_cost = _panel_parts(panel)
    x, sc = _standardized(cube, is_cost, panel, opts["standardize"], opts["scope"], opts["constant"])
    if model in ("hew-topsis", "topsis"):
        form = _FORM[check_choice("form", opts["form"], tuple(_FORM))]
        a_pos, a_neg = kn.squared_deviations(x, sc)
        m = _Model(model, form, _transpose_cube(a_pos), _transpose_cube(a_neg), opts)
    elif model == "weighted-sum":
        m = _Model(model, km.LINEAR, _transpose_cube(x), None, opts)
    else:  # gra: coefficients per scope cell (the year cross-section by default)
        rho = float(opts["rho"])
        if not 0.0 < rho <= 1.0:
            raise InputError(f"gra distinguishing coefficient rho must be in (0, 1]; got {rho}.")
        if sc != kn.SCOPE_YEAR:
            raise InputError("model 'gra' compares regions within a year: use scope='year'.")
        xi = np.empty_like(x)
        for y in range(x.shape[1]):
            xi[:, y, :] = kgr.grey_relational_coefficients(np.ascontiguousarray(x[:, y, :]), rho)
        m = _Model(model, km.LINEAR, _transpose_cube(xi), None, opts)
    base = _base_weights(panel, weights, x)
    return m, base


def _drop_constant(panel, model, model_options, given=None, choices=None):
    """``constant="drop"``: the panel without the indicators constant in some scope cell.

    As in :func:`fastinno.hew_topsis`: every indicator whose raw values are constant within a cell
    of the model's scope (of any scope a method-choice run uses) is removed, base weights given as
    an array or mapping are renormalised over the rest, and a :class:`FastinnoWarning` says what
    was dropped. Returns ``(panel, model_options, given)`` with ``constant="error"``.
    """
    options = dict(model_options or {})
    if options.get("constant") != "drop":
        return panel, model_options, given
    from ..panel import Panel

    options["constant"] = "error"
    models = list((choices or {}).get("model", [model]))
    scopes = set((choices or {}).get("scope", []))
    if models == ["combined"]:
        return panel, model_options, given  # the combined evaluation drops per year, as combined_evaluation
    for m in models:
        check_choice("model", m, MODELS)
        # the combined model's periods are years
        scopes.add("year" if m == "combined" else options.get("scope", _DEFAULT_OPTIONS[m]["scope"]))
    cube, _ = _panel_parts(panel)
    const = np.zeros(cube.shape[2], dtype=bool)
    for sc in sorted(scopes):
        const |= np.asarray(kn.constant_cells(cube, _SCOPE[check_choice("scope", sc, tuple(_SCOPE))])).any(axis=0)
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


def _base_weights(panel, weights, x) -> np.ndarray:
    n = panel.system.n_indicators
    if weights is None or (isinstance(weights, str) and weights == "equal-hierarchical"):
        return np.ascontiguousarray(panel.system.base_weights(), dtype=np.float64)
    if isinstance(weights, str):
        check_choice("weights", weights, ("equal-hierarchical", "equal", "entropy", "max_deviation"))
        if weights == "equal":
            return np.full(n, 1.0 / n)
        flat = np.ascontiguousarray(x.reshape(-1, n))
        if weights == "entropy":
            if (flat < 0).any():
                raise DegenerateDataError(
                    "entropy weights need non-negative standardized values; use standardize="
                    "'minmax' or 'max_ratio'."
                )
            return np.asarray(kw.entropy_weights(flat))
        return np.asarray(kw.max_deviation_weights(flat))
    if isinstance(weights, Mapping):
        weights = weights_by_name(weights, panel.indicators)
    return check_weights(weights, n, labels=panel.indicators)


_POOL: list = []


def _gemm_pool():
    if not _POOL:
        from concurrent.futures import ThreadPoolExecutor

        _POOL.append(ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1),
                                        thread_name_prefix="fastinno-gemm"))
    return _POOL[0]


@contextmanager
def _single_threaded_blas():
    """BLAS on one thread inside the block (threadpoolctl; no-op when it finds no BLAS).

    OpenBLAS's idle threads spin after every call and took the second core from the ranking
    kernel (measured: the kernel ran no faster on two numba threads than on one); the block
    pipeline runs one product per Python thread instead (:func:`_rank_blocks`)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


_WORK = threading.local()


class _WorkCache(dict):
    """One thread's work arrays (a dict subclass, so that the registry can hold it weakly)."""


#: Every live thread's work cache: the end of a run clears them all, the block pipeline's pool
#: threads included (a thread's cache goes away with the thread).
_ALL_WORK: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # id -> cache
_WORK_LOCK = threading.Lock()


def _work_array(name: Any, shape: tuple, dtype) -> np.ndarray:
    """A reusable C-contiguous work array of this thread, grown on demand (see :func:`_release_work`)."""
    cache = getattr(_WORK, "arrays", None)
    if cache is None:
        cache = _WORK.arrays = _WorkCache()
        with _WORK_LOCK:
            _ALL_WORK[id(cache)] = cache
    dtype = np.dtype(dtype)
    size = math.prod(shape)
    buf = cache.get((name, dtype.str))
    if buf is None or buf.size < size:
        buf = cache[(name, dtype.str)] = np.empty(max(size, 1), dtype=dtype)
    return buf[:size].reshape(shape)


def _release_work() -> None:
    """Drop the work arrays of every thread (end of a run or of a Dask task).

    Arrays still in use elsewhere (a concurrent run in another thread) stay alive through their
    references; that run's next request simply allocates afresh.
    """
    with _WORK_LOCK:
        caches = list(_ALL_WORK.values())
    for cache in caches:
        cache.clear()


def _work_bytes() -> int:
    """Bytes held in work arrays by all threads (for tests)."""
    with _WORK_LOCK:
        caches = list(_ALL_WORK.values())
    return sum(a.nbytes for c in caches for a in list(c.values()))


def _index_of(model: _Model, w: np.ndarray, y: int) -> np.ndarray:
    """Index of every region in year ``y`` for each weight row: (n_draws, n_regions)."""
    if model.custom is not None:
        return model.custom.index(w, y)
    if model.form == km.LINEAR:
        return _dot_rows(w, model.at1[y], np.empty((w.shape[0], model.at1.shape[2])))
    w2 = w * w
    g1 = _dot_rows(w2, model.at1[y], np.empty((w.shape[0], model.at1.shape[2])))
    g2 = _dot_rows(w2, model.at2[y], np.empty((w.shape[0], model.at2.shape[2])))
    return kd.index_from_squared(g1, g2, model.form)


def _hist_bounds(model: _Model, support: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A-priori [lo, hi] of each (year, region) index over all weights supported on ``support``.

    LINEAR: sum_j w_j a_j lies between min_j and max_j of a_j. RATIO2: d_neg^2 / (d_pos^2 +
    d_neg^2) = sum v_j n_j / sum v_j (p_j + n_j) (v = w^2) is a mediant of t_j = n_j / (p_j + n_j);
    CLOSENESS is an increasing function of it, 1 / (1 + sqrt(1 / F - 1)).
    """
    if model.custom is not None:
        return model.custom.bounds()
    a1 = model.at1[:, support, :]
    if model.form == km.LINEAR:
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
    if model.form == km.CLOSENESS:
        def h(f):
            with np.errstate(divide="ignore", invalid="ignore"):
                out = 1.0 / (1.0 + np.sqrt(np.maximum(1.0 / f - 1.0, 0.0)))
            return np.where(f > 0, out, 0.0)

        lo, hi = h(lo), h(hi)
    return lo, hi


# ----------------------------------------------------------------------------------------------
# weight sampling
# ----------------------------------------------------------------------------------------------


@dataclass
class _Sampler:
    scheme: str
    base: np.ndarray
    concentration: float = 100.0
    spread: float = 0.2
    given: np.ndarray | None = None
    hier: tuple | None = None

    def support(self) -> np.ndarray:
        if self.scheme == "simplex":
            return np.ones(self.base.shape[0], dtype=bool)
        if self.scheme == "given":
            return (self.given > 0).any(axis=0)
        if self.scheme == "hierarchical":
            return self.hier[3] > 0  # indicator shares (zero-share groups covered via product)
        return self.base > 0

    def draw(self, seed: int, first_block: int, n_blocks: int, first: int, n: int) -> np.ndarray:
        """Weights of draws ``first .. first + n - 1`` (blocks ``first_block ..``)."""
        block = _config.DRAW_BLOCK
        if self.scheme == "given":
            return np.ascontiguousarray(self.given[first : first + n])
        seeds = block_seeds(seed, first_block, n_blocks)
        if self.scheme == "dirichlet":
            w = kr.dirichlet_weights(self.base, self.concentration, seeds, block)
        elif self.scheme == "uniform":
            w = kr.uniform_weights(self.base, self.spread, seeds, block)
        elif self.scheme == "simplex":
            w = kr.simplex_weights(self.base.shape[0], seeds, block)
        else:
            gp, gs, ip, ish = self.hier
            w = kr.hierarchical_weights(gp, gs, ip, ish, self.concentration, seeds, block)
        return np.ascontiguousarray(w[:n])


def _check_sampler(mdl: _Model, sampler: _Sampler) -> None:
    """Model-specific checks of the draws (the combined model reads them as tilts of its base)."""
    if mdl.custom is not None:
        mdl.custom.check_sampler(sampler)


def _is_real(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _as_float(x):
    """A numpy scalar as a plain float (for ``options``); anything else unchanged."""
    return float(x) if _is_real(x) else x


def _make_sampler(panel, scheme, base, concentration, spread, weights) -> tuple[_Sampler, int | None]:
    check_choice("scheme", scheme, SCHEMES)
    n = base.shape[0]
    if scheme in ("dirichlet", "hierarchical"):
        # any real number type (numpy scalars included); math.inf is the no-perturbation limit
        if not (_is_real(concentration) and concentration > 0 and not math.isnan(concentration)):
            raise InputError(f"concentration must be a positive number; got {concentration!r}.")
    if scheme == "uniform" and not (_is_real(spread) and 0.0 <= spread <= 1.0):
        raise InputError(f"spread must be in [0, 1] (weights stay >= 0); got {spread!r}.")
    if scheme == "given":
        if weights is None:
            raise InputError("scheme='given' needs weights=<array of shape (draws, indicators)>.")
        arr = np.array(weights, dtype=np.float64, order="C", copy=True)
        if arr.ndim != 2 or arr.shape[1] != n:
            raise InputError(f"given weights must have shape (draws, {n}); got {arr.shape}.")
        if not np.isfinite(arr).all() or (arr < 0).any():
            raise InputError("given weights must be finite and >= 0.")
        sums = arr.sum(axis=1)
        bad = np.flatnonzero(np.abs(sums - 1.0) > _config.WEIGHT_SUM_RTOL)
        if bad.size:
            raise InputError(
                f"given weight rows must sum to 1; rows {format_keys(bad.tolist())} sum to "
                f"{sums[bad[0]]:.12g}. Divide each row by its sum."
            )
        return _Sampler("given", base, given=arr), arr.shape[0]
    if weights is not None:
        raise InputError("weights= is only used with scheme='given'; base weights go in model_options.")
    kappa = float(concentration)
    if scheme in ("dirichlet", "hierarchical") and math.isinf(kappa):
        # the limit kappa -> infinity: every draw is the base
        return _Sampler("uniform", base, spread=0.0), None
    hier = None
    if scheme == "hierarchical":
        s = panel.system
        gp = np.array([g.parent for g in s.groups], dtype=np.int64)
        gs = np.array([g.share for g in s.groups], dtype=np.float64)
        hier = (gp, gs, np.ascontiguousarray(s.indicator_parent, dtype=np.int64),
                np.ascontiguousarray(s.indicator_share, dtype=np.float64))
    return _Sampler(scheme, base, concentration=kappa, spread=float(spread), hier=hier), None


# ----------------------------------------------------------------------------------------------
# accumulators
# ----------------------------------------------------------------------------------------------


@dataclass
class _Acc:
    """Order-free accumulators: integer counts, exact fixed-point sums, min / max.

    Every field merges exactly (integers add, min / max commute), so the result does not depend
    on how the draws were chunked, threaded or distributed, and memory does not grow with the
    number of draws, except in two capped stores: ``exact`` (every index value, within
    ``quantile_memory``) and ``growth_parts`` (the year bootstrap's growth values, within
    ``GROWTH_MEMORY_BUDGET``).
    """

    counts: np.ndarray  # int32 (Y, R, R)
    rank_lo: np.ndarray  # int32 (Y, R): smallest rank - 1 seen (the window of counts to read)
    rank_hi: np.ndarray  # int32 (Y, R): largest
    hist: np.ndarray  # int32 (Y, R, B)
    vmin: np.ndarray  # (Y, R)
    vmax: np.ndarray
    rho_hist: np.ndarray  # int64 (Y, RHO_BINS)
    rho_min: np.ndarray  # (Y,)
    rho_n: np.ndarray  # int64 (Y,) non-NaN rho
    outranks: np.ndarray  # int64 (Y, P)
    sum_hi: np.ndarray = None  # int64 (Y, R): index sums in fixed point, see km.rank_block
    sum_lo: np.ndarray = None
    rho_sum: np.ndarray = None  # object (Y,): Python-int sums of trunc(rho * 2^61)
    n: int = 0
    w_hist: np.ndarray | None = None  # bootstrap: int64 (J, W_BINS) weight histograms
    w_min: np.ndarray | None = None
    w_max: np.ndarray | None = None
    w_sum: np.ndarray | None = None  # object (J,): Python-int sums of trunc(w * 2^61)
    var: tuple | None = None  # method choice: s_k, q_k (K, Y, R), t_f (F, Y, R), w1 (Y, R) int64
    n_draws: int = 0  # weight draws (n counts draws x combinations)
    # bootstrap over years: [(first replicate, float64 (n, R, 2) cagr / mean_yoy)], placed by
    # replicate index at the end (the documented exception to memory independence)
    growth_parts: list | None = None
    exact: np.ndarray | None = None  # exact quantiles: float64 (Y, draws, K, R) index of each draw
    exact_first: int = 0  # global draw number of ``exact[:, 0]`` (a Dask task keeps its own slice)

    @classmethod
    def empty(cls, n_years, n_regions, n_bins, n_pairs):
        return cls(
            counts=np.zeros((n_years, n_regions, n_regions), dtype=np.int32),
            rank_lo=np.full((n_years, n_regions), n_regions, dtype=np.int32),
            rank_hi=np.full((n_years, n_regions), -1, dtype=np.int32),
            hist=np.zeros((n_years, n_regions, n_bins), dtype=np.int32),
            vmin=np.full((n_years, n_regions), np.inf),
            vmax=np.full((n_years, n_regions), -np.inf),
            rho_hist=np.zeros((n_years, RHO_BINS), dtype=np.int64),
            rho_min=np.full(n_years, np.inf),
            rho_n=np.zeros(n_years, dtype=np.int64),
            outranks=np.zeros((n_years, n_pairs), dtype=np.int64),
            sum_hi=np.zeros((n_years, n_regions), dtype=np.int64),
            sum_lo=np.zeros((n_years, n_regions), dtype=np.int64),
            rho_sum=np.zeros(n_years, dtype=object),
        )

    def merge(self, other: _Acc) -> None:
        """Add another chunk's accumulators (exact)."""
        self.counts += other.counts
        np.minimum(self.rank_lo, other.rank_lo, out=self.rank_lo)
        np.maximum(self.rank_hi, other.rank_hi, out=self.rank_hi)
        self.hist += other.hist
        np.minimum(self.vmin, other.vmin, out=self.vmin)
        np.maximum(self.vmax, other.vmax, out=self.vmax)
        self.rho_hist += other.rho_hist
        np.fmin(self.rho_min, other.rho_min, out=self.rho_min)
        self.rho_n += other.rho_n
        self.outranks += other.outranks
        self.n += other.n
        self.n_draws += other.n_draws
        if other.exact is not None:  # a task's slice of the draw matrix, placed by draw number
            d0 = other.exact_first - self.exact_first
            self.exact[:, d0 : d0 + other.exact.shape[1]] = other.exact
        if other.var is not None:
            if self.var is None:
                self.var = tuple(np.zeros_like(a) for a in other.var)
            for a, b in zip(self.var, other.var):
                a += b
        lo = self.sum_lo + other.sum_lo  # |lo| < 2^62 each: no overflow
        carry = np.floor_divide(lo, km.FIXED_BASE)
        self.sum_lo = lo - carry * km.FIXED_BASE
        self.sum_hi += other.sum_hi + carry
        self.rho_sum = self.rho_sum + other.rho_sum
        if other.w_hist is not None:
            if self.w_hist is None:
                self.w_hist = np.zeros_like(other.w_hist)
                self.w_min = np.full_like(other.w_min, np.inf)
                self.w_max = np.full_like(other.w_max, -np.inf)
                self.w_sum = np.zeros_like(other.w_sum)
            self.w_hist += other.w_hist
            self.w_sum = self.w_sum + other.w_sum
            np.minimum(self.w_min, other.w_min, out=self.w_min)
            np.maximum(self.w_max, other.w_max, out=self.w_max)
        if other.growth_parts:
            self.growth_parts = (self.growth_parts or []) + other.growth_parts


@dataclass
class _Ctx:
    """Everything a chunk needs (shipped once to each Dask worker)."""

    model: _Model
    sampler: _Sampler
    seed: int
    base_c2: np.ndarray  # (Y, R) int64: 2 * base average rank - (R + 1)
    base_ss4: np.ndarray  # (Y,) int64: sum of squares of base_c2
    lo: np.ndarray  # (Y, R)
    inv_width: np.ndarray  # (Y, R)
    n_bins: int
    pairs: np.ndarray  # (P, 2) int64
    combos: list = field(default_factory=list)  # method-choice runs: [(model, sampler), ...]
    levels: np.ndarray | None = None  # (K, F) int64
    n_levels: np.ndarray | None = None  # (F,) int64
    sum_scale: np.ndarray | None = None  # (Y, R) fixed-point scales of the index sums
    exact_draws: int = 0  # exact index quantiles: draws kept per cell (0 = histograms)
    exact_combos: int = 1  # index values per draw (method-choice combinations)


def _new_acc(ctx: _Ctx, first_draw: int, n_draws: int) -> _Acc:
    """Empty accumulators for draws ``first_draw ..`` (+ n_draws); with the exact-quantile slice."""
    n_years, n_regions = ctx.lo.shape
    acc = _Acc.empty(n_years, n_regions, ctx.n_bins, ctx.pairs.shape[0])
    if ctx.exact_draws:
        acc.exact = np.empty((n_years, n_draws, ctx.exact_combos, n_regions))
        acc.exact_first = first_draw
    return acc


def _index_keeper(acc: _Acc, y: int, k: int, first_draw: int):
    """None, or (exact quantiles) ``keep(s, e, index)`` storing a chunk's draws ``s .. e`` of year
    ``y``, combination ``k`` (chunk starting at global draw ``first_draw``) by draw number.
    Blocks write disjoint rows, so the ranking threads may call it concurrently."""
    if acc.exact is None:
        return None
    dest = acc.exact[y, first_draw - acc.exact_first :, k]

    def keep(s, e, index):
        dest[s:e] = index

    return keep


def _quantile_budget(quantile_memory: Any) -> int:
    """``quantile_memory`` in bytes (None = ``EXACT_QUANTILE_MEMORY``, read at call time)."""
    value = EXACT_QUANTILE_MEMORY if quantile_memory is None else quantile_memory
    return check_memory("quantile_memory", value)


def _quantile_mode(ctx: _Ctx, budget: int, n_draws: int, n_combos: int) -> None:
    """Switch ``ctx`` to exact index quantiles when the draw matrix fits ``budget`` bytes.

    The matrix holds ``n_years x n_draws x n_combos x n_regions`` float64 values. In exact mode
    the index histograms shrink to one bin (only their counts are used, for the means); else
    nothing changes.
    """
    n_years, n_regions = ctx.lo.shape
    if 8 * n_years * n_draws * n_combos * n_regions <= budget and budget > 0:
        ctx.exact_draws, ctx.exact_combos, ctx.n_bins = n_draws, n_combos, 1


def _run_chunk(ctx: _Ctx, first_block: int, n_blocks: int, n_draws: int, acc: _Acc | None = None) -> _Acc:
    """Draws ``first_block * DRAW_BLOCK`` .. (+ n_draws) folded into ``acc`` (new when None)."""
    block = _config.DRAW_BLOCK
    combos = ctx.combos or [(ctx.model, ctx.sampler)]
    n_years, _, n_regions = combos[0][0].at1.shape
    if acc is None:
        acc = _Acc.empty(n_years, n_regions, ctx.n_bins, ctx.pairs.shape[0])
    producers = []
    for m, sampler in combos:
        w = sampler.draw(ctx.seed, first_block, n_blocks, first_block * block, n_draws)
        if m.custom is not None:  # a model that evaluates itself (combined): its own producer
            producers.append(m.custom.producer(w))
            continue
        producers.append(_gemm_producer(m, w if m.form == km.LINEAR else w * w))
    _fold(ctx, acc, n_draws, producers, first_block * block)
    return acc


def _gemm_producer(m: _Model, wk: np.ndarray):
    """Rows s..e of year y of the model's products with the (squared) weights, into the buffers."""
    wk = np.ascontiguousarray(wk)

    def produce(y, s, e, buf1, buf2):
        g1 = _dot_rows(wk[s:e], m.at1[y], buf1)
        if m.form == km.LINEAR:
            return g1, g1, m.form
        return g1, _dot_rows(wk[s:e], m.at2[y], buf2), m.form

    return produce


def _dot_rows(w, a, out):
    """``w @ a`` into ``out`` in this thread (a single row is padded: BLAS's gemv sums differently)."""
    if w.shape[0] == 1:
        out[...] = np.dot(np.vstack([w, w]), a)[:1]
        return out
    return np.dot(w, a, out=out)


#: Bytes of the two GEMM outputs of one block of draws: they should stay in the core's L2 cache
#: between the product and the ranking kernel (measured on 2,800 regions: 16 draws per block
#: 23.4 ns per cell, 32 draws 19.5, 64 draws 20.1, a whole 2,048-draw chunk 28.5).
BLOCK_BYTES = 2 * 2**20


def _block_rows(n_regions: int) -> int:
    """Draws per block: a multiple of 16 in [16, 1024] with 2 x 8 x rows x regions <= BLOCK_BYTES."""
    return int(min(1024, max(16, BLOCK_BYTES // (16 * max(1, n_regions)) // 16 * 16)))


class _Part:
    """One thread's share of a year: GEMM buffers and its own exact sums / min / max."""

    def __init__(self, k: int, n_regions: int, rows: int):
        self.buf1 = _work_array(("g1", k), (rows, n_regions), np.float64)
        self.buf2 = _work_array(("g2", k), (rows, n_regions), np.float64)
        self.hi = np.zeros(n_regions, dtype=np.int64)
        self.lo = np.zeros(n_regions, dtype=np.int64)
        self.mn = np.full(n_regions, np.inf)
        self.mx = np.full(n_regions, -np.inf)

    def flush(self, acc: _Acc, y: int) -> None:
        """Add this part's sums and extremes into year ``y`` of ``acc`` (exact) and reset them."""
        km.merge_sums(acc.sum_hi[y], acc.sum_lo[y], acc.vmin[y], acc.vmax[y], self.hi, self.lo, self.mn, self.mx)
        self.hi[:] = 0
        self.lo[:] = 0
        self.mn[:] = np.inf
        self.mx[:] = -np.inf


def _rank_blocks(ctx, y, produce, codes, rho, parts, rows, keep=None) -> None:
    """Blocks of ``rows`` draws of year ``y``: product (``produce``) then :func:`km.rank_block`,
    spread over ``parts`` (one Python thread each; numpy and the kernel release the GIL).
    ``keep(s, e, index)``, when given, receives each block's index as the kernel ranked it.

    Which thread takes which block does not matter: every output row depends on its draw only,
    and the sums are exact integers.
    """
    n_draws = rho.shape[0]
    n_blocks = -(-n_draws // rows)
    nxt = itertools.count()  # next() is atomic under the GIL
    base_c2, base_ss4 = ctx.base_c2[y], int(ctx.base_ss4[y])
    lo, inv_width, scale = ctx.lo[y], ctx.inv_width[y], ctx.sum_scale[y]

    def run_block(part: _Part, j: int) -> None:
        s, e = j * rows, min(n_draws, (j + 1) * rows)
        g1, g2, form = produce(y, s, e, part.buf1[: e - s], part.buf2[: e - s])
        km.rank_block(g1, g2, form, base_c2, base_ss4, lo, inv_width, ctx.n_bins, scale,
                      part.hi, part.lo, part.mn, part.mx, codes, s, rho[s:e])
        if keep is not None:  # exact quantiles: g1 now holds the index
            keep(s, e, g1)

    if len(parts) == 1:
        for j in range(n_blocks):
            run_block(parts[0], j)
        return
    stop = []  # non-empty once a thread has failed: the others take no further block

    def work(part: _Part) -> None:
        try:
            while not stop and (j := next(nxt)) < n_blocks:
                run_block(part, j)
        except BaseException:
            stop.append(True)
            raise

    futures = [_gemm_pool().submit(work, p) for p in parts[1:]]
    try:
        work(parts[0])  # the calling thread takes its share too
    finally:
        # wait for every thread before the buffers are released or reused, even on an error or
        # KeyboardInterrupt in this thread (they stop after their current block)
        for f in futures:
            f.exception()
    for f in futures:
        f.result()


def _fold(ctx, acc: _Acc, n_draws: int, producers, first_draw: int = 0) -> None:
    """Rank every year's draws and fold them into ``acc``.

    ``producers``: one callable per model combination (one for plain runs),
    ``produce(y, s, e, buf1, buf2) -> (g1, g2, form)`` giving draws ``s .. e`` of year ``y`` (the
    products written into the thread's buffers, or views of a precomputed index with
    ``form = LINEAR``). All combinations of a draw count as draws of the pooled summary.
    ``first_draw``: global number of the chunk's first draw (where exact quantiles keep its index).
    """
    import numba

    n_years, n_regions = ctx.lo.shape
    parallel = n_draws * n_regions >= PARALLEL_MIN_CELLS
    rows = _block_rows(n_regions)
    n_parts = min(numba.get_num_threads(), -(-n_draws // rows)) if parallel else 1
    parts = [_Part(k, n_regions, rows) for k in range(n_parts)]
    accumulate = km.accumulate_codes if parallel else km.accumulate_codes_serial
    rho = np.empty(n_draws)
    # every combination's codes of the chunk in one array (the variance shares read them together)
    all_codes = _work_array("codes", (len(producers), -(-n_regions // km.SLAB), n_draws, km.SLAB), np.int32)
    for y in range(n_years):
        for c, produce in enumerate(producers):
            codes = all_codes[c]
            keep = _index_keeper(acc, y, c, first_draw)
            _rank_blocks(ctx, y, produce, codes, rho, parts, rows, keep)
            for part in parts:
                part.flush(acc, y)
            acc.outranks[y] += accumulate(codes, n_draws, acc.counts[y], acc.hist[y], acc.rank_lo[y], acc.rank_hi[y], ctx.pairs)
            ok = ~np.isnan(rho)
            acc.rho_sum[y] += _fixed_sum(rho[ok])
            if ok.any():
                acc.rho_min[y] = np.fmin(acc.rho_min[y], rho[ok].min())
                bins = np.clip(((rho[ok] + 1.0) * (RHO_BINS / 2.0)).astype(np.int64), 0, RHO_BINS - 1)
                acc.rho_hist[y] += np.bincount(bins, minlength=RHO_BINS)
            acc.rho_n[y] += int(ok.sum())
        if ctx.levels is not None:
            if acc.var is None:
                k_, f_ = ctx.levels.shape
                acc.var = (np.zeros((k_, n_years, n_regions), np.int64), np.zeros((k_, n_years, n_regions), np.int64),
                           np.zeros((f_, n_years, n_regions), np.int64), np.zeros((n_years, n_regions), np.int64))
            s_k, q_k, t_f, w1 = acc.var
            sk, qk, tf, ww = (np.ascontiguousarray(s_k[:, y]), np.ascontiguousarray(q_k[:, y]),
                              np.ascontiguousarray(t_f[:, y]), np.ascontiguousarray(w1[y]))
            km.variance_accumulate(all_codes, n_draws, ctx.levels, ctx.n_levels, sk, qk, tf, ww)
            s_k[:, y], q_k[:, y], t_f[:, y], w1[y] = sk, qk, tf, ww
    acc.n += n_draws * max(len(producers), 1)
    acc.n_draws += n_draws


#: Fixed-point scale of values in [-1, 1] (Spearman's rho, weights).
_UNIT_SCALE = 2.0**61


def _fixed_sum(x: np.ndarray, axis: int | None = None):
    """Exact, order-free sum of values in [-1, 1]: Python-int sum of trunc(x * 2^61).

    ``x * 2^61`` is exact (a power of two), its truncation is deterministic, and integers add
    associatively: the same draws give the same bits whatever the chunking or backend.
    """
    return (x * _UNIT_SCALE).astype(np.int64).astype(object).sum(axis=axis)


def _fixed_mean(total, n, scale=_UNIT_SCALE) -> np.ndarray:
    """Fixed-point totals (Python ints, any shape) / (scale * n) as float64; NaN where n == 0."""
    tot = np.asarray(total, dtype=object)
    # int -> float is correctly rounded by Python; the divisions are then the same IEEE operations
    # elementwise as a scalar loop would do
    as_float = np.array([float(t) for t in tot.ravel().tolist()], dtype=np.float64).reshape(tot.shape)
    n = np.broadcast_to(np.asarray(n), tot.shape)
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), tot.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = as_float / scale / n.astype(np.float64)
    return np.where(n > 0, out, np.nan)


def _sum_scales(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per-cell powers of two with |value| * scale <= 2^61 for values in [lo, hi]."""
    m = np.maximum(np.abs(lo), np.abs(hi))
    e = np.zeros(m.shape, dtype=np.int64)
    pos = m > 0
    e[pos] = np.ceil(np.log2(m[pos])).astype(np.int64) + 1  # one bit of headroom for rounding
    return np.ldexp(1.0, 61 - e)


def _warm(ctx, run) -> bool:
    """Compile / load every kernel a chunk needs (run once per Dask worker)."""
    run(ctx, 0, 1, 1)
    return True


# ----------------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------------


def simulate(
    panel: Any,
    *,
    model: Literal["hew-topsis", "topsis", "gra", "weighted-sum", "combined"] = "hew-topsis",
    model_options: Mapping[str, Any] | None = None,
    draws: int = 10_000,
    scheme: Literal["dirichlet", "uniform", "hierarchical", "simplex", "given"] = "dirichlet",
    concentration: float = 100.0,
    spread: float = 0.2,
    weights: np.ndarray | None = None,
    top_k: Sequence[int] = (1, 3, 10),
    pairs: Sequence[tuple[str, str]] | None = None,
    acceptability: bool = False,
    seed: int | None = None,
    backend: Literal["local", "dask"] = "local",
    scheduler: Any = None,
    n_workers: int | None = None,
    chunk_size: int | None = None,
    index_bins: int | None = None,
    quantile_memory: int | str | None = None,
    choices: Mapping[str, Sequence[Any]] | None = None,
    progress: bool = True,
):
    """Monte Carlo weight perturbations: how stable are the index and the ranking?

    Parameters
    ----------
    panel : Panel
    model : {"hew-topsis", "topsis", "gra", "weighted-sum", "combined"}
        ``hew-topsis``: the ideal-solution model (options ``scope``, ``standardize``, ``form``,
        ``constant``; defaults panel / max_ratio / ratio2; ``constant="drop"`` removes indicators
        constant within a scope cell, as ``hew_topsis`` does, with a warning). ``topsis``: min-max per year,
        closeness (classical TOPSIS, ideal = column max / min of the weighted matrix).
        ``gra``: grey relational grade per year (option ``rho``). ``weighted-sum``: sum_j w_j x_j of
        the standardized values. ``combined``: the weighted steps of the combined evaluation of
        :func:`fastinno.combined_evaluation` (Xia, Li, Yin 2020: efficacy-coefficient
        normalisation per period, four single methods -- the entropy method, the maximum-deviation
        method, TOPSIS, grey relational analysis --, Spearman compatibility test, drift-degree
        combination per period); see Notes.
    model_options : mapping, optional
        Model options, plus ``weights``: the base weights (None = the system's hierarchical equal
        weights; "equal"; "entropy" / "max_deviation" on the pooled standardized panel; an array
        or a mapping indicator -> weight). For ``model="combined"`` the options are ``methods``
        (default all four, as combined_evaluation), ``alpha`` (0.05), ``rho`` (0.5), ``weights``
        (TOPSIS/GRA indicator weights: "entropy" default, "max_deviation", "equal", array; also a
        mapping, or None / "equal-hierarchical" for the system's hierarchical equal weights),
        ``spearman_method``, ``minmax_scores``, ``constant`` ("error", "drop" or "zero" per year;
        "drop" warns), ``entropy_data`` -- same meaning and defaults as ``combined_evaluation`` --
        and ``recombine``: "drift" (default: every draw recomputes the compatibility test and the
        drift-degree method weights from its own method scores, exactly as combined_evaluation
        does for one period) or "fixed" (the base run's method weights are kept).
    draws : int
        Number of weight draws (ignored for ``scheme="given"``: the array's row count).
    scheme : {"dirichlet", "uniform", "hierarchical", "simplex", "given"}
        ``dirichlet``: Dirichlet(kappa * base). ``uniform``: base * U(1 - spread, 1 + spread),
        renormalised. ``hierarchical``: Dirichlet(kappa * shares) at every level of the system.
        ``simplex``: uniform on the simplex. ``given``: ``weights`` (draws, indicators).
    concentration : float
        kappa (``math.inf`` = no perturbation).
    spread : float
        delta in [0, 1] of the uniform scheme.
    top_k : sequence of int
        Report ``p_top_k`` = P(rank <= k) for each k.
    pairs : sequence of (region_a, region_b), optional
        Report P(a ranks better than b) per year in ``.outranks``.
    acceptability : bool
        Also return the rank acceptability matrix (region, year, rank, share).
    seed : int, optional
        Same seed -> bit-identical results for any chunk size, thread count and backend.
    backend : {"local", "dask"}
        ``dask`` runs chunks as tasks on ``scheduler`` (address or Client) or on a LocalCluster
        of ``n_workers`` workers.
    chunk_size : int, optional
        Draws per chunk, rounded up to a multiple of ``_config.DRAW_BLOCK``.
    index_bins : int, optional
        Bins of the index histograms (default ``_config.INDEX_HIST_BINS``, halved until they fit
        ``HIST_MEMORY_BUDGET``), when the index quantiles come from histograms.
    quantile_memory : int or str, optional
        Bytes the exact index quantiles may use: an int, or a string such as ``"512MB"``,
        ``"2GiB"``, ``"256 MiB"`` (MB / GB = 10^6 / 10^9, MiB / GiB = 2^20 / 2^30; any case).
        When ``8 x years x draws x combinations x regions`` bytes fit, every draw's index is
        kept and ``median_index``, ``index_p05`` and ``index_p95`` are exact
        (``index_resolution`` 0, ``options["quantiles"] == "exact"``); otherwise they come from
        the histograms (``"histogram"``). 0 = always histograms; None = ``EXACT_QUANTILE_MEMORY``
        (64 MiB).
    choices : mapping, optional
        Method-choice uncertainty: lists of alternatives for ``"model"`` (the aggregation),
        ``"standardize"``, ``"scope"``, ``"form"`` and ``"weights"`` (the base weighting scheme,
        as ``model_options["weights"]``). Every weight draw is evaluated under every combination
        (full factorial, the first combination = the base); the summary pools all of them and
        ``.variance_shares`` gives each choice's first-order and total share of the rank variance
        (one row per choice, plus ``weight_draws`` = the weight perturbation itself). A string
        is not a list of alternatives: ``choices={"standardize": ["minmax"]}``. An option a model
        does not have (``form`` for ``gra``; ``standardize``, ``scope``, ``form`` for
        ``combined``) is ignored for that model; for ``combined`` a ``weights`` alternative sets
        its TOPSIS/GRA weights (its draws stay tilts of the system's weights).
    progress : bool
        Show a tqdm progress bar with draws/s.

    Returns
    -------
    RobustnessResult
        ``.summary`` (region, year, base_index, base_rank, mean_index, median_index, index_p05,
        index_p95, mean_rank, median_rank, rank_p05, rank_p95, p_top_k...), ``.agreement`` (year,
        rho_mean, rho_p05, rho_min, mean_abs_rank_shift), optional ``.acceptability`` and
        ``.outranks``.

    Notes
    -----
    Ideal points do not depend on positive weights, so d_pos^2 = A_pos @ (w^2)^T for all draws
    at once (one GEMM per block of draws and year, :func:`_rank_blocks`); the grey relational
    grade and the weighted sum are linear in w. Rank 1 = best within its year, ties share the best rank (competition ranking).
    Rank statistics are exact. Index quantiles are numpy's default linear quantiles (Hyndman &
    Fan 1996, type 7) of the draws' non-NaN index values: with the m sorted values x_0 <= ... <=
    x_(m-1) and h = (m - 1) p, x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)); exact
    when the draw matrix fits ``quantile_memory``, else the same definition on histogram order
    statistics, accurate to ``index_resolution``. Sources: OECD/JRC (2008) Handbook on
    Constructing Composite Indicators, sec. 7 (uncertainty analysis); Saisana, Saltelli &
    Tarantola (2005) JRSS A 168, 307-323; Lahdelma et al. (1998) (SMAA).

    ``model="combined"``: periods are years (by="year"); the reported index is the ``combined``
    score of dimension "index", ranked within each year (rank 1 = best). Perturbation: the
    sampler's base is the system's hierarchical equal weights b (``model_options["weights"]``
    sets TOPSIS/GRA's weights, not the base). Each draw w gives factors f = w / b; every weighted
    single method k in period y uses weights normalise(b_{k,y} * f), where b_{k,y} are the weights
    the base combined evaluation uses for that method and period (entropy weights for the entropy
    method, max-deviation weights for its method, the ``weights`` option for TOPSIS and GRA). With
    concentration=inf (f = 1) every draw reproduces ``combined_evaluation(...)``'s combined score
    (to rounding, ~1e-16) and rank. With scheme="given" the rows are interpreted the same way
    (tilts w / b). Where b = 0, f = 0 (scheme="simplex" and given rows weighting such indicators
    are rejected). The compatibility test "p < alpha and rho > 0" is evaluated as
    rho >= r_alpha, the smallest double whose p-value is below alpha. A draw that leaves a method
    without weight gets a NaN index (ranked last, skipped by the index statistics). The index
    lies in [0, 1] (the histogram range). Each block of draws and year costs two GEMMs (weighted
    sums and grey grades are linear in f, TOPSIS's squared distances in f^2) and a numba kernel
    over the draws (``kernels.combination``).
    """
    t0 = time.perf_counter()
    panel, model_options, weights = _drop_constant(panel, model, model_options, weights, choices)
    mdl, base = _prepare_model(panel, model, model_options)
    sampler, n_given = _make_sampler(panel, scheme, base, concentration, spread, weights)
    _check_sampler(mdl, sampler)
    n_draws = n_given if n_given is not None else _check_int("draws", draws, 1)
    top_k = tuple(_check_int("top_k", k, 1) for k in top_k)
    seed = check_seed(seed)
    budget = _quantile_budget(quantile_memory)
    n_years, _, n_regions = mdl.at1.shape
    pair_idx = _pair_indices(panel, pairs)
    combos, levels, n_levels, names = _combinations(panel, model, model_options, choices, scheme,
                                                    concentration, spread, weights)
    _check_counts(n_regions, n_years, n_draws * max(1, len(combos)))
    if combos:
        mdl, sampler = combos[0]
    ctx, base_index, base_rank = _context(mdl, sampler, base if not combos else None, seed, n_regions, n_years,
                                          pair_idx, index_bins, combos)
    if combos:
        ctx.combos, ctx.levels, ctx.n_levels = combos, levels, n_levels
    _quantile_mode(ctx, budget, n_draws, max(1, len(combos)))
    acc = _execute(ctx, n_draws, chunk_size, backend, scheduler, n_workers, progress)
    shares = _variance_shares(acc, names, n_levels) if combos else None
    return _result(
        panel, ctx, acc, base_index, base_rank, top_k, acceptability, pair_idx, seed,
        dict(model=model, model_options=dict(mdl.options), scheme=sampler.scheme if n_given is None else "given",
             concentration=_as_float(concentration), spread=_as_float(spread), draws=n_draws, backend=backend,
             choices={k: list(v) for k, v in (choices or {}).items()}, quantile_memory=budget,
             seconds=time.perf_counter() - t0),
        variance_shares=shares,
    )


_CHOICE_KEYS = ("model", "standardize", "scope", "form", "weights")


def _combinations(panel, model, model_options, choices, scheme, concentration, spread, weights):
    """Full factorial of the method choices: [(model, sampler)], levels (K, F), n_levels, names."""
    if not choices:
        return [], None, None, []
    unknown = sorted(set(choices) - set(_CHOICE_KEYS))
    if unknown:
        raise InputError(f"Unknown choices {format_keys(unknown)}: use {', '.join(map(repr, _CHOICE_KEYS))}.")
    names = [k for k in _CHOICE_KEYS if k in choices]
    lists = []
    for k in names:
        if isinstance(choices[k], (str, bytes)) or not isinstance(choices[k], Iterable):
            raise InputError(f"choices[{k!r}] must be a list of alternatives, e.g. [{choices[k]!r}]; "
                             f"got {choices[k]!r}.")
        vals = list(choices[k])
        if not vals:
            raise InputError(f"choices[{k!r}] is empty: give at least one alternative.")
        lists.append(vals)
    n_levels = np.array([len(v) for v in lists], dtype=np.int64)
    combos = []
    levels = []
    for idx in itertools.product(*[range(n) for n in n_levels]):
        pick = {k: lists[f][i] for f, (k, i) in enumerate(zip(names, idx))}
        m_name = pick.get("model", model)
        check_choice("model", m_name, MODELS)
        defaults = _model_defaults(m_name)
        opts = dict(model_options or {})
        for k in ("standardize", "scope", "form"):
            if k in pick and k in defaults:
                opts[k] = pick[k]
        if "weights" in pick:
            opts["weights"] = pick["weights"]
        if m_name == "gra" and opts.get("scope", "year") != "year":
            opts["scope"] = "year"  # grey relational grades compare regions within a year
        for k in list(opts):
            if k not in defaults and k != "weights":
                del opts[k]
        mdl, base = _prepare_model(panel, m_name, opts)
        sampler, _ = _make_sampler(panel, scheme, base, concentration, spread, weights)
        _check_sampler(mdl, sampler)
        combos.append((mdl, sampler))
        levels.append(idx)
    return combos, np.array(levels, dtype=np.int64), n_levels, names


def _variance_shares(acc, names, n_levels) -> pl.DataFrame:
    """First-order and total shares of rank variance per choice (ratio of sums over cells)."""
    s_k, q_k, t_f, w1 = (a.astype(np.float64) for a in acc.var)
    n = acc.n_draws
    k = s_k.shape[0]
    mean = s_k.sum(axis=0) / (n * k)
    var = q_k.sum(axis=0) / (n * k) - mean**2
    ok = var > 0
    total_var = var[ok].sum()
    rows = []
    for f, name in enumerate(names):
        lf = int(n_levels[f])
        # level means: combinations in C order, factor f has stride prod(n_levels[f + 1:])
        stride = int(np.prod(n_levels[f + 1 :]))
        lvl = (np.arange(k) // stride) % lf
        v1 = np.zeros_like(mean)
        for a in range(lf):
            m_a = s_k[lvl == a].sum(axis=0) / (n * k / lf)
            v1 += (m_a - mean) ** 2 / lf
        vt = t_f[f] / (lf * lf * n * (k / lf))
        rows.append((name, v1[ok].sum() / total_var if total_var > 0 else np.nan,
                     vt[ok].sum() / total_var if total_var > 0 else np.nan))
    v1w = w1 / (n * k * k) - mean**2
    vtw = (q_k / n - (s_k / n) ** 2).mean(axis=0)
    rows.append(("weight_draws", v1w[ok].sum() / total_var if total_var > 0 else np.nan,
                 vtw[ok].sum() / total_var if total_var > 0 else np.nan))
    return pl.DataFrame(rows, schema=["choice", "first_order", "total"], orient="row")


def _check_int(name, v, lo):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < lo:
        raise InputError(f"{name} must be an integer >= {lo}; got {v!r}.")
    return int(v)


def _pair_indices(panel, pairs) -> np.ndarray:
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    pos = {r: i for i, r in enumerate(panel.regions)}
    bad = [r for p in pairs for r in p if r not in pos]
    if bad:
        raise InputError(f"pairs name unknown region(s) {format_keys(bad)}.")
    return np.array([[pos[a], pos[b]] for a, b in pairs], dtype=np.int64).reshape(-1, 2)


def _base_ranks(base_index: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Base competition ranks (Y, R), doubled centred average ranks (integers) and their sums of squares."""
    n_years, n_regions = base_index.shape
    base_rank = np.empty((n_years, n_regions), dtype=np.int64)
    base_c2 = np.empty((n_years, n_regions), dtype=np.int64)
    for y in range(n_years):
        rmin, ravg = km.ranks_of_row(np.ascontiguousarray(base_index[y]))
        base_rank[y] = rmin
        base_c2[y] = np.rint(2.0 * ravg).astype(np.int64) - (n_regions + 1)
    return base_rank, base_c2, (base_c2 * base_c2).sum(axis=1)


def _check_counts(n_regions: int, n_years: int, n_values: int) -> None:
    """Limits of the exact rank counts: ``COUNTS_MEMORY_BUDGET`` bytes, ranks within the 16-bit
    field of the rank codes (``km.MAX_REGIONS``), and at most 2^31 - 1 ranked values per cell (the
    counts are int32; ``n_values`` = draws x method combinations, or replicates)."""
    if n_regions > km.MAX_REGIONS:
        raise ConfigError(
            f"{n_regions} regions: the robustness engine ranks at most {km.MAX_REGIONS} regions per "
            "year (16-bit rank codes); split the panel (panel.select(...))."
        )
    counts_bytes = 4 * n_years * n_regions * n_regions
    if counts_bytes > COUNTS_MEMORY_BUDGET:
        raise ConfigError(
            f"exact rank counts for {n_regions} regions x {n_years} years need "
            f"{counts_bytes / 2**30:.1f} GiB (> {COUNTS_MEMORY_BUDGET / 2**30:.1f} GiB): run fewer "
            "years or regions at a time (panel.select(...))."
        )
    if n_values >= 2**31:
        raise ConfigError(
            f"{n_values} ranked values per region and year (draws x method combinations, or "
            "replicates) overflow the int32 rank counts: run at most 2,147,483,647 and combine runs "
            "with different seeds."
        )


def _context(mdl, sampler, base, seed, n_regions, n_years, pair_idx, index_bins, combos=()):
    # base ranking per year (same GEMM path as the draws)
    base_index = np.empty((n_years, n_regions))
    if base is None:
        base = sampler.base
    for y in range(n_years):
        base_index[y] = _index_of(mdl, base[None, :], y)[0]
    base_rank, base_c2, base_ss4 = _base_ranks(base_index)
    n_bins = _config.INDEX_HIST_BINS if index_bins is None else _check_int("index_bins", index_bins, 1)
    if n_bins > km.MAX_BINS:
        raise InputError(f"index_bins must be at most {km.MAX_BINS}; got {n_bins}.")
    if index_bins is None:
        while n_bins > 256 and 4 * n_years * n_regions * n_bins > HIST_MEMORY_BUDGET:
            n_bins //= 2
    lo, hi = _hist_bounds(mdl, sampler.support())
    for m, smp in combos[1:]:
        lo2, hi2 = _hist_bounds(m, smp.support())
        lo, hi = np.minimum(lo, lo2), np.maximum(hi, hi2)
    width = (hi - lo) / n_bins
    with np.errstate(divide="ignore"):
        inv_width = np.where(width > 0, 1.0 / np.where(width > 0, width, 1.0), 0.0)
    ctx = _Ctx(mdl, sampler, seed, base_c2, base_ss4,
               np.ascontiguousarray(lo), np.ascontiguousarray(inv_width), n_bins, pair_idx,
               sum_scale=_sum_scales(lo, hi))
    return ctx, base_index, base_rank


def _default_chunk(n_regions: int, n_combos: int = 1) -> int:
    """Draws per chunk: ``_config.CHUNK_SIZE / n_combos`` (at least a block) or more, so that one
    chunk's rank codes (4 bytes per draw, region and method combination) use about
    ``CHUNK_MEMORY``; fewer, larger chunks mean fewer thread wake-ups per draw, and several chunks
    per run keep Dask workers busy."""
    k = max(1, n_combos)
    floor = max(_config.DRAW_BLOCK, _config.CHUNK_SIZE // k)
    return int(min(16384, max(floor, CHUNK_MEMORY // (4 * max(1, n_regions) * k))))


def _chunks(n_draws: int, chunk_size: int | None, n_regions: int = 1, n_combos: int = 1):
    block = _config.DRAW_BLOCK
    cs = _default_chunk(n_regions, n_combos) if chunk_size is None else _check_int("chunk_size", chunk_size, 1)
    cb = -(-cs // block)  # blocks per chunk
    total_blocks = -(-n_draws // block)
    out = []
    for fb in range(0, total_blocks, cb):
        nb = min(cb, total_blocks - fb)
        nd = min(nb * block, n_draws - fb * block)
        out.append((fb, nb, nd))
    return out


#: Seconds before the progress bar appears (none for short runs).
PROGRESS_DELAY = 1.0


def _progress_bar(total, progress, unit="draw"):
    from tqdm.auto import tqdm

    # disable=None: no bar when stderr is not a terminal (logs, pipes)
    return tqdm(total=total, unit=unit, unit_scale=True, disable=None if progress else True, leave=False,
                delay=PROGRESS_DELAY, desc="fastinno bootstrap" if unit == "replicate" else "fastinno simulate")


def _execute(ctx, n_draws, chunk_size, backend, scheduler, n_workers, progress, run=None, unit="draw") -> _Acc:
    run = _run_chunk if run is None else run
    check_choice("backend", backend, ("local", "dask"))
    chunks = _chunks(n_draws, chunk_size, ctx.lo.shape[1], max(1, len(getattr(ctx, "combos", None) or ())))
    if backend == "dask":
        return _execute_dask(ctx, chunks, scheduler, n_workers, progress, n_draws, run, unit)
    if scheduler is not None or n_workers is not None:
        raise InputError("scheduler= and n_workers= need backend='dask'.")
    acc = _new_acc(ctx, 0, n_draws)
    try:
        with _progress_bar(n_draws, progress, unit) as bar, _single_threaded_blas():
            for fb, nb, nd in chunks:
                run(ctx, fb, nb, nd, acc)
                bar.update(nd)
    finally:
        _release_work()
    return acc


def _dask_client(scheduler, n_workers):
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover
        raise ConfigError(
            "backend='dask' needs dask.distributed: pip install 'fastinno[distributed]'."
        ) from None
    if scheduler is not None and n_workers is not None:
        raise InputError("give either scheduler= (an existing cluster) or n_workers= (a LocalCluster), not both.")
    if scheduler is not None:
        if isinstance(scheduler, Client):
            return scheduler, None, False
        return Client(scheduler), None, True
    cluster = LocalCluster(n_workers=n_workers or 2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster), cluster, True


#: Dask tasks per worker (each task = a contiguous group of chunks).
TASKS_PER_WORKER = 2


def _run_group(ctx, run, group) -> _Acc:
    """Run a contiguous group of chunks into one accumulator (one Dask task)."""
    acc = _new_acc(ctx, group[0][0] * _config.DRAW_BLOCK, sum(nd for _, _, nd in group))
    try:
        with _single_threaded_blas():
            for fb, nb, nd in group:
                acc = run(ctx, fb, nb, nd, acc)
    finally:
        _release_work()
    return acc


def _execute_dask(ctx, chunks, scheduler, n_workers, progress, n_draws, run, unit="draw") -> _Acc:
    client, cluster, own = _dask_client(scheduler, n_workers)
    try:
        ctx_f = client.scatter(ctx, broadcast=True)
        # warm the JIT once per worker
        workers = list(client.scheduler_info()["workers"])
        warm = [client.submit(_warm, ctx_f, run, workers=[w], pure=False, allow_other_workers=False)
                for w in workers]
        client.gather(warm)
        # a task runs a contiguous group of chunks into one accumulator, so only a few fixed-size
        # accumulators travel back (two tasks per worker keep the workers busy)
        n_tasks = max(1, min(len(chunks), TASKS_PER_WORKER * len(workers)))
        groups = [chunks[t * len(chunks) // n_tasks : (t + 1) * len(chunks) // n_tasks] for t in range(n_tasks)]
        futures = [client.submit(_run_group, ctx_f, run, g, pure=False) for g in groups]
        acc = _new_acc(ctx, 0, n_draws)
        from distributed import as_completed

        with _progress_bar(n_draws, progress, unit) as bar:
            for fut in as_completed(futures):
                part = fut.result()
                acc.merge(part)  # exact: integer counts and fixed-point sums
                bar.update(part.n_draws)
                fut.release()
        return acc
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()


def _bin_window(ctx, acc) -> tuple[np.ndarray, np.ndarray]:
    """Bins of the running min / max of every cell (the same map as ``km.rank_block``), widened by
    one bin each way: every non-zero histogram count lies inside. Empty cells get an empty window."""
    ok = np.isfinite(acc.vmin) & np.isfinite(acc.vmax)
    with np.errstate(invalid="ignore"):
        b_lo = np.where(ok, (np.where(ok, acc.vmin, 0.0) - ctx.lo) * ctx.inv_width, 1.0)
        b_hi = np.where(ok, (np.where(ok, acc.vmax, 0.0) - ctx.lo) * ctx.inv_width, 0.0)
    top = ctx.n_bins - 1
    b_lo = np.clip(np.floor(b_lo), 0, top).astype(np.int64) - 1
    b_hi = np.clip(np.floor(b_hi), 0, top).astype(np.int64) + 1
    b_lo[~ok], b_hi[~ok] = 1, 0
    return b_lo, b_hi


def _result(panel, ctx, acc, base_index, base_rank, top_k, acceptability, pair_idx, seed, meta,
            weights_frame=None, variance_shares=None, growth=None):
    from ..results import RobustnessResult

    n_years, n_regions = ctx.lo.shape
    n = acc.n
    flat_counts = acc.counts.reshape(n_years * n_regions, n_regions)
    mean_rank, rq, ptop, shift = km.rank_stats(flat_counts, n, np.array([0.05, 0.5, 0.95]),
                                               np.array(top_k, dtype=np.int64),
                                               np.ascontiguousarray(base_rank, dtype=np.int64).ravel(),
                                               acc.rank_lo.ravel(), acc.rank_hi.ravel())
    mean_rank = mean_rank.reshape(n_years, n_regions)
    r05, med_rank, r95 = (rq[:, k].reshape(n_years, n_regions) for k in range(3))
    p_top = {k: ptop[:, m].reshape(n_years, n_regions) for m, k in enumerate(top_k)}
    hist = acc.hist
    total = acc.sum_hi.astype(object) * km.FIXED_BASE + acc.sum_lo.astype(object)
    qs = np.array([0.05, 0.5, 0.95])
    if acc.exact is not None:
        # exact: numpy's linear quantiles of every kept draw (a reshape of the C-order matrix is a view)
        iq = km.exact_quantiles(acc.exact.reshape(n_years, -1, n_regions), qs)
        q = {p: iq[:, :, k] for k, p in enumerate((0.05, 0.5, 0.95))}
        res_width = 0.0
        n_ok = hist.sum(axis=-1, dtype=np.int64)
    else:
        width = np.where(ctx.inv_width > 0, 1.0 / np.where(ctx.inv_width > 0, ctx.inv_width, 1.0), 0.0)
        b_lo, b_hi = _bin_window(ctx, acc)
        iq, n_ok = km.hist_quantiles(hist.reshape(n_years * n_regions, -1), ctx.lo.ravel(), width.ravel(),
                                     acc.vmin.ravel(), acc.vmax.ravel(), qs, b_lo.ravel(), b_hi.ravel())
        n_ok = n_ok.reshape(n_years, n_regions)
        q = {p: iq[:, k].reshape(n_years, n_regions) for k, p in enumerate((0.05, 0.5, 0.95))}
        res_width = float(np.max(width)) if width.size else 0.0
    mean_index = _fixed_mean(total, n_ok, ctx.sum_scale)
    meta = {**meta, "quantiles": "exact" if acc.exact is not None else "histogram"}
    yrs = np.repeat(np.array(panel.years, dtype=np.int64), n_regions)
    regs = list(panel.regions) * n_years
    cols = {
        "region": regs,
        "year": yrs,
        "base_index": base_index.ravel(),
        "base_rank": base_rank.ravel(),
        "mean_index": mean_index.ravel(),
        "median_index": q[0.5].ravel(),
        "index_p05": q[0.05].ravel(),
        "index_p95": q[0.95].ravel(),
        "mean_rank": mean_rank.ravel(),
        "median_rank": med_rank.ravel(),
        "rank_p05": r05.ravel(),
        "rank_p95": r95.ravel(),
    }
    for k in top_k:
        cols[f"p_top_{k}"] = p_top[k].ravel()
    summary = pl.DataFrame(cols).sort(["year", "base_rank", "region"])
    # agreement
    rho_mean = _fixed_mean(acc.rho_sum, acc.rho_n)
    rho_p05 = km.hist_quantiles(acc.rho_hist, np.full(n_years, -1.0), np.full(n_years, 2.0 / RHO_BINS),
                                acc.rho_min, np.ones(n_years), np.array([0.05]), np.zeros(n_years, np.int64),
                                np.full(n_years, RHO_BINS - 1, np.int64))[0][:, 0]
    agreement = pl.DataFrame({
        "year": np.array(panel.years, dtype=np.int64),
        "rho_mean": rho_mean,
        "rho_p05": rho_p05,
        "rho_min": np.where(acc.rho_n > 0, acc.rho_min, np.nan),
        "mean_abs_rank_shift": shift.reshape(n_years, n_regions).sum(axis=1) / (n * n_regions),
    })
    undefined = n - acc.rho_n
    if undefined.any():
        years = [panel.years[y] for y in np.flatnonzero(undefined)]
        warnings.warn(
            f"Spearman's rho is undefined for {int(undefined.sum())} of {n * n_years} rankings (year(s) "
            f"{format_keys(years)}): a ranking in which every region ties, in the draw or in the base run, "
            "has no rank correlation. rho_mean, rho_p05 and rho_min summarise the defined ones (NaN where "
            "there are none).", FastinnoWarning, stacklevel=3,
        )
    acc_frame = None
    if acceptability:
        y_i, r_i, k_i = np.nonzero(acc.counts)
        acc_frame = pl.DataFrame({
            "region": [panel.regions[i] for i in r_i],
            "year": np.array(panel.years, dtype=np.int64)[y_i],
            "rank": (k_i + 1).astype(np.int64),
            "share": acc.counts[y_i, r_i, k_i] / n,
        }).sort(["year", "region", "rank"])
    outranks = None
    if pair_idx.shape[0]:
        P = pair_idx.shape[0]
        outranks = pl.DataFrame({
            "year": np.repeat(np.array(panel.years, dtype=np.int64), P),
            "region_a": [panel.regions[a] for a in pair_idx[:, 0]] * n_years,
            "region_b": [panel.regions[b] for b in pair_idx[:, 1]] * n_years,
            "p_outranks": (acc.outranks / n).ravel(),
        })
    return RobustnessResult(
        summary=summary, agreement=agreement, acceptability=acc_frame, outranks=outranks,
        variance_shares=variance_shares, weights=weights_frame, index_resolution=res_width, seed=seed,
        options=meta, growth=growth,
    )


# ----------------------------------------------------------------------------------------------
# bootstrap
# ----------------------------------------------------------------------------------------------


W_BINS = 2**14


@dataclass
class _BootCtx(_Ctx):
    """Bootstrap state: the raw cube and the model options instead of GEMM operands."""

    cube: np.ndarray = None
    is_cost: np.ndarray = None
    method: int = 0
    scope: int = 0
    form: int = 0
    over: str = "regions"
    block_length: int = 1
    wmode: int = 0
    fixed_w: np.ndarray = None
    cprime: np.ndarray = None
    cplogc: np.ndarray = None
    region_stats: np.ndarray = None
    years: np.ndarray | None = None  # float64 (Y,): growth intervals of over="years" (None = off)
    growth_length: int = 1  # block length of the growth-term resample, min(block_length, Y - 1)


def _boot_multiplicities(bctx: _BootCtx, first_block: int, n_blocks: int, n: int):
    block = _config.DRAW_BLOCK
    n_regions, n_years, _ = bctx.cube.shape
    seeds = block_seeds(bctx.seed, first_block, n_blocks)
    if bctx.over == "regions":
        idx = kr.bootstrap_indices(n_regions, seeds, block)[:n]
        mr = np.zeros((n, n_regions), dtype=np.int64)
        np.add.at(mr, (np.repeat(np.arange(n), n_regions), idx.ravel()), 1)
        my = np.ones((n, n_years), dtype=np.int64)
    else:
        idx = kr.block_bootstrap_indices(n_years, bctx.block_length, seeds, block)[:n]
        my = np.zeros((n, n_years), dtype=np.int64)
        np.add.at(my, (np.repeat(np.arange(n), n_years), idx.ravel()), 1)
        mr = np.ones((n, n_regions), dtype=np.int64)
    return mr, my


def _run_boot_chunk(bctx: _BootCtx, first_block: int, n_blocks: int, n: int, acc: _Acc | None = None) -> _Acc:
    """Replicates ``first_block * DRAW_BLOCK`` .. (+ n) folded into ``acc``."""
    n_years, n_regions = bctx.lo.shape
    if acc is None:
        acc = _Acc.empty(n_years, n_regions, bctx.n_bins, bctx.pairs.shape[0])
    mr, my = _boot_multiplicities(bctx, first_block, n_blocks, n)
    index, w = km.bootstrap_index(
        bctx.cube, bctx.is_cost, bctx.method, bctx.scope, bctx.form, mr, my, bctx.wmode,
        bctx.fixed_w, bctx.cprime, bctx.cplogc, bctx.region_stats,
    )
    _fold(bctx, acc, n, [lambda y, s, e, b1, b2: (index[y, s:e], index[y, s:e], km.LINEAR)],
          first_block * _config.DRAW_BLOCK)
    if bctx.years is not None:
        # growth terms resampled in moving blocks from the block's second seed stream
        seeds = block_seeds(bctx.seed, first_block, n_blocks, stream=_GROWTH_STREAM)
        terms = kr.block_bootstrap_indices(n_years - 1, bctx.growth_length, seeds, _config.DRAW_BLOCK)[:n]
        part = km.bootstrap_growth(index, bctx.years, np.ascontiguousarray(terms))
        acc.growth_parts = (acc.growth_parts or []) + [(first_block * _config.DRAW_BLOCK, part)]
    # weight statistics: histogram on [0, 1], exact min / max, exact fixed-point sums
    n_ind = w.shape[1]
    if acc.w_hist is None:
        acc.w_hist = np.zeros((n_ind, W_BINS), dtype=np.int64)
        acc.w_min = np.full(n_ind, np.inf)
        acc.w_max = np.full(n_ind, -np.inf)
        acc.w_sum = np.zeros(n_ind, dtype=object)
    bins = np.clip((w * W_BINS).astype(np.int64), 0, W_BINS - 1)
    for j in range(n_ind):
        acc.w_hist[j] += np.bincount(bins[:, j], minlength=W_BINS)
    np.minimum(acc.w_min, w.min(axis=0), out=acc.w_min)
    np.maximum(acc.w_max, w.max(axis=0), out=acc.w_max)
    acc.w_sum = acc.w_sum + _fixed_sum(w, axis=0)
    return acc


def bootstrap(
    panel: Any,
    *,
    model: Literal["hew-topsis", "topsis"] = "hew-topsis",
    model_options: Mapping[str, Any] | None = None,
    replicates: int = 1000,
    over: Literal["regions", "years"] = "regions",
    block_length: int | None = None,
    top_k: Sequence[int] = (1, 3, 10),
    pairs: Sequence[tuple[str, str]] | None = None,
    acceptability: bool = False,
    seed: int | None = None,
    backend: Literal["local", "dask"] = "local",
    scheduler: Any = None,
    n_workers: int | None = None,
    chunk_size: int | None = None,
    quantile_memory: int | str | None = None,
    progress: bool = True,
):
    """Bootstrap the ideal-solution model: resample regions (or blocks of years), re-estimate.

    Parameters
    ----------
    panel : Panel
    model : {"hew-topsis", "topsis"}
        The ideal-solution model (options ``scope``, ``standardize``, ``form``, ``constant`` as in
        :func:`simulate`) or TOPSIS (min-max per year, closeness).
    model_options : mapping, optional
        Model options plus ``weights``: ``"entropy"`` (default) or ``"max_deviation"`` (objective
        weights recomputed on every replicate, pooled over its standardized cells), ``None`` /
        ``"equal-hierarchical"`` (the system's weights, fixed), ``"equal"``, an array or a mapping
        (fixed).
    replicates : int
    over : {"regions", "years"}
        ``regions``: regions drawn with replacement. ``years``: moving-block bootstrap of years
        (``block_length``, default ``max(1, round(n_years ** (1/3)))``), plus growth-rate
        intervals (``.growth``, see Notes).
    top_k, pairs, acceptability, seed, backend, scheduler, n_workers, chunk_size, progress
        As in :func:`simulate` (chunks are whole blocks of replicates; the default chunk holds
        about 2.56 million region-years, at least one block of 64 replicates).
    quantile_memory : int or str, optional
        As in :func:`simulate`: exact index quantiles when ``8 x years x replicates x regions``
        bytes fit (int bytes or e.g. ``"512MB"``, ``"2GiB"``; 0 = always histograms; None =
        ``EXACT_QUANTILE_MEMORY``, 64 MiB).

    Returns
    -------
    RobustnessResult
        ``.summary`` and ``.agreement`` as in :func:`simulate` (the base = the model on the full
        panel), ``.weights`` (indicator, base_weight, mean_weight, weight_p05, weight_p95) and,
        for ``over="years"`` on two or more years, ``.growth`` (one row per region in panel
        order: region, base_cagr, mean_cagr, cagr_p05, cagr_p95, base_mean_yoy, mean_mean_yoy,
        mean_yoy_p05, mean_yoy_p95); None otherwise (a one-year panel warns).

    Notes
    -----
    Each replicate estimates the model's data-dependent parts on the resample (scope min / max /
    norm / mean / sd, hence the ideal and anti-ideal points, and the objective weights; a scope
    cell on the resampled axis keeps all its data) and applies them to every original region and
    year, so every cell gets an index and a rank in every replicate. Index quantiles: numpy's
    linear quantiles (as in :func:`simulate`) of the replicates' non-NaN index values, exact
    within ``quantile_memory``, else from 2^12-bin histograms on [0, 1] (halved, down to 256
    bins, while they would pass ``HIST_MEMORY_BUDGET``; ``index_resolution`` says which); weight
    quantiles from 2^14-bin histograms on [0, 1].

    Growth (``over="years"``): the base is ``distance.growth_rates`` of the model on the full
    panel (``hew_topsis(...).growth`` for the same options and weights). Replicate b's index
    F_b(r, t) of every original year gives T - 1 annual growth terms g_t = F_b(t+1) / F_b(t) - 1
    (annualised over a gap of dt years, (F_b(t+1) / F_b(t))^(1/dt) - 1, as ``growth_rates``).
    This time series is resampled by a moving-block bootstrap with the same block length
    (capped at T - 1; the same resampled positions for every region, keeping the cross-section
    together as the year resample does), its starts drawn from a second seed stream of the
    replicate's block, ``SeedSequence(seed, spawn_key=(block, 1))``. The replicate's cagr is
    the geometric mean of the resampled (1 + g*) minus 1 and its mean_yoy the arithmetic mean of
    g*, each term weighted by its dt (so both reduce to ``growth_rates``' definitions for the
    identity resample). The interval thus reflects both the re-estimated model and the
    time-series sampling of the growth terms. A replicate value is NaN when a resampled term is
    undefined (index <= 0 at its start, < 0 at its end, or NaN); NaN values are skipped in the
    mean and the quantiles (numpy's default, linear) and counted in a :class:`FastinnoWarning`.
    The values are kept exactly (see ``GROWTH_MEMORY_BUDGET``), so the table is bit-identical for
    any chunking and backend. Sources: Efron & Tibshirani (1993) An Introduction to the
    Bootstrap; Kuensch (1989) Ann. Statist. 17, 1217-1241 (moving blocks); Politis & Romano
    (1994) J. Amer. Statist. Assoc. 89, 1303-1313; Lahiri (2003) Resampling Methods for Dependent
    Data, Springer, ch. 2-3 (block bootstrap of the mean of a time series).
    """
    t0 = time.perf_counter()
    check_choice("model", model, ("hew-topsis", "topsis"))
    check_choice("over", over, ("regions", "years"))
    panel, model_options, _ = _drop_constant(panel, model, model_options)
    opts = dict(_DEFAULT_OPTIONS[model])
    options = dict(model_options or {})
    weights = options.pop("weights", "entropy")
    unknown = sorted(set(options) - set(opts))
    if unknown:
        raise InputError(f"Unknown model_options {format_keys(unknown)} for model {model!r}.")
    opts.update(options)
    cube, is_cost = _panel_parts(panel)
    x, sc = _standardized(cube, is_cost, panel, opts["standardize"], opts["scope"], opts["constant"])
    method = _STANDARDIZE[opts["standardize"]]
    form = _FORM[check_choice("form", opts["form"], tuple(_FORM))]
    n_regions, n_years, n_ind = cube.shape
    fixed = np.full(n_ind, 1.0 / n_ind)
    if isinstance(weights, str) and weights in ("entropy", "max_deviation"):
        wmode = km.W_ENTROPY if weights == "entropy" else km.W_MAX_DEVIATION
        if method == kn.ZSCORE:
            raise InputError(f"{weights} weights need non-negative standardized values: use another standardize.")
    else:
        wmode = km.W_FIXED
        fixed = _base_weights(panel, weights, x)
    n_rep = _check_int("replicates", replicates, 1)
    _check_counts(n_regions, n_years, n_rep)
    if over == "years":
        L = block_length if block_length is not None else max(1, round(n_years ** (1 / 3)))
        L = _check_int("block_length", L, 1)
        if L > n_years:
            raise InputError(f"block_length {L} exceeds the number of years ({n_years}).")
        if L == n_years > 1:
            warnings.warn(
                f"block_length {L} = the number of years: the only block is the whole series, so every "
                f"replicate is the original panel and the intervals have zero width; use block_length < "
                f"{n_years}.", FastinnoWarning, stacklevel=2,
            )
    else:
        if block_length is not None:
            raise InputError("block_length is only used with over='years'.")
        L = 1
    top_k = tuple(_check_int("top_k", k, 1) for k in top_k)
    seed = check_seed(seed)
    budget = _quantile_budget(quantile_memory)
    growth_years = None
    if over == "years":
        if n_years < 2:
            warnings.warn(
                f"bootstrap(over='years'): growth rates need at least two years; the panel has {n_years}: "
                "RobustnessResult.growth is None.", FastinnoWarning, stacklevel=2,
            )
        else:
            _check_growth_memory(n_rep, n_regions)
            growth_years = np.asarray(panel.years, dtype=np.float64)
    if method == kn.MAX_RATIO:
        with np.errstate(divide="ignore", invalid="ignore"):
            cprime = np.ascontiguousarray(np.where(is_cost[None, None, :], 1.0 / cube, cube))
            cplogc = np.where(cprime > 0, cprime * np.log(cprime), 0.0)  # 0 ln 0 = 0
    else:
        cprime = cube
        cplogc = np.zeros((1, 1, 1))
    pair_idx = _pair_indices(panel, pairs)
    if sc == kn.SCOPE_PANEL and over == "regions":
        rstats = km.region_stats(cube, cprime, cplogc if method == kn.MAX_RATIO else cube)
    else:
        rstats = np.zeros((0, 5, n_ind))
    # base: the model on the full panel (multiplicity one everywhere)
    base_idx, base_w = km.bootstrap_index(
        cube, is_cost, method, sc, form, np.ones((1, n_regions), dtype=np.int64),
        np.ones((1, n_years), dtype=np.int64), wmode, fixed, cprime, cplogc, rstats,
    )
    base_index = base_idx[:, 0, :]
    base_rank, base_c2, base_ss4 = _base_ranks(base_index)
    n_bins = _config.INDEX_HIST_BINS
    while n_bins > 256 and 4 * n_years * n_regions * n_bins > HIST_MEMORY_BUDGET:
        n_bins //= 2
    bctx = _BootCtx(
        model=None, sampler=None, seed=seed, base_c2=base_c2, base_ss4=base_ss4,
        lo=np.zeros((n_years, n_regions)), inv_width=np.full((n_years, n_regions), float(n_bins)),
        n_bins=n_bins, pairs=pair_idx, cube=cube, is_cost=is_cost, method=method, scope=sc, form=form,
        over=over, block_length=L, wmode=wmode, fixed_w=np.ascontiguousarray(fixed), cprime=cprime, cplogc=cplogc,
        region_stats=rstats, sum_scale=_sum_scales(np.zeros((n_years, n_regions)), np.ones((n_years, n_regions))),
        years=growth_years, growth_length=min(L, max(1, n_years - 1)),
    )
    _quantile_mode(bctx, budget, n_rep, 1)
    cs = chunk_size if chunk_size is not None else max(_config.DRAW_BLOCK, 4 * _config.DRAW_BLOCK * 10_000 // max(1, n_regions * n_years))
    acc = _execute(bctx, n_rep, cs, backend, scheduler, n_workers, progress, run=_run_boot_chunk, unit="replicate")
    wq, _ = km.hist_quantiles(acc.w_hist, np.zeros(n_ind), np.full(n_ind, 1.0 / W_BINS), acc.w_min, acc.w_max,
                              np.array([0.05, 0.95]), np.zeros(n_ind, np.int64), np.full(n_ind, W_BINS - 1, np.int64))
    w_q = {0.05: wq[:, 0], 0.95: wq[:, 1]}
    wf = pl.DataFrame({
        "indicator": list(panel.indicators),
        "base_weight": base_w[0],
        "mean_weight": _fixed_mean(acc.w_sum, acc.n),
        "weight_p05": w_q[0.05],
        "weight_p95": w_q[0.95],
    })
    growth = _growth_frame(panel, base_index, bctx, acc, n_rep) if growth_years is not None else None
    meta = dict(model=model, model_options=opts, weights=weights if isinstance(weights, str) or weights is None else "given",
                replicates=n_rep, over=over, block_length=L, backend=backend, quantile_memory=budget,
                seconds=time.perf_counter() - t0)
    if growth is not None:
        meta["growth_block_length"] = bctx.growth_length
    return _result(panel, bctx, acc, base_index, base_rank, top_k, acceptability, pair_idx, seed, meta,
                   weights_frame=wf, growth=growth)


def _check_growth_memory(n_rep: int, n_regions: int) -> None:
    need = 16 * n_rep * n_regions
    if need > GROWTH_MEMORY_BUDGET:
        most = max(1, GROWTH_MEMORY_BUDGET // (16 * n_regions))
        raise ConfigError(
            f"bootstrap(over='years') keeps every replicate's growth rates for exact quantiles: {n_rep} "
            f"replicates x {n_regions} regions x 2 rates x 8 bytes = {need / 2**30:.2f} GiB "
            f"(> GROWTH_MEMORY_BUDGET = {GROWTH_MEMORY_BUDGET / 2**30:.2f} GiB). Use at most {most} "
            "replicates, or fewer regions at a time (panel.select(...))."
        )


def _growth_frame(panel, base_index, bctx, acc, n_rep) -> pl.DataFrame:
    """Growth table of a year bootstrap from the replicates' exact growth values (see ``bootstrap``)."""
    n_regions = base_index.shape[1]
    base_cagr, base_yoy, _ = kd.growth_rates(np.ascontiguousarray(base_index.T), bctx.years)
    # place every chunk's values by replicate index (any chunking or backend gives the same array)
    values = np.empty((n_rep, n_regions, 2))
    parts, acc.growth_parts = acc.growth_parts or [], None
    placed = 0
    while parts:
        start, g = parts.pop()  # drop each part once copied
        values[start : start + g.shape[0]] = g
        placed += g.shape[0]
    if placed != n_rep:  # pragma: no cover - every chunk reports its replicates
        raise RuntimeError(f"growth values of {placed} replicates collected, expected {n_rep}.")
    stats = _growth_stats(values)  # (2, 3, R): [cagr, mean_yoy] x [mean, p05, p95]
    nan = np.isnan(values[:, :, 0])
    if nan.any():
        per_region = nan.sum(axis=0)
        names = [panel.regions[r] for r in np.flatnonzero(per_region)]
        warnings.warn(
            f"growth undefined (zero, negative or NaN index at the start of a resampled interval, or "
            f"negative at its end) in {int(nan.sum())} of {nan.size} replicate values, for "
            f"{len(names)} region(s) {format_keys(names)}: skipped in the growth means and quantiles "
            "(NaN where no replicate is defined).", FastinnoWarning, stacklevel=3,
        )
    return pl.DataFrame({
        "region": pl.Series(list(panel.regions), dtype=pl.String),
        "base_cagr": base_cagr,
        "mean_cagr": stats[0, 0],
        "cagr_p05": stats[0, 1],
        "cagr_p95": stats[0, 2],
        "base_mean_yoy": base_yoy,
        "mean_mean_yoy": stats[1, 0],
        "mean_yoy_p05": stats[1, 1],
        "mean_yoy_p95": stats[1, 2],
    })


#: Bytes of one region slice of the growth values copied at a time for the statistics.
_GROWTH_SLICE = 32 * 2**20


def _growth_stats(values: np.ndarray) -> np.ndarray:
    """Mean and numpy-default (linear) 5 / 95 % quantiles over replicates, NaN skipped: (2, 3, R).

    Each region's values are taken as one contiguous row, so the mean is numpy's pairwise sum of
    that row (the same bits as ``np.mean`` of the region's non-NaN values).
    """
    n_rep, n_regions, _ = values.shape
    out = np.full((2, 3, n_regions), np.nan)
    qs = np.array([0.05, 0.95])
    step = max(1, _GROWTH_SLICE // (8 * n_rep))
    for k in range(2):
        for r0 in range(0, n_regions, step):
            r1 = min(n_regions, r0 + step)
            x = np.ascontiguousarray(values[:, r0:r1, k].T)  # (regions, replicates)
            nan = np.isnan(x)
            full = ~nan.any(axis=1)
            if full.all():
                out[k, 0, r0:r1] = x.mean(axis=1)
                out[k, 1:, r0:r1] = np.quantile(x, qs, axis=1)
                continue
            for i in range(r1 - r0):
                v = x[i] if full[i] else x[i][~nan[i]]
                if v.size:
                    out[k, 0, r0 + i] = v.mean()
                    out[k, 1:, r0 + i] = np.quantile(v, qs)
    return out


def simulate_weights(
    panel: Any,
    *,
    draws: int = 1000,
    scheme: Literal["dirichlet", "uniform", "hierarchical", "simplex"] = "dirichlet",
    concentration: float = 100.0,
    spread: float = 0.2,
    base_weights: Any = None,
    seed: int | None = None,
) -> np.ndarray:
    """The weight draws :func:`simulate` uses for the same options and seed: (draws, indicators).

    ``base_weights`` as ``model_options["weights"]`` of :func:`simulate` (None = the system's
    hierarchical equal weights; "entropy" / "max_deviation" are not accepted here). Every row is
    >= 0 and sums to 1. Draw ``i`` is the same whatever the number of draws asked for.
    """
    n = panel.system.n_indicators
    if isinstance(base_weights, str) and base_weights in ("entropy", "max_deviation"):
        raise InputError("simulate_weights needs explicit base weights (not 'entropy' / 'max_deviation').")
    base = _base_weights(panel, base_weights, np.zeros((1, 1, n)))
    sampler, _ = _make_sampler(panel, scheme, base, concentration, spread, None)
    n_draws = _check_int("draws", draws, 1)
    seed = check_seed(seed)
    block = _config.DRAW_BLOCK
    nb = -(-n_draws // block)
    return sampler.draw(seed, 0, nb, 0, n_draws)
