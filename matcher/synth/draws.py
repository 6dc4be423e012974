"""The random draws the examples and the simulator's sampler share.

Every function takes the :class:`random.Random` to draw from and draws in a fixed order, so the
caller decides the streams and a given stream always gives the same result.  The calibration
figures come from :mod:`matcher.synth.calibration`.

* :class:`Picker`, :func:`weighted`: weighted choices;
* :func:`largest_remainder`, :func:`profiles`, :func:`waits`, :func:`flags`: a population allocated
  exactly (sizes, AMV, uncoupled, days since coupling), as the examples build it;
* :func:`household_traits`: what is drawn for every household once its place is known (accessible
  home needed, family expected, a tie to a municipality);
* :func:`dwelling`: one offered home of a given kind and municipality.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate
from statistics import NormalDist

from matcher.models import Dwelling, DwellingKind
from matcher.synth.calibration import (
    ACCESSIBLE_SHARE,
    AMV_PERSON_SHARE,
    AMV_SIBLING_SHARE,
    AMV_UNIT_CAPACITY,
    DWELLING_WINDOW_DAYS,
    EXPECTED_EXTRA_SHARE,
    EXPECTED_EXTRA_WEIGHTS,
    FAMILY_HOME_MIN_CAPACITY,
    FAMILY_HOME_MIN_OCCUPANCY_SHARE,
    FAMILY_HOME_UNDEROCCUPANCY,
    HOUSEHOLD_SIZE_WEIGHTS,
    MAX_WAIT_DAYS,
    NEEDS_ACCESSIBLE_SHARE,
    REGULAR_CAPACITY_WEIGHTS,
    SHARED_ROOMS,
    TEMPORARY_CAPACITY,
    TIE_NEARBY_SHARE,
    TIE_SHARE,
    WAIT_CV,
)


class Picker:
    """Weighted choice over a fixed sequence, with the cumulative weights computed once.

    Items of weight 0 (or less) are never picked; a picker with no item left is false.
    """

    def __init__(self, items: Sequence[str], weights: Sequence[float]):
        pairs = [(item, w) for item, w in zip(items, weights) if w > 0]
        self.items = [item for item, _ in pairs]
        self.cumulative = list(accumulate(w for _, w in pairs))

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, rng: random.Random) -> str:
        """One item, with chance proportional to its weight (one ``rng.random()``)."""
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def weighted(rng: random.Random, weights: dict[int, float]) -> int:
    """One key of ``weights``, with chance proportional to its value."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def largest_remainder(n: int, weights: Sequence[float]) -> list[int]:
    """Split ``n`` into whole counts proportional to ``weights`` (Hamilton's method, ties to the first)."""
    total = sum(weights)
    exact = [n * w / total for w in weights]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[: n - sum(counts)]:
        counts[i] += 1
    return counts


def profiles(n: int, rng: random.Random) -> list[tuple[int, bool]]:
    """The (size, amv) of ``n`` households in random order.

    The composition is allocated exactly rather than drawn, so even a region of a few hundred
    households has the calibrated size shares: sizes by :data:`HOUSEHOLD_SIZE_WEIGHTS`, AMV siblings
    among the pairs by :data:`AMV_SIBLING_SHARE`, and AMV among the singles so that AMV persons are
    :data:`AMV_PERSON_SHARE` of all persons.
    """
    sizes = list(HOUSEHOLD_SIZE_WEIGHTS)
    counts = dict(zip(sizes, largest_remainder(n, [HOUSEHOLD_SIZE_WEIGHTS[s] for s in sizes])))
    persons = sum(s * c for s, c in counts.items())
    amv_pairs = round(counts[2] * AMV_SIBLING_SHARE)
    amv_singles = min(counts[1], max(0, round(persons * AMV_PERSON_SHARE) - 2 * amv_pairs))
    out: list[tuple[int, bool]] = []
    for size in sizes:
        amv = {1: amv_singles, 2: amv_pairs}.get(size, 0)
        out += [(size, True)] * amv + [(size, False)] * (counts[size] - amv)
    rng.shuffle(out)
    return out


def waits(n: int, mean_days: float, rng: random.Random) -> list[int]:
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


def flags(n: int, share: float, rng: random.Random) -> list[bool]:
    """``round(n * share)`` true flags among ``n``, in random order."""
    k = round(n * share)
    out = [True] * k + [False] * (n - k)
    rng.shuffle(out)
    return out


def household_traits(rng: random.Random, size: int, amv: bool, near_tie: Picker,
                     any_tie: Picker) -> tuple[bool, int, str | None]:
    """``(needs_accessible, expected_extra, tie_municipality)`` of a household of ``size``.

    Accessible by :data:`NEEDS_ACCESSIBLE_SHARE`; a non-AMV single or pair expects family by
    :data:`EXPECTED_EXTRA_SHARE` (how many by :data:`EXPECTED_EXTRA_WEIGHTS`); a tie by
    :data:`TIE_SHARE`, from ``near_tie`` (the municipalities near its location) by
    :data:`TIE_NEARBY_SHARE` when there is one, else from ``any_tie``.
    """
    needs_accessible = rng.random() < NEEDS_ACCESSIBLE_SHARE
    expected_extra = 0
    if not amv and size <= 2 and rng.random() < EXPECTED_EXTRA_SHARE:
        expected_extra = weighted(rng, EXPECTED_EXTRA_WEIGHTS)
    tie: str | None = None
    if rng.random() < TIE_SHARE:
        tie = (near_tie if near_tie and rng.random() < TIE_NEARBY_SHARE else any_tie).pick(rng)
    return needs_accessible, expected_extra, tie


def dwelling(rng: random.Random, dwelling_id: str, code: str, kind: DwellingKind, first_day: dt.date) -> Dwelling:
    """A home of ``kind`` offered by municipality ``code``, available within
    :data:`DWELLING_WINDOW_DAYS` of ``first_day``.

    Its size by kind: ``regular`` by :data:`REGULAR_CAPACITY_WEIGHTS` (a family home of at least
    :data:`FAMILY_HOME_MIN_CAPACITY` sets a minimum occupancy by :data:`FAMILY_HOME_MIN_OCCUPANCY_SHARE`),
    ``shared`` :data:`SHARED_ROOMS`, ``amv`` :data:`AMV_UNIT_CAPACITY`, ``temporary``
    :data:`TEMPORARY_CAPACITY`; accessible by :data:`ACCESSIBLE_SHARE`.
    """
    min_occupancy = 1
    if kind is DwellingKind.REGULAR:
        capacity = weighted(rng, REGULAR_CAPACITY_WEIGHTS)
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
        available_from=first_day + dt.timedelta(days=rng.randint(0, DWELLING_WINDOW_DAYS)),
        min_occupancy=min_occupancy,
        accessible=rng.random() < ACCESSIBLE_SHARE,
    )
