"""The simulated-search model (`[searches]`, sim.searches): its defaults are the published figures they name,
its rules on who reaches the reads hold on hand cases, its chance per resident equals a hand computation and
what its own simulated logs show, and `curtain audit` reads its log as it reads a real one."""

from __future__ import annotations

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
from sim.searches import (SearchPlan, SearchReads, chance_returned, jurisdiction, plan_searches, poisson_interval,
                          simulate_log)
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
