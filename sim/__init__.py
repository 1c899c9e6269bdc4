"""Curtain: simulate licence-plate-reader camera networks and measure what they reveal.

The public API is listed here once (and in ``docs/architecture.md``, which a
test keeps equal to it); everything else is internal and may change.
"""

from sim._errors import CameraError, CurtainError, DemandError, NetworkError, OutputError, ScenarioError
from sim.access import access_graph, visible_operators, visible_reads
from sim.cameras import layout_geojson, make_layout, read_cameras_csv, validate_layout, watch_pairs
from sim.checks import check_scenario, check_world
from sim.demand import population_trips, uniform_trips
from sim.io.trips import read_trips_csv
from sim.generators import city_line_network, corridor_network, grid_network, radial_network, river_network
from sim.io.run import read_run, write_run
from sim.metrics import camera_free_pairs, summary_metrics, trip_metrics
from sim.metrics.registry import NotApplicable, RunContext, View, metric
from sim.network import RoadNetwork, adjacency_matrix, from_graph
from sim.pipeline import STAGES, simulate_scenario
from sim.simulation import Simulation
from sim.placement import place_cameras
from sim.reads import read_passes, stream_reads
from sim.reconstruct import Reconstruction, reconstruct
from sim.runner import RunResult, run_scenario
from sim.scenario import Scenario, load_scenario
from sim.seeds import named_rng, stage_rngs
from sim.routing import Routes, choose_routes, fastest_routes, route_crossings
from sim.traffic import ENGINES, Traffic, drive, simulate
from sim.views import make_view, reconstruct_view
from sim.stages.cameras import Cameras, place_readers
from sim.stages.demand import Demand, build_demand
from sim.stages.network import build_network
from sim.stages.reads import Reads, observe
from sim.stages.routes import Routed, route_trips
from sim.stages.access import Access, searchable
from sim.stages.metrics import score
from sim.stages.traffic import run_traffic

__all__ = [
    "ENGINES",
    "STAGES",
    "Access",
    "CameraError",
    "Cameras",
    "CurtainError",
    "Demand",
    "DemandError",
    "NetworkError",
    "NotApplicable",
    "OutputError",
    "Reads",
    "Reconstruction",
    "RoadNetwork",
    "Routed",
    "Routes",
    "RunContext",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "Traffic",
    "View",
    "access_graph",
    "adjacency_matrix",
    "build_demand",
    "build_network",
    "camera_free_pairs",
    "check_scenario",
    "check_world",
    "choose_routes",
    "city_line_network",
    "corridor_network",
    "drive",
    "fastest_routes",
    "from_graph",
    "grid_network",
    "layout_geojson",
    "load_scenario",
    "make_layout",
    "make_view",
    "metric",
    "named_rng",
    "observe",
    "place_cameras",
    "place_readers",
    "population_trips",
    "radial_network",
    "read_cameras_csv",
    "read_passes",
    "read_run",
    "read_trips_csv",
    "reconstruct",
    "reconstruct_view",
    "river_network",
    "route_crossings",
    "route_trips",
    "run_scenario",
    "run_traffic",
    "score",
    "searchable",
    "simulate",
    "simulate_scenario",
    "stage_rngs",
    "stream_reads",
    "summary_metrics",
    "trip_metrics",
    "uniform_trips",
    "validate_layout",
    "visible_operators",
    "visible_reads",
    "watch_pairs",
    "write_run",
]
