"""Sampled plans: the weeks ahead planned on futures drawn from the past, for the look-ahead mode.

The hindsight optimum (:mod:`matcher.hindsight`) knows every permit and home of a run and reaches
almost the whole greedy→hindsight gap while keeping COA's 14 days.  No policy knows the future,
but it can plan on a *sampled* one: each week, :func:`plan_week` draws a few futures of the
coming weeks from the history (Poisson counts at the history's rates; each new permit and home a
copy of a past one, as :func:`matcher.lookahead.home_prices` draws them), and solves, per future,
the linear programme of the hindsight on the households waiting now, the homes on offer now and
that future's permits and homes:

- ``x[h, d]``: house ``h`` in ``d`` in the first week both are there (``d``'s offer open, ``h``'s
  document in hand), if ``d`` fits ``h`` and lies in ``h``'s municipality (coupled) or in its range;
  worth the person-days past ``permit + 98`` it saves up to the plan's end, plus ``base_days`` a
  person;
- ``z[h, m]``: couple ``h`` to ``m`` at the last proposal within its 14 days, worth
  ``coupling_bonus`` a person (the look-ahead mode couples every such household where quota and
  range allow); a household so coupled is housed only in ``m``;
- each household housed once, each home within its places, each municipality within its quota
  left (persons newly coupled, with or without a home).

What the plans do *this week* (who is housed where now, and where a household whose 14 days end
before next week is coupled) is averaged over the futures: :class:`WeekPlan`.  The look-ahead
programme adds ``plan_weight`` × persons × that share to the matching variables, so it follows
the plan where the plans agree and its own terms elsewhere.  Nothing of the weeks to come is
used: only the history and this week's instance.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from matcher.models import Dwelling, DwellingKind, Household
from matcher.models.params import NORM_FROM_PERMIT_DAYS
from matcher.rules import Rules, dwelling_fits


@dataclass
class WeekPlan:
    """This week's part of the sampled plans, averaged over the futures."""

    house: dict[tuple[str, str], float] = field(default_factory=dict)
    """(household, home) → share of the futures that house it there this week."""
    couple: dict[tuple[str, str], float] = field(default_factory=dict)
    """(household, municipality) → share of the futures that couple it there this week without a
    home (only households whose 14 days end before next week's proposal)."""
    columns: int = 0
    seconds: float = 0.0
    samples: int = 0


@dataclass(frozen=True)
class _Person:
    h: Household
    arrival: int
    """First week it can be housed (document in hand)."""
    deadline_week: int | None
    """The last week within its 14 days, for an uncoupled household whose 14 days run on; else None."""
    now: bool


def _poisson(rng: random.Random, mean: float) -> int:
    from matcher.lookahead import _poisson as poisson

    return poisson(rng, mean)


def plan_week(rules: Rules, history: Any, weeks: int, samples: int, seed: int, week: int,
              base_days: float, coupling_bonus: float, offer_weeks: int = 4, lead_days: int = 21,
              coupling_days: int = 14, max_columns: int = 0, future: Any = None, guard: float = 0.0,
              long_wait_days: int = 300, long_wait_weight: float = 0.0, shared: bool = False,
              later_coupling_bonus: float | None = None, value_weeks: int | None = None,
              integer: bool = False) -> WeekPlan | None:
    """This week's part of ``samples`` plans over ``weeks`` weeks (this one included), each on a
    future drawn from ``history`` with a stream seeded by ``seed`` and ``week``.

    ``offer_weeks``: how many weekly proposals an offer stays open from its availability date;
    ``lead_days``: the most days between a home's offer and its availability date (drawn evenly).
    ``guard`` and ``long_wait_weight`` add the fairness guard's value (per day overdue already, per
    day past ``long_wait_days`` since the permit) to each housing; ``shared`` solves one programme
    over all futures whose decisions of this week are the same in every future.  ``future``, for
    the benchmark that measures what knowing the weeks to come is worth (``benchmarks.plan_oracle``)
    and never used by the policy: a function giving week ``k``'s permits and homes instead of the
    sampled ones.  Returns None when a programme would have more than ``max_columns`` columns (0:
    no limit)."""
    started = time.perf_counter()
    instance, params = rules.instance, rules.params
    as_of = params.as_of
    weeks = max(1, weeks)
    plan_end = as_of + dt.timedelta(days=7 * max(weeks, value_weeks or 0))
    later_bonus = coupling_bonus if later_coupling_bonus is None else later_coupling_bonus
    norm = dt.timedelta(days=NORM_FROM_PERMIT_DAYS)
    in_range = rules.in_range_by_location
    quota = {code: float(q) for code, q in rules.quota.items()}
    banned = rules.banned_dwellings

    def day(w: int) -> dt.date:
        return as_of + dt.timedelta(days=7 * w)

    def deadline_week(h: Household) -> int | None:
        if h.coupled_to is not None or h.amv:
            return None
        days = (h.permit_date + dt.timedelta(days=coupling_days) - as_of).days
        return days // 7 if days >= 0 else None

    now: list[_Person] = []
    for h in instance.households:
        if h.in_temporary:
            continue
        now.append(_Person(h, 0 if h.document_ready else 1, deadline_week(h), True))
    homes_now = [(d, day(0), d.available_from + dt.timedelta(days=7 * offer_weeks)) for d in instance.dwellings]
    pool_homes = sorted(history.homes.values(), key=lambda d: d.dwelling_id)
    by_location: dict[str, list[Household]] = defaultdict(list)
    for p in sorted(history.permits.values(), key=lambda p: p.household_id):
        by_location[p.location_id].append(p)
    rate_weeks = max(1, history.weeks)
    if max_columns > 0 and _pairs_bound(rules, history, weeks) > PAIRS_PER_COLUMN * max_columns:
        return None  # far too large: decided before any programme is built (the national instance)
    rng = random.Random(f"{seed}:lookahead-plan:{week}")
    out = WeekPlan()
    samples = max(1, samples)
    # One programme per future, or with ``shared`` one over all futures whose columns of this week
    # (households of now housed now, due households coupled now) are the same in every future.
    col_cost: list[float] = []
    col_rows: list[list[tuple[int, float]]] = []
    row_upper: list[float] = []
    house_cols: list[tuple[int, str, str]] = []   # (column, household, home): households of now housed this week
    couple_cols: list[tuple[int, str, str]] = []  # (column, household, municipality): due households coupled this week
    shared_col: dict[tuple[str, str, str], int] = {}
    solved = 0

    def column(key: tuple[str, str, str] | None, cost: float, rows: list[tuple[int, float]]) -> int:
        if key is not None and shared and key in shared_col:
            j = shared_col[key]
            col_rows[j].extend(rows)
            return j
        j = len(col_cost)
        col_cost.append(cost if key is not None and shared else cost / (samples if shared else 1))
        col_rows.append(list(rows))
        if key is not None:
            shared_col[key] = j
            (house_cols if key[0] == "x" else couple_cols).append((j, key[1], key[2]))
        return j

    for s in range(samples):
        if not shared:
            col_cost, col_rows, row_upper, house_cols, couple_cols, shared_col = [], [], [], [], [], {}
        people = list(now)
        homes = list(homes_now)
        for w in range(1, weeks):
            if future is not None:
                fh, fd = future(w)
                people += [_Person(h, w, deadline_week(h), False) for h in fh]
                homes += [(d, day(w), d.available_from + dt.timedelta(days=7 * offer_weeks)) for d in fd]
                continue
            for loc in sorted(by_location):
                pool = by_location[loc]
                for i in range(_poisson(rng, len(pool) / rate_weeks)):
                    p = pool[rng.randrange(len(pool))]
                    h = replace(p, household_id=f"~{s}-{w}-{loc}-{i}", permit_date=day(w) - dt.timedelta(days=rng.randint(1, 7)),
                                coupled_to=None, coupling_date=None, document_ready=True)
                    people.append(_Person(h, w, deadline_week(h), False))
            if pool_homes:
                for i in range(_poisson(rng, len(pool_homes) / rate_weeks)):
                    d = pool_homes[rng.randrange(len(pool_homes))]
                    avail = day(w) + dt.timedelta(days=rng.randint(0, lead_days))
                    homes.append((replace(d, dwelling_id=f"~{s}-{w}-{i}", available_from=avail), day(w),
                                  avail + dt.timedelta(days=7 * offer_weeks)))
        by_muni: dict[str, list[tuple[Dwelling, int, int]]] = defaultdict(list)
        for d, offered, lapses in homes:
            first = max(0, (offered - as_of).days // 7, -(-((d.available_from - dt.timedelta(days=7)) - as_of).days // 7))
            last = min(weeks - 1, (lapses - as_of).days // 7)
            if first <= last:
                by_muni[d.municipality].append((d, first, last))
        home_cols: dict[str, list[tuple[int, float]]] = defaultdict(list)
        quota_cols: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for person in people:
            if 0 < max_columns < len(col_cost):
                return None  # too large for the week's time (the national instance)
            h = person.h
            hrow = len(row_upper)
            row_upper.append(1.0)
            ready = h if h.document_ready else replace(h, document_ready=True)
            codes = rules.candidate_municipalities(h) if person.now else in_range.get(h.location_id, [])
            due = person.deadline_week is not None and person.deadline_week < weeks
            link_rows: dict[str, int] = {}
            if due:
                for code in codes:
                    if code not in quota:
                        continue
                    link_rows[code] = len(row_upper)
                    row_upper.append(0.0)
                    key = ("z", h.household_id, code) if person.now and person.deadline_week == 0 else None
                    bonus = coupling_bonus if person.deadline_week == 0 else later_bonus
                    j = column(key, bonus * h.size, [(hrow, 1.0), (link_rows[code], -1.0)])
                    quota_cols[code].append((j, float(h.size)))
            for code in codes:
                if due and code not in link_rows:
                    continue
                for d, first, last in by_muni.get(code, ()):
                    w = max(first, person.arrival)
                    if w > last or not dwelling_fits(ready, d):
                        continue
                    if person.now and d.dwelling_id in banned.get(h.household_id, ()):
                        continue
                    housed = max(day(w), d.available_from)
                    saving = h.size * (max(0, (plan_end - max(housed, h.permit_date + norm)).days) + base_days)
                    waited = (housed - h.permit_date).days
                    saving += guard * max(0, waited - NORM_FROM_PERMIT_DAYS) + long_wait_weight * max(0, waited - long_wait_days)
                    key = ("x", h.household_id, d.dwelling_id) if person.now and w == 0 else None
                    j = column(key, saving, [(link_rows[code], 1.0)] if due else [(hrow, 1.0)])
                    home_cols[d.dwelling_id].append((j, 1.0 if d.kind is DwellingKind.REGULAR else float(h.size)))
                    if not due and h.coupled_to is None:
                        quota_cols[code].append((j, float(h.size)))
        capacity = {d.dwelling_id: (1.0 if d.kind is DwellingKind.REGULAR else float(d.capacity)) for d, _, _ in homes}
        for did, js in home_cols.items():
            r = len(row_upper)
            row_upper.append(capacity[did])
            for j, coef in js:
                col_rows[j].append((r, coef))
        for code, js in quota_cols.items():
            r = len(row_upper)
            row_upper.append(quota.get(code, 0.0))
            for j, coef in js:
                col_rows[j].append((r, coef))
        if 0 < max_columns < len(col_cost):
            return None
        if shared and s < samples - 1:
            continue
        out.columns = max(out.columns, len(col_cost))
        values = _solve(col_cost, col_rows, row_upper, integer)
        if values is None:
            continue
        solved += 1
        for j, hid, did in house_cols:
            if values[j] > 1e-6:
                out.house[(hid, did)] = out.house.get((hid, did), 0.0) + float(values[j])
        for j, hid, code in couple_cols:
            if values[j] > 1e-6:
                out.couple[(hid, code)] = out.couple.get((hid, code), 0.0) + float(values[j])
    if solved:
        out.house = {k: v / solved for k, v in out.house.items()}
        out.couple = {k: v / solved for k, v in out.couple.items()}
    out.samples = samples if shared and solved else solved
    out.seconds = round(time.perf_counter() - started, 3)
    return out


PAIRS_PER_COLUMN = 4
"""A plan's columns are about a quarter of :func:`_pairs_bound` or fewer (Hart van Brabant 10,653
of 41,202, Twente 20,718 of 72,038 in week 0 of seed 0); above this many times ``max_columns`` the
plans are not built at all."""


def _pairs_bound(rules: Rules, history: Any, weeks: int) -> float:
    """Households of each reception location (waiting now and expected over ``weeks``) times the
    homes in its range (on offer now and expected): a bound on the pairs a plan weighs, before
    fit."""
    rate = weeks / max(1, history.weeks)
    households: dict[str, float] = defaultdict(float)
    homes: dict[str, float] = defaultdict(float)
    for h in rules.instance.households:
        households[h.location_id] += 1
    for p in history.permits.values():
        households[p.location_id] += rate
    for d in rules.instance.dwellings:
        homes[d.municipality] += 1
    for d in history.homes.values():
        homes[d.municipality] += rate
    everywhere = [m.code for m in rules.instance.municipalities]
    return sum(n * sum(homes[c] for c in rules.in_range_by_location.get(loc, everywhere)) for loc, n in households.items())


def sparse_highs(col_cost: list[float], col_rows: list[list[tuple[int, float]]], row_upper: list[float],
                 col_upper: float, integer: bool = False) -> Any:
    """A quiet, single-threaded HiGHS with ``max cost·x, rows·x <= row_upper, 0 <= x <= col_upper``
    passed (each column given as its (row, coefficient) entries), not yet run."""
    import highspy
    import numpy as np

    n, m = len(col_cost), len(row_upper)
    starts = np.zeros(n + 1, dtype=np.int32)
    starts[1:] = np.cumsum([len(r) for r in col_rows])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = np.array(col_cost)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.full(n, col_upper)
    lp.row_lower_ = np.full(m, -highspy.kHighsInf)
    lp.row_upper_ = np.array(row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = np.array([r for rows in col_rows for r, _ in rows], dtype=np.int32)
    lp.a_matrix_.value_ = np.array([c for rows in col_rows for _, c in rows])
    lp.sense_ = highspy.ObjSense.kMaximize
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("threads", 1)
    solver.passModel(lp)
    return solver


def _solve(col_cost: list[float], col_rows: list[list[tuple[int, float]]], row_upper: list[float],
           integer: bool = False, time_limit: float = 2.0) -> Any:
    """The optimal column values of ``max cost·x, rows·x <= row_upper, 0 <= x <= 1`` (HiGHS), or
    None; with ``integer`` every column 0 or 1 (the best found within ``time_limit`` seconds)."""
    import highspy

    if not col_cost:
        return None
    solver = sparse_highs(col_cost, col_rows, row_upper, 1.0, integer)
    if integer:
        solver.setOptionValue("time_limit", time_limit)
        solver.setOptionValue("mip_rel_gap", 1e-3)
    solver.run()
    if integer:
        return solver.getSolution().col_value if solver.getInfo().primal_solution_status == 2 else None
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return solver.getSolution().col_value


__all__ = ["WeekPlan", "plan_week", "sparse_highs"]
