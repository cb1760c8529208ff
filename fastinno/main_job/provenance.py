"""What ``run.json`` records to reproduce a run: input files with their SHA-256, package
versions, the platform; and writing it."""

from __future__ import annotations

import hashlib
import os
import platform
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._version import __version__
from ..io.write import write_json
from ..report.run_folder import read_run_info
from .steps import STEPS

__all__ = ["sha256_file", "hash_inputs", "run_inputs", "versions", "platform_info",
           "write_run_info", "read_run_info"]

_PACKAGES = ("numpy", "numba", "polars", "scipy", "matplotlib", "click", "tqdm", "pyarrow",
             "xlsxwriter", "llvmlite")


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes (streamed)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def hash_inputs(paths: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """``{role, path, bytes, sha256}`` of every file (a folder: every file in it, sorted)."""
    out = []
    seen = set()
    for role, p in paths:
        pth = Path(p)
        files = sorted(f for f in pth.rglob("*") if f.is_file()) if pth.is_dir() else [pth]
        for f in files:
            key = (role, str(f))
            if key in seen or not f.exists():
                continue
            seen.add(key)
            out.append({"role": role, "path": str(f), "bytes": f.stat().st_size,
                        "sha256": sha256_file(f)})
    return out


def run_inputs(cfg: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(role, path)`` of every input file of a normalised config: the config file, the panel
    (or the bundled dataset's file), the indicator system, the ``[map]`` GeoJSON and the steps'
    file options."""
    inputs: list[tuple[str, str]] = []
    if cfg.get("_config_file"):
        inputs.append(("config", cfg["_config_file"]))
    pc = cfg["panel"]
    if "dataset" in pc:
        data = Path(__file__).parent.parent / "data"
        inputs.append(("panel", str(data / f"{pc['dataset']}.csv")))
    else:
        inputs.append(("panel", pc["path"]))
        if isinstance(pc.get("system"), str):
            inputs.append(("system", pc["system"]))
    if isinstance((cfg.get("groups") or {}).get("path"), str):
        inputs.append(("groups", cfg["groups"]["path"]))
    if cfg.get("map"):
        inputs.append(("map", cfg["map"]["geometry"]))
    for step in STEPS:
        if step.name in cfg["steps"]:
            spec = cfg["steps"][step.name]
            for key in (*((step.data_option,) if step.data_option else ()), *step.path_options):
                outer, _, inner = key.partition(".")
                v = spec["options"].get(key)
                if inner:
                    table = spec.get(outer, spec["options"].get(outer))
                    v = table.get(inner) if isinstance(table, dict) else None
                if isinstance(v, str) and Path(v).exists():
                    inputs.append((f"{step.name}.{key}", v))
    return inputs


def versions() -> dict[str, str]:
    """Python, fastinno and the installed versions of its dependencies."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "fastinno": __version__}
    for pkg in _PACKAGES:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def _numba_threads() -> int | None:
    try:
        import numba

        return int(numba.get_num_threads())
    except Exception:  # pragma: no cover
        return None


def platform_info() -> dict[str, Any]:
    """Operating system, machine, CPU count and numba's thread count."""
    return {"system": platform.system(), "machine": platform.machine(),
            "cpu_count": os.cpu_count(), "numba_threads": _numba_threads()}


def write_run_info(folder: str | os.PathLike, info: Mapping[str, Any]) -> Path:
    """Write ``run.json`` (atomically) into a run folder."""
    return write_json(Path(folder) / "run.json", info)
