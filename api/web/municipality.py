"""A municipality's pages (role ``municipality``; a COA planner may read them): its quota
progress, its homes (add, change, withdraw, upload a CSV) and the households coupled or
proposed to it, where it confirms a household's move-in or reports that it fell through
(:mod:`api.services.moveins`) and asks to re-couple a coupled household
(:mod:`api.services.recouplings`), and its exchanges of status holders with another
municipality, where it asks for one (:mod:`api.services.exchanges`).

A municipality session opens only its own pages: another code is a 404, as in the JSON API.
Changing homes is the municipality's own work: a planner gets a 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, UploadFile
from pydantic import ValidationError
from starlette.responses import Response

from api import messages
from api.routes import CodePath, IdPath
from api.routes.homes import read_upload
from api.schemas import (
    ArrivalIn,
    ExchangeIn,
    HomeIn,
    HomeKind,
    HomePatch,
    HomeStatus,
    MoveInConfirmIn,
    MoveInFellThroughIn,
    RecouplingIn,
)
from api.services import arrivals as arrival_service
from api.services import csvio, deadlines
from api.services import exchanges as exchange_service
from api.services import homes as home_service
from api.services import households as household_service
from api.services import moveins as move_in_service
from api.services import municipalities as municipality_service
from api.services import recouplings as recoupling_service
from api.services.errors import Actor, Conflict, FieldError, Invalid, NotFound
from api.services.reasons import references
from api.web.pages import UI, Page, PageForbidden, PageRoute, SignedInDep, check_csrf, field_errors
from api.web.planner import PAGE_SIZE, HouseholdPath, Offset, exchange_rows, located
from matcher.models.params import COUPLING_DAYS, NORM_DAYS

router = APIRouter(prefix="/municipality/{code}", route_class=PageRoute, dependencies=[Depends(check_csrf)])

CodeDep = Annotated[str, CodePath]
Count = Annotated[int | None, Query(ge=0, le=1_000_000)]
HOME_FIELDS = ("reference", "kind", "capacity", "min_occupancy", "accessible", "available_from")


def _visible(page: Page, code: str):
    """The municipality and its quota state, if this session may see it (else 404)."""
    return municipality_service.get_municipality(page.session, page.signed_in_actor, code)


def _own(page: Page, code: str) -> None:
    """Only the municipality itself changes its homes: another one is a 404, a planner a 403."""
    _visible(page, code)
    if page.signed_in_actor.municipality != code:
        raise PageForbidden(page.t("only_municipality"))


def _viewer(page: Page, code: str) -> Actor:
    """Whose eyes the lists use: the municipality's own (a planner sees what it sees)."""
    actor = page.signed_in_actor
    return actor if actor.municipality == code else Actor(actor.token_id, actor.label, "municipality", code)


@router.get("", summary="A municipality's overview")
def municipality_overview(page: SignedInDep, code: CodeDep) -> Response:
    municipality, state = _visible(page, code)
    viewer = _viewer(page, code)
    homes = {s.value: home_service.list_homes(page.session, page.signed_in_actor, code, s.value, limit=1)[1] for s in HomeStatus}
    households = {state_: household_service.list_households(page.session, viewer, state_, limit=1)[1]
                  for state_ in ("waiting", "coupled", "moving_in", "temporary", "housed")}
    p = state.persons
    return page.render("municipality/overview.html", m=municipality, state=state, homes=homes, households=households,
                       target=p.taakstelling + p.redistributed + p.backlog)


# --- homes ------------------------------------------------------------------------------------

def _homes_page(page: Page, code: str, status: int = 200, form: dict[str, Any] | None = None,
                form_errors: dict[str, list[str]] | None = None, upload_errors: list[FieldError] | None = None,
                notice: str | None = None, offset: int = 0) -> Response:
    """The homes, :data:`PAGE_SIZE` at a time from ``offset`` (a pager when there are more)."""
    municipality, _ = _visible(page, code)
    homes, total = home_service.list_homes(page.session, page.signed_in_actor, code, limit=PAGE_SIZE, offset=offset)
    taken = home_service.occupied(page.session, [h.id for h in homes])
    return page.render("municipality/homes.html", status, m=municipality, homes=homes, total=total, taken=taken,
                       offset=offset, page_size=PAGE_SIZE,
                       kinds=[k.value for k in HomeKind], form=form or {"kind": "regular", "capacity": "", "min_occupancy": "1"},
                       form_errors=form_errors or {}, upload_errors=upload_errors or [], notice=notice,
                       own=page.signed_in_actor.municipality == code,
                       upload_bounds={"rows": csvio.MAX_ROWS, "columns": csvio.MAX_COLUMNS, "cell": csvio.MAX_CELL})


@router.get("/homes", summary="A municipality's homes")
def homes_page(page: SignedInDep, code: CodeDep, done: Annotated[str | None, Query(max_length=20)] = None,
               created: Count = None, updated: Count = None, withdrawn: Count = None, unchanged: Count = None,
               offset: Offset = 0) -> Response:
    notice = None
    if done == "uploaded":
        notice = page.t("done_uploaded", created=created or 0, updated=updated or 0, withdrawn=withdrawn or 0,
                        unchanged=unchanged or 0)
    elif done in ("added", "changed", "withdrawn", "unchanged"):
        notice = page.t(f"done_home_{done}")
    return _homes_page(page, code, notice=notice, offset=offset)


def _home_values(reference: str, kind: str, capacity: str, min_occupancy: str, accessible: str | None,
                 available_from: str) -> dict[str, Any]:
    return {"reference": reference.strip(), "kind": kind, "capacity": capacity.strip(),
            "min_occupancy": min_occupancy.strip() or "1", "accessible": bool(accessible),
            "available_from": available_from.strip()}


def _field_errors(exc: ValidationError | Invalid, lang: str) -> dict[str, list[str]]:
    """Messages per form field (``""``: about the whole form)."""
    out: dict[str, list[str]] = {}
    for error in field_errors(exc):
        name = next((str(p) for p in reversed(error.loc) if isinstance(p, str)), "")
        out.setdefault(name if name in HOME_FIELDS else "", []).append(error.text(lang))
    return out


Text = Annotated[str, Form(max_length=200)]


@router.post("/homes", summary="Offer a home")
def add_home(page: SignedInDep, code: CodeDep, reference: Text = "", kind: Text = "regular", capacity: Text = "",
             min_occupancy: Text = "1", accessible: Annotated[str | None, Form(max_length=10)] = None,
             available_from: Text = "") -> Response:
    _own(page, code)
    values = _home_values(reference, kind, capacity, min_occupancy, accessible, available_from)
    try:
        home, created = home_service.create_home(page.session, page.signed_in_actor, HomeIn.model_validate(values))
    except (ValidationError, Invalid) as exc:
        page.session.rollback()
        return _homes_page(page, code, 422, values, _field_errors(exc, page.lang))
    except Conflict as exc:
        page.session.rollback()
        return _homes_page(page, code, 409, values, {"reference": [exc.text(page.lang)]})
    return page.redirect(f"{UI}/municipality/{code}/homes", done="added" if created else "unchanged")


@router.post("/homes/upload", summary="Offer, change or withdraw homes by CSV")
def upload_homes(page: SignedInDep, code: CodeDep, file: UploadFile) -> Response:
    """All rows or none: a file with a bad row saves nothing and lists every bad row."""
    _own(page, code)
    try:
        content = read_upload(file, page.request.app.state.settings.max_upload_bytes)
        result = home_service.upload_homes(page.session, page.signed_in_actor, content)
    except Invalid as exc:
        page.session.rollback()
        return _homes_page(page, code, 422, upload_errors=exc.errors)
    except Conflict as exc:
        page.session.rollback()
        return _homes_page(page, code, 409, upload_errors=[FieldError(("file",), exc.code, exc.values)])
    return page.redirect(f"{UI}/municipality/{code}/homes", done="uploaded", created=result.created,
                         updated=result.updated, withdrawn=result.withdrawn, unchanged=result.unchanged)


def _home(page: Page, code: str, home_id: int):
    home = home_service.get_home(page.session, page.signed_in_actor, home_id)
    if home.municipality_code != code:
        raise NotFound("no_home", home=home_id)
    return home


def _edit_page(page: Page, code: str, home, status: int = 200, form: dict[str, Any] | None = None,
               form_errors: dict[str, list[str]] | None = None) -> Response:
    municipality, _ = _visible(page, code)
    values = form or {name: getattr(home, name) for name in HOME_FIELDS}
    return page.render("municipality/home_edit.html", status, m=municipality, home=home, form=values,
                       form_errors=form_errors or {}, kinds=[k.value for k in HomeKind], own=page.signed_in_actor.municipality == code)


@router.get("/homes/{home_id}", summary="One home, to change or withdraw")
def home_page(page: SignedInDep, code: CodeDep, home_id: Annotated[int, IdPath]) -> Response:
    _visible(page, code)
    return _edit_page(page, code, _home(page, code, home_id))


@router.post("/homes/{home_id}", summary="Change a home")
def change_home(page: SignedInDep, code: CodeDep, home_id: Annotated[int, IdPath], kind: Text = "regular",
                capacity: Text = "", min_occupancy: Text = "1", accessible: Annotated[str | None, Form(max_length=10)] = None,
                available_from: Text = "") -> Response:
    _own(page, code)
    home = _home(page, code, home_id)
    values = _home_values(home.reference, kind, capacity, min_occupancy, accessible, available_from)
    try:
        wanted = HomeIn.model_validate(values)
        changes = {name: getattr(wanted, name) for name in HOME_FIELDS[1:]
                   if getattr(wanted, name) != (HomeKind(home.kind) if name == "kind" else getattr(home, name))}
        if not changes:
            return page.redirect(f"{UI}/municipality/{code}/homes", done="unchanged")
        home_service.update_home(page.session, page.signed_in_actor, home_id, HomePatch.model_validate(changes))
    except (ValidationError, Invalid) as exc:
        page.session.rollback()
        return _edit_page(page, code, _home(page, code, home_id), 422, values, _field_errors(exc, page.lang))
    except Conflict as exc:
        page.session.rollback()
        return _edit_page(page, code, _home(page, code, home_id), 409, values, {"": [exc.text(page.lang)]})
    return page.redirect(f"{UI}/municipality/{code}/homes", done="changed")


@router.post("/homes/{home_id}/withdraw", summary="Withdraw a home")
def withdraw_home(page: SignedInDep, code: CodeDep, home_id: Annotated[int, IdPath]) -> Response:
    _own(page, code)
    _home(page, code, home_id)
    home_service.withdraw_home(page.session, page.signed_in_actor, home_id)  # an allocated home: 409 page
    return page.redirect(f"{UI}/municipality/{code}/homes", done="withdrawn")


# --- households -------------------------------------------------------------------------------

def _households_page(page: Page, code: str, state: str | None = None, offset: int = 0, status: int = 200,
                     notice: str | None = None, errors: list[str] | None = None, sort: str = "household",
                     error_title: str = "move_in_not_recorded") -> Response:
    """The households, with their deadlines today, by id or by urgency (``sort``)."""
    municipality, _ = _visible(page, code)
    viewer = _viewer(page, code)
    rows, total = household_service.list_households(page.session, viewer, state or None, limit=PAGE_SIZE, offset=offset,
                                                    sort=sort)
    today = dt.date.today()
    ids = [h.household_id for h in rows]
    proposed = household_service.proposed_lines(page.session, viewer, ids)
    move_ins = move_in_service.pending_by_household(page.session, ids)
    asked = recoupling_service.open_by_household(page.session, ids)
    swaps = exchange_service.pending_by_household(page.session, ids)
    homes = references(page.session, [h.home_id for h in rows] + [p.home_id for ps in proposed.values() for p in ps])
    checks = {h.household_id: arrival_service.housing_check(page.session, viewer, h) for h in rows}
    return page.render("municipality/households.html", status, m=municipality, rows=rows, total=total,
                       proposed=proposed, move_ins=move_ins, homes=homes, state=state or "", offset=offset, page_size=PAGE_SIZE,
                       notice=notice, errors=errors or [], own=page.signed_in_actor.municipality == code,
                       deadlines={h.household_id: deadlines.of(h, today) for h in rows}, sort=sort, recouplings=asked, exchanges=swaps,
                       sorts=household_service.SORTS, error_title=error_title, checks=checks, coupling_days=COUPLING_DAYS, norm_days=NORM_DAYS)


@router.get("/households", summary="Households coupled, housed or proposed to the municipality")
def households_page(page: SignedInDep, code: CodeDep,
                    state: Annotated[str | None, Query(pattern="^(waiting|coupled|moving_in|temporary|housed)?$")] = None,
                    done: Annotated[str | None, Query(pattern="^(move_in_confirmed|move_in_fell_through|recoupling_requested|arrival_recorded)?$")] = None,
                    offset: Offset = 0, sort: Annotated[str, Query(pattern="^(household|urgency)$")] = "household") -> Response:
    return _households_page(page, code, state, offset, notice=page.t(f"done_{done}") if done else None, sort=sort)


@router.post("/move-ins/{move_in_id}/confirm", summary="Confirm a household's move-in")
def confirm_move_in(page: SignedInDep, code: CodeDep, move_in_id: Annotated[int, IdPath],
                    date: Annotated[str, Form(max_length=20)] = "") -> Response:
    """The household moved in on ``date``; a bad date shows the households page again with why (422)."""
    _own(page, code)
    try:
        day = MoveInConfirmIn.model_validate({"date": date.strip()}).date
        move_in_service.confirm(page.session, page.signed_in_actor, move_in_id, day)
    except (ValidationError, Invalid) as exc:
        page.session.rollback()
        return _households_page(page, code, status=422, errors=_messages(exc, page.lang))
    return page.redirect(f"{UI}/municipality/{code}/households", done="move_in_confirmed")


@router.post("/move-ins/{move_in_id}/fell-through", summary="Report that a household's move-in fell through")
def move_in_fell_through(page: SignedInDep, code: CodeDep, move_in_id: Annotated[int, IdPath],
                         reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    """The household refused the home, for ``reason`` (required: a 422 page without it)."""
    _own(page, code)
    try:
        why = MoveInFellThroughIn.model_validate({"reason": reason.strip()}).reason
        move_in_service.fall_through(page.session, page.signed_in_actor, move_in_id, why)
    except (ValidationError, Invalid) as exc:
        page.session.rollback()
        return _households_page(page, code, status=422, errors=_messages(exc, page.lang))
    return page.redirect(f"{UI}/municipality/{code}/households", done="move_in_fell_through")


@router.post("/households/{household_id}/arrivals", summary="Record family members who joined a household")
def record_arrival(page: SignedInDep, code: CodeDep, household_id: Annotated[str, HouseholdPath],
                   persons: Annotated[str, Form(max_length=20)] = "", date: Annotated[str, Form(max_length=20)] = "") -> Response:
    """The household grows (:mod:`api.services.arrivals`); a bad form shows the households page
    again with why (422), a household not coupled to the municipality is a 403 page."""
    _own(page, code)
    try:
        body = ArrivalIn.model_validate({"persons": persons.strip(), "date": date.strip()})
        arrival_service.record(page.session, page.signed_in_actor, household_id, arrival_service.ArrivalData(
            persons=body.persons, date=body.date))
    except (ValidationError, Invalid) as exc:
        page.session.rollback()
        return _households_page(page, code, status=422, errors=_messages(exc, page.lang), error_title="arrival_not_recorded")
    return page.redirect(f"{UI}/municipality/{code}/households", done="arrival_recorded")


@router.post("/recouplings", summary="Ask to re-couple a household coupled to the municipality")
def ask_recoupling(page: SignedInDep, code: CodeDep, household_id: Annotated[str, Form(max_length=64)] = "",
                   reason: Annotated[str, Form(max_length=500)] = "",
                   to_municipality: Annotated[str, Form(max_length=20)] = "") -> Response:
    """COA decides on it (:mod:`api.services.recouplings`); a bad form or a household that cannot
    be asked for shows the households page again with why (422, 409)."""
    _own(page, code)
    try:
        wanted = {"household_id": household_id.strip(), "reason": reason.strip(),
                  "to_municipality": to_municipality.strip().upper() or None}
        body = RecouplingIn.model_validate({k: v for k, v in wanted.items() if v != ""})  # a blank field is missing
        recoupling_service.request(page.session, page.signed_in_actor, body)
    except (ValidationError, Invalid) as exc:
        page.session.rollback()
        return _households_page(page, code, status=422, errors=_messages(exc, page.lang),
                                error_title="recoupling_not_recorded")
    except Conflict as exc:
        page.session.rollback()
        return _households_page(page, code, status=409, errors=[exc.text(page.lang)], error_title="recoupling_not_recorded")
    return page.redirect(f"{UI}/municipality/{code}/households", done="recoupling_requested")


# --- exchanges of status holders ----------------------------------------------------------------

def _exchanges_page(page: Page, code: str, status: str | None = None, offset: int = 0, http: int = 200,
                    notice: str | None = None, errors: list[str] | None = None,
                    form: dict[str, str] | None = None) -> Response:
    municipality, _ = _visible(page, code)
    viewer = _viewer(page, code)
    own = page.signed_in_actor.municipality == code
    candidates: list[str] = []
    if own:  # the households it may offer: coupled to it, in no open request
        coupled, _ = household_service.list_households(page.session, viewer, "coupled", limit=PAGE_SIZE)
        ids = [h.household_id for h in coupled]
        busy = set(recoupling_service.open_by_household(page.session, ids)) | set(
            exchange_service.pending_by_household(page.session, ids))
        candidates = [key for key in ids if key not in busy]
    return page.render("municipality/exchanges.html", http, m=municipality, own=own, notice=notice, errors=errors or [],
                       form=form or {}, candidates=candidates, **exchange_rows(page, status, offset, actor=viewer))


@router.get("/exchanges", summary="The municipality's exchanges of status holders")
def exchanges_page(page: SignedInDep, code: CodeDep,
                   status: Annotated[str | None, Query(pattern="^(pending|approved|declined)?$")] = None,
                   done: Annotated[str | None, Query(pattern="^(exchange_requested)?$")] = None,
                   household: Annotated[str | None, Query(max_length=64, pattern=r"^([A-Za-z0-9][A-Za-z0-9._-]*)?$")] = None,
                   offset: Offset = 0) -> Response:
    """The exchanges involving the municipality, newest first, and (its own session) a form to
    ask for one; ``household`` fills in its household."""
    return _exchanges_page(page, code, status or None, offset, notice=page.t(f"done_{done}") if done else None,
                           form={"household_a": household or ""})


@router.post("/exchanges", summary="Ask to exchange a household with another municipality's")
def ask_exchange(page: SignedInDep, code: CodeDep, household_a: Annotated[str, Form(max_length=64)] = "",
                 household_b: Annotated[str, Form(max_length=64)] = "",
                 reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    """COA decides on it (:mod:`api.services.exchanges`); a bad form, or households that cannot
    be exchanged, show the page again with why (422, 409; 404 when neither is the municipality's)."""
    _own(page, code)
    form = {"household_a": household_a.strip(), "household_b": household_b.strip(), "reason": reason.strip()}
    try:
        body = ExchangeIn.model_validate({k: v for k, v in form.items() if v != ""})  # a blank field is missing
        exchange_service.request(page.session, page.signed_in_actor, body)
    except (ValidationError, Invalid) as exc:
        page.session.rollback()
        return _exchanges_page(page, code, http=422, errors=located(page, exc), form=form)
    except (Conflict, NotFound) as exc:
        page.session.rollback()
        return _exchanges_page(page, code, http=409 if isinstance(exc, Conflict) else 404, errors=[exc.text(page.lang)],
                               form=form)
    return page.redirect(f"{UI}/municipality/{code}/exchanges", done="exchange_requested")


def _messages(exc: ValidationError | Invalid, lang: str) -> list[str]:
    """Each problem named by its field (``datum: ...``), where it has one."""
    return [f"{messages.location(lang, e.loc)}: {e.text(lang)}" if e.loc else e.text(lang) for e in field_errors(exc)]
