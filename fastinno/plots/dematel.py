"""The DEMATEL cause-effect diagram.

When no ``ax`` is given a new :class:`matplotlib.figure.Figure` is built on the Agg canvas (no
pyplot global state); the function returns the ``Axes`` it drew on (``ax.figure`` is the figure).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ..errors import InputError, SchemaError, format_keys
from .style import fonts, new_axes

__all__ = ["cause_effect_diagram"]


def cause_effect_diagram(
    result,
    ax=None,
    *,
    label: str = "code",
    errorbars: bool | None = None,
    title: str | None = "Cause-effect diagram",
    quadrant_labels: bool = True,
    figsize=(7.0, 5.5),
):
    """Cause-effect (prominence-relation) diagram of a DEMATEL result.

    Parameters
    ----------
    result : DematelResult or pl.DataFrame
        A result, or its ``factors`` frame (columns code, prominence, relation, ...).
    ax : matplotlib Axes, optional
        Draw here; a new Agg figure is made when None.
    label : "code" | "name"
        Point labels.
    errorbars : bool, optional
        Draw bootstrap percentile intervals (default: when the frame has them).
    title : str or None
    quadrant_labels : bool
        Label the four quadrants split by R - C = 0 and the mean prominence.
    figsize : tuple
        Size of a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    x = prominence R + C, y = relation R - C; causes lie above the R - C = 0 line. The vertical
    dashed line is the mean prominence: core factors (high prominence, cause) are top right
    (Xia, Li & Yin 2020, Fig. 3 style).
    """
    factors = result if isinstance(result, pl.DataFrame) else result.factors
    need = ["code", "prominence", "relation"]
    missing = [c for c in need if c not in factors.columns]
    if missing:
        raise SchemaError(f"cause_effect_diagram needs column(s) {format_keys(missing)}.")
    if label not in ("code", "name"):
        raise InputError(f"label must be 'code' or 'name'; got {label!r}.")
    names = factors[label if label in factors.columns else "code"].to_list()
    with fonts(names):
        return _draw(factors, ax, names, errorbars, title, quadrant_labels, figsize)


def _draw(factors, ax, names, errorbars, title, quadrant_labels, figsize):
    if ax is None:
        ax = new_axes(figsize)
    x = factors["prominence"].to_numpy()
    y = factors["relation"].to_numpy()
    has_ci = {"prominence_lower", "relation_lower"} <= set(factors.columns)
    if errorbars is None:
        errorbars = has_ci
    if errorbars and not has_ci:
        raise InputError("errorbars=True needs a bootstrapped result (bootstrap > 0).")
    cause = y > 0
    if errorbars:
        xerr = np.vstack(
            [x - factors["prominence_lower"].to_numpy(), factors["prominence_upper"].to_numpy() - x]
        )
        yerr = np.vstack(
            [y - factors["relation_lower"].to_numpy(), factors["relation_upper"].to_numpy() - y]
        )
        ax.errorbar(
            x,
            y,
            xerr=np.clip(xerr, 0, None),
            yerr=np.clip(yerr, 0, None),
            fmt="none",
            ecolor="0.6",
            elinewidth=0.8,
            capsize=2,
            zorder=1,
        )
    ax.scatter(x[cause], y[cause], color="tab:red", label="cause (R - C > 0)", zorder=3)
    ax.scatter(x[~cause], y[~cause], color="tab:blue", label="effect (R - C <= 0)", zorder=3)
    for xi, yi, name in zip(x, y, names):
        ax.annotate(str(name), (xi, yi), xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.axhline(0.0, color="0.3", linewidth=0.9)
    mean_prom = float(np.mean(x))
    ax.axvline(mean_prom, color="0.3", linewidth=0.9, linestyle="--")
    if quadrant_labels:
        opts = {"transform": ax.transAxes, "fontsize": 8, "color": "0.35", "alpha": 0.9}
        ax.text(0.99, 0.98, "core causes", ha="right", va="top", **opts)
        ax.text(0.01, 0.98, "independent causes", ha="left", va="top", **opts)
        ax.text(0.99, 0.02, "core effects", ha="right", va="bottom", **opts)
        ax.text(0.01, 0.02, "independent effects", ha="left", va="bottom", **opts)
    ax.margins(x=0.12, y=0.15)
    ax.set_xlabel("Prominence R + C")
    ax.set_ylabel("Relation R - C")
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8, frameon=False)
    return ax

