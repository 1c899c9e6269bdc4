"""Small shared checks for tables read from users' files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.network import RoadNetwork

#: How many offending rows an error message lists before "and N more".
MAX_LISTED = 10


def rows_text(mask: np.ndarray) -> str:
    """1-based data row numbers where ``mask`` is true, for error messages.

    Examples
    --------
    >>> rows_text(np.array([True, False, True]))
    '1, 3'
    """
    rows = (np.flatnonzero(mask) + 1).tolist()
    listed = ", ".join(map(str, rows[:MAX_LISTED]))
    return listed + (f" and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else "")


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


def read_polygon(path: str | Path, error: type[Exception]) -> Any:
    """The union of the (multi)polygons in a GeoJSON file (longitude/latitude), as a shapely geometry.

    Raises ``error`` naming the file when it is missing, unreadable, or holds
    no polygon.
    """
    import json

    from shapely.geometry import shape
    from shapely.ops import unary_union

    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: polygon file not found")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        features = data["features"] if data.get("type") == "FeatureCollection" else [data]
        area = unary_union([shape(f["geometry"] if "geometry" in f else f) for f in features])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise error(f"{path}: not a GeoJSON polygon ({type(exc).__name__}: {exc})") from None
    if area.geom_type not in ("Polygon", "MultiPolygon"):
        raise error(f"{path}: the GeoJSON holds {area.geom_type}, not a Polygon or MultiPolygon")
    return area
