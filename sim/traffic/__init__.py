"""Traffic: vehicles drive their trips and pass cameras — one entry point, :func:`drive`, over two engines.

``engine="simpy"`` is the readable reference: every vehicle a SimPy process
(:mod:`sim.traffic.simpy_engine`). ``engine="compiled"`` runs the same
departure rule as one compiled loop (:mod:`sim.traffic.compiled`). Both
return a :class:`Traffic` and agree bit for bit: that is the contract, and
the verification tests run on both. Patrol cars and camera outages live in
their own modules and run on either engine too (:mod:`sim.traffic.engines`);
routes are :mod:`sim.routing`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.arrays import new_runs
from sim.progress import tick
from sim.cameras import watch_pairs
from sim.network import RoadNetwork
from sim.routing import Crossings, Driven, Routes, route_crossings
from sim.traffic.engines import AUTO_COMPILED_ABOVE_TRIPS, ENGINES, Engine, check_engine, engine_for
from sim.traffic.outages import camera_outages, during_outage
from sim.traffic.patrols import drive_patrols, edge_intervals, patrol_beats, patrol_encounters
from sim.traffic.simpy_engine import simulate
from sim import shard
from sim.traffic.compiled import chain_times

PASS_ORDER = ["time_s", "trip", "camera"]


@dataclass
class Traffic:
    """What traffic produced, whatever the engine.

    Attributes
    ----------
    trips : pandas.DataFrame
        The trips with their actual ``depart_s`` and ``arrive_s`` and the
        ``length_m`` driven.
    passes : pandas.DataFrame
        One row per camera crossing (``trip, camera, edge, backward,
        time_s``), sorted by time, then trip and camera.
    routes : Routes
        The routes driven (row ``i`` is trip ``i``).
    volume : numpy.ndarray
        Vehicles that drove each edge over the whole run.
    engine : str
        The engine that ran.
    """

    trips: pd.DataFrame
    passes: pd.DataFrame
    routes: Routes
    volume: np.ndarray
    engine: str


def drive(
    net: RoadNetwork, trips: pd.DataFrame, routes: Routes, layout: pd.DataFrame, *, engine: Engine = "simpy",
    driven: Driven | None = None,
) -> Traffic:
    """Drive every trip along its route and record each pass of a camera of ``layout``.

    A vehicle leaves at its trip's ``depart_s`` or, when its previous trip
    ends later, as soon as it arrives; it passes a camera at the middle of
    the camera's edge. Trips must be sorted by vehicle and departure (as
    every demand model returns them).

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> from sim.cameras import make_layout
    >>> from sim.routing import choose_routes
    >>> net = grid_network(4, 4, rng=np.random.default_rng(0))
    >>> trips = pd.DataFrame({"trip_id": [0, 1], "vehicle_id": [0, 0], "origin": [net.nodes[0]] * 2,
    ...                       "destination": [net.nodes[15], net.nodes[0]], "depart_s": [0.0, 10.0]})
    >>> routes = choose_routes(net, net.node_indices(trips["origin"]), net.node_indices(trips["destination"]))
    >>> layout = make_layout(net, routes.route(0)[:1], read_rate=1.0)
    >>> a = drive(net, trips, routes, layout, engine="simpy")
    >>> b = drive(net, trips, routes, layout, engine="compiled")
    >>> a.passes.equals(b.passes), bool(a.trips["depart_s"].iloc[1] > 10.0)
    (True, True)
    """
    check_engine(engine)
    if driven is None:
        if routes.kept is not None:
            raise ValueError("these routes are a sample (routes.kept): pass what every trip drove (driven=, from "
                             "sim.routing.choice.drive_sampled)")
        camera, edge, backward = watch_pairs(layout, net)
        driven = Driven(route_crossings(net, routes, camera, edge, backward),
                        np.bincount(routes.trip_of_edge(), weights=net.edge_length[routes.edges], minlength=len(trips)),
                        np.bincount(routes.edges, minlength=net.n_edges))
    timed, passes = _by_vehicle_blocks(trips, routes, driven.crossings, engine)
    timed["length_m"] = driven.length_m
    if routes.kept is not None:
        timed["route_kept"] = routes.kept
    return Traffic(timed, passes, routes, driven.volume, engine)


def _by_vehicle_blocks(
    trips: pd.DataFrame, routes: Routes, crossings: Crossings, engine: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run ``engine`` on blocks of whole vehicles (on Dask workers inside :func:`sim.shard.workers`).

    A vehicle's trips chain only with each other, so blocks are independent;
    their passes, merged and sorted, are those of one run over all vehicles.
    """
    run = simulate if engine == "simpy" else _compiled
    vehicles = trips["vehicle_id"].to_numpy()
    first_rows = np.flatnonzero(new_runs(vehicles))
    bounds = np.concatenate([first_rows[::shard.VEHICLES_PER_SHARD], [len(trips)]])
    if len(bounds) <= 2:
        result = run(trips, routes, crossings)
        tick(len(trips))
        return result
    at = np.searchsorted(crossings.trip, bounds)

    def shards() -> Iterator[tuple[pd.DataFrame, Routes, Crossings]]:
        # (made when its turn comes: this process never holds every block's copy of its trips at once)
        for r0, r1, c0, c1 in zip(bounds[:-1], bounds[1:], at[:-1], at[1:]):
            part = Routes(offsets=routes.offsets[r0 : r1 + 1] - routes.offsets[r0],
                          edges=routes.edges[routes.offsets[r0] : routes.offsets[r1]],
                          travel_time=routes.travel_time[r0:r1])
            cross = Crossings(crossings.trip[c0:c1] - r0, crossings.camera[c0:c1], crossings.edge[c0:c1],
                              crossings.backward[c0:c1], crossings.offset_s[c0:c1])
            yield trips.iloc[r0:r1].reset_index(drop=True), part, cross

    results = shard.shard_map(run, shards(), counts=np.diff(bounds).tolist())
    timed = pd.concat([t for t, _ in results], ignore_index=True)
    parts = [p for _, p in results]
    del results
    return timed, merged_passes(parts, bounds[:-1])


def merged_passes(parts: list[pd.DataFrame], first_trips: np.ndarray) -> pd.DataFrame:
    """The passes of blocks of whole vehicles as one table in :data:`PASS_ORDER`: ``parts[k]``, in that order,
    numbers its trips from 0 for trip ``first_trips[k]`` on (increasing).

    The blocks' trips follow each other, so a stable sort of the blocks' passes (in block order) by time alone
    keeps passes at one time in (trip, camera) order: the order of sorting the joined passes by all three, made
    column by column (a county week's 14 M passes were joined, then copied again sorted, with the blocks' own).

    Examples
    --------
    >>> a = pd.DataFrame({"trip": [0, 1], "camera": [3, 1], "time_s": [5.0, 9.0]})
    >>> b = pd.DataFrame({"trip": [0, 0], "camera": [2, 0], "time_s": [1.0, 5.0]})
    >>> merged_passes([a, b], np.array([0, 2])).values.tolist()
    [[2.0, 2.0, 1.0], [0.0, 3.0, 5.0], [2.0, 0.0, 5.0], [1.0, 1.0, 9.0]]
    """
    order = np.argsort(np.concatenate([p["time_s"].to_numpy() for p in parts]), kind="stable")
    columns = {}
    for name in parts[0].columns:
        joined = np.concatenate([p[name].to_numpy() + r0 if name == "trip" else p[name].to_numpy()
                                 for p, r0 in zip(parts, first_trips)])
        columns[name] = joined[order]
        del joined
    return pd.DataFrame(columns, copy=False)


def _compiled(trips: pd.DataFrame, routes: Routes, crossings: Crossings) -> tuple[pd.DataFrame, pd.DataFrame]:
    order = np.lexsort((crossings.offset_s, crossings.trip))
    ordered = Crossings(*(getattr(crossings, f)[order] for f in ("trip", "camera", "edge", "backward", "offset_s")))
    depart, arrive, when = chain_times(trips["vehicle_id"].to_numpy(), trips["depart_s"].to_numpy(float),
                                       routes.travel_time, ordered)
    timed = trips.copy()
    timed["depart_s"] = depart
    timed["arrive_s"] = arrive
    passes = pd.DataFrame({"trip": ordered.trip, "camera": ordered.camera, "edge": ordered.edge,
                           "backward": ordered.backward, "time_s": when})
    return timed, passes.sort_values(PASS_ORDER, kind="stable", ignore_index=True)


__all__ = [
    "AUTO_COMPILED_ABOVE_TRIPS", "ENGINES", "Traffic", "camera_outages", "drive", "drive_patrols", "during_outage",
    "edge_intervals", "engine_for", "merged_passes", "patrol_beats", "patrol_encounters", "simulate",
]
