"""Slots: the places a household can be housed in, with identical regular dwellings grouped.

Identical ``regular`` dwellings of one municipality (same capacity, minimum occupancy and
accessibility, named by no lock, ban or previous line) form one slot with a count, which is
exact: a regular dwelling holds one household, so which of two identical homes a household
gets changes no rule and no level.  Other kinds hold several households and stay one slot per
dwelling.  Dwellings not available within the horizon are left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from matcher.models import Dwelling, DwellingKind
from matcher.rules import Rules


@dataclass(frozen=True)
class Slot:
    """A place a household can be housed in: one dwelling, or a class of identical regular ones."""

    dwellings: tuple[Dwelling, ...]

    @property
    def first(self) -> Dwelling:
        return self.dwellings[0]

    @property
    def municipality(self) -> str:
        return self.first.municipality


def dwelling_slots(rules: Rules) -> list[Slot]:
    """Group available dwellings into slots (see the module docstring)."""
    instance = rules.instance
    named = {lock.dwelling_id for lock in instance.locks} | {ban.dwelling_id for ban in instance.bans}
    named |= {p.dwelling_id for p in instance.previous}
    classes: dict[tuple, list[Dwelling]] = defaultdict(list)
    slots: list[Slot] = []
    for d in instance.dwellings:
        if not rules.available(d):
            continue
        if d.kind is DwellingKind.REGULAR and d.dwelling_id not in named:
            classes[(d.municipality, d.capacity, d.min_occupancy, d.accessible)].append(d)
        else:
            slots.append(Slot((d,)))
    for members in classes.values():
        slots.append(Slot(tuple(sorted(members, key=lambda d: d.dwelling_id))))
    slots.sort(key=lambda s: (s.municipality, s.first.dwelling_id))
    return slots
