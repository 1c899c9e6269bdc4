"""The national map of ALPR cameras in OpenStreetMap as a source: selected by bounding box, operator or brand,
counted by `curtain cameras`, and snapped with direction onto a network (tested on Norfolk and Westchester)."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cameras import Selection, camera_points
from sim.cli import app

from conftest import dataset_path

NORFOLK = (-76.35, 36.82, -76.17, 36.97)
WESTCHESTER = (-73.99, 40.88, -73.48, 41.37)


@pytest.fixture(scope="module")
def national():
    return dataset_path("us-alpr-osm")


@pytest.fixture(scope="module")
def features(national):
    return json.loads(gzip.decompress(national.read_bytes()))["features"]


def by_hand(features, box, key=None, text=None):
    """The features in ``box`` whose ``key`` tag contains ``text`` (any case): a plain loop over the JSON."""
    out = []
    for f in features:
        lon, lat = f["geometry"]["coordinates"][:2]
        if not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
            continue
        if key is not None:
            values = [str(f["properties"].get(k) or "") for k in key]
            if not any(text.lower() in v.lower() for v in values):
                continue
        out.append(f)
    return out


def test_the_whole_map_is_read(national, features):
    assert len(camera_points(national)) == len(features) == 44_595


@pytest.mark.parametrize("box, operator, n_operator, brand, n_brand", [
    (NORFOLK, "Norfolk Police Department", 111, "Flock", 169),
    (WESTCHESTER, "Westchester County Police", 99, "Rekor", 103),
])
def test_city_subsets_match_a_hand_count_and_the_data_readme(national, features, box, operator, n_operator, brand,
                                                             n_brand):
    assert len(camera_points(national, Selection(bbox=box))) == len(by_hand(features, box))
    got = camera_points(national, Selection(bbox=box, operator=operator))
    assert len(got) == len(by_hand(features, box, ["operator"], operator)) == n_operator
    got = camera_points(national, Selection(bbox=box, brand=brand))
    assert len(got) == len(by_hand(features, box, ["manufacturer", "brand"], brand)) == n_brand
    assert (got["brand"].str.lower().str.contains(brand.lower())).all()


def test_curtain_cameras_prints_counts_by_brand_and_operator(national):
    result = CliRunner().invoke(app, ["cameras", "data:us-alpr-osm", "--bbox", ",".join(map(str, NORFOLK))])
    assert result.exit_code == 0, result.output
    assert "187 cameras" in result.output and "Norfolk Police Department" in result.output
    assert "Flock Safety" in result.output and "169" in result.output
    bad = CliRunner().invoke(app, ["cameras", "data:us-alpr-osm", "--bbox", "-70,40,-71,41"])
    assert bad.exit_code == 1 and "west must be below east" in bad.output
    # helper-38: latitude first found 0 cameras and said nothing more; it says what the swap would be
    west, south, east, north = NORFOLK
    swapped = CliRunner().invoke(app, ["cameras", "data:us-alpr-osm", "--bbox", f"{south},{west},{north},{east}"])
    text = " ".join(swapped.output.split())
    assert swapped.exit_code == 0 and "0 cameras" in text
    assert f"the box you meant is --bbox {west:g},{south:g},{east:g},{north:g}" in text


def test_norfolks_cameras_snap_with_direction_onto_a_network_on_earth(national, tmp_path):
    """The Norfolk subset snapped onto a synthetic grid placed on Norfolk: every snapped camera reads one way
    (its OSM direction) or both, and the unsnapped are reported, not dropped."""
    from sim import load_scenario, simulate_scenario

    path = tmp_path / "norfolk-mapped.toml"
    path.write_text("""name = "norfolk-mapped"
[network]
source = "synthetic"
rows = 40
cols = 40
block_m = 400.0
point = [36.895, -76.26]
[cameras]
strategy = "file"
path = "data:us-alpr-osm"
select_bbox = "network"
select_operator = "Norfolk Police"
max_snap_m = 150.0
[demand]
trips = 300
""")
    scenario = load_scenario(path)
    sim = simulate_scenario(scenario)
    n_snapped = sim.metrics["n_cameras"]
    unsnapped = sim.metrics.get("n_cameras_unsnapped", 0)
    assert n_snapped + unsnapped == 111
    assert n_snapped > 50
    assert set(sim.layout["direction"]) <= {"forward", "backward", "both"}
    assert np.isin(sim.layout["direction"], ["forward", "backward"]).mean() > 0.5
