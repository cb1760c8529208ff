"""All-pairs rank similarity matrices (method comparison: k rankings of n regions per year):
fastinno's batched kernels vs numpy broadcasting per year, and scipy's tau-c per pair.

The big shape is the method comparison's: 20 years x 45 configurations x 2,800 regions.
"""

from __future__ import annotations

import baselines as bl
import numpy as np
import numpy.testing as npt
import scipy.stats as ss
from benchkit import Shape, register

from fastinno.methods import correlation as mc


def _ranks(shape):
    """(years, k, n) rankings 1..n: noisy copies of one ranking (ties none)."""
    c, k, n = shape
    rng = np.random.default_rng(7)
    base = rng.random(n)
    scores = base + 0.3 * rng.random((c, k, n))
    return (np.argsort(np.argsort(-scores, axis=-1), axis=-1) + 1).astype(np.float64)


def _per_cell(f):
    return lambda r: np.stack([f(cell) for cell in r])


def _agree(got, want):
    npt.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def _scipy_tau_c(r):
    c, k, _ = r.shape
    out = np.empty((c, k, k))
    for q in range(c):
        for a in range(k):
            for b in range(k):
                out[q, a, b] = ss.kendalltau(r[q, a], r[q, b], variant="c").statistic
    return out


BIG = Shape("20x45x2800", (20, 45, 2800), slow=True)
SMALL = Shape("2x10x300", (2, 10, 300))

for _name, _fast, _numpy in [
    ("rw", mc.weighted_spearman_pairs, bl.weighted_spearman_pairs),
    ("ws", mc.ws_coefficient_pairs, bl.ws_coefficient_pairs),
    ("pearson", mc.pearson_pairs, bl.pearson_pairs),
]:
    register(
        f"{_name}_pairs",
        setup=_ranks,
        impls={"fastinno": _fast, "numpy": _per_cell(_numpy)},
        shapes=[BIG, SMALL],
        agree=_agree,
        warm=True,
        rounds=5,
    )

register(
    "kendall_tau_c_pairs",
    setup=_ranks,
    impls={"fastinno": mc.kendall_tau_c_pairs, "scipy": _scipy_tau_c},
    shapes=[Shape("20x45x2800", (20, 45, 2800), slow=True), SMALL],
    reference="scipy",
    agree=_agree,
    warm=True,
    rounds=lambda impl, shape: 1 if impl == "scipy" and shape.slow else 3,
)

# The O(n^2) pair broadcast (sign matrices) is what numpy can do for the concordance family.
for _name, _fast, _numpy in [
    ("kendall_tau_a", mc.kendall_tau_a_pairs, bl.kendall_tau_a_pairs),
    ("gamma", mc.goodman_kruskal_gamma_pairs, bl.gamma_pairs),
]:
    register(
        f"{_name}_pairs",
        setup=_ranks,
        impls={"fastinno": _fast, "numpy": _per_cell(_numpy)},
        shapes=[SMALL],
        agree=_agree,
        warm=True,
        rounds=3,
    )
