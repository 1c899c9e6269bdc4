"""What every ``curtain`` command shares: the consoles, the --set and --debug options, one-line errors and
warnings, Ctrl-C, and file arguments that may name a registry dataset (``data:NAME``)."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console, ConsoleDimensions

from sim.data import PREFIX as DATA_PREFIX
from sim.data import resolve_reference

#: The width of a console that writes to a pipe or a file: wide enough that no line is ever wrapped.
UNWRAPPED = 100_000


class _Console(Console):
    """A console that wraps lines only on a terminal. Written to a pipe, a file or a CI log (where rich would
    take 80 columns and break a long line in the middle of a word or a path), a line stays one line and a table
    takes the width its cells need. ``COLUMNS`` set by hand still sets the width."""

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self._width is None and not self.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
            return ConsoleDimensions(UNWRAPPED, size.height)
        return size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size


console = _Console()
err_console = _Console(stderr=True)

SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", metavar="KEY=VALUE",
                 help="Override a scenario field, e.g. --set demand.days=7 (repeatable)."),
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]


class _SentenceHandler(logging.Handler):
    """Log records as the command line's own lines on stderr: ``warning: <message>``, as errors read
    ``error: <message>``, without the logger's name (``WARNING:sim.analyze:``), which only --debug adds."""

    def __init__(self) -> None:
        super().__init__()
        self.debug = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's to report, as every handler does
            self.handleError(record)
            return
        where = f"{record.name}: " if self.debug else ""
        err_console.print(f"{record.levelname.lower()}: {where}{message}", highlight=False, markup=False,
                          soft_wrap=True)


_HANDLER = _SentenceHandler()


def log_level(debug: bool) -> None:
    """Show warnings (everything from INFO up with --debug) on stderr as plain sentences. The level is set on
    the handler: records of libraries whose own loggers are more talkative (Dask's scheduler logs at INFO)
    reach the root logger's handlers by propagation, which the root logger's level does not stop."""
    level = logging.INFO if debug else logging.WARNING
    root = logging.getLogger()
    _HANDLER.setLevel(level)
    _HANDLER.debug = debug
    if _HANDLER not in root.handlers:
        root.addHandler(_HANDLER)
    if root.level > level:
        root.setLevel(level)


@contextlib.contextmanager
def interruptible(said: str) -> Iterator[None]:
    """Ctrl-C inside: one line, ``interrupted; <said>`` (what is true of the output), and exit status 130, as
    a shell expects of a command stopped by SIGINT."""
    try:
        yield
    except KeyboardInterrupt:
        err_console.print(f"interrupted; {said}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(code=130) from None


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


def window_time(value: str | datetime) -> datetime:
    """A time of ``curtain query agencies --from/--to`` (the run's clock): ISO 8601, a date alone meaning its
    midnight; anything else is refused with an example of what is taken.

    Examples
    --------
    >>> window_time("2023-01-23T08:30"), window_time("2023-01-23")
    (datetime.datetime(2023, 1, 23, 8, 30), datetime.datetime(2023, 1, 23, 0, 0))
    """
    if isinstance(value, datetime):
        return value
    example = "give a date and time such as 2023-01-23T00:00 (or 2023-01-23 for its midnight)"
    try:
        time = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a time of the run's clock; {example}") from None
    if time.tzinfo is not None:  # (a run's reads carry no time zone: an aware time cannot be compared with them)
        raise typer.BadParameter(f"{value!r} has a time zone, and the run's clock has none; {example}")
    return time
