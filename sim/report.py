"""``report.html``: one self-contained page a person can read or attach to an email."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

#: Metrics shown first, with the words a reader needs.
HEADLINE = (
    ("n_trips", "trips simulated"),
    ("n_cameras", "cameras"),
    ("n_reads", "plate reads"),
    ("reads_per_camera_per_day", "reads per camera per day"),
    ("share_trips_read_ge1", "share of trips read at least once"),
    ("share_trips_read_ge2", "share of trips read at least twice"),
    ("route_recall_mean", "mean share of a trip's route recovered (route recall)"),
    ("route_precision_mean", "mean share of a recovered route that is right (precision)"),
    ("route_recall_mean_ge2", "route recall, trips sighted at least twice"),
    ("route_precision_mean_ge2", "precision, trips sighted at least twice"),
    ("share_trips_fastest_route", "share of trips that drove a fastest path"),
    ("od_error_m_median", "median error of inferred origin/destination (m)"),
    ("share_long_trips_read", "share of long trips read at least once"),
    ("camera_free_pair_share", "share of place pairs with a camera-free route"),
    ("detour_ratio_median", "median detour to avoid every camera (× fastest time)"),
)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape(str(value))


def _what_if_table(what_if: dict[str, dict[str, Any]] | None) -> str:
    """Long trips per view, as run and with an operator or pool removed."""
    if not what_if:
        return ""
    rows = []
    for case, views in what_if.items():
        for view, lt in views.items():
            cells = ("—",) * 3 if lt is None else (
                f"{lt['share_km_covered_mean']:.0%}", f"{lt['longest_gap_km_median']:,.0f}",
                f"{lt['operators_seeing_mean']:.1f}")
            rows.append(f"<tr><td>{html.escape(case)}</td><td>{html.escape(view)}</td>"
                        + "".join(f"<td class=num>{c}</td>" for c in cells) + "</tr>")
    return ("<h2>Long trips: what if an operator or pool were gone?</h2><table><tr><th>case</th><th>view</th>"
            "<th>share of km recovered (mean)</th><th>longest unobserved stretch, km (median)</th>"
            "<th>operators seeing a trip (mean)</th></tr>" + "".join(rows) + "</table>")


def _interval(ci: list[float] | None, style: str = ".0%") -> str:
    return f"{ci[0]:{style}}–{ci[1]:{style}}" if ci else ""


def _person_table(metrics: dict[str, Any]) -> str:
    """How identifiable (uniqueness) and how foreseeable (next-camera prediction) a driver is, with 95 % CIs."""
    ci = metrics.get("uniqueness_ci") or {}
    rows = [f"<tr><td>singled out by {k} random (camera, hour) point{'s' if k > 1 else ''}</td>"
            f"<td class=num>{_pct(metrics.get(f'uniqueness_k{k}'))}</td><td>{_interval(ci.get(f'k{k}'))}</td></tr>"
            for k in range(1, 6) if f"uniqueness_k{k}" in metrics]
    names = {"frequency": "the vehicle's most frequent cameras (baseline)",
             "markov1": "a Markov model of the last camera", "markov2": "a Markov model of the last two cameras"}
    for model, p in (metrics.get("predictability") or {}).items():
        for top in ("top1", "top3"):
            guess = "the camera" if top == "top1" else "among the 3 cameras"
            rows.append(f"<tr><td>next camera is {guess} predicted by {names.get(model, model)}"
                        f"</td><td class=num>{_pct(p.get(top))}</td><td>{_interval(p.get(top + '_ci'))}</td></tr>")
    if not rows:
        return ""
    return ("<h2>How identifiable, how foreseeable</h2><table><tr><th>share of plates / transitions</th>"
            "<th>value</th><th>95 % interval</th></tr>" + "".join(rows) + "</table>")


def _precision_note(metrics: dict[str, Any]) -> str:
    """Why route precision is not perfect (or why it is, when drivers all take the fastest path)."""
    choice = metrics.get("route_choice") or {}
    if not choice:
        return ""
    if not choice.get("route_noise"):
        return ("<p><b>Best case.</b> In this scenario every driver takes the fastest path "
                "(<code>traffic.route_noise = 0</code>), which is exactly what reconstruction assumes between two "
                "sightings: route recall and precision are upper bounds, not estimates.</p>")
    fastest, ge2 = metrics.get("share_trips_fastest_route"), metrics.get("route_precision_mean_ge2")
    return (f"<p><b>Why precision is below 1.</b> Drivers choose routes on their own perceived travel times "
            f"(lognormal spread {choice['route_noise']:g}); {_pct(fastest, '.1%')} of trips drove a fastest path. "
            "Between two sightings the reconstruction can only assume the fastest path, so where a driver took "
            f"another road the rebuilt route is partly wrong. Over trips sighted at least twice precision is "
            f"{_pct(ge2, '.1%')}; a trip sighted once is 'precise' by construction (its one read road).</p>")


def _pct(value: Any, style: str = ".0%") -> str:
    return f"{value:{style}}" if isinstance(value, float) else "—"


def _fleet_table(fleets: dict[str, dict[str, Any]] | None) -> str:
    """Fixed cameras and patrol-car readers side by side."""
    if not fleets:
        return ""
    columns = (("n_readers", "readers"), ("cost", "cost"), ("n_reads", "reads"),
               ("share_trips_read_ge1", "share of trips read"), ("share_vehicles_read", "share of vehicles read"),
               ("vehicles_read_per_1000_cost", "vehicles read per 1,000 of cost"))
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in columns)
    rows = "".join(f"<tr><td>{html.escape(name)}</td>" + "".join(f"<td class=num>{_fmt(f.get(k))}</td>"
                                                                   for k, _ in columns) + "</tr>"
                   for name, f in fleets.items())
    return f"<h2>Fixed cameras and mobile readers</h2><table><tr><th>fleet</th>{head}</tr>{rows}</table>"


def render_report(metrics: dict[str, Any], scenario_toml: str, figures: list[Path], title: str) -> str:
    """The report as an HTML string; figures are embedded as base64 PNG."""
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td class=num>{_fmt(metrics.get(key))}</td>"
        f"<td class=num>{_fmt(metrics[key + '_n']) if key + '_n' in metrics else ''}</td>"
        f"<td>{_interval(metrics.get(key + '_ci'), '.1%')}</td>"
        f"<td><code>{key}</code></td></tr>"
        for key, label in HEADLINE
        if key in metrics
    )
    agencies = metrics.get("agencies") or {}
    agency_rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td class=num>{_fmt(a['share_reads_visible'])}</td>"
        f"<td class=num>{_fmt(a['share_trips_reconstructable'])}</td>"
        f"<td>{html.escape('; '.join(' → '.join(p) for p in a['paths'].values()) or 'no access')}</td></tr>"
        for name, a in agencies.items()
    )
    agency_table = (
        "<h2>Who can see the reads</h2><table><tr><th>agency</th><th>share of reads visible</th>"
        "<th>share of trips reconstructable (≥ 2 visible reads)</th><th>access path(s)</th></tr>"
        f"{agency_rows}</table>"
        if agencies
        else ""
    )
    what_if = (_person_table(metrics) + _what_if_table(metrics.get("long_trips_what_if"))
               + _fleet_table(metrics.get("fleets")))
    images = "".join(
        f'<figure><img alt="{html.escape(p.stem)}" src="data:image/png;base64,'
        f'{base64.b64encode(p.read_bytes()).decode()}"><figcaption>{html.escape(p.name)}</figcaption></figure>'
        for p in figures
    )
    whole = "the whole or virtual whole"
    recall = metrics.get("route_recall_mean")
    verdict = (
        f"<p>On average the reads reveal <b>{recall:.0%}</b> of a trip's route (length-weighted route "
        f"recall). A placement that reveals {whole} of a person's movements would score close to 100 %.</p>"
        if isinstance(recall, float)
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} — Curtain report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
img {{ max-width: 100%; }} figure {{ margin: 1em 0; }}
pre {{ background: #f6f6f6; padding: 1em; overflow-x: auto; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Simulated with Curtain {html.escape(str(metrics.get('versions', {}).get('curtain-sim', '')))},
seed {html.escape(str(metrics.get('seed')))}.</p>
{verdict}
<h2>Key numbers</h2>
<table><tr><th>what</th><th>value</th><th>out of (n)</th><th>95 % interval</th><th>key in metrics.json</th></tr>
{rows}</table>
{_precision_note(metrics)}
{agency_table}
{what_if}
<h2>Figures</h2>
{images}
<h2>Scenario</h2>
<pre>{html.escape(scenario_toml)}</pre>
<h2>All metrics</h2>
<pre>{html.escape(json.dumps(metrics, indent=2, sort_keys=True))}</pre>
</body></html>
"""
