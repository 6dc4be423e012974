"""What every page route shares: the page context (database session, who is signed in, the
language), the rules of access, CSRF on every POST, rendering, and errors as pages.

Access follows the JSON API: not signed in is a redirect to the sign-in page; a page of the
wrong role is a 403 page; another municipality's object is a 404 page (the service layer's
:class:`~api.services.errors.NotFound`).  Every POST must carry the session's CSRF secret in the
form field ``csrf`` and, when the browser sends one, an ``Origin`` of this site; otherwise it is
refused (403) before the route runs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api import messages
from api.services.errors import Actor, Conflict, FieldError, Forbidden, Invalid, NotFound
from api.web import i18n
from api.web.session import COOKIE, LANG_COOKIE, Signer, WebSession, actor_of

UI = "/ui"
log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent / "templates"


class SignInRequired(Exception):
    """No session, or its token was revoked: go to the sign-in page."""


class PageForbidden(Exception):
    """The signed-in role may not open this page, or a form came without a valid CSRF secret."""


def language(request: Request) -> str:
    """The page language: the ``matcher_lang`` cookie, else Dutch."""
    lang = request.cookies.get(LANG_COOKIE, "")
    return lang if lang in i18n.LANGUAGES else i18n.DEFAULT


def local_path(value: str | None, default: str = UI + "/") -> str:
    """``value`` if it is a path on this site under /ui (a safe place to send the browser back to)."""
    if not value or not value.startswith(UI + "/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


@dataclass
class Page:
    """One page request: the database session, the browser session and who is signed in."""

    request: Request
    session: Session
    web: WebSession
    actor: Actor | None
    lang: str
    new_cookie: bool = False
    """The browser session was made for this request; the response must set the cookie."""

    @property
    def signed_in_actor(self) -> Actor:
        """Who is signed in, on a page behind :data:`SignedInDep` or :data:`CoaPageDep` (which made sure
        someone is); :class:`SignInRequired` anywhere else without one."""
        if self.actor is None:
            raise SignInRequired()
        return self.actor

    @property
    def signer(self) -> Signer:
        return self.request.app.state.web_signer

    def t(self, key: str, **values: Any) -> str:
        return i18n.translate(self.lang, key, **values)

    def located(self, exc: ValidationError | Invalid) -> list[str]:
        """Each problem as "field: what is wrong", in the page's language."""
        return [f"{messages.location(self.lang, e.loc)}: {e.text(self.lang)}" for e in field_errors(exc)]

    def plain(self, exc: ValidationError | Invalid) -> list[str]:
        """Each problem's message without its location, in the page's language."""
        return [e.text(self.lang) for e in field_errors(exc)]

    def finish(self, response: Response) -> Response:
        """Set the session cookie on a response if this request made the session."""
        if self.new_cookie:
            self.signer.write(response, self.web)
        return response

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        return self.finish(render(self.request, template, status, actor=self.actor, csrf=self.web.csrf, **context))

    def redirect(self, path: str, **query: Any) -> Response:
        """303 to ``path`` (after a POST: the browser GETs the result)."""
        wanted = {k: v for k, v in query.items() if v not in (None, "")}
        target = path + ("?" + urlencode(wanted) if wanted else "")
        return self.finish(RedirectResponse(target, status_code=303))


def field_errors(exc: ValidationError | Invalid) -> list[FieldError]:
    """Pydantic's errors as the service layer's field errors, or the service layer's own."""
    if isinstance(exc, ValidationError):
        return [FieldError.of(tuple(e["loc"]), e) for e in exc.errors(include_url=False)]
    return list(exc.errors)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "svg"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v: "–" if v is None else f"{round(100 * v)}%"
    env.filters["num"] = lambda v: f"{v:,}".replace(",", "\u202f")
    env.filters["day"] = lambda v: "" if v is None else v.isoformat()  # ISO: form fields and links
    env.filters["date"] = pass_context(lambda context, v: i18n.long_date(context["lang"], v))  # for the reader
    env.filters["deadline"] = pass_context(lambda context, d: i18n.deadline_text(context["lang"], d))  # days left, in words
    env.filters["dec"] = pass_context(lambda context, v: i18n.decimal(context["lang"], v))  # 5,8 in Dutch
    env.filters["temporary"] = pass_context(lambda context, h: i18n.temporary_text(context["lang"], h))  # the year in a temporary home
    env.filters["audit_action"] = pass_context(lambda context, a: i18n.audit_action(context["lang"], a))  # line.accept in words
    env.filters["plain"] = lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
    return env


ENV = _environment()


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A template rendered in the request's language."""
    lang = language(request)
    html = ENV.get_template(template).render(
        request=request, lang=lang, _=lambda key, **v: i18n.translate(lang, key, **v), UI=UI,
        path=request.url.path, query=request.url.query, today=dt.date.today(), **context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def page_context(request: Request) -> Iterator[Page]:
    """The database session, the browser session (anonymous if none) and the signed-in actor."""
    signer: Signer = request.app.state.web_signer
    web = signer.read(request.cookies.get(COOKIE))
    new = web is None
    web = web or WebSession.anonymous()
    with request.app.state.sessions() as session:
        actor = actor_of(session, web, signer.settings.max_age)
        if web.token_id is not None and actor is None:  # signed out, expired or revoked: the session is over
            web, new = WebSession.anonymous(), True
        yield Page(request, session, web, actor, language(request), new)


PageDep = Annotated[Page, Depends(page_context)]


def signed_in(page: PageDep) -> Page:
    if page.actor is None:
        raise SignInRequired()
    return page


def coa_page(page: Annotated[Page, Depends(signed_in)]) -> Page:
    if not page.signed_in_actor.is_coa:
        raise PageForbidden(page.t("only_coa"))
    return page


SignedInDep = Annotated[Page, Depends(signed_in)]
CoaPageDep = Annotated[Page, Depends(coa_page)]


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:  # a browser that sends none; the CSRF secret still decides
        return True
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


async def check_csrf(request: Request) -> None:
    """Every POST: the form's ``csrf`` must be the session's secret and the Origin this site."""
    if request.method != "POST":
        return
    signer: Signer = request.app.state.web_signer
    web = signer.read(request.cookies.get(COOKIE))
    if web is None:  # no signed session cookie: refused before the form is read
        raise PageForbidden(i18n.translate(language(request), "csrf_failed"))
    form = await request.form()
    sent = form.get("csrf")
    if web is None or not isinstance(sent, str) or not web.csrf_ok(sent) or not _same_origin(request):
        raise PageForbidden(i18n.translate(language(request), "csrf_failed"))


def refuse_unsigned_post(scope: dict[str, Any]) -> Response | None:
    """For :mod:`api.guard`, before the body is read: a form POST under /ui without a signed
    session cookie is refused (403 page), or ``None``."""
    if scope["method"] != "POST" or not scope["path"].startswith(UI + "/"):
        return None
    request = Request(scope)
    if request.app.state.web_signer.read(request.cookies.get(COOKIE)) is not None:
        return None
    return error_page(request, 403, i18n.translate(language(request), "csrf_failed"))


class PageRoute(APIRoute):
    """A page route: errors become pages in the visitor's language, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                target = request.url.path + ("?" + request.url.query if request.url.query else "")
                back = target if request.method == "GET" and target.startswith(UI + "/") else None
                return RedirectResponse(f"{UI}/sign-in" + ("?" + urlencode({"next": back}) if back else ""), status_code=303)
            except PageForbidden as exc:
                return error_page(request, 403, str(exc))
            except Forbidden as exc:
                return error_page(request, 403, exc.text(language(request)))
            except NotFound as exc:
                return error_page(request, 404, exc.text(language(request)))
            except Conflict as exc:
                return error_page(request, 409, exc.text(language(request)))
            except RequestValidationError as exc:
                lang = language(request)
                fields = "; ".join(f"{messages.location(lang, e['loc'])}: {messages.pydantic_error(lang, e)}"
                                   for e in exc.errors())
                return error_page(request, 422, i18n.translate(lang, "bad_request", fields=fields))
            except StarletteHTTPException:
                raise
            except Exception:  # a fault of ours: a page in the visitor's language, the details in the log
                log.exception("page %s %s failed", request.method, request.url.path)
                return error_page(request, 500, i18n.translate(language(request), "internal_error"))

        return page_handler


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    lang = language(request)
    title = i18n.translate(lang, f"error_{status}")
    return render(request, "error.html", status, title=title, message=message, actor=None, csrf="")
