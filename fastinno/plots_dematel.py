"""Former location of the DEMATEL and GM(1,1) figures; they live in :mod:`fastinno.plots`."""

from __future__ import annotations

from .plots import cause_effect_diagram, gm11_plot, save_figure

__all__ = ["cause_effect_diagram", "gm11_plot", "save_figure"]
