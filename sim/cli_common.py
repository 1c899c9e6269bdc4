"""What every ``curtain`` command shares: the consoles, the --set and --debug options, one-line errors, and
file arguments that may name a registry dataset (``data:NAME``)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from sim.data import PREFIX as DATA_PREFIX
from sim.data import resolve_reference

console = Console()
err_console = Console(stderr=True)

SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", metavar="KEY=VALUE",
                 help="Override a scenario field, e.g. --set demand.days=7 (repeatable)."),
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]


def log_level(debug: bool) -> None:
    """Log warnings (everything with --debug) to stderr. The level is set on the handler too: records of
    libraries whose own loggers are more talkative (Dask's scheduler logs at INFO) reach the root handler
    by propagation, which the root logger's level does not stop."""
    level = logging.INFO if debug else logging.WARNING
    root = logging.getLogger()
    before = list(root.handlers)
    logging.basicConfig(level=level)
    for handler in root.handlers:
        if handler not in before:  # only the handler made here (not, say, a test runner's)
            handler.setLevel(level)


def fail(exc: BaseException, debug: bool) -> None:
    if debug:
        raise exc
    err_console.print("[bold red]error:[/] ", end="", highlight=False)
    err_console.print(str(exc), highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(code=1)


def is_data(path: Path) -> bool:
    return str(path).startswith(DATA_PREFIX)


def input_name(path: Path) -> str:
    """A short name for a file argument (a default output folder's): the dataset's for ``data:NAME``, else the
    file's name up to its first dot."""
    return str(path).removeprefix(DATA_PREFIX) if is_data(path) else path.name.split(".")[0]


def input_file(path: Path) -> Path:
    """A file argument: ``data:NAME`` is the registry's dataset (``curtain data list``), fetched if need be."""
    return Path(resolve_reference(str(path))) if is_data(path) else path
