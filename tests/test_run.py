"""Whole runs: output layout, determinism, atomic writes, the command line."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.answers import number_text, share_style
from sim.cli import app
from sim import load_scenario, read_run, simulate_scenario
from sim.query import agencies_seeing_plate
from sim.runner import run_scenario

from conftest import small_scenario

OUTPUT_FILES = {
    "scenario.toml", "edges.parquet", "cameras.csv", "trips.parquet", "reads.parquet",
    "trip_metrics.parquet", "metrics.json", "run.json", "report.html", "figures", "map.html",
    "vehicle_uniqueness.parquet", "areas.parquet", ".curtain", "nodes.parquet", "routes.parquet", "views.csv",
}
TABLES = ("trips.parquet", "reads.parquet", "trip_metrics.parquet", "edges.parquet", "vehicle_uniqueness.parquet",
          "areas.parquet")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    scenario = small_scenario()
    run_scenario(scenario, root / "a")
    run_scenario(scenario, root / "b")
    run_scenario(small_scenario("seed=99"), root / "c")
    return root


def test_output_directory_has_the_documented_files(two_runs):
    out = two_runs / "a"
    assert {p.name for p in out.iterdir()} == OUTPUT_FILES
    assert {p.name for p in (out / "figures").iterdir()} == {"map.png", "coverage.png", "reads_per_trip.png",
                                                             "sharing.png", "areas.png"}
    page = (out / "map.html").read_text()
    # offline: nothing is fetched (the one URL is the SVG namespace, an identifier, never loaded)
    assert set(re.findall(r"https?://[^\"' )]+", page)) == {"http://www.w3.org/2000/svg"}
    assert "<script src" not in page and "<link" not in page and "@import" not in page
    assert page.count("data-bearing=") == len(pd.read_csv(out / "cameras.csv"))  # a mark per (fixed) camera
    reads = pd.read_parquet(out / "reads.parquet")
    assert list(reads.columns)[:3] == ["read_id", "camera_id", "plate_read"]
    trips = pd.read_parquet(out / "trips.parquet")
    assert {"arrive_s", "length_m", "route"} <= set(trips.columns)
    cameras = pd.read_csv(out / "cameras.csv")
    assert list(cameras.columns[:6]) == ["camera_id", "u", "v", "key", "direction", "read_rate"]
    metrics = json.loads((out / "metrics.json").read_text())
    html = (out / "report.html").read_text()
    for key in ("share_trips_read_ge1", "route_recall_mean"):  # shares in percent, at the interval's precision
        value, (lo, hi) = metrics[key], metrics[f"{key}_ci"]
        style = share_style(value, [lo, hi])
        assert f"<td class=num>{value:{style}}</td>" in html and f"{lo:{style}}–{hi:{style}}" in html
        assert f"{value:.3f}" not in html


@pytest.mark.parametrize("name", TABLES)
def test_same_seed_same_tables(two_runs, name):
    pd.testing.assert_frame_equal(pd.read_parquet(two_runs / "a" / name), pd.read_parquet(two_runs / "b" / name))


def test_same_seed_byte_identical_metrics(two_runs):
    assert (two_runs / "a" / "metrics.json").read_bytes() == (two_runs / "b" / "metrics.json").read_bytes()


def test_different_seed_different_reads(two_runs):
    a = pd.read_parquet(two_runs / "a" / "reads.parquet")
    c = pd.read_parquet(two_runs / "c" / "reads.parquet")
    assert not a.drop(columns=["read_id"]).equals(c.drop(columns=["read_id"]))


def test_failed_run_leaves_old_output_and_no_partial(tmp_path):
    out = tmp_path / "run"
    run_scenario(small_scenario(), out)
    before = (out / "metrics.json").read_bytes()
    cams = tmp_path / "cams.csv"
    cams.write_text("camera_id,u,v,key,direction,read_rate\nc1,0,999999,0,forward,0.9\n")
    with pytest.raises(ValueError, match="cams.csv"):
        run_scenario(small_scenario("cameras.strategy='file'", f"cameras.path='{cams}'"), out)
    assert (out / "metrics.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cams.csv", "run"]


def test_cli_run_prints_summary_and_writes(tmp_path):
    result = CliRunner().invoke(app, ["run", "-o", str(tmp_path / "o"), "--set", "network.rows=6",
                                      "--set", "network.cols=6", "--set", "demand.trips=60",
                                      "--set", "cameras.count=6"])
    assert result.exit_code == 0, result.output
    assert "route recall" in result.output
    assert (tmp_path / "o" / "metrics.json").is_file()


def test_cli_bad_scenario_is_one_line_error_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[cameras]\nread_rate = 1.5\n")
    result = CliRunner().invoke(app, ["run", str(bad), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "bad.toml" in result.output and "cameras.read_rate" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_cli_validate(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text("name = 'x'\n[demand]\ntrips = 10\n")
    result = CliRunner().invoke(app, ["validate", str(good)])
    assert result.exit_code == 0 and "ok" in result.output


def test_cli_query_plot_and_bench(two_runs, tmp_path):
    import shutil

    out = tmp_path / "run"
    shutil.copytree(two_runs / "a", out)
    reads = pd.read_parquet(out / "reads.parquet")
    plate = reads["plate_read"].iloc[0]
    runner = CliRunner()
    result = runner.invoke(app, ["query", "plate", str(out), plate])
    assert result.exit_code == 0 and plate in result.output
    assert result.output.count(plate) == int((reads["plate_read"] == plate).sum())
    result = runner.invoke(app, ["query", "per-camera", str(out)])
    assert result.exit_code == 0 and reads["camera_id"].iloc[0] in result.output
    day = pd.Timestamp(reads["timestamp"].min()).strftime("%Y-%m-%d")
    assert day in result.output and "00:00:00" not in result.output  # a day is a date, not a midnight
    result = runner.invoke(app, ["query", "agencies", str(out), plate, "--from", "2023-01-23T00:00:00",
                                 "--to", "2023-01-24T00:00:00"])
    assert result.exit_code == 0 and "city-police" in result.output
    # a window with no read of the plate: every agency sees 0 of 0 (was an internal error on an empty column)
    last = pd.Timestamp(reads.loc[reads["plate_read"] == plate, "timestamp"].max())
    quiet = [(last + pd.Timedelta(seconds=s)).isoformat() for s in (1, 3600)]
    result = runner.invoke(app, ["query", "agencies", str(out), plate, "--from", quiet[0], "--to", quiet[1]])
    assert result.exit_code == 0 and "internal error" not in result.output, result.output
    table = agencies_seeing_plate(out, plate, *(pd.Timestamp(t).to_pydatetime() for t in quiet))
    assert len(table) > 0 and (table["reads_visible"] == 0).all() and (table["reads_in_window"] == 0).all()
    result = runner.invoke(app, ["query", "agencies", str(out), plate, "--from", quiet[1], "--to", quiet[0]])
    assert result.exit_code == 1 and "ends before it starts" in result.output and "Traceback" not in result.output
    before = (out / "figures" / "map.png").read_bytes()
    (out / "figures" / "map.png").unlink()
    result = runner.invoke(app, ["plot", str(out)])
    assert result.exit_code == 0
    assert (out / "figures" / "map.png").read_bytes() == before  # same seed, same figure
    result = runner.invoke(app, ["bench", "--side", "12", "--trips", "300", "--baseline-trips", "20"])
    assert result.exit_code == 0 and "speed-up" in result.output


@pytest.mark.parametrize("option, value, least", [("--side", "0", 2), ("--trips", "-5", 1),
                                                  ("--baseline-trips", "0", 1)])
def test_bench_refuses_sizes_it_cannot_time_naming_the_option(option, value, least):
    """A benchmark city of no side, or no trip to time, is refused by its option (a usage error, exit 2), never an
    "internal error" from inside numpy (negative dimensions) or a division by zero trips."""
    result = CliRunner().invoke(app, ["bench", option, value])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output and str(least) in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output


def test_cameras_refuses_a_table_of_no_rows(tmp_path):
    """`curtain cameras --top -2` showed every row but two; a table of fewer than one row is refused."""
    result = CliRunner().invoke(app, ["cameras", str(tmp_path / "cams.geojson"), "--top", "-2"])
    assert result.exit_code == 2 and "Invalid value for '--top'" in result.output, result.output


def test_analyze_refuses_a_negative_snap_distance(tmp_path):
    """No read lies a negative distance from a road: the option says so, before any file is read or written."""
    result = CliRunner().invoke(app, ["analyze", str(tmp_path / "reads.csv"), "--max-snap-m", "-5",
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "Invalid value for '--max-snap-m'" in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_cli_query_on_a_folder_without_reads(tmp_path):
    result = CliRunner().invoke(app, ["query", "per-camera", str(tmp_path)])
    assert result.exit_code == 1 and "no reads.parquet" in result.output


def per_camera_by_hand(out):
    """Reads per (camera, date) from reads.parquet with plain pandas, each read after the run's last simulated day
    (scenario start + days) kept apart, and every fixed camera (cameras.csv) on every simulated date."""
    import tomllib

    reads = pd.read_parquet(out / "reads.parquet")
    scenario = tomllib.loads((out / "scenario.toml").read_text())
    start, days = pd.Timestamp(scenario["start"]), scenario["demand"]["days"]
    after = reads["timestamp"] >= start + pd.Timedelta(days=days)
    counts = reads.groupby([reads["camera_id"], reads["timestamp"].dt.strftime("%Y-%m-%d"), after]).size()
    layout = pd.read_csv(out / "cameras.csv", dtype=str, keep_default_na=False)
    fixed = layout.loc[layout.get("kind", pd.Series("", index=layout.index)) != "mobile", "camera_id"]
    dates = [(start + pd.Timedelta(days=d)).strftime("%Y-%m-%d") for d in range(days)]
    expected = {(c, d, False): 0 for c in fixed for d in dates} | {k: int(v) for k, v in counts.items()}
    return expected, set(fixed), days


@pytest.fixture(scope="module")
def per_camera_runs(tmp_path_factory):
    """A day of the small scenario busy enough that a few trips are read after midnight, and two days of a shrunk
    patrol-vs-fixed (fixed cameras and patrol cars)."""
    from conftest import PROJECT

    root = tmp_path_factory.mktemp("per-camera")
    run_scenario(small_scenario("demand.trips=1500"), root / "one day")
    run_scenario(load_scenario(PROJECT / "scenarios" / "patrol-vs-fixed.toml", overrides=[
        "demand.trips=300", "demand.days=2", "network.rows=10", "network.cols=10", "cameras.budget=30000",
        "metrics.pair_samples=100"]), root / "patrol cars, two days")
    run_scenario(small_scenario("demand.trips=600", "demand.days=2", "start=2023-01-23T12:00:00"), root / "noon")
    return root


def test_query_per_camera_counts_days_of_the_run_not_of_the_calendar(per_camera_runs):
    """helper-41: a run starting at noon split each simulated day over two dates, so each camera had twice the rows,
    averaging half of metrics.json's figure. Each camera has one row per simulated day (named by its first hour),
    and the rows inside the run plus those after it add up to metrics.json's reads per camera per day."""
    from sim.query import reads_per_camera_per_day

    out = per_camera_runs / "noon"
    metrics = json.loads((out / "metrics.json").read_text())
    table = reads_per_camera_per_day(out)
    within = table[table["note"] == ""]
    assert set(within["day"]) == {"2023-01-23 12:00", "2023-01-24 12:00"}
    assert within.groupby("camera_id").size().eq(2).all()
    n_cameras = within["camera_id"].nunique()
    reads = pd.read_parquet(out / "reads.parquet")
    assert int(table["reads"].sum()) == len(reads)  # (every read in one row, none twice)
    assert table["reads"].sum() / (n_cameras * 2) == pytest.approx(metrics["reads_per_camera_per_day"])


@pytest.mark.parametrize("which", ["one day", "patrol cars, two days"])
def test_query_per_camera_agrees_with_metrics_reads_per_camera_per_day(per_camera_runs, which):
    """helper-38: `query per-camera` listed a 1-day run's reads after midnight (trips begun in the evening) as 24
    camera-days of 1 read each, so the mean over its rows was 149 where metrics.json said 238. Every fixed camera
    has a row for every simulated day (0 included); reads after the run's last day are rows noted 'after the
    run', a patrol car's 'patrol car'; the sentence beneath gives metrics.json's number. Checked against pandas."""
    from sim.query import reads_per_camera_per_day

    out = per_camera_runs / which
    metrics = json.loads((out / "metrics.json").read_text())
    expected, fixed, days = per_camera_by_hand(out)
    table = reads_per_camera_per_day(out)
    after = table["note"].str.contains("after the run")
    got = {(c, d, bool(a)): int(n) for c, d, n, a in zip(table["camera_id"], table["day"], table["reads"], after)}
    assert got == expected
    assert set(table.loc[table["note"].str.startswith("patrol car"), "camera_id"]) == (
        {c for c, _, _ in expected} - fixed)
    # (each case has what it is for: reads after the run's day, patrol cars)
    assert after.any() if which == "one day" else table["note"].str.startswith("patrol car").any()
    fixed_reads = sum(n for (c, _, _), n in expected.items() if c in fixed)
    assert fixed_reads / (len(fixed) * days) == pytest.approx(metrics["reads_per_camera_per_day"])
    result = CliRunner().invoke(app, ["query", "per-camera", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    n_after = sum(n for (c, _, a), n in expected.items() if a and c in fixed)
    assert (f"reads per camera per day: {number_text(metrics['reads_per_camera_per_day'])} ({fixed_reads:,} reads "
            f"of the {len(fixed)} fixed cameras over {days} simulated day") in text
    assert (f"it counts the {n_after:,} reads made after the last simulated day ended" in text) == (n_after > 0)


@pytest.mark.parametrize("given", ["yesterday", "23/01/2023", "2023-01-23T00:00Z"])
def test_query_agencies_refuses_a_time_it_cannot_read_with_an_example(tmp_path, given):
    """helper-38: `--from yesterday` gave pydantic's "Input should be a valid datetime or date, input is too
    short". The option is named, with an example of a time it takes (and an aware time, which the run's clock
    cannot be compared with, is refused the same way, not met later as a TypeError)."""
    result = CliRunner().invoke(app, ["query", "agencies", str(tmp_path), "ABC1234", "--from", given,
                                      "--to", "2023-01-24T00:00"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "Invalid value for '--from'" in text and "such as 2023-01-23T00:00" in text, text
    assert "Input should be" not in text


@pytest.mark.parametrize("given, expected", [("2023-01-23T08:30", "2023-01-23 08:30:00"),
                                             ("2023-01-23", "2023-01-23 00:00:00"),
                                             ("2023-01-23 08:30:15", "2023-01-23 08:30:15")])
def test_query_agencies_takes_iso_times_and_a_date_as_its_midnight(given, expected):
    from sim.cli_common import window_time

    assert str(window_time(given)) == expected


def test_a_run_piped_to_a_file_reports_each_stage_on_a_line(tmp_path):
    """Without a terminal (a pipe, a CI log) the progress bar becomes one line per stage with its own time and the
    time so far (the time so far alone read as the stage's: "cameras: done (9.7 s)")."""
    from sim.pipeline import STAGE_NAMES

    result = CliRunner().invoke(app, ["run", "-o", str(tmp_path / "out"), "--set", "demand.trips=200",
                                      "--set", "network.rows=6", "--set", "network.cols=6",
                                      "--set", "cameras.count=4"])
    assert result.exit_code == 0, result.output
    lines = [line.split(":")[0] for line in result.output.splitlines() if ": done in " in line]
    assert lines == list(STAGE_NAMES)
    took = {m[0]: (float(m[1]), float(m[2])) for m in re.findall(r"^(\w+): done in ([\d.]+) s \(([\d.]+) s so far",
                                                                   result.output, re.M)}
    assert set(took) == set(STAGE_NAMES)
    # each stage's time is its own: the times so far are the running sums of the stages' (to the printed 0.1 s)
    assert sum(own for own, _ in took.values()) == pytest.approx(took[STAGE_NAMES[-1]][1], abs=0.1 * len(took))
    assert all(own <= so_far + 0.05 for own, so_far in took.values())
    # the long stages say how much they did
    text = result.output
    assert re.search(r"routes: done in [\d.]+ s \([\d.]+ s so far; 200 trips routed\)", text), text
    assert re.search(r"traffic: done in [\d.]+ s \([\d.]+ s so far; 200 trips driven\)", text), text
    assert re.search(r"reads: done in [\d.]+ s \([\d.]+ s so far; [\d,]+ camera passes \(read or missed\)\)",
                     text), text
    engines = json.loads((tmp_path / "out" / "run.json").read_text())["engines"]
    assert engines == {"routing": "compiled Dijkstra trees (numba)", "traffic": "simpy", "dask_workers": 1}


@pytest.mark.parametrize("every_s", [0.0, 30.0])
def test_a_long_stage_piped_to_a_file_says_how_far_it_is(tmp_path, monkeypatch, every_s):
    """Piped, a stage's counts are also written as they grow, every PIPE_PROGRESS_S seconds: at 0, at each count
    (rising counts below the total, before the stage's line); at the default 30, none in a run of a few seconds
    (a line per routing chunk would flood a log)."""
    monkeypatch.setattr("sim.cli.PIPE_PROGRESS_S", every_s)
    result = CliRunner().invoke(app, ["run", "-o", str(tmp_path / "out"), "--set", "demand.trips=200",
                                      "--set", "network.rows=6", "--set", "network.cols=6",
                                      "--set", "cameras.count=4", "--set", "demand.days=2"])
    assert result.exit_code == 0, result.output
    if every_s:
        assert not re.search(r"^  [\d,]+ of [\d,]+ ", result.output, re.M), result.output
        return
    lines = result.output.splitlines()
    routed = [int(m.group(1).replace(",", "")) for line in lines
              if (m := re.fullmatch(r"  ([\d,]+) of 400 trips routed \([\d.]+ s into the stage\)", line))]
    assert len(routed) >= 2 and routed == sorted(routed) and 0 < routed[0] and routed[-1] < 400, result.output
    last = max(i for i, line in enumerate(lines) if "trips routed (" in line)
    assert last < next(i for i, line in enumerate(lines) if line.startswith("routes: done")), result.output


def test_edges_are_geoparquet_with_the_crs_and_lines_at_the_edge_ends(two_runs):
    import geopandas
    import pyarrow.parquet as pq
    import shapely

    from sim import load_scenario
    from sim.stages.network import build_network
    from sim.seeds import stage_rngs

    path = two_runs / "a" / "edges.parquet"
    edges = geopandas.read_parquet(path)
    scenario = load_scenario(two_runs / "a" / "scenario.toml")
    assert edges.crs == build_network(scenario, stage_rngs(scenario.seed)["network"]).crs  # None: plane metres
    # read without geopandas, as any Parquet reader would: GeoParquet metadata and WKB geometry
    table = pq.read_table(path)
    assert b"geo" in table.schema.metadata and table.schema.field("geometry").type == "binary"
    from_wkb = shapely.from_wkb(table.column("geometry").to_pylist())
    assert all(a.equals(b) for a, b in zip(from_wkb, edges.geometry))
    nodes = pd.read_parquet(two_runs / "a" / "nodes.parquet").set_index("node")
    lines = list(edges.geometry)
    for line, u, v, length in zip(lines[:50], edges["u"], edges["v"], edges["length_m"]):
        (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
        assert (x0, y0) == (nodes.loc[u, "x"], nodes.loc[u, "y"])
        assert (x1, y1) == (nodes.loc[v, "x"], nodes.loc[v, "y"])
        assert line.length == pytest.approx(length, rel=1e-9)


def test_a_synthetic_city_has_no_place_on_earth_unless_the_scenario_gives_one(two_runs, tmp_path):
    """Unplaced: plane metres, GeoParquet crs explicitly null (unknown, not CRS84), no cameras.geojson.
    Placed with network.point: its centre there, cameras.geojson in WGS84 at the watched edges' midpoints."""
    import json as json_

    import geopandas
    import pyarrow.parquet as pq
    from pyproj import Geod, Transformer

    geo = json_.loads(pq.read_schema(two_runs / "a" / "edges.parquet").metadata[b"geo"])
    assert "crs" in geo["columns"]["geometry"] and geo["columns"]["geometry"]["crs"] is None
    assert not (two_runs / "a" / "cameras.geojson").exists()
    nodes = pd.read_parquet(two_runs / "a" / "nodes.parquet")
    assert nodes["x"].min() >= -100 and nodes["y"].min() >= -100  # metres from the city's corner, not UTM

    lat, lon = 36.8508, -76.2859
    out = tmp_path / "placed"
    tiles = "https://tile.example.org/{z}/{x}/{y}.png"
    run_scenario(small_scenario(f"network.point=[{lat}, {lon}]", f"output.map_tiles='{tiles}'"), out)
    edges = geopandas.read_parquet(out / "edges.parquet")
    assert edges.crs is not None and edges.crs.is_projected
    centre = edges.to_crs("EPSG:4326").geometry.union_all().envelope.centroid
    assert Geod(ellps="WGS84").inv(lon, lat, centre.x, centre.y)[2] < 1.0  # metres
    cameras = json_.loads((out / "cameras.geojson").read_text())
    layout = pd.read_csv(out / "cameras.csv")
    nodes = pd.read_parquet(out / "nodes.parquet").set_index("node")
    to_metres = Transformer.from_crs("EPSG:4326", edges.crs, always_xy=True)
    assert len(cameras["features"]) == len(layout)
    for feature, (u, v) in zip(cameras["features"], zip(layout["u"], layout["v"])):
        x, y = to_metres.transform(*feature["geometry"]["coordinates"])
        mx, my = (nodes.loc[u, "x"] + nodes.loc[v, "x"]) / 2, (nodes.loc[u, "y"] + nodes.loc[v, "y"]) / 2
        assert abs(x - mx) < 0.05 and abs(y - my) < 0.05  # coordinates are rounded to 1e-7 degrees (~1 cm)

    # the optional online background: slippy-map tiles, the one holding the centre among them (standard tile maths)
    import math

    page = (out / "map.html").read_text()
    found = re.findall(r'<image href="https://tile\.example\.org/(\d+)/(\d+)/(\d+)\.png"', page)
    zoom = int(found[0][0])
    n = 2**zoom
    centre_tile = (int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))
    assert (str(zoom), *map(str, centre_tile)) in found and 1 < len(found) <= 49
    assert "OpenStreetMap contributors" in page
    with pytest.raises(Exception, match="output.map_tiles: tiles need a network with a place on Earth"):
        run_scenario(small_scenario(f"output.map_tiles='{tiles}'"), tmp_path / "unplaced")
    with pytest.raises(Exception, match="is not a tile URL template"):
        small_scenario("output.map_tiles='http://tiles/{z}.png'")


def test_every_output_file_gets_the_mode_of_a_new_file(two_runs):
    import os
    import stat

    from sim.io.folders import current_umask

    expected = 0o666 & ~current_umask()
    files = [p for p in (two_runs / "a").rglob("*") if p.is_file()]
    assert any(p.parent.name == "figures" for p in files)
    modes = {p.relative_to(two_runs / "a").as_posix(): stat.S_IMODE(os.stat(p).st_mode) for p in files}
    assert {name: mode for name, mode in modes.items() if mode != expected} == {}


def test_version_and_a_space_for_equals_get_answers():
    from importlib import metadata

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and metadata.version("curtain-sim") in result.output
    result = CliRunner().invoke(app, ["run", "--set", "demand.days", "7"])
    assert result.exit_code == 1
    assert "did you mean --set demand.days=7?" in result.output


def _commands(group, path=()):
    for name, command in group.commands.items():
        yield (*path, name)
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


def test_every_help_text_renders_in_full_without_type_placeholders():
    import typer.main

    commands = list(_commands(typer.main.get_command(app)))
    assert {("run",), ("sweep",), ("query", "plate")} <= set(commands)
    for command in [(), *commands]:
        result = CliRunner().invoke(app, [*command, "--help"], terminal_width=100)
        assert result.exit_code == 0, command
        text = result.output
        # flags carry no value, and a list option names what goes in it
        assert "<bool>" not in text and "<list[" not in text, (command, text)
        assert "\\[" not in text and "  ." not in text and ",  and" not in text, (command, text)
    sweep = CliRunner().invoke(app, ["sweep", "--help"], terminal_width=100).output
    assert "[set] and [axes]" in sweep
    run = CliRunner().invoke(app, ["run", "--help"], terminal_width=100).output
    assert "--set KEY=VALUE" in run and "--debug " in run


def test_query_says_when_a_plate_is_absent_and_prints_times_to_the_second(two_runs):
    out = two_runs / "a"
    reads = pd.read_parquet(out / "reads.parquet")
    runner = CliRunner()
    result = runner.invoke(app, ["query", "plate", str(out), "ZZZ0000"])
    assert result.exit_code == 0
    top = reads["plate_read"].value_counts()
    assert f"no reads of plate ZZZ0000 ({reads['plate_read'].nunique():,} plates in this run" in result.output
    assert top.index[0] in result.output
    plate = reads["plate_read"].iloc[0]
    result = runner.invoke(app, ["query", "plate", str(out), plate])
    first = reads.loc[reads["plate_read"] == plate, "timestamp"].min()
    assert first.floor("s").strftime("%Y-%m-%d %H:%M:%S") in result.output
    import re

    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d", result.output)  # no fractions of a second


def test_set_runs_get_their_own_folder_and_name_their_overrides(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small = ["--set", "network.rows=6", "--set", "network.cols=6", "--set", "demand.trips=100",
             "--set", "cameras.count=4"]
    runner = CliRunner()
    assert runner.invoke(app, ["run", *small]).exit_code == 0
    result = runner.invoke(app, ["run", *small, "--set", "seed=9"])
    assert result.exit_code == 0
    folders = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(folders) == 2 and all(name.startswith("teaching-grid-") for name in folders)
    assert "with network.rows=6 network.cols=6 demand.trips=100 cameras.count=4 seed=9" in " ".join(
        result.output.split())
    newest = max((tmp_path / "out").iterdir(), key=lambda p: json.loads((p / "metrics.json").read_text())["seed"])
    assert json.loads((newest / "run.json").read_text())["overrides"][-1] == "seed=9"
    assert "<code>seed=9</code>" in (newest / "report.html").read_text()


@pytest.mark.slow
def test_map_renders_offline_in_a_headless_browser(two_runs, tmp_path):
    """The page drawn by a real browser with no network: roads and cameras make it anything but blank."""
    import shutil
    import subprocess

    import matplotlib.image

    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("no headless Chromium installed (apt-get install chromium)")
    shot = tmp_path / "map.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=900,700",
                    f"--screenshot={shot}", (two_runs / "a" / "map.html").as_uri()], check=True, timeout=120,
                   capture_output=True)
    pixels = matplotlib.image.imread(shot)[60:, :, :3]  # below the header
    dark = (pixels.mean(axis=2) < 0.85).mean()
    orange = ((pixels[..., 0] > 0.7) & (pixels[..., 1] < 0.6) & (pixels[..., 2] < 0.3)).sum()
    assert dark > 0.01  # roads drawn
    assert orange > 50  # camera dots drawn


SHARED_VIEWS = """
name = "shared-views"
[network]
rows = 7
cols = 7
[demand]
trips = 300
[cameras]
count = 6
operator = "city"
[[camera_groups]]
count = 6
operator = "state"
[[operators]]
name = "city"
retention_days = 30
[[operators]]
name = "state"
retention_days = 30
[[agencies]]
name = "city-pd"
access = ["city"]
[[agencies]]
name = "fbi"
kind = "federal"
access = ["pool"]
[[agencies]]
name = "ice"
kind = "federal"
access = ["pool"]
[[sharing]]
from = "city"
to = "pool"
[[sharing]]
from = "state"
to = "pool"
"""


def test_views_that_share_their_rows_are_written_once(tmp_path):
    """fbi and ice see every read, as the "all" view does: their trips are the "all" rows, written once and named
    in views.csv; city-pd sees part of the reads and has rows of its own. Read back, every view has its table."""
    (tmp_path / "s.toml").write_text(SHARED_VIEWS)
    scenario = load_scenario(tmp_path / "s.toml")
    sim = simulate_scenario(scenario)
    run_scenario(scenario, tmp_path / "out")
    written = pd.read_parquet(tmp_path / "out" / "trip_metrics.parquet")
    assert sorted(pd.unique(written["view"])) == ["all", "city-pd"]
    assert len(written) == 2 * len(sim.trips)
    shared = pd.read_csv(tmp_path / "out" / "views.csv")
    assert dict(zip(shared["view"], shared["rows_of"])) == {"all": "all", "city-pd": "city-pd", "fbi": "all",
                                                            "ice": "all"}
    back = read_run(tmp_path / "out")
    assert [name for name, _ in back.views] == ["all", "city-pd", "fbi", "ice"]
    for name, table in sim.views:
        pd.testing.assert_frame_equal(back.view_table(name).drop(columns="view"), table.drop(columns="view"),
                                      check_dtype=False)
        # each view's column names it alike, as one category, whether its rows are its own or shared, in memory
        # or read back
        for run in (sim, back):
            column = run.view_table(name)["view"]
            assert isinstance(column.dtype, pd.CategoricalDtype) and list(column.cat.categories) == [name]
            assert (column == name).all() and len(column) == len(sim.trips)
