"""Helper processes of a run (the JIT warm-up helper, the figure worker): one way to stop them."""

from __future__ import annotations

import subprocess

__all__ = ["stop_child"]


def stop_child(proc: subprocess.Popen) -> None:
    """Close ``proc``'s stdin (its signal to finish) and reap it: terminated after 2 s, killed
    after 5 more."""
    try:
        proc.stdin.close()
    except (OSError, ValueError, AttributeError):
        pass
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a child that ignores SIGTERM
            proc.kill()
            proc.wait()
