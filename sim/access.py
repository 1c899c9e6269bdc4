"""Who can see the reads: operators, agencies, sharing agreements, retention.

The access structure is a :class:`networkx.DiGraph` whose nodes are
operators (who own cameras and keep reads), agencies (who search them) and
pools (shared databases, e.g. a vendor's national pool). An edge ``a -> b``
means everything ``a`` can see, ``b`` can see too: an agency's ``access``
list gives ``operator -> agency`` (or ``pool -> agency``) edges, and each
``[[sharing]]`` agreement gives ``from -> to``. An agency sees the reads of
every operator with a path to it, within that operator's retention period.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from sim._errors import ScenarioError

DAY_S = 86_400.0


def access_graph(
    operators: list[dict[str, Any]],
    agencies: list[dict[str, Any]],
    sharing: list[dict[str, Any]],
    *,
    source: str = "scenario",
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
        _add_unique(g, agency["name"], "agency", source, agency_kind=agency.get("kind", ""))
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
    return g


def _add_unique(g: nx.DiGraph, name: str, kind: str, source: str, **attrs: Any) -> None:
    if name in g:
        raise ScenarioError(f"{source}: the name {name!r} is declared twice; names must be unique")
    g.add_node(name, kind=kind, **attrs)


def visible_operators(graph: nx.DiGraph, agency: str) -> dict[str, list[str]]:
    """Operators whose reads ``agency`` can search, each with the shortest access path."""
    out = {}
    for node in sorted(nx.ancestors(graph, agency) | {agency}):
        if graph.nodes[node]["kind"] == "operator":
            out[node] = nx.shortest_path(graph, node, agency)
    return out


def visible_reads(
    reads: pd.DataFrame,
    layout: pd.DataFrame,
    graph: nx.DiGraph,
    agency: str,
    query_time_s: float,
) -> np.ndarray:
    """Boolean mask of the reads ``agency`` can search at ``query_time_s``.

    A read is visible when it was made by ``query_time_s``, its camera's
    operator reaches the agency in the access graph, and the read is no older
    than that operator's retention.
    """
    operators = visible_operators(graph, agency)
    camera_operator = layout.set_index("camera_id")["operator"]
    read_operator = camera_operator.reindex(reads["camera_id"]).to_numpy()
    retention = {name: graph.nodes[name]["retention_days"] * DAY_S for name in operators}
    limit = np.array([retention.get(op, -math.inf) for op in read_operator])
    age = query_time_s - reads["time_s"].to_numpy(float)
    # A read made after the query time does not exist yet.
    return (age >= 0) & (age <= limit) & np.isin(read_operator, list(operators))


def check_camera_operators(graph: nx.DiGraph, layout: pd.DataFrame, source: str) -> None:
    """Every camera's operator must be declared in ``[[operators]]``."""
    declared = {n for n, d in graph.nodes(data=True) if d["kind"] == "operator"}
    unknown = sorted(set(layout["operator"]) - declared)
    if unknown:
        raise ScenarioError(
            f"{source}: camera operator(s) {', '.join(map(repr, unknown))} are not declared; "
            "add an [[operators]] entry (name, retention_days) for each"
        )
