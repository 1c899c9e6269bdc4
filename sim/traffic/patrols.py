"""Mobile readers: patrol cars driving beats, and the vehicles they meet.

A car's shifts are written once, as a behaviour that yields how long to wait
(:data:`sim.traffic.engines.Behaviour`). ``engine="simpy"`` (the reference)
runs every car as a SimPy process; ``engine="compiled"`` runs the same
behaviour car after car in a plain loop with its own clock, the way SimPy
would, and logs the same edges bit for bit: cars never interact and each has
its own random stream.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from sim.arrays import new_runs
from sim._time import DAY_S
from sim.network import RoadNetwork
from sim.routing import Routes, fastest_routes
from sim.traffic.engines import Behaviour, check_engine, run_processes

#: Legs (trips between beat nodes) routed at once for a patrol car.
PATROL_LEGS = 32


def patrol_beats(
    net: RoadNetwork, n_beats: int, rng: np.random.Generator, *, nodes: np.ndarray | None = None
) -> list[np.ndarray]:
    """Split ``nodes`` (default: all) into ``n_beats`` compact beats (k-means on coordinates).

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(6, 6, rng=np.random.default_rng(0))
    >>> beats = patrol_beats(net, 3, np.random.default_rng(1))
    >>> len(beats), sum(len(b) for b in beats) == net.n_nodes
    (3, True)
    """
    from scipy.cluster.vq import kmeans2

    nodes = np.arange(net.n_nodes) if nodes is None else np.asarray(nodes)
    if not 1 <= n_beats <= len(nodes):
        raise ValueError(f"cannot split {len(nodes)} intersections into {n_beats} beats")
    if n_beats == 1:
        return [nodes]
    points = np.column_stack([net.x[nodes], net.y[nodes]]).astype(float)
    _, label = kmeans2(points - points.mean(axis=0), n_beats, minit="++", seed=rng)
    beats = [nodes[label == b] for b in range(n_beats)]
    return [b for b in beats if len(b)]


def drive_patrols(
    net: RoadNetwork,
    beats: list[np.ndarray],
    car_beat: np.ndarray,
    *,
    days: int,
    shift_start_s: float,
    shift_s: float,
    speed_factor: float,
    rng: np.random.Generator,
    driving_share: float = 1.0,
    hot_spots: int = 0,
    hot_spot_share: float = 0.0,
    engine: str = "simpy",
) -> pd.DataFrame:
    """Patrol cars, one process per car: each shift, drive between random intersections of the car's beat.

    Every day each car starts its shift at a random intersection of its beat
    and drives the fastest route to another one, and on, until the shift
    ends (the edge under way is finished). It drives at ``speed_factor``
    times the free-flow speed (patrols cruise), so traffic overtakes it.
    With ``driving_share`` below 1 it stands after each leg (at a call,
    parked) for an exponential time whose mean is the leg's driving time
    times ``(1 - driving_share) / driving_share``, so that over a shift it
    drives about that share of the time; standing, it reads nothing. With
    ``hot_spots`` and ``hot_spot_share``, each car keeps that many places of
    its beat (drawn once, at random: the model has no crime map) and ends
    that share of its legs at one of them, so it comes back to the same
    places and drives the same corridors between them every shift. Each
    car has its own random stream: the draws do not depend on the order of
    events.

    Parameters
    ----------
    beats : list of numpy.ndarray
        Node indices of each beat (:func:`patrol_beats`).
    car_beat : numpy.ndarray
        The beat of each car.
    days : int
        Shifts per car, one a day.
    shift_start_s, shift_s : float
        Start of the shift in the day, and its length (seconds).
    engine : {"simpy", "compiled"}
        ``simpy``: every car a SimPy process (the reference); ``compiled``:
        the same behaviour in a plain loop per car. Same log, bit for bit.

    Returns
    -------
    pandas.DataFrame
        ``car, edge, t_in, t_out``, one row per edge driven, sorted by car and time.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(6, 6, rng=np.random.default_rng(0))
    >>> beats = patrol_beats(net, 2, np.random.default_rng(1))
    >>> def log(engine):
    ...     return drive_patrols(net, beats, np.array([0, 1]), days=2, shift_start_s=8 * 3600, shift_s=3600,
    ...                          speed_factor=0.8, driving_share=0.5, rng=np.random.default_rng(2), engine=engine)
    >>> a = log("simpy")
    >>> a.equals(log("compiled")), sorted(set(a["t_in"] // 86_400))
    (True, [0.0, 1.0])
    """
    check_engine(engine)
    streams = rng.spawn(len(car_beat))
    log: list[tuple[int, int, float, float]] = []
    edge_time = net.edge_time / speed_factor

    def car(c: int, now: float) -> Behaviour:
        beat, stream = beats[car_beat[c]], streams[c]
        spots = stream.choice(beat, size=min(hot_spots, len(beat)), replace=False) if hot_spots else beat[:0]
        for day in range(days):
            start = day * DAY_S + shift_start_s
            end = start + shift_s
            now = yield max(0.0, start - now)
            here = int(stream.choice(beat))
            while now < end:
                targets = stream.choice(beat, size=PATROL_LEGS)
                if len(spots) and hot_spot_share > 0:  # back to one of its places
                    again = stream.random(PATROL_LEGS) < hot_spot_share
                    targets[again] = stream.choice(spots, size=int(again.sum()))
                origins = np.concatenate([[here], targets[:-1]])
                legs = fastest_routes(net, origins, targets)
                for leg in range(PATROL_LEGS):
                    leg_start = now
                    for e in legs.route(leg):
                        if now >= end:
                            break
                        t_in = now
                        now = yield edge_time[e]
                        log.append((c, int(e), t_in, now))
                    here = int(targets[leg])
                    if now >= end:
                        break
                    if driving_share < 1:  # stand at a call or parked, reading nothing
                        stand = stream.exponential((now - leg_start) * (1 - driving_share) / driving_share)
                        now = yield min(stand, end - now)

    run_processes([partial(car, c) for c in range(len(car_beat))], engine)
    frame = pd.DataFrame(log, columns=["car", "edge", "t_in", "t_out"])
    return frame.sort_values(["car", "t_in"], ignore_index=True)


def edge_intervals(net: RoadNetwork, routes: Routes, depart_s: np.ndarray) -> pd.DataFrame:
    """When each trip is on each edge of its route: ``trip, edge, t_in, t_out`` (free-flow times)."""
    edges = routes.edges
    trip = routes.trip_of_edge()
    time = net.edge_time[edges]
    cumulative = np.cumsum(time)
    start_of_trip = np.concatenate([[0.0], cumulative])[routes.offsets[:-1]]
    t_in = np.asarray(depart_s, float)[trip] + (cumulative - time - start_of_trip[trip])
    return pd.DataFrame({"trip": trip, "edge": edges, "t_in": t_in, "t_out": t_in + time})


def patrol_encounters(
    net: RoadNetwork,
    patrol: pd.DataFrame,
    trips: pd.DataFrame,
    routes: Routes,
    *,
    car_camera: np.ndarray,
    parked: bool = True,
    horizon_s: float | None = None,
) -> pd.DataFrame:
    """Every vehicle a patrol car passes: oncoming or overtaking on the same road, or parked along it.

    A moving vehicle is met when the patrol car and it are at the same point
    of the same road at the same time: on the same edge (one overtakes the
    other) or on its reverse (oncoming). Positions are linear in time on
    each edge (free-flow driving), so they meet when the difference of their
    positions changes sign while both are on the road. A parked vehicle
    stands at the end of the last edge of a trip until the vehicle's next
    departure (or ``horizon_s``), and at the start of the first edge of its
    first trip before that trip; it is passed when the patrol car drives by
    that point. A trip that leaves the area (``trips.to_outside``) parks
    nothing inside it, nor does the start of a first trip that comes from
    outside (``from_outside``).

    Parameters
    ----------
    patrol : pandas.DataFrame
        From :func:`drive_patrols` (``car, edge, t_in, t_out``).
    trips : pandas.DataFrame
        Timed trips (``depart_s``, ``arrive_s``, ``vehicle_id``), sorted by
        vehicle and departure, as :func:`simulate` returns them.
    car_camera : numpy.ndarray
        Layout row of each car's reader.

    Returns
    -------
    pandas.DataFrame
        Passes as :func:`simulate` returns them (``trip, camera, edge,
        backward, time_s``) plus ``direction``: ``oncoming``, ``same_way``
        or ``parked``. ``trip`` is the trip row (for a parked vehicle: the
        trip that parked it, or its first trip); ``backward`` is True for
        oncoming vehicles.
    """
    on_road = edge_intervals(net, routes, trips["depart_s"].to_numpy(float))
    parts = [_moving_encounters(net, patrol, on_road)]
    if parked and len(trips):
        parts.append(_parked_encounters(net, patrol, trips, routes, horizon_s))
    found = pd.concat(parts, ignore_index=True)
    passes = pd.DataFrame({
        "trip": found["trip"].to_numpy(np.int64),
        "camera": np.asarray(car_camera)[found["car"].to_numpy(np.int64)],
        "edge": found["edge"].to_numpy(np.int64),
        "backward": found["direction"].to_numpy() == "oncoming",
        "time_s": found["time_s"].to_numpy(float),
        "direction": found["direction"].to_numpy(object),
    })
    return passes.sort_values(["time_s", "trip", "camera"], kind="stable", ignore_index=True)


def _candidates(keys: np.ndarray, edge: np.ndarray, lo: np.ndarray, hi: np.ndarray, span: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """(query row, interval row) pairs with interval edge == ``edge`` and ``lo < t_in < hi``."""
    start = np.searchsorted(keys, edge * span + lo, side="right")
    stop = np.searchsorted(keys, edge * span + hi, side="left")
    n = np.maximum(stop - start, 0)
    query = np.repeat(np.arange(len(edge)), n)
    row = np.repeat(start, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    return query, row


def _moving_encounters(net: RoadNetwork, patrol: pd.DataFrame, on_road: pd.DataFrame) -> pd.DataFrame:
    order = np.lexsort((on_road["t_in"].to_numpy(), on_road["edge"].to_numpy()))
    road = on_road.iloc[order].reset_index(drop=True)
    t_max = max(float(road["t_out"].max()) if len(road) else 0.0, float(patrol["t_out"].max()) if len(patrol) else 0.0)
    span = t_max + 2 * float(net.edge_time.max()) + 1.0
    keys = road["edge"].to_numpy(np.int64) * span + road["t_in"].to_numpy(float)
    p_edge = patrol["edge"].to_numpy(np.int64)
    a0, a1 = patrol["t_in"].to_numpy(float), patrol["t_out"].to_numpy(float)
    out = []
    for direction, target in (("same_way", p_edge), ("oncoming", net.reverse_edge(p_edge))):
        ok = np.flatnonzero(target >= 0)
        # a vehicle on the target edge overlapping [a0, a1]: t_in in (a0 - edge time, a1)
        query, row = _candidates(keys, target[ok], a0[ok] - net.edge_time[target[ok]], a1[ok], span)
        q = ok[query]
        b0, b1 = road["t_in"].to_numpy()[row], road["t_out"].to_numpy()[row]
        lo, hi = np.maximum(a0[q], b0), np.minimum(a1[q], b1)

        def gap(t: np.ndarray) -> np.ndarray:
            patrol_at = (t - a0[q]) / (a1[q] - a0[q])
            vehicle_at = (t - b0) / (b1 - b0)
            return np.asarray(patrol_at - (vehicle_at if direction == "same_way" else 1 - vehicle_at))

        f_lo, f_hi = gap(lo), gap(hi)
        meet = (f_lo * f_hi <= 0) & (hi > lo)
        denominator = np.where(f_lo != f_hi, f_lo - f_hi, 1.0)
        when = np.where(f_lo != f_hi, lo + (hi - lo) * f_lo / denominator, lo)
        out.append(pd.DataFrame({"car": patrol["car"].to_numpy()[q][meet], "trip": road["trip"].to_numpy()[row][meet],
                                 "edge": road["edge"].to_numpy()[row][meet], "time_s": when[meet],
                                 "direction": direction}))
    return pd.concat(out, ignore_index=True)


def _parked_encounters(
    net: RoadNetwork, patrol: pd.DataFrame, trips: pd.DataFrame, routes: Routes, horizon_s: float | None
) -> pd.DataFrame:
    vehicle = trips["vehicle_id"].to_numpy()
    n = len(trips)
    lengths = np.diff(routes.offsets)
    has_route = lengths > 0
    last_edge = np.where(has_route, routes.edges[np.maximum(routes.offsets[1:] - 1, 0)], -1)
    first_edge = np.where(has_route, routes.edges[np.minimum(routes.offsets[:-1], max(len(routes.edges) - 1, 0))], -1)
    same_next = np.concatenate([vehicle[1:] == vehicle[:-1], [False]])
    end = horizon_s if horizon_s is not None else float(patrol["t_out"].max() if len(patrol) else 0.0)
    next_depart = np.where(same_next, np.concatenate([trips["depart_s"].to_numpy(float)[1:], [end]]), end)
    first_of_vehicle = new_runs(vehicle)
    # spots: (trip row, edge, position along the edge 0..1, from, until)
    spots = pd.DataFrame({
        "trip": np.concatenate([np.arange(n), np.flatnonzero(first_of_vehicle)]),
        "edge": np.concatenate([last_edge, first_edge[first_of_vehicle]]),
        "at": np.concatenate([np.ones(n), np.zeros(int(first_of_vehicle.sum()))]),
        "since": np.concatenate([trips["arrive_s"].to_numpy(float), np.zeros(int(first_of_vehicle.sum()))]),
        "until": np.concatenate([next_depart, trips["depart_s"].to_numpy(float)[first_of_vehicle]]),
    })
    # a vehicle that drove out of the area (to a gateway) is parked beyond it, not at the gateway
    left = trips["to_outside"].to_numpy(bool) if "to_outside" in trips.columns else np.zeros(n, bool)
    came = trips["from_outside"].to_numpy(bool) if "from_outside" in trips.columns else np.zeros(n, bool)
    inside = np.concatenate([~left, ~came[first_of_vehicle]])
    spots = spots[(spots["edge"] >= 0) & (spots["until"] > spots["since"]) & inside]
    out = []
    for reverse in (False, True):
        edge = spots["edge"].to_numpy(np.int64)
        road = net.reverse_edge(edge) if reverse else edge
        keep = road >= 0
        frame = spots[keep].assign(road=road[keep])
        pairs = frame.merge(patrol, left_on="road", right_on="edge", suffixes=("", "_patrol"))
        at = pairs["at"].to_numpy() if not reverse else 1 - pairs["at"].to_numpy()
        when = pairs["t_in"].to_numpy() + at * (pairs["t_out"].to_numpy() - pairs["t_in"].to_numpy())
        seen = (when >= pairs["since"].to_numpy()) & (when < pairs["until"].to_numpy())
        out.append(pd.DataFrame({"car": pairs["car"].to_numpy()[seen], "trip": pairs["trip"].to_numpy()[seen],
                                 "edge": pairs["edge"].to_numpy()[seen], "time_s": when[seen],
                                 "direction": "parked"}))
    return pd.concat(out, ignore_index=True)
