"""matcher: couple Dutch status holders to municipalities and match households to offered homes.

The pipeline, module by module: :mod:`matcher.models` (instance types), :mod:`matcher.read`
(instance folders), :mod:`matcher.rules` (definitions and per-pair rules), :mod:`matcher.solvers`
(the backends), :mod:`matcher.explain` (reasons), :mod:`matcher.write` (outputs),
:mod:`matcher.check` (the independent checker), :mod:`matcher.cli` (command line).

``solve`` and ``SOLVERS`` are loaded on first use, so that importing the checker (or reading an
instance) loads no solver code: :mod:`matcher.check` is independent of the solvers.
"""

from typing import Any

from matcher.exceptions import InstanceError, LocksInfeasibleError, MatcherError, Problem, SolverUnavailableError
from matcher.models import (
    Action,
    Assignment,
    Ban,
    Dwelling,
    DwellingKind,
    Household,
    Instance,
    Levels,
    Location,
    Lock,
    Municipality,
    Params,
    PreviousRow,
    Proposal,
    ReasonKind,
    Status,
    Weights,
)
from matcher.read import read_instance, read_params, write_instance

__all__ = [
    "Action",
    "Assignment",
    "Ban",
    "Dwelling",
    "DwellingKind",
    "Household",
    "Instance",
    "InstanceError",
    "Levels",
    "Location",
    "Lock",
    "LocksInfeasibleError",
    "MatcherError",
    "Municipality",
    "Params",
    "PreviousRow",
    "Problem",
    "Proposal",
    "ReasonKind",
    "SOLVERS",
    "SolverUnavailableError",
    "Status",
    "Weights",
    "read_instance",
    "read_params",
    "solve",
    "write_instance",
]


def __getattr__(name: str) -> Any:
    """``matcher.solve`` and ``matcher.SOLVERS``, imported from :mod:`matcher.solvers` on first use."""
    if name in ("SOLVERS", "solve"):
        from matcher import solvers

        return getattr(solvers, name)
    raise AttributeError(f"module 'matcher' has no attribute {name!r}")
