"""Trip reconstruction: what the reads reveal about where a car went.

Uses only what a searcher of the reads sees: the plate as read, the time and
the watched edge (camera position and travel direction). Reads of a plate
are taken in time order and split into trips where the gap between two
sightings is longer than driving between them could take plus a slack; the
route of a trip is the chain of its read edges joined by fastest paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd

from sim.arrays import code_type, used_codes
from sim._defaults import DEFAULT_MISREAD_TOLERANCE, DEFAULT_SLACK_S
from sim.misreads import match_misreads, match_codes, plate_values
from sim.network import RoadNetwork
from sim.routing import Routes, fastest_routes
from sim.routing.trees import tree_times
from sim import shard

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
    time_s = np.asarray(time_s, dtype=float)
    return _sightings(_sorted_codes(plate)[0], _sorted_codes(camera)[0], time_s, np.argsort(time_s, kind="stable"),
                      window_s)[0]


def _sorted_codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(values, sort=True)`` as if of Python objects: codes follow the sorted distinct values (-1: none).

    A pandas column is factorized as it is (an Arrow string column sorts its strings by code point, as Python
    does, without a copy of every read as a Python object; a categorical in text order, as a run holds its
    cameras, by its codes); anything else as objects.
    """
    column = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if isinstance(column.dtype, pd.CategoricalDtype) and not column.cat.categories.is_monotonic_increasing:
        column = column.astype(object)  # (sorted by text, not by the categories' order)
    codes, uniques = pd.factorize(column, sort=True)
    if isinstance(uniques, pd.CategoricalIndex):
        uniques = pd.Index(uniques.astype(uniques.categories.dtype))
    return codes, uniques


def _sightings(plate_code: np.ndarray, camera_code: np.ndarray, time_s: np.ndarray, by_time: np.ndarray,
               window_s: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sighting_ids` from sorted codes of the plates and cameras (``by_time``: a stable argsort of
    ``time_s``), and the plate code of each sighting."""
    # (plate, camera, time) order by two stable counting sorts of the time order: np.lexsort's, ties included
    order = order_by_code(plate_code, order_by_code(camera_code, by_time))
    out = np.empty(len(order), dtype=np.int64)
    return out, _number_sightings(order, plate_code, camera_code, time_s, window_s, out)


@numba.njit(cache=True)
def _number_sightings(order: np.ndarray, plate_code: np.ndarray, camera_code: np.ndarray, time_s: np.ndarray,
                      window_s: float, out: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """Number the reads, taken in ``order``, into ``out``: a new sighting where the plate or the camera changes
    or more than ``window_s`` pass since the read before. Returns the plate of each sighting."""
    plate_of = np.empty(len(order), np.int64)
    n = 0
    last = 0
    for k in range(len(order)):
        i = order[k]
        if (k == 0 or plate_code[i] != plate_code[last] or camera_code[i] != camera_code[last]
                or time_s[i] - time_s[last] > window_s):
            plate_of[n] = plate_code[i]
            n += 1
        out[i] = n - 1
        last = i
    return plate_of[:n]


def order_by_code(code: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``order`` stably re-sorted by ``code[order]`` (integer codes from -1 up, as ``pd.factorize`` gives): a
    counting sort, linear in the reads where sorting 12 M integer keys takes a second.

    Examples
    --------
    >>> order_by_code(np.array([2, -1, 0, 2]), np.array([3, 2, 1, 0])).tolist()
    [1, 2, 3, 0]
    """
    code, order = np.asarray(code, np.int64), np.asarray(order, np.int64)
    if len(order) and (int(order.min()) < 0 or int(order.max()) >= len(code)):
        raise ValueError(f"order must hold positions 0…{len(code) - 1} of code")
    if len(code) and int(code.min()) < -1:
        raise ValueError(f"codes must be -1 or more; got {int(code.min())}")
    return _order_by_code(code, order)


@numba.njit(cache=True)
def _order_by_code(code: np.ndarray, order: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """:func:`order_by_code`, compiled (no check)."""
    n_slots = 0
    for i in order:
        n_slots = max(n_slots, code[i] + 2)
    start = np.zeros(n_slots + 1, np.int64)
    for i in order:
        start[code[i] + 2] += 1
    for slot in range(1, n_slots + 1):
        start[slot] += start[slot - 1]
    out = np.empty_like(order)
    for i in order:
        slot = code[i] + 1
        out[start[slot]] = i
        start[slot] += 1
    return out


@dataclass(frozen=True, init=False)
class Reconstruction:
    """Reconstructed trips of one view of the reads.

    Attributes
    ----------
    trips : pandas.DataFrame
        One row per reconstructed trip: ``recon_id, plate_read, n_reads,
        start_s, end_s, origin, destination`` (node indices of the first
        read edge's start and the last read edge's end). A read without a
        plate is a trip of its own, under a missing ``plate_read``. The
        plates are a categorical (codes into the distinct plates).
    read_recon : numpy.ndarray
        For each input read (input order), its reconstructed trip.
    plate_key : numpy.ndarray
        For each input read, the plate it was attributed to (its own, or the
        plate a misread was matched to): the identity a searcher works with.
        Given, or (``None``) built from ``plate_code`` and ``plates`` each
        time it is asked for, ``nan`` where no plate was read (a county
        week's 12 M Python objects are not held through the run).
    routes : Routes
        Edge sequence of each reconstructed trip.
    sighting : numpy.ndarray
        For each input read, its sighting (see :func:`sighting_ids`).
    plate_code, plates : numpy.ndarray or None
        ``plate_key`` as integer codes (-1: no plate) into ``plates``, its
        distinct values in sorted order: what :meth:`key_codes` returns
        without hashing every read's plate again (``None``: worked out from
        ``plate_key`` when asked).
    """

    trips: pd.DataFrame
    read_recon: np.ndarray
    routes: Routes
    given_key: np.ndarray | None
    sighting: np.ndarray
    plate_code: np.ndarray | None = None
    plates: np.ndarray | None = None

    def __init__(self, trips: pd.DataFrame, read_recon: np.ndarray, routes: Routes,
                 plate_key: np.ndarray | None = None, sighting: np.ndarray | None = None,
                 plate_code: np.ndarray | None = None, plates: np.ndarray | None = None, *,
                 given_key: np.ndarray | None = None) -> None:
        # (given_key: the stored field, as dataclasses.replace passes it back; plate_key given wins)
        plate_key = given_key if plate_key is None else plate_key
        if sighting is None:
            raise TypeError("a Reconstruction needs each read's sighting (sighting=)")
        if plate_key is None and (plate_code is None or plates is None):
            raise ValueError("a Reconstruction needs plate_key, or plate_code and plates to build it from")
        for name, value in (("trips", trips), ("read_recon", read_recon), ("routes", routes), ("given_key", plate_key),
                            ("sighting", sighting), ("plate_code", plate_code), ("plates", plates)):
            object.__setattr__(self, name, value)

    @property
    def plate_key(self) -> np.ndarray:
        """Each read's plate as an object: see the class's attributes."""
        if self.given_key is not None or self.plate_code is None or self.plates is None:
            return np.asarray(self.given_key)  # (given: __init__ refuses a Reconstruction with neither)
        return np.append(np.asarray(self.plates, dtype=object), np.array([np.nan], dtype=object))[self.plate_code]

    def key_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """``plate_key`` as ``pd.factorize(plate_key, sort=True)`` gives it: sorted codes (-1: no plate) and the
        distinct plates they index (objects).

        Examples
        --------
        >>> r = Reconstruction(pd.DataFrame(), np.zeros(3, np.int64), Routes(np.zeros(1, np.int64),
        ...                    np.zeros(0, np.int64), np.zeros(0)), np.array(["B", None, "A"], dtype=object),
        ...                    np.arange(3))
        >>> code, plates = r.key_codes()
        >>> code.tolist(), plates.tolist()
        ([1, -1, 0], ['A', 'B'])
        """
        if self.plate_code is not None and self.plates is not None:
            return self.plate_code, self.plates
        code, plates = _sorted_codes(np.asarray(self.given_key, dtype=object))
        return code.astype(np.int64), np.asarray(plates, dtype=object)


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
    if route_inference not in ("fastest", "time_matched"):
        raise ValueError(f"route_inference must be 'fastest' or 'time_matched', got {route_inference!r}")
    time_s = reads["time_s"].to_numpy(float)
    by_time = np.argsort(time_s, kind="stable")
    plate_codes, plates, plate_key, sighting = _plate_keys(reads, net, time_s, by_time, slack_s=slack_s,
                                                           misread_tolerance=misread_tolerance, window_s=window_s,
                                                           sighting_window_s=sighting_window_s)
    fit = code_type(len(reads))
    order = order_by_code(plate_codes, by_time)  # (plate, time, input) order
    del by_time
    plate = np.asarray(plate_codes)[order].astype(fit)
    # a plate's trips never reach into another's: the trips are cut and their routes drawn block by block of whole
    # plates (on the workers of a running sim.shard.workers block), so that what this process holds for them is
    # one block's (:data:`sim.shard.READS_PER_BLOCK` reads), not the run's; the blocks are fixed by the reads, so
    # their number (not the workers') cannot change a trip
    blocks = shard.plate_blocks(plate, shard.READS_PER_BLOCK)
    edge = reads["edge"].to_numpy(np.int64)
    parts: list[_Block] = shard.shard_map(_block_trips, (
        (net, plate[a:b], edge[order[a:b]], time_s[order[a:b]], slack_s, route_inference, match_threshold_s, k_paths)
        for a, b in blocks))
    counts = np.array([len(part.first) for part in parts], np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    n_recon = int(offsets[-1])
    read_recon = np.empty(len(reads), dtype=fit)
    for (a, b), part, offset in zip(blocks, parts, offsets):
        read_recon[order[a:b]] = part.recon + offset
    del order
    first = np.concatenate([part.first + a for (a, _), part in zip(blocks, parts)]) if parts else np.zeros(0, np.int64)
    # (the routes' edges as 32-bit numbers where the network's fit: a county week's reconstructed routes hold
    # 27 M edges through every metric, 0.11 GB, not 0.22)
    route_offsets, flat = Routes.scatter(n_recon, [(np.arange(offsets[k], offsets[k + 1]), part.routes)
                                                   for k, part in enumerate(parts)], code_type(net.n_edges))
    travel = np.concatenate([part.routes.travel_time for part in parts]) if parts else np.zeros(0)

    def column(name: str, dtype: type) -> np.ndarray:
        return np.concatenate([getattr(part, name) for part in parts]) if parts else np.zeros(0, dtype)

    trips = pd.DataFrame(
        {
            "recon_id": np.arange(n_recon, dtype=np.int64),
            # (codes into the plates, as the reads hold their cameras: 4 bytes a trip, not a text each; -1: none)
            "plate_read": pd.Categorical.from_codes(plate[first], categories=pd.Index(plates, dtype=object)),
            "n_reads": column("n_reads", np.int64),
            "start_s": column("start_s", float),
            "end_s": column("end_s", float),
            "origin": column("origin", np.int64),
            "destination": column("destination", np.int64),
        }
    )
    # each read's trip, sighting and plate code held as 32-bit integers where they fit (ids below the number of
    # reads): a county week's reconstruction holds 12 M of each through every metric, 49 MB apiece, not 98
    return Reconstruction(trips=trips, read_recon=read_recon, routes=Routes(route_offsets, flat, travel),
                          plate_key=plate_key, sighting=np.asarray(sighting).astype(fit),
                          plate_code=np.asarray(plate_codes).astype(fit), plates=np.asarray(plates, dtype=object))


@dataclass(frozen=True)
class _Block:
    """The reconstructed trips of one block of whole plates (its reads in (plate, time) order): each read's trip
    (from 0), each trip's first read (in the block), its columns of :attr:`Reconstruction.trips` but the plate, and
    its routes."""

    recon: np.ndarray
    first: np.ndarray
    n_reads: np.ndarray
    start_s: np.ndarray
    end_s: np.ndarray
    origin: np.ndarray
    destination: np.ndarray
    routes: Routes


def _block_trips(net: RoadNetwork, plate: np.ndarray, edge: np.ndarray, t: np.ndarray, slack_s: float,
                 route_inference: str, match_threshold_s: float, k_paths: int) -> _Block:
    """The trips of one block of whole plates (``plate``, ``edge`` and ``t`` of its reads in (plate, time) order;
    see :func:`reconstruct`): a new trip where the plate changes or the next sighting cannot be reached from the
    last within ``slack_s`` of the fastest drive; then each trip's route."""
    same_plate = (plate[1:] == plate[:-1]) & (plate[1:] >= 0)  # (a read without a plate, -1, is no plate's)
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
    recon = np.concatenate([[0], np.cumsum(~continues)]).astype(np.int64)
    slow = np.zeros(0, np.int64)
    if route_inference == "time_matched":
        slow = np.flatnonzero(continues & ~same_pass & (observed - expected > match_threshold_s))
    # ... then paths only where the reconstruction draws one: between sightings of one trip (a gap between two
    # trips, or two plates, is never drawn, and is most of the kilometres)
    bridged = np.concatenate([continues & ~same_pass, [False]])
    routes = _block_routes(net, edge, observed, half, bridged, slow, recon, k_paths)
    first = np.flatnonzero(np.concatenate([[True], ~continues]))
    last = np.flatnonzero(np.concatenate([~continues, [True]]))
    return _Block(recon=recon.astype(code_type(len(t))), first=first, n_reads=(last - first + 1).astype(np.int64),
                  start_s=t[first], end_s=t[last], origin=net.edge_u[edge[first]],
                  destination=net.edge_v[edge[last]], routes=routes)


def _block_routes(net: RoadNetwork, edge: np.ndarray, observed: np.ndarray, half: np.ndarray, bridged: np.ndarray,
                  slow: np.ndarray, recon: np.ndarray, k_paths: int) -> Routes:
    """The routes of one block's reconstructed trips (``recon``: each sorted read's, from 0): each read edge,
    then the path to the next read where ``bridged`` (time-matched where ``slow``, else the fastest)."""
    matched = _time_matched_paths(net, edge, observed, half, slow, k_paths)
    gaps = _bridge_paths(net, edge, bridged)
    n_recon = int(recon[-1]) + 1
    offsets, flat = _chain_routes(edge, gaps, bridged, recon, n_recon, matched)
    travel = np.add.reduceat(net.edge_time[flat], offsets[:-1])  # (every trip holds at least its read's edge)
    return Routes(offsets, flat, travel)


def _plate_keys(
    reads: pd.DataFrame, net: RoadNetwork, time_s: np.ndarray, by_time: np.ndarray, *, slack_s: float,
    misread_tolerance: bool, window_s: float, sighting_window_s: float,
) -> tuple[np.ndarray, pd.Index, np.ndarray | None, np.ndarray]:
    """The plate each read is filed under, as codes into the sorted plates left (-1: none) with those plates and
    as one object per read (``None`` for text plates: built when asked for), and each read's sighting
    (``by_time``: a stable argsort of ``time_s``).

    The plates are factorized once and matched on their codes. Plates held as anything but pandas' ``str``
    (which :func:`match_misreads` first turns into text, so that its codes would differ) go through
    :func:`match_misreads` itself.
    """
    column = reads["plate_read"]
    plate_code, plate_text = _sorted_codes(column)
    camera = reads["camera_id"] if "camera_id" in reads.columns else reads["edge"]
    sighting, sighted_plate = (_sightings(plate_code, _sorted_codes(camera)[0], time_s, by_time, sighting_window_s)
                               if len(reads) else (np.zeros(0, np.int64), np.zeros(0, np.int64)))
    if misread_tolerance and column.dtype != "str":
        matched = match_misreads(reads, net, slack_s=slack_s, window_s=window_s, sighting=sighting)
        return *_sorted_codes(matched), matched, sighting
    if misread_tolerance:  # every sighting is one plate's: the sightings of a plate are a count
        counts = np.bincount(sighted_plate[sighted_plate >= 0], minlength=len(plate_text))
        plate_code = match_codes(plate_code, plate_text, counts, time_s, reads["edge"].to_numpy(np.int64), net,
                                  slack_s=slack_s, window_s=window_s)
    # text plates' keys are built from their codes when asked for (Reconstruction.plate_key); others' missing
    # values are their column's own
    plate_key = None if column.dtype == "str" else plate_values(plate_code, plate_text, column)
    # the plates no read is filed under any more (all matched away) drop out, as a factorization of the keys drops them
    return *used_codes(plate_code, plate_text), plate_key, sighting


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
