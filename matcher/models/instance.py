"""Immutable domain types of an instance (docs/contract.md §1): municipalities, reception locations,
households, dwellings, locks, bans and last week's proposal.

They are checked when built; the readers in :mod:`matcher.read` turn bad cells into located
:class:`~matcher.exceptions.Problem` reports before these types are constructed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

CBS_CODE = re.compile(r"^GM\d{4}$")


class DwellingKind(str, Enum):
    """What kind of home is offered, which decides who may live in it together."""

    REGULAR = "regular"
    """An ordinary home for one household, within ``min_occupancy..capacity`` persons."""
    SHARED = "shared"
    """Rooms for single adults (woningdelen); capacity counts rooms."""
    AMV = "amv"
    """A small-scale unit for unaccompanied minors (Nidos); AMV households only."""
    TEMPORARY = "temporary"
    """A tussenvoorziening or doorstroomlocatie: several households, counts for the quota, but
    everyone housed there moves again later."""


class Action(str, Enum):
    """The one thing a proposal does with a household (docs/contract.md §4)."""

    HOUSE = "house"
    """Housed in a dwelling (which also couples the household to the dwelling's municipality)."""
    COUPLE = "couple"
    """Coupled to a municipality without a dwelling yet; only for households not yet coupled."""
    WAIT = "wait"
    """Nothing this week."""


@dataclass(frozen=True)
class Municipality:
    """A municipality with its point and the quota (taakstelling) it has left this period."""

    code: str
    name: str
    province: str
    lat: float
    lon: float
    quota_remaining: int
    amv_quota_remaining: int = 0

    def __post_init__(self) -> None:
        if not CBS_CODE.match(self.code):
            raise ValueError(f"municipality code {self.code!r} is not GM and four digits")
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError(f"municipality {self.code}: point ({self.lat}, {self.lon}) is off the globe")


@dataclass(frozen=True)
class Location:
    """A reception location (azc) where households live while they wait."""

    location_id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Household:
    """A pseudonymous household of status holders: only the facts the rules need, never names."""

    household_id: str
    size: int
    location_id: str
    permit_date: dt.date
    coupled_to: str | None = None
    coupling_date: dt.date | None = None
    amv: bool = False
    needs_accessible: bool = False
    expected_extra: int = 0
    tie_municipality: str | None = None
    document_ready: bool = True
    may_recouple: bool = False
    """COA approved a re-coupling of this coupled household (``households.csv`` ``may_recouple``):
    it may be housed in another municipality even when ``Params.allow_recoupling`` is off."""
    temporary_home: str | None = None
    """The temporary home (tussenvoorziening, doorstroomlocatie) it lives in now, if any: housed
    for the quota in ``coupled_to`` already, it waits there for a regular home (state ``temporary``)."""
    housed_since: dt.date | None = None
    """The day it moved into ``temporary_home``; it should move on within a year [003:74]."""
    expected_extra_date: dt.date | None = field(default=None, repr=False)
    """When the ``expected_extra`` family members are expected to arrive, where known.  Left out of
    the repr, so that households without one print as before (the synthetic data's fingerprints,
    tests/test_synth_unchanged.py, are of the repr)."""
    recouple_to: str | None = field(default=None, repr=False)
    """The one other municipality COA approved re-coupling it to (``households.csv``
    ``recouple_to``, with ``may_recouple``): it may then be housed only in ``coupled_to`` or
    there.  ``None``: any municipality in range.  Left out of the repr as ``expected_extra_date``."""

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError(f"household {self.household_id}: size must be at least 1")
        if (self.coupled_to is None) != (self.coupling_date is None):
            raise ValueError(f"household {self.household_id}: coupling_date goes with coupled_to")
        if self.expected_extra < 0:
            raise ValueError(f"household {self.household_id}: expected_extra must not be negative")
        if self.may_recouple and self.coupled_to is None:
            raise ValueError(f"household {self.household_id}: may_recouple is for a coupled household")
        if (self.temporary_home is None) != (self.housed_since is None):
            raise ValueError(f"household {self.household_id}: housed_since goes with temporary_home")
        if self.temporary_home is not None:
            if self.coupled_to is None:
                raise ValueError(f"household {self.household_id}: in a temporary home, so coupled to its municipality")
            if self.amv:
                raise ValueError(f"household {self.household_id}: a temporary home takes no AMV household")
            if self.may_recouple:
                raise ValueError(f"household {self.household_id}: in a temporary home, so not to be re-coupled")
        if self.recouple_to is not None and not self.may_recouple:
            raise ValueError(f"household {self.household_id}: recouple_to goes with may_recouple")
        if self.recouple_to is not None and self.recouple_to == self.coupled_to:
            raise ValueError(f"household {self.household_id}: recouple_to is another municipality than coupled_to")
        if self.expected_extra_date is not None and not self.expected_extra:
            raise ValueError(f"household {self.household_id}: expected_extra_date needs expected_extra")

    @property
    def is_coupled(self) -> bool:
        """Whether the household is already coupled to a municipality."""
        return self.coupled_to is not None

    @property
    def in_temporary(self) -> bool:
        """Whether the household lives in a temporary home of its municipality (state ``temporary``)."""
        return self.temporary_home is not None


@dataclass(frozen=True)
class Dwelling:
    """A home offered by a municipality."""

    dwelling_id: str
    municipality: str
    kind: DwellingKind
    capacity: int
    available_from: dt.date
    min_occupancy: int = 1
    accessible: bool = False

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise ValueError(f"dwelling {self.dwelling_id}: capacity must be at least 1")
        if not 1 <= self.min_occupancy <= self.capacity:
            raise ValueError(f"dwelling {self.dwelling_id}: min_occupancy must be within 1..capacity")
        if self.kind is not DwellingKind.REGULAR and self.min_occupancy != 1:
            raise ValueError(f"dwelling {self.dwelling_id}: min_occupancy applies to regular dwellings only")


@dataclass(frozen=True)
class Lock:
    """The proposal must contain this: the household coupled or housed in ``municipality``,
    and/or housed in ``dwelling_id``."""

    household_id: str
    municipality: str | None = None
    dwelling_id: str | None = None

    def __post_init__(self) -> None:
        if self.municipality is None and self.dwelling_id is None:
            raise ValueError(f"lock for {self.household_id}: needs a municipality and/or a dwelling_id")


@dataclass(frozen=True)
class Ban:
    """The proposal must never contain this (a refused offer becomes a ban).  A banned
    municipality bans its dwellings too."""

    household_id: str
    municipality: str | None = None
    dwelling_id: str | None = None

    def __post_init__(self) -> None:
        if (self.municipality is None) == (self.dwelling_id is None):
            raise ValueError(f"ban for {self.household_id}: needs exactly one of municipality or dwelling_id")


@dataclass(frozen=True)
class PreviousRow:
    """One household's line of last week's proposal, for stability."""

    household_id: str
    action: Action
    municipality: str | None = None
    dwelling_id: str | None = None
    persons: int | None = None
    """The household's size on that line, if given: a household larger now has grown since."""


@dataclass(frozen=True)
class Instance:
    """Everything the engine knows for one weekly run.

    Collections are tuples in file order; the ``*_by_id`` maps are built once on first use.
    """

    municipalities: tuple[Municipality, ...]
    locations: tuple[Location, ...]
    households: tuple[Household, ...]
    dwellings: tuple[Dwelling, ...] = ()
    travel_minutes: tuple[tuple[str, str, float], ...] = ()
    locks: tuple[Lock, ...] = ()
    bans: tuple[Ban, ...] = ()
    previous: tuple[PreviousRow, ...] = ()
    name: str = field(default="instance", compare=False)

    def __post_init__(self) -> None:
        problems = list(self._reference_problems())
        if problems:
            raise ValueError("; ".join(problems))

    def with_homes(self, dwellings: tuple[Dwelling, ...], locks: tuple[Lock, ...] = (), bans: tuple[Ban, ...] = (),
                   previous: tuple[PreviousRow, ...] = ()) -> Instance:
        """This instance with these dwellings, locks, bans and previous rows instead of its own,
        checking only those (the rest was checked when this one was made): the same as
        :func:`dataclasses.replace` with them, for a fraction of the time on a national instance."""
        out = object.__new__(Instance)
        for name in ("municipalities", "locations", "households", "travel_minutes", "name"):
            object.__setattr__(out, name, getattr(self, name))
        for name, value in (("dwellings", dwellings), ("locks", locks), ("bans", bans), ("previous", previous)):
            object.__setattr__(out, name, value)
        problems = list(out._reference_problems(homes_only=True))
        if problems:
            raise ValueError("; ".join(problems))
        return out

    def _reference_problems(self, homes_only=False):  # untyped, as before: not checked by mypy
        for label, items, key in (
            ("municipality", () if homes_only else self.municipalities, "code"),
            ("location", () if homes_only else self.locations, "location_id"),
            ("household", () if homes_only else self.households, "household_id"),
            ("dwelling", self.dwellings, "dwelling_id"),
        ):
            seen: set[str] = set()
            for item in items:
                value = getattr(item, key)
                if value in seen:
                    yield f"{label} {value!r} appears twice"
                seen.add(value)
        codes = {m.code for m in self.municipalities}
        locations = {loc.location_id for loc in self.locations}
        dwellings = {d.dwelling_id for d in self.dwellings}
        households = {h.household_id for h in self.households}
        for h in () if homes_only else self.households:
            if h.location_id not in locations:
                yield f"household {h.household_id}: unknown location {h.location_id!r}"
            for ref in (h.coupled_to, h.tie_municipality):
                if ref is not None and ref not in codes:
                    yield f"household {h.household_id}: unknown municipality {ref!r}"
        for d in self.dwellings:
            if d.municipality not in codes:
                yield f"dwelling {d.dwelling_id}: unknown municipality {d.municipality!r}"
        for rule in (*self.locks, *self.bans, *self.previous):
            if rule.household_id not in households:
                yield f"unknown household {rule.household_id!r}"
            if rule.municipality is not None and rule.municipality not in codes:
                yield f"unknown municipality {rule.municipality!r}"
            if rule.dwelling_id is not None and rule.dwelling_id not in dwellings:
                yield f"unknown dwelling {rule.dwelling_id!r}"
        for loc, code, _ in () if homes_only else self.travel_minutes:
            if loc not in locations or code not in codes:
                yield f"travel time {loc!r} -> {code!r}: unknown location or municipality"

    @cached_property
    def municipality_by_code(self) -> dict[str, Municipality]:
        return {m.code: m for m in self.municipalities}

    @cached_property
    def location_by_id(self) -> dict[str, Location]:
        return {loc.location_id: loc for loc in self.locations}

    @cached_property
    def household_by_id(self) -> dict[str, Household]:
        return {h.household_id: h for h in self.households}

    @cached_property
    def dwelling_by_id(self) -> dict[str, Dwelling]:
        return {d.dwelling_id: d for d in self.dwellings}
