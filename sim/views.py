"""Views of a run's reads: all of them, each agency's, and each agency's in a what-if.

Every view is reconstructed from the reads it holds and scored by the same
registered metrics (:mod:`sim.metrics.registry`); only the scope differs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim import access as access_stage
from sim.metrics.registry import RunContext, View, compute
from sim.metrics.trips import trip_metrics
from sim.network import RoadNetwork
from sim.reconstruct import Reconstruction, reconstruct
from sim.scenario import Scenario

#: The person metrics an agency's entry of ``metrics.json`` keeps (see :func:`agency_metrics`).
AGENCY_PERSON_KEYS = tuple(f"{key}{suffix}" for key in ("uniqueness_k2", "home_inference_accuracy",
                                                        "work_inference_accuracy")
                           for suffix in ("", "_n", "_ci", "_reason")) + (
    "home_error_m_median", "n_vehicles_scored", "work_error_m_median", "n_workers_scored")
PERSON_PREFIXES = ("uniqueness", "home_", "work_", "n_vehicles_scored", "n_workers_scored", "next_camera",
                   "n_transitions_scored", "predictability")


def reconstruct_view(scenario: Scenario, reads: pd.DataFrame, net: RoadNetwork) -> Reconstruction:
    """Trips reconstructed from ``reads`` with the scenario's ``[reconstruct]`` settings."""
    spec = scenario.reconstruct
    return reconstruct(reads, net, slack_s=spec.slack_s, misread_tolerance=spec.misread_tolerance,
                       window_s=spec.window_s, route_inference=spec.route_inference, k_paths=spec.k_paths,
                       sighting_window_s=spec.sighting_window_s)


def make_view(run: RunContext, name: str, mask: np.ndarray | None = None,
              recon: Reconstruction | None = None) -> View:
    """The view of the run's reads selected by ``mask`` (all when ``None``): reconstructed and scored per trip."""
    seen = run.reads if mask is None else run.reads[mask].reset_index(drop=True)
    recon = recon if recon is not None else reconstruct_view(run.scenario, seen, run.net)
    return View(name, seen, recon, trip_metrics(run.trips, run.routes, seen, recon, run.net, view=name), mask)


def agency_metrics(
    run: RunContext, graph: Any, visible: dict[str, np.ndarray], overall: View, overall_metrics: dict[str, Any],
    reach: dict[str, dict[str, list[str]]] | None = None,
) -> tuple[list[tuple[str, pd.DataFrame]], dict[str, Any]]:
    """Per agency: the per-trip table of its view (with its name: see :func:`stack_views`) and its metrics
    (scope ``agency``), with who it sees through.

    The person metrics are the run's own (:func:`sim.metrics.person.person_metrics`, same sample size,
    same random stream), of which ``person`` keeps :data:`AGENCY_PERSON_KEYS`.
    """
    tables, out = [], {}
    # agencies holding the same mask (sim.stages.access.searchable hands them one array) see the same reads:
    # their view is made and scored once
    done: dict[int, tuple[View, dict[str, Any]]] = {}
    for agency in run.scenario.all_agencies():
        mask = visible[agency.name]
        if id(mask) in done:
            view, found = done[id(mask)]
            found = dict(found)
        elif mask.all():
            # an agency that sees every read knows exactly what the "all" view does: its numbers are the run's
            # (the all-reads table itself, not a copy: the view's name is written when the views are stacked)
            view = View(agency.name, overall.reads, overall.recon, overall.trip_table, mask)
            found, _ = compute(run, view, "agency", only={"agency_shares"})
            found |= {k: overall_metrics[k] for k in ("long_trips", *AGENCY_PERSON_KEYS) if k in overall_metrics}
            done[id(mask)] = (view, dict(found))
        else:
            view = make_view(run, agency.name, mask)
            found, _ = compute(run, view, "agency")
            done[id(mask)] = (view, dict(found))
        person = {k: found.pop(k) for k in list(found) if k.startswith(PERSON_PREFIXES)}
        tables.append((agency.name, view.trip_table))
        users = ({"users": agency.users} if agency.users is not None else
                 {"users": None, "users_reason": "not given in the scenario ([[agencies]] users)"})
        out[agency.name] = {"kind": agency.kind, **users,
                            "paths": reach[agency.name] if reach is not None
                            else access_stage.visible_operators(graph, agency.name),
                            "person": {k: v for k, v in person.items() if k in AGENCY_PERSON_KEYS}} | found
    return tables, out


def stack_views(named: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """One per-trip table of every view, each view's rows under its name (``view``), in the order given.

    ``pd.concat`` of the tables relabelled, without a relabelled copy of each: an agency that sees every read
    shares the all-reads table, and a county week has millions of trips per view.

    Examples
    --------
    >>> a = pd.DataFrame({"view": ["all", "all"], "trip_id": [0, 1], "n_reads": [2, 0]})
    >>> stack_views([("all", a), ("police", a)])[["view", "trip_id"]].values.tolist()
    [['all', 0], ['all', 1], ['police', 0], ['police', 1]]
    """
    first = named[0][1]
    lengths = [len(table) for _, table in named]
    ends = np.cumsum(lengths)
    columns: dict[str, Any] = {}
    for column in first.columns:
        if column == "view":
            dtype = first["view"].dtype  # (a table's own one-name categorical stacks as text)
            names = pd.Series([name for name, _ in named], dtype="str" if isinstance(dtype, pd.CategoricalDtype)
                              else dtype)
            columns[column] = names.iloc[np.repeat(np.arange(len(named)), lengths)].reset_index(drop=True)
            continue
        out = np.empty(int(ends[-1]), dtype=first[column].to_numpy().dtype)
        for (_, table), end, n in zip(named, ends, lengths):
            out[end - n : end] = table[column].to_numpy()
        columns[column] = out
    return pd.DataFrame(columns, copy=False)  # the arrays above are new: no second copy


def what_if(run: RunContext, graph: Any, query_time_s: float, metrics: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Long-trip exposure per view as run, and with each ``metrics.what_if_without`` node removed.

    Removing an operator takes its cameras away (traffic does not depend on
    cameras, so its reads are simply dropped); removing a pool turns the
    pool off. No traffic is simulated again.
    """
    operators = np.array([*run.layout["operator"], None], dtype=object)  # the last entry: no camera (row −1)
    operator_of_read = operators[run.camera_row]
    out = {"as run": {"all reads": metrics["long_trips"]}
           | {name: a["long_trips"] for name, a in metrics["agencies"].items()}}
    for name in run.scenario.metrics.what_if_without:
        smaller = graph.copy()
        smaller.remove_node(name)
        masks = {}
        if graph.nodes[name]["kind"] == "operator":
            masks["all reads"] = operator_of_read != name
        for agency in run.scenario.all_agencies():
            masks[agency.name] = access_stage.visible_reads(run.reads, run.layout, smaller, agency.name, query_time_s,
                                                            camera_row=run.camera_row)
        out[f"without {name}"] = {view: compute(run, make_view(run, view, mask), "what_if")[0]["long_trips"]
                                  for view, mask in masks.items()}
    return out
