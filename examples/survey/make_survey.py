"""Regenerate the illustrative grey-DEMATEL survey in this folder (synthetic, seeded).

THIS IS AN ILLUSTRATION, NOT PUBLISHED DATA. The factor list is inspired by the factors that
Xia, Li & Yin (2020, Sustainability 12(7):2739) name as core (marketization, financial
environment, intellectual-property system, transformation of S&T achievements, human capital),
but the scores below are simulated: a hand-set "consensus" influence structure, perturbed by
one scale level per expert at random. Run from the repository root:

    python examples/survey/make_survey.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).parent

FACTORS = [
    ("C1", "Degree of marketization", "outside the evaluation system"),
    ("C2", "Financial environment", "outside the evaluation system"),
    ("C3", "Intellectual property system", "outside the evaluation system"),
    ("C4", "Government S&T support", "outside the evaluation system"),
    ("C5", "Level of human capital", "outside the evaluation system"),
    ("C6", "Openness to foreign investment", "outside the evaluation system"),
    ("C7", "R&D expenditure intensity", "inside the evaluation system"),
    ("C8", "R&D personnel", "inside the evaluation system"),
    ("C9", "Industry-university-research cooperation", "inside the evaluation system"),
    ("C10", "Transformation of S&T achievements", "inside the evaluation system"),
    ("C11", "Enterprise innovation capability", "inside the evaluation system"),
    ("C12", "High-tech industry output", "inside the evaluation system"),
]
LABELS = ["N", "VL", "L", "H", "VH"]  # the paper's Table 1, codes 1..5
EXPERT_WEIGHTS = [("E1", "VI"), ("E2", "MI"), ("E3", "MI"), ("E4", "I"), ("E5", "I"), ("E6", "LI")]

# consensus influence levels 0..4 (row influences column): environment factors drive the rest
CONSENSUS = np.array(
    [
        # C1 C2 C3 C4 C5 C6 C7 C8 C9 C10 C11 C12
        [0, 3, 2, 2, 2, 3, 3, 2, 3, 4, 4, 3],  # C1 marketization
        [2, 0, 1, 1, 1, 2, 4, 2, 2, 3, 3, 3],  # C2 finance
        [2, 1, 0, 1, 1, 2, 3, 2, 3, 4, 3, 2],  # C3 IP system
        [2, 2, 2, 0, 2, 1, 3, 3, 3, 3, 2, 2],  # C4 government support
        [1, 1, 1, 1, 0, 1, 2, 4, 3, 3, 3, 2],  # C5 human capital
        [2, 1, 1, 1, 1, 0, 2, 1, 1, 2, 2, 3],  # C6 openness
        [0, 1, 0, 1, 1, 0, 0, 2, 2, 3, 3, 3],  # C7 R&D intensity
        [0, 0, 0, 0, 2, 0, 1, 0, 2, 3, 3, 2],  # C8 R&D personnel
        [1, 0, 1, 0, 1, 0, 1, 1, 0, 3, 3, 2],  # C9 cooperation
        [1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 2, 3],  # C10 transformation
        [1, 1, 1, 0, 1, 1, 2, 1, 2, 2, 0, 3],  # C11 enterprise capability
        [1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 0],  # C12 high-tech output
    ]
)


def main() -> None:
    rng = np.random.default_rng(20200331)
    codes = [c for c, _, _ in FACTORS]
    rows = []
    for expert, _ in EXPERT_WEIGHTS:
        noise = rng.choice([-1, 0, 0, 0, 1], size=CONSENSUS.shape)
        levels = np.clip(CONSENSUS + noise, 0, 4)
        for i, a in enumerate(codes):
            for j, b in enumerate(codes):
                if i != j:
                    rows.append((expert, a, b, LABELS[int(levels[i, j])]))
    pl.DataFrame(rows, schema=["expert", "from", "to", "score"], orient="row").write_csv(
        HERE / "survey_long.csv"
    )
    pl.DataFrame(FACTORS, schema=["code", "name", "group"], orient="row").write_csv(
        HERE / "factors.csv"
    )
    pl.DataFrame(EXPERT_WEIGHTS, schema=["expert", "weight"], orient="row").write_csv(
        HERE / "expert_weights.csv"
    )


if __name__ == "__main__":
    main()
