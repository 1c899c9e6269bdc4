"""Golden outputs: the pipeline's results, frozen, so that moving code does not move numbers.

Each case runs a library scenario (shrunk where it is large) and compares
its metrics.json and the content of every table it writes with the files
in ``tests/golden/``. A deliberate numeric change regenerates them with
``CURTAIN_REGEN_GOLDEN=1 python -m pytest tests/test_golden.py`` and says
why in its commit.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario, simulate_scenario
from sim.io.run import plain

from conftest import PROJECT

GOLDEN = Path(__file__).parent / "golden"

CASES = {
    "teaching-grid": [],
    "patrol-vs-fixed": ["demand.trips=2000"],
    # cameras that break down and are repaired (no library scenario has [outages])
    "teaching-grid-outages": ["outages.mtbf_h=30.0", "outages.mttr_h=6.0", "demand.days=2"],
    "westchester-sanctuary": [
        "network.size_km=12", "network.towns=6", "network.rows=12", "network.cols=12", "network.crossings=10",
        "camera_groups.0.count=60", "demand.pilot_vehicles=1000", "demand.sample_share=0.02",
    ],
}


def table_digest(frame: pd.DataFrame) -> dict[str, object]:
    """Rows, columns and a hash of every value (order included), independent of the Parquet writer."""
    values = frame.copy()
    for column in values.columns:
        if values[column].dtype == object:
            values[column] = values[column].map(repr)
    digest = hashlib.sha256(pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes()).hexdigest()
    return {"rows": len(frame), "columns": list(map(str, frame.columns)), "sha256": digest}


#: cases that run another case's scenario file with more overrides
SCENARIO_OF = {"teaching-grid-outages": "teaching-grid"}


def outputs(name: str, engine: str = "auto") -> dict[str, object]:
    scenario = load_scenario(PROJECT / "scenarios" / f"{SCENARIO_OF.get(name, name)}.toml",
                             overrides=CASES[name] + [f"traffic.engine={engine}"])
    sim = simulate_scenario(scenario)
    assert engine == "auto" or sim.metrics["traffic_engine"] == engine
    if scenario.outages is not None:
        assert sim.metrics["n_passes_lost_to_outages"] > 0  # the case does what it is for
    # which engine drove is recorded, and is the one thing the engines may differ in
    metrics = plain({k: v for k, v in sim.metrics.items() if k not in ("versions", "traffic_engine")})
    tables = {"trips": sim.trips, "reads": sim.reads, "trip_metrics": sim.trip_table, "cameras": sim.layout,
              **sim.tables}
    return {"metrics": metrics, "tables": {k: table_digest(v) for k, v in sorted(tables.items())}}


@pytest.mark.parametrize("engine", ["simpy", "compiled"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, engine: str) -> None:
    """The same outputs, bit for bit, on both traffic engines (the golden files were made on SimPy)."""
    path = GOLDEN / f"{name}.json"
    got = json.loads(json.dumps(outputs(name, engine), sort_keys=True))
    if os.environ.get("CURTAIN_REGEN_GOLDEN") and engine == "simpy":
        path.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    want["metrics"].pop("traffic_engine", None)  # (files made before the key was left out)
    assert got["tables"] == want["tables"]
    # a key gone, or new, counts as changed even when its value is null
    changed = sorted(k for k in set(got["metrics"]) | set(want["metrics"])
                     if k not in got["metrics"] or k not in want["metrics"] or got["metrics"][k] != want["metrics"][k])
    assert not changed, f"metrics changed: {changed}"
