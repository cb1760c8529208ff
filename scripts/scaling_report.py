#!/usr/bin/env python
"""Growth of fastinno.simulate's time and memory with the number of regions (log-log fit).

    python scripts/scaling_report.py                      # run the sweep (fresh process per size)
    python scripts/scaling_report.py --regions 300 3000 30000 --draws 500
    python scripts/scaling_report.py --json bench.json    # read the mc_scaling bench entries

Each size runs in a fresh process on the synthetic county panel (regions x 1 year x 30
indicators; ``benches/families/robustness.py``): a 64-draw warm-up call, then the timed call;
``run_rss_gb`` is what that call added to the process's peak resident memory. The exponents are
least-squares slopes of log(time) and log(memory) on log(regions) over the sizes from
``--fit-from`` regions on (small sizes are dominated by fixed costs). With ``--json`` the times
are the medians of the ``mc_scaling`` groups of a pytest-benchmark JSON file and the memory their
``extra_info["run_rss_gb"]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benches"), str(ROOT / "scripts"), str(ROOT / "tests")]


def run_sweep(regions, draws, years=1, indicators=30):
    """One fresh process per size: (regions, seconds, run_rss_gb, rank_resolution) rows."""
    from families.robustness import run_in_fresh_process

    rows = []
    for r in regions:
        out = run_in_fresh_process((r, years, indicators), draws, warm=True)
        rows.append((r, out["seconds"], out["run_rss_gb"], out["rank_resolution"]))
        print(f"  {r:>8} regions: {out['seconds']:.3f} s, +{out['run_rss_gb']:.3f} GB", file=sys.stderr)
    return rows


def read_json(path):
    """(regions, seconds, run_rss_gb, rank_resolution) rows of the fastinno mc_scaling entries."""
    data = json.loads(Path(path).read_text())
    rows = []
    for b in data["benchmarks"]:
        info = b.get("extra_info", {})
        if b.get("group", "").startswith("mc_scaling|") and info.get("impl") == "fastinno":
            rows.append((int(info["regions"]), float(b["stats"]["median"]), float(info["run_rss_gb"]),
                         int(info["rank_resolution"])))
    return sorted(rows)


def exponent(x, y):
    """Least-squares slope of log y on log x (NaN with fewer than two positive points)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = (x > 0) & (y > 0)
    if ok.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log(x[ok]), np.log(y[ok]), 1)[0])


def report(rows, draws, fit_from):
    lines = [f"{'regions':>9} {'seconds':>9} {'us/draw/region':>15} {'run GB':>8} {'rank bin':>9}"]
    for r, t, m, w in rows:
        per = t / (draws * r) * 1e6 if draws else float("nan")
        lines.append(f"{r:>9} {t:>9.3f} {per:>15.4f} {m:>8.3f} {w:>9}")
    fit = [row for row in rows if row[0] >= fit_from]
    lines.append(f"fitted exponents over {len(fit)} sizes >= {fit_from} regions (log-log least squares):")
    lines.append(f"  time   ~ regions^{exponent([f[0] for f in fit], [f[1] for f in fit]):.2f}")
    lines.append(f"  memory ~ regions^{exponent([f[0] for f in fit], [f[2] for f in fit]):.2f}")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", help="read a pytest-benchmark JSON file instead of running")
    ap.add_argument("--regions", type=int, nargs="+", default=None)
    ap.add_argument("--draws", type=int, default=None)
    ap.add_argument("--fit-from", type=int, default=3000)
    args = ap.parse_args(argv)
    from families.robustness import SCALING_DRAWS, SCALING_REGIONS

    draws = args.draws or SCALING_DRAWS
    if args.json:
        rows = read_json(args.json)
    else:
        rows = run_sweep(args.regions or SCALING_REGIONS, draws)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; {draws} draws, 1 year, "
          "30 indicators")
    print(report(rows, draws, args.fit_from))


if __name__ == "__main__":
    main()
