"""``fastinno spatial``: spatial structure of a scores table: global Moran's I, local Moran (LISA)
clusters and, on request, a spatial Markov chain of score classes."""

from __future__ import annotations

from pathlib import Path

import click

from .common import echo_table, save_output_figure, write_output
from .disparity import out_files, table_or_folder
from .options import choice_option, figure_output, writes

_GEOJSON = (".geojson", ".json")


def table_names(params) -> list[str]:
    """The tables written for these parameters (``moran`` first)."""
    names = ["moran", "lisa"]
    if params.get("with_markov"):
        names += ["markov_transitions", "markov_ergodic", "markov_first_passage", "markov_cuts"]
    return names


def load_neighbours(path, key: str, contiguity: str):
    """Neighbours from a GeoJSON file or a region, neighbour table file."""
    from ..io.read import read_table
    from ..regional.neighbours import neighbours

    source = path if str(path).lower().endswith(_GEOJSON) else read_table(path, what="Neighbour table")
    return neighbours(source, key=key, contiguity=contiguity)


@click.command(epilog="""\b
Examples:
  fastinno evaluate --demo --out scores.csv
  fastinno spatial scores.csv --neighbours links.csv --markov --classes 3 --out spatial --plot moran.png
""")
@writes(table_or_folder("out_path", table_names, "spatial"), figure_output("plot_path"))
@click.argument("scores", type=click.Path(exists=True, dir_okay=False))
@click.option("--neighbours", "neighbours_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="GeoJSON of the regions (.geojson/.json) or a table (csv/parquet/xlsx) of links: region, neighbour.")
@click.option("--column", default="index", show_default=True, help="Score column to analyse.")
@click.option("--key", default="code", show_default=True, help="GeoJSON feature property naming the region.")
@choice_option("--contiguity", name="contiguity", default="queen", show_default=True,
               lead="Neighbours in a GeoJSON:")
@click.option("--permutations", type=click.IntRange(min=0), default=999, show_default=True,
              help="Random permutations for the pseudo p-values (0 = none).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the permutations.")
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05,
              show_default=True, help="Significance level of the LISA clusters.")
@click.option("--markov", "with_markov", is_flag=True,
              help="Also a spatial Markov chain: class transitions conditioned on the neighbours' class (Rey 2001).")
@click.option("--classes", type=click.IntRange(min=2), default=5, show_default=True,
              help="Quantile classes of the Markov chain.")
@click.option("--year", type=int, default=None, help="Year of the Moran scatter and the clusters shown (default: the last).")
@click.option("--out", "out_path", type=click.Path(),
              help="A table file (.csv/.parquet/.xlsx/.json: global Moran's I; the other tables go next to it "
                   "as <stem>_<table>) or a folder (spatial_<table>.csv).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Moran scatter (.png/.svg/.pdf).")
def spatial(scores, neighbours_path, column, key, contiguity, permutations, seed, alpha, with_markov, classes,
            year, out_path, plot_path) -> None:
    """Spatial autocorrelation of a score COLUMN of a SCORES table, year by year.

    SCORES has region, year and the column (e.g. `fastinno evaluate --out scores.csv`).
    """
    import polars as pl

    from ..errors import InputError
    from ..io.read import read_table
    from ..main_job.regional_step import moran_points
    from ..regional.dynamics import markov
    from ..regional.spatial import moran

    if not with_markov and click.get_current_context().get_parameter_source("classes").name != "DEFAULT":
        raise click.UsageError("--classes applies to --markov.")
    df = read_table(scores, what="Scores")
    nb = load_neighbours(neighbours_path, key, contiguity)
    res = moran(df, column=column, neighbours=nb, permutations=permutations, seed=seed, alpha=alpha)
    years = res.global_["year"].to_list()
    if year is None:
        year = years[-1]
    elif year not in years:
        raise InputError(f"--year {year} is not in the scores; they have {years[0]}-{years[-1]}.")
    click.echo(click.style(f"Spatial structure of {column!r}: {res.headline()}", bold=True))
    echo_table(res.global_, max_rows=200, title="Global Moran's I")
    points = moran_points(df, nb, column=column, local=res.local)
    sig = (points.filter((pl.col("year") == year) & (pl.col("cluster") != "ns"))
           .select("region", "cluster", "local_i", "p_value").sort("cluster", "region"))
    if sig.height:
        echo_table(sig, max_rows=100, title=f"Significant LISA clusters in {year} (alpha {alpha})")
    else:
        click.echo(f"No significant LISA cluster in {year} (alpha {alpha}).")
    tables = {"moran": res.global_, "lisa": points}
    if with_markov:
        mk = markov(df, column=column, classes=classes, neighbours=nb)
        wide = (mk.transitions.with_columns(pl.format("to_{}", "to_class").alias("to"))
                .pivot(on="to", index=["lag_class", "from_class"], values="probability", aggregate_function="first"))
        echo_table(wide, max_rows=200, title="Spatial Markov transition probabilities (by the neighbours' lag class)")
        tables.update({f"markov_{k}": v for k, v in mk.tables().items()})
    if out_path:
        names = table_names({"with_markov": with_markov})
        for name, path in zip(names, out_files(Path(out_path), names, "spatial")):
            write_output(tables[name], path)
    if plot_path:
        from ..plots import moran_scatter

        i = res.global_.filter(pl.col("year") == year)["moran_i"][0]
        save_output_figure(moran_scatter(points, year=year, moran_i=i, column=column), plot_path)
