"""``fastinno warmup``: compile and cache every kernel ahead of the first real run."""

from __future__ import annotations

import click


@click.command("warmup", epilog="""\b
Examples:
  fastinno warmup
  fastinno warmup --quiet
""")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing (errors still go to stderr).")
def warmup_cmd(quiet) -> None:
    """Compile and cache fastinno's numba kernels: run the bundled demo once with every step
    and few draws into a temporary folder (removed afterwards). Later runs start without
    compiling; running it again only re-reads the cache (a few seconds)."""
    from ..main_job.warm_all import warm_all
    from ..main_job.warmup import cache_location

    def say(msg: str) -> None:
        if not quiet:
            click.echo(msg, err=True)

    say("Compiling and caching fastinno's kernels: every step once on the bundled demo, few draws.")
    res = warm_all(echo=say)
    if not quiet:
        click.echo(f"Done in {res['seconds']:.1f} s. numba's cache: {cache_location()}")
