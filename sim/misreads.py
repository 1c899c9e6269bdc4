"""Misread plates put back on their cars: a plate sighted once is filed under a plate one character away whose
reads one car could have made too (as a searcher's fuzzy plate search does); used by :func:`sim.reconstruct.reconstruct`
with ``misread_tolerance``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sim.arrays import distinct, distinct_counts, first_occurrences
from sim._defaults import DEFAULT_SLACK_S
from sim._errors import NetworkError
from sim.network import RoadNetwork
from sim.routing.trees import OriginTrees


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
        The plate each read is attributed to, in input order, as it was read:
        plates held as numbers are compared as their text and stay numbers.
        Values with one text are one plate here (1234 and "1234", filed
        under the first read), as they are not without misread tolerance:
        give a column of one kind.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, rng=np.random.default_rng(0))
    >>> r = pd.DataFrame({"plate_read": ["ABC1234", "ABC1234", "ABC1284"],
    ...                   "time_s": [0.0, 60.0, 30.0], "edge": [0, 1, 2]})
    >>> match_misreads(r, net).tolist()
    ['ABC1234', 'ABC1234', 'ABC1234']
    """
    plates = reads["plate_read"].astype(str)
    plate_code, plate_text = pd.factorize(plates, sort=True)
    if sighting is None:
        sighting = np.arange(len(plates))
    has_plate = plate_code >= 0  # sightings per plate (-1: no plate, dropped)
    counts = distinct_counts(plate_code[has_plate], np.asarray(sighting)[has_plate], minlength=len(plate_text))
    matched = match_codes(plate_code, plate_text, counts, reads["time_s"].to_numpy(float),
                           reads["edge"].to_numpy(np.int64), net, slack_s=slack_s, window_s=window_s)
    if reads["plate_read"].dtype == "str":
        return plate_values(matched, plate_text, plates)
    # plates held as anything else (integers from a file of digits) are matched as their text but filed under
    # the value read: each text's first read gives it back (every text code is some read's)
    has = np.flatnonzero(plate_code >= 0)
    first = has[first_occurrences(plate_code[has])[1]]
    held = pd.Index(reads["plate_read"].iloc[first].to_numpy(dtype=object), dtype=object)
    return plate_values(matched, held, reads["plate_read"])


def match_codes(
    plate_code: np.ndarray, plate_text: pd.Index, counts: np.ndarray, time_s: np.ndarray, edge: np.ndarray,
    net: RoadNetwork, *, slack_s: float, window_s: float,
) -> np.ndarray:
    """:func:`match_misreads` on codes into the sorted plates ``plate_text`` (-1: none), ``counts`` being the
    sightings of each plate: the code each read is attributed to.

    A rare read tries its candidates in order and takes the first whose reads
    within ``window_s`` one car could have made too; the drives of every try
    are timed at once.
    """
    result = plate_code.copy()
    rare = np.flatnonzero(np.append(counts, 0)[plate_code] == 1)
    candidates = _one_apart(plate_text, counts, distinct(plate_code[rare])) if len(rare) else {}
    if not candidates:
        return result
    wanted = np.zeros(len(plate_text) + 1, bool)
    wanted[[q for qs in candidates.values() for q in qs]] = True
    rows = np.flatnonzero(wanted[plate_code])
    rows = rows[np.argsort(plate_code[rows], kind="stable")]  # each candidate's reads, in input order
    bounds = np.searchsorted(plate_code[rows], np.arange(len(plate_text) + 1))
    tries: list[tuple[int, int]] = []
    near: list[np.ndarray] = []
    for row in rare.tolist():
        for q in candidates.get(int(plate_code[row]), ()):
            own = rows[bounds[q] : bounds[q + 1]]
            close = own[np.abs(time_s[own] - time_s[row]) <= window_s]
            if len(close):
                tries.append((row, q))
                near.append(close)
    if not tries:
        return result
    others = np.concatenate(near)
    at = np.repeat(np.array([row for row, _ in tries]), [len(n) for n in near])
    before = time_s[others] <= time_s[at]
    origins = net.edge_v[np.where(before, edge[others], edge[at])]
    destinations = net.edge_u[np.where(before, edge[at], edge[others])]
    drive = _drive_times(net, origins, destinations)
    starts = np.cumsum([0] + [len(n) for n in near[:-1]])
    fits = np.logical_or.reduceat(drive <= np.abs(time_s[others] - time_s[at]) + slack_s, starts)
    stuck = np.logical_or.reduceat(~np.isfinite(drive), starts)
    decided: set[int] = set()
    for k, (row, q) in enumerate(tries):
        if row in decided:
            continue
        if stuck[k]:  # as fastest_routes, which timed these one try at a time, refuses
            bad = starts[k] + np.flatnonzero(~np.isfinite(drive[starts[k] : starts[k] + len(near[k])]))[0]
            raise NetworkError(f"no route from node {net.nodes[origins[bad]]!r} to {net.nodes[destinations[bad]]!r}")
        if fits[k]:
            result[row] = q
            decided.add(row)
    return result


def _one_apart(plate_text: pd.Index, counts: np.ndarray, rare_plates: np.ndarray) -> dict[int, list[int]]:
    """For each rare plate (code), the plates of at least two sightings that differ from it in exactly one
    character: most sighted first, then in plate order (codes follow the sorted plates)."""
    blanked: dict[str, list[int]] = {}  # a rare plate with one character blanked -> the rare plates giving it
    for p, text in zip(rare_plates.tolist(), plate_text[rare_plates].tolist()):
        for i in range(len(text)):
            blanked.setdefault(text[:i] + "\0" + text[i + 1 :], []).append(p)
    frequent = np.flatnonzero(counts >= 2)
    frequent_text = pd.Series(plate_text[frequent])
    length = frequent_text.str.len().to_numpy()
    blanked_keys = pa.array(list(blanked), type=pa.string())
    found: dict[int, set[int]] = {}
    # blank one position of every frequent plate at once (Arrow string kernels, not a loop over the plates)
    for i in range(max((len(key) for key in blanked), default=0)):
        key = frequent_text.str.slice_replace(i, i + 1, "\0")
        known = pc.is_in(pa.array(key), value_set=blanked_keys).to_numpy(zero_copy_only=False)
        hit = np.flatnonzero(known & (length > i))  # (past its end, a plate is not blanked but lengthened)
        for q, k in zip(frequent[hit].tolist(), key.iloc[hit].tolist()):
            for p in blanked[k]:
                found.setdefault(p, set()).add(q)
    return {p: sorted(qs, key=lambda q: (-counts[q], q)) for p, qs in found.items()}


def _drive_times(net: RoadNetwork, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """Fastest drive (s) from ``origins[i]`` to ``destinations[i]`` (node indices), ``inf`` where there is none:
    the travel times of :func:`sim.routing.fastest_routes` (its trees), without walking the routes."""
    out = np.empty(len(origins))
    for rows, tree, dist, _ in OriginTrees.of(net, heap=True).by_origin(np.asarray(origins, np.int64)):
        out[rows] = dist[tree, destinations[rows]]
    return out


def plate_values(code: np.ndarray, plate_text: pd.Index, column: pd.Series) -> np.ndarray:
    """The plate of each read as an object (``column``'s own missing value where the code is -1)."""
    out: np.ndarray = np.append(np.asarray(plate_text, dtype=object), np.array([None]))[code]
    missing = np.flatnonzero(code < 0)
    if len(missing):
        out[missing] = column.iloc[missing].to_numpy(dtype=object)
    return out
