"""What the reads say about people: uniqueness of traces, home and work inference."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import joined, new_runs, ranked_pairs
from sim._time import DAY_S
from sim.demand import resident_ids
from sim.intervals import add_share, not_reported, wilson
from sim.network import RoadNetwork
from sim.metrics.predictability import predictability_by_blocks
from sim.metrics.traces import Census, TraceBlock, sighting_blocks, unique_by_blocks, unique_plates
from sim.shard import shard_map

#: The columns of the reads the person metrics read: the plate as read, where and when, and (scoring only) the truth.
PERSON_COLUMNS = ("plate_read", "camera_id", "time_s", "edge", "vehicle_id")
#: Why no work place was scored.
WORK_REASON = "no worker's plate was read on two or more weekdays"
#: Plates (codes) per block of the home and work guesses: one shard on a Dask worker (see :func:`guess_places`).
PLATES_PER_BLOCK = 250_000


def searcher_reads(reads: pd.DataFrame, plate_key: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """The reads as a searcher holds them, and (for scoring only) the true vehicle behind each plate.

    The searcher's identity of a car is the plate as read, or the plate a
    misread was matched to (``plate_key`` of a
    :class:`~sim.reconstruct.Reconstruction`). ``owner`` maps each such
    plate to the true vehicle that holds most of its reads (ties to the
    lowest vehicle id); it is used only to score an inference, never to
    make one. A misread that splits one car into two plates thus makes two
    identities, as it does for a real searcher.

    Returns
    -------
    reads : pandas.DataFrame
        ``plate, camera_id, time_s, edge``.
    owner : pandas.Series
        plate → true ``vehicle_id`` (empty when ``reads`` has no truth).
    """
    seen, plates, owner = coded_reads(reads, plate_key)
    seen = seen.assign(plate=plates[seen["plate"].to_numpy(np.int64)])
    return seen, pd.Series(owner.to_numpy(), index=pd.Index(plates[owner.index.to_numpy(np.int64)], name="plate"),
                           name="vehicle_id")


def coded_reads(reads: pd.DataFrame, plate_key: np.ndarray | None = None, *,
                key_codes: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """:func:`searcher_reads` with each plate as an integer code in text order (a county week's millions of reads
    are then sorted and grouped as integers, never hashed as text again). ``key_codes``: ``plate_key`` already
    so coded (:meth:`sim.reconstruct.Reconstruction.key_codes`, each plate used by some read), in its place.

    Returns
    -------
    reads : pandas.DataFrame
        ``plate`` (code), ``camera_id, time_s, edge``.
    plates : numpy.ndarray
        The plate text of each code (sorted).
    owner : pandas.Series
        plate code → true ``vehicle_id`` (empty when ``reads`` has no truth).

    Examples
    --------
    >>> r = pd.DataFrame({"plate_read": ["B", "A", "B"], "camera_id": ["c", "c", "d"], "time_s": [0.0, 1.0, 2.0],
    ...                   "edge": [1, 1, 2], "vehicle_id": [7, 3, 5]})
    >>> seen, plates, owner = coded_reads(r)
    >>> seen["plate"].tolist(), plates.tolist(), owner.to_dict()
    ([1, 0, 1], ['A', 'B'], {0: 3, 1: 5})
    """
    if key_codes is None:
        plate = reads["plate_read"] if plate_key is None else pd.Series(np.asarray(plate_key, dtype=object))
        code, plates = pd.factorize(plate, sort=True)
    else:
        code, plates = key_codes
    code = code.astype(np.int64)
    frame = pd.DataFrame({"plate": code, "camera_id": reads["camera_id"].array,  # (as held: no copy as objects)
                          "time_s": reads["time_s"].to_numpy(float), "edge": reads["edge"].to_numpy(np.int64)})
    plates = np.asarray(plates, dtype=object)
    if "vehicle_id" not in reads.columns or not len(reads):
        return frame, plates, pd.Series(dtype=np.int64)
    # the vehicle with most of the plate's reads (ties: the lowest id)
    has_plate = code >= 0  # (a read without a plate is no plate's)
    group, vehicle, _, rank = ranked_pairs(code[has_plate], reads["vehicle_id"].to_numpy(np.int64)[has_plate])
    best = rank == 0
    return frame, plates, pd.Series(vehicle[best], index=pd.Index(group[best], name="plate"), name="vehicle_id")


def uniqueness(
    reads: pd.DataFrame, k: int, rng: np.random.Generator, *, max_plates: int = 5_000
) -> float | None:
    """Share of plates singled out by ``k`` random points of their trace (de Montjoye et al. 2013).

    ``reads`` holds ``plate, camera_id, time_s`` (see :func:`searcher_reads`).
    A plate's trace is its set of points (``camera_id``, ``floor(time_s /
    3600)``). For each plate with at least ``k`` distinct points (up to
    ``max_plates`` drawn at random), ``k`` of its points are drawn; it is
    unique when no other plate's trace holds all of them. ``None`` when no
    plate has ``k`` points.

    Examples
    --------
    >>> r = pd.DataFrame({"plate": ["A", "A", "B"], "camera_id": ["a", "b", "a"], "time_s": [0.0, 0.0, 0.0]})
    >>> uniqueness(r, 2, np.random.default_rng(0)), uniqueness(r, 1, np.random.default_rng(0)) in (0.0, 0.5)
    (1.0, True)
    """
    return uniqueness_by_k(reads, [k], rng, max_plates=max_plates)[k]


def uniqueness_by_k(
    reads: pd.DataFrame, ks: list[int], rng: np.random.Generator, *, max_plates: int = 5_000
) -> dict[int, float | None]:
    """:func:`uniqueness` for several ``k``, indexing the traces once."""
    return {k: (float(u["unique"].mean()) if len(u) else None)
            for k, u in unique_plates(reads, ks, rng, max_plates=max_plates).items()}


def uniqueness_shares(unique: dict[int, np.ndarray], n_points: np.ndarray, *,
                      eligible: bool = False) -> dict[str, Any]:
    """The uniqueness keys of ``metrics.json`` from, for each ``k``, whether each plate scored was singled out by
    ``k`` random points (``unique``: the plates drawn from those with ``k`` points or more) and every sighted
    plate's number of distinct points (``n_points``).

    ``uniqueness_kK`` is a share of the plates scored (with ``_n``, ``_ci``); ``uniqueness_kK_of_all`` the same
    count over every plate sighted (a plate with fewer than ``k`` points is not singled out by ``k``), out of
    ``uniqueness_n_plates``. ``eligible``: also ``uniqueness_kK_eligible``, the plates with ``k`` points or more,
    of which those scored were drawn (the share of *which* plates ``uniqueness_kK`` is).

    Examples
    --------
    >>> out = uniqueness_shares({2: np.array([True, False])}, np.array([1, 1, 2, 3, 1]), eligible=True)
    >>> out["uniqueness_k2"], out["uniqueness_k2_eligible"], out["uniqueness_k2_of_all"], out["uniqueness_n_plates"]
    (0.5, 2, 0.2, 5)
    """
    out: dict[str, Any] = {}
    n_plates = len(n_points)
    for k, singled_out in unique.items():
        add_share(out, f"uniqueness_k{k}", singled_out, reason=f"no plate has {k} distinct points")
        n_eligible = int((np.asarray(n_points) >= k).sum())
        of_all = (out[f"uniqueness_k{k}"] or 0.0) * n_eligible / n_plates if n_plates else None
        out[f"uniqueness_k{k}_of_all"] = of_all
        out[f"uniqueness_k{k}_of_all_n"] = n_plates
        # the eligible plates' share is counted exactly; the singled-out share of them is the draw's, so its
        # interval is the draw's, scaled (helper-41: Wilson over every plate, as if each had been scored, was 6.5×
        # too narrow for 5,000 drawn of 200,000)
        drawn_ci = out[f"uniqueness_k{k}_ci"]
        out[f"uniqueness_k{k}_of_all_ci"] = (None if of_all is None else wilson(of_all, n_plates) if drawn_ci is None
                                             else [bound * n_eligible / n_plates for bound in drawn_ci])
        if eligible:
            out[f"uniqueness_k{k}_eligible"] = n_eligible
    out["uniqueness_n_plates"] = n_plates
    out["uniqueness_ci"] = {f"k{k}": out[f"uniqueness_k{k}_ci"] for k in unique}
    return out


def home_inference(
    reads: pd.DataFrame, trips: pd.DataFrame, net: RoadNetwork, owner: pd.Series, *, within_m: float = 500.0,
    min_days: int = 2,
) -> dict[str, Any]:
    """Guess each plate's home as the camera of its first read on most days.

    ``reads`` are a searcher's (``plate, time_s, edge``, see
    :func:`searcher_reads`). Each plate read on at least ``min_days`` days
    is scored against the true home (the origin of the first trip) of the
    vehicle behind it (``owner``: plate → vehicle id).

    Returns
    -------
    dict
        ``home_inference_accuracy`` (share within ``within_m`` metres) with
        ``_n`` and a Wilson ``_ci``, ``home_error_m_median`` and
        ``n_vehicles_scored`` (plates scored); ``None`` when none qualifies.
    """
    hits, error = guess_places(reads["plate"].to_numpy(), reads["time_s"].to_numpy(float), reads["edge"].to_numpy(),
                               _home_truth(trips, owner), net, keep="first", min_days=min_days, within_m=within_m)
    return _place_metrics("home_inference_accuracy", "home_error_m_median", "n_vehicles_scored", hits, error,
                          "no plate was read on two or more days")


def _home_truth(trips: pd.DataFrame, owner: pd.Series) -> pd.Series:
    """Plate → the true home (node id) of the vehicle behind it (``owner``): the origin of its first trip."""
    vehicle = trips["vehicle_id"].to_numpy()
    by_departure = np.lexsort((trips["depart_s"].to_numpy(float), vehicle))  # each vehicle's first trip leaves home
    leaves = by_departure[new_runs(vehicle[by_departure])]
    return owner.map(pd.Series(trips["origin"].to_numpy()[leaves], index=vehicle[leaves]))


def _work_truth(persons: pd.DataFrame, owner: pd.Series) -> pd.Series:
    """Plate → the true work place (node id) of the worker behind it (``owner``), for workers whose job is
    inside the area (plates of anyone else are left out)."""
    working_inside = persons["worker"].to_numpy(bool).copy()
    if "works_outside" in persons.columns:  # a job outside the area is no place a camera inside can show
        working_inside &= ~persons["works_outside"].to_numpy(bool)
    return owner.map(persons.loc[working_inside].set_index("vehicle_id")["work"]).dropna()


def _weekday_mornings(time_s: np.ndarray, first_weekday: int,
                      morning_h: tuple[float, float] = (5.0, 12.0)) -> np.ndarray:
    """Which times fall between ``morning_h`` on a weekday (day 0 is weekday ``first_weekday``, Monday = 0)."""
    day = (time_s // DAY_S).astype(int)
    hour = time_s % DAY_S / 3600
    return ((first_weekday + day) % 7 < 5) & (hour >= morning_h[0]) & (hour < morning_h[1])


def _place_metrics(key: str, error_key: str, count_key: str, hits: np.ndarray, error: float | None,
                   reason: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    add_share(out, key, hits, reason=reason)
    return out | {error_key: error, count_key: int(len(hits))}


def guess_places(
    plate: np.ndarray, time_s: np.ndarray, edge: np.ndarray, truth: pd.Series, net: RoadNetwork, *, keep: str,
    min_days: int, within_m: float,
) -> tuple[np.ndarray, float | None]:
    """Each plate's place guessed from its first (``keep="first"``) or last read of each day and scored against
    ``truth`` (plate → node id): whether each scored guess lies within ``within_m`` metres (in plate order), and
    the median error (m; ``None`` with none scored). See :func:`home_inference`.

    Integer plates (codes, as :func:`coded_reads` gives) are guessed block by block of
    :data:`PLATES_PER_BLOCK` plates, on the workers of a running :func:`sim.shard.workers` block: a plate's
    guess uses only its own reads, so the blocks give the run's numbers whatever their number.
    """
    blocks: list[tuple[Any, ...]] = []
    if np.issubdtype(np.asarray(plate).dtype, np.integer) and len(plate):
        top = int(plate.max()) + 1
        edges_of = np.append(np.arange(int(plate.min()), top, PLATES_PER_BLOCK), top)
        for lo, hi in zip(edges_of[:-1], edges_of[1:]):
            rows = np.flatnonzero((plate >= lo) & (plate < hi)) if len(edges_of) > 2 else slice(None)
            index = truth.index.to_numpy()
            scored = truth[(index >= lo) & (index < hi)] if len(edges_of) > 2 else truth
            blocks.append((plate[rows], time_s[rows], edge[rows], scored, net, keep, min_days, within_m))
    else:
        blocks.append((plate, time_s, edge, truth, net, keep, min_days, within_m))
    parts = shard_map(_guess_block, blocks)
    hits = np.concatenate([h for h, _ in parts])
    errors = np.concatenate([e for _, e in parts])
    return hits, (float(np.median(errors)) if len(errors) else None)


def _guess_block(plate: np.ndarray, time_s: np.ndarray, edge: np.ndarray, truth: pd.Series, net: RoadNetwork,
                 keep: str, min_days: int, within_m: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`guess_places` of one block of plates: each scored guess's hit and error (m)."""
    return _place_guess(_daily(plate, time_s, edge, keep=keep), truth, net, min_days=min_days, within_m=within_m)


def _daily(plate: np.ndarray, time_s: np.ndarray, edge: np.ndarray, *, keep: str) -> pd.DataFrame:
    """The first (``keep="first"``) or last read of each plate on each day: ``plate, day, time_s, edge``, in
    plate and time order (between reads at the same time, the earlier row is the first)."""
    day = (time_s // DAY_S).astype(np.int64)
    order = np.lexsort((time_s, plate))
    p, d = plate[order], day[order]
    new = new_runs(p, d)
    if keep == "last":  # the last row of each run, and the last of equal times (a stable sort keeps row order)
        new = np.roll(new, -1)
    rows = order[new]
    return pd.DataFrame({"plate": plate[rows], "day": day[rows], "time_s": time_s[rows], "edge": edge[rows]})


def _place_guess(
    daily: pd.DataFrame, truth: pd.Series, net: RoadNetwork, *, min_days: int, within_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Guess a place per plate as its most frequent daily sighting edge (``plate, day, edge``; plates seen on
    ``min_days`` days or more) and score it against ``truth`` (plate → node id; plates without one are not scored).

    Returns whether each scored guess lies within ``within_m`` metres, and its error (m).
    """
    days = daily.groupby("plate")["day"].nunique()
    daily = daily[daily["plate"].isin(days[days >= min_days].index) & daily["plate"].isin(truth.dropna().index)]
    if not len(daily):
        return np.zeros(0, bool), np.zeros(0)
    counts = daily.groupby(["plate", "edge"]).size().reset_index(name="n")
    counts = counts.sort_values(["plate", "n", "edge"], ascending=[True, False, True], kind="stable")
    guess = counts.drop_duplicates("plate").set_index("plate")["edge"]
    place = net.node_indices(truth.reindex(guess.index).to_numpy())
    edge = guess.to_numpy()
    gx = (net.x[net.edge_u[edge]] + net.x[net.edge_v[edge]]) / 2
    gy = (net.y[net.edge_u[edge]] + net.y[net.edge_v[edge]]) / 2
    error = np.hypot(gx - net.x[place], gy - net.y[place])
    return error <= within_m, error


def work_inference(
    reads: pd.DataFrame,
    persons: pd.DataFrame,
    net: RoadNetwork,
    owner: pd.Series,
    *,
    first_weekday: int = 0,
    within_m: float = 500.0,
    min_days: int = 2,
    morning_h: tuple[float, float] = (5.0, 12.0),
) -> dict[str, Any]:
    """Guess each plate's work place as the camera of its last weekday-morning read on most days.

    The last read between ``morning_h`` on a weekday (day 0 is weekday
    ``first_weekday``, Monday = 0) is taken as the end of the drive to work;
    the most frequent such camera over at least ``min_days`` weekdays is the
    guess. Plates whose vehicle (``owner``) is a worker (``persons``:
    ``vehicle_id, work, worker``) are scored against its true work place;
    a worker whose job is outside the area (``works_outside``) is not scored.

    Returns
    -------
    dict
        ``work_inference_accuracy`` (share within ``within_m`` metres) with
        ``_n`` and ``_ci``, ``work_error_m_median``, ``n_workers_scored``.
    """
    time = reads["time_s"].to_numpy(float)
    keep = _weekday_mornings(time, first_weekday, morning_h)
    hits, error = guess_places(reads["plate"].to_numpy()[keep], time[keep], reads["edge"].to_numpy()[keep],
                               _work_truth(persons, owner), net, keep="last", min_days=min_days, within_m=within_m)
    return _place_metrics("work_inference_accuracy", "work_error_m_median", "n_workers_scored", hits, error,
                          WORK_REASON)


def _places_by_block(blocks: Callable[[], Iterator[TraceBlock]], censuses: list[Census], home: pd.Series,
                     work: pd.Series | None, net: RoadNetwork, first_weekday: int) -> dict[str, Any]:
    """Home and work guessed and scored block by block (``home``, ``work``: plate code → true place): for each,
    whether each scored guess was right and the median error (m)."""
    def shards() -> Iterator[tuple[Any, ...]]:
        for b, block in enumerate(blocks()):
            lo, hi = int(censuses[b].plates[0]), int(censuses[b].plates[-1])
            yield block, _within(home, lo, hi), None if work is None else _within(work, lo, hi), net, first_weekday

    parts = shard_map(_block_places, shards())
    out: dict[str, Any] = {}
    for i, key in enumerate(("home", "work")):
        hits = joined((p[i][0] for p in parts if p[i] is not None), bool)
        errors = joined((p[i][1] for p in parts if p[i] is not None), float)
        out[key] = (hits, float(np.median(errors)) if len(errors) else None)
    return out


def _block_places(block: TraceBlock, home: pd.Series, work: pd.Series | None, net: RoadNetwork,
                  first_weekday: int) -> tuple[Any, ...]:
    """:func:`_places_by_block` of one block."""
    plate, time_s, edge = np.asarray(block.plate, np.int64), block.time_s, np.asarray(block.edge)
    found_home = _guess_block(plate, time_s, edge, home, net, "first", 2, 500.0)
    found_work = None
    if work is not None:
        keep = _weekday_mornings(time_s, first_weekday)
        found_work = _guess_block(plate[keep], time_s[keep], edge[keep], work, net, "last", 2, 500.0)
    return found_home, found_work


def _within(truth: pd.Series, lo: int, hi: int) -> pd.Series:
    """``truth``'s plates from code ``lo`` to ``hi``."""
    index = truth.index.to_numpy()
    return truth[(index >= lo) & (index <= hi)]


def person_metrics(
    reads: pd.DataFrame, trips: pd.DataFrame, net: RoadNetwork, n_days: int, rng: np.random.Generator,
    *, persons: pd.DataFrame | None = None, first_weekday: int = 0, plate_key: np.ndarray | None = None,
    max_plates: int = 5_000, sighting: np.ndarray | None = None,
    key_codes: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Uniqueness for k = 1…5, and (multi-day runs) home and work inference and predictability.

    Every inference keys on the plate as the searcher holds it (``plate_key``,
    the plate after misread matching; default the plate as read); the truth
    in ``reads`` and ``trips`` only scores it (see :func:`searcher_reads`).
    Work inference needs ``persons`` (the population model's ``vehicle_id,
    work, worker``). Each counts sightings, not reads: with ``sighting``
    (each read's, see :func:`sim.reconstruct.sighting_ids`) a pass logged
    twice is kept once, so a duplicate read is no "next camera". ``key_codes``:
    ``plate_key`` as sorted codes and plates (see
    :meth:`sim.reconstruct.Reconstruction.key_codes`), in its place.

    Returns
    -------
    metrics : dict
    tables : dict
        ``vehicle_uniqueness`` (``plate, vehicle_id, k, unique``; ``vehicle_id``
        is the true vehicle behind the plate) and, for multi-day runs,
        ``predictability`` (per plate and model, see :func:`predictability`).
    """
    needed = [c for c in ("camera_id", "time_s", "edge", *(("plate_read",) if plate_key is None and key_codes is None
                                                           else ())) if c not in reads.columns]
    if needed:
        raise ValueError(f"the person metrics need the reads' columns {', '.join(needed)} (see PERSON_COLUMNS)")
    plates, camera_ids, blocks = sighting_blocks(reads, plate_key, key_codes, sighting)
    censuses, drawn = unique_by_blocks(blocks, [1, 2, 3, 4, 5], rng, max_plates=max_plates)
    present = joined((c.plates for c in censuses), np.int64)
    n_points = joined((c.n_points for c in censuses), np.int64)
    owner_of_code = (pd.Series(np.concatenate([c.owner for c in censuses if c.owner is not None]),
                               index=pd.Index(present, name="plate"), name="vehicle_id")
                     if "vehicle_id" in reads.columns and len(present) else pd.Series(dtype=np.int64))
    unique = {k: u.assign(vehicle_id=owner_of_code.reindex(u["plate"].to_numpy(np.int64)).to_numpy(),
                          plate=plates[u["plate"].to_numpy(np.int64)]) for k, u in drawn.items()}
    # (with the plates eligible, so that a run's report says what its shares are of, as an analysis of a log does:
    # "of the 320,117 plates with 2+ points (5,000 drawn)", not "out of 5,000 plates")
    out = uniqueness_shares({k: u["unique"].to_numpy() for k, u in unique.items()}, n_points, eligible=True)
    tables = {"vehicle_uniqueness": pd.concat(
        [u.assign(k=k) for k, u in unique.items()],
        ignore_index=True)[["plate", "vehicle_id", "k", "unique"]]}
    if n_days >= 2:
        residents = owner_of_code
        residents_only = resident_ids(persons)
        if residents_only is not None:  # a vehicle from outside has no home in the area
            residents = owner_of_code[owner_of_code.isin(residents_only)]
        places = _places_by_block(blocks, censuses, _home_truth(trips, residents),
                                  None if persons is None else _work_truth(persons, owner_of_code), net, first_weekday)
        hits, error = places["home"]
        out |= _place_metrics("home_inference_accuracy", "home_error_m_median", "n_vehicles_scored", hits, error,
                              "no plate was read on two or more days")
        if persons is not None:
            hits, error = places["work"]
            out |= _place_metrics("work_inference_accuracy", "work_error_m_median", "n_workers_scored", hits, error,
                                  WORK_REASON)
        else:
            out["work_inference_accuracy"] = None
            out["work_inference_accuracy_reason"] = "needs the population model (demand.model = \"population\")"
        held = np.unique(joined((c.cameras.astype(np.int64) for c in censuses), np.int64))
        cameras = held[np.argsort(camera_ids[held].astype(str), kind="stable")]  # (in the order of their text)
        days = ((int(min(c.times[0] for c in censuses) // DAY_S), int(max(c.times[1] for c in censuses) // DAY_S))
                if censuses else (0, 0))
        summary, per_plate = predictability_by_blocks(blocks, present, cameras, days, n_days=n_days)
        markov1 = summary["markov1"]
        out |= {"next_camera_top1_accuracy": markov1["top1"], "next_camera_top1_accuracy_n": markov1["n_transitions"],
                "next_camera_top1_accuracy_ci": markov1["top1_ci"], "next_camera_top3_accuracy": markov1["top3"],
                "next_camera_top3_accuracy_n": markov1["n_transitions"],
                "next_camera_top3_accuracy_ci": markov1["top3_ci"],
                "n_transitions_scored": markov1["n_transitions"], "predictability": summary}
        if markov1["top1"] is None:  # nothing to score: no plate moved between cameras on the held-out day
            why = (f"no plate was read twice on the held-out last day (day {n_days - 1}), so there is no next camera "
                   "to predict")
            out |= {"next_camera_top1_accuracy_reason": why, "next_camera_top3_accuracy_reason": why}
        tables["predictability"] = per_plate.assign(plate=plates[per_plate["plate"].to_numpy(np.int64)])
    else:
        reason = "needs a run of two or more days (demand.days)"
        out |= not_reported(("home_inference_accuracy", "work_inference_accuracy", "next_camera_top1_accuracy",
                             "next_camera_top3_accuracy"), reason)
    return out, tables
