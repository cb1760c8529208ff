"""Synthetic expert surveys shared by the DEMATEL and survey-reader tests."""

from __future__ import annotations

import numpy as np
import polars as pl

from fastinno.data.linguistic import PAPER_SCALE

GREY_LO = np.array([0.0, 0.0, 0.25, 0.5, 0.75])
GREY_UP = np.array([0.0, 0.25, 0.5, 0.75, 1.0])


def random_levels(rng, k, n):
    """Scale levels 0..4 for k experts and n factors, zero diagonal."""
    lv = rng.integers(0, 5, size=(k, n, n))
    for e in range(k):
        np.fill_diagonal(lv[e], 0)
    return lv


def survey_levels():
    """Three experts, four factors, paper codes 1..5."""
    rng = np.random.default_rng(12)
    return random_levels(rng, 3, 4) + 1


def long_frame(levels, labels=False):
    """The long table (expert, from, to, score) of paper-coded levels (or their labels)."""
    k, n, _ = levels.shape
    rows = []
    for e in range(k):
        for i in range(n):
            for j in range(n):
                if i != j:
                    v = PAPER_SCALE.labels[levels[e, i, j] - 1] if labels else int(levels[e, i, j])
                    rows.append((f"E{e + 1}", f"C{i + 1}", f"C{j + 1}", v))
    return pl.DataFrame(rows, schema=["expert", "from", "to", "score"], orient="row")
