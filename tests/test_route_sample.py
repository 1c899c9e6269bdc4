"""``[metrics] route_sample``: a run keeps the routes of a sample of vehicles, and every trip's reads.

The runs with a sample are checked against the same scenario run with every
route kept (the plain path, no sampling code involved): the same trips,
passes and reads bit for bit; for the sampled trips the same recall and
precision; the shares computed by hand from the full run's per-trip table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim import ScenarioError, load_scenario, run_scenario, simulate_scenario
from sim.cameras import watch_pairs
from sim.explore import ExploreError, explore_data
from sim.io.run import read_run
from sim.metrics.catalogue import scenario_areas
from sim.seeds import stage_rngs
from sim.routing import route_crossings
from sim.stages.network import build_network
from sim.stages.routes import ROUTE_SAMPLE_STRATA, route_sample_mask

from conftest import PROJECT, small_scenario

#: the golden test's shrunk Westchester (calibrated: its cameras are placed before the fleet is routed)
WESTCHESTER = [
    "network.size_km=12", "network.towns=6", "network.rows=12", "network.cols=12", "network.crossings=10",
    "camera_groups.0.count=60", "demand.pilot_vehicles=1000", "demand.sample_share=0.02",
]


def _both(path, overrides, sample):
    full = simulate_scenario(load_scenario(path, overrides=[*overrides, "metrics.route_sample='all'"]))
    part = simulate_scenario(load_scenario(path, overrides=[*overrides, f"metrics.route_sample={sample}"]))
    return full, part


@pytest.fixture(scope="module")
def westchester():
    return _both(PROJECT / "scenarios" / "westchester-sanctuary.toml", WESTCHESTER, 500)


@pytest.mark.parametrize("extra", [
    ["traffic.route_noise=0.0"], ["traffic.route_noise=0.3"], ["traffic.congestion='ue'"],
    ["outages.mtbf_h=6.0", "outages.mttr_h=2.0", "cameras.misread_rate=0.02", "reads.duplicate_rate=0.05"],
], ids=["fastest", "noise", "congestion", "outages-misreads"])
def test_a_sample_of_routes_leaves_every_trip_and_read_as_it_was(extra):
    """Teaching grid: cameras not placed on routes, so both runs have the same layout whatever is kept."""
    full, part = _both(None, [*extra, "demand.trips=3000"], 300)
    assert part.metrics["route_sample"]["vehicles"] == 300
    assert full.layout.equals(part.layout)
    pd.testing.assert_frame_equal(part.trips.drop(columns="route_kept"), full.trips, check_exact=True)
    pd.testing.assert_frame_equal(part.reads, full.reads, check_exact=True)
    kept = part.trips["route_kept"].to_numpy()
    assert np.array_equal(part.routes.travel_time, full.routes.travel_time)
    for row in np.flatnonzero(kept)[:50]:
        assert np.array_equal(part.routes.route(row), full.routes.route(row))
    assert not np.diff(part.routes.offsets)[~kept].any()  # the others store no edge
    for key in ("congestion", "n_passes_lost_to_outages", "n_misreads"):  # the case's feature was at work
        assert part.metrics.get(key) == full.metrics.get(key), key
    if "congestion" in extra[0]:
        assert part.metrics["congestion"]["delay_ratio"] > 1
    if "outages" in extra[0]:
        assert part.metrics["n_passes_lost_to_outages"] > 0 and part.metrics["n_misreads"] > 0


def test_cameras_placed_on_routes_are_placed_on_the_samples(tmp_path):
    """``volume`` cameras in a run that is not calibrated: placed on the sample's routes (found first), the
    other trips routed after. The reads are those of a run keeping every route with that very layout."""
    overrides = ["cameras.strategy='volume'", "demand.trips=3000"]
    part = simulate_scenario(load_scenario(overrides=[*overrides, "metrics.route_sample=300"]))
    kept = part.routes.kept
    assert kept is not None
    busiest = np.argsort(-np.bincount(part.routes.edges, minlength=part.net.n_edges), kind="stable")
    cameras = {part.net.edge_id(u, v, k) for u, v, k in zip(part.layout["u"], part.layout["v"], part.layout["key"])}
    assert busiest[0] in cameras  # the sample's busiest road has a camera
    part.layout.to_csv(tmp_path / "cameras.csv", index=False)
    (tmp_path / "city.toml").write_text(load_scenario(overrides=overrides).to_toml().replace(
        'strategy = "volume"', f'strategy = "file"\npath = "{tmp_path / "cameras.csv"}"'), encoding="utf-8")
    full = simulate_scenario(load_scenario(tmp_path / "city.toml", overrides=["metrics.route_sample='all'"]))
    pd.testing.assert_frame_equal(part.reads, full.reads, check_exact=True)


def test_the_calibrated_county_keeps_its_reads_and_scores_the_sample(westchester):
    full, part = westchester
    sample = part.metrics["route_sample"]
    assert (sample["vehicles"], sample["of_vehicles"]) == (500, full.metrics["n_vehicles"])
    pd.testing.assert_frame_equal(part.reads, full.reads, check_exact=True)
    pd.testing.assert_frame_equal(part.trips.drop(columns="route_kept"), full.trips, check_exact=True)
    kept = part.trips["route_kept"].to_numpy()
    assert int(kept.sum()) == sample["trips"]
    mine, theirs = (s.trip_table[s.trip_table["view"] == "all"].reset_index(drop=True) for s in (part, full))
    # per trip: the sample's recall and precision are the full run's; outside the sample there are none
    for column in ("route_recall", "route_precision"):
        assert np.array_equal(mine[column].to_numpy()[kept], theirs[column].to_numpy()[kept], equal_nan=True)
        assert np.isnan(mine[column].to_numpy()[~kept]).all()
    for column in ("n_reads", "n_sightings", "od_error_m"):
        assert np.array_equal(mine[column].to_numpy(), theirs[column].to_numpy(), equal_nan=True), column
    assert np.allclose(mine["length_m"], theirs["length_m"], rtol=1e-12)
    # the shares, by hand from the full run's table: counts over every trip, recall over the sample's
    vehicle = full.trips["vehicle_id"].to_numpy()
    recall = theirs["route_recall"].to_numpy()
    assert part.metrics["route_recall_mean"] == pytest.approx(recall[kept].mean(), rel=1e-12)
    assert part.metrics["route_recall_mean_n"] == kept.sum()
    assert part.metrics["route_recall_mean_ci"] == pytest.approx(clustered_wilson(recall[kept], vehicle[kept]),
                                                                 rel=1e-9)
    for key in ("share_trips_read_ge1", "share_trips_read_ge2", "share_long_trips_read", "n_reads", "n_plates"):
        assert part.metrics[key] == full.metrics[key], key
    low, high = part.metrics["route_recall_mean_ci"]
    assert low <= full.metrics["route_recall_mean"] <= high
    long_km = full.scenario.metrics.long_trip_km
    assert part.metrics["long_trips"]["n_trips"] == int(((theirs["length_m"] > long_km * 1000) & kept).sum())
    # where vehicles drive is the sample's: by hand, per area, the sampled vehicles driving and read there
    _, edge_area, names = scenario_areas(full.scenario, full.net)
    driving = {name: set() for name in names}
    for row in np.flatnonzero(kept):
        for area in set(edge_area[full.routes.route(row)]) & set(names):
            driving[area].add(vehicle[row])
    sampled = set(vehicle[kept])
    table = part.tables["areas"].set_index("area")
    for name in names:
        seen = {v for v, e in zip(full.reads["vehicle_id"], full.reads["edge"])
                if v in sampled and edge_area[e] == name}
        assert table.loc[name, "n_vehicles_driving"] == len(driving[name]), name
        assert table.loc[name, "n_vehicles_observed"] == len(seen), name
    # each agency's view is scored on the same sample
    for agency, numbers in part.metrics["agencies"].items():
        assert numbers["share_reads_visible"] == full.metrics["agencies"][agency]["share_reads_visible"], agency
        assert numbers["route_recall_mean_n"] == kept.sum(), agency


def test_every_trip_drives_what_its_whole_route_would():
    """The chunked routing's crossings, lengths and edge volumes against those of the full routes."""
    overrides = [*WESTCHESTER, "metrics.route_sample=300"]
    scenario = load_scenario(PROJECT / "scenarios" / "westchester-sanctuary.toml", overrides=overrides)
    net = build_network(scenario, stage_rngs(scenario.seed)["network"])
    sampled = _stages(scenario, net)
    everything = load_scenario(PROJECT / "scenarios" / "westchester-sanctuary.toml",
                               overrides=[*overrides[:-1], "metrics.route_sample='all'"])
    whole = _stages(everything, net)
    routes = whole["routed"].routes
    assert sampled["traffic"].routes.kept is not None and routes.kept is None
    assert np.array_equal(sampled["traffic"].volume, np.bincount(routes.edges, minlength=net.n_edges))
    by_hand = [net.edge_length[routes.route(i)].sum() for i in range(0, len(routes.travel_time), 97)]
    assert np.allclose(sampled["traffic"].trips["length_m"].to_numpy()[::97], by_hand, rtol=1e-12)
    # every trip's camera passes, at the same times, as if every route were kept
    crossings = route_crossings(net, routes, *watch_pairs(whole["cameras"].layout, net))
    assert len(crossings.trip) == len(sampled["traffic"].passes)
    for field in ("trip", "camera", "edge", "backward", "time_s"):
        assert np.array_equal(sampled["traffic"].passes[field].to_numpy(), whole["traffic"].passes[field].to_numpy())


def _stages(scenario, net):
    """The demand, routes, cameras and traffic stages of ``scenario`` on ``net``, one by one."""
    from sim.stages.cameras import place_readers
    from sim.stages.demand import build_demand
    from sim.stages.routes import route_trips
    from sim.stages.traffic import run_traffic

    rngs = stage_rngs(scenario.seed)
    demand = build_demand(scenario, net, rngs)
    routed = route_trips(scenario, net, demand.trips, rngs)
    cameras = place_readers(scenario, routed.net, routed.routes, rngs, demand.pilot_cameras)
    return {"routed": routed, "cameras": cameras,
            "traffic": run_traffic(scenario, demand.trips, routed, cameras, rngs)}


def test_the_sample_is_whole_vehicles_in_proportion_to_their_trips():
    # 500 one-trip cars, 300 two-trip cars, 200 cars of nine trips (the last stratum: 8 or more)
    trips_of = np.repeat([1, 2, 9], [500, 300, 200])
    trips = pd.DataFrame({"vehicle_id": np.repeat(np.arange(1000), trips_of)})
    scenario = load_scenario(overrides=["metrics.route_sample=100"])
    kept = route_sample_mask(scenario, trips)
    chosen = np.unique(trips["vehicle_id"].to_numpy()[kept])
    assert len(chosen) == 100
    assert kept.sum() == trips_of[chosen].sum()  # every trip of a chosen car
    assert np.bincount(np.minimum(trips_of[chosen], ROUTE_SAMPLE_STRATA))[[1, 2, 8]].tolist() == [50, 30, 20]
    assert np.array_equal(route_sample_mask(scenario, trips), kept)  # its own seeded stream
    assert route_sample_mask(load_scenario(overrides=["metrics.route_sample=1000"]), trips) is None


def test_patrols_need_every_route():
    scenario = load_scenario(PROJECT / "scenarios" / "patrol-vs-fixed.toml",
                             overrides=["demand.trips=400", "metrics.route_sample=50"])
    with pytest.raises(ScenarioError, match=r'patrol cars meet vehicles .* set metrics.route_sample = "all"'):
        simulate_scenario(scenario)


@pytest.mark.parametrize("value", ["0", "-3", "'some'"])
def test_a_bad_route_sample_is_refused_by_name(value):
    with pytest.raises(ScenarioError, match="route_sample"):
        load_scenario(overrides=[f"metrics.route_sample={value}"])


def test_a_sampled_run_folder_reads_back_and_draws(tmp_path):
    out = tmp_path / "run"
    scenario = small_scenario("metrics.route_sample=40", "output.figures=true")
    run_scenario(scenario, out)
    trips = pq.read_table(out / "trips.parquet")
    kept = trips.column("route_kept").to_numpy()
    assert trips.column("route").null_count == int((~kept).sum()) > 0  # no route: null, not an empty list
    back = read_run(out)
    assert np.array_equal(back.routes.kept, kept)
    sim = simulate_scenario(scenario)
    assert np.array_equal(back.routes.edges, sim.routes.edges)
    assert np.isnan(back.routes.travel_time[~kept]).all()
    assert "Routes of a sample" in (out / "report.html").read_text(encoding="utf-8")
    assert (out / "figures" / "coverage.png").stat().st_size > 0
    with pytest.raises(ExploreError, match="kept the routes of a sample"):
        explore_data(back)


def test_the_command_says_which_numbers_come_from_the_sample(tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app

    args = ["run", "-o", str(tmp_path / "o"), "--set", "network.rows=8", "--set", "network.cols=8",
            "--set", "cameras.count=12", "--set", "demand.trips=300", "--set", "metrics.pair_samples=50",
            "--set", "output.figures=false"]
    sampled = CliRunner().invoke(app, [*args, "--set", "metrics.route_sample=40"])
    assert sampled.exit_code == 0, sampled.output
    assert "the routes of 40 of 150 vehicles (80 trips) were kept" in " ".join(sampled.output.split())
    everything = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "all")])
    assert everything.exit_code == 0 and "route_sample" not in everything.output


def clustered_wilson(values: np.ndarray, clusters: np.ndarray, z: float = 1.959963984540054) -> list[float]:
    """docs/metrics.md's interval written out with plain loops: Wilson at n / deff, the design effect from the
    variance of the clusters' totals about the share (a ratio estimator), at least 1."""
    kept = [(float(v), c) for v, c in zip(values, clusters) if np.isfinite(v)]
    n = len(kept)
    p = sum(v for v, _ in kept) / n
    total: dict[int, float] = {}
    size: dict[int, int] = {}
    for v, c in kept:
        total[c] = total.get(c, 0.0) + v
        size[c] = size.get(c, 0) + 1
    k = len(total)
    var_clusters = k / (k - 1) * sum((total[c] - p * size[c]) ** 2 for c in total) / n ** 2
    n_eff = n / max(1.0, var_clusters / (p * (1 - p) / n))
    centre = (p + z * z / (2 * n_eff)) / (1 + z * z / n_eff)
    half = z / (1 + z * z / n_eff) * (p * (1 - p) / n_eff + z * z / (4 * n_eff ** 2)) ** 0.5
    return [centre - half, centre + half]
