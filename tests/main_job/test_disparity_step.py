"""The main job's [groups] section and [disparity] step: config checks, tables equal to the API,
figures and the report section."""

from __future__ import annotations

import importlib.util
import json

import numpy.testing as npt
import polars as pl
import pytest
from _mainjob import write_small_panel
from regional_cases import TRIANGLES, groups_table, province_grid

import fastinno
from fastinno.errors import ConfigError
from fastinno.main_job.config import config_as_toml_tables, validate_config

HAS_MAPS = importlib.util.find_spec("fastinno.plots.maps") is not None


@pytest.fixture(autouse=True)
def _no_warmup(monkeypatch):
    monkeypatch.setenv("FASTINNO_JIT_WARMUP", "0")


def _demo(**disparity):
    return {"title": "disparity", "seed": 5,
            "panel": {"dataset": "six_triangles", "missing": ["interpolate", "drop-region"]},
            "groups": {"members": TRIANGLES}, "ideal_solution": {}, "disparity": disparity,
            "figures": {"dpi": 40}}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("disparity")
    (folder / "provinces.geojson").write_text(json.dumps(province_grid()))
    cfg = _demo(bootstrap=8, markov={"classes": 3},
                spatial={"neighbours": str(folder / "provinces.geojson"), "permutations": 49})
    return fastinno.run(cfg, out=folder / "out", progress=False)  # warnings go to run.json


def test_step_writes_every_table_equal_to_the_api(demo_run):
    res = demo_run
    tables = {p.stem for p in (res.out / "tables").glob("disparity_*.parquet")}
    assert tables == {f"disparity_{n}" for n in (
        "overall", "theil", "theil_groups", "dagum", "dagum_within", "dagum_between", "beta", "sigma",
        "sigma_trend", "density", "moran", "lisa", "markov_transitions", "markov_ergodic",
        "markov_first_passage", "markov_cuts")}
    scores = res.tables["index_scores"]
    groups = {r: g for g, rs in TRIANGLES.items() for r in rs if r in set(scores["region"])}
    api = fastinno.disparity(scores, groups=groups, bootstrap=8, seed=5)  # the run's seed
    got = pl.read_parquet(res.out / "tables" / "disparity_overall.parquet")
    npt.assert_allclose(got["value"].to_numpy(), api.overall["value"].to_numpy(), rtol=1e-12)
    npt.assert_allclose(got["upper"].to_numpy(), api.overall["upper"].to_numpy(), rtol=1e-12)
    dag = pl.read_parquet(res.out / "tables" / "disparity_dagum.parquet")
    npt.assert_allclose(dag["net_between"].to_numpy(), api.dagum["net_between"].to_numpy(), rtol=1e-12)
    assert set(res.tables["disparity_theil_groups"]["group"]) == set(TRIANGLES)
    nb = fastinno.neighbours(province_grid())
    mor = fastinno.moran(scores, neighbours=nb, permutations=49, seed=5)
    npt.assert_allclose(res.tables["disparity_moran"]["moran_i"].to_numpy(), mor.global_["moran_i"].to_numpy(),
                        rtol=1e-12)
    assert res.tables["disparity_lisa"]["cluster"].to_list() == mor.local["cluster"].to_list()
    assert res.tables["disparity_markov_cuts"].height == 3
    step = next(s for s in res.info["steps"] if s["step"] == "disparity")
    assert step["status"] == "ok" and step["options"]["spatial"]["contiguity"] == "queen"
    assert any(i["role"] == "disparity.spatial.neighbours" for i in res.info["inputs"])


def test_step_draws_figures_and_the_report_section(demo_run):
    res = demo_run
    for name in ("dagum", "theil", "sigma", "density", "moran_scatter", "markov"):
        assert (res.out / "figures" / f"disparity_{name}.png").is_file(), name
    html = res.report.read_text(encoding="utf-8")
    assert 'id="disparity"' in html and "Regional disparities, convergence and spatial structure" in html
    for h in ("Dagum decomposition", "Theil decomposition", "Beta convergence", "Global Moran", "Markov transition"):
        assert h in html, h
    for cite in ("Dagum, C. (1997)", "Theil, H. (1967)", "Barro, R. J. &amp; Sala-i-Martin", "Moran, P. A. P. (1950)",
                 "Anselin, L. (1995)", "Rey, S. J. (2001)"):
        assert cite in html, cite
    if HAS_MAPS:
        assert (res.out / "figures" / "disparity_lisa_map.png").is_file()
    else:  # the map is skipped with a note
        assert not (res.out / "figures" / "disparity_lisa_map.png").exists()
        assert "LISA cluster map is not drawn: it needs fastinno.plots.maps" in html


@pytest.mark.filterwarnings("ignore::fastinno.errors.FastinnoWarning")
def test_groups_from_a_table_and_aggregate_units(tmp_path):
    panel, _system = write_small_panel(tmp_path)
    system = tmp_path / "agg.toml"
    system.write_text('[inputs]\nrd_share = {direction = "+", aggregate = "mean"}\n'
                      'researchers = {direction = "+", aggregate = "sum"}\n'
                      '[outputs]\npatents = {direction = "+", aggregate = "sum"}\n'
                      'energy_per_gdp = {direction = "-", aggregate = "weighted_mean:researchers"}\n')
    pl.DataFrame({"region": ["North", "South", "East", "West", "Centre", "Coast"],
                  "zone": ["inland", "coastal", "coastal", "inland", "inland", "coastal"],
                  "size": ["big", "big", "small", "small", "small", "big"]}).write_csv(tmp_path / "groups.csv")
    (tmp_path / "run.toml").write_text(
        'seed = 2\n[panel]\npath = "panel.csv"\nsystem = "agg.toml"\naggregates = true\n'
        '[groups]\npath = "groups.csv"\ncolumn = "zone"\n'
        '[ideal_solution]\n[disparity]\nmeasures = ["gini", "dagum"]\nconvergence = false\ndensity = false\n')
    res = fastinno.run(tmp_path / "run.toml", out=tmp_path / "out", progress=False)
    assert set(res.tables["index_scores"]["region"]) == {"North", "South", "East", "West", "Centre", "Coast",
                                                         "inland", "coastal"}
    # the aggregate units are not regions of the disparity analysis
    scores = res.tables["index_scores"].filter(~pl.col("region").is_in(["inland", "coastal"]))
    groups = dict(pl.read_csv(tmp_path / "groups.csv").select("region", "zone").iter_rows())
    api = fastinno.disparity(scores, groups=groups, measures=["gini", "dagum"])
    npt.assert_allclose(res.tables["disparity_dagum"]["gini"].to_numpy(), api.dagum["gini"].to_numpy(), rtol=1e-12)
    assert "disparity_sigma" not in res.tables and "disparity_density" not in res.tables
    assert any(i["role"] == "groups" for i in res.info["inputs"])
    assert res.info["config"]["groups"]["path"] == str((tmp_path / "groups.csv").resolve())
    assert "aggregate unit" in " ".join(res.info["panel"]["warnings"] + [str(res.info["panel"])])


def test_config_round_trips_groups_and_nested_paths(tmp_path):
    cfg = validate_config(_demo(spatial={"neighbours": "maps/p.geojson"}, markov=True), base=tmp_path)
    assert cfg["groups"]["members"] == TRIANGLES and cfg["groups"]["aggregates"] is False
    spec = cfg["steps"]["disparity"]
    assert spec["spatial"]["neighbours"] == str(tmp_path / "maps" / "p.geojson")
    assert spec["markov"] == {"classes": 5} and spec["source"] == "ideal_solution"
    again = validate_config(config_as_toml_tables(cfg), base=tmp_path)
    assert again["steps"] == cfg["steps"] and again["groups"] == cfg["groups"]


def test_map_geometry_is_the_default_neighbours():
    from fastinno.main_job.regional_step import disparity_options, map_geometry
    from fastinno.main_job.steps import Context

    cfg = validate_config(_demo(spatial=True))
    assert map_geometry(cfg) == (None, "code")
    cfg["map"] = {"geometry": "/data/p.geojson", "key": "adcode"}  # the [map] section, when there is one
    ctx = Context(cfg=cfg, panel=None, seed=0, progress=False)
    kw = disparity_options(ctx, {})
    assert kw["spatial"]["neighbours"] == "/data/p.geojson" and kw["spatial"]["key"] == "adcode"
    assert kw["column"] == "index" and "seed" not in kw  # no bootstrap: nothing to seed


def test_combined_source_defaults_to_the_combined_score():
    from fastinno.main_job.regional_step import disparity_options
    from fastinno.main_job.steps import Context

    raw = _demo(source="combined", bootstrap=3)
    raw["combined"] = {}
    cfg = validate_config(raw)
    kw = disparity_options(Context(cfg=cfg, panel=None, seed=9, progress=False), dict(cfg["steps"]["disparity"]["options"]))
    assert kw["column"] == "combined" and kw["seed"] == 9


def test_a_missing_column_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="Key 'column' in \\[disparity\\] names 'nope'.*enterprise"):
        fastinno.run(_demo(column="nope", convergence=False, density=False), out=tmp_path / "o", progress=False)


@pytest.mark.parametrize("change,pattern", [
    ({"disparity": {"source": "combined"}}, r"\[disparity\].*\[combined\], which is not in the config"),
    ({"disparity": {"source": "nope"}}, "Key 'source' in \\[disparity\\]"),
    ({"disparity": {"measures": ["gini", "atkinson"]}}, "Key 'measures' in \\[disparity\\].*atkinson"),
    ({"disparity": {"bootstrap": -1}}, "Key 'bootstrap'.*>= 0"),
    ({"disparity": {"convergence": "yes"}}, "Key 'convergence'.*true or false"),
    ({"disparity": {"markov": {"classes": 1}}}, "markov.classes"),
    ({"disparity": {"markov": {"clases": 3}}}, "Unknown key 'clases'.*Did you mean 'classes'"),
    ({"disparity": {"spatial": {"contiguity": "bishop"}}}, "spatial.contiguity"),
    ({"disparity": {"spatial": {"permutations": 9.5}}}, "spatial.permutations"),
    ({"disparity": {"spatial": {"alpha": 2}}}, "spatial.alpha"),
    ({"disparity": {"markov": {"spatial": True}}}, "markov.spatial.*needs the 'spatial' table"),
    ({"disparity": {"groups": {"a": "b"}}}, "'groups'.*set by the pipeline"),
    ({"disparity": {"colum": "index"}}, "Unknown key 'colum'.*Did you mean 'column'"),
    ({"groups": {"members": TRIANGLES, "path": "g.csv"}}, r"\[groups\].*exactly one of 'path'"),
    ({"groups": {"members": {"a": "Beijing"}}}, "members.a"),
    ({"groups": {"members": {"a": ["Beijing"], "b": ["Beijing"]}}}, "'Beijing' in two groups"),
    ({"groups": {"path": "g.csv", "colour": "x"}}, "Unknown key 'colour' in \\[groups\\]"),
    ({"groups": None, "panel": {"dataset": "six_triangles", "aggregates": True}}, "'aggregates'.*needs a \\[groups\\]"),
])
def test_config_errors_name_the_key(change, pattern):
    cfg = _demo()
    cfg.update(change)
    if cfg["groups"] is None:
        del cfg["groups"]
    with pytest.raises(ConfigError, match=pattern):
        validate_config(cfg)


def test_step_runs_without_groups_and_spatial(tmp_path):
    cfg = _demo(density=False, convergence=False)
    del cfg["groups"]
    res = fastinno.run(cfg, out=tmp_path / "out", progress=False)
    assert {n for n in res.tables if n.startswith("disparity_")} == {"disparity_overall"}
    assert res.tables["disparity_overall"]["measure"].unique().sort().to_list() == ["cv", "gini", "theil_l",
                                                                                  "theil_t"]
    html = res.report.read_text(encoding="utf-8")
    assert "Disparities per year" in html and "<h3>Dagum decomposition</h3>" not in html
    assert groups_table().height == 15


def test_lisa_map_calls_cluster_map_with_the_last_year_clusters(tmp_path, monkeypatch):
    """The map figure hands fastinno.plots.maps.cluster_map the geometry, its key and the last
    year's clusters (a stand-in module records the call)."""
    import sys
    import types

    from matplotlib.figure import Figure

    calls = []

    def cluster_map(geometry, clusters, *, key="code", title=None, ax=None):
        calls.append((geometry, dict(clusters), key, title))
        fig = Figure()
        fig.add_subplot().plot([0, 1], [0, 1])
        return fig

    fake = types.ModuleType("fastinno.plots.maps")
    fake.cluster_map = cluster_map
    monkeypatch.setitem(sys.modules, "fastinno.plots.maps", fake)
    geo = tmp_path / "provinces.geojson"
    geo.write_text(json.dumps(province_grid("name")))
    cfg = _demo(convergence=False, density=False,
                spatial={"neighbours": str(geo), "key": "name", "permutations": 19})
    res = fastinno.run(cfg, out=tmp_path / "out", progress=False)
    assert (res.out / "figures" / "disparity_lisa_map.png").is_file()
    geometry, clusters, key, title = calls[0]
    lisa = res.tables["disparity_lisa"].filter(pl.col("year") == 2017)
    assert geometry == str(geo) and key == "name" and "2017" in title
    assert clusters == dict(zip(lisa["region"], lisa["cluster"]))
    assert "LISA cluster map is not drawn" not in res.report.read_text(encoding="utf-8")
