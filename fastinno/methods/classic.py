"""Registry entries of the classic methods: TOPSIS, GRA and the ideal-solution index; the equal,
hierarchical, entropy and maximum-deviation weightings; Spearman's rho and Kendall's tau-b.

Each entry's ``cells`` runs the method on a batch of cells ``x3`` (n_cells, n_alternatives,
n_indicators) for :func:`fastinno.evaluate` and :func:`fastinno.compare_methods`.

``hew_topsis`` as a ranking method: every cell is one ideal-solution problem with its own
ideal and anti-ideal points (the model's ``scope="year"`` when the cells are years, ``"panel"``
when the cell is the whole panel), on the flat weights given (``weights="hierarchical"`` gives
the indicator system's level-by-level equal weights, the model's own); the index is
F = d-^2 / (d+^2 + d-^2) on max-ratio standardized values unless ``form`` / ``normalize`` say
otherwise. Sub-indices are not part of a ranking: use :func:`fastinno.hew_topsis` for them.
"""

from __future__ import annotations

import numpy as np

from .. import _options as opt
from ..array import classic as fac
from ..array import ideal_solution as fai
from ..errors import DegenerateDataError
from ..kernels import agreement as ka
from ..kernels import normalize as kn
from ..kernels import relational as krel
from ..validate import as_float_view, check_weights, cost_mask
from . import mcda
from .spec import CorrelationSpec, MethodSpec, WeightingSpec

__all__ = ["SPECS", "WEIGHTINGS", "CORRELATIONS", "spearman_pairs", "kendall_pairs"]

_NORMALIZATIONS = ("max_ratio", "minmax", "vector", "zscore")


def _row_weights(weights, c):
    return weights if weights.ndim == 1 else np.ascontiguousarray(weights[c])


def _normalized(x, is_cost, normalize):
    code = opt.code("standardize", normalize, name="normalize")
    if code == kn.MAX_RATIO:
        mn = x.min(axis=0)
        if np.where(is_cost, mn <= 0, mn < 0).any():
            raise DegenerateDataError(
                "normalize='max_ratio' needs positive values (benefit >= 0, cost > 0). Use "
                "normalize='minmax' or 'vector'."
            )
    return kn.normalize_matrix(x, is_cost, code)


def topsis_cells(x3, weights, is_cost, normalize, options):
    """TOPSIS index of every cell: (n_cells, n_alternatives); see :func:`fastinno.array.topsis`."""
    form = opt.code("form", options.get("form", "closeness"))
    code = opt.code("standardize", normalize or "vector", name="normalize")
    out = np.empty(x3.shape[:2])
    for c in range(x3.shape[0]):
        x = np.ascontiguousarray(x3[c], dtype=np.float64)
        out[c] = fai.topsis_matrix(x, _row_weights(weights, c), is_cost, code, form)[0]
    return out


def gra_cells(x3, weights, is_cost, normalize, options):
    """Grey relational grade of every cell; see :func:`fastinno.array.gra`."""
    rho = mcda.check_rho(options.get("rho", 0.5))
    out = np.empty(x3.shape[:2])
    for c in range(x3.shape[0]):
        p = _normalized(x3[c], is_cost, normalize or "minmax")
        out[c] = krel.grey_relational_grades(p, _row_weights(weights, c), rho)
    return out


def _hew_codes(normalize, form):
    name = opt.check("standardize", normalize or "max_ratio", name="normalize", allowed=opt.CUBE_STANDARDIZATIONS)
    return opt.code("standardize", name, name="normalize"), opt.code("form", form)


def hew_topsis_cells(x3, weights, is_cost, normalize, options):
    """Ideal-solution index of every cell (each cell its own ideal points); see the module notes.

    One cell of the model is TOPSIS with the weights ``w`` on its standardized matrix
    (``d+- = sqrt(sum_j w_j^2 (x_j - x_alpha/beta_j)^2)`` are the distances of ``v = w x``), so
    every cell goes through :func:`fastinno.array.ideal_solution.topsis_matrix`.
    """
    code, form = _hew_codes(normalize, options.get("form", "ratio2"))
    out = np.empty(x3.shape[:2])
    for c in range(x3.shape[0]):
        x = np.ascontiguousarray(x3[c], dtype=np.float64)
        out[c] = fai.topsis_matrix(x, _row_weights(weights, c), is_cost, code, form)[0]
    return out


def _hew_topsis_array(matrix, weights, is_cost=None, *, normalize=None, full=False, form="ratio2"):
    """The ideal-solution index of one matrix (one cell, see :func:`hew_topsis_cells`); ``full``
    is not supported. ``weights=None``: equal weights."""
    x = as_float_view(matrix, "matrix", ndim=2)
    m = x.shape[1]
    w = np.full(m, 1.0 / m) if weights is None else check_weights(weights, m)
    code, f = _hew_codes(normalize, form)
    return fai.topsis_matrix(x, w, cost_mask(is_cost, m), code, f)[0]


SPECS = (
    MethodSpec(
        name="topsis", title="TOPSIS", array=fai.topsis, cells=topsis_cells, higher_is_better=True,
        default_normalize="vector", normalizations=_NORMALIZATIONS, options={"form": "closeness"},
        source="Hwang, C.-L.; Yoon, K. (1981) Multiple Attribute Decision Making, Springer, ch. 4",
    ),
    MethodSpec(
        name="gra", title="GRA", array=fac.gra, cells=gra_cells, higher_is_better=True,
        default_normalize="minmax", normalizations=_NORMALIZATIONS, options={"rho": 0.5},
        source="Deng, J.-L. (1982) Control problems of grey systems, Systems & Control Letters 1(5) 288-294",
    ),
    MethodSpec(
        name="hew_topsis", title="HEW-TOPSIS", array=_hew_topsis_array, cells=hew_topsis_cells,
        higher_is_better=True, default_normalize="max_ratio", normalizations=_NORMALIZATIONS,
        options={"form": "ratio2"},
        source="the hierarchical equal-weight ideal-solution model (fastinno.hew_topsis)",
    ),
)


def _cells_of(array):
    def cells(x3, is_cost):
        return np.stack([array(x3[c], is_cost) for c in range(x3.shape[0])])

    return cells


def _equal_cells(x3, is_cost):  # noqa: ARG001
    return np.full((x3.shape[0], x3.shape[2]), 1.0 / x3.shape[2])


WEIGHTINGS = (
    WeightingSpec(name="equal", title="equal", array=fac.equal_weights, cells=_equal_cells, data="raw"),
    WeightingSpec(
        name="hierarchical", title="hierarchical", array=fac.hierarchical_weights, cells=None, data="raw",
        needs="system", source="equal shares at every level of the indicator system",
    ),
    WeightingSpec(
        name="entropy", title="entropy", array=fac.entropy_weights, cells=_cells_of(fac.entropy_weights),
        data="minmax", source="Xia, Li, Yin (2020) Sustainability 12(7) 2739, sec. 3.1.1",
    ),
    WeightingSpec(
        name="max_deviation", title="maximum deviation", array=fac.max_deviation_weights,
        cells=_cells_of(fac.max_deviation_weights), data="minmax",
        source="Wang Yingming (1998); Xia, Li, Yin (2020) sec. 3.1.1",
    ),
)


def spearman_pairs(r):
    """Spearman's rho of every pair of rows of ``r`` (k, n) average ranks -> (k, k)."""
    return ka.spearman_pairs_cells(np.ascontiguousarray(r, dtype=np.float64)[None])[0]


def kendall_pairs(r):
    """Kendall's tau-b of every pair of rows of ``r`` (k, n) -> (k, k), O(n log n) per pair."""
    r = np.ascontiguousarray(r, dtype=np.float64)
    disc, joint, tied = ka.pair_counts(r)
    return ka.tau_b_from_counts(disc, joint, tied, r.shape[1])


CORRELATIONS = (
    CorrelationSpec(
        name="spearman", title="Spearman's rho", array=mcda.spearman, pairs=spearman_pairs,
        source="Spearman, C. (1904) Am. J. Psychol. 15(1) 72-101",
    ),
    CorrelationSpec(
        name="kendall", title="Kendall's tau-b", array=mcda.kendall, pairs=kendall_pairs,
        source="Kendall, M.G. (1945) Biometrika 33(3) 239-251; Knight, W.R. (1966) JASA 61(314) 436-439",
    ),
)
