"""Command-line interface: one thin click command per job. Parses, calls methods, writes files.

Every :class:`fastinno.errors.FastinnoError` becomes one ``Error: ...`` line on stderr and exit
status 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import sys
import traceback
import warnings

import click

from . import __version__
from .errors import FastinnoError


class FastinnoUsageError(click.ClickException):
    """A fastinno error shown as one line, exit status 2."""

    exit_code = 2


class FastinnoGroup(click.Group):
    """click group that turns fastinno errors into one readable line and exit status 2."""

    def invoke(self, ctx: click.Context):
        from .errors import FastinnoWarning

        try:
            with warnings.catch_warnings():
                # fastinno warnings say what was changed: always show them, as one line each.
                warnings.simplefilter("always", FastinnoWarning)
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except BrokenPipeError:  # output piped into `head` and the like
            sys.stderr.close()
            raise SystemExit(0) from None
        except (FastinnoError, OSError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            msg = str(exc) if isinstance(exc, FastinnoError) else f"{exc.strerror or exc}: {exc.filename}"
            raise FastinnoUsageError(msg) from exc


@click.group(cls=FastinnoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="fastinno")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """fastinno: composite innovation indices, key factors and forecasts for region panels."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# --- shared options and output helpers (issue 2) ---

_MISSING_CHOICES = ("error", "interpolate", "drop-indicator", "drop-region", "keep")


def _show_warning(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
    """Print fastinno warnings as one readable line; others the usual way."""
    from .errors import FastinnoWarning

    if issubclass(category, FastinnoWarning):
        click.echo(f"Warning: {message}", err=True)
    else:  # pragma: no cover - third-party warnings
        click.echo(warnings.formatwarning(message, category, filename, lineno, line).rstrip(), err=True)


def panel_options(default_missing: str = "error"):
    """Decorator: PANEL argument plus --system/--missing/--layout/column options and --demo.

    The decorated command receives ``panel`` (a loaded :class:`fastinno.panel.Panel`) instead
    of the raw options. ``--demo`` loads :func:`fastinno.datasets.demo_panel`.
    """

    def decorate(func):
        @click.argument("panel_path", metavar="PANEL", required=False, type=click.Path(dir_okay=False))
        @click.option("--system", "system_path", type=click.Path(dir_okay=False), help="Indicator-system TOML.")
        @click.option(
            "--missing",
            default=default_missing,
            show_default=True,
            help="Missing cells: error, interpolate, drop-indicator, drop-region, keep; "
            "comma-separated to chain (interpolate,drop-region).",
        )
        @click.option("--layout", type=click.Choice(["auto", "long", "wide"]), default="auto", show_default=True)
        @click.option("--sheet", default=None, help="Excel sheet name (Excel panels only).")
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
        def wrapper(*args, panel_path, system_path, missing, layout, sheet, region_col, year_col, indicator_col, value_col, demo, **kwargs):
            ctx = click.get_current_context()
            explicit = ctx.get_parameter_source("missing") is not click.core.ParameterSource.DEFAULT
            if demo and not explicit and default_missing == "error":
                missing = None  # the complete demo panel
            panel = load_cli_panel(
                panel_path, system_path, missing=missing, layout=layout, sheet=sheet, demo=demo,
                region=region_col, year=year_col, indicator=indicator_col, value=value_col,
            )
            return func(*args, panel=panel, **kwargs)

        return wrapper

    return decorate


def load_cli_panel(panel_path, system_path=None, *, missing="error", layout="auto", sheet=None, demo=False, **columns):
    """Load the panel named on the command line (or the demo panel) and remember the inputs."""
    from . import datasets
    from .panel import read_panel

    ctx = click.get_current_context(silent=True)
    policy = [p.strip() for p in missing.split(",")] if missing else None
    if demo:
        if panel_path or system_path:
            raise click.UsageError("--demo uses the bundled panel: give either PANEL or --demo, not both.")
        return datasets.demo_panel() if policy is None else datasets.six_triangles(missing=policy)
    if not panel_path:
        raise click.UsageError("Missing argument 'PANEL' (a .csv, .parquet or .xlsx file), or use --demo.")
    if ctx is not None and ctx.obj is not None:
        ctx.obj.setdefault("inputs", []).extend(p for p in (panel_path, system_path) if p)
    sheet_arg = int(sheet) if sheet is not None and sheet.isdigit() else sheet
    return read_panel(panel_path, system_path, layout=layout, missing=policy or "error", sheet=sheet_arg, **columns)


def cli_inputs() -> list[str]:
    """Paths given as inputs to the current command (outputs must not overwrite them)."""
    ctx = click.get_current_context(silent=True)
    return list(ctx.obj.get("inputs", [])) if ctx is not None and ctx.obj else []


def write_table(df, path) -> None:
    """Write a table atomically (format from the suffix) and say where it went."""
    from .io.write import write_table as _write

    _write(df, path, inputs=cli_inputs())
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


# --- inspect (issue 2) ---


@cli.command()
@panel_options(default_missing="keep")
def inspect(panel) -> None:
    """Describe a panel: regions, years, indicators with the hierarchy, missing cells, statistics.

    A report: missing cells are listed and the exit status is 0, unless --missing error is given.
    """
    from .errors import format_keys

    click.echo(click.style(repr(panel), bold=True))
    click.echo(f"Regions ({panel.n_regions}): {format_keys(panel.regions, limit=20)}")
    click.echo(f"Years ({panel.n_years}): {', '.join(str(y) for y in panel.years)}")
    n_dims = len(panel.system.dimensions)
    click.echo(f"Indicators ({panel.n_indicators}) in {n_dims or 1} dimension(s):")
    for line in panel.system.describe().splitlines():
        click.echo("  " + line)
    cells = panel.missing_cells
    if cells:
        click.echo(click.style(f"Missing cells ({len(cells)}):", fg="yellow", bold=True))
        by_series: dict[tuple[str, str], list[int]] = {}
        for r, y, j in cells:
            by_series.setdefault((r, j), []).append(y)
        for k, ((r, j), years) in enumerate(by_series.items()):
            if k == 50:
                click.echo(f"  ... and {len(by_series) - 50} more series")
                break
            span = "all years" if len(years) == panel.n_years else ", ".join(str(y) for y in years)
            click.echo(f"  {r} / {j}: {span}")
    else:
        click.echo("Missing cells: none")
    for note in panel.report:
        if not note.startswith("kept"):
            click.echo(f"Changed: {note}")
    echo_table(panel.summary().drop("direction"), max_rows=100, title="Per-indicator statistics")

# --- evaluate (issue 3) ---


def _dash_to_underscore(ctx, param, value):  # noqa: ARG001
    return value.replace("-", "_") if isinstance(value, str) else value


@cli.command()
@panel_options()
@click.option("--model", type=click.Choice(["hew-topsis"]), default="hew-topsis", show_default=True,
              help="Evaluation model: hierarchical equal-weight ideal-solution model (dynamic TOPSIS).")
@click.option("--scope", type=click.Choice(["panel", "region", "year"]), default="panel", show_default=True,
              help="Where max/min and the ideal points are taken: whole panel, each region, each year.")
@click.option("--standardize", type=click.Choice(["max_ratio", "max-ratio", "minmax", "vector", "zscore"]),
              default="max_ratio", show_default=True, callback=_dash_to_underscore,
              help="max_ratio (c/max, min/c), minmax (efficacy coefficient), vector or zscore.")
@click.option("--form", type=click.Choice(["ratio2", "closeness"]), default="ratio2", show_default=True,
              help="ratio2: F = d-^2/(d+^2 + d-^2) (the paper); closeness: d-/(d+ + d-).")
@click.option("--constant", type=click.Choice(["error", "drop", "zero"]), default="error", show_default=True,
              help="What to do with an indicator constant within a scope cell.")
@click.option("--top", type=int, default=5, show_default=True, help="Regions shown per year.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              help="Write the scores table (.csv, .parquet or .xlsx); growth, year-on-year rates and "
              "weights go next to it with suffixes _growth, _yoy, _weights.")
def evaluate(panel, model, scope, standardize, form, constant, top, out_path) -> None:  # noqa: ARG001
    """Composite index per region and year with sub-indices per dimension and growth rates.

    Runs the hierarchical equal-weight ideal-solution model (weights split equally at every level
    of the indicator system unless the system fixes them), prints the top regions of each year
    and the compound annual growth of the index, and writes the tables with --out.
    """
    from pathlib import Path

    import polars as pl

    from .methods.ideal_solution import hew_topsis

    res = hew_topsis(panel, scope=scope, standardize=standardize, form=form, constant=constant)
    click.echo(click.style(repr(panel), bold=True))
    click.echo(f"Model: {model}; scope={scope}; standardize={standardize}; form={form}; "
               f"sub-indices: {', '.join(res.columns[1:]) or 'none'}")
    top_df = res.top(top)
    click.echo(click.style(f"Top {top} regions by year (index)", bold=True))
    for (year,), grp in top_df.group_by("year", maintain_order=True):
        click.echo(f"  {year}: " + ", ".join(f"{r} ({v:.3f})" for r, v in zip(grp["region"], grp["index"])))
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
        path = Path(out_path)
        write_table(res.scores, path)
        for name in ("growth", "yoy", "weights"):
            write_table(getattr(res, name), path.with_name(f"{path.stem}_{name}{path.suffix}"))


# --- combine (issue 4) ---


@cli.command()
@panel_options()
@click.option(
    "--methods",
    default="entropy,max_deviation,topsis,gra",
    show_default=True,
    help="Comma-separated single methods: entropy, max_deviation, topsis, gra.",
)
@click.option("--by", type=click.Choice(["year", "panel"]), default="year", show_default=True,
              help="Each year's cross-section, or all region-years pooled.")
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Significance level of the compatibility test.")
@click.option("--rho", type=float, default=0.5, show_default=True, help="Grey distinguishing coefficient.")
@click.option("--weights", type=click.Choice(["entropy", "max_deviation", "equal"]), default="entropy",
              show_default=True, help="Indicator weights used by TOPSIS and GRA.")
@click.option("--spearman", "spearman_method", type=click.Choice(["pearson", "d2"]), default="pearson",
              show_default=True, help="Spearman variant: Pearson on average ranks, or 1 - 6 sum d^2/(n(n^2-1)).")
@click.option("--constant", type=click.Choice(["error", "drop", "zero"]), default="error", show_default=True,
              help="What to do with an indicator constant within a period.")
@click.option("--top", type=int, default=5, show_default=True, help="Regions shown per period.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False),
              help="Write the scores table (.csv, .parquet or .xlsx); method weights, compatibility and "
              "Kendall's W go next to it with suffixes _method_weights, _compatibility, _kendall_w.")
def combine(panel, methods, by, alpha, rho, weights, spearman_method, constant, top, out_path) -> None:
    """Combined evaluation (entropy, maximum deviation, TOPSIS, GRA -> drift-degree combination).

    Runs per period for the whole index and every dimension, tests the methods' compatibility
    (Spearman, Kendall's W) and prints the method weights, excluded methods and top regions.
    """
    from pathlib import Path

    import polars as pl

    from .methods.combined import combined_evaluation

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
        for (year,), grp in top_df.group_by("year", maintain_order=True):
            click.echo(f"  {year}: " + ", ".join(f"{r} ({v:.3f})" for r, v in zip(grp["region"], grp["combined"])))
    else:
        for row in top_df.iter_rows(named=True):
            click.echo(f"  {row['rank']}. {row['region']} {row['year']} ({row['combined']:.3f})")
    if out_path:
        path = Path(out_path)
        write_table(res.scores, path)
        for name in ("method_weights", "compatibility", "kendall_w"):
            write_table(getattr(res, name), path.with_name(f"{path.stem}_{name}{path.suffix}"))


# --- dematel, forecast (issue 5) ---


def _demo_survey_dir():
    from pathlib import Path

    return Path(__file__).parent / "data" / "survey"


def _cli_expert_weights(value):
    """--expert-weights: a file, 'equal', or comma-separated labels/numbers in survey order."""
    from pathlib import Path

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


def _remember_inputs(*paths) -> None:
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.obj is not None:
        ctx.obj.setdefault("inputs", []).extend(str(p) for p in paths if p)


@cli.command()
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
@click.option("--cfcs-scope", type=click.Choice(["global", "row"]), default="global", show_default=True)
@click.option(
    "--aggregation",
    type=click.Choice(["cfcs_then_mean", "grey_mean_then_cfcs"]),
    default="cfcs_then_mean",
    show_default=True,
)
@click.option("--normalization", type=click.Choice(["row", "max"]), default="row", show_default=True)
@click.option("--threshold", default="mean", show_default=True, help="mean, mean+<k>sd, or a number.")
@click.option(
    "--bootstrap",
    type=click.IntRange(min=0),
    default=0,
    is_flag=False,
    flag_value=2000,
    show_default=True,
    help="Expert resamples (--bootstrap alone: 2000).",
)
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Bootstrap seed.")
@click.option("--crisp", is_flag=True, help="Plain DEMATEL: numeric matrices averaged, no grey scale.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Write the tables into this folder.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "xlsx"]), default="csv", show_default=True)
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Cause-effect diagram (.png/.svg/.pdf).")
@click.option("--demo", is_flag=True, help="Use the bundled illustrative survey (synthetic, 6 experts x 12 factors).")
def dematel(survey, factors, weights, scale, cfcs_scope, aggregation, normalization, threshold,
            bootstrap, seed, crisp, out_dir, fmt, plot_path, demo) -> None:
    """Grey-DEMATEL key factors from an expert SURVEY (or plain DEMATEL with --crisp).

    SURVEY is a long table (expert, from, to, score) as CSV/Parquet/Excel, a folder of per-expert
    matrix CSVs, or an Excel workbook with one sheet per expert.
    """
    from pathlib import Path

    from .methods.dematel import dematel as crisp_dematel
    from .methods.dematel import grey_dematel
    from .plots_dematel import cause_effect_diagram, save_figure

    if demo:
        if survey:
            raise click.UsageError("--demo uses the bundled survey: give either SURVEY or --demo, not both.")
        d = _demo_survey_dir()
        survey = str(d / "survey_long.csv")
        factors = factors or str(d / "factors.csv")
        weights = weights or str(d / "expert_weights.csv")
        click.echo("Demo: illustrative synthetic survey (not published data), 6 experts x 12 factors.", err=True)
    if not survey:
        raise click.UsageError("Missing argument 'SURVEY' (a survey table, a folder of matrices), or use --demo.")
    _remember_inputs(survey, factors, weights if weights and Path(weights).exists() else None,
                     scale if Path(scale).exists() else None)
    try:
        threshold_value = float(threshold)
    except ValueError:
        threshold_value = threshold
    common = dict(factors=factors, normalization=normalization, threshold=threshold_value, seed=seed)
    if crisp:
        res = crisp_dematel(survey, weights=_cli_expert_weights(weights), replicates=bootstrap, **common)
    else:
        res = grey_dematel(survey, scale=scale, expert_weights=_cli_expert_weights(weights),
                           cfcs_scope=cfcs_scope, aggregation=aggregation, replicates=bootstrap, **common)
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
        import json

        import polars as pl

        from .io.write import write_text

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        orderings = pl.DataFrame({"measure": list(res.orderings), "ordering": list(res.orderings.values())})
        for name, df in (("dematel_factors", res.factors), ("dematel_relations", res.relations),
                         ("dematel_total_relation", res.total_relation), ("dematel_orderings", orderings)):
            write_table(df, out / f"{name}.{fmt}")
        opts = {k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v))
                for k, v in res.options.items()}
        opts["experts"] = list(res.experts)
        opts["expert_weights"] = [float(w) for w in res.expert_weights]
        write_text(out / "dematel_options.json", json.dumps(opts, indent=2) + "\n", inputs=cli_inputs())
        click.echo(f"Wrote {out / 'dematel_options.json'}", err=True)
    if plot_path:
        ax = cause_effect_diagram(res)
        save_figure(ax, plot_path, inputs=cli_inputs())
        click.echo(f"Wrote {plot_path}", err=True)


def _read_scores_table(path):
    from .io.read import read_table

    return read_table(path, what="Scores")


@cli.command()
@click.argument("scores", type=click.Path(exists=True, dir_okay=False))
@click.option("--column", default="index", show_default=True, help="Score column to forecast.")
@click.option("--horizon", type=click.IntRange(min=0), default=3, show_default=True)
@click.option("--by", default="region", show_default=True, help="Group column.")
@click.option("--year-col", "year", default="year", show_default=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Table file (.csv/.parquet/.xlsx/.json).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Plot one group (--region) to .png/.svg.")
@click.option("--region", default=None, help="Group to plot (default: the first).")
def forecast(scores, column, horizon, by, year, out_path, plot_path, region) -> None:
    """GM(1,1) fit and forecast of a score COLUMN for every region of a SCORES table."""
    import polars as pl

    from .methods.forecast import forecast as gm_forecast
    from .plots_dematel import gm11_plot, save_figure

    _remember_inputs(scores)
    df = _read_scores_table(scores)
    res = gm_forecast(df, column=column, horizon=horizon, by=by, year=year)
    fits = res.group_by(by, maintain_order=True).agg(
        pl.col("a", "b", "C", "P", "grade", "mean_relative_error", "class_ratio_ok").first(),
        pl.col("value").filter(pl.col("kind") == "forecast").alias("forecast"),
    )
    fits = fits.with_columns(pl.col("forecast").list.eval(pl.element().round(4)).cast(pl.List(pl.String)).list.join(", "))
    echo_table(fits, max_rows=200, title=f"GM(1,1) forecasts of {column!r}, horizon {horizon}")
    if out_path:
        write_table(res, out_path)
    if plot_path:
        groups = res[by].unique(maintain_order=True).to_list()
        ax = gm11_plot(res, region=region if region is not None else groups[0], by=by)
        save_figure(ax, plot_path, inputs=cli_inputs())
        click.echo(f"Wrote {plot_path}", err=True)

# --- simulate, bootstrap (issue 6) ---


def _robustness_model_options(model, scope, standardize, form, constant=None, recombine=None):
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


def _robustness_common(func):
    """Options shared by simulate and bootstrap."""
    for deco in reversed([
        click.option("--scope", type=click.Choice(["panel", "region", "year"]), default=None,
                     help="Scope of max/min and ideal points (default: the model's own)."),
        click.option("--standardize", type=click.Choice(["max_ratio", "max-ratio", "minmax", "vector", "zscore"]),
                     default=None, callback=_dash_to_underscore, help="Standardization (default: the model's own)."),
        click.option("--form", type=click.Choice(["ratio2", "closeness"]), default=None,
                     help="Index form of the ideal-solution models."),
        click.option("--constant", type=click.Choice(["error", "drop", "zero"]), default=None,
                     help="An indicator constant within a scope cell: error (default), drop it, or score it 0."),
        click.option("--seed", type=int, default=None, help="Seed (same seed, same numbers on any machine "
                     "layout); printed when omitted."),
        click.option("--top-k", "top_k", default="1,3,10", show_default=True,
                     help="Comma-separated k for the p_top_k columns."),
        click.option("--workers", type=int, default=None, help="Run on a local Dask cluster of N workers."),
        click.option("--scheduler", default=None, help="Run on an existing Dask cluster (tcp://host:8786)."),
        click.option("--chunk-size", "chunk_size", type=int, default=None, help="Draws per chunk."),
        click.option("--quantile-memory", "quantile_memory", default=None, metavar="SIZE",
                     help="Memory for exact index quantiles, e.g. 512MB or 2GiB (bytes if no unit; 0 = "
                     "histograms). Default 64MiB; histograms when the draw matrix does not fit."),
        click.option("--progress/--no-progress", default=True, show_default=True, help="Progress bar with draws/s."),
        click.option("--show", type=int, default=5, show_default=True, help="Regions shown as most / least stable."),
        click.option("--out", "out_path", type=click.Path(dir_okay=False),
                     help="Write the per region-year summary (.csv, .parquet or .xlsx); the per-year agreement "
                     "goes next to it with the suffix _agreement (bootstrap: also _weights, and _growth with "
                     "--over years)."),
    ]):
        func = deco(func)
    return func


def _parse_top_k(text):
    try:
        ks = tuple(int(k) for k in text.split(",") if k.strip())
    except ValueError:
        raise click.BadParameter(f"--top-k must be comma-separated integers; got {text!r}.") from None
    if not ks or min(ks) < 1:
        raise click.BadParameter(f"--top-k needs integers >= 1; got {text!r}.")
    return ks


def _backend_kwargs(workers, scheduler):
    if workers is not None and scheduler is not None:
        raise click.UsageError("give either --workers or --scheduler, not both.")
    if workers is None and scheduler is None:
        return {}
    return {"backend": "dask", "n_workers": workers, "scheduler": scheduler}


def _echo_robustness(panel, res, what, show):
    import polars as pl

    click.echo(click.style(repr(panel), bold=True))
    opts = res.options
    n = opts.get("draws", opts.get("replicates"))
    secs = opts.get("seconds", 0.0)
    rate = f", {n / secs:,.0f} {what}/s" if secs > 0 else ""
    exact = opts.get("quantiles") == "exact"
    quant = "exact" if exact else f"within {res.index_resolution:.1e}"
    click.echo(f"{n:,} {what} in {secs:.2f} s{rate}; seed {res.seed}; index quantiles {quant}")
    ag = res.agreement.with_columns(pl.col("mean_abs_rank_shift").alias("mean_|rank_shift|")).drop(
        "mean_abs_rank_shift")
    echo_table(ag, max_rows=40, title="Spearman rho of each draw's ranking with the base ranking, per year")
    cols = ["region", "rank_width", "base_rank", "mean_rank"]
    echo_table(res.most_stable(show).select(cols), title="Most stable regions (narrowest 90% rank interval, mean over years)",
               float_precision=1)
    echo_table(res.least_stable(show).select(cols), title="Least stable regions (widest 90% rank interval)",
               float_precision=1)


def _write_robustness(res, out_path, extra=()):
    from pathlib import Path

    path = Path(out_path)
    write_table(res.summary, path)
    write_table(res.agreement, path.with_name(f"{path.stem}_agreement{path.suffix}"))
    for name in extra:
        write_table(getattr(res, name), path.with_name(f"{path.stem}_{name}{path.suffix}"))


@cli.command()
@panel_options()
@click.option("--model", type=click.Choice(["hew-topsis", "topsis", "gra", "weighted-sum", "combined"]),
              default="hew-topsis", show_default=True,
              help="Model re-evaluated for every weight draw (combined: the combined evaluation's weighted steps).")
@click.option("--recombine", type=click.Choice(["drift", "fixed"]), default=None,
              help="--model combined: recompute the compatibility test and drift-degree method weights in every "
              "draw (drift, default) or keep the base run's method weights (fixed).")
@click.option("--draws", type=int, default=10_000, show_default=True, help="Number of weight draws.")
@click.option("--scheme", type=click.Choice(["dirichlet", "uniform", "hierarchical", "simplex"]), default="dirichlet",
              show_default=True, help="How weights are perturbed around the base weights.")
@click.option("--concentration", type=float, default=100.0, show_default=True,
              help="Dirichlet concentration kappa (dirichlet, hierarchical); larger = closer to the base.")
@click.option("--spread", type=float, default=0.2, show_default=True,
              help="delta of the uniform scheme: each weight x U(1 - delta, 1 + delta), renormalised.")
@click.option("--choice", "choice_specs", multiple=True, metavar="NAME=A,B,...",
              help="Method-choice uncertainty (repeatable): model=hew-topsis,topsis "
              "standardize=max_ratio,minmax scope=... form=... weights=equal-hierarchical,entropy. "
              "Every draw runs every combination; prints the variance shares.")
@_robustness_common
def simulate(panel, model, recombine, draws, scheme, concentration, spread, choice_specs, scope, standardize, form, constant,
             seed, top_k, workers, scheduler, chunk_size, quantile_memory, progress, show, out_path) -> None:
    """Monte Carlo weight perturbations: how stable are the index and the ranking?

    Re-evaluates the model for every weight draw, ranks the regions of every year and prints
    the Spearman rho distribution per year and the most and least stable regions.
    """
    from .methods.robustness import simulate as run

    choices = {}
    for spec in choice_specs:
        name, sep, vals = spec.partition("=")
        if not sep or not vals.strip():
            raise click.BadParameter(f"--choice needs NAME=A,B,...; got {spec!r}.")
        choices[name.strip()] = [v.strip().replace("-", "_") if name.strip() == "standardize" else v.strip()
                                 for v in vals.split(",") if v.strip()]
    res = run(
        panel, model=model, model_options=_robustness_model_options(model, scope, standardize, form, constant, recombine),
        draws=draws,
        scheme=scheme, concentration=concentration, spread=spread, top_k=_parse_top_k(top_k), seed=seed,
        chunk_size=chunk_size, quantile_memory=quantile_memory, progress=progress, choices=choices or None,
        **_backend_kwargs(workers, scheduler),
    )
    _echo_robustness(panel, res, "draws", show)
    if res.variance_shares is not None:
        echo_table(res.variance_shares, title="Share of rank variance explained by each choice")
    if out_path:
        _write_robustness(res, out_path, extra=("variance_shares",) if res.variance_shares is not None else ())


@cli.command()
@panel_options()
@click.option("--model", type=click.Choice(["hew-topsis", "topsis"]), default="hew-topsis", show_default=True,
              help="Ideal-solution model re-estimated on every replicate.")
@click.option("--replicates", type=int, default=1000, show_default=True)
@click.option("--over", type=click.Choice(["regions", "years"]), default="regions", show_default=True,
              help="Resample regions with replacement, or moving blocks of years.")
@click.option("--block-length", "block_length", type=int, default=None, help="Years per block (--over years).")
@click.option("--weights", type=click.Choice(["entropy", "max_deviation", "max-deviation", "system"]),
              default="entropy", show_default=True, callback=_dash_to_underscore,
              help="Objective weights recomputed on every replicate, or the system's fixed weights.")
@_robustness_common
def bootstrap(panel, model, replicates, over, block_length, weights, scope, standardize, form, constant, seed, top_k, workers,
              scheduler, chunk_size, quantile_memory, progress, show, out_path) -> None:
    """Bootstrap: resample regions (or blocks of years) and re-estimate the model.

    Standardization bounds, ideal points and objective weights are re-estimated on every
    replicate and applied to every region; prints rank stability and weight intervals. With
    --over years also growth-rate intervals (CAGR and mean y-o-y rate per region, from a block
    resample of each replicate's annual growth terms) and the regions with the widest CAGR
    interval; --out writes them with the suffix _growth.
    """
    from .methods.robustness import bootstrap as run

    opts = _robustness_model_options(model, scope, standardize, form, constant)
    opts["weights"] = None if weights == "system" else weights
    res = run(
        panel, model=model, model_options=opts, replicates=replicates, over=over, block_length=block_length,
        top_k=_parse_top_k(top_k), seed=seed, chunk_size=chunk_size, quantile_memory=quantile_memory,
        progress=progress, **_backend_kwargs(workers, scheduler),
    )
    _echo_robustness(panel, res, "replicates", show)
    echo_table(res.weights, max_rows=60, title="Indicator weights: base and bootstrap 90% interval")
    if res.growth is not None:
        echo_table(res.widest_growth_intervals(show),
                   title=f"Widest CAGR intervals (bootstrap 90%; growth terms resampled in blocks of "
                   f"{res.options['growth_block_length']})")
    if out_path:
        _write_robustness(res, out_path, extra=("weights",) + (("growth",) if res.growth is not None else ()))

# --- run, demo, report (issue 7) ---


def _figure_formats(value: str | None) -> list[str] | None:
    if value is None:
        return None
    fmts = [v.strip().lower() for v in value.split(",") if v.strip()]
    bad = [f for f in fmts if f not in ("png", "svg")]
    if bad or not fmts:
        raise click.BadParameter(f"use png, svg or png,svg; got {value!r}", param_hint="--figures")
    return fmts


def _main_job_options(func):
    func = click.option("--quiet", "-q", is_flag=True, help="No step lines or progress bars.")(func)
    func = click.option("--figures", "figures", default=None, metavar="png|svg|png,svg",
                        help="Figure format(s); default from the config (PNG).")(func)
    func = click.option("--excel", is_flag=True, default=False,
                        help="Also write tables.xlsx with one sheet per table.")(func)
    func = click.option("--force", is_flag=True,
                        help="Replace an existing output folder (built completely first).")(func)
    return func


def _run_main_job(config, *, out, force, excel, figures, quiet, skip_unavailable=False):
    from .pipeline import run as run_pipeline

    result = run_pipeline(
        config, out=out, force=force, excel=True if excel else None,
        figure_format=_figure_formats(figures), progress=not quiet,
        echo=(lambda _m: None) if quiet else (lambda m: click.echo(m, err=True)),
        skip_unavailable=skip_unavailable, command="fastinno " + " ".join(sys.argv[1:]),
    )
    click.echo(f"Report: {result.report}")
    return result


@cli.command("run")
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: the config's `out`, else ./fastinno-run).")
@_main_job_options
def run_cmd(config, out, force, excel, figures, quiet) -> None:
    """Run the main job described by CONFIG (TOML): indices, combined evaluation, robustness,
    forecasts, DEMATEL, tables, figures, run.json and report.html in one output folder."""
    _run_main_job(config, out=out, force=force, excel=excel, figures=figures, quiet=quiet)


@cli.command("demo")
@click.option("--out", type=click.Path(file_okay=False), default="fastinno-demo",
              show_default=True, help="Output folder.")
@_main_job_options
def demo_cmd(out, force, excel, figures, quiet) -> None:
    """Run the main job on the bundled six-triangles panel with the bundled config
    (fastinno/data/demo.toml) and print where the report is."""
    from .pipeline import demo_config_path

    _run_main_job(demo_config_path(), out=out, force=force, excel=excel, figures=figures,
                  quiet=quiet, skip_unavailable=True)


@cli.command("report")
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
def report_cmd(folder) -> None:
    """Re-render FOLDER/report.html (and its figures) from the saved tables of a run."""
    from pathlib import Path

    from .report import render_report

    figs = render_report(folder)
    click.echo(f"{len(figs)} figures", err=True)
    click.echo(f"Report: {Path(folder).resolve() / 'report.html'}")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="fastinno")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
