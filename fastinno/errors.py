"""Exception and warning hierarchy.

Every error fastinno raises on purpose derives from :class:`FastinnoError`, itself a
:class:`ValueError`, so ``except ValueError`` keeps working for callers that do not know
fastinno. Messages follow one pattern: *what* is wrong, *where* (at most five keys and
"and N more"), the value seen, and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "FastinnoError",
    "InputError",
    "SchemaError",
    "DegenerateDataError",
    "SingularMatrixError",
    "ConfigError",
    "FastinnoWarning",
    "format_keys",
]


class FastinnoError(ValueError):
    """Base class of every error fastinno raises on purpose."""


class InputError(FastinnoError):
    """The input is malformed (wrong type, shape, value range, option)."""


class SchemaError(InputError):
    """Columns, indicators, regions or years are missing, duplicated or unknown."""


class DegenerateDataError(InputError):
    """The data are well-formed but the method cannot use them (constant, zero, negative)."""


class SingularMatrixError(FastinnoError):
    """A matrix that must be inverted is singular or ill-conditioned."""


class ConfigError(InputError):
    """A configuration file or option set is invalid (unknown key, wrong type)."""


class FastinnoWarning(UserWarning):
    """Warnings fastinno emits about what it changed or could not decide."""


def format_keys(keys: Iterable[object], limit: int = 5) -> str:
    """Format at most ``limit`` keys, then ``"and N more"``.

    Examples
    --------
    >>> format_keys(["a", "b", "c", "d", "e", "f", "g"])
    "'a', 'b', 'c', 'd', 'e' and 2 more"
    """
    keys = list(keys)
    shown = ", ".join(_fmt(k) for k in keys[:limit])
    rest = len(keys) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown


def _fmt(key: object) -> str:
    if isinstance(key, tuple):
        return "(" + ", ".join(_fmt(k) for k in key) + ")"
    if isinstance(key, str):
        return repr(key)
    return str(key)
