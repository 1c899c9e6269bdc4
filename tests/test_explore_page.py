"""The explorer page in a real (headless) Chromium: what a teacher clicks, types and sees at 1366 × 768.

Each test drives the page with real mouse clicks and key presses over the DevTools protocol
(``tests/browser.py``); they skip when Chromium is not installed."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim import load_scenario, simulate_scenario
from sim.explore import explore_data, explore_html, explorer_overrides

from browser import CHROMIUM, Browser

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")

#: a small town with more cars than the car list once showed (2,000)
TOWN = ["network.rows=10", "network.cols=10", "demand.trips=4400", "cameras.count=14", "metrics.pair_samples=150"]


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    sim = simulate_scenario(load_scenario(overrides=explorer_overrides(TOWN)))
    data = explore_data(sim)
    page = tmp_path_factory.mktemp("explore-page") / "town.html"
    page.write_text(explore_html(data), encoding="utf-8")
    return sim, data, page


@pytest.fixture(scope="module")
def chromium():
    browser = Browser(1366, 768)
    yield browser
    browser.close()


@pytest.fixture
def browser(chromium, town):
    chromium.open(town[2])
    return chromium


def now(browser, key, column=2):
    return browser.js(f"document.querySelector('tr[data-key={key}] td:nth-child({column})').textContent")


def road(data, edge):
    """The selector of the map's line for the road of ``edge`` (the lower edge number of the two ways)."""
    reverse = data["edges"]["reverse"][edge]
    return f'line[data-edge="{min(edge, reverse) if reverse >= 0 else edge}"]'


def pct(value):
    return f"{100 * value:.1f} %"


def test_the_page_opens_on_the_runs_numbers_and_says_how_cameras_read(browser, town):
    sim, _, _ = town
    for key in ("share_trips_read_ge1", "share_trips_read_ge2", "route_recall_mean", "camera_free_pair_share"):
        assert now(browser, key) == now(browser, key, 3) == pct(sim.metrics[key]), key
    assert now(browser, "n_reads") == f"{len(sim.reads):,}"
    model = browser.text("#model")
    assert 'read exactly what "curtain run" read' in model and "reads 95 % of the cars passing it" in model


def test_remove_all_takes_every_camera_down_and_reset_puts_the_towns_back(browser, town):
    sim, _, _ = town
    browser.click("#clear")
    assert now(browser, "n_cameras") == "0" and now(browser, "n_reads") == "0"
    assert now(browser, "share_trips_read_ge1") == "0.0 %" and now(browser, "camera_free_pair_share") == "100.0 %"
    assert browser.text("#status") == "Every camera taken down."
    assert browser.js("document.querySelectorAll('.camera').length") == 0
    browser.click("#reset")
    assert browser.text("#reset") == "reset to the town's 14 cameras"
    assert browser.text("#status") == "Back to the town's 14 cameras, as at the start."
    assert now(browser, "n_cameras") == "14" and now(browser, "share_trips_read_ge1") == pct(
        sim.metrics["share_trips_read_ge1"])


def test_one_click_takes_a_camera_down_and_turning_one_never_does(browser, town):
    _, data, _ = town
    first, second, third = (road(data, c["edge"]) for c in data["layout"][:3])
    reads = int(now(browser, "n_reads").replace(",", ""))
    browser.click(first, button="right")  # right-click, in any mode
    assert now(browser, "n_cameras") == "13"
    assert browser.text("#status") == "The camera on that road taken down (13 cameras left)."
    assert int(now(browser, "n_reads").replace(",", "")) < reads
    browser.click('input[value="remove"]')  # or the "take cameras down" mode: one click each
    browser.click(second)
    assert now(browser, "n_cameras") == "12"
    browser.click(second)
    assert now(browser, "n_cameras") == "12" and browser.text("#status") == "There is no camera on that road."
    browser.click('input[value="cameras"]')  # putting up and turning cameras never takes one down
    for _ in range(4):
        browser.click(third)
        assert now(browser, "n_cameras") == "12"
    assert browser.js("document.querySelector('input[value=cameras]').checked")


def free_route_points(browser):
    d = browser.js("(document.querySelector('#map .free') || {getAttribute: () => ''}).getAttribute('d')")
    return [tuple(float(v) for v in pair.split()) for pair in re.split(r"[ML]", d or "") if pair.strip()]


def test_the_way_round_is_worked_out_again_at_every_change(browser, town):
    _, data, _ = town
    ids = data["nodes"]["id"]
    browser.type("#from", ids[0])
    browser.type("#to", ids[-1])
    browser.click("#route")
    before = free_route_points(browser)
    assert len(before) > 5 and "Without passing a camera" in browser.text("#status")
    # the road in the middle of the orange route gets a camera watching both ways: the route must leave it
    (ax, ay), (bx, by) = before[len(before) // 2], before[len(before) // 2 + 1]
    line = browser.js(f"""(() => {{ const near = (a, b) => Math.abs(a - b) < 0.05;
        for (const l of document.querySelectorAll('line.road')) {{
          const x1 = +l.getAttribute('x1'), y1 = +l.getAttribute('y1'), x2 = +l.getAttribute('x2'),
                y2 = +l.getAttribute('y2');
          if ((near(x1, {ax}) && near(y1, {ay}) && near(x2, {bx}) && near(y2, {by})) ||
              (near(x1, {bx}) && near(y1, {by}) && near(x2, {ax}) && near(y2, {ay}))) return l.dataset.edge; }}
        return null; }})()""")
    assert line is not None
    cameras = int(now(browser, "n_cameras"))
    for _ in range(3):  # put up, turn, both ways
        browser.click(f'line[data-edge="{line}"]')
    assert int(now(browser, "n_cameras")) == cameras + 1 and "reads both ways" in browser.text("#status")
    after = free_route_points(browser)
    assert browser.js("document.querySelectorAll('#map .free').length") <= 1
    assert browser.js("document.querySelectorAll('#map .true').length") == 1
    assert after != before and not {(ax, ay), (bx, by)} <= set(after)
    assert "From " + ids[0] + " to " + ids[-1] in browser.text("#status")
    browser.click("#clear")  # and again when every camera comes down: the fastest route is camera-free
    assert browser.text("#status").endswith("no longer: the fastest route passes no camera.")


def test_the_same_start_and_end_is_said_in_a_plain_sentence(browser, town):
    _, data, _ = town
    here = data["nodes"]["id"][12]
    browser.type("#from", here)
    browser.type("#to", here)
    browser.click("#route")
    assert browser.text("#status") == (f"The start and the end are the same intersection ({here}): "
                                       "pick two different ones.")
    assert "NaN" not in browser.text("aside") and browser.js("document.querySelectorAll('#map .free').length") == 0


def visible(browser, selector):
    top, bottom, height = browser.js(f"(() => {{ const b = document.querySelector('{selector}')"
                                     ".getBoundingClientRect(); return [b.top, b.bottom, innerHeight]; })()")
    return 0 <= top and bottom <= height + 1  # (a fraction of a pixel over is in view)


def test_the_numbers_stay_in_view_at_1366_by_768(browser, town, tmp_path):
    _, data, _ = town
    assert browser.js("outerWidth") == 1366 and browser.js("innerHeight") <= 768
    browser.type("#to", data["nodes"]["id"][5])
    assert visible(browser, "#to") and visible(browser, "#numbers") and visible(browser, "#status")
    browser.click("#export")  # the last control, scrolled to
    assert visible(browser, "#export") and visible(browser, "#numbers")
    browser.type("#plate", data["plates"][0])
    assert visible(browser, "#car-day") and visible(browser, "#numbers")
    browser.screenshot(tmp_path / "explorer-1366x768.png")


def test_every_car_is_listed_and_found_by_its_plate(browser, town):
    _, data, _ = town
    n_cars = data["n_vehicles"]
    assert n_cars > 2_000
    assert browser.js("document.getElementById('car').options.length") == n_cars + 1
    last = data["plates"][n_cars - 1]
    browser.type("#plate", last.lower()[:4])
    listed = browser.js("Array.from(document.getElementById('car').options).slice(1).map(o => o.text.split(' ')[0])")
    assert last in listed and all(last.lower()[:4].upper() in p for p in listed)
    browser.type("#plate", last)
    assert browser.js("document.getElementById('car').selectedOptions[0].text").startswith(last)
    trips = int(np.sum(np.asarray(data["trips"]["vehicle"]) == n_cars - 1))
    assert browser.text("#car-day").startswith(f"{trips} true trip{'' if trips == 1 else 's'} (blue)")
    assert browser.js("document.querySelectorAll('#map .true').length") == trips


@pytest.fixture(scope="module")
def teaching_grid(tmp_path_factory):
    """The page `curtain explore` writes with no argument, and the numbers `curtain run` gives for it."""
    from sim.explore import load_for_explorer, write_explorer

    scenario = load_for_explorer(None)
    page = write_explorer(scenario, tmp_path_factory.mktemp("teaching-grid") / "teaching-grid-explore.html")
    return simulate_scenario(load_scenario(None)).metrics, page


def test_the_lessons_exercises_work_as_docs_classroom_md_writes_them(chromium, teaching_grid, tmp_path):
    """Exercises 1 and 2 of docs/classroom.md, click by click on the teaching-grid page at 1366 × 768."""
    import json

    run, page = teaching_grid
    browser = chromium
    browser.open(page)
    data = json.loads(browser.js("document.getElementById('curtain-data').textContent"))
    edges, ids = data["edges"], data["nodes"]["id"]
    assert now(browser, "n_cameras") == "40" and now(browser, "share_trips_read_ge1") == pct(
        run["share_trips_read_ge1"]) == "72.1 %"  # "The page opens on exactly the numbers `curtain run` gives"
    # Exercise 1: a school in the middle with no camera on its roads, fenced in by one camera per road out
    watched = {c["edge"] for c in data["layout"]} | {edges["reverse"][c["edge"]] for c in data["layout"]}
    school = next(n for n in (210, 209, 189, 190, 230, 231)
                  if not any((u == n or v == n) and e in watched for e, (u, v) in enumerate(zip(edges["u"],
                                                                                                 edges["v"]))))
    out = [e for e in range(len(edges["u"])) if edges["u"][e] == school]  # the roads out of the school
    browser.click('input[value="way"]')  # "Choose find a way round: the intersections show as dots"
    assert browser.js(f"document.querySelector('circle[data-node=\"{school}\"] title').textContent") == (
        f"intersection {ids[school]}")
    browser.click(f'circle[data-node="{school}"]')
    browser.click(f'circle[data-node="{len(ids) - 1}"]')  # a far corner
    assert "Without passing a camera" in browser.text("#status")
    browser.screenshot(tmp_path / "exercise-1-way-round.png")

    def fence():
        for e in out:  # put a camera up; turn it until its arrow points away from the school
            line = road(data, e)
            browser.click(line)
            if int(line.split('"')[1]) != e:  # the road's own edge runs into the school: turn the camera once
                browser.click(line)
        return browser.text("#status")

    browser.click('input[value="cameras"]')
    assert fence().endswith("No camera-free route — the place is fenced in.")
    assert now(browser, "n_cameras") == str(40 + len(out)) and len(out) == 4
    browser.screenshot(tmp_path / "exercise-1-fenced-in.png")
    browser.click("#clear")  # "Then press remove all cameras and put your fence up again alone"
    assert browser.text("#status").startswith("Every camera taken down. From ")
    assert fence().endswith("No camera-free route — the place is fenced in.")
    assert now(browser, "n_cameras") == "4"
    alone = float(now(browser, "share_trips_read_ge1").split()[0])
    assert 0 < alone < 20 and float(now(browser, "route_recall_mean").split()[0]) < alone
    browser.screenshot(tmp_path / "exercise-1-fence-alone.png")
    # Exercise 2: reset, then take a camera down with a right-click and read the two numbers
    browser.click("#reset")
    assert browser.text("#reset") == "reset to the town's 40 cameras" and now(browser, "n_cameras") == "40"
    assert now(browser, "share_long_trips_read") == now(browser, "share_long_trips_read", 3)
    for camera in data["layout"][:10]:
        browser.click(road(data, camera["edge"]), button="right")
    assert now(browser, "n_cameras") == "30"
    assert float(now(browser, "route_recall_mean").split()[0]) < float(now(browser, "route_recall_mean", 3).split()[0])
    browser.type("#plate", "EAN5302")  # "Pick a car and compare its blue and green lines"
    assert browser.text("#car-day").split(" true trip")[0].isdigit()
    assert browser.js("document.querySelectorAll('#map .true').length") >= 1
    browser.screenshot(tmp_path / "exercise-2-a-car.png")
    # the link of "What is on the page"
    browser.open(page, "#car=EAN5302&trip=2")
    assert browser.text("#car-day").startswith("Trip 2 of ")


def test_a_page_of_a_sample_of_cars_says_so_where_it_says_how_the_cameras_read(chromium, town, tmp_path):
    """A page of a larger run holds a sample of whole cars, so it cannot open on exactly the run's numbers: the
    line that says it does (the page's "how the cameras read") now says whose numbers they are (helper-32 read
    "the page opens on the run's numbers" on piedmont-ring, whose page held 20,168 of 168,280 trips)."""
    sim = town[0]
    data = explore_data(sim, max_trips=len(sim.trips) // 3)
    page = tmp_path / "sampled.html"
    page.write_text(explore_html(data), encoding="utf-8")
    chromium.open(page)
    held = len(data["trips"]["trip_id"])
    assert held < len(sim.trips)
    model = chromium.text("#model")
    assert (f"for the cars it holds: a sample of whole cars ({held:,} of the run's {len(sim.trips):,} trips), "
            "so its shares are the sample's") in model, model
    chromium.open(town[2])
    assert "a sample of whole cars" not in chromium.text("#model")  # the whole run: no such clause
