"""Every command's --help ends with examples, and the examples run."""

from __future__ import annotations

import shlex

import pytest
from click.testing import CliRunner

from fastinno.cli import cli

MAIN_JOB = ("run", "demo", "report")  # the whole main job: minutes, so only in the slow test
#: Examples that need files of the user's (a study folder, a neighbours file) or compile everything.
PARSE_ONLY = ("init", "warmup", "spatial")

ANALYSIS_TOML = """\
title = "Example analysis"
seed = 1

[panel]
dataset = "six_triangles"
missing = ["interpolate", "drop-region"]

[ideal_solution]
scope = "panel"
"""


def examples(name: str) -> list[list[str]]:
    """The ``fastinno ...`` lines of a command's epilog, as argument lists (without ``fastinno``)."""
    epilog = cli.commands[name].epilog or ""
    return [shlex.split(line.strip())[1:] for line in epilog.splitlines() if line.strip().startswith("fastinno ")]


def run_examples(name: str, folder, monkeypatch) -> None:
    monkeypatch.chdir(folder)
    runner = CliRunner()
    for args in examples(name):
        r = runner.invoke(cli, args)
        assert r.exit_code == 0, f"fastinno {shlex.join(args)}\n{r.output}"


def test_every_command_has_examples_at_the_end_of_its_help():
    runner = CliRunner()
    assert set(cli.commands) == {"inspect", "evaluate", "combine", "compare", "dematel", "forecast", "simulate",
                                 "bootstrap", "disparity", *PARSE_ONLY, *MAIN_JOB}
    for name in cli.commands:
        found = examples(name)
        assert 1 <= len(found) <= 2, name
        assert name in {args[0] for args in found}, name
        r = runner.invoke(cli, [name, "--help"])
        assert r.exit_code == 0
        lines = [ln.strip() for ln in r.output.splitlines() if ln.strip()]
        assert lines[-len(found):] == [f"fastinno {shlex.join(args)}" for args in found], name


@pytest.mark.parametrize("name", ["inspect", "evaluate", "combine", "compare", "dematel", "forecast", "simulate",
                                  "bootstrap", "disparity"])
def test_examples_run(name, tmp_path, monkeypatch):
    run_examples(name, tmp_path, monkeypatch)


@pytest.mark.parametrize("name", MAIN_JOB + PARSE_ONLY)
def test_main_job_examples_parse(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo-run").mkdir()
    for name_ in ("scores.csv", "links.csv"):  # files the examples name (click checks they exist)
        (tmp_path / name_).write_text("region,year\n")
    for args in examples(name):
        cmd = cli.commands[args[0]]
        with cmd.make_context(args[0], args[1:]) as ctx:
            assert ctx.params


@pytest.mark.slow
@pytest.mark.parametrize("name", MAIN_JOB)
def test_main_job_examples_run(name, tmp_path, monkeypatch):
    (tmp_path / "analysis.toml").write_text(ANALYSIS_TOML)
    run_examples(name, tmp_path, monkeypatch)
