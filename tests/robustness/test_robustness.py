"""Robustness engine: simulate / bootstrap against the naive loops, determinism, limits."""

from __future__ import annotations

import io
import sys
import time
import warnings

import naive
import numba
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import fastinno
from fastinno import _config
from fastinno._random import block_seeds
from fastinno._threads import single_threaded_blas
from fastinno.errors import ConfigError, DegenerateDataError, FastinnoWarning, InputError
from fastinno.kernels import bootstrap as kb
from fastinno.kernels import distance as kd
from fastinno.kernels import quantiles as kq
from fastinno.kernels import ranking as krk
from fastinno.kernels import resample as kr
from fastinno.panel import IndicatorSystem, Panel
from fastinno.robustness import accumulators as racc
from fastinno.robustness import blocks as rblocks
from fastinno.robustness import execute as rexecute
from fastinno.robustness import models as rmodels
from fastinno.robustness import sampling as rsampling
from fastinno.robustness import workspace as rwork
from fastinno.robustness.bootstrap import GROWTH_STREAM

SYSTEM = {
    "input": {"x1": "+", "x2": "-", "x3": "+"},
    "output": {"x4": "+", "sub": {"x5": "+", "x6": "-"}},
}
RANK_COLS = ["base_rank", "mean_rank", "median_rank", "rank_p05", "rank_p95", "p_top_1", "p_top_3", "p_top_10"]
STD = {"max_ratio": 0, "minmax": 1, "vector": 2, "zscore": 3}
SCOPE = {"panel": 0, "region": 1, "year": 2}
FORM = {"ratio2": 0, "closeness": 1}


def _panel(n_regions=12, n_years=3, seed=0):
    rng = np.random.default_rng(seed)
    sysm = IndicatorSystem.from_dict(SYSTEM)
    cube = rng.lognormal(0.0, 0.5, (n_regions, n_years, sysm.n_indicators))
    return Panel.from_array(cube, sysm)


def _grid(res: fastinno.RobustnessResult, col, panel):
    """Summary column as (years, regions) in panel order."""
    df = res.summary.with_columns(
        pl.col("region").replace_strict({r: i for i, r in enumerate(panel.regions)}, return_dtype=pl.Int64).alias("_r")
    ).sort(["year", "_r"])
    return df[col].to_numpy().reshape(len(panel.years), len(panel.regions))


def _check_against_naive(res, ref, panel, pairs=()):
    for c in RANK_COLS:
        npt.assert_array_equal(_grid(res, c, panel), ref[c], err_msg=c)
    npt.assert_allclose(_grid(res, "base_index", panel), ref["base_index"], rtol=1e-12)
    npt.assert_allclose(_grid(res, "mean_index", panel), ref["mean_index"], rtol=1e-12)
    tol = res.index_resolution + 1e-12
    for c in ("median_index", "index_p05", "index_p95"):
        npt.assert_allclose(_grid(res, c, panel), ref[c], rtol=0, atol=tol, err_msg=c)
    ag = res.agreement.sort("year")
    npt.assert_allclose(ag["spearman_rho_mean"].to_numpy(), ref["spearman_rho_mean"], rtol=1e-12)
    npt.assert_allclose(ag["spearman_rho_min"].to_numpy(), ref["spearman_rho_min"], rtol=1e-12)
    npt.assert_allclose(ag["spearman_rho_p05"].to_numpy(), ref["spearman_rho_p05"], rtol=0, atol=2.0 / _config.RHO_BINS + 1e-12)
    npt.assert_allclose(ag["mean_abs_rank_shift"].to_numpy(), ref["mean_abs_rank_shift"], rtol=1e-14)
    if pairs:
        npt.assert_array_equal(res.outranks["p_outranks"].to_numpy().reshape(len(panel.years), -1), ref["outranks"])


# --- against the naive loop: every model x scheme ------------------------------------------


MODEL_CASES = [
    ("hew-topsis", {}),
    ("hew-topsis", {"scope": "region", "form": "closeness"}),
    ("hew-topsis", {"scope": "year", "standardize": "minmax"}),
    ("hew-topsis", {"scope": "panel", "standardize": "vector", "form": "closeness"}),
    ("hew-topsis", {"scope": "year", "standardize": "zscore"}),
    ("topsis", {}),
    ("weighted-sum", {}),
    ("weighted-sum", {"standardize": "zscore", "scope": "panel"}),
    ("gra", {}),
    ("gra", {"rho": 0.3}),
]
SCHEMES = ["dirichlet", "uniform", "hierarchical", "simplex", "given"]


def _naive_index_fn(panel, model, options):
    opts = dict(rmodels.DEFAULT_OPTIONS[model])
    opts.update(options)
    cube = np.asarray(panel.cube)
    is_cost = panel.is_cost

    def fn(w):
        return naive.robustness_model_index(
            cube, is_cost, w, model, STD[opts["standardize"]], SCOPE[opts["scope"]],
            FORM.get(opts.get("form", "ratio2"), 0), opts.get("rho", 0.5),
        )

    return fn


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("model,options", MODEL_CASES)
def test_simulate_matches_naive(model, options, scheme):
    panel = _panel()
    draws = 150  # two full blocks and a partial one
    kw = dict(scheme=scheme, concentration=30.0, spread=0.4, seed=9)
    if scheme == "given":
        w = np.random.default_rng(1).dirichlet(np.ones(6), draws)
        w = w / w.sum(axis=1, keepdims=True)
        kw = dict(scheme="given", given=w, seed=9)
    else:
        w = fastinno.simulate_weights(panel, draws=draws, scheme=scheme, concentration=30.0, spread=0.4, seed=9)
    pairs = [("R1", "R2"), ("R5", "R3")]
    res = fastinno.simulate(panel, model=model, model_options=options, draws=draws, pairs=pairs,
                            progress=False, chunk_size=64, quantile_memory=0, **kw)  # histogram path
    assert res.options["quantiles"] == "histogram" and res.index_resolution > 0
    fn = _naive_index_fn(panel, model, options)
    base = fn(panel.system.base_weights())
    ref = naive.monte_carlo_summary(fn, w, base, pairs=[(0, 1), (4, 2)])
    _check_against_naive(res, ref, panel, pairs)
    assert res.options["draws"] == draws


def test_acceptability_matrix_matches_naive():
    panel = _panel(n_regions=6, n_years=2)
    w = fastinno.simulate_weights(panel, draws=200, concentration=5.0, seed=2)
    res = fastinno.simulate(panel, draws=200, concentration=5.0, seed=2, acceptability=True, progress=False)
    fn = _naive_index_fn(panel, "hew-topsis", {})
    ranks = np.array([[naive.rank_min(fn(x)[:, y]) for y in range(2)] for x in w])  # (n, Y, R)
    acc = res.acceptability
    for y_i, year in enumerate(panel.years):
        for r_i, region in enumerate(panel.regions):
            sub = acc.filter((pl.col("year") == year) & (pl.col("region") == region))
            expect = {k: np.mean(ranks[:, y_i, r_i] == k) for k in range(1, 7)}
            got = dict(zip(sub["rank"].to_list(), sub["share"].to_list()))
            assert got == {k: v for k, v in expect.items() if v > 0}
            assert abs(sum(got.values()) - 1.0) < 1e-12


# --- limits --------------------------------------------------------------------------------


@pytest.mark.parametrize("kw", [dict(scheme="dirichlet", concentration=float("inf")),
                                dict(scheme="uniform", spread=0.0),
                                dict(scheme="hierarchical", concentration=float("inf"))])
@pytest.mark.parametrize("model", ["hew-topsis", "topsis", "gra", "weighted-sum"])
def test_no_perturbation_reproduces_base(model, kw):
    panel = _panel()
    res = fastinno.simulate(panel, model=model, draws=100, seed=1, progress=False, **kw)
    s = res.summary
    for c in ("mean_rank", "median_rank", "rank_p05", "rank_p95"):
        npt.assert_array_equal(s[c].to_numpy(), s["base_rank"].to_numpy().astype(float), err_msg=c)
    for c in ("mean_index", "median_index", "index_p05", "index_p95"):
        npt.assert_allclose(s[c].to_numpy(), s["base_index"].to_numpy(), rtol=1e-9, err_msg=c)
    npt.assert_array_equal(s["index_p05"].to_numpy(), s["index_p95"].to_numpy())
    npt.assert_allclose(res.agreement["spearman_rho_mean"].to_numpy(), 1.0, rtol=1e-15)
    npt.assert_allclose(res.agreement["spearman_rho_min"].to_numpy(), 1.0, rtol=1e-15)
    npt.assert_allclose(res.agreement["spearman_rho_p05"].to_numpy(), 1.0, rtol=1e-15)  # histogram path, clamped
    assert (res.agreement["mean_abs_rank_shift"] == 0).all()


def test_huge_concentration_converges_to_base():
    panel = _panel()
    res = fastinno.simulate(panel, scheme="hierarchical", concentration=1e24, draws=100, seed=1, progress=False)
    s = res.summary
    npt.assert_array_equal(s["rank_p05"].to_numpy(), s["rank_p95"].to_numpy())
    npt.assert_allclose(s["index_p05"].to_numpy(), s["base_index"].to_numpy(), rtol=1e-9)
    npt.assert_allclose(res.agreement["spearman_rho_min"].to_numpy(), 1.0, rtol=1e-15)


def test_more_concentration_more_agreement():
    panel = _panel(n_regions=30)
    lo = fastinno.simulate(panel, draws=256, concentration=5.0, seed=3, progress=False)
    hi = fastinno.simulate(panel, draws=256, concentration=500.0, seed=3, progress=False)
    assert (hi.agreement["spearman_rho_mean"].to_numpy() > lo.agreement["spearman_rho_mean"].to_numpy()).all()


# --- determinism --------------------------------------------------------------------------------


def assert_same_for_chunks_and_threads(run, chunk_sizes, one_thread_chunk, names, others=()):
    """``run(chunk_size)`` at chunk size 64 is the reference; every chunk size in ``chunk_sizes``,
    ``one_thread_chunk`` on one numba thread, and the extra results ``others`` must give the same
    frames ``names`` bit for bit. Returns the reference."""
    ref = run(64)
    results = [*others, *(run(cs) for cs in chunk_sizes)]
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        results.append(run(one_thread_chunk))
    finally:
        numba.set_num_threads(old)
    for other in results:
        for name in names:
            assert_frame_equal(getattr(ref, name), getattr(other, name), check_exact=True)
    return ref


@pytest.mark.parametrize("quantile_memory,mode", [(None, "exact"), (0, "histogram")])
@pytest.mark.parametrize("model", ["hew-topsis", "gra"])
def test_identical_for_any_chunk_size_and_thread_count(model, quantile_memory, mode):
    panel = _panel(n_regions=20)
    kw = dict(model=model, draws=300, seed=17, progress=False, pairs=[("R1", "R2")], acceptability=True,
              quantile_memory=quantile_memory)
    ref = assert_same_for_chunks_and_threads(
        lambda cs: fastinno.simulate(panel, chunk_size=cs, **kw), (1, 100, 1024), 128,
        ("summary", "agreement", "acceptability", "outranks"))
    assert ref.options["quantiles"] == mode


def test_seed_none_is_reported_and_reproducible():
    panel = _panel()
    res = fastinno.simulate(panel, draws=64, progress=False)
    again = fastinno.simulate(panel, draws=64, seed=res.seed, progress=False)
    assert_frame_equal(res.summary, again.summary, check_exact=True)


def test_accumulators_do_not_grow_with_draws():
    panel = _panel()
    mdl, base = rmodels.prepare_model(panel, "hew-topsis", None)
    sampler, _ = rsampling.make_sampler(panel, "dirichlet", base, 50.0, 0.2, None)
    ctx, _, _ = racc.context(mdl, sampler, base, 1, 12, 3, np.zeros((0, 2), np.int64), None)
    assert_footprint_fixed(ctx, (64, 640, 6400))


def assert_footprint_fixed(ctx, draw_counts):
    """The accumulators of runs of ``draw_counts`` draws have the same size: every field, arrays
    by element count and containers by length (a per-block list would grow)."""
    import dataclasses

    def footprint(acc):
        out = {}
        for f in dataclasses.fields(acc):
            v = getattr(acc, f.name)
            if isinstance(v, np.ndarray):
                out[f.name] = v.size
            elif isinstance(v, (list, tuple, dict)):
                out[f.name] = len(v)
        return out

    sizes = [footprint(rexecute.execute(ctx, draws, 64, "local", None, None, False)) for draws in draw_counts]
    assert all(s == sizes[0] for s in sizes[1:])
    assert "sum_hi" in sizes[0] and "counts" in sizes[0]


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal (tqdm hides its bar on pipes and files)."""

    def isatty(self):
        return True


@pytest.mark.parametrize("fn,unit", [(fastinno.simulate, "draw/s"), (fastinno.bootstrap, "replicate/s")])
def test_progress_bar_shows_rate_and_switches_off(monkeypatch, fn, unit):
    monkeypatch.setattr(_config, "PROGRESS_DELAY", 0.0)
    kw = dict(seed=1, chunk_size=64, **({"draws": 256} if fn is fastinno.simulate else {"replicates": 256}))
    shown = []
    for progress in (True, False):
        err = _Terminal()
        monkeypatch.setattr(sys, "stderr", err)
        fn(_panel(), progress=progress, **kw)
        monkeypatch.undo()
        monkeypatch.setattr(_config, "PROGRESS_DELAY", 0.0)
        shown.append(err.getvalue())
    on, off = shown
    assert unit in on and "/256 [" in on  # the rate and the total (leave=False clears the bar at the end)
    assert ("fastinno simulate" if fn is fastinno.simulate else "fastinno bootstrap") in on
    assert off == ""


# --- ranking kernel -----------------------------------------------------------------------------


def test_rank_rows_large_rows_match_scipy():
    from scipy.stats import rankdata

    rng = np.random.default_rng(3)
    v = rng.random((8, 3000))
    v[::2] = np.round(v[::2], 3)  # many ties
    v[3, ::7] = np.nan
    got = krk.rank_rows(v)
    for d in range(8):
        key = np.where(np.isnan(v[d]), -np.inf, v[d])
        npt.assert_array_equal(got[d], rankdata(-key, method="min"))
        npt.assert_array_equal(krk.ranks_of_row(v[d])[1], rankdata(-key, method="average"))


@pytest.mark.parametrize("n", [1, 2, 3, 17, 300])
def test_rank_rows_match_naive(n):
    rng = np.random.default_rng(n)
    v = rng.random((20, n))
    v[::3] = np.round(v[::3], 1)  # ties
    v[1, : n // 2] = np.nan
    v[2] = 0.5  # all equal
    v[4] = v[4] * 1e-300  # tiny, close values
    got = krk.rank_rows(v)
    for d in range(20):
        npt.assert_array_equal(got[d], naive.rank_min(v[d]))
        rmin, ravg = krk.ranks_of_row(v[d])
        npt.assert_array_equal(rmin, naive.rank_min(v[d]))
        npt.assert_array_equal(ravg, naive.rank_average(v[d]))


@pytest.mark.parametrize("n", [1, 2, 17, 300])
def test_base_ranks_match_the_radix_ranks(n):
    from fastinno.robustness.accumulators import base_ranks

    rng = np.random.default_rng(n)
    v = rng.random((6, n))
    v[::3] = np.round(v[::3], 1)  # ties
    v[1, : n // 2 + 1] = np.nan
    v[2] = 0.5  # all equal
    v[4, 0] = -0.0
    v[5] = np.nan
    rank, c2, ss = base_ranks(v)
    for y in range(6):
        rmin, ravg = krk.ranks_of_row(v[y])
        npt.assert_array_equal(rank[y], rmin)
        npt.assert_array_equal(c2[y], np.rint(2.0 * ravg).astype(np.int64) - (n + 1))
        assert ss[y] == (c2[y] * c2[y]).sum()


def test_rank_rows_resolves_key_collisions():
    # values closer than the 24-bit key resolution: order decided by the exact values
    base = np.linspace(0, 1, 50)
    v = np.concatenate([base, base[10] + np.arange(1, 40) * 1e-12])[None, :]
    npt.assert_array_equal(krk.rank_rows(v)[0], naive.rank_min(v[0]))


@pytest.mark.parametrize("kind", ["skewed", "signed", "wide"])
def test_rank_rows_every_key_scale(kind):
    # positive rows take log-like keys from the float bits, others linear keys: both exact, with
    # near ties below either key's resolution, exact ties, NaN and values over many magnitudes
    rng = np.random.default_rng(11)
    n = 2000
    if kind == "skewed":  # an index spanning six orders of magnitude, as the ideal-solution index
        v = np.exp(rng.normal(-7.0, 2.0, (6, n)))
    elif kind == "signed":  # a linear score around 0
        v = rng.normal(0.0, 1.0, (6, n))
    else:  # positive, from denormal-adjacent to huge
        v = 10.0 ** rng.uniform(-300, 300, (6, n))
    v[:, 1::50] = v[:, 0::50] * (1 + 1e-15)  # closer than any 22-bit key
    v[:, 2::50] = v[:, 0::50]  # exact ties
    v[1, ::9] = np.nan
    got = krk.rank_rows(v)
    for d in range(6):
        npt.assert_array_equal(got[d], naive.rank_min(v[d]))
        rmin, ravg = krk.ranks_of_row(v[d])
        npt.assert_array_equal(rmin, naive.rank_min(v[d]))
        npt.assert_array_equal(ravg, naive.rank_average(v[d]))


@pytest.mark.parametrize("shift", [0, 3])
def test_accumulate_split_over_threads_matches_one_call(shift):
    # the engine folds a year's codes on several pool threads over ranges of slabs (pairs counted
    # from the codes): the same accumulators as one call of the kernel
    from types import SimpleNamespace

    rng = np.random.default_rng(4)
    n, nd, n_bins = 53, 200, 8  # a partial last slab
    ranks = np.argsort(rng.random((nd, n)), axis=1).astype(np.int32)
    bins = rng.integers(0, n_bins, (nd, n)).astype(np.int32)
    bins[rng.random((nd, n)) < 0.05] = krk.NAN_BIN
    codes = np.zeros((-(-n // krk.SLAB), nd + 7, krk.SLAB), np.int32)
    for i in range(n):
        codes[i >> krk.SLAB_BITS, :nd, i & krk.SLAB_MASK] = (bins[:, i] << krk.RANK_BITS) | ranks[:, i]
    pairs = np.array([[0, 1], [52, 3], [17, 40]], dtype=np.int64)
    base = rng.integers(1, n + 1, (1, n)).astype(np.int64)
    ctx = SimpleNamespace(rank_bits=krk.RANK_BITS, rank_shift=shift, top_k=np.array([1, 5], np.int64),
                          pairs=pairs)
    out = []
    for parts in (1, 2, 3):
        acc = racc.Acc.empty(1, n, n_bins, len(pairs), shift, 2)
        base_rank = base if shift else np.zeros((1, 0), np.int64)
        outranks = rblocks.accumulate(ctx, acc, 0, codes, nd, base_rank[0], parts)
        out.append((outranks, acc))
    for outranks, acc in out[1:]:
        npt.assert_array_equal(outranks, out[0][0])
        for name in ("counts", "hist", "rank_lo", "rank_hi", "rank_sum", "shift_sum", "top_counts"):
            npt.assert_array_equal(getattr(acc, name), getattr(out[0][1], name), err_msg=name)
    npt.assert_array_equal(out[0][0], [(ranks[:, a] < ranks[:, b]).sum() for a, b in pairs])
    assert out[0][1].hist.sum() == (bins != krk.NAN_BIN).sum()


# --- bootstrap ----------------------------------------------------------------------------------


@pytest.mark.parametrize("over", ["regions", "years"])
@pytest.mark.parametrize(
    "options",
    [{}, {"weights": "max_deviation"}, {"weights": None}, {"scope": "year"}, {"scope": "region", "form": "closeness"},
     {"standardize": "minmax", "scope": "year"}, {"standardize": "vector"}],
)
def test_bootstrap_matches_naive(over, options):
    panel = _panel(n_regions=8, n_years=4)
    reps = 70
    res = fastinno.bootstrap(panel, model_options=options, replicates=reps, over=over, seed=5,
                             progress=False, chunk_size=64, quantile_memory=0)  # histogram path
    assert res.options["quantiles"] == "histogram" and res.index_resolution > 0
    opts = dict(rmodels.DEFAULT_OPTIONS["hew-topsis"])
    opts.update({k: v for k, v in options.items() if k != "weights"})
    wopt = options.get("weights", "entropy")
    wfix = panel.system.base_weights() if wopt is None else wopt
    cube, is_cost = np.asarray(panel.cube), panel.is_cost
    args = (STD[opts["standardize"]], SCOPE[opts["scope"]], FORM[opts["form"]], wfix)
    L = max(1, round(4 ** (1 / 3)))
    seeds = block_seeds(5, 0, 2)
    if over == "regions":
        idx = kr.bootstrap_indices(8, seeds, _config.DRAW_BLOCK)[:reps]
        mults = [(np.bincount(i, minlength=8), np.ones(4, int)) for i in idx]
    else:
        idx = kr.block_bootstrap_indices(4, L, seeds, _config.DRAW_BLOCK)[:reps]
        mults = [(np.ones(8, int), np.bincount(i, minlength=4)) for i in idx]
    base, base_w = naive.bootstrap_model_index(cube, is_cost, np.ones(8, int), np.ones(4, int), *args)
    ref = naive.monte_carlo_summary(lambda m: naive.bootstrap_model_index(cube, is_cost, *m, *args)[0], mults, base)
    _check_against_naive(res, ref, panel)
    ws = np.array([naive.bootstrap_model_index(cube, is_cost, *m, *args)[1] for m in mults])
    npt.assert_allclose(res.weights["base_weight"].to_numpy(), base_w, rtol=1e-10)
    npt.assert_allclose(res.weights["mean_weight"].to_numpy(), ws.mean(axis=0), rtol=1e-10)
    for q, c in ((0.05, "weight_p05"), (0.95, "weight_p95")):
        npt.assert_allclose(res.weights[c].to_numpy(), np.quantile(ws, q, axis=0), atol=1.0 / _config.WEIGHT_BINS)


@pytest.mark.parametrize("weights", ["entropy", "equal", "mapping"])
def test_bootstrap_topsis_pairs_and_acceptability_match_naive(weights):
    # model="topsis" (year scope, min-max, closeness), outrank pairs and the acceptability matrix,
    # objective or fixed weights, against the naive replicate loop
    panel = _panel(n_regions=7, n_years=3)
    n_ind = panel.n_indicators
    if weights == "mapping":
        w_arr = np.arange(1.0, n_ind + 1) / np.arange(1.0, n_ind + 1).sum()
        wopt, wfix = dict(zip(panel.indicators, w_arr)), w_arr
    else:
        wopt, wfix = weights, ("entropy" if weights == "entropy" else np.full(n_ind, 1.0 / n_ind))
    reps = 90
    pairs = [("R1", "R2"), ("R7", "R3")]
    res = fastinno.bootstrap(panel, model="topsis", model_options={"weights": wopt}, replicates=reps, seed=6,
                             pairs=pairs, acceptability=True, progress=False, chunk_size=64)
    cube, is_cost = np.asarray(panel.cube), panel.is_cost
    args = (STD["minmax"], SCOPE["year"], FORM["closeness"], wfix)
    idx = kr.bootstrap_indices(7, block_seeds(6, 0, 2), _config.DRAW_BLOCK)[:reps]
    mults = [(np.bincount(i, minlength=7), np.ones(3, int)) for i in idx]
    fn = lambda m: naive.bootstrap_model_index(cube, is_cost, *m, *args)[0]  # noqa: E731
    base = naive.bootstrap_model_index(cube, is_cost, np.ones(7, int), np.ones(3, int), *args)[0]
    ref = naive.monte_carlo_summary(fn, mults, base, pairs=[(0, 1), (6, 2)])
    _check_against_naive(res, ref, panel, pairs)
    ranks = np.array([[naive.rank_min(fn(m)[:, y]) for y in range(3)] for m in mults])  # (n, Y, R)
    for y_i, year in enumerate(panel.years):
        for r_i, region in enumerate(panel.regions):
            sub = res.acceptability.filter((pl.col("year") == year) & (pl.col("region") == region))
            expect = {k: np.mean(ranks[:, y_i, r_i] == k) for k in range(1, 8)}
            assert dict(zip(sub["rank"].to_list(), sub["share"].to_list())) == {k: v for k, v in expect.items() if v > 0}
    if weights != "entropy":  # fixed weights: every replicate uses them
        npt.assert_allclose(res.weights["weight_p05"].to_numpy(), wfix, rtol=0, atol=1.0 / _config.WEIGHT_BINS)
        npt.assert_allclose(res.weights["mean_weight"].to_numpy(), wfix, rtol=1e-12)


def test_zero_benefit_values_allowed_with_max_ratio():
    panel = _panel(n_regions=10, n_years=2)
    cube = np.array(panel.cube)
    cube[0, :, 0] = 0.0  # x1 is a benefit indicator: c / max is defined
    p0 = Panel.from_array(cube, panel.system)
    res = fastinno.simulate(p0, draws=64, seed=1, progress=False)
    assert res.summary["mean_index"].is_finite().all()
    b = fastinno.bootstrap(p0, replicates=64, seed=1, progress=False)
    assert b.weights["mean_weight"].is_finite().all()
    reps = 64
    idx = kr.bootstrap_indices(10, block_seeds(1, 0, 1), _config.DRAW_BLOCK)[:reps]
    ws = [naive.bootstrap_model_index(cube, panel.is_cost, np.bincount(i, minlength=10), np.ones(2, int),
                                      0, 0, 0, "entropy")[1] for i in idx]
    npt.assert_allclose(b.weights["mean_weight"].to_numpy(), np.mean(ws, axis=0), rtol=1e-10)


@pytest.mark.parametrize("quantile_memory,mode", [(None, "exact"), (0, "histogram")])
def test_bootstrap_chunking_and_threads(quantile_memory, mode):
    panel = _panel(n_regions=15, n_years=3)
    kw = dict(replicates=150, seed=8, progress=False, quantile_memory=quantile_memory)
    ref = assert_same_for_chunks_and_threads(
        lambda cs: fastinno.bootstrap(panel, chunk_size=cs, **kw), (), 192, ("summary", "agreement", "weights"))
    assert ref.options["quantiles"] == mode


# --- growth intervals of the year bootstrap ------------------------------------------------------

GROWTH_COLS = ["base_cagr", "mean_cagr", "cagr_p05", "cagr_p95", "base_mean_yoy", "mean_mean_yoy",
               "mean_yoy_p05", "mean_yoy_p95"]


def _growth_panel(n_regions=6, years=(2001, 2002, 2003, 2004, 2005), seed=3):
    rng = np.random.default_rng(seed)
    sysm = IndicatorSystem.from_dict(SYSTEM)
    cube = rng.lognormal(0.0, 0.5, (n_regions, len(years), sysm.n_indicators))
    return Panel.from_array(cube, sysm, years=years)


def _growth_replicates(n_years, L, seed, reps):
    """(year multiplicities, resampled growth terms) of each replicate, from the engine's streams."""
    nb = -(-reps // _config.DRAW_BLOCK)
    idx = kr.block_bootstrap_indices(n_years, L, block_seeds(seed, 0, nb), _config.DRAW_BLOCK)[:reps]
    terms = kr.block_bootstrap_indices(n_years - 1, min(L, n_years - 1), block_seeds(seed, 0, nb, stream=GROWTH_STREAM),
                                       _config.DRAW_BLOCK)[:reps]
    return [(np.bincount(i, minlength=n_years), t) for i, t in zip(idx, terms)]


def _engine_index_fn(panel, opts, wopt):
    """The engine's own model index of one replicate (kb.bootstrap_index with its documented inputs)."""
    cube = np.ascontiguousarray(panel.cube)
    is_cost = np.ascontiguousarray(panel.is_cost)
    method, scope, form = STD[opts["standardize"]], SCOPE[opts["scope"]], FORM[opts["form"]]
    n_regions, _, n_ind = cube.shape
    if wopt is None:
        wmode, fixed = kb.W_FIXED, np.ascontiguousarray(panel.system.base_weights(), dtype=np.float64)
    else:
        wmode, fixed = {"entropy": kb.W_ENTROPY, "max_deviation": kb.W_MAX_DEVIATION}[wopt], np.full(n_ind, 1.0 / n_ind)
    if method == 0:
        cprime = np.ascontiguousarray(np.where(is_cost[None, None, :], 1.0 / cube, cube))
        cplogc = cprime * np.log(cprime)
    else:
        cprime, cplogc = cube, np.zeros((1, 1, 1))

    def fn(my):
        idx, _ = kb.bootstrap_index(cube, is_cost, method, scope, form, np.ones((1, n_regions), dtype=np.int64),
                                    np.ascontiguousarray(my, dtype=np.int64)[None, :], wmode, fixed, cprime, cplogc,
                                    np.zeros((0, 5, n_ind)))
        return idx[:, 0, :].T  # (regions, years)

    return fn


def _check_growth(res, ref, exact, rtol=1e-9):
    g = res.growth
    assert g.columns == ["region", *GROWTH_COLS]
    for c in GROWTH_COLS:
        if exact:
            npt.assert_array_equal(g[c].to_numpy(), ref[c], err_msg=c)
        else:
            npt.assert_allclose(g[c].to_numpy(), ref[c], rtol=rtol, atol=1e-12, err_msg=c)


@pytest.mark.parametrize(
    "options,years,L",
    [
        ({}, (2001, 2002, 2003, 2004, 2005), None),
        ({"weights": None}, (2001, 2002, 2004, 2005, 2008), 2),  # gaps: annualised, dt-weighted terms
        ({"scope": "year", "standardize": "minmax"}, (2001, 2002, 2003, 2004, 2005), 1),
        ({"scope": "region", "form": "closeness", "weights": "max_deviation"}, (2001, 2003, 2004, 2005, 2006), 3),
        ({"standardize": "vector"}, (2001, 2002, 2003, 2004, 2005), 4),  # L = T - 1: terms not resampled
        # (L = T warns: see test_bootstrap_growth_no_resampling_gives_the_base)
    ],
)
def test_bootstrap_growth_matches_naive(options, years, L):
    panel = _growth_panel(years=years)
    reps, seed = 70, 11
    res = fastinno.bootstrap(panel, model_options=options, replicates=reps, over="years", block_length=L,
                             seed=seed, progress=False, chunk_size=64)
    T = len(years)
    L_used = L if L is not None else max(1, round(T ** (1 / 3)))
    assert res.options["growth_block_length"] == min(L_used, T - 1)
    assert res.growth["region"].to_list() == list(panel.regions)
    opts = dict(rmodels.DEFAULT_OPTIONS["hew-topsis"])
    opts.update({k: v for k, v in options.items() if k != "weights"})
    wopt = options.get("weights", "entropy")
    yrs = np.array(years, dtype=float)
    reps_list = _growth_replicates(T, L_used, seed, reps)
    # exact: the engine's own replicate index, then the naive growth resample and statistics
    fn = _engine_index_fn(panel, opts, wopt)
    ref = naive.bootstrap_growth_summary(fn, reps_list, fn(np.ones(T, dtype=np.int64)), yrs)
    _check_growth(res, ref, exact=True)
    # from the formulas end to end: the naive model of every replicate
    cube, is_cost = np.asarray(panel.cube), panel.is_cost
    wfix = panel.system.base_weights() if wopt is None else wopt
    args = (STD[opts["standardize"]], SCOPE[opts["scope"]], FORM[opts["form"]], wfix)
    n_regions = panel.cube.shape[0]

    def naive_fn(my):
        return naive.bootstrap_model_index(cube, is_cost, np.ones(n_regions, int), my, *args)[0]

    ref2 = naive.bootstrap_growth_summary(naive_fn, reps_list, naive_fn(np.ones(T, int)), yrs)
    _check_growth(res, ref2, exact=False)


def test_bootstrap_growth_kernel_matches_naive():
    rng = np.random.default_rng(4)
    n_years, n_rep, n_regions = 6, 40, 5
    index = rng.uniform(0.05, 1.0, (n_years, n_rep, n_regions))
    index[2, 3, 1] = 0.0  # zero start of a term: undefined; zero end: a rate of -1
    index[4, 7, 2] = -0.1
    index[1, 9, 0] = np.nan
    years = np.array([2000.0, 2001.0, 2003.0, 2004.0, 2007.0, 2008.0])
    terms = rng.integers(0, n_years - 1, (n_rep, n_years - 1))
    terms[0] = np.arange(n_years - 1)
    out = kb.bootstrap_growth(index, years, terms)
    for b in range(n_rep):
        cagr, yoy = naive.block_bootstrap_growth(index[:, b, :].T, years, terms[b])
        npt.assert_array_equal(out[b, :, 0], cagr, err_msg=f"replicate {b}")
        npt.assert_array_equal(out[b, :, 1], yoy, err_msg=f"replicate {b}")
    # the identity resample telescopes to distance.growth_rates
    cagr, yoy, _ = kd.growth_rates(np.ascontiguousarray(index[:, 0, :].T), years)
    npt.assert_allclose(out[0, :, 0], cagr, rtol=1e-13)
    npt.assert_allclose(out[0, :, 1], yoy, rtol=1e-13)
    assert np.isnan(out[3, 1]).all() == (2 in terms[3])


def test_bootstrap_growth_base_equals_hew_topsis():
    for years in ((2001, 2002, 2003, 2004), (2001, 2003, 2004, 2008)):
        panel = _growth_panel(years=years)
        cases = [("hew-topsis", {"weights": None}, {}),
                 ("hew-topsis", {"weights": None, "scope": "region", "form": "closeness"},
                  {"scope": "region", "form": "closeness"}),
                 ("topsis", {"weights": None}, {"scope": "year", "standardize": "minmax", "form": "closeness"})]
        for model, mo, ho in cases:
            b = fastinno.bootstrap(panel, model=model, model_options=mo, replicates=64, over="years", seed=1,
                                   progress=False)
            with warnings.catch_warnings():  # min-max sub-indices of the worst regions are 0: growth NaN
                warnings.simplefilter("ignore", FastinnoWarning)
                h = fastinno.hew_topsis(panel, **ho).growth.filter(pl.col("column") == "index")
            assert b.growth["region"].to_list() == h["region"].to_list()
            npt.assert_allclose(b.growth["base_cagr"].to_numpy(), h["cagr"].to_numpy(), rtol=1e-12, atol=1e-15)
            npt.assert_allclose(b.growth["base_mean_yoy"].to_numpy(), h["mean_yoy"].to_numpy(), rtol=1e-12, atol=1e-15)


def test_bootstrap_growth_no_resampling_gives_the_base():
    # L = T: every year resample is the panel itself and the growth terms are not resampled
    panel = _growth_panel()
    with pytest.warns(FastinnoWarning, match="block_length 5 = the number of years.*zero width; use block_length < 5"):
        res = fastinno.bootstrap(panel, model_options={"weights": None}, replicates=64, over="years", block_length=5,
                                 seed=2, progress=False)
    assert (res.summary["rank_p05"] == res.summary["rank_p95"]).all()
    g = res.growth
    for name in ("cagr", "mean_yoy"):
        base = g[f"base_{name}"].to_numpy()
        npt.assert_allclose(g[f"mean_{name}"].to_numpy(), base, rtol=1e-13)
        npt.assert_array_equal(g[f"{name}_p05"].to_numpy(), g[f"{name}_p95"].to_numpy())
        npt.assert_allclose(g[f"{name}_p05"].to_numpy(), base, rtol=1e-13)


def test_bootstrap_growth_two_years_and_one_year():
    # two years: one growth term, each replicate's growth is its own one-year rate
    panel = _growth_panel(years=(2010, 2011))
    res = fastinno.bootstrap(panel, replicates=70, over="years", seed=4, progress=False)
    fn = _engine_index_fn(panel, rmodels.DEFAULT_OPTIONS["hew-topsis"], "entropy")
    ref = naive.bootstrap_growth_summary(fn, _growth_replicates(2, 1, 4, 70), fn(np.ones(2, dtype=np.int64)),
                                         np.array([2010.0, 2011.0]))
    _check_growth(res, ref, exact=True)
    npt.assert_array_equal(res.growth["cagr_p05"].to_numpy(), res.growth["mean_yoy_p05"].to_numpy())
    # one year: no growth; the rest of the bootstrap still runs
    one = _growth_panel(years=(2010,))
    with pytest.warns(FastinnoWarning, match="growth rates need at least two years; the panel has 1"):
        res = fastinno.bootstrap(one, replicates=64, over="years", seed=4, progress=False,
                                 model_options={"scope": "year", "standardize": "minmax"})
    assert res.growth is None and res.summary.height == 6
    assert res.widest_growth_intervals().height == 0


def test_bootstrap_growth_undefined_values_skipped_and_counted():
    panel = _growth_panel()
    cube = np.array(panel.cube)
    # region R1 at the anti-ideal in 2002 whenever 2002 is resampled: index 0 (or a rounding
    # residue above it), so the term that starts in 2002 is undefined in some replicates
    cube[0, 1, ~panel.is_cost] = 0.01
    cube[0, 1, panel.is_cost] = 100.0
    p0 = Panel.from_array(cube, panel.system, years=panel.years)
    reps, seed = 130, 6
    with pytest.warns(FastinnoWarning, match=r"growth undefined .* in (\d+) of 780 replicate values, for 1 region\(s\) 'R1'") as rec:
        res = fastinno.bootstrap(p0, model_options={"weights": None}, replicates=reps, over="years", block_length=2,
                                 seed=seed, progress=False)
    opts = rmodels.DEFAULT_OPTIONS["hew-topsis"]
    fn = _engine_index_fn(p0, opts, None)
    ref = naive.bootstrap_growth_summary(fn, _growth_replicates(5, 2, seed, reps), fn(np.ones(5, dtype=np.int64)),
                                         np.array(p0.years, dtype=float))
    assert 0 < ref["n_nan"] < reps
    assert f" {ref['n_nan']} of 780 " in str(rec[0].message)
    _check_growth(res, ref, exact=True)
    assert np.isfinite(np.array(res.growth.select("mean_cagr", "cagr_p05", "cagr_p95").row(0))).all()  # skipped, not spread


def test_bootstrap_growth_over_regions_is_none():
    from fastinno.main_job.steps import robustness_tables

    res = fastinno.bootstrap(_growth_panel(), replicates=64, seed=1, progress=False)
    assert res.growth is None and "growth_block_length" not in res.options
    assert "bootstrap_growth" not in robustness_tables(res, "bootstrap")
    res = fastinno.bootstrap(_growth_panel(), replicates=64, seed=1, progress=False, over="years")
    assert_frame_equal(robustness_tables(res, "bootstrap")["bootstrap_growth"], res.growth)


def test_bootstrap_growth_chunking_and_threads():
    panel = _growth_panel(n_regions=9, years=tuple(range(2000, 2008)))
    kw = dict(replicates=200, seed=8, progress=False, over="years", block_length=3)
    assert_same_for_chunks_and_threads(
        lambda cs: fastinno.bootstrap(panel, chunk_size=cs, **kw), (1, 128, 1000), 192,
        ("summary", "agreement", "weights", "growth"))


def test_bootstrap_growth_memory_guard(monkeypatch):
    monkeypatch.setattr(_config, "GROWTH_MEMORY_BUDGET", 16 * 6 * 100)
    panel = _growth_panel()
    fastinno.bootstrap(panel, replicates=100, over="years", seed=1, progress=False)
    with pytest.raises(ConfigError, match=r"keeps every replicate's growth rates .* 101 replicates x 6 regions x 2 rates "
                                          r"x 8 bytes .*Use at most 100 replicates"):
        fastinno.bootstrap(panel, replicates=101, over="years", seed=1, progress=False)
    # the region bootstrap keeps no growth values
    fastinno.bootstrap(panel, replicates=101, seed=1, progress=False)


# --- errors -------------------------------------------------------------------------------------


def test_errors():
    panel = _panel()
    with pytest.raises(InputError, match="Unknown model"):
        fastinno.simulate(panel, model="electre_iii", progress=False)
    with pytest.raises(InputError, match="Unknown model_options 'scop'"):
        fastinno.simulate(panel, model_options={"scop": "year"}, progress=False)
    with pytest.raises(InputError, match="scheme='given' needs given="):
        fastinno.simulate(panel, scheme="given", progress=False)
    with pytest.raises(InputError, match="given weight rows must sum to 1; rows 0"):
        fastinno.simulate(panel, scheme="given", given=np.full((3, 6), 0.2), progress=False)
    with pytest.raises(InputError, match=r"given weights must have shape \(draws, 6\)"):
        fastinno.simulate(panel, scheme="given", given=np.full((3, 5), 0.2), progress=False)
    with pytest.raises(InputError, match="draws must be an integer >= 1"):
        fastinno.simulate(panel, draws=0, progress=False)
    with pytest.raises(InputError, match="pairs name unknown region"):
        fastinno.simulate(panel, pairs=[("R1", "Atlantis")], progress=False)
    with pytest.raises(InputError, match="weights= is only used with scheme='given'"):
        fastinno.simulate(panel, weights=np.ones((2, 6)) / 6, progress=False)
    with pytest.raises(InputError, match="need backend='dask'"):
        fastinno.simulate(panel, n_workers=2, progress=False)
    with pytest.raises(InputError, match="panel must be a fastinno Panel"):
        fastinno.simulate(np.ones((3, 3, 3)), progress=False)
    with pytest.raises(InputError, match="seed must be a non-negative integer"):
        fastinno.simulate(panel, seed=-1, progress=False)
    with pytest.raises(InputError, match="block_length is only used with over='years'"):
        fastinno.bootstrap(panel, block_length=2, progress=False)
    with pytest.raises(InputError, match="block_length 9 exceeds the number of years"):
        fastinno.bootstrap(panel, over="years", block_length=9, progress=False)
    cube = np.array(panel.cube)
    cube[2, 1, 0] = -1.0
    with pytest.raises(DegenerateDataError, match=r"max_ratio.*1 cell\(s\) are zero or negative: \('R3', 2, 'x1'\)"):
        fastinno.simulate(Panel.from_array(cube, panel.system), progress=False)
    with pytest.raises(DegenerateDataError, match=r"max_ratio.*1 cell\(s\) are zero or negative"):
        fastinno.bootstrap(Panel.from_array(cube, panel.system), progress=False)
    cube = np.array(panel.cube)
    cube[:, 0, 3] = 2.0
    with pytest.raises(DegenerateDataError, match=r"'x4' are constant within a year .*\('x4', 1\)"):
        fastinno.simulate(Panel.from_array(cube, panel.system), model="topsis", progress=False)
    fastinno.simulate(Panel.from_array(cube, panel.system), model="topsis", progress=False, draws=64,
                      model_options={"constant": "zero"})


def test_given_draws_old_spelling_warns_and_matches():
    panel = _panel()
    w = fastinno.simulate_weights(panel, draws=70, seed=3)
    new = fastinno.simulate(panel, given=w, progress=False)  # scheme "given" implied
    with pytest.warns(FutureWarning, match="given="):
        old = fastinno.simulate(panel, scheme="given", weights=w, progress=False)
    assert new.options["scheme"] == old.options["scheme"] == "given"
    assert_frame_equal(new.summary, old.summary)
    assert_frame_equal(new.agreement, old.agreement)
    assert_frame_equal(new.summary, fastinno.simulate(panel, scheme="given", given=w, progress=False).summary)
    with pytest.raises(InputError, match="given= .* is only used with scheme='given'"):
        fastinno.simulate(panel, scheme="uniform", given=w, progress=False)
    with pytest.raises(InputError, match="give the draw matrix once"):
        fastinno.simulate(panel, scheme="given", given=w, weights=w, progress=False)


def test_option_spellings():
    panel = _panel()
    kw = dict(draws=64, seed=2, progress=False)
    ref = fastinno.simulate(panel, model="weighted-sum", model_options={"standardize": "max_ratio"}, **kw)
    alt = fastinno.simulate(panel, model="weighted_sum", model_options={"standardize": "max-ratio"}, **kw)
    assert_frame_equal(ref.summary, alt.summary)
    assert alt.options["model"] == "weighted-sum" and alt.options["model_options"]["standardize"] == "max_ratio"
    ref = fastinno.simulate(panel, model="hew-topsis", **kw)
    assert_frame_equal(ref.summary, fastinno.simulate(panel, model="hew_topsis", **kw).summary)
    b = fastinno.bootstrap(panel, replicates=64, seed=2, progress=False, model_options={"standardize": "max-ratio"})
    assert_frame_equal(b.summary, fastinno.bootstrap(panel, replicates=64, seed=2, progress=False).summary)


def test_counts_memory_guard(monkeypatch):
    # past the counts' budget the run switches to rank histograms (tests/robustness/test_rank_histograms.py)
    monkeypatch.setattr(_config, "COUNTS_MEMORY_BUDGET", 100)
    for res in (fastinno.simulate(_panel(), draws=64, progress=False),
                fastinno.bootstrap(_panel(), replicates=64, progress=False)):
        assert res.options["ranks"] == "histogram" and res.rank_resolution == 16  # 12 regions: one bin


def test_count_limits_are_named():
    with pytest.raises(ConfigError, match=f"at most {krk.MAX_REGIONS_ANY} regions per year"):
        racc.check_counts(krk.MAX_REGIONS_ANY + 1, 1, 10)
    with pytest.raises(ConfigError, match="overflow the int32 rank counts"):
        fastinno.simulate(_panel(), draws=2**30, choices={"standardize": ["minmax", "max_ratio"]}, progress=False)
    with pytest.raises(ConfigError, match="overflow the int32 rank counts"):
        fastinno.bootstrap(_panel(), replicates=2**31, progress=False)


# --- Dask ---------------------------------------------------------------------------------------


@pytest.mark.dask
def test_dask_local_cluster_identical_to_local(tmp_path):
    pytest.importorskip("distributed")
    panel = _panel(n_regions=10, n_years=2)
    kw = dict(draws=200, seed=21, progress=False, chunk_size=64, pairs=[("R1", "R2")])
    local = fastinno.simulate(panel, **kw)
    assert local.options["quantiles"] == "exact"  # 4 tasks on 2 workers: each returns its slice of draws
    dask = fastinno.simulate(panel, backend="dask", n_workers=2, **kw)
    for name in ("summary", "agreement", "outranks"):
        assert_frame_equal(getattr(local, name), getattr(dask, name), check_exact=True)
    bl = fastinno.bootstrap(panel, replicates=100, seed=2, progress=False, chunk_size=64)
    assert bl.options["quantiles"] == "exact"
    bd = fastinno.bootstrap(panel, replicates=100, seed=2, progress=False, chunk_size=64, backend="dask", n_workers=2)
    for name in ("summary", "agreement", "weights"):
        assert_frame_equal(getattr(bl, name), getattr(bd, name), check_exact=True)
    # histogram mode and an exact method-choice run (draws x combinations) on one cluster
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        for extra in ({"quantile_memory": 0}, {"choices": {"model": ["hew-topsis", "gra"]}, "chunk_size": 128}):
            args = {**kw, **extra}
            local = fastinno.simulate(panel, **args)
            assert local.options["quantiles"] == ("histogram" if "quantile_memory" in extra else "exact")
            dask = fastinno.simulate(panel, backend="dask", scheduler=client, **args)
            assert_frame_equal(local.summary, dask.summary, check_exact=True)
            assert_frame_equal(local.agreement, dask.agreement, check_exact=True)
        bl = fastinno.bootstrap(panel, replicates=100, seed=2, progress=False, chunk_size=64, quantile_memory=0)
        # the scheduler's address as a string (fastinno opens and closes its own client)
        bd = fastinno.bootstrap(panel, replicates=100, seed=2, progress=False, chunk_size=64, quantile_memory=0,
                                backend="dask", scheduler=cluster.scheduler_address)
        assert bl.options["quantiles"] == "histogram"
        assert_frame_equal(bl.summary, bd.summary, check_exact=True)
        # the CLI's --scheduler ADDR gives the local run's table
        from click.testing import CliRunner

        from fastinno.cli import cli

        outs = {}
        for name, extra in (("local", []), ("dask", ["--scheduler", cluster.scheduler_address])):
            outs[name] = tmp_path / f"{name}.csv"
            r = CliRunner().invoke(cli, ["simulate", "--demo", "--draws", "128", "--seed", "5", "--no-progress",
                                         "--out", str(outs[name]), *extra])
            assert r.exit_code == 0, r.output
        assert_frame_equal(pl.read_csv(outs["local"]), pl.read_csv(outs["dask"]), check_exact=True)
        assert client.status == "running"  # a passed Client is left open
    # year bootstrap: the replicates' growth values placed by replicate index on every worker
    panel = _growth_panel(n_regions=7)
    kw = dict(replicates=200, seed=3, progress=False, chunk_size=64, over="years", block_length=2)
    gl = fastinno.bootstrap(panel, **kw)
    gd = fastinno.bootstrap(panel, backend="dask", n_workers=2, **kw)
    for name in ("summary", "agreement", "weights", "growth"):
        assert_frame_equal(getattr(gl, name), getattr(gd, name), check_exact=True)


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_simulate_and_bootstrap_demo(tmp_path):
    from click.testing import CliRunner

    from fastinno.cli import cli

    out = tmp_path / "stability.parquet"
    r = CliRunner().invoke(cli, ["simulate", "--demo", "--draws", "300", "--seed", "1", "--no-progress",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "Spearman rho" in r.output and "Most stable regions" in r.output and "Least stable" in r.output
    df = pl.read_parquet(out)
    assert {"region", "year", "rank_p05", "p_top_10"} <= set(df.columns)
    assert pl.read_parquet(tmp_path / "stability_agreement.parquet").height == 9
    r = CliRunner().invoke(cli, ["bootstrap", "--demo", "--replicates", "64", "--seed", "1", "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "Indicator weights" in r.output
    r = CliRunner().invoke(cli, ["simulate", "--demo", "--draws", "128", "--seed", "1", "--no-progress",
                                 "--choice", "standardize=max-ratio,minmax", "--choice", "model=hew-topsis,topsis"])
    assert r.exit_code == 0, r.output
    assert "Share of rank variance" in r.output and "standardize" in r.output


def test_cli_bootstrap_over_years_writes_growth(tmp_path):
    from click.testing import CliRunner

    from fastinno.cli import cli

    out = tmp_path / "boot.csv"
    r = CliRunner().invoke(cli, ["bootstrap", "--demo", "--over", "years", "--replicates", "64", "--seed", "1",
                                 "--no-progress", "--show", "3", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "Widest CAGR intervals" in r.output
    g = pl.read_csv(tmp_path / "boot_growth.csv")
    assert g.columns == ["region", *GROWTH_COLS] and g.height == 15
    widest = (g["cagr_p95"] - g["cagr_p05"]).sort(descending=True)
    for w in widest.head(3):
        assert f"{w:.4f}" in r.output
    r = CliRunner().invoke(cli, ["bootstrap", "--demo", "--replicates", "64", "--seed", "1", "--no-progress",
                                 "--out", str(tmp_path / "reg.csv")])
    assert r.exit_code == 0, r.output
    assert "Widest CAGR" not in r.output and not (tmp_path / "reg_growth.csv").exists()


def test_cli_bad_input_one_error_line():
    from click.testing import CliRunner

    from fastinno.cli import cli

    r = CliRunner().invoke(cli, ["simulate", "--demo", "--draws", "0", "--no-progress"])
    assert r.exit_code == 2
    assert "Error: draws must be an integer >= 1" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["simulate", "--demo", "--workers", "2", "--scheduler", "tcp://x:1", "--no-progress"])
    assert r.exit_code == 2 and "either --workers or --scheduler" in r.output


# --- method-choice uncertainty --------------------------------------------------------------


def _naive_shares(ranks, names=("a", "b")):
    """ranks (N, L_1, ..., L_F, Y, R) -> {choice: (first-order, total share)} (ratio of sums over
    cells), the F choices named ``names`` and the draws ``weight_draws``. First order of an axis:
    the variance of the means over every other axis; total: the variance along the axis, averaged
    over every other axis (full factorial, equal level probabilities)."""
    r = ranks.astype(float)
    axes = tuple(range(len(names) + 1))  # 0 = draws, 1.. = the choices
    var = r.var(axis=axes)
    ok = var > 0
    out = {}
    for ax, name in zip(axes, ("weight_draws", *names)):
        others = tuple(a for a in axes if a != ax)
        v1 = r.mean(axis=others).var(axis=0)
        vt = r.var(axis=ax).mean(axis=tuple(range(len(axes) - 1)))
        out[name] = (v1[ok].sum() / var[ok].sum(), vt[ok].sum() / var[ok].sum())
    return out


def test_method_choice_matches_naive():
    panel = _panel(n_regions=10, n_years=2)
    draws = 130
    models = ["hew-topsis", "weighted-sum", "gra"]
    stds = ["minmax", "max_ratio"]
    res = fastinno.simulate(panel, draws=draws, seed=4, concentration=20.0, progress=False, chunk_size=64,
                            choices={"model": models, "standardize": stds})
    w = fastinno.simulate_weights(panel, draws=draws, seed=4, concentration=20.0)
    ranks = np.empty((draws, 3, 2, 2, 10), dtype=np.int64)
    fns = {}
    for a, m in enumerate(models):
        for b, std in enumerate(stds):
            opts = dict(rmodels.DEFAULT_OPTIONS[m])
            opts["standardize"] = std
            if m == "gra":
                opts["scope"] = "year"
            fn = _naive_index_fn(panel, m, opts)
            fns[a, b] = fn
            for d in range(draws):
                v = fn(w[d])
                for y in range(2):
                    ranks[d, a, b, y] = naive.rank_min(v[:, y])
    ref = _naive_shares(ranks)
    shares = {row["choice"]: (row["first_order"], row["total"]) for row in res.variance_shares.iter_rows(named=True)}
    npt.assert_allclose(shares["model"], ref["a"], rtol=1e-9)
    npt.assert_allclose(shares["standardize"], ref["b"], rtol=1e-9)
    npt.assert_allclose(shares["weight_draws"], ref["weight_draws"], rtol=1e-9)
    assert res.variance_shares["choice"].to_list() == ["model", "standardize", "weight_draws"]
    # pooled summary = all draws x combinations; base = the first combination
    pooled = ranks.transpose(3, 4, 0, 1, 2).reshape(2, 10, -1)
    npt.assert_array_equal(_grid(res, "mean_rank", panel), pooled.mean(axis=-1))
    npt.assert_array_equal(_grid(res, "rank_p95", panel), np.quantile(pooled, 0.95, axis=-1))
    base = fns[0, 0](panel.system.base_weights())
    npt.assert_allclose(_grid(res, "base_index", panel), base.T, rtol=1e-12)
    # identical for another chunk size and one thread
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        again = fastinno.simulate(panel, draws=draws, seed=4, concentration=20.0, progress=False, chunk_size=1024,
                                  choices={"model": models, "standardize": stds})
    finally:
        numba.set_num_threads(old)
    assert_frame_equal(res.variance_shares, again.variance_shares, check_exact=True)
    assert_frame_equal(res.summary, again.summary, check_exact=True)


def test_method_choice_three_factors_matches_naive():
    # standardize x form x base weights (2 x 2 x 2 combinations) of the ideal-solution model
    panel = _panel(n_regions=9, n_years=2)
    draws = 100
    choices = {"standardize": ["max_ratio", "minmax"], "form": ["ratio2", "closeness"],
               "weights": ["equal-hierarchical", "equal"]}
    res = fastinno.simulate(panel, draws=draws, seed=8, concentration=10.0, progress=False, choices=choices)
    assert res.variance_shares["choice"].to_list() == ["standardize", "form", "weights", "weight_draws"]
    # each base-weight alternative has its own sampler (centred on it), drawn with the same seed
    ws = [fastinno.simulate_weights(panel, draws=draws, seed=8, concentration=10.0, base_weights=b)
          for b in choices["weights"]]
    ranks = np.empty((draws, 2, 2, 2, 2, 9), dtype=np.int64)
    for a, std in enumerate(choices["standardize"]):
        for b, form in enumerate(choices["form"]):
            fn = _naive_index_fn(panel, "hew-topsis", {"standardize": std, "form": form})
            for c in range(2):
                for d in range(draws):
                    v = fn(ws[c][d])
                    for y in range(2):
                        ranks[d, a, b, c, y] = naive.rank_min(v[:, y])
    ref = _naive_shares(ranks, ("standardize", "form", "weights"))
    shares = {row["choice"]: (row["first_order"], row["total"]) for row in res.variance_shares.iter_rows(named=True)}
    for name in ("standardize", "form", "weights", "weight_draws"):
        npt.assert_allclose(shares[name], ref[name], rtol=1e-9, err_msg=name)
    pooled = ranks.transpose(4, 5, 0, 1, 2, 3).reshape(2, 9, -1)
    npt.assert_array_equal(_grid(res, "mean_rank", panel), pooled.mean(axis=-1))
    npt.assert_array_equal(_grid(res, "rank_p05", panel), np.quantile(pooled, 0.05, axis=-1))
    npt.assert_array_equal(_grid(res, "median_rank", panel), np.quantile(pooled, 0.5, axis=-1))
    npt.assert_array_equal(_grid(res, "p_top_3", panel), (pooled <= 3).mean(axis=-1))


def test_method_choice_errors():
    with pytest.raises(InputError, match="Unknown choices 'aggregation'"):
        fastinno.simulate(_panel(), draws=64, progress=False, choices={"aggregation": ["x"]})
    with pytest.raises(InputError, match=r"choices\['model'\] is empty"):
        fastinno.simulate(_panel(), draws=64, progress=False, choices={"model": []})
    with pytest.raises(InputError, match=r"choices\['standardize'\] must be a list of alternatives, e.g. \['minmax'\]"):
        fastinno.simulate(_panel(), draws=64, progress=False, choices={"standardize": "minmax"})


def _with_constant_indicator(panel, j=2):
    cube = np.array(panel.cube)
    cube[:, :, j] = 3.0  # constant everywhere
    return Panel.from_array(cube, panel.system, regions=panel.regions, years=panel.years)


def test_constant_drop_equals_the_reduced_panel():
    panel = _with_constant_indicator(_panel())
    name = panel.indicators[2]
    keep = [k for k in panel.indicators if k != name]
    reduced = Panel.from_array(np.ascontiguousarray(np.array(panel.cube)[:, :, [panel.indicators.index(k) for k in keep]]),
                               panel.system.subset(keep), regions=panel.regions, years=panel.years)
    with pytest.raises(DegenerateDataError, match=r"\{'constant': 'drop'\}"):
        fastinno.simulate(panel, draws=64, seed=2, progress=False)
    with pytest.warns(fastinno.FastinnoWarning, match=f"dropped constant indicator.*{name}"):
        got = fastinno.simulate(panel, draws=200, seed=2, progress=False, model_options={"constant": "drop"})
    want = fastinno.simulate(reduced, draws=200, seed=2, progress=False)
    assert_frame_equal(got.summary, want.summary, check_exact=True)
    assert_frame_equal(got.agreement, want.agreement, check_exact=True)
    # given weights lose the dropped column and are renormalised
    w = np.full((5, panel.n_indicators), 1.0 / panel.n_indicators)
    with pytest.warns(fastinno.FastinnoWarning, match=f"dropped constant indicator.*{name}"):
        g = fastinno.simulate(panel, scheme="given", given=w, progress=False, model_options={"constant": "drop"})
    wr = np.full((5, reduced.n_indicators), 1.0 / reduced.n_indicators)
    assert_frame_equal(g.summary, fastinno.simulate(reduced, scheme="given", given=wr, progress=False).summary,
                       check_exact=True)
    # bootstrap: the same rule
    with pytest.warns(fastinno.FastinnoWarning, match="dropped constant"):
        b = fastinno.bootstrap(panel, replicates=64, seed=1, progress=False, model_options={"constant": "drop"})
    assert_frame_equal(b.summary, fastinno.bootstrap(reduced, replicates=64, seed=1, progress=False).summary,
                       check_exact=True)


def test_constant_drop_of_everything_is_an_error():
    panel = _panel(n_regions=5, n_years=2)
    cube = np.ones_like(np.array(panel.cube))
    flat = Panel.from_array(cube, panel.system, regions=panel.regions, years=panel.years)
    with pytest.raises(DegenerateDataError, match="leaves nothing to evaluate"):
        fastinno.simulate(flat, draws=8, progress=False, model_options={"constant": "drop"})


def test_cli_constant_option(tmp_path):
    from click.testing import CliRunner

    from fastinno.cli import cli

    panel = _with_constant_indicator(_panel())
    rows = [{"region": r, "year": y, **{k: float(panel.cube[i, t, j]) for j, k in enumerate(panel.indicators)}}
            for i, r in enumerate(panel.regions) for t, y in enumerate(panel.years)]
    path = tmp_path / "panel.csv"
    pl.DataFrame(rows).write_csv(path)
    system = tmp_path / "system.toml"
    system.write_text('[input]\nx1 = "+"\nx2 = "-"\nx3 = "+"\n[output]\nx4 = "+"\n[output.sub]\nx5 = "+"\nx6 = "-"\n')
    base = ["simulate", str(path), "--system", str(system), "--draws", "64", "--seed", "1", "--no-progress"]
    r = CliRunner().invoke(cli, base)
    assert r.exit_code == 2 and r.output.count("Error:") == 1 and "'constant': 'drop'" in r.output
    r = CliRunner().invoke(cli, [*base, "--constant", "drop"])
    assert r.exit_code == 0, r.output
    assert "dropped constant indicator(s) 'x3'" in r.output


# --- exact index quantiles within a memory budget -----------------------------------------------

QS = {"index_p05": 0.05, "median_index": 0.5, "index_p95": 0.95}


def _numpy_quantiles(vals, q):
    """(n_values, regions, years) -> (years, regions): np.quantile of each cell's non-NaN values."""
    return np.array([[np.quantile(v[~np.isnan(v)], q) if (~np.isnan(v)).any() else np.nan
                      for v in vals[:, :, y].T] for y in range(vals.shape[2])])


def _check_exact_quantiles(res, vals, panel, atol=1e-13, engine=None):
    """Exact-mode quantiles against numpy's quantile of the naive index values ``vals``
    (n_values, regions, years; equal up to the summation order of the engine's matrix products,
    a few ulps, hence ``atol``: a histogram would be off by ~1e-4), and bit for bit against numpy's quantile of ``engine`` (the same
    draws' index values from the engine's own index kernels, when given)."""
    assert res.options["quantiles"] == "exact" and res.index_resolution == 0.0
    for c, q in QS.items():
        npt.assert_allclose(_grid(res, c, panel), _numpy_quantiles(vals, q), rtol=0, atol=atol, err_msg=c)
        if engine is not None:
            npt.assert_array_equal(_grid(res, c, panel), _numpy_quantiles(engine, q), err_msg=c)


def test_exact_quantiles_kernel_matches_numpy():
    rng = np.random.default_rng(11)
    v = rng.random((3, 257, 5))
    v[0, :, 1] = np.round(v[0, :, 1], 1)  # ties
    v[1, ::3, 2] = np.nan  # NaN skipped
    v[2, :, 3] = np.nan  # empty cell -> NaN
    v[2, 1:, 4] = np.nan  # one value
    v[0, :, 0] = 0.25  # constant
    qs = np.array([0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.95, 1.0, 1 / 3])
    got = kq.exact_quantiles(v, qs)
    for y in range(3):
        for i in range(5):
            x = v[y, :, i]
            x = x[~np.isnan(x)]
            want = np.quantile(x, qs) if x.size else np.full(qs.size, np.nan)
            npt.assert_array_equal(got[y, i], want, err_msg=f"cell {y}, {i}")


def test_exact_quantiles_kernel_many_regions_and_heavy_ties():
    """Groups of 8 regions plus a remainder; quickselect on values with few distinct levels."""
    rng = np.random.default_rng(12)
    v = rng.integers(0, 4, size=(2, 1001, 21)).astype(np.float64) / 3.0
    v[1] = rng.random((1001, 21))
    v[1, rng.random((1001, 21)) < 0.1] = np.nan
    qs = np.array([0.95, 0.05, 0.5, 0.5, 0.999])
    got = kq.exact_quantiles(v, qs)
    want = np.moveaxis(np.nanquantile(v, qs, axis=1), 0, -1)
    npt.assert_array_equal(got, want)


@pytest.mark.parametrize("model,options,scheme", [
    ("hew-topsis", {}, "dirichlet"),
    ("hew-topsis", {"scope": "region", "form": "closeness"}, "simplex"),
    ("topsis", {}, "uniform"),
    ("weighted-sum", {"standardize": "zscore", "scope": "panel"}, "hierarchical"),
    ("gra", {}, "given"),
])
def test_simulate_exact_quantiles_match_naive(model, options, scheme):
    panel = _panel()
    draws = 150
    if scheme == "given":
        w = np.random.default_rng(1).dirichlet(np.ones(6), draws)
        kw = dict(scheme="given", given=w)
    else:
        w = fastinno.simulate_weights(panel, draws=draws, scheme=scheme, concentration=30.0, spread=0.4, seed=9)
        kw = dict(scheme=scheme, concentration=30.0, spread=0.4)
    res = fastinno.simulate(panel, model=model, model_options=options, draws=draws, seed=9, progress=False,
                            chunk_size=64, quantile_memory="1MB", **kw)
    fn = _naive_index_fn(panel, model, options)
    mdl, _ = rmodels.prepare_model(panel, model, options)
    with single_threaded_blas():  # the engine's GEMM path for all draws at once
        engine = np.stack([rmodels.index_of(mdl, np.ascontiguousarray(w), y) for y in range(3)], axis=-1)
    _check_exact_quantiles(res, np.array([fn(x) for x in w]), panel, engine=engine)
    # everything else as in the histogram run
    ref = naive.monte_carlo_summary(fn, w, fn(panel.system.base_weights()))
    _check_against_naive(res, ref, panel)


def test_method_choice_exact_quantiles_pool_every_combination():
    panel = _panel(n_regions=10, n_years=2)
    draws = 130
    models, stds = ["hew-topsis", "weighted-sum", "gra"], ["minmax", "max_ratio"]
    res = fastinno.simulate(panel, draws=draws, seed=4, concentration=20.0, progress=False, chunk_size=64,
                            choices={"model": models, "standardize": stds})
    w = fastinno.simulate_weights(panel, draws=draws, seed=4, concentration=20.0)
    vals = []
    for m in models:
        for std in stds:
            opts = dict(rmodels.DEFAULT_OPTIONS[m], standardize=std)
            fn = _naive_index_fn(panel, m, opts)
            vals += [fn(x) for x in w]
    _check_exact_quantiles(res, np.array(vals), panel)
    again = fastinno.simulate(panel, draws=draws, seed=4, concentration=20.0, progress=False, chunk_size=1024,
                              choices={"model": models, "standardize": stds})
    assert_frame_equal(res.summary, again.summary, check_exact=True)


@pytest.mark.parametrize("over", ["regions", "years"])
def test_bootstrap_exact_quantiles_match_naive(over):
    panel = _panel(n_regions=8, n_years=4)
    reps = 70
    res = fastinno.bootstrap(panel, replicates=reps, over=over, seed=5, progress=False, chunk_size=64)
    cube, is_cost = np.asarray(panel.cube), panel.is_cost
    seeds = block_seeds(5, 0, 2)
    if over == "regions":
        idx = kr.bootstrap_indices(8, seeds, _config.DRAW_BLOCK)[:reps]
        mults = [(np.bincount(i, minlength=8), np.ones(4, int)) for i in idx]
    else:
        idx = kr.block_bootstrap_indices(4, 2, seeds, _config.DRAW_BLOCK)[:reps]
        mults = [(np.ones(8, int), np.bincount(i, minlength=4)) for i in idx]
    vals = np.array([naive.bootstrap_model_index(cube, is_cost, *m, 0, 0, 0, "entropy")[0] for m in mults])
    # the engine's bootstrap kernel standardizes affinely (a u + b) where the naive loop divides:
    # its index values differ from the naive ones by a few ulps (measured < 1e-14), the
    # quantiles of its own values are exact
    with np.errstate(divide="ignore", invalid="ignore"):
        cprime = np.ascontiguousarray(np.where(is_cost[None, None, :], 1.0 / cube, cube))
        cplogc = np.where(cprime > 0, cprime * np.log(cprime), 0.0)
    mr = np.ascontiguousarray(np.array([m[0] for m in mults], dtype=np.int64))
    my = np.ascontiguousarray(np.array([m[1] for m in mults], dtype=np.int64))
    cube = np.ascontiguousarray(cube)
    rstats = kb.region_stats(cube, cprime, cplogc) if over == "regions" else np.zeros((0, 5, 6))  # as bootstrap
    engine, _ = kb.bootstrap_index(cube, np.ascontiguousarray(is_cost), 0, 0, 0, mr, my, kb.W_ENTROPY,
                                   np.full(6, 1 / 6), cprime, cplogc, rstats)
    npt.assert_allclose(engine.transpose(1, 2, 0), vals, rtol=0, atol=1e-13)
    _check_exact_quantiles(res, vals, panel, atol=1e-13, engine=engine.transpose(1, 2, 0))


def test_nan_indices_are_skipped_by_both_paths():
    # year 1: only x1 varies (the others are constant, scored 0). Draws without weight on x1 give
    # d_pos = d_neg = 0 for every region, an undefined (NaN) index, which the quantiles skip.
    panel = _panel(n_regions=6, n_years=2)
    cube = np.array(panel.cube)
    cube[:, 0, 1:] = 1.0
    p = Panel.from_array(cube, panel.system)
    rng = np.random.default_rng(4)
    w = rng.dirichlet(np.ones(6), 90)
    w[::3, 0] = 0.0
    w = w / w.sum(axis=1, keepdims=True)
    opts = {"scope": "year", "standardize": "minmax", "constant": "zero"}
    fn = _naive_index_fn(p, "hew-topsis", opts)
    vals = np.array([fn(x) for x in w])
    assert np.isnan(vals[:, :, 0]).sum() == 30 * 6 and not np.isnan(vals[:, :, 1]).any()
    # those draws rank every region tied in year 1: no Spearman rho there, and a warning says so
    undefined = r"rho is undefined for 30 of 180 rankings \(year\(s\) 1\)"
    with pytest.warns(FastinnoWarning, match=undefined):
        ex = fastinno.simulate(p, model_options=opts, scheme="given", given=w, progress=False, chunk_size=64)
    _check_exact_quantiles(ex, vals, p)
    with pytest.warns(FastinnoWarning, match=undefined):
        hi = fastinno.simulate(p, model_options=opts, scheme="given", given=w, progress=False, quantile_memory=0)
    assert hi.options["quantiles"] == "histogram"
    for c, q in QS.items():
        ref = np.nanquantile(vals, q, axis=0).T
        npt.assert_allclose(_grid(hi, c, p), ref, rtol=0, atol=hi.index_resolution + 1e-12, err_msg=c)
    # ranks (NaN last, tied), top-k shares and the rho summaries of the defined draws, end to end
    _check_against_naive(hi, naive.monte_carlo_summary(fn, w, fn(p.system.base_weights())), p)


def test_exact_quantiles_from_parallel_blocks():
    # 300 regions x 1024-draw chunks: past PARALLEL_MIN_CELLS, blocks of draws are ranked on
    # several threads and each stores its own rows of the draw matrix
    panel = _panel(n_regions=300, n_years=1, seed=5)
    draws = 2048
    assert 1024 * 300 >= _config.PARALLEL_MIN_CELLS and 1024 > rblocks.block_rows(300)
    kw = dict(draws=draws, seed=6, concentration=20.0, progress=False)
    big = fastinno.simulate(panel, chunk_size=1024, **kw)
    small = fastinno.simulate(panel, chunk_size=64, **kw)
    assert big.options["quantiles"] == "exact"
    assert_frame_equal(big.summary, small.summary, check_exact=True)
    w = fastinno.simulate_weights(panel, draws=draws, seed=6, concentration=20.0)
    mdl, _ = rmodels.prepare_model(panel, "hew-topsis", None)
    with single_threaded_blas():  # 64-row products, as in the chunk_size=64 run
        engine = np.concatenate([rmodels.index_of(mdl, np.ascontiguousarray(w[i : i + 64]), 0)
                                 for i in range(0, draws, 64)])[:, :, None]
    for c, q in QS.items():
        npt.assert_array_equal(_grid(big, c, panel), _numpy_quantiles(engine, q), err_msg=c)


def test_budget_switches_to_histograms():
    panel = _panel()  # 12 regions x 3 years
    draws = 150
    need = 8 * 3 * draws * 12  # 43,200 bytes
    kw = dict(draws=draws, seed=2, progress=False)
    exact = fastinno.simulate(panel, quantile_memory=need, **kw)
    assert exact.options["quantiles"] == "exact" and exact.index_resolution == 0.0
    assert exact.options["quantile_memory"] == need
    assert_frame_equal(exact.summary, fastinno.simulate(panel, quantile_memory="43.2kB", **kw).summary,
                       check_exact=True)
    small = fastinno.simulate(panel, quantile_memory=need - 1, **kw)
    assert small.options["quantiles"] == "histogram" and small.index_resolution > 0
    # the histogram path is unchanged: identical to quantile_memory=0
    zero = fastinno.simulate(panel, quantile_memory=0, **kw)
    assert zero.options["quantiles"] == "histogram" and zero.index_resolution > 0
    assert_frame_equal(small.summary, zero.summary, check_exact=True)
    npt.assert_allclose(exact.summary["index_p95"].to_numpy(), zero.summary["index_p95"].to_numpy(), rtol=0,
                        atol=zero.index_resolution)
    # method choice: draws x combinations values per cell
    ch = {"standardize": ["max_ratio", "minmax"]}
    assert fastinno.simulate(panel, choices=ch, quantile_memory=2 * need, **kw).options["quantiles"] == "exact"
    assert fastinno.simulate(panel, choices=ch, quantile_memory=2 * need - 1, **kw).options["quantiles"] == "histogram"
    # bootstrap: replicates values per cell
    b = dict(replicates=draws, seed=2, progress=False)
    assert fastinno.bootstrap(panel, quantile_memory=need, **b).options["quantiles"] == "exact"
    bh = fastinno.bootstrap(panel, quantile_memory=need - 1, **b)
    assert bh.options["quantiles"] == "histogram" and bh.index_resolution > 0
    assert_frame_equal(bh.summary, fastinno.bootstrap(panel, quantile_memory=0, **b).summary, check_exact=True)


def test_default_budget_is_the_module_constant(monkeypatch):
    panel = _panel()
    assert _config.EXACT_QUANTILE_MEMORY == 64 * 2**20
    res = fastinno.simulate(panel, draws=64, seed=1, progress=False)
    assert res.options["quantiles"] == "exact" and res.options["quantile_memory"] == _config.EXACT_QUANTILE_MEMORY
    monkeypatch.setattr(_config, "EXACT_QUANTILE_MEMORY", 8 * 3 * 64 * 12 - 1)
    assert fastinno.simulate(panel, draws=64, seed=1, progress=False).options["quantiles"] == "histogram"
    assert fastinno.bootstrap(panel, replicates=64, seed=1, progress=False).options["quantiles"] == "histogram"


def test_exact_draw_matrix_is_the_only_growing_accumulator():
    panel = _panel()
    mdl, base = rmodels.prepare_model(panel, "hew-topsis", None)
    sampler, _ = rsampling.make_sampler(panel, "dirichlet", base, 50.0, 0.2, None)
    for draws in (64, 640):
        ctx, _, _ = racc.context(mdl, sampler, base, 1, 12, 3, np.zeros((0, 2), np.int64), None)
        budget = 8 * 3 * 12 * draws
        racc.quantile_mode(ctx, budget, draws, 1)
        acc = rexecute.execute(ctx, draws, 64, "local", None, None, False)
        assert acc.exact.shape == (3, draws, 1, 12) and acc.exact.nbytes == budget
        assert acc.hist.shape == (3, 12, 1)  # no histograms in exact mode
        ctx2, _, _ = racc.context(mdl, sampler, base, 1, 12, 3, np.zeros((0, 2), np.int64), None)
        racc.quantile_mode(ctx2, budget - 1, draws, 1)
        assert rexecute.execute(ctx2, draws, 64, "local", None, None, False).exact is None


@pytest.mark.parametrize("text,expect", [
    ("512MB", 512 * 10**6), ("2GiB", 2 * 2**30), ("256 MiB", 256 * 2**20), ("256mib", 256 * 2**20),
    ("1gb", 10**9), ("1.5GB", 1_500_000_000), ("100", 100), ("7 B", 7), ("3kib", 3072), ("0", 0),
    (0, 0), (12345, 12345), (np.int64(8), 8), (1e9, 10**9), (np.float64(2048.0), 2048),
])
def test_memory_budget_parsing(text, expect):
    from fastinno.validate import check_memory

    assert check_memory("quantile_memory", text) == expect


@pytest.mark.parametrize("bad,msg", [
    ("12XB", "is not a memory size"), ("MB", "is not a memory size"), ("1e9", "is not a memory size"),
    ("", "is not a memory size"), ("5 M B", "is not a memory size"), ("-5MB", "must be >= 0"), (-1, "must be >= 0"),
    (1.5, "integer number of bytes"), (float("inf"), "integer number of bytes"), (-1e9, "must be >= 0"),
    (True, "number of bytes"), ([1], "integer number of bytes"),
])
def test_memory_budget_errors(bad, msg):
    panel = _panel()
    with pytest.raises(InputError, match=f"quantile_memory.*{msg}"):
        fastinno.simulate(panel, draws=64, quantile_memory=bad, progress=False)
    with pytest.raises(InputError, match=f"quantile_memory.*{msg}"):
        fastinno.bootstrap(panel, replicates=64, quantile_memory=bad, progress=False)


def test_cli_quantile_memory():
    from click.testing import CliRunner

    from fastinno.cli import cli

    base = ["--demo", "--seed", "1", "--no-progress"]
    r = CliRunner().invoke(cli, ["simulate", *base, "--draws", "128", "--quantile-memory", "64MiB"])
    assert r.exit_code == 0, r.output
    assert "index quantiles exact" in r.output
    r = CliRunner().invoke(cli, ["simulate", *base, "--draws", "128", "--quantile-memory", "0"])
    assert r.exit_code == 0, r.output
    assert "index quantiles within" in r.output
    r = CliRunner().invoke(cli, ["bootstrap", *base, "--replicates", "64", "--quantile-memory", "1 gb"])
    assert r.exit_code == 0, r.output
    assert "index quantiles exact" in r.output
    for cmd, n in (("simulate", "--draws"), ("bootstrap", "--replicates")):
        r = CliRunner().invoke(cli, [cmd, *base, n, "64", "--quantile-memory", "lots"])
        assert r.exit_code == 2 and r.output.count("Error:") == 1 and "Traceback" not in r.output
        assert "quantile_memory 'lots' is not a memory size" in r.output


def test_base_weights_by_indicator_name():
    panel = _panel()
    rng = np.random.default_rng(5)
    w = rng.random(panel.system.n_indicators)
    w /= w.sum()
    named = dict(zip(panel.indicators[::-1], w[::-1]))  # any order of the keys
    kw = dict(draws=128, seed=3, progress=False)
    by_name = fastinno.simulate(panel, model_options={"weights": named}, **kw)
    by_order = fastinno.simulate(panel, model_options={"weights": w.tolist()}, **kw)
    assert_frame_equal(by_name.summary, by_order.summary, check_exact=True)
    # ... and they are not the base weights: the summaries differ from the default run
    default = fastinno.simulate(panel, **kw)
    assert not np.array_equal(default.summary["base_index"].to_numpy(), by_name.summary["base_index"].to_numpy())
    missing = {k: v for k, v in named.items() if k != panel.indicators[0]}
    with pytest.raises(InputError, match=rf"exactly: missing '{panel.indicators[0]}'; the indicators are "):
        fastinno.simulate(panel, model_options={"weights": missing}, **kw)
    with pytest.raises(InputError, match=r"exactly: unknown 'nope'; the indicators are "):
        fastinno.simulate(panel, model_options={"weights": {**named, "nope": 0.0}}, **kw)


# --- coverage of the remaining options ----------------------------------------------------------


def test_user_top_k_matches_naive():
    panel = _panel()
    w = fastinno.simulate_weights(panel, draws=150, concentration=10.0, seed=4)
    res = fastinno.simulate(panel, draws=150, concentration=10.0, seed=4, top_k=(2, 5), progress=False)
    assert [c for c in res.summary.columns if c.startswith("p_top_")] == ["p_top_2", "p_top_5"]
    fn = _naive_index_fn(panel, "hew-topsis", {})
    ref = naive.monte_carlo_summary(fn, w, fn(panel.system.base_weights()), top_k=(2, 5))
    for c in ("p_top_2", "p_top_5"):
        npt.assert_array_equal(_grid(res, c, panel), ref[c], err_msg=c)
    boot = fastinno.bootstrap(panel, replicates=64, seed=4, top_k=(4,), progress=False)
    assert [c for c in boot.summary.columns if c.startswith("p_top_")] == ["p_top_4"]
    with pytest.raises(InputError, match="top_k"):
        fastinno.simulate(panel, draws=8, top_k=(0,), progress=False)


@pytest.mark.parametrize("bins", [16, 256])
def test_index_bins_sets_the_stated_resolution(bins):
    # max-ratio standardization: indices in [0, 1], so the resolution is at most 1 / bins, and the
    # histogram quantiles are within it of the exact ones
    panel = _panel()
    kw = dict(draws=300, concentration=5.0, seed=6, progress=False)
    hist = fastinno.simulate(panel, quantile_memory=0, index_bins=bins, **kw)
    exact = fastinno.simulate(panel, **kw)
    assert hist.options["quantiles"] == "histogram" and exact.options["quantiles"] == "exact"
    assert 0 < hist.index_resolution <= 1.0 / bins
    for c in ("median_index", "index_p05", "index_p95"):
        diff = np.abs(hist.summary[c].to_numpy() - exact.summary[c].to_numpy())
        assert diff.max() <= hist.index_resolution + 1e-12, c
    # coarser bins really are coarser: 16 bins cannot reproduce every exact quantile
    if bins == 16:
        assert diff.max() > 1e-6
    with pytest.raises(InputError, match="index_bins must be at most"):
        fastinno.simulate(panel, quantile_memory=0, index_bins=krk.MAX_BINS + 1, **kw)


@pytest.mark.parametrize("bad", [np.nan, -0.1, np.inf])
def test_given_weights_must_be_finite_and_nonnegative(bad):
    panel = _panel()
    w = np.full((4, panel.n_indicators), 1.0 / panel.n_indicators)
    w[2, 1] = bad
    with pytest.raises(InputError, match="given weights must be finite and >= 0"):
        fastinno.simulate(panel, scheme="given", given=w, progress=False)


def test_block_seeds_follow_the_documented_seed_sequence():
    # the seeding contract: block b of seed s is seeded from SeedSequence(s, spawn_key=(b,))
    seeds = block_seeds(12345, 3, 4)
    for i, b in enumerate(range(3, 7)):
        want = np.random.SeedSequence(12345, spawn_key=(b,)).generate_state(1, dtype=np.uint32)[0]
        assert seeds[i] == int(want)
    second = block_seeds(12345, 3, 1, stream=2)[0]
    assert second == int(np.random.SeedSequence(12345, spawn_key=(3, 2)).generate_state(1, dtype=np.uint32)[0])
    assert second == int(np.random.SeedSequence(12345, spawn_key=(3,)).spawn(3)[2].generate_state(1, dtype=np.uint32)[0])


@settings(max_examples=20, deadline=None)
@given(n_regions=st.integers(2, 9), n_years=st.integers(1, 3), data_seed=st.integers(0, 2**16),
       seed=st.integers(0, 2**16), kappa=st.sampled_from([0.5, 5.0, 100.0]),
       scheme=st.sampled_from(["dirichlet", "uniform", "hierarchical", "simplex"]),
       model=st.sampled_from(["hew-topsis", "topsis", "gra", "weighted-sum"]))
def test_summary_invariants(n_regions, n_years, data_seed, seed, kappa, scheme, model):
    panel = _panel(n_regions=n_regions, n_years=n_years, seed=data_seed)
    pairs = [("R1", "R2"), ("R2", "R1")]
    kw = dict(model=model, draws=80, scheme=scheme, concentration=kappa, spread=0.5, seed=seed, progress=False,
              top_k=(1, 2, 3), pairs=pairs, acceptability=True)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always", FastinnoWarning)
        res = fastinno.simulate(panel, **kw)
    s = res.summary
    # a year whose rankings all tie (e.g. GRA on two regions) has no rho, and says so
    undefined = res.agreement["spearman_rho_mean"].is_nan().any()
    assert undefined == any("rho is undefined" in str(w.message) for w in rec)
    assert (s["rank_p05"] <= s["median_rank"]).all() and (s["median_rank"] <= s["rank_p95"]).all()
    assert ((s["mean_rank"] >= 1) & (s["mean_rank"] <= n_regions)).all()
    assert (s["index_p05"] <= s["median_index"] + 1e-12).all() and (s["median_index"] <= s["index_p95"] + 1e-12).all()
    assert (s["p_top_1"] <= s["p_top_2"]).all() and (s["p_top_2"] <= s["p_top_3"]).all()
    # every year: the top-k probabilities sum to min(k, regions)
    for k in (1, 2, 3):
        tot = s.group_by("year").agg(pl.col(f"p_top_{k}").sum())[f"p_top_{k}"].to_numpy()
        npt.assert_allclose(tot, min(k, n_regions), rtol=1e-12)
    # acceptability: each region-year's shares sum to 1; each rank position holds one region per draw
    acc = res.acceptability
    npt.assert_allclose(acc.group_by(["region", "year"]).agg(pl.col("share").sum())["share"].to_numpy(), 1.0,
                        rtol=1e-12)
    npt.assert_allclose(acc.group_by(["year", "rank"]).agg(pl.col("share").sum())["share"].to_numpy(), 1.0,
                        rtol=1e-12)
    p = res.outranks.sort(["year", "region_a"])["p_outranks"].to_numpy().reshape(n_years, 2)
    assert (p.sum(axis=1) <= 1.0 + 1e-12).all()
    ag = res.agreement.filter(~pl.col("spearman_rho_mean").is_nan())
    assert ((ag["spearman_rho_min"] <= ag["spearman_rho_p05"] + 2.0 / _config.RHO_BINS) & (ag["spearman_rho_p05"] <= 1.0)).all()
    assert ((ag["spearman_rho_min"] >= -1.0) & (ag["spearman_rho_min"] <= ag["spearman_rho_mean"] + 1e-12) & (ag["spearman_rho_mean"] <= 1.0)).all()
    # relabelling the regions (another row order of the panel) changes nothing per region
    perm = np.random.default_rng(seed).permutation(n_regions)
    shuffled = Panel.from_array(np.ascontiguousarray(np.asarray(panel.cube)[perm]), panel.system,
                                regions=[panel.regions[i] for i in perm], years=panel.years)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)
        again = fastinno.simulate(shuffled, **kw)
    assert_frame_equal(res.summary.sort(["year", "region"]), again.summary.sort(["year", "region"]), check_exact=True)
    assert_frame_equal(res.agreement, again.agreement, check_exact=True)


@pytest.mark.parametrize("opts,api", [
    (["--scheme", "uniform", "--spread", "0.3"], dict(scheme="uniform", spread=0.3)),
    (["--scheme", "hierarchical", "--concentration", "7.5"], dict(scheme="hierarchical", concentration=7.5)),
])
def test_cli_simulate_options_reach_the_api(tmp_path, opts, api):
    from click.testing import CliRunner

    from fastinno import datasets
    from fastinno.cli import cli

    out = tmp_path / "s.csv"
    r = CliRunner().invoke(cli, ["simulate", "--demo", "--draws", "96", "--seed", "3", "--no-progress", "--top-k", "2,4",
                                 "--out", str(out), *opts])
    assert r.exit_code == 0, r.output
    got = pl.read_csv(out)
    want = fastinno.simulate(datasets.demo_panel(), draws=96, seed=3, top_k=(2, 4), progress=False, **api).summary
    assert [c for c in got.columns if c.startswith("p_top_")] == ["p_top_2", "p_top_4"]
    key = ["year", "region"]
    npt.assert_allclose(got.sort(key)["rank_p95"].to_numpy(), want.sort(key)["rank_p95"].to_numpy(), rtol=0)
    npt.assert_allclose(got.sort(key)["p_top_4"].to_numpy(), want.sort(key)["p_top_4"].to_numpy(), rtol=0)
    npt.assert_allclose(got.sort(key)["mean_index"].to_numpy(), want.sort(key)["mean_index"].to_numpy(), rtol=1e-15)
    r = CliRunner().invoke(cli, ["simulate", "--demo", "--draws", "8", "--top-k", "0", "--no-progress"])
    assert r.exit_code == 2 and "--top-k needs integers >= 1" in r.output


def test_numpy_scalars_are_accepted_as_numbers():
    panel = _panel()
    kw = dict(draws=64, seed=2, progress=False)
    a = fastinno.simulate(panel, concentration=np.int64(30), **kw)
    b = fastinno.simulate(panel, concentration=30.0, **kw)
    assert_frame_equal(a.summary, b.summary, check_exact=True)
    assert type(a.options["concentration"]) is float
    u = fastinno.simulate(panel, scheme="uniform", spread=np.float32(0.25), **kw)
    v = fastinno.simulate(panel, scheme="uniform", spread=float(np.float32(0.25)), **kw)
    assert_frame_equal(u.summary, v.summary, check_exact=True)
    for bad in (np.nan, -1.0, True):
        with pytest.raises(InputError, match="concentration must be a positive number"):
            fastinno.simulate(panel, concentration=bad, **kw)


@pytest.mark.parametrize("model", ["hew-topsis", "combined"])
def test_work_arrays_are_released_in_every_thread(model):
    # the block pipeline's pool threads keep GEMM / model buffers during a run; none survive it
    panel = _panel(n_regions=300, n_years=2)
    fastinno.simulate(panel, model=model, draws=1024, seed=1, progress=False)
    assert rwork.work_bytes() == 0
    # ... and the next run works (and allocates afresh)
    fastinno.simulate(panel, model=model, draws=256, seed=1, progress=False)
    assert rwork.work_bytes() == 0


def test_default_chunk_keeps_codes_within_chunk_memory():
    # codes: 4 bytes per draw, region and method combination; the default chunk divides by both
    for n_regions, k in ((2800, 1), (2800, 48), (300, 6), (20, 1)):
        cs = rexecute.default_chunk(n_regions, k)
        assert 4 * cs * n_regions * k <= max(_config.CHUNK_MEMORY, 4 * fastinno._config.DRAW_BLOCK * n_regions * k)
    assert rexecute.default_chunk(2800, 48) < rexecute.default_chunk(2800, 1)


def test_a_failing_block_stops_every_thread_and_is_raised(monkeypatch):
    # an error in one block (here: the ranking kernel on the third call) reaches the caller after
    # every pipeline thread has stopped; the next run is unaffected
    panel = _panel(n_regions=300, n_years=1)
    calls = []
    real = krk.rank_block

    def failing(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("block failed")
        return real(*args)

    monkeypatch.setattr(krk, "rank_block", failing)
    with pytest.raises(RuntimeError, match="block failed"):
        fastinno.simulate(panel, draws=4096, seed=1, progress=False)
    n_after = len(calls)
    time.sleep(0.2)
    assert len(calls) == n_after  # nothing still running
    assert n_after < 4096 // rblocks.block_rows(300)  # the others stopped early
    monkeypatch.undo()
    assert rwork.work_bytes() == 0
    ok = fastinno.simulate(panel, draws=256, seed=1, progress=False)
    assert ok.summary.height == 300
