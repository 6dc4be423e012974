"""FastAPI dependencies: the settings, a database session per request, and who is asking.

``Authorization: Bearer <token>`` is required on every route but ``/health``: none, an unknown
or a revoked token is a 401; a known token of the wrong role is a 403 (:data:`CoaDep`,
:data:`MunicipalityDep`).  Which objects a municipality may see is decided in the service
layer, where the queries are (another municipality's object is a 404 there).

One worker thread per request.  FastAPI runs every synchronous dependency and the synchronous
route each in a worker thread of their own, and the hops between the event loop and the threads
cost more CPU than the route's queries.  So the dependencies here are asynchronous and do no
I/O: a missing token is refused at once, and a present one is checked by :class:`ApiRoute` in
the route's own thread, in the route's own transaction, just before the route runs; that thread
also closes the session.  One connection and one transaction per request, and no connection is
held while a request waits for a thread.  Input is validated before the route runs, so a
malformed or unreadable request has its token checked on the way out
(:meth:`ApiRoute.get_route_handler`): an unknown, revoked or wrong-role token still gets its
401/403, never the 422 with details.  A request without a token never gets this far: the
middleware :mod:`api.guard` answers it 401 before its body is read.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import messages
from api.config import Settings
from api.services import tokens
from api.services.errors import Actor
from matcher.reasons import Lang, pick_lang

bearer = HTTPBearer(auto_error=False, description="A token made with `matcher token create`.")


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


class AuthError(HTTPException):
    """A 401 or 403 with a catalogue ``code`` (:data:`api.messages.MESSAGES`): the app renders it in
    the caller's language (``detail`` is the English text)."""

    def __init__(self, status_code: int, code: str) -> None:
        headers = {"WWW-Authenticate": "Bearer"} if status_code == status.HTTP_401_UNAUTHORIZED else None
        super().__init__(status_code, messages.text("en", code), headers=headers)
        self.code = code


def _unauthorized(code: str) -> HTTPException:
    return AuthError(status.HTTP_401_UNAUTHORIZED, code)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session.  :class:`ApiRoute` closes it in the route's thread; if the route
    never ran (malformed input), the session never opened a connection and closing is free."""
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        if session.in_transaction():  # a route outside ApiRoute left it open: roll back off the event loop
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class Unverified:
    """A bearer token not checked yet and the role the route needs; :class:`ApiRoute` turns it
    into the :class:`Actor` (or a 401/403) in the route's thread."""

    session: Session
    secret: str
    needs: str | None = None
    """The role the route needs (``coa``, ``municipality``), or any."""

    def verify(self) -> Actor:
        actor = tokens.authenticate(self.session, self.secret)
        if actor is None:
            raise _unauthorized("unknown_token")
        if self.needs == "coa" and not actor.is_coa:
            raise AuthError(status.HTTP_403_FORBIDDEN, "only_coa")
        if self.needs == "municipality" and actor.role != "municipality":
            raise AuthError(status.HTTP_403_FORBIDDEN, "only_municipality_role")
        return actor


async def get_actor(session: SessionDep,
                    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Actor:
    """Who is asking: an :class:`Unverified` token until :class:`ApiRoute` checks it."""
    if credentials is None:
        raise _unauthorized("missing_token")
    return Unverified(session, credentials.credentials)  # type: ignore[return-value]  # an Actor once ApiRoute ran


async def require_coa(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    return replace(actor, needs="coa")  # type: ignore[call-arg]  # still Unverified here


async def require_municipality(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    return replace(actor, needs="municipality")  # type: ignore[call-arg]  # still Unverified here


SettingsDep = Annotated[Settings, Depends(get_settings)]
ActorDep = Annotated[Actor, Depends(get_actor)]
CoaDep = Annotated[Actor, Depends(require_coa)]
MunicipalityDep = Annotated[Actor, Depends(require_municipality)]


async def reader_language(request: Request, lang: Annotated[Literal["nl", "en"] | None, Query(
        description="language of the reasons and messages: nl or en; default the Accept-Language header, else nl "
                    "for the reasons and en for the messages")] = None) -> Lang:
    """The language a caller reads reasons in: ``lang``, else ``Accept-Language``, else Dutch."""
    return lang if lang is not None else pick_lang(request.headers.get("accept-language"))


LangDep = Annotated[Lang, Depends(reader_language)]


async def message_language(lang: Annotated[Literal["nl", "en"] | None, Query(
        description="language of the messages (detail, msg): nl or en; default the Accept-Language header, "
                    "else en")] = None) -> None:
    """Every API route's ``lang``: checked here (anything but nl or en is a 422), read by the
    error handlers (:func:`api.main.api_language`)."""


def _in_one_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` with its token checked first and its session closed after, all in the
    worker thread FastAPI runs it in."""

    @functools.wraps(endpoint)  # FastAPI reads the parameters of the endpoint itself
    def run(**values: Any) -> Any:
        sessions = []
        try:
            for name, value in list(values.items()):
                if isinstance(value, Unverified):
                    sessions.append(value.session)
                    values[name] = value.verify()
                elif isinstance(value, Session):
                    sessions.append(value)
            return endpoint(**values)
        finally:
            for session in sessions:
                session.close()

    return run


def _verify_request(request: Request, needs: str | None) -> None:
    """Check the request's bearer token (401/403 as :meth:`Unverified.verify`), in a session of its own."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorized("missing_token")
    session = request.app.state.sessions()
    try:
        Unverified(session, secret.strip(), needs).verify()
    finally:
        session.close()


def _needed_role(dependant: Any) -> tuple[bool, str | None]:
    """Whether a route takes a token, and the role it needs (``None``: any role)."""
    calls = []
    stack = [dependant]
    while stack:
        d = stack.pop()
        calls.append(d.call)
        stack.extend(d.dependencies)
    if require_coa in calls:
        return True, "coa"
    if require_municipality in calls:
        return True, "municipality"
    return get_actor in calls, None


class ApiRoute(APIRoute):
    """The routes of the JSON API: a synchronous route runs with its token check in one thread
    (see the module docstring)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _in_one_thread(endpoint)
        if not any(p.name == "lang" for p in inspect.signature(endpoint).parameters.values()):
            kwargs["dependencies"] = [*(kwargs.get("dependencies") or []), Depends(message_language)]
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()
        takes_token, needs = _needed_role(self.dependant)
        if not takes_token:
            return handler

        async def checked(request: Request) -> Any:
            try:
                return await handler(request)
            except RequestValidationError:
                # Malformed input: who is asking comes first (raises 401/403), then the 422.
                await run_in_threadpool(_verify_request, request, needs)
                raise
            except StarletteHTTPException as exc:
                if exc.status_code != 400:  # 400: FastAPI could not read the body (not UTF-8, too deep, ...)
                    raise
                await run_in_threadpool(_verify_request, request, needs)
                raise

        return checked
