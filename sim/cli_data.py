"""``curtain data``, ``curtain cameras`` and ``curtain audit``: the registry's datasets, a camera map's points
counted, and a search audit log's searches counted by reach."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from sim._errors import CurtainError
from sim.answers import share
from sim.audit import audit_metrics, read_audit_log, write_audit
from sim.cameras import Selection, camera_points
from sim.cli_common import DebugOption, console, fail, input_file, input_name, interruptible, log_level
from sim.data import DATA_ENV, cache_folder, data_folder, status


def cameras(
    camera_file: Annotated[
        Path, typer.Argument(metavar="CAMERA_FILE", help="GeoJSON of camera points (.geojson, .json, .gz), or "
                                                         "data:NAME (e.g. data:us-alpr-osm).")
    ],
    bbox: Annotated[
        Optional[str], typer.Option(metavar="W,S,E,N", help="Only points in this box (degrees: west,south,east,north).")
    ] = None,
    operator: Annotated[Optional[str], typer.Option(metavar="TEXT", help="Only operators containing TEXT.")] = None,
    brand: Annotated[
        Optional[str], typer.Option(metavar="TEXT", help="Only manufacturers/brands containing TEXT.")
    ] = None,
    top: Annotated[int, typer.Option(metavar="N", min=1, help="Rows per table (≥ 1).")] = 15,
    debug: DebugOption = False,
) -> None:
    """Count a camera map's points by brand and operator, such as OpenStreetMap's ALPR cameras of one city."""
    log_level(debug)
    try:
        box = _bbox(bbox) if bbox else None
        with interruptible("the count did not finish (cameras writes nothing)"):
            points = camera_points(input_file(camera_file), Selection(box, operator, brand))
    except (CurtainError, OSError) as exc:
        fail(exc, debug)
        return
    with_direction = int((points["direction"] != "").sum())
    console.print(f"{len(points):,} cameras; {with_direction:,} with a facing direction", highlight=False)
    if not len(points) and box is not None:  # (latitude first is the usual slip: say what the swap would be)
        west, south, east, north = box
        swapped = f"{south:g},{west:g},{north:g},{east:g}"
        console.print(f"No camera lies in the box {bbox}: --bbox is longitude first (west,south,east,north); if "
                      f"you gave latitude first, the box you meant is --bbox {swapped}", highlight=False, markup=False)
    for column, title in (("brand", "brand (manufacturer)"), ("operator", "operator")):
        counts = points[column].replace("", "(not mapped)").value_counts()
        table = Table(title=f"by {title}")
        table.add_column(title, overflow="fold")
        table.add_column("cameras", justify="right")
        for name, n in counts.head(top).items():
            table.add_row(str(name), f"{n:,}")
        if len(counts) > top:
            table.add_row(f"… {len(counts) - top:,} more", f"{int(counts.iloc[top:].sum()):,}")
        console.print(table)


def _bbox(text: str) -> tuple[float, float, float, float]:
    """``--bbox W,S,E,N`` as four numbers, west < east and south < north; a clear error otherwise."""
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        raise CurtainError(f"--bbox {text!r}: give four numbers west,south,east,north in degrees, "
                           "e.g. -76.35,36.82,-76.17,36.97") from None
    if not (west < east and south < north and -180 <= west and east <= 180 and -90 <= south and north <= 90):
        raise CurtainError(f"--bbox {text!r}: west must be below east and south below north, within ±180/±90")
    return west, south, east, north


data_app = typer.Typer(help="The datasets Curtain's scenarios, notebooks and tests use (sim/datasets.toml).",
                       no_args_is_help=True)


@data_app.command("list")
def data_list() -> None:
    """Every dataset of the registry: where it is now (CURTAIN_DATA, the cache, or missing) and its licence."""
    folder = data_folder()
    shown = "not set" if folder is None else f"{folder}" + ("" if folder.is_dir() else " (no such folder: check it)")
    console.print(f"{DATA_ENV}: {shown}; cache: {cache_folder()}", highlight=False)
    table = Table(show_lines=False)
    for column in ("name", "where", "file", "licence"):
        table.add_column(column, overflow="fold")
    for row in status():
        table.add_row(row["name"], row["where"], row["file"], row["licence"])
    console.print(table)
    console.print("A scenario names one as path = \"data:NAME\"; missing ones are downloaded on first use "
                  "(unless CURTAIN_DOWNLOAD=0).", highlight=False)


def audit(
    log_file: Annotated[
        Path, typer.Argument(metavar="AUDIT_FILE", help="A search audit log (CSV, as Flock's portals publish), or "
                                                        "data:NAME (e.g. data:eugene-search-audit).")
    ],
    out: Annotated[
        Optional[Path], typer.Option("-o", "--out", metavar="FOLDER", help="Output folder (default: out/<name>).")
    ] = None,
    time_column: Annotated[Optional[str], typer.Option("--time", metavar="COLUMN", help="When searched.")] = None,
    cameras_column: Annotated[
        Optional[str], typer.Option("--cameras", metavar="COLUMN", help="How many cameras a search reached.")
    ] = None,
    reason: Annotated[Optional[str], typer.Option(metavar="COLUMN", help="The stated reason.")] = None,
    user: Annotated[Optional[str], typer.Option(metavar="COLUMN", help="Who searched (pseudonymous).")] = None,
    debug: DebugOption = False,
) -> None:
    """Count a search audit log: searches per day, how far they reached (own cameras, beyond the city, national)."""
    log_level(debug)
    name = input_name(log_file)
    target = out or Path("out") / (name or "audit")
    columns = {"time": time_column, "cameras": cameras_column, "reason": reason, "user": user}
    try:
        with interruptible(f"nothing was written to {target}"):
            table = read_audit_log(input_file(log_file), columns)
            metrics = audit_metrics(table)
            with console.status("writing", spinner="dots"):
                write_audit(table, metrics, target, name=name)
    except (CurtainError, OSError) as exc:
        fail(exc, debug)
        return
    summary = Table(title=name, show_header=False)
    summary.add_column("", overflow="fold")
    summary.add_column("", justify="right")
    summary.add_row("searches", f"{metrics['n_searches']:,} over {metrics['n_days']} days "
                                f"({metrics['first_search']} – {metrics['last_search']})")
    summary.add_row("searches per day", f"{metrics['searches_per_day']:.1f}")
    for key, label in (("share_searches_beyond_city", "reached beyond the city's own cameras"),
                       ("share_searches_national", "reached the national network")):
        summary.add_row(label, share(metrics, key))
    console.print(summary)
    console.print(f"wrote {target} (metrics.json, searches.parquet, figures/searches.png)", highlight=False)
