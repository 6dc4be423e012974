"""The signal pages without a browser (issue 16 item 5): the overview lists the newest
signals, each links to its page; the large home's page shows the home (linking to it) and the
households it fits; the idle homes' page records the suggested redistribution in one click
(the total unchanged, audited with the signal); a municipality gets a 403; bad input is a 422
page.  The world is :func:`web_testing.signal_world`."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from web_testing import HAAKSBERGEN, HENGELO, csrf_of, sign_in, signal_world

from api.models import AuditEvent, Quota, Redistribution

ON = {"on": "2023-07-03"}


def test_the_overview_lists_signals_that_link_to_their_pages(client, secrets, app):
    signal_world(app.state.engine)
    sign_in(client, secrets.coa)
    page = client.get("/ui/planner", params=ON).text
    listed = re.findall(r'<li data-signal="([a-z0-9-]+)" data-kind="([a-z_]+)">', page.split('id="overview-signals"')[1])
    kinds = {kind for _, kind in listed}
    assert {"large_home", "idle_homes", "province_shortfall"} <= kinds and len(listed) == 10
    assert "Grote woning E-BIG in Enschede: 6 plaatsen, past bij 2 wachtende huishoudens" in page
    big = next(ident for ident, kind in listed if kind == "large_home")
    assert f'href="/ui/planner/signals/{big}?on=2023-07-03"' in page
    detail = client.get(f"/ui/planner/signals/{big}", params=ON)
    assert detail.status_code == 200
    households = re.findall(r'<tr data-household="([^"]+)">', detail.text)
    assert households == ["h-big", "h-four"]
    home = re.search(r'<tr data-home="(\d+)"><th scope="row"><a href="(/ui/municipality/GM0153/homes/\d+)">E-BIG', detail.text)
    assert home and client.get(home[2]).status_code == 200  # the planner may open the home's page
    every = client.get("/ui/planner/signals", params=ON).text
    # E-BIG, 11 provinces, 4 regions, 24 safety regions, K-2 idle: 41, 20 a page
    assert len(re.findall(r'<tr data-signal=', every)) == 20 and 'rel="next"' in every


def test_one_click_records_the_suggested_redistribution(client, secrets, app):
    signal_world(app.state.engine)
    sign_in(client, secrets.coa)
    sessions = app.state.sessions
    with sessions() as session:
        total = session.scalar(select(func.sum(Quota.taakstelling)))
    page = client.get("/ui/planner/signals/idle-gm0158-2023-07-03", params=ON)
    assert page.status_code == 200
    assert "Haaksbergen neemt 2 personen (waarvan 0 AMV) van de taakstelling van Hengelo (O.) over (12,7 km)" in page.text
    csrf = csrf_of(page.text)
    done = client.post("/ui/planner/signals/idle-gm0158-2023-07-03/redistribute", data={"csrf": csrf, "on": "2023-07-03"},
                       follow_redirects=False)
    assert done.status_code == 303 and "done=redistributed" in done.headers["location"]
    with sessions() as session:
        (record,) = session.scalars(select(Redistribution)).all()
        assert (record.from_code, record.to_code, record.persons) == (HENGELO, HAAKSBERGEN, 2)
        assert session.scalar(select(func.sum(Quota.taakstelling))) == total  # quotas untouched: only moved
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "redistribution.create"))
        assert event is not None and event.detail["signal"] == "idle-gm0158-2023-07-03"
    # answered: the signal is gone, and a second click (an old page) finds nothing to record
    assert client.get("/ui/planner/signals/idle-gm0158-2023-07-03", params=ON).status_code == 404
    again = client.post("/ui/planner/signals/idle-gm0158-2023-07-03/redistribute", data={"csrf": csrf, "on": "2023-07-03"})
    assert again.status_code == 404
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Redistribution)) == 1


def test_paging_the_signal_pages(client, secrets, app, monkeypatch):
    from api.web import signals

    monkeypatch.setattr(signals, "PAGE_SIZE", 5)
    signal_world(app.state.engine)
    sign_in(client, secrets.coa)
    seen, url, pages = [], "/ui/planner/signals?on=2023-07-03", 0
    while url:
        pages += 1
        text = client.get(url).text
        seen += re.findall(r'<tr data-signal="([a-z0-9-]+)"', text)
        found = re.search(r'<a rel="next" href="([^"]+)"', text)
        url = found[1].replace("&amp;", "&") if found else ""
    assert len(seen) == len(set(seen)) == 1 + 11 + 4 + 24 + 1 and pages == 9


def test_access_and_bad_input(client, secrets, app):
    signal_world(app.state.engine)
    assert client.get("/ui/planner/signals", follow_redirects=False).status_code == 303  # to the sign-in page
    csrf = sign_in(client, secrets.enschede)
    assert client.get("/ui/planner/signals").status_code == 403
    assert client.get("/ui/planner/signals/large-home-1").status_code == 403
    assert client.post("/ui/planner/signals/idle-gm0158-2023-07-03/redistribute", data={"csrf": csrf}).status_code == 403
    client.cookies.clear()
    csrf = sign_in(client, secrets.coa)
    assert client.post("/ui/planner/signals/idle-gm0158-2023-07-03/redistribute", data={"csrf": "x"}).status_code == 403
    assert client.get("/ui/planner/signals", params={"after": "abc"}).status_code == 422
    assert client.get("/ui/planner/signals", params={"on": "3 juli"}).status_code == 422
    assert client.get("/ui/planner/signals/Not_An_Id").status_code == 422
    assert client.get("/ui/planner/signals/large-home-999", params=ON).status_code == 404
    # a large home's signal has nothing to record
    assert client.post("/ui/planner/signals/large-home-1/redistribute", data={"csrf": csrf, "on": "2023-07-03"}).status_code == 404
