"""The sentence a run opens with: the answer to its scenario's question, with its numbers and 95 % intervals.

``[output] question`` picks the kind of question (coverage, access, fence, fleets). Within "coverage" the
sentence answers the most specific question the run's metrics can: trips across a line the network draws
(a river's bridges, a city line), long drives seen by each searcher (a scenario that asks what-ifs of long
drives), or patrol-car readers alone (no fixed camera). The summary of ``curtain run`` and ``report.html``
print the same sentence.
"""

from __future__ import annotations

import math

from typing import Any

#: What ``fleets[...].n_observations`` counts, in the words of the answer and the fleet table.
OBSERVATIONS = "observations (a pass, or a parked car's stay, once)"

#: Words in a key of ``metrics.json`` that make its value a share (shown in percent); see :func:`is_share`.
SHARE_WORDS = ("share", "recall", "precision", "accuracy", "uniqueness", "recovered", "covered", "visible",
               "top1", "top3")

#: The key numbers of a real log's analysis (``curtain analyze``), in order: its terminal table and report.
ANALYZE_KEYS = (
    ("n_rows", "rows in the file"),
    ("n_rows_left_out", "rows left out (see malformed_rows.csv)"),
    ("n_reads", "reads analysed"),
    ("n_devices", "devices"),
    ("n_days", "days"),
    ("n_reads_on_days_left_out", "reads on a first or last day with under 1 % of a day's reads (not a day)"),
    ("reads_per_device_day_median", "reads per device-day (median over days it read)"),
    ("reads_per_device_per_day_mean", "reads per device per day (mean)"),
    ("n_reads_without_location", "reads without a location"),
    ("share_reads_without_location", "share of reads without a location, whose place is their device alone "
                                     "(interval: by device)"),
    ("n_plates", "distinct plates"),
    ("share_plates_read_once", "plates read once"),
    ("share_plates_seen_on_2plus_days", "plates seen on 2+ days"),
    ("repeat_gap_h_median", "time to a repeat sighting (median, h)"),
    ("uniqueness_k2_of_all", "plates singled out by 2 random (place, hour) points, of all plates"),
    ("uniqueness_k2", "plates singled out by 2 random (place, hour) points, of those with 2+ points"),
    ("n_reads_snapped", "reads on the network's roads"),
    ("n_reads_not_snapped", "reads located off the network's roads"),
    ("n_recon_trips_2plus_reads", "trips rebuilt from 2+ reads"),
)


def uniqueness_label(metrics: dict[str, Any], key: str, points: str = "place, hour") -> str | None:
    """The words of a uniqueness row, saying what the share is of (a log's 68,188 plates, or the 10,943 with 2+
    points of which 5,000 were drawn): ``None`` for a key that is not ``uniqueness_kK`` or ``uniqueness_kK_of_all``
    or a run without the counts (``uniqueness_n_plates``, ``uniqueness_kK_eligible``).

    Examples
    --------
    >>> m = {"uniqueness_n_plates": 68188, "uniqueness_k2_eligible": 10943, "uniqueness_k2_n": 5000}
    >>> uniqueness_label(m, "uniqueness_k2")
    'plates singled out by 2 random (place, hour) points, of the 10,943 plates with 2+ points (5,000 drawn)'
    >>> uniqueness_label(m, "uniqueness_k2_of_all")
    'plates singled out by 2 random (place, hour) points, of all 68,188 plates'
    """
    parts = key.removeprefix("uniqueness_k").split("_", 1)
    if not key.startswith("uniqueness_k") or not parts[0].isdigit() or parts[1:] not in ([], ["of_all"]):
        return None
    k = int(parts[0])
    head = f"plates singled out by {k} random ({points}) point{'s' if k > 1 else ''}"
    n_plates, eligible, drawn = (metrics.get("uniqueness_n_plates"), metrics.get(f"uniqueness_k{k}_eligible"),
                                 metrics.get(f"uniqueness_k{k}_n"))
    if parts[1:] == ["of_all"]:
        return f"{head}, of all {n_plates:,} plates" if isinstance(n_plates, int) else None
    if not isinstance(eligible, int):
        return None
    sample = f" ({drawn:,} drawn)" if isinstance(drawn, int) and drawn < eligible else ""
    return f"{head}, of the {eligible:,} plates with {k}+ points{sample}"


#: More agencies alike than this are one row of the report's table, and one row or node of a figure
#: (:func:`fold_alike`): Norfolk's 79 agencies that see every read through one pool are not 79 rows.
ALIKE_MORE_THAN = 10


#: Roads fewer trips drove than this are drawn grey on the coverage map (:func:`sim.plot.coverage_figure`), not
#: coloured by their share: a share of 1–3 trips is noise (on the teaching grid the 62 roads coloured below 10 %
#: carried a median of 3 trips), and at 20 trips a share's 95 % interval is still about ±20 points wide.
COVERAGE_MIN_TRIPS = 20


def alike_name(names: list[str], of: int | None = None) -> str:
    """How a group of agencies alike is named: '79 agencies alike (norfolk-pd, Accomack County VA SO, …)', or
    'all 80 agencies (…)' when they are every one of the ``of`` agencies (so that a figure's 80 and a table's 79
    and 1 of the same run are seen to be one set).

    Examples
    --------
    >>> alike_name(["a", "b", "c"]), alike_name(["a", "b", "c"], of=3)
    ('3 agencies alike (a, b, …)', 'all 3 agencies (a, b, …)')
    """
    head = f"all {len(names)} agencies" if of == len(names) else f"{len(names)} agencies alike"
    return f"{head} ({', '.join(names[:2])}, …)"


def fold_alike(keys: dict[str, Any], of: int | None = None) -> dict[str, list[str]]:
    """Each name (a key of ``keys``) under its group's name: names whose keys are equal (hashable) are one group,
    named by :func:`alike_name` (every one of ``of`` agencies, or alike) when it has more than
    :data:`ALIKE_MORE_THAN` members, else each name stays its own. In order of each group's first name.

    Examples
    --------
    >>> keys = {"city": 1, **{f"pd{i}": 2 for i in range(11)}, "state": 1, "fbi": 3}
    >>> {name: len(members) for name, members in fold_alike(keys).items()}
    {'city': 1, '11 agencies alike (pd0, pd1, …)': 11, 'state': 1, 'fbi': 1}
    >>> list(fold_alike({f"pd{i}": 2 for i in range(11)}, of=11))
    ['all 11 agencies (pd0, pd1, …)']
    """
    groups: dict[Any, list[str]] = {}
    for name, key in keys.items():
        groups.setdefault(key, []).append(name)
    out: dict[str, list[str]] = {}
    for name in keys:
        members = groups[keys[name]]
        if len(members) <= ALIKE_MORE_THAN:
            out[name] = [name]
        elif name == members[0]:
            out[alike_name(members, of)] = members
    return out


def is_share(key: str, value: Any) -> bool:
    """Whether ``metrics.json``'s ``key`` holds a share of 0–1 (shown in percent), by its name and value.

    Examples
    --------
    >>> is_share("share_trips_read_ge1", 0.44), is_share("route_recall_mean", 0.2), is_share("n_trips", 12)
    (True, True, False)
    >>> is_share("reads_per_camera_per_day", 0.5), is_share("uniqueness_n_plates", 40)
    (False, False)
    """
    if isinstance(value, bool) or not isinstance(value, float) or not 0.0 <= value <= 1.0:
        return False
    name = key.lower()
    return any(w in name for w in SHARE_WORDS) and "_per_" not in name and not is_share_gap(key, value)


def is_share_gap(key: str, value: Any) -> bool:
    """Whether ``key`` holds the difference of two shares (``core_minus_periphery_share_…``): shown in
    percentage points, whatever its sign, not as a share.

    Examples
    --------
    >>> is_share_gap("core_minus_periphery_share_vehicles_observed", 0.8), is_share("core_minus_periphery_share_x", 0.8)
    (True, False)
    """
    name = key.lower()
    return (isinstance(value, float) and not isinstance(value, bool) and "_minus_" in name
            and any(w in name for w in SHARE_WORDS))


def number_text(value: float, like: float | None = None) -> str:
    """A number that is not a share as every output prints it: three significant digits below 10, a tenth below
    100, whole above (with thousands separators). ``like`` (an interval's value) picks the style for a bound of
    its interval, so that both bounds read as the value does.

    Examples
    --------
    >>> number_text(1.156), number_text(52.319), number_text(6455.375), number_text(0.0063), number_text(1.0)
    ('1.16', '52.3', '6,455', '0.0063', '1')
    >>> number_text(3.0, like=158.2), number_text(27.0, like=30.5)   # bounds of the intervals of 158 and 30.5
    ('3', '27.0')
    >>> number_text(-0.0), number_text(0.0000123), number_text(-0.000500)
    ('0', '0.0000123', '-0.0005')
    """
    size, value = abs(value if like is None else like), value + 0.0  # (+ 0.0: a -0.0 prints as 0)
    if 0 < abs(value) < 1e-3 and size < 10:  # (0.0000123, not 1.23e-05: a reader of a table is not a programmer)
        return f"{value:.{2 - math.floor(math.log10(abs(value)))}f}".rstrip("0")
    return f"{value:.3g}" if size < 10 else f"{value:,.1f}" if size < 100 else f"{value:,.0f}"


def share_style(value: float, ci: list[float] | None = None) -> str:
    """The format of a share in percent: whole percents, or finer where whole ones would hide the interval, and
    never 100 % for a share below it nor 0 % for one above nothing (up to a thousandth of a percent).

    Examples
    --------
    >>> [f"{v:{share_style(v)}}" for v in (0.44, 0.9996, 0.99999, 1.0, 0.0004, 0.0)]
    ['44%', '99.96%', '99.999%', '100.0%', '0.04%', '0.0%']
    """
    # near 0 or 1 a whole percent hides the interval: show a tenth
    style = ".1%" if min(value, 1 - value, *(ci or [0.5])) < 0.01 or max(ci or [0.5]) > 0.99 else ".0%"
    if ci and f"{ci[0]:.0%}" == f"{ci[1]:.0%}":  # a narrow interval: show its width
        style = ".1%"
    if ci and max(value, ci[1]) < 0.001 or ci and min(value, ci[0]) > 0.999:
        style = ".3%"
    # (all of a county's reads but a few is not all of them: ICE seeing 99.96 % of them is not 100.0 %)
    while style != ".3%" and ((value < 1 and f"{value:{style}}".startswith("100"))
                              or (value > 0 and float(f"{value:{style}}"[:-1]) == 0)):
        style = f".{int(style[1]) + 1}%"
    return style


def percent(value: float, style: str) -> str:
    """A share in percent in ``style`` (:func:`share_style`), an exact 0 or 1 as a whole "0%" or "100%": none of
    197,495 residents is 0 %, not 0.000 %, whatever precision its interval needs.

    Examples
    --------
    >>> percent(0.0, ".3%"), percent(1.0, ".1%"), percent(0.00002, ".3%"), percent(0.44, ".0%")
    ('0%', '100%', '0.002%', '44%')
    """
    return "0%" if value == 0 else "100%" if value == 1 else f"{value:{style}}"


def interval_text(ci: list[float], style: str) -> str:
    """A share's 95 % interval in percent, its bounds as :func:`percent` writes them: '0%–0.002%'."""
    return f"{percent(ci[0], style)}–{percent(ci[1], style)}"


def share(metrics: dict[str, Any], key: str) -> str:
    """A share with its 95 % interval in words, e.g. '44% (95 % interval 43%–46%)'; '—' when it is missing."""
    value, ci = metrics.get(key), metrics.get(f"{key}_ci")
    if not isinstance(value, float):
        return "—"
    style = share_style(value, ci)
    return f"{percent(value, style)} (95 % interval {interval_text(ci, style)})" if ci else percent(value, style)


def _count(metrics: dict[str, Any], key: str) -> str:
    value = metrics.get(key)
    return f"{value:,}" if isinstance(value, int) else "—"


def _answer_coverage(m: dict[str, Any]) -> str:
    lead = _crossings(m) or _long_drives(m) or _readers_only(m)
    trips = (f"Of all {m['n_trips']:,} trips, " if isinstance(m.get("n_trips"), int) else "Of all trips, ")
    general = (f"{trips}{share(m, 'share_trips_read_ge1')} were read at least once and "
               f"{share(m, 'share_trips_read_ge2')} sighted at least twice; the reads reveal "
               f"{share(m, 'route_recall_mean')} of the average trip's route.")
    if isinstance(m.get("camera_free_pair_share"), float):
        detour = m.get("detour_ratio_median")
        general += (f" A camera-free route joins {share(m, 'camera_free_pair_share')} of "
                    f"{_count(m, 'camera_free_pair_share_n')} sampled place pairs"
                    + (f" (at a median {number_text(detour)}× the fastest time)." if isinstance(detour, float)
                       else "."))
    return " ".join(p for p in (lead, general, _whole_of_movements(m)) if p)


def _sides(m: dict[str, Any]) -> str:
    sides = [str(s) for s in m.get("crossing_sides") or []]
    return " and ".join(sides[:2]) if len(sides) >= 2 else "the two sides"


def _crossings(m: dict[str, Any]) -> str:
    """Trips across the line the network draws (:mod:`sim.metrics.crossings`): read, read crossing, rebuilt."""
    if not m.get("n_crossing_ways"):
        return ""
    roads, ways, free = m["n_crossing_roads"], m["n_crossing_ways"], m["n_crossing_ways_camera_free"]
    road_word = "road" if roads == 1 else "roads"
    if not m.get("n_trips_crossing"):
        return f"No trip crossed between {_sides(m)} (over the {roads:,} {road_word} across)."
    watch = (f"every one of the {ways:,} directions of those {roads:,} {road_word} carries a reader"
             if not free else f"{free:,} of the {ways:,} directions of those {roads:,} {road_word} carry no reader")
    return (f"{m['n_trips_crossing']:,} trips, {share(m, 'share_trips_crossing')} of all, cross between "
            f"{_sides(m)}: {share(m, 'share_crossing_trips_read')} of them were read, "
            f"{share(m, 'share_crossing_trips_read_crossing')} on one of the {roads:,} {road_word} across, and "
            f"{share(m, 'route_recall_mean_crossing')} of their route can be rebuilt (mean). Reading every crossing "
            f"trip as it crosses takes a reader on each of the {ways:,} ways across ({ways:,} one-direction "
            f"cameras, or {roads:,} reading both ways); here {watch}.")


def _long_drives(m: dict[str, Any]) -> str:
    """Long drives, all reads and each searcher's (a scenario asking what-ifs of long drives)."""
    everything = m.get("long_trips") or {}
    if "long_trips_what_if" not in m or not everything.get("n_trips"):
        return ""
    km = m.get("long_trip_km")
    over = f"over {km:g} km" if isinstance(km, (int, float)) else "long enough to count as long"
    gap = everything.get("longest_gap_km_median")
    views = sorted(((name, a["long_trips"]) for name, a in (m.get("agencies") or {}).items()
                    if a.get("long_trips")), key=lambda item: -(item[1].get("share_km_covered_mean") or 0.0))
    by_whom = "; ".join(f"{name} {share(lt, 'share_km_covered_mean')}" for name, lt in views)
    return (f"Of the {everything['n_trips']:,} drives {over}, all the reads together map "
            f"{share(everything, 'share_km_covered_mean')} of the kilometres (mean)"
            + (f", leaving a median longest unseen stretch of {number_text(gap)} km" if isinstance(gap, float) else "")
            + _operators_seeing(everything)
            + (f". What each searcher maps on its own: {by_whom}." if by_whom else "."))


def _operators_seeing(long_trips: dict[str, Any]) -> str:
    """How many of the operators see a long drive, said only where there are several to choose from.

    With one operator the mean is the share of drives read at all, not a count of operators; a metrics.json
    written before ``n_operators`` existed does not say how many there are, so it gets no clause either.
    """
    seeing, of = long_trips.get("operators_seeing_mean"), long_trips.get("n_operators")
    if not isinstance(seeing, float) or not isinstance(of, int) or of < 2:
        return ""
    return f"; a drive is seen by {seeing:.1f} of the {of:,} camera operators on average"


def _readers_only(m: dict[str, Any]) -> str:
    """Patrol-car readers and no fixed camera: what they read, the numbers a real log is compared on."""
    mobile = (m.get("fleets") or {}).get("mobile")
    if m.get("n_cameras") or not mobile:
        return ""
    per_day = m.get("reads_per_patrol_car_per_day_full_scale", m.get("reads_per_patrol_car_per_day"))
    median = m.get("reads_per_patrol_car_day_median_full_scale", m.get("reads_per_patrol_car_day_median"))
    scaled = ("scaled to 100 % of the vehicles: the run simulates a sample"
              if "reads_per_patrol_car_per_day_full_scale" in m else "")
    days = m.get("n_days", 1)
    if isinstance(median, float) and isinstance(per_day, float):
        rate = (f", a median {median:,.0f} per reader on a day it read (the mean over readers and days "
                f"{per_day:,.0f}" + (f"; both {scaled})" if scaled else ")"))
    elif isinstance(per_day, float):
        rate = f", {per_day:,.0f} per reader per day on average" + (f" ({scaled})" if scaled else "")
    else:
        rate = ""
    return (f"No fixed camera: {mobile.get('n_readers', '—')} patrol-car readers made {_count(m, 'n_reads')} reads "
            f"over {days} day{'s' if days != 1 else ''}{rate}"
            + f"; {share(m, 'share_plates_read_once')} of the {_count(m, 'share_plates_read_once_n')} plates read "
            f"were read exactly once, and {share(mobile, 'share_vehicles_read')} of the "
            f"{_count(mobile, 'share_vehicles_read_n')} vehicles were read at all — the numbers to hold beside a "
            "real log's (docs/validation.md compares the Seattle week). A camera-free route means nothing "
            "for readers that move.")


def _whole_of_movements(m: dict[str, Any]) -> str:
    """The court's standard in its words: where the vehicles went and when, and how much of their driving."""
    who = m.get("movements_of", "vehicles")
    where = f" (within {m['locate_m']:,.0f} m and {m['locate_s'] / 60:.0f} minutes)" if "locate_m" in m else ""
    return (f"For {share(m, 'share_vehicles_movements_located_ge90')} of {who} the reads place where and when "
            f"90 % or more of their trips began and ended{where} — the \"whole or virtual whole\" of their "
            f"movements in the court's words; {share(m, 'share_vehicles_km_recovered_ge90')} have 90 % or more "
            "of the kilometres they drove recovered.")


def _answer_access(m: dict[str, Any]) -> str:
    agencies = m.get("agencies") or {}
    everything = sorted(a for a, v in agencies.items() if (v.get("share_reads_visible") or 0) >= 0.999)
    parts = [f"{len(everything)} of {len(agencies)} agencies can search every read"
             + (f" ({', '.join(everything)})" if everything else "")
             + (f", enough to rebuild {share(agencies[everything[0]], 'share_trips_reconstructable')} of trips "
                "(sighted twice or more)" if everything else "")]
    for rule, report in (m.get("rules") or {}).items():
        for agency, path in (report.get("leaks") or {}).items():
            seen = agencies.get(agency, {})
            rebuilt = ("" if agency in everything else  # said above, for every agency that searches every read
                       f", enough to rebuild {share(seen, 'share_trips_reconstructable')} of trips (sighted twice or "
                       "more)")
            parts.append(f"despite rule {rule}, {agency} reaches {share(seen, 'share_reads_visible')} of the reads "
                         f"through {' → '.join(path)}{rebuilt}")
    return "; ".join(parts) + "."


def _answer_fence(m: dict[str, Any]) -> str:
    if "district_sealed" not in m:
        return _answer_coverage(m)
    both = m["district_sealed_in"] and m["district_sealed_out"]
    state = ("fenced in both ways" if both else "fenced in only one way" if m["district_sealed_in"]
             or m["district_sealed_out"] else "not fenced in")
    fence = (f"The district is {state} by {m.get('district_fence_cameras', '—')} cameras (sealing it takes at least "
             f"{m['min_cut_to_seal_district']} cameras reading both ways, or {m['min_cameras_to_seal_district']} "
             f"reading one way each). {_entries(m)}")
    drives = _long_trips_read(m)
    rest = (f"Over {m.get('n_days', 1)} simulated day{'s' if m.get('n_days', 1) != 1 else ''} the reads "
            f"{_median_km(m)}. {_whole_of_movements(m)}")
    beyond = isinstance(m.get("n_cameras"), int) and isinstance(m.get("district_fence_cameras"), int) \
        and m["n_cameras"] > m["district_fence_cameras"]
    # cameras across the city besides the fence (norfolk-curtain): first whether one can drive unseen at all
    return drives + fence + rest if beyond and drives else fence + drives + rest


def _long_trips_read(m: dict[str, Any]) -> str:
    """'Of the 2,764,126 drives over 5 km, 8% (…) were read at least once. ' (nothing when not computed)."""
    if not isinstance(m.get("share_long_trips_read"), float) or not isinstance(m.get("long_trip_km"), (int, float)):
        return ""
    unread, ci = 1 - m["share_long_trips_read"], m.get("share_long_trips_read_ci")
    style = share_style(m["share_long_trips_read"], ci)  # the precision of the share read
    return (f"Of the {_count(m, 'share_long_trips_read_n')} drives over {m['long_trip_km']:g} km, "
            f"{share(m, 'share_long_trips_read')} were read at least once: {percent(unread, style)} drove "
            "their whole way unread. ")


def _entries(m: dict[str, Any]) -> str:
    """'Of its 46 ways in, 0 carry no reader; 91% (…) of the 12,345 trips into it were read as they entered. '"""
    if "n_ways_in" not in m:
        return ""
    trips = (f"{share(m, 'share_trips_entering_read')} of the {m['n_trips_entering']:,} trips into it were read "
             "as they entered" if m.get("n_trips_entering") else "no trip entered it")
    return f"Of its {m['n_ways_in']:,} ways in, {m['n_ways_in_camera_free']:,} carry no reader; {trips}. "


def _median_km(m: dict[str, Any]) -> str:
    """'recover a median 12% of a vehicle's driven kilometres', or why there is no median (never a made-up 0)."""
    median = m.get("vehicle_km_recovered_median")
    if isinstance(median, (int, float)):
        # (in the style of the table's, which never prints 0 % for a share above nothing: 0.3 %, not 0 %)
        return (f"recover a median {percent(median, share_style(median, m.get('vehicle_km_recovered_median_ci')))}"
                " of a "
                "vehicle's driven kilometres")
    reason = m.get("vehicle_km_recovered_median_reason")
    return "give no median share of a vehicle's driven kilometres" + (f" ({reason})" if reason else "")


def _money(value: Any) -> str:
    return f"{value:,.0f}" if isinstance(value, (int, float)) else "no cost given"


def _answer_fleets(m: dict[str, Any]) -> str:
    fleets = m.get("fleets") or {}
    if len(fleets) < 2:
        return _answer_coverage(m)
    label = {"fixed": "fixed cameras", "mobile": "patrol-car readers"}
    shares = "; ".join(f"{label.get(name, name)} read {share(f, 'share_trips_read_ge1')} of trips and "
                       f"{share(f, 'share_vehicles_read')} of vehicles" for name, f in fleets.items())
    costs = {name: f.get("cost") for name, f in fleets.items()}
    if not all(isinstance(cost, (int, float)) and cost > 0 for cost in costs.values()):
        return f"Without a cost for every fleet, nothing is compared per cost: {shares}."
    # what each fleet does more of per 1,000 of cost, said once per fleet ("fixed cameras make more … and read
    # more trips; patrol-car readers read more vehicles")
    wins: dict[str, list[str]] = {}
    for key, what in (("n_observations", f"make more {OBSERVATIONS}"),
                      ("share_trips_read_ge1", "read more trips"), ("share_vehicles_read", "read more vehicles")):
        best = max(fleets, key=lambda name: 1000 * (fleets[name].get(key) or 0) / costs[name])
        wins.setdefault(best, []).append(what)
    words = [f"{label.get(name, name)} {_listed(what)}" for name, what in wins.items()]
    spent = ("At equal cost" if len(set(costs.values())) == 1 else "At their own costs (" + ", ".join(
        f"{label.get(name, name)} {_money(cost)}" for name, cost in costs.items()) + ")")
    return f"Per 1,000 of cost, {'; '.join(words)}. {spent}, {shares}."


def _listed(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


ANSWERS = {"coverage": _answer_coverage, "access": _answer_access, "fence": _answer_fence, "fleets": _answer_fleets}


def answer(metrics: dict[str, Any], question: str = "coverage") -> str:
    """The sentence that answers the scenario's question (``output.question``), with its numbers and intervals."""
    return ANSWERS[question](metrics)
