"""The registry of ranking methods, weightings and rank correlations.

One entry per name (:mod:`fastinno.methods.spec`); the names are the values of the ``method``,
``weights`` and ``correlation`` options of :mod:`fastinno._options`, and an import-time check
keeps the two in step.
"""

from __future__ import annotations

from .. import _options as opt
from . import additive, classic, compromise
from . import correlation as correlation_entries
from . import weighting as weighting_entries
from .spec import CorrelationSpec, MethodSpec, WeightingSpec

__all__ = ["METHODS", "WEIGHTINGS", "CORRELATIONS", "method", "weighting", "correlation"]

#: Modules that declare entries in ``SPECS`` / ``WEIGHTINGS`` / ``CORRELATIONS`` tuples.
_METHOD_MODULES: tuple = (classic, additive, compromise)
_WEIGHTING_MODULES: tuple = (classic, weighting_entries)
_CORRELATION_MODULES: tuple = (classic, correlation_entries)

METHODS: dict[str, MethodSpec] = {s.name: s for m in _METHOD_MODULES for s in m.SPECS}
WEIGHTINGS: dict[str, WeightingSpec] = {s.name: s for m in _WEIGHTING_MODULES for s in m.WEIGHTINGS}
CORRELATIONS: dict[str, CorrelationSpec] = {s.name: s for m in _CORRELATION_MODULES for s in m.CORRELATIONS}


def _in_step(table: dict, option: str) -> None:
    unknown = set(table) - set(opt.option(option).choices)
    if unknown:
        raise RuntimeError(f"registry entries {sorted(unknown)} are not values of the {option!r} option")


_in_step(METHODS, "method")
_in_step(WEIGHTINGS, "weights")
_in_step(CORRELATIONS, "correlation")


def method(name: object) -> MethodSpec:
    """The registered method called ``name`` (any accepted spelling)."""
    return METHODS[opt.check("method", name, allowed=tuple(METHODS))]


def weighting(name: object) -> WeightingSpec:
    """The registered weighting called ``name``."""
    return WEIGHTINGS[opt.check("weights", name, allowed=tuple(WEIGHTINGS))]


def correlation(name: object) -> CorrelationSpec:
    """The registered rank correlation called ``name``."""
    return CORRELATIONS[opt.check("correlation", name, allowed=tuple(CORRELATIONS))]
