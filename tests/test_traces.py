"""Uniqueness block by block of whole plates, against a brute force over Python sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.metrics.traces import TraceBlock, agreed_points, block_census, unique_by_blocks
from sim.shard import plate_blocks, shard_map


def _reads(seed: int, n: int, n_plates: int, n_cameras: int) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    return pd.DataFrame({"plate": g.integers(0, n_plates, n),
                         "camera_id": [f"c{c}" for c in g.integers(0, n_cameras, n)],
                         "time_s": g.uniform(-3600, 2 * 86400, n)})


def _brute_force(reads: pd.DataFrame, ks: list[int], seed: int, max_plates: int) -> dict[int, list[tuple[int, bool]]]:
    """Each plate's trace as a Python set of (camera, hour), cameras numbered by first appearance; the plates and
    points drawn as the method says; a plate unique when no other plate's set holds every drawn point."""
    cameras = {c: i for i, c in enumerate(dict.fromkeys(reads["camera_id"]))}
    traces: dict[int, set[tuple[int, int]]] = {}
    for plate, camera, t in reads.itertuples(index=False):
        traces.setdefault(int(plate), set()).add((cameras[camera], int(t // 3600)))
    plates = sorted(traces)
    rng = np.random.default_rng(seed)
    out = {}
    for k in ks:
        eligible = [i for i, p in enumerate(plates) if len(traces[p]) >= k]
        if len(eligible) > max_plates:
            eligible = sorted(rng.choice(eligible, max_plates, replace=False).tolist())
        rows = []
        for i in eligible:
            trace = sorted(traces[plates[i]])
            drawn = {trace[j] for j in rng.choice(len(trace), size=k, replace=False)}
            rows.append((plates[i], not any(drawn <= traces[p] for p in plates if p != plates[i])))
        out[k] = rows
    return out


@pytest.mark.parametrize("seed", range(6))
def test_blocks_of_any_size_single_out_the_plates_a_brute_force_does(seed):
    g = np.random.default_rng(100 + seed)
    reads = _reads(seed, int(g.integers(50, 1500)), int(g.integers(5, 120)), int(g.integers(1, 12)))
    max_plates = int(g.choice([4, 5000]))
    expected = _brute_force(reads, [1, 2, 3, 4, 5], seed, max_plates)
    order = np.argsort(reads["plate"].to_numpy(), kind="stable")
    plate, time_s = reads["plate"].to_numpy()[order], reads["time_s"].to_numpy()[order]
    for size in (1, 17, len(reads)):
        def blocks(size=size):
            for a, b in plate_blocks(plate, size):
                yield TraceBlock(plate[a:b], reads["camera_id"].iloc[order[a:b]], time_s[a:b], order[a:b])
        censuses, found = unique_by_blocks(blocks, [1, 2, 3, 4, 5], np.random.default_rng(seed),
                                           max_plates=max_plates)
        assert sum(len(c.plates) for c in censuses) == reads["plate"].nunique()
        for k, rows in expected.items():
            assert list(zip(found[k]["plate"].tolist(), found[k]["unique"].tolist())) == rows, (size, k)
    assert any(u for rows in expected.values() for _, u in rows) and any(not u for rows in expected.values()
                                                                          for _, u in rows)


def test_a_census_holds_the_plates_their_points_and_the_first_row_of_each_camera():
    block = TraceBlock(np.array([3, 3, 3, 8]), pd.Series(["b", "a", "b", "a"]), np.array([0.0, 10.0, 3599.0, 3600.0]),
                       np.array([40, 41, 42, 7]), vehicle=np.array([5, 6, 6, 9]))
    census = block_census(block)
    assert census.plates.tolist() == [3, 8]
    assert census.n_points.tolist() == [2, 1]  # plate 3: (b, hour 0) twice and (a, hour 0); plate 8: (a, hour 1)
    assert dict(zip(census.cameras, census.first_row)) == {"b": 40, "a": 7}
    assert census.times == (0.0, 3600.0)
    points = agreed_points([census])  # hours 0 and 1: two hours from hour 0; cameras by first row
    assert (points.first_hour, points.span, points.cameras.tolist()) == (0, 2, ["a", "b"])
    assert census.owner.tolist() == [6, 9]  # the vehicle with most of plate 3's sightings


def test_shards_given_one_at_a_time_are_made_one_at_a_time():
    alive: list[int] = []
    made = []

    def shards():
        for i in range(4):
            made.append(i)
            alive.append(len(made) - len(done))
            yield (i,)

    done: list[int] = []

    def work(i):
        done.append(i)
        return i * i

    assert shard_map(work, shards()) == [0, 1, 4, 9]
    assert max(alive) == 1  # each shard ran before the next was made


def test_no_k_asked_gives_no_table():
    """``unique_plates`` for no ``k`` is an empty dict, as before the blocks (it raised 'need at least one array
    to concatenate')."""
    from sim.metrics import unique_plates, uniqueness_by_k

    reads = pd.DataFrame({"plate": ["A", "A", "B"], "camera_id": ["a", "b", "a"], "time_s": [0.0, 0.0, 0.0]})
    assert unique_plates(reads, [], np.random.default_rng(0)) == {}
    assert uniqueness_by_k(reads, [], np.random.default_rng(0)) == {}


@pytest.mark.parametrize("plate", [["A", "A", "B"], [7, 7, 2]])
def test_trace_points_index_the_plates_as_the_reads_hold_them(plate):
    """Integer plates stay integers in ``trace_points``' index (they became objects with the blocks)."""
    from sim.metrics import trace_points

    reads = pd.DataFrame({"plate": plate, "camera_id": ["a", "b", "a"], "time_s": [0.0, 0.0, 0.0]})
    points = trace_points(reads)
    assert points.index.dtype == reads["plate"].dtype
    assert points.index.name == "plate"
    assert points.to_dict() == {plate[0]: 2, plate[2]: 1}


def test_a_read_without_a_camera_is_refused_not_given_another_cameras_code():
    from sim.metrics import unique_plates

    reads = pd.DataFrame({"plate": ["A", "B"], "camera_id": ["x", None], "time_s": [0.0, 0.0]})
    with pytest.raises(ValueError, match="1 read\\(s\\) have no camera_id"):
        unique_plates(reads, [1], np.random.default_rng(0))


def test_the_person_metrics_name_the_columns_they_miss():
    from sim.generators import grid_network
    from sim.metrics import person_metrics

    net = grid_network(3, 3, rng=np.random.default_rng(0))
    reads = pd.DataFrame({"plate_read": ["A", "A"], "camera_id": ["x", "y"], "time_s": [0.0, 90_000.0]})
    trips = pd.DataFrame({"vehicle_id": [0], "origin": [0], "depart_s": [0.0]})
    with pytest.raises(ValueError, match="need the reads' columns edge"):
        person_metrics(reads, trips, net, 2, np.random.default_rng(0))
