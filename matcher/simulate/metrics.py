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
from matcher.models.params import COUPLING_DAYS, NORM_DAYS, NORM_FROM_PERMIT_DAYS, TEMPORARY_DAYS
from matcher.simulate.config import PERIOD_WEEKS
from matcher.simulate.state import Coupling, Housed, PeriodBooks, SimState, WeekEvents

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
    """Days past the norm at ``end`` (docs/contract.md §3, :meth:`Params.overdue_days`): from the coupling, or
    from permit + ``coupling_days``."""
    return params.overdue_days(h.permit_date, h.coupling_date, end)


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


def days_past(deadline: dt.date, start: dt.date, end: dt.date) -> int:
    """Days of ``[start, end)`` on or after ``deadline`` (0 when the window ends before it)."""
    return max(0, (end - max(deadline, start)).days)


def overdue_from_permit(permit_date: dt.date, size: int, start: dt.date, end: dt.date,
                        norm_days: int = NORM_FROM_PERMIT_DAYS) -> int:
    """Person-days past the 14-week norm (permit + 98 days) that a household waiting through
    ``[start, end)`` accrues in that window, whoever coupled it when: ``size`` × the days of the
    window on or after ``permit + norm_days``."""
    return size * days_past(permit_date + dt.timedelta(days=norm_days), start, end)


def late_coupling_days(permit_date: dt.date, size: int, coupled_on: dt.date | None, start: dt.date, end: dt.date,
                       coupling_days: int = COUPLING_DAYS) -> int:
    """Person-days of ``[start, end)`` a household spent not coupled past its 14 days (COA's
    obligation): from ``permit + coupling_days`` to its coupling (or housing), ``size`` × days."""
    stop = end if coupled_on is None else min(end, coupled_on)
    return size * days_past(permit_date + dt.timedelta(days=coupling_days), start, stop)


@dataclass(frozen=True)
class Outcome:
    """One household's record as the permit-based measures need it: its permit, its coupling (or
    the day it was housed directly) and its move-in, ``None`` when it did not happen in the run."""

    household_id: str
    size: int
    permit_date: dt.date
    coupling_date: dt.date | None
    housed_date: dt.date | None
    arrival_week: int = -1


def outcomes(state: SimState) -> list[Outcome]:
    """Everyone the run saw (housed during it or still waiting at its end), as :class:`Outcome`."""
    out = [Outcome(r.household_id, r.size, r.permit_date, r.coupling_date, r.housed_date, r.arrival_week)
           for r in state.housed]
    out += [Outcome(h.household_id, h.size, h.permit_date, h.coupling_date, None, state.arrival_week[h.household_id])
            for h in state.waiting.values()]
    return out


def permit_measures(records: Sequence[Outcome], start: dt.date, end: dt.date) -> dict[str, Any]:
    """The headline figures of a run over ``[start, end)`` (the first Monday to the end of the last
    week), from the records alone, so any plan can be scored by them (``docs/simulation.md``):

    - ``overdue_person_days_from_permit``: Σ size × days past permit + 98 from ``start`` (a household
      already overdue on the first day counts from that day: the days before the run are no policy's
      doing) to its move-in or ``end``;
    - ``overdue_person_days_end_from_permit``: the stock at ``end``, Σ size × days past permit + 98
      of everyone still waiting (days before the run included);
    - ``wait_from_permit``: days from the permit to the move-in, over everyone housed in the run;
      ``housed_within_norm_share``: the share of them housed within 98 days;
    - COA's obligation: ``coupling_due_persons``, the persons whose 14 days end within the run
      (permit + 14 in ``[start, end)``), ``coupled_in_time_persons`` of them coupled (or housed)
      by their permit + 14, the share, and ``coupling_late_person_days``: Σ size × days not coupled
      past permit + 14 within the run (a household already late on the first day from that day).
    """
    norm = dt.timedelta(days=NORM_FROM_PERMIT_DAYS)
    deadline = dt.timedelta(days=COUPLING_DAYS)
    housed = [r for r in records if r.housed_date is not None]
    waits = [(r.housed_date - r.permit_date).days for r in housed if r.housed_date is not None]
    new_waits = [(r.housed_date - r.permit_date).days for r in housed if r.housed_date is not None and r.arrival_week >= 0]
    running = [(end - r.permit_date).days for r in records if r.housed_date is None]
    due = [r for r in records if start <= r.permit_date + deadline < end]
    in_time = [r for r in due if r.coupling_date is not None and r.coupling_date <= r.permit_date + deadline]
    due_persons = sum(r.size for r in due)
    return {
        "overdue_person_days_from_permit": sum(
            overdue_from_permit(r.permit_date, r.size, start, end if r.housed_date is None else min(end, r.housed_date))
            for r in records),
        "overdue_person_days_end_from_permit": sum(
            r.size * max(0, (end - r.permit_date - norm).days) for r in records if r.housed_date is None),
        "wait_from_permit": wait_stats(waits),
        "wait_from_permit_new_arrivals": wait_stats(new_waits),
        "wait_from_permit_still_running": wait_stats(running),
        "housed_within_norm_share": round(sum(w <= NORM_FROM_PERMIT_DAYS for w in waits) / len(waits), 4) if waits else None,
        "coupling_due_persons": due_persons,
        "coupled_in_time_persons": sum(r.size for r in in_time),
        "coupled_in_time_share": round(sum(r.size for r in in_time) / due_persons, 4) if due_persons else None,
        "coupling_late_person_days": sum(late_coupling_days(r.permit_date, r.size, r.coupling_date, start, end)
                                         for r in records),
    }


def gap_closed(greedy: float, policy: float, hindsight: float) -> float | None:
    """The share of the greedy→hindsight gap that ``policy`` closes, ``(greedy − policy) /
    (greedy − hindsight)``: 0 for greedy, 1 for the hindsight optimum; ``None`` without a gap."""
    if greedy - hindsight <= 0:
        return None
    return round((greedy - policy) / (greedy - hindsight), 4)


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
    homes_answering: int
    """Of the homes offered, those found for a household coupled to their municipality (``answer_share``)."""
    homes_in_horizon: int
    places_in_horizon: int
    housed_households: int
    housed_persons: int
    coupled_households: int
    coupled_persons: int
    """Persons newly coupled this week, directly or by housing an uncoupled household: quota spent."""
    quota_left_persons: int
    """Quota left for new couplings at the end of the week, summed over the municipalities (each
    one's obligation − realised − coupled and waiting, at least 0; spec §1)."""
    refusals: int
    person_moves: int
    waiting_households: int
    waiting_persons: int
    waiting_uncoupled_persons: int
    waiting_coupled_persons: int
    overdue_person_days_from_permit: int
    """Stock at the end of the week: persons × days past permit + 98 of everyone still waiting."""
    overdue_accrued_from_permit: int
    """Person-days past permit + 98 accrued in this week's seven days, by those still waiting and,
    up to their move-in, by those housed this week (the run's headline sums these)."""
    uncoupled_late_persons: int
    """Persons still not coupled at the end of the week whose 14 days end before next week's Monday."""
    coupling_late_person_days: int
    """Person-days this week of households not coupled past their permit + 14 days."""
    overdue_person_days_from_coupling: int
    """Stock at the end of the week (docs/contract.md §3): persons × days past the 84-day norm from the coupling,
    or from permit + 14 for the uncoupled, of everyone still waiting."""
    overdue_accrued_from_coupling: int
    """The same, added this week by those still waiting (at most 7 a person)."""
    wait_from_permit_mean: float | None
    wait_from_permit_median: float | None
    wait_from_permit_p90: float | None
    wait_from_permit_max: float | None
    wait_from_coupling_mean: float | None
    wait_from_coupling_median: float | None
    wait_from_coupling_p90: float | None
    wait_from_coupling_max: float | None
    housed_within_norm_share: float | None
    """Share of this week's housed whose wait from the permit is at most 98 days."""
    housed_within_norm_share_from_coupling: float | None
    coupled_within_50km_share: float | None
    municipalities_met_share: float | None
    realised_over_obligation: float | None

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


def week_metrics(state: SimState, events: WeekEvents, params: Params, week: int, status: str, solve_s: float,
                 arrived: tuple[int, int], homes_offered: int, homes: tuple[int, int],
                 homes_answering: int = 0) -> WeekMetrics:
    """The figures of the week just carried out (``params.as_of`` to ``params.end``)."""
    start, end = params.as_of, params.end
    waiting = list(state.waiting.values())
    overdue = [(h.size, overdue_days(h, end, params)) for h in waiting]
    waits = [r.wait_days for r in events.housed]
    permit_waits = [r.wait_from_permit_days for r in events.housed]
    late = dt.timedelta(days=COUPLING_DAYS)
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
        homes_answering=homes_answering,
        homes_in_horizon=homes[0],
        places_in_horizon=homes[1],
        housed_households=len(events.housed),
        housed_persons=sum(r.size for r in events.housed),
        coupled_households=len(events.couplings),
        coupled_persons=sum(c.size for c in events.couplings),
        quota_left_persons=sum(max(0, persons) for persons, _ in state.quota_remaining().values()),
        refusals=events.refusals,
        person_moves=events.moves,
        waiting_households=len(waiting),
        waiting_persons=sum(h.size for h in waiting),
        waiting_uncoupled_persons=sum(h.size for h in waiting if h.coupled_to is None),
        waiting_coupled_persons=sum(h.size for h in waiting if h.coupled_to is not None),
        overdue_person_days_from_permit=sum(
            h.size * max(0, (end - h.permit_date).days - NORM_FROM_PERMIT_DAYS) for h in waiting),
        overdue_accrued_from_permit=(sum(overdue_from_permit(h.permit_date, h.size, start, end) for h in waiting)
                                     + sum(overdue_from_permit(r.permit_date, r.size, start, r.housed_date)
                                           for r in events.housed)),
        uncoupled_late_persons=sum(h.size for h in waiting if h.coupled_to is None and h.permit_date + late < end),
        coupling_late_person_days=sum(late_coupling_days(h.permit_date, h.size, h.coupling_date, start, end)
                                      for h in waiting),
        overdue_person_days_from_coupling=sum(s * d for s, d in overdue),
        overdue_accrued_from_coupling=sum(s * min(params.horizon_days, d) for s, d in overdue),
        **{f"wait_from_permit_{k}": v for k, v in wait_stats(permit_waits).items()},
        **{f"wait_from_coupling_{k}": v for k, v in wait_stats(waits).items()},
        housed_within_norm_share=(round(sum(w <= NORM_FROM_PERMIT_DAYS for w in permit_waits) / len(permit_waits), 4)
                                  if permit_waits else None),
        housed_within_norm_share_from_coupling=round(sum(w <= NORM_DAYS for w in waits) / len(waits), 4) if waits else None,
        coupled_within_50km_share=_within_km(events.couplings),
        municipalities_met_share=books["municipalities_met_share"],
        realised_over_obligation=books["realised_over_obligation"],
    )


def _within_km(couplings: Sequence[Coupling]) -> float | None:
    persons = sum(c.size for c in couplings)
    if persons == 0:
        return None
    return round(sum(c.size for c in couplings if c.km <= REGION_KM) / persons, 4)


def temporary_measures(state: SimState, end: dt.date) -> dict[str, Any]:
    """Temporary homes as a stage: the onward moves made (households, persons), and the days spent
    in a temporary home by every household housed in one during the run, to its onward move or,
    still there, to ``end`` (mean, max); how many are still there at the end, and how many stayed
    (or have stayed so far) past the year [003:74]."""
    days = [r.temporary_days for r in state.onward]
    days += [(end - h.housed_since).days for h in state.temporary.values() if h.housed_since is not None]
    return {
        "onward_moves_households": len(state.onward),
        "onward_moves_persons": sum(r.size for r in state.onward),
        "in_temporary_households_end": len(state.temporary),
        "temporary_days_mean": round(mean(days), 1) if days else None,
        "temporary_days_max": max(days) if days else None,
        "temporary_past_year_households": sum(d > TEMPORARY_DAYS for d in days),
    }


def run_summary(state: SimState, weeks: Sequence[WeekMetrics], end: dt.date) -> dict[str, Any]:
    """The figures of the whole run (``run.json``), from its first Monday to ``end`` (the end of
    the last week): first the headline measures from the permit (:func:`permit_measures`), then
    the coupling-based ones of before (``..._from_coupling``), moves, quota attainment per period
    and solve times."""
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
        **temporary_measures(state, end),
        "waiting_coupled_households": sum(1 for h in state.waiting.values() if h.coupled_to is not None),
        "waiting_uncoupled_households": sum(1 for h in state.waiting.values() if h.coupled_to is None),
        "waiting_persons_end": sum(h.size for h in state.waiting.values()),
        **permit_measures(outcomes(state), state.start, end),
        "wait_from_permit_by_period": {str(p): wait_stats([r.wait_from_permit_days for r in housed
                                                           if r.week // PERIOD_WEEKS == p]) for p in periods},
        "wait_from_coupling": wait_stats(waits),
        "wait_from_coupling_new_arrivals": wait_stats(new_waits),
        "wait_from_coupling_still_running": wait_stats(running),
        "wait_from_coupling_by_period": {str(p): wait_stats([r.wait_days for r in housed if r.week // PERIOD_WEEKS == p])
                                         for p in periods},
        "housed_within_norm_share_from_coupling": round(sum(w <= NORM_DAYS for w in waits) / len(waits), 4) if waits else None,
        "overdue_person_days_from_coupling": sum(w.overdue_accrued_from_coupling for w in weeks),
        "overdue_person_days_end_from_coupling": weeks[-1].overdue_person_days_from_coupling if weeks else 0,
        "person_moves": sum(w.person_moves for w in weeks),
        "refusals": sum(w.refusals for w in weeks),
        "homes_offered": sum(w.homes_offered for w in weeks),
        "homes_answering": sum(w.homes_answering for w in weeks),
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
