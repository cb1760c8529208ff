"""Loading a county-scale panel from Parquet into a Panel vs a bare polars read + pivot."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import numpy.testing as npt
import polars as pl
from benchkit import register
from make_county_panel import make_county_panel, system_toml

import fastinno as fi

SHAPES = {"county": (2800, 20, 30), "small": (200, 10, 12)}
_TMP = tempfile.TemporaryDirectory(prefix="fastinno-bench-")  # removed at exit


@lru_cache(maxsize=2)
def county_files(shape: tuple[int, int, int]) -> Path:
    """A folder with the synthetic panel as wide.parquet, long.parquet and system.toml."""
    n_r, n_t, n_j = shape
    wide, system = make_county_panel(n_r, n_t, n_j, seed=0)
    d = Path(_TMP.name) / "x".join(map(str, shape))
    d.mkdir()
    wide.write_parquet(d / "wide.parquet")
    wide.unpivot(index=["region", "year"], variable_name="indicator", value_name="value").write_parquet(d / "long.parquet")
    (d / "system.toml").write_text(system_toml(system))
    return d


def baseline_wide(path, shape):
    df = pl.read_parquet(path).sort("region", "year")
    return df.drop("region", "year").to_numpy().reshape(shape)


def baseline_long(path, shape):
    df = pl.read_parquet(path).pivot(on="indicator", index=["region", "year"], values="value").sort("region", "year")
    return df.drop("region", "year").to_numpy().reshape(shape)


def _setup(layout):
    def setup(shape):
        d = county_files(shape)
        return SimpleNamespace(
            d=d, shape=shape, path=d / f"{layout}.parquet", system=fi.read_system(d / "system.toml")
        )

    return setup


def _agree(got, want):
    assert got.shape == want.shape
    npt.assert_array_equal(np.asarray(got), want)


for _layout, _base in (("wide", baseline_wide), ("long", baseline_long)):
    register(
        f"load_panel_{_layout}",
        setup=_setup(_layout),
        impls={
            "fastinno": lambda s: fi.read_panel(s.path, s.system).cube,
            # the baseline's column order is the file's; the system's order is dim1..dimK, i.e. the same here
            "numpy": lambda s, base=_base: base(s.path, s.shape),
        },
        shapes=SHAPES,
        # both layouts are checked against the cube of the wide file
        reference=lambda s: baseline_wide(s.d / "wide.parquet", s.shape),
        agree=_agree,
        warm=False,
    )
