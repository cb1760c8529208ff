"""Names and years as read: surrounding whitespace, Unicode form, duplicates, plausible years.

Region, indicator and dimension names are compared after removing surrounding whitespace (and a
byte-order mark) and applying Unicode NFC, so that ``"Beijing "`` and ``"Beijing"`` (or a
composed and a decomposed accent) name the same thing. What was changed is reported in one
:class:`~fastinno.errors.FastinnoWarning`; distinct names that become equal are an error.
"""

from __future__ import annotations

import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from .._config import YEAR_RANGE
from ..errors import FastinnoWarning, InputError, SchemaError, format_keys

__all__ = [
    "clean_name",
    "clean_names",
    "warn_cleaned",
    "check_unique",
    "check_year_range",
    "check_years",
]


def clean_name(name: str) -> str:
    """``name`` without surrounding whitespace or byte-order mark, in Unicode NFC."""
    return unicodedata.normalize("NFC", name.strip().strip("\ufeff").strip())


def clean_names(names: Sequence[str], what: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Clean every name; distinct names that become equal are an error.

    Returns
    -------
    cleaned : list of str
        One per input name, in order.
    changes : list of (str, str)
        ``(before, after)`` for every distinct name that changed.
    """
    cleaned = [clean_name(n) for n in names]
    seen: dict[str, str] = {}
    clashes: dict[str, list[str]] = {}
    for raw, new in zip(names, cleaned):
        first = seen.setdefault(new, raw)
        if first != raw:
            group = clashes.setdefault(new, [first])
            if raw not in group:
                group.append(raw)
    if clashes:
        shown = [" = ".join(repr(r) for r in group) for group in clashes.values()]
        raise SchemaError(
            f"{what.capitalize()} names that differ only in surrounding spaces or Unicode form: "
            f"{'; '.join(shown[:5])}{'' if len(shown) <= 5 else f' and {len(shown) - 5} more'}. "
            "They would become the same name: rename or merge them."
        )
    changes = list(dict.fromkeys((r, c) for r, c in zip(names, cleaned) if r != c))
    return cleaned, changes


def warn_cleaned(changes: Iterable[tuple[str, str, str]], stacklevel: int = 3) -> None:
    """One warning listing ``(what, before, after)`` name changes (none: no warning)."""
    changes = list(changes)
    if not changes:
        return
    shown = ", ".join(f"{what} {before!r} -> {after!r}" for what, before, after in changes[:5])
    more = "" if len(changes) <= 5 else f" and {len(changes) - 5} more"
    warnings.warn(
        f"Removed surrounding spaces / applied Unicode NFC to {len(changes)} name(s): {shown}{more}.",
        FastinnoWarning,
        stacklevel=stacklevel,
    )


def check_unique(names: Sequence[object], what: str) -> None:
    """Raise naming the duplicated ``what`` names."""
    counts = Counter(names)
    dup = [n for n, c in counts.items() if c > 1]
    if dup:
        raise SchemaError(
            f"Duplicate {what} name(s) {format_keys(dup)}: every {what} needs a unique name."
        )


def check_year_range(year_range: object) -> tuple[int, int]:
    """``(first, last)`` plausible calendar years; None gives the default ``YEAR_RANGE``."""
    if year_range is None:
        return YEAR_RANGE
    try:
        lo, hi = year_range  # type: ignore[misc]
    except (TypeError, ValueError):
        raise InputError(f"year_range must be (first, last), e.g. {YEAR_RANGE}; got {year_range!r}.") from None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (lo, hi)) or lo > hi:
        raise InputError(f"year_range must be two integers first <= last, e.g. {YEAR_RANGE}; got {year_range!r}.")
    return int(lo), int(hi)


def check_years(years: np.ndarray, where: str, year_range: object = None) -> None:
    """Raise when a year is outside the plausible range (e.g. a YYYYMM or YYYYQ code).

    Years that are exactly the time index 1, 2, ..., T (what :meth:`Panel.from_array` gives by
    default) are accepted too.
    """
    lo, hi = check_year_range(year_range)
    arr = np.asarray(years, dtype=np.float64)
    distinct = np.unique(arr)
    if distinct.size and np.array_equal(distinct, np.arange(1, distinct.size + 1)):
        return
    bad = np.unique(arr[(arr < lo) | (arr > hi)])
    if bad.size:
        shown = [int(v) if abs(v) < 2**63 else float(v) for v in bad]
        raise SchemaError(
            f"Years outside {lo}-{hi} in {where}: {format_keys(shown)}. Use the calendar year "
            "(e.g. 2015): YYYYMM (201512) and YYYYQ (20154) codes are not years. Pass "
            "year_range=(first, last) if such years are really meant."
        )
