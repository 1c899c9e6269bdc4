"""Reader profiles fill a camera group's keys; placement as practised: ways into neighbourhoods, road classes."""

from __future__ import annotations

import pytest

from sim import ScenarioError, load_scenario, simulate_scenario
from sim.checks import check_scenario

SMALL = ["network.rows=13", "network.cols=13", "network.arterial_every=6", "demand.trips=600",
         "metrics.pair_samples=20", "cameras.min_spacing_m=0"]


def test_a_profile_fills_only_what_the_group_leaves_unset(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[cameras]\nprofile = "flock-pole"\nread_rate = 0.6\n'
                    '[[camera_groups]]\nprofile = "rekor-highway"\n'
                    '[[camera_groups]]\nprofile = "mine"\n'
                    '[[profiles]]\nname = "mine"\nread_rate = 0.5\ndirection = "both"\n')
    s = load_scenario(path)
    flock, rekor, mine = s.all_cameras
    assert (flock.read_rate, flock.direction, flock.vendor) == (0.6, "forward", "Flock Safety")
    assert "residential" in flock.road_classes and "motorway" not in flock.road_classes
    assert (rekor.read_rate, rekor.vendor) == (0.9, "Rekor") and "motorway" in rekor.road_classes
    assert (mine.read_rate, mine.direction, mine.road_classes) == (0.5, "both", None)
    # the resolved scenario (scenario.toml of a run) reads back the same
    again = tmp_path / "again.toml"
    again.write_text(s.to_toml())
    assert load_scenario(again).all_cameras == s.all_cameras


def test_an_unknown_profile_is_named_with_the_choices():
    with pytest.raises(ScenarioError, match=r"cameras.profile = 'flok' is not a reader profile; use one of "
                                            r"'flock-pole', 'rekor-highway'"):
        load_scenario(overrides=["cameras.profile='flok'"])


def test_entrances_stand_on_local_streets_leading_in_from_bigger_roads():
    """Checked on the networkx graph itself: the tail touches a primary road, the head only residential ones."""
    sim = simulate_scenario(load_scenario(overrides=SMALL + ["cameras.strategy='entrances'", "cameras.count=12",
                                                             "cameras.site='edge'"]))
    g = sim.net.graph
    assert len(sim.layout) == 12
    for u, v, k in sim.layout[["u", "v", "key"]].itertuples(index=False):
        assert g.edges[u, v, k]["highway"] == "residential"
        around_u = {d["highway"] for *_, d in g.in_edges(u, data=True)} | {d["highway"] for *_, d in
                                                                            g.out_edges(u, data=True)}
        around_v = {d["highway"] for *_, d in g.in_edges(v, data=True)} | {d["highway"] for *_, d in
                                                                            g.out_edges(v, data=True)}
        assert "primary" in around_u and around_v == {"residential"}
    # the busiest entrances: no other entrance carries more trips than the quietest camera's
    from sim.placement import edge_volume, entrance_edges

    volume = edge_volume(sim.net, sim.routes)
    chosen = [sim.net.edge_id(u, v, k) for u, v, k in sim.layout[["u", "v", "key"]].itertuples(index=False)]
    others = entrance_edges(sim.net).copy()
    others[chosen] = False
    assert volume[others].max() <= volume[chosen].min()


def test_road_classes_keep_a_group_on_its_roads():
    sim = simulate_scenario(load_scenario(overrides=SMALL + ["cameras.strategy='volume'", "cameras.count=10",
                                                             "cameras.road_classes=['residential']"]))
    g = sim.net.graph
    assert {g.edges[u, v, k]["highway"] for u, v, k in sim.layout[["u", "v", "key"]].itertuples(index=False)} == {
        "residential"}
    unconstrained = simulate_scenario(load_scenario(overrides=SMALL + ["cameras.strategy='volume'",
                                                                       "cameras.count=10"]))
    assert "primary" in {g.edges[u, v, k]["highway"]
                         for u, v, k in unconstrained.layout[["u", "v", "key"]].itertuples(index=False)}


@pytest.mark.parametrize("overrides, fragment", [
    (["cameras.road_classes=['motorway']"], "cameras.road_classes: no road is of class motorway; the network has "
                                            "primary, residential"),
    (["cameras.strategy='entrances'", "cameras.count=5000"], "cameras.count = 5000"),
])
def test_validate_names_a_group_that_cannot_be_placed(overrides, fragment):
    with pytest.raises(ScenarioError) as info:
        check_scenario(load_scenario(overrides=SMALL + overrides))
    assert fragment in str(info.value)


def test_patrol_profiles_fill_a_fleet_and_explicit_keys_win():
    s = load_scenario(overrides=["patrols=[{cars=2, profile='patrol-car', read_rate=0.8}, "
                                 "{cars=1, profile='parking-car', prefix='peo'}]"])
    car, peo = s.patrols
    assert (car.read_rate, car.parked_read_rate, car.driving_share, car.shift_hours) == (0.8, 0.3, 0.5, 10.0)
    assert (peo.speed_factor, peo.parked_read_rate, peo.driving_share) == (0.4, 0.5, 0.8)
    with pytest.raises(ScenarioError, match=r"patrols\[0\].profile = 'flock-pole' is not a reader profile"):
        load_scenario(overrides=["patrols=[{cars=2, profile='flock-pole'}]"])


def patrol_shifts(size: int, n_beats: int, cars: int, **options):
    """Three 8-hour shifts of ``cars`` patrol cars on a ``size`` x ``size`` grid split into ``n_beats`` beats."""
    import numpy as np

    from sim.generators import grid_network
    from sim.traffic.patrols import drive_patrols, patrol_beats

    net = grid_network(size, size, rng=np.random.default_rng(0))
    beats = patrol_beats(net, n_beats, np.random.default_rng(1))
    return drive_patrols(net, beats, np.arange(cars) % n_beats, rng=np.random.default_rng(2), days=3,
                         shift_start_s=8 * 3600, shift_s=8 * 3600, speed_factor=0.7, **options)


def test_a_patrol_car_drives_about_its_share_of_the_shift_and_reads_nothing_standing():
    always = patrol_shifts(12, 4, 20)
    assert always.equals(patrol_shifts(12, 4, 20, driving_share=1.0))  # the old behaviour, draw for draw
    half = patrol_shifts(12, 4, 20, driving_share=0.5)
    driving = (half["t_out"] - half["t_in"]).sum() / (20 * 3 * 8 * 3600)
    assert abs(driving - 0.5) < 0.06
    full = (always["t_out"] - always["t_in"]).sum() / (20 * 3 * 8 * 3600)
    assert full > 0.98  # it drove the whole shift (the last edge may run over)
    # standing is between legs: the driven intervals never overlap and stay inside the shifts
    for _, car in half.groupby("car"):
        assert (car["t_in"].to_numpy()[1:] >= car["t_out"].to_numpy()[:-1] - 1e-9).all()
        assert ((car["t_in"] % 86_400) >= 8 * 3600 - 1e-9).all() and ((car["t_in"] % 86_400) < 16 * 3600).all()


def test_parked_cars_are_read_at_their_own_rate():
    import numpy as np
    import pandas as pd

    from sim.reads import read_passes

    n = 20_000
    direction = np.where(np.arange(n) % 2 == 0, "parked", "oncoming")
    passes = pd.DataFrame({"trip": np.zeros(n, np.int64), "camera": np.zeros(n, np.int64),
                           "edge": np.zeros(n, np.int64), "backward": direction == "oncoming",
                           "time_s": np.arange(n, dtype=float), "direction": direction.astype(object)})
    trips = pd.DataFrame({"trip_id": [0], "vehicle_id": [0], "plate": ["ABC1234"]})
    layout = pd.DataFrame({"camera_id": ["spd-1"], "read_rate": [1.0], "misread_rate": [0.0],
                           "parked_read_rate": [0.25]})
    reads = read_passes(passes, trips, layout, pd.Timestamp("2021-10-01").to_pydatetime(), np.random.default_rng(3))
    counts = reads["direction"].value_counts()
    assert counts["oncoming"] == n // 2  # a moving car: read_rate 1
    assert abs(counts["parked"] / (n // 2) - 0.25) < 0.02


def test_a_patrol_with_hot_spots_keeps_to_fewer_roads_and_returns_to_them():
    roaming = patrol_shifts(14, 2, 6)
    keeping = patrol_shifts(14, 2, 6, hot_spots=3, hot_spot_share=1.0)
    for car in range(6):
        wide = roaming.loc[roaming["car"] == car, "edge"]
        kept = keeping.loc[keeping["car"] == car, "edge"]
        assert kept.nunique() < 0.5 * wide.nunique()
        # the same roads every day: most of a day's driving is on roads driven the day before too
        day = keeping.loc[keeping["car"] == car, "t_in"] // 86_400
        wide_day = roaming.loc[roaming["car"] == car, "t_in"] // 86_400
        again = kept[day == 1].isin(set(kept[day == 0])).mean()
        assert again > 0.9 and again > wide[wide_day == 1].isin(set(wide[wide_day == 0])).mean()


def test_an_inbound_cordon_reads_every_trip_into_the_district_and_none_that_only_leave():
    """Checked trip by trip on the true routes: a trip is read iff its route crosses into the district."""
    import numpy as np

    sim = simulate_scenario(load_scenario(overrides=[
        "network.rows=8", "network.cols=8", "demand.trips=400", "metrics.pair_samples=20", "cameras.strategy='cordon'",
        "cameras.district={nodes=[27, 28, 35, 36]}", "cameras.watch='in'", "cameras.read_rate=1.0"]))
    inside = np.isin(sim.net.nodes, [27, 28, 35, 36])
    layout = sim.layout
    assert inside[sim.net.node_indices(layout["v"])].all() and not inside[sim.net.node_indices(layout["u"])].any()
    read = set(sim.reads["trip_id"])
    entering = leaving_only = 0
    for row, trip_id in enumerate(sim.trips["trip_id"]):
        route = sim.routes.route(row)
        enters = bool((~inside[sim.net.edge_u[route]] & inside[sim.net.edge_v[route]]).any())
        leaves = bool((inside[sim.net.edge_u[route]] & ~inside[sim.net.edge_v[route]]).any())
        assert (trip_id in read) == enters
        entering += enters
        leaving_only += leaves and not enters
    assert entering > 10 and leaving_only > 10  # both kinds of trip were there to tell apart
    with pytest.raises(ScenarioError, match="watch = 'in' applies to strategy 'cordon' only"):
        load_scenario(overrides=["cameras.watch='in'"])


def test_a_camera_reads_its_lanes_share_of_a_wider_road():
    """Hand cases: a 6-lane two-way road (3 each way) read on 2 lanes: 2/3; untagged: all; a two-way road tagged
    ["2", "3"] (OSM lists: the first, 2, so 1 each way): all."""
    import numpy as np

    from sim.cameras import make_layout
    from sim.generators import grid_network
    from sim.stages.cameras import lanes_read_rate

    net = grid_network(3, 3, one_way_share=0, rng=np.random.default_rng(0))
    g = net.graph
    e_wide, e_tagless = 0, 2
    u, v, k = net.nodes[net.edge_u[e_wide]], net.nodes[net.edge_v[e_wide]], int(net.edge_key[e_wide])
    g.edges[u, v, k]["lanes"] = "6"
    e_one = 4
    a, b, c = net.nodes[net.edge_u[e_one]], net.nodes[net.edge_v[e_one]], int(net.edge_key[e_one])
    g.edges[a, b, c]["lanes"] = ["2", "3"]  # OSM lists: the first
    layout = make_layout(net, np.array([e_wide, e_tagless, e_one]), read_rate=0.9)
    rates = lanes_read_rate(layout, net, 2)["read_rate"].to_numpy()
    assert rates.tolist() == pytest.approx([0.9 * 2 / 3, 0.9, 0.9])
    assert lanes_read_rate(layout, net, 1)["read_rate"].to_numpy().tolist() == pytest.approx([0.3, 0.9, 0.9])


def test_read_rate_by_speed_scales_each_camera_by_its_roads_speed():
    """Checked against the graph's own speed_kph: a curve of 1 up to 30 km/h falling to 0 at 60."""
    sim = simulate_scenario(load_scenario(overrides=SMALL + [
        "cameras.count=30", "cameras.strategy='random'", "cameras.read_rate=0.8",
        "cameras.read_rate_by_speed=[[30, 1.0], [60, 0.0]]"]))
    g = sim.net.graph
    layout = sim.layout
    speeds = [g.edges[u, v, k]["speed_kph"] for u, v, k in zip(layout["u"], layout["v"], layout["key"])]
    expected = [0.8 * (1.0 if s <= 30 else 0.0 if s >= 60 else (60 - s) / 30) for s in speeds]
    assert len(set(speeds)) > 1  # arterials and local streets both carry cameras
    assert layout["read_rate"].tolist() == pytest.approx(expected)


@pytest.mark.parametrize("curve, message", [
    ("[[50, 1.0], [30, 0.5]]", "speeds must rise"),
    ("[[30, 1.0], [60, 1.5]]", "factors must be between 0 and 1"),
    ("[]", "read_rate_by_speed is empty"),
])
def test_a_bad_read_rate_by_speed_is_refused_by_name(curve, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(overrides=[f"cameras.read_rate_by_speed={curve}"])
