"""A GeoJSON FeatureCollection of unit squares on an nx x ny grid (synthetic contiguity).

Square (r, c) spans [c, c + 1] x [r, r + 1] and is named ``f"r{r:03d}c{c:03d}"`` under the
property ``code``; with queen contiguity an interior square has 8 neighbours, with rook 4.
``python tests/square_grid.py 56 50 grid.geojson`` writes the 2,800-region grid.
"""

from __future__ import annotations

import json
import sys


def square_grid(nx: int, ny: int, *, key: str = "code", multipolygon_every: int = 0) -> dict:
    """The grid as a GeoJSON dict (every ``multipolygon_every``-th square as a MultiPolygon)."""
    features = []
    for r in range(ny):
        for c in range(nx):
            ring = [[c, r], [c + 1, r], [c + 1, r + 1], [c, r + 1], [c, r]]
            k = r * nx + c
            if multipolygon_every and k % multipolygon_every == 0:
                geom = {"type": "MultiPolygon", "coordinates": [[ring]]}
            else:
                geom = {"type": "Polygon", "coordinates": [ring]}
            features.append({"type": "Feature", "properties": {key: f"r{r:03d}c{c:03d}"}, "geometry": geom})
    return {"type": "FeatureCollection", "features": features}


if __name__ == "__main__":
    nx, ny, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(square_grid(nx, ny), fh)
