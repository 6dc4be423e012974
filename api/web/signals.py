"""The planner's signal pages (issue 16 item 5): the feed a page at a time, one signal with the
homes and households it concerns, and for homes idle for lack of quota the one button that
records the suggested redistribution (:func:`api.services.municipalities.redistribute`, as
``POST /api/v1/redistributions`` does).  The overview (:mod:`api.web.planner`) shows the newest."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query
from starlette.responses import Response

from api.routes.signals import options
from api.services import municipalities
from api.services import signals as service
from api.services.errors import Conflict, Invalid, NotFound
from api.web.pages import UI, CoaPageDep, Page, PageRoute, check_csrf, error_page

router = APIRouter(prefix="/planner/signals", route_class=PageRoute, dependencies=[Depends(check_csrf)])

PAGE_SIZE = 20
On = Annotated[dt.date | None, Query(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]
After = Annotated[str | None, Query(max_length=200, pattern=r"^[A-Za-z0-9_-]*$")]
SignalPath = Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9-]+$")]


def newest(page: Page, on: dt.date, limit: int = 10) -> tuple[list[service.Signal], str | None]:
    """The newest signals on ``on`` for the overview, and the cursor of the rest."""
    return service.feed(page.session, page.signed_in_actor, on, options(page.request.app.state.settings), None, limit)


@router.get("", summary="Signals")
def signal_list(page: CoaPageDep, on: On = None, after: After = None,
                done: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """The signals on ``on`` (default today), newest first, a page at a time (``after``)."""
    on = on or dt.date.today()
    try:
        items, cursor = service.feed(page.session, page.signed_in_actor, on, options(page.request.app.state.settings),
                                     after or None, PAGE_SIZE)
    except Invalid as exc:  # a cursor not of this feed
        return error_page(page.request, 422, page.t("bad_request", fields="; ".join(page.located(exc))))
    return page.render("planner/signals.html", signals=items, next_cursor=cursor, on=on, first=not after,
                       notice=page.t("done_redistributed") if done == "redistributed" else None)


def _signal_page(page: Page, signal_id: str, on: dt.date, status: int = 200, errors: list[str] | None = None) -> Response:
    signal = service.get_signal(page.session, page.signed_in_actor, on, options(page.request.app.state.settings), signal_id)
    return page.render("planner/signal.html", status, s=signal, on=on, errors=errors or [])


@router.get("/{signal_id}", summary="One signal")
def signal_page(page: CoaPageDep, signal_id: SignalPath, on: On = None) -> Response:
    """One signal on ``on``: its figures, its homes (each linking to the home's page) and the
    households they fit, and for idle homes the suggested redistribution with its button."""
    return _signal_page(page, signal_id, on or dt.date.today())


@router.post("/{signal_id}/redistribute", summary="Record a signal's suggested redistribution")
def redistribute(page: CoaPageDep, signal_id: SignalPath, on: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Record the suggestion of an ``idle_homes`` signal as it holds now (the same click twice
    records it once: its reference)."""
    try:
        day = dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError:
        day = dt.date.today()
    signal = service.get_signal(page.session, page.signed_in_actor, day, options(page.request.app.state.settings), signal_id)
    if signal.suggestion is None:
        raise NotFound("no_signal", signal=signal_id)
    s = signal.suggestion
    try:
        municipalities.redistribute(page.session, page.signed_in_actor, str(s["reference"]), str(s["from_municipality"]),
                                    str(s["to_municipality"]), int(s["persons"]), int(s["amv_persons"]), str(s["reason"]),
                                    signal.id)
    except Invalid as exc:
        page.session.rollback()
        return _signal_page(page, signal_id, day, 422, page.plain(exc))
    except Conflict as exc:
        page.session.rollback()
        return _signal_page(page, signal_id, day, 409, [exc.text(page.lang)])
    return page.redirect(f"{UI}/planner/signals", on=day.isoformat(), done="redistributed")
