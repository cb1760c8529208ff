"""Aggregate units: one unit per group of regions, built from its members' values.

Each indicator declares in the indicator system how it aggregates (the ``aggregate`` key):

- ``"sum"`` for absolute quantities (R&D spending, patents): the members' total;
- ``"mean"``: the members' arithmetic mean;
- ``"weighted_mean:<indicator>"`` for ratios (R&D intensity weighted by GDP): the mean of the
  members' values weighted by their values of ``<indicator>`` in the same year,
  sum_i x_i v_i / sum_i v_i.

The Beijing-Tianjin-Hebei study scores its three members and the region as a whole (its unit
k = 0) in one model; :func:`with_aggregates` builds such a panel.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError, SchemaError, format_keys
from .groups import group_columns, group_labels

__all__ = ["aggregation_rules", "with_aggregates"]

SUM, MEAN, WEIGHTED_MEAN = "sum", "mean", "weighted_mean"


def aggregation_rules(system) -> list[tuple[str, int]]:
    """``(kind, weight position)`` per indicator of ``system`` (weight position -1 unless weighted).

    Raises
    ------
    SchemaError
        An indicator without ``aggregate`` (naming every one), an unknown rule, or a weighted mean
        whose weight indicator is not in the system or is itself weighted.
    """
    names = system.indicators
    missing = [i.name for i in system.indicator_list if i.aggregate is None]
    if missing:
        raise SchemaError(
            f"aggregate units need every indicator's aggregate rule; {len(missing)} have none: "
            f"{format_keys(missing)}. Add aggregate = \"sum\", \"mean\" or \"weighted_mean:<indicator>\" "
            "to each in the indicator system."
        )
    rules: list[tuple[str, int]] = []
    for ind in system.indicator_list:
        rule = ind.aggregate.strip()
        kind, _, ref = rule.partition(":")
        kind = kind.strip().replace("-", "_")
        if kind in (SUM, MEAN) and not ref:
            rules.append((kind, -1))
        elif kind == WEIGHTED_MEAN and ref.strip():
            ref = ref.strip()
            if ref not in names:
                raise SchemaError(
                    f"indicator {ind.name!r} aggregates as a mean weighted by {ref!r}, which is not an indicator "
                    f"of the system ({format_keys(list(names))})."
                )
            rules.append((kind, names.index(ref)))
        else:
            raise SchemaError(
                f"indicator {ind.name!r} has unknown aggregate rule {ind.aggregate!r}: use \"sum\", \"mean\" "
                "or \"weighted_mean:<indicator>\"."
            )
    return rules


def _aggregate_block(block: np.ndarray, rules: list[tuple[str, int]], group: str, names) -> np.ndarray:
    """The (years, indicators) values of one aggregate unit from its members ``block``."""
    out = np.empty(block.shape[1:], dtype=np.float64)
    for j, (kind, ref) in enumerate(rules):
        x = block[:, :, j]
        if kind == SUM:
            out[:, j] = x.sum(axis=0)
        elif kind == MEAN:
            out[:, j] = x.mean(axis=0)
        else:
            v = block[:, :, ref]
            if (v < 0).any():
                raise InputError(
                    f"indicator {names[j]!r} is a mean weighted by {names[ref]!r}, which has negative values "
                    f"among the members of group {group!r}."
                )
            total = v.sum(axis=0)
            if (total == 0).any():
                raise InputError(
                    f"indicator {names[j]!r} is a mean weighted by {names[ref]!r}, whose members' total is 0 "
                    f"in group {group!r}: the weighted mean is undefined there."
                )
            out[:, j] = (x * v).sum(axis=0) / total
    return out


def with_aggregates(panel, groups: object, *, column: str | None = None, ungrouped: str = "error"):
    """``panel`` with one aggregate unit per group appended after the regions.

    Parameters
    ----------
    panel : Panel
    groups : polars.DataFrame or mapping
        ``region`` and one or more group columns, or a mapping region -> group. With several
        columns and ``column=None``, every column's groups become units.
    column : str, optional
        The one grouping column to use.
    ungrouped : {"error", "drop"}
        A region without a group is an error naming it, or (``"drop"``) belongs to no unit. The
        region itself stays in the panel either way.

    Returns
    -------
    Panel
        Regions then aggregate units, each unit named by its group label; a missing member value
        makes the unit's value missing. A label that is already a region's name is an error.
    """
    rules = aggregation_rules(panel.system)
    columns = [column] if column is not None else (group_columns(groups) or [None])
    names = panel.indicators
    units: list[str] = []
    blocks: list[np.ndarray] = []
    position = {r: k for k, r in enumerate(panel.regions)}
    for col in columns:
        labels = group_labels(groups, list(panel.regions), column=col, ungrouped=ungrouped)
        members: dict[str, list[int]] = {}
        for region, label in labels.items():
            members.setdefault(label, []).append(position[region])
        for label, rows in members.items():
            if label in position or label in units:
                raise InputError(
                    f"group {label!r} is already the name of a region or of another group: rename it."
                )
            units.append(label)
            blocks.append(_aggregate_block(panel.cube[rows], rules, label, names))
    if not units:
        raise InputError("groups gives no group to any region of the panel.")
    cube = np.concatenate([panel.cube, np.stack(blocks)], axis=0)
    note = f"added {len(units)} aggregate unit(s): {format_keys(units)}"
    return type(panel)(cube, (*panel.regions, *units), panel.years, panel.system, (*panel.report, note))
