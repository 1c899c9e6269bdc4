"""Travel demand: who drives from where to where, and when.

Every model returns a trips table with columns
``trip_id, vehicle_id, plate, origin, destination, depart_s`` (origin and
destination are node ids; ``depart_s`` is seconds after the scenario start),
sorted by vehicle and departure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim._errors import DemandError
from sim._validate import lookup_nodes, rows_text
from sim.network import RoadNetwork

DAY_S = 86_400.0
TRIP_COLUMNS = ("trip_id", "vehicle_id", "plate", "origin", "destination", "depart_s")
PLATE_LETTERS = np.array(list("ABCDEFGHJKLMNPRSTUVWXYZ"))
PLATE_DIGITS = np.array(list("0123456789"))

#: Time-of-day profile: share of outbound trips in the morning peak, its
#: mean and spread (hours), and likewise for return trips in the evening.
MORNING_PEAK = (0.7, 8.0, 1.2)
EVENING_PEAK = (0.7, 17.5, 1.5)
#: Shortest stay at a destination before driving back, seconds.
MIN_DWELL_S = 1_800.0


def make_plates(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct plates of the form ``ABC1234``.

    Examples
    --------
    >>> p = make_plates(3, np.random.default_rng(0))
    >>> len(set(p)), len(p[0])
    (3, 7)
    """
    plates: list[str] = []
    seen: set[str] = set()
    while len(plates) < n:
        need = n - len(plates)
        letters = rng.choice(PLATE_LETTERS, size=(need, 3))
        digits = rng.choice(PLATE_DIGITS, size=(need, 4))
        for row in np.concatenate([letters, digits], axis=1):
            plate = "".join(row)
            if plate not in seen:
                seen.add(plate)
                plates.append(plate)
    return np.array(plates[:n], dtype=object)


def _peak_times(n: int, peak: tuple[float, float, float], rng: np.random.Generator) -> np.ndarray:
    """Departure seconds within a day: a normal peak mixed with a flat base (6–22 h)."""
    share, mean_h, sd_h = peak
    in_peak = rng.random(n) < share
    hours = np.where(in_peak, rng.normal(mean_h, sd_h, n), rng.uniform(6.0, 22.0, n))
    return np.clip(hours, 0.0, 23.99) * 3600.0


def uniform_trips(net: RoadNetwork, trips: int, days: int, rng: np.random.Generator) -> pd.DataFrame:
    """Round trips between uniformly random nodes, ``trips`` a day.

    Each vehicle has a home node; every day it drives to a random other node
    around the morning peak and back around the evening peak (at least
    :data:`MIN_DWELL_S` later), so a day of ``trips`` trips has
    ``ceil(trips / 2)`` vehicles (with an odd count, the last one only
    drives out).

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, rng=np.random.default_rng(0))
    >>> t = uniform_trips(net, 5, 2, np.random.default_rng(1))
    >>> len(t), t["vehicle_id"].nunique()
    (10, 3)
    """
    if trips < 1 or days < 1:
        raise DemandError(f"demand needs trips >= 1 and days >= 1, got trips={trips}, days={days}")
    if net.n_nodes < 2:
        raise DemandError("demand needs a network with at least two nodes")
    n_vehicles = (trips + 1) // 2
    plates = make_plates(n_vehicles, rng)
    home = rng.integers(0, net.n_nodes, n_vehicles)
    parts = []
    for day in range(days):
        away = (home + rng.integers(1, net.n_nodes, n_vehicles)) % net.n_nodes
        out_t = _peak_times(n_vehicles, MORNING_PEAK, rng)
        back_t = _peak_times(n_vehicles, EVENING_PEAK, rng)
        # A car cannot come back before it got there and stayed a while.
        back_t = np.maximum(back_t, out_t + MIN_DWELL_S + rng.uniform(0, 3 * 3600, n_vehicles))
        vehicles = np.arange(n_vehicles)
        outbound = pd.DataFrame({"vehicle_id": vehicles, "o": home, "d": away, "depart_s": day * DAY_S + out_t})
        n_back = trips // 2
        inbound = pd.DataFrame(
            {"vehicle_id": vehicles[:n_back], "o": away[:n_back], "d": home[:n_back],
             "depart_s": day * DAY_S + back_t[:n_back]}
        )
        parts += [outbound, inbound]
    table = pd.concat(parts, ignore_index=True)
    table = table.sort_values(["vehicle_id", "depart_s"], kind="stable", ignore_index=True)
    return pd.DataFrame(
        {
            "trip_id": np.arange(len(table), dtype=np.int64),
            "vehicle_id": table["vehicle_id"].to_numpy(np.int64),
            "plate": plates[table["vehicle_id"].to_numpy()],
            "origin": net.nodes[table["o"].to_numpy()],
            "destination": net.nodes[table["d"].to_numpy()],
            "depart_s": table["depart_s"].to_numpy(float),
        }
    )


def tntp_trips(
    net: RoadNetwork, od: pd.DataFrame, trips: int, days: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Individual trips sampled from an OD matrix (``origin, destination, flow``).

    Each day draws ``trips`` trips from a multinomial over the OD cells with
    probabilities proportional to ``flow`` (so expected counts are
    ``trips * flow / total``); departures follow the morning/evening peak
    profile; every trip is its own vehicle. Zone ids must be node ids.

    Examples
    --------
    >>> from sim.generators import grid_network
    >>> net = grid_network(3, 3, rng=np.random.default_rng(0))
    >>> od = pd.DataFrame({"origin": [0, 1], "destination": [8, 7], "flow": [300.0, 100.0]})
    >>> t = tntp_trips(net, od, 1000, 1, np.random.default_rng(0))
    >>> 700 < int((t["origin"] == 0).sum()) < 800
    True
    """
    if trips < 1 or days < 1:
        raise DemandError(f"demand needs trips >= 1 and days >= 1, got trips={trips}, days={days}")
    od = od[od["origin"] != od["destination"]]
    origin = net.node_indices(od["origin"])
    destination = net.node_indices(od["destination"])
    unknown = (origin < 0) | (destination < 0)
    if unknown.any():
        bad = od[unknown].iloc[0]
        raise DemandError(
            f"OD matrix names zone(s) not in the network (e.g. {int(bad['origin'])} → {int(bad['destination'])})"
        )
    flow = od["flow"].to_numpy(float)
    if not flow.sum() > 0:
        raise DemandError("the OD matrix has no positive flow")
    parts = []
    for day in range(days):
        counts = rng.multinomial(trips, flow / flow.sum())
        cells = np.repeat(np.arange(len(flow)), counts)
        evening = rng.random(len(cells)) < 0.5
        depart = np.where(evening, _peak_times(len(cells), EVENING_PEAK, rng), _peak_times(len(cells), MORNING_PEAK, rng))
        parts.append(pd.DataFrame({"o": origin[cells], "d": destination[cells], "depart_s": day * DAY_S + depart}))
    table = pd.concat(parts, ignore_index=True).sort_values("depart_s", kind="stable", ignore_index=True)
    n = len(table)
    return pd.DataFrame({
        "trip_id": np.arange(n, dtype=np.int64),
        "vehicle_id": np.arange(n, dtype=np.int64),
        "plate": make_plates(n, rng),
        "origin": net.nodes[table["o"].to_numpy()],
        "destination": net.nodes[table["d"].to_numpy()],
        "depart_s": table["depart_s"].to_numpy(float),
    })


def read_trips_csv(path: str | Path, net: RoadNetwork, rng: np.random.Generator) -> pd.DataFrame:
    """Load trips from CSV ``trip_id,vehicle_id,origin,destination,depart_s``.

    Vehicles get plates from ``rng`` unless the file has a ``plate`` column.
    Every bad row is reported at once (1-based data rows).
    """
    path = Path(path)
    if not path.is_file():
        raise DemandError(f"{path}: trips file not found")
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DemandError(f"{path}: not a readable CSV trips table ({exc})") from None
    required = [c for c in TRIP_COLUMNS if c != "plate"]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise DemandError(f"{path}: missing column(s) {', '.join(missing)}; required: {', '.join(required)}")
    if table.empty:
        raise DemandError(f"{path}: the trips file has no trips")
    problems = []
    depart = pd.to_numeric(table["depart_s"], errors="coerce").to_numpy(float)
    bad_time = ~(depart >= 0)
    if bad_time.any():
        problems.append(f"rows {rows_text(bad_time)}: depart_s must be a number of seconds >= 0")
    for column in ("origin", "destination"):
        index = lookup_nodes(net, table[column])
        if (index < 0).any():
            problems.append(f"rows {rows_text(index < 0)}: {column} is not a node of the network")
    trip_id = pd.to_numeric(table["trip_id"], errors="coerce").to_numpy(float)
    bad_id = ~np.isfinite(trip_id) | (trip_id != np.round(trip_id))
    if bad_id.any():
        problems.append(f"rows {rows_text(bad_id)}: trip_id must be a whole number")
    if table["vehicle_id"].isna().any():
        problems.append(f"rows {rows_text(table['vehicle_id'].isna().to_numpy())}: vehicle_id is empty")
    if table["trip_id"].duplicated().any():
        problems.append(f"rows {rows_text(table['trip_id'].duplicated().to_numpy())}: trip_id is repeated")
    if problems:
        raise DemandError(f"{path}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    vehicles = pd.Index(table["vehicle_id"].unique())
    if "plate" in table.columns:
        plates = table["plate"].astype(str).to_numpy(dtype=object)
    else:
        plates = make_plates(len(vehicles), rng)[vehicles.get_indexer(table["vehicle_id"])]
    out = pd.DataFrame(
        {
            "trip_id": table["trip_id"].to_numpy(np.int64),
            "vehicle_id": vehicles.get_indexer(table["vehicle_id"]).astype(np.int64),
            "plate": plates,
            "origin": net.nodes[lookup_nodes(net, table["origin"])],
            "destination": net.nodes[lookup_nodes(net, table["destination"])],
            "depart_s": depart,
        }
    )
    return out.sort_values(["vehicle_id", "depart_s"], kind="stable", ignore_index=True)
