"""The calibration figures measured on a generated example, to compare with their targets
(``docs/calibration.md`` lists both)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from statistics import mean, median

from matcher.models import DwellingKind, Instance
from matcher.models.params import NORM_DAYS
from matcher.synth.calibration import AS_OF
from matcher.synth.regions import taakstelling


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


def measure(instance: Instance, name: str, as_of: dt.date = AS_OF, horizon_days: int = 7, norm_days: int = NORM_DAYS) -> Measures:
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

