"""The ``curtain`` command line."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.table import Table

from sim._errors import CurtainError
from sim.cli_common import DebugOption, SetOption, console, err_console, fail, input_file, input_name, log_level
from sim.cli_data import audit, cameras, data_app
from sim.scenario import NetworkSpec, load_scenario
from sim.analyze import run_analysis
from sim.bench import routing_benchmark
from sim.checks import check_scenario
from sim.explore import MAX_NODES, check_page_target, load_for_explorer, write_explorer
from sim.figures import draw_run
from sim.io import load_network
from sim.io.folders import curtain_kind, record_files
from sim.io.run import read_run
from sim.pipeline import STAGE_NAMES
from sim.progress import listening
from sim.query import agencies_seeing_plate, plate_history, plate_summary, reads_per_camera_per_day
from sim.report import answer
from sim.runner import run_scenario
from sim.seeds import stage_rngs
from sim.shard import workers as dask_workers
from sim.sweep import load_sweep, run_sweep, write_comparison

if TYPE_CHECKING:
    from sim.network import RoadNetwork
    from sim.scenario import Scenario

app = typer.Typer(
    help="Curtain: simulate licence-plate-reader camera networks and measure what they reveal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help like git's: rich panels print flags as "<bool>" and types as "<list[str]>"
)


def _version(value: bool) -> None:
    if value:
        from importlib import metadata

        console.print(f"curtain {metadata.version('curtain-sim')}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show Curtain's version and exit.")
    ] = False,
) -> None:
    """Curtain: simulate licence-plate-reader camera networks and measure what they reveal."""

SUMMARY_KEYS = (
    ("n_trips", "trips"),
    ("n_cameras", "cameras"),
    ("n_cameras_unsnapped", "cameras too far from a road (not placed; see metrics.json)"),
    ("n_reads", "reads"),
    ("reads_per_camera_per_day", "reads per camera per day"),
    ("reads_per_camera_per_day_full_scale", "reads per camera per day, whole fleet"),
    ("share_trips_read_ge1", "trips read ≥ 1 time"),
    ("share_trips_read_ge2", "trips read ≥ 2 times"),
    ("route_recall_mean", "route recall (mean)"),
    ("route_precision_mean", "route precision (mean)"),
    ("route_precision_mean_ge2", "route precision, trips sighted ≥ 2 times"),
    ("share_trips_fastest_route", "trips that drove a fastest path"),
    ("od_error_m_median", "origin/destination error (median, m)"),
    ("camera_free_pair_share", "place pairs with a camera-free route"),
    ("detour_ratio_median", "detour to avoid cameras (median ×)"),
)


def _load(scenario: Path | None, set_: list[str] | None) -> Scenario:
    """The scenario with its overrides; ``--set key value`` (a space for ``=``) gets a hint, not "7: not found"."""
    bare = [item for item in set_ or [] if "=" not in item]
    if bare and scenario is not None and not scenario.exists():
        raise CurtainError(f"--set {bare[0]} {scenario}: did you mean --set {bare[0]}={scenario}? "
                           "(an override is key.path=value, without spaces)")
    return load_scenario(scenario, set_ or [])


def main() -> None:
    """Console entry point: Curtain's own errors get one line; anything else a short note."""
    try:
        app()
    except (CurtainError, OSError) as exc:  # raised outside a command's own handling
        err_console.print(f"error: {exc}", highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
    except MemoryError:  # past the size check's estimate: say what to do, not "internal error"
        if "--debug" in sys.argv:
            raise
        err_console.print("error: the run ran out of memory; nothing was written. Make the scenario smaller "
                          "(network size, demand.trips or demand.vehicles, demand.days), keep a route sample "
                          "([metrics] route_sample), or lower CURTAIN_MEMORY_GB so the size check refuses it first",
                          highlight=False, markup=False, soft_wrap=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - last resort: no traceback without --debug
        if "--debug" in sys.argv:
            raise
        err_console.print(f"internal error ({type(exc).__name__}: {exc}); re-run with --debug and report it",
                          highlight=False, markup=False, soft_wrap=True)
        sys.exit(2)


@app.command()
def run(
    scenario: Annotated[
        Optional[Path], typer.Argument(help="Scenario TOML file (default: the built-in teaching-grid).")
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option("-o", "--out", metavar="FOLDER", help="Output folder (default: out/<scenario name>)."),
    ] = None,
    set_: SetOption = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, metavar="N", help="Dask worker processes for route choice and traffic "
                                                   "(results are the same for any number).")
    ] = 1,
    scheduler: Annotated[
        Optional[str],
        typer.Option("--scheduler", metavar="ADDRESS", help="Address of a running Dask scheduler "
                                                           "(instead of --workers)."),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Run a scenario and write reads, metrics, figures and report.html."""
    log_level(debug)
    try:
        spec = _load(scenario, set_)
        target = out or Path("out") / spec.output_name()
        with dask_workers(workers, scheduler), _stage_bar() as advance:
            result = run_scenario(spec, target, progress=advance)
    except (CurtainError, OSError) as exc:
        fail(exc, debug)
        return
    table = Table(title=f"{spec.name} (seed {spec.seed})" + (f" with {' '.join(spec.overrides)}" if spec.overrides
                                                             else ""))
    table.add_column("")
    table.add_column("value", justify="right")
    table.add_column("95 % interval", justify="right")
    for key, label in SUMMARY_KEYS:
        if key not in result.metrics:  # e.g. per-camera reads scaled up: only for a sampled fleet
            continue
        ci = result.metrics.get(f"{key}_ci")
        table.add_row(label, _format(result.metrics.get(key)), f"{ci[0]:.3f}–{ci[1]:.3f}" if ci else "")
    console.print(table)
    sample = result.metrics.get("route_sample")
    if sample:
        console.print(f"route recall and precision: the routes of {sample['vehicles']:,} of {sample['of_vehicles']:,} "
                      f"vehicles ({sample['trips']:,} trips) were kept, a stratified sample "
                      "(metrics.route_sample; \"all\" keeps every route)", highlight=False, soft_wrap=True)
    if spec.reads.source != "file":
        console.print(answer(result.metrics, spec.output.question), highlight=False, soft_wrap=True)
    console.print(f"wrote [bold]{result.out_dir}[/] (open {result.out_dir / 'report.html'})")
    if result.carried:
        console.print(f"kept what you had put in it, untouched: {', '.join(result.carried)}", highlight=False,
                      soft_wrap=True)


ANALYZE_KEYS = (
    ("n_rows", "rows in the file"),
    ("n_rows_left_out", "rows left out (see malformed_rows.csv)"),
    ("n_reads", "reads analysed"),
    ("n_devices", "devices"),
    ("n_days", "days"),
    ("reads_per_device_per_day_mean", "reads per device per day"),
    ("n_reads_without_location", "reads without a location"),
    ("n_plates", "distinct plates"),
    ("share_plates_read_once", "plates read once"),
    ("share_plates_seen_on_2plus_days", "plates seen on 2+ days"),
    ("repeat_gap_h_median", "time to a repeat sighting (median, h)"),
    ("uniqueness_k2", "plates singled out by 2 (place, hour) points"),
    ("n_recon_trips_2plus_reads", "trips rebuilt from 2+ reads"),
)


@app.command()
def analyze(
    reads_file: Annotated[
        Path, typer.Argument(metavar="READS_FILE", help="Reads file: CSV (, | ; or tab; .gz/.bz2) or Parquet.")
    ],
    out: Annotated[
        Optional[Path], typer.Option("-o", "--out", metavar="FOLDER", help="Output folder (default: out/<file name>).")
    ] = None,
    network: Annotated[
        Optional[Path],
        typer.Option(metavar="NETWORK_FILE", help="Road network (.graphml, .osm, .osm.bz2, .osm.pbf) "
                                                  "to snap located reads to."),
    ] = None,
    plate: Annotated[Optional[str], typer.Option(metavar="COLUMN", help="Plate (or plate hash) column.")] = None,
    time_column: Annotated[Optional[str], typer.Option("--time", metavar="COLUMN", help="Timestamp column.")] = None,
    time_format: Annotated[
        Optional[str],
        typer.Option(metavar="FORMAT", help="strftime format of the timestamps, e.g. '%m/%d/%Y - %H:%M:%S'."),
    ] = None,
    device: Annotated[Optional[str], typer.Option(metavar="COLUMN", help="Device / camera column.")] = None,
    lon: Annotated[Optional[str], typer.Option(metavar="COLUMN", help="Longitude column.")] = None,
    lat: Annotated[Optional[str], typer.Option(metavar="COLUMN", help="Latitude column.")] = None,
    delimiter: Annotated[Optional[str], typer.Option(metavar="CHAR", help="CSV delimiter (default: sniffed).")] = None,
    max_snap_m: Annotated[
        float, typer.Option(metavar="METRES", help="Snap reads within this distance of a road.")
    ] = 50.0,
    seed: Annotated[int, typer.Option(metavar="N", help="Seed of the uniqueness draws.")] = 0,
    debug: DebugOption = False,
) -> None:
    """Analyse a real plate-read log: plates, repeats, uniqueness; with --network, rebuilt trips."""
    log_level(debug)
    name = input_name(reads_file)
    target = out or Path("out") / (name or "reads")
    columns = {"plate": plate, "time": time_column, "device": device, "lon": lon, "lat": lat}
    try:
        reads_file = input_file(reads_file)
        net = _network_file(input_file(network)) if network else None
        with console.status("analysing", spinner="dots"):
            analysis = run_analysis(reads_file, target, columns=columns, time_format=time_format,
                                    delimiter=delimiter, net=net, network_label=str(network) if network else None,
                                    max_snap_m=max_snap_m, seed=seed)
    except (CurtainError, OSError) as exc:
        fail(exc, debug)
        return
    table = Table(title=str(reads_file.name), show_header=False)
    for key, label in ANALYZE_KEYS:
        if key in analysis.metrics:
            table.add_row(label, _format(analysis.metrics[key]))
    console.print(table)
    console.print(f"wrote [bold]{target}[/] (open {target / 'report.html'})")


def _network_file(path: Path) -> RoadNetwork:
    """A road network from a GraphML or OSM file, by its suffix."""
    source = "graphml" if path.suffix.lower() == ".graphml" else "osm_file"
    spec = NetworkSpec(source=source, path=str(path))
    return load_network(spec, lambda p: Path(p), stage_rngs(0)["network"])


@contextlib.contextmanager
def _stage_bar() -> Iterator[Callable[[str], None]]:
    """A progress bar over a run's stages, with the elapsed time, and inside the long stages a count
    (trips routed, trips driven, camera passes read) with the time remaining."""
    from rich.progress import (
        BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TimeElapsedColumn, TimeRemainingColumn,
    )

    stages = STAGE_NAMES  # a run reports each stage as it finishes it, writing last
    counted: dict[str, tuple[int, int]] = {}  # unit -> (done, total) of the stage running

    def count(unit: str, done: int, total: int) -> None:
        counted[unit] = (done, total)

    if not console.is_terminal:
        # output to a pipe or a log file: one line per stage as it ends, with the time so far and its counts
        import time

        started = time.perf_counter()

        def line(stage: str) -> None:
            counts = "".join(f"; {done:,} {unit}" for unit, (done, _) in counted.items())
            counted.clear()
            console.print(f"{stage}: done ({time.perf_counter() - started:,.1f} s{counts})", highlight=False)

        with listening(count):
            yield line
        return
    class Remaining(TimeRemainingColumn):
        """Time remaining for counts only: stages differ too much in length for the stage bar to have one."""

        def render(self, task: Any) -> Any:
            return super().render(task) if task.fields.get("eta") else ""

    with Progress(SpinnerColumn(), "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), Remaining(), console=console, transient=True) as bar:
        task = bar.add_task(f"running: {stages[0]}", total=len(stages))
        inner: dict[str, TaskID] = {}

        def show(unit: str, done: int, total: int) -> None:
            if unit not in inner:
                inner[unit] = bar.add_task(f"  {unit}", total=max(total, 1), eta=True)
            bar.update(inner[unit], completed=done)

        def advance(stage: str) -> None:
            for unit in list(inner):
                bar.remove_task(inner.pop(unit))
            done = stages.index(stage) + 1 if stage in stages else int(bar.tasks[0].completed) + 1
            following = stages[done] if done < len(stages) else "done"
            bar.update(task, completed=done, description=f"running: {following}")

        with listening(show):
            yield advance


def _format(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario TOML file to check.")],
    set_: SetOption = None,
    debug: DebugOption = False,
) -> None:
    """Check a scenario file without running it: its keys, then everything its network can tell (as `run` does)."""
    try:
        spec = _load(scenario, set_)
        checked = check_scenario(spec)
    except CurtainError as exc:
        fail(exc, debug)
        return
    console.print(f"{scenario}: ok (scenario {spec.name!r}, seed {spec.seed}; {checked})", highlight=False)


@app.command()
def sweep(
    spec: Annotated[
        Path, typer.Argument(metavar="SWEEP", help="Sweep TOML: base scenario, seeds, [set] and [axes] tables.")
    ],
    out: Annotated[Path, typer.Option("-o", "--out", metavar="FOLDER", help="Output folder of the sweep.")],
    scheduler: Annotated[
        Optional[str],
        typer.Option("--scheduler", metavar="ADDRESS", help="Address of a running Dask scheduler (default: local)."),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", metavar="N", help="Worker processes of the local cluster.")] = 2,
    debug: DebugOption = False,
) -> None:
    """Run scenarios x seeds on Dask (resumable) into sweep.parquet and a comparison figure."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn


    try:
        plan = load_sweep(spec)
        with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task("runs", total=len(plan.runs))
            table = run_sweep(plan, out, scheduler=scheduler, n_workers=workers,
                              progress=lambda done, total: bar.update(task, completed=done))
        figure = write_comparison(table, plan.axes, out)
    except (CurtainError, OSError) as exc:
        fail(exc, debug)
        return
    console.print(f"{len(table)} runs → {out / 'sweep.parquet'}", highlight=False, soft_wrap=True)
    if figure:
        console.print(f"figure → {figure}", highlight=False, soft_wrap=True)


@app.command()
def plot(
    out: Annotated[
        Path, typer.Argument(metavar="RUN_FOLDER", help="Output folder of `curtain run` (or of `curtain sweep`).")
    ],
    debug: DebugOption = False,
) -> None:
    """Redraw the figures, map and report of a run from its files (nothing is simulated), or a sweep's figure."""
    try:
        kind = curtain_kind(out)
        if kind not in ("run", "sweep"):
            raise CurtainError(f"{out}: not a folder written by `curtain run` or `curtain sweep`; "
                               "curtain plot redraws only Curtain's own output")
        if kind == "sweep" and (out / "sweep.parquet").is_file():
            import pandas as pd

            table = pd.read_parquet(out / "sweep.parquet")
            axes = [c for c in table.columns if "." in c]
            written: list[Path | None] = [write_comparison(table, tuple(axes), out)]
        elif kind == "run" and (out / "scenario.toml").is_file():
            written = list(draw_run(read_run(out), out))
            record_files(out, [p for p in written if p])  # a rerun replaces them as Curtain's own
        else:
            raise CurtainError(f"{out}: neither a run (scenario.toml) nor a sweep (sweep.parquet) folder")
    except (CurtainError, OSError) as exc:
        fail(exc, debug)
        return
    for path in written:
        if path:
            console.print(f"wrote {path}")


@app.command()
def explore(
    source: Annotated[
        Optional[Path], typer.Argument(metavar="[SCENARIO.toml | RUN_FOLDER]",
                                       help="A scenario, or the folder of a run (its scenario.toml is used); "
                                            "default: the built-in teaching-grid.")
    ] = None,
    out: Annotated[
        Optional[Path], typer.Option("-o", "--out", metavar="FILE.html",
                                     help="The page to write (default: out/<scenario name>-explore.html).")
    ] = None,
    set_: SetOption = None,
    debug: DebugOption = False,
) -> None:
    """Write one offline page where a class places cameras and sees what a drive reveals (teaching-sized cities)."""
    try:
        if source is not None and source.is_dir():
            if not (source / "scenario.toml").is_file():
                raise CurtainError(f"{source}: not a run folder (no scenario.toml); give a scenario file or the "
                                   "folder `curtain run` wrote")
            source = source / "scenario.toml"
        _load(source, set_)  # the user's file and overrides, checked with their own messages first
        spec = load_for_explorer(source, set_ or [])
        target = out or Path("out") / f"{spec.name}-explore.html"
        if target.suffix.lower() != ".html":
            raise CurtainError(f"{target}: the explorer writes one HTML page; give -o FILE.html")
        check_page_target(target)  # a teacher's own page is never overwritten
        target.parent.mkdir(parents=True, exist_ok=True)
        with console.status(f"simulating {spec.name} for the explorer (up to {MAX_NODES:,} intersections)"):
            write_explorer(spec, target)
    except (CurtainError, OSError) as exc:
        fail(exc, debug)
        return
    console.print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB): open it in a browser, no server "
                  "or network needed")


app.command()(cameras)
app.command()(audit)
app.add_typer(data_app, name="data")


query_app = typer.Typer(help="Ready questions about a run's reads (DuckDB over reads.parquet).",
                        no_args_is_help=True)
app.add_typer(query_app, name="query")


def _show(frame: object) -> None:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    table = Table(show_lines=False)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")  # narrow terminals wrap a column, never drop it
    for row in frame.itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    console.print(table)


def _cell(value: object) -> str:
    """A table cell; times to the second (reads carry microseconds nobody reads)."""
    import pandas as pd

    if isinstance(value, (pd.Timestamp, datetime)):
        return pd.Timestamp(value).floor("s").strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


@query_app.command("plate")
def query_plate(
    out: Annotated[Path, typer.Argument(metavar="RUN_FOLDER", help="Output folder of a run.")],
    plate: Annotated[str, typer.Argument(metavar="PLATE", help="The plate as read, e.g. ABC1234.")],
    debug: DebugOption = False,
) -> None:
    """A plate's history: every read, in time order."""
    try:
        history = plate_history(out, plate)
        if history.empty:
            n, most = plate_summary(out)
            console.print(f"no reads of plate {plate} ({n:,} plates in this run; the most read: {', '.join(most)})",
                          highlight=False, soft_wrap=True)
            return
        _show(history)
    except (CurtainError, OSError) as exc:
        fail(exc, debug)


@query_app.command("agencies")
def query_agencies(
    out: Annotated[Path, typer.Argument(metavar="RUN_FOLDER", help="Output folder of a run.")],
    plate: Annotated[str, typer.Argument(metavar="PLATE", help="The plate as read.")],
    start: Annotated[datetime, typer.Option("--from", metavar="TIME", help="Start of the window.")],
    end: Annotated[datetime, typer.Option("--to", metavar="TIME", help="End of the window (and the query time).")],
    debug: DebugOption = False,
) -> None:
    """Which agencies could see a plate's reads between two times."""
    try:
        _show(agencies_seeing_plate(out, plate, start, end))
    except (CurtainError, OSError) as exc:
        fail(exc, debug)


@query_app.command("per-camera")
def query_per_camera(
    out: Annotated[Path, typer.Argument(metavar="RUN_FOLDER", help="Output folder of a run.")],
    debug: DebugOption = False,
) -> None:
    """Reads per camera per day."""
    try:
        _show(reads_per_camera_per_day(out))
    except (CurtainError, OSError) as exc:
        fail(exc, debug)


@app.command()
def bench(
    side: Annotated[int, typer.Option(metavar="N", help="Grid side of the benchmark city.")] = 60,
    trips: Annotated[int, typer.Option(metavar="N", help="Trips routed by Curtain.")] = 20_000,
    baseline_trips: Annotated[int, typer.Option(metavar="N", help="Trips routed by the networkx baseline.")] = 200,
) -> None:
    """Time batched routing against networkx shortest_path per trip, side by side."""
    for line in routing_benchmark(side=side, trips=trips, baseline_trips=baseline_trips):
        console.print(line, highlight=False)


if __name__ == "__main__":  # pragma: no cover
    main()
