"""Scenario files: validation messages, overrides, the shipped default."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import ScenarioError
from sim.scenario import default_scenario_text, load_scenario

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text, expected",
    [
        ("name = \n", ["broken.toml", "TOML syntax error", "line 1"]),
        ("[cameras]\ncount = 5\nstratgy = 'random'\n", ["broken.toml", "cameras.stratgy", "unknown key",
                                                      "did you mean 'strategy'?"]),
        # a misspelt section, and a key in an entry of an array of tables: the likely key named
        ("[demnd]\ntrips = 5\n", ["broken.toml", "demnd: unknown key; did you mean 'demand'?"]),
        ("[[agencies]]\nname = 'a'\nknd = 'x'\n", ["agencies.0.knd: unknown key; did you mean 'kind'?"]),
        # nothing like it: the keys allowed there are listed
        ("[demand]\nzzz = 5\n", ["demand.zzz: unknown key; the keys here: counts, counts_max_snap_m, days,"]),
        # the start of a longer key beats a key spelt alike (helper-33 got 'state' for rate)
        ("[searches]\nstate = 'NY'\nrate = 5\n", ["searches.rate: unknown key; did you mean 'rate_per_30_days'?"]),
        ("[cameras]\ncount = -3\n", ["broken.toml", "cameras.count", "greater than or equal to 0", "-3"]),
        ("[cameras]\nread_rate = 1.5\n", ["broken.toml", "cameras.read_rate", "less than or equal to 1"]),
        ("[cameras]\nstrategy = 'magic'\n", ["broken.toml", "cameras.strategy", "'random'", "'betweenness'"]),
        ("[demand]\ntrips = 'many'\n", ["broken.toml", "demand.trips", "integer"]),
    ],
)
def test_malformed_scenarios_name_file_and_field(tmp_path, text, expected):
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, text))
    for part in expected:
        assert part in str(info.value)


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, "[cameras]\ncount = -1\nread_rate = 2.0\n[demand]\ndays = 0\ncolour = 'red'\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "4 problem(s)" in message
    for field in ("cameras.count", "cameras.read_rate", "demand.days", "demand.colour"):
        assert field in message


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ScenarioError, match="nothere.toml: scenario file not found"):
        load_scenario(tmp_path / "nothere.toml")


def test_overrides_are_typed_and_validated():
    s = load_scenario(overrides=["demand.days=3", "name=my-run", "cameras.read_rate=0.5"])
    assert (s.demand.days, s.name, s.cameras.read_rate) == (3, "my-run", 0.5)
    with pytest.raises(ScenarioError, match="cameras.read_rate"):
        load_scenario(overrides=["cameras.read_rate=7"])
    with pytest.raises(ScenarioError, match="key.path=value"):
        load_scenario(overrides=["demand.days"])


def test_file_strategy_needs_a_path(tmp_path):
    with pytest.raises(ScenarioError, match="cameras.*path"):
        load_scenario(write(tmp_path, "[cameras]\nstrategy = 'file'\n"))


def test_shipped_default_equals_the_readable_copy():
    assert default_scenario_text() == (ROOT / "scenarios" / "teaching-grid.toml").read_text()


def test_resolved_scenario_round_trips(tmp_path):
    s = load_scenario(overrides=["demand.days=2"])
    path = tmp_path / "resolved.toml"
    path.write_text(s.to_toml())
    again = load_scenario(path)
    assert again.model_dump() == s.model_dump()


@pytest.mark.parametrize("text", ["", "\n  \n", "# only a comment\n"])
def test_a_file_that_sets_nothing_is_refused_naming_the_file_and_the_fix(tmp_path, text):
    """An empty file would run every default under the name "scenario", silently."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, text), ["demand.days=2"])
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'broken.toml'}: the file sets nothing")
    assert "name = " in message and "give no file" in message and "\n" not in message
    assert load_scenario(write(tmp_path, "name = 'x'\n")).name == "x"  # a name alone is a scenario on defaults


def test_a_folder_given_for_the_scenario_file_says_so(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a folder, not a file; give the scenario file itself, not its folder"
    (tmp_path / "scenario.toml").write_text("name = 'x'\n")  # a run's folder: its scenario is offered
    with pytest.raises(ScenarioError, match=r"is a folder, not a file; .*\(this one holds .*scenario\.toml\)"):
        load_scenario(tmp_path)


def test_the_output_folder_does_not_depend_on_the_order_of_the_overrides():
    one = load_scenario(overrides=["seed=3", "demand.days=2", "cameras.count=5"])
    other = load_scenario(overrides=["cameras.count=5", "seed=3", "demand.days=2"])
    assert one.overrides != other.overrides and one.output_name() == other.output_name()
    assert one.output_name().startswith("teaching-grid-")
    # a different scenario still gets a folder of its own, and the plain run keeps the plain name
    assert load_scenario(overrides=["seed=4", "demand.days=2", "cameras.count=5"]).output_name() != one.output_name()
    assert load_scenario().output_name() == "teaching-grid"


@pytest.mark.parametrize("override, entries", [
    ("patrols.0.cars=6", "0 [[patrols]] entries"),
    ('searches.overrides.3.agency="x"', "0 [[searches.overrides]] entries"),
    ("agencies.x.name=1", "1 [[agencies]] entry"),
])
def test_a_set_into_a_missing_entry_names_its_array_of_tables(override, entries):
    """``--set`` into an entry the scenario does not have names the array of tables it looked in (nested ones
    by their whole dotted name) and how many entries it has; a key that is no number names no entry."""
    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "teaching-grid.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario, overrides=[override])
    message = str(info.value)
    assert f"--set {override.partition('=')[0]}" in message and "is not an entry" in message
    assert f"the scenario has {entries} (numbered from 0)" in message
    assert ("add one to the file first" in message) == entries.startswith("0 ")


def test_a_relative_path_found_only_in_the_current_folder_says_where_it_is_read_from(tmp_path, monkeypatch):
    """helper-38: a teacher typing --set cameras.path=cameras.csv beside the exported file got "camera file not
    found" for a path in the repository's scenarios folder. Relative paths are read from the scenario's folder (as
    before); when the file is only in the current folder, the error names both and the fix."""
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "class").mkdir()
    scenario_file = tmp_path / "scenarios" / "s.toml"
    scenario_file.write_text('name = "s"\n')
    (tmp_path / "class" / "cameras.csv").write_text("camera_id,u,v,key\n")
    monkeypatch.chdir(tmp_path / "class")
    scenario = load_scenario(scenario_file)
    with pytest.raises(ScenarioError, match=r"'cameras.csv' is read from the scenario file's folder, .*scenarios, "
                                            r"where there is no such file; the one in the current folder is "
                                            r".*class/cameras.csv: give that path in full"):
        scenario.resolve("cameras.csv")
    # a file beside the scenario is read from there, as always, whatever the current folder holds
    (tmp_path / "scenarios" / "cameras.csv").write_text("camera_id,u,v,key\n")
    assert scenario.resolve("cameras.csv") == tmp_path / "scenarios" / "cameras.csv"
    # helper-41: a current folder that was removed does not stop a file beside the scenario being found
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert scenario.resolve("cameras.csv") == tmp_path / "scenarios" / "cameras.csv"


def test_a_bad_key_says_where_it_came_from():
    """A key typed after --set says so; one from elsewhere (a sweep file's [axes]) is named as its ``sources``
    says, and the other keys still as --set."""
    with pytest.raises(ScenarioError, match=r"cameras\.cont \(from --set\): unknown key; did you mean 'count'\?"):
        load_scenario(overrides=["cameras.cont=3"])
    with pytest.raises(ScenarioError) as info:
        load_scenario(overrides=["cameras.cont=3", "demand.trip=5"], sources={"cameras.cont": "[axes] in s.toml"})
    assert "cameras.cont (from [axes] in s.toml): unknown key" in str(info.value)
    assert "demand.trip (from --set): unknown key" in str(info.value)
