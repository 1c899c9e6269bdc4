"""Ready questions about a run's reads, answered by DuckDB over ``reads.parquet``.

Open the files yourself the same way::

    import duckdb
    duckdb.sql("SELECT camera_id, count(*) FROM 'out/teaching-grid/reads.parquet' GROUP BY 1")

or with pandas: ``pandas.read_parquet("out/teaching-grid/reads.parquet")``.
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim._time import DAY_S
from sim.answers import number_text
from sim._errors import CurtainError


def _reads(run_dir: Path) -> str:
    path = Path(run_dir) / "reads.parquet"
    if not path.is_file():
        raise CurtainError(f"{run_dir}: no reads.parquet here; give the output folder of `curtain run`")
    return str(path).replace("'", "''")


def plate_summary(run_dir: str | Path, top: int = 5) -> tuple[int, list[str]]:
    """How many distinct plates a run's reads hold, and the ``top`` most read (to suggest when a plate is absent)."""
    import duckdb

    source = _reads(Path(run_dir))
    n = duckdb.execute(f"SELECT count(DISTINCT plate_read) FROM '{source}'").fetchall()
    most = duckdb.execute(f"SELECT plate_read FROM '{source}' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {int(top)}")
    return int(n[0][0]), [row[0] for row in most.fetchall()]


def plate_history(run_dir: str | Path, plate: str) -> pd.DataFrame:
    """Every read of ``plate`` (as read), in time order, with the camera's operator."""
    import duckdb

    run_dir = Path(run_dir)
    cameras = str(run_dir / "cameras.csv").replace("'", "''")
    return duckdb.sql(
        f"SELECT r.timestamp, r.camera_id, c.operator, r.direction, r.plate_read "
        f"FROM '{_reads(run_dir)}' r JOIN read_csv_auto('{cameras}') c USING (camera_id) "
        "WHERE r.plate_read = $plate ORDER BY r.time_s",
        params={"plate": plate},
    ).df()  # type: ignore[union-attr]  # a SELECT always gives a relation


#: How :func:`reads_per_camera_per_day` marks a row that is not a fixed camera's day of the run.
AFTER_RUN = "after the run"
PATROL_CAR = "patrol car"


def reads_per_camera_per_day(run_dir: str | Path) -> pd.DataFrame:
    """Reads per camera and simulated day: ``camera_id, day, reads, note``.

    A simulated day is 24 hours from the run's ``start`` on (``day`` is the date it begins, with its hour when the
    run does not start at midnight: helper-41 found a noon start split each day into two calendar dates).

    Every fixed camera has a row for every simulated day, 0 when it read nothing, so that the mean of those rows is
    the run's ``reads_per_camera_per_day`` but for the reads made after the last simulated day ended (trips begun
    before its midnight): these are rows of their own, noted :data:`AFTER_RUN`, counted by metrics.json in
    the run's days (see :func:`camera_day_mean`). A patrol car's rows are noted :data:`PATROL_CAR` (metrics.json
    counts them in ``reads_per_patrol_car_per_day``).
    """
    import duckdb

    run_dir = Path(run_dir)
    source = _reads(run_dir)
    start, n_days = _run_days(run_dir)
    counted = duckdb.execute(
        f"SELECT camera_id, CAST(floor(epoch(timestamp - $start) / 86400) AS BIGINT) AS d, count(*) AS reads "
        f"FROM '{source}' GROUP BY ALL", {"start": start.to_pydatetime()}).df()
    label = "%Y-%m-%d" if start == start.normalize() else "%Y-%m-%d %H:%M"
    day = counted.pop("d").to_numpy(np.int64)
    counted["day"] = (start + pd.to_timedelta(day, unit="D")).strftime(label)
    counted["after_run"] = day >= n_days  # (a day past the run's last)
    cameras = _fixed_cameras(run_dir)
    days = pd.date_range(start, periods=n_days, freq="D").strftime(label)
    every = pd.MultiIndex.from_product([cameras, days, [False]], names=["camera_id", "day", "after_run"])
    table = (counted.set_index(["camera_id", "day", "after_run"])["reads"]
             .reindex(every.union(pd.MultiIndex.from_frame(counted[["camera_id", "day", "after_run"]])),
                      fill_value=0).astype(np.int64).reset_index())
    patrol = ~table["camera_id"].isin(set(cameras))
    table["note"] = np.where(table["after_run"], AFTER_RUN, "")
    table.loc[patrol, "note"] = [f"{PATROL_CAR}, {note}" if note else PATROL_CAR for note in table.loc[patrol, "note"]]
    return (table.sort_values(["camera_id", "day", "after_run"], kind="stable")
            [["camera_id", "day", "reads", "note"]].reset_index(drop=True))


def camera_day_mean(table: pd.DataFrame, run_dir: str | Path) -> dict[str, float | int]:
    """The run's reads per camera per day from :func:`reads_per_camera_per_day`'s ``table``: every read of a fixed
    camera (those after the run included) over its fixed cameras and simulated days, as metrics.json counts it.

    Returns ``mean, n_reads, n_reads_after_run, n_cameras, n_days``.
    """
    fixed = ~table["note"].str.startswith(PATROL_CAR)
    after = table["note"] == AFTER_RUN
    n_cameras, n_days = len(_fixed_cameras(Path(run_dir))), _run_days(Path(run_dir))[1]
    n_reads = int(table.loc[fixed, "reads"].sum())
    return {"mean": n_reads / (n_cameras * n_days) if n_cameras and n_days else float("nan"), "n_reads": n_reads,
            "n_reads_after_run": int(table.loc[after, "reads"].sum()), "n_cameras": n_cameras, "n_days": n_days}


def camera_day_sentence(mean: dict[str, float | int]) -> str:
    """:func:`camera_day_mean` in words, under the table of ``curtain query per-camera``.

    Examples
    --------
    >>> print(camera_day_sentence({"mean": 237.675, "n_reads": 9507, "n_reads_after_run": 32, "n_cameras": 40,
    ...                            "n_days": 1}))
    reads per camera per day: 238 (9,507 reads of the 40 fixed cameras over 1 simulated day), metrics.json's \
reads_per_camera_per_day; it counts the 32 reads made after the last simulated day ended (trips begun before it), \
the rows noted 'after the run'
    """
    days = f"{mean['n_days']:,} simulated day{'s' if mean['n_days'] != 1 else ''}"
    text = (f"reads per camera per day: {number_text(float(mean['mean']))} ({mean['n_reads']:,} reads of the "
            f"{mean['n_cameras']:,} fixed cameras over {days}), metrics.json's reads_per_camera_per_day")
    if mean["n_reads_after_run"]:
        text += (f"; it counts the {mean['n_reads_after_run']:,} reads made after the last simulated day ended (trips "
                 f"begun before it), the rows noted '{AFTER_RUN}'")
    return text


def _run_days(run_dir: Path) -> tuple[pd.Timestamp, int]:
    """When the run began (its ``scenario.toml``'s ``start``) and how many days it simulated."""
    path = run_dir / "scenario.toml"
    if not path.is_file():
        raise CurtainError(f"{run_dir}: no scenario.toml here; give the output folder of `curtain run`")
    scenario = tomllib.loads(path.read_text(encoding="utf-8"))
    if "start" not in scenario or "days" not in scenario.get("demand", {}):
        raise CurtainError(f"{path}: no start or [demand] days, which every run writes; give the output folder of "
                           "`curtain run` as it wrote it")
    return pd.Timestamp(scenario["start"]), int(scenario["demand"]["days"])


def _fixed_cameras(run_dir: Path) -> list[str]:
    """The run's fixed cameras (``cameras.csv``, less the patrol cars' readers), in its order."""
    layout = pd.read_csv(run_dir / "cameras.csv", dtype={"camera_id": str}, keep_default_na=False)
    if "kind" in layout.columns:
        layout = layout[layout["kind"] != "mobile"]
    return layout["camera_id"].tolist()


def agencies_seeing_plate(run_dir: str | Path, plate: str, start: datetime, end: datetime) -> pd.DataFrame:
    """For each agency: how many reads of ``plate`` between ``start`` and ``end`` it can search at ``end``.

    Uses the run's access paths (metrics.json) and each operator's retention
    (scenario.toml).
    """
    if pd.Timestamp(start) > pd.Timestamp(end):
        raise CurtainError(f"the window ends before it starts (--from {start:%Y-%m-%dT%H:%M} is after "
                           f"--to {end:%Y-%m-%dT%H:%M}): give the earlier time as --from")
    run_dir = Path(run_dir)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    scenario = tomllib.loads((run_dir / "scenario.toml").read_text())
    retention = {op["name"]: op["retention_days"] for op in scenario.get("operators", [])}
    history = plate_history(run_dir, plate)
    history = history[(history["timestamp"] >= pd.Timestamp(start)) & (history["timestamp"] <= pd.Timestamp(end))]
    # each read's operator's retention in days (-1: an operator the scenario does not list keeps nothing); as
    # numbers even when the window holds no read
    kept_days = history["operator"].map(retention).astype(float).fillna(-1.0)
    rows = []
    for agency, info in sorted(metrics.get("agencies", {}).items()):
        operators = set(info["paths"])
        age_days = (pd.Timestamp(end) - history["timestamp"]).dt.total_seconds() / DAY_S
        keep = history["operator"].isin(operators) & (age_days <= kept_days)
        rows.append({"agency": agency, "kind": info.get("kind"), "reads_visible": int(keep.sum()),
                     "reads_in_window": len(history),
                     "via": "; ".join(" → ".join(p) for p in info["paths"].values())})
    return pd.DataFrame(rows)
