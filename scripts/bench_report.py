#!/usr/bin/env python
"""Turn pytest-benchmark JSON into a table of numpy/fastinno median ratios.

    pytest benches --benchmark-only --benchmark-group-by=group --benchmark-json=bench.json
    python scripts/bench_report.py bench.json

Each bench sets ``benchmark.group = "name|shape"`` and is parametrized over impl in
(fastinno, numpy[, other peers]); the ratio is ``peer_median / fastinno_median`` (> 1: fastinno
is faster).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path


def _impl(name: str) -> str:
    m = re.search(r"\[(.*)\]", name)
    params = m.group(1).split("-") if m else []
    for p in params:
        if p in ("fastinno", "numpy", "numpy_broadcast", "scipy", "naive", "polars", "pymcdm"):
            return p
    return params[-1] if params else name


def report(data: dict) -> str:
    groups: dict[str, dict[str, float]] = defaultdict(dict)
    per_unit: dict[str, str] = {}
    for b in data["benchmarks"]:
        group = b.get("group") or b["name"]
        t = b["stats"]["median"]
        extra = b.get("extra_info", {})
        # Monte Carlo and bootstrap benches may time different numbers of draws per impl:
        # compare time per draw / replicate then.
        for unit in ("draws", "replicates"):
            if extra.get(unit):
                t /= extra[unit]
                per_unit[group] = unit[:-1]
        groups[group][_impl(b["name"])] = t
    info = data.get("machine_info", {})
    cpu = info.get("cpu", {}).get("brand_raw", "?")
    threads = {b.get("extra_info", {}).get("threads") for b in data["benchmarks"]} - {None}
    lines = [
        f"CPU: {cpu}; numba threads: {', '.join(map(str, sorted(threads))) or '?'}; "
        f"python {info.get('python_version', '?')}",
        "",
        "| benchmark | shape | fastinno median | baseline | baseline median | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for group in sorted(groups):
        impls = groups[group]
        name, _, shape = group.partition("|")
        if group in per_unit:
            name = f"{name} (per {per_unit[group]})"
        fast = impls.get("fastinno")
        for peer, t in sorted(impls.items()):
            if peer == "fastinno":
                continue
            ratio = f"{t / fast:.1f}x" if fast else "-"
            lines.append(f"| {name} | {shape} | {_fmt(fast)} | {peer} | {_fmt(t)} | {ratio} |")
        if len(impls) == 1 and fast is not None:
            lines.append(f"| {name} | {shape} | {_fmt(fast)} | - | - | - |")
    return "\n".join(lines)


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
