"""The same table as each kind of file an office makes: a comma CSV (UTF-8), a Dutch CSV
(semicolon, decimal comma, dates as ``3-7-2023``, ``WAAR``/``ONWAAR``, Windows-1252 or UTF-8
with a byte-order mark, as Dutch Excel saves it) and an XLSX workbook with typed cells (numbers,
dates and booleans as Excel stores them).  For the upload tests of the API and the pages."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from typing import Any

Rows = list[list[Any]]
"""A header row, then rows of str, int, float, bool, date or None (an empty cell)."""


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _dutch_text(value: Any) -> str:
    if isinstance(value, bool):
        return "WAAR" if value else "ONWAAR"
    if isinstance(value, dt.date):
        return f"{value.day}-{value.month}-{value.year}"
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return _csv_text(value)


def as_csv(rows: Rows) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([_csv_text(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def as_dutch_csv(rows: Rows, encoding: str = "cp1252") -> bytes:
    """``encoding`` cp1252 (Excel's "CSV (gescheiden door lijstscheidingsteken)") or utf-8-sig
    (its "CSV UTF-8", with the byte-order mark)."""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([_dutch_text(v) for v in row] for row in rows)
    data = out.getvalue().encode(encoding)
    assert encoding != "utf-8-sig" or data.startswith(codecs.BOM_UTF8)
    return data


def as_xlsx(rows: Rows, formulas: dict[str, str] | None = None) -> bytes:
    """A workbook of one sheet holding ``rows`` with their types; ``formulas`` puts formulas in
    cells (``{"C3": "=1+1"}``)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for ref, formula in (formulas or {}).items():
        sheet[ref] = formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FORMATS = {
    "csv": as_csv,
    "csv-nl-cp1252": lambda rows: as_dutch_csv(rows, "cp1252"),
    "csv-nl-utf8-bom": lambda rows: as_dutch_csv(rows, "utf-8-sig"),
    "xlsx": as_xlsx,
}
"""Each way of writing a table, by name."""
