"""Re-coupling requests on the pages, without a browser: the municipality asks on its
households page (only for a household coupled to it), COA approves or declines on its
re-coupling page; who may do what (the browser test follows the whole way)."""

from __future__ import annotations

import re

from web_testing import ENSCHEDE, HENGELO, recoupling_world, sign_in


def _ask(client, csrf: str, **data: str):
    return client.post(f"/ui/municipality/{ENSCHEDE}/recouplings", data={"csrf": csrf, **data}, follow_redirects=False)


def test_the_municipality_asks_and_sees_the_request(client, secrets):
    recoupling_world(client.app.state.engine)
    csrf = sign_in(client, secrets.enschede)
    page = client.get(f"/ui/municipality/{ENSCHEDE}/households").text
    assert f'action="/ui/municipality/{ENSCHEDE}/recouplings"' in page
    missing = _ask(client, csrf, household_id="h-wmo")
    assert missing.status_code == 422 and "Omkoppeling niet aangevraagd" in missing.text and "ontbreekt" in missing.text
    asked = _ask(client, csrf, household_id="h-wmo", reason="WMO-woning", to_municipality="gm0164")
    assert asked.status_code == 303 and asked.headers["location"].endswith("done=recoupling_requested")
    page = client.get(asked.headers["location"]).text
    assert "Omkoppeling aangevraagd: COA beslist erover." in page and "aangevraagd, wacht op COA" in page
    again = _ask(client, csrf, household_id="h-wmo", reason="WMO-woning")
    assert again.status_code == 409 and "loopt al omkoppelingsverzoek" in again.text


def test_only_the_municipality_itself_asks_and_only_coa_decides(client, secrets):
    recoupling_world(client.app.state.engine)
    csrf = sign_in(client, secrets.hengelo)
    assert _ask(client, csrf, household_id="h-wmo", reason="x").status_code == 404
    assert client.post(f"/ui/municipality/{HENGELO}/recouplings", data={"csrf": csrf, "household_id": "h-wmo",
                                                                        "reason": "x"}).status_code == 404
    assert client.get("/ui/planner/recouplings").status_code == 403
    assert client.post("/ui/planner/recouplings/1/approve", data={"csrf": csrf}).status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, secrets.coa)
    assert _ask(client, csrf, household_id="h-wmo", reason="x").status_code == 403  # a planner reads, does not ask
    assert client.post("/ui/planner/recouplings/9999/approve", data={"csrf": csrf}).status_code == 404


def test_coa_declines_with_a_reason(client, secrets):
    recoupling_world(client.app.state.engine)
    csrf = sign_in(client, secrets.enschede)
    _ask(client, csrf, household_id="h-wmo", reason="WMO-woning")
    client.cookies.clear()
    csrf = sign_in(client, secrets.coa)
    page = client.get("/ui/planner/recouplings", params={"status": "pending"}).text
    number = re.search(r'<tr id="recoupling-(\d+)" data-household="h-wmo" data-status="pending">', page).group(1)
    declined = client.post(f"/ui/planner/recouplings/{number}/decline", data={"csrf": csrf, "reason": "woning komt in Enschede"},
                           follow_redirects=False)
    assert declined.status_code == 303
    page = client.get(declined.headers["location"]).text
    assert "Omkoppeling afgewezen." in page and 'data-status="declined"' in page and "woning komt in Enschede" in page
    late = client.post(f"/ui/planner/recouplings/{number}/approve", data={"csrf": csrf})
    assert late.status_code == 409 and "is al afgewezen" in late.text
    assert 'data-household="h-wmo"' not in client.get("/ui/planner/recouplings", params={"status": "pending"}).text
