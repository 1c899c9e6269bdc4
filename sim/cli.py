"""The ``curtain`` command line."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from sim._errors import CurtainError
from sim.scenario import load_scenario

app = typer.Typer(
    help="Curtain: simulate licence-plate-reader camera networks and measure what they reveal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", help="Override a scenario field, e.g. --set demand.days=7 (repeatable)."),
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]

SUMMARY_KEYS = (
    ("n_trips", "trips"),
    ("n_cameras", "cameras"),
    ("n_reads", "reads"),
    ("reads_per_camera_per_day", "reads per camera per day"),
    ("share_trips_read_ge1", "trips read ≥ 1 time"),
    ("share_trips_read_ge2", "trips read ≥ 2 times"),
    ("route_recall_mean", "route recall (mean)"),
    ("route_precision_mean", "route precision (mean)"),
    ("od_error_m_median", "origin/destination error (median, m)"),
    ("camera_free_pair_share", "place pairs with a camera-free route"),
    ("detour_ratio_median", "detour to avoid cameras (median ×)"),
)


def _fail(exc: BaseException, debug: bool) -> None:
    if debug:
        raise exc
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code=1)


@app.command()
def run(
    scenario: Annotated[
        Optional[Path], typer.Argument(help="Scenario TOML file (default: the built-in teaching-grid).")
    ] = None,
    out: Annotated[
        Optional[Path], typer.Option("-o", "--out", help="Output folder (default: out/<scenario name>).")
    ] = None,
    set_: SetOption = None,
    debug: DebugOption = False,
) -> None:
    """Run a scenario and write reads, metrics, figures and report.html."""
    from sim.runner import run_scenario

    logging.basicConfig(level=logging.INFO if debug else logging.WARNING)
    try:
        spec = load_scenario(scenario, set_ or [])
        target = out or Path("out") / spec.name
        with console.status("running", spinner="dots") as status:
            result = run_scenario(spec, target, progress=lambda stage: status.update(f"done: {stage}"))
    except (CurtainError, OSError) as exc:
        _fail(exc, debug)
        return
    table = Table(title=f"{spec.name} (seed {spec.seed})", show_header=False)
    for key, label in SUMMARY_KEYS:
        value = result.metrics.get(key)
        table.add_row(label, _format(value))
    console.print(table)
    console.print(f"wrote [bold]{result.out_dir}[/] (open {result.out_dir / 'report.html'})")


def _format(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file to check.")],
    set_: SetOption = None,
    debug: DebugOption = False,
) -> None:
    """Check a scenario file without running it."""
    try:
        spec = load_scenario(scenario, set_ or [])
    except CurtainError as exc:
        _fail(exc, debug)
        return
    console.print(f"{scenario}: ok (scenario {spec.name!r}, seed {spec.seed})")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
