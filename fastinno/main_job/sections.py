"""A one-line summary of every config section, built from the step registry and the config
schema (what ``fastinno run --help`` shows): a new step appears here by itself."""

from __future__ import annotations

import textwrap

from .config import SECTION_KEYS
from .steps import STEPS

__all__ = ["config_sections", "config_sections_text"]

_OWN = {
    "": "top-level keys: report title, seed, output folder (relative paths are read from the "
        "config's folder)",
    "panel": "the panel: a file (path, with an indicator system) or a bundled dataset",
    "groups": "groups of regions (a table or inline members) for the group decompositions; "
              "aggregates = true adds one aggregate unit per group",
    "figures": "figure files",
    "output": "extra outputs besides tables/*.parquet, run.json and report.html",
    "map": "the regions' polygons (GeoJSON; key = the feature property holding the panel's "
           "region names) for maps of the headline index in the report",
}


def _keys(keys) -> str:
    return ", ".join(sorted(keys))


def config_sections() -> list[tuple[str, str]]:
    """``(section, summary)`` of the top level, ``[panel]``, ``[groups]``, every step of
    :data:`~fastinno.main_job.steps.STEPS` (in order), ``[figures]``, ``[output]`` and
    ``[map]``."""
    rows = [("title, seed, out", _OWN[""]),
            ("[panel]", f"{_OWN['panel']}; keys: {_keys(SECTION_KEYS['panel'])}"),
            ("[groups]", f"{_OWN['groups']}; keys: {_keys(SECTION_KEYS['groups'])}")]
    for s in STEPS:
        extra = sorted(s.own_keys | ({s.data_option} if s.data_option else set()))
        keys = (", ".join(extra) + ", ") if extra else ""
        rows.append((f"[{s.name}]", f"{s.title}; {keys}options of {s.api_name}"))
    for sec in ("figures", "output", "map"):
        rows.append((f"[{sec}]", f"{_OWN[sec]}; keys: {_keys(SECTION_KEYS[sec])}"))
    return rows


def config_sections_text(width: int = 88) -> str:
    """:func:`config_sections` as an aligned, wrapped text block (one entry per section)."""
    rows = config_sections()
    col = max(len(name) for name, _ in rows) + 2
    lines = ["Config sections (TOML). Every section but [panel] is optional; a step runs when",
             "its section is there and not `enabled = false`:"]
    for name, summary in rows:
        wrapped = textwrap.wrap(summary, width=max(width - col - 2, 30)) or [""]
        lines.append(f"  {name:<{col}}{wrapped[0]}")
        lines.extend(f"  {'':<{col}}{w}" for w in wrapped[1:])
    return "\n".join(lines)
