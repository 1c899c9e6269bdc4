"""Scenario files: TOML in, a validated :class:`Scenario` out.

Every field is checked by pydantic; unknown keys are rejected; all problems
in a file are reported at once, each with the file, the key path and what is
allowed. ``--set key.path=value`` overrides are applied before validation.
"""


from __future__ import annotations

import difflib
import hashlib
import tomllib
import typing
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, Field, PrivateAttr, ValidationError, model_validator

from sim._errors import ScenarioError
from sim._validate import require_file
from sim.data import PREFIX, DataError, resolve_reference
from sim.profiles import apply_profiles
from sim.sharing_lists import list_agencies
from sim.scenario.searches import Searches
from sim.scenario.sections import (
    _Section,
    GRID_FIELDS,
    JURISDICTION_FIELDS,
    NETWORK_FIELDS,
    NetworkSpec,
    DistrictSpec,
    CameraSpec,
    PatrolSpec,
    OUTSIDE_TRAFFIC_KEYS,
    DemandSpec,
    TrafficSpec,
    OutageSpec,
    ReconstructSpec,
    MetricsSpec,
    ReadsSpec,
    OutputSpec,
    Operator,
    Agency,
    AccessSpec,
    Rule,
    Sharing,
    SharingList,
    ReaderProfile,
)

DEFAULT_SCENARIO = "teaching-grid"

class Scenario(_Section):
    """A whole scenario, every default filled in."""

    name: str = "scenario"
    seed: int = Field(0, ge=0)
    start: datetime = datetime(2023, 1, 23)
    network: NetworkSpec = Field(default_factory=NetworkSpec)
    cameras: CameraSpec = Field(default_factory=CameraSpec)
    camera_groups: list[CameraSpec] = Field(
        default_factory=list, description="more camera groups, each like [cameras] (e.g. another operator's)"
    )
    patrols: list[PatrolSpec] = Field(default_factory=list, description="mobile readers on patrol cars")
    demand: DemandSpec = Field(default_factory=DemandSpec)
    traffic: TrafficSpec = Field(default_factory=TrafficSpec)
    outages: OutageSpec | None = None
    reads: ReadsSpec = Field(default_factory=ReadsSpec)
    reconstruct: ReconstructSpec = Field(default_factory=ReconstructSpec)
    metrics: MetricsSpec = Field(default_factory=MetricsSpec)
    output: OutputSpec = Field(default_factory=OutputSpec)
    operators: list[Operator] = Field(default_factory=list)
    agencies: list[Agency] = Field(default_factory=list)
    sharing_lists: list[SharingList] = Field(default_factory=list, description="agencies from real sharing lists")
    sharing: list[Sharing] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    access: AccessSpec = Field(default_factory=AccessSpec)
    profiles: list[ReaderProfile] = Field(default_factory=list, description="reader profiles of the scenario's own")
    searches: Searches | None = Field(None, description="simulated searches of the reads (sim.searches)")
    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    #: the file the scenario was read from (or "<built-in …>"), for messages
    _label: str = PrivateAttr(default="")
    #: ``demand.sample_share`` as the file sets it, before any ``--set`` (what its vehicles stood for)
    _file_sample_share: float = PrivateAttr(default=1.0)

    @model_validator(mode="before")
    @classmethod
    def _profiles_fill_groups(cls, data: Any) -> Any:
        return apply_profiles(data)
    _overrides: list[str] = PrivateAttr(default_factory=list)
    _listed: list[Agency] | None = PrivateAttr(default=None)

    @property
    def source_name(self) -> str:
        """What a message calls the scenario: the file it was read from, or its name when it has none (built in,
        or made in code)."""
        return self._label if self._label and not self._label.startswith("<") else self.name

    @property
    def file_sample_share(self) -> float:
        """``demand.sample_share`` as the scenario's file sets it, before any ``--set``."""
        return self._file_sample_share

    @property
    def overrides(self) -> list[str]:
        """The ``--set key=value`` overrides applied to the file (shown in a run's summary and report)."""
        return list(self._overrides)

    def output_name(self) -> str:
        """The default output folder's name: the scenario's, plus a short hash of the scenario the overrides
        make when there are any, so ``--set`` runs never replace the plain run's folder. The hash is of the
        resolved scenario (:meth:`to_toml`), not of the overrides as typed: the same overrides in another order
        name the same folder.

        Examples
        --------
        >>> load_scenario().output_name(), load_scenario(overrides=["seed=3"]).output_name()
        ('teaching-grid', 'teaching-grid-c26fb016')
        >>> a = load_scenario(overrides=["seed=3", "demand.days=2"]).output_name()
        >>> a == load_scenario(overrides=["demand.days=2", "seed=3"]).output_name()
        True
        """
        if not self._overrides:
            return self.name
        digest = hashlib.sha256(self.to_toml().encode()).hexdigest()[:8]
        return f"{self.name}-{digest}"

    def all_agencies(self) -> list[Agency]:
        """``[[agencies]]`` followed by every ``[[sharing_lists]]`` agency not declared already (read once)."""
        if self._listed is None:
            declared = {a.name for a in self.agencies}
            listed: dict[str, Agency] = {}
            for i, spec in enumerate(self.sharing_lists):
                for row in list_agencies(self.resolve(spec.path), spec.owner, spec.operator, spec.kinds,
                                         states=spec.states, source=f"{self.name}: sharing_lists[{i}]"):
                    if row["name"] in declared:
                        continue
                    if row["name"] in listed:  # on two lists: it can search both operators
                        listed[row["name"]].access.append(spec.operator)
                    else:
                        listed[row["name"]] = Agency(**row)
            self._listed = list(listed.values())
        return [*self.agencies, *self._listed]

    @property
    def all_cameras(self) -> list[CameraSpec]:
        """``[cameras]`` followed by every ``[[camera_groups]]``."""
        return [self.cameras, *self.camera_groups]

    @property
    def base_dir(self) -> Path:
        """Folder that relative ``path`` fields are resolved against."""
        return self._base_dir

    def resolve(self, path: str) -> Path:
        """A ``path`` field as a path: ``data:NAME`` is the registry's dataset NAME (:mod:`sim.data`, fetched
        on first use); any other path is relative to the scenario file's folder."""
        if path.startswith(PREFIX):
            try:
                return Path(resolve_reference(path))
            except DataError as exc:  # (which file: the message names the dataset)
                raise DataError(f"{self.source_name}: {exc}") from None
        p = Path(path).expanduser()
        if p.is_absolute():
            return p
        found = self._base_dir / p
        if found.exists() or self._label.startswith("<built-in"):  # (the built-in one reads from the current folder)
            return found
        try:
            here = Path.cwd() / p
        except OSError:  # (the current folder was removed)
            return found
        if here.exists():  # (it is not ``found``, which does not exist)
            # (a teacher's --set cameras.path=cameras.csv, the file in the folder they typed it in)
            raise ScenarioError(f"{self.source_name}: {path!r} is read from the scenario file's folder, "
                                f"{self._base_dir}, where there is no such file; the one in the current folder "
                                f"is {here}: give that path in full, or put the file next to the scenario")
        return found

    def to_toml(self) -> str:
        """The resolved scenario as TOML (every default written out)."""
        data = self.model_dump(mode="python", by_alias=True, exclude_none=True)
        network = self.network
        which = network.kind if network.source == "synthetic" else network.source
        keep = NETWORK_FIELDS[which] | {"source"} | ({"kind"} if network.source == "synthetic" else set())
        data["network"] = {k: v for k, v in data["network"].items() if k in keep}
        if self.demand.model != "population":  # traffic from outside is the population model's (refused elsewhere)
            data["demand"] = {k: v for k, v in data["demand"].items() if k not in OUTSIDE_TRAFFIC_KEYS}
        return tomli_w.dumps(data)


def default_scenario_text() -> str:
    """The text of the default scenario shipped inside the package."""
    return (resources.files("sim") / "scenarios" / f"{DEFAULT_SCENARIO}.toml").read_text(encoding="utf-8")


def load_scenario(path: str | Path | None = None, overrides: list[str] | None = None, *,
                  sources: dict[str, str] | None = None) -> Scenario:
    """Read, override and validate a scenario file.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A TOML file; ``None`` loads the default scenario (``teaching-grid``).
    overrides : list of str, optional
        ``key.path=value`` items; values are read as TOML values (so
        ``demand.days=7`` is an integer and ``name=x`` a string).
    sources : dict, optional
        Where an override's key came from, as an error names it (``{"cameras.count": "[axes] in sweep.toml"}``);
        a key not in it came from ``--set``.

    Raises
    ------
    ScenarioError
        Naming the file and listing every problem found.

    Examples
    --------
    >>> s = load_scenario(overrides=["demand.trips=100"])
    >>> s.name, s.demand.trips
    ('teaching-grid', 100)
    """
    if path is None:
        label, text, base = f"<built-in {DEFAULT_SCENARIO}.toml>", default_scenario_text(), Path.cwd()
    else:
        file = require_file(path, "scenario file", ScenarioError, inside="scenario.toml")
        label, base = str(file), file.resolve().parent
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ScenarioError(f"{file}: not a UTF-8 text file; a scenario must be TOML text") from None
    return parse_scenario(text, label, base, overrides or [], sources=sources)


def parse_scenario(text: str, label: str, base_dir: Path, overrides: list[str], *,
                   sources: dict[str, str] | None = None) -> Scenario:
    """Validate scenario TOML ``text``; ``label`` names it in error messages, ``sources`` where an override's key
    came from (default: ``--set``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{label}: TOML syntax error: {exc}") from None
    if not data:  # an empty file (or comments only) would silently run every default under the name "scenario"
        raise ScenarioError(f"{label}: the file sets nothing (it is empty or holds only comments); set at least "
                            "name = \"...\" and the keys that differ from the defaults (scenarios/teaching-grid.toml "
                            "shows them), or give no file to run the built-in teaching-grid")
    demand = data.get("demand")
    file_share = demand.get("sample_share", 1.0) if isinstance(demand, dict) else 1.0
    for item in overrides:
        _apply_override(data, item, label, sources or {})
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, label, overrides, sources)) from None
    scenario._base_dir = base_dir
    scenario._label = label
    scenario._file_sample_share = float(file_share) if isinstance(file_share, (int, float)) else 1.0
    scenario._overrides = list(overrides)
    return scenario


def _apply_override(data: dict[str, Any], item: str, label: str, sources: dict[str, str]) -> None:
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        bare = item.strip()
        hint = f"; did you mean --set {bare}=VALUE?" if bare and " " not in bare and "=" not in bare else ""
        raise ScenarioError(f"--set {item!r}: write overrides as key.path=value, e.g. demand.days=7{hint}")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    parts = key.strip().split(".")
    # (how an error names the key: "--set a.b", or "a.b (from [axes] in sweep.toml)")
    named = f"{key.strip()} (from {sources[key.strip()]})" if key.strip() in sources else f"--set {key}"
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = _list_item(node, part, named, label, ".".join(parts[:i]))
            continue
        child = node.setdefault(part, [] if parts[i + 1].isdigit() else {})
        if not isinstance(child, (dict, list)):
            raise ScenarioError(f"{label}: {named}: {part!r} is not a table")
        node = child
    if isinstance(node, list):
        raise ScenarioError(f"{label}: {named}: name a field of the entry, e.g. {key}.count=10")
    node[parts[-1]] = value


def _list_item(items: list[Any], part: str, named: str, label: str, table: str) -> dict[str, Any]:
    """``--set patrols.0.cars=6``: entry ``0`` of the array of tables ``table`` (``[[patrols]]``); ``named`` is how
    an error names the key (``--set patrols.x.cars``)."""
    if not part.isdigit() or int(part) >= len(items):
        raise ScenarioError(f"{label}: {named}: {part!r} is not an entry; the scenario has {len(items)} "
                            f"[[{table}]] entr{'y' if len(items) == 1 else 'ies'} (numbered from 0)"
                            + ("; add one to the file first" if not items else ""))
    return items[int(part)]


def _unknown_key(loc: tuple[Any, ...]) -> str:
    """What to say of an unknown key at ``loc``: the key it is likely a misspelling of, and the keys allowed there
    (found by walking the scenario's sections from the top)."""
    model: Any = Scenario
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue  # (an entry of an array of tables: the same section)
        field = model.model_fields.get(str(part))
        model = next((t for t in _types(field.annotation) if isinstance(t, type) and issubclass(t, BaseModel)), None) \
            if field is not None else None
    if model is None:
        return "unknown key (check the spelling; see scenarios/ for the allowed keys)"
    allowed = sorted(f.alias or name for name, f in model.model_fields.items())
    # a key that begins the allowed one ("rate" of rate_per_30_days) before one spelt alike ("state")
    close = [k for k in allowed if k.startswith(str(loc[-1]))][:1] or difflib.get_close_matches(str(loc[-1]), allowed,
                                                                                                n=1)
    return f"unknown key; did you mean {close[0]!r}?" if close else f"unknown key; the keys here: {', '.join(allowed)}"


def _types(annotation: Any) -> list[Any]:
    """``annotation`` and the types inside it (``list[Agency]``, ``DemandSpec | None``)."""
    out = [annotation]
    for arg in typing.get_args(annotation):
        out += _types(arg)
    return out


def format_validation_error(exc: ValidationError, label: str, overrides: list[str] | None = None,
                            sources: dict[str, str] | None = None) -> str:
    """One line per problem: ``file: key.path: message (got value)``; a value that came from ``--set`` (or from
    where ``sources`` says: a sweep file's ``[axes]``) says so, so nobody looks for it in the file."""
    overridden = {item.partition("=")[0].strip() for item in overrides or []}
    lines = []
    for error in exc.errors():
        loc = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-after"))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = _unknown_key(error["loc"])
        got = error.get("input")
        shown = "" if error["type"] in ("missing", "extra_forbidden") or isinstance(got, dict) else f" (got {got!r})"
        source = f" (from {(sources or {}).get(loc, '--set')})" if loc and loc in overridden else ""
        lines.append(f"  {loc or '(top level)'}{source}: {message}{shown}")
    return f"{label}: {len(lines)} problem(s) in the scenario:\n" + "\n".join(lines)


__all__ = [
    "AccessSpec",
    "Agency",
    "CameraSpec",
    "DEFAULT_SCENARIO",
    "DemandSpec",
    "DistrictSpec",
    "GRID_FIELDS",
    "JURISDICTION_FIELDS",
    "MetricsSpec",
    "NETWORK_FIELDS",
    "NetworkSpec",
    "OUTSIDE_TRAFFIC_KEYS",
    "Operator",
    "OutageSpec",
    "OutputSpec",
    "PatrolSpec",
    "ReaderProfile",
    "ReadsSpec",
    "ReconstructSpec",
    "Rule",
    "Scenario",
    "Sharing",
    "SharingList",
    "TrafficSpec",
    "default_scenario_text",
    "format_validation_error",
    "load_scenario",
    "parse_scenario",
]
