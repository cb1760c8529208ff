"""GM(1,1) numerics: exact reference, constant series, scale invariance, extreme magnitudes,
the horizon policy (limit, extrapolation warning, overflow to NaN) and the CLI's output checks."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import naive
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import fastinno as fi
from fastinno import _config
from fastinno.cli import cli
from fastinno.errors import DegenerateDataError, FastinnoWarning, InputError
from fastinno.kernels import grey as kg

RTOL = 1e-12
TINY = 5e-324
HUGE = 1.7976931348623157e308


def _rel(got: float, ref) -> float:
    """|got - ref| / |ref| in exact arithmetic (ref a Fraction or Decimal)."""
    with localcontext() as ctx:
        ctx.prec = 60
        ctx.Emin, ctx.Emax = -10**6, 10**6
        ref = Decimal(ref.numerator) / Decimal(ref.denominator) if isinstance(ref, Fraction) else ref
        return float(abs(Decimal(float(got)) - ref) / abs(ref))


def _series_exp(a: float, n: int) -> np.ndarray:
    """x0(k) = e^{-a k}: the GM(1,1) shape, not an exact GM(1,1) relation."""
    return np.exp(-a * np.arange(n))


def _series_gm(a: float, n: int) -> np.ndarray:
    """Rounded to float from an exact GM(1,1) relation x0(k) = -a z(k) + b, b = 1 + 1.5 a."""
    af = Fraction(a)
    bf = 1 + Fraction(3, 2) * af
    xs = [Fraction(1)]
    cum = xs[0]
    for _ in range(1, n):
        v = (bf - af * cum) / (1 + af / 2)  # solves v = b - a (cum + v/2)
        xs.append(v)
        cum += v
    return np.array([float(v) for v in xs])


_A_VALUES = [s * 10.0**e for s in (1.0, -1.0) for e in np.linspace(-15.0, 0.0, 16)]


@pytest.mark.parametrize("shape", ["exp", "gm"])
@pytest.mark.parametrize("magnitude", ["unit", "1e-300", "1e300"])
def test_kernel_matches_exact_reference(shape, magnitude):
    """a, b, fitted and forecast within RTOL of the exact least squares + 60-digit restoration."""
    worst = dict.fromkeys(("a", "b", "fitted", "forecast"), 0.0)
    horizon = 5
    for a in _A_VALUES:
        for n in (4, 7, 12):
            x = _series_exp(a, n) if shape == "exp" else _series_gm(a, n)
            assert np.all(x > 0)
            if magnitude == "1e-300":
                x = x * (3e-300 / x.min())
            elif magnitude == "1e300":
                x = x * (1e300 / x.max())
            x = np.ascontiguousarray(x[None])
            params, _g, _ok, fitted, _res, _rel_err, fc = kg.gm11_batch(x, horizon)
            ref = naive.gm11_exact(x[0], horizon)
            errs = {
                "a": _rel(params[0, 0], ref["a"]),
                "b": _rel(params[0, 1], ref["b"]),
                "fitted": max(_rel(v, r) for v, r in zip(fitted[0], ref["fitted"])),
                "forecast": max(_rel(v, r) for v, r in zip(fc[0], ref["forecast"])),
            }
            for key, e in errs.items():
                assert e <= RTOL, (key, a, n, magnitude, e)
                worst[key] = max(worst[key], e)
    # the double-double least squares are far inside the tolerance (a few ulps)
    assert max(worst.values()) < 1e-14, worst


def test_exact_reference_of_the_textbook_naive():
    """The two references agree where the textbook formula is well conditioned."""
    x = [2.874, 3.278, 3.337, 3.390, 3.679]
    ex = naive.gm11_exact(x, 2)
    tb = naive.gm11(x, 2)
    assert float(ex["a"]) == pytest.approx(tb["a"], rel=1e-12)
    assert float(ex["b"]) == pytest.approx(tb["b"], rel=1e-12)
    npt.assert_allclose([float(v) for v in ex["fitted"]], tb["fitted"], rtol=1e-12)
    npt.assert_allclose([float(v) for v in ex["forecast"]], tb["forecast"], rtol=1e-12)


_CONSTANTS = [0.1, 0.2, 0.3, 0.7, 1 / 3, 2 / 3, 1.1, 2.3, 3.0, 7.7, math.pi, math.e, 1e-300,
              3e-300, 1e300, 1.5e300, TINY, 2.2250738585072014e-308, HUGE, 12345.6789]


@pytest.mark.parametrize("c", _CONSTANTS)
def test_constant_series_are_exact(c):
    for n in (4, 5, 9, 12):
        res = fi.gm11([c] * n, horizon=3)
        assert res.a == 0.0 and math.copysign(1.0, res.a) == 1.0
        assert res.b == c
        npt.assert_array_equal(res.fitted, c)
        npt.assert_array_equal(res.forecast, c)
        npt.assert_array_equal(res.residuals, 0.0)
        npt.assert_array_equal(res.relative_errors, 0.0)
        assert res.C == 0.0 and res.P == 1.0 and res.grade == "good"
        assert res.mean_relative_error == 0.0 and res.class_ratio_ok


@settings(max_examples=60, deadline=None)
@given(c=st.floats(min_value=TINY, max_value=HUGE), n=st.integers(4, 15), h=st.integers(0, 8))
def test_property_constant_series_exact(c, n, h):
    with np.errstate(all="ignore"):
        params, grade, ok, fitted, resid, _rel_err, fc = kg.gm11_batch(np.full((1, n), c), h)
    assert params[0, 0] == 0.0 and params[0, 1] == c
    assert np.all(fitted == c) and np.all(fc == c) and np.all(resid == 0.0)
    assert params[0, 3] == 0.0 and params[0, 4] == 1.0 and grade[0] == kg.GRADE_GOOD and ok[0]


def _smooth(seed, n):
    rng = np.random.default_rng(seed)
    return rng.uniform(1, 5) * np.exp(np.cumsum(rng.normal(0.04, 0.05, size=n)))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(4, 12), j=st.integers(-990, 990))
def test_property_power_of_two_scale_invariance(seed, n, j):
    """gm11(2^j x) == 2^j gm11(x) bit for bit; a, relative errors, C, P unchanged."""
    x = np.ascontiguousarray(_smooth(seed, n)[None])
    s = 2.0**j
    one = kg.gm11_batch(x, 4)
    two = kg.gm11_batch(np.ascontiguousarray(x * s), 4)
    params1, params2 = one[0], two[0]
    assert params2[0, 0] == params1[0, 0]
    assert params2[0, 1] == s * params1[0, 1]
    npt.assert_array_equal(params2[0, 2:], params1[0, 2:])
    npt.assert_array_equal(two[1], one[1])
    npt.assert_array_equal(two[2], one[2])
    npt.assert_array_equal(two[3], s * one[3])  # fitted
    npt.assert_array_equal(two[4], s * one[4])  # residuals
    npt.assert_array_equal(two[5], one[5])  # relative errors
    npt.assert_array_equal(two[6], s * one[6])  # forecast


@pytest.mark.parametrize("j", [-1000, -600, -258, -257, -256, -255, 254, 255, 256, 300, 900])
def test_scaled_and_unscaled_paths_agree_bit_for_bit(j):
    """Series outside [2^-256, 2^256] are scaled first; the results are the same bits."""
    x = np.ascontiguousarray(np.vstack([_smooth(s, 9) for s in range(20)]))
    one = kg.gm11_batch(x, 3)
    two = kg.gm11_batch(np.ascontiguousarray(x * 2.0**j), 3)
    npt.assert_array_equal(two[0][:, 0], one[0][:, 0])
    npt.assert_array_equal(two[0][:, 1], 2.0**j * one[0][:, 1])
    npt.assert_array_equal(two[0][:, 2:], one[0][:, 2:])
    for q in (3, 4, 6):
        npt.assert_array_equal(two[q], 2.0**j * one[q])


@pytest.mark.parametrize("mag", [1e-300, 1e-200, 1e-100, 1.0, 1e100, 1e200, 1e300])
def test_extreme_magnitudes_fit_like_unit_scale(mag):
    base = np.array([2.874, 3.278, 3.337, 3.390, 3.679])
    ref = naive.gm11_exact(base * mag, 2)
    res = fi.gm11(base * mag, horizon=2)
    assert _rel(res.a, ref["a"]) < 1e-14 and _rel(res.b, ref["b"]) < 1e-14
    assert max(_rel(v, r) for v, r in zip(res.fitted, ref["fitted"])) < 1e-14
    assert max(_rel(v, r) for v, r in zip(res.forecast, ref["forecast"])) < 1e-14
    unit = fi.gm11(base, horizon=2)
    assert res.a == pytest.approx(unit.a, rel=1e-13)
    assert res.C == pytest.approx(unit.C, rel=1e-10) and res.grade == unit.grade


def test_growth_factor_against_decimals():
    assert kg.gm11_growth_factor(0.0) == 1.0
    with localcontext() as ctx:
        ctx.prec = 400  # 1 - e^{-a} keeps 100 digits down to |a| = 1e-300
        for a in [s * 10.0**e for s in (1.0, -1.0) for e in range(-300, 3, 7)]:
            ad = Decimal(a)
            ref = (1 - (-ad).exp()) / ad
            assert _rel(kg.gm11_growth_factor(a), ref) < 4e-16, a


def test_negligible_later_values_are_an_error_not_a_crash():
    with pytest.raises(DegenerateDataError, match="background values"):
        fi.gm11([1.0, 1e-300, 1e-300, 1e-300], horizon=2)
    frame = pl.DataFrame({"region": ["A"] * 4 + ["B"] * 4, "year": list(range(2000, 2004)) * 2,
                          "index": [1.0, 1.1, 1.2, 1.3, 1.0, 1e-300, 1e-300, 1e-300]})
    with pytest.raises(DegenerateDataError, match="region\\(s\\) 'B'"):
        fi.forecast(frame, horizon=1)


# ---------------------------------------------------------------------------------------------
# horizon policy
# ---------------------------------------------------------------------------------------------


def test_horizon_limit_is_an_error_naming_it(monkeypatch):
    x = list(np.linspace(1.0, 2.0, 120))
    limit = _config.FORECAST_MAX_HORIZON
    assert limit == 100
    assert len(fi.gm11(x, horizon=limit).forecast) == limit  # at the limit: fine (n = 120)
    with pytest.raises(InputError, match="horizon 101 exceeds the limit of 100 steps.*FORECAST_MAX_HORIZON"):
        fi.gm11(x, horizon=limit + 1)
    frame = pl.DataFrame({"region": ["A"] * 5, "year": list(range(2000, 2005)), "index": x[:5]})
    with pytest.raises(InputError, match="horizon 100000 exceeds the limit of 100"):
        fi.forecast(frame, horizon=100_000)
    monkeypatch.setattr(_config, "FORECAST_MAX_HORIZON", 3)  # read at call time
    with pytest.raises(InputError, match="limit of 3 steps"):
        fi.forecast(frame, horizon=4)


def test_horizon_longer_than_the_series_warns():
    x = [1.0, 1.1, 1.2, 1.3, 1.45]
    assert len(fi.gm11(x, horizon=5).forecast) == 5  # == n: no warning (filterwarnings=error)
    with pytest.warns(FastinnoWarning, match="horizon 6 exceeds the length of the series \\(5"):
        res = fi.gm11(x, horizon=6)
    assert len(res.forecast) == 6 and np.all(np.isfinite(res.forecast))
    frame = pl.DataFrame({"region": ["A"] * 5 + ["B"] * 8,
                          "year": list(range(2000, 2005)) + list(range(2000, 2008)),
                          "index": x + [1.0 + 0.1 * k for k in range(8)]})
    with pytest.warns(FastinnoWarning, match="series length of 1 region\\(s\\) 'A' \\(shortest 5"):
        out = fi.forecast(frame, horizon=7).forecasts
    assert out.filter(pl.col("kind") == "forecast").height == 14


def test_overflowing_values_are_nan_with_a_warning():
    x = 1e308 * np.exp(0.2 * (np.arange(6) - 5.0))  # a ~ -0.2, last value 1e308
    with pytest.warns(FastinnoWarning, match="step\\(s\\) 9, 10 overflow the float range"):
        res = fi.gm11(x, horizon=4)
    assert np.all(np.isfinite(res.forecast[:2])) and np.all(np.isnan(res.forecast[2:]))
    assert res.forecast[1] > 1.4e308 and np.all(np.isfinite(res.fitted))
    frame = pl.DataFrame({"region": ["big"] * 6 + ["small"] * 6, "year": list(range(2000, 2006)) * 2,
                          "index": np.r_[x, x * 1e-300]})
    with pytest.warns(FastinnoWarning, match="1 region\\(s\\) 'big' overflow"):
        out = fi.forecast(frame, horizon=4).forecasts
    vals = out.filter(pl.col("region") == "big")["value"].to_numpy()
    assert np.isnan(vals).sum() == 2 and not np.isinf(vals).any()
    assert np.all(np.isfinite(out.filter(pl.col("region") == "small")["value"].to_numpy()))


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def scores_csv(tmp_path):
    p = tmp_path / "scores.csv"
    pl.DataFrame({"region": ["A"] * 6 + ["B"] * 6, "year": list(range(2010, 2016)) * 2,
                  "index": [1.0, 1.1, 1.2, 1.3, 1.45, 1.5, 2.0, 2.1, 2.1, 2.2, 2.3, 2.4]}).write_csv(p)
    return p


def test_cli_forecast_refuses_to_overwrite_without_force(tmp_path, scores_csv):
    out, plot = tmp_path / "fc.csv", tmp_path / "fc.png"
    out.write_text("keep me")
    runner = CliRunner()
    r = runner.invoke(cli, ["forecast", str(scores_csv), "--out", str(out)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert f"Output file {str(out)!r} already exists" in r.output
    assert "GM(1,1) forecasts" not in r.output  # refused before any work
    assert out.read_text() == "keep me"
    plot.write_bytes(b"old")
    r = runner.invoke(cli, ["forecast", str(scores_csv), "--plot", str(plot)])
    assert r.exit_code == 2 and f"Figure {str(plot)!r} already exists" in r.output
    assert plot.read_bytes() == b"old"
    r = runner.invoke(cli, ["forecast", str(scores_csv), "--out", str(out), "--plot", str(plot), "--force"])
    assert r.exit_code == 0, r.output
    assert pl.read_csv(out).height == 2 * (6 + 3) and plot.read_bytes()[:4] == b"\x89PNG"
    r = runner.invoke(cli, ["forecast", str(scores_csv), "--out", str(tmp_path / "fc.txt")])
    assert r.exit_code == 2 and "unsupported file type '.txt'" in r.output


def test_cli_forecast_horizon_policy(tmp_path, scores_csv):
    runner = CliRunner()
    out = tmp_path / "big.csv"
    r = runner.invoke(cli, ["forecast", str(scores_csv), "--horizon", "100000", "--out", str(out)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "horizon 100000 exceeds the limit of 100 steps" in r.output and not out.exists()
    r = runner.invoke(cli, ["forecast", str(scores_csv), "--horizon", "-1"])
    assert r.exit_code == 2 and "x>=1" in r.output
    r = runner.invoke(cli, ["forecast", str(scores_csv), "--horizon", "8", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "horizon 8 exceeds the series length of 2 region(s)" in r.output
    assert pl.read_csv(out).height == 2 * (6 + 8)
