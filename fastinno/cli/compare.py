"""``fastinno compare``: many ranking configurations (method x weighting x normalization) side by
side, their rank correlations, agreement, order reversals and rank stability."""

from __future__ import annotations

from pathlib import Path

import click

from .._options import option
from .common import echo_table, save_output_figure, write_output
from .options import choice_option, figure_output, folder_output, panel_options, writes

TABLE_FORMATS = ("csv", "parquet", "xlsx")
TABLES = ("scores", "correlation", "agreement", "reversals", "stability")
"""The tables written into --out as ``compare_<name>.<format>``, with ``compare.png``."""


def _names(kind: str):
    """click callback: comma-separated values of option ``kind``, checked and canonical (None stays)."""

    def callback(ctx, param, value):  # noqa: ARG001
        if value is None:
            return None
        items = [v.strip() for v in value.split(",") if v.strip()]
        if not items:
            raise click.BadParameter("give at least one value", param_hint=f"--{param.name}")
        try:
            return tuple(option(kind).check(v) for v in items)
        except Exception as exc:  # InputError: the unknown value and the choices
            raise click.BadParameter(str(exc), param_hint=f"--{param.name}") from None

    return callback


def _normalize_list(ctx, param, value):  # noqa: ARG001
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    try:
        return tuple(None if v in ("own", "default") else option("standardize").check(v) for v in items)
    except Exception as exc:
        raise click.BadParameter(str(exc), param_hint="--normalize") from None


def _files(params):
    return [*(f"compare_{name}.{params['fmt']}" for name in TABLES), "compare.png"]


@click.command(epilog="""\b
Examples:
  fastinno compare --demo
  fastinno compare --demo --methods topsis,gra --weights equal,entropy --normalize own,minmax --out compare
""")
@writes(folder_output("out_dir", _files), figure_output("plot_path"))
@panel_options()
@click.option("--methods", callback=_names("method"), default=None, metavar="NAME,...",
              help="Comma-separated ranking methods (default: every registered one except hew-topsis). "
              f"Known: {', '.join(option('method').choices)}.")
@click.option("--weights", callback=_names("weights"), default=None, metavar="NAME,...",
              help="Comma-separated weightings (default: those of equal, entropy, critic that are registered). "
              f"Known: {', '.join(option('weights').choices)}.")
@click.option("--normalize", callback=_normalize_list, default=None, metavar="NAME,...",
              help="Comma-separated normalizations; 'own' = each method's own (the default). "
              f"Known: {', '.join(option('standardize').choices)}.")
@click.option("--correlations", callback=_names("correlation"), default=None, metavar="NAME,...",
              help="Comma-separated rank correlations (default: those of spearman, ws, rw that are registered). "
              f"Known: {', '.join(option('correlation').choices)}.")
@choice_option("--by", name="by", default="year", show_default=True,
               lead="Each year's cross-section, or all region-years pooled:")
@click.option("--reversals/--no-reversals", default=True, show_default=True,
              help="Count the order reversals of every pair of configurations (the costliest part).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Regions drawn in the figure and shown as least stable.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Write the tables (compare_<table>.<format>) and the figure compare.png into this folder.")
@click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), default="csv", show_default=True)
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="The figure alone (.png/.svg/.pdf).")
def compare(panel, methods, weights, normalize, correlations, by, reversals, top, out_dir, fmt,
            plot_path) -> None:
    """Rank the panel with many configurations and measure how far they agree.

    A configuration is method/weights/normalize (e.g. topsis/entropy/vector). Prints the
    agreement per year (Kendall's W, mean correlations), the most and least similar
    configurations and the regions whose rank moves most.
    """
    import polars as pl

    from ..methods.compare import compare_methods
    from ..plots.compare import method_comparison

    if normalize is not None and len(normalize) == 1:
        normalize = normalize[0]
    res = compare_methods(panel, methods=methods, weights=weights, normalize=normalize, by=by,
                          correlations=correlations, reversals=reversals)
    o = res.options
    click.echo(click.style(repr(panel), bold=True))
    click.echo(f"{len(res.configs)} configurations: {', '.join(res.configs)}")
    echo_table(res.agreement, max_rows=60, title="Agreement per year (Kendall's W; mean pairwise correlations)")
    if o["correlations"]:
        coef = o["correlations"][0]
        mean = (res.correlation.filter(pl.col("coefficient") == coef)
                .group_by("config_a", "config_b").agg(pl.col("value").mean()).sort("value"))
        echo_table(mean.head(5), title=f"Least similar configurations (mean {coef})")
    if res.reversals.height:
        rev = (res.reversals.group_by("config_a", "config_b").agg(pl.col("share").mean())
               .sort("share", descending=True))
        echo_table(rev.head(5), title="Most order reversals (mean share of region pairs)")
    last = res.stability.filter(pl.col("year") == res.stability["year"].max()) if by == "year" else res.stability
    echo_table(last.sort("rank_range", descending=True).head(top), max_rows=top,
               title="Least stable regions (rank range across configurations)")
    fig = None
    if out_dir or plot_path:
        fig = method_comparison(res.correlation, res.scores, top=top)
    if out_dir:
        out = Path(out_dir)
        for name in TABLES:
            write_output(getattr(res, name), out / f"compare_{name}.{fmt}")
        save_output_figure(fig, out / "compare.png")
    if plot_path:
        save_output_figure(fig, plot_path)
