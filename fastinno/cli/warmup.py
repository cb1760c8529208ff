"""``fastinno warmup``: compile and cache every kernel ahead of the first real run."""

from __future__ import annotations

import click


@click.command("warmup", epilog="""\b
Examples:
  fastinno warmup
  fastinno warmup --no-parallel --quiet
""")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing (errors still go to stderr).")
@click.option("--parallel/--no-parallel", default=True, show_default=True,
              help="Also compile the multi-threaded kernel variants that large panels use "
                   "(small panels run single-threaded variants; --no-parallel compiles only those).")
def warmup_cmd(quiet, parallel) -> None:
    """Compile and cache fastinno's numba kernels: run the bundled demo once with every step
    and few draws into a temporary folder (removed afterwards), then once more with the
    multi-threaded variants. Later runs start without compiling; running it again only
    re-reads the cache (a few seconds)."""
    from ..main_job.warm_all import warm_all
    from ..main_job.warmup import cache_location

    def say(msg: str) -> None:
        if not quiet:
            click.echo(msg, err=True)

    say("Compiling and caching fastinno's kernels: every step once on the bundled demo, few draws.")
    res = warm_all(echo=say, parallel=parallel)
    if not quiet:
        click.echo(f"Done in {res['seconds']:.1f} s. numba's cache: {cache_location()}")
