"""A simulated search audit log of a Eugene-sized city beside the real Eugene, OR log (docs/validation.md, section 5).

    python docs/make_search_validation.py     # a few seconds: redraws docs/search-validation.png, prints the table

The simulated agency is what ``[searches]`` makes of a city police with Eugene's own cameras (the log's median
own search, 123) when nothing is known of it: the portals' median rate (138 searches per 30 days), the default
reach mix and camera counts, over the real log's days. ``tests/test_validation.py::test_search_rows_of_the_page``
fails when the table in docs/validation.md no longer matches what this computes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
IMAGE = PROJECT / "docs" / "search-validation.png"


def logs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The real Eugene log and the simulated one, each as :func:`sim.audit.audit_table` gives it."""
    from sim.audit import audit_table, read_audit_log
    from sim.data import fetch
    from sim.scenario.searches import Searches
    from sim.searches import SearchPlan, simulate_log
    from sim.seeds import named_rng

    real = read_audit_log(fetch("eugene-search-audit"))
    first, last = real["time"].min().normalize(), real["time"].max().normalize()
    days = int((last - first).days) + 1
    spec = Searches(state="OR")
    own = int(real.loc[real["cameras"] <= 1000, "cameras"].median())
    plan = SearchPlan(agency="Eugene-sized city police", kind="local-police", jurisdiction="in-state",
                      users=spec.users, rate_per_day=spec.rate_per_30_days / 30, mix=spec.reach,
                      cameras={"own": own, "state": spec.state_pool_cameras, "national": spec.national_cameras},
                      operators={"own": (), "state": (), "national": ()},
                      target_share={"own": 0.0, "state": 0.0, "national": 0.0}, purposes=tuple(spec.purposes))
    simulated = simulate_log([plan], days, first, named_rng(0, "validation", "eugene-searches"))
    return real, audit_table(simulated, source="simulated")


def summary(table: pd.DataFrame) -> dict[str, Any]:
    """What the page compares: searches a day, reach shares, and the spread of searches per month."""
    from sim.audit import audit_metrics

    m = audit_metrics(table)
    months = [sum(v.values()) for v in m["searches_by_month"].values()][1:-1]  # whole months only
    return {"n": m["n_searches"], "per_day": m["searches_per_day"],
            "beyond": m["share_searches_beyond_city"], "beyond_ci": m["share_searches_beyond_city_ci"],
            "national": m["share_searches_national"], "national_ci": m["share_searches_national_ci"],
            "month_cv": float(np.std(months, ddof=1) / np.mean(months)), "by_month": m["searches_by_month"]}


def table(real: dict[str, Any], simulated: dict[str, Any]) -> str:
    """The markdown rows of docs/validation.md, section 5."""
    def pct(value: float, ci: list[float]) -> str:
        return f"{value:.1%} ({ci[0]:.1%}–{ci[1]:.1%})"

    rows = ["| | Eugene, OR (real) | simulated, a Eugene-sized city police |", "|---|---|---|"]
    rows.append(f"| searches | {real['n']:,} | {simulated['n']:,} |")
    rows.append(f"| searches a day | {real['per_day']:.1f} | {simulated['per_day']:.1f} |")
    rows.append(f"| beyond the city (> 1,000 cameras) | {pct(real['beyond'], real['beyond_ci'])} | "
                f"{pct(simulated['beyond'], simulated['beyond_ci'])} |")
    rows.append(f"| national (> 50,000 cameras) | {pct(real['national'], real['national_ci'])} | "
                f"{pct(simulated['national'], simulated['national_ci'])} |")
    rows.append(f"| month-to-month spread (coefficient of variation, whole months) | {real['month_cv']:.2f} | "
                f"{simulated['month_cv']:.2f} |")
    return "\n".join(rows)


def figure(real: dict[str, Any], simulated: dict[str, Any]) -> Any:
    """Searches per month, real and simulated, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    months = list(real["by_month"])
    x = np.arange(len(months))
    fig, ax = plt.subplots(figsize=(7.5, 3.6), layout="constrained")
    for offset, (label, data, colour) in enumerate((("Eugene, OR (real log)", real, "#1f4e79"),
                                                     ("simulated (portal median rate)", simulated, "#e07b00"))):
        counts = [sum(data["by_month"].get(m, {}).values()) for m in months]
        ax.bar(x + (offset - 0.5) * 0.4, counts, 0.4, label=label, color=colour)
    ax.set_xticks(x, months)
    ax.set_ylabel("searches in the month")
    ax.set_title("Searches per month: a real police log and the [searches] model's default", fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def main() -> None:
    real_log, simulated_log = logs()
    real, simulated = summary(real_log), summary(simulated_log)
    figure(real, simulated).savefig(IMAGE, dpi=110)
    sys.stdout.write(table(real, simulated) + "\n")


if __name__ == "__main__":
    main()
