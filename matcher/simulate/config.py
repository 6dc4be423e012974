"""What one simulation run is: the region, the weeks, the policy, the scenario and the seed."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from matcher.exceptions import MatcherError

PERIOD_WEEKS = 26
"""A taakstelling period (half a year, ``YYYY-I`` or ``YYYY-II``) in weeks [brief §4.1]."""

CALIBRATED_SUPPLY = 0.32
"""Factor on the examples' homes a week under which ``greedy`` on ``hart-van-brabant`` waits about
the 103 days the pilot measured from coupling to housing [001:2485] (``docs/simulation.md``)."""

SCENARIO_KEYS: tuple[str, ...] = ("max_km", "max_minutes", "supply", "answer_share", "arrivals", "refusal_rate",
                                   "offer_weeks", "reunification_weeks")
"""The fields of :class:`SimConfig` a sweep may vary (``--grid KEY=V1,V2``)."""


@dataclass(frozen=True)
class SimConfig:
    """One rolling simulation.  Everything that changes a number is here, so that two runs with
    equal configs give equal results (solve seconds aside)."""

    region: str = "twente"
    """An example name (``twente``, ``hart-van-brabant``, ``nl``), or ``folder`` with :attr:`folder`."""
    folder: str | None = None
    """An instance folder whose households, homes and quota are the starting state."""
    weeks: int = PERIOD_WEEKS
    seed: int = 0
    policy: str = "greedy"
    scenario: str = "base"
    """A label for the scenario (a sweep names it after its grid values)."""
    max_km: float = 50.0
    max_minutes: float | None = None
    supply: float = CALIBRATED_SUPPLY
    """Factor on the homes offered each week (1.0: the examples' 800 a week nationally, by quota
    share; the default is the pilot calibration, 136 a week nationally).  The example's homes on
    offer on the first Monday are scaled by it too, so the stock is 3 weeks of the weekly rate."""
    answer_share: float = 0.0
    """Share (0..1) of each municipality's offered homes that it found for a household coupled to it
    and still waiting, so that the home fits that household; the rest follow the stock mix
    (:func:`matcher.simulate.arrivals.answer_coupling`).  0 by default: no source gives the share
    (``docs/simulation.md``)."""
    arrivals: float = 1.0
    """Factor on the new permits each week (1.0: 1,050 persons a week nationally, by quota share)."""
    refusal_rate: float = 0.05
    """Chance that an offered home in a proposal is refused; the refusal becomes a ban."""
    offer_weeks: int = 4
    """Weeks a home stays on offer after its ``available_from`` before it goes to other home-seekers."""
    reunification_weeks: float = 0.0
    """Family reunification (nareizigers): the mean weeks from a household's permit to the arrival
    of its ``expected_extra`` family members, each household's delay drawn uniformly from 0.5 to
    1.5 times it; they join the household then (it grows, waiting or housed).  0, the default:
    nobody arrives, the expected members stay a forecast (no source gives the delay:
    ``docs/simulation.md``)."""
    solver: str = "auto"
    """Backend of the ``weekly`` policy."""
    time_limit: float = 20.0
    """Seconds per weekly solve (the ``weekly`` policy); the week's status says whether it was proven."""
    check: bool = False
    """Run the independent checker on every week's proposal (slower; tests switch it on)."""

    def __post_init__(self) -> None:
        if self.weeks < 1:
            raise MatcherError(f"weeks must be at least 1, got {self.weeks}")
        if self.max_km <= 0:
            raise MatcherError(f"max_km must be greater than 0, got {self.max_km}")
        if self.max_minutes is not None and self.max_minutes <= 0:
            raise MatcherError(f"max_minutes must be greater than 0, got {self.max_minutes}")
        for name in ("supply", "arrivals"):
            if getattr(self, name) < 0:
                raise MatcherError(f"{name} must not be negative, got {getattr(self, name)}")
        if not 0 <= self.answer_share <= 1:
            raise MatcherError(f"answer_share must be in [0, 1], got {self.answer_share}")
        if not 0 <= self.refusal_rate < 1:
            raise MatcherError(f"refusal_rate must be in [0, 1), got {self.refusal_rate}")
        if not 0 <= self.reunification_weeks <= 520:
            raise MatcherError(f"reunification_weeks must be in [0, 520], got {self.reunification_weeks}")
        if self.offer_weeks < 0:
            raise MatcherError(f"offer_weeks must not be negative, got {self.offer_weeks}")
        if self.time_limit <= 0:
            raise MatcherError(f"time_limit must be greater than 0, got {self.time_limit}")

    @property
    def source(self) -> str:
        """The region name, or the folder for a folder run."""
        return self.folder if self.folder is not None else self.region

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_value(key: str, text: str) -> Any:
    """A scenario value from the command line, typed like the :class:`SimConfig` field ``key``."""
    if key not in SCENARIO_KEYS:
        raise MatcherError(f"unknown scenario key {key!r}; expected one of {', '.join(SCENARIO_KEYS)}")
    text = text.strip()
    if key == "max_minutes" and text.lower() in ("", "none"):
        return None
    try:
        return int(text) if key == "offer_weeks" else float(text)
    except ValueError:
        raise MatcherError(f"{key}={text!r} is not a number") from None


def start_date(config: SimConfig) -> dt.date:
    """The first Monday of the run: the example's ``as_of``, or the folder's ``params.toml``."""
    if config.folder is None:
        from matcher.synth import AS_OF

        return AS_OF
    from matcher.read import read_params

    return read_params(Path(config.folder)).as_of
