"""Compromise and outranking kernels against the plain loops of ``tests/naive.py``, cell by cell."""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import pytest

from fastinno.kernels import compromise as kc
from fastinno.kernels import normalize as kn
from fastinno.kernels import outranking as ko
from fastinno.kernels import twins

SHAPES = [(1, 2, 1), (1, 7, 3), (3, 9, 4), (2, 40, 6)]


def _cube(shape, seed, ties=False, low=1.0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, 10.0, shape)
    if ties:
        x = np.round(x)  # integer values: ties and threshold boundaries hit exactly
    return np.ascontiguousarray(x)


def _weights(n_cells, m, seed, per_cell):
    rng = np.random.default_rng(seed)
    w = rng.random((n_cells if per_cell else 1, m)) + 0.05
    return np.ascontiguousarray(w / w.sum(axis=1, keepdims=True))


def _cost(m):
    return np.arange(m) % 3 == 1


def _stats(x3, want_sums=True):
    *stats, bad = kc.column_stats(x3, want_sums)
    assert bad == 0
    return stats


@pytest.mark.parametrize("shape", [*SHAPES, (1, 300, 5)])
def test_column_stats(shape):
    x3 = _cube(shape, 0)
    mn, mx, s1, s2 = _stats(x3)
    npt.assert_array_equal(mn, x3.min(axis=1))
    npt.assert_array_equal(mx, x3.max(axis=1))
    npt.assert_allclose(s1, x3.sum(axis=1), rtol=1e-13)
    npt.assert_allclose(s2, (x3 * x3).sum(axis=1), rtol=1e-13)
    bad = x3.copy()
    bad[-1, 0, 0] = np.nan
    assert kc.column_stats(bad, False)[-1] == 1


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("per_cell", [False, True])
def test_vikor(shape, ties, per_cell):
    x3 = _cube(shape, 1, ties)
    w2 = _weights(shape[0], shape[2], 2, per_cell)
    cost = _cost(shape[2])
    mn, mx, _, _ = _stats(x3)
    s, r = kc.vikor_sr(x3, w2, cost, mn, mx)
    for mode in (kc.Q_ZERO, kc.Q_NAN):
        q = kc.vikor_q(s, r, 0.3, mode)
        for c in range(shape[0]):
            w = w2[c if per_cell else 0]
            s_ref, r_ref = naive.vikor_sr(x3[c], w, cost)
            npt.assert_allclose(s[c], s_ref, rtol=1e-12, atol=1e-15)
            npt.assert_allclose(r[c], r_ref, rtol=1e-12, atol=1e-15)
            npt.assert_allclose(q[c], naive.vikor_q(s[c], r[c], 0.3, mode == kc.Q_NAN), rtol=1e-12, atol=1e-15)


def test_vikor_constant_s_and_r():
    x3 = np.ones((1, 4, 3))  # all alternatives equal
    w2 = np.full((1, 3), 1 / 3)
    cost = np.zeros(3, dtype=np.bool_)
    s, r = kc.vikor_sr(x3, w2, cost, *_stats(x3)[:2])
    npt.assert_array_equal(s, 0.0)
    npt.assert_array_equal(kc.vikor_q(s, r, 0.5, kc.Q_ZERO), 0.0)
    assert np.isnan(kc.vikor_q(s, r, 0.5, kc.Q_NAN)).all()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("per_cell", [False, True])
def test_edas(shape, per_cell):
    x3 = _cube(shape, 3)
    x3[..., 0] = 2.0  # a constant indicator adds 0
    w2 = _weights(shape[0], shape[2], 4, per_cell)
    cost = _cost(shape[2])
    mn, mx, s1, _ = _stats(x3)
    sp, sn = kc.edas_sums(x3, w2, cost, s1 / shape[1], mn, mx)
    score = kc.edas_score(sp, sn)
    for c in range(shape[0]):
        sp_ref, sn_ref = naive.edas_sums(x3[c], w2[c if per_cell else 0], cost)
        npt.assert_allclose(sp[c], sp_ref, rtol=1e-12, atol=1e-15)
        npt.assert_allclose(sn[c], sn_ref, rtol=1e-12, atol=1e-15)
        npt.assert_allclose(score[c], naive.edas_score(sp_ref, sn_ref), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", [kn.MAX_RATIO, kn.MINMAX, kn.VECTOR])
@pytest.mark.parametrize("ties", [False, True])
def test_codas(shape, method, ties):
    x3 = _cube(shape, 5, ties)
    w2 = _weights(shape[0], shape[2], 6, True)
    cost = _cost(shape[2])
    e, t = kc.codas_distances(x3, w2, cost, method, *_stats(x3))
    for tau in (0.02, 0.2, 1e-9):
        h = kc.codas_score(e, t, tau)
        for c in range(shape[0]):
            e_ref, t_ref = naive.codas_distances(x3[c], w2[c], cost, {kn.MAX_RATIO: 0, kn.MINMAX: 1, kn.VECTOR: 2}[method])
            npt.assert_allclose(e[c], e_ref, rtol=1e-12, atol=1e-15)
            npt.assert_allclose(t[c], t_ref, rtol=1e-12, atol=1e-15)
            npt.assert_allclose(h[c], naive.codas_score(e[c], t[c], tau), rtol=1e-10, atol=1e-12)


def test_codas_score_threshold_is_exact():
    # |E_i - E_k| exactly at tau counts (psi = 1 for |x| >= tau), just below does not.
    e = np.array([[0.0, 0.25, 0.5, 0.5, 0.75 - 2.0**-40]])
    t = np.array([[1.0, 2.0, 4.0, 8.0, 16.0]])
    npt.assert_allclose(kc.codas_score(e, t, 0.25)[0], naive.codas_score(e[0], t[0], 0.25), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("bounds", [False, True])
def test_spotis(shape, bounds):
    x3 = _cube(shape, 7)
    w2 = _weights(shape[0], shape[2], 8, True)
    cost = _cost(shape[2])
    mn, mx, _, _ = _stats(x3)
    if bounds:
        lo = np.ascontiguousarray(np.broadcast_to(np.zeros(shape[2]), mn.shape))
        hi = np.ascontiguousarray(np.broadcast_to(np.full(shape[2], 12.0), mn.shape))
    else:
        lo, hi = mn, mx
    d = kc.spotis_distance(x3, w2, cost, lo, hi)
    for c in range(shape[0]):
        b = np.stack([lo[c], hi[c]], axis=1) if bounds else None
        npt.assert_allclose(d[c], naive.spotis_distance(x3[c], w2[c], cost, b), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("shape", SHAPES)
def test_marcos(shape):
    x3 = _cube(shape, 9)
    x3[..., -1] = 3.0  # constant indicator: normalizes to 1
    w2 = _weights(shape[0], shape[2], 10, True)
    cost = _cost(shape[2])
    mn, mx, _, _ = _stats(x3)
    f, kp, kn_ = kc.marcos_utility(x3, w2, cost, mn, mx)
    for c in range(shape[0]):
        npt.assert_allclose(f[c], naive.marcos_utility(x3[c], w2[c], cost), rtol=1e-12)


@pytest.mark.parametrize("shape", SHAPES[1:])
@pytest.mark.parametrize("minmax", [True, False])
def test_cocoso(shape, minmax):
    x3 = _cube(shape, 11)
    for c in range(shape[0]):  # nobody at the worst of every indicator
        x3[c, 0] = np.where(_cost(shape[2]), x3[c].min(axis=0), x3[c].max(axis=0))
    w2 = _weights(shape[0], shape[2], 12, True)
    cost = _cost(shape[2])
    mn, mx, _, _ = _stats(x3)
    code = kc.COCOSO_MINMAX if minmax else kc.COCOSO_MAX_RATIO
    s, p = kc.cocoso_sums(x3, w2, cost, code, mn, mx)
    k, _, _, _ = kc.cocoso_score(s, p, 0.4)
    for c in range(shape[0]):
        s_ref, p_ref = naive.cocoso_sums(x3[c], w2[c], cost, minmax)
        npt.assert_allclose(s[c], s_ref, rtol=1e-12, atol=1e-15)
        npt.assert_allclose(p[c], p_ref, rtol=1e-12, atol=1e-15)
        if s_ref.min() > 0:
            npt.assert_allclose(k[c], naive.cocoso_score(s_ref, p_ref, 0.4), rtol=1e-12)


PREFS = {
    ko.USUAL: "usual",
    ko.U_SHAPE: "u_shape",
    ko.V_SHAPE: "v_shape",
    ko.LEVEL: "level",
    ko.LINEAR: "linear",
    ko.GAUSSIAN: "gaussian",
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("pref", list(PREFS))
@pytest.mark.parametrize("ties", [False, True])
def test_promethee_flows(shape, pref, ties):
    x3 = _cube(shape, 13, ties)
    m = shape[2]
    cost = _cost(m)
    q = np.arange(m) % 3 + 1.0  # integers: with integer data, d == q and d == p occur
    p = q + 2.0
    s = np.full(m, 1.5)
    pos, neg = ko.column_flows(x3, cost, pref, q, p, s)
    w2 = _weights(shape[0], m, 14, True)
    plus, minus, net = ko.weighted_flows(pos, neg, w2)
    for c in range(shape[0]):
        pos_ref, neg_ref = naive.column_flows(x3[c], cost, PREFS[pref], q, p, s)
        npt.assert_allclose(pos[c], pos_ref, rtol=1e-12, atol=1e-12)
        npt.assert_allclose(neg[c], neg_ref, rtol=1e-12, atol=1e-12)
        ref = naive.weighted_flows(pos_ref, neg_ref, w2[c])
        for got, want in zip((plus[c], minus[c], net[c]), ref):
            npt.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_gaussian_saturation_is_exact():
    # pairs far apart (d^2 / (2 s^2) > 40) are counted as exactly 1, as the formula rounds
    x3 = np.array([[[0.0], [0.1], [9.0], [9.05], [30.0]]])
    s = np.array([1.0])
    pos, neg = ko.column_flows(x3, np.zeros(1, dtype=np.bool_), ko.GAUSSIAN, s, s, s)
    pos_ref, neg_ref = naive.column_flows(x3[0], [False], "gaussian", s=s)
    npt.assert_allclose(pos[0], pos_ref, rtol=1e-14)
    npt.assert_allclose(neg[0], neg_ref, rtol=1e-14)


@pytest.mark.parametrize("n", [1, 2, 17, 5000])
def test_argsort_radix_is_a_stable_sort(n):
    rng = np.random.default_rng(n)
    y = np.round(rng.normal(0, 3, n), 1)  # ties, negatives, zeros
    if n > 2:
        y[:3] = [-0.0, 0.0, -1e-300]
    got = ko.argsort_radix(y)
    npt.assert_array_equal(got, np.argsort(np.where(y == 0, 0.0, y), kind="stable"))


@pytest.mark.parametrize("shape", [(1, 1, 3), (7, 5), (1093, 30), (5000, 7)])
def test_matrix_stats_against_naive(shape):
    x = _cube((1, *shape[-2:]), 21)[0]
    mn, mx, s1, s2, bad = kn.matrix_stats(x, True)
    want = naive.matrix_stats(x)
    npt.assert_array_equal(mn, want[0])
    npt.assert_array_equal(mx, want[1])
    npt.assert_allclose(s1, want[2], rtol=1e-14)
    npt.assert_allclose(s2, want[3], rtol=1e-14)
    assert bad == 0
    assert not kn.matrix_stats(x, False)[2].any()
    x[-1, 0] = np.inf
    x[0, -1] = np.nan
    assert kn.matrix_stats(x, False)[-1] == naive.matrix_stats(x)[-1] == (2 if x.size > 1 else 1)


def test_log_nonnegative_within_one_ulp():
    rng = np.random.default_rng(9)
    x = np.concatenate([rng.uniform(0, 1, 4000), np.exp(rng.uniform(-740, 709, 4000)), rng.uniform(0.7, 1.42, 4000),
                        [0.0, 5e-324, 1e-310, 2.2250738585072014e-308, 1.0, np.nextafter(1.0, 2.0),
                         np.nextafter(1.0, 0.0), 1.7976931348623157e308, np.sqrt(0.5), np.sqrt(2.0)]])
    got = np.empty_like(x)
    kc.log_nonnegative(x, x.size, got)
    want = naive.log_nonnegative(x)
    assert got[x == 0.0][0] == -np.inf and got[x == 1.0][0] == 0.0
    fin = x > 0
    npt.assert_array_less(np.abs(got[fin] - want[fin]), 1.01 * np.spacing(np.abs(want[fin])) + 1e-300)


@pytest.mark.parametrize("n", [1, 3, 4, 5, 9])
def test_four_row_kernels_give_each_row_the_same_bits_wherever_it_sits(n):
    # the kernels that take four rows at a time sum every row in indicator order: a row's value
    # must not depend on whether the four-row body or the remainder loop computed it
    from fastinno.kernels import additive as ka

    m = 7
    base = _cube((1, n, m), 11)
    more = np.ascontiguousarray(np.concatenate([base, _cube((1, 6, m), 12)], axis=1))
    w2 = _weights(1, m, 3, False)
    cost = _cost(m)
    lo = np.minimum(base.min(axis=1), more.min(axis=1))
    hi = np.maximum(base.max(axis=1), more.max(axis=1))
    g = np.where(cost, kn.G_RECIPROCAL, kn.G_IDENTITY).astype(np.int64)
    ca = np.ascontiguousarray(np.stack([w2, w2 * 2.0], axis=1))
    cb = np.array([[0.25, -1.5]])
    for kernel, args in [
        (kc.spotis_distance, (w2, cost, lo, hi)),
        (kc.vikor_sr, (w2, cost, lo, hi)),
        (kc.marcos_utility, (w2, cost, lo, hi)),
        (ka.linear_scores, (ca, cb, g)),
    ]:
        for mode in ("serial", "parallel"):
            with twins.forced(mode):
                a, b = kernel(base, *args), kernel(more, *args)
            a, b = (a,) if isinstance(a, np.ndarray) else a, (b,) if isinstance(b, np.ndarray) else b
            for u, v in zip(a, b):
                assert np.array_equal(u[..., :n], v[..., :n]), (kernel, mode)
