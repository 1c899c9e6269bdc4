"""Sweeps: Dask runs, resuming after a kill, determinism, confidence bands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import ScenarioError
from sim.runner import run_scenario
from sim.scenario import load_scenario
from sim.sweep import confidence_band, load_sweep, run_sweep

TINY = """
seeds = [1, 2]
[set]
"network.rows" = 6
"network.cols" = 6
"demand.trips" = 120
"metrics.pair_samples" = 30
[axes]
"cameras.count" = [3, 8]
"""


def test_sweep_runs_on_dask_and_matches_direct_runs(tmp_path):
    spec_path = tmp_path / "sweep.toml"
    spec_path.write_text(TINY)
    spec = load_sweep(spec_path)
    table = run_sweep(spec, tmp_path / "out", n_workers=1)
    assert len(table) == 4 and set(table["cameras.count"]) == {3, 8}
    assert (tmp_path / "out" / "sweep.parquet").is_file()
    # determinism inside a sweep: byte-identical to the same scenario run directly
    run = spec.runs[0]
    run_scenario(load_scenario(None, list(run.overrides)), tmp_path / "direct")
    for name in ("metrics.json",):
        assert (tmp_path / "direct" / name).read_bytes() == (tmp_path / "out/runs" / run.run_id / name).read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "direct/reads.parquet"),
                                  pd.read_parquet(tmp_path / "out/runs" / run.run_id / "reads.parquet"))
    # more cameras, more trips read (mean over seeds)
    means = table.groupby("cameras.count")["share_trips_read_ge1"].mean()
    assert means[8] > means[3]
    check_intervals_kept(tmp_path / "out", spec)
    check_seeds_shown(table)


def check_intervals_kept(out: Path, spec) -> None:
    """sweep.parquet keeps every run's 95 % intervals, each as ``_ci_low`` and ``_ci_high`` (it used to drop every
    interval that was not null), read back against each run's own metrics.json."""
    written = pd.read_parquet(out / "sweep.parquet").set_index("run_id")
    assert not [c for c in written.columns if c.endswith("_ci")]
    for run in spec.runs:
        metrics = json.loads((out / "runs" / run.run_id / "metrics.json").read_text())
        intervals = {k: v for k, v in metrics.items() if k.endswith("_ci") and not isinstance(v, dict)}
        # (an interval per key of a nested table, uniqueness_ci, is left out with its table)
        assert sum(v is not None for v in intervals.values()) >= 10  # (share_trips_read_ge1_ci, …)
        row = written.loc[run.run_id]
        for key, interval in intervals.items():
            low, high = interval if interval is not None else (None, None)
            for column, value in ((f"{key}_low", low), (f"{key}_high", high)):
                assert (pd.isna(row[column]) if value is None else row[column] == value), (run.run_id, column)
        assert row["share_trips_read_ge1_ci_low"] < row["share_trips_read_ge1"] < row["share_trips_read_ge1_ci_high"]


def check_seeds_shown(table: pd.DataFrame) -> None:
    """The comparison figure says how many seeds its band is of (2) and draws each seed's value."""
    from matplotlib.collections import PathCollection

    from sim.plot import placement_comparison_figure
    from sim.sweep import summarise

    fig = placement_comparison_figure({"share_trips_read_ge1": summarise(table, "cameras.count",
                                                                         "share_trips_read_ge1")},
                                      "cameras.count", None)
    assert fig.get_suptitle() == "Placements compared: mean of n = 2 seeds (dots), 95 % confidence band"
    (dots,) = [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
    expected = sorted((float(r["cameras.count"]), r["share_trips_read_ge1"] * 100) for r in table.to_dict("records"))
    assert sorted(map(tuple, dots.get_offsets().tolist())) == pytest.approx(expected)


def finished_runs(out: Path) -> list[Path]:
    return [p for p in out.glob("runs/*/metrics.json") if not p.parent.name.startswith(".")]


def test_killed_sweep_resumes_without_recomputing(tmp_path):
    spec_path = tmp_path / "sweep.toml"
    spec_path.write_text(TINY.replace("seeds = [1, 2]", "seeds = [1, 2, 3, 4]").replace(
        '"demand.trips" = 120', '"demand.trips" = 3000'))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sim.cli", "sweep", str(spec_path), "-o", str(out), "--workers", "1"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 180
    while time.time() < deadline and len(finished_runs(out)) < 2:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p.parent.name: p.stat().st_mtime_ns for p in finished_runs(out)}
    assert 2 <= len(finished) < 8, "the sweep should have been killed mid-way"
    table = run_sweep(load_sweep(spec_path), out, n_workers=1)
    assert len(table) == 8
    for name, mtime in finished.items():
        assert (out / "runs" / name / "metrics.json").stat().st_mtime_ns == mtime  # not recomputed
    assert not list((out / "runs").glob(".*.tmp"))  # the killed run's temp folder is gone
    assert len(finished_runs(out)) == 8


def test_bad_sweep_values_fail_before_running(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[axes]\n"cameras.read_rate" = [0.5, 1.5]\n')
    with pytest.raises(ScenarioError, match="(?s)bad.toml: run .*cameras.read_rate"):
        load_sweep(path)
    path.write_text('seeds = [1]\nspeed = 3\n')
    with pytest.raises(ScenarioError, match="unknown key"):
        load_sweep(path)


@pytest.mark.parametrize("table, line, said", [
    ("axes", '"cameras.cont" = [3, 8]', "cameras.cont (from [axes] in {path}): unknown key; did you mean 'count'?"),
    ("axes", '"cameras.read_rate" = [0.5, 1.5]', "cameras.read_rate (from [axes] in {path}): Input should be less "
                                               "than or equal to 1 (got 1.5)"),
    ("axes", '"cameras.count.x" = [1]', "cameras.count.x (from [axes] in {path}): 'count' is not a table"),
    ("set", '"demand.trip" = 5', "demand.trip (from [set] in {path}): unknown key; did you mean 'trips'?"),
])
def test_a_bad_key_of_a_sweep_is_named_with_the_sweep_files_table(tmp_path, table, line, said):
    """A bad key of a sweep file's [axes] or [set] is named with the file and the table it is in: it used to be
    "cameras.cont (from --set)", as if typed after `curtain run --set`."""
    path = tmp_path / "bad.toml"
    path.write_text(f"seeds = [1]\n[{table}]\n{line}\n" + ('[axes]\n"cameras.count" = [3]\n' if table == "set" else ""))
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    assert str(caught.value).startswith(f"{path}: run ")
    assert said.format(path=path) in str(caught.value) and "--set" not in str(caught.value)


def test_confidence_band_matches_scipy():
    values = np.random.default_rng(0).normal(5, 2, 12)
    mean, lo, hi = confidence_band(values)
    expected = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    assert (lo, hi) == pytest.approx(expected)
    assert mean == pytest.approx(values.mean())


def test_a_sweeps_base_is_a_file_beside_it_or_a_library_name(tmp_path):
    """``base`` names a scenario file relative to the sweep file; where there is none, the library's scenario of
    that name (as `curtain run NAME`); neither is an error naming both places."""
    (tmp_path / "mine.toml").write_text('name = "mine"\n')
    sweep = tmp_path / "s.toml"
    sweep.write_text('base = "mine.toml"\nseeds = [1]\n[axes]\n"cameras.count" = [3]\n')
    assert load_sweep(sweep).base == (tmp_path / "mine.toml").resolve()
    sweep.write_text('base = "river-city"\nseeds = [1]\n[axes]\n"cameras.count" = [3]\n')
    base = load_sweep(sweep).base
    assert base is not None and base.name == "river-city.toml" and base.parent.name == "scenarios"
    sweep.write_text('base = "no-such-city"\nseeds = [1]\n[axes]\n"cameras.count" = [3]\n')
    with pytest.raises(ScenarioError, match=r"base = 'no-such-city': no scenario file at .*no-such-city .*nor a "
                                            r"scenario of that name in the library"):
        load_sweep(sweep)


def test_a_sweep_run_on_a_local_cluster_takes_its_share_of_the_cores(tmp_path):
    """helper-41: `curtain sweep --workers N` ran each run's compiled code on every core of each worker. A run given
    ``threads`` runs its thread's compiled code on that many (here a finished run, read back: nothing is simulated)."""
    import numba

    from sim.sweep import run_one

    (tmp_path / "metrics.json").write_text('{"n_trips": 3}')
    before = numba.get_num_threads()
    try:
        assert run_one(None, [], str(tmp_path), threads=1) == {"n_trips": 3}
        assert numba.get_num_threads() == 1
    finally:
        numba.set_num_threads(before)
