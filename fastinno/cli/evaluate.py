"""``fastinno evaluate``: the hierarchical equal-weight ideal-solution index, or (with
``--method``) any registered ranking method with a weighting and a normalization."""

from __future__ import annotations

import click

from .common import echo_table, echo_top_by_year, write_outputs
from .firstrun import notices_first_run
from .options import (
    choice_option,
    model_options,
    out_file_option,
    panel_options,
    table_output,
    top_option,
    writes,
)


@click.command(epilog="""\b
Examples:
  fastinno evaluate --demo --scope year --standardize minmax --out scores.csv
  fastinno evaluate --demo --method topsis --weights entropy --normalize vector --top 3
""")
@writes(table_output(companions=lambda params: ("growth", "yoy", "weights") if params.get("method") is None
                     else ("weights",)))
@panel_options()
@click.option("--model", type=click.Choice(["hew-topsis"]), default="hew-topsis", show_default=True,
              help="Evaluation model: hierarchical equal-weight ideal-solution model (dynamic TOPSIS).")
@model_options(defaults=True)
@choice_option("--method", name="method", default=None,
               lead="Rank with a registered method instead of the model (--weights, --normalize and --by "
               "then apply; --scope, --standardize, --form and --constant do not):")
@choice_option("--weights", name="weights", default=None,
               lead="Indicator weights of --method (objective ones per year; default critic):")
@choice_option("--normalize", name="standardize", default=None,
               lead="Normalization of --method (default minmax, or the method's own):")
@choice_option("--by", name="by", default="year", show_default=True, lead="Cells of --method:")
@top_option("year")
@out_file_option("Write the scores table (.csv, .parquet or .xlsx); growth, year-on-year rates and "
                 "weights go next to it with suffixes _growth, _yoy, _weights.")
@notices_first_run("ideal_solution")
def evaluate(panel, model, scope, standardize, form, constant, method, weights, normalize, by, top,
             out_path) -> None:
    """Composite index per region and year with sub-indices per dimension and growth rates.

    Runs the hierarchical equal-weight ideal-solution model (weights split equally at every level
    of the indicator system unless the system fixes them), prints the top regions of each year
    and the compound annual growth of the index, and writes the tables with --out.
    """
    import polars as pl

    if method is not None:
        _evaluate_method(panel, method, weights, normalize, by, top, out_path)
        return
    from ..methods.ideal_solution import hew_topsis

    res = hew_topsis(panel, scope=scope, standardize=standardize, form=form, constant=constant)
    click.echo(click.style(repr(panel), bold=True))
    click.echo(f"Model: {model}; scope={scope}; standardize={standardize}; form={form}; "
               f"sub-indices: {', '.join(res.columns[1:]) or 'none'}")
    click.echo(click.style(f"Top {top} regions by year (index)", bold=True))
    echo_top_by_year(res.top(top), "index")
    growth = (
        res.growth.with_columns(pl.col("cagr").fill_nan(None))
        .pivot(on="column", index="region", values="cagr")
        .sort("index", descending=True, nulls_last=True)
    )
    first, last = panel.years[0], panel.years[-1]
    echo_table(
        growth.with_columns(pl.exclude("region") * 100.0),
        max_rows=30,
        title=f"Compound annual growth {first}-{last}, % (index and sub-indices; best first)",
        float_precision=2,
    )
    if out_path:
        write_outputs(res.scores, out_path, [(name, getattr(res, name)) for name in ("growth", "yoy", "weights")])


def _evaluate_method(panel, method, weights, normalize, by, top, out_path) -> None:
    """``--method``: :func:`fastinno.evaluate` with the registry's method, weighting and normalization."""
    from ..methods.evaluate import evaluate as evaluate_method

    kwargs = {"method": method, "by": by}
    if weights is not None:
        kwargs["weights"] = weights
    if normalize is not None:
        kwargs["normalize"] = normalize
    res = evaluate_method(panel, **kwargs)
    o = res.options
    click.echo(click.style(repr(panel), bold=True))
    click.echo(f"Method: {o['method']}; weights={o['weights']}; normalize={o['normalize'] or 'internal'}; by={by}; "
               f"{'higher' if res.higher_is_better else 'lower'} score is better")
    click.echo(click.style(f"Top {top} regions by {'year' if by == 'year' else 'region-year'} (rank 1 = best)",
                           bold=True))
    if by == "year":
        echo_top_by_year(res.top(top).rename({"score": o["method"]}), o["method"])
    else:
        echo_table(res.scores.sort("rank").head(top).select("rank", "region", "year", "score"), max_rows=top)
    if out_path:
        write_outputs(res.scores, out_path, [("weights", res.weights)])
