"""Long drives across jurisdictions: covered kilometres, longest gap and operators, pool on and off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.access import access_graph, visible_reads
from sim.cameras import make_layout
from sim.metrics import long_trip_exposure, trip_gaps, trip_metrics
from sim.routing import fastest_routes
from sim.reconstruct import reconstruct

from conftest import straight_road

KM = 1000.0


@pytest.fixture
def drive():
    """Four 10 km segments at 36 km/h: town-1, highway, highway, town-3; one 40 km trip."""
    net = straight_road([10 * KM] * 4)
    edges = np.array([net.edge_id(0, 1), net.edge_id(2, 3), net.edge_id(3, 4)])
    layout = pd.concat([make_layout(net, edges[[0]], read_rate=1.0, operator="town-1", prefix="t1"),
                        make_layout(net, edges[[1]], read_rate=1.0, operator="state", prefix="st"),
                        make_layout(net, edges[[2]], read_rate=1.0, operator="town-3", prefix="t3")],
                       ignore_index=True)
    trips = pd.DataFrame({"trip_id": [0], "vehicle_id": [0], "plate": ["AAA1111"], "origin": [0],
                          "destination": [4], "depart_s": [0.0]})
    routes = fastest_routes(net, np.array([0]), np.array([4]))
    # sightings at the middle of each watched segment: 5, 25 and 35 km, at 10 m/s
    reads = pd.DataFrame({"read_id": [0, 1, 2], "camera_id": layout["camera_id"], "plate_read": "AAA1111",
                          "vehicle_id": 0, "trip_id": 0, "time_s": [500.0, 2500.0, 3500.0], "edge": edges})
    return net, layout, trips, routes, reads


OPERATORS = [{"name": n, "retention_days": 30} for n in ("town-1", "state", "town-3")]


@pytest.mark.parametrize("pool, expected", [
    # view of an out-of-state agency searching the vendor pool
    (True, {"covered": 1.0, "gap_km": 30.0, "gap_min": 50.0, "operators": 2}),
    (False, {"covered": 0.25, "gap_km": 35.0, "gap_min": 35 * KM / 10 / 60, "operators": 1}),
])
def test_pool_on_and_off(drive, pool, expected):
    net, layout, trips, routes, reads = drive
    sharing = [{"from": "town-1", "to": "pool"}] + ([{"from": "town-3", "to": "pool"}] if pool else [])
    g = access_graph(OPERATORS, [{"name": "outsider", "access": ["pool"]}], sharing)
    seen = reads[visible_reads(reads, layout, g, "outsider", 4000.0)].reset_index(drop=True)
    table = trip_metrics(trips, routes, seen, reconstruct(seen, net), net)
    result = long_trip_exposure(trips, routes, seen, layout, table, net, min_km=5)
    assert result["share_km_covered_mean"] == pytest.approx(expected["covered"])
    assert result["longest_gap_km_median"] == pytest.approx(expected["gap_km"])
    assert result["longest_gap_min_median"] == pytest.approx(expected["gap_min"])
    assert result["operators_seeing_mean"] == expected["operators"]
    assert result["n_operators"] == 3  # the run's operators, whatever this view sees


def test_all_reads_with_highway_cameras(drive):
    net, layout, trips, routes, reads = drive
    table = trip_metrics(trips, routes, reads, reconstruct(reads, net), net)
    result = long_trip_exposure(trips, routes, reads, layout, table, net, min_km=5)
    # gaps 5, 20, 10, 5 km: the longest is between the first two sightings
    assert result["longest_gap_km_median"] == pytest.approx(20.0)
    assert result["operators_seeing_mean"] == 3
    assert long_trip_exposure(trips, routes, reads, layout, table, net, min_km=50) is None


@pytest.fixture(scope="module")
def corridor_run():
    from sim.scenario import load_scenario
    from sim.runner import simulate_scenario

    from conftest import PROJECT

    scenario = load_scenario(PROJECT / "scenarios" / "interstate-corridor.toml",
                             overrides=["demand.trips=300", "network.town_rows=5", "network.town_cols=5",
                                        "metrics.pair_samples=50"])
    return simulate_scenario(scenario)


def test_what_if_without_operator_equals_dropping_its_reads(corridor_run):
    """'without state-police' for all reads = the long-trip numbers recomputed on the other operators' reads."""
    sim = corridor_run
    operator = sim.layout.set_index("camera_id")["operator"].reindex(sim.reads["camera_id"]).to_numpy()
    seen = sim.reads[operator != "state-police"].reset_index(drop=True)
    table = trip_metrics(sim.trips, sim.routes, seen, reconstruct(seen, sim.net), sim.net)
    direct = long_trip_exposure(sim.trips, sim.routes, seen, sim.layout, table, sim.net, min_km=50)
    what_if = sim.metrics["long_trips_what_if"]
    got = what_if["without state-police"]["all reads"]
    assert got.keys() == direct.keys()
    for key, value in direct.items():  # (pytest.approx takes no lists inside dicts)
        assert got[key] == (pytest.approx(value) if value is not None else None), key
    # as run, all reads: the median longest unobserved stretch, trip by trip with trip_gaps (a separate,
    # unvectorised implementation) over the long trips
    long_rows = np.flatnonzero(sim.trips["length_m"].to_numpy() > 50_000)
    gaps = []
    for row in long_rows:
        mine = sim.reads[sim.reads["trip_id"] == sim.trips["trip_id"].iloc[row]]
        gaps.append(trip_gaps(sim.net, sim.routes.route(row), 0.0, mine["edge"].to_numpy(),
                              mine["time_s"].to_numpy())["longest_gap_km"])
    assert what_if["as run"]["all reads"]["longest_gap_km_median"] == pytest.approx(np.median(gaps))
    assert what_if["as run"]["all reads"]["n_trips"] == len(long_rows)
    # the highway cameras matter: without them the covered share falls
    assert direct["share_km_covered_mean"] < sim.metrics["long_trips"]["share_km_covered_mean"]
    # the pool's user sees nothing once the pool is gone; agencies outside the pool are unchanged
    off = what_if["without flock-national-pool"]
    assert off["national-pool-user"]["operators_seeing_mean"] == 0
    assert off["national-pool-user"]["share_km_covered_mean"] == 0
    assert off["town-1-police"] == what_if["as run"]["town-1-police"]


def test_what_if_names_must_be_operators_or_pools():
    from sim import ScenarioError
    from sim.scenario import load_scenario
    from sim.runner import simulate_scenario

    from conftest import PROJECT

    scenario = load_scenario(PROJECT / "scenarios" / "interstate-corridor.toml",
                             overrides=["demand.trips=50", 'metrics.what_if_without=["town-1-police"]'])
    with pytest.raises(ScenarioError, match=r"what_if_without names 'town-1-police'.*flock-national-pool"):
        simulate_scenario(scenario)


def test_long_trip_figure_shows_each_views_share(drive):
    """The strip figure labels each view's recovered share: pool on 100 %, pool off 25 % (as computed by hand)."""
    from sim.plot_drive import long_trip_figure

    net, layout, trips, routes, reads = drive
    route = routes.route(0)
    views = {}
    for name, keep in {"pool on": [0, 1, 2], "pool off": [0]}.items():
        seen = reads.iloc[keep].reset_index(drop=True)
        recon = reconstruct(seen, net)
        covered = np.isin(route, np.concatenate([recon.routes.route(r) for r in np.unique(recon.read_recon)]))
        views[name] = {"covered": covered, "read_edges": seen["edge"].to_numpy(),
                       "read_operator": layout["operator"].to_numpy()[keep]}
    fig = long_trip_figure(net, route, views, jurisdiction=np.array(["town-1", "state", "state", "town-3"] * 2,
                                                                     dtype=object))
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "100%" in labels and "25%" in labels
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["pool off", "pool on"]



def test_long_trip_figure_folds_more_than_ten_agencies_alike_into_one_row(drive):
    """Norfolk's 80 agencies that see every read drew 80 identical rows (a figure 5,098 px tall): after the first
    view, more than ten alike are one row named as the report's table names them; fewer stay their own rows."""
    from sim.plot_drive import long_trip_figure

    net, layout, trips, routes, reads = drive
    route = routes.route(0)
    every = {"covered": np.ones(len(route), bool), "read_edges": reads["edge"].to_numpy(),
             "read_operator": layout["operator"].to_numpy()[:len(reads)]}
    part = {"covered": np.zeros(len(route), bool), "read_edges": reads["edge"].to_numpy()[:1],
            "read_operator": layout["operator"].to_numpy()[:1]}
    views = {"all reads": every, **{f"pd-{i}": every for i in range(11)}, "state": part}
    rows = [t.get_text() for t in long_trip_figure(net, route, views).axes[0].get_yticklabels()][::-1]
    assert rows == ["all reads", "11 agencies alike (pd-0, pd-1, …)", "state"]
    ten = {"all reads": every, **{f"pd-{i}": every for i in range(10)}}
    assert len(long_trip_figure(net, route, ten).axes[0].get_yticklabels()) == 11
    # every agency alike is named so: Norfolk's strip said "80 agencies alike" where the report's table, grouping by
    # access path, says 79 and 1; "all 80 agencies" shows the two are one set
    every_one = {"all reads": every, **{f"pd-{i}": every for i in range(11)}}
    rows = [t.get_text() for t in long_trip_figure(net, route, every_one).axes[0].get_yticklabels()][::-1]
    assert rows == ["all reads", "all 11 agencies (pd-0, pd-1, …)"]

def test_long_trip_numbers_equal_a_trip_by_trip_count(corridor_run):
    """The vectorised long-trip summary equals trip_gaps and an operator count done one trip at a time."""
    from sim.metrics import trip_gaps

    sim = corridor_run
    table = sim.trip_table[sim.trip_table["view"] == "all"]
    long_rows = np.flatnonzero(table["length_m"].to_numpy() > 50_000)
    operator = sim.layout.set_index("camera_id")["operator"]
    gaps_km, gaps_min, operators = [], [], []
    for row in long_rows:
        mine = sim.reads[sim.reads["trip_id"] == sim.trips["trip_id"].iloc[row]]
        gap = trip_gaps(sim.net, sim.routes.route(row), 0.0, mine["edge"].to_numpy(), mine["time_s"].to_numpy())
        gaps_km.append(gap["longest_gap_km"])
        gaps_min.append(gap["longest_gap_min"])
        operators.append(operator.reindex(mine["camera_id"]).nunique())
    result = sim.metrics["long_trips"]
    assert result["n_trips"] == len(long_rows)
    assert result["longest_gap_km_median"] == pytest.approx(np.median(gaps_km))
    assert result["longest_gap_min_median"] == pytest.approx(np.median(gaps_min))
    assert result["operators_seeing_mean"] == pytest.approx(np.mean(operators))
    assert result["n_operators"] == operator.nunique() == 5  # four towns and the state police
