"""GM(1,1): kernel vs naive, refvectors, accuracy figures, batched forecast by region, CLI."""

from __future__ import annotations

import naive
import numba
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from refvectors import load_refvectors

import fastinno as fi
from fastinno.cli import cli
from fastinno.errors import DegenerateDataError, FastinnoWarning, InputError, SchemaError
from fastinno.kernels import grey as kg


def _smooth(rng, n, size=None):
    shape = (n,) if size is None else (size, n)
    growth = rng.normal(0.04, 0.01, size=shape)
    return rng.uniform(1, 5, size=shape[:-1] + (1,)) * np.exp(np.cumsum(growth, axis=-1))


@pytest.mark.parametrize("case", load_refvectors("gm11"), ids=lambda c: c["id"])
def test_gm11_refvectors(case):
    # source: case["source"] (Liu Sifeng et al. textbook example; Chinese textbook exercise)
    tol = case["tolerance"]
    exp = case["expected"]
    res = fi.gm11(case["inputs"]["x0"], horizon=case["inputs"]["horizon"])  # both pass the class-ratio test
    assert res.a == pytest.approx(exp["a"], rel=tol["a_b_rel"])
    assert res.b == pytest.approx(exp["b"], rel=tol["a_b_rel"])
    npt.assert_allclose(res.fitted, exp["fitted_x0hat"], rtol=tol["series_rel"])
    npt.assert_allclose(res.forecast, exp["forecast"], rtol=tol["series_rel"])
    npt.assert_allclose(res.relative_errors, exp["relative_error"], rtol=tol["series_rel"], atol=1e-13)
    x1hat = np.cumsum(np.r_[res.fitted, res.forecast])
    npt.assert_allclose(x1hat, exp["x1hat"], rtol=tol["series_rel"])


@pytest.mark.parametrize("n, horizon", [(4, 0), (5, 2), (7, 3), (12, 5)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kernel_vs_naive(n, horizon, seed):
    rng = np.random.default_rng(seed)
    x = np.vstack([_smooth(rng, n), rng.uniform(0.5, 2.0, size=n)])  # smooth and rough series
    params, grade, ok, fitted, resid, rel, fc = kg.gm11_batch(np.ascontiguousarray(x), horizon)
    for s in range(2):
        ref = naive.gm11(x[s], horizon)
        assert params[s, 0] == pytest.approx(ref["a"], rel=1e-12)
        assert params[s, 1] == pytest.approx(ref["b"], rel=1e-12)
        npt.assert_allclose(fitted[s], ref["fitted"], rtol=1e-12)
        npt.assert_allclose(fc[s], ref["forecast"], rtol=1e-12)
        npt.assert_allclose(resid[s], ref["residuals"], rtol=1e-9, atol=1e-13 * x[s].max())
        npt.assert_allclose(rel[s], ref["relative_errors"], rtol=1e-9, atol=1e-13)
        assert params[s, 2] == pytest.approx(ref["mean_relative_error"], rel=1e-9)
        assert params[s, 3] == pytest.approx(ref["C"], rel=1e-9)
        assert params[s, 4] == ref["P"]
        from fastinno.methods.forecast import GRADES

        assert GRADES[int(grade[s])] == ref["grade"]
        assert bool(ok[s]) == ref["class_ratio_ok"]


def test_accuracy_figures_and_grade_names():
    res = fi.gm11([71.1, 72.4, 72.4, 72.1, 71.4, 72.0, 71.6], horizon=2)
    assert res.residuals[0] == pytest.approx(0.0, abs=1e-12)
    assert res.mean_relative_error == pytest.approx(np.mean(res.relative_errors[1:]))
    s1 = np.std(res.x0)
    s2 = np.std(res.residuals)
    assert res.C == pytest.approx(s2 / s1)
    assert res.P == pytest.approx(np.mean(np.abs(res.residuals - res.residuals.mean()) < 0.6745 * s1))
    assert res.grade == "qualified"  # C = 0.48, P = 0.857
    assert res.class_ratio_ok
    npt.assert_allclose(res.class_ratios, np.array(res.x0[:-1]) / np.array(res.x0[1:]))
    frame = res.to_polars()
    assert frame.columns == ["step", "kind", "observed", "value", "residual", "relative_error"]
    assert frame.height == 9 and frame["kind"].to_list()[-2:] == ["forecast", "forecast"]


def test_constant_series_uses_the_a_zero_limit():
    res = fi.gm11([3.0, 3.0, 3.0, 3.0, 3.0], horizon=2)
    assert res.a == 0.0 and res.b == 3.0
    npt.assert_allclose(res.fitted, 3.0)
    npt.assert_allclose(res.forecast, 3.0)
    assert res.C == 0.0 and res.P == 1.0 and res.grade == "good"


def test_gm11_errors_and_class_ratio_warning():
    with pytest.raises(DegenerateDataError, match="at least 4 observations"):
        fi.gm11([1.0, 2.0, 3.0])
    with pytest.raises(DegenerateDataError, match="positive values"):
        fi.gm11([1.0, 2.0, 0.0, 3.0])
    with pytest.raises(InputError, match="NaN"):
        fi.gm11([1.0, np.nan, 2.0, 3.0])
    with pytest.raises(InputError, match="1-D"):
        fi.gm11(np.ones((2, 4)))
    with pytest.raises(InputError, match="horizon"):
        fi.gm11([1.0, 2.0, 3.0, 4.0], horizon=-1)
    with pytest.warns(FastinnoWarning, match="class-ratio test fails at k = 2"):
        res = fi.gm11([1.0, 3.0, 3.2, 3.3, 3.5])
    assert not res.class_ratio_ok
    assert isinstance(fi.gm11(pl.Series([1.0, 1.1, 1.2, 1.3])), fi.GM11Result)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), c=st.floats(0.01, 1000.0))
def test_property_scale_equivariance(seed, c):
    x = _smooth(np.random.default_rng(seed), 8)
    a = kg.gm11_batch(np.ascontiguousarray(x[None]), 3)
    b = kg.gm11_batch(np.ascontiguousarray(c * x[None]), 3)
    assert b[0][0, 0] == pytest.approx(a[0][0, 0], rel=1e-8, abs=1e-12)  # a unchanged
    assert b[0][0, 1] == pytest.approx(c * a[0][0, 1], rel=1e-8)  # b scales
    npt.assert_allclose(b[3], c * a[3], rtol=1e-8)
    npt.assert_allclose(b[6], c * a[6], rtol=1e-8)
    npt.assert_allclose(b[0][:, 2:], a[0][:, 2:], rtol=1e-7, atol=1e-12)  # MRE, C, P invariant


def test_batch_is_thread_count_independent():
    x = np.ascontiguousarray(_smooth(np.random.default_rng(0), 9, size=500))
    default = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = kg.gm11_batch(x, 2)
    finally:
        numba.set_num_threads(default)
    many = kg.gm11_batch(x, 2)
    for u, v in zip(one, many):
        npt.assert_array_equal(u, v)


# ---------------------------------------------------------------------------------------------
# forecast() over a scores frame
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def scores():
    rng = np.random.default_rng(4)
    regions = ["Beijing", "Harbin", "Xian"]
    vals = _smooth(rng, 6, size=3)
    return pl.DataFrame(
        {
            "region": [r for r in regions for _ in range(6)],
            "year": list(range(2012, 2018)) * 3,
            "index": vals.ravel(),
        }
    ).sample(fraction=1.0, shuffle=True, seed=1)


def test_forecast_matches_gm11_per_region(scores):
    res = fi.forecast(scores, column="index", horizon=2)
    out = res.forecasts
    assert out.columns == ["region", "year", "kind", "observed", "value", "a", "b", "C", "P", "grade",
                           "mean_relative_error", "class_ratio_ok"]
    assert out["region"].unique(maintain_order=True).to_list() == scores["region"].unique(maintain_order=True).to_list()
    for reg in ("Beijing", "Harbin", "Xian"):
        sub = out.filter(pl.col("region") == reg)
        x = scores.filter(pl.col("region") == reg).sort("year")["index"].to_numpy()
        ref = fi.gm11(x, horizon=2)
        assert sub["year"].to_list() == list(range(2012, 2020))
        assert sub["kind"].to_list() == ["fitted"] * 6 + ["forecast"] * 2
        npt.assert_array_equal(sub["value"].to_numpy(), np.r_[ref.fitted, ref.forecast])
        npt.assert_array_equal(sub["observed"].to_numpy()[:6], x)
        assert sub["observed"].null_count() == 2
        assert sub["a"][0] == ref.a and sub["C"][0] == ref.C and sub["grade"][0] == ref.grade
    assert_frame_equal(out, fi.forecast(scores.lazy(), column="index", horizon=2).forecasts)
    # one row per region in .fits, the same fit as on every row of .forecasts
    assert res.fits.columns == ["region", "first_year", "last_year", "a", "b", "C", "P", "grade",
                                "mean_relative_error", "class_ratio_ok"]
    assert res.fits["region"].to_list() == out["region"].unique(maintain_order=True).to_list()
    assert res.fits["first_year"].to_list() == [2012] * res.fits.height
    assert res.fits["last_year"].to_list() == [2017] * res.fits.height
    beijing = res.fits.filter(pl.col("region") == "Beijing")
    ref = fi.gm11(scores.filter(pl.col("region") == "Beijing").sort("year")["index"].to_numpy(), horizon=2)
    assert beijing["a"][0] == ref.a and beijing["grade"][0] == ref.grade
    assert res.options == {"column": "index", "horizon": 2, "by": "region", "year": "year", "seed": None}
    assert res.tables().keys() == {"forecasts", "fits"}


def test_forecast_groups_with_different_years(scores):
    extra = pl.DataFrame({"region": ["New"] * 5, "year": [2008, 2010, 2012, 2014, 2016], "index": [1.0, 1.1, 1.2, 1.35, 1.5]})
    out = fi.forecast(pl.concat([scores, extra]), column="index", horizon=1).forecasts
    sub = out.filter(pl.col("region") == "New")
    assert sub["year"].to_list() == [2008, 2010, 2012, 2014, 2016, 2018]
    npt.assert_array_equal(sub["value"].to_numpy(), np.r_[fi.gm11(extra["index"], 1).fitted, fi.gm11(extra["index"], 1).forecast])


def test_forecast_errors_and_warnings(scores):
    with pytest.raises(SchemaError, match="lacks column"):
        fi.forecast(scores, column="score")
    gap = scores.filter(~((pl.col("region") == "Harbin") & (pl.col("year") == 2014)))
    with pytest.raises(SchemaError, match="Region 'Harbin'.*not equally spaced"):
        fi.forecast(gap)
    dup = pl.concat([scores, scores.head(1)])
    with pytest.raises(SchemaError, match="several rows"):
        fi.forecast(dup)
    neg = scores.with_columns(pl.when(pl.col("region") == "Xian").then(-pl.col("index")).otherwise(pl.col("index")))
    with pytest.raises(DegenerateDataError, match="region 'Xian'"):
        fi.forecast(neg)
    short = scores.filter(pl.col("year") < 2015)
    with pytest.raises(DegenerateDataError, match="at least 4"):
        fi.forecast(short)
    rough = scores.with_columns(
        pl.when((pl.col("region") == "Harbin") & (pl.col("year") == 2013)).then(pl.col("index") * 3).otherwise(pl.col("index"))
    )
    with pytest.warns(FastinnoWarning, match="1 region\\(s\\) 'Harbin'"):
        out = fi.forecast(rough).forecasts
    assert out.filter(pl.col("region") == "Harbin")["class_ratio_ok"].to_list() == [False] * 9
    with pytest.raises(InputError, match="polars DataFrame"):
        fi.forecast({"region": []})


def test_gm11_plot(scores):
    from fastinno.plots import gm11_plot

    ax = gm11_plot(fi.gm11([1.0, 1.1, 1.25, 1.3, 1.45], horizon=2))
    assert len(ax.lines) == 3
    res = fi.forecast(scores, horizon=2)
    ax = gm11_plot(res.forecasts, region="Harbin")
    assert "Harbin" in ax.get_title()
    assert "Harbin" in gm11_plot(res, region="Harbin").get_title()  # the result itself too
    out = res.forecasts
    with pytest.raises(InputError, match="pass region="):
        gm11_plot(out)


def test_cli_forecast(tmp_path, scores):
    p = tmp_path / "scores.csv"
    scores.write_csv(p)
    runner = CliRunner()
    r = runner.invoke(cli, ["forecast", str(p), "--horizon", "2", "--out", str(tmp_path / "fc.parquet"),
                            "--plot", str(tmp_path / "fc.png"), "--region", "Xian"])
    assert r.exit_code == 0, r.output
    got = pl.read_parquet(tmp_path / "fc.parquet")
    assert_frame_equal(got, fi.forecast(pl.read_csv(p), horizon=2).forecasts)
    assert (tmp_path / "fc.png").stat().st_size > 0
    r = runner.invoke(cli, ["forecast", str(p), "--column", "nope"])
    assert r.exit_code == 2 and "Traceback" not in r.output and "Error:" in r.output


def test_forecast_lazyframe_missing_column(scores):
    with pytest.raises(SchemaError, match="lacks column\\(s\\) 'score'"):
        fi.forecast(scores.lazy(), column="score")
