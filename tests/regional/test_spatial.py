"""Global and local Moran: by definition, against esda (live and literal), seeded permutations."""

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

#: A 5 x 4 queen grid of unit squares (square_grid(5, 4)) and one value per square.
X = np.array([3.1, 4.0, 2.2, 5.5, 6.1, 1.0, 0.4, 2.8, 3.3, 7.7, 4.4, 2.0, 1.5, 6.6, 5.0, 3.9, 2.7, 8.1, 0.9, 4.8])

#: esda 2.8.2, esda/moran.py: Moran(X, W, permutations=0) and Moran_Local(X, W).Is / .q with
#: W = libpysal.weights.W(queen lists of square_grid(5, 4)), transform "r".
ESDA_I, ESDA_EI, ESDA_Z = 0.15712772717644574, -0.05263157894736842, 1.784200465450062
ESDA_ROOK_I = 0.0004677681282214553
ESDA_IS = [0.2817199745816564, -0.07646685024359252, 0.19317941114170722, 0.21209489514933288,
           0.786803643295912, 0.5747087481465791, 0.8039080703240838, 0.12325248887947468,
           -0.08803749205676765, 1.177187036644779, -0.2173268375344209, 0.25354797712349086,
           0.2082715526371531, 0.2605909764880322, 0.20766786697733544, -0.01542752241756691,
           -0.03984325354797714, -0.9171997458165642, -0.8169879262868037, 0.0737838028666243]
#: esda quadrants 1 HH, 2 LH, 3 LL, 4 HL
ESDA_Q = [3, 4, 3, 1, 1, 3, 3, 3, 2, 1, 4, 3, 3, 1, 1, 4, 2, 4, 2, 1]
QUAD = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


def _scores(regions, values):
    values = np.asarray(values, dtype=float).reshape(len(regions), -1)
    years = np.arange(2001, 2001 + values.shape[1])
    return pl.DataFrame({"region": np.repeat(regions, len(years)), "year": np.tile(years, len(regions)),
                         "index": values.ravel()})


@pytest.fixture(scope="module")
def grid():
    return fi.neighbours(square_grid(5, 4))


def test_global_and_local_match_esda_literals(grid):
    res = fi.moran(_scores(grid.regions, X), neighbours=grid, permutations=0)
    g = res.global_.row(0, named=True)
    assert g["year"] == 2001
    npt.assert_allclose([g["moran_i"], g["expected"], g["z"]], [ESDA_I, ESDA_EI, ESDA_Z], rtol=1e-12)
    assert g["p_value"] is None
    npt.assert_allclose(res.local["local_i"].to_numpy(), ESDA_IS, rtol=1e-12, atol=1e-15)
    assert res.local["p_value"].null_count() == 20 and set(res.local["cluster"]) == {"ns"}
    rook = fi.neighbours(square_grid(5, 4), contiguity="rook")
    npt.assert_allclose(fi.moran(_scores(rook.regions, X), neighbours=rook, permutations=0, local=False)
                        .global_["moran_i"][0], ESDA_ROOK_I, rtol=1e-9)


def test_by_definition_with_dense_weights(grid):
    w = naive.dense_weights(grid.indptr, grid.indices, grid.weights)
    res = fi.moran(_scores(grid.regions, X), neighbours=grid, permutations=0)
    npt.assert_allclose(res.global_["moran_i"][0], naive.moran_i(list(X), w.tolist()), rtol=1e-12)
    npt.assert_allclose(res.local["local_i"].to_numpy(), naive.local_moran(list(X), w.tolist()), rtol=1e-12, atol=1e-15)
    perm = np.random.default_rng(0).permutation(20)
    res_p = fi.moran(_scores(grid.regions, X[perm]), neighbours=grid, permutations=0, local=False)
    npt.assert_allclose(res_p.global_["moran_i"][0], naive.moran_i_permuted(list(X), w.tolist(), perm), rtol=1e-12)


def test_clusters_follow_quadrants_and_alpha(grid):
    res = fi.moran(_scores(grid.regions, X), neighbours=grid, permutations=199, alpha=0.5)
    loc = res.local
    quads = np.array([QUAD[q] for q in ESDA_Q])
    p = loc["p_value"].to_numpy()
    want = np.where(p <= 0.5, quads, "ns")
    assert loc["cluster"].to_list() == want.tolist()
    assert ((p > 0) & (p <= 1)).all()
    npt.assert_allclose(p * 200, np.round(p * 200))  # (larger + 1) / (P + 1)
    assert (p <= 100.5 / 200).all()  # folded: at most one half


def test_seeded_and_deterministic(grid):
    s = _scores(grid.regions, np.column_stack([X, X[::-1], X ** 2]))
    a = fi.moran(s, neighbours=grid, permutations=150, seed=5)
    b = fi.moran(s, neighbours=grid, permutations=150, seed=5)
    c = fi.moran(s, neighbours=grid, permutations=150, seed=6)
    assert a.global_.equals(b.global_) and a.local.equals(b.local)
    assert not a.local["p_value"].equals(c.local["p_value"])
    # a year's result does not depend on the other years (one set of permutations for all)
    one = fi.moran(_scores(grid.regions, X), neighbours=grid, permutations=150, seed=5)
    assert one.global_["p_value"][0] == a.global_["p_value"][0]
    npt.assert_array_equal(one.local["p_value"].to_numpy(), a.local.filter(pl.col("year") == 2001)["p_value"].to_numpy())
    assert a.options["seed"] == 5 and a.options["permutations"] == 150


def _esda_case():
    libpysal = pytest.importorskip("libpysal")
    nb = fi.neighbours(square_grid(12, 10))
    rng = np.random.default_rng(2)
    x = rng.normal(size=120) + np.repeat(np.linspace(0, 2, 10), 12)  # a north-south trend
    w = libpysal.weights.W(nb.lists())
    w.transform = "r"
    return nb, x, w


def test_agrees_with_esda_live():
    esda = pytest.importorskip("esda")
    nb, x, w = _esda_case()
    res = fi.moran(_scores(nb.regions, x), neighbours=nb, permutations=999, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.random.seed(0)  # esda permutes with numpy's global generator: its p_sim is random otherwise
        mi = esda.Moran(x, w, permutations=999)
        ml = esda.Moran_Local(x, w, permutations=0)
    g = res.global_.row(0, named=True)
    npt.assert_allclose([g["moran_i"], g["expected"], g["z"]], [mi.I, mi.EI, mi.z_norm], rtol=1e-10)
    assert g["p_value"] == mi.p_sim == 0.001
    npt.assert_allclose(res.local["local_i"].to_numpy(), ml.Is, rtol=1e-10, atol=1e-14)
    p = res.local["p_value"].to_numpy()
    quads = np.array([QUAD[q] for q in ml.q])
    assert (res.local["cluster"].to_numpy()[p <= 0.05] == quads[p <= 0.05]).all()
    assert (res.local["cluster"].to_numpy()[p > 0.05] == "ns").all()


@pytest.mark.slow
def test_lisa_p_values_agree_with_esda_live():
    """esda compiles its permutation kernels on every run (slow): marked slow."""
    esda = pytest.importorskip("esda")
    nb, x, w = _esda_case()
    res = fi.moran(_scores(nb.regions, x), neighbours=nb, permutations=999, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ml = esda.Moran_Local(x, w, permutations=999, seed=1)
    p = res.local["p_value"].to_numpy()
    # two independent sets of 999 permutations: pseudo p-values agree within Monte Carlo error
    assert np.abs(p - ml.p_sim).max() < 0.1 and np.corrcoef(p, ml.p_sim)[0, 1] > 0.95


@settings(max_examples=25, deadline=None)
@given(a=st.floats(-50, 50).filter(lambda v: abs(v) > 1e-3), b=st.floats(-1e3, 1e3),
       seed=st.integers(0, 2**16))
def test_moran_invariant_to_affine_transforms(grid, a, b, seed):
    x = np.random.default_rng(seed).normal(size=20)
    base = fi.moran(_scores(grid.regions, x), neighbours=grid, permutations=0)
    moved = fi.moran(_scores(grid.regions, a * x + b), neighbours=grid, permutations=0)
    for col in ("moran_i", "z"):
        npt.assert_allclose(moved.global_[col].to_numpy(), base.global_[col].to_numpy(), rtol=1e-7, atol=1e-9)
    npt.assert_allclose(moved.local["local_i"].to_numpy(), base.local["local_i"].to_numpy(), rtol=1e-7, atol=1e-9)


def test_islands_and_extra_regions(grid):
    table = pl.DataFrame({"region": ["a", "b", "b", "c", "c", "a", "d", "a", "e"],
                          "neighbour": ["b", "a", "c", "b", "a", "c", "a", "d", None]})
    with pytest.warns(FastinnoWarning, match="islands"):
        nb = fi.neighbours(table)
    s = _scores(["a", "b", "c", "d", "e"], [1.0, 2.0, 4.0, 3.0, 9.0])
    res = fi.moran(s, neighbours=nb, permutations=99)
    e = res.local.filter(pl.col("region") == "e").row(0, named=True)
    assert e["local_i"] == 0.0 and e["p_value"] is None and e["cluster"] == "ns"
    assert res.options["islands"] == ["e"]
    with pytest.warns(FastinnoWarning, match="not in scores"):
        fi.moran(_scores(grid.regions[:-1], X[:-1]), neighbours=grid, permutations=0)


def test_bad_inputs(grid):
    s = _scores(grid.regions, X)
    with pytest.raises(InputError, match="no neighbour information"):
        fi.moran(_scores([*grid.regions[:-1], "zz"], X), neighbours=grid)
    with pytest.raises(InputError, match="permutations"):
        fi.moran(s, neighbours=grid, permutations=-1)
    with pytest.raises(InputError, match="alpha"):
        fi.moran(s, neighbours=grid, alpha=1.5)
    with pytest.raises(DegenerateDataError, match="constant in year"):
        fi.moran(_scores(grid.regions, np.ones(20)), neighbours=grid)
    assert "permutations" in repr(fi.moran(s, neighbours=grid, permutations=9))
    assert set(fi.moran(s, neighbours=grid, permutations=9).tables()) == {"global", "local"}


def test_result_protocol_and_geojson_source():
    s = _scores([f"r{r:03d}c{c:03d}" for r in range(4) for c in range(5)], X)
    res = fi.moran(s, neighbours=square_grid(5, 4), permutations=0)  # a GeoJSON dict is accepted
    assert isinstance(res, fi.MoranResult)
    npt.assert_allclose(res.global_["moran_i"][0], ESDA_I, rtol=1e-12)
    assert res.to_polars().equals(res.tables()["global"])
    assert res.options["seed"] is None
    assert fi.moran(s, neighbours=square_grid(5, 4), permutations=9, seed=4).options["seed"] == 4
