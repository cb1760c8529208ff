"""Column normalization of a decision matrix (every value of the ``standardize`` option)."""

from __future__ import annotations

import numpy as np

from .. import _options as opt
from ..kernels import normalize as kn
from ..methods import additive as ma
from ..validate import as_float_view, cost_mask

__all__ = ["normalize"]


def normalize(matrix, is_cost=None, *, method="minmax"):
    """Normalize the columns of ``matrix`` (alternatives x indicators); larger is better after.

    ========== ============================== ==============================================
    method     benefit                        cost
    ========== ============================== ==============================================
    minmax     (x - min) / (max - min)        (max - x) / (max - min)
    max_ratio  x / max                        min / x
    max        x / max                        1 - x / max
    sum        x / sum x                      (1 / x) / sum (1 / x)
    vector     x / sqrt(sum x^2)              1 - x / sqrt(sum x^2)
    zscore     (x - mean) / sd                (mean - x) / sd   (population sd)
    log        ln x / ln prod x               (1 - ln x / ln prod x) / (n - 1)
    ========== ============================== ==============================================

    Conventions of pymcdm 1.4.0 (``pymcdm/normalizations.py``); see Jahan & Edwards (2015),
    Materials & Design 65, 335-342. ``ln prod x`` is computed as ``sum ln x``.

    Parameters
    ----------
    matrix : array_like (n_alternatives, n_indicators)
    is_cost : bool array or criterion types (1 benefit, -1 cost), optional (default all benefit).
    method : str, a value of the ``standardize`` option.

    Returns
    -------
    ndarray float64 (n_alternatives, n_indicators), a new array.

    Raises
    ------
    DegenerateDataError
        Where the formula is undefined or would reverse a column: constant columns (minmax,
        zscore), values <= 0 where ``sum`` / ``max_ratio`` divide or ``log`` takes logarithms, a
        column maximum <= 0 (``max``), ``prod x <= 1`` (``log``: ``ln prod x <= 0`` flips or
        divides by 0), a zero column (vector).
    """
    name = opt.check("standardize", method, name="normalization method")
    x = as_float_view(matrix, "matrix", ndim=2, what="a 2-D array (alternatives x indicators)")
    x3 = x.reshape(1, *x.shape)
    cost = cost_mask(is_cost, x.shape[1])
    a, b, g = ma.normalization_coefficients(x3, cost, name)
    return np.asarray(kn.apply_linear(x3, a, b, g)[0])
