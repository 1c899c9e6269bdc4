"""``report.html``: one self-contained page a person can read or attach to an email."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

#: What ``fleets[...].n_observations`` counts, in the words of the answer and the fleet table.
OBSERVATIONS = "observations (a pass, or a parked car's stay, once)"

#: Metrics shown first, with the words a reader needs.
HEADLINE = (
    ("n_trips", "trips simulated"),
    ("n_cameras", "cameras"),
    ("n_reads", "plate reads"),
    ("reads_per_camera_per_day", "reads per camera per day"),
    ("reads_per_camera_per_day_full_scale", "reads per camera per day, scaled up to the whole fleet"),
    ("share_trips_read_ge1", "share of trips read at least once"),
    ("share_trips_read_ge2", "share of trips read at least twice"),
    ("route_recall_mean", "mean share of a trip's route recovered (route recall)"),
    ("route_precision_mean", "mean share of a recovered route that is right (precision)"),
    ("route_recall_mean_ge2", "route recall, trips sighted at least twice"),
    ("route_precision_mean_ge2", "precision, trips sighted at least twice"),
    ("share_trips_fastest_route", "share of trips that drove a fastest path"),
    ("od_error_m_median", "median error of inferred origin/destination (m)"),
    ("share_long_trips_read", "share of long trips read at least once"),
    ("share_trips_located", "share of trips whose start and end the reads place in space and time"),
    ("share_vehicles_movements_located_ge90", "share of vehicles with 90 % of their trips placed: the whole of "
                                              "their movements"),
    ("share_vehicle_days_located", "share of vehicle-days with every trip placed"),
    ("vehicle_km_recovered_median", "median share of a vehicle's kilometres recovered"),
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
    if metrics.get("person_metrics_reason"):  # a sample of the fleet: no number, and why
        return ("<h2>How identifiable, how foreseeable</h2><p>Not computed: "
                f"{html.escape(str(metrics['person_metrics_reason']))}.</p>")
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


def _share(metrics: dict[str, Any], key: str) -> str:
    """A share with its 95 % interval in words, e.g. '44 % (95 % interval 43–46 %)'."""
    value, ci = metrics.get(key), metrics.get(f"{key}_ci")
    if not isinstance(value, float):
        return "—"
    # near 0 or 1 a whole percent hides the interval: show a tenth
    style = ".1%" if min(value, 1 - value, *(ci or [0.5])) < 0.01 or max(ci or [0.5]) > 0.99 else ".0%"
    if ci and f"{ci[0]:.0%}" == f"{ci[1]:.0%}":  # a narrow interval: show its width
        style = ".1%"
    if ci and max(value, ci[1]) < 0.001 or ci and min(value, ci[0]) > 0.999:
        style = ".3%"
    return f"{value:{style}} (95 % interval {ci[0]:{style}}–{ci[1]:{style}})" if ci else f"{value:{style}}"


def _answer_coverage(m: dict[str, Any]) -> str:
    return (f"The reads reveal {_share(m, 'route_recall_mean')} of the average trip's route; "
            f"{_share(m, 'share_trips_read_ge2')} of trips are sighted at least twice. {_whole_of_movements(m)}")


def _whole_of_movements(m: dict[str, Any]) -> str:
    """The court's standard in its words: where the vehicles went and when, and how much of their driving."""
    who = m.get("movements_of", "vehicles")
    where = f" (within {m['locate_m']:,.0f} m and {m['locate_s'] / 60:.0f} minutes)" if "locate_m" in m else ""
    return (f"For {_share(m, 'share_vehicles_movements_located_ge90')} of {who} the reads place where and when "
            f"90 % or more of their trips began and ended{where} — the \"whole or virtual whole\" of their "
            f"movements in the court's words; {_share(m, 'share_vehicles_km_recovered_ge90')} have 90 % or more "
            "of the kilometres they drove recovered.")


def _answer_access(m: dict[str, Any]) -> str:
    agencies = m.get("agencies") or {}
    everything = sorted(a for a, v in agencies.items() if (v.get("share_reads_visible") or 0) >= 0.999)
    parts = [f"{len(everything)} of {len(agencies)} agencies can search every read"
             + (f" ({', '.join(everything)})" if everything else "")]
    for rule, report in (m.get("rules") or {}).items():
        for agency, path in (report.get("leaks") or {}).items():
            seen = agencies.get(agency, {})
            parts.append(f"despite rule {rule}, {agency} reaches {_share(seen, 'share_reads_visible')} of the reads "
                         f"through {' → '.join(path)}, enough to rebuild "
                         f"{_share(seen, 'share_trips_reconstructable')} of trips (sighted twice or more)")
    return "; ".join(parts) + "."


def _answer_fence(m: dict[str, Any]) -> str:
    if "district_sealed" not in m:
        return _answer_coverage(m)
    both = m["district_sealed_in"] and m["district_sealed_out"]
    state = ("fenced in both ways" if both else "fenced in only one way" if m["district_sealed_in"]
             or m["district_sealed_out"] else "not fenced in")
    return (f"The district is {state} by {m.get('district_fence_cameras', '—')} cameras (sealing it takes at "
            f"least {m['min_cut_to_seal_district']} road segments watched both ways, or "
            f"{m['min_cameras_to_seal_district']} one-direction cameras). {_entries(m)}Over "
            f"{m.get('n_days', 1)} simulated day{'s' if m.get('n_days', 1) != 1 else ''} the reads "
            f"{_median_km(m)}. {_whole_of_movements(m)}")


def _entries(m: dict[str, Any]) -> str:
    """'Of its 46 ways in, 0 carry no reader; 91% (…) of the 12,345 trips into it were read as they entered. '"""
    if "n_ways_in" not in m:
        return ""
    trips = (f"{_share(m, 'share_trips_entering_read')} of the {m['n_trips_entering']:,} trips into it were read "
             "as they entered" if m.get("n_trips_entering") else "no trip entered it")
    return f"Of its {m['n_ways_in']:,} ways in, {m['n_ways_in_camera_free']:,} carry no reader; {trips}. "


def _median_km(m: dict[str, Any]) -> str:
    """'recover a median 12% of a vehicle's driven kilometres', or why there is no median (never a made-up 0)."""
    median = m.get("vehicle_km_recovered_median")
    if isinstance(median, (int, float)):
        return f"recover a median {median:.0%} of a vehicle's driven kilometres"
    reason = m.get("vehicle_km_recovered_median_reason")
    return "give no median share of a vehicle's driven kilometres" + (f" ({reason})" if reason else "")


def _answer_fleets(m: dict[str, Any]) -> str:
    fleets = m.get("fleets") or {}
    if len(fleets) < 2:
        return _answer_coverage(m)
    def per_cost(name: str, key: str) -> float:
        f = fleets[name]
        return 1000 * (f.get(key) or 0) / f["cost"] if f.get("cost") else float("nan")
    label = {"fixed": "fixed cameras", "mobile": "patrol-car readers"}
    words = []
    for key, what in (("n_observations", OBSERVATIONS),
                      ("share_trips_read_ge1", "trips"), ("share_vehicles_read", "vehicles")):
        best = max(fleets, key=lambda name: per_cost(name, key) if fleets[name].get("cost") else -1)
        words.append(f"{what}: {label.get(best, best)}")
    shares = "; ".join(f"{label.get(name, name)} read {_share(f, 'share_trips_read_ge1')} of trips and "
                       f"{_share(f, 'share_vehicles_read')} of vehicles" for name, f in fleets.items())
    costs = {name: f.get("cost") for name, f in fleets.items()}
    if len(set(costs.values())) == 1 and None not in costs.values():
        spent = "At equal cost"
    else:
        spent = "At their own costs (" + ", ".join(
            f"{label.get(name, name)} {_fmt(cost) if cost is not None else 'no cost given'}"
            for name, cost in costs.items()) + ")"
    return f"Per 1,000 of cost, the fleet that reads more — {', '.join(words)}. {spent}, {shares}."


ANSWERS = {"coverage": _answer_coverage, "access": _answer_access, "fence": _answer_fence, "fleets": _answer_fleets}


def answer(metrics: dict[str, Any], question: str = "coverage") -> str:
    """The sentence that answers the scenario's question (``output.question``), with its numbers and intervals."""
    return ANSWERS[question](metrics)


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


def _route_sample_note(metrics: dict[str, Any]) -> str:
    """Which numbers come from a sample of routes (``[metrics] route_sample``), or nothing when every route is kept."""
    sample = metrics.get("route_sample")
    if not sample:
        return ""
    return (f"<p><b>Routes of a sample.</b> Every trip's reads are simulated and counted, but the routes of "
            f"{sample['vehicles']:,} of {sample['of_vehicles']:,} vehicles ({sample['trips']:,} of "
            f"{sample['of_trips']:,} trips, a random sample stratified by trips per vehicle) are kept to compare "
            "with what is rebuilt: route recall and precision, the long-trip gaps, where vehicles drive, and the "
            "coverage map are the sample's, with intervals at its size. Set <code>[metrics] route_sample = "
            "\"all\"</code> to keep every route.</p>")


def _pct(value: Any, style: str = ".0%") -> str:
    return f"{value:{style}}" if isinstance(value, float) else "—"


def _fleet_table(fleets: dict[str, dict[str, Any]] | None) -> str:
    """Fixed cameras and patrol-car readers side by side."""
    if not fleets:
        return ""
    columns = (("n_readers", "readers"), ("cost", "cost"), ("n_reads", "reads"),
               ("n_parked_reads", "of them parked cars"),
               ("n_observations", OBSERVATIONS),
               ("share_trips_read_ge1", "share of trips read"), ("share_vehicles_read", "share of vehicles read"),
               ("vehicles_read_per_1000_cost", "vehicles read per 1,000 of cost"))
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in columns)
    rows = "".join(f"<tr><td>{html.escape(name)}</td>" + "".join(f"<td class=num>{_fmt(f.get(k))}</td>"
                                                                   for k, _ in columns) + "</tr>"
                   for name, f in fleets.items())
    return f"<h2>Fixed cameras and mobile readers</h2><table><tr><th>fleet</th>{head}</tr>{rows}</table>"


def _vehicle_day_table(metrics: dict[str, Any]) -> str:
    """How often a vehicle is sighted in a day: percentiles over vehicle-days (unread days count 0)."""
    table = metrics.get("sightings_per_vehicle_day") or {}
    if not table.get("n_vehicle_days"):
        return ""
    cells = "".join(f"<td class=num>{table[k]:g}</td>" for k in ("p50", "p75", "p90", "p99", "max"))
    cells += f"<td class=num>{table['mean']:.2f}</td>"
    return (f"<h2>How often a vehicle is read in a day</h2><p>Sightings per {html.escape(table['of'][:-1])} and "
            f"day, over {table['n_vehicle_days']:,} {html.escape(table['of'][:-1])}-days ({table['n_vehicles']:,} "
            f"{html.escape(table['of'])}); a day without a read counts 0; "
            f"{_pct(metrics.get('share_vehicle_days_sighted'), '.1%')} of days have at least one.</p>"
            "<table><tr><th>median</th><th>75th percentile</th><th>90th</th><th>99th</th><th>most</th><th>mean</th>"
            f"</tr><tr>{cells}</tr></table>")


def render_report(
    metrics: dict[str, Any], scenario_toml: str, figures: list[Path], title: str, question: str | None = None,
    overrides: list[str] | None = None,
) -> str:
    """The report as an HTML string; figures are embedded as base64 PNG; it opens with the answer to
    ``question`` (see :func:`answer`) and names the ``--set`` overrides the run was made with."""
    overridden = ("; overrides " + ", ".join(f"<code>{html.escape(o)}</code>" for o in overrides)) if overrides else ""
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
    what_if = (_vehicle_day_table(metrics) + _person_table(metrics) + _what_if_table(metrics.get("long_trips_what_if"))
               + _fleet_table(metrics.get("fleets")))
    images = "".join(
        f'<figure><img alt="{html.escape(p.stem)}" src="data:image/png;base64,'
        f'{base64.b64encode(p.read_bytes()).decode()}"><figcaption>{html.escape(p.name)}</figcaption></figure>'
        for p in figures
    )
    verdict = f"<p class=answer>{html.escape(answer(metrics, question))}</p>" if question else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} — Curtain report</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
img {{ max-width: 100%; }} figure {{ margin: 1em 0; }}
pre {{ background: #f6f6f6; padding: 1em; overflow-x: auto; }}
p.answer {{ font-size: 1.15em; border-left: 4px solid #d55e00; padding-left: 0.8em; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Simulated with Curtain {html.escape(str(metrics.get('versions', {}).get('curtain-sim', '')))},
seed {html.escape(str(metrics.get('seed')))}{overridden}.</p>
{verdict}
<h2>Key numbers</h2>
<table><tr><th>what</th><th>value</th><th>out of (n)</th><th>95 % interval</th><th>key in metrics.json</th></tr>
{rows}</table>
{_precision_note(metrics)}
{_route_sample_note(metrics)}
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
