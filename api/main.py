"""The app factory.

``create_app(settings)`` builds the FastAPI app: the database engine at once (so tests can reach
``app.state.engine``), and on start-up the migrations, the seed data and the proposal worker.
Service errors become responses by name: :class:`NotFound` 404, :class:`Forbidden` 403,
:class:`Conflict` 409, :class:`Invalid` 422 with one entry per bad field or row, in the same
shape as FastAPI's own validation errors.
"""

from __future__ import annotations

import gc
import logging
import math
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api import messages
from api.config import Settings
from api.db import describe, make_engine, session_factory
from api.deps import AuthError
from api.docs import mount as mount_docs
from api.guard import Guard
from api.routes import build_router
from api.schemas import HealthOut, HouseholdBatchIn
from api.services import tokens
from api.services.bootstrap import prepare
from api.services.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, ServiceError
from api.web import mount as mount_pages
from api.web.pages import refuse_unsigned_post
from api.worker import Worker

log = logging.getLogger("api")

DESCRIPTION = """Municipalities submit homes, COA uploads who is waiting, asks the engine for a
proposal, and decides it line by line; every change is in the audit log.

Every route but `/health` needs `Authorization: Bearer <token>` (make one with
`matcher token create`).  Role `coa` plans; role `municipality` is bound to one CBS code and
sees only its own homes and the households coupled or proposed to it (`/proposed-lines`)."""


_FROZEN: list[bool] = []


def _freeze_once() -> None:
    """Once per process, after start-up: what is alive then (the modules, their functions and
    types, some 100,000 objects) is left out of the garbage collector's full passes from then on
    (:func:`gc.freeze`), so each such pass during a request costs a third of what it did (the
    first request after a write allocates enough to start one).  A frozen object is still freed
    when its last reference goes; only a cycle of them is never collected, so this is done once
    per process, not for every app made in it (as the tests do)."""
    if not _FROZEN:
        _FROZEN.append(True)
        gc.collect()
        gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service for ``settings`` (default: from the environment)."""
    settings = settings or Settings.from_env()
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The worker threads the routes run in (AnyIO's default is 40), one per pooled connection.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.concurrency
        prepare(engine, migrate_schema=settings.auto_migrate)
        _freeze_once()
        if settings.run_worker:
            app.state.worker.start()
        try:
            yield
        finally:
            app.state.worker.stop()
            engine.dispose()

    app = FastAPI(title="matcher service", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # /docs from the package's own assets (api/docs), no CDN
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.worker = Worker(app.state.sessions, settings)

    def _service_error(status: int) -> Callable[[Request, Exception], JSONResponse]:
        def handle(request: Request, exc: Exception) -> JSONResponse:
            assert isinstance(exc, ServiceError)
            return JSONResponse({"detail": exc.text(api_language(request)), "code": exc.code}, status_code=status)
        return handle

    app.add_exception_handler(NotFound, _service_error(404))
    app.add_exception_handler(Forbidden, _service_error(403))
    app.add_exception_handler(Conflict, _service_error(409))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if isinstance(exc, AuthError):  # 401/403: the catalogue's words in the caller's language
            return JSONResponse({"detail": messages.text(api_language(request), exc.code), "code": exc.code},
                                status_code=exc.status_code, headers=exc.headers)
        if exc.status_code == 400:  # FastAPI's "error parsing the body" (not UTF-8, broken multipart): malformed
            error = FieldError(("body",), "body_unreadable", {"error": exc.detail}, "body_unreadable")
            return JSONResponse({"detail": [field_error_out(error, api_language(request))]}, status_code=422)
        if exc.status_code == 405:  # Starlette names the methods of one route only; the path may have several
            exc = StarletteHTTPException(405, exc.detail, headers={**(exc.headers or {}),
                                                                   "Allow": ", ".join(allowed_methods(app, request.scope))})
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer, but the values echoed back made JSON-safe (NaN, Infinity, bytes),
        # and each msg in the caller's language.
        lang = api_language(request)
        errors = [{**e, "msg": messages.pydantic_error(lang, e), "code": messages.pydantic_code(e)[0]} for e in exc.errors()]
        return JSONResponse({"detail": json_safe(errors)}, status_code=422)

    @app.exception_handler(Invalid)
    def _invalid(request: Request, exc: Invalid) -> JSONResponse:
        lang = api_language(request)
        return JSONResponse({"detail": [field_error_out(e, lang) for e in exc.errors]}, status_code=422)

    @app.get("/health", response_model=HealthOut, tags=["access"], summary="Is the service up (no token needed)")
    def health() -> HealthOut:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return HealthOut(status="ok", database=engine.dialect.name)

    def token_known(secret: str) -> bool:
        with app.state.sessions() as session:
            return tokens.authenticate(session, secret) is not None

    app.add_middleware(Guard, settings=settings, token_known=token_known, page_gate=refuse_unsigned_post)
    app.include_router(build_router())
    mount_docs(app)
    mount_pages(app)  # the web pages under /ui (not in the OpenAPI schema)

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            extra = HouseholdBatchIn.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(extra.pop("$defs", {}))
            components["HouseholdBatchIn"] = extra
            # The server's own limit, not only the schema's absolute one.
            for option in components["JobIn"]["properties"]["time_limit"].get("anyOf", []):
                if "maximum" in option:
                    option["maximum"] = min(option["maximum"], settings.max_time_limit)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
    log.info("matcher service on %s", describe(engine))
    return app


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(app: FastAPI, scope: Mapping[str, Any]) -> list[str]:
    """The methods some route answers at the request's path (for the ``Allow`` of a 405:
    ``OPTIONS /api/v1/homes`` answers ``Allow: GET, POST``, not just the first route's ``GET``).
    Asked of the app's router as the request would be, one method at a time."""
    allowed = []
    for method in METHODS:
        probe = {"type": "http", "method": method, "path": scope["path"], "root_path": scope.get("root_path", ""),
                 "headers": [], "query_string": b""}
        if any(route.matches(probe)[0] is Match.FULL for route in app.router.routes):
            allowed.append(method)
    return allowed


def api_language(request: Request) -> str:
    """The language of the API's messages: the ``lang`` parameter, else ``Accept-Language``, else
    English (:data:`api.messages.API_DEFAULT`)."""
    return messages.request_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def field_error_out(error: FieldError, lang: str) -> dict[str, Any]:
    """One entry of a 422's ``detail``: FastAPI's shape (loc, msg, type) and the catalogue code."""
    return {"loc": list(error.loc), "msg": error.text(lang), "type": error.type, "code": error.code}


def json_safe(value: Any) -> Any:
    """``value`` with what JSON cannot hold spelled out: non-finite numbers as ``"NaN"``,
    ``"Infinity"``, ``"-Infinity"``; anything else unknown by its ``str``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else {math.inf: "Infinity", -math.inf: "-Infinity"}.get(value, "NaN")
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def create_app_from_env() -> FastAPI:
    """For ``uvicorn --factory api.main:create_app_from_env`` (what ``matcher serve`` runs)."""
    return create_app(Settings.from_env())
