"""Figures of the regional analyses: what is drawn equals the tables it is drawn from."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import fastinno as fi
from fastinno import plots
from fastinno.errors import InputError, SchemaError

REGIONS = [f"r{i}" for i in range(8)]
YEARS = list(range(2010, 2015))
GROUPS = {r: ("west" if i < 4 else "east") for i, r in enumerate(REGIONS)}
#: A ring of 8 regions: each borders the one before and the one after.
RING = pl.DataFrame({"region": REGIONS * 2, "neighbour": REGIONS[1:] + REGIONS[:1] + REGIONS[-1:] + REGIONS[:-1]})


@pytest.fixture(scope="module")
def scores():
    rng = np.random.default_rng(3)
    rows = [{"region": r, "year": y, "index": float(1.0 + i + 0.3 * t + rng.uniform(0, 0.5))}
            for i, r in enumerate(REGIONS) for t, y in enumerate(YEARS)]
    return pl.DataFrame(rows)


@pytest.fixture(scope="module")
def disp(scores):
    return fi.disparity(scores, groups=GROUPS)


def _bars(ax):
    return [p for c in ax.containers for p in c.patches]


def test_dagum_bars_stack_the_three_parts_and_the_line_is_gini(disp):
    fig = plots.dagum_contributions(disp.dagum)
    (ax,) = fig.axes
    assert len(ax.containers) == 3
    assert len(_bars(ax)) == 3 * len(YEARS)
    d = disp.dagum.sort("year")
    within, net, trans = ([p.get_height() for p in c.patches] for c in ax.containers)
    np.testing.assert_allclose(within, d["within"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(net, d["net_between"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(trans, d["transvariation"].to_numpy(), rtol=1e-12)
    # stacked: each part starts where the one below ends, and the top is G
    bottoms = [p.get_y() for p in ax.containers[2].patches]
    np.testing.assert_allclose(bottoms, d["within"].to_numpy() + d["net_between"].to_numpy(), rtol=1e-12)
    (line,) = ax.lines
    np.testing.assert_allclose(line.get_ydata(), d["gini"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(np.add(bottoms, trans), d["gini"].to_numpy(), rtol=1e-9)
    shares = plots.dagum_contributions(disp.dagum, share=True).axes[0]
    tops = [p.get_y() + p.get_height() for p in shares.containers[2].patches]
    np.testing.assert_allclose(tops, 1.0, rtol=1e-9)
    assert not shares.lines


def test_theil_lines_are_total_within_between(disp):
    (ax,) = plots.theil_decomposition(disp.theil).axes
    assert [ln.get_label() for ln in ax.lines] == ["Theil T (total)", "Within groups", "Between groups"]
    t = disp.theil.sort("year")
    for ln, col in zip(ax.lines, ("total", "within", "between")):
        np.testing.assert_array_equal(ln.get_xdata(), YEARS)
        np.testing.assert_allclose(ln.get_ydata(), t[col].to_numpy(), rtol=1e-12)


@pytest.mark.filterwarnings("ignore:group .* speed and half-life undefined")
def test_sigma_one_line_per_group_all_first(scores):
    conv = fi.convergence(scores, column="index", groups=GROUPS)
    (ax,) = plots.sigma_convergence(conv.sigma).axes
    order = conv.sigma["group"].unique(maintain_order=True).to_list()
    assert order[0] == "all" and sorted(order[1:]) == ["east", "west"]
    assert [ln.get_label() for ln in ax.lines] == ["All regions", *order[1:]]  # the table's order
    for ln, g in zip(ax.lines, order):
        np.testing.assert_allclose(ln.get_ydata(), conv.sigma.filter(pl.col("group") == g)["cv"].to_numpy())
    (ax2,) = plots.sigma_convergence(conv.sigma, measure="sd_log").axes
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), conv.sigma.filter(pl.col("group") == "all")["sd_log"])
    with pytest.raises(InputError, match="measure"):
        plots.sigma_convergence(conv.sigma, measure="gini")


def test_density_one_curve_per_year_coloured_in_order(scores):
    dens = fi.density(scores, column="index", grid=50)
    fig = plots.density_curves(dens)
    ax = fig.axes[0]
    assert len(ax.lines) == len(YEARS)
    assert [ln.get_label() for ln in ax.lines] == [str(y) for y in YEARS]
    last = dens.filter(pl.col("year") == YEARS[-1])
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), last["density"].to_numpy())
    colors = [ln.get_color() for ln in ax.lines]
    assert len({tuple(c) for c in colors}) == len(YEARS)  # a colour per year
    assert len(fig.axes) == 2  # the year colour bar


def test_moran_scatter_points_and_slope_equal_morans_i(scores):
    from fastinno.main_job.regional_step import moran_points

    nb = fi.neighbours(RING)
    res = fi.moran(scores, column="index", neighbours=nb, permutations=0)
    pts = moran_points(scores, nb, column="index", local=res.local)
    fig = plots.moran_scatter(pts, year=2012)
    (ax,) = fig.axes
    (coll,) = ax.collections
    xy = coll.get_offsets()
    p = pts.filter(pl.col("year") == 2012)
    np.testing.assert_allclose(xy[:, 0], p["z"].to_numpy())
    np.testing.assert_allclose(xy[:, 1], p["lag"].to_numpy())
    line = ax.lines[-1]
    x, y = line.get_xdata(), line.get_ydata()
    i_2012 = res.global_.filter(pl.col("year") == 2012)["moran_i"][0]
    np.testing.assert_allclose((y[1] - y[0]) / (x[1] - x[0]), i_2012, rtol=1e-12)  # no island: slope = I
    assert "2012" in ax.get_title()
    # the lag is the mean of the two ring neighbours' z
    z = dict(zip(p["region"], p["z"]))
    np.testing.assert_allclose(p.filter(pl.col("region") == "r0")["lag"][0], (z["r1"] + z["r7"]) / 2)
    # a given I is the slope; the default year is the last
    ax2 = plots.moran_scatter(pts.drop("cluster"), moran_i=0.5).axes[0]
    x, y = ax2.lines[-1].get_xdata(), ax2.lines[-1].get_ydata()
    assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(0.5)
    assert str(YEARS[-1]) in ax2.get_title()
    with pytest.raises(InputError, match="1999"):
        plots.moran_scatter(pts, year=1999)


@pytest.mark.filterwarnings("ignore:.*reducible")
@pytest.mark.filterwarnings("ignore:.*quantiles repeat")
def test_markov_heatmap_holds_the_probabilities(scores):
    mk = fi.markov(scores, column="index", classes=3)
    fig = plots.markov_matrix(mk.transitions)
    ax = fig.axes[0]
    (im,) = ax.images
    np.testing.assert_allclose(np.ma.filled(im.get_array(), np.nan), mk.matrix(), equal_nan=True)
    assert len(ax.texts) == int(np.isfinite(mk.matrix()).sum())
    spatial = fi.markov(scores, column="index", classes=2, neighbours=fi.neighbours(RING))
    fig = plots.markov_matrix(spatial.transitions)
    panels = [a for a in fig.axes if a.images]
    assert len(panels) == spatial.transitions["lag_class"].n_unique()
    np.testing.assert_allclose(np.ma.filled(panels[0].images[0].get_array(), np.nan), spatial.matrix(1),
                               equal_nan=True)
    one = plots.markov_matrix(spatial.transitions, lag_class=2)
    assert len([a for a in one.axes if a.images]) == 1
    with pytest.raises(InputError, match="lag_class"):
        plots.markov_matrix(spatial.transitions, lag_class=9)


def test_bad_frames_say_what_is_missing(disp):
    with pytest.raises(SchemaError, match="transvariation"):
        plots.dagum_contributions(disp.dagum.drop("transvariation"))
    with pytest.raises(InputError, match="no rows"):
        plots.theil_decomposition(disp.theil.head(0))


def test_figures_draw_into_a_given_axes_and_save(disp, tmp_path):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert plots.theil_decomposition(disp.theil, ax=ax) is fig
    out = tmp_path / "dagum.png"
    plots.save_figure(plots.dagum_contributions(disp.dagum), out)
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_disparity_trends_lines_and_interval_bands(scores):
    res = fi.disparity(scores, groups=GROUPS, measures=["cv", "gini", "dagum"], bootstrap=20, seed=1)
    (ax,) = plots.disparity_trends(res.overall).axes
    assert [ln.get_label() for ln in ax.lines] == ["cv", "gini"]  # not the decomposition parts
    gini = res.overall.filter(pl.col("measure") == "gini")
    np.testing.assert_allclose(ax.lines[1].get_ydata(), gini["value"].to_numpy())
    assert len(ax.collections) == 2  # one interval band per measure
    band = ax.collections[1].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(gini["lower"].min()) and band.max() == pytest.approx(gini["upper"].max())
    (ax,) = plots.disparity_trends(res.overall, measures=["dagum_within"]).axes
    assert len(ax.lines) == 1
    with pytest.raises(InputError, match="theil_l"):
        plots.disparity_trends(res.overall, measures=["theil_l"])
