"""Former home of panels and indicator systems; kept so old imports work.

Use :mod:`fastinno.data.system`, :mod:`fastinno.data.panel` and :mod:`fastinno.data.read_panel`.
"""

from __future__ import annotations

from .data.panel import Panel
from .data.read_panel import MISSING_TOKENS, MissingPolicy, read_panel
from .data.system import Group, Indicator, IndicatorSystem, read_system

__all__ = [
    "Indicator",
    "Group",
    "IndicatorSystem",
    "Panel",
    "read_panel",
    "read_system",
    "MissingPolicy",
    "MISSING_TOKENS",
]
