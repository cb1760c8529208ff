"""``fastinno run``, ``fastinno demo`` and ``fastinno report``: the main job and its report."""

from __future__ import annotations

import sys

import click

from .options import Output, main_job_options, writes


def run_main_job(config, *, out, force, excel, figures, quiet, csv=False, copy_inputs=False):
    """Run the main job of ``config`` into ``out``, echoing its steps unless ``quiet``; print the report path."""
    from ..main_job import load_config
    from ..main_job import run as run_pipeline
    from .firstrun import first_run_notice

    first_run_notice(list(load_config(config)["steps"]), quiet=quiet)
    result = run_pipeline(
        config, out=out, force=force, excel=True if excel else None,
        csv=True if csv else None, copy_inputs=True if copy_inputs else None,
        figure_format=figures, progress=not quiet,
        echo=(lambda _m: None) if quiet else (lambda m: click.echo(m, err=True)),
        command="fastinno " + " ".join(sys.argv[1:]),
    )
    click.echo(f"Report: {result.report}")
    return result


class RunCommand(click.Command):
    """``fastinno run``: its help summarises the config sections before the examples, built from
    the step registry when the help is shown (so a new step appears by itself)."""

    def format_epilog(self, ctx, formatter) -> None:
        from ..main_job.sections import config_sections_text

        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text("\b\n" + config_sections_text())
        super().format_epilog(ctx, formatter)  # the examples stay last, as in every command


@click.command("run", cls=RunCommand, epilog="""\b
Examples:
  fastinno run analysis.toml --out results
  fastinno run analysis.toml --out results --force --excel --figures png,svg
""")
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: the config's `out`, relative to the config's folder, "
                   "else fastinno-run beside the config).")
@main_job_options
def run_cmd(config, out, force, excel, csv, copy_inputs, figures, quiet) -> None:
    """Run the main job described by CONFIG (TOML): indices, combined evaluation, robustness,
    forecasts, DEMATEL, tables, figures, run.json and report.html in one output folder."""
    run_main_job(config, out=out, force=force, excel=excel, figures=figures, quiet=quiet, csv=csv,
                 copy_inputs=copy_inputs)


@click.command("demo", epilog="""\b
Examples:
  fastinno demo
  fastinno demo --out demo-run --force --quiet
""")
@click.option("--out", type=click.Path(file_okay=False), default="fastinno-demo",
              show_default=True, help="Output folder.")
@main_job_options
def demo_cmd(out, force, excel, csv, copy_inputs, figures, quiet) -> None:
    """Run the main job on the bundled six-triangles panel with the bundled config
    (fastinno/data/demo.toml) and print where the report is."""
    from ..main_job import demo_config_path

    run_main_job(demo_config_path(), out=out, force=force, excel=excel, figures=figures,
                 quiet=quiet, csv=csv, copy_inputs=copy_inputs)


def report_files(folder, params) -> list:  # noqa: ARG001
    """The files ``report`` writes that are there already: report.html and the figures."""
    figures = folder / "figures"
    return [folder / "report.html", *(sorted(p for p in figures.iterdir() if p.is_file()) if figures.is_dir() else ())]


@click.command("report", epilog="""\b
Examples:
  fastinno demo --out demo-run --quiet
  fastinno report demo-run --force
""")
@writes(Output("folder", "Report file", (), report_files), inputs=(),
        help_text="Replace the existing report.html and figures (each is written completely first).")
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
def report_cmd(folder) -> None:
    """Re-render FOLDER/report.html (and its figures) from the saved tables of a run (Parquet, or
    CSV in older folders); --force to replace the existing ones."""
    from pathlib import Path

    from ..main_job import render_report

    figs = render_report(folder)
    click.echo(f"{len(figs)} figures", err=True)
    click.echo(f"Report: {Path(folder).resolve() / 'report.html'}")
