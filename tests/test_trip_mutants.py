"""Per-trip and summary numbers against cases worked out by hand, written to catch the bugs a mutation tester
(``benchmarks/mutation.py`` on ``sim/metrics/trips.py``) found the other tests let through: which reconstruction
gives a trip its origin and destination, a misread credited to no one, shares at their thresholds (exactly 2
sightings, exactly 5 km, exactly 500 m and 900 s, exactly 90 %), the length bands' edges. Every expected value is
derived in the docstring or a comment, never with the code's own helpers."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim.metrics import exposure_by_length, summary_metrics, time_to_first_read, trip_metrics
from sim.metrics.trips import movements_located, sightings_per_plate, trips_located
from sim.network import from_graph
from sim.routing import Routes
from sim.reconstruct import Reconstruction

#: node: (x, y) in metres; a staircase road n0 → n4 of 1, 2, 3 and 4 km segments
STAIRS = {0: (0.0, 0.0), 1: (1000.0, 0.0), 2: (1000.0, 2000.0), 3: (4000.0, 2000.0), 4: (4000.0, 6000.0)}


def staircase():
    """Two-way road n0-n1-n2-n3-n4 (1, 2, 3, 4 km); turning corners, so distances between nodes use both x and y
    (n3 to n4: 4,000 m straight up; n1 to n3: hypot(3,000, 2,000))."""
    g = nx.MultiDiGraph(crs="EPSG:32618")
    for node, (x, y) in STAIRS.items():
        g.add_node(node, x=x, y=y)
    for u in range(4):
        length = float(np.hypot(STAIRS[u + 1][0] - STAIRS[u][0], STAIRS[u + 1][1] - STAIRS[u][1]))
        g.add_edge(u, u + 1, length=length, speed_kph=36.0, highway="primary")
        g.add_edge(u + 1, u, length=length, speed_kph=36.0, highway="primary")
    return from_graph(g)


def flat(routes, kept=None):
    """Routes from a list of edge lists (``kept``: the trips of a route sample)."""
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in routes])]).astype(np.int64)
    edges = np.array([e for r in routes for e in r], dtype=np.int64)
    return Routes(offsets=offsets, edges=edges, travel_time=np.full(len(routes), 100.0),
                  kept=None if kept is None else np.array(kept))


def three_trips_six_reconstructions(*, kept=None):
    """Trips (ids 10, 20, 30; rows 0, 1, 2):

    ==== ======= ======= ====== ====== ================ ===========
    trip plate   O → D   depart arrive true route       length
    ==== ======= ======= ====== ====== ================ ===========
    10   AAA1111 n0 → n4 50     1000   01 12 23 34      10 km
    20   BBB2222 n4 → n1 100    1100   43 32 21         9 km
    30   CCC3333 n1 → n3 200    700    12 23            5 km
    ==== ======= ======= ====== ====== ================ ===========

    Reconstructions (plate; route; origin → destination; start - end; reads as trip/sighting):
    r0 AAA1111; 23; n2 → n3; 600 - 900; 10/s6.
    r1 AAA1111; 12 23; n1 → n3; 250 - 550; 10/s0 twice (one pass logged twice).
    r2 BBB2222; 32 21 10; n3 → n0; 500 - 800; 10/s2, 20/s3, 20/s4 (trip 20 holds most).
    r3 AAA1117 (a misread never put back); 01; n0 → n1; 60 - 70; 10/s1.
    r4 BBB2222; 12; n1 → n2; 5000; one read of that car parked after its trip (no trip's).
    r5 BBB2222; 43; n4 → n3; 200 - 300; 20/s7.
    """
    net = staircase()
    e = {(u, v): net.edge_id(u, v) for u in range(5) for v in range(5) if abs(u - v) == 1}
    true = [[e[0, 1], e[1, 2], e[2, 3], e[3, 4]], [e[4, 3], e[3, 2], e[2, 1]], [e[1, 2], e[2, 3]]]
    if kept is not None:  # a route sample stores the kept trips' routes only
        true = [r if k else [] for r, k in zip(true, kept)]
    true_routes = flat(true, kept)
    trips = pd.DataFrame({"trip_id": [10, 20, 30], "vehicle_id": [0, 1, 2], "plate": ["AAA1111", "BBB2222", "CCC3333"],
                          "origin": [0, 4, 1], "destination": [4, 1, 3], "depart_s": [50.0, 100.0, 200.0],
                          "arrive_s": [1000.0, 1100.0, 700.0], "length_m": [10_000.0, 9_000.0, 5_000.0]})
    plates = ["AAA1111", "AAA1111", "BBB2222", "AAA1117", "BBB2222", "BBB2222"]
    recon_routes = flat([[e[2, 3]], [e[1, 2], e[2, 3]], [e[3, 2], e[2, 1], e[1, 0]], [e[0, 1]], [e[1, 2]], [e[4, 3]]])
    read_trip = [10, 10, 10, 10, 20, 20, -1, 10, 20]
    read_recon = [1, 1, 3, 2, 2, 2, 4, 0, 5]
    sighting = [0, 0, 1, 2, 3, 4, 5, 6, 7]
    recon = Reconstruction(
        trips=pd.DataFrame({"recon_id": np.arange(6), "plate_read": plates, "n_reads": [1, 2, 3, 1, 1, 1],
                            "start_s": [600.0, 250.0, 500.0, 60.0, 5000.0, 200.0],
                            "end_s": [900.0, 550.0, 800.0, 70.0, 5000.0, 300.0],
                            "origin": [2, 1, 3, 0, 1, 4], "destination": [3, 3, 0, 1, 2, 3]}),
        read_recon=np.array(read_recon), routes=recon_routes,
        plate_key=np.array([plates[r] for r in read_recon], dtype=object), sighting=np.array(sighting))
    reads = pd.DataFrame({"trip_id": read_trip, "plate_read": [plates[r] for r in read_recon]})
    return trip_metrics(trips, true_routes, reads, recon, net)


def test_each_trip_is_scored_from_the_reconstructions_a_searcher_links_to_its_car():
    """Trip 10 is credited r0 and r1 (r2 goes to trip 20, which holds 2 of its 3 reads; r3's plate AAA1117 is no
    search for AAA1111): rebuilt edges 12 and 23 (23 counted once): 5 of the 10 km, and 5 of the 5 km rebuilt.
    Origin from r1, the one that starts first (n1, 1,000 m from n0), destination from r0, the one that ends last
    (n3, 4,000 m below n4): OD error 2,500 m; lags 250 - 50 = 200 s and 1,000 - 900 = 100 s. Its 5 reads are 4
    passes (s0 logged twice). Trip 20 is credited r2 and r5: rebuilt 32, 21, 10, 43 (10 km), of which 9 km on its
    route: recall 1, precision 0.9; origin from r5 (n4: 0 m), destination from r2 (n0, 1,000 m from n1): 500 m;
    lags 200 - 100 = 100 s and 1,100 - 800 = 300 s; r4, under its plate but holding no read of a trip, is no
    trip's. Trip 30 has no read."""
    table = three_trips_six_reconstructions()
    assert table["view"].tolist() == ["all"] * 3  # the default view's name
    assert table["trip_id"].tolist() == [10, 20, 30]
    assert table["length_m"].tolist() == [10_000.0, 9_000.0, 5_000.0]
    assert table["n_reads"].tolist() == [5, 3, 0]
    assert table["n_sightings"].tolist() == [4, 3, 0]
    assert table["route_recall"].tolist() == [0.5, 1.0, 0.0]
    assert table["route_precision"].iloc[:2].tolist() == [1.0, pytest.approx(0.9)]
    assert np.isnan(table["route_precision"].iloc[2])
    assert table["origin_error_m"].iloc[:2].tolist() == [1000.0, 0.0]
    assert table["destination_error_m"].iloc[:2].tolist() == [4000.0, 1000.0]
    assert table["od_error_m"].iloc[:2].tolist() == [2500.0, 500.0]
    assert table["start_lag_s"].iloc[:2].tolist() == [200.0, 100.0]
    assert table["end_lag_s"].iloc[:2].tolist() == [100.0, 300.0]
    for column in ("od_error_m", "origin_error_m", "destination_error_m", "start_lag_s", "end_lag_s"):
        assert np.isnan(table[column].iloc[2])


def test_a_route_sample_scores_routes_of_the_sampled_trips_only():
    """The same case with trip 20's route left out of the sample: its recall and precision are unknown (NaN) and its
    length is the driven 9 km; trip 10 keeps recall 0.5 and precision 1; every trip's OD error is still scored."""
    table = three_trips_six_reconstructions(kept=[True, False, True])
    assert table["length_m"].tolist() == [10_000.0, 9_000.0, 5_000.0]
    assert table["route_recall"].iloc[[0, 2]].tolist() == [0.5, 0.0]
    assert table["route_precision"].iloc[0] == 1.0
    assert np.isnan(table["route_recall"].iloc[1]) and np.isnan(table["route_precision"].iloc[1])
    assert table["od_error_m"].iloc[:2].tolist() == [2500.0, 500.0]


def test_a_trip_along_one_half_metre_road_is_wholly_recovered():
    """A trip over a single 0.5 m edge, rebuilt as that edge: recall 1 and precision 1 (0.5 of 0.5 m), however
    short."""
    g = nx.MultiDiGraph(crs="EPSG:32618")
    g.add_node(0, x=0.0, y=0.0)
    g.add_node(1, x=0.5, y=0.0)
    g.add_edge(0, 1, length=0.5, speed_kph=36.0)
    g.add_edge(1, 0, length=0.5, speed_kph=36.0)
    net = from_graph(g)
    e01 = net.edge_id(0, 1)
    trips = pd.DataFrame({"trip_id": [0], "vehicle_id": [0], "plate": ["AAA1111"], "origin": [0],
                          "destination": [1], "depart_s": [0.0]})
    recon = Reconstruction(
        trips=pd.DataFrame({"recon_id": [0], "plate_read": ["AAA1111"], "n_reads": [1], "start_s": [0.0],
                            "end_s": [0.0], "origin": [0], "destination": [1]}),
        read_recon=np.array([0]), routes=flat([[e01]]), plate_key=np.array(["AAA1111"], dtype=object),
        sighting=np.array([0]))
    table = trip_metrics(trips, flat([[e01]]), pd.DataFrame({"trip_id": [0]}), recon, net)
    assert (table["route_recall"].iloc[0], table["route_precision"].iloc[0]) == (1.0, 1.0)


def four_trips_two_vehicles_two_days():
    """Vehicle 0 on day 0: 5,000 m, 2 sightings, recall 0.5, precision 0.8, origin 501 m off; 5,003 m, unread.
    Vehicle 1 on day 1: 6,000 m, 1 sighting, recall 1, precision 0.5, last sighting 901 s before arrival;
    4,000 m, 3 sightings, recall 0.75, precision 1, both ends exact.
    Six reads: plate A twice in one pass, B once, C in three passes."""
    table = pd.DataFrame({
        "length_m": [5000.0, 5003.0, 6000.0, 4000.0], "n_reads": [2, 0, 1, 3], "n_sightings": [2, 0, 1, 3],
        "route_recall": [0.5, 0.0, 1.0, 0.75], "route_precision": [0.8, np.nan, 0.5, 1.0],
        "od_error_m": [260.5, np.nan, 10.0, 0.0], "origin_error_m": [501.0, np.nan, 20.0, 0.0],
        "destination_error_m": [20.0, np.nan, 0.0, 0.0], "start_lag_s": [10.0, np.nan, 10.0, 0.0],
        "end_lag_s": [10.0, np.nan, 901.0, 0.0]})
    trips = pd.DataFrame({"vehicle_id": [0, 0, 1, 1], "depart_s": [0.0, 3600.0, 90_000.0, 93_600.0]})
    reads = pd.DataFrame({"plate_read": ["A", "A", "B", "C", "C", "C"]})
    return table, trips, reads, np.array([0, 0, 1, 2, 3, 4])


def test_summary_shares_at_their_thresholds():
    table, trips, reads, sighting = four_trips_two_vehicles_two_days()
    m = summary_metrics(table, reads, trips, 3, 2, long_trip_km=5, sighting=sighting, fixed_reads=4)
    assert (m["n_trips"], m["n_reads"], m["n_sightings"], m["n_cameras"], m["n_vehicles"], m["n_days"]) == \
        (4, 6, 5, 3, 2, 2)
    assert m["reads_per_camera_per_day"] == pytest.approx(4 / 6)   # 4 fixed-camera reads, 3 cameras, 2 days
    assert m["reads_per_vehicle_per_day"] == 1.5                   # 6 reads, 2 vehicles, 2 days
    assert m["share_trips_read_ge1"] == 0.75                       # sighted 2, 0, 1, 3 times
    assert m["share_trips_read_ge2"] == 0.5                        # exactly twice counts
    assert m["route_recall_mean_ge2"] == pytest.approx(0.625)      # (0.5 + 0.75) / 2
    assert m["route_precision_mean_ge2"] == pytest.approx(0.9)     # (0.8 + 1) / 2
    assert m["route_precision_mean"] == pytest.approx(2.3 / 3)     # the unread trip has none
    assert m["share_trips_route_recovered"] == 0.0                 # whole route and nothing else: none
    # longer than 5 km: 5,003 m (unread) and 6,000 m (sighted once); exactly 5,000 m is not longer
    assert (m["share_long_trips_read"], m["share_long_trips_read_n"]) == (0.5, 2)
    # plates: A one pass (two reads), B one, C three: 2 of 3 plates seen once
    assert (m["n_plates"], m["share_plates_read_once"]) == (3, pytest.approx(2 / 3))
    # kilometres: vehicle 0 2,500 of 10,003 m; vehicle 1 6,000 + 3,000 of 10,000 m, exactly 90 %
    assert m["vehicle_km_recovered_median"] == pytest.approx((2500 / 10_003 + 0.9) / 2)
    assert m["vehicle_km_recovered_median_n"] == 2
    assert m["vehicle_km_recovered_median_ci"] == [pytest.approx(2500 / 10_003), pytest.approx(0.9)]
    assert (m["share_vehicles_km_recovered_ge90"], m["share_vehicles_km_recovered_ge90_n"]) == (0.5, 2)
    # located at 500 m and 900 s: 501 m off and 901 s late are not; only the exact 4 km trip is
    assert (m["locate_m"], m["locate_s"]) == (500.0, 900.0)
    assert m["share_trips_located"] == 0.25
    assert m["movements_of"] == "vehicles"
    wider = summary_metrics(table, reads, trips, 3, 2, sighting=sighting, locate_m=501.0, locate_s=901.0)
    assert (wider["locate_m"], wider["locate_s"], wider["share_trips_located"]) == (501.0, 901.0, 0.75)


def test_a_view_without_reads_has_no_plates():
    table, trips, _, _ = four_trips_two_vehicles_two_days()
    none = pd.DataFrame({"plate_read": pd.Series([], dtype=object)})
    for sighting in (None, np.zeros(0, np.int64)):
        m = summary_metrics(table, none, trips, 3, 2, sighting=sighting)
        assert (m["n_plates"], m["share_plates_read_once"], m["n_sightings"]) == (0, None, 0)


@pytest.mark.parametrize(("plates", "sighting", "expected"), [
    (["A", "A", "A"], [0, 0, 1], [2]),            # one plate: two passes
    (["A", "B"], [0, 3], [1, 1]),                 # sighting ids need not start at the plate's
    (["B", "A", "B", "A"], [2, 0, 2, 1], [1, 2]),  # plates in order of first read: B, then A
])
def test_sightings_per_plate_by_hand(plates, sighting, expected):
    assert sightings_per_plate(pd.Series(plates), np.array(sighting)).tolist() == expected


def test_located_means_all_four_within_the_limits_inclusive():
    """Trip 0 sits exactly on every limit (500 m, 900 s): located. Trips 1-4 each miss one limit (destination
    600 m, origin 600 m, start 1,000 s, end 1,000 s): not located. Trips 5 and 6 miss by half a metre and half a
    second. Each trip is its own vehicle on its own day: 1 of 7 everywhere."""
    table = pd.DataFrame({"origin_error_m": [500.0, 0.0, 600.0, 0.0, 0.0, 500.5, 0.0],
                          "destination_error_m": [500.0, 600.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                          "start_lag_s": [900.0, 0.0, 0.0, 1000.0, 0.0, 0.0, 900.5],
                          "end_lag_s": [900.0, 0.0, 0.0, 0.0, 1000.0, 0.0, 0.0]}).astype(np.float32)
    assert trips_located(table).tolist() == [True] + [False] * 6
    trips = pd.DataFrame({"vehicle_id": np.arange(7), "depart_s": np.arange(7) * 86_400.0})
    m = movements_located(table, trips)
    assert m["share_trips_located"] == m["share_vehicles_movements_located_ge90"] == \
        m["share_vehicle_days_located"] == pytest.approx(1 / 7)
    assert (m["locate_m"], m["locate_s"]) == (500.0, 900.0)


def test_exposure_by_length_bands_and_their_edges():
    """Trips of 0.5, 1, 1.5, 2.5, 5.5, 10.5 and 60 km (a 1 km trip is in the 1-2 band, not 0-1), read 0, 1, 0, 2, 1,
    0 and 1 times (once is read)."""
    table = pd.DataFrame({"length_m": [500.0, 1000.0, 1500.0, 2500.0, 5500.0, 10_500.0, 60_000.0],
                          "n_reads": [0, 1, 0, 2, 1, 0, 1]})
    bands = exposure_by_length(table)
    assert {band: (b["n_trips"], b["share_read_ge1"], b["share_read_ge1_n"]) for band, b in bands.items()} == {
        "0-1": (1, 0.0, 1), "1-2": (2, 0.5, 2), "2-5": (1, 1.0, 1), "5-10": (1, 1.0, 1), "10-50": (1, 0.0, 1),
        "50+": (1, 1.0, 1)}


def test_time_to_first_read_of_trip_zero_and_not_of_a_parked_car():
    """Trip 0 leaves at 100 s, read at 160 and 130 s: 30 s. Trip 1 leaves at 200 s, read at 260 s: 60 s. Trip 2 is
    not read; the read of a parked car (trip -1, at 50 s) is no trip's."""
    trips = pd.DataFrame({"trip_id": [0, 1, 2], "depart_s": [100.0, 200.0, 300.0]})
    reads = pd.DataFrame({"trip_id": [0, 0, 1, -1], "time_s": [160.0, 130.0, 260.0, 50.0]})
    assert time_to_first_read(trips, reads).tolist() == [30.0, 60.0]


def test_a_reconstruction_without_a_plate_is_no_trips_even_where_the_car_has_none():
    """Trip 10's car has no plate on record (``None``), and its one read has no plate either (a reconstruction
    under ``None``): nothing links the two, so trip 10 is credited nothing (recall NaN); trip 20's car (AAA1111)
    and its one read (AAA1111, on its route n0 → n1) match: recall 1."""
    net = staircase()
    e01 = net.edge_id(0, 1)
    trips = pd.DataFrame({"trip_id": [10, 20], "vehicle_id": [0, 1],
                          "plate": pd.Series([None, "AAA1111"], dtype=object),
                          "origin": [0, 0], "destination": [1, 1], "depart_s": [0.0, 0.0],
                          "arrive_s": [100.0, 100.0], "length_m": [1000.0, 1000.0]})
    plates = pd.Series([None, "AAA1111"], dtype=object)
    recon = Reconstruction(
        trips=pd.DataFrame({"recon_id": [0, 1], "plate_read": plates, "n_reads": [1, 1], "start_s": [10.0, 10.0],
                            "end_s": [10.0, 10.0], "origin": [0, 0], "destination": [1, 1]}),
        read_recon=np.array([0, 1]), routes=flat([[e01], [e01]]), plate_key=plates.to_numpy(), sighting=np.arange(2))
    reads = pd.DataFrame({"trip_id": [10, 20], "plate_read": plates})
    table = trip_metrics(trips, flat([[e01], [e01]]), reads, recon, net)
    assert table["route_recall"].tolist() == [0.0, 1.0] and table["route_precision"].iloc[1] == 1.0
    assert np.isnan(table["route_precision"].iloc[0]) and np.isnan(table["origin_error_m"].iloc[0])
