"""DEMATEL (the whole call and the total relation alone), expert bootstrap and batched GM(1,1) vs
their numpy baselines.

Targets: ``fi.dematel`` for n = 2,000 within 1.3x of the numpy solve doing the same work (N, T,
R, C; fastinno also builds the frames and checks the conditioning); T alone within 1.5x of
``numpy.linalg.solve`` on the same matrix (both sides run the same numpy solve: the ratio at
n = 200 is noise of the BLAS threads on a busy machine, never a different computation); expert
bootstrap B = 10,000, 20 factors, 6 experts >= 20x faster than a numpy loop over resamples and
< 1 s warm; GM(1,1) for 100,000 series of length 10 < 100 ms.
"""

from __future__ import annotations

from types import SimpleNamespace

import baselines
import numpy as np
import numpy.testing as npt
from benchkit import Shape, register

import fastinno as fi
from fastinno import _config
from fastinno._random import block_seeds
from fastinno.kernels import dematel as kd
from fastinno.kernels import grey as kg


def _normalized(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 5, size=(n, n)).astype(np.float64)
    np.fill_diagonal(z, 0.0)
    return np.ascontiguousarray(z / z.sum(axis=1).max())


def _agree_total_relation(got, want):
    npt.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


register(
    "dematel_total_relation",
    setup=_normalized,
    impls={"fastinno": kd.total_relation_matrix, "numpy": baselines.total_relation_matrix},
    shapes=[Shape("n200", 200), Shape("n2000", 2000, slow=True)],
    agree=_agree_total_relation,
    warm=True,  # the JIT and BLAS
)


def _direct(n: int) -> np.ndarray:
    rng = np.random.default_rng(3)
    z = rng.integers(0, 5, size=(n, n)).astype(np.float64)
    np.fill_diagonal(z, 0.0)
    return z


def _read_dematel(res, z):
    return res.T, res.factors["R"].to_numpy(), res.factors["C"].to_numpy()


def _agree_dematel(got, want):
    for g, w in zip(got, want):  # T, R, C
        npt.assert_allclose(g, w, rtol=1e-9, atol=1e-12)


register(
    "dematel",
    setup=_direct,
    impls={"fastinno": lambda z: fi.dematel(z), "numpy": baselines.dematel},
    shapes=[Shape("n200", 200), Shape("n2000", 2000, slow=True)],
    outputs={"fastinno": _read_dematel},
    agree=_agree_dematel,
    warm=True,
    rounds=lambda impl, shape: 5 if shape.slow else None,
)


def _boot_setup(shape):
    b_count, n, k = shape
    rng = np.random.default_rng(1)
    levels = rng.integers(0, 5, size=(k, n, n))
    grey_lo = np.array([0.0, 0.0, 0.25, 0.5, 0.75])[levels]
    grey_up = np.array([0.0, 0.25, 0.5, 0.75, 1.0])[levels]
    crisp = kg.cfcs_experts(grey_lo, grey_up, kg.SCOPE_GLOBAL)
    for e in range(k):
        np.fill_diagonal(crisp[e], 0.0)
    w = rng.uniform(0.3, 1.0, size=k)
    w /= w.sum()
    seeds = block_seeds(7, 0, -(-b_count // _config.DRAW_BLOCK))
    draws = kd.bootstrap_draws(k, seeds, b_count, _config.DRAW_BLOCK)
    return SimpleNamespace(crisp=np.ascontiguousarray(crisp), w=w, seeds=seeds, draws=draws, b_count=b_count)


def _boot_fastinno(s):
    """The API's path: distinct resamples and their multiplicities."""
    return kd.bootstrap_distinct(
        s.crisp, s.crisp, s.w, kd.AGG_CFCS_THEN_MEAN, 0, kd.NORM_ROW, s.seeds, s.b_count,
        _config.DRAW_BLOCK,
    )


def _boot_numpy(s):
    """A loop over all B resamples."""
    return baselines.bootstrap_experts_loop(s.crisp, s.w, s.draws)


def _read_boot_fastinno(out, s):
    _, mult, r, c = out
    return np.repeat(r, mult, axis=0), np.repeat(c, mult, axis=0)


def _agree_boot(got, want):
    # the same B resamples (as a multiset) as the loop over the same draws
    npt.assert_allclose(np.sort(got[0], axis=0), np.sort(want[0], axis=0), rtol=1e-10)
    npt.assert_allclose(np.sort(got[1], axis=0), np.sort(want[1], axis=0), rtol=1e-10)


register(
    "dematel_expert_bootstrap",
    setup=_boot_setup,
    impls={"fastinno": _boot_fastinno, "numpy": _boot_numpy},
    shapes={"B2000_n20_k6": (2000, 20, 6), "B10000_n20_k6": (10_000, 20, 6)},
    outputs={"fastinno": _read_boot_fastinno},
    agree=_agree_boot,
    warm=True,
    rounds=lambda impl, shape: 3 if impl == "numpy" else 20,
    info=lambda impl, s, out: {"resamples": s.b_count}
    | ({"distinct_resamples": int(len(out[1]))} if impl == "fastinno" else {}),
)


def _gm_series(shape):
    n_series, n = shape
    rng = np.random.default_rng(2)
    return np.ascontiguousarray(
        rng.uniform(0.5, 1.5, size=(n_series, 1)) * np.exp(rng.normal(0.03, 0.02, size=(n_series, n)).cumsum(1))
    )


def _read_gm_fastinno(out, x0):
    params, _, _, fitted, _, _, fc = out
    return params[:, 0], params[:, 1], fitted, fc


def _agree_gm(got, want):
    for g, w in zip(got, want):  # a, b, fitted, forecast
        npt.assert_allclose(g, w, rtol=1e-9)


register(
    "gm11_batch",
    setup=_gm_series,
    impls={"fastinno": lambda x0: kg.gm11_batch(x0, 3), "numpy": lambda x0: baselines.gm11_batch(x0, 3)},
    shapes={"S10000_n10": (10_000, 10), "S100000_n10": (100_000, 10)},
    outputs={"fastinno": _read_gm_fastinno},
    agree=_agree_gm,
    warm=True,
)
