"""The tables of the service (SQLAlchemy 2, typed).  Changes go through an Alembic migration
in ``api/migrations/versions``; ``tests/api/test_migrations.py`` checks that the two agree.

Households are pseudonymous: an id chosen by COA and only the facts the engine needs.  No table
holds a person's name.  Timestamps are naive UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CODE = String(6)
"""A CBS municipality code: GM and four digits."""


def utcnow() -> dt.datetime:
    """Now, as naive UTC (how every timestamp is stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: DateTime(), dt.date: Date(), dict[str, Any]: JSON()}


class Token(Base):
    """A bearer token.  Only its SHA-256 hash is stored; the token itself is shown once."""

    __tablename__ = "tokens"
    __table_args__ = (
        CheckConstraint("role IN ('coa', 'municipality')", name="role"),
        CheckConstraint("(role = 'municipality') = (municipality_code IS NOT NULL)", name="role_municipality"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    municipality_code: Mapped[str | None] = mapped_column(CODE, ForeignKey("municipalities.code"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]


class WebSession(Base):
    """A signed-in browser session of the web pages (the cookie names it by ``id``).  Sign-out
    sets ``ended_at``: a copy of the cookie opens nothing afterwards."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("tokens.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]


class Municipality(Base):
    """One of the 342 municipalities, seeded from the embedded data (Bijlage A, 2023-II)."""

    __tablename__ = "municipalities"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    province: Mapped[str] = mapped_column(String(50))
    inhabitants: Mapped[int]
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    quota_executed_by: Mapped[str | None] = mapped_column(CODE, ForeignKey("municipalities.code"))
    safety_region_code: Mapped[str | None] = mapped_column(String(4))
    """The veiligheidsregio's CBS code (``VR01`` ... ``VR25``), from the embedded data."""
    safety_region: Mapped[str | None] = mapped_column(String(64))
    """The veiligheidsregio's name as printed in Tabel 1 of the quota letter."""


class Location(Base):
    """A reception location (azc) where households wait; seeded from the illustrative list."""

    __tablename__ = "locations"

    location_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    municipality_code: Mapped[str] = mapped_column(CODE, ForeignKey("municipalities.code"))
    kind: Mapped[str] = mapped_column(String(16))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class TravelTime(Base):
    """Public-transport minutes, door to door, from a reception location to a municipality
    (the service's ``travel_times.csv``, uploaded by COA); rule 5 reads them when ``max_minutes``
    is set, and a pair without a row is out of range then."""

    __tablename__ = "travel_times"

    location_id: Mapped[str] = mapped_column(ForeignKey("locations.location_id"), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(CODE, ForeignKey("municipalities.code"), primary_key=True)
    minutes: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Period(Base):
    """A half-year quota period (``2023-II``).  The one opened last is the current one."""

    __tablename__ = "periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(16), unique=True)
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))


class Quota(Base):
    """A municipality's taakstelling and backlog in one period.  A positive backlog is an
    achterstand (persons still owed from earlier periods), a negative one a voorsprong."""

    __tablename__ = "quotas"

    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(CODE, ForeignKey("municipalities.code"), primary_key=True)
    taakstelling: Mapped[int]
    amv_taakstelling: Mapped[int]
    backlog: Mapped[int] = mapped_column(default=0)
    amv_backlog: Mapped[int] = mapped_column(default=0)


class Redistribution(Base):
    """Persons of one municipality's taakstelling carried out by another in one period
    (as Leeuwarden carries the Wadden islands).  The national total does not change."""

    __tablename__ = "redistributions"
    __table_args__ = (CheckConstraint("from_code <> to_code", name="distinct"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    from_code: Mapped[str] = mapped_column(CODE, ForeignKey("municipalities.code"))
    to_code: Mapped[str] = mapped_column(CODE, ForeignKey("municipalities.code"))
    persons: Mapped[int]
    amv_persons: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))


class Home(Base):
    """A home offered by a municipality.  ``reference`` is the municipality's own key: submitting
    the same reference twice never makes a second home."""

    __tablename__ = "homes"
    __table_args__ = (
        UniqueConstraint("municipality_code", "reference", name="uq_homes_municipality_reference"),
        CheckConstraint("status IN ('open', 'allocated', 'withdrawn')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_code: Mapped[str] = mapped_column(CODE, ForeignKey("municipalities.code"), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    capacity: Mapped[int]
    min_occupancy: Mapped[int] = mapped_column(default=1)
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    available_from: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None]


class Household(Base):
    """A pseudonymous household of status holders: waiting, then coupled, then (an accepted
    house line) moving in to ``home_id`` until its municipality confirms the move-in
    (:class:`MoveIn`), then housed — or ``temporary``: housed in a temporary home
    (``temporary_home``, since ``housed_date``; realised for the quota), from which an accepted
    onward house line moves it in to a regular home."""

    __tablename__ = "households"
    __table_args__ = (CheckConstraint("state IN ('waiting', 'coupled', 'moving_in', 'temporary', 'housed')", name="state"),)

    household_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    adults: Mapped[int | None]
    children: Mapped[int | None]
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.location_id"))
    permit_date: Mapped[dt.date]
    amv: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    expected_extra: Mapped[int] = mapped_column(default=0)
    expected_extra_date: Mapped[dt.date | None]
    """When the ``expected_extra`` family members are expected, where known."""
    tie_municipality: Mapped[str | None] = mapped_column(CODE, ForeignKey("municipalities.code"))
    document_ready: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(16), default="waiting", index=True)
    municipality_code: Mapped[str | None] = mapped_column(CODE, ForeignKey("municipalities.code"), index=True)
    """The municipality it is coupled to (and, once housed, housed in)."""
    coupling_date: Mapped[dt.date | None]
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id"), index=True)
    housed_date: Mapped[dt.date | None]
    housed_period_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id"))
    """The period whose quota the housing counts for (realised).  Kept through an onward move
    from a temporary home: the quota counted it then."""
    temporary_home: Mapped[str | None] = mapped_column(String(64))
    """The temporary home it lives in (state ``temporary``; the home's reference when it moved in
    through the service), kept while it moves in onward."""
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Job(Base):
    """A proposal run: ``queued -> running -> done | failed``.  The worker claims a queued job
    with a conditional update; a job left running by a worker that died is failed on restart."""

    __tablename__ = "jobs"
    __table_args__ = (CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    as_of: Mapped[dt.date]
    params: Mapped[dict[str, Any]]
    solver: Mapped[str] = mapped_column(String(32))
    time_limit: Mapped[float] = mapped_column(Float)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    heartbeat_at: Mapped[dt.datetime | None]
    worker: Mapped[str | None] = mapped_column(String(200))
    """``host:pid:uuid`` of the worker that claimed it."""
    error: Mapped[str | None] = mapped_column(Text)
    """Why a failed job failed, in English (the API's ``error``)."""
    error_values: Mapped[dict[str, Any] | None]
    """The same as data, ``{"code": ..., "values": {...}}`` (:mod:`api.messages`), rendered in the
    reader's language; a value that is itself such an object is a message in its place."""
    summary: Mapped[dict[str, Any] | None]


class ProposalLine(Base):
    """One household's line of a finished job, and COA's decision on it."""

    __tablename__ = "proposal_lines"
    __table_args__ = (
        UniqueConstraint("job_id", "household_id", name="uq_proposal_lines_job_household"),
        CheckConstraint("decision IN ('none', 'pending', 'accepted', 'refused')", name="decision"),
        Index("ix_proposal_lines_municipality_decision", "municipality_code", "decision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.household_id"), index=True)
    action: Mapped[str] = mapped_column(String(8))
    municipality_code: Mapped[str | None] = mapped_column(CODE, ForeignKey("municipalities.code"))
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id"))
    persons: Mapped[int]
    km: Mapped[float | None] = mapped_column(Float)
    overdue_days: Mapped[int]
    moves: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    reason_kind: Mapped[str | None] = mapped_column(String(32))
    reason_values: Mapped[dict[str, Any] | None]
    """The reason as data (docs/contract.md §6): rendered into the reader's language; ``reason``
    is its Dutch sentence as the engine wrote it."""
    was_state: Mapped[str] = mapped_column(String(16))
    """The household's state when the job read it; a decision on a changed household is refused."""
    was_municipality: Mapped[str | None] = mapped_column(CODE)
    decision: Mapped[str] = mapped_column(String(16))
    """``none`` for wait lines, else ``pending`` until COA accepts or refuses."""
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decision_date: Mapped[dt.date | None]


class Ban(Base):
    """A refused line: the engine never proposes this household there again."""

    __tablename__ = "bans"
    __table_args__ = (CheckConstraint("(municipality_code IS NULL) <> (home_id IS NULL)", name="one_target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.household_id"), index=True)
    municipality_code: Mapped[str | None] = mapped_column(CODE, ForeignKey("municipalities.code"))
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_lines.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))


class Lock(Base):
    """COA's instruction that every later proposal places this household here (docs/contract.md §1,
    ``locks.csv``): in ``municipality_code`` and, for a locked house line, in ``home_id``.

    Made from a pending line (``job_id``, ``line_id``); one active lock per household (the
    partial unique index).  A lock ends (``ended_at``, ``end_reason``) when it is removed, when a
    line of the household is accepted, when a refusal bans its place, when the household's
    state changes otherwise, or when its home is withdrawn or given to another household; ended
    locks stay as history.  ``was_state`` and
    ``was_municipality`` are the household's when it was locked (as on the line)."""

    __tablename__ = "locks"
    __table_args__ = (
        CheckConstraint("municipality_code IS NOT NULL OR home_id IS NOT NULL", name="target"),
        CheckConstraint("end_reason IS NULL OR end_reason IN ('removed', 'accepted', 'refused', 'changed', "
                        "'withdrawn', 'taken')", name="end_reason"),
        CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)", name="ended"),
        Index("uq_locks_active_household", "household_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.household_id"))
    municipality_code: Mapped[str | None] = mapped_column(CODE, ForeignKey("municipalities.code"))
    home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id"))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    line_id: Mapped[int] = mapped_column(ForeignKey("proposal_lines.id"), index=True)
    was_state: Mapped[str] = mapped_column(String(16))
    was_municipality: Mapped[str | None] = mapped_column(CODE)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    ended_at: Mapped[dt.datetime | None]
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    end_reason: Mapped[str | None] = mapped_column(String(16))


class MoveIn(Base):
    """An accepted house line awaiting its municipality: ``pending`` until the municipality
    confirms the move-in (``confirmed``, ``moved_in_on``: the household is housed and realised
    from then on) or reports that it fell through (``fell_through``, ``reason``: the household
    refused the home; ``ban_id`` the ban that follows, and the household is coupled to the
    municipality again).  One pending move-in per household (the partial unique index)."""

    __tablename__ = "move_ins"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'confirmed', 'fell_through')", name="status"),
        CheckConstraint("(status = 'confirmed') = (moved_in_on IS NOT NULL)", name="confirmed_date"),
        CheckConstraint("(status = 'fell_through') = (reason IS NOT NULL)", name="fell_through_reason"),
        Index("uq_move_ins_pending_household", "household_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.household_id"), index=True)
    municipality_code: Mapped[str] = mapped_column(CODE, ForeignKey("municipalities.code"), index=True)
    home_id: Mapped[int] = mapped_column(ForeignKey("homes.id"))
    line_id: Mapped[int] = mapped_column(ForeignKey("proposal_lines.id"), index=True)
    accepted_on: Mapped[dt.date]
    """The date of the accept (the line's decision date)."""
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    moved_in_on: Mapped[dt.date | None]
    reason: Mapped[str | None] = mapped_column(Text)
    ban_id: Mapped[int | None] = mapped_column(ForeignKey("bans.id"))
    from_home_id: Mapped[int | None] = mapped_column(ForeignKey("homes.id"))
    """An onward move: the temporary home (through the service) the household moves out of."""
    from_date: Mapped[dt.date | None]
    """An onward move: the day it moved into its temporary home (restored if the move falls through)."""
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))


class Recoupling(Base):
    """A request to re-couple a coupled household to another municipality (omkoppeling), made by
    the municipality it is coupled to or by COA, e.g. for a WMO-adapted home only another
    municipality has [001:2465], or as one half of an exchange of status holders between two
    municipalities (``exchange_with``: the other municipality's household) [001:1872].  COA
    approves or declines it with a reason.  While it is ``approved`` and the household is still
    coupled to ``from_municipality``, every proposal job may house the household in another
    municipality (``may_recouple`` of the engine); accepting such a line makes it ``done``
    (``done_line_id``).  One open (pending or approved) request per household (the partial unique
    index)."""

    __tablename__ = "recouplings"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'declined', 'done')", name="status"),
        CheckConstraint("requested_role IN ('coa', 'municipality')", name="requested_role"),
        CheckConstraint("status <> 'declined' OR decision_reason IS NOT NULL", name="declined_reason"),
        CheckConstraint("(status = 'done') = (done_line_id IS NOT NULL)", name="done_line"),
        Index("uq_recouplings_open_household", "household_id", unique=True,
              sqlite_where=text("status IN ('pending', 'approved')"),
              postgresql_where=text("status IN ('pending', 'approved')")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The requester's idempotency key: the same reference again is the same request."""
    household_id: Mapped[str] = mapped_column(ForeignKey("households.household_id"), index=True)
    from_municipality: Mapped[str] = mapped_column(CODE, ForeignKey("municipalities.code"), index=True)
    """The municipality the household was coupled to when the request was made."""
    to_municipality: Mapped[str | None] = mapped_column(CODE, ForeignKey("municipalities.code"), index=True)
    """The municipality asked for: once approved, the only one the engine may re-couple the
    household to (``recouple_to``); ``None``: any in range."""
    exchange_with: Mapped[str | None] = mapped_column(ForeignKey("households.household_id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    requested_role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    done_line_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_lines.id"))
    done_at: Mapped[dt.datetime | None]


class Exchange(Base):
    """An exchange of status holders between two municipalities (uitwisseling [001:1872]): one
    request naming two coupled households, ``household_a`` coupled to ``municipality_a`` and
    ``household_b`` to ``municipality_b`` when it was made, each to be coupled to the other's
    municipality.  A municipality asks for one involving its own household (``requested_by``), or
    COA for any two; COA approves or declines it as one, with a reason.  Approving it re-couples
    both households at once (``approved``: there is no later step); declining moves nobody.  While
    it is ``pending`` neither household may be in another open request (re-coupling or exchange),
    which :mod:`api.services.exchanges` checks under the households' row locks."""

    __tablename__ = "exchanges"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status"),
        CheckConstraint("requested_role IN ('coa', 'municipality')", name="requested_role"),
        CheckConstraint("status <> 'declined' OR decision_reason IS NOT NULL", name="declined_reason"),
        CheckConstraint("household_a <> household_b", name="two_households"),
        CheckConstraint("municipality_a <> municipality_b", name="two_municipalities"),
        CheckConstraint("(requested_role = 'municipality') = (requested_by IS NOT NULL)", name="requested_by"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The requester's idempotency key: the same reference again is the same request."""
    household_a: Mapped[str] = mapped_column(ForeignKey("households.household_id"), index=True)
    municipality_a: Mapped[str] = mapped_column(CODE, ForeignKey("municipalities.code"), index=True)
    """The municipality ``household_a`` was coupled to when the request was made (it goes to ``municipality_b``)."""
    household_b: Mapped[str] = mapped_column(ForeignKey("households.household_id"), index=True)
    municipality_b: Mapped[str] = mapped_column(CODE, ForeignKey("municipalities.code"), index=True)
    """The municipality ``household_b`` was coupled to when the request was made (it goes to ``municipality_a``)."""
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    requested_role: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str | None] = mapped_column(CODE, ForeignKey("municipalities.code"))
    """The municipality that asked (``None`` when COA asked)."""
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))


class AuditEvent(Base):
    """Who (which token) did what, when.  Written in the same transaction as the change."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    """The token's label and role, or ``cli`` / ``worker`` for actions without a token."""
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class FamilyArrival(Base):
    """Family members who joined a household (nareizigers, family reunification), recorded by COA
    or the household's municipality: the household grew from ``size_before`` to ``size_after`` on
    ``arrived_on`` and its ``expected_extra`` dropped by as many.  ``reference`` makes a retry
    harmless (the same reference answers the arrival it recorded)."""

    __tablename__ = "family_arrivals"
    __table_args__ = (CheckConstraint("persons >= 1", name="persons"),
                      CheckConstraint("size_after = size_before + persons", name="sizes"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.household_id"), index=True)
    municipality_code: Mapped[str | None] = mapped_column(CODE, ForeignKey("municipalities.code"), index=True)
    """The municipality the household was coupled to or housed in then (it keeps it)."""
    persons: Mapped[int]
    adults: Mapped[int | None]
    children: Mapped[int | None]
    arrived_on: Mapped[dt.date]
    size_before: Mapped[int]
    size_after: Mapped[int]
    expected_before: Mapped[int]
    expected_after: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("tokens.id"))


class DataChange(Base):
    """That the data changed: written by database triggers on every table but ``tokens``,
    ``web_sessions``, ``audit_events`` and this one (migration ``data_changes``; a job's heartbeat
    alone is not noted: ``job_heartbeats``), never by the
    code, so that readers in any process can tell cheaply whether what they computed still holds
    (:mod:`api.services.changes`).

    PostgreSQL: one row per transaction that wrote (``tx``, its transaction id; a statement-level
    trigger inserts it, so concurrent writers do not wait on each other).  SQLite: one row
    (``id`` 1) whose ``tx`` counts the rows written and whose ``token`` is drawn anew each time
    (SQLite has one writer at a time, so a counter row costs no waiting).  Never emptied; on
    PostgreSQL its rows are folded into one now and then, keeping the sum of ``weight``."""

    __tablename__ = "data_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger, unique=True)
    token: Mapped[str | None] = mapped_column(String(32))
    weight: Mapped[int] = mapped_column(BigInteger, server_default=text("1"))
    """PostgreSQL: how many writing transactions the row stands for (1, or more once
    :func:`api.services.changes.compact` folded rows into it)."""


class DataChangeTable(Base):
    """Which tables the data changed in (PostgreSQL): one row per writing transaction and table,
    written by the same triggers as :class:`DataChange` (migration ``data_change_tables``), so
    that what is computed from a few tables is kept across writes to the others
    (:meth:`api.services.changes.Fingerprint.of`).  Folded like ``data_changes``, per table,
    keeping each table's sum of ``weight``.  SQLite writes no rows here."""

    __tablename__ = "data_change_tables"
    __table_args__ = (UniqueConstraint("tx", "table_name", name="uq_data_change_tables_tx"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger)
    table_name: Mapped[str] = mapped_column(String(63))
    weight: Mapped[int] = mapped_column(BigInteger, server_default=text("1"))
