"""The definitions of docs/contract.md §3 and the hard rules of §4, as the solvers use them.

Everything here looks at one household and one place at a time.  The rules that tie households
together are defined here once as what one household takes (:func:`room`, :func:`room_taken`
for capacity, :func:`quota_taken` for the quota) and what a lock allows and needs
(:func:`lock_allows`, :func:`lock_needs_place`); the integer programme
(:mod:`matcher.solvers.formulation`) sums them into rows, the greedy pass
(:mod:`matcher.solvers.greedy`) subtracts them as it goes.  The independent checker in
:mod:`matcher.check` does not import this module.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property

from matcher.models import Dwelling, DwellingKind, Household, Instance, Lock, Params, PreviousRow
from matcher.models.params import TEMPORARY_DAYS

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in kilometres on the mean Earth sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def dwelling_fits(h: Household, d: Dwelling) -> bool:
    """Rules 1 and 2 for one household alone in one dwelling (kind, size, AMV, accessibility,
    residence document).  A household in a temporary home moves on to a ``regular`` home only."""
    if not h.document_ready:
        return False
    if h.in_temporary and d.kind is not DwellingKind.REGULAR:
        return False
    if h.needs_accessible and not d.accessible:
        return False
    if d.kind is DwellingKind.REGULAR:
        return not h.amv and d.min_occupancy <= h.size <= d.capacity
    if d.kind is DwellingKind.SHARED:
        return not h.amv and h.size == 1 and d.capacity >= 1
    if d.kind is DwellingKind.AMV:
        return h.amv and h.size <= d.capacity
    if d.kind is DwellingKind.TEMPORARY:
        return not h.amv and h.size <= d.capacity
    raise ValueError(f"unknown dwelling kind {d.kind}")


def room(d: Dwelling) -> int:
    """Rule 1: what a dwelling holds, in the units of :func:`room_taken`: one household for a
    regular dwelling, ``capacity`` persons for the other kinds."""
    return 1 if d.kind is DwellingKind.REGULAR else d.capacity


def room_taken(h: Household, d: Dwelling) -> int:
    """Rule 1: how much of :func:`room` housing ``h`` in ``d`` takes (the whole of a regular
    dwelling, ``h.size`` persons of any other)."""
    return 1 if d.kind is DwellingKind.REGULAR else h.size


def quota_taken(h: Household, code: str | None) -> tuple[int, int]:
    """Rule 6: (persons, AMV persons) of ``code``'s quota that giving ``h`` a place there takes:
    nothing in its own municipality, its size (and, for an AMV household, its size of the AMV
    quota) as a new coupling."""
    if code is None or code == h.coupled_to:
        return 0, 0
    return h.size, (h.size if h.amv else 0)


def lock_allows(lock: Lock, municipality: str | None, dwelling_ids: Collection[str] = ()) -> bool:
    """Rule 7: whether a place keeps ``lock``: coupled or housed in ``municipality``, and housed in
    one of ``dwelling_ids`` (a dwelling, or a slot of identical ones; empty for a coupling)."""
    if lock.dwelling_id is not None and lock.dwelling_id not in dwelling_ids:
        return False
    if lock.municipality is not None and municipality != lock.municipality:
        return False
    return True


def lock_needs_place(h: Household, lock: Lock) -> bool:
    """Rule 7: whether ``lock`` forbids ``h`` to wait.  Every lock does, except one to the
    municipality ``h`` is already coupled to: waiting there keeps it."""
    return not (lock.dwelling_id is None and lock.municipality == h.coupled_to)


@dataclass(frozen=True)
class _Probe:
    """Just a location, for rule 5 checks that depend on nothing else."""

    location_id: str


@dataclass
class Rules:
    """The instance and parameters with the derived facts every solver needs, computed once."""

    instance: Instance
    params: Params

    @cached_property
    def km(self) -> dict[tuple[str, str], float]:
        """Great-circle km from every reception location to every municipality point."""
        return {
            (loc.location_id, m.code): great_circle_km(loc.lat, loc.lon, m.lat, m.lon)
            for loc in self.instance.locations
            for m in self.instance.municipalities
        }

    @cached_property
    def minutes(self) -> dict[tuple[str, str], float]:
        return {(loc, code): minutes for loc, code, minutes in self.instance.travel_minutes}

    @cached_property
    def end(self) -> dt.date:
        """The end of the horizon (``params.end``, computed once)."""
        return self.params.end

    @cached_property
    def in_range_by_location(self) -> dict[str, list[str]]:
        """Per reception location, the municipalities in range (rule 5), in instance order."""
        out: dict[str, list[str]] = {}
        for loc in self.instance.locations:
            probe = _Probe(loc.location_id)
            out[loc.location_id] = [m.code for m in self.instance.municipalities if self.in_range(probe, m.code)]
        return out

    def overdue(self, h: Household) -> int:
        """Days past the norm at the end of the horizon (docs/contract.md §3, :meth:`Params.overdue_days`);
        for a household in a temporary home, days past the year it may stay there."""
        if h.housed_since is not None:
            return max(0, -self.temporary_days_left(h))
        return self.params.overdue_days(h.permit_date, h.coupling_date, self.end)

    def temporary_days_left(self, h: Household) -> int:
        """Days left at the end of the horizon of the year a household may stay in its temporary
        home (negative: past it) [003:74]."""
        assert h.housed_since is not None
        return (h.housed_since + dt.timedelta(days=TEMPORARY_DAYS) - self.end).days

    def permit_age(self, h: Household) -> int:
        """Days from the permit to the end of the horizon (never negative)."""
        return max(0, (self.end - h.permit_date).days)

    def household_km(self, h: Household, code: str) -> float:
        return self.km[(h.location_id, code)]

    def within_km(self, location_id: str, code: str) -> bool:
        """Rule 5's km half: within ``max_km``, or no km limit."""
        return self.params.max_km is None or self.km[(location_id, code)] <= self.params.max_km

    def travel_time_missing(self, location_id: str, code: str) -> bool:
        """Whether rule 5 asks for a travel time (``max_minutes`` set, the pair within ``max_km``) that
        ``travel_times.csv`` does not have: such a pair is out of range (docs/contract.md §3)."""
        return (self.params.max_minutes is not None and (location_id, code) not in self.minutes
                and self.within_km(location_id, code))

    @cached_property
    def missing_travel_times(self) -> list[tuple[str, str]]:
        """Every (location, municipality) pair of :meth:`travel_time_missing`, for the locations
        households wait at, in instance order: counted in ``summary.json``."""
        used = {h.location_id for h in self.instance.households}
        return [(loc.location_id, m.code) for loc in self.instance.locations if loc.location_id in used
                for m in self.instance.municipalities if self.travel_time_missing(loc.location_id, m.code)]

    def in_range(self, h: Household, code: str) -> bool:
        """Rule 5: the municipality is within ``max_km`` and ``max_minutes``, each when set; a pair
        without a travel time is out of range while ``max_minutes`` is set."""
        if not self.within_km(h.location_id, code):
            return False
        if self.params.max_minutes is not None:
            minutes = self.minutes.get((h.location_id, code))
            if minutes is None or minutes > self.params.max_minutes:
                return False
        return True

    @cached_property
    def banned_municipalities(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for ban in self.instance.bans:
            if ban.municipality is not None:
                out.setdefault(ban.household_id, set()).add(ban.municipality)
        return out

    @cached_property
    def banned_dwellings(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for ban in self.instance.bans:
            if ban.dwelling_id is not None:
                out.setdefault(ban.household_id, set()).add(ban.dwelling_id)
        return out

    @cached_property
    def previous(self) -> dict[str, PreviousRow]:
        """Last week's line per household."""
        return {p.household_id: p for p in self.instance.previous}

    def grown_past(self, h: Household) -> Dwelling | None:
        """The housing check: the home last week's proposal housed ``h`` in, when ``h`` has grown
        since (more persons now than that line's ``persons``: family members joined) and the home no
        longer fits it (rules 1 and 2); else None."""
        row = self.previous.get(h.household_id)
        if row is None or row.action.value != "house" or row.persons is None or row.persons >= h.size:
            return None
        d = self.instance.dwelling_by_id.get(row.dwelling_id) if row.dwelling_id is not None else None
        if d is None or dwelling_fits(h, d):
            return None
        return d

    def grown_past_lock(self, h: Household) -> str:
        """Words for a lock on the home ``h`` has grown past (:meth:`grown_past`), for the message of
        locks that cannot hold; empty otherwise."""
        d = self.grown_past(h)
        if d is None or not any(lock.household_id == h.household_id and lock.dwelling_id == d.dwelling_id
                                for lock in self.instance.locks):
            return ""
        before = self.previous[h.household_id].persons
        return (f" (it has grown from {before} to {h.size} persons since previous.csv: locked dwelling "
                f"{d.dwelling_id}, for {d.capacity}, no longer fits)")

    @cached_property
    def quota(self) -> dict[str, int]:
        """Rule 6: persons each municipality may still be newly coupled."""
        return {m.code: max(0, m.quota_remaining) + self.params.quota_slack for m in self.instance.municipalities}

    @cached_property
    def amv_quota(self) -> dict[str, int]:
        return {m.code: max(0, m.amv_quota_remaining) for m in self.instance.municipalities}

    @cached_property
    def dwellings_by_municipality(self) -> dict[str, list[Dwelling]]:
        out: dict[str, list[Dwelling]] = {m.code: [] for m in self.instance.municipalities}
        for d in self.instance.dwellings:
            out[d.municipality].append(d)
        return out

    def available(self, d: Dwelling) -> bool:
        """Rule 3: the keys can be handed over within the horizon."""
        return d.available_from <= self.end

    def may_recouple(self, h: Household) -> bool:
        """Rule 4: whether coupled ``h`` may be housed in another municipality: every coupled
        household with ``allow_recoupling``, else only one whose re-coupling COA approved
        (``may_recouple``)."""
        return self.params.allow_recoupling or h.may_recouple

    def recouple_here(self, h: Household, code: str) -> bool:
        """Rule 4: whether coupled ``h`` may be re-coupled to ``code`` in particular: with
        ``allow_recoupling`` anywhere, else where COA's approval said (``recouple_to``), if it said."""
        return self.params.allow_recoupling or h.recouple_to is None or h.recouple_to == code

    def can_be_coupled_to(self, h: Household, code: str) -> bool:
        """Whether a new coupling of ``h`` to ``code`` is allowed on its own (rules 4, 5, 7 and
        the quota being large enough for this household alone)."""
        if h.coupled_to == code or h.in_temporary:
            return False
        if h.is_coupled and not (self.may_recouple(h) and self.recouple_here(h, code)):
            return False
        if code in self.banned_municipalities.get(h.household_id, ()):
            return False
        if not self.in_range(h, code):
            return False
        if self.quota[code] < h.size:
            return False
        if h.amv and self.amv_quota[code] < h.size:
            return False
        return True

    def may_house(self, h: Household, d: Dwelling) -> bool:
        """Whether ``h`` may be housed in ``d`` as far as the pair alone decides."""
        if not self.available(d) or not dwelling_fits(h, d):
            return False
        if d.dwelling_id in self.banned_dwellings.get(h.household_id, ()):
            return False
        if d.municipality in self.banned_municipalities.get(h.household_id, ()):
            return False
        if h.coupled_to == d.municipality:
            return True
        return self.can_be_coupled_to(h, d.municipality)

    def candidate_municipalities(self, h: Household) -> list[str]:
        """Municipalities ``h`` could be housed in or coupled to (a household in a temporary home:
        its own only, it is housed there for the quota already)."""
        if h.is_coupled and (h.in_temporary or not self.may_recouple(h)):
            return [h.coupled_to]
        in_range = self.in_range_by_location.get(h.location_id)
        if in_range is None:  # a location the instance does not list: check every municipality
            in_range = [m.code for m in self.instance.municipalities]
        codes = [code for code in in_range if self.can_be_coupled_to(h, code)]
        if h.is_coupled and h.coupled_to not in codes:
            codes.insert(0, h.coupled_to)
        return codes

    def moves(self, h: Household, d: Dwelling | None, code: str | None) -> int:
        """Level 3 person-moves of giving ``h`` this place (``house`` or ``couple``; waiting:
        :meth:`wait_moves`).  A household in a temporary home moving on to a regular home makes its
        onward move: its size."""
        if h.in_temporary:
            return h.size
        moves = 0
        if h.is_coupled and code is not None and code != h.coupled_to:
            moves += h.size
        if d is not None and d.kind is DwellingKind.TEMPORARY:
            moves += h.size
        return moves


    def wait_moves(self, h: Household) -> int:
        """Level 3 person-moves of letting ``h`` wait: the onward move still owed by a household in a
        temporary home (its size; the same as making it), else none.  So no proposal looks better on
        moves by leaving a household in its temporary home."""
        return h.size if h.in_temporary else 0

    def places(self, h: Household) -> bool:
        """Whether a ``house`` or ``couple`` line of ``h`` counts for level 2 (placement): not for a
        household in a temporary home, already housed for the quota."""
        return not h.in_temporary
