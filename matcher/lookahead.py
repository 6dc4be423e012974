"""The look-ahead mode: this week's proposal with the rest of the half-year in view.

The exact engine (``weekly``) proves each week's proposal optimal on its own levels, but over a
half-year it barely beats first come first served: it couples every arrival at once wherever
there is quota (so the quota is spent in the first weeks, on whoever happened to arrive), and it
ranks housing by days already overdue, a sunk cost.  The look-ahead mode keeps every hard rule
of the week (the same aggregated programme, :func:`matcher.solvers.formulation.build`) and
replaces the levels by one objective that looks ahead, in the spirit of Ahani, Gölz, Procaccia,
Teytelboym and Trapp, "Dynamic Placement in Refugee Resettlement" (Operations Research 72(3),
2024): capacities that will be needed later get a price, estimated from the history only.

Each week:

1. **History.**  The offers and permits seen so far (:class:`History`): in the simulation the
   weeks before the run plus the weeks simulated; in the service the offers in the database.
   Only the past is used: nothing of the weeks to come.
2. **Quota prices.**  A small linear programme spreads the permits expected over the rest of the
   period (arrival rates per reception location from the history) over the municipalities in
   range, within each one's quota left.  The dual price of a municipality's quota row (between
   0 and 1) says whether its quota will be needed for households coupled in time later; a
   placement that is not an in-time coupling (a household already past its 14 days, housed
   directly) pays ``reserve_days`` × price per person.  The prices are the average over a few
   sampled trajectories of the arrivals (Poisson counts around the history's rates, from a
   stream seeded by the week), as Ahani et al. average the duals of sampled futures.
3. **Where a fitting home is expected soonest.**  From the history, the homes per week each
   municipality offers that fit a household (kind, size, AMV, accessibility), and how many
   households already coupled there compete for them: the expected weeks until a fitting home.
   Coupling costs the person-days that would accrue past the norm while waiting that long.
4. **Sampled plans** (:mod:`matcher.sampled_plan`).  On a few futures of the coming weeks drawn
   from the history, the hindsight's linear programme over the households and homes of now and of
   that future; what the plans do this week (who is housed where, where a due household is
   coupled), averaged, is worth ``plan_weight`` a person per unit share in the week's programme.
5. **The week's programme**, maximising:

   - per person housed: the overdue days still to accrue over the next ``window_weeks`` (from the
     permit: past ``permit + norm_days + coupling_days``) if the household waited, plus
     ``base_days`` (an empty home helps nobody);
   - a fairness guard per household housed: ``guard`` × the days it is overdue already, so the
     longest waiters are not left behind by larger families;
   - per person coupled within 14 days of the permit (COA's obligation): ``coupling_bonus``,
     larger than any other term, so every household whose 14 days end before next week's
     proposal is coupled where quota and range allow.  A household whose 14 days run on past
     next week is not coupled yet (only housed, if a home fits): coupling it now only narrows
     where it can be housed;
   - plus step 4's bonus, minus the costs of steps 2 and 3, and a small cost per person-km.

The proposal satisfies every hard rule (the checker verifies it); its levels are reported as the
checker computes them, and its status is ``feasible``: it is not the lexicographic optimum of the
levels, on purpose.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from matcher.models import Dwelling, Household, Instance, Params, Proposal, Status
from matcher.models.params import NORM_FROM_PERMIT_DAYS
from matcher.objective import evaluate
from matcher.rules import Rules, dwelling_fits


@dataclass(frozen=True)
class LookaheadSettings:
    """The weights of the look-ahead objective (days per person unless said otherwise)."""

    window_weeks: int = 13
    """Weeks over which overdue days still to accrue are counted."""
    window_to_period_end: bool = True
    """Count them to the end of the period instead (``window_weeks`` is then unused)."""
    base_days: float = 7.0
    """Value per person housed, whatever the clock: a home used beats a home left empty."""
    guard: float = 3.0
    """Fairness guard: value per household housed and per day it is overdue already."""
    long_wait_days: int = 300
    """Fairness guard for the longest waiters: from this many days after the permit ..."""
    long_wait_weight: float = 5.0
    """... each further day adds this much per household housed."""
    coupling_bonus: float = 10_000.0
    """Per person coupled (or housed) within ``coupling_days`` of the permit."""
    late_coupling: float = 0.0
    """Per person coupled after its ``coupling_days`` without a home (0: only with a home)."""
    reserve_days: float = 60.0
    """Cost per person and unit quota price of using quota for anything but an in-time coupling."""
    wait_weight: float = 0.5
    """Weight of the expected person-days past the norm while waiting for a fitting home in the
    municipality a household is coupled to; used only when the transport programme is off
    (``transport_weight`` 0) or not solved (larger than ``transport_max_columns``)."""
    km_cost: float = 0.01
    """Per person-km of a new coupling (a tie-break towards the nearer municipality)."""
    transport_weight: float = 0.5
    """Weight of the cost of coupling a household to a municipality in the coupling transport
    programme (:func:`home_prices`): the price of the cheapest home class there that fits it, plus
    its persons times how much dearer that municipality's quota is than the cheapest in its range
    (0: not solved; the expected wait of ``wait_weight`` instead)."""
    transport_max_columns: int = 40_000
    """The transport programme is not solved above this many columns (0: no limit); the expected
    wait of ``wait_weight`` is used instead.  The national instance has about 100,000 (43 s a
    sampled trajectory with HiGHS' simplex, beyond the week's 15 s); the example regions under
    10,000."""
    samples: int = 4
    potential_weight: float = 0.0
    """Weight of a household's potential (the value it is expected to get from the homes of the
    coming weeks) subtracted from the value of housing it now (0: myopic housing)."""
    potential_buckets: tuple[tuple[int, int], ...] = ((1, 1), (2, 2), (4, 4), (8, 5))
    """Future weeks of the potentials' programme: (first week, number of weeks) per bucket."""
    """Sampled trajectories of arrivals whose quota prices are averaged."""
    period_weeks: int = 26
    """Weeks of a taakstelling period (the quota's horizon)."""
    candidates_per_place: int = 3
    """House variables kept per place of a slot (the most valuable candidates); 0 keeps all."""
    plan_weight: float = 500.0
    """Days per person added to a house or couple variable per unit share of the sampled plans
    (:mod:`matcher.sampled_plan`) that do the same this week (0: no plans)."""
    plan_weeks: int = 13
    """Weeks each sampled plan covers (this one included; at most to the period's end)."""
    plan_samples: int = 8
    """Sampled futures whose plans are averaged."""
    plan_max_columns: int = 150_000
    """No plans above this many columns in one plan (0: no limit)."""
    plan_later_coupling: float = -1.0
    """Value per person, in the plans, of coupling within 14 days a household whose 14 days end in
    a later week (-1: ``coupling_bonus``, as this week's)."""
    plan_value_to_period_end: bool = False
    """The plans count the person-days a housing saves up to the period's end, not the plan's."""
    plan_long_wait_days: int = 0
    """Households waiting longer than this since their permit get the plans' full bonus for every
    home that fits them, as if every plan housed them there (0: off)."""
    plan_integer: bool = False
    """Integer plans (each housing and coupling 0 or 1, HiGHS' branch and bound, 2 s a plan)
    instead of linear programmes."""
    plan_shared: bool = False
    """One programme over all sampled futures whose decisions of this week are the same in every
    future (a two-stage stochastic programme), instead of one programme per future, averaged."""
    plan_guard: float = 0.0
    """Share of the fairness guard (``guard``, ``long_wait_weight``) the sampled plans value too."""
    offer_weeks: int = 4
    """Weekly proposals an offer stays open from its availability date (for the plans)."""

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class History:
    """Offers and permits seen so far, by week.

    ``homes`` and ``permits`` keep the first sight of each id; ``weeks`` is how many weeks of flow
    they cover.  Stock seen on the first call (homes on offer, households waiting before the
    history starts) is not flow and is not counted unless told."""

    homes: dict[str, Dwelling] = field(default_factory=dict)
    permits: dict[str, Household] = field(default_factory=dict)
    stock: set[str] = field(default_factory=set)
    weeks: int = 0
    observed: bool = False
    """Whether :meth:`observe` has seen an instance yet (the first one is stock)."""

    def add_week(self, dwellings: Iterable[Dwelling], households: Iterable[Household]) -> None:
        """Record one week of flow: the homes newly offered and the permits newly granted."""
        for d in dwellings:
            self.homes.setdefault(d.dwelling_id, d)
        for h in households:
            self.permits.setdefault(h.household_id, h)
        self.weeks += 1

    def observe(self, instance: Instance) -> None:
        """Record what is new in this week's instance.  The first instance seen is stock (the
        households waiting and the homes on offer then are no week's flow), also when weeks of
        history were added before it."""
        if not self.observed:
            self.observed = True
            self.stock = {d.dwelling_id for d in instance.dwellings} | {h.household_id for h in instance.households}
            return
        seen = self.stock
        new_homes = [d for d in instance.dwellings if d.dwelling_id not in self.homes and d.dwelling_id not in seen]
        new_permits = [h for h in instance.households if h.household_id not in self.permits and h.household_id not in seen]
        self.add_week(new_homes, new_permits)

    def home_rate(self, h: Household, code: str) -> float:
        """Homes a week offered in ``code`` that fit ``h`` (kind, size, AMV, accessibility)."""
        if self.weeks == 0:
            return 0.0
        n = sum(1 for d in self._homes_by_code().get(code, ()) if dwelling_fits(h, d))
        return n / self.weeks

    def _homes_by_code(self) -> dict[str, list[Dwelling]]:
        cache = getattr(self, "_by_code", None)
        if cache is None or cache[0] != len(self.homes):
            by: dict[str, list[Dwelling]] = defaultdict(list)
            for d in self.homes.values():
                by[d.municipality].append(d)
            cache = (len(self.homes), by)
            self._by_code = cache
        return cache[1]

    def persons_per_week(self) -> dict[str, float]:
        """Persons with a new permit a week, per reception location."""
        out: dict[str, float] = defaultdict(float)
        if self.weeks == 0:
            return out
        for h in self.permits.values():
            out[h.location_id] += h.size / self.weeks
        return out


def _honest_overdue(h: Household, day: dt.date) -> int:
    """Days past the 14-week norm from the permit on ``day``."""
    return max(0, (day - h.permit_date).days - NORM_FROM_PERMIT_DAYS)


def accrual_days(h: Household, day: dt.date, window_days: int) -> int:
    """Overdue days (from the permit) ``h`` would accrue between ``day`` and ``day + window``."""
    clock = h.permit_date + dt.timedelta(days=NORM_FROM_PERMIT_DAYS)
    start = max(day, clock)
    return max(0, (day + dt.timedelta(days=window_days) - start).days)


def weeks_left_in_period(day: dt.date) -> int:
    """Whole weeks from ``day`` to the end of its taakstelling period (30 June or 31 December)."""
    end = dt.date(day.year, 7, 1) if day.month <= 6 else dt.date(day.year + 1, 1, 1)
    return max(0, (end - day).days // 7)


def quota_prices(rules: Rules, history: History, week: int, settings: LookaheadSettings,
                 seed: int = 0, weeks_left: int | None = None) -> dict[str, float]:
    """Per municipality, the average dual price (0 to 1) of its quota in the linear programme that
    couples the permits expected over the rest of the period, in range, within the quota left.

    The expected persons per location come from ``history`` only; each of ``settings.samples``
    trajectories draws Poisson counts around them (seeded by ``seed`` and ``week``)."""
    import highspy
    import numpy as np

    codes = [m.code for m in rules.instance.municipalities]
    quota = {code: max(0, rules.quota[code]) for code in codes}
    if weeks_left is None:
        weeks_left = settings.period_weeks - 1 - week % settings.period_weeks
    rate = history.persons_per_week()
    if weeks_left <= 0 or not rate:
        return dict.fromkeys(codes, 0.0)
    in_range = rules.in_range_by_location
    locations = sorted(loc for loc in rate if in_range.get(loc))
    index = {code: j for j, code in enumerate(codes)}
    pairs = [(i, code) for i, loc in enumerate(locations) for code in in_range[loc] if code in index]
    if not pairs:
        return dict.fromkeys(codes, 0.0)
    n, rows = len(pairs), len(locations) + len(codes)
    # Column k couples persons of location i to municipality code: one entry in the location's
    # row (its demand) and one in the municipality's row (its quota).
    starts = np.arange(0, 2 * n + 1, 2, dtype=np.int32)
    entries = np.array([r for i, code in pairs for r in (i, len(locations) + index[code])], dtype=np.int32)
    rng = random.Random(f"{seed}:lookahead-prices:{week}")
    total = dict.fromkeys(codes, 0.0)
    samples = max(1, settings.samples)
    solved = 0
    for _ in range(samples):
        demand = [_poisson(rng, rate[loc] * weeks_left) for loc in locations]
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, rows
        lp.col_cost_ = np.ones(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.full(n, highspy.kHighsInf)
        lp.row_lower_ = np.full(rows, -highspy.kHighsInf)
        lp.row_upper_ = np.array(demand + [quota[c] for c in codes], dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = starts
        lp.a_matrix_.index_ = entries
        lp.a_matrix_.value_ = np.ones(2 * n)
        lp.sense_ = highspy.ObjSense.kMaximize
        solver = highspy.Highs()
        solver.setOptionValue("output_flag", False)
        solver.setOptionValue("threads", 1)
        solver.passModel(lp)
        solver.run()
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            continue
        duals = solver.getSolution().row_dual
        solved += 1
        for code in codes:
            total[code] += abs(float(duals[len(locations) + index[code]]))
    solved = max(1, solved)
    return {code: round(min(1.0, max(0.0, v / solved)), 4) for code, v in total.items()}


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count (Knuth's method for small means, the normal approximation above 50)."""
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, int(round(rng.gauss(mean, math.sqrt(mean)))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


@dataclass
class HomePrices:
    """The dual prices of the coupling transport programme (:func:`home_prices`), averaged over
    the sampled trajectories: per municipality and home class (kind, capacity, minimum occupancy,
    accessible) the value of one more home (regular) or place (other kinds) of that class over
    the rest of the period, and per municipality the value of one more person of quota."""

    homes: dict[str, dict[tuple, float]] = field(default_factory=dict)
    quota: dict[str, float] = field(default_factory=dict)
    columns: int = 0
    """Columns of the largest programme solved (its size, for the summary)."""

    def coupling_cost(self, h: Household, code: str, value: float) -> float:
        """What coupling ``h`` to ``code`` costs the rest of the period: the cheapest fitting home
        class there (its price times the room ``h`` takes), at most ``value`` (what housing ``h``
        is worth: a household for whom no home is worth its price is not housed there)."""
        best = value
        for (kind, capacity, min_occupancy, accessible), price in self.homes.get(code, {}).items():
            d = Dwelling("class", code, kind, capacity, dt.date.min, min_occupancy, accessible)
            if dwelling_fits(_ready(h), d):
                best = min(best, price * (1 if kind.value == "regular" else h.size))
        return best


def _ready(h: Household) -> Household:
    return h if h.document_ready else replace(h, document_ready=True)


def _home_class(d: Dwelling) -> tuple:
    return (d.kind, d.capacity, d.min_occupancy, d.accessible)


def home_prices(rules: Rules, history: History, week: int, settings: LookaheadSettings,
                value: Any, in_time: Any, seed: int = 0, weeks_left: int | None = None) -> HomePrices | None:
    """The transport programme of the coupling: who is housed in which municipality's homes over
    the rest of the period, priced from the past only.

    Supply per municipality and home class: the homes on offer now plus the history's homes a week
    of that class times the weeks left (places in persons for shared, AMV and temporary homes).
    Demand: the households waiting now (a coupled one only in its own municipality) and, per
    sampled trajectory, the permits expected over the weeks left (the history's households a week
    per reception location, Poisson counts, types drawn from that location's past permits).  Every
    household still in time and every future permit is coupled (a bonus larger than any home's
    value, as COA's 14 days), within each municipality's quota left and in range; a household is
    housed only where it is coupled, in a home class that fits it, worth ``value`` (the days still
    to accrue, for the future permits from their norm to the end of the period).  The dual prices
    of the home-class rows say which homes are scarce for the households that fit them; they are
    averaged over ``settings.samples`` trajectories (seeded by ``seed`` and ``week``).

    Returns None when a programme has more than ``settings.transport_max_columns`` columns."""
    import highspy

    from matcher.sampled_plan import sparse_highs

    instance = rules.instance
    codes = [m.code for m in instance.municipalities]
    if weeks_left is None:
        weeks_left = settings.period_weeks - 1 - week % settings.period_weeks
    weeks_left = max(0, weeks_left)
    rate_weeks = history.weeks
    # Supply: home classes per municipality.
    supply: dict[tuple[str, tuple], float] = defaultdict(float)
    for d in instance.dwellings:
        supply[(d.municipality, _home_class(d))] += 1.0 if d.kind.value == "regular" else float(d.capacity)
    if rate_weeks > 0 and weeks_left > 0:
        for d in history.homes.values():
            per = 1.0 if d.kind.value == "regular" else float(d.capacity)
            supply[(d.municipality, _home_class(d))] += per * weeks_left / rate_weeks
    classes_of: dict[str, list[tuple]] = defaultdict(list)
    for code, k in sorted(supply, key=lambda x: (x[0], str(x[1]))):
        classes_of[code].append(k)
    in_range = rules.in_range_by_location
    quota = {code: float(max(0, rules.quota[code])) for code in codes}
    bonus = settings.coupling_bonus
    end = rules.end
    period_end_days = 7 * (weeks_left + 1)
    # Demand now: (where it may go, exemplar household, count, value per unit, coupled now?).
    base: dict[tuple, list] = {}
    for h in instance.households:
        v = float(value(h))
        if h.coupled_to is not None:
            key: tuple = ("c", h.coupled_to, h.size, h.amv, h.needs_accessible, int(v // (91 * h.size)))
        else:
            key = ("u", h.location_id, h.size, h.amv, h.needs_accessible, bool(in_time(h)), int(v // (91 * h.size)))
        entry = base.setdefault(key, [h, 0, 0.0])
        entry[1] += 1
        entry[2] += v
    fit_cache: dict[tuple, list[tuple]] = {}

    def fits(code: str, h: Household) -> list[tuple]:
        key = (code, h.size, h.amv, h.needs_accessible)
        if key not in fit_cache:
            ready = _ready(h)
            fit_cache[key] = [k for k in classes_of.get(code, ())
                              if dwelling_fits(ready, Dwelling("class", code, k[0], k[1], end, k[2], k[3]))]
        return fit_cache[key]

    by_location: dict[str, list[Household]] = defaultdict(list)
    for p in sorted(history.permits.values(), key=lambda p: p.household_id):
        by_location[p.location_id].append(p)
    rng = random.Random(f"{seed}:lookahead-homes:{week}")
    prices = HomePrices({code: {} for code in codes}, dict.fromkeys(codes, 0.0))
    samples = max(1, settings.samples)
    solved = 0
    for _ in range(samples):
        demand = [(h, n, total / n, key[0] == "c", key[0] == "u" and key[5]) for key, (h, n, total) in base.items()]
        if rate_weeks > 0 and weeks_left > 0:
            future: dict[tuple, list] = {}
            for loc in sorted(by_location):
                pool = by_location[loc]
                for _ in range(_poisson(rng, len(pool) * weeks_left / rate_weeks)):
                    p = pool[rng.randrange(len(pool))]
                    arrival = rng.randint(1, weeks_left)
                    days = max(0, period_end_days - 7 * arrival - NORM_FROM_PERMIT_DAYS)
                    v = p.size * (days + settings.base_days)
                    fkey = (loc, p.size, p.amv, p.needs_accessible, int(v // (91 * p.size)))
                    entry = future.setdefault(fkey, [p, 0, 0.0])
                    entry[1] += 1
                    entry[2] += v
            demand += [(p, n, total / n, False, True) for p, n, total in future.values()]
        # Rows: one per demand entry (its count), one per home class, one per municipality's
        # quota and one per (municipality, household type) node (its households housed there go to the home
        # classes that fit the type): the homes' columns do not repeat per entry.
        class_row: dict[tuple[str, tuple], int] = {}
        row_upper: list[float] = [float(n) for _, n, _, _, _ in demand]
        for code in codes:
            for k in classes_of.get(code, ()):
                class_row[(code, k)] = len(row_upper)
                row_upper.append(supply[(code, k)])
        quota_row = {}
        for code in codes:
            quota_row[code] = len(row_upper)
            row_upper.append(quota[code])
        col_cost: list[float] = []
        col_rows: list[list[tuple[int, float]]] = []
        node_row: dict[tuple, int] = {}

        for e, (h, _, v, coupled, due) in enumerate(demand):
            targets = [h.coupled_to] if coupled else [c for c in in_range.get(h.location_id, codes) if c in quota]
            for code in targets:
                kind = (code, h.size, h.amv, h.needs_accessible)
                if kind not in node_row:
                    fitting = fits(code, h)
                    node_row[kind] = len(row_upper) if fitting else -1
                    if fitting:
                        row_upper.append(0.0)
                    for k in fitting:
                        col_cost.append(0.0)
                        col_rows.append([(node_row[kind], -1.0),
                                         (class_row[(code, k)], 1.0 if k[0].value == "regular" else float(h.size))])
                r = node_row[kind] if node_row[kind] >= 0 else None
                if coupled:
                    if r is not None:
                        col_cost.append(v)
                        col_rows.append([(e, 1.0), (r, 1.0)])
                    continue
                # Coupled to code without a home, or housed there (which couples it there): both
                # take quota.
                if due:
                    col_cost.append(bonus * h.size)
                    col_rows.append([(e, 1.0), (quota_row[code], float(h.size))])
                if r is not None:
                    col_cost.append(v + (bonus * h.size if due else 0.0))
                    col_rows.append([(e, 1.0), (quota_row[code], float(h.size)), (r, 1.0)])
        if not col_cost:
            break
        n_cols = len(col_cost)
        prices.columns = max(prices.columns, n_cols)
        if 0 < settings.transport_max_columns < n_cols:
            return None  # too large to solve within the week's time (the national instance)
        solver = sparse_highs(col_cost, col_rows, row_upper, highspy.kHighsInf)
        solver.run()
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            continue
        duals = solver.getSolution().row_dual
        solved += 1
        for (code, k), r in class_row.items():
            prices.homes[code][k] = prices.homes[code].get(k, 0.0) + abs(float(duals[r]))
        for code, r in quota_row.items():
            prices.quota[code] += abs(float(duals[r]))
    solved = max(1, solved)
    prices.homes = {code: {k: round(p / solved, 3) for k, p in ks.items()} for code, ks in prices.homes.items()}
    prices.quota = {code: round(p / solved, 3) for code, p in prices.quota.items()}
    return prices


def expected_wait_weeks(rules: Rules, history: History, h: Household, code: str, ahead: int) -> float:
    """Weeks until a home in ``code`` that fits ``h`` is expected, with ``ahead`` households
    coupled there already competing for the same homes."""
    rate = history.home_rate(h, code)
    if rate <= 0:
        return math.inf
    return (1 + ahead) / rate


def household_potentials(f: Any, rules: Rules, history: History, value: Any,
                         buckets: tuple[tuple[int, int], ...]) -> dict[int, float]:
    """Per class of the week's programme, the dual price of its households in a linear programme
    that houses the households waiting now in the homes expected over the coming weeks (the
    history's homes a week per municipality and kind, no home of the future itself).

    ``value(h, week)`` is what housing ``h`` in that week is worth.  A household with many fitting
    homes to come has a high potential: housing it now gains only the difference, so this week's
    homes go first to those who have no other chance soon (Ahani et al.'s potentials, here on the
    households' side)."""
    import highspy
    import numpy as np

    if history.weeks == 0 or not buckets:
        return {}
    # Home classes per municipality: (kind, capacity, minimum occupancy, accessible) with a rate.
    kinds: dict[str, dict[tuple, list[Dwelling]]] = defaultdict(lambda: defaultdict(list))
    for d in history.homes.values():
        kinds[d.municipality][(d.kind, d.capacity, d.min_occupancy, d.accessible)].append(d)
    home_rows: dict[tuple, int] = {}
    row_cap: list[float] = []
    cols: list[tuple[int, int, float, float]] = []  # (class row, home row, coefficient, value)
    for ci, c in enumerate(f.classes):
        h = c.first
        if not h.document_ready:
            continue
        for code in rules.candidate_municipalities(h):
            for key, ds in kinds.get(code, {}).items():
                d = ds[0]
                if not dwelling_fits(h, d):
                    continue
                rate = len(ds) / history.weeks
                per_home = 1.0 if d.kind.value == "regular" else float(d.capacity)
                for b, (first, length) in enumerate(buckets):
                    row = home_rows.setdefault((code, key, b), len(home_rows))
                    if row == len(row_cap):
                        row_cap.append(rate * length * per_home)
                    v = value(h, first)
                    if v > 0:
                        cols.append((ci, row, 1.0 if d.kind.value == "regular" else float(h.size), v))
    if not cols:
        return {}
    n_class = len(f.classes)
    n = len(cols)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, n_class + len(home_rows)
    lp.col_cost_ = np.array([v for *_, v in cols])
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.full(n, highspy.kHighsInf)
    lp.row_lower_ = np.full(lp.num_row_, -highspy.kHighsInf)
    lp.row_upper_ = np.array([float(len(c.members)) for c in f.classes] + row_cap)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 2 * n + 1, 2, dtype=np.int32)
    lp.a_matrix_.index_ = np.array([r for ci, row, _, _ in cols for r in (ci, n_class + row)], dtype=np.int32)
    lp.a_matrix_.value_ = np.array([x for _, _, coef, _ in cols for x in (1.0, coef)])
    lp.sense_ = highspy.ObjSense.kMaximize
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("threads", 1)
    solver.passModel(lp)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return {}
    duals = solver.getSolution().row_dual
    return {ci: abs(float(duals[ci])) for ci in range(n_class) if abs(float(duals[ci])) > 1e-9}


def _prune(f: Any, terms: dict[int, float], per_place: int) -> int:
    """Keep, for each slot of homes, the house variables of its ``per_place`` × places + 5 most
    valuable classes (by the value of housing their best member now and in that slot); the others
    get an upper bound of 0.  A slot takes at most its places, so only the best candidates can be
    in an optimum unless they are all wanted elsewhere; this keeps the national programme small.
    Returns how many variables were pruned (0 with ``per_place`` = 0: nothing is pruned)."""
    if per_place <= 0:
        return 0
    best: dict[int, float] = defaultdict(float)
    for ci, _, hv, _ in f.bucket_vars:
        best[ci] = max(best[ci], terms.get(hv, 0.0))
    by_slot: dict[str, list[tuple[float, int]]] = defaultdict(list)
    places: dict[str, int] = {}
    for ci, var, slot in f.house_vars:
        by_slot[slot.first.dwelling_id].append((best[ci] + terms.get(var, 0.0) * 1.0, var))
        places[slot.first.dwelling_id] = (len(slot.dwellings) if slot.first.kind.value == "regular"
                                          else slot.first.capacity)
    pruned = 0
    for slot_id, candidates in by_slot.items():
        keep = per_place * places[slot_id] + 5
        if len(candidates) <= keep:
            continue
        candidates.sort(key=lambda x: (-x[0], x[1]))
        for _, var in candidates[keep:]:
            f.vars[var].upper = 0
            pruned += 1
    return pruned


@dataclass
class LookaheadResult:
    """A look-ahead proposal and what it was based on (for the summary)."""

    proposal: Proposal
    prices: dict[str, float]
    info: dict[str, Any]
    rules: Rules
    """The rules the proposal was made under (for writing and explaining it)."""
    home_prices: HomePrices | None = None
    """The transport programme's prices (None when it is off or not solved)."""


def propose(instance: Instance, params: Params, history: History, week: int = 0,
            settings: LookaheadSettings | None = None, time_limit: float | None = 20.0,
            seed: int = 0, weeks_left: int | None = None) -> LookaheadResult:
    """This week's look-ahead proposal for ``instance``, priced from ``history`` (the past only).

    ``week`` is the week of the period (the simulation's); ``weeks_left``, when given, the weeks
    after this one until the period ends (the command line computes it from ``as_of``)."""
    from matcher.solvers.base import SolveOptions
    from matcher.solvers.formulation import build
    from matcher.solvers.highs import HighspyBackend

    settings = settings or LookaheadSettings()
    start = time.perf_counter()
    rules = Rules(instance, params)
    prices = quota_prices(rules, history, week, settings, seed, weeks_left)
    end = params.end
    window = 7 * settings.window_weeks
    if settings.window_to_period_end:
        left = settings.period_weeks - 1 - week % settings.period_weeks if weeks_left is None else weeks_left
        window = 7 * max(1, left)
    coupling_days = params.coupling_days

    def in_time(h: Household) -> bool:
        return (params.as_of - h.permit_date).days <= coupling_days

    def due(h: Household) -> bool:
        # Next week's proposal would be too late for its 14 days.
        return in_time(h) and (params.as_of - h.permit_date).days + 7 > coupling_days

    def split(h: Household) -> tuple:
        # What the objective tells apart: whether the 14 days still run (uncoupled households'
        # buckets carry the permit age), and for coupled households the permit week (the days
        # still to accrue differ by at most six days within it).
        if h.coupled_to is None:
            return (in_time(h), due(h))
        return ((params.as_of - h.permit_date).days // 7,)

    f = build(rules, split=split)

    # Households coupled to each municipality and waiting, per size: the competition for its homes.
    coupled_by: dict[str, list[Household]] = defaultdict(list)
    for h in instance.households:
        if h.coupled_to is not None:
            coupled_by[h.coupled_to].append(h)
    ahead_cache: dict[tuple, int] = {}

    def ahead(h: Household, code: str) -> int:
        key = (code, h.size, h.amv, h.needs_accessible)
        if key not in ahead_cache:
            fits = [d for d in history._homes_by_code().get(code, ()) if dwelling_fits(h, d)]
            ahead_cache[key] = sum(1 for g in coupled_by.get(code, ()) if any(dwelling_fits(g, d) for d in fits))
        return ahead_cache[key]

    wait_cost: dict[tuple, float] = {}

    def coupling_cost(h: Household, code: str) -> float:
        key = (h.size, h.amv, h.needs_accessible, h.permit_date, code)
        if key not in wait_cost:
            weeks = expected_wait_weeks(rules, history, h, code, ahead(h, code))
            days = window if math.isinf(weeks) else min(window, 7 * weeks)
            # The person-days past the norm accrued while waiting that long.
            accrue = accrual_days(h, end, int(days)) if days > 0 else 0
            wait_cost[key] = settings.wait_weight * h.size * (accrue + days / 7)
        return wait_cost[key]

    def value(h: Household, weeks: int = 0) -> float:
        """What housing ``h`` ``weeks`` weeks from now is worth."""
        day = end + dt.timedelta(days=7 * weeks)
        left = window - 7 * weeks
        if left <= 0:
            return 0.0
        long_wait = max(0, (day - h.permit_date).days - settings.long_wait_days)
        return (h.size * (accrual_days(h, day, left) + settings.base_days) + settings.guard * _honest_overdue(h, day)
                + settings.long_wait_weight * long_wait)

    transport = (home_prices(rules, history, week, settings, value, in_time, seed, weeks_left)
                 if settings.transport_weight > 0 else None)
    cheapest_quota: dict[tuple, float] = {}

    def transport_cost(h: Household, code: str) -> float:
        if transport is None:
            return 0.0
        where = (h.location_id, h.size, h.amv, h.coupled_to)
        if where not in cheapest_quota:
            near = [transport.quota.get(c, 0.0) for c in rules.candidate_municipalities(h)]
            cheapest_quota[where] = min(near, default=0.0)
        extra = h.size * max(0.0, transport.quota.get(code, 0.0) - cheapest_quota[where])
        return settings.transport_weight * (transport.coupling_cost(h, code, value(h)) + extra)

    potentials = (household_potentials(f, rules, history, value, settings.potential_buckets)
                  if settings.potential_weight > 0 else {})
    terms: dict[int, float] = defaultdict(float)
    for ci, key, hv, pv in f.bucket_vars:
        h = f.classes[ci].buckets[key][0]
        if h.in_temporary:
            # Housed for the quota already, out of reception: its onward move is worth the least a
            # housing is, days past its year in the temporary home aside.
            terms[hv] += settings.base_days * h.size + settings.guard * rules.overdue(h)
            continue
        now = value(h)
        terms[hv] += max(settings.base_days * h.size, now - settings.potential_weight * potentials.get(ci, 0.0))
        if pv != hv and due(h):
            # Coupled (or housed) in time now, or too late next week.
            terms[pv] += settings.coupling_bonus * h.size
    for ci, var, slot in f.house_vars:
        h = f.classes[ci].first
        code = slot.municipality
        if h.coupled_to != code:
            if not in_time(h):
                terms[var] -= settings.reserve_days * prices.get(code, 0.0) * h.size
            terms[var] -= settings.km_cost * h.size * rules.household_km(h, code)
    for ci, var, code in f.couple_vars:
        h = f.classes[ci].first
        cost = settings.km_cost * h.size * rules.household_km(h, code)
        cost += transport_cost(h, code) if transport is not None else coupling_cost(h, code)
        if in_time(h):
            if not due(h):
                f.vars[var].upper = 0  # not yet: next week is still in time, and coupling narrows its homes
        else:
            cost += settings.reserve_days * prices.get(code, 0.0) * h.size - settings.late_coupling * h.size
            if cost >= 0:
                # Its placed counter earns nothing without a home: this coupling only costs.
                f.vars[var].upper = 0
        terms[var] -= cost
    plan = None
    if settings.plan_weight > 0 and history.weeks > 0:
        from matcher.sampled_plan import plan_week

        left = settings.period_weeks - 1 - week % settings.period_weeks if weeks_left is None else weeks_left
        plan = plan_week(rules, history, min(settings.plan_weeks, left + 1), settings.plan_samples, seed, week,
                         settings.base_days, settings.coupling_bonus, settings.offer_weeks,
                         coupling_days=coupling_days, max_columns=settings.plan_max_columns,
                         guard=settings.plan_guard * settings.guard, long_wait_days=settings.long_wait_days,
                         long_wait_weight=settings.plan_guard * settings.long_wait_weight,
                         shared=settings.plan_shared,
                         later_coupling_bonus=settings.plan_later_coupling if settings.plan_later_coupling >= 0 else None,
                         value_weeks=left + 1 if settings.plan_value_to_period_end else None,
                         integer=settings.plan_integer)
    if plan is not None:
        for ci, var, slot in f.house_vars:
            c = f.classes[ci]
            code = slot.municipality
            share = sum(plan.house.get((h.household_id, d.dwelling_id), 0.0) for h in c.members for d in slot.dwellings)
            share += sum(plan.couple.get((h.household_id, code), 0.0) for h in c.members)
            units = max(1, min(len(c.members), f.vars[var].upper))
            if 0 < settings.plan_long_wait_days < (end - c.first.permit_date).days:
                share = float(units)  # the longest waiters: as if every plan housed them here
            if share > 0:
                terms[var] += settings.plan_weight * c.first.size * share / units

        for ci, var, code in f.couple_vars:
            c = f.classes[ci]
            share = sum(plan.couple.get((h.household_id, code), 0.0) for h in c.members)
            if share > 0:
                terms[var] += settings.plan_weight * c.first.size * share / len(c.members)
    pruned = _prune(f, terms, settings.candidates_per_place)
    objective = [(var, coef) for var, coef in sorted(terms.items()) if coef]
    f.objectives = (objective, [], [], [])
    build_s = time.perf_counter() - start
    backend = HighspyBackend(f, SolveOptions(time_limit=time_limit, seed=seed, workers=1))
    from matcher.exceptions import LocksInfeasibleError
    from matcher.solvers.greedy import greedy_assignments

    try:
        hint = f.values_from(greedy_assignments(rules))
    except LocksInfeasibleError:  # locks greedy cannot honour: no warm start
        hint = None
    result = backend.optimise(0, time_limit, hint)
    if result.values is None:
        from matcher.solvers.greedy import greedy_assignments

        assignments = greedy_assignments(rules)
        message = f"look-ahead found no solution ({result.native}); the greedy proposal is returned"
    else:
        assignments = f.assignments(result.values)
        message = (f"look-ahead: {result.outcome.value} for its own objective ({result.native}); "
                   "not the lexicographic optimum of the levels")
    levels = evaluate(rules, assignments)
    proposal = Proposal(
        assignments=tuple(assignments[h.household_id] for h in instance.households),
        status=Status.FEASIBLE,
        solver="lookahead",
        levels=levels,
        runtime_s=time.perf_counter() - start,
        message=message,
        stats={
            "variables": len(f.vars),
            "constraints": len(f.constraints),
            "classes": len(f.classes),
            "households": len(instance.households),
            "build_s": round(build_s, 3),
            "pruned": pruned,
        },
    )
    coupled_due = sum(1 for h in instance.households if h.coupled_to is None and due(h))
    info = {
        "history_weeks": history.weeks,
        "homes_seen": len(history.homes),
        "permits_seen": len(history.permits),
        "due_households": coupled_due,
        "transport": ("off" if settings.transport_weight <= 0 else
                      "not solved: larger than transport_max_columns; the expected wait is used" if transport is None
                      else f"solved: {transport.columns} columns, {max(1, settings.samples)} sampled trajectories"),
        "settings": settings.as_dict(),
        "plan": ("off" if settings.plan_weight <= 0 else "not made" if plan is None else
                 f"{plan.samples} sampled plans, {plan.columns} columns, {plan.seconds} s"),
    }
    return LookaheadResult(proposal, prices, info, rules, transport)




HISTORY_COLUMNS = ("type", "id", "date", "municipality", "kind", "capacity", "min_occupancy", "accessible",
                   "location_id", "size", "amv", "needs_accessible")
"""Columns of a history file: one row per past offer (``type`` ``offer``: ``municipality``, ``kind``,
``capacity``, ``min_occupancy``, ``accessible``) or past permit (``type`` ``permit``:
``location_id``, ``size``, ``amv``, ``needs_accessible``); ``date`` is the day the home was offered
or the permit granted (YYYY-MM-DD).  Columns a row's type does not use may be empty."""


def read_history(path: Any, as_of: dt.date) -> History:
    """The offers and permits of a history file (:data:`HISTORY_COLUMNS`) before ``as_of``.

    The weeks covered run from the earliest date to ``as_of``.  Raises
    :class:`~matcher.exceptions.InstanceError` naming file:row:column for a bad value."""
    import csv
    from pathlib import Path

    from matcher.exceptions import InstanceError, Problem
    from matcher.models import DwellingKind

    path = Path(path)
    name = path.name
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InstanceError([Problem(name, "history file not found")]) from None
    except UnicodeDecodeError as exc:
        raise InstanceError([Problem(name, f"is not UTF-8 text ({exc.reason}); save it as UTF-8")]) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InstanceError([Problem(name, "is empty; expected a header " + ",".join(HISTORY_COLUMNS))])
    header = [c.strip() for c in rows[0]]
    missing = [c for c in ("type", "id", "date") if c not in header]
    if missing:
        raise InstanceError([Problem(name, f"missing column(s) {', '.join(missing)}; expected {','.join(HISTORY_COLUMNS)}", 1)])
    col = {c: i for i, c in enumerate(header)}
    homes: list[tuple[dt.date, Dwelling]] = []
    permits: list[tuple[dt.date, Household]] = []

    def cell(row: list[str], key: str) -> str:
        i = col.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    def where(key: str) -> int | None:
        return col[key] + 1 if key in col else None

    def number(row: list[str], r: int, key: str, default: int | None = None) -> int:
        raw = cell(row, key)
        if raw == "" and default is not None:
            return default
        if not raw.isdigit():
            raise ValueError((key, f"{key} {raw!r} is not a whole number >= 0"))
        return int(raw)

    def flag(row: list[str], key: str) -> bool:
        raw = cell(row, key).lower()
        if raw in ("", "0", "false", "no"):
            return False
        if raw in ("1", "true", "yes"):
            return True
        raise ValueError((key, f"{key} {raw!r} is not 0/1 or true/false"))

    for r, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        try:
            kind_of_row = cell(row, "type").lower()
            try:
                day = dt.date.fromisoformat(cell(row, "date"))
            except ValueError:
                raise ValueError(("date", f"date {cell(row, 'date')!r} is not a date; expected YYYY-MM-DD")) from None
            if day >= as_of:
                continue  # not in the past: never used
            ident = cell(row, "id")
            if not ident:
                raise ValueError(("id", "id is empty"))
            if kind_of_row == "offer":
                try:
                    kind = DwellingKind(cell(row, "kind").lower())
                except ValueError:
                    raise ValueError(("kind", f"kind {cell(row, 'kind')!r}; expected regular, shared, amv or temporary")) from None
                capacity = number(row, r, "capacity")
                if capacity < 1:
                    raise ValueError(("capacity", "capacity must be at least 1"))
                if not cell(row, "municipality"):
                    raise ValueError(("municipality", "municipality is empty"))
                homes.append((day, Dwelling(ident, cell(row, "municipality"), kind, capacity, day,
                                            number(row, r, "min_occupancy", 1), flag(row, "accessible"))))
            elif kind_of_row == "permit":
                size = number(row, r, "size")
                if size < 1:
                    raise ValueError(("size", "size must be at least 1"))
                if not cell(row, "location_id"):
                    raise ValueError(("location_id", "location_id is empty"))
                permits.append((day, Household(ident, size, cell(row, "location_id"), day, amv=flag(row, "amv"),
                                               needs_accessible=flag(row, "needs_accessible"))))
            else:
                raise ValueError(("type", f"type {cell(row, 'type')!r}; expected offer or permit"))
        except ValueError as exc:
            key, message = exc.args[0] if exc.args and isinstance(exc.args[0], tuple) else ("type", str(exc))
            problems.append(Problem(name, message, r, where(key)))
    if problems:
        raise InstanceError(problems)
    history = History()
    dates = [d for d, _ in homes] + [d for d, _ in permits]
    if not dates:
        return history
    history.homes = {d.dwelling_id: d for _, d in homes}
    history.permits = {h.household_id: h for _, h in permits}
    history.weeks = max(1, math.ceil((as_of - min(dates)).days / 7))
    return history


__all__ = ["HISTORY_COLUMNS", "History", "HomePrices", "LookaheadResult", "LookaheadSettings", "accrual_days", "home_prices", "propose",
           "quota_prices", "read_history"]
