"""A size a user typed is refused before anything is built, in one line naming its key, with nothing written."""

from __future__ import annotations

import math

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.generators import county_network, grid_network, radial_network
from sim.scenario import load_scenario
from sim.sizing import estimate_size, synthetic_intersections

from conftest import PROJECT

TEACHING = str(PROJECT / "scenarios" / "teaching-grid.toml")

#: the five sizes of the issue that once ended in "internal error" or a minute of building: the overrides,
#: and what the one line must name (the key, the value as typed, an estimate)
CASES = {
    "grid 100000 x 100000": (["network.rows=100000", "network.cols=100000"],
                             ["network.rows × network.cols = 10,000,000,000 intersections", "TB of memory"]),
    "grid 1500 x 1500": (["network.rows=1500", "network.cols=1500"],
                         ["network.rows × network.cols = 2,250,000 intersections", "GB of memory"]),
    "a billion trips": (["demand.trips=1000000000"], ["demand.trips = 1,000,000,000 trips", "TB of memory"]),
    "trips for 100,000 days": (["demand.trips=50000", "demand.days=100000"],
                               ["demand.trips × demand.days = 50,000 trips × 100,000 days", "TB of memory"]),
    "a billion vehicles": (["demand.model='population'", "demand.vehicles=1000000000"],
                           ["demand.vehicles = 1,000,000,000 vehicles", "TB of memory"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_too_big_is_refused_at_once_naming_its_key(case, command, tmp_path, monkeypatch):
    import sim.stages.network

    # nothing may be built: the network builder must not be reached
    monkeypatch.setattr(sim.stages.network, "load_network", lambda *a, **k: pytest.fail("built the network first"))
    overrides, fragments = CASES[case]
    sets = [x for o in overrides for x in ("--set", o)]
    out = tmp_path / "out"
    args = ["validate", TEACHING, *sets] if command == "validate" else ["run", TEACHING, "-o", str(out), *sets]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    line = " ".join(result.output.split())  # the console may wrap the one line
    for fragment in fragments:
        assert fragment in line
    assert "this machine allows" in line and "internal error" not in line and "Traceback" not in line
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary left


def test_the_limit_follows_curtain_memory_gb(monkeypatch):
    scenario = load_scenario(overrides=["network.rows=200", "network.cols=200"])  # about 1.4 GB
    from sim import ScenarioError
    from sim.sizing import check_size

    monkeypatch.setenv("CURTAIN_MEMORY_GB", "100")
    assert check_size(scenario).intersections == 40_000
    monkeypatch.setenv("CURTAIN_MEMORY_GB", "1")
    with pytest.raises(ScenarioError, match=r"40,000 intersections needs about 1\.\d GB of memory; this machine "
                                            r"allows 1\.0 GB"):
        check_size(scenario)
    monkeypatch.setenv("CURTAIN_MEMORY_GB", "lots")
    with pytest.raises(ScenarioError, match="CURTAIN_MEMORY_GB = 'lots' is not a number"):
        check_size(scenario)


def test_every_library_scenario_fits():
    for path in sorted((PROJECT / "scenarios").glob("*.toml")):
        estimate = estimate_size(load_scenario(path))
        assert estimate.memory_bytes < 8e9, path.name


@pytest.mark.parametrize("kind, build, keys", [
    ("grid", lambda rng: grid_network(13, 17, rng=rng), ["network.rows=13", "network.cols=17"]),
    ("radial", lambda rng: radial_network(rings=9, spokes=14, rng=rng), ["network.rings=9", "network.spokes=14"]),
    ("county", lambda rng: county_network(6, size_km=30, town_rows=7, town_cols=9, rng=rng),
     ["network.towns=6", "network.size_km=30", "network.town_rows=7", "network.town_cols=9"]),
])
def test_the_intersection_estimate_is_within_a_fifth_of_the_built_network(kind, build, keys, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(f"[network]\nkind = '{kind}'\n")
    estimated, _ = synthetic_intersections(load_scenario(path, overrides=keys).network)
    built = build(np.random.default_rng(3)).n_nodes
    assert math.isclose(estimated, built, rel_tol=0.2), (estimated, built)
