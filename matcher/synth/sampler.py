"""The simulator's weekly draws (:mod:`matcher.simulate`): new permits and offered homes,
calibrated like the examples."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Collection, Mapping, Sequence

from matcher.models import Dwelling, DwellingKind, Household, Location
from matcher.synth.calibration import (
    AMV_SIBLING_SHARE,
    AMV_SINGLE_SHARE,
    DOCUMENT_DELAY_DAYS,
    DOCUMENT_MISSING_SHARE,
    FAMILY_HOME_UNDEROCCUPANCY,
    HOUSEHOLD_SIZE_WEIGHTS,
    KIND_SHARES,
    REGULAR_CAPACITY_WEIGHTS,
    WEEKLY_DWELLINGS_NL,
    WEEKLY_PERSONS_NL,
)
from matcher.synth.draws import dwelling, household_traits, weighted
from matcher.synth.regions import Area, Quota


class Sampler:
    """Draws what a region receives week after week, calibrated like the examples: new permits
    (households with the example's size mix, AMV share, ties and missing documents) and offered
    homes (the example's kinds, sizes and host municipalities).

    It holds no random state: every draw takes the :class:`random.Random` to use, so the caller
    decides the streams.  Built with :meth:`for_example` or from any set of embedded municipality
    codes and reception locations.
    """

    def __init__(self, codes: Sequence[str], locations: Sequence[Location], in_region: Collection[str],
                 quota: Mapping[str, Quota]):
        self.area = Area(codes, locations, in_region, quota)
        self.codes = self.area.codes
        self.locations = self.area.locations
        self.quota = self.area.quota
        self.km = self.area.km
        self.persons_per_week = WEEKLY_PERSONS_NL * self.area.share
        self.dwellings_per_week = WEEKLY_DWELLINGS_NL * self.area.share
        self.amv_single_share = AMV_SINGLE_SHARE

    @classmethod
    def for_example(cls, name: str) -> Sampler:
        """The sampler of example ``name``: its municipalities, locations and taakstelling."""
        area = Area.for_example(name)
        return cls(area.codes, area.locations, area.in_region, area.quota)

    def household(self, rng: random.Random, household_id: str, permit_date: dt.date) -> tuple[Household, dt.date]:
        """A household with a new permit, not coupled, and the date its residence document is in
        hand (``permit_date`` when it has it already)."""
        size = weighted(rng, HOUSEHOLD_SIZE_WEIGHTS)
        amv = (size == 1 and rng.random() < self.amv_single_share) or (size == 2 and rng.random() < AMV_SIBLING_SHARE)
        location_id = self.area.location.pick(rng)
        document_date = permit_date
        if rng.random() < DOCUMENT_MISSING_SHARE:
            document_date = permit_date + dt.timedelta(days=rng.randint(*DOCUMENT_DELAY_DAYS))
        needs_accessible, expected_extra, tie = household_traits(rng, size, amv, self.area.near_tie[location_id],
                                                                 self.area.any_tie)
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
        :func:`matcher.synth.draws.dwelling` draws it, available within :data:`DWELLING_WINDOW_DAYS`
        of ``first_day``."""
        kinds = list(DwellingKind)
        kind = rng.choices(kinds, weights=[KIND_SHARES[k] for k in kinds])[0]
        return dwelling(rng, dwelling_id, self.area.hosts[kind].pick(rng), kind, first_day)

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
