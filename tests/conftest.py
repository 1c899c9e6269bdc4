"""Shared fixtures: small hand-built networks, and the registry's datasets (sim/datasets.toml)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim.data import DATA_ENV, DOWNLOAD_ENV, DataError, fetch
from sim.generators import grid_network
from sim.network import RoadNetwork, from_graph
from sim.scenario import Scenario, load_scenario

#: The project's root folder (scenarios/, notebooks/).
PROJECT = Path(__file__).resolve().parents[1]
# Tests read data only through the registry (sim.data), from CURTAIN_DATA (.ci/run sets it to ../shared/data;
# so does this file when it is unset and ../shared/data is there), and never download.
_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if not os.environ.get(DATA_ENV) and _SHARED.is_dir():
    os.environ[DATA_ENV] = str(_SHARED)
os.environ[DOWNLOAD_ENV] = "0"


def dataset_path(name: str) -> Path:
    """The path of the registry's dataset ``name``; skips the test, saying why, when it is not at hand."""
    try:
        return fetch(name)
    except DataError as exc:
        pytest.skip(str(exc))


@pytest.fixture
def data() -> Callable[[str], Path]:
    """:func:`dataset_path` as a fixture: ``data("sioux-falls-net")``."""
    return dataset_path


def straight_road(lengths_m: list[float], speed_kph: float = 36.0, two_way: bool = True) -> RoadNetwork:
    """Nodes 0..n on a line (x = cumulative metres), one edge per segment."""
    g = nx.MultiDiGraph(crs="EPSG:32618")
    xs = np.concatenate([[0.0], np.cumsum(lengths_m)])
    for i, x in enumerate(xs):
        g.add_node(i, x=float(x), y=0.0)
    for i, length in enumerate(lengths_m):
        g.add_edge(i, i + 1, length=float(length), speed_kph=speed_kph, highway="primary")
        if two_way:
            g.add_edge(i + 1, i, length=float(length), speed_kph=speed_kph, highway="primary")
    return from_graph(g)


def two_way_roads(points: dict[int, tuple[float, float]], links: list[tuple[int, int, str]]) -> RoadNetwork:
    """Two-way roads ``(a, b, jurisdiction tag)`` between ``points`` (node: (x, y) in metres), driven at 36 km/h
    (10 m/s); each road's length is the straight distance between its ends."""
    g = nx.MultiDiGraph(crs="EPSG:32610")
    for node, (x, y) in points.items():
        g.add_node(node, x=x, y=y)
    for a, b, tag in links:
        length = float(np.hypot(points[b][0] - points[a][0], points[b][1] - points[a][1]))
        for u, v in ((a, b), (b, a)):
            g.add_edge(u, v, length=length, speed_kph=36.0, highway="residential", jurisdiction=tag)
    return from_graph(g)


@pytest.fixture
def grid10() -> RoadNetwork:
    return grid_network(10, 10, rng=np.random.default_rng(42))


def small_scenario(*overrides: str) -> Scenario:
    """The default scenario shrunk to run in about a second."""
    base = ["network.rows=8", "network.cols=8", "cameras.count=12", "demand.trips=300",
            "metrics.pair_samples=100"]
    return load_scenario(overrides=base + list(overrides))


def place_guesses_by_hand(reads, who, truth_of_vehicle, net, *, pick="first", weekday_morning=False,
                          first_weekday=0, within_m=500.0, min_days=2):
    """Home (first read of each day) or work (last weekday-morning read) guessed in plain Python, per plate.

    ``who`` is the plate a searcher holds for each read; each plate is scored against the truth
    (``truth_of_vehicle``: vehicle → node id) of the vehicle holding most of its reads (ties: lowest id).
    Returns whether each scored plate's guess lies within ``within_m`` metres, in plate order.
    """
    by_plate = {}
    for plate, vehicle, time_s, edge in sorted(zip(who, reads["vehicle_id"], reads["time_s"], reads["edge"]),
                                               key=lambda r: (str(r[0]), r[2])):
        by_plate.setdefault(plate, []).append((vehicle, time_s, edge))
    hits = []
    for plate in sorted(by_plate, key=str):
        rows = by_plate[plate]
        counts = {}
        for vehicle, _, _ in rows:
            counts[vehicle] = counts.get(vehicle, 0) + 1
        owner = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        if owner not in truth_of_vehicle:
            continue
        daily = {}
        for _, time_s, edge in rows:
            day, hour = int(time_s // 86_400), time_s % 86_400 / 3600
            if weekday_morning and not ((first_weekday + day) % 7 < 5 and 5 <= hour < 12):
                continue
            if pick == "first":
                daily.setdefault(day, edge)
            else:
                daily[day] = edge
        if len(daily) < min_days:
            continue
        tally = {}
        for edge in daily.values():
            tally[edge] = tally.get(edge, 0) + 1
        guess = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        gx = (net.x[net.edge_u[guess]] + net.x[net.edge_v[guess]]) / 2
        gy = (net.y[net.edge_u[guess]] + net.y[net.edge_v[guess]]) / 2
        place = net.node_index(truth_of_vehicle[owner])
        hits.append(bool(np.hypot(gx - net.x[place], gy - net.y[place]) <= within_m))
    return hits


def true_homes(trips):
    """Vehicle → origin of its first trip."""
    homes = {}
    for vehicle, origin, depart in sorted(zip(trips["vehicle_id"], trips["origin"], trips["depart_s"]),
                                          key=lambda t: (t[0], t[2])):
        homes.setdefault(vehicle, origin)
    return homes


def filed_under(plate_key: list[str], read_recon: list[int] | None = None):
    """A reconstruction that files each read under ``plate_key``, in trip ``read_recon`` (default: all in trip 0),
    with no routes drawn: for metrics scored from the keys and trips alone."""
    from sim.reconstruct import Reconstruction
    from sim.routing import Routes

    recon = np.zeros(len(plate_key), np.int64) if read_recon is None else np.array(read_recon)
    return Reconstruction(pd.DataFrame(), recon, Routes(np.zeros(1, np.int64), np.zeros(0, np.int64), np.zeros(0)),
                          np.array(plate_key, dtype=object), np.arange(len(plate_key)))
