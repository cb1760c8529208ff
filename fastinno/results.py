"""Result containers: frozen dataclasses holding polars DataFrames and the options used.

Each capability adds its result class in its own section below.
"""

from __future__ import annotations

from dataclasses import dataclass, field  # noqa: F401

import polars as pl  # noqa: F401

# --- IndexResult (issue 3) ---

# --- CombinedResult (issue 4) ---

# --- DematelResult, GM11Result (issue 5) ---

# --- RobustnessResult (issue 6) ---
