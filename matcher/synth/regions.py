"""The regions of the examples and the area every draw is made over.

* :data:`EXAMPLES`, :class:`Region`, :func:`region`: the three examples and what sets them apart
  (their municipalities, the region's mean wait, a regional reception location);
* :func:`region_codes`, :func:`taakstelling`, :class:`Quota`: their municipalities and 2023-II
  taakstelling from the embedded data (:mod:`matcher.data`);
* :func:`reception_locations`: the illustrative reception locations serving a region;
* :class:`Area`: municipalities, locations, quota and distances, with the weighted choices of a
  household's location, its tie and an offered home's host that the examples and the sampler share.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from matcher.data import EmbeddedLocation, load_municipalities, load_reception_locations
from matcher.exceptions import MatcherError
from matcher.models import DwellingKind, Location
from matcher.rules import great_circle_km
from matcher.synth.calibration import (
    HART_VAN_BRABANT_CODES,
    HVB_ROL_LOCATION,
    HVB_ROL_SHARE,
    IN_REGION_LOCATION_WEIGHT,
    MAX_KM,
    MEAN_DAYS_SINCE_COUPLING_HVB,
    MEAN_DAYS_SINCE_COUPLING_NL,
    NATIONAL_QUOTA,
    TEMPORARY_MIN_QUOTA,
    TWENTE_CODES,
)
from matcher.synth.draws import Picker

EXAMPLES: tuple[str, ...] = ("twente", "hart-van-brabant", "nl")
"""The names :func:`matcher.synth.make_example` accepts."""


@dataclass(frozen=True)
class Quota:
    """A municipality's taakstelling for 2023-II, in persons, and the AMV part of it."""

    persons: int
    amv: int


@dataclass(frozen=True)
class Region:
    """What sets an example's region apart."""

    codes: tuple[str, ...] | None
    """Its municipalities (CBS codes); None for every embedded municipality."""
    mean_days_since_coupling: float
    """Target mean of the waiting households' days since coupling."""
    rol: str | None = None
    """The regional reception location (ROL), if the region has one."""
    rol_share: float = 0.0
    """Share of the coupled households that live in the ROL."""


REGIONS: dict[str, Region] = {
    "twente": Region(TWENTE_CODES, MEAN_DAYS_SINCE_COUPLING_NL),
    "hart-van-brabant": Region(HART_VAN_BRABANT_CODES, MEAN_DAYS_SINCE_COUPLING_HVB, HVB_ROL_LOCATION, HVB_ROL_SHARE),
    "nl": Region(None, MEAN_DAYS_SINCE_COUPLING_NL),
}
"""The region of each of :data:`EXAMPLES`."""


def region(name: str) -> Region:
    """The region of example ``name``; :class:`MatcherError` naming the examples for any other name."""
    try:
        return REGIONS[name]
    except KeyError:
        raise MatcherError(f"unknown example {name!r}; expected one of {', '.join(EXAMPLES)}") from None


def region_codes(name: str) -> tuple[str, ...]:
    """CBS codes of the municipalities of example ``name`` (all 342 for ``nl``), in file order for
    ``nl`` and in alphabetical order of name for the regions."""
    codes = region(name).codes
    return tuple(m.code for m in load_municipalities()) if codes is None else codes


def taakstelling(name: str) -> dict[str, Quota]:
    """The 2023-II taakstelling of each municipality of example ``name``, before anything is realised.

    A municipality whose quota another one carries out (the Wadden islands, carried by Leeuwarden
    [001:790]) gets 0, and its quota is added to the carrier when the carrier is in the example.
    The embedded data already prints the islands at 0 with Leeuwarden's 211 including them, so this
    changes no number there; it keeps the rule explicit for other data.
    """
    codes = region_codes(name)
    by_code = {m.code: m for m in load_municipalities()}
    quota = {code: [by_code[code].quota, by_code[code].amv_quota] for code in codes}
    for code in codes:
        carrier = by_code[code].quota_executed_by
        if carrier is not None:
            persons, amv = quota[code]
            quota[code] = [0, 0]
            if carrier in quota:
                quota[carrier][0] += persons
                quota[carrier][1] += amv
    return {code: Quota(p, a) for code, (p, a) in quota.items()}


def reception_locations(name: str) -> tuple[tuple[Location, ...], frozenset[str]]:
    """The reception locations of example ``name`` and the ids of those inside the region.

    The illustrative locations inside the region or within :data:`MAX_KM` of one of its
    municipalities (all of them for ``nl``), in file order.  If none lies inside the region, a
    synthetic one is added at the point of the municipality with the largest taakstelling, as a
    regional reception location would be.
    """
    quota = taakstelling(name)
    by_code = {m.code: m for m in load_municipalities()}
    munis = [by_code[c] for c in region_codes(name)]
    inside_codes = {m.code for m in munis}
    embedded: tuple[EmbeddedLocation, ...] = load_reception_locations()
    chosen: list[Location] = []
    inside: set[str] = set()
    for loc in embedded:
        near = any(great_circle_km(loc.lat, loc.lon, m.lat, m.lon) <= MAX_KM for m in munis)
        if loc.code in inside_codes or near:
            chosen.append(Location(loc.location_id, loc.name, loc.lat, loc.lon))
            if loc.code in inside_codes:
                inside.add(loc.location_id)
    if not inside:
        host = max(munis, key=lambda m: (quota[m.code].persons, m.code))
        location_id = "azc-" + host.name.lower().replace(" ", "-")
        chosen.append(Location(location_id, f"azc {host.name}", host.lat, host.lon))
        inside.add(location_id)
    return tuple(chosen), frozenset(inside)


class Area:
    """The municipalities, reception locations and quota that draws are made over.

    Holds no random state; it precomputes the distances and the weighted choices both the examples
    and the sampler use:

    * :attr:`location`: where a household lives, a location inside the region
      :data:`IN_REGION_LOCATION_WEIGHT` times likelier than one outside it;
    * :attr:`any_tie` and :attr:`near_tie` (per location, the municipalities within :data:`MAX_KM`):
      a tie to a municipality, weighted by inhabitants;
    * :attr:`hosts`: which municipality offers a home of each kind, weighted by taakstelling (the AMV
      part for AMV units; tussenvoorzieningen only where the taakstelling is at least
      :data:`TEMPORARY_MIN_QUOTA`).
    """

    def __init__(self, codes: Sequence[str], locations: Sequence[Location], in_region: Collection[str],
                 quota: Mapping[str, Quota]):
        by_code = {m.code: m for m in load_municipalities()}
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise MatcherError(f"municipalities {', '.join(unknown[:5])} are not in the embedded 2023 data")
        self.codes = tuple(codes)
        self.municipalities = tuple(by_code[c] for c in self.codes)
        self.locations = tuple(locations)
        self.in_region = frozenset(in_region)
        self.quota = dict(quota)
        self.km: dict[tuple[str, str], float] = {
            (loc.location_id, c): great_circle_km(loc.lat, loc.lon, by_code[c].lat, by_code[c].lon)
            for loc in self.locations for c in self.codes
        }
        self.location_ids = [loc.location_id for loc in self.locations]
        self.location_weight = {lid: IN_REGION_LOCATION_WEIGHT if lid in self.in_region else 1.0
                                for lid in self.location_ids}
        self.location = Picker(self.location_ids, [self.location_weight[lid] for lid in self.location_ids])
        inhabitants = {c: float(by_code[c].inhabitants) for c in self.codes}
        self.any_tie = Picker(list(self.codes), [inhabitants[c] for c in self.codes])
        self.near_tie = {
            lid: Picker([c for c in self.codes if self.km[lid, c] <= MAX_KM],
                        [inhabitants[c] for c in self.codes if self.km[lid, c] <= MAX_KM])
            for lid in self.location_ids
        }
        housing = [c for c in self.codes if self.quota[c].persons > 0] or list(self.codes)
        amv_hosts = [c for c in housing if self.quota[c].amv > 0] or housing
        temporary_hosts = [c for c in housing if self.quota[c].persons >= TEMPORARY_MIN_QUOTA] or housing
        self.hosts: dict[DwellingKind, Picker] = {
            DwellingKind.REGULAR: Picker(housing, [max(1, self.quota[c].persons) for c in housing]),
            DwellingKind.SHARED: Picker(housing, [max(1, self.quota[c].persons) for c in housing]),
            DwellingKind.AMV: Picker(amv_hosts, [max(1, self.quota[c].amv) for c in amv_hosts]),
            DwellingKind.TEMPORARY: Picker(temporary_hosts, [max(1, self.quota[c].persons) for c in temporary_hosts]),
        }

    @classmethod
    def for_example(cls, name: str, quota_factor: float = 1.0) -> Area:
        """The area of example ``name``: its municipalities, reception locations and taakstelling,
        every quota (and AMV part) times ``quota_factor``, rounded."""
        locations, inside = reception_locations(name)
        quota = taakstelling(name)
        if quota_factor != 1:
            quota = {code: Quota(round(q.persons * quota_factor), round(q.amv * quota_factor))
                     for code, q in quota.items()}
        return cls(region_codes(name), locations, inside, quota)

    @property
    def share(self) -> float:
        """The area's taakstelling as a share of the national one: its share of every national volume."""
        return sum(q.persons for q in self.quota.values()) / NATIONAL_QUOTA
