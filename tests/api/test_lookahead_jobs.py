"""The service's weekly proposal with the look-ahead policy (issue 13, item 4): the job builds
the History from the database's offers and permits (the past only), proposes with
:func:`matcher.lookahead.propose`, passes the independent checker like every job, and its
summary reports the quota prices and why.  On SQLite and PostgreSQL (the fixtures)."""

from __future__ import annotations

import datetime as dt

from api_testing import API, home, household, offer, ok, propose, upsert

from api.engine import history

AS_OF = dt.date(2023, 7, 3)  # a Monday; the history window starts 26 weeks before, 2023-01-02

PAST = [
    household("p-old", 2, permit_date="2022-12-30"),  # before the window: not read
    household("p-1", 2, permit_date="2023-06-05"),  # the first date in the window: week 0
    household("p-2", 3, permit_date="2023-06-12", state="housed", municipality="GM0153",
              coupling_date="2023-06-13", housed_date="2023-06-30"),  # housed since: still a permit of week 1
    household("p-3", 1, permit_date="2023-07-02"),  # the day before as_of: week 3
    household("p-now", 1, permit_date="2023-07-03"),  # on as_of: not the past
]


def test_history_reads_the_past_offers_and_permits_week_by_week(client, auth, service):
    upsert(client, auth, *PAST)
    offer(client, auth.enschede, home("E-past", capacity=3, available_from="2023-06-20"),
          home("E-later", capacity=2, available_from="2023-07-10"))
    offer(client, auth.hengelo, home("H-past", capacity=1, available_from="2023-06-05"))
    with service.sessions() as session:
        past = history(session, AS_OF)
    # from 5 June to 3 July: 28 days, 4 weeks of flow
    assert past.weeks == 4
    assert sorted(past.permits) == ["p-1", "p-2", "p-3"]
    assert sorted((d.municipality, d.capacity) for d in past.homes.values()) == [("GM0153", 3), ("GM0164", 1)]
    # 2 + 3 + 1 persons in 4 weeks, all in azc-enschede
    assert dict(past.persons_per_week()) == {"azc-enschede": 1.5}
    single = next(h for h in past.permits.values() if h.household_id == "p-3")
    assert past.home_rate(single, "GM0153") == 0.25 and past.home_rate(single, "GM0164") == 0.25


def test_an_empty_past_is_an_empty_history(client, auth, service):
    upsert(client, auth, household("p-now", 1, permit_date="2023-07-03"))
    with service.sessions() as session:
        past = history(session, AS_OF)
    assert (past.weeks, past.homes, past.permits) == (0, {}, {})


def test_a_lookahead_job_reports_its_prices_and_why(client, auth, run_jobs):
    upsert(client, auth, *PAST)
    offer(client, auth.enschede, home("E-1", capacity=3, available_from="2023-06-20"))
    job = propose(client, auth, run_jobs, as_of=AS_OF.isoformat(), params={"policy": "lookahead"})
    assert job["status"] == "done", job
    assert job["params"] == {"policy": "lookahead"}
    summary = job["summary"]
    assert summary["status"] == "feasible"  # the look-ahead is not the levels' optimum, and says so
    look = summary["lookahead"]
    assert look["policy"] == "lookahead" and look["history_weeks"] == 4
    assert look["permits_seen"] == 3 and look["homes_seen"] == 1
    assert "4 week(s) of history" in look["why"]
    prices = look["quota_prices"]
    assert set(prices) >= {"GM0153", "GM0164"} and all(0 <= p <= 1 for p in prices.values())
    # every line was checked by the independent checker before it was stored; the home is used
    lines = ok(client.get(f"{API}/proposals/{job['id']}/lines", headers=auth.coa))["items"]
    assert {line["household_id"] for line in lines} == {"p-old", "p-1", "p-3", "p-now"}  # p-2 is housed
    assert any(line["home_id"] is not None for line in lines)


def test_the_weekly_job_has_no_lookahead_and_an_empty_history_says_so(client, auth, run_jobs):
    upsert(client, auth, household("p-now", 1, permit_date="2023-07-03"))
    weekly = propose(client, auth, run_jobs, as_of=AS_OF.isoformat())
    assert weekly["status"] == "done" and "lookahead" not in weekly["summary"]
    job = propose(client, auth, run_jobs, as_of=AS_OF.isoformat(), params={"policy": "lookahead"}, reference="la")
    look = job["summary"]["lookahead"]
    assert look["history_weeks"] == 0 and look["why"].startswith("no offers or permits in the database")


def test_an_unknown_policy_is_named(client, auth):
    response = client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": "2023-07-03",
                                                                      "params": {"policy": "hindsight"}})
    assert response.status_code == 422 and "policy" in response.text
    assert client.post(f"{API}/proposals", headers=auth.enschede, json={
        "as_of": "2023-07-03", "params": {"policy": "lookahead"}}).status_code == 403
