"""A run's files: JSON and Parquet writers shared by runs, analyses and sweeps, and reading a run folder back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim._time import DAY_S


def plain(value: Any) -> Any:
    """JSON-ready copy: numpy scalars to Python, NaN and infinities to None.

    Examples
    --------
    >>> plain({"a": np.float64("nan"), "b": [np.int64(2)]})
    {'a': None, 'b': [2]}
    """
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def write_json(value: Any, path: Path) -> None:
    """``value`` (made :func:`plain`) as indented JSON with sorted keys."""
    path.write_text(json.dumps(plain(value), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """One table as Parquet, without the pandas index."""
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def write_reads(reads: pd.DataFrame, path: Path) -> None:
    """Reads as Parquet, one row group per simulated day (as :func:`sim.reads.stream_reads` writes them)."""
    table = pa.Table.from_pandas(reads, preserve_index=False)
    day = (reads["time_s"].to_numpy() // DAY_S).astype(np.int64)
    with pq.ParquetWriter(path, table.schema) as writer:
        if not len(reads):
            writer.write_table(table)
        for d in np.unique(day):
            writer.write_table(table.filter(pa.array(day == d)))
