"""Synthetic data on the embedded 2023 data: the static examples and the simulator's weekly draws.

The public API, all importable from ``matcher.synth``:

* :mod:`~matcher.synth.calibration`: every calibration figure as a named constant with its source
  (``AS_OF``, ``MAX_KM``, ``NL_HOUSEHOLDS``, ``HOUSEHOLD_SIZE_WEIGHTS``, ``KIND_SHARES``, ...);
* :mod:`~matcher.synth.regions`: :data:`EXAMPLES`, :func:`region`, :func:`region_codes`,
  :func:`taakstelling`, :class:`Quota`, :func:`reception_locations` and :class:`Area` (the
  municipalities, locations and quota a draw is made over);
* :mod:`~matcher.synth.draws`: the random draws both share (:class:`Picker`, household
  :func:`~matcher.synth.draws.profiles` and traits, :func:`~matcher.synth.draws.dwelling`, ...);
* :mod:`~matcher.synth.examples`: :func:`make_example` (with other counts for the benchmarks'
  scale curve), :func:`write_example`, :class:`Generator`;
* :mod:`~matcher.synth.measures`: :func:`measure` and :class:`Measures`, the figures of a generated
  example beside their targets (``docs/calibration.md``);
* :mod:`~matcher.synth.sampler`: :class:`Sampler`, new permits and offered homes week by week
  (``matcher simulate``).

Nothing outside this package uses a name of it that starts with an underscore.
"""

from __future__ import annotations

from matcher.synth.calibration import (
    ACCESSIBLE_SHARE,
    AMV_PERSON_SHARE,
    AMV_SIBLING_SHARE,
    AMV_SINGLE_SHARE,
    AMV_UNIT_CAPACITY,
    AS_OF,
    BACKLOG_MAX,
    BACKLOG_MEAN,
    BACKLOG_MIN,
    BACKLOG_SD,
    COUPLING_PROPENSITY_SIGMA,
    DOCUMENT_DELAY_DAYS,
    DOCUMENT_MISSING_SHARE,
    DWELLING_WINDOW_DAYS,
    EXPECTED_EXTRA_SHARE,
    EXPECTED_EXTRA_WEIGHTS,
    FAMILY_HOME_MIN_CAPACITY,
    FAMILY_HOME_MIN_OCCUPANCY_SHARE,
    FAMILY_HOME_UNDEROCCUPANCY,
    HART_VAN_BRABANT_CODES,
    HOUSEHOLD_SIZE_WEIGHTS,
    HVB_ROL_LOCATION,
    HVB_ROL_SHARE,
    IN_REGION_LOCATION_WEIGHT,
    KIND_SHARES,
    MAX_KM,
    MAX_WAIT_DAYS,
    MEAN_DAYS_SINCE_COUPLING_HVB,
    MEAN_DAYS_SINCE_COUPLING_NL,
    MEAN_HOUSEHOLD_SIZE,
    NATIONAL_AMV_QUOTA,
    NATIONAL_QUOTA,
    NEEDS_ACCESSIBLE_SHARE,
    NL_DWELLINGS,
    NL_HOUSEHOLDS,
    PERMIT_TO_COUPLING_DAYS,
    POOR_PT_LINKS,
    REALISED_MAX_SHARE,
    RECENT_PERMIT_DAYS,
    REGULAR_CAPACITY_WEIGHTS,
    SHARED_ROOMS,
    STATUS_HOLDERS_WAITING,
    TEMPORARY_CAPACITY,
    TEMPORARY_MIN_QUOTA,
    TIE_NEARBY_SHARE,
    TIE_SHARE,
    TRAVEL_BASE_MINUTES,
    TRAVEL_MAX_KM,
    TRAVEL_MINUTES_PER_KM,
    TRAVEL_NOISE_SD,
    TWENTE_CODES,
    UNCOUPLED_SHARE,
    WAIT_CV,
    WEEKLY_DWELLINGS_NL,
    WEEKLY_PERSONS_NL,
)
from matcher.synth.draws import Picker
from matcher.synth.examples import Generator, make_example, write_example
from matcher.synth.measures import Measures, measure
from matcher.synth.regions import (
    EXAMPLES,
    REGIONS,
    Area,
    Quota,
    Region,
    reception_locations,
    region,
    region_codes,
    taakstelling,
)
from matcher.synth.sampler import Sampler

__all__ = [
    "ACCESSIBLE_SHARE",
    "AMV_PERSON_SHARE",
    "AMV_SIBLING_SHARE",
    "AMV_SINGLE_SHARE",
    "AMV_UNIT_CAPACITY",
    "AS_OF",
    "BACKLOG_MAX",
    "BACKLOG_MEAN",
    "BACKLOG_MIN",
    "BACKLOG_SD",
    "COUPLING_PROPENSITY_SIGMA",
    "DOCUMENT_DELAY_DAYS",
    "DOCUMENT_MISSING_SHARE",
    "DWELLING_WINDOW_DAYS",
    "EXAMPLES",
    "EXPECTED_EXTRA_SHARE",
    "EXPECTED_EXTRA_WEIGHTS",
    "FAMILY_HOME_MIN_CAPACITY",
    "FAMILY_HOME_MIN_OCCUPANCY_SHARE",
    "FAMILY_HOME_UNDEROCCUPANCY",
    "HART_VAN_BRABANT_CODES",
    "HOUSEHOLD_SIZE_WEIGHTS",
    "HVB_ROL_LOCATION",
    "HVB_ROL_SHARE",
    "IN_REGION_LOCATION_WEIGHT",
    "KIND_SHARES",
    "MAX_KM",
    "MAX_WAIT_DAYS",
    "MEAN_DAYS_SINCE_COUPLING_HVB",
    "MEAN_DAYS_SINCE_COUPLING_NL",
    "MEAN_HOUSEHOLD_SIZE",
    "NATIONAL_AMV_QUOTA",
    "NATIONAL_QUOTA",
    "NEEDS_ACCESSIBLE_SHARE",
    "NL_DWELLINGS",
    "NL_HOUSEHOLDS",
    "PERMIT_TO_COUPLING_DAYS",
    "POOR_PT_LINKS",
    "REALISED_MAX_SHARE",
    "RECENT_PERMIT_DAYS",
    "REGIONS",
    "REGULAR_CAPACITY_WEIGHTS",
    "SHARED_ROOMS",
    "STATUS_HOLDERS_WAITING",
    "TEMPORARY_CAPACITY",
    "TEMPORARY_MIN_QUOTA",
    "TIE_NEARBY_SHARE",
    "TIE_SHARE",
    "TRAVEL_BASE_MINUTES",
    "TRAVEL_MAX_KM",
    "TRAVEL_MINUTES_PER_KM",
    "TRAVEL_NOISE_SD",
    "TWENTE_CODES",
    "UNCOUPLED_SHARE",
    "WAIT_CV",
    "WEEKLY_DWELLINGS_NL",
    "WEEKLY_PERSONS_NL",
    "Area",
    "Generator",
    "Measures",
    "Picker",
    "Quota",
    "Region",
    "Sampler",
    "make_example",
    "measure",
    "reception_locations",
    "region",
    "region_codes",
    "taakstelling",
    "write_example",
]
