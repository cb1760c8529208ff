"""``fastinno init``: a starter study (config, panel, indicator system, survey) in a folder."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("init", epilog="""\b
Examples:
  fastinno init my-study
  fastinno run my-study/study.toml
""")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True,
              help="Write into a folder that is not empty (the starter's files replace files of "
                   "the same name; other files are left alone).")
def init_cmd(folder, force) -> None:
    """Write a starter study into FOLDER: study.toml (the bundled demo config, commented, every
    path relative to its folder), panel.csv, system.toml and survey/ (the example expert survey).
    `fastinno run FOLDER/study.toml` then runs it from any working directory."""
    from ..main_job.starter import STUDY_FILE, STUDY_OUT, write_starter

    files = write_starter(folder, force=force)
    root = Path(folder)
    for f in files:
        click.echo(f"  wrote {f}", err=True)
    study = root / STUDY_FILE
    click.echo(f"Starter study in {root}/ ({len(files)} files). Next steps:")
    click.echo(f"  edit {study} (replace panel.csv and system.toml with your data), then")
    click.echo(f"  fastinno run {study}    # the report lands in {root / STUDY_OUT}/")
