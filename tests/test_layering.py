"""fastinno/kernels is pure arrays: no polars, click, matplotlib or method-layer imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KERNELS = Path(__file__).resolve().parent.parent / "fastinno" / "kernels"
FORBIDDEN = ("polars", "click", "matplotlib", "fastinno.methods", "pandas", "dask", "tqdm")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:  # relative: resolve against fastinno.kernels
                base = ["fastinno", "kernels"][: max(0, 2 - (node.level - 1))]
                mod = ".".join([*base, mod] if mod else base)
            names.append(mod)
            names.extend(f"{mod}.{a.name}" for a in node.names)
    return names


KERNEL_FILES = sorted(KERNELS.glob("*.py"))


def test_there_are_kernels():
    assert KERNEL_FILES, "fastinno/kernels has no modules"


@pytest.mark.parametrize("path", KERNEL_FILES, ids=lambda p: p.name)
def test_kernel_module_imports_only_arrays(path):
    bad = [n for n in _imports(path) if any(n == f or n.startswith(f + ".") for f in FORBIDDEN)]
    assert not bad, f"{path.name} imports {bad}: kernels take arrays and return arrays"


def test_the_check_itself_catches_forbidden_imports(tmp_path):
    fake = tmp_path / "k.py"
    fake.write_text("import numpy as np\nfrom polars import DataFrame\nfrom ..methods import combined\n")
    names = _imports(fake)
    assert "polars" in names and "fastinno.methods" in names
