"""The package's layout rules (issue 12), read from the source with ``ast``: no import cycle
between modules, no import of another package's private module, no module over 500 lines, few
task/data-kind switches, one folder per family, a short search loop.

import-linter checks the layers (pyproject); these are the rules it cannot express.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "archsmith"
MAX_LINES = 500
MAX_SWITCHES = 30
MAX_LOOP_LINES = 60
#: the task/data-kind switches we count (the same pattern as the issue's layout figures)
SWITCH = re.compile(r"kind ==|kind !=|kind in |isinstance\([a-z_.]*task, |task\.type ==|\.type in ")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported(name: str, path: Path, node: ast.ImportFrom | ast.Import) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    return [target, *(f"{target}.{alias.name}" for alias in node.names)]


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges[name].update(
                    t for t in _imported(name, path, node) if t in MODULES and t != name
                )
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_no_import_cycle_between_modules():
    assert _cycles(_edges()) == []


def test_no_module_imports_another_packages_private_module():
    offenders = []
    for name, targets in _edges().items():
        for target in targets:
            owner, _, last = target.rpartition(".")
            private = last.startswith("_") and not last.startswith("__")
            if private and owner.count(".") >= 1 and not (name + ".").startswith(owner + "."):
                offenders.append(f"{name} -> {target}")
    assert offenders == []


def test_no_module_is_over_500_lines():
    sizes = {name: len(path.read_text().splitlines()) for name, path in MODULES.items()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_task_and_data_kind_switches_are_few():
    counts = {name: len(SWITCH.findall(path.read_text())) for name, path in MODULES.items()}
    total = sum(counts.values())
    assert total < MAX_SWITCHES, {name: n for name, n in counts.items() if n}


def test_every_family_has_a_folder_with_its_catalog_blocks_and_spaces():
    folders = [
        d for d in (PACKAGE / "families").iterdir() if d.is_dir() and not d.name.startswith("_")
    ]
    assert len(folders) >= 19
    for folder in folders:
        assert (folder / "__init__.py").is_file(), folder
        assert (folder / "blocks.py").is_file(), folder
    # every shipped space lives in a family folder (``transfer`` ships none: its backbone is
    # the user's file)
    assert len(list((PACKAGE / "families").glob("*/*.yaml"))) >= 20


@pytest.mark.parametrize("module, function", [("archsmith.runner._loop", "optimize")])
def test_the_search_loop_reads_in_one_screen(module, function):
    tree = ast.parse(MODULES[module].read_text())
    (node,) = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function]
    assert node.end_lineno is not None
    assert node.end_lineno - node.lineno + 1 < MAX_LOOP_LINES


def test_the_shipped_spaces_are_real_files():
    links = [p for p in PACKAGE.rglob("*") if p.is_symlink()]
    assert links == []
