"""The municipality's homes and households pages show every row a page at a time (100), with
the total, previous/next links and the rows' range in Dutch and English; the homes page used
to stop at the first 1,000 of 20,026 homes without saying so."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import insert
from web_testing import ENSCHEDE, HENGELO, sign_in

from api.models import Home, Household, utcnow

MANY = 2_050


def many_homes(engine, code: str, n: int, prefix: str) -> None:
    now = utcnow()
    rows = [{"municipality_code": code, "reference": f"{prefix}-{i:05d}", "kind": "regular", "capacity": 1 + i % 6,
             "min_occupancy": 1, "accessible": False, "available_from": dt.date(2023, 7, 1), "status": "open",
             "created_at": now, "updated_at": now} for i in range(n)]
    with engine.begin() as connection:
        connection.execute(insert(Home), rows)


def references(html: str) -> list[str]:
    return re.findall(r'<tr data-reference="([^"]+)"', html)


def test_the_homes_page_pages_through_every_home(app, client, secrets):
    many_homes(app.state.engine, ENSCHEDE, MANY, "E")
    many_homes(app.state.engine, HENGELO, 5, "H")  # another municipality's homes are neither shown nor counted
    sign_in(client, secrets.enschede)
    base = f"/ui/municipality/{ENSCHEDE}/homes"
    first = client.get(base)
    assert first.status_code == 200
    assert references(first.text) == [f"E-{i:05d}" for i in range(100)]
    assert f"{MANY} woningen" in first.text and f"1–100 van {MANY}" in first.text
    assert f'href="{base}?offset=100">Volgende<' in first.text and ">Vorige<" not in first.text
    seen: list[str] = []
    offset = 0
    while True:  # follow the "next" links to the end: every home once, in order
        page = client.get(base, params={"offset": offset})
        seen += references(page.text)
        following = re.search(rf'href="{base}\?offset=(\d+)">Volgende<', page.text)
        if following is None:
            break
        offset = int(following.group(1))
    assert seen == [f"E-{i:05d}" for i in range(MANY)]
    last = client.get(base, params={"offset": 2_000})
    assert f"2001–{MANY} van {MANY}" in last.text and f'href="{base}?offset=1900">Vorige<' in last.text
    client.get("/ui/lang/en", params={"next": base})
    english = client.get(base, params={"offset": 100})
    assert f"{MANY} homes" in english.text and f"101–200 of {MANY}" in english.text
    assert ">Previous<" in english.text and ">Next<" in english.text
    assert client.get(base, params={"offset": -1}).status_code == 422


def test_the_households_page_pages_too(app, client, secrets):
    now = utcnow()
    rows = [{"household_id": f"h{i:05d}", "size": 1, "location_id": "azc-enschede", "permit_date": dt.date(2023, 1, 1),
             "amv": False, "needs_accessible": False, "expected_extra": 0, "document_ready": True, "state": "coupled",
             "municipality_code": ENSCHEDE, "coupling_date": dt.date(2023, 6, 1), "created_at": now, "updated_at": now}
            for i in range(250)]
    with app.state.engine.begin() as connection:
        connection.execute(insert(Household), rows)
    sign_in(client, secrets.enschede)
    base = f"/ui/municipality/{ENSCHEDE}/households"
    page = client.get(base, params={"state": "coupled", "offset": 200})
    assert re.findall(r'<tr data-household="([^"]+)"', page.text) == [f"h{i:05d}" for i in range(200, 250)]
    assert "201–250 van 250" in page.text
    assert f'href="{base}?state=coupled&amp;sort=household&amp;offset=100">Vorige<' in page.text
