"""Where surveillance concentrates: exposure by area, and how concentrated traffic is."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.arrays import code_type, distinct, new_runs, rows_of
from sim.intervals import difference_interval, share_with_interval, wilson
from sim.network import RoadNetwork, edge_jurisdiction
from sim.routing import Routes


#: The largest circle inside the box bounds the rings when its radius is at least this share of the distance to
#: the farthest node (:func:`area_labels`); else the rings reach the farthest node.
FAR_ENOUGH = 0.5


def area_labels(
    net: RoadNetwork,
    how: str,
    *,
    center: tuple[float, float] | None = None,
    ring_km: float | None = None,
    rings: int = 5,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The area of every node and every edge, and the area names in order (core first).

    ``how = "rings"``: rings of ``ring_km`` around ``center`` (projected
    metres; default the middle of the network's bounding box); without
    ``ring_km``, ``rings`` rings of equal width out to the bounding box's
    nearest side (the largest circle inside it), and the corners beyond it
    one more area, ``"beyond R km"`` (rings out to the farthest node made the
    outermost ring a square grid's four corners: 12 of 114 road-km, no
    camera, and a core − periphery gap that measured the geometry); where
    that circle reaches less than :data:`FAR_ENOUGH` of the way to the
    farthest node (a corridor, a centre near a side), out to the farthest
    node.
    An edge lies where its midpoint does. ``how = "jurisdiction"``: each
    edge's ``jurisdiction``; a node its first outgoing edge's that lies in one
    jurisdiction, else its first outgoing edge's (a road across the line,
    ``"west|east"``, is no one's home: river-city put 22 homes on its bridges).
    (Not the node's own attribute: polygons may relabel the roads after it.)

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(5, 5, rng=np.random.default_rng(0), jitter_m=0, block_m=100)
    >>> nodes, edges, names = area_labels(net, "rings", ring_km=0.1)
    >>> names[:2], int((nodes == names[0]).sum())
    (['0–0.1 km', '0.1–0.2 km'], 1)
    """
    if how == "jurisdiction":
        edge = edge_jurisdiction(net).astype(str)
        within = np.array(["|" not in e for e in edge], bool)
        first_out = pd.Series(edge).groupby(net.edge_u).first()
        first_within = pd.Series(edge[within]).groupby(net.edge_u[within]).first()
        node = (first_within.combine_first(first_out).reindex(np.arange(net.n_nodes)).fillna("")
                .to_numpy(dtype=object).astype(str))
        names = sorted(set(edge) | set(node))
        return node, edge, names
    if how != "rings":
        raise ValueError(f"areas must be 'rings' or 'jurisdiction', got {how!r}")
    cx, cy = center if center is not None else ((net.x.min() + net.x.max()) / 2, (net.y.min() + net.y.max()) / 2)
    node_d = np.hypot(net.x - cx, net.y - cy)
    edge_d = np.hypot((net.x[net.edge_u] + net.x[net.edge_v]) / 2 - cx,
                      (net.y[net.edge_u] + net.y[net.edge_v]) / 2 - cy)
    n_areas = rings
    if ring_km is None:
        farthest = max(float(node_d.max()), 1.0)
        inside = float(min(cx - net.x.min(), net.x.max() - cx, cy - net.y.min(), net.y.max() - cy))
        # the largest circle inside the box where it reaches at least half way to the farthest node (a square's
        # reaches 71 %); a corridor, or a centre near the box's side, has rings out to the farthest node (helper-41:
        # a centre 5 m inside the west side made rings of 1 m, and 120 of 121 nodes were "beyond")
        reach = inside if inside >= FAR_ENOUGH * farthest else farthest
        width = reach / rings * (1 + 1e-9)
        if max(node_d.max(), edge_d.max()) >= rings * width:
            n_areas = rings + 1  # the corners, beyond the largest circle inside the box
    else:
        width = ring_km * 1000.0
        rings = n_areas = max(1, int(np.ceil(max(node_d.max(), edge_d.max()) / width + 1e-12)))
    names = [f"{i * width / 1000:.3g}–{(i + 1) * width / 1000:.3g} km" for i in range(rings)]
    names += [f"beyond {rings * width / 1000:.3g} km"] * (n_areas - rings)
    index = lambda d: np.minimum((d // width).astype(int), n_areas - 1)  # noqa: E731
    labels = np.array(names, dtype=object)
    return labels[index(node_d)].astype(str), labels[index(edge_d)].astype(str), names


def exposure_by_area(
    net: RoadNetwork,
    node_area: np.ndarray,
    edge_area: np.ndarray,
    names: list[str],
    *,
    layout: pd.DataFrame,
    trips: pd.DataFrame,
    routes: Routes,
    reads: pd.DataFrame,
    trip_table: pd.DataFrame,
    n_days: int,
    unique: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per area: cameras and road, vehicles driving there and observed there; and per home area, its residents'.

    Columns: ``area, road_km, n_cameras, cameras_per_10_road_km,
    n_vehicles_driving, n_vehicles_observed, share_vehicles_observed`` (with
    ``_n`` and a Wilson ``_ci`` over vehicles) ``,
    reads_per_vehicle_driving`` (where traffic is: a vehicle is observed in
    an area when a camera there read it), then ``n_residents,
    resident_share_trips_read`` (``_n`` trips, ``_ci`` clustered by vehicle) ``,
    resident_reads_per_vehicle_per_day,
    resident_uniqueness`` (vehicles whose home — the origin of their first
    trip — is in the area; ``unique`` holds ``vehicle_id, unique`` for one
    k, see :func:`unique_vehicles`). Fixed cameras only count as cameras;
    every reader's reads count. When the run keeps a sample of the routes
    (``routes.kept``), the driving and observed columns count the sample's
    vehicles; the resident columns count every vehicle.
    """
    has_reverse = net.reverse_edge(np.arange(net.n_edges)) >= 0
    road_m = pd.Series(net.edge_length * np.where(has_reverse, 0.5, 1.0)).groupby(edge_area).sum()
    fixed = layout if "kind" not in layout.columns else layout[layout["kind"].fillna("fixed") != "mobile"]
    camera_edge = np.array([net.edge_id(u, v, k) for u, v, k in zip(fixed["u"], fixed["v"], fixed["key"])],
                           dtype=np.int64)
    cameras = pd.Series(edge_area[camera_edge]).value_counts()
    vehicle_of_trip = trips["vehicle_id"].to_numpy()
    # each road's area as a code into names (-1: none), as small integers: looked up for every read and edge driven
    area_code = pd.Index(names).get_indexer(edge_area).astype(code_type(len(names) + 1))
    # distinct (vehicle, area) pairs over every edge driven, as integers (a week of a county has 10⁷–10⁸ edges)
    code = area_code[routes.edges]
    driven = code >= 0
    pair = distinct(vehicle_of_trip[routes.trip_of_edge()[driven]].astype(np.int64) * len(names) + code[driven])
    driving = pd.Series(np.bincount(pair % len(names), minlength=len(names)), index=names)
    # the same pairs and counts over the reads (two integer columns of them, never a copy of the table)
    read_vehicle = reads["vehicle_id"].to_numpy(np.int64)
    read_code = area_code[reads["edge"].to_numpy(np.int64)]
    on_route = read_code >= 0
    if routes.kept is not None:  # driving is known for the route sample's vehicles: compare them with theirs
        on_route &= np.isin(read_vehicle, distinct(vehicle_of_trip[routes.kept]))
    seen_pair = distinct(read_vehicle[on_route] * len(names) + read_code[on_route])
    observed = pd.Series(np.bincount(seen_pair % len(names), minlength=len(names)), index=names)
    n_reads = pd.Series(np.bincount(read_code[on_route], minlength=len(names)), index=names)
    # each vehicle's first trip (by departure; the first row of a tie), without a sorted copy of the trips table
    by_vehicle = np.lexsort((trips["depart_s"].to_numpy(), vehicle_of_trip))
    first = trips.iloc[by_vehicle[new_runs(vehicle_of_trip[by_vehicle])]]
    del by_vehicle
    home_node = net.node_indices(first["origin"])
    home = pd.Series(node_area[home_node], index=first["vehicle_id"].to_numpy())
    residents = home.value_counts()
    # per home area: its residents' share of trips read, with its trips and an interval clustered by vehicle; each
    # trip's home area as a code into names (never a text per trip: a county week has millions of trips), and
    # each area's trips in their order
    trip_home = pd.Index(names).get_indexer(node_area)[home_node][rows_of(first["vehicle_id"].to_numpy(),
                                                                          vehicle_of_trip)]
    read_ge1 = trip_table["n_reads"].to_numpy() >= 1
    by_home = np.argsort(trip_home, kind="stable")
    cuts = np.searchsorted(trip_home[by_home], np.arange(len(names) + 1))
    resident_trips_read = {name: share_with_interval(read_ge1[rows], vehicle_of_trip[rows])
                           for name, rows in ((name, by_home[cuts[i]:cuts[i + 1]]) for i, name in enumerate(names))
                           if len(rows)}
    read_by, n_read = _counts(read_vehicle)  # (reads per vehicle, then per home)
    resident_reads = pd.Series(n_read).groupby(home.reindex(read_by).to_numpy()).sum()
    resident_unique = (pd.Series(unique["unique"].to_numpy()).groupby(home.reindex(unique["vehicle_id"]).to_numpy())
                       .mean() if unique is not None and len(unique) else pd.Series(dtype=float))
    rows = []
    for name in names:
        road_km = float(road_m.get(name, 0.0)) / 1000
        n_cam = int(cameras.get(name, 0))
        n_drive = int(driving.get(name, 0))
        n_obs = int(observed.get(name, 0))
        n_res = int(residents.get(name, 0))
        trips_read, n_trips_home, trips_read_ci = resident_trips_read.get(name, (np.nan, 0, None))
        rows.append({
            "area": name,
            "road_km": road_km,
            "n_cameras": n_cam,
            "cameras_per_10_road_km": 10 * n_cam / road_km if road_km else np.nan,
            "n_vehicles_driving": n_drive,
            "n_vehicles_observed": n_obs,
            "share_vehicles_observed": n_obs / n_drive if n_drive else np.nan,
            "share_vehicles_observed_n": n_drive,
            "share_vehicles_observed_ci": wilson(n_obs / n_drive, n_drive) if n_drive else None,
            "reads_per_vehicle_driving": int(n_reads.get(name, 0)) / n_drive if n_drive else np.nan,
            "n_residents": n_res,
            "resident_share_trips_read": np.nan if trips_read is None else float(trips_read),
            "resident_share_trips_read_n": n_trips_home,
            "resident_share_trips_read_ci": trips_read_ci,
            "resident_reads_per_vehicle_per_day": (int(resident_reads.get(name, 0)) / n_res / n_days
                                                   if n_res else np.nan),
            "resident_uniqueness": float(resident_unique.get(name, np.nan)),
        })
    return pd.DataFrame(rows)


def _counts(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(ids, return_counts=True)``, by counting where the ids are non-negative integers no larger than
    their number (vehicle ids: a county week's 12 M reads are then counted, not sorted).

    Examples
    --------
    >>> [a.tolist() for a in _counts(np.array([4, 1, 4, 0]))], [a.tolist() for a in _counts(np.array([9, -2, 9]))]
    ([[0, 1, 4], [1, 1, 2]], [[-2, 9], [1, 2]])
    """
    ids = np.asarray(ids)
    if not len(ids) or ids.dtype.kind not in "iu" or int(ids.min()) < 0 or int(ids.max()) > len(ids):
        return np.unique(ids, return_counts=True)
    counts = np.bincount(ids)
    present = np.flatnonzero(counts)
    return present.astype(ids.dtype), counts[present]


def area_summary(table: pd.DataFrame, how: str) -> dict[str, Any]:
    """``metrics.json`` form of :func:`exposure_by_area`, with the core − periphery gap for rings."""
    areas = {row["area"]: {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                           for k, v in row.items() if k != "area"} for row in table.to_dict("records")}
    out: dict[str, Any] = {"how": how, "areas": areas}
    rings = table[~table["area"].astype(str).str.startswith("beyond ")]  # (the corners are no ring)
    if how == "rings" and len(rings) >= 2:
        core, edge = rings.iloc[0], rings.iloc[-1]
        for key in ("share_vehicles_observed", "resident_share_trips_read"):
            gap = core[key] - edge[key]
            out[f"core_minus_periphery_{key}"] = float(gap) if np.isfinite(gap) else None
            out[f"core_minus_periphery_{key}_ci"] = (difference_interval(core[key], core[f"{key}_ci"], edge[key],
                                                                         edge[f"{key}_ci"])
                                                     if np.isfinite(gap) else None)
            if not np.isfinite(gap):  # (a null says why)
                whose = "vehicle drove" if key == "share_vehicles_observed" else "resident lives"
                empty = [name for name, row in (("core", core), ("last", edge)) if not np.isfinite(row[key])]
                out[f"core_minus_periphery_{key}_reason"] = (f"no {whose} in the {' or the '.join(empty)} ring "
                                                             f"({core['area']}, {edge['area']})")
    return out


def volume_concentration(volume: np.ndarray, length_m: np.ndarray, *, top: float = 0.1) -> dict[str, float]:
    """How concentrated traffic is on a network's links.

    ``share_vkm_top``: the share of vehicle-km driven on the busiest ``top``
    share of links (ranked by volume; at least one link). ``gini``: the Gini
    coefficient of the link volumes (0: every link carries the same traffic;
    near 1: a few links carry it all). Real networks, with motorways and
    arterials, are far more concentrated than a uniform grid.

    Examples
    --------
    >>> c = volume_concentration(np.array([10.0, 0.0, 0.0, 0.0]), np.ones(4), top=0.25)
    >>> c["share_vkm_top"], c["gini"]
    (1.0, 0.75)
    >>> volume_concentration(np.ones(4), np.ones(4), top=0.25)["gini"]
    0.0
    """
    volume, length_m = np.asarray(volume, float), np.asarray(length_m, float)
    order = np.argsort(-volume, kind="stable")
    n_top = max(1, int(round(top * len(volume))))
    vkm = volume * length_m
    ranked = np.sort(volume)
    n = len(ranked)
    # Gini as the mean absolute difference over twice the mean: sum_i (2i - n - 1) x_(i) / (n sum x)
    gini = float(((2 * np.arange(1, n + 1) - n - 1) * ranked).sum() / (n * ranked.sum())) if ranked.sum() else 0.0
    return {"share_vkm_top": float(vkm[order[:n_top]].sum() / vkm.sum()) if vkm.sum() else 0.0, "gini": gini}
