"""Camera placement strategies: where would a planner put ``count`` cameras?

Each strategy is a plain function of a :class:`~sim.network.RoadNetwork`
returning edge indices; :func:`place_cameras` turns them into a layout.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from sim._errors import CameraError
from sim.cameras import make_layout
from sim.network import RoadNetwork

#: Above this many nodes, betweenness is estimated from a sample of sources.
BETWEENNESS_EXACT_MAX_NODES = 2_000
BETWEENNESS_SAMPLE = 500


def random_edges(net: RoadNetwork, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` distinct edges drawn uniformly at random.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(4, 4, rng=np.random.default_rng(0))
    >>> len(set(random_edges(net, 5, np.random.default_rng(1)).tolist()))
    5
    """
    _check_count(net, count)
    return np.sort(rng.choice(net.n_edges, size=count, replace=False))


def edge_betweenness(net: RoadNetwork, rng: np.random.Generator) -> np.ndarray:
    """Travel-time edge betweenness of every edge (networkx), sampled on big graphs."""
    n = net.n_nodes
    k = None if n <= BETWEENNESS_EXACT_MAX_NODES else BETWEENNESS_SAMPLE
    seed = int(rng.integers(2**31)) if k else None
    scores = nx.edge_betweenness_centrality(net.graph, k=k, weight="travel_time", seed=seed)
    result = np.zeros(net.n_edges)
    for (u, v, key), score in scores.items():
        result[net.edge_id(u, v, key)] = score
    return result


def betweenness_edges(net: RoadNetwork, count: int, rng: np.random.Generator) -> np.ndarray:
    """The ``count`` edges of highest travel-time betweenness (ties by edge index)."""
    _check_count(net, count)
    scores = edge_betweenness(net, rng)
    order = np.lexsort((np.arange(net.n_edges), -scores))
    return np.sort(order[:count])


def _check_count(net: RoadNetwork, count: int) -> None:
    if not 0 <= count <= net.n_edges:
        raise CameraError(
            f"cameras.count = {count} but the network has {net.n_edges} edges; "
            f"choose a count between 0 and {net.n_edges}"
        )


STRATEGIES = {
    "random": random_edges,
    "betweenness": betweenness_edges,
}


def place_cameras(
    net: RoadNetwork,
    strategy: str,
    *,
    count: int,
    read_rate: float,
    rng: np.random.Generator,
    **camera_fields: Any,
) -> pd.DataFrame:
    """Place ``count`` forward cameras with a named strategy.

    Parameters
    ----------
    net : RoadNetwork
    strategy : str
        One of :data:`STRATEGIES`.
    count : int
        Number of cameras.
    read_rate : float
        Probability (0–1) that a passing vehicle is read.
    rng : numpy.random.Generator
    **camera_fields
        Passed to :func:`sim.cameras.make_layout` (``operator``, ``vendor``,
        ``misread_rate``, ``direction``).

    Returns
    -------
    pandas.DataFrame
        The camera layout.
    """
    try:
        choose = STRATEGIES[strategy]
    except KeyError:
        raise CameraError(
            f"unknown placement strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}"
        ) from None
    edges = choose(net, count, rng)
    return make_layout(net, edges, read_rate=read_rate, **camera_fields)
