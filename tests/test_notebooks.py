"""Every notebook runs top to bottom (small sizes), is stored without outputs, and shows its figures."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert {p.stem for p in NOTEBOOKS} >= {"01-quickstart", "02-compare-placements", "03-classroom-demo",
                                           "04-westchester-sanctuary", "05-norfolk-curtain", "06-real-reads"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_is_stripped(path):
    from nbclient import NotebookClient

    from conftest import dataset_path

    if path.stem == "06-real-reads":
        dataset_path("seattle-spd-reads")  # (skips, saying why, when it is not at hand; the kernel reads it too)
    book = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in book.cells if cell.cell_type == "code"), "strip outputs"
    NotebookClient(book, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    # every cell that draws a figure (a call to one of sim.plot's *_figure functions) displays it as a PNG,
    # not as "<Figure size 770x770 with 1 Axes>"
    figure_cells = [c for c in book.cells if c.cell_type == "code" and FIGURE_CALL.search(c.source)]
    assert len(figure_cells) >= FIGURES.get(path.stem, 0), "a figure the notebook promises is not drawn"
    for cell in figure_cells:
        shown = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        printed = [o for o in cell.outputs if "<Figure size" in str(o.get("data", {}).get("text/plain", ""))
                   and "image/png" not in o.get("data", {})]
        assert shown and not printed, f"no figure shown for:\n{cell.source}"


#: a cell that calls a figure function (``map_figure(``, ``placement_comparison_figure(`` …)
FIGURE_CALL = re.compile(r"\b\w+_figure\(")
#: the figures each notebook promises in its text, at least
FIGURES = {"01-quickstart": 3, "02-compare-placements": 1, "03-classroom-demo": 1, "04-westchester-sanctuary": 1,
           "06-real-reads": 4}
