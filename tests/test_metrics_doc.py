"""docs/metrics.md's crowd-size table is what the code computes now, at fixed coverage."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_crowd_size_rows_of_the_page():
    script = load_script("make_crowd_size")
    rows = script.crowd_rows()
    assert len({r["cameras"] for r in rows}) == 1  # the same cameras for every crowd: fixed coverage
    page = (DOCS / "metrics.md").read_text()
    assert script.table(rows) in page
    # the point of the figure: a bigger crowd hides a plate better (U(2) falls at every step)
    u2 = [r["u2"] for r in rows]
    assert all(a > b for a, b in zip(u2, u2[1:]))
