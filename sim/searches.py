"""Simulated searches: who looks at the reads, how often, how far, and whose reads a search returns.

The ``[searches]`` model (:class:`sim.scenario.searches.Searches`; every assumption is in docs/metrics.md):

- **Rate.** Each agency that can search the scenario's reads runs searches as a Poisson process, by default
  at the Flock portals' median of 138 searches per 30 days, over a log of ``days`` days from the run's start.
- **Reach.** Each search looks at the agency's own cameras, its state's pool or the national network, in the
  Eugene, OR log's mix (70 % / 29 % / 1 %). A search reaches the scenario's reads when its reach holds a camera
  whose reads the agency can see: its *own* searches reach the operators it has an account on (an agency taken
  from a sharing list owns cameras elsewhere); its *state* searches reach every operator it can see when it is of
  the scenario's state; its *national* searches reach every operator it can see.
- **Purpose.** A plate search looks for one vehicle somewhere in its reach. The chance that vehicle is one of the
  scenario's is the share of the reach's cameras that are the scenario's (the agency's own cameras: all of them;
  a state pool: the scenario's visible cameras over ``state_pool_cameras``; the national network: over
  ``national_cameras``), and given that, it is any vehicle of the fleet the run stands for, alike. A description
  search returns every vehicle matching it (``match_share`` of them).
- **What is returned.** The reads of the vehicle(s) sought that the agency can see, made by the search's time and
  still retained (the operator's ``retention_days``), with the plate read right (a misread plate is not found
  under the real one).

Whose reads are returned to whom is scored against the truth (vehicle ids): an evaluation of exposure, not an
inference. The realised log is ``searches.csv``, in the columns of a Flock audit log (``id, userId, searchDate,
cameraCount, reason``), so ``curtain audit`` reads it as it reads a real one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.special import gammaincinv

from sim.arrays import joined
from sim._errors import ScenarioError
from sim._time import DAY_S
from sim.intervals import add_share, mean_interval
from sim.reads import plates_read_and_true_by_block
from sim.scenario.searches import REACHES, SearchPurpose, Searches

#: How an agency stands to the scenario's state: one of these (by :func:`jurisdiction`).
JURISDICTIONS: tuple[str, ...] = ("in-state", "out-of-state", "federal")
#: The columns of ``searches.csv``: a Flock audit log's, then the model's.
LOG_COLUMNS: tuple[str, ...] = ("id", "userId", "searchDate", "cameraCount", "reason", "agency", "kind",
                                "jurisdiction", "reach", "reached_scenario", "reads_returned", "vehicles_returned")


def jurisdiction(kind: str, state: str | None, home_state: str) -> str:
    """``federal`` (a kind that says so), ``out-of-state`` (another state, or a kind that says so) or ``in-state``
    (the scenario's state, or no state known: an agency declared in a scenario is taken as local).

    Examples
    --------
    >>> [jurisdiction(k, s, "VA") for k, s in (("federal-immigration", None), ("local-police", "TX"),
    ...                                          ("local-police", "VA"), ("out-of-state-police", None),
    ...                                          ("sheriff", None), ("Federal", None))]
    ['federal', 'out-of-state', 'in-state', 'out-of-state', 'in-state', 'federal']
    """
    kind = kind.lower()  # ("Federal-Immigration" is as federal as "federal-immigration")
    if kind.startswith("federal"):
        return "federal"
    if "out-of-state" in kind or (state is not None and state != home_state):
        return "out-of-state"
    return "in-state"


@dataclass(frozen=True)
class SearchPlan:
    """One agency's searches: how often, how far, why, and what each reach finds of the scenario."""

    agency: str
    kind: str
    jurisdiction: str
    users: int
    #: searches per day
    rate_per_day: float
    #: reach → share of the agency's searches (summing to 1)
    mix: dict[str, float]
    #: reach → cameras a search of that reach covers (the log's ``cameraCount``)
    cameras: dict[str, int]
    #: reach → the scenario's operators it covers that the agency can see (empty: it misses the scenario)
    operators: dict[str, tuple[str, ...]]
    #: reach → the chance a plate search's vehicle is one of the scenario's fleet
    target_share: dict[str, float]
    purposes: tuple[SearchPurpose, ...]

    def reaches(self, reach: str) -> bool:
        """Whether a search of ``reach`` covers some of the scenario's cameras."""
        return bool(self.operators[reach])

    @property
    def purpose_shares(self) -> np.ndarray:
        """Each purpose's share of the agency's searches (its ``share`` weights, normalised)."""
        weights = np.array([p.share for p in self.purposes], dtype=float)
        return weights / weights.sum()

    @property
    def per_day_reaching(self) -> float:
        """Expected searches per day that cover some of the scenario's cameras."""
        return self.rate_per_day * sum(self.mix[r] for r in REACHES if self.reaches(r))


def check_overrides(spec: Searches, agencies: list[Any], source: str) -> None:
    """Every ``[[searches.overrides]]`` names an agency, or a kind, of the scenario's agencies."""
    names, kinds = {a.name for a in agencies}, {a.kind for a in agencies}
    for i, o in enumerate(spec.overrides):
        if (o.agency is not None and o.agency not in names) or (o.kind is not None and o.kind not in kinds):
            what, value, known = ("agency", o.agency, names) if o.agency is not None else ("kind", o.kind, kinds)
            near = get_close_matches(str(value), sorted(known), n=3)
            raise ScenarioError(f"{source}: searches.overrides[{i}].{what} = {value!r} is no {what} of the "
                                "scenario's agencies" + (f"; did you mean {', '.join(map(repr, near))}?" if near
                                                         else ""))


def plan_searches(spec: Searches, agencies: list[Any], declared: set[str], graph: nx.DiGraph,
                  reach_of: dict[str, dict[str, list[str]]], layout: pd.DataFrame) -> list[SearchPlan]:
    """Every agency's :class:`SearchPlan`. ``agencies`` are the scenario's (:meth:`Scenario.all_agencies`),
    ``declared`` the names in its ``[[agencies]]`` (the others come from sharing lists), ``reach_of`` each
    agency's visible operators (:func:`sim.access.visible_operators`)."""
    cameras_of = layout["operator"].value_counts().to_dict()
    plans = []
    for agency in agencies:
        visible = tuple(sorted(reach_of.get(agency.name, {})))
        accounts = tuple(op for op in visible if agency.name in declared
                         and graph.edges.get((op, agency.name), {}).get("via") == "account")
        home = jurisdiction(agency.kind, agency.state, spec.state)
        # a state search covers the scenario's pool when the agency is of its state (a federal office too,
        # when its name places it there)
        in_state = home == "in-state" or (home == "federal" and agency.state == spec.state)
        operators = {"own": accounts, "state": visible if in_state else (), "national": visible}
        n_own = sum(cameras_of.get(op, 0) for op in accounts)
        cameras = {"own": n_own or spec.own_cameras, "state": spec.state_pool_cameras,
                   "national": spec.national_cameras}
        seen = {r: sum(cameras_of.get(op, 0) for op in operators[r]) for r in REACHES}
        cameras = {r: max(cameras[r], seen[r]) for r in REACHES}  # a reach holds at least the cameras it covers
        rate, mix, purposes = _override(spec, agency)
        total = sum(mix.values())
        plans.append(SearchPlan(
            agency=agency.name, kind=agency.kind, jurisdiction=home, users=agency.users or spec.users,
            rate_per_day=rate / 30.0, mix={r: mix.get(r, 0.0) / total for r in REACHES},
            cameras=cameras, operators=operators,
            target_share={r: seen[r] / cameras[r] for r in REACHES}, purposes=tuple(purposes)))
    return plans


def _override(spec: Searches, agency: Any) -> tuple[float, dict[str, float], list[SearchPurpose]]:
    """The rate, reach mix and purposes of one agency: its own override, else its kind's, else the defaults."""
    rate, mix, purposes = spec.rate_per_30_days, spec.reach, spec.purposes
    for wanted in (lambda o: o.kind == agency.kind, lambda o: o.agency == agency.name):  # the agency's wins
        for o in spec.overrides:
            if wanted(o):
                rate = o.rate_per_30_days if o.rate_per_30_days is not None else rate
                mix = o.reach or mix
                purposes = o.purposes or purposes
    return rate, mix, purposes


@dataclass(frozen=True)
class SearchReads:
    """The reads a search can return, one vehicle's after another: the reads with the plate read right, sorted
    by vehicle and time, with each read's operator and retention (s)."""

    vehicle: np.ndarray
    time_s: np.ndarray
    operator: np.ndarray
    retention_s: np.ndarray
    #: the fleet's simulated vehicle ids (sorted) and how many real vehicles they stand for
    fleet: np.ndarray
    fleet_size: float

    @classmethod
    def of_run(cls, reads: pd.DataFrame, trips: pd.DataFrame, layout: pd.DataFrame, camera_row: np.ndarray,
               retention_days: dict[str, float], sample_share: float = 1.0) -> SearchReads:
        """From a run's reads (truth: ``vehicle_id`` and each trip's ``plate``; used to score, not to infer)."""
        vehicle = reads["vehicle_id"].to_numpy(np.int64)
        # (as codes, block by block of reads: never a Python object per read, nor the whole run's codes at once)
        right = joined((read_plate == true_plate for _, (read_plate, true_plate)
                        in plates_read_and_true_by_block(reads, trips)), bool)
        right &= camera_row >= 0
        row = camera_row[right]
        order = np.lexsort((reads["time_s"].to_numpy(float)[right], vehicle[right]))
        operators = layout["operator"].to_numpy(object)
        retention_s = np.array([retention_days[o] for o in operators], dtype=float) * DAY_S  # per camera
        fleet = np.sort(trips["vehicle_id"].unique())
        return cls(vehicle[right][order], reads["time_s"].to_numpy(float)[right][order], operators[row][order],
                   retention_s[row][order], fleet, len(fleet) / sample_share)

    def exposure_s(self, operators: tuple[str, ...], horizon_s: float) -> pd.Series:
        """Per vehicle (simulated id), the seconds of ``[0, horizon_s]`` during which a search over
        ``operators`` would find at least one of its reads (made already, still retained)."""
        keep = np.isin(self.operator, np.asarray(operators, dtype=object)) & (self.time_s <= horizon_s)
        if not keep.any():
            return pd.Series(dtype=float)
        vehicle, start = self.vehicle[keep], self.time_s[keep]
        end = np.minimum(start + self.retention_s[keep], horizon_s)
        # the union of each vehicle's intervals [start, end], its reads in time order: each adds what lies
        # beyond the furthest end before it
        ends = pd.Series(end).groupby(vehicle).cummax().to_numpy()
        before = np.concatenate([[-np.inf], ends[:-1]])
        before[np.concatenate([[True], vehicle[1:] != vehicle[:-1]])] = -np.inf
        added = np.maximum(end - np.maximum(start, before), 0.0)
        return pd.Series(added).groupby(vehicle).sum()

    def returned(self, vehicle: int, operators: tuple[str, ...], time_s: float) -> int:
        """How many of ``vehicle``'s reads a search at ``time_s`` over ``operators`` returns."""
        lo, hi = np.searchsorted(self.vehicle, [vehicle, vehicle + 1])
        t, op, keep = self.time_s[lo:hi], self.operator[lo:hi], self.retention_s[lo:hi]
        return int(((t <= time_s) & (time_s - t <= keep) & np.isin(op, np.asarray(operators, dtype=object))).sum())


def simulate_log(plans: list[SearchPlan], days: int, start: Any, rng: np.random.Generator,
                 reads: SearchReads | None = None) -> pd.DataFrame:
    """The realised searches of ``days`` days (:data:`LOG_COLUMNS`), drawn from ``rng``: per agency a Poisson
    count, uniform times, a reach, a purpose and a user each; for searches that cover the scenario's cameras,
    what they return of ``reads``."""
    horizon_s = days * DAY_S
    rows: list[dict[str, Any]] = []
    for plan in plans:
        n = int(rng.poisson(plan.rate_per_day * days))
        times = np.sort(rng.uniform(0.0, horizon_s, n))
        reach = rng.choice(len(REACHES), size=n, p=[plan.mix[r] for r in REACHES])
        purpose = rng.choice(len(plan.purposes), size=n, p=plan.purpose_shares)
        user = rng.integers(0, plan.users, n)
        for t, r, p, u in zip(times, reach, purpose, user):
            name = REACHES[r]
            found = _search(plan, name, plan.purposes[p], float(t), rng, reads)
            rows.append({"userId": f"{plan.agency}#{u + 1}", "time_s": float(t), "cameraCount": plan.cameras[name],
                         "reason": plan.purposes[p].reason, "agency": plan.agency, "kind": plan.kind,
                         "jurisdiction": plan.jurisdiction, "reach": name, "reached_scenario": plan.reaches(name),
                         "reads_returned": found[0], "vehicles_returned": found[1]})
    log = pd.DataFrame(rows, columns=[c for c in LOG_COLUMNS if c not in ("id", "searchDate")] + ["time_s"])
    log = log.sort_values(["time_s", "agency"], kind="stable", ignore_index=True)
    base = np.datetime64(pd.Timestamp(start).replace(tzinfo=None), "ms")
    log.insert(0, "searchDate", pd.Series(base + np.round(log.pop("time_s").to_numpy(float) * 1e3)
                                          .astype("timedelta64[ms]")).dt.strftime("%Y-%m-%d %H:%M:%S.%f").str[:-3])
    log.insert(0, "id", [f"search-{i + 1:06d}" for i in range(len(log))])
    return log[list(LOG_COLUMNS)]


def _search(plan: SearchPlan, reach: str, purpose: SearchPurpose, time_s: float, rng: np.random.Generator,
            reads: SearchReads | None) -> tuple[int, int]:
    """(reads, vehicles) of the scenario one search returns."""
    operators = plan.operators[reach]
    if not operators or reads is None:
        return 0, 0
    if purpose.target == "plate":
        if rng.random() >= plan.target_share[reach]:
            return 0, 0  # the vehicle sought is elsewhere in the reach
        k = int(rng.integers(0, max(int(round(reads.fleet_size)), 1)))
        if k >= len(reads.fleet):
            return 0, 0  # a vehicle of the fleet the run's sample stands for, not simulated
        n = reads.returned(int(reads.fleet[k]), operators, time_s)
        return n, int(n > 0)
    matched = reads.fleet[rng.random(len(reads.fleet)) < purpose.match_share]
    counts = [reads.returned(int(v), operators, time_s) for v in matched]
    return int(sum(counts)), int(sum(c > 0 for c in counts))


def hazard_per_s(plan: SearchPlan, reach: str, fleet_size: float) -> float:
    """Expected searches per second of ``plan`` at ``reach`` that would return a given vehicle of the scenario
    holding a visible read: plate searches seek it with chance target share / fleet, descriptions match it with
    ``match_share``."""
    if not plan.reaches(reach):
        return 0.0
    per_search = sum(w * (plan.target_share[reach] / fleet_size if p.target == "plate" else p.match_share)
                     for w, p in zip(plan.purpose_shares, plan.purposes))
    return plan.rate_per_day / DAY_S * plan.mix[reach] * per_search


def chance_returned(plans: list[SearchPlan], reads: SearchReads, horizon_s: float, vehicles: np.ndarray,
                    exposure: dict[tuple[str, ...], pd.Series] | None = None) -> np.ndarray:
    """Per vehicle of ``vehicles``, the chance that over ``[0, horizon_s]`` at least one search of ``plans``
    returns one of its reads: 1 − exp(−Σ hazard × exposure), the searches being Poisson. ``exposure`` keeps
    each operator set's exposure (:meth:`SearchReads.exposure_s`) for the next call with the same reads."""
    exposure = {} if exposure is None else exposure
    total = np.zeros(len(vehicles))
    for plan in plans:
        for reach in REACHES:
            rate = hazard_per_s(plan, reach, reads.fleet_size)
            if rate == 0.0:
                continue
            ops = plan.operators[reach]
            if ops not in exposure:
                exposure[ops] = reads.exposure_s(ops, horizon_s)
            total += rate * exposure[ops].reindex(vehicles, fill_value=0.0).to_numpy(float)
    return -np.expm1(-total)


def poisson_interval(count: int, *, level: float = 0.95) -> list[float]:
    """Exact (Garwood 1936) interval of a Poisson mean from one ``count``.

    Examples
    --------
    >>> [round(v, 3) for v in poisson_interval(0)], [round(v, 2) for v in poisson_interval(10)]
    ([0.0, 3.689], [4.8, 18.39])
    """
    alpha = 1.0 - level
    low = 0.0 if count == 0 else float(gammaincinv(count, alpha / 2))
    return [low, float(gammaincinv(count + 1, 1 - alpha / 2))]


def search_metrics(plans: list[SearchPlan], log: pd.DataFrame, spec: Searches, reads: SearchReads,
                   residents: np.ndarray) -> dict[str, Any]:
    """``metrics.json``'s ``searches``: the assumptions, searches per day covering the scenario's cameras (the
    model's expectation, and the realised log's count with an exact Poisson interval) by agency, kind and
    jurisdiction; and per resident vehicle the chance over the log that a read of it is returned to an agency
    out of state or federal (and to each jurisdiction)."""
    days = spec.days
    reached = log[log["reached_scenario"].astype(bool)]

    def rate(group: list[SearchPlan], subset: pd.DataFrame) -> dict[str, Any]:
        count = int(len(subset))
        return {"expected_per_day": sum(p.per_day_reaching for p in group), "log_searches": count,
                "log_per_day": count / days, "log_per_day_ci": [v / days for v in poisson_interval(count)]}

    out: dict[str, Any] = {
        "assumptions": {
            "state": spec.state, "days": days, "rate_per_30_days": spec.rate_per_30_days,
            "reach": {r: spec.reach.get(r, 0.0) / sum(spec.reach.values()) for r in REACHES},
            "own_cameras": spec.own_cameras, "state_pool_cameras": spec.state_pool_cameras,
            "national_cameras": spec.national_cameras, "fleet_size": reads.fleet_size,
            "purposes": [p.model_dump() for p in spec.purposes],
            "overrides": [o.model_dump(exclude_none=True) for o in spec.overrides],
        },
        "n_agencies": len(plans), "n_agencies_reaching": sum(p.per_day_reaching > 0 for p in plans),
        "n_searches": int(len(log)),
    }
    out["reaching_scenario"] = rate(plans, reached)
    for key, field in (("by_jurisdiction", "jurisdiction"), ("by_kind", "kind")):
        values = JURISDICTIONS if field == "jurisdiction" else sorted({p.kind for p in plans})
        out[key] = {v: rate([p for p in plans if getattr(p, field) == v], reached[reached[field] == v])
                    for v in values}
    out["by_agency"] = {p.agency: {"jurisdiction": p.jurisdiction, "kind": p.kind,
                                   "expected_per_30_days": 30 * p.per_day_reaching,
                                   "log_searches": int((reached["agency"] == p.agency).sum()),
                                   "reaches": [r for r in REACHES if p.reaches(r)]}
                        for p in plans}
    out["log_reads_returned"] = int(reached["reads_returned"].sum())
    horizon = days * DAY_S
    chance: dict[str, Any] = {"n_residents": int(len(residents))}
    groups = {"out_of_state_or_federal": ("out-of-state", "federal"),
              **{j.replace("-", "_"): (j,) for j in JURISDICTIONS}}
    exposure: dict[tuple[str, ...], pd.Series] = {}  # each operator set's, worked out once for every group
    for name, which in groups.items():
        per_car = chance_returned([p for p in plans if p.jurisdiction in which], reads, horizon, residents,
                                  exposure)
        chance[name] = float(per_car.mean()) if len(per_car) else None
        chance[f"{name}_n"] = int(len(per_car))
        chance[f"{name}_ci"] = mean_interval(per_car)
        # the residents with a read such a search could return at all (a chance above 0)
        add_share(chance, f"share_exposed_{name}", per_car > 0)
    out["chance_resident_read_returned"] = chance
    return out



def _number(value: float) -> str:
    """A rate as a reader wants it: whole numbers from 10 up (1,234), two significant digits below (4.7, 0.05)."""
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


def _percent(value: float) -> str:
    """A chance in percent with three significant digits, however small, never with an exponent, and never
    100 % for a chance below it.

    Examples
    --------
    >>> _percent(0.00000405), _percent(2.03e-07), _percent(1.5e-07), _percent(0.12), _percent(1.0), _percent(0.0)
    ('0.000405 %', '0.0000203 %', '0.0000150 %', '12.0 %', '100 %', '0 %')
    >>> _percent(0.99999)
    '99.999 %'
    """
    if not value:
        return "0 %"
    percent = value * 100
    digits = 3
    while True:  # (%g writes 2.03e-05 below a ten-thousandth: a reader of a sentence is not a programmer)
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(percent))))
        text = f"{percent:.{decimals}f}"
        if value >= 1 or not text.startswith("100") or digits >= 8:
            return f"{text} %"
        digits += 1

def searches_sentences(searches: dict[str, Any], leaks: dict[str, Any] | None = None) -> list[str]:
    """What ``metrics.json``'s ``searches`` says, in two to four sentences for the report and the command line;
    ``leaks`` (``metrics.json``'s ``rules``) adds the searches of agencies a rule denies that still reach the reads.

    Examples
    --------
    >>> m = {"assumptions": {"rate_per_30_days": 138, "days": 30}, "reaching_scenario": {"expected_per_day": 4.7},
    ...      "by_jurisdiction": {"in-state": {"expected_per_day": 4.6}, "out-of-state": {"expected_per_day": 0.05},
    ...                          "federal": {"expected_per_day": 0.05}},
    ...      "by_agency": {"ICE": {"jurisdiction": "federal", "expected_per_30_days": 1.4}},
    ...      "chance_resident_read_returned": {"out_of_state_or_federal": 1.5e-06, "out_of_state_or_federal_n": 200,
    ...                                        "out_of_state_or_federal_ci": [1.2e-06, 1.8e-06]}}
    >>> first, top, chance = searches_sentences(m)
    >>> for part in first.split(": ", 1)[1].split(", "):
    ...     print(part)
    4.7 a day reach the scenario's cameras
    4.6 by agencies of its state
    0.05 by agencies of other states and 0.05 by federal ones.
    >>> top
    'Agencies out of state or federal reaching the reads most: ICE (1.4 searches a month).'
    >>> chance.split(" is ", 1)[1]
    '0.000150 % (95 % interval 0.000120 %–0.000180 %; 200 resident vehicles).'
    >>> searches_sentences(m, {"sanctuary": {"leaks": {"ICE": ["county", "ICE"]}}})[1]
    "Despite rule sanctuary, ICE's searches reach the reads 1.4 times a month."
    """
    rate = searches["assumptions"]["rate_per_30_days"]
    days = searches["assumptions"]["days"]
    j = {k: v["expected_per_day"] for k, v in searches["by_jurisdiction"].items()}
    out = [f"Simulated searches ({rate:g} per agency per 30 days, in the Eugene log's reach mix; assumptions in "
           f"docs/metrics.md): {_number(searches['reaching_scenario']['expected_per_day'])} a day reach the "
           f"scenario's cameras, {_number(j['in-state'])} by agencies of its state, {_number(j['out-of-state'])} by "
           f"agencies of other states and {_number(j['federal'])} by federal ones."]
    for rule, report in (leaks or {}).items():
        for name in report.get("leaks", {}):
            if name in searches["by_agency"]:
                n = searches["by_agency"][name]["expected_per_30_days"]
                out.append(f"Despite rule {rule}, {name}'s searches reach the reads {_number(n)} times a month.")
    outside = sorted((-a["expected_per_30_days"], name) for name, a in searches["by_agency"].items()
                     if a["jurisdiction"] != "in-state" and a["expected_per_30_days"] > 0)
    if outside:
        named = ", ".join(f"{name} ({_number(-n)} searches a month)" for n, name in outside[:3])
        out.append(f"Agencies out of state or federal reaching the reads most: {named}.")
    chance = searches["chance_resident_read_returned"]
    value, ci = chance.get("out_of_state_or_federal"), chance.get("out_of_state_or_federal_ci")
    if value is not None and ci is not None:
        out.append(f"Over {days} days, the chance that such an agency's search returns a read of a resident's "
                   f"vehicle is {_percent(value)} (95 % interval {_percent(ci[0])}–{_percent(ci[1])}; "
                   f"{chance['out_of_state_or_federal_n']:,} resident vehicles).")
    return out
