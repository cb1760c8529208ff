"""``fastinno disparity``: regional disparities of a scores table (CV, Gini, Theil, Dagum), with
group decompositions, bootstrap intervals and, on request, sigma and beta convergence."""

from __future__ import annotations

from pathlib import Path

import click

from .._options import option
from .common import echo_table, save_output_figure, write_output
from .options import TABLE_SUFFIXES, Output, figure_output, writes

MEASURES = ("cv", "gini", "theil_t", "theil_l", "dagum")


def _measures(ctx, param, value):  # noqa: ARG001
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise click.BadParameter("give at least one measure", param_hint="--measures")
    try:
        return tuple(option("measure").check(v) for v in items)
    except Exception as exc:  # InputError: the unknown value and the choices
        raise click.BadParameter(str(exc), param_hint="--measures") from None


def table_names(params) -> list[str]:
    """The tables written for these parameters (``overall`` first)."""
    grouped = bool(params.get("groups_path"))
    measures = params.get("measures") or MEASURES
    names = ["overall"]
    if grouped and "theil_t" in measures:
        names += ["theil", "theil_groups"]
    if grouped and "dagum" in measures:
        names += ["dagum", "dagum_within", "dagum_between"]
    if params.get("with_convergence"):
        names += ["beta", "sigma", "sigma_trend"]
    return names


def out_files(path: Path, names: list[str], prefix: str) -> list[Path]:
    """A table file (``path`` holds the first table, ``<stem>_<name>`` the others) or a folder of
    ``<prefix>_<name>.csv``."""
    if path.suffix.lower() in TABLE_SUFFIXES:
        return [path, *(path.with_name(f"{path.stem}_{n}{path.suffix}") for n in names[1:])]
    return [path / f"{prefix}_{n}.csv" for n in names]


def table_or_folder(param: str, names, prefix: str) -> Output:
    """``--out``: a table file with companions, or a folder (any path without a table suffix)."""
    return Output(param, "Output file", (), lambda path, params: out_files(path, names(params), prefix))


def read_groups(path, column):
    """Region -> group from a table file (``region`` and a group column)."""
    from ..data.groups import group_labels
    from ..errors import InputError
    from ..io.read import read_table

    table = read_table(path, what="Groups table")
    if "region" not in table.columns:
        raise InputError(f"Groups table {str(path)!r} has no 'region' column; its columns are "
                         f"{', '.join(table.columns)}.")
    import polars as pl

    table = table.with_columns(pl.all().cast(pl.String))
    regions = table["region"].drop_nulls().unique(maintain_order=True).to_list()
    return group_labels(table, regions, column=column)


@click.command(epilog="""\b
Examples:
  fastinno evaluate --demo --out scores.csv
  fastinno disparity scores.csv --bootstrap 200 --convergence --out disparity --plot trends.png
""")
@writes(table_or_folder("out_path", table_names, "disparity"), figure_output("plot_path"))
@click.argument("scores", type=click.Path(exists=True, dir_okay=False))
@click.option("--column", default="index", show_default=True, help="Score column to analyse.")
@click.option("--groups", "groups_path", type=click.Path(exists=True, dir_okay=False),
              help="Table (csv/parquet/xlsx) of region and group: decomposes Theil T and the Gini (Dagum).")
@click.option("--group-column", default=None, help="The group column of --groups when it has several.")
@click.option("--measures", callback=_measures, default=None, metavar="NAME,...",
              help=f"Comma-separated measures among {', '.join(MEASURES)} (default all; dagum needs --groups).")
@click.option("--bootstrap", type=click.IntRange(min=0), default=0, show_default=True,
              help="Bootstrap replicates over regions (within groups) for 95% intervals; 0 = none.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the bootstrap.")
@click.option("--convergence", "with_convergence", is_flag=True,
              help="Also sigma convergence (CV per year and its trend) and beta convergence.")
@click.option("--out", "out_path", type=click.Path(),
              help="A table file (.csv/.parquet/.xlsx/.json; the other tables go next to it as "
                   "<stem>_<table>) or a folder (disparity_<table>.csv).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help="Figure (.png/.svg/.pdf): the Dagum decomposition with --groups, else the measures per year.")
def disparity(scores, column, groups_path, group_column, measures, bootstrap, seed, with_convergence, out_path,
              plot_path) -> None:
    """Disparities of a score COLUMN across the regions of a SCORES table, year by year.

    SCORES has region, year and the column (e.g. `fastinno evaluate --out scores.csv`).
    """
    from ..io.read import read_table
    from ..regional.convergence import convergence
    from ..regional.disparity import disparity as api

    if group_column and not groups_path:
        raise click.UsageError("--group-column applies to --groups.")
    df = read_table(scores, what="Scores")
    groups = read_groups(groups_path, group_column) if groups_path else None
    kw = {"measures": measures} if measures else {}
    res = api(df, column=column, groups=groups, bootstrap=bootstrap, seed=seed, **kw)
    click.echo(click.style(f"Disparities of {column!r}: {res.headline()}", bold=True))
    wide = res.overall.pivot(on="measure", index="year", values="value", aggregate_function="first")
    echo_table(wide, max_rows=200, title="Per year")
    if res.dagum is not None:
        echo_table(res.dagum.select("year", "gini", "within", "net_between", "transvariation"), max_rows=200,
                   title="Dagum decomposition of the Gini coefficient")
    tables = {name: df for name, df in res.tables().items()}
    if with_convergence:
        conv = convergence(df, column=column, groups=groups)
        echo_table(conv.sigma_trend, title="Sigma convergence (trend of the CV; < 0 = converging)")
        echo_table(conv.beta, max_rows=60, title="Beta convergence")
        tables.update(conv.tables())
    if out_path:
        names = table_names({"groups_path": groups_path, "measures": measures, "with_convergence": with_convergence})
        for name, path in zip(names, out_files(Path(out_path), names, "disparity")):
            write_output(tables[name], path)
    if plot_path:
        from ..plots import dagum_contributions, disparity_trends

        fig = dagum_contributions(res.dagum) if res.dagum is not None else disparity_trends(res.overall)
        save_output_figure(fig, plot_path)
