"""The data Curtain uses, named once: every dataset a scenario, notebook, README example or test reads.

Each dataset in ``sim/datasets.toml`` has a name, the path it lies at in a data folder, the original public
URL, its sha256, licence and citation. :func:`fetch` finds it, in this order:

1. in the folder named by ``CURTAIN_DATA`` (laid out like the project's ``../shared/data``: tests and
   ``.ci/run`` point it there);
2. in the user's cache (``pooch.os_cache("curtain")``, e.g. ``~/.cache/curtain``), where an earlier run put it;
3. downloaded from its URL into that cache with pooch (unless ``CURTAIN_DOWNLOAD=0``, as in the tests).

Wherever it is found, its sha256 must be the registry's. A scenario names a dataset as ``data:NAME`` in any
``path`` field (``path = "data:sioux-falls-net"``), and so do the command line's file arguments
(``curtain analyze data:seattle-spd-reads``). ``curtain data list`` shows what is where.

Examples
--------
>>> dataset("piedmont-ca").path
'osm/piedmont-ca.graphml'
>>> resolve_reference("roads.graphml")   # not a data: reference: left as it is
'roads.graphml'
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cache
from importlib import resources
from pathlib import Path

from sim._errors import CurtainError

#: The environment variable naming a folder laid out like ``../shared/data``.
DATA_ENV = "CURTAIN_DATA"
#: ``CURTAIN_DOWNLOAD=0`` forbids downloads (the tests set it: a test never downloads).
DOWNLOAD_ENV = "CURTAIN_DOWNLOAD"
#: How a path field or command-line argument names a dataset.
PREFIX = "data:"


class DataError(CurtainError):
    """A dataset that is unknown, missing (and cannot be downloaded) or not what the registry says."""


@dataclass(frozen=True)
class Dataset:
    """One entry of the registry (``sim/datasets.toml``)."""

    name: str
    #: where it lies under ``CURTAIN_DATA`` and in the cache
    path: str
    #: the original public copy (a page, when ``download`` is false)
    url: str
    sha256: str
    licence: str
    citation: str
    title: str
    #: False: no stable direct URL (a snapshot, or assembled from many files): found in ``CURTAIN_DATA`` only
    download: bool = True


@cache
def datasets() -> dict[str, Dataset]:
    """Every dataset of the registry, by name."""
    text = (resources.files("sim") / "datasets.toml").read_text(encoding="utf-8")
    return {entry["name"]: Dataset(**entry) for entry in tomllib.loads(text)["dataset"]}


def dataset(name: str) -> Dataset:
    """The registry's entry ``name``; a :class:`DataError` names the closest ones when there is none."""
    known = datasets()
    if name not in known:
        near = get_close_matches(name, known, n=3)
        hint = f"did you mean {', '.join(near)}?" if near else "`curtain data list` lists them"
        raise DataError(f"no dataset named {name!r} in Curtain's registry; {hint}")
    return known[name]


def data_folder() -> Path | None:
    """The folder ``CURTAIN_DATA`` names (``None`` when it is not set)."""
    value = os.environ.get(DATA_ENV, "").strip()
    return Path(value).expanduser() if value else None


def cache_folder() -> Path:
    """Where downloaded datasets are kept (the user's cache, as pooch places it)."""
    import pooch  # lazy: pooch (and requests) only when data is looked up

    return Path(pooch.os_cache("curtain"))


def locate(name: str) -> tuple[Path, str] | None:
    """Where dataset ``name`` is now, without downloading: (path, ``"CURTAIN_DATA"`` or ``"cache"``), or None."""
    entry = dataset(name)
    folder = data_folder()
    for base, where in ((folder, DATA_ENV), (cache_folder(), "cache")):
        if base is not None and (base / entry.path).is_file():
            return base / entry.path, where
    return None


def fetch(name: str, *, download: bool | None = None) -> Path:
    """The path of dataset ``name``: from ``CURTAIN_DATA``, the cache, or downloaded (see the module's notes).

    ``download`` (default: unless ``CURTAIN_DOWNLOAD=0``) allows fetching it from its URL. Raises a
    :class:`DataError` with one line naming the dataset, ``CURTAIN_DATA`` and the URL when it cannot be had,
    and when the file found is not the registry's (its sha256 differs).
    """
    entry = dataset(name)
    found = locate(name)
    if found is not None:
        path, where = found
        _check_hash(entry, path, where)
        return path
    if download is None:
        download = os.environ.get(DOWNLOAD_ENV, "1").strip() not in ("0", "false", "no")
    folder = data_folder()
    looked = (f"{DATA_ENV}={folder} is no folder (check the path)" if folder is not None and not folder.is_dir()
              else f"{DATA_ENV}={folder} has no {entry.path}" if folder is not None
              else f"{DATA_ENV} is not set (a folder laid out like shared/data, holding {entry.path})")
    if not entry.download:
        raise DataError(f"dataset {name!r} ({entry.title}) not found: {looked}; it has no direct download "
                        f"(source: {entry.url})")
    if not download:
        raise DataError(f"dataset {name!r} ({entry.title}) not found: {looked}, and downloads are off "
                        f"({DOWNLOAD_ENV}=0); its URL is {entry.url}")
    return _download(entry, looked)


def _download(entry: Dataset, looked: str) -> Path:
    import pooch  # lazy: pooch (and requests) only when data is downloaded

    target = cache_folder() / entry.path
    try:
        path = pooch.retrieve(entry.url, known_hash=f"sha256:{entry.sha256}", fname=target.name,
                              path=target.parent, progressbar=False)
    except ValueError as exc:  # pooch: the downloaded file's hash differs
        raise DataError(f"dataset {entry.name!r}: the file at {entry.url} is not the one Curtain knows "
                        f"(sha256 differs: {exc}); put the original in {DATA_ENV}") from None
    except Exception as exc:  # offline, refused, not found: one line, no traceback
        connection = isinstance(exc, OSError) or "Connection" in type(exc).__name__
        reason = "no connection to the host" if connection else (str(exc).splitlines() or [type(exc).__name__])[0]
        raise DataError(f"dataset {entry.name!r} ({entry.title}) not found: {looked}, and downloading "
                        f"{entry.url} failed ({reason})") from None
    return Path(path)


@cache
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_hash(entry: Dataset, path: Path, where: str) -> None:
    stat = path.stat()
    if _digest(path, stat.st_size, stat.st_mtime_ns) != entry.sha256:
        raise DataError(f"dataset {entry.name!r}: {path} (from {where}) is not the file Curtain's registry "
                        f"names (its sha256 differs); replace it with the original from {entry.url}")


def resolve_reference(value: str) -> str:
    """``data:NAME`` as the path of dataset NAME (fetched if need be); any other text as it is."""
    if value.startswith(PREFIX):
        return str(fetch(value[len(PREFIX):].strip()))
    return value


def status() -> list[dict[str, str]]:
    """Every dataset and where it is now (``CURTAIN_DATA``, ``cache`` or ``missing``), for ``curtain data list``."""
    rows = []
    for name, entry in datasets().items():
        found = locate(name)
        where = found[1] if found else ("missing" if entry.download else "missing (no download)")
        rows.append({"name": name, "where": where, "file": entry.path, "path": str(found[0]) if found else "",
                     "title": entry.title, "licence": entry.licence})
    return rows
