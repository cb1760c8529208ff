"""Indicator-system parser: nested mapping, TOML, flat; weights; errors."""

from __future__ import annotations

import numpy as np
import numpy.testing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fastinno.data.system import IndicatorSystem, read_system
from fastinno.errors import FastinnoError, SchemaError

BTH = {
    "input": {"rd_share": "+", "rd_fte": "+", "rd_spend": "+", "sci_staff": "+"},
    "output": {"patents": "+", "papers": "+", "tech_market": "+", "new_products": "+"},
    "environment": {"gdp_pc": "+", "edu_spend": "+", "energy_per_gdp": "-"},
}


def test_hierarchical_equal_weights_split_level_by_level():
    s = IndicatorSystem.from_dict(BTH)
    assert s.indicators[:2] == ("rd_share", "rd_fte")
    assert s.dimensions == ("input", "output", "environment")
    w = s.base_weights()
    # three dimensions -> 1/3 each; four indicators in a dimension -> 1/12 each; three -> 1/9
    npt.assert_allclose(w[:8], 1 / 12, rtol=1e-15)
    npt.assert_allclose(w[8:], 1 / 9, rtol=1e-15)
    assert w.sum() == pytest.approx(1.0, abs=1e-15)
    assert s.is_cost.tolist() == [False] * 10 + [True]
    assert s.top_dimension_of("energy_per_gdp") == "environment"
    npt.assert_allclose(s.group_weights("environment"), [1 / 3] * 3)


def test_deeper_hierarchy_and_groups():
    spec = {
        "a": {"a1": {"x": "+", "y": "-"}, "z": "+"},
        "b": {"u": "+"},
    }
    s = IndicatorSystem.from_dict(spec)
    assert s.indicators == ("x", "y", "z", "u")
    names = [g.name for g in s.groups]
    assert names == ["a", "a1", "b"]
    a1 = s.group("a1")
    assert a1.level == 2 and a1.path == ("a", "a1") and s.groups[a1.parent].name == "a"
    assert s.group("a").indices.tolist() == [0, 1, 2]
    # a: 1/2, split between a1 and z: 1/4 each; a1 split between x and y: 1/8 each; b: u = 1/2
    npt.assert_allclose(s.base_weights(), [1 / 8, 1 / 8, 1 / 4, 1 / 2])
    assert s.indicator_parent.tolist() == [1, 1, 0, 2]
    npt.assert_allclose(s.indicator_share, [0.5, 0.5, 0.5, 1.0])
    assert s.dimension_of("x") == "a1" and s.top_dimension_of("x") == "a"


def test_fixed_weights_override_and_partial_weights_share_the_rest():
    spec = {
        "a": {"_weight": 0.6, "x": {"direction": "+", "weight": 0.5}, "y": "+", "z": "+"},
        "b": {"_weight": 0.4, "u": {"direction": "-", "label": "Energy", "unit": "tce", "lower": 0.0, "upper": 2.0}},
    }
    s = IndicatorSystem.from_dict(spec)
    npt.assert_allclose(s.base_weights(), [0.3, 0.15, 0.15, 0.4])
    assert s.labels[3] == "Energy" and s.units[3] == "tce"
    npt.assert_array_equal(s.limits[3], [0.0, 2.0])
    assert np.isnan(s.limits[0]).all()


def test_flat_system_from_directions_and_list():
    s = IndicatorSystem.flat({"a": "+", "b": "-", "c": "benefit", "d": "cost"})
    assert s.dimensions == () and s.groups == () and s.implicit
    assert s.is_cost.tolist() == [False, True, False, True]
    npt.assert_allclose(s.base_weights(), 0.25)
    s2 = IndicatorSystem.flat(["p", "q"])
    assert s2.directions == ("+", "+")


def test_toml_round_trip(tmp_path):
    text = """
# the paper's system, shortened
[input]
rd_share = "+"
rd_fte = { direction = "+", label = "R&D personnel", unit = "person-years" }

[environment]
energy_per_gdp = "-"
"""
    path = tmp_path / "system.toml"
    path.write_text(text)
    s = read_system(path)
    assert s.indicators == ("rd_share", "rd_fte", "energy_per_gdp")
    assert s.labels[1] == "R&D personnel"
    again = IndicatorSystem.from_dict(s.to_dict())
    assert again.indicators == s.indicators and again.directions == s.directions
    npt.assert_allclose(again.base_weights(), s.base_weights())
    # a [system] table inside a bigger config works too
    nested = tmp_path / "run.toml"
    nested.write_text("[system.input]\nrd_share = '+'\n[system.environment]\nenergy_per_gdp = '-'\n")
    assert read_system(nested).indicators == ("rd_share", "energy_per_gdp")


def test_subset_drops_empty_dimensions():
    s = IndicatorSystem.from_dict(BTH).subset(["rd_share", "energy_per_gdp", "gdp_pc"])
    assert s.dimensions == ("input", "environment")
    assert s.indicators == ("rd_share", "gdp_pc", "energy_per_gdp")
    npt.assert_allclose(s.base_weights(), [0.5, 0.25, 0.25])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"a": {"x": "+"}, "b": {"x": "-"}}, "Duplicate name 'x' in the indicator system (at a/x and b/x)"),
        ({"a": {"x": "up"}}, "Indicator 'a/x' has unknown direction 'up': use '+' (benefit) or '-' (cost)."),
        ({"a": {}}, "Dimension 'a' is empty: give it at least one indicator."),
        ({"a": {"x": {"direction": "+", "weight": -0.1}, "y": "+"}}, "Weight -0.1 in 'a' is negative"),
        (
            {"a": {"x": {"direction": "+", "weight": 0.3}, "y": {"direction": "+", "weight": 0.3}}},
            "Weights in 'a' sum to 0.6, not 1",
        ),
        ({"a": {"x": {"direction": "+", "weight": 0.8}, "y": {"direction": "+", "weight": 0.3}, "z": "+"}}, "Fixed weights in 'a' sum to 1.1 > 1"),
        ({"a": {"x": 3}}, "Indicator 'a/x' has direction 3"),
        ({}, "An indicator system must be a non-empty mapping"),
    ],
)
def test_system_errors(spec, message):
    with pytest.raises(SchemaError) as info:
        IndicatorSystem.from_dict(spec)
    assert message in str(info.value)
    assert isinstance(info.value, FastinnoError) and isinstance(info.value, ValueError)


def test_bad_toml_file(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[a\nx = '+'")
    with pytest.raises(FastinnoError, match="is not valid TOML"):
        read_system(p)
    with pytest.raises(FastinnoError, match="does not exist"):
        read_system(tmp_path / "nope.toml")


@given(st.lists(st.integers(1, 6), min_size=1, max_size=6))
def test_hierarchical_weights_sum_to_one(sizes):
    spec = {f"d{k}": {f"i{k}_{j}": "+" for j in range(n)} for k, n in enumerate(sizes)}
    s = IndicatorSystem.from_dict(spec)
    w = s.base_weights()
    assert w.min() > 0
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    for k, n in enumerate(sizes):  # every dimension gets an equal share
        assert s.group(f"d{k}").indices.size == n
        assert w[s.group(f"d{k}").indices].sum() == pytest.approx(1 / len(sizes), rel=1e-12)


def test_readme_toml_example_parses(tmp_path):
    """The indicator-system example in README.md is valid and means what the README says."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"```toml\n# system.toml\n(.*?)```", readme, re.S).group(1)
    path = tmp_path / "system.toml"
    path.write_text(block)
    s = read_system(path)
    assert s.dimensions == ("input", "output", "environment")
    assert s.group("openness").level == 2
    assert s.directions[s.index_of("energy_per_gdp")] == "-"
    w = s.base_weights()
    assert w[s.group("output").indices].sum() == pytest.approx(0.5)
    assert w[s.group("input").indices].sum() == pytest.approx(0.25)
    npt.assert_array_equal(s.limits[s.index_of("energy_per_gdp")], [0.2, 2.0])
