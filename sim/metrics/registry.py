"""One registry of metrics that every view of a run goes through.

A *view* is a set of reads a searcher holds — all of a run's reads, one
agency's, or an agency's once an operator or pool is removed (a what-if) —
with the trips reconstructed from them. Each metric is a function
``(run, view, rng, done) -> dict`` registered with the *scopes* it is
computed for: ``"run"`` (the all-reads view), ``"agency"`` and
``"what_if"``. So an agency's numbers come from exactly the code that makes
the run's. ``done`` holds the metrics of the same view computed before
(registration order). A metric that cannot be computed raises
:class:`NotApplicable`; its key becomes ``None`` with a ``…_reason``.

Examples
--------
>>> sorted(scope for scope in {s for m in METRICS.values() for s in m.scopes})
['agency', 'run', 'what_if']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.allocator import release_freed_memory
from sim.arrays import code_type, positions_in
from sim.seeds import named_rng
from sim.network import RoadNetwork
from sim.routing import Routes
from sim.reconstruct import Reconstruction
from sim.metrics.long_trips import long_route_table

if TYPE_CHECKING:
    from sim.scenario import Scenario

#: What a metric returns: its keys of ``metrics.json``, and optionally tables written as ``<name>.parquet``.
Tables = dict[str, pd.DataFrame]
MetricFunction = Callable[["RunContext", "View", np.random.Generator, dict[str, Any]],
                          "dict[str, Any] | tuple[dict[str, Any], Tables]"]


class NotApplicable(Exception):
    """A metric this run cannot compute; the message says why (it becomes ``<metric>_reason``)."""


@dataclass(frozen=True)
class Metric:
    name: str
    function: MetricFunction
    scopes: frozenset[str]


#: Every metric, in computation order.
METRICS: dict[str, Metric] = {}


def metric(name: str, *scopes: str) -> Callable[[MetricFunction], MetricFunction]:
    """Register ``function`` as metric ``name`` for the given scopes (``run``, ``agency``, ``what_if``)."""
    def register(function: MetricFunction) -> MetricFunction:
        if name in METRICS:
            raise ValueError(f"metric {name!r} registered twice")
        METRICS[name] = Metric(name, function, frozenset(scopes))
        return function
    return register


@dataclass
class RunContext:
    """What every metric may read: the scenario, the network, and the run's truth (for scoring only).

    The truth (``trips``, ``routes``, ``persons``) scores inferences; a
    metric infers only from a view's reads as a searcher holds them
    (plate as read, time, camera).
    """

    scenario: Scenario
    net: RoadNetwork
    layout: pd.DataFrame
    trips: pd.DataFrame
    routes: Routes
    #: every read the readers made (a view holds some or all of them)
    reads: pd.DataFrame
    n_days: int
    persons: pd.DataFrame | None = None
    #: how demand was calibrated (:attr:`sim.stages.demand.Demand.calibration`; ``None``: not calibrated)
    calibration: dict[str, Any] | None = None
    #: trips on each edge over the run (``None``: counted from ``routes``, every route being kept)
    volume: np.ndarray | None = None

    @cached_property
    def fixed(self) -> np.ndarray:
        """Which rows of the layout are fixed cameras (not patrol-car readers)."""
        if "kind" not in self.layout.columns:
            return np.ones(len(self.layout), dtype=bool)
        return np.asarray(self.layout["kind"].fillna("fixed").to_numpy() != "mobile")

    @cached_property
    def camera_row(self) -> np.ndarray:
        """Each read's row in the layout (−1 for a camera not in it): looked up once for every view and agency, and
        held as 32-bit integers (a county week's 12 M reads: 49 MB, not 98)."""
        return positions_in(self.layout["camera_id"], self.reads["camera_id"]).astype(code_type(len(self.layout)))

    @cached_property
    def long_routes(self) -> Any:
        """The long trips' route table (every view asks for the same trips; computed once, here)."""
        return long_route_table(self.routes, self.net, self.trips, min_km=self.scenario.metrics.long_trip_km)


@dataclass
class View:
    """The reads one searcher holds, and what is reconstructed from them."""

    name: str
    reads: pd.DataFrame
    recon: Reconstruction
    trip_table: pd.DataFrame
    #: which of the run's reads the view holds (``None``: all of them)
    mask: np.ndarray | None = None
    #: tables the view's metrics made so far (``vehicle_uniqueness`` …), written as ``<name>.parquet``
    tables: Tables = field(default_factory=dict)


def view_camera_rows(run: RunContext, view: View) -> np.ndarray:
    """Each of ``view``'s reads' row in the layout (−1 for a camera not in it): the run's
    :attr:`RunContext.camera_row`, picked by the view's mask (no camera looked up again)."""
    rows = run.camera_row if view.mask is None or view.reads is run.reads else run.camera_row[view.mask]
    if len(rows) != len(view.reads):  # (a view made without its mask: its own cameras looked up)
        return positions_in(run.layout["camera_id"], view.reads["camera_id"])
    return rows


def compute(
    run: RunContext, view: View, scope: str, *, only: set[str] | None = None
) -> tuple[dict[str, Any], Tables]:
    """Every metric registered for ``scope`` (or those of them named in ``only``), on ``view``.

    Each metric draws from its own stream (:func:`sim.seeds.named_rng` of the
    scenario seed and the metric's name), the same in every view: adding a
    metric never shifts another's draws, and a view that holds every read
    gets the run's own numbers.
    """
    out: dict[str, Any] = {}
    release_freed_memory()  # (what making the view freed: its reconstruction's and per-trip table's passes)
    for m in METRICS.values():
        if scope not in m.scopes or (only is not None and m.name not in only):
            continue
        try:
            result = m.function(run, view, named_rng(run.scenario.seed, "metric", m.name), out)
        except NotApplicable as reason:
            out |= {m.name: None, f"{m.name}_reason": str(reason)}
            continue
        finally:
            release_freed_memory()  # (each metric's passes over the reads, given back before the next one's)
        if isinstance(result, tuple):
            result, more = result
            view.tables |= more
        out |= result
    return out, view.tables
