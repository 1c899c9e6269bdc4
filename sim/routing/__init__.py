"""Routing: which way every trip goes, and where its route passes cameras.

The routing stage of a run (:mod:`sim.stages.routes`) calls :func:`choose_routes` (or, keeping only a sample of
the routes, :func:`driver_classes`, :func:`kept_routes` and :func:`drive_sampled`). Every search is one of the
compiled loops of :mod:`sim.routing.dijkstra`:

- :func:`fastest_routes` — one shortest-path tree per distinct origin, every trip from it walked back at once;
- :func:`tree_times` — the fastest times only, no route kept;
- :func:`choose_routes` — drivers in classes, each on its own perceived times (origins with few trips in a
  class by A* aimed by landmarks, :mod:`sim.routing.landmarks`);
- :func:`route_crossings` — where the routes pass the watched edges.

:mod:`sim.routing.reference` holds scipy's Dijkstra, the reference the compiled searches are tested against.
"""

from sim.routing.choice import choose_routes, drive_sampled, driver_classes, kept_routes, route_crossings
from sim.routing.tables import Crossings, Driven, Routes
from sim.routing.trees import edge_volumes, fastest_routes, tree_times

__all__ = [
    "Crossings", "Driven", "Routes", "choose_routes", "drive_sampled", "driver_classes", "edge_volumes",
    "fastest_routes", "kept_routes", "route_crossings", "tree_times",
]
