"""Contiguity from GeoJSON (queen / rook) and neighbour tables."""

from __future__ import annotations

import json
import warnings

import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from square_grid import square_grid

import fastinno as fi
from fastinno.errors import FastinnoWarning, InputError


def _feature(code, geometry):
    return {"type": "Feature", "properties": {"code": code, "name": code.lower()}, "geometry": geometry}


def _poly(*rings):
    return {"type": "Polygon", "coordinates": [list(map(list, r)) for r in rings]}


def _box(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]


#: A: square with an extra vertex (0, 1); B: its east neighbour; C: a bar over both (touching A
#: and B at single vertices only); D: a MultiPolygon whose second part shares A's edge
#: (0, 0)-(0, 1); E: an island; F: a square with a hole; G: the enclave filling the hole.
ODD = {"type": "FeatureCollection", "features": [
    _feature("A", _poly([(0, 0), (2, 0), (2, 2), (0, 2), (0, 1), (0, 0)])),
    _feature("B", _poly(_box(2, 0, 4, 2))),
    _feature("C", _poly([(0, 2), (4, 2), (4, 3), (0, 3), (0, 2)])),
    _feature("D", {"type": "MultiPolygon", "coordinates": [[_box(5, 0, 6, 1)], [_box(-1, 0, 0, 1)]]}),
    _feature("E", _poly(_box(10, 10, 11, 11))),
    _feature("F", _poly(_box(20, 0, 26, 6), _box(22, 2, 24, 4))),
    _feature("G", _poly(_box(22, 2, 24, 4))),
]}
#: Hand-checked: queen and rook neighbour lists of ODD (libpysal 4.14.1 Queen / Rook
#: .from_dataframe on the same features give the same lists; see the live test).
ODD_QUEEN = {"A": ["B", "C", "D"], "B": ["A", "C"], "C": ["A", "B"], "D": ["A"], "E": [], "F": ["G"], "G": ["F"]}
ODD_ROOK = {"A": ["B", "D"], "B": ["A"], "C": [], "D": ["A"], "E": [], "F": ["G"], "G": ["F"]}


def _neighbours(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)
        return fi.neighbours(source, **kw)


def test_grid_cardinalities_and_weights():
    q = fi.neighbours(square_grid(5, 4))
    r = fi.neighbours(square_grid(5, 4, multipolygon_every=3), contiguity="rook")
    assert q.indices.size == 110 and r.indices.size == 62  # 55 queen and 31 rook shared borders
    card = q.cardinalities.reshape(4, 5)
    npt.assert_array_equal(card[[0, 0, -1, -1], [0, -1, 0, -1]], 3)
    assert card[1:-1, 1:-1].min() == card[1:-1, 1:-1].max() == 8
    assert r.cardinalities.reshape(4, 5)[1:-1, 1:-1].max() == 4
    npt.assert_allclose(np.add.reduceat(q.weights, q.indptr[:-1]), 1.0)
    assert q.lists()["r000c000"] == ["r000c001", "r001c000", "r001c001"]
    frame = q.to_polars()
    assert frame.columns == ["region", "neighbour", "weight"] and frame.height == 110


@pytest.mark.parametrize("kind, want", [("queen", ODD_QUEEN), ("rook", ODD_ROOK)])
def test_irregular_shapes(kind, want):
    with pytest.warns(FastinnoWarning, match="island") as rec:
        nb = fi.neighbours(ODD, contiguity=kind)
    assert "'E'" in str(rec[0].message)
    assert nb.lists() == want
    assert "E" in nb.islands


def test_tolerance_and_file(tmp_path):
    shifted = json.loads(json.dumps(ODD))
    ring = shifted["features"][1]["geometry"]["coordinates"][0]
    shifted["features"][1]["geometry"]["coordinates"][0] = [[x + 1e-12, y - 1e-12] for x, y in ring]
    assert _neighbours(shifted).lists()["B"] == ["A", "C"]
    assert _neighbours(shifted, tolerance=1e-14).lists()["B"] == []
    path = tmp_path / "odd.geojson"
    path.write_text(json.dumps(ODD), encoding="utf-8")
    assert _neighbours(str(path), key="name").regions == list("abcdefg")


def test_agrees_with_libpysal_live():
    gpd = pytest.importorskip("geopandas")
    libpysal = pytest.importorskip("libpysal")
    for doc in (ODD, square_grid(7, 6, multipolygon_every=4)):
        gdf = gpd.GeoDataFrame.from_features(doc["features"])
        codes = gdf["code"].tolist()
        for kind, cls in (("queen", libpysal.weights.Queen), ("rook", libpysal.weights.Rook)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                w = cls.from_dataframe(gdf, use_index=False)
            want = {codes[i]: sorted(codes[j] for j in w.neighbors[i]) for i in range(len(codes))}
            got = {k: sorted(v) for k, v in _neighbours(doc, contiguity=kind).lists().items()}
            assert got == want, kind


def test_table_source():
    t = pl.DataFrame({"region": ["a", "b", "c"], "neighbour": ["b", "c", "b"]})
    with pytest.warns(FastinnoWarning, match=r"one direction only: \('a', 'b'\)"):
        nb = fi.neighbours(t)
    assert nb.lists() == {"a": ["b"], "b": ["a", "c"], "c": ["b"]}
    npt.assert_allclose(nb.weights, [1.0, 0.5, 0.5, 1.0])
    sub = nb.subset(["c", "a"])
    assert sub.regions == ["c", "a"] and sub.indices.size == 0


def test_bad_sources(tmp_path):
    with pytest.raises(InputError, match="no property 'id'.*'code', 'name'"):
        fi.neighbours(ODD, key="id")
    dup = {"type": "FeatureCollection", "features": ODD["features"] + [ODD["features"][0]]}
    with pytest.raises(InputError, match="several features: 'A'"):
        fi.neighbours(dup)
    point = {"type": "FeatureCollection", "features": [_feature("P", {"type": "Point", "coordinates": [0, 0]})]}
    with pytest.raises(InputError, match="Point"):
        fi.neighbours(point)
    with pytest.raises(InputError, match="FeatureCollection"):
        fi.neighbours({"type": "Feature"})
    with pytest.raises(InputError, match="does not exist"):
        fi.neighbours(tmp_path / "none.geojson")
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        fi.neighbours(bad)
    with pytest.raises(InputError, match="contiguity"):
        fi.neighbours(ODD, contiguity="bishop")
    with pytest.raises(InputError, match="themselves"):
        fi.neighbours(pl.DataFrame({"region": ["a"], "neighbour": ["a"]}))
    with pytest.raises(InputError, match="no column 'neighbour'"):
        fi.neighbours(pl.DataFrame({"region": ["a"], "to": ["b"]}))
    with pytest.raises(InputError, match="tolerance"):
        fi.neighbours(ODD, tolerance=0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=40))
def test_row_standardized_weights_sum_to_one(pairs):
    pairs = [(a, b) for a, b in pairs if a != b]
    if not pairs:
        return
    both = pairs + [(b, a) for a, b in pairs]
    t = pl.DataFrame({"region": [f"r{a}" for a, _ in both], "neighbour": [f"r{b}" for _, b in both]})
    nb = fi.neighbours(t)
    sums = np.add.reduceat(nb.weights, nb.indptr[:-1])
    npt.assert_allclose(sums, 1.0, rtol=1e-15)
    for i, r in enumerate(nb.regions):  # symmetric structure
        for j in nb.indices[nb.indptr[i]:nb.indptr[i + 1]]:
            assert r in nb.lists()[nb.regions[j]]
