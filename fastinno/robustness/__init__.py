"""Robustness engine: Monte Carlo weight perturbations, method-choice uncertainty, bootstrap.

``simulate`` draws thousands of weight vectors (and optionally method choices), re-evaluates the
model for each, ranks the regions of every year in every draw and reports how stable the index
and the ranking are. ``bootstrap`` resamples regions (or blocks of years) and re-estimates the
data-dependent parts of the model (standardization bounds, ideal points, objective weights).
``simulate(model="combined")`` perturbs the weighted steps of the combined evaluation
(:mod:`.combined_model`, a plug-in model of :data:`.models.REGISTRY` answering through the
``Model.custom`` hook; its index lies in [0, 1]).

Streaming: draws run in chunks (a whole number of seeding blocks of ``_config.DRAW_BLOCK``
draws). Each chunk folds into fixed-size accumulators, so memory is
O(chunk x regions + regions^2 x years + regions x years x bins), independent of the number of
draws (the exact-quantile draw matrix below, capped by ``quantile_memory``, is one of two
documented exceptions):

- rank-position counts ``(years, regions, regions)``, uint16 (int32 past 65,535 draws): every
  rank statistic (mean, median, 5 / 95 % quantiles, top-k probabilities, the acceptability
  matrix) is **exact**;
- index histograms ``(years, regions, bins)`` on each cell's a-priori range ``[lo, hi]`` (the
  index of a weighted model is a mediant of per-indicator terms, so it cannot leave the range
  spanned by them): index quantiles are accurate to one bin, ``(hi - lo) / bins`` (reported as
  ``RobustnessResult.index_resolution``; at most ``1 / bins`` for indices in [0, 1]), and are
  clamped to the exact running min / max;
- exact index quantiles instead, when the draw matrix fits ``quantile_memory`` (default
  ``_config.EXACT_QUANTILE_MEMORY``): every draw's index (float64, as the ranking kernel computed it)
  is kept in a ``(years, draws, combinations, regions)`` matrix (8 x years x values x regions
  bytes), filled by global draw position (so chunking and backend do not matter), and
  ``median_index`` / ``index_p05`` / ``index_p95`` are numpy's linear quantiles of it
  (``index_resolution`` 0, ``options["quantiles"] == "exact"``; no histograms are kept);
- sums (for means) in exact fixed point: each value times a power of two (exact), truncated to
  an integer and added as a two-word integer, so means are identical for any chunking, thread
  count or backend and no per-block state is kept (memory does not grow with the draws);
- Spearman's rho per draw goes into a 2^16-bin histogram on [-1, 1] (``spearman_rho_p05`` accurate to
  3.1e-5), an exact running min and an exact fixed-point sum.

The other documented exception: ``bootstrap(over="years")`` keeps every replicate's growth rates
exactly, (replicates x regions x 2) float64 placed by replicate index, for exact quantiles; it
grows with the replicates and is capped by ``_config.GROWTH_MEMORY_BUDGET`` (a ``ConfigError`` before
the run when it would not fit).

Seeding: block ``k`` uses ``SeedSequence(seed, spawn_key=(k,))``; results are bit-identical for
any ``chunk_size``, numba thread count and backend (local or Dask), on the same BLAS build.

Modules, lowest first: :mod:`.workspace` (work arrays, GEMM pool), :mod:`.models` (model
preparation, plug-in registry), :mod:`.combined_model`, :mod:`.sampling`, :mod:`.accumulators`,
:mod:`.blocks` (the block pipeline), :mod:`.execute` (local / Dask), :mod:`.choices` (method-choice
runs), :mod:`.summary` (the result), :mod:`.simulate` and :mod:`.bootstrap` (the public entry
points).
"""

from __future__ import annotations

from . import (
    combined_model,  # noqa: F401  (registers the plug-in model "combined")
    method_model,  # noqa: F401  (registers every registered ranking method as a model)
)
from .bootstrap import bootstrap
from .models import MODELS
from .sampling import SCHEMES
from .simulate import simulate, simulate_weights

__all__ = ["simulate", "bootstrap", "simulate_weights", "MODELS", "SCHEMES"]
