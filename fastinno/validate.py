"""Input checks shared by the API layer (numpy only). Each raises a specific fastinno error.

Kernels trust their inputs; every check happens once, here, before any kernel runs.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence

import numpy as np

from ._config import WEIGHT_SUM_RESCALE_TOL, WEIGHT_SUM_RTOL
from .errors import DegenerateDataError, FastinnoWarning, InputError, SchemaError, format_keys

__all__ = [
    "cost_mask",
    "as_float_array",
    "as_float_view",
    "check_choice",
    "check_finite",
    "check_nonnegative",
    "check_not_constant",
    "check_weights",
    "indicator_weights",
    "constant_indicators_error",
    "check_types",
    "check_memory",
    "weights_by_name",
    "renamed",
    "UNSET",
]


class _Unset:
    """Marker of a keyword the caller did not pass."""

    def __repr__(self) -> str:
        return "UNSET"


#: Default of a renamed keyword's old name: tells "not passed" from any real value.
UNSET = _Unset()


def renamed(new: str, new_value: object, old: str, old_value: object, default: object, *, stacklevel: int = 3):
    """Resolve a keyword that was renamed from ``old`` to ``new``.

    The old name keeps working with a :class:`FutureWarning` that names the new one; passing both
    is an :class:`InputError`. Returns the value to use (``default`` when neither was passed).
    """
    if old_value is UNSET:
        return default if new_value is UNSET else new_value
    if new_value is not UNSET:
        raise InputError(f"Pass {new}= only; {old}= is its old name.")
    warnings.warn(f"{old}= is renamed {new}=; the old name will be removed.", FutureWarning, stacklevel=stacklevel)
    return old_value


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise :class:`InputError`."""
    if value not in choices:
        raise InputError(
            f"Unknown {name} {value!r}: choose one of {', '.join(repr(c) for c in choices)}."
        )
    return value  # type: ignore[return-value]


def as_float_array(x: object, name: str = "x", ndim: int | None = None) -> np.ndarray:
    """Copy ``x`` into a new C-contiguous float64 array (ints are accepted and cast).

    The caller's array is never modified: kernels receive the copy.
    """
    try:
        arr = np.array(x, dtype=np.float64, order="C", copy=True)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric; could not convert it to float64 ({exc}).") from None
    if ndim is not None and arr.ndim != ndim:
        raise InputError(f"{name} must be {ndim}-dimensional; got shape {arr.shape}.")
    if arr.size == 0:
        raise InputError(f"{name} is empty (shape {arr.shape}).")
    return arr


def as_float_view(x: object, name: str = "x", ndim: int | None = None, what: str | None = None) -> np.ndarray:
    """``x`` as a C-contiguous float64 array, copied only when it is not one already.

    For callers whose kernels only read their input (so no defensive copy is needed); checks the
    number of dimensions (``what`` words the message, e.g. "a 2-D array (objects x indicators)")
    and that it is not empty.
    """
    try:
        arr = np.ascontiguousarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric; could not convert it to float64 ({exc}).") from None
    if ndim is not None and arr.ndim != ndim:
        raise InputError(f"{name} must be {what or f'{ndim}-dimensional'}; got shape {arr.shape}.")
    if arr.size == 0:
        raise InputError(f"{name} is empty (shape {arr.shape}).")
    return arr


def check_finite(x: np.ndarray, name: str = "x") -> np.ndarray:
    """Raise if ``x`` holds NaN or infinity, naming up to five positions."""
    bad = ~np.isfinite(x)
    if bad.any():
        where = [tuple(int(i) for i in idx) for idx in np.argwhere(bad)]
        raise InputError(
            f"{name} has {len(where)} missing or infinite value(s) at {format_keys(where)}: "
            "fill or drop them first (for panels: read_panel(..., missing='interpolate'))."
        )
    return x


def check_nonnegative(x: np.ndarray, name: str = "x", why: str = "") -> np.ndarray:
    """Raise :class:`DegenerateDataError` if ``x`` has negative entries."""
    neg = x < 0
    if neg.any():
        where = [tuple(int(i) for i in idx) for idx in np.argwhere(neg)]
        first = x[tuple(np.argwhere(neg)[0])]
        raise DegenerateDataError(
            f"{name} has {len(where)} negative value(s) at {format_keys(where)} (first: {first:g})"
            f"{': ' + why if why else ''}. Normalise the data first (e.g. min-max) so values are >= 0."
        )
    return x


def check_not_constant(x: np.ndarray, names: Sequence[str] | None = None, scope: str = "") -> None:
    """Raise if a column of the 2-D array ``x`` is constant."""
    span = x.max(axis=0) - x.min(axis=0)
    const = np.flatnonzero(span == 0)
    if const.size:
        labels = [names[j] if names is not None else j for j in const]
        where = f" {scope}" if scope else ""
        raise DegenerateDataError(
            f"Indicator(s) {format_keys(labels)} are constant{where} "
            f"(value {x[0, const[0]]:g}): normalisation divides by max - min = 0. "
            "Drop them or use constant='drop' / constant='zero'."
        )


#: How the one constant-indicator message names where an indicator is constant.
CONSTANT_WHERE = {
    "panel": "over the whole panel",
    "region": "within a region",
    "year": "within a year",
}


def constant_indicators_error(
    names: Sequence[str], cells: Sequence[object], scope: str, why: str,
    hint: str = "constant='drop' or constant='zero', or use another scope",
) -> DegenerateDataError:
    """The one error for indicators that are constant where a method divides by their spread.

    Every method with a ``constant`` option (``"error"``, ``"drop"``, ``"zero"``) raises this when
    the policy is ``"error"``, so the message reads the same everywhere.

    Parameters
    ----------
    names : indicator names, in system order.
    cells : the (indicator, where) pairs, at most five shown.
    scope : ``"panel"``, ``"region"`` or ``"year"``: the cells' kind.
    why : what divides by zero, e.g. ``"the min-max standardization divides by max - min = 0"``.
    hint : the options that handle it, as the caller spells them.
    """
    return DegenerateDataError(
        f"Indicator(s) {format_keys(names)} are constant {CONSTANT_WHERE[scope]} (scope={scope!r}): "
        f"{format_keys(cells)}: {why}. Drop the indicator, or pass {hint}."
    )


def cost_mask(is_cost: object, n: int) -> np.ndarray:
    """``is_cost`` as a bool array of length ``n``: ``None`` means all benefit; a bool vector is
    taken as it is; criterion types (1 benefit, -1 cost, or '+'/'-') are converted."""
    if is_cost is None:
        return np.zeros(n, dtype=np.bool_)
    arr = np.asarray(is_cost)
    if arr.dtype == np.bool_:
        if arr.shape != (n,):
            raise InputError(f"is_cost must have one entry per indicator ({n}); got shape {arr.shape}.")
        return np.ascontiguousarray(arr)
    return check_types(arr, n)


def check_types(types: object, n: int) -> np.ndarray:
    """Convert criterion types (1 benefit, -1 cost, or '+'/'-') to a bool ``is_cost`` array."""
    arr = np.asarray(types)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InputError(f"types must be 1-D with one entry per indicator ({n}); got shape {arr.shape}.")
    out = np.empty(n, dtype=np.bool_)
    for j, t in enumerate(arr.tolist()):
        if t in (1, "+", "benefit"):
            out[j] = False
        elif t in (-1, "-", "cost"):
            out[j] = True
        else:
            raise InputError(
                f"types[{j}] = {t!r} is not a criterion type: use 1 (benefit) or -1 (cost)."
            )
    return out


def weights_by_name(weights: Mapping, names: Sequence[str]) -> list:
    """The values of a ``{indicator: weight}`` mapping in the order of ``names``.

    The one rule for named weights, everywhere weights are given: every indicator is named
    exactly once (0 leaves one out); a :class:`SchemaError` lists the missing and unknown names.
    """
    missing = [k for k in names if k not in weights]
    extra = [k for k in weights if k not in names]
    if missing or extra:
        parts = [f"{what} {format_keys(keys)}" for what, keys in (("missing", missing), ("unknown", extra)) if keys]
        raise SchemaError(
            f"weights mapping must name every indicator exactly: {'; '.join(parts)}; the indicators are "
            f"{format_keys(names)} (give 0 to leave one out)."
        )
    return [weights[k] for k in names]


def indicator_weights(weights: object, names: Sequence[str], name: str = "weights") -> np.ndarray:
    """Given indicator weights, as an array over ``names``, checked by :func:`check_weights`.

    ``weights`` is a sequence or array in the order of ``names``, or a ``{indicator: weight}``
    mapping (:func:`weights_by_name`).
    """
    if isinstance(weights, Mapping):
        weights = weights_by_name(weights, names)
    return check_weights(weights, len(names), name, labels=list(names))


def check_weights(
    w: object, n: int, name: str = "weights", normalize: bool = False, labels: Sequence[str] | None = None
) -> np.ndarray:
    """Return weights as a new float64 array: 1-D, length ``n``, >= 0, summing to 1.

    A sum within ``WEIGHT_SUM_RTOL`` of 1 is taken as it is; within ``WEIGHT_SUM_RESCALE_TOL``
    (weights rounded for print, e.g. summing to 0.9999) the weights are rescaled to sum to 1 with
    a :class:`FastinnoWarning`; further off is an :class:`InputError`. ``normalize=True`` rescales
    any positive sum silently.
    """
    arr = as_float_array(w, name, ndim=1)
    if arr.shape[0] != n:
        raise InputError(f"{name} has {arr.shape[0]} entries but there are {n} indicators.")
    check_finite(arr, name)
    neg = np.flatnonzero(arr < 0)
    if neg.size:
        keys = [labels[j] if labels is not None else j for j in neg]
        raise InputError(
            f"{name} must be >= 0; negative at {format_keys(keys)} (first: {arr[neg[0]]:g})."
        )
    total = arr.sum()
    if total <= 0:
        raise InputError(f"{name} sum to {total:g}; at least one weight must be positive.")
    if normalize:
        return arr / total
    if abs(total - 1.0) <= WEIGHT_SUM_RTOL:
        return arr
    if abs(total - 1.0) <= WEIGHT_SUM_RESCALE_TOL:
        warnings.warn(f"{name} sum to {total:.12g}, not 1: rescaled to sum to 1.", FastinnoWarning, stacklevel=3)
        return arr / total
    raise InputError(
        f"{name} sum to {total:.12g}, not 1. Give weights that sum to 1 (for example w / w.sum())."
    )


_MEMORY_UNITS = {
    "": 1, "b": 1,
    "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}
_MEMORY_RE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*$", re.IGNORECASE)


def check_memory(name: str, value: object) -> int:
    """A memory size in bytes from an int or a string such as ``"512MB"``, ``"2GiB"``, ``"256 MiB"``.

    Units (case-insensitive, optional space): ``B``, decimal ``KB`` / ``MB`` / ``GB`` / ``TB``
    (10^3, 10^6, 10^9, 10^12 bytes) and binary ``KiB`` / ``MiB`` / ``GiB`` / ``TiB`` (2^10, 2^20,
    2^30, 2^40); a bare number is bytes (a whole float such as ``1e9`` included). Fractions are
    allowed (``"1.5GB"``) and rounded down to whole bytes. Returns an int >= 0; anything else
    raises :class:`InputError`.
    """
    units = "B, KB, MB, GB, TB, KiB, MiB, GiB or TiB"
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} must be a number of bytes or a size like '512MB' / '2GiB'; got {value!r}.")
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        value = int(value)  # 1e9 bytes
    if isinstance(value, (int, np.integer)):
        if value < 0:
            raise InputError(f"{name} must be >= 0 bytes (0 = no memory); got {value}.")
        return int(value)
    if isinstance(value, str):
        if value.strip().startswith("-"):
            raise InputError(f"{name} must be >= 0 bytes (0 = no memory); got {value!r}.")
        m = _MEMORY_RE.match(value)
        unit = m.group(2).lower() if m else None
        if m is None or unit not in _MEMORY_UNITS:
            raise InputError(
                f"{name} {value!r} is not a memory size: give bytes (an integer) or a number with a "
                f"unit {units}, e.g. '512MB' or '2GiB'."
            )
        from fractions import Fraction

        return int(Fraction(m.group(1)) * _MEMORY_UNITS[unit])  # exact, rounded down
    raise InputError(
        f"{name} must be an integer number of bytes or a string like '512MB' / '2GiB'; got "
        f"{type(value).__name__} {value!r}."
    )
