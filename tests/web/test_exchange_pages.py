"""Exchanges of status holders on the pages, without a browser: a municipality asks on its
exchanges page (for its own coupled household and the other municipality's), both municipalities
see it, COA approves or declines it for both on its exchanges page; who may do what."""

from __future__ import annotations

import re

from web_testing import ENSCHEDE, HENGELO, exchange_world, sign_in


def _ask(client, csrf: str, code: str = ENSCHEDE, **data: str):
    return client.post(f"/ui/municipality/{code}/exchanges", data={"csrf": csrf, **data}, follow_redirects=False)


def test_a_municipality_asks_both_see_it_and_coa_approves(client, secrets):
    exchange_world(client.app.state.engine)
    csrf = sign_in(client, secrets.enschede)
    households = client.get(f"/ui/municipality/{ENSCHEDE}/households").text
    assert f'href="/ui/municipality/{ENSCHEDE}/exchanges?household=h-e#ask-exchange"' in households
    page = client.get(f"/ui/municipality/{ENSCHEDE}/exchanges", params={"household": "h-e"}).text
    assert 'id="ask-exchange"' in page and 'value="h-e"' in page and '<option value="h-e">' in page
    missing = _ask(client, csrf, household_a="h-e", household_b="h-h")
    assert missing.status_code == 422 and "Ruil niet aangevraagd" in missing.text and "reden: ontbreekt" in missing.text
    assert 'value="h-h"' in missing.text  # the form keeps what was typed
    unknown = _ask(client, csrf, household_a="h-e", household_b="h-nobody", reason="woningen")
    assert unknown.status_code == 422 and "huishouden B: huishouden h-nobody is geen gekoppeld huishouden" in unknown.text
    asked = _ask(client, csrf, household_a="h-e", household_b="h-h", reason="past in elkaars woningen")
    assert asked.status_code == 303 and asked.headers["location"].endswith("done=exchange_requested")
    page = client.get(asked.headers["location"]).text
    assert "Ruil aangevraagd: COA beslist erover." in page and 'data-status="pending"' in page
    assert "van Enschede (GM0153) naar Hengelo (O.) (GM0164)" in page
    again = _ask(client, csrf, household_a="h-e", household_b="h-h", reason="past in elkaars woningen")
    assert again.status_code == 409 and "zit al in ruil" in again.text
    households = client.get(f"/ui/municipality/{ENSCHEDE}/households").text
    assert "ruil met h-h aangevraagd, wacht op COA" in households

    client.cookies.clear()
    sign_in(client, secrets.hengelo)  # the other municipality sees it, on both its pages
    assert 'data-households="h-e h-h" data-status="pending"' in client.get(f"/ui/municipality/{HENGELO}/exchanges").text
    assert "ruil met h-e aangevraagd, wacht op COA" in client.get(f"/ui/municipality/{HENGELO}/households").text

    client.cookies.clear()
    csrf = sign_in(client, secrets.coa)
    page = client.get("/ui/planner/exchanges", params={"status": "pending"}).text
    number = re.search(r'<tr id="exchange-(\d+)" data-households="h-e h-h" data-status="pending">', page).group(1)
    assert "(2 pers.)" in page and "(3 pers.)" in page and "Enschede krijgt er 1 persoon bij" in page
    approved = client.post(f"/ui/planner/exchanges/{number}/approve", data={"csrf": csrf, "reason": "akkoord"},
                           follow_redirects=False)
    assert approved.status_code == 303, approved.text[:2000]
    page = client.get(approved.headers["location"]).text
    assert "Ruil goedgekeurd" in page and 'data-status="approved"' in page and "akkoord" in page
    assert client.post(f"/ui/planner/exchanges/{number}/decline", data={"csrf": csrf, "reason": "x"}).status_code == 409
    # each household is the other municipality's now
    assert 'data-household="h-h"' in client.get(f"/ui/municipality/{ENSCHEDE}/households").text
    assert 'data-household="h-e"' in client.get(f"/ui/municipality/{HENGELO}/households").text


def test_over_quota_needs_a_reason_and_decline_needs_one_too(client, secrets):
    exchange_world(client.app.state.engine)
    csrf = sign_in(client, secrets.hengelo)
    assert _ask(client, csrf, HENGELO, household_a="h-h", household_b="h-e", reason="woningen").status_code == 303
    client.cookies.clear()
    csrf = sign_in(client, secrets.coa)
    number = re.search(r'<tr id="exchange-(\d+)"', client.get("/ui/planner/exchanges").text).group(1)
    no_reason = client.post(f"/ui/planner/exchanges/{number}/approve", data={"csrf": csrf, "over_quota": "on"})
    assert no_reason.status_code == 422 and "vraagt een reden" in no_reason.text
    declined = client.post(f"/ui/planner/exchanges/{number}/decline", data={"csrf": csrf})
    assert declined.status_code == 422 and "reden: ontbreekt" in declined.text
    assert client.post(f"/ui/planner/exchanges/{number}/approve", data={"csrf": csrf, "over_quota": "maybe"}).status_code == 422
    done = client.post(f"/ui/planner/exchanges/{number}/decline", data={"csrf": csrf, "reason": "niet afgesproken"},
                       follow_redirects=False)
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "Ruil afgewezen." in page and "niet afgesproken" in page and 'data-status="declined"' in page


def test_who_may_ask_see_and_decide(client, secrets):
    exchange_world(client.app.state.engine)
    csrf = sign_in(client, secrets.hengelo)
    # Hengelo naming two households neither of which is its own: not found, said on its page
    neither = _ask(client, csrf, HENGELO, household_a="h-e", household_b="h-nobody", reason="x")
    assert neither.status_code == 404 and "huishouden h-e bestaat niet" in neither.text
    assert _ask(client, csrf, household_a="h-e", household_b="h-h", reason="x").status_code == 404  # Enschede's page
    assert client.get(f"/ui/municipality/{ENSCHEDE}/exchanges").status_code == 404
    assert client.get("/ui/planner/exchanges").status_code == 403
    assert client.post("/ui/planner/exchanges/1/approve", data={"csrf": csrf}).status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, secrets.coa)
    assert _ask(client, csrf, household_a="h-e", household_b="h-h", reason="x").status_code == 403  # a planner reads
    page = client.get(f"/ui/municipality/{ENSCHEDE}/exchanges")
    assert page.status_code == 200 and 'id="ask-exchange"' not in page.text
    assert client.post("/ui/planner/exchanges/9999/approve", data={"csrf": csrf}).status_code == 404


def test_the_pages_in_english(client, secrets):
    exchange_world(client.app.state.engine)
    csrf = sign_in(client, secrets.enschede)
    client.get("/ui/lang/en", params={"next": "/ui/"})
    bad = _ask(client, csrf, household_a="h-e", household_b="h-e", reason="x")
    assert bad.status_code == 422 and "household B: an exchange is between two different households" in bad.text
    assert "Exchanges of Enschede" in client.get(f"/ui/municipality/{ENSCHEDE}/exchanges").text
