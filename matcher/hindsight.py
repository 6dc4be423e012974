"""The hindsight optimum of a simulation run: one integer programme that knows every permit and
every home of the run, solved with HiGHS, and the plan replayed week by week through the
simulator (``matcher simulate --policy hindsight``).

It is a **bound**, not a policy anyone could run: every plan a policy can carry out in the
simulator is a feasible solution of this programme (``docs/simulation.md``, *The hindsight
optimum*, shows it rule by rule), so no policy has fewer overdue person-days from the permit on the
same run.  The model:

- **Households**: the stock on the first Monday and every permit of the run (the simulator's own
  draws: :func:`matcher.simulate.run.initial_state`, :func:`matcher.simulate.arrivals.weekly_permits`),
  each present from its arrival week, housable once its residence document is in hand.
- **Homes**: the offers on the first Monday and every home offered during the run
  (:func:`~matcher.simulate.arrivals.weekly_homes`), each in the week-``w`` proposal while
  ``available_from <= as_of + 7`` and its offer has not lapsed, exactly as the simulator puts it in.
- **Variables**: ``x[h, d]`` = house household ``h`` in home ``d``, in the earliest week of a
  period in which both are there, the pair fits (kind, size, minimum occupancy, AMV,
  accessibility: :func:`matcher.rules.dwelling_fits`), the municipality is the one ``h`` is coupled
  to or in range of its reception location (``max_km``, ``max_minutes``), and the refusal draw of
  that week, household and home (:func:`~matcher.simulate.arrivals.refused`, the same draws as the
  simulator's) accepts it.  Housing earlier in a period is never worse: the home is used either
  way and the household moves in sooner.
- **Constraints**: each household housed at most once; a regular home takes one household, a
  shared, AMV or temporary home at most its places in persons; per municipality and period the
  persons newly coupled up to that period (households not coupled on the first Monday, coupled by
  their housing) at most the quota left on the first Monday plus one taakstelling per period since,
  and the same for AMV persons — the simulator's books, summed (``Books``: obligation − realised −
  coupled and waiting, with the backlog carried).
- **Objective**, lexicographic in two solves: overdue person-days from the permit accrued in the
  run (past permit + 98 days, from the first Monday to the move-in or the end: minimised), then
  persons housed (maximised) and person-moves (temporary homes, minimised) together.

The plan couples a household only with its home: coupling without one earns nothing on these
levels and spends quota.  Its figure for COA's 14-day coupling obligation is therefore no
benchmark (the report says so).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from matcher.exceptions import MatcherError
from matcher.models import Action, Assignment, Dwelling, DwellingKind, Household, Instance, Params, Proposal, Status
from matcher.models.params import COUPLING_DAYS, NORM_FROM_PERMIT_DAYS
from matcher.rules import Rules, dwelling_fits, great_circle_km

TIME_LIMIT_S = 600.0
"""Seconds for each of the two solves; a run cut off reports its status and dual bound."""
COUPLING_NOTE = (
    "hindsight14 keeps COA's 14-day obligation the way the look-ahead policy does: the most persons "
    "coupled within 14 days of the permit (of those whose 14 days end in the run) that quota and range "
    "allow, each housed only where it is coupled, and with that held the fewest overdue person-days (no "
    "second solve for persons housed and moves); "
    "a bound on any policy that couples at least as many persons in time")
RULE_NOTE = (
    "hindsight-rule keeps COA's 14-day obligation as a rule, the way the look-ahead policy's test states it: "
    "a household whose 14 days end in the run and that is not coupled by the last weekly proposal before "
    "its deadline leaves every municipality in its range with less quota than its persons after that "
    "proposal; each household coupled in time is housed only where it is coupled; with that, the fewest "
    "overdue person-days (no second solve). The quota a late coupling uses is counted from the deadline "
    "week, and AMV households are held to no rule (both only free the plan), so it is a bound on every "
    "policy that keeps the rule")


@dataclass(frozen=True)
class Candidate:
    """One variable: household ``household`` into home ``dwelling`` in week ``week``."""

    household: str
    dwelling: str
    week: int
    housed_date: dt.date
    saving: int
    """Person-days past permit + 98 within the run that housing here saves against never housing."""
    new_coupling: bool
    municipality: str
    period: int
    size: int
    amv: bool
    moves: int


@dataclass
class Plan:
    """The hindsight's solution and how it was found."""

    lines: dict[int, list[Candidate]]
    """Per week, the households housed that week."""
    status: str
    overdue_person_days_from_permit: int
    """The plan's headline (the run replayed gives the same)."""
    dual_bound: int | None
    """Lower bound on the headline proven by the first solve (equal to it when ``status`` is optimal)."""
    persons_housed: int
    person_moves: int
    stats: dict[str, Any] = field(default_factory=dict)
    couples: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    """Per week, the households coupled (household, municipality) without a home (with coupling)."""

    def describe(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "overdue_person_days_from_permit": self.overdue_person_days_from_permit,
            "overdue_person_days_from_permit_bound": self.dual_bound,
            "persons_housed": self.persons_housed,
            "person_moves": self.person_moves,
            **self.stats,
        }


def _days_past(deadline: dt.date, start: dt.date, end: dt.date) -> int:
    return max(0, (end - max(deadline, start)).days)


def _in_range(km: float, minutes: float | None, max_km: float, max_minutes: float | None) -> bool:
    if km > max_km:
        return False
    if max_minutes is not None and (minutes is None or minutes > max_minutes):
        return False
    return True


def candidates(config: Any) -> tuple[list[Candidate], dict[str, Any]]:
    """Every variable of the run's programme, and what the constraints need (quota per
    municipality and period, home capacities, the cost of leaving each household unhoused)."""
    from matcher.simulate.arrivals import refused, weekly_homes, weekly_permits
    from matcher.simulate.config import PERIOD_WEEKS
    from matcher.simulate.run import initial_state

    state, sampler = initial_state(config)
    start, weeks = state.start, config.weeks
    end = start + dt.timedelta(days=7 * weeks)
    norm = dt.timedelta(days=NORM_FROM_PERMIT_DAYS)
    # (household, first week present, document date, arrived during the run)
    households: list[tuple[Household, int, dt.date, bool]] = [
        (h, 0, state.document_dates[h.household_id], False) for h in state.waiting.values()]
    homes: list[tuple[Dwelling, int, dt.date]] = [(o.dwelling, 0, o.lapses) for o in state.offers.values()]
    for w in range(weeks):
        week_start = start + dt.timedelta(days=7 * w)
        households += [(p.household, w, p.document_date, True)
                       for p in weekly_permits(sampler, config.seed, w, week_start, config.arrivals)]
        homes += [(d, w, d.available_from + dt.timedelta(days=7 * config.offer_weeks))
                  for d in weekly_homes(sampler, config.seed, w, week_start, config.supply)]
    point = {m.code: m for m in state.municipalities}
    location = {loc.location_id: loc for loc in state.locations}
    minutes = {(loc, code): v for loc, code, v in state.travel_minutes}
    km: dict[tuple[str, str], float] = {}

    def reach(loc_id: str, code: str) -> bool:
        if (loc_id, code) not in km:
            loc, m = location[loc_id], point[code]
            km[(loc_id, code)] = great_circle_km(loc.lat, loc.lon, m.lat, m.lon)
        return _in_range(km[(loc_id, code)], minutes.get((loc_id, code)), config.max_km, config.max_minutes)

    def as_of(w: int) -> dt.date:
        return start + dt.timedelta(days=7 * w)

    # The weeks each home is in the week's proposal: offered, within the 7-day horizon, not lapsed.
    home_weeks: dict[str, list[int]] = {}
    for d, offered, lapses in homes:
        home_weeks[d.dwelling_id] = [w for w in range(offered, weeks)
                                     if d.available_from <= as_of(w) + dt.timedelta(days=7) and lapses >= as_of(w)]
    by_kind: dict[tuple[str, str], list[tuple[Dwelling, int, dt.date]]] = defaultdict(list)
    for item in homes:
        by_kind[(item[0].municipality, item[0].kind.value)].append(item)
    out: list[Candidate] = []
    unhoused_cost = 0
    uncoupled: dict[str, tuple[Household, int, list[str]]] = {}
    for h, arrival, document_date, new in households:
        unhoused_cost += h.size * _days_past(h.permit_date + norm, start, end)
        ready = h if h.document_ready else replace(h, document_ready=True)  # the week's readiness is checked apart

        def document_in_hand(w: int, h: Household = h, arrival: int = arrival, document_date: dt.date = document_date,
                             new: bool = new) -> bool:
            # as the simulator: a document arriving counts at the start of a week, before that week's permits join
            return h.document_ready or (document_date <= as_of(w) and (w > arrival or not new))

        codes = [h.coupled_to] if h.coupled_to is not None else [c for c in point if reach(h.location_id, c)]
        if h.coupled_to is None:
            uncoupled[h.household_id] = (h, arrival, codes)
        for code in codes:
            for kind in ("regular", "shared", "amv", "temporary"):
                for d, _, _ in by_kind.get((code, kind), ()):
                    if not dwelling_fits(ready, d):
                        continue
                    seen_periods: set[int] = set()
                    for w in home_weeks[d.dwelling_id]:
                        period = w // PERIOD_WEEKS
                        if w < arrival or period in seen_periods or not document_in_hand(w):
                            continue
                        if refused(config.seed, w, h.household_id, d.dwelling_id, config.refusal_rate):
                            continue
                        seen_periods.add(period)
                        housed = max(as_of(w), d.available_from)
                        saving = h.size * _days_past(h.permit_date + norm, housed, end)
                        out.append(Candidate(h.household_id, d.dwelling_id, w, housed, saving, h.coupled_to is None,
                                             code, period, h.size, h.amv,
                                             h.size if d.kind is DwellingKind.TEMPORARY else 0))
    periods = (weeks - 1) // PERIOD_WEEKS + 1
    quota = {}
    for code, b in state.books.items():
        coupled = sum(h.size for h in state.waiting.values() if h.coupled_to == code)
        coupled_amv = sum(h.size for h in state.waiting.values() if h.coupled_to == code and h.amv)
        left, amv_left = b.obligation - b.realised - coupled, b.amv_obligation - b.amv_realised - coupled_amv
        quota[code] = [(max(0, left + p * b.taakstelling), max(0, amv_left + p * b.amv_taakstelling))
                       for p in range(periods)]
    info = {
        "start": start, "end": end, "quota": quota, "unhoused_cost": unhoused_cost,
        "homes": {d.dwelling_id: d for d, _, _ in homes},
        "households": len(households), "homes_count": len(homes), "uncoupled": uncoupled,
        "persons": sum(h[0].size for h in households),
    }
    return out, info


def solve_plan(config: Any, time_limit: float = TIME_LIMIT_S, coupling: bool = False, rule: bool = False) -> Plan:
    """The hindsight optimum of ``config``'s run (two HiGHS solves), as a plan by week.

    With ``coupling`` the plan also keeps COA's 14-day obligation as the look-ahead policy does:
    first as many persons as possible coupled within 14 days of their permit (of those whose 14
    days end in the run), each where it may then be housed only, and with that held the fewest
    overdue person-days (:data:`COUPLING_NOTE`).  With ``rule`` (which implies ``coupling``) the
    obligation is a rule instead of a first level: a due household not coupled in time leaves no
    municipality in its range with quota for it (:data:`RULE_NOTE`)."""
    import highspy
    import numpy as np

    from matcher.simulate.config import PERIOD_WEEKS

    started = time.perf_counter()
    coupling = coupling or rule
    cands, info = candidates(config)
    # z[h, m]: household h, whose 14 days end in the run, coupled to m by then (with coupling).
    start, end = info["start"], info["end"]
    zs: list[tuple[str, str, int, int, bool, bool]] = []  # (household, municipality, week, size, amv, in time)
    due: dict[str, int] = {}
    if coupling:
        for hid, (h, arrival, codes) in info["uncoupled"].items():
            deadline = h.permit_date + dt.timedelta(days=COUPLING_DAYS)
            if not (start <= deadline < end):
                continue
            week = max(arrival, (deadline - start).days // 7)
            due[hid] = week
            # in time (by its deadline week), or later: coupled with its home, quota then
            zs.extend((hid, code, week, h.size, h.amv, True) for code in codes)
            zs.extend((hid, code, week, h.size, h.amv, False) for code in codes)
    # above what a person of quota or flexibility saves; none with the rule, which holds the obligation
    in_time_weight = 0.0 if rule else 2.0 * (end - start).days + 1
    built = time.perf_counter() - started
    n_x = len(cands)
    n_z = n_x + len(zs)
    # u[m, w] (with the rule): persons of m's quota used up to and including week w's proposal
    codes = sorted(info["quota"]) if rule else []
    u_of = {(code, w): n_z + i * config.weeks + w for i, code in enumerate(codes) for w in range(config.weeks)}
    n = n_z + len(u_of)
    rows: list[tuple[float, float]] = []
    entries: list[list[tuple[int, float]]] = [[] for _ in range(n)]

    def row(members: list[tuple[int, float]], upper: float, lower: float = -highspy.kHighsInf) -> None:
        r = len(rows)
        rows.append((lower, upper))
        merged: dict[int, float] = defaultdict(float)
        for j, coef in members:
            merged[j] += coef
        for j, coef in merged.items():
            entries[j].append((r, coef))

    by_household: dict[str, list[int]] = defaultdict(list)
    by_home: dict[str, list[int]] = defaultdict(list)
    by_quota: dict[tuple[str, int], list[int]] = defaultdict(list)
    size = [float(c.size) for c in cands] + [float(z[3]) for z in zs] + [0.0] * len(u_of)
    is_amv = [c.amv for c in cands] + [z[4] for z in zs] + [False] * len(u_of)
    by_use: dict[tuple[str, int], list[int]] = defaultdict(list)  # quota used in week w (with the rule)
    by_link: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, c in enumerate(cands):
        by_household[c.household].append(j)
        by_home[c.dwelling].append(j)
        if c.new_coupling and c.household in due:
            by_link[(c.household, c.municipality)].append(j)  # housed only where it is coupled
        elif c.new_coupling:
            by_quota[(c.municipality, c.period)].append(j)
            by_use[(c.municipality, c.week)].append(j)
    z_of: dict[str, list[int]] = defaultdict(list)
    pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    for k, (hid, code, week, _, _, _) in enumerate(zs):
        j = n_x + k
        z_of[hid].append(j)
        pair[(hid, code)].append(j)
        by_quota[(code, min(week // PERIOD_WEEKS, (config.weeks - 1) // PERIOD_WEEKS))].append(j)
        by_use[(code, week)].append(j)  # a late coupling's quota counted from the deadline week: only frees the plan
    for (hid, code), js in pair.items():
        row([(x, 1.0) for x in by_link.get((hid, code), ())] + [(j, -1.0) for j in js], 0.0)
    for js in z_of.values():
        if len(js) > 1:
            row([(j, 1.0) for j in js], 1.0)
    for js in by_household.values():
        if len(js) > 1:
            row([(j, 1.0) for j in js], 1.0)
    homes = info["homes"]
    for did, js in by_home.items():
        d = homes[did]
        if d.kind is DwellingKind.REGULAR:
            if len(js) > 1:
                row([(j, 1.0) for j in js], 1.0)
        elif sum(cands[j].size for j in js) > d.capacity:
            row([(j, float(cands[j].size)) for j in js], float(d.capacity))
    for code, limits in info["quota"].items():
        for p, (persons, amv) in enumerate(limits):
            members = [j for q in range(p + 1) for j in by_quota.get((code, q), ())]
            if sum(size[j] for j in members) > persons:
                row([(j, size[j]) for j in members], float(persons))
            amv_members = [j for j in members if is_amv[j]]
            if sum(size[j] for j in amv_members) > amv:
                row([(j, size[j]) for j in amv_members], float(amv))
    if rule:
        for (code, w), j in u_of.items():  # u[m, w] = u[m, w - 1] + what week w couples to m
            row([(j, 1.0)] + ([(u_of[(code, w - 1)], -1.0)] if w else [])
                + [(k, -size[k]) for k in by_use.get((code, w), ())], 0.0, 0.0)
        in_time_of: dict[str, list[int]] = defaultdict(list)
        for k, z in enumerate(zs):
            if z[5]:
                in_time_of[z[0]].append(n_x + k)
        for hid, week in due.items():
            h, _, reach_codes = info["uncoupled"][hid]
            if h.amv or week * 7 > (h.permit_date + dt.timedelta(days=COUPLING_DAYS) - start).days:
                continue  # AMV: no rule; arrived after its 14 days: never due in a proposal
            for code in reach_codes:
                q = float(info["quota"][code][min(week // PERIOD_WEEKS, len(info["quota"][code]) - 1)][0])
                if q < h.size:
                    continue  # never quota for it there: no rule
                # not coupled in time => u[m, week] >= q - size + 1 (less than its persons left)
                row([(u_of[(code, week)], -1.0)] + [(k, -q) for k in in_time_of[hid]], h.size - 1.0 - q)
    m = len(rows)
    starts = np.zeros(n + 1, dtype=np.int32)
    index: list[int] = []
    value: list[float] = []
    for j in range(n):
        for r, coef in entries[j]:
            index.append(r)
            value.append(coef)
        starts[j + 1] = len(index)
    stats: dict[str, Any] = {"households": info["households"], "homes": info["homes_count"], "variables": n,
                             "constraints": m, "build_s": round(built, 2)}
    if n == 0:
        return Plan({}, "optimal", info["unhoused_cost"], info["unhoused_cost"], 0, 0, stats)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    saving = np.array([c.saving for c in cands] + [0.0] * (n - n_x), dtype=float)
    first_cost = saving + np.array([0.0] * n_x + [in_time_weight * z[3] if z[5] else 0.0 for z in zs]
                                   + [0.0] * len(u_of))
    lp.col_cost_ = first_cost
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.array([1.0] * n_z + [highspy.kHighsInf] * len(u_of))
    lp.row_lower_ = np.array([lo for lo, _ in rows], dtype=float)
    lp.row_upper_ = np.array([up for _, up in rows], dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_z + [highspy.HighsVarType.kContinuous] * len(u_of)
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("threads", 1)
    solver.setOptionValue("random_seed", 0)
    solver.setOptionValue("mip_rel_gap", 0.0)
    solver.setOptionValue("mip_abs_gap", 0.999)  # the savings are whole person-days
    solver.setOptionValue("time_limit", float(time_limit))
    solver.passModel(lp)
    first = time.perf_counter()
    solver.run()
    statuses = [solver.modelStatusToString(solver.getModelStatus())]
    info1 = solver.getInfo()
    if info1.primal_solution_status != 2:  # kSolutionStatusFeasible
        raise MatcherError(f"hindsight: no solution within {time_limit:g} s ({statuses[0]}, {n} variables)")
    best = info1.objective_function_value
    bound = int(np.floor(info1.mip_dual_bound + 1e-6))
    if zs and in_time_weight:  # the bound is on the weighted sum: take the in-time persons of the solution off it
        persons_in_time = float(np.asarray(solver.getSolution().col_value)[n_x:n_z]
                                @ np.array([z[3] if z[5] else 0.0 for z in zs]))
        bound = int(np.floor(info1.mip_dual_bound - in_time_weight * persons_in_time + 1e-6))
    optimal = solver.getModelStatus() == highspy.HighsModelStatus.kOptimal
    first_s = time.perf_counter() - first
    # Second solve: keep the first level's value, then most persons housed, fewest person-moves.
    values = np.asarray(solver.getSolution().col_value)
    total_persons = info["persons"]
    second_cost = np.array([c.size * (total_persons + 1) - c.moves for c in cands] + [0.0] * (n - n_x), dtype=float)
    solver.addRow(float(best) - 1e-6 * abs(best), highspy.kHighsInf, n, np.arange(n, dtype=np.int32), first_cost)
    solver.changeColsCost(n, np.arange(n, dtype=np.int32), second_cost)
    start_solution = highspy.HighsSolution()
    start_solution.col_value = [float(v) for v in values]
    start_solution.value_valid = True
    solver.setSolution(start_solution)
    second = time.perf_counter()
    if coupling:
        # The headline is fixed by the first solve; a second one takes minutes on this programme
        # and, cut off, would depend on the machine's speed: the first solve's plan is kept.
        statuses.append("skipped")
    else:
        solver.run()
        statuses.append(solver.modelStatusToString(solver.getModelStatus()))
        if solver.getInfo().primal_solution_status == 2:
            values = np.asarray(solver.getSolution().col_value)
            optimal = optimal and solver.getModelStatus() == highspy.HighsModelStatus.kOptimal
    chosen = [cands[j] for j in range(n_x) if values[j] > 0.5]
    lines: dict[int, list[Candidate]] = defaultdict(list)
    for c in chosen:
        lines[c.week].append(c)
    # Couplings at the deadline of those coupled in time and not housed by then.
    housed_week = {c.household: c.week for c in chosen}
    couples: dict[int, list[tuple[str, str]]] = defaultdict(list)
    in_time = 0
    for k, (hid, code, week, persons, _, on_time) in enumerate(zs):
        if on_time and values[n_x + k] > 0.5:
            in_time += persons
            if housed_week.get(hid, week + 1) > week:
                couples[week].append((hid, code))
    overdue = info["unhoused_cost"] - sum(c.saving for c in chosen)
    stats.update({"solve_s": [round(first_s, 2), round(time.perf_counter() - second, 2)], "highs_status": statuses})
    if coupling:
        stats["coupled_in_time_persons"] = in_time
    return Plan(dict(lines), "optimal" if optimal else "feasible", overdue, info["unhoused_cost"] - bound,
                sum(c.size for c in chosen), sum(c.moves for c in chosen), stats, dict(couples))


SIMPLIFICATIONS = (
    "knows every permit, home and refusal draw of the run in advance (a bound, not a policy)",
    "refusals on the simulator's own draws: a pair refused in a week is not used that week (the same draw "
    "a policy proposing it would meet); bans after a refusal are not modelled, which only frees the hindsight",
    "decisions at the weekly proposals, as in the simulator: moving in on max(as_of, available_from)",
    "each household coupled only with its home, in the period it is housed (quota counted then: never "
    "earlier than a policy's coupling, so never tighter)",
    "temporary homes count for the quota and as a person-move, as in the simulator",
)


@dataclass
class HindsightPolicy:
    """Replays the hindsight plan: each week the households the plan houses that week."""

    name: str
    config: Any
    plan: Plan | None = None
    coupling: bool = False
    """Keep COA's 14-day obligation (:data:`COUPLING_NOTE`)."""
    rule: bool = False
    """Keep it as a rule (:data:`RULE_NOTE`)."""

    def propose(self, instance: Instance, params: Params, week: int) -> Proposal:
        started = time.perf_counter()
        if self.plan is None:
            self.plan = solve_plan(self.config, coupling=self.coupling, rule=self.rule)
        lines = {h.household_id: Assignment(h.household_id, Action.WAIT) for h in instance.households}
        places = {d.dwelling_id: d.capacity for d in instance.dwellings}
        for c in self.plan.lines.get(week, ()):
            h = instance.household_by_id.get(c.household)
            if h is None or c.dwelling not in places or places[c.dwelling] < c.size:
                raise MatcherError(f"hindsight week {week}: planned {c.household} in {c.dwelling} is not in the "
                                   "week's instance (the replay left the plan)")
            places[c.dwelling] -= c.size
            lines[c.household] = Assignment(c.household, Action.HOUSE, c.municipality, c.dwelling,
                                            reason="hindsight optimum (knows the run's future)")
        for hid, code in self.plan.couples.get(week, ()):
            if hid not in instance.household_by_id or lines[hid].action is not Action.WAIT:
                raise MatcherError(f"hindsight week {week}: planned coupling of {hid} to {code} is not in the "
                                   "week's instance (the replay left the plan)")
            lines[hid] = Assignment(hid, Action.COUPLE, code, reason="hindsight optimum: coupled within 14 days")
        levels = _levels(instance, params, lines)
        return Proposal(assignments=tuple(lines[h.household_id] for h in instance.households), status=Status.FEASIBLE,
                        solver="hindsight", levels=levels, runtime_s=time.perf_counter() - started,
                        message="the hindsight optimum's plan for this week")

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "plan": self.plan.describe() if self.plan is not None else None,
            "simplifications": list(SIMPLIFICATIONS) + ([RULE_NOTE] if self.rule else [COUPLING_NOTE] if self.coupling
                                                        else []),
            "why": ("the offline optimum of the run: overdue person-days from the permit (min), then persons "
                    "housed (max) and person-moves (min); every plan a policy can carry out is feasible in it, "
                    "so it is a lower bound on every policy's overdue person-days on the same run"),
        }


def _levels(instance: Instance, params: Params, lines: dict[str, Assignment]) -> Any:
    from matcher.objective import evaluate

    return evaluate(Rules(instance, params), lines)


__all__ = ["COUPLING_NOTE", "RULE_NOTE", "Candidate", "HindsightPolicy", "Plan", "SIMPLIFICATIONS", "candidates",
           "solve_plan"]
