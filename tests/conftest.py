"""Shared fixtures: small hand-built networks and the shared test data folder."""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from sim.generators import grid_network
from sim.network import RoadNetwork, from_graph
from sim.scenario import Scenario, load_scenario

#: The project's root folder (scenarios/, notebooks/).
PROJECT = Path(__file__).resolve().parents[1]
#: ../shared/data beside the project (CI puts a copy of shared/ there).
SHARED_DATA = Path(os.environ.get("CURTAIN_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    """The shared test data folder; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA} (set CURTAIN_SHARED_DATA)")
    return SHARED_DATA


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


@pytest.fixture
def grid10() -> RoadNetwork:
    return grid_network(10, 10, rng=np.random.default_rng(42))


def small_scenario(*overrides: str) -> Scenario:
    """The default scenario shrunk to run in about a second."""
    base = ["network.rows=8", "network.cols=8", "cameras.count=12", "demand.trips=300",
            "metrics.pair_samples=100"]
    return load_scenario(overrides=base + list(overrides))
