"""A simulated run as a short composition of stages, each a module of :mod:`sim.stages`.

:data:`STAGES` lists them once, in order: each stage's name (the progress bar's and ``run.json``'s), the module
that does its work and the random streams it draws from (:func:`sim.seeds.stage_rngs`); a stage is handed
those streams and no other. Each stage is a function a notebook or test can call alone, returning a frozen
result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from sim.allocator import release_freed_memory
from sim.checks import check_simulated, check_world
from sim.demand import simulated_days
from sim.metrics.registry import RunContext
from sim.scenario import Scenario
from sim.seeds import stage_rngs
from sim.shard import ledger
from sim.simulation import Simulation
from sim.stages.access import build_access, searchable
from sim.stages.cameras import Cameras, needs_routes, place_readers
from sim.stages.demand import build_demand
from sim.stages.metrics import score
from sim.stages.network import build_network
from sim.stages.reads import Reads, observe
from sim.stages.routes import Routed, route_trips
from sim.stages.traffic import run_traffic
from sim.traffic import Traffic
from sim.views import reconstruct_view

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Stage:
    """One stage of a run: its name, the module that does its work, and the random streams it may draw from."""

    name: str
    module: str
    streams: tuple[str, ...] = ()


#: The stages of a simulated run, in order. ``write`` is the output folder's (:func:`sim.runner.run_scenario`);
#: the others run in :func:`simulate_scenario`. A calibrated demand (a reads target, traffic counts) runs pilot
#: routes and places the cameras on them, so it draws from the routes and cameras streams too.
STAGES: tuple[Stage, ...] = (
    Stage("network", "sim.stages.network", ("network",)),
    Stage("demand", "sim.stages.demand", ("demand", "routes", "cameras")),
    Stage("routes", "sim.stages.routes", ("routes",)),
    Stage("cameras", "sim.stages.cameras", ("cameras", "patrols")),
    Stage("traffic", "sim.stages.traffic", ("patrols",)),
    Stage("reads", "sim.stages.reads", ("outages", "reads")),
    Stage("access", "sim.stages.access", ("searches",)),
    Stage("reconstruct", "sim.views"),
    Stage("metrics", "sim.stages.metrics"),
    Stage("write", "sim.io.run"),
)
#: The stages' names, in order.
STAGE_NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)


def simulate_scenario(scenario: Scenario, progress: Progress | None = None) -> Simulation:
    """Run every stage but ``write`` in memory and compute the metrics (writes nothing).

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
    with ledger() as shards:
        rngs = stage_rngs(scenario.seed)
        streams = {stage.name: {name: rngs[name] for name in stage.streams} for stage in STAGES}
        timings: dict[str, float] = {}
        stage = _stage_clock(timings, progress)
        with stage("network"):
            net = build_network(scenario, streams["network"]["network"])
            check_world(scenario, net)  # every problem the network reveals, before any demand or traffic
        with stage("demand"):
            demand = build_demand(scenario, net, streams["demand"])
        with stage("routes"):
            routed = route_trips(scenario, net, demand.trips, streams["routes"],
                                 for_placement=demand.pilot_cameras is None and needs_routes(scenario))
        with stage("cameras"):
            cameras = place_readers(scenario, routed.net, routed.routes, streams["cameras"], demand.pilot_cameras)
            graph = build_access(scenario, cameras.layout)  # every reader's operator declared: said before traffic
        with stage("traffic"):
            traffic = run_traffic(scenario, demand.trips, routed, cameras, streams["traffic"])
            demand = replace(demand, trips=_emptied(demand.trips))  # (driven: the traffic's trips are the run's)
        with stage("reads"):
            reads = observe(scenario, cameras.layout, traffic, streams["reads"])
            traffic = replace(traffic, passes=_emptied(traffic.passes))  # (read: not held through the rest of the run)
        run = RunContext(scenario, routed.net, cameras.layout, traffic.trips, traffic.routes, reads.table,
                         simulated_days(scenario, traffic.trips), demand.persons, demand.calibration, traffic.volume)
        with stage("access"):
            access = searchable(run, graph, streams["access"]["searches"])
        with stage("reconstruct"):
            recon = reconstruct_view(scenario, reads.table, routed.net)
        with stage("metrics"):
            sim = score(run, recon, access, run_facts(routed, cameras, traffic, reads), timings)
    sim.shards = shards
    return sim


def run_facts(routed: Routed, cameras: Cameras, traffic: Traffic, reads: Reads) -> dict[str, Any]:
    """How the run was built, for ``metrics.json``: the engine, the equilibrium, the placement, the route
    sample, cameras that did not snap, passes lost to outages."""
    facts: dict[str, Any] = {"traffic_engine": traffic.engine}
    if routed.congestion is not None:
        facts["congestion"] = routed.congestion
    if routed.sample is not None:
        facts["route_sample"] = routed.sample
    facts |= cameras.facts()
    if reads.lost_to_outages is not None:
        facts["n_passes_lost_to_outages"] = reads.lost_to_outages
    return facts


def _emptied(table: pd.DataFrame) -> pd.DataFrame:
    """``table``'s columns with no row, holding none of its memory (``table.iloc[:0]`` is a view that keeps
    every column's array alive).

    Examples
    --------
    >>> import numpy as np
    >>> def held(column):  # elements of the array at the root of a column's views
    ...     a = column.to_numpy()
    ...     while isinstance(a.base, np.ndarray):
    ...         a = a.base
    ...     return a.size
    >>> big = pd.DataFrame({"a": np.arange(10**6), "b": np.zeros(10**6)})
    >>> held(big.iloc[:0]["a"]), held(_emptied(big)["a"]), _emptied(big).dtypes.tolist()
    (1000000, 0, [dtype('int64'), dtype('float64')])
    """
    return table.iloc[:0].copy()


def _stage_clock(timings: dict[str, float], progress: Progress | None) -> Callable[[str], Any]:
    """A context manager per stage that records its wall time (s) in ``timings`` and reports it done."""
    @contextmanager
    def stage(name: str) -> Iterator[None]:
        clock = time.perf_counter()
        yield
        release_freed_memory()  # (what the stage made and dropped, not kept for the next stage's arrays)
        timings[name] = round(time.perf_counter() - clock, 4)
        if progress is not None:
            progress(name)
    return stage
