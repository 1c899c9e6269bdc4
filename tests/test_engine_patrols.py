"""Patrol cars and camera outages on both traffic engines: the compiled loop logs what SimPy logs, bit for bit,
and both keep SimPy's clock arithmetic (a wait of ``d`` ends at ``now + d``; a run ``until`` stops before any
event at that time)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.generators import grid_network
from sim.traffic import ENGINES, camera_outages, drive_patrols, patrol_beats

DAY_S = 86_400


def patrol_log(seed: int, rows: int, cols: int, n_beats: int, cars: int, engine: str, **kw) -> pd.DataFrame:
    net = grid_network(rows, cols, rng=np.random.default_rng(seed))
    beats = patrol_beats(net, n_beats, np.random.default_rng(seed + 1))
    return drive_patrols(net, beats, np.arange(cars) % len(beats), rng=np.random.default_rng(seed + 2),
                         engine=engine, **kw)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("rows", "cols", "n_beats", "cars", "days", "driving_share", "hot_spots"), [
    (6, 6, 1, 2, 1, 1.0, 0),
    (6, 6, 1, 2, 3, 0.4, 3),
    (10, 8, 3, 5, 2, 1.0, 3),
    (10, 8, 3, 5, 3, 0.4, 0),
    (8, 12, 4, 7, 1, 0.4, 3),
    (8, 12, 4, 7, 2, 1.0, 0),
])
def test_patrol_engines_log_the_same_edges(seed, rows, cols, n_beats, cars, days, driving_share, hot_spots):
    kw = dict(days=days, shift_start_s=8 * 3600, shift_s=2 * 3600, speed_factor=0.8, driving_share=driving_share,
              hot_spots=hot_spots, hot_spot_share=0.5 if hot_spots else 0.0)
    simpy_frame = patrol_log(seed, rows, cols, n_beats, cars, "simpy", **kw)
    compiled_frame = patrol_log(seed, rows, cols, n_beats, cars, "compiled", **kw)
    assert len(simpy_frame) and set(simpy_frame["car"]) == set(range(cars))
    pd.testing.assert_frame_equal(simpy_frame, compiled_frame, check_exact=True)


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize(("n_cameras", "mtbf_s", "mttr_s", "horizon_s"), [
    (1, 3_600, 600, 86_400),
    (5, 36_000.5, 3_600.25, 86_400),
    (40, 20 * 3600, 4 * 3600, 7 * 86_400),
    (200, 86_400, 86_400, 30 * 86_400.0),
])
def test_outage_engines_give_the_same_windows(seed, n_cameras, mtbf_s, mttr_s, horizon_s):
    def windows(engine):
        return camera_outages(n_cameras, horizon_s, mtbf_s=mtbf_s, mttr_s=mttr_s, rng=np.random.default_rng(seed),
                              engine=engine)

    simpy_frame, compiled_frame = windows("simpy"), windows("compiled")
    assert len(simpy_frame)
    pd.testing.assert_frame_equal(simpy_frame, compiled_frame, check_exact=True)


def test_an_unknown_engine_is_refused():
    net = grid_network(4, 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="simpy, compiled"):
        drive_patrols(net, [np.arange(net.n_nodes)], np.array([0]), days=1, shift_start_s=0.0, shift_s=3600.0,
                      speed_factor=1.0, rng=np.random.default_rng(0), engine="numba")
    with pytest.raises(ValueError, match="simpy, compiled"):
        camera_outages(3, 86_400, mtbf_s=3600, mttr_s=600, rng=np.random.default_rng(0), engine="auto")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("driving_share", [1.0, 0.4])
def test_patrol_cars_drive_each_edge_in_its_time_inside_their_shifts(engine, driving_share):
    seed, days, speed_factor, shift_start_s, shift_s = 3, 3, 0.8, 7 * 3600 + 0.1, 5 * 3600
    net = grid_network(8, 8, rng=np.random.default_rng(seed))
    beats = patrol_beats(net, 2, np.random.default_rng(seed))
    log = drive_patrols(net, beats, np.array([0, 1, 1]), days=days, shift_start_s=shift_start_s, shift_s=shift_s,
                        speed_factor=speed_factor, driving_share=driving_share, rng=np.random.default_rng(seed),
                        engine=engine)
    t_in, t_out = log["t_in"].to_numpy(), log["t_out"].to_numpy()
    # an edge takes its free-flow time over the speed factor, and ends at t_in + that, exactly as a SimPy timeout
    assert (t_out == t_in + net.edge_time[log["edge"].to_numpy()] / speed_factor).all()
    # every edge is entered during a shift; the shift's start is reached as now + (start - now), which can round
    # to an ulp of the start (hence the tolerance), and no edge is entered once the shift is over
    starts = np.arange(days) * DAY_S + shift_start_s
    shift = np.searchsorted(starts, t_in + 1e-6, side="right") - 1
    assert (shift >= 0).all() and (t_in - starts[shift] >= -1e-6).all() and (t_in < starts[shift] + shift_s).all()
    assert set(shift) == set(range(days))
    if driving_share == 1:  # edge after edge, and each shift's first edge at the wait for its start, SimPy's way
        for _, part in log.groupby("car"):
            t_in, t_out, day = part["t_in"].to_numpy(), part["t_out"].to_numpy(), shift[part.index]
            first = np.concatenate([[True], np.diff(day) > 0])
            assert (t_in[1:][~first[1:]] == t_out[:-1][~first[1:]]).all()
            before = np.concatenate([[0.0], t_out[:-1]])[first]
            assert (t_in[first] == before + np.maximum(0.0, starts[day[first]] - before)).all()


@pytest.mark.parametrize("engine", ENGINES)
def test_each_camera_first_fails_after_the_first_draw_of_its_own_stream(engine):
    seed, n, mtbf_s, mttr_s = 11, 30, 5 * 3600.0, 1800.0
    windows = camera_outages(n, 10 * 86_400, mtbf_s=mtbf_s, mttr_s=mttr_s, rng=np.random.default_rng(seed),
                             engine=engine)
    first = windows.groupby("camera").first()
    assert len(first) == n  # a 5 h mean time between failures: every camera fails within 10 days
    for c in range(n):
        stream = np.random.default_rng(seed).spawn(n)[c]
        up = stream.exponential(mtbf_s)
        assert first.loc[c, "start_s"] == up
        assert first.loc[c, "end_s"] == up + stream.exponential(mttr_s)


class ScriptedStream:
    """Stands in for a camera's random stream: ``exponential`` returns the scripted draws in turn."""

    def __init__(self, draws):
        self.draws = iter(draws)

    def exponential(self, scale):
        return next(self.draws)


class ScriptedRng:
    def __init__(self, draws_per_camera):
        self.draws_per_camera = draws_per_camera

    def spawn(self, n):
        return [ScriptedStream(draws) for draws in self.draws_per_camera[:n]]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_repair_ending_when_the_run_ends_is_not_recorded(engine):
    # horizon 100 s, mean repair 1 s: the run goes until 100 + 50 * 1 = 150 s. SimPy processes its `until` before
    # any timeout at the same time, so a repair ending at 150 s exactly is not seen; one ending at 149.5 s is.
    draws = [[10.0, 140.0, 1.0, 1.0], [10.0, 139.5, 0.5, 1e9], [20.0, 5.0, 200.0, 1.0]]
    windows = camera_outages(3, 100, mtbf_s=1, mttr_s=1, rng=ScriptedRng(draws), engine=engine)
    assert list(windows.itertuples(index=False, name=None)) == [(1, 10.0, 149.5), (2, 20.0, 25.0)]
