"""The service's boundary with the engine (:mod:`matcher`): what a proposal job reads, solves
and stores.  The worker (:mod:`api.worker`) drives it; the job's states are
:mod:`api.services.jobs`.

- :func:`snapshot` reads the database, in one transaction, as an engine
  :class:`~matcher.models.Instance` and :class:`~matcher.models.Params`: every municipality with
  ``quota_remaining`` from :mod:`api.services.municipalities`, the reception locations, the
  households still waiting or coupled (``may_recouple`` for those whose re-coupling COA
  approved: :mod:`api.services.recouplings`), the open homes with the places they have left, bans from
  refused lines, the active locks (:mod:`api.services.locks`; those that can no longer be
  offered are left out and listed in the job's ``summary.locks``), and the last finished job as
  ``previous``.
- :func:`run` solves it, passes the proposal through the independent checker
  (:func:`matcher.check.check_proposal`) — a proposal that breaks a rule is never stored — and
  returns :class:`Solved`: the :class:`~matcher.models.Proposal`, its typed lines
  (:func:`matcher.write.proposal_lines`) and ``summary.json``.  :func:`start_child` does the
  same in a child process that dies with its parent (Linux ``PR_SET_PDEATHSIG``), so a long
  solve neither blocks the server nor outlives it.
- :func:`store_result` saves those lines as they are, only if the job is still this worker's.

The child process imports this module, so it stays light: at the top only the standard library,
:mod:`matcher` and :mod:`api.services.errors`; the two functions that touch the database import
SQLAlchemy and the tables when they are called (``tests/api/test_engine_boundary.py`` checks).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import functools
import multiprocessing
import signal
import sys
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from api.messages import data, render_data
from api.services.errors import WORKER, FieldError, Invalid
from matcher import models as engine
from matcher.exceptions import InstanceError
from matcher.write import Line

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from api.models import Job

PR_SET_PDEATHSIG = 1


class EngineFailure(Exception):
    """The engine could not produce a valid proposal; ``message`` says why, as a catalogue
    message (:func:`api.messages.data`), ``str()`` in English."""

    def __init__(self, code: str, /, **values: Any) -> None:
        self.message = data(code, **values)
        super().__init__(render_data("en", self.message))


ENGINE_STATES = ("waiting", "coupled", "temporary")
"""The households a job reads: in reception, coupled or not, and in a temporary home."""

POLICIES = ("weekly", "lookahead")
"""A job's ``params.policy``: ``weekly``, the exact engine on the contract's levels (the
default), or ``lookahead``, the half-year in view (:mod:`matcher.lookahead`), priced from the
offer and permit history in the database (:func:`history`)."""

HISTORY_WEEKS = 26
"""The look-ahead's history: the offers and permits of at most this many weeks before ``as_of``."""


def policy_of(params: dict[str, Any]) -> str:
    return str(params.get("policy") or "weekly")


def engine_params(as_of: dt.date, params: dict[str, Any]) -> engine.Params:
    """The engine's parameters for a job; :class:`Invalid` names the parameter that is wrong.
    ``policy`` is the service's, not the engine's: it chooses how the job solves."""
    params = {k: v for k, v in params.items() if k != "policy"}
    try:
        return engine.Params.from_dict({**params, "as_of": as_of.isoformat()}, source="params")
    except InstanceError as exc:
        raise Invalid([FieldError(("body", "params"), "engine_param", {"message": p.message}) for p in exc.problems]) from None


# --- database -> engine -----------------------------------------------------------------------

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
    history: Any = None
    """For ``params.policy = lookahead``: the :class:`matcher.lookahead.History` read from the
    database (:func:`history`); ``None`` for the weekly engine."""
    quota: Any = None
    """The quota states the municipalities' ``quota_remaining`` come from
    (:func:`api.services.municipalities.quota_states`), for readers that show them too."""


def history(session: Session, as_of: dt.date, weeks: int = HISTORY_WEEKS) -> Any:
    """The look-ahead's :class:`~matcher.lookahead.History` from the database: week by week, the
    homes offered (a home's offer date is its ``available_from``, whatever became of it since:
    open, allocated or withdrawn) and the permits granted (every household by ``permit_date``,
    whatever its state), from the first such date in the ``weeks`` before ``as_of`` up to the
    day before ``as_of``; nothing on or after ``as_of`` is read.  Each week is added with
    :meth:`History.add_week`, so its rates are per week of flow as in the simulation."""
    from sqlalchemy import select

    from api.models import Home, Household
    from matcher.lookahead import History

    start = as_of - dt.timedelta(days=7 * weeks)
    offers = [engine.Dwelling(dwelling_id=f"home-{home.id}", municipality=home.municipality_code,
                              kind=engine.DwellingKind(home.kind), capacity=home.capacity,
                              available_from=home.available_from, min_occupancy=home.min_occupancy,
                              accessible=home.accessible)
              for home in session.scalars(select(Home).where(Home.available_from >= start, Home.available_from < as_of)
                                          .order_by(Home.available_from, Home.id))]
    permits = [engine.Household(household_id=h.household_id, size=h.size, location_id=h.location_id,
                                permit_date=h.permit_date, amv=h.amv, needs_accessible=h.needs_accessible)
               for h in session.scalars(select(Household).where(Household.permit_date >= start,
                                                                 Household.permit_date < as_of)
                                        .order_by(Household.permit_date, Household.household_id))]
    out = History()
    dates = [d.available_from for d in offers] + [h.permit_date for h in permits]
    if not dates:
        return out
    first = min(dates)
    count = max(1, -(-(as_of - first).days // 7))  # weeks from the first date to as_of, rounded up
    weeks_of: list[tuple[list[engine.Dwelling], list[engine.Household]]] = [([], []) for _ in range(count)]
    for d in offers:
        weeks_of[(d.available_from - first).days // 7][0].append(d)
    for h in permits:
        weeks_of[(h.permit_date - first).days // 7][1].append(h)
    for homes, granted in weeks_of:
        out.add_week(homes, granted)
    return out


HOME_TABLES = ("homes", "locks", "bans")
"""The tables only the second half of a snapshot reads (:func:`snapshot_homes`)."""


@dataclass(frozen=True)
class People:
    """The first half of a snapshot (:func:`snapshot_people`): everything but the homes, locks,
    bans and last week's lines, as an instance without dwellings (checked), with the states."""

    instance: engine.Instance
    params: engine.Params
    household_state: dict[str, tuple[str, str | None]]
    sizes: dict[str, int]
    period_id: int
    quota: Any
    rows: dict[str, tuple[Any, ...]] | None = None
    """Per household what its :class:`~matcher.models.Household` was made from (the row read
    and its approved re-coupling): equal rows, equal households (compared faster)."""
    approved: dict[str, str | None] | None = None
    """The households whose re-coupling COA approved (:func:`api.services.recouplings.approved_households`)."""
    digests: dict[str, str] | None = None
    """PostgreSQL: per household the digest of its row (:data:`DIGEST`), to tell next time which
    households to read again (:func:`snapshot_people` with ``before``)."""


HOUSEHOLD_COLUMNS = ("household_id", "size", "location_id", "permit_date", "state", "municipality_code",
                     "coupling_date", "housed_date", "amv", "needs_accessible", "expected_extra",
                     "expected_extra_date", "tie_municipality", "document_ready", "temporary_home", "home_id")
"""The columns of ``households`` a snapshot reads, in the order its rows have them."""

DIGEST = ("SELECT household_id, xmin::text FROM households WHERE state IN ({states}) "
          "ORDER BY household_id").format(states=", ".join(f"'{s}'" for s in ENGINE_STATES))
"""PostgreSQL: every household a snapshot reads, in its order, with the id of the transaction
that wrote its row's version (``xmin``): every committed insert or update of the row, of any
column, makes a version of its own with that writer's id, so a row whose id is the one seen
before is the row seen before (rolled back writes leave the version before; a transaction that
writes one row twice gives both versions its id, so a snapshot read inside a transaction that
has written offers no digests, :func:`snapshot_people`).  Cheaper than a digest of the columns
(nothing computed per row)."""

REREAD_AT = 2000
"""More households changed than this: all are read again rather than these by id."""


@functools.cache
def people_tables() -> tuple[str, ...]:
    """Every table :func:`snapshot_people` may read: every table of data but :data:`HOME_TABLES`
    (so a table added later counts, until someone shows it is not read)."""
    from api.models import Base
    from api.services.changes import UNWATCHED

    return tuple(sorted(t for t in Base.metadata.tables if t not in UNWATCHED and t not in HOME_TABLES))


def snapshot_people(session: Session, job: Job, before: People | None = None) -> People:
    """The municipalities with their quota left, the reception locations, the households and the
    travel times for ``job``: reads no table of :data:`HOME_TABLES`.  With ``before`` (an
    earlier one, on PostgreSQL): reads only the households whose rows changed since (or whose
    approved re-coupling did; by the digests of :data:`DIGEST`) and takes the others over."""
    from sqlalchemy import select, text

    from api.models import Household, Location, Municipality
    from api.services import recouplings
    from api.services.municipalities import current_period, quota_states
    from api.services.travel import engine_travel_minutes

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
    households, household_state, sizes, rows = [], {}, {}, {}
    approved = recouplings.approved_households(session)  # COA approved their re-coupling: may_recouple (to where)
    columns = tuple(getattr(Household, name) for name in HOUSEHOLD_COLUMNS)
    # plain tuples, not ORM objects nor named rows: a national snapshot reads some 15,000 households
    query = select(*columns).where(Household.state.in_(ENGINE_STATES)).order_by(Household.household_id)
    digests: dict[str, str] | None = None
    if before is not None and session.get_bind().dialect.name == "postgresql":
        # read before the rows: a row changed in between is newer than its digest, so read again next time
        own = session.execute(text("SELECT txid_current_if_assigned()")).scalar()
        # the driver's plain tuples (some 14,000 rows): no result rows made of them
        cursor = session.connection().connection.cursor()
        try:
            cursor.execute(DIGEST)
            digests = dict(cursor.fetchall())
        finally:
            cursor.close()
        if own is not None:  # its own rows, written and perhaps written again under the same id: not offered
            digests = None
    if (digests is not None and before is not None and before.digests is not None and before.rows is not None
            and before.params == params):
        old, kept, was = before.digests, before.rows, before.approved or {}
        # a household whose approved re-coupling came, went or changed is read again too
        moved = {hid for hid in was.keys() | approved.keys() if was.get(hid, ()) != approved.get(hid, ())}
        # read again: a digest not seen before, a household moved or not among the rows before (set operations)
        changed = list({hid for hid, _ in digests.items() - old.items()}
                       | (digests.keys() & (moved | (old.keys() - kept.keys()))))
        if len(changed) <= REREAD_AT:
            return _people_after(session, job, before, params, period, states, municipalities, locations,
                                 approved, digests, changed, query)
    for row in session.execute(query):
        household_id, size, state, municipality_code = row[0], row[1], row[4], row[5]
        rows[household_id] = (*row, household_id in approved, approved.get(household_id))
        households.append(_household(row, approved))
        household_state[household_id] = (state, municipality_code)
        sizes[household_id] = size
    instance = engine.Instance(municipalities=municipalities, locations=locations, households=tuple(households),
                               travel_minutes=engine_travel_minutes(session), name=f"job-{job.id}")
    if digests is not None and digests.keys() != rows.keys():  # a household came or went between the reads
        digests = None
    return People(instance, params, household_state, sizes, period.id, states, rows, approved, digests)


def _household(row: Any, approved: dict[str, str | None]) -> engine.Household:
    """The engine's household of a row of :data:`HOUSEHOLD_COLUMNS`."""
    (household_id, size, location_id, permit_date, state, municipality_code, coupling_date, housed_date, amv,
     needs_accessible, expected_extra, expected_extra_date, tie_municipality, document_ready, temporary_home,
     home_id) = row
    coupled = state != "waiting"
    # In a temporary home (docs/contract.md §1 state temporary): it competes for the regular homes
    # of its municipality, named by the temporary home's reference, since its housing date.
    temporary = state == "temporary" and housed_date is not None and not amv
    return engine.Household(
        household_id=household_id, size=size, location_id=location_id, permit_date=permit_date,
        coupled_to=municipality_code if coupled else None,
        coupling_date=(coupling_date or housed_date) if coupled else None,
        amv=amv, needs_accessible=needs_accessible, expected_extra=expected_extra,
        expected_extra_date=expected_extra_date if expected_extra else None,
        tie_municipality=tie_municipality, document_ready=document_ready,
        may_recouple=state == "coupled" and household_id in approved,
        recouple_to=approved.get(household_id) if state == "coupled" else None,
        temporary_home=(temporary_home or f"#{home_id}") if temporary else None,
        housed_since=housed_date if temporary else None)


def _people_after(session: Session, job: Job, before: People, params: Any, period: Any, states: Any,
                  municipalities: Any, locations: Any, approved: dict[str, str | None], digests: dict[str, str],
                  changed: list[str], query: Any) -> People:
    """:func:`snapshot_people` from ``before``: the households of ``changed`` read again (by id),
    the others taken over; every household in ``digests`` (in its order), none else."""
    from api.models import Household
    from api.services.travel import engine_travel_minutes

    assert before.rows is not None
    found = {row[0]: row for row in session.execute(query.where(Household.household_id.in_(changed)))} \
        if changed else {}
    for hid in changed:
        if hid not in found:  # gone (or left the snapshot's states) between the two reads: read next time
            digests.pop(hid)
    by_id = {h.household_id: h for h in before.instance.households}
    # the unchanged taken over whole (copies), the changed put in their place, the gone dropped
    rows, household_state, sizes = dict(before.rows), dict(before.household_state), dict(before.sizes)
    for hid in before.rows.keys() - digests.keys():
        del rows[hid], household_state[hid], sizes[hid]
        by_id.pop(hid, None)
    for hid, row in found.items():
        by_id[hid] = _household(row, approved)
        rows[hid] = (*row, hid in approved, approved.get(hid))
        household_state[hid], sizes[hid] = (row[4], row[5]), row[1]
    households = tuple(by_id[hid] for hid in digests)
    instance = engine.Instance(municipalities=municipalities, locations=locations, households=households,
                               travel_minutes=engine_travel_minutes(session), name=f"job-{job.id}")
    return People(instance, params, household_state, sizes, period.id, states, rows, approved, digests)


def snapshot_homes(session: Session, people: People, with_previous: bool = True, homes: Any = None
                   ) -> tuple[engine.Instance, tuple[dict[str, Any], ...]]:
    """:func:`snapshot_people`'s instance with the open homes that have room left, the locks, the
    bans and (``with_previous``) last week's lines; and the locks left out, each with why.
    ``homes``: the rows of the open homes (by id, with the columns read below) if already read."""
    from sqlalchemy import select

    from api.models import Ban, Home, Household, Job, ProposalLine
    from api.services import locks
    from api.services.homes import occupied

    household_state = people.household_state
    if homes is None:
        homes = session.execute(select(Home.id, Home.capacity, Home.kind, Home.municipality_code, Home.available_from,
                                       Home.min_occupancy, Home.accessible)
                                .where(Home.status == "open").order_by(Home.id)).all()  # rows: 2,400 nationally
    taken = occupied(session, select(Home.id).where(Home.status == "open")) if homes else {}
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
    locked, skipped = locks.engine_locks(session, household_state, people.sizes,
                                         {d.dwelling_id: d.capacity for d in dwellings})
    bans = set()
    for ban in session.scalars(select(Ban).where(Ban.household_id.in_(select(Household.household_id).where(
            Household.state.in_(ENGINE_STATES))))):
        if ban.municipality_code is not None:
            bans.add(engine.Ban(ban.household_id, municipality=ban.municipality_code))
        elif str(ban.home_id) in dwelling_ids:
            bans.add(engine.Ban(ban.household_id, dwelling_id=str(ban.home_id)))
    previous = []
    last = session.scalar(select(Job.id).where(Job.status == "done").order_by(Job.id.desc()).limit(1)) \
        if with_previous else None
    if last is not None:
        for line in session.scalars(select(ProposalLine).where(ProposalLine.job_id == last,
                                                               ProposalLine.household_id.in_(list(household_state)))):
            dwelling = str(line.home_id) if line.home_id is not None else None
            if dwelling is not None and dwelling not in dwelling_ids:
                continue
            previous.append(engine.PreviousRow(line.household_id, engine.Action(line.action), line.municipality_code, dwelling,
                                               line.persons))
    instance = people.instance.with_homes(
        dwellings=tuple(dwellings), locks=locked,
        bans=tuple(sorted(bans, key=lambda b: (b.household_id, b.municipality or "", b.dwelling_id or ""))),
        previous=tuple(previous))
    return instance, tuple(skipped)


def snapshot(session: Session, job: Job, with_previous: bool = True) -> Snapshot:
    """The engine instance for ``job``, read in one transaction (see the module docstring):
    :func:`snapshot_people`, then :func:`snapshot_homes`.  ``with_previous`` false leaves out
    last week's lines (for readers that need only the rules of a pair, as the signals do:
    :mod:`api.services.signals`)."""
    people = snapshot_people(session, job)
    instance, skipped = snapshot_homes(session, people, with_previous)
    past = history(session, job.as_of) if policy_of(job.params) == "lookahead" else None
    return Snapshot(instance, people.params, people.household_state, people.period_id, skipped, past, people.quota)


# --- solving ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Solved:
    """A checked proposal, as :func:`run` hands it to :func:`store_result` (across the pipe from
    the child process: plain picklable values)."""

    proposal: engine.Proposal
    lines: tuple[Line, ...]
    """One per household, in the instance's order, with the figures ``proposal.csv`` shows."""
    summary: dict[str, Any]
    """``summary.json``, with only the municipalities the proposal touches."""


LOOKAHEAD_WHY = ("quota price per municipality (0-1): the average dual price of its quota in linear programmes "
                 "coupling the permits expected over the rest of the period (rates from the offers and permits of "
                 "the {weeks} week(s) of history in the database) within the quota left; quota used for anything "
                 "but an in-time coupling costs reserve_days x price per person")
LOOKAHEAD_NO_HISTORY = "no offers or permits in the database before as_of: no quota is priced and no home is expected"


def _lookahead(instance: engine.Instance, params: engine.Params, past: Any, time_limit: float
               ) -> tuple[Any, Any, dict[str, Any]]:
    """The look-ahead's proposal (explained, with the prices in its reasons), its rules and
    what the summary reports: every municipality's quota price, the history it rests on, why."""
    from matcher.explain import explain_proposal
    from matcher.lookahead import propose, weeks_left_in_period

    result = propose(instance, params, past, params.as_of.toordinal() // 7, time_limit=time_limit, seed=0,
                     weeks_left=max(0, weeks_left_in_period(params.as_of) - 1))
    proposal = explain_proposal(result.rules, result.proposal, prices=result.prices)
    why = LOOKAHEAD_WHY.format(weeks=past.weeks) if past.weeks else LOOKAHEAD_NO_HISTORY
    info = {"policy": "lookahead", "quota_prices": dict(sorted(result.prices.items())), **result.info, "why": why}
    return proposal, result.rules, info


def run(instance: engine.Instance, params: engine.Params, solver: str, time_limit: float,
        history: Any = None) -> Solved:
    """Solve and check; with a ``history`` the look-ahead policy proposes (``solver`` unused).
    Raises :class:`EngineFailure`."""
    from matcher.check import check_proposal, lines_of
    from matcher.exceptions import LocksInfeasibleError, MatcherError
    from matcher.solvers import solve
    from matcher.write import proposal_lines, summary

    lookahead: dict[str, Any] | None = None
    try:
        if history is not None:
            proposal, rules, lookahead = _lookahead(instance, params, history, time_limit)
        else:
            proposal = solve(instance, params, solver=solver, time_limit=time_limit)
            rules = proposal.rules
    except LocksInfeasibleError as exc:
        raise EngineFailure("job_locks_infeasible", detail=str(exc)) from None
    except MatcherError as exc:
        raise EngineFailure("job_engine_error", detail=str(exc)) from None
    lines = tuple(proposal_lines(rules, proposal))
    report = check_proposal(instance, params, lines_of(proposal))
    if not report.ok:
        shown = "; ".join(report.violations[:5])
        raise EngineFailure("job_check_failed", solver=proposal.solver, count=len(report.violations), shown=shown)
    data = summary(rules, proposal)
    # Only the municipalities the proposal touches: the others' quota is on /municipalities.
    data["municipalities"] = {code: figures for code, figures in data["municipalities"].items()
                              if figures["persons_coupled"] or figures["persons_housed"]}
    if lookahead is not None:
        data["lookahead"] = lookahead
    return Solved(proposal, lines, data)


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except OSError:  # no libc by that name: the parent's wait loop still ends the child
            pass


def _child(connection, instance: engine.Instance, params: engine.Params, solver: str, time_limit: float,
           history: Any = None) -> None:
    _die_with_parent()
    try:
        connection.send(("ok", run(instance, params, solver, time_limit, history)))
    except EngineFailure as exc:
        connection.send(("failed", exc.message))
    except BaseException as exc:  # anything else is a bug: report it whole
        connection.send(("failed", data("job_engine_crashed", error=f"{type(exc).__name__}: {exc}",
                                        trace=traceback.format_exc(limit=5))))
    finally:
        connection.close()


def start_child(instance: engine.Instance, params: engine.Params, solver: str, time_limit: float,
                history: Any = None):
    """Start :func:`run` in a fresh child process; returns ``(process, connection)``.

    The caller polls ``connection`` for ``("ok", solved)`` or ``("failed", message)`` (a message
    as data, :func:`api.messages.data`)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, instance, params, solver, time_limit, history),
                              name="matcher-solve", daemon=True)
    process.start()
    sender.close()
    return process, receiver


# --- engine -> database -----------------------------------------------------------------------

def store_result(session: Session, job_id: int, worker: str, snap: Snapshot, solved: Solved) -> bool:
    """Save a finished job's lines and summary, if the job is still running under ``worker``
    (a job that was meanwhile failed as abandoned keeps that verdict).  The summary gets
    ``locks``: how many locks the engine honoured, and those it was not given, with why."""
    from sqlalchemy import insert

    from api import audit
    from api.models import ProposalLine
    from api.services import jobs

    summary = {**solved.summary, "locks": {"applied": len(snap.instance.locks), "skipped": list(snap.locks_skipped)}}
    if not jobs.finish(session, job_id, worker, summary, snap.period_id):
        return False
    rows = []
    for line in solved.lines:
        state, municipality = snap.household_state[line.household_id]
        rows.append({
            "job_id": job_id, "household_id": line.household_id, "action": line.action.value,
            "municipality_code": line.municipality,
            "home_id": int(line.dwelling_id) if line.dwelling_id is not None else None,
            # km to 0.1, as proposal.csv shows it
            "persons": line.persons, "km": None if line.km is None else round(line.km, 1),
            "overdue_days": line.overdue_days, "moves": line.moves, "reason": line.reason,
            "reason_kind": line.reason_kind.value if line.reason_kind is not None else None,
            "reason_values": line.reason_values,
            "was_state": state, "was_municipality": municipality,
            "decision": "none" if line.action is engine.Action.WAIT else "pending",
        })
    if rows:
        session.execute(insert(ProposalLine), rows)
    audit.record(session, WORKER, "proposal.done", "job", job_id, status=solved.proposal.status.value,
                 levels=solved.proposal.levels.as_dict(), lines=len(rows), locks=summary["locks"]["applied"],
                 locks_skipped=len(snap.locks_skipped))
    session.commit()
    return True
