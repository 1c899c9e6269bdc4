"""`curtain validate` accepts exactly what `curtain run` accepts, and `run` fails before any demand or traffic."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from sim import CurtainError
from sim.checks import check_scenario
from sim.cli import app
from sim.scenario import load_scenario

from conftest import PROJECT

SMALL = ["network.rows=6", "network.cols=6", "demand.trips=60", "cameras.count=4", "metrics.pair_samples=20"]
PATROLS = ["patrols=[{cars=2, prefix='p'}]"]
ACCESS = ["operators=[{name='city', retention_days=30}]", "agencies=[{name='police', access=['city']}]"]

#: name → (overrides on the small default scenario, a fragment of the one-line problem it must report)
BAD = {
    # (at most the roads there are, not "between 0 and": 0 is refused as no camera at all; spacing may allow fewer)
    "too many cameras": (["cameras.count=500"], "cameras.count = 500 but the network has 110 edges; choose a count "
                                                "of at most 110 (fewer where min_spacing_m keeps cameras apart)"),
    "no such jurisdiction": (["cameras.jurisdiction='bronx'"], "cameras.jurisdiction: no road has jurisdiction"),
    "too many beats": ([*PATROLS, "patrols.0.beats=99"], "patrols[0].beats = 99 is more than the 36"),
    "patrol prefix taken": (["patrols=[{cars=2, prefix='cam'}]"], "patrols[0].prefix: 'cam' is also the prefix"),
    "undeclared operator": ([*ACCESS, "cameras.operator='county'"], "camera operator(s) 'county' are not declared"),
    "what-if of a stranger": ([*ACCESS, "metrics.what_if_without=['nobody']"], "what_if_without names 'nobody'"),
    "what-if without access": (["operators=[]", "agencies=[]", "metrics.what_if_without=['city']"],
                               "what_if_without needs [[operators]]"),
    "district off the map": (["cameras.strategy='cordon'", "cameras.district={center=[1e9, 1e9], radius_m=10}"],
                             "contains no node of the network"),
}


def _run_error(scenario) -> str:
    """What `run` says, checking that it says it before building demand (the demand stage)."""
    import sim.pipeline
    from sim import simulate_scenario

    original = sim.pipeline.build_demand
    sim.pipeline.build_demand = lambda *a, **k: pytest.fail("run built the demand before reporting the problem")
    try:
        with pytest.raises(CurtainError) as info:
            simulate_scenario(scenario)
    finally:
        sim.pipeline.build_demand = original
    return str(info.value)


@pytest.mark.parametrize("case", sorted(BAD))
def test_validate_and_run_report_the_same_problem(case, tmp_path):
    overrides, fragment = BAD[case]
    scenario = load_scenario(overrides=SMALL + overrides)
    said_by_run = _run_error(scenario)
    assert fragment in said_by_run
    with pytest.raises(CurtainError) as info:
        check_scenario(scenario)
    assert str(info.value) == said_by_run
    result = CliRunner().invoke(app, ["validate", str(PROJECT / "scenarios" / "teaching-grid.toml"),
                                      *[a for o in SMALL + overrides for a in ("--set", o)]])
    assert result.exit_code != 0
    assert fragment.split(" ")[0] in result.output


def test_every_problem_is_reported_at_once():
    scenario = load_scenario(overrides=SMALL + BAD["too many cameras"][0] + BAD["no such jurisdiction"][0]
                             + ["patrols=[{cars=2, prefix='cam', beats=99, operator='city'}]"])
    message = _run_error(scenario)
    assert "3 problem(s)" in message
    for fragment in ("cameras.jurisdiction: no road has jurisdiction 'bronx'", "patrols[0].beats = 99",
                     "'cam' is also the prefix"):
        assert fragment in message


def test_a_trips_file_with_an_unknown_node_is_caught_by_validate(tmp_path):
    bad = tmp_path / "trips.csv"
    bad.write_text("trip_id,vehicle_id,origin,destination,depart_s\n0,0,0,99999,10\n")
    scenario = load_scenario(overrides=SMALL + ["demand.model='file'", f"demand.path='{bad}'"])
    with pytest.raises(CurtainError, match="trips.csv") as info:
        check_scenario(scenario)
    assert "demand.path" in str(info.value) and "destination is not a node of the network" in str(info.value)
    assert str(info.value) == _run_error(scenario)


def test_a_camera_file_missing_a_column_is_caught_by_validate(tmp_path):
    bad = tmp_path / "cams.csv"
    bad.write_text("camera_id,u,v\nc1,0,1\n")
    scenario = load_scenario(overrides=SMALL + ["cameras.strategy='file'", f"cameras.path='{bad}'"])
    with pytest.raises(CurtainError, match="cams.csv") as info:
        check_scenario(scenario)
    assert str(info.value) == _run_error(scenario)


@pytest.mark.parametrize("name", ["teaching-grid", "patrol-vs-fixed", "seattle-patrol", "interstate-corridor",
                                  "city-line", "river-city"])
def test_validate_accepts_every_library_scenario(name):
    result = CliRunner().invoke(app, ["validate", str(PROJECT / "scenarios" / f"{name}.toml")])
    assert result.exit_code == 0, result.output
    assert "checked" in result.output and "ok" in result.output


def test_row_errors_name_the_value_that_is_wrong(tmp_path):
    from sim import read_trips_csv
    from sim.generators import grid_network

    import numpy as np

    net = grid_network(4, 4, rng=np.random.default_rng(0))
    bad = tmp_path / "trips.csv"
    bad.write_text("trip_id,vehicle_id,origin,destination,depart_s\n0,0,0,5,10\n1,0,99999,5,20\n2,1,0,5,soon\n")
    with pytest.raises(CurtainError) as info:
        read_trips_csv(bad, net, np.random.default_rng(0))
    message = str(info.value)
    assert "trips.csv" in message
    assert "line 3 (99999): origin is not a node of the network" in message
    assert "line 4 ('soon'): depart_s must be" in message


def test_a_trips_file_without_a_problem_is_not_read_again_for_its_lines(tmp_path, monkeypatch):
    import csv

    from sim import read_trips_csv
    from sim.generators import grid_network

    import numpy as np

    def no_second_read(*args, **kwargs):
        raise AssertionError("the file was read again to find its lines")

    net = grid_network(4, 4, rng=np.random.default_rng(0))
    good = tmp_path / "trips.csv"
    good.write_text("trip_id,vehicle_id,origin,destination,depart_s\n0,0,0,5,10\n1,0,5,0,20\n")
    monkeypatch.setattr(csv, "reader", no_second_read)
    assert len(read_trips_csv(good, net, np.random.default_rng(0))) == 2
    monkeypatch.undo()
    bad = tmp_path / "bad.csv"
    bad.write_text("trip_id,vehicle_id,origin,destination,depart_s\n0,0,0,5,10\n\n1,0,5,99999,20\n")
    with pytest.raises(CurtainError, match=r"line 4 \(99999\): destination is not a node"):  # found when named
        read_trips_csv(bad, net, np.random.default_rng(0))


def test_departures_given_as_unix_times_are_refused_not_run_for_decades(tmp_path):
    """A trips file's days are those its departures span: Unix times (seconds since 1970, an easy mistake) made a
    run of 19,381 days, and 1e12 a run that never ended. Past a year (366 days) the file is refused by its lines;
    the last second of day 366 is still a departure."""
    from sim import read_trips_csv
    from sim.generators import grid_network

    import numpy as np

    net = grid_network(4, 4, rng=np.random.default_rng(0))
    bad = tmp_path / "trips.csv"
    bad.write_text("trip_id,vehicle_id,origin,destination,depart_s\n0,0,0,5,1674460800\n1,0,5,0,1e12\n"
                   f"2,1,0,5,{366 * 86400 - 1}\n")
    with pytest.raises(CurtainError) as info:
        read_trips_csv(bad, net, np.random.default_rng(0))
    message = str(info.value)
    assert "lines 2 (1674460800), 3 (1000000000000): depart_s is seconds after the scenario's start" in message
    assert "at most 366 days" in message and "19,380 or more days" in message and "Unix times?" in message
    assert "line 4" not in message
    bad.write_text("trip_id,vehicle_id,origin,destination,depart_s\n0,0,0,5,10\n"
                   f"1,0,5,0,{366 * 86400 - 1}\n")
    assert len(read_trips_csv(bad, net, np.random.default_rng(0))) == 2
    # an infinite departure is not a number of seconds (it was an internal error: helper-33)
    bad.write_text("trip_id,vehicle_id,origin,destination,depart_s\n0,0,0,5,inf\n1,0,5,0,10\n")
    with pytest.raises(CurtainError, match=r"line 2 \(inf\): depart_s must be a number of seconds >= 0"):
        read_trips_csv(bad, net, np.random.default_rng(0))


def test_csv_comment_lines_and_other_separators_are_named_not_read_as_missing_columns(tmp_path):
    """A '#' first line, ';' separators or a '#' line among the rows: each is named as such, with the header the
    file held, not as every required column missing (or three checks failing on a row of empty cells)."""
    from sim import read_trips_csv
    from sim.cameras import make_layout, read_cameras_csv
    from sim.generators import grid_network

    import numpy as np

    net = grid_network(4, 4, rng=np.random.default_rng(0))
    text = make_layout(net, np.array([0, 3]), read_rate=0.9).to_csv(index=False)
    header, *rows = text.splitlines()
    cases = {
        "first.csv": ("# exported from the explorer\n" + text, "first line starts with '#'"),
        "semi.csv": (text.replace(",", ";"), "separated by ';'? separate them by commas"),
        "middle.csv": ("\n".join([header, rows[0], "# the north cameras", rows[1]]) + "\n",
                       "line 3 ('# the north cameras'): starts with '#', but a CSV here has no comment lines"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_text(content)
        with pytest.raises(CurtainError, match=re.escape(message)) as info:
            read_cameras_csv(tmp_path / name, net)
        assert name in str(info.value) and "read_rate must be" not in str(info.value)
    (tmp_path / "ok.csv").write_text(text)
    assert len(read_cameras_csv(tmp_path / "ok.csv", net)) == 2
    # a whole row whose id starts with '#' is a camera, not a comment (helper-33)
    (tmp_path / "hash.csv").write_text("\n".join([header, "#12" + rows[0][rows[0].index(","):], rows[1]]) + "\n")
    assert read_cameras_csv(tmp_path / "hash.csv", net)["camera_id"].tolist()[0] == "#12"
    trips = tmp_path / "trips.csv"
    trips.write_text("# my trips\ntrip_id,vehicle_id,origin,destination,depart_s\n0,0,0,5,10\n")
    with pytest.raises(CurtainError, match=re.escape("the file's columns are '# my trips' (its first line starts")):
        read_trips_csv(trips, net, np.random.default_rng(0))


def test_a_trip_id_too_large_for_64_bits_is_refused_not_wrapped(tmp_path):
    from sim import read_trips_csv
    from sim.generators import grid_network

    import numpy as np

    net = grid_network(4, 4, rng=np.random.default_rng(0))
    bad = tmp_path / "trips.csv"
    bad.write_text("trip_id,vehicle_id,origin,destination,depart_s\n1e300,1,2,1,1.5\n9223372036854775808,2,2,1,1.5\n"
                   "7,3,2,1,1.5\n")
    with pytest.raises(CurtainError) as info:
        read_trips_csv(bad, net, np.random.default_rng(0))
    message = str(info.value)
    assert "1 problem(s)" in message and message.count("lines 2 (") == 1
    assert "), 3 (9223372036854775808): trip_id must be a whole number below 2**63" in message


def test_a_trips_file_with_a_cell_too_long_for_the_csv_module_still_gets_its_row_errors(tmp_path):
    """pandas reads a 200 kB cell (a note, a route); Python's csv module, which finds the file lines, stops at
    128 kB: the rows are then named by position ("data row 1"), not a crash of the csv module."""
    from sim import read_trips_csv
    from sim.generators import grid_network

    import numpy as np

    net = grid_network(4, 4, rng=np.random.default_rng(0))
    bad = tmp_path / "trips.csv"
    bad.write_text(f'trip_id,vehicle_id,origin,destination,depart_s,note\n0,0,0,5,-5,"{"x" * 200_000}"\n')
    with pytest.raises(CurtainError, match=r"data row 1 \(-5\): depart_s must be a number of seconds >= 0"):
        read_trips_csv(bad, net, np.random.default_rng(0))


def test_a_compressed_trips_file_names_its_lines_as_zcat_shows_them(tmp_path):
    """pandas reads trips.csv.gz (as .bz2, .xz): the lines named are those of the file decompressed."""
    import gzip

    from sim import read_trips_csv
    from sim.generators import grid_network

    import numpy as np

    net = grid_network(4, 4, rng=np.random.default_rng(0))
    bad = tmp_path / "trips.csv.gz"
    bad.write_bytes(gzip.compress(b"trip_id,vehicle_id,origin,destination,depart_s\n0,0,0,5,10\n\n1,0,99999,5,20\n"))
    with pytest.raises(CurtainError, match=r"line 4 \(99999\): origin is not a node of the network"):
        read_trips_csv(bad, net, np.random.default_rng(0))


def test_no_silent_empty_runs(tmp_path):
    """No camera and no patrol car is an error unless the scenario opts in; an all-unsnapped file names the distance."""
    empty = load_scenario(overrides=SMALL + ["cameras.count=0"])
    with pytest.raises(CurtainError, match="no camera and no patrol car.*cameras.allow_empty = true"):
        check_scenario(empty)
    assert "no camera and no patrol car" in _run_error(empty)
    check_scenario(load_scenario(overrides=SMALL + ["cameras.count=0", "cameras.allow_empty=true"]))
    check_scenario(load_scenario(overrides=SMALL + ["cameras.count=0",
                                                    "patrols=[{cars=2, prefix='p', operator='city'}]"]))  # readers

    far = tmp_path / "far.geojson"
    far.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": 1}, '
                   '"geometry": {"type": "Point", "coordinates": [10.0, 10.0]}}]}')
    placed = ["network.point=[40.0, -75.0]"]  # a synthetic city takes longitude/latitude only once placed
    scenario = load_scenario(overrides=SMALL + placed + ["cameras.strategy='file'", f"cameras.path='{far}'"])
    with pytest.raises(CurtainError, match=r"far.geojson: none of its 1 cameras is within max_snap_m = 50 m") as info:
        check_scenario(scenario)
    assert "m away" in str(info.value)
    unplaced = load_scenario(overrides=SMALL + ["cameras.strategy='file'", f"cameras.path='{far}'"])
    with pytest.raises(CurtainError, match=r"far.geojson gives longitude/latitude, but the network is a synthetic "
                                           r"city .* set network.point = \[lat, lon\]"):
        check_scenario(unplaced)
    nothing = tmp_path / "nothing.geojson"
    nothing.write_text('{"type": "FeatureCollection", "features": []}')
    scenario = load_scenario(overrides=SMALL + ["cameras.strategy='file'", f"cameras.path='{nothing}'"])
    with pytest.raises(CurtainError, match="no camera and no patrol car"):
        check_scenario(scenario)


def test_a_camera_file_problem_has_a_heading_of_its_own(tmp_path):
    """A problem in a camera file is not a problem "with the network": it is reported under its own heading, after
    the network's own problems."""
    bad = tmp_path / "cams.csv"
    bad.write_text("camera_id,u,v\nc1,0,1\n")
    groups = "camera_groups=[{strategy='random', count=500, prefix='b', operator='city'}]"
    scenario = load_scenario(overrides=SMALL + ["cameras.strategy='file'", f"cameras.path='{bad}'", groups])
    message = _run_error(scenario)
    lines = message.splitlines()
    assert lines[0].startswith("teaching-grid: 1 problem(s) with the scenario on its network (36 intersections")
    assert lines[1].startswith("  camera_groups[0].count: cameras.count = 500 but the network has")
    assert lines[2] == "teaching-grid: 1 problem(s) with the camera file(s):"
    assert lines[3].startswith(f"  cameras.path: {bad}: camera table lacks column(s) key")
    alone = _run_error(load_scenario(overrides=SMALL + ["cameras.strategy='file'", f"cameras.path='{bad}'"]))
    assert alone.startswith("teaching-grid: 1 problem(s) with the camera file(s):\n") and "network" not in alone


def test_cameras_that_do_not_fit_their_spacing_are_refused_by_validate_as_by_run():
    """A ranking that is not by traffic is placed by `validate` as `run` places it: too many cameras for their
    spacing are refused by both, in the same words, naming the group as the scenario does (not by our id prefix)."""
    from sim import simulate_scenario

    scenario = load_scenario(overrides=SMALL + ["cameras.count=40", "cameras.min_spacing_m=400"])
    with pytest.raises(CurtainError) as by_run:
        simulate_scenario(scenario)
    with pytest.raises(CurtainError) as by_validate:
        check_scenario(scenario)
    assert str(by_validate.value) == str(by_run.value)
    assert re.fullmatch(r"teaching-grid: cameras: only \d+ of 40 cameras fit 400 m apart \(betweenness, "
                        r"site = 'intersection'\); lower min_spacing_m or the count", str(by_run.value))
    fits = load_scenario(overrides=SMALL + ["cameras.count=3", "cameras.min_spacing_m=400"])
    assert "the 3 cameras of [cameras] placed ≥ 400 m apart" in check_scenario(fits)
    by_traffic = load_scenario(overrides=SMALL + ["cameras.strategy='volume'", "cameras.count=40",
                                                  "cameras.min_spacing_m=400"])
    assert "checked by `curtain run` once the trips are routed" in check_scenario(by_traffic)


def test_a_missing_camera_file_says_where_one_comes_from():
    """A teacher running the classroom example before exporting the explorer's layout is told where it comes from."""
    scenario = load_scenario(PROJECT / "scenarios" / "examples" / "classroom-sharing.toml",
                             overrides=["cameras.path='no-such-cameras.csv'"])
    with pytest.raises(CurtainError) as info:
        check_scenario(scenario)
    assert re.search(r"no-such-cameras\.csv: camera file not found; a camera CSV is a run's cameras\.csv, the "
                     r"explorer's \"export this layout as cameras\.csv\" \(docs/classroom\.md\)", str(info.value))


def test_a_route_free_group_before_one_ranked_by_traffic_is_placed_by_validate_too():
    """Groups draw from the cameras stream in order: those before the first group ranked by traffic are placed by
    `validate` with the run's own draws, so one that cannot fit its spacing is refused by both (helper-34)."""
    from sim import simulate_scenario

    mixed = SMALL + ["cameras.strategy='random'", "cameras.count=40", "cameras.min_spacing_m=400",
                     "camera_groups=[{strategy='volume', count=2, prefix='v', operator='city'}]"]
    scenario = load_scenario(overrides=mixed)
    with pytest.raises(CurtainError) as by_run:
        simulate_scenario(scenario)
    with pytest.raises(CurtainError) as by_validate:
        check_scenario(scenario)
    assert str(by_validate.value) == str(by_run.value)
    assert "cameras: only" in str(by_run.value) and "of 40 cameras fit 400 m apart (random" in str(by_run.value)
    fits = load_scenario(overrides=[*mixed[:-3], "cameras.count=3", *mixed[-2:]])
    said = check_scenario(fits)
    assert "the 3 cameras of [cameras] placed ≥ 400 m apart" in said
    assert "whether the 2 cameras of camera_groups[0] fit their min_spacing_m is checked by `curtain run`" in said


def test_a_scenario_read_from_a_file_is_named_by_its_file_in_its_problems(tmp_path):
    """helper-35 copied teaching-grid.toml to node_bad.toml and broke it: the problems named "teaching-grid", a
    file it had not touched. A scenario read from a file is named by that file; the built-in one by its name."""
    path = tmp_path / "node_bad.toml"
    path.write_text('name = "teaching-grid"\n[network]\nsource = "synthetic"\nkind = "grid"\nrows = 6\ncols = 6\n'
                    "[cameras]\ncount = 5\ndistrict = {nodes = [99999]}\n")
    message = _run_error(load_scenario(path))
    assert message.startswith(f"{path}: 1 problem(s) with the scenario on its network (36 intersections"), message
    assert "district.nodes: [99999] are not nodes of the network" in message
