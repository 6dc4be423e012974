"""The four lexicographic levels of docs/contract.md §5, as contributions of one household's action.

Each solver builds its objective from :func:`option_levels`; :func:`evaluate` sums them for a
finished proposal.  The independent checker recomputes the same numbers on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.models import Action, Assignment, Dwelling, DwellingKind, Household, Levels, PreviousRow
from matcher.rules import Rules

IDLE_KINDS = frozenset({DwellingKind.REGULAR, DwellingKind.SHARED, DwellingKind.AMV})
"""Kinds whose empty places count as idle capacity.  Temporary dwellings are left out: housing
someone there already costs a move (level 3)."""


@dataclass(frozen=True)
class Option:
    """One thing a household can be given: a dwelling, a municipality, or nothing."""

    action: Action
    municipality: str | None = None
    dwelling: Dwelling | None = None


def quality_terms(rules: Rules, h: Household, option: Option) -> dict[str, int]:
    """The level-4 terms (weighted) for giving ``h`` this option, by name."""
    w = rules.params.weights
    size = h.size
    terms = {"km": 0, "tie": 0, "permit_age": 0, "idle": 0, "extra_misfit": 0, "change": 0}
    code = option.municipality if option.action is not Action.WAIT else None
    if code is not None and code != h.coupled_to:
        terms["km"] = w.km * size * round(rules.household_km(h, code))
        if h.tie_municipality is not None and h.tie_municipality != code:
            terms["tie"] = w.tie * size
    if option.action is Action.WAIT and not h.is_coupled:
        terms["permit_age"] = w.permit_age * size * rules.permit_age(h)
    d = option.dwelling
    if d is not None and d.kind in IDLE_KINDS:
        # Idle capacity is counted over every available home (see idle_baseline);
        # housing a household there fills `size` of it.
        terms["idle"] = -w.idle * size
    if d is not None and d.kind is DwellingKind.REGULAR:
        terms["extra_misfit"] = w.extra_misfit * max(0, size + h.expected_extra - d.capacity)
    previous = rules.previous.get(h.household_id)
    if previous is not None and not same_line(previous, option):
        terms["change"] = w.change * size
    return terms


def same_line(previous: PreviousRow, option: Option) -> bool:
    """Whether an option repeats last week's line: same action, and the same dwelling (house)
    or municipality (couple)."""
    if previous.action is not option.action:
        return False
    if option.action is Action.HOUSE:
        return option.dwelling is not None and previous.dwelling_id == option.dwelling.dwelling_id
    if option.action is Action.COUPLE:
        return previous.municipality == option.municipality
    return True



def option_levels(rules: Rules, h: Household, option: Option) -> tuple[int, int, int, int]:
    """(overdue relief, placement, moves, quality) contributed by giving ``h`` this option."""
    relief = h.size * rules.overdue(h) if option.action is Action.HOUSE else 0
    placement = h.size if option.action is not Action.WAIT and rules.places(h) else 0
    moves = (rules.moves(h, option.dwelling, option.municipality) if option.action is not Action.WAIT
             else rules.wait_moves(h))
    quality = sum(quality_terms(rules, h, option).values())
    return relief, placement, moves, quality


def option_of(rules: Rules, a: Assignment) -> Option:
    if a.action is Action.HOUSE:
        d = rules.instance.dwelling_by_id[a.dwelling_id]
        return Option(Action.HOUSE, d.municipality, d)
    if a.action is Action.COUPLE:
        return Option(Action.COUPLE, a.municipality)
    return Option(Action.WAIT)


def idle_baseline(rules: Rules) -> int:
    """Weighted idle capacity if nobody were housed: all places of the regular, shared and amv
    dwellings available within the horizon.  Level 4's idle term is this minus the persons
    housed in them."""
    places = sum(d.capacity for d in rules.instance.dwellings if d.kind in IDLE_KINDS and rules.available(d))
    return rules.params.weights.idle * places


def evaluate(rules: Rules, assignments: dict[str, Assignment]) -> Levels:
    """The four levels of a complete proposal (households without an assignment wait)."""
    total = [0, 0, 0, idle_baseline(rules)]
    for h in rules.instance.households:
        a = assignments.get(h.household_id)
        option = option_of(rules, a) if a is not None else Option(Action.WAIT)
        for i, value in enumerate(option_levels(rules, h, option)):
            total[i] += value
    return Levels(*total)
