"""``fastinno forecast``: GM(1,1) forecasts of a scores table."""

from __future__ import annotations

import click

from .._config import FORECAST_MAX_HORIZON
from .common import echo_table, save_output_figure, write_output
from .options import figure_output, table_output, writes


@click.command(epilog="""\b
Examples:
  fastinno evaluate --demo --out scores.csv
  fastinno forecast scores.csv --horizon 3 --out forecast.csv --plot forecast.png --region Beijing
""")
@writes(table_output(), figure_output("plot_path"))
@click.argument("scores", type=click.Path(exists=True, dir_okay=False))
@click.option("--column", default="index", show_default=True, help="Score column to forecast.")
@click.option("--horizon", type=click.IntRange(min=1), default=3, show_default=True,
              help=f"Years to forecast, 1 to {FORECAST_MAX_HORIZON}; longer than the series warns.")
@click.option("--by", default="region", show_default=True, help="Group column.")
@click.option("--year-col", "year", default="year", show_default=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Table file (.csv/.parquet/.xlsx/.json).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Plot one group (--region) to .png/.svg.")
@click.option("--region", default=None, help="Group to plot (default: the first).")
def forecast(scores, column, horizon, by, year, out_path, plot_path, region) -> None:
    """GM(1,1) fit and forecast of a score COLUMN for every region of a SCORES table."""
    import polars as pl

    from ..io.read import read_table
    from ..methods.forecast import forecast as gm_forecast
    from ..plots import gm11_plot

    df = read_table(scores, what="Scores")
    res = gm_forecast(df, column=column, horizon=horizon, by=by, year=year)
    table = res.forecasts
    fits = res.fits.drop("first_year", "last_year").join(
        table.filter(pl.col("kind") == "forecast").group_by(by, maintain_order=True)
        .agg(pl.col("value").alias("forecast")),
        on=by, how="left", maintain_order="left",
    )
    fits = fits.with_columns(pl.col("forecast").list.eval(pl.element().round(4)).cast(pl.List(pl.String)).list.join(", "))
    echo_table(fits, max_rows=200, title=f"GM(1,1) forecasts of {column!r}, horizon {horizon}")
    if out_path:
        write_output(table, out_path)
    if plot_path:
        groups = table[by].unique(maintain_order=True).to_list()
        save_output_figure(gm11_plot(table, region=region if region is not None else groups[0], by=by), plot_path)
