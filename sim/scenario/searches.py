"""``[searches]``: who looks at the reads, how often, how far and why (the simulated-search model of
:mod:`sim.searches`). Every default is a published figure (``../shared/FACTS.md``), named where it is set."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.scenario.sections import Rate, _Section

#: Where a search looks: the agency's own cameras, its state's pool, or the national network.
REACHES: tuple[str, ...] = ("own", "state", "national")
#: The Eugene, OR log's searches by reach (the registry's ``eugene-search-audit``, June–December 2025, 4,294
#: searches): 3,005 reached only Eugene's own cameras (≤ 1,000), 1,244 the statewide pool (1,001–50,000), 45 the
#: national network (> 50,000). tests/test_searches.py counts them again from the file.
EUGENE_REACH_COUNTS: dict[str, int] = {"own": 3005, "state": 1244, "national": 45}
#: Searches per agency per 30 days: the median of the Flock transparency portals (FACTS.md: 138).
PORTAL_MEDIAN_SEARCHES_PER_30_DAYS = 138.0
#: Cameras an agency owns, when the scenario does not say: the portals' median (April 2024 scrape: 12).
PORTAL_MEDIAN_OWNED_CAMERAS = 12
#: Cameras a statewide search reaches: the Eugene log's median beyond-city search (Oregon's pool, 2,683).
EUGENE_STATE_POOL_CAMERAS = 2683
#: Cameras a national search reaches: the Eugene log's median national search (85,185; up to 87,008).
EUGENE_NATIONAL_CAMERAS = 85185
#: User accounts of an agency that does not say: the Eugene log's distinct users (147).
EUGENE_USERS = 147


def eugene_reach_mix() -> dict[str, float]:
    """The Eugene log's reach mix, as shares (own ≈ 0.70, state ≈ 0.29, national ≈ 0.010)."""
    total = sum(EUGENE_REACH_COUNTS.values())
    return {reach: n / total for reach, n in EUGENE_REACH_COUNTS.items()}


class SearchPurpose(_Section):
    """One purpose of searching: the ``reason`` logged, its share of an agency's searches, and what it looks for:
    one plate (a hotlisted or known plate: the reads of one vehicle) or a description (every vehicle matching
    it: a share ``match_share`` of the vehicles)."""

    reason: str = "investigation"
    share: float = Field(1.0, gt=0, description="relative weight among the agency's purposes")
    target: Literal["plate", "description"] = "plate"
    match_share: Rate = Field(0.0, description="description: the share of vehicles a description matches")

    @model_validator(mode="after")
    def _description_matches(self) -> SearchPurpose:
        if self.target == "description" and self.match_share <= 0:
            raise ValueError(f"purpose {self.reason!r}: a description search needs match_share > 0 (the share of "
                             "vehicles the description matches, e.g. 0.01)")
        if self.target == "plate" and self.match_share > 0:
            raise ValueError(f"purpose {self.reason!r}: match_share applies to target = \"description\" only")
        return self


def _check_mix(value: dict[str, float] | None) -> dict[str, float] | None:
    if value is None:
        return None
    unknown = sorted(set(value) - set(REACHES))
    if unknown:
        raise ValueError(f"reach names {', '.join(map(repr, unknown))}; a reach is one of {', '.join(REACHES)}")
    if any(v < 0 for v in value.values()) or not sum(value.values()) > 0:
        raise ValueError("reach shares must be ≥ 0 with a positive sum (they are normalised)")
    return value


class SearchOverride(_Section):
    """``[[searches.overrides]]``: another rate, reach mix or purposes for one agency (``agency``) or every
    agency of a kind (``kind``); an agency's own override wins over its kind's."""

    agency: str | None = None
    kind: str | None = None
    rate_per_30_days: float | None = Field(None, ge=0)
    reach: dict[str, float] | None = None
    purposes: list[SearchPurpose] | None = None

    _mix = field_validator("reach")(_check_mix)

    @model_validator(mode="after")
    def _one_target(self) -> SearchOverride:
        if (self.agency is None) == (self.kind is None):
            raise ValueError("an override names exactly one of agency (a name) or kind (an agency kind)")
        return self


class Searches(_Section):
    """``[searches]``: simulated searches of the reads, written as ``searches.csv`` in audit-log columns."""

    state: str = Field(description="the scenario's two-letter US state (\"NY\"): an agency of another state is "
                                   "out of state, and reaches the reads only through national searches")
    days: int = Field(30, ge=1, le=3660, description="the simulated audit log's length, from the run's start")
    rate_per_30_days: float = Field(PORTAL_MEDIAN_SEARCHES_PER_30_DAYS, ge=0,
                                    description="searches per agency per 30 days (the portals' median)")
    reach: dict[str, float] = Field(default_factory=eugene_reach_mix,
                                    description="share of searches by reach (Eugene's log)")
    purposes: list[SearchPurpose] = Field(default_factory=lambda: [SearchPurpose()])
    own_cameras: int = Field(PORTAL_MEDIAN_OWNED_CAMERAS, ge=1,
                             description="cameras of an agency that owns none of the scenario's")
    state_pool_cameras: int = Field(EUGENE_STATE_POOL_CAMERAS, ge=1)
    national_cameras: int = Field(EUGENE_NATIONAL_CAMERAS, ge=1)
    users: int = Field(EUGENE_USERS, ge=1, description="user accounts of an agency whose [[agencies]] users is unset")
    overrides: list[SearchOverride] = Field(default_factory=list)

    _mix = field_validator("reach")(_check_mix)

    @field_validator("state")
    @classmethod
    def _state_code(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise ValueError(f"{value!r} is not a two-letter state code; give e.g. \"NY\" or \"VA\"")
        return value
