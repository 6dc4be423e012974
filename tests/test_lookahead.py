"""The look-ahead policy: valid every week, deterministic, priced from the past only, and COA's
14-day coupling kept where quota and range allow."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

import matcher.simulate.arrivals as arrivals
import matcher.simulate.run as run_module
from matcher.lookahead import History, LookaheadSettings, accrual_days, home_prices, propose
from matcher.models import Action, Household
from matcher.rules import Rules
from matcher.simulate import SimConfig, simulate
from matcher.simulate.run import Simulation

HVB = "hart-van-brabant"


def test_checked_every_week() -> None:
    """Six weeks on Hart van Brabant with refusals: the checker accepts every proposal (check=True
    raises otherwise), everyone is housed or waiting once, the status is honest."""
    run = Simulation(SimConfig(region=HVB, weeks=6, policy="lookahead", seed=1, refusal_rate=0.2, check=True))
    for _ in range(6):
        week = run.step()
        assert week.status == "feasible"  # not the lexicographic optimum of the levels, on purpose
        state = run.state
        housed = Counter(r.household_id for r in state.housed)
        assert max(housed.values(), default=1) == 1
        assert len(housed) + len(state.waiting) == state.arrived_households
    assert run.policy.prices and all(0 <= p <= 1 for prices in run.policy.prices.values() for p in prices.values())


def test_same_seed_same_numbers() -> None:
    config = SimConfig(region=HVB, weeks=4, policy="lookahead", seed=2)
    assert simulate(config).numbers() == simulate(config).numbers()


def test_week_zero_does_not_see_the_future(monkeypatch: pytest.MonkeyPatch) -> None:
    """Changing every stream after week 0 (twice the permits, no homes) changes nothing in week 0:
    neither the proposal, the prices nor the sampled plans it follows."""
    config = SimConfig(region=HVB, weeks=3, policy="lookahead", seed=0)
    plain = Simulation(config)
    plain.step()
    permits, homes = arrivals.weekly_permits, arrivals.weekly_homes

    def more_permits(sampler, seed, week, as_of, factor):  # type: ignore[no-untyped-def]
        return permits(sampler, seed, week, as_of, factor * (2 if week > 0 else 1))

    def no_homes(sampler, seed, week, as_of, factor):  # type: ignore[no-untyped-def]
        return homes(sampler, seed, week, as_of, factor) if week == 0 else []

    for module in (arrivals, run_module):
        monkeypatch.setattr(module, "weekly_permits", more_permits)
        monkeypatch.setattr(module, "weekly_homes", no_homes)
    changed = Simulation(config)
    changed.step()
    assert changed.last_proposal is not None and plain.last_proposal is not None
    assert changed.last_proposal.assignments == plain.last_proposal.assignments
    assert changed.policy.prices[0] == plain.policy.prices[0]
    assert plain.policy.home_prices[0] is not None  # the transport programme was solved
    assert changed.policy.home_prices[0] == plain.policy.home_prices[0]
    assert plain.policy.plans[0].startswith("8 sampled plans")  # the sampled plans were made
    changed.step()  # the change is really there from week 1 on
    assert changed.weeks[1].arrived_persons > 0


def test_due_households_are_coupled_where_quota_allows() -> None:
    """Every household whose 14 days end before next week's proposal is coupled (or housed),
    unless no municipality in its range has quota left for it after the proposal."""
    run = Simulation(SimConfig(region=HVB, weeks=3, policy="lookahead", seed=0))
    for _ in range(3):
        run.step()
        instance, proposal, params = run.last_instance, run.last_proposal, run.params
        assert instance is not None and proposal is not None
        rules = Rules(instance, params)
        used: Counter[str] = Counter()
        by_id = {h.household_id: h for h in instance.households}
        for a in proposal.assignments:
            h = by_id[a.household_id]
            if a.action is not Action.WAIT and a.municipality != h.coupled_to:
                used[a.municipality] += h.size
        due = [h for h in instance.households
               if h.coupled_to is None and 7 < (params.as_of - h.permit_date).days <= 14]
        lines = proposal.by_household()
        for h in due:
            if lines[h.household_id].action is Action.WAIT:
                left = [c for c in rules.candidate_municipalities(h) if rules.quota[c] - used[c] >= h.size]
                assert not left, f"{h.household_id} is due and waits although {left} have quota"
        # Households whose 14 days run on past next week are not coupled without a home.
        for h in instance.households:
            if h.coupled_to is None and (params.as_of - h.permit_date).days + 7 <= 14:
                assert lines[h.household_id].action is not Action.COUPLE


def test_accrual_counts_days_still_to_come() -> None:
    """A single 200 days past the norm accrues 91 days over 13 weeks, a family of five just at the
    norm 5 x 91: the family weighs more (overdue days still to accrue, not sunk days)."""
    day = dt.date(2024, 1, 1)
    single = Household("s", 1, "L", day - dt.timedelta(days=298))
    family = Household("f", 5, "L", day - dt.timedelta(days=98))
    fresh = Household("n", 3, "L", day - dt.timedelta(days=20))
    assert accrual_days(single, day, 91) == 91
    assert family.size * accrual_days(family, day, 91) == 455
    assert accrual_days(fresh, day, 91) == 13  # overdue from day 78 of the window


def test_history_counts_flow_not_stock() -> None:
    """The first instance seen is stock: it does not count as a week of offers."""
    run = Simulation(SimConfig(region=HVB, weeks=1, policy="greedy", seed=0))
    run.step()
    assert run.last_instance is not None
    history = History()
    history.observe(run.last_instance)
    assert history.weeks == 0 and not history.homes
    result = propose(run.last_instance, run.params, history, 0, LookaheadSettings(samples=1))
    assert all(v == 0.0 for v in result.prices.values())  # no history of arrivals: nothing to reserve


def test_stock_after_prior_history_is_not_flow() -> None:
    """The simulation's policy starts with 13 weeks of history; the households waiting and the homes
    on offer on the first Monday are still stock, not one more week of permits and offers (which
    doubled the permit rate the prices and the expected waits were based on)."""
    from matcher.simulate.policies import PRIOR_WEEKS

    run = Simulation(SimConfig(region=HVB, weeks=2, policy="lookahead", seed=0))
    history = run.policy.history
    before = (history.weeks, len(history.permits), len(history.homes), history.persons_per_week())
    run.step()
    assert run.last_instance is not None and len(run.last_instance.households) > 100
    assert (history.weeks, len(history.permits), len(history.homes)) == before[:3] == (PRIOR_WEEKS, *before[1:3])
    assert history.persons_per_week() == before[3]
    run.step()  # the second week's new permits and homes are flow
    assert history.weeks == PRIOR_WEEKS + 1
    new = run.weeks[1].arrived_households
    assert len(history.permits) - before[1] == new > 0


def test_run_json_records_the_prices(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The simulate command's run.json says which quota prices the policy used each week, and why."""
    import json

    from matcher.cli import main

    out = tmp_path / "out"
    assert main(["simulate", "--region", HVB, "--weeks", "2", "--policy", "lookahead", "--seed", "0",
                 "--out", str(out), "--quiet", "--no-plots"]) == 0
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))["policy"]
    assert set(record["quota_prices_by_week"]) == {"0", "1"}
    assert record["settings"]["coupling_bonus"] > 0 and "never the weeks to come" in record["why"]


def _history_csv(path, rows) -> None:  # type: ignore[no-untyped-def]
    import csv

    from matcher.lookahead import HISTORY_COLUMNS

    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HISTORY_COLUMNS)
        writer.writerows(rows)


def test_propose_lookahead_with_a_history_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`matcher propose --policy lookahead --history FILE`: the proposal passes the independent check
    (exit 0) and summary.json reports the quota prices, how much history they came from, and why."""
    import json

    from matcher.cli import main
    from matcher.simulate.policies import prior_history

    history = prior_history(SimConfig(region=HVB))
    rows = [["offer", d.dwelling_id, d.available_from.isoformat(), d.municipality, d.kind.value, d.capacity,
             d.min_occupancy, int(d.accessible), "", "", "", ""] for d in history.homes.values()]
    rows += [["permit", h.household_id, h.permit_date.isoformat(), "", "", "", "", "", h.location_id, h.size,
              int(h.amv), int(h.needs_accessible)] for h in history.permits.values()]
    _history_csv(tmp_path / "history.csv", rows)
    out = tmp_path / "out"
    assert main(["propose", "--example", HVB, "--policy", "lookahead", "--history", str(tmp_path / "history.csv"),
                 "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    record = summary["lookahead"]
    assert record["history_weeks"] >= 13 and record["permits_seen"] == len(history.permits)
    assert record["quota_prices"] and all(0 <= p <= 1 for p in record["quota_prices"].values())
    assert summary["status"] == "feasible"


def test_bad_history_row_names_file_row_column(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from matcher.exceptions import InstanceError
    from matcher.lookahead import read_history

    _history_csv(tmp_path / "history.csv", [
        ["offer", "d1", "2023-06-01", "GM0855", "regular", "4", "1", "0", "", "", "", ""],
        ["offer", "d2", "2023-06-01", "GM0855", "castle", "4", "1", "0", "", "", "", ""],
        ["permit", "p1", "2023-13-01", "", "", "", "", "", "L1", "2", "0", "0"],
    ])
    with pytest.raises(InstanceError) as err:
        read_history(tmp_path / "history.csv", dt.date(2023, 7, 3))
    text = str(err.value)
    assert "history.csv:3:5" in text and "castle" in text
    assert "history.csv:4:3" in text and "2023-13-01" in text


def _one_home(single_age: int, family_age: int, wait_single: int = 0) -> tuple:  # type: ignore[type-arg]
    """One family home (1-5 persons) and two households coupled to its municipality: a single
    whose permit is ``single_age`` days old and a family of five whose permit is ``family_age``."""
    from matcher.models import Dwelling, DwellingKind, Instance, Location, Municipality, Params

    day = dt.date(2024, 1, 1)
    m = Municipality("GM0001", "Een", "Utrecht", 52.0, 5.0, 10)
    loc = Location("L", "azc", 52.0, 5.01)
    single = Household("s", 1, "L", day - dt.timedelta(days=single_age), "GM0001", day - dt.timedelta(days=1))
    family = Household("f", 5, "L", day - dt.timedelta(days=family_age), "GM0001", day - dt.timedelta(days=1))
    home = Dwelling("d", "GM0001", DwellingKind.REGULAR, 5, day, 1)
    return Instance((m,), (loc,), (single, family), (home,)), Params(as_of=day)


def housed(instance, params, settings, weeks_left: int) -> str:  # type: ignore[no-untyped-def]
    result = propose(instance, params, History(), 0, settings, weeks_left=weeks_left)
    return next(a.household_id for a in result.proposal.assignments if a.action is Action.HOUSE)


def test_days_to_accrue_count_to_the_end_of_the_period() -> None:
    """Half a year left: a family of five whose norm ends in 88 days accrues 5 x 94 overdue days
    to the period's end, more than a single 22 days past it (175 + 22): the family gets the home.
    Counted over 13 weeks only (the old window), the family's 10 days lose to the single's 91."""
    instance, params = _one_home(single_age=120, family_age=10)
    assert housed(instance, params, LookaheadSettings(samples=1), weeks_left=25) == "f"
    assert housed(instance, params, LookaheadSettings(samples=1, window_to_period_end=False), weeks_left=25) == "s"
    # two weeks before the period's end the family accrues nothing in it: the single goes first
    assert housed(instance, params, LookaheadSettings(samples=1), weeks_left=2) == "s"


def test_longest_waiters_are_guarded() -> None:
    """A single 400 days after its permit against a family of five 100 days after it (and past the
    norm already): the family accrues more, but the guard for waits past 300 days houses the
    single; without the guards (both weights 0) the family."""
    instance, params = _one_home(single_age=400, family_age=100)
    assert housed(instance, params, LookaheadSettings(samples=1), weeks_left=25) == "s"
    assert housed(instance, params, LookaheadSettings(samples=1, guard=0.0, long_wait_weight=0.0), weeks_left=25) == "f"


def test_guard_weighs_days_overdue_already() -> None:
    """A single 250 days after its permit (152 past the norm, not yet a longest waiter past 300)
    against a family of five whose norm ends in 88 days: the family accrues about 5 x 94 overdue
    days to the period's end, the single 182 plus the guard x 152.  With the default guard (3) the
    single gets the home; with the former guard of 1 the family."""
    instance, params = _one_home(single_age=250, family_age=10)
    assert LookaheadSettings().guard == 3.0
    assert housed(instance, params, LookaheadSettings(samples=1), weeks_left=25) == "s"
    assert housed(instance, params, LookaheadSettings(samples=1, guard=1.0), weeks_left=25) == "f"


def _two_municipalities() -> tuple:  # type: ignore[type-arg]
    """A family of five at location L due for its coupling this week, two municipalities in its
    range that each offered one family home a week in the 10 weeks of history: Een next to L, Twee
    14 km away.  Three families of five a week had their permit at L2, 41 km from Een and 55 km
    from Twee: only Een is in their range."""
    from matcher.models import Dwelling, DwellingKind, Instance, Location, Municipality, Params

    day = dt.date(2024, 1, 1)
    een = Municipality("GM0001", "Een", "Utrecht", 52.0, 5.0, 1000)
    twee = Municipality("GM0002", "Twee", "Utrecht", 52.0, 5.2, 1000)
    near, far = Location("L", "azc", 52.0, 5.01), Location("L2", "azc", 52.0, 4.4)
    family = Household("f", 5, "L", day - dt.timedelta(days=10))
    history = History()
    for w in range(10, 0, -1):
        week = day - dt.timedelta(days=7 * w)
        homes = [Dwelling(f"{code}-{w}", code, DwellingKind.REGULAR, 5, week, 3) for code in ("GM0001", "GM0002")]
        permits = [Household(f"p{w}-{i}", 5, "L2", week) for i in range(3)] + [Household(f"q{w}", 1, "L", week)]
        history.add_week(homes, permits)
    return Instance((een, twee), (near, far), (family,), ()), Params(as_of=day), history


def coupled_to(instance, params, history, settings) -> str | None:  # type: ignore[no-untyped-def]
    result = propose(instance, params, history, 0, settings, weeks_left=25)
    (line,) = result.proposal.assignments
    assert line.action is Action.COUPLE
    return line.municipality


def test_transport_couples_where_fitting_homes_are_not_needed_by_others() -> None:
    """The transport programme sees that Een's family homes will go to the families of L2, who
    can go nowhere else, and couples the family to Twee, whose family homes nobody else needs.
    The expected wait alone (no transport: Een and Twee alike, nobody coupled there yet) takes the
    nearer Een.  Both are COA's in-time coupling."""
    instance, params, history = _two_municipalities()
    prices = home_prices(Rules(instance, params), history, 0, LookaheadSettings(samples=2),
                         lambda h: 100.0 * h.size, lambda h: True, weeks_left=25)
    assert prices is not None
    een = next(iter(prices.homes["GM0001"].values()))
    twee = next(iter(prices.homes["GM0002"].values()))
    assert een > twee
    assert coupled_to(instance, params, history, LookaheadSettings(samples=2)) == "GM0002"
    assert coupled_to(instance, params, history, LookaheadSettings(samples=2, transport_weight=0.0, plan_weight=0.0)) == "GM0001"
    # Above the column limit the programme is not solved: the expected wait decides.
    assert coupled_to(instance, params, history, LookaheadSettings(samples=2, transport_max_columns=1, plan_weight=0.0)) == "GM0001"


def test_sampled_plans_couple_where_fitting_homes_are_not_needed_by_others() -> None:
    """The same two municipalities: in every sampled future the families of L2 take Een's family
    homes, so the plans couple the family to Twee, and the look-ahead programme follows them
    without the transport programme.  Without plans (and without transport) it takes the nearer
    Een, as above."""
    from matcher.sampled_plan import plan_week

    instance, params, history = _two_municipalities()
    plan = plan_week(Rules(instance, params), history, 13, 4, 0, 0, 7.0, 10_000.0)
    assert plan is not None and plan.samples == 4
    assert plan.couple.get(("f", "GM0002"), 0.0) > 0.5 > plan.couple.get(("f", "GM0001"), 0.0)
    assert coupled_to(instance, params, history, LookaheadSettings(samples=2, transport_weight=0.0)) == "GM0002"
    # Above the column limit no plan is made: the expected wait decides again.
    assert plan_week(Rules(instance, params), history, 13, 4, 0, 0, 7.0, 10_000.0, max_columns=1) is None
    assert coupled_to(instance, params, history,
                      LookaheadSettings(samples=2, transport_weight=0.0, plan_max_columns=1)) == "GM0001"


def test_a_plan_on_a_given_future_follows_that_future() -> None:
    """The benchmark of what knowing the future is worth gives the plan the weeks to come: in a
    future where only Een offers family homes (one a week) and nobody else arrives, the plan
    couples the family to Een, against the sampled futures' Twee."""
    from matcher.models import Dwelling, DwellingKind
    from matcher.sampled_plan import plan_week

    instance, params, history = _two_municipalities()

    def future(k: int) -> tuple[list[Household], list[Dwelling]]:
        day = params.as_of + dt.timedelta(days=7 * k)
        return [], [Dwelling(f"een-{k}", "GM0001", DwellingKind.REGULAR, 5, day, 3)]

    plan = plan_week(Rules(instance, params), history, 13, 1, 0, 0, 7.0, 10_000.0, future=future)
    assert plan is not None
    assert plan.couple.get(("f", "GM0001"), 0.0) > 0.99


def test_a_household_the_lookahead_holds_quota_back_from_says_so_with_the_prices(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """With a history, the look-ahead leaves some households uncoupled although quota is left in
    range: their reason (kind not_chosen) says the quota is held back for permits still to come,
    with the quota prices of the municipalities in range that had room, in Dutch and English."""
    from matcher.explain import explain_proposal
    from matcher.lookahead import weeks_left_in_period
    from matcher.read import read_instance, read_params
    from matcher.reasons import render
    from matcher.simulate.policies import prior_history
    from matcher.synth import write_example

    folder = write_example(HVB, tmp_path, seed=0)
    instance, params = read_instance(folder), read_params(folder)
    result = propose(instance, params, prior_history(SimConfig(region=HVB)), params.as_of.toordinal() // 7,
                     time_limit=20, weeks_left=max(0, weeks_left_in_period(params.as_of) - 1))
    explained = explain_proposal(result.rules, result.proposal, "nl", prices=result.prices)
    held = [a for a in explained.assignments if a.reason_kind is not None and a.reason_kind.value == "not_chosen"
            and a.household_id not in {h.household_id for h in instance.households if h.coupled_to}]
    assert held, "the look-ahead held no quota back on this instance"
    for a in held:
        (note,) = [n for n in a.reason_values["notes"] if n["key"].startswith("note.reserved")]
        prices = sorted(round(result.prices[code], 4) for code in note["municipalities"] if result.prices[code] > 0)
        assert (note["price_min"], note["price_max"]) == (prices[0], prices[-1]) and note["count"] == len(note["municipalities"])
        assert "De vooruitblik houdt taakstelling vast" in a.reason
        assert "The look-ahead holds quota back" in render(a.reason_values, "en")
    plain = explain_proposal(result.rules, result.proposal, "nl")  # without prices (the weekly policy) no such note
    assert not any("note.reserved" in str(a.reason_values) for a in plain.assignments)
