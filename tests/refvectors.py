"""Published and peer-computed reference cases, copied from shared/refvectors into
tests/fixtures/refvectors (sources are cited in each case's ``source`` field and in SOURCE.md).

A plain module (not conftest) so that ``pytest tests benches`` can import it unambiguously.
"""

from __future__ import annotations

import json
from pathlib import Path

REFVECTORS = Path(__file__).resolve().parent / "fixtures" / "refvectors"


def load_refvectors(name: str) -> list[dict]:
    """Cases of ``tests/fixtures/refvectors/<name>.json``."""
    return json.loads((REFVECTORS / f"{name}.json").read_text())
