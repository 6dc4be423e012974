"""Read models of the web pages: who is waiting (by province, past the norm), the quota
state summed by province, and the lines of a proposal filtered and sorted for review.

Read-only: nothing here changes the database.  Who may see what is decided by the callers, as
for the JSON routes (these summaries are COA's; a municipality's pages use the per-object
functions of the other service modules, which restrict to its own).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Household, Location, Municipality, ProposalLine
from api.services import deadlines
from api.services.changes import Cache, fingerprint, uncollected
from api.services.jobs import get_job
from api.services.municipalities import QuotaState, current_period, quota_states
from matcher.models import Params

SORTS = ("overdue_desc", "overdue_asc", "line", "urgency")
"""How review lines can be ordered: most overdue first (default), least overdue first, by line,
by the urgency of the household's deadlines today (:func:`api.services.deadlines.urgency_order`)."""


def overdue_days(params: Params, state: str, permit_date: dt.date, coupling_date: dt.date | None, on: dt.date) -> int:
    """Days past ``params.norm_days`` on ``on`` (:meth:`matcher.models.Params.overdue_days` with the
    horizon's end = ``on``); the coupling date counts only for a household coupled and not yet
    housed (state ``coupled`` or ``moving_in``)."""
    return params.overdue_days(permit_date, coupling_date if state in COUPLED else None, on)


COUPLED = ("coupled", "moving_in")
"""The states of a household coupled to a municipality and not yet housed there (a move-in not
yet confirmed: :mod:`api.services.moveins`)."""


@dataclass
class Waiting:
    """Households not yet housed, in one province (or in all: ``province`` empty)."""

    province: str
    households: int = 0
    persons: int = 0
    uncoupled_persons: int = 0
    """Of ``persons``, those not yet coupled to a municipality."""
    coupled_persons: int = 0
    """Of ``persons``, those coupled to a municipality and waiting for a home there."""
    overdue_households: int = 0
    overdue_persons: int = 0
    longest_overdue: int = 0
    """The most days past the norm of any household."""
    past_coupling_households: int = 0
    """Households not yet coupled past COA's coupling deadline (permit + 14 days: :mod:`api.services.deadlines`)."""
    past_coupling_persons: int = 0

    def add(self, persons: int, coupled: bool, overdue: int, past_coupling: bool = False) -> None:
        if past_coupling:
            self.past_coupling_households += 1
            self.past_coupling_persons += persons
        self.households += 1
        self.persons += persons
        self.coupled_persons += persons if coupled else 0
        self.uncoupled_persons += 0 if coupled else persons
        if overdue > 0:
            self.overdue_households += 1
            self.overdue_persons += persons
        self.longest_overdue = max(self.longest_overdue, overdue)


WAITING = Cache(8)
""":func:`waiting_by_province` of the latest state of the data (:mod:`api.services.changes`)."""


def waiting_by_province(session: Session, on: dt.date, params: Params | None = None) -> tuple[Waiting, list[Waiting]]:
    """Everyone waiting or coupled and not housed (moving in counts as coupled: the move-in is
    not confirmed yet), by the province of the reception location
    they wait in: the national total and one row per province (alphabetical).  Overdue is counted
    with ``params`` (default: the engine's default parameters).  Kept while the data does not
    change (the first request after a write counts afresh)."""
    params = params or Params(as_of=on)
    return WAITING.get(fingerprint(session), (on, params), lambda: _waiting_by_province(session, on, params),
                       tables=WAITING_TABLES)


WAITING_TABLES = ("households", "locations", "municipalities")
"""What :func:`_waiting_by_province` reads: kept across writes to other tables (a home offered)."""


def _waiting_by_province(session: Session, on: dt.date, params: Params) -> tuple[Waiting, list[Waiting]]:
    query = (select(Household.state, Household.size, Household.permit_date, Household.coupling_date, Municipality.province)
             .join(Location, Location.location_id == Household.location_id)
             .join(Municipality, Municipality.code == Location.municipality_code)
             .where(Household.state.in_(("waiting", *COUPLED))))
    total = Waiting("")
    rows: dict[str, Waiting] = {}
    # what a household adds follows from its state and dates alone, and many share them: worked out once each
    seen: dict[tuple[str, dt.date, dt.date | None], tuple[bool, int, bool]] = {}
    with uncollected():  # some 14,000 rows read and dropped
        for state, size, permit_date, coupling_date, province in session.execute(query):
            key = (state, permit_date, coupling_date)
            found = seen.get(key)
            if found is None:
                found = seen[key] = (
                    state in COUPLED, overdue_days(params, state, permit_date, coupling_date, on),
                    state == "waiting"
                    and deadlines.deadline(deadlines.coupling_due(permit_date), None, on).status == "overdue")
            coupled, overdue, past = found
            total.add(size, coupled, overdue, past)
            row = rows.get(province)
            if row is None:
                row = rows[province] = Waiting(province)
            row.add(size, coupled, overdue, past)
    return total, [rows[p] for p in sorted(rows)]


@dataclass
class QuotaSum:
    """Quota figures (persons) summed over some municipalities."""

    name: str
    target: int = 0
    """taakstelling + redistributed + backlog."""
    realised: int = 0
    coupled: int = 0
    remaining: int = 0
    municipalities: int = 0

    def add(self, state: QuotaState) -> None:
        p = state.persons
        self.target += p.taakstelling + p.redistributed + p.backlog
        self.realised += p.realised
        self.coupled += p.coupled
        self.remaining += p.remaining
        self.municipalities += 1

    @property
    def attained(self) -> float | None:
        """(realised + coupled) / target, or ``None`` without a target."""
        return (self.realised + self.coupled) / self.target if self.target > 0 else None


def attainment(state: QuotaState) -> float | None:
    """One municipality's (realised + coupled) / target, ``None`` without a target."""
    total = QuotaSum("")
    total.add(state)
    return total.attained


@dataclass(frozen=True)
class QuotaOverview:
    period: str
    total: QuotaSum
    provinces: list[QuotaSum]
    municipalities: list[tuple[Municipality, QuotaState]] = field(default_factory=list)


def quota_overview(session: Session, province: str | None = None) -> QuotaOverview:
    """The current period's quota state of every municipality (or of one province's), and the
    sums per province and in all."""
    period = current_period(session)
    states = quota_states(session, period)
    query = select(Municipality).order_by(Municipality.code)
    municipalities = list(session.scalars(query))
    total = QuotaSum("")
    provinces: dict[str, QuotaSum] = defaultdict(lambda: QuotaSum(""))
    rows = []
    for m in municipalities:
        state = states.get(m.code)
        if state is None:
            continue
        total.add(state)
        provinces[m.province].name = m.province
        provinces[m.province].add(state)
        if province is None or m.province == province:
            rows.append((m, state))
    return QuotaOverview(period.name, total, [provinces[p] for p in sorted(provinces)], rows)


@dataclass(frozen=True)
class LineFilter:
    """What the review page shows of a proposal's lines."""

    municipality: str | None = None
    action: str | None = None
    decision: str | None = None
    reason_kind: str | None = None
    sort: str = "overdue_desc"


def review_lines(session: Session, job_id: int, wanted: LineFilter, limit: int = 100,
                 offset: int = 0) -> tuple[list[ProposalLine], int]:
    """The lines of a proposal job matching ``wanted``, in its order, and how many match."""
    get_job(session, job_id)
    query = select(ProposalLine).where(ProposalLine.job_id == job_id)
    for column, value in ((ProposalLine.municipality_code, wanted.municipality), (ProposalLine.action, wanted.action),
                          (ProposalLine.decision, wanted.decision), (ProposalLine.reason_kind, wanted.reason_kind)):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if wanted.sort == "urgency":
        query = query.join(Household, Household.household_id == ProposalLine.household_id)
        order: tuple = (*deadlines.urgency_order(session), ProposalLine.id)
    else:
        order = {"overdue_desc": (ProposalLine.overdue_days.desc(), ProposalLine.id),
                 "overdue_asc": (ProposalLine.overdue_days, ProposalLine.id),
                 "line": (ProposalLine.id,)}[wanted.sort if wanted.sort in SORTS else "overdue_desc"]
    return list(session.scalars(query.order_by(*order).limit(limit).offset(offset))), total


def line_deadlines(session: Session, lines: list[ProposalLine], on: dt.date) -> dict[str, deadlines.Deadlines]:
    """The deadlines on ``on`` of the households of these lines, by household id."""
    ids = sorted({line.household_id for line in lines})
    return {h.household_id: deadlines.of(h, on)
            for h in session.scalars(select(Household).where(Household.household_id.in_(ids)))} if ids else {}


def line_choices(session: Session, job_id: int) -> tuple[list[str], list[str]]:
    """The municipalities and reason kinds that occur in a job's lines (for the filter menus)."""
    codes = session.scalars(select(ProposalLine.municipality_code).where(
        ProposalLine.job_id == job_id, ProposalLine.municipality_code.is_not(None)).distinct())
    kinds = session.scalars(select(ProposalLine.reason_kind).where(
        ProposalLine.job_id == job_id, ProposalLine.reason_kind.is_not(None)).distinct())
    return sorted(c for c in codes if c is not None), sorted(k for k in kinds if k is not None)


def municipality_names(session: Session, codes: list[str]) -> dict[str, str]:
    """CBS code to name, for these codes."""
    if not codes:
        return {}
    return dict(session.execute(select(Municipality.code, Municipality.name).where(Municipality.code.in_(codes))).all())
