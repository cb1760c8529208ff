"""`fastinno spatial`: Moran's I, LISA clusters and the spatial Markov chain equal the API; errors
are one line with exit status 2."""

from __future__ import annotations

import json

import numpy.testing as npt
import polars as pl
import pytest
from click.testing import CliRunner
from regional_cases import borders_table, province_grid

import fastinno as fi
from fastinno.cli import cli


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spatial")
    scores = fi.hew_topsis(fi.datasets.demo_panel()).scores
    scores.write_csv(folder / "scores.csv")
    borders_table().write_csv(folder / "borders.csv")
    (folder / "grid.geojson").write_text(json.dumps(province_grid("name")))
    return folder, scores


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.filterwarnings("ignore:.*reducible|.*quantiles repeat")
def test_spatial_folder_output_matches_the_api(runner, inputs, tmp_path):
    folder, scores = inputs
    out = tmp_path / "sp"
    args = ["spatial", str(folder / "scores.csv"), "--neighbours", str(folder / "borders.csv"),
            "--permutations", "99", "--seed", "2", "--markov", "--classes", "3", "--out", str(out),
            "--plot", str(tmp_path / "moran.png")]
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "Global Moran's I" in res.output and "Spatial Markov" in res.output
    names = ["moran", "lisa", "markov_transitions", "markov_ergodic", "markov_first_passage", "markov_cuts"]
    assert sorted(p.name for p in out.iterdir()) == sorted(f"spatial_{n}.csv" for n in names)
    nb = fi.neighbours(borders_table())
    api = fi.moran(scores, neighbours=nb, permutations=99, seed=2)
    got = pl.read_csv(out / "spatial_moran.csv")
    npt.assert_allclose(got["moran_i"].to_numpy(), api.global_["moran_i"].to_numpy(), rtol=1e-12)
    npt.assert_allclose(got["p_value"].to_numpy(), api.global_["p_value"].to_numpy(), rtol=1e-12)
    lisa = pl.read_csv(out / "spatial_lisa.csv")
    assert lisa["cluster"].to_list() == api.local["cluster"].to_list()
    npt.assert_allclose(lisa["local_i"].to_numpy(), api.local["local_i"].to_numpy(), rtol=1e-12)
    # the Moran scatter's points: sum z * lag / sum z^2 is Moran's I (no island)
    last = lisa.filter(pl.col("year") == 2017)
    i = (last["z"] * last["lag"]).sum() / (last["z"] ** 2).sum()
    assert i == pytest.approx(api.global_["moran_i"][-1], rel=1e-12)
    mk = fi.markov(scores, classes=3, neighbours=nb)
    tr = pl.read_csv(out / "spatial_markov_transitions.csv")
    npt.assert_array_equal(tr["count"].to_numpy(), mk.transitions["count"].to_numpy())
    assert (tmp_path / "moran.png").read_bytes()[:4] == b"\x89PNG"
    again = runner.invoke(cli, args)
    assert again.exit_code == 2 and "--force" in again.output


def test_spatial_geojson_and_table_file(runner, inputs, tmp_path):
    folder, scores = inputs
    out = tmp_path / "m.csv"
    res = runner.invoke(cli, ["spatial", str(folder / "scores.csv"), "--neighbours", str(folder / "grid.geojson"),
                              "--key", "name", "--contiguity", "rook", "--permutations", "0", "--year", "2012",
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv", "m_lisa.csv"]
    api = fi.moran(scores, neighbours=fi.neighbours(province_grid("name"), key="name", contiguity="rook"),
                   permutations=0)
    npt.assert_allclose(pl.read_csv(out)["moran_i"].to_numpy(), api.global_["moran_i"].to_numpy(), rtol=1e-12)
    assert "in 2012" in res.output


@pytest.mark.parametrize("extra,message", [
    (["--classes", "3"], "--classes applies to --markov"),
    (["--year", "1990"], "--year 1990 is not in the scores"),
    (["--column", "nope"], "no column 'nope'"),
    (["--contiguity", "bishop"], "Invalid value for '--contiguity'"),
    (["--alpha", "1.5"], "--alpha"),
])
def test_spatial_errors_are_one_line(runner, inputs, extra, message):
    folder, _ = inputs
    res = runner.invoke(cli, ["spatial", str(folder / "scores.csv"), "--neighbours", str(folder / "borders.csv"),
                              "--permutations", "0", *extra])
    assert res.exit_code == 2
    assert message in res.output
    assert res.output.count("Error:") == 1


def test_spatial_bad_neighbour_files(runner, inputs, tmp_path):
    folder, _ = inputs
    bad = tmp_path / "links.csv"
    pl.DataFrame({"a": ["Beijing"], "b": ["Tianjin"]}).write_csv(bad)
    res = runner.invoke(cli, ["spatial", str(folder / "scores.csv"), "--neighbours", str(bad)])
    assert res.exit_code == 2 and "no column 'region'" in res.output
    res = runner.invoke(cli, ["spatial", str(folder / "scores.csv"), "--neighbours", str(folder / "grid.geojson")])
    assert res.exit_code == 2 and res.output.count("Error:") == 1  # key "code" names no feature
    res = runner.invoke(cli, ["spatial", str(folder / "scores.csv")])
    assert res.exit_code == 2 and "--neighbours" in res.output
