"""Command-line interface: one thin click command per job. Parses, calls methods, writes files.

Every :class:`fastinno.errors.FastinnoError` becomes one ``Error: ...`` line on stderr and exit
status 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys
import traceback

import click

from . import __version__
from .errors import FastinnoError


class FastinnoUsageError(click.ClickException):
    """A fastinno error shown as one line, exit status 2."""

    exit_code = 2


class FastinnoGroup(click.Group):
    """click group that turns fastinno errors into one readable line and exit status 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
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

# --- inspect (issue 2) ---

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
