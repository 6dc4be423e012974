"""The audit log (COA)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api import audit as service
from api import mapping
from api.deps import ApiRoute, CoaDep, SessionDep
from api.routes import Limit, Offset
from api.schemas import MAX_INT, AuditList

router = APIRouter(tags=["audit"], route_class=ApiRoute)


@router.get("/audit", response_model=AuditList, summary="Who did what, when (COA)")
def list_events(actor: CoaDep, session: SessionDep,
                action: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_.]+$")] = None,
                token_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
                object_type: Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_]+$")] = None,
                object_id: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")] = None,
                limit: Annotated[int, Limit] = 100, offset: Annotated[int, Offset] = 0) -> AuditList:
    """Newest first.  ``action`` like ``home.create``, ``line.accept``, ``token.revoke``."""
    events, total = service.list_events(session, action=action, token_id=token_id, object_type=object_type,
                                        object_id=object_id, limit=limit, offset=offset)
    return AuditList(items=[mapping.audit_out(e) for e in events], total=total)
