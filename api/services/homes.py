"""Homes offered by municipalities: created, changed and withdrawn one by one or by CSV upload.

A municipality sees and changes only its own homes; another municipality's home does not exist
for it (404).  The municipality's ``reference`` makes every submission idempotent:

- ``create_home`` with a reference already used returns that home if nothing differs, and is a
  conflict (409) if something does (change it with ``update_home``);
- ``upload_homes`` creates new references and updates open homes whose values changed
  (an optional ``status`` column withdraws them), all rows or none.

A withdrawn home stays withdrawn: its reference names it for good, and offering that reference
again is refused on both paths (``create_home``: 409; an upload row with status ``open``, the
default: 422 at that row's ``status``), so that neither silently answers with a home that is not
on offer.  Sending the withdrawal again (a row with status ``withdrawn``) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Executable, Row, Select, bindparam, cast, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit
from api.messages import Term
from api.models import Home, Household, utcnow
from api.schemas import HomeIn, HomeKind, HomePatch, HomeStatus
from api.services import locks
from api.services.csvio import column_kinds, read_rows, validate_rows
from api.services.errors import (
    Actor,
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
)

FIELDS = ("kind", "capacity", "min_occupancy", "accessible", "available_from")
CSV_COLUMNS = ("reference", *FIELDS, "status")
CSV_REQUIRED = ("reference", "kind", "capacity", "available_from")


class HomeRow(HomeIn):
    """A row of a homes CSV: a home, and optionally ``status`` open or withdrawn."""

    status: HomeStatus = HomeStatus.open


def _values(data: BaseModel | Home) -> dict[str, object]:
    values = {name: getattr(data, name) for name in FIELDS}
    values["kind"] = HomeKind(values["kind"]).value
    return values


def occupied(session: Session, home_ids: list[int] | Select[Any]) -> dict[int, int]:
    """Persons housed, in a temporary home, or moving in in each of these homes through the service
    (``home_ids`` a list, or a query of them: a national snapshot's 2,400 open homes)."""
    if isinstance(home_ids, list) and not home_ids:
        return {}
    query = (select(Household.home_id, func.sum(Household.size))
             .where(Household.home_id.in_(home_ids), Household.state.in_(("moving_in", "temporary", "housed"))).group_by(Household.home_id))
    return {home_id: int(total) for home_id, total in session.execute(query)}


def _require_municipality(actor: Actor) -> str:
    if actor.municipality is None:
        raise Forbidden("only_municipality_offers")
    return actor.municipality


def get_home(session: Session, actor: Actor, home_id: int, for_update: bool = False) -> Home:
    """A home the actor may see: COA sees every home, a municipality its own."""
    home = session.get(Home, home_id, with_for_update=for_update or None)
    if home is None or not (actor.is_coa or home.municipality_code == actor.municipality):
        raise NotFound("no_home", home=home_id)
    return home


def list_homes(session: Session, actor: Actor, municipality: str | None = None, status: str | None = None,
               limit: int = 100, offset: int = 0) -> tuple[list[Home], int]:
    query = select(Home)
    if not actor.is_coa:
        query = query.where(Home.municipality_code == actor.municipality)
    elif municipality is not None:
        query = query.where(Home.municipality_code == municipality)
    if status is not None:
        query = query.where(Home.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    homes = list(session.scalars(query.order_by(Home.id).limit(limit).offset(offset)))
    return homes, total


def create_home(session: Session, actor: Actor, data: HomeIn) -> tuple[Home | Row[Any], bool]:
    """Offer a home; ``created`` is false when the reference already names this same home.

    One statement in the usual case: ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (PostgreSQL
    and SQLite) makes the home unless the reference exists, also when the same reference is
    submitted twice at the same moment (the second waits for the first, then finds it).  On
    PostgreSQL the same statement writes the audit event (see :func:`_create_statement`).  A new
    home comes back as the row of its columns (attributes as on :class:`Home`), an existing one as
    the :class:`Home`."""
    code = _require_municipality(actor)
    now = utcnow()
    values = _values(data)
    new = {"municipality_code": code, "reference": data.reference, "status": "open", "created_at": now,
           "updated_at": now, **values}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        connection = session.connection()
        event = audit.row(actor, "home.create", "home", None, reference=data.reference, **values)
        event["at"] = now
        if dialect == "postgresql":  # the event's object_id is the new home's id, in the statement
            home = connection.execute(_create_statement(dialect),
                                      {**new, **{f"event_{name}": event[name] for name in _EVENT}}).first()
        else:
            home = connection.execute(_create_statement(dialect), new).first()
            if home is not None:
                connection.execute(_INSERT_EVENT, {**event, "object_id": str(home.id)})
    else:  # pragma: no cover - only PostgreSQL and SQLite are supported
        home = None if _find(session, code, data.reference) else Home(**new)
        if home is not None:
            session.add(home)
            session.flush()
            audit.record(session, actor, "home.create", "home", home.id, reference=home.reference, **values)
    if home is None:
        existing = _find(session, code, data.reference)
        if existing.status == "withdrawn":
            raise Conflict("home_reference_withdrawn", reference=data.reference, home=existing.id)
        if _values(existing) == values:
            return existing, False
        raise Conflict("home_reference_other_values", reference=data.reference, home=existing.id)
    session.commit()
    return home, True


_NEW_HOME = ("municipality_code", "reference", "status", "created_at", "updated_at", *FIELDS)
_EVENT = ("at", "token_id", "actor", "action", "object_type", "detail")
_INSERT_EVENT = insert(audit.TABLE)
_create_statements: dict[str, Executable] = {}


def _create_statement(dialect: str) -> Executable:
    """The statement that makes a new home, built once per dialect: SQLAlchemy finds a statement
    it has seen compiled in its cache without working out a cache key or an ORM plan again.
    ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` the home's columns; on PostgreSQL with the audit
    event written by the same statement (``WITH new_home AS (INSERT ...), new_event AS (INSERT
    INTO audit_events SELECT ... FROM new_home) SELECT * FROM new_home``), so nothing is written
    when the reference exists, and one round trip fewer.  Parameters: the columns of
    ``_NEW_HOME``, and on PostgreSQL ``event_`` and the columns of ``_EVENT``."""
    statement = _create_statements.get(dialect)
    if statement is None:
        homes = Home.__table__
        insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (insert_(homes).values({name: bindparam(name) for name in _NEW_HOME})
                     .on_conflict_do_nothing(index_elements=["municipality_code", "reference"])
                     .returning(*homes.c))
        if dialect == "postgresql":
            home = statement.cte("new_home")
            columns = audit.TABLE.c
            event = insert(audit.TABLE).from_select(
                [*_EVENT, "object_id"],
                select(*(bindparam(f"event_{name}", type_=columns[name].type) for name in _EVENT),
                       cast(home.c.id, columns.object_id.type)).select_from(home))
            statement = select(home).add_cte(event.cte("new_event"))
        _create_statements[dialect] = statement
    return statement


def _find(session: Session, code: str, reference: str) -> Home | None:
    return session.scalar(select(Home).where(Home.municipality_code == code, Home.reference == reference))


def _check_combined(values: dict[str, object], occupied_persons: int, loc: tuple) -> list[FieldError]:
    errors = []
    if values["min_occupancy"] > values["capacity"]:
        errors.append(FieldError((*loc, "min_occupancy"), "min_occupancy_capacity"))
    if values["kind"] != "regular" and values["min_occupancy"] != 1:
        errors.append(FieldError((*loc, "min_occupancy"), "min_occupancy_regular"))
    if values["capacity"] < occupied_persons:
        errors.append(FieldError((*loc, "capacity"), "persons_live_there", {"persons": occupied_persons}))
    return errors


def _change(session: Session, actor: Actor, home: Home, changes: dict[str, object], loc: tuple) -> bool:
    """Apply ``changes`` to an open home; ``True`` if anything changed."""
    new = {**_values(home), **changes}
    if new == _values(home):
        return False
    if home.status != "open":
        raise Conflict("home_not_open", home=home.id, status=Term(home.status))
    errors = _check_combined(new, occupied(session, [home.id]).get(home.id, 0), loc)
    if errors:
        raise Invalid(errors)
    before = _values(home)
    for name, value in new.items():
        setattr(home, name, value)
    home.updated_at = utcnow()
    audit.record(session, actor, "home.update", "home", home.id, before={k: v for k, v in before.items() if v != new[k]},
                 after={k: v for k, v in new.items() if v != before[k]})
    return True


def update_home(session: Session, actor: Actor, home_id: int, patch: HomePatch) -> Home:
    """Change an open home of the actor's municipality; the same change twice changes nothing."""
    _require_municipality(actor)
    home = get_home(session, actor, home_id, for_update=True)
    changes = {name: getattr(patch, name) for name in patch.model_fields_set}
    if "kind" in changes:
        changes["kind"] = HomeKind(changes["kind"]).value
    if _change(session, actor, home, changes, ("body",)):
        session.commit()
    return home


def withdraw_home(session: Session, actor: Actor, home_id: int) -> Home:
    """Withdraw an offer; withdrawing it again changes nothing.  A home someone lives in
    (allocated) cannot be withdrawn."""
    _require_municipality(actor)
    home = get_home(session, actor, home_id, for_update=True)
    if home.status == "withdrawn":
        return home
    if home.status == "allocated":
        raise Conflict("home_allocated", home=home.id)
    home.status = "withdrawn"
    home.withdrawn_at = home.updated_at = utcnow()
    audit.record(session, actor, "home.withdraw", "home", home.id, reference=home.reference)
    locks.end_on_home(session, actor, home.id, "withdrawn")
    session.commit()
    return home


@dataclass
class UploadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    homes: list[Home] = field(default_factory=list)


def upload_homes(session: Session, actor: Actor, content: bytes) -> UploadResult:
    """Create or update the municipality's homes from a CSV (columns ``reference, kind,
    capacity, min_occupancy, accessible, available_from`` and optional ``status``): every row
    or, if any row is bad, none; the error lists every bad row."""
    code = _require_municipality(actor)
    errors: list[FieldError] = []
    cells = [(("file", number), row) for number, row in read_rows(content, CSV_COLUMNS, CSV_REQUIRED, column_kinds(HomeRow))]
    rows = [(loc[1], row) for loc, row in validate_rows(cells, HomeRow, errors)]
    seen: dict[str, int] = {}
    for number, row in rows:
        if row.reference in seen:
            errors.append(FieldError(("file", number, "reference"), "reference_twice", {"reference": row.reference, "row": seen[row.reference]}))
        seen.setdefault(row.reference, number)
    if errors:
        raise Invalid(errors)
    existing = {h.reference: h for h in session.scalars(
        select(Home).where(Home.municipality_code == code, Home.reference.in_(list(seen))).with_for_update())}
    result = UploadResult()
    for number, row in rows:
        home = existing.get(row.reference)
        try:
            if home is None:
                home = Home(municipality_code=code, reference=row.reference, status="open", **_values(row))
                session.add(home)
                session.flush()
                audit.record(session, actor, "home.create", "home", home.id, reference=home.reference, source="csv", **_values(row))
                result.created += 1
            elif _change(session, actor, home, _values(row), ("file", number)):
                result.updated += 1
            elif row.status is HomeStatus.open or home.status == "withdrawn":
                result.unchanged += 1
            if row.status is HomeStatus.withdrawn and home.status != "withdrawn":
                if home.status == "allocated":
                    raise Conflict("home_allocated", home=home.id)
                home.status = "withdrawn"
                home.withdrawn_at = home.updated_at = utcnow()
                audit.record(session, actor, "home.withdraw", "home", home.id, reference=home.reference, source="csv")
                locks.end_on_home(session, actor, home.id, "withdrawn")
                result.withdrawn += 1
            elif row.status is HomeStatus.open and home.status == "withdrawn":
                errors.append(FieldError(("file", number, "status"), "home_withdrawn_row", {"home": home.id, "reference": row.reference}))
            elif row.status is HomeStatus.allocated:
                errors.append(FieldError(("file", number, "status"), "status_open_withdrawn"))
        except Invalid as exc:
            errors.extend(exc.errors)
        except Conflict as exc:
            errors.append(FieldError(("file", number), exc.code, exc.values, "conflict"))
        result.homes.append(home)
    if errors:
        session.rollback()
        raise Invalid(errors)
    try:
        session.commit()
    except IntegrityError:  # a reference created at the same moment by another request
        session.rollback()
        raise Conflict("upload_race") from None
    return result
