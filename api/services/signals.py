"""Signals for COA (issue 16 item 5), computed from the service's database, with ids and
times that do not change while what they describe holds, so a feed of them pages stably.

Nothing is stored in the database: the world (the job's snapshot and the rules) and the signals
of each kind are kept in the process while the data does not change (:data:`WORLDS`,
:data:`SIGNALS`, keyed on :func:`api.services.changes.fingerprint`, read first by every request),
so the first request after any write computes them afresh and the next ones reuse them.  The
half of the world that reads no home, lock or ban (:class:`Crowd`: the households in line, the
quota left, the shortfalls) is kept across writes to those tables (:data:`CROWDS`; on
PostgreSQL, which notes writes per table), and with it the households each home fits and each
municipality's pass over its homes, by that home or those homes and the bans: so after a write
to a home only what it touches is computed afresh.  After a write to the households or quota a
new crowd is made from the one before (:data:`_LAST`): only the households whose rows changed are
read again (:func:`api.engine.snapshot_people` with ``before``), and what it found for the homes
of municipalities no change touched is taken over (:func:`_carry`).

Three kinds (docs/contract.md §11, *Signals*):

- ``large_home``: an open home with room left whose ``capacity`` is at least
  :attr:`~api.config.Settings.signal_large_home` (default 5), with the households it fits.  A
  household *fits* a home when the engine's own rules allow housing it there with the quota set
  aside (:meth:`matcher.rules.Rules.may_house` on the job's instance with unlimited quota, the
  home's availability date lifted to the as-of date): kind, size and minimum occupancy, AMV,
  accessibility, the residence document, bans, and the region (rule 5) for a household not yet
  coupled, or the household already coupled to the home's municipality.  ``quota_allows`` says
  whether the real quota left allows it too.  Id ``large-home-<home>``, raised when the home was
  offered (``homes.created_at``).
- ``province_shortfall``: a province whose couplings over the last ``N`` whole ISO weeks
  (:attr:`~api.config.Settings.signal_weeks`, default 4; the weeks before the as-of date's week)
  fall below ``ratio`` (:attr:`~api.config.Settings.signal_shortfall`, default 0.8) times its
  quota share of all couplings in those weeks.  Couplings are persons of households coupled,
  moving in or housed whose ``coupling_date`` lies in the window, counted for the province of
  the municipality they are coupled to; the quota share of a province is its ``target``
  (taakstelling + redistributed + backlog of the current period, summed over its
  municipalities, at least 0) over the sum of all provinces' targets; ``expected`` is that share
  times the national couplings.  Nothing is raised while there are no couplings in the window.
  Id ``shortfall-<province>-<monday>``, raised on the Monday of the as-of date's week.
- ``region_shortfall``: the same for COA's five regions (:data:`REGIONS`, groups of
  provinces): id ``region-shortfall-<region>-<monday>``; ``safety_region_shortfall`` for the 25
  veiligheidsregio's of Tabel 1 (``municipalities.safety_region``): id
  ``safety-shortfall-<region>-<monday>``.
- ``idle_homes``: a municipality with homes available within the horizon that stay empty for
  lack of quota while households in range wait uncoupled elsewhere.  Home by home (in id order),
  each takes the first fitting household (longest overdue first, then earliest permit, then id):
  one coupled to the municipality if any (no quota needed), else a waiting one, which uses the
  quota left (:attr:`matcher.rules.Rules.quota`, AMV likewise) if it suffices; if it does not,
  the home is idle for lack of quota and the household's persons are ``short``.  The suggested
  redistribution comes from the nearest other municipality (great-circle, municipality points)
  with quota to spare (its quota left after the same pass over its own homes, and no more than
  the taakstelling it may give away, as ``POST /redistributions`` checks): ``persons`` =
  the least of ``short`` and that spare, the AMV part likewise.  The total stays unchanged (a
  redistribution moves persons from one municipality's target to the other's).  Id
  ``idle-<code>-<monday>``, raised on the Monday of the as-of date's week.

COA sees every signal; a municipality only those about itself (its large home; idle homes it
offers or is asked to give quota for), without the ids of households not coupled to it.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import datetime as dt
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Home, Household, Job, Municipality
from api.services.changes import Cache, fingerprint, uncollected
from api.services.errors import Actor, FieldError, Invalid, NotFound
from api.services.municipalities import QuotaState
from matcher import models as engine
from matcher.rules import Rules, dwelling_fits, great_circle_km

KINDS = ("large_home", "province_shortfall", "region_shortfall", "safety_region_shortfall", "idle_homes")
RANK = {"idle_homes": 4, "large_home": 3, "region_shortfall": 2, "province_shortfall": 1, "safety_region_shortfall": 0}
PREFIXES = (("large-home-", "large_home"), ("region-shortfall-", "region_shortfall"), ("shortfall-", "province_shortfall"),
            ("safety-shortfall-", "safety_region_shortfall"), ("idle-", "idle_homes"))
"""Each kind's id prefix (the longer ``region-shortfall-`` before ``shortfall-``)."""


def kind_of(signal_id: str) -> str | None:
    return next((kind for prefix, kind in PREFIXES if signal_id.startswith(prefix)), None)
UNLIMITED = 10**9
MAX_HOUSEHOLDS = 1000
REPLACE_AT = 500
"""More households changed or gone than this since the crowd before: its line is sorted whole again
rather than these put back in it one by one."""
"""The most households one signal lists (the count is always whole)."""
FEED_HOUSEHOLDS = 20
"""The most households a signal lists in the feed (its own page lists :data:`MAX_HOUSEHOLDS`)."""


@dataclass(frozen=True)
class Signal:
    """One signal: a stable ``id``, its ``kind``, when it was raised, whom it is about, and what
    it says (``values``), with the homes and households it concerns and, for ``idle_homes``, the
    suggested redistribution (the body of ``POST /api/v1/redistributions``)."""

    id: str
    kind: str
    raised_at: dt.datetime
    municipalities: tuple[str, ...]
    province: str
    values: dict[str, Any] = field(default_factory=dict)
    homes: list[dict[str, Any]] = field(default_factory=list)
    households: list[dict[str, Any]] = field(default_factory=list)
    suggestion: dict[str, Any] | None = None
    dwelling: engine.Dwelling | None = field(default=None, compare=False, repr=False)
    """A large home's dwelling until :func:`complete` has listed the households it fits."""

    @property
    def key(self) -> tuple[dt.datetime, int, str]:
        """The feed's order (newest first is this key descending): the time raised, then among
        signals raised at once the kinds that ask for an action first (:data:`RANK`), then the id."""
        return self.raised_at, RANK[self.kind], self.id


@dataclass(frozen=True)
class Options:
    """What the signals are computed with (:class:`api.config.Settings` gives the defaults)."""

    large_home: int = 5
    weeks: int = 4
    shortfall: float = 0.8


# --- cursor -----------------------------------------------------------------------------------

def encode_cursor(signal: Signal) -> str:
    """An opaque cursor: the signal's place in the feed."""
    raw = f"{signal.raised_at.isoformat()}|{signal.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int, str]:
    """The place a cursor names (as :attr:`Signal.key`); :class:`Invalid` at ``after`` if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, ident = raw.partition("|")
        kind = kind_of(ident)
        if not ID.match(ident) or kind is None:
            raise ValueError(raw)
        return dt.datetime.fromisoformat(when), RANK[kind], ident
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid([FieldError(("query", "after"), "bad_cursor")]) from None


ID = re.compile(r"^[a-z0-9-]{1,100}$")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# --- the world the engine sees ----------------------------------------------------------------

@dataclass
class Crowd:
    """What the signals need that does not read homes, locks or bans (:func:`api.engine.snapshot_people`
    and what follows from it): kept across writes to those tables (:data:`CROWDS`), with what was
    derived from it for given homes and bans (the households a home fits, a municipality's pass
    over its homes), so that after a write to a home only what that home touches is computed afresh."""

    rules: Rules
    """The rules of the instance without dwellings: the place in line, distances, rule 5."""
    states: dict[str, QuotaState]
    households: dict[str, engine.Household]
    by_location: dict[str, list[engine.Household]]
    locations_of: dict[str, list[str]]
    """Per municipality the reception locations from which it is in range (rule 5)."""
    names: dict[str, Any]
    """Every municipality (:data:`MUNICIPALITY_COLUMNS`), by code."""
    people: Any = None
    """The :class:`api.engine.People` read."""
    rank: dict[str, tuple[int, dt.date, str]] = field(default_factory=dict)
    """Per household its place in line: longest overdue first, then earliest permit, then id."""
    coupled_to: dict[str, list[engine.Household]] = field(default_factory=dict)
    """Per municipality the households coupled to it, in line."""
    waiting_at: dict[str, list[engine.Household]] = field(default_factory=dict)
    """Per reception location the households waiting there uncoupled, in line."""
    _candidates: dict[str, list[engine.Household]] = field(default_factory=dict)
    _in_line: list[engine.Household] = field(default_factory=list)
    """Every household in line (:attr:`rank`)."""
    _coupled_at: dict[str, list[int]] = field(default_factory=dict)
    _waiting_at: dict[str, list[int]] = field(default_factory=dict)
    """As :attr:`coupled_to` and :attr:`waiting_at`, by place in :attr:`_in_line`."""
    fits: dict[tuple[engine.Dwelling, int], list[tuple[engine.Household, bool]]] = field(default_factory=dict)
    """The households a dwelling fits (:func:`_fits`), by the dwelling and the bans (:meth:`bans_key`)."""
    passes: dict[tuple[str, tuple[engine.Dwelling, ...], int], _Pass] = field(default_factory=dict)
    """A municipality's pass of ``idle_homes`` (:func:`_pass`), by its dwellings and the bans."""
    shortfalls: dict[tuple[int, float], list[Signal]] = field(default_factory=dict)
    """The three shortfall kinds (:func:`shortfalls`: no homes in them), by weeks and ratio."""
    nearest: dict[str, list[str]] = field(default_factory=dict)
    """Per municipality the codes of the others, nearest first (great-circle km between their points, then
    code); the same dict as the crowd before while the municipalities' points are (:data:`_NEAREST`)."""
    _bans: dict[tuple[engine.Ban, ...], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    places: Any = None
    """The places and rule 5's limits the distances and ranges were derived from (:data:`_PLACES`)."""
    before: Crowd | None = None
    """The crowd before, whose households' places in line this one may take over (then dropped)."""

    def __post_init__(self) -> None:
        before = self.before
        self.before = None  # not kept: a chain of crowds would stay alive
        if before is not None and before.people.params == self.people.params:
            # the same household object (taken over, api.engine.snapshot_people) and parameters: its place
            # as before; the line is the one before without the households gone or changed, and the
            # changed put back each in its place (a few: not the whole line sorted again)
            old = before.households
            changed = [h for hid, h in self.households.items() if old.get(hid) is not h]
            out = {hid for hid in old.keys() - self.households.keys()} | {h.household_id for h in changed}
            self.rank = dict(before.rank)
            for hid in out:
                self.rank.pop(hid, None)
            for h in changed:
                self.rank[h.household_id] = (-self.rules.overdue(h), h.permit_date, h.household_id)
            if len(out) <= REPLACE_AT:
                line = [h for h in before._in_line if h.household_id not in out] if out else list(before._in_line)
                for h in sorted(changed, key=self.priority):
                    bisect.insort(line, h, key=self.priority)
                self._in_line = line
            else:
                self._in_line = sorted(self.households.values(), key=self.priority)
        else:
            self.rank = {h.household_id: (-self.rules.overdue(h), h.permit_date, h.household_id)
                         for h in self.households.values()}
            self._in_line = sorted(self.households.values(), key=self.priority)
        coupled: dict[str, list[engine.Household]] = defaultdict(list)
        waiting: dict[str, list[engine.Household]] = defaultdict(list)
        coupled_at: dict[str, list[int]] = defaultdict(list)
        waiting_at: dict[str, list[int]] = defaultdict(list)
        for place, h in enumerate(self._in_line):
            if h.coupled_to is not None:
                coupled[h.coupled_to].append(h)
                coupled_at[h.coupled_to].append(place)
            else:
                waiting[h.location_id].append(h)
                waiting_at[h.location_id].append(place)
        self.coupled_to, self.waiting_at = dict(coupled), dict(waiting)
        self._coupled_at, self._waiting_at = dict(coupled_at), dict(waiting_at)

    def priority(self, h: engine.Household) -> tuple[int, dt.date, str]:
        return self.rank[h.household_id]

    def candidates(self, code: str) -> list[engine.Household]:
        """Households coupled to ``code`` and those waiting uncoupled in a location in range of it, in line."""
        if code not in self._candidates:
            places = list(self._coupled_at.get(code, ()))
            for loc in self.locations_of.get(code, ()):
                places += self._waiting_at.get(loc, ())
            places.sort()  # places in line: whole numbers, sorted without a key
            self._candidates[code] = [self._in_line[place] for place in places]
        return self._candidates[code]

    def bans_key(self, bans: tuple[engine.Ban, ...]) -> int:
        """A small number for these bans, the same for the same bans (what :attr:`fits` and
        :attr:`passes` are kept by besides the homes)."""
        with self._lock:  # two requests at once must not draw the same number for different bans
            return self._bans.setdefault(bans, len(self._bans))

    def others(self, code: str) -> Iterator[Any]:
        """The other municipalities, nearest to ``code`` first."""
        if code not in self.nearest:
            m = self.names[code]
            self.nearest[code] = [o.code for o in sorted(
                (o for o in self.names.values() if o.code != code),
                key=lambda o: (great_circle_km(m.lat, m.lon, o.lat, o.lon), o.code))]
        return (self.names[other] for other in self.nearest[code])


@dataclass
class World:
    """The job's instance for ``as_of`` (:func:`api.engine.snapshot`), its rules, the same with
    the quota set aside, and what does not read homes (:class:`Crowd`)."""

    crowd: Crowd
    rules: Rules
    unlimited: Rules
    homes: dict[int, Any]
    """The open homes with room left: plain rows (:data:`HOME_COLUMNS`), no ORM objects, since the
    world outlives the session that read it."""
    bans: int = 0
    """The instance's bans (:meth:`Crowd.bans_key`)."""
    completed: dict[tuple[str, int], Signal] = field(default_factory=dict)
    """Large homes' signals with their households (:func:`complete`), by id and most listed."""

    @property
    def states(self) -> dict[str, QuotaState]:
        return self.crowd.states

    @property
    def names(self) -> dict[str, Any]:
        return self.crowd.names

    @property
    def households(self) -> dict[str, engine.Household]:
        return self.crowd.households

    @property
    def coupled_to(self) -> dict[str, list[engine.Household]]:
        return self.crowd.coupled_to

    def candidates(self, code: str) -> list[engine.Household]:
        return self.crowd.candidates(code)


def crowd(session: Session, as_of: dt.date) -> Crowd:
    from api.engine import snapshot_people

    previous = _LAST.get(as_of)  # its households are taken over where their rows did not change
    people = snapshot_people(session, Job(id=0, as_of=as_of, params={}, solver="greedy", time_limit=1.0),
                             before=previous.people if previous is not None else None)
    instance = people.instance
    rules = Rules(instance, people.params)
    places = (tuple((loc.location_id, loc.lat, loc.lon) for loc in instance.locations),
              tuple((m.code, m.lat, m.lon) for m in instance.municipalities),
              people.params.max_km, people.params.max_minutes, instance.travel_minutes)
    last = _PLACES[0]
    if last is not None and last[0] == places:  # the same places and rule 5 as the crowd before: its distances
        rules.__dict__.update(last[1])
    _PLACES[0] = (places, {name: getattr(rules, name) for name in PLACES})
    by_location: dict[str, list[engine.Household]] = defaultdict(list)
    for h in instance.households:
        by_location[h.location_id].append(h)
    locations_of: dict[str, list[str]] = defaultdict(list)
    for loc, codes in rules.in_range_by_location.items():
        for code in codes:
            locations_of[code].append(loc)
    names = {m.code: m for m in session.execute(select(*MUNICIPALITY_COLUMNS))}
    points = tuple((m.code, m.lat, m.lon) for m in names.values())
    if _NEAREST[0] != points:
        _NEAREST[:] = [points, {}]
    c = Crowd(rules, people.quota, {h.household_id: h for h in instance.households}, by_location, locations_of,
              names, people, nearest=_NEAREST[1], places=places, before=previous)
    before = previous
    if (before is not None and before.places == places and before.people.params == people.params
            and before.people.rows is not None and people.rows is not None):
        _carry(before, c)
    _LAST[as_of] = c
    while len(_LAST) > 4:
        _LAST.pop(next(iter(_LAST)))
    return c


_LAST: dict[dt.date, Crowd] = {}
"""The crowd made last per as-of date (a few dates): what the next one may take over (:func:`_carry`)."""


def forget() -> None:
    """Nothing kept any more: the next request computes everything afresh (for tests)."""
    for cache in (CROWDS, WORLDS, SIGNALS):
        cache.clear()
    _LAST.clear()


def _touched(before: Crowd, after: Crowd) -> set[str]:
    """The municipalities whose candidates (:meth:`Crowd.candidates`, their order included) or
    quota left may differ between two crowds of the same places and parameters: those a household
    added, removed or changed was or is coupled to or in range of (as a waiting household), and
    those whose quota left or AMV quota left changed."""
    out: set[str] = set()
    in_range = after.rules.in_range_by_location
    old, new = before.people.rows, after.people.rows  # what each household was made from: equal rows, equal households
    assert old is not None and new is not None
    # a row taken over is the very tuple of the crowd before: told apart by identity before equality
    changed = {hid for hid, row in new.items() if old.get(hid) is not row and old.get(hid) != row} \
        | (old.keys() - new.keys())
    for hid in changed:
        for h in (before.households.get(hid), after.households.get(hid)):
            if h is not None:
                if h.coupled_to is not None:
                    out.add(h.coupled_to)
                out.update(in_range.get(h.location_id, ()))
    for name in ("quota", "amv_quota"):
        old, new = getattr(before.rules, name), getattr(after.rules, name)
        out.update(code for code in old.keys() | new.keys() if old.get(code) != new.get(code))
    return out


def _carry(before: Crowd, after: Crowd) -> None:
    """Take over into ``after`` what ``before`` found for the homes of the municipalities no
    household or quota change touched (:func:`_touched`): the households a home fits and a
    municipality's pass, which depend on the home or homes, the bans, that municipality's
    candidates and quota left, and the places and parameters (the same) alone."""
    touched = _touched(before, after)
    with before._lock:
        after._bans.update(before._bans)  # the same numbers for the same bans
    after.fits.update({key: found for key, found in before.fits.copy().items() if key[0].municipality not in touched})
    after.passes.update({key: found for key, found in before.passes.copy().items() if key[0] not in touched})
    # the same households (the very objects) in the same order for a municipality no change touched
    after._candidates.update({code: found for code, found in before._candidates.copy().items() if code not in touched})


PLACES = ("km", "minutes", "in_range_by_location")
"""What :class:`~matcher.rules.Rules` derives from the places alone (and rule 5's limits)."""


def world(session: Session, as_of: dt.date, c: Crowd) -> World:
    """The world of ``c`` with the homes, locks and bans as of now."""
    from api.engine import snapshot_homes

    rows = session.execute(select(*HOME_COLUMNS).where(Home.status == "open").order_by(Home.id)).all()
    instance, _ = snapshot_homes(session, c.people, with_previous=False, homes=rows)
    params = c.people.params
    rules, unlimited = Rules(instance, params), Rules(instance, params)
    for name in PLACES:  # the same places: computed once, for the crowd
        rules.__dict__[name] = unlimited.__dict__[name] = getattr(c.rules, name)
    # the quota set aside: what Rules would derive from every municipality's quota left at UNLIMITED
    unlimited.__dict__["quota"] = {m.code: UNLIMITED + params.quota_slack for m in instance.municipalities}
    unlimited.__dict__["amv_quota"] = {m.code: UNLIMITED for m in instance.municipalities}
    ids = {int(d.dwelling_id) for d in instance.dwellings}  # open homes with room left
    homes = {h.id: h for h in rows if h.id in ids}
    return World(c, rules, unlimited, homes, c.bans_key(instance.bans))


_NEAREST: list[Any] = [None, {}]
"""The municipalities' points of the last crowd and its :attr:`Crowd.nearest`."""
_PLACES: list[Any] = [None]
"""The places (locations, municipality points, rule 5's limits and travel times) of the last crowd
and the distances and ranges :class:`~matcher.rules.Rules` derived from them: the same for the
next crowd unless one of them changed (great-circle km for some 20,000 pairs)."""

HOME_COLUMNS = (Home.id, Home.reference, Home.municipality_code, Home.kind, Home.capacity, Home.min_occupancy,
                Home.accessible, Home.available_from, Home.created_at)
MUNICIPALITY_COLUMNS = (Municipality.code, Municipality.name, Municipality.province, Municipality.safety_region,
                        Municipality.lat, Municipality.lon)


def _fits(w: World, d: engine.Dwelling) -> list[tuple[engine.Household, bool]]:
    """The households ``d`` fits by the engine's rules with the quota set aside (its
    availability lifted), each with whether the real quota allows it too; best first.  Kept with
    the crowd for this dwelling and these bans (nothing else of the homes decides it)."""
    key = (d, w.bans)
    found = w.crowd.fits.get(key)
    if found is None:
        lifted, code = replace(d, available_from=min(d.available_from, w.rules.end)), d.municipality
        # dwelling_fits first: may_house checks it too, but most candidates fail it and it is cheaper
        fitting = [h for h in w.candidates(code) if dwelling_fits(h, lifted) and w.unlimited.may_house(h, lifted)]
        # where the unlimited rules allow it, the real ones (w.rules.may_house) differ only in the
        # quota: none needed in its own municipality, else the persons (and AMV persons) left
        left, amv_left = w.rules.quota[code], w.rules.amv_quota[code]
        found = w.crowd.fits[key] = [(h, h.coupled_to == code or (h.size <= left and (not h.amv or h.size <= amv_left)))
                                     for h in fitting]
    return found


def _household(w: World, h: engine.Household, code: str, quota_allows: bool | None = None) -> dict[str, Any]:
    out = {"household_id": h.household_id, "size": h.size, "amv": h.amv, "needs_accessible": h.needs_accessible,
           "location_id": h.location_id, "permit_date": h.permit_date, "coupled_to": h.coupled_to,
           "km": round(w.rules.household_km(h, code), 1) if (h.location_id, code) in w.rules.km else None,
           "overdue_days": w.rules.overdue(h)}
    if quota_allows is not None:
        out["quota_allows"] = quota_allows
    return out


def _home(w: World, d: engine.Dwelling) -> dict[str, Any]:
    home = w.homes[int(d.dwelling_id)]
    return {"home_id": home.id, "reference": home.reference, "municipality": home.municipality_code, "kind": home.kind,
            "capacity": home.capacity, "room_left": d.capacity, "min_occupancy": home.min_occupancy,
            "accessible": home.accessible, "available_from": home.available_from}


# --- the three kinds --------------------------------------------------------------------------

def large_homes(session: Session, w: World, names: dict[str, Any], size: int) -> list[Signal]:
    """The large homes, each still without the households it fits (:func:`complete` adds them:
    the feed does so only for the signals of the page it returns)."""
    out = []
    for d in w.rules.instance.dwellings:
        home = w.homes.get(int(d.dwelling_id))
        if home is None or home.capacity < size:
            continue
        m = names[d.municipality]
        out.append(Signal(
            f"large-home-{home.id}", "large_home", home.created_at, (d.municipality,), m.province,
            {"home_id": home.id, "municipality": d.municipality, "name": m.name, "capacity": home.capacity,
             "size": size}, [_home(w, d)], dwelling=d))
    return out


def complete(w: World, signal: Signal, most: int = MAX_HOUSEHOLDS) -> Signal:
    """A large home's signal with (at most ``most`` of) the households its home fits; others as they are."""
    if signal.dwelling is None:
        return signal
    d = signal.dwelling
    fits = _fits(w, d)  # the whole list, for the counts: kept with the crowd
    return replace(signal, dwelling=None,
                   values={**signal.values, "fits": len(fits), "fits_within_quota": sum(1 for _, ok in fits if ok)},
                   households=[_household(w, h, d.municipality, ok) for h, ok in fits[:most]])


REGIONS = {
    "Noord-Nederland": ("Friesland", "Groningen", "Drenthe"),
    "Midden-Nederland": ("Utrecht", "Flevoland", "Noord-Holland"),
    "Oost-Nederland": ("Gelderland", "Overijssel"),
    "Zuid-Nederland": ("Noord-Brabant", "Limburg"),
    "West-Nederland": ("Zuid-Holland", "Zeeland"),
}
"""COA's five regions of its regional coordinators (regievoerders), by province: Fryslân,
Groningen and Drenthe; Utrecht, Flevoland and Noord-Holland; Gelderland and Overijssel;
Noord-Brabant and Limburg; Zuid-Holland and Zeeland [001:846; 001:886; 001:1025; 001:1163;
001:1427].  The names are ours (the sources list the provinces)."""


def shortfalls(session: Session, w: World | Crowd, as_of: dt.date, weeks: int, ratio: float,
               names: dict[str, Any]) -> list[Signal]:
    """``province_shortfall`` per province, ``region_shortfall`` per COA region (:data:`REGIONS`)
    and ``safety_region_shortfall`` per veiligheidsregio (``municipalities.safety_region``)."""
    start_week = monday(as_of)
    start, end = start_week - dt.timedelta(days=7 * weeks), start_week - dt.timedelta(days=1)
    target: dict[str, int] = defaultdict(int)
    for code, state in w.states.items():
        p = state.persons
        target[code] += p.taakstelling + p.redistributed + p.backlog
    query = (select(Household.municipality_code, func.sum(Household.size))
             .where(Household.state.in_(("coupled", "moving_in", "housed")), Household.municipality_code.is_not(None),
                    Household.coupling_date >= start, Household.coupling_date <= end)
             .group_by(Household.municipality_code))
    couplings = {code: int(n or 0) for code, n in session.execute(query) if code in names}
    raised = dt.datetime.combine(start_week, dt.time())
    region_of = {prov: region for region, provinces in REGIONS.items() for prov in provinces}
    out = []
    groupings: tuple[tuple[str, str, dict[str, str]], ...] = (
        ("province_shortfall", "shortfall", {code: m.province for code, m in names.items()}),
        ("region_shortfall", "region-shortfall", {code: region_of.get(m.province, m.province) for code, m in names.items()}),
        ("safety_region_shortfall", "safety-shortfall",
         {code: m.safety_region for code, m in names.items() if m.safety_region}))
    for kind, prefix, group in groupings:
        targets: dict[str, int] = defaultdict(int)
        got: dict[str, int] = defaultdict(int)
        for code, t in target.items():
            if code in group:
                targets[group[code]] += t
        for code, n in couplings.items():
            if code in group:
                got[group[code]] += n
        targets = {name: max(0, t) for name, t in targets.items()}
        national_target, total = sum(targets.values()), sum(got.values())
        if total == 0 or national_target == 0:
            continue
        for name in sorted(targets):
            share = targets[name] / national_target
            expected = share * total
            if got[name] < ratio * expected:
                values: dict[str, Any] = {"weeks": weeks, "window_start": start, "window_end": end,
                                          "couplings": got[name], "national_couplings": total, "target": targets[name],
                                          "national_target": national_target, "share": round(share, 4),
                                          "expected": round(expected, 1), "ratio": ratio}
                if kind == "province_shortfall":
                    values["province"] = name
                elif kind == "region_shortfall":
                    values.update(region=name, provinces=", ".join(REGIONS.get(name, (name,))))
                else:
                    values["safety_region"] = name
                out.append(Signal(f"{prefix}-{_slug(name)}-{start_week.isoformat()}", kind, raised, (),
                                  name if kind == "province_shortfall" else "", values))
    return out


@dataclass
class _Pass:
    """One municipality's homes after the pass of ``idle_homes``."""

    idle: list[tuple[engine.Dwelling, engine.Household]] = field(default_factory=list)
    short: int = 0
    amv_short: int = 0
    spare: int = 0
    amv_spare: int = 0


def _pass(w: World, code: str) -> _Pass:
    """``code``'s pass, kept with the crowd for its dwellings and the bans (nothing else of the
    homes decides it)."""
    dwellings = tuple(sorted((d for d in w.rules.dwellings_by_municipality.get(code, ()) if w.rules.available(d)),
                             key=lambda d: int(d.dwelling_id)))
    key = (code, dwellings, w.bans)
    found = w.crowd.passes.get(key)
    if found is None:
        found = w.crowd.passes[key] = _passed(w, code, dwellings)
    return found


def _passed(w: World, code: str, dwellings: tuple[engine.Dwelling, ...]) -> _Pass:
    out = _Pass()
    left, amv_left = w.rules.quota.get(code, 0), w.rules.amv_quota.get(code, 0)
    used: set[str] = set()
    own, candidates = w.coupled_to.get(code, []), w.candidates(code)
    for d in dwellings:
        first = next((h for h in own if h.household_id not in used and dwelling_fits(h, d)
                      and dwelling_fits(h, d) and w.unlimited.may_house(h, d)), None)
        if first is not None:
            used.add(first.household_id)
            continue
        found = next((h for h in candidates if h.coupled_to is None and h.household_id not in used
                      and dwelling_fits(h, d) and w.unlimited.may_house(h, d)), None)
        if found is None:
            continue
        h = found
        used.add(h.household_id)
        if h.size <= left and (not h.amv or h.size <= amv_left):
            left -= h.size
            amv_left -= h.size if h.amv else 0
            continue
        out.idle.append((d, h))
        out.short += h.size
        out.amv_short += h.size if h.amv else 0
    out.spare, out.amv_spare = max(0, left), max(0, amv_left)
    return out


def idle_homes(session: Session, w: World, as_of: dt.date, names: dict[str, Any]) -> list[Signal]:
    week = monday(as_of)
    raised = dt.datetime.combine(week, dt.time())
    passes = {code: _pass(w, code) for code in sorted(w.rules.dwellings_by_municipality)
              if w.rules.dwellings_by_municipality[code]}
    spares: dict[str, tuple[int, int]] = {}
    """Per municipality the quota it can spare: left after its own homes, and no more than it may give."""
    for code, state in w.states.items():
        done = passes.get(code)
        spare = done.spare if done else max(0, state.persons.remaining)
        amv_spare = done.amv_spare if done else max(0, state.amv.remaining)
        spares[code] = (min(spare, state.persons.taakstelling + state.persons.redistributed),
                        min(amv_spare, state.amv.taakstelling + state.amv.redistributed))
    out = []
    for code, found in passes.items():
        if not found.idle:
            continue
        m = names[code]
        giver, persons, amv = None, 0, 0
        giver = next((o for o in w.crowd.others(code) if spares.get(o.code, (0, 0))[0] >= 1), None)
        if giver is not None:
            spare, amv_spare = spares[giver.code]
            persons = min(found.short, spare)
            amv = min(found.amv_short, amv_spare, persons)
        ident = f"idle-{code.lower()}-{week.isoformat()}"
        suggestion = None
        if giver is not None:
            suggestion = {"reference": f"{ident}-{giver.code.lower()}-{persons}", "from_municipality": giver.code,
                          "to_municipality": code, "persons": persons, "amv_persons": amv,
                          "reason": f"Signaal {ident}: woningen leeg bij gebrek aan taakstelling "
                                    f"/ homes idle for lack of quota", "signal": ident}
        out.append(Signal(
            ident, "idle_homes", raised, (code, giver.code) if giver else (code,), m.province,
            {"municipality": code, "name": m.name, "homes": len(found.idle), "short": found.short,
             "amv_short": found.amv_short, "quota_left": max(0, w.states[code].persons.remaining) if code in w.states else 0,
             "from_municipality": giver.code if giver else None, "from_name": giver.name if giver else None,
             "from_km": round(great_circle_km(m.lat, m.lon, giver.lat, giver.lon), 1) if giver else None},
            [_home(w, d) for d, _ in found.idle], [_household(w, h, code) for _, h in found.idle], suggestion))
    return out


# --- the feed ---------------------------------------------------------------------------------

def all_signals(session: Session, actor: Actor, as_of: dt.date, options: Options,
                kinds: tuple[str, ...] = KINDS) -> list[Signal]:
    """Every signal ``actor`` may see on ``as_of``, newest first, whole (:func:`complete`)."""
    w, found = _signals(session, actor, as_of, options, kinds)
    return [_seen_by(actor, _complete(w, s)) for s in found]


def _seen_by(actor: Actor, signal: Signal) -> Signal:
    return signal if actor.is_coa else _for_municipality(signal, actor.municipality)


CROWDS = Cache(2)
"""The crowds (:class:`Crowd`) of the latest state of every table but homes, locks and bans
(:mod:`api.services.changes`), per as-of date."""
WORLDS = Cache(2)
"""The worlds of the latest state of the data (:mod:`api.services.changes`), per as-of date."""
SIGNALS = Cache(64)
"""The signals of each kind in the latest state of the data, per as-of date and options."""


def _kind(session: Session, w: World, as_of: dt.date, options: Options, kind: str) -> list[Signal]:
    """Every signal of ``kind`` (not a shortfall: :func:`_shortfalls`) on ``as_of`` as COA sees
    it; large homes not yet complete."""
    if kind == "large_home":
        return large_homes(session, w, w.names, options.large_home)
    return idle_homes(session, w, as_of, w.names)


def _shortfalls(session: Session, c: Crowd, as_of: dt.date, options: Options, kind: str) -> list[Signal]:
    """The shortfalls of ``kind``: no homes in them, kept with the crowd (no world needed)."""
    key = (options.weeks, options.shortfall)
    if key not in c.shortfalls:
        c.shortfalls[key] = shortfalls(session, c, as_of, options.weeks, options.shortfall, c.names)
    return [s for s in c.shortfalls[key] if s.kind == kind]


def _signals(session: Session, actor: Actor, as_of: dt.date, options: Options,
             kinds: tuple[str, ...] = KINDS) -> tuple[World | None, list[Signal]]:
    """The world and every signal ``actor`` may see, newest first; large homes not yet complete.
    Both are kept while the data does not change (:mod:`api.services.changes`): the first
    request after a write computes them, the next ones reuse them."""
    fp = fingerprint(session)
    with uncollected():  # what is computed afresh here makes and drops many objects
        return _signals_of(session, fp, actor, as_of, options, kinds)


def _signals_of(session: Session, fp: Any, actor: Actor, as_of: dt.date, options: Options,
                kinds: tuple[str, ...]) -> tuple[World | None, list[Signal]]:
    from api.engine import people_tables

    c = CROWDS.get(fp, as_of, lambda: crowd(session, as_of), tables=people_tables())
    w = None  # the shortfalls alone need no homes: no world read for them
    found: list[Signal] = []
    for kind in KINDS:
        if kind not in kinds or (kind in SHORTFALLS and not actor.is_coa):
            continue
        if kind in SHORTFALLS:
            found += SIGNALS.get(fp, (as_of, options, kind), partial(_shortfalls, session, c, as_of, options, kind),
                                 tables=people_tables())
            continue
        if w is None:
            w = WORLDS.get(fp, as_of, partial(world, session, as_of, c))
        found += SIGNALS.get(fp, (as_of, options, kind), partial(_kind, session, w, as_of, options, kind))
    if not actor.is_coa:
        found = [s for s in found if actor.municipality in s.municipalities]
    return w, sorted(found, key=lambda s: s.key, reverse=True)


SHORTFALLS = ("province_shortfall", "region_shortfall", "safety_region_shortfall")


def _complete(w: World | None, signal: Signal, most: int = MAX_HOUSEHOLDS) -> Signal:
    """:func:`complete`, kept with the world (a large home's households are listed once)."""
    if signal.dwelling is None or w is None:  # no world: no large home among the signals
        return signal
    if (signal.id, most) not in w.completed:
        w.completed[signal.id, most] = complete(w, signal, most)
    return w.completed[signal.id, most]


def _for_municipality(signal: Signal, code: str | None) -> Signal:
    """What a municipality may see of a signal about it: no ids of households not coupled to it."""
    return replace(signal, households=[h for h in signal.households if h["coupled_to"] == code])


def feed(session: Session, actor: Actor, as_of: dt.date, options: Options, after: str | None, limit: int,
         kinds: tuple[str, ...] = KINDS) -> tuple[list[Signal], str | None]:
    """A page of the feed: the ``limit`` newest signals after the cursor ``after`` (older than
    the place it names), and the cursor of the next page (``None`` at the end)."""
    place = decode_cursor(after) if after else None
    w, found = _signals(session, actor, as_of, options, kinds)
    if place is not None:
        found = [s for s in found if s.key < place]
    # COA's feed needs only the first households (a municipality's, those coupled to it among all)
    most = FEED_HOUSEHOLDS if actor.is_coa else MAX_HOUSEHOLDS
    page = [_seen_by(actor, _complete(w, s, most)) for s in found[:limit]]
    page = [replace(s, households=s.households[:FEED_HOUSEHOLDS]) for s in page]
    return page, (encode_cursor(page[-1]) if len(found) > limit else None)


def get_signal(session: Session, actor: Actor, as_of: dt.date, options: Options, signal_id: str) -> Signal:
    kind = kind_of(signal_id)
    if kind is not None:
        w, found = _signals(session, actor, as_of, options, (kind,))
        for signal in found:
            if signal.id == signal_id:
                return _seen_by(actor, _complete(w, signal))
    raise NotFound("no_signal", signal=signal_id)
