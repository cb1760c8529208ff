"""`fastinno disparity`: tables and figure equal the API, errors are one line with exit status 2."""

from __future__ import annotations

import numpy.testing as npt
import polars as pl
import pytest
from click.testing import CliRunner
from regional_cases import groups_table

import fastinno as fi
from fastinno.cli import cli

pytestmark = pytest.mark.filterwarnings("ignore:group .*:fastinno.errors.FastinnoWarning")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("disp")
    scores = fi.hew_topsis(fi.datasets.demo_panel()).scores
    scores.write_csv(folder / "scores.csv")
    groups_table().write_csv(folder / "groups.csv")
    return folder, scores


@pytest.fixture
def runner():
    return CliRunner()


def test_disparity_folder_output_matches_the_api(runner, inputs, tmp_path):
    folder, scores = inputs
    out = tmp_path / "disp"
    args = ["disparity", str(folder / "scores.csv"), "--groups", str(folder / "groups.csv"), "--bootstrap", "30",
            "--seed", "4", "--convergence", "--out", str(out), "--plot", str(tmp_path / "dagum.png")]
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "Dagum decomposition" in res.output and "Beta convergence" in res.output
    names = ["overall", "theil", "theil_groups", "dagum", "dagum_within", "dagum_between", "beta", "sigma",
             "sigma_trend"]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"disparity_{n}.csv" for n in names)
    groups = dict(groups_table().iter_rows())
    api = fi.disparity(scores, groups=groups, bootstrap=30, seed=4)
    got = pl.read_csv(out / "disparity_overall.csv")
    npt.assert_allclose(got["value"].to_numpy(), api.overall["value"].to_numpy(), rtol=1e-12)
    npt.assert_allclose(got["lower"].to_numpy(), api.overall["lower"].to_numpy(), rtol=1e-12)
    dag = pl.read_csv(out / "disparity_dagum.csv")
    npt.assert_allclose(dag["transvariation"].to_numpy(), api.dagum["transvariation"].to_numpy(), rtol=1e-12)
    conv = fi.convergence(scores, column="index", groups=groups)
    sig = pl.read_csv(out / "disparity_sigma.csv")
    npt.assert_allclose(sig["cv"].to_numpy(), conv.sigma["cv"].to_numpy(), rtol=1e-12)
    assert (tmp_path / "dagum.png").read_bytes()[:4] == b"\x89PNG"
    # existing outputs: refused without --force (before computing), replaced with it
    again = runner.invoke(cli, args)
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(cli, [*args, "--force"]).exit_code == 0


def test_disparity_table_file_output_without_groups(runner, inputs, tmp_path):
    folder, scores = inputs
    out = tmp_path / "d.parquet"
    res = runner.invoke(cli, ["disparity", str(folder / "scores.csv"), "--measures", "cv,gini", "--column",
                              "enterprise", "--out", str(out), "--plot", str(tmp_path / "d.svg")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.parquet", "d.svg"]
    api = fi.disparity(scores, column="enterprise", measures=["cv", "gini"])
    got = pl.read_parquet(out)
    assert got["measure"].unique(maintain_order=True).to_list() == ["cv", "gini"]
    npt.assert_allclose(got["value"].to_numpy(), api.overall["value"].to_numpy(), rtol=1e-12)
    # with --convergence the other tables go next to it
    out2 = tmp_path / "e.csv"
    assert runner.invoke(cli, ["disparity", str(folder / "scores.csv"), "--convergence", "--out",
                               str(out2)]).exit_code == 0
    assert {"e.csv", "e_beta.csv", "e_sigma.csv", "e_sigma_trend.csv"} <= {p.name for p in tmp_path.iterdir()}


@pytest.mark.parametrize("extra,message", [
    (["--measures", "gini,foo"], "Unknown measure 'foo'"),
    (["--measures", "dagum"], "needs groups"),
    (["--column", "nope"], "no column 'nope'"),
    (["--group-column", "group"], "--group-column applies to --groups"),
    (["--bootstrap", "-3"], "not in the range x>=0"),
])
def test_disparity_errors_are_one_line(runner, inputs, extra, message):
    folder, _ = inputs
    res = runner.invoke(cli, ["disparity", str(folder / "scores.csv"), *extra])
    assert res.exit_code == 2
    assert message in res.output
    assert res.output.count("Error:") == 1


def test_disparity_bad_groups_file(runner, inputs, tmp_path):
    folder, _ = inputs
    bad = tmp_path / "g.csv"
    pl.DataFrame({"province": ["Beijing"], "group": ["x"]}).write_csv(bad)
    res = runner.invoke(cli, ["disparity", str(folder / "scores.csv"), "--groups", str(bad)])
    assert res.exit_code == 2 and "no 'region' column" in res.output
    part = tmp_path / "h.csv"
    groups_table().head(5).write_csv(part)
    res = runner.invoke(cli, ["disparity", str(folder / "scores.csv"), "--groups", str(part)])
    assert res.exit_code == 2 and "have no group" in res.output and res.output.count("Error:") == 1
