"""How well reconstruction splits trips and matches misread plates (scored against the truth)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import code_type, first_rows, joined
from sim import shard
from sim.intervals import add_share
from sim.reads import plates_read_and_true_by_block
from sim.reconstruct import Reconstruction


def trip_split_accuracy(reads: pd.DataFrame, recon: Reconstruction) -> dict[str, Any]:
    """Share of consecutive reads of a plate correctly judged same-trip or new-trip.

    Truth: whether the two reads belong to the same true trip. Returns
    ``trip_split_accuracy`` with ``_n`` (pairs judged) and ``_ci`` (Wilson at
    the effective size of pairs clustered by plate).
    """
    out: dict[str, Any] = {}
    # one sort of the reads by plate (in order of first appearance) and time, then the pairs of consecutive
    # reads judged block by block of that order (a county week's 12 M reads: one block's copies at a time)
    key = appearance_codes(recon.key_codes()[0])
    order = np.lexsort((reads["time_s"].to_numpy(), key))
    trip_id = reads["trip_id"].to_numpy()
    right: list[np.ndarray] = []
    plate_of_pair: list[np.ndarray] = []
    n_pairs = max(len(order) - 1, 0)
    for a in range(0, n_pairs, shard.READS_PER_BLOCK):
        rows = order[a:min(a + shard.READS_PER_BLOCK, n_pairs) + 1]  # pairs a… of the order: each read and the next
        plate = key[rows]
        same_plate = plate[1:] == plate[:-1]
        trip = trip_id[rows]
        parked = np.flatnonzero(trip < 0)
        trip[parked] = -1 - (a + parked)  # each parked sighting is its own "trip" (numbered by its place in order)
        recon_id = recon.read_recon[rows]
        right.append(((trip[1:] == trip[:-1]) == (recon_id[1:] == recon_id[:-1]))[same_plate])
        plate_of_pair.append(plate[1:][same_plate])
    judged, plates = joined(right, bool), np.concatenate([key[:0], *plate_of_pair])
    del right, plate_of_pair, order, key  # (not held through the interval's own passes over the pairs)
    add_share(out, "trip_split_accuracy", judged, plates, reason="no plate was read twice")
    return out


def misread_matching(reads: pd.DataFrame, trips: pd.DataFrame, recon: Reconstruction) -> dict[str, Any]:
    """How well misreads were put back on their plates, and how often two vehicles were merged.

    Returns ``share_misreads_recovered`` (misread reads attributed to the
    true plate) and ``share_matches_wrong`` (reads moved to another plate that
    is not their vehicle's: two vehicles merged), each with ``_n`` and a
    Wilson ``_ci`` (reads clustered by vehicle); ``None`` where undefined.
    """
    vehicle = reads["vehicle_id"].to_numpy()
    # each read's plate as read, its vehicle's true plate and the key it is filed under, as codes of one
    # factorization of their distinct values (never a Python object per read); a missing plate equals nothing.
    # Block by block of reads: only a read's own plates are compared, so a block's codes are its own
    recovered: list[tuple[np.ndarray, np.ndarray]] = []
    wrong: list[tuple[np.ndarray, np.ndarray]] = []
    for block, (read_plate, true_plate, key) in plates_read_and_true_by_block(reads, trips, recon.key_codes()):
        misread, moved = read_plate != true_plate, key != read_plate
        recovered.append((key[misread] == true_plate[misread], vehicle[block][misread]))
        wrong.append((key[moved] != true_plate[moved], vehicle[block][moved]))
    # (every misread, and every read moved: whether each was right or wrong, and its vehicle)
    recovered_right, recovered_of = _joined(recovered, vehicle)
    wrong_right, wrong_of = _joined(wrong, vehicle)
    out: dict[str, Any] = {"n_misreads": len(recovered_right), "n_matched": len(wrong_right)}
    add_share(out, "share_misreads_recovered", recovered_right, recovered_of,
              reason="no read was misread (the cameras' misread_rate is 0, or none happened)")
    add_share(out, "share_matches_wrong", wrong_right, wrong_of,
              reason="no read was filed under another plate (no misread was matched, or [reconstruct] "
                     "misread_tolerance is off)")
    return out


def _joined(parts: list[tuple[np.ndarray, np.ndarray]], vehicle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The blocks' (booleans, vehicles) each joined into one array, in the blocks' order (empty: none)."""
    return (joined((right for right, _ in parts), bool),
            np.concatenate([vehicle[:0], *(of for _, of in parts)]))


def appearance_codes(code: np.ndarray) -> np.ndarray:
    """Codes renumbered in order of first appearance, as ``pd.factorize`` (unsorted) numbers values (-1 kept).

    Where each code first appears comes from one compiled pass (:func:`sim.arrays.first_rows`; a county week's
    12 M reads: no 64-bit copy, no sort); 32-bit where the codes fit.

    Examples
    --------
    >>> appearance_codes(np.array([2, 0, 2, -1, 1])).tolist()
    [0, 1, 0, -1, 2]
    """
    code = np.asarray(code)
    if not np.issubdtype(code.dtype, np.integer):
        code = code.astype(np.int64)
    values = code[first_rows(code + 1)]  # (-1, no plate, shifted to 0: first_rows takes keys ≥ 0)
    values = values[values >= 0]  # each code once, in order of first appearance
    lookup = np.full(int(values.max()) + 2 if len(values) else 1, -1, code_type(len(values)))
    lookup[values] = np.arange(len(values))
    return lookup[code]
