"""Mobile readers: a patrol car reads the vehicles it meets, worked out by hand on a straight road."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.routing import fastest_routes
from sim.traffic import drive_patrols, patrol_beats, patrol_encounters

from conftest import straight_road


@pytest.fixture
def road():
    """Nodes 0-1-2-3, 1 km apart, 10 m/s: 100 s an edge. Five cars, one trip each."""
    net = straight_road([1000.0] * 3)
    # vehicle: A 0→3 at 0, B 0→3 at 400, D 3→0 at 50, E 0→3 at 250, G 0→3 at 50
    trips = pd.DataFrame({"trip_id": range(5), "vehicle_id": range(5), "plate": list("ABDEG"),
                          "origin": [0, 0, 3, 0, 0], "destination": [3, 3, 0, 3, 3],
                          "depart_s": [0.0, 400.0, 50.0, 250.0, 50.0]})
    routes = fastest_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]))
    trips["arrive_s"] = trips["depart_s"] + routes.travel_time
    e = net.edge_id
    # car 0 drives 3→0 against the traffic at 10 m/s from t = 0; car 1 drives 0→1 at 5 m/s from t = 20
    patrol = pd.DataFrame({"car": [0, 0, 0, 1], "edge": [e(3, 2), e(2, 1), e(1, 0), e(0, 1)],
                           "t_in": [0.0, 100.0, 200.0, 20.0], "t_out": [100.0, 200.0, 300.0, 220.0]})
    return net, trips, routes, patrol


def found(passes, trips):
    plate = trips["plate"].to_numpy()
    return sorted((int(c), plate[t], round(float(s), 6), d)
                  for c, t, s, d in zip(passes["camera"], passes["trip"], passes["time_s"], passes["direction"]))


def test_patrol_reads_exactly_the_vehicles_it_meets(road):
    net, trips, routes, patrol = road
    passes = patrol_encounters(net, patrol, trips, routes, car_camera=np.array([0, 1]), parked=False)
    # car 0 meets A at 1.5 km (t = 150), G at t = 175 (G left at 50: 10(t-50) = 3000 - 10 t ... on edge 1-2),
    # E at t = 275 on edge 0-1; it never meets D, which drives its way 50 s behind it at the same speed,
    # nor B, which leaves after the shift. Car 1 (half speed, from t = 20) is overtaken by G at t = 80;
    # A, ahead of it from the start, is never reached.
    assert found(passes, trips) == [
        (0, "A", 150.0, "oncoming"), (0, "E", 275.0, "oncoming"), (0, "G", 175.0, "oncoming"),
        (1, "G", 80.0, "same_way"),
    ]
    e = net.edge_id
    edges = dict(zip(trips["plate"].to_numpy()[passes["trip"]] + passes["camera"].astype(str), passes["edge"]))
    assert edges == {"A0": e(1, 2), "G0": e(1, 2), "E0": e(0, 1), "G1": e(0, 1)}


def test_patrol_reads_parked_cars_it_drives_past(road):
    net, trips, routes, patrol = road
    passes = patrol_encounters(net, patrol, trips, routes, car_camera=np.array([0, 1]), parked=True,
                               horizon_s=1000.0)
    parked = [p for p in found(passes, trips) if p[3] == "parked"]
    # before leaving, B, E and G wait at node 0 and D at node 3; car 1 leaves node 0 at t = 20,
    # car 0 leaves node 3 at t = 0 and reaches node 0 at t = 300 (only B is still there)
    assert parked == [(0, "B", 300.0, "parked"), (0, "D", 0.0, "parked"), (1, "B", 20.0, "parked"),
                      (1, "E", 20.0, "parked"), (1, "G", 20.0, "parked")]


def test_patrol_cars_stay_in_their_beat_and_shift(grid10):
    rng = np.random.default_rng(5)
    beats = patrol_beats(grid10, 3, rng)
    log = drive_patrols(grid10, beats, np.array([0, 1, 2]), days=2, shift_start_s=8 * 3600, shift_s=4 * 3600,
                        speed_factor=0.7, rng=np.random.default_rng(6))
    assert set(log["car"]) == {0, 1, 2}
    day = (log["t_in"] // 86_400).to_numpy()
    assert set(day) == {0, 1}
    in_day = log["t_in"].to_numpy() % 86_400
    assert (in_day >= 8 * 3600).all() and (in_day < 12 * 3600).all()
    # driving at 0.7 of free-flow speed, edge after edge without gaps within a leg
    np.testing.assert_allclose(log["t_out"] - log["t_in"], grid10.edge_time[log["edge"]] / 0.7)
    # each shift starts at a node of the car's beat, and the car drives on without gaps (edge after edge)
    for car, part in log.groupby("car"):
        for _, shift in part.groupby((part["t_in"] // 86_400).to_numpy()):
            edges = shift["edge"].to_numpy()
            assert grid10.edge_u[edges[0]] in beats[car]
            np.testing.assert_array_equal(grid10.edge_u[edges[1:]], grid10.edge_v[edges[:-1]])
            np.testing.assert_allclose(shift["t_in"].to_numpy()[1:], shift["t_out"].to_numpy()[:-1])
    # same seed, same patrols
    again = drive_patrols(grid10, beats, np.array([0, 1, 2]), days=2, shift_start_s=8 * 3600, shift_s=4 * 3600,
                          speed_factor=0.7, rng=np.random.default_rng(6))
    pd.testing.assert_frame_equal(log, again)


@pytest.fixture(scope="module")
def patrol_run():
    from sim.runner import simulate_scenario
    from sim.scenario import load_scenario

    from conftest import PROJECT

    scenario = load_scenario(PROJECT / "scenarios" / "patrol-vs-fixed.toml",
                             ["network.rows=10", "network.cols=10", "demand.trips=800", "metrics.pair_samples=50",
                              "cameras.min_spacing_m=100"])
    return scenario, simulate_scenario(scenario)


def test_patrol_reads_in_a_run(patrol_run):
    scenario, sim = patrol_run
    mobile = sim.layout["kind"].to_numpy() == "mobile"
    assert sim.layout.loc[mobile, "camera_id"].tolist() == ["patrol-1", "patrol-2", "patrol-3", "patrol-4"]
    reads = sim.reads[sim.reads["camera_id"].isin(sim.layout.loc[mobile, "camera_id"])]
    assert set(reads["direction"]) <= {"oncoming", "same_way", "parked"}
    assert (reads.loc[reads["direction"] == "parked", "trip_id"] == -1).all()
    assert (reads.loc[reads["direction"] != "parked", "trip_id"] >= 0).all()
    hour = reads["time_s"].to_numpy() % 86_400 / 3600
    assert ((hour >= 8) & (hour <= 16 + 0.1)).all()  # the edge under way at the shift's end is finished
    # patrol cars are not fixed cameras: no fixed-camera read comes from them
    fixed = sim.reads[~sim.reads["camera_id"].isin(reads["camera_id"])]
    assert set(fixed["direction"]) <= {"forward", "backward"}


def test_fleet_metrics_equal_a_direct_count(patrol_run):
    scenario, sim = patrol_run
    fleets = sim.metrics["fleets"]
    kind = sim.layout.set_index("camera_id")["kind"].reindex(sim.reads["camera_id"]).to_numpy()
    n_vehicles = sim.trips["vehicle_id"].nunique()
    for name in ("fixed", "mobile"):
        mine = sim.reads[kind == name]
        assert fleets[name]["n_reads"] == len(mine)
        assert fleets[name]["share_vehicles_read"] == pytest.approx(mine["vehicle_id"].nunique() / n_vehicles)
        trips_read = set(mine["trip_id"]) - {-1}
        assert fleets[name]["share_trips_read_ge1"] == pytest.approx(len(trips_read) / len(sim.trips))
    # equal budgets, as the scenario says
    assert fleets["fixed"]["cost"] == fleets["mobile"]["cost"] == 120_000


def test_a_parked_car_read_again_and_again_in_one_stay_is_one_observation(patrol_run):
    """Observations by hand: a moving car's pass once (its sighting), a parked car once per patrol car and stay,
    the stay numbered by how many of the car's trips had departed (plain Python over the reads)."""
    scenario, sim = patrol_run
    departs = {}
    for v, t in zip(sim.trips["vehicle_id"], sim.trips["depart_s"]):
        departs.setdefault(v, []).append(t)
    kind = sim.layout.set_index("camera_id")["kind"].reindex(sim.reads["camera_id"]).to_numpy()
    for name in ("fixed", "mobile"):
        seen = set()
        parked = 0
        for row, sighting, k in zip(sim.reads.itertuples(), sim.recon.sighting, kind):
            if k != name:
                continue
            if row.trip_id >= 0:
                seen.add(("pass", int(sighting)))
            else:
                parked += 1
                stay = sum(t <= row.time_s for t in departs[row.vehicle_id])
                seen.add(("parked", row.camera_id, row.vehicle_id, stay))
        assert sim.metrics["fleets"][name]["n_observations"] == len(seen), name
        assert sim.metrics["fleets"][name]["n_parked_reads"] == parked, name
    mobile = sim.metrics["fleets"]["mobile"]
    assert mobile["n_observations"] < mobile["n_reads"] / 2  # parked cars passed again and again


def test_patrol_run_is_reproducible(patrol_run):
    from sim.runner import simulate_scenario

    scenario, sim = patrol_run
    again = simulate_scenario(scenario)
    pd.testing.assert_frame_equal(sim.reads, again.reads)


def test_a_car_from_outside_or_gone_outside_is_not_parked_in_the_area(road):
    """The same road, now with B and E coming in from beyond node 0 and D leaving beyond node 0 at the end of
    its trip: only G (a resident waiting at node 0) is parked there when car 1 leaves at t = 20; D, parked at
    node 3 before its trip, is still passed by car 0 at t = 0, and nobody is parked at node 0 at t = 300."""
    net, trips, routes, patrol = road
    trips = trips.assign(from_outside=[False, True, False, True, False], to_outside=[False, False, True, False, False])
    passes = patrol_encounters(net, patrol, trips, routes, car_camera=np.array([0, 1]), parked=True,
                               horizon_s=1000.0)
    parked = [p for p in found(passes, trips) if p[3] == "parked"]
    assert parked == [(0, "D", 0.0, "parked"), (1, "G", 20.0, "parked")]
