"""Request and response bodies of the API (Pydantic), separate from the tables in
:mod:`api.models` and from the engine's domain types.

Every text field is bounded and free of control characters, every number has a range that the
database can hold, and every date lies in 2000-2100: malformed input is a 422 naming the field,
never a 500 from the database.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from api.messages import Coded, Term

# --- field types ------------------------------------------------------------------------------

FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
MAX_INT = 2**31 - 1


def _sane_date(value: dt.date) -> dt.date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise Coded("date_range", first=FIRST_DATE, last=LAST_DATE)
    return value


DATE_PATTERN = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"
"""The years 2000-2100 as a pattern, so that the OpenAPI schema says which dates are taken."""
Day = Annotated[dt.date, AfterValidator(_sane_date),
                Field(json_schema_extra={"pattern": DATE_PATTERN, "description": "A date from 2000-01-01 to 2100-12-31."})]
"""A date (YYYY-MM-DD) between 2000-01-01 and 2100-12-31."""
Text = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^\x00-\x1f\x7f]+$")]
"""Free text on one line: no control characters, at most 500 characters."""
Label = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
Key = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")]
"""A client-chosen key (a home's reference, a household id): letters, digits and ``. _ : / -``."""
RESERVED_HOUSEHOLD_IDS = frozenset({"batch", "upload"})
"""Words that name routes beside ``/households/{household_id}``, so never a household."""


def _not_reserved(value: str) -> str:
    if value in RESERVED_HOUSEHOLD_IDS:
        raise Coded("id_names_route", value=value)
    return value


HouseholdKey = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
"""A household's pseudonymous id: letters, digits and ``. _ -`` (it appears in URLs)."""
NewHouseholdKey = Annotated[HouseholdKey, AfterValidator(_not_reserved)]
"""A household id as it is submitted: not ``batch`` nor ``upload``."""
SignalId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[a-z0-9-]+$")]
"""A signal's id (:mod:`api.services.signals`): lower-case letters, digits and hyphens."""
Code = Annotated[str, StringConstraints(pattern=r"^GM[0-9]{4}$")]
"""A CBS municipality code: GM and four digits."""
PeriodName = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(I|II)$")]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Persons = Annotated[int, Field(ge=1, le=100)]
Count = Annotated[int, Field(ge=0, le=100)]
QuotaFigure = Annotated[int, Field(ge=-100_000, le=100_000)]


def _is_number(annotation: Any) -> bool:
    """Whether a field's type is a number (``int``, ``float``, optional or constrained)."""
    if annotation is int or annotation is float:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_number(a) for a in typing.get_args(annotation) if a is not type(None))
    if typing.get_origin(annotation) is Annotated:
        return _is_number(typing.get_args(annotation)[0])
    return False


class Strict(BaseModel):
    """Request bodies refuse unknown fields (a typo must not silently drop a value),
    non-finite numbers (``NaN``, ``Infinity``) and ``true``/``false`` for a number (``capacity:
    true`` is not 1): each a 422 naming the field."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name is not None \
                and _is_number(cls.model_fields[info.field_name].annotation):
            raise PydanticCustomError("int_type", "must be a number, not true or false")
        return value


def rules(*conditions: dict[str, Any], **keywords: Any) -> dict[str, Any]:
    """A model's cross-field rules as JSON Schema (``allOf`` of ``if``/``then`` conditions and
    other keywords), for ``json_schema_extra``: the OpenAPI schema then tells clients, and
    Schemathesis, what the validators below check.  Rules JSON Schema cannot say (one date not
    before another, a sum) are in the model's description."""
    return {**({"allOf": list(conditions)} if conditions else {}), **keywords}


def when(condition: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    """``if`` the properties match ``condition`` (each a JSON Schema) ``then`` ``then``."""
    return {"if": {"properties": condition, "required": list(condition)}, "then": then}


def present(*names: str) -> dict[str, Any]:
    """These properties are given and not null."""
    return {"required": list(names), "properties": {n: {"not": {"type": "null"}} for n in names}}


def absent(*names: str) -> dict[str, Any]:
    """These properties are left out or null."""
    return {"properties": {n: {"type": "null"} for n in names}}


def not_nullable(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` of a patch: an omitted field stays, but null is no value for any."""
    for prop in schema.get("properties", {}).values():
        options = [o for o in prop.pop("anyOf", []) if o.get("type") != "null"]
        if len(options) == 1:
            prop.update(options[0])
        elif options:
            prop["anyOf"] = options
        prop.pop("default", None)
    schema["minProperties"] = 1


class Patch(Strict):
    """A change: an omitted field stays, at least one field is given, and null is no value for
    any (a 422 at the field; it used to reach the database as NULL, a 500)."""

    model_config = ConfigDict(json_schema_extra=not_nullable)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("not_null", "cannot be null; leave the field out to keep it")
        return value

    @model_validator(mode="after")
    def _names_a_field(self) -> Patch:
        if not self.model_fields_set:
            raise Coded("give_one_of", fields=", ".join(type(self).model_fields))
        return self


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored naive-UTC timestamp as an aware one."""
    return None if value is None else value.replace(tzinfo=dt.UTC)


# --- errors and identity ----------------------------------------------------------------------

class ErrorOut(BaseModel):
    """A 401, 403, 404 or 409: what is wrong, in a sentence (English, or Dutch by ``lang=nl`` or
    ``Accept-Language: nl``), and the stable code of that message (docs/contract.md §11)."""

    detail: str
    code: str | None = None


class MeOut(BaseModel):
    """The token making the request."""

    token_id: int
    label: str
    role: Literal["coa", "municipality"]
    municipality: str | None


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: str


# --- municipalities, periods, redistributions -------------------------------------------------

class QuotaOut(BaseModel):
    """A municipality's quota state in the current period, in persons.

    ``remaining = taakstelling + redistributed + backlog - realised - coupled``; a positive
    ``backlog`` is an achterstand, a negative one a voorsprong (advance).
    """

    taakstelling: int
    redistributed: int
    """Net persons taken over from (+) or handed to (-) other municipalities this period."""
    backlog: int
    realised: int
    """Persons housed this period."""
    coupled: int
    """Persons coupled to the municipality and not yet housed."""
    remaining: int


class MunicipalityOut(BaseModel):
    code: str
    name: str
    province: str
    inhabitants: int
    lat: float
    lon: float
    quota_executed_by: str | None
    """The municipality that carries out this one's quota, if another one does."""
    safety_region_code: str | None
    """Its veiligheidsregio's CBS code (``VR01`` ... ``VR25``)."""
    safety_region: str | None
    """Its veiligheidsregio, named as in Tabel 1 of the quota letter."""
    period: str
    quota: QuotaOut
    amv: QuotaOut
    """The same for unaccompanied minors (AMV), part of ``quota``."""


class MunicipalityList(BaseModel):
    items: list[MunicipalityOut]
    total: int


class QuotaPatch(Patch):
    """Change a municipality's figures in the current period; omitted fields stay (at least one
    is given, none null)."""

    taakstelling: Annotated[int, Field(ge=0, le=100_000)] | None = None
    amv_taakstelling: Annotated[int, Field(ge=0, le=100_000)] | None = None
    backlog: QuotaFigure | None = None
    amv_backlog: QuotaFigure | None = None


class PeriodQuotaIn(Strict):
    municipality: Code
    taakstelling: Annotated[int, Field(ge=0, le=100_000)]
    amv_taakstelling: Annotated[int, Field(ge=0, le=100_000)] = 0


class PeriodIn(Strict):
    """Open a new half-year period.  Municipalities not listed in ``quotas`` keep the
    taakstelling of the current period; with ``carry_backlog`` each municipality's backlog
    becomes what it still owed (taakstelling + redistributed + backlog - realised).
    ``ends_on`` is not before ``starts_on``."""

    name: PeriodName
    starts_on: Day
    ends_on: Day
    carry_backlog: bool = True
    quotas: Annotated[list[PeriodQuotaIn], Field(max_length=400)] = []

    @model_validator(mode="after")
    def _order(self) -> PeriodIn:
        if self.ends_on < self.starts_on:
            raise Coded("ends_before_starts")
        return self


class PeriodOut(BaseModel):
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    current: bool
    opened_at: dt.datetime
    taakstelling: int
    amv_taakstelling: int
    backlog: int


class RedistributionIn(Strict):
    """Persons of ``from_municipality``'s taakstelling carried out by ``to_municipality`` in
    the current period.  ``reference`` makes the submission idempotent.  The two municipalities
    differ, and ``amv_persons`` (part of ``persons``) is at most ``persons``."""

    reference: Key
    from_municipality: Code
    to_municipality: Code
    persons: Annotated[int, Field(ge=1, le=100_000)]
    amv_persons: Annotated[int, Field(ge=0, le=100_000)] = 0
    reason: Text
    signal: SignalId | None = None
    """The signal whose suggestion this is (``GET /api/v1/signals``), named in the audit event."""

    @model_validator(mode="after")
    def _check(self) -> RedistributionIn:
        if self.from_municipality == self.to_municipality:
            raise Coded("same_municipality")
        if self.amv_persons > self.persons:
            raise Coded("amv_part_of_persons")
        return self


class RedistributionOut(BaseModel):
    id: int
    reference: str
    period: str
    from_municipality: str
    to_municipality: str
    persons: int
    amv_persons: int
    reason: str
    created_at: dt.datetime


class LocationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    location_id: str
    name: str
    municipality_code: str
    kind: str
    lat: float
    lon: float


# --- homes ------------------------------------------------------------------------------------

class HomeKind(str, Enum):
    """What kind of home is offered (docs/contract.md §1, ``dwellings.csv``)."""

    regular = "regular"
    shared = "shared"
    amv = "amv"
    temporary = "temporary"


class HomeStatus(str, Enum):
    open = "open"
    allocated = "allocated"
    withdrawn = "withdrawn"


def _check_occupancy(kind: HomeKind | None, capacity: int | None, min_occupancy: int | None) -> None:
    if capacity is not None and min_occupancy is not None and min_occupancy > capacity:
        raise Coded("min_occupancy_capacity")
    if kind is not None and kind is not HomeKind.regular and min_occupancy not in (None, 1):
        raise Coded("min_occupancy_regular")


NOT_REGULAR = {"kind": {"enum": ["shared", "amv", "temporary"]}}
ONLY_REGULAR_HOMES_TAKE_A_MINIMUM = when(NOT_REGULAR, {"properties": {"min_occupancy": {"const": 1}}})


class HomeIn(Strict):
    """A home offered by the municipality.  ``reference`` is the municipality's own key for it:
    submitting the same reference again never creates a second home.  ``min_occupancy`` is at
    most ``capacity``, and 1 for a home that is not ``regular``."""

    model_config = ConfigDict(json_schema_extra=rules(ONLY_REGULAR_HOMES_TAKE_A_MINIMUM))

    reference: Key
    kind: HomeKind
    capacity: Persons
    """Persons (rooms for ``shared``)."""
    min_occupancy: Persons = 1
    accessible: bool = False
    available_from: Day

    @model_validator(mode="after")
    def _check(self) -> HomeIn:
        _check_occupancy(self.kind, self.capacity, self.min_occupancy)
        return self


class HomePatch(Patch):
    """Change an open home; omitted fields stay (at least one is given, none null).  As for a
    new home: ``min_occupancy`` at most ``capacity`` (as changed), and 1 unless ``regular``."""

    @staticmethod
    def _schema(schema: dict[str, Any]) -> None:
        not_nullable(schema)
        schema.update(rules(ONLY_REGULAR_HOMES_TAKE_A_MINIMUM))

    model_config = ConfigDict(json_schema_extra=_schema)

    kind: HomeKind | None = None
    capacity: Persons | None = None
    min_occupancy: Persons | None = None
    accessible: bool | None = None
    available_from: Day | None = None

    @model_validator(mode="after")
    def _check(self) -> HomePatch:
        _check_occupancy(self.kind, self.capacity, self.min_occupancy)
        return self


class HomeOut(BaseModel):
    id: int
    municipality: str
    reference: str
    kind: HomeKind
    capacity: int
    min_occupancy: int
    accessible: bool
    available_from: dt.date
    status: HomeStatus
    occupied: int
    """Persons housed in it through this service."""
    created_at: dt.datetime
    updated_at: dt.datetime
    withdrawn_at: dt.datetime | None


class HomeList(BaseModel):
    items: list[HomeOut]
    total: int


class TravelTimeIn(Strict):
    """One row of a travel-time upload: public-transport minutes from a reception location to a
    municipality (``travel_times.csv`` of docs/contract.md §1)."""

    location_id: Key
    municipality: Code
    minutes: Annotated[float, Field(ge=0, le=1000)]


class TravelTimeOut(BaseModel):
    location_id: str
    municipality: str
    minutes: float


class TravelTimeList(BaseModel):
    items: list[TravelTimeOut]
    total: int


class UploadOut(BaseModel):
    """What a batch did: everything or, on any bad row, nothing (then the answer is a 422)."""

    created: int
    updated: int
    unchanged: int


class HomeUploadOut(UploadOut):
    withdrawn: int
    items: list[HomeOut]


# --- households -------------------------------------------------------------------------------

class HouseholdStateIn(str, Enum):
    """The states an upload may give a household."""

    waiting = "waiting"
    coupled = "coupled"
    temporary = "temporary"
    housed = "housed"


class HouseholdState(str, Enum):
    """A household's state: ``moving_in`` follows an accepted house line until the municipality
    confirms the move-in (then ``housed``) or reports that it fell through (``coupled`` again)."""

    waiting = "waiting"
    coupled = "coupled"
    moving_in = "moving_in"
    temporary = "temporary"
    housed = "housed"


class HouseholdIn(Strict):
    """A pseudonymous household (never a name).  ``adults`` and ``children`` are given together
    or not at all, and add up to ``size``.  ``state`` moves forward only: waiting -> coupled ->
    housed; ``waiting`` has no ``municipality``, ``coupling_date`` nor ``housed_date``;
    ``coupled`` needs ``municipality`` and ``coupling_date`` (no ``housed_date``), ``housed``
    needs ``municipality`` and ``housed_date``; ``temporary`` (in a temporary home of
    ``municipality``, moving on to a regular home within a year) needs ``municipality``,
    ``coupling_date``, ``housed_date`` (since when) and ``temporary_home``, and is not ``amv``;
    ``temporary_home`` goes with ``temporary`` only.  Order: waiting -> coupled -> temporary -> housed.  ``coupling_date`` is not before
    ``permit_date``, ``housed_date`` not before ``coupling_date``."""

    model_config = ConfigDict(json_schema_extra=rules(
        when({"adults": {"type": "integer"}}, present("children")),
        when({"children": {"type": "integer"}}, present("adults")),
        {"if": {"properties": {"state": {"const": "waiting"}}},
         "then": absent("municipality", "coupling_date", "housed_date")},
        when({"state": {"const": "coupled"}}, {"allOf": [present("municipality", "coupling_date"), absent("housed_date")]}),
        when({"state": {"const": "housed"}}, present("municipality", "housed_date")),
        when({"state": {"const": "temporary"}}, present("municipality", "coupling_date", "housed_date", "temporary_home")),
    ))

    household_id: NewHouseholdKey
    size: Persons
    adults: Count | None = None
    children: Count | None = Field(default=None, validate_default=True)  # checked against size and adults
    location_id: Key
    permit_date: Day
    amv: bool = False
    needs_accessible: bool = False
    expected_extra: Count = 0
    expected_extra_date: Day | None = None
    tie_municipality: Code | None = None
    document_ready: bool = True
    state: HouseholdStateIn = HouseholdStateIn.waiting
    municipality: Code | None = None
    coupling_date: Day | None = None
    housed_date: Day | None = None
    temporary_home: Key | None = None
    """The temporary home it lives in (state ``temporary``): the municipality's reference of it, or its name."""

    @field_validator("adults", "children")
    @classmethod
    def _composition(cls, value: int | None, info: ValidationInfo) -> int | None:
        """Each of ``adults`` and ``children`` at most ``size``; at ``children``: both or neither,
        adding up to ``size``.  Skipped when ``size`` or ``adults`` is itself malformed (that
        error is reported)."""
        size = info.data.get("size")
        if size is None or value is None and info.field_name == "adults":
            return value
        if value is not None and value > size:
            raise Coded("exceeds_size", field=info.field_name, value=value, size=size)
        if info.field_name == "adults" or "adults" not in info.data:
            return value
        adults, children = info.data["adults"], value
        if adults is not None and children is None:
            raise Coded("give_children", size=size, missing=size - adults)
        if adults is None and children is not None:
            raise Coded("give_adults", size=size, missing=size - children)
        if adults is not None and adults + children != size:
            raise Coded("size_sum", adults=adults, children=children, size=size)
        return children

    @model_validator(mode="after")
    def _check(self) -> HouseholdIn:
        if self.state is HouseholdStateIn.waiting:
            extra = [n for n in ("municipality", "coupling_date", "housed_date") if getattr(self, n) is not None]
            if extra:
                raise Coded("waiting_has_no", fields=", ".join(extra))
        else:
            if self.municipality is None:
                raise Coded("state_needs_municipality", state=Term(self.state.value))
            if self.state is HouseholdStateIn.coupled:
                if self.coupling_date is None:
                    raise Coded("coupled_needs_date")
                if self.housed_date is not None:
                    raise Coded("coupled_no_housed")
            elif self.state is HouseholdStateIn.temporary:
                if self.coupling_date is None or self.housed_date is None or self.temporary_home is None:
                    raise Coded("temporary_needs")
                if self.amv:
                    raise Coded("temporary_no_amv")
            elif self.housed_date is None:
                raise Coded("housed_needs_date")
        if self.temporary_home is not None and self.state is not HouseholdStateIn.temporary:
            raise Coded("temporary_home_only")
        if self.coupling_date is not None and self.coupling_date < self.permit_date:
            raise Coded("coupling_before_permit")
        if self.expected_extra_date is not None and not self.expected_extra:
            raise Coded("expected_date_needs_extra")
        if self.expected_extra_date is not None and self.expected_extra_date < self.permit_date:
            raise Coded("expected_date_before_permit")
        if self.housed_date is not None and self.coupling_date is not None and self.housed_date < self.coupling_date:
            raise Coded("housed_before_coupling")
        return self


class HouseholdBatchIn(Strict):
    """Households to create or update, all or nothing."""

    households: Annotated[list[HouseholdIn], Field(min_length=1, max_length=50_000)]


class ProposedOut(BaseModel):
    """A line of a finished proposal that places the household, not refused."""

    job_id: int
    line_id: int
    action: Literal["house", "couple"]
    municipality: str
    home_id: int | None
    decision: Literal["pending", "accepted"]


class DeadlineStatus(str, Enum):
    open = "open"
    overdue = "overdue"
    met = "met"
    late = "late"


class DeadlineOut(BaseModel):
    """One deadline today: ``due``; ``status`` ``open`` (``days_left`` >= 0, 0 on the day itself),
    ``overdue`` (``days_left`` < 0: that many days past it), ``met`` or ``late`` (met on
    ``done_on``; ``days_left`` is ``due - done_on``, negative when late)."""

    due: dt.date
    status: DeadlineStatus
    days_left: int
    done_on: dt.date | None


class DeadlinesOut(BaseModel):
    """COA's coupling deadline (permit + 14 days [001:2524]) and the municipality's housing
    deadline (coupling + 84 days [001:2437]; not yet coupled: from the coupling deadline)."""

    coupling: DeadlineOut
    housing: DeadlineOut
    next: Literal["coupling", "housing"] | None
    """The first open one (None once housed)."""


class HouseholdSort(str, Enum):
    household = "household"
    urgency = "urgency"


class HouseholdOut(BaseModel):
    """A household as the caller may see it.  A municipality sees only households coupled,
    housed or proposed to it, and not ``location_id`` nor ``tie_municipality`` (null)."""

    household_id: str
    size: int
    adults: int | None
    children: int | None
    amv: bool
    needs_accessible: bool
    expected_extra: int
    expected_extra_date: dt.date | None
    document_ready: bool
    permit_date: dt.date
    state: HouseholdState
    municipality: str | None
    coupling_date: dt.date | None
    home_id: int | None
    housed_date: dt.date | None
    temporary_home: str | None
    """In a temporary home (state ``temporary``, or moving on from one): which."""
    temporary_until: dt.date | None
    """In a temporary home: the end of the year it may stay there (``housed_date`` + 365 days [003:74])."""
    temporary_days_left: int | None
    """Days from today to ``temporary_until`` (negative: past it)."""
    location_id: str | None
    tie_municipality: str | None
    proposed: list[ProposedOut]
    deadlines: DeadlinesOut
    """Its two deadlines today (docs/contract.md §11, *Deadlines*)."""


class HouseholdList(BaseModel):
    items: list[HouseholdOut]
    total: int


# --- proposals --------------------------------------------------------------------------------

class SolverName(str, Enum):
    auto = "auto"
    cpsat = "cpsat"
    highspy = "highspy"
    highs = "highs"
    cbc = "cbc"
    greedy = "greedy"


class WeightsIn(Strict):
    """Weights of the quality level (matcher.Weights); omitted ones keep their default."""

    km: Annotated[int, Field(ge=0, le=10_000)] | None = None
    tie: Annotated[int, Field(ge=0, le=10_000)] | None = None
    permit_age: Annotated[int, Field(ge=0, le=10_000)] | None = None
    idle: Annotated[int, Field(ge=0, le=10_000)] | None = None
    extra_misfit: Annotated[int, Field(ge=0, le=10_000)] | None = None
    change: Annotated[int, Field(ge=0, le=10_000)] | None = None


class ParamsIn(Strict):
    """Run parameters (docs/contract.md §2); omitted ones keep the contract's default."""

    horizon_days: Annotated[int, Field(ge=0, le=365)] | None = None
    norm_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    coupling_days: Annotated[int, Field(ge=0, le=365)] | None = None
    max_km: Annotated[float, Field(ge=0, le=1000)] | None = None
    max_minutes: Annotated[float, Field(ge=0, le=1000)] | None = None
    quota_slack: Annotated[int, Field(ge=0, le=10_000)] | None = None
    allow_recoupling: bool | None = None
    weights: WeightsIn | None = None
    policy: Literal["weekly", "lookahead"] | None = None
    """How the job proposes: ``weekly`` (default), the exact engine on the contract's levels;
    ``lookahead``, the half-year in view, priced from the offers and permits in the database
    (the summary's ``lookahead`` reports the prices and why)."""


class JobIn(Strict):
    """Ask the engine for a proposal on the households, homes and quota in the database.
    ``time_limit`` is at most the server's ``MATCHER_MAX_TIME_LIMIT`` (the schema's maximum)."""

    as_of: Day
    params: ParamsIn = ParamsIn()
    solver: SolverName | None = None
    """Default: the server's (``auto``, the fastest exact backend)."""
    time_limit: Annotated[float, Field(gt=0, le=3600)] | None = None
    """Seconds for the solve; default the server's (60)."""
    reference: Key | None = None
    """Makes the request idempotent: the same reference returns the same job (other parameters:
    409), unless that job failed: then it queues a new one (a retry)."""


class JobStatus(str, Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class LineCounts(BaseModel):
    total: int
    wait: int
    pending: int
    accepted: int
    refused: int


class JobOut(BaseModel):
    id: int
    reference: str | None
    status: JobStatus
    as_of: dt.date
    params: dict[str, Any]
    solver: str
    time_limit: float
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str | None
    """Why a failed job failed (in English)."""
    error_code: str | None = None
    """The catalogue code of ``error`` (``job_interrupted``, ``job_locks_infeasible``, ...; docs/contract.md);
    the pages render the message from it in their language."""
    summary: dict[str, Any] | None
    """The engine's ``summary.json`` (status, levels, counts) once done."""
    lines: LineCounts
    links: dict[str, str]


class JobList(BaseModel):
    items: list[JobOut]
    total: int


class Decision(str, Enum):
    none = "none"
    pending = "pending"
    accepted = "accepted"
    refused = "refused"


class LineOut(BaseModel):
    id: int
    job_id: int
    household_id: str
    action: Literal["house", "couple", "wait"]
    municipality: str | None
    home_id: int | None
    home_reference: str | None = None
    """The municipality's own reference of the home."""
    persons: int
    km: float | None
    overdue_days: int
    moves: int
    reason: str
    """The reason in the reader's language (``lang``, else ``Accept-Language``, else Dutch)."""
    reason_kind: str | None
    reason_values: dict[str, Any] | None = None
    """The reason as data (docs/contract.md §6)."""
    decision: Decision
    """``none`` for wait lines; else pending, accepted or refused."""
    decision_reason: str | None
    decision_date: dt.date | None
    decided_at: dt.datetime | None


class LineList(BaseModel):
    items: list[LineOut]
    total: int


class ProposedLineOut(BaseModel):
    """A line proposing a household to the caller's municipality, as the municipality sees it:
    the household's pseudonymous id, size, composition, needs and dates, and the proposed home
    (its own).  Nothing of where the household waits, its ties or other municipalities."""

    line_id: int
    job_id: int
    as_of: dt.date
    """The date the proposal was made for."""
    action: Literal["house", "couple"]
    municipality: str
    home_id: int | None
    """For a house line: the municipality's own home."""
    home_reference: str | None
    decision: Literal["pending", "accepted"]
    decision_date: dt.date | None
    """The date of the coupling or housing, once accepted."""
    household_id: str
    size: int
    adults: int | None
    children: int | None
    amv: bool
    needs_accessible: bool
    expected_extra: int
    document_ready: bool
    permit_date: dt.date


class ProposedLineList(BaseModel):
    items: list[ProposedLineOut]
    total: int


class DecisionIn(Strict):
    """Accept a line (records the coupling or housing) or refuse it with a reason (the engine
    will not propose it again: a ban on the home, or on the municipality)."""

    decision: Literal["accept", "refuse"]
    reason: Text | None = None
    """Required to refuse; a note when accepting."""
    date: Day | None = None
    """Date of the coupling or housing; default today."""
    ban: Literal["home", "municipality"] | None = None
    """What a refusal bans: default the home for a house line, the municipality for a couple line."""
    over_quota: bool = False
    """Accept even though the municipality's quota left is now too small for the household (a
    409 otherwise); needs a reason, and the audit log records the override."""

    model_config = ConfigDict(json_schema_extra=rules(
        when({"decision": {"const": "refuse"}}, present("reason")),
        when({"decision": {"const": "accept"}}, absent("ban")),
        when({"over_quota": {"const": True}}, {"allOf": [present("reason"), {"properties": {"decision": {"const": "accept"}}}]}),
    ))

    @model_validator(mode="after")
    def _check(self) -> DecisionIn:
        if self.decision == "refuse" and self.reason is None:
            raise Coded("refusal_needs_reason")
        if self.decision == "accept" and self.ban is not None:
            raise Coded("ban_with_refusal")
        if self.over_quota and self.decision != "accept":
            raise Coded("over_quota_with_accept")
        if self.over_quota and self.reason is None:
            raise Coded("over_quota_needs_reason")
        return self


class BanOut(BaseModel):
    id: int
    household_id: str
    municipality: str | None
    home_id: int | None
    line_id: int | None
    reason: str
    created_at: dt.datetime


class BanList(BaseModel):
    items: list[BanOut]
    total: int


# --- locks ------------------------------------------------------------------------------------

class LockIn(Strict):
    """Lock a pending line: every later proposal must place its household there."""

    note: Text | None = None
    """Why (kept with the lock and in the audit log).  Locking the same place again keeps the
    first note."""


class LockState(str, Enum):
    active = "active"
    ended = "ended"
    all = "all"


class LockOut(BaseModel):
    """A lock (docs/contract.md §1, ``locks.csv``): the household in ``municipality`` and, when
    ``home_id`` is set, in that home.  ``active`` until it ends (``end_reason``): ``removed``
    by COA, ``accepted`` (a line of the household was accepted), ``refused`` (a refusal banned
    the locked place), ``changed`` (the household's state changed otherwise), ``withdrawn``
    (the municipality withdrew the locked home) or ``taken`` (an accept gave the locked home to
    another household)."""

    id: int
    household_id: str
    municipality: str | None
    home_id: int | None
    job_id: int
    """The proposal job whose line was locked."""
    line_id: int
    note: str | None
    created_at: dt.datetime
    created_by: int | None
    """The token that made it."""
    active: bool
    ended_at: dt.datetime | None
    ended_by: int | None
    end_reason: Literal["removed", "accepted", "refused", "changed", "withdrawn", "taken"] | None


class LockList(BaseModel):
    items: list[LockOut]
    total: int


# --- audit ------------------------------------------------------------------------------------

class AuditOut(BaseModel):
    id: int
    at: dt.datetime
    token_id: int | None
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


class AuditList(BaseModel):
    items: list[AuditOut]
    total: int


class MonitoringTable(BaseModel):
    """One monitoring figure (docs/contract.md §11, *Monitoring*): its column keys, their labels
    (Dutch / English), one object per row keyed by column, the as-of date and notes (period,
    norms, distance limit)."""

    figure: str
    as_of: dt.date
    columns: list[str]
    labels: list[str]
    rows: list[dict[str, str | int | float | None]]
    notes: dict[str, str]


class SignalKind(str, Enum):
    large_home = "large_home"
    province_shortfall = "province_shortfall"
    region_shortfall = "region_shortfall"
    safety_region_shortfall = "safety_region_shortfall"
    idle_homes = "idle_homes"


class SignalOut(BaseModel):
    """One signal (docs/contract.md §11, *Signals*): a stable ``id``, its ``kind``, when it was
    raised, whom it is about, its figures (``values``), the homes and households it concerns
    and, for ``idle_homes``, ``suggestion``: the body of ``POST /api/v1/redistributions`` that
    records the suggested redistribution in one action."""

    id: str
    kind: SignalKind
    raised_at: dt.datetime
    municipalities: list[str]
    province: str
    values: dict[str, str | int | float | bool | dt.date | None]
    homes: list[dict[str, str | int | float | bool | dt.date | None]]
    households: list[dict[str, str | int | float | bool | dt.date | None]]
    suggestion: dict[str, str | int] | None


class SignalFeed(BaseModel):
    """A page of the feed, newest first; ``next`` is the cursor of the next (older) page, or
    null at the end."""

    items: list[SignalOut]
    next: str | None
    limit: int
    as_of: dt.date


# --- re-couplings -----------------------------------------------------------------------------

class RecouplingStatus(str, Enum):
    pending = "pending"
    approved = "approved"
    declined = "declined"
    done = "done"


class RecouplingIn(Strict):
    """Ask to re-couple a coupled household to another municipality (its municipality or COA):
    ``reason`` (why, e.g. a WMO-adapted home only another municipality has), optionally the
    municipality asked for (``to_municipality``) and, for an exchange of status holders, the
    other municipality's household (``exchange_with``, coupled to ``to_municipality``; its own
    request is made the same way).  ``reference``: an idempotency key."""

    household_id: HouseholdKey
    reason: Text
    to_municipality: Code | None = None
    exchange_with: HouseholdKey | None = None
    reference: Key | None = None


class RecouplingDecisionIn(Strict):
    """COA's reason: required to decline, optional to approve."""

    reason: Text | None = None


class RecouplingDeclineIn(Strict):
    reason: Text


class RecouplingOut(BaseModel):
    """A re-coupling request: ``pending`` until COA approves (the next proposals may house the
    household in another municipality) or declines it (``decision_reason``); ``done`` once a line
    re-coupling it was accepted (``done_line_id``)."""

    id: int
    reference: str | None
    household_id: str
    from_municipality: str
    to_municipality: str | None
    exchange_with: str | None
    reason: str
    status: RecouplingStatus
    requested_role: Literal["coa", "municipality"]
    created_at: dt.datetime
    decision_reason: str | None
    decided_at: dt.datetime | None
    done_line_id: int | None
    done_at: dt.datetime | None


class RecouplingList(BaseModel):
    items: list[RecouplingOut]
    total: int


class ExchangeStatus(str, Enum):
    pending = "pending"
    approved = "approved"
    declined = "declined"


class ExchangeIn(Strict):
    """Ask to exchange two coupled households between their municipalities (a municipality for an
    exchange involving a household coupled to it, or COA): ``household_a`` goes to the
    municipality ``household_b`` is coupled to, and ``household_b`` to ``household_a``'s;
    ``reason`` (why, e.g. each fits a home the other municipality has).  ``reference``: an
    idempotency key."""

    household_a: HouseholdKey
    household_b: HouseholdKey
    reason: Text
    reference: Key | None = None


class ExchangeDecisionIn(Strict):
    """COA's reason (optional to approve); ``over_quota``: approve although the municipality that
    gains persons by the exchange has too little quota left for them (a 409 otherwise; needs a
    reason, and the audit log records the override)."""

    reason: Text | None = None
    over_quota: bool = False

    model_config = ConfigDict(json_schema_extra=rules(when({"over_quota": {"const": True}}, present("reason"))))

    @model_validator(mode="after")
    def _check(self) -> ExchangeDecisionIn:
        if self.over_quota and self.reason is None:
            raise Coded("over_quota_needs_reason")
        return self


class ExchangeDeclineIn(Strict):
    reason: Text


class ExchangeOut(BaseModel):
    """An exchange: ``pending`` until COA approves it (both households are re-coupled at once:
    ``household_a`` to ``municipality_b``, ``household_b`` to ``municipality_a``) or declines it
    (``decision_reason``).  ``municipality_a`` and ``municipality_b`` are where the households
    were coupled when it was asked; ``requested_by`` the municipality that asked (``null``: COA)."""

    id: int
    reference: str | None
    household_a: str
    municipality_a: str
    household_b: str
    municipality_b: str
    reason: str
    status: ExchangeStatus
    requested_role: Literal["coa", "municipality"]
    requested_by: str | None
    created_at: dt.datetime
    decision_reason: str | None
    decided_at: dt.datetime | None


class ExchangeList(BaseModel):
    items: list[ExchangeOut]
    total: int


# --- move-ins ---------------------------------------------------------------------------------

class ArrivalIn(Strict):
    """Family members (nareizigers) who joined the household on ``date`` (not before its permit,
    not in the future): ``persons``, optionally as ``adults`` and ``children`` (both or neither,
    adding up to ``persons``).  ``reference``: an idempotency key."""

    persons: Persons
    date: Day
    adults: Count | None = None
    children: Count | None = None
    reference: Key | None = None

    @model_validator(mode="after")
    def _composition(self) -> ArrivalIn:
        if (self.adults is None) != (self.children is None) or (
                self.adults is not None and self.children is not None and self.adults + self.children != self.persons):
            raise Coded("arrival_composition", persons=self.persons)
        return self


class HousingCheckOut(BaseModel):
    """Whether the household, at its size now, still fits its home (``source`` ``moving_in`` or
    ``housed``), the home a standing proposal line offers it (``offered``) or the temporary home
    it lives in (``temporary``): ``fits``, else
    ``problem`` (``too_large``, ``too_small``, ``not_single``).  ``others``: persons of other
    households in the same (shared, amv, temporary) home."""

    source: Literal["moving_in", "housed", "offered", "temporary"]
    home_id: int
    home_reference: str
    kind: str
    capacity: int
    min_occupancy: int
    persons: int
    others: int
    fits: bool
    problem: Literal["too_large", "too_small", "not_single"] | None


class ArrivalOut(BaseModel):
    """An arrival of family members: the household grew from ``size_before`` to ``size_after``
    and expects ``expected_after`` more; ``housing_check`` as it stands now (null without a home)."""

    id: int
    reference: str | None
    household_id: str
    municipality: str | None
    persons: int
    adults: int | None
    children: int | None
    date: dt.date
    size_before: int
    size_after: int
    expected_before: int
    expected_after: int
    created_at: dt.datetime
    housing_check: HousingCheckOut | None


class ArrivalList(BaseModel):
    items: list[ArrivalOut]
    total: int


class MoveInStatus(str, Enum):
    pending = "pending"
    confirmed = "confirmed"
    fell_through = "fell_through"


class MoveInConfirmIn(Strict):
    """The household moved in on ``date`` (not before the accept, not in the future)."""

    date: Day


class MoveInFellThroughIn(Strict):
    """The household refused the home: why (it becomes the reason of the ban on the home)."""

    reason: Text


class MoveInOut(BaseModel):
    """An accepted house line awaiting its municipality (``pending``), or how it ended:
    ``confirmed`` (moved in on ``moved_in_on``: housed, realised for that date's period) or
    ``fell_through`` (``reason``; ``ban_id`` the ban on the home that follows)."""

    id: int
    household_id: str
    municipality: str
    home_id: int
    home_reference: str
    line_id: int
    accepted_on: dt.date
    status: MoveInStatus
    moved_in_on: dt.date | None
    reason: str | None
    ban_id: int | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


class MoveInList(BaseModel):
    items: list[MoveInOut]
    total: int
