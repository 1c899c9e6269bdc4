"""Sweeps: many scenarios × seeds on Dask, resumable, collected into one table.

A sweep spec is TOML::

    base = "teaching-grid.toml"        # a scenario file, or a library name (omit: the built-in default)
    seeds = [1, 2, 3]
    [set]                              # fixed overrides for every run
    "demand.trips" = 2000
    [axes]                             # every combination is run, for every seed
    "cameras.strategy" = ["random", "betweenness", "greedy"]
    "cameras.count" = [10, 20, 40]

Each run writes its own output directory atomically under ``OUT/runs/``; a
run whose directory exists is finished and is skipped when the sweep is run
again, so a killed sweep loses nothing and recomputes nothing finished.
``OUT/sweep.parquet`` holds one row per run (axes, seed, scalar metrics, each interval as ``_ci_low`` and
``_ci_high`` columns).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from sim.io.folders import atomic_write_bytes, claim_folder, is_own_temporary
from sim._errors import ScenarioError
from sim.library import find_scenario
from sim.runner import run_scenario
from sim.shard import task_threads, use_threads
from sim.scenario import load_scenario
from sim._validate import require_file


@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: its overrides and where it writes."""

    run_id: str
    values: dict[str, Any]
    seed: int
    overrides: tuple[str, ...]


@dataclass(frozen=True)
class SweepSpec:
    """A parsed sweep: the base scenario file and the runs."""

    base: Path | None
    runs: tuple[SweepRun, ...]
    axes: tuple[str, ...]


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep spec; every problem names the file and key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = p.write_text('seeds = [1, 2]\\n[axes]\\n"cameras.count" = [5, 10]\\n')
    >>> len(load_sweep(p).runs)
    4
    """
    path = require_file(path, "sweep file", ScenarioError)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: TOML syntax error: {exc}") from None
    unknown = sorted(set(data) - {"base", "seeds", "set", "axes"})
    if unknown:
        raise ScenarioError(f"{path}: unknown key(s) {', '.join(unknown)}; allowed: base, seeds, set, axes")
    seeds = data.get("seeds", [0])
    if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) and s >= 0 for s in seeds):
        raise ScenarioError(f"{path}: seeds must be a non-empty list of integers >= 0")
    axes = data.get("axes", {})
    if not isinstance(axes, dict) or not all(isinstance(v, list) and v for v in axes.values()):
        raise ScenarioError(f"{path}: [axes] must map scenario keys to non-empty lists of values")
    fixed = data.get("set", {})
    if not isinstance(fixed, dict):
        raise ScenarioError(f"{path}: [set] must map scenario keys to values")
    base = (path.parent / data["base"]).resolve() if "base" in data else None
    if base is not None and not base.is_file():  # no such file: the library's scenario of that name, as for run
        beside, base = base, find_scenario(str(data["base"]))
        if base is None:
            raise ScenarioError(f"{path}: base = {data['base']!r}: no scenario file at {beside} (base is a path "
                                "relative to the sweep file), nor a scenario of that name in the library "
                                "(curtain list)")
    names = tuple(axes)
    runs = []
    for combo in itertools.product(*axes.values()):
        values = dict(zip(names, combo))
        for seed in seeds:
            overrides = tuple(f"{k}={_toml_value(v)}" for k, v in {**fixed, **values}.items()) + (f"seed={seed}",)
            digest = hashlib.sha256("\n".join(overrides).encode()).hexdigest()[:10]
            slug = "_".join(f"{k.split('.')[-1]}-{v}" for k, v in values.items()).replace("/", "-")
            runs.append(SweepRun(f"{slug + '_' if slug else ''}seed-{seed}_{digest}", values, seed, overrides))
    # (an error names the table of the sweep file a key came from, not the --set of `curtain run`)
    sources = {**{key: f"[set] in {path}" for key in fixed}, **{key: f"[axes] in {path}" for key in axes},
               "seed": f"seeds in {path}"}
    _check_runs(path, base, runs, sources)
    return SweepSpec(base=base, runs=tuple(runs), axes=names)


def _check_runs(path: Path, base: Path | None, runs: list[SweepRun], sources: dict[str, str]) -> None:
    """Validate every run's scenario now, so a bad value fails before any run starts."""
    for run in runs:
        try:
            load_scenario(base, list(run.overrides), sources=sources)
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: run {run.run_id}: {exc}") from None


def run_one(base: str | None, overrides: list[str], out_dir: str, threads: int | None = None) -> dict[str, Any]:
    """Run one scenario of a sweep (in a Dask worker) unless its output already exists; its compiled code on
    ``threads`` threads (a local cluster's share of the cores: ``None`` keeps the worker's own count)."""
    use_threads(threads)
    out = Path(out_dir)
    if not (out / "metrics.json").is_file():
        run_scenario(load_scenario(base, overrides), out)
    return json.loads((out / "metrics.json").read_text())


def scalar_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """The numeric top-level metrics of a run (nested tables left out), each 95 % interval ``<key>_ci``
    (``[low, high]``, or ``None``) as two columns, ``<key>_ci_low`` and ``<key>_ci_high``.

    Examples
    --------
    >>> scalar_metrics({"share_x": 0.5, "share_x_n": 10, "share_x_ci": [0.2, 0.8], "share_y_ci": None,
    ...                 "by_kind": {"a": 1}, "name": "grid"})
    {'share_x': 0.5, 'share_x_n': 10, 'share_x_ci_low': 0.2, 'share_x_ci_high': 0.8, 'share_y_ci_low': None, \
'share_y_ci_high': None}
    """
    out: dict[str, Any] = {}
    for key, value in metrics.items():
        if key.endswith("_ci") and (value is None or isinstance(value, list) and len(value) == 2):
            out[f"{key}_low"], out[f"{key}_high"] = value if value is not None else (None, None)
        elif isinstance(value, (int, float)) or value is None:
            out[key] = value
    return out


def run_sweep(
    spec: SweepSpec,
    out_dir: str | Path,
    *,
    scheduler: str | None = None,
    n_workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run every unfinished run on Dask and write ``sweep.parquet`` and the comparison figure.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running Dask scheduler; default: a ``LocalCluster``.
    n_workers : int
        Worker processes of the local cluster (default 1: one run's memory at a time).
    progress : callable, optional
        Called with (finished, total) as runs complete.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    out = claim_folder(out_dir, "sweep")
    (out / "runs").mkdir(exist_ok=True)
    for stale in (out / "runs").glob(".*"):
        # the temporary folder of a run killed mid-way (its run starts over); nothing else is touched
        if is_own_temporary(stale, "run"):
            shutil.rmtree(stale)
    base = str(spec.base) if spec.base else None
    results: dict[str, dict[str, Any]] = {}
    todo = []
    for run in spec.runs:
        target = out / "runs" / run.run_id
        if (target / "metrics.json").is_file():
            results[run.run_id] = json.loads((target / "metrics.json").read_text())
        else:
            todo.append(run)
    if progress:
        progress(len(results), len(spec.runs))
    if todo:
        cluster = None if scheduler else LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                                     processes=True, dashboard_address=None)
        threads = None if cluster is None else task_threads(n_workers)  # (as sim.shard's workers share the cores)
        with Client(scheduler or cluster) as client:
            futures = {client.submit(run_one, base, list(r.overrides), str(out / "runs" / r.run_id), threads,
                                     key=f"curtain-{r.run_id}", pure=False): r for r in todo}
            for future in as_completed(futures):
                results[futures[future].run_id] = future.result()
                if progress:
                    progress(len(results), len(spec.runs))
        if cluster is not None:
            cluster.close()
    table = pd.DataFrame([
        {"run_id": r.run_id, **{k: _table_cell(v) for k, v in r.values.items()}, "seed": r.seed,
         **scalar_metrics(results[r.run_id])}
        for r in spec.runs
    ])
    _write_table(table, out / "sweep.parquet")
    return table


def _table_cell(value: Any) -> Any:
    """A sweep table cell: nested values (lists, tables) as JSON text, scalars as they are."""
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value


def _write_table(table: pd.DataFrame, path: Path) -> None:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), buffer)
    atomic_write_bytes(path, buffer.getvalue())


def confidence_band(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and a t-based confidence interval of the mean (the mean itself when n = 1).

    Examples
    --------
    >>> m, lo, hi = confidence_band(np.array([1.0, 2.0, 3.0]))
    >>> m, round(lo, 3), round(hi, 3)
    (2.0, -0.484, 4.484)
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not len(values):
        return (np.nan, np.nan, np.nan)
    mean = float(values.mean())
    if len(values) < 2:
        return (mean, mean, mean)
    # the t quantile (scipy.stats.t.ppf computes it with this very function; scipy.stats costs 0.5 s to import)
    half = float(stdtrit(len(values) - 1, (1 + level) / 2) * values.std(ddof=1) / np.sqrt(len(values)))
    return (mean, mean - half, mean + half)


def summarise(table: pd.DataFrame, x: str, metric: str, group: str | None = None) -> pd.DataFrame:
    """Mean and 95 % confidence interval of ``metric`` over seeds, per ``x`` (and ``group``); ``n`` the seeds
    with a value, ``values`` their values (the points the figure draws)."""
    keys = [group, x] if group else [x]
    rows = []
    for key, part in table.groupby(keys, sort=True):
        values = part[metric].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        mean, lo, hi = confidence_band(values)
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(keys, key)), "mean": mean, "ci_low": lo, "ci_high": hi, "n": len(values),
                     "values": values.tolist()})
    return pd.DataFrame(rows)


COMPARED_METRICS = ("share_trips_read_ge1", "share_trips_read_ge2", "route_recall_mean", "camera_free_pair_share")


def comparison_lines(table: pd.DataFrame, axes: tuple[str, ...]) -> tuple[pd.DataFrame, str, str | None] | None:
    """How a sweep's comparison figure draws ``table``: the x axis (``cameras.count``, else the first numeric
    axis) and one line per setting of every other axis (``None``: no other axis), as ``(table, x, group)``; with
    two or more other axes, ``group`` is a column of ``table`` naming each combination ("greedy / 0.9"), so that
    no axis is averaged away as if its settings were seeds. ``None`` when no axis is numeric.

    Examples
    --------
    >>> t = pd.DataFrame({"cameras.count": [5, 5, 5, 5], "cameras.strategy": ["a", "a", "b", "b"],
    ...                   "reads.read_rate": [0.8, 0.9, 0.8, 0.9]})
    >>> t, x, group = comparison_lines(t, ("cameras.count", "cameras.strategy", "reads.read_rate"))
    >>> x, group, t[group].tolist()
    ('cameras.count', 'strategy / read_rate', ['a / 0.8', 'a / 0.9', 'b / 0.8', 'b / 0.9'])
    """
    numeric = [a for a in axes if pd.api.types.is_numeric_dtype(table[a])]
    if not numeric:
        return None
    x = "cameras.count" if "cameras.count" in numeric else numeric[0]
    others = sorted((a for a in axes if a != x), key=lambda a: a != "cameras.strategy")  # (strategy first)
    if len(others) <= 1:
        return table, x, others[0] if others else None
    group = " / ".join(a.split(".")[-1] for a in others)
    label = table[others[0]].astype(str)
    for axis in others[1:]:
        label = label + " / " + table[axis].astype(str)
    return table.assign(**{group: label}), x, group


def write_comparison(table: pd.DataFrame, axes: tuple[str, ...], out_dir: str | Path) -> Path | None:
    """The placement-comparison figure of a sweep: metric vs the first numeric axis, a line per other axis."""
    from sim.plot import placement_comparison_figure, save_figure  # lazy: matplotlib

    lines = comparison_lines(table, axes)
    if lines is None:
        return None
    table, x, group = lines
    metrics = [m for m in COMPARED_METRICS if m in table.columns and table[m].notna().any()]
    summaries = {m: summarise(table, x, m, group) for m in metrics}
    fig = placement_comparison_figure(summaries, x, group, x_label="number of cameras" if x == "cameras.count" else x)
    return save_figure(fig, Path(out_dir) / "figures" / "placement_comparison.png")
