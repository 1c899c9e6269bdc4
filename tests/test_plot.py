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

from conftest import PROJECT, small_scenario


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
                                           ("comparison", (6.0, 3.4))])  # one panel, widened: see below
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


def test_areas_colour_scale_spans_the_homes_range_and_says_so(toy):
    """The colour scale spans the homes' shares (out to the next 5 %, at least 10 points wide), not 0 to the
    largest: every home at 70–80 % was one colour on a 0–80 % scale. The colour bar says which range it is."""
    from sim.metrics.catalogue import scenario_areas
    from sim.plot_areas import areas_figure

    node_area = scenario_areas(toy.scenario, toy.net)[0]
    table = toy.tables["areas"]
    fig = areas_figure(toy.net, node_area, table)
    lo, hi = fig.axes[0].collections[-1].get_clim()
    homes = table.set_index("area")["resident_share_trips_read"].reindex(node_area).to_numpy(float) * 100
    homes = homes[np.isfinite(homes)]
    assert lo <= homes.min() and homes.max() <= hi and hi - lo >= 10
    assert lo > homes.min() - 10 and hi < homes.max() + 10 and lo % 5 == 0 and hi % 5 == 0
    labels = [a.get_ylabel() for a in fig.axes if "residents' trips" in a.get_ylabel()]
    assert len(labels) == 1 and f"the homes' range, {lo:g}–{hi:g} %, not 0–100" in labels[0]


def test_area_names_round_ring_bounds_and_spell_out_roads_across():
    from sim.plot_areas import area_names

    assert area_names(["0–2 km", "2–4 km"]) == ["0–2 km", "2–4 km"]
    assert area_names(["0–0.405 km", "0.405–0.811 km"]) == ["0–0.4 km", "0.4–0.8 km"]
    # rounding never merges two bounds
    assert area_names(["0–0.04 km", "0.04–0.08 km", "0.08–0.12 km"]) == ["0–0.04 km", "0.04–0.08 km",
                                                                         "0.08–0.12 km"]
    assert area_names(["city", "county|city"]) == ["city", "roads across the line\n(county–city)"]


def _grid_with_cameras():
    """A 6 × 6 grid; a two-way camera on one road and one-way cameras on two more, for operator 'city-police'."""
    from sim.generators import grid_network

    net = grid_network(6, 6, one_way_share=0, jitter_m=0, rng=np.random.default_rng(0))
    two_way = [0, int(net.reverse_edge(0))]
    edges = np.array(two_way + [10, 20])
    return net, edges, np.array(["city-police"] * 4), np.array([1, 1, 2, 3])


def test_map_legend_shows_arrows_and_counts_cameras_not_directions():
    from matplotlib.collections import PathCollection
    from matplotlib.quiver import Quiver

    net, edges, operators, cameras = _grid_with_cameras()
    fig = map_figure(net, edges, camera_operator=operators, camera_of_edge=cameras)
    ax = fig.axes[0]
    assert any(isinstance(c, Quiver) for c in ax.collections)  # the map draws arrows …
    assert not any(isinstance(c, PathCollection) for c in ax.collections)  # … and no dots
    (entry,) = [h for h in fig.legends[0].legend_handles if "camera" in h.get_label()]
    assert entry.get_label() == "City police: 3 cameras (1 reads both ways: 4 arrows)"
    assert entry.get_marker() == r"$\rightarrow$"  # the legend's mark is an arrow too


def test_a_small_fenced_district_gets_a_zoomed_panel():
    net, edges, operators, cameras = _grid_with_cameras()
    corner = np.isin(net.edge_u, [0]) ^ np.isin(net.edge_v, [0])  # the roads out of the corner intersection
    zoomed = map_figure(net, edges, camera_operator=operators, district_edges=np.flatnonzero(corner))
    assert len(zoomed.axes) == 2
    pixels(zoomed)  # drawn as saved: nothing of the wider figure is clipped
    renderer = _renderer(zoomed)
    for text in _texts(zoomed):
        assert _inside(text.get_window_extent(renderer), zoomed.bbox), text.get_text()
    x0, x1 = zoomed.axes[1].get_xlim()
    assert x1 - x0 < 0.5 * np.ptp(net.x) / 1000  # a close-up …
    ends = np.concatenate([net.edge_u[corner], net.edge_v[corner]])
    assert x0 <= (net.x[ends] - net.x.min()).min() / 1000 and (net.x[ends] - net.x.min()).max() / 1000 <= x1
    # … of a district that is a speck; a boundary across the whole map needs none
    across = np.flatnonzero(np.isin(net.edge_u, np.arange(0, 36, 6)) ^ np.isin(net.edge_v, np.arange(0, 36, 6)))
    assert len(map_figure(net, edges, district_edges=across).axes) == 1


def test_a_metric_flat_at_every_setting_gets_a_note_not_a_panel():
    import pandas as pd

    runs = pd.DataFrame({"cameras.count": [5, 5, 10, 10] * 2, "cameras.strategy": ["a"] * 4 + ["b"] * 4,
                         "share_trips_read_ge1": np.linspace(0.1, 0.8, 8), "camera_free_pair_share": 1.0})
    summaries = {m: summarise(runs, "cameras.count", m, "cameras.strategy")
                 for m in ("share_trips_read_ge1", "camera_free_pair_share")}
    fig = placement_comparison_figure(summaries, "cameras.count", "cameras.strategy")
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "trips read at least once"
    from matplotlib.text import Text

    (note,) = [t for t in fig.findobj(Text) if t.get_text().startswith("Not drawn")]
    assert "place pairs with a camera-free route is 100% at every setting" in " ".join(note.get_text().split())
    # (where the note, the legend and the title sit: test_the_comparison_title_and_legend_fit_and_cover_nothing)


def _comparison(panels, group):
    """The comparison figure of a sweep over the camera count (and, with ``group``, three strategies) in which
    ``panels`` compared metrics vary and the camera-free pair share is 100 % throughout (a note, not a panel)."""
    import pandas as pd

    varying = ["share_trips_read_ge1", "share_trips_read_ge2", "route_recall_mean"][:panels]
    runs = pd.DataFrame({"cameras.count": [5, 5, 10, 10] * 3,
                         "cameras.strategy": np.repeat(["random", "betweenness", "greedy"], 4),
                         "camera_free_pair_share": 1.0, **{m: np.linspace(0.1, 0.8, 12) for m in varying}})
    summaries = {m: summarise(runs, "cameras.count", m, group) for m in [*varying, "camera_free_pair_share"]}
    return placement_comparison_figure(summaries, "cameras.count", group, x_label="number of cameras")


@pytest.mark.parametrize("group", ["cameras.strategy", None])
@pytest.mark.parametrize("panels, width_in", [(1, 6.0), (2, 6.8), (3, 10.2)])
def test_the_comparison_title_and_legend_fit_and_cover_nothing(panels, width_in, group):
    """The title and the strategy legend lie inside the figure, clear of each other, of the panels (frames, titles,
    ticks) and of the note. One panel (3.4 in wide before) ran its title past both edges, with the legend over it;
    two had the legend over the title's end. The one panel keeps a panel's width beside the legend."""
    from matplotlib.text import Text

    fig = _comparison(panels, group)
    pixels(fig)  # laid out as saved
    renderer = _renderer(fig)
    (title,) = [t for t in fig.findobj(Text) if t.get_text().startswith("Placements compared")]
    (note,) = [t for t in fig.findobj(Text) if t.get_text().startswith("Not drawn")]
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]
    assert len(legends) == (group is not None)
    placed = {"title": title.get_window_extent(renderer), "note": note.get_window_extent(renderer),
              **{f"legend {i}": legend.get_window_extent(renderer) for i, legend in enumerate(legends)}}
    panel_parts = {f"panel {i} {part}": extent for i, ax in enumerate(fig.axes) for part, extent in [
        ("frame", ax.get_window_extent(renderer)), ("title", ax.title.get_window_extent(renderer)),
        ("x axis", ax.xaxis.get_tightbbox(renderer)), ("y axis", ax.yaxis.get_tightbbox(renderer))]}
    everything = {**placed, **panel_parts}
    for name, extent in placed.items():
        assert _inside(extent, fig.bbox), name
        clashes = [other for other, box in everything.items()
                   if other != name and box is not None and extent.overlaps(box)]
        assert clashes == [], name
    if panels == 1:  # (wider figures kept their sizes: their panels share the legend's room)
        assert fig.axes[0].get_window_extent(renderer).width / fig.dpi > 3.0  # inches; 2.2 beside the legend before
    assert tuple(fig.get_size_inches()) == pytest.approx((width_in, 3.4))


def _drawn_figures(monkeypatch, tmp_path, scenario):
    """Every figure a run writes, as Figure objects (save_figure is wrapped to keep them)."""
    import sim.figures
    import sim.plot

    kept = {}
    save = sim.plot.save_figure

    def keep(fig, path):
        kept[path.stem] = fig
        return save(fig, path)

    monkeypatch.setattr(sim.plot, "save_figure", keep)  # write_figures imports it when called
    sim.figures.write_figures(simulate_scenario(scenario), tmp_path)
    return kept


def _renderer(fig):
    """A renderer to measure ``fig`` as it was saved: not drawn again, since the constrained layout
    moves things on a second draw (a title clipped in the PNG fitted after a redraw)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return FigureCanvasAgg(fig).get_renderer()


def _texts(fig):
    """Visible texts other than tick labels (matplotlib keeps labels of ticks outside the view, undrawn)."""
    from matplotlib.text import Text

    ticks = {id(t) for ax in fig.axes for t in [*ax.get_xticklabels(which="both"), *ax.get_yticklabels(which="both")]}
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in ticks]


def _inside(extent, box):
    return extent.x0 >= box.x0 - 1 and extent.y0 >= box.y0 - 1 and extent.x1 <= box.x1 + 1 and extent.y1 <= box.y1 + 1


@pytest.mark.parametrize("scenario", ["river-city", "interstate-corridor"])
def test_no_text_is_clipped_and_legends_stay_off_the_axes(monkeypatch, tmp_path, scenario):
    from sim.scenario import load_scenario

    shrunk = load_scenario(PROJECT / "scenarios" / f"{scenario}.toml",
                           overrides=["demand.trips=400", "metrics.pair_samples=50"])
    figures = _drawn_figures(monkeypatch, tmp_path, shrunk)
    assert {"map", "coverage", "reads_per_trip", "areas"} <= set(figures)
    for name, fig in figures.items():
        renderer = _renderer(fig)
        box = fig.bbox
        for text in _texts(fig):
            assert _inside(text.get_window_extent(renderer), box), (name, text.get_text())
        for ax in fig.axes:  # the drawn ticks and their labels
            for axis in (ax.xaxis, ax.yaxis):
                extent = axis.get_tightbbox(renderer)
                assert extent is None or _inside(extent, box), (name, axis.__name__)
        for legend in fig.legends:
            frame = legend.get_window_extent(renderer)
            for ax in fig.axes:
                labels = [ax.xaxis.label, *ax.get_xticklabels()]
                for label in labels:
                    if label.get_visible() and label.get_text():
                        assert not frame.overlaps(label.get_window_extent(renderer)), (name, label.get_text())


def test_sharing_graph_labels_sit_off_the_arrows(monkeypatch, tmp_path):
    from sim.scenario import load_scenario

    shrunk = load_scenario(PROJECT / "scenarios" / "interstate-corridor.toml", overrides=["demand.trips=400"])
    fig = _drawn_figures(monkeypatch, tmp_path, shrunk)["sharing"]
    renderer = _renderer(fig)
    ax = fig.axes[0]
    from matplotlib.path import Path

    def drawn(arrow):  # its path without the CLOSEPOLY vertex, which is a placeholder at (0, 0)
        path = arrow.get_path()
        keep = path.codes != Path.CLOSEPOLY
        return Path(path.vertices[keep], path.codes[keep])

    arrows = [drawn(a.arrow_patch) for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    labels = [a for a in ax.texts if getattr(a, "arrow_patch", None) is None and a.get_text()]
    assert len(arrows) >= 5 and len(labels) >= 8
    for label in labels:
        extent = label.get_window_extent(renderer)
        for arrow in arrows:
            assert not arrow.intersects_bbox(extent, filled=False), label.get_text()


def test_the_typical_trip_is_nearest_the_median_of_trips_sighted_twice():
    """A hand case: recalls 0.9, 0.1, 0.3, 0.5, 0.25 of trips sighted twice or more have median 0.3."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.figures import typical_trip

    table = pd.DataFrame({
        "view": "all",
        "trip_id": np.arange(8),
        "n_sightings": [2, 3, 1, 2, 4, 2, 2, 0],
        "route_recall": [0.9, 0.1, 0.31, 0.3, 0.5, 0.25, 0.29, 0.0],
        "length_m": [900, 900, 900, 6000, 900, 6000, 6000, 900],
    })
    kept = np.array([True, True, True, True, True, True, False, True])  # trip 6's route was not kept
    def fake(t, kept=None):
        return SimpleNamespace(view_table=lambda name="all": t, trips=table, routes=SimpleNamespace(kept=kept))

    t = typical_trip(fake(table, kept))
    assert (t.row, t.recall, t.median, t.n, t.who) == (3, 0.3, 0.3, 5, "sighted twice or more")
    long = typical_trip(fake(table, kept), longer_than_m=5000)  # trips 3 and 5 (0.3, 0.25): median 0.275, a tie
    assert (long.row, long.median, long.n) == (3, 0.275, 2)
    once = fake(table.assign(n_sightings=[1, 0, 0, 0, 1, 0, 0, 0]))
    assert typical_trip(once).who == "sighted once" and typical_trip(once).median == pytest.approx(0.7)
    unseen = fake(table.assign(n_sightings=0))
    assert typical_trip(unseen) is None


def test_the_map_draws_the_typical_trip_and_its_title_says_so(toy, tmp_path, monkeypatch):
    """The route drawn as rebuilt covers the share of the drawn trip's route that the title gives."""
    import sim.plot
    from sim.figures import typical_trip, write_figures

    t = typical_trip(toy)
    drawn = example_trip(toy)
    route = drawn["true_route"]
    assert np.array_equal(route, toy.routes.route(t.row))
    length = toy.net.edge_length
    covered = np.isin(route, drawn["recon_route"])
    assert length[route][covered].sum() / length[route].sum() == pytest.approx(t.recall, abs=1e-9)
    table = toy.trip_table[toy.trip_table["view"] == "all"]
    assert t.recall < table["route_recall"].max()  # on this toy run the best case is another trip
    titles = []
    real = sim.plot.map_figure
    monkeypatch.setattr(sim.plot, "map_figure", lambda *a, **k: titles.append(k["title"]) or real(*a, **k))
    write_figures(toy, tmp_path)
    assert f"a typical trip — {t.recall:.0%} of its route rebuilt" in titles[0]
    assert f"the median of the {t.n:,} trips sighted twice or more" in titles[0]


def test_a_comparison_band_stays_within_0_and_100_percent():
    """Three seeds of a share near 0 and near 1: the t-interval of their mean reaches past 0 and past 1, but no
    share can, so the band drawn stops at 0 % and 100 %."""
    import pandas as pd

    runs = pd.DataFrame({"cameras.count": [5, 5, 5, 10, 10, 10], "share_trips_read_ge1": [0.0, 0.0, 0.06,
                                                                                           0.94, 1.0, 1.0]})
    summary = summarise(runs, "cameras.count", "share_trips_read_ge1")
    assert summary["ci_low"].iloc[0] < 0 and summary["ci_high"].iloc[1] > 1  # (the case this is about)
    fig = placement_comparison_figure({"share_trips_read_ge1": summary}, "cameras.count", None)
    band = fig.axes[0].collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == 0.0 and band.max() == 100.0


def test_a_sweep_over_three_axes_draws_a_line_per_setting_not_an_average_over_one():
    """A sweep over the count, the strategy and the read rate: a line per (strategy, rate), each the mean of
    its own seeds. The figure used to average the read rates together as if they were seeds."""
    import pandas as pd

    from sim.sweep import comparison_lines

    rng = np.random.default_rng(0)
    runs = pd.DataFrame([{"cameras.count": n, "cameras.strategy": s, "reads.read_rate": r, "seed": seed,
                          "share_trips_read_ge1": rng.uniform(0, 1)}
                         for n in (5, 10) for s in ("greedy", "random") for r in (0.8, 0.9) for seed in (1, 2, 3)])
    table, x, group = comparison_lines(runs, ("cameras.count", "cameras.strategy", "reads.read_rate"))
    summary = summarise(table, x, "share_trips_read_ge1", group)
    assert x == "cameras.count" and len(summary) == 8 and (summary["n"] == 3).all()
    for row in summary.itertuples(index=False):  # each line's mean is its three seeds' (by hand, from the rows)
        strategy, rate = row[0].split(" / ")
        mine = [r["share_trips_read_ge1"] for r in runs.to_dict("records") if r["cameras.strategy"] == strategy
                and str(r["reads.read_rate"]) == rate and r["cameras.count"] == row[1]]
        assert row.mean == pytest.approx(sum(mine) / 3, abs=1e-12)
    fig = placement_comparison_figure({"share_trips_read_ge1": summary}, x, group)
    assert len(fig.axes[0].get_lines()) == 4


@pytest.mark.parametrize("values, title", [
    ([0.2, 0.4, 0.5, 0.7], "Placements compared: mean of n = 2 seeds (dots), 95 % confidence band"),
    ([0.2, 0.4, np.nan, 0.7], "Placements compared: mean of n = 1–2 seeds (dots), 95 % confidence band"),
])
def test_the_comparison_says_how_many_seeds_and_draws_each(values, title):
    """Two seeds at each of 5 and 10 cameras: the title says n = 2 (a run without a value makes it 1–2), and each
    seed's value is a dot: 20 % and 40 % at 5 cameras, 50 % and 70 % at 10, by hand."""
    import pandas as pd
    from matplotlib.collections import PathCollection

    runs = pd.DataFrame({"cameras.count": [5, 5, 10, 10], "seed": [1, 2, 1, 2], "share_trips_read_ge1": values})
    summary = summarise(runs, "cameras.count", "share_trips_read_ge1")
    fig = placement_comparison_figure({"share_trips_read_ge1": summary}, "cameras.count", None)
    assert fig.get_suptitle() == title
    (dots,) = [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
    drawn = [(5.0, 20.0), (5.0, 40.0), (10.0, 50.0), (10.0, 70.0)]
    assert sorted(map(tuple, dots.get_offsets().tolist())) == pytest.approx([p for p, v in zip(drawn, values)
                                                                             if not np.isnan(v)])
    one = summarise(runs[runs["seed"] == 1], "cameras.count", "share_trips_read_ge1")
    fig = placement_comparison_figure({"share_trips_read_ge1": one}, "cameras.count", None)
    assert fig.get_suptitle() == "Placements compared: n = 1 seed, no confidence band"


def test_lines_past_the_eighth_are_dashed_not_a_repeated_colour():
    import pandas as pd

    runs = pd.DataFrame({"cameras.count": np.tile([5, 10], 10), "cameras.strategy": np.repeat([f"s{i}" for i in
                                                                                             range(10)], 2),
                         "share_trips_read_ge1": np.linspace(0.1, 0.9, 20)})
    fig = placement_comparison_figure({"share_trips_read_ge1": summarise(runs, "cameras.count",
                                                                          "share_trips_read_ge1",
                                                                          "cameras.strategy")},
                                      "cameras.count", "cameras.strategy")
    looks = [(line.get_color(), line.get_linestyle()) for line in fig.axes[0].get_lines()]
    assert len(looks) == 10 and len(set(looks)) == 10
    assert looks[8] == (looks[0][0], "--")


def test_comparison_ticks_a_count_of_cameras_at_whole_numbers_only():
    """3 and 4 cameras were ticked at 2.8, 3.2 … in between (helper-32 saw 12.5 and 17.5 cameras); a setting that
    is not a count (a read rate) keeps its fractional ticks."""
    import pandas as pd

    def ticks(column, values):
        runs = pd.DataFrame({column: values * 2, "share_trips_read_ge1": np.linspace(0.1, 0.8, 2 * len(values))})
        fig = placement_comparison_figure({"share_trips_read_ge1": summarise(runs, column, "share_trips_read_ge1",
                                                                             None)}, column, None)
        fig.canvas.draw()  # (ticks are placed when drawn)
        return fig.axes[0].get_xticks()

    counts = ticks("cameras.count", [3, 4])
    assert len(counts) >= 2 and all(float(t).is_integer() for t in counts), counts
    rates = ticks("cameras.read_rate", [0.5, 0.9])
    assert not all(float(t).is_integer() for t in rates), rates


def test_the_map_draws_every_read_its_rebuilt_route_runs_to():
    """patrol-vs-fixed's typical trip was rebuilt on to a patrol car's read of the car parked 5 minutes later, and
    the map drew the route running past its last read with no read at its end (helper-32). The rebuilt route's
    first and last edges are now reads on the map (the trip's own, or the car's other read joined to it, drawn
    grey and counted in the legend)."""
    from sim import load_scenario

    sim = simulate_scenario(load_scenario(PROJECT / "scenarios" / "patrol-vs-fixed.toml"))
    trip = example_trip(sim)
    drawn = set(trip["read_edges"].tolist()) | set(trip["other_read_edges"].tolist())
    assert {int(trip["recon_route"][0]), int(trip["recon_route"][-1])} <= drawn
    assert len(trip["other_read_edges"]) >= 1  # (this run's typical trip has one: a parked read)
    fig = map_figure(sim.net, watch_pairs(sim.layout, sim.net)[1], **trip)
    labels = [text.get_text() for legend in [*fig.legends, *(ax.get_legend() for ax in fig.axes)] if legend
              for text in legend.get_texts()]
    assert any(label.startswith("another read of the car, joined to this trip (") for label in labels), labels


def test_the_zoomed_panel_draws_the_trips_reads_and_the_cars_other_reads_too():
    """The close-up of a small district showed the trip's reads but not the car's other reads joined to the trip
    (grey on the map): both are on it now, grey ones once, without a second legend entry."""
    from matplotlib.collections import PathCollection

    net, edges, operators, cameras = _grid_with_cameras()
    corner = np.isin(net.edge_u, [0]) ^ np.isin(net.edge_v, [0])
    read, other = np.flatnonzero(corner)[:1], np.flatnonzero(corner)[1:2]
    fig = map_figure(net, edges, camera_operator=operators, district_edges=np.flatnonzero(corner),
                     read_edges=read, other_read_edges=other)
    map_ax, inset = fig.axes

    def grey_dots(ax):
        return [c for c in ax.collections if isinstance(c, PathCollection)
                and np.allclose(c.get_facecolor()[0][:3], 0xBB / 255)]

    assert len(grey_dots(map_ax)) == len(grey_dots(inset)) == 1
    assert len(grey_dots(inset)[0].get_offsets()) == 1
    labels = [h.get_label() for h in fig.legends[0].legend_handles]
    assert sum(label.startswith("another read of the car") for label in labels) == 1



def test_sharing_figure_folds_more_than_ten_agencies_alike_into_one_node():
    """Norfolk's 80 agencies that reach the reads through one pool drew 80 nodes (a figure 4,125 px tall): more
    than ten alike (the same sources, seeing the same share) are one node, named as the report's table names them;
    an agency with other access keeps its own node."""
    from sim.access import access_graph

    federal = [{"name": f"agency-{i:02d}", "kind": "federal", "access": ["pool"]} for i in range(12)]
    graph = access_graph([{"name": "county", "retention_days": 730}],
                         [*federal, {"name": "city-pd", "kind": "local", "access": ["county"]}],
                         [{"from": "county", "to": "pool"}])
    seen = {a["name"]: {"share_reads_visible": 1.0} for a in federal} | {"city-pd": {"share_reads_visible": 1.0}}
    fig = sharing_graph_figure(graph, seen)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "12 agencies alike  (100% of reads)\n(agency-00, agency-01, …)" in labels
    assert "city-pd  (100% of reads)" in labels and not any(t.startswith("agency-0") for t in labels)
    assert fig.get_size_inches()[1] == 3.0  # two agency nodes: the least height, not 12 rows'


def test_a_folded_group_of_the_sharing_figure_is_named_as_the_report_names_it():
    """helper-37: the figure named a group by its alphabetically first agencies, the report's table by the
    metrics' order (a sharing list's): "12 agencies alike (norfolk-pd, a-so, …)" in both."""
    from sim.access import access_graph

    names = ["norfolk-pd", *(f"{c}-so" for c in "abcdefghijk")]
    graph = access_graph([{"name": "county", "retention_days": 730}],
                         [{"name": n, "kind": "local", "access": ["pool"]} for n in names],
                         [{"from": "county", "to": "pool"}])
    seen = {n: {"share_reads_visible": 1.0} for n in names}
    labels = [t.get_text() for t in sharing_graph_figure(graph, seen).axes[0].texts]
    assert "all 12 agencies  (100% of reads)\n(norfolk-pd, a-so, …)" in labels, labels


def test_reads_per_trip_figure_counts_sightings_as_the_report_does():
    """helper-38: with duplicate reads the bars counted rows (57.6 % of trips "read twice") where the report's
    share_trips_read_ge2 counts sightings (53 %). Hand case: trip 0 logged twice at one pass (one sighting), trip 1
    sighted twice, trip 2 once, trip 3 never: bars 25 % at 0, 50 % at 1, 25 % at 2."""
    import pandas as pd

    table = pd.DataFrame({"n_reads": [2, 2, 1, 0], "n_sightings": [1, 2, 1, 0],
                          "route_recall": [0.5, 1.0, 0.3, 0.0]})
    ax = reads_per_trip_figure(table).axes[0]
    heights = {round(bar.get_x() + bar.get_width() / 2): round(bar.get_height(), 6) for bar in ax.patches}
    assert heights == {0: 25.0, 1: 50.0, 2: 25.0}
    assert "sightings per trip" in ax.get_xlabel()
    # above the one-sighting bar, the mean recall of trips 0 and 2
    assert "recall 40%" in [t.get_text() for t in ax.texts]


def test_coverage_figure_greys_roads_too_few_trips_drove(toy):
    """helper-38: the darkest roads were roads 1–3 trips drove. A road fewer than min_trips trips drove is drawn
    grey, not coloured by its share; the coloured roads are exactly those min_trips or more drove (counted here
    from the routes, each trip once per road)."""
    sim = toy
    table = sim.trip_table[sim.trip_table["view"] == "all"]
    read = table["n_reads"].to_numpy() >= 1
    trips_of = [set() for _ in range(sim.net.n_edges)]
    for t in range(len(sim.routes.offsets) - 1):
        for e in sim.routes.route(t):
            trips_of[int(e)].add(t)
    through = np.array([len(s) for s in trips_of])
    fig = coverage_figure(sim.net, sim.routes.edges, sim.routes.trip_of_edge(), read,
                          watch_pairs(sim.layout, sim.net)[1], min_trips=3)
    coloured = [c for c in fig.axes[0].collections if c.get_array() is not None and len(c.get_array())]
    assert len(coloured) == 1 and len(coloured[0].get_array()) == int((through >= 3).sum()) > 0
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "fewer than 3 trips: too few to tell" in labels
