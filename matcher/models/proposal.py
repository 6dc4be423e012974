"""What a solver returns: one assignment per household, the four objective levels and an
honest status."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from matcher.models.instance import Action


class Status(str, Enum):
    """How far the solver got.  Feasible is never reported as optimal."""

    OPTIMAL = "optimal"
    """Levels 1-3 are proven optimal and level 4 reached its bound (gap 0)."""
    FEASIBLE = "feasible"
    """A valid proposal, but at least one level was not proven optimal (time limit, or a
    heuristic solver such as greedy)."""
    INFEASIBLE = "infeasible"
    """No valid proposal exists (for instance, the locks cannot all hold)."""
    INVALID = "invalid"
    """The input broke the contract; nothing was solved."""


class ReasonKind(str, Enum):
    """Why a household got its action; counted per kind in ``summary.json``."""

    HOUSED = "housed"
    COUPLED = "coupled"
    LOCKED = "locked"
    NO_FITTING_DWELLING = "no_fitting_dwelling"
    NO_MUNICIPALITY_IN_RANGE = "no_municipality_in_range"
    NO_TRAVEL_TIME = "no_travel_time"
    """No municipality in range, and travel times that ``max_minutes`` asks for are missing."""
    QUOTA_USED_UP = "quota_used_up"
    OUTCOMPETED = "outcompeted"
    DOCUMENT_MISSING = "document_missing"
    BANNED = "banned"
    NOT_CHOSEN = "not_chosen"


@dataclass(frozen=True)
class Assignment:
    """The action for one household.  ``municipality`` is the dwelling's municipality for
    ``house``, the target for ``couple``, and the current coupling (if any) for ``wait``."""

    household_id: str
    action: Action
    municipality: str | None = None
    dwelling_id: str | None = None
    reason: str = ""
    reason_kind: ReasonKind | None = None
    reason_values: dict[str, Any] | None = field(default=None, compare=False)
    """The reason as data: the clause :func:`matcher.reasons.render` turns into ``reason``."""


@dataclass(frozen=True)
class Level:
    """One level of the lexicographic objective: its name (the key in ``summary.json``, the
    checker's report and the API), whether it is maximised, and a short label."""

    name: str
    maximise: bool
    label: str


LEVELS: tuple[Level, Level, Level, Level] = (
    Level("overdue_relief", True, "overdue relief"),
    Level("placement", True, "placement"),
    Level("moves", False, "moves"),
    Level("quality", False, "quality"),
)
"""The four levels in the order they are optimised (docs/contract.md §5): the one definition of their
names, senses and order that the objective, the solvers, the outputs and the checker use."""
LEVEL_NAMES: tuple[str, str, str, str] = (LEVELS[0].name, LEVELS[1].name, LEVELS[2].name, LEVELS[3].name)
MAXIMISE: tuple[bool, bool, bool, bool] = (LEVELS[0].maximise, LEVELS[1].maximise, LEVELS[2].maximise, LEVELS[3].maximise)


@dataclass(frozen=True)
class Levels:
    """The lexicographic objective (docs/contract.md §5): compare level by level (:data:`LEVELS`)."""

    overdue_relief: int
    """Level 1 (max): sum over housed households of size x days overdue."""
    placement: int
    """Level 2 (max): persons housed or coupled."""
    moves: int
    """Level 3 (min): person-moves (re-couplings and housing in temporary dwellings)."""
    quality: int
    """Level 4 (min): the weighted quality sum."""

    def values(self) -> tuple[int, int, int, int]:
        """The four values in :data:`LEVELS` order."""
        return (self.overdue_relief, self.placement, self.moves, self.quality)

    def key(self) -> tuple[int, int, int, int]:
        """A tuple that sorts better proposals first under ``max``."""
        v = [value if level.maximise else -value for level, value in zip(LEVELS, self.values())]
        return (v[0], v[1], v[2], v[3])

    def as_dict(self) -> dict[str, int]:
        """Level name -> value, in :data:`LEVELS` order."""
        return dict(zip(LEVEL_NAMES, self.values()))


@dataclass(frozen=True)
class Proposal:
    """A solver's answer for one instance."""

    assignments: tuple[Assignment, ...]
    status: Status
    solver: str
    levels: Levels
    proven: tuple[bool, bool, bool, bool] = (False, False, False, False)
    """Per level, whether the solver proved it optimal (given the earlier levels)."""
    bound: float | None = None
    """Best proven bound on level 4 (a lower bound, since level 4 is minimised)."""
    runtime_s: float = 0.0
    message: str = ""
    stats: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap of level 4 to its bound, or ``None`` without a bound."""
        if self.bound is None:
            return None
        if self.levels.quality == 0:
            return 0.0
        return max(0.0, (self.levels.quality - self.bound) / abs(self.levels.quality))

    def by_household(self) -> dict[str, Assignment]:
        return {a.household_id: a for a in self.assignments}
