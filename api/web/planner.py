"""The planner's pages (role ``coa``): who is waiting, the households and their deadlines, the
quota state as a table and a map, proposals (start, follow, review, lock, decide, export), the
locks, the re-coupling requests and the exchanges of status holders (approve, decline), and the
audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query
from pydantic import ValidationError
from sqlalchemy import select
from starlette.responses import JSONResponse, Response

from api import audit, messages
from api.engine import POLICIES
from api.models import Household
from api.routes import IdPath
from api.routes.proposals import XLSX, CsvDialect
from api.schemas import (
    ArrivalIn,
    DecisionIn,
    ExchangeDecisionIn,
    ExchangeDeclineIn,
    JobIn,
    LockIn,
    RecouplingDecisionIn,
    RecouplingDeclineIn,
    SolverName,
)
from api.services import arrivals as arrival_service
from api.services import deadlines, exports, locks, overview
from api.services import exchanges as exchange_service
from api.services import households as household_service
from api.services import jobs as job_service
from api.services import proposals as service
from api.services import recouplings as recoupling_service
from api.services.errors import Conflict, Invalid
from api.services.reasons import home_references, line_reason
from api.web.pages import UI, CoaPageDep, Page, PageRoute, check_csrf, field_errors, local_path
from api.web.signals import newest
from api.web.svgmap import BANDS, dots, size
from matcher.models import Params
from matcher.models.params import COUPLING_DAYS, NORM_DAYS

router = APIRouter(prefix="/planner", route_class=PageRoute, dependencies=[Depends(check_csrf)])

PAGE_SIZE = 100
Code = Annotated[str | None, Query(pattern=r"^(GM[0-9]{4})?$")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
HouseholdPath = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _blank(value: str | None) -> str | None:
    return value or None


@router.get("", summary="Planner overview")
def planner_overview(page: CoaPageDep, on: Annotated[dt.date | None, Query()] = None) -> Response:
    """Who is waiting (by province, overdue past the norm on ``on``, default today), the quota
    state by province, and the map."""
    on = on or dt.date.today()
    params = Params(as_of=on)
    waiting, waiting_rows = overview.waiting_by_province(page.session, on, params)
    quota = overview.quota_overview(page.session)
    jobs, _ = job_service.list_jobs(page.session, limit=5)
    signals, more_signals = newest(page, on)
    width, height = size()
    return page.render("planner/overview.html", on=on, waiting=waiting, waiting_rows=waiting_rows, quota=quota,
                       dots=dots(quota.municipalities), width=width, height=height, bands=[b for _, b in BANDS],
                       jobs=jobs, counts=service.line_counts(page.session, [j.id for j in jobs]),
                       norm=params.norm_days, coupling_days=params.coupling_days, signals=signals,
                       more_signals=more_signals is not None)


def _households_page(page: Page, state: str | None = None, sort: str = "urgency", offset: int = 0, code: int = 200,
                     notice: str | None = None, errors: list[str] | None = None) -> Response:
    rows, total = household_service.list_households(page.session, page.signed_in_actor, _blank(state), limit=PAGE_SIZE,
                                                    offset=offset, sort=sort)
    today = dt.date.today()
    checks = {h.household_id: arrival_service.housing_check(page.session, page.signed_in_actor, h) for h in rows}
    return page.render("planner/households.html", code, rows=rows, total=total, state=state or "", sort=sort,
                       checks=checks, notice=notice, errors=errors or [],
                       sorts=household_service.SORTS, offset=offset, page_size=PAGE_SIZE,
                       deadlines={h.household_id: deadlines.of(h, today) for h in rows},
                       names=overview.municipality_names(page.session, sorted({h.municipality_code for h in rows
                                                                               if h.municipality_code})),
                       coupling_days=COUPLING_DAYS, norm_days=NORM_DAYS)


@router.get("/households", summary="Households and their deadlines")
def households_page(page: CoaPageDep, state: Annotated[str | None, Query(pattern="^(waiting|coupled|moving_in|temporary|housed)?$")] = None,
                    sort: Annotated[str, Query(pattern="^(household|urgency)$")] = "urgency",
                    done: Annotated[str | None, Query(pattern="^(arrival_recorded)?$")] = None,
                    offset: Offset = 0) -> Response:
    """Every household with COA's coupling deadline and the municipality's housing deadline today,
    the most urgent first (or by id), its housing check, and a form to record family members
    who arrived (COA records them for any household, one still in reception too)."""
    return _households_page(page, state, sort, offset, notice=page.t("done_arrival_grown") if done else None)


@router.post("/households/{household_id}/arrivals", summary="Record family members who joined a household")
def record_arrival(page: CoaPageDep, household_id: Annotated[str, HouseholdPath],
                   persons: Annotated[str, Form(max_length=20)] = "", date: Annotated[str, Form(max_length=20)] = "") -> Response:
    """The household grows (:mod:`api.services.arrivals`); a bad form shows the page again with
    why, naming the field (422); an unknown household is a 404 page."""
    try:
        body = ArrivalIn.model_validate({"persons": persons.strip(), "date": date.strip()})
        arrival_service.record(page.session, page.signed_in_actor, household_id,
                               arrival_service.ArrivalData(persons=body.persons, date=body.date))
    except (ValidationError, Invalid) as exc:
        page.session.rollback()
        return _households_page(page, code=422, errors=[page.t("arrival_error", household=household_id, message=m)
                                                        for m in located(page, exc)])
    return page.redirect(f"{UI}/planner/households", done="arrival_recorded")


def _recouplings_page(page: Page, status: str | None = None, offset: int = 0, code: int = 200,
                      notice: str | None = None, errors: list[str] | None = None) -> Response:
    rows, total = recoupling_service.list_recouplings(page.session, page.signed_in_actor, status, limit=PAGE_SIZE,
                                                      offset=offset)
    codes = sorted({c for r in rows for c in (r.from_municipality, r.to_municipality) if c})
    return page.render("planner/recouplings.html", code, rows=rows, total=total, wanted=status or "", offset=offset,
                       page_size=PAGE_SIZE, names=overview.municipality_names(page.session, codes), notice=notice,
                       errors=errors or [])


@router.get("/recouplings", summary="Re-coupling requests")
def recouplings_page(page: CoaPageDep,
                     status: Annotated[str | None, Query(pattern="^(pending|approved|declined|done)?$")] = None,
                     done: Annotated[str | None, Query(pattern="^(recoupling_approved|recoupling_declined)?$")] = None,
                     offset: Offset = 0) -> Response:
    """The requests, newest first, each pending one with a form to approve or decline it."""
    return _recouplings_page(page, _blank(status), offset, notice=page.t(f"done_{done}") if done else None)


def _decide_recoupling(page: Page, recoupling_id: int, wanted: str, reason: str) -> Response:
    try:
        if wanted == "approve":
            body = RecouplingDecisionIn.model_validate({"reason": reason.strip() or None})
            recoupling_service.approve(page.session, page.signed_in_actor, recoupling_id, body.reason)
        else:
            why = RecouplingDeclineIn.model_validate({"reason": reason.strip()} if reason.strip() else {}).reason  # none: "missing"
            recoupling_service.decline(page.session, page.signed_in_actor, recoupling_id, why)
    except ValidationError as exc:
        return _recouplings_page(page, code=422, errors=[page.t("recoupling_error", id=recoupling_id, message=m)
                                                         for m in page.plain(exc)])
    except Conflict as exc:
        page.session.rollback()
        return _recouplings_page(page, code=409, errors=[page.t("recoupling_error", id=recoupling_id,
                                                                message=exc.text(page.lang))])
    return page.redirect(f"{UI}/planner/recouplings", done=f"recoupling_{wanted}d")


@router.post("/recouplings/{recoupling_id}/approve", summary="Approve a re-coupling request")
def approve_recoupling(page: CoaPageDep, recoupling_id: Annotated[int, IdPath],
                       reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    return _decide_recoupling(page, recoupling_id, "approve", reason)


@router.post("/recouplings/{recoupling_id}/decline", summary="Decline a re-coupling request")
def decline_recoupling(page: CoaPageDep, recoupling_id: Annotated[int, IdPath],
                       reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    """A reason is required: without one the page says so (422)."""
    return _decide_recoupling(page, recoupling_id, "decline", reason)


def exchange_rows(page: Page, status: str | None, offset: int, actor=None) -> dict:
    """What the exchanges table shows (planner's and municipality's page): the exchanges, the
    municipalities' names, and for COA the households (their persons and what the swap moves)."""
    rows, total = exchange_service.list_exchanges(page.session, actor or page.signed_in_actor, status,
                                                  limit=PAGE_SIZE, offset=offset)
    codes = sorted({c for e in rows for c in (e.municipality_a, e.municipality_b)})
    sizes: dict[str, int] = {}
    if (actor or page.signed_in_actor).is_coa and rows:
        ids = sorted({h for e in rows for h in (e.household_a, e.household_b)})
        sizes = {key: n for key, n in page.session.execute(
            select(Household.household_id, Household.size).where(Household.household_id.in_(ids)))}
    return {"rows": rows, "total": total, "names": overview.municipality_names(page.session, codes), "sizes": sizes,
            "wanted": status or "", "offset": offset, "page_size": PAGE_SIZE}


def located(page: Page, exc: ValidationError | Invalid) -> list[str]:
    """Each problem, named by its field where it has one (a rule across fields has none)."""
    return [f"{messages.location(page.lang, e.loc)}: {e.text(page.lang)}" if e.loc else e.text(page.lang)
            for e in field_errors(exc)]


def _exchanges_page(page: Page, status: str | None = None, offset: int = 0, code: int = 200,
                    notice: str | None = None, errors: list[str] | None = None) -> Response:
    return page.render("planner/exchanges.html", code, notice=notice, errors=errors or [],
                       **exchange_rows(page, status, offset))


@router.get("/exchanges", summary="Exchanges of status holders")
def exchanges_page(page: CoaPageDep, status: Annotated[str | None, Query(pattern="^(pending|approved|declined)?$")] = None,
                   done: Annotated[str | None, Query(pattern="^(exchange_approved|exchange_declined)?$")] = None,
                   offset: Offset = 0) -> Response:
    """The exchanges, newest first, each pending one with a form to approve or decline it."""
    return _exchanges_page(page, _blank(status), offset, notice=page.t(f"done_{done}") if done else None)


def _decide_exchange(page: Page, exchange_id: int, wanted: str, reason: str, over_quota: bool = False) -> Response:
    try:
        if wanted == "approve":
            body = ExchangeDecisionIn.model_validate({"reason": reason.strip() or None, "over_quota": over_quota})
            exchange_service.approve(page.session, page.signed_in_actor, exchange_id, body.reason, body.over_quota)
        else:
            why = ExchangeDeclineIn.model_validate({"reason": reason.strip()} if reason.strip() else {}).reason
            exchange_service.decline(page.session, page.signed_in_actor, exchange_id, why)
    except ValidationError as exc:
        return _exchanges_page(page, code=422, errors=[page.t("exchange_error", id=exchange_id, message=m)
                                                       for m in located(page, exc)])
    except Conflict as exc:
        page.session.rollback()
        return _exchanges_page(page, code=409, errors=[page.t("exchange_error", id=exchange_id,
                                                              message=exc.text(page.lang))])
    return page.redirect(f"{UI}/planner/exchanges", done=f"exchange_{wanted}d")


@router.post("/exchanges/{exchange_id}/approve", summary="Approve an exchange: both households are re-coupled")
def approve_exchange(page: CoaPageDep, exchange_id: Annotated[int, IdPath],
                     reason: Annotated[str, Form(max_length=500)] = "",
                     over_quota: Annotated[str, Form(max_length=5, pattern="^(|on|1|true)$")] = "") -> Response:
    """``over_quota`` (a checkbox): approve although the municipality that gains persons has too
    little quota left; it needs a reason (422 without one)."""
    return _decide_exchange(page, exchange_id, "approve", reason, over_quota != "")


@router.post("/exchanges/{exchange_id}/decline", summary="Decline an exchange")
def decline_exchange(page: CoaPageDep, exchange_id: Annotated[int, IdPath],
                     reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    """A reason is required: without one the page says so (422)."""
    return _decide_exchange(page, exchange_id, "decline", reason)


@router.get("/municipalities", summary="Quota per municipality")
def municipality_table(page: CoaPageDep, province: Annotated[str | None, Query(max_length=100)] = None,
                       sort: Annotated[str, Query(pattern="^(code|name|remaining|attained)$")] = "code") -> Response:
    quota = overview.quota_overview(page.session, _blank(province))
    rows = [(m, s, overview.attainment(s)) for m, s in quota.municipalities]
    keys = {"code": lambda r: r[0].code, "name": lambda r: r[0].name,
            "remaining": lambda r: -r[1].persons.remaining, "attained": lambda r: (r[2] is None, r[2] or 0)}
    rows.sort(key=keys[sort])
    return page.render("planner/municipalities.html", quota=quota, rows=rows, province=province or "", sort=sort)


# --- proposals --------------------------------------------------------------------------------

def _jobs_page(page: Page, status: int = 200, errors: list[str] | None = None, form: dict | None = None,
               notice: str | None = None) -> Response:
    jobs, total = job_service.list_jobs(page.session, limit=50)
    active, locks_total = locks.list_locks(page.session, "active", limit=500)
    return page.render("planner/proposals.html", status, jobs=jobs, total=total,
                       counts=service.line_counts(page.session, [j.id for j in jobs]),
                       solvers=[s.value for s in SolverName], errors=errors or [], notice=notice,
                       locks=active, locks_total=locks_total,
                       names=overview.municipality_names(page.session, sorted({k.municipality_code for k in active
                                                                                if k.municipality_code})),
                       policies=POLICIES,
                       form=form or {"as_of": dt.date.today().isoformat(), "solver": "auto", "policy": "weekly",
                                     "time_limit": "", "max_km": "", "max_minutes": ""})


@router.get("/proposals", summary="Proposals")
def proposals(page: CoaPageDep, done: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """The proposals, a form to start one, and the active locks (each with a remove button)."""
    return _jobs_page(page, notice=page.t("done_unlocked") if done == "unlocked" else None)


@router.post("/proposals", summary="Start a proposal")
def start_proposal(page: CoaPageDep, as_of: Annotated[str, Form(max_length=20)] = "",
                   solver: Annotated[str, Form(max_length=20)] = "auto",
                   policy: Annotated[str, Form(max_length=20)] = "weekly",
                   time_limit: Annotated[str, Form(max_length=20)] = "",
                   max_km: Annotated[str, Form(max_length=20)] = "",
                   max_minutes: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Queue a job with the households, homes and quota in the database; follow it on its page.
    ``max_km`` and ``max_minutes`` left blank keep the contract's defaults (50 km; minutes alone
    make a minutes-only region)."""
    form = {"as_of": as_of, "solver": solver, "policy": policy, "time_limit": time_limit, "max_km": max_km,
            "max_minutes": max_minutes}
    params = {name: value.strip() for name, value in (("max_km", max_km), ("max_minutes", max_minutes),
                                                      ("policy", policy if policy != "weekly" else "")) if value.strip()}
    try:
        body = JobIn.model_validate({"as_of": as_of, "solver": solver or None, "params": params,
                                     **({"time_limit": time_limit} if time_limit.strip() else {})})
        job, created = job_service.create_job(page.session, page.signed_in_actor, body, page.request.app.state.settings)
    except ValidationError as exc:
        return _jobs_page(page, 422, page.located(exc), form)
    except Invalid as exc:
        return _jobs_page(page, 422, page.located(exc), form)
    if created:
        page.request.app.state.worker.wake()
    return page.redirect(f"{UI}/planner/proposals/{job.id}")


def _filter(municipality: str | None, action: str | None, decision: str | None, reason: str | None,
            sort: str) -> overview.LineFilter:
    return overview.LineFilter(_blank(municipality), _blank(action), _blank(decision), _blank(reason), sort)


def _review_page(page: Page, job_id: int, wanted: overview.LineFilter, offset: int = 0, status: int = 200,
                 notice: str | None = None, errors: list[str] | None = None) -> Response:
    job = job_service.get_job(page.session, job_id)
    lines, total = overview.review_lines(page.session, job_id, wanted, PAGE_SIZE, offset)
    codes, kinds = overview.line_choices(page.session, job_id)
    names = overview.municipality_names(page.session, codes)
    refs = home_references(page.session, lines)
    return page.render("planner/proposal.html", status, job=job, lines=lines, total=total, offset=offset,
                       reasons={line.id: line_reason(line, page.lang, refs) for line in lines},
                       homes={int(i): ref for i, ref in refs.items()},
                       deadlines=overview.line_deadlines(page.session, lines, dt.date.today()),
                       locked=locks.locked_lines(page.session, lines),
                       skipped=[{**k, "reason": messages.render_data(page.lang, k["reason_values"])
                                 if k.get("reason_values") else k.get("reason", "")}
                                for k in ((job.summary or {}).get("locks") or {}).get("skipped") or []],
                       job_error=messages.render_data(page.lang, job.error_values) if job.error_values else job.error,
                       page_size=PAGE_SIZE, wanted=wanted, codes=codes, kinds=kinds, names=names,
                       counts=service.line_counts(page.session, [job_id])[job_id], notice=notice, errors=errors or [],
                       running=job.status in ("queued", "running"), lookahead=_lookahead(page, job))


def _lookahead(page: Page, job) -> dict | None:
    """What a look-ahead job's page shows of its prices: the history they rest on, and the
    municipalities whose quota has a price, dearest first, with their names."""
    look = (job.summary or {}).get("lookahead")
    if not isinstance(look, dict):
        return None
    prices = {str(k): float(v) for k, v in (look.get("quota_prices") or {}).items()}
    priced = sorted(((code, price) for code, price in prices.items() if price > 0), key=lambda kv: (-kv[1], kv[0]))
    names = overview.municipality_names(page.session, [code for code, _ in priced])
    return {"weeks": int(look.get("history_weeks") or 0), "homes": int(look.get("homes_seen") or 0),
            "permits": int(look.get("permits_seen") or 0), "priced": priced, "names": names,
            "municipalities": len(prices)}


@router.get("/proposals/{job_id}", summary="Follow and review a proposal")
def review(page: CoaPageDep, job_id: Annotated[int, IdPath], municipality: Code = None,
           action: Annotated[str | None, Query(pattern="^(house|couple|wait)?$")] = None,
           decision: Annotated[str | None, Query(pattern="^(none|pending|accepted|refused)?$")] = None,
           reason: Annotated[str | None, Query(pattern="^[a-z_]*$", max_length=40)] = None,
           sort: Annotated[str, Query(pattern="^(overdue_desc|overdue_asc|line|urgency)$")] = "overdue_desc",
           offset: Offset = 0, done: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    notice = page.t(f"done_{done}") if done in ("decided", "accepted_all", "locked") else None
    return _review_page(page, job_id, _filter(municipality, action, decision, reason, sort), offset, notice=notice)


@router.get("/proposals/{job_id}/status", summary="A proposal's status (for the page's polling)")
def job_status(page: CoaPageDep, job_id: Annotated[int, IdPath]) -> JSONResponse:
    job = job_service.get_job(page.session, job_id)
    return JSONResponse({"status": job.status}, headers={"Cache-Control": "no-store"})


def _back(job_id: int, back: str) -> str:
    return local_path(back, f"{UI}/planner/proposals/{job_id}") if back.startswith(f"{UI}/planner/proposals/{job_id}") \
        else f"{UI}/planner/proposals/{job_id}"


@router.post("/proposals/{job_id}/lines/{line_id}", summary="Accept or refuse a line")
def decide(page: CoaPageDep, job_id: Annotated[int, IdPath], line_id: Annotated[int, IdPath], decision: Annotated[str, Form(max_length=10)] = "",
           reason: Annotated[str, Form(max_length=500)] = "", ban: Annotated[str, Form(max_length=20)] = "",
           back: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """One line: accept, or refuse with a reason (a ban on the home or the municipality)."""
    try:
        body = DecisionIn.model_validate({"decision": decision, "reason": reason.strip() or None, "ban": ban or None})
        service.decide(page.session, page.signed_in_actor, job_id, line_id, body)
    except ValidationError as exc:
        return _review_page(page, job_id, overview.LineFilter(), status=422,
                            errors=[page.t("line_error", line=line_id, message=m) for m in page.plain(exc)])
    except Invalid as exc:
        page.session.rollback()
        return _review_page(page, job_id, overview.LineFilter(), status=422,
                            errors=[page.t("line_error", line=line_id, message=m) for m in page.plain(exc)])
    except Conflict as exc:
        page.session.rollback()
        return _review_page(page, job_id, overview.LineFilter(), status=409,
                            errors=[page.t("line_error", line=line_id, message=exc.text(page.lang))])
    return page.redirect(_back(job_id, back) + _with_done(back, "decided"))


@router.post("/proposals/{job_id}/lines/{line_id}/lock", summary="Lock a line")
def lock_line(page: CoaPageDep, job_id: Annotated[int, IdPath], line_id: Annotated[int, IdPath],
              reason: Annotated[str, Form(max_length=500)] = "", back: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Lock one pending line (the line's reason field is the lock's note): every later proposal
    places its household there, until the lock ends (see :mod:`api.services.locks`).  Locking a
    line that is locked already changes nothing."""
    try:
        note = LockIn.model_validate({"note": reason.strip() or None})
        locks.lock_line(page.session, page.signed_in_actor, job_id, line_id, note)
    except ValidationError as exc:
        return _review_page(page, job_id, overview.LineFilter(), status=422,
                            errors=[page.t("line_error", line=line_id, message=m) for m in page.plain(exc)])
    except Conflict as exc:
        page.session.rollback()
        return _review_page(page, job_id, overview.LineFilter(), status=409,
                            errors=[page.t("line_error", line=line_id, message=exc.text(page.lang))])
    return page.redirect(_back(job_id, back) + _with_done(back, "locked"))


@router.post("/locks/{lock_id}/remove", summary="Remove a lock")
def remove_lock(page: CoaPageDep, lock_id: Annotated[int, IdPath]) -> Response:
    """End a lock; later proposals are free to place the household elsewhere."""
    locks.remove_lock(page.session, page.signed_in_actor, lock_id)
    return page.redirect(f"{UI}/planner/proposals", done="unlocked")


def _with_done(back: str, done: str) -> str:
    return ("&" if "?" in back else "?") + f"done={done}"


@router.post("/proposals/{job_id}/accept-all", summary="Accept every pending line shown")
def accept_all(page: CoaPageDep, job_id: Annotated[int, IdPath], municipality: Annotated[str, Form(max_length=6)] = "",
               action: Annotated[str, Form(max_length=10)] = "", reason: Annotated[str, Form(max_length=40)] = "",
               back: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Accept the pending lines that match the filters shown (all of them, page by page); lines
    that cannot be accepted any more are listed and left pending."""
    wanted = overview.LineFilter(_blank(municipality), _blank(action), "pending", _blank(reason), "line")
    lines, _ = overview.review_lines(page.session, job_id, wanted, limit=100_000)
    errors = []
    for line_id in [line.id for line in lines]:
        try:
            service.decide(page.session, page.signed_in_actor, job_id, line_id, DecisionIn(decision="accept"))
        except (Invalid, Conflict) as exc:
            page.session.rollback()
            errors.append(page.t("line_error", line=line_id, message=exc.text(page.lang)))
    if errors:
        return _review_page(page, job_id, overview.LineFilter(), status=409, errors=errors)
    return page.redirect(_back(job_id, back) + _with_done(back, "accepted_all"))


@router.get("/proposals/{job_id}/export.csv", summary="Export a proposal as CSV")
def export_csv(page: CoaPageDep, job_id: Annotated[int, IdPath], dialect: CsvDialect = "comma") -> Response:
    suffix = "-nl" if dialect == "nl" else ""
    return Response(exports.export_csv(page.session, job_id, page.lang, dialect), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="proposal-{job_id}{suffix}.csv"'})


@router.get("/proposals/{job_id}/export.xlsx", summary="Export a proposal as XLSX")
def export_xlsx(page: CoaPageDep, job_id: Annotated[int, IdPath]) -> Response:
    return Response(exports.export_xlsx(page.session, job_id, page.lang), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="proposal-{job_id}.xlsx"'})


@router.get("/audit", summary="The audit log")
def audit_log(page: CoaPageDep, action: Annotated[str | None, Query(pattern=r"^[a-z_.]*$", max_length=64)] = None,
              offset: Offset = 0) -> Response:
    events, total = audit.list_events(page.session, action=_blank(action), limit=PAGE_SIZE, offset=offset)
    return page.render("planner/audit.html", events=events, total=total, action=action or "", offset=offset,
                       page_size=PAGE_SIZE)
