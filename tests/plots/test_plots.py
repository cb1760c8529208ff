"""Figures of the main job on small synthetic frames with the result schemas:
axis labels, number of lines, panels, consistent colours, atomic saving."""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import polars as pl
import pytest

from fastinno import plots
from fastinno.errors import InputError, SchemaError

REGIONS = ["Beijing", "Tianjin", "Hebei", "Shanghai", "Jiangsu", "Zhejiang", "Anhui"]
YEARS = list(range(2010, 2016))
DIMS = ["enterprise", "university", "research_institution"]
METHODS = ["entropy", "max_deviation", "topsis", "gra"]


@pytest.fixture(scope="module")
def scores():
    rng = np.random.default_rng(0)
    rows = []
    for i, r in enumerate(REGIONS):
        for t, y in enumerate(YEARS):
            rows.append({"region": r, "year": y, "index": 0.1 * i + 0.01 * t,
                         **{d: float(rng.uniform()) for d in DIMS}})
    return pl.DataFrame(rows)


@pytest.fixture(scope="module")
def summary(scores):
    return scores.select(
        "region", "year", pl.col("index").alias("base_index"),
        pl.col("index").rank("min", descending=True).over("year").cast(pl.Int64)
        .alias("base_rank"),
    ).with_columns(
        median_rank=pl.col("base_rank").cast(pl.Float64),
        rank_p05=(pl.col("base_rank") - 1).clip(1).cast(pl.Float64),
        rank_p95=(pl.col("base_rank") + 1).cast(pl.Float64),
    )


def _visible(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def test_index_trajectories_one_panel_per_level_one_line_per_region(scores):
    fig = plots.index_trajectories(scores)
    axes = _visible(fig)
    assert [ax.get_title() for ax in axes] == ["Overall index", "Enterprise", "University",
                                               "Research institution"]
    for ax in axes:
        assert ax.get_xlabel() == "Year"
        assert ax.get_ylabel() == "Index"
        assert len(ax.lines) == len(REGIONS)
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), YEARS)
    # legend: every region once, best last-year overall index first
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == REGIONS[::-1]


def test_index_trajectories_top_n_mode(scores):
    fig = plots.index_trajectories(scores, columns=["index"], top_n=3)
    (ax,) = _visible(fig)
    # 3 regions + the dashed median of all regions; the 5-95 % band is a filled area
    assert len(ax.lines) == 4
    assert [ln.get_label() for ln in ax.lines[1:]] == ["Anhui", "Zhejiang", "Jiangsu"]
    assert len(ax.collections) == 1


def test_top_n_is_the_default_for_thousands_of_regions():
    rng = np.random.default_rng(1)
    n = 2500
    big = pl.DataFrame({
        "region": np.repeat([f"county{i:04d}" for i in range(n)], 3),
        "year": np.tile([2018, 2019, 2020], n),
        "index": rng.uniform(size=3 * n),
    })
    fig = plots.index_trajectories(big)
    (ax,) = _visible(fig)
    assert len(ax.lines) == 11  # top 10 + median
    colors = {ln.get_color() for ln in ax.lines[1:]}
    assert len(colors) == 10  # distinct colours among the drawn regions


def test_rank_heatmap(scores):
    fig = plots.rank_heatmap(scores)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Year" and ax.get_ylabel() == "Region"
    img = ax.images[0].get_array()
    assert img.shape == (len(REGIONS), len(YEARS))
    # rows sorted by last-year rank: best (Anhui, highest index) first
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "Anhui"
    assert img[0, -1] == 1 and img[-1, -1] == len(REGIONS)
    assert fig.axes[1].get_ylabel() == "Rank (1 = best)"
    assert len(ax.texts) == img.size  # annotated cells


def test_rank_heatmap_uses_a_given_rank_column(scores):
    s = scores.with_columns(pl.lit(1).alias("rank"))
    fig = plots.rank_heatmap(s, column="combined", rank="rank")
    assert fig.axes[0].get_title() == "Rank by combined score (all 7 regions)"
    assert np.all(fig.axes[0].images[0].get_array() == 1)


def test_rank_stability(summary):
    fig = plots.rank_stability(summary)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Rank (1 = best)" and ax.get_ylabel() == "Region"
    assert ax.get_title().startswith(f"Rank stability, {YEARS[-1]}")
    n = len(REGIONS)
    assert len(ax.lines) == 2 * n + 1  # interval + median per region, base ranks
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names[0] == "Anhui" and len(names) == n
    # interval of the first region drawn from p05 to p95
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2])


def test_rank_stability_other_year_and_errors(summary):
    fig = plots.rank_stability(summary, year=YEARS[0], top_n=3)
    assert len(fig.axes[0].lines) == 7
    with pytest.raises(InputError, match="year 1999 is not in the summary"):
        plots.rank_stability(summary, year=1999)
    with pytest.raises(SchemaError, match="lacks column.*'rank_p95'"):
        plots.rank_stability(summary.drop("rank_p95"))


def test_rho_distribution():
    agr = pl.DataFrame({"year": YEARS, "spearman_rho_mean": [0.97] * 6, "spearman_rho_p05": [0.93] * 6,
                        "spearman_rho_min": [0.85] * 6})
    fig = plots.rho_distribution(agr)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Year" and ax.get_ylabel() == "Spearman rho with base ranking"
    assert [ln.get_label() for ln in ax.lines] == ["mean", "5th percentile", "minimum"]
    rho = pl.DataFrame({"year": np.repeat(YEARS, 50),
                        "spearman_rho": np.random.default_rng(0).uniform(0.8, 1, 300)})
    fig = plots.rho_distribution(agr, rho=rho)
    assert len(fig.axes[0].lines) > 0


def test_method_agreement_matrix():
    rng = np.random.default_rng(3)
    rows = [{"year": y, "dimension": d, "method_a": a, "method_b": b,
             "spearman_rho": float(rng.uniform(0.6, 1.0)), "p_value": 0.01}
            for y in YEARS for d in ("index", "enterprise")
            for i, a in enumerate(METHODS) for b in METHODS[i + 1:]]
    comp = pl.DataFrame(rows)
    fig = plots.method_agreement(comp)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Method" and ax.get_ylabel() == "Method"
    m = np.asarray(ax.images[0].get_array())
    assert m.shape == (4, 4)
    np.testing.assert_allclose(np.diag(m), 1.0)
    np.testing.assert_allclose(m, m.T)
    want = comp.filter((pl.col("dimension") == "index") & (pl.col("method_a") == "entropy")
                       & (pl.col("method_b") == "gra"))["spearman_rho"].mean()
    assert m[0, 3] == pytest.approx(want)
    assert fig.axes[1].get_ylabel() == "Spearman rho"
    fig = plots.method_agreement(comp, year=YEARS[0], dimension="enterprise")
    assert str(YEARS[0]) in fig.axes[0].get_title()
    with pytest.raises(InputError, match="dimension 'nope'"):
        plots.method_agreement(comp, dimension="nope")


def test_method_weights_one_line_per_method():
    rows = [{"year": y, "dimension": "index", "method": m, "spearman_rho": 0.9, "drift": 0.1,
             "weight": 0.25} for y in YEARS for m in METHODS]
    fig = plots.method_weights(pl.DataFrame(rows))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Year" and ax.get_ylabel() == "Method weight"
    assert len(ax.lines) == 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "entropy", "max deviation", "topsis", "gra"]


def _forecast_frame():
    rows = []
    for i, r in enumerate(REGIONS):
        for y in range(2010, 2019):
            past = y <= 2015
            rows.append({"region": r, "year": y,
                         "observed": 0.5 + 0.02 * i + 0.01 * (y - 2010) if past else None,
                         "fitted": 0.5 + 0.02 * i + 0.011 * (y - 2010) if past else None,
                         "forecast": None if past else 0.5 + 0.02 * i + 0.011 * (y - 2010)})
    fit = pl.DataFrame({"region": REGIONS, "grade": ["good"] * 6 + ["barely"],
                        "C": [0.2] * 7, "P": [1.0] * 7})
    return pl.DataFrame(rows), fit


def test_forecast_fits_grade_in_legend():
    fc, fit = _forecast_frame()
    fig = plots.forecast_fits(fc, fit, regions=["Beijing", "Anhui"])
    axes = _visible(fig)
    assert [ax.get_title() for ax in axes] == ["Beijing", "Anhui"]
    for ax in axes:
        assert ax.get_xlabel() == "Year" and ax.get_ylabel() == "Index"
        assert len(ax.lines) == 3  # observed, fitted, forecast
    legend = [t.get_text() for t in axes[1].get_legend().get_texts()]
    assert legend == ["observed", "GM(1,1) fit (barely, C=0.20, P=1.00)", "forecast"]
    # the forecast line starts at the last fitted point
    xs = axes[0].lines[2].get_xdata()
    assert list(xs) == [2015, 2016, 2017, 2018]


def test_forecast_fits_default_selection():
    fc, fit = _forecast_frame()
    fig = plots.forecast_fits(fc, fit, max_regions=4)
    assert [ax.get_title() for ax in _visible(fig)] == ["Anhui", "Zhejiang", "Jiangsu",
                                                        "Shanghai"]
    with pytest.raises(InputError, match="'Atlantis'"):
        plots.forecast_fits(fc, regions=["Atlantis"])


def test_region_colours_are_consistent_across_figures(scores, summary):
    cmap = plots.region_colors(REGIONS)
    assert cmap == plots.region_colors(REGIONS[::-1])
    assert len(set(cmap.values())) == len(REGIONS)
    traj = plots.index_trajectories(scores, columns=["index"])
    line = {ln.get_label(): ln.get_color() for ln in _visible(traj)[0].lines}
    fc, fit = _forecast_frame()
    fcf = plots.forecast_fits(fc, fit, regions=["Hebei"])
    stab = plots.rank_stability(summary)
    hebei_fc = _visible(fcf)[0].lines[0].get_color()
    hebei_row = [t.get_text() for t in stab.axes[0].get_yticklabels()].index("Hebei")
    hebei_stab = stab.axes[0].lines[2 * hebei_row].get_color()
    for c in (line["Hebei"], hebei_fc, hebei_stab):
        assert mcolors.same_color(c, cmap["Hebei"])


def test_drawing_on_a_given_axes(summary):
    from matplotlib.figure import Figure

    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    out = plots.rank_stability(summary, ax=ax2)
    assert out is fig
    assert len(ax1.lines) == 0 and len(ax2.lines) > 0


def test_save_figure_png_and_svg(tmp_path, scores):
    fig = plots.rank_heatmap(scores)
    png = plots.save_figure(fig, tmp_path / "f" / "heat.png", dpi=50)
    svg = plots.save_figure(fig, tmp_path / "f" / "heat.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:500]
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == ["heat.png", "heat.svg"]


def test_bad_frames():
    with pytest.raises(InputError, match="must be a polars DataFrame"):
        plots.rank_heatmap({"region": []})
    with pytest.raises(SchemaError, match="lacks column.*'year'"):
        plots.index_trajectories(pl.DataFrame({"region": ["a"], "index": [1.0]}))
    with pytest.raises(InputError, match="no rows"):
        plots.method_weights(pl.DataFrame(schema={"year": pl.Int64, "method": pl.String,
                                                  "weight": pl.Float64}))


@pytest.fixture(scope="module")
def county_scores():
    rng = np.random.default_rng(3)
    n = 300
    return pl.DataFrame({
        "region": np.repeat([f"county{i:04d}" for i in range(n)], 4),
        "year": np.tile([2017, 2018, 2019, 2020], n),
        "index": rng.uniform(size=4 * n),
    })


def test_rank_heatmap_beyond_the_threshold_shows_top_and_bottom(county_scores):
    from fastinno import _config

    fig = plots.rank_heatmap(county_scores)
    ax = fig.axes[0]
    k = _config.REPORT_TOP_BOTTOM
    img = ax.images[0].get_array()
    assert img.shape == (2 * k, 4)
    last = img[:, -1]
    assert list(last[:k]) == list(range(1, k + 1))  # the best k ...
    assert list(last[k:]) == list(range(300 - k + 1, 301))  # ... and the worst k
    assert len(ax.get_yticklabels()) == 2 * k  # every drawn row labelled
    assert ax.get_title() == f"Rank by overall index (top {k} and bottom {k} of 300 regions)"
    assert fig.get_size_inches()[1] * 150 < 3000
    full = plots.rank_heatmap(county_scores, top_bottom=0)
    assert full.axes[0].images[0].get_array().shape == (300, 4)


def test_rank_bands_summarise_every_region(county_scores):
    fig = plots.rank_bands(county_scores, bands=10)
    heat, hist = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"][:2]
    img = heat.images[0].get_array()
    assert img.shape == (10, 4)
    # bands by last-year rank: the last column's medians rise from band to band
    assert np.all(np.diff(img[:, -1]) > 0)
    assert img[0, -1] == pytest.approx(15.5)  # median of ranks 1..30
    assert [t.get_text() for t in heat.get_yticklabels()][0] == "1-30"
    assert sum(p.get_height() for p in hist.patches) == 300  # one rank change per region
    assert "all 300 regions" in heat.get_title()


def test_rank_stability_title_names_the_selection(county_scores):
    s = county_scores.with_columns(
        pl.col("index").rank("min", descending=True).over("year").cast(pl.Float64)
        .alias("median_rank")).with_columns(rank_p05=pl.col("median_rank") - 1,
                                            rank_p95=pl.col("median_rank") + 1)
    fig = plots.rank_stability(s)
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 40
    assert "(top 40 of 300 by median rank)" in ax.get_title()


def test_twenty_regions_stay_distinguishable():
    from fastinno.plots.style import PALETTE, line_style

    styles = {(c, line_style(c)["ls"], line_style(c)["marker"]) for c in PALETTE}
    assert len(styles) == 20
    # a colour of the second ten (a darker shade of a first-ten hue) is drawn dashed
    assert line_style(PALETTE[13])["ls"] == "--" and line_style(PALETTE[3])["ls"] == "-"


CJK = ["北京", "上海", "天津"]


def _cjk_figure():
    frame = pl.DataFrame({"region": np.repeat(CJK, 3), "year": np.tile([2018, 2019, 2020], 3),
                          "index": np.arange(9, dtype=float)})
    return plots.rank_heatmap(frame), frame


def test_cjk_labels_render_with_an_installed_cjk_font(tmp_path):
    import warnings

    from fastinno.plots.style import cjk_font

    if cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, frame = _cjk_figure()
        plots.save_figure(fig, tmp_path / "cjk.png", dpi=60)
        fig2 = plots.index_trajectories(frame)
        plots.save_figure(fig2, tmp_path / "cjk2.png", dpi=60)
    msgs = [str(w.message) for w in caught]
    assert not [m for m in msgs if "missing from" in m], msgs
    assert not [m for m in msgs if "CJK font" in m], msgs
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["天津", "上海", "北京"]
    assert cjk_font() in fig.axes[0].get_yticklabels()[0].get_fontfamily()


def test_missing_cjk_font_warns_once_with_the_fix(tmp_path, monkeypatch):
    import warnings

    from fastinno.errors import FastinnoWarning
    from fastinno.plots import style as st

    monkeypatch.setattr(st, "cjk_font", lambda: None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, _ = _cjk_figure()
        with st.quiet_missing_glyphs():
            plots.save_figure(fig, tmp_path / "boxes.png", dpi=60)
    ours = [w for w in caught if issubclass(w.category, FastinnoWarning)]
    assert len(ours) == 1 and "apt-get install fonts-noto-cjk" in str(ours[0].message)
    assert not [w for w in caught if "missing from" in str(w.message)]
    assert not st.needs_cjk(["Beijing", "SYN-00001"]) and st.needs_cjk(["Harbin 哈尔滨"])
