"""Checks shared by the config validation and the steps' own checks: unknown keys (with a
suggestion), value types, and paths resolved against the config's folder."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import ConfigError, format_keys

__all__ = ["check_unknown", "check_type", "resolve_path"]


def _suggest(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_unknown(keys: Iterable[str], known: Iterable[str], where: str, source: str) -> None:
    """Raise :class:`ConfigError` naming the first key not in ``known`` (and a close match)."""
    known = set(known)
    bad = [k for k in keys if k not in known]
    if bad:
        raise ConfigError(
            f"Unknown key {format_keys(bad)} in {where} of {source}.{_suggest(str(bad[0]), known)} "
            f"Known keys: {format_keys(sorted(known), limit=40)}."
        )


def check_type(value: Any, types: type | tuple[type, ...], key: str, where: str, source: str,
               what: str) -> Any:
    """Return ``value`` if it is one of ``types`` (a bool is not an int), else raise
    :class:`ConfigError` saying it must be ``what``."""
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        ok = False
    else:
        ok = isinstance(value, types)
    if not ok:
        raise ConfigError(
            f"Key {key!r} in {where} of {source} must be {what}; got {value!r} "
            f"({type(value).__name__})."
        )
    return value


def resolve_path(value: str, base: Path) -> str:
    """``value`` as an absolute path (``~`` expanded; relative to ``base``)."""
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else (base / p).resolve())
