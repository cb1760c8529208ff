"""Regional disparities: the Dagum / Theil decompositions and their stratified bootstrap.

- ``dagum``: ``fi.disparity`` (every measure, Theil and Dagum decompositions, from a polars scores
  table) on 2,800 regions x 20 years x 8 groups, vs ``baselines.inequality_panel`` (numpy, sorted
  pair sums with ``searchsorted`` + prefix sums, loops over years and pairs of groups), and the
  kernel alone (``kernel``, on the region x year array).
- ``theil_gini``: Theil T with its within / between split and the Gini coefficient per year, vs
  PySAL ``inequality`` (``TheilD`` on the whole panel, ``Gini`` per year), which works on the
  region x year array: compare it with ``kernel`` (``fastinno`` also reads the polars scores
  table and builds the result tables).
- ``disparity_bootstrap``: 1,000 replicates of the stratified region bootstrap (the kernel),
  vs the numpy baseline looping over replicates on the same resamples (the first 20 replicates,
  compared on those; per-replicate times in the report).
"""

from __future__ import annotations

from types import SimpleNamespace

import baselines as bl
import numpy as np
import numpy.testing as npt
import polars as pl
from benchkit import Shape, register

import fastinno as fi
from fastinno._random import block_seeds
from fastinno.kernels import inequality as ki

_MEASURES = ("cv", "gini", "theil_t", "theil_l", "theil_within", "theil_between", "dagum_within",
             "dagum_net_between", "dagum_transvariation")


def _setup(shape):
    n_r, n_t, k = shape[:3]
    rng = np.random.default_rng(0)
    codes = np.sort(rng.integers(0, k, n_r))
    codes[:k] = np.arange(k)
    codes = np.sort(codes)
    level = rng.lognormal(0.0, 0.3, size=k)[codes]
    values = level[:, None] * rng.lognormal(0.0, 0.4, size=(n_r, n_t))
    regions = [f"r{i:05d}" for i in range(n_r)]
    scores = pl.DataFrame({
        "region": np.repeat(regions, n_t),
        "year": np.tile(np.arange(2001, 2001 + n_t), n_r),
        "index": values.ravel(),
    })
    groups = {r: f"g{c}" for r, c in zip(regions, codes)}
    gstart = np.searchsorted(codes, np.arange(k + 1)).astype(np.int64)
    vt = np.ascontiguousarray(values.T)
    return SimpleNamespace(values=values, codes=codes, k=k, scores=scores, groups=groups, gstart=gstart, vt=vt)


def _disparity_stats(res, s):
    wide = res.overall.pivot(on="measure", index="year", values="value").sort("year")
    return wide.select(list(_MEASURES)).to_numpy()


def _kernel_stats(raw, s):
    return raw[0]


register(
    "dagum",
    setup=_setup,
    impls={
        "fastinno": lambda s: fi.disparity(s.scores, groups=s.groups),
        "kernel": lambda s: ki.inequality_panel(s.vt, s.codes, s.k),
        "numpy": lambda s: bl.inequality_panel(s.values, s.codes, s.k),
    },
    shapes=[Shape("smoke-300x3x4", (300, 3, 4)), Shape("county-2800x20x8", (2800, 20, 8), slow=True)],
    outputs={"fastinno": _disparity_stats, "kernel": _kernel_stats},
    agree=lambda got, want: npt.assert_allclose(got, want, rtol=1e-9, atol=1e-14),
    warm=True,
)


def _pysal(s):
    from inequality.gini import Gini
    from inequality.theil import TheilD

    td = TheilD(s.values, s.codes)
    gini = [Gini(s.values[:, t]).g for t in range(s.values.shape[1])]
    return np.column_stack([np.ravel(td.T), np.ravel(td.wg), np.ravel(td.bg), gini])


def _theil_gini_fastinno(s):
    return fi.disparity(s.scores, groups=s.groups, measures=("theil_t", "gini"))


def _theil_gini_values(res, s):
    t = res.theil.sort("year")
    gini = res.overall.filter(pl.col("measure") == "gini").sort("year")["value"].to_numpy()
    return np.column_stack([t["total"].to_numpy(), t["within"].to_numpy(), t["between"].to_numpy(), gini])


def _numpy_theil_gini(s):
    st = bl.inequality_panel(s.values, s.codes, s.k)
    return st[:, [2, 4, 5, 1]]


def _kernel_theil_gini(s):
    return ki.inequality_panel(s.vt, s.codes, s.k)[0][:, [ki.THEIL_T, ki.THEIL_WITHIN, ki.THEIL_BETWEEN, ki.GINI]]


_IMPLS = {"fastinno": _theil_gini_fastinno, "kernel": _kernel_theil_gini, "numpy": _numpy_theil_gini}
try:  # the peer is optional
    import inequality  # noqa: F401

    _IMPLS["inequality"] = _pysal
except ImportError:  # pragma: no cover
    pass

register(
    "theil_gini",
    setup=_setup,
    impls=_IMPLS,
    shapes=[Shape("smoke-300x3x4", (300, 3, 4)), Shape("county-2800x20x8", (2800, 20, 8), slow=True)],
    outputs={"fastinno": _theil_gini_values},
    agree=lambda got, want: npt.assert_allclose(got, want, rtol=1e-8, atol=1e-14),
    warm=True,
)


def _boot_setup(params):
    shape, reps, numpy_reps = params
    s = _setup(shape)
    s.reps, s.numpy_reps = reps, numpy_reps
    s.seeds = block_seeds(0, 0, reps)
    s.order = ki.sorted_orders(s.vt)
    s.counts = ki.resample_counts(s.seeds[:numpy_reps], s.gstart)
    return s


register(
    "disparity_bootstrap",
    setup=_boot_setup,
    impls={
        "fastinno": lambda s: ki.bootstrap_inequality(s.vt, s.order, s.codes, s.gstart, s.seeds),
        "numpy": lambda s: bl.bootstrap_inequality_loop(s.values, s.codes, s.k, s.counts),
    },
    shapes=[Shape("smoke-200x3x4", ((200, 3, 4), 16, 4)),
            Shape("county-2800x20x8", ((2800, 20, 8), 1000, 20), slow=True)],
    outputs={"fastinno": lambda raw, s: raw[: s.numpy_reps]},
    agree=lambda got, want: npt.assert_allclose(got, want, rtol=1e-9, atol=1e-14),
    rounds=lambda impl, shape: 3 if impl == "fastinno" else 1,
    units="replicates",
    count=lambda impl, s: s.reps if impl == "fastinno" else s.numpy_reps,
)
