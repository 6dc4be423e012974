"""matcher: couple Dutch status holders to municipalities and match households to offered homes.

The pipeline, module by module: :mod:`matcher.models` (instance types), :mod:`matcher.read`
(instance folders), :mod:`matcher.rules` (definitions and per-pair rules), :mod:`matcher.solvers`
(CP-SAT and greedy), :mod:`matcher.explain` (reasons), :mod:`matcher.write` (outputs),
:mod:`matcher.check` (the independent checker), :mod:`matcher.cli` (command line).
"""

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
from matcher.solvers import SOLVERS, solve

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
