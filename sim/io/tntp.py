"""Readers for the Transportation Networks for Research (TNTP) format.

``*_net.tntp`` holds links (init_node, term_node, capacity, length,
free_flow_time, b, power, speed, toll, link_type), ``*_node.tntp`` node
coordinates and ``*_trips.tntp`` an origin–destination matrix. Units differ
between networks (read each network's README); they are given to the reader.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from sim._errors import NetworkError
from sim._validate import require_file

LENGTH_UNITS_M = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048}
TIME_UNITS_S = {"s": 1.0, "min": 60.0, "h": 3600.0}
LINK_COLUMNS = ("init_node", "term_node", "capacity", "length", "free_flow_time", "b", "power", "speed",
                "toll", "link_type")
_META = re.compile(r"^\s*<([^>]+)>\s*(.*?)\s*$")


def _read_text(path: Path, what: str) -> str:
    require_file(path, f"TNTP {what} file", NetworkError)
    try:
        return path.read_text(encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise NetworkError(f"{path}: not a text file; expected a TNTP {what} file") from None


def _split_metadata(text: str, path: Path) -> tuple[dict[str, str], list[str]]:
    """Metadata ``<KEY> value`` lines and the data lines after ``<END OF METADATA>``."""
    meta: dict[str, str] = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = _META.match(line)
        if not match:
            if line.strip():
                break
            continue
        key = match.group(1).strip().upper()
        if key == "END OF METADATA":
            return meta, lines[i + 1 :]
        meta[key] = match.group(2)
    raise NetworkError(
        f"{path}: no '<END OF METADATA>' line; a TNTP file starts with <KEY> value lines ending with it"
    )


def read_tntp_links(path: str | Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Links of a ``*_net.tntp`` file as a table (``LINK_COLUMNS``), and its metadata."""
    path = Path(path)
    meta, body = _split_metadata(_read_text(path, "network"), path)
    rows = []
    for number, line in enumerate(body, start=len(meta) + 2):
        stripped = line.strip()
        if not stripped or stripped.startswith("~"):
            continue
        fields = stripped.rstrip(";").split()
        if len(fields) < len(LINK_COLUMNS):
            raise NetworkError(
                f"{path}: line {number} has {len(fields)} fields, expected {len(LINK_COLUMNS)} "
                f"({', '.join(LINK_COLUMNS)})"
            )
        try:
            rows.append([float(x) for x in fields[: len(LINK_COLUMNS)]])
        except ValueError:
            raise NetworkError(f"{path}: line {number} has a field that is not a number: {stripped!r}") from None
    links = pd.DataFrame(rows, columns=list(LINK_COLUMNS))
    expected = meta.get("NUMBER OF LINKS")
    if expected is not None and expected.strip().isdigit() and int(expected) != len(links):
        raise NetworkError(f"{path}: header says {expected} links but the file has {len(links)}")
    if links.empty:
        raise NetworkError(f"{path}: the TNTP network has no links")
    for column in ("init_node", "term_node"):
        links[column] = links[column].astype(np.int64)
    return links, meta


def read_tntp_nodes(path: str | Path) -> pd.DataFrame:
    """Node coordinates (``node, x, y``) from ``*_node.tntp`` or a GeoJSON of points with an ``id``."""
    path = Path(path)
    text = _read_text(path, "node")
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            features = json.loads(text)["features"]
            rows = [(int(f["properties"]["id"]), *map(float, f["geometry"]["coordinates"][:2])) for f in features]
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise NetworkError(f"{path}: not a GeoJSON of points with an 'id' property ({exc})") from None
        return pd.DataFrame(rows, columns=["node", "x", "y"])
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.strip().rstrip(";").split()
        if not fields or not fields[0].lstrip("-").isdigit():
            continue  # the header line
        try:
            rows.append((int(fields[0]), float(fields[1]), float(fields[2])))
        except (IndexError, ValueError):
            raise NetworkError(f"{path}: line {number} is not 'node x y': {line.strip()!r}") from None
    if not rows:
        raise NetworkError(f"{path}: no node coordinates found (expected lines 'node x y ;')")
    return pd.DataFrame(rows, columns=["node", "x", "y"])


def tntp_graph(
    net_path: str | Path,
    *,
    node_path: str | Path | None = None,
    length_unit: str = "mi",
    time_unit: str = "min",
    node_crs: str | None = "EPSG:4326",
) -> nx.MultiDiGraph:
    """A TNTP network as an osmnx-style graph (lengths in metres, times in seconds).

    Capacities and the BPR parameters ``b`` and ``power`` are kept as edge
    attributes ``capacity``, ``bpr_b`` and ``bpr_power``; zone nodes (ids
    below ``<FIRST THRU NODE>``) are marked ``zone=True``. Node coordinates
    come from ``node_path`` (default: the ``_node.tntp`` beside the network)
    in ``node_crs`` (``None``: already metres in a local frame).

    Examples
    --------
    >>> from sim.data import locate
    >>> found = locate("sioux-falls-net")   # the registry's copy, if it is at hand (no download)
    >>> g = tntp_graph(found[0]) if found else None
    >>> g is None or (g.number_of_nodes(), g.number_of_edges()) == (24, 76)
    True
    """
    net_path = Path(net_path)
    if length_unit not in LENGTH_UNITS_M or time_unit not in TIME_UNITS_S:
        raise NetworkError(
            f"{net_path}: length_unit must be one of {', '.join(LENGTH_UNITS_M)} and time_unit one of "
            f"{', '.join(TIME_UNITS_S)} (got {length_unit!r}, {time_unit!r})"
        )
    links, meta = read_tntp_links(net_path)
    if node_path is None:
        node_path = net_path.with_name(net_path.name.replace("_net.tntp", "_node.tntp"))
    nodes = read_tntp_nodes(node_path).drop_duplicates("node").set_index("node")
    unknown = sorted(set(links["init_node"]).union(links["term_node"]) - set(nodes.index))
    if unknown:
        raise NetworkError(
            f"{net_path}: link(s) use node(s) {unknown[:10]} that {node_path} does not list; "
            "check that the node file belongs to this network"
        )
    first_thru = int(meta.get("FIRST THRU NODE", "1").split()[0] or 1)
    g = nx.MultiDiGraph(crs=node_crs, name=net_path.stem)
    for node, row in nodes.iterrows():
        g.add_node(int(node), x=float(row["x"]), y=float(row["y"]), zone=bool(node < first_thru))
    length_m = links["length"].to_numpy() * LENGTH_UNITS_M[length_unit]
    time_s = links["free_flow_time"].to_numpy() * TIME_UNITS_S[time_unit]
    if (time_s < 0).any() or (length_m < 0).any():
        bad = int(np.flatnonzero((time_s < 0) | (length_m < 0))[0])
        raise NetworkError(f"{net_path}: link {bad + 1} has a negative length or free_flow_time")
    # Zone connectors often have zero time; their speed is left undefined.
    speed = np.divide(length_m * 3.6, time_s, out=np.full(len(time_s), np.nan), where=time_s > 0)
    for i, link in enumerate(links.itertuples(index=False)):
        g.add_edge(
            int(link.init_node), int(link.term_node), osmid=i + 1, highway="tntp",
            length=float(length_m[i]), travel_time=float(time_s[i]),
            speed_kph=float(speed[i]), capacity=float(link.capacity),
            bpr_b=float(link.b), bpr_power=float(link.power), toll=float(link.toll),
            link_type=int(link.link_type),
        )
    return g


def read_tntp_trips(path: str | Path) -> pd.DataFrame:
    """The OD matrix of a ``*_trips.tntp`` file as ``origin, destination, flow`` (flow > 0)."""
    path = Path(path)
    meta, body = _split_metadata(_read_text(path, "trips"), path)
    rows = []
    origin = None
    for number, line in enumerate(body, start=len(meta) + 2):
        stripped = line.strip()
        if not stripped or stripped.startswith("~"):
            continue
        if stripped.lower().startswith("origin"):
            try:
                origin = int(stripped.split()[1])
            except (IndexError, ValueError):
                raise NetworkError(f"{path}: line {number}: expected 'Origin N', got {stripped!r}") from None
            continue
        if origin is None:
            raise NetworkError(f"{path}: line {number}: OD entries before any 'Origin' line")
        for entry in stripped.split(";"):
            if not entry.strip():
                continue
            try:
                dest, flow = entry.split(":")
                rows.append((origin, int(dest), float(flow)))
            except ValueError:
                raise NetworkError(f"{path}: line {number}: {entry.strip()!r} is not 'destination : flow'") from None
    table = pd.DataFrame(rows, columns=["origin", "destination", "flow"])
    return table[table["flow"] > 0].reset_index(drop=True)


def read_tntp_flows(path: str | Path) -> pd.DataFrame:
    """Best-known link flows (``from, to, volume, cost``) of a ``*_flow.tntp`` file."""
    path = Path(path)
    text = _read_text(path, "flow")
    rows = []
    for line in text.splitlines()[1:]:
        fields = line.strip().rstrip(";").split()
        if len(fields) >= 4:
            rows.append((int(fields[0]), int(fields[1]), float(fields[2]), float(fields[3])))
    return pd.DataFrame(rows, columns=["from", "to", "volume", "cost"])
