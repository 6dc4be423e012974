"""Deadlines everyone sees (issue 14 item 5): COA's coupling deadline (permit + 14 days) and the
municipality's housing deadline (coupling + 84 days), with days left or overdue, in the household
JSON (sortable by urgency), the pages, the planner overview and the proposal exports.  The dates
below are worked out by hand: month ends, the deadline day itself, the day after."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from api_testing import API, enschede_world, household, ok, upsert

from api.services.deadlines import deadline, deadlines
from matcher.models.params import COUPLING_DAYS, NORM_DAYS

D = dt.date.fromisoformat


def test_the_norms_are_the_engines():
    assert (COUPLING_DAYS, NORM_DAYS) == (14, 84)


@pytest.mark.parametrize(("on", "status", "left"), [
    ("2023-01-30", "open", 1),      # the day before
    ("2023-01-31", "open", 0),      # the deadline day itself: not yet overdue
    ("2023-02-01", "overdue", -1),  # the day after, across the month end
    ("2023-03-01", "overdue", -29),
])
def test_a_coupling_deadline_at_a_month_end(on, status, left):
    """Permit 17 January 2023 + 14 days = 31 January 2023."""
    d = deadlines("waiting", D("2023-01-17"), None, None, D(on)).coupling
    assert (d.due, d.status, d.days_left, d.done_on) == (D("2023-01-31"), status, left, None)


def test_february_has_28_days_in_2023():
    """Permit 15 February 2023 + 14 = 1 March 2023; coupled on that day: met with 0 days to spare,
    a day later: late by 1; coupled 1 March + 84 = 24 May 2023 (30 + 30 + 24)."""
    on_time = deadlines("coupled", D("2023-02-15"), D("2023-03-01"), None, D("2023-04-01"))
    assert (on_time.coupling.due, on_time.coupling.status, on_time.coupling.days_left) == (D("2023-03-01"), "met", 0)
    assert (on_time.housing.due, on_time.housing.status, on_time.housing.days_left) == (D("2023-05-24"), "open", 53)
    assert on_time.next == "housing" and on_time.urgency == 53
    late = deadlines("coupled", D("2023-02-15"), D("2023-03-02"), None, D("2023-05-25")).coupling
    assert (late.status, late.days_left, late.done_on) == ("late", -1, D("2023-03-02"))


def test_the_housing_deadline_across_a_year_end():
    """Coupled 31 October 2023 + 84 days = 23 January 2024 (30 in November, 31 in December, 23)."""
    d = deadlines("coupled", D("2023-10-20"), D("2023-10-31"), None, D("2024-01-23")).housing
    assert (d.due, d.status, d.days_left) == (D("2024-01-23"), "open", 0)
    d = deadlines("coupled", D("2023-10-20"), D("2023-10-31"), None, D("2024-01-24")).housing
    assert (d.status, d.days_left) == ("overdue", -1)


def test_a_household_not_yet_coupled_counts_its_housing_deadline_from_its_coupling_deadline():
    """Permit 17 January 2023: coupling due 31 January, housing 31 January + 84 = 25 April 2023
    (28 in February, 31 in March, 25), as the engine's overdue clock counts."""
    d = deadlines("waiting", D("2023-01-17"), None, None, D("2023-04-25"))
    assert (d.housing.due, d.housing.status, d.housing.days_left) == (D("2023-04-25"), "open", 0)
    assert d.next == "coupling" and d.urgency == -84


def test_housed_on_the_day_itself_is_met_and_nothing_is_open():
    d = deadlines("housed", D("2023-02-15"), D("2023-03-01"), D("2023-05-24"), D("2023-06-30"))
    assert (d.housing.status, d.housing.days_left, d.housing.done_on) == ("met", 0, D("2023-05-24"))
    assert d.next is None and d.urgency is None
    late = deadlines("housed", D("2023-02-15"), D("2023-03-01"), D("2023-05-31"), D("2023-06-30")).housing
    assert (late.status, late.days_left) == ("late", -7)


def test_a_moving_in_household_still_works_towards_its_housing_deadline():
    d = deadlines("moving_in", D("2023-02-15"), D("2023-03-01"), None, D("2023-05-25"))
    assert (d.next, d.housing.status, d.housing.days_left) == ("housing", "overdue", -1)


def test_a_date_after_the_day_asked_about_does_not_count_yet():
    assert deadline(D("2023-05-24"), D("2023-05-30"), D("2023-05-20")).status == "open"


# --- the service --------------------------------------------------------------------------------

def _ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


def _world(client, auth) -> None:
    """Five households relative to today (so that the API's today is the test's):
    c-late coupled 100 days ago (housing 16 days overdue), w-late waiting with a permit 20 days
    ago (coupling 6 days overdue), w-due with a permit 14 days ago (due today), c-new coupled 10
    days ago (74 days left), housed (nothing open)."""
    upsert(client, auth,
           household("w-late", 2, permit_date=_ago(20)),
           household("w-due", 1, permit_date=_ago(14)),
           household("c-late", 3, permit_date=_ago(110), state="coupled", municipality="GM0153", coupling_date=_ago(100)),
           household("c-new", 1, permit_date=_ago(30), state="coupled", municipality="GM0153", coupling_date=_ago(10)),
           household("housed", 1, permit_date=_ago(200), state="housed", municipality="GM0153", coupling_date=_ago(190),
                     housed_date=_ago(120)))


def test_the_household_json_carries_both_deadlines_with_days_left(client, auth):
    _world(client, auth)
    h = ok(client.get(f"{API}/households/w-due", headers=auth.coa))["deadlines"]
    assert h["coupling"] == {"due": dt.date.today().isoformat(), "status": "open", "days_left": 0, "done_on": None}
    assert h["housing"]["due"] == (dt.date.today() + dt.timedelta(days=84)).isoformat() and h["next"] == "coupling"
    late = ok(client.get(f"{API}/households/c-late", headers=auth.coa))["deadlines"]
    assert late["coupling"] == {"due": _ago(96), "status": "met", "days_left": 4, "done_on": _ago(100)}
    assert (late["housing"]["status"], late["housing"]["days_left"], late["next"]) == ("overdue", -16, "housing")
    housed = ok(client.get(f"{API}/households/housed", headers=auth.coa))["deadlines"]
    assert (housed["housing"]["status"], housed["housing"]["days_left"], housed["next"]) == ("met", 14, None)


def test_households_sort_by_urgency(client, auth):
    _world(client, auth)
    ids = [h["household_id"] for h in ok(client.get(f"{API}/households", headers=auth.coa,
                                                    params={"sort": "urgency"}))["items"]]
    assert ids == ["c-late", "w-late", "w-due", "c-new", "housed"]
    by_id = [h["household_id"] for h in ok(client.get(f"{API}/households", headers=auth.coa))["items"]]
    assert by_id == sorted(by_id)
    page = ok(client.get(f"{API}/households", headers=auth.coa, params={"sort": "urgency", "limit": 2, "offset": 1}))
    assert [h["household_id"] for h in page["items"]] == ["w-late", "w-due"] and page["total"] == 5


def test_a_municipality_sees_the_deadlines_of_its_own_households_only(client, auth):
    _world(client, auth)
    mine = ok(client.get(f"{API}/households", headers=auth.enschede, params={"sort": "urgency"}))["items"]
    assert [h["household_id"] for h in mine] == ["c-late", "c-new", "housed"]
    assert mine[0]["deadlines"]["housing"]["days_left"] == -16
    assert ok(client.get(f"{API}/households", headers=auth.hengelo, params={"sort": "urgency"}))["total"] == 0
    assert client.get(f"{API}/households/w-late", headers=auth.hengelo).status_code == 404
    assert client.get(f"{API}/households", params={"sort": "urgency"}).status_code == 401
    assert client.get(f"{API}/households", headers=auth.revoked).status_code == 401
    assert client.get(f"{API}/households", headers=auth.coa, params={"sort": "soonest"}).status_code == 422


def test_the_exports_carry_the_deadlines_on_the_run_date(client, auth, run_jobs):
    """enschede_world runs on 2023-07-03: h-single (permit 1 January 2023) was due to be coupled
    on 15 January (169 days overdue), and to be housed on 15 January + 84 = 9 April 2023 (85 days
    overdue: 16 + 28 + 31 + 9 = 84)."""
    world = enschede_world(client, auth, run_jobs)
    text = ok(client.get(f"{API}/proposals/{world['job']['id']}/export.csv", headers=auth.coa)).decode("utf-8")
    rows = {r["household_id"]: r for r in csv.DictReader(io.StringIO(text))}
    single = rows["h-single"]
    assert (single["coupling_deadline"], single["coupling_status"], single["coupling_days_left"]) == \
        ("2023-01-15", "overdue", "-169")
    assert (single["housing_deadline"], single["housing_status"], single["housing_days_left"]) == \
        ("2023-04-09", "overdue", "-85")
