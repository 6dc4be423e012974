"""Small random instances for cross-checking solvers (deterministic per seed).

:func:`random_instance` builds at most 40 households, 20 dwellings, 8 municipalities and 1-3
reception locations, touching every feature of docs/contract.md §1-§2: all dwelling kinds (regular with
``min_occupancy``, shared, amv, temporary), accessible homes, AMV households, missing documents,
coupled and uncoupled households, ties, expected family members, dwellings available inside and
outside the horizon, municipalities 10-80 km from the locations (so ``max_km`` 50 matters),
quotas that are 0, negative or small, small AMV quotas, travel times with ``max_minutes``
sometimes set, bans, ``allow_recoupling`` sometimes (and ``may_recouple`` on some coupled households, half of them with ``recouple_to``), households in a
temporary home (state temporary), ``previous.csv`` rows sometimes, and locks
taken from a greedy solution (so that together they can hold).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random

from matcher.models import (
    Action,
    Ban,
    Dwelling,
    DwellingKind,
    Household,
    Instance,
    Location,
    Lock,
    Municipality,
    Params,
    PreviousRow,
)

KM_PER_DEGREE = 111.195
BASE_AS_OF = dt.date(2023, 7, 3)


def _offset(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """A point roughly ``km`` from (lat, lon) in direction ``bearing`` (radians)."""
    dlat = km * math.cos(bearing) / KM_PER_DEGREE
    dlon = km * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def _date(rng: random.Random, base: dt.date, lo: int, hi: int) -> dt.date:
    return base + dt.timedelta(days=rng.randint(lo, hi))


def _base_instance(seed: int) -> tuple[Instance, Params, random.Random]:
    rng = random.Random(seed)
    as_of = _date(rng, BASE_AS_OF, 0, 60)
    max_minutes = rng.choice([None, None, None, 45.0, 70.0])
    params = Params(
        as_of=as_of,
        horizon_days=rng.choice([7, 7, 7, 14, 0]),
        norm_days=rng.choice([84, 84, 84, 56]),
        coupling_days=rng.choice([14, 14, 7]),
        max_km=rng.choice([50.0, 50.0, 50.0, 40.0, 65.0]),
        max_minutes=max_minutes,
        quota_slack=rng.choice([0, 0, 0, 1, 3]),
        allow_recoupling=rng.random() < 0.3,
    )

    # Reception locations around the middle of the Netherlands.
    centre = (52.2 + rng.uniform(-0.3, 0.3), 5.6 + rng.uniform(-0.5, 0.5))
    locations = []
    for i in range(rng.randint(1, 3)):
        lat, lon = _offset(*centre, rng.uniform(0, 35), rng.uniform(0, 2 * math.pi))
        locations.append(Location(f"L{i + 1}", f"azc {i + 1}", lat, lon))

    # Municipalities 10-80 km from some location.
    municipalities = []
    codes = rng.sample(range(1, 2000), rng.randint(2, 8))
    for i, number in enumerate(codes):
        anchor = rng.choice(locations)
        lat, lon = _offset(anchor.lat, anchor.lon, rng.uniform(10, 80), rng.uniform(0, 2 * math.pi))
        quota = rng.choice([-3, 0, 0, 1, 2, 3, 4, 6, 8, 12, 20])
        amv_quota = rng.choice([-1, 0, 0, 1, 2, 3])
        municipalities.append(Municipality(f"GM{number:04d}", f"Gemeente {i + 1}", "Testland", lat, lon, quota, amv_quota))
    mcodes = [m.code for m in municipalities]

    # Households.
    households = []
    for i in range(rng.randint(4, 40)):
        amv = rng.random() < 0.12
        size = rng.choice([1, 1, 2]) if amv else rng.choice([1, 1, 1, 1, 2, 2, 3, 4, 5, 6])
        permit = _date(rng, as_of, -220, -1)
        coupled_to = coupling_date = None
        if rng.random() < 0.3:
            coupled_to = rng.choice(mcodes)
            coupling_date = permit + dt.timedelta(days=rng.randint(0, max(0, (as_of - permit).days)))
        households.append(Household(
            household_id=f"H{i + 1:02d}",
            size=size,
            location_id=rng.choice(locations).location_id,
            permit_date=permit,
            coupled_to=coupled_to,
            coupling_date=coupling_date,
            amv=amv,
            needs_accessible=rng.random() < 0.12,
            expected_extra=rng.choice([0] * 6 + [1, 2, 3]),
            tie_municipality=rng.choice(mcodes) if rng.random() < 0.2 else None,
            document_ready=rng.random() >= 0.1,
        ))

    # COA's approved re-couplings (may_recouple) on some coupled households, drawn apart so that
    # the instances drawn before they existed stay the same.
    approvals = random.Random(f"may_recouple-{seed}")
    households = [dataclasses.replace(h, may_recouple=True) if h.coupled_to is not None and approvals.random() < 0.35 else h
                  for h in households]
    # Some coupled households live in a temporary home already (state temporary), some past their
    # year there; drawn apart too.
    temporary = random.Random(f"temporary-{seed}")

    def in_temporary(h: Household) -> Household:
        since = as_of - dt.timedelta(days=temporary.randint(0, 420))
        coupled = min(h.coupling_date or since, since)
        return dataclasses.replace(h, may_recouple=False, temporary_home=f"tuvo-{h.coupled_to}", housed_since=since,
                                   coupling_date=coupled, permit_date=min(h.permit_date, coupled))

    households = [in_temporary(h) if h.coupled_to is not None and not h.amv and temporary.random() < 0.25 else h
                  for h in households]
    # Half of the approvals name the one municipality the household may be re-coupled to
    # (recouple_to); drawn apart too.
    targets = random.Random(f"recouple_to-{seed}")
    households = [dataclasses.replace(h, recouple_to=targets.choice([c for c in mcodes if c != h.coupled_to]))
                  if h.may_recouple and targets.random() < 0.5 and len(mcodes) > 1 else h for h in households]

    # Dwellings of every kind.
    dwellings = []
    kinds = [DwellingKind.REGULAR] * 5 + [DwellingKind.SHARED, DwellingKind.AMV, DwellingKind.TEMPORARY] * 1
    for i in range(rng.randint(0, 20)):
        kind = rng.choice(kinds)
        if kind is DwellingKind.REGULAR:
            capacity = rng.randint(1, 7)
            min_occupancy = rng.randint(1, capacity) if rng.random() < 0.4 else 1
        elif kind is DwellingKind.SHARED:
            capacity, min_occupancy = rng.randint(1, 4), 1
        elif kind is DwellingKind.AMV:
            capacity, min_occupancy = rng.randint(1, 4), 1
        else:
            capacity, min_occupancy = rng.randint(3, 12), 1
        dwellings.append(Dwelling(
            dwelling_id=f"D{i + 1:02d}",
            municipality=rng.choice(mcodes),
            kind=kind,
            capacity=capacity,
            available_from=_date(rng, as_of, -30, params.horizon_days + 10),
            min_occupancy=min_occupancy,
            accessible=rng.random() < 0.25,
        ))

    # Travel times (sometimes with a missing pair).
    travel = []
    for loc in locations:
        for m in municipalities:
            if max_minutes is not None and rng.random() < 0.1:
                continue
            km = _rough_km(loc.lat, loc.lon, m.lat, m.lon)
            travel.append((loc.location_id, m.code, float(round(10 + km * rng.uniform(0.8, 1.6)))))

    # Bans.
    bans = []
    for h in households:
        if rng.random() < 0.12:
            bans.append(Ban(h.household_id, municipality=rng.choice(mcodes)))
        if dwellings and rng.random() < 0.12:
            bans.append(Ban(h.household_id, dwelling_id=rng.choice(dwellings).dwelling_id))

    # Last week's proposal, sometimes.
    previous = []
    if rng.random() < 0.35:
        for h in rng.sample(households, rng.randint(1, len(households))):
            action = rng.choice(list(Action))
            if action is Action.HOUSE and dwellings:
                d = rng.choice(dwellings)
                previous.append(PreviousRow(h.household_id, action, d.municipality, d.dwelling_id))
            elif action is Action.COUPLE:
                previous.append(PreviousRow(h.household_id, action, rng.choice(mcodes)))
            else:
                previous.append(PreviousRow(h.household_id, Action.WAIT, h.coupled_to))

    instance = Instance(
        municipalities=tuple(municipalities),
        locations=tuple(locations),
        households=tuple(households),
        dwellings=tuple(dwellings),
        travel_minutes=tuple(travel),
        bans=tuple(bans),
        previous=tuple(previous),
        name=f"random-{seed}",
    )
    return instance, params, rng


def _rough_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * KM_PER_DEGREE
    dx = (lon2 - lon1) * KM_PER_DEGREE * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


def random_instance(seed: int) -> tuple[Instance, Params]:
    """A small random instance and its parameters, the same for the same seed.

    Locks are drawn from a greedy solution of the instance without locks, so they can all hold
    together (assuming the greedy solution is valid, which the tests check separately).
    """
    from matcher.solvers import solve  # only to draw satisfiable locks

    instance, params, rng = _base_instance(seed)
    if rng.random() < 0.6:
        greedy = solve(instance, params, solver="greedy", time_limit=20, explain=False)
        by_id = greedy.by_household()
        locks = []
        n_locks = rng.randint(1, 4)
        for h in rng.sample(instance.households, min(n_locks, len(instance.households))):
            a = by_id[h.household_id]
            if a.action is Action.HOUSE:
                choice = rng.choice(["dwelling", "municipality", "both"])
                locks.append(Lock(h.household_id,
                                  municipality=a.municipality if choice != "dwelling" else None,
                                  dwelling_id=a.dwelling_id if choice != "municipality" else None))
            elif a.action is Action.COUPLE:
                locks.append(Lock(h.household_id, municipality=a.municipality))
            elif h.coupled_to is not None:
                # Waiting keeps the household in its own municipality.
                locks.append(Lock(h.household_id, municipality=h.coupled_to))
        instance = dataclasses.replace(instance, locks=tuple(locks))
    return instance, params
