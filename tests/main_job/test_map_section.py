"""The main job's [map] section: config checks, the first- and last-year index maps in the report,
the GeoJSON recorded as an input."""

from __future__ import annotations

import json
import shutil
import struct

import pytest
from _mainjob import REGIONS, YEARS, write_small_panel
from square_grid import square_grid

import fastinno
from fastinno.errors import ConfigError
from fastinno.main_job.config import validate_config
from fastinno.main_job.run import render_report

#: Five of the six panel regions ("Coast" has no polygon) and one polygon without a panel region.
MAP_REGIONS = [r for r in REGIONS if r != "Coast"] + ["Island"]


@pytest.fixture(autouse=True)
def _no_warmup(monkeypatch):
    monkeypatch.setenv("FASTINNO_JIT_WARMUP", "0")


def _write(folder, key="code", names=MAP_REGIONS, extra=""):
    write_small_panel(folder)
    (folder / "maps").mkdir(exist_ok=True)
    (folder / "maps" / "regions.geojson").write_text(
        json.dumps(square_grid(3, 2, names=names, key="code")), encoding="utf-8")
    cfg = folder / "study.toml"
    cfg.write_text(f"""\
title = "map"
seed = 1

[panel]
path = "panel.csv"
system = "system.toml"

[ideal_solution]
scope = "panel"

[map]
geometry = "maps/regions.geojson"
key = "{key}"
{extra}
[figures]
dpi = 60
""", encoding="utf-8")
    return cfg


def _png_size(path):
    head = path.read_bytes()[:24]
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def map_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("map")
    return fastinno.run(_write(folder), out=folder / "out", progress=False)


def test_map_figures_in_the_report(map_run):
    out = map_run.out
    for which in ("first", "last"):
        png = out / "figures" / f"index_map_{which}.png"
        assert png.is_file()
        assert max(_png_size(png)) <= 3000
    html = (out / "report.html").read_text(encoding="utf-8")
    section = html[html.index('id="ideal-solution"'):]
    section = section[:section.index("</section>")]
    assert 'href="figures/index_map_first.png"' in section and 'href="figures/index_map_last.png"' in section
    assert section.index("index_map_first.png") < section.index("index_map_last.png")
    assert (f"5 of 6 regions, {YEARS[-1]} (1 without a polygon in the GeoJSON under &#x27;code&#x27;: "
            "&#x27;Coast&#x27;)") in section
    assert f"5 of 6 regions, {YEARS[0]}" in section
    assert "share one colour scale" in section
    assert "figures/index_map_last.png" in map_run.info["figures"]


def test_map_config_is_recorded(map_run):
    info = map_run.info
    geometry = info["config"]["map"]["geometry"]
    assert geometry.endswith("maps/regions.geojson") and info["config"]["map"]["key"] == "code"
    assert any(i["role"] == "map" and i["path"] == geometry and len(i["sha256"]) == 64
               for i in info["inputs"])
    again = validate_config(info["config"])  # run.json's config reproduces the run
    assert again["map"] == {"geometry": geometry, "key": "code"}


def test_map_with_no_region_in_common_is_a_report_note(map_run, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(map_run.out, folder)
    other = tmp_path / "other.geojson"
    other.write_text(json.dumps(square_grid(2, 1)), encoding="utf-8")  # r000c000, r000c001
    info = dict(map_run.info)
    info["config"] = {**info["config"], "map": {"geometry": str(other), "key": "code"}}
    figures = render_report(folder, info=info, tables=map_run.tables)
    assert "figures/index_map_last.png" not in figures
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "index_map_last: figure not drawn: none of the 6 region(s) of values is in the geometry" in html


def test_no_map_section_no_maps(tmp_path):
    panel, system = write_small_panel(tmp_path)
    res = fastinno.run({"panel": {"path": str(panel), "system": str(system)}, "ideal_solution": {},
                        "figures": {"dpi": 50}}, out=tmp_path / "out", progress=False)
    assert not any("index_map" in f for f in res.info["figures"])
    assert "map" not in res.info["config"]


@pytest.mark.parametrize("kw, pattern", [
    ({"key": "name"}, r"\[map\] in study.toml \(key = 'name'\): 6 feature\(s\) .* no property 'name'; "
                      r"properties present: 'code'"),
    ({"extra": "colour = \"red\"\n"}, r"Unknown key 'colour' in \[map\]"),
])
def test_bad_map_sections(tmp_path, kw, pattern):
    with pytest.raises(ConfigError, match=pattern):
        fastinno.main_job.load_config(_write(tmp_path, **kw))


def test_map_geometry_missing_or_not_geojson(tmp_path):
    cfg = _write(tmp_path)
    (tmp_path / "maps" / "regions.geojson").unlink()
    with pytest.raises(ConfigError, match=r"Key 'geometry' in \[map\] .*regions.geojson' does not exist"):
        fastinno.main_job.load_config(cfg)
    (tmp_path / "maps" / "regions.geojson").write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        fastinno.main_job.load_config(cfg)
    (tmp_path / "maps" / "regions.geojson").write_text(json.dumps(square_grid(1, 2, names=["a", "a"])),
                                                       encoding="utf-8")
    with pytest.raises(ConfigError, match="several features: 'a'"):
        fastinno.main_job.load_config(cfg)
    base = {"panel": {"dataset": "six_triangles"}}
    with pytest.raises(ConfigError, match=r"\[map\] in the config needs 'geometry'"):
        validate_config({**base, "map": {"key": "code"}})
    with pytest.raises(ConfigError, match="Key 'key' in \\[map\\].* must be"):
        validate_config({**base, "map": {"geometry": "x.geojson", "key": 3}})


def test_first_and_last_year_maps_share_one_colour_scale(map_run):
    from fastinno.report import figures

    scores = map_run.tables["index_scores"]
    cfg = {"map": map_run.info["config"]["map"]}
    mapped = scores.filter(scores["region"].is_in(MAP_REGIONS) & scores["year"].is_in([YEARS[0], YEARS[-1]]))
    want = (mapped["index"].min(), mapped["index"].max())
    for spec in (figures.INDEX_MAP_FIRST, figures.INDEX_MAP_LAST):
        fig = spec.draw(map_run.tables, cfg)
        assert fig.axes[0].collections[0].get_clim() == pytest.approx(want)
        assert fig.axes[1].get_ylim() == pytest.approx(want)  # the colour bar follows
    single = {"index_scores": scores.filter(scores["year"] == YEARS[-1])}
    assert "share one colour scale" not in figures.INDEX_MAP_LAST.caption_text(single, map_run.info)
    assert not figures.INDEX_MAP_FIRST.when(single, map_run.info)  # one year: one map
