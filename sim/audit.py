"""Search audit logs: how often an agency looks, and how far its searches reach (``curtain audit``).

A Flock Safety transparency portal publishes each search an agency ran: when (``searchDate``), how many
cameras it reached (``cameraCount``), the stated ``reason`` and a pseudonymous ``userId``. The number of
cameras says how far the search went: an agency's own (a city's hundred or so), a state pool (thousands), or
the national network (tens of thousands). The thresholds are the Eugene, OR log's (the registry's
``eugene-search-audit``): its own cameras 94-135, the statewide pool 2,500-2,770, the national network
85,000-87,000; a search over 1,000 cameras reached beyond the city, over 50,000 the national network.
"Beyond the city" therefore holds the national searches too: ``share_searches_beyond_city`` counts the state
pool's and the national network's searches together, and ``searches_by_month`` splits them into three reaches
that do not overlap (``own``, ``state_pool``, ``national``), so that its counts add up to the headline's.

Examples
--------
>>> log = pd.DataFrame({"searchDate": ["2025-06-18 00:02:04", "2025-06-19 10:00:00", "2025-06-20 09:00:00"],
...                     "cameraCount": [120, 2510, 86000], "reason": ["theft", "theft", "stolen car"]})
>>> m = audit_metrics(audit_table(log, source="log.csv"))
>>> m["n_searches"], m["n_days"], m["searches_per_day"], m["share_searches_beyond_city"]
(3, 3, 1.0, 0.6666666666666666)
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim._errors import CurtainError
from sim.intervals import add_share
from sim.io.folders import atomic_directory
from sim.io.reads import find_columns, header_delimiter
from sim.io.run import versions, write_json, write_parquet
from sim._validate import require_file

#: A search reaching more cameras than this went beyond the city's own (the Eugene log: own 94-135, state ≈ 2,500).
BEYOND_CITY_CAMERAS = 1_000
#: ... and more than this, the national network (the Eugene log: ≈ 85,000-87,000).
NATIONAL_CAMERAS = 50_000
#: The columns a log needs, and the names each is found under (first match, ignoring case), as in the Eugene log.
COLUMNS: dict[str, tuple[str, ...]] = {
    "time": ("searchDate", "search_date", "date", "time", "timestamp", "searched_at"),
    "cameras": ("cameraCount", "camera_count", "cameras", "networkCount", "n_cameras"),
    "reason": ("reason", "purpose", "caseReason"),
    "user": ("userId", "user_id", "user", "officer"),
}
#: The reaches of ``searches_by_month``, which do not overlap: own cameras (≤ 1,000), a state pool (1,001-50,000),
#: the national network (> 50,000); beyond the city is ``state_pool`` + ``national``.
MONTHLY_REACHES = ("own", "state_pool", "national")
#: Reasons shown by name in metrics.json; the rest are summed as "other".
TOP_REASONS = 12


class AuditError(CurtainError):
    """A search audit log that cannot be read as one."""


def read_audit_log(path: str | Path, columns: dict[str, str | None] | None = None) -> pd.DataFrame:
    """A search audit log (CSV) as :func:`audit_table` gives it; ``columns`` names a column where the
    automatic detection would not find it (``{"time": "Datum"}``)."""
    path = require_file(path, "audit log", AuditError)
    head = _head(path)
    if head.lstrip().startswith(("{", "[")) or "\n" not in head and len(head) >= 4096:
        raise AuditError(f"{path}: not a CSV audit log (it looks like JSON, or has no line breaks); an audit log "
                         "has one search per line: searchDate, cameraCount, reason, userId")
    sep = header_delimiter(head.splitlines()[0] if head.strip() else "") or ","
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise AuditError(f"{path}: not a readable CSV audit log ({exc})") from None
    return audit_table(raw, source=str(path), columns=columns)


def _head(path: Path) -> str:
    """The first 4 KB of a file (decompressed when it ends in .gz), as text."""
    try:
        opener = gzip.open if path.suffix.lower() == ".gz" else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as stream:
            return str(stream.read(4096))
    except (OSError, EOFError) as exc:
        raise AuditError(f"{path}: not readable ({exc})") from None


def audit_table(raw: pd.DataFrame, *, source: str, columns: dict[str, str | None] | None = None) -> pd.DataFrame:
    """``time`` (datetime), ``cameras`` (int), ``reason`` (text) and ``user`` (text, ``""`` when the log has
    none) of every search; a clear :class:`AuditError` names what is missing or unreadable."""
    chosen = find_columns(raw, columns or {}, source, names=COLUMNS, required=("time", "cameras"), error=AuditError,
                          option=lambda role: f"--{role} COLUMN")
    time = pd.to_datetime(raw[chosen["time"]], errors="coerce", format="mixed")
    cameras = pd.to_numeric(raw[chosen["cameras"]], errors="coerce")
    bad = time.isna() | cameras.isna() | (cameras < 0)
    if bad.any():
        rows = ", ".join(str(i + 2) for i in np.flatnonzero(bad.to_numpy())[:5])  # (+2: the header is line 1)
        raise AuditError(f"{source}: {int(bad.sum())} row(s) without a readable {chosen['time']} or a camera count "
                         f"≥ 0 in {chosen['cameras']} (lines {rows}…); fix or remove them")
    if not len(raw):
        raise AuditError(f"{source}: the audit log has no searches")
    return pd.DataFrame({
        "time": time, "cameras": cameras.astype(np.int64),
        "reason": raw[chosen["reason"]].astype(str) if chosen.get("reason") else "",
        "user": raw[chosen["user"]].astype(str) if chosen.get("user") else "",
    })


def audit_metrics(table: pd.DataFrame) -> dict[str, Any]:
    """What a log says of how often an agency searches and how far: counts, a rate, the reach shares (each
    with ``_n`` and a 95 % interval, clustered by user when the log names users), by reason and by month."""
    days = pd.to_datetime(table["time"]).dt.normalize()
    n_days = int((days.max() - days.min()).days) + 1
    out: dict[str, Any] = {
        "n_searches": int(len(table)),
        "first_search": str(days.min().date()), "last_search": str(days.max().date()), "n_days": n_days,
        "searches_per_day": len(table) / n_days,
        "beyond_city_above_cameras": BEYOND_CITY_CAMERAS, "national_above_cameras": NATIONAL_CAMERAS,
    }
    users = table["user"].to_numpy() if (table["user"] != "").all() else None
    cameras = table["cameras"].to_numpy()
    add_share(out, "share_searches_beyond_city", cameras > BEYOND_CITY_CAMERAS, users)
    add_share(out, "share_searches_national", cameras > NATIONAL_CAMERAS, users)
    if users is not None:
        out["n_users"] = int(len(pd.unique(users)))
    reasons = reason_counts(table["reason"])
    shown = {str(k): int(v) for k, v in reasons.head(TOP_REASONS).items()}
    if len(reasons) > TOP_REASONS:
        shown["other"] = int(reasons.iloc[TOP_REASONS:].sum())
    out["searches_by_reason"] = shown
    month = pd.to_datetime(table["time"]).dt.strftime("%Y-%m")
    # three reaches that do not overlap: beyond the city (> 1,000 cameras) is the state pool and the national network
    reach = np.where(cameras > NATIONAL_CAMERAS, "national",
                     np.where(cameras > BEYOND_CITY_CAMERAS, "state_pool", "own"))
    by_month = pd.crosstab(month, reach).reindex(columns=list(MONTHLY_REACHES), fill_value=0)
    out["searches_by_month"] = {m: {k: int(v) for k, v in row.items()} for m, row in by_month.iterrows()}
    return out


def reason_counts(reasons: pd.Series) -> pd.Series:
    """Searches per stated reason, most first (ties by name): a reason is counted whatever its case, and a '+'
    (a web form's encoded space) is a space, so that "Person+Crime" and "PERSON CRIME" are "Person Crime"; each is
    named by its most frequent spelling. Different words stay apart ("investigative" is not "investigation").

    Examples
    --------
    >>> reason_counts(pd.Series(["Person Crime", "person+crime", "Person  Crime ", "", "+", "investigative"]))
    Person Crime     3
    (none given)     2
    investigative    1
    Name: searches, dtype: int64
    """
    spelt = reasons.astype(str).str.replace("+", " ", regex=False).str.split().str.join(" ").replace("", "(none given)")
    pairs = pd.DataFrame({"key": spelt.str.casefold(), "spelt": spelt}).value_counts().rename("n").reset_index()
    name = pairs.sort_values(["key", "n", "spelt"], ascending=[True, False, True]).drop_duplicates("key")
    totals = pairs.groupby("key")["n"].sum().rename("searches").reset_index().merge(name[["key", "spelt"]], on="key")
    ordered = totals.assign(most=-totals["searches"]).sort_values(["most", "spelt"])
    return pd.Series(ordered["searches"].to_numpy(), index=ordered["spelt"].to_numpy(), name="searches")


def write_audit(table: pd.DataFrame, metrics: dict[str, Any], out_dir: str | Path, *, name: str,
                figures: bool = True) -> Path:
    """Write an audit folder atomically: ``metrics.json``, ``searches.parquet`` and ``figures/searches.png``."""
    from sim.plot import save_figure  # lazy: matplotlib
    from sim.plot_reads import audit_figure  # lazy: matplotlib

    out_dir = Path(out_dir)
    with atomic_directory(out_dir, kind="audit") as tmp:
        write_json({"source": name, "versions": versions()} | metrics, tmp / "metrics.json")
        write_parquet(table, tmp / "searches.parquet")
        if figures:
            (tmp / "figures").mkdir()
            save_figure(audit_figure(metrics, title=f"{name}: searches by month and reach"),
                        tmp / "figures" / "searches.png")
    return out_dir
