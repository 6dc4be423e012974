"""Uploads in the files Dutch offices make: the same table as a comma CSV, a semicolon CSV with
decimal commas and Dutch dates (Windows-1252 or UTF-8 with a byte-order mark) and an XLSX
workbook gives the same homes, and the same bad rows give the same row errors (row, column,
kind and message) in every format; the bounds of a workbook; formulas, macros and old .xls
files refused; nothing written on any error."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from api_testing import API, ok

from api.services import csvio
from api.services.homes import HomeRow
from upload_files import FORMATS, as_csv, as_dutch_csv, as_xlsx

HEADER = ["reference", "kind", "capacity", "min_occupancy", "accessible", "available_from", "x_note"]
GOOD = [HEADER,
        ["E-1", "regular", 4, 2, True, dt.date(2023, 7, 3), "hoekwoning, één slaapkamer"],
        ["E-2", "shared", 3, None, False, dt.date(2023, 12, 25), None]]
BAD = [HEADER,
       ["E-1", "regular", 4, 2, True, dt.date(2023, 7, 3), None],
       ["E-2", "palace", 4, None, False, dt.date(2023, 7, 3), None],
       ["E-3", "regular", 2.5, None, False, dt.date(2023, 7, 3), None],
       ["E-4", "regular", 0, None, "misschien", dt.date(2023, 7, 3), None],
       [None, None, None, None, None, None, None],
       ["E-5", "temporary", 8, 2, False, dt.date(1999, 1, 1), None],
       ["E-1", "regular", 4, None, False, dt.date(2023, 7, 3), None]]


def upload(client, headers, content: bytes, name: str = "woningen"):
    return client.post(f"{API}/homes/upload", headers=headers, files={"file": (name, content, "application/octet-stream")})


def homes_of(client, auth) -> list[tuple]:
    items = ok(client.get(f"{API}/homes", headers=auth.enschede))["items"]
    return sorted((h["reference"], h["kind"], h["capacity"], h["min_occupancy"], h["accessible"], h["available_from"])
                  for h in items)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_offers_the_same_homes(client, auth, fmt):
    """Each format creates the same two homes; sent again (as any other format) nothing changes."""
    created = ok(upload(client, auth.enschede, FORMATS[fmt](GOOD)))
    assert (created["created"], created["updated"]) == (2, 0)
    assert homes_of(client, auth) == [("E-1", "regular", 4, 2, True, "2023-07-03"),
                                      ("E-2", "shared", 3, 1, False, "2023-12-25")]
    for other in FORMATS.values():
        again = ok(upload(client, auth.enschede, other(GOOD)))
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_the_same_bad_rows_give_the_same_errors_in_every_format(client, auth):
    """Rows 3-5, 7 and 8 are bad (row 6 is empty): each format names the same rows, columns,
    kinds and messages, and writes no home."""
    found = {}
    for fmt, write in FORMATS.items():
        response = upload(client, auth.enschede, write(BAD))
        assert response.status_code == 422, (fmt, response.text)
        found[fmt] = [(tuple(e["loc"]), e["type"], e["msg"]) for e in response.json()["detail"]]
        assert homes_of(client, auth) == []
    csv_errors = found.pop("csv")
    assert [loc for loc, _, _ in csv_errors] == [("file", 3, "kind"), ("file", 4, "capacity"), ("file", 5, "capacity"),
                                                ("file", 5, "accessible"), ("file", 7, "available_from"),
                                                ("file", 8, "reference")]
    for fmt, errors in found.items():
        assert errors == csv_errors, fmt


def test_households_upload_the_same_in_every_format(client, auth):
    """COA's households file: the same rows and row errors from a CSV, a Dutch CSV and an XLSX."""
    header = ["household_id", "size", "adults", "children", "location_id", "permit_date", "amv"]
    good = [header, ["hh-1", 3, 2, 1, "azc-enschede", dt.date(2023, 3, 1), False]]
    bad = [header, ["hh-2", 3, 2, 2, "azc-enschede", dt.date(2023, 3, 1), False],
           ["hh-3", 1, None, None, "azc-enschede", "31-2-2023", "ja"]]
    errors = set()
    for write in FORMATS.values():
        assert ok(client.post(f"{API}/households/upload", headers=auth.coa, files={"file": ("h", write(good))}))["created"] in (0, 1)
        response = client.post(f"{API}/households/upload", headers=auth.coa, files={"file": ("h", write(bad))})
        assert response.status_code == 422
        errors.add(tuple((tuple(e["loc"]), e["msg"]) for e in response.json()["detail"]))
    assert len(errors) == 1
    assert [loc for loc, _ in next(iter(errors))] == [("file", 2, "children"), ("file", 3, "permit_date")]
    listed = ok(client.get(f"{API}/households", headers=auth.coa))
    assert [h["household_id"] for h in listed["items"]] == ["hh-1"]


def test_dutch_spellings_read_as_the_model_expects():
    """Decimal comma, d-m-yyyy, WAAR/ja in the columns of those types; text columns untouched."""
    content = "reference;kind;capacity;accessible;available_from\r\n12,5;regular;4,0;ja;3-7-2023\r\n".encode("cp1252")
    kinds = csvio.column_kinds(HomeRow)
    rows = csvio.read_rows(content, ["reference", "kind", "capacity", "accessible", "available_from"], [], kinds)
    assert rows == [(2, {"reference": "12,5", "kind": "regular", "capacity": "4.0", "accessible": "true",
                         "available_from": "2023-07-03"})]
    assert csvio.read_table(content).format == "csv-nl"
    assert csvio.read_table(as_csv(GOOD)).format == "csv" and csvio.read_table(as_xlsx(GOOD)).format == "xlsx"


def test_a_formula_is_a_row_error_not_evaluated(client, auth):
    """A formula cell is named at its row and column (not evaluated, not its cached value)."""
    content = as_xlsx(GOOD, formulas={"C3": "=1+2", "F2": "=TODAY()"})
    response = upload(client, auth.enschede, content)
    assert response.status_code == 422
    assert [(tuple(e["loc"]), e["type"]) for e in response.json()["detail"]] == [
        (("file", 2, "available_from"), "formula"), (("file", 3, "capacity"), "formula")]
    assert homes_of(client, auth) == []


def _with_member(xlsx: bytes, name: str, data: bytes, content_types: bytes | None = None) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = source.read(member)
            if member.filename == "[Content_Types].xml" and content_types is not None:
                body = body.replace(b"spreadsheetml.sheet.main+xml", content_types)
            target.writestr(member, body)
        target.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("case", ["vba", "xlsm", "xls", "damaged", "utf16", "undecodable"])
def test_files_that_are_refused(client, auth, case):
    """Macros (a vbaProject.bin, or the .xlsm content type), the old binary .xls, a damaged
    workbook, UTF-16 text and bytes that no accepted encoding reads: each a 422 at ``file``."""
    good = as_xlsx(GOOD)
    content, words = {
        "vba": (_with_member(good, "xl/vbaProject.bin", b"\x00" * 64), "macros"),
        "xlsm": (_with_member(good, "docProps/x.txt", b"", b"ms-excel.sheet.macroEnabled.main+xml"), "macros"),
        "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ".xls"),
        "damaged": (good[: len(good) // 2], "not a readable XLSX"),
        "utf16": ("reference,kind\r\n".encode("utf-16"), "UTF-16"),
        "undecodable": (b"reference,kind,capacity,available_from\nE\x81,regular,1,2023-07-01\n", "Windows-1252"),
    }[case]
    response = upload(client, auth.enschede, content)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail[0]["loc"][0] == "file" and words in detail[0]["msg"], detail
    assert homes_of(client, auth) == []


def test_bounds_of_a_file(client, auth, monkeypatch):
    """A cell longer than MAX_CELL is a row error; more than MAX_COLUMNS columns, more than
    MAX_ROWS rows, a sheet using rows past MAX_SHEET_ROWS and a workbook unpacking to more than
    MAX_UNPACKED bytes are refused, in CSV and XLSX alike."""
    long_row = [HEADER, ["E-1", "regular", 4, None, False, dt.date(2023, 7, 3), "x" * (csvio.MAX_CELL + 1)]]
    for write in FORMATS.values():
        response = upload(client, auth.enschede, write(long_row))
        assert [(tuple(e["loc"]), e["type"]) for e in response.json()["detail"]] == [(("file", 2, "x_note"), "string_too_long")]
    wide = [HEADER + [f"x_{i}" for i in range(csvio.MAX_COLUMNS)]]
    for write in FORMATS.values():
        assert "more than 100 columns" in upload(client, auth.enschede, write(wide)).text
    monkeypatch.setattr(csvio, "MAX_ROWS", 2)
    for write in FORMATS.values():
        assert "more than 2 rows" in upload(client, auth.enschede, write(GOOD + GOOD[1:2])).text
        assert upload(client, auth.enschede, write(GOOD)).status_code == 200
    far = as_xlsx(GOOD, formulas={f"A{csvio.MAX_SHEET_ROWS + 1}": "E-9"})
    assert "beyond row" in upload(client, auth.enschede, far).text
    monkeypatch.setattr(csvio, "MAX_UNPACKED", 10_000)
    assert "unpacks to more than 10000 bytes" in upload(client, auth.enschede, as_xlsx(GOOD)).text


def test_dutch_csv_windows_1252_keeps_its_letters():
    """A Windows-1252 file (é as byte 0xe9) reads as the same text as its UTF-8 twin."""
    rows = [["reference", "x_note"], ["E-1", "één café"]]
    read = [csvio.read_rows(as_dutch_csv(rows, enc), ["reference"], ["reference"]) for enc in ("cp1252", "utf-8-sig")]
    assert read[0] == read[1] == [(2, {"reference": "E-1"})]
    table = csvio.read_table(as_dutch_csv(rows, "cp1252"))
    assert [cells for _, cells in table.rows] == [["E-1", "één café"]]
