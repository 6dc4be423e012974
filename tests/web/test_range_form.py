"""The proposals page lets COA set the region of a new coupling: km, minutes, both, or blank for the
default; minutes while no travel time is stored are refused on the page, naming the field."""

from __future__ import annotations

from web_testing import csrf_of, planner_world, sign_in

from api.db import session_factory
from api.models import Job
from api.services import travel
from api.services.errors import Actor


def _start(client, csrf: str, **fields: str):
    return client.post("/ui/planner/proposals", data={"csrf": csrf, "as_of": "2023-07-03", "solver": "greedy", **fields},
                       follow_redirects=False)


def _params(client) -> dict:
    with session_factory(client.app.state.engine)() as session:
        return session.query(Job).order_by(Job.id.desc()).first().params


def test_the_page_sets_km_and_minutes(client, secrets):
    planner_world(client.app.state.engine)
    csrf = sign_in(client, secrets.coa)
    page = client.get("/ui/planner/proposals").text
    assert 'name="max_km"' in page and 'name="max_minutes"' in page and "Max. reistijd (min)" in page

    refused = _start(client, csrf, max_minutes="90")
    assert refused.status_code == 422
    assert "er zijn geen reistijden opgeslagen" in refused.text and 'value="90"' in refused.text

    with session_factory(client.app.state.engine)() as session:
        travel.upload_travel_times(session, Actor(None, "test", "coa"),
                                   b"location_id,municipality,minutes\nazc-enschede,GM0153,10\n")
    assert _start(client, csrf, max_minutes="90").status_code == 303
    assert _params(client) == {"max_minutes": 90.0}
    assert _start(client, csrf, max_km="30", max_minutes="90", as_of="2023-07-10").status_code == 303
    assert _params(client) == {"max_km": 30.0, "max_minutes": 90.0}
    assert _start(client, csrf, as_of="2023-07-17").status_code == 303
    assert _params(client) == {}
    bad = _start(client, csrf, max_km="-1", as_of="2023-07-24")
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    assert csrf_of(bad.text)
