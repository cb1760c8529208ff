"""The main job: config validation, every expected file, run.json round trip, atomic
output folders, CLI run/demo/report."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest
from _mainjob import EXPECTED_FIGURES, EXPECTED_TABLES, small_config
from click.testing import CliRunner
from polars.testing import assert_frame_equal

import fastinno
from fastinno import main_job
from fastinno.cli import cli
from fastinno.errors import ConfigError, FastinnoError, InputError
from fastinno.main_job.warmup import next_step, warm_marker

# the small panel triggers two documented warnings (equal drifts, GM(1,1) class-ratio test); the
# pipeline records them in run.json instead of letting them escape


@pytest.fixture(autouse=True)
def _no_warmup_helper(monkeypatch):
    """Most tests run without the JIT warm-up helper process (tests that need it ask for it)."""
    monkeypatch.setenv("FASTINNO_JIT_WARMUP", "0")


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mainjob")
    cfg = small_config(folder)
    result = fastinno.run(cfg, out=folder / "out", excel=True, csv=True, progress=False)
    return folder, cfg, result


# ------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------


def test_run_writes_every_expected_file(small_run):
    folder, _cfg, res = small_run
    out = res.out
    assert out == (folder / "out").resolve()
    assert (out / "run.json").is_file()
    assert (out / "report.html").is_file()
    for name in EXPECTED_TABLES:
        for ext in ("csv", "parquet"):
            p = out / "tables" / f"{name}.{ext}"
            assert p.is_file(), p
        assert pl.read_parquet(out / "tables" / f"{name}.parquet").height > 0, name
    for name in EXPECTED_FIGURES:
        assert (out / "figures" / f"{name}.png").is_file(), name
    # one xlsx, one sheet per table
    import fastexcel

    sheets = fastexcel.read_excel(str(out / "tables.xlsx")).sheet_names
    assert sorted(sheets) == sorted(n[:31] for n in res.info["tables"])
    # every table listed in run.json is on disk and nothing else is
    on_disk = {p.stem for p in (out / "tables").glob("*.parquet")}
    assert on_disk == set(res.info["tables"])
    # no temporary folders or files left beside the target or inside it
    assert not [p for p in folder.iterdir() if p.name.startswith(".out.")]
    assert not [p for p in out.rglob(".*")]


def test_tables_match_the_step_results(small_run):
    _folder, _cfg, res = small_run
    scores = res.results["ideal_solution"].scores
    assert_frame_equal(res.tables["index_scores"], scores)
    assert_frame_equal(pl.read_csv(res.out / "tables" / "index_scores.csv"), scores,
                       check_dtypes=False)
    fc = res.tables["forecast"]
    assert fc.columns == ["column", "region", "year", "observed", "fitted", "forecast"]
    # every region: observed years fitted, then `horizon` forecast years
    for _region, g in fc.group_by("region"):
        assert g["forecast"].drop_nulls().len() == 2
        assert g["observed"].drop_nulls().len() == 6
        assert g["fitted"].drop_nulls().len() == 6
    assert set(res.tables["forecast_fit"]["grade"].unique()) <= {
        "good", "qualified", "barely", "unqualified"}


def test_run_json_records_what_is_needed_to_reproduce(small_run):
    folder, cfg, res = small_run
    info = json.loads((res.out / "run.json").read_text())
    assert info["seed"] == 11
    assert info["fastinno_version"] == fastinno.__version__
    for pkg in ("python", "numpy", "numba", "polars", "scipy", "matplotlib"):
        assert pkg in info["versions"]
    # input hashes
    by_role = {i["role"]: i for i in info["inputs"]}
    panel_file = Path(cfg["panel"]["path"])
    assert by_role["panel"]["sha256"] == hashlib.sha256(panel_file.read_bytes()).hexdigest()
    assert by_role["system"]["path"] == str(Path(cfg["panel"]["system"]).resolve())
    assert "dematel.survey" in by_role and "dematel.factors" in by_role
    # timings for every step and the total; one entry per step with its exact options
    steps = {s["step"]: s for s in info["steps"]}
    assert list(steps) == ["panel", "ideal_solution", "combined", "simulate", "bootstrap",
                           "forecast", "dematel"]
    assert all(s["status"] == "ok" for s in steps.values())
    for name in ("panel", "ideal_solution", "combined", "simulate", "bootstrap", "forecast",
                 "dematel", "report", "total"):
        assert info["timings"][name] >= 0
    sim = steps["simulate"]["options"]
    assert sim["draws"] == 128 and sim["seed"] == 11 and sim["concentration"] == 50
    assert sim["model_options"] == {"scope": "panel"}  # the ideal-solution options
    assert steps["forecast"]["options"]["horizon"] == 2
    boot = steps["bootstrap"]["options"]
    assert boot["replicates"] == 64 and boot["seed"] == 11 and boot["over"] == "regions"
    # documented warnings are recorded with their step
    assert any("class-ratio" in w for w in steps["forecast"]["warnings"])
    assert sorted(info["figures"]) == sorted(f"figures/{n}.png" for n in EXPECTED_FIGURES)


def test_run_json_round_trips(small_run, tmp_path):
    _folder, _cfg, res = small_run
    info = json.loads((res.out / "run.json").read_text())
    # the stored config validates to the same normalised config ...
    again = main_job.validate_config(info["config"])
    assert main_job.config_as_toml_tables(again) == info["config"]
    # ... and reproduces the run: identical tables, also when the JIT warm-up helper process
    # compiles later steps meanwhile (and the steps may run in another order)
    res2 = fastinno.run(info["config"], out=tmp_path / "again", progress=False, jit_warmup=True)
    assert res2.info["jit_warmup"] is True
    assert res2.info["tables"] == info["tables"]
    for name in info["tables"]:
        assert_frame_equal(res2.tables[name], res.tables[name])
    info2 = json.loads((res2.out / "run.json").read_text())
    assert info2["config"]["seed"] == info["config"]["seed"]
    assert info2["inputs"][0]["sha256"] == info["inputs"][0]["sha256"]


# ------------------------------------------------------------------------------------------
# output folder safety
# ------------------------------------------------------------------------------------------


def test_existing_output_folder_is_refused_without_force(small_run, tmp_path):
    _folder, cfg, _res = small_run
    target = tmp_path / "taken"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match=r"already exists.*--force"):
        fastinno.run(cfg, out=target, progress=False)
    assert (target / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_force_replaces_the_folder_atomically(small_run, tmp_path):
    _folder, cfg, _res = small_run
    target = tmp_path / "replace"
    target.mkdir()
    (target / "old.txt").write_text("old")
    cfg = {k: cfg[k] for k in ("title", "seed", "panel", "ideal_solution")}
    cfg["simulate"] = {"draws": 64}
    res = fastinno.run(cfg, out=target, force=True, progress=False)
    assert not (target / "old.txt").exists()
    assert (target / "report.html").is_file()
    assert res.info["steps"][2]["options"]["draws"] == 64
    assert sorted(p.name for p in tmp_path.iterdir()) == ["replace"]


def test_failed_run_leaves_nothing_behind(small_run, tmp_path):
    _folder, cfg, _res = small_run
    cfg = {**cfg, "forecast": {"horizon": 2, "columns": ["no_such_index"]}}
    with pytest.raises(ConfigError, match="'no_such_index'"):
        fastinno.run(cfg, out=tmp_path / "never", progress=False)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------------
# config validation
# ------------------------------------------------------------------------------------------


def _base(tmp_path):
    return small_config(tmp_path)


@pytest.mark.parametrize(
    ("patch", "pattern"),
    [
        ({"sed": 1}, r"Unknown key 'sed' in the top level.*Did you mean 'seed'"),
        ({"ideal_solution": {"scop": "panel"}},
         r"Unknown key 'scop' in \[ideal_solution\].*Did you mean 'scope'"),
        ({"simulate": {"drwas": 10}}, r"Unknown key 'drwas' in \[simulate\]"),
        ({"combined": {"method": ["entropy"]}}, r"Unknown key 'method' in \[combined\]"),
        ({"figures": {"fromat": "svg"}}, r"Unknown key 'fromat' in \[figures\]"),
        ({"output": {"xlsx": True}}, r"Unknown key 'xlsx' in \[output\]"),
        ({"seed": -3}, r"'seed'.*non-negative.*-3"),
        ({"seed": "abc"}, r"'seed'.*non-negative integer.*'abc'"),
        ({"figures": {"format": "jpeg"}}, r"'format' in \[figures\].*'jpeg'"),
        ({"forecast": {"horizon": 0}}, r"'horizon' in \[forecast\].*must lie in 1\.\.\."),
        ({"forecast": {"column": "index"}}, r"'column' in \[forecast\].*set by the pipeline"),
        ({"output": {"excel": "yes"}}, r"'excel' in \[output\].*true or false"),
    ],
)
def test_bad_config_key_names_the_key(tmp_path, patch, pattern):
    cfg = _base(tmp_path)
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(cfg.get(k), dict):
            cfg[k] = {**cfg[k], **v}
        else:
            cfg[k] = v
    with pytest.raises(ConfigError, match=pattern):
        main_job.validate_config(cfg)


def test_bad_panel_sections(tmp_path):
    cfg = _base(tmp_path)
    with pytest.raises(ConfigError, match=r"Unknown key 'pth' in \[panel\].*Did you mean 'path'"):
        main_job.validate_config({**cfg, "panel": {"pth": "x.csv"}})
    with pytest.raises(ConfigError, match="exactly one of 'path'"):
        main_job.validate_config({**cfg, "panel": {"path": "x.csv", "dataset": "six_triangles"}})
    with pytest.raises(ConfigError, match="no \\[panel\\] section"):
        main_job.validate_config({k: v for k, v in cfg.items() if k != "panel"})
    with pytest.raises(ConfigError, match=r"'missing' in \[panel\].*'sometimes'"):
        main_job.validate_config({**cfg, "panel": {**cfg["panel"], "missing": "sometimes"}})
    with pytest.raises(ConfigError, match=r"'dataset'.*'nine_squares'"):
        main_job.validate_config({**cfg, "panel": {"dataset": "nine_squares"}})


def test_forecast_needs_its_source_step(tmp_path):
    cfg = _base(tmp_path)
    del cfg["ideal_solution"]
    with pytest.raises(ConfigError, match=r"\[forecast\].*\[ideal_solution\].*not in the config"):
        main_job.validate_config(cfg)


def test_toml_config_relative_paths_and_errors(tmp_path):
    cfg = _base(tmp_path)
    text = """
title = "From TOML"
seed = 3
out = "results"

[panel]
path = "panel.csv"
system = "system.toml"

[ideal_solution]
form = "closeness"

[figures]
format = ["png", "svg"]
"""
    (tmp_path / "run.toml").write_text(text)
    loaded = main_job.load_config(tmp_path / "run.toml")
    assert loaded["panel"]["path"] == str((tmp_path / "panel.csv").resolve())
    assert loaded["out"] == str((tmp_path / "results").resolve())
    assert loaded["figures"]["format"] == ["png", "svg"]
    assert cfg  # the small panel files exist in tmp_path
    (tmp_path / "bad.toml").write_text(text.replace("form =", "fromm ="))
    with pytest.raises(ConfigError, match=r"Unknown key 'fromm' in \[ideal_solution\] of bad.toml"):
        main_job.load_config(tmp_path / "bad.toml")
    (tmp_path / "broken.toml").write_text("title = ")
    with pytest.raises(ConfigError, match="broken.toml is not valid TOML"):
        main_job.load_config(tmp_path / "broken.toml")
    with pytest.raises(ConfigError, match="does not exist"):
        main_job.load_config(tmp_path / "missing.toml")


def test_config_errors_are_value_errors():
    assert issubclass(ConfigError, FastinnoError) and issubclass(ConfigError, ValueError)


def test_steps_not_run_are_never_silent_in_the_report(small_run, tmp_path):
    # a run folder whose run.json records a step as not run (status "unavailable", as older
    # versions wrote when an API was missing) says so in the re-rendered report
    import shutil

    from fastinno.main_job.provenance import write_run_info
    from fastinno.report import read_run_info, render_report

    _folder, _cfg, res = small_run
    copy = tmp_path / "copy"
    shutil.copytree(res.out, copy)
    info = read_run_info(copy)
    step = next(s for s in info["steps"] if s["step"] == "dematel")
    step.update(status="unavailable", tables=[],
                detail="UNAVAILABLE: this installation has no fastinno.grey_dematel; step not run")
    info["tables"] = [t for t in info["tables"] if not t.startswith("dematel_")]
    write_run_info(copy, info)
    render_report(copy)
    assert "Steps not run" in (copy / "report.html").read_text()


def test_skip_unavailable_is_accepted_and_warns(small_run, tmp_path):
    _folder, cfg, _res = small_run
    cfg = {k: v for k, v in cfg.items() if k not in ("simulate", "bootstrap", "combined")}
    lines: list[str] = []
    with pytest.warns(FutureWarning, match="skip_unavailable=.*does nothing"):
        res = fastinno.run(cfg, out=tmp_path / "b", progress=True, echo=lines.append,
                           skip_unavailable=True)
    assert not any("UNAVAILABLE" in ln for ln in lines)
    assert all(s["status"] == "ok" for s in res.info["steps"])


def test_step_registry_is_the_one_list_of_steps():
    from fastinno.report import DEFAULT_PARTS

    names = [s.name for s in main_job.STEPS]
    assert names == ["ideal_solution", "combined", "compare", "simulate", "bootstrap", "forecast", "dematel",
                     "disparity"]
    assert tuple(s.report for s in main_job.STEPS) == DEFAULT_PARTS
    assert [s.api_name for s in main_job.STEPS] == [
        "fastinno.hew_topsis", "fastinno.combined_evaluation", "fastinno.compare_methods", "fastinno.simulate",
        "fastinno.bootstrap", "fastinno.forecast", "fastinno.grey_dematel", "fastinno.disparity"]
    for s in main_job.STEPS:
        assert getattr(fastinno, s.api.__name__) is s.api


def test_old_pipeline_module_still_works():
    from fastinno import pipeline

    assert pipeline.run is main_job.run and pipeline.validate_config is main_job.validate_config
    assert fastinno.run is main_job.run


def test_step_lines_and_timing(small_run, tmp_path):
    _folder, cfg, _res = small_run
    cfg = {k: v for k, v in cfg.items()
           if k not in ("simulate", "bootstrap", "combined", "dematel")}
    lines: list[str] = []
    fastinno.run(cfg, out=tmp_path / "o", echo=lines.append)
    steps = [ln for ln in lines if ln.startswith("[")]
    assert [ln.split()[1] for ln in steps] == ["panel", "ideal_solution", "forecast", "report"]
    assert all(" s " in ln or ln.rstrip().endswith(" s") for ln in steps)
    assert steps[0].startswith("[1/4] panel")


# ------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------


def _toml(cfg: dict) -> str:
    out = [f'title = "{cfg["title"]}"', f"seed = {cfg['seed']}"]
    for sec in ("panel", "ideal_solution", "forecast"):
        out.append(f"[{sec}]")
        for k, v in cfg[sec].items():
            out.append(f"{k} = {json.dumps(v)}")
    return "\n".join(out) + "\n"


def test_cli_run_and_report(small_run, tmp_path):
    _folder, cfg, _res = small_run
    conf = tmp_path / "c.toml"
    conf.write_text(_toml(cfg))
    runner = CliRunner()
    r = runner.invoke(cli, ["run", str(conf), "--out", str(tmp_path / "o"), "--figures", "svg",
                            "--quiet"])
    assert r.exit_code == 0, r.output
    assert f"Report: {(tmp_path / 'o' / 'report.html').resolve()}" in r.output
    assert (tmp_path / "o" / "figures" / "index_trajectories.svg").is_file()
    assert not (tmp_path / "o" / "figures" / "index_trajectories.png").exists()
    info = json.loads((tmp_path / "o" / "run.json").read_text())
    assert info["command"].startswith("fastinno ")
    assert info["inputs"][0]["role"] == "config"
    # Parquet tables only by default; --csv adds CSV copies, --copy-inputs the inputs
    assert list((tmp_path / "o" / "tables").glob("*.parquet")) and not list((tmp_path / "o" / "tables").glob("*.csv"))
    assert not (tmp_path / "o" / "inputs").exists()
    r = runner.invoke(cli, ["run", str(conf), "--out", str(tmp_path / "o2"), "--figures", "svg", "--quiet",
                            "--csv", "--copy-inputs"])
    assert r.exit_code == 0, r.output
    parquet = sorted(p.stem for p in (tmp_path / "o2" / "tables").glob("*.parquet"))
    assert parquet and sorted(p.stem for p in (tmp_path / "o2" / "tables").glob("*.csv")) == parquet
    assert (tmp_path / "o2" / "inputs" / "config" / "c.toml").is_file()
    # again without --force: one error line, exit 2
    r = runner.invoke(cli, ["run", str(conf), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "Error:" in r.output and "--force" in r.output and "Traceback" not in r.output
    # re-render the report from the saved tables: its figures are there, so only with --force
    (tmp_path / "o" / "report.html").unlink()
    r = runner.invoke(cli, ["report", str(tmp_path / "o")])
    assert r.exit_code == 2 and "already exists" in r.output and "--force" in r.output
    assert not (tmp_path / "o" / "report.html").exists()
    r = runner.invoke(cli, ["report", str(tmp_path / "o"), "--force"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / "report.html").is_file()


def test_cli_bad_key_is_one_error_line(small_run, tmp_path):
    _folder, cfg, _res = small_run
    conf = tmp_path / "c.toml"
    conf.write_text(_toml(cfg).replace("horizon", "horizn"))
    r = CliRunner().invoke(cli, ["run", str(conf), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "Error: Unknown key 'horizn' in [forecast] of c.toml" in r.output
    assert "Traceback" not in r.output
    assert not (tmp_path / "o").exists()


def test_demo_config_is_valid_and_complete():
    cfg = main_job.load_config(main_job.demo_config_path())
    assert set(cfg["steps"]) == {"ideal_solution", "combined", "simulate", "forecast", "dematel"}
    assert cfg["steps"]["simulate"]["options"]["draws"] == 2000
    assert cfg["steps"]["forecast"]["options"]["horizon"] == 3
    assert cfg["panel"]["dataset"] == "six_triangles"
    assert Path(cfg["steps"]["dematel"]["options"]["survey"]).is_file()


def test_next_step_runs_around_a_step_the_helper_is_compiling():
    class Busy:
        def __init__(self, busy):
            self._busy = set(busy)

        def busy(self, step):
            return step in self._busy

    cfg = {"steps": {"ideal_solution": {}, "combined": {}, "simulate": {},
                     "forecast": {"source": "ideal_solution"}, "dematel": {}}}
    pending = ["combined", "simulate", "forecast", "dematel"]
    nxt = next_step
    assert nxt(pending, cfg, {"ideal_solution"}, None) == "combined"
    assert nxt(pending, cfg, {"ideal_solution"}, Busy({"combined"})) == "simulate"
    # forecast waits for its source scores
    assert nxt(["forecast", "dematel"], cfg, set(), Busy(set())) == "dematel"
    # everything left is being compiled by the helper: take the first and wait for it
    assert nxt(["combined"], cfg, {"ideal_solution"}, Busy({"combined"})) == "combined"


def test_step_numbers_follow_the_config_whatever_the_execution_order(tmp_path):
    # while the warm-up helper compiles a step, the run takes another one first: the step keeps
    # its config number in the progress lines, so cold and warm runs number the steps alike
    class Helper:
        def busy(self, step):
            return step == "combined"

        def before(self, step):
            return None

    cfg = main_job.validate_config({k: v for k, v in small_config(tmp_path).items()
                                    if k not in ("bootstrap", "dematel")})
    lines = []
    from fastinno.main_job.run import run_into

    folder = tmp_path / "o"
    folder.mkdir()
    run_into(folder, cfg, echo=lines.append, progress=False, command=None, t_start=0.0,
             warmer=Helper())
    steps = [ln.split()[:2] for ln in lines if ln.startswith("[")]
    order = [name for _, name in steps]
    assert order.index("simulate") < order.index("combined")  # combined ran later ...
    n = len(cfg["steps"]) + 2
    want = {"panel": 1, **{s: k for k, s in enumerate(cfg["steps"], 2)}, "report": n}
    assert {name: num for num, name in steps} == {name: f"[{k}/{n}]" for name, k in want.items()}


def test_cli_demo(tmp_path, monkeypatch):
    monkeypatch.delenv("FASTINNO_JIT_WARMUP")  # the README's first command, as users run it
    monkeypatch.delenv("FASTINNO_FIGURE_WORKER", raising=False)
    r = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "demo"), "--quiet"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "demo"
    assert f"Report: {(out / 'report.html').resolve()}" in r.output
    info = json.loads((out / "run.json").read_text())
    assert [s["status"] for s in info["steps"]] == ["ok"] * 6
    assert [s["step"] for s in info["steps"]] == ["panel", "ideal_solution", "combined",
                                                  "simulate", "forecast", "dematel"]
    assert len(info["panel"]["regions"]) == 15
    assert {"index_scores", "combined_scores", "simulate_summary", "forecast",
            "dematel_factors"} <= set(info["tables"])
    fc = pl.read_parquet(out / "tables" / "forecast.parquet")
    assert fc.filter(pl.col("forecast").is_not_null())["region"].n_unique() == 15


def test_warm_up_helper_only_on_a_cold_start(small_run, tmp_path, monkeypatch):
    _folder, cfg, res = small_run
    steps = [s["step"] for s in res.info["steps"][1:]]
    marker = warm_marker(steps)
    if marker is None:
        pytest.skip("numba's cache folder for fastinno's kernels cannot be located here")
    assert marker.exists()  # the module's run cached these steps' kernels
    monkeypatch.delenv("FASTINNO_JIT_WARMUP")
    again = fastinno.run(cfg, out=tmp_path / "warm", progress=False)
    assert again.info["jit_warmup"] is False
    assert warm_marker([*steps, "bootstrap_extra"]) != marker


# ------------------------------------------------------------------------------------------
# output size: Parquet by default, CSV and input copies on request
# ------------------------------------------------------------------------------------------


def test_default_output_is_parquet_only_with_inputs_by_hash(small_run, tmp_path):
    from fastinno.report import render_report

    _folder, cfg, _res = small_run
    cfg = {k: cfg[k] for k in ("title", "seed", "panel", "ideal_solution", "bootstrap")}
    res = fastinno.run(cfg, out=tmp_path / "p", progress=False)
    tables = res.out / "tables"
    assert sorted(p.suffix for p in tables.iterdir()) == [".parquet"] * len(res.info["tables"])
    assert "panel" not in res.info["tables"] and not (res.out / "inputs").exists()
    assert res.info["output"]["table_formats"] == ["parquet"]
    panel = next(i for i in res.info["inputs"] if i["role"] == "panel")
    assert panel["sha256"] == hashlib.sha256(Path(cfg["panel"]["path"]).read_bytes()).hexdigest()
    html = (res.out / "report.html").read_text()
    assert 'href="tables/index_scores.parquet"' in html and "tables/index_scores.csv" not in html
    # the bootstrap evaluates the headline index's model: its options and weights
    boot = next(s for s in res.info["steps"] if s["step"] == "bootstrap")
    assert boot["options"]["model_options"] == {"scope": "panel", "weights": "equal-hierarchical"}
    assert "weights: hierarchical equal weights (the headline index" in html
    # `fastinno report DIR` re-reads the tables from CSV when a folder has only CSV
    for p in tables.glob("*.parquet"):
        pl.read_parquet(p).write_csv(p.with_suffix(".csv"))
        p.unlink()
    render_report(res.out)
    assert 'href="tables/index_scores.csv"' in (res.out / "report.html").read_text()


def test_csv_and_input_copies_on_request(small_run, tmp_path):
    _folder, cfg, _res = small_run
    cfg = {k: cfg[k] for k in ("title", "seed", "panel", "ideal_solution", "dematel")}
    cfg["output"] = {"csv": True, "copy_inputs": True}
    res = fastinno.run(cfg, out=tmp_path / "c", progress=False)
    tables = res.out / "tables"
    for name in res.info["tables"]:
        assert (tables / f"{name}.csv").is_file() and (tables / f"{name}.parquet").is_file()
    assert "panel" in res.info["tables"]
    for item in res.info["inputs"]:
        copy = res.out / item["copy"]
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == item["sha256"]
    html = (res.out / "report.html").read_text()
    # bundled inputs are shown relative to the package data, not as site-packages paths
    assert "&lt;fastinno data&gt;/survey/survey_long.csv" in html
    assert str(Path(fastinno.__file__).parent) not in html.split('id="reproducibility"')[0]
    # timings of the report and the whole run are on the page
    assert "<td class=\"txt\">report</td>" in html and "<td class=\"txt\">total</td>" in html
    res2 = fastinno.run(cfg, out=tmp_path / "d", progress=False, csv=False, copy_inputs=False)
    assert not list((res2.out / "tables").glob("*.csv")) and not (res2.out / "inputs").exists()
    with pytest.raises(ConfigError, match=r"'csv' in \[output\].*true or false"):
        main_job.validate_config({**cfg, "output": {"csv": "yes"}})


def test_config_forecast_horizon_is_checked_when_read(small_run):
    from fastinno import _config
    from fastinno.errors import ConfigError

    _folder, cfg, _res = small_run
    bad = {**cfg, "forecast": {**cfg.get("forecast", {}), "horizon": _config.FORECAST_MAX_HORIZON + 1}}
    with pytest.raises(ConfigError, match=rf"'horizon' in \[forecast\].*must lie in 1\.\.\.{_config.FORECAST_MAX_HORIZON}"):
        fastinno.main_job.load_config(bad)
