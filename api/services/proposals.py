"""Proposal jobs: asked for, run by the worker on a snapshot of the database, stored, and
decided line by line.

- :func:`create_job` queues a job (202); the ``reference`` makes the request idempotent.
- :func:`snapshot` turns the database into an engine :class:`~matcher.models.Instance`:
  every municipality with ``quota_remaining`` from :mod:`api.services.municipalities`, the
  reception locations, the households still waiting or coupled, the open homes with the places
  they have left, bans from refused lines, the active locks (:mod:`api.services.locks`; those
  that can no longer be offered are left out and listed in the job's ``summary.locks``), and the
  last finished job as ``previous``.
- :func:`store_result` saves a finished job's lines, only if the job is still this worker's.
- :func:`decide` accepts a line (records the coupling or housing, which updates the quota) or
  refuses it (a ban for later runs).  Deciding the same way again changes nothing; a line whose
  household or home has changed since the job read it cannot be accepted (409).  An accept ends
  the household's lock; a refusal that bans the locked place ends it too.
- An accept that couples persons anew to a municipality (spec §4 rule 6: housing a household
  already coupled there uses no quota) must fit the quota it has left *now*, plus the
  ``quota_slack`` the job was run with: other accepts may have used the quota since the engine
  read it.  If it does not fit, the accept is a 409 naming the municipality and what is left,
  unless COA sends ``over_quota`` with a reason, which the audit log records.  The check holds
  the municipality's row (:func:`~api.services.municipalities.hold_quota`), as do uploads of
  couplings and housings and quota changes, so two accepts at once cannot both take the last
  places, and no upload slips in between an accept's check and its commit.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit
from api.config import Settings
from api.models import (
    Ban,
    Home,
    Household,
    Job,
    Location,
    Municipality,
    ProposalLine,
    utcnow,
)
from api.schemas import DecisionIn, JobIn
from api.services import locks
from api.services.csvio import write_csv
from api.services.errors import WORKER, Actor, Conflict, FieldError, Invalid, NotFound
from api.services.homes import occupied
from api.services.households import standing_line
from api.services.municipalities import current_period, hold_quota, period_for, quota_states
from matcher import models as engine
from matcher.exceptions import InstanceError
from matcher.write import PROPOSAL_HEADER

EXPORT_HEADER = ["line_id", *PROPOSAL_HEADER, "reason_kind", "decision", "decision_reason", "decision_date"]


# --- asking for a proposal --------------------------------------------------------------------

def engine_params(as_of: dt.date, params: dict[str, Any]) -> engine.Params:
    """The engine's parameters for a job; :class:`Invalid` names the parameter that is wrong."""
    try:
        return engine.Params.from_dict({**params, "as_of": as_of.isoformat()}, source="params")
    except InstanceError as exc:
        raise Invalid([FieldError(("body", "params"), p.message) for p in exc.problems]) from None


def create_job(session: Session, actor: Actor, data: JobIn, settings: Settings) -> tuple[Job, bool]:
    """Queue a proposal job; with a ``reference`` already used for the same request, return
    that job instead (``created`` false)."""
    params = data.params.model_dump(exclude_none=True)
    solver = (data.solver.value if data.solver else settings.solver)
    time_limit = data.time_limit if data.time_limit is not None else settings.default_time_limit
    if time_limit > settings.max_time_limit:
        raise Invalid([FieldError(("body", "time_limit"), f"at most {settings.max_time_limit:g} seconds on this server")])
    engine_params(data.as_of, params)
    if data.reference is not None:
        existing = session.scalar(select(Job).where(Job.reference == data.reference))
        if existing is not None:
            if (existing.as_of, existing.params, existing.solver, existing.time_limit) == (data.as_of, params, solver, time_limit):
                return existing, False
            raise Conflict(f"reference {data.reference!r} is job {existing.id} with other parameters")
    job = Job(reference=data.reference, status="queued", as_of=data.as_of, params=params, solver=solver,
              time_limit=time_limit, created_by=actor.token_id)
    session.add(job)
    try:
        session.flush()
    except IntegrityError:  # the same reference at the same moment
        session.rollback()
        return create_job(session, actor, data, settings)
    audit.record(session, actor, "proposal.create", "job", job.id, as_of=data.as_of, params=params, solver=solver,
                 time_limit=time_limit, reference=data.reference)
    session.commit()
    return job, True


def get_job(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no proposal job {job_id}")
    return job


def list_jobs(session: Session, status: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Job], int]:
    query = select(Job)
    if status is not None:
        query = query.where(Job.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(Job.id.desc()).limit(limit).offset(offset))), total


def line_counts(session: Session, job_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per job: lines in all, and per decision (``wait`` counts the lines with nothing to decide)."""
    counts = {job_id: {"total": 0, "wait": 0, "pending": 0, "accepted": 0, "refused": 0} for job_id in job_ids}
    if job_ids:
        query = (select(ProposalLine.job_id, ProposalLine.decision, func.count())
                 .where(ProposalLine.job_id.in_(job_ids)).group_by(ProposalLine.job_id, ProposalLine.decision))
        for job_id, decision, n in session.execute(query):
            counts[job_id]["wait" if decision == "none" else decision] += n
            counts[job_id]["total"] += n
    return counts


def list_lines(session: Session, job_id: int, action: str | None = None, decision: str | None = None,
               municipality: str | None = None, household_id: str | None = None,
               limit: int = 100, offset: int = 0) -> tuple[list[ProposalLine], int]:
    get_job(session, job_id)
    query = select(ProposalLine).where(ProposalLine.job_id == job_id)
    for column, value in ((ProposalLine.action, action), (ProposalLine.decision, decision),
                          (ProposalLine.municipality_code, municipality), (ProposalLine.household_id, household_id)):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(ProposalLine.id).limit(limit).offset(offset))), total


# --- the engine's view of the database --------------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """What a job solves, and how each household stood when it was read."""

    instance: engine.Instance
    params: engine.Params
    household_state: dict[str, tuple[str, str | None]]
    period_id: int
    """The quota period whose figures the instance has."""
    locks_skipped: tuple[dict[str, Any], ...] = ()
    """Active locks left out of the instance, each with why (see :mod:`api.services.locks`)."""


def snapshot(session: Session, job: Job) -> Snapshot:
    """The engine instance for ``job``, read in one transaction (see the module docstring)."""
    params = engine_params(job.as_of, job.params)
    period = current_period(session)
    states = quota_states(session, period)
    municipalities = tuple(
        engine.Municipality(code=m.code, name=m.name, province=m.province, lat=m.lat, lon=m.lon,
                            quota_remaining=states[m.code].persons.remaining if m.code in states else 0,
                            amv_quota_remaining=states[m.code].amv.remaining if m.code in states else 0)
        for m in session.scalars(select(Municipality).order_by(Municipality.code)))
    locations = tuple(engine.Location(location_id=loc.location_id, name=loc.name, lat=loc.lat, lon=loc.lon)
                      for loc in session.scalars(select(Location).order_by(Location.location_id)))
    households, household_state, sizes = [], {}, {}
    for h in session.scalars(select(Household).where(Household.state.in_(("waiting", "coupled"))).order_by(Household.household_id)):
        coupled = h.state == "coupled"
        households.append(engine.Household(
            household_id=h.household_id, size=h.size, location_id=h.location_id, permit_date=h.permit_date,
            coupled_to=h.municipality_code if coupled else None, coupling_date=h.coupling_date if coupled else None,
            amv=h.amv, needs_accessible=h.needs_accessible, expected_extra=h.expected_extra,
            tie_municipality=h.tie_municipality, document_ready=h.document_ready))
        household_state[h.household_id] = (h.state, h.municipality_code)
        sizes[h.household_id] = h.size
    homes = list(session.scalars(select(Home).where(Home.status == "open").order_by(Home.id)))
    taken = occupied(session, [home.id for home in homes])
    dwellings = []
    for home in homes:
        left = home.capacity - taken.get(home.id, 0)
        if left < 1 or (home.kind == "regular" and taken.get(home.id, 0)):
            continue
        dwellings.append(engine.Dwelling(
            dwelling_id=str(home.id), municipality=home.municipality_code, kind=engine.DwellingKind(home.kind),
            capacity=left, available_from=home.available_from,
            min_occupancy=min(home.min_occupancy, left) if home.kind == "regular" else 1, accessible=home.accessible))
    dwelling_ids = {d.dwelling_id for d in dwellings}
    locked, skipped = locks.engine_locks(session, household_state, sizes, {d.dwelling_id: d.capacity for d in dwellings})
    bans = set()
    for ban in session.scalars(select(Ban).where(Ban.household_id.in_(select(Household.household_id).where(
            Household.state.in_(("waiting", "coupled")))))):
        if ban.municipality_code is not None:
            bans.add(engine.Ban(ban.household_id, municipality=ban.municipality_code))
        elif str(ban.home_id) in dwelling_ids:
            bans.add(engine.Ban(ban.household_id, dwelling_id=str(ban.home_id)))
    previous = []
    last = session.scalar(select(Job.id).where(Job.status == "done").order_by(Job.id.desc()).limit(1))
    if last is not None:
        for line in session.scalars(select(ProposalLine).where(ProposalLine.job_id == last,
                                                               ProposalLine.household_id.in_(list(household_state)))):
            dwelling = str(line.home_id) if line.home_id is not None else None
            if dwelling is not None and dwelling not in dwelling_ids:
                continue
            previous.append(engine.PreviousRow(line.household_id, engine.Action(line.action), line.municipality_code, dwelling))
    instance = engine.Instance(
        municipalities=municipalities, locations=locations, households=tuple(households), dwellings=tuple(dwellings),
        locks=locked, bans=tuple(sorted(bans, key=lambda b: (b.household_id, b.municipality or "", b.dwelling_id or ""))),
        previous=tuple(previous), name=f"job-{job.id}")
    return Snapshot(instance, params, household_state, period.id, tuple(skipped))


def store_result(session: Session, job_id: int, worker: str, snap: Snapshot, result: dict[str, Any]) -> bool:
    """Save a finished job's lines and summary, if the job is still running under ``worker``
    (a job that was meanwhile failed as abandoned keeps that verdict).  The summary gets
    ``locks``: how many locks the engine honoured, and those it was not given, with why."""
    summary = {**result["summary"], "locks": {"applied": len(snap.instance.locks), "skipped": list(snap.locks_skipped)}}
    claimed = session.execute(update(Job).where(Job.id == job_id, Job.status == "running", Job.worker == worker)
                              .values(status="done", finished_at=utcnow(), summary=summary, error=None,
                                      period_id=snap.period_id))
    if claimed.rowcount != 1:
        session.rollback()
        return False
    lines = []
    for row in result["rows"]:
        state, municipality = snap.household_state[row["household_id"]]
        lines.append({
            "job_id": job_id, "household_id": row["household_id"], "action": row["action"],
            "municipality_code": row["municipality"] or None,
            "home_id": int(row["dwelling_id"]) if row["dwelling_id"] else None,
            "persons": int(row["persons"]), "km": float(row["km"]) if row["km"] != "" else None,
            "overdue_days": int(row["overdue_days"]), "moves": int(row["moves"]), "reason": row["reason"],
            "reason_kind": row.get("reason_kind"), "was_state": state, "was_municipality": municipality,
            "decision": "none" if row["action"] == "wait" else "pending",
        })
    if lines:
        session.execute(insert(ProposalLine), lines)
    audit.record(session, WORKER, "proposal.done", "job", job_id, status=summary.get("status"),
                 levels=summary.get("levels"), lines=len(lines), locks=summary["locks"]["applied"],
                 locks_skipped=len(snap.locks_skipped))
    session.commit()
    return True


def fail_job(session: Session, job_id: int, worker: str | None, message: str) -> bool:
    """Mark a running job failed (only if still running, and under ``worker`` when given)."""
    query = update(Job).where(Job.id == job_id, Job.status == "running")
    if worker is not None:
        query = query.where(Job.worker == worker)
    done = session.execute(query.values(status="failed", finished_at=utcnow(), error=message[:4000]))
    if done.rowcount != 1:
        session.rollback()
        return False
    audit.record(session, WORKER, "proposal.failed", "job", job_id, error=message[:500])
    session.commit()
    return True


# --- deciding ---------------------------------------------------------------------------------

def _line(session: Session, job_id: int, line_id: int) -> tuple[Job, ProposalLine]:
    job = get_job(session, job_id)
    line = session.get(ProposalLine, line_id, with_for_update=True)
    if line is None or line.job_id != job_id:
        raise NotFound(f"no line {line_id} in proposal job {job_id}")
    return job, line


def decide(session: Session, actor: Actor, job_id: int, line_id: int, data: DecisionIn) -> ProposalLine:
    """Accept or refuse one line; see the module docstring."""
    job, line = _line(session, job_id, line_id)
    wanted = "accepted" if data.decision == "accept" else "refused"
    if line.decision == "none":
        raise Conflict(f"line {line.id} proposes that household {line.household_id} waits; there is nothing to {data.decision}")
    if line.decision == wanted:
        return line
    if line.decision != "pending":
        raise Conflict(f"line {line.id} is already {line.decision}")
    day = data.date or dt.date.today()
    if wanted == "accepted":
        _accept(session, actor, job, line, day, data)
        locks.end_on_accept(session, actor, line)
    else:
        locks.end_on_refusal(session, actor, _refuse(session, actor, job, line, data))
    line.decision = wanted
    line.decided_at = utcnow()
    line.decided_by = actor.token_id
    line.decision_reason = data.reason
    line.decision_date = day if wanted == "accepted" else None
    session.commit()
    return line


def _accept(session: Session, actor: Actor, job: Job, line: ProposalLine, day: dt.date, data: DecisionIn) -> None:
    note = data.reason
    household = session.get(Household, line.household_id, with_for_update=True)
    if household is None or (household.state, household.municipality_code) != (line.was_state, line.was_municipality):
        now = f"{household.state} ({household.municipality_code})" if household and household.municipality_code else (household.state if household else "gone")
        raise Conflict(f"household {line.household_id} has changed since proposal job {job.id} read it (now {now}); "
                       "ask for a new proposal")
    if day < household.permit_date or (household.coupling_date and day < household.coupling_date):
        raise Invalid([FieldError(("body", "date"), "must not be before the household's permit or coupling date")])
    if line.action == "couple":
        over = _check_quota(session, job, line, household, line.municipality_code, data)
        household.state = "coupled"
        household.municipality_code = line.municipality_code
        household.coupling_date = day
        audit.record(session, actor, "line.accept", "line", line.id, job=job.id, household=household.household_id,
                     proposed="couple", municipality=line.municipality_code, date=day, note=note,
                     **({"over_quota": over} if over else {}))
    else:
        home = session.get(Home, line.home_id, with_for_update=True)
        if home is None or home.status != "open":
            raise Conflict(f"home {line.home_id} is {home.status if home else 'gone'}; ask for a new proposal")
        taken = occupied(session, [home.id]).get(home.id, 0)
        if (home.kind == "regular" and taken) or taken + household.size > home.capacity:
            raise Conflict(f"home {home.id} has no room left for {household.size} persons ({taken} of {home.capacity} taken)")
        over = _check_quota(session, job, line, household, home.municipality_code, data)
        period = period_for(session, day) or current_period(session)
        if household.state != "coupled":
            household.coupling_date = day
        household.state = "housed"
        household.municipality_code = home.municipality_code
        household.home_id = home.id
        household.housed_date = day
        household.housed_period_id = period.id
        if home.kind == "regular" or taken + household.size >= home.capacity:
            home.status = "allocated"
            home.updated_at = utcnow()
            locks.end_on_home(session, actor, home.id, "taken", keep=household.household_id)
        audit.record(session, actor, "line.accept", "line", line.id, job=job.id, household=household.household_id,
                     proposed="house", home=home.id, municipality=home.municipality_code, date=day, note=note,
                     **({"over_quota": over} if over else {}))
    household.updated_at = utcnow()


def _check_quota(session: Session, job: Job, line: ProposalLine, household: Household, code: str,
                 data: DecisionIn) -> dict[str, Any] | None:
    """Check that accepting ``line`` fits the quota ``code`` has left now (see the module
    docstring); :class:`Conflict` if not, unless ``data.over_quota``.  What the override went
    over (for the audit log), or ``None`` when it fits."""
    if household.state in ("coupled", "housed") and household.municipality_code == code:
        return None  # already coupled there: housing it uses no quota
    # Hold the municipality's row until commit: a second accept into it (or an upload or quota
    # change) waits here, then reads the quota with the first one's coupling counted (a new
    # snapshot per statement on PostgreSQL).
    municipality = hold_quota(session, [code]).get(code)
    if municipality is None:
        raise Conflict(f"municipality {code} of line {line.id} no longer exists")
    name = municipality.name
    period = current_period(session)
    state = quota_states(session, period, [code])[code]
    slack = int((job.params or {}).get("quota_slack") or 0)
    persons = household.size
    short = []
    if persons > max(0, state.persons.remaining) + slack:
        short.append(f"{_places(state.persons.remaining)} of its quota"
                     + (f" (plus the slack of {slack} proposal job {job.id} was made with)" if slack else ""))
    if household.amv and persons > max(0, state.amv.remaining):
        short.append(f"{_places(state.amv.remaining)} of its AMV quota (household {household.household_id} is an "
                     "unaccompanied minor)")
    if not short:
        return None
    over = {"persons": persons, "remaining": state.persons.remaining, "amv_remaining": state.amv.remaining,
            "slack": slack, "period": period.name}
    if data.over_quota:
        return over
    raise Conflict(f"accepting line {line.id} would couple {persons} person{'s' if persons != 1 else ''} of household "
                   f"{household.household_id} to {name} ({code}), which has {' and '.join(short)} left in period "
                   f"{period.name}: other decisions used it since proposal job {job.id} read the quota. Refuse the "
                   "line, ask for a new proposal, or accept anyway with \"over_quota\": true and a reason (recorded "
                   "in the audit log)")


def _places(remaining: int) -> str:
    if remaining <= 0:
        return f"no places ({remaining})"
    return f"only {remaining} place{'s' if remaining != 1 else ''}"


def _refuse(session: Session, actor: Actor, job: Job, line: ProposalLine, data: DecisionIn) -> Ban:
    scope = data.ban or ("home" if line.action == "house" else "municipality")
    if scope == "home" and line.home_id is None:
        raise Invalid([FieldError(("body", "ban"), "a couple line has no home to ban; use municipality")])
    ban = Ban(household_id=line.household_id, line_id=line.id, reason=data.reason, created_by=actor.token_id,
              home_id=line.home_id if scope == "home" else None,
              municipality_code=line.municipality_code if scope == "municipality" else None)
    session.add(ban)
    audit.record(session, actor, "line.refuse", "line", line.id, job=job.id, household=line.household_id,
                 proposed=line.action, ban=scope, home=ban.home_id, municipality=ban.municipality_code, reason=data.reason)
    return ban


def list_bans(session: Session, household_id: str | None = None, limit: int = 100, offset: int = 0) -> tuple[list[Ban], int]:
    query = select(Ban)
    if household_id is not None:
        query = query.where(Ban.household_id == household_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(Ban.id).limit(limit).offset(offset))), total


# --- what a municipality sees ------------------------------------------------------------------

@dataclass(frozen=True)
class ProposedLine:
    """A line of a finished job that places a household in the caller's municipality, with
    the household (for what of it the municipality may see: :mod:`api.mapping`), the job's
    as-of date and the proposed home's own reference."""

    line: ProposalLine
    household: Household
    as_of: dt.date
    home_reference: str | None


def _proposed_to(actor: Actor):
    """Lines of finished jobs placing a household in the actor's municipality that COA accepted,
    or may still accept: pending, and the household unchanged since the job read it (a line a
    decision elsewhere made stale is no longer a proposal; a refused one never was)."""
    return (select(ProposalLine, Household, Job.as_of, Home.reference)
            .join(Job, Job.id == ProposalLine.job_id)
            .join(Household, Household.household_id == ProposalLine.household_id)
            .outerjoin(Home, Home.id == ProposalLine.home_id)
            .where(Job.status == "done", ProposalLine.municipality_code == actor.municipality,
                   standing_line()))


def list_proposed(session: Session, actor: Actor, job_id: int | None = None, decision: str | None = None,
                  limit: int = 100, offset: int = 0) -> tuple[list[ProposedLine], int]:
    """The lines proposing households to the actor's municipality (see :func:`_proposed_to`),
    newest job first."""
    query = _proposed_to(actor)
    if job_id is not None:
        query = query.where(ProposalLine.job_id == job_id)
    if decision is not None:
        query = query.where(ProposalLine.decision == decision)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(ProposalLine.job_id.desc(), ProposalLine.id).limit(limit).offset(offset))
    return [ProposedLine(*row) for row in rows], total


def get_proposed(session: Session, actor: Actor, line_id: int) -> ProposedLine:
    """One such line; any other line (another municipality's, a wait line, a refused or stale
    one, an unknown id) does not exist for the actor."""
    row = session.execute(_proposed_to(actor).where(ProposalLine.id == line_id)).first()
    if row is None:
        raise NotFound(f"no line {line_id} proposed to {actor.municipality}")
    return ProposedLine(*row)


# --- export -----------------------------------------------------------------------------------

def _export_rows(session: Session, job_id: int) -> tuple[Job, list[list[object]]]:
    job = get_job(session, job_id)
    if job.status != "done":
        raise Conflict(f"proposal job {job.id} is {job.status}; it can be exported when done")
    rows = []
    for line in session.scalars(select(ProposalLine).where(ProposalLine.job_id == job_id).order_by(ProposalLine.id)):
        rows.append([line.id, line.household_id, line.action, line.municipality_code or "",
                     "" if line.home_id is None else line.home_id, line.persons,
                     "" if line.km is None else f"{line.km:.1f}", line.overdue_days, line.moves, line.reason,
                     line.reason_kind or "", line.decision, line.decision_reason or "",
                     line.decision_date.isoformat() if line.decision_date else ""])
    return job, rows


def export_csv(session: Session, job_id: int) -> bytes:
    """``proposal.csv`` (spec §6, ``dwelling_id`` being the home id) with the decisions."""
    _, rows = _export_rows(session, job_id)
    return write_csv(EXPORT_HEADER, rows)


def export_xlsx(session: Session, job_id: int) -> bytes:
    """The same as :func:`export_csv` as a workbook, with a second sheet for the summary."""
    from openpyxl import Workbook

    job, rows = _export_rows(session, job_id)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("proposal")
    sheet.append(EXPORT_HEADER)
    for row in rows:
        sheet.append(row)
    info = book.create_sheet("summary")
    summary = job.summary or {}
    info.append(["job", job.id])
    info.append(["as_of", job.as_of.isoformat()])
    for key in ("status", "solver", "runtime_s", "bound", "gap"):
        info.append([key, summary.get(key)])
    for key, value in (summary.get("levels") or {}).items():
        info.append([f"level {key}", value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
