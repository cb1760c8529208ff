"""Benchmark configuration.

Every bench is parametrized over ``impl in {"fastinno", "numpy"}`` (numpy = the vectorized
baseline in ``benches/baselines.py``), warms the JIT before timing, sets
``benchmark.group = f"{name}|{shape}"`` and asserts that both implementations agree, so a fast
wrong kernel fails. ``scripts/bench_report.py`` turns ``--benchmark-json`` output into ratios.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numba
import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent / "scripts"))

IMPLS = ("fastinno", "numpy")


def pytest_collection_modifyitems(config, items):
    # Benches run once as smoke tests in CI (--benchmark-disable); the big shapes are `slow`.
    for item in items:
        item.add_marker(pytest.mark.benchmark)


@pytest.fixture
def tag(benchmark):
    """Label a benchmark: tag(name, shape) sets group and thread count."""

    def _tag(name: str, shape: str, **extra):
        benchmark.group = f"{name}|{shape}"
        benchmark.extra_info["threads"] = numba.get_num_threads()
        benchmark.extra_info.update(extra)

    return _tag
