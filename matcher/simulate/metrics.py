"""The figures a planner reads, per week and per run (definitions in ``docs/simulation.md``)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from statistics import mean, median
from typing import Any

from matcher.models import Household, Params
from matcher.simulate.config import PERIOD_WEEKS
from matcher.simulate.state import Coupling, Housed, PeriodBooks, SimState, WeekEvents

NORM_DAYS = 84
"""Phases 2+3, coupling to housing: 12 weeks [001:2437]."""
REGION_KM = 50.0
"""COA's regional distance [001:2371]: the share of couplings within it is reported whatever ``max_km`` is."""


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)])


def wait_stats(waits: Sequence[int]) -> dict[str, float | None]:
    """Mean, median, p90 and max of waits in days (``None`` when nobody was housed)."""
    if not waits:
        return {"mean": None, "median": None, "p90": None, "max": None}
    return {"mean": round(mean(waits), 2), "median": float(median(waits)), "p90": percentile(waits, 90),
            "max": float(max(waits))}


def overdue_days(h: Household, end: dt.date, params: Params) -> int:
    """Days past the norm at ``end`` (spec §3): from the coupling, or from permit + 14 days."""
    clock = h.coupling_date if h.coupling_date is not None else h.permit_date + dt.timedelta(days=params.coupling_days)
    return max(0, (end - clock).days - params.norm_days)


def attainment(books: Sequence[PeriodBooks]) -> dict[str, float | None]:
    """Quota attainment of one period: the share of municipalities (with a taakstelling) and of
    provinces that realised their obligation, and realised over obligation region-wide."""
    with_quota = [b for b in books if b.taakstelling > 0]
    provinces: dict[str, list[int]] = {}
    for b in with_quota:
        p = provinces.setdefault(b.province, [0, 0])
        p[0] += b.obligation
        p[1] += b.realised
    owed = sum(max(0, b.obligation) for b in with_quota)
    return {
        "municipalities_met_share": round(sum(b.met for b in with_quota) / len(with_quota), 4) if with_quota else None,
        "provinces_met_share": round(sum(r >= o for o, r in provinces.values()) / len(provinces), 4) if provinces else None,
        "realised_over_obligation": round(sum(b.realised for b in with_quota) / owed, 4) if owed > 0 else None,
    }


@dataclass(frozen=True)
class WeekMetrics:
    """One week of the run (one row of ``weeks.csv``)."""

    week: int
    as_of: str
    period: int
    status: str
    solve_s: float
    arrived_households: int
    arrived_persons: int
    homes_offered: int
    homes_in_horizon: int
    places_in_horizon: int
    housed_households: int
    housed_persons: int
    coupled_households: int
    coupled_persons: int
    refusals: int
    person_moves: int
    waiting_households: int
    waiting_persons: int
    waiting_uncoupled_persons: int
    waiting_coupled_persons: int
    overdue_person_days: int
    """Stock at the end of the week: persons × days past the norm of everyone still waiting."""
    overdue_accrued: int
    """Person-days past the norm added this week by those still waiting."""
    wait_mean: float | None
    wait_median: float | None
    wait_p90: float | None
    wait_max: float | None
    housed_within_norm_share: float | None
    coupled_within_50km_share: float | None
    municipalities_met_share: float | None
    realised_over_obligation: float | None

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


def week_metrics(state: SimState, events: WeekEvents, params: Params, week: int, status: str, solve_s: float,
                 arrived: tuple[int, int], homes_offered: int, homes: tuple[int, int]) -> WeekMetrics:
    """The figures of the week just carried out."""
    end = params.end
    waiting = list(state.waiting.values())
    overdue = [(h.size, overdue_days(h, end, params)) for h in waiting]
    waits = [r.wait_days for r in events.housed]
    state.close_books()
    books = attainment([p for p in state.periods if p.period == state.period])
    return WeekMetrics(
        week=week,
        as_of=params.as_of.isoformat(),
        period=state.period,
        status=status,
        solve_s=round(solve_s, 3),
        arrived_households=arrived[0],
        arrived_persons=arrived[1],
        homes_offered=homes_offered,
        homes_in_horizon=homes[0],
        places_in_horizon=homes[1],
        housed_households=len(events.housed),
        housed_persons=sum(r.size for r in events.housed),
        coupled_households=len(events.couplings),
        coupled_persons=sum(c.size for c in events.couplings),
        refusals=events.refusals,
        person_moves=events.moves,
        waiting_households=len(waiting),
        waiting_persons=sum(h.size for h in waiting),
        waiting_uncoupled_persons=sum(h.size for h in waiting if h.coupled_to is None),
        waiting_coupled_persons=sum(h.size for h in waiting if h.coupled_to is not None),
        overdue_person_days=sum(s * d for s, d in overdue),
        overdue_accrued=sum(s * min(params.horizon_days, d) for s, d in overdue),
        **{f"wait_{k}": v for k, v in wait_stats(waits).items()},
        housed_within_norm_share=round(sum(w <= NORM_DAYS for w in waits) / len(waits), 4) if waits else None,
        coupled_within_50km_share=_within_km(events.couplings),
        municipalities_met_share=books["municipalities_met_share"],
        realised_over_obligation=books["realised_over_obligation"],
    )


def _within_km(couplings: Sequence[Coupling]) -> float | None:
    persons = sum(c.size for c in couplings)
    if persons == 0:
        return None
    return round(sum(c.size for c in couplings if c.km <= REGION_KM) / persons, 4)


def run_summary(state: SimState, weeks: Sequence[WeekMetrics], end: dt.date) -> dict[str, Any]:
    """The figures of the whole run (``run.json``): waits over everyone housed during the run and
    over the new arrivals only, the waits still running at the end, overdue person-days, moves,
    quota attainment per period and solve times."""
    housed: list[Housed] = state.housed
    waits = [r.wait_days for r in housed]
    new_waits = [r.wait_days for r in housed if r.arrival_week >= 0]
    running = [(end - h.coupling_date).days for h in state.waiting.values() if h.coupling_date is not None]
    periods = sorted({p.period for p in state.periods})
    solve = [w.solve_s for w in weeks]
    return {
        "arrived_households": state.arrived_households,
        "arrived_persons": state.arrived_persons,
        "housed_households": len(housed),
        "housed_persons": sum(r.size for r in housed),
        "housed_in_temporary_persons": sum(r.size for r in housed if r.kind == "temporary"),
        "waiting_coupled_households": sum(1 for h in state.waiting.values() if h.coupled_to is not None),
        "waiting_uncoupled_households": sum(1 for h in state.waiting.values() if h.coupled_to is None),
        "waiting_persons_end": sum(h.size for h in state.waiting.values()),
        "wait": wait_stats(waits),
        "wait_new_arrivals": wait_stats(new_waits),
        "wait_still_running": wait_stats(running),
        "wait_by_period": {str(p): wait_stats([r.wait_days for r in housed if r.week // PERIOD_WEEKS == p]) for p in periods},
        "housed_within_norm_share": round(sum(w <= NORM_DAYS for w in waits) / len(waits), 4) if waits else None,
        "overdue_person_days_accrued": sum(w.overdue_accrued for w in weeks),
        "overdue_person_days_end": weeks[-1].overdue_person_days if weeks else 0,
        "person_moves": sum(w.person_moves for w in weeks),
        "refusals": sum(w.refusals for w in weeks),
        "couplings": len(state.couplings),
        "coupled_within_50km_share": _within_km(state.couplings),
        "quota": {str(p): attainment([b for b in state.periods if b.period == p]) for p in periods},
        "solve_s_total": round(sum(solve), 2),
        "solve_s_mean": round(mean(solve), 3) if solve else None,
        "solve_s_max": round(max(solve), 3) if solve else None,
        "statuses": dict(sorted(Counter(w.status for w in weeks).items())),
    }


TIMING_FIELDS = frozenset({"solve_s", "solve_s_total", "solve_s_mean", "solve_s_max", "wall_s"})
"""Fields that measure time, left out when two runs are compared for equal numbers."""
