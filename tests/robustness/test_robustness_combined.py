"""simulate(model="combined"): weight perturbations of the combined evaluation's weighted
steps (Xia, Li, Yin 2020, sec. 3.1.1), against a plain per-draw loop, determinism, limits, errors."""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from test_robustness import (
    _check_against_naive,
    _grid,
    _naive_index_fn,
    _naive_shares,
    assert_footprint_fixed,
    assert_same_for_chunks_and_threads,
)

import fastinno
from fastinno import _config
from fastinno.errors import DegenerateDataError, FastinnoWarning, InputError
from fastinno.kernels import combination as kc
from fastinno.kernels import rank as kr
from fastinno.methods import combined as mc
from fastinno.panel import Panel
from fastinno.robustness import accumulators as racc
from fastinno.robustness import combined_model as cm
from fastinno.robustness import models as rmodels
from fastinno.robustness import sampling as rsampling

SYSTEM = {"input": {"a": "+", "b": "+", "c": "+"}, "output": {"d": "+", "e": "+", "f": "-"}}


def _panel(n=14, t=3, seed=0, system=SYSTEM):
    rng = np.random.default_rng(seed)
    common = rng.random((n, 1, 1))
    cube = 0.3 * common + rng.random((n, t, 6))
    cube[:, :, 5] = 2.0 - cube[:, :, 5]  # a cost indicator that agrees with the others
    return Panel.from_array(cube, system, regions=[f"r{i:02d}" for i in range(n)], years=range(2001, 2001 + t))


def _discordant_panel(n=16, t=2):
    # y concentrated (entropy favours it) and opposite to the spread x, z (max deviation favours
    # them): the max-deviation ranking fails the compatibility test in some draws and not in others
    rng = np.random.default_rng(3)
    x = np.linspace(0.0, 1.0, n)
    cube = np.empty((n, t, 3))
    for y in range(t):
        cube[:, y, 0] = x + 0.1 * rng.random(n)
        cube[:, y, 1] = (1.0 - x) ** 4 + 0.02 * rng.random(n)
        cube[:, y, 2] = x + 0.3 * rng.random(n)
    return Panel.from_array(cube, {"x": "+", "y": "+", "z": "+"}, regions=[f"r{i:02d}" for i in range(n)],
                            years=range(2001, 2001 + t))


def _naive_fn(panel, options):
    """Per-draw index (regions, years) of the combined model from naive pieces, and the base index."""
    opts = dict(cm.DEFAULT_OPTIONS)
    opts.update(options)
    methods = tuple(opts["methods"])
    b = panel.system.base_weights()
    p_all = naive.standardize_cube(np.asarray(panel.cube), panel.is_cost, 1, 2)  # min-max per year
    years = range(len(panel.years))
    per_year = []
    for y in years:
        p = p_all[:, y, :]
        we, wm = naive.entropy_weights(p), naive.max_deviation_weights(p)
        wopt = opts["weights"]
        wt = {"entropy": we, "max_deviation": wm}.get(wopt) if isinstance(wopt, str) else None
        if isinstance(wopt, str) and wopt == "equal":
            wt = np.full(p.shape[1], 1.0 / p.shape[1])
        if wt is None:
            wt = np.asarray(wopt, dtype=float) / np.sum(wopt)
        per_year.append((p, {"entropy": we, "max_deviation": wm, "topsis": wt, "gra": wt}))
    kw = dict(methods=methods, rho=opts["rho"], alpha=opts["alpha"], spearman_method=opts["spearman_method"],
              minmax=opts["minmax_scores"])
    fixed = [naive.combined_draw(p, bw, np.ones(len(b)), **kw)[1] for p, bw in per_year]
    base = np.column_stack([naive.combined_draw(p, bw, np.ones(len(b)), **kw)[0] for p, bw in per_year])

    def fn(w):
        f = np.asarray(w) / b
        cols = []
        for y in years:
            p, bw = per_year[y]
            fw = fixed[y] if opts["recombine"] == "fixed" else None
            cols.append(naive.combined_draw(p, bw, f, fixed_weights=fw, **kw)[0])
        return np.column_stack(cols)

    return fn, base


CASES = [
    ("dirichlet", {}),
    ("dirichlet", {"recombine": "fixed"}),
    ("uniform", {}),
    ("uniform", {"recombine": "fixed"}),
    ("hierarchical", {}),
    ("simplex", {"recombine": "fixed"}),
    ("dirichlet", {"minmax_scores": True, "spearman_method": "d2", "weights": "equal", "rho": 0.3}),
    ("uniform", {"methods": ("topsis", "gra", "entropy"), "weights": "max_deviation", "minmax_scores": True,
                 "recombine": "fixed"}),
]


_NAIVE_RUNS = {}


def _naive_run(scheme, options, draws, kw):
    """Naive per-draw summary of one case, computed once for both quantile paths."""
    key = (scheme, tuple(sorted(options.items())))
    if key not in _NAIVE_RUNS:
        panel = _panel()
        w = fastinno.simulate_weights(panel, draws=draws, **kw)
        fn, base = _naive_fn(panel, options)
        _NAIVE_RUNS[key] = naive.monte_carlo_summary(fn, w, base, pairs=[(1, 2)])
    return _NAIVE_RUNS[key]


@pytest.mark.parametrize("quantile_memory,mode", [(None, "exact"), (0, "histogram")])
@pytest.mark.parametrize("scheme,options", CASES)
def test_simulate_combined_matches_naive(scheme, options, quantile_memory, mode):
    panel = _panel()
    draws = 150  # two full blocks and a partial one
    kw = dict(scheme=scheme, concentration=15.0, spread=0.6, seed=11)
    res = fastinno.simulate(panel, model="combined", model_options=options, draws=draws, chunk_size=64,
                            pairs=[("r01", "r02")], progress=False, quantile_memory=quantile_memory, **kw)
    assert res.options["quantiles"] == mode
    if mode == "exact":  # numpy quantiles of every kept draw
        assert res.index_resolution == 0.0
    else:  # histograms on the combined index's a-priori range [0, 1], 4096 bins
        assert res.index_resolution == 1.0 / 4096
    # index quantiles are compared within index_resolution, everything else exactly / to rounding
    _check_against_naive(res, _naive_run(scheme, options, draws, kw), panel, pairs=[("r01", "r02")])
    assert res.options["model_options"]["recombine"] == options.get("recombine", "drift")


@pytest.mark.parametrize("recombine", ["drift", "fixed"])
def test_compatibility_changes_between_draws_matches_naive(recombine):
    panel = _discordant_panel()
    draws = 130
    kw = dict(scheme="dirichlet", concentration=3.0, seed=5)
    opts = {"recombine": recombine}
    res = fastinno.simulate(panel, model="combined", model_options=opts, draws=draws, progress=False,
                            chunk_size=64, **kw)
    w = fastinno.simulate_weights(panel, draws=draws, **kw)
    fn, base = _naive_fn(panel, opts)
    _check_against_naive(res, naive.monte_carlo_summary(fn, w, base), panel)
    # the exclusion really varies between draws (else this test would not exercise it)
    mdl, _ = rmodels.prepare_model(panel, "combined", opts)
    kept = mdl.custom.evaluate(w, 0, recombine=kc.RECOMBINE_DRIFT)[1][:, 1] > 0  # max-deviation weight
    assert kept.any() and not kept.all()


@pytest.mark.parametrize("kw", [dict(scheme="dirichlet", concentration=float("inf")),
                                dict(scheme="uniform", spread=0.0),
                                dict(scheme="hierarchical", concentration=float("inf"))])
@pytest.mark.parametrize("options", [{}, {"recombine": "fixed", "minmax_scores": True},
                                     {"methods": ("gra", "topsis"), "weights": "equal", "spearman_method": "d2"}])
def test_no_perturbation_reproduces_combined_evaluation(kw, options):
    panel = _panel(n=20)
    res = fastinno.simulate(panel, model="combined", model_options=options, draws=100, seed=1, progress=False, **kw)
    ce_opts = {k: v for k, v in options.items() if k != "recombine"}
    ce = fastinno.combined_evaluation(panel, **ce_opts).scores.filter(pl.col("dimension") == "index")
    s = res.summary.join(ce, on=["region", "year"], validate="1:1")
    assert s.height == 20 * 3
    for c in ("base_index", "mean_index", "median_index", "index_p05", "index_p95"):
        npt.assert_allclose(s[c].to_numpy(), s["combined"].to_numpy(), rtol=0, atol=1e-12, err_msg=c)
    for c in ("base_rank", "rank_p05", "rank_p95", "median_rank", "mean_rank"):
        npt.assert_array_equal(s[c].to_numpy(), s["rank"].to_numpy(), err_msg=c)
    ag = res.agreement
    assert ag.columns == ["year", "spearman_rho_mean", "spearman_rho_p05", "spearman_rho_min", "mean_abs_rank_shift"]
    npt.assert_allclose(ag["spearman_rho_mean"].to_numpy(), 1.0, rtol=1e-15)
    npt.assert_array_equal(ag["spearman_rho_p05"].to_numpy(), 1.0)
    npt.assert_array_equal(ag["spearman_rho_min"].to_numpy(), 1.0)
    npt.assert_array_equal(ag["mean_abs_rank_shift"].to_numpy(), 0.0)


def test_base_weights_are_combined_evaluations_method_weights():
    panel = _discordant_panel()
    mdl, base = rmodels.prepare_model(panel, "combined", {"recombine": "fixed"})
    npt.assert_array_equal(base, panel.system.base_weights())
    ce = fastinno.combined_evaluation(panel)
    want = ce.method_weights.sort(["year"])["weight"].to_numpy().reshape(2, 4)
    npt.assert_allclose(mdl.custom.fixed_w, want, rtol=1e-12, atol=1e-15)
    assert (want[:, 1] == 0).all()  # max deviation excluded at the base weights


@pytest.mark.parametrize("scheme", ["dirichlet", "uniform", "hierarchical", "simplex"])
def test_every_draws_method_weights_are_valid(scheme):
    panel = _panel()
    kw = dict(scheme=scheme, concentration=2.0, spread=1.0, seed=3)
    w = fastinno.simulate_weights(panel, draws=200, **kw)
    assert (w >= 0).all()
    npt.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-12)
    mdl, b = rmodels.prepare_model(panel, "combined", {"weights": "equal"})
    for y in range(3):
        mw = mdl.custom.method_weights(w, y)  # (draws, k, indicators)
        assert np.isfinite(mw).all() and (mw >= 0).all()
        npt.assert_allclose(mw.sum(axis=2), 1.0, rtol=1e-12)
        p = naive.standardize_cube(np.asarray(panel.cube), panel.is_cost, 1, 2)[:, y, :]
        bk = [naive.entropy_weights(p), naive.max_deviation_weights(p), np.full(6, 1 / 6), np.full(6, 1 / 6)]
        for d in (0, 57, 199):
            for k in range(4):
                raw = bk[k] * w[d] / b
                npt.assert_allclose(mw[d, k], raw / raw.sum(), rtol=1e-12)


def test_constant_policies():
    panel = _panel()
    cube = np.array(panel.cube)
    cube[:, 1, 2] = 5.0  # indicator c constant in 2002
    p2 = Panel.from_array(cube, panel.system, regions=panel.regions, years=panel.years)
    with pytest.raises(DegenerateDataError, match=r"constant within a year.*\('c', 2002\)"):
        fastinno.simulate(p2, model="combined", draws=64, progress=False)
    inf = dict(draws=64, seed=1, progress=False, concentration=float("inf"))
    for constant in ("drop", "zero"):
        ce = fastinno.combined_evaluation(p2, constant=constant).scores.filter(pl.col("dimension") == "index")
        if constant == "drop":
            with pytest.warns(FastinnoWarning, match=r"\('c', 2002\) are constant and were dropped from their year"):
                res = fastinno.simulate(p2, model="combined", model_options={"constant": constant}, **inf)
        else:
            res = fastinno.simulate(p2, model="combined", model_options={"constant": constant}, **inf)
        s = res.summary.join(ce, on=["region", "year"])
        npt.assert_allclose(s["index_p95"].to_numpy(), s["combined"].to_numpy(), atol=1e-12)
        npt.assert_array_equal(s["rank_p95"].to_numpy(), s["rank"].to_numpy())
    # perturbed, drop: the naive loop without c in 2002 (its year-cell alone loses the indicator)
    res = None
    with pytest.warns(FastinnoWarning, match=r"\('c', 2002\) are constant and were dropped from their year"):
        res = fastinno.simulate(p2, model="combined", model_options={"constant": "drop"}, draws=70, seed=2,
                                chunk_size=64, progress=False)
    w = fastinno.simulate_weights(p2, draws=70, seed=2)
    b = p2.system.base_weights()
    p_all = naive.standardize_cube(cube, p2.is_cost, 1, 2)
    cells = []
    for y in range(3):
        idx = [0, 1, 3, 4, 5] if y == 1 else list(range(6))
        p = p_all[:, y, idx]
        we, wm = naive.entropy_weights(p), naive.max_deviation_weights(p)
        cells.append((idx, p, {"entropy": we, "max_deviation": wm, "topsis": we, "gra": we}))

    def fn(wd):
        f = wd / b
        return np.column_stack([naive.combined_draw(p, bw, f[idx], mc.METHODS)[0] for idx, p, bw in cells])

    _check_against_naive(res, naive.monte_carlo_summary(fn, w, fn(b)), p2)


def test_identical_for_any_chunk_size_and_thread_count():
    panel = _panel(n=20)
    kw = dict(model="combined", draws=300, seed=17, progress=False, pairs=[("r01", "r02")], acceptability=True,
              concentration=10.0)
    drift = fastinno.simulate(panel, chunk_size=64, model_options={"recombine": "drift"}, **kw)  # the default
    assert_same_for_chunks_and_threads(
        lambda cs: fastinno.simulate(panel, chunk_size=cs, **kw), (1, 100, 1024), 128,
        ("summary", "agreement", "acceptability", "outranks"), others=[drift])


def test_accumulators_do_not_grow_with_draws():
    panel = _panel()
    mdl, base = rmodels.prepare_model(panel, "combined", None)
    sampler, _ = rsampling.make_sampler(panel, "dirichlet", base, 20.0, 0.2, None)
    ctx, _, _ = racc.context(mdl, sampler, base, 1, 14, 3, np.zeros((0, 2), np.int64), None)
    assert_footprint_fixed(ctx, (64, 640, 3200))


def test_parallel_and_serial_kernels_agree(monkeypatch):
    # the engine's blocks use the serial nogil kernel; a large standalone call the prange kernel
    panel = _panel(n=20)
    mdl, _ = rmodels.prepare_model(panel, "combined", {"minmax_scores": True})
    w = fastinno.simulate_weights(panel, draws=300, concentration=3.0, seed=4)
    monkeypatch.setattr(_config, "COMBINED_PARALLEL_MIN_CELLS", 1)
    for y in range(3):
        for recombine in (kc.RECOMBINE_DRIFT, kc.RECOMBINE_FIXED):
            par, mw_par = (a.copy() for a in mdl.custom.evaluate(w, y, recombine=recombine))
            ser, mw_ser = mdl.custom.evaluate(w, y, recombine=recombine, out=np.empty((300, 20)))
            npt.assert_array_equal(par, ser)
            npt.assert_array_equal(mw_par, mw_ser)
            npt.assert_allclose(mw_par.sum(axis=1), 1.0, rtol=1e-12)


def test_given_weights_are_read_as_tilts():
    panel = _panel()
    b = panel.system.base_weights()
    rng = np.random.default_rng(2)
    w = rng.dirichlet(np.ones(6), 70)
    res = fastinno.simulate(panel, model="combined", scheme="given", given=w, progress=False, chunk_size=64)
    fn, base = _naive_fn(panel, {})
    _check_against_naive(res, naive.monte_carlo_summary(fn, w, base), panel)
    # the base row itself is combined_evaluation
    one = fastinno.simulate(panel, model="combined", scheme="given", given=b[None, :], progress=False)
    npt.assert_allclose(one.summary.sort(["year", "region"])["index_p05"].to_numpy(),
                        one.summary.sort(["year", "region"])["base_index"].to_numpy(), atol=1e-12)


def test_critical_rho_agrees_with_the_p_value_test():
    # every Spearman value without ties for n = 3..14 (rho = 1 - 6 S / (n^3 - n), S even), and more;
    # p-values from the naive t approximation (naive.spearman_p_value), not fastinno's
    for n in range(3, 15):
        s = np.arange(0, (n**3 - n) // 3 + 1, 2)
        rhos = np.concatenate([1.0 - 6.0 * s / (n**3 - n), np.linspace(-1, 1, 2001)])
        p = np.array([naive.spearman_p_value(r, n) for r in rhos])
        for alpha in (0.01, 0.05, 0.1):
            r_a = cm.critical_rho(alpha, n)
            npt.assert_array_equal(rhos >= r_a, (p < alpha) & (rhos > 0), err_msg=f"n={n} alpha={alpha}")
            # r_a is the boundary: it passes, the next double towards 0 does not
            assert naive.spearman_p_value(r_a, n) < alpha
            assert not naive.spearman_p_value(np.nextafter(r_a, 0.0), n) < alpha


def test_compatible_methods_kernel_matches_the_greedy_rule():
    rng = np.random.default_rng(7)
    n = 12
    r_a = cm.critical_rho(0.05, n)
    for trial in range(400):
        k = 2 + trial % 3
        a = rng.uniform(-0.4, 1.0, (k, k))
        rho = (a + a.T) / 2
        np.fill_diagonal(rho, 1.0)
        if trial % 7 == 0:
            rho[0, 1] = rho[1, 0] = np.nan
        if trial % 5 == 0:  # exact ties of the mean rho
            rho[:] = np.where(np.eye(k, dtype=bool), 1.0, 0.1)
        keep = np.empty(k, dtype=np.bool_)
        kc.compatible_methods(rho, r_a, keep)
        # the naive greedy rule on naive p-values
        pv = [[naive.spearman_p_value(rho[a, b], n) for b in range(k)] for a in range(k)]
        npt.assert_array_equal(keep, naive.compatible_set(rho.tolist(), pv, 0.05))
        # and the rule combined_evaluation itself applies (simulate must reproduce it at no perturbation)
        want, _ = mc.compatible_set(rho, mc.spearman_pvalues(rho, n), 0.05)
        npt.assert_array_equal(keep, want)


@pytest.mark.parametrize("n", [5, 255, 256, 1000])
def test_rank_paths_match_naive(n):
    # below RADIX_MIN_N np.argsort, from it on the radix sort of ranking.ranks_of_row
    rng = np.random.default_rng(n)
    for x in (rng.random(n), np.round(rng.random(n), 1), np.full(n, 0.5)):
        out = np.empty(n)
        kc._desc_ranks(x, out)
        npt.assert_array_equal(out, naive.rank_average(x))


def test_large_panel_uses_radix_ranks_and_matches_naive():
    panel = _panel(n=kc.RADIX_MIN_N + 4, t=1)
    w = fastinno.simulate_weights(panel, draws=2, concentration=10.0, seed=1)
    mdl, _ = rmodels.prepare_model(panel, "combined", {"minmax_scores": True})
    got = mdl.custom.evaluate(w, 0)[0].copy()
    fn, _ = _naive_fn(panel, {"minmax_scores": True})
    for d in range(2):
        npt.assert_allclose(got[d], fn(w[d])[:, 0], rtol=1e-12)


def test_undefined_draw_gives_nan_row():
    # a weight total of 0 (the draw gives no weight to the indicators a method uses): no score
    g_lin = np.array([[0.2, 0.4, 0.6, 1.0], [0.0, 0.0, 0.0, 0.0]])  # one linear method, 3 regions
    out = np.empty((2, 3))
    mw = np.empty((2, 1))
    kc.combined_index_chunk_serial(g_lin, np.empty((2, 0)), np.array([0]), kc.RECOMBINE_DRIFT, 0.9, False,
                                   kr.PEARSON, 1e-12, np.zeros(1), out, mw)
    npt.assert_allclose(out[0], [0.2, 0.4, 0.6])
    assert mw[0, 0] == 1.0
    assert np.isnan(out[1]).all() and np.isnan(mw[1]).all()


def test_method_choice_with_combined():
    panel = _panel()
    kw = dict(draws=130, seed=4, concentration=20.0, progress=False, chunk_size=64)
    res = fastinno.simulate(panel, model="combined", choices={"model": ["combined", "topsis"]}, **kw)
    one = fastinno.simulate(panel, model="combined", **kw)
    two = fastinno.simulate(panel, model="topsis", **kw)
    npt.assert_array_equal(_grid(res, "base_index", panel), _grid(one, "base_index", panel))
    npt.assert_allclose(_grid(res, "mean_rank", panel),
                        (_grid(one, "mean_rank", panel) + _grid(two, "mean_rank", panel)) / 2, rtol=1e-12)
    assert res.variance_shares["choice"].to_list() == ["model", "weight_draws"]
    # shares against the naive ranks of every draw x model (both models see the same weight draws)
    w = fastinno.simulate_weights(panel, draws=130, seed=4, concentration=20.0)
    fn_c, _ = _naive_fn(panel, {})
    fn_t = _naive_index_fn(panel, "topsis", {})
    ranks = np.empty((130, 2, 1, 3, 14), dtype=np.int64)  # (draws, model, one dummy level, years, regions)
    for d in range(130):
        for a, fn in enumerate((fn_c, fn_t)):
            v = fn(w[d])
            for y in range(3):
                ranks[d, a, 0, y] = naive.rank_min(v[:, y])
    ref = _naive_shares(ranks)
    shares = {row["choice"]: (row["first_order"], row["total"]) for row in res.variance_shares.iter_rows(named=True)}
    npt.assert_allclose(shares["model"], ref["a"], rtol=1e-9)
    npt.assert_allclose(shares["weight_draws"], ref["weight_draws"], rtol=1e-9)
    assert 0 < shares["model"][0] < 1 and 0 < shares["weight_draws"][0] < 1  # both choices matter here
    # the weights choice sets the combined model's TOPSIS / GRA weights
    ch = fastinno.simulate(panel, model="combined", choices={"weights": ["entropy", "equal"]}, **kw)
    assert ch.variance_shares["choice"].to_list() == ["weights", "weight_draws"]  # the choice and the draws
    eq = fastinno.simulate(panel, model="combined", model_options={"weights": "equal"}, **kw)
    npt.assert_allclose(_grid(ch, "mean_rank", panel),
                        (_grid(one, "mean_rank", panel) + _grid(eq, "mean_rank", panel)) / 2, rtol=1e-12)


def test_errors():
    panel = _panel()
    run = dict(model="combined", draws=64, progress=False)
    with pytest.raises(InputError, match="Unknown model_options 'scope' for model 'combined': allowed are"):
        fastinno.simulate(panel, model_options={"scope": "year"}, **run)
    with pytest.raises(InputError, match="Unknown recombine 'mean'"):
        fastinno.simulate(panel, model_options={"recombine": "mean"}, **run)
    with pytest.raises(InputError, match="by='year'"):
        fastinno.simulate(panel, model_options={"by": "panel"}, **run)
    with pytest.raises(InputError, match="minmax_scores must be True or False"):
        fastinno.simulate(panel, model_options={"minmax_scores": "yes"}, **run)
    with pytest.raises(InputError, match="Unknown method 'ahp'"):
        fastinno.simulate(panel, model_options={"methods": ("entropy", "ahp")}, **run)
    with pytest.raises(InputError, match="alpha must lie"):
        fastinno.simulate(panel, model_options={"alpha": 0.0}, **run)
    with pytest.raises(InputError, match="rho must lie"):
        fastinno.simulate(panel, model_options={"rho": 2.0}, **run)
    with pytest.raises(InputError, match="weights sum to"):
        fastinno.simulate(panel, model_options={"weights": np.full(6, 0.5)}, **run)
    with pytest.raises(InputError, match="weights mapping must name every indicator"):
        fastinno.simulate(panel, model_options={"weights": {"a": 1.0}}, **run)
    with pytest.raises(InputError, match="Unknown spearman_method"):
        fastinno.simulate(panel, model_options={"spearman_method": "kendall"}, **run)
    with pytest.raises(InputError, match="at least 3 objects"):
        fastinno.simulate(_panel(n=2), **run)
    # given rows that leave a method without weight, or weigh indicators without base weight
    w = np.zeros((3, 6))
    w[:, 5] = 1.0  # only f: the input dimension's indicators get nothing, but entropy weights f > 0
    fastinno.simulate(panel, model="combined", scheme="given", given=w, progress=False)
    with pytest.raises(InputError, match=r"given weight rows 0, 1, 2 give no weight to any indicator the 'topsis'"):
        fastinno.simulate(panel, model="combined", scheme="given", given=w, progress=False,
                          model_options={"weights": np.array([0.5, 0.5, 0, 0, 0, 0])})
    fixed = {"input": {"a": {"direction": "+", "weight": 0.0}, "b": {"direction": "+", "weight": 0.5},
                       "c": {"direction": "+", "weight": 0.5}}, "output": {"d": "+", "e": "+", "f": "-"}}
    pz = _panel(system=fixed)
    assert pz.system.base_weights()[0] == 0.0
    with pytest.raises(InputError, match="scheme='simplex' puts weight there"):
        fastinno.simulate(pz, model="combined", scheme="simplex", draws=64, progress=False)
    with pytest.raises(InputError, match="put weight on indicators whose base weight is 0"):
        fastinno.simulate(pz, model="combined", scheme="given", given=np.full((2, 6), 1 / 6), progress=False)


@pytest.mark.dask
def test_dask_local_cluster_identical_to_local():
    pytest.importorskip("distributed")
    panel = _panel(n=10, t=2)
    kw = dict(model="combined", draws=200, seed=21, progress=False, chunk_size=64, pairs=[("r01", "r02")],
              concentration=10.0)
    local = fastinno.simulate(panel, **kw)
    dask = fastinno.simulate(panel, backend="dask", n_workers=2, **kw)
    for name in ("summary", "agreement", "outranks"):
        assert_frame_equal(getattr(local, name), getattr(dask, name), check_exact=True)


def test_cli_simulate_combined(tmp_path):
    from click.testing import CliRunner

    from fastinno.cli import cli

    out = tmp_path / "stability.csv"
    r = CliRunner().invoke(cli, ["simulate", "--demo", "--model", "combined", "--recombine", "fixed", "--draws", "128",
                                 "--seed", "1", "--no-progress", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "Spearman rho" in r.output
    assert {"region", "year", "base_rank", "rank_p95"} <= set(pl.read_csv(out).columns)
    r = CliRunner().invoke(cli, ["simulate", "--demo", "--model", "combined", "--scope", "panel", "--no-progress"])
    assert r.exit_code == 2 and "--scope" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["simulate", "--demo", "--model", "topsis", "--recombine", "fixed", "--no-progress"])
    assert r.exit_code == 2 and "--recombine" in r.output


def test_report_methods_text_names_the_combined_model():
    from fastinno.report import methods_html

    def info(options):
        return {"steps": [{"step": "simulate", "status": "ok", "options": options}]}

    text = methods_html(info({"model": "combined", "draws": 10}))
    assert "combined evaluation is recomputed" in text and "rerun on the draw's own scores" in text
    text = methods_html(info({"model": "combined", "model_options": {"recombine": "fixed"}}))
    assert "base run's drift-degree method weights are kept" in text
    assert "ideal-solution model is recomputed" in methods_html(info({"draws": 10}))
