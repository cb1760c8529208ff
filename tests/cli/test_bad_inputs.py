"""A catalogue of bad inputs through the command line.

Every case runs in its own folder holding the same set of files (good and bad panels, systems,
surveys, configs, earlier results) and must end with exit status 2, exactly one ``Error:`` line
that names the problem, no traceback, and no file created or changed in the folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
import socket
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from fastinno.cli import cli
from fastinno.data.datasets import data_path

SYSTEM = "[input]\nrd_staff = '+'\nenergy = '-'\n\n[output]\npatents = '+'\nsales = '+'\n"
REGIONS = ("Beijing", "Tianjin", "Hebei", "Shanxi", "Henan")
YEARS = (2013, 2014, 2015, 2016, 2017)
INDICATORS = ("rd_staff", "energy", "patents", "sales")
RUN_TOML = '[panel]\npath = "panel.csv"\nsystem = "system.toml"\n\n[ideal_solution]\n'


def _unused_local_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_files(folder: Path) -> None:
    """The files every case sees (``sub/`` and ``runfolder/`` are folders)."""
    rng = np.random.default_rng(0)
    rows = [{"region": r, "year": y, "indicator": i, "value": float(rng.uniform(1, 5))}
            for r in REGIONS for y in YEARS for i in INDICATORS]
    panel = pl.DataFrame(rows)
    panel.write_csv(folder / "panel.csv")
    panel.write_csv(folder / "panel.dat")
    panel.slice(1).write_csv(folder / "gap.csv")
    pl.concat([panel, panel.head(1)]).write_csv(folder / "dup.csv")
    panel.with_columns(pl.col("value").cast(pl.String)).with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(pl.lit("abc")).otherwise(pl.col("value")).alias("value")
    ).write_csv(folder / "text.csv")
    panel.rename({"region": "province", "year": "yr"}).write_csv(folder / "wrongcols.csv")
    (folder / "empty.csv").write_text("")
    (folder / "garbage.parquet").write_bytes(b"this is not parquet\n")
    (folder / "garbage.xlsx").write_bytes(b"this is not a workbook\n")
    (folder / "system.toml").write_text(SYSTEM)
    (folder / "system_broken.toml").write_text("[input\nrd_staff = \n")
    (folder / "system_other.toml").write_text("[d]\nfoo = '+'\nbar = '-'\n")
    (folder / "system_baddir.toml").write_text(SYSTEM.replace("energy = '-'", "energy = 'down'"))
    scores = pl.DataFrame({"region": [r for r in REGIONS for _ in YEARS], "year": [y for _ in REGIONS for y in YEARS],
                           "index": [0.1 + 0.05 * k for k in range(len(REGIONS) * len(YEARS))]})
    scores.write_csv(folder / "scores.csv")
    survey = data_path("survey")
    shutil.copy(survey / "survey_long.csv", folder / "survey.csv")
    shutil.copy(survey / "factors.csv", folder / "factors.csv")
    shutil.copy(survey / "expert_weights.csv", folder / "weights.csv")
    text = (survey / "survey_long.csv").read_text()
    (folder / "survey_wrongcols.csv").write_text(text.replace("expert,from,to,score", "who,a,b,grade", 1))
    (folder / "survey_badscore.csv").write_text(text.replace(",H\n", ",XX\n", 1))
    (folder / "factors_wrong.csv").write_text("id,label\nC1,x\n")
    (folder / "surveys").mkdir()
    (folder / "surveys" / "E1.csv").write_text(",C1,C2\nC1,0,1\nC2,2,0\n")
    (folder / "run.toml").write_text(RUN_TOML)
    (folder / "broken.toml").write_text("title = \n")
    (folder / "unknown_key.toml").write_text(RUN_TOML + "fromm = 'ratio2'\n")
    (folder / "wrong_type.toml").write_text("seed = 'abc'\n" + RUN_TOML)
    (folder / "no_panel.toml").write_text("title = 'x'\n[ideal_solution]\n")
    (folder / "bad_missing.toml").write_text(RUN_TOML.replace("[panel]\n", "[panel]\nmissing = 'sometimes'\n"))
    (folder / "config.yaml").write_text("panel: panel.csv\n")
    (folder / "existing.csv").write_text("an earlier result\n")
    (folder / "res_kendall_w.csv").write_text("an earlier result\n")
    (folder / "res_weights.csv").write_text("an earlier result\n")
    (folder / "dem").mkdir()
    (folder / "dem" / "dematel_factors.csv").write_text("an earlier result\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "notes.txt").write_text("a folder, not a file\n")
    (folder / "runfolder").mkdir()
    (folder / "runfolder" / "run.json").write_text("{}\n")
    (folder / "runfolder" / "report.html").write_text("<p>an earlier report</p>\n")


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file and folder under ``folder``: modification time and content hash."""
    out = {}
    for p in sorted(folder.rglob("*")):
        key = str(p.relative_to(folder))
        if p.is_dir():
            out[key + "/"] = (p.stat().st_mtime_ns, "")
        else:
            out[key] = (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
    return out


DOWN = f"tcp://127.0.0.1:{_unused_local_port()}"
needs_dask = pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None, reason="needs dask.distributed")

SIM = ["simulate", "panel.csv", "--system", "system.toml", "--draws", "64", "--seed", "1", "--no-progress"]
BOOT = ["bootstrap", "panel.csv", "--system", "system.toml", "--replicates", "64", "--seed", "1", "--no-progress"]
EVAL = ["evaluate", "panel.csv", "--system", "system.toml"]
COMB = ["combine", "panel.csv", "--system", "system.toml"]
DEM = ["dematel", "survey.csv", "--factors", "factors.csv"]
FC = ["forecast", "scores.csv"]
INVALID = r"Invalid value for '?{}'?"

# (id, arguments, regex the Error line must match)
CASES = [
    # --- panels: files -----------------------------------------------------------------------
    ("inspect-missing-file", ["inspect", "nothere.csv"], r"Panel file 'nothere.csv' does not exist"),
    ("inspect-empty-file", ["inspect", "empty.csv"], r"empty.csv.*(empty|no columns|no rows|no data)"),
    ("inspect-unknown-suffix", ["inspect", "panel.dat"], r"'\.dat' \('panel.dat'\)"),
    ("inspect-garbage-parquet", ["inspect", "garbage.parquet"], r"garbage.parquet"),
    ("inspect-garbage-xlsx", ["inspect", "garbage.xlsx"], r"garbage.xlsx"),
    ("inspect-folder-as-panel", ["inspect", "sub"], r"'sub'.*director"),
    ("inspect-wrong-columns", ["inspect", "wrongcols.csv"], r"(region|year|column)"),
    ("inspect-non-numeric-cell", ["inspect", "text.csv"], r"(numeric|'abc')"),
    ("inspect-duplicate-rows", ["inspect", "dup.csv"], r"[Dd]uplicate"),
    ("inspect-missing-cell-error-policy", ["inspect", "gap.csv", "--missing", "error"], r"[Mm]issing"),
    ("evaluate-missing-cell-no-policy", ["evaluate", "gap.csv", "--system", "system.toml"], r"[Mm]issing"),
    ("inspect-no-panel", ["inspect"], r"Missing argument 'PANEL'"),
    ("inspect-demo-and-panel", ["inspect", "panel.csv", "--demo"], r"either PANEL or --demo"),
    ("inspect-region-col-absent", ["inspect", "panel.csv", "--region-col", "province"], r"province"),
    # --- panels: options and systems -----------------------------------------------------------
    ("inspect-bad-missing-policy", ["inspect", "panel.csv", "--missing", "fill"], r"missing-value policy 'fill'"),
    ("inspect-bad-layout", ["inspect", "panel.csv", "--layout", "tall"], INVALID.format("--layout")),
    ("inspect-system-missing", ["inspect", "panel.csv", "--system", "nosys.toml"], r"nosys.toml"),
    ("inspect-system-broken-toml", ["inspect", "panel.csv", "--system", "system_broken.toml"],
     r"system_broken.toml.*(TOML|toml)"),
    ("inspect-system-other-indicators", ["inspect", "panel.csv", "--system", "system_other.toml"],
     r"(foo|bar|rd_staff|indicator)"),
    ("inspect-system-bad-direction", ["inspect", "panel.csv", "--system", "system_baddir.toml"], r"'down'"),
    # --- evaluate --------------------------------------------------------------------------------
    ("evaluate-bad-scope", [*EVAL, "--scope", "galaxy"], INVALID.format("--scope")),
    ("evaluate-bad-standardize", [*EVAL, "--standardize", "log"], INVALID.format("--standardize")),
    ("evaluate-bad-form", [*EVAL, "--form", "ratio3"], INVALID.format("--form")),
    ("evaluate-bad-constant", [*EVAL, "--constant", "ignore"], INVALID.format("--constant")),
    ("evaluate-bad-model", [*EVAL, "--model", "topsis"], INVALID.format("--model")),
    ("evaluate-top-0", [*EVAL, "--top", "0"], INVALID.format("--top")),
    ("evaluate-top-negative", [*EVAL, "--top", "-2"], INVALID.format("--top")),
    ("evaluate-non-numeric-cell", ["evaluate", "text.csv", "--system", "system.toml"], r"(numeric|'abc')"),
    ("evaluate-out-exists", [*EVAL, "--out", "existing.csv"], r"'existing.csv' already exists.*--force"),
    ("evaluate-out-is-panel", [*EVAL, "--out", "panel.csv", "--force"], r"'panel.csv': it is one of the inputs"),
    ("evaluate-out-unknown-suffix", [*EVAL, "--out", "scores.txt"], r"'scores.txt': unsupported file type '.txt'"),
    ("evaluate-out-parent-is-a-file", [*EVAL, "--out", "panel.csv/x.csv"], r"'panel.csv/x.csv'.*not a folder"),
    ("evaluate-out-is-a-folder", [*EVAL, "--out", "sub"], r"'sub'"),
    # --- compare, init, warmup -------------------------------------------------------------------
    ("compare-unknown-method", ["compare", "--demo", "--methods", "topsis,nope"], r"Unknown method 'nope'"),
    ("compare-one-configuration", ["compare", "--demo", "--methods", "topsis", "--weights", "equal"],
     r"at least 2 configurations"),
    ("init-non-empty-folder", ["init", "sub"], r"'sub' is not empty.*--force"),
    ("warmup-unknown-option", ["warmup", "--steps", "x"], r"No such option '--steps'"),
    # --- disparity and spatial ---------------------------------------------------------------------
    ("disparity-missing-column", ["disparity", "scores.csv", "--column", "nope"], r"no column 'nope'"),
    ("disparity-unknown-measure", ["disparity", "scores.csv", "--measures", "cv,atkinson"],
     r"Unknown measure 'atkinson'"),
    ("disparity-out-is-input", ["disparity", "scores.csv", "--out", "scores.csv"], r"'scores.csv': it is one of the inputs"),
    ("spatial-missing-neighbours", ["spatial", "scores.csv", "--neighbours", "nothere.geojson"],
     r"'nothere.geojson' does not exist"),
    ("spatial-neighbours-not-a-table", ["spatial", "scores.csv", "--neighbours", "empty.csv"], r"empty.csv"),
    # --- combine ---------------------------------------------------------------------------------
    ("combine-unknown-method", [*COMB, "--methods", "entropy,foo"], r"'foo'"),
    ("combine-no-method", [*COMB, "--methods", ","], r"method"),
    ("combine-alpha-0", [*COMB, "--alpha", "0"], r"alpha"),
    ("combine-alpha-1", [*COMB, "--alpha", "1"], r"alpha"),
    ("combine-alpha-negative", [*COMB, "--alpha", "-0.1"], r"alpha"),
    ("combine-alpha-text", [*COMB, "--alpha", "low"], INVALID.format("--alpha")),
    ("combine-rho-0", [*COMB, "--rho", "0"], r"rho"),
    ("combine-rho-above-1", [*COMB, "--rho", "1.5"], r"rho"),
    ("combine-bad-by", [*COMB, "--by", "decade"], INVALID.format("--by")),
    ("combine-bad-weights", [*COMB, "--weights", "magic"], INVALID.format("--weights")),
    ("combine-bad-spearman", [*COMB, "--spearman", "kendall"], INVALID.format("--spearman")),
    ("combine-bad-constant", [*COMB, "--constant", "ignore"], INVALID.format("--constant")),
    ("combine-top-0", [*COMB, "--top", "0"], INVALID.format("--top")),
    ("combine-companion-exists", [*COMB, "--out", "res.csv"], r"'res_kendall_w.csv' already exists"),
    # --- simulate --------------------------------------------------------------------------------
    ("simulate-draws-0", [*SIM, "--draws", "0"], r"draws"),
    ("simulate-draws-negative", [*SIM, "--draws", "-5"], r"draws"),
    ("simulate-draws-text", [*SIM, "--draws", "many"], INVALID.format("--draws")),
    ("simulate-seed-negative", [*SIM, "--seed", "-1"], r"seed"),
    ("simulate-concentration-0", [*SIM, "--concentration", "0"], r"concentration"),
    ("simulate-concentration-negative", [*SIM, "--concentration", "-3"], r"concentration"),
    ("simulate-spread-0", [*SIM, "--scheme", "uniform", "--spread", "0"], r"spread"),
    ("simulate-spread-1", [*SIM, "--scheme", "uniform", "--spread", "1"], r"spread"),
    ("simulate-spread-negative", [*SIM, "--scheme", "uniform", "--spread", "-0.2"], r"spread"),
    ("simulate-bad-scheme", [*SIM, "--scheme", "gaussian"], INVALID.format("--scheme")),
    ("simulate-bad-model", [*SIM, "--model", "ahp"], INVALID.format("--model")),
    ("simulate-bad-recombine", [*SIM, "--model", "combined", "--recombine", "never"], INVALID.format("--recombine")),
    ("simulate-recombine-without-combined", [*SIM, "--recombine", "drift"], r"--recombine applies to --model combined"),
    ("simulate-form-with-gra", [*SIM, "--model", "gra", "--form", "ratio2"], r"--form applies to the ideal-solution"),
    ("simulate-scope-with-combined", [*SIM, "--model", "combined", "--scope", "year"], r"--scope does not apply"),
    ("simulate-choice-no-equals", [*SIM, "--choice", "standardize"], r"NAME=A,B"),
    ("simulate-choice-no-values", [*SIM, "--choice", "standardize="], r"NAME=A,B"),
    ("simulate-choice-unknown-name", [*SIM, "--choice", "colour=red,blue"], r"colour"),
    ("simulate-choice-bad-value", [*SIM, "--choice", "standardize=max_ratio,log"], r"'log'"),
    ("simulate-top-k-text", [*SIM, "--top-k", "1,a"], r"--top-k must be comma-separated integers"),
    ("simulate-top-k-0", [*SIM, "--top-k", "0,3"], r"--top-k needs integers >= 1"),
    ("simulate-top-k-empty", [*SIM, "--top-k", ","], r"--top-k needs integers >= 1"),
    ("simulate-chunk-size-0", [*SIM, "--chunk-size", "0"], r"chunk.size"),
    ("simulate-quantile-memory-text", [*SIM, "--quantile-memory", "lots"], r"'lots'"),
    ("simulate-show-negative", [*SIM, "--show", "-1"], INVALID.format("--show")),
    ("simulate-out-unknown-suffix", [*SIM, "--out", "s.txt"], r"'s.txt': unsupported file type"),
    ("simulate-out-is-system", [*SIM, "--out", "system.toml"], r"'system.toml': unsupported file type"),
    ("simulate-out-exists", [*SIM, "--out", "existing.csv"], r"'existing.csv' already exists"),
    ("simulate-workers-0", [*SIM, "--workers", "0"], INVALID.format("--workers")),
    ("simulate-workers-negative", [*SIM, "--workers", "-3"], INVALID.format("--workers")),
    ("simulate-workers-text", [*SIM, "--workers", "two"], INVALID.format("--workers")),
    ("simulate-scheduler-not-an-address", [*SIM, "--scheduler", "not-an-address"],
     r"'not-an-address' is not a Dask scheduler address"),
    ("simulate-scheduler-no-port", [*SIM, "--scheduler", "tcp://127.0.0.1"], r"not a Dask scheduler address"),
    ("simulate-scheduler-and-workers", [*SIM, "--scheduler", "tcp://127.0.0.1:8786", "--workers", "2"],
     r"either --workers or --scheduler"),
    ("simulate-scheduler-timeout-0", [*SIM, "--scheduler", DOWN, "--scheduler-timeout", "0"],
     INVALID.format("--scheduler-timeout")),
    ("simulate-scheduler-timeout-alone", [*SIM, "--scheduler-timeout", "3"], r"--scheduler-timeout applies to --scheduler"),
    pytest.param("simulate-scheduler-down", [*SIM, "--scheduler", DOWN, "--scheduler-timeout", "1"],
                 r"Could not reach the Dask scheduler at tcp://127.0.0.1:\d+ within 1 s: is it running\?",
                 marks=needs_dask, id="simulate-scheduler-down"),
    # --- bootstrap -------------------------------------------------------------------------------
    ("bootstrap-replicates-0", [*BOOT, "--replicates", "0"], r"replicates"),
    ("bootstrap-bad-over", [*BOOT, "--over", "indicators"], INVALID.format("--over")),
    ("bootstrap-block-length-0", [*BOOT, "--over", "years", "--block-length", "0"], r"block.length"),
    ("bootstrap-block-length-without-years", [*BOOT, "--block-length", "2"], r"block.length"),
    ("bootstrap-block-length-too-long", [*BOOT, "--over", "years", "--block-length", "9"], r"block.length"),
    ("bootstrap-bad-weights", [*BOOT, "--weights", "critic"], INVALID.format("--weights")),
    ("bootstrap-model-not-supported", [*BOOT, "--model", "gra"], INVALID.format("--model")),
    ("bootstrap-seed-negative", [*BOOT, "--seed", "-7"], r"seed"),
    ("bootstrap-workers-0", [*BOOT, "--workers", "0"], INVALID.format("--workers")),
    ("bootstrap-scheduler-bad", [*BOOT, "--scheduler", "localhost"], r"not a Dask scheduler address"),
    ("bootstrap-companion-exists", [*BOOT, "--out", "res.csv"], r"'res_weights.csv' already exists"),
    # --- dematel ---------------------------------------------------------------------------------
    ("dematel-missing-survey", ["dematel", "nothere.csv"], r"'nothere.csv' does not exist"),
    ("dematel-no-survey", ["dematel"], r"Missing argument 'SURVEY'"),
    ("dematel-demo-and-survey", ["dematel", "survey.csv", "--demo"], r"either SURVEY or --demo"),
    ("dematel-empty-survey", ["dematel", "empty.csv"], r"empty.csv"),
    ("dematel-survey-wrong-columns", ["dematel", "survey_wrongcols.csv"], r"(expert|column)"),
    ("dematel-survey-bad-score", ["dematel", "survey_badscore.csv"], r"'XX'"),
    ("dematel-missing-factors", ["dematel", "survey.csv", "--factors", "nofactors.csv"], r"'nofactors.csv' does not exist"),
    ("dematel-factors-wrong-columns", ["dematel", "survey.csv", "--factors", "factors_wrong.csv"], r"(code|column)"),
    ("dematel-bad-scale", [*DEM, "--scale", "0-9"], r"'0-9'"),
    ("dematel-bad-threshold", [*DEM, "--threshold", "median"], r"'median'"),
    ("dematel-expert-weights-wrong-count", [*DEM, "--expert-weights", "1,2"], r"(expert|weight)"),
    ("dematel-expert-weights-bad-label", [*DEM, "--expert-weights", "VI,MI,MI,I,XX,I"], r"'XX'"),
    ("dematel-bad-normalization", [*DEM, "--normalization", "column"], INVALID.format("--normalization")),
    ("dematel-bad-aggregation", [*DEM, "--aggregation", "median"], INVALID.format("--aggregation")),
    ("dematel-bad-cfcs-scope", [*DEM, "--cfcs-scope", "local"], INVALID.format("--cfcs-scope")),
    ("dematel-replicates-negative", [*DEM, "--replicates", "-1"], r"Invalid value -1: .*>= 0"),
    ("dematel-seed-negative", [*DEM, "--replicates", "10", "--seed", "-1"], INVALID.format("--seed")),
    ("dematel-bad-format", [*DEM, "--out", "d2", "--format", "txt"], INVALID.format("--format")),
    ("dematel-out-is-a-file", [*DEM, "--out", "panel.csv"], r"'panel.csv'.*file"),
    ("dematel-out-exists", [*DEM, "--out", "dem"], r"'dem/dematel_factors.csv' already exists"),
    ("dematel-out-in-survey-folder", ["dematel", "surveys", "--out", "surveys"], r"inside the input folder 'surveys'"),
    ("dematel-plot-unknown-suffix", [*DEM, "--plot", "ce.csv"], r"'ce.csv': unsupported file type"),
    ("dematel-plot-exists", [*DEM, "--plot", "existing.csv"], r"'existing.csv': unsupported file type"),
    # --- forecast --------------------------------------------------------------------------------
    ("forecast-missing-scores", ["forecast", "nothere.csv"], r"'nothere.csv' does not exist"),
    ("forecast-empty-scores", ["forecast", "empty.csv"], r"empty.csv"),
    ("forecast-horizon-negative", [*FC, "--horizon", "-1"], INVALID.format("--horizon")),
    ("forecast-unknown-column", [*FC, "--column", "score"], r"'score'"),
    ("forecast-unknown-group", [*FC, "--by", "province"], r"'province'"),
    ("forecast-out-exists", [*FC, "--out", "existing.csv"], r"'existing.csv' already exists"),
    ("forecast-out-is-input", [*FC, "--out", "scores.csv"], r"'scores.csv': it is one of the inputs"),
    ("forecast-out-unknown-suffix", [*FC, "--out", "f.txt"], r"'f.txt': unsupported file type"),
    ("forecast-plot-unknown-suffix", [*FC, "--plot", "f.csv"], r"'f.csv'"),
    # --- run, demo, report -----------------------------------------------------------------------
    ("run-missing-config", ["run", "nothere.toml"], r"nothere.toml"),
    ("run-broken-toml", ["run", "broken.toml"], r"broken.toml is not valid TOML"),
    ("run-unknown-key", ["run", "unknown_key.toml"], r"Unknown key 'fromm'"),
    ("run-wrong-type", ["run", "wrong_type.toml"], r"'seed'.*'abc'"),
    ("run-no-panel-section", ["run", "no_panel.toml"], r"no \[panel\] section"),
    ("run-bad-missing-policy", ["run", "bad_missing.toml"], r"'missing' in \[panel\].*'sometimes'"),
    ("run-config-not-toml", ["run", "config.yaml"], r"config.yaml"),
    ("run-bad-figures", ["run", "run.toml", "--figures", "jpeg"], r"use png, svg or png,svg; got 'jpeg'"),
    ("run-out-exists", ["run", "run.toml", "--out", "sub"], r"'.*sub' already exists.*--force"),
    ("run-out-is-a-file", ["run", "run.toml", "--out", "existing.csv", "--force"], r"'existing.csv' is a file"),
    ("run-out-holds-the-panel", ["run", "run.toml", "--out", ".", "--force"], r"holds the (config|panel) input"),
    ("demo-out-exists", ["demo", "--out", "sub"], r"'.*sub' already exists.*--force"),
    ("report-missing-folder", ["report", "norun"], r"'norun' does not exist"),
    ("report-not-a-run-folder", ["report", "sub"], r"no run.json"),
    ("report-exists", ["report", "runfolder"], r"report.html' already exists.*--force"),
]


def _param(case):
    return case if hasattr(case, "marks") else pytest.param(*case, id=case[0])


@pytest.mark.parametrize(("case", "args", "pattern"), [_param(c) for c in CASES])
def test_bad_input(case, args, pattern, tmp_path, monkeypatch):  # noqa: ARG001
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FASTINNO_JIT_WARMUP", "0")
    make_files(tmp_path)
    before = snapshot(tmp_path)
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    errors = [ln for ln in r.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, r.output
    assert re.search(pattern, errors[0]), errors[0]
    assert snapshot(tmp_path) == before


def test_the_catalogue_covers_every_command_and_is_large():
    commands = {(c.values if hasattr(c, "marks") else c)[1][0] for c in CASES}
    assert commands == set(cli.commands)
    assert len(CASES) >= 80
