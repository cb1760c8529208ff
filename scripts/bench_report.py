#!/usr/bin/env python
"""Turn pytest-benchmark JSON into tables of peer/fastinno median ratios.

    pytest benches --benchmark-only --benchmark-group-by=group --benchmark-json=bench.json
    python scripts/bench_report.py bench.json

The benches come from the registry (``benches/registry.py``): each sets
``benchmark.group = "name|shape"`` and ``extra_info["impl"]``. The ratio is
``peer_median / fastinno_median`` (> 1: fastinno is faster), per draw or replicate where the
registry gives the bench ``units``. The report starts with the machine (CPU, cores, numba
threads), lists every registered bench with its implementations and ends with the registered
(bench, shape, implementation) runs missing from the JSON. Groups that are not registered
(plain benches such as cold starts) are reported too, marked as such.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FASTINNO = "fastinno"
BENCHES_DIR = Path(__file__).resolve().parent.parent / "benches"
# Units recognised in extra_info of benches that are not registered.
FALLBACK_UNITS = ("draws", "replicates")


def load_registry() -> Mapping[str, Any]:
    """The registered benches (``benches/registry.py``), by name."""
    if str(BENCHES_DIR) not in sys.path:
        sys.path.insert(0, str(BENCHES_DIR))
    from registry import BENCHES

    return BENCHES


def _impl(b: Mapping[str, Any]) -> str:
    """The implementation of one benchmark record: extra_info, then params, then the test id
    (a plain, unparametrized bench times fastinno alone)."""
    impl = b.get("extra_info", {}).get("impl") or (b.get("params") or {}).get("impl")
    if impl:
        return impl
    m = re.search(r"\[(.*)\]", b["name"])
    params = m.group(1).split("-") if m else []
    for p in params:
        if p in ("fastinno", "numpy", "numpy_broadcast", "scipy", "naive", "polars", "pymcdm"):
            return p
    return params[-1] if params else FASTINNO


def _proc_cpu_model() -> str | None:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    m = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return m.group(1).strip() if m else None


def machine_line(data: Mapping[str, Any]) -> str:
    """CPU model, cores and numba threads of the run (pytest-benchmark's machine_info first,
    this machine's /proc/cpuinfo and CPU count as a fallback)."""
    info = data.get("machine_info", {})
    cpu = info.get("cpu", {})
    model = cpu.get("brand_raw") or _proc_cpu_model() or info.get("processor") or "?"
    cores = cpu.get("count") or os.cpu_count() or "?"
    threads = {b.get("extra_info", {}).get("threads") for b in data.get("benchmarks", [])} - {None}
    return (
        f"Machine: {model}; {cores} cores; numba threads: "
        f"{', '.join(map(str, sorted(threads))) or '?'}; python {info.get('python_version', '?')}"
    )


def report(data: Mapping[str, Any], benches: Mapping[str, Any] | None = None) -> str:
    """The markdown report of one pytest-benchmark JSON document against the registry."""
    if benches is None:
        benches = load_registry()
    times: dict[str, dict[str, float]] = defaultdict(dict)
    per_unit: dict[str, str] = {}
    for b in data["benchmarks"]:
        group = b.get("group") or b["name"]
        name = group.partition("|")[0]
        t = b["stats"]["median"]
        extra = b.get("extra_info", {})
        bench = benches.get(name)
        units = (bench.units,) if bench is not None else FALLBACK_UNITS
        for unit in units:
            if unit and extra.get(unit):
                t /= extra[unit]
                per_unit[group] = unit[:-1] if unit.endswith("s") else unit
        times[group][_impl(b)] = t

    lines = [machine_line(data), "", "Registered benches:", ""]
    for name, bench in benches.items():
        shapes = ", ".join(s.id + (" (slow)" if s.slow else "") for s in bench.shapes)
        unit = f"; per {bench.units}" if bench.units else ""
        lines.append(f"- {name}: {', '.join(bench.impls)}; shapes {shapes}{unit}")
    lines += [
        "",
        "| benchmark | shape | fastinno median | peer | peer median | peer / fastinno |",
        "|---|---|---|---|---|---|",
    ]
    for group in sorted(times):
        impls = times[group]
        name, _, shape = group.partition("|")
        label = name if name in benches else f"{name} (not registered)"
        if group in per_unit:
            label = f"{label} (per {per_unit[group]})"
        fast = impls.get(FASTINNO)
        peers = sorted(p for p in impls if p != FASTINNO)
        for peer in peers:
            t = impls[peer]
            ratio = _ratio(t / fast) if fast else "-"
            lines.append(f"| {label} | {shape} | {_fmt(fast)} | {peer} | {_fmt(t)} | {ratio} |")
        if not peers:
            lines.append(f"| {label} | {shape} | {_fmt(fast)} | - | - | - |")

    missing = []
    for name, bench in benches.items():
        for s in bench.shapes:
            absent = [i for i in bench.impls if i not in times.get(f"{name}|{s.id}", {})]
            if absent:
                missing.append(f"- {name}|{s.id}: {', '.join(absent)}" + (" (slow)" if s.slow else ""))
    if missing:
        lines += ["", f"Registered but missing from the JSON ({len(missing)}):", *missing]
    return "\n".join(lines)


def _ratio(r: float) -> str:
    return f"{r:.1f}x" if r >= 1 else f"{r:.2g}x"


def _fmt(t: float | None) -> str:
    if t is None:
        return "-"
    if t < 1e-3:
        return f"{t * 1e6:.1f} us"
    if t < 1:
        return f"{t * 1e3:.2f} ms"
    return f"{t:.2f} s"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json", type=Path)
    args = ap.parse_args(argv)
    print(report(json.loads(args.json.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
