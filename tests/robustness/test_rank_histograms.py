"""Rank histograms: the robustness engine past the exact rank counts' memory budget.

Small panels are forced into the compact mode with a small ``rank_memory``: with at most 65,535
ranked values the counts are uint16, so 12 regions x 3 years need 864 bytes of exact counts, 432
with bins of 2 ranks, 216 with bins of 4 (twice that as int32, past 65,535 values).
"""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from test_robustness import (
    _grid,
    _naive_index_fn,
    _panel,
    assert_footprint_fixed,
    assert_same_for_chunks_and_threads,
)

import fastinno
from fastinno import _config
from fastinno._random import block_seeds
from fastinno.errors import ConfigError, InputError
from fastinno.kernels import ranking as krk
from fastinno.kernels import resample as kr
from fastinno.panel import IndicatorSystem, Panel
from fastinno.robustness import accumulators as racc
from fastinno.robustness import models as rmodels
from fastinno.robustness import sampling as rsampling

#: rank_memory -> bins of that many ranks, for 12 regions x 3 years
MEMORY_FOR_WIDTH = {1: 2 * 3 * 144, 2: 432, 4: 216}
EXACT_COLS = ["base_rank", "mean_rank", "p_top_1", "p_top_3", "p_top_10"]
QUANTILE_COLS = ["median_rank", "rank_p05", "rank_p95"]
INDEX_COLS = ["base_index", "mean_index", "median_index", "index_p05", "index_p95"]


def _check_binned(res, ref, panel, width, pairs=()):
    """Exact columns equal the naive loop's; rank quantiles within width - 1; acceptability per bin."""
    assert res.rank_resolution == width and res.options["ranks"] == "histogram"
    for c in EXACT_COLS:
        npt.assert_array_equal(_grid(res, c, panel), ref[c], err_msg=c)
    for c in QUANTILE_COLS:
        got = _grid(res, c, panel)
        assert (np.abs(got - ref[c]) <= width - 1 + 1e-9 * len(panel.regions)).all(), c  # + rounding
    ag = res.agreement.sort("year")
    npt.assert_allclose(ag["mean_abs_rank_shift"].to_numpy(), ref["mean_abs_rank_shift"], rtol=1e-14)
    if pairs:
        npt.assert_array_equal(res.outranks["p_outranks"].to_numpy().reshape(len(panel.years), -1), ref["outranks"])
    if res.acceptability is not None:
        for y_i, year in enumerate(panel.years):
            sub = res.acceptability.filter(pl.col("year") == year)
            pos = {r: i for i, r in enumerate(panel.regions)}
            got = {(pos[r], k): s for r, k, s in zip(sub["region"], sub["rank"], sub["share"])}
            assert got == naive.rank_histogram_shares(ref["ranks"][:, y_i], width)


def test_rank_shift_follows_the_budget():
    exact = MEMORY_FOR_WIDTH[1]
    assert racc.rank_shift_for(12, 3, exact, 2) == 0
    assert racc.rank_shift_for(12, 3, exact - 1, 2) == 1
    assert racc.rank_shift_for(12, 3, 432, 2) == 1
    assert racc.rank_shift_for(12, 3, 431, 2) == 2
    assert racc.rank_shift_for(12, 3, 0, 2) == 4  # nothing fits: one bin of 16 ranks
    assert racc.rank_shift_for(12, 3, 2 * exact) == 0  # int32 counts: twice the bytes
    assert racc.rank_shift_for(12, 3, 2 * exact - 1) == 1
    # the default budget: exact up to 28,377 regions for one year (uint16 counts; 20,066 as
    # int32) and 6,345 for 20 years; past it at most RANK_HIST_BINS bins per region (100,000
    # regions: bins of 64), or fewer when the budget says so (20,000 x 20: bins of 16, as int32 32)
    budget = _config.COUNTS_MEMORY_BUDGET
    assert racc.rank_shift_for(28_377, 1, budget, 2) == 0 and racc.rank_shift_for(28_378, 1, budget, 2) > 0
    assert racc.rank_shift_for(6_345, 20, budget, 2) == 0 and racc.rank_shift_for(6_346, 20, budget, 2) > 0
    assert racc.rank_shift_for(20_066, 1, budget) == 0 and racc.rank_shift_for(20_067, 1, budget) > 0
    assert racc.rank_shift_for(100_000, 1, budget, 2) == 6 == racc.rank_shift_for(100_000, 1, budget)
    assert racc.rank_shift_for(20_000, 20, budget, 2) == 4
    assert racc.rank_shift_for(20_000, 20, budget) == 5
    assert racc.rank_shift_for(20_000, 20, 10 * budget) == 4  # 1,250 bins: the budget allows finer


def test_rank_counts_are_uint16_up_to_65535_values(monkeypatch):
    assert racc.count_dtype(1) == racc.count_dtype(65_535) == np.uint16
    assert racc.count_dtype(65_536) == np.int32
    panel = _panel()
    kw = dict(draws=64, seed=1, progress=False, chunk_size=64)
    # the same counts whatever their dtype: force int32 through the threshold
    res16 = fastinno.simulate(panel, acceptability=True, **kw)
    with monkeypatch.context() as mp:
        mp.setattr(racc, "count_dtype", lambda n: np.int32)
        res32 = fastinno.simulate(panel, acceptability=True, **kw)
    for name in ("summary", "agreement", "acceptability"):
        assert_frame_equal(getattr(res16, name), getattr(res32, name), check_exact=True)
    # a run of more values than uint16 holds counts in int32 (65,600 bootstrap replicates of 3 regions)
    small = _panel(n_regions=3, n_years=1)
    mdl, base = rmodels.prepare_model(small, "hew-topsis", None)
    sampler, _ = rsampling.make_sampler(small, "dirichlet", base, 50.0, 0.2, None)
    ctx, _, base_rank = racc.context(mdl, sampler, base, 1, 3, 1, np.zeros((0, 2), np.int64), None)
    racc.rank_mode(ctx, _config.COUNTS_MEMORY_BUDGET, (1,), base_rank, 65_600)
    assert racc.new_acc(ctx, 0, 64).counts.dtype == np.int32
    racc.rank_mode(ctx, _config.COUNTS_MEMORY_BUDGET, (1,), base_rank, 65_535)
    assert racc.new_acc(ctx, 0, 64).counts.dtype == np.uint16


def test_rank_bins_per_region_are_capped(monkeypatch):
    monkeypatch.setattr(_config, "RANK_HIST_BINS", 3)
    assert racc.rank_shift_for(12, 3, 1000) == 2  # the budget allows bins of 2; 6 bins > 3
    res = fastinno.simulate(_panel(), draws=64, seed=1, rank_memory=500, progress=False)
    assert res.rank_resolution == 4 and res.options["ranks"] == "histogram"


@pytest.mark.parametrize("width", [2, 4])
@pytest.mark.parametrize("model,options", [("hew-topsis", {}), ("gra", {}), ("weighted-sum", {"scope": "panel"})])
def test_simulate_rank_histograms_match_naive(model, options, width):
    panel = _panel()
    draws = 150
    w = fastinno.simulate_weights(panel, draws=draws, concentration=8.0, seed=4)
    pairs = [("R1", "R2"), ("R5", "R3")]
    kw = dict(model=model, model_options=options, draws=draws, concentration=8.0, seed=4, pairs=pairs,
              acceptability=True, progress=False, chunk_size=64)
    res = fastinno.simulate(panel, rank_memory=MEMORY_FOR_WIDTH[width], **kw)
    assert res.options["rank_memory"] == MEMORY_FOR_WIDTH[width]
    fn = _naive_index_fn(panel, model, options)
    ref = naive.monte_carlo_summary(fn, w, fn(panel.system.base_weights()), pairs=[(0, 1), (4, 2)])
    _check_binned(res, ref, panel, width, pairs)
    # the index statistics and the agreement do not depend on the rank mode
    exact = fastinno.simulate(panel, **kw)
    assert exact.options["ranks"] == "exact" and exact.rank_resolution == 1
    assert_frame_equal(res.summary.select(["region", "year", *INDEX_COLS, *EXACT_COLS]),
                       exact.summary.select(["region", "year", *INDEX_COLS, *EXACT_COLS]), check_exact=True)
    assert_frame_equal(res.agreement, exact.agreement, check_exact=True)
    assert_frame_equal(res.outranks, exact.outranks, check_exact=True)
    # the bins hold the exact counts summed
    binned = exact.acceptability.with_columns(((pl.col("rank") - 1) // width * width + 1).alias("rank")) \
        .group_by(["region", "year", "rank"]).agg(pl.col("share").sum())
    joined = res.acceptability.join(binned, on=["region", "year", "rank"], how="full", coalesce=True)
    npt.assert_allclose(joined["share"].to_numpy(), joined["share_right"].to_numpy(), rtol=1e-12)


def test_bootstrap_rank_histograms_match_naive():
    panel = _panel(n_regions=7, n_years=3)
    reps, width = 90, 2  # 7 regions x 3 years: 294 bytes exact, 168 with bins of 2
    pairs = [("R1", "R2"), ("R7", "R3")]
    res = fastinno.bootstrap(panel, model="topsis", replicates=reps, seed=6, pairs=pairs, acceptability=True,
                             progress=False, chunk_size=64, rank_memory=168)
    cube, is_cost = np.asarray(panel.cube), panel.is_cost
    args = (1, 2, 1, "entropy")  # minmax, year scope, closeness
    idx = kr.bootstrap_indices(7, block_seeds(6, 0, 2), _config.DRAW_BLOCK)[:reps]
    mults = [(np.bincount(i, minlength=7), np.ones(3, int)) for i in idx]
    fn = lambda m: naive.bootstrap_model_index(cube, is_cost, *m, *args)[0]  # noqa: E731
    base = naive.bootstrap_model_index(cube, is_cost, np.ones(7, int), np.ones(3, int), *args)[0]
    ref = naive.monte_carlo_summary(fn, mults, base, pairs=[(0, 1), (6, 2)])
    _check_binned(res, ref, panel, width, pairs)


def test_method_choice_with_rank_histograms():
    panel = _panel()
    kw = dict(draws=128, seed=3, progress=False, choices={"standardize": ["max_ratio", "minmax"]})
    exact = fastinno.simulate(panel, **kw)
    binned = fastinno.simulate(panel, rank_memory=216, **kw)
    assert binned.rank_resolution == 4
    assert_frame_equal(exact.summary.select(EXACT_COLS), binned.summary.select(EXACT_COLS), check_exact=True)
    assert_frame_equal(exact.variance_shares, binned.variance_shares, check_exact=True)


@pytest.mark.parametrize("model", ["hew-topsis", "gra"])
def test_rank_histograms_identical_for_any_chunk_size_and_thread_count(model):
    panel = _panel(n_regions=20)  # 20 regions x 3 years: bins of 4 ranks fit 600 bytes
    kw = dict(model=model, draws=300, seed=17, progress=False, pairs=[("R1", "R2")], acceptability=True,
              quantile_memory=0, rank_memory=600)
    ref = assert_same_for_chunks_and_threads(
        lambda cs: fastinno.simulate(panel, chunk_size=cs, **kw), (1, 100, 1024), 128,
        ("summary", "agreement", "acceptability", "outranks"))
    assert ref.rank_resolution == 4


def test_bootstrap_rank_histograms_identical_for_any_chunk_size_and_thread_count():
    panel = _panel(n_regions=15, n_years=3)
    kw = dict(replicates=150, seed=8, progress=False, rank_memory=720, acceptability=True)  # bins of 2
    ref = assert_same_for_chunks_and_threads(
        lambda cs: fastinno.bootstrap(panel, chunk_size=cs, **kw), (), 192,
        ("summary", "agreement", "weights", "acceptability"))
    assert ref.rank_resolution == 2


def test_rank_histogram_accumulators_do_not_grow_with_draws():
    panel = _panel()
    mdl, base = rmodels.prepare_model(panel, "hew-topsis", None)
    sampler, _ = rsampling.make_sampler(panel, "dirichlet", base, 50.0, 0.2, None)
    ctx, _, base_rank = racc.context(mdl, sampler, base, 1, 12, 3, np.zeros((0, 2), np.int64), None)
    racc.rank_mode(ctx, 216, (1, 3, 10), base_rank, 64)
    assert ctx.rank_shift == 2
    acc = racc.new_acc(ctx, 0, 64)
    assert acc.counts.shape == (3, 12, 3) and acc.top_counts.shape == (3, 12, 3) and acc.rank_sum.shape == (3, 12)
    assert_footprint_fixed(ctx, (64, 640, 6400))


def test_rank_limits_and_options():
    with pytest.raises(ConfigError, match=f"at most {krk.MAX_REGIONS_ANY} regions per year"):
        racc.check_counts(krk.MAX_REGIONS_ANY + 1, 1, 10)
    racc.check_counts(70_000, 1, 10)  # past 16-bit ranks: fine
    with pytest.raises(InputError, match="rank_memory"):
        fastinno.simulate(_panel(), draws=64, rank_memory="lots", progress=False)
    res = fastinno.simulate(_panel(), draws=64, seed=1, rank_memory="216B", progress=False)
    assert res.options["rank_memory"] == 216 and res.rank_resolution == 4
    assert fastinno.bootstrap(_panel(), replicates=64, seed=1, progress=False).options["ranks"] == "exact"
    # index histogram bins share the codes with the ranks: fewer bins fit a wider rank field
    assert racc.max_index_bins(65_536) == krk.MAX_BINS
    assert racc.max_index_bins(65_537) == 2**14 - 1
    assert racc.max_index_bins(krk.MAX_REGIONS_ANY) == 255


def test_seventy_thousand_regions_one_year():
    """Past the 16-bit rank codes and the exact counts' budget: 17-bit codes, rank histograms."""
    n = 70_000
    rng = np.random.default_rng(0)
    sysm = IndicatorSystem.from_dict({"a": {"x1": "+", "x2": "+", "x3": "-"}, "b": {"x4": "+", "x5": "+"}})
    panel = Panel.from_array(rng.lognormal(0.0, 0.5, (n, 1, 5)), sysm)
    res = fastinno.simulate(panel, draws=32, seed=1, concentration=20.0, progress=False, top_k=(1, 100))
    assert res.options["ranks"] == "histogram" and res.rank_resolution == 64  # 1,094 bins per region
    s = res.summary
    for c in ("base_rank", "mean_rank", "median_rank", "rank_p05", "rank_p95"):
        v = s[c].to_numpy()
        assert v.min() >= 1 and v.max() <= n, c
    assert s["base_rank"].max() == n and s["rank_p95"].max() > 65_536
    # no ties: every draw's ranks are a permutation of 1 .. n, so the exact mean ranks sum to
    # n (n + 1) / 2 and the top-k shares to k (a truncated 16-bit rank field breaks both)
    assert float(s["mean_rank"].sum()) * 32 == pytest.approx(32 * n * (n + 1) / 2, rel=1e-12)
    assert s["p_top_1"].sum() == pytest.approx(1.0) and s["p_top_100"].sum() == pytest.approx(100.0)
    assert ((s["rank_p05"] <= s["median_rank"]) & (s["median_rank"] <= s["rank_p95"])).all()


@pytest.mark.dask
def test_dask_rank_histograms_identical_to_local():
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    panel = _panel(n_regions=10, n_years=2)  # 400 bytes exact; bins of 2 ranks: 200
    kw = dict(draws=200, seed=21, progress=False, chunk_size=64, pairs=[("R1", "R2")], acceptability=True,
              rank_memory=200)
    bkw = dict(replicates=100, seed=2, progress=False, chunk_size=64, rank_memory=200, acceptability=True)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        local = fastinno.simulate(panel, **kw)
        assert local.rank_resolution == 2
        dask = fastinno.simulate(panel, backend="dask", scheduler=client, **kw)
        for name in ("summary", "agreement", "acceptability", "outranks"):
            assert_frame_equal(getattr(local, name), getattr(dask, name), check_exact=True)
        bl = fastinno.bootstrap(panel, **bkw)
        bd = fastinno.bootstrap(panel, backend="dask", scheduler=client, **bkw)
        assert bl.rank_resolution == 2
        for name in ("summary", "agreement", "weights", "acceptability"):
            assert_frame_equal(getattr(bl, name), getattr(bd, name), check_exact=True)
