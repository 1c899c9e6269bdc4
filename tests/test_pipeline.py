"""The pipeline's seams: stages callable alone, a run folder read back, figures redrawn without simulating."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import load_scenario, run_scenario, simulate_scenario
from sim.cli import app
from sim.io.run import read_run

from conftest import PROJECT, small_scenario


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("pipeline") / "run"
    scenario = small_scenario("output.figures=true")
    run_scenario(scenario, out)
    return out, simulate_scenario(scenario)


def test_read_run_gives_back_the_network_and_every_table(written):
    out, sim = written
    back = read_run(out)
    for name in ("x", "y", "edge_u", "edge_v", "edge_key", "edge_length", "edge_time"):
        assert np.array_equal(getattr(back.net, name), getattr(sim.net, name)), name
    assert list(back.net.nodes) == list(sim.net.nodes)
    assert back.net.crs == sim.net.crs
    assert np.array_equal(back.routes.offsets, sim.routes.offsets)
    assert np.array_equal(back.routes.edges, sim.routes.edges)
    assert np.array_equal(back.routes.travel_time, sim.routes.travel_time)
    pd.testing.assert_frame_equal(back.trips, sim.trips.reset_index(drop=True), check_exact=True)
    pd.testing.assert_frame_equal(back.reads, sim.reads, check_exact=True)
    pd.testing.assert_frame_equal(back.trip_table, sim.trip_table, check_exact=True)
    assert back.metrics["n_reads"] == len(sim.reads)
    assert set(back.tables) == set(sim.tables)
    assert set(back.visible) == set(sim.visible)
    for agency, mask in sim.visible.items():
        assert np.array_equal(back.visible[agency], mask)


def test_curtain_plot_redraws_the_same_figures_without_simulating(written, monkeypatch, tmp_path):
    out, _ = written
    before = {p.name: p.read_bytes() for p in (out / "figures").iterdir()}
    for p in (out / "figures").iterdir():
        p.unlink()
    (out / "report.html").unlink()

    def refuse(*args, **kwargs):
        raise AssertionError("curtain plot simulated")

    import sim.pipeline
    import sim.runner
    import sim.stages.traffic

    monkeypatch.setattr(sim.runner, "simulate_scenario", refuse)
    monkeypatch.setattr(sim.pipeline, "run_traffic", refuse)
    monkeypatch.setattr(sim.pipeline, "build_demand", refuse)
    monkeypatch.setattr(sim.stages.traffic, "drive", refuse)
    result = CliRunner().invoke(app, ["plot", str(out)])
    assert result.exit_code == 0, result.output
    after = {p.name: p.read_bytes() for p in (out / "figures").iterdir()}
    assert set(after) == set(before) and len(after) >= 4
    # drawn from the files, the figures are the ones drawn from memory, byte for byte
    assert after == before
    assert (out / "report.html").is_file()


def test_read_run_refuses_a_folder_that_is_not_a_run(tmp_path):
    from sim import OutputError

    (tmp_path / "scenario.toml").write_text("")
    with pytest.raises(OutputError, match="missing nodes.parquet"):
        read_run(tmp_path)


def test_the_stages_compose_by_hand_as_simulate_scenario_does():
    """A notebook can run the stages one by one and get the run's own reads."""
    from sim import build_demand, build_network, observe, place_readers, route_trips, run_traffic
    from sim.seeds import stage_rngs

    scenario = small_scenario()
    rngs = stage_rngs(scenario.seed)
    net = build_network(scenario, rngs["network"])
    demand = build_demand(scenario, net, rngs)
    routed = route_trips(scenario, net, demand.trips, rngs)
    cameras = place_readers(scenario, routed.net, routed.routes, rngs, demand.pilot_cameras)
    traffic = run_traffic(scenario, demand.trips, routed, cameras, rngs)
    reads = observe(scenario, cameras.layout, traffic, rngs)
    assert reads.lost_to_outages is None
    pd.testing.assert_frame_equal(reads.table, simulate_scenario(scenario).reads, check_exact=True)


def test_reads_do_not_depend_on_chunking_in_memory_or_streamed(grid10, tmp_path):
    """One reads writer: the same seed gives the same reads whether made at once or streamed day by day."""
    import datetime

    from sim.cameras import make_layout
    from sim.demand import population_trips
    from sim.routing import fastest_routes
    from sim.reads import read_passes, stream_reads, written_reads
    from sim.traffic import drive

    trips, _ = population_trips(grid10, 200, 3, np.random.default_rng(1))
    routes = fastest_routes(grid10, grid10.node_indices(trips["origin"]), grid10.node_indices(trips["destination"]))
    layout = make_layout(grid10, np.arange(0, grid10.n_edges, 3), read_rate=0.8, misread_rate=0.05)
    traffic = drive(grid10, trips, routes, layout)
    start = datetime.datetime(2023, 1, 23)
    in_memory = read_passes(traffic.passes, traffic.trips, layout, start, np.random.default_rng(9), duplicate_rate=0.1)
    counts = stream_reads(traffic.passes, traffic.trips, layout, start, np.random.default_rng(9),
                          str(tmp_path / "reads.parquet"), duplicate_rate=0.1)
    streamed = pd.read_parquet(tmp_path / "reads.parquet")
    assert len(counts) == 3 and sum(counts) == len(in_memory)
    # (held with categorical cameras and directions, written as text: the same reads either way)
    assert isinstance(in_memory["camera_id"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(streamed, written_reads(in_memory), check_exact=True)
    truth = traffic.trips["plate"].to_numpy()[pd.Index(traffic.trips["trip_id"]).get_indexer(in_memory["trip_id"])]
    assert (in_memory["plate_read"] != truth).any()  # misreads and duplicates were drawn, so the check has teeth
    assert in_memory["read_id"].tolist() == list(range(len(in_memory)))


def test_reads_keep_a_direction_of_their_own_passes_in_memory_on_file_and_read_back(tmp_path):
    """A direction outside READ_DIRECTIONS (passes of one's own) is kept, not made missing by the categorical: on
    one day only, the days' reads still join as one categorical; written and held again, the same reads."""
    import datetime

    from sim.io.run import write_reads
    from sim.reads import READ_DIRECTIONS, held_reads, read_passes

    layout = pd.DataFrame({"camera_id": ["b", "a"], "read_rate": [1.0, 1.0], "misread_rate": [0.0, 0.0]})
    trips = pd.DataFrame({"trip_id": [10, 11], "vehicle_id": [1, 2], "plate": ["AAA111", "BBB222"]})
    passes = pd.DataFrame({"trip": [0, 1, 0], "camera": [0, 1, 1], "edge": [3, 4, 5],
                           "backward": [False, True, False], "time_s": [1.0, 2.0, 90_000.0],
                           "direction": np.array(["northbound", None, "oncoming"], dtype=object)})
    reads = read_passes(passes, trips, layout, datetime.datetime(2023, 1, 23), np.random.default_rng(0))
    assert "northbound" not in READ_DIRECTIONS
    assert reads["direction"].astype(object).tolist() == ["northbound", "backward", "oncoming"]
    assert isinstance(reads["direction"].dtype, pd.CategoricalDtype)  # (two days, two sets of directions: joined)
    assert reads["camera_id"].astype(object).tolist() == ["b", "a", "a"]
    write_reads(reads, tmp_path / "reads.parquet")
    for dictionary in ([], ["camera_id", "direction"]):  # (read as text, or as read_run reads it: Arrow dictionaries)
        back = held_reads(pd.read_parquet(tmp_path / "reads.parquet", read_dictionary=dictionary), layout["camera_id"])
        pd.testing.assert_frame_equal(back, reads, check_exact=True)


def test_reads_written_day_by_day_type_a_column_by_all_its_days(tmp_path):
    """A column of Python objects is typed by every read's value, as the whole table would be, not by its first
    day's: a first day of None alone does not make the file refuse the next day's numbers."""
    import pyarrow as pa

    from sim.io.run import write_reads
    from sim.reads import held_reads, written_reads

    reads = held_reads(pd.DataFrame({
        "camera_id": ["b", "a", "b"], "time_s": [1.0, 90_000.0, 90_001.0], "direction": ["forward"] * 3,
        "speed": np.array([None, 12.5, None], dtype=object), "lane": np.array([None, None, 2], dtype=object)}),
        ["a", "b"])
    write_reads(reads, tmp_path / "reads.parquet")
    whole = pa.Table.from_pandas(written_reads(reads), preserve_index=False).to_pandas()
    back = pd.read_parquet(tmp_path / "reads.parquet")
    pd.testing.assert_frame_equal(back, whole, check_exact=True)
    assert back["speed"].tolist()[1] == 12.5 and back["lane"].tolist()[2] == 2


def test_streamed_reads_pass_over_a_day_without_reads(tmp_path):
    """A day without reads (no passes that day) is no row group, streamed or written whole: the same reads, where
    streaming used to type that day's empty columns null and refuse the next day's."""
    import datetime

    import pyarrow.parquet as pq

    from sim.io.run import write_reads
    from sim.reads import read_passes, stream_reads

    passes = pd.DataFrame({"trip": [0, 0], "camera": [0, 0], "edge": [3, 3], "backward": [False, False],
                           "time_s": [100.0, 190_000.0]})
    trips = pd.DataFrame({"trip_id": [0], "vehicle_id": [0], "plate": ["ABC1234"]})
    layout = pd.DataFrame({"camera_id": ["c"], "read_rate": [1.0], "misread_rate": [0.0]})
    start = datetime.datetime(2023, 1, 23)
    counts = stream_reads(passes, trips, layout, start, np.random.default_rng(0), str(tmp_path / "streamed.parquet"))
    write_reads(read_passes(passes, trips, layout, start, np.random.default_rng(0)), tmp_path / "whole.parquet")
    assert counts == [1, 0, 1]
    assert pq.ParquetFile(tmp_path / "streamed.parquet").metadata.num_row_groups == 2
    assert pq.ParquetFile(tmp_path / "whole.parquet").metadata.num_row_groups == 2
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "streamed.parquet"),
                                  pd.read_parquet(tmp_path / "whole.parquet"), check_exact=True)


def test_a_registered_metric_reaches_the_run_and_every_agency_and_not_applicable_becomes_a_reason():
    """One registry: a metric registered once is computed for the run and for each agency by the same code."""
    from sim import NotApplicable, metric
    from sim.metrics.registry import METRICS

    seen_views = []

    @metric("test_reads_held", "run", "agency")
    def _held(run, view, rng, done):
        seen_views.append(view.name)
        return {"test_reads_held": len(view.reads)}

    @metric("test_never", "run")
    def _never(run, view, rng, done):
        raise NotApplicable("needs something this run lacks")

    two_operators = ["operators=[{name='city', retention_days=30}, {name='county', retention_days=30}]",
                     "camera_groups=[{strategy='random', count=6, operator='county', prefix='cty'}]"]
    try:
        sim = simulate_scenario(small_scenario(*two_operators))
    finally:
        del METRICS["test_reads_held"], METRICS["test_never"]
    assert sim.metrics["test_reads_held"] == len(sim.reads)
    assert sim.metrics["test_never"] is None
    assert sim.metrics["test_never_reason"] == "needs something this run lacks"
    mask = sim.visible["city-police"]
    assert 0 < mask.sum() < len(mask)  # the police see the city's cameras, not the county's
    assert sim.metrics["agencies"]["city-police"]["test_reads_held"] == int(mask.sum())
    assert seen_views == ["all", "city-police"]


def test_the_stage_table_of_the_architecture_doc_is_the_pipelines():
    """docs/architecture.md's table of stages, modules and random streams is :data:`sim.pipeline.STAGES`."""
    import importlib

    from sim.pipeline import STAGES
    from sim.seeds import STREAMS

    text = (PROJECT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("| stage | module | streams |", 1)[1].split("\n\n", 1)[0].strip().splitlines()[1:]
    rows = [[cell.strip().strip("`") for cell in line.strip("|").split("|")] for line in table]
    documented = [(name, module, tuple(s.strip() for s in streams.split(",") if s.strip()))
                  for name, module, streams in rows]
    assert documented == [(s.name, s.module, s.streams) for s in STAGES]
    for stage in STAGES:
        importlib.import_module(stage.module)
        assert set(stage.streams) <= set(STREAMS), stage
    # every stream a stage draws from is declared; the two never drawn keep their places in the seed's children
    used = {s for stage in STAGES for s in stage.streams}
    assert set(STREAMS) - used == {"reconstruct", "metrics"}


def test_a_stage_is_handed_only_its_own_streams(monkeypatch):
    """A stage that drew from a stream its row of STAGES does not name would fail, not draw silently."""
    import dataclasses

    import sim.pipeline

    scenario = load_scenario(PROJECT / "scenarios" / "patrol-vs-fixed.toml",
                             overrides=["demand.trips=200", "demand.days=1"])
    stages = tuple(dataclasses.replace(s, streams=()) if s.name == "traffic" else s for s in sim.pipeline.STAGES)
    monkeypatch.setattr(sim.pipeline, "STAGES", stages)
    with pytest.raises(KeyError, match="patrols"):
        simulate_scenario(scenario)


def test_the_passes_and_the_demands_trips_are_freed_before_the_metrics(monkeypatch):
    """Once read, the traffic's passes are held by nothing, nor, once driven, the demand's own trips table: by
    the metrics stage the arrays behind their columns are gone (weak references to them are dead). An empty
    slice of a table (``iloc[:0]``) is a view that would keep every column's array alive."""
    import gc
    import weakref

    import sim.pipeline
    import sim.stages.traffic

    kept: dict[str, list[weakref.ref]] = {}

    def roots(table: pd.DataFrame) -> list[weakref.ref]:
        out = []
        for column in table.columns:
            array = np.asarray(table[column].array) if table[column].dtype != object else None
            while array is not None and isinstance(array.base, np.ndarray):
                array = array.base
            if array is not None and array.size:
                out.append(weakref.ref(array))
        return out

    drive, score = sim.stages.traffic.drive, sim.pipeline.score

    def watched_drive(net, trips, *args, **kwargs):
        kept["trips"] = roots(trips)
        traffic = drive(net, trips, *args, **kwargs)
        kept["passes"] = roots(traffic.passes)
        return traffic

    def watched_score(*args, **kwargs):
        gc.collect()
        kept["alive"] = [name for name in ("trips", "passes") if any(ref() is not None for ref in kept[name])]
        return score(*args, **kwargs)

    monkeypatch.setattr(sim.stages.traffic, "drive", watched_drive)
    monkeypatch.setattr(sim.pipeline, "score", watched_score)
    simulate_scenario(small_scenario("traffic.engine='compiled'"))
    assert kept["trips"] and kept["passes"]  # (something was watched)
    assert kept["alive"] == []


def test_a_run_with_numbered_cameras_reads_back_with_every_read_on_a_camera_of_the_layout(tmp_path):
    """A layout made in Python may number its cameras; cameras.csv gives the ids back as text, and the reads'
    ids come back as the same text (read_run refused them: 100 'cannot join the categories 100, 101, …')."""
    from sim import write_run

    sim = simulate_scenario(load_scenario(overrides=["network.rows=6", "network.cols=6", "demand.trips=200",
                                                     "cameras.count=5"]))
    number = dict(zip(sim.layout["camera_id"], range(100, 100 + len(sim.layout))))
    sim.layout["camera_id"] = sim.layout["camera_id"].map(number).astype("int64")
    sim.reads["camera_id"] = sim.reads["camera_id"].map(number).astype("int64")
    write_run(sim, tmp_path)
    back = read_run(tmp_path)
    assert back.reads["camera_id"].astype(str).tolist() == [str(n) for n in sim.reads["camera_id"]]
    assert set(back.reads["camera_id"]) <= set(back.layout["camera_id"])


def test_a_day_without_passes_leaves_the_plates_as_text(grid10):
    """Passes on the first and third days only: the reads' plates are text, as on any run (the empty day's
    column of objects made every plate a Python object, and reconstruction took its slow path for objects)."""
    import datetime

    from sim.cameras import make_layout
    from sim.reads import read_passes

    layout = make_layout(grid10, np.arange(4), read_rate=1.0)
    passes = pd.DataFrame({"trip": [0, 1], "camera": [0, 1], "edge": [0, 1], "backward": [False, False],
                           "time_s": [100.0, 2 * 86_400 + 5]})
    trips = pd.DataFrame({"trip_id": [0, 1], "vehicle_id": [0, 1], "plate": ["ABC1234", "XYZ9876"]})
    reads = read_passes(passes, trips, layout, datetime.datetime(2023, 1, 23), np.random.default_rng(0))
    one_day = read_passes(passes.iloc[:1], trips, layout, datetime.datetime(2023, 1, 23), np.random.default_rng(0))
    assert reads["plate_read"].tolist() == ["ABC1234", "XYZ9876"] and reads["read_id"].tolist() == [0, 1]
    assert reads["plate_read"].dtype == one_day["plate_read"].dtype != object
