"""Read and write the instance folder of docs/contract.md §1.

Every cell is checked before a domain object is built; every problem is reported as
``file:row:column: what is wrong, what is expected`` and all of them are collected, so one run
shows everything to fix.  Nothing is solved on bad input.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher import sheets
from matcher.exceptions import InstanceError, Problem
from matcher.models import (
    Action,
    Ban,
    Dwelling,
    DwellingKind,
    Household,
    Instance,
    Location,
    Lock,
    Municipality,
    Params,
    PreviousRow,
)
from matcher.models.instance import CBS_CODE

_TRUE = {"1", "true"}
_FALSE = {"0", "false"}


class CellError(ValueError):
    """A cell that cannot be parsed; the message says what is expected."""


def _text(raw: str) -> str:
    return raw


def _code(raw: str) -> str:
    if not CBS_CODE.match(raw):
        raise CellError(f"{raw!r} is not a CBS code; expected GM and four digits, like GM0153")
    return raw


def _int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise CellError(f"{raw!r} is not a whole number") from None


MAX_PERSONS = 100
"""The most persons a household, a home or an expected addition may count (the service's bound too)."""
MAX_QUOTA = 1_000_000
"""The largest quota figure, in persons, either way (the Netherlands houses some 30,000 a year)."""
MAX_MINUTES = 1000.0
"""The longest travel time, in minutes (the service's bound on ``max_minutes``)."""
MAX_COUNT = 100_000
"""The largest day or move count of a previous proposal."""
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
"""Dates lie in this range (the service's too)."""


def _int_up_to(high: int, low: int = 0) -> Callable[[str], int]:
    """A whole number from ``low`` to ``high``."""

    def parse(raw: str) -> int:
        if len(raw.strip().lstrip("+-")) > 12:  # no 23-digit household, and no 4,300-digit parse
            raise CellError(f"{raw[:20]}{'...' if len(raw) > 20 else ''} is too large; expected a whole number "
                            f"from {low} to {high}")
        value = _int(raw)
        if value < low:
            if low == 0:
                raise CellError(f"{value} is negative; expected a whole number of at least 0")
            raise CellError(f"{value} is too small; expected a whole number of at least {low}")
        if value > high:
            raise CellError(f"{value} is too large; expected a whole number of at most {high}")
        return value

    return parse


_positive_int = _int_up_to(MAX_PERSONS, 1)
"""Persons: 1 to 100."""
_nonneg_int = _int_up_to(MAX_PERSONS)
"""Persons: 0 to 100."""
_count = _int_up_to(MAX_COUNT)
_quota = _int_up_to(MAX_QUOTA, -MAX_QUOTA)


def _float(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise CellError(f"{raw!r} is not a number") from None
    if not math.isfinite(value):
        raise CellError(f"{raw!r} is not a finite number")
    return value


def _lat(raw: str) -> float:
    value = _float(raw)
    if not -90 <= value <= 90:
        raise CellError(f"latitude {value} is out of range; expected -90 to 90 degrees")
    return value


def _lon(raw: str) -> float:
    value = _float(raw)
    if not -180 <= value <= 180:
        raise CellError(f"longitude {value} is out of range; expected -180 to 180 degrees")
    return value


def _nonneg_float(raw: str) -> float:
    value = _float(raw)
    if value < 0:
        raise CellError(f"{raw} is negative; expected a number of at least 0")
    return value


def _minutes(raw: str) -> float:
    value = _nonneg_float(raw)
    if value > MAX_MINUTES:
        raise CellError(f"{raw} is too large; expected at most {MAX_MINUTES:g} minutes")
    return value


def _km(raw: str) -> float:
    value = _nonneg_float(raw)
    if value > 100_000:
        raise CellError(f"{raw} is too large; expected at most 100000 km")
    return value


def _date(raw: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise CellError(f"{raw!r} is not a date; expected YYYY-MM-DD")
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise CellError(f"{raw!r} is not a real date; expected YYYY-MM-DD") from None
    if not FIRST_DATE <= value <= LAST_DATE:
        raise CellError(f"{raw} is out of range; expected a date from {FIRST_DATE} to {LAST_DATE}")
    return value


def _bool(raw: str) -> bool:
    low = raw.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise CellError(f"{raw!r} is not a boolean; expected 0, 1, true or false")


def _kind(raw: str) -> DwellingKind:
    try:
        return DwellingKind(raw)
    except ValueError:
        raise CellError(f"unknown kind {raw!r}; expected one of {', '.join(k.value for k in DwellingKind)}") from None


HOUSEHOLD_STATES = ("waiting", "temporary")
"""``households.csv`` ``state``: in reception (coupled or not), or in a temporary home of its municipality."""


def _state(raw: str) -> str:
    if raw not in HOUSEHOLD_STATES:
        raise CellError(f"unknown state {raw!r}; expected one of {', '.join(HOUSEHOLD_STATES)}")
    return raw


def _action(raw: str) -> Action:
    try:
        return Action(raw)
    except ValueError:
        raise CellError(f"unknown action {raw!r}; expected one of {', '.join(a.value for a in Action)}") from None


@dataclass(frozen=True)
class Column:
    """One column of a table: its parser, and whether it must be present and filled."""

    name: str
    parse: Callable[[str], Any]
    required: bool = True
    default: Any = None


@dataclass(frozen=True)
class Table:
    """The schema of one CSV file of the instance folder."""

    file: str
    columns: tuple[Column, ...]
    required: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


MUNICIPALITIES = Table("municipalities.csv", (
    Column("code", _code),
    Column("name", _text),
    Column("province", _text),
    Column("lat", _lat),
    Column("lon", _lon),
    Column("quota_remaining", _quota),
    Column("amv_quota_remaining", _quota, required=False, default=0),
))
LOCATIONS = Table("locations.csv", (
    Column("location_id", _text),
    Column("name", _text),
    Column("lat", _lat),
    Column("lon", _lon),
))
HOUSEHOLDS = Table("households.csv", (
    Column("household_id", _text),
    Column("size", _positive_int),
    Column("location_id", _text),
    Column("permit_date", _date),
    Column("coupled_to", _code, required=False),
    Column("coupling_date", _date, required=False),
    Column("amv", _bool, required=False, default=False),
    Column("needs_accessible", _bool, required=False, default=False),
    Column("expected_extra", _nonneg_int, required=False, default=0),
    Column("tie_municipality", _code, required=False),
    Column("document_ready", _bool, required=False, default=True),
    Column("may_recouple", _bool, required=False, default=False),
    Column("state", _state, required=False, default="waiting"),
    Column("temporary_home", _text, required=False),
    Column("housed_since", _date, required=False),
    Column("expected_extra_date", _date, required=False),
    Column("recouple_to", _code, required=False),
))
DWELLINGS = Table("dwellings.csv", (
    Column("dwelling_id", _text),
    Column("municipality", _code),
    Column("kind", _kind),
    Column("capacity", _positive_int),
    Column("min_occupancy", _positive_int, required=False, default=1),
    Column("accessible", _bool, required=False, default=False),
    Column("available_from", _date),
))
TRAVEL_TIMES = Table("travel_times.csv", (
    Column("location_id", _text),
    Column("municipality", _code),
    Column("minutes", _minutes),
), required=False)
LOCKS = Table("locks.csv", (
    Column("household_id", _text),
    Column("municipality", _code, required=False),
    Column("dwelling_id", _text, required=False),
), required=False)
BANS = Table("bans.csv", (
    Column("household_id", _text),
    Column("municipality", _code, required=False),
    Column("dwelling_id", _text, required=False),
), required=False)
PROPOSAL_COLUMNS = (
    Column("household_id", _text),
    Column("action", _action),
    Column("municipality", _code, required=False),
    Column("dwelling_id", _text, required=False),
    Column("persons", _nonneg_int, required=False),
    Column("km", _km, required=False),
    Column("overdue_days", _count, required=False),
    Column("moves", _count, required=False),
    Column("reason", _text, required=False),
    Column("reason_kind", _text, required=False),
    Column("reason_values", _text, required=False),
    Column("temporary_home", _text, required=False),
)
PREVIOUS = Table("previous.csv", PROPOSAL_COLUMNS, required=False)

TABLES = (MUNICIPALITIES, LOCATIONS, HOUSEHOLDS, DWELLINGS, TRAVEL_TIMES, LOCKS, BANS, PREVIOUS)


@dataclass
class Row:
    """A parsed row: its values by column name, and where each cell stood."""

    number: int
    values: dict[str, Any]
    positions: dict[str, int]

    def problem(self, table: Table, column: str | None, message: str) -> Problem:
        return Problem(table.file, message, self.number, self.positions.get(column) if column else None)


def read_table(path: Path, table: Table, problems: list[Problem]) -> list[Row]:
    """Parse one CSV file against its schema, appending every problem found to ``problems``."""
    rows: list[Row] = []
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(table.file, f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8", row))
        return rows
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        problems.append(Problem(table.file, "has no header row; expected " + ", ".join(c.name for c in table.columns), 1))
        return rows
    known = {c.name: c for c in table.columns}
    if not any(n.strip() in known or n.strip().startswith("x_") for n in header):
        problems.append(Problem(table.file, "has no header row (row 1 names no column of this file); expected " + ", ".join(known), 1))
        return rows
    positions: dict[str, int] = {}
    header_ok = True
    for index, raw_name in enumerate(header, start=1):
        name = raw_name.strip()
        if name.startswith("x_"):
            continue
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem(table.file, f"unknown column {name!r}{hint}; expected one of {', '.join(known)} (or a name starting with x_)", 1, index))
            header_ok = False
        elif name in positions:
            problems.append(Problem(table.file, f"column {name!r} appears twice (also column {positions[name]})", 1, index))
            header_ok = False
        else:
            positions[name] = index
    for column in table.columns:
        if column.required and column.name not in positions:
            problems.append(Problem(table.file, f"missing required column {column.name!r}", 1))
            header_ok = False
    if not header_ok:
        return rows
    for number, cells in enumerate(reader, start=2):
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(table.file, f"has {len(cells)} fields; the header has {len(header)}", number))
            continue
        values: dict[str, Any] = {}
        ok = True
        for column in table.columns:
            if column.name not in positions:
                values[column.name] = column.default
                continue
            raw = cells[positions[column.name] - 1].strip()
            if raw == "":
                if column.required:
                    problems.append(Problem(table.file, f"{column.name} is empty; a value is required", number, positions[column.name]))
                    ok = False
                values[column.name] = column.default
                continue
            try:
                values[column.name] = column.parse(raw)
            except CellError as exc:
                problems.append(Problem(table.file, f"{column.name}: {exc}", number, positions[column.name]))
                ok = False
        if ok:
            rows.append(Row(number, values, positions))
    return rows


def _unique(rows: Iterable[Row], table: Table, key: str, problems: list[Problem]) -> None:
    seen: dict[Any, int] = {}
    for row in rows:
        value = row.values[key]
        if value in seen:
            problems.append(row.problem(table, key, f"{key} {value!r} is already used on row {seen[value]}; it must be unique"))
        else:
            seen[value] = row.number


def read_instance(folder: str | Path) -> Instance:
    """Read and validate an instance folder.

    Raises :class:`InstanceError` listing every problem as ``file:row:column: message``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InstanceError([Problem(str(folder), "is not a folder; expected an instance folder of CSV files")])
    problems: list[Problem] = []
    rows: dict[str, list[Row]] = {}
    incomplete: set[str] = set()
    for table in TABLES:
        before = len(problems)
        path = folder / table.file
        if not path.exists():
            if table.required:
                problems.append(Problem(table.file, "is missing; this file is required"))
            rows[table.file] = []
        else:
            rows[table.file] = read_table(path, table, problems)
        if len(problems) > before:
            incomplete.add(table.file)

    munis, locs = rows[MUNICIPALITIES.file], rows[LOCATIONS.file]
    hh, dw = rows[HOUSEHOLDS.file], rows[DWELLINGS.file]
    _unique(munis, MUNICIPALITIES, "code", problems)
    _unique(locs, LOCATIONS, "location_id", problems)
    _unique(hh, HOUSEHOLDS, "household_id", problems)
    _unique(dw, DWELLINGS, "dwelling_id", problems)
    codes = {r.values["code"] for r in munis}
    loc_ids = {r.values["location_id"] for r in locs}
    hh_ids = {r.values["household_id"] for r in hh}
    dw_by_id = {r.values["dwelling_id"]: r.values for r in dw}

    def ref(row: Row, table: Table, column: str, known: set | dict, what: str) -> bool:
        # References into a file that had problems are not checked: the row they name may be one
        # that was dropped, and a false "does not exist" would send the user looking in the wrong place.
        value = row.values.get(column)
        if value is not None and value not in known and _home_of(what) not in incomplete:
            problems.append(row.problem(table, column, f"{what} {value!r} does not exist; it must be listed in {_home_of(what)}"))
            return False
        return True

    for row in hh:
        v = row.values
        ref(row, HOUSEHOLDS, "location_id", loc_ids, "location")
        ref(row, HOUSEHOLDS, "coupled_to", codes, "municipality")
        ref(row, HOUSEHOLDS, "tie_municipality", codes, "municipality")
        ref(row, HOUSEHOLDS, "recouple_to", codes, "municipality")
        if (v["coupled_to"] is None) != (v["coupling_date"] is None):
            col = "coupling_date" if v["coupled_to"] is not None else "coupling_date"
            expected = "is required because coupled_to is set" if v["coupled_to"] is not None else "must be empty because coupled_to is empty"
            problems.append(row.problem(HOUSEHOLDS, col, f"coupling_date {expected}"))
        elif v["coupling_date"] is not None and v["coupling_date"] < v["permit_date"]:
            problems.append(row.problem(HOUSEHOLDS, "coupling_date", f"coupling_date {v['coupling_date']} is before permit_date {v['permit_date']}; a household is coupled after its permit"))
        if v["may_recouple"] and v["coupled_to"] is None:
            problems.append(row.problem(HOUSEHOLDS, "may_recouple", "may_recouple is only for a household coupled already; set coupled_to or leave it 0"))
        if v["recouple_to"] is not None and not v["may_recouple"]:
            problems.append(row.problem(HOUSEHOLDS, "recouple_to", "recouple_to names where an approved re-coupling may go; "
                                        "it needs may_recouple = 1"))
            v["recouple_to"] = None
        elif v["recouple_to"] is not None and v["recouple_to"] == v["coupled_to"]:
            problems.append(row.problem(HOUSEHOLDS, "recouple_to", f"recouple_to {v['recouple_to']} is the municipality the "
                                        "household is coupled to; name another one, or leave it empty"))
            v["recouple_to"] = None
        _temporary_problems(row, problems)
        if v["expected_extra_date"] is not None and not v["expected_extra"]:
            problems.append(row.problem(HOUSEHOLDS, "expected_extra_date", "expected_extra_date is set but expected_extra is 0; a date needs the family members expected on it"))
        elif v["expected_extra_date"] is not None and v["expected_extra_date"] < v["permit_date"]:
            problems.append(row.problem(HOUSEHOLDS, "expected_extra_date", f"expected_extra_date {v['expected_extra_date']} is before permit_date {v['permit_date']}; family members follow after the permit"))
    for row in dw:
        v = row.values
        ref(row, DWELLINGS, "municipality", codes, "municipality")
        if v["kind"] is not DwellingKind.REGULAR and "min_occupancy" in row.positions and v["min_occupancy"] != 1:
            problems.append(row.problem(DWELLINGS, "min_occupancy", f"min_occupancy applies to regular dwellings only; leave it empty or 1 for kind {v['kind'].value}"))
        elif v["min_occupancy"] > v["capacity"]:
            problems.append(row.problem(DWELLINGS, "min_occupancy", f"min_occupancy {v['min_occupancy']} exceeds capacity {v['capacity']}; expected at most the capacity"))
    seen_pairs: dict[tuple[str, str], int] = {}
    for row in rows[TRAVEL_TIMES.file]:
        ref(row, TRAVEL_TIMES, "location_id", loc_ids, "location")
        ref(row, TRAVEL_TIMES, "municipality", codes, "municipality")
        pair = (row.values["location_id"], row.values["municipality"])
        if pair in seen_pairs:
            problems.append(row.problem(TRAVEL_TIMES, "municipality", f"travel time {pair[0]} -> {pair[1]} is already given on row {seen_pairs[pair]}"))
        seen_pairs[pair] = row.number
    for table, need_one in ((LOCKS, False), (BANS, True)):
        for row in rows[table.file]:
            v = row.values
            ref(row, table, "household_id", hh_ids, "household")
            ref(row, table, "municipality", codes, "municipality")
            ref(row, table, "dwelling_id", dw_by_id, "dwelling")
            if v["municipality"] is None and v["dwelling_id"] is None:
                problems.append(row.problem(table, None, "names neither a municipality nor a dwelling_id; expected one of them"))
            elif need_one and v["municipality"] is not None and v["dwelling_id"] is not None:
                problems.append(row.problem(table, "dwelling_id", "names both a municipality and a dwelling_id; a ban takes exactly one"))
    previous_seen: dict[str, int] = {}
    for row in rows[PREVIOUS.file]:
        v = row.values
        ref(row, PREVIOUS, "household_id", hh_ids, "household")
        ref(row, PREVIOUS, "municipality", codes, "municipality")
        ref(row, PREVIOUS, "dwelling_id", dw_by_id, "dwelling")
        if v["household_id"] in previous_seen:
            problems.append(row.problem(PREVIOUS, "household_id", f"household {v['household_id']!r} already has a line on row {previous_seen[v['household_id']]}"))
        previous_seen[v["household_id"]] = row.number
    if problems:
        raise InstanceError(problems)

    return Instance(
        municipalities=tuple(Municipality(**r.values) for r in munis),
        locations=tuple(Location(**r.values) for r in locs),
        households=tuple(Household(**{k: x for k, x in r.values.items() if k != "state"}) for r in hh),
        dwellings=tuple(Dwelling(**r.values) for r in dw),
        travel_minutes=tuple((r.values["location_id"], r.values["municipality"], r.values["minutes"]) for r in rows[TRAVEL_TIMES.file]),
        locks=tuple(Lock(**r.values) for r in rows[LOCKS.file]),
        bans=tuple(Ban(**r.values) for r in rows[BANS.file]),
        previous=tuple(
            PreviousRow(r.values["household_id"], r.values["action"], r.values["municipality"], r.values["dwelling_id"],
                        r.values["persons"])
            for r in rows[PREVIOUS.file]
        ),
        name=folder.name,
    )


def _temporary_problems(row: Row, problems: list[Problem]) -> None:
    """A household in a temporary home (``state`` ``temporary``) names the home and the day it moved
    in, is coupled to the home's municipality (its quota counted there) by then, and is not AMV (a
    temporary home takes none, rule 1); a household in reception names neither."""
    v = row.values
    if v["state"] == "temporary":
        for column in ("temporary_home", "housed_since"):
            if v[column] is None:
                problems.append(row.problem(HOUSEHOLDS, column if column in row.positions else None,
                                            f"{column} is required because state is temporary"))
        if v["coupled_to"] is None:
            problems.append(row.problem(HOUSEHOLDS, "coupled_to" if "coupled_to" in row.positions else "state",
                                        "coupled_to is required because state is temporary: a temporary home is in the "
                                        "municipality the household is coupled to"))
        elif v["housed_since"] is not None and v["coupling_date"] is not None and v["housed_since"] < v["coupling_date"]:
            problems.append(row.problem(HOUSEHOLDS, "housed_since", f"housed_since {v['housed_since']} is before coupling_date "
                                        f"{v['coupling_date']}; a household moves into a temporary home once coupled"))
        if v["amv"]:
            problems.append(row.problem(HOUSEHOLDS, "amv", "a household in a temporary home is not AMV: a temporary home takes "
                                        "no unaccompanied minors"))
        if v["may_recouple"]:
            problems.append(row.problem(HOUSEHOLDS, "may_recouple", "may_recouple is not for a household in a temporary "
                                        "home: it moves on within the municipality it is housed in for the quota"))
        if v["temporary_home"] is None or v["housed_since"] is None or v["coupled_to"] is None or v["amv"] or v["may_recouple"]:
            v["temporary_home"] = v["housed_since"] = None  # reported above; keep the domain type buildable
    else:
        for column in ("temporary_home", "housed_since"):
            if v[column] is not None:
                problems.append(row.problem(HOUSEHOLDS, column, f"{column} must be empty unless state is temporary"))
                v[column] = None


def _home_of(what: str) -> str:
    return {
        "location": "locations.csv",
        "municipality": "municipalities.csv",
        "household": "households.csv",
        "dwelling": "dwellings.csv",
    }[what]


def read_params(folder: str | Path, **overrides: Any) -> Params:
    """The parameters of an instance folder: ``params.toml`` if present, then ``overrides``."""
    path = Path(folder) / "params.toml"
    if path.exists():
        return Params.from_toml(path, **overrides)
    return Params.from_dict({}, source="params.toml", **overrides)


def require_travel_times(instance: Instance, params: Params, source: str = "travel_times.csv") -> None:
    """Refuse ``max_minutes`` without a single travel time: every new coupling would be out of range
    and every household not coupled would wait without a word (docs/contract.md §2)."""
    if params.max_minutes is not None and not instance.travel_minutes:
        raise InstanceError([Problem(source, f"max_minutes is {params.max_minutes:g} but there are no travel times: "
                                             "every new coupling would be out of range; give travel_times.csv "
                                             "(location_id, municipality, minutes) or leave max_minutes out")])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (DwellingKind, Action)):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write_csv(path: Path, header: list[str], rows: Iterable[Iterable[Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([sheets.cell(_cell(v)) for v in row])
    tmp.replace(path)


def write_instance(instance: Instance, folder: str | Path, params: Params | None = None) -> Path:
    """Write an instance folder that :func:`read_instance` reads back to an equal instance."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / MUNICIPALITIES.file, ["code", "name", "province", "lat", "lon", "quota_remaining", "amv_quota_remaining"],
               ((m.code, m.name, m.province, m.lat, m.lon, m.quota_remaining, m.amv_quota_remaining) for m in instance.municipalities))
    _write_csv(folder / LOCATIONS.file, ["location_id", "name", "lat", "lon"],
               ((loc.location_id, loc.name, loc.lat, loc.lon) for loc in instance.locations))
    # The state columns only when someone lives in a temporary home: other folders stay as they were.
    # The expected arrival dates likewise only when some household has one.
    names = [c.name for c in HOUSEHOLDS.columns]
    if not any(h.in_temporary for h in instance.households):
        names = [n for n in names if n not in ("state", "temporary_home", "housed_since")]
    if not any(h.expected_extra_date is not None for h in instance.households):
        names.remove("expected_extra_date")
    if not any(h.recouple_to is not None for h in instance.households):
        names.remove("recouple_to")
    _write_csv(folder / HOUSEHOLDS.file, names,
               ([{"household_id": h.household_id, "size": h.size, "location_id": h.location_id, "permit_date": h.permit_date,
                  "coupled_to": h.coupled_to, "coupling_date": h.coupling_date, "amv": h.amv,
                  "needs_accessible": h.needs_accessible, "expected_extra": h.expected_extra,
                  "tie_municipality": h.tie_municipality, "document_ready": h.document_ready,
                  "may_recouple": h.may_recouple, "state": "temporary" if h.in_temporary else "waiting",
                  "temporary_home": h.temporary_home, "housed_since": h.housed_since,
                  "expected_extra_date": h.expected_extra_date, "recouple_to": h.recouple_to}[n] for n in names] for h in instance.households))
    _write_csv(folder / DWELLINGS.file, [c.name for c in DWELLINGS.columns],
               ((d.dwelling_id, d.municipality, d.kind, d.capacity, d.min_occupancy, d.accessible, d.available_from) for d in instance.dwellings))
    optional = (
        (TRAVEL_TIMES, instance.travel_minutes, lambda t: t),
        (LOCKS, instance.locks, lambda r: (r.household_id, r.municipality, r.dwelling_id)),
        (BANS, instance.bans, lambda r: (r.household_id, r.municipality, r.dwelling_id)),
        (PREVIOUS, instance.previous, lambda r: (r.household_id, r.action, r.municipality, r.dwelling_id, r.persons)),
    )
    for table, items, to_row in optional:
        path = folder / table.file
        if items:
            header = [c.name for c in table.columns][: len(to_row(items[0]))]
            _write_csv(path, header, (to_row(i) for i in items))
        elif path.exists():
            path.unlink()
    if params is not None:
        write_params(params, folder / "params.toml")
    return folder


def write_params(params: Params, path: Path) -> None:
    """Write ``params.toml`` with every parameter spelled out."""
    lines = [f"as_of = {params.as_of.isoformat()}"]
    for name in ("horizon_days", "norm_days", "coupling_days", "quota_slack"):
        lines.append(f"{name} = {getattr(params, name)}")
    if params.max_km is not None:  # left out with max_minutes set: a minutes-only region
        lines.append(f"max_km = {params.max_km}")
    if params.max_minutes is not None:
        lines.append(f"max_minutes = {params.max_minutes}")
    lines.append(f"allow_recoupling = {'true' if params.allow_recoupling else 'false'}")
    lines.append("")
    lines.append("[weights]")
    for name, value in vars(params.weights).items():
        lines.append(f"{name} = {value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
