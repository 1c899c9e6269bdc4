"""Person-level metrics and reconstruction quality on hand-built and clean synthetic cases."""

from __future__ import annotations

import html
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from sim.cameras import make_layout, watch_pairs
from sim.demand import uniform_trips
from sim.generators import grid_network
from sim.metrics import (
    exposure_by_length, home_inference, next_camera_accuracy, searcher_reads, time_to_first_read, uniqueness,
)
from sim.routing import fastest_routes
from sim.reads import read_passes
from sim.runner import simulate_scenario
from sim.scenario import load_scenario
from sim.routing import route_crossings
from sim.traffic import simulate

from conftest import place_guesses_by_hand, small_scenario, true_homes

HOUR = 3600.0


def traces(points_by_vehicle):
    rows = [(v, cam, hour * HOUR + 1) for v, pts in points_by_vehicle.items() for cam, hour in pts]
    return pd.DataFrame(rows, columns=["plate", "camera_id", "time_s"])


@pytest.mark.parametrize("seed", range(5))
def test_uniqueness_on_hand_built_traces(seed):
    rng = np.random.default_rng(seed)
    # A and B share both points, C is alone with its two: for k = 2 only C is unique
    reads = traces({0: [("c1", 0), ("c2", 1)], 1: [("c1", 0), ("c2", 1)], 2: [("c3", 0), ("c4", 5)]})
    assert uniqueness(reads, 2, rng) == pytest.approx(1 / 3)
    assert uniqueness(reads, 3, rng) is None  # nobody has 3 points
    # with k = 1: C is unique whichever point is drawn; A and B never are
    assert uniqueness(reads, 1, rng) == pytest.approx(1 / 3)
    # same camera, different hour is a different point
    reads = traces({0: [("c1", 0)], 1: [("c1", 1)]})
    assert uniqueness(reads, 1, rng) == 1.0


@pytest.mark.parametrize("seed", range(3))
def test_uniqueness_of_two_point_traces_against_every_other_trace(seed):
    """60 random plates over 4 cameras and 6 hours; a plate of exactly 2 points has both drawn at k = 2, so it
    is unique exactly when no other plate's trace holds both (checked by sets, plate by plate)."""
    from sim.metrics import unique_plates

    rng = np.random.default_rng(seed)
    points = {v: {(f"c{c}", int(h)) for c, h in zip(rng.integers(0, 4, n), rng.integers(0, 6, n))}
              for v, n in enumerate(rng.integers(1, 6, 60))}
    reads = traces({v: sorted(pts) for v, pts in points.items()})
    two = [v for v, pts in points.items() if len(pts) == 2]
    expected = {v: not any(points[v] <= points[w] for w in points if w != v) for v in two}
    assert 0 < sum(expected.values()) < len(expected)  # both kinds occur
    scored = unique_plates(reads, [2], np.random.default_rng(0))[2].set_index("plate")["unique"]
    assert set(scored.index) == {v for v, pts in points.items() if len(pts) >= 2}
    assert {v: bool(scored[v]) for v in two} == expected


def test_home_inference_exact_with_cameras_everywhere():
    net = grid_network(6, 6, rng=np.random.default_rng(0))
    layout = make_layout(net, np.arange(net.n_edges), read_rate=1.0)
    trips = uniform_trips(net, 60, 3, np.random.default_rng(1))
    routes = fastest_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]))
    timed, passes = simulate(trips, routes, route_crossings(net, routes, *watch_pairs(layout, net)))
    reads = read_passes(passes, timed, layout, datetime(2023, 1, 1), np.random.default_rng(0))
    seen, owner = searcher_reads(reads)
    result = home_inference(seen, timed, net, owner)
    assert result["n_vehicles_scored"] == 30
    assert result["home_inference_accuracy"] == 1.0
    # the first camera of the day sits on the first street out of home: half a block away
    first_edges = [routes.route(i)[0] for i in range(len(trips))]
    half_block = np.median(net.edge_length[first_edges]) / 2
    assert result["home_error_m_median"] == pytest.approx(half_block, rel=0.25)


def commute_reads(n_vehicles, n_days, n_cameras, rng, shuffled):
    rows = []
    for v in range(n_vehicles):
        route = rng.permutation(n_cameras)[:6]
        for d in range(n_days):
            seq = rng.integers(0, n_cameras, 6) if shuffled else route
            for i, cam in enumerate(seq):
                rows.append((f"P{v:04d}", f"c{cam}", d * 86_400.0 + 8 * HOUR + i * 60))
    return pd.DataFrame(rows, columns=["plate", "camera_id", "time_s"])


def test_markov_predictor_is_exact_on_a_deterministic_commute():
    reads = commute_reads(20, 5, 12, np.random.default_rng(0), shuffled=False)
    result = next_camera_accuracy(reads)
    assert result["n_transitions_scored"] == 20 * 5
    assert result["next_camera_top1_accuracy"] == 1.0


def test_markov_predictor_is_at_chance_on_shuffled_sequences():
    n_cameras = 10
    reads = commute_reads(200, 5, n_cameras, np.random.default_rng(1), shuffled=True)
    result = next_camera_accuracy(reads)
    n = result["n_transitions_scored"]
    chance = 1 / n_cameras
    assert abs(result["next_camera_top1_accuracy"] - chance) < 4 * np.sqrt(chance * (1 - chance) / n)


def test_misreads_are_recovered_and_rarely_merge_two_vehicles():
    sim = simulate_scenario(small_scenario("cameras.misread_rate=0.05", "demand.days=2", "cameras.count=20",
                                           "cameras.min_spacing_m=100"))
    m = sim.metrics
    assert m["n_misreads"] > 20
    assert m["share_misreads_recovered"] > 0.8
    assert m["share_matches_wrong"] < 0.05
    off = simulate_scenario(small_scenario("cameras.misread_rate=0.05", "demand.days=2", "cameras.count=20",
                                           "cameras.min_spacing_m=100", "reconstruct.misread_tolerance=false"))
    assert off.metrics["n_matched"] == 0 and off.metrics["share_misreads_recovered"] == 0.0
    assert m["n_plates"] == off.metrics["n_plates"]  # n_plates counts plates as read


def test_exposure_bands_and_first_read_delay_equal_direct_counts():
    sim = simulate_scenario(small_scenario())
    table = sim.trip_table[sim.trip_table["view"] == "all"]
    bands = exposure_by_length(table)
    short = table[table["length_m"] < 1000]
    assert bands["0-1"]["n_trips"] == len(short)
    assert bands["0-1"]["share_read_ge1"] == pytest.approx((short["n_reads"] >= 1).mean())
    delay = time_to_first_read(sim.trips, sim.reads)
    first = sim.reads.groupby("trip_id")["time_s"].min()
    depart = sim.trips.set_index("trip_id")["depart_s"]
    np.testing.assert_allclose(np.sort(delay), np.sort((first - depart[first.index]).to_numpy()))
    assert (delay > 0).all()
    assert sim.metrics["trip_split_accuracy"] > 0.95


def test_multi_day_run_reports_person_metrics_and_one_day_says_why_not():
    """The run's home and next-camera numbers equal the rules recomputed here in plain Python from the
    searcher's reads (plate after matching, time, camera), scored by the true vehicle behind each plate."""
    one_day = simulate_scenario(small_scenario())
    one = one_day.metrics
    assert one["home_inference_accuracy"] is None and "two or more days" in one["home_inference_accuracy_reason"]
    # the report says so where the guesses would be (it shows only the uniqueness rows)
    assert "Home, work and the next camera are not guessed: needs a run of two or more days" in render_report(
        one_day)
    sim = simulate_scenario(small_scenario("demand.days=3", "cameras.misread_rate=0.05"))
    m = sim.metrics
    page = html.unescape(render_report(sim))
    assert "are not guessed" not in page
    # each share of the identifiability table with its denominator: plates for uniqueness, transitions for the
    # next camera (the count of the metric, not of the table)
    table = page.split("How identifiable, how foreseeable", 1)[1].split("</table>", 1)[0]
    assert f"<td class=num>{m['uniqueness_k2_n']:,} plates</td>" in table
    markov1 = m["predictability"]["markov1"]["n_transitions"]
    assert markov1 == m["next_camera_top1_accuracy_n"]
    assert f"<td class=num>{markov1:,} transitions</td>" in table
    hits = place_guesses_by_hand(sim.reads, sim.recon.plate_key, true_homes(sim.trips), sim.net)
    assert m["home_inference_accuracy_n"] == len(hits) > 20
    assert m["home_inference_accuracy"] == pytest.approx(np.mean(hits))
    reads = sim.reads.assign(who=sim.recon.plate_key, day=(sim.reads["time_s"] // 86_400).astype(int))
    reads = reads.sort_values(["who", "time_s"], kind="stable")
    # next camera: the held-out transitions are those leaving a read of the last day (day 2), by hand
    last_day = 2
    transitions = 0
    for who, mine in reads.groupby("who", sort=True):
        days = np.minimum(mine["day"].to_numpy(), last_day)
        transitions += int((days[:-1] == last_day).sum())
    assert m["next_camera_top1_accuracy_n"] == transitions
    lo, hi = m["next_camera_top1_accuracy_ci"]
    assert lo < m["next_camera_top1_accuracy"] < hi


def test_a_sampled_fleet_reports_no_crowd_dependent_person_metric_and_says_why():
    """The same town whole and as a quarter sample: the whole one has U(2); the sample reports null and the
    reason, never the sample's own value (which is higher: fewer others to hide among)."""
    town = ["network.rows=10", "network.cols=10", "demand.model='population'", "demand.days=3",
            "demand.zone_km=0.5", "cameras.count=20", "metrics.pair_samples=20"]
    whole = simulate_scenario(load_scenario(overrides=town + ["demand.vehicles=800"])).metrics
    quarter = simulate_scenario(load_scenario(overrides=town + ["demand.vehicles=200", "demand.sample_share=0.25"]))
    m = quarter.metrics
    assert isinstance(whole["uniqueness_k2"], float) and isinstance(whole["home_inference_accuracy"], float)
    for key in ("uniqueness_k2", "uniqueness_k3_of_all", "home_inference_accuracy", "work_inference_accuracy",
                "next_camera_top1_accuracy"):
        assert m[key] is None and m[f"{key}_ci"] is None
        assert "25% sample" in m[f"{key}_reason"] and "sample_share = 1" in m[f"{key}_reason"]
    assert "vehicle_uniqueness" not in quarter.tables and "predictability" not in m
    # the numbers that do not depend on the crowd are still there
    assert isinstance(m["share_trips_read_ge1"], float)
    page = render_report(quarter)
    assert "Not computed: the run simulates a 25% sample" in page


def render_report(sim):
    from sim.report import render_report as render

    return render(sim.metrics, sim.scenario.to_toml(), [], "sampled")
