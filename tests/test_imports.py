"""Imports run one way: no module of sim/ imports, directly or round about, a module that imports it.

The graph is built from the source with ``ast`` (no module is imported): an edge for every ``import`` of a sim
module, at the top of a module or inside a function, and one to each package whose ``__init__`` such an import
runs (from outside that package). Imports under ``if TYPE_CHECKING:`` are for type checkers only and are left
out. A sim-internal import inside a function must say why on its line (``# lazy: <the heavy dependency>``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from conftest import PROJECT

SIM = PROJECT / "sim"
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(SIM.rglob("*.py")):
        parts = list(path.relative_to(PROJECT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _target(name: str) -> str | None:
    """The sim module an imported name lives in (``sim.x.y`` may name a function of ``sim.x``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _type_checking_only(tree: ast.Module) -> set[int]:
    skip = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    return skip


def _imports(module: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported sim module, line, inside a function) of every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_only(tree)
    in_function = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                   for n in ast.walk(f)}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        names: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "sim":
                continue
            names = [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names if alias.name.split(".")[0] == "sim"]
        for name in names:
            target = _target(name)
            if target and target != module:
                out.append((target, node.lineno, id(node) in in_function))
    return out


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for module, path in MODULES.items():
        for target, _, _ in _imports(module, path):
            graph.add_edge(module, target)
            # importing sim.a.b runs sim/a/__init__ first (the root package's is the public API, left out)
            parent = target.rpartition(".")[0]
            while parent.count(".") >= 1:
                if not module.startswith(parent + ".") and module != parent:
                    graph.add_edge(module, parent)
                parent = parent.rpartition(".")[0]
    return graph


def test_the_import_graph_is_read_from_the_source():
    graph = import_graph()
    # a few edges known by hand, so that an empty or wrong graph cannot pass the tests below
    assert graph.has_edge("sim.pipeline", "sim.stages.routes")
    assert graph.has_edge("sim.stages.routes", "sim.routing")
    assert graph.has_edge("sim.routing.trees", "sim.routing.dijkstra")
    assert graph.has_edge("sim.figures", "sim.plot")  # an import inside a function counts
    assert not graph.has_edge("sim.network", "sim.routing")


def test_sim_imports_one_way():
    cycles = list(nx.simple_cycles(import_graph()))
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join([*c, c[0]]) for c in cycles[:10])


def test_a_cycle_is_found_when_there_is_one():
    graph = import_graph()
    graph.add_edge("sim.network", "sim.pipeline")  # the road network importing the pipeline would close a loop
    assert list(nx.simple_cycles(graph))


def test_imports_inside_functions_say_why():
    unexplained = []
    for module, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for target, line, inside in _imports(module, path):
            if inside and "# lazy: " not in lines[line - 1]:
                unexplained.append(f"{path.relative_to(PROJECT)}:{line} imports {target}")
    assert not unexplained, "sim-internal imports inside functions without '# lazy: <reason>':\n" + "\n".join(
        unexplained)


@pytest.mark.parametrize("path", sorted(MODULES.values()), ids=lambda p: str(p.relative_to(SIM)))
def test_no_module_is_over_600_lines(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(PROJECT)} has {n} lines; split it by what it does"
