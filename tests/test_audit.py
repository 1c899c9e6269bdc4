"""`curtain audit`: a search audit log counted — the Eugene, OR log against a direct pandas count, and bad logs."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.audit import AuditError, audit_metrics, read_audit_log
from sim.cli import app
from sim.io.folders import curtain_kind

from conftest import dataset_path


@pytest.fixture(scope="module")
def eugene():
    return dataset_path("eugene-search-audit")


def test_eugene_as_a_direct_pandas_count(eugene):
    raw = pd.read_csv(eugene)
    m = audit_metrics(read_audit_log(eugene))
    assert m["n_searches"] == len(raw) == 4_294
    assert m["share_searches_beyond_city"] == (raw["cameraCount"] > 1_000).mean()
    assert m["share_searches_national"] == (raw["cameraCount"] > 50_000).mean()
    assert m["share_searches_beyond_city_n"] == m["share_searches_national_n"] == 4_294
    days = pd.to_datetime(raw["searchDate"]).dt.normalize()
    n_days = (days.max() - days.min()).days + 1
    assert (m["n_days"], m["first_search"], m["last_search"]) == (n_days, "2025-06-18", "2025-12-02") == (
        168, "2025-06-18", "2025-12-02")
    assert m["searches_per_day"] == pytest.approx(4_294 / 168)  # 25.6 a day (../shared/FACTS.md)
    months = pd.to_datetime(raw["searchDate"]).dt.strftime("%Y-%m").value_counts()
    assert {k: sum(v.values()) for k, v in m["searches_by_month"].items()} == months.to_dict()
    assert sum(m["searches_by_reason"].values()) == 4_294
    # reasons counted whatever their case and with '+' for a space ("UUV" 778, "uuv" 10, "UUV+" 1)
    spelt = raw["reason"].fillna("").str.lower().str.replace("+", " ").str.strip()
    assert m["searches_by_reason"]["UUV"] == int((spelt == "uuv").sum()) == 789
    low, high = m["share_searches_beyond_city_ci"]
    assert low < m["share_searches_beyond_city"] < high
    assert m["n_users"] == raw["userId"].nunique()


def test_the_monthly_table_adds_up_to_the_headline_counts(eugene):
    """The Eugene log's 30.0 % beyond the city holds its national searches: rebuilt from the monthly table (state
    pool + national, summed over months) it is the same 1,289 searches, counted here straight from the log."""
    raw = pd.read_csv(eugene)
    m = audit_metrics(read_audit_log(eugene))
    total = {reach: sum(month[reach] for month in m["searches_by_month"].values())
             for reach in ("own", "state_pool", "national")}
    beyond, national = int((raw["cameraCount"] > 1_000).sum()), int((raw["cameraCount"] > 50_000).sum())
    assert (beyond, national) == (1_289, 45)
    assert total == {"own": 4_294 - beyond, "state_pool": beyond - national, "national": national}
    assert total["state_pool"] + total["national"] == round(m["share_searches_beyond_city"] * m["n_searches"])
    assert total["national"] == round(m["share_searches_national"] * m["n_searches"])


def test_the_figure_says_beyond_the_city_is_the_state_pool_and_the_national_network(tmp_path):
    """The bands are the three reaches of the monthly table, and the legend names them so: its middle band is the
    state pool alone (it used to be called "beyond the city", which the national band stacked above is too)."""
    from sim.audit import MONTHLY_REACHES
    from sim.plot_reads import AUDIT_REACHES, audit_figure

    assert AUDIT_REACHES == MONTHLY_REACHES == ("own", "state_pool", "national")  # (bottom to top)
    fig = audit_figure(audit_metrics(_log(tmp_path, HAND_LOG)))
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "national network (> 50,000)", "state pool (1,001–50,000 cameras)", "own cameras (≤ 1,000)"]
    assert legend.get_title().get_text() == "reach; beyond the city (> 1,000 cameras) = state pool + national"
    # February (28 days, 2 state-pool searches) is 2 / 28 a day, stacked on no own search
    heights = [[round(bar.get_height(), 6) for bar in bars] for bars in fig.axes[0].containers]
    assert heights == [[round(1 / 1, 6), 0.0, round(1 / 2, 6)], [0.0, round(2 / 28, 6), 0.0],
                       [0.0, 0.0, round(1 / 2, 6)]]
    # an audit folder written before the split names the state pool "beyond_city": its figure still draws
    metrics = audit_metrics(_log(tmp_path, HAND_LOG))
    metrics["searches_by_month"] = {m: {("beyond_city" if k == "state_pool" else k): v for k, v in row.items()}
                                    for m, row in metrics["searches_by_month"].items()}
    older = audit_figure(metrics)
    assert [[round(bar.get_height(), 6) for bar in bars] for bars in older.axes[0].containers] == heights


@pytest.mark.parametrize("spellings, expected", [
    # case and a '+' for a space: one reason, named by its most frequent spelling
    (["Person Crime"] * 3 + ["Person+Crime", "PERSON CRIME", "person crime "], {"Person Crime": 6}),
    (["investigation"] * 2 + ["Investigation", "investigation+"], {"investigation": 4}),
    # different words stay apart, however alike
    (["investigation", "investigative", "investigations"],
     {"investigation": 1, "investigations": 1, "investigative": 1}),
    # a reason of nothing but '+' and spaces is none given
    (["+", " ", "", "theft"], {"(none given)": 3, "theft": 1}),
])
def test_reasons_are_counted_whatever_their_case_and_plus_signs(tmp_path, spellings, expected):
    rows = [f"2025-01-01 10:00,5,{reason}" for reason in spellings]
    m = audit_metrics(_log(tmp_path, "searchDate,cameraCount,reason\n" + "\n".join(rows) + "\n"))
    assert m["searches_by_reason"] == expected


def test_curtain_audit_writes_the_folder(eugene, tmp_path):
    result = CliRunner().invoke(app, ["audit", "data:eugene-search-audit", "-o", str(tmp_path / "eugene")])
    assert result.exit_code == 0, result.output
    assert "4,294" in result.output and "25.6" in result.output
    m = json.loads((tmp_path / "eugene" / "metrics.json").read_text())
    assert m["n_searches"] == 4_294 and m["source"] == "eugene-search-audit"
    assert (tmp_path / "eugene" / "figures" / "searches.png").stat().st_size > 10_000
    assert sorted(p.name for p in (tmp_path / "eugene").iterdir()) == [".curtain", "figures", "metrics.json",
                                                                        "searches.parquet"]
    assert curtain_kind(tmp_path / "eugene") == "audit" and "versions" in m
    assert len(pd.read_parquet(tmp_path / "eugene" / "searches.parquet")) == 4_294


def test_columns_are_found_or_named_and_bad_rows_are_refused(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("Datum,Kameras,Grund\n2025-01-02 10:00,120,theft\n2025-01-04 11:00,3000,theft\n")
    with pytest.raises(AuditError, match="no column found for time, cameras; .* name them with --time COLUMN"):
        read_audit_log(log)
    table = read_audit_log(log, {"time": "Datum", "cameras": "Kameras", "reason": "Grund"})
    m = audit_metrics(table)
    assert (m["n_searches"], m["n_days"], m["share_searches_beyond_city"]) == (2, 3, 0.5)
    log.write_text("searchDate,cameraCount\n2025-01-02 10:00,120\nnot a date,5\n")
    with pytest.raises(AuditError, match="lines 3"):
        read_audit_log(log)
    (tmp_path / "cams.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(AuditError, match="not a CSV audit log"):
        read_audit_log(tmp_path / "cams.geojson")
    result = CliRunner().invoke(app, ["audit", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "audit log not found" in result.output


def _log(tmp_path, text: str, columns: dict[str, str] | None = None) -> pd.DataFrame:
    path = tmp_path / "log.csv"
    path.write_text(text)
    return read_audit_log(path, columns)


HAND_LOG = """searchDate,cameraCount,reason,userId
2025-01-31 23:59:59,1000,theft,u1
2025-02-01 00:00:00,1001,theft,u1
2025-02-03 12:00:00,50000,,u2
2025-03-02 08:00:00,50001,stolen car,u2
2025-03-02 09:00:00,0,theft,u3
"""


def test_a_hand_log_counted_by_hand(tmp_path):
    """Five searches worked out by hand: the thresholds are "more than" (1,000 cameras is the city's own, 1,001
    beyond it; 50,000 is beyond the city, 50,001 national); a search of 0 cameras is a search; January 31 to
    March 2, 2025 is 31 days; a blank reason is counted as "(none given)"."""
    m = audit_metrics(_log(tmp_path, HAND_LOG))
    assert (m["n_searches"], m["first_search"], m["last_search"], m["n_days"]) == (5, "2025-01-31", "2025-03-02", 31)
    assert m["searches_per_day"] == pytest.approx(5 / 31)
    assert (m["beyond_city_above_cameras"], m["national_above_cameras"]) == (1_000, 50_000)
    assert (m["share_searches_beyond_city"], m["share_searches_beyond_city_n"]) == (0.6, 5)
    assert (m["share_searches_national"], m["share_searches_national_n"]) == (0.2, 5)
    assert m["n_users"] == 3
    assert m["searches_by_reason"] == {"theft": 3, "(none given)": 1, "stolen car": 1}
    # by month, three reaches that do not overlap: 1,001 and 50,000 cameras are the state pool, 50,001 national
    assert m["searches_by_month"] == {"2025-01": {"own": 1, "state_pool": 0, "national": 0},
                                      "2025-02": {"own": 0, "state_pool": 2, "national": 0},
                                      "2025-03": {"own": 1, "state_pool": 0, "national": 1}}
    # clustered by user (u1: 0, 1; u2: 1, 1; u3: 0): the design effect 0.0624 / 0.048 = 1.3, so Wilson at
    # n = 5 / 1.3 = 3.85 rather than 5 (z = 1.96: [0.2001, 0.8999])
    assert m["share_searches_beyond_city_ci"] == pytest.approx([0.2001, 0.8999], abs=1e-4)
    # the same log with another delimiter (a reason holding a comma, as in real logs) counts the same
    for sep in ("|", ";", "\t"):
        piped = audit_metrics(_log(tmp_path, HAND_LOG.replace("stolen car", "stolen, car").replace(",", sep)
                                   .replace(f"stolen{sep} car", "stolen, car")))
        assert (piped["n_searches"], piped["share_searches_national"]) == (5, 0.2), sep
        assert piped["searches_by_reason"] == {"theft": 3, "(none given)": 1, "stolen, car": 1}, sep


def test_a_log_without_users_or_reasons(tmp_path):
    """No user column: no ``n_users``, and the searches are taken as independent (Wilson at n = 5: 3 of 5 is
    [0.2307, 0.8824], 1 of 5 is [0.0362, 0.6245]); no reason column: every search is "(none given)"."""
    text = "\n".join(",".join(line.split(",")[:2]) for line in HAND_LOG.splitlines()) + "\n"
    m = audit_metrics(_log(tmp_path, text))
    assert "n_users" not in m
    assert m["share_searches_beyond_city_ci"] == pytest.approx([0.2307, 0.8824], abs=1e-4)
    assert m["share_searches_national_ci"] == pytest.approx([0.0362, 0.6245], abs=1e-4)
    assert m["searches_by_reason"] == {"(none given)": 5}
    # one user named and another blank: not a log that names its users
    m = audit_metrics(_log(tmp_path, HAND_LOG.replace(",u3", ",")))
    assert "n_users" not in m and m["share_searches_beyond_city_ci"] == pytest.approx([0.2307, 0.8824], abs=1e-4)


@pytest.mark.parametrize("n_reasons, shown", [
    (12, {f"r{i:02d}": 13 - i for i in range(1, 13)}),                     # twelve: all by name, no "other"
    (14, {**{f"r{i:02d}": 15 - i for i in range(1, 13)}, "other": 2 + 1}),  # fourteen: the last two summed
])
def test_the_twelve_most_frequent_reasons_then_other(tmp_path, n_reasons, shown):
    """Reason r01 is given n times, r02 n − 1 times, …, the last once: the twelve most frequent are shown by
    name, the rest summed as "other"."""
    rows = [f"2025-01-01 10:00,5,r{i:02d}" for i in range(1, n_reasons + 1) for _ in range(n_reasons + 1 - i)]
    m = audit_metrics(_log(tmp_path, "searchDate,cameraCount,reason\n" + "\n".join(rows) + "\n"))
    assert m["searches_by_reason"] == shown


@pytest.mark.parametrize("role, name", [
    ("time", "searchDate"), ("time", "search_date"), ("time", "date"), ("time", "time"), ("time", "timestamp"),
    ("time", "searched_at"), ("time", "SEARCHDATE"),
    ("cameras", "cameraCount"), ("cameras", "camera_count"), ("cameras", "cameras"), ("cameras", "networkCount"),
    ("cameras", "n_cameras"),
    ("reason", "reason"), ("reason", "purpose"), ("reason", "caseReason"),
    ("user", "userId"), ("user", "user_id"), ("user", "user"), ("user", "officer"),
])
def test_each_column_is_found_under_each_of_its_names(tmp_path, role, name):
    """The names each column is found under (the Eugene log's, and common others), ignoring case: a log whose
    reason or user column goes unfound would count every search as "(none given)", or by no user."""
    header = {"time": "when", "cameras": "how_many", "reason": "why", "user": "who"} | {role: name}
    text = ",".join(header.values()) + "\n2025-03-01 10:00,2000,theft,u1\n2025-03-03 10:00,50,theft,u2\n"
    # the other required column named by hand; the one tried is found by itself
    m = audit_metrics(_log(tmp_path, text, {r: header[r] for r in ("time", "cameras") if r != role}))
    assert (m["n_searches"], m["n_days"], m["share_searches_beyond_city"]) == (2, 3, 0.5)
    assert m["searches_by_reason"] == ({"theft": 2} if role == "reason" else {"(none given)": 2})
    assert m.get("n_users") == (2 if role == "user" else None)
    # a log without a national search still counts them, as 0 a month
    assert m["searches_by_month"] == {"2025-03": {"own": 1, "state_pool": 1, "national": 0}}


def test_negative_camera_counts_and_blobs_without_line_breaks_are_refused(tmp_path):
    with pytest.raises(AuditError, match="lines 3"):
        _log(tmp_path, "searchDate,cameraCount\n2025-01-02 10:00,0\n2025-01-02 11:00,-1\n")
    with pytest.raises(AuditError, match="not a CSV audit log"):
        _log(tmp_path, "searchDate," + "x" * 5000)


def test_logs_that_are_not_csv_say_so(tmp_path):
    """A JSON array, a gzipped JSON file and a file not in UTF-8 are refused with what they are; six bad rows
    are named by their first five lines."""
    with pytest.raises(AuditError, match="not a CSV audit log"):
        _log(tmp_path, '[{"searchDate": "2025-01-02", "cameraCount": 5}]')
    with gzip.open(tmp_path / "log.csv.gz", "wt") as stream:
        stream.write('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(AuditError, match="not a CSV audit log"):
        read_audit_log(tmp_path / "log.csv.gz")
    (tmp_path / "latin.csv").write_bytes("searchDate,cameraCount,reason\n2025-01-02,5,Raub \xe4\n".encode("latin-1"))
    with pytest.raises(AuditError, match="not a readable CSV audit log"):
        read_audit_log(tmp_path / "latin.csv")
    with pytest.raises(AuditError, match=r"6 row\(s\) .*\(lines 2, 3, 4, 5, 6…\)"):
        _log(tmp_path, "searchDate,cameraCount\n" + "2025-01-02 10:00,-1\n" * 6)
