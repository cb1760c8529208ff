"""A starter study: the bundled demo as editable files in one folder.

:func:`starter_files` builds ``study.toml`` (the bundled demo config with the panel read from
files instead of the bundled dataset, every path relative to the study folder), ``panel.csv``
(the six-triangles panel, wide: one row per region and year, one column per indicator, its real
gaps left empty), ``system.toml`` (its indicator system) and ``survey/`` (the example expert
survey of the DEMATEL step). :func:`write_starter` writes them into a folder.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io.write import write_bytes
from .config import demo_config_path
from .steps import STEPS

__all__ = ["STUDY_FILE", "STUDY_OUT", "starter_files", "write_starter", "system_toml"]

#: The config file of a starter study.
STUDY_FILE = "study.toml"
#: Output folder of a starter study, relative to its config.
STUDY_OUT = "results"

_HEADER = """\
# A fastinno study: `fastinno run study.toml` runs every step below on panel.csv and writes the
# tables, figures, run.json and report.html into the folder named by `out`.
#
# It starts as the bundled demo (the six-triangles panel of Xia, Li, Yin 2020): replace
# panel.csv and system.toml with your own data, then edit or delete the step sections.
# Every section except [panel] is optional; a step runs when its section is present (set
# `enabled = false` to skip it). Keys inside a step section are the options of the fastinno
# function the step calls (`fastinno run --help` lists the sections).
# Relative paths are resolved against this file's folder, so the study runs the same from any
# working directory.
"""

_OUT_LINE = f"""\
# Output folder, beside this file (relative to it); `fastinno run --out DIR` overrides it. An
# existing folder is never replaced without --force.
out = "{STUDY_OUT}"
"""

_PANEL = """\
[panel]
# The six-triangles panel (Xia, Li, Yin 2020, Sustainability 12(7) 2739, App. C): 16 provinces
# x 2009-2017, 3 innovation subjects (enterprise, university, research_institution) x 3 benefit
# indicators. panel.csv is wide (region, year, one column per indicator); a long table (region,
# year, indicator, value), Parquet or xlsx works too. Guangdong's 2011 research-institution
# cells are empty (interpolated over years); Jiangxi has no research-institution data (dropped).
path = "panel.csv"
system = "system.toml"
missing = ["interpolate", "drop-region"]
"""

_OUTPUT = """\
[output]
# excel = true        # also tables.xlsx, one sheet per table
# csv = true          # also tables/<name>.csv (Parquet is always written)
# copy_inputs = true  # copy the input files into the output's inputs/ folder
"""


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise InputError(f"Cannot write {v!r} ({type(v).__name__}) as a TOML value.")


def _toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def _is_group(v: Any) -> bool:
    # a dimension is a table of indicators/sub-dimensions; an indicator's table has a direction
    return isinstance(v, Mapping) and "direction" not in v


def system_toml(spec: Mapping[str, Any]) -> str:
    """An indicator system's nested mapping (:meth:`~fastinno.IndicatorSystem.to_dict`) as
    TOML: one table per dimension, one line per indicator."""
    lines: list[str] = []

    def table(path: tuple[str, ...], node: Mapping[str, Any]) -> None:
        leaves = [(k, v) for k, v in node.items() if not _is_group(v)]
        groups = [(k, v) for k, v in node.items() if _is_group(v)]
        if path:
            lines.append(f"[{'.'.join(_toml_key(p) for p in path)}]")
        lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in leaves)
        if path:
            lines.append("")
        for k, v in groups:
            table((*path, k), v)

    table((), spec)
    return "\n".join(lines).rstrip() + "\n"


def _study_toml() -> str:
    """The demo config with the panel read from the study's files and the output beside it."""
    text = demo_config_path().read_text(encoding="utf-8")
    start = text.index("\ntitle")
    text = _HEADER + text[start:]
    text = re.sub(r'(?m)^out = .*\n', _OUT_LINE, text, count=1)
    text = re.sub(r"(?ms)^\[panel\]\n.*?(?=^\[)", _PANEL + "\n", text, count=1)
    text = text.replace("(fastinno demo)", "(fastinno starter study)")
    present = set(re.findall(r"(?m)^\[([A-Za-z_]+)\]", text))
    missing = [s for s in STEPS if s.name not in present]
    if missing:
        text = text.rstrip() + "\n\n" + "".join(
            f"# [{s.name}]  # {s.title} (options of {s.api_name}); uncomment to run\n"
            for s in missing)
    if "output" not in present:
        text = text.rstrip() + "\n\n" + _OUTPUT
    return text


def starter_files() -> dict[str, bytes]:
    """The files of a starter study by relative path (POSIX separators): ``study.toml``,
    ``panel.csv``, ``system.toml`` and ``survey/*``."""
    from ..data.datasets import six_triangles, six_triangles_system

    panel = six_triangles(missing="keep")
    files = {STUDY_FILE: _study_toml().encode("utf-8"),
             "panel.csv": panel.to_frame(layout="wide").write_csv().encode("utf-8"),
             "system.toml": ("# The indicator system of panel.csv: one table per dimension, one "
                             "line per indicator\n# (direction \"+\" benefit, \"-\" cost; label "
                             "and unit for the report).\n\n"
                             + system_toml(six_triangles_system().to_dict())).encode("utf-8")}
    survey = resources.files("fastinno.data") / "survey"
    for item in sorted(survey.iterdir(), key=lambda p: p.name):
        if item.is_file() and item.name.endswith((".csv", ".md")):
            files[f"survey/{item.name}"] = item.read_bytes()
    return files


def write_starter(folder: str | os.PathLike, *, force: bool = False) -> list[Path]:
    """Write a starter study (:func:`starter_files`) into ``folder``; return the files written.

    A folder that exists and is not empty is refused unless ``force`` (then the starter's files
    replace any of the same name; other files are left alone). Each file is written atomically.
    """
    root = Path(folder).expanduser()
    if root.exists() and not root.is_dir():
        raise InputError(f"{str(root)!r} exists and is not a folder; give a folder for the study.")
    if root.is_dir() and any(root.iterdir()) and not force:
        raise InputError(f"Folder {str(root)!r} is not empty; fastinno init writes only into a "
                         "new or empty folder. Choose another folder or pass --force to write the "
                         "starter files into it (files of the same name are replaced).")
    written = []
    for rel, data in starter_files().items():
        written.append(write_bytes(root / rel, data))
    return written
