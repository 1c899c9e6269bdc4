"""``map.html`` (sim.webmap): each fixed camera drawn with the way it reads, patrol cars counted but not drawn, and
a legend that says what the marks mean."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from sim import simulate_scenario
from sim.cameras import watch_pairs
from sim.figures import write_figures
from sim.webmap import DOT_PX, display_name, map_html

from conftest import small_scenario


@pytest.fixture(scope="module")
def square_grid():
    """A grid with no jitter: every road runs north–south or east–west."""
    return simulate_scenario(small_scenario("network.jitter_m=0"))


@pytest.fixture(scope="module")
def toy():
    return simulate_scenario(small_scenario())


def marks(page: str) -> dict[str, dict[str, str]]:
    """Each camera mark's attributes and tooltip, by camera id."""
    found = re.findall(r'<g class="(c\d+)" transform="translate\(([-\d.]+) ([-\d.]+)\)" data-camera="([^"]+)" '
                       r'data-bearing="([^"]+)"><title>([^<]*)</title><g class="mark">(.*?)</g></g>', page)
    return {camera: {"class": css, "x": x, "y": y, "bearing": bearing, "title": title, "body": body}
            for css, x, y, camera, bearing, title, body in found}


def with_directions(layout: pd.DataFrame) -> pd.DataFrame:
    """The layout with its first camera reading backward, its second both ways, and a patrol car appended."""
    out = layout.copy()
    out.loc[0, "direction"], out.loc[1, "direction"] = "backward", "both"
    out["kind"] = "fixed"
    car = out.iloc[[2]].assign(camera_id="patrol-1", direction="both", kind="mobile")
    return pd.concat([out, car], ignore_index=True)


def test_each_fixed_camera_carries_the_compass_bearing_of_the_traffic_it_reads(square_grid):
    """On a square grid a road runs north, east, south or west: a forward camera reads traffic heading from its
    u to its v, a backward one the other way, one reading both ways has two arrows; a patrol car has none."""
    sim = square_grid
    layout = with_directions(sim.layout)
    page = map_html(sim.net, layout, sim.reads, title="t")
    drawn = marks(page)
    assert set(drawn) == set(layout["camera_id"][layout["kind"] == "fixed"])
    position = {node: (x, y) for node, x, y in zip(sim.net.nodes, sim.net.x, sim.net.y)}
    compass = {(0, 1): 0, (1, 0): 90, (0, -1): 180, (-1, 0): 270}
    for camera, u, v, direction in zip(layout["camera_id"], layout["u"], layout["v"], layout["direction"]):
        if camera == "patrol-1":
            continue
        (xu, yu), (xv, yv) = position[u], position[v]
        step = (int(np.sign(round(xv - xu))), int(np.sign(round(yv - yu))))  # north is +y
        forward = compass[step]
        expected = {"forward": [forward], "backward": [(forward + 180) % 360],
                    "both": [forward, (forward + 180) % 360]}[direction]
        assert [int(b) for b in drawn[camera]["bearing"].split()] == expected
        assert [int(b) for b in re.findall(r"rotate\((\d+)\)", drawn[camera]["body"])] == expected
        word = {0: "N", 90: "E", 180: "S", 270: "W"}[expected[0]]
        assert f"traffic heading {word} ({expected[0]}°)" in drawn[camera]["title"]
    assert "patrol-1" not in page.split("<g class=\"cameras\">")[1].split("</svg>")[0]


def test_a_jittered_cameras_bearing_is_its_edges_direction(toy):
    """The bearing is the angle of the camera's edge, u to v, clockwise from north, to the degree."""
    page = map_html(toy.net, toy.layout, toy.reads, title="t")
    drawn = marks(page)
    position = {node: (x, y) for node, x, y in zip(toy.net.nodes, toy.net.x, toy.net.y)}
    for camera, u, v in zip(toy.layout["camera_id"], toy.layout["u"], toy.layout["v"]):
        (xu, yu), (xv, yv) = position[u], position[v]
        by_hand = math.degrees(math.atan2(xv - xu, yv - yu)) % 360
        got = int(drawn[camera]["bearing"])
        assert abs((got - by_hand + 180) % 360 - 180) <= 0.5


def test_the_legend_says_what_a_dots_colour_and_size_and_an_arrow_mean(toy):
    layout = with_directions(toy.layout)
    reads = toy.reads
    patrol = reads.iloc[[0] * 5_000].assign(camera_id="patrol-1")  # a patrol car reading more than any camera
    page = map_html(toy.net, layout, pd.concat([reads, patrol], ignore_index=True), title="t")
    legend = page.split('<details class="legend" open><summary>Legend</summary>')[1].split("</details>")[0]
    assert "Dot size: the camera's reads in this run; colour: its operator" in legend
    assert "Arrow: the way the traffic a camera reads is heading (two arrows: it reads both ways)" in legend
    assert "1 patrol car (not drawn: they move, so have no fixed place or direction)" in legend
    # the size key runs from no reads to the busiest camera drawn (not the patrol car), at the map's own sizes
    busiest = int(reads["camera_id"].value_counts().reindex(toy.layout["camera_id"]).max())
    key = re.findall(r'<circle cx="[\d.]+" cy="-4" r="([\d.]+)"/><text[^>]*>([\d,]+)</text>', legend)
    assert [(float(r), label) for r, label in key][0] == (DOT_PX[0], "0")
    assert [(float(r), label) for r, label in key][-1] == (DOT_PX[1], f"{busiest:,}")
    radii = [float(r) for r in re.findall(r'<circle r="([\d.]+)"/></g></g>', page)]
    assert max(radii) == DOT_PX[1] and min(radii) >= DOT_PX[0]


@pytest.mark.parametrize("readers", ["patrol cars only", "none"])
def test_a_map_with_no_fixed_camera_is_drawn_and_its_legend_says_why(toy, readers):
    """seattle-patrol has patrol cars and no fixed camera, a baseline run (cameras.allow_empty) has no reader at
    all: the page has no camera mark, and the legend says what there is rather than describe dots and arrows."""
    layout = with_directions(toy.layout)
    layout = layout[layout["kind"] == "mobile"] if readers == "patrol cars only" else layout.iloc[:0]
    reads = toy.reads.iloc[:50].assign(camera_id="patrol-1") if len(layout) else toy.reads.iloc[:0]
    page = map_html(toy.net, layout.reset_index(drop=True), reads, title="t")
    legend = page.split("<summary>Legend</summary>")[1].split("</details>")[0]
    assert "data-bearing=" not in page and "Dot size" not in legend and "Arrow:" not in legend
    assert 'href="#heading"' not in legend  # no operator's icon shows a mark the map does not draw
    if len(layout):
        assert "1 patrol car (not drawn: they move" in legend and "A read, on the road" in legend
    else:
        assert "No camera and no patrol car in this run" in legend


def test_an_operator_has_one_colour_on_map_html_and_map_png_though_another_runs_only_patrol_cars(tmp_path):
    """Operator "a-patrol" runs a patrol car (on no map) and sorts before "city": the city's cameras are drawn in
    the same colour on both maps, the second colour (both skip the first, a-patrol's, as the long-trip figure
    does), and no arrow of map.png is in a-patrol's colour."""
    from matplotlib.image import imread

    sim = simulate_scenario(small_scenario("patrols=[{cars=1, prefix='p', operator='a-patrol'}]",
                                           "operators=[{name='city', retention_days=30}, "
                                           "{name='a-patrol', retention_days=30}]"))
    page = map_html(sim.net, sim.layout, sim.reads, title="t")
    colour = dict(re.findall(r"\.(c\d+) \{ color: (#[0-9A-F]{6}); \}", page))
    city = {m["class"] for m in marks(page).values()}
    assert len(city) == 1
    write_figures(sim, tmp_path)
    image = imread(tmp_path / "map.png")[..., :3]

    def pixels_of(hex_colour):
        rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
        return int((np.abs(image - rgb).max(axis=2) < 0.02).sum())

    assert pixels_of(colour[city.pop()]) > 100 and pixels_of(colour["c0"]) == 0


def test_the_map_stays_offline_and_its_marks_keep_their_size_on_screen(toy):
    page = map_html(toy.net, toy.layout, toy.reads, title="t")
    assert set(re.findall(r"https?://[^\"' )]+", page)) == {"http://www.w3.org/2000/svg"}
    assert '<path id="heading"' in page and page.count('href="#heading"') >= len(toy.layout)
    assert re.search(r'style="--px: [\d.e+]+"', page)  # the marks' scale before the script measures the screen
    assert ".mark { transform: scale(var(--px, 1)); }" in page  # drawn in screen pixels whatever the zoom


def test_the_web_map_key_names_operators_in_words_with_their_cameras(toy):
    camera, edge, _ = watch_pairs(toy.layout, toy.net)
    page = map_html(toy.net, toy.layout, toy.reads, title="t", boundary=edge[:2], boundary_label="the line")
    for operator, n in toy.layout["operator"].value_counts().items():
        assert f"{display_name(operator)}: {n:,} camera{'s' if n != 1 else ''}" in page
    assert page.count("data-bearing=") == len(np.unique(camera))  # a mark per fixed camera
    drawn = re.search(r'<path class="boundary" d="([^"]*)"/>', page).group(1)
    roads = {frozenset((int(toy.net.edge_u[e]), int(toy.net.edge_v[e]))) for e in edge[:2]}
    assert drawn.count("M") == len(roads) and "the line" in page
    assert re.search(r'<path class="boundary" d=""/>', map_html(toy.net, toy.layout, toy.reads, title="t"))


@pytest.mark.parametrize("width, height, legend_open", [(1366, 768, True), (400, 740, False)])
def test_the_legend_starts_folded_on_a_small_screen_and_open_on_a_large_one(toy, tmp_path, width, height,
                                                                            legend_open):
    """On a phone-sized window the open legend covered most of the cameras; it now starts folded there."""
    from browser import CHROMIUM, Browser

    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    page = tmp_path / "map.html"
    page.write_text(map_html(toy.net, toy.layout, toy.reads, title="t"), encoding="utf-8")
    browser = Browser(width, height)
    try:
        browser.open(page, ready="true")
        assert browser.js('document.querySelector(".legend").open') is legend_open
        browser.click(".legend summary")  # a tap on "Legend" opens (or folds) it either way
        assert browser.js('document.querySelector(".legend").open') is (not legend_open)
    finally:
        browser.close()


@pytest.mark.parametrize("width, height", [(1100, 900), (800, 1000), (1366, 768)])
def test_no_camera_starts_hidden_under_the_open_legend(toy, tmp_path, width, height):
    """The open legend covers the lower left corner, where the first page showed cameras under it: the map now
    starts beside it or above it. Each camera mark's box on screen is checked against the legend's."""
    from browser import CHROMIUM, Browser

    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    page = tmp_path / "map.html"
    page.write_text(map_html(toy.net, toy.layout, toy.reads, title="t"), encoding="utf-8")
    assert "Roads: main roads dark, local streets light" in page.read_text(encoding="utf-8")
    browser = Browser(width, height)
    try:
        browser.open(page, ready="true")
        assert browser.js('document.querySelector(".legend").open') is True
        legend = browser.js('JSON.stringify(document.querySelector(".legend").getBoundingClientRect())')
        marks = browser.js('JSON.stringify([...document.querySelectorAll("[data-bearing]")]'
                           '.map(m => m.getBoundingClientRect()))')
        svg = browser.js('JSON.stringify(document.getElementById("map").getBoundingClientRect())')
    finally:
        browser.close()
    import json

    legend, marks, svg = json.loads(legend), json.loads(marks), json.loads(svg)
    assert marks
    for box in marks:
        assert box["right"] <= legend["left"] or box["left"] >= legend["right"] or box["bottom"] <= legend["top"]
        assert svg["left"] <= box["left"] and box["right"] <= svg["right"] + 1  # and none starts off the map
        assert svg["top"] <= box["top"] and box["bottom"] <= svg["bottom"] + 1
