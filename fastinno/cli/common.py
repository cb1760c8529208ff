"""Helpers shared by the commands: loading the panel, remembering inputs, printing, writing.

Everything here is presentation or bookkeeping; the numbers come from the public API. Files are
written through :mod:`fastinno.io.write` (atomic, never over an input) and announced on stderr.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from .._options import option


def show_warning(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
    """Print fastinno warnings as one readable line; others the usual way."""
    from ..errors import FastinnoWarning

    if issubclass(category, FastinnoWarning):
        click.echo(f"Warning: {message}", err=True)
    else:  # pragma: no cover - third-party warnings
        click.echo(warnings.formatwarning(message, category, filename, lineno, line).rstrip(), err=True)


def remember_inputs(*paths) -> None:
    """Record input paths of the current command (outputs must not overwrite them)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.obj is not None:
        ctx.obj.setdefault("inputs", []).extend(str(p) for p in paths if p)


def cli_inputs() -> list[str]:
    """Paths given as inputs to the current command (outputs must not overwrite them)."""
    ctx = click.get_current_context(silent=True)
    return list(ctx.obj.get("inputs", [])) if ctx is not None and ctx.obj else []


def load_cli_panel(panel_path, system_path=None, *, missing="error", layout="auto", sheet=None, demo=False,
                   decimal=".", separator=None, **columns):
    """Load the panel named on the command line (or the demo panel) and remember the inputs.

    ``sheet`` is a name or a 0-based index given as digits; ``separator`` accepts ``tab`` or ``\\t``.
    """
    from ..data import datasets
    from ..data.read_panel import read_panel

    policy = [p.strip() for p in missing.split(",")] if missing else None
    if demo:
        if panel_path or system_path:
            raise click.UsageError("--demo uses the bundled panel: give either PANEL or --demo, not both.")
        return datasets.demo_panel() if policy is None else datasets.six_triangles(missing=policy)
    if not panel_path:
        raise click.UsageError("Missing argument 'PANEL' (a .csv, .parquet or .xlsx file), or use --demo.")
    remember_inputs(panel_path, system_path)
    sheet_arg = int(sheet) if sheet is not None and sheet.strip().isdigit() else sheet
    return read_panel(panel_path, system_path, layout=layout, missing=policy or "error", sheet=sheet_arg,
                      decimal=decimal, separator=separator, **columns)


def cli_force() -> bool:
    """Whether the current command was given ``--force`` (replace existing outputs)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.obj and ctx.obj.get("force"))


def check_outputs(targets, force: bool) -> None:
    """Check ``(path, suffixes, what)`` output targets before any work (see :func:`fastinno.io.write.check_output`).

    ``suffixes`` empty: any suffix. Two options naming the same file are refused too.
    """
    from ..errors import InputError
    from ..io.write import check_output

    seen: set[Path] = set()
    for path, suffixes, what in targets:
        check_output(path, suffixes=suffixes or None, force=force, inputs=cli_inputs(), what=what)
        key = Path(path).resolve()
        if key in seen:
            raise InputError(f"{what} {str(path)!r} is given for two outputs; choose distinct paths.")
        seen.add(key)


def _check_write(path) -> None:
    """The last check before a write: not an input, not an existing file unless ``--force``."""
    from ..io.write import check_output

    check_output(path, force=cli_force(), inputs=cli_inputs(), what="Output file")


def write_output(df, path) -> None:
    """Write a table atomically (format from the suffix) and say where it went."""
    from ..io.write import write_table

    _check_write(path)
    write_table(df, path, inputs=cli_inputs())
    click.echo(f"Wrote {path}", err=True)


def write_outputs(main, path, extras) -> None:
    """Write ``main`` to ``path`` and each ``(name, table)`` of ``extras`` next to it as ``<stem>_<name>``."""
    path = Path(path)
    write_output(main, path)
    for name, df in extras:
        write_output(df, path.with_name(f"{path.stem}_{name}{path.suffix}"))


def write_output_text(path, text: str) -> None:
    """Write a text file atomically and say where it went."""
    from ..io.write import write_text

    _check_write(path)
    write_text(path, text, inputs=cli_inputs())
    click.echo(f"Wrote {path}", err=True)


def save_output_figure(fig_or_ax, path) -> None:
    """Save a figure atomically (PNG/SVG/PDF from the suffix) and say where it went."""
    from ..io.write import save_figure

    _check_write(path)
    save_figure(fig_or_ax, path, inputs=cli_inputs())
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


def echo_top_by_year(top_df, column: str) -> None:
    """One line per year: ``  2017: A (0.912), B (0.871), ...`` from a summary with region and ``column``."""
    for (year,), grp in top_df.group_by("year", maintain_order=True):
        click.echo(f"  {year}: " + ", ".join(f"{r} ({v:.3f})" for r, v in zip(grp["region"], grp[column])))


def parse_top_k(text: str) -> tuple[int, ...]:
    """``--top-k``: comma-separated integers >= 1."""
    try:
        ks = tuple(int(k) for k in text.split(",") if k.strip())
    except ValueError:
        raise click.BadParameter(f"--top-k must be comma-separated integers; got {text!r}.") from None
    if not ks or min(ks) < 1:
        raise click.BadParameter(f"--top-k needs integers >= 1; got {text!r}.")
    return ks


def backend_kwargs(workers, scheduler, scheduler_timeout=None) -> dict:
    """``--workers`` / ``--scheduler`` / ``--scheduler-timeout`` as keyword arguments of
    :func:`simulate` / :func:`bootstrap`."""
    if workers is not None and scheduler is not None:
        raise click.UsageError("give either --workers or --scheduler, not both.")
    if scheduler_timeout is not None and scheduler is None:
        raise click.UsageError("--scheduler-timeout applies to --scheduler.")
    if workers is None and scheduler is None:
        return {}
    return {"backend": option("backend").check("dask"), "n_workers": workers, "scheduler": scheduler,
            "scheduler_timeout": scheduler_timeout}
