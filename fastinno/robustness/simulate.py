"""Monte Carlo weight perturbations: :func:`simulate` and :func:`simulate_weights`."""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from .. import _config
from .. import _options as opt
from .._random import check_seed
from ..errors import InputError
from .accumulators import (
    check_counts,
    context,
    pair_indices,
    quantile_budget,
    quantile_mode,
    rank_budget,
    rank_mode,
)
from .choices import combinations, variance_shares
from .execute import check_backend, execute
from .models import MODELS, check_int, check_model, drop_constant, prepare_model
from .models import base_weights as model_base_weights
from .sampling import SCHEMES, as_float, check_sampler, make_sampler
from .summary import result

__all__ = ["simulate", "simulate_weights", "MODELS", "SCHEMES"]


def simulate(
    panel: Any,
    *,
    model: Literal["hew-topsis", "topsis", "gra", "weighted-sum", "combined"] = "hew-topsis",
    model_options: Mapping[str, Any] | None = None,
    draws: int = 10_000,
    scheme: Literal["dirichlet", "uniform", "hierarchical", "simplex", "given"] | None = None,
    concentration: float = 100.0,
    spread: float = 0.2,
    given: np.ndarray | None = None,
    top_k: Sequence[int] = (1, 3, 10),
    pairs: Sequence[tuple[str, str]] | None = None,
    acceptability: bool = False,
    seed: int | None = None,
    backend: Literal["local", "dask"] = "local",
    scheduler: Any = None,
    n_workers: int | None = None,
    scheduler_timeout: float | None = None,
    chunk_size: int | None = None,
    index_bins: int | None = None,
    quantile_memory: int | str | None = None,
    rank_memory: int | str | None = None,
    choices: Mapping[str, Sequence[Any]] | None = None,
    progress: bool = True,
    weights: np.ndarray | None = None,
):
    """Monte Carlo weight perturbations: how stable are the index and the ranking?

    Parameters
    ----------
    panel : Panel
    model : {"hew-topsis", "topsis", "gra", "weighted-sum", "combined"}
        (``"hew_topsis"`` and ``"weighted_sum"`` are accepted too.) ``hew-topsis``: the ideal-solution model (options ``scope``, ``standardize``, ``form``,
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
    scheme : {"dirichlet", "uniform", "hierarchical", "simplex", "given"}, optional
        ``dirichlet`` (the default): Dirichlet(kappa * base). ``uniform``: base * U(1 - spread,
        1 + spread), renormalised. ``hierarchical``: Dirichlet(kappa * shares) at every level of
        the system. ``simplex``: uniform on the simplex. ``given``: the rows of ``given`` (the
        default when ``given`` is passed).
    concentration : float
        kappa (``math.inf`` = no perturbation).
    spread : float
        delta in [0, 1] of the uniform scheme.
    given : array (draws, indicators), optional
        A user's draw matrix (rows >= 0 summing to 1): every row is one draw (``scheme="given"``).
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
        of ``n_workers`` workers (an integer >= 1, default 2); checked before any work.
    scheduler_timeout : float, optional
        Seconds to wait for ``scheduler`` before an :class:`InputError` says it cannot be
        reached (default ``_config.SCHEDULER_TIMEOUT``, 10 s).
    chunk_size : int, optional
        Draws per chunk, rounded up to a multiple of ``_config.DRAW_BLOCK``.
    index_bins : int, optional
        Bins of the index histograms (default ``_config.INDEX_HIST_BINS``, halved until they fit
        ``_config.HIST_MEMORY_BUDGET``), when the index quantiles come from histograms.
    quantile_memory : int or str, optional
        Bytes the exact index quantiles may use: an int, or a string such as ``"512MB"``,
        ``"2GiB"``, ``"256 MiB"`` (MB / GB = 10^6 / 10^9, MiB / GiB = 2^20 / 2^30; any case).
        When ``8 x years x draws x combinations x regions`` bytes fit, every draw's index is
        kept and ``median_index``, ``index_p05`` and ``index_p95`` are exact
        (``index_resolution`` 0, ``options["quantiles"] == "exact"``); otherwise they come from
        the histograms (``"histogram"``). 0 = always histograms; None = ``_config.EXACT_QUANTILE_MEMORY``
        (64 MiB).
    rank_memory : int or str, optional
        Bytes the rank counts may use (as ``quantile_memory``; None =
        ``_config.COUNTS_MEMORY_BUDGET``, 1.5 GiB). Counts take b = 2 bytes (uint16) when the run
        ranks at most 65,535 values per region and year (draws x method combinations), else 4
        (int32). When the exact counts (``b x years x regions^2`` bytes) fit, every rank
        statistic and the acceptability matrix are exact
        (``rank_resolution`` 1, ``options["ranks"] == "exact"``). Otherwise the counts become rank
        histograms with bins of ``rank_resolution`` = 2^s ranks, the smallest power of two whose
        ``b x years x regions x ceil(regions / 2^s)`` bytes fit, with at most
        ``_config.RANK_HIST_BINS`` (2,048) bins per region (``"histogram"``): ``mean_rank``,
        ``p_top_k``, ``mean_abs_rank_shift`` and ``outranks`` stay exact (exact integer sums and
        counts per region), ``median_rank``, ``rank_p05`` and ``rank_p95`` are within
        ``rank_resolution - 1`` ranks of the exact ones and the acceptability matrix gives the
        share of each bin (rows ``rank`` = the bin's first rank).
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
    weights : array, optional
        Deprecated name of ``given`` (with ``scheme="given"``); emits a ``FutureWarning``.

    Returns
    -------
    RobustnessResult
        ``.summary`` (region, year, base_index, base_rank, mean_index, median_index, index_p05,
        index_p95, mean_rank, median_rank, rank_p05, rank_p95, p_top_k...), ``.agreement`` (year,
        spearman_rho_mean, spearman_rho_p05, spearman_rho_min, mean_abs_rank_shift), optional ``.acceptability`` and
        ``.outranks``.

    Notes
    -----
    Ideal points do not depend on positive weights, so d_pos^2 = A_pos @ (w^2)^T for all draws
    at once (one GEMM per block of draws and year, :func:`fastinno.robustness.blocks.rank_blocks`); the grey relational
    grade and the weighted sum are linear in w. Rank 1 = best within its year, ties share the best rank (competition ranking).
    Rank statistics are exact (within ``rank_resolution`` for the rank quantiles of runs past
    ``rank_memory``). Index quantiles are numpy's default linear quantiles (Hyndman &
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
    (to rounding, ~1e-16) and rank. With ``given`` the rows are interpreted the same way
    (tilts w / b). Where b = 0, f = 0 (scheme="simplex" and ``given`` rows weighting such indicators
    are rejected). The compatibility test "p < alpha and rho > 0" is evaluated as
    rho >= r_alpha, the smallest double whose p-value is below alpha. A draw that leaves a method
    without weight gets a NaN index (ranked last, skipped by the index statistics). The index
    lies in [0, 1] (the histogram range). Each block of draws and year costs two GEMMs (weighted
    sums and grey grades are linear in f, TOPSIS's squared distances in f^2) and a numba kernel
    over the draws (``kernels.combination``).
    """
    t0 = time.perf_counter()
    check_backend(backend, scheduler, n_workers, scheduler_timeout)
    given, scheme = _given_draws(given, weights, scheme)
    model = check_model(model)
    panel, model_options, given = drop_constant(panel, model, model_options, given, choices)
    mdl, base = prepare_model(panel, model, model_options)
    sampler, n_given = make_sampler(panel, scheme, base, concentration, spread, given)
    check_sampler(mdl, sampler)
    n_draws = n_given if n_given is not None else check_int("draws", draws, 1)
    top_k = tuple(check_int("top_k", k, 1) for k in top_k)
    seed = check_seed(seed)
    budget = quantile_budget(quantile_memory)
    r_budget = rank_budget(rank_memory)
    n_years, _, n_regions = mdl.at1.shape
    pair_idx = pair_indices(panel, pairs)
    combos, levels, n_levels, names = combinations(panel, model, model_options, choices, scheme,
                                                   concentration, spread, given)
    n_values = n_draws * max(1, len(combos))
    check_counts(n_regions, n_years, n_values)
    if combos:
        mdl, sampler = combos[0]
    ctx, base_index, base_rank = context(mdl, sampler, base if not combos else None, seed, n_regions, n_years,
                                         pair_idx, index_bins, combos)
    if combos:
        ctx.combos, ctx.levels, ctx.n_levels = combos, levels, n_levels
    quantile_mode(ctx, budget, n_draws, max(1, len(combos)))
    rank_mode(ctx, r_budget, top_k, base_rank, n_values)
    acc = execute(ctx, n_draws, chunk_size, backend, scheduler, n_workers, progress,
                  scheduler_timeout=scheduler_timeout)
    shares = variance_shares(acc, names, n_levels) if combos else None
    return result(
        panel, ctx, acc, base_index, base_rank, top_k, acceptability, pair_idx, seed,
        dict(model=model, model_options=dict(mdl.options), scheme=sampler.scheme if n_given is None else "given",
             concentration=as_float(concentration), spread=as_float(spread), draws=n_draws, backend=backend,
             choices={k: list(v) for k, v in (choices or {}).items()}, quantile_memory=budget,
             rank_memory=r_budget,
             seconds=time.perf_counter() - t0),
        variance_shares=shares,
    )


def _given_draws(given, weights, scheme):
    """``(given, scheme)`` from the new ``given=`` and the deprecated ``weights=`` spelling.

    ``given`` implies ``scheme="given"``; ``weights=`` keeps its old rule (only with
    ``scheme="given"``) and warns.
    """
    if weights is not None:
        if given is not None:
            raise InputError("give the draw matrix once, as given= (weights= is its deprecated name).")
        if scheme is None or opt.check("scheme", scheme) != "given":
            raise InputError("weights= is only used with scheme='given'; base weights go in model_options.")
        warnings.warn(
            "simulate(weights=...) is deprecated: pass the draw matrix as given=... (scheme='given' is "
            "then implied).", FutureWarning, stacklevel=3,
        )
        given = weights
    if scheme is None:
        scheme = "given" if given is not None else "dirichlet"
    return given, scheme


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
    base = model_base_weights(panel, base_weights, np.zeros((1, 1, n)))
    sampler, _ = make_sampler(panel, scheme, base, concentration, spread, None)
    n_draws = check_int("draws", draws, 1)
    seed = check_seed(seed)
    block = _config.DRAW_BLOCK
    nb = -(-n_draws // block)
    return sampler.draw(seed, 0, nb, 0, n_draws)
