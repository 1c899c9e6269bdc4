"""docs/metrics.md: its crowd-size table is what the code computes now, at fixed coverage; every key
`curtain analyze` writes is defined in its "Real reads" section."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analyze import run_analysis

from conftest import straight_road

DOCS = Path(__file__).resolve().parents[1] / "docs"


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_crowd_size_rows_of_the_page():
    script = load_script("make_crowd_size")
    rows = script.crowd_rows()
    assert len({r["cameras"] for r in rows}) == 1  # the same cameras for every crowd: fixed coverage
    page = (DOCS / "metrics.md").read_text()
    assert script.table(rows) in page
    # the point of the figure: a bigger crowd hides a plate better (U(2) falls at every step)
    u2 = [r["u2"] for r in rows]
    assert all(a > b for a, b in zip(u2, u2[1:]))


def documented_name(key: str, keys: set[str]) -> str:
    """The name docs/metrics.md defines ``key`` under: a share's ``_n``, ``_ci`` or ``_reason`` under the share's,
    each K of ``uniqueness_kK…`` as K.

    >>> documented_name("uniqueness_k2_of_all_ci", {"uniqueness_k2_of_all"}), documented_name("n_rows", set())
    ('uniqueness_kK_of_all', 'n_rows')
    """
    for suffix in ("_n", "_ci", "_reason"):
        if key.endswith(suffix) and key.removesuffix(suffix) in keys:
            key = key.removesuffix(suffix)
    return re.sub(r"^uniqueness_k\d", "uniqueness_kK", key)


def test_every_key_analyze_writes_is_defined_in_the_real_reads_section(tmp_path):
    """helper-38: analyze's report says "docs/metrics.md says what each means", and the page defined none of its
    keys. A one-day log with and without locations, snapped to a road (so that every key is written, the network
    ones and a reason included), has each of its keys in the section, in backquotes."""
    from pyproj import Transformer

    net = straight_road([1000.0] * 4)
    lon, lat = Transformer.from_crs(net.crs, "EPSG:4326", always_xy=True).transform(
        np.array([500.0, 1500.0, 2500.0, 500.0]), np.array([5.0, 5.0, 5.0, 5.0]))
    frame = pd.DataFrame({"plate": ["P1", "P1", "P1", "P2"], "device": ["car", "car", "car", "pole"],
                          "timestamp": ["2021-10-01 08:00:00", "2021-10-01 08:01:40", "2021-10-01 08:03:20",
                                        "2021-10-01 09:00:00"],
                          "lon": [*lon[:3], np.nan], "lat": [*lat[:3], np.nan]})
    frame.to_csv(tmp_path / "r.csv", index=False)
    keys = set(run_analysis(tmp_path / "r.csv", tmp_path / "out", net=net, figures=False).metrics) | {
        "seed", "versions"}  # (written to metrics.json beside the analysis' own)
    assert {"share_plates_seen_on_2plus_days_reason", "recon_trip_km_median", "uniqueness_k2_eligible"} <= keys
    page = (DOCS / "metrics.md").read_text()
    section = page[page.index("## Real reads (`curtain analyze`"):]
    section = section[: section.index("\n## ")]
    missing = sorted({documented_name(k, keys) for k in keys} - set(re.findall(r"`([A-Za-z0-9_]+)`", section)))
    assert not missing, f"docs/metrics.md, section 'Real reads': define {missing}"
