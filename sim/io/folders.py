"""Atomic outputs that never touch a folder Curtain did not write.

Every output folder gets a small marker file, ``.curtain`` (JSON with the
kind of output and a format number). A command may replace a folder only if
the folder does not exist, is empty, or carries that marker; anything else
is refused before any work is done, so a mistyped ``-o ~/Desktop`` or
``-o .`` loses nothing. A symbolic link given as the folder is never
renamed or followed into deletion: its target must itself be a Curtain
folder (or empty), and the link is left in place.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sim._errors import OutputError

MARKER = ".curtain"
MARKER_FORMAT = 1
KINDS = ("run", "analysis", "sweep")


def marker_text(kind: str) -> str:
    """The marker file's content for an output folder of ``kind``."""
    return json.dumps({"written_by": "curtain", "kind": kind, "format": MARKER_FORMAT}) + "\n"


def curtain_kind(folder: str | Path) -> str | None:
    """The kind of output Curtain wrote into ``folder`` (``run``, ``analysis``, ``sweep``), or None.

    A folder written by Curtain 0.1 before the marker existed is recognised
    as a run when its ``run.json`` names the folder itself as ``out_dir``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> curtain_kind(root) is None
    True
    >>> _ = (root / ".curtain").write_text(marker_text("run"))
    >>> curtain_kind(root)
    'run'
    """
    folder = Path(folder)
    with contextlib.suppress(OSError, ValueError):
        tag = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        if isinstance(tag, dict) and tag.get("written_by") == "curtain" and tag.get("kind") in KINDS:
            return str(tag["kind"])
    with contextlib.suppress(OSError, ValueError):
        legacy = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        if (isinstance(legacy, dict) and {"started_utc", "wall_time_s"} <= legacy.keys()
                and Path(str(legacy.get("out_dir", ""))) == folder.resolve()):
            return "run"
    return None


def check_output_folder(target: str | Path, kind: str | None = None) -> Path:
    """The real folder an output for ``target`` replaces; raise :class:`OutputError` if it may not.

    ``target`` may be written when it does not exist, is an empty folder, or
    is a folder Curtain wrote (of ``kind``, when given). A symbolic link is
    resolved and its target checked the same way.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "thesis.txt").write_text("years of work")
    >>> check_output_folder(root)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim._errors.OutputError: ... exists and was not written by Curtain; choose a new folder or remove it yourself
    """
    target = Path(target).absolute()
    if target.is_symlink():
        target = target.resolve()
    if not target.exists() and not target.is_symlink():
        return target
    if not target.is_dir():
        raise OutputError(f"{target} exists and is not a folder; choose a new folder or remove it yourself")
    if target == Path.cwd().resolve() or target in Path.cwd().resolve().parents:
        raise OutputError(f"{target} is the current folder (or holds it); choose a new folder below it")
    if not any(target.iterdir()):
        return target
    found = curtain_kind(target)
    if found is None:
        raise OutputError(f"{target} exists and was not written by Curtain; "
                          "choose a new folder or remove it yourself")
    if kind is not None and found != kind:
        raise OutputError(f"{target} holds Curtain's {found} output, not a {kind}; choose a new folder "
                          "or remove it yourself")
    return target


@contextlib.contextmanager
def atomic_directory(target: str | Path, kind: str = "run") -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` only if the block succeeds.

    ``target`` is checked first (:func:`check_output_folder`): a folder that
    Curtain did not write is never replaced. On an exception the temporary
    folder is removed and ``target`` is left as it was (an old run stays, no
    partial one appears).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_directory(root / "out") as tmp:
    ...     _ = (tmp / "a.txt").write_text("done")
    >>> (root / "out" / "a.txt").read_text()
    'done'
    >>> sorted(p.name for p in (root / "out").iterdir())
    ['.curtain', 'a.txt']
    """
    target = check_output_folder(target, kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    # mkdtemp makes a private folder; a run's output is as readable as any new folder.
    os.chmod(tmp, 0o777 & ~current_umask())
    try:
        (tmp / MARKER).write_text(marker_text(kind), encoding="utf-8")
        yield tmp
        check_output_folder(target, kind)  # the folder may have changed while the run was working
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        os.rmdir(old)
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def claim_folder(target: str | Path, kind: str) -> Path:
    """Make ``target`` a Curtain folder of ``kind`` to write into file by file (a sweep's top folder).

    Refused, like :func:`atomic_directory`, unless it is new, empty or already
    Curtain's of the same kind.
    """
    target = check_output_folder(target, kind)
    target.mkdir(parents=True, exist_ok=True)
    if curtain_kind(target) is None:
        atomic_write_bytes(target / MARKER, marker_text(kind).encode())
    return target


def is_own_temporary(folder: Path, kind: str) -> bool:
    """Whether ``folder`` is a temporary folder that :func:`atomic_directory` left (a killed run)."""
    return (folder.is_dir() and not folder.is_symlink() and folder.name.startswith(".")
            and folder.name.endswith((".tmp", ".old")) and curtain_kind(folder) == kind)


def current_umask() -> int:
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp makes a private file (0600); the file gets the mode any new file would (0644 by default)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise

