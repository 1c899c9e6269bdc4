"""Smaller metric modules (sim/metrics/crossings.py, evasion.py, quality.py, fleets.py, long_trips.py, profile.py,
areas.py, registry.py) against cases worked out by hand, written to catch the bugs a mutation tester
(``benchmarks/mutation.py``) found the other tests let through: a second line across a network, pairs of nodes drawn,
a parked read next to a trip, one wrong match of three, a moving read of trip 0, a reader of unknown cost, a reads
log's gaps, days and traces, areas given by hand (a one-way loop, a patrol car's reader, a route sample, an empty
area), metrics registered here. Every expected value is derived in the docstring or a comment, never with the code's
own helpers."""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim.metrics.areas import area_labels, area_summary, exposure_by_area, volume_concentration
from sim.metrics.crossings import line_crossings
from sim.metrics.evasion import camera_free_pairs
from sim.metrics.fleets import fleet_metrics
from sim.metrics.long_trips import long_trip_exposure, trip_gaps
from sim.metrics.profile import log_profile, reads_per_plate_shares, reads_profile, repeat_gaps_s
from sim.metrics.quality import appearance_codes, misread_matching, trip_split_accuracy
from sim.metrics.registry import METRICS, NotApplicable, RunContext, View, compute, metric
from sim.metrics.trips import summary_metrics
from sim.network import from_graph
from sim.routing import Routes

from conftest import filed_under, two_way_roads

#: 1.96², the square of the two-sided 95 % normal quantile (Wilson's interval: at a share of 1 over n independent
#: units its lower end is n / (n + z²))
Z2 = 1.959963984540054 ** 2


def road(points, links):
    """:func:`conftest.two_way_roads`, with each edge's index by its (u, v) nodes."""
    net = two_way_roads(points, links)
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
    recon = filed_under(list("ABAABABB"), [1, 2, 0, 1, 2, 0, 3, 3])
    got = trip_split_accuracy(reads, recon)
    assert (got["trip_split_accuracy"], got["trip_split_accuracy_n"]) == (pytest.approx(5 / 6), 6)


@pytest.mark.parametrize("seed", range(4))
def test_misread_scores_as_plate_by_plate_comparisons(seed: int) -> None:
    """Plates as text and as numbers, some reads without a plate: the scores equal a read-by-read comparison of
    the plate read, the vehicle's true plate and the key (a missing plate equals nothing)."""
    rng = np.random.default_rng(seed)
    values = np.array(["AB1", "AB2", "AB3", 12, 13], dtype=object)
    n = 80
    vehicle = rng.integers(0, 8, n)
    true = values[rng.integers(0, len(values), 8)]  # (two vehicles may share a plate)
    read = np.where(rng.random(n) < 0.7, true[vehicle], values[rng.integers(0, len(values), n)])
    read[rng.choice(n, 4, replace=False)] = np.nan
    key = np.where(rng.random(n) < 0.6, read, values[rng.integers(0, len(values), n)])
    got = misread_matching(pd.DataFrame({"vehicle_id": vehicle, "plate_read": pd.Series(read, dtype=object)}),
                           pd.DataFrame({"vehicle_id": np.arange(8), "plate": true}), filed_under(list(key)))

    def same(a: object, b: object) -> bool:
        return not (pd.isna(a) or pd.isna(b)) and a == b

    misread = [not same(r, true[v]) for r, v in zip(read, vehicle)]
    moved = [not same(k, r) for k, r in zip(key, read)]
    recovered = [same(k, true[v]) for k, v, m in zip(key, vehicle, misread) if m]
    wrong = [not same(k, true[v]) for k, v, m in zip(key, vehicle, moved) if m]
    assert (got["n_misreads"], got["n_matched"]) == (sum(misread), sum(moved))
    assert got["share_misreads_recovered"] == pytest.approx(np.mean(recovered))
    assert got["share_matches_wrong"] == pytest.approx(np.mean(wrong))


@pytest.mark.parametrize("seed", range(4))
def test_appearance_codes_number_as_pandas_factorize(seed: int) -> None:
    codes = np.random.default_rng(seed).integers(-1, 6, 40)
    assert appearance_codes(codes).tolist() == pd.factorize(pd.Series(codes).replace(-1, np.nan))[0].tolist()


def test_a_parked_read_before_a_trip_is_another_trip():
    """Plate A is read parked (t = 0), then on trip 1 (t = 100), in two reconstructions: a new trip judged new,
    1 of 1 right."""
    reads = pd.DataFrame({"time_s": [100.0, 0.0], "trip_id": [1, -1]})
    recon = filed_under(["A", "A"], [1, 0])
    assert trip_split_accuracy(reads, recon)["trip_split_accuracy"] == 1.0


def test_no_plate_read_twice_has_no_split_accuracy_with_a_reason():
    """Plates A and B read once each, a third read with no plate: no two consecutive reads of one plate, so nothing
    is judged: no share (None, 0 pairs) and the reason written out."""
    reads = pd.DataFrame({"time_s": [0.0, 10.0, 20.0], "trip_id": [1, 2, 2]})
    got = trip_split_accuracy(reads, filed_under(["A", "B", None]))
    assert (got["trip_split_accuracy"], got["trip_split_accuracy_n"]) == (None, 0)
    assert got["trip_split_accuracy_reason"] == "no plate was read twice"


def test_matches_scored_when_one_of_three_moves_is_wrong():
    """Vehicles 0 (AAA1111), 1 (BBB2222), 2 (CCC3333). Read as AAA1111 and AAA1117 (put back on AAA1111), BBB2228
    (put back on BBB2222), CCC3333 (moved onto BBB2222: two cars merged) and CCC3338 (left as read). Misreads:
    AAA1117, BBB2228, CCC3338, 2 of 3 recovered; moves: 3, 1 of them wrong (1/3)."""
    reads = pd.DataFrame({"vehicle_id": [0, 0, 1, 2, 2],
                          "plate_read": ["AAA1111", "AAA1117", "BBB2228", "CCC3333", "CCC3338"]})
    trips = pd.DataFrame({"vehicle_id": [0, 1, 2, 0], "plate": ["AAA1111", "BBB2222", "CCC3333", "AAA1111"]})
    recon = filed_under(["AAA1111", "AAA1111", "BBB2222", "BBB2222", "CCC3338"])
    got = misread_matching(reads, trips, recon)
    assert (got["n_misreads"], got["share_misreads_recovered"], got["share_misreads_recovered_n"]) == (
        3, pytest.approx(2 / 3), 3)
    assert (got["n_matched"], got["share_matches_wrong"], got["share_matches_wrong_n"]) == (3, pytest.approx(1 / 3), 3)


# --- long trips ------------------------------------------------------------------------------------------------------

def long_drives(kept=None):
    """A straight two-way road through n0 … n4 at x = 0, 1, 3, 6 and 10 km: segments of 1, 2, 3 and 4 km, 100, 200,
    300 and 400 s at 36 km/h. Trip 10 drives n0 → n4 (10 km), trip 11 n4 → n1 (9 km), trip 12 n1 → n3 (5 km: not
    longer than 5 km). Reader A (operator X) reads trip 10 on n1 → n2 twice and a parked car on n0 → n1; reader B
    (operator Y) reads trip 10 on n3 → n4; reader C (operator X) reads trip 12 on n2 → n3, and once on n3 → n4, a road
    it does not drive (a read off the route marks no place on it). Trip 11 is never read."""
    net, e = road({n: (x, 0.0) for n, x in enumerate([0.0, 1000.0, 3000.0, 6000.0, 10000.0])},
                  [(n, n + 1, "") for n in range(4)])
    true = [[e[0, 1], e[1, 2], e[2, 3], e[3, 4]], [e[4, 3], e[3, 2], e[2, 1]], [e[1, 2], e[2, 3]]]
    if kept is not None:  # a route sample stores the kept trips' routes only
        true = [r if k else [] for r, k in zip(true, kept)]
    routes = flat(true, kept)
    trips = pd.DataFrame({"trip_id": [10, 11, 12], "vehicle_id": [0, 1, 2]})
    reads = pd.DataFrame({"trip_id": [10, 10, 10, 12, -1, 12], "camera_id": ["A", "A", "B", "C", "A", "C"],
                          "edge": [e[1, 2], e[1, 2], e[3, 4], e[2, 3], e[0, 1], e[3, 4]]})
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


def test_long_trips_just_over_the_threshold():
    """Longer than 4.999 km (4,999 m): trip 12's 5 km too. It drives n1 → n2 → n3 (2 and 3 km, 200 and 300 s) and is
    sighted by reader C (operator X) at the middle of n2 → n3, 3.5 km and 350 s from its start: stretches of 3.5 and
    1.5 km, longest 3.5 km, 35/6 min; its route recall 1. Three long trips: km covered (0.4 + 0 + 1) / 3; longest
    gaps 6, 9 and 3.5 km (median 6), 10, 15 and 35/6 min (median 10); operators (2 + 0 + 1) / 3 = 1."""
    net, e, routes, trips, reads, layout, table = long_drives()
    got = long_trip_exposure(trips, routes, reads, layout, table, net, min_km=4.999)
    assert (got["n_trips"], got["share_km_covered_mean"], got["operators_seeing_mean"]) == (3, pytest.approx(1.4 / 3),
                                                                                            1.0)
    assert (got["longest_gap_km_median"], got["longest_gap_min_median"]) == (pytest.approx(6.0), pytest.approx(10.0))

def test_long_trips_after_the_first_are_placed_along_their_own_route():
    """Trip 10's route not kept, over 4.999 km: trips 11 (9 km, unread: 9 km, 15 min) and 12 (sighted 3.5 km and
    350 s into its 5 km: 3.5 km, 35/6 min, operator X) are scored; each trip's positions count from its own start,
    not from the first long trip's. Medians (9 + 3.5) / 2 = 6.25 km and (15 + 35/6) / 2 = 125/12 min; operators
    (0 + 1) / 2; km covered (0 + 1) / 2."""
    net, e, routes, trips, reads, layout, table = long_drives(kept=[False, True, True])
    got = long_trip_exposure(trips, routes, reads, layout, table, net, min_km=4.999)
    assert (got["n_trips"], got["share_km_covered_mean"], got["operators_seeing_mean"]) == (2, 0.5, 0.5)
    assert (got["longest_gap_km_median"], got["longest_gap_min_median"]) == (pytest.approx(6.25),
                                                                             pytest.approx(125 / 12))

def test_long_trips_one_long_trip_of_one_road_read_off_it():
    """One trip, n3 → n4 (4 km, 400 s: longer than 3.9 km), read once by reader A (operator X) on n4 → n3, a road it
    does not drive: no place on its route is sighted (one stretch of 4 km, 20/3 min); the read still counts its
    operator (1)."""
    net, e, *_ = long_drives()
    trips = pd.DataFrame({"trip_id": [20], "vehicle_id": [0]})
    table = pd.DataFrame({"length_m": [4000.0], "route_recall": [0.0]})
    reads = pd.DataFrame({"trip_id": [20], "camera_id": ["A"], "edge": [e[4, 3]]})
    layout = pd.DataFrame({"camera_id": ["A"], "operator": ["X"]})
    got = long_trip_exposure(trips, flat([[e[3, 4]]]), reads, layout, table, net, min_km=3.9)
    assert (got["n_trips"], got["share_km_covered_mean"], got["operators_seeing_mean"]) == (1, 0.0, 1.0)
    assert (got["longest_gap_km_median"], got["longest_gap_min_median"]) == (pytest.approx(4.0), pytest.approx(20 / 3))

def test_long_trips_are_longer_than_5_km_unless_told():
    """The trip summary's default threshold is 5 km: of trips of 5,000 and 5,500 m, one read, the long one (5.5 km)
    is the only long trip, and it was read: 1 of 1."""
    table = pd.DataFrame({"n_sightings": [0, 1], "length_m": [5000.0, 5500.0], "route_recall": [0.0, 0.5],
                          "route_precision": [np.nan, 1.0], "od_error_m": [np.nan, 0.0],
                          "origin_error_m": [np.nan, 0.0], "destination_error_m": [np.nan, 0.0],
                          "start_lag_s": [np.nan, 0.0], "end_lag_s": [np.nan, 0.0]})
    trips = pd.DataFrame({"vehicle_id": [0, 1], "depart_s": [0.0, 0.0]})
    got = summary_metrics(table, pd.DataFrame({"plate_read": ["A"]}), trips, 1, 1)
    assert (got["long_trip_km"], got["share_long_trips_read"], got["share_long_trips_read_n"]) == (5.0, 1.0, 1)

def test_long_trips_of_a_route_sample_are_the_kept_ones():
    """Trip 11's route not kept: trip 10 alone is scored (2 stretches of 2 km and one of 6: 6 km, 10 min; 2
    operators; 0.4 of its km)."""
    net, e, routes, trips, reads, layout, table = long_drives(kept=[True, False, True])
    got = long_trip_exposure(trips, routes, reads, layout, table, net, min_km=5)
    assert (got["n_trips"], got["share_km_covered_mean"], got["operators_seeing_mean"]) == (1, 0.4, 2.0)
    assert (got["longest_gap_km_median"], got["longest_gap_min_median"]) == (pytest.approx(6.0), pytest.approx(10.0))



def test_long_trips_gaps_of_one_drive_at_each_end():
    """n0 → n1 → n2 → n3 along x = 0, 1, 3, 6 km: edges of 1, 2 and 3 km, 100, 200 and 300 s at 36 km/h. A sighting
    sits at the middle of its edge: n0 → n1 at 0.5 km, 50 s; n2 → n3 at 4.5 km, 450 s. Sighted on the first edge
    only: stretches 0.5 and 5.5 km (the last the longest: 5.5 km, 550 s = 9 1/6 min); on the last only: 4.5 and 1.5
    km (the first the longest: 4.5 km, 7.5 min); on both (given last first, with an edge off the route, ignored):
    0.5, 4 and 1.5 km, 50, 400 and 150 s: 4 km, 6 2/3 min; on none: the whole drive, 6 km, 10 min."""
    net, e = road({0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (3000.0, 0.0), 3: (6000.0, 0.0)},
                  [(0, 1, ""), (1, 2, ""), (2, 3, "")])
    route = np.array([e[0, 1], e[1, 2], e[2, 3]])

    def gap(*edges):
        got = trip_gaps(net, route, 0.0, np.array(edges, dtype=np.int64), np.zeros(len(edges)))
        return got["longest_gap_km"], got["longest_gap_min"]

    assert gap(e[0, 1]) == (pytest.approx(5.5), pytest.approx(550 / 60))
    assert gap(e[2, 3]) == (pytest.approx(4.5), pytest.approx(7.5))
    assert gap(e[2, 3], e[0, 1], e[1, 0]) == (pytest.approx(4.0), pytest.approx(400 / 60))
    assert gap() == (pytest.approx(6.0), pytest.approx(10.0))

# --- profile ---------------------------------------------------------------------------------------------------------

def test_profile_of_a_reads_log_by_hand():
    """Plate A read 5 times at cameras c1 … c5, at 0, 60, 180, 420 s and 90,000 s (day 1); B once (c6, 3,600 s);
    C at c7 and c8 at 7,200 and 7,500 s, D at c7 and c8 at 7,210 and 7,810 s (both in hour 2: C's two points are
    D's). Rows out of time order. 10 reads, 4 plates, 2.5 reads a plate; read once: B (1 of 4); read 1, 2 and 5
    times: 1, 2 and 1 of 4 plates; on two days: A (1 of 4).
    Gaps per plate in time order: A 60, 120, 240, 89,580 s; C 300; D 600. Pooled and sorted: 60, 120, 240, 300,
    600, 89,580 (n = 6): median (240 + 300) / 2 = 270 s = 0.075 h; 10th percentile at position 0.5, 60 + 30 = 90 s
    = 0.025 h; 90th at position 4.5, 600 + (89,580 − 600) / 2 = 45,090 s = 12.525 h.
    Uniqueness: A's points are its own (any k of them single it out), as is B's one; every point of C is D's and
    the other way round. k = 1: A, B unique, C, D not: 2 of 4; k = 2 (plates of ≥ 2 points): A of A, C, D, 1 of 3;
    k = 3, 4, 5: A only, 1 of 1."""
    rows = [("A", 420.0, "c4"), ("C", 7500.0, "c8"), ("A", 0.0, "c1"), ("D", 7810.0, "c8"), ("A", 90_000.0, "c5"),
            ("B", 3600.0, "c6"), ("A", 180.0, "c3"), ("C", 7200.0, "c7"), ("D", 7210.0, "c7"), ("A", 60.0, "c2")]
    reads = pd.DataFrame(rows, columns=["plate_read", "time_s", "camera_id"])
    got = reads_profile(reads, rng=np.random.default_rng(0))
    assert (got["n_reads"], got["n_plates"], got["share_plates_read_once"], got["reads_per_plate_mean"]) == \
        (10, 4, 0.25, 2.5)
    assert got["reads_per_plate_shares"] == {"1": 0.25, "2": 0.5, "5": 0.25}
    assert got["share_plates_seen_on_2plus_days"] == 0.25
    assert (got["repeat_gap_h_median"], got["repeat_gap_h_p10"], got["repeat_gap_h_p90"]) == \
        (pytest.approx(0.075), pytest.approx(0.025), pytest.approx(12.525))
    assert {k: v for k, v in got.items() if k.startswith("uniqueness") and k[-1].isdigit()} == {
        "uniqueness_k1": 0.5, "uniqueness_k2": pytest.approx(1 / 3), "uniqueness_k3": 1.0, "uniqueness_k4": 1.0,
        "uniqueness_k5": 1.0}
    # each share out of the plates it was drawn for (4; 3 with two points or more; 1 with three or more) and
    # plates read once or on two days out of all 4
    assert [got[f"uniqueness_k{k}_n"] for k in range(1, 6)] == [4, 3, 1, 1, 1]
    assert (got["share_plates_read_once_n"], got["share_plates_seen_on_2plus_days_n"]) == (4, 4)
    assert got["uniqueness_ci"]["k2"] == got["uniqueness_k2_ci"] and got["uniqueness_k2_ci"][0] < 1 / 3
    assert repeat_gaps_s(reads).tolist() == [60.0, 120.0, 240.0, 89_580.0, 300.0, 600.0]  # plate, then time order


def test_profile_place_column_and_a_log_without_repeats():
    """``place`` names the column of points: with sites where A's two cameras are one site s (both reads in hour 0),
    A has one point, the same as B's (site s, hour 0): k = 1 scores A and B, neither unique (0 of 2). One read per
    plate: no repeat gap (None, not 0), every plate read once (1.0), none on two days (0.0)."""
    reads = pd.DataFrame({"plate_read": ["A", "B"], "time_s": [10.0, 20.0], "camera_id": ["c1", "c2"],
                          "site": ["s", "s"]})
    got = reads_profile(reads, place="site", rng=np.random.default_rng(0))
    assert got["uniqueness_k1"] == 0.0 and got["uniqueness_k2"] is None
    assert reads_profile(reads, rng=np.random.default_rng(0))["uniqueness_k1"] == 1.0  # by camera: both unique
    assert (got["repeat_gap_h_median"], got["repeat_gap_h_p10"], got["repeat_gap_h_p90"]) == (None, None, None)
    assert got["repeat_gap_h_median_reason"] == "no plate was sighted twice"  # (a null says why)
    assert (got["share_plates_read_once"], got["share_plates_seen_on_2plus_days"]) == (1.0, 0.0)


def test_profile_a_read_before_midnight_of_the_start_is_on_the_day_before():
    """A plate read 10 s before the start (day −1) and 10 s after (day 0) is seen on two days; another read at 10 s
    and 20 s on one: 1 of 2."""
    reads = pd.DataFrame({"plate_read": ["A", "A", "B", "B"], "time_s": [-10.0, 10.0, 10.0, 20.0],
                          "camera_id": ["c1", "c2", "c3", "c4"]})
    assert reads_profile(reads, rng=np.random.default_rng(0))["share_plates_seen_on_2plus_days"] == 0.5

def test_profile_reads_per_plate_pools_ten_and_more():
    """Plates read 1, 9, 10 and 12 times: a quarter each read 1 and 9 times; 10 and 12 pool as "10+" (half). With
    ``top = 3``: 1 (a quarter) and "3+" (three quarters). No reads: no shares."""
    counts = {"A": 1, "B": 9, "C": 10, "D": 12}
    reads = pd.DataFrame({"plate_read": [p for p, n in counts.items() for _ in range(n)]})
    assert reads_per_plate_shares(reads) == {"1": 0.25, "9": 0.25, "10+": 0.5}
    assert reads_per_plate_shares(reads, top=3) == {"1": 0.25, "3+": 0.75}
    assert reads_per_plate_shares(reads.iloc[:0]) == {}


def test_profile_log_by_hand():
    """Camera c reads A at −10 s (day −1) and 10 s (day 0), B at 86,400 s (exactly the start of day 1); camera d
    reads B at 100 and 200 s, C at 300 s, D at 400 s and E at 500 s (day 0). Reads per reader and day: c on days −1,
    0, 1 once each, d on day 0 five times: 1, 1, 1, 5; from a half sample, 2, 2, 2, 10. Plates read 2, 3, 1, 1 and 1
    times: 3 of 5 read once, 1 of 5 twice, 1 of 5 three times. Gaps: A 20 s; B (100, 200, 86,400 s) 100 and 86,200 s;
    in plate order."""
    reads = pd.DataFrame({"plate_read": ["B", "A", "C", "B", "A", "B", "D", "E"],
                          "time_s": [86_400.0, 10.0, 300.0, 200.0, -10.0, 100.0, 400.0, 500.0],
                          "camera_id": ["c", "c", "d", "d", "c", "d", "d", "d"]})
    got = log_profile(reads, sample_share=0.5)
    assert sorted(got["reader_days"].tolist()) == [2.0, 2.0, 2.0, 10.0]
    assert got["share_plates_read_once"] == 0.6
    assert got["reads_per_plate_shares"] == {"1": 0.6, "2": 0.2, "3": 0.2}
    assert got["repeat_gaps_s"].tolist() == [20.0, 100.0, 86_200.0]
    assert sorted(log_profile(reads)["reader_days"].tolist()) == [1.0, 1.0, 1.0, 5.0]


# --- areas -----------------------------------------------------------------------------------------------------------

def areas_net():
    """Two-way roads n0 – n1 – n2 – n3 along x = 0, 1, 2, 3 km (y = 0), and a one-way loop n3 → n4 → n2 with n4 at
    (3, 0.75) km: 750 and 1,250 m (a 3-4-5 triangle). At 36 km/h."""
    points = {0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (2000.0, 0.0), 3: (3000.0, 0.0), 4: (3000.0, 750.0)}
    g = nx.MultiDiGraph(crs="EPSG:32610")
    for node, (x, y) in points.items():
        g.add_node(node, x=x, y=y)
    for u, v in [(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (4, 2)]:
        length = float(np.hypot(points[v][0] - points[u][0], points[v][1] - points[u][1]))
        g.add_edge(u, v, length=length, speed_kph=36.0, highway="residential")
    net = from_graph(g)
    edge = {(int(net.nodes[u]), int(net.nodes[v])): i for i, (u, v) in enumerate(zip(net.edge_u, net.edge_v))}
    return net, edge


def areas_case(kept=None):
    """Areas given by hand: "core" holds n0, n1, n2 and the roads n0 – n1 – n2; "ring" n3, n4, the road n2 – n3 and
    the loop; "empty" nothing. Fixed cameras on n0 → n1, n1 → n2 and n2 → n3, a patrol car's reader (mobile) on
    n3 → n4. Vehicle 0 drives trip 0 (leaving at 100 s from n0: n0 → n1 → n2 → n3) and, first, trip 1 (at 50 s from
    n3: n3 → n4); vehicle 1 trip 2 (at 0 s from n2: n2 → n1); vehicle 2 trip 3 (at 10 s from n3: n3 → n2). Reads:
    vehicle 0 on n0 → n1, n1 → n2, n2 → n3 and n3 → n4 (the patrol car); vehicle 2 on n3 → n2 (the patrol car)."""
    net, e = areas_net()
    node_area = np.array(["core"] * 5, dtype=object)
    node_area[[int(net.node_index(n)) for n in (3, 4)]] = "ring"
    edge_area = np.array(["core"] * net.n_edges, dtype=object)
    edge_area[[e[2, 3], e[3, 2], e[3, 4], e[4, 2]]] = "ring"
    layout = pd.DataFrame({"camera_id": ["a", "b", "c", "m"], "u": [0, 1, 2, 3], "v": [1, 2, 3, 4], "key": 0,
                           "kind": ["fixed", None, "fixed", "mobile"]})
    true = [[e[0, 1], e[1, 2], e[2, 3]], [e[3, 4]], [e[2, 1]], [e[3, 2]]]
    if kept is not None:
        true = [r if k else [] for r, k in zip(true, kept)]
    trips = pd.DataFrame({"trip_id": [0, 1, 2, 3], "vehicle_id": [0, 0, 1, 2], "depart_s": [100.0, 50.0, 0.0, 10.0],
                          "origin": [0, 3, 2, 3]})
    reads = pd.DataFrame({"vehicle_id": [0, 0, 0, 0, 2], "edge": [e[0, 1], e[1, 2], e[2, 3], e[3, 4], e[3, 2]]})
    trip_table = pd.DataFrame({"n_reads": [3, 1, 0, 1]})
    unique = pd.DataFrame({"vehicle_id": [0, 1, 2], "unique": [True, False, False]})
    return dict(net=net, node_area=node_area, edge_area=edge_area, names=["core", "ring", "empty"], layout=layout,
                trips=trips, routes=flat(true, kept), reads=reads, trip_table=trip_table, n_days=2, unique=unique)


def road_outside(case: dict, road: tuple[int, int]) -> dict:
    """``case`` with the road ``road`` (node ids, u → v) given the area "outside", which is not listed."""
    net = case["net"]
    on_road = [i for i, (u, v) in enumerate(zip(net.edge_u, net.edge_v))
               if (int(net.nodes[u]), int(net.nodes[v])) == road]
    case["edge_area"] = case["edge_area"].copy()
    case["edge_area"][on_road] = "outside"
    return case


def test_areas_exposure_by_hand():
    """Road km: a two-way road counts half of each direction, a one-way road whole: core 4 × 500 m = 2 km; ring
    2 × 500 + 750 + 1,250 m = 3 km. Fixed cameras (the patrol car's reader is not one; a camera without a kind is
    fixed): core 2 (10 per 10 km), ring 1 (10/3). Driving: core vehicles 0 and 1, ring 0 and 2; observed (read
    there): core 0 (1 of 2), ring 0 and 2 (2 of 2); reads: core 2 (1 a vehicle driving), ring 3 (1.5).
    Homes (the origin of each vehicle's first trip by time): vehicle 0 from n3 (trip 1 leaves first): ring;
    vehicle 1 core; vehicle 2 ring. Residents: core 1, ring 2. Their trips read: core 0 of 1, ring 3 of 3. Their
    reads per vehicle per day over 2 days: core 0, ring 5 / 2 / 2 = 1.25. Uniqueness: core 0 (vehicle 1), ring
    1 of 2. Wilson at 1 of 2: [0.5 − h, 0.5 + h] with h = z/(1 + z²/2)·√(1/8 + z²/16) = 0.40547; at 2 of 2:
    [2/(2 + z²), 1]. The empty area: zeros, and no share (NaN; interval None)."""
    table = exposure_by_area(**areas_case()).set_index("area")
    assert table.index.tolist() == ["core", "ring", "empty"]
    core, ring, empty = (table.loc[a] for a in ("core", "ring", "empty"))
    assert (core["road_km"], ring["road_km"], empty["road_km"]) == (pytest.approx(2.0), pytest.approx(3.0), 0.0)
    assert table["n_cameras"].tolist() == [2, 1, 0]
    assert (core["cameras_per_10_road_km"], ring["cameras_per_10_road_km"]) == (pytest.approx(10.0),
                                                                              pytest.approx(10 / 3))
    assert table["n_vehicles_driving"].tolist() == [2, 2, 0] and table["n_vehicles_observed"].tolist() == [1, 2, 0]
    assert (core["share_vehicles_observed"], ring["share_vehicles_observed"]) == (0.5, 1.0)
    assert table["share_vehicles_observed_n"].tolist() == [2, 2, 0]
    h = np.sqrt(Z2) / (1 + Z2 / 2) * np.sqrt(1 / 8 + Z2 / 16)  # 0.40547
    assert core["share_vehicles_observed_ci"] == [pytest.approx(0.5 - h), pytest.approx(0.5 + h)]
    assert ring["share_vehicles_observed_ci"] == [pytest.approx(2 / (2 + Z2)), 1.0]
    assert (core["reads_per_vehicle_driving"], ring["reads_per_vehicle_driving"]) == (1.0, 1.5)
    assert table["n_residents"].tolist() == [1, 2, 0]
    assert (core["resident_share_trips_read"], ring["resident_share_trips_read"]) == (0.0, 1.0)
    assert table["resident_share_trips_read_n"].tolist() == [1, 3, 0]
    assert core["resident_share_trips_read_ci"] is not None and empty["resident_share_trips_read_ci"] is None
    assert (core["resident_reads_per_vehicle_per_day"], ring["resident_reads_per_vehicle_per_day"]) == (0.0, 1.25)
    assert (core["resident_uniqueness"], ring["resident_uniqueness"]) == (0.0, 0.5)
    assert empty["share_vehicles_observed_ci"] is None
    for column in ("cameras_per_10_road_km", "share_vehicles_observed", "reads_per_vehicle_driving",
                   "resident_share_trips_read", "resident_reads_per_vehicle_per_day", "resident_uniqueness"):
        assert np.isnan(empty[column]), column


def test_areas_of_a_route_sample_compare_the_samples_vehicles():
    """Trip 3 (vehicle 2's only) not in the route sample: the ring is driven by vehicle 0 only, and only its reads
    there count: observed 1 of 1, 2 reads a vehicle. The resident columns count every vehicle (ring: 5 reads / 2
    vehicles / 2 days). Without uniqueness rows, no uniqueness."""
    case = areas_case(kept=[True, True, True, False]) | {"unique": None}
    table = exposure_by_area(**case).set_index("area")
    assert table["n_vehicles_driving"].tolist() == [2, 1, 0] and table["n_vehicles_observed"].tolist() == [1, 1, 0]
    assert table.loc["ring", "reads_per_vehicle_driving"] == 2.0
    assert table.loc["ring", "resident_reads_per_vehicle_per_day"] == 1.25
    assert table["resident_uniqueness"].isna().all()
    # no reads at all: nobody observed, 0 reads a vehicle driving and a resident a day where anyone drives or lives
    case["reads"] = case["reads"].iloc[:0]
    table = exposure_by_area(**case).set_index("area")
    assert table["n_vehicles_observed"].tolist() == [0, 0, 0]
    assert table.loc[["core", "ring"], "reads_per_vehicle_driving"].tolist() == [0.0, 0.0]
    assert table.loc[["core", "ring"], "resident_reads_per_vehicle_per_day"].tolist() == [0.0, 0.0]


def test_areas_roads_outside_every_area_count_nowhere():
    """The road n2 → n1 (vehicle 1's only drive) given an area not listed ("outside"): nobody drives it in a listed
    area, so the core is driven by vehicle 0 alone (1), the empty area by nobody (0), and the core's road is 1.5 km
    (n2 → n1's 500 m gone)."""
    table = exposure_by_area(**road_outside(areas_case(), (2, 1))).set_index("area")
    assert table["n_vehicles_driving"].tolist() == [1, 2, 0]
    assert table.loc["core", "road_km"] == pytest.approx(1.5)


def test_areas_of_a_route_sample_count_reads_outside_every_area_nowhere():
    """The route sample without trip 3 (vehicle 2's), and the road n0 → n1 (vehicle 0's first read) given an area
    not listed ("outside"): that read counts in no area. Core: driven by vehicles 0 and 1, observed by vehicle 0
    (its read on n1 → n2), 1 read: 1 of 2, 0.5 reads a vehicle driving. Ring: driven and observed by vehicle 0
    alone, its 2 reads there (n2 → n3, n3 → n4); vehicle 2's read (n3 → n2) is outside the sample."""
    table = exposure_by_area(**road_outside(areas_case(kept=[True, True, True, False]), (0, 1))).set_index("area")
    assert table["n_vehicles_driving"].tolist() == [2, 1, 0] and table["n_vehicles_observed"].tolist() == [1, 1, 0]
    assert table.loc[["core", "ring"], "reads_per_vehicle_driving"].tolist() == [0.5, 2.0]


def test_areas_summary_gaps_core_minus_periphery():
    """Rings core, ring: core − periphery of the share of vehicles observed 0.5 − 1 = −0.5, of residents' trips read
    0 − 1 = −1. With the empty area last, the periphery has no share: the gaps are None, as are its NaNs. By
    jurisdiction, or with one area, no gap."""
    table = exposure_by_area(**areas_case())
    two = area_summary(table.iloc[:2], "rings")
    assert (two["how"], two["core_minus_periphery_share_vehicles_observed"],
            two["core_minus_periphery_resident_share_trips_read"]) == ("rings", -0.5, -1.0)
    assert two["areas"]["ring"]["n_residents"] == 2 and two["areas"]["core"]["resident_uniqueness"] == 0.0
    assert list(two["areas"]) == ["core", "ring"] and list(two["areas"]["core"]) == [
        "road_km", "n_cameras", "cameras_per_10_road_km", "n_vehicles_driving", "n_vehicles_observed",
        "share_vehicles_observed", "share_vehicles_observed_n", "share_vehicles_observed_ci",
        "reads_per_vehicle_driving", "n_residents", "resident_share_trips_read", "resident_share_trips_read_n",
        "resident_share_trips_read_ci", "resident_reads_per_vehicle_per_day", "resident_uniqueness"]
    three = area_summary(table, "rings")
    assert three["core_minus_periphery_share_vehicles_observed"] is None
    assert three["core_minus_periphery_resident_share_trips_read"] is None
    # (a null says why: helper-41)
    assert three["core_minus_periphery_share_vehicles_observed_reason"] == ("no vehicle drove in the last ring "
                                                                            "(core, empty)")
    assert three["core_minus_periphery_resident_share_trips_read_reason"] == ("no resident lives in the last ring "
                                                                              "(core, empty)")
    assert three["areas"]["empty"]["share_vehicles_observed"] is None and three["areas"]["empty"]["road_km"] == 0.0
    assert set(area_summary(table.iloc[:2], "jurisdiction")) == {"how", "areas"}
    assert set(area_summary(table.iloc[:1], "rings")) == {"how", "areas"}


def test_areas_rings_and_jurisdictions_by_hand():
    """Nodes at x = 0, 1, 2, 3 km on y = 1 km; roads n0 – n1 and n1 – n2 in "a", n2 – n3 in "b". Rings of 1 km around
    (0, 1 km): nodes at 0, 1, 2, 3 km (a node exactly 1 km away is in the second ring), edge midpoints at 0.5, 1.5,
    2.5 km; ceil(3) = 4 rings. Without a width, 3 rings to the farthest node, each a billionth wider than 1 km so that
    the farthest (3 km) is inside the last: the nodes at 1 and 2 km fall in the first and second. By default, around
    the middle of the box (1.5, 1) km, 5 rings of 1.5/5 = 0.3 km: nodes at 1.5, 0.5, 0.5, 1.5 km in rings 5, 2, 2,
    5; edge midpoints at 1, 0 and 1 km in rings 4, 1, 4. By jurisdiction: n0, n1 "a", n3 "b"."""
    net, e = road({n: (1000.0 * n, 1000.0) for n in range(4)}, [(0, 1, "a"), (1, 2, "a"), (2, 3, "b")])
    at = [int(net.node_index(n)) for n in range(4)]
    nodes, edges, names = area_labels(net, "rings", center=(0.0, 1000.0), ring_km=1.0)
    assert names == ["0–1 km", "1–2 km", "2–3 km", "3–4 km"]
    assert nodes[at].tolist() == names
    assert [edges[e[0, 1]], edges[e[2, 1]], edges[e[3, 2]]] == names[:3]
    nodes, edges, names = area_labels(net, "rings", center=(0.0, 1000.0), rings=3)
    assert names == ["0–1 km", "1–2 km", "2–3 km"] and nodes[at].tolist() == ["0–1 km", "0–1 km", "1–2 km", "2–3 km"]
    nodes, edges, names = area_labels(net, "rings")
    assert names == ["0–0.3 km", "0.3–0.6 km", "0.6–0.9 km", "0.9–1.2 km", "1.2–1.5 km"]
    assert nodes[at].tolist() == [names[4], names[1], names[1], names[4]]
    assert [edges[e[0, 1]], edges[e[1, 2]], edges[e[2, 3]], edges[e[3, 2]]] == [names[3], names[0], names[3], names[3]]
    nodes, edges, names = area_labels(net, "jurisdiction")
    assert names == ["a", "b"] and [nodes[at[0]], nodes[at[1]], nodes[at[3]]] == ["a", "a", "b"]
    assert [edges[e[0, 1]], edges[e[2, 3]], edges[e[3, 2]]] == ["a", "b", "b"]
    with pytest.raises(ValueError, match="^areas must be 'rings' or 'jurisdiction', got 'zones'$"):
        area_labels(net, "zones")
    # rings of 10 km: the whole network (3 km) in one ring
    nodes, edges, names = area_labels(net, "rings", center=(0.0, 1000.0), ring_km=10.0)
    assert names == ["0–10 km"] and set(nodes) == set(edges) == {"0–10 km"}


def test_areas_a_jurisdiction_of_roads_only_is_an_area():
    """A triangle n0, n1, n2 whose roads n0 – n1 and n0 – n2 are in "a" and n1 – n2 in "c": each node has a road of
    "a" first (n1's first road leads back to n0, n2's too), so no node is in "c", yet "c" is an area (its road)."""
    net, e = road({0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (0.0, 1000.0)}, [(0, 1, "a"), (0, 2, "a"), (1, 2, "c")])
    nodes, edges, names = area_labels(net, "jurisdiction")
    assert names == ["a", "c"] and edges[e[1, 2]] == edges[e[2, 1]] == "c"


def test_areas_volume_concentration_by_hand():
    """Volumes 1, 2, 3, 10, 4 on links of 1, 1, 1, 1, 2 km: 24 vehicle-km. The busiest tenth of 5 links rounds to 0,
    at least 1: the link of 10, 10/24; the busiest 40 % (2 links: 10 and 4) 18/24. Gini: the pairs' differences
    1+2+3+9+1+2+8+1+7+6 = 40, twice over 2 n² mean = 2 · 25 · 4: 0.4. No traffic: 0 and 0."""
    volume, length = np.array([1.0, 2.0, 3.0, 10.0, 4.0]), np.array([1.0, 1.0, 1.0, 1.0, 2.0])
    assert volume_concentration(volume, length) == {"share_vkm_top": pytest.approx(10 / 24), "gini": pytest.approx(0.4)}
    assert volume_concentration(volume, length, top=0.4)["share_vkm_top"] == pytest.approx(0.75)
    assert volume_concentration(np.zeros(3), np.ones(3)) == {"share_vkm_top": 0.0, "gini": 0.0}


# --- registry --------------------------------------------------------------------------------------------------------

def test_registry_computes_a_scopes_metrics_in_order_with_reasons_and_tables():
    """Five metrics registered here: "a" (run, agency) draws one number from its own stream; "b" (run) reports what
    "a" gave before it; "n" (run) cannot be computed; "c" (what-if) returns a table too; "d" (run) comes last. The
    run scope gives a, b, n (None with its reason) and d, in that order, and no new table; the what-if scope c and its
    table, added to the view's; the agency scope a alone, with the same draw (each metric's stream depends on the
    seed and its name only)."""
    from sim.seeds import named_rng

    names = ("test_registry_a", "test_registry_b", "test_registry_n", "test_registry_c", "test_registry_d")
    try:
        @metric("test_registry_a", "run", "agency")
        def _a(run, view, rng, done):
            return {"a": int(rng.integers(1_000_000))}

        @metric("test_registry_b", "run")
        def _b(run, view, rng, done):
            return {"b_saw": dict(done)}

        @metric("test_registry_n", "run")
        def _n(run, view, rng, done):
            raise NotApplicable("no n in this run")

        @metric("test_registry_c", "what_if")
        def _c(run, view, rng, done):
            return {"c": 2}, {"c_table": pd.DataFrame({"x": [1]})}

        @metric("test_registry_d", "run")
        def _d(run, view, rng, done):
            return {"d": 4}

        run = RunContext(SimpleNamespace(seed=3), None, pd.DataFrame({"camera_id": []}), None, None, None, 1)
        view = View("all", pd.DataFrame(), None, None, tables={"before": pd.DataFrame()})
        draw = int(named_rng(3, "metric", "test_registry_a").integers(1_000_000))
        out, tables = compute(run, view, "run", only=set(names))
        assert out == {"a": draw, "b_saw": {"a": draw}, "test_registry_n": None,
                       "test_registry_n_reason": "no n in this run", "d": 4}
        assert list(out) == ["a", "b_saw", "test_registry_n", "test_registry_n_reason", "d"]
        assert list(tables) == ["before"]
        out, tables = compute(run, view, "what_if", only=set(names))
        assert out == {"c": 2} and list(tables) == list(view.tables) == ["before", "c_table"]
        other = View("police", pd.DataFrame(), None, None)
        assert compute(run, other, "agency", only=set(names)) == ({"a": draw}, {})
    finally:
        for name in names:
            METRICS.pop(name, None)


def test_registry_refuses_a_metric_name_twice():
    """Registering a name twice is refused with the name; the decorator hands back the function itself."""
    def f(run, view, rng, done):
        return {}

    try:
        assert metric("test_registry_twice", "run")(f) is f
        assert METRICS["test_registry_twice"].scopes == frozenset({"run"})
        with pytest.raises(ValueError, match="^metric 'test_registry_twice' registered twice$"):
            metric("test_registry_twice", "agency")(f)
        assert METRICS["test_registry_twice"].function is f and METRICS["test_registry_twice"].scopes == {"run"}
    finally:
        METRICS.pop("test_registry_twice", None)


def test_registry_run_context_readers_rows_and_long_routes():
    """Readers a (fixed), b (no kind: fixed), c (mobile): fixed a, b. Without a kind column every reader is fixed. Reads
    by c, by z (not in the layout) and by a: rows 2, −1, 0. The long trips of :func:`long_drives` at the scenario's
    5 km: trips 10 and 11 (rows 0 and 1), 10 and 9 km. A context made with the truth only has no persons, calibration
    or volume."""
    net, e, routes, trips, reads, layout, table = long_drives()
    scenario = SimpleNamespace(seed=0, metrics=SimpleNamespace(long_trip_km=5.0))
    layout = pd.DataFrame({"camera_id": ["a", "b", "c"], "kind": ["fixed", None, "mobile"]})
    reads = pd.DataFrame({"camera_id": ["c", "z", "a"]})
    run = RunContext(scenario, net, layout, trips.assign(length_m=table["length_m"]), routes, reads, 1)
    assert run.fixed.tolist() == [True, True, False] and run.camera_row.tolist() == [2, -1, 0]
    assert (run.persons, run.calibration, run.volume) == (None, None, None)
    assert run.long_routes.rows.tolist() == [0, 1]
    assert run.long_routes.total["m"].tolist() == [10_000.0, 9_000.0]
    plain = RunContext(scenario, net, layout[["camera_id"]], trips, routes, reads, 1)
    assert plain.fixed.tolist() == [True, True, True]
