"""The web pages without a browser: access rules for every page, sign-in and its cookie, CSRF,
the language switch, and the pages' work (homes, CSV upload, proposals) through a test client."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from web_testing import (
    ENSCHEDE,
    HENGELO,
    HOMES_CSV_BAD,
    HOMES_CSV_FIXED,
    csrf_of,
    planner_world,
    sign_in,
)

from api.web import auth, i18n, monitoring, municipality, planner, signals
from api.web.session import COOKIE, WebSettings
from api.worker import run_pending

TEMPLATES = Path(auth.__file__).resolve().parent / "templates"
FILL = {"code": ENSCHEDE, "job_id": "1", "line_id": "1", "home_id": "1", "lock_id": "1", "figure": "realisation",
        "move_in_id": "1", "recoupling_id": "1", "exchange_id": "1", "household_id": "h1", "signal_id": "large-home-1"}
PUBLIC = {"/ui/", "/ui/sign-in", "/ui/lang/{lang}"}
"""Pages anyone may open (they sign in, or send the visitor on)."""


def page_routes() -> list[tuple[str, str, str]]:
    """(module, method, path) of every page route."""
    return sorted((module.__name__.rsplit(".", 1)[-1], method, "/ui" + route.path)
                  for module in (auth, planner, municipality, monitoring, signals) for route in module.router.routes
                  for method in route.methods)


PROTECTED = [(method, path) for _, method, path in page_routes() if path not in PUBLIC and path != "/ui/sign-out"]
GETS = [path for method, path in PROTECTED if method == "GET"]
POSTS = [path for _, method, path in page_routes() if method == "POST"]


def filled(path: str, **values: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), FILL[m.group(1)]), path)


def test_pages_are_not_in_the_openapi_schema(app):
    """The JSON API's schema is unchanged: no /ui path, no /."""
    paths = app.openapi()["paths"]
    assert not [p for p in paths if p.startswith("/ui") or p == "/"]


@pytest.mark.parametrize("path", GETS)
def test_without_a_session_every_page_sends_to_sign_in(path, client, secrets):
    """No session: a redirect to the sign-in page that comes back here."""
    response = client.get(filled(path), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/ui/sign-in?next=%2Fui%2F")


@pytest.mark.parametrize("path", POSTS)
def test_every_post_without_a_valid_csrf_secret_is_refused(path, client, secrets):
    """A POST without the csrf field, or with a wrong one, is a 403 and changes nothing."""
    csrf = sign_in(client, secrets.enschede if "/municipality/" in path else secrets.coa)
    for data in ({}, {"csrf": "forged-" + csrf[:8]}, {"csrf": ""}):
        response = client.post(filled(path), data=data, follow_redirects=False)
        assert response.status_code == 403, (path, data, response.text[:500])
        assert "<html" in response.text


def test_a_post_from_another_site_is_refused_even_with_the_secret(client, secrets):
    """An Origin other than this site is refused (a second line of defence)."""
    csrf = sign_in(client, secrets.enschede)
    response = client.post(f"/ui/municipality/{ENSCHEDE}/homes", headers={"Origin": "https://evil.example"},
                           data={"csrf": csrf, "reference": "X", "kind": "regular", "capacity": "2",
                                 "available_from": "2023-07-01"}, follow_redirects=False)
    assert response.status_code == 403
    same = client.post(f"/ui/municipality/{ENSCHEDE}/homes", headers={"Origin": "http://testserver"},
                       data={"csrf": csrf, "reference": "X", "kind": "regular", "capacity": "2",
                             "available_from": "2023-07-01"}, follow_redirects=False)
    assert same.status_code == 303


@pytest.mark.parametrize("path", [p for p in GETS if p.startswith("/ui/municipality/")])
def test_a_municipality_cannot_open_another_municipalitys_pages(path, client, secrets):
    """Enschede's session: Hengelo's pages are 404, as if they did not exist."""
    sign_in(client, secrets.enschede)
    response = client.get(filled(path, code=HENGELO), follow_redirects=False)
    assert response.status_code == 404, response.text[:500]


def test_nor_post_to_another_municipality(client, secrets):
    """Enschede's session posting to Hengelo's homes: 404, nothing saved."""
    csrf = sign_in(client, secrets.enschede)
    response = client.post(f"/ui/municipality/{HENGELO}/homes", data={
        "csrf": csrf, "reference": "X", "kind": "regular", "capacity": "2", "available_from": "2023-07-01"})
    assert response.status_code == 404
    hengelo = client.get(f"/ui/municipality/{HENGELO}/homes")
    assert hengelo.status_code == 404


@pytest.mark.parametrize("path", [p for p in GETS if p.startswith("/ui/planner")])
def test_planner_pages_are_403_for_a_municipality(path, client, secrets):
    """Role municipality on a COA page: a 403 page."""
    sign_in(client, secrets.enschede)
    assert client.get(filled(path), follow_redirects=False).status_code == 403


def test_a_planner_reads_a_municipality_page_but_cannot_change_its_homes(client, secrets):
    """COA sees Enschede's pages; adding a home there is the municipality's work (403)."""
    csrf = sign_in(client, secrets.coa)
    assert client.get(f"/ui/municipality/{ENSCHEDE}/homes").status_code == 200
    response = client.post(f"/ui/municipality/{ENSCHEDE}/homes", data={
        "csrf": csrf, "reference": "X", "kind": "regular", "capacity": "2", "available_from": "2023-07-01"})
    assert response.status_code == 403


def test_sign_in_sets_an_httponly_samesite_cookie_and_starts_a_new_session(client, secrets):
    """The cookie is HttpOnly and SameSite=Lax, holds no token, and signing in changes the CSRF secret."""
    form = client.get("/ui/sign-in")
    before = csrf_of(form.text)
    response = client.post("/ui/sign-in", data={"token": secrets.coa, "csrf": before}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/planner"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(COOKIE + "=") and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie and secrets.coa not in cookie
    after = csrf_of(client.get("/ui/planner").text)
    assert after != before


def test_the_cookie_is_secure_when_configured(app, client, secrets):
    """MATCHER_COOKIE_SECURE=1: the cookie has Secure."""
    signer = app.state.web_signer
    secure = WebSettings.from_env({"MATCHER_COOKIE_SECURE": "1", "MATCHER_SESSION_SECRET": "s"})
    assert secure.secure and secure.secret == "s"
    app.state.web_signer = type(signer)(secure)
    try:
        assert "Secure" in client.get("/ui/sign-in").headers["set-cookie"]
    finally:
        app.state.web_signer = signer


def test_a_wrong_or_revoked_token_does_not_sign_in(client, secrets):
    """Unknown and revoked tokens: the form again with a message, no session."""
    for token in ("mt_not-a-token", secrets.revoked, ""):
        form = client.get("/ui/sign-in")
        response = client.post("/ui/sign-in", data={"token": token, "csrf": csrf_of(form.text)})
        assert response.status_code == 401 and "onbekend of ingetrokken" in response.text
        assert client.get("/ui/planner", follow_redirects=False).status_code == 303


def test_revoking_the_token_ends_the_session(app, client, secrets):
    """A session whose token is revoked afterwards is signed out at the next page."""
    from api.services import tokens

    sign_in(client, secrets.enschede)
    assert client.get(f"/ui/municipality/{ENSCHEDE}").status_code == 200
    with app.state.sessions() as session:
        tokens.revoke_token(session, tokens.authenticate(session, secrets.enschede).token_id)
    assert client.get(f"/ui/municipality/{ENSCHEDE}", follow_redirects=False).status_code == 303


def test_a_forged_cookie_is_no_session(client, secrets):
    """A cookie not signed by the server counts as none."""
    client.cookies.set(COOKIE, "eyJ0IjoxLCJjIjoieCJ9.forged.signature")
    assert client.get("/ui/planner", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session(client, secrets):
    """After sign-out the pages send to sign-in again."""
    csrf = sign_in(client, secrets.coa)
    response = client.post("/ui/sign-out", data={"csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303 and COOKIE in response.headers["set-cookie"]
    assert client.get("/ui/planner", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_for_a_copy_of_the_cookie_too(app, client, secrets):
    """A cookie copied before sign-out opens nothing afterwards: the session ended on the server."""
    csrf = sign_in(client, secrets.enschede)
    copied = client.cookies.get(COOKIE)
    assert client.get(f"/ui/municipality/{ENSCHEDE}/homes", follow_redirects=False).status_code == 200
    assert client.post("/ui/sign-out", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    from fastapi.testclient import TestClient

    with TestClient(app) as thief:
        thief.cookies.set(COOKIE, copied)
        response = thief.get(f"/ui/municipality/{ENSCHEDE}/homes", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/ui/sign-in"), response.text[:300]
        # nor can it post a form with the old CSRF secret
        response = thief.post(f"/ui/municipality/{ENSCHEDE}/homes", follow_redirects=False, data={
            "csrf": csrf, "reference": "E-9", "kind": "regular", "capacity": "2", "available_from": "2023-07-01"})
        assert response.status_code in (303, 403)
    from api.db import session_factory
    from api.models import Home

    with session_factory(app.state.engine)() as session:
        assert session.query(Home).count() == 0


def test_a_post_without_a_session_cookie_is_refused_before_its_form_is_read(client, secrets):
    """No signed cookie: 403 at once, whatever the (here: unreadable) form."""
    response = client.post(f"/ui/municipality/{ENSCHEDE}/homes/upload", content=b"--x\r\nnot multipart",
                           headers={"Content-Type": "multipart/form-data; boundary=zzz"})
    assert response.status_code == 403


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(client, secrets):
    """next= is followed for /ui paths only."""
    for wanted, expected in (("/ui/planner/audit", "/ui/planner/audit"), ("https://evil.example/", "/ui/planner"),
                             ("//evil.example/ui/", "/ui/planner")):
        client.cookies.clear()
        form = client.get("/ui/sign-in", params={"next": wanted})
        response = client.post("/ui/sign-in", data={"token": secrets.coa, "csrf": csrf_of(form.text), "next": wanted},
                               follow_redirects=False)
        assert response.headers["location"] == expected


def test_dutch_by_default_english_by_the_switch(client, secrets):
    """lang="nl" and Dutch labels; the switch sets lang="en" and comes back to the same page."""
    sign_in(client, secrets.coa)
    page = client.get("/ui/planner")
    assert '<html lang="nl">' in page.text and "Wie wacht er" in page.text and 'href="/ui/lang/en?' in page.text
    switched = client.get("/ui/lang/en", params={"next": "/ui/planner"}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/ui/planner"
    page = client.get("/ui/planner")
    assert '<html lang="en">' in page.text and "Who is waiting" in page.text
    assert client.get("/ui/lang/en", params={"next": "https://evil.example"}, follow_redirects=False).headers["location"] == "/ui/"


def test_every_word_the_templates_use_is_in_both_languages():
    """Each _("key") of the templates, and each key built from a prefix, has Dutch and English words."""
    used: set[str] = set()
    for template in TEMPLATES.rglob("*"):
        if template.is_file():
            text = template.read_text(encoding="utf-8")
            used |= set(re.findall(r"""_\(\s*["']([a-z0-9_]+)["']\s*[,)]""", text))
    for source in Path(auth.__file__).parent.glob("*.py"):
        used |= set(re.findall(r"""\.t\(\s*f?["']([a-z0-9_]+)["']""", source.read_text(encoding="utf-8")))
    prefixed = {f"action_{a}" for a in ("house", "couple", "wait")} | {f"band_q{i}" for i in range(5)} | \
        {f"decision_{d}" for d in ("none", "pending", "accepted", "refused")} | \
        {f"home_status_{s}" for s in ("open", "allocated", "withdrawn")} | \
        {f"household_state_{s}" for s in ("waiting", "coupled", "moving_in", "housed")} | \
        {f"kind_{k}" for k in ("regular", "shared", "amv", "temporary")} | \
        {f"status_{s}" for s in ("queued", "running", "done", "failed")} | \
        {f"error_{s}" for s in (403, 404, 409, 422)} | {f"done_{d}" for d in ("decided", "accepted_all", "locked", "unlocked")} | \
        {f"done_home_{d}" for d in ("added", "changed", "withdrawn", "unchanged")}
    from matcher.models.proposal import ReasonKind

    prefixed |= {f"reason_{k.value}" for k in ReasonKind}
    missing = sorted((used | prefixed) - set(i18n.WORDS))
    assert not missing
    assert all(len(words) == 2 and all(words) for words in i18n.WORDS.values())


def test_every_form_field_has_a_label(client, secrets):
    """On the main pages every visible input and select has a <label for> or an aria-label."""
    sign_in(client, secrets.enschede)
    pages = [client.get(f"/ui/municipality/{ENSCHEDE}/homes").text, client.get("/ui/sign-in").text]
    client.cookies.clear()
    planner_world(client.app.state.engine)
    sign_in(client, secrets.coa)
    csrf = csrf_of(client.get("/ui/planner/proposals").text)
    client.post("/ui/planner/proposals", data={"csrf": csrf, "as_of": "2023-07-03", "solver": "greedy"})
    run_pending(client.app.state.sessions, client.app.state.settings)
    pages += [client.get("/ui/planner").text, client.get("/ui/planner/proposals").text,
              client.get("/ui/planner/proposals/1").text, client.get("/ui/planner/audit").text]
    for html in pages:
        labelled = set(re.findall(r'<label for="([^"]+)"', html))
        for tag in re.findall(r"<(?:input|select)\b[^>]*>", html):
            if 'type="hidden"' in tag:
                continue
            ident = re.search(r'id="([^"]+)"', tag)
            assert (ident and ident.group(1) in labelled) or "aria-label" in tag, tag


# --- the municipality's work --------------------------------------------------------------------

def upload(client, csrf: str, text: str):
    return client.post(f"/ui/municipality/{ENSCHEDE}/homes/upload", data={"csrf": csrf},
                       files={"file": ("homes.csv", text.encode("utf-8"), "text/csv")})


def test_a_csv_with_a_bad_row_saves_nothing_and_names_the_row(client, secrets):
    """Row 3 with capacity 0: a 422 page listing row 3, column capacity; no home saved; the fixed file saves all."""
    csrf = sign_in(client, secrets.enschede)
    bad = upload(client, csrf, HOMES_CSV_BAD)
    assert bad.status_code == 422
    errors = re.findall(r'<tr class="upload-error"><td>(\d+)</td><td>(\w*)</td>', bad.text)
    assert errors == [("3", "capacity")]
    assert "Nog geen woningen aangeboden" in bad.text
    good = upload(client, csrf, HOMES_CSV_FIXED)
    assert good.status_code == 200 and "3 nieuw" in good.text
    assert re.findall(r'data-reference="(E-\d+)"', good.text) == ["E-101", "E-102", "E-103"]


def test_dates_read_as_dutch_dates_on_dutch_pages_and_english_on_english_ones(client, secrets):
    """The homes page shows 1 juli 2023 (with the ISO date for machines in <time datetime>), in
    English 1 July 2023; the form fields keep ISO."""
    csrf = sign_in(client, secrets.enschede)
    assert upload(client, csrf, HOMES_CSV_FIXED).status_code == 200
    dutch = client.get(f"/ui/municipality/{ENSCHEDE}/homes").text
    assert re.findall(r'<time datetime="([\d-]+)">([^<]+)</time>', dutch)[:3] == [
        ("2023-07-01", "1 juli 2023"), ("2023-07-01", "1 juli 2023"), ("2023-07-03", "3 juli 2023")]
    client.get("/ui/lang/en", params={"next": "/ui/"})
    english = client.get(f"/ui/municipality/{ENSCHEDE}/homes").text
    assert '<time datetime="2023-07-03">3 July 2023</time>' in english and "juli" not in english
    assert [i18n.long_date(lang, dt.date(2024, 12, 31)) for lang in ("nl", "en", "xx")] == [
        "31 december 2024", "31 December 2024", "31 december 2024"]
    assert i18n.long_date("nl", dt.datetime(2023, 3, 5, 9, 7)) == "5 maart 2023 09:07" and i18n.long_date("en", None) == ""


def test_a_file_that_is_not_csv_is_an_error_not_a_crash(client, secrets):
    """Bytes that are not UTF-8: a 422 page saying so."""
    csrf = sign_in(client, secrets.enschede)
    response = client.post(f"/ui/municipality/{ENSCHEDE}/homes/upload", data={"csrf": csrf},
                           files={"file": ("homes.csv", b"\xff\xfe\x00bad", "text/csv")})
    assert response.status_code == 422 and "UTF-8" in response.text


def test_add_change_and_withdraw_a_home_by_form(client, secrets):
    """Add (a bad capacity is shown at the field), change the capacity, withdraw."""
    csrf = sign_in(client, secrets.enschede)
    base = f"/ui/municipality/{ENSCHEDE}/homes"
    fields = {"csrf": csrf, "reference": "E-7", "kind": "regular", "capacity": "0", "min_occupancy": "1",
              "available_from": "2023-07-01"}
    bad = client.post(base, data=fields)
    assert bad.status_code == 422 and 'id="capacity"' in bad.text and 'aria-invalid="true" aria-describedby="err-capacity"' in bad.text
    added = client.post(base, data={**fields, "capacity": "3", "accessible": "1"})
    assert added.status_code == 200 and "Woning toegevoegd" in added.text
    home_id = re.search(r'href="/ui/municipality/GM0153/homes/(\d+)"', added.text).group(1)
    changed = client.post(f"{base}/{home_id}", data={**fields, "capacity": "5", "accessible": "1"})
    assert changed.status_code == 200 and "Woning gewijzigd" in changed.text
    assert re.search(r'data-reference="E-7" data-status="open">.*?<td class="n">5</td>', changed.text, re.S)
    withdrawn = client.post(f"{base}/{home_id}/withdraw", data={"csrf": csrf})
    assert withdrawn.status_code == 200 and 'data-reference="E-7" data-status="withdrawn"' in withdrawn.text


def test_the_municipality_overview_shows_its_quota_progress(client, secrets):
    """Taakstelling, realised, coupled, remaining of Enschede in 2023-II."""
    sign_in(client, secrets.enschede)
    page = client.get(f"/ui/municipality/{ENSCHEDE}")
    assert page.status_code == 200 and "Enschede" in page.text and "Voortgang taakstelling 2023-II" in page.text
    assert re.search(r'data-figure="remaining">\d+<', page.text)


# --- the planner's work ---------------------------------------------------------------------------

def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([a-z-]+)">([^<]*)<', html))


def test_the_planner_overview_has_the_map_with_every_municipality_and_the_credit(client, secrets):
    """342 dots, a legend, the GeoNames credit; the waiting table by province."""
    planner_world(client.app.state.engine)
    sign_in(client, secrets.coa)
    page = client.get("/ui/planner", params={"on": "2023-07-03"})
    assert page.status_code == 200
    assert page.text.count("<circle ") == 342 and "GeoNames" in page.text and "CC BY 4.0" in page.text
    assert figures(page.text)["households"] == "4" and figures(page.text)["persons"] == "10"
    assert re.search(r"<th scope=\"row\">Overijssel</th><td class=\"n\">4</td>", page.text)


def test_a_proposal_is_started_reviewed_decided_and_exported(client, secrets):
    """Start by form, run, refuse one line without a reason (422) and with one, accept the rest, export."""
    planner_world(client.app.state.engine)
    csrf = sign_in(client, secrets.coa)
    started = client.post("/ui/planner/proposals", data={"csrf": csrf, "as_of": "2023-07-03", "solver": "greedy"},
                          follow_redirects=False)
    assert started.status_code == 303
    review = started.headers["location"]
    assert "status_queued" not in client.get(review).text and "in de wachtrij" in client.get(review).text
    run_pending(client.app.state.sessions, client.app.state.settings)
    page = client.get(review)
    pending = re.findall(r'<tr id="line-(\d+)" data-household="([^"]+)" data-decision="pending">', page.text)
    assert len(pending) >= 2, page.text
    line_id, _ = pending[0]
    no_reason = client.post(f"{review}/lines/{line_id}", data={"csrf": csrf, "decision": "refuse", "reason": ""})
    assert no_reason.status_code == 422 and "bij afwijzen is een reden nodig" in no_reason.text
    refused = client.post(f"{review}/lines/{line_id}", data={"csrf": csrf, "decision": "refuse", "reason": "school",
                                                              "back": review + "?sort=line"}, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == review + "?sort=line&done=decided"
    accepted = client.post(f"{review}/accept-all", data={"csrf": csrf, "back": review})
    assert accepted.status_code == 200
    assert figures(accepted.text)["pending"] == "0" and figures(accepted.text)["refused"] == "1"
    assert figures(accepted.text)["accepted"] == str(len(pending) - 1)
    export = client.get(f"{review}/export.csv")
    assert export.status_code == 200 and export.text.startswith("line_id,household_id")
    assert client.get(f"{review}/export.xlsx").content[:2] == b"PK"
    log = client.get("/ui/planner/audit", params={"action": "line.refuse"})
    assert "line.refuse" in log.text and "school" in log.text and "Regel afgewezen" in log.text
    client.get("/ui/lang/en", params={"next": "/ui/planner/audit"})
    english = client.get("/ui/planner/audit", params={"action": "line.refuse"}).text
    assert "Line refused" in english and "Regel afgewezen" not in english
    client.cookies.clear()
    sign_in(client, secrets.enschede)
    seen = re.findall(r'<tr data-household="([^"]+)">', client.get(f"/ui/municipality/{ENSCHEDE}/households").text)
    assert "h-single" in seen and len(seen) == len(pending) - 1  # the refused couple line is not shown
    overview = client.get(f"/ui/municipality/{ENSCHEDE}").text
    # accepted house lines are move-ins: coupled until the municipality confirms them
    assert int(figures(overview)["realised"]) == 0 and int(figures(overview)["coupled"]) > 0
    households = client.get(f"/ui/municipality/{ENSCHEDE}/households", params={"state": "moving_in"}).text
    move_ins = re.findall(rf'action="/ui/municipality/{ENSCHEDE}/move-ins/(\d+)/confirm"', households)
    assert move_ins, households
    csrf = csrf_of(households)
    bad = client.post(f"/ui/municipality/{ENSCHEDE}/move-ins/{move_ins[0]}/confirm", data={"csrf": csrf, "date": "2023-07-01"})
    assert bad.status_code == 422 and "mag niet voor de acceptatie" in bad.text  # accepted today
    done = client.post(f"/ui/municipality/{ENSCHEDE}/move-ins/{move_ins[0]}/confirm", data={"csrf": csrf, "date": dt.date.today().isoformat()},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("done=move_in_confirmed")
    assert int(figures(client.get(f"/ui/municipality/{ENSCHEDE}").text)["realised"]) > 0


def test_filters_and_sorting_of_the_lines(client, secrets):
    """Filter by action; sort by overdue days both ways."""
    planner_world(client.app.state.engine)
    csrf = sign_in(client, secrets.coa)
    review = client.post("/ui/planner/proposals", data={"csrf": csrf, "as_of": "2023-07-03", "solver": "greedy"},
                         follow_redirects=False).headers["location"]
    run_pending(client.app.state.sessions, client.app.state.settings)

    def overdue(**params) -> list[int]:
        html = client.get(review, params=params).text
        return [int(d) for d in re.findall(r'<td class="n">(\d+)</td><td class="reason">', html)]

    assert overdue(sort="overdue_desc") == sorted(overdue(sort="overdue_desc"), reverse=True)
    assert overdue(sort="overdue_asc") == sorted(overdue(sort="overdue_asc"))
    houses = client.get(review, params={"action": "house"}).text
    assert "koppelen</td>" not in houses and "huisvesten</td>" in houses
    assert client.get(review, params={"sort": "nonsense"}).status_code == 422


def test_a_bad_proposal_form_shows_the_problem(client, secrets):
    """A missing date is shown on the form again (422), nothing queued."""
    csrf = sign_in(client, secrets.coa)
    response = client.post("/ui/planner/proposals", data={"csrf": csrf, "as_of": "", "solver": "greedy"})
    assert response.status_code == 422 and "as_of" in response.text and "Nog geen voorstellen" in response.text


def test_reasons_and_homes_read_in_the_pages_language(client, secrets):
    """The review page shows each reason in the page's language (Dutch first, English after the
    switch) and the home by the municipality's own reference; so does the households page."""
    planner_world(client.app.state.engine)
    csrf = sign_in(client, secrets.coa)
    review = client.post("/ui/planner/proposals", data={"csrf": csrf, "as_of": "2023-07-03", "solver": "highspy"},
                         follow_redirects=False).headers["location"]
    run_pending(client.app.state.sessions, client.app.state.settings)

    def reasons() -> list[str]:
        return re.findall(r'<td class="reason">([^<]*)</td>', client.get(review).text)

    dutch = reasons()
    assert dutch and all(r.startswith(("Gehuisvest", "Gekoppeld", "Wacht")) for r in dutch), dutch
    assert any("woning E-" in r for r in dutch)
    homes = re.findall(r"<td>(E-[12])</td><td class=\"n\">", client.get(review).text)
    assert homes, client.get(review).text
    client.get("/ui/lang/en")
    english = reasons()
    assert len(english) == len(dutch) and all(r.startswith(("Housed", "Coupled", "Waiting")) for r in english), english
    client.get("/ui/lang/nl")
    client.cookies.clear()
    sign_in(client, secrets.enschede)
    households = client.get(f"/ui/municipality/{ENSCHEDE}/households").text
    assert re.search(r"\(Woning E-[12]\)", households), households


def test_every_audited_action_has_words():
    """Every action the service writes to the audit log (``audit.record(..., "x.y", ...)``, also
    the two that are built from a verb) has Dutch and English words for the audit page."""
    import ast
    from pathlib import Path

    from api.web import i18n

    actions: set[str] = set()
    for path in (Path(__file__).parents[2] / "api").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit" and len(node.args) >= 3):
                arg = node.args[2]
                choices = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
                for choice in choices:
                    if isinstance(choice, ast.Constant):
                        actions.add(choice.value)
                    elif isinstance(choice, ast.JoinedStr):  # f"exchange.{'approve' if ... else 'decline'}"
                        prefix = "".join(v.value for v in choice.values if isinstance(v, ast.Constant))
                        for v in choice.values:
                            if isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.IfExp):
                                actions |= {prefix + v.value.body.value, prefix + v.value.orelse.value}
                    else:
                        raise AssertionError(f"{path}:{node.lineno}: an audit action this test cannot read")
    assert len(actions) >= 25, sorted(actions)
    missing = sorted(a for a in actions if not i18n.audit_action("nl", a))
    assert not missing, f"audit actions without words in api/web/i18n.py: {missing}"
    assert i18n.audit_action("nl", "line.accept") == "Regel geaccepteerd"
    assert i18n.audit_action("en", "line.accept") == "Line accepted"
