"""Signing in with a token, signing out, the language switch, and the start page of each role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from starlette.responses import RedirectResponse, Response

from api.services import tokens
from api.web import i18n
from api.web.pages import UI, Page, PageDep, PageRoute, check_csrf, local_path
from api.web.session import LANG_COOKIE, WebSession, end

router = APIRouter(route_class=PageRoute, dependencies=[Depends(check_csrf)])


def home_of(page: Page) -> str:
    """Where a signed-in actor starts: the planner overview, or its municipality's page."""
    if page.actor is None:
        return f"{UI}/sign-in"
    if page.actor.is_coa:
        return f"{UI}/planner"
    return f"{UI}/municipality/{page.actor.municipality}"


@router.get("/", summary="Start page")
def start(page: PageDep) -> Response:
    return page.redirect(home_of(page))


@router.get("/sign-in", summary="Sign-in form")
def sign_in_form(page: PageDep, next_: Annotated[str | None, Query(alias="next", max_length=2000)] = None) -> Response:
    return page.render("sign_in.html", next=local_path(next_, ""), error=None)


@router.post("/sign-in", summary="Sign in with a token")
def sign_in(page: PageDep, token: Annotated[str, Form(max_length=300)] = "",
            next_: Annotated[str, Form(alias="next", max_length=2000)] = "") -> Response:
    """A known token starts a new session (a new CSRF secret too); a wrong one shows the form again."""
    actor = tokens.authenticate(page.session, token.strip())
    page.session.rollback()
    if actor is None or actor.token_id is None:  # a token always has its id; the check tells mypy
        return page.render("sign_in.html", 401, next=local_path(next_, ""), error=page.t("sign_in_failed"))
    page.web = WebSession.signed_in(page.session, actor.token_id, page.signer.settings.max_age)
    page.session.commit()
    page.actor, page.new_cookie = actor, True
    return page.redirect(local_path(next_, home_of(page)))


@router.post("/sign-out", summary="Sign out")
def sign_out(page: PageDep) -> Response:
    """The session ends on the server (every copy of its cookie) and the cookie is cleared."""
    end(page.session, page.web)
    page.session.commit()
    response = RedirectResponse(f"{UI}/sign-in", status_code=303)
    page.signer.clear(response)
    return response


@router.get("/lang/{lang}", summary="Switch the language")
def switch_language(lang: str, page: PageDep,
                    next_: Annotated[str | None, Query(alias="next", max_length=2000)] = None) -> Response:
    response = RedirectResponse(local_path(next_), status_code=303)
    if lang in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, path="/", samesite="lax",
                            secure=page.signer.settings.secure)
    return page.finish(response)
