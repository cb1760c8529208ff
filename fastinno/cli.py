"""Command-line interface: one thin click command per job. Parses, calls methods, writes files.

Every :class:`fastinno.errors.FastinnoError` becomes one ``Error: ...`` line on stderr and exit
status 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import sys
import traceback
import warnings

import click

from . import __version__
from .errors import FastinnoError


class FastinnoUsageError(click.ClickException):
    """A fastinno error shown as one line, exit status 2."""

    exit_code = 2


class FastinnoGroup(click.Group):
    """click group that turns fastinno errors into one readable line and exit status 2."""

    def invoke(self, ctx: click.Context):
        from .errors import FastinnoWarning

        try:
            with warnings.catch_warnings():
                # fastinno warnings say what was changed: always show them, as one line each.
                warnings.simplefilter("always", FastinnoWarning)
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except BrokenPipeError:  # output piped into `head` and the like
            sys.stderr.close()
            raise SystemExit(0) from None
        except (FastinnoError, OSError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            msg = str(exc) if isinstance(exc, FastinnoError) else f"{exc.strerror or exc}: {exc.filename}"
            raise FastinnoUsageError(msg) from exc


@click.group(cls=FastinnoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="fastinno")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """fastinno: composite innovation indices, key factors and forecasts for region panels."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# --- shared options and output helpers (issue 2) ---

_MISSING_CHOICES = ("error", "interpolate", "drop-indicator", "drop-region", "keep")


def _show_warning(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
    """Print fastinno warnings as one readable line; others the usual way."""
    from .errors import FastinnoWarning

    if issubclass(category, FastinnoWarning):
        click.echo(f"Warning: {message}", err=True)
    else:  # pragma: no cover - third-party warnings
        click.echo(warnings.formatwarning(message, category, filename, lineno, line).rstrip(), err=True)


def panel_options(default_missing: str = "error"):
    """Decorator: PANEL argument plus --system/--missing/--layout/column options and --demo.

    The decorated command receives ``panel`` (a loaded :class:`fastinno.panel.Panel`) instead
    of the raw options. ``--demo`` loads :func:`fastinno.datasets.demo_panel`.
    """

    def decorate(func):
        @click.argument("panel_path", metavar="PANEL", required=False, type=click.Path(dir_okay=False))
        @click.option("--system", "system_path", type=click.Path(dir_okay=False), help="Indicator-system TOML.")
        @click.option(
            "--missing",
            default=default_missing,
            show_default=True,
            help="Missing cells: error, interpolate, drop-indicator, drop-region, keep; "
            "comma-separated to chain (interpolate,drop-region).",
        )
        @click.option("--layout", type=click.Choice(["auto", "long", "wide"]), default="auto", show_default=True)
        @click.option("--sheet", default=None, help="Excel sheet name (Excel panels only).")
        @click.option("--region-col", default="region", show_default=True)
        @click.option("--year-col", default="year", show_default=True)
        @click.option("--indicator-col", default="indicator", show_default=True)
        @click.option("--value-col", default="value", show_default=True)
        @click.option(
            "--demo",
            is_flag=True,
            help="Use the bundled six-triangles panel (16 provinces, 2009-2017; with the default "
            "--missing, Guangdong 2011 is interpolated and Jiangxi dropped).",
        )
        @functools.wraps(func)
        def wrapper(*args, panel_path, system_path, missing, layout, sheet, region_col, year_col, indicator_col, value_col, demo, **kwargs):
            ctx = click.get_current_context()
            explicit = ctx.get_parameter_source("missing") is not click.core.ParameterSource.DEFAULT
            if demo and not explicit and default_missing == "error":
                missing = None  # the complete demo panel
            panel = load_cli_panel(
                panel_path, system_path, missing=missing, layout=layout, sheet=sheet, demo=demo,
                region=region_col, year=year_col, indicator=indicator_col, value=value_col,
            )
            return func(*args, panel=panel, **kwargs)

        return wrapper

    return decorate


def load_cli_panel(panel_path, system_path=None, *, missing="error", layout="auto", sheet=None, demo=False, **columns):
    """Load the panel named on the command line (or the demo panel) and remember the inputs."""
    from . import datasets
    from .panel import read_panel

    ctx = click.get_current_context(silent=True)
    policy = [p.strip() for p in missing.split(",")] if missing else None
    if demo:
        if panel_path or system_path:
            raise click.UsageError("--demo uses the bundled panel: give either PANEL or --demo, not both.")
        return datasets.demo_panel() if policy is None else datasets.six_triangles(missing=policy)
    if not panel_path:
        raise click.UsageError("Missing argument 'PANEL' (a .csv, .parquet or .xlsx file), or use --demo.")
    if ctx is not None and ctx.obj is not None:
        ctx.obj.setdefault("inputs", []).extend(p for p in (panel_path, system_path) if p)
    sheet_arg = int(sheet) if sheet is not None and sheet.isdigit() else sheet
    return read_panel(panel_path, system_path, layout=layout, missing=policy or "error", sheet=sheet_arg, **columns)


def cli_inputs() -> list[str]:
    """Paths given as inputs to the current command (outputs must not overwrite them)."""
    ctx = click.get_current_context(silent=True)
    return list(ctx.obj.get("inputs", [])) if ctx is not None and ctx.obj else []


def write_table(df, path) -> None:
    """Write a table atomically (format from the suffix) and say where it went."""
    from ._io import write_table as _write

    _write(df, path, inputs=cli_inputs())
    click.echo(f"Wrote {path}", err=True)


def echo_table(df, max_rows: int = 20, title: str | None = None, float_precision: int = 4) -> None:
    """Print a polars frame as a compact table."""
    import polars as pl

    if title:
        click.echo(click.style(title, bold=True))
    with pl.Config(
        tbl_rows=max_rows, tbl_cols=-1, float_precision=float_precision, tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True, tbl_width_chars=160, fmt_str_lengths=40, tbl_formatting="ASCII_MARKDOWN",
    ):
        click.echo(str(df))


# --- inspect (issue 2) ---


@cli.command()
@panel_options(default_missing="keep")
def inspect(panel) -> None:
    """Describe a panel: regions, years, indicators with the hierarchy, missing cells, statistics.

    A report: missing cells are listed and the exit status is 0, unless --missing error is given.
    """
    from .errors import format_keys

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
            if k == 50:
                click.echo(f"  ... and {len(by_series) - 50} more series")
                break
            span = "all years" if len(years) == panel.n_years else ", ".join(str(y) for y in years)
            click.echo(f"  {r} / {j}: {span}")
    else:
        click.echo("Missing cells: none")
    for note in panel.report:
        if not note.startswith("kept"):
            click.echo(f"Changed: {note}")
    echo_table(panel.summary().drop("direction"), max_rows=100, title="Per-indicator statistics")

# --- evaluate (issue 3) ---

# --- combine (issue 4) ---

# --- dematel, forecast (issue 5) ---

# --- simulate, bootstrap (issue 6) ---

# --- run, demo, report (issue 7) ---


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="fastinno")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
