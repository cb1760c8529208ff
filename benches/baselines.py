"""Vectorized NumPy baselines: the fair competitor for every fastinno kernel.

Written the way a competent user would with numpy broadcasting, no Python loops over the big axis.
(`tests/naive.py` holds the slow loop references used for correctness.)
"""

from __future__ import annotations

import numpy as np  # noqa: F401

# --- panels (issue 2) ---

# --- ideal-solution model (issue 3) ---

# --- combined evaluation (issue 4) ---

# --- DEMATEL and GM(1,1) (issue 5) ---

# --- robustness (issue 6) ---
