"""A second, independent formulation of docs/contract.md §4-§5 (levels 1-3), from the contract alone.

Nothing here imports :mod:`matcher.rules`, :mod:`matcher.objective` or :mod:`matcher.solvers`:
distances, overdue days, eligibility, the hard rules and the levels are re-derived from
the contract, ``docs/contract.md``.  Only the domain types of :mod:`matcher.models` are shared.

The model is a plain MIP for PuLP's bundled CBC: one binary per household x individual dwelling
(``house``) and one per household x municipality (``couple``), no aggregation of identical
dwellings.  Levels 1, 2 and 3 are solved lexicographically (max L1; fix; max L2; fix; min L3)
and every solve must be proven optimal, otherwise :class:`IndependentModelError` is raised.

:func:`violations` is an independent validity check of a proposal (rules 1-7 and the
one-action-per-household form), and :func:`levels` computes levels 1-3 of a proposal.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pulp

from matcher.models import Dwelling, Household, Instance, Params

EARTH_RADIUS_KM = 6371.0088

HOUSE, COUPLE, WAIT = "house", "couple", "wait"


class IndependentModelError(RuntimeError):
    """The independent model could not be solved to proven optimality (or is infeasible)."""


# --- definitions of docs/contract.md §3 -------------------------------------------------------

def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a sphere of radius 6371.0088 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def horizon_end(params: Params) -> dt.date:
    return params.as_of + dt.timedelta(days=params.horizon_days)


TEMPORARY_YEAR = 365
"""A household in a temporary home may stay there a year (docs/contract.md §3)."""


def overdue_days(h: Household, params: Params) -> int:
    """Days past ``norm_days`` at the end of the horizon (docs/contract.md §3); in a temporary home,
    days past its year there."""
    if h.housed_since is not None:
        return max(0, (horizon_end(params) - h.housed_since).days - TEMPORARY_YEAR)
    clock = h.coupling_date if h.coupled_to is not None else h.permit_date + dt.timedelta(days=params.coupling_days)
    return max(0, (horizon_end(params) - clock).days - params.norm_days)


def _kind(d: Dwelling) -> str:
    return getattr(d.kind, "value", d.kind)


def _action(a) -> str:
    return getattr(a, "value", a)


class _Facts:
    """Lookup tables of one instance, built from the raw tuples (not the instance's own maps)."""

    def __init__(self, instance: Instance, params: Params):
        self.instance, self.params = instance, params
        self.end = horizon_end(params)
        self.muni = {m.code: m for m in instance.municipalities}
        self.loc = {loc.location_id: loc for loc in instance.locations}
        self.hh = {h.household_id: h for h in instance.households}
        self.dw = {d.dwelling_id: d for d in instance.dwellings}
        self.minutes = {(loc, m): t for loc, m, t in instance.travel_minutes}
        self.banned_m: dict[str, set[str]] = defaultdict(set)
        self.banned_d: dict[str, set[str]] = defaultdict(set)
        for b in instance.bans:
            if b.municipality is not None:
                self.banned_m[b.household_id].add(b.municipality)
            if b.dwelling_id is not None:
                self.banned_d[b.household_id].add(b.dwelling_id)

    def km(self, h: Household, code: str) -> float:
        loc, m = self.loc[h.location_id], self.muni[code]
        return haversine_km(loc.lat, loc.lon, m.lat, m.lon)

    def region_ok(self, h: Household, code: str) -> bool:
        """Rule 5 for a new coupling of ``h`` to ``code``."""
        if self.km(h, code) > self.params.max_km:
            return False
        if self.params.max_minutes is not None:
            t = self.minutes.get((h.location_id, code))
            if t is None or t > self.params.max_minutes:
                return False
        return True

    def fits_alone(self, h: Household, d: Dwelling) -> bool:
        """Rule 1 for ``h`` on its own in ``d``, plus rules 2 and 3."""
        kind = _kind(d)
        if h.amv and kind != "amv":
            return False
        if h.temporary_home is not None and kind != "regular":
            return False  # from a temporary home only to a regular one
        if kind == "regular":
            ok = d.min_occupancy <= h.size <= d.capacity
        elif kind == "shared":
            ok = h.size == 1 and not h.amv and h.size <= d.capacity
        elif kind == "amv":
            ok = h.amv and h.size <= d.capacity
        elif kind == "temporary":
            ok = not h.amv and h.size <= d.capacity
        else:
            raise ValueError(f"unknown dwelling kind {kind!r}")
        if not ok:
            return False
        if h.needs_accessible and not d.accessible:
            return False
        if not h.document_ready:
            return False
        return d.available_from <= self.end

    def may_house(self, h: Household, d: Dwelling) -> bool:
        """Every per-pair rule (1-5, bans) for housing ``h`` in ``d``."""
        if not self.fits_alone(h, d):
            return False
        if d.dwelling_id in self.banned_d[h.household_id] or d.municipality in self.banned_m[h.household_id]:
            return False
        if h.coupled_to is not None and d.municipality != h.coupled_to and (
                h.temporary_home is not None or not (self.params.allow_recoupling or h.may_recouple)
                or not (self.params.allow_recoupling or h.recouple_to in (None, d.municipality))):
            return False
        if d.municipality != h.coupled_to and not self.region_ok(h, d.municipality):
            return False
        return True

    def may_couple(self, h: Household, code: str) -> bool:
        """Every per-pair rule for the ``couple`` action (only for households not yet coupled)."""
        if h.coupled_to is not None:
            return False
        if code in self.banned_m[h.household_id]:
            return False
        return self.region_ok(h, code)

    def quota(self, code: str) -> int:
        return max(0, self.muni[code].quota_remaining) + self.params.quota_slack

    def amv_quota(self, code: str) -> int:
        return max(0, self.muni[code].amv_quota_remaining)


# --- the MIP ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class IndependentResult:
    """Proven optima of levels 1-3 and one proposal attaining them."""

    overdue_relief: int
    placement: int
    moves: int
    assignments: tuple[tuple[str, str, str | None, str | None], ...]
    """(household_id, action, municipality, dwelling_id) per household, in file order."""

    def levels(self) -> tuple[int, int, int]:
        return (self.overdue_relief, self.placement, self.moves)


def _solve_checked(prob: pulp.LpProblem, what: str) -> None:
    solver = pulp.PULP_CBC_CMD(msg=False, gapRel=0, gapAbs=0)
    status = prob.solve(solver)
    if pulp.LpStatus[status] != "Optimal" or prob.sol_status != pulp.LpSolutionOptimal:
        raise IndependentModelError(
            f"{what}: CBC status {pulp.LpStatus[status]!r}, solution status "
            f"{pulp.LpSolution.get(prob.sol_status, prob.sol_status)!r}; expected a proven optimum")


def _int_value(expr) -> int:
    value = pulp.value(expr)
    value = 0.0 if value is None else float(value)
    rounded = round(value)
    if abs(value - rounded) > 1e-6:
        raise IndependentModelError(f"objective value {value} is not integral")
    return int(rounded)


def solve_levels(instance: Instance, params: Params) -> IndependentResult:
    """Solve levels 1, 2, 3 lexicographically with CBC; return the proven optima."""
    f = _Facts(instance, params)
    prob = pulp.LpProblem("independent", pulp.LpMaximize)
    x: dict[tuple[str, str], pulp.LpVariable] = {}  # house h in dwelling d
    y: dict[tuple[str, str], pulp.LpVariable] = {}  # couple h to municipality m
    for i, h in enumerate(instance.households):
        for j, d in enumerate(instance.dwellings):
            if f.may_house(h, d):
                x[h.household_id, d.dwelling_id] = pulp.LpVariable(f"x_{i}_{j}", cat="Binary")
        for k, m in enumerate(instance.municipalities):
            if f.may_couple(h, m.code):
                y[h.household_id, m.code] = pulp.LpVariable(f"y_{i}_{k}", cat="Binary")

    x_of_h: dict[str, list[tuple[str, pulp.LpVariable]]] = defaultdict(list)
    x_of_d: dict[str, list[tuple[str, pulp.LpVariable]]] = defaultdict(list)
    for (hid, did), v in x.items():
        x_of_h[hid].append((did, v))
        x_of_d[did].append((hid, v))
    y_of_h: dict[str, list[tuple[str, pulp.LpVariable]]] = defaultdict(list)
    for (hid, code), v in y.items():
        y_of_h[hid].append((code, v))

    # Exactly one action per household (wait is the slack).
    for h in instance.households:
        terms = [v for _, v in x_of_h[h.household_id]] + [v for _, v in y_of_h[h.household_id]]
        if len(terms) > 1:
            prob += pulp.lpSum(terms) <= 1, f"one_action_{h.household_id}"

    # Rule 1: capacity and one household per regular dwelling.
    for d in instance.dwellings:
        terms = x_of_d[d.dwelling_id]
        if not terms:
            continue
        if _kind(d) == "regular":
            prob += pulp.lpSum(v for _, v in terms) <= 1, f"regular_{d.dwelling_id}"
        else:
            prob += pulp.lpSum(f.hh[hid].size * v for hid, v in terms) <= d.capacity, f"capacity_{d.dwelling_id}"

    # Rule 6: quota on new couplings (by couple, or by house in a municipality not already coupled to).
    new_persons: dict[str, list] = defaultdict(list)
    new_amv: dict[str, list] = defaultdict(list)
    for (hid, did), v in x.items():
        h, code = f.hh[hid], f.dw[did].municipality
        if code != h.coupled_to:
            new_persons[code].append(h.size * v)
            if h.amv:
                new_amv[code].append(h.size * v)
    for (hid, code), v in y.items():
        h = f.hh[hid]
        new_persons[code].append(h.size * v)
        if h.amv:
            new_amv[code].append(h.size * v)
    for m in instance.municipalities:
        if new_persons[m.code]:
            prob += pulp.lpSum(new_persons[m.code]) <= f.quota(m.code), f"quota_{m.code}"
        if new_amv[m.code]:
            prob += pulp.lpSum(new_amv[m.code]) <= f.amv_quota(m.code), f"amv_quota_{m.code}"

    # Rule 7: locks (bans are already left out of the variables).
    for n, lock in enumerate(instance.locks):
        h = f.hh[lock.household_id]
        hid = h.household_id
        if lock.dwelling_id is not None:
            v = x.get((hid, lock.dwelling_id))
            if v is None:
                raise IndependentModelError(f"lock {lock}: the household may never be housed in that dwelling")
            prob += v == 1, f"lock_dwelling_{n}"
        if lock.municipality is not None:
            code = lock.municipality
            if h.coupled_to == code:
                # Waiting keeps its own municipality; it may also be housed there, but nothing else.
                elsewhere = [v for did, v in x_of_h[hid] if f.dw[did].municipality != code]
                if elsewhere:
                    prob += pulp.lpSum(elsewhere) == 0, f"lock_municipality_{n}"
            else:
                there = [v for did, v in x_of_h[hid] if f.dw[did].municipality == code]
                there += [v for c, v in y_of_h[hid] if c == code]
                if not there:
                    raise IndependentModelError(f"lock {lock}: the household can never end up in that municipality")
                prob += pulp.lpSum(there) == 1, f"lock_municipality_{n}"

    # Levels.
    l1 = pulp.lpSum(f.hh[hid].size * overdue_days(f.hh[hid], params) * v for (hid, _), v in x.items())
    l2 = (pulp.lpSum(f.hh[hid].size * v for (hid, _), v in x.items() if f.hh[hid].temporary_home is None)
          + pulp.lpSum(f.hh[hid].size * v for (hid, _), v in y.items()))
    # A household in a temporary home owes its onward move whether it makes it or not: a constant,
    # added to the optimum below.
    owed = sum(h.size for h in instance.households if h.temporary_home is not None)
    l3_terms = []
    for (hid, did), v in x.items():
        h, d = f.hh[hid], f.dw[did]
        if h.temporary_home is not None:
            continue
        person_moves = 0
        if h.coupled_to is not None and d.municipality != h.coupled_to:
            person_moves += h.size  # re-coupling
        if _kind(d) == "temporary":
            person_moves += h.size  # will move again
        if person_moves:
            l3_terms.append(person_moves * v)
    l3 = pulp.lpSum(l3_terms)

    prob.sense = pulp.LpMaximize
    prob.setObjective(l1)
    _solve_checked(prob, "level 1 (overdue relief)")
    v1 = _int_value(l1)
    prob += l1 >= v1, "fix_level_1"

    prob.sense = pulp.LpMaximize
    prob.setObjective(l2)
    _solve_checked(prob, "level 2 (placement)")
    v2 = _int_value(l2)
    prob += l2 >= v2, "fix_level_2"

    prob.sense = pulp.LpMinimize
    prob.setObjective(l3)
    _solve_checked(prob, "level 3 (moves)")
    v3 = _int_value(l3) + owed

    rows = []
    for h in instance.households:
        row = (h.household_id, WAIT, h.coupled_to, None)
        for did, v in x_of_h[h.household_id]:
            if (v.value() or 0) > 0.5:
                row = (h.household_id, HOUSE, f.dw[did].municipality, did)
        for code, v in y_of_h[h.household_id]:
            if (v.value() or 0) > 0.5:
                row = (h.household_id, COUPLE, code, None)
        rows.append(row)
    result = IndependentResult(v1, v2, v3, tuple(rows))
    # The model's own answer must pass the independent validity check and have the levels found.
    broken = violations(instance, params, rows)
    if broken:
        raise IndependentModelError("independent model's own solution breaks rules: " + "; ".join(broken))
    if levels(instance, params, rows) != result.levels():
        raise IndependentModelError(f"independent model: recomputed levels {levels(instance, params, rows)} "
                                    f"differ from the MIP's {result.levels()}")
    return result


# --- validity and levels of a given proposal -------------------------------------------------

def _rows(assignments: Iterable) -> list[tuple[str, str, str | None, str | None]]:
    out = []
    for a in assignments:
        if isinstance(a, tuple):
            hid, action, code, did = a
        else:
            hid, action, code, did = a.household_id, a.action, a.municipality, a.dwelling_id
        out.append((hid, _action(action), code or None, did or None))
    return out


def violations(instance: Instance, params: Params, assignments: Iterable) -> list[str]:
    """Every broken hard rule (docs/contract.md §4) of a proposal, one plain line each; empty when valid.

    ``assignments``: objects with ``household_id, action, municipality, dwelling_id`` or
    4-tuples in that order.
    """
    f = _Facts(instance, params)
    rows = _rows(assignments)
    out: list[str] = []
    seen: dict[str, tuple] = {}
    for row in rows:
        hid = row[0]
        if hid not in f.hh:
            out.append(f"{hid}: unknown household")
        elif hid in seen:
            out.append(f"{hid}: more than one row")
        else:
            seen[hid] = row
    for hid in f.hh:
        if hid not in seen:
            out.append(f"{hid}: no row")

    where: dict[str, str | None] = {}  # municipality a row puts the household in (house/couple)
    occupants: dict[str, list[Household]] = defaultdict(list)
    new_persons: dict[str, int] = defaultdict(int)
    new_amv: dict[str, int] = defaultdict(int)
    for hid, (_, action, code, did) in seen.items():
        h = f.hh[hid]
        if action == HOUSE:
            d = f.dw.get(did) if did else None
            if d is None:
                out.append(f"{hid}: house without a known dwelling ({did!r})")
                continue
            if code is not None and code != d.municipality:
                out.append(f"{hid}: municipality {code} is not the dwelling's {d.municipality}")
            code = d.municipality
            occupants[did].append(h)
            if h.amv and _kind(d) != "amv":
                out.append(f"{hid}: rule 1: AMV housed in {_kind(d)} dwelling {did}")
            if h.needs_accessible and not d.accessible:
                out.append(f"{hid}: rule 2: needs accessible, {did} is not")
            if not h.document_ready:
                out.append(f"{hid}: rule 2: housed without document")
            if d.available_from > f.end:
                out.append(f"{hid}: rule 3: {did} available {d.available_from} after {f.end}")
            if did in f.banned_d[hid]:
                out.append(f"{hid}: rule 7: banned dwelling {did}")
        elif action == COUPLE:
            if did:
                out.append(f"{hid}: couple names a dwelling")
            if code not in f.muni:
                out.append(f"{hid}: couple to unknown municipality {code!r}")
                continue
            if h.coupled_to is not None:
                out.append(f"{hid}: rule 4: couple for a household already coupled to {h.coupled_to}")
        elif action == WAIT:
            if did:
                out.append(f"{hid}: wait names a dwelling")
            if code is not None and code != h.coupled_to:
                out.append(f"{hid}: wait names municipality {code}, coupled to {h.coupled_to}")
            where[hid] = None
            continue
        else:
            out.append(f"{hid}: unknown action {action!r}")
            continue
        where[hid] = code
        if code in f.banned_m[hid]:
            out.append(f"{hid}: rule 7: banned municipality {code}")
        if code != h.coupled_to:
            if h.coupled_to is not None and (h.temporary_home is not None
                                             or not (params.allow_recoupling or h.may_recouple)):
                out.append(f"{hid}: rule 4: coupled to {h.coupled_to}, placed in {code}")
            elif h.coupled_to is not None and not params.allow_recoupling and h.recouple_to not in (None, code):
                out.append(f"{hid}: rule 4: re-coupling approved to {h.recouple_to}, placed in {code}")
            if not f.region_ok(h, code):
                out.append(f"{hid}: rule 5: {code} out of region ({f.km(h, code):.1f} km)")
            new_persons[code] += h.size
            if h.amv:
                new_amv[code] += h.size

    for did, group in occupants.items():
        d = f.dw[did]
        kind = _kind(d)
        total = sum(h.size for h in group)
        for h in group:
            if h.temporary_home is not None and kind != "regular":
                out.append(f"{h.household_id}: rule 1: from temporary home {h.temporary_home} only to a regular home")
        if kind == "regular":
            if len(group) > 1:
                out.append(f"{did}: rule 1: regular with {len(group)} households")
            for h in group:
                if not d.min_occupancy <= h.size <= d.capacity:
                    out.append(f"{h.household_id}: rule 1: size {h.size} outside {d.min_occupancy}..{d.capacity} of {did}")
            continue
        if kind == "shared":
            for h in group:
                if h.size != 1 or h.amv:
                    out.append(f"{h.household_id}: rule 1: shared {did} takes single non-AMV adults")
        elif kind == "amv":
            for h in group:
                if not h.amv:
                    out.append(f"{h.household_id}: rule 1: amv {did} takes AMV only")
        elif kind == "temporary":
            for h in group:
                if h.amv:
                    out.append(f"{h.household_id}: rule 1: temporary {did} takes no AMV")
        if total > d.capacity:
            out.append(f"{did}: rule 1: {total} persons > capacity {d.capacity}")

    for code in f.muni:
        if new_persons[code] > f.quota(code):
            out.append(f"{code}: rule 6: {new_persons[code]} newly coupled > {f.quota(code)}")
        if new_amv[code] > f.amv_quota(code):
            out.append(f"{code}: rule 6: {new_amv[code]} AMV newly coupled > {f.amv_quota(code)}")

    for lock in instance.locks:
        hid = lock.household_id
        if hid not in seen:
            continue
        _, action, _, did = seen[hid]
        if lock.dwelling_id is not None and not (action == HOUSE and did == lock.dwelling_id):
            out.append(f"{hid}: rule 7: lock on dwelling {lock.dwelling_id} not kept")
        if lock.municipality is not None:
            result = where.get(hid) if action != WAIT else f.hh[hid].coupled_to
            if result != lock.municipality:
                out.append(f"{hid}: rule 7: lock on municipality {lock.municipality} not kept (ends in {result})")
    return out


def levels(instance: Instance, params: Params, assignments: Iterable) -> tuple[int, int, int]:
    """Levels 1-3 (overdue relief, placement, moves) of a proposal, per docs/contract.md §5."""
    f = _Facts(instance, params)
    l1 = l2 = l3 = 0
    for hid, action, code, did in _rows(assignments):
        h = f.hh[hid]
        if h.temporary_home is not None:  # its onward move, made or owed; already placed
            l3 += h.size
            if action == HOUSE:
                l1 += h.size * overdue_days(h, params)
            continue
        if action == HOUSE:
            d = f.dw[did]
            code = d.municipality
            l1 += h.size * overdue_days(h, params)
            if _kind(d) == "temporary":
                l3 += h.size
        if action in (HOUSE, COUPLE):
            l2 += h.size
            if h.coupled_to is not None and code != h.coupled_to:
                l3 += h.size
    return (l1, l2, l3)
