"""Every calibration figure of the synthetic data, each a named constant with its source.

A source is a section of the domain brief or a seed line such as ``[001:1981]``; a figure with no
source says *assumption*, and a derived one says how it is derived.  ``docs/calibration.md`` lists
them with the values measured on the generated examples.  The static examples
(:mod:`matcher.synth.examples`) and the simulator's weekly draws (:mod:`matcher.synth.sampler`)
read these and nothing else, so the two agree.
"""

from __future__ import annotations

import datetime as dt

from matcher.models import DwellingKind

# --- The examples -------------------------------------------------------------------------------

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
AMV_SINGLE_SHARE = max(0.0, (AMV_PERSON_SHARE * MEAN_HOUSEHOLD_SIZE
                             - 2 * AMV_SIBLING_SHARE * HOUSEHOLD_SIZE_WEIGHTS[2] / sum(HOUSEHOLD_SIZE_WEIGHTS.values()))
                        / (HOUSEHOLD_SIZE_WEIGHTS[1] / sum(HOUSEHOLD_SIZE_WEIGHTS.values())))
"""Derived: the chance that a single drawn one by one is an AMV minor, so that AMV persons are
:data:`AMV_PERSON_SHARE` of all persons given :data:`AMV_SIBLING_SHARE` (the examples allocate the
same composition exactly instead)."""

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

# --- Week-by-week draws for the simulator (matcher.simulate) ----------------------------------------

WEEKLY_PERSONS_NL = NATIONAL_QUOTA / 26
"""New status holders a week nationally: the half-year taakstelling over 26 weeks (1,050 persons),
the inflow the quota is set for [001:162; brief §4.1].  Regions get their share of the quota."""
WEEKLY_DWELLINGS_NL = NL_DWELLINGS * 7 / DWELLING_WINDOW_DAYS
"""Homes offered a week nationally at the examples' rate (800); regions get their share."""
DOCUMENT_DELAY_DAYS = (14, 56)
"""Assumption: days after the permit until a missing IND residence document arrives [001:2516]."""

