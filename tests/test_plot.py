"""Figure functions: each draws a non-empty image of the expected size on a toy run."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.image import imread

from sim.cameras import watch_pairs
from sim.plot import (
    coverage_figure, map_figure, placement_comparison_figure, reads_per_trip_figure, sharing_graph_figure,
)
from sim import simulate_scenario
from sim.figures import example_trip
from sim.sweep import summarise

from conftest import small_scenario


@pytest.fixture(scope="module")
def toy():
    return simulate_scenario(small_scenario())


def pixels(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    buffer.seek(0)
    return imread(buffer)


def draw(name, sim):
    camera_edges = watch_pairs(sim.layout, sim.net)[1]
    table = sim.trip_table[sim.trip_table["view"] == "all"]
    if name == "map":
        return map_figure(sim.net, camera_edges, **example_trip(sim))
    if name == "coverage":
        return coverage_figure(sim.net, sim.routes.edges, sim.routes.trip_of_edge(),
                               table["n_reads"].to_numpy() >= 1, camera_edges)
    if name == "reads_per_trip":
        return reads_per_trip_figure(table)
    if name == "sharing":
        return sharing_graph_figure(sim.access, sim.metrics["agencies"])
    import pandas as pd

    runs = pd.DataFrame({"cameras.count": [5, 5, 10, 10] * 2, "cameras.strategy": ["a"] * 4 + ["b"] * 4,
                         "share_trips_read_ge1": np.linspace(0.1, 0.8, 8)})
    return placement_comparison_figure({"share_trips_read_ge1": summarise(runs, "cameras.count",
                                                                          "share_trips_read_ge1",
                                                                          "cameras.strategy")},
                                       "cameras.count", "cameras.strategy")


@pytest.mark.parametrize("name, size_in", [("map", (7.0, 7.0)), ("coverage", (7.0, 6.4)),
                                           ("reads_per_trip", (6.5, 3.6)), ("sharing", (8.0, 3.0)),
                                           ("comparison", (3.4, 3.4))])
def test_figure_is_drawn_at_its_size(toy, name, size_in):
    fig = draw(name, toy)
    image = pixels(fig)
    width, height = fig.get_size_inches()
    assert width == pytest.approx(size_in[0])
    if name != "sharing":  # the sharing graph grows with the number of agencies
        assert height == pytest.approx(size_in[1])
    assert image.shape[:2] == (round(height * fig.dpi), round(width * fig.dpi))
    # not blank: many distinct colours
    assert len(np.unique(image.reshape(-1, image.shape[-1]), axis=0)) > 20


def test_areas_share_scale_starts_at_zero(toy):
    """A share's colour scale starts at 0 and ends at the next 10 % above the largest share (not at the data's span)."""
    from sim.metrics.catalogue import scenario_areas
    from sim.plot import areas_figure

    node_area = scenario_areas(toy.scenario, toy.net)[0]
    table = toy.tables["areas"]
    fig = areas_figure(toy.net, node_area, table)
    lo, hi = fig.axes[0].collections[-1].get_clim()
    top = float(np.nanmax(table["resident_share_trips_read"])) * 100
    assert lo == 0.0
    assert top <= hi <= max(10.0, top + 10.0) and hi % 10 == 0
