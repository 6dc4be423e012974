"""Cells that a spreadsheet will not execute, for every CSV and XLSX the project writes.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets when the file is opened (``=HYPERLINK(...)`` in a refusal
reason would be a live link).  :func:`cell` puts an apostrophe in front of such text (shown as
text, the usual defence); plain numbers written as text (``-3``, ``+1.5``) stay as they are.
In an XLSX workbook :func:`xlsx_cell` stores every text as a string, never as a formula.
"""

from __future__ import annotations

import re
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


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


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """An openpyxl cell of a write-only ``sheet`` holding ``value``; text is a string cell even
    when it starts with ``=`` (openpyxl would store it as a formula)."""
    from openpyxl.cell import WriteOnlyCell

    out = WriteOnlyCell(sheet, value)
    if isinstance(value, str):
        out.data_type = "s"
    return out
