"""The report's second drawing process: the same figures, and a fallback when it fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _mainjob import small_config

import fastinno
from fastinno.main_job.run import render_report
from fastinno.report import figure_worker
from fastinno.report.figure_worker import FigureWorker, start_figure_worker


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("worker")
    # the reference: every figure drawn in this process (the test session turns the worker off)
    res = fastinno.run(small_config(folder, draws=64), out=folder / "out", progress=False,
                       jit_warmup=False)
    return res.out


def _copy(run_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "copy"
    shutil.copytree(run_dir, out)
    shutil.rmtree(out / "figures")
    return out


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "figures").iterdir())}


@pytest.fixture(scope="module")
def reference(run_dir, tmp_path_factory):
    """The figure list of a report drawn in this process alone."""
    return render_report(_copy(run_dir, tmp_path_factory.mktemp("ref")))


def test_a_worker_draws_half_of_the_figures_and_they_are_the_same_bytes(run_dir, reference, tmp_path):
    out = _copy(run_dir, tmp_path)
    worker = FigureWorker()
    try:
        figs = render_report(out, worker=worker)
        assert worker.sent  # the worker was asked for every other figure ...
        assert worker.proc.wait(timeout=60) == 0  # ... and answered
    finally:
        worker.close()
    assert figs == reference  # same files, in the same order
    assert _bytes(out) == _bytes(run_dir)
    assert len(figs) >= 4


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_dead_worker_leaves_its_figures_to_this_process(run_dir, reference, tmp_path, when):
    out = _copy(run_dir, tmp_path)
    worker = FigureWorker()
    if when == "before":
        worker.proc.kill()
        worker.proc.wait()
    else:  # killed after the request: no answer comes
        real_draw = worker.draw

        def draw_then_die(folder, names):
            ok = real_draw(folder, names)
            worker.proc.kill()
            return ok

        worker.draw = draw_then_die
    try:
        figs = render_report(out, worker=worker)
    finally:
        worker.close()
    assert figs == reference
    assert _bytes(out) == _bytes(run_dir)


def test_no_worker_on_request_or_on_one_core(monkeypatch):
    monkeypatch.setenv("FASTINNO_FIGURE_WORKER", "0")
    assert start_figure_worker() is None
    monkeypatch.setenv("FASTINNO_FIGURE_WORKER", "1")
    monkeypatch.setattr(figure_worker.os, "cpu_count", lambda: 1)
    assert start_figure_worker() is None
