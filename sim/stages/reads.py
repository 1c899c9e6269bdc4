"""The reads stage: the passes of installed cameras that are up become reads (read rate, misreads, duplicates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.cameras import not_installed
from sim.progress import counting
from sim.reads import read_passes
from sim.scenario import Scenario
from sim.traffic import Traffic, camera_outages, during_outage


@dataclass(frozen=True)
class Reads:
    """What the readers logged: one row per read (``plate`` as read, ``time``, ``camera_id``, and the truth)."""

    table: pd.DataFrame
    #: passes lost to camera outages (``None``: the scenario has no ``[outages]``)
    lost_to_outages: int | None = None


def observe(
    scenario: Scenario, layout: pd.DataFrame, traffic: Traffic, rngs: Mapping[str, np.random.Generator]
) -> Reads:
    """The reads the passes become: installed cameras that are up (the ``outages`` stream, on the traffic's
    engine), each read drawn from the ``reads`` stream."""
    passes, lost = traffic.passes, None
    passes = passes[~not_installed(passes, layout)].reset_index(drop=True)
    if scenario.outages is not None:
        outages = camera_outages(len(layout), float(traffic.trips["arrive_s"].max()) + 1.0,
                                 mtbf_s=scenario.outages.mtbf_h * 3600, mttr_s=scenario.outages.mttr_h * 3600,
                                 rng=rngs["outages"], engine=traffic.engine)
        down = during_outage(passes, outages)
        passes, lost = passes[~down].reset_index(drop=True), int(down.sum())
    # the count is of passes, each read or missed (the reads are fewer, or more with duplicates)
    with counting("camera passes (read or missed)", len(passes)):
        reads = read_passes(passes, traffic.trips, layout, scenario.start, rngs["reads"],
                            duplicate_rate=scenario.reads.duplicate_rate)
    return Reads(reads, lost)
