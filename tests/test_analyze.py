"""Real reads: ``curtain analyze`` counts equal a direct pandas computation; bad rows are reported by line."""

from __future__ import annotations

import bz2
import gzip
import json
import re

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from scipy import stats
from typer.testing import CliRunner

from sim.analyze import run_analysis
from sim.cli import app
from sim.cli_tables import analysis_table
from sim.io.reads import ReadsError, read_reads_file

from conftest import straight_road

@pytest.fixture(scope="module")
def seattle(tmp_path_factory):
    from conftest import dataset_path

    path = dataset_path("seattle-spd-reads")  # (skips, saying why, when it is not at hand)
    out = tmp_path_factory.mktemp("seattle") / "out"
    result = CliRunner().invoke(app, ["analyze", "data:seattle-spd-reads", "-o", str(out)])
    assert result.exit_code == 0, result.output
    direct = pd.read_csv(path, sep="|", dtype=str, keep_default_na=False)
    return out, direct


def test_seattle_counts_equal_pandas(seattle):
    out, direct = seattle
    metrics = json.loads((out / "metrics.json").read_text())
    per_plate = direct["plate_hash"].value_counts()
    assert metrics["n_rows"] == metrics["n_reads"] == len(direct) == 93_490
    assert metrics["n_plates"] == direct["plate_hash"].nunique()
    assert metrics["share_plates_read_once"] == pytest.approx((per_plate == 1).mean())
    assert metrics["reads_per_plate_shares"]["2"] == pytest.approx((per_plate == 2).mean())
    assert metrics["reads_per_device"] == direct["device"].value_counts().to_dict()
    assert metrics["n_devices"] == 9
    no_location = direct["lon"].eq("NA") | direct["lat"].eq("NA")
    assert metrics["n_reads_without_location"] == int(no_location.sum())
    assert metrics["reads_without_location_by_device"] == direct.loc[no_location, "device"].value_counts().to_dict()
    # reads per device and day
    when = pd.to_datetime(direct["dt"], format="%m/%d/%Y - %H:%M:%S")
    expected = direct.assign(date=when.dt.strftime("%Y-%m-%d")).groupby(["device", "date"]).size()
    table = pd.read_parquet(out / "reads_per_device_day.parquet").set_index(["camera_id", "date"])["n_reads"]
    assert table.sort_index().to_dict() == expected.sort_index().to_dict()
    # the median device-day: docs/validation.md's 1,530 (quartiles 1,000-2,650)
    assert metrics["reads_per_device_day_median"] == expected.median() == 1529.5
    assert metrics["reads_per_device_day_median_n"] == len(expected)
    assert metrics["n_days"] == when.dt.normalize().nunique() == 8
    # days on which a plate was seen
    days = direct.assign(day=when.dt.normalize()).groupby("plate_hash")["day"].nunique()
    assert metrics["share_plates_seen_on_2plus_days"] == pytest.approx((days >= 2).mean())


def test_seattle_uniqueness_is_a_share_of_the_plates_with_k_points_and_of_all(seattle):
    """helper-38: "86 %, out of 5,000" was 86 % of the 10,943 plates with 2+ points, about 14 % of all 68,188. The
    plates with k distinct (place, hour) points, counted with pandas (a place: the device, plus its ≈100 m cell
    when the read has a location), are the plates each share is of."""
    out, direct = seattle
    metrics = json.loads((out / "metrics.json").read_text())
    when = pd.to_datetime(direct["dt"], format="%m/%d/%Y - %H:%M:%S").dt.floor("h")
    located = direct["lon"].ne("NA") & direct["lat"].ne("NA")
    lon = pd.to_numeric(direct["lon"].where(located), errors="coerce")
    lat = pd.to_numeric(direct["lat"].where(located), errors="coerce")
    cell = (np.round(lon / 0.001) * 0.001).map("{:.3f}".format) + "," + (np.round(lat / 0.001) * 0.001).map(
        "{:.3f}".format)
    place = direct["device"].where(~located, direct["device"] + "@" + cell)
    points = pd.DataFrame({"plate": direct["plate_hash"], "place": place, "hour": when}).drop_duplicates()
    per_plate = points.groupby("plate").size()
    n_plates = direct["plate_hash"].nunique()
    assert metrics["uniqueness_n_plates"] == n_plates == 68_188
    for k in range(1, 6):
        eligible = int((per_plate >= k).sum())
        assert metrics[f"uniqueness_k{k}_eligible"] == eligible, k
        assert metrics[f"uniqueness_k{k}_n"] == min(eligible, 5_000), k
        assert metrics[f"uniqueness_k{k}_of_all"] == pytest.approx(metrics[f"uniqueness_k{k}"] * eligible / n_plates)
    assert metrics["uniqueness_k2_eligible"] == 10_943
    assert 0.13 < metrics["uniqueness_k2_of_all"] < 0.15 < 0.8 < metrics["uniqueness_k2"]
    page = " ".join((out / "report.html").read_text().split())
    assert "of the 10,943 plates with 2+ points (5,000 drawn)</td>" in page
    assert "of all 68,188 plates</td>" in page


def test_seattle_output_has_the_run_layout(seattle):
    out, direct = seattle
    for name in ("reads.parquet", "metrics.json", "report.html", "analysis.toml", "malformed_rows.csv",
                 "figures/reads_per_device_day.png", "figures/plate_repeats.png", "figures/reads_map.png"):
        assert (out / name).is_file(), name
    reads = pd.read_parquet(out / "reads.parquet")
    assert {"read_id", "camera_id", "plate_read", "time_s", "timestamp"} <= set(reads.columns)
    # the repeat-gap median is the median over plates of consecutive time differences
    when = pd.to_datetime(direct["dt"], format="%m/%d/%Y - %H:%M:%S")
    frame = pd.DataFrame({"p": direct["plate_hash"], "t": when}).sort_values(["p", "t"])
    gaps = frame.groupby("p")["t"].diff().dropna().dt.total_seconds()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["repeat_gap_h_median"] == pytest.approx(gaps.median() / 3600)


def test_seattle_report_is_the_logs_and_every_share_has_its_denominator_and_interval(seattle):
    """helper-32: the analysis report said "Simulated with …", showed one key number of the thirteen the terminal
    prints, called a trace's points cameras, and metrics.json's shares had no ``_n`` or ``_ci``. Checked against
    the file read directly with pandas."""
    out, direct = seattle
    metrics = json.loads((out / "metrics.json").read_text())
    shares = [k for k, v in metrics.items() if (k.startswith("share_") or k.startswith("uniqueness_k"))
              and isinstance(v, float) and not k.endswith("_ci")]
    assert {"share_plates_read_once", "share_reads_without_location", "uniqueness_k2"} <= set(shares)
    for key in shares:
        assert isinstance(metrics[f"{key}_n"], int) and len(metrics[f"{key}_ci"]) == 2, key
        low, high = metrics[f"{key}_ci"]
        assert low <= metrics[key] <= high, key
    assert metrics["share_plates_read_once_n"] == direct["plate_hash"].nunique()
    assert metrics["share_reads_without_location_n"] == len(direct)
    page = (out / "report.html").read_text()
    assert "Analysed with Curtain" in page and "Simulated with" not in page
    for label in ("distinct plates", "plates read once", "reads per device per day (mean)",
                  "reads per device-day (median over days it read)", "reads without a location"):
        assert f"<td>{label}</td>" in page, label
    assert f"{direct['plate_hash'].nunique():,}" in page
    assert "random (place, hour) points" in page and "(camera, hour)" not in page


BAD_ROWS = """plate;timestamp;camera;longitude;latitude
AB123;2021-10-01 08:00:00;cam-1;-122.30;47.60
AB123;yesterday;cam-1;-122.30;47.60
CD456;2021-10-01 08:10:00;cam-2;north;47.61
;2021-10-01 08:20:00;cam-2;-122.31;47.61
CD456;2021-10-02 09:00:00;cam-1;NA;NA
"""


def test_malformed_rows_are_reported_with_line_numbers(tmp_path):
    path = tmp_path / "reads.csv"
    path.write_text(BAD_ROWS)
    analysis = run_analysis(path, tmp_path / "out", figures=False)
    malformed = pd.read_csv(tmp_path / "out" / "malformed_rows.csv")
    assert malformed[["line", "column"]].values.tolist() == [[3, "time"], [4, "lon/lat"], [5, "plate"]]
    m = analysis.metrics
    assert (m["n_rows"], m["n_rows_left_out"], m["n_reads"]) == (5, 2, 3)
    assert m["malformed_rows"]["missing plate"] == {"n_rows": 1, "lines": [5]}
    # the row with a bad location is kept for plate statistics, without a location
    assert m["n_reads_without_location"] == 2
    assert (m["n_plates"], m["share_plates_read_once"]) == (2, 0.5)
    assert analysis.source.columns == {"plate": "plate", "time": "timestamp", "device": "camera",
                                       "lon": "longitude", "lat": "latitude"}


def test_columns_by_name_and_parquet_alike(tmp_path):
    frame = pd.DataFrame({"Kennzeichen": ["A", "A", "B"], "Zeit": ["01.10.2021 08:00:00", "01.10.2021 09:00:00",
                                                                   "02.10.2021 10:00:00"], "Geraet": ["x", "y", "x"]})
    columns = {"plate": "Kennzeichen", "time": "Zeit", "device": "Geraet"}
    frame.to_csv(tmp_path / "r.tsv", sep="\t", index=False)
    frame.to_parquet(tmp_path / "r.parquet")
    a = read_reads_file(tmp_path / "r.tsv", columns=columns)
    b = read_reads_file(tmp_path / "r.parquet", columns=columns)
    assert a.time_format == b.time_format == "%d.%m.%Y %H:%M:%S"
    pd.testing.assert_frame_equal(a.reads.drop(columns="line"), b.reads.drop(columns="line"))
    assert a.reads["time_s"].tolist() == [8 * 3600.0, 9 * 3600.0, 34 * 3600.0]
    with pytest.raises(ReadsError, match=r"column 'Plate' \(given for plate\) is not in the file"):
        read_reads_file(tmp_path / "r.tsv", columns={"plate": "Plate"})
    with pytest.raises(ReadsError, match="match none of the known formats.*--time-format"):
        read_reads_file(tmp_path / "r.tsv", columns={**columns, "time": "Geraet"})
    # a format given that no timestamp matches would leave every row out: refused, with the format that fits
    with pytest.raises(ReadsError, match=r"no timestamp matches the time format '%Y'.*'01.10.2021 08:00:00'.*"
                                         r"look like '%d.%m.%Y %H:%M:%S'"):
        read_reads_file(tmp_path / "r.tsv", columns=columns, time_format="%Y")
    # one that fits some rows keeps them, and lists the rest as malformed
    some = read_reads_file(tmp_path / "r.tsv", columns=columns, time_format="%d.%m.%Y %H:%M:%S")
    assert len(some.reads) == 3



def test_a_time_format_that_fits_only_rows_past_the_first_thousand_keeps_them(tmp_path):
    """A log of two exports appended: 1,000 rows stamped 01.10.2021 08:00:00, then 2 stamped 2021-10-01 09:00:00.
    Given the second format, the 2 rows that fit are kept and the 1,000 listed as malformed; only a format no row
    of the whole file fits is refused (the first 1,000 rows are a sample for guessing, not for refusing)."""
    frame = pd.DataFrame({"plate": [f"A{i}" for i in range(1000)] + ["B0", "B1"],
                          "timestamp": ["01.10.2021 08:00:00"] * 1000 + ["2021-10-01 09:00:00"] * 2,
                          "camera": ["c1"] * 1002})
    frame.to_csv(tmp_path / "r.csv", index=False)
    log = read_reads_file(tmp_path / "r.csv", time_format="%Y-%m-%d %H:%M:%S")
    assert log.reads["plate_read"].tolist() == ["B0", "B1"] and log.problems["n_rows_bad_timestamp"] == 1000
    with pytest.raises(ReadsError, match="no timestamp matches the time format '%H:%M'"):
        read_reads_file(tmp_path / "r.csv", time_format="%H:%M")


def test_a_time_format_no_row_fits_is_refused_in_one_exact_sentence(tmp_path):
    """Three rows stamped like 01.10.2021 08:00:00, read with --time-format '%Y' (a bare year: no row fits). The
    message, whole: the file, the format, the first timestamp as an example, the known format the file's stamps
    fit ('%d.%m.%Y %H:%M:%S', the only one of TIME_FORMATS with day.month.year), and where to set it. Stamps that
    no known format fits either (8h00 on day 1) get the same sentence without the hint."""
    path = tmp_path / "r.csv"
    stamps = ["01.10.2021 08:00:00", "01.10.2021 09:00:00", "02.10.2021 10:00:00"]
    pd.DataFrame({"plate": ["A", "B", "C"], "device": ["x", "y", "x"], "time": stamps}).to_csv(path, index=False)
    with pytest.raises(ReadsError) as caught:
        read_reads_file(path, time_format="%Y")
    assert str(caught.value) == (f"{path}: no timestamp matches the time format '%Y' (e.g. '01.10.2021 08:00:00'); "
                                 "the file's look like '%d.%m.%Y %H:%M:%S', or leave the format out to detect it "
                                 "(--time-format / reads.time_format)")
    stamps = ["8h00 on day 1", "9h00 on day 1"]
    pd.DataFrame({"plate": ["A", "B"], "device": ["x", "y"], "time": stamps}).to_csv(path, index=False)
    with pytest.raises(ReadsError) as caught:
        read_reads_file(path, time_format="%Y")
    assert str(caught.value) == (f"{path}: no timestamp matches the time format '%Y' (e.g. '8h00 on day 1') "
                                 "(--time-format / reads.time_format)")


def test_the_analysis_table_gives_a_share_a_tenth_of_a_percent_where_its_interval_is_narrow():
    """A share of 0.5 whose 95 % interval is 49.7 %-50.3 % (both ends 50 % in whole percents) shows as 50.0 %, as
    `curtain run` shows such a share; the same share with no interval is 50 %, and a count stays a count."""
    def shown(metrics):
        console = Console(record=True, width=160)
        console.print(analysis_table(metrics, "t"))
        return console.export_text()

    narrow = shown({"n_plates": 1200, "uniqueness_k2": 0.5, "uniqueness_k2_ci": [0.497, 0.503]})
    assert re.search(r"plates singled out by 2 random \(place, hour\) points, of those with 2\+ points\s*│\s*50\.0% ",
                     narrow), narrow
    assert re.search(r"distinct plates\s*│\s*1,200 ", narrow), narrow
    assert re.search(r"points\s*│\s*50% ", shown({"uniqueness_k2": 0.5}))
    # a median's interval in the value's own format (was 1323.000–2092.000 beside 1,530: helper-33)
    median = shown({"reads_per_device_day_median": 1529.5, "reads_per_device_day_median_ci": [1323.0, 2092.0]})
    assert re.search(r"│\s*1,530 │\s*1,323–2,092 │", median), median


def test_snapped_reads_rebuild_a_trip(tmp_path, caplog):
    """Reads along a straight road snap to the edges under them (checked by hand); the plate's trip is rebuilt."""
    from pyproj import Transformer

    net = straight_road([1000.0] * 4)  # 10 m/s; EPSG:32618, x along the road, y = 0
    to_lonlat = Transformer.from_crs(net.crs, "EPSG:4326", always_xy=True)
    x = np.array([500.0, 1500.0, 2500.0, 2500.0])
    y = np.array([5.0, 5.0, 5.0, 400.0])  # the last read is 400 m off the road
    lon, lat = to_lonlat.transform(x, y)
    frame = pd.DataFrame({"plate": ["P1", "P1", "P1", "P2"],
                          "timestamp": pd.to_datetime(["2021-10-01 08:00:00", "2021-10-01 08:01:40",
                                                       "2021-10-01 08:03:20", "2021-10-01 08:00:00"]),
                          "device": "car", "lon": lon, "lat": lat})
    frame.to_csv(tmp_path / "r.csv", index=False)
    analysis = run_analysis(tmp_path / "r.csv", tmp_path / "out", net=net, max_snap_m=50, figures=False)
    reads = analysis.reads.sort_values("line")
    snapped = [(net.nodes[net.edge_u[e]], net.nodes[net.edge_v[e]]) if e >= 0 else None for e in reads["edge"]]
    assert [sorted(s) if s else None for s in snapped] == [[0, 1], [1, 2], [2, 3], None]
    assert reads["snap_m"].iloc[:3].tolist() == pytest.approx([5.0, 5.0, 5.0], abs=0.01)
    m = analysis.metrics
    assert (m["n_reads_snapped"], m["n_reads_not_snapped"]) == (3, 1)
    assert m["n_recon_trips_2plus_reads"] == 1
    # P1's three reads are one trip of two reads or more; P2 has none: 1 of 2 plates, with its n and interval
    assert (m["share_plates_with_2plus_read_trip"], m["share_plates_with_2plus_read_trip_n"]) == (0.5, 2)
    assert m["share_plates_with_2plus_read_trip_ci"] == pytest.approx(stats.binomtest(1, 2).proportion_ci(
        0.95, method="wilson")[:2])
    assert (tmp_path / "out" / "recon_trips.parquet").is_file()
    # the same reads 10 km from the road: none snaps, which the log says, and the table shows the counts
    far_lon, far_lat = to_lonlat.transform(x, y + 10_000)
    frame.assign(lon=far_lon, lat=far_lat).to_csv(tmp_path / "far.csv", index=False)
    with caplog.at_level("WARNING", logger="sim.analyze"):
        far = run_analysis(tmp_path / "far.csv", tmp_path / "far", net=net, max_snap_m=50, figures=False)
    assert (far.metrics["n_reads_snapped"], far.metrics["n_reads_not_snapped"]) == (0, 4)
    # helper-38: no read on the roads gave a share of 0 with no n nor interval; nothing was measured: null, and why
    assert far.metrics["share_plates_with_2plus_read_trip"] is None
    assert far.metrics["share_plates_with_2plus_read_trip_reason"] == ("no read lies on the network's roads "
                                                                       "(n_reads_snapped = 0)")
    assert far.metrics["recon_trip_km_median_reason"] == "no trip was rebuilt from two reads or more"
    assert "none of the 4 located reads is within 50 m of a road" in caplog.text
    console = Console(record=True, width=100)
    console.print(analysis_table(far.metrics, "far"))
    shown = console.export_text()
    assert re.search(r"reads on the network's roads\s*│\s*0 ", shown)
    assert re.search(r"reads located off the network's roads\s*│\s*4 ", shown)
    assert re.search(r"plates read once\s*│\s*50% ", shown)  # a share in percent, as `curtain run` gives it
    # reads without any location: the warning says that, not that the network is the wrong one
    frame.drop(columns=["lon", "lat"]).to_csv(tmp_path / "nowhere.csv", index=False)
    caplog.clear()
    with caplog.at_level("WARNING", logger="sim.analyze"):
        run_analysis(tmp_path / "nowhere.csv", tmp_path / "nowhere", net=net, max_snap_m=50, figures=False)
    assert "no read has a location" in caplog.text and "is it the network" not in caplog.text


def test_scenario_with_reads_from_a_file(tmp_path):
    from sim import ScenarioError
    from sim.runner import run_scenario, simulate_scenario
    from sim.scenario import load_scenario

    (tmp_path / "r.csv").write_text(BAD_ROWS)
    path = tmp_path / "s.toml"
    path.write_text('name = "real"\n[reads]\nsource = "file"\npath = "r.csv"\n')
    scenario = load_scenario(path)
    result = run_scenario(scenario, tmp_path / "out")
    assert result.metrics["n_reads"] == 3
    assert (tmp_path / "out" / "figures" / "plate_repeats.png").is_file()
    with pytest.raises(ScenarioError, match="nothing to simulate"):
        simulate_scenario(scenario)
    path.write_text('[reads]\nsource = "file"\n')
    with pytest.raises(ScenarioError, match="needs path"):
        load_scenario(path)
    path.write_text('[reads]\nplate = "x"\n')
    with pytest.raises(ScenarioError, match='plate apply only to source = "file"'):
        load_scenario(path)


def test_cli_analyze_errors_are_one_line(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    result = CliRunner().invoke(app, ["analyze", str(tmp_path / "x.csv"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "no column found for plate, time, device" in result.output
    assert not (tmp_path / "o").exists()


def test_a_quote_never_closed_is_named_with_its_line_not_blamed_on_the_delimiter(tmp_path):
    """helper-35: a reads CSV with an unterminated quote said "set the delimiter explicitly" (the wrong fix) and
    "row 3" for line 4 of the file. It names the line and the quote."""
    path = tmp_path / "reads.csv"
    path.write_text('plate,time,camera\nABC,2024-01-01 10:00,c1\nDEF,2024-01-01 10:05,"c2\nGHI,2024-01-01 10:10,c3\n')
    with pytest.raises(ReadsError, match=r'reads\.csv, line 3: a quotation mark \("\) opens a field that is never '
                                         "closed; close it or remove it$"):
        read_reads_file(path)


def test_reads_after_midnight_of_a_one_day_log_are_counted_but_make_no_second_day(tmp_path):
    """helper-35 analysed a one-day run's own reads: 32 of 9,507 read after midnight (trips begun in the evening)
    made "days 2", halved the reads per device per day (119, where the run said 238) and put every device's line
    at 0 on the second day. A last day with under 1 % of an average day's reads is counted as reads, not as a day:
    by hand, 2 devices reading 300 and 100 on the day, and 1 read after midnight."""
    lines = ["plate,time,camera"]
    lines += [f"P{i % 50},2024-01-01 {8 + i // 60:02d}:{i % 60:02d}:00,{'a' if i < 300 else 'b'}" for i in range(400)]
    lines.append("P1,2024-01-02 00:20:00,a")
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    m = run_analysis(tmp_path / "r.csv", tmp_path / "out", figures=False).metrics
    assert m["n_reads"] == 401 and m["n_days"] == 1
    assert m["n_reads_on_days_left_out"] == 1 and m["days_left_out"] == {"2024-01-02": 1}
    assert m["reads_per_device_per_day_mean"] == 200.0  # (300 + 100) / 2 devices / 1 day
    assert m["reads_per_device_day_median"] == 200.0  # the median of 300 and 100
    assert m["share_plates_seen_on_2plus_days"] is None and "one day" in m["share_plates_seen_on_2plus_days_reason"]
    per_day = pd.read_parquet(tmp_path / "out" / "reads_per_device_day.parquet")
    assert set(per_day["date"]) == {"2024-01-01"}


def test_the_map_of_reads_says_so_when_no_read_has_a_location():
    """helper-35: a log without locations drew an empty pair of axes (-0.04 to 0.04). It says there is nothing to
    map, and why."""
    from sim.plot_reads import reads_location_figure

    reads = pd.DataFrame({"camera_id": ["a", "b"], "lon": [np.nan, np.nan], "lat": [np.nan, np.nan]})
    texts = [t.get_text() for t in reads_location_figure(reads).axes[0].texts]
    assert texts == ["none of the 2 reads has a location (longitude and latitude):\nthere is nothing to map"]
    located = reads.assign(lon=[-122.3, -122.31], lat=[47.6, 47.61])
    assert len(reads_location_figure(located).axes[0].texts) == 0


def test_left_out_days_change_no_per_day_number(tmp_path):
    """helper-37's review of the left-out days, by hand: two days of reading (2024-01-02 by devices a and b, 2024-01-03
    by a) with disjoint plates, a read on 2024-01-01 and two after midnight on 2024-01-04, one of them by a device
    (z) that read on no other day. first_day is the first day of reading, no plate was seen on two days of
    reading, and the mean is over the devices that read on them: (300 + 100 + 400) / (2 devices * 2 days)."""
    lines = ["plate,time,camera", "Q0,2024-01-01 23:50:00,a"]
    lines += [f"P{i % 40},2024-01-02 {8 + i // 60:02d}:{i % 60:02d}:00,{'a' if i < 300 else 'b'}" for i in range(400)]
    lines += [f"R{i % 40},2024-01-03 {8 + i // 60:02d}:{i % 60:02d}:00,a" for i in range(400)]
    lines += ["R1,2024-01-04 00:10:00,a", "R2,2024-01-04 00:20:00,z"]
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    m = run_analysis(tmp_path / "r.csv", tmp_path / "out", figures=False).metrics
    assert (m["n_days"], m["first_day"]) == (2, "2024-01-02")
    assert m["days_left_out"] == {"2024-01-01": 1, "2024-01-04": 2} and m["n_reads_on_days_left_out"] == 3
    assert m["share_plates_seen_on_2plus_days"] == 0.0 and m["share_plates_seen_on_2plus_days_n"] == 80
    assert m["reads_per_device_per_day_mean"] == 200.0
    assert m["n_devices"] == 3  # (z's read still counts: it is a device of the log)


def test_the_unclosed_quote_is_found_on_its_line_after_a_field_that_spans_lines(tmp_path):
    """helper-37: after a quoted field spanning lines 3 and 4 (closed), the quote that never closes is on line 5;
    pandas' row number said line 4."""
    path = tmp_path / "reads.csv"
    path.write_text('plate,time,camera\nA,2024-01-01 10:00,c1\n"B\nX",2024-01-01 10:05,c2\n'
                    'C,2024-01-01 10:10,"c3\nD,2024-01-01 10:15,c4\n')
    with pytest.raises(ReadsError, match=r"reads\.csv, line 5: a quotation mark"):
        read_reads_file(path)


def test_a_reads_file_with_a_header_and_no_row_says_so(tmp_path):
    """helper-37: a header-only CSV said no timestamp matched a known format and asked for --time-format."""
    path = tmp_path / "reads.csv"
    path.write_text("plate,time,camera\n")
    with pytest.raises(ReadsError, match=r"reads\.csv: the file has its header \(plate, time, camera\) but no row"):
        read_reads_file(path)


def _cut_short(path, compress):
    """``path`` holding the first half of a compressed reads CSV of 2,000 rows (an interrupted download)."""
    rows = "".join(f"P{i},2024-01-01 {i // 100 % 24:02d}:{i % 60:02d}:00,c{i % 7}\n" for i in range(2000))
    whole = compress(("plate,time,camera\n" + rows).encode())
    path.write_bytes(whole[: len(whole) // 2])
    return path


@pytest.mark.parametrize("name, compress", [("reads.csv.gz", gzip.compress),
                                            ("reads.csv.bz2", bz2.compress)])
def test_a_truncated_compressed_file_says_so_not_the_delimiter(tmp_path, name, compress):
    """helper-38: the first 3,000 bytes of the Seattle .gz said "not a readable CSV with delimiter '|' (Compressed
    file ended …); set the delimiter explicitly": the wrong fix. It names the file and says to download it again."""
    path = _cut_short(tmp_path / name, compress)
    with pytest.raises(ReadsError, match=rf"{re.escape(name)}: the compressed file is truncated or corrupt \(.*\); "
                                         "download it again$") as caught:
        read_reads_file(path)
    assert "delimiter" not in str(caught.value)


def test_a_gz_file_damaged_inside_says_so(tmp_path):
    """A bit flipped in the stored CRC (the header still reads): corrupt, not a delimiter problem."""
    whole = bytearray(gzip.compress(b"plate,time,camera\nA,2024-01-01 10:00,c1\n"))
    whole[-6] ^= 0xFF  # (the CRC-32 of the data: its last 8 bytes are CRC then size)
    (tmp_path / "reads.csv.gz").write_bytes(bytes(whole))
    with pytest.raises(ReadsError, match=r"truncated or corrupt \(CRC check failed.*download it again$"):
        read_reads_file(tmp_path / "reads.csv.gz")


@pytest.mark.parametrize("name", ["reads.csv.gz", "reads.csv.bz2"])
def test_a_plain_csv_named_as_compressed_says_to_rename_it(tmp_path, name):
    """helper-41: a plain CSV named .gz was called truncated or corrupt, to be downloaded again, which would not
    help."""
    (tmp_path / name).write_text("plate,time,camera\nA,2024-01-01 10:00,c1\n")
    suffix = name.rsplit(".", 1)[1]
    with pytest.raises(ReadsError, match=rf"is not {'gzip' if suffix == 'gz' else 'bzip2'}-compressed, though its "
                                         rf"name ends in \.{suffix}; rename it without \.{suffix}$"):
        read_reads_file(tmp_path / name)


def test_an_empty_reads_file_says_it_is_empty(tmp_path):
    """helper-38: an empty CSV said "the first line has no ',', '|', ';' or tab; is it a CSV file with a header?"."""
    (tmp_path / "reads.csv").write_text("")
    with pytest.raises(ReadsError, match=r"reads\.csv: the file is empty; a reads file starts with a header line"):
        read_reads_file(tmp_path / "reads.csv")
    result = CliRunner().invoke(app, ["analyze", str(tmp_path / "reads.csv"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1 and "the file is empty" in result.output and "Traceback" not in result.output


def test_uniqueness_of_a_log_says_which_plates_it_is_a_share_of(tmp_path):
    """helper-38: the Seattle analysis put "plates singled out by 2 points 86 %, out of 5,000" beside "plates read
    once 83.9 %": 86 % of the 10,943 plates with 2+ points (5,000 drawn), about 14 % of all 68,188. By hand, five
    plates, every draw forced: A and D hold the same two points (c1 at 8 h, c2 at 9 h), B one of them, C two reads
    in one hour at c3 (one point), E two points no one else holds. Of the three plates with 2 points only E is
    singled out by 2 (1/3); of all five, 1/5. By 1 point: C and E, 2 of 5. By 3: none has 3 points."""
    rows = ["plate,time,camera,lon,lat",
            "A,2024-01-01 08:00:00,c1,NA,NA", "A,2024-01-01 09:00:00,c2,NA,NA",
            "B,2024-01-01 08:10:00,c1,NA,NA",
            "C,2024-01-01 10:00:00,c3,NA,NA", "C,2024-01-01 10:30:00,c3,NA,NA",
            "D,2024-01-01 08:20:00,c1,NA,NA", "D,2024-01-01 09:20:00,c2,NA,NA",
            "E,2024-01-01 11:00:00,car,-122.3001,47.6004", "E,2024-01-01 12:00:00,car,-122.3101,47.6104"]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n")
    m = run_analysis(tmp_path / "r.csv", tmp_path / "out", figures=False).metrics
    assert m["uniqueness_n_plates"] == 5
    assert (m["uniqueness_k2"], m["uniqueness_k2_n"], m["uniqueness_k2_eligible"]) == (pytest.approx(1 / 3), 3, 3)
    assert (m["uniqueness_k2_of_all"], m["uniqueness_k2_of_all_n"]) == (pytest.approx(1 / 5), 5)
    assert m["uniqueness_k1"] == pytest.approx(2 / 5) and m["uniqueness_k1_of_all"] == pytest.approx(2 / 5)
    assert m["uniqueness_k1_eligible"] == 5
    assert m["uniqueness_k3"] is None and m["uniqueness_k3_eligible"] == 0 and m["uniqueness_k3_of_all"] == 0.0
    for k in range(1, 6):  # every share with its denominator and interval
        low, high = m[f"uniqueness_k{k}_of_all_ci"]
        assert low <= m[f"uniqueness_k{k}_of_all"] <= high
    # 7 of the 9 reads have no location: their place is the device alone
    assert m["n_reads_without_location"] == 7 and m["share_reads_without_location"] == pytest.approx(7 / 9)
    text = " ".join(_printed(analysis_table(m, "log")).split())
    assert "plates singled out by 2 random (place, hour) points, of all 5 plates │ 20%" in text
    assert "plates singled out by 2 random (place, hour) points, of the 3 plates with 2+ points │ 33%" in text
    assert "share of reads without a location, whose place is their device alone" in text
    page = (tmp_path / "out" / "report.html").read_text()
    assert "of the 3 plates with 2+ points</td>" in page and "drawn" not in page  # (none left undrawn)
    assert "The 7 reads without a location (78% of 9) have their device alone as their place" in page


def _printed(table):
    console = Console(width=300, record=True)
    console.print(table)
    return console.export_text()
