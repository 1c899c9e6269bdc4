"""`curtain audit`: a search audit log counted — the Eugene, OR log against a direct pandas count, and bad logs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.audit import AuditError, audit_metrics, read_audit_log
from sim.cli import app

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
    assert m["searches_by_reason"]["UUV"] == int((raw["reason"] == "UUV").sum())
    low, high = m["share_searches_beyond_city_ci"]
    assert low < m["share_searches_beyond_city"] < high
    assert m["n_users"] == raw["userId"].nunique()


def test_curtain_audit_writes_the_folder(eugene, tmp_path):
    result = CliRunner().invoke(app, ["audit", "data:eugene-search-audit", "-o", str(tmp_path / "eugene")])
    assert result.exit_code == 0, result.output
    assert "4,294" in result.output and "25.6" in result.output
    m = json.loads((tmp_path / "eugene" / "metrics.json").read_text())
    assert m["n_searches"] == 4_294 and m["source"] == "eugene-search-audit"
    assert (tmp_path / "eugene" / "figures" / "searches.png").stat().st_size > 10_000
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
