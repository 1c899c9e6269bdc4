"""Small shared checks for tables read from users' files."""

from __future__ import annotations

import bz2
import csv
import functools
import gzip
import lzma
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.network import RoadNetwork

#: How many offending rows an error message lists before "and N more".
MAX_LISTED = 10


def require_file(path: str | Path, what: str, error: type[Exception], *, inside: str | None = None,
                 where_from: str = "") -> Path:
    """``path`` when it is a file; else ``error``: a folder given for a file says so, anything else "not found".

    ``what`` names the file expected ("camera file"); ``inside`` is a file a
    folder given by mistake may hold (a run folder's ``scenario.toml``), offered when it is there;
    ``where_from`` says, after "not found", where such a file comes from.

    Examples
    --------
    >>> import tempfile
    >>> require_file(tempfile.gettempdir(), "reads file", ValueError)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ...: is a folder, not a file; give the reads file itself, not its folder
    """
    path = Path(path)
    if path.is_dir():
        held = f" (this one holds {path / inside})" if inside and (path / inside).is_file() else ""
        raise error(f"{path}: is a folder, not a file; give the {what} itself, not its folder{held}")
    if not path.is_file():
        raise error(f"{path}: {what} not found{f'; {where_from}' if where_from else ''}")
    return path


def rows_text(mask: np.ndarray, values: Any = None, numbers: np.ndarray | None = None) -> str:
    """The numbers of the rows where ``mask`` is true, with the offending ``values`` when given.

    ``numbers`` are the rows' numbers (default: 1-based positions).

    Examples
    --------
    >>> rows_text(np.array([True, False, True]))
    '1, 3'
    >>> rows_text(np.array([True, False, True]), pd.Series(["a", "b", 99999]))
    "1 ('a'), 3 (99999)"
    """
    at = np.flatnonzero(mask)
    rows = (at + 1 if numbers is None else np.asarray(numbers)[at]).tolist()
    shown = [str(r) for r in rows[:MAX_LISTED]]
    if values is not None:
        given = list(values)
        shown = [f"{r} ({_cell_value(given[i])!r})" for r, i in zip(shown, at[:MAX_LISTED])]
    listed = ", ".join(shown)
    return listed + (f" and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else "")


@dataclass(frozen=True)
class RowNames:
    """How messages name the rows of a table read from a user's file: a word and each row's number.

    A CSV file's rows are named by the file line they are on (:func:`csv_row_names`), as an editor shows them;
    a GeoJSON file's by feature, counted from 1; a table made in memory by its 1-based row.

    Examples
    --------
    >>> lines = RowNames("line", np.array([2, 3, 5]))
    >>> lines.text(np.array([False, True, True]), ["a", "b", 7]), lines.text(np.array([True, False, False]))
    ("lines 3 ('b'), 5 (7)", 'line 2')
    >>> RowNames().text(np.array([True, True]))
    'rows 1, 2'
    """

    word: str = "row"
    #: each row's number (``None``: its 1-based position)
    numbers: np.ndarray | None = None
    #: the names to use instead, found when a row is first named (``None``: these)
    found: Callable[[], RowNames] | None = None

    def text(self, mask: np.ndarray, values: Any = None) -> str:
        """The rows where ``mask`` is true, named ("lines 3, 5"), with the offending ``values`` when given."""
        if self.found is not None:
            return self.found().text(mask, values)
        plural = "s" if np.count_nonzero(mask) > 1 else ""
        return f"{self.word}{plural} {rows_text(mask, values, self.numbers)}"


def csv_row_names(path: Path, n_rows: int) -> RowNames:
    """The data rows of a CSV file named by the file line each begins on (the header is on line 1).

    The file is read as pandas reads it: blank lines skipped, a quoted cell
    may span lines, a ``.gz``, ``.bz2`` or ``.xz`` file decompressed (its
    lines are those ``zcat`` shows). Should the rows found here not be the
    ``n_rows`` pandas read, they are named "data row" by position rather
    than by a line that might be wrong. The file is read again for its lines
    only when a row is first named: a file without a problem is read once.
    """
    return RowNames("line", found=functools.cache(lambda: _csv_lines(path, n_rows)))


def _csv_lines(path: Path, n_rows: int) -> RowNames:
    """:func:`csv_row_names`, found."""
    starts = []
    openers: dict[str, Callable[..., IO[str]]] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
    opener = openers.get(path.suffix.lower(), open)
    with opener(path, "rt", newline="", encoding="utf-8", errors="replace") as stream:
        reader = csv.reader(stream)
        end = 0
        try:
            for record in reader:
                start, end = end + 1, reader.line_num
                # pandas skips an empty or all-blank line, not a line of an empty quoted cell ('""' reads as [''])
                if len(record) > 1 or (record and (record[0] == "" or record[0].strip())):
                    starts.append(start)
        except csv.Error:  # what pandas read, the csv module may not (a cell over its 128 kB field limit)
            starts = []
    if len(starts) != n_rows + 1:  # the header and every data row
        return RowNames("data row")
    return RowNames("line", np.array(starts[1:]))


def columns_found(columns: Any) -> str:
    """What a CSV's header held, said after the columns it lacks, with the likely cause when it is a common one:
    a ``#`` first line, ``;`` or tab separators, or spaces around the names.

    Examples
    --------
    >>> columns_found(["# exported 2026-12-07"])  # doctest: +ELLIPSIS
    "the file's columns are '# exported 2026-12-07' (its first line starts with '#': ...; delete them)"
    >>> columns_found(["camera_id;u;v"])
    "the file's columns are 'camera_id;u;v' (separated by ';'? separate them by commas)"
    >>> columns_found(["camera_id", " u"])  # doctest: +ELLIPSIS
    "the file's columns are 'camera_id', ' u' (a name with spaces around it: ...)"
    """
    found = [str(c) for c in columns]
    text = f"the file's columns are {', '.join(map(repr, found))}" if found else "the file has no header line"
    if found and found[0].lstrip().startswith("#"):
        return text + " (its first line starts with '#': a CSV here has no comment lines; delete them)"
    for separator, name in ((";", "';'"), ("\t", "tabs")):
        if len(found) == 1 and separator in found[0]:
            return text + f" (separated by {name}? separate them by commas)"
    if any(c != c.strip() for c in found):
        return text + " (a name with spaces around it: separate the columns by commas alone)"
    return text


def refuse_comment_lines(table: pd.DataFrame, rows: RowNames, required: list[str], source: str,
                         error: type[Exception]) -> None:
    """``error`` naming the rows of ``table`` (read from CSV file ``source``) that look like comment lines — the
    first cell starts with ``#`` and a ``required`` column is empty — as ``rows`` names them, with what to do about
    them. pandas reads such a line as a row of empty cells, whose every check would fail on its own; a whole row
    whose first value starts with ``#`` (a camera ``#12``) is a row.

    Examples
    --------
    >>> table = pd.DataFrame({"a": ["x", "# north", "#12"], "b": [1, None, 2]})
    >>> refuse_comment_lines(table, RowNames("line", np.array([2, 3, 4])), ["a", "b"], "t.csv", ValueError)
    Traceback (most recent call last):
    ...
    ValueError: t.csv: line 3 ('# north'): starts with '#', but a CSV here has no comment lines; delete it
    """
    if not len(table.columns):
        return
    first = table.iloc[:, 0]
    marked = first.astype("string").str.lstrip().str.startswith("#").fillna(False).to_numpy(bool)
    marked &= table[[c for c in required if c in table.columns]].isna().any(axis=1).to_numpy(bool)
    if marked.any():
        raise error(f"{source}: {rows.text(marked, first)}: starts with '#', but a CSV here has no comment lines; "
                    "delete it")


def python_scalar(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (anything else unchanged)."""
    return value.item() if isinstance(value, np.generic) else value


def _cell_value(value: Any) -> Any:
    """A cell as the user wrote it: numpy scalars as Python numbers (integral floats as integers)."""
    value = python_scalar(value)
    return int(value) if isinstance(value, float) and value.is_integer() else value


def lookup_nodes(net: RoadNetwork, column: pd.Series) -> np.ndarray:
    """Node indices of the node ids in ``column``; -1 where unknown.

    CSV readers give integer ids as text or floats; those are tried as
    integers when the network's ids are integers.
    """
    values = column.tolist()
    index = net.node_indices(values)
    if (index < 0).any() and net.nodes.dtype.kind == "i":
        index = np.where(index < 0, net.node_indices([_as_int(x) for x in values]), index)
    return index


def _as_int(value: Any) -> Any:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else value


def _polygon_features(path: str | Path, error: type[Exception]) -> list[tuple[dict[str, Any], Any]]:
    """(properties, shapely geometry) of every feature of a GeoJSON file; errors name the file."""
    import json

    from shapely.geometry import shape

    path = require_file(path, "polygon file", error)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        features = data["features"] if data.get("type") == "FeatureCollection" else [data]
        out = [(dict(f.get("properties") or {}), shape(f["geometry"] if "geometry" in f else f)) for f in features]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise error(f"{path}: not a GeoJSON polygon ({type(exc).__name__}: {exc})") from None
    for i, (_, geometry) in enumerate(out):
        if geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise error(f"{path}: feature {i} is a {geometry.geom_type}, not a Polygon or MultiPolygon")
    if not out:
        raise error(f"{path}: the GeoJSON holds no feature")
    return out


def read_polygon(path: str | Path, error: type[Exception]) -> Any:
    """The union of the (multi)polygons in a GeoJSON file (longitude/latitude), as a shapely geometry.

    Raises ``error`` naming the file when it is missing, unreadable, or holds
    no polygon.
    """
    from shapely.ops import unary_union

    return unary_union([geometry for _, geometry in _polygon_features(path, error)])


def read_named_polygons(path: str | Path, key: str, error: type[Exception]) -> list[tuple[str, Any]]:
    """(name, polygon) of every feature of a GeoJSON file, the name taken from property ``key``."""
    out = []
    for i, (props, geometry) in enumerate(_polygon_features(path, error)):
        if props.get(key) in (None, ""):
            raise error(f"{path}: feature {i} has no {key!r} property; give each polygon one "
                        f"(or set network.jurisdiction_key to the property that names it)")
        out.append((str(props[key]), geometry))
    return out
