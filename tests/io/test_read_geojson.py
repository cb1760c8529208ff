"""read_geojson: polygons and rings of named regions, and every way a GeoJSON source can be wrong."""

from __future__ import annotations

import json

import numpy as np
import numpy.testing as npt
import pytest
from square_grid import square_grid

from fastinno.errors import InputError
from fastinno.io.read import Geometry, read_geojson


def _feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


SQUARE = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
HOLE = [[0.25, 0.25], [0.25, 0.75], [0.75, 0.75], [0.75, 0.25], [0.25, 0.25]]
DOC = _collection(
    _feature({"code": "A", "name": "甲"}, {"type": "Polygon", "coordinates": [SQUARE, HOLE]}),
    _feature({"code": 110101, "name": "乙"},
             {"type": "MultiPolygon", "coordinates": [[[[2, 0, 9.5], [3, 0, 9.5], [3, 1, 9.5], [2, 0, 9.5]]],
                                                      [[[4, 0], [5, 0], [5, 1], [4, 0]]]]}),
)


def test_polygons_rings_and_names(tmp_path):
    geo = read_geojson(DOC)
    assert isinstance(geo, Geometry) and len(geo) == 2 and geo.key == "code"
    assert geo.keys == ("A", "110101")  # numbers are read as text
    a, b = geo.polygons
    assert len(a) == 1 and len(a[0]) == 2  # one polygon: exterior and a hole
    assert len(b) == 2 and all(len(p) == 1 for p in b)  # two parts, no holes
    npt.assert_array_equal(a[0][0], np.asarray(SQUARE, dtype=float))
    npt.assert_array_equal(a[0][1], np.asarray(HOLE, dtype=float))
    ring = b[0][0]
    assert ring.dtype == np.float64 and ring.shape == (4, 2) and ring.flags.c_contiguous  # z dropped
    assert geo.bounds == (0.0, 0.0, 5.0, 1.0)
    assert read_geojson(geo) is geo
    assert read_geojson(DOC, key="name").keys == ("甲", "乙")
    path = tmp_path / "doc.geojson"
    path.write_text(json.dumps(DOC, ensure_ascii=False), encoding="utf-8-sig")  # a BOM is fine
    assert read_geojson(path).keys == read_geojson(str(path)).keys == ("A", "110101")
    assert "2 regions, 3 polygons" in repr(geo)
    grid = read_geojson(square_grid(3, 2, multipolygon_every=2))
    assert grid.keys[:2] == ("r000c000", "r000c001") and sum(len(p) for p in grid.polygons) == 6


@pytest.mark.parametrize("doc, key, pattern", [
    (DOC, "id", r"2 feature\(s\) of the GeoJSON \(positions 0, 1\) have no property 'id'; properties "
                r"present: 'code', 'name'\. Pass key="),
    (_collection(*DOC["features"], DOC["features"][0]), "code",
     r"1 region code\(s\) of the GeoJSON name several features: 'A'\. Merge them into one MultiPolygon"),
    (_collection(_feature({"code": "P"}, {"type": "Point", "coordinates": [0, 0]})), "code",
     r"feature 'P' of the GeoJSON is a Point; only Polygon and MultiPolygon"),
    (_collection(_feature({"code": "L"}, {"type": "LineString", "coordinates": [[0, 0], [1, 1]]})), "code",
     "is a LineString"),
    (_collection(_feature({"code": "N"}, None)), "code", "feature 'N' of the GeoJSON has no geometry"),
    (_collection(_feature({"code": "M"}, {"type": "Polygon", "coordinates": [[0, 0], [1, 1]]})), "code",
     "feature 'M' of the GeoJSON has malformed Polygon coordinates"),
    (_collection(_feature({"code": "F"}, {"type": "Polygon", "coordinates": [[[0, 0], [1, "x"], [0, 0]]]})),
     "code", "malformed Polygon"),
    (_collection(_feature({"code": "I"}, {"type": "Polygon", "coordinates": [[[0, 0], [1, float("nan")], [0, 0]]]})),
     "code", "feature 'I' of the GeoJSON has non-finite coordinates"),
    ({"type": "Feature", "geometry": None}, "code", "must be a FeatureCollection with a 'features' list"),
    (_collection(), "code", "has no features"),
    (DOC, "", "key must be the name of a feature property"),
])
def test_bad_documents(doc, key, pattern):
    with pytest.raises(InputError, match=pattern):
        read_geojson(doc, key=key)


def test_bad_files(tmp_path):
    with pytest.raises(InputError, match=r"GeoJSON file '.*none\.geojson' does not exist"):
        read_geojson(tmp_path / "none.geojson")
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"GeoJSON file '.*bad\.geojson' is not valid JSON"):
        read_geojson(bad)
    latin = tmp_path / "latin.geojson"
    latin.write_bytes('{"name": "Zürich"}'.encode("latin-1"))
    with pytest.raises(InputError, match="is not UTF-8 text"):
        read_geojson(latin)
    named = tmp_path / "named.geojson"
    named.write_text(json.dumps(_collection(_feature({"x": 1}, DOC["features"][0]["geometry"]))), encoding="utf-8")
    with pytest.raises(InputError, match=r"of GeoJSON file '.*named\.geojson' \(positions 0\) have no property 'code'"):
        read_geojson(named)
    with pytest.raises(InputError, match="file path or a parsed dict; got list"):
        read_geojson([DOC])
