from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))  # so tests can `import naive`
FIXTURES = HERE / "fixtures"
REFVECTORS = FIXTURES / "refvectors"

os.environ.setdefault("MPLBACKEND", "Agg")


def load_refvectors(name: str) -> list[dict]:
    """Cases of ``tests/fixtures/refvectors/<name>.json`` (copied from shared/refvectors)."""
    return json.loads((REFVECTORS / f"{name}.json").read_text())


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(0)
