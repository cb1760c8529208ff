"""``fastinno combine``: the combined evaluation (four single methods, drift-degree combination)."""

from __future__ import annotations

import click

from .._options import option
from .common import echo_table, echo_top_by_year, write_outputs
from .options import choice_option, out_file_option, panel_options, table_output, top_option, writes


@click.command(epilog="""\b
Examples:
  fastinno combine --demo --top 3
  fastinno combine --demo --methods entropy,topsis,gra --by panel --out combined.csv
""")
@writes(table_output(companions=lambda params: ("method_weights", "compatibility", "kendall_w")))  # noqa: ARG005
@panel_options()
@click.option(
    "--methods",
    default=",".join(option("combined_method").choices),
    show_default=True,
    help=f"Comma-separated single methods: {', '.join(option('combined_method').choices)}.",
)
@choice_option("--by", name="by", default="year", show_default=True,
               lead="Each year's cross-section, or all region-years pooled:")
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Significance level of the compatibility test.")
@click.option("--rho", type=float, default=0.5, show_default=True, help="Grey distinguishing coefficient.")
@choice_option("--weights", name="weighting", default="entropy", show_default=True,
               lead="Indicator weights used by TOPSIS and GRA:")
@choice_option("--spearman", "spearman_method", name="spearman_method", default="pearson", show_default=True,
               lead="Spearman variant:")
@choice_option("--constant", name="constant", default="error", show_default=True,
               lead="An indicator constant within a period:")
@top_option("period")
@out_file_option("Write the scores table (.csv, .parquet or .xlsx); method weights, compatibility and "
                 "Kendall's W go next to it with suffixes _method_weights, _compatibility, _kendall_w.")
def combine(panel, methods, by, alpha, rho, weights, spearman_method, constant, top, out_path) -> None:
    """Combined evaluation (entropy, maximum deviation, TOPSIS, GRA -> drift-degree combination).

    Runs per period for the whole index and every dimension, tests the methods' compatibility
    (Spearman, Kendall's W) and prints the method weights, excluded methods and top regions.
    """
    import polars as pl

    from ..methods.combined import combined_evaluation

    names = tuple(m.strip() for m in methods.split(",") if m.strip())
    res = combined_evaluation(
        panel, methods=names, by=by, alpha=alpha, rho=rho, weights=weights,
        spearman_method=spearman_method, constant=constant,
    )
    click.echo(click.style(repr(panel), bold=True))
    click.echo(f"Methods: {', '.join(names)}; by={by}; alpha={alpha:g}; Spearman={spearman_method}")
    mw = (
        res.method_weights.filter(pl.col("dimension") == "index")
        .pivot(on="method", index="year", values="weight")
    )
    echo_table(mw, max_rows=60, title="Drift-degree method weights (whole index)")
    kw = res.kendall_w.filter(pl.col("dimension") == "index").select("year", "w", "chi2", "p_value")
    echo_table(kw, max_rows=60, title="Kendall's W of the methods (whole index)")
    excl = res.excluded_methods
    if excl.height:
        echo_table(excl, max_rows=60, title="Excluded methods (not compatible)")
    else:
        click.echo("Excluded methods: none (every method passed the compatibility test)")
    other = res.excluded.filter(~pl.col("reason").str.starts_with("not compatible"))
    if other.height:
        echo_table(other, max_rows=30, title="Other exclusions")
    top_df = res.top(top)
    click.echo(click.style(f"Top {top} regions on the combined score (whole index)", bold=True))
    if by == "year":
        echo_top_by_year(top_df, "combined")
    else:
        for row in top_df.iter_rows(named=True):
            click.echo(f"  {row['rank']}. {row['region']} {row['year']} ({row['combined']:.3f})")
    if out_path:
        write_outputs(res.scores, out_path,
                      [(name, getattr(res, name)) for name in ("method_weights", "compatibility", "kendall_w")])
