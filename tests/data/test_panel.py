"""Panel loading: every source and layout, validation messages, missing-value policies."""

from __future__ import annotations

import warnings

import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from fastinno.data import datasets
from fastinno.data.panel import Panel
from fastinno.data.read_panel import read_panel
from fastinno.data.system import IndicatorSystem
from fastinno.errors import FastinnoWarning, InputError, SchemaError

SYSTEM = {"inp": {"a": "+", "b": "-"}, "env": {"c": "+"}}


def _wide() -> pl.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for r in ("R1", "R2", "R3"):
        for y in (2015, 2016, 2017, 2018):
            rows.append({"region": r, "year": y, "a": rng.uniform(1, 2), "b": rng.uniform(1, 2), "c": rng.uniform(1, 2)})
    return pl.DataFrame(rows)


def _long() -> pl.DataFrame:
    return _wide().unpivot(index=["region", "year"], variable_name="indicator", value_name="value")


@pytest.fixture
def expected_cube():
    w = _wide()
    return w.select("a", "b", "c").to_numpy().reshape(3, 4, 3)


def test_wide_and_long_give_the_identical_cube(expected_cube):
    pw = read_panel(_wide(), SYSTEM)
    pl_ = read_panel(_long(), SYSTEM)
    npt.assert_array_equal(pw.cube, expected_cube)
    npt.assert_array_equal(pl_.cube, pw.cube)
    assert pw.regions == ("R1", "R2", "R3") and pw.years == (2015, 2016, 2017, 2018)
    assert pw.indicators == ("a", "b", "c")
    assert pw.cube.flags.c_contiguous and pw.cube.dtype == np.float64
    assert not pw.cube.flags.writeable
    assert pw.is_cost.tolist() == [False, True, False]


def test_system_order_not_column_order(expected_cube):
    df = _wide().select("region", "year", "c", "a", "b")
    npt.assert_array_equal(read_panel(df, SYSTEM).cube, expected_cube)


@pytest.mark.parametrize("kind", ["csv", "parquet", "xlsx", "lazy", "long-csv", "long-parquet", "long-xlsx"])
def test_every_loader_path(tmp_path, kind, expected_cube):
    frame = _long() if kind.startswith("long") else _wide()
    suffix = kind.split("-")[-1]
    if kind == "lazy":
        source = frame.lazy()
    else:
        source = tmp_path / f"panel.{suffix}"
        if suffix == "csv":
            frame.write_csv(source)
        elif suffix == "parquet":
            frame.write_parquet(source)
        else:
            frame.write_excel(source, worksheet="data")
    p = read_panel(source, SYSTEM, sheet="data" if suffix == "xlsx" else None)
    npt.assert_allclose(p.cube, expected_cube, rtol=1e-15)


def test_excel_sheet_by_index(tmp_path, expected_cube):
    path = tmp_path / "panel.xlsx"
    import xlsxwriter

    with xlsxwriter.Workbook(path) as wb:
        pl.DataFrame({"note": ["cover sheet"]}).write_excel(wb, worksheet="cover")
        _wide().write_excel(wb, worksheet="data")
    npt.assert_allclose(read_panel(path, SYSTEM, sheet=1).cube, expected_cube)


def test_dataframe_and_lazyframe_round_trip_and_caller_frame_unchanged():
    df = _long()
    before = df.clone()
    p1 = read_panel(df, SYSTEM)
    p2 = read_panel(df.lazy(), SYSTEM)
    assert_frame_equal(df, before)
    npt.assert_array_equal(p1.cube, p2.cube)
    back = p1.to_frame("long")
    assert_frame_equal(back.sort("region", "year", "indicator"), df.sort("region", "year", "indicator"), check_column_order=False)
    wide = p1.to_frame("wide")
    assert wide.columns == ["region", "year", "a", "b", "c"]
    assert_frame_equal(read_panel(wide, SYSTEM).to_frame(), back)


def test_custom_column_names_and_string_numbers():
    df = _long().rename({"region": "province", "year": "yr", "indicator": "var", "value": "val"})
    df = df.with_columns(pl.col("val").round(3).cast(pl.String), pl.col("yr").cast(pl.String))
    p = read_panel(df, SYSTEM, region="province", year="yr", indicator="var", value="val")
    assert p.years == (2015, 2016, 2017, 2018)
    assert p.cube[0, 0, 0] == float(df["val"][0])


def test_no_system_warns_and_uses_benefit_indicators():
    df = _wide().with_columns(pl.lit("x").alias("note"))
    with pytest.warns(FastinnoWarning, match=r"treating 3 indicator\(s\) from the wide layout as benefit .* Non-numeric column\(s\) ignored: 'note'"):
        p = read_panel(df)
    assert p.indicators == ("a", "b", "c") and not p.is_cost.any()
    with pytest.warns(FastinnoWarning, match="long layout"):
        assert read_panel(_long()).indicators == ("a", "b", "c")


# ---- bad input: exact messages ------------------------------------------------------------


def test_non_numeric_cells_named():
    df = _long().with_columns(pl.col("value").cast(pl.String))
    df = df.with_columns(pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("12,3a")).otherwise(pl.col("value")).alias("value"))
    with pytest.raises(SchemaError) as info:
        read_panel(df, SYSTEM)
    msg = str(info.value)
    assert msg.startswith("Non-numeric cells in value: '12,3a' at (region, year, indicator) ('R2', 2015, 'a')")
    assert "Fix or blank them" in msg


def test_missing_tokens_are_missing_not_errors():
    df = _wide().with_columns(pl.col("a").cast(pl.String))
    df = df.with_columns(pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("...")).otherwise(pl.col("a")).alias("a"))
    with pytest.raises(SchemaError, match=r"1 missing cell\(s\) \(region, year, indicator\): \('R1', 2016, 'a'\)"):
        read_panel(df, SYSTEM)


def test_duplicate_rows_named():
    df = pl.concat([_long(), _long().head(2)])
    with pytest.raises(SchemaError) as info:
        read_panel(df, SYSTEM)
    assert str(info.value) == (
        "Duplicate (region, year, indicator) rows: ('R1', 2015, 'a'), ('R1', 2016, 'a'). "
        "Keep one row per cell (aggregate or drop duplicates)."
    )
    with pytest.raises(SchemaError, match=r"Duplicate \(region, year\) rows: \('R1', 2015\)"):
        read_panel(pl.concat([_wide(), _wide().head(1)]), SYSTEM)


def test_indicator_set_mismatch_both_ways():
    with pytest.raises(SchemaError) as info:
        read_panel(_wide().drop("c"), SYSTEM)
    assert str(info.value) == (
        "Indicator(s) 'c' are in the system but not in the data: add them to the table or remove them from the system."
    )
    with pytest.raises(SchemaError, match=r"Indicator\(s\) 'zz' are in the data but not in the system"):
        read_panel(_wide().with_columns(zz=pl.lit(1.0)), SYSTEM)


def test_years_must_be_integers():
    df = _wide().with_columns(pl.col("year").cast(pl.Float64) + pl.when(pl.int_range(pl.len()) == 2).then(0.5).otherwise(0.0))
    with pytest.raises(SchemaError, match=r"Years must be integers; column 'year' has 2017.5 in row\(s\) 2"):
        read_panel(df, SYSTEM)
    df2 = _wide().with_columns(pl.format("FY{}", pl.col("year")).alias("year"))
    with pytest.raises(SchemaError, match="Years must be integers; column 'year' has 'FY2015', 'FY2016'"):
        read_panel(df2, SYSTEM)


def test_missing_columns_and_files(tmp_path):
    with pytest.raises(SchemaError, match=r"Column\(s\) 'province' not found \(wide layout\)"):
        read_panel(_wide(), SYSTEM, region="province")
    with pytest.raises(InputError, match="does not exist"):
        read_panel(tmp_path / "none.csv", SYSTEM)
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(InputError, match="Unsupported panel file type '.json'"):
        read_panel(tmp_path / "x.json", SYSTEM)
    with pytest.raises(InputError, match="Unknown missing-value policy 'fill'"):
        read_panel(_wide(), SYSTEM, missing="fill")
    with pytest.raises(InputError, match="source must be a path"):
        read_panel(42, SYSTEM)


def test_infinite_values_rejected():
    df = _wide().with_columns(pl.when(pl.int_range(pl.len()) == 0).then(float("inf")).otherwise(pl.col("b")).alias("b"))
    with pytest.raises(SchemaError, match=r"Infinite values in column 'b' at \(region, year, indicator\) \('R1', 2015, 'b'\)"):
        read_panel(df, SYSTEM)


def test_error_lists_at_most_five_keys():
    df = _long().filter(pl.col("indicator") != "a").vstack(_long().filter((pl.col("indicator") == "a") & (pl.col("year") == 2015)))
    with pytest.raises(SchemaError) as info:
        read_panel(df, SYSTEM)
    assert "9 missing cell(s)" in str(info.value) and "and 4 more" in str(info.value)


# ---- missing-value policies ---------------------------------------------------------------


def _gappy() -> pl.DataFrame:
    df = _wide()
    # R1 misses a in 2016 (interior) and 2018 (edge); R3 misses c entirely.
    return df.with_columns(
        pl.when((pl.col("region") == "R1") & pl.col("year").is_in([2016, 2018])).then(None).otherwise(pl.col("a")).alias("a"),
        pl.when(pl.col("region") == "R3").then(None).otherwise(pl.col("c")).alias("c"),
    )


def test_interpolate_linear_in_true_years_and_edges_carried():
    df = _gappy().filter(pl.col("region") != "R3")
    # make a year gap: drop 2017 entirely -> years 2015, 2016, 2018
    df = df.filter(pl.col("year") != 2017).with_columns(
        pl.when((pl.col("region") == "R1") & (pl.col("year") == 2018)).then(5.0).otherwise(pl.col("a")).alias("a")
    )
    with pytest.warns(FastinnoWarning, match=r"interpolated 1 cell\(s\): \('R1', 2016, 'a'\)"):
        p = read_panel(df, SYSTEM, missing="interpolate")
    a15 = df.filter((pl.col("region") == "R1") & (pl.col("year") == 2015))["a"][0]
    # 2016 lies 1/3 of the way from 2015 to 2018
    assert p.cube[0, 1, 0] == pytest.approx(a15 + (5.0 - a15) / 3, rel=1e-14)
    assert p.report == ("interpolated 1 cell(s): ('R1', 2016, 'a')",)
    df2 = _gappy().filter(pl.col("region") != "R3")
    with pytest.warns(FastinnoWarning):
        p2 = read_panel(df2, SYSTEM, missing="interpolate")
    assert p2.cube[0, 3, 0] == p2.cube[0, 2, 0]  # edge carried from the nearest year


def test_interpolate_refuses_series_without_any_value():
    with pytest.raises(SchemaError) as info:
        read_panel(_gappy(), SYSTEM, missing="interpolate")
    assert "Cannot interpolate: 1 (region, indicator) series have no value in any year: ('R3', 'c')" in str(info.value)


def test_drop_policies_and_chains():
    with pytest.warns(FastinnoWarning, match=r"dropped 2 region\(s\) with missing cells: 'R1', 'R3'"):
        p = read_panel(_gappy(), SYSTEM, missing="drop-region")
    assert p.regions == ("R2",)
    with pytest.warns(FastinnoWarning, match=r"dropped 2 indicator\(s\) with missing cells: 'a', 'c'"):
        p = read_panel(_gappy(), SYSTEM, missing="drop-indicator")
    assert p.indicators == ("b",) and p.system.dimensions == ("inp",)
    with pytest.warns(FastinnoWarning) as rec:
        p = read_panel(_gappy(), SYSTEM, missing=("interpolate", "drop-region"))
    assert p.regions == ("R1", "R2") and p.is_complete()
    assert len(p.report) == 2 and "interpolated 2 cell(s)" in p.report[0] and "'R3'" in p.report[1]
    assert len(rec) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kept = read_panel(_gappy(), SYSTEM, missing="keep")  # report-only: no warning
    assert np.isnan(kept.cube).sum() == 6 and not kept.is_complete()
    with pytest.raises(SchemaError, match=r"This model needs a complete panel, but 6 cell\(s\) are missing"):
        kept.require_complete()


# ---- Panel API ----------------------------------------------------------------------------


def test_select_and_from_array():
    p = read_panel(_wide(), SYSTEM)
    sub = p.select(regions=["R3", "R1"], years=[2018, 2015], indicators=["c", "a"])
    assert sub.regions == ("R3", "R1") and sub.years == (2015, 2018) and sub.indicators == ("a", "c")
    npt.assert_array_equal(sub.cube, p.cube[[2, 0]][:, [0, 3]][:, :, [0, 2]])
    with pytest.raises(SchemaError, match="Unknown region"):
        p.select(regions=["R9"])
    q = Panel.from_array(np.ones((2, 3, 4)))
    assert q.indicators == ("x1", "x2", "x3", "x4") and q.regions == ("R1", "R2")
    arr = np.ones((2, 3, 4))
    Panel.from_array(arr)
    assert arr.flags.writeable  # the caller's array is copied, not frozen
    with pytest.raises(InputError, match="cube must be 3-D"):
        Panel.from_array(np.ones((2, 3)))


def test_summary_statistics():
    p = read_panel(_wide(), SYSTEM)
    s = p.summary()
    assert s["indicator"].to_list() == ["a", "b", "c"]
    assert s["mean"][0] == pytest.approx(p.cube[:, :, 0].mean())
    assert s["dimension"].to_list() == ["inp", "inp", "env"]


# ---- bundled data -------------------------------------------------------------------------


def test_six_triangles_gaps_are_errors_by_default():
    with pytest.raises(SchemaError) as info:
        datasets.six_triangles()
    msg = str(info.value)
    assert msg.startswith("30 missing cell(s) (region, year, indicator): ('Jiangxi', 2009, 'research_institution_st_output')")


def test_six_triangles_interpolate_fills_guangdong_and_refuses_jiangxi():
    with pytest.raises(SchemaError, match=r"\('Jiangxi', 'research_institution_st_output'\)") as info:
        datasets.six_triangles(missing="interpolate")
    assert "Guangdong" not in str(info.value)
    p = datasets.demo_panel()
    assert p.shape == (15, 9, 9) and p.is_complete() and "Jiangxi" not in p.regions
    g = p.regions.index("Guangdong")
    # Guangdong 2011 = mean of 2010 and 2012 (linear in years)
    npt.assert_allclose(p.cube[g, 2, 6:], (p.cube[g, 1, 6:] + p.cube[g, 3, 6:]) / 2, rtol=1e-14)
    raw = datasets.six_triangles_published()
    beijing_2009 = raw.filter((pl.col("table") == "A2") & (pl.col("subject") == "enterprise") & (pl.col("region") == "Beijing") & (pl.col("year") == 2009))
    assert p.cube[0, 0, 0] == beijing_2009["st_output"][0]
    assert datasets.six_triangles(subjects=("enterprise", "university")).shape == (16, 9, 6)
    assert "Sustainability" in datasets.CITATION


def test_system_to_frame_lists_indicators():
    f = IndicatorSystem.from_dict(SYSTEM).to_frame()
    assert f["indicator"].to_list() == ["a", "b", "c"] and f["dimension"].to_list() == ["inp", "inp", "env"]
    assert f["weight"].sum() == pytest.approx(1.0)
