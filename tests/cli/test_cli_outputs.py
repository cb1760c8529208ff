"""Outputs of the commands: never over an existing result without --force, never over an input,
checked before any computation, named in every message, with the permissions of the umask."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from fastinno.cli import cli
from fastinno.errors import InputError
from fastinno.io.write import atomic_path, write_table

RUN_TOML = """\
title = "permissions"
seed = 1

[panel]
dataset = "six_triangles"
missing = ["interpolate", "drop-region"]

[ideal_solution]
scope = "panel"
"""

# every command that writes one file (or a folder of files): the arguments and the file it writes
WRITERS = {
    "evaluate": (["evaluate", "--demo", "--out", "out.csv"], "out.csv"),
    "combine": (["combine", "--demo", "--out", "out.csv"], "out.csv"),
    "simulate": (["simulate", "--demo", "--draws", "64", "--seed", "1", "--no-progress", "--out", "out.csv"],
                 "out.csv"),
    "bootstrap": (["bootstrap", "--demo", "--replicates", "64", "--seed", "1", "--no-progress", "--out", "out.csv"],
                  "out.csv"),
    "dematel-out": (["dematel", "--demo", "--out", "dem"], "dem/dematel_factors.csv"),
    "dematel-plot": (["dematel", "--demo", "--plot", "ce.png"], "ce.png"),
}
# companion tables each command writes next to --out
COMPANIONS = {
    "evaluate": ("growth", "yoy", "weights"),
    "combine": ("method_weights", "compatibility", "kendall_w"),
    "simulate": ("agreement",),
    "bootstrap": ("agreement", "weights"),
}
# the API function each command computes with (patched to fail: the checks must come first)
COMPUTE = {
    "evaluate": "fastinno.methods.ideal_solution.hew_topsis",
    "combine": "fastinno.methods.combined.combined_evaluation",
    "simulate": "fastinno.robustness.simulate",
    "bootstrap": "fastinno.robustness.bootstrap",
    "dematel-out": "fastinno.methods.dematel.grey_dematel",
    "dematel-plot": "fastinno.methods.dematel.grey_dematel",
}


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def umask():
    """Set the process umask for one test (restored after)."""
    old = os.umask(0o022)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(old)


def _error_lines(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if ln.startswith("Error:")]


def _fail(*args, **kwargs):
    raise AssertionError("the computation ran although an output path was bad")


# --- case 1: an existing output is replaced only with --force -------------------------------


@pytest.mark.parametrize("name", list(WRITERS))
def test_existing_output_is_refused_without_force_and_replaced_with_it(name, runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args, target = WRITERS[name]
    Path(target).parent.mkdir(exist_ok=True)
    Path(target).write_text("precious result\n")
    r = runner.invoke(cli, args)
    assert r.exit_code == 2, r.output
    (line,) = _error_lines(r.output)
    assert f"'{target}' already exists" in line and "--force" in line
    assert Path(target).read_text() == "precious result\n"
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".")]  # no temporary file left
    r = runner.invoke(cli, [*args, "--force"])
    assert r.exit_code == 0, r.output
    assert Path(target).read_bytes() != b"precious result\n"


@pytest.mark.parametrize("name", list(COMPANIONS))
def test_an_existing_companion_table_is_refused_before_computing(name, runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(COMPUTE[name], _fail)
    args, _ = WRITERS[name]
    companion = f"out_{COMPANIONS[name][-1]}.csv"
    Path(companion).write_text("keep me\n")
    r = runner.invoke(cli, args)
    assert r.exit_code == 2, r.output
    assert f"'{companion}' already exists" in _error_lines(r.output)[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [companion]


def test_report_refuses_an_existing_report_without_force(runner, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "report.html").write_text("<p>kept</p>")
    r = runner.invoke(cli, ["report", str(folder)])
    assert r.exit_code == 2
    (line,) = _error_lines(r.output)
    assert "report.html' already exists" in line and "--force" in line
    assert (folder / "report.html").read_text() == "<p>kept</p>"


@pytest.mark.parametrize(
    ("args", "inputs"),
    [
        (["evaluate", "panel.csv", "--out", "panel.csv", "--force"], ["panel.csv"]),
        (["evaluate", "scores.csv", "--out", "scores.csv"], ["scores.csv"]),
        (["evaluate", "p_growth.csv", "--out", "p.csv", "--force"], ["p_growth.csv"]),
        (["dematel", "surveys", "--out", "surveys", "--force"], ["surveys/e1.csv"]),
    ],
    ids=["evaluate-out-is-panel", "evaluate-out-is-panel-no-force", "companion-is-input", "dematel-out-in-survey-folder"],
)
def test_never_writes_over_an_input(args, inputs, runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in inputs:
        Path(name).parent.mkdir(exist_ok=True)
        Path(name).write_text("region,year,indicator,value\nA,2020,x,1\n")
    before = {n: Path(n).read_text() for n in inputs}
    r = runner.invoke(cli, args)
    assert r.exit_code == 2, r.output
    (line,) = _error_lines(r.output)
    assert "input" in line
    assert {n: Path(n).read_text() for n in inputs} == before


def test_run_with_force_never_replaces_a_folder_holding_its_panel(runner, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "panel.csv").write_text("region,year,indicator,value\nA,2020,x,1\nB,2020,x,2\n")
    (tmp_path / "run.toml").write_text('[panel]\npath = "data/panel.csv"\n[ideal_solution]\n')
    r = runner.invoke(cli, ["run", str(tmp_path / "run.toml"), "--out", str(data), "--force", "--quiet"])
    assert r.exit_code == 2, r.output
    assert "holds the panel input" in _error_lines(r.output)[0]
    assert (data / "panel.csv").exists()


# --- case 2: output paths are checked before computing, messages name the target -------------


@pytest.mark.parametrize(
    ("name", "args", "pattern"),
    [
        ("simulate", ["simulate", "--demo", "--draws", "64", "--out", "out.txt"], r"'out.txt': unsupported file type '.txt'"),
        ("evaluate", ["evaluate", "--demo", "--out", "nofolder.csv/out.csv"], r"'nofolder.csv/out.csv'.*not a folder"),
        ("bootstrap", ["bootstrap", "--demo", "--replicates", "64", "--out", "b.png"], r"'b.png': unsupported"),
        ("dematel-plot", ["dematel", "--demo", "--plot", "ce.csv"], r"'ce.csv': unsupported file type"),
        ("combine", ["combine", "--demo", "--out", "out"], r"'out': unsupported file type '\(none\)'"),
    ],
    ids=["simulate-suffix", "evaluate-parent-is-a-file", "bootstrap-suffix", "dematel-plot-suffix", "combine-no-suffix"],
)
def test_bad_output_is_found_before_the_computation(name, args, pattern, runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("nofolder.csv").write_text("x\n")
    monkeypatch.setattr(COMPUTE[name], _fail)
    r = runner.invoke(cli, args)
    assert r.exit_code == 2, r.output
    (line,) = _error_lines(r.output)
    assert re.search(pattern, line), line
    assert ".tmp" not in line and "fastinno_out" not in line


def test_unwritable_folder_is_found_before_the_computation(runner, tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    real_access = os.access
    # root may write anywhere: make the folder look read-only as it is for everyone else
    monkeypatch.setattr("fastinno.io.write.os.access",
                        lambda p, mode: False if Path(p) == locked else real_access(p, mode))
    monkeypatch.setattr(COMPUTE["simulate"], _fail)
    r = runner.invoke(cli, ["simulate", "--demo", "--draws", "64", "--out", str(locked / "s.csv")])
    locked.chmod(0o755)
    assert r.exit_code == 2, r.output
    (line,) = _error_lines(r.output)
    assert f"'{locked / 's.csv'}'" in line and "not writable" in line
    assert list(locked.iterdir()) == []


def test_a_failed_write_names_the_target_not_the_temporary_file(tmp_path):
    target = tmp_path / "out.csv"
    target.mkdir()  # os.replace of a file onto a folder fails
    with pytest.raises(InputError, match=r"Cannot write '.*out\.csv'") as info:
        write_table(pl.DataFrame({"a": [1]}), target)
    assert ".tmp" not in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    with pytest.raises(InputError, match=r"Cannot write '.*x\.bin': No space left"), atomic_path(tmp_path / "x.bin"):
        raise OSError(28, "No space left on device", str(tmp_path / ".x.bin.123.tmp"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


# --- case 3: permissions follow the umask --------------------------------------------------------


def _modes(folder: Path) -> tuple[set[int], set[int]]:
    files = {stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*") if p.is_file()}
    folders = {stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")] if p.is_dir()}
    return files, folders


@pytest.mark.parametrize(("mask", "file_mode", "folder_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)],
                         ids=["umask-022", "umask-077"])
def test_run_folder_permissions_follow_the_umask(mask, file_mode, folder_mode, umask, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("FASTINNO_JIT_WARMUP", "0")
    (tmp_path / "run.toml").write_text(RUN_TOML)
    umask(mask)
    out = tmp_path / "res"
    r = runner.invoke(cli, ["run", str(tmp_path / "run.toml"), "--out", str(out), "--quiet", "--excel"])
    assert r.exit_code == 0, r.output
    for name in ("run.json", "report.html", "tables.xlsx", "tables", "figures"):
        assert (out / name).exists(), name
    assert any((out / "figures").iterdir()) and any((out / "tables").iterdir())
    assert _modes(out) == ({file_mode}, {folder_mode})


@pytest.mark.parametrize(("mask", "file_mode", "folder_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)],
                         ids=["umask-022", "umask-077"])
def test_single_file_outputs_follow_the_umask(mask, file_mode, folder_mode, umask, runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    umask(mask)
    for args in (["evaluate", "--demo", "--out", "new/e.csv"],
                 ["simulate", "--demo", "--draws", "64", "--seed", "1", "--no-progress", "--out", "s.parquet"],
                 ["dematel", "--demo", "--out", "dem", "--plot", "ce.svg"]):
        r = runner.invoke(cli, args)
        assert r.exit_code == 0, r.output
    files, _ = _modes(tmp_path)
    assert len(list(tmp_path.rglob("*.*"))) >= 10
    assert files == {file_mode}
    assert {stat.S_IMODE((tmp_path / name).stat().st_mode) for name in ("new", "dem")} == {folder_mode}
