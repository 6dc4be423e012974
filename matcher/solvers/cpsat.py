"""The exact solver: OR-Tools CP-SAT, level by level (spec §5).

The model has one yes/no variable per household and *place* it may get, where a place is a
municipality (``couple``) or a dwelling slot (``house``).  Identical ``regular`` dwellings of one
municipality (same capacity, minimum occupancy and accessibility, named by no lock, ban or
previous line) form one slot with a count, which is exact: a regular dwelling holds one
household, so which of two identical homes a household gets changes no rule and no level.
Other kinds hold several households and stay one slot per dwelling.

The levels are solved in order; each proven optimum is fixed as a constraint before the next
level, and every stage starts from the previous stage's solution (the first from greedy).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from matcher.exceptions import LocksInfeasibleError
from matcher.models import LEVEL_NAMES, MAXIMISE, Action, Assignment, DwellingKind, Household, Proposal, Status
from matcher.objective import Option, evaluate, idle_baseline, option_levels
from matcher.rules import Rules
from matcher.solvers.base import SolveOptions, level_budget
from matcher.solvers.greedy import greedy_assignments
from matcher.solvers.lexicographic import LexicographicSolver
from matcher.solvers.slots import Slot, dwelling_slots

log = logging.getLogger(__name__)



@dataclass
class _Choice:
    """One variable: household ``h`` gets ``option`` (through ``slot`` when housed)."""

    h: Household
    option: Option
    slot: Slot | None
    var: cp_model.IntVar
    levels: tuple[int, int, int, int]


class CpSatSolver:
    """Exact lexicographic solver on OR-Tools CP-SAT."""

    name = "cpsat"
    exact = True

    def solve(self, rules: Rules, options: SolveOptions) -> Proposal:
        start = time.perf_counter()
        deadline = None if options.time_limit is None else start + options.time_limit
        model = cp_model.CpModel()
        choices, by_household = self._build(rules, model)
        hint = self._greedy_hint(rules, choices)

        expressions = [
            cp_model.LinearExpr.weighted_sum([c.var for c in choices], [c.levels[i] for c in choices])
            for i in range(4)
        ]
        quality_constant = idle_baseline(rules) + sum(
            option_levels(rules, h, Option(Action.WAIT))[3] for h in rules.instance.households
        )

        proven = [False, False, False, False]
        values: list[int | None] = [None, None, None, None]
        bound: float | None = None
        solution: dict[int, int] | None = None
        statuses: list[str] = []
        for level in range(4):
            remaining = None if deadline is None else deadline - time.perf_counter()
            if remaining is not None and remaining <= 0.05:
                break
            model.clear_hints()
            for index, value in (solution or hint or {}).items():
                model.add_hint(choices[index].var, value)
            if MAXIMISE[level]:
                model.maximize(expressions[level])
            else:
                model.minimize(expressions[level])
            solver = cp_model.CpSolver()
            solver.parameters.random_seed = options.seed
            solver.parameters.num_workers = max(1, options.workers)
            solver.parameters.log_search_progress = options.log
            if remaining is not None:
                solver.parameters.max_time_in_seconds = level_budget(level, remaining)
            status = solver.solve(model)
            statuses.append(solver.status_name(status))
            if status == cp_model.INFEASIBLE or status == cp_model.MODEL_INVALID:
                if level == 0:
                    raise LocksInfeasibleError(
                        "no proposal satisfies every lock together with the hard rules "
                        f"(CP-SAT: {solver.status_name(status)})"
                    )
                break
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                break
            solution = {i: int(solver.value(c.var)) for i, c in enumerate(choices)}
            value = int(round(solver.objective_value))
            values[level] = value
            proven[level] = status == cp_model.OPTIMAL and all(proven[:level])
            if level == 3:
                bound = float(solver.best_objective_bound) + quality_constant
            # Fix this level before optimising the next: exactly at a proven optimum,
            # at least as good as found otherwise.
            if status == cp_model.OPTIMAL:
                model.add(expressions[level] == value)
            elif MAXIMISE[level]:
                model.add(expressions[level] >= value)
            else:
                model.add(expressions[level] <= value)
            log.info("level %s: %s = %s (%s)", level + 1, LEVEL_NAMES[level], value, statuses[-1])

        if solution is None:
            solution = hint
            if solution is None:
                raise LocksInfeasibleError("no valid proposal was found within the time limit, and greedy cannot honour the locks")
        assignments = self._assignments(rules, choices, by_household, solution)
        levels = evaluate(rules, assignments)
        optimal = all(proven)
        return Proposal(
            assignments=tuple(assignments[h.household_id] for h in rules.instance.households),
            status=Status.OPTIMAL if optimal else Status.FEASIBLE,
            solver=self.name,
            levels=levels,
            proven=(proven[0], proven[1], proven[2], proven[3]),
            bound=bound,
            runtime_s=time.perf_counter() - start,
            message="CP-SAT per level: " + ", ".join(statuses) if statuses else "time limit reached before CP-SAT answered; greedy proposal returned",
            stats={"variables": len(choices), "households": len(rules.instance.households)},
        )

    def _build(self, rules: Rules, model: cp_model.CpModel) -> tuple[list[_Choice], dict[str, list[int]]]:
        instance = rules.instance
        slots_by_muni: dict[str, list[Slot]] = defaultdict(list)
        for slot in dwelling_slots(rules):
            slots_by_muni[slot.municipality].append(slot)
        locks: dict[str, list] = defaultdict(list)
        for lock in instance.locks:
            locks[lock.household_id].append(lock)

        wait_quality = {h.household_id: option_levels(rules, h, Option(Action.WAIT))[3] for h in instance.households}
        choices: list[_Choice] = []
        by_household: dict[str, list[int]] = defaultdict(list)
        by_slot: dict[int, list[int]] = defaultdict(list)
        slot_index: dict[int, Slot] = {}
        newly_coupled: dict[str, list[int]] = defaultdict(list)

        def add(h: Household, option: Option, slot: Slot | None) -> None:
            index = len(choices)
            var = model.new_bool_var(f"{h.household_id}>{option.dwelling.dwelling_id if slot else option.municipality}")
            relief, placement, moves, quality = option_levels(rules, h, option)
            # Level 4 of a choice is its change against waiting, which the constant covers.
            choices.append(_Choice(h, option, slot, var, (relief, placement, moves, quality - wait_quality[h.household_id])))
            by_household[h.household_id].append(index)
            if slot is not None:
                by_slot[id(slot)].append(index)
                slot_index[id(slot)] = slot
            if option.municipality != h.coupled_to:
                newly_coupled[option.municipality].append(index)

        for h in instance.households:
            for code in rules.candidate_municipalities(h):
                for slot in slots_by_muni.get(code, ()):
                    if rules.may_house(h, slot.first):
                        add(h, Option(Action.HOUSE, code, slot.first), slot)
                if not h.is_coupled:
                    add(h, Option(Action.COUPLE, code), None)

        # Each household gets at most one place (exactly one when a lock forbids waiting).
        for h in instance.households:
            indices = by_household.get(h.household_id, [])
            allowed = indices
            must_place = False
            for lock in locks.get(h.household_id, ()):
                allowed = [i for i in allowed if _satisfies(choices[i], lock)]
                if not (lock.dwelling_id is None and lock.municipality == h.coupled_to):
                    must_place = True
                if lock.municipality == h.coupled_to and lock.dwelling_id is None:
                    # waiting in its own municipality also keeps this lock
                    allowed = [i for i in allowed if choices[i].option.municipality == h.coupled_to]
            for i in set(indices) - set(allowed):
                model.add(choices[i].var == 0)
            if must_place:
                if not allowed:
                    raise LocksInfeasibleError(f"household {h.household_id}: its lock names a place it may not have under the hard rules")
                model.add_exactly_one(choices[i].var for i in allowed)
            elif indices:
                model.add_at_most_one(choices[i].var for i in indices)

        # Rule 1: a regular slot houses at most as many households as it has dwellings;
        # other dwellings hold persons up to their capacity.
        for key, indices in by_slot.items():
            slot = slot_index[key]
            if slot.first.kind is DwellingKind.REGULAR:
                model.add(sum(choices[i].var for i in indices) <= len(slot.dwellings))
            else:
                model.add(sum(choices[i].h.size * choices[i].var for i in indices) <= slot.first.capacity)

        # Rule 6: persons (and AMV persons) newly coupled stay within the quota left.
        for code, indices in newly_coupled.items():
            model.add(sum(choices[i].h.size * choices[i].var for i in indices) <= rules.quota[code])
            amv = [i for i in indices if choices[i].h.amv]
            if amv:
                model.add(sum(choices[i].h.size * choices[i].var for i in amv) <= rules.amv_quota[code])
        return choices, by_household

    def _greedy_hint(self, rules: Rules, choices: list[_Choice]) -> dict[int, int] | None:
        try:
            greedy = greedy_assignments(rules)
        except LocksInfeasibleError:
            return None
        lookup: dict[tuple[str, str, str | None], int] = {}
        for i, c in enumerate(choices):
            lookup[(c.h.household_id, c.option.action.value, c.slot.first.dwelling_id if c.slot else c.option.municipality)] = i
        slot_of: dict[str, str] = {}
        for c in choices:
            if c.slot is not None:
                for d in c.slot.dwellings:
                    slot_of[d.dwelling_id] = c.slot.first.dwelling_id
        hint = {i: 0 for i in range(len(choices))}
        for a in greedy.values():
            if a.action is Action.HOUSE:
                key = (a.household_id, "house", slot_of.get(a.dwelling_id))
            elif a.action is Action.COUPLE:
                key = (a.household_id, "couple", a.municipality)
            else:
                continue
            if key in lookup:
                hint[lookup[key]] = 1
        return hint

    def _assignments(self, rules: Rules, choices: list[_Choice], by_household: dict[str, list[int]],
                     solution: dict[int, int]) -> dict[str, Assignment]:
        taken: dict[int, list[Household]] = defaultdict(list)
        out: dict[str, Assignment] = {}
        for h in rules.instance.households:
            picked = [i for i in by_household.get(h.household_id, []) if solution.get(i)]
            if not picked:
                out[h.household_id] = Assignment(h.household_id, Action.WAIT, h.coupled_to)
                continue
            c = choices[picked[0]]
            if c.slot is None:
                out[h.household_id] = Assignment(h.household_id, Action.COUPLE, c.option.municipality)
            else:
                taken[id(c.slot)].append(h)
                out[h.household_id] = Assignment(h.household_id, Action.HOUSE, c.option.municipality, c.slot.first.dwelling_id)
        # Disaggregate classes of identical regular dwellings: households in id order get the
        # dwellings in id order.
        slots = {id(c.slot): c.slot for c in choices if c.slot is not None}
        for key, households in taken.items():
            slot = slots[key]
            if len(slot.dwellings) == 1:
                continue
            for h, d in zip(sorted(households, key=lambda h: h.household_id), slot.dwellings):
                out[h.household_id] = Assignment(h.household_id, Action.HOUSE, d.municipality, d.dwelling_id)
        return out


def _satisfies(choice: _Choice, lock) -> bool:
    if lock.dwelling_id is not None:
        if choice.slot is None or lock.dwelling_id not in {d.dwelling_id for d in choice.slot.dwellings}:
            return False
    if lock.municipality is not None and choice.option.municipality != lock.municipality:
        return False
    return True


class CpSatBackend:
    """The aggregated programme in CP-SAT."""

    def __init__(self, formulation, options: SolveOptions):
        self.f = formulation
        self.options = options
        self.maximise = MAXIMISE
        self.model = cp_model.CpModel()
        self.x = [self.model.new_int_var(0, v.upper, v.name) for v in formulation.vars]
        for c in formulation.constraints:
            expr = cp_model.LinearExpr.weighted_sum([self.x[v] for v, _ in c.terms], [k for _, k in c.terms])
            lower = c.lower if c.lower is not None else cp_model.INT_MIN
            upper = c.upper if c.upper is not None else cp_model.INT_MAX
            self.model.add_linear_constraint(expr, lower, upper)
        self.expr = [
            cp_model.LinearExpr.weighted_sum([self.x[v] for v, _ in terms], [k for _, k in terms])
            for terms in formulation.objectives
        ]

    def optimise(self, level: int, time_limit: float | None, hint: list[int] | None):
        from matcher.solvers.lexicographic import LevelResult, Outcome

        self.model.clear_hints()
        if hint is not None:
            for var, value in zip(self.x, hint):
                self.model.add_hint(var, value)
        if self.maximise[level]:
            self.model.maximize(self.expr[level])
        else:
            self.model.minimize(self.expr[level])
        solver = cp_model.CpSolver()
        solver.parameters.random_seed = self.options.seed
        solver.parameters.num_workers = max(1, self.options.workers)
        solver.parameters.log_search_progress = self.options.log
        if time_limit is not None:
            solver.parameters.max_time_in_seconds = time_limit
        status = solver.solve(self.model)
        native = solver.status_name(status)
        outcome = {
            cp_model.OPTIMAL: Outcome.OPTIMAL,
            cp_model.FEASIBLE: Outcome.FEASIBLE,
            cp_model.INFEASIBLE: Outcome.INFEASIBLE,
        }.get(status, Outcome.UNKNOWN)
        if outcome in (Outcome.OPTIMAL, Outcome.FEASIBLE):
            values = [int(solver.value(x)) for x in self.x]
            return LevelResult(outcome, values, float(solver.best_objective_bound), native)
        return LevelResult(outcome, None, None, native)

    def add(self, row) -> None:
        expr = cp_model.LinearExpr.weighted_sum([self.x[v] for v, _ in row.terms], [k for _, k in row.terms])
        lower = row.lower if row.lower is not None else cp_model.INT_MIN
        upper = row.upper if row.upper is not None else cp_model.INT_MAX
        self.model.add_linear_constraint(expr, lower, upper)



class CpSatClassesSolver(LexicographicSolver):
    """Exact lexicographic solver: the aggregated programme (household classes) on CP-SAT.

    Kept for comparison: CP-SAT proves the per-household model faster than this one, whose
    integer counts weaken its propagation; the MIP backends prefer the aggregated programme."""

    name = "cpsat-classes"

    def make_backend(self, formulation, options):
        return CpSatBackend(formulation, options)
