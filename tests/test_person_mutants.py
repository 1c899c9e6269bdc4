"""Uniqueness, home and work inference against cases worked out by hand. Every expected value is derived in the
docstring or a comment, never with the code's own helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.metrics import trace_points, unique_plates


def points_frame(rows):
    """A searcher's reads from ``(plate, camera, time_s)``."""
    return pd.DataFrame(rows, columns=["plate", "camera_id", "time_s"])


def test_times_before_the_start_are_hours_too():
    """Reads at -1,800 s are in hour -1 (floor(-0.5)), not hour 0. A: (ca, hour -1) and (ca, hour 0); B: (ca, hour
    0); C: (cb, hour -1); D: (ca, hour 0) and (cb, hour 0). Points: A 2, B 1, C 1, D 2. U(2): A's (ca, -1) and D's
    (cb, 0) are theirs alone: 2 of 2. U(1): B's point is A's and D's too (not unique), C's is its own."""
    reads = points_frame([("A", "ca", -1800.0), ("A", "ca", 1800.0), ("B", "ca", 1800.0), ("C", "cb", -1800.0),
                          ("D", "ca", 1800.0), ("D", "cb", 1800.0)])
    assert trace_points(reads).to_dict() == {"A": 2, "B": 1, "C": 1, "D": 2}
    for seed in range(3):
        u = unique_plates(reads, [1, 2], np.random.default_rng(seed))
        one = u[1].set_index("plate")["unique"]
        assert sorted(one.index) == ["A", "B", "C", "D"] and not one["B"] and one["C"]
        assert u[2]["plate"].tolist() == ["A", "D"] and u[2]["unique"].all()
