"""report.html: every image it references exists, every table has rows, the summary
and the methods with their sources are there, `fastinno report DIR` re-renders it, and it renders
in headless Chromium."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from _mainjob import EXPECTED_FIGURES, small_config
from browser import MISSING, chromium

import fastinno
from fastinno import report
from fastinno.errors import InputError

CHROMIUM = chromium()


class _Page(HTMLParser):
    """Collects images, links, sections, figure captions and per-table row counts (the
    region finder's table is filled by the page's script, so it is left out)."""

    def __init__(self):
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.sections: list[str] = []
        self.tables: list[int] = []
        self.captions: list[str] = []
        self.selections: list[str] = []
        self._in_tbody = False
        self._skip = False
        self._caption: list[str] | None = None
        self._sel: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a["src"])
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "section":
            self.sections.append(a.get("id"))
        elif tag == "table":
            self._skip = a.get("id") == "finder-table"
            if not self._skip:
                self.tables.append(0)
        elif tag == "tbody":
            self._in_tbody = not self._skip
        elif tag == "tr" and self._in_tbody:
            self.tables[-1] += 1
        elif tag == "figcaption":
            self._caption = []
        elif tag == "span" and a.get("class") == "sel" and self._caption is not None:
            self._sel = []

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        if self._sel is not None:
            self._sel.append(data)

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_tbody = False
        elif tag == "span" and self._sel is not None:
            self.selections.append("".join(self._sel))
            self._sel = None
        elif tag == "figcaption":
            self.captions.append("".join(self._caption or []))
            self._caption = None


def _parse(path: Path) -> _Page:
    p = _Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    res = fastinno.run(small_config(folder, draws=64), out=folder / "out", progress=False,
                       jit_warmup=False)
    return res.out


def _check_page(out: Path) -> _Page:
    page = _parse(out / "report.html")
    # every image referenced exists: embedded PNG/SVG data or a file beside the page
    assert len(page.images) == len(EXPECTED_FIGURES)
    for src in page.images:
        if src.startswith("data:"):
            head, data = src.split(",", 1)
            raw = base64.b64decode(data)
            assert raw[:8] == b"\x89PNG\r\n\x1a\n" or b"<svg" in raw[:500], head
        else:
            assert (out / src).is_file(), src
    # every local link (figure files, CSV/Parquet tables, run.json) exists
    local = [h for h in page.links if not h.startswith(("#", "http://", "https://"))]
    assert local
    for href in local:
        assert (out / href).is_file(), href
    # every table has rows
    assert len(page.tables) >= 10
    assert all(n > 0 for n in page.tables), page.tables
    return page


def test_report_images_exist_and_tables_have_rows(run_dir):
    page = _check_page(run_dir)
    assert page.sections == ["summary", "find", "panel", "ideal-solution", "combined", "simulate",
                             "bootstrap", "forecast", "dematel", "methods", "reproducibility"]


def test_every_figure_caption_names_its_selection(run_dir):
    page = _parse(run_dir / "report.html")
    assert len(page.captions) == len(EXPECTED_FIGURES) == len(page.selections)
    for sel in page.selections:
        assert re.match(r"(All|Top|The) ", sel), sel
    text = " ".join(page.captions)
    assert "All 6 regions." in text  # the small panel: every region in every region figure
    assert "the headline index's" in text  # robustness captions state their model and weights


def test_summary_methods_and_sources(run_dir):
    text = (run_dir / "report.html").read_text(encoding="utf-8")
    summary = text[text.index('<section id="summary">'):text.index('<section id="panel">')]
    for title in ("Top regions, 2017", "Bottom regions, 2017", "Fastest growers",
                  "Most stable ranks, 2017", "Least stable ranks, 2017", "Key cause factors"):
        assert title in summary
    scores = pl.read_parquet(run_dir / "tables" / "index_scores.parquet")
    best = scores.filter(pl.col("year") == 2017).sort("index", descending=True)["region"][0]
    assert f"<li><div><span>{best}</span>" in summary
    methods = text[text.index('<section id="methods">'):]
    assert "Wu, Wang, Chen" in methods and "Beijing-Tianjin-Hebei" in methods
    assert "doi:10.3390/su12072739" in methods
    for formula_bit in ("max_ratio", "ratio2", "Drift-degree", "Spearman", "GM(1,1)", "CFCS",
                        "Dirichlet"):
        assert formula_bit in methods
    assert "sha256" in text  # inputs table in the reproducibility section
    # self-contained: no external stylesheet, script or image (the finder's script is inline)
    assert not re.search(r'<link\b', text)
    assert not re.search(r'<script[^>]*\bsrc=', text)
    assert not re.search(r'src="https?://', text)
    script = text[text.index("<script>"):text.index("</script>", text.index("<script>"))]
    assert "http" not in script and "fetch(" not in script and "XMLHttpRequest" not in script


def test_fastinno_report_rerenders_from_saved_tables(run_dir, tmp_path):
    from click.testing import CliRunner

    from fastinno.cli import cli

    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    shutil.rmtree(copy / "figures")
    (copy / "report.html").unlink()
    r = CliRunner().invoke(cli, ["report", str(copy)])
    assert r.exit_code == 0, r.output
    assert f"Report: {copy.resolve() / 'report.html'}" in r.output
    _check_page(copy)
    assert sorted(p.name for p in (copy / "figures").iterdir()) == sorted(
        f"{n}.png" for n in EXPECTED_FIGURES)
    # same tables as the page the pipeline wrote, except the last section's timings table (the
    # pipeline renders before the report and total timings exist; run.json has them afterwards)
    again, first = _parse(copy / "report.html").tables, _parse(run_dir / "report.html").tables
    assert again[:-4] == first[:-4] and len(again) == len(first)


def test_report_of_a_folder_with_a_missing_table(run_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    (copy / "tables" / "forecast.parquet").unlink()
    with pytest.raises(InputError, match="Table 'forecast' listed in run.json is missing"):
        report.render_report(copy)
    with pytest.raises(InputError, match="no run.json"):
        report.render_report(tmp_path)


def test_number_formatting():
    assert report.fmt(0.123456, "index") == "0.1235"
    assert report.fmt(0.0778, "cagr") == "7.78&nbsp;%"
    assert report.fmt(3.0, "median_rank") == "3"
    assert report.fmt(None) == '<span class="na">&ndash;</span>'
    assert report.fmt(float("nan")) == '<span class="na">NaN</span>'
    assert report.fmt(2017, "year") == "2017"
    assert report.fmt(1234567.0) == "1,234,567"
    assert report.fmt("<b>") == "&lt;b&gt;"


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason=MISSING)
def test_report_renders_in_headless_chromium(run_dir, tmp_path):
    # a copy of the page that records, once loaded, how many images failed to decode
    probe = run_dir / "probe.html"
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    script = ("<script>window.addEventListener('load',function(){var b=0,n=0;"
              "for(const i of document.images){n++;if(!(i.complete&&i.naturalWidth>0))b++;}"
              "document.body.setAttribute('data-images',n);"
              "document.body.setAttribute('data-broken',b);"
              "document.body.setAttribute('data-width',document.documentElement.scrollWidth);"
              "});</script>")
    probe.write_text(html.replace("</body>", script + "</body>"), encoding="utf-8")
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
             "--window-size=1280,2400"]
    try:
        dom = subprocess.run([*flags, "--dump-dom", probe.as_uri()], capture_output=True,
                             text=True, timeout=120, check=True).stdout
        shot = tmp_path / "report.png"
        subprocess.run([*flags, f"--screenshot={shot}", (run_dir / "report.html").as_uri()],
                       capture_output=True, timeout=120, check=True)
    finally:
        probe.unlink()
    m = re.search(r'data-images="(\d+)" data-broken="(\d+)" data-width="(\d+)"', dom)
    assert m, dom[:500]
    n_images, broken, width = map(int, m.groups())
    assert n_images == len(EXPECTED_FIGURES)
    assert broken == 0
    assert width <= 1280  # no horizontal overflow at a laptop width
    # the screenshot is a real rendering: the dark header band on top, varied content below
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)
    assert img.shape[:2] == (2400, 1280)
    header = img[10:60, :, :3].mean()
    body = img[200:, :, :3]
    assert header < 0.5  # the blue header
    assert body.std() > 0.05  # figures, tables and text, not a blank page
