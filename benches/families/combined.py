"""Combined evaluation: the matrix toolbox (min-max normalisation alone; min-max + entropy
weights + TOPSIS as a user chains them), max-deviation weights, Spearman (single, batched) and
the whole per-year combined evaluation, fastinno vs vectorised numpy baselines (and scipy for
Spearman).
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from types import SimpleNamespace

import baselines as bl
import numpy as np
import numpy.testing as npt
import polars as pl
import scipy.stats as ss
from benchkit import Shape, register
from make_county_panel import make_county_panel

import fastinno as fi
from fastinno.data.panel import Panel
from fastinno.data.system import read_system
from fastinno.errors import FastinnoWarning


def _allclose(rtol):
    def agree(got, want):
        npt.assert_allclose(got, want, rtol=rtol)

    return agree


def _decision_matrix(shape):
    rng = np.random.default_rng(4)
    x = rng.uniform(1.0, 100.0, size=shape)
    types = np.where(np.arange(shape[1]) % 5 == 0, -1, 1)  # every fifth indicator a cost
    return SimpleNamespace(x=x, types=types, is_cost=types < 0)


def _entropy_topsis_fastinno(s):
    """The public calls in the order a user chains them (each validates its input)."""
    p = fi.normalize(s.x, s.types, "minmax")
    w = fi.entropy_weights(p)
    return w, fi.topsis(p, w)


def _agree_pairs(rtol):
    def agree(got, want):
        for g, w in zip(got, want):
            npt.assert_allclose(g, w, rtol=rtol)

    return agree


register(
    "normalize_minmax",
    setup=_decision_matrix,
    impls={
        "fastinno": lambda s: fi.normalize(s.x, s.types, "minmax"),
        "numpy": lambda s: bl.normalize_minmax(s.x, s.is_cost),
    },
    shapes={"60000x30": (60000, 30), "3000x30": (3000, 30)},
    agree=_allclose(1e-14),
    warm=True,
)

register(
    "entropy_topsis",
    setup=_decision_matrix,
    impls={"fastinno": _entropy_topsis_fastinno, "numpy": lambda s: bl.entropy_topsis(s.x, s.is_cost)},
    shapes=[Shape("60000x30", (60000, 30), slow=True), Shape("3000x30", (3000, 30))],
    agree=_agree_pairs(1e-10),
    warm=True,
)

register(
    "max_deviation_weights",
    setup=lambda shape: np.random.default_rng(0).random(shape),
    impls={"fastinno": fi.max_deviation_weights, "numpy": bl.max_deviation_weights},
    shapes=[Shape("60000x30", (60000, 30), slow=True), Shape("3000x30", (3000, 30))],
    agree=_allclose(1e-12),
    warm=True,
)

# The O(n log n) formula against the textbook O(n^2) double sum (numpy broadcasting).
register(
    "max_deviation_vs_quadratic",
    setup=lambda shape: np.random.default_rng(1).random(shape),
    impls={"fastinno": fi.max_deviation_weights, "numpy": bl.max_deviation_weights_quadratic},
    shapes={"3000x30": (3000, 30)},
    reference="fastinno",
    agree=_allclose(1e-10),
    warm=True,
    rounds=5,
)


def _spearman_pair(n):
    rng = np.random.default_rng(2)
    a = rng.random(n)
    return a, a + rng.random(n)


register(
    "spearman",
    setup=_spearman_pair,
    impls={
        "fastinno": lambda ab: fi.spearman(*ab),
        "numpy": lambda ab: bl.spearman(*ab),
        "scipy": lambda ab: ss.spearmanr(*ab).statistic,
    },
    shapes=[Shape("1e6", 1_000_000, slow=True)],
    reference="scipy",
    agree=_allclose(1e-12),
    warm=True,
    rounds=7,
)


def _many_vs_one(shape):
    rng = np.random.default_rng(3)
    base = rng.random(shape[1])
    return 0.5 * base + rng.random(shape), base


register(
    "spearman_many_vs_one",
    setup=_many_vs_one,
    impls={
        "fastinno": lambda xb: fi.spearman_many(*xb),
        "numpy": lambda xb: bl.spearman_many_loop(*xb),
    },
    shapes=[Shape("1000x3000", (1000, 3000), slow=True), Shape("100x500", (100, 500))],
    agree=_allclose(1e-12),
    warm=True,
    rounds=5,
)


@lru_cache(maxsize=1)
def synthetic_panel(shape: tuple[int, int, int]) -> Panel:
    """The synthetic county panel of ``shape``, regions and years sorted, built once."""
    n_regions, n_years, n_indicators = shape
    wide, system = make_county_panel(n_regions, n_years, n_indicators, seed=0)
    wide = wide.sort("region", "year")
    names = [c for c in wide.columns if c not in ("region", "year")]
    cube = wide.select(names).to_numpy().reshape(n_regions, n_years, n_indicators)
    regions = wide["region"].unique(maintain_order=True).to_list()
    years = wide["year"].unique(maintain_order=True).to_list()
    return Panel(cube, regions, years, read_system(system))


def _combined_setup(shape):
    panel = synthetic_panel(shape)
    dims = [np.arange(panel.n_indicators)] + [g.indices for g in panel.system.groups]
    return SimpleNamespace(panel=panel, dims=dims, cube=np.asarray(panel.cube))


def _combined_fastinno(s):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)
        return fi.combined_evaluation(s.panel)


def _combined_numpy(s):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return bl.combined_evaluation(s.cube, s.panel.is_cost, s.dims)


def _read_combined(res, s):
    """Per dimension: the four methods' scores (years, 4, regions) and the combined (years, regions)."""
    panel = s.panel
    n_r = panel.n_regions
    out = []
    for name in ["index"] + [g.name for g in panel.system.groups]:
        got = res.scores.filter(pl.col("dimension") == name).sort("year", "region")
        scores = got.select("entropy", "max_deviation", "topsis", "gra").to_numpy()
        scores = scores.reshape(panel.n_years, n_r, 4).transpose(0, 2, 1)
        out.append((scores, got["combined"].to_numpy().reshape(panel.n_years, n_r)))
    return out


def _agree_combined(got, want):
    sc_np, comb_np = want
    for d, (scores, combined) in enumerate(got):
        npt.assert_allclose(scores, sc_np[d], rtol=1e-9, atol=1e-12)
        npt.assert_allclose(combined, comb_np[d], rtol=1e-9)


# The whole model per year: 4 methods, compatibility test, drift combination, all dimensions.
register(
    "combined_evaluation",
    setup=_combined_setup,
    impls={"fastinno": _combined_fastinno, "numpy": _combined_numpy},
    shapes=[Shape("2800x20x30", (2800, 20, 30), slow=True), Shape("200x10x12", (200, 10, 12))],
    outputs={"fastinno": _read_combined},
    agree=_agree_combined,
    warm=True,
    rounds=5,
    info=lambda impl, s, out: {"n_cells": len(s.dims) * s.panel.n_years},
)
