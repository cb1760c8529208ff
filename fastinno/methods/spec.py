"""What a registered method, weighting and rank correlation declares: one entry each.

The registry (:mod:`fastinno.methods.registry`) collects these entries from the modules that
define them; ``fi.evaluate``, ``fi.compare_methods``, ``simulate``, the config and the CLI read
the registry, so adding a method is one :class:`MethodSpec` beside its code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["MethodSpec", "WeightingSpec", "CorrelationSpec"]


@dataclass(frozen=True)
class MethodSpec:
    """A ranking method.

    Attributes
    ----------
    name : str
        Registry name (a value of the ``method`` option), e.g. ``"vikor"``.
    title : str
        Display name, e.g. ``"VIKOR"``.
    array : callable
        ``array(matrix, weights, is_cost, *, normalize=None, full=False, **options)`` -> 1-D
        preference values (the public ``fastinno.array.<name>``).
    cells : callable
        ``cells(x3, weights, is_cost, normalize, options)`` -> ``(n_cells, n_alternatives)``
        preference values, batched over cells: ``x3`` is float64 C-contiguous
        ``(n_cells, n_alternatives, n_indicators)`` (one cell = the regions of one year, or the
        whole panel), ``weights`` ``(n_indicators,)`` or ``(n_cells, n_indicators)``, ``is_cost``
        bool ``(n_indicators,)``, ``normalize`` a canonical name or ``None`` (the method's default),
        ``options`` the checked method options.
    higher_is_better : bool
        Score direction: ``False`` for VIKOR's Q and SPOTIS (rank ascending).
    default_normalize : str or None
        The normalization of the method's paper; ``None`` when the method has its own built in.
    normalizations : tuple of str
        Accepted ``normalize=`` values (empty: the method normalizes internally and rejects it).
    options : mapping
        Tunable options and their defaults, e.g. ``{"v": 0.5}``.
    source : str
        The citation of the formula.
    linear_terms : callable, optional
        For methods whose score is linear in the weights (or in a fixed transform of them):
        ``linear_terms(x3, is_cost, normalize, options)`` -> ``T`` of shape
        ``(n_cells, k, n_alternatives, n_indicators)`` so that ``P[c, k, i] = sum_j T[c, k, i, j] w_j``
        and the preference is ``combine(P)`` (the Monte Carlo engine's block products).
    combine : callable, optional
        ``combine(P)`` -> ``(n_cells, n_alternatives)``; ``None`` means ``P[:, 0]``. Any
        rank-preserving transform of the preference is allowed.
    linear_in_weights : bool
        The preference is exactly ``sum_j w_j p_j(x)`` with no term of its own for
        :attr:`linear_terms` (PROMETHEE II's net flow, SPOTIS's distance): the Monte Carlo engine
        builds the terms from the preferences at the unit weight vectors.
    draws_state : callable, optional
        For methods that are not linear in the weights: ``draws_state(x3, is_cost, normalize,
        options)`` -> the weight-independent state (normalized matrices, ideal points ...) of
        :attr:`draws_scores`.
    draws_scores : callable, optional
        ``draws_scores(state, cell, w, out)``: the preferences of cell ``cell`` for every weight row
        of ``w`` (float64 ``(n_draws, n_indicators)``) written into ``out`` ``(n_draws,
        n_alternatives)``: the Monte Carlo engine's batched evaluation (without it, the engine
        calls :attr:`cells` once per draw).
    """

    name: str
    title: str
    array: Callable
    cells: Callable
    higher_is_better: bool
    default_normalize: str | None
    normalizations: tuple[str, ...]
    options: Mapping[str, object] = field(default_factory=dict)
    source: str = ""
    linear_terms: Callable | None = None
    combine: Callable | None = None
    linear_in_weights: bool = False
    draws_state: Callable | None = None
    draws_scores: Callable | None = None


@dataclass(frozen=True)
class WeightingSpec:
    """An objective or subjective weighting.

    ``array(matrix, is_cost)`` -> ``(n_indicators,)`` weights summing to 1 (the public
    ``fastinno.array.<name>_weights``); ``cells(x3, is_cost)`` -> ``(n_cells, n_indicators)``;
    ``data`` is ``"raw"`` or the normalization the weighting reads (e.g. ``"minmax"``);
    ``needs`` names extra input a subjective weighting requires (``"pairwise"`` for AHP,
    ``"system"`` for the hierarchical split), empty for objective weightings.
    """

    name: str
    title: str
    array: Callable
    cells: Callable | None
    data: str
    source: str = ""
    needs: str = ""


@dataclass(frozen=True)
class CorrelationSpec:
    """A rank correlation or similarity coefficient.

    ``array(a, b)`` -> float, on two rankings (1 = best; Pearson: on scores); ``pairs(r)`` ->
    ``(k, k)`` matrix of the coefficient between the rows of ``r`` ``(k, n)`` (entry ``[a, b]``
    takes row ``a`` as the reference when the coefficient is not symmetric); ``on_scores`` when the
    coefficient reads scores rather than ranks.
    """

    name: str
    title: str
    array: Callable
    pairs: Callable
    symmetric: bool = True
    on_scores: bool = False
    source: str = ""
