"""One simulation on several Dask workers: the same metrics.json and reads whatever the number of workers."""

from __future__ import annotations

import json
import os
from importlib import import_module

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, simulate_scenario
from sim.io.run import plain
from sim.shard import plate_blocks, shard_map, usable_cpus, workers

OVERRIDES = ["network.rows=10", "network.cols=10", "demand.model='population'", "demand.vehicles=300",
             "demand.days=2", "cameras.count=15", "metrics.pair_samples=50"]


def _fingerprint(sim) -> tuple[str, pd.DataFrame]:
    metrics = {k: v for k, v in sim.metrics.items() if k != "versions"}
    return json.dumps(plain(metrics), sort_keys=True), sim.reads


def _counted_run(scenario):
    """The run's fingerprint and the last count of each unit the progress bar was sent."""
    from sim.progress import listening

    events = []
    with listening(lambda unit, done, total: events.append((unit, done, total))):
        sim = simulate_scenario(scenario)
    last = {}
    for unit, done, total in events:
        assert done >= last.get(unit, (0, 0))[0] or done == 0  # counts only grow (a new block starts at 0)
        last[unit] = (done, total)
    return _fingerprint(sim), last, sim


def test_vehicle_blocks_give_the_passes_of_one_run(grid10, monkeypatch):
    from sim.cameras import make_layout
    from sim.demand import population_trips
    from sim.routing import choose_routes
    from sim.traffic import ENGINES, drive

    trips, _ = population_trips(grid10, 200, 2, np.random.default_rng(5))
    routes = choose_routes(grid10, grid10.node_indices(trips["origin"]), grid10.node_indices(trips["destination"]),
                           noise=0.2, rng=np.random.default_rng(6))
    layout = make_layout(grid10, np.arange(0, grid10.n_edges, 5), read_rate=1.0)
    for engine in ENGINES:
        whole = drive(grid10, trips, routes, layout, engine=engine)
        monkeypatch.setattr("sim.shard.VEHICLES_PER_SHARD", 7)  # 29 blocks of 7 vehicles
        blocks = drive(grid10, trips, routes, layout, engine=engine)
        monkeypatch.undo()
        pd.testing.assert_frame_equal(whole.trips, blocks.trips, check_exact=True)
        pd.testing.assert_frame_equal(whole.passes, blocks.passes, check_exact=True)


@pytest.mark.parametrize("sample", ["'all'", "100"])
@pytest.mark.parametrize("n", [1, 2])
def test_one_or_two_workers_give_the_run_in_this_process(n, sample, monkeypatch):
    """Also with the routes of 100 of the 300 vehicles kept (``route_sample``: the others routed in chunks)."""
    monkeypatch.setattr("sim.shard.VEHICLES_PER_SHARD", 40)  # several traffic shards, 8 route-class shards
    monkeypatch.setattr("sim.shard.READS_PER_BLOCK", 60)  # blocks of plates to draw
    monkeypatch.setattr("sim.shard.TRIPS_PER_BLOCK", 500)  # blocks of the per-trip table
    scenario = load_scenario(overrides=[*OVERRIDES, f"metrics.route_sample={sample}"])
    alone = simulate_scenario(scenario)
    here = _fingerprint(alone)
    with workers(n) as client:
        assert (client is None) == (n == 1)
        if client is None:
            there, counts, sim = _counted_run(scenario)
        else:
            from dask.distributed import get_task_stream

            with get_task_stream(client) as stream:
                there, counts, sim = _counted_run(scenario)
            ran_on = {task["worker"] for task in stream.data}
            assert len(stream.data) >= 8 + 8  # route classes (pilot and run) and vehicle blocks ran as tasks
            ran = " ".join(str(task["key"]) for task in stream.data)
            # the reads of each day, reconstruction's and the person metrics' blocks of plates, and blocks of trips
            assert all(name in ran for name in ("_read_chunk", "_block_trips", "block_census", "block_points",
                                                "block_holders", "_block_places", "_block_counts", "_block_scores",
                                                "_trip_block"))
            assert len(ran_on) == 2
    # the progress counts reach their totals, whether shards ran here or on workers
    n_trips = len(sim.trips)
    assert counts["trips routed"] == (n_trips, n_trips) and counts["trips driven"] == (n_trips, n_trips)
    passes = counts["camera passes (read or missed)"]
    assert passes[0] == passes[1] >= len(sim.reads) > 0
    assert ("route_sample" in json.loads(there[0])) == (sample == "100")
    assert there[0] == here[0]  # metrics.json, byte for byte
    pd.testing.assert_frame_equal(there[1], here[1], check_exact=True)
    # run.json's "shards": each kind ran as many tasks here as on the workers, each timed where it ran: a day of
    # reads per task (2 days); the person metrics' six rounds over the blocks of whole plates of about 60
    # sightings (census, points drawn, their holders, homes and workplaces, next-camera counts, their scores)
    assert {k: v["tasks"] for k, v in sim.shards.items()} == {k: v["tasks"] for k, v in alone.shards.items()}
    assert sim.shards["sim.reads._read_chunk"]["tasks"] == 2
    code = sim.recon.key_codes()[0][np.unique(sim.recon.sighting, return_index=True)[1]]
    n_blocks = len(plate_blocks(np.sort(code[code >= 0]), 60))
    assert n_blocks > 10
    assert all(sim.shards[f"sim.metrics.{name}"]["tasks"] == n_blocks
               for name in ("traces.block_census", "traces.block_points", "traces.block_holders",
                            "person._block_places", "predictability._block_counts", "predictability._block_scores"))
    assert all(0 <= v["longest_s"] <= v["seconds"] for v in sim.shards.values())


def test_two_workers_keep_dasks_log_off_the_terminal(tmp_path):
    """`curtain run --workers 2` prints the run, not the Dask scheduler's INFO lines."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "sim.cli", "run", "--workers", "2", "-o", str(tmp_path / "out"),
                           *[x for o in OVERRIDES for x in ("--set", o)]], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "INFO:distributed" not in done.stderr and "Scheduler at" not in done.stderr, done.stderr[:500]


def _same_reconstruction(a, b) -> None:
    pd.testing.assert_frame_equal(a.trips, b.trips, check_exact=True)
    for name in ("read_recon", "plate_key", "sighting"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for name in ("offsets", "edges", "travel_time"):
        np.testing.assert_array_equal(getattr(a.routes, name), getattr(b.routes, name))


@pytest.mark.parametrize("inference", ["fastest", "time_matched"])
def test_routes_drawn_in_blocks_of_plates_are_the_routes_drawn_at_once(inference, monkeypatch):
    """Blocks of 7 reads (dozens of blocks, each a whole plate or more) rebuild exactly the trips, ids and
    routes one block does, with misreads matched across the whole table first."""
    from sim.reconstruct import reconstruct

    scenario = load_scenario(overrides=[*OVERRIDES, "cameras.misread_rate=0.05"])
    sim = simulate_scenario(scenario)
    assert sim.reads["plate_read"].nunique() > 20
    whole = reconstruct(sim.reads, sim.net, route_inference=inference)
    monkeypatch.setattr("sim.shard.READS_PER_BLOCK", 7)
    blocks = reconstruct(sim.reads, sim.net, route_inference=inference)
    _same_reconstruction(whole, blocks)
    assert whole.routes.edges.size > len(sim.reads)  # paths were drawn between reads, not only the read edges


@pytest.mark.parametrize("sample", ["'all'", "100"])
def test_per_trip_tables_in_blocks_of_trips_are_the_table_at_once(sample, monkeypatch):
    """Blocks of 7 trips (hundreds of blocks; the reconstructions credited to each block's trips go with it)
    give exactly the per-trip table one block does: recall, precision, end errors and lags, with misreads
    matched, and with only a sample's routes kept."""
    from sim.metrics import trip_metrics

    scenario = load_scenario(overrides=[*OVERRIDES, "cameras.misread_rate=0.05", f"metrics.route_sample={sample}"])
    sim = simulate_scenario(scenario)
    whole = trip_metrics(sim.trips, sim.routes, sim.reads, sim.recon, sim.net)
    monkeypatch.setattr("sim.shard.TRIPS_PER_BLOCK", 7)
    blocks = trip_metrics(sim.trips, sim.routes, sim.reads, sim.recon, sim.net)
    pd.testing.assert_frame_equal(whole, blocks, check_exact=True)
    assert len(whole) > 7 * 100 and (whole["route_recall"] > 0).sum() > 100  # many blocks, many credited
    assert whole["origin_error_m"].notna().sum() > 100
    assert whole["route_recall"].isna().any() == (sample == "100")  # outside the sample: no routes to compare


def test_plate_blocks_hold_whole_plates_and_cover_every_read():

    plate = np.sort(np.random.default_rng(3).integers(0, 40, 500))
    for size in (1, 7, 50, 499, 10_000):
        blocks = plate_blocks(plate, size)
        assert blocks[0][0] == 0 and blocks[-1][1] == len(plate)
        assert all(b == c for (_, b), (c, _) in zip(blocks[:-1], blocks[1:]))  # contiguous
        # no plate's reads in two blocks, and no block smaller than asked unless it is the last
        assert all(plate[b - 1] != plate[b] for _, b in blocks[:-1])
        assert all(b - a >= size for a, b in blocks[:-1])
    assert len(plate_blocks(plate, 1)) == 40  # one block per plate
    assert plate_blocks(np.zeros(0, np.int64), 5) == []
    with pytest.raises(ValueError, match="at least one read"):
        plate_blocks(plate, 0)


def test_person_metrics_in_blocks_of_plates_are_the_person_metrics_at_once(monkeypatch):
    """Uniqueness drawn, homes and work places guessed and next cameras predicted in blocks of whole plates of
    about 7 sightings (public ``guess_places`` in blocks of 4 plates' codes): the same metrics.json (five days,
    so every one is scored), and the same rows of predictability.parquet and vehicle_uniqueness.parquet."""
    scenario = load_scenario(overrides=[*OVERRIDES, "demand.days=5"])
    sim = simulate_scenario(scenario)
    whole = _fingerprint(sim)[0]
    monkeypatch.setattr(import_module("sim.metrics.person"), "PLATES_PER_BLOCK", 4)
    monkeypatch.setattr("sim.shard.READS_PER_BLOCK", 7)
    blocked = simulate_scenario(scenario)
    scored = json.loads(whole)
    assert scored["n_vehicles_scored"] > 20 and scored["n_workers_scored"] > 20
    assert scored["next_camera_top1_accuracy_n"] > 100
    assert _fingerprint(blocked)[0] == whole
    for table in ("predictability", "vehicle_uniqueness"):
        pd.testing.assert_frame_equal(sim.tables[table], blocked.tables[table], check_exact=True)
    assert scored["uniqueness_k2_n"] > 100 and 0 < scored["uniqueness_k2"] < 1


@pytest.mark.parametrize("size", [7, 1_000_000])
def test_misread_scores_in_blocks_of_reads_are_the_plates_compared_one_by_one(size, monkeypatch):
    """Misreads recovered and matches wrong, scored in blocks of 7 reads (each block's plates factorized on its
    own) or in one, are the counts of comparing each read's three plates as text, read by read."""
    from sim.metrics.quality import misread_matching

    scenario = load_scenario(overrides=[*OVERRIDES, "cameras.misread_rate=0.1", "reconstruct.misread_tolerance=true"])
    sim = simulate_scenario(scenario)
    monkeypatch.setattr("sim.shard.READS_PER_BLOCK", size)
    scores = misread_matching(sim.reads, sim.trips, sim.recon)
    true_plate = sim.trips.drop_duplicates("vehicle_id").set_index("vehicle_id")["plate"]
    as_read = sim.reads["plate_read"].tolist()
    true = true_plate.reindex(sim.reads["vehicle_id"]).tolist()
    key = sim.recon.plate_key.tolist()
    misread = [r != t for r, t in zip(as_read, true)]
    moved = [k != r for k, r in zip(key, as_read)]
    assert scores["n_misreads"] == sum(misread) > 50
    assert scores["n_matched"] == sum(moved) > 20
    recovered = [k == t for k, t, m in zip(key, true, misread) if m]
    wrong = [k != t for k, t, m in zip(key, true, moved) if m]
    assert scores["share_misreads_recovered"] == pytest.approx(sum(recovered) / len(recovered), abs=1e-12)
    assert scores["share_matches_wrong"] == pytest.approx(sum(wrong) / len(wrong), abs=1e-12)


@pytest.mark.parametrize("size", [1, 7, 1_000_000])
def test_trip_splits_judged_in_blocks_of_pairs_are_the_pairs_judged_one_by_one(size, monkeypatch):
    """Consecutive reads of a plate (by time), judged same-trip or new-trip in blocks of 1 or 7 pairs or in one,
    against a loop over each plate's reads in pandas' (plate, time) order; a parked read is a trip of its own."""
    from sim.metrics.quality import trip_split_accuracy

    scenario = load_scenario(overrides=[*OVERRIDES, "cameras.misread_rate=0.05"])
    sim = simulate_scenario(scenario)
    monkeypatch.setattr("sim.shard.READS_PER_BLOCK", size)
    got = trip_split_accuracy(sim.reads, sim.recon)
    table = pd.DataFrame({"key": pd.Series(sim.recon.plate_key, dtype=object).fillna("\0none"),
                          "t": sim.reads["time_s"].to_numpy(), "trip": sim.reads["trip_id"].to_numpy(),
                          "recon": sim.recon.read_recon}).reset_index()
    right = []
    for _, reads in table.sort_values(["t", "index"], kind="stable").groupby("key", sort=False):
        for (_, a), (_, b) in zip(reads.iterrows(), reads.iloc[1:].iterrows()):
            same_trip = a["trip"] == b["trip"] and a["trip"] >= 0
            right.append(same_trip == (a["recon"] == b["recon"]))
    assert got["trip_split_accuracy_n"] == len(right) > 500
    assert got["trip_split_accuracy"] == pytest.approx(np.mean(right), abs=1e-12)


def test_a_local_clusters_tasks_share_the_cores():
    """Each of two local workers' tasks runs its compiled code on its part of the cores (the routing trees took
    every core in each worker at once: 2–3× slower a task), and this process keeps all of its own."""
    import numba

    with workers(2):
        seen = shard_map(numba.get_num_threads, [(), ()])
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    share = max(1, min(usable // 2, numba.config.NUMBA_NUM_THREADS))
    assert seen == [share, share]


def test_the_cores_shared_are_those_the_process_may_use(monkeypatch):
    """helper-41: a job given 2 of a host's 64 cores (taskset, Slurm) counted 64 and gave each of 2 workers every
    usable core again; the share counts the cores the process may run on, as numba does."""
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert usable_cpus() == 2
    monkeypatch.delattr(os, "sched_getaffinity")
    assert usable_cpus() == 64
