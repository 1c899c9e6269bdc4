"""A simulated run in memory: every table, the metrics and the timings (what :func:`sim.simulate_scenario`
returns and :func:`sim.read_run` reads back from a run folder)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics.trips import view_column
from sim.network import RoadNetwork
from sim.reconstruct import Reconstruction
from sim.routing import Routes
from sim.scenario import Scenario
from sim.views import stack_views


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
    #: the simulated search log (``[searches]``), written as ``searches.csv``; ``None`` without
    searches: pd.DataFrame | None = None
    #: per kind of shard (its function): tasks run, their seconds summed where they ran, the longest
    #: (:func:`sim.shard.ledger`; ``run.json``'s ``shards``)
    shards: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def trip_table(self) -> pd.DataFrame:
        """Every view's per-trip table stacked (``view`` names each row's view), built when asked for."""
        return stack_views(self.views)

    def view_table(self, name: str = "all") -> pd.DataFrame:
        """One view's per-trip table, without stacking the others: its ``view`` column is its name, as one
        category, whether the view has a table of its own or shares another's, in memory or read back."""
        for view, table in self.views:
            if view == name:
                column = table["view"]
                own = isinstance(column.dtype, pd.CategoricalDtype) and list(column.cat.categories) == [name]
                return table if own else table.assign(view=view_column(name, len(table)))
        raise KeyError(f"no view {name!r}; the views are {', '.join(v for v, _ in self.views)}")
