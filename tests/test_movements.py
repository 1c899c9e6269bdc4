"""Where a person went and when: hand cases for crediting, locating trip ends, and the whole-of-movements shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, simulate_scenario
from sim.intervals import median_interval, share_with_interval
from sim.metrics import trip_metrics
from sim.metrics.trips import movements_located
from sim.routing import Routes
from sim.reconstruct import Reconstruction

from conftest import straight_road


def one_trip_on_a_straight_road(recon_plates, read_trips, read_recon, recon_ends):
    """A 4 km road (nodes 0…4, 1 km apart), one trip 0 → 4 by car AAA1111 leaving at 0 s, arriving at 400 s;
    reconstructions with the given plates, each read's trip (-1: a parked car's read) and reconstruction, and
    each reconstruction's (origin, destination, start_s, end_s)."""
    net = straight_road([1000.0, 1000.0, 1000.0, 1000.0])
    edges = np.array([net.edge_id(i, i + 1) for i in range(4)])
    trips = pd.DataFrame({"trip_id": [0], "vehicle_id": [0], "plate": ["AAA1111"], "origin": [0],
                          "destination": [4], "depart_s": [0.0], "arrive_s": [400.0], "length_m": [4000.0]})
    true_routes = Routes(offsets=np.array([0, 4]), edges=edges, travel_time=np.array([400.0]))
    n = len(recon_plates)
    o, d, start, end = (np.array(col) for col in zip(*recon_ends))
    recon = Reconstruction(
        trips=pd.DataFrame({"recon_id": np.arange(n), "plate_read": recon_plates, "n_reads": 1, "start_s": start,
                            "end_s": end, "origin": o, "destination": d}),
        read_recon=np.array(read_recon),
        routes=Routes(offsets=np.array([0, *[4] * n]) if n == 1 else np.arange(n + 1) * 4,
                      edges=np.tile(edges, n), travel_time=np.full(n, 400.0)),
        plate_key=np.array([recon_plates[r] for r in read_recon], dtype=object),
        sighting=np.arange(len(read_recon)))
    reads = pd.DataFrame({"trip_id": read_trips, "edge": [0] * len(read_trips)})
    return trip_metrics(trips, true_routes, reads, recon, net).iloc[0]


def test_a_reconstruction_under_the_cars_own_plate_locates_both_ends():
    row = one_trip_on_a_straight_road(["AAA1111"], [0, 0], [0, 0], [(0, 4, 10.0, 390.0)])
    assert (row["origin_error_m"], row["destination_error_m"], row["start_lag_s"], row["end_lag_s"]) == \
        (0.0, 0.0, 10.0, 10.0)
    assert row["route_recall"] == 1.0


def test_a_reconstruction_under_an_unmatched_misread_is_credited_to_no_one():
    """The reads are the car's, but under plate AAA1117 that no search for AAA1111 finds."""
    row = one_trip_on_a_straight_road(["AAA1117"], [0, 0], [0, 0], [(0, 4, 10.0, 390.0)])
    assert row["route_recall"] == 0.0 and np.isnan(row["route_precision"]) and np.isnan(row["origin_error_m"])


def test_parked_reads_do_not_outvote_the_trips_reads():
    """A reconstruction holding one read of the trip and two of the car parked: it is the trip's (before, the
    tie-break credited it to 'no trip')."""
    row = one_trip_on_a_straight_road(["AAA1111"], [0, -1, -1], [0, 0, 0], [(1, 3, 100.0, 300.0)])
    assert row["route_recall"] == 1.0
    assert (row["origin_error_m"], row["destination_error_m"]) == (1000.0, 1000.0)


GRID = ["network.rows=8", "network.cols=8", "demand.model='population'", "demand.vehicles=150", "demand.days=3",
        "demand.zone_km=0.5", "metrics.pair_samples=20", "cameras.min_spacing_m=0", "cameras.strategy='random'",
        "cameras.read_rate=1.0", "cameras.site='edge'"]


def test_cameras_on_every_road_locate_every_trip_and_three_cameras_almost_none():
    """Hand cases: a camera on each of the 196 directed roads reads every edge of every trip, so each
    reconstruction starts at the first road's tail (the origin) and ends at the last road's head; three
    cameras leave most trips' ends unseen."""
    dense = simulate_scenario(load_scenario(overrides=GRID + ["cameras.count=196"])).metrics
    sparse = simulate_scenario(load_scenario(overrides=GRID + ["cameras.count=3"])).metrics
    assert dense["share_vehicles_movements_located_ge90"] >= 0.9
    assert dense["share_vehicle_days_located"] >= 0.9
    assert dense["share_vehicles_movements_located_ge90_n"] == 150  # the residents
    assert dense["movements_of"] == "residents"
    assert sparse["share_vehicles_movements_located_ge90"] <= 0.05
    for m in (dense, sparse):
        lo, hi = m["share_vehicles_movements_located_ge90_ci"]
        assert lo <= m["share_vehicles_movements_located_ge90"] <= hi


def test_the_located_shares_recomputed_from_the_trip_table_by_hand():
    sim = simulate_scenario(load_scenario(overrides=GRID + ["cameras.count=40"]))
    m, table, trips = sim.metrics, sim.trip_table, sim.trips
    persons = sim.tables["vehicles"]
    residents = set(persons.loc[persons["kind"] == "resident", "vehicle_id"])
    by_vehicle, by_day = {}, {}
    for row, trip in zip(table.itertuples(), trips.itertuples()):
        if trip.vehicle_id not in residents:
            continue
        ok = (row.origin_error_m <= 500 and row.destination_error_m <= 500 and row.start_lag_s <= 900
              and row.end_lag_s <= 900)  # NaN compares False: a trip nothing is credited to is not located
        by_vehicle.setdefault(trip.vehicle_id, []).append(ok)
        by_day.setdefault((trip.vehicle_id, int(trip.depart_s // 86_400)), []).append(ok)
    trips_ok = [ok for oks in by_vehicle.values() for ok in oks]
    assert m["share_trips_located"] == pytest.approx(sum(trips_ok) / len(trips_ok))
    assert m["share_vehicles_movements_located_ge90"] == pytest.approx(
        np.mean([sum(oks) / len(oks) >= 0.9 for oks in by_vehicle.values()]))
    assert m["share_vehicle_days_located"] == pytest.approx(np.mean([all(oks) for oks in by_day.values()]))
    assert m["share_vehicle_days_located_n"] == len(by_day)
    assert 0 < m["share_trips_located"] < 1


def test_the_median_interval_is_conovers_order_statistics_and_covers_95_percent():
    # Conover (1999), table A3 / §3.2: for n = 100 the 95 % interval is the 40th to the 61st value
    assert median_interval(np.arange(1.0, 101.0)) == [40.0, 61.0]
    rng = np.random.default_rng(4)
    covered = np.mean([lo <= np.log(2) <= hi for lo, hi in (median_interval(rng.exponential(size=51))
                                                              for _ in range(2000))])
    assert 0.93 <= covered <= 0.98


@pytest.mark.parametrize("shuffled", [False, True])
def test_movements_located_match_pandas_groups(shuffled):
    """The three shares, as pandas groups them (per vehicle: the mean of ``located``; per vehicle-day: all
    located, clustered by vehicle), on 3,000 random trips of 400 vehicles over 3 days; in the order a run drives
    them (by vehicle, then time) and shuffled."""
    rng = np.random.default_rng(11)
    vehicle, depart = rng.integers(0, 400, 3000), rng.uniform(0, 3.4 * 86_400, 3000)
    driven = np.lexsort((depart, vehicle))
    vehicle, depart = vehicle[driven], depart[driven]
    table = pd.DataFrame({"origin_error_m": rng.choice([0.0, 900.0], 3000, p=[0.8, 0.2]),
                          "destination_error_m": np.zeros(3000), "start_lag_s": np.zeros(3000),
                          "end_lag_s": np.zeros(3000)})
    trips = pd.DataFrame({"vehicle_id": vehicle * 7 + 3, "depart_s": depart})
    if shuffled:
        rows = rng.permutation(3000)
        table, trips = table.iloc[rows].reset_index(drop=True), trips.iloc[rows].reset_index(drop=True)
    out = movements_located(table, trips, n_days=3)
    located = table["origin_error_m"].to_numpy() <= 500
    day = np.minimum(trips["depart_s"].to_numpy() // 86_400, 2).astype(int)
    frame = pd.DataFrame({"v": trips["vehicle_id"].to_numpy(), "day": day, "located": located})
    per_vehicle = frame.groupby("v")["located"].mean().to_numpy() >= 0.9
    per_day = frame.groupby(["v", "day"])["located"].all().reset_index()
    expected = {"share_trips_located": share_with_interval(located, frame["v"].to_numpy()),
                "share_vehicles_movements_located_ge90": share_with_interval(per_vehicle),
                "share_vehicle_days_located": share_with_interval(per_day["located"].to_numpy(),
                                                                  per_day["v"].to_numpy())}
    assert day.max() == 2 and 0 < located.mean() < 1
    for key, (share, n, ci) in expected.items():
        assert (out[key], out[f"{key}_n"], out[f"{key}_ci"]) == (share, n, ci), key
