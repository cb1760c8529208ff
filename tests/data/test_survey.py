"""Expert surveys: readers (long, matrices, workbooks, arrays), scales, expert weights, factor tables."""

from __future__ import annotations

import warnings

import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
import survey_cases
from survey_cases import GREY_LO, GREY_UP, long_frame, random_levels

import fastinno as fi
from fastinno.data.linguistic import PAPER_SCALE
from fastinno.errors import ConfigError, FastinnoWarning, InputError, SchemaError

# ---------------------------------------------------------------------------------------------
# Scales and weights
# ---------------------------------------------------------------------------------------------


def test_paper_scale_codes_labels_and_0_4_agree():
    rng = np.random.default_rng(1)
    lv = random_levels(rng, 3, 5)
    a = fi.grey_dematel(lv + 1)  # paper codes 1..5
    b = fi.grey_dematel(lv, scale="0-4")
    labels = np.array(PAPER_SCALE.labels, dtype=object)[lv]
    c = fi.grey_dematel(labels)
    names = np.array([s.upper() for s in PAPER_SCALE.names], dtype=object)[lv]
    d = fi.grey_dematel(names)
    for other in (b, c, d):
        npt.assert_array_equal(a.T, other.T)
    assert a.options["scale"] == "paper"


def test_custom_toml_scale(tmp_path):
    toml = tmp_path / "scale.toml"
    lines = ['name = "bai-sarkis"']
    for i, (lab, lo, up) in enumerate(zip(PAPER_SCALE.labels, GREY_LO, GREY_UP)):
        lines += ["[[levels]]", f"code = {i + 10}", f'label = "{lab}"', f"lower = {lo}", f"upper = {up}"]
    toml.write_text("\n".join(lines))
    sc = fi.linguistic_scale(toml)
    assert sc.codes == (10, 11, 12, 13, 14) and sc.name == "bai-sarkis"
    rng = np.random.default_rng(2)
    lv = random_levels(rng, 2, 4)
    npt.assert_array_equal(fi.grey_dematel(lv + 10, scale=toml).T, fi.grey_dematel(lv, scale="0-4").T)
    bad = tmp_path / "bad.toml"
    bad.write_text('[[levels]]\ncode = 1\nlower = 0.5\nupper = 0.2\n')
    with pytest.raises(ConfigError, match="lower <= upper"):
        fi.linguistic_scale(bad)
    bad.write_text('[[levels]]\ncode = 1\nlow = 0.5\nupper = 0.2\n')
    with pytest.raises(ConfigError, match="unknown key"):
        fi.linguistic_scale(bad)
    with pytest.raises(ConfigError, match="Unknown scale"):
        fi.linguistic_scale("likert")


def test_expert_weight_forms(tmp_path):
    experts = ["E1", "E2", "E3"]
    mids = np.array([0.85, 0.7, 0.15])
    npt.assert_allclose(fi.expert_weights(["VI", "MI", "NI"], experts), mids / mids.sum(), rtol=1e-15)
    npt.assert_allclose(
        fi.expert_weights(["very important", "More Important", "not important"], experts), mids / mids.sum()
    )
    npt.assert_allclose(fi.expert_weights([[0.7, 1], [0.5, 0.9], [0, 0.3]], experts), mids / mids.sum())
    npt.assert_allclose(fi.expert_weights({"E3": "NI", "E1": "VI", "E2": "MI"}, experts), mids / mids.sum())
    npt.assert_allclose(fi.expert_weights([2, 1, 1], experts), [0.5, 0.25, 0.25])
    npt.assert_allclose(fi.expert_weights(None, experts), [1 / 3] * 3)
    npt.assert_allclose(fi.expert_weights([[0.7, 1]] * 3, experts, whitening=0.0), [1 / 3] * 3)
    p = tmp_path / "w.csv"
    pl.DataFrame({"expert": ["E2", "E1", "E3"], "lower": [0.5, 0.7, 0.0], "upper": [0.9, 1.0, 0.3]}).write_csv(p)
    npt.assert_allclose(fi.expert_weights(p, experts), mids / mids.sum())
    p2 = tmp_path / "w2.csv"
    pl.DataFrame({"expert": ["E1", "E2", "E3"], "weight": ["VI", "0.7", "NI"]}).write_csv(p2)
    npt.assert_allclose(fi.expert_weights(p2, experts), mids / mids.sum())
    with pytest.raises(InputError, match="Got 2 expert weight"):
        fi.expert_weights([1, 2], experts)
    with pytest.raises(InputError, match="unknown weight label 'XI'"):
        fi.expert_weights(["VI", "XI", "I"], experts)
    with pytest.raises(SchemaError, match="in the weights only: 'E9'"):
        fi.expert_weights({"E1": 1, "E2": 1, "E9": 1}, experts)
    with pytest.raises(fi.DegenerateDataError, match="not positive"):
        fi.expert_weights([1, 0, 1], experts)


# ---------------------------------------------------------------------------------------------
# Survey readers
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def survey_levels():
    return survey_cases.survey_levels()


def test_readers_agree(tmp_path, survey_levels):
    ref = fi.grey_dematel(survey_levels)
    long = long_frame(survey_levels)
    long.write_csv(tmp_path / "long.csv")
    long.write_parquet(tmp_path / "long.parquet")
    long_frame(survey_levels, labels=True).write_excel(tmp_path / "long.xlsx")
    mdir = tmp_path / "matrices"
    mdir.mkdir()
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(tmp_path / "sheets.xlsx"))
    n = survey_levels.shape[1]
    codes = [f"C{i + 1}" for i in range(n)]
    for e, mat in enumerate(survey_levels):
        df = pl.DataFrame({"factor": codes, **{c: mat[:, j].tolist() for j, c in enumerate(codes)}})
        df.write_csv(mdir / f"E{e + 1}.csv")
        ws = wb.add_worksheet(f"E{e + 1}")
        ws.write_row(0, 0, ["", *codes])
        for i in range(n):
            ws.write_row(i + 1, 0, [codes[i], *[PAPER_SCALE.labels[v - 1] if i != j else None for j, v in enumerate(mat[i])]])
    wb.close()
    # a matrix CSV without row labels, rows in header order
    nolab = tmp_path / "E1_nolabels.csv"
    pl.DataFrame({c: survey_levels[0][:, j].tolist() for j, c in enumerate(codes)}).write_csv(nolab)
    sources = [
        tmp_path / "long.csv", tmp_path / "long.parquet", tmp_path / "long.xlsx", mdir,
        sorted(mdir.glob("*.csv")), tmp_path / "sheets.xlsx", long, long.lazy(),
    ]
    for src in sources:
        res = fi.grey_dematel(src)
        npt.assert_array_equal(res.T, ref.T, err_msg=str(src))
        assert res.experts == ("E1", "E2", "E3")
    one = fi.grey_dematel(nolab)
    npt.assert_array_equal(one.T, fi.grey_dematel(survey_levels[0]).T)


def test_dataframe_input_not_mutated(survey_levels):
    long = long_frame(survey_levels)
    before = long.clone()
    fi.grey_dematel(long)
    assert long.equals(before)


def test_factor_table_orders_and_names(tmp_path, survey_levels):
    table = pl.DataFrame(
        {"code": ["C3", "C1", "C2", "C4"], "name": ["c", "a", "b", "d"], "group": ["in", "out", "out", "in"]}
    )
    table.write_csv(tmp_path / "factors.csv")
    res = fi.grey_dematel(long_frame(survey_levels), factors=tmp_path / "factors.csv")
    assert res.factors["code"].to_list() == ["C3", "C1", "C2", "C4"]
    assert res.factors["group"].to_list() == ["in", "out", "out", "in"]
    ref = fi.grey_dematel(survey_levels)
    perm = [2, 0, 1, 3]
    npt.assert_allclose(res.T, ref.T[perm][:, perm], rtol=1e-13)
    with pytest.raises(SchemaError, match="in the table only: 'C9'"):
        fi.grey_dematel(long_frame(survey_levels), factors=["C1", "C2", "C3", "C4", "C9"])


def test_survey_errors_name_expert_and_cell(tmp_path, survey_levels):
    long = long_frame(survey_levels)
    bad = long.with_columns(
        pl.when((pl.col("expert") == "E2") & (pl.col("from") == "C1") & (pl.col("to") == "C3"))
        .then(7)
        .otherwise(pl.col("score"))
        .alias("score")
    )
    with pytest.raises(InputError, match=r"outside the scale 'paper'.*\('E2', 'C1 -> C3', 7\)"):
        fi.grey_dematel(bad)
    missing = long.filter(~((pl.col("expert") == "E3") & (pl.col("from") == "C2") & (pl.col("to") == "C4")))
    with pytest.raises(SchemaError, match=r"missing score.*\('E3', 'C2 -> C4'\)"):
        fi.grey_dematel(missing)
    dup = pl.concat([long, long.head(1)])
    with pytest.raises(SchemaError, match="duplicate"):
        fi.grey_dematel(dup)
    extra = pl.concat([long, pl.DataFrame({"expert": ["E1"], "from": ["C1"], "to": ["C9"], "score": [2]})])
    with pytest.raises(SchemaError, match="expert 'E2' scores no pair involving factor\\(s\\) 'C9'"):
        fi.grey_dematel(extra)
    with pytest.raises(SchemaError, match="lacks column"):
        fi.grey_dematel(long.drop("score"))
    d = tmp_path / "m"
    d.mkdir()
    pl.DataFrame({"factor": ["A", "B"], "A": [1, 2], "B": [2, 1]}).write_csv(d / "x1.csv")
    pl.DataFrame({"factor": ["A", "C"], "A": [1, 2], "C": [2, 1]}).write_csv(d / "x2.csv")
    with pytest.raises(SchemaError, match="expert 'x2' has factor set differing"):
        fi.grey_dematel(d)
    pl.DataFrame({"A": [1, 2, 3], "B": [2, 1, 1]}).write_csv(d / "x2.csv")
    with pytest.raises(SchemaError, match="not square"):
        fi.grey_dematel(d)
    with pytest.raises(SchemaError, match="does not exist"):
        fi.grey_dematel(tmp_path / "nope.csv")


def test_survey_diagonal_warning(survey_levels):
    long = long_frame(survey_levels)
    diag = pl.concat([long, pl.DataFrame({"expert": ["E1"], "from": ["C2"], "to": ["C2"], "score": [4]})])
    with pytest.warns(FastinnoWarning, match=r"self-influence.*\('E1', 'C2'\)"):
        res = fi.grey_dematel(diag)
    npt.assert_array_equal(res.T, fi.grey_dematel(long).T)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # a diagonal scored "N" (no influence) is fine
        ok = pl.concat([long, pl.DataFrame({"expert": ["E1"], "from": ["C2"], "to": ["C2"], "score": ["N"]})],
                       how="vertical_relaxed")
        fi.grey_dematel(ok.with_columns(pl.col("score").cast(pl.String)))


def test_example_survey_runs():
    from pathlib import Path

    d = Path(fi.__file__).parent / "data" / "survey"
    res = fi.grey_dematel(d / "survey_long.csv", factors=d / "factors.csv", expert_weights=d / "expert_weights.csv")
    assert res.factors.height == 12 and len(res.experts) == 6
    assert res.factors["name"][0] == "Degree of marketization"
    assert res.factors["group"].n_unique() == 2


def test_bundled_survey_is_a_copy_of_the_example():
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2] / "examples" / "survey"
    bundled = Path(fi.__file__).parent / "data" / "survey"
    if not repo.exists():  # pragma: no cover - installed package without the repository
        pytest.skip("examples/ not present")
    for name in ("survey_long.csv", "factors.csv", "expert_weights.csv", "README.md"):
        assert (repo / name).read_bytes() == (bundled / name).read_bytes(), name


def test_numeric_array_survey_checks():
    rng = np.random.default_rng(21)
    lv = random_levels(rng, 2, 4).astype(float) + 1
    bad = lv.copy()
    bad[1, 0, 2] = 6
    with pytest.raises(InputError, match=r"outside the scale 'paper'.*\('E2', 'C1 -> C3', 6\)"):
        fi.grey_dematel(bad)
    bad[1, 0, 2] = 2.5
    with pytest.raises(InputError, match=r"\('E2', 'C1 -> C3', 2.5\)"):
        fi.grey_dematel(bad)
    miss = lv.copy()
    miss[0, 3, 1] = np.nan
    with pytest.raises(SchemaError, match=r"missing score.*\('E1', 'C4 -> C2'\)"):
        fi.grey_dematel(miss)
    diag = lv.copy()
    diag[0, 1, 1] = 5
    with pytest.warns(FastinnoWarning, match=r"self-influence.*\('E1', 'C2'\)"):
        res = fi.grey_dematel(diag)
    npt.assert_array_equal(res.T, fi.grey_dematel(lv).T)
    nan_diag = lv.copy()
    nan_diag[:, 0, 0] = np.nan  # a blank diagonal is fine
    npt.assert_array_equal(fi.grey_dematel(nan_diag).T, fi.grey_dematel(lv).T)
    # object array (labels) and numeric array agree, also with a factor table reordering
    labels = np.array(PAPER_SCALE.labels, dtype=object)[lv.astype(int) - 1]
    a = fi.grey_dematel(lv, factors=["C2", "C1", "C4", "C3"])
    b = fi.grey_dematel(labels, factors=["C2", "C1", "C4", "C3"])
    npt.assert_array_equal(a.T, b.T)
    assert a.codes == ("C2", "C1", "C4", "C3")
    named = fi.grey_dematel(lv, factors=pl.DataFrame({"code": ["A", "B", "C", "D"]}))
    npt.assert_array_equal(named.T, fi.grey_dematel(lv).T)
    assert named.codes == ("A", "B", "C", "D")
    named_labels = fi.grey_dematel(labels, factors=["A", "B", "C", "D"])
    npt.assert_array_equal(named_labels.T, named.T)


def test_long_table_blank_expert_is_an_error(survey_levels):
    long = long_frame(survey_levels).with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(pl.lit(" ")).otherwise(pl.col("expert")).alias("expert")
    )
    with pytest.raises(SchemaError, match="empty expert/from/to in data row\\(s\\) 4"):
        fi.grey_dematel(long)


# ---------------------------------------------------------------------------------------------
# The papers' own long labels
# ---------------------------------------------------------------------------------------------


def test_paper_long_labels_are_accepted_in_any_case_and_spacing():
    rng = np.random.default_rng(5)
    lv = random_levels(rng, 3, 4)
    paper = np.array(["No Influence", "Very Low", "Low", "High", "Very High"], dtype=object)
    spaced = np.array(["no  influence", " very-low ", "LOW", "high", "VeryHigh"], dtype=object)
    ref = fi.grey_dematel(lv + 1)
    for labels in (paper, spaced):
        npt.assert_array_equal(fi.grey_dematel(labels[lv]).T, ref.T)
    # numbers keep working, also mixed with labels
    mixed = paper[lv].copy()
    mixed[0, 0, 1] = int(lv[0, 0, 1]) + 1
    npt.assert_array_equal(fi.grey_dematel(mixed).T, ref.T)


def test_paper_weight_labels_are_accepted():
    experts = ["E1", "E2", "E3", "E4", "E5"]
    long = fi.expert_weights(["Not Important", "Little Important", "Important", "Much Important", "Very Important"], experts)
    short = fi.expert_weights(["NI", "LI", "I", "MI", "VI"], experts)
    npt.assert_array_equal(long, short)
    npt.assert_array_equal(fi.expert_weights(["ni", "little  important", "i", "MUCH-IMPORTANT", "veryimportant"], experts), short)
    with pytest.raises(InputError, match=r"unknown weight label 'Quite Important'.*LI \(Less important\)"):
        fi.expert_weights(["Quite Important", "I", "I", "I", "I"], experts)


def test_unknown_or_ambiguous_labels_are_errors_not_guesses(tmp_path):
    rng = np.random.default_rng(6)
    lv = random_levels(rng, 2, 3)
    labels = np.array(PAPER_SCALE.labels, dtype=object)[lv]
    labels[1, 0, 2] = "Very"  # a prefix of two levels: no guess
    with pytest.raises(InputError, match=r"outside the scale 'paper'.*\('E2', 'C1 -> C3', 'Very'\).*VL \(Very low influence\)"):
        fi.grey_dematel(labels)
    toml = tmp_path / "scale.toml"
    toml.write_text(
        '[[levels]]\ncode = 0\nlabel = "L"\nname = "High"\nlower = 0\nupper = 0.5\n'
        '[[levels]]\ncode = 1\nlabel = "high"\nlower = 0.5\nupper = 1\n'
    )
    with pytest.raises(ConfigError, match="duplicate level labels|is ambiguous"):
        fi.linguistic_scale(toml)
    toml.write_text(
        '[[levels]]\ncode = 0\nlabel = "Lo"\nname = "Very High"\nlower = 0\nupper = 0.5\n'
        '[[levels]]\ncode = 1\nlabel = "VERY-HIGH"\nlower = 0.5\nupper = 1\n'
    )
    with pytest.raises(ConfigError, match=r"Scale .* is ambiguous: 'VERY-HIGH' \(level 'VERY-HIGH'\) is also 'Very High' \(level 'Lo'\)"):
        fi.linguistic_scale(toml)
    toml.write_text(
        '[[levels]]\ncode = 0\nlabel = "1"\nlower = 0\nupper = 0.5\n'
        '[[levels]]\ncode = 1\nlabel = "A"\nlower = 0.5\nupper = 1\n'
    )
    with pytest.raises(ConfigError, match=r"is ambiguous: '1' \(level '1'\) is also code 1"):
        fi.linguistic_scale(toml)
