"""Domain types: the instance, its parameters, and the proposal a solver returns."""

from matcher.models.instance import (
    Action,
    Ban,
    Dwelling,
    DwellingKind,
    Household,
    Instance,
    Location,
    Lock,
    Municipality,
    PreviousRow,
)
from matcher.models.params import Params, Weights
from matcher.models.proposal import (
    LEVEL_NAMES,
    LEVELS,
    MAXIMISE,
    Assignment,
    Level,
    Levels,
    Proposal,
    ReasonKind,
    Status,
)

__all__ = [
    "LEVELS",
    "LEVEL_NAMES",
    "MAXIMISE",
    "Level",
    "Action",
    "Assignment",
    "Ban",
    "Dwelling",
    "DwellingKind",
    "Household",
    "Instance",
    "Levels",
    "Location",
    "Lock",
    "Municipality",
    "Params",
    "PreviousRow",
    "Proposal",
    "ReasonKind",
    "Status",
    "Weights",
]
