"""The tables of a scenario file (``[network]``, ``[cameras]``, ``[demand]`` …), each a pydantic model that
rejects unknown keys and checks its values; :class:`sim.scenario.Scenario` puts them together."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim._defaults import DEFAULT_MIN_SPACING_M, DEFAULT_MISREAD_TOLERANCE, DEFAULT_ROUTE_SAMPLE

Rate = Annotated[float, Field(ge=0.0, le=1.0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


GRID_FIELDS = frozenset({"rows", "cols", "block_m", "arterial_every", "one_way_share", "jitter_m"})
#: Keys that label a real network's roads with jurisdictions (every non-synthetic source).
JURISDICTION_FIELDS = frozenset({"jurisdiction_polygons", "jurisdiction_key", "highway_jurisdiction", "city_line"})
#: Which optional ``[network]`` keys each source (or synthetic kind) uses.
NETWORK_FIELDS: dict[str, frozenset[str]] = {
    "grid": GRID_FIELDS | {"point"},
    "river": GRID_FIELDS | {"bridges", "river_m", "point"},
    "city_line": GRID_FIELDS | {"point", "crossings", "jurisdictions", "west", "towns", "town_rows", "town_cols",
                                "size_km", "arterial_km", "highway_km", "dead_end_share", "town_block_m"},
    "radial": frozenset({"rings", "spokes", "ring_spacing_m", "arterial_every", "point"}),
    "corridor": frozenset({"towns", "town_rows", "town_cols", "spacing_km", "block_m", "local_road", "point"}),
    "county": frozenset({"point", "towns", "town_rows", "town_cols", "block_m", "size_km", "arterial_km", "highway_km",
                         "dead_end_share"}),
    "osm": JURISDICTION_FIELDS | {"place", "bbox", "point", "dist_m"},
    "osm_file": JURISDICTION_FIELDS | {"path", "bbox", "polygon"},
    "graphml": JURISDICTION_FIELDS | {"path"},
    "tntp": JURISDICTION_FIELDS | {"path", "node_path", "length_unit", "time_unit", "node_crs"},
}


class NetworkSpec(_Section):
    """``[network]``: where the road network comes from.

    ``source = "synthetic"`` builds ``kind`` (grid, radial, river, city_line,
    corridor, county) from the size keys; ``osm`` downloads by ``place``, ``bbox``
    or ``point`` + ``dist_m``; ``osm_file``, ``graphml`` and ``tntp`` read
    ``path`` (relative to the scenario file).
    """

    source: Literal["synthetic", "osm", "osm_file", "graphml", "tntp"] = "synthetic"
    kind: Literal["grid", "radial", "river", "city_line", "corridor", "county"] = "grid"
    rows: int = Field(20, ge=2, description="grid intersections north-south")
    cols: int = Field(20, ge=2, description="grid intersections east-west")
    block_m: float = Field(150.0, gt=0, description="block length, metres")
    arterial_every: int = Field(5, ge=1, description="an arterial every N blocks/spokes")
    one_way_share: Rate = 0.3
    jitter_m: float = Field(15.0, ge=0, description="random shift of intersections, metres")
    bridges: int = Field(3, ge=1)
    river_m: float = Field(200.0, gt=0)
    crossings: int = Field(5, ge=1)
    jurisdictions: tuple[str, str] = ("county", "city")
    rings: int = Field(8, ge=2)
    spokes: int = Field(12, ge=2)
    ring_spacing_m: float = Field(250.0, gt=0)
    towns: int = Field(5, ge=2)
    town_rows: int = Field(6, ge=2)
    town_cols: int = Field(6, ge=2)
    spacing_km: float = Field(100.0, gt=0)
    local_road: bool = True
    size_km: float = Field(24.0, gt=0, description="county: side of the square county, km")
    arterial_km: float = Field(2.0, gt=0, description="county: spacing of the arterial grid, km")
    highway_km: float = Field(8.0, gt=0, description="county: spacing of the motorways, km")
    dead_end_share: Rate = Field(0.2, description="county: share of town intersections with a cul-de-sac")
    west: Literal["grid", "county"] = Field(
        "grid", description="city_line: the west side is half of one grid, or a county with a road hierarchy "
                            "(size_km, towns, arterial_km, highway_km, dead_end_share, town_block_m) beside a "
                            "rows x cols city grid")
    town_block_m: float = Field(150.0, gt=0, description="city_line with west = county: block length in its towns")
    place: str | None = None
    bbox: tuple[float, float, float, float] | None = Field(None, description="[west, south, east, north], degrees")
    point: tuple[float, float] | None = Field(
        None, description="[lat, lon], degrees: osm, the centre of the download; synthetic, where the city's centre "
                          "is placed (without it a synthetic city has plane metres only: no cameras.geojson, and "
                          "longitude/latitude inputs are refused)")
    dist_m: float | None = Field(None, gt=0)
    polygon: str | None = Field(None, description="GeoJSON polygon file to clip an OSM file to")
    path: str | None = None
    node_path: str | None = None
    length_unit: Literal["m", "km", "mi", "ft"] = "mi"
    time_unit: Literal["s", "min", "h"] = "min"
    node_crs: str | None = "EPSG:4326"
    jurisdiction_polygons: str | None = Field(
        None, description="GeoJSON of named polygons (towns, counties): each road gets the one holding it")
    jurisdiction_key: str = Field("name", description="property of jurisdiction_polygons that names each")
    highway_jurisdiction: str | None = Field(
        None, description="jurisdiction of motorways and trunk roads, e.g. 'state' (a state police's roads)")
    city_line: str | None = Field(
        None, description="the area's name: a stub across the line on every road the network was cut at "
                          "(OSM street counts), ending outside; inside is jurisdiction <name> (sim.io.city_line)")

    @model_validator(mode="after")
    def _keys_fit_source(self) -> NetworkSpec:
        which = self.kind if self.source == "synthetic" else self.source
        allowed = NETWORK_FIELDS[which]
        stray = sorted(self.model_fields_set - allowed - {"source", "kind"})
        if stray:
            raise ValueError(
                f"{', '.join(stray)} do(es) not apply to {which!r}; its keys are {', '.join(sorted(allowed))}"
            )
        if self.point is not None and not (-90 <= self.point[0] <= 90 and -180 <= self.point[1] <= 180):
            raise ValueError(f"point = {list(self.point)} is not [lat, lon] in degrees (lat -90..90, lon -180..180)")
        if self.source in ("osm_file", "graphml", "tntp") and not self.path:
            raise ValueError(f'source {self.source!r} needs path = "..." (relative to the scenario file)')
        if self.source == "osm" and not (self.place or self.bbox or (self.point and self.dist_m)):
            raise ValueError('source "osm" needs place = "...", bbox = [w, s, e, n], or point = [lat, lon] + dist_m')
        return self


class DistrictSpec(_Section):
    """A district: listed ``nodes``, a ``polygon`` file, ``center`` + ``radius_m``, or a ``jurisdiction``."""

    nodes: list[int | str] | None = None
    polygon: str | None = None
    center: tuple[float, float] | None = Field(None, description="[x, y] in the network's projected metres")
    radius_m: float | None = Field(None, gt=0)
    jurisdiction: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> DistrictSpec:
        given = [k for k in ("nodes", "polygon", "center", "jurisdiction") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of nodes, polygon, center (+ radius_m) or jurisdiction")
        if self.center is not None and self.radius_m is None:
            raise ValueError("center needs radius_m")
        return self


class CameraSpec(_Section):
    """``[cameras]``: where the cameras are and how well they read."""

    strategy: Literal["random", "betweenness", "volume", "greedy", "cordon", "curtain", "route_id", "entrances",
                      "file"] = "betweenness"
    profile: str | None = Field(
        None, description="a reader profile (flock-pole, rekor-highway, or one of [[profiles]]): fills every key "
                          "the group does not set (read_rate, direction, road_classes, site, vendor); see "
                          "sim/profiles.py for the published figures behind each")
    road_classes: list[str] | None = Field(
        None, description="place cameras only on roads of these OSM highway classes (e.g. [\"residential\"])")
    lanes_read: int | None = Field(
        None, ge=1, description="lanes of its direction one camera reads; on a wider road (OSM lanes) it reads "
                                "that share of the passing vehicles (read_rate x lanes_read / lanes); default: all")
    read_rate_by_speed: list[tuple[float, float]] | None = Field(
        None, description="read rate against speed: [[km/h, factor], ...] in rising km/h; a camera's read_rate is "
                          "multiplied by the factor at its road's free-flow speed (linear between points, flat "
                          "beyond them); default: the same at every speed (no published curve was found)")
    count: int = Field(40, ge=0, description="not used by cordon, curtain and file")
    read_rate: Rate = 0.95
    misread_rate: Rate = 0.0
    direction: Literal["forward", "backward", "both"] = "forward"
    operator: str = "default"
    vendor: str = ""
    path: str | None = Field(None, description="strategy 'file': a camera CSV or GeoJSON of points")
    allow_empty: bool = Field(False, description="run with no camera and no patrol car at all (a baseline); "
                                                 "otherwise an empty layout is an error, never a silent 0")
    district: DistrictSpec | None = Field(None, description="cordon and curtain: the district to fence in")
    watch: Literal["in", "out", "both"] = Field(
        "both", description="cordon: read the traffic entering the district, leaving it, or both (a camera per "
                            "road and direction crossing its edge)")
    only_city_line: bool = Field(
        False, description="cordon: only the roads into the district from beyond the network's city line "
                           "(network.city_line); for a district bounded by water, its bridges and tunnels")
    buffer_m: float = Field(0.0, ge=0, description="curtain: how far out the fence may stand, metres")
    min_reads: int = Field(1, ge=1, description="greedy: reads a trip needs to count as covered")
    min_spacing_m: float = Field(
        DEFAULT_MIN_SPACING_M, ge=0, description="random, betweenness, volume, greedy: no two camera sites of the "
                                                 "group closer than this, metres (straight line); 200 = the median "
                                                 "distance between neighbouring mapped ALPR sites in Norfolk, VA "
                                                 "(OpenStreetMap); 0 turns it off")
    site: Literal["edge", "intersection"] = Field(
        "edge", description="where a ranked camera stands: mid-block (edge) or at the intersection a road leads "
                            "into, reading the approaching traffic (intersection)")
    approaches: int = Field(1, ge=1, description="site = intersection: cameras one intersection may hold")
    max_snap_m: float = Field(50.0, gt=0, description="GeoJSON points farther from any road are reported")
    select_bbox: tuple[float, float, float, float] | Literal["network"] | None = Field(
        None, description="file (GeoJSON): take the points in [west, south, east, north] (degrees), or \"network\": "
                          "within the network's extent")
    select_operator: str | None = Field(None, description="file (GeoJSON): take the points whose OSM operator "
                                                          "contains this text (any case)")
    select_brand: str | None = Field(None, description="file (GeoJSON): take the points whose manufacturer or "
                                                       "brand contains this text (any case)")
    prefix: str | None = Field(None, description="camera_id prefix (default cam, cam2, cam3 … per group)")
    jurisdiction: str | None = Field(None, description="place cameras only on roads of this jurisdiction")
    budget: float | None = Field(None, ge=0, description="money for cameras; with cost_per_camera it sets count")
    cost_per_camera: float | None = Field(None, gt=0, description="price of one camera (e.g. per year)")

    def camera_count(self) -> int:
        """``count``, or as many cameras as ``budget`` buys at ``cost_per_camera``."""
        if self.budget is not None and self.cost_per_camera is not None:
            return int(self.budget // self.cost_per_camera)
        return self.count

    @model_validator(mode="after")
    def _strategy_needs(self) -> CameraSpec:
        if self.strategy == "file" and not self.path:
            raise ValueError("strategy 'file' needs path = \"cameras.csv\" or \"cameras.geojson\"")
        if (self.budget is None) != (self.cost_per_camera is None):
            raise ValueError("budget and cost_per_camera go together")
        if self.budget is not None:
            # the budget decides the count; write it back so the resolved scenario shows it
            object.__setattr__(self, "count", self.camera_count())
        _check_speed_curve(self.read_rate_by_speed)
        chosen = [k for k in ("select_bbox", "select_operator", "select_brand") if getattr(self, k) is not None]
        if chosen and self.strategy != "file":
            raise ValueError(f"{', '.join(chosen)} select points of a camera file: they need strategy = \"file\"")
        if self.only_city_line and self.strategy != "cordon":
            raise ValueError("only_city_line applies to strategy 'cordon' only (the roads into a district)")
        if self.watch != "both" and self.strategy != "cordon":
            raise ValueError(f"watch = {self.watch!r} applies to strategy 'cordon' only (the roads crossing a "
                             "district's edge)")
        if self.strategy in ("cordon", "curtain") and self.district is None:
            raise ValueError(f"strategy {self.strategy!r} needs district = {{ nodes = [...] }} (or polygon, "
                             "center + radius_m, jurisdiction)")
        return self


def _check_speed_curve(curve: list[tuple[float, float]] | None) -> None:
    """Refuse a read-rate-by-speed curve whose speeds do not rise or whose factors are outside 0-1."""
    if curve is None:
        return
    if not curve:
        raise ValueError("read_rate_by_speed is empty: give [[km/h, factor], ...] or leave it out")
    speeds = [s for s, _ in curve]
    if any(b <= a for a, b in zip(speeds, speeds[1:])) or speeds[0] < 0:
        raise ValueError(f"read_rate_by_speed: speeds must rise from 0 or more km/h, got {speeds}")
    if any(not 0 <= f <= 1 for _, f in curve):
        raise ValueError(f"read_rate_by_speed: factors must be between 0 and 1, got {[f for _, f in curve]}")


class PatrolSpec(_Section):
    """``[[patrols]]``: readers on patrol or parking-enforcement cars (mobile readers)."""

    cars: int = Field(ge=1, description="patrol cars, each with one reader")
    beats: int | None = Field(None, ge=1, description="areas the roads are split into (default: one per car)")
    jurisdiction: str | None = Field(None, description="patrol only roads of this jurisdiction")
    shift_start_h: float = Field(8.0, ge=0, lt=24, description="hour the daily shift starts")
    shift_hours: float = Field(8.0, gt=0, le=24)
    speed_factor: float = Field(0.7, gt=0, le=1, description="patrol speed as a share of free-flow speed")
    profile: str | None = Field(
        None, description="a mobile reader profile (patrol-car, parking-car, or one of [[profiles]]): fills every "
                          "key the fleet does not set; see sim/profiles.py for the figures and assumptions")
    read_rate: Rate = 0.9
    misread_rate: Rate = 0.0
    read_parked: bool = Field(True, description="also read cars parked along the patrol's roads")
    parked_read_rate: Rate | None = Field(
        None, description="chance that a parked car passed is read (default: read_rate); real readers miss most "
                          "parked cars (angle, occlusion)")
    driving_share: float = Field(
        1.0, gt=0, le=1, description="share of the shift spent driving; the rest the car stands (at calls, "
                                     "parked), reading nothing, in stops between legs")
    hot_spots: int = Field(0, ge=0, description="places of its beat each car keeps coming back to (drawn at "
                                                "random once: no crime map); 0 for none")
    hot_spot_share: Rate = Field(0.0, description="share of a car's legs that end at one of its hot spots (the "
                                                  "rest at a random intersection of the beat)")
    operator: str = "default"
    vendor: str = ""
    prefix: str = "patrol"
    cost_per_car: float | None = Field(None, gt=0, description="price of one patrol reader (to compare fleets)")


#: ``[demand]`` keys of traffic from outside, which only the population model has
OUTSIDE_TRAFFIC_KEYS = frozenset({"in_commuter_share", "out_commuter_share", "through_share", "visitor_share",
                                  "gateways"})


class DemandSpec(_Section):
    """``[demand]``: who drives where and when."""

    model: Literal["uniform", "gravity", "population", "tntp", "file"] = "uniform"
    trips: int = Field(5000, ge=1, description="trips per day (uniform, gravity, tntp)")
    vehicles: int | None = Field(None, ge=1, description="population: vehicles (each with a home, maybe a job); "
                                                      "with target_reads_per_camera_per_day, set by calibration")
    sample_share: float = Field(
        1.0, gt=0, le=1, description="share of the real fleet the simulated vehicles stand for (a sample keeps a "
                                     "big city fast); per-camera reads are also reported scaled back up")
    days: int = Field(1, ge=1)
    worker_share: Rate = Field(0.65, description="population: share of vehicles commuting to work on weekdays")
    in_commuter_share: float = Field(
        0.7, ge=0, lt=1, description="population: share of the area's jobs held by people from outside, who drive "
                                     "in through gateways (a central city's: Norfolk, VA 73.5 %, Washington, DC "
                                     "72.4 %; see sim/external.py); 0 for none")
    out_commuter_share: Rate = Field(
        0.47, description="population: share of the resident workers whose job is outside the area (they leave "
                          "by a gateway; Hampton Roads: 47 % work in a city they do not live in); 0 for none")
    through_share: float = Field(
        0.1, ge=0, lt=1, description="population: share of the vehicles entering the area each day that only "
                                     "cross it, gateway to gateway (7-18 % for cities of 100,000-500,000, 1944 "
                                     "origin-destination surveys; see sim/external.py)")
    visitor_share: float = Field(
        0.0, ge=0, description="population: visiting vehicles a day (shoppers, deliveries, tourists) per resident "
                               "vehicle, each stopping at one place; 0 by default: no published share was found "
                               "to cite (see sim/external.py)")
    gateways: list[int | str] | None = Field(
        None, description="population: node ids where traffic from outside enters (default: where the biggest "
                          "inward roads meet the network's edge)")
    work_decay_km: float = Field(6.0, gt=0, description="population: distance decay of work places, km")
    decay_km: float = Field(2.0, gt=0, description="gravity and population errands: distance decay, km")
    zone_km: float = Field(1.0, gt=0, description="gravity and population: size of the square zones, km")
    path: str | None = None
    target_reads_per_camera_per_day: float | None = Field(
        None, gt=0, description="calibrate trips per day so cameras log this many reads a day on average"
    )
    pilot_trips: int = Field(20_000, ge=100, description="calibration: trips of the pilot run")
    pilot_vehicles: int = Field(5_000, ge=100, description="calibration of the population model: pilot vehicles")
    counts: str | None = Field(
        None, description="calibrate trips per day to traffic counts per road: a CSV u,v,key,count "
                          "(vehicles per day) or a GeoJSON of points with a count property, snapped to roads")
    counts_max_snap_m: float = Field(50.0, gt=0, description="counts GeoJSON: farthest a point may be from a road")

    @model_validator(mode="after")
    def _file_needs_path(self) -> DemandSpec:
        if self.model == "population" and self.vehicles is None and self.target_reads_per_camera_per_day is None:
            raise ValueError("model 'population' needs vehicles = N (it makes its own trips), or "
                             "target_reads_per_camera_per_day to calibrate N")
        outside = sorted(OUTSIDE_TRAFFIC_KEYS & self.model_fields_set)
        if outside and self.model != "population":
            raise ValueError(f"{', '.join(outside)} appl(ies) to model 'population' only (traffic from outside "
                             "enters the population model's area)")
        if self.vehicles is not None and self.model != "population":
            raise ValueError("vehicles applies to model 'population' only; the other models take trips per day")
        if self.model == "file" and not self.path:
            raise ValueError("model 'file' needs path = \"trips.csv\"")
        if self.model == "tntp" and not self.path:
            raise ValueError("model 'tntp' needs path = \"..._trips.tntp\"")
        if self.target_reads_per_camera_per_day is not None and self.model not in ("uniform", "population"):
            raise ValueError("target_reads_per_camera_per_day calibrates the 'uniform' and 'population' models only")
        if self.target_reads_per_camera_per_day is not None and self.vehicles is not None:
            raise ValueError("give vehicles or target_reads_per_camera_per_day (which sets vehicles), not both")
        if self.counts is not None and self.model != "uniform":
            raise ValueError("counts calibrate the 'uniform' model only")
        if self.counts is not None and self.target_reads_per_camera_per_day is not None:
            raise ValueError("calibrate to counts or to target_reads_per_camera_per_day, not both")
        return self


class TrafficSpec(_Section):
    """``[traffic]``: how vehicles choose routes."""

    route_noise: float = Field(
        0.2, ge=0, description="spread (lognormal sigma) of drivers' perceived edge times; 0: everyone takes the "
                               "fastest path, exactly what reconstruction assumes (a best case)")
    route_classes: int = Field(8, ge=1, description="driver classes sharing one perceived network each")
    congestion: Literal["none", "ue"] = Field(
        "none", description="ue: static user equilibrium (BPR, conjugate Frank-Wolfe) of the peak hour; "
                            "vehicles then route by the congested times")
    peak_hour_share: float = Field(0.1, gt=0, le=1, description="congestion: share of a day's trips in the peak hour")
    ue_gap: float = Field(1e-4, gt=0, description="congestion: relative gap to stop at")
    engine: Literal["auto", "simpy", "compiled"] = Field(
        "auto", description="simpy: every vehicle a SimPy process (the readable reference); compiled: the same "
                            "departure rule as one compiled loop, equal bit for bit and faster on large runs; "
                            "auto: simpy up to 20,000 trips, compiled above")


class OutageSpec(_Section):
    """``[outages]``: cameras fail and are repaired (reads are lost while a camera is down)."""

    mtbf_h: float = Field(gt=0, description="mean time between failures, hours")
    mttr_h: float = Field(gt=0, description="mean time to repair, hours")


class ReconstructSpec(_Section):
    """``[reconstruct]``: how reads are chained into trips."""

    slack_s: float = Field(600.0, ge=0, description="seconds beyond the fastest drive before a new trip")
    misread_tolerance: bool = Field(DEFAULT_MISREAD_TOLERANCE,
                                    description="match plates read once to a plate one character away")
    window_s: float = Field(1800.0, gt=0, description="misread matching: how close in time, seconds")
    route_inference: Literal["fastest", "time_matched"] = "fastest"
    k_paths: int = Field(5, ge=1, description="time_matched: alternatives tried per gap")
    sighting_window_s: float = Field(
        5.0, ge=0, description="reads of one plate at one camera this close (seconds) are one sighting (one pass)")


class MetricsSpec(_Section):
    """``[metrics]``: sizes and thresholds of the summary metrics."""

    long_trip_km: float = Field(5.0, gt=0)
    locate_m: float = Field(
        500.0, gt=0, description="a trip's end is located when the reads put it within this many metres (and "
                                 "locate_s) of where it really began or ended (the whole-of-movements measure)")
    locate_s: float = Field(
        900.0, gt=0, description="…and its first (last) sighting within this many seconds of its departure "
                                 "(arrival)")
    pair_samples: int = Field(500, ge=1, description="node pairs sampled for camera-free routes")
    route_sample: int | Literal["all"] = Field(
        DEFAULT_ROUTE_SAMPLE,
        description="vehicles whose routes are kept for the metrics that compare routes (route recall and "
                    "precision, long-trip gaps, areas driven, the coverage figure): a random sample of whole "
                    "vehicles, stratified by trips per vehicle, when the run has more; every trip's reads, "
                    "length and travel time are kept. \"all\" keeps every route")
    areas: Literal["auto", "rings", "jurisdiction", "none"] = Field(
        "auto", description="exposure by area: rings around a centre, jurisdictions, or auto (jurisdictions "
                            "when the roads have them, else rings)")
    rings: int = Field(5, ge=1, description="areas = rings: how many, of equal width (unless ring_km)")
    ring_km: float | None = Field(None, gt=0, description="areas = rings: ring width, km")
    center: tuple[float, float] | None = Field(None, description="areas = rings: centre [x, y], projected metres")
    what_if_without: list[str] = Field(
        default_factory=list,
        description="operators or pools removed, one at a time, to compare long-trip exposure per agency "
                    "(e.g. a state highway operator: cameras added or not; a vendor pool: pool on or off)",
    )

    @field_validator("route_sample", mode="before")
    @classmethod
    def _vehicles_or_all(cls, value: Any) -> Any:
        if value == "all" or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
            return value
        raise ValueError('give a number of vehicles (1 or more) or "all"')


class ReadsSpec(_Section):
    """``[reads]``: simulated reads (default), or a real reads file analysed like ``curtain analyze``."""

    source: Literal["simulate", "file"] = "simulate"
    duplicate_rate: Rate = Field(0.0, description="simulate: share of reads logged twice (1–3 s apart)")
    path: str | None = Field(None, description="file: the reads file (CSV or Parquet), relative to the scenario")
    plate: str | None = Field(None, description="file: plate (or plate hash) column, if not a common name")
    time: str | None = Field(None, description="file: timestamp column")
    time_format: str | None = Field(None, description="file: strftime format, e.g. '%m/%d/%Y - %H:%M:%S'")
    device: str | None = Field(None, description="file: device / camera column")
    lon: str | None = None
    lat: str | None = None
    direction: str | None = None
    address: str | None = None
    delimiter: str | None = Field(None, description="file: CSV delimiter (default: sniffed)")
    snap_to_network: bool = Field(False, description="file: snap located reads to [network] and rebuild trips")
    max_snap_m: float = Field(50.0, gt=0)

    @model_validator(mode="after")
    def _keys_fit_source(self) -> ReadsSpec:
        file_keys = set(ReadsSpec.model_fields) - {"source", "duplicate_rate"}
        if self.source == "simulate":
            # (a resolved scenario.toml writes every default: those are not stray)
            stray = sorted(k for k in self.model_fields_set & file_keys
                           if getattr(self, k) != ReadsSpec.model_fields[k].default)
            if stray:
                raise ValueError(f"{', '.join(stray)} apply only to source = \"file\"")
        elif not self.path:
            raise ValueError('source = "file" needs path = "reads.csv" (relative to the scenario file)')
        elif self.duplicate_rate:
            raise ValueError('duplicate_rate applies only to simulated reads (source = "simulate")')
        return self

    def column_map(self) -> dict[str, str | None]:
        """Role → column name, for :func:`sim.io.reads.read_reads_file`."""
        return {k: getattr(self, k) for k in ("plate", "time", "device", "lon", "lat", "direction", "address")}


class OutputSpec(_Section):
    """``[output]``: what the run writes."""

    routes: bool = True
    figures: bool = True
    map_tiles: str = Field(
        "", description="map.html's online background: a tile URL template such as "
                        "'https://tile.openstreetmap.org/{z}/{x}/{y}.png' (off by default, so the map needs no "
                        "network; the network needs a place on Earth)")
    map_tiles_attribution: str = Field("© OpenStreetMap contributors", description="credit shown with the tiles")
    question: Literal["coverage", "access", "fence", "fleets"] = Field(
        "coverage", description="the question the summary and report answer first: coverage (how much of a "
                                "drive the reads reveal), access (who can search them, and through which "
                                "path), fence (is the district fenced in, and how much of a resident's "
                                "driving is revealed), fleets (fixed cameras or patrol cars per cost)")


    @field_validator("map_tiles")
    @classmethod
    def _tile_template(cls, value: str) -> str:
        if value and not (value.startswith("https://") and all(k in value for k in ("{z}", "{x}", "{y}"))):
            raise ValueError(f"{value!r} is not a tile URL template: give https://…/{{z}}/{{x}}/{{y}}.png, or \"\" "
                             "for no background")
        return value


class Operator(_Section):
    """``[[operators]]``: who runs cameras and keeps their reads."""

    name: str
    retention_days: float = Field(730.0, ge=0)


class Agency(_Section):
    """``[[agencies]]``: who searches reads."""

    name: str
    kind: str = "local-police"
    access: list[str] = Field(default_factory=list, description="operators or pools it can search")
    users: int | None = Field(None, ge=0, description="number of user accounts (reported, not simulated)")
    jurisdiction: str | None = None
    state: str | None = Field(None, pattern=r"^[A-Z]{2}$", description="two-letter US state (\"NY\"), for "
                                                                      "[searches]; a sharing list's from the name")


class AccessSpec(_Section):
    """``[access]``: options of the access model."""

    allow_cycles: bool = Field(False, description="allow sharing agreements that loop back (A → B → A)")


class Rule(_Section):
    """``[[rules]]``: a policy denying an operator's reads to some agencies (e.g. a sanctuary law)."""

    name: str
    operator: str
    deny_kinds: list[str] = Field(default_factory=list)
    deny_agencies: list[str] = Field(default_factory=list)
    scope: Literal["sharing", "all"] = Field("sharing", description="block sharing agreements only, or every path")


class Sharing(_Section):
    """``[[sharing]]``: an operator's reads shared with an agency or pool."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    source: str = Field(alias="from")
    to: str


class SharingList(_Section):
    """``[[sharing_lists]]``: one owner's rows of a real sharing list (``src_agency`` → ``external_agency``)."""

    path: str = Field(description="a CSV with src_agency and external_agency columns, e.g. "
                                  "\"data:flock-agency-access\"")
    owner: str = Field(description="the src_agency whose external agencies to take, as the file spells it")
    operator: str = Field(description="the scenario's operator whose reads those agencies can search")
    kinds: dict[str, str] = Field(default_factory=dict, description="agency name → kind, where the rules of "
                                                                     "sim/sharing_lists.py read it wrong")
    states: dict[str, str] = Field(default_factory=dict, description="agency name → two-letter state, where "
                                                                      "the name gives none or the wrong one")


class ReaderProfile(_Section):
    """``[[profiles]]``: a reader profile of the scenario's own (see :mod:`sim.profiles`)."""

    name: str
    read_rate: Rate | None = None
    misread_rate: Rate | None = None
    direction: Literal["forward", "backward", "both"] | None = None
    road_classes: list[str] | None = None
    site: Literal["edge", "intersection"] | None = None
    min_spacing_m: float | None = Field(None, ge=0)
    lanes_read: int | None = Field(None, ge=1)
    read_rate_by_speed: list[tuple[float, float]] | None = None
    vendor: str | None = None
    read_parked: bool | None = None
    parked_read_rate: Rate | None = None
    driving_share: float | None = Field(None, gt=0, le=1)
    hot_spots: int | None = Field(None, ge=0)
    hot_spot_share: Rate | None = None
    speed_factor: float | None = Field(None, gt=0, le=1)
    shift_hours: float | None = Field(None, gt=0, le=24)
