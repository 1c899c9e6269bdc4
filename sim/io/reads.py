"""Real plate-read logs (public-records releases) as a reads table.

A reads file is CSV (any of ``,``, ``|``, ``;``, tab; plain, ``.gz`` or
``.bz2``) or Parquet. Columns are found by their common names
(:data:`COLUMN_NAMES`) unless named explicitly. Rows that cannot be used — a
missing plate, a timestamp that does not parse, a location outside the
globe — are reported with their line numbers, never silently dropped; rows
without a location (``NA``, empty) are counted and kept for plate
statistics.
"""

from __future__ import annotations

import bz2
import gzip
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim._errors import CurtainError
from sim._validate import require_file

#: Column names recognised without being told (lower case), by role.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "plate": ("plate", "plate_hash", "plate_read", "plate_number", "license_plate", "licence_plate", "lpr",
              "plate_id", "hashed_plate"),
    "time": ("timestamp", "dt", "time", "datetime", "date_time", "read_time", "read_datetime", "captured_at"),
    "device": ("device", "camera", "camera_id", "device_id", "reader", "reader_id", "camera_name", "site"),
    "lon": ("lon", "longitude", "lng", "long"),
    "lat": ("lat", "latitude"),
    "direction": ("direction", "heading", "bearing", "travel_direction"),
    "address": ("address", "location_address", "street"),
}
REQUIRED = ("plate", "time", "device")
#: Timestamp formats tried in turn when none is given (``ISO8601`` covers ``2021-10-01 12:00:00``).
TIME_FORMATS = ("ISO8601", "%m/%d/%Y - %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M",
                "%d.%m.%Y %H:%M:%S")
MISSING = ("", "NA", "N/A", "NaN", "nan", "NULL", "null", "None")


class ReadsError(CurtainError):
    """A reads file cannot be read or its columns cannot be found."""


@dataclass
class RealReads:
    """A reads file, parsed.

    Attributes
    ----------
    reads : pandas.DataFrame
        ``read_id, line, camera_id, plate_read, timestamp, time_s, lon, lat``
        (+ ``direction``, ``address`` when present): the usable rows;
        ``time_s`` counts from midnight of the first day, ``line`` is the
        row's line in the file (header = line 1).
    malformed : pandas.DataFrame
        ``line, column, reason, value`` of every problem: rows without a
        plate or a readable timestamp are left out; rows whose location is
        not a longitude/latitude are kept without a location.
    columns : dict
        Role → column used.
    time_format : str
    start : pandas.Timestamp
        Midnight of the first day (``time_s = 0``).
    n_rows : int
        Data rows in the file.
    problems : dict
        Counts of rows missing a plate, with a bad timestamp or a bad location.
    path : Path
        The file read.
    """

    reads: pd.DataFrame
    malformed: pd.DataFrame
    columns: dict[str, str]
    time_format: str
    start: pd.Timestamp
    n_rows: int
    problems: dict[str, int] = field(default_factory=dict)
    path: Path | None = None


def _open_text(path: Path) -> Any:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    if path.suffix == ".bz2":
        return bz2.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace")


def damaged_file_error(path: Path, exc: BaseException) -> ReadsError | None:
    """The error to raise when ``exc``, met reading ``path``, says a ``.gz`` or ``.bz2`` file is cut short or
    damaged (an interrupted download), not that its delimiter is wrong; ``None`` when it does not.

    Examples
    --------
    >>> print(damaged_file_error(Path("reads.csv.gz"), EOFError("Compressed file ended")))
    reads.csv.gz: the compressed file is truncated or corrupt (Compressed file ended); download it again
    >>> damaged_file_error(Path("reads.csv"), EOFError("x")) is None
    True
    """
    if path.suffix.lower() not in (".gz", ".bz2"):
        return None
    if _not_compressed(path):  # (a plain CSV named .gz: downloading it again would not help)
        return ReadsError(f"{path}: is not {'gzip' if path.suffix.lower() == '.gz' else 'bzip2'}-compressed, "
                          f"though its name ends in {path.suffix}; rename it without {path.suffix}")
    # (bz2 says "Invalid data stream" as a bare OSError; a file that cannot be opened at all is another OSError)
    if isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)) or type(exc) is OSError:
        return ReadsError(f"{path}: the compressed file is truncated or corrupt ({exc}); download it again")
    return None


def _not_compressed(path: Path) -> bool:
    """Whether ``path`` (named ``.gz`` or ``.bz2``) does not begin with its format's magic bytes."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(3)
    except OSError:
        return False
    return bool(head) and not head.startswith(b"\x1f\x8b" if path.suffix.lower() == ".gz" else b"BZh")


def sniff_delimiter(path: Path) -> str:
    """The delimiter of a CSV file: the candidate seen most often in its header line."""
    try:
        with _open_text(path) as handle:
            header = handle.readline()
    except (OSError, EOFError, zlib.error) as exc:
        raise damaged_file_error(path, exc) or ReadsError(f"{path}: cannot read ({exc})") from None
    if not header:
        raise ReadsError(f"{path}: the file is empty; a reads file starts with a header line naming its columns "
                         "(plate, timestamp, camera …), then a line per read")
    best = header_delimiter(header)
    if best is None:
        raise ReadsError(f"{path}: the first line has no ',', '|', ';' or tab; is it a CSV file with a header?")
    return best


def header_delimiter(header: str) -> str | None:
    """Of ``,``, ``|``, ``;`` and tab, the one a header line holds most often (``None``: none of them).

    Examples
    --------
    >>> header_delimiter("plate|time|camera, north"), header_delimiter("plate")
    ('|', None)
    """
    counts = {d: header.count(d) for d in (",", "|", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None


def _load_table(path: Path, delimiter: str | None) -> pd.DataFrame:
    require_file(path, "reads file", ReadsError)
    if path.suffix.lower() == ".parquet":
        try:
            table = pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several unrelated types
            raise ReadsError(f"{path}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None
        return table.astype(object).where(table.notna(), "").astype(str)
    sep = delimiter or sniff_delimiter(path)
    try:
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                           engine="python" if len(sep) > 1 else "c")
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError, zlib.error) as exc:
        damaged = damaged_file_error(path, exc)
        if damaged is not None:
            raise damaged from None
        line = _unclosed_quote_line(path) if "EOF inside string" in str(exc) else None
        if line is not None:  # a quote never closed runs to the end of the file whatever the delimiter
            raise ReadsError(f"{path}, line {line}: a quotation mark (\") opens a field that is never closed; "
                             "close it or remove it") from None
        raise ReadsError(f"{path}: not a readable CSV with delimiter {sep!r} ({exc}); "
                         "set the delimiter explicitly (--delimiter / reads.delimiter)") from None


def _unclosed_quote_line(path: Path) -> int | None:
    """The line (from 1) of the quotation mark that opens a field never closed, or ``None`` when every one closes.

    Read as a CSV reader does: a quote opens a field, the next closes it (a doubled quote, ``""``, closes and
    opens again), and a field open at a line's end goes on to the next line (pandas counts such a field's lines
    as one row: its row number is not the file's line).
    """
    opened, open_line = False, 0
    with _open_text(path) as handle:
        for number, text in enumerate(handle, start=1):
            for _ in range(text.count('"')):
                opened = not opened
                if opened:
                    open_line = number
    return open_line if opened else None

def find_columns(
    table: pd.DataFrame, given: dict[str, str | None], source: str, *,
    names: dict[str, tuple[str, ...]] | None = None, required: tuple[str, ...] | None = None,
    error: type[Exception] = ReadsError, option: Callable[[str], str] = lambda role: f"--{role} COLUMN (reads.{role})",
) -> dict[str, str]:
    """Role → column: the ones ``given``, else the first of the role's common ``names`` present (ignoring
    case); an ``error`` names a ``required`` role found nowhere and how to name its column (``option``).
    Defaults: a plate-read log's roles (:data:`COLUMN_NAMES`, :data:`REQUIRED`)."""
    names = COLUMN_NAMES if names is None else names
    required = REQUIRED if required is None else required
    lower = {c.lower().strip(): c for c in table.columns}
    out = {}
    for role, candidates in names.items():
        name = given.get(role)
        if name is not None:
            if name not in table.columns:
                raise error(f"{source}: column {name!r} (given for {role}) is not in the file; "
                            f"its columns are {', '.join(map(str, table.columns))}")
            out[role] = name
            continue
        found = next((lower[n.lower()] for n in candidates if n.lower() in lower), None)
        if found is not None:
            out[role] = found
    missing = [r for r in required if r not in out]
    if missing:
        raise error(
            f"{source}: no column found for {', '.join(missing)}; the file's columns are "
            f"{', '.join(map(str, table.columns))}; name them with " + ", ".join(option(r) for r in missing)
        )
    return out


def _parse_times(values: pd.Series, time_format: str | None, source: str) -> tuple[pd.Series, str]:
    present = values[~values.isin(MISSING)]
    formats: tuple[str, ...] = (time_format,) if time_format is not None else tuple(TIME_FORMATS)
    sample = present.iloc[:1000]
    best, best_ok = None, -1
    for fmt in formats:
        ok = int(pd.to_datetime(sample, format=fmt, errors="coerce").notna().sum())
        if ok > best_ok:
            best, best_ok = fmt, ok
    if time_format is None and (best_ok <= 0 or best_ok < len(sample) / 2):
        example = sample.iloc[0] if len(sample) else "(no value)"
        raise ReadsError(f"{source}: timestamps such as {example!r} match none of the known formats; "
                         "give one with --time-format / reads.time_format (e.g. '%m/%d/%Y - %H:%M:%S')")
    parsed = pd.to_datetime(values.where(~values.isin(MISSING)), format=best, errors="coerce")
    if time_format is not None and len(present) and not parsed.notna().any():  # every row left out: say why
        known = [f for f in TIME_FORMATS if pd.to_datetime(sample, format=f, errors="coerce").notna().any()]
        hint = f"; the file's look like {known[0]!r}, or leave the format out to detect it" if known else ""
        raise ReadsError(f"{source}: no timestamp matches the time format {time_format!r} (e.g. "
                         f"{sample.iloc[0]!r}){hint} (--time-format / reads.time_format)")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed, str(best)


def read_reads_file(
    path: str | Path,
    *,
    columns: dict[str, str | None] | None = None,
    time_format: str | None = None,
    delimiter: str | None = None,
) -> RealReads:
    """Read a plate-read log into a reads table.

    Parameters
    ----------
    path : str or Path
        CSV (``.csv``, ``.csv.gz``, ``.csv.bz2``, any of ``, | ;`` or tab) or
        ``.parquet``.
    columns : dict, optional
        Role (``plate``, ``time``, ``device``, ``lon``, ``lat``,
        ``direction``, ``address``) → column name, for columns whose names
        are not in :data:`COLUMN_NAMES`.
    time_format : str, optional
        ``strftime`` format of the timestamps (default: tried from
        :data:`TIME_FORMATS`).
    delimiter : str, optional
        CSV delimiter (default: sniffed from the header line).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "reads.csv"
    >>> _ = p.write_text("plate|dt|device|lon|lat\\nA1|10/01/2021 - 08:00:00|car-1|-122.3|47.6\\n"
    ...                  "|10/01/2021 - 08:05:00|car-1|NA|NA\\nA1|10/01/2021 - 09:00:00|car-2|NA|NA\\n")
    >>> r = read_reads_file(p)
    >>> r.reads[["line", "camera_id", "plate_read", "time_s"]].values.tolist()
    [[2, 'car-1', 'A1', 28800.0], [4, 'car-2', 'A1', 32400.0]]
    >>> r.malformed[["line", "reason"]].values.tolist()
    [[3, 'missing plate']]
    """
    path = Path(path)
    source = str(path)
    table = _load_table(path, delimiter)
    found = find_columns(table, dict(columns or {}), source)
    if not len(table):  # (not "no timestamp matches a format": there is none to match)
        raise ReadsError(f"{source}: the file has its header ({', '.join(map(str, table.columns))}) but no row of "
                         "reads")
    lines = np.arange(len(table)) + 2 if path.suffix.lower() != ".parquet" else np.arange(len(table)) + 1
    plate = table[found["plate"]].str.strip()
    times, fmt = _parse_times(table[found["time"]].str.strip(), time_format, source)
    problems = []
    no_plate = plate.isin(MISSING).to_numpy()
    bad_time = times.isna().to_numpy() & ~no_plate
    problems.append(("plate", no_plate, "missing plate", plate))
    problems.append(("time", bad_time, f"timestamp does not match {fmt!r}", table[found["time"]]))
    lon = lat = np.full(len(table), np.nan)
    if "lon" in found and "lat" in found:
        raw_lon, raw_lat = table[found["lon"]].str.strip(), table[found["lat"]].str.strip()
        lon = pd.to_numeric(raw_lon.where(~raw_lon.isin(MISSING)), errors="coerce").to_numpy(float)
        lat = pd.to_numeric(raw_lat.where(~raw_lat.isin(MISSING)), errors="coerce").to_numpy(float)
        given = ~(raw_lon.isin(MISSING) | raw_lat.isin(MISSING)).to_numpy()
        outside = given & ~((np.abs(lon) <= 180) & (np.abs(lat) <= 90))  # also NaN from text that is no number
        problems.append(("lon/lat", outside & ~no_plate & ~bad_time, "location is not a longitude/latitude",
                         raw_lon + "," + raw_lat))
        lon, lat = np.where(outside, np.nan, lon), np.where(outside, np.nan, lat)
    malformed = pd.concat(
        [pd.DataFrame({"line": lines[mask], "column": column, "reason": reason,
                       "value": values.to_numpy()[mask].astype(str)}) for column, mask, reason, values in problems],
        ignore_index=True,
    ).sort_values("line", kind="stable").reset_index(drop=True)
    keep = ~(no_plate | bad_time)
    start = times[keep].min().normalize() if keep.any() else pd.Timestamp("1970-01-01")
    reads = pd.DataFrame({
        "line": lines[keep],
        "camera_id": table[found["device"]].str.strip().to_numpy()[keep],
        "plate_read": plate.to_numpy()[keep],
        "timestamp": times.to_numpy()[keep],
        "lon": lon[keep],
        "lat": lat[keep],
    })
    for role in ("direction", "address"):
        if role in found:
            reads[role] = table[found[role]].to_numpy()[keep]
    reads["time_s"] = (reads["timestamp"] - start).dt.total_seconds()
    reads = reads.sort_values(["time_s", "line"], kind="stable").reset_index(drop=True)
    reads.insert(0, "read_id", np.arange(len(reads), dtype=np.int64))
    counts = {"n_rows": int(len(table)), "n_rows_missing_plate": int(no_plate.sum()),
              "n_rows_bad_timestamp": int(bad_time.sum()),
              "n_rows_bad_location": int(len(malformed[malformed["column"] == "lon/lat"]))}
    return RealReads(reads, malformed, found, fmt, start, len(table), counts, path)


def summarise_rows(malformed: pd.DataFrame, limit: int = 10) -> dict[str, Any]:
    """Per reason: how many rows, and the first ``limit`` line numbers."""
    out = {}
    for reason, part in malformed.groupby("reason", sort=True):
        out[str(reason)] = {"n_rows": int(len(part)), "lines": part["line"].head(limit).astype(int).tolist()}
    return out
