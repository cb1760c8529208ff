"""Command-line interface: one thin click command per job. Parses, calls the API, writes files.

Every :class:`fastinno.errors.FastinnoError` becomes one ``Error: ...`` line on stderr and exit
status 2; ``--debug`` shows the traceback instead. The commands live one per module
(:mod:`fastinno.cli.evaluate` ...), their shared options in :mod:`fastinno.cli.options` and
their shared helpers in :mod:`fastinno.cli.common`.
"""

from __future__ import annotations

import re
import sys
import traceback
import warnings

import click

from .._version import __version__
from ..errors import FastinnoError
from . import (
    bootstrap,
    combine,
    compare,
    dematel,
    disparity,
    evaluate,
    forecast,
    init,
    inspect,
    run,
    simulate,
    spatial,
    warmup,
)
from .common import cli_inputs, echo_table, load_cli_panel, show_warning
from .common import write_output as write_table
from .options import panel_options


class FastinnoUsageError(click.ClickException):
    """A fastinno error shown as one line, exit status 2."""

    exit_code = 2


class FastinnoGroup(click.Group):
    """click group that turns fastinno errors into one readable line and exit status 2."""

    def invoke(self, ctx: click.Context):
        from ..errors import FastinnoWarning

        try:
            with warnings.catch_warnings():
                # fastinno warnings say what was changed: always show them, as one line each.
                warnings.simplefilter("always", FastinnoWarning)
                warnings.showwarning = show_warning
                return super().invoke(ctx)
        except click.NoSuchOption as exc:
            # an option whose value may be left out (dematel --replicates) reads "-1" as an option
            if re.fullmatch(r"-\d+(\.\d*)?", exc.option_name or ""):
                raise click.UsageError(f"Invalid value {exc.option_name}: a negative number is not accepted here "
                                       "(counts, seeds and sizes are >= 0).", ctx=exc.ctx) from None
            raise
        except BrokenPipeError:  # output piped into `head` and the like
            sys.stderr.close()
            raise SystemExit(0) from None
        except (FastinnoError, OSError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            if isinstance(exc, FastinnoError):
                msg = str(exc)
            elif exc.filename is not None:
                msg = f"{exc.strerror or exc}: {exc.filename}"
            else:
                msg = str(exc.strerror or exc)
            raise FastinnoUsageError(msg) from exc


@click.group(cls=FastinnoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="fastinno")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """fastinno: composite innovation indices, key factors and forecasts for region panels."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


for _command in (
    inspect.inspect, evaluate.evaluate, combine.combine, compare.compare, dematel.dematel, forecast.forecast,
    disparity.disparity, spatial.spatial, simulate.simulate, bootstrap.bootstrap, run.run_cmd, run.demo_cmd, run.report_cmd, init.init_cmd,
    warmup.warmup_cmd,
):
    cli.add_command(_command)
del _command


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="fastinno")


__all__ = [
    "FastinnoGroup", "FastinnoUsageError", "cli", "cli_inputs", "echo_table", "load_cli_panel", "main",
    "panel_options", "write_table",
]
