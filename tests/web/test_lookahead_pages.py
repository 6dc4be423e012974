"""The look-ahead policy on the planner's pages: COA chooses it on the proposals form, and the
proposal's page shows the quota prices and why, Dutch first with English beside."""

from __future__ import annotations

from web_testing import csrf_of, planner_world, sign_in

from api.worker import run_pending


def start(client, csrf: str, **fields: str):
    return client.post("/ui/planner/proposals", data={"csrf": csrf, "as_of": "2023-07-03", "solver": "greedy",
                                                      **fields}, follow_redirects=False)


def test_coa_chooses_lookahead_and_reads_its_prices(client, secrets):
    """planner_world's permits of February and March and its two homes of 1 July are the history:
    22 weeks from 1 February (h-couple) to 3 July; h-single's permit (1 January) is before the
    26 weeks and h-late's (November) too."""
    planner_world(client.app.state.engine)
    csrf = sign_in(client, secrets.coa)
    form = client.get("/ui/planner/proposals").text
    assert '<select id="policy" name="policy"' in form and "Vooruitkijkend (het halfjaar in beeld)" in form
    review = start(client, csrf, policy="lookahead").headers["location"]
    run_pending(client.app.state.sessions, client.app.state.settings)
    page = client.get(review).text
    assert 'id="lookahead-prices"' in page and "Prijzen van de taakstelling (vooruitkijkend)" in page
    assert "22 week/weken geschiedenis: 2 aangeboden woningen, 2 vergunningen" in page
    assert 'id="quota-prices"' in page or "Geen van de 342 gemeenten heeft een prijs" in page
    client.get(f"/ui/lang/en?next={review}")
    english = client.get(review).text
    assert "Quota prices (look-ahead)" in english and "22 week(s) of history: 2 homes offered, 2 permits" in english


def test_the_weekly_proposal_shows_no_prices_and_a_bad_policy_is_named(client, secrets):
    planner_world(client.app.state.engine)
    csrf = sign_in(client, secrets.coa)
    review = start(client, csrf).headers["location"]
    run_pending(client.app.state.sessions, client.app.state.settings)
    assert 'id="lookahead-prices"' not in client.get(review).text
    response = start(client, csrf_of(client.get("/ui/planner/proposals").text), policy="hindsight")
    assert response.status_code == 422 and "policy" in response.text
