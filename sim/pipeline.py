"""A simulated run as a short composition of typed stages.

network → world (demand, calibration, cameras, patrols, access) → traffic →
reads → reconstruction → views and metrics. Each stage is a function a
notebook or test can call alone; :data:`STAGES` names them once for the
progress bar and ``run.json``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.progress import counting
from sim.seeds import stage_rngs
from sim.cameras import not_installed
from sim.checks import check_simulated, check_world
from sim.io.run import versions
from sim.metrics.registry import RunContext, compute
from sim.network import RoadNetwork, Routes
from sim.reads import read_passes
from sim.reconstruct import Reconstruction
from sim.scenario import Scenario
from sim.traffic import Traffic, camera_outages, drive, during_outage, engine_for
from sim.views import agency_metrics, make_view, reconstruct_view, stack_views, visible_masks, what_if
from sim.world import World, build_network, build_world, patrol_passes, simulated_days

Progress = Callable[[str], None]

#: The stages of a simulated run, in order (``write`` is the output folder's).
STAGES: tuple[str, ...] = ("network", "demand and cameras", "traffic", "reads", "reconstruct", "metrics")


@dataclass
class Simulation:
    """Every table of a run, in memory (for notebooks and tests)."""

    scenario: Scenario
    net: RoadNetwork
    layout: pd.DataFrame
    trips: pd.DataFrame
    routes: Routes
    reads: pd.DataFrame
    #: the all-reads view's reconstruction (``None`` for a run read back from its folder)
    recon: Reconstruction | None
    #: (view name, per-trip table) of every view, "all" first; an agency that sees every read shares the
    #: all-reads table itself (a county week's 11 views stacked would be 10⁸ rows: see :attr:`trip_table`)
    views: list[tuple[str, pd.DataFrame]]
    metrics: dict[str, Any]
    timings: dict[str, float]
    access: Any = None
    #: agency → boolean mask of the reads it can search
    visible: dict[str, np.ndarray] = field(default_factory=dict)
    #: more per-vehicle or per-area tables, each written as ``<name>.parquet``
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def trip_table(self) -> pd.DataFrame:
        """Every view's per-trip table stacked (``view`` names each row's view), built when asked for."""
        return stack_views(self.views)

    def view_table(self, name: str = "all") -> pd.DataFrame:
        """One view's per-trip table (its ``view`` column is its name), without stacking the others."""
        for view, table in self.views:
            if view == name:
                return table if (table["view"] == name).all() else table.assign(view=name)
        raise KeyError(f"no view {name!r}; the views are {', '.join(v for v, _ in self.views)}")


def simulate_scenario(scenario: Scenario, progress: Progress | None = None) -> Simulation:
    """Run every stage in memory and compute the metrics (writes nothing).

    Examples
    --------
    >>> from sim.scenario import load_scenario
    >>> s = load_scenario(overrides=["network.rows=6", "network.cols=6", "demand.trips=50",
    ...                              "cameras.count=5"])
    >>> sim = simulate_scenario(s)
    >>> sim.metrics["n_trips"], sim.metrics["n_cameras"]
    (50, 5)
    """
    check_simulated(scenario)
    rngs = stage_rngs(scenario.seed)
    timings: dict[str, float] = {}
    stage = _stage_clock(timings, progress)
    with stage("network"):
        net = build_network(scenario, rngs["network"])
        check_world(scenario, net)  # every problem the network reveals, before any demand or traffic
    with stage("demand and cameras"):
        world = build_world(scenario, net, rngs)
    with stage("traffic"):
        traffic = run_traffic(scenario, world, rngs)
    with stage("reads"):
        reads, lost = observe(scenario, world, traffic, rngs)
    with stage("reconstruct"):
        recon = reconstruct_view(scenario, reads, world.net)
    with stage("metrics"):
        sim = score(scenario, world, traffic, reads, recon, timings)
    if lost is not None:
        sim.metrics["n_passes_lost_to_outages"] = lost
    return sim


def _stage_clock(timings: dict[str, float], progress: Progress | None) -> Callable[[str], Any]:
    """A context manager per stage that records its wall time (s) in ``timings`` and reports it done."""
    @contextmanager
    def stage(name: str) -> Iterator[None]:
        clock = time.perf_counter()
        yield
        timings[name] = round(time.perf_counter() - clock, 4)
        if progress is not None:
            progress(name)
    return stage


def run_traffic(scenario: Scenario, world: World, rngs: dict[str, np.random.Generator]) -> Traffic:
    """Drive the world's trips (``traffic.engine``), and the patrol cars' shifts when there are any."""
    engine = engine_for(scenario.traffic.engine, len(world.trips))
    with counting("trips driven", len(world.trips)):
        traffic = drive(world.net, world.trips, world.routes, world.layout, engine=engine, driven=world.driven)
    if world.patrols:
        passes = pd.concat([traffic.passes, *patrol_passes(scenario, world.net, world.patrols, traffic.trips,
                                                           world.routes, rngs["patrols"])], ignore_index=True)
        traffic.passes = passes.sort_values(["time_s", "trip", "camera"], kind="stable", ignore_index=True)
    return traffic


def observe(
    scenario: Scenario, world: World, traffic: Traffic, rngs: dict[str, np.random.Generator]
) -> tuple[pd.DataFrame, int | None]:
    """The reads the passes become (installed cameras that are up), and the passes lost to outages (or ``None``)."""
    passes, layout, lost = traffic.passes, world.layout, None
    passes = passes[~not_installed(passes, layout)].reset_index(drop=True)
    if scenario.outages is not None:
        outages = camera_outages(len(layout), float(traffic.trips["arrive_s"].max()) + 1.0,
                                 mtbf_s=scenario.outages.mtbf_h * 3600, mttr_s=scenario.outages.mttr_h * 3600,
                                 rng=rngs["outages"])
        down = during_outage(passes, outages)
        passes, lost = passes[~down].reset_index(drop=True), int(down.sum())
    with counting("camera passes read", len(passes)):
        reads = read_passes(passes, traffic.trips, layout, scenario.start, rngs["reads"],
                            duplicate_rate=scenario.reads.duplicate_rate)
    return reads, lost


def score(
    scenario: Scenario, world: World, traffic: Traffic, reads: pd.DataFrame, recon: Reconstruction,
    timings: dict[str, float],
) -> Simulation:
    """Every view of the reads (all, each agency, each what-if) through the metrics registry."""
    run = RunContext(scenario, world.net, world.layout, traffic.trips, world.routes, reads,
                     simulated_days(scenario, traffic.trips), world.persons, world)
    everything = make_view(run, "all", recon=recon)
    metrics, tables = compute(run, everything, "run")
    metrics |= {"versions": versions(), "traffic_engine": traffic.engine} | world.facts()
    views, visible, graph = [("all", everything.trip_table)], {}, world.access
    if graph is not None:
        query_time_s = float(traffic.trips["arrive_s"].max())
        visible = visible_masks(run, graph, query_time_s)
        agency_views, metrics["agencies"] = agency_metrics(run, graph, visible, everything, metrics)
        views += agency_views
        if scenario.rules:
            from sim.access import rule_report

            metrics["rules"] = rule_report(graph)
        if scenario.metrics.what_if_without:
            metrics["long_trips_what_if"] = what_if(run, graph, query_time_s, metrics)
    return Simulation(scenario, world.net, world.layout, traffic.trips, world.routes, reads, recon, views,
                      metrics, timings, graph, visible, tables)
