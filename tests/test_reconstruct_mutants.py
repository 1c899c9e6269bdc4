"""Trip reconstruction and the views of the reads against cases worked out by hand, written to catch the bugs a
mutation tester (``benchmarks/mutation.py`` on ``sim/reconstruct.py`` and ``sim/views.py``) found the other tests
let through: how reads are numbered into sightings, where a plate's reads are split into trips (exactly at the
slack), which plate a misread read once is put back on (exactly at the window, most-sighted first), the routes
drawn between sightings, and which reads each view holds. Every expected value is derived in the docstring or a
comment, never with the code's own helpers.

The roads: :func:`conftest.straight_road` of 1 km segments at 36 km/h, so every edge takes 100 s (10 m/s) and
the fastest drive from node ``a`` to node ``b`` along the line takes ``100 * |a - b|`` s. A read on an edge is
taken at its middle: the drive from a read on edge ``(a, a+1)`` to one on ``(b, b+1)`` (``b > a``) is half an edge,
``b - a - 1`` whole edges and half an edge: ``100 * (b - a)`` s.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import sim
from sim.metrics import misread_matching
from sim.network import from_graph
from sim.reconstruct import match_misreads, order_by_code, reconstruct, sighting_ids
from sim.views import AGENCY_PERSON_KEYS, PERSON_PREFIXES

from conftest import straight_road


@pytest.fixture(scope="module")
def road():
    """Nodes 0 … 4 on a two-way line, four 1 km segments of 100 s each."""
    return straight_road([1000.0] * 4)


def reads_of(net, rows, camera=False):
    """Reads from ``(plate, time_s, (u, v))`` rows; ``camera``: a camera per edge (``cam-u-v``)."""
    plate, time_s, uv = zip(*rows)
    reads = pd.DataFrame({"plate_read": list(plate), "time_s": [float(t) for t in time_s],
                          "edge": [net.edge_id(u, v) for u, v in uv]})
    if camera:
        reads["camera_id"] = [f"cam-{u}-{v}" for u, v in uv]
    return reads


def route_nodes(net, recon, i):
    """The route of reconstructed trip ``i`` as the list of its edges' (u, v) (node ids)."""
    return [(int(net.nodes[net.edge_u[e]]), int(net.nodes[net.edge_v[e]])) for e in recon.routes.route(i)]


# ---- the compiled loops ------------------------------------------------------------------------------------------

#: the hand cases of the two compiled loops (numbering sightings, the counting sort), printed as JSON
COMPILED_CASES = """
import json
import numpy as np
from sim.reconstruct import order_by_code, sighting_ids
print(json.dumps([
    sighting_ids(np.array(["A", "A", "A", "B", "A"]), np.array(["c", "c", "c", "c", "d"]),
                 np.array([0.0, 2.0, 60.0, 1.0, 1.0])).tolist(),
    order_by_code(np.array([2, -1, 0, 2, 1, -1]), np.array([5, 4, 3, 2, 1, 0])).tolist(),
]))
"""
#: their answers, worked out in the two tests below
COMPILED_ANSWERS = [[0, 0, 1, 3, 2], [5, 1, 2, 4, 3, 0]]


def test_the_compiled_loops_stay_inside_their_arrays():
    """Compiled code does not check its indices (a write one past the end of an array corrupts memory silently, or
    crashes the tests): the two loops run here as plain Python (``NUMBA_DISABLE_JIT``), where numpy checks every
    index, in a child process (a crash fails this test, not the whole run), and give the hand answers."""
    project = str(Path(sim.__file__).resolve().parents[1])
    env = os.environ | {"NUMBA_DISABLE_JIT": "1",
                        "PYTHONPATH": os.pathsep.join([project, *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, "-c", COMPILED_CASES], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == COMPILED_ANSWERS


# ---- sightings ---------------------------------------------------------------------------------------------------


def test_sightings_are_numbered_from_zero_in_plate_camera_time_order():
    """Reads (input order): A at c 0 s, A at c 2 s, A at c 60 s, B at c 1 s, A at d 1 s. In (plate, camera, time)
    order: A/c 0 s, A/c 2 s (2 s later: the same pass), A/c 60 s (58 s later: a new pass), A/d 1 s (another
    camera), B/c 1 s (another plate): sightings 0, 0, 1, 2, 3, read back in input order."""
    got = sighting_ids(np.array(["A", "A", "A", "B", "A"]), np.array(["c", "c", "c", "c", "d"]),
                       np.array([0.0, 2.0, 60.0, 1.0, 1.0]))
    assert got.tolist() == [0, 0, 1, 3, 2] == COMPILED_ANSWERS[0]
    assert len(sighting_ids(np.array([]), np.array([]), np.array([]))) == 0


def test_a_pass_is_chained_read_to_read_and_ends_after_the_window():
    """The default window is 5 s, inclusive, measured from the read before (not the first of the pass): reads of A
    at c at 0, 5, 10 s (5 s apart each) are one pass; 15.5 s (5.5 s after 10) starts a second; with a 6 s window
    the four are one."""
    plate, camera, time_s = np.array(["A"] * 4), np.array(["c"] * 4), np.array([0.0, 5.0, 10.0, 15.5])
    assert sighting_ids(plate, camera, time_s).tolist() == [0, 0, 0, 1]
    assert sighting_ids(plate, camera, time_s, window_s=6.0).tolist() == [0, 0, 0, 0]


# ---- the counting sort -------------------------------------------------------------------------------------------


def test_order_by_code_sorts_stably_by_code_with_no_plate_first():
    """Codes of positions 0 … 5: 2, -1, 0, 2, 1, -1; taken in the order 5, 4, 3, 2, 1, 0 their codes are -1, 1, 2, 0,
    -1, 2. Stably by code: -1 (5, then 1), 0 (2), 1 (4), 2 (3, then 0)."""
    assert order_by_code(np.array([2, -1, 0, 2, 1, -1]), np.array([5, 4, 3, 2, 1, 0])).tolist() == COMPILED_ANSWERS[1]
    assert order_by_code(np.array([4]), np.array([0])).tolist() == [0]  # one code, far from 0
    assert len(order_by_code(np.zeros(0, np.int64), np.zeros(0, np.int64))) == 0


def test_order_by_code_refuses_positions_and_codes_out_of_range():
    """``order`` must hold positions 0 … len(code) - 1 and codes be -1 or more (the compiled sort checks neither)."""
    code = np.array([0, 1, 2])
    with pytest.raises(ValueError, match="^order must hold positions 0…2 of code$"):
        order_by_code(code, np.array([0, 1, 3]))  # 3 is one past the end
    with pytest.raises(ValueError, match="^order must hold positions 0…2 of code$"):
        order_by_code(code, np.array([-1, 0, 1]))
    with pytest.raises(ValueError, match="^codes must be -1 or more; got -2$"):
        order_by_code(np.array([0, -2, 1]), np.array([0, 1, 2]))


# ---- splitting a plate's reads into trips ------------------------------------------------------------------------


@pytest.mark.parametrize("gap_s, n_trips", [(900.0, 1), (900.5, 2)])
def test_a_stop_longer_than_the_default_slack_splits_the_trip(road, gap_s, n_trips):
    """A read on edge 0→1 at 0 s and on edge 3→4: the fastest drive between them is 300 s (half of 0→1, 1→2, 2→3,
    half of 3→4), and the default slack is 600 s: seen 900 s later, exactly the limit, the car is on one trip
    (route 0→1 1→2 2→3 3→4, from node 0 to node 4, 400 s of driving); 900.5 s later, it stopped: two trips of one
    read each."""
    recon = reconstruct(reads_of(road, [("A", 0.0, (0, 1)), ("A", gap_s, (3, 4))]), road)
    assert list(recon.trips.columns) == ["recon_id", "plate_read", "n_reads", "start_s", "end_s", "origin",
                                         "destination"]
    assert recon.trips["recon_id"].tolist() == list(range(n_trips))
    assert recon.trips["plate_read"].tolist() == ["A"] * n_trips
    if n_trips == 1:
        assert recon.trips[["n_reads", "start_s", "end_s", "origin", "destination"]].values.tolist() == \
            [[2, 0.0, 900.0, 0, 4]]
        assert route_nodes(road, recon, 0) == [(0, 1), (1, 2), (2, 3), (3, 4)]
        assert recon.routes.travel_time.tolist() == [400.0]
    else:
        assert recon.read_recon.tolist() == [0, 1]
        assert recon.trips[["n_reads", "start_s", "end_s", "origin", "destination"]].values.tolist() == \
            [[1, 0.0, 0.0, 0, 1], [1, 900.5, 900.5, 3, 4]]
        assert [route_nodes(road, recon, i) for i in range(2)] == [[(0, 1)], [(3, 4)]]
        assert recon.routes.travel_time.tolist() == [100.0, 100.0]  # each trip its one 100 s edge


@pytest.mark.parametrize("times, trips", [
    ((0.0, 200.0, 400.0), [3]),        # both gaps exactly the drive: one trip
    ((0.0, 200.0, 400.5), [2, 1]),     # the second gap 0.5 s longer: split before the last read
    ((0.0, 200.5, 400.5), [1, 2]),     # the first gap 0.5 s longer: split after the first read
])
def test_the_drive_is_timed_from_the_middle_of_each_read_edge(times, trips):
    """Edges of 100, 300 and 100 s (1, 3 and 1 km); reads of A on 0→1, 1→2 and 2→3; no slack. From the middle of
    0→1 to the middle of 1→2 is 50 + 150 = 200 s, and from the middle of 1→2 to the middle of 2→3 150 + 50 = 200 s
    (each gap timed with the halves of its own two edges, not of the first read's)."""
    net = straight_road([1000.0, 3000.0, 1000.0])
    reads = reads_of(net, [("A", times[0], (0, 1)), ("A", times[1], (1, 2)), ("A", times[2], (2, 3))])
    recon = reconstruct(reads, net, slack_s=0.0)
    assert recon.trips["n_reads"].tolist() == trips


@pytest.mark.parametrize("gap_s, route", [
    (100.0, [(1, 2), (1, 2)]),                 # within the 100 s the edge takes: one pass, no loop drawn
    (100.5, [(1, 2), (2, 1), (1, 2)]),         # longer: the car went round, 2 → 1 drawn between
])
def test_two_reads_on_one_edge_within_its_time_are_one_pass(road, gap_s, route):
    """Two reads of A on edge 1→2 (100 s), ``gap_s`` apart: one trip either way (the way back, 2 → 1, takes 100 s,
    so 200 s is the fastest the car could be seen there again); within the edge's own 100 s they are one pass."""
    recon = reconstruct(reads_of(road, [("A", 0.0, (1, 2)), ("A", gap_s, (1, 2))]), road)
    assert len(recon.trips) == 1
    assert route_nodes(road, recon, 0) == route


def test_a_road_watched_at_both_ends_is_bridged_even_within_the_next_edges_time():
    """Edges 0→1 (100 s), 1→2 (100 s), 2→3 (500 s): A read on 0→1 at 0 s and on 2→3 at 400 s (50 + 100 + 250 s:
    exactly the drive). 400 s is within the 500 s edge 2→3 takes, but the edges differ: not one pass, and the
    road between, 1→2, is drawn."""
    net = straight_road([1000.0, 1000.0, 5000.0])
    recon = reconstruct(reads_of(net, [("A", 0.0, (0, 1)), ("A", 400.0, (2, 3))]), net, slack_s=0.0)
    assert route_nodes(net, recon, 0) == [(0, 1), (1, 2), (2, 3)]


def test_a_car_back_on_its_first_road_too_soon_is_still_driven_back(road):
    """A on 0→1 at 0 s, on 1→2 at 100 s, on 0→1 again at 150 s: the way back from node 2 to node 0 takes 200 s, so
    the last sighting is 250 s too soon (two cameras' clocks apart), well within the 600 s slack: one trip, the
    way back drawn (a different edge in between: no single pass)."""
    recon = reconstruct(reads_of(road, [("A", 0.0, (0, 1)), ("A", 100.0, (1, 2)), ("A", 150.0, (0, 1))]), road)
    assert route_nodes(road, recon, 0) == [(0, 1), (1, 2), (2, 1), (1, 0), (0, 1)]


def test_each_gap_of_a_trip_is_drawn_after_its_own_read():
    """Nodes 0 … 6 on the line (six 100 s edges). A on 0→1 at 0 s, on 3→4 at 300 s, on 6→5 at 600 s: from the
    middle of 0→1 to the middle of 3→4 is 50 + 100 (1→2) + 100 (2→3) + 50 = 300 s, and from the middle of 3→4 to
    the middle of 6→5 50 + 100 (4→5) + 100 (5→6) + 50 = 300 s: one trip of three reads, each gap two edges drawn
    right after the read before it: 0→1, 1→2, 2→3, 3→4, 4→5, 5→6, 6→5 (seven edges, 700 s), from node 0 to node
    5 (the end of 6→5)."""
    net = straight_road([1000.0] * 6)
    recon = reconstruct(reads_of(net, [("A", 0.0, (0, 1)), ("A", 300.0, (3, 4)), ("A", 600.0, (6, 5))]), net)
    assert recon.trips[["n_reads", "start_s", "end_s", "origin", "destination"]].values.tolist() == \
        [[3, 0.0, 600.0, 0, 5]]
    assert route_nodes(net, recon, 0) == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 5)]
    assert recon.routes.offsets.tolist() == [0, 7] and recon.routes.travel_time.tolist() == [700.0]


# ---- plates -------------------------------------------------------------------------------------------------------


def test_plates_held_as_categories_are_ordered_by_their_text():
    """Plates B (on 1→2 at 0 s) and A (on 0→1 at 10 s) held as a pandas categorical whose categories run B, A: the
    trips are numbered in plate order by text, A's first, as for plain strings; A's trip is the second read."""
    reads = reads_of(straight_road([1000.0] * 4), [("B", 0.0, (1, 2)), ("A", 10.0, (0, 1))])
    reads["plate_read"] = pd.Categorical(reads["plate_read"], categories=["B", "A"])
    recon = reconstruct(reads, straight_road([1000.0] * 4))
    assert recon.trips["plate_read"].tolist() == ["A", "B"]
    assert recon.read_recon.tolist() == [1, 0]


def test_reads_without_cameras_are_sighted_by_edge(road):
    """A on 0→1 at 0 s and 3 s, on 1→2 at 4 s: without ``camera_id`` the edge stands for the camera, so the two
    reads on 0→1 are one pass (sightings 0, 0, 1); with a camera each (two on 0→1), three passes. One trip
    either way (the drive from the middle of 0→1 to the middle of 1→2 is 100 s, and the slack 600 s)."""
    reads = reads_of(road, [("A", 0.0, (0, 1)), ("A", 3.0, (0, 1)), ("A", 4.0, (1, 2))])
    by_edge = reconstruct(reads, road)
    assert by_edge.sighting.tolist() == [0, 0, 1]
    by_camera = reconstruct(reads.assign(camera_id=["c1", "c2", "c3"]), road)
    assert by_camera.sighting.tolist() == [0, 1, 2]
    assert by_edge.read_recon.tolist() == by_camera.read_recon.tolist() == [0, 0, 0]


def test_a_view_without_reads_has_no_trips(road):
    """An agency that sees no read: nothing to rebuild, and every per-read array empty."""
    for tolerance in (True, False):
        recon = reconstruct(reads_of(road, [("A", 0.0, (0, 1))]).iloc[:0], road, misread_tolerance=tolerance)
        assert len(recon.trips) == 0 and list(recon.trips.columns)[:3] == ["recon_id", "plate_read", "n_reads"]
        assert (len(recon.read_recon), len(recon.plate_key), len(recon.sighting)) == (0, 0, 0)
        assert recon.routes.offsets.tolist() == [0] and len(recon.routes.edges) == 0
        assert len(recon.routes.travel_time) == 0


@pytest.mark.parametrize("held", ["str", object])
def test_reads_without_a_plate_are_no_plates_trip(road, held):
    """A on 0→1 at 0 s, two reads without a plate on 1→2 at 10 s and on 2→3 at 20 s, B on 3→4 at 30 s: a searcher
    cannot link a read without a plate to any other, so each is a trip of one read under no plate, and A's and B's
    trips are theirs alone: four trips of one read."""
    reads = reads_of(road, [("A", 0.0, (0, 1)), (None, 10.0, (1, 2)), (None, 20.0, (2, 3)), ("B", 30.0, (3, 4))])
    for tolerance in (True, False):
        recon = reconstruct(reads.astype({"plate_read": held}), road, misread_tolerance=tolerance)
        assert recon.trips["n_reads"].tolist() == [1, 1, 1, 1]
        plate_of_trip = recon.trips["plate_read"].to_numpy(dtype=object)[recon.read_recon]
        assert (plate_of_trip[0], plate_of_trip[3]) == ("A", "B")
        assert pd.isna(plate_of_trip[1]) and pd.isna(plate_of_trip[2])
        assert len(set(recon.read_recon.tolist())) == 4
        assert recon.plate_key[[0, 3]].tolist() == ["A", "B"]
        assert pd.isna(recon.plate_key[1]) and pd.isna(recon.plate_key[2])


def test_text_plates_keys_are_built_when_asked_for(road):
    """A, a misread of A one character away (AB, read once, 60 s later on the next edge) and a read without a
    plate: with text plates the reconstruction holds no object per read (``given_key`` is ``None``), and
    ``plate_key`` built from the codes is what the objects' reconstruction holds: A, A, nothing."""
    reads = reads_of(road, [("AA", 0.0, (0, 1)), ("AA", 30.0, (1, 2)), ("AB", 60.0, (2, 3)), (None, 90.0, (3, 4))])
    as_text, as_objects = reconstruct(reads, road), reconstruct(reads.astype({"plate_read": object}), road)
    assert as_text.given_key is None and as_objects.given_key is not None
    assert as_text.plate_key[:3].tolist() == as_objects.plate_key[:3].tolist() == ["AA", "AA", "AA"]
    assert pd.isna(as_text.plate_key[3]) and pd.isna(as_objects.plate_key[3])
    with pytest.raises(ValueError, match="plate_key, or plate_code and plates"):
        sim.Reconstruction(as_text.trips, as_text.read_recon, as_text.routes, None, as_text.sighting)
    for recon in (as_text, as_objects):  # dataclasses.replace, as on any frozen dataclass, keeps every field
        moved = dataclasses.replace(recon, sighting=recon.sighting + 1)
        assert moved.sighting.tolist() == (recon.sighting + 1).tolist()
        assert moved.plate_key[:3].tolist() == ["AA", "AA", "AA"] and pd.isna(moved.plate_key[3])


@pytest.mark.parametrize("later_s, key", [(1800.0, "ABC1234"), (1800.5, "ABC1284")])
def test_a_misread_is_matched_within_the_default_half_hour(road, later_s, key):
    """ABC1234 is sighted twice (on 0→1 at 0 s, on 3→4 at 300 s); ABC1284, one character away, once, on 1→2
    ``later_s`` after the 300 s sighting. The drive from node 4 back to node 1 is 300 s, well within the time
    between and the slack; so the only test is the window: 1,800 s (inclusive) by default. Matched, the three
    reads are one plate's."""
    reads = reads_of(road, [("ABC1234", 0.0, (0, 1)), ("ABC1234", 300.0, (3, 4)),
                            ("ABC1284", 300.0 + later_s, (1, 2))])
    assert match_misreads(reads, road).tolist() == ["ABC1234", "ABC1234", key]  # each read its own sighting
    for held in (reads, reads.astype({"plate_read": object})):  # plates as pandas' str, or as Python objects
        assert reconstruct(held, road).plate_key.tolist() == ["ABC1234", "ABC1234", key]
        # without misread tolerance every read keeps its plate as read
        assert reconstruct(held, road, misread_tolerance=False).plate_key.tolist() == \
            ["ABC1234", "ABC1234", "ABC1284"]


def keys(road, rows, **options):
    """Each read's plate after misread matching, by :func:`reconstruct` (plates as pandas' str, sightings by camera,
    here by edge) and by :func:`match_misreads` given the same sightings: the two must agree."""
    reads = reads_of(road, rows)
    recon = reconstruct(reads, road, **options)
    assert match_misreads(reads, road, sighting=recon.sighting, **options).tolist() == recon.plate_key.tolist()
    return recon.plate_key.tolist()


@pytest.mark.parametrize("later_s, matched", [(200.0, True), (199.5, False)])
def test_a_misread_needs_a_drive_from_the_earlier_read_to_the_later(road, later_s, matched):
    """ABC1234 on 0→1 at 0 s and at 5,000 s (two sightings; the second beyond the 1,800 s window of the misread);
    ABC1284 once, on 3→4 ``later_s`` after. With no slack the car must have driven from the end of the earlier
    read edge (node 1) to the start of the later (node 3): 200 s. At 200 s that fits exactly; at 199.5 s it does
    not (and the other way round, node 4 to node 0, would take 400 s)."""
    rows = [("ABC1234", 0.0, (0, 1)), ("ABC1234", 5000.0, (0, 1)), ("ABC1284", later_s, (3, 4))]
    assert keys(road, rows, slack_s=0.0)[2] == ("ABC1234" if matched else "ABC1284")
    # the misread read first, the plate after: the drive is from node 1 (end of the misread's edge) to node 3
    rows = [("ABC1284", 0.0, (0, 1)), ("ABC1234", later_s, (3, 4)), ("ABC1234", 5000.0, (3, 4))]
    assert keys(road, rows, slack_s=0.0)[0] == ("ABC1234" if matched else "ABC1284")


def test_a_plates_read_at_the_same_second_as_the_misread_is_taken_as_the_earlier(road):
    """ABC1234 on 3→4 at 1,000 s (and at 5,000 s), ABC1284 once on 0→1 also at 1,000 s, with 300 s of slack: the
    plate's read counts as the earlier, so the drive is from node 4 to node 0 (400 s, too long: no match); taken
    the other way (node 1 to node 3, 200 s) it would fit."""
    rows = [("ABC1234", 1000.0, (3, 4)), ("ABC1234", 5000.0, (3, 4)), ("ABC1284", 1000.0, (0, 1))]
    assert keys(road, rows, slack_s=300.0)[2] == "ABC1284"
    assert keys(road, rows, slack_s=400.0)[2] == "ABC1234"  # 400 s of slack: it fits


def test_a_misread_goes_to_the_most_sighted_plate_that_fits_then_the_first_in_plate_order(road):
    """ABC1236, read once on 1→2 at 1,000 s, is one character from ABC1234 and ABC1235 (and ABC1237).
    (a) ABC1234 sighted twice, ABC1235 three times, all on 1→2 near 1,000 s: the most sighted, ABC1235.
    (b) both twice: the first in plate order, ABC1234.
    (c) ABC1235 three times, but on 3→4 10 s before and after the misread (the drive from node 4 back to node 1
    takes 300 s, from node 2 on to node 3 100 s; no slack here) and once beyond the window; ABC1234 twice on
    1→2, 100 s before and after (from node 2 back to node 1: 100 s, exactly in time): ABC1234.
    (d) ABC1237 sighted once: a plate seen once is no candidate, and ABC1236 stays."""
    near = [("ABC1234", 900.0, (1, 2)), ("ABC1234", 1100.0, (1, 2))]
    misread = ("ABC1236", 1000.0, (1, 2))
    three = [("ABC1235", 800.0, (1, 2)), ("ABC1235", 1200.0, (1, 2)), ("ABC1235", 1300.0, (1, 2))]
    assert keys(road, [*near, *three, misread], slack_s=0.0)[-1] == "ABC1235"
    assert keys(road, [*near, *three[:2], misread], slack_s=0.0)[-1] == "ABC1234"
    # (b') the same with ABC1235's reads first in the input: plate order, not the order the plates are met in
    assert keys(road, [*three[:2], *near, misread], slack_s=0.0)[-1] == "ABC1234"
    far = [("ABC1235", 990.0, (3, 4)), ("ABC1235", 1010.0, (3, 4)), ("ABC1235", 5000.0, (3, 4))]
    assert keys(road, [*near, *far, misread], slack_s=0.0)[-1] == "ABC1234"
    assert keys(road, [("ABC1237", 1000.0, (0, 1)), misread], slack_s=0.0) == ["ABC1237", "ABC1236"]


def test_only_a_plate_sighted_once_is_a_misread_and_only_one_character_away(road):
    """ABC1234 sighted three times (on 0→1 at 0, 1,000 and 2,000 s). ABC1284 read twice 2 s apart on 1→2 at
    1,100 s: one pass, so sighted once: both reads put back on ABC1234. ABC1294 read on 1→2 at 1,100 s and again
    at 1,400 s: two sightings, its own plate. ABC123 and ABC12345 (one character fewer, one more) once each: not
    one character away."""
    plate = [("ABC1234", 0.0, (0, 1)), ("ABC1234", 1000.0, (0, 1)), ("ABC1234", 2000.0, (0, 1))]
    once = [("ABC1284", 1100.0, (1, 2)), ("ABC1284", 1102.0, (1, 2))]
    twice = [("ABC1294", 1100.0, (1, 2)), ("ABC1294", 1400.0, (1, 2))]
    other = [("ABC123", 1100.0, (1, 2)), ("ABC12345", 1100.0, (1, 2))]
    assert keys(road, [*plate, *once, *twice, *other])[3:] == \
        ["ABC1234", "ABC1234", "ABC1294", "ABC1294", "ABC123", "ABC12345"]


def test_a_misread_is_not_matched_to_a_plate_one_character_shorter(road):
    """ABC123 sighted twice (on 0→1 at 0 and 1,000 s), ABC1234 once (on 1→2 at 500 s): ABC1234 is ABC123 with a
    character added, not one changed, so it keeps its plate (the converse, a rare ABC123 beside a frequent ABC1234,
    is in the test above)."""
    rows = [("ABC123", 0.0, (0, 1)), ("ABC123", 1000.0, (0, 1)), ("ABC1234", 500.0, (1, 2))]
    assert keys(road, rows) == ["ABC123", "ABC123", "ABC1234"]


def test_a_misread_is_timed_against_its_candidates_own_reads_only(road):
    """ABC1236 once on 1→2 at 1,000 s. ABC1234, one character away and sighted three times, is read only at 5,000,
    6,000 and 7,000 s: more than the 1,800 s window away, so it is no match, although it is the most sighted.
    ABC1235, sighted twice, on 1→2 at 900 and 1,100 s (the drive from node 2 back to node 1 is 100 s, within the
    100 s between them plus the slack): the misread is ABC1235's. (ABC1235's reads, next in plate order, do not
    count for ABC1234.)"""
    rows = [("ABC1234", 5000.0, (1, 2)), ("ABC1234", 6000.0, (1, 2)), ("ABC1234", 7000.0, (1, 2)),
            ("ABC1235", 900.0, (1, 2)), ("ABC1235", 1100.0, (1, 2)), ("ABC1236", 1000.0, (1, 2))]
    assert keys(road, rows)[-1] == "ABC1235"


def test_several_misreads_are_each_matched(road):
    """Two misreads in one table. ABC1236 once on 1→2 at 1,000 s, with two candidates that both fit: ABC1234
    (three sightings on 1→2 at 800, 1,200 and 1,300 s) and ABC1235 (two, at 900 and 1,100 s): the most sighted,
    ABC1234. Then XYZ9998 once on 2→3 at 1,000 s, one character from XYZ9999 (on 2→3 at 900 and 1,100 s; from
    node 3 back to node 2, 100 s): XYZ9999. Every other plate keeps its own."""
    abc = [("ABC1234", 800.0, (1, 2)), ("ABC1234", 1200.0, (1, 2)), ("ABC1234", 1300.0, (1, 2)),
           ("ABC1235", 900.0, (1, 2)), ("ABC1235", 1100.0, (1, 2))]
    xyz = [("XYZ9999", 900.0, (2, 3)), ("XYZ9999", 1100.0, (2, 3))]
    rows = [("ABC1236", 1000.0, (1, 2)), ("XYZ9998", 1000.0, (2, 3)), *abc, *xyz]
    assert keys(road, rows) == ["ABC1234", "XYZ9999", "ABC1234", "ABC1234", "ABC1234", "ABC1235", "ABC1235",
                                "XYZ9999", "XYZ9999"]


@pytest.mark.parametrize("held", ["str", object])
def test_a_read_without_a_plate_is_never_taken_for_a_misread(road, held):
    """A on 0→1 at 0 s and on 2→3 at 200 s (the drive between, 50 + 100 + 50 s: one trip of two sightings), a read
    without a plate on 1→2 at 100 s. A plate of one character, sighted twice, is one character from many a plate,
    but a read without a plate is no plate sighted once: it stays no plate's, a trip of its own, and A's trip
    keeps its two reads."""
    reads = reads_of(road, [("A", 0.0, (0, 1)), ("A", 200.0, (2, 3)), (None, 100.0, (1, 2))])
    reads = reads.astype({"plate_read": held})
    assert pd.isna(match_misreads(reads, road)[2])
    recon = reconstruct(reads, road)
    assert recon.plate_key[:2].tolist() == ["A", "A"] and pd.isna(recon.plate_key[2])
    assert len(recon.trips) == 2
    a, none = recon.read_recon[0], recon.read_recon[2]
    assert recon.read_recon[1] == a != none
    assert recon.trips.loc[a, ["plate_read", "n_reads"]].tolist() == ["A", 2]
    assert pd.isna(recon.trips.loc[none, "plate_read"]) and recon.trips.loc[none, "n_reads"] == 1


def test_plates_held_as_numbers_are_matched_as_their_text(road):
    """Plates read as integers (a read file of digits only): 1234 on 0→1 at 0 s and on 3→4 at 300 s (two
    sightings), 1284 once on 1→2 at 600 s, 300 s after the 3→4 read (the drive from node 4 back to node 1 is 300 s,
    within 300 s plus the 600 s slack). As text, 1284 is one character from 1234: put back on it, and the three
    reads are one trip of plate 1234 (0→1 to 3→4: 300 s, exactly the drive), filed under the number read, as
    they are with misread tolerance off."""
    reads = reads_of(road, [(1234, 0.0, (0, 1)), (1234, 300.0, (3, 4)), (1284, 600.0, (1, 2))])
    assert reads["plate_read"].dtype == np.int64
    recon = reconstruct(reads, road)
    assert recon.plate_key.tolist() == [1234, 1234, 1234]
    assert recon.trips[["plate_read", "n_reads"]].values.tolist() == [[1234, 3]]
    off = reconstruct(reads, road, misread_tolerance=False)
    assert off.plate_key.tolist() == [1234, 1234, 1284]
    # scored against the vehicles' true plates (numbers too): the one misread was put back, nothing else moved
    scores = misread_matching(reads.assign(vehicle_id=[0, 0, 0]), pd.DataFrame({"vehicle_id": [0], "plate": [1234]}),
                              recon)
    assert (scores["n_misreads"], scores["n_matched"], scores["share_misreads_recovered"]) == (1, 1, 1.0)


def test_plates_of_mixed_kinds_keep_each_value_read(road):
    """An object column of text, numbers and a missing plate: 1234 read twice and "1284" once (one character
    apart as text, timing allows) go under the number 1234; the text plate "AB1" and the missing one keep theirs."""
    reads = reads_of(road, [(1234, 0.0, (0, 1)), (1234, 300.0, (3, 4)), ("1284", 600.0, (1, 2)),
                            ("AB1", 50.0, (2, 3)), (None, 80.0, (0, 1))])
    reads = reads.astype({"plate_read": object})
    keys = match_misreads(reads, road).tolist()
    assert keys[:4] == [1234, 1234, 1234, "AB1"] and pd.isna(keys[4])


def test_one_text_held_as_text_and_as_a_number_is_one_plate_filed_under_its_first_read(road):
    """An object column where the text "1234" is read first (0 s on 0→1) and the number 1234 later (300 s on 3→4):
    one text, so one plate of two sightings, and both reads are filed under the value of the first read, the
    text "1234" (not the number, which the last read would give); "AB1" (50 s on 2→3) keeps its own."""
    reads = reads_of(road, [("1234", 0.0, (0, 1)), ("AB1", 50.0, (2, 3)), (1234, 300.0, (3, 4))])
    reads = reads.astype({"plate_read": object})
    keys = match_misreads(reads, road).tolist()
    assert keys == ["1234", "AB1", "1234"] and [type(k) for k in keys] == [str, str, str]


# ---- time-matched routes -----------------------------------------------------------------------------------------

#: the drive (s) from node 1 to node 2 of :func:`ladder` by way of node 11, 12, … 16
RUNGS = {11: 100.0, 12: 140.0, 13: 200.0, 14: 300.0, 15: 400.0, 16: 500.0}


def ladder():
    """Road 0 → 1 (100 s), then seven ways from node 1 to node 2: one through each of nodes 11 … 16 (``RUNGS``:
    100, 140, 200, 300, 400 and 500 s, half on each side of the middle node) and a direct road (600 s, the one way
    of a single edge); then 2 → 3 (300 s); every road two-way. These seven are all the simple paths from node 1 to
    node 2, so the k fastest are the first k of ``RUNGS``. Read at the middle of 0 → 1 and of 2 → 3, a car took
    at least 50 + 100 + 150 = 300 s; the time between the two read edges is the gap less 50 + 150 = 200 s."""
    g = nx.MultiDiGraph(crs="EPSG:32618")
    for node, (x, y) in {0: (0, 0), 1: (1000, 0), 2: (3000, 0), 3: (4000, 0)}.items():
        g.add_node(node, x=float(x), y=float(y))
    roads = [(0, 1, 100.0), (1, 2, 600.0), (2, 3, 300.0)]
    for k, (node, t) in enumerate(RUNGS.items()):
        g.add_node(node, x=2000.0, y=500.0 * (k + 1))
        roads += [(1, node, t / 2), (node, 2, t / 2)]
    for u, v, t in roads:
        g.add_edge(u, v, length=10.0 * t, travel_time=t)
        g.add_edge(v, u, length=10.0 * t, travel_time=t)
    return from_graph(g)


def ladder_route(rows, **options):
    """The one trip rebuilt from A's reads ``(time_s, (u, v))`` on :func:`ladder`."""
    net = ladder()
    recon = reconstruct(reads_of(net, [("A", t, uv) for t, uv in rows]), net, **options)
    assert len(recon.trips) == 1
    return route_nodes(net, recon, 0)


def via(node):
    """0 → 1, one way to node 2 (through ``node``), 2 → 3."""
    return [(0, 1), (1, node), (node, 2), (2, 3)]


def across(gap_s, **options):
    """The route rebuilt from A read on 0 → 1 at 0 s and on 2 → 3 ``gap_s`` later."""
    return ladder_route([(0.0, (0, 1)), (gap_s, (2, 3))], **options)


@pytest.mark.parametrize("gap_s, rung", [
    (300.0, 11),    # exactly the fastest drive
    (330.0, 11),    # 30 s over the fastest: not over the 30 s threshold, the fastest way
    (330.5, 12),    # 30.5 s over: matched; 130.5 s between the read edges, nearest 140 s (via 12), not 100 s
    (760.0, 15),    # 560 s between: of the 5 fastest ways (100 … 400 s) 400 s is nearest (not the 600 s road)
])
def test_time_matched_routes_take_the_way_whose_time_fits_among_the_five_fastest(gap_s, rung):
    """With ``route_inference="time_matched"`` (default ``k_paths`` 5, ``match_threshold_s`` 30 s), a gap more than
    30 s longer than the fastest drive is filled by the one of the 5 fastest ways whose time is nearest the time
    between the two read edges; all within the 600 s slack (at most 900 s)."""
    assert across(gap_s, route_inference="time_matched") == via(rung)


def test_k_paths_and_the_threshold_are_honoured():
    """``k_paths=6`` finds the 500 s way for 500 s between the read edges, and ``k_paths=7`` the direct road for 600 s
    (one edge in place of the fastest way's two); a 10 s threshold matches a gap 25 s over the fastest (125 s
    between the read edges: 140 s, 15 s off, is nearer than 100 s, 25 s off), which the default 30 s leaves on
    the fastest way."""
    assert across(700.0, route_inference="time_matched", k_paths=6) == via(16)
    assert across(800.0, route_inference="time_matched", k_paths=7) == [(0, 1), (1, 2), (2, 3)]
    assert across(325.0, route_inference="time_matched", match_threshold_s=10.0) == via(12)
    assert across(325.0, route_inference="time_matched") == via(11)


def test_each_slow_gap_is_matched_with_its_own_edges():
    """A on 1 → 0 at 0 s, on 0 → 1 at 200 s, on 2 → 3 at 540 s. The first gap is slow (200 s for the 100 s of two
    half edges) but there is nothing to draw (both edges meet at node 0); the second, 340 s from the middle of
    0 → 1 (50 s) to the middle of 2 → 3 (150 s), leaves 140 s between them: via node 12."""
    rows = [(0.0, (1, 0)), (200.0, (0, 1)), (540.0, (2, 3))]
    assert ladder_route(rows, route_inference="time_matched") == [(1, 0), *via(12)]


@pytest.mark.parametrize("gap_s", [330.5, 760.0])
def test_the_default_inference_draws_the_fastest_way_whatever_the_times(gap_s):
    """By default (``route_inference="fastest"``) the gap is the fastest way, via node 11, however slow the car."""
    assert across(gap_s) == via(11)


@pytest.mark.parametrize("block", [None, 1])
def test_routes_are_the_same_drawn_one_plate_at_a_time(block, monkeypatch):
    """A read on 0 → 1 at 0 s and on 2 → 3 330.5 s later (130.5 s between the read edges: via node 12, 140 s), B
    the same at 1,000 s and 760 s later (560 s: via node 15, 400 s, the nearest of the five fastest ways), time
    matched. Drawn in one block, or in blocks of one read (``sim.shard.READS_PER_BLOCK`` = 1: each plate's two reads
    a block of their own, B's slow gap the first of its block): A's route 0→1 (100 s), 1→12→2 (140 s), 2→3 (300 s),
    540 s; B's 100 + 400 + 300 = 800 s."""
    if block is not None:
        monkeypatch.setattr("sim.shard.READS_PER_BLOCK", block)
    net = ladder()
    reads = reads_of(net, [("A", 0.0, (0, 1)), ("A", 330.5, (2, 3)), ("B", 1000.0, (0, 1)), ("B", 1760.0, (2, 3))])
    recon = reconstruct(reads, net, route_inference="time_matched")
    assert recon.trips["plate_read"].tolist() == ["A", "B"] and recon.read_recon.tolist() == [0, 0, 1, 1]
    assert [route_nodes(net, recon, i) for i in range(2)] == [via(12), via(15)]
    assert recon.routes.travel_time.tolist() == [540.0, 800.0]


def test_an_unknown_route_inference_is_refused():
    net = ladder()
    with pytest.raises(ValueError, match="^route_inference must be 'fastest' or 'time_matched', got 'slowest'$"):
        reconstruct(reads_of(net, [("A", 0.0, (0, 1))]), net, route_inference="slowest")


# ---- views: which reads each agency sees, and what-ifs -----------------------------------------------------------

ROAD_TOML = '''name = "road"
seed = 1
[network]
source = "graphml"
path = "road.graphml"
[cameras]
strategy = "file"
path = "cameras.csv"
[demand]
model = "file"
path = "trips.csv"
[traffic]
route_noise = 0
[metrics]
long_trip_km = 1.0
what_if_without = ["county", "pool"]
[[operators]]
name = "city"
[[operators]]
name = "county"
retention_days = {retention}
[[sharing]]
from = "county"
to = "pool"
[[agencies]]
name = "county-police"
access = ["county"]
users = 7
[[agencies]]
name = "sheriff"
kind = "sheriff"
access = ["county"]
[[agencies]]
name = "city-police"
access = ["city"]
[[agencies]]
name = "state-police"
kind = "state-police"
access = ["city", "county"]
[[agencies]]
name = "outsider"
access = ["pool"]
'''


@pytest.fixture(scope="module")
def road_runs(tmp_path_factory):
    """A straight road 0 → 4 of 500, 500, 500 and 1,000 m at 10 m/s (50, 50, 50, 100 s); the city's cameras on
    0→1 and 2→3, the county's on 1→2 and 3→4, each reading every car. Five cars drive 0 → 4 once, leaving at
    8:00, 9:00, … 12:00 (28,800 + 3,600 i s): each is read at the middle of every road, 25, 75, 125 and 200 s
    after leaving (250, 750, 1,250 and 2,000 m along), and arrives 250 s after leaving (2,500 m). The county
    shares with a pool; agencies: county police and sheriff (the county), city police (the city), state police
    (both), an outsider (the pool). The reads are searched when the last car arrives, 43,450 s.

    Two runs: the county keeps its reads 0.1 day (8,640 s: only those made from 34,810 s on, the cars leaving at
    10:00, 11:00 and 12:00), and 730 days (every read)."""
    import osmnx as ox

    from sim import load_scenario
    from sim.cameras import make_layout
    from sim.runner import simulate_scenario

    folder = tmp_path_factory.mktemp("road")
    net = straight_road([500.0, 500.0, 500.0, 1000.0])
    ox.save_graphml(nx.MultiDiGraph(net.graph), folder / "road.graphml")
    city = make_layout(net, np.array([net.edge_id(0, 1), net.edge_id(2, 3)]), read_rate=1.0, operator="city")
    county = make_layout(net, np.array([net.edge_id(1, 2), net.edge_id(3, 4)]), read_rate=1.0, operator="county")
    county["camera_id"] = ["cty-1", "cty-2"]
    pd.concat([city, county]).to_csv(folder / "cameras.csv", index=False)
    pd.DataFrame({"trip_id": range(5), "vehicle_id": range(5), "origin": 0, "destination": 4,
                  "depart_s": [3600.0 * (8 + i) for i in range(5)]}).to_csv(folder / "trips.csv", index=False)
    runs = {}
    for retention in (0.1, 730):
        (folder / "road.toml").write_text(ROAD_TOML.format(retention=retention))
        runs[retention] = simulate_scenario(load_scenario(folder / "road.toml"))
    return runs


def test_each_agency_sees_its_operators_reads_within_their_retention(road_runs):
    """County retention 0.1 day. County police, sheriff and outsider (by the pool) see the county's reads of the
    three later cars: 6 of the 20 reads; those three have two sightings (reconstructable: 3 of 5); each is rebuilt
    on 1→2, 2→3 (drawn between) and 3→4: 2,000 of 2,500 m (recall 0.8), the two earlier cars 0: mean 2.4 / 5 =
    0.48. City police: 10 reads, every car on 0→1, 1→2 (drawn) and 2→3: 1,500 m, 0.6. State police: 16 reads;
    the two earlier cars as the city's (0.6), the three later whole (1): (1.2 + 3) / 5 = 0.84."""
    sim = road_runs[0.1]
    assert len(sim.reads) == 20
    agencies = sim.metrics["agencies"]
    got = {name: (a["share_reads_visible"], a["share_trips_reconstructable"], a["route_recall_mean"])
           for name, a in agencies.items()}
    assert got == {"county-police": (0.3, 0.6, pytest.approx(0.48)), "sheriff": (0.3, 0.6, pytest.approx(0.48)),
                   "city-police": (0.5, 1.0, pytest.approx(0.6)), "state-police": (0.8, 1.0, pytest.approx(0.84)),
                   "outsider": (0.3, 0.6, pytest.approx(0.48))}
    assert all(a["share_reads_visible_n"] == 20 and a["route_recall_mean_n"] == 5 for a in agencies.values())
    # who each is, and by which path it sees
    assert [(a["kind"], a["users"]) for a in agencies.values()] == [
        ("local-police", 7), ("sheriff", None), ("local-police", None), ("state-police", None), ("local-police", None)]
    assert agencies["county-police"]["paths"] == {"county": ["county", "county-police"]}
    assert agencies["sheriff"]["paths"] == {"county": ["county", "sheriff"]}
    assert agencies["outsider"]["paths"] == {"county": ["county", "pool", "outsider"]}
    assert agencies["state-police"]["paths"] == {"city": ["city", "state-police"], "county": ["county", "state-police"]}
    # every view's per-trip table, stacked in the order of the agencies, after the all-reads view
    table = sim.trip_table
    assert table["view"].tolist() == [v for v in ["all", *agencies] for _ in range(5)]
    recall = table.groupby("view", sort=False)["route_recall"].apply(lambda r: [round(x, 9) for x in r]).to_dict()
    assert recall == {"all": [1.0] * 5, "county-police": [0, 0, 0.8, 0.8, 0.8], "sheriff": [0, 0, 0.8, 0.8, 0.8],
                      "city-police": [0.6] * 5, "state-police": [0.6, 0.6, 1, 1, 1], "outsider": [0, 0, 0.8, 0.8, 0.8]}


def test_an_agencys_person_numbers_are_its_views_and_kept_apart(road_runs):
    """The person numbers an agency keeps are those of ``AGENCY_PERSON_KEYS`` that its view has, under
    ``person`` (none at the top level). Pairs of points: the county police see three plates with two points each
    (two cameras, one pass of each car: no other plate there then): all unique, U(2) = 1 of n = 3; the city police
    five plates (n = 5). One day: no home is guessed."""
    agencies = road_runs[0.1].metrics["agencies"]
    for a in agencies.values():
        assert set(a["person"]) <= set(AGENCY_PERSON_KEYS)
        assert not [k for k in a if k.startswith(PERSON_PREFIXES)]
        assert a["person"]["home_inference_accuracy"] is None
    assert (agencies["county-police"]["person"]["uniqueness_k2"],
            agencies["county-police"]["person"]["uniqueness_k2_n"]) == (1.0, 3)
    assert agencies["city-police"]["person"]["uniqueness_k2_n"] == 5


def test_an_agency_that_sees_every_read_has_the_runs_numbers(road_runs):
    """County retention 730 days: the state police see all 20 reads, so their view is the run's: every trip rebuilt
    whole (recall 1), the run's long-trip numbers and person numbers, and the same keys as any other agency."""
    sim = road_runs[730]
    metrics, agencies = sim.metrics, sim.metrics["agencies"]
    state = agencies["state-police"]
    assert (state["share_reads_visible"], state["share_trips_reconstructable"], state["route_recall_mean"]) == \
        (1.0, 1.0, 1.0)
    assert state["long_trips"] == metrics["long_trips"]
    assert state["person"] == {k: metrics[k] for k in AGENCY_PERSON_KEYS if k in metrics}
    assert state["person"]["uniqueness_k2_n"] == 5
    assert set(state) == set(agencies["city-police"]) and set(state["person"]) == set(agencies["city-police"]["person"])
    assert agencies["county-police"]["share_reads_visible"] == 0.5  # all ten county reads now


def long(entry):
    """Share of kilometres covered, longest gap (km, minutes) and operators seeing, of a ``long_trips`` entry."""
    return (pytest.approx(entry["share_km_covered_mean"]), entry["longest_gap_km_median"],
            pytest.approx(entry["longest_gap_min_median"]), pytest.approx(entry["operators_seeing_mean"]))


#: (share covered, longest gap km, minutes, operators) of :func:`road_runs` by hand. Every trip is 2.5 km (longer
#: than the 1 km threshold). All reads: sightings at 250, 750, 1,250, 2,000 m; the longest gap 1,250 → 2,000 m
#: (0.75 km, 75 s), two operators. The county's three cars: 750 and 2,000 m, longest 1.25 km (125 s), one
#: operator; the other two nothing: 2.5 km (250 s), none: median 1.25 km, mean 0.6 operators. The city's:
#: 250 and 1,250 m, longest 1,250 → 2,500 m (1.25 km). The state's: two cars as the city's, three whole: 0.75 km.
SEEN = {"all": (1.0, 0.75, 1.25, 2.0), "county": (0.48, 1.25, 125 / 60, 0.6), "city": (0.6, 1.25, 125 / 60, 1.0),
        "state": (0.84, 0.75, 1.25, 1.6), "nothing": (0.0, 2.5, 250 / 60, 0.0)}


def test_what_if_an_operator_or_a_pool_were_removed(road_runs):
    """Without the county: the all-reads view loses the county's cameras (the city's left); the county police,
    sheriff and outsider see nothing; the state police see the city's. Without the pool (no cameras of its own:
    no all-reads entry): only the outsider loses its reads. As run: each view's own numbers."""
    what_if = road_runs[0.1].metrics["long_trips_what_if"]
    expected = {
        "as run": {"all reads": "all", "county-police": "county", "sheriff": "county", "city-police": "city",
                   "state-police": "state", "outsider": "county"},
        "without county": {"all reads": "city", "county-police": "nothing", "sheriff": "nothing",
                           "city-police": "city", "state-police": "city", "outsider": "nothing"},
        "without pool": {"county-police": "county", "sheriff": "county", "city-police": "city",
                         "state-police": "state", "outsider": "nothing"},
    }
    assert {case: list(views) for case, views in what_if.items()} == \
        {case: list(views) for case, views in expected.items()}
    for case, views in expected.items():
        for view, seen in views.items():
            assert long(what_if[case][view]) == SEEN[seen], (case, view)
    assert what_if["as run"]["all reads"] == road_runs[0.1].metrics["long_trips"]
