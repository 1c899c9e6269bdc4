"""Real sharing lists: every external agency of an owner in the file becomes an agency of the run, its kind read
from its name; agencies that see the same reads share one computation."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import ScenarioError, load_scenario, simulate_scenario
from sim.sharing_lists import agency_kind

from conftest import dataset_path

OWNER = "Sylvania OH PD"


def scenario_text(owner: str = OWNER) -> str:
    return f"""name = "shared"
seed = 4
[network]
rows = 6
cols = 6
[cameras]
count = 6
operator = "city"
[demand]
trips = 300
[[operators]]
name = "city"
retention_days = 30
[[agencies]]
name = "city-police"
access = ["city"]
[[sharing_lists]]
path = "data:flock-agency-access"
owner = "{owner}"
operator = "city"
kinds = {{ "MOCIC" = "other-task-force" }}
"""


def test_every_external_agency_of_the_owner_is_listed(tmp_path):
    path = dataset_path("flock-agency-access")
    table = pd.read_csv(path)
    expected = table.loc[table["src_agency"] == OWNER, "external_agency"].str.strip().unique()
    file = tmp_path / "shared.toml"
    file.write_text(scenario_text())
    sim = simulate_scenario(load_scenario(file))
    agencies = sim.metrics["agencies"]
    assert set(agencies) == {"city-police", *expected} and len(expected) > 100
    for name in expected:
        want = "other-task-force" if name == "MOCIC" else agency_kind(name)
        assert agencies[name]["kind"] == want, name
        assert agencies[name]["share_reads_visible"] == agencies["city-police"]["share_reads_visible"]
    assert agencies["US Postal Inspection Service"]["kind"] == "federal"
    assert agencies["Ohio State Highway Patrol"]["kind"] == "state-police"
    # one computation for all of them: they hold the very same mask
    assert len({id(sim.visible[name]) for name in agencies}) == 1


def test_an_owner_not_in_the_file_is_named_with_the_closest(tmp_path):
    dataset_path("flock-agency-access")
    file = tmp_path / "shared.toml"
    file.write_text(scenario_text("Sylvania OH P"))
    with pytest.raises(ScenarioError, match="owns no row .* did you mean 'Sylvania OH PD'"):
        simulate_scenario(load_scenario(file))


@pytest.mark.parametrize("name, kind", [
    ("Lucas County OH SO", "sheriff"), ("Riverside County CA SD", "sheriff"), ("FBI", "federal"),
    ("Texas Department of Public Safety", "state-police"), ("Benton Harbor Department of Public Safety MI",
                                                             "local-police"),
    ("Tombstone Marshals Office (AZ)", "local-police"), ("Spring Branch TX ISD PD", "campus"),
    ("Harris County TX District Attorney's Office", "other"), ("WI Department of Justice", "state-police"),
])
def test_kind_rules_on_names_from_the_file(name, kind):
    assert agency_kind(name) == kind
