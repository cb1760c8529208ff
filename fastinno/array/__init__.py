"""Array-level API: every method, weighting, normalization and rank correlation on raw NumPy arrays.

No polars, no names: a *matrix* is float64 ``(n_alternatives, n_indicators)``, a *cube*
``(n_regions, n_years, n_indicators)``; ``is_cost`` is a bool vector (``None`` = all benefit) or
criterion types (1 benefit, -1 cost). Checks run once, then the compiled kernel; inputs are only
read, never written.

Example
-------
>>> import numpy as np
>>> from fastinno import array as fa
>>> cube = np.random.default_rng(0).uniform(1, 2, (50, 10, 6))
>>> f = fa.hew_topsis(cube, weights=np.full(6, 1 / 6))            # (1, 50, 10): one model
>>> f = fa.hew_topsis(cube, groups=[[0, 1, 2], [3, 4, 5]])          # (3, 50, 10): index + 2 sub-indices
>>> x = fa.standardize(cube, normalize="minmax", scope="year")
>>> d_pos, d_neg = fa.distances(x, np.full(6, 1 / 6), scope="year")
>>> c = fa.index(d_pos, d_neg, form="closeness")
>>> cagr, mean_yoy, yoy = fa.growth(f[0], years=range(2010, 2020))
>>> m = cube[:, -1, :]                                             # one year: a decision matrix
>>> r = fa.normalize(m, [1, 1, 1, 1, -1, -1], method="sum")        # sum / max / log / minmax / ...
>>> q = fa.copras(m, np.full(6, 1 / 6), [1, 1, 1, 1, -1, -1])      # also wsm, wpm, waspas, aras, moora, mabac

Errors are :class:`fastinno.errors.InputError` (and subclasses), as in the DataFrame API.
"""

from ..methods.additive import aras, copras, mabac, moora, waspas, wpm, wsm
from ..methods.compromise import cocoso, codas, edas, marcos, promethee_ii, spotis, vikor
from ..methods.correlation import (
    goodman_kruskal_gamma,
    kendall_tau_a,
    kendall_tau_c,
    pearson,
    weighted_spearman,
    ws_coefficient,
)
from ..methods.weighting import (
    ahp_weights,
    combine_weights,
    critic_weights,
    cv_weights,
    gini_weights,
    merec_weights,
    std_weights,
)
from .classic import (
    entropy_weights,
    equal_weights,
    gra,
    hierarchical_weights,
    max_deviation_weights,
)
from .ideal_solution import distances, growth, hew_topsis, ideal_points, index, standardize, topsis
from .normalization import normalize

__all__ = [
    "standardize", "ideal_points", "distances", "index", "hew_topsis", "growth", "normalize",
    # ranking methods
    "topsis", "gra", "vikor", "promethee_ii", "edas", "codas", "spotis", "marcos", "cocoso",
    "wsm", "wpm", "waspas", "copras", "aras", "moora", "mabac",
    # weightings
    "equal_weights", "entropy_weights", "max_deviation_weights", "hierarchical_weights",
    "critic_weights", "std_weights", "cv_weights", "merec_weights", "gini_weights", "ahp_weights",
    "combine_weights",
    # rank correlations (spearman and kendall tau-b: fastinno.spearman, fastinno.kendall)
    "kendall_tau_a", "kendall_tau_c", "weighted_spearman", "ws_coefficient", "goodman_kruskal_gamma",
    "pearson",
]
