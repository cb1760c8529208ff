"""The report at county scale: no image taller than the limit, every figure caption names its
selection, and the region finder finds a region (in headless Chromium when installed).

A fast variant runs 300 regions (above the report's all-regions threshold); the slow one runs
2,800 regions as in a county panel."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from browser import chromium

import fastinno
from fastinno import _config

ROOT = Path(__file__).resolve().parents[2]


def county_run(folder: Path, regions: int, *, years: int = 4, indicators: int = 6) -> Path:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from make_county_panel import county_grid, make_county_panel, system_toml
    finally:
        sys.path.pop(0)
    wide, system = make_county_panel(regions, years, indicators, seed=0, first_year=2017)
    wide.write_parquet(folder / "county.parquet")
    (folder / "county_system.toml").write_text(system_toml(system))
    names = wide["region"].unique(maintain_order=True).to_list()
    (folder / "county.geojson").write_text(json.dumps(county_grid(names)))
    cfg = {
        "title": "SYNTHETIC county panel",
        "seed": 5,
        "panel": {"path": str(folder / "county.parquet"),
                  "system": str(folder / "county_system.toml")},
        "ideal_solution": {"scope": "panel"},
        "combined": {"methods": ["entropy", "topsis"]},
        "simulate": {"draws": 64},
        "bootstrap": {"replicates": 64},
        "forecast": {"horizon": 2},
        "figures": {"dpi": 150},
        "map": {"geometry": str(folder / "county.geojson")},
    }
    return fastinno.run(cfg, out=folder / "out", progress=False, jit_warmup=False).out


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def find_in_browser(report: Path, query: str, tmp: Path) -> list[str]:
    """Open ``report.html#q=<query>`` in headless Chromium; the regions of the finder's rows."""
    exe = chromium()
    dom = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp / 'profile'}", "--dump-dom", f"{report.as_uri()}#q={query}"],
        capture_output=True, text=True, timeout=180, check=True).stdout
    table = dom[dom.index('id="finder-table"'):]
    table = table[:table.index("</table>")]
    return re.findall(r'<tr data-region="([^"]*)"', table)


def check_county_report(out: Path, regions: int, tmp: Path) -> None:
    info = fastinno.report.read_run_info(out)
    assert len(info["panel"]["regions"]) == regions
    # no image taller (or wider) than the limit
    pngs = sorted((out / "figures").glob("*.png"))
    assert {p.stem for p in pngs} >= {"index_rank_bands", "index_rank_heatmap",
                                      "combined_rank_bands", "simulate_rank_stability",
                                      "index_map_first", "index_map_last"}
    for p in pngs:
        w, h = png_size(p)
        assert h <= _config.REPORT_MAX_FIGURE_PX and w <= _config.REPORT_MAX_FIGURE_PX, (p, w, h)
    html = (out / "report.html").read_text(encoding="utf-8")
    # every figure caption opens with the selection it shows
    caps = re.findall(r"<figcaption>(.*?)</figcaption>", html)
    assert len(caps) == len(pngs)
    for cap in caps:
        m = re.match(r'<span class="sel">([^<]+)</span>', cap)
        assert m, cap
        assert re.search(r"\b(all|of) [\d,]+ (regions|methods|years|factors)", m.group(1), re.I) \
            or re.match(r"All \d+ (years|methods)", m.group(1)), m.group(1)
    n = f"{regions:,}"
    k = _config.REPORT_TOP_BOTTOM
    assert f"Top {k} and bottom {k} of {n} regions" in html
    assert f"Top {_config.REPORT_STABILITY_MAX} of {n} regions by median rank" in html
    assert f"All {n} regions in 10 bands" in html
    # tables say what they show: at most 40 rows of the 300 / 2,800
    assert f"First 40 of {n} regions, by the 2020 overall index, best first" in html
    # the finder's data: one row per region, embedded (not 2,800 rows of HTML)
    assert html.count("<tr") < 1000
    data = html[html.index('id="finder-data">'):]
    assert data.count('["SYN-') == regions
    # Parquet only, no copy of the input
    assert not list((out / "tables").glob("*.csv")) and not (out / "tables" / "panel.parquet").exists()
    if chromium() is None:
        return
    assert find_in_browser(out / "report.html", "SYN-00123", tmp) == ["SYN-00123"]
    hits = find_in_browser(out / "report.html", "SYN-0001", tmp)
    assert len(hits) == 10 and all(h.startswith("SYN-0001") for h in hits)


def test_county_report_300_regions(tmp_path):
    out = county_run(tmp_path, 300)
    check_county_report(out, 300, tmp_path)
    scores = pl.read_parquet(out / "tables" / "index_scores.parquet")
    assert scores["region"].n_unique() == 300


@pytest.mark.slow
def test_county_report_2800_regions(tmp_path):
    out = county_run(tmp_path, 2800)
    check_county_report(out, 2800, tmp_path)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    assert size < 40 * 2**20
