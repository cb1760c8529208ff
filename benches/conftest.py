"""Benchmark configuration.

The comparisons live in one registry (``benches/registry.py``, families in
``benches/families/``) and run through one generic test (``benches/bench_registry.py``): each is
parametrized over the implementations (``fastinno``, ``numpy`` = the vectorized baseline in
``benches/baselines.py``, other peers), warms the JIT before timing, sets
``benchmark.group = f"{name}|{shape}"`` and asserts that every implementation agrees with the
reference, so a fast wrong kernel fails. ``scripts/bench_report.py`` turns ``--benchmark-json``
output into ratios. Benches that do not fit the registry (subprocesses, cold starts) are plain
tests using the ``tag`` fixture.
"""

from __future__ import annotations

import sys
from fnmatch import fnmatch
from pathlib import Path

import numba
import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent / "scripts"))


def pytest_collect_file(file_path, parent):
    # Bench files are named bench_*.py, which python_files does not match: collect them here
    # (pytest collects files named on the command line itself).
    if file_path.suffix != ".py" or not file_path.name.startswith("bench_"):
        return None
    if parent.session.isinitpath(file_path):
        return None
    if any(fnmatch(file_path.name, p) for p in parent.config.getini("python_files")):
        return None
    return pytest.Module.from_parent(parent, path=file_path)


def pytest_collection_modifyitems(config, items):
    # Benches run once as smoke tests in CI (--benchmark-disable); the big shapes are `slow`.
    for item in items:
        if item.path.parent == HERE:
            item.add_marker(pytest.mark.benchmark)


@pytest.fixture
def tag(benchmark):
    """Label a benchmark: tag(name, shape) sets group and thread count."""

    def _tag(name: str, shape: str, **extra):
        benchmark.group = f"{name}|{shape}"
        benchmark.extra_info["threads"] = numba.get_num_threads()
        benchmark.extra_info.update(extra)

    return _tag
