"""Trip reconstruction: what the reads reveal about where a car went.

Uses only what a searcher of the reads sees: the plate as read, the time and
the watched edge (camera position and travel direction). Reads of a plate
are taken in time order and split into trips where the gap between two
sightings is longer than driving between them could take plus a slack; the
route of a trip is the chain of its read edges joined by fastest paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim._defaults import DEFAULT_MISREAD_TOLERANCE
from sim.network import RoadNetwork, Routes, fastest_routes
from sim.traffic.trees import tree_times

#: Extra seconds beyond the fastest possible drive between two sightings
#: before they are taken as two trips (a stop of more than this splits).
DEFAULT_SLACK_S = 600.0
#: Reads of one plate at one camera closer than this (seconds) are one
#: sighting: one pass logged twice (real readers log a pass 1–3 s apart).
DEFAULT_SIGHTING_WINDOW_S = 5.0


def sighting_ids(
    plate: np.ndarray, camera: np.ndarray, time_s: np.ndarray, *, window_s: float = DEFAULT_SIGHTING_WINDOW_S
) -> np.ndarray:
    """The sighting of every read: one pass of one plate (as read) at one camera.

    Reads of the same plate at the same camera each within ``window_s``
    seconds of the one before are one sighting. Sightings are numbered
    0, 1, … in (plate, camera, time) order.

    Examples
    --------
    >>> sighting_ids(np.array(["A", "A", "A", "B"]), np.array(["c", "c", "c", "c"]),
    ...              np.array([0.0, 2.0, 60.0, 1.0])).tolist()
    [0, 0, 1, 2]
    """
    if not len(time_s):
        return np.zeros(0, dtype=np.int64)
    plate_code = pd.factorize(pd.Series(plate, dtype=object), sort=True)[0]
    camera_code = pd.factorize(pd.Series(camera, dtype=object), sort=True)[0]
    time_s = np.asarray(time_s, dtype=float)
    order = np.lexsort((time_s, camera_code, plate_code))
    p, c, t = plate_code[order], camera_code[order], time_s[order]
    new = np.concatenate([[True], (p[1:] != p[:-1]) | (c[1:] != c[:-1]) | (np.diff(t) > window_s)])
    out = np.empty(len(order), dtype=np.int64)
    out[order] = np.cumsum(new) - 1
    return out


@dataclass(frozen=True)
class Reconstruction:
    """Reconstructed trips of one view of the reads.

    Attributes
    ----------
    trips : pandas.DataFrame
        One row per reconstructed trip: ``recon_id, plate_read, n_reads,
        start_s, end_s, origin, destination`` (node indices of the first
        read edge's start and the last read edge's end).
    read_recon : numpy.ndarray
        For each input read (input order), its reconstructed trip.
    plate_key : numpy.ndarray
        For each input read, the plate it was attributed to (its own, or the
        plate a misread was matched to): the identity a searcher works with.
    routes : Routes
        Edge sequence of each reconstructed trip.
    sighting : numpy.ndarray
        For each input read, its sighting (see :func:`sighting_ids`).
    """

    trips: pd.DataFrame
    read_recon: np.ndarray
    routes: Routes
    plate_key: np.ndarray
    sighting: np.ndarray


def reconstruct(
    reads: pd.DataFrame,
    net: RoadNetwork,
    *,
    slack_s: float = DEFAULT_SLACK_S,
    misread_tolerance: bool = DEFAULT_MISREAD_TOLERANCE,
    window_s: float = 1800.0,
    route_inference: str = "fastest",
    k_paths: int = 5,
    match_threshold_s: float = 30.0,
    sighting_window_s: float = DEFAULT_SIGHTING_WINDOW_S,
) -> Reconstruction:
    """Rebuild trips and routes from reads (``plate_read, time_s, edge``, and ``camera_id`` when present).

    Parameters
    ----------
    reads : pandas.DataFrame
    net : RoadNetwork
    slack_s : float
        Seconds allowed beyond the fastest drive between consecutive
        sightings before a new trip starts.
    misread_tolerance : bool
        Merge a plate read only once into a plate one character away whose
        reads it fits in time (see :func:`match_misreads`).
    window_s : float
        With ``misread_tolerance``: how close in time the sightings must be.
    route_inference : {"fastest", "time_matched"}
        How to fill the gap between two sightings: the fastest path, or among
        the ``k_paths`` fastest simple paths the one whose driving time best
        matches the time between the sightings (tried only when that time
        exceeds the fastest drive by more than ``match_threshold_s``).
    sighting_window_s : float
        Reads of one plate at one camera this close in time are one sighting
        (see :func:`sighting_ids`); misread matching counts sightings.

    Returns
    -------
    Reconstruction

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, rng=np.random.default_rng(0))
    >>> r = pd.DataFrame({"plate_read": ["A", "A"], "time_s": [0.0, 9e4], "edge": [0, 0]})
    >>> len(reconstruct(r, net).trips)
    2
    """
    camera = reads["camera_id"].to_numpy(dtype=object) if "camera_id" in reads.columns else reads["edge"].to_numpy()
    sighting = sighting_ids(reads["plate_read"].to_numpy(dtype=object), camera, reads["time_s"].to_numpy(float),
                            window_s=sighting_window_s)
    plate_key = match_misreads(reads, net, slack_s=slack_s, window_s=window_s, sighting=sighting) \
        if misread_tolerance else reads["plate_read"].to_numpy(dtype=object)
    plate_codes, plates = pd.factorize(pd.Series(plate_key, dtype=object), sort=True)
    time_s = reads["time_s"].to_numpy(float)
    order = np.lexsort((np.arange(len(reads)), time_s, plate_codes))
    plate = plate_codes[order]
    edge = reads["edge"].to_numpy(np.int64)[order]
    t = time_s[order]
    same_plate = plate[1:] == plate[:-1]
    # first the fastest drive between consecutive sightings of a plate (times only: no path is kept) ...
    gap_time = np.full(max(len(t) - 1, 0), np.inf)
    pairs = np.flatnonzero(same_plate)
    gap_time[pairs] = tree_times(net, net.edge_v[edge[:-1][pairs]], net.edge_u[edge[1:][pairs]])
    half = net.edge_time[edge] / 2
    expected = half[:-1] + gap_time + half[1:]
    observed = np.diff(t)
    same_pass = (edge[1:] == edge[:-1]) & (observed <= net.edge_time[edge[1:]])
    # (a sighting the car could not drive to from the last one, on a network not strongly connected, splits)
    continues = same_plate & (((observed <= expected + slack_s) & np.isfinite(expected)) | same_pass)
    recon_sorted = np.concatenate([[0], np.cumsum(~continues)]) if len(t) else np.zeros(0, np.int64)
    read_recon = np.empty(len(reads), dtype=np.int64)
    read_recon[order] = recon_sorted
    matched = {}
    if route_inference == "time_matched":
        slow = np.flatnonzero(continues & ~same_pass & (observed - expected > match_threshold_s))
        matched = _time_matched_paths(net, edge, observed, half, slow, k_paths)
    elif route_inference != "fastest":
        raise ValueError(f"route_inference must be 'fastest' or 'time_matched', got {route_inference!r}")
    n_recon = int(recon_sorted[-1]) + 1 if len(t) else 0
    bridged = np.concatenate([continues & ~same_pass, [False]]) if len(t) else np.zeros(0, bool)
    # ... then paths only where the reconstruction draws one: between sightings of one trip (a gap between two
    # trips, or two plates, is never drawn, and is most of the kilometres)
    gaps = _bridge_paths(net, edge, bridged)
    offsets, flat = _chain_routes(edge, gaps, bridged, recon_sorted, n_recon, matched)
    first = np.flatnonzero(np.concatenate([[True], ~continues])) if len(t) else np.zeros(0, np.int64)
    last = np.flatnonzero(np.concatenate([~continues, [True]])) if len(t) else np.zeros(0, np.int64)
    trips = pd.DataFrame(
        {
            "recon_id": np.arange(n_recon, dtype=np.int64),
            "plate_read": np.asarray(plates, dtype=object)[plate[first]],
            "n_reads": (last - first + 1).astype(np.int64),
            "start_s": t[first],
            "end_s": t[last],
            "origin": net.edge_u[edge[first]],
            "destination": net.edge_v[edge[last]],
        }
    )
    travel = np.add.reduceat(net.edge_time[flat], offsets[:-1]) if len(flat) else np.zeros(n_recon)
    return Reconstruction(trips=trips, read_recon=read_recon, routes=Routes(offsets, flat, travel),
                          plate_key=np.asarray(plate_key, dtype=object), sighting=sighting)


def _bridge_paths(net: RoadNetwork, edge: np.ndarray, bridged: np.ndarray) -> Routes:
    """The fastest path from each read edge's end to the next one's start where ``bridged``, an empty route
    elsewhere (row ``i``: the gap after read ``i``, in sorted order)."""
    n_gaps = max(len(edge) - 1, 0)
    rows = np.flatnonzero(bridged[:n_gaps])
    paths = fastest_routes(net, net.edge_v[edge[rows]], net.edge_u[edge[rows + 1]])
    lengths = np.zeros(n_gaps, np.int64)
    lengths[rows] = np.diff(paths.offsets)
    travel = np.zeros(n_gaps)
    travel[rows] = paths.travel_time
    return Routes(offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), edges=paths.edges,
                  travel_time=travel)


def _time_matched_paths(
    net: RoadNetwork, edge: np.ndarray, observed: np.ndarray, half: np.ndarray, gaps: np.ndarray, k: int
) -> dict[int, np.ndarray]:
    """For each gap, the one of the k fastest simple paths whose time best fits the observed gap."""
    import itertools

    import networkx as nx

    if not len(gaps):
        return {}
    g = nx.DiGraph()
    best = net._pair_edges
    g.add_weighted_edges_from(zip(net.edge_u[best].tolist(), net.edge_v[best].tolist(),
                                  net.edge_time[best].tolist()))
    out = {}
    for i in gaps.tolist():
        a, b = int(net.edge_v[edge[i]]), int(net.edge_u[edge[i + 1]])
        target = observed[i] - half[i] - half[i + 1]
        if a == b:
            continue
        paths = itertools.islice(nx.shortest_simple_paths(g, a, b, weight="weight"), k)
        nodes = min(paths, key=lambda p: abs(nx.path_weight(g, p, "weight") - target))
        out[i] = net.edge_between(np.array(nodes[:-1]), np.array(nodes[1:]))
    return out


def _chain_routes(
    edge: np.ndarray,
    gaps: Routes,
    bridged: np.ndarray,
    recon_sorted: np.ndarray,
    n_recon: int,
    matched: dict[int, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Flat routes of the reconstructed trips: each read edge, then the path to the next read.

    ``bridged[i]`` says whether read ``i`` (in sorted order) is joined to read
    ``i + 1`` by a path; ``matched`` replaces the fastest path of some gaps.
    Vectorised: every piece's place in the flat array is computed at once.
    """
    n = len(edge)
    gap_len = np.zeros(n, dtype=np.int64)
    gap_len[: len(gaps.travel_time)] = np.diff(gaps.offsets)
    for i, path in matched.items():
        gap_len[i] = len(path)
    gap_len[~bridged] = 0
    piece_len = 1 + gap_len
    start = np.cumsum(piece_len) - piece_len
    flat = np.empty(int(piece_len.sum()), dtype=np.int64)
    flat[start] = edge
    fastest = bridged.copy()
    fastest[list(matched)] = False
    entry_gap = gaps.trip_of_edge()
    keep = fastest[entry_gap]
    within = np.arange(len(gaps.edges)) - gaps.offsets[entry_gap]
    flat[start[entry_gap[keep]] + 1 + within[keep]] = gaps.edges[keep]
    for i, path in matched.items():
        if bridged[i]:
            flat[start[i] + 1 : start[i] + 1 + len(path)] = path
    offsets = np.zeros(n_recon + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.bincount(recon_sorted, weights=piece_len, minlength=n_recon).astype(np.int64))
    return offsets, flat


def match_misreads(
    reads: pd.DataFrame, net: RoadNetwork, *, slack_s: float = DEFAULT_SLACK_S, window_s: float = 1800.0,
    sighting: np.ndarray | None = None,
) -> np.ndarray:
    """Attribute plates sighted only once to a plate one character away, where timing allows.

    A plate seen in one sighting (however many times that pass was logged)
    is matched to the most-sighted plate (of at least two sightings) that
    differs in exactly one character and has a read within ``window_s``
    seconds that a car could drive to or from in time (fastest drive between
    the two cameras ≤ the time between them + ``slack_s``). ``sighting``
    gives each read's sighting (default: every read its own).

    Returns
    -------
    numpy.ndarray
        The plate each read is attributed to, in input order.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, rng=np.random.default_rng(0))
    >>> r = pd.DataFrame({"plate_read": ["ABC1234", "ABC1234", "ABC1284"],
    ...                   "time_s": [0.0, 60.0, 30.0], "edge": [0, 1, 2]})
    >>> match_misreads(r, net).tolist()
    ['ABC1234', 'ABC1234', 'ABC1234']
    """
    plates = reads["plate_read"].astype(str).to_numpy(dtype=object)
    if sighting is None:
        sighting = np.arange(len(plates))
    counts = pd.Series(sighting).groupby(plates).nunique()  # sightings per plate
    frequent = counts[counts >= 2].index
    patterns: dict[str, list[str]] = {}
    for plate in sorted(frequent):
        for i in range(len(plate)):
            patterns.setdefault(plate[:i] + "\0" + plate[i + 1 :], []).append(plate)
    rare = np.flatnonzero(pd.Series(plates).map(counts).to_numpy() == 1)
    result = plates.copy()
    by_plate = reads.assign(_p=plates).groupby("_p")
    times = reads["time_s"].to_numpy(float)
    edges = reads["edge"].to_numpy(np.int64)
    for row in rare:
        p = plates[row]
        candidates = sorted({q for j in range(len(p)) for q in patterns.get(p[:j] + "\0" + p[j + 1 :], [])},
                            key=lambda q: (-counts[q], q))
        for q in candidates:
            rows = by_plate.indices[q]
            near = rows[np.abs(times[rows] - times[row]) <= window_s]
            if len(near) and _feasible(net, edges[row], times[row], edges[near], times[near], slack_s):
                result[row] = q
                break
    return result


def _feasible(net: RoadNetwork, edge: int, time: float, others: np.ndarray, other_times: np.ndarray,
              slack_s: float) -> bool:
    """Could one car have made a sighting at (edge, time) and one of the others?"""
    before = other_times <= time
    a = np.where(before, others, edge)
    b = np.where(before, edge, others)
    drive = fastest_routes(net, net.edge_v[a], net.edge_u[b]).travel_time
    return bool((drive <= np.abs(other_times - time) + slack_s).any())
