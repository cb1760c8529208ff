"""The main job's [compare] step: config checks, tables, figure and report section."""

from __future__ import annotations

import numpy.testing as npt
import polars as pl
import pytest
from _mainjob import write_small_panel

import fastinno
from fastinno.errors import ConfigError
from fastinno.main_job.config import validate_config
from fastinno.methods import registry as reg


@pytest.fixture(autouse=True)
def _no_warmup(monkeypatch):
    monkeypatch.setenv("FASTINNO_JIT_WARMUP", "0")


def _config(folder, **compare):
    panel, system = write_small_panel(folder)
    return {"title": "compare", "seed": 1, "panel": {"path": str(panel), "system": str(system)},
            "compare": compare, "figures": {"dpi": 50}}


@pytest.fixture(scope="module")
def compare_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    cfg = _config(folder, methods=["topsis", "gra"], weights=["equal", "entropy"], normalize=["own", "minmax"],
                  correlations=["spearman", "kendall"])
    return fastinno.run(cfg, out=folder / "out", progress=False)


def test_compare_step_writes_tables_figure_and_report(compare_run):
    res = compare_run
    out = res.out
    for name in ("scores", "correlation", "agreement", "reversals", "stability"):
        assert pl.read_parquet(out / "tables" / f"compare_{name}.parquet").height > 0, name
    assert (out / "figures" / "compare_methods.png").is_file()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="compare"' in html and "Method comparison" in html
    assert "Order reversals" in html and "Kendall" in html
    step = next(s for s in res.info["steps"] if s["step"] == "compare")
    assert step["status"] == "ok" and step["options"]["normalize"] == [None, "minmax"]


def test_compare_step_tables_equal_the_api(compare_run):
    res = compare_run
    pcfg = res.info["config"]["panel"]
    api = fastinno.compare_methods(
        fastinno.read_panel(pcfg["path"], pcfg["system"]), methods=["topsis", "gra"], weights=["equal", "entropy"], normalize=[None, "minmax"],
        correlations=["spearman", "kendall"])
    got = pl.read_parquet(res.out / "tables" / "compare_agreement.parquet")
    npt.assert_allclose(got["kendall_w"].to_numpy(), api.agreement["kendall_w"].to_numpy(), rtol=1e-12)
    assert res.results["compare"].configs == api.configs


@pytest.mark.parametrize("compare,pattern", [
    ({"methods": ["topsys"]}, "Unknown method 'topsys'"),
    ({"weights": "entropy", "normalize": "sigmoid"}, "normalize"),
    ({"by": "region"}, "must be \"year\" or \"panel\""),
    ({"correlations": 3}, "a list of correlation names"),
    ({"metods": ["topsis"]}, "Did you mean 'methods'"),
])
def test_compare_config_errors_name_the_key(tmp_path, compare, pattern):
    with pytest.raises(ConfigError, match=pattern):
        validate_config(_config(tmp_path, **compare))


def test_unregistered_names_are_config_errors(tmp_path, monkeypatch):
    monkeypatch.delitem(reg.METHODS, "marcos")  # a known name without a registry entry
    with pytest.raises(ConfigError, match="not available in this installation"):
        validate_config(_config(tmp_path, methods=["topsis", "marcos"]))
    cfg = validate_config(_config(tmp_path, methods="topsis", weights=["equal", "entropy"]))
    assert cfg["steps"]["compare"]["options"]["methods"] == ["topsis"]
