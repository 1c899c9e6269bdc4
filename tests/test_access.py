"""Who can see the reads: hand-built access cases."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import ScenarioError
from sim.access import access_graph, rule_report, visible_operators, visible_reads

DAY = 86_400.0


@pytest.fixture
def reads_and_layout():
    layout = pd.DataFrame({"camera_id": ["a1", "a2", "b1"], "operator": ["county", "county", "town"]})
    reads = pd.DataFrame({"camera_id": ["a1", "a2", "b1", "b1", "a1"],
                          "time_s": [0.0, 10 * DAY, 0.0, 20 * DAY, 29 * DAY]})
    return reads, layout


OPERATORS = [{"name": "county", "retention_days": 730}, {"name": "town", "retention_days": 15}]


def test_agency_without_path_sees_nothing(reads_and_layout):
    reads, layout = reads_and_layout
    g = access_graph(OPERATORS, [{"name": "lonely", "access": []}], [])
    assert visible_operators(g, "lonely") == {}
    assert not visible_reads(reads, layout, g, "lonely", 30 * DAY).any()


def test_transitive_share_gives_exactly_the_sharing_operators_reads(reads_and_layout):
    reads, layout = reads_and_layout
    agencies = [{"name": "county-police", "access": ["county"]}, {"name": "fbi", "access": []}]
    g = access_graph(OPERATORS, agencies, [{"from": "county-police", "to": "fbi"}])
    assert visible_operators(g, "fbi") == {"county": ["county", "county-police", "fbi"]}
    mask = visible_reads(reads, layout, g, "fbi", 30 * DAY)
    assert mask.tolist() == [True, True, False, False, True]


def test_retention_drops_reads_older_than_the_period(reads_and_layout):
    reads, layout = reads_and_layout
    g = access_graph(OPERATORS, [{"name": "town-police", "access": ["town"]}], [])
    # query at day 30: the town keeps 15 days, so its day-0 read is gone, day-20 read stays
    assert visible_reads(reads, layout, g, "town-police", 30 * DAY).tolist() == [False, False, False, True, False]


def test_pool_gives_access_to_every_operator_feeding_it(reads_and_layout):
    reads, layout = reads_and_layout
    g = access_graph(OPERATORS, [{"name": "ice", "kind": "federal-immigration", "access": ["national-pool"]}],
                     [{"from": "county", "to": "national-pool"}, {"from": "town", "to": "national-pool"}])
    assert sorted(visible_operators(g, "ice")) == ["county", "town"]
    assert g.nodes["national-pool"]["kind"] == "pool"
    # at t = 0 only the two reads made at t = 0 exist
    assert visible_reads(reads, layout, g, "ice", 0.0).tolist() == [True, False, True, False, False]
    assert visible_reads(reads, layout, g, "ice", 30 * DAY).tolist() == [True, True, False, True, True]


@pytest.mark.parametrize("agencies, sharing, message", [
    ([{"name": "x", "access": ["nobody"]}], [], "'nobody', which is neither"),
    ([], [{"from": "ghost", "to": "pool"}], "'ghost' is not a declared"),
    ([{"name": "county", "access": []}], [], "declared twice"),
    # helper-38: a misspelt sharing.to made a pool no one reads, and the state police saw 0 % of the reads
    ([{"name": "state-police", "access": []}], [{"from": "county", "to": "state-polise"}],
     r"sharing.to = 'state-polise' \(from 'county'\) is neither a declared agency nor a pool .* did you mean "
     r"'state-police'\?"),
    # a pool that leads on to a pool no one reads is refused at the dead end, with no guess when none is close
    ([{"name": "fbi", "access": ["pool"]}], [{"from": "county", "to": "pool"}, {"from": "county", "to": "xyz"}],
     r"sharing.to = 'xyz' \(from 'county'\) .* no one would see what is shared with it; name a declared"),
])
def test_bad_access_declarations(agencies, sharing, message):
    with pytest.raises(ScenarioError, match=message):
        access_graph(OPERATORS, agencies, sharing)


SANCTUARY = [{"name": "sanctuary", "operator": "county", "deny_kinds": ["federal-immigration"]}]


def test_sanctuary_rule_blocks_the_direct_share_but_the_pool_leaks(reads_and_layout):
    reads, layout = reads_and_layout
    agencies = [{"name": "ice", "kind": "federal-immigration", "access": ["national-pool"]}]
    sharing = [{"from": "county", "to": "ice"}, {"from": "county", "to": "national-pool"}]
    g = access_graph(OPERATORS, agencies, sharing, SANCTUARY)
    report = rule_report(g)["sanctuary"]
    assert report["blocked"] == [["county", "ice"]]
    assert report["leaks"] == {"ice": ["county", "national-pool", "ice"]}
    # ICE still sees the county's reads, through the pool
    assert visible_operators(g, "ice") == {"county": ["county", "national-pool", "ice"]}


def test_sanctuary_rule_holds_without_another_path(reads_and_layout):
    reads, layout = reads_and_layout
    agencies = [{"name": "ice", "kind": "federal-immigration", "access": []}]
    g = access_graph(OPERATORS, agencies, [{"from": "county", "to": "ice"}, {"from": "town", "to": "ice"}],
                     SANCTUARY)
    assert rule_report(g)["sanctuary"]["leaks"] == {}
    assert sorted(visible_operators(g, "ice")) == ["town"]  # the rule protects only the county
    assert visible_reads(reads, layout, g, "ice", 30 * DAY).tolist() == [False, False, False, True, False]


def test_rule_scope_all_also_blocks_accounts_and_pools():
    agencies = [{"name": "ice", "kind": "federal-immigration", "access": ["county", "national-pool"]}]
    rules = [{**SANCTUARY[0], "scope": "all"}]
    g = access_graph(OPERATORS, agencies, [{"from": "county", "to": "national-pool"}], rules)
    assert visible_operators(g, "ice") == {}
    assert rule_report(g)["sanctuary"]["leaks"] == {}


def test_rule_denying_a_kind_no_agency_has_is_refused_naming_the_kinds():
    """A misspelt kind ("federal-immigration" against an agency of kind "federal_immigration") left a sanctuary
    rule blocking nothing, and ICE seeing every read, with no word said; it is refused as deny_agencies is."""
    agencies = [{"name": "ice", "kind": "federal_immigration", "access": ["national-pool"]},
                {"name": "town-police", "access": ["town"]}]
    with pytest.raises(ScenarioError, match=r"rules 'sanctuary': deny_kinds names 'federal-immigration', the kind "
                                            r"of no agency \(their kinds: federal_immigration\)"):
        access_graph(OPERATORS, agencies, [{"from": "county", "to": "national-pool"}], SANCTUARY)
    agencies[0]["kind"] = "federal-immigration"  # spelt as the rule spells it: the direct share is blocked
    agencies[0]["access"] = []
    g = access_graph(OPERATORS, agencies, [{"from": "county", "to": "ice"}], SANCTUARY)
    assert "county" not in visible_operators(g, "ice")


def test_rule_naming_an_unknown_operator():
    with pytest.raises(ScenarioError, match="rules 'x': operator 'nobody'"):
        access_graph(OPERATORS, [], [], [{"name": "x", "operator": "nobody"}])


def test_sharing_cycle_is_an_error_unless_allowed():
    agencies = [{"name": "a", "access": ["county"]}, {"name": "b", "access": []}]
    sharing = [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}]
    with pytest.raises(ScenarioError, match="cycle \\((a → b → a|b → a → b)\\)"):
        access_graph(OPERATORS, agencies, sharing)
    g = access_graph(OPERATORS, agencies, sharing, allow_cycles=True)
    assert visible_operators(g, "b") == {"county": ["county", "a", "b"]}


def test_negative_retention_in_a_scenario_is_rejected():
    from sim.scenario import load_scenario

    with pytest.raises(ScenarioError, match="operators.0.retention_days"):
        load_scenario(overrides=["operators=[{name='x', retention_days=-1}]"])


def test_pools_that_reach_no_agency_are_refused_even_in_a_loop_and_a_scenario_of_no_agency_builds():
    """helper-41: pools that share only with each other (allowed cycles) passed, and a scenario of operators and
    sharing with no agency yet, which used to build, was refused."""
    sharing = [{"from": "county", "to": "state-polise"}, {"from": "state-polise", "to": "p2"},
               {"from": "p2", "to": "state-polise"}]
    with pytest.raises(ScenarioError, match="sharing.to = '(state-polise|p2)'"):
        access_graph(OPERATORS, [{"name": "state-police", "access": []}], sharing, allow_cycles=True)
    # the same loop feeding an agency is fine
    g = access_graph(OPERATORS, [{"name": "state-police", "access": ["p2"]}], sharing, allow_cycles=True)
    assert sorted(visible_operators(g, "state-police")) == ["county"]
    # no agency at all: who shares with whom, nothing to misspell against
    assert set(access_graph(OPERATORS, [], [{"from": "county", "to": "vendor"}]).nodes) == {"county", "town", "vendor"}
