"""Old import path of the robustness engine: see :mod:`fastinno.robustness`."""

from __future__ import annotations

from ..robustness import MODELS, SCHEMES, bootstrap, simulate, simulate_weights

__all__ = ["simulate", "bootstrap", "simulate_weights", "MODELS", "SCHEMES"]
