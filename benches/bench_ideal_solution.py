"""Whole hierarchical ideal-solution model (index + every sub-index + growth) vs vectorised numpy.

fastinno: ``fastinno.hew_topsis(panel)`` end to end (validation, fused kernel, growth, polars
frames). numpy: ``baselines.hew_topsis`` on the same cube (standardize once, one matmul for all
models' squared weights, growth) -- no frames, so the comparison favours numpy slightly.
"""

from __future__ import annotations

import warnings

import baselines
import numpy as np
import numpy.testing as npt
import pytest
from make_county_panel import make_county_panel

import fastinno as fi
from fastinno.panel import Panel

SHAPES = {"county": (2800, 20, 30), "small": (200, 10, 12)}
CASES = [("panel", "max_ratio"), ("year", "minmax"), ("region", "max_ratio")]
CODES = {"panel": 0, "region": 1, "year": 2, "max_ratio": 0, "minmax": 1}


@pytest.fixture(scope="module", params=list(SHAPES))
def county(request):
    n_r, n_t, n_j = SHAPES[request.param]
    wide, system = make_county_panel(n_r, n_t, n_j, seed=0)
    cube = wide.drop("region", "year").to_numpy().reshape(n_r, n_t, n_j)
    panel = Panel.from_array(
        cube, fi.read_system(system), regions=wide["region"].unique(maintain_order=True).to_list(),
        years=list(range(2001, 2001 + n_t)),
    )
    return request.param, panel


def _run(panel, scope, standardize):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fi.FastinnoWarning)  # growth from F = 0 in year/region scopes
        return fi.hew_topsis(panel, scope=scope, standardize=standardize)


@pytest.mark.parametrize(("scope", "standardize"), CASES, ids=[f"{a}-{b}" for a, b in CASES])
@pytest.mark.parametrize("impl", ["fastinno", "numpy"])
def test_hew_topsis(benchmark, tag, county, impl, scope, standardize):
    name, panel = county
    tag(f"hew_topsis_{scope}_{standardize}", name)
    system = panel.system
    groups = [g.indices for g in system.groups]
    w = system.base_weights()
    cube = np.array(panel.cube)
    kw = dict(scope=CODES[scope], method=CODES[standardize], years=panel.years)
    if impl == "fastinno":
        _run(panel, scope, standardize)  # JIT warm-up (or cache load) outside the timing
        res = benchmark(_run, panel, scope, standardize)
        f = np.stack([res.scores[c].to_numpy().reshape(cube.shape[:2]) for c in res.columns])
        cagr = res.growth["cagr"].to_numpy().reshape(cube.shape[0], -1).T
    else:
        f, cagr, _ = benchmark(baselines.hew_topsis, cube, system.is_cost, w, groups, **kw)
    want, want_cagr, _ = baselines.hew_topsis(cube, system.is_cost, w, groups, **kw)
    npt.assert_allclose(f, want, rtol=1e-10, atol=1e-14)
    npt.assert_allclose(cagr, want_cagr, rtol=1e-9, atol=1e-14)


@pytest.mark.slow
def test_evaluate_demo_cold_start(benchmark, tag, tmp_path):
    """`fastinno evaluate --demo` in a fresh process with an empty numba cache (JIT compile)."""
    import os
    import subprocess
    import sys

    tag("evaluate_demo_cold", "demo")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))
    cmd = [sys.executable, "-m", "fastinno.cli", "evaluate", "--demo"]

    def run():
        subprocess.run(cmd, env=env, check=True, capture_output=True)

    benchmark.pedantic(run, rounds=1, iterations=1)
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)  # warm cache
    assert "Top 5 regions by year" in out.stdout
