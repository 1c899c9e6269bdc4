"""``report.html``: one self-contained page a person can read or attach to an email."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from typing import Any

from sim.answers import (ALIKE_MORE_THAN, ANALYZE_KEYS, COVERAGE_MIN_TRIPS, OBSERVATIONS, alike_name, answer,
                         interval_text, is_share, is_share_gap, number_text, percent, share_style, uniqueness_label)
from sim.searches import searches_sentences

__all__ = ["HEADLINE", "OBSERVATIONS", "answer", "metrics_table", "render_report"]

#: Metrics shown first, with the words a reader needs.
HEADLINE = (
    ("n_trips", "trips simulated"),
    ("n_cameras", "cameras"),
    ("n_reads", "plate reads"),
    ("reads_per_camera_per_day", "reads per camera per day"),
    ("reads_per_camera_per_day_full_scale", "reads per camera per day, scaled up to the whole fleet"),
    ("n_patrol_cars", "readers on patrol cars"),
    ("reads_per_patrol_car_day_median", "reads per patrol car on a day it read (median)"),
    ("reads_per_patrol_car_day_median_full_scale", "reads per patrol car on a day it read (median), scaled to 100 % "
                                                   "of the vehicles"),
    ("reads_per_patrol_car_per_day", "reads per patrol car per day (mean)"),
    ("reads_per_patrol_car_per_day_full_scale", "reads per patrol car per day (mean), scaled to 100 % of the "
                                                "vehicles"),
    ("share_trips_read_ge1", "share of trips read at least once"),
    ("share_trips_read_ge2", "share of trips sighted at least twice"),
    ("route_recall_mean", "mean share of a trip's route recovered (route recall)"),
    ("route_precision_mean", "mean share of a recovered route that is right (precision)"),
    ("route_recall_mean_ge2", "route recall, trips sighted at least twice"),
    ("route_precision_mean_ge2", "precision, trips sighted at least twice"),
    ("share_trips_fastest_route", "share of trips that drove a fastest path"),
    ("od_error_m_median", "median error of inferred origin/destination (m)"),
    ("share_long_trips_read", "share of long trips read at least once"),
    ("share_trips_crossing", "share of trips that cross the line (a river's bridges, a city line)"),
    ("share_crossing_trips_read", "share of those trips read at least once"),
    ("share_crossing_trips_read_crossing", "share of those trips read on a road across"),
    ("route_recall_mean_crossing", "route recall of those trips"),
    ("share_trips_entering_read", "share of the trips into the district read as they entered"),
    ("share_trips_located", "share of trips whose start and end the reads place in space and time"),
    ("share_vehicles_movements_located_ge90", "share of vehicles with 90 % of their trips placed: the whole of "
                                              "their movements"),
    ("share_vehicle_days_located", "share of vehicle-days with a trip on which every trip was placed"),
    ("vehicle_km_recovered_median", "median share of a vehicle's kilometres recovered"),
    ("camera_free_pair_share", "share of place pairs with a camera-free route"),
    ("detour_ratio_median", "median detour to avoid every camera (× fastest time)"),
)


def _fmt(value: Any, key: str = "", ci: list[float] | None = None) -> str:
    """A value of ``metrics.json`` for a table cell: a share (by its ``key``, see :func:`sim.answers.is_share`)
    in percent, at the precision its interval ``ci`` needs; a count with thousands separators."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and is_share(key, value):
        return percent(value, share_style(value, ci))
    if is_share_gap(key, value):  # (a difference of two shares: 0.8 is 80 percentage points, -0.05 minus 5)
        return f"{100 * value:+.1f} percentage points"
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(_fmt(v, key) for v in value)
    return html.escape(str(value))


def _ci(key: str, value: Any, ci: Any) -> str:
    """The 95 % interval of ``value`` in the units of its cell: percent for a share."""
    if not (isinstance(ci, list) and len(ci) == 2 and all(isinstance(v, (int, float)) for v in ci)):
        return ""
    if isinstance(value, float) and is_share(key, value):
        style = share_style(value, ci)
        return interval_text(ci, style)
    if is_share_gap(key, value):  # (as its value: in percentage points)
        return f"{100 * ci[0]:+.1f} to {100 * ci[1]:+.1f} percentage points"
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # (the bounds as the value reads)
        return f"{number_text(float(ci[0]), like=value)}–{number_text(float(ci[1]), like=value)}"
    return f"{_fmt(float(ci[0]), key)}–{_fmt(float(ci[1]), key)}"


def natural_key(text: str) -> list[tuple[int, float, str]]:
    """A sort key that orders the numbers in ``text`` by value: rings "0–0.405 km" before "0.405–0.811 km" and
    "1.22–1.62 km", "k2" before "k10" (text order put "0–0.405 km" third).

    Examples
    --------
    >>> sorted(["1.22–1.62 km", "0–0.405 km", "0.405–0.811 km", "k10", "k2"], key=natural_key)
    ['0–0.405 km', '0.405–0.811 km', '1.22–1.62 km', 'k2', 'k10']
    """
    parts = re.split(r"(\d+(?:\.\d+)?)", str(text))
    return [(0, float(part), "") if i % 2 else (1, 0.0, part) for i, part in enumerate(parts) if part or i % 2]


def _flatten(metrics: dict[str, Any], path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """``(path, leaf)`` pairs, a nested dict opened into its leaves; a share's ``_n``, ``_ci`` and ``_reason``
    stay with it (:func:`metrics_table` reads them from the same dict)."""
    rows: list[tuple[tuple[str, ...], Any]] = []
    for key in sorted(metrics, key=natural_key):
        for suffix in ("_n", "_ci", "_reason"):
            if key.endswith(suffix) and key[: -len(suffix)] in metrics:
                break
        else:
            value = metrics[key]
            if isinstance(value, dict) and value:
                rows += _flatten(value, (*path, key))
            else:
                rows.append(((*path, key), value))
    return rows


def metrics_table(metrics: dict[str, Any]) -> str:
    """Every number of ``metrics.json`` as an HTML table — name, value, 95 % interval, out of (n) — with nested
    entries (agencies, areas …) under a heading row of their path; shares in percent, text in plain unicode."""
    rows, group = [], None
    # the run's own numbers first, then each nested entry under its heading
    for path, value in sorted(_flatten(metrics), key=lambda item: len(item[0]) > 1):
        parent = _lookup(metrics, path[:-1])
        key = path[-1]
        if path[:-1] != group:
            group = path[:-1]
            if group:
                rows.append(f"<tr class=group><th colspan=4>{html.escape(' › '.join(group))}</th></tr>")
        ci, n = parent.get(f"{key}_ci"), parent.get(f"{key}_n")
        if isinstance(value, list) and all(isinstance(v, dict) for v in value) and value:
            shown = html.escape("; ".join(", ".join(f"{k} {_fmt(v, k)}" for k, v in item.items()) for item in value))
        else:
            shown = _fmt(value, key, ci)
        shown += _why(parent, key)
        rows.append(f"<tr><td><code>{html.escape(key)}</code></td><td class=num>{shown}</td>"
                    f"<td>{_ci(key, value, ci)}</td><td class=num>{_fmt(n) if n is not None else ''}</td></tr>")
    return ("<table class=all><tr><th>name</th><th>value</th><th>95 % interval</th><th>out of (n)</th></tr>"
            + "".join(rows) + "</table>")


def _why(metrics: dict[str, Any], key: str) -> str:
    """Why a number is missing (its ``_reason``), as a small note under the dash; nothing when it is there."""
    reason = metrics.get(f"{key}_reason")
    return f" <small>{html.escape(str(reason))}</small>" if metrics.get(key) is None and reason else ""


def _label(metrics: dict[str, Any], key: str, label: str) -> str:
    """A row's words, with what this run means by "long" and by "the line"."""
    km, sides = metrics.get("long_trip_km"), metrics.get("crossing_sides") or []
    if key == "share_long_trips_read" and isinstance(km, (int, float)):
        return f"share of trips over {km:g} km read at least once"
    if key == "share_trips_crossing" and len(sides) >= 2:
        return f"share of trips that cross between {sides[0]} and {sides[1]}"
    if metrics.get("movements_of") == "residents" and key in ("share_trips_located", "share_vehicle_days_located",
                                                              "share_vehicles_movements_located_ge90"):
        # (over the residents' vehicles, not the traffic from outside: piedmont-ring's 141,292 of 168,280 trips)
        return label.replace("of trips", "of residents' trips").replace("of vehicle", "of resident")
    return uniqueness_label(metrics, key) or label


def _lookup(metrics: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for key in path:
        metrics = metrics[key]
    return metrics


def _what_if_table(what_if: dict[str, dict[str, Any]] | None) -> str:
    """Long trips per view, as run and with an operator or pool removed.

    The operators seeing a trip are given out of the run's (``n_operators``): with one operator the mean is
    the share of trips read at all, not a count ("0.9 of 1", not "0.9").
    """
    if not what_if:
        return ""
    rows = []
    for case, views in what_if.items():
        for view, lt in views.items():
            of = f" of {lt['n_operators']:,}" if lt is not None and isinstance(lt.get("n_operators"), int) else ""
            cells = "<td class=num>—</td><td></td><td class=num>—</td><td class=num>—</td>"
            if lt is not None:
                gap = lt["longest_gap_km_median"]
                cells = (_share_cells(lt["share_km_covered_mean"], lt.get("share_km_covered_mean_ci"))
                         + f"<td class=num>{number_text(gap) if isinstance(gap, (int, float)) else '—'}</td>"
                         f"<td class=num>{lt['operators_seeing_mean']:.1f}{of}</td>")
            rows.append(f"<tr><td>{html.escape(case)}</td><td>{html.escape(view)}</td>{cells}</tr>")
    return ("<h2>Long trips: what if an operator or pool were gone?</h2><table><tr><th>case</th><th>view</th>"
            "<th>share of km recovered (mean)</th><th>95 % interval</th><th>longest unobserved stretch, km "
            "(median)</th><th>operators seeing a trip (mean)</th></tr>" + "".join(rows) + "</table>")


def _interval(ci: list[float] | None, style: str = ".0%") -> str:
    return interval_text(ci, style) if ci else ""


def _share_cells(value: Any, ci: list[float] | None) -> str:
    """A share's value and 95 % interval as two table cells, in percents fine enough that the interval shows
    (:func:`sim.answers.share_style`: 0.9 % (0.6 %–1.4 %), never 1% (1%–1%))."""
    style = share_style(value, ci) if isinstance(value, float) else ".0%"
    return f"<td class=num>{_pct(value, style)}</td><td>{_interval(ci, style)}</td>"


def _person_table(metrics: dict[str, Any], points: str = "camera, hour") -> str:
    """How identifiable (uniqueness) and how foreseeable (next-camera prediction) a driver is, with 95 % CIs;
    ``points`` says what a trace's point is."""
    if metrics.get("person_metrics_reason"):  # a sample of the fleet: no number, and why
        return ("<h2>How identifiable, how foreseeable</h2><p>Not computed: "
                f"{html.escape(str(metrics['person_metrics_reason']))}.</p>")
    ci = metrics.get("uniqueness_ci") or {}

    def of(n: Any, unit: str) -> str:  # the share's denominator
        return f"<td class=num>{n:,} {unit}</td>" if isinstance(n, int) else "<td class=num>—</td>"

    rows = [f"<tr><td>singled out by {k} random ({points}) point{'s' if k > 1 else ''}</td>"
            f"{_share_cells(metrics.get(f'uniqueness_k{k}'), ci.get(f'k{k}'))}"
            f"{of(metrics.get(f'uniqueness_k{k}_n'), 'plates')}</tr>"
            for k in range(1, 6) if f"uniqueness_k{k}" in metrics and f"uniqueness_k{k}_eligible" not in metrics]
    # a log's analysis says what each share is of: the plates with k points (some drawn), or every plate
    rows += [f"<tr><td>{html.escape(str(uniqueness_label(metrics, key, points)))}</td>"
             f"{_share_cells(metrics.get(key), metrics.get(f'{key}_ci'))}{of(metrics.get(f'{key}_n'), 'plates')}</tr>"
             for k in range(1, 6) if f"uniqueness_k{k}_eligible" in metrics
             for key in (f"uniqueness_k{k}_of_all", f"uniqueness_k{k}")]
    names = {"frequency": "the vehicle's most frequent cameras (baseline)",
             "markov1": "a Markov model of the last camera", "markov2": "a Markov model of the last two cameras"}
    for model, p in (metrics.get("predictability") or {}).items():
        for top in ("top1", "top3"):
            guess = "the camera" if top == "top1" else "among the 3 cameras"
            rows.append(f"<tr><td>next camera is {guess} predicted by {names.get(model, model)}"
                        f"</td>{_share_cells(p.get(top), p.get(top + '_ci'))}"
                        f"{of(p.get('n_transitions'), 'transitions')}</tr>")
    if not rows:
        return ""
    why = metrics.get("next_camera_top1_accuracy_reason")
    not_guessed = ("" if metrics.get("predictability") or not why else
                   f"<p>Home, work and the next camera are not guessed: {html.escape(str(why))}.</p>")
    return ("<h2>How identifiable, how foreseeable</h2><table><tr><th>share of plates / transitions</th>"
            "<th>value</th><th>95 % interval</th><th>out of</th></tr>" + "".join(rows) + "</table>"
            + _place_note(metrics) + not_guessed)


def _place_note(metrics: dict[str, Any]) -> str:
    """What a point's place is in a log's analysis, and how many reads have only their device as a place."""
    n, share = metrics.get("n_reads_without_location"), metrics.get("share_reads_without_location")
    if not isinstance(n, int) or "uniqueness_n_plates" not in metrics:
        return ""
    style = share_style(share, metrics.get("share_reads_without_location_ci")) if isinstance(share, float) else ""
    alone = (f" The {n:,} reads without a location ({_pct(share, style)} of {metrics.get('n_reads', 0):,}) have "
             "their device alone as their place: one point of theirs is wherever its reader went in an hour, not one "
             "spot" if n and isinstance(share, float) else " Every read has a location")
    return ("<p>A point is a (place, hour): a place is a reader's cell of about 100 m where the read has a location "
            f"(a fixed camera is one place).{alone}.</p>")


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
            f"(lognormal spread {choice['route_noise']:g}); "
            f"{_fmt(fastest, 'share_trips_fastest_route', metrics.get('share_trips_fastest_route_ci'))} of trips "
            "drove a fastest path. "
            "Between two sightings the reconstruction can only assume the fastest path, so where a driver took "
            "another road the rebuilt route is partly wrong. "
            + (f"Over trips sighted at least twice precision is "
               f"{_fmt(ge2, 'route_precision_mean_ge2', metrics.get('route_precision_mean_ge2_ci'))}; "
               if isinstance(ge2, float) else "No trip was sighted twice, so no route between sightings was "
                                              "rebuilt; ")
            + "a trip sighted once is 'precise' by construction (its one read road).</p>")


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
    return percent(value, style) if isinstance(value, float) else "—"


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
    rows = "".join(f"<tr><td>{html.escape(name)}</td>"
                   + "".join(f"<td class=num>{_fmt(f.get(k), k, f.get(k + '_ci'))}</td>" for k, _ in columns) + "</tr>"
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
            f"{_pct(metrics.get('share_vehicle_days_sighted'), '.1%')} of days have at least one."
            f"{_parked_note(metrics)}</p><table><tr><th>median</th><th>75th percentile</th><th>90th</th><th>99th</th>"
            f"<th>most</th><th>mean</th></tr><tr>{cells}</tr></table>")



def _parked_note(metrics: dict[str, Any]) -> str:
    """With patrol-car readers, what a sighting of a parked car is (patrol-vs-fixed's median car was sighted 11
    times a day, most of them the same parked car read again on each pass)."""
    if not metrics.get("n_patrol_cars"):
        return ""
    mobile = (metrics.get("fleets") or {}).get("mobile") or {}
    n_reads, parked = mobile.get("n_reads"), mobile.get("n_parked_reads")
    # (patrol-vs-fixed's cars read 4× a real patrol log's plates a day, 99 % of them parked cars read again)
    of_parked = (f" Of the patrol cars' {n_reads:,} reads, {parked:,} "
                 f"({percent(parked / n_reads, share_style(parked / n_reads))}) are of parked cars."
                 if isinstance(n_reads, int) and isinstance(parked, int) and n_reads else "")
    return (" A parked car that a patrol car passes again is sighted again, once per pass: a searcher sees each "
            "as a read at another time (the fleets' observations count a parked car's stay once)." + of_parked)


def _agency_groups(agencies: dict[str, Any]) -> list[tuple[list[str], dict[str, Any]]]:
    """Agencies that see the same reads in the same way (the same numbers, one access path each through the same
    operators and pools, differing only in its last step: a sharing list's agencies) as one group, in order."""
    groups: dict[Any, tuple[list[str], dict[str, Any]]] = {}
    for name, a in agencies.items():
        via = tuple((op, tuple(path[:-1])) for op, path in a["paths"].items())
        key = (a["share_reads_visible"], a["share_trips_reconstructable"],
               tuple(a.get("share_trips_reconstructable_ci") or ()), via)
        groups.setdefault(key, ([], a))[0].append(name)
    return list(groups.values())


def _agency_row(names: list[str], a: dict[str, Any], of: int | None = None) -> str:
    """One row of "Who can see the reads": an agency, or a group of more than ten alike (named in a list
    that opens)."""
    if len(names) > ALIKE_MORE_THAN:
        who = (f"<details><summary>{html.escape(alike_name(names, of))}</summary>"
               f"{html.escape(', '.join(names))}</details>")
        paths = "; ".join(" → ".join([*p[:-1], "each of them"]) for p in a["paths"].values())
    else:
        who = html.escape(", ".join(names))
        paths = "; ".join(" → ".join(p) for p in a["paths"].values())
    return (f"<tr><td>{who}</td><td class=num>{_fmt(a['share_reads_visible'], 'share_reads_visible')}</td>"
            f"<td class=num>{_fmt(a['share_trips_reconstructable'], 'share', a.get('share_trips_reconstructable_ci'))}"
            f"</td><td>{_ci('share', a['share_trips_reconstructable'], a.get('share_trips_reconstructable_ci'))}</td>"
            f"<td>{html.escape(paths) or 'no access'}</td></tr>")


def _searches_section(metrics: dict[str, Any]) -> str:
    """``[searches]``: the model's sentences, and searches a day reaching the scenario's cameras by jurisdiction."""
    searches = metrics.get("searches")
    if not searches:
        return ""
    sentences = "".join(f"<p>{html.escape(s)}</p>" for s in searches_sentences(searches, metrics.get("rules")))
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td class=num>{row['expected_per_day']:.3g}</td>"
        f"<td class=num>{row['log_searches']:,}</td><td class=num>{row['log_per_day']:.3g}</td>"
        f"<td>{row['log_per_day_ci'][0]:.3g}–{row['log_per_day_ci'][1]:.3g}</td></tr>"
        for name, row in [("all agencies", searches["reaching_scenario"]), *searches["by_jurisdiction"].items()])
    days = searches["assumptions"]["days"]
    return (f"<h2>Who looks: simulated searches</h2>{sentences}"
            "<table><tr><th>agencies</th><th>searches a day reaching the cameras (model)</th>"
            f"<th>in the simulated {days}-day log (searches.csv)</th><th>a day</th><th>95 % interval (Poisson)</th>"
            f"</tr>{rows}</table>")


#: What each figure shows, after its file name in the report (a reader of a figure is told how to read it).
FIGURE_CAPTIONS = {
    "map.png": ": the roads, the cameras (arrows the way each reads, coloured by operator) and a typical trip: its "
               "true route, the route rebuilt from its reads, and the reads with their times.",
    "coverage.png": ": each road by the share of the trips driven through it that were read at least once; blind "
                    f"corridors stand out. Roads fewer than {COVERAGE_MIN_TRIPS} trips drove are grey: too few "
                    "trips to tell.",
    "reads_per_trip.png": ": the share of trips sighted 0, 1, 2 … times (a pass a camera logged twice is one "
                          "sighting, as in the table above), and above each bar the mean share of the route rebuilt "
                          "(recall) for those trips.",
    "areas.png": ": left, homes by the share of their residents' trips read at least once; right, per area, the "
                 "vehicles driving there that a camera there read, the residents' trips read, and cameras per "
                 "10 km of road.",
    "long_trip.png": ": one typical long drive laid out from start to end, a row per view (all reads, then each "
                     "agency): the stretches its reads recover, and where each operator read the car.",
    "sharing.png": ": who can search the reads: operators, the pools they share into, and the agencies (sized by "
                   "the share of reads they see); dotted: blocked by a rule; red: a leak to a denied agency.",
    "reads_per_device_day.png": ": the reads each device made each day, a line per device.",
    "plate_repeats.png": ": left, the share of plates read 1, 2 … times; right, the time between a plate's "
                         "repeat sightings.",
    "reads_map.png": ": where the located reads were made, coloured by device.",
}

def render_report(
    metrics: dict[str, Any], scenario_toml: str, figures: list[Path], title: str, question: str | None = None,
    overrides: list[str] | None = None, *, analysis: bool = False,
) -> str:
    """The report as an HTML string; figures are embedded as base64 PNG; it opens with the answer to
    ``question`` (see :func:`answer`) and names the ``--set`` overrides the run was made with.

    ``analysis``: the report of a real log's analysis (``curtain analyze``): its key numbers are the log's
    (:data:`sim.answers.ANALYZE_KEYS`), it says it analysed, not simulated, and a trace's points are places
    (a reader and a cell of about 100 m), not cameras."""
    overridden = ("; overrides " + ", ".join(f"<code>{html.escape(o)}</code>" for o in overrides)) if overrides else ""
    version = html.escape(str(metrics.get('versions', {}).get('curtain-sim', '')))
    made = (f"Analysed with Curtain {version}: a real plate-read log, nothing simulated; uniqueness draws with seed "
            f"{html.escape(str(metrics.get('seed')))}." if analysis else
            f"Simulated with Curtain {version}, seed {html.escape(str(metrics.get('seed')))}{overridden}.")
    headline = ANALYZE_KEYS if analysis else HEADLINE
    rows = "".join(
        f"<tr><td>{html.escape(_label(metrics, key, label))}</td>"
        f"<td class=num>{_fmt(metrics.get(key), key, metrics.get(key + '_ci'))}{_why(metrics, key)}</td>"
        f"<td class=num>{_fmt(metrics[key + '_n']) if metrics.get(key + '_n') is not None else ''}</td>"
        f"<td>{_ci(key, metrics.get(key), metrics.get(key + '_ci'))}</td>"
        f"<td><code>{key}</code></td></tr>"
        for key, label in headline
        if key in metrics
    )
    agencies = metrics.get("agencies") or {}
    # a group of more than ten alike is one row; otherwise each agency is its own, with its own access paths
    agency_rows = "".join(_agency_row(group, a, len(agencies)) if len(group) > ALIKE_MORE_THAN else
                          "".join(_agency_row([name], agencies[name]) for name in group)
                          for group, a in _agency_groups(agencies))
    agency_table = (
        "<h2>Who can see the reads</h2><table><tr><th>agency</th><th>share of reads visible</th>"
        "<th>share of trips reconstructable (≥ 2 visible sightings)</th><th>95 % interval</th>"
        "<th>access path(s)</th></tr>"
        f"{agency_rows}</table>"
        if agencies
        else ""
    )
    what_if = (_vehicle_day_table(metrics) + _person_table(metrics, "place, hour" if analysis else "camera, hour")
               + _what_if_table(metrics.get("long_trips_what_if"))
               + _fleet_table(metrics.get("fleets")))
    images = "".join(
        f'<figure><img alt="{html.escape(p.stem)}" src="data:image/png;base64,'
        f'{base64.b64encode(p.read_bytes()).decode()}"><figcaption><code>{html.escape(p.name)}</code>'
        f'{html.escape(FIGURE_CAPTIONS.get(p.name, ""))}</figcaption></figure>'
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
table.all tr.group th {{ background: #f4f4f4; padding-top: 0.8em; }}
td small {{ color: #666; display: block; min-width: 16em; max-width: 30em; text-align: left; font-size: 0.8em; }}
details > summary {{ cursor: pointer; font-size: 1.5em; font-weight: bold; margin: 0.83em 0; }}
td details > summary {{ font-size: 1em; font-weight: normal; margin: 0; }}
p.answer {{ font-size: 1.15em; border-left: 4px solid #d55e00; padding-left: 0.8em; }}
td code {{ overflow-wrap: anywhere; }}
@media (max-width: 820px) {{ td, th {{ padding: 4px 5px; }} }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{made}</p>
{verdict}
<h2>Key numbers</h2>
<table><tr><th>what</th><th>value</th><th>out of (n)</th><th>95 % interval</th><th>key in metrics.json</th></tr>
{rows}</table>
{_precision_note(metrics)}
{_route_sample_note(metrics)}
{agency_table}
{_searches_section(metrics)}
{what_if}
<h2>Figures</h2>
{images}
<h2>{'Settings (analysis.toml)' if analysis else 'Scenario'}</h2>
<pre>{html.escape(scenario_toml)}</pre>
<details><summary>All metrics</summary>
<p>Every number of <code>metrics.json</code>: shares in percent with their 95 % interval and what they are out of
(docs/metrics.md says what each means).</p>
{metrics_table(metrics)}
</details>
</body></html>
"""
