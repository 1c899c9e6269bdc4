"""How predictable a plate's next camera is from its history (frequency and Markov models)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim._time import DAY_S
from sim.intervals import share_with_interval


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
    empty = pd.DataFrame({"plate": pd.Series(dtype=object), "top1": pd.Series(dtype=bool),
                          "top3": pd.Series(dtype=bool)})
    if not len(reads):
        return empty
    frame = reads.sort_values(["plate", "time_s"], kind="stable")
    day = (frame["time_s"].to_numpy() // DAY_S).astype(int)
    if n_days is not None:
        day = np.minimum(day, n_days - 1)
    last = day.max()
    if last - day.min() < test_days:
        return empty
    plate = frame["plate"].to_numpy()
    camera = frame["camera_id"].to_numpy()
    first_of_plate = _run_starts(plate)
    state = [tuple(camera[max(first_of_plate[i], i - order + 1) : i + 1]) if order else ()
             for i in range(len(camera))]
    same = np.concatenate([plate[1:] == plate[:-1], [False]])
    in_training = day <= last - test_days
    train = same & in_training & np.concatenate([in_training[1:], [False]])
    test = same & (day > last - test_days)
    personal: dict[tuple[Any, tuple[Any, ...]], dict[Any, int]] = {}
    shared: dict[tuple[Any, ...], dict[Any, int]] = {}
    for i in np.flatnonzero(train):
        for table, key in ((personal, (plate[i], state[i])), (shared, state[i])):
            row = table.setdefault(key, {})
            row[camera[i + 1]] = row.get(camera[i + 1], 0) + 1
    # the fallback ranking, too, is learnt from the training days only
    popular = pd.Series(camera[in_training]).value_counts().index.tolist()
    scored = np.flatnonzero(test)
    top1 = np.zeros(len(scored), bool)
    top3 = np.zeros(len(scored), bool)
    for j, i in enumerate(scored):
        row = personal.get((plate[i], state[i])) or shared.get(state[i]) or {}
        ranked = sorted(row, key=lambda c: (-row[c], str(c))) + [c for c in popular if c not in row][:3]
        top1[j] = bool(ranked) and ranked[0] == camera[i + 1]
        top3[j] = camera[i + 1] in ranked[:3]
    return pd.DataFrame({"plate": plate[scored], "top1": top1, "top3": top3})


def _run_starts(labels: np.ndarray) -> np.ndarray:
    """For each position of a sorted label array, the position where its run of equal labels starts."""
    if not len(labels):
        return np.zeros(0, dtype=np.int64)
    new = np.concatenate([[True], labels[1:] != labels[:-1]])
    starts = np.flatnonzero(new)
    return starts[np.cumsum(new) - 1]


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
    summary, tables = {}, []
    for model, order in PREDICTORS.items():
        hits = next_camera_hits(reads, n_days=n_days, test_days=test_days, order=order)
        per = hits.groupby("plate").agg(n_transitions=("top1", "size"), top1=("top1", "sum"),
                                             top3=("top3", "sum")).reset_index()
        # one plate's transitions are not independent: Wilson at the effective size of plate clusters
        top1, n, top1_ci = share_with_interval(hits["top1"].to_numpy(), hits["plate"].to_numpy())
        top3, _, top3_ci = share_with_interval(hits["top3"].to_numpy(), hits["plate"].to_numpy())
        summary[model] = {"top1": top1, "top3": top3, "top1_ci": top1_ci, "top3_ci": top3_ci,
                          "n_transitions": n, "n_vehicles": int(len(per))}
        per["top1"] = per["top1"] / per["n_transitions"]
        per["top3"] = per["top3"] / per["n_transitions"]
        tables.append(per.assign(model=model))
    per_vehicle = pd.concat(tables, ignore_index=True)[["plate", "model", "n_transitions", "top1", "top3"]]
    return summary, per_vehicle
