"""Deadlines on the pages (issue 14 item 5): the municipality's households page and COA's
households page show each household's coupling and housing deadline as a long date with the days
left or overdue, sortable by urgency; the review page shows the next deadline of each line's
household; the planner overview counts the households past the coupling deadline.  Who may open
which page is the same as for the other pages."""

from __future__ import annotations

import datetime as dt
import html
import re

from web_testing import ENSCHEDE, HENGELO, sign_in

from api.services import households
from api.services.errors import Actor
from api.web.i18n import long_date
from api.worker import run_pending


def _ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


def world(engine) -> None:
    """As in tests/api/test_deadlines.py: c-late (housing 16 days overdue), w-late (coupling 6
    days overdue), w-due (coupling due today), c-new (housing in 74 days), housed."""
    from api.db import session_factory

    with session_factory(engine)() as session:
        households.upsert_batch(session, Actor(None, "test", "coa"), {"households": [
            {"household_id": "w-late", "size": 2, "location_id": "azc-enschede", "permit_date": _ago(20)},
            {"household_id": "w-due", "size": 1, "location_id": "azc-enschede", "permit_date": _ago(14)},
            {"household_id": "c-late", "size": 3, "location_id": "azc-enschede", "permit_date": _ago(110),
             "state": "coupled", "municipality": ENSCHEDE, "coupling_date": _ago(100)},
            {"household_id": "c-new", "size": 1, "location_id": "azc-enschede", "permit_date": _ago(30),
             "state": "coupled", "municipality": ENSCHEDE, "coupling_date": _ago(10)},
            {"household_id": "housed", "size": 1, "location_id": "azc-enschede", "permit_date": _ago(200),
             "state": "housed", "municipality": ENSCHEDE, "coupling_date": _ago(190), "housed_date": _ago(120)},
        ]})


def rows(page: str) -> dict[str, str]:
    return {h: body for h, body in re.findall(r'<tr data-household="([^"]+)"[^>]*>(.*?)</tr>', page, re.S)}


def cell(row: str, name: str) -> str:
    found = re.search(rf'<td class="{name}">(.*?)</td>', row, re.S)
    assert found, row
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


def test_the_municipality_sees_its_deadlines_in_dutch_and_by_urgency(client, secrets):
    world(client.app.state.engine)
    sign_in(client, secrets.enschede)
    page = client.get(f"/ui/municipality/{ENSCHEDE}/households", params={"sort": "urgency"})
    assert page.status_code == 200
    found = rows(page.text)
    assert list(found) == ["c-late", "c-new", "housed"]
    due = dt.date.today() - dt.timedelta(days=16)
    assert cell(found["c-late"], "housing-deadline") == f"{long_date('nl', due)}: 16 dagen over tijd"
    assert f'<time datetime="{due.isoformat()}">' in found["c-late"]
    assert cell(found["c-late"], "coupling-deadline").endswith(": gehaald")  # coupled 4 days before it
    assert cell(found["c-new"], "housing-deadline").endswith(": nog 74 dagen")
    assert cell(found["housed"], "housing-deadline").endswith(": gehaald")
    assert "Koppeltermijn COA" in page.text and "COA koppelt binnen 14 dagen na de vergunning" in page.text
    client.cookies.set("matcher_lang", "en")
    english = rows(client.get(f"/ui/municipality/{ENSCHEDE}/households", params={"sort": "urgency"}).text)
    assert cell(english["c-late"], "housing-deadline") == f"{long_date('en', due)}: 16 days overdue"
    by_id = rows(client.get(f"/ui/municipality/{ENSCHEDE}/households").text)
    assert list(by_id) == ["c-late", "c-new", "housed"]  # by id happens to agree; the select keeps the choice
    assert client.get(f"/ui/municipality/{ENSCHEDE}/households", params={"sort": "soonest"}).status_code == 422
    assert client.get(f"/ui/municipality/{HENGELO}/households").status_code == 404


def test_coa_lists_every_household_most_urgent_first(client, secrets):
    world(client.app.state.engine)
    sign_in(client, secrets.coa)
    page = client.get("/ui/planner/households")
    assert page.status_code == 200
    found = rows(page.text)
    assert list(found) == ["c-late", "w-late", "w-due", "c-new", "housed"]
    assert cell(found["w-late"], "coupling-deadline").endswith(": 6 dagen over tijd")
    assert cell(found["w-due"], "coupling-deadline") == f"{long_date('nl', dt.date.today())}: vandaag"
    assert 'data-next="coupling"' in page.text and 'data-next=""' in page.text
    waiting = rows(client.get("/ui/planner/households", params={"state": "waiting", "sort": "household"}).text)
    assert list(waiting) == ["w-due", "w-late"]


def test_the_municipality_cannot_open_coas_households_page(client, secrets):
    world(client.app.state.engine)
    assert client.get("/ui/planner/households", follow_redirects=False).status_code in (303, 401)
    sign_in(client, secrets.enschede)
    assert client.get("/ui/planner/households").status_code == 403


def test_the_overview_counts_households_past_the_coupling_deadline(client, secrets):
    """w-late from 6 days ago on, w-due from tomorrow on; coupled households are not counted."""
    world(client.app.state.engine)
    sign_in(client, secrets.coa)

    def past(on: dt.date) -> str:
        page = client.get("/ui/planner", params={"on": on.isoformat()}).text
        return re.search(r'data-figure="past-coupling">([^<]*)<', page).group(1)

    today = dt.date.today()
    assert [past(today - dt.timedelta(days=7)), past(today - dt.timedelta(days=5)), past(today),
            past(today + dt.timedelta(days=1))] == ["0", "1", "1", "2"]


def test_the_review_page_shows_the_next_deadline_and_sorts_by_it(client, secrets):
    world(client.app.state.engine)
    csrf = sign_in(client, secrets.coa)
    review = client.post("/ui/planner/proposals", data={"csrf": csrf, "as_of": dt.date.today().isoformat(),
                                                        "solver": "greedy"}, follow_redirects=False).headers["location"]
    run_pending(client.app.state.sessions, client.app.state.settings)
    page = client.get(review, params={"sort": "urgency"}).text
    order = re.findall(r'<tr id="line-\d+" data-household="([^"]+)"', page)
    assert order == ["c-late", "w-late", "w-due", "c-new"]  # the housed household has no line
    line = re.search(r'<tr id="line-\d+" data-household="w-late".*?</tr>', page, re.S).group(0)
    assert "koppeling: " in line and "6 dagen over tijd" in line
