"""Plate reads: which camera crossings become reads, and what plate is read.

A crossing becomes a read with the camera's ``read_rate``; a read is a
misread with the camera's ``misread_rate``, in which case one character of
the plate is replaced by another.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.arrays import factorized, first_occurrences, rows_of, shared_codes
from sim.progress import tick
from sim import shard
from sim.shard import shard_map
from sim._time import DAY_S

READ_COLUMNS = (
    "read_id", "camera_id", "plate_read", "vehicle_id", "trip_id",
    "time_s", "timestamp", "edge", "direction",
)
PLATE_ALPHABET = np.array(list("ABCDEFGHJKLMNPRSTUVWXYZ0123456789"))
#: The directions a simulated read can have, in text order: the categories of its ``direction`` in memory.
READ_DIRECTIONS = ("backward", "forward", "oncoming", "parked", "same_way")


def held_reads(reads: pd.DataFrame, camera_ids: Any) -> pd.DataFrame:
    """Simulated ``reads`` as a run holds them: ``camera_id`` a categorical over the layout's ``camera_ids`` and
    ``direction`` over :data:`READ_DIRECTIONS` (both in text order, so they sort, group and factorize as the text
    does), each read a small integer code where text costs ≈ 20 bytes (a county week: 0.37 GB less held through
    the run). :func:`written_reads` gives the columns back as text, as reads.parquet holds them. A camera or a
    direction outside those (a read of a camera the layout lacks, a direction of one's own passes) joins its
    column's categories, in text order: no read loses its value.

    Examples
    --------
    >>> r = held_reads(pd.DataFrame({"camera_id": ["b", "a"], "direction": ["forward", "parked"]}), ["b", "a", "c"])
    >>> r["camera_id"].cat.categories.tolist(), r["camera_id"].cat.codes.tolist()
    (['a', 'b', 'c'], [1, 0])
    >>> written_reads(r)["direction"].tolist()
    ['forward', 'parked']
    >>> written_reads(held_reads(pd.DataFrame({"camera_id": ["a", None], "direction": ["forward", None]}), ["a"])
    ...               )["camera_id"].tolist()
    ['a', nan]
    >>> own = held_reads(pd.DataFrame({"camera_id": ["a"], "direction": ["east"]}), ["a"])
    >>> own["direction"].cat.categories.tolist()
    ['backward', 'east', 'forward', 'oncoming', 'parked', 'same_way']
    """
    out = reads.copy(deep=False)
    out["camera_id"] = _categorical(reads["camera_id"], _text_order(camera_ids))
    out["direction"] = _categorical(reads["direction"], pd.Index(READ_DIRECTIONS))
    return out


def _categorical(values: Any, categories: pd.Index) -> pd.Categorical:
    """``values`` as a categorical over ``categories`` (in text order), joined by any value they lack."""
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):  # (a file's dictionary: each value once)
        held = pd.Categorical(values)
        code = np.append(categories.get_indexer(held.categories), -1)[held.codes]
    else:
        code = categories.get_indexer(values)
    lost = (code < 0) & np.asarray(pd.notna(values))
    if lost.any():
        extra = pd.unique(pd.Series(np.asarray(values, dtype=object)[lost]))
        try:
            categories = _text_order(np.concatenate([np.asarray(categories, dtype=object), extra]))
        except TypeError:  # (values of another kind than the categories': text and numbers do not sort together)
            raise ValueError(f"{extra[0]!r} cannot join the categories {', '.join(map(str, categories[:10]))}"
                             f"{' …' if len(categories) > 10 else ''} (of another kind)") from None
        code = categories.get_indexer(values)
    return pd.Categorical.from_codes(code, categories=categories)


def written_reads(reads: pd.DataFrame) -> pd.DataFrame:
    """``reads`` with their categorical columns as their categories' own type (text), as files hold them."""
    out = reads.copy(deep=False)
    for name in reads.columns:
        column = reads[name]
        if not isinstance(column.dtype, pd.CategoricalDtype):
            continue
        categories = column.cat.categories
        if categories.dtype == "str":  # one Arrow take of the categories' text (astype makes a Python string a read)
            codes = column.cat.codes.to_numpy()
            text = pa.array(np.asarray(categories, dtype=object), type=pa.large_string())
            out[name] = pd.Series(pd.array(pc.take(text, pa.array(codes, mask=codes < 0)), dtype=categories.dtype),
                                  index=column.index)
        else:
            out[name] = column.astype(categories.dtype)
    return out


def _text_order(values: Any) -> pd.Index:
    """The distinct ``values`` sorted (text in code-point order, as Python and Arrow sort it)."""
    return pd.Index(pd.unique(pd.Series(values))).sort_values()


def read_passes(
    passes: pd.DataFrame,
    trips: pd.DataFrame,
    layout: pd.DataFrame,
    start: datetime,
    rng: np.random.Generator,
    *,
    duplicate_rate: float = 0.0,
) -> pd.DataFrame:
    """Turn camera crossings into reads.

    Parameters
    ----------
    passes : pandas.DataFrame
        From :func:`sim.traffic.simulate` (``trip, camera, edge, backward,
        time_s``), in time order.
    trips : pandas.DataFrame
        The trips table (``trip_id, vehicle_id, plate``) whose row positions
        ``passes.trip`` refers to.
    layout : pandas.DataFrame
        The camera layout whose row positions ``passes.camera`` refers to.
    start : datetime.datetime
        Wall-clock time of ``t = 0``.
    rng : numpy.random.Generator
        One number is drawn from it; each day's reads then draw from their
        own generator (seeded by that number and the day), so the reads do
        not depend on how the passes are chunked: in memory or streamed day
        by day (:func:`stream_reads`), the same seed gives the same reads.
    duplicate_rate : float
        Share of reads the camera logs twice, 1–3 s apart (as real readers
        do); the copy is indistinguishable from a read.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`READ_COLUMNS`; ``vehicle_id`` and ``trip_id`` are the
        truth, kept for evaluation (reconstruction never uses them).
        ``direction`` is ``forward``/``backward`` for fixed cameras and, when
        ``passes`` has a ``direction`` column (patrol cars), ``oncoming``,
        ``same_way`` or ``parked``; a parked car's read has ``trip_id`` -1.
        Read ids run in time order within each day and on across days.
    """
    bounds = _day_bounds(passes)
    # (an iterator: each day's passes and plates are made when its turn comes, so this process holds one day's)
    days = shard_map(_read_chunk, _day_shards(passes, trips, layout, start, rng, duplicate_rate, bounds),
                     counts=np.diff(bounds).tolist())  # on workers if any
    _number_reads(days)
    return _joined(days)


def _joined(days: list[pd.DataFrame]) -> pd.DataFrame:
    """The days' reads as one table. A categorical column whose categories differ between days (a direction only
    one day's passes give) takes every day's, in text order, so that it stays categorical (``pd.concat`` would
    make it text). A day without reads is left out, whose empty columns of objects would make the text ones
    objects."""
    days = [day for day in days if len(day)] or days[:1]
    for name in ("camera_id", "direction"):
        kinds = [day[name].cat.categories for day in days]
        if any(not kind.equals(kinds[0]) for kind in kinds[1:]):
            joined = _text_order(np.concatenate([np.asarray(kind, dtype=object) for kind in kinds]))
            for day in days:
                day[name] = day[name].cat.set_categories(joined)
    return days[0] if len(days) == 1 else pd.concat(days, ignore_index=True)


def _day_bounds(passes: pd.DataFrame) -> np.ndarray:
    """Where each day of time-ordered ``passes`` starts, and the end: at least one day (``[0, n]``).

    Examples
    --------
    >>> _day_bounds(pd.DataFrame({"time_s": [5.0, 90_000.0, 90_001.0, 300_000.0]})).tolist()
    [0, 1, 3, 3, 4]
    """
    day = (passes["time_s"].to_numpy() // DAY_S).astype(np.int64)
    bounds = np.searchsorted(day, np.arange(int(day.max()) + 2 if len(day) else 1))
    return bounds if len(bounds) > 1 else np.array([0, len(passes)])


def _day_shards(passes: pd.DataFrame, trips: pd.DataFrame, layout: pd.DataFrame, start: datetime,
                rng: np.random.Generator, duplicate_rate: float, bounds: np.ndarray) -> Iterator[tuple[Any, ...]]:
    """The arguments of :func:`_read_chunk` for each day of time-ordered ``passes`` (``bounds``: see
    :func:`_day_bounds`): the day's passes with their trips' plates, vehicles and trip ids, and the day's
    generator (seeded by one number drawn from ``rng`` and the day), so that a day's reads are the same wherever
    they are drawn."""
    base = int(rng.integers(2**63))
    plate = trips["plate"].array  # (as held: each day takes its passes' plates, not every trip's as objects)
    vehicle, trip_id = trips["vehicle_id"].to_numpy(np.int64), trips["trip_id"].to_numpy(np.int64)
    for d in range(len(bounds) - 1):
        chunk = passes.iloc[bounds[d] : bounds[d + 1]]
        trip = chunk["trip"].to_numpy()
        yield (chunk, np.asarray(plate[trip], dtype=object), vehicle[trip], trip_id[trip], layout, start,
               np.random.default_rng([base, d]), duplicate_rate)


def _number_reads(days: list[pd.DataFrame]) -> None:
    """Read ids run on across days (each day's count from 0)."""
    next_id = 0
    for reads in days:
        reads["read_id"] += next_id
        next_id += len(reads)


def read_days(
    passes: pd.DataFrame, trips: pd.DataFrame, layout: pd.DataFrame, start: datetime, rng: np.random.Generator, *,
    duplicate_rate: float = 0.0,
) -> Iterator[pd.DataFrame]:
    """The reads of time-ordered ``passes``, one day at a time (see :func:`read_passes`); at least one frame."""
    next_id = 0
    for day in _day_shards(passes, trips, layout, start, rng, duplicate_rate, _day_bounds(passes)):
        reads = _read_chunk(*day)
        reads["read_id"] += next_id
        next_id += len(reads)
        tick(len(day[0]))
        yield reads


def _read_chunk(
    passes: pd.DataFrame,
    plate: np.ndarray,
    vehicle: np.ndarray,
    trip_id: np.ndarray,
    layout: pd.DataFrame,
    start: datetime,
    rng: np.random.Generator,
    duplicate_rate: float = 0.0,
) -> pd.DataFrame:
    """The reads of one chunk of passes (a day; ``plate``, ``vehicle`` and ``trip_id`` of each pass's trip),
    drawn from ``rng`` alone."""
    camera = passes["camera"].to_numpy()
    rate = layout["read_rate"].to_numpy(float)[camera]
    if "direction" in passes.columns and "parked_read_rate" in layout.columns:  # a mobile reader passing parked cars
        parked = passes["direction"].to_numpy(object) == "parked"
        rate = np.where(parked, layout["parked_read_rate"].to_numpy(float)[camera], rate)
    hit = rng.random(len(passes)) < rate
    kept = passes[hit].reset_index(drop=True)
    cam = kept["camera"].to_numpy()
    plates = plate[hit]
    trip_id = trip_id[hit]
    misread = rng.random(len(kept)) < layout["misread_rate"].to_numpy(float)[cam]
    for i in np.flatnonzero(misread):
        plates[i] = misread_plate(plates[i], rng)
    time_s = kept["time_s"].to_numpy(float)
    direction = np.where(kept["backward"].to_numpy(bool), "backward", "forward").astype(object)
    if "direction" in kept.columns:  # mobile readers: oncoming, same_way or parked
        given = kept["direction"].to_numpy(object)
        direction = np.where(pd.notna(given), given, direction)
        trip_id = np.where(direction == "parked", -1, trip_id)  # a parked car is on no trip
    cameras = _text_order(layout["camera_id"])
    reads = pd.DataFrame(
        {
            "read_id": np.arange(len(kept), dtype=np.int64),
            # (as held: codes into the cameras; see held_reads)
            "camera_id": pd.Categorical.from_codes(cameras.get_indexer(layout["camera_id"])[cam], categories=cameras),
            "plate_read": plates,
            "vehicle_id": vehicle[hit],
            "trip_id": trip_id,
            "time_s": time_s,
            "timestamp": timestamps(start, time_s),
            "edge": kept["edge"].to_numpy(np.int64),
            "direction": _categorical(direction, pd.Index(READ_DIRECTIONS)),
        }
    )
    if duplicate_rate > 0:
        reads = _duplicate(reads, duplicate_rate, start, rng)
    return reads


def _duplicate(reads: pd.DataFrame, rate: float, start: datetime, rng: np.random.Generator) -> pd.DataFrame:
    """Each read logged a second time with probability ``rate``, 1–3 s later; read ids renumbered in time order."""
    copies = reads[rng.random(len(reads)) < rate].copy()
    copies["time_s"] = copies["time_s"].to_numpy() + rng.uniform(1.0, 3.0, len(copies))
    copies["timestamp"] = timestamps(start, copies["time_s"].to_numpy())
    out = pd.concat([reads, copies], ignore_index=True).sort_values(["time_s", "read_id"], kind="stable",
                                                                     ignore_index=True)
    out["read_id"] = np.arange(len(out), dtype=np.int64)
    return out


def stream_reads(
    passes: pd.DataFrame,
    trips: pd.DataFrame,
    layout: pd.DataFrame,
    start: datetime,
    rng: np.random.Generator,
    path: str,
    *,
    duplicate_rate: float = 0.0,
) -> list[int]:
    """Turn time-ordered passes into reads one day at a time, appending each day to a Parquet file as a row group.

    Only one day's reads are ever held in memory. Read ids run on across
    days. Returns the number of reads of each day.

    Examples
    --------
    >>> import tempfile, pathlib, datetime
    >>> passes = pd.DataFrame({"trip": [0, 0], "camera": [0, 0], "edge": [3, 3], "backward": [False, False],
    ...                        "time_s": [100.0, 90_000.0]})
    >>> trips = pd.DataFrame({"trip_id": [0], "vehicle_id": [0], "plate": ["ABC1234"]})
    >>> layout = pd.DataFrame({"camera_id": ["c"], "read_rate": [1.0], "misread_rate": [0.0]})
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "reads.parquet"
    >>> stream_reads(passes, trips, layout, datetime.datetime(2023, 1, 23), np.random.default_rng(0), str(out))
    [1, 1]
    >>> import pyarrow.parquet as pq
    >>> pq.ParquetFile(out).metadata.num_row_groups
    2
    """
    counts: list[int] = []

    def days() -> Iterator[pd.DataFrame]:
        for reads in read_days(passes, trips, layout, start, rng, duplicate_rate=duplicate_rate):
            counts.append(len(reads))
            yield reads

    write_read_days(days(), path)
    return counts


def write_read_days(days: Iterable[pd.DataFrame], path: str | Path,
                    loose: dict[str, pa.DataType] | None = None) -> None:
    """Reads as Parquet, a row group per frame of ``days`` (one day's reads each), their categorical columns
    written as text one day at a time. A day without reads has no row group (its empty columns of objects would
    be typed null, and the days after refused); a file of no read at all still holds the columns. ``loose``: the
    Arrow type of each column of Python objects, as all its reads give it (a first day of None alone would type
    it null)."""
    writer, schema, last = None, None, None
    try:
        for day in days:
            last = day
            if len(day):
                writer, schema = _write_day(day, path, writer, schema, loose)
        if writer is None and last is not None:
            writer, schema = _write_day(last, path, writer, schema, loose)
    finally:
        if writer is not None:
            writer.close()


def _write_day(day: pd.DataFrame, path: str | Path, writer: pq.ParquetWriter | None, schema: pa.Schema | None,
               loose: dict[str, pa.DataType] | None) -> tuple[pq.ParquetWriter, pa.Schema]:
    """:func:`write_read_days` of one day: the writer and the schema, made by the first day written."""
    frame = written_reads(day)
    if schema is None:
        schema = pa.Schema.from_pandas(frame, preserve_index=False)
        for name, kind in (loose or {}).items():
            schema = schema.set(schema.get_field_index(name), pa.field(name, kind))
    table = pa.Table.from_pandas(frame, preserve_index=False, schema=schema)
    if writer is None:
        writer = pq.ParquetWriter(path, table.schema)  # (its pandas metadata of the types written)
    writer.write_table(table)
    return writer, schema


def misread_plate(plate: str, rng: np.random.Generator) -> str:
    """``plate`` with exactly one character replaced by a different one.

    Examples
    --------
    >>> p = misread_plate("ABC1234", np.random.default_rng(3))
    >>> sum(a != b for a, b in zip(p, "ABC1234"))
    1
    """
    pos = int(rng.integers(len(plate)))
    choices = PLATE_ALPHABET[PLATE_ALPHABET != plate[pos]]
    return plate[:pos] + str(rng.choice(choices)) + plate[pos + 1 :]


def timestamps(start: datetime, time_s: np.ndarray) -> np.ndarray:
    """Wall-clock times (microsecond resolution) of seconds after ``start``."""
    base = np.datetime64(start.replace(tzinfo=None), "us")
    return base + np.round(np.asarray(time_s) * 1e6).astype("timedelta64[us]")



def plates_read_and_true(reads: pd.DataFrame, trips: pd.DataFrame, *more: tuple[np.ndarray, Any]) -> list[np.ndarray]:
    """For scoring only: each read's plate as read and its vehicle's true plate (each trip's ``plate``), and any
    ``more`` factorized columns (``(codes, uniques)``, e.g. a reconstruction's keys), as codes of one
    factorization (:func:`sim.arrays.shared_codes`): equal plates have equal codes, and a missing plate, or a
    vehicle with no trip, equals nothing.

    Examples
    --------
    >>> reads = pd.DataFrame({"plate_read": ["AB1", "AB7", "AB1"], "vehicle_id": [3, 3, 4]})
    >>> trips = pd.DataFrame({"vehicle_id": [3, 4], "plate": ["AB1", "XY2"]})
    >>> read, true = plates_read_and_true(reads, trips)
    >>> (read == true).tolist()
    [True, False, False]
    """
    blocks = [codes for _, codes in plates_read_and_true_by_block(reads, trips, *more, size=max(len(reads), 1))]
    return blocks[0] if blocks else [np.zeros(0, np.int32) for _ in range(2 + len(more))]  # (one block, or none)


def plates_read_and_true_by_block(
    reads: pd.DataFrame, trips: pd.DataFrame, *more: tuple[np.ndarray, Any], size: int | None = None,
) -> Iterator[tuple[slice, list[np.ndarray]]]:
    """:func:`plates_read_and_true` of each block of ``size`` consecutive reads, with the block: the passes over a
    county week's 12 M reads hold one block's codes at a time (``size``: :data:`sim.shard.READS_PER_BLOCK`).

    The plates as read are factorized once, and the distinct values of every column (plates as read, true
    plates, each of ``more``: e.g. a reconstruction's :meth:`~sim.reconstruct.Reconstruction.key_codes`) put
    on one numbering once; each block then only looks its reads' codes up.

    Examples
    --------
    >>> reads = pd.DataFrame({"plate_read": ["AB1", "AB7", "AB1"], "vehicle_id": [3, 3, 4]})
    >>> trips = pd.DataFrame({"vehicle_id": [3, 4], "plate": ["AB1", "XY2"]})
    >>> [(block.start, (read == true).tolist()) for block, (read, true) in plates_read_and_true_by_block(
    ...     reads, trips, size=2)]
    [(0, [True, False]), (2, [False])]
    """
    size = shard.READS_PER_BLOCK if size is None else size
    if size < 1:
        raise ValueError(f"a block holds at least one read; got size {size}")
    ids, true = vehicle_plates(trips)
    read_code, read_plates = factorized(reads["plate_read"])  # (held: 4 bytes a read)
    # each column's distinct values on one numbering: lookups[i][c + 1] is the code of value c of column i (its
    # entry 0, for c = -1, a missing value's, which equals nothing in another column)
    lookups = shared_codes(*((np.arange(-1, len(values)), values)
                             for values in (read_plates, true, *(plates for _, plates in more))))
    vehicle = reads["vehicle_id"].to_numpy()
    for a in range(0, len(reads), size):
        block = slice(a, min(a + size, len(reads)))
        codes = [read_code[block], rows_of(ids, vehicle[block]), *(np.asarray(code)[block] for code, _ in more)]
        yield block, [lookup[np.asarray(c) + 1] for lookup, c in zip(lookups, codes)]


def vehicle_plates(trips: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each vehicle's id and its true plate (its first trip's ``plate``)."""
    ids = trips["vehicle_id"].to_numpy()
    if ids.dtype.kind in "iu":
        # each vehicle's first trip by one sort of its id (no hash table of the trips), its reads by binary search
        ids, first = first_occurrences(ids)
        return ids, trips["plate"].iloc[first].to_numpy()  # (a text per vehicle, not per trip)
    firsts = trips.drop_duplicates("vehicle_id")
    return firsts["vehicle_id"].to_numpy(), firsts["plate"].to_numpy()
