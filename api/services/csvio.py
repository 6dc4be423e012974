"""Reading uploaded files (CSV or XLSX) and validating their rows with a Pydantic model.

Three formats are accepted and told apart by their content, never by the file name:

- **CSV**: comma-separated, UTF-8 (a byte-order mark is allowed);
- **Dutch CSV**: semicolon-separated, as Dutch Excel saves "CSV (gescheiden door
  lijstscheidingsteken)": UTF-8 with or without a byte-order mark, or Windows-1252;
- **XLSX**: an Excel workbook, its first sheet.  Formulas are never evaluated (a formula cell is a
  row error: enter its value), a macro workbook (``.xlsm``, a ``vbaProject.bin``) and the old
  binary ``.xls`` are refused, and the unpacked size is bounded like the file.

Whatever the format, a cell is text when it reaches the model, and the same text gives the same
row errors: a number column takes ``2`` and a decimal comma ``2,0``, a date column ``2023-07-03``
(ISO) and the Dutch ``3-7-2023``; an XLSX number, date or true/false cell is turned into that text.
Rows are numbered as a spreadsheet shows them (the header is row 1), and every problem is a
:class:`~api.services.errors.FieldError` located as ``("file", row, column)``, so one bad cell in
a thousand rows is named exactly and nothing is written.  Like the engine's instance files:
one header row, column order free, empty cells take the default, unknown columns are an error
except those starting with ``x_``.  Bounds: :data:`MAX_ROWS` rows, :data:`MAX_COLUMNS` columns,
:data:`MAX_CELL` characters a cell.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import types
import typing
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from api.messages import Term
from api.services.errors import FieldError, Invalid
from matcher import sheets

M = TypeVar("M", bound=BaseModel)

MAX_ROWS = 50_000
"""Rows with something in them, after the header."""
MAX_COLUMNS = 100
MAX_CELL = 1_000
"""Characters in one cell."""
MAX_SHEET_ROWS = 2 * MAX_ROWS
"""The last row number an XLSX sheet may use (empty rows between rows count here)."""
MAX_UNPACKED = 50_000_000
"""Bytes an XLSX workbook may unpack to (a zip bomb is refused before it is read)."""
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FORMATS = ("csv", "csv-nl", "xlsx")
"""Comma CSV, Dutch (semicolon) CSV and an Excel workbook, as :func:`read_table` names them."""

_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_DUTCH_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
_DUTCH_BOOLS = {"waar": "true", "onwaar": "false", "ja": "true", "nee": "false"}


@dataclass(frozen=True)
class Bad:
    """A cell without a usable text: why (a catalogue ``code`` and its ``values``) and a kind
    (``type``), for its row's error."""

    code: str
    values: dict[str, Any]
    type: str


Cell = str | Bad


@dataclass(frozen=True)
class Table:
    """A file read as rows of text: which of :data:`FORMATS` it is, its header, and its rows as
    (row number as a spreadsheet shows it, cells)."""

    format: str
    header: list[str]
    rows: Iterator[tuple[int, list[Cell]]]


def column_kinds(model: type[BaseModel]) -> dict[str, str]:
    """``number``, ``date`` or ``bool`` for each field of ``model`` of that type: the columns
    whose Dutch spellings (a decimal comma, ``3-7-2023``, ``waar``/``ja``) :func:`read_rows`
    turns into the model's."""
    kinds = {}
    for name, info in model.model_fields.items():
        kind = _kind(info.annotation)
        if kind:
            kinds[name] = kind
    return kinds


def _kind(annotation: Any) -> str | None:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, typing.Annotated):
        return next((k for k in map(_kind, typing.get_args(annotation)) if k), None)
    if annotation is bool:
        return "bool"
    if isinstance(annotation, type) and issubclass(annotation, (int, float)):
        return "number"
    if annotation is dt.date:
        return "date"
    return None


def read_table(content: bytes) -> Table:
    """The rows of an upload in any of :data:`FORMATS`, told apart by content; :class:`Invalid`
    for a file that is none of them."""
    if content.startswith(XLSX_MAGIC):
        return _xlsx_table(content)
    if content.startswith(XLS_MAGIC):
        raise Invalid([FieldError(("file",), "file_xls", type="file_format")])
    text = _decode(content)
    if "\x00" in text:
        raise Invalid([FieldError(("file",), "file_nul", type="file_format")])
    first = text.split("\n", 1)[0]
    dutch = ";" in first
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if dutch else ",")
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid([FieldError(("file",), "file_empty", type="file_empty")]) from None
    except csv.Error as exc:
        raise Invalid([FieldError(("file", 1), "file_not_csv", {"error": str(exc)}, "csv")]) from None
    return Table("csv-nl" if dutch else "csv", header, _csv_rows(reader))


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Invalid([FieldError(("file",), "file_utf16", type="encoding")])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if content.startswith(codecs.BOM_UTF8):
            row = content[: exc.start].count(b"\n") + 1
            raise Invalid([FieldError(("file", row), "file_not_utf8", {"reason": Term(exc.reason), "byte": exc.start}, "encoding")]) from None
    try:  # what Dutch Excel saves as "CSV (gescheiden door lijstscheidingsteken)"
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        row = content[: exc.start].count(b"\n") + 1
        raise Invalid([FieldError(("file", row), "file_encoding", {"value": f"{content[exc.start]:#04x}", "byte": exc.start}, "encoding")]) from None


def _csv_rows(reader: Any) -> Iterator[tuple[int, list[Cell]]]:
    try:
        yield from enumerate(reader, start=2)
    except csv.Error as exc:
        raise Invalid([FieldError(("file", reader.line_num), "file_not_csv", {"error": str(exc)}, "csv")]) from None


def _xlsx_table(content: bytes) -> Table:
    from openpyxl import load_workbook

    unreadable = FieldError(("file",), "file_not_xlsx", type="file_format")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            types_xml = archive.read("[Content_Types].xml") if "[Content_Types].xml" in archive.namelist() else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError):
        raise Invalid([unreadable]) from None
    if sum(m.file_size for m in members) > MAX_UNPACKED:
        raise Invalid([FieldError(("file",), "file_unpacked", {"max": MAX_UNPACKED}, "too_large")])
    if b"macroEnabled" in types_xml or any(m.filename.lower().endswith("vbaproject.bin") for m in members):
        raise Invalid([FieldError(("file",), "file_macros", type="file_format")])
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
        sheet = book.worksheets[0]
        width, height = sheet.max_column or 0, sheet.max_row or 0
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise Invalid([unreadable]) from None
    if width > MAX_COLUMNS:
        raise Invalid([FieldError(("file",), "too_many_columns", {"max": MAX_COLUMNS}, "too_large")])
    if height > MAX_SHEET_ROWS:
        raise Invalid([FieldError(("file",), "sheet_rows", {"max": MAX_SHEET_ROWS}, "too_large")])
    rows = sheet.iter_rows(max_col=MAX_COLUMNS, max_row=MAX_SHEET_ROWS)
    try:
        first = next(rows)
    except StopIteration:
        raise Invalid([FieldError(("file",), "file_empty", type="file_empty")]) from None
    header = [value if isinstance(value, str) else "" for value in _trim([_xlsx_cell(c) for c in first])]
    return Table("xlsx", header, _xlsx_rows(book, rows))


def _xlsx_rows(book: Any, rows: Iterator[Any]) -> Iterator[tuple[int, list[Cell]]]:
    try:
        for number, cells in enumerate(rows, start=2):
            yield number, _trim([_xlsx_cell(c) for c in cells])
    except Exception:  # a sheet damaged past its first row
        raise Invalid([FieldError(("file",), "file_not_xlsx", type="file_format")]) from None
    finally:
        book.close()


def _trim(cells: list[Cell]) -> list[Cell]:
    """Without the empty cells at the end (a sheet is as wide as its widest row)."""
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _xlsx_cell(cell: Any) -> Cell:
    """A sheet cell as the text a CSV would hold; a formula is not evaluated but refused."""
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f":
        return Bad("formula", {}, "formula")
    if cell.data_type == "e":
        return Bad("excel_error", {"value": str(value)}, "excel_error")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _dutch(value: str, kind: str | None) -> str:
    """A cell's Dutch spelling in the model's: ``2,5`` -> ``2.5``, ``3-7-2023`` -> ``2023-07-03``,
    ``waar``/``ja`` -> ``true``; anything else as it is."""
    if kind == "number" and _DECIMAL_COMMA.fullmatch(value):
        return value.replace(",", ".")
    if kind == "date" and (match := _DUTCH_DATE.fullmatch(value)):
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if kind == "bool":
        return _DUTCH_BOOLS.get(value.lower(), value)
    return value


def read_rows(content: bytes, columns: Iterable[str], required: Iterable[str],
              kinds: Mapping[str, str] | None = None) -> list[tuple[int, dict[str, str]]]:
    """The rows of an upload (:func:`read_table`) as (row number, non-empty cells), the cells of
    ``kinds``' columns in the model's spelling (:func:`_dutch`).  Raises :class:`Invalid` for a
    file of no accepted format, without a header, with unknown or missing columns, or with bad
    cells (every row is read, every problem is named)."""
    table = read_table(content)
    header = [h.strip() for h in table.header]
    _check_header(header, list(columns), list(required))
    kinds = kinds or {}
    rows, errors = [], []
    for number, cells in table.rows:
        if not any(isinstance(c, Bad) or c.strip() for c in cells):
            continue
        if len(cells) > len(header) or table.format != "xlsx" and len(cells) != len(header):
            errors.append(FieldError(("file", number), "row_cells", {"cells": len(cells), "header": len(header)}, "cell_count"))
            continue
        row = {}
        for name, cell in zip(header, cells):
            if isinstance(cell, Bad):
                if not name.startswith("x_"):
                    errors.append(FieldError(("file", number, name), cell.code, cell.values, cell.type))
            elif len(cell) > MAX_CELL:  # also in your own x_ columns: every cell is bounded
                errors.append(FieldError(("file", number, name), "cell_too_long", {"max": MAX_CELL}, "string_too_long"))
            elif cell.strip() and not name.startswith("x_"):
                row[name] = _dutch(cell.strip(), kinds.get(name))
        rows.append((number, row))
        if len(rows) > MAX_ROWS:
            raise Invalid([FieldError(("file",), "too_many_rows", {"max": MAX_ROWS}, "too_large")])
    if errors:
        raise Invalid(errors)
    return rows


def _check_header(header: list[str], columns: list[str], required: list[str]) -> None:
    errors = []
    if len(header) > MAX_COLUMNS:
        raise Invalid([FieldError(("file", 1), "too_many_columns", {"max": MAX_COLUMNS}, "too_large")])
    for i, name in enumerate(header):
        if name.startswith("x_"):
            continue
        if name not in columns:
            errors.append(FieldError(("file", 1, name or f"column {i + 1}"), "unknown_column", {"name": name, "expected": ", ".join(columns)}, "unknown_column"))
        elif header.index(name) != i:
            errors.append(FieldError(("file", 1, name), "column_twice", type="duplicate_column"))
    for name in required:
        if name not in header:
            errors.append(FieldError(("file", 1, name), "missing_column", {"name": name}, "missing_column"))
    if errors:
        raise Invalid(errors)


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


def write_csv(header: list[str], rows: Iterable[Iterable[object]], dutch: bool = False) -> bytes:
    """A CSV of UTF-8 text: comma-separated, or with ``dutch`` semicolon-separated behind a
    byte-order mark (so that Dutch Excel opens it as columns and as UTF-8).  The caller writes
    the decimal comma; no cell is a formula (:func:`matcher.sheets.row`)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";" if dutch else ",", lineterminator="\r\n" if dutch else "\n")
    writer.writerow(header)
    writer.writerows(sheets.row(r) for r in rows)  # no cell a spreadsheet would run as a formula
    return (codecs.BOM_UTF8 if dutch else b"") + out.getvalue().encode("utf-8")
