"""Reading uploaded CSV files and validating their rows with a Pydantic model.

Rows are numbered as a spreadsheet shows them (the header is row 1), and every problem is a
:class:`~api.services.errors.FieldError` located as ``("file", row, column)``, so one bad cell in
a thousand rows is named exactly and nothing is written.  Like the engine's instance files:
UTF-8, comma-separated, one header row, column order free, empty cells take the default,
unknown columns are an error except those starting with ``x_``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from api.messages import Term
from api.services.errors import FieldError, Invalid
from matcher import sheets

M = TypeVar("M", bound=BaseModel)

MAX_ROWS = 50_000


def read_rows(content: bytes, columns: Iterable[str], required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV upload as (row number, non-empty cells).  Raises :class:`Invalid`
    for a file that is not UTF-8, has no header, or has unknown or missing columns."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = content[: exc.start].count(b"\n") + 1
        raise Invalid([FieldError(("file", row), "file_not_utf8", {"reason": Term(exc.reason), "byte": exc.start})]) from None
    if "\x00" in text:
        raise Invalid([FieldError(("file",), "file_nul")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid([FieldError(("file",), "file_empty")]) from None
    except csv.Error as exc:
        raise Invalid([FieldError(("file", 1), "file_not_csv", {"error": str(exc)})]) from None
    header = [h.strip() for h in header]
    columns, required = list(columns), list(required)
    errors = []
    for i, name in enumerate(header):
        if name.startswith("x_"):
            continue
        if name not in columns:
            errors.append(FieldError(("file", 1, name or f"column {i + 1}"), "unknown_column", {"name": name, "expected": ", ".join(columns)}))
        elif header.index(name) != i:
            errors.append(FieldError(("file", 1, name), "column_twice"))
    for name in required:
        if name not in header:
            errors.append(FieldError(("file", 1, name), "missing_column", {"name": name}))
    if errors:
        raise Invalid(errors)
    rows = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                errors.append(FieldError(("file", number), "row_cells", {"cells": len(cells), "header": len(header)}))
                continue
            rows.append((number, {h: c.strip() for h, c in zip(header, cells) if c.strip() and not h.startswith("x_")}))
            if len(rows) > MAX_ROWS:
                raise Invalid([FieldError(("file",), "too_many_rows", {"max": MAX_ROWS})])
    except csv.Error as exc:
        errors.append(FieldError(("file", reader.line_num), "file_not_csv", {"error": str(exc)}))
    if errors:
        raise Invalid(errors)
    return rows


def validate_rows(rows: Sequence[tuple[tuple, object]], model: type[M], errors: list[FieldError]) -> list[tuple[tuple, M]]:
    """Each row validated by ``model``; problems are appended to ``errors`` (every row is tried).

    ``rows`` pairs each row's cells with where it came from (``("file", 7)`` or
    ``("body", "households", 6)``); a problem's location is that plus the field's name.
    """
    valid = []
    for loc, cells in rows:
        if not isinstance(cells, dict):
            errors.append(FieldError(loc, "must_be_object", type="dict_type"))
            continue
        try:
            valid.append((loc, model.model_validate(cells)))
        except ValidationError as exc:
            for e in exc.errors(include_url=False):
                column = next((str(part) for part in e["loc"] if isinstance(part, str)), None)
                errors.append(FieldError.of((*loc, column) if column else loc, e))
    return valid


def write_csv(header: list[str], rows: Iterable[Iterable[object]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(sheets.row(r) for r in rows)  # no cell a spreadsheet would run as a formula
    return out.getvalue().encode("utf-8")
