"""Whole hierarchical ideal-solution model (index + every sub-index + growth) vs vectorised numpy.

fastinno: ``fastinno.hew_topsis(panel)`` end to end (validation, fused kernel, growth, polars
frames). numpy: ``baselines.hew_topsis`` on the same cube (standardize once, one matmul for all
models' squared weights, growth) -- no frames, so the comparison favours numpy slightly.
One bench per (scope, standardization): ``hew_topsis_{scope}_{standardize}``.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from types import SimpleNamespace

import baselines
import numpy as np
import numpy.testing as npt
from benchkit import Shape, register
from make_county_panel import make_county_panel

import fastinno as fi
from fastinno import array as fa
from fastinno.data.panel import Panel

SHAPES = {"county": (2800, 20, 30), "small": (200, 10, 12)}
CASES = [("panel", "max_ratio"), ("year", "minmax"), ("region", "max_ratio")]
CODES = {"panel": 0, "region": 1, "year": 2, "max_ratio": 0, "minmax": 1}


@lru_cache(maxsize=2)
def county_panel(shape: tuple[int, int, int]) -> Panel:
    """The synthetic county panel of ``shape`` (regions, years, indicators), built once."""
    n_r, n_t, n_j = shape
    wide, system = make_county_panel(n_r, n_t, n_j, seed=0)
    cube = wide.drop("region", "year").to_numpy().reshape(n_r, n_t, n_j)
    return Panel.from_array(
        cube, fi.read_system(system), regions=wide["region"].unique(maintain_order=True).to_list(),
        years=list(range(2001, 2001 + n_t)),
    )


def _setup(scope, standardize):
    def setup(shape):
        panel = county_panel(shape)
        system = panel.system
        return SimpleNamespace(
            panel=panel, scope=scope, standardize=standardize, cube=np.array(panel.cube),
            is_cost=system.is_cost, w=system.base_weights(), groups=[g.indices for g in system.groups],
            kw=dict(scope=CODES[scope], method=CODES[standardize], years=panel.years),
        )

    return setup


def _fastinno(s):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fi.FastinnoWarning)  # growth from F = 0 in year/region scopes
        return fi.hew_topsis(s.panel, scope=s.scope, standardize=s.standardize)


def _numpy(s):
    return baselines.hew_topsis(s.cube, s.is_cost, s.w, s.groups, **s.kw)


def _read_fastinno(res, s):
    f = np.stack([res.scores[c].to_numpy().reshape(s.cube.shape[:2]) for c in res.columns])
    cagr = res.growth["cagr"].to_numpy().reshape(s.cube.shape[0], -1).T
    return f, cagr


def _agree(got, want):
    npt.assert_allclose(got[0], want[0], rtol=1e-10, atol=1e-14)
    npt.assert_allclose(got[1], want[1], rtol=1e-9, atol=1e-14)


for _scope, _standardize in CASES:
    register(
        f"hew_topsis_{_scope}_{_standardize}",
        setup=_setup(_scope, _standardize),
        impls={"fastinno": _fastinno, "numpy": _numpy},
        shapes=SHAPES,
        outputs={"fastinno": _read_fastinno, "numpy": lambda out, s: out[:2]},
        agree=_agree,
    )


def _array_api(s):
    return fa.hew_topsis(s.cube, s.is_cost, weights=s.w, groups=s.groups, scope=s.scope,
                         normalize=s.standardize)


# The array API on a raw cube must be no slower than the Panel API (which also builds frames).
for _scope, _standardize in CASES[:2]:
    register(
        f"hew_topsis_array_vs_panel_{_scope}_{_standardize}",
        setup=_setup(_scope, _standardize),
        impls={"fastinno": _array_api, "panel_api": _fastinno},
        shapes={"county": SHAPES["county"]},
        reference="panel_api",
        outputs={"panel_api": lambda res, s: _read_fastinno(res, s)[0]},
        agree=lambda got, want: npt.assert_allclose(got, want, rtol=1e-12, atol=1e-15),
        warm=True,
    )


# --- TOPSIS on one decision matrix: fastinno.array.topsis vs numpy and pymcdm (validation=False) ---

try:
    from pymcdm import methods as _pm
    from pymcdm import normalizations as _pn
except ImportError:  # pragma: no cover - the peer is optional
    _pm = None


_MATRIX_SHAPES = [Shape("60000x30", (60000, 30), slow=True), Shape("3000x30", (3000, 30))]


def _decision_matrix(shape):
    rng = np.random.default_rng(4)
    x = rng.uniform(1.0, 100.0, size=shape)
    types = np.where(np.arange(shape[1]) % 5 == 0, -1, 1)
    w = rng.random(shape[1]) + 0.1
    return SimpleNamespace(x=x, types=types, is_cost=types < 0, w=w / w.sum())


_TOPSIS_IMPLS = {
    "fastinno": lambda s: fa.topsis(s.x, s.w, s.is_cost),
    "numpy": lambda s: baselines.topsis_numpy(s.x, s.w, s.is_cost),
}
if _pm is not None:
    _TOPSIS_IMPLS["pymcdm"] = lambda s: _pm.TOPSIS(_pn.vector_normalization)(s.x, s.w, s.types, validation=False)

register(
    "topsis_matrix",
    setup=_decision_matrix,
    impls=_TOPSIS_IMPLS,
    shapes=_MATRIX_SHAPES,
    agree=lambda got, want: npt.assert_allclose(got, want, rtol=1e-10, atol=1e-12),
    warm=True,
)
register(
    "gra_matrix",
    setup=_decision_matrix,
    impls={"fastinno": lambda s: fa.gra(s.x, s.w, s.is_cost), "numpy": lambda s: baselines.gra_numpy(s.x, s.w, s.is_cost)},
    shapes=_MATRIX_SHAPES,
    agree=lambda got, want: npt.assert_allclose(got, want, rtol=1e-10, atol=1e-12),
    warm=True,
)
