"""Input data that used to be misread silently: each case is now an error or a correct result."""

from __future__ import annotations

import warnings

import numpy as np
import numpy.testing as npt
import polars as pl
import pytest

from fastinno.data.panel import Panel
from fastinno.data.read_panel import read_panel
from fastinno.data.system import IndicatorSystem, read_system
from fastinno.errors import FastinnoWarning, InputError, SchemaError

SYSTEM = {"a": "+", "b": "-"}


def _write(tmp_path, text: str, name: str = "panel.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _wide_csv(cells: list[tuple[str, str]], sep: str = ",") -> str:
    rows = [sep.join(["region", "year", "a", "b"])]
    for k, (a, b) in enumerate(cells):
        rows.append(sep.join([f"R{k // 2 + 1}", str(2015 + k % 2), a, b]))
    return "\n".join(rows) + "\n"


# ---- 1. decimal commas and thousands separators -------------------------------------------------


def test_decimal_comma_is_an_error_naming_the_cell(tmp_path):
    path = _write(tmp_path, _wide_csv([('"0,5"', "1"), ("2", "3"), ("4", "5"), ("6", "7")]))
    with pytest.raises(SchemaError) as info:
        read_panel(path, SYSTEM)
    msg = str(info.value)
    assert "Cells with a comma in column 'a': '0,5' at (region, year, indicator) ('R1', 2015, 'a')" in msg
    assert "decimal=','" in msg and "--decimal" in msg


def test_strict_thousands_pattern_is_accepted(tmp_path):
    cells = [('"1,234"', '"-1,234"'), ('"1,234,567.8"', "5"), ("0.5", '"12,345.25"'), ("1e3", "-2")]
    p = read_panel(_write(tmp_path, _wide_csv(cells)), SYSTEM)
    npt.assert_array_equal(p.cube[:, :, 0].ravel(), [1234, 1234567.8, 0.5, 1000])
    npt.assert_array_equal(p.cube[:, :, 1].ravel(), [-1234, 5, 12345.25, -2])


@pytest.mark.parametrize("cell", ['"12,34"', '"1,2345"', '"1,234,56"', '",5"'])
def test_loose_commas_are_errors(tmp_path, cell):
    path = _write(tmp_path, _wide_csv([(cell, "1"), ("2", "3"), ("4", "5"), ("6", "7")]))
    with pytest.raises(SchemaError, match=r"Cells with a comma in column 'a'.*decimal=','"):
        read_panel(path, SYSTEM)


def test_decimal_comma_option_reads_european_numbers(tmp_path):
    cells = [("0,5", "1.234,5"), ("2", "-1.234"), ("1.234.567,25", "3,0"), ("1,5e3", "")]
    path = _write(tmp_path, _wide_csv(cells, sep=";"))
    p = read_panel(path, SYSTEM, decimal=",", separator=";", missing="keep")
    npt.assert_array_equal(p.cube[:, :, 0].ravel(), [0.5, 2, 1234567.25, 1500])
    npt.assert_array_equal(p.cube[:, :, 1].ravel()[:3], [1234.5, -1234, 3.0])
    assert np.isnan(p.cube[1, 1, 1])
    bad = _write(tmp_path, _wide_csv([("0.5", "1"), ("2", "3"), ("4", "5"), ("6", "7")], sep=";"), "bad.csv")
    with pytest.raises(SchemaError, match=r"decimal point in column 'a' but decimal=',': '0.5'.*decimal='.'"):
        read_panel(bad, SYSTEM, decimal=",", separator=";")
    with pytest.raises(InputError, match="decimal must be"):
        read_panel(path, SYSTEM, decimal=";")


def test_text_columns_in_frames_follow_the_same_rules():
    df = pl.DataFrame({"region": ["R1", "R2"], "year": [2015, 2015], "a": ["0,5", "1"], "b": ["1", "2"]})
    with pytest.raises(SchemaError, match="Cells with a comma in column 'a': '0,5'"):
        read_panel(df, SYSTEM)
    npt.assert_array_equal(read_panel(df, SYSTEM, decimal=",").cube[:, 0, 0], [0.5, 1.0])
    # without a system, a text column of decimal commas is an indicator with an error, not skipped
    with pytest.warns(FastinnoWarning, match="No indicator system"), pytest.raises(SchemaError, match="Cells with a comma"):
        read_panel(df)


def test_separator_option_and_numeric_values_in_a_semicolon_file(tmp_path):
    path = _write(tmp_path, _wide_csv([("0,5", "1"), ("2", "3"), ("4", "5"), ("6", "7")], sep=";"))
    p = read_panel(path, SYSTEM, separator=";", decimal=",")
    assert p.cube[0, 0, 0] == 0.5
    tab = _write(tmp_path, _wide_csv([("0.5", "1"), ("2", "3"), ("4", "5"), ("6", "7")], sep="\t"), "tab.txt")
    assert read_panel(tab, SYSTEM, separator="tab").cube[0, 0, 0] == 0.5
    with pytest.raises(InputError, match="separator must be one character"):
        read_panel(path, SYSTEM, separator=";;")


# ---- 2. separator detection --------------------------------------------------------------------


@pytest.mark.parametrize(("sep", "word", "shown"), [(";", "semicolon", "';'"), ("\t", "tab", "'\\t'")])
def test_other_separator_is_detected(tmp_path, sep, word, shown):
    path = _write(tmp_path, _wide_csv([("0,5", "1"), ("2", "3"), ("4", "5"), ("6", "7")], sep=sep))
    with pytest.raises(InputError) as info:
        read_panel(path, SYSTEM)
    msg = str(info.value)
    assert f"looks {word}-separated" in msg and f"pass separator={shown}" in msg and "--separator" in msg


def test_semicolon_header_with_a_comma_in_a_name_is_detected(tmp_path):
    path = _write(tmp_path, "region;year;R&D, % GDP\nR1;2015;1\n")
    with pytest.raises(InputError, match="looks semicolon-separated: .*pass separator=';'|looks semicolon-separated"):
        read_panel(path)


def test_wrong_explicit_separator_and_one_column_frames(tmp_path):
    path = _write(tmp_path, _wide_csv([("1", "1"), ("2", "3"), ("4", "5"), ("6", "7")]))
    with pytest.raises(InputError, match=r"looks comma-separated .*pass separator=','"):
        read_panel(path, SYSTEM, separator=";")
    # a frame read elsewhere with the wrong separator: one column whose name holds ';'
    df = pl.DataFrame({"region;year;a": ["R1;2015;1"]})
    with pytest.raises(SchemaError, match=r"looks semicolon-separated: pass separator=';'"):
        read_panel(df)


def test_semicolons_inside_quoted_names_are_not_a_separator(tmp_path):
    path = _write(tmp_path, 'region,year,"a;b;c;d"\nR1,2015,1\nR1,2016,2\n')
    with pytest.warns(FastinnoWarning, match="No indicator system"):
        p = read_panel(path)
    assert p.indicators == ("a;b;c;d",)


# ---- 3. names with surrounding spaces / Unicode forms -------------------------------------------


def test_region_with_trailing_space_is_merged_with_one_warning(tmp_path):
    text = "region,year,a,b\nBeijing,2015,1,2\nBeijing ,2016,3,4\n  Tianjin,2015,5,6\nTianjin,2016,7,8\n"
    with pytest.warns(FastinnoWarning) as record:
        p = read_panel(_write(tmp_path, text), SYSTEM)
    assert p.regions == ("Beijing", "Tianjin")
    npt.assert_array_equal(p.cube[0, :, 0], [1, 3])
    assert len(record) == 1
    msg = str(record[0].message)
    assert "2 name(s)" in msg and "region 'Beijing ' -> 'Beijing'" in msg and "region '  Tianjin' -> 'Tianjin'" in msg


def test_many_changed_names_are_summarised():
    regions = [f" R{k}" for k in range(8)]
    df = pl.DataFrame({"region": regions, "year": [2015] * 8, "a": [1.0] * 8, "b": [2.0] * 8})
    with pytest.warns(FastinnoWarning, match=r"8 name\(s\): .* and 3 more\.$"):
        read_panel(df, SYSTEM)


def test_nfc_and_header_spaces_are_cleaned():
    decomposed = "Sa\u0303o Paulo"
    df = pl.DataFrame({" region ": [decomposed, "S\u00e3o Paulo"], "year": [2015, 2016], "a ": [1.0, 2.0], "b": [3.0, 4.0]})
    with pytest.warns(FastinnoWarning, match="column ' region ' -> 'region'"):
        p = read_panel(df, SYSTEM)
    assert p.regions == ("S\u00e3o Paulo",) and p.indicators == ("a", "b")


def test_names_that_collide_after_cleaning_are_errors():
    df = pl.DataFrame({"region": ["R1"], "year": [2015], "a": [1.0], "a ": [2.0], "b": [1.0]})
    with pytest.raises(SchemaError, match=r"Column names that differ only in surrounding spaces or Unicode form: 'a' = 'a '"):
        read_panel(df, SYSTEM)
    dup = pl.DataFrame({"region": ["Beijing", "Beijing "], "year": [2015, 2015], "a": [1.0, 2.0], "b": [1.0, 2.0]})
    with pytest.raises(SchemaError, match=r"Duplicate \(region, year\) rows: \('Beijing', 2015\).*merged \(\('Beijing ', 'Beijing'\)\)"):
        read_panel(dup, SYSTEM)
    with pytest.raises(SchemaError, match=r"'x' = ' x'"):
        IndicatorSystem.from_dict({"x": "+", " x": "-"})
    with pytest.raises(SchemaError, match=r"Region names that differ only .* 'R1' = 'R1 '"):
        Panel.from_array(np.ones((2, 1, 1)), regions=["R1", "R1 "])


def test_system_names_are_cleaned_with_one_warning():
    with pytest.warns(FastinnoWarning, match=r"2 name\(s\): name ' inp' -> 'inp', name 'a ' -> 'a'") as record:
        system = IndicatorSystem.from_dict({" inp": {"a ": "+", "b": "-"}})
    assert len(record) == 1
    assert system.indicators == ("a", "b") and system.dimensions == ("inp",)
    assert IndicatorSystem.from_dict(system.to_dict()).indicators == ("a", "b")


def test_from_array_cleans_region_names():
    with pytest.warns(FastinnoWarning, match="region 'R1 ' -> 'R1'"):
        p = Panel.from_array(np.ones((2, 1, 1)), regions=["R1 ", "R2"])
    assert p.regions == ("R1", "R2")


# ---- 4. implausible years ------------------------------------------------------------------------


def test_yyyymm_years_are_an_error(tmp_path):
    text = "region,year,a,b\nR1,201512,1,2\nR1,201601,3,4\n"
    with pytest.raises(SchemaError) as info:
        read_panel(_write(tmp_path, text), SYSTEM)
    msg = str(info.value)
    assert msg.startswith("Years outside 1000-2999 in column 'year': 201512, 201601.")
    assert "YYYYMM" in msg and "YYYYQ" in msg and "Use the calendar year" in msg


def test_huge_and_negative_years_are_errors():
    for bad in (99999999999, -5, 20154):
        df = pl.DataFrame({"region": ["R1", "R1"], "year": [2015, bad], "a": [1.0, 2.0], "b": [1.0, 2.0]})
        with pytest.raises(SchemaError, match=f"Years outside 1000-2999 in column 'year': {bad}\\."):
            read_panel(df, SYSTEM)
    df = pl.DataFrame({"region": ["R1", "R1"], "year": [2015.0, 1e30], "a": [1.0, 2.0], "b": [1.0, 2.0]})
    with pytest.raises(SchemaError, match="Years outside"):
        read_panel(df, SYSTEM)


def test_year_range_is_configurable():
    df = pl.DataFrame({"region": ["R1", "R1"], "year": [850, 851], "a": [1.0, 2.0], "b": [1.0, 2.0]})
    with pytest.raises(SchemaError, match="Years outside 1000-2999"):
        read_panel(df, SYSTEM)
    assert read_panel(df, SYSTEM, year_range=(800, 2100)).years == (850, 851)
    with pytest.raises(SchemaError, match="Years outside 1950-2100"):
        read_panel(df.with_columns(pl.col("year") + 1300), SYSTEM, year_range=(1950, 2100))
    with pytest.raises(InputError, match="year_range must be two integers first <= last"):
        read_panel(df, SYSTEM, year_range=(2100, 1950))


def test_time_index_years_round_trip(tmp_path):
    p = Panel.from_array(np.arange(12.0).reshape(2, 3, 2), ["a", "b"])
    path = tmp_path / "p.csv"
    p.to_frame("wide").write_csv(path)
    back = read_panel(path, {"a": "+", "b": "+"})
    assert back.years == (1, 2, 3)
    npt.assert_array_equal(back.cube, p.cube)
    df = pl.DataFrame({"region": ["R1", "R1"], "year": [1, 3], "a": [1.0, 2.0], "b": [1.0, 2.0]})
    with pytest.raises(SchemaError, match="Years outside 1000-2999 in column 'year': 1, 3"):
        read_panel(df, SYSTEM)


def test_year_range_default_lives_in_config():
    from fastinno import _config

    assert _config.YEAR_RANGE == (1000, 2999)


# ---- 5. Panel.from_array: names and years -------------------------------------------------------


def test_from_array_sorts_descending_years_with_a_warning():
    cube = np.arange(2 * 3 * 1, dtype=float).reshape(2, 3, 1)
    with pytest.warns(FastinnoWarning, match=r"years 2017, 2016, 2015 were not in increasing order"):
        p = Panel.from_array(cube, years=[2017, 2016, 2015])
    assert p.years == (2015, 2016, 2017)
    npt.assert_array_equal(p.cube[:, :, 0], cube[:, ::-1, 0])


def test_from_array_rejects_duplicates_and_bad_years():
    cube = np.ones((2, 2, 2))
    with pytest.raises(SchemaError, match=r"Duplicate year name\(s\) 2015"):
        Panel.from_array(cube, years=[2015, 2015])
    with pytest.raises(SchemaError, match=r"Duplicate region name\(s\) 'A'"):
        Panel.from_array(cube, regions=["A", "A"])
    with pytest.raises(SchemaError, match=r"Duplicate indicator name\(s\) 'x'"):
        Panel.from_array(cube, ["x", "x"])
    with pytest.raises(SchemaError, match=r"Years outside 1000-2999 in years: 201512"):
        Panel.from_array(cube, years=[201512, 201601])
    with pytest.raises(InputError, match="years must be integers"):
        Panel.from_array(cube, years=[2015.5, 2016])
    assert Panel.from_array(cube, years=[850, 851], year_range=(800, 900)).years == (850, 851)
    # default years are a time index 1..T, not calendar years
    assert Panel.from_array(cube).years == (1, 2)
    assert Panel.from_array(cube, years=[1, 2]).years == (1, 2)
    with pytest.raises(SchemaError, match="Years outside"):
        Panel.from_array(cube, years=[2, 3])
    with pytest.raises(InputError, match="not increasing"):
        Panel(cube, ("A", "B"), (2016, 2015), IndicatorSystem.flat(["x", "y"]))


# ---- 6. indicator-system key typos ---------------------------------------------------------------


def test_system_key_typo_is_named_with_a_suggestion(tmp_path):
    path = _write(tmp_path, '[inp]\nx = { direction = "+", wieght = 0.5 }\ny = "-"\n', "system.toml")
    with pytest.raises(SchemaError) as info:
        read_system(path)
    msg = str(info.value)
    assert "Indicator 'inp/x' has unknown key(s) 'wieght' (did you mean 'weight'?)" in msg
    assert "'direction', 'label', 'unit', 'weight', 'lower'" in msg
    assert "has direction 0.5" not in msg


def test_system_table_without_direction_is_missing_not_unknown():
    with pytest.raises(SchemaError, match=r"Indicator 'x' has no direction: add direction = '\+' or '-'\."):
        IndicatorSystem.from_dict({"x": {"label": "R&D / GDP"}, "y": "+"})
    with pytest.raises(SchemaError, match=r"Indicator 'inp/x' has no direction"):
        IndicatorSystem.from_dict({"inp": {"x": {"weight": 0.5, "unit": "%"}, "y": "+"}})
    with pytest.raises(SchemaError, match=r"unknown key\(s\) 'dirction' \(did you mean 'direction'\?\)"):
        IndicatorSystem.from_dict({"x": {"dirction": "+"}, "y": "+"})


def test_dimension_key_typo_is_named():
    with pytest.raises(SchemaError, match=r"Unknown key '_wieght' in dimension 'inp' \(did you mean '_weight'\?\)"):
        IndicatorSystem.from_dict({"inp": {"_wieght": 0.5, "x": "+"}, "env": {"y": "-"}})
    with pytest.raises(SchemaError, match=r"Indicator 'inp/wieght' has direction 0.5: .* 'wieght' looks like a key: "
                       r"a dimension's weight is '_weight'; an indicator's 'weight' goes in its table"):
        IndicatorSystem.from_dict({"inp": {"wieght": 0.5, "x": "+"}})
    with pytest.raises(SchemaError, match=r"unknown direction 'Input'.* 'label' looks like a key: a dimension's label is '_label'"):
        IndicatorSystem.from_dict({"inp": {"label": "Input", "x": "+"}})


def test_indicators_named_like_keys_still_work():
    system = IndicatorSystem.from_dict({"env": {"weight": "+", "unit": "-"}})
    assert system.indicators == ("weight", "unit") and system.directions == ("+", "-")


# ---- 8. sheets and duplicated columns ------------------------------------------------------------


def _workbook(path, sheets: dict[str, list[list]]):
    import xlsxwriter

    with xlsxwriter.Workbook(path) as wb:
        for name, rows in sheets.items():
            ws = wb.add_worksheet(name)
            for i, row in enumerate(rows):
                ws.write_row(i, 0, row)


def test_missing_sheet_lists_the_workbook(tmp_path):
    path = tmp_path / "panel.xlsx"
    rows = [["region", "year", "a", "b"], ["R1", 2015, 1, 2]]
    _workbook(path, {"a": rows, "b": rows, "c": rows})
    with pytest.raises(InputError) as info:
        read_panel(path, SYSTEM, sheet=9)
    msg = str(info.value)
    assert "Sheet 9 does not exist" in msg and "the workbook has 3 sheet(s): 'a', 'b', 'c'" in msg and "from 0" in msg
    with pytest.raises(InputError, match=r"Sheet 'data' does not exist .* 3 sheet\(s\): 'a', 'b', 'c'"):
        read_panel(path, SYSTEM, sheet="data")
    assert read_panel(path, SYSTEM, sheet=2).cube[0, 0, 1] == 2


def test_duplicated_columns_are_named(tmp_path):
    path = _write(tmp_path, "region,year,patents,patents\nR1,2015,1,2\n")
    with pytest.raises(SchemaError, match=r"column 'patents' appears twice in the header"):
        read_panel(path)
    xlsx = tmp_path / "panel.xlsx"
    _workbook(xlsx, {"s": [["region", "year", "patents", "a", "patents"], ["R1", 2015, 1, 2, 3]]})
    with pytest.raises(SchemaError, match=r"column 'patents' appears twice in the header"):
        read_panel(xlsx)


def test_trailing_empty_columns_are_dropped(tmp_path):
    path = _write(tmp_path, "region,year,a,b,,\nR1,2015,1,2,,\nR1,2016,3,4,,\n")
    p = read_panel(path, SYSTEM)
    npt.assert_array_equal(p.cube[0, :, 0], [1, 3])


def test_unreadable_files_are_input_errors(tmp_path):
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("region,year,a\n北京,2015,1\n".encode("gbk"))
    with pytest.raises(InputError, match="is not UTF-8 text"):
        read_panel(gbk)
    empty = _write(tmp_path, "", "empty.csv")
    with pytest.raises(InputError, match="is empty"):
        read_panel(empty)
    ragged = _write(tmp_path, "region,year,a\nR1,2015,0,5\n", "ragged.csv")
    with pytest.raises(InputError, match="more fields than the header"):
        read_panel(ragged)


def test_clean_input_gives_no_warning(tmp_path):
    path = _write(tmp_path, _wide_csv([("1", "2"), ("3", "4"), ("5", "6"), ("7", "8")]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = read_panel(path, SYSTEM)
    assert p.regions == ("R1", "R2") and p.years == (2015, 2016)


# ---- the CLI's panel options ---------------------------------------------------------------------


def test_cli_decimal_and_separator(tmp_path):
    from click.testing import CliRunner

    from fastinno.cli import cli

    path = _write(tmp_path, _wide_csv([("0,5", "1"), ("2", "3"), ("4", "5"), ("6", "7")], sep=";"))
    system = _write(tmp_path, "a = '+'\nb = '-'\n", "system.toml")
    runner = CliRunner()
    r = runner.invoke(cli, ["inspect", str(path), "--system", str(system)])
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: Panel") and "--separator ';'" in lines[0]
    r = runner.invoke(cli, ["inspect", str(path), "--system", str(system), "--separator", ";"])
    assert r.exit_code == 2 and "Error: Cells with a comma" in r.output and "--decimal ','" in r.output
    r = runner.invoke(cli, ["inspect", str(path), "--system", str(system), "--separator", ";", "--decimal", ","])
    assert r.exit_code == 0, r.output
    assert "Panel(2 regions x 2 years (2015-2016) x 2 indicators)" in r.output


def test_cli_missing_sheet_is_one_error_line(tmp_path):
    from click.testing import CliRunner

    from fastinno.cli import cli

    path = tmp_path / "panel.xlsx"
    rows = [["region", "year", "a", "b"], ["R1", 2015, 1, 2]]
    _workbook(path, {"a": rows, "b": rows, "c": rows})
    r = CliRunner().invoke(cli, ["inspect", str(path), "--sheet", "9"])
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: Sheet 9 does not exist") and "'a', 'b', 'c'" in lines[0]


def test_region_codes_stored_as_floats_read_as_integers():
    df = pl.DataFrame({"region": [110000.0, 120000.0], "year": [2015, 2015], "a": [1.0, 2.0], "b": [1.0, 2.0]})
    assert read_panel(df, SYSTEM).regions == ("110000", "120000")
    with pytest.raises(SchemaError, match="Column 'region' holds Float64 values"):
        read_panel(df.with_columns(pl.col("region") + 0.5), SYSTEM)
