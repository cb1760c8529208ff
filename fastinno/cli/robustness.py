"""Helpers of ``simulate`` and ``bootstrap``: model options, the printed summary, the output tables."""

from __future__ import annotations

import click

from .common import echo_table, write_outputs


def robustness_model_options(model, scope, standardize, form, constant=None, recombine=None) -> dict:
    """``model_options`` from the command-line options that were given (None = the model's own)."""
    opts = {}
    if constant is not None:
        opts["constant"] = constant
    if model == "combined":
        # the combined evaluation has its own normalisation (efficacy coefficients per year) and index
        for flag, value in (("--scope", scope), ("--standardize", standardize), ("--form", form)):
            if value is not None:
                raise click.UsageError(f"{flag} does not apply to --model combined (efficacy coefficients per year).")
    if recombine is not None:
        if model != "combined":
            raise click.UsageError(f"--recombine applies to --model combined, not {model!r}.")
        opts["recombine"] = recombine
    if scope is not None:
        opts["scope"] = scope
    if standardize is not None:
        opts["standardize"] = standardize
    if form is not None:
        if model in ("gra", "weighted-sum"):
            raise click.UsageError(f"--form applies to the ideal-solution models, not {model!r}.")
        opts["form"] = form
    return opts


def echo_robustness(panel, res, what: str, show: int) -> None:
    """Print the run line, the per-year rank agreement and the most / least stable regions."""
    import polars as pl

    click.echo(click.style(repr(panel), bold=True))
    opts = res.options
    n = opts.get("draws", opts.get("replicates"))
    secs = opts.get("seconds", 0.0)
    rate = f", {n / secs:,.0f} {what}/s" if secs > 0 else ""
    exact = opts.get("quantiles") == "exact"
    quant = "exact" if exact else f"within {res.index_resolution:.1e}"
    ranks = "exact" if opts.get("ranks", "exact") == "exact" else f"in bins of {res.rank_resolution} ranks"
    click.echo(f"{n:,} {what} in {secs:.2f} s{rate}; seed {res.seed}; index quantiles {quant}; "
               f"rank quantiles {ranks}")
    ag = res.agreement.with_columns(pl.col("mean_abs_rank_shift").alias("mean_|rank_shift|")).drop(
        "mean_abs_rank_shift")
    echo_table(ag, max_rows=40, title="Spearman rho of each draw's ranking with the base ranking, per year")
    cols = ["region", "rank_width", "base_rank", "mean_rank"]
    echo_table(res.most_stable(show).select(cols), title="Most stable regions (narrowest 90% rank interval, mean over years)",
               float_precision=1)
    echo_table(res.least_stable(show).select(cols), title="Least stable regions (widest 90% rank interval)",
               float_precision=1)


def write_robustness(res, out_path, extra=()) -> None:
    """The summary at ``out_path``; the agreement and the ``extra`` tables next to it."""
    write_outputs(res.summary, out_path, [("agreement", res.agreement), *((name, getattr(res, name)) for name in extra)])
