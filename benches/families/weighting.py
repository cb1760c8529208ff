"""Objective weightings (CRITIC, SD, CV, MEREC, Gini) on a decision matrix: fastinno vs vectorised
numpy baselines and pymcdm 1.4.0 (when installed).

pymcdm's SD reads the raw matrix and its CRITIC normalises every column as benefit, so its
implementations here normalise first (min-max, direction-aware), as a user would to get the same
weights. pymcdm's Gini is an O(n^2) Python loop: compared on a small matrix only.
"""

from __future__ import annotations

from types import SimpleNamespace

import baselines as bl
import numpy as np
import numpy.testing as npt
from benchkit import Shape, register

import fastinno.array as fa

try:
    from pymcdm import weights as pw
    from pymcdm.helpers import normalize_matrix
    from pymcdm.normalizations import minmax_normalization
except ImportError:  # pymcdm is a reference only
    pw = None


def _matrix(shape):
    rng = np.random.default_rng(4)
    x = rng.uniform(1.0, 100.0, size=shape)
    types = np.where(np.arange(shape[1]) % 5 == 0, -1, 1)  # every fifth indicator a cost
    return SimpleNamespace(x=x, types=types, is_cost=types < 0)


def _agree(got, want):
    npt.assert_allclose(got, want, rtol=1e-9)


def _pymcdm_minmax(s):
    return normalize_matrix(s.x, minmax_normalization, s.types)


BIG = Shape("60000x30", (60000, 30), slow=True)
SMALL = Shape("3000x30", (3000, 30))

_CASES = {
    "critic": (
        lambda s: fa.critic_weights(s.x, s.is_cost),
        lambda s: bl.critic_weights(s.x, s.is_cost),
        lambda s: pw.critic_weights(_pymcdm_minmax(s)),
    ),
    "std": (
        lambda s: fa.std_weights(s.x, s.is_cost),
        lambda s: bl.std_weights(s.x, s.is_cost),
        lambda s: pw.standard_deviation_weights(_pymcdm_minmax(s)),
    ),
    "cv": (lambda s: fa.cv_weights(s.x), lambda s: bl.cv_weights(s.x), None),
    "merec": (
        lambda s: fa.merec_weights(s.x, s.is_cost),
        lambda s: bl.merec_weights(s.x, s.is_cost),
        lambda s: pw.merec_weights(s.x, s.types),
    ),
    "gini": (lambda s: fa.gini_weights(s.x), lambda s: bl.gini_weights(s.x), None),
}

for _name, (_fast, _numpy, _peer) in _CASES.items():
    _impls = {"fastinno": _fast, "numpy": _numpy}
    if _peer is not None and pw is not None:
        _impls["pymcdm"] = _peer
    register(
        f"{_name}_weights",
        setup=_matrix,
        impls=_impls,
        shapes=[BIG, SMALL],
        agree=_agree,
        warm=True,
        rounds=lambda impl, shape: 1 if impl == "pymcdm" and shape.slow else 5,
    )

if pw is not None:
    register(
        "gini_weights_vs_pymcdm",
        setup=_matrix,
        impls={
            "fastinno": lambda s: fa.gini_weights(s.x),
            "pymcdm": lambda s: pw.gini_weights(s.x),
        },
        shapes={"300x10": (300, 10)},
        reference="pymcdm",
        agree=_agree,
        warm=True,
        rounds=3,
    )
