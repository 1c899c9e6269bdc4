"""Smaller metric modules (sim/metrics/crossings.py, evasion.py, quality.py, fleets.py, long_trips.py) against cases
worked out by hand, written to catch the bugs a mutation tester (``benchmarks/mutation.py``) found the other tests let
through: a second line across a network, pairs of nodes drawn, a parked read next to a trip, one wrong match of three,
a moving read of trip 0, a reader of unknown cost. The long-trip cases are not yet scored by mutation.
Every expected value is derived in the docstring or a comment, never with the code's own helpers."""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim.metrics.crossings import line_crossings
from sim.metrics.evasion import camera_free_pairs
from sim.metrics.fleets import fleet_metrics
from sim.metrics.long_trips import long_trip_exposure, trip_gaps
from sim.metrics.quality import misread_matching, trip_split_accuracy
from sim.network import from_graph
from sim.routing import Routes

#: 1.96², the square of the two-sided 95 % normal quantile (Wilson's interval: at a share of 1 over n independent
#: units its lower end is n / (n + z²))
Z2 = 1.959963984540054 ** 2


def road(points, links):
    """A network from ``points`` (node: (x, y) in metres) and two-way ``links`` (a, b, jurisdiction tag) driven at
    36 km/h (10 m/s); each link's length is the straight distance between its ends."""
    g = nx.MultiDiGraph(crs="EPSG:32610")
    for node, (x, y) in points.items():
        g.add_node(node, x=x, y=y)
    for a, b, tag in links:
        length = float(np.hypot(points[b][0] - points[a][0], points[b][1] - points[a][1]))
        for u, v in ((a, b), (b, a)):
            g.add_edge(u, v, length=length, speed_kph=36.0, highway="residential", jurisdiction=tag)
    net = from_graph(g)
    edge = {(int(net.nodes[u]), int(net.nodes[v])): i for i, (u, v) in enumerate(zip(net.edge_u, net.edge_v))}
    return net, edge


def flat(routes, kept=None):
    """Routes from a list of edge lists (``kept``: the trips of a route sample)."""
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in routes])]).astype(np.int64)
    edges = np.array([e for r in routes for e in r], dtype=np.int64)
    return Routes(offsets=offsets, edges=edges, travel_time=np.full(len(routes), 100.0),
                  kept=None if kept is None else np.array(kept))


# --- crossings -------------------------------------------------------------------------------------------------------

def three_sides():
    """West (node 0), middle (1, 2, 4), east (3): two roads across the west line (0-1 and 0-4, tagged "w|m": four
    directions) and one across the east line (2-3, "m|e": two)."""
    points = {0: (0.0, 0.0), 1: (100.0, 0.0), 2: (200.0, 0.0), 3: (300.0, 0.0), 4: (100.0, 100.0)}
    return road(points, [(0, 1, "w|m"), (0, 4, "w|m"), (4, 1, "m"), (1, 2, "m"), (2, 3, "m|e")])


def test_two_lines_name_all_three_sides_the_commonest_line_first():
    """Sides in order of the commonest line ("w|m", four directions) then the new side of the other ("m|e": "e"):
    w, m, e. Three roads, six directions; one watched."""
    net, e = three_sides()
    trips = pd.DataFrame({"trip_id": [1], "vehicle_id": [0]})
    got = line_crossings(net, flat([[e[1, 2], e[2, 3]]]), trips, pd.DataFrame({"trip_id": [1], "edge": [e[2, 3]]}),
                         pd.DataFrame({"n_reads": [1], "route_recall": [0.5]}), watched=np.array([e[2, 3]]))
    assert got["crossing_sides"] == ["w", "m", "e"]
    assert (got["n_crossing_roads"], got["n_crossing_ways"], got["n_crossing_ways_camera_free"]) == (3, 6, 5)
    assert (got["n_trips_crossing"], got["share_trips_crossing"], got["share_crossing_trips_read_crossing"]) == (1, 1.0,
                                                                                                               1.0)


def test_no_trip_across_the_line_is_no_number_with_a_reason():
    """One trip, inside the middle (1 → 2): 0 of 1 kept trips cross; the shares of crossing trips have no
    denominator, so they are None with a reason, not 0. With no route kept, the share crossing is None too."""
    net, e = three_sides()
    trips = pd.DataFrame({"trip_id": [1], "vehicle_id": [0]})
    reads = pd.DataFrame({"trip_id": [1], "edge": [e[1, 2]]})
    table = pd.DataFrame({"n_reads": [1], "route_recall": [1.0]})
    got = line_crossings(net, flat([[e[1, 2]]]), trips, reads, table, watched=np.array([e[1, 2]]))
    assert (got["share_trips_crossing"], got["share_trips_crossing_n"], got["n_trips_crossing"]) == (0.0, 1, 0)
    for key in ("share_crossing_trips_read", "share_crossing_trips_read_crossing", "route_recall_mean_crossing"):
        assert (got[key], got[f"{key}_n"], got[f"{key}_ci"]) == (None, 0, None)
        assert got[f"{key}_reason"]
    none_kept = line_crossings(net, flat([[]], kept=[False]), trips, reads, table, watched=np.array([e[1, 2]]))
    assert none_kept["share_trips_crossing"] is None and none_kept["share_trips_crossing_reason"]


# --- evasion ---------------------------------------------------------------------------------------------------------

def triangle():
    """Nodes 0 (0, 0), 1 (100, 0) and 2 (50, 120): the road 0-1 is 100 m (10 s), the legs 0-2 and 2-1 are
    hypot(50, 120) = 130 m (13 s) each, so the way round by 2 takes 26 s."""
    return road({0: (0.0, 0.0), 1: (100.0, 0.0), 2: (50.0, 120.0)}, [(0, 1, ""), (0, 2, ""), (2, 1, "")])


def test_every_pair_of_different_nodes_is_drawn_and_each_has_a_way_round_the_cameras():
    """Both directions of 0-1 watched. Every pair has a camera-free route: share 1 of 300 pairs, its Wilson interval
    [300 / (300 + z²), 1]. Between 0 and 1 it is the way round (26 s against 10 s: detour 2.6); between any other
    two nodes the direct road (detour 1), and those are 4 of the 6 ordered pairs, so the median detour is 1. 300 draws
    over 3 nodes meet all 6 ordered pairs of different nodes, and never a pair of one node with itself."""
    net, e = triangle()
    got = camera_free_pairs(net, np.array([e[0, 1], e[1, 0]]), np.random.default_rng(7), n_pairs=300)
    (o, d), nodes = (got["origins"], got["destinations"]), net.nodes
    assert set(zip(nodes[o].tolist(), nodes[d].tolist())) == {(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1)}
    assert got["camera_free_pair_share"] == 1.0 and got["camera_free_pair_share_n"] == 300
    assert got["camera_free_pair_share_ci"] == [pytest.approx(300 / (300 + Z2)), 1.0]
    across = np.isin(nodes[o], [0, 1]) & np.isin(nodes[d], [0, 1])
    assert got["fastest_s"][across].tolist() == pytest.approx([10.0] * across.sum())
    assert got["camera_free_s"][across].tolist() == pytest.approx([26.0] * across.sum())
    assert got["camera_free_s"][~across].tolist() == pytest.approx([13.0] * (~across).sum())
    assert got["detour_ratio_median"] == pytest.approx(1.0)


def test_no_camera_free_route_has_no_detour_median():
    """Every road of the triangle watched both ways: no pair has a camera-free route; share 0 of 20 (interval
    [0, z² / (20 + z²)]) and no median detour (None, not a number)."""
    net, e = triangle()
    got = camera_free_pairs(net, np.array(list(e.values())), np.random.default_rng(1), n_pairs=20)
    assert (got["camera_free_pair_share"], got["camera_free_pair_share_n"]) == (0.0, 20)
    assert got["camera_free_pair_share_ci"] == [0.0, pytest.approx(Z2 / (20 + Z2))]
    assert got["detour_ratio_median"] is None and np.isinf(got["camera_free_s"]).all()


# --- fleets ----------------------------------------------------------------------------------------------------------

def test_fleets_count_reads_observations_and_cost_by_hand():
    """Fixed readers c1 (cost 10) and c2 (no kind given: fixed; cost 30); patrol car p1 (mobile, cost 50). Vehicle 0
    departs on trips 0 (t = 0) and 2 (t = 5,000), vehicle 1 on trip 1 (t = 100), vehicle 2 on trip 3 (t = 200).

    ==== ====== ==== ======= ====== =========================================================
    read reader trip vehicle time   what a searcher learns
    ==== ====== ==== ======= ====== =========================================================
    0    c1     0    0       10     pass 0
    1    c1     0    0       11     pass 0 again (one pass logged twice)
    2    c2     1    1       150    pass 1
    3    p1     0    0       30     pass 2 (a moving car: trip 0 is a trip, not "parked")
    4    p1     -1   0       1,000  vehicle 0 parked after trip 0 (1 trip departed by then): stay 1
    5    p1     -1   0       2,000  the same stay: the same observation as read 4
    6    p1     -1   0       5,000  parked when trip 2 departs (2 trips departed at or before): stay 2, a new one
    7    p1     -1   1       50     vehicle 1 before its first trip: stay 0
    ==== ====== ==== ======= ====== =========================================================

    Over 2 days. Fixed: 2 readers, 3 reads (0.75 a reader a day), no parked read, 2 observations, vehicles 0 and 1,
    cost 40: 3,000 / 40 = 75 reads, 50 observations, 50 vehicles per 1,000; trips 0 and 1 of 4 read (0.5), 2 of 3
    vehicles. Mobile: 1 reader, 5 reads (2.5 a day), 4 parked, 4 observations (pass 2; stays 1, 2 of vehicle 0;
    stay 0 of vehicle 1), vehicles 0 and 1, cost 50: 100 reads, 80 observations, 40 vehicles per 1,000; trip 0 only
    of 4 (0.25), 2 of 3 vehicles."""
    layout = pd.DataFrame({"camera_id": ["c1", "c2", "p1"], "kind": ["fixed", None, "mobile"],
                           "cost": [10.0, 30.0, 50.0]})
    trips = pd.DataFrame({"trip_id": [0, 1, 2, 3], "vehicle_id": [0, 1, 0, 2],
                          "depart_s": [0.0, 100.0, 5000.0, 200.0]})
    reads = pd.DataFrame({"camera_id": ["c1", "c1", "c2", "p1", "p1", "p1", "p1", "p1"],
                          "trip_id": [0, 0, 1, 0, -1, -1, -1, -1], "vehicle_id": [0, 0, 1, 0, 0, 0, 0, 1],
                          "time_s": [10.0, 11.0, 150.0, 30.0, 1000.0, 2000.0, 5000.0, 50.0]})
    sighting = np.array([0, 0, 1, 2, 3, 4, 5, 6])  # the parked reads' own sightings do not count
    got = fleet_metrics(reads, trips, layout, 2, sighting=sighting)
    assert sorted(got) == ["fixed", "mobile"]
    fixed, mobile = got["fixed"], got["mobile"]
    assert (fixed["n_readers"], fixed["n_reads"], fixed["n_parked_reads"], fixed["n_observations"]) == (2, 3, 0, 2)
    assert (mobile["n_readers"], mobile["n_reads"], mobile["n_parked_reads"], mobile["n_observations"]) == (1, 5, 4, 4)
    assert (fixed["reads_per_reader_per_day"], mobile["reads_per_reader_per_day"]) == (0.75, 2.5)
    assert (fixed["cost"], mobile["cost"]) == (40.0, 50.0)
    assert [fixed[k] for k in ("reads_per_1000_cost", "observations_per_1000_cost",
                               "vehicles_read_per_1000_cost")] == [75.0, 50.0, 50.0]
    assert [mobile[k] for k in ("reads_per_1000_cost", "observations_per_1000_cost",
                                "vehicles_read_per_1000_cost")] == [100.0, 80.0, 40.0]
    assert (fixed["share_trips_read_ge1"], fixed["share_trips_read_ge1_n"]) == (0.5, 4)
    assert (mobile["share_trips_read_ge1"], mobile["share_trips_read_ge1_n"]) == (0.25, 4)
    for fleet in (fixed, mobile):
        assert (fleet["share_vehicles_read"], fleet["share_vehicles_read_n"]) == (pytest.approx(2 / 3), 3)


def test_a_parked_car_read_at_the_last_moment_stays_in_its_own_stay():
    """Vehicle 0 departs at t = 0 and 600, vehicle 1 at t = 0. Patrol car p reads vehicle 0 parked at 700 and at 1,000
    (the latest time of all): both after its second departure, one stay, one observation, not two; nothing of
    vehicle 1's departure at 0 counts for vehicle 0."""
    trips = pd.DataFrame({"trip_id": [0, 1, 2], "vehicle_id": [0, 0, 1], "depart_s": [0.0, 600.0, 0.0]})
    reads = pd.DataFrame({"camera_id": ["p", "p"], "trip_id": [-1, -1], "vehicle_id": [0, 0],
                          "time_s": [700.0, 1000.0]})
    got = fleet_metrics(reads, trips, pd.DataFrame({"camera_id": ["p"], "kind": ["mobile"]}), 1)["mobile"]
    assert (got["n_reads"], got["n_parked_reads"], got["n_observations"]) == (2, 2, 1)


def test_a_fleet_with_a_reader_of_unknown_cost_has_no_cost():
    """No ``kind`` column: every reader is fixed. c2's cost is unknown, so the fleet's is too (None, not 10), and so
    is every number per unit of cost. Without sightings each read is its own observation: 2; over 1 day, 1 read a
    reader. A layout without a cost column: the same."""
    trips = pd.DataFrame({"trip_id": [0], "vehicle_id": [0], "depart_s": [0.0]})
    reads = pd.DataFrame({"camera_id": ["c1", "c2"], "trip_id": [0, 0], "vehicle_id": [0, 0], "time_s": [1.0, 2.0]})
    for layout in (pd.DataFrame({"camera_id": ["c1", "c2"], "cost": [10.0, None]}),
                   pd.DataFrame({"camera_id": ["c1", "c2"]})):
        got = fleet_metrics(reads, trips, layout, 1)
        assert list(got) == ["fixed"]
        fixed = got["fixed"]
        assert (fixed["n_readers"], fixed["n_reads"], fixed["n_observations"]) == (2, 2, 2)
        assert fixed["reads_per_reader_per_day"] == 1.0
        assert [fixed[k] for k in ("cost", "reads_per_1000_cost", "observations_per_1000_cost",
                                   "vehicles_read_per_1000_cost")] == [None] * 4


# --- quality ---------------------------------------------------------------------------------------------------------

def test_trip_splits_judged_per_plate_with_each_parked_read_its_own_trip():
    """Plate A in time order: two reads of trip 1 put in one reconstruction (right), then two reads of the car parked
    (each its own "trip"), both in a second reconstruction: the step from trip 1 to the first parked read is judged
    new (right); the two parked reads judged one trip (wrong). Plate B: two reads of trip 5 together (right), a new
    trip 7 judged new (right), two reads of trip 7 together (right). A's last read and B's first are not a pair:
    5 of 6 pairs right. The rows are given out of time order; sorting is the metric's job."""
    reads = pd.DataFrame({"time_s": [600.0, 10.0, 0.0, 500.0, 20.0, 100.0, 950.0, 900.0],
                          "trip_id": [-1, 5, 1, -1, 5, 1, 7, 7]})
    recon = SimpleNamespace(plate_key=np.array(list("ABAABABB"), dtype=object),
                            read_recon=np.array([1, 2, 0, 1, 2, 0, 3, 3]))
    got = trip_split_accuracy(reads, recon)
    assert (got["trip_split_accuracy"], got["trip_split_accuracy_n"]) == (pytest.approx(5 / 6), 6)


def test_a_parked_read_before_a_trip_is_another_trip():
    """Plate A is read parked (t = 0), then on trip 1 (t = 100), in two reconstructions: a new trip judged new,
    1 of 1 right."""
    reads = pd.DataFrame({"time_s": [100.0, 0.0], "trip_id": [1, -1]})
    recon = SimpleNamespace(plate_key=np.array(["A", "A"], dtype=object), read_recon=np.array([1, 0]))
    assert trip_split_accuracy(reads, recon)["trip_split_accuracy"] == 1.0


def test_matches_scored_when_one_of_three_moves_is_wrong():
    """Vehicles 0 (AAA1111), 1 (BBB2222), 2 (CCC3333). Read as AAA1111 and AAA1117 (put back on AAA1111), BBB2228
    (put back on BBB2222), CCC3333 (moved onto BBB2222: two cars merged) and CCC3338 (left as read). Misreads:
    AAA1117, BBB2228, CCC3338, 2 of 3 recovered; moves: 3, 1 of them wrong (1/3)."""
    reads = pd.DataFrame({"vehicle_id": [0, 0, 1, 2, 2],
                          "plate_read": ["AAA1111", "AAA1117", "BBB2228", "CCC3333", "CCC3338"]})
    trips = pd.DataFrame({"vehicle_id": [0, 1, 2, 0], "plate": ["AAA1111", "BBB2222", "CCC3333", "AAA1111"]})
    recon = SimpleNamespace(plate_key=np.array(["AAA1111", "AAA1111", "BBB2222", "BBB2222", "CCC3338"], dtype=object))
    got = misread_matching(reads, trips, recon)
    assert (got["n_misreads"], got["share_misreads_recovered"], got["share_misreads_recovered_n"]) == (
        3, pytest.approx(2 / 3), 3)
    assert (got["n_matched"], got["share_matches_wrong"], got["share_matches_wrong_n"]) == (3, pytest.approx(1 / 3), 3)


# --- long trips ------------------------------------------------------------------------------------------------------

def long_drives(kept=None):
    """A straight two-way road through n0 … n4 at x = 0, 1, 3, 6 and 10 km: segments of 1, 2, 3 and 4 km, 100, 200,
    300 and 400 s at 36 km/h. Trip 10 drives n0 → n4 (10 km), trip 11 n4 → n1 (9 km), trip 12 n1 → n3 (5 km: not
    longer than 5 km). Reader A (operator X) reads trip 10 on n1 → n2 twice and a parked car on n0 → n1; reader B
    (operator Y) reads trip 10 on n3 → n4; reader C (operator X) reads trip 12. Trip 11 is never read."""
    net, e = road({n: (x, 0.0) for n, x in enumerate([0.0, 1000.0, 3000.0, 6000.0, 10000.0])},
                  [(n, n + 1, "") for n in range(4)])
    true = [[e[0, 1], e[1, 2], e[2, 3], e[3, 4]], [e[4, 3], e[3, 2], e[2, 1]], [e[1, 2], e[2, 3]]]
    if kept is not None:  # a route sample stores the kept trips' routes only
        true = [r if k else [] for r, k in zip(true, kept)]
    routes = flat(true, kept)
    trips = pd.DataFrame({"trip_id": [10, 11, 12], "vehicle_id": [0, 1, 2]})
    reads = pd.DataFrame({"trip_id": [10, 10, 10, 12, -1], "camera_id": ["A", "A", "B", "C", "A"],
                          "edge": [e[1, 2], e[1, 2], e[3, 4], e[2, 3], e[0, 1]]})
    layout = pd.DataFrame({"camera_id": ["A", "B", "C"], "operator": ["X", "Y", "X"]})
    table = pd.DataFrame({"length_m": [10_000.0, 9_000.0, 5_000.0], "route_recall": [0.4, 0.0, 1.0]})
    return net, e, routes, trips, reads, layout, table


def test_long_trips_gaps_and_operators_by_hand():
    """Trips 10 and 11 are long. Trip 10 is sighted at the middles of n1 → n2 (2 km, 200 s from its start) and
    n3 → n4 (8 km, 800 s) of its 10 km, 1,000 s: stretches of 2, 6 and 2 km, 200, 600 and 200 s; longest 6 km, 10
    min; seen by 2 operators. Trip 11, unread, is one stretch of 9 km, 900 s (15 min), 0 operators. Medians 7.5 km
    and 12.5 min; 1 operator a trip; km covered: the mean of 0.4 and 0 (the view's route recall), 0.2 of 2."""
    net, e, routes, trips, reads, layout, table = long_drives()
    got = long_trip_exposure(trips, routes, reads, layout, table, net, min_km=5)
    assert got["n_trips"] == 2
    assert (got["share_km_covered_mean"], got["share_km_covered_mean_n"]) == (pytest.approx(0.2), 2)
    assert got["longest_gap_km_median"] == pytest.approx(7.5)
    assert got["longest_gap_min_median"] == pytest.approx(12.5)
    assert got["operators_seeing_mean"] == 1.0
    gap = trip_gaps(net, routes.route(0), 0.0, np.array([e[3, 4], e[1, 2]]), np.array([800.0, 200.0]))
    assert gap == {"longest_gap_km": pytest.approx(6.0), "longest_gap_min": pytest.approx(10.0)}
    assert long_trip_exposure(trips, routes, reads, layout, table, net, min_km=10) is None  # none over 10 km


def test_long_trips_of_a_route_sample_are_the_kept_ones():
    """Trip 11's route not kept: trip 10 alone is scored (2 stretches of 2 km and one of 6: 6 km, 10 min; 2
    operators; 0.4 of its km)."""
    net, e, routes, trips, reads, layout, table = long_drives(kept=[True, False, True])
    got = long_trip_exposure(trips, routes, reads, layout, table, net, min_km=5)
    assert (got["n_trips"], got["share_km_covered_mean"], got["operators_seeing_mean"]) == (1, 0.4, 2.0)
    assert (got["longest_gap_km_median"], got["longest_gap_min_median"]) == (pytest.approx(6.0), pytest.approx(10.0))
