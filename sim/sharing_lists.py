"""Real sharing lists: who may search an agency's cameras, from the Flock transparency portals' lists.

A list (the registry's ``flock-agency-access``: 37,099 rows, April 2024) has one row per pair:
``src_agency`` owns the cameras, ``external_agency`` may search them. A scenario's ``[[sharing_lists]]``
takes one owner's rows: each external agency becomes an agency that can search the scenario operator's
reads, of a kind read from its name (:func:`agency_kind`, overridable per name).
"""

from __future__ import annotations

import re
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import pandas as pd

from sim._errors import ScenarioError

#: The states' two-letter codes, and their names (a name's state is read from either).
STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming",
}

#: A US state's name, or a two-letter code, at the start of an agency's name ("Texas ...", "AZ - ...", "WI ...").
STATE_PREFIX = r"^(?:" + "|".join(name for code, name in STATES.items() if code != "DC") + r"|[A-Z]{2}\b)"

#: Kinds read from an agency's name, tried in this order (the first rule that matches wins): federal agencies
#: (named as such: "US Postal Inspection Service", "FBI", "ATF Nashville TN"), state agencies (a state police
#: or patrol, a bureau of investigation, or a department named after its state: "Texas Department of Public
#: Safety", "WI Department of Justice"), sheriffs ("SO", "Sheriff", a county's "SD"), campus and school police,
#: local police ("PD", "Police", a city's "Department of Public Safety", "DPS"); anything else is "other" (a
#: task force, a prosecutor, a dispatch centre, a parks department). ``[[sharing_lists]] kinds`` overrides it.
KIND_RULES: tuple[tuple[str, str], ...] = (
    ("federal", r"\b(US|U\.S\.|United States|FBI|DEA|ATF|ICE|HSI|CBP|Border Patrol|Secret Service|"
                r"Postal Inspection)\b"),
    ("state-police", r"\b(State Police|State Patrol|Highway Patrol|Bureau of Investigation|KBI|GBI|TBI|SBI|"
                     r"State Troopers?)\b|" + STATE_PREFIX + r"(?: -)? (?:Department|Office) of "
                     r"(?:Public Safety|Justice|Homeland Security)"),
    ("sheriff", r"\b(SO|Sheriff'?s?( Office| Department)?)\b|County\b.*\bSD\b"),
    ("campus", r"\b(University|College|Campus|School District|Schools?|ISD)\b"),
    ("local-police", r"\b(PD|DPS|Police|Public Safety|Twp PD|Marshal'?s? Office|City Marshal)\b"),
)


def agency_kind(name: str) -> str:
    """The kind of agency a name says, by :data:`KIND_RULES`.

    Examples
    --------
    >>> [agency_kind(n) for n in ("Sylvania OH PD", "Lucas County OH SO", "Ohio State Highway Patrol",
    ...                           "US Postal Inspection Service", "University of Toledo OH PD", "MOCIC")]
    ['local-police', 'sheriff', 'state-police', 'federal', 'campus', 'other']
    """
    for kind, pattern in KIND_RULES:
        if re.search(pattern, name):
            return kind
    return "other"


def agency_state(name: str) -> str | None:
    """The state an agency's name gives: a state's name anywhere in it (the longest first: "West Virginia" is
    not "Virginia"), else a two-letter state code standing as a word, in capitals ("Houston TX PD", "VA -
    Norfolk Housing Authority"); a county's closing "SD" is its sheriff's department, not South Dakota. ``None``
    when it gives none. ("LA County" would read as Louisiana: ``[[sharing_lists]] states`` overrides.)

    Examples
    --------
    >>> [agency_state(n) for n in ("Houston TX PD", "New York State Police NY", "Lincoln County SD",
    ...                            "SLED - South Carolina Law Enforcement Division", "US Postal Inspection Service",
    ...                            "Fort Eustis VA US Army", "West Virginia State Police")]
    ['TX', 'NY', None, 'SC', None, 'VA', 'WV']
    """
    for code, state in sorted(STATES.items(), key=lambda item: -len(item[1])):
        if re.search(rf"\b{state}\b", name):
            return code
    for match in re.finditer(r"(?<![A-Za-z])[A-Z]{2}(?![A-Za-z])", name):
        code = match.group()
        if code in STATES and not (code == "SD" and match.end() == len(name) and "County" in name):
            return code
    return None


def list_agencies(path: str | Path, owner: str, operator: str, kinds: dict[str, str] | None = None,
                  *, states: dict[str, str] | None = None, source: str = "sharing_lists") -> list[dict[str, Any]]:
    """The agencies of ``owner``'s rows of a sharing list, each able to search ``operator``'s reads:
    ``{"name", "kind", "state", "access"}`` (``kinds`` and ``states`` override what a name says)."""
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{source}: {path}: not a readable sharing list ({exc})") from None
    missing = {"src_agency", "external_agency"} - set(table.columns)
    if missing:
        raise ScenarioError(f"{source}: {path}: no column {', '.join(sorted(missing))}; a sharing list has "
                            "src_agency (owns the cameras) and external_agency (may search them)")
    rows = table[table["src_agency"] == owner]
    if rows.empty:
        near = get_close_matches(owner, table["src_agency"].unique().tolist(), n=3)
        raise ScenarioError(f"{source}.owner = {owner!r} owns no row of {path.name}"
                            + (f"; did you mean {', '.join(map(repr, near))}?" if near else ""))
    kinds, states = kinds or {}, states or {}
    names = list(dict.fromkeys(rows["external_agency"].str.strip()))  # in the file's order, each once
    return [{"name": n, "kind": kinds.get(n, agency_kind(n)), "state": states.get(n, agency_state(n)),
             "access": [operator]} for n in names if n]
