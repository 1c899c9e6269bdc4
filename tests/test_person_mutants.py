"""Uniqueness, home and work inference against cases worked out by hand, written to catch the bugs a mutation
tester (``benchmarks/mutation.py`` on ``sim/metrics/person.py``) found the other tests let through: a point's hour
at exactly 3,600 s and before the start, points of different cameras that an encoding could merge, plates with
exactly K points, U(K) of exactly 0, the cap of 5,000 plates, draws without replacement, guesses at exactly 500 m
(and 500.5 m) in both x and y, exactly two days, ties, the morning's ends at exactly 05:00 and 12:00, weekends,
who is a worker and who a resident, and the keys of a run too short to say. Every expected value is derived in
the docstring or a comment, never with the code's own helpers (intervals are scipy's)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.metrics import (home_inference, person_metrics, searcher_reads, trace_points, unique_plates, uniqueness,
                         uniqueness_by_k, work_inference)
from sim.metrics.person import coded_reads
from sim.network import from_graph

HOUR = 3600.0
DAY = 86_400.0

#: node: (x, y) in metres. From node 2 the middle of edge 0-1, (700, 400), is (-300, -400): exactly 500 m; the
#: middle of 1-2, (1000, 700), is 100 m; the middle of 3-0, (550, 550.25), is hypot(450, 249.75) = 514.7 m.
#: From node 3 the middle of 0-1 is straight below it: 500.5 m.
PLACES = {0: (400.0, 200.0), 1: (1000.0, 600.0), 2: (1000.0, 800.0), 3: (700.0, 900.5)}


def four_corners():
    """Two-way roads 0-1, 1-2, 2-3, 3-0 between the nodes of ``PLACES``."""
    g = nx.MultiDiGraph(crs="EPSG:32618")
    for node, (x, y) in PLACES.items():
        g.add_node(node, x=x, y=y)
    for u, v in ((0, 1), (1, 2), (2, 3), (3, 0)):
        g.add_edge(u, v, speed_kph=36.0, highway="primary")
        g.add_edge(v, u, speed_kph=36.0, highway="primary")
    return from_graph(g)


NET = four_corners()


def reads_of(rows):
    """Reads from ``(plate, vehicle, (u, v), day, hour)``: camera ``c<u><v>`` on edge u→v at that time."""
    return pd.DataFrame({
        "plate_read": [r[0] for r in rows], "vehicle_id": [r[1] for r in rows],
        "camera_id": [f"c{r[2][0]}{r[2][1]}" for r in rows], "edge": [NET.edge_id(*r[2]) for r in rows],
        "time_s": [r[3] * DAY + r[4] * HOUR for r in rows], "trip_id": 0})


#: A resident (vehicle 0, read as AAA1111 and once misread as AAA1117 on day 4) and a visitor (vehicle 1, BBB2222,
#: a pass logged twice on day 0 and another on day 1), each at 07:00
RESIDENT_AND_VISITOR = [("AAA1111", 0, (0, 1), 0, 7), ("AAA1117", 0, (0, 1), 4, 7), ("BBB2222", 1, (3, 0), 0, 7),
                        ("BBB2222", 1, (3, 0), 0, 7 + 2 / HOUR), ("BBB2222", 1, (3, 0), 1, 7)]


def resident_and_visitor():
    """The population model's table of the two: both live and work at node 2; vehicle 0 is a resident worker."""
    return pd.DataFrame({"vehicle_id": [0, 1], "home": [2, 2], "work": [2, 2], "worker": [True, False],
                         "works_outside": False, "kind": ["resident", "visitor"]})


def scored_as_worked_out(m):
    """The resident-and-visitor case's numbers, worked out by hand (see the test that uses the keys): two plates of
    2 points each, U(1) = U(2) = 1; the resident's home and work right, the visitor not scored."""
    assert m["uniqueness_n_plates"] == 2
    assert (m["uniqueness_k1"], m["uniqueness_k2"], m["uniqueness_k2_n"]) == (1.0, 1.0, 2)
    assert (m["home_inference_accuracy"], m["home_inference_accuracy_n"], m["n_vehicles_scored"]) == (1.0, 1, 1)
    assert (m["work_inference_accuracy"], m["n_workers_scored"]) == (1.0, 1)


def homes(nodes):
    """Each vehicle's trips (vehicle i leaves ``nodes[i]`` at 06:30 on day 0, and comes back from node 0 at
    17:00), listed latest first: the home is the origin of the earliest."""
    n = len(nodes)
    return pd.DataFrame({"trip_id": np.arange(2 * n), "vehicle_id": list(range(n)) * 2,
                         "origin": [0] * n + list(nodes), "destination": list(nodes) + [0] * n,
                         "depart_s": [17 * HOUR] * n + [6.5 * HOUR] * n})


def wilson(k, n):
    """The 95 % Wilson interval of k of n (scipy's)."""
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return [pytest.approx(float(ci.low), abs=1e-12), pytest.approx(float(ci.high), abs=1e-12)]


def points_frame(rows):
    """A searcher's reads from ``(plate, camera, time_s)``."""
    return pd.DataFrame(rows, columns=["plate", "camera_id", "time_s"])


# --- whose plate ---------------------------------------------------------------------------------------------

def test_plates_are_coded_in_text_order_and_owned_by_the_vehicle_with_most_reads():
    """Plates B, A, B, C, A, B, C and one read without a plate: A is code 0, B 1, C 2 whatever the row order.
    A: vehicles 5, 5 → 5. B: 7, 4, 4 → 4. C: 8, 6 → a tie, the lower id: 6. The read without a plate is no
    plate's (its vehicle 9 owns nothing). A log without vehicles has no owners."""
    reads = pd.DataFrame({"plate_read": ["B", "A", "B", "C", "A", "B", None, "C"],
                          "camera_id": "c", "time_s": np.arange(8.0), "edge": 0,
                          "vehicle_id": [7, 5, 4, 8, 5, 4, 9, 6]})
    seen, plates, owner = coded_reads(reads)
    assert plates.tolist() == ["A", "B", "C"]
    assert seen["plate"].tolist()[:6] == [1, 0, 1, 2, 0, 1]
    assert owner.to_dict() == {0: 5, 1: 4, 2: 6}
    _, by_text = searcher_reads(reads)
    assert by_text.to_dict() == {"A": 5, "B": 4, "C": 6}
    _, nobody = searcher_reads(reads.drop(columns="vehicle_id"))
    assert nobody.empty


# --- uniqueness ------------------------------------------------------------------------------------------------

def test_an_hour_starts_at_exactly_3600_seconds():
    """A is read at camera c1 at 3,599 s (hour 0) and 3,600 s (hour 1): two points. B at 1,800 s (hour 0).
    U(2): only A has two points; drawing both, (c1, hour 1) is A's alone: 1 of 1. Over both plates: 1/2."""
    reads = points_frame([("A", "c1", 3599.0), ("A", "c1", 3600.0), ("B", "c1", 1800.0)])
    assert trace_points(reads).to_dict() == {"A": 2, "B": 1}
    for seed in range(3):
        assert uniqueness(reads, 2, np.random.default_rng(seed)) == 1.0
    m, _ = person_metrics(reads.rename(columns={"plate": "plate_read"}).assign(edge=0, vehicle_id=[0, 0, 1]),
                          homes([0, 0]), NET, 1, np.random.default_rng(0))
    assert (m["uniqueness_k2"], m["uniqueness_k2_n"], m["uniqueness_k2_of_all"]) == (1.0, 1, 0.5)


def grid_of_plates():
    """Nine plates P<c><h> with one point each, (camera c<c>, hour h) for c, h in 0..2, and plate Z with three:
    (c0, hour 2), (c1, hour 0), (c1, hour 2), each also a P plate's."""
    rows = [(f"P{c}{h}", f"c{c}", h * HOUR + 600) for c in range(3) for h in range(3)]
    rows += [("Z", "c0", 2 * HOUR + 900), ("Z", "c1", 900.0), ("Z", "c1", 2 * HOUR + 900)]
    return points_frame(rows)


def test_every_camera_and_hour_is_its_own_point():
    """The grid: P02, P10 and P12 share their one point with Z, and Z shares each of its points, so U(1) is 6 of
    the 10 plates (the other six P plates hold a point nobody else has). Only Z has 2 or 3 points, and any 2 of
    them are Z's alone (each P plate holds one): U(2) = U(3) = 1 of 1; over all 10 plates 0.1. Nobody has 4."""
    reads = grid_of_plates()
    assert trace_points(reads).to_dict() == {**{f"P{c}{h}": 1 for c in range(3) for h in range(3)}, "Z": 3}
    for seed in range(3):
        got = uniqueness_by_k(reads, [1, 2, 3, 4], np.random.default_rng(seed))
        assert got == {1: pytest.approx(0.6), 2: 1.0, 3: 1.0, 4: None}
        one = unique_plates(reads, [1], np.random.default_rng(seed))[1].set_index("plate")["unique"]
        assert sorted(one[~one].index) == ["P02", "P10", "P12", "Z"]
    m, tables = person_metrics(reads.rename(columns={"plate": "plate_read"}).assign(edge=0, vehicle_id=0),
                               homes([0]), NET, 1, np.random.default_rng(0))
    assert m["uniqueness_n_plates"] == 10
    assert [m[f"uniqueness_k{k}"] for k in range(1, 6)] == [pytest.approx(0.6), 1.0, 1.0, None, None]
    assert [m[f"uniqueness_k{k}_n"] for k in range(1, 6)] == [10, 1, 1, 0, 0]
    # over all 10 plates: 6, 1 and 1 singled out; nobody by 4 or 5 points (0 of 10, not "unknown")
    assert [m[f"uniqueness_k{k}_of_all"] for k in range(1, 6)] == [pytest.approx(0.6), pytest.approx(0.1),
                                                                   pytest.approx(0.1), 0.0, 0.0]
    assert all(m[f"uniqueness_k{k}_of_all_n"] == 10 for k in range(1, 6))
    assert m["uniqueness_k1_ci"] == wilson(6, 10) and m["uniqueness_k2_ci"] == wilson(1, 1)
    # over all plates, the one plate with 3 points was scored: its interval (1 of 1) scaled to 1 of 10 plates, not
    # Wilson's at 10 as if all had been scored (helper-41); by 5 points no plate can be: 0 of 10
    one_of_one = stats.binomtest(1, 1).proportion_ci(confidence_level=0.95, method="wilson")
    assert m["uniqueness_k3_of_all_ci"] == pytest.approx([one_of_one.low / 10, one_of_one.high / 10])
    assert m["uniqueness_k5_of_all_ci"] == wilson(0, 10)
    assert m["uniqueness_ci"] == {"k1": wilson(6, 10), "k2": wilson(1, 1), "k3": wilson(1, 1), "k4": None,
                                  "k5": None}
    assert "4 distinct points" in m["uniqueness_k4_reason"] and "5 distinct points" in m["uniqueness_k5_reason"]
    table = tables["vehicle_uniqueness"]
    assert table.groupby("k").size().to_dict() == {1: 10, 2: 1, 3: 1}
    assert table.query("k > 1")[["plate", "unique"]].values.tolist() == [["Z", True], ["Z", True]]


def test_two_plates_with_the_same_trace_are_never_unique():
    """T1 and T2 share all three points: U(1) = U(2) = U(3) = 0 of 2, and so is each share over all plates (0, not
    the share of plates with K points); U(4) and U(5): nobody has 4 or 5 points."""
    rows = [(t, f"c{c}", c * HOUR + 60 * i) for i, t in enumerate(["T1", "T2"]) for c in range(3)]
    reads = points_frame(rows).rename(columns={"plate": "plate_read"}).assign(edge=0, vehicle_id=[0] * 3 + [1] * 3)
    m, _ = person_metrics(reads, homes([0, 0]), NET, 1, np.random.default_rng(0))
    assert [m[f"uniqueness_k{k}"] for k in range(1, 6)] == [0.0, 0.0, 0.0, None, None]
    assert [m[f"uniqueness_k{k}_n"] for k in range(1, 6)] == [2, 2, 2, 0, 0]
    assert [m[f"uniqueness_k{k}_of_all"] for k in range(1, 6)] == [0.0] * 5
    assert m["uniqueness_k1_ci"] == wilson(0, 2) and m["uniqueness_k1_of_all_ci"] == wilson(0, 2)


def test_times_before_the_start_are_hours_too():
    """Reads at -1,800 s are in hour -1 (floor(-0.5)), not hour 0. A: (ca, hour -1) and (ca, hour 0); B: (ca, hour
    0); C: (cb, hour -1); D: (ca, hour 0) and (cb, hour 0). Points: A 2, B 1, C 1, D 2. U(2): A's (ca, -1) and D's
    (cb, 0) are theirs alone: 2 of 2. U(1): B's point is A's and D's too (not unique), C's is its own."""
    reads = points_frame([("A", "ca", -1800.0), ("A", "ca", 1800.0), ("B", "ca", 1800.0), ("C", "cb", -1800.0),
                          ("D", "ca", 1800.0), ("D", "cb", 1800.0)])
    assert trace_points(reads).to_dict() == {"A": 2, "B": 1, "C": 1, "D": 2}
    for seed in range(3):
        u = unique_plates(reads, [1, 2], np.random.default_rng(seed))
        one = u[1].set_index("plate")["unique"]
        assert sorted(one.index) == ["A", "B", "C", "D"] and not one["B"] and one["C"]
        assert u[2]["plate"].tolist() == ["A", "D"] and u[2]["unique"].all()


def test_each_of_a_plates_k_points_is_drawn_once():
    """A has exactly two points, (c1, 0) and (c2, 0); B holds (c1, 0), C holds (c2, 0). U(2) draws both of A's:
    only A holds both, whatever the seed (drawing one point twice would find B or C beside it)."""
    reads = points_frame([("A", "c1", 10.0), ("A", "c2", 20.0), ("B", "c1", 30.0), ("C", "c2", 40.0)])
    assert [uniqueness(reads, 2, np.random.default_rng(seed)) for seed in range(10)] == [1.0] * 10


def hub_and_spokes(n):
    """n plates, each read at the shared camera "hub" and at its own camera in hour 0: at K = 1 a plate is unique
    exactly when its own camera is drawn."""
    rows = [(f"P{i:02d}", cam, float(i)) for i in range(n) for cam in ("hub", f"own{i:02d}")]
    return points_frame(rows)


def test_a_sample_of_plates_is_drawn_without_repeats_and_only_above_the_cap():
    """Three plates of one point each, at most 2 scored: two different plates, whatever the seed. With exactly as
    many plates as the cap there is nothing to draw: the same plates, and the same draws, as with no cap."""
    reads = points_frame([("A", "c1", 0.0), ("B", "c2", 0.0), ("C", "c3", 0.0)])
    for seed in range(20):
        scored = unique_plates(reads, [1], np.random.default_rng(seed), max_plates=2)[1]["plate"]
        assert len(scored) == 2 and scored.nunique() == 2
    reads = hub_and_spokes(12)
    for seed in range(3):
        capped = unique_plates(reads, [1], np.random.default_rng(seed), max_plates=12)[1]
        free = unique_plates(reads, [1], np.random.default_rng(seed), max_plates=13)[1]
        pd.testing.assert_frame_equal(capped, free)


def test_which_plates_are_sampled_depends_on_the_seed_not_on_the_row_order():
    """Four plates (one point each), at most 2 scored: the same two for the same seed whether the reads come in
    one order or the reverse (the draw is over plates in text order)."""
    reads = points_frame([("A", "c1", 0.0), ("B", "c2", 0.0), ("C", "c3", 0.0), ("D", "c4", 0.0)])
    backwards = reads.iloc[::-1].reset_index(drop=True)
    log = reads.rename(columns={"plate": "plate_read"}).assign(edge=0, vehicle_id=0)
    for seed in range(10):
        a = unique_plates(reads, [1], np.random.default_rng(seed), max_plates=2)[1]["plate"].tolist()
        b = unique_plates(backwards, [1], np.random.default_rng(seed), max_plates=2)[1]["plate"].tolist()
        assert sorted(a) == sorted(b)
        m1, t1 = person_metrics(log, homes([0]), NET, 1, np.random.default_rng(seed), max_plates=2)
        m2, t2 = person_metrics(log.iloc[::-1].reset_index(drop=True), homes([0]), NET, 1,
                                np.random.default_rng(seed), max_plates=2)
        assert sorted(t1["vehicle_uniqueness"]["plate"]) == sorted(t2["vehicle_uniqueness"]["plate"])
        assert m1["uniqueness_k1_n"] == m2["uniqueness_k1_n"] == 2


def test_at_most_5000_plates_are_scored():
    """5,001 plates: 2,500 each alone at its own camera (unique at K = 1), 2,501 together at one camera (none
    unique). Over all of them U(1) would be 2,500/5,001; by default 5,000 are drawn, one is left out, and U(1) is
    2,500/5,000 (a shared plate left out) or 2,499/5,000 (a lone one)."""
    n_alone, n_shared = 2500, 2501
    rows = [(f"A{i:04d}", f"own{i:04d}", 0.0) for i in range(n_alone)]
    rows += [(f"S{i:04d}", "hub", 0.0) for i in range(n_shared)]
    reads = points_frame(rows)
    possible = (pytest.approx(2500 / 5000), pytest.approx(2499 / 5000))
    assert uniqueness(reads, 1, np.random.default_rng(0)) in possible
    assert uniqueness_by_k(reads, [1], np.random.default_rng(0))[1] in possible
    assert len(unique_plates(reads, [1], np.random.default_rng(0))[1]) == 5000
    log = reads.rename(columns={"plate": "plate_read"}).assign(edge=0, vehicle_id=np.arange(len(reads)))
    m, _ = person_metrics(log, homes([0]), NET, 1, np.random.default_rng(0))
    assert (m["uniqueness_k1_n"], m["uniqueness_n_plates"]) == (5000, 5001)
    assert m["uniqueness_k1"] in possible


# --- home -------------------------------------------------------------------------------------------------------

def test_a_home_guess_500_metres_away_is_right_and_500_5_is_not():
    """A read at 07:00 on days 0 and 1 on edge 0→1 (its middle at (700, 400)). Home at node 2, (1000, 800):
    error (-300, -400), exactly 500 m: right (within 500 m), 1 of 1, with the Wilson interval of 1 of 1. Home at
    node 3, (700, 900.5): 500.5 m, wrong by default and right within 501 m."""
    reads = reads_of([("AAA1111", 0, (0, 1), 0, 7), ("AAA1111", 0, (0, 1), 1, 7)])
    seen, owner = searcher_reads(reads)
    near = home_inference(seen, homes([2]), NET, owner)
    assert (near["home_inference_accuracy"], near["home_inference_accuracy_n"], near["n_vehicles_scored"]) == \
        (1.0, 1, 1)
    assert near["home_error_m_median"] == pytest.approx(500.0)
    assert near["home_inference_accuracy_ci"] == wilson(1, 1)
    far = home_inference(seen, homes([3]), NET, owner)
    assert (far["home_inference_accuracy"], far["home_error_m_median"]) == (0.0, pytest.approx(500.5))
    assert home_inference(seen, homes([3]), NET, owner, within_m=501.0)["home_inference_accuracy"] == 1.0


def test_a_home_is_the_most_frequent_first_read_over_two_days_or_more():
    """Every home is node 2. A: first reads on days 0 and 1 on 0→1 (500 m: right); exactly two days count.
    B: day 0 only: not scored. C: first reads 0→1, 0→1, 3→0 (its last reads 3→0, 3→0, 0→1): the most frequent
    first read, 0→1, is right (its most frequent last read, 3→0, 515 m off, would not be). D: 0→1 one day, 3→0
    the other: a tie, to the lower edge index, 0→1: right. Three scored, three right; the errors are all 500 m."""
    rows = [("A", 0, (0, 1), 0, 7), ("A", 0, (0, 1), 1, 7),
            ("B", 1, (0, 1), 0, 7), ("B", 1, (3, 0), 0, 18),
            ("C", 2, (0, 1), 0, 7), ("C", 2, (3, 0), 0, 18), ("C", 2, (0, 1), 1, 7), ("C", 2, (3, 0), 1, 18),
            ("C", 2, (3, 0), 2, 7), ("C", 2, (0, 1), 2, 18),
            ("D", 3, (0, 1), 0, 7), ("D", 3, (3, 0), 1, 7)]
    assert NET.edge_id(0, 1) < NET.edge_id(3, 0)
    reads = reads_of(rows).iloc[::-1].reset_index(drop=True)  # (the rows in no time order)
    seen, owner = searcher_reads(reads)
    m = home_inference(seen, homes([2, 2, 2, 2]), NET, owner)
    assert (m["home_inference_accuracy"], m["home_inference_accuracy_n"], m["n_vehicles_scored"]) == (1.0, 3, 3)
    assert m["home_error_m_median"] == pytest.approx(500.0)
    # B alone: nobody is read on two days; no share, and why
    seen_b, owner_b = searcher_reads(reads[reads["plate_read"] == "B"])
    alone = home_inference(seen_b, homes([2, 2]), NET, owner_b)
    assert (alone["home_inference_accuracy"], alone["home_inference_accuracy_n"], alone["n_vehicles_scored"]) == \
        (None, 0, 0)
    assert alone["home_error_m_median"] is None and "two or more days" in alone["home_inference_accuracy_reason"]


def test_a_read_before_the_start_is_on_the_day_before():
    """Reads at 07:00 on day -1 (-61,200 s) and day 0: two days, floor(t / 86,400) = -1 and 0."""
    seen, owner = searcher_reads(reads_of([("A", 0, (0, 1), -1, 7), ("A", 0, (0, 1), 0, 7)]))
    assert home_inference(seen, homes([2]), NET, owner)["n_vehicles_scored"] == 1


# --- work -------------------------------------------------------------------------------------------------------

def worker(*rows, work=2):
    """One worker (vehicle 0, working at node ``work`` inside the area) and its plate's reads."""
    persons = pd.DataFrame({"vehicle_id": [0], "work": [work], "worker": [True], "works_outside": [False]})
    return reads_of([("AAA1111", 0, *r) for r in rows]), persons


def test_the_morning_runs_from_exactly_05_00_to_before_12_00():
    """On Monday and Tuesday: 04:59:59 on 3→0, 05:00:00 on 0→1, 12:00:00 on 3→0. The last morning read is 05:00's
    on 0→1 on both days: 500 m from work (node 2), right. Work at node 3: 500.5 m, wrong by default."""
    reads, persons = worker(((3, 0), 0, 5 - 1 / HOUR), ((0, 1), 0, 5), ((3, 0), 0, 12),
                            ((3, 0), 1, 5 - 1 / HOUR), ((0, 1), 1, 5), ((3, 0), 1, 12))
    seen, owner = searcher_reads(reads)
    m = work_inference(seen, persons, NET, owner)
    assert (m["work_inference_accuracy"], m["work_inference_accuracy_n"], m["n_workers_scored"]) == (1.0, 1, 1)
    assert m["work_error_m_median"] == pytest.approx(500.0) and m["work_inference_accuracy_ci"] == wilson(1, 1)
    far = work_inference(seen, persons.assign(work=3), NET, owner)
    assert (far["work_inference_accuracy"], far["work_error_m_median"]) == (0.0, pytest.approx(500.5))


def test_work_is_the_last_read_of_the_morning():
    """Monday and Tuesday: 07:00 on 1→2 (100 m from work), 08:00 on 3→0 (515 m), 09:00 on 0→1 (500 m). The last,
    0→1, is the guess: right, 500 m."""
    reads, persons = worker(((1, 2), 0, 7), ((3, 0), 0, 8), ((0, 1), 0, 9), ((1, 2), 1, 7), ((3, 0), 1, 8),
                            ((0, 1), 1, 9))
    seen, owner = searcher_reads(reads)
    m = work_inference(seen, persons, NET, owner)
    assert (m["work_inference_accuracy"], m["work_error_m_median"]) == (1.0, pytest.approx(500.0))


def test_only_weekdays_count_and_day_0_is_a_monday_by_default():
    """Three workers read at 08:00 on 0→1 (work at node 2): P on day 0 (Monday) and day 5 (Saturday): one
    weekday, not scored; Q on day 0 and day 7 (the next Monday); R on day 0 and day 4 (Friday): two weekdays
    each, scored and right."""
    rows = [("P", 0, (0, 1), 0, 8), ("P", 0, (0, 1), 5, 8), ("Q", 1, (0, 1), 0, 8), ("Q", 1, (0, 1), 7, 8),
            ("R", 2, (0, 1), 0, 8), ("R", 2, (0, 1), 4, 8)]
    persons = pd.DataFrame({"vehicle_id": [0, 1, 2], "work": 2, "worker": True, "works_outside": False})
    seen, owner = searcher_reads(reads_of(rows))
    m = work_inference(seen, persons, NET, owner)
    assert (m["work_inference_accuracy"], m["n_workers_scored"]) == (1.0, 2)


def test_a_read_before_the_start_is_on_the_weekday_before():
    """Reads at 08:00 on day -1 (-57,600 s) and day 0. A run starting on a Monday: day -1 is a Sunday, one
    weekday, not scored. Starting on a Tuesday (first_weekday 1): day -1 is a Monday, two weekdays, scored."""
    reads, persons = worker(((0, 1), -1, 8), ((0, 1), 0, 8))
    seen, owner = searcher_reads(reads)
    assert work_inference(seen, persons, NET, owner)["n_workers_scored"] == 0
    assert work_inference(seen, persons, NET, owner, first_weekday=1)["n_workers_scored"] == 1


def test_only_workers_with_a_job_inside_are_scored():
    """Three vehicles read at 08:00 on Monday and Tuesday on 0→1: vehicle 0 works at node 2 (500 m: right);
    vehicle 1 works outside the area (its gateway, node 3, 500.5 m off); vehicle 2 works nowhere (its "work" is
    its home, node 3). Only vehicle 0 is scored: 1 of 1. Without a works_outside column vehicle 1 is scored too:
    1 of 2."""
    rows = [(p, v, (0, 1), d, 8) for p, v in (("A", 0), ("B", 1), ("C", 2)) for d in (0, 1)]
    persons = pd.DataFrame({"vehicle_id": [0, 1, 2], "work": [2, 3, 3], "worker": [True, True, False],
                            "works_outside": [False, True, False]})
    seen, owner = searcher_reads(reads_of(rows))
    m = work_inference(seen, persons, NET, owner)
    assert (m["work_inference_accuracy"], m["n_workers_scored"]) == (1.0, 1)
    old = work_inference(seen, persons.drop(columns="works_outside"), NET, owner)
    assert (old["work_inference_accuracy"], old["n_workers_scored"]) == (0.5, 2)


# --- through person_metrics --------------------------------------------------------------------------------------

def test_person_metrics_scores_residents_homes_and_reads_the_searchers_plates():
    """Five days from a Monday. Vehicle 0, a resident working at node 2, leaves node 2: read at 07:00 on 0→1 on
    Monday as AAA1111 and on Friday as AAA1117, a misread the searcher matched back to AAA1111 (``plate_key``).
    Vehicle 1, a visitor, also leaves node 2: read at 07:00 on 3→0 on Monday (logged twice, one sighting) and
    Tuesday. Home: the resident alone is scored, right (500 m); the visitor (515 m off) is not. Work: the
    resident's two weekday mornings, 0→1: right. Two plates as the searcher holds them, each with 2 points of
    its own: U(1) = U(2) = 1."""
    reads = reads_of(RESIDENT_AND_VISITOR)
    key = np.array(["AAA1111", "AAA1111", "BBB2222", "BBB2222", "BBB2222"], dtype=object)
    persons = resident_and_visitor()
    m, tables = person_metrics(reads, homes([2, 2]), NET, 5, np.random.default_rng(0), persons=persons,
                               plate_key=key, sighting=np.array([0, 1, 2, 2, 3]))
    scored_as_worked_out(m)
    assert m["home_error_m_median"] == pytest.approx(500.0)
    assert sorted(tables["vehicle_uniqueness"].query("k == 1")[["plate", "vehicle_id"]].values.tolist()) == \
        [["AAA1111", 0], ["BBB2222", 1]]
    # the visitor as a resident, the resident as a visitor: home is scored for vehicle 1 alone, and wrong
    swapped = persons.assign(kind=["visitor", "resident"])
    m, _ = person_metrics(reads, homes([2, 2]), NET, 5, np.random.default_rng(0), persons=swapped, plate_key=key,
                          sighting=np.array([0, 1, 2, 2, 3]))
    assert (m["home_inference_accuracy"], m["n_vehicles_scored"]) == (0.0, 1)


def test_person_metrics_from_key_codes_score_as_from_the_keys():
    """The case above with the searcher's keys handed over as sorted codes (what a reconstruction holds): AAA1111
    is code 0, BBB2222 code 1, the plate as read not needed. The same scores: two plates of 2 points each (U(1) =
    U(2) = 1), the resident's home and work right, and each plate under its own text and vehicle."""
    reads = reads_of(RESIDENT_AND_VISITOR).drop(columns="plate_read")
    codes = (np.array([0, 0, 1, 1, 1]), np.array(["AAA1111", "BBB2222"], dtype=object))
    persons = resident_and_visitor()
    m, tables = person_metrics(reads, homes([2, 2]), NET, 5, np.random.default_rng(0), persons=persons,
                               key_codes=codes, sighting=np.array([0, 1, 2, 2, 3]))
    scored_as_worked_out(m)
    assert sorted(tables["vehicle_uniqueness"][["plate", "vehicle_id", "k"]].values.tolist()) == \
        [["AAA1111", 0, 1], ["AAA1111", 0, 2], ["BBB2222", 1, 1], ["BBB2222", 1, 2]]


def test_person_metrics_of_reads_without_the_truth_score_the_plates_alone():
    """A searcher's log with no ``vehicle_id``: plate A read on 0→1 at 07:00 and 1→2 at 08:00, plate B twice on
    3→0 (07:00, 09:00): 2 points each, none shared: U(1) = U(2) = 1 over 2 plates, no vehicle behind either."""
    rows = [("A", 0, (0, 1), 0, 7), ("A", 0, (1, 2), 0, 8), ("B", 1, (3, 0), 0, 7), ("B", 1, (3, 0), 0, 9)]
    m, tables = person_metrics(reads_of(rows).drop(columns="vehicle_id"), homes([2, 2]), NET, 1,
                               np.random.default_rng(0))
    assert (m["uniqueness_n_plates"], m["uniqueness_k1"], m["uniqueness_k2"], m["uniqueness_k2_n"]) == (2, 1.0, 1.0, 2)
    assert sorted(tables["vehicle_uniqueness"].query("k == 2")["plate"]) == ["A", "B"]
    assert tables["vehicle_uniqueness"]["vehicle_id"].isna().all()


@pytest.mark.parametrize("given", ["plate_read", "plate_key", "key_codes"])
def test_reads_without_a_plate_count_for_no_plate(given: str) -> None:
    """Plate A read on 0→1 at 07:00 and 1→2 at 08:00 (vehicle 0), plate B on 3→0 at 07:00 and 09:00 (vehicle 1),
    and two reads of vehicle 1 with no plate (on 0→1 at 07:00, A's point, and 2→3 at 10:00): those are no plate's,
    so 2 plates of 2 points each, none shared: U(1) = U(2) = 1, nobody has 3 points, and only A and B are listed.
    The same whether the missing plate is in the reads, in the keys, or a code -1 (each read its own sighting)."""
    rows = [("A", 0, (0, 1), 0, 7), ("A", 0, (1, 2), 0, 8), ("B", 1, (3, 0), 0, 7), ("B", 1, (3, 0), 0, 9),
            (None, 1, (0, 1), 0, 7), (None, 1, (2, 3), 0, 10)]
    reads = reads_of(rows).astype({"plate_read": object})
    how = {"plate_read": {}, "plate_key": {"plate_key": np.array(["A", "A", "B", "B", None, None], dtype=object)},
           "key_codes": {"key_codes": (np.array([0, 0, 1, 1, -1, -1]), np.array(["A", "B"], dtype=object)),
                         "sighting": np.arange(6)}}[given]
    m, tables = person_metrics(reads, homes([2, 2]), NET, 1, np.random.default_rng(0), **how)
    assert (m["uniqueness_n_plates"], m["uniqueness_k1"], m["uniqueness_k2"], m["uniqueness_k2_n"]) == (2, 1.0, 1.0, 2)
    assert m["uniqueness_k3"] is None
    assert sorted(tables["vehicle_uniqueness"][["plate", "vehicle_id", "k"]].values.tolist()) == \
        [["A", 0, 1], ["A", 0, 2], ["B", 1, 1], ["B", 1, 2]]


def test_two_days_are_enough_and_one_day_says_why_not():
    """A plate read at 07:00 on 0→1 on days 0 and 1, home at node 2. Over two days its home is guessed (right);
    without the population model there is no work number, and it says why. Over one day neither home nor the
    next camera can be guessed, and each says why."""
    reads = reads_of([("AAA1111", 0, (0, 1), 0, 7), ("AAA1111", 0, (0, 1), 1, 7)])
    two, tables = person_metrics(reads, homes([2]), NET, 2, np.random.default_rng(0))
    assert (two["home_inference_accuracy"], two["home_inference_accuracy_n"]) == (1.0, 1)
    assert two["work_inference_accuracy"] is None and "population" in two["work_inference_accuracy_reason"]
    assert "predictability" in tables
    # one read a day: no transition on the held-out day 1, so no next-camera number, and it says why
    for key in ("next_camera_top1_accuracy", "next_camera_top3_accuracy"):
        assert two[key] is None and two[f"{key}_n"] == 0 and "read twice on the held-out last day (day 1)" in two[
            f"{key}_reason"]
    one, tables = person_metrics(reads, homes([2]), NET, 1, np.random.default_rng(0))
    for key in ("home_inference_accuracy", "work_inference_accuracy", "next_camera_top1_accuracy",
                "next_camera_top3_accuracy"):  # each person number a one-day run cannot give is there, with why
        assert one[key] is None and one[f"{key}_n"] is None and "two or more days" in one[f"{key}_reason"]
    assert "predictability" not in tables


def test_the_next_camera_is_scored_on_the_last_day():
    """One plate on three days: 0→1 at 07:00, then 1→2 at 07:06. The last day is held out: one transition leaves a
    read of it (0→1 → 1→2), and the order-1 model, which saw 0→1 followed by 1→2 on both training days, gets it
    right, in its top 1 and top 3: 1 of 1 (one plate: the Wilson interval of 1 of 1)."""
    rows = [("AAA1111", 0, edge, day, hour) for day in range(3) for edge, hour in (((0, 1), 7), ((1, 2), 7.1))]
    m, tables = person_metrics(reads_of(rows), homes([2]), NET, 3, np.random.default_rng(0))
    assert (m["next_camera_top1_accuracy"], m["next_camera_top3_accuracy"]) == (1.0, 1.0)
    assert m["next_camera_top1_accuracy_n"] == m["next_camera_top3_accuracy_n"] == m["n_transitions_scored"] == 1
    assert m["next_camera_top1_accuracy_ci"] == m["next_camera_top3_accuracy_ci"] == wilson(1, 1)
    row = tables["predictability"].query("model == 'markov1'")
    assert row[["plate", "n_transitions", "top1", "top3"]].values.tolist() == [["AAA1111", 1, 1.0, 1.0]]
