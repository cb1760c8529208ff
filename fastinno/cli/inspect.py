"""``fastinno inspect``: describe a panel."""

from __future__ import annotations

import click

from .common import echo_table
from .options import panel_options

MAX_SERIES = 50
"""Missing-cell series listed before the rest is summarised."""


@click.command(epilog="""\b
Examples:
  fastinno inspect --demo
  fastinno inspect --demo --missing interpolate,drop-region
""")
@panel_options(default_missing="keep")
def inspect(panel) -> None:
    """Describe a panel: regions, years, indicators with the hierarchy, missing cells, statistics.

    A report: missing cells are listed and the exit status is 0, unless --missing error is given.
    """
    from ..errors import format_keys

    click.echo(click.style(repr(panel), bold=True))
    click.echo(f"Regions ({panel.n_regions}): {format_keys(panel.regions, limit=20)}")
    click.echo(f"Years ({panel.n_years}): {', '.join(str(y) for y in panel.years)}")
    n_dims = len(panel.system.dimensions)
    click.echo(f"Indicators ({panel.n_indicators}) in {n_dims or 1} dimension(s):")
    for line in panel.system.describe().splitlines():
        click.echo("  " + line)
    cells = panel.missing_cells
    if cells:
        click.echo(click.style(f"Missing cells ({len(cells)}):", fg="yellow", bold=True))
        by_series: dict[tuple[str, str], list[int]] = {}
        for r, y, j in cells:
            by_series.setdefault((r, j), []).append(y)
        for k, ((r, j), years) in enumerate(by_series.items()):
            if k == MAX_SERIES:
                click.echo(f"  ... and {len(by_series) - MAX_SERIES} more series")
                break
            span = "all years" if len(years) == panel.n_years else ", ".join(str(y) for y in years)
            click.echo(f"  {r} / {j}: {span}")
    else:
        click.echo("Missing cells: none")
    for note in panel.report:
        if not note.startswith("kept"):
            click.echo(f"Changed: {note}")
    echo_table(panel.summary().drop("direction"), max_rows=100, title="Per-indicator statistics")
