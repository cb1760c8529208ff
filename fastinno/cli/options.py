"""Option decorators shared by the commands.

String options declared in :mod:`fastinno._options` take their choices (every accepted spelling)
and help from there and hand the command the canonical spelling, so the command line accepts
exactly what the Python API accepts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import click

from .._options import CUBE_STANDARDIZATIONS, option
from .common import check_outputs, load_cli_panel, remember_inputs

FIGURE_FORMATS = ("png", "svg")


def canonical(name: str, keep: tuple[str, ...] = ()):
    """click callback: the canonical spelling of option ``name`` (values in ``keep`` pass as given)."""

    def callback(ctx, param, value):  # noqa: ARG001
        if value is None or value in keep:
            return value
        return option(name).check(value)

    return callback


def choice_option(*flags, name: str, only: tuple[str, ...] | None = None, extra: tuple[str, ...] = (),
                  lead: str = "", **kwargs):
    """A click option whose values are those of the declared option ``name``.

    Parameters
    ----------
    *flags : str
        The option's flags (``"--standardize"``) and optional parameter name.
    name : str
        The :mod:`fastinno._options` option.
    only : tuple of str, optional
        Canonical values this command supports (default: all).
    extra : tuple of str
        Command-only values passed through unchanged (``"system"``).
    lead : str
        Help text before the values' own help.
    **kwargs
        Passed to :func:`click.option` (``default``, ``show_default`` ...).
    """
    opt = option(name)
    allowed = opt.choices if only is None else only
    spellings = tuple(s for s in opt.spellings() if opt.check(s) in allowed) + extra
    values = "; ".join(f"{v}: {h}" for v, h in opt.values.items() if v in allowed)
    help_text = f"{lead} {values}." if lead else f"{values}."
    metavar = "[" + "|".join((*allowed, *extra)) + "]"
    return click.option(*flags, type=click.Choice(spellings), callback=canonical(name, keep=extra),
                        metavar=metavar, help=help_text, **kwargs)


def apply(*decorators):
    """Apply click decorators in the order written (the first one is outermost)."""

    def decorate(func):
        for deco in reversed(decorators):
            func = deco(func)
        return func

    return decorate


def panel_options(default_missing: str = "error"):
    """Decorator: PANEL argument plus --system/--missing/--layout/column options and --demo.

    The decorated command receives ``panel`` (a loaded :class:`fastinno.Panel`) instead
    of the raw options. ``--demo`` loads :func:`fastinno.datasets.demo_panel`.
    """
    policies = ", ".join(v.replace("_", "-") for v in option("missing").choices)

    def decorate(func):
        @click.argument("panel_path", metavar="PANEL", required=False, type=click.Path(dir_okay=False))
        @click.option("--system", "system_path", type=click.Path(dir_okay=False), help="Indicator-system TOML.")
        @click.option(
            "--missing",
            default=default_missing,
            show_default=True,
            help=f"Missing cells: {policies}; comma-separated to chain (interpolate,drop-region).",
        )
        @click.option("--layout", type=click.Choice(["auto", "long", "wide"]), default="auto", show_default=True)
        @click.option("--sheet", default=None, help="Excel sheet name or 0-based index (Excel panels only).")
        @click.option(
            "--decimal",
            type=click.Choice([".", ","]),
            default=".",
            show_default=True,
            help="Decimal mark of numbers stored as text (',' for 0,5).",
        )
        @click.option("--separator", default=None, help="CSV field separator: ',' (default), ';', tab or '|'.")
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
        def wrapper(*args, panel_path, system_path, missing, layout, sheet, decimal, separator, region_col, year_col,
                    indicator_col, value_col, demo, **kwargs):
            ctx = click.get_current_context()
            explicit = ctx.get_parameter_source("missing") is not click.core.ParameterSource.DEFAULT
            if demo and not explicit and default_missing == "error":
                missing = None  # the complete demo panel
            panel = load_cli_panel(
                panel_path, system_path, missing=missing, layout=layout, sheet=sheet, demo=demo, decimal=decimal,
                separator=separator,
                region=region_col, year=year_col, indicator=indicator_col, value=value_col,
            )
            return func(*args, panel=panel, **kwargs)

        return wrapper

    return decorate


def model_options(*, defaults: bool):
    """--scope, --standardize, --form, --constant of the ideal-solution models.

    ``defaults=True`` (evaluate): the options default to the model's values. ``defaults=False``
    (simulate, bootstrap): they default to None, meaning the model's own.
    """

    def default(name):
        return {"default": option(name).default, "show_default": True} if defaults else {"default": None}

    own = "" if defaults else " (default: the model's own)"
    return apply(
        choice_option("--scope", name="scope", lead=f"Where max/min and the ideal points are taken{own}:",
                      **default("scope")),
        choice_option("--standardize", name="standardize", only=CUBE_STANDARDIZATIONS, lead=f"Standardization{own}:", **default("standardize")),
        choice_option("--form", name="form", lead=f"Index form of the ideal-solution models{own}:", **default("form")),
        choice_option("--constant", name="constant", lead=f"An indicator constant within a scope cell{own}:",
                      **default("constant")),
    )


def top_option(what: str):
    """--top: regions shown per ``what``."""
    return click.option("--top", type=click.IntRange(min=1), default=5, show_default=True,
                        help=f"Regions shown per {what}.")


def out_file_option(help_text: str):
    """--out FILE (stored as ``out_path``): where the command's main table goes."""
    return click.option("--out", "out_path", type=click.Path(dir_okay=False), help=help_text)


def scheduler_address(ctx, param, value):  # noqa: ARG001
    """click callback of --scheduler: a Dask scheduler address, checked before any work."""
    if value is None:
        return None
    from ..errors import InputError
    from ..robustness.execute import check_scheduler_address

    try:
        return check_scheduler_address(value)
    except InputError as exc:
        raise click.BadParameter(str(exc).replace("scheduler ", "", 1), param_hint="--scheduler") from None


def backend_options(func):
    """--workers / --scheduler / --scheduler-timeout: run on a Dask cluster (see
    :func:`fastinno.cli.common.backend_kwargs`)."""
    return apply(
        click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
                     help="Run on a local Dask cluster of N workers (N >= 1)."),
        click.option("--scheduler", default=None, callback=scheduler_address, metavar="ADDRESS",
                     help="Run on an existing Dask cluster: tcp://host:port, tls://host:port or host:port."),
        click.option("--scheduler-timeout", "scheduler_timeout", type=click.FloatRange(min=0, min_open=True),
                     default=None, metavar="SECONDS",
                     help="Seconds to wait for --scheduler before giving up (default 10)."),
    )(func)


def robustness_options(func):
    """Options shared by simulate and bootstrap: model, seed, top-k, backend, chunks, output."""
    return apply(
        model_options(defaults=False),
        click.option("--seed", type=int, default=None, help="Seed (same seed, same numbers on any machine "
                     "layout); printed when omitted."),
        click.option("--top-k", "top_k", default="1,3,10", show_default=True,
                     help="Comma-separated k for the p_top_k columns."),
        backend_options,
        click.option("--chunk-size", "chunk_size", type=int, default=None, help="Draws per chunk."),
        click.option("--quantile-memory", "quantile_memory", default=None, metavar="SIZE",
                     help="Memory for exact index quantiles, e.g. 512MB or 2GiB (bytes if no unit; 0 = "
                     "histograms). Default 64MiB; histograms when the draw matrix does not fit."),
        click.option("--rank-memory", "rank_memory", default=None, metavar="SIZE",
                     help="Memory for exact rank counts (years x regions^2 x 2 bytes; 4 past 65,535 draws), e.g. 4GiB. Default "
                     "1.5GiB; past it ranks are counted in histograms whose resolution is reported "
                     "(mean rank and top-k shares stay exact)."),
        click.option("--progress/--no-progress", default=True, show_default=True, help="Progress bar with draws/s."),
        click.option("--show", type=click.IntRange(min=0), default=5, show_default=True, help="Regions shown as most / least stable."),
        out_file_option("Write the per region-year summary (.csv, .parquet or .xlsx); the per-year agreement "
                        "goes next to it with the suffix _agreement (bootstrap: also _weights, and _growth with "
                        "--over years)."),
    )(func)


def figure_formats(ctx, param, value):  # noqa: ARG001
    """click callback of --figures: ``png``, ``svg`` or ``png,svg`` as a list (None: the config's)."""
    if value is None:
        return None
    fmts = [v.strip().lower() for v in value.split(",") if v.strip()]
    bad = [f for f in fmts if f not in FIGURE_FORMATS]
    if bad or not fmts:
        raise click.BadParameter(f"use png, svg or png,svg; got {value!r}", param_hint="--figures")
    return fmts


def figure_options(func):
    """--figures png|svg|png,svg (the command receives a list or None)."""
    return click.option("--figures", "figures", default=None, metavar="png|svg|png,svg", callback=figure_formats,
                        help="Figure format(s); default from the config (PNG).")(func)


def output_folder_options(func):
    """--excel and --force of commands that write a whole output folder."""
    return apply(
        writes(help_text="Replace an existing output folder (the new one is built completely first).",
               pass_force=True),
        click.option("--excel", is_flag=True, default=False, help="Also write tables.xlsx with one sheet per table."),
    )(func)


def main_job_options(func):
    """--force, --excel, --csv, --copy-inputs, --figures, --quiet of ``run`` and ``demo``."""
    return apply(
        output_folder_options,
        click.option("--csv", is_flag=True, default=False,
                     help="Also write every table as tables/<name>.csv (Parquet is always written)."),
        click.option("--copy-inputs", is_flag=True, default=False,
                     help="Copy the input files into inputs/ (by default run.json records them by "
                          "path, size and SHA-256)."),
        figure_options,
        click.option("--quiet", "-q", is_flag=True, help="No step lines or progress bars."),
    )(func)


TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx", ".json")
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


@dataclass(frozen=True)
class Output:
    """An output option of a command, checked by :func:`writes` before the command runs.

    Attributes
    ----------
    param : str
        The command's parameter holding the path (``out_path``).
    what : str
        How messages name it (``"Output file"``, ``"Figure"``).
    suffixes : tuple of str
        Allowed suffixes of the path (empty for a folder).
    files : callable
        ``(path, params) -> paths``: every file the command writes for this option, given all its
        parameters (default: the path itself).
    """

    param: str
    what: str = "Output file"
    suffixes: tuple[str, ...] = TABLE_SUFFIXES
    files: Callable[[Path, dict], Iterable[Path]] = field(default=lambda path, params: [path])  # noqa: ARG005


def table_output(param: str = "out_path", companions: Callable[[dict], Iterable[str]] = lambda params: ()):  # noqa: ARG005
    """A table written at the path plus ``<stem>_<name><suffix>`` for each name of ``companions(params)``."""

    def files(path, params):
        return [path, *(path.with_name(f"{path.stem}_{name}{path.suffix}") for name in companions(params))]

    return Output(param, "Output file", TABLE_SUFFIXES, files)


def figure_output(param: str = "plot_path") -> Output:
    """A figure file (.png, .svg or .pdf)."""
    return Output(param, "Figure", FIGURE_SUFFIXES)


def folder_output(param: str, files: Callable[[dict], Iterable[str]]) -> Output:
    """A folder into which the files named by ``files(params)`` are written."""
    return Output(param, "Output file", (), lambda path, params: [path / name for name in files(params)])


def writes(*outputs: Output, inputs: tuple[str, ...] | None = None, extra_inputs: tuple[str, ...] = (),
           help_text: str = "Replace existing output files (each is written completely first, then moved "
           "into place).", pass_force: bool = False):
    """Decorator of every command that writes: ``--force`` and checks of its outputs before it runs.

    Before the command body runs, every file each output option would write is checked (its
    suffix, that it is not one of the inputs nor inside an input folder, that an existing file is
    replaced only with ``--force``, that its folder is writable), so a bad output path is reported
    before any computation. Write it directly under ``@click.command``.

    Parameters
    ----------
    *outputs : Output
        The command's output options (:func:`table_output`, :func:`figure_output`, :func:`folder_output`).
    inputs : tuple of str, optional
        Parameters naming input files or folders (default: every ``click.Path`` parameter that is not
        an output).
    extra_inputs : tuple of str
        Further parameters that name an input when their value is an existing path (``--scale``).
    help_text : str
        Help of ``--force``.
    pass_force : bool
        Hand ``force`` to the command (commands whose API call takes it); otherwise the write
        helpers of :mod:`fastinno.cli.common` read it from the context.
    """

    def decorate(func):
        @click.option("--force", is_flag=True, help=help_text)
        @functools.wraps(func)
        def wrapper(*args, force, **kwargs):
            ctx = click.get_current_context()
            ctx.ensure_object(dict)
            ctx.obj["force"] = force
            out_params = {o.param for o in outputs}
            if inputs is None:
                names = [p.name for p in ctx.command.params
                         if isinstance(p.type, click.Path) and p.name not in out_params]
            else:
                names = list(inputs)
            remember_inputs(*(kwargs.get(n) for n in names))
            remember_inputs(*(kwargs[n] for n in extra_inputs if kwargs.get(n) and Path(kwargs[n]).exists()))
            targets = []
            for out in outputs:
                value = kwargs.get(out.param)
                if value:
                    targets += [(p, out.suffixes, out.what) for p in out.files(Path(value), kwargs)]
            check_outputs(targets, force)
            if pass_force:
                kwargs["force"] = force
            return func(*args, **kwargs)

        return wrapper

    return decorate
