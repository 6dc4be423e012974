"""Who am I."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ActorDep, ApiRoute
from api.schemas import MeOut

router = APIRouter(tags=["access"], route_class=ApiRoute)


@router.get("/me", response_model=MeOut, summary="The token making the request")
def me(actor: ActorDep) -> MeOut:
    return MeOut(token_id=actor.token_id, label=actor.label, role=actor.role, municipality=actor.municipality)
