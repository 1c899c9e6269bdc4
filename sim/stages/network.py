"""The road network stage: a generated city, a TNTP network, or OpenStreetMap (see :mod:`sim.io`)."""

from __future__ import annotations

import numpy as np

from sim.io import load_network
from sim.network import RoadNetwork
from sim.scenario import Scenario


def build_network(scenario: Scenario, rng: np.random.Generator) -> RoadNetwork:
    """The scenario's road network (``rng``: the ``network`` stream, for generated cities).

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> from sim.seeds import stage_rngs
    >>> s = load_scenario(overrides=["network.rows=4", "network.cols=5"])
    >>> build_network(s, stage_rngs(s.seed)["network"]).n_nodes
    20
    """
    return load_network(scenario.network, scenario.resolve, rng)
