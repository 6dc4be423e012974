"""The audit log: who (which token) did what, when.

Service functions call :func:`record` inside the transaction that makes the change, so the log
and the change are committed together or not at all.  Reads are not logged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import AuditEvent
from api.services.errors import Actor

TABLE = AuditEvent.__table__
"""For a hot path that writes its event with a Core statement (:func:`row`) instead of :func:`record`."""


def record(session: Session, actor: Actor, action: str, object_type: str, object_id: object,
           **detail: Any) -> AuditEvent:
    """Add one event (``action`` like ``home.create``) to the session's transaction."""
    event = AuditEvent(**row(actor, action, object_type, object_id, **detail))
    session.add(event)
    return event


def row(actor: Actor, action: str, object_type: str, object_id: object, **detail: Any) -> dict[str, Any]:
    """The columns of the event :func:`record` adds (but ``at``), for an ``INSERT`` into :data:`TABLE`."""
    return {"token_id": actor.token_id, "actor": actor.name[:120], "action": action, "object_type": object_type,
            "object_id": str(object_id)[:64], "detail": _jsonable(detail)}


def list_events(session: Session, *, action: str | None = None, token_id: int | None = None,
                object_type: str | None = None, object_id: str | None = None,
                limit: int = 100, offset: int = 0) -> tuple[list[AuditEvent], int]:
    """Events, newest first, filtered; and how many match in all."""
    query = select(AuditEvent)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if token_id is not None:
        query = query.where(AuditEvent.token_id == token_id)
    if object_type is not None:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "value"):  # enums
        return _jsonable(value.value)
    return str(value)
