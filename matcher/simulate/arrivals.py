"""New permits and offered homes, week by week, from streams that do not depend on the policy.

Every random draw comes from a :class:`random.Random` seeded with a string naming the run's seed,
the stream and the week (``"7:arrivals:12"``).  String seeds are hashed with SHA-512 by
:mod:`random`, so the streams are the same in every process and on every machine.  Arrivals and
homes therefore never depend on the policy (greedy and weekly see the same people and the same
homes for the same seed), nor on the scenario's ``max_km`` or ``max_minutes``; the ``supply`` and
``arrivals`` factors only change how many are drawn from the same stream.

The one exception is on purpose: with an ``answer_share`` above 0, a share of the homes drawn is
found by the host municipality for a household coupled to it and still waiting
(:func:`answer_coupling`), so what those homes are depends on who was coupled where.  Which homes
answer is drawn from a stream of its own (``"7:answer:12"``), so the homes stream, and every home
that does not answer, are the same as with a share of 0.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from matcher.models import Dwelling, DwellingKind, Household
from matcher.synth import MEAN_HOUSEHOLD_SIZE, Sampler


def stream(seed: int, name: str, *keys: object) -> random.Random:
    """The random stream ``name`` of run ``seed`` for ``keys`` (a week, a household, ...)."""
    return random.Random(":".join(str(part) for part in (seed, name, *keys)))


@dataclass(frozen=True)
class Permit:
    """A household that got its permit this week, and the day its residence document is in hand."""

    household: Household
    document_date: dt.date


def rounded_count(rng: random.Random, mean: float) -> int:
    """A whole count with the given mean: the floor, plus one with the fractional chance."""
    base = math.floor(mean)
    return base + (1 if rng.random() < mean - base else 0)


def weekly_permits(sampler: Sampler, seed: int, week: int, as_of: dt.date, factor: float) -> list[Permit]:
    """The households whose permit was granted in the seven days before ``as_of``.

    As many households as bring :attr:`Sampler.persons_per_week` × ``factor`` persons on average;
    each drawn with the examples' calibration.  Ids are ``a{week}-{n}``: pseudonymous.
    """
    rng = stream(seed, "arrivals", week)
    n = rounded_count(rng, sampler.persons_per_week * factor / MEAN_HOUSEHOLD_SIZE)
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
    n = rounded_count(rng, sampler.dwellings_per_week * factor)
    return [sampler.dwelling(rng, f"o{week:03d}-{i:04d}", as_of) for i in range(n)]


def answer_coupling(sampler: Sampler, homes: Sequence[Dwelling], seed: int, key: object, share: float,
                    coupled: Mapping[str, Sequence[Household]]) -> tuple[list[Dwelling], dict[str, str]]:
    """Supply that answers coupling: each regular home is, with chance ``share``, one its
    municipality found for a household coupled to it and still waiting (phase 2 [001:2434]); the
    rest stay as drawn (today's mismatched stock mix).

    ``coupled`` lists, per municipality, the households it is looking for, in the order it looks
    (longest coupled first); each gets at most one home here.  AMV minors are left out (they go to
    Nidos units), and so are the shared, AMV and temporary homes: those are places for whoever fits
    them, not a home found for one household.  A municipality with nobody left on its list offers
    the home as drawn, so the share answered can fall below ``share``.  A found home keeps the drawn
    home's id, municipality and availability and gets a size and accessibility that fit the
    household (:meth:`Sampler.dwelling_for`); it is offered like any other home (the policy may give
    it to someone else).  One draw per home from the stream ``answer`` of ``key`` (a week,
    or ``"start"``), whatever ``share`` is, so a larger share answers a superset of the homes on the
    same state.  Returns the homes and, for each found home, the household it was found for.
    """
    if share <= 0:
        return list(homes), {}
    rng = stream(seed, "answer", key)
    queues = {code: [h for h in households if not h.amv] for code, households in coupled.items()}
    taken: dict[str, int] = dict.fromkeys(queues, 0)
    out: list[Dwelling] = []
    found: dict[str, str] = {}
    for d in homes:
        draw = rng.random()
        queue = queues.get(d.municipality, [])
        if draw < share and d.kind is DwellingKind.REGULAR and taken.get(d.municipality, 0) < len(queue):
            h = queue[taken[d.municipality]]
            taken[d.municipality] += 1
            d = sampler.dwelling_for(h, d)
            found[d.dwelling_id] = h.household_id
        out.append(d)
    return out, found


def starting_homes(sampler: Sampler, homes: Sequence[Dwelling], seed: int, supply: float,
                   first_day: dt.date) -> list[Dwelling]:
    """The example's homes on offer on the first Monday, scaled by ``supply`` so that the stock and
    the weekly rate agree.

    The example offers 3 weeks of homes at the rate of ``supply`` 1 (``NL_DWELLINGS`` over its 21-day
    window); at ``supply`` below 1, ``round(n * supply)`` of them are kept, chosen by a shuffle from
    the stream ``start-homes`` (a smaller supply keeps a subset of a larger one's), in the example's
    order.  Above 1, ``round(n * (supply - 1))`` homes are added, drawn like the weekly homes from the
    stream ``start-homes-extra`` (ids ``x00001``...), available within 21 days of ``first_day``.
    """
    homes = list(homes)
    if supply == 1:
        return homes
    if supply < 1:
        order = list(range(len(homes)))
        stream(seed, "start-homes").shuffle(order)
        keep = set(order[:round(len(homes) * supply)])
        return [d for i, d in enumerate(homes) if i in keep]
    rng = stream(seed, "start-homes-extra")
    extra = round(len(homes) * (supply - 1))
    return homes + [sampler.dwelling(rng, f"x{i:05d}", first_day) for i in range(1, extra + 1)]


def refused(seed: int, week: int, household_id: str, dwelling_id: str, rate: float) -> bool:
    """Whether the household refuses the offered home (its own stream per offer, so the answer does
    not depend on the order of the proposal's lines)."""
    if rate <= 0:
        return False
    return stream(seed, "refusal", week, household_id, dwelling_id).random() < rate
