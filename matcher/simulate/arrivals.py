"""New permits and offered homes, week by week, from streams that do not depend on the policy.

Every random draw comes from a :class:`random.Random` seeded with a string naming the run's seed,
the stream and the week (``"7:arrivals:12"``).  String seeds are hashed with SHA-512 by
:mod:`random`, so the streams are the same in every process and on every machine.  Arrivals and
homes therefore never depend on the policy (greedy and weekly see the same people and the same
homes for the same seed), nor on the scenario's ``max_km`` or ``max_minutes``; the ``supply`` and
``arrivals`` factors only change how many are drawn from the same stream.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from matcher.models import Dwelling, Household
from matcher.synth import MEAN_HOUSEHOLD_SIZE, Sampler


def stream(seed: int, name: str, *keys: object) -> random.Random:
    """The random stream ``name`` of run ``seed`` for ``keys`` (a week, a household, ...)."""
    return random.Random(":".join(str(part) for part in (seed, name, *keys)))


@dataclass(frozen=True)
class Permit:
    """A household that got its permit this week, and the day its residence document is in hand."""

    household: Household
    document_date: dt.date


def _count(rng: random.Random, mean: float) -> int:
    """A whole count with the given mean: the floor, plus one with the fractional chance."""
    base = math.floor(mean)
    return base + (1 if rng.random() < mean - base else 0)


def weekly_permits(sampler: Sampler, seed: int, week: int, as_of: dt.date, factor: float) -> list[Permit]:
    """The households whose permit was granted in the seven days before ``as_of``.

    As many households as bring :attr:`Sampler.persons_per_week` × ``factor`` persons on average;
    each drawn with the examples' calibration.  Ids are ``a{week}-{n}``: pseudonymous.
    """
    rng = stream(seed, "arrivals", week)
    n = _count(rng, sampler.persons_per_week * factor / MEAN_HOUSEHOLD_SIZE)
    out = []
    for i in range(n):
        permit_date = as_of - dt.timedelta(days=rng.randint(1, 7))
        household, document_date = sampler.household(rng, f"a{week:03d}-{i:04d}", permit_date)
        out.append(Permit(household, document_date))
    return out


def weekly_homes(sampler: Sampler, seed: int, week: int, as_of: dt.date, factor: float) -> list[Dwelling]:
    """The homes municipalities offer this week, available from ``as_of`` up to three weeks on.

    :attr:`Sampler.dwellings_per_week` × ``factor`` on average; ids ``o{week}-{n}``.
    """
    rng = stream(seed, "homes", week)
    n = _count(rng, sampler.dwellings_per_week * factor)
    return [sampler.dwelling(rng, f"o{week:03d}-{i:04d}", as_of) for i in range(n)]


def refused(seed: int, week: int, household_id: str, dwelling_id: str, rate: float) -> bool:
    """Whether the household refuses the offered home (its own stream per offer, so the answer does
    not depend on the order of the proposal's lines)."""
    if rate <= 0:
        return False
    return stream(seed, "refusal", week, household_id, dwelling_id).random() < rate
