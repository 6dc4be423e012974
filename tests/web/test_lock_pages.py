"""Locking lines on the planner's pages, without a browser: the lock button on pending lines,
the marker on locked lines, the locks list with its remove button, and the access rules
(no session, a municipality's session, CSRF).  The generic rules for every page route are in
``test_pages.py`` too (they enumerate the routes)."""

from __future__ import annotations

import re

from web_testing import csrf_of, planner_world, sign_in

from api.services import locks
from api.worker import run_pending


def proposal(client, csrf: str) -> str:
    """Start a greedy proposal by form, run it; the review page's path."""
    review = client.post("/ui/planner/proposals", data={"csrf": csrf, "as_of": "2023-07-03", "solver": "greedy"},
                         follow_redirects=False).headers["location"]
    run_pending(client.app.state.sessions, client.app.state.settings)
    return review


def pending_lines(html: str) -> dict[str, str]:
    """household -> line id of the pending lines on a review page."""
    return {h: line for line, h in re.findall(r'<tr id="line-(\d+)" data-household="([^"]+)" data-decision="pending">', html)}


def row(html: str, line_id: str) -> str:
    return re.search(rf'<tr id="line-{line_id}".*?</tr>', html, re.S).group(0)


def test_a_planner_locks_a_line_sees_it_marked_and_listed_and_removes_it(client, secrets):
    """Lock h-single's line with a note: the row says Vastgezet and has no lock button any more;
    the proposals page lists the lock; the next proposal marks the line there too; removing it
    empties the list."""
    planner_world(client.app.state.engine)
    csrf = sign_in(client, secrets.coa)
    review = proposal(client, csrf)
    page = client.get(review).text
    lines = pending_lines(page)
    line = lines["h-single"]
    button = re.search(rf'<button[^>]*formaction="{review}/lines/{line}/lock"[^>]*>', page).group(0)
    assert 'aria-label="Regel ' + line + ' vastzetten"' in button and 'type="submit"' in button

    locked = client.post(f"{review}/lines/{line}/lock", data={"csrf": csrf, "reason": "school nearby",
                                                             "back": review + "?sort=line"}, follow_redirects=False)
    assert locked.status_code == 303 and locked.headers["location"] == review + "?sort=line&done=locked"
    page = client.get(locked.headers["location"]).text
    assert "Regel vastgezet" in page
    marked = row(page, line)
    assert 'class="status locked"' in marked and ">Vastgezet<" in marked and "/lock" not in marked
    assert "/lock" in row(page, lines["h-family"])  # other lines keep their button
    again = client.post(f"{review}/lines/{line}/lock", data={"csrf": csrf}, follow_redirects=False)
    assert again.status_code == 303  # idempotent

    listing = client.get("/ui/planner/proposals").text
    locks_rows = re.findall(r'<tr data-lock="(\d+)" data-household="([^"]+)">', listing)
    assert [h for _, h in locks_rows] == ["h-single"] and "school nearby" in listing
    lock_id = locks_rows[0][0]

    second = proposal(client, csrf)
    page = client.get(second).text
    assert 'class="status locked"' in row(page, pending_lines(page)["h-single"])

    removed = client.post(f"/ui/planner/locks/{lock_id}/remove", data={"csrf": csrf}, follow_redirects=False)
    assert removed.status_code == 303 and removed.headers["location"] == "/ui/planner/proposals?done=unlocked"
    listing = client.get(removed.headers["location"]).text
    assert "Vastzetting opgeheven" in listing and "Geen vastgezette regels" in listing
    log = client.get("/ui/planner/audit", params={"action": "lock.create"}).text
    assert "lock.create" in log and "school nearby" in log


def test_a_line_that_cannot_be_locked_shows_why(client, secrets):
    """A refused line: 409 page naming the line; an unknown line: 404; in English too."""
    planner_world(client.app.state.engine)
    csrf = sign_in(client, secrets.coa)
    review = proposal(client, csrf)
    line = pending_lines(client.get(review).text)["h-single"]
    client.post(f"{review}/lines/{line}", data={"csrf": csrf, "decision": "refuse", "reason": "school"})
    refused = client.post(f"{review}/lines/{line}/lock", data={"csrf": csrf})
    assert refused.status_code == 409 and f"Regel {line}: regel {line} is al afgewezen" in refused.text
    assert client.post(f"{review}/lines/99999/lock", data={"csrf": csrf}).status_code == 404
    assert client.post("/ui/planner/locks/99999/remove", data={"csrf": csrf}).status_code == 404
    client.get("/ui/lang/en")
    page = client.get("/ui/planner/proposals").text
    assert "Locked lines (0)" in page and "No locked lines." in page


def test_locking_needs_a_planner_session_and_the_csrf_secret(app, client, secrets):
    """No session: sign-in; a municipality's session: 403; without or with a wrong CSRF secret:
    403 — and no lock is made by any of them."""
    planner_world(client.app.state.engine)
    csrf = sign_in(client, secrets.coa)
    review = proposal(client, csrf)
    line = pending_lines(client.get(review).text)["h-single"]
    target = f"{review}/lines/{line}/lock"
    for data in ({}, {"csrf": "forged"}):
        assert client.post(target, data=data, follow_redirects=False).status_code == 403

    stranger = type(client)(client.app)
    response = stranger.post(target, data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 403  # no session has no CSRF secret either
    assert stranger.get("/ui/planner/proposals", follow_redirects=False).headers["location"].startswith("/ui/sign-in")

    municipality_csrf = sign_in(stranger, secrets.enschede)
    assert stranger.post(target, data={"csrf": municipality_csrf}, follow_redirects=False).status_code == 403
    assert stranger.post("/ui/planner/locks/1/remove", data={"csrf": municipality_csrf}).status_code == 403
    stranger.close()
    with app.state.sessions() as session:
        assert locks.list_locks(session, "all")[1] == 0


def test_the_lock_button_is_labelled_for_every_pending_line(client, secrets):
    """Each pending line has one lock button with an accessible name; wait lines have none."""
    planner_world(client.app.state.engine)
    csrf = sign_in(client, secrets.coa)
    page = client.get(proposal(client, csrf)).text
    pending = pending_lines(page)
    buttons = re.findall(r'formaction="[^"]+/lines/(\d+)/lock"[^>]*aria-label="([^"]+)"', page)
    assert sorted(b for b, _ in buttons) == sorted(pending.values())
    assert all(label.endswith("vastzetten") for _, label in buttons)
    assert csrf_of(page) == csrf
