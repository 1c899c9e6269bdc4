"""The README's figure is what the code draws today (docs/make_readme_figure.py redraws it)."""

from __future__ import annotations

import runpy

import numpy as np
from matplotlib.image import imread, imsave
from matplotlib.testing.compare import compare_images

from conftest import PROJECT

SCRIPT = runpy.run_path(str(PROJECT / "docs" / "make_readme_figure.py"))


def test_readme_figure_is_current(tmp_path):
    fresh = SCRIPT["draw"](tmp_path / "fresh.png")
    committed = SCRIPT["IMAGE"]
    assert f"]({committed.relative_to(PROJECT).as_posix()})" in (PROJECT / "README.md").read_text()
    problem = compare_images(str(committed), str(fresh), tol=SCRIPT["TOLERANCE"])
    assert problem is None, f"README figure is stale; run python docs/make_readme_figure.py\n{problem}"
    # the tolerance is not so loose that it would pass a changed drawing: the same map moved by 4 pixels fails
    moved = tmp_path / "moved.png"
    imsave(moved, np.roll(imread(fresh), 4, axis=1))
    assert compare_images(str(committed), str(moved), tol=SCRIPT["TOLERANCE"]) is not None
