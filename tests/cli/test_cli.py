"""CLI basics: version, help, inspect, one-line errors with exit status 2."""

from __future__ import annotations

import polars as pl
import pytest
from click.testing import CliRunner

from fastinno import __version__
from fastinno.cli import cli


@pytest.fixture
def runner():
    return CliRunner()


def test_version_and_help(runner):
    r = runner.invoke(cli, ["--version"])
    assert r.exit_code == 0 and __version__ in r.output
    r = runner.invoke(cli, ["--help"])
    assert r.exit_code == 0 and "inspect" in r.output


def test_inspect_demo_reports_missing_cells_and_exits_0(runner):
    r = runner.invoke(cli, ["inspect", "--demo"])
    assert r.exit_code == 0, r.output
    out = r.output
    assert "Panel(16 regions x 9 years (2009-2017) x 9 indicators)" in out
    assert "Indicators (9) in 3 dimension(s):" in out
    assert "Missing cells (30):" in out
    assert "Jiangxi / research_institution_st_output: all years" in out
    assert "Guangdong / research_institution_st_output: 2011" in out
    assert "Warning" not in out


def test_inspect_missing_error_exits_2_with_one_line(runner):
    r = runner.invoke(cli, ["inspect", "--demo", "--missing", "error"])
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: 30 missing cell(s)")
    assert "Traceback" not in r.output


def test_inspect_file_with_system(runner, tmp_path):
    df = pl.DataFrame({"region": ["A", "A", "B", "B"], "year": [2020, 2021, 2020, 2021], "x": [1.0, 2.0, 3.0, None], "y": [4.0, 5.0, 6.0, 7.0]})
    panel = tmp_path / "p.csv"
    df.write_csv(panel)
    system = tmp_path / "s.toml"
    system.write_text("[dim]\nx = '+'\ny = '-'\n")
    r = runner.invoke(cli, ["inspect", str(panel), "--system", str(system)])
    assert r.exit_code == 0, r.output
    assert "B / x: 2021" in r.output and "- y" in r.output
    r = runner.invoke(cli, ["inspect", str(panel), "--system", str(system), "--missing", "interpolate"])
    assert r.exit_code == 0 and "Missing cells: none" in r.output and "Warning: Missing-value policy changed the panel" in r.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inspect", "nothere.csv"], "Error: Panel file 'nothere.csv' does not exist."),
        (["inspect", "--demo", "--missing", "fill"], "Error: Unknown missing-value policy 'fill'"),
    ],
)
def test_errors_are_one_line_exit_2(runner, args, message):
    r = runner.invoke(cli, args)
    assert r.exit_code == 2
    assert r.output.strip().startswith(message) and len(r.output.strip().splitlines()) == 1


def test_debug_shows_traceback(runner):
    r = runner.invoke(cli, ["--debug", "inspect", "nothere.csv"])
    assert r.exit_code == 2 and "Traceback" in r.output


def test_usage_errors(runner):
    r = runner.invoke(cli, ["inspect"])
    assert r.exit_code == 2 and "Missing argument 'PANEL'" in r.output


def test_help_imports_no_numerics():
    import subprocess
    import sys

    code = ("import sys, fastinno.cli; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'polars', 'numba', 'matplotlib'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_python_dash_m():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "fastinno.cli", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and __version__ in r.stdout


def test_simulate_rank_memory_switches_to_rank_histograms(tmp_path):
    runner = CliRunner()
    r = runner.invoke(cli, ["simulate", "--demo", "--draws", "64", "--seed", "1", "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "rank quantiles exact" in r.output
    r = runner.invoke(cli, ["simulate", "--demo", "--draws", "64", "--seed", "1", "--no-progress",
                            "--rank-memory", "1KB", "--out", str(tmp_path / "s.csv")])
    assert r.exit_code == 0, r.output
    assert "rank quantiles in bins of" in r.output
