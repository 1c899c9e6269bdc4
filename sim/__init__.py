"""Curtain: simulate licence-plate-reader camera networks and measure what they reveal.

The public API is listed here once; everything else is private.
"""

from sim._errors import CameraError, CurtainError, DemandError, NetworkError, ScenarioError
from sim.access import access_graph, visible_operators, visible_reads
from sim.cameras import layout_geojson, make_layout, read_cameras_csv, validate_layout, watch_pairs
from sim.demand import read_trips_csv, uniform_trips
from sim.metrics import camera_free_pairs, summary_metrics, trip_metrics
from sim.generators import city_line_network, corridor_network, grid_network, radial_network, river_network
from sim.network import RoadNetwork, Routes, adjacency_matrix, fastest_routes, from_graph
from sim.placement import place_cameras
from sim.reads import read_passes
from sim.reconstruct import Reconstruction, reconstruct
from sim.runner import RunResult, Simulation, run_scenario, simulate_scenario
from sim.scenario import Scenario, load_scenario
from sim.traffic import route_crossings, simulate

__all__ = [
    "CameraError",
    "CurtainError",
    "DemandError",
    "NetworkError",
    "RoadNetwork",
    "Reconstruction",
    "Routes",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "access_graph",
    "adjacency_matrix",
    "camera_free_pairs",
    "city_line_network",
    "corridor_network",
    "fastest_routes",
    "from_graph",
    "grid_network",
    "layout_geojson",
    "load_scenario",
    "make_layout",
    "place_cameras",
    "radial_network",
    "read_cameras_csv",
    "read_passes",
    "read_trips_csv",
    "reconstruct",
    "river_network",
    "route_crossings",
    "run_scenario",
    "simulate",
    "simulate_scenario",
    "summary_metrics",
    "trip_metrics",
    "uniform_trips",
    "validate_layout",
    "visible_operators",
    "visible_reads",
]
