"""Fuzzing the readers: any input gives a valid Panel / IndicatorSystem or a FastinnoError.

Random bytes and random mutations of a valid long CSV, a valid wide CSV and a valid system TOML
(characters deleted, duplicated or replaced, separators swapped, commas / quotes / spaces
inserted, numbers turned into text) are read; any other exception fails. Deterministic
(``derandomize=True``, no example database) so that CI is not flaky.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastinno.data.panel import Panel
from fastinno.data.read_panel import read_panel
from fastinno.data.system import IndicatorSystem, read_system
from fastinno.errors import FastinnoError, FastinnoWarning

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

SYSTEM_TOML = """\
[input]
_label = "Input"
rd = { direction = "+", label = "R&D / GDP", unit = "%", weight = 0.6 }
staff = "+"

[environment]
energy = { direction = "-", lower = 0.0, upper = 10.0 }
"""
SYSTEM = {"input": {"rd": "+", "staff": "+"}, "environment": {"energy": "-"}}
INDICATORS = ("rd", "staff", "energy")


def _valid_csvs() -> tuple[str, str]:
    rng = np.random.default_rng(0)
    wide = ["region,year,rd,staff,energy"]
    long = ["region,year,indicator,value"]
    for r in ("Beijing", "Tianjin", "Hebei"):
        for y in range(2015, 2019):
            vals = rng.uniform(0.5, 2000.0, 3).round(3)
            wide.append(f"{r},{y}," + ",".join(f"{v}" for v in vals))
            long.extend(f"{r},{y},{name},{v}" for name, v in zip(INDICATORS, vals))
    return "\n".join(long) + "\n", "\n".join(wide) + "\n"


LONG_CSV, WIDE_CSV = _valid_csvs()
ALPHABET = ',;\t"\' \n\r.-+eE0123456789abcNA\u00e9\u00a0\ufeff\x00#=[]{}'


@st.composite
def mutated(draw, text: str) -> str:
    """``text`` after 1-4 random edits."""
    out = text
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "duplicate", "replace", "swap", "insert", "number", "line"]))
        pos = draw(st.integers(0, max(len(out) - 1, 0)))
        ch = draw(st.sampled_from(ALPHABET))
        if op == "delete" and out:
            out = out[:pos] + out[pos + 1 :]
        elif op == "duplicate" and out:
            out = out[: pos + 1] + out[pos:]
        elif op == "replace" and out:
            out = out[:pos] + ch + out[pos + 1 :]
        elif op == "swap":
            a, b = draw(st.sampled_from([(",", ";"), (";", ","), (",", "\t"), (".", ","), ("\n", "\r\n"), ('"', "'")]))
            out = out.replace(a, b)
        elif op == "insert":
            out = out[:pos] + draw(st.sampled_from([",", '"', " ", ";", ",,", '""', "\n"])) + out[pos:]
        elif op == "number":
            numbers = list(re.finditer(r"-?\d+(\.\d+)?", out))
            if numbers:
                m = numbers[draw(st.integers(0, len(numbers) - 1))]
                word = draw(st.sampled_from(["n.a.", "x", "1,5", "1,234", "201512", "inf", "", "1e999", "--", "12a"]))
                out = out[: m.start()] + word + out[m.end() :]
        elif op == "line":
            lines = out.split("\n")
            k = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[k])
            out = "\n".join(lines)
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _check_panel(p: Panel) -> None:
    assert isinstance(p, Panel)
    cube = p.cube
    assert cube.dtype == np.float64 and cube.flags.c_contiguous
    assert cube.shape == (len(p.regions), len(p.years), len(p.indicators))
    assert not np.isinf(cube).any()
    assert len(set(p.regions)) == len(p.regions) and len(set(p.indicators)) == len(p.indicators)
    assert all(isinstance(y, int) for y in p.years)
    assert all(b > a for a, b in zip(p.years, p.years[1:]))
    assert all(r == r.strip() and r for r in p.regions)


def _read(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)
        try:
            return read_panel(path, **kwargs)
        except FastinnoError:
            return None


def _read_system(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FastinnoWarning)
        try:
            return read_system(path)
        except FastinnoError:
            return None


OPTIONS = st.fixed_dictionaries(
    {
        "missing": st.sampled_from(["error", "keep", "interpolate", "drop-region"]),
        "decimal": st.sampled_from([".", ".", ".", ","]),
        "separator": st.sampled_from([None, None, None, ",", ";"]),
        "system": st.sampled_from([None, SYSTEM]),
    }
)


def test_valid_inputs_read(folder):
    (folder / "long.csv").write_text(LONG_CSV)
    (folder / "wide.csv").write_text(WIDE_CSV)
    (folder / "system.toml").write_text(SYSTEM_TOML)
    a = read_panel(folder / "long.csv", SYSTEM)
    b = read_panel(folder / "wide.csv", SYSTEM)
    np.testing.assert_array_equal(a.cube, b.cube)
    assert a.shape == (3, 4, 3)
    assert read_system(folder / "system.toml").indicators == ("rd", "staff", "energy")


@FUZZ
@given(data=st.binary(max_size=600), options=OPTIONS)
def test_random_bytes(folder, data, options):
    path = folder / "bytes.csv"
    path.write_bytes(data)
    p = _read(path, **options)
    if p is not None:
        _check_panel(p)
    sys_path = folder / "bytes.toml"
    sys_path.write_bytes(data)
    s = _read_system(sys_path)
    assert s is None or isinstance(s, IndicatorSystem)


@FUZZ
@given(text=mutated(LONG_CSV), options=OPTIONS)
def test_mutated_long_csv(folder, text, options):
    path = folder / "long.csv"
    path.write_text(text, encoding="utf-8")
    p = _read(path, layout="long", **options)
    if p is not None:
        _check_panel(p)


@FUZZ
@given(text=mutated(WIDE_CSV), options=OPTIONS)
def test_mutated_wide_csv(folder, text, options):
    path = folder / "wide.csv"
    path.write_text(text, encoding="utf-8")
    p = _read(path, **options)
    if p is not None:
        _check_panel(p)


@FUZZ
@given(text=mutated(SYSTEM_TOML))
def test_mutated_system_toml(folder, text):
    path = folder / "system.toml"
    path.write_text(text, encoding="utf-8")
    s = _read_system(path)
    if s is not None:
        assert isinstance(s, IndicatorSystem)
        assert len(set(s.indicators)) == s.n_indicators > 0
        w = s.base_weights()
        assert np.all(np.isfinite(w)) and abs(w.sum() - 1.0) < 1e-9
        assert set(s.directions) <= {"+", "-"}
        assert IndicatorSystem.from_dict(s.to_dict()).indicators == s.indicators
