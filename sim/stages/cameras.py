"""The cameras and patrol cars stage: every reader of a run, as one layout (fixed cameras, then patrol cars).

Each ``[cameras]`` / ``[[camera_groups]]`` entry is placed by its strategy (:mod:`sim.placement`, on the routes
where a strategy ranks roads by traffic) or read from a file; each ``[[patrols]]`` entry adds a reader row per
car and splits the car's roads into beats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import distinct
from sim._errors import CameraError, ScenarioError
from sim._validate import MAX_LISTED
from sim.cameras import (
    CAMERA_COLUMNS, Selection, camera_edges, network_bbox, read_cameras_csv, read_cameras_geojson, validate_layout,
)
from sim.district import district_mask
from sim.network import RoadNetwork, edge_highway, edge_jurisdiction, lanes_each_way
from sim.placement import ROUTED_STRATEGIES, Placement, place_camera_group, road_class_edges
from sim.routing import Routes
from sim.scenario import CameraSpec, PatrolSpec, Scenario
from sim.traffic import patrol_beats


@dataclass(frozen=True)
class PatrolFleet:
    """One ``[[patrols]]`` entry, placed: its beats, each car's beat, and the cars' layout rows."""

    spec: PatrolSpec
    beats: list[np.ndarray]
    car_beat: np.ndarray
    rows: np.ndarray


@dataclass(frozen=True)
class Cameras:
    """Every reader of a run and how the layout came to be."""

    #: fixed cameras, then a row per patrol car (``kind = "mobile"``)
    layout: pd.DataFrame
    #: GeoJSON points of a camera file that did not snap to a road (``None``: none)
    unsnapped: pd.DataFrame | None = None
    #: per ranked camera group: the spacing asked for and achieved, and candidates it turned down
    placement: dict[str, Any] = field(default_factory=dict)
    patrols: list[PatrolFleet] = field(default_factory=list)

    def facts(self) -> dict[str, Any]:
        """How the layout was built, for ``metrics.json``: placement, unsnapped cameras."""
        out: dict[str, Any] = {}
        if self.placement:
            out["placement"] = self.placement
        if self.unsnapped is not None:
            out["n_cameras_unsnapped"] = len(self.unsnapped)
            out["cameras_unsnapped"] = self.unsnapped["camera_id"].tolist()
        return out


def needs_routes(scenario: Scenario) -> bool:
    """Whether a camera group is placed by the trips' routes (a ranking by traffic: ``ROUTED_STRATEGIES``)."""
    return any(group.strategy in ROUTED_STRATEGIES for group in scenario.all_cameras)


def place_readers(
    scenario: Scenario, net: RoadNetwork, routes: Routes | None, rngs: Mapping[str, np.random.Generator],
    placed: Cameras | None = None,
) -> Cameras:
    """The scenario's cameras (the ``cameras`` stream; ``placed``: cameras a calibration already placed), then
    its patrol cars (the ``patrols`` stream)."""
    cameras = placed if placed is not None else build_cameras(scenario, net, routes, rngs["cameras"])
    if not scenario.patrols:
        return cameras
    layout, fleets = add_patrol_readers(scenario, net, cameras.layout, rngs["patrols"])
    return Cameras(layout, cameras.unsnapped, cameras.placement, fleets)


def build_cameras(scenario: Scenario, net: RoadNetwork, routes: Routes | None, rng: np.random.Generator) -> Cameras:
    """The scenario's camera layout (every group), GeoJSON points that did not snap (if any), and per group
    (by camera-id prefix) how the spacing rule shaped a ranked placement."""
    layouts, unsnapped, placement, groups = [], [], {}, []
    for i, spec in enumerate(scenario.all_cameras):
        prefix = group_prefix(i, spec)
        where = group_key(i)
        layout, missed, spacing = place_group(scenario, i, net, routes, rng)
        if spacing:
            placement[prefix] = spacing
        if spec.strategy != "file":
            layout["camera_id"] = [f"{prefix}-{cid.split('-', 1)[1]}" for cid in layout["camera_id"]]
        if spec.cost_per_camera is not None:
            layout["cost"] = spec.cost_per_camera
        layouts.append(layout)
        groups.append((f"{where} ({spec.path if spec.strategy == 'file' else prefix})", layout))
        if missed is not None:
            unsnapped.append(missed)
    layout = pd.concat(layouts, ignore_index=True) if len(layouts) > 1 else layouts[0]
    if len(layouts) > 1:
        # each group's own rows were checked as it was read (a file's by its lines); what is left to go wrong
        # is an id held by two groups, named by group (the rows of the combined table are no one's to find)
        repeated = repeated_camera_ids(groups)
        if repeated:
            raise CameraError(f"{scenario.name}: {repeated}")
        extra = [c for c in layout.columns if c not in CAMERA_COLUMNS]
        checked = validate_layout(layout, net, source=f"{scenario.name}: camera groups")
        layout = pd.concat([checked, layout[extra]], axis=1)
    return Cameras(layout, pd.concat(unsnapped, ignore_index=True) if unsnapped else None, placement)


def place_group(
    scenario: Scenario, i: int, net: RoadNetwork, routes: Routes | None, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, Any]]:
    """The ``i``-th camera group placed (``cameras`` is 0), drawing from ``rng`` as the run does: its layout, its
    GeoJSON points that did not snap, how the spacing rule shaped it. A :class:`CameraError` names the group as
    the scenario does."""
    spec = scenario.all_cameras[i]
    try:
        return _camera_group(scenario, spec, net, routes, rng)
    except CameraError as exc:  # (the id prefix named only when the scenario gave it: cam, cam2 … are ours)
        named = f"{group_key(i)} ({spec.prefix})" if spec.prefix else group_key(i)
        raise CameraError(f"{scenario.name}: {named}: {exc}") from None


def repeated_camera_ids(groups: list[tuple[str, pd.DataFrame]]) -> str | None:
    """The camera ids held by more than one of the named camera ``groups`` (name, layout), said as a problem
    naming the groups that hold them; ``None`` when every id is in one group only.

    Examples
    --------
    >>> a, b = pd.DataFrame({"camera_id": ["x", "y", "z"]}), pd.DataFrame({"camera_id": ["y", "z"]})
    >>> repeated_camera_ids([("cameras (a.csv)", a), ("camera_groups[0] (b.csv)", b)])
    "camera_id 'y', 'z' in cameras (a.csv) and camera_groups[0] (b.csv): ids must be unique across camera groups"
    >>> repeated_camera_ids([("cameras", a)]) is None
    True
    """
    held: dict[str, list[str]] = {}
    for name, layout in groups:
        for camera in dict.fromkeys(layout["camera_id"].astype(str)):
            held.setdefault(camera, []).append(name)
    by_groups: dict[tuple[str, ...], list[str]] = {}
    for camera, names in held.items():
        if len(names) > 1:
            by_groups.setdefault(tuple(names), []).append(camera)
    if not by_groups:
        return None
    parts = []
    for holders, cameras in by_groups.items():
        more = f" and {len(cameras) - MAX_LISTED} more" if len(cameras) > MAX_LISTED else ""
        parts.append(f"{', '.join(map(repr, cameras[:MAX_LISTED]))}{more} in {', '.join(holders[:-1])} and "
                     f"{holders[-1]}")
    return f"camera_id {'; '.join(parts)}: ids must be unique across camera groups"


def group_key(i: int) -> str:
    """The scenario key of the ``i``-th camera group, as errors name it: ``cameras`` (0), ``camera_groups[0]`` …"""
    return "cameras" if i == 0 else f"camera_groups[{i - 1}]"


def group_prefix(i: int, spec: CameraSpec) -> str:
    """The camera-id prefix of the ``i``-th camera group (``cameras`` is 0): its own, or cam, cam2, cam3 …"""
    return spec.prefix or ("cam" if i == 0 else f"cam{i + 1}")


def group_placement(spec: CameraSpec) -> Placement:
    """A camera group's placement options, from its scenario table."""
    return Placement(spec.strategy, count=spec.camera_count(), read_rate=spec.read_rate, buffer_m=spec.buffer_m,
                     min_reads=spec.min_reads, min_spacing_m=spec.min_spacing_m, site=spec.site,
                     approaches=spec.approaches, watch=spec.watch,
                     camera={"misread_rate": spec.misread_rate, "direction": spec.direction,
                             "operator": spec.operator, "vendor": spec.vendor})


def _camera_group(
    scenario: Scenario, spec: CameraSpec, net: RoadNetwork, routes: Routes | None, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, Any]]:
    if spec.strategy == "file":
        return (*read_camera_file(scenario, spec, net), {})
    district = district_mask(net, spec.district.model_dump(), scenario.resolve) if spec.district else None
    allowed = group_allowed_edges(net, spec, f"{scenario.name}: ")
    if spec.only_city_line:  # the roads that come in from beyond the network's edge (network.city_line)
        if not net.outside.any():
            raise CameraError("only_city_line needs network.city_line (the roads across the network's edge)")
        beyond = net.outside[net.edge_u]
        allowed = beyond if allowed is None else allowed & beyond
    layout, spacing = place_camera_group(net, group_placement(spec), rng=rng, routes=routes, district=district,
                                         allowed=allowed)
    if spec.lanes_read is not None:  # a camera reads lanes_read lanes of a wider road: that share of its vehicles
        layout = lanes_read_rate(layout, net, spec.lanes_read)
    if spec.read_rate_by_speed is not None:
        layout = speed_read_rate(layout, net, spec.read_rate_by_speed)
    return layout, None, spacing
def speed_read_rate(layout: pd.DataFrame, net: RoadNetwork, curve: list[tuple[float, float]]) -> pd.DataFrame:
    """The layout with each camera's ``read_rate`` times ``curve``'s factor at its road's free-flow speed.

    ``curve`` is ``[(km/h, factor), ...]`` in rising km/h, interpolated
    linearly and flat beyond its ends.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, jitter_m=0, rng=np.random.default_rng(0))
    >>> layout = pd.DataFrame({"u": [net.nodes[net.edge_u[0]]], "v": [net.nodes[net.edge_v[0]]], "key": [0],
    ...                        "direction": ["forward"], "read_rate": [0.8]})
    >>> speed = float(net.edge_length[0] / net.edge_time[0] * 3.6)
    >>> float(speed_read_rate(layout, net, [(0.0, 1.0), (2 * speed, 0.0)])["read_rate"][0])
    0.4
    """
    edges = camera_edges(layout, net, "forward")
    kmh = net.edge_length[edges] / net.edge_time[edges] * 3.6
    speeds, factors = (np.array(part, float) for part in zip(*curve))
    return layout.assign(read_rate=layout["read_rate"].to_numpy(float) * np.interp(kmh, speeds, factors))


def lanes_read_rate(layout: pd.DataFrame, net: RoadNetwork, lanes_read: int) -> pd.DataFrame:
    """The layout with each camera's ``read_rate`` times ``min(1, lanes_read / lanes)`` of its road's direction."""
    share = np.minimum(1.0, lanes_read / lanes_each_way(net)[camera_edges(layout, net, "forward")])
    return layout.assign(read_rate=layout["read_rate"].to_numpy(float) * share)


def group_allowed_edges(net: RoadNetwork, spec: CameraSpec, where: str = "") -> np.ndarray | None:
    """The roads a camera group may stand on: its ``jurisdiction``'s, of its ``road_classes`` (``None``: any).

    A :class:`ScenarioError` names the key when no road qualifies.
    """
    allowed = None
    if spec.jurisdiction is not None:
        allowed = np.zeros(net.n_edges, bool)
        allowed[jurisdiction_edges(net, spec.jurisdiction, f"{where}jurisdiction")] = True
    if spec.road_classes is not None:
        of_class = road_class_edges(net, spec.road_classes)
        if not of_class.any():
            present = sorted(set(edge_highway(net)) - {""})
            raise ScenarioError(f"{where}road_classes: no road is of class {', '.join(spec.road_classes)}; the "
                                f"network has {', '.join(present) or 'no classes'}")
        allowed = of_class if allowed is None else allowed & of_class
    return allowed


def read_camera_file(
    scenario: Scenario, spec: CameraSpec, net: RoadNetwork
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A ``strategy = "file"`` group's layout (CSV or GeoJSON), and the GeoJSON points that did not snap."""
    path = scenario.resolve(str(spec.path))
    if path.suffix.lower() in (".geojson", ".json") or path.name.lower().endswith((".geojson.gz", ".json.gz")):
        bbox = network_bbox(net, spec.max_snap_m) if spec.select_bbox == "network" else spec.select_bbox
        selection = Selection(bbox, spec.select_operator, spec.select_brand)
        return read_cameras_geojson(path, net, max_snap_m=spec.max_snap_m, read_rate=spec.read_rate,
                                    selection=selection, misread_rate=spec.misread_rate)
    # what the file does not say (no column, or an empty cell) is the group's
    given = {"operator": spec.operator, "vendor": spec.vendor, "misread_rate": spec.misread_rate}
    return read_cameras_csv(path, net, defaults=given), None


def add_patrol_readers(
    scenario: Scenario, net: RoadNetwork, layout: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, list[PatrolFleet]]:
    """Append a reader row (``kind = "mobile"``) per patrol car to the layout, and split the roads into beats.

    A car's row stands on an edge leaving the first node of its beat (its
    station, for maps); it watches no fixed road.
    """
    if not scenario.patrols:
        return layout, []
    fleets: list[PatrolFleet] = []
    rows: list[dict[str, Any]] = []
    first_row = len(layout)
    for i, spec in enumerate(scenario.patrols):
        nodes = patrol_nodes(net, spec, f"{scenario.name}: patrols[{i}]")
        beats = patrol_beats(net, spec.beats or spec.cars, rng, nodes=nodes)
        car_beat = np.arange(spec.cars) % len(beats)
        car_rows = first_row + len(rows) + np.arange(spec.cars)
        for car in range(spec.cars):
            station = beats[car_beat[car]][0]
            edge = int(np.flatnonzero(net.edge_u == station)[0])
            row = {"camera_id": f"{spec.prefix}-{car + 1}", "u": net.nodes[station],
                   "v": net.nodes[net.edge_v[edge]], "key": int(net.edge_key[edge]), "direction": "both",
                   "read_rate": spec.read_rate, "misread_rate": spec.misread_rate, "operator": spec.operator,
                   "parked_read_rate": spec.read_rate if spec.parked_read_rate is None else spec.parked_read_rate,
                   "vendor": spec.vendor, "kind": "mobile"}
            if spec.cost_per_car is not None:
                row["cost"] = spec.cost_per_car
            rows.append(row)
        fleets.append(PatrolFleet(spec, beats, car_beat, car_rows))
    out = pd.concat([layout, pd.DataFrame(rows)], ignore_index=True)
    out["kind"] = out["kind"].fillna("fixed")  # the cameras before the patrol rows are fixed
    duplicated = out["camera_id"][out["camera_id"].duplicated()].unique()
    if len(duplicated):
        raise ScenarioError(f"{scenario.name}: reader id(s) {', '.join(duplicated[:5])} used twice; give each "
                            "[[patrols]] entry its own prefix")
    return out, fleets



def jurisdiction_edges(net: RoadNetwork, name: str, where: str) -> np.ndarray:
    """Edges of jurisdiction ``name``; a :class:`ScenarioError` naming ``where`` when no road has it."""
    edges = np.flatnonzero(edge_jurisdiction(net) == name)
    if not len(edges):
        known = sorted(set(edge_jurisdiction(net)) - {""})
        raise ScenarioError(f"{where}: no road has jurisdiction {name!r}; "
                            + (f"use one of {', '.join(map(repr, known))}" if known else "the network has none"))
    return edges


def patrol_nodes(net: RoadNetwork, spec: PatrolSpec, where: str) -> np.ndarray | None:
    """The intersections a ``[[patrols]]`` entry patrols (``None``: all); checks its jurisdiction and beats."""
    nodes = None
    if spec.jurisdiction is not None:
        edges = jurisdiction_edges(net, spec.jurisdiction, f"{where}.jurisdiction")
        nodes = distinct(np.concatenate([net.edge_u[edges], net.edge_v[edges]]))
    n_beats = spec.beats or spec.cars
    available = net.n_nodes if nodes is None else len(nodes)
    if n_beats > available:
        raise ScenarioError(f"{where}.beats = {n_beats} is more than the {available} intersections to patrol; "
                            "use fewer beats")
    return nodes
