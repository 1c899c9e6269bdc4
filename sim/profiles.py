"""Reader profiles: what kind of fixed reader a camera group is, with defaults from published figures.

A camera group names a profile (``[cameras] profile = "flock-pole"``) and
takes from it every key it does not set itself: which direction of a road
it reads, how often it reads a passing plate, and which road classes
placement may put it on. A scenario may define its own in ``[[profiles]]``
(``name`` plus any of the keys below); a name of its own shadows a built-in.

The built-in profiles and where their numbers come from:

``flock-pole``
    A Flock Safety Falcon-type camera on a pole. It reads **one direction**
    of one road: cameras stand in pairs facing opposite ways where both
    directions are watched (a Sherman Oaks, CA deployment: "two cameras on
    a pole … facing opposite directions"), and 94 % of the ALPR cameras
    mapped in OpenStreetMap carry a facing direction (``../shared/FACTS.md``).
    **Read rate 0.85**: no independent measurement of Flock's accuracy is
    published; Flock has claimed 93 % (reported by CheckCU, Champaign IL), a
    UK industry figure for US plates is "maybe in the mid 80 percents, on a
    good day" (Parking Today, 2021), and a 2009 Maryland SHA field test of
    an older fixed reader captured 65.9 % of passing vehicles and read 72.5 %
    of those correctly (Chang & Zou, report MD-09-SP708B4G). 0.85 sits
    between the claim and the measurement. **Road classes**: local streets
    and collectors — Flock sells cameras for the ways into neighbourhoods
    and towns ("ingress and egress locations of the city", Carmel-by-the-Sea
    staff report, 2023), and the portal median of 498 vehicles a day on one
    direction is about 1,000 a day both ways: the top of a local street
    (200–1,500 a day, City of Baton Rouge street classes) or the bottom of an
    urban collector (1,100–6,300, FHWA functional classification, 2013). **Spacing
    200 m**: the median distance between neighbouring mapped ALPR sites in
    Norfolk, VA (OpenStreetMap; ``tests/test_placement.py`` recomputes it). **Two
    lanes** of its direction (``lanes_read``): a plate-recognition camera of
    1 megapixel covers a zone about 6.5 m wide, about two lanes (AxxonSoft's
    LPR requirements; 3 m for a CCTV camera, 11 m for 3 MP), and a 2009
    Maryland deployment covered two of the four lanes of I-95 (Chang & Zou).
    On a wider road (OSM ``lanes``) it reads that share of the vehicles;
    synthetic networks have one lane each way, so there it changes nothing.
``rekor-highway``
    A Rekor-type reader on an arterial, parkway or motorway (Westchester's
    cameras on the Saw Mill River Parkway and similar roads). One direction;
    **read rate 0.9**, an assumption: Rekor publishes no read rate; **road
    classes** motorway, trunk and primary roads and their links.

Mobile readers (``[[patrols]] profile = …``):

``patrol-car``
    A reader on a patrol car. **Driving half the shift**
    (``driving_share = 0.5``, an assumption): no study found gives the share
    of a shift a patrol car drives, but in the average department "less than
    one-third of the available patrol resources are committed to demands from
    the community" (ICMA/CPSM, McCabe) — time at calls, when the car stands —
    and a Baltimore study found "over three quarters of a … patrol officers'
    shift is downtime" (Famega, 2003), much of it spent parked or on
    paperwork as well as on routine patrol. **Read rate 0.9** for moving
    vehicles (vendors claim "95-98 percent accuracy, while the vehicle is in
    motion"; Victoria PD, reported); **parked cars 0.3** per pass, an
    assumption (no study found separates parked from moving reads; angle and
    occlusion make a parked car far harder to read). Shifts of **10 hours**
    (8 hours is traditional; 10 and 12 are growing: Police Foundation, *The
    Shift Length Experiment*, 2011). **Hot spots**: half its legs end at
    one of 5 places of its beat it keeps coming back to, an assumption
    standing for hot-spot patrol (crime concentrates at few places: about
    3 % of a city's addresses produced half of its calls to the police in
    Minneapolis; Sherman, Gartin & Buerger, *Criminology* 27(1), 1989) and
    for the streets round a car's station; the places are drawn at random,
    since the model has no crime map.
``parking-car``
    A parking-enforcement reader: drives slowly (``speed_factor = 0.4``),
    mostly driving (``driving_share = 0.8``, an assumption: enforcement is
    done from the car), reads parked cars at **0.5** per pass (an assumption;
    enforcement readers are mounted to read the kerb), and works fixed
    rounds: 70 % of its legs end at one of 8 places of its beat (an
    assumption: the commercial streets and time-limited zones it enforces).

Reads per reader-day to hold a fleet against: about 1,500 per 8-hour shift
(Arizona DPS, 2006), up to 5,000 a day (Phoenix, 2008), median 1,530 in
Seattle's October 2021 log (docs/validation.md).

Speed: a camera group or profile may give ``read_rate_by_speed`` (pairs of
km/h and a factor on ``read_rate``, at the free-flow speed of the camera's
road). No built-in profile sets one: no published function of read rate
against speed was found (vendors state one rate "up to" a speed), so the
default is the same rate at every speed, a stated assumption.

What no profile models yet: night; a patrol's hot spots are drawn at
random, not from a crime map.
"""

from __future__ import annotations

from typing import Any

#: OSM ``highway`` classes of local streets: what a neighbourhood is made of (its ways in are ``entrances``)
LOCAL_ROADS = ("residential", "unclassified", "living_street", "service", "road")
COLLECTOR_ROADS = ("tertiary", "tertiary_link", "secondary", "secondary_link")
HIGHWAY_ROADS = ("motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link")

#: the keys a profile may set (each also a ``[cameras]`` key, or a ``[[patrols]]`` one)
PROFILE_KEYS = ("read_rate", "misread_rate", "direction", "road_classes", "site", "min_spacing_m", "lanes_read",
                "read_rate_by_speed", "vendor")
PATROL_PROFILE_KEYS = ("read_rate", "misread_rate", "read_parked", "parked_read_rate", "driving_share",
                       "hot_spots", "hot_spot_share", "speed_factor", "shift_hours", "vendor")

BUILT_IN: dict[str, dict[str, Any]] = {
    "flock-pole": {"read_rate": 0.85, "direction": "forward", "road_classes": [*LOCAL_ROADS, *COLLECTOR_ROADS],
                   "site": "edge", "min_spacing_m": 200.0, "lanes_read": 2, "vendor": "Flock Safety"},
    "rekor-highway": {"read_rate": 0.9, "direction": "forward", "road_classes": list(HIGHWAY_ROADS),
                      "site": "edge", "vendor": "Rekor"},
}

PATROL_BUILT_IN: dict[str, dict[str, Any]] = {
    "patrol-car": {"read_rate": 0.9, "read_parked": True, "parked_read_rate": 0.3, "driving_share": 0.5,
                   "hot_spots": 5, "hot_spot_share": 0.5, "speed_factor": 0.7, "shift_hours": 10.0},
    "parking-car": {"read_rate": 0.9, "read_parked": True, "parked_read_rate": 0.5, "driving_share": 0.8,
                    "hot_spots": 8, "hot_spot_share": 0.7, "speed_factor": 0.4, "shift_hours": 8.0},
}


def apply_profiles(data: Any) -> Any:
    """Fill each camera group's unset keys from its ``profile`` (raw scenario data, before validation).

    Returns ``data`` changed in place where it is a dict; anything else is left for validation to refuse.

    Examples
    --------
    >>> apply_profiles({"cameras": {"profile": "flock-pole", "read_rate": 0.7}})["cameras"]["read_rate"]
    0.7
    >>> apply_profiles({"cameras": {"profile": "flock-pole"}})["cameras"]["direction"]
    'forward'
    >>> apply_profiles({"profiles": [{"name": "mine", "read_rate": 0.5}],
    ...                 "camera_groups": [{"profile": "mine"}]})["camera_groups"][0]["read_rate"]
    0.5
    """
    if not isinstance(data, dict):
        return data
    own = [p for p in data.get("profiles") or [] if isinstance(p, dict) and isinstance(p.get("name"), str)]
    fixed: dict[str, dict[str, Any]] = dict(BUILT_IN) | {p["name"]: {k: v for k, v in p.items() if k in PROFILE_KEYS}
                                                        for p in own}
    mobile: dict[str, dict[str, Any]] = dict(PATROL_BUILT_IN) | {
        p["name"]: {k: v for k, v in p.items() if k in PATROL_PROFILE_KEYS} for p in own}
    groups = [data.get("cameras")] + list(data.get("camera_groups") or [])
    _fill(groups, ["cameras", *(f"camera_groups[{i}]" for i in range(len(groups) - 1))], fixed)
    fleets = list(data.get("patrols") or [])
    _fill(fleets, [f"patrols[{i}]" for i in range(len(fleets))], mobile)
    return data


def _fill(groups: list[Any], names: list[str], known: dict[str, dict[str, Any]]) -> None:
    """Fill each group's unset keys from its profile in ``known``; an unknown profile is named with the choices."""
    for where, group in zip(names, groups):
        if not isinstance(group, dict) or group.get("profile") is None:
            continue
        name = group["profile"]
        if name not in known:
            raise ValueError(f"{where}.profile = {name!r} is not a reader profile; use one of "
                             f"{', '.join(map(repr, sorted(known)))} or define it in [[profiles]]")
        for key, value in known[name].items():
            group.setdefault(key, list(value) if isinstance(value, list) else value)
