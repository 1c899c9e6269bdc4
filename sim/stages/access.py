"""The access stage: who can search which reads (operators → sharing pools → agencies, with retention).

The graph comes from the scenario's ``[[operators]]``, ``[[agencies]]``, ``[[sharing]]`` and ``[[rules]]``
(:mod:`sim.access`); each agency's view is the mask of the reads it can search when the run ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim import access
from sim._errors import ScenarioError
from sim.demand import resident_ids
from sim.metrics.registry import RunContext
from sim.scenario import Scenario
from sim.searches import SearchReads, check_overrides, plan_searches, search_metrics, simulate_log


@dataclass(frozen=True)
class Access:
    """Who can search which reads: the access graph (``None``: the scenario declares none) and, per agency, a
    boolean mask over the run's reads."""

    graph: Any = None
    visible: dict[str, np.ndarray] = field(default_factory=dict)
    #: when the agencies search: the end of the run (retention counts back from it)
    query_time_s: float = 0.0
    #: per agency, the operators it reaches, each with its access path (:func:`sim.access.visible_operators`)
    reach: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: the simulated search log (``[searches]``; ``None`` without) and its metrics (:mod:`sim.searches`)
    searches: pd.DataFrame | None = None
    search_metrics: dict[str, Any] | None = None


def searchable(run: RunContext, graph: Any = None, rng: np.random.Generator | None = None) -> Access:
    """Every agency's view of the run's reads at the end of the run, through ``graph`` (default: the
    scenario's access graph, :func:`build_access`); with ``[searches]``, the searches of those agencies,
    drawn from ``rng`` (the scenario's "searches" stream)."""
    graph = build_access(run.scenario, run.layout) if graph is None else graph
    if graph is None:
        return Access()
    query_time_s = float(run.trips["arrive_s"].max())
    # agencies that reach the same operators share one mask, so that a sharing list's hundreds of agencies cost a
    # handful of views (sim.views.agency_metrics)
    visible, reach_of = access.agency_masks(run.reads, run.layout, graph,
                                            [a.name for a in run.scenario.all_agencies()], query_time_s,
                                            camera_row=run.camera_row)
    spec = run.scenario.searches
    if spec is None:
        return Access(graph, visible, query_time_s, reach_of)
    if rng is None:
        raise ValueError("searchable: [searches] draws its searches from a generator; pass rng")
    log, metrics = simulate_searches(run, graph, reach_of, rng)
    return Access(graph, visible, query_time_s, reach_of, log, metrics)


def simulate_searches(run: RunContext, graph: Any, reach_of: dict[str, dict[str, list[str]]],
                      rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The scenario's ``[searches]``: the realised log (``searches.csv``) and its metrics."""
    scenario = run.scenario
    assert scenario.searches is not None
    agencies = scenario.all_agencies()
    plans = plan_searches(scenario.searches, agencies, {a.name for a in scenario.agencies}, graph, reach_of,
                          run.layout)
    retention = {n: d["retention_days"] for n, d in graph.nodes(data=True) if d["kind"] == "operator"}
    reads = SearchReads.of_run(run.reads, run.trips, run.layout, run.camera_row, retention,
                               scenario.demand.sample_share)
    log = simulate_log(plans, scenario.searches.days, scenario.start, rng, reads)
    residents = resident_ids(run.persons)
    if residents is None:
        residents = reads.fleet
    return log, search_metrics(plans, log, scenario.searches, reads, np.sort(residents))


def build_access(scenario: Scenario, layout: pd.DataFrame) -> Any:
    """The access graph (operators → pools → agencies), or ``None`` when the scenario declares none."""
    agencies = scenario.all_agencies()
    if scenario.searches is not None and not agencies:
        raise ScenarioError(f"{scenario.name}: [searches] simulates the searches of the scenario's agencies, and "
                            "it declares none; add [[agencies]] (or [[sharing_lists]]), or remove [searches]")
    if scenario.searches is not None:
        check_overrides(scenario.searches, agencies, scenario.name)
    if not scenario.operators and not agencies:
        if scenario.metrics.what_if_without:
            raise ScenarioError(f"{scenario.name}: metrics.what_if_without needs [[operators]] and [[agencies]] "
                                "to compare; declare them or remove the key")
        return None
    dump = scenario.model_dump(by_alias=True)
    graph = access.access_graph(dump["operators"], [a.model_dump() for a in agencies], dump["sharing"],
                                dump["rules"], source=scenario.name, allow_cycles=scenario.access.allow_cycles)
    access.check_camera_operators(graph, layout, source=scenario.name)
    for name in scenario.metrics.what_if_without:
        if graph.nodes.get(name, {}).get("kind") not in ("operator", "pool"):
            known = sorted(n for n, d in graph.nodes(data=True) if d["kind"] != "agency")
            raise ScenarioError(f"{scenario.name}: metrics.what_if_without names {name!r}, which is not an "
                                f"operator or pool; use one of {', '.join(known)}")
    return graph
