"""The views of a run's reads (``sim/views.py``) against cases worked out by hand, written to catch the bugs a mutation
tester (``benchmarks/mutation.py`` on ``sim/views.py``) found the other tests let through: which person numbers an
agency's entry keeps, under ``person`` and nowhere else, over a run of two days of the population model (home and work
scored); an agency that sees every read; agencies that share one mask. Every expected key is written out here, never
taken from the module's own constants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, simulate_scenario
from sim.metrics.registry import RunContext, View
from sim.views import agency_metrics, make_view, stack_views

SCENARIO = '''name = "views"
seed = 5
[network]
source = "synthetic"
kind = "grid"
rows = 6
cols = 6
block_m = 200.0
[cameras]
strategy = "betweenness"
count = 10
read_rate = 1.0
operator = "city"
[demand]
model = "population"
vehicles = 60
days = 2
zone_km = 0.5
[metrics]
pair_samples = 20
[[operators]]
name = "city"
retention_days = 1
[[agencies]]
name = "police"
access = ["city"]
users = 3
[[agencies]]
name = "sheriff"
kind = "sheriff"
access = ["city"]
'''

#: what an agency's ``person`` holds: uniqueness of 2 points, home and work, each with ``_n``, ``_ci`` and (when it
#: is None) ``_reason``; the median errors and the counts scored
PERSON = {"uniqueness_k2", "uniqueness_k2_n", "uniqueness_k2_ci", "uniqueness_k2_reason",
          "home_inference_accuracy", "home_inference_accuracy_n", "home_inference_accuracy_ci",
          "home_inference_accuracy_reason", "work_inference_accuracy", "work_inference_accuracy_n",
          "work_inference_accuracy_ci", "work_inference_accuracy_reason",
          "home_error_m_median", "n_vehicles_scored", "work_error_m_median", "n_workers_scored"}
#: an agency's other keys: who it is, what it sees, its trips and long trips (no person number among them)
TOP = {"kind", "users", "paths", "person", "share_reads_visible", "share_reads_visible_n", "share_reads_visible_ci",
       "share_reads_visible_ci_reason", "share_trips_reconstructable", "share_trips_reconstructable_n",
       "share_trips_reconstructable_ci", "route_recall_mean", "route_recall_mean_n", "route_recall_mean_ci",
       "long_trips"}


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    """A 6 × 6 grid, 60 vehicles of the population model over two days, 10 cameras of one operator (the city) kept
    one day: searched at the end of the run, the police and the sheriff (both on the city's cameras) see the reads
    of the last day, about half of them, through one shared mask."""
    path = tmp_path_factory.mktemp("views") / "views.toml"
    path.write_text(SCENARIO)
    return simulate_scenario(load_scenario(path))


def test_an_agency_keeps_its_person_numbers_under_person_only(town):
    """The run scores home and work (two days, workers known), so every key of the list is there; an agency's
    view keeps the ones of its view, under ``person``, and none at its top level. The uniqueness of two points has a
    value in this view, so no ``_reason``; home and work have none (no plate of the last day is read on two days),
    so each says why."""
    metrics = town.metrics
    assert {"home_error_m_median", "n_vehicles_scored", "work_error_m_median", "n_workers_scored"} <= set(metrics)
    police = metrics["agencies"]["police"]
    assert 0 < police["share_reads_visible"] < 1
    assert set(police) == TOP
    assert set(police["person"]) == PERSON - {"uniqueness_k2_reason"}
    assert police["person"]["home_inference_accuracy"] is None and police["person"]["n_vehicles_scored"] == 0
    assert police["person"]["uniqueness_k2_n"] > 0
    assert (police["kind"], police["users"], police["paths"]) == ("local-police", 3, {"city": ["city", "police"]})
    # the sheriff holds the police's mask: the same numbers, its own name and kind
    sheriff = metrics["agencies"]["sheriff"]
    who = ("kind", "users", "users_reason", "paths")
    assert {k: v for k, v in sheriff.items() if k not in who} == {k: v for k, v in police.items() if k not in who}
    assert (sheriff["kind"], sheriff["users"], sheriff["paths"]) == ("sheriff", None, {"city": ["city", "sheriff"]})
    # a number not given is null with why, never a bare null (helper-38)
    assert sheriff["users_reason"] == "not given in the scenario ([[agencies]] users)" and "users_reason" not in police


def test_an_agency_that_sees_every_read_has_the_runs_person_numbers(town):
    """Both agencies given one mask of every read: each gets the run's own numbers, its person numbers the run's
    under the keys of the list (home and work scored: errors and counts too), without recomputing; the per-trip table
    is the all-reads view's."""
    run = RunContext(town.scenario, town.net, town.layout, town.trips, town.routes, town.reads, 2)
    every = np.ones(len(town.reads), bool)
    overall = View("all", town.reads, town.recon, town.view_table("all"))
    tables, out = agency_metrics(run, town.access, {"police": every, "sheriff": every}, overall, town.metrics)
    metrics = town.metrics
    for name in ("police", "sheriff"):
        got = out[name]
        assert set(got) - {"users_reason"} == TOP  # (the sheriff's users are not given)
        assert got["person"] == {k: metrics[k] for k in PERSON if k in metrics}
        assert {"home_error_m_median", "n_vehicles_scored", "work_error_m_median",
                "n_workers_scored"} <= set(got["person"])
        assert got["long_trips"] == metrics["long_trips"]
        assert (got["share_reads_visible"], got["route_recall_mean"]) == (1.0, metrics["route_recall_mean"])
    assert out["police"]["paths"] == {"city": ["city", "police"]}  # found in the access graph when not given
    assert [name for name, _ in tables] == ["police", "sheriff"]
    assert all(table is overall.trip_table for _, table in tables)  # the all-reads table itself, not a copy


def test_a_view_holds_the_reads_its_mask_selects_numbered_afresh(town):
    """A mask of every other read: the view holds those reads, in the run's order, with the run's columns (nothing
    added) and an index from 0; its per-trip table is named after it. Without a mask, the view is of every read
    (the run's own table)."""
    run = RunContext(town.scenario, town.net, town.layout, town.trips, town.routes, town.reads, 2)
    mask = np.arange(len(town.reads)) % 2 == 0
    view = make_view(run, "half", mask)
    assert view.name == "half" and view.mask is mask
    assert list(view.reads.columns) == list(town.reads.columns)
    assert view.reads.index.tolist() == list(range((len(town.reads) + 1) // 2))
    assert view.reads["read_id"].tolist() == town.reads["read_id"].tolist()[::2]
    assert set(view.trip_table["view"]) == {"half"} and len(view.trip_table) == len(town.trips)
    everything = make_view(run, "all", recon=town.recon)
    assert everything.reads is town.reads and everything.mask is None and everything.recon is town.recon


def test_views_are_stacked_in_the_order_given_each_under_its_name():
    """Tables of 3, 1 and 2 rows under "all", "a" and "b": 6 rows, each table's rows in its order under its name,
    every column carried (numbers and text)."""
    def table(view, ids, words):
        return pd.DataFrame({"view": view, "trip_id": ids, "word": words})

    got = stack_views([("all", table("all", [0, 1, 2], ["x", "y", "z"])), ("a", table("a", [5], ["p"])),
                       ("b", table("all", [7, 8], ["q", "r"]))])
    assert got["view"].tolist() == ["all", "all", "all", "a", "b", "b"]
    assert got["trip_id"].tolist() == [0, 1, 2, 5, 7, 8] and got["word"].tolist() == ["x", "y", "z", "p", "q", "r"]
    assert list(got.columns) == ["view", "trip_id", "word"] and got.index.tolist() == list(range(6))
    # a run without agencies has one view
    alone = stack_views([("all", table("all", [0, 1], ["x", "y"]))])
    assert alone["view"].tolist() == ["all", "all"] and alone["trip_id"].tolist() == [0, 1]
