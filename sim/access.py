"""Who can see the reads: operators, agencies, sharing agreements, retention.

The access structure is a :class:`networkx.DiGraph` whose nodes are
operators (who own cameras and keep reads), agencies (who search them) and
pools (shared databases, e.g. a vendor's national pool). An edge ``a -> b``
means everything ``a`` can see, ``b`` can see too: an agency's ``access``
list gives ``operator -> agency`` (or ``pool -> agency``) edges, and each
``[[sharing]]`` agreement gives ``from -> to``. An agency sees the reads of
every operator with a path to it, within that operator's retention period.

Rules (``[[rules]]``), such as a sanctuary policy, deny an operator's reads
to agencies of some kinds. ``scope = "sharing"`` blocks formal sharing
agreements into such agencies (what such laws usually govern);
``scope = "all"`` blocks every path. Access that still reaches a denied
agency through another path (direct accounts, a vendor pool) is *leakage*,
reported with its path.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from sim.arrays import positions_in
from sim._time import DAY_S
from sim._errors import ScenarioError



def access_graph(
    operators: list[dict[str, Any]],
    agencies: list[dict[str, Any]],
    sharing: list[dict[str, Any]],
    rules: list[dict[str, Any]] | None = None,
    *,
    source: str = "scenario",
    allow_cycles: bool = False,
) -> nx.DiGraph:
    """Build the access graph and check that every name it uses is declared.

    Parameters
    ----------
    operators : list of dict
        ``{"name", "retention_days"}``.
    agencies : list of dict
        ``{"name", "kind", "access"}``; ``access`` lists operators or pools.
    sharing : list of dict
        ``{"from", "to"}``; a ``to`` that is neither an operator nor an
        agency is a pool.
    rules : list of dict, optional
        ``{"name", "operator", "deny_kinds", "deny_agencies", "scope"}``.
    allow_cycles : bool
        Sharing that comes back to where it started (A → B → A) is usually a
        typing mistake and is an error unless allowed.

    Examples
    --------
    >>> g = access_graph([{"name": "county", "retention_days": 730}],
    ...                  [{"name": "ice", "kind": "federal", "access": ["pool"]}],
    ...                  [{"from": "county", "to": "pool"}])
    >>> sorted(visible_operators(g, "ice"))
    ['county']
    """
    g = nx.DiGraph()
    for op in operators:
        _add_unique(g, op["name"], "operator", source, retention_days=float(op["retention_days"]))
    for agency in agencies:
        _add_unique(g, agency["name"], "agency", source, agency_kind=agency.get("kind", ""),
                    users=agency.get("users"))
    for share in sharing:
        if share["from"] not in g:
            raise ScenarioError(
                f"{source}: sharing.from = {share['from']!r} is not a declared operator or agency; "
                "declare it in [[operators]] or [[agencies]]"
            )
        if share["to"] not in g:
            g.add_node(share["to"], kind="pool")
        g.add_edge(share["from"], share["to"], via="sharing")
    for agency in agencies:
        for name in agency.get("access", []):
            if name not in g or g.nodes[name]["kind"] == "agency":
                raise ScenarioError(
                    f"{source}: agency {agency['name']!r} has access to {name!r}, which is neither a "
                    "declared operator nor a pool that some [[sharing]] feeds"
                )
            g.add_edge(name, agency["name"], via="account")
    _check_pools_read(g, source)
    if not allow_cycles:
        try:
            cycle = nx.find_cycle(g)
        except nx.NetworkXNoCycle:
            cycle = None
        if cycle:
            loop = " → ".join([u for u, _ in cycle] + [cycle[0][0]])
            raise ScenarioError(f"{source}: access and sharing form a cycle ({loop}); remove one agreement, "
                                "or set [access] allow_cycles = true if it is meant")
    g.graph["rules"] = [_check_rule(g, rule, source) for rule in (rules or [])]
    return g


def _check_pools_read(g: nx.DiGraph, source: str) -> None:
    """A pool from which no agency can be reached leads nowhere: almost always a misspelt
    ``sharing.to`` (``to = "state-polise"`` left the state police seeing 0 % of the reads, and the report looked
    normal). Refused, with the declared name it is closest to."""
    if not any(d["kind"] == "agency" for _, d in g.nodes(data=True)):
        return  # (no agency at all: a scenario that draws who shares with whom, with no one searching yet)
    for pool, data in g.nodes(data=True):
        # (a pool from which no agency can be reached: a dead end, or pools that share only with each other)
        if data["kind"] != "pool" or any(g.nodes[n]["kind"] == "agency" for n in nx.descendants(g, pool)):
            continue
        named = [n for n, d in g.nodes(data=True) if n != pool and d["kind"] in ("agency", "pool")]
        close = difflib.get_close_matches(str(pool), [str(n) for n in named], n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        senders = ", ".join(repr(u) for u in g.predecessors(pool))
        raise ScenarioError(
            f"{source}: sharing.to = {pool!r} (from {senders}) is neither a declared agency nor a pool that some "
            f"agency's access lists, so no one would see what is shared with it; {hint}name a declared agency in "
            f"[[sharing]] to, or add {pool!r} to an agency's access"
        )


def _check_rule(g: nx.DiGraph, rule: dict[str, Any], source: str) -> dict[str, Any]:
    name = rule.get("name", "rule")
    if g.nodes.get(rule.get("operator"), {}).get("kind") != "operator":
        raise ScenarioError(f"{source}: rules {name!r}: operator {rule.get('operator')!r} is not a declared operator")
    for agency in rule.get("deny_agencies", []):
        if g.nodes.get(agency, {}).get("kind") != "agency":
            raise ScenarioError(f"{source}: rules {name!r}: deny_agencies names {agency!r}, not a declared agency")
    # a kind no agency has denies nobody: a misspelt kind would leave the rule silently doing nothing
    kinds = sorted({d.get("agency_kind") or "" for _, d in g.nodes(data=True) if d["kind"] == "agency"} - {""})
    unknown = [kind for kind in rule.get("deny_kinds", []) if kind not in kinds]
    if unknown:
        raise ScenarioError(f"{source}: rules {name!r}: deny_kinds names {', '.join(map(repr, unknown))}, the kind "
                            f"of no agency (their kinds: {', '.join(kinds) or 'none declared'}); check the "
                            "spelling, or drop it")
    scope = rule.get("scope", "sharing")
    if scope not in ("sharing", "all"):
        raise ScenarioError(f"{source}: rules {name!r}: scope must be 'sharing' or 'all', got {scope!r}")
    return {"name": name, "operator": rule["operator"], "deny_kinds": list(rule.get("deny_kinds", [])),
            "deny_agencies": list(rule.get("deny_agencies", [])), "scope": scope}


def _denied(graph: nx.DiGraph, rule: dict[str, Any], node: str) -> bool:
    data = graph.nodes[node]
    return data["kind"] == "agency" and (
        node in rule["deny_agencies"] or data.get("agency_kind") in rule["deny_kinds"]
    )


def blocked_edges(graph: nx.DiGraph, rule: dict[str, Any]) -> list[tuple[str, str]]:
    """Edges a rule removes from its operator's data flow."""
    return [
        (u, v) for u, v, via in graph.edges(data="via")
        if _denied(graph, rule, v) and (rule["scope"] == "all" or via == "sharing")
    ]


def operator_graph(graph: nx.DiGraph, operator: str) -> nx.DiGraph:
    """The access graph as it carries ``operator``'s reads: its rules' blocked edges removed."""
    rules = [r for r in graph.graph.get("rules", []) if r["operator"] == operator]
    if not rules:
        return graph
    view = nx.DiGraph(graph)
    for rule in rules:
        view.remove_edges_from(blocked_edges(graph, rule))
    return view


def rule_report(graph: nx.DiGraph) -> dict[str, Any]:
    """For each rule: the agreements it blocks, and the denied agencies that still see the reads (leaks).

    Examples
    --------
    >>> g = access_graph([{"name": "county", "retention_days": 730}],
    ...     [{"name": "ice", "kind": "federal-immigration", "access": ["pool"]}],
    ...     [{"from": "county", "to": "ice"}, {"from": "county", "to": "pool"}],
    ...     [{"name": "sanctuary", "operator": "county", "deny_kinds": ["federal-immigration"]}])
    >>> rule_report(g)["sanctuary"]
    {'blocked': [['county', 'ice']], 'leaks': {'ice': ['county', 'pool', 'ice']}}
    """
    out = {}
    for rule in graph.graph.get("rules", []):
        view = operator_graph(graph, rule["operator"])
        leaks = {}
        for node in sorted(graph.nodes):
            if _denied(graph, rule, node) and nx.has_path(view, rule["operator"], node):
                leaks[node] = nx.shortest_path(view, rule["operator"], node)
        out[rule["name"]] = {"blocked": [list(e) for e in blocked_edges(graph, rule)], "leaks": leaks}
    return out


def _add_unique(g: nx.DiGraph, name: str, kind: str, source: str, **attrs: Any) -> None:
    if name in g:
        raise ScenarioError(f"{source}: the name {name!r} is declared twice; names must be unique")
    g.add_node(name, kind=kind, **attrs)


def visible_operators(graph: nx.DiGraph, agency: str) -> dict[str, list[str]]:
    """Operators whose reads ``agency`` can search (rules applied), each with the shortest access path."""
    out = {}
    for node in sorted(nx.ancestors(graph, agency) | {agency}):
        if graph.nodes[node]["kind"] == "operator":
            view = operator_graph(graph, node)
            if nx.has_path(view, node, agency):
                out[node] = nx.shortest_path(view, node, agency)
    return out


def visible_reads(
    reads: pd.DataFrame,
    layout: pd.DataFrame,
    graph: nx.DiGraph,
    agency: str,
    query_time_s: float,
    *,
    camera_row: np.ndarray | None = None,
    operators: dict[str, list[str]] | None = None,
) -> np.ndarray:
    """Boolean mask of the reads ``agency`` can search at ``query_time_s``.

    A read is visible when it was made by ``query_time_s``, its camera's
    operator reaches the agency in the access graph, and the read is no older
    than that operator's retention. ``camera_row`` (each read's row in
    ``layout``, −1 for none) saves looking the cameras up again for every agency; ``operators``
    (:func:`visible_operators` of the agency) saves finding its reach again.
    """
    operators = visible_operators(graph, agency) if operators is None else operators
    retention = {name: graph.nodes[name]["retention_days"] * DAY_S for name in operators}
    # the oldest visible read's age, per camera (−inf: the agency cannot see that camera's operator); the
    # extra last entry stands for a camera not in the layout (row −1)
    limit_by_camera = np.array([retention.get(op, -math.inf) for op in layout["operator"]] + [-math.inf])
    if camera_row is None:
        camera_row = positions_in(layout["camera_id"], reads["camera_id"])
    limit = limit_by_camera[camera_row]
    age = query_time_s - reads["time_s"].to_numpy(float)
    # A read made after the query time does not exist yet.
    return (age >= 0) & (age <= limit)


def agency_masks(
    reads: pd.DataFrame, layout: pd.DataFrame, graph: nx.DiGraph, agencies: list[str], query_time_s: float,
    *, camera_row: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, dict[str, list[str]]]]:
    """Per agency, the mask of the reads it can search at ``query_time_s`` (:func:`visible_reads`) and the
    operators it reaches (:func:`visible_operators`). Agencies that reach the same operators see the same
    reads: they share one mask (the same array), so a sharing list's hundreds of agencies cost a handful.
    """
    if camera_row is None:
        camera_row = positions_in(layout["camera_id"], reads["camera_id"])
    masks: dict[tuple[str, ...], np.ndarray] = {}
    visible, reach_of = {}, {}
    for agency in agencies:
        operators = reach_of[agency] = visible_operators(graph, agency)
        reach = tuple(sorted(operators))
        if reach not in masks:
            masks[reach] = visible_reads(reads, layout, graph, agency, query_time_s, camera_row=camera_row,
                                         operators=operators)
        visible[agency] = masks[reach]
    return visible, reach_of


def check_camera_operators(graph: nx.DiGraph, layout: pd.DataFrame, source: str) -> None:
    """Every camera's operator must be declared in ``[[operators]]``."""
    declared = {n for n, d in graph.nodes(data=True) if d["kind"] == "operator"}
    unknown = sorted(set(layout["operator"]) - declared)
    if unknown:
        hint = ("; 'default' is the operator of a camera group without one: set its operator (in [cameras], "
                "or a camera file's operator column)" if "default" in unknown else "")
        raise ScenarioError(
            f"{source}: camera operator(s) {', '.join(map(repr, unknown))} are not declared; "
            f"add an [[operators]] entry (name, retention_days) for each{hint}"
        )
