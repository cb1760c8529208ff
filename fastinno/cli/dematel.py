"""``fastinno dematel``: key factors from an expert survey (grey or crisp DEMATEL)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import echo_table, remember_inputs, save_output_figure, write_output, write_output_text
from .options import choice_option, figure_output, folder_output, writes

TABLE_FORMATS = ("csv", "parquet", "xlsx")
TABLES = ("dematel_factors", "dematel_relations", "dematel_total_relation", "dematel_orderings")
"""The tables written into --out (plus dematel_options.json)."""


def expert_weights_value(value):
    """--expert-weights: a file, 'equal', or comma-separated labels/numbers in survey order."""
    if value is None or value.strip().lower() == "equal":
        return None
    if Path(value).exists():
        return value
    items = [v.strip() for v in value.split(",") if v.strip()]
    out = []
    for v in items:
        try:
            out.append(float(v))
        except ValueError:
            out.append(v)
    return out


def threshold_value(text: str):
    """--threshold: a number, or a rule such as mean / mean+1sd passed on as text."""
    try:
        return float(text)
    except ValueError:
        return text


@click.command(epilog="""\b
Examples:
  fastinno dematel --demo
  fastinno dematel --demo --replicates 500 --seed 1 --out dematel --plot cause_effect.png
""")
@writes(folder_output("out_dir", lambda params: [*(f"{name}.{params['fmt']}" for name in TABLES), "dematel_options.json"]),
        figure_output("plot_path"), extra_inputs=("weights", "scale"))
@click.argument("survey", required=False, type=click.Path(exists=True))
@click.option("--factors", type=click.Path(exists=True, dir_okay=False), help="Factor table: code, name, group.")
@click.option(
    "--expert-weights",
    "weights",
    default=None,
    help="Weights file (expert,weight with numbers or NI/LI/I/MI/VI; or expert,lower,upper), "
    "'equal', or comma-separated labels/numbers in survey order.  [default: equal]",
)
@click.option("--scale", default="paper", show_default=True, help="paper (codes 1-5 / N,VL,L,H,VH), 0-4, or a TOML file.")
@choice_option("--cfcs-scope", name="cfcs_scope", default="global", show_default=True,
               lead="Where the CFCS defuzzification takes its bounds:")
@choice_option("--aggregation", name="aggregation", default="cfcs_then_mean", show_default=True,
               lead="How the experts' grey judgements are combined:")
@choice_option("--normalization", name="normalization", default="row", show_default=True,
               lead="Normalisation of the direct-relation matrix:")
@click.option("--threshold", default="mean", show_default=True, help="mean, mean+<k>sd, or a number.")
@click.option(
    "--replicates",
    "--bootstrap",
    "bootstrap",
    type=click.IntRange(min=0),
    default=0,
    is_flag=False,
    flag_value=2000,
    show_default=True,
    help="Expert resamples (--replicates alone: 2000; --bootstrap is the old name).",
)
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Bootstrap seed.")
@click.option("--crisp", is_flag=True, help="Plain DEMATEL: numeric matrices averaged, no grey scale.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Write the tables into this folder.")
@click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), default="csv", show_default=True)
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Cause-effect diagram (.png/.svg/.pdf).")
@click.option("--demo", is_flag=True, help="Use the bundled illustrative survey (synthetic, 6 experts x 12 factors).")
def dematel(survey, factors, weights, scale, cfcs_scope, aggregation, normalization, threshold,
            bootstrap, seed, crisp, out_dir, fmt, plot_path, demo) -> None:
    """Grey-DEMATEL key factors from an expert SURVEY (or plain DEMATEL with --crisp).

    SURVEY is a long table (expert, from, to, score) as CSV/Parquet/Excel, a folder of per-expert
    matrix CSVs, or an Excel workbook with one sheet per expert.
    """
    from ..methods.dematel import dematel as crisp_dematel
    from ..methods.dematel import grey_dematel
    from ..plots import cause_effect_diagram

    if demo:
        from ..data.datasets import data_path

        if survey:
            raise click.UsageError("--demo uses the bundled survey: give either SURVEY or --demo, not both.")
        d = data_path("survey")
        survey = str(d / "survey_long.csv")
        factors = factors or str(d / "factors.csv")
        weights = weights or str(d / "expert_weights.csv")
        click.echo("Demo: illustrative synthetic survey (not published data), 6 experts x 12 factors.", err=True)
    if not survey:
        raise click.UsageError("Missing argument 'SURVEY' (a survey table, a folder of matrices), or use --demo.")
    remember_inputs(survey, factors, weights if weights and Path(weights).exists() else None,
                    scale if Path(scale).exists() else None)
    common = dict(factors=factors, normalization=normalization, threshold=threshold_value(threshold),
                  replicates=bootstrap, seed=seed)
    if crisp:
        res = crisp_dematel(survey, weights=expert_weights_value(weights), **common)
    else:
        res = grey_dematel(survey, scale=scale, expert_weights=expert_weights_value(weights),
                           cfcs_scope=cfcs_scope, aggregation=aggregation, **common)
    show = [c for c in ("code", "name", "R", "C", "prominence", "relation", "role", "p_cause")
            if c in res.factors.columns]
    echo_table(res.factors.select(show), max_rows=100, title=f"DEMATEL factors ({len(res.experts)} experts)")
    for key, label in (("prominence", "Prominence R+C"), ("relation", "Relation R-C"), ("R", "Influence R"),
                       ("C", "Influenced C")):
        click.echo(f"{label}: {res.orderings[key]}")
    n_above = int(res.relations["above_threshold"].sum())
    click.echo(f"Threshold {res.threshold:.6g}: {n_above} of {res.relations.height} relations above it.")
    if "n_valid_resamples" in res.options:
        click.echo(f"Bootstrap: {res.options['n_valid_resamples']} resamples, seed {res.options['seed']}.")
    if out_dir:
        write_dematel_tables(res, Path(out_dir), fmt)
    if plot_path:
        save_output_figure(cause_effect_diagram(res), plot_path)


def write_dematel_tables(res, out: Path, fmt: str) -> None:
    """The factor, relation, total-relation and ordering tables plus the options as JSON into ``out``."""
    import json

    import polars as pl

    orderings = pl.DataFrame({"measure": list(res.orderings), "ordering": list(res.orderings.values())})
    for name, df in zip(TABLES, (res.factors, res.relations, res.total_relation, orderings)):
        write_output(df, out / f"{name}.{fmt}")
    opts = {k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v))
            for k, v in res.options.items()}
    opts["experts"] = list(res.experts)
    opts["expert_weights"] = [float(w) for w in res.expert_weights]
    write_output_text(out / "dematel_options.json", json.dumps(opts, indent=2) + "\n")

