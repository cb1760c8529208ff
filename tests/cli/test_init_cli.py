"""The first run: ``fastinno init`` (a starter study that runs from any working directory),
``fastinno run --help`` (the config sections), ``fastinno warmup`` and the first-run notice."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

import fastinno.main_job
from fastinno import _kernel_cache as kernel_cache
from fastinno.cli import cli
from fastinno.io.read import loads_toml
from fastinno.main_job import load_config, warmup
from fastinno.main_job.steps import STEPS, WARM_DRAWS, load_panel
from fastinno.main_job.warm_all import warmup_config

STARTER = {"study.toml", "panel.csv", "system.toml", "survey/survey_long.csv",
           "survey/factors.csv", "survey/expert_weights.csv", "survey/README.md"}


@pytest.fixture
def runner():
    return CliRunner()


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def test_init_writes_a_study_that_runs_from_another_folder(runner, tmp_path, monkeypatch):
    study = tmp_path / "studies" / "my-study"
    r = runner.invoke(cli, ["init", str(study)])
    assert r.exit_code == 0, r.output
    assert _files(study) == STARTER
    assert f"fastinno run {study / 'study.toml'}" in r.stdout
    assert f"edit {study / 'study.toml'}" in r.stdout

    raw = loads_toml((study / "study.toml").read_text())
    # every path in the config is relative (to the config's folder)
    paths = [raw["out"], raw["panel"]["path"], raw["panel"]["system"], raw["dematel"]["survey"],
             raw["dematel"]["factors"], raw["dematel"]["expert_weights"]]
    assert paths == ["results", "panel.csv", "system.toml", "survey/survey_long.csv",
                     "survey/factors.csv", "survey/expert_weights.csv"]
    assert not any(s.startswith(("/", "~")) or str(tmp_path) in s for s in _strings(raw))
    assert "dataset" not in raw["panel"]
    # the starter's panel is the demo panel, read from the study's files
    cfg = load_config(study / "study.toml")
    demo = load_config(fastinno.main_job.demo_config_path())
    assert list(cfg["steps"]) == list(demo["steps"])
    with pytest.warns(Warning):
        mine = load_panel(cfg["panel"])
    from fastinno.datasets import demo_panel

    ref = demo_panel()
    assert mine.regions == ref.regions and mine.years == ref.years
    assert mine.indicators == ref.indicators
    np.testing.assert_array_equal(mine.cube, ref.cube)

    # fewer draws for the test; run from an unrelated working directory
    text = (study / "study.toml").read_text()
    assert "draws = 2000" in text
    (study / "study.toml").write_text(text.replace("draws = 2000", "draws = 64"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    r = runner.invoke(cli, ["run", "../studies/my-study/study.toml", "--quiet"])
    assert r.exit_code == 0, r.output
    report = study / "results" / "report.html"
    assert report.is_file() and report.stat().st_size > 10_000
    assert r.stdout.strip() == f"Report: {report}"
    assert list(elsewhere.iterdir()) == []  # nothing lands in the working directory
    assert (study / "results" / "tables" / "dematel_factors.parquet").is_file()
    # without `out` (and no --out) the output lands beside the config, not in the working folder
    text = (study / "study.toml").read_text()
    (study / "study.toml").write_text(text.replace('out = "results"', "").replace(
        "[simulate]", "[simulate]\nenabled = false").replace("[dematel]", "[dematel]\nenabled = false"))
    r = runner.invoke(cli, ["run", "../studies/my-study/study.toml", "--quiet"])
    assert r.exit_code == 0, r.output
    assert (study / "fastinno-run" / "report.html").is_file()
    assert list(elsewhere.iterdir()) == []


def test_init_refuses_a_folder_that_is_not_empty(runner, tmp_path):
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    r = runner.invoke(cli, ["init", str(folder)])
    assert r.exit_code == 2
    assert "is not empty" in r.stderr and "--force" in r.stderr
    assert _files(folder) == {"notes.txt"}
    r = runner.invoke(cli, ["init", str(folder), "--force"])
    assert r.exit_code == 0, r.output
    assert _files(folder) == STARTER | {"notes.txt"}
    assert (folder / "notes.txt").read_text() == "mine"
    # an empty folder is fine without --force; a file is not a folder
    (tmp_path / "empty").mkdir()
    assert runner.invoke(cli, ["init", str(tmp_path / "empty")]).exit_code == 0
    r = runner.invoke(cli, ["init", str(folder / "notes.txt"), "--force"])
    assert r.exit_code != 0


def test_run_help_lists_every_config_section(runner):
    r = runner.invoke(cli, ["run", "--help"])
    assert r.exit_code == 0, r.output
    text = r.output
    assert "Examples:" in text and "Config sections" in text
    for s in STEPS:
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(f"[{s.name}]"))
        assert s.title.split(" ")[0] in line
    for sec in ("[panel]", "[figures]", "[output]"):
        assert sec in text
    assert "copy_inputs" in text and "forecast_regions" in text
    assert text.index("[panel]") < text.index(f"[{STEPS[0].name}]") < text.index("[output]")


def test_warmup_runs_every_step(monkeypatch):
    cfg = warmup_config()
    steps = list(cfg["steps"])
    assert {"ideal_solution", "combined", "simulate", "bootstrap", "forecast", "dematel"} <= set(steps)
    assert cfg["steps"]["simulate"]["options"]["draws"] == WARM_DRAWS
    assert cfg["steps"]["bootstrap"]["options"]["replicates"] == WARM_DRAWS
    assert cfg["out"] is None and cfg["output"] == {"excel": False, "csv": False,
                                                    "copy_inputs": False}


def test_warmup_command_reports_each_step_and_the_cache(runner, monkeypatch):
    calls = []

    def fake(echo=None, parallel=True):
        for i, name in enumerate(["panel", "ideal_solution", "report"], 1):
            echo(f"[{i}/3] {name:<15} {0.5:7.2f} s")
        calls.append(parallel)
        return {"steps": {}, "seconds": 1.5, "cache": "/x"}

    import fastinno.main_job.warm_all as wa

    monkeypatch.setattr(wa, "warm_all", fake)
    r = runner.invoke(cli, ["warmup"])
    assert r.exit_code == 0, r.output
    assert "[2/3] ideal_solution" in r.stderr
    assert "Done in 1.5 s" in r.stdout and "numba's cache: " in r.stdout
    assert warmup.cache_location() in r.stdout
    r = runner.invoke(cli, ["warmup", "--quiet"])
    assert r.exit_code == 0 and r.output == "" and calls == [True, True]
    r = runner.invoke(cli, ["warmup", "--quiet", "--no-parallel"])
    assert r.exit_code == 0 and calls == [True, True, False]


@pytest.mark.slow
def test_warmup_command_compiles_every_step(runner):
    r = runner.invoke(cli, ["warmup"])
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("[")]
    names = [ln.split()[1] for ln in lines]
    assert names == ["panel", *warmup_config()["steps"], "report"] * 2  # serial, then parallel twins
    assert "Parallel variants" in r.stderr
    assert "Done in" in r.stdout
    assert not warmup.kernels_cold([s.name for s in STEPS])
    again = runner.invoke(cli, ["warmup", "--quiet"])  # idempotent
    assert again.exit_code == 0 and again.output == ""


# -- the first-run notice ---------------------------------------------------------------------


@pytest.fixture
def fake_run(monkeypatch, tmp_path):
    """``fastinno run`` without running: the CLI's notice logic only."""
    seen = {}

    def run(config, **kw):
        seen.update(kw)
        return SimpleNamespace(report=tmp_path / "report.html")

    monkeypatch.setattr(fastinno.main_job, "run", run)
    return seen


@pytest.mark.parametrize("cold", [True, False])
def test_run_and_demo_say_first_run_once_when_cold(runner, fake_run, monkeypatch, cold):
    monkeypatch.setattr(kernel_cache, "kernels_cold", lambda steps: cold)
    for args in (["demo", "--out", "x"], ["run", str(fastinno.main_job.demo_config_path())]):
        r = runner.invoke(cli, args)
        assert r.exit_code == 0, r.output
        assert r.stderr.count("First run: compiling") == (1 if cold else 0)
        assert "fastinno warmup" in r.stderr or not cold
        quiet = runner.invoke(cli, [*args, "--quiet"])
        assert quiet.exit_code == 0 and "First run" not in quiet.output


def test_evaluate_says_first_run_when_cold_and_marks_the_cache(runner, monkeypatch):
    state = {"cold": True, "marked": []}
    monkeypatch.setattr(kernel_cache, "kernels_cold", lambda steps: state["cold"])
    monkeypatch.setattr(kernel_cache, "mark_warm", lambda steps: state["marked"].append(steps))
    r = runner.invoke(cli, ["evaluate", "--demo", "--top", "1"])
    assert r.exit_code == 0, r.output
    assert "First run: compiling fastinno's kernels" in r.stderr
    assert state["marked"] == [["ideal_solution"]]
    state["cold"] = False
    r = runner.invoke(cli, ["evaluate", "--demo", "--top", "1"])
    assert r.exit_code == 0 and "First run" not in r.output
