"""Monte Carlo models of the nonlinear compromise methods (VIKOR, EDAS, CODAS, MARCOS, CoCoSo):
their batched draws hooks against the method called draw by draw and against the naive loops,
determinism of ``simulate`` over chunk sizes and thread counts, and the base run against
``fastinno.evaluate``."""

from __future__ import annotations

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
from fastinno.errors import DegenerateDataError
from fastinno.kernels import compromise_draws as kd
from fastinno.methods import registry
from fastinno.methods.compromise_draws import HOOKS
from fastinno.panel import IndicatorSystem, Panel

SYSTEM = {"input": {"x1": "+", "x2": "-", "x3": "+"}, "output": {"x4": "+", "sub": {"x5": "+", "x6": "-"}}}
IS_COST = np.array([False, True, False, False, False, True])
#: (method, normalize) pairs: each method's default and its other normalizations
CASES = [("vikor", None), ("edas", None), ("codas", None), ("codas", "minmax"), ("codas", "vector"),
         ("marcos", None), ("cocoso", None), ("cocoso", "max_ratio")]


def _cube(n_cells, n, m, seed, ties=True):
    rng = np.random.default_rng(seed)
    x3 = rng.lognormal(0.0, 0.5, (n_cells, n, m))
    if ties:
        x3[:, 3] = x3[:, 1]  # two identical alternatives
        x3[:, 4, 0] = x3[:, 2, 0]  # a tie on one indicator
        x3[:, :, 2] = np.round(x3[:, :, 2], 1)  # many ties in a column
    return x3


def _scaled(got, want, tol=1e-12):
    """Equal to ``tol`` relative to the largest magnitude of the row block."""
    npt.assert_allclose(got, want, rtol=0, atol=tol * max(1.0, np.abs(want).max()))


@pytest.mark.parametrize("name,normalize", CASES)
def test_draws_scores_equal_cells_draw_by_draw(name, normalize):
    spec = registry.method(name)
    assert spec.draws_scores is HOOKS[name]["draws_scores"]
    x3 = _cube(3, 25, 6, seed=1)
    rng = np.random.default_rng(2)
    w = rng.dirichlet(np.ones(6), 45)
    w[0] = [0.5, 0.5, 0, 0, 0, 0]  # zero weights (CoCoSo's 0 ** 0 = 1)
    options = dict(spec.options)
    state = spec.draws_state(x3, IS_COST, normalize, options)
    for cell in range(3):
        out = np.empty((45, 25))
        spec.draws_scores(state, cell, w, out)
        want = np.stack([spec.cells(x3[cell:cell + 1], w[d], IS_COST, normalize, options)[0] for d in range(45)])
        _scaled(out, want)
        # the identical alternatives 1 and 3 score the same for every draw
        npt.assert_array_equal(out[:, 1], out[:, 3])
        # a row's result does not depend on the rows beside it (blocks of BLOCK rows)
        for rows in ([7], [40, 3, 44], list(range(kd.BLOCK + 5))):
            part = np.empty((len(rows), 25))
            spec.draws_scores(state, cell, w[rows], part)
            npt.assert_array_equal(part, out[rows])


def test_draws_kernels_equal_naive_loops():
    rng = np.random.default_rng(5)
    n, m = 9, 4
    w = rng.dirichlet(np.ones(m), kd.BLOCK + 3)
    d = rng.uniform(0, 1, (n, m))
    out = np.empty((w.shape[0], n))
    kd.vikor_draws(d, w, 0.3, kd.Q_ZERO, out)
    _scaled(out, naive.vikor_draws(d, w, 0.3))
    pda, nda = np.maximum(d - 0.5, 0), np.maximum(0.5 - d, 0)
    kd.edas_draws(pda, nda, w, out)
    _scaled(out, naive.edas_draws(pda, nda, w))
    kd.codas_draws(d, d * d, w, 0.05, out)
    _scaled(out, naive.codas_draws(d, d * d, w, 0.05))
    anti = d.min(axis=0) / d.max(axis=0)
    nm = d / d.max(axis=0)
    kd.marcos_draws(nm, anti, w, out)
    _scaled(out, naive.marcos_draws(nm, anti, w))
    r = d.copy()
    r[0, 0] = r[4, 2] = 0.0  # 0 ** w = 0, and 0 ** 0 = 1 in row 1
    with np.errstate(divide="ignore"):
        log_r = np.log(r)
    w[1] = [0, 0.5, 0.5, 0]
    kd.cocoso_draws(r, log_r, w, 0.4, out)
    _scaled(out, naive.cocoso_draws(r, log_r, w, 0.4))
    e, t = rng.uniform(0, 0.2, n), rng.uniform(0, 1, n)
    e[3] = e[5]
    h = np.empty(n)
    kd.codas_row(e, t, 0.02, h)
    _scaled(h, naive.codas_row(e, t, 0.02))


def test_vikor_constant_q_modes_in_draws():
    x3 = _cube(1, 6, 3, seed=3, ties=False)
    spec = registry.method("vikor")
    w = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])
    x3[0, :, 0] = np.arange(6.0)  # one weighted indicator: S and R rank alike, but not constant
    x3[0, :, 1:] = x3[0, ::-1, 1:]
    for mode in ("zero", "nan"):
        options = {"v": 0.5, "constant_q": mode}
        state = spec.draws_state(x3, None, None, options)
        out = np.empty((2, 6))
        spec.draws_scores(state, 0, w, out)
        want = np.stack([spec.cells(x3, row, None, None, options)[0] for row in w])
        _scaled(np.nan_to_num(out), np.nan_to_num(want))
    x3[0, :, 1:] = 1.0  # constant indicators: every draw's S and R are those of indicator 0
    x3[0, :, 0] = [1, 1, 1, 1, 1, 2]
    state = spec.draws_state(x3, None, None, {"v": 0.5, "constant_q": "error"})
    out = np.empty((1, 6))
    spec.draws_scores(state, 0, np.array([[0.2, 0.3, 0.5]]), out)  # S and R vary: fine
    npt.assert_allclose(out[0], [1.0, 1, 1, 1, 1, 0])  # alternative 5 is best on indicator 0
    with pytest.raises(DegenerateDataError, match="S or R is the same"):
        spec.draws_scores(state, 0, np.array([[0.0, 0.5, 0.5]]), out)


def test_marcos_and_cocoso_degenerate_draws_raise():
    x3 = np.array([[[0.0, 2.0], [1.0, 3.0], [2.0, 1.0]]])
    spec = registry.method("cocoso")
    state = spec.draws_state(x3, None, None, {"lam": 0.5})
    out = np.empty((1, 3))
    with pytest.raises(DegenerateDataError, match="min S"):
        spec.draws_scores(state, 0, np.array([[1.0, 0.0]]), out)  # alternative 0 is the worst
    spec = registry.method("marcos")
    state = spec.draws_state(x3, None, None, {})
    with pytest.raises(DegenerateDataError, match="MARCOS"):
        spec.draws_scores(state, 0, np.array([[1.0, 0.0]]), out)  # alternative 0 sums to 0


def _panel(n_regions=14, n_years=2, seed=0):
    rng = np.random.default_rng(seed)
    sysm = IndicatorSystem.from_dict(SYSTEM)
    return Panel.from_array(rng.lognormal(0.0, 0.5, (n_regions, n_years, sysm.n_indicators)), sysm)


@pytest.mark.parametrize("name", list(HOOKS))
def test_simulate_identical_for_chunk_sizes_and_threads(name):
    panel = _panel()
    kw = dict(model=name, draws=150, seed=9, progress=False, pairs=[("R1", "R2")])
    ref = fastinno.simulate(panel, chunk_size=64, **kw)
    others = [fastinno.simulate(panel, chunk_size=cs, **kw) for cs in (1, 100)]
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        others.append(fastinno.simulate(panel, chunk_size=128, **kw))
    finally:
        numba.set_num_threads(old)
    for other in others:
        for frame in ("summary", "agreement", "outranks"):
            assert_frame_equal(getattr(ref, frame), getattr(other, frame), check_exact=True)
    # the draws moved the ranks
    assert (ref.summary["rank_p95"] > ref.summary["rank_p05"]).any()


@pytest.mark.parametrize("name", list(HOOKS))
def test_simulate_base_ranks_are_evaluate_ranks(name):
    panel = _panel(seed=4)
    res = fastinno.simulate(panel, model=name, draws=32, seed=1, progress=False)
    ev = fastinno.evaluate(panel, method=name, weights=panel.system.base_weights(), normalize=None)
    got = res.summary.select("region", "year", "base_rank").sort("region", "year")
    want = ev.scores.select("region", "year", "rank").sort("region", "year")
    npt.assert_array_equal(got["base_rank"].to_numpy(), want["rank"].to_numpy())
    assert got.height == panel.n_regions * panel.n_years and got["region"].to_list() == want["region"].to_list()


def test_simulate_uses_the_draws_hook():
    """The model's index for a block of weights is the draws hook's output (sign-turned for VIKOR)."""
    from fastinno.robustness import models as rmodels

    panel = _panel()
    mdl, base = rmodels.prepare_model(panel, "vikor", None)
    state = mdl.custom.state
    assert state is not None and state.method == "vikor"
    w = np.random.default_rng(0).dirichlet(np.ones(6), 5)
    got = mdl.custom.index(w, 1)
    x3 = np.ascontiguousarray(panel.cube.transpose(1, 0, 2))
    want = np.stack([registry.method("vikor").cells(x3[1:2], row, panel.is_cost, None, {"v": 0.5})[0] for row in w])
    _scaled(got, -want)
    assert pl.__version__  # polars is the frame library of the results


def test_exp_nonpositive_within_two_ulps_of_numpy():
    rng = np.random.default_rng(8)
    z = np.concatenate([-rng.exponential(1.0, 5000), -rng.uniform(0, 708, 5000),
                        [0.0, -0.0, -1e-300, -708.0, -707.99, -708.01, -745.0, -np.inf, np.nan]])
    got, t, sc = np.empty_like(z), np.empty_like(z), np.empty_like(z)
    kd.exp_nonpositive(z, z.size, got, t, sc, kd.exp2_fractions())
    npt.assert_allclose(got, naive.exp_nonpositive(z), rtol=4.5e-16, atol=0)
    npt.assert_allclose(kd.exp2_fractions(), naive.exp2_fractions(), rtol=2.3e-16)
    assert got[-1] == 1.0 and got[-2] == 0.0 and got[-4] == 0.0  # NaN (0 * -inf) -> 1; -inf, -745 -> 0


@pytest.mark.parametrize("kind", ["spread", "ties", "crowded", "constant", "two"])
def test_argsort_bucketed_is_the_stable_argsort(kind):
    rng = np.random.default_rng(11)
    e = {"spread": rng.uniform(0, 1, 500), "ties": np.round(rng.uniform(0, 1, 500), 2),
         "crowded": np.concatenate([rng.uniform(0, 1e-9, 400), [5.0, -3.0]]),
         "constant": np.full(7, 0.25), "two": np.array([1.0, 0.5])}[kind]
    npt.assert_array_equal(kd.argsort_bucketed(e), naive.argsort_bucketed(e))
    npt.assert_array_equal(kd.argsort_bucketed(e), np.argsort(e, kind="stable"))


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(list(HOOKS)), n=st.integers(2, 7), m=st.integers(1, 4), n_draws=st.integers(1, 5),
       seed=st.integers(0, 2**31 - 1), levels=st.integers(2, 6))
def test_draws_scores_equal_cells_on_coarse_data(name, n, m, n_draws, seed, levels):
    """Property: on data with many ties (values from a few levels) and weights with zeros, the
    hook gives the per-draw preferences, or raises where the method raises."""
    rng = np.random.default_rng(seed)
    x3 = rng.integers(1, levels + 1, (1, n, m)).astype(float)
    w = rng.dirichlet(np.ones(m), n_draws) * (rng.uniform(size=(n_draws, m)) < 0.8)
    w[w.sum(axis=1) == 0, 0] = 1.0
    w /= w.sum(axis=1, keepdims=True)
    is_cost = rng.uniform(size=m) < 0.4
    spec = registry.method(name)
    options = dict(spec.options)
    state = spec.draws_state(x3, is_cost, None, options)
    for d in range(n_draws):
        out = np.empty((1, n))
        try:
            want = spec.cells(x3, w[d], is_cost, None, options)[0]
        except DegenerateDataError:
            with pytest.raises(DegenerateDataError):
                spec.draws_scores(state, 0, w[d:d + 1], out)
            continue
        spec.draws_scores(state, 0, w[d:d + 1], out)
        if name == "codas":  # psi(E_i - E_k) is a step at tau: compare away from it
            e = np.sqrt(((w[d] * (state.first[0])) ** 2).sum(axis=1))
            if (np.abs(np.abs(e[:, None] - e[None, :]) - options["tau"]) < 1e-9).any():
                continue
        if name == "vikor":  # a spread of S or R within rounding of 0 is a 0 / 0 step: compare away from it
            t = w[d] * state.first[0]
            if any(0 < np.ptp(v) < 1e-9 for v in (t.sum(axis=1), t.max(axis=1))):
                continue
        _scaled(out[0], want, tol=1e-11)
