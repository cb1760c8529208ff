#!/usr/bin/env python
"""Write a SYNTHETIC county-scale panel and its indicator system, for benchmarks only.

    python scripts/make_county_panel.py --regions 2800 --years 20 --indicators 30 --seed 0 --out county.parquet
    python scripts/make_county_panel.py --regions 2800 --out county.parquet --geojson county.geojson

The numbers are made up: log-normal levels with regional effects and trends, indicators
correlated through a few latent factors, about a sixth of them cost indicators, grouped into
3-5 dimensions. Regions are named ``SYN-00001`` ...; the Parquet file carries the metadata key
``fastinno.synthetic = "true"`` and a ``synthetic`` note in the TOML. Never present it as real data.

``--geojson PATH`` also writes a synthetic map of the same regions: one square per region (key
``code`` = the region name) on a near-square grid of 0.25-degree cells from longitude 100, latitude
25 (``scripts/grid_geojson.py``), so maps and spatial analyses can be tried at county scale
(``[map] geometry = "county.geojson"`` in a main-job config, or ``fastinno.neighbours``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from grid_geojson import square_grid  # noqa: E402


def make_county_panel(n_regions: int = 2800, n_years: int = 20, n_indicators: int = 30, seed: int = 0, first_year: int = 2001):
    """Return ``(wide_frame, system_dict)`` of a synthetic panel (wide: region, year, x01..)."""
    rng = np.random.default_rng(seed)
    n_dims = int(np.clip(round(n_indicators / 8), 3, 5)) if n_indicators >= 3 else 1
    n_factors = 3
    loadings = rng.normal(0.0, 0.5, size=(n_factors, n_indicators))
    region_factor = rng.normal(0.0, 1.0, size=(n_regions, n_factors))
    region_level = rng.normal(0.0, 0.6, size=(n_regions, 1))
    base = rng.normal(2.0, 1.0, size=n_indicators)  # log-scale indicator levels
    trend = rng.normal(0.03, 0.02, size=(n_regions, 1, 1)) + rng.normal(0.0, 0.01, size=(1, 1, n_indicators))
    t = np.arange(n_years, dtype=np.float64)[None, :, None]
    log_level = (
        base[None, None, :]
        + (region_level + region_factor @ loadings)[:, None, :]
        + trend * t
        + rng.normal(0.0, 0.08, size=(n_regions, n_years, n_indicators))
    )
    cube = np.exp(log_level)
    n_cost = max(1, round(n_indicators / 6)) if n_indicators >= 2 else 0
    is_cost = np.zeros(n_indicators, dtype=bool)
    is_cost[rng.choice(n_indicators, size=n_cost, replace=False)] = True
    # Cost indicators fall as regions develop: invert the latent level.
    cube[:, :, is_cost] = np.exp(2 * base[is_cost])[None, None, :] / cube[:, :, is_cost]
    names = [f"x{j + 1:02d}" for j in range(n_indicators)]
    dims = np.array_split(np.arange(n_indicators), n_dims)
    system = {
        f"dim{d + 1}": {names[j]: ("-" if is_cost[j] else "+") for j in idx} for d, idx in enumerate(dims)
    }
    regions = [f"SYN-{k + 1:05d}" for k in range(n_regions)]
    wide = pl.DataFrame(
        {
            "region": np.repeat(np.array(regions, dtype=object), n_years).tolist(),
            "year": np.tile(np.arange(first_year, first_year + n_years, dtype=np.int64), n_regions),
            **{name: cube[:, :, j].reshape(-1) for j, name in enumerate(names)},
        }
    )
    return wide, system


def county_grid(regions: list[str]) -> dict:
    """A SYNTHETIC GeoJSON of ``regions``: one 0.25-degree square each, row by row on a near-square
    grid whose lower-left corner is at longitude 100, latitude 25; property ``code`` = region."""
    nx = max(1, math.ceil(math.sqrt(len(regions))))
    ny = max(1, math.ceil(len(regions) / nx))
    return square_grid(nx, ny, names=regions, origin=(100.0, 25.0), size=0.25)


def system_toml(system: dict) -> str:
    lines = ['# SYNTHETIC indicator system written by scripts/make_county_panel.py (not real data)', ""]
    for dim, inds in system.items():
        lines.append(f"[{dim}]")
        lines.extend(f'{name} = "{d}"' for name, d in inds.items())
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--regions", type=int, default=2800)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--indicators", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--layout", choices=["wide", "long"], default="wide")
    ap.add_argument("--out", type=Path, default=Path("county.parquet"))
    ap.add_argument("--system-out", type=Path, default=None, help="TOML path (default: OUT with _system.toml)")
    ap.add_argument("--geojson", type=Path, default=None,
                    help="also write a synthetic GeoJSON map of the regions (one square each, key 'code')")
    args = ap.parse_args(argv)
    if min(args.regions, args.years, args.indicators) < 1:
        ap.error("--regions, --years and --indicators must be positive")
    from fastinno.io.write import write_bytes, write_text

    wide, system = make_county_panel(args.regions, args.years, args.indicators, args.seed)
    frame = wide if args.layout == "wide" else wide.unpivot(index=["region", "year"], variable_name="indicator", value_name="value")
    out = args.out
    sys_out = args.system_out or out.with_name(out.stem + "_system.toml")
    import io

    import pyarrow.parquet as pq

    if out.suffix.lower() == ".csv":
        write_text(out, frame.write_csv())
    else:
        table = frame.to_arrow()
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"fastinno.synthetic": b"true"})
        buf = io.BytesIO()
        pq.write_table(table, buf)
        write_bytes(out, buf.getvalue())
    write_text(sys_out, system_toml(system))
    where = ""
    if args.geojson is not None:
        regions = wide["region"].unique(maintain_order=True).to_list()
        write_text(args.geojson, json.dumps(county_grid(regions)))
        where = f"; map -> {args.geojson}"
    print(f"SYNTHETIC panel: {args.regions} regions x {args.years} years x {args.indicators} indicators -> {out}; "
          f"system -> {sys_out}{where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
