"""Synthetic instances on the embedded data: Twente, Hart van Brabant and the whole Netherlands.

The municipalities, their points and their 2023-II taakstelling are real (Bijlage A, see
:mod:`matcher.data`); the reception locations are the illustrative list; everything about people
and homes is drawn at random, calibrated on the figures of the domain brief.  Every calibration
figure below is a named constant with its source (a brief section or a seed line such as
``[001:1981]``) or the word *assumption*; ``docs/calibration.md`` lists them with the values measured
on the generated examples.

Generation is deterministic for a given seed: it uses one :class:`random.Random` and iterates in
fixed orders only.

How an example is built, in order:

1. **Municipalities** of the region with their taakstelling (:func:`taakstelling`); a municipality
   whose quota is carried out by another gets 0 and the carrier gets its quota.
2. **Reception locations**: the illustrative locations inside the region or within
   :data:`MAX_KM` of a region municipality (all of them for ``nl``); if none lies inside the region
   a synthetic one is added at a region municipality's point.
3. **Households** of status holders waiting in those locations: a share not yet coupled with a
   recent permit, the rest coupled to a region municipality within :data:`MAX_KM` of their location,
   with days since coupling drawn around the measured lead time of the region.  The size mix, the
   AMV households and the uncoupled share are allocated exactly (then shuffled) rather than drawn,
   so a region of a few hundred households matches the calibration as well as ``nl`` does.
4. **Quota remaining** per municipality::

       quota_remaining = taakstelling + backlog - realised - coupled_open
       backlog         = round(taakstelling * b),  b ~ Normal(BACKLOG_MEAN, BACKLOG_SD) clipped
                                                   to [BACKLOG_MIN, BACKLOG_MAX]; b < 0 is an advance
       realised        = round(taakstelling * r),  r ~ Uniform(0, REALISED_MAX_SHARE)
       coupled_open    = persons of the generated households coupled to it and waiting

   and the same for the AMV part with the same ``b`` and ``r`` and the AMV households, capped at
   ``max(0, quota_remaining)`` (the AMV part is part of the whole).
5. **Dwellings** offered by the municipalities, by kind, available over the next weeks.
6. **Travel times** (synthetic) for every location–municipality pair within
   :data:`TRAVEL_MAX_KM`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from statistics import NormalDist, mean, median

from matcher.data import EmbeddedLocation, EmbeddedMunicipality, load_municipalities, load_reception_locations
from matcher.exceptions import MatcherError
from matcher.models import Dwelling, DwellingKind, Household, Instance, Location, Municipality, Params
from matcher.read import write_instance
from matcher.rules import great_circle_km

# --- The examples -------------------------------------------------------------------------------

EXAMPLES: tuple[str, ...] = ("twente", "hart-van-brabant", "nl")
"""The names :func:`make_example` accepts."""

AS_OF = dt.date(2023, 7, 3)
"""Assumption: the first Monday of period 2023-II, the period of the embedded taakstelling."""

TWENTE_CODES: tuple[str, ...] = (
    "GM0141",  # Almelo
    "GM0147",  # Borne
    "GM1774",  # Dinkelland
    "GM0153",  # Enschede
    "GM0158",  # Haaksbergen
    "GM0163",  # Hellendoorn
    "GM0164",  # Hengelo (O.)
    "GM1735",  # Hof van Twente
    "GM0168",  # Losser
    "GM0173",  # Oldenzaal
    "GM1742",  # Rijssen-Holten
    "GM0183",  # Tubbergen
    "GM1700",  # Twenterand
    "GM0189",  # Wierden
)
"""The 14 municipalities of the Twentse Regietafel / safety region Twente; quota 985 [001:309; brief §12.1]."""

HART_VAN_BRABANT_CODES: tuple[str, ...] = (
    "GM1723",  # Alphen-Chaam
    "GM0744",  # Baarle-Nassau
    "GM0766",  # Dongen
    "GM0784",  # Gilze en Rijen
    "GM0785",  # Goirle
    "GM0797",  # Heusden
    "GM0798",  # Hilvarenbeek
    "GM0809",  # Loon op Zand
    "GM0824",  # Oisterwijk
    "GM0855",  # Tilburg
    "GM0867",  # Waalwijk
)
"""The 11 municipalities of the pilot Regioplaatsing Hart van Brabant; quota 755 [001:2139; brief §5.6]."""

# --- National volumes ---------------------------------------------------------------------------

NATIONAL_QUOTA = 27_300
"""Taakstelling 2023-II, persons [001:785]."""
NATIONAL_AMV_QUOTA = 2_000
"""Of which AMV [001:355; 001:785]."""
STATUS_HOLDERS_WAITING = 17_000
"""Status holders living in an azc, Sept 2022 [001:2163]: the persons of the ``nl`` example."""

# --- Households ---------------------------------------------------------------------------------

HOUSEHOLD_SIZE_WEIGHTS: dict[int, float] = {
    1: 61.0, 2: 22.0,          # 83% singles or pairs: the slide's 84% [001:1981] less 1 point for size 6
    3: 5.5, 4: 4.5, 5: 3.0,    # 13% of 3-5 persons [001:1983]; the split inside is an assumption
    6: 1.0,                    # assumption: the slide leaves sizes 6-7 unaccounted (brief §7.1, §10.5)
    7: 1.5, 8: 1.0, 9: 0.5,    # 3% "more than 7" [001:1982], read as 7-9 [001:1870]
}
"""Share (percent) of households by size."""

MEAN_HOUSEHOLD_SIZE = sum(s * w for s, w in HOUSEHOLD_SIZE_WEIGHTS.items()) / sum(HOUSEHOLD_SIZE_WEIGHTS.values())
"""Derived from :data:`HOUSEHOLD_SIZE_WEIGHTS` (1.835 persons)."""

NL_HOUSEHOLDS = round(STATUS_HOLDERS_WAITING / MEAN_HOUSEHOLD_SIZE)
"""Households of the ``nl`` example, so that its persons come to about :data:`STATUS_HOLDERS_WAITING`
(derived: 9,264).  Regions get the share of their taakstelling in the national one."""

AMV_PERSON_SHARE = NATIONAL_AMV_QUOTA / NATIONAL_QUOTA
"""Share of AMV among persons waiting: the AMV share of the taakstelling, 7.3% [001:355; 001:785]."""
AMV_SIBLING_SHARE = 0.02
"""Assumption: share of size-2 households that are two AMV siblings; all other AMV households are
single minors.  The share of AMV among singles follows from :data:`AMV_PERSON_SHARE`."""

NEEDS_ACCESSIBLE_SHARE = 0.03
"""Assumption: share of households that need an accessible (WMO-adapted) dwelling [001:2465; 004:141]."""

EXPECTED_EXTRA_SHARE = 0.20
"""Assumption: share of non-AMV singles and pairs expecting family to follow (nareizigers): singles
and duos have "a real chance of family reunification" [001:1868; brief §7.4]."""
EXPECTED_EXTRA_WEIGHTS: dict[int, float] = {1: 30.0, 2: 25.0, 3: 20.0, 4: 15.0, 5: 10.0}
"""Assumption: how many family members follow; up to 5, so a pair can grow to 7 [001:1870]."""

TIE_SHARE = 0.15
"""Assumption: share of households with a work, study or family tie to a municipality (COA's
criteria: work or education, social network [001:2311-2315])."""
TIE_NEARBY_SHARE = 0.70
"""Assumption: share of those ties within :data:`MAX_KM` of the household's location; the rest
anywhere in the example (weighted by inhabitants)."""

UNCOUPLED_SHARE = 0.25
"""Share of households not yet coupled.  Derived: four weeks of inflow at 27,300 / 26 weeks
≈ 1,050 persons a week is about 4,200 of the 17,000 waiting; assumption that COA couples within
about four weeks."""
RECENT_PERMIT_DAYS = 28
"""Uncoupled households got their permit within this many days of :data:`AS_OF` (assumption; COA's
norm is to couple within 14 days [001:2524])."""
DOCUMENT_MISSING_SHARE = 0.15
"""Assumption: share of the recent permits still without the IND residence document, which blocks
housing [001:2516; brief §3.3]."""
PERMIT_TO_COUPLING_DAYS = (7, 28)
"""Assumption: days from permit to coupling for coupled households, around the 14-day norm [001:2524]."""

MEAN_DAYS_SINCE_COUPLING_NL = 154.0
"""Middle of the national average wait of 5-6 months, 140-168 days [001:2485; 001:2774]; used for
``nl`` and ``twente``."""
MEAN_DAYS_SINCE_COUPLING_HVB = 103.0
"""Hart van Brabant's average for phases 2+3, Aug 2021 - Aug 2022 [001:2071; 001:2485]."""
WAIT_CV = 0.5
"""Assumption: days since coupling are log-normal around the region's mean with this coefficient of
variation (so the median is 0.89 times the mean), drawn by stratified sampling so that the
example's mean is close to the target."""
MAX_WAIT_DAYS = 400
"""Assumption: cap on days since coupling."""

MAX_KM = 50.0
"""COA's regional distance between reception location and municipality [001:2371; 001:2377]."""
HVB_ROL_LOCATION = "azc-oisterwijk"
"""The pilot's regional reception location (ROL) [001:2141]."""
HVB_ROL_SHARE = 0.59
"""Share of Hart van Brabant's coupled status holders living in the ROL, average Jan 2021 - Aug 2022 [001:2335]."""
IN_REGION_LOCATION_WEIGHT = 4.0
"""Assumption: a location inside the region is this many times likelier to hold a household than
one outside it (weight 1)."""

COUPLING_PROPENSITY_SIGMA = 0.6
"""Assumption: COA couples unevenly; each municipality's share of couplings is its taakstelling times
a log-normal factor with this sigma, which spreads ``quota_remaining``."""

# --- Quota remaining ----------------------------------------------------------------------------

BACKLOG_MEAN = 0.30
"""Assumption: mean backlog carried from 2023-I as a fraction of the 2023-II taakstelling.  On
18 April 2023 the 2023-I gap was 11,397 of 21,200 (54%) [001:339-340]; by July it is smaller."""
BACKLOG_SD = 0.35
"""Assumption: spread of that fraction between municipalities; negative is an advance [001:293; 004:149]."""
BACKLOG_MIN, BACKLOG_MAX = -0.5, 1.2
"""Assumption: clipping of the backlog fraction."""
REALISED_MAX_SHARE = 0.08
"""Assumption: at most this fraction of the taakstelling is realised in the first days of 2023-II."""

# --- Dwellings ----------------------------------------------------------------------------------

NL_DWELLINGS = 2_400
"""Assumption: homes on offer over the next :data:`DWELLING_WINDOW_DAYS` days nationally; regions get
the share of their taakstelling."""
DWELLING_WINDOW_DAYS = 21
"""Assumption: ``available_from`` is spread uniformly over ``AS_OF`` .. ``AS_OF + 21`` days, so about a
third falls inside the 7-day horizon."""
KIND_SHARES: dict[DwellingKind, float] = {
    DwellingKind.REGULAR: 0.86,
    DwellingKind.SHARED: 0.06,    # woningdelen [001:194]
    DwellingKind.AMV: 0.05,       # Nidos small-scale units [003:89]
    DwellingKind.TEMPORARY: 0.03,  # tussenvoorziening / doorstroomlocatie [004:113; 003:74]
}
"""Assumption: share of offered dwellings by kind (every kind gets at least one in every example)."""
REGULAR_CAPACITY_WEIGHTS: dict[int, float] = {
    1: 4.0, 2: 14.0,              # some 1-2 person units
    3: 22.0, 4: 28.0, 5: 20.0,    # "mainly homes for households of 3 to 5" [001:1868]
    6: 7.0,
    7: 3.0, 8: 1.5, 9: 0.5,       # a few large homes for 7+ [001:192; 001:1870]
}
"""Share (percent) of ``regular`` dwellings by capacity; the weights are an assumption shaped by the sources."""
FAMILY_HOME_MIN_CAPACITY = 4
"""Assumption: ``regular`` homes of at least this capacity are family homes with a minimum occupancy."""
FAMILY_HOME_MIN_OCCUPANCY_SHARE = 0.80
"""Assumption: share of family homes that set a minimum occupancy."""
FAMILY_HOME_UNDEROCCUPANCY = 2
"""Assumption: a family home's ``min_occupancy`` is its capacity minus this (a 5-person home needs ≥ 3)."""
SHARED_ROOMS = (2, 5)
"""Assumption: rooms of a ``shared`` house."""
AMV_UNIT_CAPACITY = (4, 12)
"""Assumption: places of a small-scale AMV unit (Nidos units hold "a few" up to 50 [001:121-123])."""
TEMPORARY_CAPACITY = (10, 40)
"""Assumption: places of a tussenvoorziening."""
TEMPORARY_MIN_QUOTA = 40
"""Assumption: only municipalities with a taakstelling of at least 40 run a tussenvoorziening."""
ACCESSIBLE_SHARE = 0.05
"""Assumption: share of dwellings that are accessible."""

# --- Travel times -------------------------------------------------------------------------------

TRAVEL_MAX_KM = 80.0
"""Synthetic travel times are written for every location-municipality pair within this distance."""
TRAVEL_MINUTES_PER_KM = 1.6
"""Synthetic: public-transport minutes per great-circle km (assumption)."""
TRAVEL_BASE_MINUTES = 15.0
"""Synthetic: fixed minutes for walking, waiting and changing (assumption)."""
TRAVEL_NOISE_SD = 8.0
"""Synthetic: standard deviation of the noise in minutes (assumption)."""
POOR_PT_LINKS: dict[tuple[str, str], float] = {
    ("azc-oisterwijk", "GM0867"): 105.0,  # Waalwijk
    ("azc-oisterwijk", "GM0797"): 105.0,  # Heusden
}
"""1.5 to 2 hours by public transport from azc Oisterwijk to Waalwijk and Heusden [001:2371]."""


# --- Public helpers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Quota:
    """A municipality's taakstelling for 2023-II, in persons, and the AMV part of it."""

    persons: int
    amv: int


@dataclass(frozen=True)
class _Region:
    codes: tuple[str, ...] | None
    mean_days_since_coupling: float
    rol: str | None = None
    rol_share: float = 0.0


_REGIONS: dict[str, _Region] = {
    "twente": _Region(TWENTE_CODES, MEAN_DAYS_SINCE_COUPLING_NL),
    "hart-van-brabant": _Region(HART_VAN_BRABANT_CODES, MEAN_DAYS_SINCE_COUPLING_HVB, HVB_ROL_LOCATION, HVB_ROL_SHARE),
    "nl": _Region(None, MEAN_DAYS_SINCE_COUPLING_NL),
}


def _region(name: str) -> _Region:
    try:
        return _REGIONS[name]
    except KeyError:
        raise MatcherError(f"unknown example {name!r}; expected one of {', '.join(EXAMPLES)}") from None


def region_codes(name: str) -> tuple[str, ...]:
    """CBS codes of the municipalities of example ``name`` (all 342 for ``nl``), in file order for
    ``nl`` and in alphabetical order of name for the regions."""
    codes = _region(name).codes
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


def make_example(name: str, seed: int = 0) -> tuple[Instance, Params]:
    """Build synthetic example ``name`` (one of :data:`EXAMPLES`) and its parameters.

    The same ``name`` and ``seed`` always give an equal instance.  Raises :class:`MatcherError` for
    an unknown name.
    """
    region = _region(name)
    rng = random.Random(seed)
    generator = _Generator(name, region, rng)
    instance = generator.build()
    return instance, Params(as_of=AS_OF, max_km=MAX_KM)


def write_example(name: str, folder: str | Path, seed: int = 0) -> Path:
    """Write example ``name`` as an instance folder with its ``params.toml``; returns the folder."""
    instance, params = make_example(name, seed)
    return write_instance(instance, folder, params)


@dataclass(frozen=True)
class Measures:
    """Figures of a generated instance, to compare with the calibration targets."""

    households: int
    persons: int
    size_shares: dict[str, float]
    """Share of households by size group: ``1-2``, ``3-5``, ``6``, ``7+``."""
    amv_person_share: float
    uncoupled_households: int
    mean_days_since_coupling: float
    median_days_since_coupling: float
    overdue_share: float
    """Share of coupled households past the 84-day norm on ``as_of``."""
    document_missing: int
    needs_accessible: int
    expected_extra: int
    with_tie: int
    dwellings_by_kind: dict[str, int]
    places_by_kind: dict[str, int]
    dwellings_in_horizon: int
    quota_taakstelling: int
    quota_remaining: int
    usable_quota: int
    """Sum of ``max(0, quota_remaining)``: what the quota rule lets be coupled."""
    amv_quota_remaining: int
    municipalities_at_or_below_zero: int
    municipalities_above_taakstelling: int


def measure(instance: Instance, name: str, as_of: dt.date = AS_OF, horizon_days: int = 7, norm_days: int = 84) -> Measures:
    """Measure the calibration figures of an instance generated for example ``name``."""
    households = instance.households
    persons = sum(h.size for h in households)
    groups = {"1-2": (1, 2), "3-5": (3, 5), "6": (6, 6), "7+": (7, 10**6)}
    size_shares = {
        label: sum(1 for h in households if lo <= h.size <= hi) / len(households) for label, (lo, hi) in groups.items()
    }
    waits = [(as_of - h.coupling_date).days for h in households if h.coupling_date is not None]
    quota = taakstelling(name)
    end = as_of + dt.timedelta(days=horizon_days)
    kinds = [k.value for k in DwellingKind]
    return Measures(
        households=len(households),
        persons=persons,
        size_shares=size_shares,
        amv_person_share=sum(h.size for h in households if h.amv) / persons,
        uncoupled_households=sum(1 for h in households if h.coupled_to is None),
        mean_days_since_coupling=mean(waits),
        median_days_since_coupling=median(waits),
        overdue_share=sum(1 for w in waits if w > norm_days) / len(waits),
        document_missing=sum(1 for h in households if not h.document_ready),
        needs_accessible=sum(1 for h in households if h.needs_accessible),
        expected_extra=sum(1 for h in households if h.expected_extra > 0),
        with_tie=sum(1 for h in households if h.tie_municipality is not None),
        dwellings_by_kind={k: sum(1 for d in instance.dwellings if d.kind.value == k) for k in kinds},
        places_by_kind={k: sum(d.capacity for d in instance.dwellings if d.kind.value == k) for k in kinds},
        dwellings_in_horizon=sum(1 for d in instance.dwellings if d.available_from <= end),
        quota_taakstelling=sum(q.persons for q in quota.values()),
        quota_remaining=sum(m.quota_remaining for m in instance.municipalities),
        usable_quota=sum(max(0, m.quota_remaining) for m in instance.municipalities),
        amv_quota_remaining=sum(m.amv_quota_remaining for m in instance.municipalities),
        municipalities_at_or_below_zero=sum(1 for m in instance.municipalities if m.quota_remaining <= 0 and quota[m.code].persons > 0),
        municipalities_above_taakstelling=sum(1 for m in instance.municipalities if m.quota_remaining > quota[m.code].persons),
    )


# --- The generator ------------------------------------------------------------------------------


class _Picker:
    """Weighted choice over a fixed sequence, with the cumulative weights computed once."""

    def __init__(self, items: Sequence[str], weights: Sequence[float]):
        pairs = [(item, w) for item, w in zip(items, weights) if w > 0]
        self.items = [item for item, _ in pairs]
        self.cumulative = list(accumulate(w for _, w in pairs))

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, rng: random.Random) -> str:
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def _weighted(rng: random.Random, weights: dict[int, float]) -> int:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _largest_remainder(n: int, weights: Sequence[float]) -> list[int]:
    """Split ``n`` into whole counts proportional to ``weights`` (Hamilton's method, ties to the first)."""
    total = sum(weights)
    exact = [n * w / total for w in weights]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[: n - sum(counts)]:
        counts[i] += 1
    return counts


def _profiles(n: int, rng: random.Random) -> list[tuple[int, bool]]:
    """The (size, amv) of ``n`` households in random order.

    The composition is allocated exactly rather than drawn, so even a region of a few hundred
    households has the calibrated size shares: sizes by :data:`HOUSEHOLD_SIZE_WEIGHTS`, AMV siblings
    among the pairs by :data:`AMV_SIBLING_SHARE`, and AMV among the singles so that AMV persons are
    :data:`AMV_PERSON_SHARE` of all persons.
    """
    sizes = list(HOUSEHOLD_SIZE_WEIGHTS)
    counts = dict(zip(sizes, _largest_remainder(n, [HOUSEHOLD_SIZE_WEIGHTS[s] for s in sizes])))
    persons = sum(s * c for s, c in counts.items())
    amv_pairs = round(counts[2] * AMV_SIBLING_SHARE)
    amv_singles = min(counts[1], max(0, round(persons * AMV_PERSON_SHARE) - 2 * amv_pairs))
    out: list[tuple[int, bool]] = []
    for size in sizes:
        amv = {1: amv_singles, 2: amv_pairs}.get(size, 0)
        out += [(size, True)] * amv + [(size, False)] * (counts[size] - amv)
    rng.shuffle(out)
    return out


def _waits(n: int, mean_days: float, rng: random.Random) -> list[int]:
    """``n`` days since coupling, log-normal with mean ``mean_days`` and :data:`WAIT_CV`, in random order.

    One draw per stratum ``[i/n, (i+1)/n)`` of the distribution, so the sample mean stays close to
    ``mean_days`` even for a region.  Clipped to ``1 .. MAX_WAIT_DAYS``.
    """
    sigma = math.sqrt(math.log(1 + WAIT_CV**2))
    mu = math.log(mean_days) - sigma**2 / 2
    unit = NormalDist()
    out = [
        min(MAX_WAIT_DAYS, max(1, round(math.exp(mu + sigma * unit.inv_cdf((i + rng.random()) / n)))))
        for i in range(n)
    ]
    rng.shuffle(out)
    return out


def _flags(n: int, share: float, rng: random.Random) -> list[bool]:
    """``round(n * share)`` true flags among ``n``, in random order."""
    k = round(n * share)
    out = [True] * k + [False] * (n - k)
    rng.shuffle(out)
    return out


class _Generator:
    """Draws one example; see the module docstring for the steps."""

    def __init__(self, name: str, region: _Region, rng: random.Random):
        self.name = name
        self.region = region
        self.rng = rng
        self.quota = taakstelling(name)
        by_code = {m.code: m for m in load_municipalities()}
        self.munis: list[EmbeddedMunicipality] = [by_code[c] for c in region_codes(name)]
        self.codes = [m.code for m in self.munis]
        self.locations, self.in_region = self._locations()
        self.km = {
            (loc.location_id, m.code): great_circle_km(loc.lat, loc.lon, m.lat, m.lon)
            for loc in self.locations
            for m in self.munis
        }
        share = sum(q.persons for q in self.quota.values()) / NATIONAL_QUOTA
        self.n_households = round(NL_HOUSEHOLDS * share)
        self.n_dwellings = round(NL_DWELLINGS * share)

    # 2. reception locations
    def _locations(self) -> tuple[list[Location], set[str]]:
        embedded: tuple[EmbeddedLocation, ...] = load_reception_locations()
        munis = self.munis
        inside_codes = set(self.codes)
        chosen: list[Location] = []
        inside: set[str] = set()
        for loc in embedded:
            near = any(great_circle_km(loc.lat, loc.lon, m.lat, m.lon) <= MAX_KM for m in munis)
            if loc.code in inside_codes or near:
                chosen.append(Location(loc.location_id, loc.name, loc.lat, loc.lon))
                if loc.code in inside_codes:
                    inside.add(loc.location_id)
        if not inside:
            # No illustrative location inside the region: put one at the point of the region's
            # largest municipality, as a regional reception location would be.
            host = max(munis, key=lambda m: (self.quota[m.code].persons, m.code))
            location_id = "azc-" + host.name.lower().replace(" ", "-")
            chosen.append(Location(location_id, f"azc {host.name}", host.lat, host.lon))
            inside.add(location_id)
        return chosen, inside

    def build(self) -> Instance:
        rng = self.rng
        propensity = {code: rng.lognormvariate(0.0, COUPLING_PROPENSITY_SIGMA) for code in self.codes}
        households = self._households(propensity)
        municipalities = self._municipalities(households)
        dwellings = self._dwellings()
        travel = self._travel_minutes()
        return Instance(
            municipalities=municipalities,
            locations=tuple(self.locations),
            households=households,
            dwellings=dwellings,
            travel_minutes=travel,
            name=self.name,
        )

    # 3. households
    def _households(self, propensity: dict[str, float]) -> tuple[Household, ...]:
        rng, km, region = self.rng, self.km, self.region
        location_ids = [loc.location_id for loc in self.locations]
        location_weight = {lid: IN_REGION_LOCATION_WEIGHT if lid in self.in_region else 1.0 for lid in location_ids}
        any_location = _Picker(location_ids, [location_weight[lid] for lid in location_ids])
        near_locations = {
            code: _Picker([lid for lid in location_ids if km[lid, code] <= MAX_KM],
                          [location_weight[lid] for lid in location_ids if km[lid, code] <= MAX_KM])
            for code in self.codes
        }
        # Where a coupled household lives when it is not in the region's ROL.
        outside_rol = {
            code: _Picker([lid for lid in location_ids if km[lid, code] <= MAX_KM and lid != region.rol],
                          [location_weight[lid] for lid in location_ids if km[lid, code] <= MAX_KM and lid != region.rol])
            for code in self.codes
        }
        reachable = [code for code in self.codes if near_locations[code]]
        couple_to = _Picker(reachable, [self.quota[c].persons * propensity[c] for c in reachable])
        couple_amv_to = _Picker(reachable, [self.quota[c].amv * propensity[c] for c in reachable])
        inhabitants = {m.code: float(m.inhabitants) for m in self.munis}
        any_tie = _Picker(self.codes, [inhabitants[c] for c in self.codes])
        near_tie = {
            lid: _Picker([c for c in self.codes if km[lid, c] <= MAX_KM],
                         [inhabitants[c] for c in self.codes if km[lid, c] <= MAX_KM])
            for lid in location_ids
        }

        profiles = _profiles(self.n_households, rng)
        uncoupled = _flags(self.n_households, UNCOUPLED_SHARE, rng)
        waits = _waits(uncoupled.count(False), region.mean_days_since_coupling, rng)

        out: list[Household] = []
        for index, ((size, amv), not_coupled) in enumerate(zip(profiles, uncoupled), start=1):
            coupled_to: str | None = None
            coupling_date: dt.date | None = None
            document_ready = True
            if not not_coupled and (couple_amv_to if amv else couple_to):
                coupled_to = (couple_amv_to if amv else couple_to).pick(rng)
                rol = region.rol
                rol_in_range = rol is not None and km.get((rol, coupled_to), math.inf) <= MAX_KM
                if rol is not None and rol_in_range and rng.random() < region.rol_share:
                    location_id = rol
                elif rol_in_range and outside_rol[coupled_to]:
                    location_id = outside_rol[coupled_to].pick(rng)
                else:
                    location_id = near_locations[coupled_to].pick(rng)
                days = waits.pop()
                coupling_date = AS_OF - dt.timedelta(days=days)
                permit_date = coupling_date - dt.timedelta(days=rng.randint(*PERMIT_TO_COUPLING_DAYS))
            else:
                location_id = any_location.pick(rng)
                permit_date = AS_OF - dt.timedelta(days=rng.randrange(RECENT_PERMIT_DAYS))
                document_ready = rng.random() >= DOCUMENT_MISSING_SHARE
            needs_accessible = rng.random() < NEEDS_ACCESSIBLE_SHARE
            expected_extra = 0
            if not amv and size <= 2 and rng.random() < EXPECTED_EXTRA_SHARE:
                expected_extra = _weighted(rng, EXPECTED_EXTRA_WEIGHTS)
            tie: str | None = None
            if rng.random() < TIE_SHARE:
                nearby = near_tie[location_id]
                tie = (nearby if nearby and rng.random() < TIE_NEARBY_SHARE else any_tie).pick(rng)
            out.append(Household(
                household_id=f"h{index:05d}",
                size=size,
                location_id=location_id,
                permit_date=permit_date,
                coupled_to=coupled_to,
                coupling_date=coupling_date,
                amv=amv,
                needs_accessible=needs_accessible,
                expected_extra=expected_extra,
                tie_municipality=tie,
                document_ready=document_ready,
            ))
        return tuple(out)

    # 4. quota remaining
    def _municipalities(self, households: Sequence[Household]) -> tuple[Municipality, ...]:
        rng = self.rng
        coupled: dict[str, int] = dict.fromkeys(self.codes, 0)
        coupled_amv: dict[str, int] = dict.fromkeys(self.codes, 0)
        for h in households:
            if h.coupled_to is not None:
                coupled[h.coupled_to] += h.size
                if h.amv:
                    coupled_amv[h.coupled_to] += h.size
        out = []
        for m in self.munis:
            quota = self.quota[m.code]
            backlog = min(BACKLOG_MAX, max(BACKLOG_MIN, rng.gauss(BACKLOG_MEAN, BACKLOG_SD)))
            realised = rng.uniform(0.0, REALISED_MAX_SHARE)
            remaining = quota.persons + round(quota.persons * backlog) - round(quota.persons * realised) - coupled[m.code]
            amv_remaining = quota.amv + round(quota.amv * backlog) - round(quota.amv * realised) - coupled_amv[m.code]
            out.append(Municipality(
                code=m.code,
                name=m.name,
                province=m.province,
                lat=m.lat,
                lon=m.lon,
                quota_remaining=remaining,
                amv_quota_remaining=min(amv_remaining, max(0, remaining)),
            ))
        return tuple(out)

    # 5. dwellings
    def _dwellings(self) -> tuple[Dwelling, ...]:
        rng, quota = self.rng, self.quota
        housing = [c for c in self.codes if quota[c].persons > 0]
        counts = {kind: max(1, round(self.n_dwellings * share)) for kind, share in KIND_SHARES.items() if kind is not DwellingKind.REGULAR}
        counts[DwellingKind.REGULAR] = max(len(housing), self.n_dwellings - sum(counts.values()))
        amv_hosts = [c for c in housing if quota[c].amv > 0] or housing
        temporary_hosts = [c for c in housing if quota[c].persons >= TEMPORARY_MIN_QUOTA] or housing
        hosts = {
            DwellingKind.REGULAR: _Picker(housing, [quota[c].persons for c in housing]),
            DwellingKind.SHARED: _Picker(housing, [quota[c].persons for c in housing]),
            DwellingKind.AMV: _Picker(amv_hosts, [max(1, quota[c].amv) for c in amv_hosts]),
            DwellingKind.TEMPORARY: _Picker(temporary_hosts, [quota[c].persons for c in temporary_hosts]),
        }
        out: list[Dwelling] = []
        for kind in DwellingKind:
            for number in range(counts[kind]):
                # Every municipality with a taakstelling offers at least one regular home.
                if kind is DwellingKind.REGULAR and number < len(housing):
                    code = housing[number]
                else:
                    code = hosts[kind].pick(rng)
                out.append(self._dwelling(f"d{len(out) + 1:05d}", code, kind))
        return tuple(out)

    def _dwelling(self, dwelling_id: str, code: str, kind: DwellingKind) -> Dwelling:
        rng = self.rng
        min_occupancy = 1
        if kind is DwellingKind.REGULAR:
            capacity = _weighted(rng, REGULAR_CAPACITY_WEIGHTS)
            if capacity >= FAMILY_HOME_MIN_CAPACITY and rng.random() < FAMILY_HOME_MIN_OCCUPANCY_SHARE:
                min_occupancy = capacity - FAMILY_HOME_UNDEROCCUPANCY
        elif kind is DwellingKind.SHARED:
            capacity = rng.randint(*SHARED_ROOMS)
        elif kind is DwellingKind.AMV:
            capacity = rng.randint(*AMV_UNIT_CAPACITY)
        else:
            capacity = rng.randint(*TEMPORARY_CAPACITY)
        return Dwelling(
            dwelling_id=dwelling_id,
            municipality=code,
            kind=kind,
            capacity=capacity,
            available_from=AS_OF + dt.timedelta(days=rng.randint(0, DWELLING_WINDOW_DAYS)),
            min_occupancy=min_occupancy,
            accessible=rng.random() < ACCESSIBLE_SHARE,
        )

    # 6. travel times
    def _travel_minutes(self) -> tuple[tuple[str, str, float], ...]:
        rng = self.rng
        out = []
        for loc in self.locations:
            for code in self.codes:
                km = self.km[loc.location_id, code]
                if km > TRAVEL_MAX_KM:
                    continue
                minutes = POOR_PT_LINKS.get((loc.location_id, code))
                if minutes is None:
                    noisy = TRAVEL_MINUTES_PER_KM * km + TRAVEL_BASE_MINUTES + rng.gauss(0.0, TRAVEL_NOISE_SD)
                    minutes = float(max(round(TRAVEL_BASE_MINUTES / 2), round(noisy)))
                out.append((loc.location_id, code, minutes))
        return tuple(out)


# --- Week-by-week draws for the simulator (matcher.simulate) ----------------------------------------

WEEKLY_PERSONS_NL = NATIONAL_QUOTA / 26
"""New status holders a week nationally: the half-year taakstelling over 26 weeks (1,050 persons),
the inflow the quota is set for [001:162; brief §4.1].  Regions get their share of the quota."""
WEEKLY_DWELLINGS_NL = NL_DWELLINGS * 7 / DWELLING_WINDOW_DAYS
"""Homes offered a week nationally at the examples' rate (800); regions get their share."""
DOCUMENT_DELAY_DAYS = (14, 56)
"""Assumption: days after the permit until a missing IND residence document arrives [001:2516]."""


class Sampler:
    """Draws what a region receives week after week, calibrated like the examples: new permits
    (households with the example's size mix, AMV share, ties and missing documents) and offered
    homes (the example's kinds, sizes and host municipalities).

    It holds no random state: every draw takes the :class:`random.Random` to use, so the caller
    decides the streams.  Built with :meth:`for_example` or from any set of embedded municipality
    codes and reception locations.
    """

    def __init__(self, codes: Sequence[str], locations: Sequence[Location], in_region: set[str],
                 quota: dict[str, Quota]):
        by_code = {m.code: m for m in load_municipalities()}
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise MatcherError(f"municipalities {', '.join(unknown[:5])} are not in the embedded 2023 data")
        self.codes = tuple(codes)
        self.locations = tuple(locations)
        self.quota = dict(quota)
        self.km = {
            (loc.location_id, c): great_circle_km(loc.lat, loc.lon, by_code[c].lat, by_code[c].lon)
            for loc in self.locations for c in self.codes
        }
        location_ids = [loc.location_id for loc in self.locations]
        weight = [IN_REGION_LOCATION_WEIGHT if lid in in_region else 1.0 for lid in location_ids]
        self._location = _Picker(location_ids, weight)
        inhabitants = {c: float(by_code[c].inhabitants) for c in self.codes}
        self._any_tie = _Picker(list(self.codes), [inhabitants[c] for c in self.codes])
        self._near_tie = {
            lid: _Picker([c for c in self.codes if self.km[lid, c] <= MAX_KM],
                         [inhabitants[c] for c in self.codes if self.km[lid, c] <= MAX_KM])
            for lid in location_ids
        }
        share = sum(q.persons for q in self.quota.values()) / NATIONAL_QUOTA
        self.persons_per_week = WEEKLY_PERSONS_NL * share
        self.dwellings_per_week = WEEKLY_DWELLINGS_NL * share
        # AMV among singles so that AMV persons are AMV_PERSON_SHARE of all (as _profiles allocates).
        w = HOUSEHOLD_SIZE_WEIGHTS
        total = sum(w.values())
        amv_pair_persons = 2 * AMV_SIBLING_SHARE * w[2] / total
        self.amv_single_share = max(0.0, (AMV_PERSON_SHARE * MEAN_HOUSEHOLD_SIZE - amv_pair_persons) / (w[1] / total))
        housing = [c for c in self.codes if self.quota[c].persons > 0] or list(self.codes)
        amv_hosts = [c for c in housing if self.quota[c].amv > 0] or housing
        temporary_hosts = [c for c in housing if self.quota[c].persons >= TEMPORARY_MIN_QUOTA] or housing
        self._hosts = {
            DwellingKind.REGULAR: _Picker(housing, [max(1, self.quota[c].persons) for c in housing]),
            DwellingKind.SHARED: _Picker(housing, [max(1, self.quota[c].persons) for c in housing]),
            DwellingKind.AMV: _Picker(amv_hosts, [max(1, self.quota[c].amv) for c in amv_hosts]),
            DwellingKind.TEMPORARY: _Picker(temporary_hosts, [max(1, self.quota[c].persons) for c in temporary_hosts]),
        }

    @classmethod
    def for_example(cls, name: str) -> Sampler:
        """The sampler of example ``name``: its municipalities, locations and taakstelling."""
        generator = _Generator(name, _region(name), random.Random(0))
        return cls(generator.codes, generator.locations, generator.in_region, generator.quota)

    def household(self, rng: random.Random, household_id: str, permit_date: dt.date) -> tuple[Household, dt.date]:
        """A household with a new permit, not coupled, and the date its residence document is in
        hand (``permit_date`` when it has it already)."""
        size = _weighted(rng, HOUSEHOLD_SIZE_WEIGHTS)
        amv = (size == 1 and rng.random() < self.amv_single_share) or (size == 2 and rng.random() < AMV_SIBLING_SHARE)
        location_id = self._location.pick(rng)
        document_date = permit_date
        if rng.random() < DOCUMENT_MISSING_SHARE:
            document_date = permit_date + dt.timedelta(days=rng.randint(*DOCUMENT_DELAY_DAYS))
        needs_accessible = rng.random() < NEEDS_ACCESSIBLE_SHARE
        expected_extra = 0
        if not amv and size <= 2 and rng.random() < EXPECTED_EXTRA_SHARE:
            expected_extra = _weighted(rng, EXPECTED_EXTRA_WEIGHTS)
        tie: str | None = None
        if rng.random() < TIE_SHARE:
            nearby = self._near_tie[location_id]
            tie = (nearby if nearby and rng.random() < TIE_NEARBY_SHARE else self._any_tie).pick(rng)
        household = Household(
            household_id=household_id,
            size=size,
            location_id=location_id,
            permit_date=permit_date,
            amv=amv,
            needs_accessible=needs_accessible,
            expected_extra=expected_extra,
            tie_municipality=tie,
            document_ready=document_date <= permit_date,
        )
        return household, document_date

    def dwelling(self, rng: random.Random, dwelling_id: str, first_day: dt.date) -> Dwelling:
        """An offered home: kind by :data:`KIND_SHARES`, host municipality as in the examples, size as
        :meth:`_Generator._dwelling` draws it, available within :data:`DWELLING_WINDOW_DAYS` of ``first_day``."""
        kinds = list(DwellingKind)
        kind = rng.choices(kinds, weights=[KIND_SHARES[k] for k in kinds])[0]
        code = self._hosts[kind].pick(rng)
        holder = _RngHolder(rng)
        d = _Generator._dwelling(holder, dwelling_id, code, kind)  # type: ignore[arg-type]
        return Dwelling(
            dwelling_id=d.dwelling_id, municipality=d.municipality, kind=d.kind, capacity=d.capacity,
            available_from=first_day + (d.available_from - AS_OF), min_occupancy=d.min_occupancy,
            accessible=d.accessible,
        )


    def dwelling_for(self, household: Household, drawn: Dwelling) -> Dwelling:
        """The home a municipality found for ``household``, coupled to it: ``drawn`` (its id, host
        municipality and availability) with a kind, size and accessibility that fit the household
        (:func:`matcher.rules.dwelling_fits`, the residence document aside).

        An AMV household gets a place in an AMV unit of its size; any other a regular home with
        room for itself and the family it expects (at most the largest regular size), with the
        family homes' minimum occupancy (capacity minus :data:`FAMILY_HOME_UNDEROCCUPANCY`, never
        above the household's size); accessible if the household needs it or the drawn home was.
        Draws nothing: the drawn home's stream stays as it was.
        """
        if household.amv:
            kind, capacity, min_occupancy = DwellingKind.AMV, household.size, 1
        else:
            kind = DwellingKind.REGULAR
            capacity = min(max(REGULAR_CAPACITY_WEIGHTS), household.size + household.expected_extra)
            capacity = max(capacity, household.size)
            min_occupancy = max(1, min(household.size, capacity - FAMILY_HOME_UNDEROCCUPANCY))
        return Dwelling(
            dwelling_id=drawn.dwelling_id, municipality=drawn.municipality, kind=kind, capacity=capacity,
            available_from=drawn.available_from, min_occupancy=min_occupancy,
            accessible=drawn.accessible or household.needs_accessible,
        )


@dataclass
class _RngHolder:
    """Lends :meth:`_Generator._dwelling` (which only reads ``self.rng``) another stream."""

    rng: random.Random
