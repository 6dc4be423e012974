"""The independent checker: does a ``proposal.csv`` keep every hard rule of ``docs/contract.md``
§4, and what are its four levels (§5)?

This module shares no code path with the solvers beyond reading the instance files: it imports
the instance reader, the domain types and the exceptions, and re-derives everything else
(great-circle distance, overdue days, region, fit, quota, moves, the quality sum) straight from
the contract.  A solver bug therefore cannot hide behind the same bug in the checker.

Every broken rule becomes one plain line that starts with what it concerns (a household id, a
dwelling id or a municipality code), for example::

    GM0153: rule 6 (quota): newly coupled 12 persons, quota allows 10

A row that cannot be resolved (unknown household, invalid action, unknown dwelling or
municipality) is reported once and then left out of the other rules; for the levels it counts as
``wait``.  Of duplicate rows only the first is used.

Level 4's idle term follows the documented :class:`~matcher.models.Weights` ``idle``: the empty
places of every ``regular``, ``shared`` and ``amv`` dwelling available within the horizon
(used or not), rather than only the spare places of the ``regular`` dwellings that are used.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.exceptions import InstanceError, Problem
from matcher.models import LEVEL_NAMES, Dwelling, DwellingKind, Household, Instance, Params, Proposal
from matcher.read import read_instance, read_params

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG) used for the great-circle distance of rule 5 and level 4."""

KM_TOLERANCE = 0.1
"""How far a ``km`` cell of ``proposal.csv`` may be from the recomputed distance."""

HOUSE, COUPLE, WAIT = "house", "couple", "wait"
ACTIONS = (HOUSE, COUPLE, WAIT)

_IDLE_KINDS = frozenset({DwellingKind.REGULAR, DwellingKind.SHARED, DwellingKind.AMV})

TEMPORARY_YEAR_DAYS = 365
"""The longest stay in a temporary home (a doorstroomlocatie: at most one year [003:74])."""

_RULE_NAMES = {1: "fit", 2: "access", 3: "availability", 4: "coupling", 5: "region", 6: "quota"}


@dataclass(frozen=True)
class ProposalLine:
    """One row of ``proposal.csv`` as written, before anything is checked.

    ``action`` is kept as the raw text so that an invalid action is reported as a broken rule
    rather than lost.  The optional columns are ``None`` when the column is absent or the cell
    is empty; when present they must agree with what the checker recomputes.
    """

    household_id: str
    action: str
    municipality: str | None = None
    dwelling_id: str | None = None
    persons: int | None = None
    km: float | None = None
    overdue_days: int | None = None
    moves: int | None = None
    temporary_home: str | None = None
    row: int | None = None
    """The 1-based row in the file (header is row 1), when read from a file."""


@dataclass(frozen=True)
class CheckReport:
    """What the checker found: every broken rule, and the four levels recomputed."""

    violations: tuple[str, ...]
    """One plain line per broken rule, prefixed with the household, dwelling or municipality."""
    levels: dict[str, int] = field(default_factory=dict)
    """``overdue_relief``, ``placement``, ``moves`` and ``quality`` as the checker computes them."""

    @property
    def ok(self) -> bool:
        """Whether the proposal keeps every rule."""
        return not self.violations

    def lines(self) -> list[str]:
        """The report as text lines: each violation, then one line per level."""
        out = list(self.violations)
        out.extend(f"{name}: {self.levels.get(name, 0)}" for name in LEVEL_NAMES)
        return out


# --- reading proposal.csv ---------------------------------------------------------------------

_PROPOSAL_FILE = "proposal.csv"
_REQUIRED_COLUMNS = ("household_id", "action")
_OPTIONAL_COLUMNS = ("municipality", "dwelling_id", "persons", "km", "overdue_days", "moves", "temporary_home", "reason",
                     "reason_kind", "reason_values")


def _parse_count(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("negative")
    return value


def _parse_km(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value) or value < 0:
        raise ValueError("not a finite number of at least 0")
    return value


_NUMERIC = {
    "persons": (_parse_count, "a whole number of at least 0"),
    "overdue_days": (_parse_count, "a whole number of at least 0"),
    "moves": (_parse_count, "a whole number of at least 0"),
    "km": (_parse_km, "a number of at least 0"),
}


def read_proposal_csv(path: str | Path) -> list[ProposalLine]:
    """Read a ``proposal.csv`` with the checker's own parser.

    Only the form of the file is checked here: UTF-8, a header with ``household_id`` and
    ``action``, no unknown columns (names starting with ``x_`` are ignored), as many fields per
    row as the header, a household id on every row, and numbers in ``persons``, ``km``,
    ``overdue_days`` and ``moves``.  Everything about the content is left to
    :func:`check_proposal`.

    Raises :class:`InstanceError` listing every problem as ``proposal.csv:row:column: message``.
    """
    path = Path(path)
    name = path.name or _PROPOSAL_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InstanceError([Problem(name, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    except FileNotFoundError:
        raise InstanceError([Problem(str(path), "is missing; expected a proposal.csv")]) from None
    except OSError as exc:
        raise InstanceError([Problem(str(path), f"cannot be read ({exc.strerror or exc})")]) from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        expected = ", ".join(_REQUIRED_COLUMNS + _OPTIONAL_COLUMNS)
        raise InstanceError([Problem(name, f"has no header row; expected {expected}", 1)])

    problems: list[Problem] = []
    known = set(_REQUIRED_COLUMNS + _OPTIONAL_COLUMNS)
    positions: dict[str, int] = {}
    for index, raw_name in enumerate(header, start=1):
        column = raw_name.strip()
        if column.startswith("x_"):
            continue
        if column not in known:
            problems.append(Problem(name, f"unknown column {column!r}; expected one of "
                                          f"{', '.join(_REQUIRED_COLUMNS + _OPTIONAL_COLUMNS)} (or a name starting with x_)", 1, index))
        elif column in positions:
            problems.append(Problem(name, f"column {column!r} appears twice (also column {positions[column]})", 1, index))
        else:
            positions[column] = index
    for column in _REQUIRED_COLUMNS:
        if column not in positions:
            problems.append(Problem(name, f"missing required column {column!r}", 1))
    if problems:
        raise InstanceError(problems)

    lines: list[ProposalLine] = []
    for number, cells in enumerate(reader, start=2):
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(name, f"has {len(cells)} fields; the header has {len(header)}", number))
            continue
        values: dict[str, Any] = {}
        for column, index in positions.items():
            raw = cells[index - 1].strip()
            if column == "household_id" and raw == "":
                problems.append(Problem(name, "household_id is empty; a value is required", number, index))
            if raw == "":
                values[column] = None
            elif column in _NUMERIC:
                parse, expected = _NUMERIC[column]
                try:
                    values[column] = parse(raw)
                except ValueError:
                    problems.append(Problem(name, f"{column}: {raw!r} is not {expected}", number, index))
            else:
                values[column] = raw
        lines.append(ProposalLine(
            household_id=values.get("household_id") or "",
            action=values.get("action") or "",
            municipality=values.get("municipality"),
            dwelling_id=values.get("dwelling_id"),
            persons=values.get("persons"),
            km=values.get("km"),
            overdue_days=values.get("overdue_days"),
            moves=values.get("moves"),
            temporary_home=values.get("temporary_home"),
            row=number,
        ))
    if problems:
        raise InstanceError(problems)
    return lines


# --- the definitions of docs/contract.md §3, re-derived ---------------------------------------

def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km between two WGS84 points on a sphere of radius 6371.0088 km."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def _overdue_days(h: Household, params: Params) -> int:
    """Days past ``norm_days`` at the end of the horizon, counted from the coupling date, or for
    a household not yet coupled from the day it should have been coupled; for a household in a
    temporary home, days past the year it may stay there, counted from ``housed_since``."""
    if h.housed_since is not None:
        return max(0, (params.end - h.housed_since).days - TEMPORARY_YEAR_DAYS)
    if h.coupling_date is not None:
        clock = h.coupling_date
    else:
        clock = h.permit_date + dt.timedelta(days=params.coupling_days)
    return max(0, (params.end - clock).days - params.norm_days)


@dataclass(frozen=True)
class _Resolved:
    """A household's usable row, resolved against the instance.

    ``municipality`` is where the row puts the household: the dwelling's municipality for
    ``house``, the target for ``couple`` and ``None`` for ``wait``.  ``new_coupling`` says the
    household ends up coupled to a municipality it was not coupled to before (so rule 5, rule 6
    and the km and tie terms apply); ``recoupling`` says that it already was coupled elsewhere.
    """

    household: Household
    line: ProposalLine
    action: str
    municipality: str | None
    dwelling: Dwelling | None

    @property
    def new_coupling(self) -> bool:
        return self.municipality is not None and self.municipality != self.household.coupled_to

    @property
    def recoupling(self) -> bool:
        return self.household.coupled_to is not None and self.new_coupling


class _Checker:
    """One check of one proposal: collects violations while it walks the rules in order."""

    def __init__(self, instance: Instance, params: Params):
        self.instance = instance
        self.params = params
        self.violations: list[str] = []
        self.households = {h.household_id: h for h in instance.households}
        self.dwellings = {d.dwelling_id: d for d in instance.dwellings}
        self.municipalities = {m.code: m for m in instance.municipalities}
        self.locations = {loc.location_id: loc for loc in instance.locations}
        self.minutes = {(loc, code): minutes for loc, code, minutes in instance.travel_minutes}
        self.previous = {p.household_id: p for p in instance.previous}

    # -- reporting

    def report(self, subject: str, topic: str, message: str) -> None:
        self.violations.append(f"{subject}: {topic}: {message}")

    def broken(self, subject: str, rule: int, message: str) -> None:
        self.report(subject, f"rule {rule} ({_RULE_NAMES[rule]})", message)

    # -- definitions

    def km(self, h: Household, code: str) -> float:
        loc = self.locations[h.location_id]
        m = self.municipalities[code]
        return great_circle_km(loc.lat, loc.lon, m.lat, m.lon)

    # -- every household exactly one usable row

    def resolve(self, rows: Sequence[ProposalLine]) -> dict[str, _Resolved]:
        """Match rows to households, reporting rows that are missing, unknown, duplicated or
        cannot be read as one of the three actions."""
        first: dict[str, ProposalLine] = {}
        extra: dict[str, list[ProposalLine]] = {}
        for line in rows:
            if line.household_id not in self.households:
                self.report(line.household_id or "?", "proposal", f"unknown household{_at(line)}; it is not in households.csv")
            elif line.household_id in first:
                extra.setdefault(line.household_id, []).append(line)
            else:
                first[line.household_id] = line
        resolved: dict[str, _Resolved] = {}
        for h in self.instance.households:
            line = first.get(h.household_id)
            if line is None:
                self.report(h.household_id, "proposal", "has no row; every household needs exactly one")
                continue
            if h.household_id in extra:
                count = 1 + len(extra[h.household_id])
                self.report(h.household_id, "proposal", f"has {count} rows{_rows_at([line, *extra[h.household_id]])}; "
                                                        "every household needs exactly one (the first is checked)")
            item = self.resolve_line(h, line)
            if item is not None:
                resolved[h.household_id] = item
        return resolved

    def resolve_line(self, h: Household, line: ProposalLine) -> _Resolved | None:
        hid = h.household_id
        if line.action not in ACTIONS:
            self.report(hid, "proposal", f"action {line.action!r} is not one of {', '.join(ACTIONS)}")
            return None
        if line.action == HOUSE:
            if line.dwelling_id is None:
                self.report(hid, "proposal", "action house needs a dwelling_id")
                return None
            d = self.dwellings.get(line.dwelling_id)
            if d is None:
                self.report(hid, "proposal", f"dwelling {line.dwelling_id!r} does not exist in dwellings.csv")
                return None
            if line.municipality is not None and line.municipality != d.municipality:
                self.report(hid, "proposal", f"municipality {line.municipality} does not match dwelling "
                                             f"{d.dwelling_id}, which is in {d.municipality}")
            return _Resolved(h, line, HOUSE, d.municipality, d)
        if line.dwelling_id is not None:
            self.report(hid, "proposal", f"action {line.action} must not name a dwelling (got {line.dwelling_id})")
        if line.action == COUPLE:
            if line.municipality is None:
                self.report(hid, "proposal", "action couple needs a municipality")
                return None
            if line.municipality not in self.municipalities:
                self.report(hid, "proposal", f"municipality {line.municipality!r} does not exist in municipalities.csv")
                return None
            return _Resolved(h, line, COUPLE, line.municipality, None)
        if line.municipality is not None and line.municipality != h.coupled_to:
            now = f"is coupled to {h.coupled_to}" if h.coupled_to else "is not coupled"
            self.report(hid, "proposal", f"waits but its row names municipality {line.municipality}; the household {now}")
        return _Resolved(h, line, WAIT, None, None)

    # -- rules that look at one household

    def check_household(self, r: _Resolved) -> None:
        """Rules 2, 3, 4 and 5 for one household's row."""
        h, d, hid = r.household, r.dwelling, r.household.household_id
        if d is not None:
            if h.needs_accessible and not d.accessible:
                self.broken(hid, 2, f"needs an accessible dwelling; {d.dwelling_id} is not accessible")
            if not h.document_ready:
                self.broken(hid, 2, f"has no residence document yet (document_ready = 0) but is housed in {d.dwelling_id}")
            if d.available_from > self.params.end:
                self.broken(hid, 3, f"dwelling {d.dwelling_id} is available from {d.available_from}, "
                                    f"after the end of the horizon {self.params.end}")
        if h.temporary_home is not None and r.action == HOUSE and d is not None:
            if d.kind is not DwellingKind.REGULAR:
                self.broken(hid, 1, f"lives in temporary home {h.temporary_home} and may move on only to a regular "
                                    f"dwelling; {d.dwelling_id} is {d.kind.value}")
            if d.municipality != h.coupled_to:
                self.broken(hid, 4, f"lives in temporary home {h.temporary_home} in {h.coupled_to} and moves on only "
                                    f"within it; dwelling {d.dwelling_id} is in {d.municipality}")
        elif h.coupled_to is not None and r.action != WAIT:
            if r.action == COUPLE:
                # Spec §4: `couple` is only for households not yet coupled; with
                # allow_recoupling (or its own may_recouple) a coupled household may only be
                # re-coupled by housing.
                self.broken(hid, 4, f"is already coupled to {h.coupled_to}; couple is only for households not yet coupled")
            elif r.recoupling and not (self.params.allow_recoupling or h.may_recouple):
                self.broken(hid, 4, f"is coupled to {h.coupled_to} but housed in {r.municipality} "
                                    f"(dwelling {d.dwelling_id if d else '?'}); allow_recoupling is off and its "
                                    f"may_recouple is 0")
            elif r.recoupling and not self.params.allow_recoupling and h.recouple_to not in (None, r.municipality):
                self.broken(hid, 4, f"is coupled to {h.coupled_to}; its re-coupling was approved to {h.recouple_to} "
                                    f"(recouple_to), but it is housed in {r.municipality}")
        if r.new_coupling and r.municipality is not None:
            self.check_region(h, r.municipality)

    def check_region(self, h: Household, code: str) -> None:
        """Rule 5 for a new coupling of ``h`` to ``code``."""
        hid = h.household_id
        km = self.km(h, code)
        if self.params.max_km is not None and km > self.params.max_km:
            self.broken(hid, 5, f"newly coupled to {code} at {km:.1f} km; max_km is {_num(self.params.max_km)}")
        if self.params.max_minutes is not None:
            minutes = self.minutes.get((h.location_id, code))
            if minutes is None:
                self.broken(hid, 5, f"newly coupled to {code}, but travel_times.csv has no time from "
                                    f"{h.location_id} to {code} while max_minutes is set")
            elif minutes > self.params.max_minutes:
                self.broken(hid, 5, f"newly coupled to {code} at {_num(minutes)} minutes; "
                                    f"max_minutes is {_num(self.params.max_minutes)}")

    def check_columns(self, r: _Resolved) -> None:
        """The optional columns of the row agree with the recomputed values."""
        h, line, hid = r.household, r.line, r.household.household_id
        if line.persons is not None and line.persons != h.size:
            self.report(hid, "column persons", f"says {line.persons}; the household has {h.size} persons")
        overdue = _overdue_days(h, self.params)
        if line.overdue_days is not None and line.overdue_days != overdue:
            self.report(hid, "column overdue_days", f"says {line.overdue_days}; recomputed {overdue}")
        moves = _moves(r)
        if line.moves is not None and line.moves != moves:
            self.report(hid, "column moves", f"says {line.moves}; recomputed {moves}")
        if line.temporary_home is not None and line.temporary_home != h.temporary_home:
            now = f"lives in temporary home {h.temporary_home}" if h.temporary_home else "is not in a temporary home"
            self.report(hid, "column temporary_home", f"says {line.temporary_home}; the household {now}")
        if line.km is not None and r.new_coupling and r.municipality is not None:
            km = self.km(h, r.municipality)
            if abs(line.km - km) > KM_TOLERANCE:
                self.report(hid, "column km", f"says {_num(line.km)}; recomputed {km:.2f} km to {r.municipality}")

    # -- rules that look at several households together

    def grown(self, h: Household) -> str:
        """The housing check's words for a household larger than on its ``previous.csv`` line
        (family members joined), or nothing."""
        line = self.previous.get(h.household_id)
        if line is None or line.persons is None or line.persons >= h.size:
            return ""
        return f" (grown from {line.persons} since previous.csv)"

    def check_dwellings(self, resolved: Iterable[_Resolved]) -> None:
        """Rule 1 per dwelling, over every household housed in it."""
        occupants: dict[str, list[Household]] = {}
        for r in resolved:
            if r.dwelling is not None:
                occupants.setdefault(r.dwelling.dwelling_id, []).append(r.household)
        for d in self.instance.dwellings:
            group = occupants.get(d.dwelling_id, [])
            if not group:
                continue
            total = sum(h.size for h in group)
            for h in group:
                if h.amv and d.kind is not DwellingKind.AMV:
                    self.broken(h.household_id, 1, f"is AMV and housed in {d.kind.value} dwelling {d.dwelling_id}; "
                                                   "AMV households are housed only in amv dwellings")
            if d.kind is DwellingKind.REGULAR:
                if len(group) > 1:
                    ids = ", ".join(h.household_id for h in group)
                    self.broken(d.dwelling_id, 1, f"regular dwelling holds {len(group)} households ({ids}); it takes one")
                for h in group:
                    if not d.min_occupancy <= h.size <= d.capacity:
                        self.broken(h.household_id, 1, f"has {h.size} persons{self.grown(h)}; regular dwelling "
                                                       f"{d.dwelling_id} takes {d.min_occupancy} to {d.capacity}")
                continue
            if d.kind is DwellingKind.SHARED:
                for h in group:
                    if h.size != 1:
                        self.broken(h.household_id, 1, f"has {h.size} persons{self.grown(h)}; shared dwelling {d.dwelling_id} "
                                                       "takes single persons only")
            elif d.kind is DwellingKind.AMV:
                for h in group:
                    if not h.amv:
                        self.broken(h.household_id, 1, f"is not AMV; amv dwelling {d.dwelling_id} takes AMV households only")
            if total > d.capacity:
                self.broken(d.dwelling_id, 1, f"{d.kind.value} dwelling holds {total} persons; capacity is {d.capacity}")

    def check_quota(self, resolved: Iterable[_Resolved]) -> None:
        """Rule 6 per municipality: persons and AMV persons newly coupled to it."""
        persons: dict[str, int] = {}
        amv_persons: dict[str, int] = {}
        for r in resolved:
            if r.new_coupling and r.municipality is not None:
                persons[r.municipality] = persons.get(r.municipality, 0) + r.household.size
                if r.household.amv:
                    amv_persons[r.municipality] = amv_persons.get(r.municipality, 0) + r.household.size
        for m in self.instance.municipalities:
            allowed = max(0, m.quota_remaining) + self.params.quota_slack
            if persons.get(m.code, 0) > allowed:
                self.broken(m.code, 6, f"newly coupled {persons[m.code]} persons, quota allows {allowed}")
            amv_allowed = max(0, m.amv_quota_remaining)
            if amv_persons.get(m.code, 0) > amv_allowed:
                self.broken(m.code, 6, f"newly coupled {amv_persons[m.code]} AMV persons, AMV quota allows {amv_allowed}")

    def check_locks_and_bans(self, resolved: dict[str, _Resolved]) -> None:
        """Rule 7: every lock is in the proposal, no ban is."""
        for lock in self.instance.locks:
            r = resolved.get(lock.household_id)
            if r is None:
                continue  # its row is already reported as unusable
            h = r.household
            if lock.dwelling_id is not None and (r.dwelling is None or r.dwelling.dwelling_id != lock.dwelling_id):
                self.report(h.household_id, "rule 7 (lock)", f"is locked to dwelling {lock.dwelling_id} but {_describe(r)}")
            if lock.municipality is not None:
                where = r.municipality if r.action != WAIT else h.coupled_to
                if where != lock.municipality:
                    self.report(h.household_id, "rule 7 (lock)", f"is locked to municipality {lock.municipality} but {_describe(r)}")
        for ban in self.instance.bans:
            r = resolved.get(ban.household_id)
            if r is None:
                continue
            hid = r.household.household_id
            if ban.dwelling_id is not None and r.dwelling is not None and r.dwelling.dwelling_id == ban.dwelling_id:
                self.report(hid, "rule 7 (ban)", f"is banned from dwelling {ban.dwelling_id} but is housed in it")
            if ban.municipality is not None and r.action != WAIT and r.municipality == ban.municipality:
                self.report(hid, "rule 7 (ban)", f"is banned from municipality {ban.municipality} but {_describe(r)}")

    # -- the levels of docs/contract.md §5

    def levels(self, resolved: dict[str, _Resolved]) -> dict[str, int]:
        """The four levels of docs/contract.md §5; a household without a usable row counts as waiting.

        Level 4 sums, with ``params.weights``: per new coupling the persons times the rounded
        km, and the persons when it is not the household's tie municipality; per household left
        uncoupled the persons times the days since its permit; the nareizigers who will not fit
        a ``regular`` dwelling; the persons whose line differs from ``previous.csv``; and the
        idle places of :meth:`idle_places`.
        """
        w = self.params.weights
        relief = placement = moves = quality = 0
        for h in self.instance.households:
            r = resolved.get(h.household_id)
            action = r.action if r is not None else WAIT
            code = r.municipality if r is not None else None
            d = r.dwelling if r is not None else None
            if action == HOUSE:
                relief += h.size * _overdue_days(h, self.params)
            if action in (HOUSE, COUPLE) and h.temporary_home is None:
                placement += h.size  # one in a temporary home is placed already
            moves += _moves(r) if r is not None else (h.size if h.temporary_home is not None else 0)
            if code is not None and code != h.coupled_to:
                quality += w.km * h.size * round(self.km(h, code))
                if h.tie_municipality is not None and h.tie_municipality != code:
                    quality += w.tie * h.size
            if action == WAIT and h.coupled_to is None:
                quality += w.permit_age * h.size * max(0, (self.params.end - h.permit_date).days)
            if d is not None and d.kind is DwellingKind.REGULAR:
                quality += w.extra_misfit * max(0, h.size + h.expected_extra - d.capacity)
            previous = self.previous.get(h.household_id)
            if previous is not None and not _same_line(previous.action.value, previous.municipality,
                                                       previous.dwelling_id, action, code, d):
                quality += w.change * h.size
        quality += w.idle * self.idle_places(resolved.values())
        return dict(zip(LEVEL_NAMES, (relief, placement, moves, quality)))

    def idle_places(self, resolved: Iterable[_Resolved]) -> int:
        """Places left empty in the offered homes: over every ``regular``, ``shared`` and ``amv``
        dwelling available by the end of the horizon, its capacity minus the persons housed in
        it.  An unused home counts all its places; ``temporary`` places are not counted (housing
        someone there is already a move).  This follows the documented ``Weights.idle``."""
        housed: dict[str, int] = {}
        for r in resolved:
            if r.dwelling is not None:
                housed[r.dwelling.dwelling_id] = housed.get(r.dwelling.dwelling_id, 0) + r.household.size
        return sum(
            d.capacity - housed.get(d.dwelling_id, 0)
            for d in self.instance.dwellings
            if d.kind in _IDLE_KINDS and d.available_from <= self.params.end
        )


def _moves(r: _Resolved) -> int:
    """Person-moves of one row: a re-coupling, and housing in a temporary dwelling, each count
    the household's size; a household in a temporary home counts its size whether it moves on
    now or waits (the onward move it still owes)."""
    if r.household.temporary_home is not None:
        return r.household.size
    moves = r.household.size if r.recoupling else 0
    if r.dwelling is not None and r.dwelling.kind is DwellingKind.TEMPORARY:
        moves += r.household.size
    return moves


def _same_line(prev_action: str, prev_municipality: str | None, prev_dwelling: str | None,
               action: str, municipality: str | None, dwelling: Dwelling | None) -> bool:
    """Whether a row repeats last week's: the same action, and for ``house`` the same dwelling,
    for ``couple`` the same municipality."""
    if prev_action != action:
        return False
    if action == HOUSE:
        return dwelling is not None and dwelling.dwelling_id == prev_dwelling
    if action == COUPLE:
        return municipality == prev_municipality
    return True


def _describe(r: _Resolved) -> str:
    if r.action == HOUSE and r.dwelling is not None:
        return f"is housed in dwelling {r.dwelling.dwelling_id} ({r.dwelling.municipality})"
    if r.action == COUPLE:
        return f"is coupled to {r.municipality}"
    if r.household.coupled_to is not None:
        return f"waits (coupled to {r.household.coupled_to})"
    return "waits"


def _at(line: ProposalLine) -> str:
    return f" (row {line.row})" if line.row is not None else ""


def _rows_at(lines: Sequence[ProposalLine]) -> str:
    numbers = [str(line.row) for line in lines if line.row is not None]
    return f" (rows {', '.join(numbers)})" if numbers else ""


def _num(value: float) -> str:
    return f"{value:g}"


# --- public entry points ---------------------------------------------------------------------------

def lines_of(proposal: Proposal) -> list[ProposalLine]:
    """The rows of a proposal as ``proposal.csv`` writes them (household, action, municipality and
    dwelling; no optional figures), to check a proposal held in memory with :func:`check_proposal`.
    Only the proposal's own fields are read: nothing of the solvers is used."""
    return [ProposalLine(a.household_id, a.action.value, a.municipality, a.dwelling_id) for a in proposal.assignments]


def check_proposal(instance: Instance, params: Params, rows: Sequence[ProposalLine]) -> CheckReport:
    """Check a proposal against every hard rule of docs/contract.md §4 and recompute its levels (§5).

    ``rows`` are the proposal's lines as written (see :func:`read_proposal_csv`).  The report
    lists one line per broken rule, in this order: rows that cannot be used, then per household
    (in ``households.csv`` order) rules 2-5 and the optional columns, then rule 1 per dwelling,
    rule 6 per municipality, and rule 7 per lock and ban.
    """
    checker = _Checker(instance, params)
    resolved = checker.resolve(rows)
    for h in instance.households:
        r = resolved.get(h.household_id)
        if r is not None:
            checker.check_household(r)
            checker.check_columns(r)
    checker.check_dwellings(resolved.values())
    checker.check_quota(resolved.values())
    checker.check_locks_and_bans(resolved)
    return CheckReport(tuple(checker.violations), checker.levels(resolved))


def check_files(instance_dir: str | Path, proposal_csv: str | Path, as_of: dt.date | None = None,
                **param_overrides: Any) -> CheckReport:
    """Check a ``proposal.csv`` against an instance folder.

    The parameters are the folder's ``params.toml`` (if any) with ``as_of`` and
    ``param_overrides`` (``None`` values ignored) on top, exactly like the command line.
    Raises :class:`InstanceError` when the folder, the parameters or the proposal file is bad.
    """
    instance = read_instance(instance_dir)
    params = read_params(instance_dir, as_of=as_of, **param_overrides)
    rows = read_proposal_csv(proposal_csv)
    return check_proposal(instance, params, rows)


__all__ = [
    "CheckReport",
    "EARTH_RADIUS_KM",
    "ProposalLine",
    "check_files",
    "check_proposal",
    "great_circle_km",
    "lines_of",
    "read_proposal_csv",
]
