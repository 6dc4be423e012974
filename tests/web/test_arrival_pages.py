"""Family arrivals on the municipality's households page, without a browser: the municipality
records family members who joined a household coupled to it, and sees the housing check of the
home offered to it in Dutch, or in English by choice; who may do it."""

from __future__ import annotations

from web_testing import ENSCHEDE, HENGELO, recoupling_world, sign_in

from api.db import session_factory
from api.services import households
from api.services.errors import Actor


def _arrive(client, csrf: str, code: str = ENSCHEDE, household: str = "h-wmo", **data: str):
    return client.post(f"/ui/municipality/{code}/households/{household}/arrivals", data={"csrf": csrf, **data},
                       follow_redirects=False)


def test_the_municipality_records_an_arrival_and_the_household_grows(client, secrets):
    recoupling_world(client.app.state.engine)
    csrf = sign_in(client, secrets.enschede)
    page = client.get(f"/ui/municipality/{ENSCHEDE}/households").text
    assert f'action="/ui/municipality/{ENSCHEDE}/households/h-wmo/arrivals"' in page
    bad = _arrive(client, csrf, persons="0", date="2023-08-01")
    assert bad.status_code == 422 and "Aankomst niet vastgelegd" in bad.text
    done = _arrive(client, csrf, persons="2", date="2023-08-01")
    assert done.status_code == 303 and done.headers["location"].endswith("done=arrival_recorded")
    page = client.get(done.headers["location"]).text
    assert "Aankomst van gezinsleden vastgelegd: het huishouden is gegroeid en houdt zijn gemeente." in page
    with session_factory(client.app.state.engine)() as session:
        h = households.get_household(session, Actor(None, "test", "coa"), "h-wmo")
        assert (h.size, h.state, h.municipality_code) == (4, "coupled", ENSCHEDE)


def test_the_housing_check_in_dutch_and_english(client, secrets):
    engine = client.app.state.engine
    recoupling_world(engine)
    with session_factory(engine)() as session:  # h-home moving in to E-2 (2 places)
        households.upsert_batch(session, Actor(None, "test", "coa"), {"households": [
            {"household_id": "h-home", "size": 3, "location_id": "azc-enschede", "permit_date": "2023-02-01",
             "state": "coupled", "municipality": ENSCHEDE, "coupling_date": "2023-02-15"}]})
    from api.models import Home, Household
    with session_factory(engine)() as session:
        home = session.query(Home).filter(Home.reference == "E-1").one()
        h = session.get(Household, "h-home")
        h.state, h.home_id = "moving_in", home.id
        session.commit()
    sign_in(client, secrets.enschede)
    page = client.get(f"/ui/municipality/{ENSCHEDE}/households").text
    assert "Woning E-1 past niet meer: 3 personen, plaats voor 2." in page and 'data-fits="no"' in page
    client.cookies.set("matcher_lang", "en")
    page = client.get(f"/ui/municipality/{ENSCHEDE}/households").text
    assert "Home E-1 no longer fits: 3 persons, room for 2." in page


def test_only_the_municipality_of_the_household_records_it(client, secrets):
    recoupling_world(client.app.state.engine)
    csrf = sign_in(client, secrets.hengelo)
    assert _arrive(client, csrf, code=HENGELO, persons="1", date="2023-08-01").status_code == 404
    assert _arrive(client, csrf, persons="1", date="2023-08-01").status_code == 404
    client.cookies.clear()
    csrf = sign_in(client, secrets.coa)
    assert _arrive(client, csrf, persons="1", date="2023-08-01").status_code == 403  # a planner reads the page


def test_coa_records_an_arrival_on_its_households_page_for_a_household_still_in_reception(client, secrets):
    """COA records family members for any household, one still waiting in reception too (a
    municipality only for its own): a bad form names the household and the field."""
    engine = client.app.state.engine
    recoupling_world(engine)
    with session_factory(engine)() as session:
        households.upsert_batch(session, Actor(None, "test", "coa"), {"households": [
            {"household_id": "h-azc", "size": 1, "location_id": "azc-enschede", "permit_date": "2023-03-01"}]})
    csrf = sign_in(client, secrets.coa)
    page = client.get("/ui/planner/households").text
    assert 'action="/ui/planner/households/h-azc/arrivals"' in page and 'action="/ui/planner/households/h-wmo/arrivals"' in page

    def arrive(household: str, **data: str):
        return client.post(f"/ui/planner/households/{household}/arrivals", data={"csrf": csrf, **data}, follow_redirects=False)

    early = arrive("h-azc", persons="1", date="2023-01-01")
    assert early.status_code == 422 and "Aankomst niet vastgelegd" in early.text
    assert "Huishouden h-azc: datum: mag niet vóór de verblijfsvergunning liggen" in early.text
    assert "persons" not in early.text.split('id="arrival-errors"')[1].split("</div>")[0]
    assert arrive("h-azc", persons="nul", date="2023-08-01").status_code == 422
    assert arrive("nobody", persons="1", date="2023-08-01").status_code == 404
    done = arrive("h-azc", persons="2", date="2023-08-01")
    assert done.status_code == 303 and done.headers["location"].endswith("done=arrival_recorded")
    assert "Aankomst van gezinsleden vastgelegd: het huishouden is gegroeid." in client.get(done.headers["location"]).text
    with session_factory(engine)() as session:
        h = households.get_household(session, Actor(None, "test", "coa"), "h-azc")
        assert (h.size, h.state) == (3, "waiting")
    client.cookies.clear()
    csrf = sign_in(client, secrets.enschede)
    assert client.post("/ui/planner/households/h-wmo/arrivals", data={"csrf": csrf, "persons": "1",
                                                                      "date": "2023-08-01"}).status_code == 403
