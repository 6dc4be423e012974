"""FastAPI dependencies: the settings, a database session per request, and who is asking.

``Authorization: Bearer <token>`` is required on every route but ``/health``: none, an unknown
or a revoked token is a 401; a known token of the wrong role is a 403 (:func:`require_coa`,
:func:`require_municipality`).  Which objects a municipality may see is decided in the service
layer, where the queries are (another municipality's object is a 404 there).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.config import Settings
from api.services import tokens
from api.services.errors import Actor

bearer = HTTPBearer(auto_error=False, description="A token made with `matcher token create`.")


@dataclass(frozen=True)
class Context:
    """A request's database session and who is asking."""

    session: Session
    actor: Actor


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


def get_context(request: Request,
                credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Iterator[Context]:
    """Open the request's session and authenticate the bearer token in one step.

    One synchronous dependency rather than several: FastAPI runs each synchronous dependency in
    a worker thread, and the hops between threads cost more than the query itself.
    """
    if credentials is None:
        raise _unauthorized("missing bearer token: send Authorization: Bearer <token> (make one with `matcher token create`)")
    with request.app.state.sessions() as session:
        actor = tokens.authenticate(session, credentials.credentials)
        # End the read now: the connection (and on SQLite the write lock) goes back to the pool
        # while the request waits for its turn in a worker thread; the route opens its own.
        session.rollback()
        if actor is None:
            raise _unauthorized("unknown or revoked token")
        yield Context(session, actor)


ContextDep = Annotated[Context, Depends(get_context)]


async def get_session(context: ContextDep) -> Session:
    return context.session


async def get_actor(context: ContextDep) -> Actor:
    return context.actor


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
ActorDep = Annotated[Actor, Depends(get_actor)]


async def require_coa(actor: ActorDep) -> Actor:
    if not actor.is_coa:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only COA planners (role coa) may do this")
    return actor


async def require_municipality(actor: ActorDep) -> Actor:
    if actor.role != "municipality":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only a municipality (role municipality) may do this")
    return actor


CoaDep = Annotated[Actor, Depends(require_coa)]
MunicipalityDep = Annotated[Actor, Depends(require_municipality)]
