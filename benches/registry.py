"""The benchmark registry: every comparison of fastinno against its baselines, in one place.

``BENCHES[name]`` is a :class:`benchkit.Bench`: a ``setup(shape) -> inputs`` run outside the
timer, the implementations ``{"fastinno": ..., "numpy": ..., [peer: ...]}``, the shapes (big
ones ``slow``), an ``agree`` check against the reference, optional per-unit ``units`` and the
``warm`` implementations. ``benches/bench_registry.py`` runs them all; ``scripts/bench_report.py``
reads them to print numpy/fastinno (and peer/fastinno) ratios and to flag missing results.

A new family is a module in ``benches/families/`` calling ``benchkit.register(...)``, imported
below.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for _p in (HERE, HERE.parent / "scripts"):  # baselines, benchkit, families, make_county_panel
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from benchkit import BENCHES, FASTINNO, Bench, Shape, register  # noqa: E402

#: The bench families, one per line (each registers its benches on import).
FAMILIES = (
    "additive",
    "combined",
    "compare",
    "compromise",
    "correlation",
    "dematel",
    "ideal_solution",
    "method_models",
    "panel",
    "regional_disparity",
    "regional_spatial",
    "robustness",
    "weighting",
)
for _family in FAMILIES:
    importlib.import_module(f"families.{_family}")

__all__ = ["BENCHES", "FASTINNO", "Bench", "Shape", "register"]
