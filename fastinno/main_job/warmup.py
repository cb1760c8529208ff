"""The JIT warm-up helper: a second process that compiles the later steps' numba kernels while
this one runs the first steps, so a cold start uses two cores.

Results never come from the helper; it runs each step once on the same inputs with few draws
(:data:`~fastinno.main_job.steps.WARM_DRAWS`), which compiles and caches the same kernel
specializations. A marker file in numba's cache folder records that a run of a set of steps has
cached their kernels, so later runs skip the helper.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Mapping
from typing import Any

from .._kernel_cache import (  # noqa: F401  (re-exported: the run and the CLI use them from here)
    EVERY_STEP,
    FIRST_RUN_NOTICE,
    cache_location,
    kernels_cold,
    mark_warm,
    warm_marker,
)
from .._subprocess import stop_child
from .config import config_as_toml_tables, validate_config
from .steps import STEPS, Context, load_panel, step

__all__ = ["Warmer", "warm_marker", "warm_order", "warm_main", "next_step", "kernels_cold",
           "mark_warm", "cache_location", "FIRST_RUN_NOTICE", "EVERY_STEP"]


def warm_order(steps: list[str]) -> list[str]:
    """The steps the helper compiles, heaviest compiles first (never the first step, which this
    process starts on at once)."""
    later = set(steps[1:])
    return [s.name for s in sorted(STEPS, key=lambda s: s.warm_rank)
            if s.name in later and s.warm is not None]


class Warmer:
    """A helper process that runs the later steps once on the same inputs (few draws) so their
    numba kernels are compiled and cached while this process works on the first steps.

    Protocol: the child reads one JSON line (config, step order) on stdin, prints ``start S`` /
    ``done S`` lines; this process sends ``skip S`` for a step it is about to run itself, and
    waits for a step the child is already compiling. Results never come from the child. A plain
    ``python -c`` subprocess (not multiprocessing) so a user's script is never re-imported.
    """

    def __init__(self, cfg: Mapping[str, Any], order: list[str]) -> None:
        self.state: dict[str, str] = {}
        self.dead = False
        self.cond = threading.Condition()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c",
                 "from fastinno.main_job.warmup import warm_main; warm_main()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, bufsize=1,
            )
            self.proc.stdin.write(json.dumps({"config": config_as_toml_tables(cfg),
                                              "order": order}, default=str) + "\n")
            self.proc.stdin.flush()
        except OSError:
            self.proc = None
            self.dead = True
            return
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for line in self.proc.stdout:
                parts = line.split()
                if len(parts) == 2:
                    with self.cond:
                        self.state[parts[1]] = parts[0]
                        self.cond.notify_all()
        except (OSError, ValueError):
            pass
        with self.cond:
            self.dead = True
            self.cond.notify_all()

    def busy(self, step: str) -> bool:
        """Whether the child is compiling ``step`` right now."""
        with self.cond:
            return not self.dead and self.state.get(step) == "start"

    def before(self, step: str, timeout: float = 900.0) -> None:
        """Called before running ``step`` here: wait if the child is compiling it, else claim it."""
        with self.cond:
            if self.dead:
                return
            if step not in self.state:
                try:
                    self.proc.stdin.write(f"skip {step}\n")
                    self.proc.stdin.flush()
                except (OSError, ValueError):
                    pass
                return
            self.cond.wait_for(lambda: self.state.get(step) == "done" or self.dead, timeout)

    def close(self) -> None:
        """Close the pipe and wait for the child (terminated after 2 s, killed after 5 more)."""
        if self.proc is None:
            return
        stop_child(self.proc)


def warm_main() -> None:  # pragma: no cover - runs in the helper process
    """Entry point of the warm-up helper process (see :class:`Warmer`)."""
    import select

    warnings.simplefilter("ignore")
    spec = json.loads(sys.stdin.readline())
    out = sys.stdout
    devnull = open(os.devnull, "w")  # noqa: SIM115 - silence library output for the process life
    sys.stdout = sys.stderr = devnull
    skip: set[str] = set()

    def poll() -> None:
        while select.select([sys.stdin], [], [], 0)[0]:
            line = sys.stdin.readline()
            if not line:  # the main process closed the pipe: it is done
                os._exit(0)
            parts = line.split()
            if len(parts) == 2 and parts[0] == "skip":
                skip.add(parts[1])

    try:
        cfg = validate_config(spec["config"])
        panel = load_panel(cfg["panel"])
    except Exception:
        return
    ctx = Context(cfg=cfg, panel=panel, seed=cfg["seed"], progress=False)
    for name in spec["order"]:
        poll()
        if name in skip:
            continue
        print("start", name, file=out, flush=True)
        try:
            step(name).warm(ctx, dict(cfg["steps"][name]["options"]))
        except Exception:
            pass
        print("done", name, file=out, flush=True)


def next_step(pending: list[str], cfg: Mapping[str, Any], done: set[str],
              warmer: Warmer | None) -> str:
    """The first pending step whose inputs are ready and that the warm-up helper is not
    compiling right now (else the first ready one: :meth:`Warmer.before` then waits for it)."""

    def ready(s: str) -> bool:
        return all(d in done for d in step(s).after(cfg["steps"][s]))

    candidates = [s for s in pending if ready(s)] or pending
    if warmer is not None:
        for s in candidates:
            if not warmer.busy(s):
                return s
    return candidates[0]


