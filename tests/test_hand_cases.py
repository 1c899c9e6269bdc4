"""Published numbers against cases worked out by hand (each expected value is derived in the docstring or comment,
never computed with the code's own helpers): uniqueness through person_metrics, trip summary shares, the
whole-of-movements boundary, first-read delay, next-camera top 3."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.metrics import person_metrics
from sim.metrics.trips import movements_located, summary_metrics
from sim.reconstruct import sighting_ids
from sim.runner import simulate_scenario

from conftest import filed_under, small_scenario, straight_road

HOUR = 3600.0


def test_uniqueness_through_person_metrics_on_four_plates():
    """A and B share both their points (c1 at hour 0, c2 at hour 1; A's c1 pass is logged twice, 2 s apart);
    C has two points of its own (c3 hour 0, c4 hour 5); D one (c5 hour 2).
    U(1): of the 4 plates, A's and B's single points are always shared, C's and D's never: 2/4.
    U(2): of the 3 plates with 2 points, only C's pair is its own: 1/3. Over all 4 plates: 1/4."""
    rows = [("A", "c1", 0.5 * HOUR), ("A", "c1", 0.5 * HOUR + 2), ("A", "c2", 1.5 * HOUR),
            ("B", "c1", 0.2 * HOUR), ("B", "c2", 1.2 * HOUR),
            ("C", "c3", 0.1 * HOUR), ("C", "c4", 5.1 * HOUR), ("D", "c5", 2.5 * HOUR)]
    reads = pd.DataFrame(rows, columns=["plate_read", "camera_id", "time_s"])
    reads = reads.assign(edge=0, vehicle_id=reads["plate_read"].map({"A": 0, "B": 1, "C": 2, "D": 3}), trip_id=0)
    trips = pd.DataFrame({"trip_id": [0], "vehicle_id": [0], "origin": [0], "destination": [1], "depart_s": [0.0]})
    sighting = sighting_ids(reads["plate_read"].to_numpy(), reads["camera_id"].to_numpy(), reads["time_s"].to_numpy())
    for seed in range(3):  # whichever points are drawn
        m, tables = person_metrics(reads, trips, straight_road([1000.0]), 1, np.random.default_rng(seed),
                                   sighting=sighting)
        assert (m["uniqueness_k1"], m["uniqueness_k1_n"], m["uniqueness_k1_of_all"]) == (0.5, 4, 0.5)
        assert (m["uniqueness_k2"], m["uniqueness_k2_n"]) == (pytest.approx(1 / 3), 3)
        assert (m["uniqueness_k2_of_all"], m["uniqueness_k2_of_all_n"]) == (pytest.approx(0.25), 4)
        assert m["uniqueness_k3"] is None  # nobody has 3 points
        two = tables["vehicle_uniqueness"].query("k == 2").set_index("plate")["unique"]
        assert two.to_dict() == {"A": False, "B": False, "C": True}


def hand_table():
    """Three trips. Vehicle 0: 1 km, wholly rebuilt (recall 1, precision 1), sighted 3 times, both ends placed;
    3 km, never sighted. Vehicle 1: 2 km, half rebuilt (recall 0.5, precision 0.8), sighted once, origin
    200 m and destination 400 m off (OD error 300 m), 60 s lags."""
    table = pd.DataFrame({
        "length_m": [1000.0, 3000.0, 2000.0], "n_reads": [3, 0, 1], "n_sightings": [3, 0, 1],
        "route_recall": [1.0, 0.0, 0.5], "route_precision": [1.0, np.nan, 0.8], "od_error_m": [0.0, np.nan, 300.0],
        "origin_error_m": [0.0, np.nan, 200.0], "destination_error_m": [0.0, np.nan, 400.0],
        "start_lag_s": [10.0, np.nan, 60.0], "end_lag_s": [10.0, np.nan, 60.0]})
    trips = pd.DataFrame({"vehicle_id": [0, 0, 1], "depart_s": [0.0, 5000.0, 100.0]})
    reads = pd.DataFrame({"plate_read": ["A", "A", "A", "B"]})
    return table, trips, reads


def test_the_trip_summary_on_three_hand_made_trips():
    table, trips, reads = hand_table()
    m = summary_metrics(table, reads, trips, 2, 1)
    assert m["route_recall_mean"] == pytest.approx(0.5)          # (1 + 0 + 0.5) / 3
    assert m["route_precision_mean"] == pytest.approx(0.9)       # (1 + 0.8) / 2: the unsighted trip has none
    assert m["route_recall_mean_ge2"] == 1.0                      # only the first trip is sighted twice
    assert m["route_precision_mean_ge2"] == 1.0
    assert m["share_trips_route_recovered"] == pytest.approx(1 / 3)
    assert (m["share_trips_read_ge1"], m["share_trips_read_ge2"]) == (pytest.approx(2 / 3), pytest.approx(1 / 3))
    assert m["od_error_m_median"] == 150.0                        # median of 0 and 300
    # kilometres: vehicle 0 has 1 of 4 km (0.25), vehicle 1 has 1 of 2 (0.5): median 0.375, none at 90 %
    assert m["vehicle_km_recovered_median"] == pytest.approx(0.375)
    assert (m["share_vehicles_km_recovered_ge90"], m["share_vehicles_km_recovered_ge90_n"]) == (0.0, 2)
    # located: trips 1 and 3 (2/3); vehicle 0 has 1 of 2 trips, vehicle 1 has 1 of 1: half the vehicles
    assert m["share_trips_located"] == pytest.approx(2 / 3)
    assert m["share_vehicles_movements_located_ge90"] == 0.5
    # vehicle-days: vehicle 0's day 0 has an unplaced trip, vehicle 1's day 0 has none: 1 of 2
    assert (m["share_vehicle_days_located"], m["share_vehicle_days_located_n"]) == (0.5, 2)
    # plates: A read 3 times, B once (no sightings given: each read its own)
    assert m["share_plates_read_once"] == 0.5
    assert m["reads_per_vehicle_per_day"] == 2.0                  # 4 reads, 2 vehicles, 1 day
    # residents only: vehicle 1 alone
    alone = summary_metrics(table, reads, trips, 2, 1, residents=np.array([1]))
    assert alone["share_vehicles_movements_located_ge90"] == 1.0 and alone["vehicle_km_recovered_median"] == 0.5


def test_nine_trips_of_ten_placed_is_the_virtual_whole():
    """A vehicle with 10 trips, 9 of them placed within 500 m and 15 min, reaches 90 % exactly and counts; a
    vehicle with 8 of 10 does not. A trip 501 m or 901 s off is not placed."""
    placed = [0.0] * 9 + [501.0]
    lags = [30.0] * 10
    fewer = [0.0] * 8 + [600.0, 0.0]
    late = [30.0] * 9 + [901.0]
    table = pd.DataFrame({"origin_error_m": placed + fewer, "destination_error_m": [0.0] * 20,
                          "start_lag_s": lags + lags, "end_lag_s": lags + late})
    trips = pd.DataFrame({"vehicle_id": [0] * 10 + [1] * 10, "depart_s": np.arange(20) * 86_400.0})
    m = movements_located(table, trips)
    assert m["share_trips_located"] == pytest.approx(17 / 20)
    assert m["share_vehicles_movements_located_ge90"] == 0.5
    assert m["share_vehicle_days_located"] == pytest.approx(17 / 20)  # each trip its own day


def test_the_published_first_read_delay_is_the_median_of_the_delays_counted_in_plain_python():
    sim = simulate_scenario(small_scenario())
    first = {}
    for trip, time_s in zip(sim.reads["trip_id"], sim.reads["time_s"]):
        if trip >= 0:
            first[trip] = min(first.get(trip, np.inf), time_s)
    depart = dict(zip(sim.trips["trip_id"], sim.trips["depart_s"]))
    delays = sorted(first[t] - depart[t] for t in first)
    n = len(delays)
    median = delays[n // 2] if n % 2 else (delays[n // 2 - 1] + delays[n // 2]) / 2
    assert sim.metrics["time_to_first_read_s_median"] == pytest.approx(median)
    assert np.mean(delays) != pytest.approx(median)  # the case tells the median from the mean


def test_misread_matching_scored_on_six_reads():
    """Vehicle 0 (ABC1234) is read three times, once as ABC1284, which matching puts back on ABC1234: one misread,
    recovered. Vehicle 2 (ABC1236), read once, is moved onto ABC1235 (vehicle 1's plate): two cars merged. Two
    reads moved, one of them wrongly: 0.5."""
    from sim.metrics.quality import misread_matching

    reads = pd.DataFrame({"vehicle_id": [0, 0, 0, 1, 1, 2],
                          "plate_read": ["ABC1234", "ABC1284", "ABC1234", "ABC1235", "ABC1235", "ABC1236"]})
    trips = pd.DataFrame({"vehicle_id": [0, 1, 2], "plate": ["ABC1234", "ABC1235", "ABC1236"]})
    recon = filed_under(["ABC1234", "ABC1234", "ABC1234", "ABC1235", "ABC1235", "ABC1235"], [0] * 6)
    m = misread_matching(reads, trips, recon)
    assert (m["n_misreads"], m["share_misreads_recovered"], m["share_misreads_recovered_n"]) == (1, 1.0, 1)
    assert (m["n_matched"], m["share_matches_wrong"], m["share_matches_wrong_n"]) == (2, 0.5, 2)


def test_trip_split_accuracy_on_four_reads_of_one_plate():
    """Plate A's reads in time order belong to trips 0, 0, 1, 2; the reconstruction put them in 0, 0, 0, 1.
    Pairs: (1st, 2nd) same trip, judged same: right; (2nd, 3rd) new trip, judged same: wrong; (3rd, 4th) new
    trip, judged new: right. 2 of 3."""
    from sim.metrics.quality import trip_split_accuracy

    reads = pd.DataFrame({"time_s": [50.0, 150.0, 300.0, 9000.0], "trip_id": [0, 0, 1, 2]})
    recon = filed_under(["A"] * 4, [0, 0, 0, 1])
    m = trip_split_accuracy(reads, recon)
    assert (m["trip_split_accuracy"], m["trip_split_accuracy_n"]) == (pytest.approx(2 / 3), 3)


TWO_OPERATORS = """
name = "two-operators"
seed = 3
[network]
rows = 8
cols = 8
[cameras]
strategy = "random"
count = 10
site = "edge"
min_spacing_m = 0
operator = "city"
[[camera_groups]]
strategy = "random"
count = 10
site = "edge"
min_spacing_m = 0
operator = "county"
prefix = "cty"
[demand]
trips = 600
[metrics]
pair_samples = 20
[[operators]]
name = "city"
[[operators]]
name = "county"
[[agencies]]
name = "county-police"
kind = "local-police"
access = ["county"]
"""


def test_an_agency_that_sees_one_operator_counted_by_hand(tmp_path):
    """The county police search the county's cameras only: its share of reads is the county cameras' reads
    (by the layout's operator column), and a trip is reconstructable for it when those reads hold two of the
    trip's passes (a pass: the plate at one camera, reads within 5 s chained), counted in plain Python."""
    from sim import load_scenario

    path = tmp_path / "two.toml"
    path.write_text(TWO_OPERATORS)
    sim = simulate_scenario(load_scenario(path))
    operator = dict(zip(sim.layout["camera_id"], sim.layout["operator"]))
    theirs = sim.reads[[operator[c] == "county" for c in sim.reads["camera_id"]]]
    agency = sim.metrics["agencies"]["county-police"]
    assert 0 < len(theirs) < len(sim.reads)
    assert agency["share_reads_visible"] == pytest.approx(len(theirs) / len(sim.reads))
    passes: dict[int, int] = {}
    last: dict[tuple[str, str], float] = {}
    for trip, plate, camera, t in sorted(zip(theirs["trip_id"], theirs["plate_read"], theirs["camera_id"],
                                             theirs["time_s"]), key=lambda r: (r[1], r[2], r[3])):
        if (plate, camera) not in last or t - last[(plate, camera)] > 5.0:
            passes[trip] = passes.get(trip, 0) + 1
        last[(plate, camera)] = t
    twice = sum(passes.get(t, 0) >= 2 for t in sim.trips["trip_id"])
    assert twice > 0
    assert agency["share_trips_reconstructable"] == pytest.approx(twice / len(sim.trips))
    assert agency["share_trips_reconstructable_n"] == len(sim.trips)


DAY = 86_400.0


def commute_reads(days=("XBC", "YBD", "XBC", "YBD"), extra=()):
    """One plate's reads: on day d the cameras of days[d], ten minutes apart from 8:00; ``extra`` more reads."""
    rows = [("AAA1111", cam, d * DAY + 8 * HOUR + i * 600) for d, seq in enumerate(days) for i, cam in enumerate(seq)]
    return pd.DataFrame([*rows, *extra], columns=["plate", "camera_id", "time_s"])


def test_next_camera_models_on_the_commute_by_hand():
    """Training (days 0-2): X B C, Y B D, X B C. Held out (day 3): Y B D X, i.e. Y→B, B→D and D→X.
    Order 1: after Y, B (right); after B, C (twice against D once: wrong); after D, X (right): 2 of 3; top 3 holds
    every one. Frequency baseline (the plate's most frequent next cameras in training, whatever the current one):
    B (3), C (2), then D, X, Y (1 each; ties in camera text order): top 1 is B: only Y→B; top 3 B, C, D: Y→B and
    B→D, not D→X: 2 of 3. Order 2: (C, Y)→B, (Y, B)→D, (B, D)→X were all seen in training: 3 of 3."""
    from sim.metrics import next_camera_accuracy, next_camera_hits, predictability

    reads = commute_reads(days=("XBC", "YBD", "XBC", "YBDX"))
    assert next_camera_hits(reads, n_days=4)["top1"].tolist() == [True, False, True]  # the default is order 1
    assert next_camera_accuracy(reads, n_days=4) == {"next_camera_top1_accuracy": pytest.approx(2 / 3),
                                                     "next_camera_top3_accuracy": 1.0, "n_transitions_scored": 3}
    summary, per_plate = predictability(reads, n_days=4)
    assert (summary["frequency"]["top1"], summary["frequency"]["top3"]) == (pytest.approx(1 / 3), pytest.approx(2 / 3))
    # per plate (predictability.parquet): the one plate's 3 transitions, its accuracies as shares
    mine = per_plate.set_index("model").loc["markov1"]
    assert (mine["plate"], mine["n_transitions"], mine["top1"], mine["top3"]) == ("AAA1111", 3, pytest.approx(2 / 3),
                                                                                  1.0)
    assert summary["markov1"]["n_vehicles"] == 1 and summary["markov1"]["n_transitions"] == 3
    assert (summary["markov1"]["top1"], summary["markov1"]["top3"]) == (pytest.approx(2 / 3), 1.0)
    assert summary["markov2"]["top1"] == 1.0


def test_a_read_after_the_last_midnight_belongs_to_the_last_day_and_one_day_scores_nothing():
    """A trip of the last day that ends after midnight: its read (E, day 4 at 00:10) is still the held-out day's
    (n_days = 4), so the held-out transitions are Y→B, B→D and D→E: 3. Reads of one day only, whichever day:
    nothing is held out, nothing is scored."""
    from sim.metrics import next_camera_accuracy, next_camera_hits

    late = commute_reads(extra=[("AAA1111", "E", 4 * DAY + 600)])
    assert len(next_camera_hits(late, n_days=4)) == 3
    one_day = commute_reads(days=("", "", "XBCD"))
    assert len(next_camera_hits(one_day)) == 0
    assert next_camera_accuracy(one_day) == {"next_camera_top1_accuracy": None, "next_camera_top3_accuracy": None,
                                             "n_transitions_scored": 0}


def test_an_agency_rebuilds_a_drive_from_its_own_cameras_only(tmp_path):
    """A straight road 0 → 4 of four 500 m segments; the city reads segments 0 and 2, the county segments 1 and
    3. Every car drives 0 → 4 once. From all reads a trip is rebuilt whole (recall 1); the county police see
    segments 1 and 3 only, and join them by the fastest path (segment 2): 1,500 of the 2,000 m (recall 0.75)."""
    import networkx as nx
    import osmnx as ox

    from sim import load_scenario
    from sim.cameras import make_layout

    net = straight_road([500.0] * 4)
    ox.save_graphml(nx.MultiDiGraph(net.graph), tmp_path / "road.graphml")
    city = make_layout(net, np.array([net.edge_id(0, 1), net.edge_id(2, 3)]), read_rate=1.0, operator="city")
    county = make_layout(net, np.array([net.edge_id(1, 2), net.edge_id(3, 4)]), read_rate=1.0, operator="county")
    county["camera_id"] = ["cty-1", "cty-2"]
    pd.concat([city, county]).to_csv(tmp_path / "cameras.csv", index=False)
    pd.DataFrame({"trip_id": range(5), "vehicle_id": range(5), "origin": 0, "destination": 4,
                  "depart_s": [3600.0 * (8 + i) for i in range(5)]}).to_csv(tmp_path / "trips.csv", index=False)
    (tmp_path / "road.toml").write_text('''name = "road"
seed = 1
[network]
source = "graphml"
path = "road.graphml"
[cameras]
strategy = "file"
path = "cameras.csv"
[demand]
model = "file"
path = "trips.csv"
[traffic]
route_noise = 0
[[operators]]
name = "city"
[[operators]]
name = "county"
[[agencies]]
name = "county-police"
kind = "local-police"
access = ["county"]
''')
    sim = simulate_scenario(load_scenario(tmp_path / "road.toml"))
    assert len(sim.reads) == 5 * 4  # every camera reads every car
    assert sim.metrics["route_recall_mean"] == pytest.approx(1.0)
    agency = sim.metrics["agencies"]["county-police"]
    assert agency["share_reads_visible"] == pytest.approx(0.5)
    assert agency["route_recall_mean"] == pytest.approx(0.75)
    assert agency["route_recall_mean_n"] == 5

