"""The synthetic square grid of ``scripts/grid_geojson.py`` (its one home), for the tests.

Square (r, c) spans [c, c + 1] x [r, r + 1] and is named ``f"r{r:03d}c{c:03d}"`` under the
property ``code``; with queen contiguity an interior square has 8 neighbours, with rook 4.
"""

from __future__ import annotations

import sys
from pathlib import Path

_SCRIPTS = str(Path(__file__).resolve().parents[1] / "scripts")
if _SCRIPTS not in sys.path:
    sys.path.insert(0, _SCRIPTS)

from grid_geojson import square_grid  # noqa: E402

__all__ = ["square_grid"]
