"""Each library scenario's reads per fixed camera per day beside the Flock portals' (docs/validation.md, section 4).

    python docs/make_portal_comparison.py     # runs the scenarios (about 2 minutes), redraws
                                              # docs/portal-comparison.png and prints the table

``tests/test_validation.py::test_portal_rows_of_the_page`` (slow) runs the same scenarios and fails when the
table in docs/validation.md no longer matches what the code computes. The portal figures are the registry's
dataset ``flock-portal-usage`` (:mod:`sim.data`: ``CURTAIN_DATA``, the cache, or a download).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
IMAGE = PROJECT / "docs" / "portal-comparison.png"
#: every library scenario with fixed cameras, at its own default size
SCENARIOS = ("teaching-grid", "river-city", "city-line", "interstate-corridor", "patrol-vs-fixed", "sioux-falls",
             "norfolk-curtain", "westchester-sanctuary")


def portal_values() -> np.ndarray:
    from sim.data import fetch
    from sim.io.flock import portal_reads_per_camera_day

    return portal_reads_per_camera_day(fetch("flock-portal-usage"))["reads_per_camera_per_day"].to_numpy()


def scenario_values() -> dict[str, float]:
    """Reads per fixed camera per day of each library scenario, scaled to the whole fleet where it is sampled."""
    from sim import load_scenario, simulate_scenario

    out = {}
    for name in SCENARIOS:
        m = simulate_scenario(load_scenario(PROJECT / "scenarios" / f"{name}.toml")).metrics
        out[name] = float(m.get("reads_per_camera_per_day_full_scale") or m["reads_per_camera_per_day"])
    return out


def table(portal: np.ndarray, values: dict[str, float]) -> str:
    """The markdown rows of docs/validation.md: scenario, reads per camera per day, its portal percentile."""
    rows = ["| scenario | reads per fixed camera per day (whole fleet) | portals reading fewer |", "|---|---|---|"]
    for name, value in sorted(values.items(), key=lambda item: item[1]):
        rows.append(f"| {name} | {value:,.0f} | {(portal < value).mean():.0%} |")
    return "\n".join(rows)


def main() -> int:
    from sim.plot import save_figure
    from sim.plot_reads import portal_comparison_figure

    portal = portal_values()
    values = scenario_values()
    save_figure(portal_comparison_figure(portal, values), IMAGE)
    print(f"wrote {IMAGE}\n\n{table(portal, values)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
