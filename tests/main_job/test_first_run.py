"""The first run's machinery: the starter study's files, the warm markers behind the first-run
notice, the config-section summary and unique input copies."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fastinno import _kernel_cache as warmup  # the cache markers (re-exported by main_job.warmup)
from fastinno.data.datasets import six_triangles_system
from fastinno.data.system import read_system
from fastinno.errors import InputError
from fastinno.io.read import loads_toml
from fastinno.main_job.provenance import hash_inputs
from fastinno.main_job.run import _copy_inputs
from fastinno.main_job.sections import config_sections, config_sections_text
from fastinno.main_job.starter import starter_files, system_toml, write_starter
from fastinno.main_job.steps import STEPS

# -- starter ----------------------------------------------------------------------------------


def test_system_toml_round_trips_the_demo_system(tmp_path):
    spec = six_triangles_system().to_dict()
    text = system_toml(spec)
    assert text.splitlines()[0] == "[enterprise]"
    assert 'enterprise_st_output = { direction = "+", label = "Enterprise: S&T output", unit = "score" }' in text
    (tmp_path / "s.toml").write_text(text)
    assert read_system(tmp_path / "s.toml").to_dict() == spec
    nested = {"a": {"x": "+", "b": {"_weight": 0.5, "y": "-"}, "c": {"z": "+"}}, "w": "-"}
    back = loads_toml(system_toml(nested))
    assert back == nested


def test_starter_config_is_the_demo_with_file_paths():
    files = starter_files()
    raw = loads_toml(files["study.toml"].decode())
    demo = loads_toml(Path(__file__).resolve().parents[2].joinpath(
        "fastinno", "data", "demo.toml").read_text())
    assert raw["panel"] == {"path": "panel.csv", "system": "system.toml",
                            "missing": ["interpolate", "drop-region"]}
    assert raw["out"] == "results" and raw["seed"] == demo["seed"]
    for key in demo:
        if key not in ("panel", "out", "title"):
            assert raw[key] == demo[key], key
    text = files["study.toml"].decode()
    for s in STEPS:  # every step is either a section or a commented hint
        assert f"[{s.name}]" in text
    header = files["panel.csv"].decode().splitlines()[0].split(",")
    assert header[:2] == ["region", "year"] and len(header) == 11
    assert files["survey/survey_long.csv"].startswith(b"expert,from,to,score")


def test_write_starter_is_atomic_and_refuses_non_empty(tmp_path):
    written = write_starter(tmp_path / "s")
    assert {p.name for p in written} >= {"study.toml", "panel.csv", "system.toml"}
    assert not [p for p in (tmp_path / "s").rglob("*.tmp")]
    with pytest.raises(InputError, match="not empty"):
        write_starter(tmp_path / "s")
    (tmp_path / "s" / "study.toml").write_text("edited")
    write_starter(tmp_path / "s", force=True)
    assert (tmp_path / "s" / "study.toml").read_text().startswith("# A fastinno study")


# -- warm markers -----------------------------------------------------------------------------


@pytest.fixture
def markers(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setattr(warmup, "warm_marker",
                        lambda steps: folder / f"m-{'+'.join(sorted(steps))}.marker")
    return folder


def test_kernels_cold_until_a_run_or_warmup_marks_them(markers):
    assert warmup.kernels_cold(["ideal_solution", "simulate"])
    warmup.mark_warm(["ideal_solution", "simulate"])
    assert sorted(p.name for p in markers.iterdir()) == [
        "m-ideal_solution+simulate.marker", "m-ideal_solution.marker", "m-simulate.marker"]
    assert not warmup.kernels_cold(["simulate", "ideal_solution"])
    assert not warmup.kernels_cold(["ideal_solution"])  # each alone is warm too
    assert warmup.kernels_cold(["ideal_solution", "bootstrap"])
    warmup.mark_warm([warmup.EVERY_STEP])  # what `fastinno warmup` leaves
    assert not warmup.kernels_cold(["ideal_solution", "bootstrap"])
    assert warmup.cache_location() == str(markers)


def test_kernels_cold_says_nothing_when_the_cache_is_unknown(monkeypatch):
    monkeypatch.setattr(warmup, "warm_marker", lambda steps: None)
    assert warmup.kernels_cold(["ideal_solution"]) is False
    warmup.mark_warm(["ideal_solution"])  # no error


def test_warm_marker_lives_in_numbas_cache_folder():
    marker = warmup.warm_marker([warmup.EVERY_STEP])
    if marker is None:
        pytest.skip("numba's cache folder for fastinno's kernels cannot be located here")
    assert marker.name.startswith("fastinno-warm-")
    assert warmup.cache_location() == str(marker.parent)


# -- config sections --------------------------------------------------------------------------


def test_config_sections_follow_the_registry():
    rows = config_sections()
    names = [n for n, _ in rows]
    assert names == ["title, seed, out", "[panel]", "[groups]", *(f"[{s.name}]" for s in STEPS),
                     "[figures]", "[output]", "[map]"]
    summary = dict(rows)
    for s in STEPS:
        assert s.api_name in summary[f"[{s.name}]"]
    assert "columns, regions, source" in summary["[forecast]"]
    assert summary["[output]"].endswith("keys: copy_inputs, csv, excel")
    text = config_sections_text(width=88)
    assert max(len(ln) for ln in text.splitlines()) <= 88


# -- input copies -----------------------------------------------------------------------------


def _two_same_named(tmp_path):
    a = tmp_path / "in" / "north" / "matrix.csv"
    b = tmp_path / "in" / "south" / "matrix.csv"
    for p, body in ((a, "expert,x\nE1,1\n"), (b, "expert,x\nE2,2\n")):
        p.parent.mkdir(parents=True)
        p.write_text(body)
    return a, b


def test_copy_inputs_keeps_same_named_files_apart(tmp_path):
    a, b = _two_same_named(tmp_path)
    inputs = hash_inputs([("dematel.survey", str(tmp_path / "in")), ("panel", str(a))])
    out = tmp_path / "run" / "inputs"
    _copy_inputs(inputs, out)
    digest_b = hashlib.sha256(b.read_bytes()).hexdigest()
    copies = [i["copy"] for i in inputs]
    assert copies == ["inputs/dematel_survey/matrix.csv",
                      f"inputs/dematel_survey/matrix.{digest_b[:8]}.csv",
                      "inputs/panel/matrix.csv"]
    for item in inputs:
        assert (tmp_path / "run" / item["copy"]).read_bytes() == Path(item["path"]).read_bytes()
    # deterministic: the same inputs give the same names in another folder
    again = hash_inputs([("dematel.survey", str(tmp_path / "in")), ("panel", str(a))])
    _copy_inputs(again, tmp_path / "run2" / "inputs")
    assert [i["copy"] for i in again] == copies


def test_copy_inputs_copies_identical_files_once(tmp_path):
    a, b = _two_same_named(tmp_path)
    b.write_bytes(a.read_bytes())
    inputs = hash_inputs([("dematel.survey", str(tmp_path / "in"))])
    _copy_inputs(inputs, tmp_path / "run" / "inputs")
    assert [i["copy"] for i in inputs] == ["inputs/dematel_survey/matrix.csv"] * 2
    assert len(list((tmp_path / "run" / "inputs" / "dematel_survey").iterdir())) == 1


def test_every_steps_tables_are_the_same_with_numpy_versions_or_numba_kernels(tmp_path):
    """A first run takes the numpy versions of small kernels; forced to the numba kernels, every
    table of every step of the warm-up config (all steps on) is the same."""
    import warnings

    import polars as pl

    from fastinno.kernels import twins
    from fastinno.main_job.run import run
    from fastinno.main_job.warm_all import warmup_config

    outs = {}
    for mode in ("default", "serial"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if mode == "serial":
                with twins.forced("serial"):
                    run(warmup_config(), out=tmp_path / mode, progress=False, echo=lambda m: None, jit_warmup=False)
            else:
                run(warmup_config(), out=tmp_path / mode, progress=False, echo=lambda m: None, jit_warmup=False)
        outs[mode] = {p.name: pl.read_parquet(p) for p in sorted((tmp_path / mode / "tables").glob("*.parquet"))}
    assert len(outs["default"]) > 20 and outs["default"].keys() == outs["serial"].keys()
    for name, frame in outs["default"].items():
        assert frame.equals(outs["serial"][name]), name
