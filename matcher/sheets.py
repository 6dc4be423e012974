"""Cells that a spreadsheet will not execute, for every CSV and XLSX the project writes.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets when the file is opened (``=HYPERLINK(...)`` in a refusal
reason would be a live link).  :func:`cell` puts an apostrophe in front of such text (shown as
text, the usual defence); plain numbers written as text (``-3``, ``+1.5``) stay as they are.
In an XLSX workbook :func:`xlsx_cell` stores every text as a string, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
"""A number written as text, with a decimal point or (a Dutch CSV) a decimal comma."""
DATE_FORMATS = {"nl": "[$-413]d mmmm yyyy", "en": "[$-809]d mmmm yyyy"}
"""How an XLSX shows a date cell: a long date in Dutch (``3 juli 2023``) or English (``3 July
2023``), whatever the language of the spreadsheet program (the locale code is in the format)."""


def cell(value: Any) -> Any:
    """``value`` safe for a CSV cell: text a spreadsheet would execute gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def row(values: Any) -> Any:
    """:func:`cell` over a row: a list or tuple of values, or a dict (its values)."""
    if isinstance(values, dict):
        return {k: cell(v) for k, v in values.items()}
    return [cell(v) for v in values]


def xlsx_cell(sheet: Any, value: Any, lang: str = "nl") -> Any:
    """An openpyxl cell of a write-only ``sheet`` holding ``value``; text is a string cell even
    when it starts with ``=`` (openpyxl would store it as a formula); a date is a date cell shown
    as a long date in ``lang`` (:data:`DATE_FORMATS`)."""
    from openpyxl.cell import WriteOnlyCell

    out = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        out.data_type = "s"
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        out.number_format = DATE_FORMATS.get(lang, DATE_FORMATS["nl"])
    return out
