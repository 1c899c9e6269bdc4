"""Seeded synthetic road networks for teaching and for policy questions.

- :func:`grid_network`: a grid city, fast arterials and slower local streets.
- :func:`radial_network`: ring roads and radial arterials, dense centre.
- :func:`river_network`: two banks joined by a few bridges (chokepoints).
- :func:`city_line_network`: two jurisdictions joined by K crossing roads.
- :func:`corridor_network`: a chain of towns joined by a highway.
- :func:`county_network`: towns with cul-de-sacs, a county arterial grid and
  a motorway layer with interchanges: a road hierarchy, so that a few roads
  carry most of the traffic.

All are osmnx-style graphs in a projected CRS (metres) turned into a
:class:`~sim.network.RoadNetwork`; every random choice comes from ``rng``.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from sim._errors import NetworkError
from sim.network import RoadNetwork, from_graph

#: Design speed (km/h) of each road class.
SPEEDS_KPH = {"motorway": 110.0, "motorway_link": 60.0, "primary": 50.0, "secondary": 40.0,
              "residential": 30.0}


class _Builder:
    """Adds nodes and streets to an osmnx-style graph, numbering ways."""

    def __init__(self, name: str) -> None:
        # plane metres with no CRS: a synthetic city has no place on Earth unless the scenario gives it
        # one (network.point, see sim.geo.place_on_earth)
        self.graph = nx.MultiDiGraph(crs=None, name=name)
        self.osmid = 0

    def node(self, node: int, x: float, y: float, jurisdiction: str) -> None:
        self.graph.add_node(node, x=x, y=y, jurisdiction=jurisdiction)

    def street(self, a: int, b: int, highway: str, *, one_way: bool | None = None,
               jurisdiction: str | None = None) -> None:
        """A road a–b: two-way when ``one_way`` is None, else one-way a→b (True) or b→a (False)."""
        g = self.graph
        length = float(np.hypot(g.nodes[b]["x"] - g.nodes[a]["x"], g.nodes[b]["y"] - g.nodes[a]["y"]))
        speed = SPEEDS_KPH[highway]
        attrs = dict(osmid=self.osmid, highway=highway, length=length, speed_kph=speed,
                     travel_time=length / (speed / 3.6),
                     jurisdiction=jurisdiction or g.nodes[a]["jurisdiction"], oneway=one_way is not None)
        if one_way is None or one_way:
            g.add_edge(a, b, **attrs)
        if one_way is None or not one_way:
            g.add_edge(b, a, **attrs)
        self.osmid += 1

    def build(self, source: str) -> RoadNetwork:
        return from_graph(self.graph, source=source)


def _one_way_lines(n: int, arterial_every: int, share: float, rng: np.random.Generator) -> dict[int, bool]:
    """Pick local lines to make one-way; value True means 'towards increasing index'."""
    local = [i for i in range(n) if i % arterial_every != 0]
    count = int(round(share * len(local)))
    chosen = sorted(rng.choice(local, size=count, replace=False).tolist()) if local and count else []
    return {line: (j % 2 == 0) for j, line in enumerate(chosen)}


def _grid_block(
    b: _Builder, rows: int, cols: int, *, block_m: float, arterial_every: int, one_way_share: float,
    jitter_m: float, rng: np.random.Generator, first_node: int = 0, x0: float = 0.0, y0: float = 0.0,
    jurisdiction: str = "city",
) -> np.ndarray:
    """Add a grid of streets; return its node ids as a (rows, cols) array."""
    jitter = rng.uniform(-jitter_m, jitter_m, size=(rows, cols, 2))
    ids = first_node + np.arange(rows * cols).reshape(rows, cols)
    for r in range(rows):
        for c in range(cols):
            b.node(int(ids[r, c]), x0 + c * block_m + jitter[r, c, 0], y0 + r * block_m + jitter[r, c, 1],
                   jurisdiction)
    one_way_rows = _one_way_lines(rows, arterial_every, one_way_share, rng)
    one_way_cols = _one_way_lines(cols, arterial_every, one_way_share, rng)
    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols:
                arterial = r % arterial_every == 0
                b.street(int(ids[r, c]), int(ids[r, c + 1]), "primary" if arterial else "residential",
                         one_way=None if arterial else one_way_rows.get(r))
            if r + 1 < rows:
                arterial = c % arterial_every == 0
                b.street(int(ids[r, c]), int(ids[r + 1, c]), "primary" if arterial else "residential",
                         one_way=None if arterial else one_way_cols.get(c))
    return ids


def _check_size(**sizes: int) -> None:
    for name, value in sizes.items():
        if value < 2:
            raise NetworkError(f"network.{name} must be at least 2, got {value}")


def grid_network(
    rows: int = 20,
    cols: int = 20,
    *,
    block_m: float = 150.0,
    arterial_every: int = 5,
    one_way_share: float = 0.3,
    jitter_m: float = 15.0,
    rng: np.random.Generator,
) -> RoadNetwork:
    """A grid city: fast two-way arterials, slower local streets.

    Every ``arterial_every``-th row and column is an arterial (``primary``,
    50 km/h); the others are local streets (``residential``, 30 km/h), of
    which a share ``one_way_share`` are one-way in alternating directions.
    Intersections move by up to ``jitter_m`` metres so that route lengths
    differ and fastest paths are unique.

    Parameters
    ----------
    rows, cols : int
        Intersections along each axis (at least 2).
    block_m : float
        Distance between neighbouring intersections, metres.
    arterial_every : int
        Spacing of arterial rows/columns, in blocks.
    one_way_share : float
        Share of local rows/columns made one-way (0–1).
    jitter_m : float
        Largest random shift of an intersection, metres.
    rng : numpy.random.Generator

    Examples
    --------
    >>> grid_network(4, 5, rng=np.random.default_rng(1)).n_nodes
    20
    """
    _check_size(rows=rows, cols=cols)
    b = _Builder("grid")
    _grid_block(b, rows, cols, block_m=block_m, arterial_every=arterial_every, one_way_share=one_way_share,
                jitter_m=jitter_m, rng=rng)
    return b.build("grid generator")


def _split_grid(
    name: str, rows: int, cols: int, links: int, *, gap_m: float, sides: tuple[str, str], link_highway: str,
    block_m: float, arterial_every: int, one_way_share: float, jitter_m: float, rng: np.random.Generator,
) -> RoadNetwork:
    """Two grids side by side (west, east) joined by ``links`` evenly spaced roads."""
    _check_size(rows=rows, cols=cols)
    if not 1 <= links <= rows:
        raise NetworkError(f"network: the number of crossings must be between 1 and rows={rows}, got {links}")
    b = _Builder(name)
    west_cols = cols // 2
    common: dict[str, Any] = dict(block_m=block_m, arterial_every=arterial_every, one_way_share=one_way_share,
                  jitter_m=jitter_m, rng=rng)
    west = _grid_block(b, rows, west_cols, jurisdiction=sides[0], **common)
    east = _grid_block(b, rows, cols - west_cols, first_node=rows * west_cols,
                       x0=west_cols * block_m + gap_m, jurisdiction=sides[1], **common)
    for r in np.unique(np.linspace(0, rows - 1, links).round().astype(int)):
        b.street(int(west[r, -1]), int(east[r, 0]), link_highway, jurisdiction=f"{sides[0]}|{sides[1]}")
    return b.build(f"{name} generator")


def river_network(
    rows: int = 20, cols: int = 20, *, bridges: int = 3, river_m: float = 200.0, block_m: float = 150.0,
    arterial_every: int = 5, one_way_share: float = 0.3, jitter_m: float = 15.0, rng: np.random.Generator,
) -> RoadNetwork:
    """Two banks of a grid city joined by ``bridges`` bridges across a river.

    Every trip between banks must cross a bridge: cameras on the bridges see
    all of them (chokepoints).

    Examples
    --------
    >>> net = river_network(6, 6, bridges=2, rng=np.random.default_rng(0))
    >>> sum(1 for *_, d in net.graph.edges(data=True) if "|" in d["jurisdiction"])
    4
    """
    return _split_grid("river", rows, cols, bridges, gap_m=river_m, sides=("west-bank", "east-bank"),
                       link_highway="primary", block_m=block_m, arterial_every=arterial_every,
                       one_way_share=one_way_share, jitter_m=jitter_m, rng=rng)


def city_line_network(
    rows: int = 20, cols: int = 20, *, crossings: int = 5, jurisdictions: tuple[str, str] = ("county", "city"),
    block_m: float = 150.0, arterial_every: int = 5, one_way_share: float = 0.3, jitter_m: float = 15.0,
    west: str = "grid", county: dict[str, Any] | None = None, rng: np.random.Generator,
) -> RoadNetwork:
    """Two jurisdictions (west and east) joined by ``crossings`` roads across the city line.

    Every node and edge carries its ``jurisdiction``; crossing roads are
    tagged ``"west|east"``. With ``west = "grid"`` both sides are halves of
    one ``rows`` × ``cols`` grid. With ``west = "county"`` the west side is a
    county with a road hierarchy (:func:`county_network`, its keywords in
    ``county``) and the east side a ``rows`` × ``cols`` city grid beside it,
    centred on it north–south; each crossing joins a node of the city's west
    edge to the nearest node of the county.

    Examples
    --------
    >>> net = city_line_network(8, 8, crossings=4, west="county", rng=np.random.default_rng(0),
    ...                         county=dict(towns=2, size_km=6, town_rows=3, town_cols=3, arterial_km=1.5,
    ...                                     highway_km=3, dead_end_share=0.2, block_m=150))
    >>> sorted({d["jurisdiction"] for *_, d in net.graph.edges(data=True)})
    ['city', 'county', 'county|city']
    """
    if west == "grid":
        return _split_grid("city_line", rows, cols, crossings, gap_m=block_m, sides=jurisdictions,
                           link_highway="secondary", block_m=block_m, arterial_every=arterial_every,
                           one_way_share=one_way_share, jitter_m=jitter_m, rng=rng)
    if west != "county":
        raise NetworkError(f"network.west must be 'grid' or 'county', got {west!r}")
    _check_size(rows=rows, cols=cols)
    if not 1 <= crossings <= rows:
        raise NetworkError(f"network: the number of crossings must be between 1 and rows={rows}, got {crossings}")
    b = _Builder("city_line")
    options = dict(county or {})
    first = _county_block(b, rng=rng, jurisdiction=jurisdictions[0], **options)
    size_m = float(options.get("size_km", 24.0)) * 1000.0
    city = _grid_block(b, rows, cols, block_m=block_m, arterial_every=arterial_every, one_way_share=one_way_share,
                       jitter_m=jitter_m, rng=rng, first_node=first, x0=size_m + block_m,
                       y0=(size_m - (rows - 1) * block_m) / 2, jurisdiction=jurisdictions[1])
    county_nodes = np.array([n for n in range(first)])
    xy = np.array([_local_xy(b, int(n)) for n in county_nodes])
    for r in np.unique(np.linspace(0, rows - 1, crossings).round().astype(int)):
        x, y = _local_xy(b, int(city[r, 0]))
        nearest = int(county_nodes[np.argmin(np.hypot(xy[:, 0] - x, xy[:, 1] - y))])
        b.street(nearest, int(city[r, 0]), "secondary", jurisdiction=f"{jurisdictions[0]}|{jurisdictions[1]}")
    return b.build("city_line generator")


def radial_network(
    rings: int = 8, spokes: int = 12, *, ring_spacing_m: float = 250.0, arterial_every: int = 2,
    ring_road_every: int = 3, rng: np.random.Generator,
) -> RoadNetwork:
    """Ring roads and radial arterials around a dense centre.

    Rings are closer together near the centre (radius grows as
    ``ring_spacing_m * i**1.3``); every ``arterial_every``-th spoke is an
    arterial and every ``ring_road_every``-th ring a faster ring road.

    Examples
    --------
    >>> radial_network(3, 6, rng=np.random.default_rng(0)).n_nodes
    19
    """
    _check_size(rings=rings, spokes=spokes)
    b = _Builder("radial")
    b.node(0, 0.0, 0.0, "city")
    angle_jitter = rng.uniform(-0.08, 0.08, size=(rings, spokes))
    for i in range(1, rings + 1):
        radius = ring_spacing_m * i**1.3
        for j in range(spokes):
            angle = 2 * np.pi * j / spokes + angle_jitter[i - 1, j]
            b.node(i * spokes + j - spokes + 1, radius * np.cos(angle), radius * np.sin(angle), "city")

    def node(i: int, j: int) -> int:
        return 0 if i == 0 else (i - 1) * spokes + (j % spokes) + 1

    for j in range(spokes):
        highway = "primary" if j % arterial_every == 0 else "residential"
        b.street(0, node(1, j), highway)
        for i in range(1, rings):
            b.street(node(i, j), node(i + 1, j), highway)
    for i in range(1, rings + 1):
        highway = "secondary" if i % ring_road_every == 0 else "residential"
        for j in range(spokes):
            b.street(node(i, j), node(i, j + 1), highway)
    return b.build("radial generator")


def corridor_network(
    towns: int = 5, *, town_rows: int = 6, town_cols: int = 6, spacing_km: float = 100.0,
    block_m: float = 200.0, highway_node_km: float = 10.0, local_road: bool = True,
    rng: np.random.Generator,
) -> RoadNetwork:
    """A chain of towns (each a street grid with its own jurisdiction) joined by a highway.

    The highway (``motorway``, jurisdiction ``"state"``) runs west–east
    through every town with an interchange (``motorway_link``) at each
    town's centre and a node every ``highway_node_km``. With ``local_road``,
    a slower parallel road (``secondary``) joins neighbouring towns too.
    The full drive is ``(towns - 1) * spacing_km`` kilometres.

    Examples
    --------
    >>> net = corridor_network(3, town_rows=3, town_cols=3, spacing_km=20, rng=np.random.default_rng(0))
    >>> sorted({d["jurisdiction"] for _, d in net.graph.nodes(data=True)})
    ['state', 'town-1', 'town-2', 'town-3']
    """
    if towns < 2:
        raise NetworkError(f"network.towns must be at least 2, got {towns}")
    _check_size(town_rows=town_rows, town_cols=town_cols)
    b = _Builder("corridor")
    spacing_m = spacing_km * 1000.0
    grids = []
    for t in range(towns):
        x0 = t * spacing_m - (town_cols - 1) * block_m / 2
        y0 = 500.0
        grids.append(_grid_block(b, town_rows, town_cols, block_m=block_m, arterial_every=3, one_way_share=0.0,
                                 jitter_m=block_m * 0.05, rng=rng, first_node=t * town_rows * town_cols,
                                 x0=x0, y0=y0, jurisdiction=f"town-{t + 1}"))
    next_id = towns * town_rows * town_cols
    per_gap = max(1, int(round(spacing_km / highway_node_km)))
    previous = None
    for t in range(towns):
        for k in range(per_gap if t < towns - 1 else 1):
            b.node(next_id, t * spacing_m + k * spacing_m / per_gap, 0.0, "state")
            if previous is not None:
                b.street(previous, next_id, "motorway")
            if k == 0:
                centre = int(grids[t][0, town_cols // 2])
                b.street(next_id, centre, "motorway_link", jurisdiction="state")
            previous = next_id
            next_id += 1
    if local_road:
        for t in range(towns - 1):
            b.street(int(grids[t][-1, -1]), int(grids[t + 1][-1, 0]), "secondary", jurisdiction="county-road")
    return b.build("corridor generator")


def county_network(
    towns: int = 8, *, size_km: float = 24.0, town_rows: int = 8, town_cols: int = 8, block_m: float = 150.0,
    arterial_km: float = 2.0, highway_km: float = 8.0, dead_end_share: float = 0.2, rng: np.random.Generator,
) -> RoadNetwork:
    """A county: a road hierarchy from motorways down to cul-de-sacs.

    - *Motorways* (``motorway``, 110 km/h, jurisdiction ``"state"``) run
      north–south and west–east every ``highway_km``, with an interchange
      (``motorway_link``) wherever they meet an arterial.
    - *Arterials* (``primary``, 50 km/h, ``"county"``) form a grid every
      ``arterial_km`` over the ``size_km`` square.
    - *Towns* (``town-1`` …): ``towns`` street grids placed at random, with a
      collector (``secondary``) every third street, local streets
      (``residential``) and, on a ``dead_end_share`` of their intersections,
      a cul-de-sac; each town joins the nearest arterial node on each side.

    Examples
    --------
    >>> net = county_network(3, size_km=8, town_rows=4, town_cols=4, rng=np.random.default_rng(0))
    >>> sorted({d["highway"] for *_, d in net.graph.edges(data=True)})
    ['motorway', 'motorway_link', 'primary', 'residential', 'secondary']
    >>> sorted({d["jurisdiction"] for _, d in net.graph.nodes(data=True)})[:3]
    ['county', 'state', 'town-1']
    """
    b = _Builder("county")
    _county_block(b, towns=towns, size_km=size_km, town_rows=town_rows, town_cols=town_cols, block_m=block_m,
                  arterial_km=arterial_km, highway_km=highway_km, dead_end_share=dead_end_share, rng=rng)
    return b.build("county generator")


def _county_block(
    b: _Builder, *, towns: int, size_km: float, town_rows: int, town_cols: int, block_m: float, arterial_km: float,
    highway_km: float, dead_end_share: float, rng: np.random.Generator, first_node: int = 0,
    jurisdiction: str | None = None,
) -> int:
    """Add a county (see :func:`county_network`) with its south-west corner at the origin; return the next free
    node id. ``jurisdiction`` gives every road of the county that one name (else state, county, town-k)."""
    if towns < 1:
        raise NetworkError(f"network.towns must be at least 1, got {towns}")
    if not 0 < arterial_km <= highway_km <= size_km:
        raise NetworkError(f"network: need 0 < arterial_km ({arterial_km}) <= highway_km ({highway_km}) <= "
                           f"size_km ({size_km})")
    _check_size(town_rows=town_rows, town_cols=town_cols)
    size_m, step = size_km * 1000.0, arterial_km * 1000.0
    n = int(size_m // step) + 1
    arterial = first_node + np.arange(n * n).reshape(n, n)
    for r in range(n):
        for c in range(n):
            b.node(int(arterial[r, c]), c * step, r * step, jurisdiction or "county")
    for r in range(n):
        for c in range(n):
            if c + 1 < n:
                b.street(int(arterial[r, c]), int(arterial[r, c + 1]), "primary")
            if r + 1 < n:
                b.street(int(arterial[r, c]), int(arterial[r + 1, c]), "primary")
    next_id = first_node + n * n
    every = max(1, int(round(highway_km / arterial_km)))
    for horizontal in (True, False):
        for line in range(every // 2, n, every):
            previous = None
            for k in range(n):
                r, c = (line, k) if horizontal else (k, line)
                offset = 60.0  # the motorway runs beside the arterial, grade-separated
                x, y = c * step + (0 if horizontal else offset), r * step + (offset if horizontal else 0)
                b.node(next_id, x, y, jurisdiction or "state")
                if previous is not None:
                    b.street(previous, next_id, "motorway")
                b.street(next_id, int(arterial[r, c]), "motorway_link")
                previous, next_id = next_id, next_id + 1
    margin = max(town_rows, town_cols) * block_m
    for t in range(towns):
        x0, y0 = rng.uniform(step / 2, max(step / 2 + 1.0, size_m - margin - step / 2), size=2)
        name = jurisdiction or f"town-{t + 1}"
        grid = _grid_block(b, town_rows, town_cols, block_m=block_m, arterial_every=3, one_way_share=0.2,
                           jitter_m=block_m * 0.1, rng=rng, first_node=next_id, x0=x0, y0=y0, jurisdiction=name)
        next_id += town_rows * town_cols
        _collectors(b, grid)
        for node in rng.choice(grid.ravel(), size=int(round(dead_end_share * grid.size)), replace=False):
            x, y = _local_xy(b, int(node))
            angle = rng.uniform(0, 2 * np.pi)
            b.node(next_id, x + 0.6 * block_m * np.cos(angle), y + 0.6 * block_m * np.sin(angle), name)
            b.street(int(node), next_id, "residential")
            next_id += 1
        for edge_node in (grid[0, town_cols // 2], grid[-1, town_cols // 2], grid[town_rows // 2, 0],
                          grid[town_rows // 2, -1]):
            x, y = _local_xy(b, int(edge_node))
            r, c = min(int(round(y / step)), n - 1), min(int(round(x / step)), n - 1)
            b.street(int(edge_node), int(arterial[r, c]), "secondary", jurisdiction=name)
    return next_id


def _local_xy(b: _Builder, node: int) -> tuple[float, float]:
    """A node's position (the coordinates :meth:`_Builder.node` takes)."""
    return b.graph.nodes[node]["x"], b.graph.nodes[node]["y"]


def _collectors(b: _Builder, grid: np.ndarray) -> None:
    """Turn a town grid's arterial streets (every third) into collectors (``secondary``)."""
    town = set(grid.ravel().tolist())
    for u, v, data in b.graph.edges(data=True):
        if u in town and v in town and data["highway"] == "primary":
            data["highway"] = "secondary"
            data["speed_kph"] = SPEEDS_KPH["secondary"]
            data["travel_time"] = data["length"] / (SPEEDS_KPH["secondary"] / 3.6)


GENERATORS = {
    "grid": grid_network,
    "radial": radial_network,
    "river": river_network,
    "city_line": city_line_network,
    "corridor": corridor_network,
    "county": county_network,
}
