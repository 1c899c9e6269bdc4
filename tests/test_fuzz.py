"""Fuzzing: every bad input ends in a Curtain error with a message, never an unhandled exception."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import CurtainError
from sim.cameras import read_cameras_csv, read_cameras_geojson
from sim.io.trips import read_trips_csv
from sim.generators import grid_network
from sim.scenario import load_scenario

NET = grid_network(4, 4, rng=np.random.default_rng(0))
KEYS = ["name", "seed", "start", "network.kind", "network.rows", "network.source", "network.bridges",
        "cameras.strategy", "cameras.count", "cameras.read_rate", "cameras.direction", "cameras.district",
        "demand.model", "demand.trips", "demand.days", "demand.path", "reconstruct.slack_s", "metrics.colour",
        "operators", "agencies", "output.routes", "traffic.route_noise"]
VALUES = st.one_of(st.integers(-10, 10**6), st.floats(allow_nan=False), st.text(max_size=8), st.booleans(),
                   st.lists(st.integers(-3, 30), max_size=4), st.dictionaries(st.text(max_size=5),
                                                                                st.integers(), max_size=2))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def write(text: str | bytes, suffix: str) -> Path:
    path = Path(tempfile.mkdtemp()) / f"input{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    return path


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_as_scenario(text):
    try:
        load_scenario(write(text, ".toml"))
    except CurtainError as exc:
        assert "input.toml" in str(exc)


@SETTINGS
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6))
def test_structured_scenarios(fields):
    data: dict = {}
    for key, value in fields.items():
        *tables, last = key.split(".")
        node = data
        for table in tables:
            node = node.setdefault(table, {})
        node[last] = value
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):
        return  # not representable as TOML
    try:
        load_scenario(write(text, ".toml"))
    except CurtainError as exc:
        assert "input.toml" in str(exc)


CELL = st.one_of(st.integers(-5, 40), st.floats(allow_nan=True), st.sampled_from(
    ["forward", "backward", "both", "", "NA", "x", "1e3", "0.5"]), st.text(max_size=4))


def csv_text(header: list[str], rows: list[list]) -> str:
    return "\n".join([",".join(header)] + [",".join(str(c).replace(",", ";").replace("\n", " ") for c in r)
                                           for r in rows]) + "\n"


@SETTINGS
@given(st.lists(st.lists(CELL, min_size=6, max_size=6), max_size=5),
       st.lists(st.sampled_from(["camera_id", "u", "v", "key", "direction", "read_rate", "operator"]),
                min_size=1, max_size=7, unique=True))
def test_camera_csv(rows, header):
    try:
        read_cameras_csv(write(csv_text(header, [r[: len(header)] for r in rows]), ".csv"), NET)
    except CurtainError as exc:
        assert "input.csv" in str(exc)


@SETTINGS
@given(st.lists(st.lists(CELL, min_size=5, max_size=5), max_size=5))
def test_trips_csv(rows):
    header = ["trip_id", "vehicle_id", "origin", "destination", "depart_s"]
    try:
        read_trips_csv(write(csv_text(header, rows), ".csv"), NET, np.random.default_rng(0))
    except CurtainError as exc:
        assert "input.csv" in str(exc)


GEOMETRY = st.one_of(
    st.fixed_dictionaries({"type": st.just("Point"), "coordinates": st.lists(st.floats(-200, 200), max_size=3)}),
    st.fixed_dictionaries({"type": st.sampled_from(["LineString", "Polygon", "Point"]),
                           "coordinates": st.just([[0, 0], [1, 1]])}),
    st.none(),
)


@SETTINGS
@given(st.lists(st.fixed_dictionaries({"type": st.just("Feature"), "geometry": GEOMETRY,
                                        "properties": st.one_of(st.none(), st.dictionaries(
                                            st.sampled_from(["id", "direction", "operator", "tags"]), VALUES))}),
                max_size=4))
def test_camera_geojson(features):
    path = write(json.dumps({"type": "FeatureCollection", "features": features}), ".geojson")
    try:
        read_cameras_geojson(path, NET)
    except CurtainError as exc:
        assert "input.geojson" in str(exc)


@pytest.mark.parametrize("content", [b"\xff\xfe\x00", b"{", b"[]", b'{"type": "FeatureCollection"}'])
def test_broken_geojson_bytes(content):
    with pytest.raises(CurtainError, match="input.geojson"):
        read_cameras_geojson(write(content, ".geojson"), NET)
