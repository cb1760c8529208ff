"""Registered ranking methods listed in the combined evaluation beside the paper's four."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import fastinno as fi
from fastinno import array as fa
from fastinno.errors import InputError

PANEL = fi.Panel.from_array(np.random.default_rng(4).lognormal(0, 0.4, (12, 2, 4)), years=(2020, 2021),
                            system=["a", "b", "c", "d"])


def _minmax(s):
    return (s - s.min()) / (s.max() - s.min())


def test_registered_method_scores_are_its_scaled_preferences():
    r = fi.combined_evaluation(PANEL, methods=["entropy", "vikor", "wsm"], weights="equal")
    w = np.full(4, 0.25)
    for y, year in enumerate(PANEL.years):
        rows = r.scores.filter((pl.col("year") == year) & (pl.col("dimension") == "index"))
        x = PANEL.cube[:, y, :]
        np.testing.assert_allclose(rows["vikor"].to_numpy(), _minmax(-fa.vikor(x, w)), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(rows["wsm"].to_numpy(), _minmax(fa.wsm(x, w)), rtol=1e-12, atol=1e-14)
    # the paper's methods are unchanged by the company they keep
    alone = fi.combined_evaluation(PANEL, methods=["entropy", "topsis"], weights="equal")
    mixed = fi.combined_evaluation(PANEL, methods=["entropy", "topsis", "vikor"], weights="equal")
    np.testing.assert_array_equal(alone.scores["topsis"].to_numpy(), mixed.scores["topsis"].to_numpy())
    assert set(mixed.method_weights["method"]) == {"entropy", "topsis", "vikor"}


def test_unknown_method_names_the_registered_ones():
    with pytest.raises(InputError, match="promethee_ii"):
        fi.combined_evaluation(PANEL, methods=["entropy", "electre"])


def test_monte_carlo_combined_model_rejects_registered_methods():
    with pytest.raises(InputError, match="not one of them"):
        fi.simulate(PANEL, model="combined", model_options={"methods": ["entropy", "vikor"]}, draws=16,
                    progress=False)
