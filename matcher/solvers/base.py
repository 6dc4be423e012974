"""The interface every solver backend implements, and what they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from matcher.models import Proposal
from matcher.rules import Rules


@dataclass(frozen=True)
class SolveOptions:
    """How long and how a backend may search."""

    time_limit: float | None = 60.0
    """Wall-clock seconds for the whole lexicographic solve; ``None`` for no limit."""
    seed: int = 0
    """Random seed; the same input and seed give the same output when every level is proven
    within the time limit."""
    workers: int = 1
    """Search threads.  One keeps runs reproducible; more may be faster on big instances."""
    log: bool = False
    """Let the backend log its search to the ``matcher.solvers`` logger's stream."""


class Solver(Protocol):
    """A backend: takes the rules (instance + parameters) and returns a proposal."""

    name: str
    exact: bool
    """Whether the backend can prove levels optimal."""

    def solve(self, rules: Rules, options: SolveOptions) -> Proposal: ...


LEVEL_SHARE = (0.4, 0.5, 0.6, 1.0)
"""Share of the remaining time each level may use, so that a hard first level cannot starve the
later ones: a run cut off by its time limit still places people (level 2) and counts moves."""


def level_budget(level: int, remaining: float | None) -> float | None:
    """Seconds level ``level`` (0-based) may use of ``remaining``."""
    return None if remaining is None else remaining * LEVEL_SHARE[level]
