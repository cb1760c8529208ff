"""Registered ranking methods as Monte Carlo models and as a method-choice axis."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import fastinno as fi
from fastinno.errors import FastinnoWarning, InputError
from fastinno.methods import registry as reg

RNG = np.random.default_rng(11)
PANEL = fi.Panel.from_array(RNG.lognormal(0, 0.4, (14, 3, 5)), years=(2020, 2021, 2022),
                            system=["a", "b", "c", "d", "e"])
EQUAL = {k: 0.2 for k in "abcde"}
#: generic weights: no exact ties between the regions' scores (PROMETHEE's net flows with equal
#: weights tie often, and a tie may then break either way in the last bit)
GENERIC = dict(zip("abcde", (0.31, 0.17, 0.23, 0.08, 0.21)))


def _base_ranks(res) -> pl.DataFrame:
    return res.summary.select("region", "year", "base_rank").sort("region", "year")


@pytest.mark.parametrize("method", ["wsm", "mabac", "moora", "promethee_ii", "spotis", "copras", "wpm",
                                    "vikor", "edas", "codas", "marcos", "cocoso", "aras", "waspas"])
def test_base_ranks_are_the_methods_ranks(method):
    spec = reg.method(method)
    normalize = spec.default_normalize
    res = fi.simulate(PANEL, model=method, model_options={"weights": GENERIC}, draws=64, seed=3, progress=False)
    ev = fi.evaluate(PANEL, method=method, weights=GENERIC, normalize=normalize)
    expected = ev.scores.select("region", "year", pl.col("rank").alias("base_rank")).sort("region", "year")
    assert _base_ranks(res).equals(expected)


def test_linear_methods_use_the_engines_gemm_path_and_match_the_direct_method():
    from fastinno.robustness.models import prepare_model

    for method in ("wsm", "mabac", "moora", "promethee_ii", "spotis"):
        mdl, _ = prepare_model(PANEL, method, {"weights": EQUAL})
        assert mdl.custom is None, method
        spec = reg.method(method)
        x3 = np.ascontiguousarray(np.transpose(PANEL.cube, (1, 0, 2)))
        w = RNG.dirichlet(np.ones(5))
        direct = spec.cells(x3, w, PANEL.is_cost, spec.default_normalize, dict(spec.options))
        sign = 1.0 if spec.higher_is_better else -1.0
        for y in range(3):
            np.testing.assert_allclose(w @ mdl.at1[y], sign * direct[y], rtol=1e-10, atol=1e-12)


def test_nonlinear_method_draws_equal_the_method_at_those_weights():
    from fastinno.robustness.models import index_of, prepare_model

    mdl, _ = prepare_model(PANEL, "vikor", {"weights": EQUAL})
    w = RNG.dirichlet(np.ones(5), size=4)
    got = index_of(mdl, w, 1)
    for d in range(4):
        q = fi.array.vikor(PANEL.cube[:, 1, :], w[d])
        np.testing.assert_allclose(got[d], -q, rtol=1e-12, atol=1e-14)


def test_same_seed_same_numbers_for_any_chunk_size():
    a = fi.simulate(PANEL, model="edas", draws=300, seed=5, chunk_size=64, progress=False)
    b = fi.simulate(PANEL, model="edas", draws=300, seed=5, chunk_size=256, progress=False)
    assert a.summary.equals(b.summary)


def test_method_axis_with_model_as_its_other_name():
    choices = {"method": ["wsm", "topsis"], "weights": ["equal", "entropy"]}
    a = fi.simulate(PANEL, draws=64, seed=2, choices=choices, progress=False)
    assert a.variance_shares["choice"].to_list()[:2] == ["method", "weights"]
    b = fi.simulate(PANEL, draws=64, seed=2, choices={"model": ["wsm", "topsis"], "weights": ["equal", "entropy"]},
                    progress=False)
    np.testing.assert_array_equal(a.summary["mean_rank"].to_numpy(), b.summary["mean_rank"].to_numpy())
    assert b.variance_shares["choice"][0] == "model"
    with pytest.raises(InputError, match="another name"):
        fi.simulate(PANEL, draws=64, choices={"model": ["wsm"], "method": ["topsis"]}, progress=False)


def test_normalize_axis_reaches_methods_and_warns_for_own_normalizations():
    res = fi.simulate(PANEL, draws=64, seed=2, choices={"method": ["wsm"], "normalize": ["minmax", "sum"]},
                      progress=False)
    shares = dict(zip(res.variance_shares["choice"], res.variance_shares["total"]))
    assert shares["normalize"] > 0  # the two normalizations rank differently somewhere
    with pytest.warns(FastinnoWarning, match="normalizes on its own"):
        fi.simulate(PANEL, draws=64, seed=2, choices={"method": ["vikor", "wsm"], "normalize": ["minmax", "sum"]},
                    progress=False)


def test_unknown_model_lists_the_registered_methods():
    with pytest.raises(InputError, match="'vikor'"):
        fi.simulate(PANEL, model="electre_iii", progress=False)


def test_base_weights_from_a_registered_weighting():
    from fastinno.robustness.models import prepare_model

    _, base = prepare_model(PANEL, "wsm", {"weights": "entropy"})
    flat = PANEL.cube.reshape(-1, 5)
    np.testing.assert_allclose(base, fi.array.entropy_weights(flat, PANEL.is_cost), rtol=1e-12)
