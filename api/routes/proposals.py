"""Proposal jobs (COA): ask (202 + job id), poll, read the lines, decide them, export."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from api import mapping
from api.deps import ApiRoute, CoaDep, LangDep, MunicipalityDep, SessionDep, SettingsDep
from api.routes import CONFLICT, IdPath, Limit, Offset
from api.schemas import (
    MAX_INT,
    BanList,
    Code,
    Decision,
    DecisionIn,
    HouseholdKey,
    JobIn,
    JobList,
    JobOut,
    JobStatus,
    LineList,
    LineOut,
    ProposedLineList,
    ProposedLineOut,
)
from api.services import exports
from api.services import jobs as job_service
from api.services import proposals as service
from api.services.reasons import home_references

router = APIRouter(tags=["proposals"], route_class=ApiRoute)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _job_out(session, job) -> JobOut:
    return mapping.job_out(job, service.line_counts(session, [job.id])[job.id])


@router.post("/proposals", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED, summary="Ask for a proposal",
             responses={200: {"model": JobOut, "description": "This reference already names this same request"}, **CONFLICT})
def create_job(actor: CoaDep, session: SessionDep, settings: SettingsDep, body: JobIn, request: Request,
               response: Response) -> JobOut:
    """Queues a job and answers at once (202, ``Location`` the job); poll it with GET.  The worker
    solves on the households, homes, quota and bans in the database when it starts."""
    job, created = job_service.create_job(session, actor, body, settings)
    response.headers["Location"] = mapping.job_links(job.id)["self"]
    if created:
        request.app.state.worker.wake()
    else:
        response.status_code = status.HTTP_200_OK
    return _job_out(session, job)


@router.get("/proposals", response_model=JobList, summary="Proposal jobs, newest first")
def list_jobs(actor: CoaDep, session: SessionDep, status_: Annotated[JobStatus | None, Query(alias="status")] = None,
              limit: Annotated[int, Limit] = 100, offset: Annotated[int, Offset] = 0) -> JobList:
    jobs, total = job_service.list_jobs(session, status_.value if status_ else None, limit, offset)
    counts = service.line_counts(session, [j.id for j in jobs])
    return JobList(items=[mapping.job_out(j, counts[j.id]) for j in jobs], total=total)


@router.get("/proposals/{job_id}", response_model=JobOut, summary="Poll a proposal job")
def get_job(actor: CoaDep, session: SessionDep, job_id: Annotated[int, IdPath]) -> JobOut:
    return _job_out(session, job_service.get_job(session, job_id))


@router.get("/proposals/{job_id}/lines", response_model=LineList, summary="The lines of a proposal")
def list_lines(actor: CoaDep, session: SessionDep, job_id: Annotated[int, IdPath], lang: LangDep,
               action: Annotated[str | None, Query(pattern="^(house|couple|wait)$")] = None,
               decision: Annotated[Decision | None, Query()] = None, municipality: Annotated[Code | None, Query()] = None,
               household_id: Annotated[HouseholdKey | None, Query()] = None,
               limit: Annotated[int, Limit] = 100, offset: Annotated[int, Offset] = 0) -> LineList:
    """Each line's reason in the reader's language (``lang``, else ``Accept-Language``, else Dutch)."""
    lines, total = service.list_lines(session, job_id, action, decision.value if decision else None, municipality,
                                      household_id, limit, offset)
    references = home_references(session, lines)
    return LineList(items=[mapping.line_out(line, lang, references) for line in lines], total=total)


@router.put("/proposals/{job_id}/lines/{line_id}/decision", response_model=LineOut, summary="Accept or refuse a line",
            responses=CONFLICT)
def decide(actor: CoaDep, session: SessionDep, job_id: Annotated[int, IdPath], line_id: Annotated[int, IdPath],
           body: DecisionIn, lang: LangDep) -> LineOut:
    """Accept: the household is coupled (or housed, and the home allocated) and the quota
    updated.  Refuse: a ban the engine keeps in later runs.  The same decision again changes
    nothing; the other one is a 409."""
    line = service.decide(session, actor, job_id, line_id, body)
    return mapping.line_out(line, lang, home_references(session, [line]))


CsvDialect = Annotated[Literal["comma", "nl"], Query(
    description="comma: comma-separated UTF-8 with . decimals (default); nl: the Dutch CSV, semicolon-separated "
                "UTF-8 with a byte-order mark and decimal commas. Dates are ISO in both.")]


@router.get("/proposals/{job_id}/export.csv", summary="The proposal with its decisions, as CSV", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **CONFLICT})
def export_csv(actor: CoaDep, session: SessionDep, job_id: Annotated[int, IdPath], lang: LangDep,
               dialect: CsvDialect = "comma") -> Response:
    suffix = "-nl" if dialect == "nl" else ""
    return Response(exports.export_csv(session, job_id, lang, dialect), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="proposal-{job_id}{suffix}.csv"'})


@router.get("/proposals/{job_id}/export.xlsx", summary="The proposal with its decisions, as XLSX (dates shown as Dutch dates)",
            response_class=Response,
            responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}, **CONFLICT})
def export_xlsx(actor: CoaDep, session: SessionDep, job_id: Annotated[int, IdPath], lang: LangDep) -> Response:
    return Response(exports.export_xlsx(session, job_id, lang), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="proposal-{job_id}.xlsx"'})


@router.get("/bans", response_model=BanList, summary="Bans from refused lines")
def list_bans(actor: CoaDep, session: SessionDep, household_id: Annotated[HouseholdKey | None, Query()] = None,
              limit: Annotated[int, Limit] = 100, offset: Annotated[int, Offset] = 0) -> BanList:
    bans, total = service.list_bans(session, household_id, limit, offset)
    return BanList(items=[mapping.ban_out(b) for b in bans], total=total)


@router.get("/proposed-lines", response_model=ProposedLineList,
            summary="Households proposed to this municipality (municipality)")
def list_proposed_lines(actor: MunicipalityDep, session: SessionDep,
                        job_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
                        decision: Annotated[Literal["pending", "accepted"] | None, Query()] = None,
                        limit: Annotated[int, Limit] = 100, offset: Annotated[int, Offset] = 0) -> ProposedLineList:
    """The lines of finished proposals that place a household in the caller's municipality and
    that COA accepted or may still accept, newest proposal first: the household's pseudonymous
    id, size, composition, needs and dates, and the proposed home (its own).  Refused lines,
    lines made stale by a decision elsewhere, and other municipalities' lines are not shown."""
    rows, total = service.list_proposed(session, actor, job_id, decision, limit, offset)
    return ProposedLineList(items=[mapping.proposed_line_out(row) for row in rows], total=total)


@router.get("/proposed-lines/{line_id}", response_model=ProposedLineOut,
            summary="One household proposed to this municipality (municipality)")
def get_proposed_line(actor: MunicipalityDep, session: SessionDep, line_id: Annotated[int, IdPath]) -> ProposedLineOut:
    """Any line not listed by ``GET /proposed-lines`` for this municipality is a 404."""
    return mapping.proposed_line_out(service.get_proposed(session, actor, line_id))
