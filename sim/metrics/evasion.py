"""How hard it is to drive unseen: origin–destination pairs with a camera-free route."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.intervals import share_with_interval
from sim.network import RoadNetwork
from sim.routing.trees import tree_times


def sample_pairs(net: RoadNetwork, rng: np.random.Generator, n_pairs: int) -> tuple[np.ndarray, np.ndarray]:
    """``n_pairs`` random (origin, destination) node indices, the two ends always different."""
    origins = rng.integers(0, net.n_nodes, n_pairs)
    return origins, (origins + rng.integers(1, net.n_nodes, n_pairs)) % net.n_nodes


def camera_free_pairs(
    net: RoadNetwork, watched: np.ndarray, rng: np.random.Generator, *, n_pairs: int = 500
) -> dict[str, Any]:
    """Share of sampled node pairs with a camera-free route, and detour ratios.

    ``detour_ratio`` is the fastest camera-free time over the fastest time
    (infinite when there is no camera-free route; the median excludes those).

    Returns
    -------
    dict
        ``camera_free_pair_share`` (with ``_n`` and a Wilson ``_ci``),
        ``detour_ratio_median`` and the arrays
        ``origins``, ``destinations``, ``fastest_s``, ``camera_free_s``.
    """
    origins, destinations = sample_pairs(net, rng, n_pairs)
    closed = net.edge_time.astype(float)
    closed[watched] = np.inf  # a watched edge is closed to a driver avoiding cameras
    fastest = tree_times(net, origins, destinations)
    free = tree_times(net, origins, destinations, weights=closed)
    ratio = free / fastest
    finite = np.isfinite(ratio)
    share, n, ci = share_with_interval(finite)  # the pairs are drawn independently: Wilson
    return {
        "camera_free_pair_share": share,
        "camera_free_pair_share_n": n,
        "camera_free_pair_share_ci": ci,
        "detour_ratio_median": float(np.median(ratio[finite])) if finite.any() else None,
        "origins": origins,
        "destinations": destinations,
        "fastest_s": fastest,
        "camera_free_s": free,
    }
