"""Web pages for COA planners and municipalities, served by the same service under ``/ui``.

Server-rendered (Jinja2) over the service layer (:mod:`api.services`), with the same access
rules as the JSON API; one CSS file and a little vanilla JavaScript, no build step.  Sign-in is
a token pasted once (see :mod:`api.web.session`); labels are Dutch by default, English by a
switch (:mod:`api.web.i18n`).  No page is in the OpenAPI schema.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse

from api.web.pages import UI
from api.web.session import Signer, WebSettings

STATIC = Path(__file__).resolve().parent / "static"


def build_router() -> APIRouter:
    from api.web import auth, monitoring, municipality, planner, signals

    router = APIRouter(prefix=UI, include_in_schema=False)
    for module in (auth, signals, planner, municipality, monitoring):
        router.include_router(module.router)
    return router


def mount(app: FastAPI, settings: WebSettings | None = None) -> None:
    """Add the pages, their static files and ``/`` (to the start page) to ``app``."""
    app.state.web_signer = Signer(settings or WebSettings.from_env())
    app.include_router(build_router())
    app.mount(f"{UI}/static", StaticFiles(directory=STATIC), name="web-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(f"{UI}/", status_code=307)
