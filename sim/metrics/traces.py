"""Plates' traces block by block of whole plates: uniqueness (de Montjoye et al. 2013) with one exchange.

A plate's trace is its set of points (camera, hour). Whether ``k`` random
points single a plate out depends on every other plate's trace, yet no block
of plates needs another's reads: the blocks exchange only what is small.

1. *census* (:func:`block_census`): each block's plates with their number of
   points, its cameras with the first row it holds of each, and its times:
   O(plates + cameras);
2. in this process: the cameras' codes (in order of first appearance in the
   reads, as ``pd.factorize`` numbers them), the plates scored (drawn from
   those with ``k`` points or more) and which of its points are drawn for
   each: a draw depends only on how many points a trace holds;
3. *points* (:func:`block_points`): each block names the drawn points of its
   scored plates;
4. *holders* (:func:`block_holders`): each block counts, for every drawn set,
   its own plates that hold every point of it. A plate is singled out when the
   counts sum to 1 (itself).

Each block holds every sighting of its plates, and every step is per plate or
a sum over blocks, so any blocks (one, or :data:`sim.shard.READS_PER_BLOCK`
reads each on the workers of a running :func:`sim.shard.workers` block) give
the same plates scored and the same answers, bit for bit.

Examples
--------
>>> r = pd.DataFrame({"plate": ["A", "A", "B"], "camera_id": ["a", "b", "a"], "time_s": [0.0, 0.0, 0.0]})
>>> unique_plates(r, [2], np.random.default_rng(0))[2].to_dict("list")
{'plate': ['A'], 'unique': [True]}
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import code_type, distinct, distinct_counts, first_rows, joined, new_runs, ranked_pairs, run_codes
from sim import shard

#: Drawn sets per chunk of :func:`block_holders` (bounds its arrays: a set's points are each held by hundreds of
#: plates in a county week).
SETS_PER_CHUNK = 2_000


@dataclass(frozen=True)
class TraceBlock:
    """The sightings of a block of whole plates: every sighting of each of its plates, in plate order.

    ``plate`` holds integer codes, non-decreasing; ``row`` each sighting's position in the reads (which camera
    appeared first); ``camera`` the camera of each (any array-like that ``pd.factorize`` takes); ``edge`` and
    ``vehicle`` (the truth, for scoring only) where a block's user needs them.
    """

    plate: np.ndarray
    camera: Any
    time_s: np.ndarray
    row: np.ndarray
    edge: np.ndarray | None = None
    vehicle: np.ndarray | None = None


@dataclass(frozen=True)
class Census:
    """What a block tells the others (:func:`block_census`)."""

    plates: np.ndarray  # its distinct plate codes, sorted
    n_points: np.ndarray  # each plate's distinct points
    cameras: np.ndarray  # its distinct cameras (objects)
    first_row: np.ndarray  # the first row it holds of each camera
    times: tuple[float, float]  # its first and last time (s)
    #: the true vehicle with most of each plate's sightings (ties: the lowest id; scoring only), when the block
    #: holds vehicles
    owner: np.ndarray | None = None


@dataclass(frozen=True)
class Points:
    """How every block codes a point, agreed after the census: ``camera * span + hour - first_hour``."""

    cameras: pd.Index  # every camera, in order of first appearance (its position is its code)
    first_hour: int
    span: int  # hours from the first to the last, inclusive

    def of(self, block: TraceBlock) -> np.ndarray:
        """Each sighting's point code."""
        local, names = pd.factorize(block.camera)
        code = self.cameras.get_indexer(names)[local].astype(np.int64)
        return code * self.span + (np.floor_divide(block.time_s, 3600).astype(np.int64) - self.first_hour)


def block_census(block: TraceBlock) -> Census:
    """Round 1: the block's plates and their number of points, its cameras (first row of each) and times."""
    plates, plate = run_codes(block.plate)
    local, names = pd.factorize(block.camera)
    local = np.asarray(local, np.int64)
    hour = np.floor_divide(block.time_s, 3600).astype(np.int64)
    lo = int(hour.min()) if len(hour) else 0
    span = int(hour.max()) - lo + 1 if len(hour) else 1
    n_points = distinct_counts(plate, local * span + (hour - lo), minlength=len(plates))
    first_row = np.full(len(names), np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first_row, local, np.asarray(block.row, np.int64))
    owner = None
    if block.vehicle is not None:
        _, vehicle, _, rank = ranked_pairs(plate, block.vehicle)
        owner = vehicle[rank == 0]
    times = (float(block.time_s.min()), float(block.time_s.max())) if len(hour) else (0.0, 0.0)
    return Census(plates, n_points.astype(np.int64), np.asarray(names, dtype=object), first_row, times, owner)


def agreed_points(censuses: Sequence[Census]) -> Points:
    """Round 2's coding of points, from every block's census: cameras in order of first appearance."""
    names = joined((c.cameras for c in censuses), object)
    rows = joined((c.first_row for c in censuses), np.int64)
    first = pd.Series(rows).groupby(names, sort=False).min()  # (a camera in several blocks: its first row)
    cameras = pd.Index(first.index[np.argsort(first.to_numpy(), kind="stable")], dtype=object)
    held = [c.times for c in censuses if len(c.plates)]
    lo = min((_hour(t[0]) for t in held), default=0)
    return Points(cameras, lo, max((_hour(t[1]) for t in held), default=lo) - lo + 1)


def draw_points(n_points: np.ndarray, ks: Sequence[int], rng: np.random.Generator,
                max_plates: int) -> dict[int, tuple[np.ndarray, list[np.ndarray]]]:
    """Round 2's draws: for each ``k``, the plates scored (positions in ``n_points``, sorted: up to
    ``max_plates`` of those with ``k`` points or more, drawn at random) and which ``k`` of each one's points
    (positions in its sorted trace) are drawn. ``rng`` is drawn from exactly as drawing from the traces
    themselves would (``rng.choice`` of a trace picks positions by its length alone)."""
    out = {}
    for k in ks:
        eligible = np.flatnonzero(n_points >= k)
        if len(eligible) > max_plates:
            eligible = np.sort(rng.choice(eligible, max_plates, replace=False))
        out[k] = (eligible, [rng.choice(int(n_points[v]), size=k, replace=False) for v in eligible])
    return out


def block_points(block: TraceBlock, points: Points, wanted: np.ndarray, at: list[np.ndarray]) -> list[np.ndarray]:
    """Round 3: the points at positions ``at[i]`` of the sorted trace of the block's ``wanted[i]``-th plate."""
    if not len(wanted):
        return []
    _, plate = run_codes(block.plate)
    width = _width(points)
    pairs = distinct(plate * width + points.of(block))  # sorted by plate, then point
    plate_of, point = pairs // width, pairs % width
    start = np.searchsorted(plate_of, wanted)
    return [point[s + positions] for s, positions in zip(start, at)]


def block_holders(block: TraceBlock, points: Points, sets: np.ndarray) -> np.ndarray:
    """Round 4: for each drawn set (a row of ``sets``: point codes, -1 padded), how many of the block's plates
    hold every point of it."""
    out = np.zeros(len(sets), np.int64)
    if not len(block.plate) or not len(sets):
        return out
    _, plate = run_codes(block.plate)
    n_plates = int(plate.max()) + 1
    pairs = distinct(points.of(block) * n_plates + plate)  # sorted by point, then plate
    holder_point, holder = pairs // n_plates, pairs % n_plates
    size = (sets >= 0).sum(axis=1)
    for a in range(0, len(sets), SETS_PER_CHUNK):
        chunk = sets[a : a + SETS_PER_CHUNK]
        which, slot = np.nonzero(chunk >= 0)
        wanted = chunk[which, slot]
        lo, hi = np.searchsorted(holder_point, wanted), np.searchsorted(holder_point, wanted, side="right")
        n = hi - lo
        # every (set, plate holding one of its points) pair, once per point: a plate holds the set when it
        # comes up as often as the set has points (a set's points are distinct)
        at = np.repeat(lo - np.cumsum(n) + n, n) + np.arange(int(n.sum()))
        key = np.repeat(which.astype(np.int64), n) * n_plates + holder[at]
        ordered = np.sort(key)
        runs = np.flatnonzero(new_runs(ordered))
        count = np.diff(np.append(runs, len(ordered)))
        set_of = ordered[runs] // n_plates
        full = count == size[a + set_of]
        out[a : a + len(chunk)] = np.bincount(set_of[full], minlength=len(chunk))
    return out


def unique_by_blocks(blocks: Callable[[], Iterator[TraceBlock]], ks: Sequence[int], rng: np.random.Generator,
                     *, max_plates: int = 5_000) -> tuple[list[Census], dict[int, pd.DataFrame]]:
    """Every round over the blocks ``blocks()`` yields (cut anew in each round, one at a time: this process
    never holds two, and hands each to a worker when there are workers; see :func:`sim.shard.shard_map`).

    Returns every block's census (its plates, their number of points …), and for each ``k`` the plates scored
    (``plate``: codes) and whether ``k`` random points singled them out (``unique``).
    """
    censuses = shard.shard_map(block_census, ((block,) for block in blocks()))
    plates = joined((c.plates for c in censuses), np.int64)
    n_points = joined((c.n_points for c in censuses), np.int64)
    empty = pd.DataFrame({"plate": np.zeros(0, np.int64), "unique": np.zeros(0, bool)})
    if not len(plates) or not len(ks):  # (nothing to draw: no round but the census)
        return censuses, {k: empty for k in ks}
    points = agreed_points(censuses)
    drawn = draw_points(n_points, ks, rng, max_plates)
    # each scored plate's block, and its place among the block's plates
    ends = np.cumsum([len(c.plates) for c in censuses])
    scored = np.concatenate([drawn[k][0] for k in ks])
    at = [p for k in ks for p in drawn[k][1]]
    block_of = np.searchsorted(ends, scored, side="right")
    starts = ends - [len(c.plates) for c in censuses]
    named = shard.shard_map(block_points, (
        (block, points, scored[block_of == b] - starts[b], [at[i] for i in np.flatnonzero(block_of == b)])
        for b, block in enumerate(blocks())))
    sets = np.full((len(scored), max(ks)), -1, np.int64)
    for b, found in enumerate(named):
        for i, chosen in zip(np.flatnonzero(block_of == b), found):
            sets[i, : len(chosen)] = chosen
    held = np.sum(shard.shard_map(block_holders, ((block, points, sets) for block in blocks())), axis=0)
    unique, out = held == 1, {}
    for k in ks:
        n = len(drawn[k][0])
        out[k] = pd.DataFrame({"plate": plates[drawn[k][0]], "unique": unique[:n]})
        unique = unique[n:]
    return censuses, out


def sighting_blocks(reads: pd.DataFrame, plate_key: np.ndarray | None = None,
                    key_codes: tuple[np.ndarray, np.ndarray] | None = None,
                    sighting: np.ndarray | None = None,
                    ) -> tuple[np.ndarray, np.ndarray, Callable[[], Iterator[TraceBlock]]]:
    """The first read of each sighting (of each read, without ``sighting``) as blocks of whole plates.

    A plate is the one the searcher holds: ``key_codes`` (sorted codes, -1 for none, and the plates they index:
    :meth:`sim.reconstruct.Reconstruction.key_codes`), else ``plate_key``, else the plate as read. A read
    without a plate is no plate's, and in no block. Returns the plates (the codes' values), the cameras (each
    block holds a camera as its position here, in order of first appearance in ``reads``) and a function that
    yields the blocks, of about :data:`sim.shard.READS_PER_BLOCK` sightings each, cut from ``reads`` as each is
    asked for. Blocks carry ``edge`` and (scoring only) ``vehicle`` when ``reads`` has them.
    """
    _require_cameras(reads)
    if key_codes is None:
        plate = reads["plate_read"] if plate_key is None else pd.Series(np.asarray(plate_key, dtype=object))
        code, plates = pd.factorize(plate, sort=True)
    else:
        code, plates = key_codes
    rows = first_rows(sighting) if sighting is not None and len(reads) else np.arange(len(reads))
    code = np.asarray(code)[rows]
    rows = rows[code >= 0]
    code = code[code >= 0]
    order = np.argsort(code, kind="stable")  # (plate, row) order: a plate's sightings in the reads' order
    rows, code = rows[order].astype(code_type(len(reads))), code[order].astype(code_type(len(plates)))
    del order
    bounds = shard.plate_blocks(code, shard.READS_PER_BLOCK)
    # cameras as integer codes: a block is cut and sent as numbers, never as millions of strings
    camera, cameras = pd.factorize(reads["camera_id"])
    camera = camera.astype(code_type(len(cameras)))
    time_s = reads["time_s"].to_numpy(float)
    edge = reads["edge"].to_numpy(np.int64) if "edge" in reads.columns else None
    vehicle = reads["vehicle_id"].to_numpy(np.int64) if "vehicle_id" in reads.columns else None

    def blocks() -> Iterator[TraceBlock]:
        for a, b in bounds:
            r = rows[a:b]
            yield TraceBlock(code[a:b], camera[r], time_s[r], r, None if edge is None else edge[r],
                             None if vehicle is None else vehicle[r])

    return np.asarray(plates, dtype=object), np.asarray(cameras, dtype=object), blocks


def unique_plates(
    reads: pd.DataFrame, ks: list[int], rng: np.random.Generator, *, max_plates: int = 5_000
) -> dict[int, pd.DataFrame]:
    """For each ``k``: the plates scored (``plate``) and whether ``k`` random points singled them out.

    ``reads`` hold ``plate, camera_id, time_s``; a read without a plate is no
    plate's. See :func:`sim.metrics.person.uniqueness`; the mean of
    ``unique`` is the uniqueness share, and the rows let it be split by group
    or bootstrapped.
    """
    code, names = pd.factorize(reads["plate"], sort=True)
    block = _one_block(reads, code)
    coded = unique_by_blocks(lambda: iter([block]), ks, rng, max_plates=max_plates)[1]
    values = np.asarray(names, dtype=object)
    return {k: u.assign(plate=values[u["plate"].to_numpy(np.int64)]) if len(u)
            else pd.DataFrame({"plate": pd.Series(dtype=object), "unique": pd.Series(dtype=bool)})
            for k, u in coded.items()}


def trace_points(reads: pd.DataFrame) -> pd.Series:
    """Distinct (camera, hour) points of each plate: plate → number of points (a read without a plate is no
    plate's)."""
    code, names = pd.factorize(reads["plate"], sort=True)
    census = block_census(_one_block(reads, code))
    # (the plates as the reads hold them: integer plates stay integers)
    return pd.Series(census.n_points, index=pd.Index(names, name="plate")[census.plates])


def _one_block(reads: pd.DataFrame, code: np.ndarray) -> TraceBlock:
    """The reads with a plate (``code`` ≥ 0) as one block, in plate order (rows of a plate in their order)."""
    _require_cameras(reads)
    code = np.asarray(code, np.int64)
    rows = np.flatnonzero(code >= 0)
    rows = rows[np.argsort(code[rows], kind="stable")]
    return TraceBlock(code[rows], reads["camera_id"].iloc[rows], reads["time_s"].to_numpy(float)[rows], rows)


def _require_cameras(reads: pd.DataFrame) -> None:
    """Refuse reads without the columns a trace needs, or a read without a camera (no point of any trace)."""
    missing = [c for c in ("camera_id", "time_s") if c not in reads.columns]
    if missing:
        raise ValueError(f"reads need the columns {', '.join(missing)} (a trace's points are (camera, hour))")
    if reads["camera_id"].isna().any():
        raise ValueError(f"{int(reads['camera_id'].isna().sum())} read(s) have no camera_id: a read is a camera's; "
                         "drop them or name their camera")


def _hour(time_s: float) -> int:
    """The hour a time falls in, as a block computes each sighting's (``np.floor_divide`` by 3600)."""
    return int(np.floor_divide(time_s, 3600))


def _width(points: Points) -> int:
    return len(points.cameras) * points.span
