"""The first run talks: one notice on stderr before a command compiles fastinno's kernels on a
cold numba cache (see :func:`fastinno._kernel_cache.kernels_cold`)."""

from __future__ import annotations

import functools

import click

__all__ = ["first_run_notice", "notices_first_run"]


def first_run_notice(steps: list[str], *, quiet: bool = False) -> bool:
    """Print the first-run notice to stderr when the kernels of ``steps`` are not cached yet
    (never when ``quiet``); return whether it was printed."""
    if quiet:
        return False
    from .._kernel_cache import FIRST_RUN_NOTICE, kernels_cold

    if not kernels_cold(list(steps)):
        return False
    click.echo(FIRST_RUN_NOTICE, err=True)
    return True


def notices_first_run(*steps: str):
    """Decorator of a command's function that computes what main-job ``steps`` compute: the
    first-run notice before it runs on a cold cache, and the cache recorded as warm after it
    succeeds."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            from .._kernel_cache import mark_warm

            first_run_notice(list(steps))
            out = func(*args, **kwargs)
            mark_warm(list(steps))
            return out

        return wrapper

    return decorate
