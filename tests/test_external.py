"""Traffic from outside: in-commuters and through traffic enter by the gateways, sized by their shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import ScenarioError, load_scenario, simulate_scenario
from sim.checks import check_scenario
from sim.demand import population_trips
from sim.external import gateway_nodes
from sim.generators import county_network, grid_network

POP = ["network.rows=13", "network.cols=13", "network.arterial_every=6", "demand.model='population'",
       "demand.vehicles=300", "demand.days=7", "demand.zone_km=0.5", "cameras.count=10",
       "metrics.pair_samples=20"]


@pytest.fixture(scope="module")
def net():
    return grid_network(13, 13, arterial_every=6, rng=np.random.default_rng(2))


def test_gateways_are_where_the_biggest_inward_roads_meet_the_edge():
    """A county's motorways leave it at the edge: its gateways are motorway ends there, and nothing else."""
    county = county_network(4, size_km=20, town_rows=5, town_cols=5, highway_km=8, rng=np.random.default_rng(1))
    gates = gateway_nodes(county)
    g = county.graph
    x, y = county.x, county.y
    span = max(x.max() - x.min(), y.max() - y.min())
    for n in gates:
        node = county.nodes[n]
        assert {d["highway"] for *_, d in g.out_edges(node, data=True)} & {"motorway"}
        # on the edge: near the bounding box (the county is a square)
        assert min(x[n] - x.min(), x.max() - x[n], y[n] - y.min(), y.max() - y[n]) < 0.03 * span
    assert len(gates) >= 4


def test_in_commuters_hold_their_share_of_the_jobs_and_come_in_on_weekdays(net):
    days, share = 7, 0.6
    trips, persons = population_trips(net, 400, days, np.random.default_rng(5), zone_km=0.5, first_weekday=0,
                                      in_commuter_share=share)
    residents = persons[persons["kind"] == "resident"]
    incoming = persons[persons["kind"] == "in-commuter"]
    workers = int(residents["worker"].sum())
    # jobs in the area: residents' and in-commuters'; the outsiders' share is the one asked for (rounded)
    assert len(incoming) == round(workers * share / (1 - share))
    assert abs(len(incoming) / (len(incoming) + workers) - share) < 1 / workers
    gates = set(net.nodes[gateway_nodes(net)])
    theirs = trips[trips["vehicle_id"].isin(incoming["vehicle_id"])]
    assert len(theirs) == 2 * len(incoming) * 5  # in and out on each of five weekdays, none at the weekend
    assert (theirs["depart_s"] // 86_400).max() == 4
    first = theirs.sort_values("depart_s").groupby("vehicle_id").first()
    assert set(first["origin"]) <= gates
    assert set(incoming["home"]) <= gates
    # the residents are drawn first: the same with and without outsiders
    alone, alone_persons = population_trips(net, 400, days, np.random.default_rng(5), zone_km=0.5)
    mine = trips[trips["vehicle_id"] < 400].reset_index(drop=True)
    assert not mine["from_outside"].any() and not mine["to_outside"].any()  # no resident works outside here
    pd.testing.assert_frame_equal(mine.drop(columns=["trip_id", "from_outside", "to_outside"]),
                                  alone.drop(columns="trip_id"))
    # an in-commuter's morning trip comes from outside, its evening one goes back out
    ordered = theirs.sort_values(["vehicle_id", "depart_s"])
    morning = ordered.groupby(["vehicle_id", ordered["depart_s"] // 86_400]).cumcount().to_numpy() == 0
    assert ((ordered["from_outside"].to_numpy() == morning).all()
            and (ordered["to_outside"].to_numpy() == ~morning).all())
    assert (alone_persons["kind"] == "resident").all()


def test_through_traffic_crosses_from_one_gateway_to_another_once(net):
    trips, persons = population_trips(net, 400, 5, np.random.default_rng(6), zone_km=0.5, in_commuter_share=0.5,
                                      through_share=0.3)
    through = persons[persons["kind"] == "through"]
    gates = set(net.nodes[gateway_nodes(net)])
    theirs = trips[trips["vehicle_id"].isin(through["vehicle_id"])]
    assert len(theirs) == len(through) > 0  # one trip each: a new vehicle every time
    assert set(theirs["origin"]) <= gates and set(theirs["destination"]) <= gates
    assert (theirs["origin"] != theirs["destination"]).all()
    assert theirs["from_outside"].all() and theirs["to_outside"].all()
    # on average through_share / (1 - through_share) of the in-commuters entering each weekday
    entering = 5 * int((persons["kind"] == "in-commuter").sum())
    expected = entering * 0.3 / 0.7
    assert abs(len(through) - expected) < 4 * np.sqrt(expected)
    assert len(set(persons["plate"])) == len(persons)  # every vehicle its own plate


def test_visitors_come_in_stop_once_and_leave_by_the_same_gateway(net):
    days, share = 6, 0.2
    trips, persons = population_trips(net, 400, days, np.random.default_rng(8), zone_km=0.5, visitor_share=share)
    visitors = persons[persons["kind"] == "visitor"]
    expected = days * 400 * share  # a Poisson count per day
    assert abs(len(visitors) - expected) < 4 * np.sqrt(expected)
    gates = set(net.nodes[gateway_nodes(net)])
    theirs = trips[trips["vehicle_id"].isin(visitors["vehicle_id"])].sort_values(["vehicle_id", "depart_s"])
    assert len(theirs) == 2 * len(visitors)  # in to one place, back out
    come, go = theirs.iloc[::2], theirs.iloc[1::2]
    assert set(come["origin"]) <= gates and (come["destination"].to_numpy() == go["origin"].to_numpy()).all()
    assert (go["destination"].to_numpy() == come["origin"].to_numpy()).all()
    assert come["from_outside"].all() and not come["to_outside"].any() and go["to_outside"].all()
    stay = go["depart_s"].to_numpy() - come["depart_s"].to_numpy()
    assert stay.min() >= 1800 and stay.max() <= 3 * 3600
    hour = come["depart_s"].to_numpy() % 86_400 / 3600
    assert hour.min() >= 10 and hour.max() <= 19
    assert len(set(persons["plate"])) == len(persons)
    # the residents are the same with or without visitors
    alone, _ = population_trips(net, 400, days, np.random.default_rng(8), zone_km=0.5)
    pd.testing.assert_frame_equal(trips[trips["vehicle_id"] < 400].reset_index(drop=True).drop(
        columns=["trip_id", "from_outside", "to_outside"]), alone.drop(columns="trip_id"))


def test_the_share_of_trips_from_outside_is_counted_from_the_trips():
    sim = simulate_scenario(load_scenario(overrides=POP))
    m = sim.metrics
    persons = sim.tables["vehicles"]
    outsiders = set(persons.loc[persons["kind"] != "resident", "vehicle_id"])
    by_hand = sum(v in outsiders for v in sim.trips["vehicle_id"]) / len(sim.trips)
    assert m["share_trips_external"] == pytest.approx(by_hand, abs=1e-12)
    assert m["share_trips_external_n"] == len(sim.trips)
    lo, hi = m["share_trips_external_ci"]
    assert lo < by_hand < hi
    assert m["vehicles_by_kind"]["resident"] == 300 and m["vehicles_by_kind"]["in-commuter"] > 0
    none = simulate_scenario(load_scenario(overrides=POP + ["demand.in_commuter_share=0", "demand.through_share=0"]))
    assert none.metrics["share_trips_external"] == 0.0


@pytest.mark.parametrize("overrides, fragment", [
    (["demand.gateways=[0, 99999]"], "demand.gateways: node(s) 99999 are not in the road network"),
])
def test_bad_gateways_are_named(overrides, fragment):
    with pytest.raises(ScenarioError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        check_scenario(load_scenario(overrides=POP + overrides))


def test_outside_traffic_is_for_the_population_model_only():
    with pytest.raises(ScenarioError, match="in_commuter_share appl"):
        load_scenario(overrides=["demand.in_commuter_share=0.5"])


def test_residents_who_work_outside_leave_by_a_gateway_and_free_their_jobs_for_no_one(net):
    trips, persons = population_trips(net, 1000, 5, np.random.default_rng(8), zone_km=0.5, out_commuter_share=0.4,
                                      in_commuter_share=0.5)
    gates = set(net.nodes[gateway_nodes(net)])
    residents = persons[persons["kind"] == "resident"]
    leaving = residents[residents["works_outside"]]
    workers = residents[residents["worker"]]
    assert abs(len(leaving) / len(workers) - 0.4) < 3 * np.sqrt(0.24 / len(workers))
    assert set(leaving["work"]) <= gates and not (set(workers.loc[~workers["works_outside"], "work"]) & gates
                                                  - set(residents["home"]))
    # in-commuters fill the jobs inside: half of them, as asked
    inside = int((~workers["works_outside"]).sum())
    assert int((persons["kind"] == "in-commuter").sum()) == round(inside * 0.5 / 0.5)
    # each out-commuter drives to its gateway on weekday mornings
    out_trips = trips[trips["vehicle_id"].isin(leaving["vehicle_id"])]
    job = leaving.set_index("vehicle_id")["work"].reindex(out_trips["vehicle_id"]).to_numpy()
    assert (out_trips["to_outside"].to_numpy() == (out_trips["destination"].to_numpy() == job)).all()
    assert (out_trips["from_outside"].to_numpy() == (out_trips["origin"].to_numpy() == job)).all()
    assert out_trips["to_outside"].any()
    first = out_trips.sort_values("depart_s").groupby("vehicle_id")
    assert (first.first()["destination"].to_numpy() == leaving.set_index("vehicle_id")["work"].reindex(
        first.first().index).to_numpy()).mean() > 0.9  # the first trip of the week is to work (unless an errand)


def test_sightings_per_resident_day_counted_by_hand():
    """Percentiles over every resident-day, counted read by read in plain Python (no duplicates logged)."""
    sim = simulate_scenario(load_scenario(overrides=POP + ["cameras.count=30"]))
    persons = sim.tables["vehicles"]
    residents = persons.loc[persons["kind"] == "resident", "vehicle_id"].tolist()
    count = {(v, d): 0 for v in residents for d in range(7)}
    for vehicle, time_s in zip(sim.reads["vehicle_id"], sim.reads["time_s"]):
        if (vehicle, int(time_s // 86_400)) in count:
            count[(vehicle, int(time_s // 86_400))] += 1
    values = np.array(list(count.values()))
    table = sim.metrics["sightings_per_vehicle_day"]
    assert (table["of"], table["n_vehicles"], table["n_vehicle_days"]) == ("residents", 300, 2100)
    for q in (50, 75, 90, 99):
        assert table[f"p{q}"] == np.percentile(values, q)
    assert table["max"] == values.max() and table["mean"] == pytest.approx(values.mean())
    assert sim.metrics["share_vehicle_days_sighted"] == pytest.approx((values >= 1).mean())
    assert sim.metrics["share_vehicle_days_sighted_n"] == 2100


def test_the_report_shows_how_often_a_resident_is_read_in_a_day():
    from sim.report import render_report

    metrics = {"sightings_per_vehicle_day": {"of": "residents", "n_vehicles": 10, "n_vehicle_days": 70, "p50": 0.0,
                                             "p75": 1.0, "p90": 2.0, "p99": 5.0, "max": 6, "mean": 0.6857},
               "share_vehicle_days_sighted": 0.4}
    page = render_report(metrics, "", [], "t")
    assert "How often a vehicle is read in a day" in page and "over 70 resident-days (10 residents)" in page
    assert ("<td class=num>0</td><td class=num>1</td><td class=num>2</td><td class=num>5</td><td class=num>6</td>"
            "<td class=num>0.69</td>") in page
    assert "parked car" not in page  # (no patrol car: nothing is parked and read again)
    # with patrol-car readers, a parked car read again on each pass is said to be sighted again (helper-35: the
    # median car's 11 sightings a day in patrol-vs-fixed were mostly one parked car's)
    patrolled = render_report(metrics | {"n_patrol_cars": 4}, "", [], "t")
    assert "A parked car that a patrol car passes again is sighted again, once per pass" in patrolled
    assert "Of the patrol cars" not in patrolled  # (no fleet counts: no share made up)
    # helper-38: patrol-vs-fixed's cars read 4× a real patrol log's plates a day, 99 % of them parked cars: said
    counted = render_report(metrics | {"n_patrol_cars": 4, "fleets": {"mobile": {"n_reads": 51_643,
                                                                                 "n_parked_reads": 51_103}}},
                            "", [], "t")
    assert "Of the patrol cars' 51,643 reads, 51,103 (99%) are of parked cars." in counted
    assert "40.0% of days have at least one" in page
    assert "How often a vehicle is read" not in render_report({}, "", [], "t")
