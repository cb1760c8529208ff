"""Shared inputs of the regional CLI and main-job tests: the six-triangles provinces grouped by
their growth triangle, and their land borders among themselves."""

from __future__ import annotations

import polars as pl

#: The demo panel's 15 provinces by growth triangle (an illustrative grouping; Jiangxi, dropped
#: from the demo panel, belongs to the Middle Yangtze triangle).
TRIANGLES = {
    "Beijing-Tianjin-Hebei": ["Beijing", "Tianjin", "Hebei"],
    "Northeast": ["Liaoning", "Jilin", "Heilongjiang"],
    "Yangtze River Delta": ["Shanghai", "Jiangsu", "Zhejiang"],
    "Middle Yangtze": ["Hubei", "Hunan", "Jiangxi"],
    "Chengdu-Chongqing-Xi'an": ["Sichuan", "Chongqing", "Shaanxi"],
    "Pearl River Delta": ["Guangdong"],
}
#: Provincial land borders among the 15 provinces (each listed once).
BORDERS = [
    ("Beijing", "Tianjin"), ("Beijing", "Hebei"), ("Tianjin", "Hebei"), ("Hebei", "Liaoning"),
    ("Liaoning", "Jilin"), ("Jilin", "Heilongjiang"), ("Shanghai", "Jiangsu"), ("Shanghai", "Zhejiang"),
    ("Jiangsu", "Zhejiang"), ("Hubei", "Hunan"), ("Hubei", "Chongqing"), ("Hubei", "Shaanxi"),
    ("Hunan", "Chongqing"), ("Hunan", "Guangdong"), ("Sichuan", "Chongqing"), ("Sichuan", "Shaanxi"),
    ("Chongqing", "Shaanxi"),
]


def groups_table() -> pl.DataFrame:
    """``region, group`` of the provinces in the demo panel."""
    return pl.DataFrame([(r, g) for g, rs in TRIANGLES.items() for r in rs if r != "Jiangxi"],
                        schema=["region", "group"], orient="row")


def borders_table() -> pl.DataFrame:
    """``region, neighbour`` with every border in both directions."""
    a, b = zip(*BORDERS)
    return pl.DataFrame({"region": [*a, *b], "neighbour": [*b, *a]})


def province_grid(key: str = "code") -> dict:
    """A GeoJSON of the 15 provinces as unit squares on a 5 x 3 grid (synthetic geometry)."""
    names = groups_table()["region"].to_list()
    features = []
    for k, name in enumerate(names):
        r, c = divmod(k, 5)
        ring = [[c, r], [c + 1, r], [c + 1, r + 1], [c, r + 1], [c, r]]
        features.append({"type": "Feature", "properties": {key: name},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": features}
