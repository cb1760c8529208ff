"""Every file the package reads at run time ships in the wheel (pyproject's package-data)."""

from __future__ import annotations

import fnmatch
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def test_every_data_file_is_package_data():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert patterns, "no package-data in pyproject.toml"
    missing = []
    for path in sorted((ROOT / "fastinno").rglob("*")):
        if not path.is_file() or path.suffix in (".py", ".pyc", ".nbi", ".nbc") or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(ROOT)
        covered = False
        for package, globs in patterns.items():
            pkg_dir = ROOT / Path(*package.split("."))
            try:
                inside = path.relative_to(pkg_dir).as_posix()
            except ValueError:
                continue
            if any(fnmatch.fnmatch(inside, g) and inside.count("/") == g.count("/") for g in globs):
                covered = True
        if not covered:
            missing.append(str(rel))
    assert not missing, f"files not shipped (add them to [tool.setuptools.package-data]): {missing}"
