"""Real reads through the same tools: ``curtain analyze READS_FILE``.

A plate-read log (e.g. a public-records release) is read
(:func:`sim.io.reads.read_reads_file`), profiled — reads per device and day,
distinct plates, reads per plate, time between repeat sightings, uniqueness
by k (place, hour) points — and, when a road network is given, its located
reads are snapped to roads and the trips of plates read more than once are
reconstructed. The output folder has the layout of a run (``reads.parquet``,
``metrics.json``, ``figures/``, ``report.html``), written atomically.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim._time import DAY_S
from sim.io.folders import atomic_directory, check_output_folder
from sim.seeds import stage_rngs
from sim.io.reads import RealReads, read_reads_file, summarise_rows
from sim.metrics import reader_day_median, reads_profile, repeat_gaps_s
from sim.geo import nearest_edges
from sim.intervals import add_share, not_reported
from sim.network import RoadNetwork
from sim.reconstruct import Reconstruction, reconstruct
from sim.io.run import versions, write_json, write_parquet
from sim.report import render_report

log = logging.getLogger(__name__)

#: Size of the cell (degrees, ≈ 100 m) that turns a mobile reader's location into a place.
PLACE_CELL_DEG = 0.001


@dataclass
class Analysis:
    """What :func:`analyze_reads` found.

    Attributes
    ----------
    reads : pandas.DataFrame
        The usable reads, with ``place`` (and ``edge``, ``snap_m`` when snapped).
    per_device_day : pandas.DataFrame
        ``camera_id, date, n_reads``.
    metrics : dict
    recon : Reconstruction or None
        Trips rebuilt from the snapped reads, when a network was given.
    """

    source: RealReads
    reads: pd.DataFrame
    per_device_day: pd.DataFrame
    metrics: dict[str, Any]
    net: RoadNetwork | None = None
    recon: Reconstruction | None = None


def place_ids(reads: pd.DataFrame, cell_deg: float = PLACE_CELL_DEG) -> np.ndarray:
    """A place per read: the device, plus the ≈100 m cell of its location when it has one.

    A fixed camera is one place; a reader on a patrol car is as many places
    as the cells it read in.

    Examples
    --------
    >>> r = pd.DataFrame({"camera_id": ["car", "car", "pole"], "lon": [-122.3001, np.nan, np.nan],
    ...                   "lat": [47.6004, np.nan, np.nan]})
    >>> place_ids(r).tolist()
    ['car@-122.300,47.600', 'car', 'pole']
    """
    lon, lat = reads["lon"].to_numpy(float), reads["lat"].to_numpy(float)
    located = np.isfinite(lon) & np.isfinite(lat)
    cx = np.round(np.where(located, lon, 0) / cell_deg) * cell_deg
    cy = np.round(np.where(located, lat, 0) / cell_deg) * cell_deg
    device = reads["camera_id"].astype(str).to_numpy()
    return np.array([f"{d}@{x:.3f},{y:.3f}" if ok else d for d, x, y, ok in zip(device, cx, cy, located)],
                    dtype=object)


def snap_reads(reads: pd.DataFrame, net: RoadNetwork, max_snap_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Nearest edge of each located read within ``max_snap_m`` (``-1`` otherwise) and the distance."""
    from pyproj import Transformer

    lon, lat = reads["lon"].to_numpy(float), reads["lat"].to_numpy(float)
    located = np.isfinite(lon) & np.isfinite(lat)
    edge = np.full(len(reads), -1, dtype=np.int64)
    distance = np.full(len(reads), np.nan)
    if located.any():
        x, y = lon[located], lat[located]
        if net.crs is not None:
            x, y = Transformer.from_crs("EPSG:4326", net.crs, always_xy=True).transform(x, y)
        e, d = nearest_edges(net, np.asarray(x), np.asarray(y))
        edge[located] = np.where(d <= max_snap_m, e, -1)
        distance[located] = d
    return edge, distance


def analyze_reads(
    source: RealReads,
    *,
    rng: np.random.Generator,
    net: RoadNetwork | None = None,
    max_snap_m: float = 50.0,
    slack_s: float = 600.0,
) -> Analysis:
    """Profile a reads table; with ``net``, snap located reads and rebuild trips.

    Parameters
    ----------
    source : RealReads
        From :func:`sim.io.reads.read_reads_file`.
    rng : numpy.random.Generator
        For the uniqueness draws.
    net : RoadNetwork, optional
        Roads to snap located reads to.
    max_snap_m : float
        Reads farther than this from every road are not snapped (counted).
    slack_s : float
        Trip split: seconds beyond the fastest drive between two sightings.
    """
    reads = source.reads.copy()
    reads["place"] = place_ids(reads)
    located = reads["lon"].notna() & reads["lat"].notna()
    days = (reads["time_s"].to_numpy(float) // DAY_S).astype(np.int64)
    read_days = reading_days(days)
    n_days = len(read_days)
    dates = (source.start + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    on_day = np.isin(days, read_days)
    left_out = pd.Series(dates[~on_day]).value_counts().sort_index()
    per_day = (reads[on_day].assign(date=dates[on_day])
               .groupby(["camera_id", "date"]).size().rename("n_reads").reset_index())
    metrics: dict[str, Any] = {
        "n_rows": source.n_rows,
        "n_rows_left_out": int(source.problems["n_rows_missing_plate"] + source.problems["n_rows_bad_timestamp"]),
        **source.problems,
        "malformed_rows": summarise_rows(source.malformed),
        "columns": source.columns,
        "time_format": source.time_format,
        # (the first day of reading: a left-out first day is not where the log's n_days begin)
        "first_day": (source.start + pd.Timedelta(days=int(read_days[0]) if n_days else 0)).strftime("%Y-%m-%d"),
        "n_days": n_days,
        # (a first or last day holding under 1 % of an average day's reads: a run's trips begun before midnight and
        # read after it, not a day of reading; its reads count, it is not a day of the per-day numbers)
        "n_reads_on_days_left_out": int(left_out.sum()),
        "days_left_out": {str(date): int(n) for date, n in left_out.items()},
        "n_devices": int(reads["camera_id"].nunique()),
        "n_reads_without_location": int((~located).sum()),
        "reads_without_location_by_device": {str(k): int(v) for k, v in
                                             reads.loc[~located, "camera_id"].value_counts().sort_index().items()},
        "n_places": int(reads["place"].nunique()),
    }
    # (a read's location comes from its device's GPS: reads clustered by device)
    add_share(metrics, "share_reads_without_location", (~located).to_numpy(), reads["camera_id"].to_numpy(),
              reason="no read")
    # (plates seen on two days count the days of reading: a read after the last one's midnight is not another day)
    metrics |= reads_profile(reads, place="place", rng=rng, reading=on_day)
    if n_days == 1:  # (a plate "seen on two days" of one day of reading was read after midnight)
        metrics |= not_reported(["share_plates_seen_on_2plus_days"], "the log holds one day of reading")
    # (over the devices that read on those days: one that read only on a left-out day is not one of them)
    metrics["reads_per_device_per_day_mean"] = (
        float(per_day["n_reads"].sum() / (per_day["camera_id"].nunique() * n_days)) if n_days else None)
    metrics |= reader_day_median(per_day["n_reads"].to_numpy(), "reads_per_device_day_median")
    metrics["reads_per_device"] = {str(k): int(v) for k, v in reads["camera_id"].value_counts().sort_index().items()}
    recon = None
    if net is not None:
        edge, distance = snap_reads(reads, net, max_snap_m)
        reads["edge"], reads["snap_m"] = edge, distance
        snapped = reads[edge >= 0].reset_index(drop=True)
        recon = reconstruct(snapped, net, slack_s=slack_s)
        multi = recon.trips[recon.trips["n_reads"] >= 2]
        km = np.array([net.edge_length[recon.routes.route(r)].sum() for r in multi["recon_id"]]) / 1000
        metrics |= {
            "max_snap_m": max_snap_m,
            "n_reads_snapped": int((edge >= 0).sum()),
            "n_reads_not_snapped": int((located.to_numpy() & (edge < 0)).sum()),
            "n_recon_trips": int(len(recon.trips)),
            "n_recon_trips_2plus_reads": int(len(multi)),
            "recon_trip_km_median": float(np.median(km)) if len(km) else None,
        }
        if not len(km):
            metrics["recon_trip_km_median_reason"] = "no trip was rebuilt from two reads or more"
        # of every plate read, with its interval (Wilson over plates); none when no read lies on the network's roads:
        # no trip could be rebuilt, which is not a measured 0 (helper-38)
        plates = pd.unique(reads["plate_read"].dropna())
        has_trip = pd.Index(pd.unique(multi["plate_read"].astype(object))).get_indexer(plates) >= 0
        if int((edge >= 0).sum()):
            add_share(metrics, "share_plates_with_2plus_read_trip", has_trip)
        else:
            metrics |= not_reported(["share_plates_with_2plus_read_trip"],
                                    "no read lies on the network's roads (n_reads_snapped = 0)")
    return Analysis(source, reads, per_day, metrics, net, recon)


def analysis_toml(path: Path, columns: dict[str, str | None], time_format: str | None, delimiter: str | None,
                  network: str | None, max_snap_m: float, seed: int) -> str:
    """The analysis' settings as a TOML ``[reads]`` section (what ``analysis.toml`` holds)."""
    import tomli_w

    reads: dict[str, Any] = {"source": "file", "path": str(path)}
    reads |= {k: v for k, v in columns.items() if v is not None}
    if time_format:
        reads["time_format"] = time_format
    if delimiter:
        reads["delimiter"] = delimiter
    reads["max_snap_m"] = max_snap_m
    out: dict[str, Any] = {"seed": seed, "reads": reads}
    if network:
        out["network"] = {"path": network}
    text = tomli_w.dumps(out)
    tomllib.loads(text)  # round-trips
    return text


def write_analysis(analysis: Analysis, out_dir: str | Path, settings: str, *, figures: bool = True) -> Path:
    """Write the analysis folder atomically: tables, metrics.json, figures, report.html."""
    from sim.plot import save_figure  # lazy: matplotlib
    from sim.plot_reads import device_days_figure, plate_repeats_figure, reads_location_figure  # lazy: matplotlib
    out_dir = Path(out_dir)
    name = analysis.source.path.name if analysis.source.path is not None else out_dir.name
    metrics: dict[str, Any] = {"seed": tomllib.loads(settings).get("seed"), "versions": versions()} | analysis.metrics
    with atomic_directory(out_dir, kind="analysis") as tmp:
        (tmp / "analysis.toml").write_text(settings, encoding="utf-8")
        write_parquet(analysis.reads, tmp / "reads.parquet")
        write_parquet(analysis.per_device_day, tmp / "reads_per_device_day.parquet")
        analysis.source.malformed.to_csv(tmp / "malformed_rows.csv", index=False, lineterminator="\n")
        if analysis.recon is not None:
            trips = analysis.recon.trips  # (its plates written as text, not as the codes it holds)
            write_parquet(trips.assign(plate_read=pd.Series(np.asarray(trips["plate_read"], dtype=object))),
                          tmp / "recon_trips.parquet")
        write_json(metrics, tmp / "metrics.json")
        pngs = []
        if figures:
            folder = tmp / "figures"
            folder.mkdir()
            pngs = [
                save_figure(device_days_figure(analysis.per_device_day, title=f"{name}: reads per device and day"),
                            folder / "reads_per_device_day.png"),
                save_figure(plate_repeats_figure(metrics["reads_per_plate_shares"], repeat_gaps_s(analysis.reads),
                                                 title=f"{name}: plates"), folder / "plate_repeats.png"),
                save_figure(reads_location_figure(analysis.reads, analysis.net), folder / "reads_map.png"),
            ]
        report = render_report(metrics, settings, pngs, f"Curtain analysis: {name}", analysis=True)
        (tmp / "report.html").write_text(report, encoding="utf-8")
    return out_dir


#: A first or last day of a log with fewer reads than this share of its average day's is not a day of reading.
SPILL_DAY_SHARE = 0.01


def reading_days(days: np.ndarray) -> np.ndarray:
    """The days (indices from the log's first) that count as days of reading: from the first to the last, less a
    first or last day holding under :data:`SPILL_DAY_SHARE` of an average day's reads (a one-day run's trips begun
    late in the evening are read after midnight: 32 of 9,507 reads made the teaching grid's day two days).

    Examples
    --------
    >>> reading_days(np.array([0] * 500 + [1] * 2)).tolist()      # 2 reads after midnight: one day
    [0]
    >>> reading_days(np.array([0] * 2 + [1] * 500 + [2] * 400 + [3] * 1)).tolist()
    [1, 2]
    >>> reading_days(np.array([0] * 50 + [2] * 50)).tolist()      # a day without reads between two is a day
    [0, 1, 2]
    >>> reading_days(np.zeros(0, np.int64)).tolist()
    []
    """
    if not len(days):
        return np.zeros(0, np.int64)
    counts = np.bincount(days - days.min())
    enough = counts >= SPILL_DAY_SHARE * len(days) / len(counts)
    first, last = int(np.argmax(enough)), len(counts) - 1 - int(np.argmax(enough[::-1]))
    return np.arange(first, last + 1) + int(days.min())

def run_analysis(
    path: str | Path,
    out_dir: str | Path,
    *,
    columns: dict[str, str | None] | None = None,
    time_format: str | None = None,
    delimiter: str | None = None,
    net: RoadNetwork | None = None,
    network_label: str | None = None,
    max_snap_m: float = 50.0,
    seed: int = 0,
    figures: bool = True,
) -> Analysis:
    """Read, analyse and write: what ``curtain analyze`` does.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "r.csv").write_text("plate,timestamp,camera\\nA,2021-10-01 08:00:00,c1\\n"
    ...                                 "A,2021-10-02 08:00:00,c2\\nB,2021-10-01 09:00:00,c1\\n")
    >>> a = run_analysis(root / "r.csv", root / "out", figures=False)
    >>> a.metrics["n_plates"], a.metrics["share_plates_read_once"], a.metrics["n_days"]
    (2, 0.5, 2)
    """
    check_output_folder(out_dir, "analysis")
    columns = dict(columns or {})
    source = read_reads_file(path, columns=columns, time_format=time_format, delimiter=delimiter)
    if source.problems["n_rows_missing_plate"] or source.problems["n_rows_bad_timestamp"]:
        left_out = source.problems["n_rows_missing_plate"] + source.problems["n_rows_bad_timestamp"]
        log.warning("%s: %d row%s left out (missing plate or unreadable timestamp); see malformed_rows.csv",
                    path, left_out, "" if left_out == 1 else "s")
    analysis = analyze_reads(source, rng=stage_rngs(seed)["metrics"], net=net, max_snap_m=max_snap_m)
    if net is not None and not analysis.metrics["n_reads_snapped"]:
        located = analysis.metrics["n_reads_not_snapped"]
        if not located:
            log.warning("%s: no read has a location (longitude and latitude), so none is placed on the network and "
                        "no trip is rebuilt; name the columns that hold them (--lon, --lat)", path)
        else:
            log.warning("%s: none of the %d located reads is within %g m of a road of the network %s, so no trip "
                        "is rebuilt; is it the network of these reads? (or raise --max-snap-m)", path, located,
                        max_snap_m, network_label or "given")
    settings = analysis_toml(Path(path), columns, time_format, delimiter, network_label, max_snap_m, seed)
    write_analysis(analysis, out_dir, settings, figures=figures)
    return analysis
