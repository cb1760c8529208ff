"""Combined evaluation: max-deviation weights, Spearman (single, batched) and the whole
per-year combined evaluation, fastinno vs vectorised numpy baselines (and scipy for Spearman).

Big shapes are marked ``slow``. Every bench computes both implementations once outside the timer
and asserts they agree, so a fast wrong kernel fails.
"""

from __future__ import annotations

import warnings

import baselines as bl
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
import scipy.stats as ss
from make_county_panel import make_county_panel

import fastinno as fi
from fastinno.errors import FastinnoWarning
from fastinno.panel import Panel, read_system

MAXDEV_SHAPES = {"60000x30": pytest.param((60000, 30), marks=pytest.mark.slow), "3000x30": (3000, 30)}


@pytest.mark.parametrize("shape", list(MAXDEV_SHAPES.values()), ids=list(MAXDEV_SHAPES))
@pytest.mark.parametrize("impl", ["fastinno", "numpy"])
def test_max_deviation_weights(benchmark, tag, impl, shape):
    v = np.random.default_rng(0).random(shape)
    tag("max_deviation_weights", f"{shape[0]}x{shape[1]}")
    fn = fi.max_deviation_weights if impl == "fastinno" else bl.max_deviation_weights
    fn(v)  # warm the JIT
    w = benchmark(fn, v)
    npt.assert_allclose(w, bl.max_deviation_weights(v), rtol=1e-12)


@pytest.mark.parametrize("impl", ["fastinno", "numpy"])
def test_max_deviation_vs_quadratic(benchmark, tag, impl):
    """The O(n log n) formula against the textbook O(n^2) double sum (numpy broadcasting)."""
    v = np.random.default_rng(1).random((3000, 30))
    tag("max_deviation_vs_quadratic", "3000x30")
    fn = fi.max_deviation_weights if impl == "fastinno" else bl.max_deviation_weights_quadratic
    fn(v)
    w = benchmark.pedantic(fn, args=(v,), rounds=5, iterations=1)
    npt.assert_allclose(w, fi.max_deviation_weights(v), rtol=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("impl", ["fastinno", "numpy", "scipy"])
def test_spearman_1e6(benchmark, tag, impl):
    rng = np.random.default_rng(2)
    a = rng.random(1_000_000)
    b = a + rng.random(1_000_000)
    tag("spearman", "1e6")
    fn = {
        "fastinno": fi.spearman,
        "numpy": bl.spearman,
        "scipy": lambda x, y: ss.spearmanr(x, y).statistic,
    }[impl]
    fn(a, b)
    r = benchmark.pedantic(fn, args=(a, b), rounds=7, iterations=1)
    npt.assert_allclose(r, ss.spearmanr(a, b).statistic, rtol=1e-12)


SPEARMAN_MANY = {"1000x3000": pytest.param((1000, 3000), marks=pytest.mark.slow), "100x500": (100, 500)}


@pytest.mark.parametrize("shape", list(SPEARMAN_MANY.values()), ids=list(SPEARMAN_MANY))
@pytest.mark.parametrize("impl", ["fastinno", "numpy"])
def test_spearman_many_vs_one(benchmark, tag, impl, shape):
    rng = np.random.default_rng(3)
    base = rng.random(shape[1])
    x = 0.5 * base + rng.random(shape)
    tag("spearman_many_vs_one", f"{shape[0]}x{shape[1]}")
    fn = fi.spearman_many if impl == "fastinno" else bl.spearman_many_loop
    fn(x, base)
    r = benchmark.pedantic(fn, args=(x, base), rounds=5, iterations=1)
    npt.assert_allclose(r, bl.spearman_many_loop(x, base), rtol=1e-12)


def _synthetic_panel(n_regions, n_years, n_indicators):
    wide, system = make_county_panel(n_regions, n_years, n_indicators, seed=0)
    wide = wide.sort("region", "year")
    names = [c for c in wide.columns if c not in ("region", "year")]
    cube = wide.select(names).to_numpy().reshape(n_regions, n_years, n_indicators)
    regions = wide["region"].unique(maintain_order=True).to_list()
    years = wide["year"].unique(maintain_order=True).to_list()
    return Panel(cube, regions, years, read_system(system))


COMBINED = {"2800x20x30": pytest.param((2800, 20, 30), marks=pytest.mark.slow), "200x10x12": (200, 10, 12)}


@pytest.mark.parametrize("shape", list(COMBINED.values()), ids=list(COMBINED))
@pytest.mark.parametrize("impl", ["fastinno", "numpy"])
def test_combined_evaluation(benchmark, tag, impl, shape):
    """The whole model per year: 4 methods, compatibility test, drift combination, all dimensions."""
    panel = _synthetic_panel(*shape)
    dims = [np.arange(panel.n_indicators)] + [g.indices for g in panel.system.groups]
    tag("combined_evaluation", "x".join(map(str, shape)), n_cells=len(dims) * panel.n_years)

    def run_fastinno():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FastinnoWarning)
            return fi.combined_evaluation(panel)

    def run_numpy():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return bl.combined_evaluation(np.asarray(panel.cube), panel.is_cost, dims)

    fn = run_fastinno if impl == "fastinno" else run_numpy
    fn()
    benchmark.pedantic(fn, rounds=5, iterations=1)
    res = run_fastinno()
    sc_np, comb_np = run_numpy()
    names = ["index"] + [g.name for g in panel.system.groups]
    for d, name in enumerate(names):
        got = res.scores.filter(pl.col("dimension") == name).sort("year", "region")
        n_r = panel.n_regions
        scores = got.select("entropy", "max_deviation", "topsis", "gra").to_numpy()
        scores = scores.reshape(panel.n_years, n_r, 4).transpose(0, 2, 1)
        npt.assert_allclose(scores, sc_np[d], rtol=1e-9, atol=1e-12)
        npt.assert_allclose(got["combined"].to_numpy().reshape(panel.n_years, n_r), comb_np[d], rtol=1e-9)
