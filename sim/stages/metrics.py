"""The metrics stage: every view of the reads (all of them, each agency's, each what-if) through the registered
metrics (:mod:`sim.metrics`), put together as a :class:`sim.simulation.Simulation`."""

from __future__ import annotations

from typing import Any

from sim.access import rule_report
from sim.io.run import versions
from sim.metrics.registry import RunContext, compute
from sim.reconstruct import Reconstruction
from sim.simulation import Simulation
from sim.stages.access import Access
from sim.views import agency_metrics, make_view, what_if


def score(run: RunContext, recon: Reconstruction, access: Access, facts: dict[str, Any],
          timings: dict[str, float]) -> Simulation:
    """The metrics of every view; ``facts`` (how the run was built: engine, placement, …) join ``metrics.json``."""
    everything = make_view(run, "all", recon=recon)
    metrics, tables = compute(run, everything, "run")
    metrics |= {"versions": versions()} | facts
    views = [("all", everything.trip_table)]
    if access.graph is not None:
        agency_views, metrics["agencies"] = agency_metrics(run, access.graph, access.visible, everything, metrics,
                                                           access.reach)
        views += agency_views
        if run.scenario.rules:
            metrics["rules"] = rule_report(access.graph)
        if run.scenario.metrics.what_if_without:
            metrics["long_trips_what_if"] = what_if(run, access.graph, access.query_time_s, metrics)
        if access.search_metrics is not None:
            metrics["searches"] = access.search_metrics
    return Simulation(run.scenario, run.net, run.layout, run.trips, run.routes, run.reads, recon, views, metrics,
                      timings, access.graph, access.visible, tables, access.searches)
