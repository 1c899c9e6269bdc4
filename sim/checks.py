"""Every check of a scenario that needs more than its schema, in one place.

:func:`check_simulated` refuses what cannot be simulated at all;
:func:`check_world` gathers every problem that needs the network — camera
files and counts, jurisdictions, districts, patrol beats, reader ids, the
access graph, areas, a trips file — and reports them all at once.
``curtain validate`` builds the network and runs both, and ``curtain run``
runs them right after the network stage, before any demand or traffic, so
``validate`` accepts exactly what ``run`` accepts. (One thing only a
placement can tell: whether a ranked group's cameras fit ``min_spacing_m``
apart; ``run`` says so before traffic is simulated.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pandas as pd

from sim._errors import CurtainError, ScenarioError
from sim.geo import NOT_ON_EARTH
from sim.network import RoadNetwork, edge_jurisdiction
from sim.scenario import Scenario
from sim.seeds import named_rng, stage_rngs
from sim.sizing import check_size
from sim.io.trips import read_trips_csv
from sim.district import district_mask
from sim.io.counts import read_counts
from sim.io.reads import read_reads_file
from sim.placement import ROUTED_STRATEGIES, SPACED, check_count, entrance_edges
from sim.stages.access import build_access
from sim.stages.cameras import (
    group_allowed_edges, group_key, group_prefix, patrol_nodes, place_group, read_camera_file, repeated_camera_ids,
)
from sim.stages.demand import gateway_indices
from sim.stages.network import build_network

log = logging.getLogger(__name__)


def file_heading(where: str) -> str | None:
    """The heading a problem at key ``where`` is reported under when it is in a file the scenario names (a camera
    group's ``path``, the trips or counts file), apart from the problems with the network; ``None`` otherwise.

    Examples
    --------
    >>> file_heading("camera_groups[1].path"), file_heading("demand.path"), file_heading("cameras.count")
    ('the camera file(s)', 'the trips file', None)
    """
    if where.startswith(("cameras.", "camera_groups[")) and where.endswith(".path"):
        return "the camera file(s)"
    return {"demand.path": "the trips file", "demand.counts": "the counts file"}.get(where)


def check_simulated(scenario: Scenario) -> None:
    """Refuse a scenario there is nothing to simulate for (``reads.source = "file"``), or too big for the machine
    (:func:`sim.sizing.check_size`, before anything is built)."""
    if scenario.reads.source == "file":
        raise ScenarioError(f"{scenario.name}: reads.source is \"file\": there is nothing to simulate; "
                            "use run_scenario (curtain run) or curtain analyze")
    check_size(scenario)
    notice = sample_share_alone(scenario)
    if notice:
        log.warning(notice)


def sample_share_alone(scenario: Scenario) -> str | None:
    """What to say when ``--set demand.sample_share`` relabels the scenario's own fleet instead of sampling it:
    the share says what the simulated vehicles stand for, so ``vehicles`` simulated then stand for a fleet of
    ``vehicles / sample_share``, not the file's ``vehicles / file's share``, and every per-camera number scaled
    back up changes with it. ``None`` when the vehicles were set alongside, or are the calibration's, or the
    share is the file's.

    Examples
    --------
    >>> from sim.library import find_scenario
    >>> from sim.scenario import load_scenario
    >>> s = load_scenario(find_scenario("norfolk-curtain"), overrides=["demand.sample_share=0.05"])
    >>> print(sample_share_alone(s))  # doctest: +NORMALIZE_WHITESPACE
    norfolk-curtain: demand.sample_share=0.05 says that the 197,500 simulated vehicles are 5 % of the real fleet,
    a fleet of 3,950,000 where the file's sample_share (1) makes it 197,500; the numbers scaled to the whole
    fleet change with it, and the run still simulates 197,500 vehicles. To simulate a 5 % sample of this
    scenario's fleet, also set demand.vehicles=9875.
    >>> sample_share_alone(load_scenario(find_scenario("norfolk-curtain"), overrides=["demand.sample_share=0.05",
    ...                                                                              "demand.vehicles=9875"])) is None
    True
    """
    demand = scenario.demand
    said = {override.split("=", 1)[0].strip() for override in scenario.overrides}
    share, was = demand.sample_share, scenario.file_sample_share
    if (share == was or "demand.sample_share" not in said or "demand.vehicles" in said or demand.vehicles is None
            or demand.target_reads_per_camera_per_day is not None or demand.counts is not None):
        return None
    vehicles = demand.vehicles
    fleet = vehicles / was
    return (f"{scenario.name}: demand.sample_share={share:g} says that the {vehicles:,} simulated vehicles are "
            f"{share * 100:g} % of the real fleet, a fleet of {vehicles / share:,.0f} where the file's sample_share "
            f"({was:g}) makes it {fleet:,.0f}; the numbers scaled to the whole fleet change with it, and the run "
            f"still simulates {vehicles:,} vehicles. To simulate a {share * 100:g} % sample of this scenario's "
            f"fleet, also set demand.vehicles={max(1, round(fleet * share))}.")

def check_world(scenario: Scenario, net: RoadNetwork) -> None:
    """Every network-dependent problem of ``scenario``, raised together as one :class:`ScenarioError`."""
    problems: list[str] = []  # with the network
    in_files: dict[str, list[str]] = {}  # with a file the scenario names, by the heading of its kind
    if scenario.network.source != "synthetic":
        check_size(scenario, net.n_nodes)  # a network from a file is sized once it is read

    def attempt(where: str, check: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return check(*args, **kwargs)
        except CurtainError as exc:
            message = str(exc).removeprefix(f"{scenario.name}: ")
            heading = file_heading(where)
            (problems if heading is None else in_files.setdefault(heading, [])).append(
                message if message.startswith(where.split("[")[0]) else f"{where}: {message}")
            return None

    operators, readers, files = _camera_problems(scenario, net, attempt)
    repeated = repeated_camera_ids(files)  # two camera files holding one id (each file's own rows are checked)
    if repeated:
        in_files.setdefault(file_heading("cameras.path") or "", []).append(repeated)
    readers += sum(spec.cars for spec in scenario.patrols)
    if readers == 0 and not problems and not in_files and not scenario.cameras.allow_empty:
        problems.append("cameras: the scenario has no camera and no patrol car (count = 0, or empty camera files); "
                        "give cameras a count or a file, or set cameras.allow_empty = true for a baseline run")
    for i, spec in enumerate(scenario.patrols):
        attempt(f"patrols[{i}]", patrol_nodes, net, spec, f"patrols[{i}]")
        operators.add(spec.operator)
    _reader_id_problems(scenario, problems)
    if scenario.operators or scenario.agencies or scenario.sharing_lists or scenario.metrics.what_if_without:
        attempt("access", build_access, scenario, pd.DataFrame({"operator": sorted(operators)}))
    if scenario.metrics.areas == "jurisdiction" and not set(edge_jurisdiction(net)) - {""}:
        problems.append("metrics.areas = \"jurisdiction\" but no road has a jurisdiction; use areas = \"rings\" "
                        "or give the network jurisdictions")
    demand = scenario.demand
    if demand.model == "file":
        attempt("demand.path", lambda: read_trips_csv(scenario.resolve(str(demand.path)), net,
                                                      named_rng(scenario.seed, "checks")))
    if demand.model == "population" and demand.gateways is not None:
        attempt("demand.gateways", gateway_indices, net, demand.gateways)
    if demand.counts is not None:
        attempt("demand.counts", lambda: read_counts(scenario.resolve(str(demand.counts)), net,
                                                     max_snap_m=demand.counts_max_snap_m))
    if scenario.output.map_tiles and net.crs is None:
        problems.append(f"output.map_tiles: tiles need a network with a place on Earth, but {NOT_ON_EARTH}")
    # (the scenario's own settings checked against the network: counts, places, operators, areas, not its roads)
    sections = [(f"the scenario on its network ({net.n_nodes:,} intersections, {net.n_edges:,} road segments)",
                 problems)]
    sections += sorted(in_files.items())
    if any(found for _, found in sections):
        raise ScenarioError("\n".join(
            f"{scenario.source_name}: {len(found)} problem(s) with {heading}:\n"
            + "\n".join("  " + p.replace("\n", "\n    ") for p in found) for heading, found in sections if found))


def _camera_problems(
    scenario: Scenario, net: RoadNetwork, attempt: Callable[..., Any]
) -> tuple[set[str], int, list[tuple[str, pd.DataFrame]]]:
    """Check every camera group against the network; return the operators its cameras will have, how many
    cameras the groups hold at least (a cordon or curtain counts one: its size is known only once placed), and
    the layout of each camera file read (by the group's key)."""
    operators: set[str] = set()
    readers = 0
    files: list[tuple[str, pd.DataFrame]] = []
    for i, spec in enumerate(scenario.all_cameras):
        where = group_key(i)
        if spec.strategy == "file":
            layout = attempt(f"{where}.path", read_camera_file, scenario, spec, net)
            if layout is not None:
                operators |= set(layout[0]["operator"])
                readers += len(layout[0])
                files.append((f"{where} ({spec.path})", layout[0]))
            continue
        readers += 1 if spec.strategy in ("cordon", "curtain") else spec.camera_count()
        if spec.strategy in ("cordon", "curtain") or spec.camera_count() > 0:
            operators.add(spec.operator)
        found = attempt(where, lambda: (group_allowed_edges(net, spec, f"{where}."),))
        if found is None:  # no road of its jurisdiction or classes: its count cannot be checked
            continue
        allowed = found[0]
        if spec.district is not None:
            attempt(f"{where}.district", district_mask, net, spec.district.model_dump(), scenario.resolve)
        if spec.strategy == "entrances":
            way_in = entrance_edges(net) if allowed is None else entrance_edges(net) & allowed
            attempt(f"{where}.count", check_count, net, spec.camera_count(), way_in)
        elif spec.strategy not in ("cordon",):
            attempt(f"{where}.count", check_count, net, spec.camera_count(), allowed)
    return operators, readers, files


def _reader_id_problems(scenario: Scenario, problems: list[str]) -> None:
    """Camera groups and patrol fleets must not share an id prefix (their reader ids would collide)."""
    prefixes = [(group_prefix(i, s), group_key(i))
                for i, s in enumerate(scenario.all_cameras) if s.strategy != "file"]
    prefixes += [(p.prefix, f"patrols[{i}]") for i, p in enumerate(scenario.patrols)]
    seen: dict[str, str] = {}
    for prefix, where in prefixes:
        if prefix in seen:
            problems.append(f"{where}.prefix: {prefix!r} is also the prefix of {seen[prefix]}; reader ids would "
                            "collide — give each group and fleet its own prefix")
        seen.setdefault(prefix, where)


def check_scenario(scenario: Scenario, say: Callable[[str], None] | None = None) -> str:
    """Everything ``curtain run`` checks before simulating: build the network and run :func:`check_world`.

    Returns a short description of what was checked (for ``curtain validate``).
    """
    if scenario.reads.source == "file":
        spec = scenario.reads
        source = read_reads_file(scenario.resolve(str(spec.path)), columns=spec.column_map(),
                                 time_format=spec.time_format, delimiter=spec.delimiter)
        return f"reads file of {len(source.reads):,} usable rows checked"
    check_simulated(scenario)  # too big? before anything is built
    net = build_network(scenario, stage_rngs(scenario.seed)["network"])
    check_world(scenario, net)
    checked = f"network of {net.n_nodes:,} intersections and {net.n_edges:,} road segments checked"
    return f"{checked}{_spacing_checked(scenario, net, say)}"


def _spacing_checked(scenario: Scenario, net: RoadNetwork, say: Callable[[str], None] | None) -> str:
    """Whether the ranked groups' cameras fit their ``min_spacing_m``: the groups before the first one ranked by
    traffic are placed here as the run places them (the same draws of the ``cameras`` stream, in order); the
    others are known only once the trips are routed. Returns what was checked, for ``curtain validate``."""
    groups = scenario.all_cameras
    routed = next((i for i, spec in enumerate(groups) if spec.strategy in ROUTED_STRATEGIES), len(groups))
    spaced = [i for i, spec in enumerate(groups)
              if spec.strategy in SPACED and spec.min_spacing_m and spec.camera_count() > 0]
    placed, later = [i for i in spaced if i < routed], [i for i in spaced if i >= routed]
    said = ""
    if placed:
        if say is not None:
            say(f"placing {sum(groups[i].camera_count() for i in placed):,} cameras as `curtain run` will, to check "
                "their spacing")
        rng = stage_rngs(scenario.seed)["cameras"]
        for i in range(max(placed) + 1):
            place_group(scenario, i, net, None, rng)  # (every group before: its draws come first in the run too)
        said += "; " + ", ".join(f"the {groups[i].camera_count():,} cameras of {_group_name(i)} placed "
                                 f"≥ {groups[i].min_spacing_m:g} m apart" for i in placed)
    if later:
        said += (f"; whether the {sum(groups[i].camera_count() for i in later):,} cameras of "
                 f"{', '.join(_group_name(i) for i in later)} fit their min_spacing_m is checked by `curtain run` "
                 "once the trips are routed, before traffic")
    return said


def _group_name(i: int) -> str:
    """A camera group's key in a sentence: ``[cameras]`` (the table), ``camera_groups[0]`` …"""
    return f"[{group_key(i)}]" if i == 0 else group_key(i)
