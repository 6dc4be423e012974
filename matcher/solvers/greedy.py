"""Today's practice as a baseline: first come, first served.

Households are taken oldest clock first (coupling date if coupled, else permit date).  A coupled
household gets the first offered home in its municipality that fits (one whose re-coupling COA
approved, ``may_recouple``, else the first that fits in the nearest other municipality in range,
or in ``recouple_to`` only when the approval named it); a household not yet coupled
goes to the nearest municipality in range with quota left, and gets a home there if one fits,
otherwise only the coupling.  Households in a temporary home come last, longest there first,
and move on to the first regular home left in their municipality that fits.  Locks are honoured first and bans always.  The result is valid but
makes no claim of optimality, so its status is ``feasible``.

The construction is its own, the hard rules are not: what a household takes of a dwelling and of
the quota, and what a lock allows and needs, come from :mod:`matcher.rules` as for the exact
backends.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from matcher.exceptions import LocksInfeasibleError
from matcher.models import Action, Assignment, Dwelling, Household, Lock, Proposal, Status
from matcher.objective import evaluate
from matcher.rules import Rules, lock_allows, lock_needs_place, quota_taken, room, room_taken
from matcher.solvers.base import SolveOptions


@dataclass
class _State:
    """What is still free while the greedy pass hands out places."""

    rules: Rules
    quota: dict[str, int]
    amv_quota: dict[str, int]
    room: dict[str, int] = field(default_factory=dict)
    """What each dwelling still holds (:func:`matcher.rules.room`)."""

    def fits_now(self, h: Household, d: Dwelling) -> bool:
        if self.room[d.dwelling_id] < room_taken(h, d):
            return False
        return self.coupling_allowed(h, d.municipality)

    def coupling_allowed(self, h: Household, code: str) -> bool:
        persons, amv_persons = quota_taken(h, code)
        return self.quota[code] >= persons and self.amv_quota[code] >= amv_persons

    def take(self, h: Household, code: str, d: Dwelling | None) -> None:
        persons, amv_persons = quota_taken(h, code)
        self.quota[code] -= persons
        self.amv_quota[code] -= amv_persons
        if d is not None:
            self.room[d.dwelling_id] -= room_taken(h, d)


class GreedySolver:
    """First come, first served; nearest municipality; first home that fits."""

    name = "greedy"
    exact = False

    def solve(self, rules: Rules, options: SolveOptions) -> Proposal:
        start = time.perf_counter()
        assignments = greedy_assignments(rules)
        levels = evaluate(rules, assignments)
        return Proposal(
            assignments=tuple(assignments[h.household_id] for h in rules.instance.households),
            status=Status.FEASIBLE,
            solver=self.name,
            levels=levels,
            runtime_s=time.perf_counter() - start,
            message="greedy baseline: valid, not optimised",
        )


def greedy_assignments(rules: Rules) -> dict[str, Assignment]:
    """The greedy proposal as assignments by household id (every household present)."""
    instance = rules.instance
    state = _State(rules, dict(rules.quota), dict(rules.amv_quota),
                   {d.dwelling_id: room(d) for d in instance.dwellings})
    homes = {code: sorted((d for d in ds if rules.available(d)), key=lambda d: (d.available_from, d.dwelling_id))
             for code, ds in rules.dwellings_by_municipality.items()}
    out: dict[str, Assignment] = {}

    # Dwelling locks first, so that a municipality lock never takes a home another lock needs.
    for lock in sorted(instance.locks, key=lambda lock: lock.dwelling_id is None):
        h = instance.household_by_id[lock.household_id]
        placed = out.get(h.household_id)
        if placed is not None:
            # A second lock of the same household: its place is taken already, once; it must keep
            # this lock too (a dwelling lock and its municipality, say), not be placed again.
            if not _keeps(h, lock, placed):
                raise LocksInfeasibleError(f"household {h.household_id} has locks that contradict each other")
            continue
        assignment = _place_locked(rules, state, homes, h, lock)
        if assignment is None:
            raise LocksInfeasibleError(f"greedy: lock of household {h.household_id} cannot hold{rules.grown_past_lock(h)}")
        out[h.household_id] = assignment

    def clock(h: Household):
        # Those in reception first; households in a temporary home then take the regular homes
        # left in their municipality, longest there first.
        return (h.in_temporary, h.housed_since or h.coupling_date or h.permit_date, h.permit_date, h.household_id)

    for h in sorted(instance.households, key=clock):
        if h.household_id in out:
            continue
        out[h.household_id] = _place(rules, state, homes, h)
    return out


def _place(rules: Rules, state: _State, homes: dict[str, list[Dwelling]], h: Household,
           stay: bool = False) -> Assignment:
    """Greedy's place for ``h``; ``stay``: a coupled household keeps its municipality (a lock on it)."""
    if h.is_coupled:
        for d in homes[h.coupled_to]:
            if rules.may_house(h, d) and state.fits_now(h, d):
                state.take(h, h.coupled_to, d)
                return Assignment(h.household_id, Action.HOUSE, d.municipality, d.dwelling_id)
        if h.may_recouple and not stay:  # COA approved its re-coupling: the nearest other municipality with a home that fits
            others = sorted((c for c in rules.candidate_municipalities(h) if c != h.coupled_to),
                            key=lambda code: (rules.household_km(h, code), code))
            for code in others:
                for d in homes[code]:
                    if rules.may_house(h, d) and state.fits_now(h, d):
                        state.take(h, code, d)
                        return Assignment(h.household_id, Action.HOUSE, code, d.dwelling_id)
        return Assignment(h.household_id, Action.WAIT, h.coupled_to)
    nearest = sorted(rules.candidate_municipalities(h), key=lambda code: (rules.household_km(h, code), code))
    for code in nearest:
        if not state.coupling_allowed(h, code):
            continue
        for d in homes[code]:
            if rules.may_house(h, d) and state.fits_now(h, d):
                state.take(h, code, d)
                return Assignment(h.household_id, Action.HOUSE, code, d.dwelling_id)
        state.take(h, code, None)
        return Assignment(h.household_id, Action.COUPLE, code)
    return Assignment(h.household_id, Action.WAIT)


def _keeps(h: Household, lock: Lock, placed: Assignment) -> bool:
    """Whether ``placed`` keeps ``lock`` (rule 7), as the checker reads it."""
    if placed.action is Action.WAIT:
        return not lock_needs_place(h, lock)
    dwellings = (placed.dwelling_id,) if placed.dwelling_id is not None else ()
    return lock_allows(lock, placed.municipality, dwellings)


def _place_locked(rules: Rules, state: _State, homes: dict[str, list[Dwelling]], h: Household,
                  lock: Lock) -> Assignment | None:
    """The first place in greedy order that keeps ``lock`` (``None`` if there is none)."""
    if not lock_needs_place(h, lock):
        # Its own municipality: whatever greedy gives it there keeps the lock, waiting included
        # (an approved re-coupling elsewhere would not).
        return _place(rules, state, homes, h, stay=True)
    if lock.dwelling_id is not None:
        d = rules.instance.dwelling_by_id[lock.dwelling_id]
        code, dwellings = d.municipality, [d]
    elif lock.municipality is not None:
        code = lock.municipality
        if h.coupled_to != code and (code not in rules.candidate_municipalities(h) or not state.coupling_allowed(h, code)):
            return None
        dwellings = homes[code]
    else:  # no lock names neither (models.Lock)
        return None
    for d in dwellings:
        if lock_allows(lock, code, (d.dwelling_id,)) and rules.may_house(h, d) and state.fits_now(h, d):
            state.take(h, code, d)
            return Assignment(h.household_id, Action.HOUSE, code, d.dwelling_id)
    if not h.is_coupled and lock_allows(lock, code):
        state.take(h, code, None)
        return Assignment(h.household_id, Action.COUPLE, code)
    return None
