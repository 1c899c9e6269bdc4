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
from rich.text import Text

from sim._errors import CurtainError
from sim.cli_common import (
    DebugOption, SetOption, console, err_console, fail, input_file, input_name, interruptible, log_level,
    window_time,
)
from sim.cli_data import audit, cameras, data_app
from sim.cli_tables import analysis_table, summary_table
from sim.library import find_scenario, library_folder, scenario_library
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
from sim.query import (agencies_seeing_plate, camera_day_mean, camera_day_sentence, plate_history, plate_summary,
                       reads_per_camera_per_day)
from sim.report import answer
from sim.searches import searches_sentences
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


#: Seconds between the lines of a long stage's counts when a run's output goes to a pipe or a log file.
PIPE_PROGRESS_S = 30.0
#: What a SCENARIO argument takes (run, validate, explore).
SCENARIO_HELP = "A scenario TOML file, or the name of one of the library's (curtain list)"
#: Why --workers is 1 unless told otherwise, in `run` and `sweep` alike.
WORKERS_DEFAULT = ("Default 1, in run and sweep alike: one run's memory at a time, and on a laptop's few cores "
                   "more workers gain little (docs/scale.md); each worker needs about a run's memory.")


def _load(scenario: Path | None, set_: list[str] | None) -> Scenario:
    """The scenario with its overrides; ``--set key value`` (a space for ``=``) gets a hint, not "7: not found"."""
    bare = [item for item in set_ or [] if "=" not in item]
    if bare and scenario is not None and not scenario.exists():
        raise CurtainError(f"--set {bare[0]} {scenario}: did you mean --set {bare[0]}={scenario}? "
                           "(an override is key.path=value, without spaces)")
    return load_scenario(_scenario_file(scenario), set_ or [])


def _scenario_file(scenario: Path | None) -> Path | None:
    """A scenario argument as a file: a file that is there, else the library's scenario of that name
    (``curtain run river-city``); a bare name that is neither says where the names are."""
    if scenario is None or scenario.exists():
        return scenario
    found = find_scenario(str(scenario))
    if found is not None:
        return found
    inside = library_folder() / scenario.with_suffix(".toml")
    if scenario.suffix in ("", ".toml") and inside.is_file():  # `curtain run examples/norfolk-osm`
        raise CurtainError(f"{scenario}: no such scenario file here; the library has it as {inside}: give that path")
    if scenario.parent == Path(".") and scenario.suffix in ("", ".toml"):
        import difflib  # lazy: only for this message

        close = difflib.get_close_matches(scenario.stem, [s.name for s in scenario_library()], n=1)
        # (the library's examples are files to give by their path: scenarios/examples/norfolk-osm.toml)
        example = [str(p) for p in sorted((library_folder() / "examples").glob("*.toml"))
                   if p.stem == scenario.stem]
        raise CurtainError(f"{scenario}: no such scenario file, nor a scenario of that name in the library "
                           f"({library_folder()}); " + (f"did you mean {close[0]!r}? " if close and not example else
                                                       f"the library's examples have it: give {example[0]}; "
                                                       if example else "")
                           + "`curtain list` shows the library's names")
    return scenario


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


@app.command("list")
def list_scenarios() -> None:
    """The scenario library: each scenario's name and the line heading its file, the question it takes up."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("scenario", no_wrap=True)
    table.add_column("about", overflow="fold")
    for entry in scenario_library():
        table.add_row(entry.name, entry.heading or "(its file opens with no heading comment)")
    console.print(table)
    console.print(f"Run one with curtain run NAME; the files are in {library_folder()} (copy one to start your own).",
                  highlight=False, soft_wrap=True)


@app.command()
def run(
    scenario: Annotated[
        Optional[Path], typer.Argument(metavar="SCENARIO", help=f"{SCENARIO_HELP}; default: the built-in "
                                                                "teaching-grid.")
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option("-o", "--out", metavar="FOLDER", help="Output folder (default: out/<scenario name>; with --set, "
                                                  "out/<scenario name>-<short hash of the scenario they make>)."),
    ] = None,
    set_: SetOption = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, metavar="N", help="Dask worker processes for route choice and traffic "
                          f"(results are the same for any number). {WORKERS_DEFAULT}")
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
        # the folder is written atomically (sim.io.folders): stopped at any point, it is as it was before
        with interruptible(f"nothing was written to {target}"), dask_workers(workers, scheduler), \
                _stage_bar() as advance:
            result = run_scenario(spec, target, progress=advance)
    except (CurtainError, OSError) as exc:
        fail(exc, debug)
        return
    # the title on a line of its own: a table's title wraps at the table's width, whatever the console's
    console.print(Text.assemble((spec.name, "bold"), f" (seed {spec.seed})",
                                f" with {' '.join(spec.overrides)}" if spec.overrides else ""), soft_wrap=True)
    console.print(summary_table(result.metrics))
    sample = result.metrics.get("route_sample")
    if sample:
        console.print(f"route recall and precision: the routes of {sample['vehicles']:,} of {sample['of_vehicles']:,} "
                      f"vehicles ({sample['trips']:,} trips) were kept, a stratified sample "
                      "(metrics.route_sample; \"all\" keeps every route)", highlight=False, soft_wrap=True)
    if spec.reads.source != "file":
        console.print(answer(result.metrics, spec.output.question), highlight=False, soft_wrap=True)
    if result.metrics.get("searches"):
        for sentence in searches_sentences(result.metrics["searches"], result.metrics.get("rules")):
            console.print(sentence, highlight=False, soft_wrap=True)
    console.print(f"wrote [bold]{result.out_dir}[/] (open {result.out_dir / 'report.html'})")
    if result.carried:
        console.print(f"kept what you had put in it, untouched: {', '.join(result.carried)}", highlight=False,
                      soft_wrap=True)


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
        float, typer.Option(metavar="METRES", min=0.0, help="Snap reads within this distance of a road (≥ 0).")
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
        with interruptible(f"nothing was written to {target}"), console.status("analysing", spinner="dots"):
            analysis = run_analysis(reads_file, target, columns=columns, time_format=time_format,
                                    delimiter=delimiter, net=net, network_label=str(network) if network else None,
                                    max_snap_m=max_snap_m, seed=seed)
    except (CurtainError, OSError) as exc:
        fail(exc, debug)
        return
    console.print(analysis_table(analysis.metrics, str(reads_file.name)))
    console.print(f"wrote [bold]{target}[/] (open {target / 'report.html'})")


def _network_file(path: Path) -> RoadNetwork:
    """A road network from a GraphML or OSM file, by its suffix."""
    source = "graphml" if path.suffix.lower() == ".graphml" else "osm_file"
    spec = NetworkSpec(source=source, path=str(path))
    return load_network(spec, lambda p: Path(p), stage_rngs(0)["network"])


@contextlib.contextmanager
def _stage_bar() -> Iterator[Callable[[str], None]]:
    """A progress bar over a run's stages, with the elapsed time, and inside the long stages a count
    (trips routed, trips driven, camera passes) with the time remaining."""
    from rich.progress import (
        BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TimeElapsedColumn, TimeRemainingColumn,
    )

    stages = STAGE_NAMES  # a run reports each stage as it finishes it, writing last
    counted: dict[str, tuple[int, int]] = {}  # unit -> (done, total) of the stage running

    if not console.is_terminal:
        # output to a pipe or a log file: one line per stage as it ends, with the time so far and its counts, and
        # within a long stage a line of its counts every PIPE_PROGRESS_S (a log that says nothing looks hung)
        import time

        started = last = stage_started = time.perf_counter()

        def count(unit: str, done: int, total: int) -> None:
            nonlocal last
            counted[unit] = (done, total)
            now = time.perf_counter()
            if 0 < done < total and now - last >= PIPE_PROGRESS_S:
                last = now
                console.print(f"  {done:,} of {total:,} {unit} ({now - stage_started:,.1f} s into the stage)",
                              highlight=False)

        def line(stage: str) -> None:
            nonlocal stage_started
            counts = "".join(f"; {done:,} {unit}" for unit, (done, _) in counted.items())
            counted.clear()
            now = time.perf_counter()
            # the stage's own time, then the run's so far ("cameras: done (9.7 s)" read as 9.7 s placing cameras)
            console.print(f"{stage}: done in {now - stage_started:,.1f} s ({now - started:,.1f} s so far{counts})",
                          highlight=False)
            stage_started = now

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


@app.command()
def validate(
    scenario: Annotated[
        Optional[Path], typer.Argument(metavar="SCENARIO", help=f"{SCENARIO_HELP}; default: the built-in "
                                                                "teaching-grid, as for run.")
    ] = None,
    set_: SetOption = None,
    debug: DebugOption = False,
) -> None:
    """Check a scenario file without running it: its keys, then everything its network can tell (as `run` does)."""
    log_level(debug)
    try:
        with interruptible("the check did not finish (validate writes nothing)"):
            spec = _load(scenario, set_)
            checked = check_scenario(spec, say=lambda text: err_console.print(f"{text}…", highlight=False,
                                                                              markup=False))
    except CurtainError as exc:
        fail(exc, debug)
        return
    console.print(f"{scenario or spec.name}: ok (scenario {spec.name!r}, seed {spec.seed}; {checked})",
                  highlight=False, markup=False)


@app.command()
def sweep(
    spec: Annotated[
        Path, typer.Argument(metavar="SWEEP_FILE", help="Sweep TOML: base (a scenario file, its path relative to "
                                                        "the sweep file, or a library scenario's name), seeds, "
                                                        "[set] and [axes] tables.")
    ],
    out: Annotated[Path, typer.Option("-o", "--out", metavar="FOLDER", help="Output folder of the sweep.")],
    scheduler: Annotated[
        Optional[str],
        typer.Option("--scheduler", metavar="ADDRESS", help="Address of a running Dask scheduler (default: local)."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, metavar="N", help="Worker processes of the local cluster, each running "
                          f"one scenario at a time. {WORKERS_DEFAULT}")
    ] = 1,
    debug: DebugOption = False,
) -> None:
    """Run scenarios x seeds on Dask (resumable) into sweep.parquet and a comparison figure."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    log_level(debug)
    try:
        plan = load_sweep(spec)
        # each run is written atomically under runs/: a stopped sweep keeps the runs it finished
        stopped = f"the runs that finished are kept in {out / 'runs'}; the same command resumes"
        with interruptible(stopped), Progress("[progress.description]{task.description}", BarColumn(),
                                              MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
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
    log_level(debug)
    try:
        kind = curtain_kind(out)
        if kind not in ("run", "sweep"):
            command = {"analysis": "analyze", "audit": "audit"}.get(str(kind))
            made = (f"a folder written by `curtain {command}`, whose figures `curtain {command}` draws again"
                    if command else "not a folder written by `curtain run` or `curtain sweep`")
            raise CurtainError(f"{out}: {made}; curtain plot redraws the folders of `curtain run` and "
                               "`curtain sweep`")
        if kind == "sweep" and (out / "sweep.parquet").is_file():
            import pandas as pd

            table = pd.read_parquet(out / "sweep.parquet")
            axes = [c for c in table.columns if "." in c]
            written: list[Path | None] = [write_comparison(table, tuple(axes), out)]
        elif kind == "run" and (out / "scenario.toml").is_file():
            with interruptible(f"some files of {out} may be redrawn and others not; run `curtain plot` again"):
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
        Optional[Path], typer.Argument(metavar="SCENARIO|RUN_FOLDER",
                                       help=f"{SCENARIO_HELP}, or the folder of a run (its scenario.toml is "
                                            "used); default: the built-in teaching-grid.")
    ] = None,
    out: Annotated[
        Optional[Path], typer.Option("-o", "--out", metavar="HTML_FILE",
                                     help="The page to write (default: out/<scenario name>-explore.html).")
    ] = None,
    set_: SetOption = None,
    debug: DebugOption = False,
) -> None:
    """Write one offline page where a class places cameras and sees what a drive reveals (teaching-sized cities)."""
    log_level(debug)
    try:
        source = _scenario_file(source)
        if source is not None and source.is_dir():
            if not (source / "scenario.toml").is_file():
                raise CurtainError(f"{source}: not a run folder (no scenario.toml); give a scenario file or the "
                                   "folder `curtain run` wrote")
            source = source / "scenario.toml"
        _load(source, set_)  # the user's file and overrides, checked with their own messages first
        spec = load_for_explorer(source, set_ or [])
        target = out or Path("out") / f"{spec.name}-explore.html"
        if target.suffix.lower() != ".html":
            raise CurtainError(f"{target}: the explorer writes one HTML page; give -o HTML_FILE, e.g. -o explore.html")
        check_page_target(target)  # a teacher's own page is never overwritten
        target.parent.mkdir(parents=True, exist_ok=True)
        with interruptible(f"nothing was written to {target}"), \
                console.status(f"simulating {spec.name} for the explorer (up to {MAX_NODES:,} intersections)"):
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
    start: Annotated[datetime, typer.Option("--from", metavar="TIME", parser=window_time,
                                            help="Start of the window, e.g. 2023-01-23T00:00 (the run's clock).")],
    end: Annotated[datetime, typer.Option("--to", metavar="TIME", parser=window_time,
                                          help="End of the window, e.g. 2023-01-24T00:00; also when the search is "
                                               "made, so reads older than an operator's retention_days by then "
                                               "are gone.")],
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
    """Reads per camera per day (every fixed camera on every simulated day, 0 when it read nothing)."""
    try:
        table = reads_per_camera_per_day(out)
        _show(table)
        console.print(camera_day_sentence(camera_day_mean(table, out)), highlight=False, soft_wrap=True)
    except (CurtainError, OSError) as exc:
        fail(exc, debug)


@app.command()
def bench(
    side: Annotated[int, typer.Option(metavar="N", min=2, help="Grid side of the benchmark city (≥ 2).")] = 60,
    trips: Annotated[int, typer.Option(metavar="N", min=1, help="Trips routed by Curtain (≥ 1).")] = 20_000,
    baseline_trips: Annotated[
        int, typer.Option(metavar="N", min=1, help="Trips routed by the networkx baseline (≥ 1).")] = 200,
    debug: DebugOption = False,
) -> None:
    """Time batched routing against networkx shortest_path per trip, side by side."""
    log_level(debug)
    try:
        with interruptible("the benchmark stopped (it writes nothing)"):
            for line in routing_benchmark(side=side, trips=trips, baseline_trips=baseline_trips):
                console.print(line, highlight=False)
    except CurtainError as exc:
        fail(exc, debug)


if __name__ == "__main__":  # pragma: no cover
    main()
