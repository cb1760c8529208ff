"""`fastinno compare` and `fastinno evaluate --method`: output, files, exit codes."""

from __future__ import annotations

import numpy.testing as npt
import polars as pl
import pytest
from click.testing import CliRunner

import fastinno as fi
from fastinno.cli import cli
from fastinno.methods import registry as reg


@pytest.fixture
def runner():
    return CliRunner()


def test_compare_writes_tables_and_figure(runner, tmp_path):
    out = tmp_path / "cmp"
    args = ["compare", "--demo", "--methods", "topsis,gra", "--weights", "equal,entropy",
            "--normalize", "own,minmax", "--correlations", "spearman,kendall", "--out", str(out)]
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "6 configurations" in res.output and "Kendall's W" in res.output
    for name in ("scores", "correlation", "agreement", "reversals", "stability"):
        assert (out / f"compare_{name}.csv").stat().st_size > 0
    assert (out / "compare.png").read_bytes()[:4] == b"\x89PNG"
    api = fi.compare_methods(fi.datasets.demo_panel(), methods=["topsis", "gra"], weights=["equal", "entropy"],
                             normalize=[None, "minmax"], correlations=["spearman", "kendall"])
    agree = pl.read_csv(out / "compare_agreement.csv")
    npt.assert_allclose(agree["kendall_w"].to_numpy(), api.agreement["kendall_w"].to_numpy(), rtol=1e-9)
    # existing output: refused without --force, replaced with it
    again = runner.invoke(cli, args)
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(cli, [*args, "--force"]).exit_code == 0


def test_compare_errors_are_one_line(runner, monkeypatch):
    res = runner.invoke(cli, ["compare", "--demo", "--methods", "topsis,nope"])
    assert res.exit_code == 2 and "Unknown method 'nope'" in res.output
    monkeypatch.delitem(reg.METHODS, "marcos")  # a known name without a registry entry
    res = runner.invoke(cli, ["compare", "--demo", "--methods", "topsis,marcos"])
    assert res.exit_code == 2
    assert "not available in this installation" in res.output
    assert res.output.count("Error:") == 1


def test_evaluate_method_option(runner, tmp_path):
    out = tmp_path / "s.csv"
    res = runner.invoke(cli, ["evaluate", "--demo", "--method", "topsis", "--weights", "entropy",
                              "--normalize", "vector", "--top", "2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Method: topsis; weights=entropy; normalize=vector" in res.output
    api = fi.evaluate(fi.datasets.demo_panel(), method="topsis", weights="entropy", normalize="vector")
    got = pl.read_csv(out)
    npt.assert_allclose(got["score"].to_numpy(), api.scores["score"].to_numpy(), rtol=1e-9)
    assert (tmp_path / "s_weights.csv").exists()
    # the default stays the ideal-solution model
    res = runner.invoke(cli, ["evaluate", "--demo", "--top", "2"])
    assert res.exit_code == 0 and "Model: hew-topsis" in res.output
    res = runner.invoke(cli, ["evaluate", "--demo", "--method", "topsys"])
    assert res.exit_code == 2


def test_existing_output_is_refused_before_computing(runner, tmp_path, monkeypatch):
    out = tmp_path / "cmp"
    out.mkdir()
    (out / "compare_agreement.csv").write_text("x\n")

    def boom(*a, **k):
        raise AssertionError("computed before checking the outputs")

    monkeypatch.setattr("fastinno.methods.compare.compare_methods", boom)
    res = runner.invoke(cli, ["compare", "--demo", "--out", str(out)])
    assert res.exit_code == 2 and "compare_agreement.csv" in res.output and "--force" in res.output
