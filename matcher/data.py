"""The embedded reference data: all 342 municipalities of 2023 and illustrative reception locations.

Three CSV files ship with the package (``data/`` in the repository, ``matcher/data/`` in the wheel;
provenance in ``data/README.md``):

- ``municipalities_2023.csv``: Bijlage A of the 2023-II quota letter (CBS code, name, province,
  inhabitants on 1-1-2022, taakstelling 2023-II and its AMV part), the municipality that carries
  out the quota when another one does (the Wadden islands are carried by Leeuwarden), and one
  GeoNames point per municipality.
- ``safety_regions_2023.csv``: the veiligheidsregio (safety region) of each municipality of
  2023, in the names and order of the quota letter's Tabel 1.
- ``reception_locations_illustrative.csv``: about 50 well-known reception locations placed at
  their municipality's point.  Illustrative only: for synthetic regions, never for real planning.

The loaders return tuples of frozen dataclasses and cache them, so calling them repeatedly is cheap.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matcher.exceptions import MatcherError

MUNICIPALITIES_FILE = "municipalities_2023.csv"
LOCATIONS_FILE = "reception_locations_illustrative.csv"
SAFETY_REGIONS_FILE = "safety_regions_2023.csv"


@dataclass(frozen=True)
class EmbeddedMunicipality:
    """One row of Bijlage A (2023-II) with its point.

    ``quota`` and ``amv_quota`` are the printed taakstelling in persons; ``amv_quota`` is part of
    ``quota``.  When ``quota_executed_by`` names another municipality, that one carries out this
    municipality's quota (and the printed quota here is 0).
    """

    code: str
    name: str
    province: str
    inhabitants: int
    quota: int
    amv_quota: int
    quota_executed_by: str | None
    lat: float
    lon: float


@dataclass(frozen=True)
class EmbeddedSafetyRegion:
    """The veiligheidsregio a municipality belongs to (boundaries of 1-1-2023)."""

    code: str
    """CBS code of the municipality."""
    region_code: str
    """CBS code of the safety region (``VR01`` ... ``VR25``)."""
    region: str
    """The region's name as printed in Tabel 1 of the 2023-II quota letter."""


@dataclass(frozen=True)
class EmbeddedLocation:
    """An illustrative reception location (azc, col, rol or tuvo) at its municipality's point."""

    location_id: str
    name: str
    code: str
    """CBS code of the municipality the location lies in."""
    municipality: str
    kind: str
    lat: float
    lon: float


def _candidate_dirs() -> tuple[Path, ...]:
    package = Path(__file__).resolve().parent
    return (package / "data", package.parent / "data")


def data_dir() -> Path:
    """The folder holding the embedded CSV files.

    Looks first in the installed package (``matcher/data``, where the wheel puts it), then in the
    repository's top-level ``data/`` (an editable install).  Raises :class:`MatcherError` naming
    both places when neither holds the files.
    """
    candidates = _candidate_dirs()
    for folder in candidates:
        if (folder / MUNICIPALITIES_FILE).is_file():
            return folder
    raise MatcherError(
        f"embedded data not found: {MUNICIPALITIES_FILE} is in neither "
        + " nor ".join(str(c) for c in candidates)
        + "; reinstall matcher, or run from a checkout that has data/"
    )


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of ``path`` as (spreadsheet row number, cells), after checking the header."""
    if not path.is_file():
        raise MatcherError(f"embedded data file {path} is missing; reinstall matcher")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in columns if c not in (reader.fieldnames or ())]
        if missing:
            raise MatcherError(f"{path.name}: missing column(s) {', '.join(missing)}")
        yield from enumerate(reader, start=2)


def _parse(path: Path, number: int, column: str, raw: str, kind: type[int] | type[float]) -> int | float:
    try:
        return kind(raw)
    except ValueError:
        raise MatcherError(f"{path.name}:{number}: {column} {raw!r} is not a {kind.__name__}") from None


@lru_cache(maxsize=4)
def load_municipalities(folder: Path | None = None) -> tuple[EmbeddedMunicipality, ...]:
    """All 342 municipalities of Bijlage A, in the file's order (by province, as printed).

    ``folder`` overrides :func:`data_dir` (for tests).  Raises :class:`MatcherError` if the file
    is missing or a cell cannot be read.
    """
    path = (folder or data_dir()) / MUNICIPALITIES_FILE
    columns = ("gm_code", "name", "province", "inhabitants_2022", "quota_2023_II", "amv_quota_2023_II",
               "quota_executed_by", "lat", "lon")
    out = []
    for number, row in _rows(path, columns):
        out.append(EmbeddedMunicipality(
            code=row["gm_code"],
            name=row["name"],
            province=row["province"],
            inhabitants=int(_parse(path, number, "inhabitants_2022", row["inhabitants_2022"], int)),
            quota=int(_parse(path, number, "quota_2023_II", row["quota_2023_II"], int)),
            amv_quota=int(_parse(path, number, "amv_quota_2023_II", row["amv_quota_2023_II"], int)),
            quota_executed_by=row["quota_executed_by"].strip() or None,
            lat=float(_parse(path, number, "lat", row["lat"], float)),
            lon=float(_parse(path, number, "lon", row["lon"], float)),
        ))
    return tuple(out)


@lru_cache(maxsize=4)
def load_reception_locations(folder: Path | None = None) -> tuple[EmbeddedLocation, ...]:
    """The illustrative reception locations, in the file's order.

    ``folder`` overrides :func:`data_dir` (for tests).  Raises :class:`MatcherError` if the file
    is missing or a cell cannot be read.
    """
    path = (folder or data_dir()) / LOCATIONS_FILE
    columns = ("location_id", "name", "gm_code", "municipality", "kind", "lat", "lon")
    return tuple(
        EmbeddedLocation(
            location_id=row["location_id"],
            name=row["name"],
            code=row["gm_code"],
            municipality=row["municipality"],
            kind=row["kind"],
            lat=float(_parse(path, number, "lat", row["lat"], float)),
            lon=float(_parse(path, number, "lon", row["lon"], float)),
        )
        for number, row in _rows(path, columns)
    )


@lru_cache(maxsize=4)
def load_safety_regions(folder: Path | None = None) -> tuple[EmbeddedSafetyRegion, ...]:
    """The safety region of every municipality, in the file's order (that of Bijlage A).

    ``folder`` overrides :func:`data_dir` (for tests).  Raises :class:`MatcherError` if the file
    is missing, a column is absent or a region code is not ``VR`` and two digits.
    """
    path = (folder or data_dir()) / SAFETY_REGIONS_FILE
    out = []
    for number, row in _rows(path, ("gm_code", "vr_code", "veiligheidsregio")):
        code = row["vr_code"]
        if len(code) != 4 or not code.startswith("VR") or not code[2:].isdigit():
            raise MatcherError(f"{path.name}:{number}: vr_code {code!r} is not VR and two digits")
        out.append(EmbeddedSafetyRegion(code=row["gm_code"], region_code=code, region=row["veiligheidsregio"]))
    return tuple(out)


def safety_region_of() -> dict[str, EmbeddedSafetyRegion]:
    """Per municipality code its safety region."""
    return {r.code: r for r in load_safety_regions()}
