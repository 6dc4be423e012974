"""First start: the 342 municipalities with their safety regions, the illustrative reception
locations and period 2023-II with its taakstelling, from the data embedded in :mod:`matcher.data`.  Safe to run on every
start: it adds only what is missing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.models import Location, Municipality, Period, Quota
from matcher.data import load_municipalities, load_reception_locations, safety_region_of

FIRST_PERIOD = ("2023-II", dt.date(2023, 7, 1), dt.date(2023, 12, 31))
"""The period of the embedded taakstelling (Bijlage A of the 2023-II quota letter)."""


def seed(session: Session) -> bool:
    """Add the embedded reference data that is missing; ``True`` if anything was added."""
    added = False
    known = set(session.scalars(select(Municipality.code)))
    embedded = load_municipalities()
    new = [m for m in embedded if m.code not in known]
    regions = safety_region_of()
    rows = {m.code: Municipality(code=m.code, name=m.name, province=m.province, inhabitants=m.inhabitants,
                                 lat=m.lat, lon=m.lon, quota_executed_by=None,
                                 safety_region_code=regions[m.code].region_code if m.code in regions else None,
                                 safety_region=regions[m.code].region if m.code in regions else None)
            for m in new}
    session.add_all(rows.values())  # carriers first is not needed: the foreign key is checked at commit
    if new:
        session.flush()
        for m in new:
            if m.quota_executed_by:
                rows[m.code].quota_executed_by = m.quota_executed_by
        added = True
    known_locations = set(session.scalars(select(Location.location_id)))
    for loc in load_reception_locations():
        if loc.location_id not in known_locations:
            session.add(Location(location_id=loc.location_id, name=loc.name, municipality_code=loc.code,
                                 kind=loc.kind, lat=loc.lat, lon=loc.lon))
            added = True
    if session.scalar(select(Period.id).limit(1)) is None:
        name, starts_on, ends_on = FIRST_PERIOD
        period = Period(name=name, starts_on=starts_on, ends_on=ends_on)
        session.add(period)
        session.flush()
        for m in embedded:
            session.add(Quota(period_id=period.id, municipality_code=m.code, taakstelling=m.quota,
                              amv_taakstelling=m.amv_quota, backlog=0, amv_backlog=0))
        added = True
    if added:
        session.commit()
    return added


def prepare(engine: Engine, migrate_schema: bool = True) -> None:
    """Migrate the schema (unless told not to) and seed the reference data."""
    from api.db import migrate, session_factory

    if migrate_schema:
        migrate(engine)
    with session_factory(engine)() as session:
        seed(session)
