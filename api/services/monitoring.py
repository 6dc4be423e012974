"""Monitoring figures from the service's database (issue 16): lead times by month, province
and municipality; realisation against the taakstelling in the layout of the quota letter's
Tabel 1; the share of regional placements; accepted proposals against move-ins by week.

Every figure is a :class:`Table`: named columns and rows of plain values, the same for the
JSON routes, the CSV/XLSX exports and the pages.  COA sees everything; a municipality only the
households coupled or housed in it, its own quota row and its own proposal lines.  Read-only.

Definitions (docs/contract.md §11, *Monitoring*):

- a **move-in** is a household in state ``housed`` with its ``housed_date``; lead times are
  ``housed_date - coupling_date`` (against :data:`~matcher.models.params.NORM_DAYS`) and
  ``housed_date - permit_date`` (against :data:`~matcher.models.params.NORM_FROM_PERMIT_DAYS`);
  p90 is the linearly interpolated 90th percentile (pandas' default);
- **realisation** per municipality, safety region (veiligheidsregio) and province counts the
  persons housed with that period as their housing period and a ``housed_date`` on or before the
  as-of date; a municipality whose quota another
  carries out (``quota_executed_by``, the Wadden islands and Leeuwarden) has its figures counted
  in the carrier's row, and its own row shows zeros naming the carrier;
- a **regional placement** is a coupling to a municipality whose point lies within ``km``
  great-circle kilometres of the reception location the household waits in.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from api.models import Household, Location, Municipality, Period, ProposalLine, Quota, Redistribution
from api.services.changes import Cache, fingerprint
from api.services.errors import Actor
from api.services.municipalities import current_period
from matcher.models.params import NORM_DAYS, NORM_FROM_PERMIT_DAYS
from matcher.rules import great_circle_km

Cell = str | int | float | None

LEAD_BY = ("month", "province", "municipality")
REGIONAL_BY = ("municipality", "location")
REGIONAL_KM = 50.0


@dataclass(frozen=True)
class Table:
    """One figure: what it is, the date it describes, its column keys and its rows."""

    figure: str
    as_of: dt.date
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    exports: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    """The table's CSV and XLSX once made (a kept table keeps them too)."""

    def records(self) -> list[dict[str, Cell]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def _cells(key: Any) -> list[Cell]:
    """A groupby key (one value or a tuple of them) as the cells of a row."""
    return [v if isinstance(v, (str, int, float)) or v is None else str(v) for v in (key if isinstance(key, tuple) else (key,))]


def _rows(session: Session, query: Any) -> Any:
    """The rows of a column query through the session's connection (Core: no ORM row loading,
    which costs more than the query on the national example)."""
    return session.connection().execute(query).all()


def _round(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 1)


# --- lead times ------------------------------------------------------------------------------

LEAD_COLUMNS = ["households", "persons",
                "coupling_mean", "coupling_median", "coupling_p90", "coupling_count", "coupling_over_norm",
                "permit_mean", "permit_median", "permit_p90", "permit_count", "permit_over_norm"]


def _move_ins(session: Session, actor: Actor) -> pd.DataFrame:
    query = (select(Household.size, Household.permit_date, Household.coupling_date, Household.housed_date,
                    Household.municipality_code, Municipality.name, Municipality.province)
             .join(Municipality, Municipality.code == Household.municipality_code)
             # housed, or in a temporary home (the housing counts then [004:151]; an onward move keeps its date)
             .where(Household.state.in_(("housed", "temporary", "moving_in")), Household.housed_date.is_not(None)))
    if not actor.is_coa:
        query = query.where(Household.municipality_code == actor.municipality)
    frame = pd.DataFrame([tuple(row) for row in _rows(session, query)],  # plain tuples: pandas reads them fast
                         columns=["size", "permit_date", "coupling_date", "housed_date", "code", "name", "province"])
    housed = pd.to_datetime(frame["housed_date"])
    frame["coupling_days"] = (housed - pd.to_datetime(frame["coupling_date"])).dt.days
    frame["permit_days"] = (housed - pd.to_datetime(frame["permit_date"])).dt.days
    frame["month"] = housed.dt.strftime("%Y-%m")
    return frame


def _lead_figures(frame: pd.DataFrame, keys: list[str]) -> dict[Any, list[Cell]]:
    """Per group of ``keys`` (a value, or a tuple of values for several keys) the figures of
    :data:`LEAD_COLUMNS`, computed column-wise by pandas."""
    groups = frame.groupby(keys, sort=True)
    parts = [groups.size().rename("households"), groups["size"].sum().rename("persons")]
    for measure, norm, name in (("coupling_days", NORM_DAYS, "coupling"), ("permit_days", NORM_FROM_PERMIT_DAYS, "permit")):
        days = groups[measure]
        over = (frame[measure] > norm).groupby([frame[k] for k in keys]).sum()
        parts += [days.mean().rename(f"{name}_mean"), days.median().rename(f"{name}_median"),
                  days.quantile(0.9).rename(f"{name}_p90"), days.count().rename(f"{name}_count"),
                  over.rename(f"{name}_over_norm")]
    table = pd.concat(parts, axis=1)
    out: dict[Any, list[Cell]] = {}
    for key, values in zip(table.index, table[LEAD_COLUMNS].itertuples(index=False), strict=True):
        out[key] = [_round(v) if c.endswith(("_mean", "_median", "_p90")) else int(v)
                    for c, v in zip(LEAD_COLUMNS, values, strict=True)]
    return out


EMPTY_LEAD: list[Cell] = [0, 0, None, None, None, 0, 0, None, None, None, 0, 0]


def _months(first: str, last: str) -> list[str]:
    return [p.strftime("%Y-%m") for p in pd.period_range(first, last, freq="M")]


def _lead_times(session: Session, actor: Actor, by: str = "month", as_of: dt.date | None = None) -> Table:
    """Lead times of the move-ins, one row per month of move-in (every month from the first to
    the last, an empty one with count 0), per province or per municipality."""
    frame = _move_ins(session, actor)
    as_of = as_of or dt.date.today()
    notes = {"coupling_norm_days": NORM_DAYS, "permit_norm_days": NORM_FROM_PERMIT_DAYS}
    if by == "month":
        keys = ["month"]
        figures = _lead_figures(frame, keys) if len(frame) else {}
        months = _months(str(min(figures)), str(max(figures))) if figures else []
        rows = [[month, *figures.get(month, EMPTY_LEAD)] for month in months]
    else:
        keys = ["province"] if by == "province" else ["municipality", "name", "province"]
        columns = ["province"] if by == "province" else ["code", "name", "province"]
        figures = _lead_figures(frame, columns) if len(frame) else {}
        rows = [[*_cells(key), *values] for key, values in figures.items()]
    return Table(f"lead_times_{by}", as_of, [*keys, *LEAD_COLUMNS], rows, notes)


# --- realisation (Tabel 1) ------------------------------------------------------------------

REALISATION_COLUMNS = ["level", "province", "safety_region", "code", "name", "executed_by",
                       "taakstelling", "redistributed", "backlog", "target", "realised", "difference", "coupled",
                       "amv_taakstelling", "amv_redistributed", "amv_backlog", "amv_target", "amv_realised",
                       "amv_difference", "amv_coupled"]
"""``target`` = taakstelling + redistributed + backlog (Tabel 1's "taakstelling incl. voor- en
achterstanden"); ``difference`` = target - realised: positive is a backlog (achterstand) still
to house, negative an advance (voorsprong)."""

REALISATION_LEVELS = ("province", "safety_region", "municipality", "total")
"""The row levels of the realisation figure, as in Tabel 1: a province, its safety regions
(veiligheidsregio's), their municipalities; the national total last."""

_FIGURES = ("taakstelling", "redistributed", "backlog", "realised", "coupled")


def _zero() -> dict[str, int]:
    return {f"{p}{k}": 0 for p in ("", "amv_") for k in _FIGURES}


def _figures(period: Period, session: Session, as_of: dt.date, codes: set[str] | None = None
             ) -> dict[str, dict[str, int]]:
    """Per municipality code the raw figures of ``period`` (before carriers are folded in); of
    the municipalities ``codes`` only, when given."""
    out: dict[str, dict[str, int]] = defaultdict(_zero)
    quotas = select(Quota).where(Quota.period_id == period.id)
    moves = select(Redistribution).where(Redistribution.period_id == period.id)
    if codes is not None:
        quotas = quotas.where(Quota.municipality_code.in_(codes))
        moves = moves.where(Redistribution.from_code.in_(codes) | Redistribution.to_code.in_(codes))
    for q in session.scalars(quotas):
        row = out[q.municipality_code]
        row["taakstelling"] += q.taakstelling
        row["backlog"] += q.backlog
        row["amv_taakstelling"] += q.amv_taakstelling
        row["amv_backlog"] += q.amv_backlog
    for r in session.scalars(moves):
        for code, sign in ((r.from_code, -1), (r.to_code, 1)):
            out[code]["redistributed"] += sign * r.persons
            out[code]["amv_redistributed"] += sign * r.amv_persons

    def sums(*conditions: Any) -> list[tuple[str | None, bool, int]]:
        if codes is not None:
            conditions = (*conditions, Household.municipality_code.in_(codes))
        query = (select(Household.municipality_code, Household.amv, func.sum(Household.size)).where(*conditions)
                 .group_by(Household.municipality_code, Household.amv))
        return [(code, bool(amv), int(total or 0)) for code, amv, total in session.execute(query)]

    housed = sums(Household.state.in_(("housed", "temporary", "moving_in")), Household.housed_period_id == period.id, Household.housed_date <= as_of)
    coupled = sums(Household.state.in_(("coupled", "moving_in")), Household.housed_period_id.is_(None))
    for key, found in (("realised", housed), ("coupled", coupled)):
        for place, amv, persons in found:
            out[place or ""][key] += persons  # a housed or coupled household always has a municipality
            if amv:
                out[place or ""][f"amv_{key}"] += persons
    return out


def _row(level: str, province: str, region: str, code: str, name: str, executed_by: str | None,
         f: dict[str, int]) -> list[Cell]:
    out: list[Cell] = [level, province, region, code, name, executed_by]
    for p in ("", "amv_"):
        target = f[f"{p}taakstelling"] + f[f"{p}redistributed"] + f[f"{p}backlog"]
        out += [f[f"{p}taakstelling"], f[f"{p}redistributed"], f[f"{p}backlog"], target, f[f"{p}realised"],
                target - f[f"{p}realised"], f[f"{p}coupled"]]
    return out


def _add(total: dict[str, int], f: dict[str, int]) -> None:
    for key, value in f.items():
        total[key] += value


def _fold(municipalities: list[Municipality], raw: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    folded: dict[str, dict[str, int]] = {m.code: _zero() for m in municipalities}
    known = set(folded)
    for m in municipalities:
        carrier = m.quota_executed_by if m.quota_executed_by is not None and m.quota_executed_by in known else m.code
        _add(folded[carrier], raw.get(m.code, _zero()))
    return folded


def carried_figures(session: Session, as_of: dt.date, period: Period | None = None
                    ) -> tuple[Period, list[Municipality], dict[str, dict[str, int]]]:
    """The period, every municipality, and per code its figures with the figures of the
    municipalities it carries out folded in (a carried one's are zero).  For other modules that
    need realisation per region (the signals)."""
    period = period or current_period(session)
    raw = _figures(period, session, as_of)
    municipalities = list(session.scalars(select(Municipality).order_by(Municipality.province, Municipality.code)))
    return period, municipalities, _fold(municipalities, raw)


def _own_realisation(session: Session, code: str | None, as_of: dt.date) -> Table:
    """A municipality's own row: only its figures and those of the municipalities it carries
    out are read (a carried municipality's own row is zero and names its carrier)."""
    period = current_period(session)
    own = session.get(Municipality, code) if code is not None else None
    rows: list[list[Cell]] = []
    if own is not None:
        members = [own, *session.scalars(select(Municipality).where(Municipality.quota_executed_by == own.code,
                                                                      Municipality.code != own.code))]
        carrier = own.quota_executed_by
        if carrier is not None and carrier != own.code and session.get(Municipality, carrier) is not None:
            figures = _zero()
        else:
            figures = _fold(members, _figures(period, session, as_of, {m.code for m in members}))[own.code]
        rows.append(_row("municipality", own.province, own.safety_region or "", own.code, own.name,
                         own.quota_executed_by, figures))
    return Table("realisation", as_of, REALISATION_COLUMNS, rows, {"period": period.name})


def _realisation(session: Session, actor: Actor, as_of: dt.date | None = None) -> Table:
    """Tabel 1 of the current period (COA): per province its total, then each of its safety
    regions with its total followed by its municipalities, then the national total; provinces
    and regions in Tabel 1's order (that of the regions' CBS codes), municipalities by name.  A
    municipality gets its own row only."""
    as_of = as_of or dt.date.today()
    if not actor.is_coa:
        return _own_realisation(session, actor.municipality, as_of)
    period, municipalities, folded = carried_figures(session, as_of)
    last = "VR99"  # a municipality without a region: after the regions of its province
    tree: dict[str, dict[tuple[str, str], list[Municipality]]] = defaultdict(lambda: defaultdict(list))
    for m in municipalities:
        tree[m.province][(m.safety_region_code or last, m.safety_region or "")].append(m)
    rows: list[list[Cell]] = []
    national = _zero()
    for province in sorted(tree, key=lambda p: (min(tree[p]), p)):
        total = _zero()
        block: list[list[Cell]] = []
        for (region_code, region), members in sorted(tree[province].items()):
            region_total = _zero()
            for m in members:
                _add(region_total, folded[m.code])
            _add(total, region_total)
            if region:
                block.append(_row("safety_region", province, region, region_code, region, None, region_total))
            block += [_row("municipality", province, region, m.code, m.name, m.quota_executed_by, folded[m.code])
                      for m in sorted(members, key=lambda m: (m.name, m.code))]
        _add(national, total)
        rows += [_row("province", province, "", "", province, None, total), *block]
    rows.append(_row("total", "", "", "", "Totaal", None, national))
    return Table("realisation", as_of, REALISATION_COLUMNS, rows, {"period": period.name})


# --- regional placement ---------------------------------------------------------------------

@lru_cache(maxsize=65536)
def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """:func:`~matcher.rules.great_circle_km`, remembered per pair of points (a few thousand
    location-municipality pairs, asked for on every request)."""
    return great_circle_km(lat1, lon1, lat2, lon2)


REGIONAL_COLUMNS = ["couplings", "regional", "share", "persons", "regional_persons", "mean_km"]


def _regional(session: Session, actor: Actor, by: str = "municipality", km: float = REGIONAL_KM,
             as_of: dt.date | None = None) -> Table:
    """The share of couplings (households coupled or housed with a coupling date) whose
    municipality lies within ``km`` of their reception location, per municipality coupled to
    or per reception location."""
    query = (select(Household.municipality_code, Household.location_id, func.count(), func.sum(Household.size))
             .where(Household.state.in_(("coupled", "moving_in", "housed")), Household.coupling_date.is_not(None),
                    Household.municipality_code.is_not(None))
             .group_by(Household.municipality_code, Household.location_id))
    if not actor.is_coa:
        query = query.where(Household.municipality_code == actor.municipality)
    pairs = [tuple(row) for row in _rows(session, query)]  # one row per (municipality, location) pair
    places = {code: (name, lat, lon) for code, name, lat, lon in _rows(session, select(
        Municipality.code, Municipality.name, Municipality.lat, Municipality.lon))}
    sites = {key: (name, lat, lon) for key, name, lat, lon in _rows(session, select(
        Location.location_id, Location.name, Location.lat, Location.lon))}
    rows_in = [(code, places[code][0], location, sites[location][0], n, size,
                _km(sites[location][1], sites[location][2], places[code][1], places[code][2]))
               for code, location, n, size in pairs if code in places and location in sites]
    frame = pd.DataFrame(rows_in, columns=["code", "name", "location_id", "location", "couplings", "size", "km"])
    frame["regional"] = frame["km"] <= km
    frame["km_sum"] = frame["km"] * frame["couplings"]
    keys = ["code", "name"] if by == "municipality" else ["location_id", "location"]
    frame["near"] = frame["couplings"].where(frame["regional"], 0)
    frame["near_size"] = frame["size"].where(frame["regional"], 0)
    sums = frame.groupby(keys, sort=True)[["couplings", "near", "size", "near_size", "km_sum"]].sum()
    rows: list[list[Cell]] = [
        [*_cells(key), int(n), int(near), round(int(near) / int(n), 3), int(size), int(near_size), _round(km_sum / n)]
        for key, (n, near, size, near_size, km_sum) in zip(sums.index, sums.itertuples(index=False), strict=True)]
    return Table(f"regional_{by}", as_of or dt.date.today(), [*keys, *REGIONAL_COLUMNS], rows, {"km": km})


# --- predicted against realised -------------------------------------------------------------

PREDICTED_COLUMNS = ["week", "code", "coupled_accepted", "housed_accepted", "housed_of_accepted", "moved_in"]
"""Persons per municipality and ISO week (its Monday): on couple and house lines accepted with
a decision date in that week; of the house lines, those whose household is housed now; and the
move-ins (housed households by ``housed_date``) of that week."""


@lru_cache(maxsize=4096)
def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _predicted(session: Session, actor: Actor, as_of: dt.date | None = None) -> Table:
    """Accepted proposal lines against move-ins, per municipality and week."""
    housed_now = case((Household.state.in_(("housed", "temporary")), ProposalLine.persons), else_=0)
    lines = (select(ProposalLine.municipality_code, ProposalLine.action, func.sum(ProposalLine.persons),
                    ProposalLine.decision_date, func.sum(housed_now))
             .join(Household, Household.household_id == ProposalLine.household_id)
             .where(ProposalLine.decision == "accepted", ProposalLine.decision_date.is_not(None),
                    ProposalLine.municipality_code.is_not(None))
             .group_by(ProposalLine.municipality_code, ProposalLine.action, ProposalLine.decision_date))
    # the filters above leave no line without a decision date or municipality
    moves = (select(Household.municipality_code, func.sum(Household.size), Household.housed_date)
             .where(Household.state.in_(("housed", "temporary", "moving_in")), Household.housed_date.is_not(None))
             .group_by(Household.municipality_code, Household.housed_date))
    if not actor.is_coa:
        lines = lines.where(ProposalLine.municipality_code == actor.municipality)
        moves = moves.where(Household.municipality_code == actor.municipality)
    cells: dict[tuple[dt.date, str | None], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for code, action, total, day, housed in _rows(session, lines):
        if day is None:  # not selected (decision_date IS NOT NULL); for the type checker
            continue
        cell, persons = cells[(_monday(day), code)], int(total or 0)
        if action == "couple":
            cell[0] += persons
        elif action == "house":
            cell[1] += persons
            cell[2] += int(housed or 0)
    for code, size, day in _rows(session, moves):
        if day is None:  # not selected (housed_date IS NOT NULL)
            continue
        cells[(_monday(day), code)][3] += int(size or 0)
    rows: list[list[Cell]] = [[week.isoformat(), code, *cells[(week, code)]]
                              for week, code in sorted(cells, key=lambda k: (k[0], k[1] or ""))]
    return Table("predicted", as_of or dt.date.today(), PREDICTED_COLUMNS, rows)


# --- exports ---------------------------------------------------------------------------------

# --- kept while the data does not change ----------------------------------------------------

FIGURES = Cache(64)
"""Figures of the latest state of the data (:mod:`api.services.changes`), per actor's view and query."""


def _kept(session: Session, actor: Actor, key: tuple[Any, ...], make: Any) -> Table:
    """The table ``make()`` gives, kept while the data does not change (the first request after a
    write computes it afresh); per view: COA's, or one municipality's."""
    return FIGURES.get(fingerprint(session), (actor.is_coa, actor.municipality, *key), make, tables=TABLES)


TABLES = ("households", "locations", "municipalities", "periods", "proposal_lines", "quotas", "redistributions")
"""Every table a figure reads (:func:`_kept`): each is kept across writes to the others (a home
offered or changed, a lock, a job's status), not across a write to one of these."""


def lead_times(session: Session, actor: Actor, by: str = "month", as_of: dt.date | None = None) -> Table:
    """Lead times of the move-ins, one row per month of move-in (every month from the first to
    the last, an empty one with count 0), per province or per municipality."""
    day = as_of or dt.date.today()
    return _kept(session, actor, ("lead_times", by, day), lambda: _lead_times(session, actor, by, day))


def realisation(session: Session, actor: Actor, as_of: dt.date | None = None) -> Table:
    """Tabel 1 of the quota letter for the current period (see :func:`_realisation`)."""
    day = as_of or dt.date.today()
    return _kept(session, actor, ("realisation", day), lambda: _realisation(session, actor, day))


def regional(session: Session, actor: Actor, by: str = "municipality", km: float = REGIONAL_KM,
             as_of: dt.date | None = None) -> Table:
    """The share of regional couplings (see :func:`_regional`)."""
    day = as_of or dt.date.today()
    return _kept(session, actor, ("regional", by, km, day), lambda: _regional(session, actor, by, km, day))


def predicted(session: Session, actor: Actor, as_of: dt.date | None = None) -> Table:
    """Accepted proposals against move-ins by week (see :func:`_predicted`)."""
    day = as_of or dt.date.today()
    return _kept(session, actor, ("predicted", day), lambda: _predicted(session, actor, day))


def _both(key: str) -> str:
    from api.web.i18n import translate

    return f"{translate('nl', key)} / {translate('en', key)}"


def labels(table: Table) -> list[str]:
    """The column headers of an export: the Dutch words with the English beside."""
    return [_both("col_" + c) for c in table.columns]


def export_rows(table: Table) -> list[list[Cell]]:
    """The rows of an export: a ``level`` cell in words, Dutch with the English beside
    ("Veiligheidsregio / Safety region"); every other cell as in the JSON."""
    if not table.columns or table.columns[0] != "level":
        return table.rows
    return [[_both(f"level_{row[0]}"), *row[1:]] for row in table.rows]


def export_csv(table: Table) -> bytes:
    """A figure as UTF-8 CSV, headed by its labels; no cell a spreadsheet would run as a formula."""
    if "csv" not in table.exports:
        table.exports["csv"] = _csv(table)
    return table.exports["csv"]


def _csv(table: Table) -> bytes:
    from api.services.csvio import write_csv

    return write_csv(labels(table), ([("" if v is None else v) for v in row] for row in export_rows(table)))


def export_xlsx(table: Table) -> bytes:
    """A figure as an XLSX workbook: one sheet with the table, one with its as-of date and notes."""
    if "xlsx" not in table.exports:
        table.exports["xlsx"] = _xlsx(table)
    return table.exports["xlsx"]


def _xlsx(table: Table) -> bytes:
    import io

    from openpyxl import Workbook

    from matcher import sheets

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.figure[:31])
    sheet.append([sheets.xlsx_cell(sheet, v) for v in labels(table)])
    for row in export_rows(table):  # text stays text: a name "=HYPERLINK(...)" is not a formula
        sheet.append([v if v is None or isinstance(v, (int, float)) else sheets.xlsx_cell(sheet, v) for v in row])
    info = book.create_sheet("peildatum")
    for pair in (["as_of", table.as_of.isoformat()], *([k, str(v)] for k, v in table.notes.items())):
        info.append([sheets.xlsx_cell(info, v) for v in pair])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
