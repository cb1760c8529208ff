"""Aggregate units of a panel (sum, mean, weighted mean) and groupings of regions."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import fastinno as fi
from fastinno.errors import InputError, SchemaError

SYSTEM = {
    "input": {
        "rd_spending": {"direction": "+", "aggregate": "sum"},
        "gdp": {"direction": "+", "aggregate": "sum"},
    },
    "output": {
        "rd_intensity": {"direction": "+", "aggregate": "weighted_mean:gdp"},
        "patents_per_firm": {"direction": "+", "aggregate": "mean"},
    },
}
REGIONS = ("Beijing", "Tianjin", "Hebei", "Shanxi")


def make_panel(system=SYSTEM):
    cube = np.arange(1, 4 * 2 * 4 + 1, dtype=np.float64).reshape(4, 2, 4)
    return fi.Panel.from_array(cube, system, regions=REGIONS, years=(2020, 2021))


def test_units_follow_each_indicators_rule():
    p = make_panel()
    out = p.with_aggregates({"Beijing": "BTH", "Tianjin": "BTH", "Hebei": "BTH", "Shanxi": "Other"})
    assert out.regions == (*REGIONS, "BTH", "Other")
    members = p.cube[:3]
    bth = out.cube[4]
    np.testing.assert_array_equal(bth[:, 0], members[:, :, 0].sum(axis=0))
    np.testing.assert_array_equal(bth[:, 1], members[:, :, 1].sum(axis=0))
    gdp = members[:, :, 1]
    expected = (members[:, :, 2] * gdp).sum(axis=0) / gdp.sum(axis=0)
    np.testing.assert_allclose(bth[:, 2], expected, rtol=1e-15)
    np.testing.assert_allclose(bth[:, 3], members[:, :, 3].mean(axis=0), rtol=1e-15)
    # a one-member group is its member
    np.testing.assert_array_equal(out.cube[5], p.cube[3])
    # the members are untouched and the report says what was added
    np.testing.assert_array_equal(out.cube[:4], p.cube)
    assert "BTH" in out.report[-1]


def test_weighted_mean_of_one_year_by_hand():
    p = make_panel()
    out = p.with_aggregates({"Beijing": "A", "Tianjin": "A"}, ungrouped="drop")
    # Beijing 2020 = [1, 2, 3, 4], Tianjin 2020 = [9, 10, 11, 12]: intensity (3*2 + 11*10) / 12
    assert out.cube[4, 0, 2] == pytest.approx((3 * 2 + 11 * 10) / 12, rel=1e-15)
    assert out.cube[4, 0, 0] == 1 + 9


def test_table_with_several_grouping_columns():
    p = make_panel()
    groups = pl.DataFrame({"region": list(REGIONS), "area": ["N", "N", "N", "C"], "coast": ["y", "y", "y", "n"]})
    both = p.with_aggregates(groups)
    assert both.regions[4:] == ("N", "C", "y", "n")
    one = p.with_aggregates(groups, column="coast")
    assert one.regions[4:] == ("y", "n")
    np.testing.assert_array_equal(both.cube[4], both.cube[6])


def test_an_indicator_without_a_rule_is_named():
    system = {"a": {"x": {"direction": "+", "aggregate": "sum"}, "y": "+"}}
    p = fi.Panel.from_array(np.ones((2, 1, 2)), system, regions=("r1", "r2"), years=(2020,))
    with pytest.raises(SchemaError, match="'y'"):
        p.with_aggregates({"r1": "g", "r2": "g"})


@pytest.mark.parametrize(
    "rule, message",
    [("median", "unknown aggregate rule"), ("weighted_mean:nope", "not an indicator"), ("weighted_mean:", "unknown")],
)
def test_bad_rules_are_clear(rule, message):
    system = {"a": {"x": {"direction": "+", "aggregate": rule}, "y": {"direction": "+", "aggregate": "sum"}}}
    p = fi.Panel.from_array(np.ones((2, 1, 2)), system, regions=("r1", "r2"), years=(2020,))
    with pytest.raises(SchemaError, match=message):
        p.with_aggregates({"r1": "g", "r2": "g"})


def test_ungrouped_region_is_an_error_unless_dropped():
    p = make_panel()
    with pytest.raises(InputError, match="Shanxi"):
        p.with_aggregates({"Beijing": "BTH", "Tianjin": "BTH", "Hebei": "BTH"})
    out = p.with_aggregates({"Beijing": "BTH", "Tianjin": "BTH", "Hebei": "BTH"}, ungrouped="drop")
    assert out.regions == (*REGIONS, "BTH")


def test_label_clashing_with_a_region_is_an_error():
    p = make_panel()
    with pytest.raises(InputError, match="already the name"):
        p.with_aggregates({"Beijing": "Hebei", "Tianjin": "Hebei", "Hebei": "x", "Shanxi": "x"})


def test_zero_weight_total_is_an_error():
    cube = np.ones((2, 1, 2))
    cube[:, :, 1] = 0.0
    system = {"a": {"x": {"direction": "+", "aggregate": "weighted_mean:y"}, "y": {"direction": "+", "aggregate": "sum"}}}
    p = fi.Panel.from_array(cube, system, regions=("r1", "r2"), years=(2020,))
    with pytest.raises(InputError, match="total is 0"):
        p.with_aggregates({"r1": "g", "r2": "g"})


def test_aggregate_rule_round_trips_through_the_system():
    system = fi.read_system(SYSTEM)
    assert [i.aggregate for i in system.indicator_list] == ["sum", "sum", "weighted_mean:gdp", "mean"]
    again = fi.read_system(system.to_dict())
    assert [i.aggregate for i in again.indicator_list] == ["sum", "sum", "weighted_mean:gdp", "mean"]
    with pytest.raises(SchemaError, match="must be text"):
        fi.read_system({"a": {"x": {"direction": "+", "aggregate": 3}}})


def test_members_and_groups_score_together():
    cube = np.random.default_rng(3).uniform(1, 2, (4, 2, 4))
    p = fi.Panel.from_array(cube, SYSTEM, regions=REGIONS, years=(2020, 2021))
    p = p.with_aggregates({"Beijing": "BTH", "Tianjin": "BTH", "Hebei": "BTH", "Shanxi": "Other"})
    scores = fi.hew_topsis(p).scores
    assert set(scores["region"]) == {*REGIONS, "BTH", "Other"}
    # the sums make BTH the largest unit on the summed indicators
    assert p.cube[4, :, :2].min() > p.cube[:4, :, :2].max()
