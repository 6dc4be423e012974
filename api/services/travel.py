"""Travel times: COA uploads public-transport minutes per reception location and municipality
(a CSV, all rows or none); every proposal's snapshot carries them (rule 5, ``max_minutes``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import audit
from api.models import Location, Municipality, TravelTime, utcnow
from api.schemas import TravelTimeIn
from api.services.csvio import read_rows, validate_rows
from api.services.errors import Actor, FieldError, Invalid
from api.services.households import UpsertResult

CSV_COLUMNS = ("location_id", "municipality", "minutes")


def upload_travel_times(session: Session, actor: Actor, content: bytes) -> UpsertResult:
    """Create or update the travel times of a CSV (``location_id, municipality, minutes``, all
    required), all or none: every bad row is named (``file:row:column``) and nothing is written.
    Pairs the file does not name are kept."""
    errors: list[FieldError] = []
    rows = validate_rows([(("file", number), cells) for number, cells in read_rows(content, CSV_COLUMNS, CSV_COLUMNS)],
                         TravelTimeIn, errors)
    locations = set(session.scalars(select(Location.location_id)))
    codes = set(session.scalars(select(Municipality.code)))
    seen: dict[tuple[str, str], int] = {}
    for loc, row in rows:
        if row.location_id not in locations:
            errors.append(FieldError((*loc, "location_id"), "unknown_location", {"location": row.location_id}))
        if row.municipality not in codes:
            errors.append(FieldError((*loc, "municipality"), "unknown_municipality", {"code": row.municipality}))
        pair = (row.location_id, row.municipality)
        if pair in seen:
            errors.append(FieldError((*loc, "municipality"), "travel_time_twice",
                                     {"location": pair[0], "code": pair[1], "row": seen[pair]}))
        seen.setdefault(pair, loc[1])
    if errors:
        session.rollback()
        raise Invalid(errors)
    stored = {(t.location_id, t.municipality_code): t for t in session.scalars(select(TravelTime).with_for_update())}
    result = UpsertResult()
    now = utcnow()
    for _loc, row in rows:
        old = stored.get((row.location_id, row.municipality))
        if old is None:
            session.add(TravelTime(location_id=row.location_id, municipality_code=row.municipality, minutes=row.minutes,
                                   updated_at=now))
            result.created += 1
        elif old.minutes == row.minutes:
            result.unchanged += 1
        else:
            old.minutes, old.updated_at = row.minutes, now
            result.updated += 1
    if result.created or result.updated:  # the same file again leaves no trace
        audit.record(session, actor, "travel_times.upload", "travel_times", f"{len(rows)} rows", created=result.created,
                     updated=result.updated, unchanged=result.unchanged)
    session.commit()
    return result


def list_travel_times(session: Session, location_id: str | None, municipality: str | None,
                      limit: int, offset: int) -> tuple[list[TravelTime], int]:
    """The stored travel times, by location then municipality, one page of them."""
    query = select(TravelTime)
    if location_id is not None:
        query = query.where(TravelTime.location_id == location_id)
    if municipality is not None:
        query = query.where(TravelTime.municipality_code == municipality)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(query.order_by(TravelTime.location_id, TravelTime.municipality_code).limit(limit).offset(offset))
    return list(page), total


def engine_travel_minutes(session: Session) -> tuple[tuple[str, str, float], ...]:
    """Every stored travel time, as :attr:`matcher.models.Instance.travel_minutes` takes them."""
    return tuple((t.location_id, t.municipality_code, t.minutes) for t in session.scalars(
        select(TravelTime).order_by(TravelTime.location_id, TravelTime.municipality_code)))


def has_travel_times(session: Session) -> bool:
    return session.scalar(select(TravelTime.location_id).limit(1)) is not None
