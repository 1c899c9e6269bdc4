"""How predictable a plate's next camera is from its history (frequency and Markov models)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import code_type, first_occurrences, joined, new_runs, ranked_pairs, run_codes, run_starts
from sim._time import DAY_S
from sim import shard
from sim.intervals import share_of_clusters
from sim.metrics.traces import TraceBlock


def next_camera_hits(
    reads: pd.DataFrame, *, n_days: int | None = None, test_days: int = 1, order: int = 1
) -> pd.DataFrame:
    """Every held-out transition of every plate, and whether the model's top 1 / top 3 held the next camera.

    ``reads`` are a searcher's (``plate, camera_id, time_s``). ``order`` 0 is
    the frequency baseline (a plate's most frequent next cameras, whatever
    the current one), 1 and 2 are Markov models over the last one or two
    cameras of the same plate (a plate's first reads have shorter states;
    a state never reaches into another plate's reads). Each model learns
    only from the training days (all but the last ``test_days``): per plate,
    then all plates' transitions from the same state, then the cameras most
    often read in training. Reads after the end of day ``n_days`` (trips
    that run past the last midnight) count to the last day.

    Returns
    -------
    pandas.DataFrame
        ``plate, top1, top3`` (bool), one row per scored transition.
    """
    log = _Transitions.of(reads, n_days=n_days, test_days=test_days)
    if log is None:
        return pd.DataFrame({"plate": pd.Series(dtype=object), "top1": pd.Series(dtype=bool),
                             "top3": pd.Series(dtype=bool)})
    plate, top1, top3 = log.hits(order)
    return pd.DataFrame({"plate": log.plates[plate], "top1": top1, "top3": top3})


@dataclass
class _Transitions:
    """A searcher's reads as integer arrays, sorted by plate (text order) and time, ready for every model.

    Sorting and coding the text columns is most of the work of a model: it is done once for all of them.
    """

    plates: np.ndarray  # plate text of each plate code (codes in text order)
    plate: np.ndarray  # plate code of each read
    cam: np.ndarray  # camera code of each read (codes in text order: the models' tie-break)
    n_cameras: int
    first_of_plate: np.ndarray
    train: np.ndarray
    test: np.ndarray
    nxt: np.ndarray
    popular: np.ndarray  # camera codes, most read in training first
    training: np.ndarray  # whether each read is on a training day

    @classmethod
    def of(cls, reads: pd.DataFrame, *, n_days: int | None, test_days: int) -> _Transitions | None:
        """``None`` with no reads or fewer days than ``test_days`` + 1."""
        if not len(reads):
            return None
        plate_code, plates = pd.factorize(reads["plate"], sort=True)
        camera = reads["camera_id"]
        if not (isinstance(camera.dtype, pd.CategoricalDtype) and camera.cat.categories.dtype == "str"
                and camera.cat.categories.is_monotonic_increasing):  # (a run's cameras: codes in text order already)
            camera = camera.astype(str)
        cam_code, names = pd.factorize(camera, sort=True)
        return cls.coded(plate_code, np.asarray(plates, dtype=object), cam_code, len(names),
                         reads["time_s"].to_numpy(), n_days=n_days, test_days=test_days)

    @classmethod
    def coded(cls, plate_code: np.ndarray, plates: np.ndarray, cam_code: np.ndarray, n_cameras: int,
              time: np.ndarray, *, n_days: int | None, test_days: int, last: int | None = None) -> _Transitions | None:
        """:meth:`of` reads already coded: ``plate_code`` into ``plates`` and ``cam_code`` in the cameras' text
        order (``n_cameras`` of them), each code in the order of its values.

        ``last``: when these are one block's reads, the last day of all blocks' reads (clamped to ``n_days``).
        The days are then not checked against ``test_days`` (all blocks' are, by the caller), and ``popular``
        is left empty: the caller ranks all blocks' cameras."""
        if not len(time):
            return None
        order = np.lexsort((time, plate_code))  # as a stable sort by plate text, then time
        day = (time[order] // DAY_S).astype(int)
        if n_days is not None:
            day = np.minimum(day, n_days - 1)
        whole = last is None
        if last is None:
            last = int(day.max())
            if last - day.min() < test_days:
                return None
        # codes and positions held as 32-bit integers where they fit (a county week's 12 M reads: 4 arrays of
        # 49 MB, not 98 MB, held through every model); every product of them is made in 64 bits
        plate = plate_code[order].astype(code_type(len(plates)))
        cam = cam_code[order].astype(code_type(n_cameras))
        same = np.concatenate([plate[1:] == plate[:-1], [False]])
        in_training = day <= last - test_days
        # the fallback ranking, too, is learnt from the training days only (value_counts: ties by first read); a
        # block's (``last`` given) would be replaced by all blocks': not made
        popular = (pd.Series(cam[in_training]).value_counts().index.to_numpy(np.int64) if whole
                   else np.zeros(0, np.int64))
        return cls(plates, plate, cam, n_cameras, run_starts(plate).astype(code_type(len(plate))),
                   same & in_training & np.concatenate([in_training[1:], [False]]), same & (day > last - test_days),
                   np.concatenate([cam[1:], [-1]]).astype(cam.dtype), popular, in_training)

    def hits(self, order: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The plate code of each scored transition, and whether the ``order`` model's top 1 / top 3 held it."""
        state = _state_keys(self.cam, self.first_of_plate, order, self.n_cameras)
        n_states = int(state.max()) + 1
        t = np.flatnonzero(self.train)
        shared = _top_three(state[t], self.nxt[t])  # every plate's transitions: the one table all blocks share
        # the rest per plate: blocks of whole plates (on the workers of a running sim.shard.workers block)
        parts = shard.shard_map(_block_hits, [
            (self.plate[a:b], state[a:b], self.nxt[a:b], self.train[a:b], self.test[a:b], n_states, shared,
             self.popular) for a, b in shard.plate_blocks(self.plate, shard.READS_PER_BLOCK)])
        plate, top1, top3 = (np.concatenate([part[i] for part in parts]) for i in range(3))
        return plate, top1, top3


def _block_hits(plate: np.ndarray, state: np.ndarray, nxt: np.ndarray, train: np.ndarray, test: np.ndarray,
                n_states: int, shared: tuple[np.ndarray, np.ndarray],
                popular: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:meth:`_Transitions.hits` of one block of whole plates (rows sorted by plate and time), with the
    ``shared`` table of every plate's transitions and the ``popular`` cameras."""
    t = np.flatnonzero(train)
    personal = _top_three(plate[t].astype(np.int64) * n_states + state[t], nxt[t])
    scored = np.flatnonzero(test)
    slots = _lookup(personal, plate[scored].astype(np.int64) * n_states + state[scored])
    fallback = (slots == -1).all(axis=1)
    slots[fallback] = _lookup(shared, state[scored[fallback]])
    for candidate in popular[:5]:  # at most 3 slots, of which the row holds at most 2 when any is free
        free = np.argmax(slots == -1, axis=1)
        room = (slots == -1).any(axis=1) & ~(slots == candidate).any(axis=1)
        slots[np.flatnonzero(room), free[room]] = candidate
    want = nxt[scored]
    return plate[scored], slots[:, 0] == want, (slots == want[:, None]).any(axis=1)

def _state_keys(cam: np.ndarray, first_of_plate: np.ndarray, order: int, n_cameras: int) -> np.ndarray:
    """The model's state at each read as one integer: the last ``order`` cameras of the same plate (fewer at a
    plate's first reads; order 0: one state)."""
    if order == 0:
        return np.zeros(len(cam), np.int64)
    key = cam.astype(np.int64)
    for back in range(1, order):
        position = np.arange(len(cam)) - back
        earlier = np.where(position >= first_of_plate, cam[np.maximum(position, 0)].astype(np.int64) + 1, 0)
        key = key + earlier * n_cameras * (n_cameras + 1) ** (back - 1)
    return key



def _top_three(group: np.ndarray, nxt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per group (sorted keys), its three most frequent next cameras (ties: camera text order), -1 padded."""
    if not len(group):
        return np.zeros(0, np.int64), np.zeros((0, 3), np.int64)
    g, c, _, rank = ranked_pairs(group, nxt)
    keep = rank < 3
    keys, where = np.unique(g[keep], return_inverse=True)
    top = np.full((len(keys), 3), -1, np.int64)
    top[where, rank[keep]] = c[keep]
    return keys, top


def _lookup(table: tuple[np.ndarray, np.ndarray], wanted: np.ndarray) -> np.ndarray:
    """The top-three rows of ``wanted`` keys (-1 rows for keys the table does not hold)."""
    keys, top = table
    out = np.full((len(wanted), 3), -1, np.int64)
    if not len(keys):
        return out
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    found = keys[at] == wanted
    out[found] = top[at[found]]
    return out


def next_camera_accuracy(
    reads: pd.DataFrame, *, n_days: int | None = None, test_days: int = 1, order: int = 1
) -> dict[str, Any]:
    """Share of held-out transitions whose next camera the model ranked first / in its top 3.

    See :func:`next_camera_hits`.

    Returns
    -------
    dict
        ``next_camera_top1_accuracy``, ``next_camera_top3_accuracy`` and
        ``n_transitions_scored`` (accuracies ``None`` with nothing to score).
    """
    hits = next_camera_hits(reads, n_days=n_days, test_days=test_days, order=order)
    if not len(hits):
        return {"next_camera_top1_accuracy": None, "next_camera_top3_accuracy": None, "n_transitions_scored": 0}
    return {
        "next_camera_top1_accuracy": float(hits["top1"].mean()),
        "next_camera_top3_accuracy": float(hits["top3"].mean()),
        "n_transitions_scored": int(len(hits)),
    }


#: Next-camera models: name → Markov order (0: the frequency baseline).
PREDICTORS = {"frequency": 0, "markov1": 1, "markov2": 2}


def predictability(
    reads: pd.DataFrame, *, n_days: int | None = None, test_days: int = 1
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Next-camera prediction by every model of :data:`PREDICTORS`, overall (with 95 % CIs) and per vehicle.

    Returns
    -------
    summary : dict
        Model → ``top1``, ``top3``, ``top1_ci``, ``top3_ci`` (Wilson at the
        effective sample size of transitions clustered by plate, see
        :mod:`sim.intervals`), ``n_transitions``, ``n_vehicles`` (plates).
    per_vehicle : pandas.DataFrame
        ``plate, model, n_transitions, top1, top3`` (accuracies; one row per plate as the searcher holds it).
    """
    return _scored(_Transitions.of(reads, n_days=n_days, test_days=test_days))


def predictability_by_blocks(
    blocks: Callable[[], Iterator[TraceBlock]], plates: np.ndarray, cameras: np.ndarray, days: tuple[int, int], *,
    n_days: int | None = None, test_days: int = 1,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """:func:`predictability` of blocks of whole plates (``blocks()`` yields them in plate order; ``plates``: what
    the per-plate table names each plate held by some block, in order: their codes or their text), in two rounds
    over them (on the workers of a running
    :func:`sim.shard.workers` block): each block's training counts, added up here into what every plate falls back
    on (per model, the next cameras most often seen after each state; the cameras most read); then each block's
    scores, per plate. ``cameras``: every camera (as the blocks hold them), in the order of their text; ``days``:
    the first and last day read (before clamping to ``n_days``). The same
    numbers, bit for bit, as :func:`predictability` of the reads at once (the blocks exchange counts)."""
    first, last = (min(day, n_days - 1) for day in days) if n_days is not None else days
    if not len(plates) or last - first < test_days:
        return _summarized({model: None for model in PREDICTORS}, plates)
    shape = (cameras, last, n_days, test_days)
    counts = shard.shard_map(_block_counts, ((block, *shape) for block in blocks()))
    popular = _most_read(counts)
    models = {}
    for order in PREDICTORS.values():
        g, i, c = (np.concatenate([part["pairs"][order][j] for part in counts]) for j in range(3))
        models[order] = (max(part["n_states"][order] for part in counts), _top_three_counted(g, i, c))
    offsets = np.cumsum([0, *(part["n_plates"] for part in counts)])
    scores = shard.shard_map(_block_scores, ((block, *shape, popular, models, int(offsets[b]))
                                             for b, block in enumerate(blocks())))
    return _summarized({model: tuple(np.concatenate([part[model][j] for part in scores]) for j in range(4))
                        for model in PREDICTORS}, plates)


def _block_log(block: TraceBlock, cameras: np.ndarray, last: int, n_days: int | None,
               test_days: int) -> _Transitions:
    """A block's transitions, its plates coded from 0 and its cameras by their place in ``cameras``."""
    plate = run_codes(block.plate)[1]
    local, names = pd.factorize(block.camera)
    cam = pd.Index(cameras).get_indexer(names)[local]
    log = _Transitions.coded(plate, np.arange(int(plate[-1]) + 1), cam, len(cameras), np.asarray(block.time_s),
                             n_days=n_days, test_days=test_days, last=last)
    if log is None:  # (a block holds at least one plate's sightings)
        raise ValueError("a block of plates holds no sighting")
    return log


def _block_counts(block: TraceBlock, cameras: np.ndarray, last: int, n_days: int | None,
                  test_days: int) -> dict[str, Any]:
    """Round 1 of :func:`predictability_by_blocks`: the block's cameras read on training days (how often, and
    where each first is among the block's training reads), and per model its states and how often each next
    camera follows each."""
    log = _block_log(block, cameras, last, n_days, test_days)
    trained = log.cam[log.training].astype(np.int64)
    cams, first = first_occurrences(trained)
    out: dict[str, Any] = {"n_plates": len(log.plates), "n_training": len(trained), "cams": cams,
                           "reads": np.bincount(trained, minlength=len(cameras))[cams], "first": first,
                           "n_states": {}, "pairs": {}}
    t = np.flatnonzero(log.train)
    for order in PREDICTORS.values():
        state = _state_keys(log.cam, log.first_of_plate, order, len(cameras))
        out["n_states"][order] = int(state.max()) + 1
        out["pairs"][order] = ranked_pairs(state[t], log.nxt[t])[:3]
    return out


def _most_read(counts: list[dict[str, Any]]) -> np.ndarray:
    """The cameras most read on training days, most first (ties: the first read first, as ``value_counts``)."""
    offsets = np.cumsum([0, *(part["n_training"] for part in counts)])
    cams = joined((part["cams"] for part in counts), np.int64)
    reads = joined((part["reads"] for part in counts), np.int64)
    first = joined((part["first"] + offsets[b] for b, part in enumerate(counts)), np.int64)
    if not len(cams):
        return np.zeros(0, np.int64)
    total = np.bincount(cams, weights=reads).astype(np.int64)
    earliest = np.full(len(total), np.iinfo(np.int64).max)
    np.minimum.at(earliest, cams, first)
    read = np.flatnonzero(total > 0)
    return read[np.lexsort((earliest[read], -total[read]))]


def _top_three_counted(group: np.ndarray, nxt: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_top_three` of pairs given with their counts (a pair may come several times: its counts add up)."""
    if not len(group):
        return np.zeros(0, np.int64), np.zeros((0, 3), np.int64)
    order = np.lexsort((nxt, group))
    group, nxt, count = group[order], nxt[order], count[order]
    starts = np.flatnonzero(new_runs(group, nxt))
    group, nxt, count = group[starts], nxt[starts], np.add.reduceat(count, starts)
    order = np.lexsort((nxt, -count, group))  # by group, then most seen, then camera
    group, nxt = group[order], nxt[order]
    rank = np.arange(len(group)) - run_starts(group)
    keep = rank < 3
    keys, where = np.unique(group[keep], return_inverse=True)
    top = np.full((len(keys), 3), -1, np.int64)
    top[where, rank[keep]] = nxt[keep]
    return keys, top


def _block_scores(block: TraceBlock, cameras: np.ndarray, last: int, n_days: int | None, test_days: int,
                  popular: np.ndarray, models: dict[int, tuple[int, Any]], offset: int) -> dict[str, Any]:
    """Round 2 of :func:`predictability_by_blocks`: per model, each of the block's plates with a scored transition
    (its place among all blocks' plates: ``offset`` more than the block's own), its transitions and hits."""
    log = _block_log(block, cameras, last, n_days, test_days)
    out = {}
    for model, order in PREDICTORS.items():
        n_states, shared = models[order]
        state = _state_keys(log.cam, log.first_of_plate, order, len(cameras))
        plate, top1, top3 = _block_hits(log.plate, state, log.nxt, log.train, log.test, n_states, shared, popular)
        codes, n, hits1, hits3 = _per_plate(plate, top1, top3)
        out[model] = (codes + offset, n, hits1, hits3)
    return out


def _per_plate(plate: np.ndarray, top1: np.ndarray, top3: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each plate of the transitions (sorted, as they are), its transitions and its top-1 and top-3 hits."""
    codes, n = np.unique(plate, return_counts=True)
    where = np.searchsorted(codes, plate)
    return (codes.astype(np.int64), n.astype(np.int64), np.bincount(where, weights=top1, minlength=len(codes)),
            np.bincount(where, weights=top3, minlength=len(codes)))


def _scored(log: _Transitions | None) -> tuple[dict[str, Any], pd.DataFrame]:
    """Every model of :data:`PREDICTORS` scored on ``log`` (see :func:`predictability`)."""
    return _summarized({model: None if log is None else _per_plate(*log.hits(order))
                        for model, order in PREDICTORS.items()}, np.zeros(0, object) if log is None else log.plates)


def _summarized(per_model: dict[str, tuple[np.ndarray, ...] | None],
                plates: np.ndarray) -> tuple[dict[str, Any], pd.DataFrame]:
    """The summary and per-plate table of :func:`predictability` from each model's plates (codes into ``plates``),
    transitions and top-1 and top-3 hits per plate (``None``: nothing scored)."""
    summary, tables = {}, []
    for model, scored in per_model.items():
        codes, n, hits1, hits3 = scored if scored is not None else (np.zeros(0, np.int64), np.zeros(0, np.int64),
                                                                    np.zeros(0), np.zeros(0))
        per = pd.DataFrame({"plate": np.asarray(plates)[codes], "n_transitions": n.astype(np.int64),
                            "top1": hits1.astype(np.int64), "top3": hits3.astype(np.int64)})
        # one plate's transitions are not independent: Wilson at the effective size of plate clusters
        top1_share, n_transitions, top1_ci = share_of_clusters(hits1, n)
        top3_share, _, top3_ci = share_of_clusters(hits3, n)
        summary[model] = {"top1": top1_share, "top3": top3_share, "top1_ci": top1_ci, "top3_ci": top3_ci,
                          "n_transitions": n_transitions, "n_vehicles": int(len(per))}
        per["top1"] = per["top1"] / per["n_transitions"]
        per["top3"] = per["top3"] / per["n_transitions"]
        tables.append(per.assign(model=model))
    per_vehicle = pd.concat(tables, ignore_index=True)[["plate", "model", "n_transitions", "top1", "top3"]]
    return summary, per_vehicle
