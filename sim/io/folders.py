"""Atomic outputs that never touch a folder Curtain did not write.

Every output folder gets a small marker file, ``.curtain`` (JSON with the
kind of output, a format number and the list of files Curtain wrote there).
A command may replace a folder only if the folder does not exist, is empty,
or carries that marker; anything else is refused before any work is done,
so a mistyped ``-o ~/Desktop`` or ``-o .`` loses nothing. A rerun into a
marked folder replaces only the files the marker lists: anything else in
it (a user's notes, a folder of their own analysis) is carried over,
untouched, into the new folder. A symbolic link given as the folder is never
renamed or followed into deletion: its target must itself be a Curtain
folder (or empty), and the link is left in place.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from sim._errors import OutputError

MARKER = ".curtain"
#: 2: the marker lists the files Curtain wrote (format 1 did not)
MARKER_FORMAT = 2
KINDS = ("run", "analysis", "sweep", "audit")


def marker_text(kind: str, files: Iterable[str] = ()) -> str:
    """The marker file's content for an output folder of ``kind`` holding ``files`` (paths relative to it)."""
    return json.dumps({"written_by": "curtain", "kind": kind, "format": MARKER_FORMAT, "files": sorted(files)},
                      indent=1) + "\n"


def written_files(folder: str | Path) -> set[str] | None:
    """The files (``/``-separated paths relative to ``folder``) its marker says Curtain wrote.

    ``None`` when the marker lists none: a folder of an older Curtain, or none of Curtain's.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / ".curtain").write_text(marker_text("run", ["metrics.json", "figures/map.png"]))
    >>> sorted(written_files(root))
    ['figures/map.png', 'metrics.json']
    """
    with contextlib.suppress(OSError, ValueError):
        tag = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
        if isinstance(tag, dict) and isinstance(tag.get("files"), list):
            return {str(f) for f in tag["files"]}
    return None


def files_below(folder: Path) -> list[str]:
    """Every file (and symbolic link) below ``folder`` but the marker, as ``/``-separated relative paths."""
    found = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()]
    return sorted(f for f in found if f != MARKER)


def foreign_entries(folder: Path, written: set[str]) -> list[str]:
    """What in ``folder`` Curtain did not write: files not in ``written``, and folders holding none of them.

    A folder with no written file inside is one entry (it moves whole);
    paths are relative to ``folder``, ``/``-separated.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "figures").mkdir(); (root / "mine").mkdir()
    >>> for name in ("metrics.json", "figures/map.png", "figures/my.png", "mine/a.txt", "notes.md"):
    ...     _ = (root / name).write_text("x")
    >>> foreign_entries(root, {"metrics.json", "figures/map.png"})
    ['figures/my.png', 'mine', 'notes.md']
    """
    parents = {str(Path(f).parent.as_posix()) for f in written}
    holds_written = {p for f in parents for p in [f, *(q.as_posix() for q in Path(f).parents)]}
    found: list[str] = []

    def walk(directory: Path) -> None:
        for entry in sorted(directory.iterdir()):
            rel = entry.relative_to(folder).as_posix()
            if rel == MARKER or rel in written:
                continue
            if entry.is_dir() and not entry.is_symlink() and rel in holds_written:
                walk(entry)
            else:
                found.append(rel)

    walk(folder)
    return found


def curtain_kind(folder: str | Path) -> str | None:
    """The kind of output Curtain wrote into ``folder`` (``run``, ``analysis``, ``sweep``, ``audit``), or None.

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
        _check_writable(target)
        return target
    if not target.is_dir():
        raise OutputError(f"{target} exists and is not a folder; choose a new folder or remove it yourself")
    if target == Path.cwd().resolve() or target in Path.cwd().resolve().parents:
        raise OutputError(f"{target} is the current folder (or holds it); choose a new folder below it")
    _check_writable(target)
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


def _check_writable(target: Path) -> None:
    """Raise :class:`OutputError` unless a folder can be made beside ``target`` (where the output is written
    before it is renamed into place), in its nearest folder that exists: said before a run, not after it."""
    base = target.parent
    while not base.exists() and not base.is_symlink() and base != base.parent:  # (a broken link: no folder)
        base = base.parent
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".curtain-probe-", dir=base))
    except OSError as exc:
        raise OutputError(f"{target}: cannot write in {base} ({exc.strerror or exc}); choose a folder you can "
                          "write to (-o / --out)") from None


@contextlib.contextmanager
def atomic_directory(target: str | Path, kind: str = "run", carried: list[str] | None = None) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` only if the block succeeds.

    ``target`` is checked first (:func:`check_output_folder`): a folder that
    Curtain did not write is never replaced. On an exception the temporary
    folder is removed and ``target`` is left as it was (an old run stays, no
    partial one appears). When the block succeeds, the marker lists every
    file it wrote, and whatever else was in the old ``target`` (files and
    folders its marker does not list) is moved, untouched, into the new one;
    if the new output writes a file of the same name as one of those, nothing
    is replaced and :class:`OutputError` names it. ``carried`` (when given)
    receives the paths carried over.

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
    >>> _ = (root / "out" / "notes.md").write_text("mine")
    >>> with atomic_directory(root / "out") as tmp:
    ...     _ = (tmp / "b.txt").write_text("again")
    >>> sorted(p.name for p in (root / "out").iterdir())
    ['.curtain', 'b.txt', 'notes.md']
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
        new_files = files_below(tmp)
        atomic_write_bytes(tmp / MARKER, marker_text(kind, new_files).encode())
        moved = _carry_over(target, tmp, set(new_files)) if target.exists() else []
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
    if carried is not None:
        carried.extend(moved)


def _carry_over(target: Path, tmp: Path, new_files: set[str]) -> list[str]:
    """Move what in ``target`` Curtain did not write into ``tmp``, the folder about to replace it.

    The old marker's list says what Curtain wrote; a marker without a list (an
    older Curtain's) counts only the files the new output writes again as
    Curtain's, so nothing of unknown origin is lost. A clash with a new file
    raises :class:`OutputError` before anything moves; a failed move puts back
    what had moved.
    """
    listed = written_files(target)
    new_dirs = {q.as_posix() for f in new_files for q in Path(f).parents}
    moves: list[str] = []
    clashes: list[str] = []

    def plan(entries: list[str]) -> None:
        for rel in entries:
            if rel in new_files or (rel in new_dirs and not (target / rel).is_dir()):
                clashes.append(rel)
            elif rel in new_dirs:  # a folder of the user's that the new output also writes into: merge
                plan([f"{rel}/{entry.name}" for entry in sorted((target / rel).iterdir())])
            else:
                moves.append(rel)

    plan(foreign_entries(target, new_files if listed is None else listed))
    if clashes:
        raise OutputError(f"{target}: {', '.join(clashes)} is yours (Curtain did not write it there) but the new "
                          "output writes the same name; move it out of the folder and run again (nothing was "
                          "replaced)")
    moved: list[str] = []
    try:
        for rel in moves:
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(target / rel, tmp / rel)
            moved.append(rel)
    except OSError:
        for rel in reversed(moved):
            with contextlib.suppress(OSError):
                os.replace(tmp / rel, target / rel)
        raise
    return moved


def record_files(folder: str | Path, paths: Iterable[str | Path]) -> None:
    """Add ``paths`` (files Curtain just wrote into its own ``folder``) to the folder's marker."""
    folder = Path(folder)
    kind = curtain_kind(folder)
    if kind is None:
        return
    listed = written_files(folder) or set()
    names = {Path(p).absolute().relative_to(folder.absolute()).as_posix() for p in paths}
    atomic_write_bytes(folder / MARKER, marker_text(kind, listed | names).encode())


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

