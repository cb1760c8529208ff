"""Method comparison: fi.compare_methods (scores of every configuration, Spearman matrices,
Kendall's W, order reversals) on a county-size panel vs a numpy / scipy loop by year."""

from __future__ import annotations

from types import SimpleNamespace

import baselines as bl
import numpy as np
import numpy.testing as npt
from benchkit import Shape, register

import fastinno as fi
from fastinno.data.panel import Panel

#: The configurations both implementations run (method, weights, normalize).
CONFIGS = [(mth, w, nm) for mth in ("topsis", "gra") for nm in ("vector", "minmax") for w in ("equal", "entropy")]


def _panel(shape):
    n_r, n_y, m = shape
    rng = np.random.default_rng(5)
    cube = np.exp(rng.normal(2.0, 1.0, (n_r, 1, m)) + rng.normal(0.0, 0.3, (n_r, n_y, m)))
    is_cost = np.arange(m) % 6 == 5
    system = {f"x{j:02d}": "-" if c else "+" for j, c in enumerate(is_cost)}
    panel = Panel.from_array(cube, fi.IndicatorSystem.flat(system), years=range(2001, 2001 + n_y))
    return SimpleNamespace(panel=panel, cube=np.asarray(panel.cube), is_cost=is_cost)


def _fastinno(s):
    return fi.compare_methods(s.panel, methods=["topsis", "gra"], weights=["equal", "entropy"],
                              normalize=["vector", "minmax"], correlations=["spearman"])


def _read_fastinno(res, s):
    import polars as pl

    labels = [f"{m}/{w}/{n}" for m, w, n in CONFIGS]
    pos = {c: i for i, c in enumerate(labels)}
    rev = res.reversals.with_columns(
        pl.col("config_a").cast(pl.String).replace_strict(pos).alias("a"),
        pl.col("config_b").cast(pl.String).replace_strict(pos).alias("b"))
    k = len(labels)
    n_y = s.cube.shape[1]
    shares = np.empty((n_y, k, k))
    for t, a, b, v in zip(rev["year"].to_numpy() - rev["year"].min(), rev["a"], rev["b"], rev["share"]):
        shares[t, a, b] = shares[t, b, a] = v
    ia, ib = np.triu_indices(k, 1)
    return (res.agreement["kendall_w"].to_numpy(), res.agreement["mean_spearman"].to_numpy(), shares[:, ia, ib])


def _agree(got, want):
    for g, w in zip(got, want):
        npt.assert_allclose(g, w, rtol=1e-9, atol=1e-12)


register(
    "compare_methods",
    setup=_panel,
    impls={"fastinno": _fastinno, "numpy": lambda s: bl.compare_methods(s.cube, s.is_cost, CONFIGS)},
    outputs={"fastinno": _read_fastinno},
    shapes=[Shape("2800x30x20", (2800, 30, 20), slow=True), Shape("60x5x6", (60, 5, 6))],
    agree=_agree,
    warm=True,
    rounds=lambda impl, shape: 1 if shape.slow else 3,
)
