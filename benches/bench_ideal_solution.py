"""Cold start of the whole model: ``fastinno evaluate --demo`` in a fresh process.

The warm comparisons of the ideal-solution model against numpy are registry entries
(``benches/families/ideal_solution.py``); this one times a subprocess, so it stays a plain test.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_evaluate_demo_cold_start(benchmark, tag, tmp_path):
    """`fastinno evaluate --demo` in a fresh process with an empty numba cache (JIT compile)."""
    tag("evaluate_demo_cold", "demo")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))
    cmd = [sys.executable, "-m", "fastinno.cli", "evaluate", "--demo"]

    def run():
        subprocess.run(cmd, env=env, check=True, capture_output=True)

    benchmark.pedantic(run, rounds=1, iterations=1)
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)  # warm cache
    assert "Top 5 regions by year" in out.stdout
