"""`fastinno evaluate`: output, files written atomically, exit codes."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from fastinno.cli import cli

SYSTEM = """
[input]
rd_staff = "+"
energy = "-"

[output]
patents = "+"
sales = "+"
"""


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for r in ("Beijing", "Tianjin", "Hebei", "Shanxi"):
        for y in (2015, 2016, 2017):
            for ind in ("rd_staff", "energy", "patents", "sales"):
                rows.append({"region": r, "year": y, "indicator": ind, "value": float(rng.uniform(1, 5))})
    panel = tmp_path / "panel.csv"
    pl.DataFrame(rows).write_csv(panel)
    system = tmp_path / "system.toml"
    system.write_text(SYSTEM)
    return panel, system


def test_evaluate_file_writes_tables(runner, files, tmp_path):
    panel, system = files
    out = tmp_path / "res" / "scores.parquet"
    out.parent.mkdir()
    res = runner.invoke(
        cli, ["evaluate", str(panel), "--system", str(system), "--model", "hew-topsis",
              "--scope", "year", "--standardize", "minmax", "--form", "closeness", "--out", str(out)],
    )
    assert res.exit_code == 0, res.output
    assert "scope=year; standardize=minmax; form=closeness" in res.output
    assert "Top 5 regions by year (index)" in res.output
    assert "Compound annual growth 2015-2017" in res.output
    scores = pl.read_parquet(out)
    assert scores.columns == ["region", "year", "index", "input", "output"]
    assert scores.height == 12
    for name in ("growth", "yoy", "weights"):
        assert (out.parent / f"scores_{name}.parquet").exists()
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(
        ["scores.parquet", "scores_growth.parquet", "scores_yoy.parquet", "scores_weights.parquet"]
    )  # no temporary files left behind


def test_evaluate_demo(runner):
    res = runner.invoke(cli, ["evaluate", "--demo", "--standardize", "max-ratio"])
    assert res.exit_code == 0, res.output
    assert "sub-indices: enterprise, university, research_institution" in res.output
    assert "Beijing" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--standardize", "max_ratio"], "max_ratio' needs positive values"),
        (["--scope", "region"], "are constant within a region"),
    ],
)
def test_evaluate_data_errors_exit_2(runner, files, tmp_path, args, message):
    panel, system = files
    df = pl.read_csv(panel)
    if "--scope" in args:  # 'sales' constant in Hebei
        df = df.with_columns(
            pl.when((pl.col("region") == "Hebei") & (pl.col("indicator") == "sales")).then(2.0)
            .otherwise(pl.col("value")).alias("value")
        )
    else:  # a zero cost value
        df = df.with_columns(
            pl.when((pl.col("region") == "Hebei") & (pl.col("indicator") == "energy")).then(0.0)
            .otherwise(pl.col("value")).alias("value")
        )
    bad = tmp_path / "bad.csv"
    df.write_csv(bad)
    res = runner.invoke(cli, ["evaluate", str(bad), "--system", str(system), *args])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1 and message in lines[0]


def test_evaluate_bad_option_is_usage_error(runner, files):
    panel, system = files
    res = runner.invoke(cli, ["evaluate", str(panel), "--system", str(system), "--form", "ratio3"])
    assert res.exit_code == 2
    assert "Invalid value for '--form'" in res.output


def test_evaluate_constant_zero_warns(runner, files, tmp_path):
    panel, system = files
    df = pl.read_csv(panel).with_columns(
        pl.when((pl.col("region") == "Hebei") & (pl.col("indicator") == "sales")).then(2.0)
        .otherwise(pl.col("value")).alias("value")
    )
    p = tmp_path / "c.csv"
    df.write_csv(p)
    res = runner.invoke(cli, ["evaluate", str(p), "--system", str(system), "--scope", "region", "--constant", "zero"])
    assert res.exit_code == 0, res.output
    assert "Warning: indicator(s) constant within a scope cell contribute 0" in res.output
