"""docs/validation.md: its numbers are recomputed here, so the page cannot go stale silently."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from sim.io.tntp import read_tntp_flows, read_tntp_links
from sim.metrics import volume_concentration
from sim.runner import simulate_scenario
from sim.scenario import load_scenario

from conftest import PROJECT

DOC = (PROJECT / "docs" / "validation.md").read_text(encoding="utf-8")


def doc_row(label: str) -> list[str]:
    """The cells of the table row of docs/validation.md that starts with ``label``."""
    for line in DOC.splitlines():
        if line.startswith(f"| {label}"):
            return [cell.strip() for cell in line.strip("|").split("|")]
    raise AssertionError(f"no row {label!r} in docs/validation.md")


def test_volume_concentration_by_hand():
    # four links of 1 km: volumes 0, 0, 0, 10 → the busiest quarter carries all, Gini = 3/4 by the formula
    # G = Σ_i Σ_j |x_i − x_j| / (2 n² mean) = (2·3·10) / (2·16·2.5)
    c = volume_concentration(np.array([0.0, 10.0, 0.0, 0.0]), np.ones(4), top=0.25)
    assert c == {"share_vkm_top": 1.0, "gini": pytest.approx(60 / 80)}
    x = np.array([1.0, 2.0, 3.0, 10.0, 4.0])
    brute = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert volume_concentration(x, np.ones(5))["gini"] == pytest.approx(brute)


@pytest.mark.parametrize("label, name", [
    ("SiouxFalls", "sioux-falls"), ("Anaheim", "anaheim"), ("Chicago-Sketch", "chicago-sketch")])
def test_tntp_rows_of_the_page(data, label, name):
    links, meta = read_tntp_links(data(f"{name}-net"))
    flows = read_tntp_flows(data(f"{name}-flow"))
    first = int(meta.get("FIRST THRU NODE", 1))
    table = links.merge(flows, left_on=["init_node", "term_node"], right_on=["from", "to"])
    if first > 1:  # centroid connectors are not roads
        table = table[(table["init_node"] >= first) & (table["term_node"] >= first)]
    c = volume_concentration(table["volume"].to_numpy(), table["length"].to_numpy())
    row = doc_row(label)
    assert row[1] == f"{len(table):,}"
    assert row[2] == f"{c['share_vkm_top']:.2f}" and row[3] == f"{c['gini']:.2f}"


COUNTY = """name = "county"
seed = 3
[network]
source = "synthetic"
kind = "county"
towns = 8
[cameras]
strategy = "volume"
count = 40
[demand]
model = "population"
vehicles = 4000
zone_km = 2.0
"""


@pytest.mark.parametrize("name, overrides", [("teaching-grid", []), ("norfolk-curtain", ["demand.days=1"]),
                                             ("county", [])])
def test_synthetic_rows_of_the_page(name, overrides, tmp_path):
    path = PROJECT / "scenarios" / f"{name}.toml"
    if name == "county":  # the synthetic county of docs/validation.md
        path = tmp_path / "county.toml"
        path.write_text(COUNTY)
    sim = simulate_scenario(load_scenario(path, overrides))
    volume = np.bincount(sim.routes.edges, minlength=sim.net.n_edges)
    c = volume_concentration(volume, sim.net.edge_length)
    row = doc_row(name)
    assert row[1] == f"{sim.net.n_edges:,}"
    assert row[2] == f"{c['share_vkm_top']:.2f}" and row[3] == f"{c['gini']:.2f}"


@pytest.mark.slow
def test_westchester_growth_rows_of_the_page(tmp_path):
    """346 vs 480 cameras at fixed traffic (two full Westchester runs: about 2 × 70 s)."""
    text = (PROJECT / "scenarios" / "westchester-sanctuary.toml").read_text()
    # (a quarter of the fleet, the scenario's default when the page was made)
    text = text.replace("target_reads_per_camera_per_day = 4820\n", "vehicles = 90459\nsample_share = 0.25\n")
    # cameras on the busiest roads of every route of the day, not of a route sample's
    text = text.replace("[output]\n", "[metrics]\nroute_sample = \"all\"\n\n[output]\n")
    weekly = {}
    for total, county in ((480, 400), (346, 266)):
        path = tmp_path / f"w{total}.toml"
        path.write_text(text.replace("count = 400", f"count = {county}"))
        m = simulate_scenario(load_scenario(path)).metrics
        weekly[total] = m["reads_per_camera_per_day_full_scale"] * total * 7
        row = doc_row(f"{total} cameras")
        assert row[1] == f"{m['reads_per_camera_per_day_full_scale']:,.0f}"
        assert row[2] == f"{weekly[total] / 1e6:.1f} M"


def test_portal_figures_read_as_published(data):
    """The portal table gives the April 2024 figures of ../shared/FACTS.md: median 526, 164-1,252, pooled 404."""
    from sim.io.flock import portal_reads_per_camera_day

    table = portal_reads_per_camera_day(data("flock-portal-usage"))
    per_day = table["reads_per_camera_per_day"].to_numpy()
    assert len(table) == 322
    assert round(float(np.median(per_day))) == 526
    assert [round(float(v)) for v in np.percentile(per_day, [10, 90])] == [164, 1252]
    raw = pd.read_csv(data("flock-portal-usage"))
    both = (pd.to_numeric(raw["number_of_owned_cameras"], errors="coerce") > 0) & (
        pd.to_numeric(raw["vehicles_detected_in_the_last_30_days"], errors="coerce") > 0)
    pooled = raw.loc[both, "vehicles_detected_in_the_last_30_days"].astype(float).sum() / raw.loc[
        both, "number_of_owned_cameras"].astype(float).sum() / 30
    assert round(pooled) == 404
    assert (table["cameras"] * table["reads_per_camera_per_day"] * 30).sum() == pytest.approx(
        raw.loc[both, "vehicles_detected_in_the_last_30_days"].astype(float).sum())


@pytest.mark.slow
def test_portal_rows_of_the_page(data):
    """Every library scenario with fixed cameras at its default size (about a minute): the rows of section 4."""
    import runpy

    data("flock-portal-usage")  # (skip, saying why, when it is not at hand)
    script = runpy.run_path(str(PROJECT / "docs" / "make_portal_comparison.py"))
    expected = script["table"](script["portal_values"](), script["scenario_values"]())
    page = (PROJECT / "docs" / "validation.md").read_text()
    assert expected in page


@pytest.mark.slow
def test_norfolk_header_gives_the_runs_own_reads_per_resident_day():
    """The table in scenarios/norfolk-curtain.toml's header is the default run's (the whole fleet: about 90 s)."""
    path = PROJECT / "scenarios" / "norfolk-curtain.toml"
    m = simulate_scenario(load_scenario(path)).metrics
    t = m["sightings_per_vehicle_day"]
    header = path.read_text()
    assert (f"#   median {t['p50']:g} | 75th percentile {t['p75']:g} | 90th {t['p90']:g} | 99th {t['p99']:g} | "
            f"most {t['max']} | mean {t['mean']:.2f}") in header
    assert f"#   {m['share_vehicle_days_sighted']:.0%} of resident-days have at least one sighting" in header
    assert f"{t['n_vehicle_days']:,} resident-days" in header
    per_camera = m.get("reads_per_camera_per_day_full_scale") or m["reads_per_camera_per_day"]
    assert f"This run: {per_camera:,.0f} a day per camera" in header


@pytest.mark.slow
def test_seattle_rows_of_the_page():
    """The simulated column of section 2 is the default seattle-patrol run's (about 45 s)."""
    from sim.metrics import log_profile

    scenario = load_scenario(PROJECT / "scenarios" / "seattle-patrol.toml")
    p = log_profile(simulate_scenario(scenario).reads, sample_share=scenario.demand.sample_share)
    days = p["reader_days"]
    q1, median, q3 = (float(np.percentile(days, q)) for q in (25, 50, 75))
    shares = p["reads_per_plate_shares"]
    page = (PROJECT / "docs" / "validation.md").read_text()
    assert f"| {median:,.0f} (quartiles {round(q1, -1):,.0f}–{round(q3, -1):,.0f}) |" in page
    def pct(value: float, digits: int = 0) -> str:
        return f"{value * 100:.{digits}f} %"

    assert f"| plates read exactly once | 84 % | {pct(p['share_plates_read_once'])} |" in page
    assert f"| {pct(shares['2'])} / {pct(shares['3'], 1)} / {pct(shares['4'], 1)} |" in page
    assert f"| 20 h | {np.median(p['repeat_gaps_s']) / 3600:.0f} h |" in page
    assert 1_000 <= median <= 2_650  # calibrated to Seattle's median reader-day (1,530): within its quartiles


def test_search_rows_of_the_page(data):
    """Section 5: the simulated Eugene-sized log beside the real one (a few seconds)."""
    import runpy

    data("eugene-search-audit")  # (skip, saying why, when it is not at hand)
    script = runpy.run_path(str(PROJECT / "docs" / "make_search_validation.py"))
    real, simulated = script["logs"]()
    expected = script["table"](script["summary"](real), script["summary"](simulated))
    page = (PROJECT / "docs" / "validation.md").read_text()
    assert expected in page
    # the real row is the log's own count, independent of the model: 4,294 searches, 25.6 a day
    assert "| searches | 4,294 |" in expected and "| searches a day | 25.6 |" in expected
