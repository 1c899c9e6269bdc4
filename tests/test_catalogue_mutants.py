"""Hand cases for the registered metrics of sim/metrics/catalogue.py: the names and scopes they are published
under, and the branches no golden run reaches (no fixed camera, a route sample, reads past the last day, a
reader that reads nothing, areas by jurisdiction), written to catch the bugs a mutation tester plants
(benchmarks/mutation.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import sim.metrics  # noqa: F401  (fills the registry)
from sim import ScenarioError, grid_network, load_scenario, make_layout, simulate_scenario
from sim.metrics.catalogue import (CROWD_KEYS, area_kind, fence_cameras, reading_pairs, resident_ids,
                                   sampled_person_metrics, scenario_areas, watched_edges)
from sim.metrics.registry import METRICS, RunContext, View
from sim.routing import Routes

from conftest import PROJECT, two_way_roads

DAY = 86_400


def line():
    """Nodes 0 – 1 – 2 at x = 0, 100, 200 m: 10 s a road, the fastest drive from 0 to 2 is 20 s."""
    return two_way_roads({0: (0.0, 0.0), 1: (100.0, 0.0), 2: (200.0, 0.0)}, [(0, 1, "a"), (1, 2, "b")])


def call(name, run, view=None, done=None):
    view = view if view is not None else View("run", run.reads, SimpleNamespace(), pd.DataFrame())
    return METRICS[name].function(run, view, np.random.default_rng(0), done or {})


def test_the_metrics_are_registered_under_their_names_and_scopes_in_order():
    """The names are the keys of a "not applicable" reason (``<name>_reason``) and what ``only`` selects."""
    registered = [(n, sorted(m.scopes)) for n, m in METRICS.items() if not n.startswith("test_")]
    assert registered == [
        ("summary", ["run"]), ("traffic_from_outside", ["run"]), ("sightings_per_vehicle_day", ["run"]),
        ("route_choice", ["run"]), ("exposure_by_length_km", ["run"]), ("long_trips", ["agency", "run", "what_if"]),
        ("time_to_first_read_s_median", ["run"]), ("quality", ["run"]), ("person", ["agency", "run"]),
        ("exposure_by_area", ["run"]), ("camera_free_pairs", ["run"]), ("fleets", ["run"]), ("district", ["run"]),
        ("crossings", ["run"]), ("agency_shares", ["agency"]), ("calibration", ["run"])]


def test_residents_are_the_population_models_residents_only():
    assert resident_ids(None) is None
    assert resident_ids(pd.DataFrame({"vehicle_id": [1, 2]})) is None
    persons = pd.DataFrame({"vehicle_id": [5, 6, 7, 8], "kind": ["resident", "through", "resident", "visitor"]})
    got = resident_ids(persons)
    assert got.dtype == np.int64 and got.tolist() == [5, 7]


def test_a_sample_run_has_no_crowd_metric_and_says_why():
    assert CROWD_KEYS[:5] == tuple(f"uniqueness_k{k}" for k in range(1, 6)) and len(CROWD_KEYS) == 14
    out = sampled_person_metrics(0.25)
    reason = out["person_metrics_reason"]
    assert reason.startswith("the run simulates a 25% sample of the fleet (demand.sample_share = 0.25), and this")
    assert len(out) == 1 + 4 * len(CROWD_KEYS)
    for key in CROWD_KEYS:
        assert out[key] is None and out[f"{key}_n"] is None and out[f"{key}_ci"] is None
        assert out[f"{key}_reason"] == reason


def test_sightings_per_vehicle_day_by_hand():
    """Vehicles 1 and 2 (the trips' vehicles) over 2 days. Vehicle 1: sighting 0 read twice on day 0 (one
    sighting), sighting 1 on day 1; vehicle 2: sighting 2 three days in, counted on the last day (1); vehicle 9
    made no trip. Counts per vehicle-day [1, 1, 0, 1]: 3 of the 4 vehicle-days sighted."""
    trips = pd.DataFrame({"vehicle_id": [1, 2, 2]})
    reads = pd.DataFrame({"vehicle_id": [1, 1, 1, 2, 9], "time_s": [100.0, 200.0, DAY + 5.0, 3 * DAY + 1.0, 50.0]})
    recon = SimpleNamespace(sighting=np.array([0, 0, 1, 2, 3]))
    run = RunContext(SimpleNamespace(), None, pd.DataFrame({"camera_id": []}), trips, None, reads, 2)
    out = call("sightings_per_vehicle_day", run, View("run", reads, recon, pd.DataFrame()))
    assert out["sightings_per_vehicle_day"] == {"of": "vehicles", "n_vehicles": 2, "n_vehicle_days": 4, "p50": 1.0,
                                                "p75": 1.0, "p90": 1.0, "p99": 1.0, "mean": 0.75, "max": 1}
    assert (out["share_vehicle_days_sighted"], out["share_vehicle_days_sighted_n"]) == (0.75, 4)
    # a run of 0 days counts as one; residents only when the population model says who they are
    persons = pd.DataFrame({"vehicle_id": [1, 2], "kind": ["through", "resident"]})
    run = RunContext(SimpleNamespace(), None, pd.DataFrame({"camera_id": []}), trips, None, reads, 0, persons=persons)
    out = call("sightings_per_vehicle_day", run, View("run", reads, recon, pd.DataFrame()))
    assert out["sightings_per_vehicle_day"]["of"] == "residents"
    assert out["sightings_per_vehicle_day"]["n_vehicle_days"] == 1 and out["sightings_per_vehicle_day"]["max"] == 1
    assert (out["share_vehicle_days_sighted"], out["share_vehicle_days_sighted_n"]) == (1.0, 1)


def route_run(noise, travel, kept=None):
    net = line()
    trips = pd.DataFrame({"vehicle_id": [1, 2, 3], "origin": [0, 0, 1], "destination": [2, 2, 2]})
    routes = Routes(offsets=np.array([0, 2, 4, 5]), edges=np.array([0, 2, 0, 2, 2]),
                    travel_time=np.array(travel, dtype=float), kept=kept)
    scenario = SimpleNamespace(traffic=SimpleNamespace(route_noise=noise, route_classes=1))
    return RunContext(scenario, net, pd.DataFrame({"camera_id": []}), trips, routes, pd.DataFrame(), 1)


def test_fastest_route_share_by_hand():
    """Trips 0 → 2 (fastest 20 s) and 1 → 2 (10 s): 20 s and 10 s drove a fastest route, 20.5 s did not."""
    out = call("route_choice", route_run(0.3, [20.0, 20.5, 10.0]))
    assert out["route_choice"] == {"route_noise": 0.3, "route_classes": 1}
    assert out["share_trips_fastest_route"] == pytest.approx(2 / 3) and out["share_trips_fastest_route_n"] == 3
    # a route sample: only the kept trips (1 and 2) are compared
    out = call("route_choice", route_run(0.3, [20.0, 20.5, 10.0], kept=np.array([False, True, True])))
    assert (out["share_trips_fastest_route"], out["share_trips_fastest_route_n"]) == (0.5, 2)
    # no noise: every route is a fastest route, whatever its time says
    out = call("route_choice", route_run(0.0, [20.0, 99.0, 10.0]))
    assert (out["share_trips_fastest_route"], out["share_trips_fastest_route_n"]) == (1.0, 3)


def test_no_fixed_camera_has_no_camera_free_pairs_with_a_reason():
    run = RunContext(SimpleNamespace(), line(), pd.DataFrame({"camera_id": ["p"], "kind": ["mobile"]}),
                     pd.DataFrame(), None, pd.DataFrame(), 1)
    out = call("camera_free_pairs", run)
    reason = ("no fixed camera: every reader is on a patrol car, which stands nowhere for good, so no route is "
              "camera-free, or watched, for good")
    assert out == {"camera_free_pair_share": None, "camera_free_pair_share_n": None, "camera_free_pair_share_ci": None,
                   "camera_free_pair_share_reason": reason, "detour_ratio_median": None,
                   "detour_ratio_median_reason": reason}


def test_a_run_of_fixed_cameras_without_costs_has_no_fleets_nor_calibration():
    run = RunContext(SimpleNamespace(), line(), pd.DataFrame({"camera_id": ["c"]}), pd.DataFrame(), None,
                     pd.DataFrame(), 1)
    assert call("fleets", run) == {}
    # fixed cameras with costs: a fleet table (readers c1 and c2, 2 reads by c1 on trip 0)
    layout = pd.DataFrame({"camera_id": ["c1", "c2"], "cost": [10.0, 30.0]})
    trips = pd.DataFrame({"trip_id": [0], "vehicle_id": [0], "depart_s": [0.0]})
    reads = pd.DataFrame({"camera_id": ["c1", "c1"], "trip_id": [0, 0], "vehicle_id": [0, 0], "time_s": [10.0, 20.0]})
    run = RunContext(SimpleNamespace(), line(), layout, trips, None, reads, 1)
    fleets = call("fleets", run, View("run", reads, SimpleNamespace(sighting=np.array([0, 1])), pd.DataFrame()))
    assert list(fleets["fleets"]) == ["fixed"]
    assert (fleets["fleets"]["fixed"]["n_readers"], fleets["fleets"]["fixed"]["n_reads"]) == (2, 2)
    assert fleets["fleets"]["fixed"]["cost"] == 40.0
    assert call("calibration", run) == ({}, {})


def test_agency_shares_of_a_view_holding_every_read():
    """No mask: all 4 reads visible, an exact count. Trips of vehicles 1, 1, 2: sightings 2, 1, 3 (2 of 3
    reconstructable); route recall 0.5, 0, 1 (mean 0.5)."""
    trips = pd.DataFrame({"vehicle_id": [1, 1, 2]})
    reads = pd.DataFrame({"camera_id": ["a"] * 4})
    table = pd.DataFrame({"n_sightings": [2, 1, 3], "route_recall": [0.5, 0.0, 1.0]})
    run = RunContext(SimpleNamespace(), None, pd.DataFrame({"camera_id": ["a"]}), trips, None, reads, 1)
    out = call("agency_shares", run, View("run", reads, SimpleNamespace(), table))
    assert (out["share_reads_visible"], out["share_reads_visible_n"], out["share_reads_visible_ci"]) == (1.0, 4, None)
    assert out["share_reads_visible_ci_reason"].startswith("fixed by the access rules (sharing, pools, retention)")
    assert out["share_trips_reconstructable"] == pytest.approx(2 / 3) and out["share_trips_reconstructable_n"] == 3
    assert out["route_recall_mean"] == pytest.approx(0.5) and out["route_recall_mean_n"] == 3
    out = call("agency_shares", run, View("a", reads.iloc[:1], SimpleNamespace(), table,
                                          mask=np.array([True, False, False, False])))
    assert (out["share_reads_visible"], out["share_reads_visible_n"]) == (0.25, 4)


def test_a_reader_that_reads_nothing_watches_nothing_and_is_no_fence():
    """The corner node 0 of a 3 × 3 grid is the district: its roads out cross the fence. Cameras on three crossing
    roads, the first with a read rate of 0, and on two roads wholly outside: two fence cameras."""
    net = grid_network(3, 3, jitter_m=0, one_way_share=0, rng=np.random.default_rng(0))
    inside = np.isin(net.nodes, [0])
    crossing = np.flatnonzero(inside[net.edge_u] != inside[net.edge_v])[:3]
    away = np.flatnonzero(~inside[net.edge_u] & ~inside[net.edge_v])[:2]
    layout = make_layout(net, np.concatenate([crossing, away]), read_rate=0.9)
    layout.loc[0, "read_rate"] = 0.0
    camera, edge = reading_pairs(layout, net)
    assert 0 not in camera.tolist() and set(camera.tolist()) == {1, 2, 3, 4}
    assert crossing[0] not in edge.tolist() and set(edge.tolist()) >= {*crossing[1:].tolist(), *away.tolist()}
    run = RunContext(SimpleNamespace(), net, layout, pd.DataFrame(), None, pd.DataFrame(), 1)
    assert sorted(watched_edges(run).tolist()) == sorted(edge.tolist())
    assert fence_cameras(layout, net, inside, ~inside) == 2
    # wholly inside is no fence either
    assert fence_cameras(layout, net, np.ones(len(net.nodes), bool), np.zeros(len(net.nodes), bool)) == 0


def areas_scenario(how):
    return SimpleNamespace(name="s", metrics=SimpleNamespace(areas=how, center=None, ring_km=None, rings=5))


def test_areas_auto_are_jurisdictions_when_there_are_two():
    two = line()
    one = two_way_roads({0: (0.0, 0.0), 1: (100.0, 0.0)}, [(0, 1, "a")])
    none = two_way_roads({0: (0.0, 0.0), 1: (100.0, 0.0)}, [(0, 1, "")])
    # one jurisdiction and untagged roads: one area, not two
    some = two_way_roads({0: (0.0, 0.0), 1: (100.0, 0.0), 2: (200.0, 0.0)}, [(0, 1, "a"), (1, 2, "")])
    assert area_kind(areas_scenario("auto"), some) == "rings"
    assert area_kind(areas_scenario("auto"), two) == "jurisdiction"
    assert area_kind(areas_scenario("auto"), one) == "rings"
    assert area_kind(areas_scenario("rings"), two) == "rings"
    assert scenario_areas(areas_scenario("none"), two) is None
    nodes, edges, names = scenario_areas(areas_scenario("auto"), two)
    assert names == ["a", "b"]
    assert scenario_areas(areas_scenario("jurisdiction"), one)[2] == ["a"]
    with pytest.raises(ScenarioError, match='^s: metrics.areas = "jurisdiction" but no road has a jurisdiction; use '
                                            'areas = "rings" or give the network jurisdictions$'):
        scenario_areas(areas_scenario("jurisdiction"), none)


def test_calibration_reports_the_achieved_reads_and_the_fit_to_counts(tmp_path):
    """Counts 4 a day on 0 → 1 and 2 on 1 → 2; routes 0 → 1 → 2 and 0 → 1 over one day: 2 and 1 a day simulated, half
    of each count (relative errors −0.5). A given volume (8 and 4 over 2 days) is taken as it is: 4 and 2 a day."""
    net = line()
    edge = {(int(net.nodes[u]), int(net.nodes[v])): i for i, (u, v) in enumerate(zip(net.edge_u, net.edge_v))}
    (tmp_path / "c.csv").write_text("u,v,key,count\n0,1,0,4\n1,2,0,2\n", encoding="utf-8")
    scenario = SimpleNamespace(demand=SimpleNamespace(counts="c.csv", counts_max_snap_m=50.0),
                               resolve=lambda p: tmp_path / p)
    routes = Routes(offsets=np.array([0, 2, 3]), edges=np.array([edge[0, 1], edge[1, 2], edge[0, 1]]),
                    travel_time=np.array([20.0, 10.0]))
    run = RunContext(scenario, net, pd.DataFrame({"camera_id": []}), pd.DataFrame(), routes, pd.DataFrame(), 1,
                     calibration={"target": 7.0})
    out, tables = call("calibration", run, done={"reads_per_camera_per_day": 3.0})
    fit = out["calibration"].pop("fit")
    assert out == {"calibration": {"target": 7.0, "achieved_reads_per_camera_per_day": 3.0}}
    assert fit["n_counts"] == 2 and fit["total_simulated_over_observed"] == 0.5
    assert fit["relative_error_abs_median"] == 0.5
    assert list(tables) == ["count_fit"] and tables["count_fit"]["simulated"].tolist() == [2.0, 1.0]
    assert run.calibration == {"target": 7.0}  # a copy is reported, the run's own is left alone
    volume = np.zeros(net.n_edges)
    volume[[edge[0, 1], edge[1, 2]]] = [8.0, 4.0]
    run = RunContext(scenario, net, pd.DataFrame({"camera_id": []}), pd.DataFrame(), routes, pd.DataFrame(), 2,
                     calibration={}, volume=volume)
    out, tables = call("calibration", run, done={"reads_per_camera_per_day": 3.0,
                                                 "reads_per_camera_per_day_full_scale": 30.0})
    assert out["calibration"]["achieved_reads_per_camera_per_day"] == 30.0
    assert out["calibration"]["fit"]["total_simulated_over_observed"] == 1.0
    assert tables["count_fit"]["simulated"].tolist() == [4.0, 2.0]
    # no counts file: the calibration alone
    scenario.demand.counts = None
    assert call("calibration", run, done={"reads_per_camera_per_day": 3.0}) == (
        {"calibration": {"achieved_reads_per_camera_per_day": 3.0}}, {})


def test_a_sample_of_the_fleet_scales_reads_per_reader_back_up():
    """Patrol cars and fixed cameras, half the fleet simulated: the reads of the mobile readers over cars × days,
    and both rates per reader doubled for the whole fleet."""
    scenario = load_scenario(PROJECT / "scenarios" / "patrol-vs-fixed.toml",
                             overrides=["demand.trips=500", "demand.sample_share=0.5", "traffic.engine=simpy"])
    run = simulate_scenario(scenario)
    m, layout = run.metrics, run.layout
    mobile = set(layout.loc[layout["kind"] == "mobile", "camera_id"])
    n_cars, days = len(mobile), m["n_days"]
    assert n_cars > 0 and m["n_patrol_cars"] == n_cars and m["sample_share"] == 0.5
    assert m["reads_per_patrol_car_per_day"] == pytest.approx(run.reads["camera_id"].isin(mobile).sum()
                                                              / (n_cars * days))
    assert m["reads_per_patrol_car_per_day_full_scale"] == pytest.approx(2 * m["reads_per_patrol_car_per_day"])
    assert m["reads_per_camera_per_day_full_scale"] == pytest.approx(2 * m["reads_per_camera_per_day"])


def test_traffic_from_outside_by_vehicle_kind():
    """Vehicle 1 a resident working outside, 2 through traffic, 3 an in-commuter, 5 a second resident; trips by 1, 1, 2
    and 3: 2 of 4 by vehicles from outside. Without the population model: no number, and why."""
    persons = pd.DataFrame({"vehicle_id": [1, 2, 3, 5], "kind": ["resident", "through", "in-commuter", "resident"],
                            "works_outside": [True, False, False, False]})
    trips = pd.DataFrame({"vehicle_id": [1, 1, 2, 3]})
    run = RunContext(SimpleNamespace(), None, pd.DataFrame({"camera_id": []}), trips, None, pd.DataFrame(), 1,
                     persons=persons)
    out = call("traffic_from_outside", run)
    assert (out["share_trips_external"], out["share_trips_external_n"]) == (0.5, 4)
    # the kinds add up to the vehicles; the residents working outside are a part of the residents (helper-38)
    assert out["vehicles_by_kind"] == {"resident": 2, "in-commuter": 1, "through": 1, "visitor": 0}
    assert out["n_residents_working_outside"] == 1
    run = RunContext(SimpleNamespace(), None, pd.DataFrame({"camera_id": []}), trips, None, pd.DataFrame(), 1,
                     persons=persons.drop(columns="works_outside"))
    assert "n_residents_working_outside" not in call("traffic_from_outside", run)
    for persons in (None, persons[["vehicle_id"]]):
        run = RunContext(SimpleNamespace(), None, pd.DataFrame({"camera_id": []}), trips, None, pd.DataFrame(), 1,
                         persons=persons)
        assert call("traffic_from_outside", run) == {
            "share_trips_external": None,
            "share_trips_external_reason": "traffic from outside is modelled in the population model only"}


def test_a_whole_fleet_run_with_the_population_model_writes_its_vehicles():
    """The population model's vehicles go to ``vehicles.parquet`` in a run of the whole fleet too (the golden runs
    with a population model are samples, which take the other branch): one row per vehicle, every vehicle that
    drove among them, and the 150 residents the scenario asks for."""
    scenario = load_scenario(overrides=["network.rows=8", "network.cols=8", "demand.model='population'",
                                        "demand.vehicles=150", "demand.days=1", "cameras.count=10",
                                        "metrics.pair_samples=50", "traffic.engine=simpy"])
    assert scenario.demand.sample_share == 1
    run = simulate_scenario(scenario)
    vehicles = run.tables["vehicles"]
    assert isinstance(vehicles, pd.DataFrame) and vehicles["vehicle_id"].is_unique
    assert set(run.trips["vehicle_id"]) <= set(vehicles["vehicle_id"])
    assert int((vehicles["kind"] == "resident").sum()) == 150
