"""Spatial autocorrelation: global Moran's I + local Moran (LISA), 999 permutations each, on a
queen contiguity of unit squares (``scripts/grid_geojson.py``), every year of a panel.

- ``moran_lisa``: fastinno vs the vectorised numpy baseline (``baselines.moran_lisa``): a small
  smoke shape (12 x 10 grid, 3 years) and the county shape, a 56 x 50 grid (2,800 regions) x 20
  years (slow).
- ``moran_lisa_esda``: the county shape with esda 2.8.2 as a peer (``esda.Moran`` and
  ``esda.Moran_Local`` per year, default options, on ``libpysal.weights.W`` built from the same
  neighbour lists, transform "r"); slow (esda compiles its permutation kernels in every process).

Moran's I, its z and the local I must agree to rounding; the pseudo p-values come from different
random permutations and must agree within Monte Carlo error (mean absolute difference < 0.02).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import baselines as bl
import numpy as np
import numpy.testing as npt
import polars as pl
from benchkit import Shape, register

_SCRIPTS = str(Path(__file__).resolve().parents[2] / "scripts")
if _SCRIPTS not in sys.path:  # the grid generator lives with the scripts
    sys.path.insert(0, _SCRIPTS)
from grid_geojson import square_grid  # noqa: E402

import fastinno as fi  # noqa: E402

PERMUTATIONS = 999


def _setup(shape):
    nx, ny, years = shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = fi.neighbours(square_grid(nx, ny))
    rng = np.random.default_rng(5)
    n = nx * ny
    trend = np.repeat(np.linspace(0.0, 1.5, ny), nx)[:, None]
    values = rng.normal(size=(n, years)) + trend
    scores = pl.DataFrame({"region": np.repeat(nb.regions, years), "year": np.tile(np.arange(2001, 2001 + years), n),
                           "index": values.ravel()})
    return SimpleNamespace(nb=nb, values=values, scores=scores, w=None)


def _fastinno(s):
    res = fi.moran(s.scores, neighbours=s.nb, permutations=PERMUTATIONS, seed=0)
    m = s.values.shape[1]
    return (res.global_["moran_i"].to_numpy(), res.global_["p_value"].to_numpy(),
            res.local["local_i"].to_numpy().reshape(m, -1).T, res.local["p_value"].to_numpy().reshape(m, -1).T)


def _numpy(s):
    nb = s.nb
    return bl.moran_lisa(s.values, nb.indptr, nb.indices, nb.weights, PERMUTATIONS, 0)


def _esda(s):
    import esda
    import libpysal

    if s.w is None:
        s.w = libpysal.weights.W(s.nb.lists())
        s.w.transform = "r"
    out = ([], [], [], [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for y in range(s.values.shape[1]):
            g = esda.Moran(s.values[:, y], s.w, permutations=PERMUTATIONS)
            loc = esda.Moran_Local(s.values[:, y], s.w, permutations=PERMUTATIONS, seed=y)
            for k, v in enumerate((g.I, g.p_sim, loc.Is, loc.p_sim)):
                out[k].append(v)
    return np.array(out[0]), np.array(out[1]), np.column_stack(out[2]), np.column_stack(out[3])


def _agree(got, want):
    npt.assert_allclose(got[0], want[0], rtol=1e-10)
    npt.assert_allclose(got[2], want[2], rtol=1e-9, atol=1e-12)
    assert np.abs(got[1] - want[1]).max() < 0.05
    assert np.abs(got[3] - want[3]).mean() < 0.02


register(
    "moran_lisa",
    setup=_setup,
    impls={"fastinno": _fastinno, "numpy": _numpy},
    shapes=[Shape("120x3", (12, 10, 3)), Shape("2800x20", (56, 50, 20), slow=True)],
    agree=_agree,
    rounds=3,
)

register(
    "moran_lisa_esda",
    setup=_setup,
    impls={"fastinno": _fastinno, "numpy": _numpy, "esda": _esda},
    shapes=[Shape("2800x20", (56, 50, 20), slow=True)],
    agree=_agree,
    warm=True,
    rounds=1,
)
