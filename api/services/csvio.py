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
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

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
        raise Invalid([FieldError(("file", row), f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 CSV")]) from None
    if "\x00" in text:
        raise Invalid([FieldError(("file",), "contains NUL characters; expected a UTF-8 CSV text file")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid([FieldError(("file",), "is empty; expected a header row")]) from None
    except csv.Error as exc:
        raise Invalid([FieldError(("file", 1), f"is not valid CSV: {exc}")]) from None
    header = [h.strip() for h in header]
    columns, required = list(columns), list(required)
    errors = []
    for i, name in enumerate(header):
        if name.startswith("x_"):
            continue
        if name not in columns:
            errors.append(FieldError(("file", 1, name or f"column {i + 1}"), f"unknown column {name!r}; expected {', '.join(columns)} (or x_ for your own)"))
        elif header.index(name) != i:
            errors.append(FieldError(("file", 1, name), "column appears twice"))
    for name in required:
        if name not in header:
            errors.append(FieldError(("file", 1, name), f"missing required column {name!r}"))
    if errors:
        raise Invalid(errors)
    rows = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                errors.append(FieldError(("file", number), f"has {len(cells)} cells; the header has {len(header)}"))
                continue
            rows.append((number, {h: c.strip() for h, c in zip(header, cells) if c.strip() and not h.startswith("x_")}))
            if len(rows) > MAX_ROWS:
                raise Invalid([FieldError(("file",), f"has more than {MAX_ROWS} rows; split it")])
    except csv.Error as exc:
        errors.append(FieldError(("file", reader.line_num), f"is not valid CSV: {exc}"))
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
            errors.append(FieldError(loc, "must be an object", "dict_type"))
            continue
        try:
            valid.append((loc, model.model_validate(cells)))
        except ValidationError as exc:
            for e in exc.errors(include_url=False):
                column = next((str(part) for part in e["loc"] if isinstance(part, str)), None)
                errors.append(FieldError((*loc, column) if column else loc, _message(e), e["type"]))
    return valid


def _message(error: Mapping[str, Any]) -> str:
    message = error["msg"]
    return message.removeprefix("Value error, ")


def write_csv(header: list[str], rows: Iterable[Iterable[object]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(sheets.row(r) for r in rows)  # no cell a spreadsheet would run as a formula
    return out.getvalue().encode("utf-8")
