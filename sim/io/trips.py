"""A trips file (CSV): the demand of a run given as its trips, checked row by row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim._errors import DemandError
from sim._time import DAY_S
from sim.demand import TRIP_COLUMNS, make_plates
from sim.network import RoadNetwork
from sim._validate import columns_found, csv_row_names, lookup_nodes, refuse_comment_lines, require_file

#: The most days a trips file's departures may span (a year, and a leap day).
MAX_DAYS = 366


def read_trips_csv(path: str | Path, net: RoadNetwork, rng: np.random.Generator) -> pd.DataFrame:
    """Load trips from CSV ``trip_id,vehicle_id,origin,destination,depart_s``.

    Vehicles get plates from ``rng`` unless the file has a ``plate`` column.
    Every bad row is reported at once, named by the line of the file it is on (the header is line 1).
    """
    path = require_file(path, "trips file", DemandError)
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DemandError(f"{path}: not a readable CSV trips table ({exc})") from None
    required = [c for c in TRIP_COLUMNS if c != "plate"]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise DemandError(f"{path}: missing column(s) {', '.join(missing)}; required: {', '.join(required)}; "
                          f"{columns_found(table.columns)}")
    if table.empty:
        raise DemandError(f"{path}: the trips file has no trips")
    problems = []
    rows = csv_row_names(path, len(table))
    refuse_comment_lines(table, rows, required, str(path), DemandError)
    depart = pd.to_numeric(table["depart_s"], errors="coerce").to_numpy(float)
    bad_time = ~(depart >= 0) | ~np.isfinite(depart)
    if bad_time.any():
        problems.append(f"{rows.text(bad_time, table['depart_s'])}: depart_s must be a number of seconds >= 0")
    # (the run's days are those the departures span: a file of Unix times would make a run of 19,000 empty days)
    late = ~bad_time & (depart >= MAX_DAYS * DAY_S)
    if late.any():
        problems.append(f"{rows.text(late, table['depart_s'])}: depart_s is seconds after the scenario's start, "
                        f"and a trips file spans at most {MAX_DAYS} days ({MAX_DAYS * DAY_S:,.0f} s); these depart "
                        f"{int(depart[late].min() // DAY_S):,} or more days after it (Unix times? subtract the "
                        "start's)")
    ends = {}
    for column in ("origin", "destination"):
        ends[column] = index = lookup_nodes(net, table[column])
        if (index < 0).any():
            problems.append(f"{rows.text(index < 0, table[column])}: {column} is not a node of the network")
    loop = (ends["origin"] >= 0) & (ends["origin"] == ends["destination"])
    if loop.any():
        # a trip that starts where it ends has no route to recover; scoring it would halve a mean
        problems.append(f"{rows.text(loop)}: origin equals destination (a trip must go somewhere); "
                        "drop the row or give another destination")
    trip_id = pd.to_numeric(table["trip_id"], errors="coerce").to_numpy(float)
    # (a whole number past 64 bits, 1e300, would wrap when stored: another trip's id, or a negative one)
    bad_id = ~np.isfinite(trip_id) | (trip_id != np.round(trip_id)) | (np.abs(trip_id) >= 2.0**63)
    if bad_id.any():
        problems.append(f"{rows.text(bad_id, table['trip_id'])}: trip_id must be a whole number below 2**63")
    if table["vehicle_id"].isna().any():
        problems.append(f"{rows.text(table['vehicle_id'].isna().to_numpy())}: vehicle_id is empty")
    if table["trip_id"].duplicated().any():
        problems.append(f"{rows.text(table['trip_id'].duplicated().to_numpy(), table['trip_id'])}: "
                        "trip_id is repeated")
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
