"""Former home of the bundled data sets; kept so old imports work. Use :mod:`fastinno.data.datasets`."""

from __future__ import annotations

from .data.datasets import (
    CITATION,
    MEASURES,
    SUBJECTS,
    data_path,
    demo_panel,
    six_triangles,
    six_triangles_published,
    six_triangles_system,
)

__all__ = [
    "six_triangles",
    "six_triangles_system",
    "six_triangles_published",
    "demo_panel",
    "data_path",
    "CITATION",
    "SUBJECTS",
    "MEASURES",
]
