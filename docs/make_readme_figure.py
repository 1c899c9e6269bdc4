"""Redraw the README's figure (docs/teaching-grid-map.png) from the default scenario.

    python docs/make_readme_figure.py            # rewrite docs/teaching-grid-map.png
    python docs/make_readme_figure.py --check    # exit 1 if the committed image is stale

The image is the map figure of ``curtain run`` (the built-in teaching-grid): cameras, a typical trip (nearest
the median route recall of trips sighted twice) and the route rebuilt from its reads. ``tests/test_readme_figure.py``
fails when the committed image no longer matches what the code draws, so a change to the scenario, the simulation or
the figure shows up there.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

IMAGE = Path(__file__).resolve().parent / "teaching-grid-map.png"
# Root-mean-square difference (0-255 grey levels) tolerated between two drawings of the same figure:
# a different matplotlib or FreeType build moves anti-aliased edges a little; another trip or another
# camera layout moves whole lines (RMS > 20).
TOLERANCE = 3.0


def draw(path: Path) -> Path:
    """Draw the default scenario's map figure to ``path``."""
    from sim import load_scenario, simulate_scenario
    from sim.figures import write_figures

    with tempfile.TemporaryDirectory() as folder:
        write_figures(simulate_scenario(load_scenario()), Path(folder))
        shutil.copyfile(Path(folder) / "map.png", path)
    return path


def stale(committed: Path = IMAGE) -> str | None:
    """None when ``committed`` matches a fresh drawing, else what differs."""
    from matplotlib.testing.compare import compare_images

    with tempfile.TemporaryDirectory() as folder:
        fresh = draw(Path(folder) / "fresh.png")
        return compare_images(str(committed), str(fresh), tol=TOLERANCE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the committed image is current")
    args = parser.parse_args(argv)
    if args.check:
        problem = stale()
        if problem:
            print(f"{IMAGE} is stale; run: python docs/make_readme_figure.py\n{problem}", file=sys.stderr)
            return 1
        print(f"{IMAGE} is current")
        return 0
    print(f"wrote {draw(IMAGE)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
