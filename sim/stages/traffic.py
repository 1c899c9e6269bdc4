"""The traffic stage: every vehicle drives its trips (``traffic.engine``), patrol cars drive their shifts, and
every pass of a reader is recorded.

With a route sample, the trips outside it are routed here, as they are driven: of each only its camera
crossings, travel time and length are kept (:func:`sim.routing.drive_sampled`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim._time import DAY_S
from sim.cameras import watch_pairs
from sim.network import RoadNetwork
from sim.progress import counting
from sim.routing import Routes, drive_sampled
from sim.scenario import Scenario
from sim.stages.cameras import Cameras, PatrolFleet
from sim.stages.routes import Routed
from sim.traffic import PASS_ORDER, Traffic, drive, drive_patrols, engine_for, patrol_encounters


def run_traffic(
    scenario: Scenario, trips: pd.DataFrame, routed: Routed, cameras: Cameras,
    rngs: Mapping[str, np.random.Generator],
) -> Traffic:
    """Drive the trips on ``routed``'s network past ``cameras`` (patrol cars: the ``patrols`` stream)."""
    net, routes, driven = routed.net, routed.routes, None
    engine = engine_for(scenario.traffic.engine, len(trips))
    if routed.kept is not None:  # a route sample: the trips not routed yet are routed here, as they are driven
        origins, destinations = net.node_indices(trips["origin"]), net.node_indices(trips["destination"])
        with counting("trips routed", len(trips) - (0 if routes is None else int(np.sum(routed.kept)))):
            routes, driven = drive_sampled(net, origins, destinations, routed.kept, routed.classes,
                                           watch_pairs(cameras.layout, net), known=routes)
    assert routes is not None
    with counting("trips driven", len(trips)):
        traffic = drive(net, trips, routes, cameras.layout, engine=engine, driven=driven)
    if not cameras.patrols:
        return traffic
    passes = pd.concat([traffic.passes, *patrol_passes(scenario, net, cameras.patrols, traffic.trips, routes,
                                                       rngs["patrols"], engine=engine)], ignore_index=True)
    return dataclasses.replace(traffic, passes=passes.sort_values(PASS_ORDER, kind="stable", ignore_index=True))


def patrol_passes(
    scenario: Scenario, net: RoadNetwork, fleets: list[PatrolFleet], trips: pd.DataFrame, routes: Routes,
    rng: np.random.Generator, *, engine: str = "simpy",
) -> list[pd.DataFrame]:
    """The passes of every patrol car: drive the shifts (on ``engine``), then find the vehicles met."""
    horizon = max(float(trips["arrive_s"].max()), scenario.demand.days * DAY_S)
    out = []
    for fleet in fleets:
        spec = fleet.spec
        log = drive_patrols(net, fleet.beats, fleet.car_beat, days=scenario.demand.days,
                            shift_start_s=spec.shift_start_h * 3600, shift_s=spec.shift_hours * 3600,
                            speed_factor=spec.speed_factor, driving_share=spec.driving_share,
                            hot_spots=spec.hot_spots, hot_spot_share=spec.hot_spot_share, rng=rng,
                            engine=engine)
        out.append(patrol_encounters(net, log, trips, routes, car_camera=fleet.rows, parked=spec.read_parked,
                                     horizon_s=horizon))
    return out
