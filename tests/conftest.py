from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # so tests can `import naive`
FIXTURES = HERE / "fixtures"

os.environ.setdefault("MPLBACKEND", "Agg")
# runs draw their report in this process (tests patch figure code in it); the second drawing
# process has its own tests and the demo test runs with it
os.environ.setdefault("FASTINNO_FIGURE_WORKER", "0")


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(0)
