"""The public API: what `sim` exports is what docs/architecture.md lists, and tests and notebooks use nothing
private."""

from __future__ import annotations

import ast
import json
import re

import sim

from conftest import PROJECT


def documented_names() -> set[str]:
    text = (PROJECT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Public API", 1)[1].split("\n## ", 1)[0]
    listed = "\n".join(line for line in section.splitlines() if line.startswith(("- ", "  ")))
    return set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", listed))


def test_the_documented_api_is_what_sim_exports():
    assert documented_names() == set(sim.__all__)
    for name in sim.__all__:
        assert getattr(sim, name) is not None


def _imports(source: str) -> list[tuple[str, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sim"):
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if alias.name.startswith("sim")]
    return found


def test_tests_and_notebooks_import_no_private_name():
    sources = {p.name: p.read_text(encoding="utf-8") for p in (PROJECT / "tests").glob("*.py")}
    for notebook in (PROJECT / "notebooks").glob("*.ipynb"):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        sources[notebook.name] = "\n".join(line for line in code.splitlines() if not line.startswith(("%", "!")))
    private = [(where, module, name) for where, text in sources.items() for module, name in _imports(text)
               if any(part.startswith("_") for part in module.split(".")) or name.startswith("_")]
    assert private == []


def test_importing_the_metrics_package_registers_every_metric():
    """The registry is filled by sim.metrics itself (its __init__ imports the catalogue), not by whichever module
    happens to import the catalogue: every ``@metric`` of the catalogue is registered after ``import sim.metrics``."""
    import subprocess
    import sys

    init = ast.parse((PROJECT / "sim" / "metrics" / "__init__.py").read_text(encoding="utf-8"))
    assert ("sim.metrics", "catalogue") in _imports(ast.unparse(init))
    catalogue = (PROJECT / "sim" / "metrics" / "catalogue.py").read_text(encoding="utf-8")
    decorated = len(re.findall(r"^@metric\(", catalogue, flags=re.M))
    code = "import sim.metrics; from sim.metrics.registry import METRICS; print(len(METRICS))"
    registered = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert decorated >= 10 and int(registered) == decorated
