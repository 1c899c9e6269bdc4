"""The scenario library: the scenarios that come with Curtain, by name, each with the line heading its file.

Every library scenario opens with a comment line ``# NAME — what it asks``
(the question it answers; the paragraph below it says more). ``curtain list``
prints them; ``curtain run NAME`` (and ``validate``, ``explore``) finds a
library scenario by its name.

The library is the ``scenarios/`` folder beside the ``sim`` package in a
source checkout (an editable install); an installed wheel carries only the
built-in default (``sim/scenarios/teaching-grid.toml``).

Examples
--------
>>> heading_of("# river-city — bridges as chokepoints\\n#\\n# Question: ...\\n", "river-city")
'bridges as chokepoints'
>>> find_scenario("teaching-grid").name
'teaching-grid.toml'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class LibraryScenario:
    """One scenario of the library: its name (the file's, without ``.toml``), its file, its heading line."""

    name: str
    path: Path
    heading: str


def library_folder() -> Path:
    """``scenarios/`` beside the package when it holds scenarios (a source checkout), else the package's own."""
    checkout = _PACKAGE.parent / "scenarios"
    return checkout if any(checkout.glob("*.toml")) else _PACKAGE / "scenarios"


def heading_of(text: str, name: str) -> str:
    """The first line of a scenario file's opening comment, without ``# NAME —``; "" when it opens with none."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    if not first.startswith("#"):
        return ""
    line = first.lstrip("#").strip()
    return re.sub(rf"^{re.escape(name)}\s*[—–-]+\s*", "", line)


def scenario_library() -> list[LibraryScenario]:
    """Every scenario of the library, by name."""
    found = []
    for path in sorted(library_folder().glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        found.append(LibraryScenario(path.stem, path, heading_of(text, path.stem)))
    return found


def find_scenario(name: str) -> Path | None:
    """The file of library scenario ``name`` (``river-city``, or ``river-city.toml``), or ``None``."""
    stem = name.removesuffix(".toml")
    if not stem or "/" in stem or "\\" in stem:
        return None
    path = library_folder() / f"{stem}.toml"
    return path if path.is_file() else None
