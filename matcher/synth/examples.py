"""The static examples: Twente, Hart van Brabant and the whole Netherlands on the embedded data.

The municipalities, their points and their 2023-II taakstelling are real (Bijlage A, see
:mod:`matcher.data`); the reception locations are the illustrative list; everything about people
and homes is drawn at random, calibrated on the figures of :mod:`matcher.synth.calibration`.

Generation is deterministic for a given seed: it uses one :class:`random.Random` and iterates in
fixed orders only.

How an example is built, in order:

1. **Municipalities** of the region with their taakstelling (:func:`taakstelling`); a municipality
   whose quota is carried out by another gets 0 and the carrier gets its quota.
2. **Reception locations**: the illustrative locations inside the region or within
   :data:`MAX_KM` of a region municipality (all of them for ``nl``); if none lies inside the region
   a synthetic one is added at a region municipality's point (:func:`reception_locations`).
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

:func:`make_example` builds one with the example's own counts; its keywords give the same
generator other counts (the benchmarks' scale curve).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from pathlib import Path

from matcher.models import Dwelling, DwellingKind, Household, Instance, Municipality, Params
from matcher.read import write_instance
from matcher.synth.calibration import (
    AS_OF,
    BACKLOG_MAX,
    BACKLOG_MEAN,
    BACKLOG_MIN,
    BACKLOG_SD,
    COUPLING_PROPENSITY_SIGMA,
    DOCUMENT_MISSING_SHARE,
    KIND_SHARES,
    MAX_KM,
    NL_DWELLINGS,
    NL_HOUSEHOLDS,
    PERMIT_TO_COUPLING_DAYS,
    POOR_PT_LINKS,
    REALISED_MAX_SHARE,
    RECENT_PERMIT_DAYS,
    TRAVEL_BASE_MINUTES,
    TRAVEL_MAX_KM,
    TRAVEL_MINUTES_PER_KM,
    TRAVEL_NOISE_SD,
    UNCOUPLED_SHARE,
)
from matcher.synth.draws import Picker, dwelling, flags, household_traits, profiles, waits
from matcher.synth.regions import Area, Region, region


def make_example(name: str, seed: int = 0, *, households: int | None = None, dwellings: int | None = None,
                 quota_factor: float = 1.0, label: str | None = None) -> tuple[Instance, Params]:
    """Build synthetic example ``name`` (one of :data:`EXAMPLES`) and its parameters.

    The same arguments always give an equal instance.  By default the example has its share (its
    taakstelling in the national one) of :data:`NL_HOUSEHOLDS` households and :data:`NL_DWELLINGS`
    homes; ``households`` and ``dwellings`` set other counts, ``quota_factor`` multiplies every
    municipality's taakstelling (and AMV part, rounded) before anything is drawn, and ``label``
    names the instance (default ``name``).  Raises :class:`MatcherError` for an unknown name.
    """
    generator = Generator(name, random.Random(seed), households=households, dwellings=dwellings,
                          quota_factor=quota_factor, label=label)
    return generator.build(), Params(as_of=AS_OF, max_km=MAX_KM)


def write_example(name: str, folder: str | Path, seed: int = 0) -> Path:
    """Write example ``name`` as an instance folder with its ``params.toml``; returns the folder."""
    instance, params = make_example(name, seed)
    return write_instance(instance, folder, params)


class Generator:
    """Draws one example from ``rng``; see the module docstring for the steps."""

    def __init__(self, name: str, rng: random.Random, *, households: int | None = None,
                 dwellings: int | None = None, quota_factor: float = 1.0, label: str | None = None):
        self.region: Region = region(name)
        self.name = name if label is None else label
        self.rng = rng
        self.area = Area.for_example(name, quota_factor)
        self.quota = self.area.quota
        self.codes = self.area.codes
        self.locations = self.area.locations
        self.n_households = round(NL_HOUSEHOLDS * self.area.share) if households is None else households
        self.n_dwellings = round(NL_DWELLINGS * self.area.share) if dwellings is None else dwellings

    def build(self) -> Instance:
        """The instance: households, then municipalities, dwellings and travel times, from one stream."""
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
        rng, area, region = self.rng, self.area, self.region
        km, location_ids, location_weight = area.km, area.location_ids, area.location_weight
        near_locations = {
            code: Picker([lid for lid in location_ids if km[lid, code] <= MAX_KM],
                         [location_weight[lid] for lid in location_ids if km[lid, code] <= MAX_KM])
            for code in self.codes
        }
        # Where a coupled household lives when it is not in the region's ROL.
        outside_rol = {
            code: Picker([lid for lid in location_ids if km[lid, code] <= MAX_KM and lid != region.rol],
                         [location_weight[lid] for lid in location_ids if km[lid, code] <= MAX_KM and lid != region.rol])
            for code in self.codes
        }
        reachable = [code for code in self.codes if near_locations[code]]
        couple_to = Picker(reachable, [self.quota[c].persons * propensity[c] for c in reachable])
        couple_amv_to = Picker(reachable, [self.quota[c].amv * propensity[c] for c in reachable])

        drawn_profiles = profiles(self.n_households, rng)
        uncoupled = flags(self.n_households, UNCOUPLED_SHARE, rng)
        drawn_waits = waits(uncoupled.count(False), region.mean_days_since_coupling, rng)

        out: list[Household] = []
        for index, ((size, amv), not_coupled) in enumerate(zip(drawn_profiles, uncoupled), start=1):
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
                days = drawn_waits.pop()
                coupling_date = AS_OF - dt.timedelta(days=days)
                permit_date = coupling_date - dt.timedelta(days=rng.randint(*PERMIT_TO_COUPLING_DAYS))
            else:
                location_id = area.location.pick(rng)
                permit_date = AS_OF - dt.timedelta(days=rng.randrange(RECENT_PERMIT_DAYS))
                document_ready = rng.random() >= DOCUMENT_MISSING_SHARE
            needs_accessible, expected_extra, tie = household_traits(rng, size, amv, area.near_tie[location_id],
                                                                     area.any_tie)
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
        for m in self.area.municipalities:
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
        rng, quota, hosts = self.rng, self.quota, self.area.hosts
        housing = [c for c in self.codes if quota[c].persons > 0]
        counts: dict[DwellingKind, int] = {kind: max(1, round(self.n_dwellings * share))
                                           for kind, share in KIND_SHARES.items() if kind is not DwellingKind.REGULAR}
        counts[DwellingKind.REGULAR] = max(len(housing), self.n_dwellings - sum(counts.values()))
        out: list[Dwelling] = []
        for kind in DwellingKind:
            for number in range(counts[kind]):
                # Every municipality with a taakstelling offers at least one regular home.
                if kind is DwellingKind.REGULAR and number < len(housing):
                    code = housing[number]
                else:
                    code = hosts[kind].pick(rng)
                out.append(dwelling(rng, f"d{len(out) + 1:05d}", code, kind, AS_OF))
        return tuple(out)

    # 6. travel times
    def _travel_minutes(self) -> tuple[tuple[str, str, float], ...]:
        rng, km = self.rng, self.area.km
        out = []
        for loc in self.locations:
            for code in self.codes:
                distance = km[loc.location_id, code]
                if distance > TRAVEL_MAX_KM:
                    continue
                minutes = POOR_PT_LINKS.get((loc.location_id, code))
                if minutes is None:
                    noisy = TRAVEL_MINUTES_PER_KM * distance + TRAVEL_BASE_MINUTES + rng.gauss(0.0, TRAVEL_NOISE_SD)
                    minutes = float(max(round(TRAVEL_BASE_MINUTES / 2), round(noisy)))
                out.append((loc.location_id, code, minutes))
        return tuple(out)
