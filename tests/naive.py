"""Slow, obviously-correct references: loops written straight from the formulas, never optimised.

Every kernel in ``fastinno/kernels`` is tested against a function here at rtol 1e-12.
"""

from __future__ import annotations

import math  # noqa: F401

import numpy as np  # noqa: F401

# --- ideal-solution model (issue 3) ---

# --- combined evaluation (issue 4) ---

# --- DEMATEL and GM(1,1) (issue 5) ---

# --- robustness (issue 6) ---
