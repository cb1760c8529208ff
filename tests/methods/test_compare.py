"""fi.compare_methods against a loop reference (tests/naive.py, "method comparison")."""

from __future__ import annotations

import naive
import numpy as np
import numpy.testing as npt
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastinno as fi
from fastinno import array as fa
from fastinno.errors import FastinnoWarning, InputError
from fastinno.methods import registry as reg

PANEL = fi.datasets.demo_panel()
SMALL = PANEL.select(years=list(PANEL.years[:3])) if hasattr(PANEL, "select") else PANEL


@pytest.fixture(scope="module")
def result():
    return fi.compare_methods(SMALL, methods=["topsis", "gra"], weights=["equal", "entropy"],
                              normalize=None, correlations=["spearman", "kendall"])


def _reference():
    c = SMALL.is_cost
    eq = lambda x: fa.equal_weights(x)  # noqa: E731
    en = lambda x: fa.entropy_weights(x, c)  # noqa: E731
    configs = [
        (lambda x: fa.topsis(x, eq(x), c), True),
        (lambda x: fa.topsis(x, en(x), c), True),
        (lambda x: fa.gra(x, eq(x), c), True),
        (lambda x: fa.gra(x, en(x), c), True),
    ]
    return naive.compare_reference(SMALL.cube, c, configs)


def test_configs_are_labelled_with_the_default_normalizations(result):
    assert result.configs == ("topsis/equal/vector", "topsis/entropy/vector", "gra/equal/minmax",
                              "gra/entropy/minmax")
    s = result.scores
    assert s.height == 4 * SMALL.n_regions * SMALL.n_years
    assert s.columns == ["config", "method", "weights", "normalize", "region", "year", "score", "rank", "direction"]


def test_scores_ranks_correlations_and_agreement_match_the_reference(result):
    ref = _reference()
    k = len(result.configs)
    for t, year in enumerate(SMALL.years):
        for q, cfg in enumerate(result.configs):
            got = result.scores.filter((pl.col("year") == year) & (pl.col("config") == cfg))
            npt.assert_allclose(got["score"].to_numpy(), ref["scores"][t][q], rtol=1e-12)
            best = np.argmin(ref["ranks"][t][q])
            assert got["rank"][int(best)] == 1
        cor = result.correlation.filter((pl.col("year") == year) & (pl.col("coefficient") == "spearman"))
        assert cor.height == k * (k - 1) // 2
        for row in cor.iter_rows(named=True):
            a, b = result.configs.index(row["config_a"]), result.configs.index(row["config_b"])
            npt.assert_allclose(row["value"], ref["spearman"][t][a][b], rtol=1e-12)
        ag = result.agreement.filter(pl.col("year") == year)
        npt.assert_allclose(ag["kendall_w"][0], ref["w"][t], rtol=1e-12)
        off = [ref["spearman"][t][a][b] for a in range(k) for b in range(k) if a != b]
        npt.assert_allclose(ag["mean_spearman"][0], np.mean(off), rtol=1e-12)
        rv = result.reversals.filter(pl.col("year") == year)
        for row in rv.iter_rows(named=True):
            a, b = result.configs.index(row["config_a"]), result.configs.index(row["config_b"])
            npt.assert_allclose(row["share"], ref["reversals"][t][a][b], rtol=1e-12)
        st = result.stability.filter(pl.col("year") == year)
        npt.assert_allclose(st["median_rank"].to_numpy(), ref["median"][t], rtol=1e-12)
        npt.assert_allclose(st["rank_range"].to_numpy(), ref["range"][t], rtol=1e-12)


def test_kendall_w_formula_on_a_textbook_case():
    # Siegel & Castellan (1988) sec. 9.4 formula W = 12 S / (k^2 (n^3 - n)); 3 raters in full
    # agreement give W = 1, a reversed rater with two agreeing gives W = 1/9 * (k = 3, n = 4).
    from fastinno.kernels import rank as kr

    same = np.array([[1.0, 2, 3, 4]] * 3)
    npt.assert_allclose(kr.kendall_w(same), 1.0)
    mixed = np.array([[1.0, 2, 3, 4], [1.0, 2, 3, 4], [4.0, 3, 2, 1]])
    # R = (6, 7, 8, 9), S = 5, W = 12 * 5 / (9 * 60) = 1/9
    npt.assert_allclose(kr.kendall_w(mixed), 1 / 9, rtol=1e-12)
    npt.assert_allclose(kr.kendall_w(mixed), naive.kendall_w(mixed), rtol=1e-12)


def test_reversals_against_an_n_squared_count(result):
    s = result.scores.filter(pl.col("year") == SMALL.years[0])
    a = s.filter(pl.col("config") == result.configs[0])["score"].to_numpy()
    b = s.filter(pl.col("config") == result.configs[3])["score"].to_numpy()
    n = a.size
    flips = sum(1 for i in range(n) for j in range(i + 1, n) if (a[i] - a[j]) * (b[i] - b[j]) < 0)
    got = result.reversals.filter((pl.col("year") == SMALL.years[0]) & (pl.col("config_a") == result.configs[0])
                                  & (pl.col("config_b") == result.configs[3]))
    assert got["reversed"][0] == flips and got["pairs"][0] == n * (n - 1) // 2


def test_normalize_given_skips_methods_without_it_and_defaults_skip_unregistered(monkeypatch):
    from dataclasses import replace

    # a method that takes only the vector normalization is skipped for minmax, with a warning
    only_vector = replace(reg.METHODS["topsis"], name="edas", normalizations=("vector",))
    monkeypatch.setitem(reg.METHODS, "edas", only_vector)
    with pytest.warns(FastinnoWarning, match="skipped 'edas/minmax'"):
        res = fi.compare_methods(SMALL, methods=["topsis", "edas"], weights=["equal"],
                                 normalize=["minmax", "vector"], correlations=["spearman"])
    assert res.configs == ("topsis/equal/minmax", "topsis/equal/vector", "edas/equal/vector")
    assert res.options["skipped"] == ["edas/minmax"]
    with pytest.raises(InputError, match="no method takes"):
        fi.compare_methods(SMALL, methods=["edas"], weights=["equal"], normalize="zscore")
    monkeypatch.delitem(reg.METHODS, "edas")
    # the default list leaves out, with a warning, what the panel cannot feed: the demo has zeros,
    # which WPM's sum-normalized powers cannot take
    with pytest.warns(FastinnoWarning, match="left out, undefined on this panel: wpm/equal/sum"):
        default = fi.compare_methods(SMALL)
    assert "wpm/equal/sum" in default.options["skipped"] and "wpm/equal/sum" not in default.configs
    assert set(default.options["methods"]) == set(reg.METHODS) - {"hew_topsis"}
    assert set(default.options["weights"]) == {"equal", "entropy", "critic"} & set(reg.WEIGHTINGS)
    assert set(default.options["correlations"]) == {"spearman", "ws", "rw"} & set(reg.CORRELATIONS)


def test_unregistered_names_are_clear_errors(monkeypatch):
    monkeypatch.delitem(reg.METHODS, "marcos")  # a known name without a registry entry
    with pytest.raises(InputError, match="not available in this installation"):
        fi.compare_methods(SMALL, methods=["topsis", "marcos"])
    with pytest.raises(InputError, match="Unknown method"):
        fi.compare_methods(SMALL, methods=["topsis", "nope"])
    with pytest.raises(InputError, match="at least 2 configurations"):
        fi.compare_methods(SMALL, methods=["topsis"], weights=["equal"])


def test_by_panel_and_the_correlation_matrix(result):
    res = fi.compare_methods(SMALL, methods=["topsis", "gra"], weights=["equal"], by="panel",
                             correlations=["spearman"])
    assert res.agreement.height == 1 and res.agreement["year"].null_count() == 1
    m = res.correlation_matrix("spearman")
    assert m.columns == ["config", *res.configs]
    npt.assert_allclose(m[res.configs[0]][0], 1.0)
    npt.assert_allclose(m[res.configs[1]][0], res.correlation["value"][0], rtol=1e-12)
    assert "configurations" in repr(result)


def test_a_methods_own_normalization_named_again_is_one_configuration():
    res = fi.compare_methods(SMALL, methods=["topsis", "gra"], weights=["equal"], normalize=[None, "minmax"],
                             correlations=["spearman"])
    assert res.configs == ("topsis/equal/vector", "topsis/equal/minmax", "gra/equal/minmax")


@given(st.integers(0, 10_000), st.integers(3, 9), st.booleans())
@settings(max_examples=15, deadline=None)
def test_compare_invariants(seed, n_regions, ties):
    """Ranks are 1..n per configuration and cell, W lies in [0, 1], reversal shares equal an
    O(n^2) count of discordant pairs, and the median rank lies between best and worst."""
    rng = np.random.default_rng(seed)
    cube = rng.uniform(1.0, 5.0, (n_regions, 2, 3))
    if ties:
        cube = np.round(cube)
        cube[0, :, :] = cube[1, :, :]  # two regions alike in every configuration
    cube[:, :, 0] = np.arange(n_regions)[:, None] + 1.0
    cube[-1, :, 1:] += 10.0  # no constant indicator
    panel = fi.Panel.from_array(cube)
    res = fi.compare_methods(panel, methods=["topsis", "gra"], weights=["equal"], correlations=["spearman"])
    r = res.scores["rank"].to_numpy().reshape(len(res.configs), -1)
    assert r.min() == 1 and r.max() <= n_regions
    w = res.agreement["kendall_w"].to_numpy()
    assert np.all((w >= -1e-12) & (w <= 1 + 1e-12))
    st_ = res.stability
    assert (st_["best_rank"] <= st_["median_rank"]).all() and (st_["median_rank"] <= st_["worst_rank"]).all()
    for row in res.reversals.iter_rows(named=True):
        sc = res.scores.filter(pl.col("year") == row["year"])
        a = sc.filter(pl.col("config") == row["config_a"])["score"].to_numpy()
        b = sc.filter(pl.col("config") == row["config_b"])["score"].to_numpy()
        flips = sum(1 for i in range(n_regions) for j in range(i + 1, n_regions)
                    if (a[i] - a[j]) * (b[i] - b[j]) < 0)
        assert row["reversed"] == flips


def test_reversals_can_be_left_out():
    res = fi.compare_methods(SMALL, methods=["topsis", "gra"], weights=["equal"], correlations=["spearman"],
                             reversals=False)
    assert res.reversals.height == 0 and res.reversals.columns[-1] == "share"
    assert res.options["reversals"] is False and res.agreement.height == SMALL.n_years
