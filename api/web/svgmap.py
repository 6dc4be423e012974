"""The quota map: every municipality as a dot at its GeoNames point, sized by its target and
coloured by how much of it is attained, drawn as inline SVG (no tiles, nothing fetched)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from api.models import Municipality
from api.services.municipalities import QuotaState
from api.services.overview import attainment

WEST, EAST, SOUTH, NORTH = 3.3, 7.25, 50.68, 53.58
"""The box drawn, in degrees: the Netherlands with a small margin."""
SCALE = 190.0
"""SVG units per degree of latitude."""
X_FACTOR = math.cos(math.radians(52.2))
"""Degrees of longitude are shorter than degrees of latitude at this latitude."""

BANDS = ((0.25, "q0"), (0.5, "q1"), (0.75, "q2"), (1.0, "q3"), (math.inf, "q4"))
"""Attainment bands (upper bound, CSS class); no target is class ``qn``."""


@dataclass(frozen=True)
class Dot:
    code: str
    name: str
    x: float
    y: float
    r: float
    band: str
    target: int
    attained: float | None


def project(lat: float, lon: float) -> tuple[float, float]:
    """SVG coordinates of a point (equirectangular, corrected for the latitude)."""
    return round((lon - WEST) * X_FACTOR * SCALE, 1), round((NORTH - lat) * SCALE, 1)


def size() -> tuple[float, float]:
    """Width and height of the drawing."""
    return project(SOUTH, EAST)


def band(attained: float | None) -> str:
    if attained is None:
        return "qn"
    return next(name for bound, name in BANDS if attained < bound)


def dots(rows: list[tuple[Municipality, QuotaState]]) -> list[Dot]:
    """One dot per municipality, big ones first so small ones are drawn on top."""
    out = []
    for m, state in rows:
        p = state.persons
        target = p.taakstelling + p.redistributed + p.backlog
        attained = attainment(state)
        x, y = project(m.lat, m.lon)
        out.append(Dot(m.code, m.name, x, y, round(1.6 + math.sqrt(max(target, 0)) / 3.2, 1), band(attained), target, attained))
    return sorted(out, key=lambda d: -d.r)
