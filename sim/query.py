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

import pandas as pd

from sim._time import DAY_S
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


def reads_per_camera_per_day(run_dir: str | Path) -> pd.DataFrame:
    """Reads per camera and calendar day."""
    import duckdb

    return duckdb.sql(
        f"SELECT camera_id, CAST(timestamp AS DATE) AS day, count(*) AS reads "
        f"FROM '{_reads(Path(run_dir))}' GROUP BY ALL ORDER BY camera_id, day"
    ).df()  # type: ignore[union-attr]  # a SELECT always gives a relation


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
