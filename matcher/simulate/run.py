"""The rolling simulation: week after week, permits arrive, homes are offered, the policy proposes,
offers are accepted or refused, households move in, and quota and clocks run on.

Each week ``w`` (``as_of = start + 7w``), in this order:

1. a new period opens every :data:`~matcher.simulate.config.PERIOD_WEEKS` weeks: new taakstelling
   plus backlog;
2. missing residence documents that arrived are in hand, lapsed offers are withdrawn;
3. this week's permits join the waiting list and this week's homes are offered;
4. the policy proposes on the week's instance (waiting households, homes available within the
   horizon, quota left, refusals as bans), optionally checked by :mod:`matcher.check`;
5. the proposal is carried out (:meth:`SimState.apply`) and the week's figures are recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from matcher.exceptions import MatcherError
from matcher.models import Household, Instance, Params, Proposal
from matcher.simulate.arrivals import answer_coupling, refused, starting_homes, stream, weekly_homes, weekly_permits
from matcher.simulate.config import PERIOD_WEEKS, SimConfig, start_date
from matcher.simulate.metrics import TIMING_FIELDS, WeekMetrics, run_summary, week_metrics
from matcher.simulate.policies import make_policy
from matcher.simulate.state import Books, Housed, PeriodBooks, SimState, reunification_summary
from matcher.synth import DOCUMENT_DELAY_DAYS, Quota, Sampler

log = logging.getLogger(__name__)


@dataclass
class SimResult:
    """What one run produced: its config, the weekly figures, the run's summary, everyone housed
    (for the wait distribution) and the quota books per period."""

    config: SimConfig
    weeks: list[WeekMetrics]
    summary: dict[str, Any]
    housed: list[Housed]
    periods: list[PeriodBooks]
    wall_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def numbers(self) -> dict[str, Any]:
        """Every number of the run except the ones that measure time: equal for equal configs."""
        return {
            "summary": _drop_timing(self.summary),
            "weeks": [_drop_timing(w.as_row()) for w in self.weeks],
            "housed": [(r.household_id, r.dwelling_id, r.housed_date.isoformat()) for r in self.housed],
            "periods": [(p.period, p.code, p.obligation, p.realised) for p in self.periods],
        }


def _drop_timing(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in TIMING_FIELDS}


def initial_state(config: SimConfig) -> tuple[SimState, Sampler]:
    """The state on the first Monday: the example (or folder) with its waiting households, homes
    on offer and quota left, and the sampler for the weeks to come."""
    if config.folder is not None:
        from matcher.data import load_municipalities
        from matcher.read import read_instance

        instance = read_instance(Path(config.folder))
        by_code = {m.code: m for m in load_municipalities()}
        missing = [m.code for m in instance.municipalities if m.code not in by_code]
        if missing:
            raise MatcherError(f"{config.folder}: municipalities {', '.join(missing[:5])} are not in the embedded "
                               "2023 data, so their taakstelling for the next periods is unknown")
        quota = {m.code: Quota(by_code[m.code].quota, by_code[m.code].amv_quota) for m in instance.municipalities}
        sampler = Sampler([m.code for m in instance.municipalities], instance.locations,
                          {loc.location_id for loc in instance.locations}, quota)
    else:
        from matcher.synth import make_example

        instance, _ = make_example(config.region, config.seed)
        sampler = Sampler.for_example(config.region)
        # The example offers 3 weeks of homes at supply 1: scale the stock to the run's weekly rate.
        instance = replace(instance, dwellings=tuple(starting_homes(sampler, instance.dwellings, config.seed,
                                                                    config.supply, start_date(config))))
    coupled: dict[str, list[int]] = {m.code: [0, 0] for m in instance.municipalities}
    for h in instance.households:
        if h.coupled_to is not None:
            coupled[h.coupled_to][0] += h.size
            coupled[h.coupled_to][1] += h.size if h.amv else 0
    books = {
        m.code: Books(
            taakstelling=sampler.quota[m.code].persons,
            amv_taakstelling=sampler.quota[m.code].amv,
            # What is left to do this period: the quota left plus those coupled and still waiting.
            obligation=m.quota_remaining + coupled[m.code][0],
            amv_obligation=m.amv_quota_remaining + coupled[m.code][1],
        )
        for m in instance.municipalities
    }
    state = SimState(start_date(config), instance.municipalities, instance.locations, instance.travel_minutes, books)
    rng = stream(config.seed, "documents", "start")
    for h in instance.households:
        document_date = h.permit_date if h.document_ready else h.permit_date + dt.timedelta(days=rng.randint(*DOCUMENT_DELAY_DAYS))
        state.arrive(h, document_date, -1)
        schedule_family(config, state, h)
    homes, found_for = answer_coupling(sampler, instance.dwellings, config.seed, "start", config.answer_share,
                                       state.sought())
    for d in homes:
        state.offer(d, config.offer_weeks, found_for.get(d.dwelling_id))
    return state, sampler


def schedule_family(config: SimConfig, state: SimState, h: Household) -> None:
    """With ``config.reunification_weeks``, the day ``h``'s expected family members arrive: its
    permit plus a delay drawn uniformly from 0.5 to 1.5 times the mean (its own random stream, so
    that every other draw stays as it was)."""
    if not config.reunification_weeks or not h.expected_extra:
        return
    rng = stream(config.seed, "reunification", h.household_id)
    days = round(7 * config.reunification_weeks * rng.uniform(0.5, 1.5))
    state.expect_family(h.household_id, h.permit_date + dt.timedelta(days=max(1, days)))


class Simulation:
    """A run in progress: :meth:`step` simulates the next week; :attr:`state` is open to inspection."""

    def __init__(self, config: SimConfig):
        self.config = config
        self.policy = make_policy(config)
        self.state, self.sampler = initial_state(config)
        self.weeks: list[WeekMetrics] = []
        self.params = Params(as_of=self.state.start, max_km=config.max_km, max_minutes=config.max_minutes)
        self.last_instance: Instance | None = None
        self.last_proposal: Proposal | None = None

    @property
    def week(self) -> int:
        """The next week to simulate."""
        return len(self.weeks)

    def step(self) -> WeekMetrics:
        """Simulate the next week and return its figures."""
        config, state, week = self.config, self.state, self.week
        as_of = state.start + dt.timedelta(days=7 * week)
        params = self.params = Params(as_of=as_of, max_km=config.max_km, max_minutes=config.max_minutes)
        if week > 0 and week % PERIOD_WEEKS == 0:
            state.new_period(week // PERIOD_WEEKS)
        state.start_week(as_of)
        state.reunite(as_of)
        permits = weekly_permits(self.sampler, config.seed, week, as_of, config.arrivals)
        for p in permits:
            state.arrive(p.household, p.document_date, week)
            schedule_family(config, state, p.household)
        homes = weekly_homes(self.sampler, config.seed, week, as_of, config.supply)
        homes, found_for = answer_coupling(self.sampler, homes, config.seed, week, config.answer_share, state.sought())
        for d in homes:
            state.offer(d, config.offer_weeks, found_for.get(d.dwelling_id))
        instance = state.instance(params, f"{config.source}-w{week:03d}")
        start = time.perf_counter()
        proposal = self.policy.propose(instance, params, week)
        solve_s = time.perf_counter() - start
        if config.check:
            check_week(instance, params, proposal, week)

        def refuse(w: int, household_id: str, dwelling_id: str) -> bool:
            return refused(config.seed, w, household_id, dwelling_id, config.refusal_rate)

        events = state.apply(instance, proposal, week, as_of, refuse)
        metrics = week_metrics(
            state, events, params, week, proposal.status.value, solve_s,
            (len(permits), sum(p.household.size for p in permits)), len(homes),
            (len(instance.dwellings), sum(d.capacity for d in instance.dwellings)), len(found_for),
        )
        self.weeks.append(metrics)
        self.last_instance, self.last_proposal = instance, proposal
        log.info("week %d: %s in %.1f s, housed %d, coupled %d, waiting %d", week, metrics.status, solve_s,
                 metrics.housed_households, metrics.coupled_households, metrics.waiting_households)
        return metrics

    def result(self, wall_s: float = 0.0) -> SimResult:
        """The figures so far."""
        state = self.state
        state.close_books()
        summary = run_summary(state, self.weeks, self.params.end)
        extra: dict[str, Any] = {"municipalities": {m.code: (m.name, m.province) for m in state.municipalities},
                                 "reunification": reunification_summary(state, self.params.end)}
        describe = getattr(self.policy, "describe", None)
        if describe is not None:
            extra["policy"] = describe()  # what the policy based its proposals on (run.json)
        return SimResult(self.config, list(self.weeks), summary, list(state.housed), list(state.periods), wall_s, extra)


def simulate(config: SimConfig, progress: bool = False) -> SimResult:
    """Run ``config`` week by week and return the figures.

    The same config gives the same numbers (:meth:`SimResult.numbers`), whatever process runs it,
    as long as every exact weekly solve finishes within its time limit (the week's ``status`` says).
    """
    wall = time.perf_counter()
    run = Simulation(config)
    bar = _progress(config, progress)
    for _ in range(config.weeks):
        metrics = run.step()
        if bar is not None:
            bar.update(1)
            bar.set_postfix(waiting=metrics.waiting_households, status=metrics.status)
    if bar is not None:
        bar.close()
    return run.result(time.perf_counter() - wall)


def check_week(instance: Instance, params: Params, proposal: Proposal, week: int) -> None:
    """Run the independent checker on a week's proposal; :class:`MatcherError` listing what broke."""
    from matcher.check import check_proposal, lines_of

    report = check_proposal(instance, params, lines_of(proposal))
    if not report.ok:
        raise MatcherError(f"week {week}: the proposal breaks {len(report.violations)} rule(s): "
                           + "; ".join(report.violations[:5]))
    if report.levels != proposal.levels.as_dict():
        raise MatcherError(f"week {week}: levels differ: checker {report.levels}, solver {proposal.levels.as_dict()}")


def _progress(config: SimConfig, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm removed from the environment: no bar (the command line says so first)
        return None
    return tqdm(total=config.weeks, desc=f"{config.source} {config.policy} seed {config.seed}", unit="week")


__all__ = ["SimResult", "Simulation", "check_week", "initial_state", "simulate"]

