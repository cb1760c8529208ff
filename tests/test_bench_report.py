"""scripts/bench_report.py on a synthetic pytest-benchmark JSON document."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "benches")]

import bench_report  # noqa: E402
from benchkit import Bench, Shape  # noqa: E402


def _record(group, impl, median, **extra):
    name = group.partition("|")[0]
    return {
        "name": f"test_bench[{name}-{group.partition('|')[2]}-{impl}]",
        "group": group,
        "params": {"impl": impl},
        "stats": {"median": median},
        "extra_info": {"threads": 2, "impl": impl, **extra},
    }


def _bench(name, shapes, **kw):
    return Bench(
        name=name, setup=lambda p: p, impls={"fastinno": abs, "numpy": abs, "scipy": abs},
        shapes=tuple(shapes), agree=lambda got, want: None, **kw,
    )


BENCHES = {
    "spearman": _bench("spearman", [Shape("1e3", 1000), Shape("1e6", 10**6, slow=True)]),
    "mc": _bench("mc", [Shape("smoke", 64)], units="draws", count=lambda impl, s: s),
}
DATA = {
    "machine_info": {
        "cpu": {"brand_raw": "Synthetic CPU 9000", "count": 8},
        "python_version": "3.12.1",
    },
    "benchmarks": [
        _record("spearman|1e3", "fastinno", 0.002),
        _record("spearman|1e3", "numpy", 0.008),
        _record("spearman|1e3", "scipy", 0.0005),
        # per draw: fastinno 1 s / 1000 draws, numpy 0.5 s / 100 draws -> 5x
        _record("mc|smoke", "fastinno", 1.0, draws=1000),
        _record("mc|smoke", "numpy", 0.5, draws=100),
        {  # a plain bench (not registered, not parametrized)
            "name": "test_evaluate_demo_cold_start", "group": "evaluate_demo_cold|demo",
            "params": None, "stats": {"median": 3.0}, "extra_info": {"threads": 2},
        },
    ],
}


def test_report_ratios_machine_and_missing():
    out = bench_report.report(DATA, BENCHES)
    lines = out.splitlines()
    assert lines[0] == "Machine: Synthetic CPU 9000; 8 cores; numba threads: 2; python 3.12.1"
    assert "- spearman: fastinno, numpy, scipy; shapes 1e3, 1e6 (slow)" in lines
    assert "| spearman | 1e3 | 2.00 ms | numpy | 8.00 ms | 4.0x |" in lines
    assert "| spearman | 1e3 | 2.00 ms | scipy | 500.0 us | 0.25x |" in lines
    assert "| mc (per draw) | smoke | 1.00 ms | numpy | 5.00 ms | 5.0x |" in lines
    assert "| evaluate_demo_cold (not registered) | demo | 3.00 s | - | - | - |" in lines
    # registered runs absent from the JSON: the slow shape, and the scipy peer of mc
    assert "- spearman|1e6: fastinno, numpy, scipy (slow)" in lines
    assert "- mc|smoke: scipy" in lines


def test_machine_line_falls_back_to_this_machine(monkeypatch):
    monkeypatch.setattr(bench_report, "_proc_cpu_model", lambda: "Local CPU")
    monkeypatch.setattr(bench_report.os, "cpu_count", lambda: 3)
    line = bench_report.machine_line({"benchmarks": [_record("a|b", "fastinno", 1.0)]})
    assert line.startswith("Machine: Local CPU; 3 cores; numba threads: 2;")


def test_report_reads_the_registry():
    out = bench_report.report({"benchmarks": [_record("gm11_batch|S10000_n10", "fastinno", 0.01)]})
    assert "- gm11_batch: fastinno, numpy; shapes S10000_n10, S100000_n10" in out
    assert "- gm11_batch|S10000_n10: numpy" in out
