"""The tables routing produces: routes stored flat, and where they pass cameras."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Routes:
    """Fastest routes of many trips, stored flat.

    The edges of trip ``i`` are ``edges[offsets[i]:offsets[i + 1]]`` in
    driving order; ``travel_time[i]`` is its free-flow time in seconds.
    ``kept`` marks, in a run that keeps only a sample of the routes
    (``[metrics] route_sample``), the trips whose edges are stored; the
    others have empty routes here (and every trip its travel time).
    """

    offsets: np.ndarray
    edges: np.ndarray
    travel_time: np.ndarray
    #: trips whose edges are stored (``None``: every trip's)
    kept: np.ndarray | None = None

    def route(self, i: int) -> np.ndarray:
        """Edge indices of trip ``i`` in driving order."""
        return self.edges[self.offsets[i] : self.offsets[i + 1]]

    def trip_of_edge(self) -> np.ndarray:
        """For each entry of ``edges``, the trip it belongs to."""
        return np.repeat(np.arange(len(self.travel_time)), np.diff(self.offsets))

    def select(self, rows: np.ndarray) -> Routes:
        """The routes of trips ``rows``, in that order (row ``i`` of the result is trip ``rows[i]``).

        Examples
        --------
        >>> r = Routes(np.array([0, 2, 2, 5]), np.array([7, 8, 1, 2, 3]), np.array([1.0, 0.0, 3.0]))
        >>> s = r.select(np.array([2, 0]))
        >>> s.offsets.tolist(), s.edges.tolist(), s.travel_time.tolist()
        ([0, 3, 5], [1, 2, 3, 7, 8], [3.0, 1.0])
        """
        rows = np.asarray(rows, np.int64)
        steps = np.diff(self.offsets)[rows]
        offsets = np.concatenate([[0], np.cumsum(steps)]).astype(np.int64)
        flat = np.repeat(self.offsets[rows] - offsets[:-1], steps) + np.arange(int(offsets[-1]))
        return Routes(offsets, self.edges[flat], self.travel_time[rows])

    @staticmethod
    def scatter(n_trips: int, parts: list[tuple[np.ndarray, Routes]],
                dtype: type[np.signedinteger[Any]] = np.int64) -> tuple[np.ndarray, np.ndarray]:
        """Offsets and flat edges of ``n_trips`` trips put together from ``parts``: each the trips' rows and
        their routes (row ``i`` of a part is trip ``rows[i]``); trips in no part get an empty route. The edges are
        of ``dtype`` (int32 holds any network's edge numbers below 2³¹, in half the memory).

        Examples
        --------
        >>> a = Routes(np.array([0, 1, 3]), np.array([5, 6, 7]), np.zeros(2))
        >>> b = Routes(np.array([0, 2]), np.array([8, 9]), np.zeros(1))
        >>> offsets, edges = Routes.scatter(4, [(np.array([3, 0]), a), (np.array([1]), b)])
        >>> offsets.tolist(), edges.tolist()
        ([0, 2, 4, 4, 5], [6, 7, 8, 9, 5])
        """
        lengths = np.zeros(n_trips, np.int64)
        for rows, part in parts:
            lengths[rows] = np.diff(part.offsets)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        edges = np.empty(int(offsets[-1]), dtype)
        for rows, part in parts:
            # each part's routes, edge by edge, moved to their trips' places in the flat array
            steps = np.diff(part.offsets)
            edges[np.repeat(offsets[rows] - part.offsets[:-1], steps) + np.arange(len(part.edges))] = part.edges
        return offsets, edges


@dataclass(frozen=True)
class Crossings:
    """Where and when each trip passes a watched edge, in driving order.

    ``trip`` are row positions in the trips table, ``camera`` row positions
    in the layout, ``edge`` the travelled edge, ``offset_s`` seconds after
    the trip's actual departure.
    """

    trip: np.ndarray
    camera: np.ndarray
    edge: np.ndarray
    backward: np.ndarray
    offset_s: np.ndarray


@dataclass
class Driven:
    """What routing keeps of every trip when only a sample of the routes is stored (see :func:`drive_sampled`).

    ``crossings`` are every trip's, against one layout's watch pairs, sorted by trip and in driving order (as
    :func:`route_crossings` gives them); ``length_m`` every trip's length; ``volume`` the trips on each edge.
    """

    crossings: Crossings
    length_m: np.ndarray
    volume: np.ndarray
