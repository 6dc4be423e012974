"""A finished proposal with its decisions, for a spreadsheet: ``proposal.csv`` (docs/contract.md §6, the
``dwelling_id`` being the home id, the reason in the reader's language) with the line id in front and
the reason kind and values, the municipality's own home reference and the decision behind, in three
forms:

- CSV: comma-separated UTF-8, ``.`` decimals, ISO dates, the machine column names (for programs);
- Dutch CSV: semicolon-separated UTF-8 with a byte-order mark, decimal commas, ISO dates (Dutch
  Excel opens it as columns, reads ``12,5`` as a number and ``2023-07-04`` as a date), headers in
  the reader's language (for people);
- XLSX: a workbook for people, headers and sheet names in the reader's language, with numbers as
  numbers and dates as date cells shown as Dutch dates (``4 juli 2023``; English ``4 July 2023``
  for an English reader), a second sheet for the summary.

Every text cell is formula-neutral (:mod:`matcher.sheets`)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.messages import Term, column
from api.models import Job, ProposalLine
from api.services.csvio import write_csv
from api.services.errors import Conflict
from api.services.jobs import get_job
from api.services.overview import line_deadlines
from api.services.reasons import home_references, line_reason
from matcher import sheets
from matcher.reasons import DEFAULT_LANG
from matcher.write import PROPOSAL_HEADER, REASON_COLUMNS, TEMPORARY_COLUMNS, reason_json

DEADLINE_COLUMNS = ["coupling_deadline", "coupling_status", "coupling_days_left", "housing_deadline", "housing_status",
                    "housing_days_left"]
"""The household's two deadlines on the job's ``as_of`` (:mod:`api.services.deadlines`): the due
date, ``open``/``overdue``/``met``/``late`` and the days left (negative: overdue or late)."""

EXPORT_HEADER = ["line_id", *PROPOSAL_HEADER, *REASON_COLUMNS, *TEMPORARY_COLUMNS, "home_reference", "decision", "decision_reason",
                 "decision_date", *DEADLINE_COLUMNS]


def temporary_home(values: dict | None) -> str:
    """The temporary home a line's household lived in when the job ran, from its reason values
    (``waiting_temporary``, or the ``note.onward`` of an onward move); empty for the others."""
    if not values:
        return ""
    if values.get("temporary_home"):
        return str(values["temporary_home"])
    return next((str(note["temporary_home"]) for note in values.get("notes", ())
                 if isinstance(note, dict) and note.get("key") == "note.onward"), "")


def _export_rows(session: Session, job_id: int, lang: str) -> tuple[Job, list[list[object]]]:
    job = get_job(session, job_id)
    if job.status != "done":
        raise Conflict("job_not_done", job=job.id, status=Term(job.status))
    rows: list[list[object]] = []
    lines = list(session.scalars(select(ProposalLine).where(ProposalLine.job_id == job_id).order_by(ProposalLine.id)))
    references = home_references(session, lines)
    due = line_deadlines(session, lines, job.as_of)
    for line in lines:
        d = due.get(line.household_id)
        rows.append([line.id, line.household_id, line.action, line.municipality_code or "",
                     "" if line.home_id is None else line.home_id, line.persons,
                     None if line.km is None else round(line.km, 1), line.overdue_days, line.moves,
                     line_reason(line, lang, references), line.reason_kind or "",
                     "" if line.reason_values is None else reason_json(line.reason_values),
                     temporary_home(line.reason_values),
                     "" if line.home_id is None else references.get(str(line.home_id), ""),
                     line.decision, line.decision_reason or "", line.decision_date,
                     *([] if d is None else [d.coupling.due, d.coupling.status, d.coupling.days_left,
                                             d.housing.due, d.housing.status, d.housing.days_left])])
    return job, rows


def _text(value: object, decimal: str) -> object:
    """A cell of a CSV: nothing for no value, km with one decimal, a date in ISO."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", decimal)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def people_header(lang: str) -> list[str]:
    """:data:`EXPORT_HEADER` as people read it, in ``lang`` (the XLSX and the Dutch CSV)."""
    return [column(lang, name) for name in EXPORT_HEADER]


def export_csv(session: Session, job_id: int, lang: str = DEFAULT_LANG, dialect: str = "comma") -> bytes:
    """The lines of a done job with their decisions, as CSV (``dialect`` ``comma``: for programs,
    the machine column names; ``nl``: the Dutch CSV for people, headers in ``lang``);
    :class:`Conflict` before it is done."""
    _, rows = _export_rows(session, job_id, lang)
    dutch = dialect == "nl"
    header = people_header(lang) if dutch else EXPORT_HEADER
    return write_csv(header, ([_text(v, "," if dutch else ".") for v in row] for row in rows), dutch=dutch)


def export_xlsx(session: Session, job_id: int, lang: str = DEFAULT_LANG) -> bytes:
    """The same as :func:`export_csv` as a workbook, with a second sheet for the summary; dates
    are date cells shown as long dates in ``lang`` (nl or en)."""
    from openpyxl import Workbook

    job, rows = _export_rows(session, job_id, lang)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(column(lang, "sheet_proposal"))
    sheet.append(people_header(lang))
    for row in rows:  # text stays text: a reason "=HYPERLINK(...)" is not a formula
        sheet.append([sheets.xlsx_cell(sheet, v, lang) for v in row])
    info = book.create_sheet(column(lang, "sheet_summary"))
    summary = job.summary or {}
    pairs: list[list[Any]] = [[column(lang, "job"), job.id], [column(lang, "as_of"), job.as_of],
             *([column(lang, key), summary.get(key)] for key in ("status", "solver", "runtime_s", "bound", "gap")),
             *([column(lang, "level", level=key), value] for key, value in (summary.get("levels") or {}).items())]
    for pair in pairs:
        info.append([sheets.xlsx_cell(info, v if isinstance(v, (str, int, float, dt.date, type(None))) else str(v), lang)
                     for v in pair])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
