"""The house rules of the package layout, checked on the source with ``ast``.

- every import goes down the layers (kernels at the bottom, the CLI at the top);
- kernels import only numpy, numba, math and sibling kernels;
- no import cycle among fastinno modules (imports inside functions count);
- no module uses another module's private (``_name``) names, imported or through a module alias;
- no module over 600 lines (kernel modules 900).

The checks run on any tree laid out like ``fastinno/``, so the last tests plant violations in a
temporary copy and show that each one is caught.
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "fastinno"

#: Which layers each layer may import (besides itself). The base layer is everything every other
#: layer may use: errors, thresholds, the option vocabulary, seeding, threads, checks and I/O.
ALLOWED: dict[str, set[str]] = {
    "kernels": set(),
    "base": {"kernels"},
    "data": {"base", "kernels"},
    "results": {"base"},
    "methods": {"base", "kernels", "data", "results"},
    "robustness": {"base", "kernels", "data", "results", "methods"},
    "regional": {"base", "kernels", "data", "results", "methods"},
    "plots": {"base", "results"},
    "report": {"base", "results", "plots"},
    "main_job": {"base", "kernels", "data", "results", "methods", "robustness", "regional", "plots", "report"},
    "cli": {"base", "kernels", "data", "results", "methods", "robustness", "regional", "plots", "report", "main_job"},
    # fastinno/__init__.py imports its API lazily by name (strings); only the version eagerly
    "root": {"base"},
}
#: Old import paths kept as re-exports: each sits in the layer of what it re-exports.
SHIMS = {
    "panel": "data",
    "datasets": "data",
    "pipeline": "main_job",
    "plots_dematel": "plots",
}
BASE = {"errors", "_config", "_options", "_random", "_threads", "_version", "_kernel_cache", "_subprocess", "validate",
        "io"}
#: ``types`` copies a kernel's Python function under another name, so its serial twin gets a
#: cache entry of its own (see ``kernels.twins.renamed``).
KERNEL_IMPORTS = {"numpy", "numba", "math", "types", "__future__"}
MAX_LINES, MAX_KERNEL_LINES = 600, 900


def layer_of(module: str) -> str:
    """The layer of a dotted module name inside the package."""
    parts = module.split(".")[1:]
    if not parts:
        return "root"
    head = parts[0]
    if head == "methods" and parts[1:2] == ["robustness"]:  # old path of the robustness engine
        return "robustness"
    if head in SHIMS:
        return SHIMS[head]
    if head in BASE:
        return "base"
    if head == "array":  # the array-level API is a method-layer face
        return "methods"
    return head


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    lines: int
    imports: list[tuple[str, int]] = field(default_factory=list)  # (module, line)
    private: list[tuple[str, int]] = field(default_factory=list)  # ("mod._name", line)
    external: list[tuple[str, int]] = field(default_factory=list)  # top-level third-party names


def _module_name(root: Path, path: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def load(root: Path) -> dict[str, Module]:
    """Every module below ``root`` (a package folder), parsed, with its fastinno imports."""
    mods: dict[str, Module] = {}
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = _module_name(root, path)
        mods[name] = Module(name, path, ast.parse(text, filename=str(path)), len(text.splitlines()))
    top = root.name
    for mod in mods.values():
        is_pkg = mod.path.name == "__init__.py"
        package = mod.name if is_pkg else mod.name.rpartition(".")[0]
        aliases: dict[str, str] = {}
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.split(".")[0] == top:
                        mod.imports.append((a.name, node.lineno))
                        if a.asname:
                            aliases[a.asname] = a.name
                    else:
                        mod.external.append((a.name.split(".")[0], node.lineno))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    src = ".".join([*base, node.module] if node.module else base)
                else:
                    src = node.module or ""
                if src.split(".")[0] != top:
                    mod.external.append((src.split(".")[0], node.lineno))
                    continue
                for a in node.names:
                    sub = f"{src}.{a.name}"
                    if sub in mods:  # `from pkg import submodule`
                        mod.imports.append((sub, node.lineno))
                        aliases[a.asname or a.name] = sub
                    else:
                        mod.imports.append((src, node.lineno))
                        if a.name.startswith("_") and not a.name.startswith("__"):
                            mod.private.append((f"{src}.{a.name}", node.lineno))
        for node in ast.walk(mod.tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                mod.private.append((f"{aliases[node.value.id]}.{node.attr}", node.lineno))
    return mods


def upward_imports(mods: dict[str, Module]) -> list[str]:
    bad = []
    for mod in mods.values():
        here = layer_of(mod.name)
        for target, line in mod.imports:
            there = layer_of(target)
            if there != here and there not in ALLOWED[here]:
                bad.append(f"{mod.name}:{line} ({here}) imports {target} ({there})")
    return bad


def kernel_imports(mods: dict[str, Module]) -> list[str]:
    bad = []
    for mod in mods.values():
        if layer_of(mod.name) != "kernels":
            continue
        bad += [f"{mod.name}:{line} imports {name}" for name, line in mod.external if name not in KERNEL_IMPORTS]
        bad += [f"{mod.name}:{line} imports {t}" for t, line in mod.imports if layer_of(t) != "kernels"]
    return bad


def cycles(mods: dict[str, Module]) -> list[list[str]]:
    """Strongly connected components with more than one module (or a module importing itself)."""
    graph = {m: sorted({t for t, _ in mod.imports if t in mods and t != m}) for m, mod in mods.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def private_uses(mods: dict[str, Module]) -> list[str]:
    bad = []
    for mod in mods.values():
        for name, line in mod.private:
            owner = name.rpartition(".")[0]
            if owner != mod.name:
                bad.append(f"{mod.name}:{line} uses {name}")
    return bad


def oversized(mods: dict[str, Module]) -> list[str]:
    bad = []
    for mod in mods.values():
        limit = MAX_KERNEL_LINES if layer_of(mod.name) == "kernels" else MAX_LINES
        if mod.lines > limit:
            bad.append(f"{mod.name}: {mod.lines} lines (limit {limit})")
    return bad


def unknown_layers(mods: dict[str, Module]) -> list[str]:
    return [m for m in mods if layer_of(m) not in ALLOWED]


@pytest.fixture(scope="module")
def modules() -> dict[str, Module]:
    return load(PACKAGE)


def test_every_module_has_a_layer(modules):
    assert not unknown_layers(modules)


def test_imports_go_down_the_layers(modules):
    assert not upward_imports(modules)


def test_kernels_import_only_arrays(modules):
    assert any(layer_of(m) == "kernels" for m in modules)
    assert not kernel_imports(modules)


def test_no_import_cycles(modules):
    assert not cycles(modules)


def test_no_private_names_of_other_modules(modules):
    assert not private_uses(modules)


def test_module_sizes(modules):
    assert not oversized(modules)


# --- the checks catch what they are for ---------------------------------------------------


@pytest.fixture
def planted(tmp_path):
    """A copy of the package to plant violations in."""
    root = tmp_path / "fastinno"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__", "*.csv", "*.parquet"))
    return root


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def _new(check, root: Path, plant) -> list:
    """What ``check`` finds after ``plant(root)`` that it did not find before."""
    before = check(load(root))
    plant(root)
    return [b for b in check(load(root)) if b not in before]


def test_planted_upward_import_is_caught(planted):
    new = _new(upward_imports, planted,
               lambda r: _append(r / "results.py", "def _f():\n    from .plots import save_figure\n"))
    assert len(new) == 1 and new[0].startswith("fastinno.results:") and "(plots)" in new[0]


def test_planted_kernel_import_is_caught(planted):
    path = planted / "kernels" / "normalize.py"
    new = _new(kernel_imports, planted, lambda r: _append(path, "import polars as pl"))
    assert new == [f"fastinno.kernels.normalize:{len(path.read_text().splitlines())} imports polars"]


def test_planted_cycle_is_caught(planted):
    new = _new(cycles, planted, lambda r: _append(r / "errors.py", "def _f():\n    from . import validate\n"))
    assert any({"fastinno.errors", "fastinno.validate"} <= set(c) for c in new)


def test_planted_private_names_are_caught(planted):
    def plant(r):
        _append(r / "array" / "ideal_solution.py", "from ..validate import _Unset\n")
        _append(r / "methods" / "mcda.py", "def _g():\n    return kn._private_helper\n")

    new = _new(private_uses, planted, plant)
    assert len(new) == 2
    assert any("fastinno.validate._Unset" in b for b in new)
    assert any("fastinno.kernels.normalize._private_helper" in b for b in new)


def test_planted_oversized_module_is_caught(planted):
    new = _new(oversized, planted,
               lambda r: _append(r / "errors.py", "\n".join(f"X{i} = {i}" for i in range(MAX_LINES))))
    assert len(new) == 1 and new[0].startswith("fastinno.errors:")


def test_naive_references_have_unique_names():
    """``tests/naive.py`` names each reference after its kernel: two kernels of one name would
    make the later reference silently replace the earlier one."""
    tree = ast.parse((PACKAGE.parent / "tests" / "naive.py").read_text(encoding="utf-8"))
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert sorted({n for n in names if names.count(n) > 1}) == []
