"""fastinno.convergence: sigma convergence, absolute and conditional beta convergence."""

from __future__ import annotations

import math
import warnings

import naive
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import fastinno as fi
from fastinno.errors import DegenerateDataError, FastinnoWarning, InputError
from fastinno.regional.convergence import ols_slope, twoway_within

#: A small balanced panel (8 regions x 5 years, values rounded to 6 decimals).
PANEL = np.array([
    [7.758772, 4.892439, 5.591854, 5.247527, 5.039098],
    [0.213264, 0.214036, 0.189256, 0.38672, 0.425328],
    [1.416621, 1.302995, 1.109196, 1.078396, 1.248402],
    [0.44626, 0.450763, 0.476179, 0.681951, 0.799493],
    [4.134619, 4.842834, 7.497111, 7.46775, 7.477376],
    [0.861618, 0.854459, 1.071673, 1.265276, 1.354719],
    [0.411526, 0.530666, 0.46045, 0.346707, 0.385203],
    [0.172538, 0.146253, 0.154557, 0.160776, 0.223885],
])
#: linearmodels 7.1, PanelOLS(dep, x, entity_effects=True, time_effects=True).fit(
#: cov_type="clustered", cluster_entity=True, group_debias=True, auto_df=False,
#: count_effects=False) on ln(y_{t+1}/y_t) ~ ln y_t of PANEL: params["x"], std_errors["x"].
#: With the default fit (absorbed effects counted) the SE is 0.08755862042903853: larger by
#: sqrt((n - 1) / (n - d)), n = 32 observations, d = 12 absorbed effects.
LM_BETA, LM_SE, LM_SE_DEFAULT = -0.5979713089618185, 0.07032877634064096, 0.08755862042903853
#: scipy.stats.linregress(ln y_0, (ln y_4 - ln y_0) / 4) of PANEL: slope, stderr, pvalue.
LINREGRESS = (-0.03383433058010066, 0.027248848812952437, 0.2606907220498381)


def frame(values, years=None, regions=None):
    n, t = values.shape
    regions = regions or [f"r{i}" for i in range(n)]
    years = np.arange(2000, 2000 + t) if years is None else np.asarray(years)
    return pl.DataFrame({"region": np.repeat(regions, t), "year": np.tile(years, n), "index": values.ravel()})


def run(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)
        return fi.convergence(*args, **kwargs)


def row(res, group, kind):
    return res.beta.filter((pl.col("group") == group) & (pl.col("kind") == kind)).row(0, named=True)


def test_conditional_beta_matches_linearmodels_fixture_and_dummies():
    res = run(frame(PANEL))
    r = row(res, "all", "conditional")
    assert r["beta"] == pytest.approx(LM_BETA, rel=1e-10)
    assert r["se"] == pytest.approx(LM_SE, rel=1e-8)
    b, se = naive.twoway_fe_clustered(PANEL)
    assert r["beta"] == pytest.approx(b, rel=1e-9) and r["se"] == pytest.approx(se, rel=1e-8)
    assert r["df"] == 7 and r["n_obs"] == 32 and r["n_regions"] == 8
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(abs(LM_BETA / LM_SE), 7), rel=1e-6)
    assert r["speed"] == pytest.approx(-math.log(1 + LM_BETA), rel=1e-10)
    assert r["half_life"] == pytest.approx(math.log(2) / r["speed"], rel=1e-12)


def test_conditional_beta_matches_linearmodels_live():
    pytest.importorskip("linearmodels")
    import pandas as pd
    from linearmodels.panel import PanelOLS

    rng = np.random.default_rng(8)
    v = np.exp(np.cumsum(rng.normal(0.03, 0.2, size=(10, 6)), axis=1) + rng.normal(size=(10, 1)))
    ly = np.log(v)
    r, t = v.shape
    idx = pd.MultiIndex.from_arrays([np.repeat(np.arange(r), t - 1), np.tile(np.arange(t - 1), r)])
    df = pd.DataFrame({"dep": (ly[:, 1:] - ly[:, :-1]).ravel(), "x": ly[:, :-1].ravel()}, index=idx)
    model = PanelOLS(df.dep, df[["x"]], entity_effects=True, time_effects=True)
    fit = model.fit(cov_type="clustered", cluster_entity=True, group_debias=True, auto_df=False, count_effects=False)
    b, se, _, _ = twoway_within(ly)
    assert b == pytest.approx(fit.params["x"], rel=1e-10)
    assert se == pytest.approx(fit.std_errors["x"], rel=1e-8)
    default = model.fit(cov_type="clustered", cluster_entity=True, group_debias=True)
    assert default.std_errors["x"] > se  # it also counts the absorbed effects
    assert LM_SE_DEFAULT / LM_SE == pytest.approx(math.sqrt(31 / 20), rel=1e-6)


def test_absolute_beta_matches_ols_references():
    res = run(frame(PANEL))
    r = row(res, "all", "absolute")
    assert (r["beta"], r["se"], r["p_value"]) == pytest.approx(LINREGRESS, rel=1e-6)
    ly = np.log(PANEL)
    b, se = naive.ols(ly[:, 0], (ly[:, -1] - ly[:, 0]) / 4)
    assert r["beta"] == pytest.approx(b, rel=1e-10) and r["se"] == pytest.approx(se, rel=1e-9)
    assert r["speed"] == pytest.approx(-math.log(1 + 4 * r["beta"]) / 4, rel=1e-12)
    assert r["df"] == 6


def test_exact_convergence_has_known_speed_and_half_life():
    # ln y_T = (1 + beta T) ln y_0 with beta = -0.05, T = 10: speed = ln 2 / 10, half-life 10
    y0 = np.array([0.5, 1.0, 2.0, 4.0, 8.0, 3.0])
    yt = np.exp(0.5 * np.log(y0))
    mid = np.sqrt(y0 * yt)
    res = run(frame(np.column_stack([y0, mid, yt]), years=[2000, 2005, 2010]))
    r = row(res, "all", "absolute")
    assert r["beta"] == pytest.approx(-0.05, rel=1e-12)
    assert r["se"] == pytest.approx(0.0, abs=1e-12)
    assert r["speed"] == pytest.approx(math.log(2) / 10, rel=1e-12)
    assert r["half_life"] == pytest.approx(10.0, rel=1e-12)
    assert r["p_value"] == pytest.approx(0.0, abs=1e-12)


def test_sigma_and_trend_per_group():
    groups = {f"r{i}": ("north" if i < 4 else "south") for i in range(8)}
    res = run(frame(PANEL), groups=groups)
    assert res.beta["group"].unique(maintain_order=True).to_list() == ["all", "north", "south"]
    for g, idx in (("all", slice(None)), ("north", slice(0, 4)), ("south", slice(4, 8))):
        s = res.sigma.filter(pl.col("group") == g).sort("year")
        v = PANEL[idx]
        npt.assert_allclose(s["cv"].to_numpy(), v.std(axis=0) / v.mean(axis=0), rtol=1e-12)
        npt.assert_allclose(s["sd_log"].to_numpy(), np.log(v).std(axis=0), rtol=1e-12)
        tr = res.sigma_trend.filter(pl.col("group") == g).row(0, named=True)
        ref = stats.linregress(np.arange(2000, 2005), s["cv"].to_numpy())
        assert (tr["slope"], tr["se"], tr["p_value"]) == pytest.approx((ref.slope, ref.stderr, ref.pvalue), rel=1e-8)
        b, se = naive.twoway_fe_clustered(v)
        r = row(res, g, "conditional")
        assert r["beta"] == pytest.approx(b, rel=1e-9) and r["se"] == pytest.approx(se, rel=1e-8)
    assert res.options["groups"] == ("north", "south")
    assert set(res.tables()) == {"beta", "sigma", "sigma_trend"}


def test_no_convergence_warns_and_gives_nan_speed():
    # divergence: high starters grow faster
    y0 = np.array([1.0, 2.0, 3.0, 4.0])
    v = np.column_stack([y0, y0**1.5, y0**2.2])
    with pytest.warns(FastinnoWarning, match="beta >= 0"):
        res = fi.convergence(frame(v))
    r = row(res, "all", "absolute")
    assert r["beta"] > 0 and math.isnan(r["speed"]) and math.isnan(r["half_life"])


def test_small_groups_warn_and_give_nan():
    groups = {f"r{i}": ("one" if i == 0 else "rest") for i in range(8)}
    with pytest.warns(FastinnoWarning, match="'one'"):
        res = fi.convergence(frame(PANEL), groups=groups)
    r = row(res, "one", "conditional")
    assert math.isnan(r["beta"]) and math.isnan(r["se"]) and r["n_regions"] == 1
    assert math.isnan(row(res, "one", "absolute")["beta"])
    rest = row(res, "rest", "conditional")
    b, se = naive.twoway_fe_clustered(PANEL[1:])
    assert rest["beta"] == pytest.approx(b, rel=1e-9) and rest["se"] == pytest.approx(se, rel=1e-8)


def test_errors():
    v = PANEL.copy()
    v[2, 3] = 0.0
    with pytest.raises(DegenerateDataError, match="> 0 for convergence"):
        fi.convergence(frame(v))
    with pytest.raises(InputError, match="at least 2 years"):
        fi.convergence(frame(PANEL[:, :1]))
    with pytest.raises(InputError, match="named 'all'"):
        run(frame(PANEL), groups={f"r{i}": "all" for i in range(8)})
    with pytest.raises(InputError, match="no group"):
        run(frame(PANEL), groups={"r0": "a"})


def test_ols_slope_edge_cases():
    b, se, p, df = ols_slope(np.array([0.0, 1.0]), np.array([1.0, 3.0]))
    assert b == 2.0 and math.isnan(se) and math.isnan(p) and df == 0
    b, se, p, _ = ols_slope(np.ones(4), np.arange(4.0))
    assert math.isnan(b)


@settings(max_examples=25, deadline=None)
@given(scale=st.floats(1e-3, 1e3), seed=st.integers(0, 10_000))
def test_scale_invariance(scale, seed):
    """CV, sd of logs and both betas do not change when every score is multiplied by a constant."""
    v = np.random.default_rng(seed).lognormal(size=(6, 4))
    a, b = run(frame(v)), run(frame(v * scale))
    npt.assert_allclose(b.sigma["cv"].to_numpy(), a.sigma["cv"].to_numpy(), rtol=1e-9)
    npt.assert_allclose(b.sigma["sd_log"].to_numpy(), a.sigma["sd_log"].to_numpy(), rtol=1e-8, atol=1e-12)
    npt.assert_allclose(b.beta["beta"].to_numpy(), a.beta["beta"].to_numpy(), rtol=1e-7, atol=1e-10)
