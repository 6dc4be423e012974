"""A finished proposal with its decisions, for a spreadsheet: ``proposal.csv`` (docs/contract.md §6, the
``dwelling_id`` being the home id, the reason in the reader's language) with the line id in front and
the reason kind and values, the municipality's own home reference and the decision behind, as CSV or
as an XLSX workbook with a second sheet for the summary."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.messages import Term
from api.models import Job, ProposalLine
from api.services.csvio import write_csv
from api.services.errors import Conflict
from api.services.jobs import get_job
from api.services.reasons import home_references, line_reason
from matcher import sheets
from matcher.reasons import DEFAULT_LANG
from matcher.write import PROPOSAL_HEADER, REASON_COLUMNS, reason_json

EXPORT_HEADER = ["line_id", *PROPOSAL_HEADER, *REASON_COLUMNS, "home_reference", "decision", "decision_reason",
                 "decision_date"]


def _export_rows(session: Session, job_id: int, lang: str) -> tuple[Job, list[list[object]]]:
    job = get_job(session, job_id)
    if job.status != "done":
        raise Conflict("job_not_done", job=job.id, status=Term(job.status))
    rows = []
    lines = list(session.scalars(select(ProposalLine).where(ProposalLine.job_id == job_id).order_by(ProposalLine.id)))
    references = home_references(session, lines)
    for line in lines:
        rows.append([line.id, line.household_id, line.action, line.municipality_code or "",
                     "" if line.home_id is None else line.home_id, line.persons,
                     "" if line.km is None else f"{line.km:.1f}", line.overdue_days, line.moves,
                     line_reason(line, lang, references), line.reason_kind or "",
                     "" if line.reason_values is None else reason_json(line.reason_values),
                     "" if line.home_id is None else references.get(str(line.home_id), ""),
                     line.decision, line.decision_reason or "",
                     line.decision_date.isoformat() if line.decision_date else ""])
    return job, rows


def export_csv(session: Session, job_id: int, lang: str = DEFAULT_LANG) -> bytes:
    """The lines of a done job with their decisions, as UTF-8 CSV; :class:`Conflict` before."""
    _, rows = _export_rows(session, job_id, lang)
    return write_csv(EXPORT_HEADER, rows)


def export_xlsx(session: Session, job_id: int, lang: str = DEFAULT_LANG) -> bytes:
    """The same as :func:`export_csv` as a workbook, with a second sheet for the summary."""
    from openpyxl import Workbook

    job, rows = _export_rows(session, job_id, lang)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("proposal")
    sheet.append(EXPORT_HEADER)
    for row in rows:  # text stays text: a reason "=HYPERLINK(...)" is not a formula
        sheet.append([sheets.xlsx_cell(sheet, v) for v in row])
    info = book.create_sheet("summary")
    summary = job.summary or {}
    pairs: list[list[Any]] = [["job", job.id], ["as_of", job.as_of.isoformat()],
             *([key, summary.get(key)] for key in ("status", "solver", "runtime_s", "bound", "gap")),
             *([f"level {key}", value] for key, value in (summary.get("levels") or {}).items())]
    for pair in pairs:
        info.append([sheets.xlsx_cell(info, v if isinstance(v, (str, int, float, type(None))) else str(v)) for v in pair])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
