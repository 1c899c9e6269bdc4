"""The sentence a run opens with answers its scenario's question with its number and interval; the trips across a
line it needs (sim/metrics/crossings.py) are counted right; report.html shows every number readably."""

from __future__ import annotations

import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, simulate_scenario
from sim.answers import answer, share, share_style
from sim.metrics.crossings import crossing_roads, line_crossings
from sim.network import edge_jurisdiction, from_graph
from sim.report import metrics_table, render_report
from sim.routing import Routes

from conftest import PROJECT, small_scenario


@pytest.fixture(scope="module")
def river():
    return simulate_scenario(load_scenario(PROJECT / "scenarios" / "river-city.toml", overrides=[
        "network.rows=10", "network.cols=10", "demand.trips=1500", "cameras.count=4", "metrics.pair_samples=60"]))


def test_crossings_on_a_hand_made_line():
    """West 0-1, east 2-3, one two-way road 1-2 across (tagged "w|e"). Trip 10 crosses and is read on the road
    across; trip 11 crosses, read only in the east; trip 12 stays west. One direction (1→2) is watched."""
    g = nx.MultiDiGraph(crs="EPSG:32610")
    for i in range(4):
        g.add_node(i, x=100.0 * i, y=0.0)
    for a, b, tag in ((0, 1, "w"), (1, 2, "w|e"), (2, 3, "e")):
        for u, v in ((a, b), (b, a)):
            g.add_edge(u, v, length=100.0, speed_kph=36.0, highway="residential", jurisdiction=tag)
    net = from_graph(g)
    e = {(int(net.nodes[u]), int(net.nodes[v])): i for i, (u, v) in enumerate(zip(net.edge_u, net.edge_v))}
    edges, sides = crossing_roads(net)
    assert sorted(edges.tolist()) == sorted([e[1, 2], e[2, 1]]) and sides == ["w", "e"]
    routes = [[e[0, 1], e[1, 2], e[2, 3]], [e[3, 2], e[2, 1]], [e[1, 0]]]
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in routes])])
    trips = pd.DataFrame({"trip_id": [10, 11, 12], "vehicle_id": [0, 1, 2]})
    reads = pd.DataFrame({"trip_id": [10, 11, -1], "edge": [e[1, 2], e[3, 2], -1]})
    table = pd.DataFrame({"n_reads": [1, 1, 0], "route_recall": [0.5, 0.25, 0.0]})
    got = line_crossings(net, Routes(offsets, np.concatenate(routes), np.zeros(3)), trips, reads, table,
                         watched=np.array([e[1, 2], e[0, 1]]))
    assert (got["n_crossing_roads"], got["n_crossing_ways"], got["n_crossing_ways_camera_free"]) == (1, 2, 1)
    assert got["n_trips_crossing"] == 2 and got["share_trips_crossing"] == pytest.approx(2 / 3)
    assert got["share_trips_crossing_n"] == 3 and got["share_crossing_trips_read_n"] == 2
    assert got["share_crossing_trips_read"] == 1.0 and got["share_crossing_trips_read_crossing"] == 0.5
    assert got["route_recall_mean_crossing"] == pytest.approx(0.375)
    lo, hi = got["share_crossing_trips_read_crossing_ci"]
    assert lo < 0.5 < hi
    # a network that tags no road across a line has no such numbers
    untagged = from_graph(nx.MultiDiGraph(g.edge_subgraph([(0, 1, 0), (1, 0, 0)]), crs="EPSG:32610"))
    assert line_crossings(untagged, Routes(np.array([0, 1]), np.array([0]), np.zeros(1)), trips.iloc[:1],
                          reads.iloc[:0], table.iloc[:1], watched=np.array([], np.int64)) == {}


def test_river_city_counts_the_trips_over_its_bridges(river):
    """The shares of the run against a count made here from the routes and the roads' tags."""
    m, sim = river.metrics, river
    across = np.array(["|" in t for t in edge_jurisdiction(sim.net)])
    assert m["n_crossing_roads"] == 3 and m["n_crossing_ways"] == int(across.sum()) == 6
    crosses = np.array([across[sim.routes.route(i)].any() for i in range(len(sim.trips))])
    assert m["n_trips_crossing"] == int(crosses.sum()) > 0
    assert m["share_trips_crossing"] == pytest.approx(crosses.mean())
    table = sim.view_table("all")
    read = table["n_reads"].to_numpy() >= 1
    assert m["share_crossing_trips_read"] == pytest.approx(read[crosses].mean())
    on_bridge = set(sim.reads.loc[across[sim.reads["edge"].clip(lower=0)] & (sim.reads["edge"] >= 0), "trip_id"])
    by_hand = np.isin(sim.trips["trip_id"].to_numpy()[crosses], list(on_bridge)).mean()
    assert m["share_crossing_trips_read_crossing"] == pytest.approx(by_hand)
    assert m["route_recall_mean_crossing"] == pytest.approx(table["route_recall"].to_numpy()[crosses].mean())


def test_river_city_opens_with_its_cross_river_trips(river):
    m = river.metrics
    text = answer(m)
    # the question: how many cameras does it take to see every cross-river trip, and how much can be rebuilt
    assert text.startswith(f"{m['n_trips_crossing']:,} trips, {share(m, 'share_trips_crossing')} of all, cross "
                           "between west-bank and east-bank")
    value, ci = m["share_crossing_trips_read"], m["share_crossing_trips_read_ci"]
    style = share_style(value, ci)
    assert f"{value:{style}} (95 % interval {ci[0]:{style}}–{ci[1]:{style}}) of them were read" in text
    assert "takes a reader on each of the 6 ways across (6 one-direction cameras, or 3 reading both ways)" in text
    assert f"here {m['n_crossing_ways_camera_free']} of the 6 directions" in text or "every one of the 6" in text


def hand_metrics(**more):
    return {"n_trips": 1000, "n_cameras": 10, "n_reads": 500, "n_days": 1,
            "share_trips_read_ge1": 0.5, "share_trips_read_ge1_ci": [0.45, 0.55],
            "share_trips_read_ge2": 0.3, "share_trips_read_ge2_ci": [0.25, 0.35],
            "route_recall_mean": 0.2, "route_recall_mean_ci": [0.18, 0.22]} | more


def test_long_drives_are_answered_per_searcher():
    """interstate-corridor: how much of a city-to-city drive is mapped, and by whom."""
    def drive(v, lo, hi):
        return {"n_trips": 300, "share_km_covered_mean": v, "share_km_covered_mean_ci": [lo, hi],
                "share_km_covered_mean_n": 300, "longest_gap_km_median": 101.7, "operators_seeing_mean": 1.54}
    m = hand_metrics(long_trip_km=50.0, long_trips=drive(0.57, 0.55, 0.59), long_trips_what_if={},
                     agencies={"town-police": {"long_trips": drive(0.04, 0.03, 0.05)},
                               "state-police": {"long_trips": drive(0.35, 0.33, 0.36)}})
    text = answer(m)
    assert text.startswith("Of the 300 drives over 50 km, all the reads together map 57% (95 % interval 55%–59%) "
                           "of the kilometres (mean), leaving a median longest unseen stretch of 102 km")
    assert "state-police 35% (95 % interval 33%–36%); town-police 4% (95 % interval 3%–5%)" in text
    # without the what-if entry a scenario asks nothing about long drives: the sentence is the general one
    assert answer({k: v for k, v in m.items() if k != "long_trips_what_if"}).startswith("Of all 1,000 trips")


@pytest.mark.parametrize("n_operators, says", [
    (5, "; a drive is seen by 1.5 of the 5 camera operators on average."),
    # one operator: the mean is only the share of drives read at all, so the sentence says nothing of operators
    (1, None),
])
def test_long_drives_name_the_operators_only_among_several(n_operators, says):
    long_trips = {"n_trips": 300, "share_km_covered_mean": 0.57, "share_km_covered_mean_ci": [0.55, 0.59],
                  "share_km_covered_mean_n": 300, "operators_seeing_mean": 1.54 if n_operators > 1 else 0.9,
                  "n_operators": n_operators}
    text = answer(hand_metrics(long_trip_km=50.0, long_trips=long_trips, long_trips_what_if={}))
    assert text.startswith("Of the 300 drives over 50 km")
    if says:
        assert says in text
    else:
        assert "operator" not in text and "of the kilometres (mean). " in text


@pytest.mark.parametrize("n_operators, cell", [(1, "0.9 of 1"), (5, "1.5 of 5"), (None, "0.9")])
def test_the_reports_long_trip_table_gives_the_operators_seeing_out_of_the_runs(n_operators, cell):
    """classroom-sharing has one operator: its mean is the share of drives read at all, so the report's table
    says "0.9 of 1" (as the answer, it does not let 0.9 pass for a count); a metrics.json older than
    n_operators gives the mean alone."""
    seeing = 0.9 if n_operators in (1, None) else 1.54
    long_trips = {"n_trips": 14, "share_km_covered_mean": 0.32, "longest_gap_km_median": 3.0,
                  "operators_seeing_mean": seeing} | ({"n_operators": n_operators} if n_operators else {})
    m = hand_metrics(long_trip_km=5.0, long_trips=long_trips, long_trips_what_if={"as run": {"all reads": long_trips}})
    cells = re.findall(r"<td class=num>([^<]*)</td>", render_report(m, "", [], "t").split("what if an operator")[1])
    assert cells[:3] == ["32%", "3", cell]


def test_patrol_cars_alone_get_their_reads_not_camera_free_routes():
    """seattle-patrol: no fixed camera, so the numbers compared with a real log, and no camera-free routes."""
    m = hand_metrics(n_cameras=0, n_days=8, n_reads=3767, reads_per_patrol_car_per_day_full_scale=2615.97,
                     share_plates_read_once=0.839, share_plates_read_once_ci=[0.826, 0.852],
                     share_plates_read_once_n=3120, camera_free_pair_share=None,
                     fleets={"mobile": {"n_readers": 9, "share_vehicles_read": 0.11,
                                        "share_vehicles_read_ci": [0.106, 0.113], "share_vehicles_read_n": 28471}})
    text = answer(m)
    assert text.startswith("No fixed camera: 9 patrol-car readers made 3,767 reads over 8 days, 2,616 per reader "
                           "per day on average (scaled to 100 % of the vehicles: the run simulates a sample); 84% "
                           "(95 % interval 83%–85%) of the 3,120 plates")
    # with the median reader-day (what docs/validation.md holds beside the real log's 1,530), that comes first
    m |= {"reads_per_patrol_car_day_median_full_scale": 1524.6}
    assert answer(m).startswith("No fixed camera: 9 patrol-car readers made 3,767 reads over 8 days, a median "
                                "1,525 per reader on a day it read (the mean over readers and days 2,616; both scaled "
                                "to 100 % of the vehicles: the run simulates a sample); 84%")
    assert "camera-free route joins" not in text
    assert "A camera-free route joins 53%" in answer(hand_metrics(camera_free_pair_share=0.53,
                                                                  camera_free_pair_share_ci=[0.49, 0.57]))


def test_a_patrol_only_run_reports_no_camera_free_pair_share(tmp_path):
    toml = (PROJECT / "scenarios" / "teaching-grid.toml").read_text(encoding="utf-8")
    (tmp_path / "p.toml").write_text(toml + "\n[[patrols]]\ncars = 2\nbeats = 2\noperator = \"city\"\n",
                                     encoding="utf-8")
    scenario = load_scenario(tmp_path / "p.toml", overrides=[
        "network.rows=8", "network.cols=8", "cameras.count=0", "demand.trips=300", "metrics.pair_samples=50"])
    m = simulate_scenario(scenario).metrics
    assert m["n_cameras"] == 0 and m["camera_free_pair_share"] is None
    assert "patrol car" in m["camera_free_pair_share_reason"] and m["detour_ratio_median"] is None
    with_cameras = simulate_scenario(small_scenario()).metrics
    assert isinstance(with_cameras["camera_free_pair_share"], float)


def test_the_fence_answer_says_how_many_long_drives_meet_a_camera():
    """norfolk-curtain asks whether one can drive any distance without running into a camera."""
    fence = {"district_sealed_in": True, "district_sealed_out": True, "district_sealed": True,
             "district_fence_cameras": 4, "min_cut_to_seal_district": 4, "min_cameras_to_seal_district": 8,
             "n_days": 7, "vehicle_km_recovered_median": 0.0, "long_trip_km": 5.0,
             "share_long_trips_read": 0.0798, "share_long_trips_read_ci": [0.0793, 0.0803],
             "share_long_trips_read_n": 2764126}
    text = answer(fence, "fence")
    assert text.startswith("The district is fenced in both ways by 4 cameras (sealing it takes at least 4 cameras "
                           "reading both ways, or 8 reading one way each).")
    assert ("Of the 2,764,126 drives over 5 km, 8.0% (95 % interval 7.9%–8.0%) were read at least once: 92.0% drove "
            "their whole way unread.") in text
    # with cameras across the city besides the fence, whether one can drive unseen comes first
    assert answer(fence | {"n_cameras": 176}, "fence").startswith("Of the 2,764,126 drives over 5 km")
    assert answer(fence | {"n_cameras": 4}, "fence").startswith("The district is fenced")


def test_the_report_shows_every_number_in_a_readable_table(river):
    m = river.metrics
    page = render_report(m, "", [], "t", question="coverage")
    details = page[page.index("<details>"):page.index("</details>")]
    assert "\\u2013" not in page and "<pre>{" not in page  # no raw JSON with escapes
    rows = re.findall(r"<tr><td><code>([^<]+)</code></td><td class=num>(.*?)</td><td>(.*?)</td>"
                      r"<td class=num>(.*?)</td></tr>", details)
    shown = {}
    for name, value, interval, n in rows:  # the run's own numbers come first, before nested ones of the same name
        shown.setdefault(name, (value, interval, n))
    # every top-level number is a row, its _n and _ci folded into it
    for key, value in m.items():
        if isinstance(value, (int, float)) and not key.endswith("_n"):
            assert key in shown, key
    value, interval, n = shown["share_trips_read_ge1"]
    lo, hi = m["share_trips_read_ge1_ci"]
    style = share_style(m["share_trips_read_ge1"], [lo, hi])
    assert (value, interval, n) == (f"{m['share_trips_read_ge1']:{style}}", f"{lo:{style}}–{hi:{style}}",
                                    f"{m['share_trips_read_ge1_n']:,}")
    assert shown["n_trips"][0] == f"{m['n_trips']:,}"
    # nested entries get a heading row of their path
    assert "<th colspan=4>exposure_by_area › areas › west-bank</th>" in details
    # the key numbers: shares in percent beside intervals in percent, never a bare fraction
    key_numbers = page[page.index("<h2>Key numbers"):page.index("</table>", page.index("<h2>Key numbers"))]
    assert f"<td class=num>{m['share_trips_read_ge1']:.3f}</td>" not in key_numbers
    assert f"<td class=num>{m['share_trips_read_ge1']:{style}}</td>" in key_numbers


def test_a_missing_number_shows_why_in_the_table():
    table = metrics_table({"home_inference_accuracy": None, "home_inference_accuracy_reason": "needs two days",
                           "district_sealed": True, "crossing_sides": ["a", "b"],
                           "areas": {"0\u20130.4 km": {"n_cameras": 3}}})
    assert "— <small>needs two days</small>" in table
    assert "<td class=num>yes</td>" in table and "<td class=num>a, b</td>" in table
    assert "<th colspan=4>areas › 0–0.4 km</th>" in table  # a real dash, not an escape


def test_the_access_answer_says_each_number_once():
    """westchester-sanctuary: who can search the reads, how much of the trips that rebuilds, and the leak."""
    def agency(visible, rebuilt):
        return {"share_reads_visible": visible, "share_trips_reconstructable": rebuilt,
                "share_trips_reconstructable_ci": [rebuilt - 0.01, rebuilt + 0.01]}
    m = {"agencies": {"police": agency(1.0, 0.49), "ICE": agency(1.0, 0.49), "pool user": agency(0.4, 0.2)},
         "rules": {"sanctuary": {"leaks": {"ICE": ["county", "ICE"], "pool user": ["county", "pool", "pool user"]}}}}
    text = answer(m, "access")
    assert text.startswith("2 of 3 agencies can search every read (ICE, police), enough to rebuild 49% (95 % "
                           "interval 48%–50%) of trips (sighted twice or more); despite rule sanctuary, ICE reaches "
                           "100% of the reads through county → ICE;")
    assert text.count("49%") == 1  # ICE's share is not said twice
    assert text.endswith("pool user reaches 40% of the reads through county → pool → pool user, enough to rebuild "
                         "20% (95 % interval 19%–21%) of trips (sighted twice or more).")


def test_the_reports_precision_note_gives_its_shares_as_the_table_does():
    """The note under the table says 57 % of trips drove a fastest path where the table's row says 57 % (it said
    56.6 %: two roundings of one number side by side)."""
    import html

    from sim.report import render_report

    metrics = {"share_trips_fastest_route": 0.566, "share_trips_fastest_route_ci": [0.55, 0.58],
               "route_precision_mean_ge2": 0.8123, "route_precision_mean_ge2_ci": [0.80, 0.83],
               "route_choice": {"route_noise": 0.2}}
    page = html.unescape(render_report(metrics, "", [], "t"))
    row = page.split("share of trips that drove a fastest path", 1)[1].split("</tr>", 1)[0]
    assert ">57%<" in row
    note = page.split("Why precision is below 1.", 1)[1].split("</p>", 1)[0]
    assert "57% of trips drove a fastest path" in note and "precision is 81%;" in note


def test_person_table_shows_percents_fine_enough_for_the_interval():
    """Uniqueness 0.9 % (0.6 %–1.4 %) was shown as "1%  1%–1%" (helper-32): the table now takes the finer
    percents the answer sentences already use; a wide interval keeps whole percents."""
    from sim.report import render_report

    m = {"uniqueness_k1": 0.009, "uniqueness_k1_n": 25_000, "uniqueness_ci": {"k1": [0.006, 0.014], "k2": [0.4, 0.6]},
         "uniqueness_k2": 0.5, "uniqueness_k2_n": 25_000,
         "predictability": {"markov1": {"top1": 0.311, "top1_ci": [0.309, 0.3135], "top3": 0.6, "top3_ci": [0.5, 0.7],
                                        "n_transitions": 1000}}}
    table = render_report(m, "", [], "t").split("How identifiable, how foreseeable")[1]
    cells = re.findall(r"<td(?: class=num)?>([^<]*)</td>", table)
    assert "0.9%" in cells and "0.6%–1.4%" in cells and "1%–1%" not in cells
    assert "50%" in cells and "40%–60%" in cells
    assert "31.1%" in cells and "30.9%–31.4%" in cells and "60%" in cells and "50%–70%" in cells


def test_all_metrics_table_orders_rings_by_distance_and_shows_share_gaps_in_points():
    """Rings were listed as text sorts them ("0.405–0.811 km", "0.811–1.22 km", "0–0.405 km"), and a gap of two
    shares (0.80) read as a share (80%) beside its negative twin (-0.0514) (helper-32)."""
    from sim.report import metrics_table

    rings = {"1.22–1.62 km": {"n_cameras": 3}, "0–0.405 km": {"n_cameras": 1}, "0.405–0.811 km": {"n_cameras": 2}}
    table = metrics_table({"areas": rings, "core_minus_periphery_share_vehicles_observed": 0.8,
                           "core_minus_periphery_resident_share_trips_read": -0.0514})
    headings = re.findall(r"<th colspan=4>([^<]*)</th>", table)
    assert [h.split(" › ")[-1] for h in headings] == ["0–0.405 km", "0.405–0.811 km", "1.22–1.62 km"]
    assert "+80.0 percentage points" in table and "-5.1 percentage points" in table and ">80%<" not in table


def test_the_what_if_table_never_prints_a_share_above_nothing_as_0_percent():
    """interstate-corridor's town-1-police recovers 0.05 % of a long drive's kilometres: the what-if table says so,
    as the sentence does, not "0%" (it printed every share in whole percents)."""
    row = {"n_trips": 300, "share_km_covered_mean": 0.0005, "share_km_covered_mean_ci": [0.0004, 0.0006],
           "longest_gap_km_median": 101.7,
           "operators_seeing_mean": 0.01, "n_operators": 3}
    page = render_report(hand_metrics(long_trips_what_if={"as run": {"town-1-police": row}}), "", [], "t")
    cells = re.findall(r"<td class=num>([^<]*)</td>", page.split("Long trips: what if")[1].split("</table>")[0])
    # (an interval below a tenth of a percent: three decimals, as the sentence's share prints it)
    assert cells[:3] == ["0.050%", "102", "0.0 of 3"], cells
    # helper-38: the share's interval is beside it (it was in metrics.json only)
    assert "<td>0.040%–0.060%</td>" in page.split("Long trips: what if")[1].split("</table>")[0]


def test_the_what_if_table_gives_a_short_stretch_to_its_tenths():
    """helper-38: a longest unseen stretch of 2.68 km printed as "3" on drives of 5–10 km; numbers print as every
    table prints them (three significant digits below 10)."""
    row = {"n_trips": 14, "share_km_covered_mean": 0.32, "share_km_covered_mean_ci": [0.14, 0.58],
           "longest_gap_km_median": 2.68, "operators_seeing_mean": 0.9, "n_operators": 1}
    m = hand_metrics(long_trip_km=5.0, long_trips=row, long_trips_what_if={"as run": {"all reads": row}})
    page = render_report(m, "", [], "t")
    cells = re.findall(r"<td class=num>([^<]*)</td>", page.split("Long trips: what if")[1].split("</table>")[0])
    assert cells[:3] == ["32%", "2.68", "0.9 of 1"] and "<td>14%–58%</td>" in page
    assert "a median longest unseen stretch of 2.68 km" in answer(m)


def test_located_rows_say_they_are_the_residents_when_they_are():
    """helper-38: piedmont-ring's "share of trips whose start and end the reads place" was over its residents'
    141,292 trips, beside 168,280 trips simulated, and did not say so."""
    m = hand_metrics(movements_of="residents", share_trips_located=0.02, share_trips_located_n=141_292,
                     share_vehicle_days_located=0.1, share_vehicle_days_located_n=54_659)
    page = render_report(m, "", [], "t")
    assert "share of residents&#x27; trips whose start and end the reads place" in page
    assert "share of resident-days with a trip on which every trip was placed" in page
    plain = render_report(m | {"movements_of": "vehicles"}, "", [], "t")
    assert "share of trips whose start and end" in plain and "residents&#x27; trips whose" not in plain


def test_every_figure_a_run_or_an_analysis_draws_has_a_caption_that_says_how_to_read_it(tmp_path):
    """helper-35: the report captioned its figures with their file names alone. Each figure `curtain run` and
    `curtain analyze` draw is captioned with what it shows, after its name."""
    from sim.report import FIGURE_CAPTIONS

    source = "".join((PROJECT / "sim" / name).read_text() for name in ("figures.py", "analyze.py"))
    drawn = set(re.findall(r'"(\w+\.png)"', source))
    assert {"map.png", "coverage.png", "long_trip.png", "reads_map.png"} <= drawn
    assert drawn <= set(FIGURE_CAPTIONS), drawn - set(FIGURE_CAPTIONS)
    png = tmp_path / "coverage.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    page = render_report(hand_metrics(), "", [png], "t")
    assert ("<figcaption><code>coverage.png</code>: each road by the share of the trips driven through it that "
            "were read at least once") in page


@pytest.mark.parametrize("detour, says", [(1.0, "1×"), (1.156, "1.16×")])
def test_the_detour_in_the_sentence_reads_as_in_the_table(detour, says):
    """helper-35: the table printed the median detour 1.0 as "1" and the sentence as "1.00×"."""
    m = hand_metrics(camera_free_pair_share=0.4, camera_free_pair_share_ci=[0.3, 0.5], camera_free_pair_share_n=200,
                     detour_ratio_median=detour)
    assert f"(at a median {says} the fastest time)" in answer(m)
    assert f"<td class=num>{says[:-1]}</td>" in metrics_table(m)


def test_an_exact_share_prints_whole_whatever_its_interval_needs():
    """None of 197,495 residents is '0%', not '0.000%'; every one of them '100%': an exact share has no digits to
    round, while its interval keeps the precision it needs (Norfolk's week: 0 with an interval up to 0.002 %)."""
    m = {"share_vehicles_movements_located_ge90": 0.0, "share_vehicles_movements_located_ge90_ci": [0.0, 0.00002],
         "share_reads_visible": 1.0, "share_reads_visible_ci": [0.99998, 1.0]}
    assert share(m, "share_vehicles_movements_located_ge90") == "0% (95 % interval 0%–0.002%)"
    assert share(m, "share_reads_visible") == "100% (95 % interval 99.998%–100%)"
    # a share near, not at, either end keeps its decimals
    assert share({"s_share": 0.00001, "s_share_ci": [0.0, 0.00002]}, "s_share") == "0.001% (95 % interval 0%–0.002%)"


def test_the_precision_note_never_says_precision_is_a_dash():
    """helper-38: piedmont-ring's inbound-only readers sight no trip twice, and the note said "Over trips sighted at
    least twice precision is —;"."""
    m = hand_metrics(route_choice={"route_noise": 0.2}, share_trips_fastest_route=0.4,
                     share_trips_fastest_route_ci=[0.38, 0.42], route_precision_mean_ge2=None)
    page = render_report(m, "", [], "t")
    assert "No trip was sighted twice, so no route between sightings was rebuilt" in page
    assert "precision is —" not in page
    seen = render_report(m | {"route_precision_mean_ge2": 0.97, "route_precision_mean_ge2_ci": [0.96, 0.98]},
                         "", [], "t")
    assert "Over trips sighted at least twice precision is 97%" in seen
