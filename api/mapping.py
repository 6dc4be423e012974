"""From tables (and service results) to response bodies: the one place that decides what a
caller sees of each object."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from api import models
from api.schemas import (
    ArrivalOut,
    AuditOut,
    BanOut,
    DeadlineOut,
    DeadlinesOut,
    DeadlineStatus,
    ExchangeOut,
    ExchangeStatus,
    HomeOut,
    HouseholdOut,
    HousingCheckOut,
    JobOut,
    LineCounts,
    LineOut,
    LockOut,
    MoveInOut,
    MunicipalityOut,
    PeriodOut,
    ProposedLineOut,
    ProposedOut,
    QuotaOut,
    RecouplingOut,
    RecouplingStatus,
    RedistributionOut,
    utc,
)
from api.services import deadlines
from api.services.arrivals import HousingCheck
from api.services.deadlines import Deadline, Deadlines
from api.services.errors import Actor
from api.services.households import Proposed
from api.services.municipalities import QuotaFigures, QuotaState
from api.services.proposals import ProposedLine
from api.services.reasons import line_reason
from matcher.reasons import DEFAULT_LANG, Lang

API = "/api/v1"


def quota_out(f: QuotaFigures) -> QuotaOut:
    return QuotaOut(taakstelling=f.taakstelling, redistributed=f.redistributed, backlog=f.backlog,
                    realised=f.realised, coupled=f.coupled, remaining=f.remaining)


def municipality_out(m: models.Municipality, state: QuotaState) -> MunicipalityOut:
    return MunicipalityOut(code=m.code, name=m.name, province=m.province, inhabitants=m.inhabitants, lat=m.lat,
                           lon=m.lon, quota_executed_by=m.quota_executed_by, safety_region_code=m.safety_region_code,
                           safety_region=m.safety_region, period=state.period.name,
                           quota=quota_out(state.persons), amv=quota_out(state.amv))


def period_out(p: models.Period, current: bool, totals: tuple[int, int, int]) -> PeriodOut:
    return PeriodOut(id=p.id, name=p.name, starts_on=p.starts_on, ends_on=p.ends_on, current=current,
                     opened_at=utc(p.opened_at), taakstelling=totals[0], amv_taakstelling=totals[1], backlog=totals[2])


def redistribution_out(r: models.Redistribution, period: str) -> RedistributionOut:
    return RedistributionOut(id=r.id, reference=r.reference, period=period, from_municipality=r.from_code,
                             to_municipality=r.to_code, persons=r.persons, amv_persons=r.amv_persons, reason=r.reason,
                             created_at=utc(r.created_at))


def home_out(h: models.Home, occupied: int) -> HomeOut:
    return HomeOut(id=h.id, municipality=h.municipality_code, reference=h.reference, kind=h.kind, capacity=h.capacity,
                   min_occupancy=h.min_occupancy, accessible=h.accessible, available_from=h.available_from,
                   status=h.status, occupied=occupied, created_at=utc(h.created_at), updated_at=utc(h.updated_at),
                   withdrawn_at=utc(h.withdrawn_at))


def deadline_out(d: Deadline) -> DeadlineOut:
    return DeadlineOut(due=d.due, status=DeadlineStatus(d.status), days_left=d.days_left, done_on=d.done_on)


def deadlines_out(d: Deadlines) -> DeadlinesOut:
    return DeadlinesOut(coupling=deadline_out(d.coupling), housing=deadline_out(d.housing), next=d.next)


def household_out(h: models.Household, proposed: list[Proposed], actor: Actor, today: dt.date | None = None) -> HouseholdOut:
    """COA sees everything; a municipality not where the household waits nor its ties.  The
    deadlines are those of ``today`` (default: the date today)."""
    today = today or dt.date.today()
    until = deadlines.temporary_until(h)
    return HouseholdOut(
        household_id=h.household_id, size=h.size, adults=h.adults, children=h.children, amv=h.amv,
        needs_accessible=h.needs_accessible, expected_extra=h.expected_extra, expected_extra_date=h.expected_extra_date,
        document_ready=h.document_ready, permit_date=h.permit_date, state=h.state, municipality=h.municipality_code, coupling_date=h.coupling_date,
        home_id=h.home_id, housed_date=h.housed_date,
        temporary_home=h.temporary_home if until is not None else None, temporary_until=until,
        temporary_days_left=(until - today).days if until is not None else None,
        location_id=h.location_id if actor.is_coa else None,
        tie_municipality=h.tie_municipality if actor.is_coa else None,
        proposed=[ProposedOut(job_id=p.job_id, line_id=p.line_id, action=p.action, municipality=p.municipality,
                              home_id=p.home_id, decision=p.decision) for p in proposed],
        deadlines=deadlines_out(deadlines.of(h, today)))


def job_links(job_id: int) -> dict[str, str]:
    base = f"{API}/proposals/{job_id}"
    return {"self": base, "lines": f"{base}/lines", "csv": f"{base}/export.csv", "xlsx": f"{base}/export.xlsx"}


def job_out(j: models.Job, counts: dict[str, int]) -> JobOut:
    return JobOut(id=j.id, reference=j.reference, status=j.status, as_of=j.as_of, params=j.params, solver=j.solver,
                  time_limit=j.time_limit, created_at=utc(j.created_at), started_at=utc(j.started_at),
                  finished_at=utc(j.finished_at), error=j.error,
                  error_code=(j.error_values or {}).get("code"), summary=j.summary, lines=LineCounts(**counts),
                  links=job_links(j.id))


def line_out(line: models.ProposalLine, lang: Lang = DEFAULT_LANG, references: Mapping[str, str] | None = None) -> LineOut:
    """A line with its reason in ``lang``; ``references`` are the homes' own references by id."""
    references = references or {}
    home = None if line.home_id is None else references.get(str(line.home_id))
    return LineOut(id=line.id, job_id=line.job_id, household_id=line.household_id, action=line.action,
                   municipality=line.municipality_code, home_id=line.home_id, home_reference=home, persons=line.persons,
                   km=line.km, overdue_days=line.overdue_days, moves=line.moves,
                   reason=line_reason(line, lang, references), reason_kind=line.reason_kind,
                   reason_values=line.reason_values,
                   decision=line.decision, decision_reason=line.decision_reason, decision_date=line.decision_date,
                   decided_at=utc(line.decided_at))


def proposed_line_out(p: ProposedLine) -> ProposedLineOut:
    """A municipality's view of a line proposing a household to it (see ``ProposedLineOut``)."""
    line, h = p.line, p.household
    return ProposedLineOut(
        line_id=line.id, job_id=line.job_id, as_of=p.as_of, action=line.action, municipality=line.municipality_code,
        home_id=line.home_id, home_reference=p.home_reference, decision=line.decision,
        decision_date=line.decision_date, household_id=h.household_id, size=h.size, adults=h.adults,
        children=h.children, amv=h.amv, needs_accessible=h.needs_accessible, expected_extra=h.expected_extra,
        document_ready=h.document_ready, permit_date=h.permit_date)


def ban_out(b: models.Ban) -> BanOut:
    return BanOut(id=b.id, household_id=b.household_id, municipality=b.municipality_code, home_id=b.home_id,
                  line_id=b.line_id, reason=b.reason, created_at=utc(b.created_at))


def lock_links(lock_id: int) -> dict[str, str]:
    return {"self": f"{API}/locks/{lock_id}"}


def lock_out(lock: models.Lock) -> LockOut:
    return LockOut(id=lock.id, household_id=lock.household_id, municipality=lock.municipality_code,
                   home_id=lock.home_id, job_id=lock.job_id, line_id=lock.line_id, note=lock.note,
                   created_at=utc(lock.created_at), created_by=lock.created_by, active=lock.ended_at is None,
                   ended_at=utc(lock.ended_at), ended_by=lock.ended_by, end_reason=lock.end_reason)


def audit_out(e: models.AuditEvent) -> AuditOut:
    return AuditOut(id=e.id, at=utc(e.at), token_id=e.token_id, actor=e.actor, action=e.action,
                    object_type=e.object_type, object_id=e.object_id, detail=e.detail)


def recoupling_out(r: models.Recoupling) -> RecouplingOut:
    return RecouplingOut(id=r.id, reference=r.reference, household_id=r.household_id, from_municipality=r.from_municipality,
                         to_municipality=r.to_municipality, exchange_with=r.exchange_with, reason=r.reason,
                         status=RecouplingStatus(r.status), requested_role=r.requested_role,
                         created_at=utc(r.created_at), decision_reason=r.decision_reason, decided_at=utc(r.decided_at),
                         done_line_id=r.done_line_id, done_at=utc(r.done_at))


def exchange_out(e: models.Exchange) -> ExchangeOut:
    return ExchangeOut(id=e.id, reference=e.reference, household_a=e.household_a, municipality_a=e.municipality_a,
                       household_b=e.household_b, municipality_b=e.municipality_b, reason=e.reason,
                       status=ExchangeStatus(e.status), requested_role=e.requested_role, requested_by=e.requested_by,
                       created_at=utc(e.created_at), decision_reason=e.decision_reason, decided_at=utc(e.decided_at))


def move_in_out(m: models.MoveIn, home_reference: str) -> MoveInOut:
    return MoveInOut(id=m.id, household_id=m.household_id, municipality=m.municipality_code, home_id=m.home_id,
                     home_reference=home_reference, line_id=m.line_id, accepted_on=m.accepted_on, status=m.status,
                     moved_in_on=m.moved_in_on, reason=m.reason, ban_id=m.ban_id, created_at=utc(m.created_at),
                     decided_at=utc(m.decided_at))


def housing_check_out(c: HousingCheck | None) -> HousingCheckOut | None:
    if c is None:
        return None
    return HousingCheckOut.model_validate(
        {"source": c.source, "home_id": c.home_id, "home_reference": c.home_reference, "kind": c.kind,
         "capacity": c.capacity, "min_occupancy": c.min_occupancy, "persons": c.persons, "others": c.others,
         "fits": c.fits, "problem": c.problem})


def arrival_out(a: models.FamilyArrival, check: HousingCheck | None) -> ArrivalOut:
    return ArrivalOut(id=a.id, reference=a.reference, household_id=a.household_id, municipality=a.municipality_code,
                      persons=a.persons, adults=a.adults, children=a.children, date=a.arrived_on,
                      size_before=a.size_before, size_after=a.size_after, expected_before=a.expected_before,
                      expected_after=a.expected_after, created_at=a.created_at.replace(tzinfo=dt.UTC),
                      housing_check=housing_check_out(check))
