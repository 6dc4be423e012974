"""Households waiting for a home: upserted by COA in batches (JSON or CSV), all rows or none.

A household moves forward only: waiting -> coupled -> housed; an accepted house line makes it
``moving_in`` until its municipality decides the move-in (:mod:`api.services.moveins`), and an
upload does not change a household that is moving in.  A municipality sees only the
households coupled or housed to it and those a finished proposal places there (a line accepted,
or pending and not made stale by a later change of the household: :func:`standing_line`), and of those only what it needs: size, composition, needs and dates.  A batch that
changes a household's state or municipality ends its lock (:mod:`api.services.locks`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from api import audit
from api.messages import Term
from api.models import Household, Job, Location, Municipality, ProposalLine, utcnow
from api.schemas import HouseholdIn
from api.services import deadlines, locks
from api.services.csvio import column_kinds, read_rows, validate_rows
from api.services.errors import Actor, FieldError, Invalid, NotFound
from api.services.municipalities import hold_quota, period_for

STATE_ORDER = {"waiting": 0, "coupled": 1, "moving_in": 2, "temporary": 3, "housed": 4}
FIELDS = ("size", "adults", "children", "location_id", "permit_date", "amv", "needs_accessible", "expected_extra",
          "expected_extra_date",
          "tie_municipality", "document_ready", "state", "municipality", "coupling_date", "housed_date", "temporary_home")
CSV_COLUMNS = ("household_id", *FIELDS)
CSV_REQUIRED = ("household_id", "size", "location_id", "permit_date")
_CHUNK = 900
MAX_BATCH = 50_000


@dataclass(frozen=True)
class Proposed:
    """A standing line of a finished job that places a household (:func:`standing_line`)."""

    job_id: int
    line_id: int
    action: str
    municipality: str
    home_id: int | None
    decision: str


def standing_line():
    """The lines that still propose something: accepted by COA while the household is still
    placed in the line's municipality (an upload that moved it elsewhere ends that), or pending
    with the household as the job read it (a decision or upload since then makes a pending line
    stale: it can no longer be accepted, so it proposes nothing).  For a query that joins
    :class:`Household` on the line."""
    unchanged = (Household.state == ProposalLine.was_state) & Household.municipality_code.is_not_distinct_from(
        ProposalLine.was_municipality)
    still_there = Household.municipality_code == ProposalLine.municipality_code
    return ((ProposalLine.decision == "accepted") & still_there) | ((ProposalLine.decision == "pending") & unchanged)


def _visible_clause(actor: Actor):
    proposed = exists().where(
        ProposalLine.household_id == Household.household_id,
        ProposalLine.municipality_code == actor.municipality,
        standing_line(),
        ProposalLine.job_id == Job.id, Job.status == "done",
    )
    return or_(Household.municipality_code == actor.municipality, proposed)


def proposed_lines(session: Session, actor: Actor, household_ids: list[str]) -> dict[str, list[Proposed]]:
    """Per household, the standing lines of finished jobs that place it (:func:`standing_line`;
    for a municipality: only those placing it there)."""
    out: dict[str, list[Proposed]] = defaultdict(list)
    for start in range(0, len(household_ids), _CHUNK):
        query = (select(ProposalLine).join(Job, Job.id == ProposalLine.job_id)
                 .join(Household, Household.household_id == ProposalLine.household_id)
                 .where(ProposalLine.household_id.in_(household_ids[start:start + _CHUNK]), Job.status == "done",
                        standing_line()).order_by(ProposalLine.id))
        if not actor.is_coa:
            query = query.where(ProposalLine.municipality_code == actor.municipality)
        for line in session.scalars(query):
            out[line.household_id].append(Proposed(line.job_id, line.id, line.action, line.municipality_code,
                                                   line.home_id, line.decision))
    return out


SORTS = ("household", "urgency")
"""How lists of households are ordered: by id (the default), or by urgency (the first open
deadline with the fewest days left first, housed last: :mod:`api.services.deadlines`)."""


def list_households(session: Session, actor: Actor, state: str | None = None, municipality: str | None = None,
                    limit: int = 100, offset: int = 0, sort: str = "household",
                    states: tuple[str, ...] | None = None) -> tuple[list[Household], int]:
    """The households ``actor`` may see (``state``, or one of ``states``; COA: in ``municipality``),
    ordered by ``sort`` (:data:`SORTS`), ``limit`` from ``offset``, and how many there are."""
    query = select(Household)
    if not actor.is_coa:
        query = query.where(_visible_clause(actor))
    elif municipality is not None:
        query = query.where(Household.municipality_code == municipality)
    if state is not None:
        query = query.where(Household.state == state)
    if states is not None:
        query = query.where(Household.state.in_(states))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = deadlines.urgency_order(session) if sort == "urgency" else [Household.household_id]
    rows = list(session.scalars(query.order_by(*order).limit(limit).offset(offset)))
    return rows, total


def get_household(session: Session, actor: Actor, household_id: str) -> Household:
    query = select(Household).where(Household.household_id == household_id)
    if not actor.is_coa:
        query = query.where(_visible_clause(actor))
    household = session.scalar(query)
    if household is None:
        raise NotFound("no_household", household=household_id)
    return household


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _stored(h: Household) -> dict[str, object]:
    values = {name: getattr(h, name) for name in FIELDS if name != "municipality"}
    values["municipality"] = h.municipality_code
    return values


def _stored_place(h: Household | None) -> tuple[str, str | None] | None:
    return None if h is None else (h.state, h.municipality_code)


def _wanted(row: HouseholdIn) -> dict[str, object]:
    values = {name: getattr(row, name) for name in FIELDS}
    values["state"] = row.state.value
    return values


def upsert_households(session: Session, actor: Actor, cells: list[tuple[tuple, object]]) -> UpsertResult:
    """Create or update households, all or none.

    ``cells`` pairs each raw row (a mapping of field to value) with where it came from
    (``("body", "households", 6)`` or ``("file", 7)``).  Every row is validated, malformed or
    not, so the :class:`Invalid` raised on any problem names every bad row at once.
    """
    errors: list[FieldError] = []
    rows = validate_rows(cells, HouseholdIn, errors)
    seen: dict[str, tuple] = {}
    for loc, row in rows:
        if row.household_id in seen:
            errors.append(FieldError((*loc, "household_id"), "household_twice", {"household": row.household_id, "at": ".".join(map(str, seen[row.household_id]))}))
        seen.setdefault(row.household_id, loc)
    locations = set(session.scalars(select(Location.location_id)))
    codes = set(session.scalars(select(Municipality.code)))
    existing: dict[str, Household] = {}
    ids = list(seen)
    for start in range(0, len(ids), _CHUNK):
        for h in session.scalars(select(Household).where(Household.household_id.in_(ids[start:start + _CHUNK]))
                                 .order_by(Household.household_id).with_for_update()):
            existing[h.household_id] = h
    for loc, row in rows:
        if row.location_id not in locations:
            errors.append(FieldError((*loc, "location_id"), "unknown_location", {"location": row.location_id}))
        for name in ("tie_municipality", "municipality"):
            code = getattr(row, name)
            if code is not None and code not in codes:
                errors.append(FieldError((*loc, name), "unknown_municipality", {"code": code}))
        old = existing.get(row.household_id)
        if old is not None and old.state == "moving_in":
            errors.append(FieldError((*loc, "state"), "household_moving_in", {"household": row.household_id, "home": old.home_id, "code": old.municipality_code}))
        elif old is not None and STATE_ORDER[row.state.value] < STATE_ORDER[old.state]:
            errors.append(FieldError((*loc, "state"), "state_back", {"household": row.household_id, "old": Term(old.state), "new": Term(row.state.value)}))
        if old is not None and old.state in ("housed", "temporary") and old.home_id is not None and row.municipality != old.municipality_code:
            errors.append(FieldError((*loc, "municipality"), "housed_elsewhere", {"household": row.household_id, "home": old.home_id, "code": old.municipality_code}))
    if errors:
        session.rollback()
        raise Invalid(sorted(errors, key=_order))
    # Couplings and housings change the quota left of their municipalities: hold those rows
    # (after the households, in the order an accept takes them) so that no accept checks the
    # quota in between (see hold_quota).
    hold_quota(session, {row.municipality for _loc, row in rows if row.municipality is not None
                         and _stored_place(existing.get(row.household_id)) != (row.state.value, row.municipality)})
    result = UpsertResult()
    now = utcnow()
    periods: dict[object, int | None] = {}
    changed: list[str] = []
    moved: list[str] = []  # households whose state or municipality changes: their locks end
    for _loc, row in rows:
        wanted = _wanted(row)
        old = existing.get(row.household_id)
        if old is not None and _stored(old) == wanted:
            result.unchanged += 1
            continue
        changed.append(row.household_id)
        if old is not None and (old.state, old.municipality_code) != (wanted["state"], wanted["municipality"]):
            moved.append(row.household_id)
        household = old or Household(household_id=row.household_id, created_at=now)
        for name, value in wanted.items():
            setattr(household, "municipality_code" if name == "municipality" else name, value)
        if row.housed_date is not None:
            if row.housed_date not in periods:
                period = period_for(session, row.housed_date)
                periods[row.housed_date] = period.id if period else None
            household.housed_period_id = periods[row.housed_date]
        else:
            household.housed_period_id = None
        household.updated_at = now
        if old is None:
            session.add(household)
            result.created += 1
        else:
            result.updated += 1
    if moved:
        locks.end_on_change(session, actor, moved)
    if changed:  # a batch that changes nothing leaves no trace: a retry is a no-op
        audit.record(session, actor, "households.upsert", "households", f"{len(rows)} rows", created=result.created,
                     updated=result.updated, unchanged=result.unchanged,
                     household_ids=changed[:50], more=max(0, len(changed) - 50))
    session.commit()
    return result


def _order(error: FieldError) -> tuple:
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in error.loc)


def upsert_batch(session: Session, actor: Actor, body: object) -> UpsertResult:
    """:func:`upsert_households` from a JSON body ``{"households": [...]}``."""
    if not isinstance(body, dict) or set(body) != {"households"}:
        raise Invalid([FieldError(("body",), "households_object", type="model_type")])
    households = body["households"]
    if not isinstance(households, list) or not 1 <= len(households) <= MAX_BATCH:
        raise Invalid([FieldError(("body", "households"), "households_list", {"max": MAX_BATCH}, "list_type")])
    return upsert_households(session, actor, [(("body", "households", i), row) for i, row in enumerate(households)])


def upload_households(session: Session, actor: Actor, content: bytes) -> UpsertResult:
    """:func:`upsert_households` from a CSV with the columns of :class:`~api.schemas.HouseholdIn`."""
    rows = read_rows(content, CSV_COLUMNS, CSV_REQUIRED, column_kinds(HouseholdIn))
    return upsert_households(session, actor, [(("file", number), row) for number, row in rows])
