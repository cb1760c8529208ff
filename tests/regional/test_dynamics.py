"""Kernel densities per year and (spatial) Markov chains of score classes."""

from __future__ import annotations

import warnings

import naive
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from square_grid import square_grid

import fastinno as fi
from fastinno.errors import DegenerateDataError, FastinnoWarning, InputError
from fastinno.regional import dynamics

X = np.array([3.1, 4.0, 2.2, 5.5, 6.1, 1.0, 0.4, 2.8, 3.3, 7.7, 4.4, 2.0, 1.5, 6.6, 5.0, 3.9, 2.7, 8.1, 0.9, 4.8])
AT = [0.0, 2.5, 5.0, 9.0]
#: scipy 1.17.1, scipy.stats.gaussian_kde(X, bw_method=...)(AT)
KDE_SILVERMAN = [0.05951291248366145, 0.14541020846972855, 0.1232368268553466, 0.026097061269111023]
KDE_SCOTT = [0.05871170818238619, 0.14728946028022427, 0.1238287002559032, 0.02549765884124195]
SILVERMAN_H = 1.29699095  # sqrt(kde.covariance), bw_method="silverman"

#: Six regions x four years; giddy 2.3.8 Markov(mapclassify.Quantiles(Y.ravel(), k=3).yb):
Y = np.array([[1.0, 2.0, 3.0, 2.5], [4.0, 3.5, 5.0, 6.0], [2.0, 1.0, 1.5, 3.0], [5.0, 6.0, 4.0, 4.5],
              [3.0, 4.0, 2.0, 1.0], [6.0, 5.0, 6.5, 7.0]])
GIDDY_CUTS = [2.83333333, 4.66666667, 7.0]
GIDDY_T = [[4, 2, 0], [2, 3, 1], [0, 1, 5]]
GIDDY_P = [[2 / 3, 1 / 3, 0.0], [1 / 3, 0.5, 1 / 6], [0.0, 1 / 6, 5 / 6]]
GIDDY_STEADY = [1 / 3, 1 / 3, 1 / 3]
GIDDY_MFPT = [[3.0, 3.0, 15.0], [6.0, 3.0, 12.0], [12.0, 6.0, 3.0]]


def _scores(values, regions=None):
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    regions = regions or [f"r{i:02d}" for i in range(values.shape[0])]
    years = np.arange(2001, 2001 + values.shape[1])
    return pl.DataFrame({"region": np.repeat(regions, len(years)), "year": np.tile(years, len(regions)),
                         "index": values.ravel()})


def _at(frame, year, points):
    """Evaluate the density at ``points`` by an exact second call on a grid hitting them."""
    sub = frame.filter(pl.col("year") == year)
    return np.interp(points, sub["x"].to_numpy(), sub["density"].to_numpy())


def test_density_matches_scipy_literals_and_definition():
    for rule, want in (("silverman", KDE_SILVERMAN), ("scott", KDE_SCOTT)):
        h = dynamics.bandwidths(X[:, None], rule)[0]
        if rule == "silverman":
            npt.assert_allclose(h, SILVERMAN_H, rtol=1e-8)
        npt.assert_allclose(naive.gaussian_kde(AT, list(X), h), want, rtol=1e-12)
    d = fi.density(_scores(X), bandwidth="silverman", grid=7)
    assert d.columns == ["year", "x", "density"] and d.height == 7
    x = d["x"].to_numpy()
    npt.assert_allclose([x[0], x[-1]], [X.min() - 3 * SILVERMAN_H, X.max() + 3 * SILVERMAN_H], rtol=1e-8)
    npt.assert_allclose(d["density"].to_numpy(), naive.gaussian_kde(x, list(X), SILVERMAN_H), rtol=1e-7)


def test_density_against_scipy_live():
    ss = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(0)
    vals = rng.gamma(2.0, size=(40, 3))
    for rule in ("silverman", "scott"):
        d = fi.density(_scores(vals), bandwidth=rule, grid=50)
        for t in range(3):
            sub = d.filter(pl.col("year") == 2001 + t)
            kde = ss.gaussian_kde(vals[:, t], bw_method=rule)
            npt.assert_allclose(sub["density"].to_numpy(), kde(sub["x"].to_numpy()), rtol=1e-10, atol=1e-15)
    d = fi.density(_scores(vals), bandwidth=0.4, grid=30)
    sub = d.filter(pl.col("year") == 2002)
    npt.assert_allclose(sub["density"].to_numpy(), naive.gaussian_kde(sub["x"].to_list(), list(vals[:, 1]), 0.4),
                        rtol=1e-12)
    # integrates to about 1 on the padded grid
    x = sub["x"].to_numpy()
    assert abs(np.trapezoid(sub["density"].to_numpy(), x) - 1) < 1e-3


def test_density_errors():
    with pytest.raises(DegenerateDataError, match="constant in year"):
        fi.density(_scores(np.column_stack([X, np.ones(20)])))
    for bad in (0, -1.0, float("nan"), "wide", True):
        with pytest.raises(InputError, match="bandwidth"):
            fi.density(_scores(X), bandwidth=bad)
    with pytest.raises(InputError, match="grid"):
        fi.density(_scores(X), grid=1)


def test_markov_matches_giddy_literals():
    res = fi.markov(_scores(Y), classes=3)
    npt.assert_allclose(res.cuts["upper"].to_numpy(), GIDDY_CUTS, rtol=1e-8)
    t = res.transitions
    assert t.columns == ["from_class", "to_class", "count", "probability"]
    npt.assert_array_equal(t["count"].to_numpy().reshape(3, 3), GIDDY_T)
    npt.assert_allclose(res.matrix(), GIDDY_P, rtol=1e-12)
    npt.assert_allclose(res.ergodic["probability"].to_numpy(), GIDDY_STEADY, rtol=1e-10)
    npt.assert_allclose(res.first_passage["years"].to_numpy().reshape(3, 3), GIDDY_MFPT, rtol=1e-10)
    ids = dynamics.classify(Y, np.array(GIDDY_CUTS))
    npt.assert_array_equal(naive.transition_counts(ids, 3), GIDDY_T)
    assert "Markov, 3 classes" in repr(res)


def test_class_bounds_include_the_upper_cut():
    cuts = np.array([1.0, 2.0, 3.0])
    npt.assert_array_equal(dynamics.classify(np.array([0.5, 1.0, 1.0000001, 2.0, 3.0]), cuts), [0, 0, 1, 1, 2])


@pytest.mark.parametrize("cuts, fixed", [("pooled", True), ("year", False)])
def test_markov_and_spatial_markov_against_giddy_live(cuts, fixed):
    giddy = pytest.importorskip("giddy")
    libpysal = pytest.importorskip("libpysal")
    mc = pytest.importorskip("mapclassify")
    nb = fi.neighbours(square_grid(8, 6))
    rng = np.random.default_rng(1)
    vals = np.cumsum(rng.normal(size=(48, 9)), axis=1) + np.arange(48)[:, None] * 0.05
    w = libpysal.weights.W(nb.lists())
    w.transform = "r"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = giddy.markov.Spatial_Markov(vals, w, k=4, m=4, fixed=fixed)
        res = fi.markov(_scores(vals, nb.regions), classes=4, neighbours=nb, cuts=cuts)
        plain = fi.markov(_scores(vals, nb.regions), classes=4, cuts=cuts)
    assert res.transitions.columns[0] == "lag_class"
    npt.assert_array_equal(res.transitions["count"].to_numpy().reshape(4, 4, 4), sm.T)
    npt.assert_allclose(np.nan_to_num(res.transitions["probability"].to_numpy().reshape(4, 4, 4)), sm.P, atol=1e-15)
    npt.assert_array_equal(plain.transitions["count"].to_numpy().reshape(4, 4), sm.transitions)
    if fixed:
        npt.assert_allclose(res.cuts.filter(pl.col("kind") == "lag")["upper"].to_numpy()[:-1], sm.lag_cutoffs)
        yb = mc.Quantiles(vals.ravel(), k=4).yb.reshape(vals.shape)
        npt.assert_array_equal(naive.transition_counts(yb, 4), sm.transitions)
    erg = res.ergodic["probability"].to_numpy().reshape(4, 4)
    fp = res.first_passage["years"].to_numpy().reshape(4, 4, 4)
    for g in range(4):
        if not np.isnan(fp[g]).any():  # irreducible lag classes: giddy's steady state and mfpt
            npt.assert_allclose(erg[g], np.asarray(sm.S[g], dtype=float), rtol=1e-9)
            npt.assert_allclose(fp[g], sm.F[g], rtol=1e-9)


def test_reducible_chains_are_nan_with_a_warning():
    # class 3 is absorbing and class 1 transient: one closed class, so a steady state, no mfpt
    vals = np.array([[1.0, 5.0, 9.0, 9.0], [2.0, 6.0, 9.5, 9.2], [3.0, 1.5, 5.5, 9.9], [1.2, 2.5, 5.2, 9.6]])
    with pytest.warns(FastinnoWarning, match="reducible"):
        res = fi.markov(_scores(vals), classes=3)
    erg = res.ergodic["probability"].to_numpy()
    npt.assert_allclose(erg, [0.0, 0.0, 1.0], atol=1e-12)
    assert res.first_passage["years"].is_nan().all()
    # two absorbing classes: no unique steady state
    vals = np.array([[1.0, 1.0, 1.0], [1.1, 1.1, 1.1], [9.0, 9.0, 9.0], [9.1, 9.1, 9.1]])
    with pytest.warns(FastinnoWarning, match="2 closed classes"):
        res = fi.markov(_scores(vals), classes=2)
    assert res.ergodic["probability"].is_nan().all()


def test_markov_errors_and_ties():
    with pytest.raises(DegenerateDataError, match="2 years"):
        fi.markov(_scores(X))
    with pytest.raises(InputError, match="classes"):
        fi.markov(_scores(Y), classes=1)
    with pytest.raises(InputError, match="cuts"):
        fi.markov(_scores(Y), cuts="region")
    tied = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = fi.markov(_scores(tied), classes=4)
    text = " | ".join(str(r.message) for r in rec)
    assert "3 classes instead of 4" in text and "class(es) 2, 3 never start a transition" in text
    assert res.options["classes_used"] == 3


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**20), k=st.integers(2, 6), years=st.integers(2, 6))
def test_transition_rows_sum_to_one(seed, k, years):
    vals = np.random.default_rng(seed).normal(size=(15, years)).cumsum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)
        res = fi.markov(_scores(vals), classes=k, cuts="year" if seed % 2 else "pooled")
    kk = res.options["classes_used"]
    p = res.matrix()
    counts = res.transitions["count"].to_numpy().reshape(kk, kk)
    assert counts.sum() == 15 * (years - 1)
    seen = counts.sum(axis=1) > 0
    npt.assert_allclose(p[seen].sum(axis=1), 1.0, rtol=1e-12)
    assert np.isnan(p[~seen]).all()


def test_result_protocol():
    res = fi.markov(_scores(Y), classes=3)
    assert isinstance(res, fi.MarkovResult)
    assert list(res.tables()) == ["transitions", "ergodic", "first_passage", "cuts"]
    assert res.to_polars().equals(res.transitions)
    assert res.options["seed"] is None and res.options["cuts"] == "pooled"
