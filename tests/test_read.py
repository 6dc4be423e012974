"""Reading and writing instance folders (docs/contract.md §1, §2): the tiny valid instance, its edge cases,
and one malformed folder per validation rule under ``tests/data/invalid/<rule>/``.

Each invalid folder is a copy of ``tests/data/valid/tiny`` broken in exactly one way, with the
line the reader must report written beside it in ``expected.txt``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from matcher.exceptions import InstanceError
from matcher.models import Action, DwellingKind, Params
from matcher.read import read_instance, read_params, write_instance

DATA = Path(__file__).parent / "data"
TINY = DATA / "valid" / "tiny"
INVALID = sorted(p for p in (DATA / "invalid").iterdir() if p.is_dir())


def reported_lines(folder: Path) -> list[str]:
    """Every problem line that reading ``folder`` (instance, then parameters) reports."""
    lines: list[str] = []
    for read in (read_instance, read_params):
        try:
            read(folder)
        except InstanceError as exc:
            lines.extend(str(problem) for problem in exc.problems)
    return lines


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A scratch copy of the tiny instance, to break or extend in one test."""
    return Path(shutil.copytree(TINY, tmp_path / "tiny"))


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path``."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- the malformed corpus --------------------------------------------------------------------


@pytest.mark.parametrize("folder", INVALID, ids=[p.name for p in INVALID])
def test_raises_invalid_folder(folder: Path):
    """Reading a malformed folder raises InstanceError and reports the line in expected.txt."""
    expected = (folder / "expected.txt").read_text(encoding="utf-8").strip()
    with pytest.raises(InstanceError):
        read_instance(folder)
        read_params(folder)
    assert expected in reported_lines(folder)


@pytest.mark.parametrize("folder", INVALID, ids=[p.name for p in INVALID])
def test_invalid_folder_breaks_one_file(folder: Path):
    """Each malformed folder differs from the tiny instance in exactly one file."""
    names = ({p.name for p in TINY.iterdir()} | {p.name for p in folder.iterdir()}) - {"expected.txt"}
    changed = [
        name for name in sorted(names)
        if not (TINY / name).exists() or not (folder / name).exists()
        or (TINY / name).read_bytes() != (folder / name).read_bytes()
    ]
    assert len(changed) == 1, changed


def test_corpus_is_complete():
    """The corpus holds a folder for every rule the reader is known to check."""
    assert len(INVALID) >= 54
    for folder in INVALID:
        lines = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1 and lines[0], folder.name


@pytest.mark.parametrize("name", ["cbs_code_bad", "missing_required_file", "empty_file", "unknown_column"])
def test_broken_file_raises_no_false_references(name: str):
    """A file with problems does not make references into it look broken too."""
    lines = reported_lines(DATA / "invalid" / name)
    assert not any("does not exist" in line for line in lines), lines


def test_reports_every_bad_row_at_once(tiny: Path):
    """All problems of a file with several bad rows are reported in one InstanceError."""
    households = tiny / "households.csv"
    edit(households, "h01,4,", "h01,0,")
    edit(households, "h03,1,azc-enschede,2023-04-20,", "h03,1,azc-enschede,2023-4-20,")
    edit(households, "h06,3,azc-enschede,2023-06-12,,,0,", "h06,3,azc-enschede,2023-06-12,,,nee,")
    edit(tiny / "dwellings.csv", "amv,3,", "amv,three,")
    with pytest.raises(InstanceError) as caught:
        read_instance(tiny)
    assert [str(p) for p in caught.value.problems] == [
        "households.csv:2:2: size: 0 is too small; expected a whole number of at least 1",
        "households.csv:4:4: permit_date: '2023-4-20' is not a date; expected YYYY-MM-DD",
        "households.csv:7:7: amv: 'nee' is not a boolean; expected 0, 1, true or false",
        "dwellings.csv:4:4: capacity: 'three' is not a whole number",
    ]
    assert str(caught.value).splitlines()[0] == "households.csv:2:2: size: 0 is too small; expected a whole number of at least 1"


# --- the valid instance and its edge cases ---------------------------------------------------


def test_reads_tiny():
    """The tiny instance reads to the hand-checked values of its files."""
    instance = read_instance(TINY)
    assert [m.code for m in instance.municipalities] == ["GM0141", "GM0153", "GM0164"]
    assert instance.municipality_by_code["GM0164"].quota_remaining == -2
    assert instance.municipality_by_code["GM0141"].amv_quota_remaining == 2
    assert [h.household_id for h in instance.households] == ["h01", "h02", "h03", "h04", "h05", "h06"]
    h01, h02, h03, h04, h05, _ = instance.households
    assert (h01.size, h01.expected_extra, h01.tie_municipality, h01.coupled_to) == (4, 2, "GM0153", None)
    assert (h02.coupled_to, h02.coupling_date) == ("GM0141", dt.date(2023, 4, 1))
    assert h03.amv and h04.needs_accessible and not h05.document_ready
    assert {d.kind for d in instance.dwellings} == set(DwellingKind)
    d_reg, d_shared, *_ = instance.dwellings
    assert (d_reg.capacity, d_reg.min_occupancy, d_reg.available_from) == (5, 3, dt.date(2023, 7, 1))
    assert d_shared.min_occupancy == 1
    assert len(instance.travel_minutes) == 6
    assert instance.travel_minutes[1] == ("azc-almelo", "GM0153", 35.0)
    assert [(lk.household_id, lk.municipality, lk.dwelling_id) for lk in instance.locks] == [("h01", None, "d-reg"), ("h02", "GM0141", None)]
    assert [(b.household_id, b.municipality, b.dwelling_id) for b in instance.bans] == [("h06", "GM0164", None), ("h03", None, "d-shared")]
    assert [(p.household_id, p.action) for p in instance.previous] == [("h01", Action.HOUSE), ("h02", Action.WAIT)]


def test_reads_tiny_params():
    """params.toml of the tiny instance sets as_of and keeps the other defaults."""
    params = read_params(TINY)
    assert params == Params(as_of=dt.date(2023, 7, 3))
    assert params.end == dt.date(2023, 7, 10)


def test_round_trip(tmp_path: Path):
    """Reading tiny, writing it with write_instance and reading it back gives an equal instance."""
    instance = read_instance(TINY)
    params = read_params(TINY)
    out = write_instance(instance, tmp_path / "copy", params)
    assert read_instance(out) == instance
    assert read_params(out) == params
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    write_instance(read_instance(out), out, read_params(out))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first


def test_expected_arrival_date_and_previous_persons_round_trip(tmp_path: Path):
    """households.csv's expected_extra_date and previous.csv's persons (how large the household was
    on last week's line) are read, and written back by write_instance."""
    case = Path(__file__).parent / "cases" / "grown_past_offer"
    instance = read_instance(case)
    g2 = instance.household_by_id["G2"]
    assert (g2.expected_extra, g2.expected_extra_date) == (2, dt.date(2023, 9, 1))
    assert instance.household_by_id["G1"].expected_extra_date is None
    assert [(p.household_id, p.persons) for p in instance.previous] == [("G1", 4), ("G2", 4)]
    assert read_instance(write_instance(instance, tmp_path / "copy", read_params(case))) == instance


def test_x_columns_are_ignored(tiny: Path):
    """Columns whose name starts with x_ are accepted, whatever they hold, and change nothing."""
    path = tiny / "households.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",x_note,x_caseworker"] + [line + ',"free text, with a comma",' for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    edit(tiny / "municipalities.csv", "code,name,", "x_region,code,name,")
    for code in ("GM0141,", "GM0153,", "GM0164,"):
        edit(tiny / "municipalities.csv", f"\n{code}", f"\nTwente,{code}")
    assert read_instance(tiny) == read_instance(TINY)


def test_header_only_dwellings_is_valid(tiny: Path):
    """A dwellings.csv with a header and no rows is a valid empty table."""
    (tiny / "dwellings.csv").write_text("dwelling_id,municipality,kind,capacity,min_occupancy,accessible,available_from\n", encoding="utf-8")
    for name in ("locks.csv", "bans.csv", "previous.csv"):  # they name dwellings
        (tiny / name).unlink()
    instance = read_instance(tiny)
    assert instance.dwellings == ()
    assert len(instance.households) == 6


@pytest.mark.parametrize(("cell", "value"), [("0", False), ("1", True), ("false", False), ("true", True)])
def test_booleans_parse(tiny: Path, cell: str, value: bool):
    """Booleans are 0, 1, false or true."""
    edit(tiny / "households.csv", "h01,4,azc-almelo,2023-02-01,,,0,0,", f"h01,4,azc-almelo,2023-02-01,,,0,{cell},")
    assert read_instance(tiny).household_by_id["h01"].needs_accessible is value


def test_empty_optional_cells_and_columns_take_defaults(tiny: Path):
    """Optional columns may be left out or left empty; they then take the contract's defaults."""
    (tiny / "households.csv").write_text(
        "permit_date,household_id,location_id,size,document_ready\n"
        "2023-02-01,h01,azc-almelo,4,\n"
        "2023-03-15,h02,azc-almelo,1,0\n",
        encoding="utf-8",
    )
    for name in ("locks.csv", "bans.csv", "previous.csv"):  # they name other households
        (tiny / name).unlink()
    h01, h02 = read_instance(tiny).households
    assert (h01.coupled_to, h01.amv, h01.needs_accessible, h01.expected_extra, h01.tie_municipality, h01.document_ready) == (
        None, False, False, 0, None, True,
    )
    assert h02.document_ready is False


def test_optional_files_may_be_absent(tiny: Path):
    """Without the optional files the instance still reads; as_of then comes from the caller."""
    for name in ("travel_times.csv", "locks.csv", "bans.csv", "previous.csv", "params.toml"):
        (tiny / name).unlink()
    instance = read_instance(tiny)
    assert (instance.travel_minutes, instance.locks, instance.bans, instance.previous) == ((), (), (), ())
    assert read_params(tiny, as_of=dt.date(2023, 7, 3)).as_of == dt.date(2023, 7, 3)
    with pytest.raises(InstanceError, match="'as_of' is required"):
        read_params(tiny)


def test_byte_order_mark_and_blank_lines_are_accepted(tiny: Path):
    """A UTF-8 byte-order mark (as Excel writes it) and blank lines do not break a file."""
    path = tiny / "municipalities.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes() + b"\n\n")
    assert read_instance(tiny) == read_instance(TINY)


def test_flags_override_params_toml():
    """Overrides (command-line flags) win over params.toml."""
    params = read_params(TINY, as_of=dt.date(2023, 7, 10), max_km=30.0, max_minutes=None)
    assert (params.as_of, params.max_km, params.max_minutes) == (dt.date(2023, 7, 10), 30.0, None)


def test_bounds_are_the_services():
    """The files take the numbers and dates the service's API takes (persons, minutes, dates)."""
    pytest.importorskip("pydantic")
    from pydantic import ValidationError

    from api import schemas
    from matcher import read

    def home(capacity):
        return schemas.HomeIn(reference="r", kind="regular", capacity=capacity, available_from="2023-07-01")

    assert home(read.MAX_PERSONS).capacity == read.MAX_PERSONS
    with pytest.raises(ValidationError):
        home(read.MAX_PERSONS + 1)
    assert schemas.ParamsIn(max_minutes=read.MAX_MINUTES).max_minutes == read.MAX_MINUTES
    with pytest.raises(ValidationError):
        schemas.ParamsIn(max_minutes=read.MAX_MINUTES + 1)
    assert (schemas.FIRST_DATE, schemas.LAST_DATE) == (read.FIRST_DATE, read.LAST_DATE)
