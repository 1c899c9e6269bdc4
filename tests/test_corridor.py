"""Long drives across jurisdictions: covered kilometres, longest gap and operators, pool on and off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.access import access_graph, visible_reads
from sim.cameras import make_layout
from sim.metrics import long_trip_exposure, trip_metrics
from sim.network import fastest_routes
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


def test_all_reads_with_highway_cameras(drive):
    net, layout, trips, routes, reads = drive
    table = trip_metrics(trips, routes, reads, reconstruct(reads, net), net)
    result = long_trip_exposure(trips, routes, reads, layout, table, net, min_km=5)
    # gaps 5, 20, 10, 5 km: the longest is between the first two sightings
    assert result["longest_gap_km_median"] == pytest.approx(20.0)
    assert result["operators_seeing_mean"] == 3
    assert long_trip_exposure(trips, routes, reads, layout, table, net, min_km=50) is None
