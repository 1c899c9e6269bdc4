"""Uniqueness against the size of the crowd at fixed coverage (docs/metrics.md, "Person metrics and crowd size").

    python docs/make_crowd_size.py     # about a minute; redraws docs/crowd-size.png and prints the table

One town (a 12 × 12 grid, the same 24 cameras on its busiest roads, a week of the population model with no
traffic from outside, seed 0) driven by crowds of 200 to 3,200 vehicles. U(k) is the share of plates with k
points whose k random (camera, hour) points no other plate holds (de Montjoye et al. 2013). The cameras do not
move; only the number of others who might share a plate's points grows, and U(k) falls with it. So a run that
simulates a sample of a city's fleet would report a higher U(k) than the city's: Curtain reports such runs'
person metrics as null with this reason (``sim.metrics.catalogue.sampled_person_metrics``).
``tests/test_metrics_doc.py::test_crowd_size_rows_of_the_page`` (slow) reruns it and compares with the page.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
IMAGE = PROJECT / "docs" / "crowd-size.png"
CROWDS = (200, 400, 800, 1600, 3200)
TOWN = ["network.rows=12", "network.cols=12", "network.arterial_every=4", "demand.model='population'",
        "demand.days=7", "demand.zone_km=0.5", "demand.in_commuter_share=0", "demand.out_commuter_share=0",
        "demand.through_share=0", "cameras.count=24", "cameras.strategy='betweenness'", "metrics.pair_samples=20",
        "seed=0"]


def crowd_rows() -> list[dict[str, Any]]:
    """U(1), U(2), U(3) with 95 % intervals and the cameras' ids, per crowd size."""
    from sim import load_scenario, simulate_scenario

    rows: list[dict[str, Any]] = []
    for vehicles in CROWDS:
        sim = simulate_scenario(load_scenario(overrides=[*TOWN, f"demand.vehicles={vehicles}"]))
        m = sim.metrics
        row: dict[str, Any] = {"vehicles": vehicles, "cameras": ",".join(sorted(sim.layout["camera_id"]))}
        for k in (1, 2, 3):
            row[f"u{k}"], row[f"u{k}_ci"] = m[f"uniqueness_k{k}"], m[f"uniqueness_k{k}_ci"]
        rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| vehicles | U(1) | U(2) | U(3) |", "|---|---|---|---|"]
    for r in rows:
        cells = [f"{r[f'u{k}']:.2f} ({r[f'u{k}_ci'][0]:.2f}–{r[f'u{k}_ci'][1]:.2f})" for k in (1, 2, 3)]
        lines.append(f"| {r['vehicles']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def figure(rows: list[dict[str, Any]]) -> Any:
    """U(1), U(2), U(3) against crowd size, with their intervals (a matplotlib Figure)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.0), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    x = [r["vehicles"] for r in rows]
    for k, colour in ((1, "#9ecae1"), (2, "#3182bd"), (3, "#08519c")):
        y = [r[f"u{k}"] for r in rows]
        lo = [r[f"u{k}_ci"][0] for r in rows]
        hi = [r[f"u{k}_ci"][1] for r in rows]
        ax.plot(x, y, marker="o", color=colour, label=f"U({k}): singled out by {k} random point{'s' * (k > 1)}")
        ax.fill_between(x, lo, hi, color=colour, alpha=0.2, lw=0)
    ax.set_xscale("log")
    ax.set_xticks(x, [f"{v:,}" for v in x])
    ax.minorticks_off()
    ax.set_ylim(0, 1)
    ax.set_xlabel("vehicles in the town (the same 24 cameras)")
    ax.set_ylabel("share of plates singled out")
    ax.set_title("The bigger the crowd, the fewer plates stand out", loc="left", fontsize=11)
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def main() -> int:
    from sim.plot import save_figure

    rows = crowd_rows()
    save_figure(figure(rows), IMAGE)
    print(f"wrote {IMAGE}\n\n{table(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
