"""A second process that draws part of a report's figures while this one draws the others.

Drawing and saving a figure is single-threaded matplotlib work (text layout, rasterising, PNG
encoding: 0.2-0.8 s each), so on a machine with two or more cores a run's report is drawn in
two processes. The worker starts when a run starts, imports matplotlib and the report's figure
code while the steps run (at a lower priority, so it does not slow them), then waits for one
request: a run folder and the names of the figures to draw from its saved tables
(``run.json`` and ``tables/``). It prints what it wrote and exits. Figures are the same bytes
whichever process draws them; a figure the worker could not draw is drawn here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .. import _config
from .._subprocess import stop_child

__all__ = ["FigureWorker", "worker_main", "start_figure_worker"]

_CODE = "from fastinno.report.figure_worker import worker_main; worker_main()"


class FigureWorker:
    """The worker process (see the module docstring). ``draw`` sends the request, ``collect``
    returns ``(written, failures)`` as :func:`~fastinno.report.figures.draw_figures` does, or
    ``None`` when the worker is gone or failed."""

    def __init__(self) -> None:
        env = {**os.environ, "MPLBACKEND": "Agg"}
        self.proc = subprocess.Popen([sys.executable, "-c", _CODE], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                     env=env)
        self.sent = False

    def draw(self, folder: str | os.PathLike, names: list[str]) -> bool:
        """Ask for ``names`` to be drawn into ``folder``; ``False`` if the worker is gone."""
        if self.sent or self.proc.poll() is not None:
            return False
        try:
            self.proc.stdin.write(json.dumps({"folder": str(Path(folder).resolve()),
                                              "names": list(names)}) + "\n")
            self.proc.stdin.flush()
        except (OSError, ValueError):
            return False
        self.sent = True
        return True

    def collect(self, timeout: float = _config.REPORT_WORKER_TIMEOUT) -> tuple[list[str], dict[str, str]] | None:
        """The worker's answer (waits up to ``timeout`` seconds), or ``None``."""
        if not self.sent:
            return None
        try:
            out, _ = self.proc.communicate(timeout=timeout)
            reply = json.loads(out.strip().splitlines()[-1])
            return list(reply["written"]), dict(reply["failures"])
        except (subprocess.TimeoutExpired, OSError, ValueError, KeyError, IndexError):
            self.close()
            return None

    def close(self) -> None:
        """Stop the worker (if it is still running) and reap it."""
        if self.proc.poll() is None:
            stop_child(self.proc)


def start_figure_worker() -> FigureWorker | None:
    """A :class:`FigureWorker` when it pays (two or more cores; ``FASTINNO_FIGURE_WORKER=0``
    turns it off), else ``None``."""
    if (os.cpu_count() or 1) < 2 or os.environ.get("FASTINNO_FIGURE_WORKER", "1") == "0":
        return None
    try:
        return FigureWorker()
    except OSError:
        return None


def worker_main() -> None:  # pragma: no cover - runs in the worker process
    """Entry point of the worker process."""
    import warnings

    try:
        os.nice(10)  # the steps' own work (and JIT compilation) first
    except (AttributeError, OSError):
        pass
    warnings.simplefilter("ignore")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .figures import draw_figures
    from .render import FIGURES
    from .run_folder import read_run_info, read_run_tables

    # load the fonts and the text layout code once while waiting: a throwaway figure
    fig = plt.figure(figsize=(2, 1), dpi=40)
    fig.text(0.1, 0.5, "Region 2024 \u5317\u4eac", fontsize=9)
    fig.canvas.draw()
    plt.close(fig)
    line = sys.stdin.readline()
    if not line:  # the run ended without a report
        return
    req = json.loads(line)
    folder = Path(req["folder"])
    info = read_run_info(folder)
    tables = read_run_tables(folder, info)
    figcfg = (info.get("config") or {}).get("figures") or {}
    specs = [FIGURES[n] for n in req["names"] if n in FIGURES]
    written, failures = draw_figures(folder, specs, tables, figcfg, info)
    print(json.dumps({"written": written, "failures": failures}), flush=True)
