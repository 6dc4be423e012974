"""A backend-neutral, aggregated integer programme of the weekly proposal.

Households that no rule and no objective coefficient tells apart are one *class*; the homes
that no rule tells apart are one *slot* (see :mod:`matcher.solvers.slots`).
Integer variables count how many households of a class go to a slot (``house``) or to a
municipality (``couple``).  Within a class, households differ only in how overdue they are and
how old their permit is; each group of equal dates is a *bucket* with two counters (housed, and
placed = housed or coupled), tied to the class totals.  Any counts the model chooses correspond
to real households, so the aggregation is exact; :meth:`Formulation.assignments` hands out
concrete households and dwellings deterministically.

Households named by a lock, a ban or a line of ``previous.csv`` are kept as classes of one.
With ``per_household`` every household is a class of one: the *per-household* programme, whose
variables are all yes/no (one per household and place), which CP-SAT propagates better than
counts.  Every exact backend (CP-SAT, HiGHS, CBC) solves one of the two through the one
level-by-level driver, :class:`~matcher.solvers.lexicographic.LexicographicSolver`.

The hard rules are not written here but taken from :mod:`matcher.rules`: what a household takes
of a dwelling (:func:`~matcher.rules.room_taken`) and of the quota
(:func:`~matcher.rules.quota_taken`), and what a lock allows and needs
(:func:`~matcher.rules.lock_allows`, :func:`~matcher.rules.lock_needs_place`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from matcher.exceptions import LocksInfeasibleError
from matcher.models import Action, Assignment, DwellingKind, Household
from matcher.objective import IDLE_KINDS, Option, idle_baseline, option_levels, quality_terms
from matcher.rules import Rules, dwelling_fits, lock_allows, lock_needs_place, quota_taken, room, room_taken
from matcher.solvers.slots import Slot, dwelling_slots


@dataclass
class Var:
    """An integer variable ``0 <= v <= upper`` (a yes/no variable when ``upper`` is 1)."""

    name: str
    upper: int


@dataclass
class Constraint:
    """``lower <= sum(coef * var) <= upper`` (``None`` for no bound on that side)."""

    terms: list[tuple[int, int]]
    lower: int | None
    upper: int | None


@dataclass
class HouseholdClass:
    """Interchangeable households; ``buckets`` maps (overdue, permit age) to members."""

    key: tuple
    members: list[Household]
    buckets: dict[tuple[int, int], list[Household]] = field(default_factory=dict)

    @property
    def first(self) -> Household:
        return self.members[0]


@dataclass
class Formulation:
    """The integer programme, plus what is needed to read a solution back."""

    rules: Rules
    vars: list[Var] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    objectives: tuple[list[tuple[int, int]], ...] = field(default_factory=lambda: ([], [], [], []))
    constants: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    classes: list[HouseholdClass] = field(default_factory=list)
    house_vars: list[tuple[int, int, Slot]] = field(default_factory=list)
    """(class index, variable, slot) for every ``house`` variable."""
    couple_vars: list[tuple[int, int, str]] = field(default_factory=list)
    bucket_vars: list[tuple[int, tuple[int, int], int, int]] = field(default_factory=list)
    """(class index, bucket key, housed variable, placed variable)."""

    def new_var(self, name: str, upper: int) -> int:
        self.vars.append(Var(name, upper))
        return len(self.vars) - 1

    def add(self, terms: list[tuple[int, int]], lower: int | None = None, upper: int | None = None) -> None:
        self.constraints.append(Constraint(terms, lower, upper))

    def objective_value(self, level: int, values: list[int]) -> int:
        return self.constants[level] + sum(c * values[v] for v, c in self.objectives[level])

    def assignments(self, values: list[int]) -> dict[str, Assignment]:
        """Concrete assignments for a solution (a value per variable)."""
        instance = self.rules.instance
        out: dict[str, Assignment] = {
            h.household_id: Assignment(h.household_id, Action.WAIT, h.coupled_to) for h in instance.households
        }
        housed_pool: dict[int, list[Household]] = defaultdict(list)
        coupled_pool: dict[int, list[Household]] = defaultdict(list)
        for ci, key, hv, pv in self.bucket_vars:
            members = sorted(self.classes[ci].buckets[key], key=lambda h: h.household_id)
            housed, placed = values[hv], values[pv]
            housed_pool[ci].extend(members[:housed])
            coupled_pool[ci].extend(members[housed:placed])
        used: dict[str, int] = defaultdict(int)
        for ci, var, slot in self.house_vars:
            for _ in range(values[var]):
                h = housed_pool[ci].pop(0)
                if slot.first.kind is DwellingKind.REGULAR:
                    d = slot.dwellings[used[slot.first.dwelling_id]]
                    used[slot.first.dwelling_id] += 1
                else:
                    d = slot.first
                out[h.household_id] = Assignment(h.household_id, Action.HOUSE, d.municipality, d.dwelling_id)
        for ci, var, code in self.couple_vars:
            for _ in range(values[var]):
                h = coupled_pool[ci].pop(0)
                out[h.household_id] = Assignment(h.household_id, Action.COUPLE, code)
        leftover = [ci for ci, pool in (*housed_pool.items(), *coupled_pool.items()) if pool]
        if leftover:
            raise RuntimeError(f"solution does not disaggregate: classes {leftover[:5]} have unplaced households")
        return out

    def values_from(self, assignments: dict[str, Assignment]) -> list[int] | None:
        """The variable values of a given proposal (for warm starts), or ``None`` if the
        proposal does not fit this programme."""
        values = [0] * len(self.vars)
        class_of = {h.household_id: ci for ci, c in enumerate(self.classes) for h in c.members}
        slot_of: dict[str, str] = {}
        for _, _, slot in self.house_vars:
            for d in slot.dwellings:
                slot_of[d.dwelling_id] = slot.first.dwelling_id
        house_index = {(ci, slot.first.dwelling_id): var for ci, var, slot in self.house_vars}
        couple_index = {(ci, code): var for ci, var, code in self.couple_vars}
        bucket_index = {(ci, key): (hv, pv) for ci, key, hv, pv in self.bucket_vars}
        rules = self.rules
        for h in rules.instance.households:
            a = assignments[h.household_id]
            if a.action is Action.WAIT:
                continue
            ci = class_of[h.household_id]
            hv, pv = bucket_index[(ci, bucket_key(rules, h))]
            if a.action is Action.HOUSE:
                var = house_index.get((ci, slot_of.get(a.dwelling_id, "")))
                values[hv] += 1
            else:
                var = couple_index.get((ci, a.municipality))
            if var is None:
                return None
            values[var] += 1
            if pv != hv:
                values[pv] += 1
        if any(value > v.upper for value, v in zip(values, self.vars)):
            return None
        return values


def bucket_key(rules: Rules, h: Household) -> tuple[int, int]:
    """What tells apart households of one class: overdue days, and (uncoupled only) permit age."""
    return (rules.overdue(h), 0 if h.is_coupled else rules.permit_age(h))


def class_key(rules: Rules, h: Household, named: set[str]) -> tuple:
    if h.household_id in named:
        return ("named", h.household_id)
    if h.is_coupled and not rules.may_recouple(h):
        # Where it lives and its ties only matter for new couplings, which it cannot get.
        return (h.size, None, h.coupled_to, h.amv, h.needs_accessible, h.document_ready, h.expected_extra, None,
                h.in_temporary)
    if not h.document_ready:
        # It can only be coupled: its needs and expected family play no part.
        return (h.size, h.location_id, h.coupled_to, h.amv, None, False, None, h.tie_municipality) + _to(h)
    return (h.size, h.location_id, h.coupled_to, h.amv, h.needs_accessible, h.document_ready,
            h.expected_extra, h.tie_municipality) + _to(h)


def _to(h: Household) -> tuple:
    """Where an approved re-coupling may go (``recouple_to``) tells classes apart; the key is as
    before for a household without one."""
    return () if h.recouple_to is None else (("recouple_to", h.recouple_to),)


def build(rules: Rules, split: Callable[[Household], Hashable] | None = None,
          per_household: bool = False) -> Formulation:
    """The aggregated integer programme for ``rules``.

    ``split`` tells apart households that the levels do not but another objective does (the
    look-ahead policy splits classes by permit date): its value joins the class key.
    ``per_household`` makes every household a class of one (the per-household programme)."""
    instance = rules.instance
    f = Formulation(rules)
    named = {x.household_id for x in (*instance.locks, *instance.bans, *instance.previous)}
    groups: dict[tuple, HouseholdClass] = {}
    for h in instance.households:
        key = ("household", h.household_id) if per_household else class_key(rules, h, named)
        if split is not None:
            key = (*key, split(h))
        if key not in groups:
            groups[key] = HouseholdClass(key, [])
        groups[key].members.append(h)
    f.classes = sorted(groups.values(), key=lambda c: c.first.household_id)
    for c in f.classes:
        for h in c.members:
            c.buckets.setdefault(bucket_key(rules, h), []).append(h)

    slots_by_muni: dict[str, list[Slot]] = defaultdict(list)
    for slot in dwelling_slots(rules):
        slots_by_muni[slot.municipality].append(slot)
    locks = defaultdict(list)
    for lock in instance.locks:
        locks[lock.household_id].append(lock)

    by_slot: dict[str, list[tuple[int, int]]] = defaultdict(list)
    slot_by_id: dict[str, Slot] = {}
    newly: dict[str, list[tuple[int, int]]] = defaultdict(list)
    newly_amv: dict[str, list[tuple[int, int]]] = defaultdict(list)
    w = rules.params.weights
    f.constants[3] = idle_baseline(rules)

    for ci, c in enumerate(f.classes):
        h = c.first
        n = len(c.members)
        # Level 4 of waiting, less the permit-age part, which is counted per bucket below
        # (it is the only part that differs between members of a class).
        wait_q = option_levels(rules, h, Option(Action.WAIT))[3]
        if not h.is_coupled:
            wait_q -= w.permit_age * h.size * rules.permit_age(h)
        f.constants[3] += n * wait_q
        wait_moves = rules.wait_moves(h)
        f.constants[2] += n * wait_moves
        placed_terms: list[tuple[int, int]] = []
        housed_terms: list[tuple[int, int]] = []
        options: list[tuple[int, Option]] = []
        banned_dwellings = rules.banned_dwellings.get(h.household_id, ())
        banned_municipalities = rules.banned_municipalities.get(h.household_id, ())
        for code in rules.candidate_municipalities(h):
            # A candidate municipality may take this household (rules 4-7), so a home there
            # only has to fit it and not be banned: the rest of Rules.may_house holds already.
            if code not in banned_municipalities:
                for slot in slots_by_muni.get(code, ()):
                    d = slot.first
                    if not dwelling_fits(h, d) or d.dwelling_id in banned_dwellings:
                        continue
                    cap = room(d) * len(slot.dwellings) // room_taken(h, d)
                    var = f.new_var(f"house[{ci},{d.dwelling_id}]", min(n, cap))
                    f.house_vars.append((ci, var, slot))
                    by_slot[d.dwelling_id].append((var, room_taken(h, d)))
                    slot_by_id[d.dwelling_id] = slot
                    housed_terms.append((var, 1))
                    options.append((var, Option(Action.HOUSE, code, d)))
            if not h.is_coupled:
                var = f.new_var(f"couple[{ci},{code}]", n)
                f.couple_vars.append((ci, var, code))
                options.append((var, Option(Action.COUPLE, code)))
        fast = h.household_id not in rules.previous
        base: dict[str, int] = {}
        for var, option in options:
            placed_terms.append((var, 1))
            d = option.dwelling
            if fast:
                # Level 4 of a household with no line last week: the coupling's km and tie terms
                # (per municipality) plus what the home adds (objective.quality_terms, unrolled).
                if option.municipality not in base:
                    base[option.municipality] = sum(quality_terms(rules, h, Option(Action.COUPLE, option.municipality)).values())
                quality = base[option.municipality]
                if d is not None:
                    if d.kind in IDLE_KINDS:
                        quality -= w.idle * h.size
                    if d.kind is DwellingKind.REGULAR:
                        quality += w.extra_misfit * max(0, h.size + h.expected_extra - d.capacity)
                moves = rules.moves(h, d, option.municipality)
            else:
                _, _, moves, quality = option_levels(rules, h, option)
            moves -= wait_moves
            if moves:
                f.objectives[2].append((var, moves))
            quality -= wait_q
            if quality:
                f.objectives[3].append((var, quality))
            persons, amv_persons = quota_taken(h, option.municipality)
            if persons:
                newly[option.municipality].append((var, persons))
            if amv_persons:
                newly_amv[option.municipality].append((var, amv_persons))
        # Buckets: how many of each date group are housed, and placed (housed or coupled).
        bucket_housed: list[tuple[int, int]] = []
        bucket_placed: list[tuple[int, int]] = []
        for key in sorted(c.buckets):
            size_b = len(c.buckets[key])
            overdue, age = key
            hv = f.new_var(f"housed[{ci},{overdue},{age}]", size_b)
            pv = f.new_var(f"placed[{ci},{overdue},{age}]", size_b) if not h.is_coupled else hv
            f.bucket_vars.append((ci, key, hv, pv))
            if pv != hv:
                f.add([(pv, 1), (hv, -1)], lower=0)
                f.objectives[1].append((pv, h.size))
                age_cost = w.permit_age * h.size * age
                f.constants[3] += size_b * age_cost
                if age_cost:
                    f.objectives[3].append((pv, -age_cost))
            elif rules.places(h):
                f.objectives[1].append((hv, h.size))
            if overdue:
                f.objectives[0].append((hv, h.size * overdue))
            bucket_housed.append((hv, 1))
            bucket_placed.append((pv, 1))
        # The buckets add up to the class totals.
        f.add(bucket_housed + [(v, -1) for v, _ in housed_terms], lower=0, upper=0)
        if not h.is_coupled:
            f.add(bucket_placed + [(v, -1) for v, _ in placed_terms], lower=0, upper=0)
        _lock_rules(f, c, locks, options, bucket_placed)

    # Rule 1: what the households housed in a slot take of it stays within what its dwellings
    # hold (one household per regular dwelling, persons up to capacity in the other kinds).
    for slot_id, terms in by_slot.items():
        slot = slot_by_id[slot_id]
        f.add(terms, upper=room(slot.first) * len(slot.dwellings))
    # Rule 6: persons (and AMV persons) newly coupled stay within the quota left.
    for code, terms in newly.items():
        f.add(terms, upper=rules.quota[code])
    for code, terms in newly_amv.items():
        f.add(terms, upper=rules.amv_quota[code])
    return f


def _lock_rules(f: Formulation, c: HouseholdClass, locks, options, bucket_placed) -> None:
    """Rule 7 for a class of one named household: keep only the options its locks allow."""
    h = c.first
    if len(c.members) != 1 or h.household_id not in locks:
        return
    must_place = False
    allowed = {var for var, _ in options}
    homes = {var: [d.dwelling_id for d in slot.dwellings] for _, var, slot in f.house_vars if var in allowed}
    for lock in locks[h.household_id]:
        allowed &= {var for var, option in options if lock_allows(lock, option.municipality, homes.get(var, ()))}
        must_place = must_place or lock_needs_place(h, lock)
    for var, _ in options:
        if var not in allowed:
            f.add([(var, 1)], upper=0)
    if must_place:
        if not allowed:
            raise LocksInfeasibleError(f"household {h.household_id}: its lock names a place it may not have under the hard "
                                       f"rules{f.rules.grown_past_lock(h)}")
        f.add([(var, 1) for var in sorted(allowed)], lower=1, upper=1)

