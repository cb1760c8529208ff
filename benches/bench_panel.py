"""Loading a county-scale panel from Parquet into a Panel vs a bare polars read + pivot."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from make_county_panel import make_county_panel, system_toml

import fastinno as fi

SHAPES = {"county": (2800, 20, 30), "small": (200, 10, 12)}


@pytest.fixture(scope="module", params=list(SHAPES))
def county_files(request, tmp_path_factory):
    n_r, n_t, n_j = SHAPES[request.param]
    wide, system = make_county_panel(n_r, n_t, n_j, seed=0)
    d = tmp_path_factory.mktemp(request.param)
    wide.write_parquet(d / "wide.parquet")
    wide.unpivot(index=["region", "year"], variable_name="indicator", value_name="value").write_parquet(d / "long.parquet")
    (d / "system.toml").write_text(system_toml(system))
    return request.param, d, (n_r, n_t, n_j)


def _baseline_wide(path, shape):
    df = pl.read_parquet(path).sort("region", "year")
    return df.drop("region", "year").to_numpy().reshape(shape)


def _baseline_long(path, shape):
    df = pl.read_parquet(path).pivot(on="indicator", index=["region", "year"], values="value").sort("region", "year")
    return df.drop("region", "year").to_numpy().reshape(shape)


@pytest.mark.parametrize("layout", ["wide", "long"])
@pytest.mark.parametrize("impl", ["fastinno", "numpy"])
def test_load_panel(benchmark, tag, county_files, layout, impl):
    name, d, shape = county_files
    tag(f"load_panel_{layout}", name)
    path = d / f"{layout}.parquet"
    system = fi.read_system(d / "system.toml")
    # The baseline's column order is the file's; the system's order is dim1..dimK, i.e. the same here.
    if impl == "fastinno":
        fn = lambda: fi.read_panel(path, system).cube  # noqa: E731
    else:
        base = _baseline_wide if layout == "wide" else _baseline_long
        fn = lambda: base(path, shape)  # noqa: E731
    cube = benchmark(fn)
    expected = _baseline_wide(d / "wide.parquet", shape)
    assert cube.shape == shape
    npt.assert_array_equal(np.asarray(cube), expected)
