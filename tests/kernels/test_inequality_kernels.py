"""Inequality kernels: Gini, CV, Theil T / L, the Theil and Dagum decompositions, the bootstrap."""

from __future__ import annotations

import naive
import numba
import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastinno._random import block_seeds
from fastinno.kernels import inequality as ki

KEYS = ("cv", "gini", "theil_t", "theil_l", "theil_within", "theil_between", "dagum_within",
        "dagum_net", "dagum_trans")

#: Mexico, per-capita GDP 1940 of the 32 states and the Hanson (1998) regions, from the
#: ``mexico.csv`` example of libpysal (columns ``pcgdp1940``, ``hanson98``).
MEXICO_1940 = np.array([
    10384.0, 22361.0, 9573.0, 3758.0, 2934.0, 8578.0, 8537.0, 6909.0, 17816.0, 12132.0, 4359.0,
    2181.0, 4414.0, 5309.0, 3408.0, 3327.0, 6936.0, 4836.0, 9073.0, 1892.0, 3569.0, 11016.0,
    21965.0, 4372.0, 4840.0, 6399.0, 2459.0, 7508.0, 3605.0, 5203.0, 7990.0, 3734.0,
])
HANSON98 = np.array([2, 1, 2, 5, 5, 1, 1, 3, 4, 2, 3, 5, 3, 3, 4, 3, 3, 2, 1, 5, 3, 3, 5, 2, 2, 1, 5, 1,
                     3, 3, 5, 2])
#: inequality 1.1.2 (PySAL), inequality/gini.py ``Gini(y).g`` and inequality/theil.py
#: ``Theil(y).T``, ``TheilD(y, hanson98)`` (the bg / wg values are those of TheilD's docstring).
MEXICO_GINI = 0.3537237117345285
MEXICO_THEIL = 0.20894344230358594
MEXICO_THEIL_BETWEEN = 0.0345889
MEXICO_THEIL_WITHIN = 0.17435454


def blocks(codes):
    """Values' order by group and the group block starts (codes 0..k-1)."""
    codes = np.asarray(codes)
    perm = np.argsort(codes, kind="stable")
    k = codes.max() + 1
    return perm, np.searchsorted(codes[perm], np.arange(k + 1)).astype(np.int64)


def kernel_year(y, codes, w=None):
    y = np.asarray(y, dtype=float)
    codes = np.asarray(codes, dtype=np.int64)
    order = np.argsort(y, kind="stable")
    ww = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)[order]
    k = int(codes.max()) + 1
    out = np.empty(ki.N_MEASURES)
    gout = np.empty((k, ki.N_GROUP_STATS))
    pout = np.full((k, k, ki.N_PAIR_STATS), np.nan)
    ki.year_stats(y[order], ww, codes[order], k, out, gout, pout)
    return out, gout, pout


def test_gini_matches_definition_and_pysal():
    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 40):
        x = rng.lognormal(size=n)
        npt.assert_allclose(ki.gini(x), naive.gini(x), rtol=1e-12, atol=1e-15)
    npt.assert_allclose(ki.gini(MEXICO_1940), MEXICO_GINI, rtol=1e-12)
    assert np.isnan(ki.gini(np.zeros(3)))


def test_mexico_theil_decomposition_matches_pysal():
    out, _, _ = kernel_year(MEXICO_1940, HANSON98 - 1)
    npt.assert_allclose(out[ki.THEIL_T], MEXICO_THEIL, rtol=1e-12)
    npt.assert_allclose(out[ki.THEIL_BETWEEN], MEXICO_THEIL_BETWEEN, rtol=1e-6)
    npt.assert_allclose(out[ki.THEIL_WITHIN], MEXICO_THEIL_WITHIN, rtol=1e-6)
    npt.assert_allclose(out[ki.GINI], MEXICO_GINI, rtol=1e-12)


def test_mexico_matches_pysal_live():
    pytest.importorskip("inequality")
    from inequality.gini import Gini
    from inequality.theil import Theil, TheilD

    rng = np.random.default_rng(5)
    y = rng.lognormal(size=(40, 3))
    part = rng.integers(0, 4, 40)
    part[:4] = np.arange(4)
    td = TheilD(y, part)
    for t in range(3):
        out, _, _ = kernel_year(y[:, t], part)
        npt.assert_allclose(out[ki.THEIL_T], Theil(y[:, t]).T, rtol=1e-10)
        npt.assert_allclose(out[ki.THEIL_BETWEEN], np.ravel(td.bg)[t], rtol=1e-8)
        npt.assert_allclose(out[ki.THEIL_WITHIN], np.ravel(td.wg)[t], rtol=1e-8)
        npt.assert_allclose(out[ki.GINI], Gini(y[:, t]).g, rtol=1e-10)


@pytest.mark.parametrize("n,k", [(2, 1), (7, 3), (30, 5), (23, 8)])
def test_year_stats_matches_definitions(n, k):
    rng = np.random.default_rng(n * 10 + k)
    y = np.round(rng.lognormal(size=n), 1) + 0.05  # rounding makes ties
    codes = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
    out, gout, pout = kernel_year(y, codes)
    ref, groups, pairs = naive.year_stats(y, codes)
    npt.assert_allclose(out, [ref[key] for key in KEYS], rtol=1e-10, atol=1e-14)
    npt.assert_allclose(gout[:, ki.G_GINI], [g["gini"] for g in groups], rtol=1e-10, atol=1e-14)
    npt.assert_allclose(gout[:, ki.G_THEIL], [g["theil"] for g in groups], rtol=1e-10, atol=1e-14)
    npt.assert_allclose(gout[:, ki.G_SHARE], [g["share"] for g in groups], rtol=1e-12)
    for (a, b), ref_pair in pairs.items():
        got = pout[a, b]
        npt.assert_allclose(got[[ki.P_GINI, ki.P_GROSS, ki.P_TRANS, ki.P_D]],
                            [ref_pair["gini"], ref_pair["gross"], ref_pair["trans"], ref_pair["d"]],
                            rtol=1e-10, atol=1e-14)


def test_weights_are_multiplicities():
    rng = np.random.default_rng(3)
    y = rng.lognormal(size=12)
    codes = np.repeat([0, 1, 2], 4)
    w = rng.integers(0, 3, 12)
    w[[0, 4, 8]] = 1  # every group keeps a member
    out, gout, _ = kernel_year(y, codes, w)
    ref, groups, _ = naive.year_stats(np.repeat(y, w), np.repeat(codes, w))
    npt.assert_allclose(out, [ref[key] for key in KEYS], rtol=1e-10, atol=1e-14)
    npt.assert_allclose(gout[:, ki.G_N], [g["n"] for g in groups])


def test_dagum_two_groups_of_identical_members():
    # groups {1, 1} and {3, 3}: no within inequality, no overlap. G = 16 / (2 * 16 * 2) = 0.25,
    # G_12 = 8 / (2 * 2 * (1 + 3)) = 0.5, D_12 = 1, weight p1 s2 + p2 s1 = 0.5.
    out, gout, pout = kernel_year([1.0, 1.0, 3.0, 3.0], [0, 0, 1, 1])
    npt.assert_allclose(out[[ki.GINI, ki.DAGUM_WITHIN, ki.DAGUM_NET, ki.DAGUM_TRANS]], [0.25, 0.0, 0.25, 0.0])
    npt.assert_allclose(gout[:, ki.G_GINI], [0.0, 0.0])
    npt.assert_allclose(pout[0, 1, [ki.P_GINI, ki.P_GROSS, ki.P_TRANS, ki.P_D]], [0.5, 2.0, 0.0, 1.0])


def test_dagum_full_overlap_is_all_transvariation():
    # groups {1, 4} and {2, 3}, equal means 2.5: d = p = 0.75, D = 0; G_12 = 6 / (4 * 5) = 0.3,
    # G_11 = 6 / 20, G_22 = 2 / 20; G_w = 0.3 * 0.25 + 0.1 * 0.25 = 0.1, G_t = 0.3 * 0.5 = 0.15,
    # G = 20 / 80 = 0.25 (worked by hand from Dagum 1997 eqs.).
    out, gout, pout = kernel_year([1.0, 4.0, 2.0, 3.0], [0, 0, 1, 1])
    npt.assert_allclose(out[[ki.GINI, ki.DAGUM_WITHIN, ki.DAGUM_NET, ki.DAGUM_TRANS]], [0.25, 0.1, 0.0, 0.15])
    npt.assert_allclose(gout[:, ki.G_GINI], [0.3, 0.1])
    npt.assert_allclose(pout[0, 1, [ki.P_GINI, ki.P_GROSS, ki.P_TRANS, ki.P_D]], [0.3, 0.75, 0.75, 0.0])


def test_equal_values_give_zero_everywhere():
    out, gout, pout = kernel_year(np.full(6, 2.5), [0, 0, 1, 1, 2, 2])
    npt.assert_allclose(out, 0.0, atol=1e-15)
    npt.assert_allclose(pout[0, 1, ki.P_D], 0.0)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(0.01, 1e3), min_size=3, max_size=25),
    scale=st.floats(1e-3, 1e3),
    k=st.integers(1, 4),
)
def test_scale_invariance_and_decomposition_identities(values, scale, k):
    y = np.asarray(values)
    codes = np.arange(len(y)) % min(k, len(y))
    out, gout, _ = kernel_year(y, codes)
    scaled, _, _ = kernel_year(y * scale, codes)
    for c in (ki.CV, ki.GINI, ki.THEIL_T, ki.THEIL_L, ki.DAGUM_WITHIN):
        npt.assert_allclose(scaled[c], out[c], rtol=1e-9, atol=1e-12)
    # Dagum: G = G_w + G_nb + G_t; Theil: T = within + between
    npt.assert_allclose(out[ki.DAGUM_WITHIN] + out[ki.DAGUM_NET] + out[ki.DAGUM_TRANS], out[ki.GINI],
                        rtol=1e-10, atol=1e-13)
    npt.assert_allclose(out[ki.THEIL_WITHIN] + out[ki.THEIL_BETWEEN], out[ki.THEIL_T], rtol=1e-9, atol=1e-12)
    npt.assert_allclose(out[ki.GINI], naive.gini(y), rtol=1e-9, atol=1e-13)
    assert 0.0 <= out[ki.GINI] < 1.0


def test_inequality_panel_per_year():
    rng = np.random.default_rng(9)
    vals = rng.lognormal(size=(15, 4))
    codes = np.concatenate([np.arange(3), rng.integers(0, 3, 12)])
    stats, groups, pairs = ki.inequality_panel(np.ascontiguousarray(vals.T), codes.astype(np.int64), 3)
    for t, (ref, grp, _) in enumerate(naive.inequality_panel(vals, codes)):
        npt.assert_allclose(stats[t], [ref[key] for key in KEYS], rtol=1e-10, atol=1e-14)
        npt.assert_allclose(groups[t, :, ki.G_MEAN], [g["mean"] for g in grp], rtol=1e-12)
    assert np.isnan(pairs[0, 1, 0, 0])  # only j < h is filled


def test_sorted_orders_sort_each_year():
    rng = np.random.default_rng(6)
    vt = np.round(rng.random((4, 30)), 1)  # ties: compare the sorted values, not the positions
    order = ki.sorted_orders(vt)
    ref = naive.sorted_orders(vt)
    npt.assert_array_equal(np.take_along_axis(vt, order, 1), np.take_along_axis(vt, ref, 1))
    npt.assert_array_equal(np.sort(order, axis=1), np.tile(np.arange(30), (4, 1)))


def test_resample_counts_are_stratified_draws():
    gstart = np.array([0, 3, 8, 9], dtype=np.int64)
    counts = ki.resample_counts(block_seeds(1, 0, 200), gstart)
    # every replicate is some stratified draw: n_j draws inside each block j
    for c in counts:
        draws = np.repeat(np.arange(9), c.astype(int))
        npt.assert_array_equal(naive.resample_counts(gstart, [draws])[0], c)
        npt.assert_array_equal([np.sum((draws >= a) & (draws < b)) for a, b in zip(gstart[:-1], gstart[1:])],
                               [3, 5, 1])
    # each region of a block is drawn with probability 1 / n_j per draw: mean multiplicity 1
    npt.assert_allclose(counts.mean(axis=0), 1.0, atol=0.25)
    npt.assert_array_equal(counts[:, 8], 1.0)


def test_bootstrap_matches_resamples_and_keeps_group_sizes():
    rng = np.random.default_rng(2)
    vals = rng.lognormal(size=(14, 3))
    codes = np.repeat([0, 1, 2], [5, 6, 3])
    perm, gstart = blocks(codes)
    vt = np.ascontiguousarray(vals[perm].T)
    seeds = block_seeds(7, 0, 6)
    reps = ki.bootstrap_inequality(vt, ki.sorted_orders(vt), codes[perm].astype(np.int64), gstart, seeds)
    counts = ki.resample_counts(seeds, gstart)
    npt.assert_array_equal(np.add.reduceat(counts, gstart[:-1], axis=1), np.tile([5, 6, 3], (6, 1)))
    assert len({tuple(c) for c in counts}) == 6  # replicates differ
    npt.assert_allclose(reps, naive.bootstrap_inequality(vals[perm], codes[perm], counts), rtol=1e-10, atol=1e-14)


def test_bootstrap_independent_of_threads_and_replicate_count():
    rng = np.random.default_rng(4)
    vals = rng.lognormal(size=(30, 2))
    codes = np.repeat([0, 1], 15)
    perm, gstart = blocks(codes)
    vt = np.ascontiguousarray(vals[perm].T)
    order = ki.sorted_orders(vt)
    cp = codes[perm].astype(np.int64)
    full = ki.bootstrap_inequality(vt, order, cp, gstart, block_seeds(3, 0, 8))
    head = ki.bootstrap_inequality(vt, order, cp, gstart, block_seeds(3, 0, 5))
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single = ki.bootstrap_inequality(vt, order, cp, gstart, block_seeds(3, 0, 8))
    finally:
        numba.set_num_threads(old)
    npt.assert_array_equal(full, single)
    npt.assert_array_equal(full[:5], head)
