#!/usr/bin/env python
"""A SYNTHETIC GeoJSON FeatureCollection of squares on an nx x ny grid (made-up contiguity).

Square (r, c) spans ``[x0 + c * size, x0 + (c + 1) * size] x [y0 + r * size, y0 + (r + 1) * size]``
and is named ``f"r{r:03d}c{c:03d}"`` (or by the given names, filled row by row) under the
property ``code``; with queen contiguity an interior square has 8 neighbours, with rook 4.

    python scripts/grid_geojson.py 56 50 grid.geojson

writes the 2,800-region grid. The tests, the benchmarks and ``scripts/make_county_panel.py``
all draw their grids from here.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence


def square_grid(nx: int, ny: int, *, key: str = "code", names: Sequence[str] | None = None,
                multipolygon_every: int = 0, origin: tuple[float, float] = (0.0, 0.0),
                size: float = 1.0) -> dict:
    """The grid as a GeoJSON dict.

    Parameters
    ----------
    nx, ny : int
        Columns and rows.
    key : str
        The property holding each square's name.
    names : sequence of str, optional
        Names of the squares, row by row from the lower left (at most ``nx * ny``; only that many
        squares are written). Default ``r000c000``, ``r000c001``, ...
    multipolygon_every : int
        Write every ``multipolygon_every``-th square as a one-part MultiPolygon (0: none).
    origin, size : float
        Lower-left corner of square (0, 0) and the side of a square. Keep them multiples of a
        power of two (the default, or e.g. origin (100, 25) and size 0.25) so that neighbouring
        squares share exactly equal vertices.
    """
    if names is not None and len(names) > nx * ny:
        raise ValueError(f"{len(names)} names do not fit on a {nx} x {ny} grid")
    n = nx * ny if names is None else len(names)
    x0, y0 = origin
    features = []
    for k in range(n):
        r, c = divmod(k, nx)
        xa, xb, ya, yb = x0 + c * size, x0 + (c + 1) * size, y0 + r * size, y0 + (r + 1) * size
        ring = [[xa, ya], [xb, ya], [xb, yb], [xa, yb], [xa, ya]]
        if multipolygon_every and k % multipolygon_every == 0:
            geom = {"type": "MultiPolygon", "coordinates": [[ring]]}
        else:
            geom = {"type": "Polygon", "coordinates": [ring]}
        name = f"r{r:03d}c{c:03d}" if names is None else str(names[k])
        features.append({"type": "Feature", "properties": {key: name}, "geometry": geom})
    return {"type": "FeatureCollection", "features": features}


if __name__ == "__main__":
    nx, ny, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(square_grid(nx, ny), fh)
