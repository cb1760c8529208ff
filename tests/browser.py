"""Finding a headless-capable Chromium for the report tests (skipped with a reason when absent)."""

from __future__ import annotations

import shutil

NAMES = ("chromium", "chromium-browser", "google-chrome")
MISSING = "headless Chromium not found on PATH as " + ", ".join(NAMES) + " (apt-get install chromium; .ci/run installs it)"


def chromium() -> str | None:
    """A headless-capable Chromium on PATH, or None."""
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None
