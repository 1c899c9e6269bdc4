"""How well reconstruction splits trips and matches misread plates (scored against the truth)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim._arrays import code_type, first_rows
from sim.intervals import add_share
from sim.reads import plates_read_and_true
from sim.reconstruct import Reconstruction


def trip_split_accuracy(reads: pd.DataFrame, recon: Reconstruction) -> dict[str, Any]:
    """Share of consecutive reads of a plate correctly judged same-trip or new-trip.

    Truth: whether the two reads belong to the same true trip. Returns
    ``trip_split_accuracy`` with ``_n`` (pairs judged) and ``_ci`` (Wilson at
    the effective size of pairs clustered by plate).
    """
    out: dict[str, Any] = {}
    # each array made once and freed when used (a county week's 12 M reads: every int64 copy is 0.1 GB)
    key = appearance_codes(recon.key_codes()[0])
    order = np.lexsort((reads["time_s"].to_numpy(), key))
    key = key[order]
    same_plate = key[1:] == key[:-1]
    plate_of_pair = key[1:][same_plate]
    del key
    trip = reads["trip_id"].to_numpy()[order]
    parked = np.flatnonzero(trip < 0)
    trip[parked] = -1 - parked  # each parked sighting is its own "trip"
    same_trip = trip[1:] == trip[:-1]
    del trip
    recon_id = recon.read_recon[order]
    del order
    right = same_trip == (recon_id[1:] == recon_id[:-1])
    del recon_id, same_trip
    add_share(out, "trip_split_accuracy", right[same_plate], plate_of_pair, reason="no plate was read twice")
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
    # factorization of their distinct values (never a Python object per read); a missing plate equals nothing
    read_plate, true_plate, key = plates_read_and_true(reads, trips, recon.key_codes())
    misread = read_plate != true_plate
    moved = key != read_plate
    out: dict[str, Any] = {"n_misreads": int(misread.sum()), "n_matched": int(moved.sum())}
    add_share(out, "share_misreads_recovered", key[misread] == true_plate[misread], vehicle[misread])
    add_share(out, "share_matches_wrong", key[moved] != true_plate[moved], vehicle[moved])
    return out


def appearance_codes(code: np.ndarray) -> np.ndarray:
    """Codes renumbered in order of first appearance, as ``pd.factorize`` (unsorted) numbers values (-1 kept).

    Where each code first appears comes from one compiled pass (:func:`sim._arrays.first_rows`; a county week's
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
