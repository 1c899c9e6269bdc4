"""Defaults shared by the scenario schema and the stages, each with where it comes from."""

from __future__ import annotations

#: Default spacing of a camera group's sites, metres: the median distance from a mapped Norfolk, VA ALPR
#: site (cameras within 80 m merged into one site) to the nearest other site is 197 m in OpenStreetMap
#: (DeFlock export, 2025-10-04; ``tests/test_placement.py`` recomputes it from ``../shared/data/alpr``).
DEFAULT_MIN_SPACING_M = 200.0
