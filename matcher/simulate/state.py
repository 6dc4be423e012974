"""The state the simulation carries from week to week, and its bookkeeping.

Who is waiting (coupled or not), which homes are on offer, which offers were refused (bans),
each municipality's quota books for the current period, and the record of everyone housed and
every coupling made.  :meth:`SimState.instance` turns the state into the week's engine instance;
:meth:`SimState.apply` carries out the accepted proposal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Protocol

from matcher.models import (
    Action,
    Ban,
    Dwelling,
    DwellingKind,
    Household,
    Instance,
    Location,
    Municipality,
    Params,
    Proposal,
)
from matcher.rules import great_circle_km


class RefusalRule(Protocol):
    """Whether a household refuses the home it is offered in week ``week``."""

    def __call__(self, week: int, household_id: str, dwelling_id: str, /) -> bool: ...


@dataclass
class Books:
    """A municipality's quota for the current period, in persons (and the AMV part).

    ``obligation`` is the period's taakstelling plus the backlog carried in (minus an advance);
    ``realised`` counts the persons housed this period (temporary homes included, they count at
    once [004:151]).  The quota left for new couplings is
    ``obligation - realised - coupled and still waiting`` (docs/contract.md §1).
    """

    taakstelling: int
    amv_taakstelling: int
    obligation: int
    amv_obligation: int
    realised: int = 0
    amv_realised: int = 0


@dataclass(frozen=True)
class PeriodBooks:
    """A municipality's books at the end of a period (or of the run, for the last one)."""

    period: int
    code: str
    province: str
    taakstelling: int
    obligation: int
    realised: int

    @property
    def met(self) -> bool:
        """Whether the municipality realised its obligation (an obligation of 0 or less is met)."""
        return self.realised >= self.obligation


@dataclass(frozen=True)
class Housed:
    """A household that moved into a home during the run."""

    household_id: str
    size: int
    amv: bool
    municipality: str
    dwelling_id: str
    kind: str
    permit_date: dt.date
    coupling_date: dt.date
    housed_date: dt.date
    week: int
    arrival_week: int
    """The week its permit arrived, or -1 for the households waiting when the run started."""

    @property
    def wait_days(self) -> int:
        """Days from coupling to housing (phases 2+3, what the pilot measured)."""
        return (self.housed_date - self.coupling_date).days

    @property
    def wait_from_permit_days(self) -> int:
        """Days from the permit to housing (against the 14-week norm)."""
        return (self.housed_date - self.permit_date).days


@dataclass(frozen=True)
class Onward:
    """An onward move during the run: a household in a temporary home moved on to a regular home
    of its municipality (docs/contract.md §3).  No quota is used again: it counted when it moved
    into the temporary home."""

    household_id: str
    size: int
    municipality: str
    temporary_home: str
    dwelling_id: str
    housed_since: dt.date
    moved_on: dt.date
    week: int

    @property
    def temporary_days(self) -> int:
        """Days spent in the temporary home."""
        return (self.moved_on - self.housed_since).days


@dataclass(frozen=True)
class Reunion:
    """Family members (nareizigers) who joined a household during the run: ``where`` it was then
    (``waiting`` in reception, in a ``temporary`` home, or ``housed`` in its home), its size after,
    and for a household in its home whether the home still fits (the housing check)."""

    household_id: str
    persons: int
    date: dt.date
    where: str
    size_after: int
    fits: bool | None


@dataclass(frozen=True)
class Coupling:
    """A new coupling made during the run (by ``couple`` or by ``house``)."""

    household_id: str
    size: int
    municipality: str
    km: float
    week: int


@dataclass(frozen=True)
class Offer:
    """A home on offer, with the places still free and the day the offer lapses."""

    dwelling: Dwelling
    lapses: dt.date


@dataclass
class WeekEvents:
    """What happened when a week's proposal was carried out."""

    housed: list[Housed] = field(default_factory=list)
    couplings: list[Coupling] = field(default_factory=list)
    onward: list[Onward] = field(default_factory=list)
    refusals: int = 0
    moves: int = 0
    """Person-moves: persons housed in a temporary home (they move again) and re-couplings.  The
    onward move out of a temporary home is the move counted when the household moved in there,
    so it is counted in ``onward``, not again here."""


@dataclass
class SimState:
    """Everything that carries over from one week to the next."""

    start: dt.date
    municipalities: tuple[Municipality, ...]
    locations: tuple[Location, ...]
    travel_minutes: tuple[tuple[str, str, float], ...]
    books: dict[str, Books]
    waiting: dict[str, Household] = field(default_factory=dict)
    temporary: dict[str, Household] = field(default_factory=dict)
    """Households housed in a temporary home during the run, waiting there for a regular home of
    their municipality (``temporary_home``, ``housed_since`` set; housed for the quota already)."""
    onward: list[Onward] = field(default_factory=list)
    document_dates: dict[str, dt.date] = field(default_factory=dict)
    arrival_week: dict[str, int] = field(default_factory=dict)
    offers: dict[str, Offer] = field(default_factory=dict)
    bans: dict[str, set[str]] = field(default_factory=dict)
    found_for: dict[str, str] = field(default_factory=dict)
    """Homes a municipality found for a household coupled to it (dwelling id → household id)."""
    housed: list[Housed] = field(default_factory=list)
    couplings: list[Coupling] = field(default_factory=list)
    periods: list[PeriodBooks] = field(default_factory=list)
    arrived_households: int = 0
    arrived_persons: int = 0
    period: int = 0
    family_due: dict[str, tuple[dt.date, int]] = field(default_factory=dict)
    """Family members due to arrive (a run with ``reunification_weeks``): household id -> (date, persons)."""
    expecting: set[str] = field(default_factory=set)
    """Households that expected family members when they arrived."""
    homes_of: dict[str, tuple[str, int]] = field(default_factory=dict)
    """The kind and places of the home of each housed household whose family is still due."""
    reunions: list[Reunion] = field(default_factory=list)
    extra_misfit_persons: int = 0
    """Expected family members who will not fit the regular home their household was housed in."""

    # --- arrivals and offers ---------------------------------------------------------------------

    def arrive(self, household: Household, document_date: dt.date, week: int) -> None:
        """A household joins the waiting list (a new permit, or the stock at the start)."""
        if household.household_id in self.waiting or household.household_id in self.arrival_week:
            raise ValueError(f"household {household.household_id} arrived twice")
        self.waiting[household.household_id] = household
        self.document_dates[household.household_id] = document_date
        self.arrival_week[household.household_id] = week
        if household.expected_extra:
            self.expecting.add(household.household_id)
        self.arrived_households += 1
        self.arrived_persons += household.size

    def expect_family(self, household_id: str, date: dt.date) -> None:
        """The household's ``expected_extra`` family members will join it on ``date``."""
        h = self.waiting[household_id]
        self.family_due[household_id] = (date, h.expected_extra)
        self.waiting[household_id] = replace(h, expected_extra_date=date)

    def reunite(self, as_of: dt.date) -> None:
        """Family members due by ``as_of`` join their household: one waiting (in reception or a
        temporary home) grows, keeping its coupling, and needs a home for all; one housed grows in
        its home, which may no longer fit (docs/simulation.md)."""
        for hid, (date, persons) in sorted(self.family_due.items()):
            if date > as_of:
                continue
            del self.family_due[hid]
            for where, pool in (("waiting", self.waiting), ("temporary", self.temporary)):
                if hid in pool:
                    h = pool[hid]
                    pool[hid] = replace(h, size=h.size + persons, expected_extra=0, expected_extra_date=None)
                    self.reunions.append(Reunion(hid, persons, date, where, h.size + persons, None))
                    break
            else:
                if hid in self.homes_of:
                    kind, places = self.homes_of.pop(hid)
                    size = next(r.size for r in reversed(self.housed) if r.household_id == hid) + persons
                    fits = size == 1 if kind == "shared" else size <= places
                    self.reunions.append(Reunion(hid, persons, date, "housed", size, fits))

    def offer(self, dwelling: Dwelling, offer_weeks: int, found_for: str | None = None) -> None:
        """A municipality offers a home; it lapses ``offer_weeks`` weeks after ``available_from``.
        ``found_for``: the coupled household the municipality found it for, if any."""
        lapses = dwelling.available_from + dt.timedelta(days=7 * offer_weeks)
        self.offers[dwelling.dwelling_id] = Offer(dwelling, lapses)
        if found_for is not None:
            self.found_for[dwelling.dwelling_id] = found_for

    def sought(self) -> dict[str, list[Household]]:
        """Per municipality, the households coupled to it and still waiting for whom no home it
        found is on offer, longest coupled first (then by id): whom it looks for a home for."""
        served = {hid for did, hid in self.found_for.items() if did in self.offers}
        out: dict[str, list[Household]] = {m.code: [] for m in self.municipalities}
        for h in self.waiting.values():
            if h.coupled_to is not None and h.household_id not in served:
                out.setdefault(h.coupled_to, []).append(h)
        for households in out.values():
            households.sort(key=lambda h: (h.coupling_date or dt.date.min, h.household_id))
        return out

    def start_week(self, as_of: dt.date) -> None:
        """Residence documents that arrived are in hand; offers that lapsed are withdrawn."""
        for hid, h in self.waiting.items():
            if not h.document_ready and self.document_dates[hid] <= as_of:
                self.waiting[hid] = replace(h, document_ready=True)
        for did in [did for did, o in self.offers.items() if o.lapses < as_of]:
            del self.offers[did]
        self.found_for = {did: hid for did, hid in self.found_for.items() if did in self.offers}

    def new_period(self, period: int) -> None:
        """Close the period's books and open the next: a new taakstelling plus the backlog
        (obligation minus realised; negative is an advance) [brief §4.3]."""
        self.close_books()
        for books in self.books.values():
            backlog = books.obligation - books.realised
            amv_backlog = books.amv_obligation - books.amv_realised
            books.obligation = books.taakstelling + backlog
            books.amv_obligation = books.amv_taakstelling + amv_backlog
            books.realised = books.amv_realised = 0
        self.period = period

    def close_books(self) -> None:
        """Record every municipality's books for the current period."""
        province = {m.code: m.province for m in self.municipalities}
        self.periods = [p for p in self.periods if p.period != self.period]
        self.periods += [
            PeriodBooks(self.period, code, province[code], b.taakstelling, b.obligation, b.realised)
            for code, b in self.books.items()
        ]

    # --- the week's instance ---------------------------------------------------------------------

    def coupled_open(self) -> tuple[dict[str, int], dict[str, int]]:
        """Persons (and AMV persons) coupled to each municipality and still waiting."""
        persons = dict.fromkeys(self.books, 0)
        amv = dict.fromkeys(self.books, 0)
        for h in self.waiting.values():
            if h.coupled_to is not None:
                persons[h.coupled_to] += h.size
                if h.amv:
                    amv[h.coupled_to] += h.size
        return persons, amv

    def quota_remaining(self) -> dict[str, tuple[int, int]]:
        """Per municipality: persons and AMV persons it may still be newly coupled (docs/contract.md §1)."""
        persons, amv = self.coupled_open()
        out = {}
        for code, b in self.books.items():
            remaining = b.obligation - b.realised - persons[code]
            amv_remaining = b.amv_obligation - b.amv_realised - amv[code]
            out[code] = (remaining, min(amv_remaining, max(0, remaining)))
        return out

    def instance(self, params: Params, name: str) -> Instance:
        """The engine's instance for this week: the households waiting, the homes on offer that
        can be handed over within the horizon, the quota left, and the refusals as bans."""
        quota = self.quota_remaining()
        municipalities = tuple(replace(m, quota_remaining=quota[m.code][0], amv_quota_remaining=quota[m.code][1])
                               for m in self.municipalities)
        dwellings = tuple(o.dwelling for o in self.offers.values() if o.dwelling.available_from <= params.end)
        present = {d.dwelling_id for d in dwellings}
        households = (*self.waiting.values(), *self.temporary.values())
        bans = tuple(Ban(h.household_id, dwelling_id=did) for h in households
                     for did in sorted(self.bans.get(h.household_id, ())) if did in present)
        return Instance(
            municipalities=municipalities,
            locations=self.locations,
            households=households,
            dwellings=dwellings,
            travel_minutes=self.travel_minutes,
            bans=bans,
            name=name,
        )

    # --- carrying out the proposal ---------------------------------------------------------------

    def apply(self, instance: Instance, proposal: Proposal, week: int, as_of: dt.date,
              refuse: RefusalRule) -> WeekEvents:
        """Carry out the accepted lines of ``proposal``: refused homes become bans, couplings are
        made on ``as_of``, housed households move in on ``max(as_of, available_from)`` and count
        for the quota of this period."""
        events = WeekEvents()
        location = instance.location_by_id
        point = {m.code: m for m in self.municipalities}

        def km(h: Household, code: str) -> float:
            loc, m = location[h.location_id], point[code]
            return great_circle_km(loc.lat, loc.lon, m.lat, m.lon)

        for a in proposal.assignments:
            if a.action is Action.WAIT:
                continue
            if a.household_id in self.temporary:
                self._move_on(self.temporary[a.household_id], a.dwelling_id, as_of, week, refuse, events)
                continue
            h = self.waiting[a.household_id]
            if a.action is Action.COUPLE:
                self._couple(h, a.municipality, as_of, week, km(h, a.municipality), events)
                continue
            offer = self.offers[a.dwelling_id]
            d = offer.dwelling
            if refuse(week, h.household_id, d.dwelling_id):
                self.bans.setdefault(h.household_id, set()).add(d.dwelling_id)
                events.refusals += 1
                continue
            if h.coupled_to != d.municipality:
                if h.coupled_to is not None:
                    events.moves += h.size
                h = self._couple(h, d.municipality, as_of, week, km(h, d.municipality), events)
            if d.kind is DwellingKind.TEMPORARY:
                events.moves += h.size
            left = 0 if d.kind is DwellingKind.REGULAR else d.capacity - h.size
            if left > 0:
                self.offers[d.dwelling_id] = replace(offer, dwelling=replace(d, capacity=left))
            else:
                del self.offers[d.dwelling_id]
            books = self.books[d.municipality]
            books.realised += h.size
            if h.amv:
                books.amv_realised += h.size
            coupling_date = h.coupling_date or as_of
            record = Housed(h.household_id, h.size, h.amv, d.municipality, d.dwelling_id, d.kind.value,
                            h.permit_date, coupling_date, max(as_of, d.available_from), week,
                            self.arrival_week[h.household_id])
            events.housed.append(record)
            self.housed.append(record)
            if d.kind is DwellingKind.REGULAR:
                self.extra_misfit_persons += max(0, h.size + h.expected_extra - d.capacity)
            if h.household_id in self.family_due:
                self.homes_of[h.household_id] = (d.kind.value, d.capacity)
            del self.waiting[h.household_id]
            if d.kind is not DwellingKind.TEMPORARY:  # from a temporary home its refusals still stand
                self.bans.pop(h.household_id, None)
            else:
                # Housed for the quota, it waits there for a regular home of its municipality.
                self.temporary[h.household_id] = replace(h, coupling_date=coupling_date, document_ready=True,
                                                         temporary_home=d.dwelling_id, housed_since=record.housed_date)
        return events

    def _move_on(self, h: Household, dwelling_id: str | None, as_of: dt.date, week: int, refuse: RefusalRule,
                 events: WeekEvents) -> None:
        """An onward move from a temporary home into the regular home ``dwelling_id`` (or a
        refusal, which becomes a ban).  The place it leaves is not offered again: the temporary
        home's offer is its own (docs/simulation.md)."""
        assert dwelling_id is not None and h.temporary_home is not None and h.housed_since is not None
        d = self.offers[dwelling_id].dwelling
        if refuse(week, h.household_id, d.dwelling_id):
            self.bans.setdefault(h.household_id, set()).add(d.dwelling_id)
            events.refusals += 1
            return
        del self.offers[d.dwelling_id]  # a regular home: one household
        if h.household_id in self.family_due:
            self.homes_of[h.household_id] = (d.kind.value, d.capacity)
        record = Onward(h.household_id, h.size, d.municipality, h.temporary_home, d.dwelling_id, h.housed_since,
                        max(as_of, d.available_from), week)
        events.onward.append(record)
        self.onward.append(record)
        del self.temporary[h.household_id]
        self.bans.pop(h.household_id, None)

    def _couple(self, h: Household, code: str, as_of: dt.date, week: int, km: float, events: WeekEvents) -> Household:
        coupled = replace(h, coupled_to=code, coupling_date=as_of)
        self.waiting[h.household_id] = coupled
        record = Coupling(h.household_id, h.size, code, km, week)
        events.couplings.append(record)
        self.couplings.append(record)
        return coupled


def reunification_summary(state: SimState, end: dt.date) -> dict[str, object]:
    """What family reunification did in the run (``run.json``'s ``reunification``): the households
    that expected family, when their members joined (waiting, in a temporary home, in their own
    home; homes that no longer fit), and the wait from the permit of those expecting family
    against the others, with the expected members housed without room (``extra_misfit``)."""
    from matcher.simulate.metrics import wait_stats

    def joined(where: str) -> dict[str, int]:
        rs = [r for r in state.reunions if r.where == where]
        return {"households": len(rs), "persons": sum(r.persons for r in rs)}

    housed_in_home = [r for r in state.reunions if r.where == "housed"]
    first: dict[str, Housed] = {}
    for r in state.housed:
        first.setdefault(r.household_id, r)
    still = {**state.waiting, **state.temporary}

    def days(expecting: bool) -> dict[str, float | None]:
        """Days from the permit to the (first) move-in, or to ``end`` for those still waiting in
        reception: nobody waiting is left out, so leaving households waiting cannot look better."""
        out = [r.wait_from_permit_days for hid, r in first.items() if (hid in state.expecting) == expecting]
        out += [(end - h.permit_date).days for hid, h in state.waiting.items() if (hid in state.expecting) == expecting]
        return wait_stats(out)

    return {
        "expecting_households": len(state.expecting),
        "days_from_permit_expecting": days(True),
        "days_from_permit_others": days(False),
        "waiting_expecting_households_end": sum(1 for hid in still if hid in state.expecting),
        "joined_waiting": joined("waiting"),
        "joined_temporary": joined("temporary"),
        "joined_in_home": joined("housed"),
        "grown_past_home": sum(1 for r in housed_in_home if r.fits is False),
        "still_due_households": len(state.family_due),
        "extra_misfit_persons": state.extra_misfit_persons,
        "wait_from_permit_expecting": wait_stats([r.wait_from_permit_days for hid, r in first.items() if hid in state.expecting]),
        "wait_from_permit_others": wait_stats([r.wait_from_permit_days for hid, r in first.items() if hid not in state.expecting]),
        "housed_expecting_households": sum(1 for hid in first if hid in state.expecting),
        "housed_other_households": sum(1 for hid in first if hid not in state.expecting),
    }
