"""The simulated-search model (`[searches]`, sim.searches): its defaults are the published figures they name,
its rules on who reaches the reads hold on hand cases, its chance per resident equals a hand computation and
what its own simulated logs show, and `curtain audit` reads its log as it reads a real one."""

from __future__ import annotations

import dataclasses
import html
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import load_scenario, run_scenario
from sim.cli import app
from sim.scenario.searches import (EUGENE_NATIONAL_CAMERAS, EUGENE_REACH_COUNTS, EUGENE_STATE_POOL_CAMERAS,
                                   EUGENE_USERS, PORTAL_MEDIAN_OWNED_CAMERAS, SearchPurpose, Searches)
from sim.searches import (SearchPlan, SearchReads, chance_returned, hazard_per_s, jurisdiction, plan_searches,
                          poisson_interval, search_metrics, searches_sentences, simulate_log)
from sim.access import access_graph, visible_operators
from sim.scenario import Agency
from sim import ScenarioError

DAY_S = 86_400.0

TOY = """
name = "search-toy"
seed = 4
[network]
rows = 7
cols = 7
[demand]
trips = 300
[cameras]
count = 10
operator = "city"
[[operators]]
name = "city"
retention_days = 30
[[agencies]]
name = "city-pd"
access = ["city"]
[[agencies]]
name = "ICE"
kind = "federal-immigration"
access = ["pool"]
[[agencies]]
name = "Houston TX PD"
state = "TX"
access = ["pool"]
[[sharing]]
from = "city"
to = "pool"
[searches]
state = "VA"
days = 20
"""


def test_the_defaults_are_the_eugene_log_and_the_portals(data):
    """Counted again, straight from the files: Eugene's searches by reach, its median camera counts per reach,
    its users; the portals' median number of owned cameras."""
    log = pd.read_csv(data("eugene-search-audit"))
    cameras = log["cameraCount"]
    own, national = cameras <= 1000, cameras > 50000
    state = ~own & ~national
    assert EUGENE_REACH_COUNTS == {"own": int(own.sum()), "state": int(state.sum()), "national": int(national.sum())}
    assert EUGENE_STATE_POOL_CAMERAS == int(cameras[state].median())
    assert EUGENE_NATIONAL_CAMERAS == int(cameras[national].median())
    assert EUGENE_USERS == log["userId"].nunique()
    portals = pd.read_csv(data("flock-portal-usage"))
    assert PORTAL_MEDIAN_OWNED_CAMERAS == int(portals["number_of_owned_cameras"].median())
    mix = Searches(state="OR").reach
    assert mix["own"] == pytest.approx(3005 / 4294) and sum(mix.values()) == pytest.approx(1.0)


def _plans(spec: Searches) -> dict[str, SearchPlan]:
    """Four agencies around one operator ("city", 10 cameras): its police (an account), a neighbour from a
    sharing list (an account too, but its own cameras are elsewhere), an out-of-state police and a federal
    agency in the scenario's state, both through the vendor's pool."""
    graph = access_graph([{"name": "city", "retention_days": 30}],
                         [{"name": "city-pd", "kind": "local-police", "access": ["city"]},
                          {"name": "Next Town VA PD", "kind": "local-police", "access": ["city"]},
                          {"name": "Dallas TX PD", "kind": "local-police", "access": ["pool"]},
                          {"name": "Fort Eustis VA US Army", "kind": "federal", "access": ["pool"]}],
                         [{"from": "city", "to": "pool"}])
    agencies = [Agency(name="city-pd"), Agency(name="Next Town VA PD", state="VA"),
                Agency(name="Dallas TX PD", state="TX"), Agency(name="Fort Eustis VA US Army", kind="federal",
                                                                state="VA")]
    reach = {a.name: visible_operators(graph, a.name) for a in agencies}
    layout = pd.DataFrame({"camera_id": [f"c{i}" for i in range(10)], "operator": "city"})
    plans = plan_searches(spec, agencies, {"city-pd"}, graph, reach, layout)
    return {p.agency: p for p in plans}


def test_who_reaches_the_reads_with_which_searches():
    spec = Searches(state="VA", reach={"own": 0.5, "state": 0.3, "national": 0.2}, rate_per_30_days=60,
                    national_cameras=1000)
    plans = _plans(spec)
    reaching = {name: [r for r in ("own", "state", "national") if p.reaches(r)] for name, p in plans.items()}
    assert reaching == {"city-pd": ["own", "state", "national"], "Next Town VA PD": ["state", "national"],
                        "Dallas TX PD": ["national"], "Fort Eustis VA US Army": ["state", "national"]}
    assert [p.jurisdiction for p in plans.values()] == ["in-state", "in-state", "out-of-state", "federal"]
    # 60 searches in 30 days: 2 a day, of which the reaching shares: 1.0, 0.5, 0.2, 0.5
    assert [p.per_day_reaching for p in plans.values()] == pytest.approx([2.0, 1.0, 0.4, 1.0])
    police = plans["city-pd"]
    # its own searches cover its own 10 cameras; a state pool holds 2,683, the national network 1,000 here
    assert police.cameras == {"own": 10, "state": 2683, "national": 1000}
    assert police.target_share == pytest.approx({"own": 1.0, "state": 10 / 2683, "national": 10 / 1000})
    assert plans["Next Town VA PD"].cameras["own"] == PORTAL_MEDIAN_OWNED_CAMERAS


def test_an_agencys_override_wins_over_its_kinds():
    spec = Searches(state="VA", overrides=[{"kind": "local-police", "rate_per_30_days": 30},
                                           {"agency": "Dallas TX PD", "rate_per_30_days": 300,
                                            "purposes": [{"reason": "immigration"}]}])
    plans = _plans(spec)
    assert plans["city-pd"].rate_per_day == pytest.approx(1.0)
    assert plans["Dallas TX PD"].rate_per_day == pytest.approx(10.0)
    assert plans["Dallas TX PD"].purposes[0].reason == "immigration"
    assert plans["Fort Eustis VA US Army"].rate_per_day == pytest.approx(138 / 30)


def _one_car(times_days: list[float], retention_days: float, fleet_size: float = 1.0) -> SearchReads:
    times = np.asarray(times_days, dtype=float) * DAY_S
    return SearchReads(vehicle=np.zeros(len(times), np.int64), time_s=times,
                       operator=np.array(["city"] * len(times), dtype=object),
                       retention_s=np.full(len(times), retention_days * DAY_S), fleet=np.array([0]),
                       fleet_size=fleet_size)


def _own_only(rate_per_30_days: float, purposes: list[SearchPurpose] | None = None) -> SearchPlan:
    return SearchPlan(agency="a", kind="federal", jurisdiction="federal", users=1,
                      rate_per_day=rate_per_30_days / 30, mix={"own": 1.0, "state": 0.0, "national": 0.0},
                      cameras={"own": 1, "state": 1, "national": 1},
                      operators={"own": ("city",), "state": (), "national": ()},
                      target_share={"own": 1.0, "state": 0.0, "national": 0.0},
                      purposes=tuple(purposes or [SearchPurpose()]))


@pytest.mark.parametrize("times, retention, fleet, exposed_days", [
    ([0.0], 60.0, 1.0, 30.0),          # read at once, kept past the log's 30 days: exposed all 30
    ([10.0], 5.0, 1.0, 5.0),           # read on day 10, kept 5 days
    ([10.0, 12.0], 5.0, 1.0, 7.0),     # two reads, kept 5 days each: days 10-17
    ([10.0, 12.0], 5.0, 4.0, 7.0),     # the same, one car of a fleet of four: a quarter of the searches seek it
    ([28.0], 5.0, 1.0, 2.0),           # the log ends two days after the read
    ([31.0], 5.0, 1.0, 0.0),           # read after the log ends
])
def test_the_chance_a_read_is_returned_by_hand(times, retention, fleet, exposed_days):
    """One car, an agency searching its own cameras 0.03 times in 30 days (0.001 a day) for a plate of a fleet
    of ``fleet``: the chance in 30 days is 1 − exp(−0.001 × exposed days / fleet)."""
    reads = _one_car(times, retention, fleet)
    chance = chance_returned([_own_only(0.03)], reads, 30 * DAY_S, np.array([0]))
    assert chance[0] == pytest.approx(1 - math.exp(-0.001 * exposed_days / fleet), rel=1e-12, abs=1e-15)


def test_a_description_search_returns_each_match():
    reads = _one_car([0.0], 60.0, fleet_size=1000.0)
    plan = _own_only(3.0, [SearchPurpose(reason="described", target="description", match_share=0.2)])
    chance = chance_returned([plan], reads, 30 * DAY_S, np.array([0]))
    # 0.1 searches a day for 30 days, each matching the car with 0.2 (the fleet's size does not matter)
    assert chance[0] == pytest.approx(1 - math.exp(-0.1 * 30 * 0.2))


def test_the_poisson_interval_of_one_and_four():
    """Garwood's table: 1 count gives [0.0253, 5.572] (the lower end −ln(1 − 0.025)), 4 give [1.090, 10.242]."""
    assert poisson_interval(1) == [pytest.approx(-math.log(0.975)), pytest.approx(5.5716, abs=1e-4)]
    assert poisson_interval(4) == [pytest.approx(1.0899, abs=1e-4), pytest.approx(10.2416, abs=1e-4)]


def test_jurisdiction_of_each_kind_and_state():
    assert jurisdiction("out-of-state-police", None, "VA") == "out-of-state"
    assert jurisdiction("local-police", "VA", "VA") == "in-state"
    assert jurisdiction("sheriff", "TX", "VA") == "out-of-state"
    assert jurisdiction("federal", None, "VA") == "federal"


def test_who_reaches_the_state_pool_and_how_many_cameras_an_agency_owns():
    """A federal office without a state (the FBI) reaches the scenario's reads only nationally; an account on an
    operator without cameras in the layout owns none of them (so a search of its own covers ``own_cameras``);
    ``[[agencies]] users`` is each plan's, the Eugene log's 147 otherwise."""
    graph = access_graph([{"name": "city", "retention_days": 30}, {"name": "empty", "retention_days": 30}],
                         [{"name": "empty-pd", "kind": "local-police", "access": ["empty"]},
                          {"name": "FBI", "kind": "federal", "access": ["pool"]}],
                         [{"from": "city", "to": "pool"}])
    agencies = [Agency(name="empty-pd", users=5), Agency(name="FBI", kind="federal")]
    reach = {a.name: visible_operators(graph, a.name) for a in agencies}
    layout = pd.DataFrame({"camera_id": ["c0", "c1"], "operator": "city"})
    spec = Searches(state="VA", own_cameras=7)
    plans = {p.agency: p for p in plan_searches(spec, agencies, {"empty-pd"}, graph, reach, layout)}
    fbi, empty = plans["FBI"], plans["empty-pd"]
    assert [r for r in ("own", "state", "national") if fbi.reaches(r)] == ["national"]
    assert fbi.target_share == pytest.approx({"own": 0.0, "state": 0.0, "national": 2 / 85185})
    assert empty.operators["own"] == ("empty",) and empty.cameras["own"] == 7
    assert empty.target_share == {"own": 0.0, "state": 0.0, "national": 0.0}
    assert (empty.users, fbi.users) == (5, EUGENE_USERS)


def test_an_override_of_rate_zero_and_of_the_reach_mix():
    spec = Searches(state="VA", reach={"own": 1, "state": 1, "national": 2},
                    overrides=[{"agency": "city-pd", "rate_per_30_days": 0},
                               {"kind": "federal", "reach": {"national": 1}}])
    plans = _plans(spec)
    assert plans["city-pd"].rate_per_day == 0.0 and plans["city-pd"].per_day_reaching == 0.0
    assert plans["Next Town VA PD"].mix == {"own": 0.25, "state": 0.25, "national": 0.5}
    assert plans["Fort Eustis VA US Army"].mix == {"own": 0.0, "state": 0.0, "national": 1.0}


def _three_cars() -> SearchReads:
    """Car 0: read by "city" on days 0, 2 and 3.5; car 1: by "city" on day 1 and by "other" on day 6; car 2:
    by "city" on day 0. "city" keeps reads 3 days, "other" 10."""
    days = [0.0, 2.0, 3.5, 1.0, 6.0, 0.0]
    return SearchReads(vehicle=np.array([0, 0, 0, 1, 1, 2]), time_s=np.array(days) * DAY_S,
                       operator=np.array(["city", "city", "city", "city", "other", "city"], dtype=object),
                       retention_s=np.array([3, 3, 3, 3, 10, 3], dtype=float) * DAY_S, fleet=np.array([0, 1, 2]),
                       fleet_size=3.0)


def test_which_reads_a_search_returns():
    """A read is returned from the moment it is made to the end of its retention, both included, and only by a
    search over its operator."""
    reads = _three_cars()
    city = ("city",)
    assert reads.returned(0, city, 0.0) == 1                       # the day-0 read, at once
    assert reads.returned(0, city, 3 * DAY_S) == 2                 # day 0's on its last day, and day 2's
    assert reads.returned(0, city, 5.5 * DAY_S) == 1               # only day 3.5's is still kept
    assert reads.returned(1, city, 2 * DAY_S) == 1                 # car 1's only, not car 2's
    assert reads.returned(1, city, 7 * DAY_S) == 0                 # day 1's expired, day 6's is "other"'s
    assert reads.returned(1, ("other",), 7 * DAY_S) == 1
    assert reads.returned(1, ("city", "other"), 3.5 * DAY_S) == 1
    assert reads.returned(2, city, 1 * DAY_S) == 1


def test_how_long_each_cars_reads_can_be_found():
    """Union of each car's [read, read + retention] within the log, in seconds: car 0 over "city" to day 4 is
    [0, 3] ∪ [2, 4] ∪ [3.5, 4] = 4 days (the day-3.5 read adds nothing); car 1 [1, 4] = 3; car 2 [0, 3] = 3 (a
    new car starts afresh). Over both operators to day 10: car 0 [0, 6.5], car 1 [1, 4] ∪ [6, 10] = 7."""
    reads = _three_cars()
    assert reads.exposure_s(("city",), 4 * DAY_S).to_dict() == {0: 4 * DAY_S, 1: 3 * DAY_S, 2: 3 * DAY_S}
    both = reads.exposure_s(("city", "other"), 10 * DAY_S).to_dict()
    assert both == {0: 6.5 * DAY_S, 1: 7 * DAY_S, 2: 3 * DAY_S}
    assert reads.exposure_s(("nobody",), 10 * DAY_S).empty


def test_search_reads_of_a_run():
    """Only reads with the plate read right and a camera of the layout; sorted by car and time; each with its
    operator's retention in seconds; the fleet is every car that drove, and stands for fleet ÷ sample share."""
    reads = pd.DataFrame({"vehicle_id": [1, 0, 0, 1, 2, 0], "plate_read": ["B", "A", "A?", "B", "C", "A"],
                          "time_s": [50.0, 30.0, 10.0, 20.0, 5.0, 40.0]})
    trips = pd.DataFrame({"vehicle_id": [0, 1, 2, 3, 0], "plate": ["A", "B", "C", "D", "A"]})
    layout = pd.DataFrame({"camera_id": ["c0", "c1"], "operator": ["city", "county"]})
    camera_row = np.array([0, 1, 1, -1, 0, 0])
    got = SearchReads.of_run(reads, trips, layout, camera_row, {"city": 30, "county": 2})
    assert got.vehicle.tolist() == [0, 0, 1, 2]
    assert got.time_s.tolist() == [30.0, 40.0, 50.0, 5.0]
    assert got.operator.tolist() == ["county", "city", "city", "city"]
    assert got.retention_s.tolist() == [2 * DAY_S, 30 * DAY_S, 30 * DAY_S, 30 * DAY_S]
    assert got.fleet.tolist() == [0, 1, 2, 3] and got.fleet_size == 4.0
    assert SearchReads.of_run(reads, trips, layout, camera_row, {"city": 30, "county": 2}, 0.5).fleet_size == 8.0


def test_the_chance_with_two_purposes_and_a_reach_mix():
    """Half the searches own, half national (which misses the car); purposes weighted 3 : 1, a plate of a fleet
    of 4 and a description matching 0.2: 3 searches a day × 0.5 × (0.75 / 4 + 0.25 × 0.2) per day exposed."""
    reads = _one_car([0.0], 60.0, fleet_size=4.0)
    plan = SearchPlan(agency="a", kind="k", jurisdiction="in-state", users=1, rate_per_day=3.0,
                      mix={"own": 0.5, "state": 0.0, "national": 0.5}, cameras={"own": 1, "state": 1, "national": 1},
                      operators={"own": ("city",), "state": (), "national": ()},
                      target_share={"own": 1.0, "state": 0.0, "national": 0.0},
                      purposes=(SearchPurpose(reason="plate", share=3.0),
                                SearchPurpose(reason="described", share=1.0, target="description", match_share=0.2)))
    chance = chance_returned([plan], reads, 10 * DAY_S, np.array([0, 5]))
    assert chance.tolist() == [pytest.approx(1 - math.exp(-3 * 0.5 * (0.75 / 4 + 0.25 * 0.2) * 10)), 0.0]


def test_search_metrics_of_a_hand_log():
    """Four agencies (see ``_plans``), a hand-written log of 5 searches over 10 days and three cars."""
    spec = Searches(state="VA", days=10, rate_per_30_days=60, reach={"own": 2, "national": 2}, national_cameras=1000,
                    overrides=[{"kind": "federal", "rate_per_30_days": 30},
                               {"agency": "Next Town VA PD", "rate_per_30_days": 0}])
    plans = _plans(spec)
    # per day reaching the reads: city-pd 2 (all its searches), Next Town 0 (rate 0), Dallas 2 × 0.5 (national
    # only), Fort Eustis 1 × 0.5 (national; the state pool gets no searches here)
    log = pd.DataFrame({"agency": ["city-pd", "city-pd", "Dallas TX PD", "Dallas TX PD", "Fort Eustis VA US Army"],
                        "kind": ["local-police", "local-police", "local-police", "local-police", "federal"],
                        "jurisdiction": ["in-state", "in-state", "out-of-state", "out-of-state", "federal"],
                        "reached_scenario": [True, True, True, False, True], "reads_returned": [3, 0, 2, 0, 1]})
    reads = SearchReads(vehicle=np.array([0, 1]), time_s=np.array([0.0, 5 * DAY_S]),
                        operator=np.array(["city", "city"], dtype=object), retention_s=np.full(2, 30 * DAY_S),
                        fleet=np.array([0, 1, 2]), fleet_size=3.0)
    m = search_metrics(list(plans.values()), log, spec, reads, np.array([0, 1, 2]))
    assert m["assumptions"] == {
        "state": "VA", "days": 10, "rate_per_30_days": 60.0, "reach": {"own": 0.5, "state": 0.0, "national": 0.5},
        "own_cameras": 12, "state_pool_cameras": 2683, "national_cameras": 1000, "fleet_size": 3.0,
        "purposes": [{"reason": "investigation", "share": 1.0, "target": "plate", "match_share": 0.0}],
        "overrides": [{"kind": "federal", "rate_per_30_days": 30.0},
                      {"agency": "Next Town VA PD", "rate_per_30_days": 0.0}]}
    assert (m["n_agencies"], m["n_agencies_reaching"], m["n_searches"], m["log_reads_returned"]) == (4, 3, 5, 6)

    def rate(expected: float, count: int, ci: list[float]) -> dict:
        return {"expected_per_day": pytest.approx(expected), "log_searches": count, "log_per_day": count / 10,
                "log_per_day_ci": pytest.approx([v / 10 for v in ci], abs=1e-5)}
    # Garwood's exact 95 % interval of a Poisson count (published tables)
    garwood = {1: [0.025318, 5.571643], 2: [0.242209, 7.224688], 3: [0.618672, 8.767273], 4: [1.089865, 10.241589]}
    assert m["reaching_scenario"] == rate(3.5, 4, garwood[4])
    assert m["by_jurisdiction"] == {"in-state": rate(2.0, 2, garwood[2]), "out-of-state": rate(1.0, 1, garwood[1]),
                                    "federal": rate(0.5, 1, garwood[1])}
    assert m["by_kind"] == {"federal": rate(0.5, 1, garwood[1]), "local-police": rate(3.0, 3, garwood[3])}
    assert m["by_agency"] == {
        "city-pd": {"jurisdiction": "in-state", "kind": "local-police", "expected_per_30_days": pytest.approx(60.0),
                    "log_searches": 2, "reaches": ["own", "state", "national"]},
        "Next Town VA PD": {"jurisdiction": "in-state", "kind": "local-police", "expected_per_30_days": 0.0,
                            "log_searches": 0, "reaches": ["state", "national"]},
        "Dallas TX PD": {"jurisdiction": "out-of-state", "kind": "local-police",
                         "expected_per_30_days": pytest.approx(30.0), "log_searches": 1, "reaches": ["national"]},
        "Fort Eustis VA US Army": {"jurisdiction": "federal", "kind": "federal",
                                   "expected_per_30_days": pytest.approx(15.0), "log_searches": 1,
                                   "reaches": ["state", "national"]}}
    # per day a car is exposed, each reaching search seeks it with target share / fleet of 3: city-pd 2 × 0.5 ×
    # (1 + 10 / 1000) own and national; Dallas 2 × 0.5 × 0.01; Fort Eustis 1 × 0.5 × 0.01. Car 0 is exposed
    # the 10 days, car 1 the last 5, car 2 never.
    per_day = {"in_state": 1.01 / 3, "out_of_state": 0.01 / 3, "federal": 0.005 / 3}
    per_day["out_of_state_or_federal"] = per_day["out_of_state"] + per_day["federal"]
    chance = m["chance_resident_read_returned"]
    assert chance["n_residents"] == 3
    for name, rate_per_day in per_day.items():
        expected = (1 - math.exp(-rate_per_day * 10) + 1 - math.exp(-rate_per_day * 5)) / 3
        assert chance[name] == pytest.approx(expected, rel=1e-9), name
        assert chance[f"{name}_n"] == 3 and chance[f"share_exposed_{name}_n"] == 3
        low, high = chance[f"{name}_ci"]
        assert low < chance[name] < high
        assert chance[f"share_exposed_{name}"] == pytest.approx(2 / 3)
        assert len(chance[f"share_exposed_{name}_ci"]) == 2


class Quantiles:
    """A stand-in for ``np.random.Generator`` whose draws are given: each is the inverse CDF of the next of
    ``q`` (a Poisson count is its mean), so that a log drawn with it can be worked out by hand. Like numpy's,
    ``choice`` refuses probabilities that do not sum to 1."""

    def __init__(self, q: list[float]):
        self.q, self.means = list(q), []

    def _next(self, size):
        out = np.array([self.q.pop(0) for _ in range(1 if size is None else size)])
        return out if size is not None else out[0]

    def poisson(self, mean):
        self.means.append(mean)
        return round(mean)

    def uniform(self, low, high, size):
        return low + (high - low) * self._next(size)

    def choice(self, n, size, p):
        assert len(p) == n and min(p) >= 0 and sum(p) == pytest.approx(1.0)
        return np.searchsorted(np.cumsum(p), self._next(size), side="right")

    def integers(self, low, high, size=None):
        return low + np.floor(self._next(size) * (high - low)).astype(int)

    def random(self, size=None):
        return self._next(size)


def _plan(agency: str, rate_per_day: float, mix: dict[str, float], operators: dict[str, tuple[str, ...]],
          purposes: tuple[SearchPurpose, ...], users: int = 1, target_share: float = 1.0) -> SearchPlan:
    return SearchPlan(agency=agency, kind="local-police", jurisdiction="in-state", users=users,
                      rate_per_day=rate_per_day, mix=mix, cameras={"own": 10, "state": 2683, "national": 85185},
                      operators=operators, target_share={r: target_share for r in ("own", "state", "national")},
                      purposes=purposes)


def test_a_log_drawn_by_hand():
    """Agency a: 2 searches a day for 2 days (4), at 0.75, 0.25, 0.5 and 0.125 of the 2 days, reaching own,
    national, national, own (mix 0.5 / 0 / 0.5), for theft, stolen, stolen, theft (weights 1 : 3), by users 1,
    2, 3, 2 of 3; agency b: one search at 0.375 of the log, of the state pool. Sorted by time: the log."""
    a = _plan("a", 2.0, {"own": 0.5, "state": 0.0, "national": 0.5},
              {"own": ("city",), "state": ("city",), "national": ()},
              (SearchPurpose(reason="theft", share=1.0), SearchPurpose(reason="stolen", share=3.0)), users=3)
    b = _plan("b", 0.5, {"own": 0.0, "state": 1.0, "national": 0.0},
              {"own": (), "state": ("city",), "national": ("city",)}, (SearchPurpose(reason="hotlist"),))
    rng = Quantiles([0.75, 0.25, 0.5, 0.125, 0.1, 0.9, 0.6, 0.3, 0.2, 0.5, 0.9, 0.1, 0.0, 0.5, 0.99, 0.4,
                     0.375, 0.7, 0.3, 0.5])
    log = simulate_log([a, b], 2, "2025-03-01", rng)
    assert rng.means == [4.0, 1.0] and rng.q == []
    assert list(log.columns) == ["id", "userId", "searchDate", "cameraCount", "reason", "agency", "kind",
                                 "jurisdiction", "reach", "reached_scenario", "reads_returned", "vehicles_returned"]
    assert log["id"].tolist() == [f"search-00000{i}" for i in range(1, 6)]
    assert log["searchDate"].tolist() == ["2025-03-01 06:00:00.000", "2025-03-01 12:00:00.000",
                                          "2025-03-01 18:00:00.000", "2025-03-02 00:00:00.000",
                                          "2025-03-02 12:00:00.000"]
    assert log["agency"].tolist() == ["a", "a", "b", "a", "a"]
    assert log["userId"].tolist() == ["a#1", "a#2", "b#1", "a#3", "a#2"]
    assert log["reach"].tolist() == ["own", "national", "state", "national", "own"]
    assert log["cameraCount"].tolist() == [10, 85185, 2683, 85185, 10]
    assert log["reason"].tolist() == ["theft", "stolen", "hotlist", "stolen", "theft"]
    assert log["reached_scenario"].tolist() == [True, False, True, False, True]
    assert (log["kind"] == "local-police").all() and (log["jurisdiction"] == "in-state").all()
    assert (log["reads_returned"] == 0).all() and (log["vehicles_returned"] == 0).all()  # no reads given
    # a start with a time zone: the log's times are its wall-clock times
    rng = Quantiles([0.5, 0.0, 0.0, 0.0])
    log = simulate_log([b], 2, "2025-03-01T08:30:00-05:00", rng)
    assert log["searchDate"].tolist() == ["2025-03-02 08:30:00.000"]


def test_what_each_search_returns_by_hand():
    """7 searches of agency p over 3 days, one every 3/8 of a day (own cameras: "city"; national: none): a
    description matching every car, then plate searches finding the car sought with target share 0.5 among a
    fleet of 3 simulated cars standing for 4. Cars as in ``_three_cars`` (retention 3 days)."""
    reads = dataclasses.replace(_three_cars(), fleet_size=4.0)
    p = _plan("p", 7 / 3, {"own": 0.5, "state": 0.0, "national": 0.5}, {"own": ("city",), "state": (), "national": ()},
              (SearchPurpose(reason="plate", share=6.0),
               SearchPurpose(reason="description", share=1.0, target="description", match_share=0.5)),
              target_share=0.5)
    times = [1, 2, 3, 4, 5, 6, 7]                   # eighths of the 3 days
    reach = [0.1, 0.1, 0.9, 0.1, 0.1, 0.1, 0.1]     # own but the third, national
    purpose = [0.99] + [0.1] * 6                    # a description, then plates
    user = [0.0] * 7
    searches = [
        [0.1, 0.2, 0.3],     # day 0.375: the description matches all three: the day-0 reads of cars 0 and 2
        [0.2, 0.3],          # day 0.75: car 1 (k = 1), not read before day 1
        [],                  # national: it covers none of the scenario's cameras
        [0.6],               # the car sought is elsewhere (0.6 ≥ target share 0.5)
        [0.2, 0.9],          # a car of the 4 that were not simulated (k = 3)
        [0.2, 0.1],          # day 2.25: car 0, its reads of days 0 and 2
        [0.4, 0.6],          # day 2.625: car 2, its day-0 read
    ]
    rng = Quantiles([t / 8 for t in times] + reach + purpose + user + [q for s in searches for q in s])
    log = simulate_log([p], 3, "2025-03-01", rng, reads)
    assert rng.q == []
    assert log["reached_scenario"].tolist() == [True, True, False, True, True, True, True]
    assert log["reads_returned"].tolist() == [2, 0, 0, 0, 0, 2, 1]
    assert log["vehicles_returned"].tolist() == [2, 0, 0, 0, 0, 1, 1]


def test_a_plate_search_of_a_fleet_of_one_finds_its_car():
    """A run of one car standing for itself: every plate search that picks the scenario's fleet picks that car
    (the car is drawn from a fleet of 1, whatever the draw)."""
    reads = _one_car([0.0], 30.0, fleet_size=1.0)
    rng = Quantiles([0.5, 0.0, 0.0, 0.0, 0.2, 0.75])  # one search at mid-day, own, the fleet's (0.2 < 1), car 0
    log = simulate_log([_own_only(30.0)], 1, "2025-03-01", rng, reads)
    assert rng.q == [] and log["reads_returned"].tolist() == [1] and log["vehicles_returned"].tolist() == [1]


def test_a_reach_without_the_scenarios_cameras_finds_nothing():
    """An agency's own searches covering an operator of the scenario that has no camera in it (target share 0):
    the hazard of its other reaches is 0, and a plate search of it finds nothing, drawing no car."""
    plan = dataclasses.replace(_own_only(30.0), target_share={"own": 0.0, "state": 0.0, "national": 0.0})
    assert [hazard_per_s(plan, r, 1.0) for r in ("state", "national")] == [0.0, 0.0]
    rng = Quantiles([0.5, 0.0, 0.0, 0.0, 0.5])  # one search at mid-day, own; the fleet's with chance 0
    log = simulate_log([plan], 1, "2025-03-01", rng, _one_car([0.0], 30.0))
    assert rng.q == [] and log["reads_returned"].tolist() == [0]


def test_an_agency_searching_once_a_second():
    """86,400 plate searches a day of its own cameras, the car the only one: a hazard of 1 a second, so a car
    whose read is kept 10 s is returned with chance 1 − e^(−10)."""
    plan = _own_only(30 * 86_400.0)
    assert hazard_per_s(plan, "own", 1.0) == 1.0
    reads = SearchReads(vehicle=np.array([0]), time_s=np.array([0.0]), operator=np.array(["city"], dtype=object),
                        retention_s=np.array([10.0]), fleet=np.array([0]), fleet_size=1.0)
    assert chance_returned([plan], reads, DAY_S, np.array([0]))[0] == pytest.approx(1 - math.exp(-10))


def test_simulated_logs_return_a_read_as_often_as_the_chance_says():
    """The realised logs draw targets one search at a time; over 2,000 logs the share that returned the car's
    read matches the closed form (a check of one path against the other, within 4 standard errors)."""
    reads = _one_car([5.0], 10.0, fleet_size=3.0)  # exposed days 5-15, one of three cars
    plan = _own_only(6.0)  # 0.2 a day
    expected = chance_returned([plan], reads, 30 * DAY_S, np.array([0]))[0]
    assert expected == pytest.approx(1 - math.exp(-0.2 * 10 / 3))
    rng = np.random.default_rng(11)
    hits = [simulate_log([plan], 30, "2025-01-01", rng, reads)["reads_returned"].gt(0).any() for _ in range(2000)]
    se = math.sqrt(expected * (1 - expected) / 2000)
    assert abs(np.mean(hits) - expected) < 4 * se


def test_the_poisson_interval_is_garwoods():
    """The exact interval's ends: for 0 counts the upper end is −ln(0.025) = 3.689; for 10, the χ² quantiles
    (a published table: 4.795, 18.39)."""
    assert poisson_interval(0) == [0.0, pytest.approx(-math.log(0.025))]
    low, high = poisson_interval(10)
    assert low == pytest.approx(4.7954, abs=1e-4) and high == pytest.approx(18.3904, abs=1e-4)


def test_jurisdiction_rules():
    assert jurisdiction("federal-immigration", "VA", "VA") == "federal"
    assert jurisdiction("local-police", None, "VA") == "in-state"
    assert jurisdiction("state-police", "NY", "VA") == "out-of-state"


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("searches")
    (folder / "toy.toml").write_text(TOY)
    out = folder / "run"
    sim = run_scenario(load_scenario(folder / "toy.toml"), out)
    return out, sim.metrics


def test_a_run_writes_its_searches_and_curtain_audit_reads_them(toy_run, tmp_path):
    out, metrics = toy_run
    log = pd.read_csv(out / "searches.csv")
    searches = metrics["searches"]
    assert searches["n_searches"] == len(log)
    reached = log[log["reached_scenario"]]
    assert searches["reaching_scenario"]["log_searches"] == len(reached)
    assert sum(v["log_searches"] for v in searches["by_jurisdiction"].values()) == len(reached)
    # ICE and Houston see the reads only through the national pool: every search of theirs that reached the
    # scenario's reads covered the national network
    outside = reached[reached["agency"].isin(["ICE", "Houston TX PD"])]
    assert (outside["cameraCount"] == EUGENE_NATIONAL_CAMERAS).all()
    # 3 agencies × 138 in 30 days, over 20 days: 276 expected; a Poisson count within 4 sd
    assert abs(len(log) - 276) < 4 * math.sqrt(276)
    result = CliRunner().invoke(app, ["audit", str(out / "searches.csv"), "-o", str(tmp_path / "audit")])
    assert result.exit_code == 0, result.output
    audit = pd.read_json(tmp_path / "audit" / "metrics.json", typ="series")
    assert audit["n_searches"] == len(log)
    assert audit["share_searches_national"] == pytest.approx((log["cameraCount"] > 50_000).mean())
    assert audit["n_users"] == log["userId"].nunique()


def test_the_chance_per_resident_is_the_mean_of_the_closed_form(toy_run):
    out, metrics = toy_run
    chance = metrics["searches"]["chance_resident_read_returned"]
    # in this toy the outside agencies search nationally: 138 / 30 × 0.0105 a day, each for the scenario's cars
    # with chance 10 cameras / 85,185; a car read on day 1 is exposed ≤ 20 days of a fleet of 150 cars
    ceiling = 1 - math.exp(-2 * 138 / 30 * EUGENE_REACH_COUNTS["national"] / 4294 * 10 / 85185 * 20 / 150)
    assert 0 < chance["out_of_state_or_federal"] < ceiling
    assert chance["out_of_state_or_federal_n"] == chance["n_residents"] == 150
    low, high = chance["out_of_state_or_federal_ci"]
    assert low <= chance["out_of_state_or_federal"] <= high
    assert chance["in_state"] > 100 * chance["out_of_state_or_federal"]


def test_same_seed_same_searches(toy_run, tmp_path):
    out, _ = toy_run
    again = tmp_path / "again"
    run_scenario(load_scenario(out / "scenario.toml"), again)
    assert (again / "searches.csv").read_bytes() == (out / "searches.csv").read_bytes()


@pytest.mark.parametrize("change, message", [
    ('state = "VA"', "two-letter"),
    ("days = 20", "match_share"),
])
def test_bad_searches_say_what_to_fix(tmp_path, change, message):
    bad = {"two-letter": TOY.replace(change, 'state = "Virginia"'),
           "match_share": TOY.replace(change, 'days = 20\n[[searches.purposes]]\nreason = "x"\ntarget = "description"')}
    (tmp_path / "bad.toml").write_text(bad[message])
    with pytest.raises(ScenarioError, match=message):
        load_scenario(tmp_path / "bad.toml")


def test_searches_without_agencies_is_refused(tmp_path):
    text = TOY.split("[[operators]]")[0].replace('operator = "city"\n', "") + '[searches]\nstate = "VA"\n'
    (tmp_path / "none.toml").write_text(text)
    with pytest.raises(ScenarioError, match="declares none"):
        run_scenario(load_scenario(tmp_path / "none.toml"), tmp_path / "out")


def test_the_report_and_the_command_line_say_what_the_searches_model_found(toy_run, tmp_path):
    out, metrics = toy_run
    report = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    assert "Who looks: simulated searches" in report
    searches = metrics["searches"]
    per_day = searches["reaching_scenario"]["expected_per_day"]
    assert f"{per_day:.2g} a day reach the scenario's cameras" in report
    assert f"{searches['reaching_scenario']['log_searches']:,}" in report
    (tmp_path / "toy.toml").write_text(TOY)
    result = CliRunner().invoke(app, ["run", str(tmp_path / "toy.toml"), "-o", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert "Simulated searches (138 per agency per 30 days" in result.output
    assert "Over 20 days, the chance that such an agency's search returns a read" in result.output


def test_a_sharing_lists_agencies_alike_are_one_row_of_the_report():
    """Eleven agencies that see every read through one operator, differing only in their names, are one row that
    names them all; an agency seeing the reads another way keeps a row of its own."""
    from sim.report import render_report

    alike = {f"Town {i} VA PD": {"share_reads_visible": 1.0, "share_trips_reconstructable": 0.25,
                                  "share_trips_reconstructable_ci": [0.2, 0.3],
                                  "paths": {"city": ["city", f"Town {i} VA PD"]}} for i in range(11)}
    other = {"share_reads_visible": 1.0, "share_trips_reconstructable": 0.25,
             "share_trips_reconstructable_ci": [0.2, 0.3], "paths": {"city": ["city", "pool", "ICE"]}}
    page = html.unescape(render_report({"agencies": alike | {"ICE": other}}, "", [], "t"))
    section = page.split("Who can see the reads", 1)[1].split("</table>", 1)[0]
    assert section.count("<tr>") == 3  # the header, the eleven, ICE
    assert "11 agencies alike (Town 0 VA PD, Town 1 VA PD, …)" in section
    assert all(f"Town {i} VA PD" in section for i in range(11))
    assert "city → each of them" in section and "city → pool → ICE" in section


def test_an_override_for_no_agency_of_the_scenario_is_refused(tmp_path):
    (tmp_path / "typo.toml").write_text(TOY.replace("days = 20", 'days = 20\n[[searches.overrides]]\nagency = "ICF"'))
    with pytest.raises(ScenarioError, match=r"overrides\[0\].agency = 'ICF' is no agency .* did you mean 'ICE'"):
        run_scenario(load_scenario(tmp_path / "typo.toml"), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_agencies_alike_in_a_small_group_each_show_their_own_access_path():
    """Three agencies reached through the same pool, differing in their last step, are a group of three: each
    has its own row, and each row its own path (the group's first path was shown for all three)."""
    from sim.report import render_report

    alike = {name: {"share_reads_visible": 1.0, "share_trips_reconstructable": 0.25,
                    "share_trips_reconstructable_ci": [0.2, 0.3], "paths": {"city": ["city", "state-pool", name]}}
             for name in ("state-fusion-center", "out-of-state-police", "ICE")}
    page = html.unescape(render_report({"agencies": alike}, "", [], "t"))
    rows = page.split("Who can see the reads", 1)[1].split("</table>", 1)[0].split("<tr>")[2:]
    assert len(rows) == 3
    for name, row in zip(alike, rows):
        assert f"<td>{name}</td>" in row and f"city → state-pool → {name}" in row



def test_a_tiny_chance_is_printed_in_decimals_not_with_an_exponent():
    """Norfolk's chance that a beyond-the-state search returns a resident's read is about 2e-7: the sentence says
    0.0000203 %, as its docstring promises, not 2.03e-05 %."""
    m = {"assumptions": {"rate_per_30_days": 138, "days": 30}, "reaching_scenario": {"expected_per_day": 4.7},
         "by_jurisdiction": {k: {"expected_per_day": 0.05} for k in ("in-state", "out-of-state", "federal")},
         "by_agency": {},
         "chance_resident_read_returned": {"out_of_state_or_federal": 2.03e-07, "out_of_state_or_federal_n": 197_500,
                                           "out_of_state_or_federal_ci": [2.02e-07, 2.04e-07]}}
    chance = searches_sentences(m)[-1]
    assert "is 0.0000203 % (95 % interval 0.0000202 %–0.0000204 %; 197,500 resident vehicles)" in chance, chance
