"""Every result class follows one protocol: tables(), to_polars(), options with the seed, a compact repr."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import fastinno as fi

# the demo panel triggers documented warnings (e.g. a method left out); they are not the subject here
pytestmark = pytest.mark.filterwarnings("ignore::fastinno.errors.FastinnoWarning")


@pytest.fixture(scope="module")
def panel():
    return fi.datasets.demo_panel()


def _results(panel):
    idx = fi.hew_topsis(panel)
    comb = fi.combined_evaluation(panel)
    sim = fi.simulate(panel, draws=64, seed=3, progress=False)
    gm = fi.gm11([2.87, 3.28, 3.34, 3.63, 3.85, 4.04], horizon=2)
    dem = fi.dematel(np.array([[0, 3, 2], [1, 0, 2], [2, 1, 0]], dtype=float))
    fc = fi.forecast(idx.scores, column="index", horizon=2)
    boot = fi.bootstrap(panel, replicates=32, seed=4, progress=False)
    return {"index": idx, "combined": comb, "simulate": sim, "gm11": gm, "dematel": dem,
            "forecast": fc, "bootstrap": boot}


def test_every_result_has_tables_main_table_options_and_seed(panel):
    for name, res in _results(panel).items():
        tables = res.tables()
        assert tables and all(isinstance(t, pl.DataFrame) for t in tables.values()), name
        first = next(iter(tables))
        assert res.to_polars().equals(tables[first]), name
        assert "seed" in res.options, name
    assert _results(panel)["simulate"].options["seed"] == 3
    assert _results(panel)["index"].options["seed"] is None


def test_repr_is_compact_and_shows_first_rows(panel):
    for name, res in _results(panel).items():
        text = repr(res)
        assert text.startswith(type(res).__name__ + "("), name
        assert len(text.splitlines()) <= 20, (name, text)
        for tname, df in res.tables().items():
            assert f".{tname}: {df.height:,} rows x {df.width} columns" in text, (name, tname)
        assert "first rows of" in text, name
    # a large result stays short: no whole arrays in the repr
    dem = _results(panel)["dematel"]
    assert "array(" not in repr(dem)


def test_summary_method_is_renamed_top(panel):
    res = fi.hew_topsis(panel)
    with pytest.warns(FutureWarning, match=r"IndexResult.summary\(\) is renamed IndexResult.top\(\)"):
        old = res.summary(top=3)
    assert old.equals(res.top(3))
    comb = fi.combined_evaluation(panel)
    with pytest.warns(FutureWarning, match="CombinedResult.summary"):
        old = comb.summary(top=2)
    assert old.equals(comb.top(2))


def test_spearman_rho_has_one_name_in_every_output_frame(panel):
    """Spearman's rho is ``spearman_rho`` (or ``spearman_rho_<stat>``) in every table."""
    seen = []
    for name, res in _results(panel).items():
        for tname, df in res.tables().items():
            for col in df.columns:
                if "rho" in col or col == "spearman_r":
                    assert col.startswith("spearman_rho"), (name, tname, col)
                    seen.append(col)
    assert {"spearman_rho", "spearman_rho_mean", "spearman_rho_p05", "spearman_rho_min"} <= set(seen)
