"""Defaults shared by the scenario schema and the stages, each with where it comes from."""

from __future__ import annotations

#: Default spacing of a camera group's sites, metres: the median distance from a mapped Norfolk, VA ALPR
#: site (cameras within 80 m merged into one site) to the nearest other site is 197 m in OpenStreetMap
#: (DeFlock export, 2025-10-04; ``tests/test_placement.py`` recomputes it from the registry's ``deflock-virginia``).
DEFAULT_MIN_SPACING_M = 200.0

#: Extra seconds beyond the fastest possible drive between two sightings before reconstruction takes them as two
#: trips (a stop of more than this splits); :func:`sim.reconstruct.reconstruct` and the misread matching share it.
DEFAULT_SLACK_S = 600.0

#: Whether reconstruction matches a plate read once to a plate one character away seen within ``window_s`` (as a
#: searcher's fuzzy plate search does); the scenario's ``reconstruct.misread_tolerance`` and
#: :func:`sim.reconstruct.reconstruct` share it.
DEFAULT_MISREAD_TOLERANCE = True

#: Vehicles whose routes a run keeps for the route metrics (``[metrics] route_sample``). On the Westchester day
#: (137,136 vehicles, 353,972 trips) 20,000 vehicles put the 95 % interval of ``route_recall_mean`` within
#: ±0.5 points (measured; docs/scale.md); every shipped scenario but westchester-sanctuary has fewer vehicles and
#: keeps every route.
DEFAULT_ROUTE_SAMPLE = 20_000
