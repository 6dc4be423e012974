"""End to end in Debian's Chromium (``/usr/bin/chromium``, launched by path; nothing downloaded):
the real service under uvicorn with its worker, a temporary SQLite database, and the two
journeys of the issue — a municipality uploads homes, sees the bad row, fixes it and submits;
a planner starts a proposal, locks one line, refuses another, accepts the rest and sees the
quota and the waiting figures change; a municipality confirms a move-in and the planner sees it
realised; a municipality asks to re-couple a household and COA approves it; a municipality
records arriving family members and sees the housing check change; an exchange of status
holders goes from one municipality past the other to COA's approval — and a municipality that
tries another municipality's pages by URL.

Without Chromium these tests are skipped with the reason, unless ``MATCHER_REQUIRE_BROWSER=1``
(CI sets it), which makes that a failure.  With ``MATCHER_SCREENSHOTS=DIR`` the main pages are
saved there as PNG (``docs/screenshots`` in the repository).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reason_lines import store_job
from web_testing import (
    ENSCHEDE,
    HENGELO,
    HOMES_CSV_BAD,
    HOMES_CSV_FIXED,
    LiveServer,
    Secrets,
    exchange_world,
    make_secrets,
    planner_world,
    recoupling_world,
    reset,
    settings_for,
    signal_world,
)

from api.main import create_app
from api.web.session import WebSettings
from upload_files import as_dutch_csv, as_xlsx

CHROMIUM = os.environ.get("MATCHER_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REQUIRE = os.environ.get("MATCHER_REQUIRE_BROWSER", "") not in ("", "0", "false")
SHOTS = os.environ.get("MATCHER_SCREENSHOTS")
FILE_LABEL = "Bestand (.xlsx of .csv)"


def _missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    reason = _missing()
    if reason is not None:
        if REQUIRE:
            pytest.fail(f"MATCHER_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory, browser) -> Iterator[LiveServer]:
    """The service with its worker thread (solving in-process), on a free port."""
    settings = settings_for(tmp_path_factory.mktemp("e2e"), run_worker=True, poll_interval=0.2)
    app = create_app(settings)
    app.state.web_signer = type(app.state.web_signer)(WebSettings(secret="e2e"))
    with LiveServer(app) as server:
        server.app = app
        yield server


@pytest.fixture
def secrets(live) -> Secrets:
    reset(live.app.state.engine)
    return make_secrets(live.app.state.engine)


@pytest.fixture
def page(browser, live) -> Iterator[object]:
    """A fresh browser window (no cookies) at laptop size that accepts confirmation dialogs."""
    context = browser.new_context(viewport={"width": 1366, "height": 860}, base_url=live.url, locale="nl-NL")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.on("dialog", lambda dialog: dialog.accept())
    yield tab
    context.close()


def shot(page, name: str) -> None:
    """Keep a screenshot of the page when MATCHER_SCREENSHOTS is set."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def sign_in(page, secret: str) -> None:
    page.goto("/ui/")
    page.get_by_label("Token").fill(secret)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state()


def figure(page, name: str) -> int:
    return int(page.locator(f'[data-figure="{name}"]').first.inner_text().replace("\u202f", ""))


def test_a_municipality_uploads_homes_sees_the_bad_row_fixes_it_and_submits(page, secrets, tmp_path):
    """Sign in as Enschede, upload a CSV with one bad row (nothing saved, the row named), fix, upload again."""
    page.goto("/ui/")
    shot(page, "sign-in")
    sign_in(page, secrets.enschede)
    assert page.url.endswith(f"/ui/municipality/{ENSCHEDE}")
    page.get_by_role("link", name="Woningen", exact=True).click()
    bad = tmp_path / "homes.csv"
    bad.write_text(HOMES_CSV_BAD, encoding="utf-8")
    page.get_by_label(FILE_LABEL).set_input_files(str(bad))
    page.get_by_role("button", name="Uploaden").click()
    errors = page.locator("#upload-errors")
    errors.wait_for()
    assert "Niets opgeslagen" in errors.inner_text()
    rows = page.locator("tr.upload-error")
    assert rows.count() == 1
    assert rows.first.locator("td").nth(0).inner_text() == "3" and rows.first.locator("td").nth(1).inner_text() == "capacity"
    assert page.locator("#homes tbody tr[data-reference]").count() == 0
    shot(page, "municipality-homes-csv-error")
    bad.write_text(HOMES_CSV_FIXED, encoding="utf-8")
    page.get_by_label(FILE_LABEL).set_input_files(str(bad))
    page.get_by_role("button", name="Uploaden").click()
    page.get_by_role("status").filter(has_text="3 nieuw").wait_for()
    references = page.locator("#homes tbody tr[data-reference]")
    assert [references.nth(i).get_attribute("data-reference") for i in range(references.count())] == ["E-101", "E-102", "E-103"]
    shot(page, "municipality-homes")


def _typed(text: str) -> list[list[object]]:
    """A CSV's rows with numbers and dates typed, as a spreadsheet holds them."""
    rows: list[list[object]] = [list(r) for r in csv.reader(text.splitlines())]
    for row in rows[1:]:
        row[2], row[3] = int(str(row[2])), dt.date.fromisoformat(str(row[3]))
    return rows


def _upload_errors(page, path: Path) -> list[tuple[str, str, str]]:
    page.get_by_label(FILE_LABEL).set_input_files(str(path))
    page.get_by_role("button", name="Uploaden").click()
    page.locator("#upload-errors").wait_for()
    assert "Niets opgeslagen" in page.locator("#upload-errors").inner_text()
    rows = page.locator("tr.upload-error")
    return [tuple(rows.nth(i).locator("td").nth(j).inner_text() for j in range(3)) for i in range(rows.count())]


def test_a_municipality_uploads_an_xlsx_and_a_semicolon_csv_and_sees_the_same_row_errors(page, secrets, tmp_path):
    """The bad homes file as a comma CSV, an Excel workbook (typed cells) and a Dutch semicolon CSV
    (Windows-1252, dates as 1-7-2023): the page lists the same row, column and problem for each and
    saves nothing; the fixed workbook saves the three homes."""
    sign_in(page, secrets.enschede)
    page.goto(f"/ui/municipality/{ENSCHEDE}/homes")
    files = {"homes.csv": HOMES_CSV_BAD.encode("utf-8"), "woningen.xlsx": as_xlsx(_typed(HOMES_CSV_BAD)),
             "woningen-nl.csv": as_dutch_csv(_typed(HOMES_CSV_BAD), "cp1252")}
    seen = {}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        seen[name] = _upload_errors(page, tmp_path / name)
        assert page.locator("#homes tbody tr[data-reference]").count() == 0
    assert seen["homes.csv"][0][:2] == ("3", "capacity")
    assert seen["woningen.xlsx"] == seen["woningen-nl.csv"] == seen["homes.csv"]
    fixed = tmp_path / "woningen-goed.xlsx"
    fixed.write_bytes(as_xlsx(_typed(HOMES_CSV_FIXED)))
    page.get_by_label(FILE_LABEL).set_input_files(str(fixed))
    page.get_by_role("button", name="Uploaden").click()
    page.get_by_role("status").filter(has_text="3 nieuw").wait_for()
    references = page.locator("#homes tbody tr[data-reference]")
    assert [references.nth(i).get_attribute("data-reference") for i in range(references.count())] == ["E-101", "E-102", "E-103"]
    assert "Excel-werkmap (.xlsx" in page.locator("#file-formats").inner_text()


def test_a_planner_starts_a_proposal_refuses_one_line_accepts_the_rest_and_sees_the_figures_change(page, secrets, live):
    """Overview figures before; a greedy proposal run by the worker; one line locked by keyboard;
    one refusal with a reason; accept the rest; the overview's waiting and quota figures after."""
    planner_world(live.app.state.engine)
    sign_in(page, secrets.coa)
    assert page.url.endswith("/ui/planner")
    before = {name: figure(page, name) for name in ("uncoupled", "coupled", "persons", "realised", "quota-coupled", "remaining")}
    assert before["uncoupled"] == 10 and before["realised"] == 0

    page.get_by_role("link", name="Voorstellen", exact=True).click()
    page.get_by_label("Peildatum").fill("2023-07-03")
    page.get_by_label("Rekenmethode").select_option("greedy")
    page.get_by_role("button", name="Start").click()
    page.locator("#lines").wait_for(timeout=30_000)  # the page follows the job until it is done
    assert page.locator("#job-status").inner_text() == "klaar"
    pending = page.locator('#lines tr[data-decision="pending"]')
    count = pending.count()
    assert count >= 2

    single = page.locator('#lines tr[data-household="h-single"]')
    single_line = single.get_attribute("id").removeprefix("line-")
    single.get_by_role("button", name=f"Regel {single_line} vastzetten").focus()
    page.keyboard.press("Enter")  # the lock button works from the keyboard
    page.get_by_role("status").filter(has_text="Regel vastgezet").wait_for()
    assert page.locator('#lines tr[data-household="h-single"] .status.locked').inner_text() == "Vastgezet"

    family = page.locator('#lines tr[data-household="h-family"]')
    line = family.get_attribute("id").removeprefix("line-")
    family.get_by_label(f"Reden of notitie bij regel {line}").fill("familie woont in Almelo")
    family.get_by_role("button", name=f"Regel {line} afwijzen").click()
    page.get_by_role("status").filter(has_text="Besluit vastgelegd").wait_for()
    assert page.locator('#lines tr[data-household="h-family"]').get_attribute("data-decision") == "refused"
    shot(page, "planner-proposal-review")

    page.get_by_role("button", name="Alle open regels hieronder akkoord").click()
    page.get_by_role("status").filter(has_text="akkoord gegeven").wait_for()
    assert figure(page, "pending") == 0 and figure(page, "refused") == 1 and figure(page, "accepted") == count - 1

    page.get_by_role("link", name="Overzicht", exact=True).click()
    after = {name: figure(page, name) for name in before}
    assert after["uncoupled"] < before["uncoupled"]
    # accepted house lines are move-ins: still waiting and coupled, realised once the municipality confirms
    assert after["persons"] == before["persons"] and after["realised"] == before["realised"]
    assert after["quota-coupled"] > before["quota-coupled"] and after["remaining"] < before["remaining"]
    shot(page, "planner-overview")
    page.get_by_role("link", name="Logboek", exact=True).click()
    assert "familie woont in Almelo" in page.locator("#audit").inner_text()
    shot(page, "planner-audit")


def test_the_review_page_shows_its_messages_in_dutch_and_in_english(page, secrets, live):
    """A refusal without a reason: the review page says why in Dutch, and after the language
    switch in English (the screenshots planner-proposal-refusal-nl and -en)."""
    planner_world(live.app.state.engine)
    sign_in(page, secrets.coa)
    page.get_by_role("link", name="Voorstellen", exact=True).click()
    page.get_by_label("Peildatum").fill("2023-07-03")
    page.get_by_label("Rekenmethode").select_option("greedy")
    page.get_by_role("button", name="Start").click()
    page.locator("#lines").wait_for(timeout=30_000)
    review = page.url
    for lang, refuse, says in (("nl", "Regel {line} afwijzen", "Regel {line}: bij afwijzen is een reden nodig"),
                               ("en", "Refuse line {line}", "Line {line}: a refusal needs a reason")):
        family = page.locator('#lines tr[data-household="h-family"]')
        line = family.get_attribute("id").removeprefix("line-")
        family.get_by_role("button", name=refuse.format(line=line)).click()
        page.get_by_text(says.format(line=line)).wait_for()
        assert page.locator("html").get_attribute("lang") == lang
        shot(page, f"planner-proposal-refusal-{lang}")
        page.goto(review)
        if lang == "nl":
            page.get_by_role("link", name="English").click()
            page.locator("#lines").wait_for()


def test_the_review_page_gives_every_reason_in_the_pages_language(page, secrets, live):
    """A proposal with a line of every reason kind (tests/web/reason_lines.py): the review page
    shows each reason in Dutch, and after the language switch in English, rendered from the same
    values (the screenshots planner-proposal-review-nl and -en)."""
    from sqlalchemy import select

    from api.models import Home
    from api.services import households
    from api.services.errors import Actor
    from matcher.reasons import render

    engine = live.app.state.engine
    planner_world(engine)
    with live.app.state.sessions() as session:
        home = session.scalar(select(Home.id).where(Home.municipality_code == ENSCHEDE, Home.status == "open"))
    job, clauses = store_job(engine, ENSCHEDE, home)
    sign_in(page, secrets.coa)
    page.goto(f"/ui/planner/proposals/{job}?sort=line")
    for lang in ("nl", "en"):
        page.locator("#lines").wait_for()
        assert page.locator("html").get_attribute("lang") == lang
        shown = " ".join(page.locator("#lines").inner_text().split())
        assert [c["kind"] for c in clauses if " ".join(render(c, lang).split()) not in shown] == []
        if lang == "nl":
            page.get_by_role("link", name="English").click()
    # The screenshots: a real proposal with housed, coupled and waiting households
    with live.app.state.sessions() as session:
        households.upsert_batch(session, Actor(None, "test", "coa"), {"households": [
            {"household_id": "h-papers", "size": 2, "location_id": "azc-enschede", "permit_date": "2023-01-15",
             "state": "coupled", "municipality": ENSCHEDE, "coupling_date": "2023-02-01", "document_ready": False},
            {"household_id": "h-seven", "size": 7, "adults": 2, "children": 5, "location_id": "azc-enschede",
             "permit_date": "2022-12-01", "state": "coupled", "municipality": HENGELO, "coupling_date": "2023-01-10"}]})
    page.get_by_role("link", name="Proposals", exact=True).click()
    page.get_by_label("As of").fill("2023-07-03")
    page.get_by_role("button", name="Start").click()
    page.locator("#lines").wait_for(timeout=30_000)
    for lang in ("en", "nl"):
        kinds = set(page.locator("#lines tr[data-household]").evaluate_all(
            "rows => rows.map(r => r.querySelector('td:nth-last-child(2)').innerText)"))
        assert len(kinds) >= 4, kinds  # reasons of several kinds
        page.evaluate("document.querySelector('#lines').scrollIntoView()")
        shot(page, f"planner-proposal-review-{lang}")
        if lang == "en":
            page.get_by_role("link", name="Nederlands").click()
            page.locator("#lines").wait_for()


def _accept_house_line(page, secrets, household_id: str) -> None:
    """As COA through the JSON API: a greedy proposal, and ``household_id``'s house line accepted."""
    coa = {"Authorization": f"Bearer {secrets.coa}"}
    job = page.request.post("/api/v1/proposals", headers=coa, data={"as_of": "2023-07-03", "solver": "greedy"}).json()
    deadline = time.monotonic() + 60
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = page.request.get(f"/api/v1/proposals/{job['id']}", headers=coa).json()
    assert job["status"] == "done", job
    (line,) = page.request.get(f"/api/v1/proposals/{job['id']}/lines", headers=coa,
                               params={"household_id": household_id}).json()["items"]
    assert line["action"] == "house", line
    answer = page.request.put(f"/api/v1/proposals/{job['id']}/lines/{line['id']}/decision", headers=coa,
                              data={"decision": "accept", "date": "2023-07-04"})
    assert answer.ok, answer.text()


def test_a_municipality_confirms_a_move_in_and_the_planner_sees_it_realised(page, secrets, live):
    """COA accepts h-late's house line (the household is moving in); Enschede's households page
    offers the confirmation: an empty reason is refused by the form, a date confirms it; the
    household is housed, and the planner overview counts it realised."""
    planner_world(live.app.state.engine)
    _accept_house_line(page, secrets, "h-late")
    sign_in(page, secrets.coa)
    before = {name: figure(page, name) for name in ("realised", "quota-coupled", "remaining")}
    page.context.clear_cookies()

    sign_in(page, secrets.enschede)
    page.get_by_role("link", name="Huishoudens", exact=True).click()
    row = page.locator('#households tr[data-household="h-late"]')
    assert "verhuist" in row.inner_text()
    row.get_by_role("button", name="Verhuizing van h-late ging niet door").click()  # no reason: the form refuses
    assert page.locator('#households tr[data-household="h-late"] td.move-in form').count() == 2
    row.get_by_label("Datum van verhuizing van h-late").fill("2023-07-20")
    shot(page, "municipality-move-in")
    row.get_by_role("button", name="Verhuizing van h-late bevestigen").click()
    page.get_by_role("status").filter(has_text="Verhuizing bevestigd").wait_for()
    row = page.locator('#households tr[data-household="h-late"]')
    assert "gehuisvest" in row.inner_text() and row.locator("td.move-in form").count() == 0
    page.context.clear_cookies()

    sign_in(page, secrets.coa)
    after = {name: figure(page, name) for name in before}
    assert after["realised"] == before["realised"] + 3 and after["quota-coupled"] == before["quota-coupled"] - 3
    assert after["remaining"] == before["remaining"]
    page.get_by_role("link", name="Logboek", exact=True).click()
    assert "move_in.confirm" in page.locator("#audit").inner_text()


def test_a_recoupling_request_goes_from_the_municipality_to_coas_approval_and_into_the_next_proposal(page, secrets, live):
    """Enschede asks to re-couple h-wmo (a WMO home only Hengelo has) on its households page; COA
    finds it on its re-coupling page, tries to decline it without a reason (refused, with why),
    approves it; Enschede sees it approved, and the next proposal houses h-wmo in Hengelo."""
    recoupling_world(live.app.state.engine)
    sign_in(page, secrets.enschede)
    page.get_by_role("link", name="Huishoudens", exact=True).click()
    row = page.locator('#households tr[data-household="h-wmo"]')
    row.get_by_label("Waarom h-wmo omkoppelen").fill("aangepaste WMO-woning alleen in Hengelo")
    row.get_by_label("Gewenste gemeente (CBS-code) voor h-wmo").fill(HENGELO)
    shot(page, "municipality-recoupling")
    row.get_by_role("button", name="Omkoppeling van h-wmo aanvragen").click()
    page.get_by_role("status").filter(has_text="Omkoppeling aangevraagd").wait_for()
    assert "aangevraagd, wacht op COA" in page.locator('#households tr[data-household="h-wmo"] td.recoupling').inner_text()
    page.context.clear_cookies()

    sign_in(page, secrets.coa)
    page.get_by_role("link", name="Omkoppelingen", exact=True).click()
    request = page.locator('#recouplings tr[data-household="h-wmo"]')
    assert "aangepaste WMO-woning alleen in Hengelo" in request.inner_text() and "Hengelo" in request.inner_text()
    number = request.get_attribute("id").removeprefix("recoupling-")
    request.get_by_role("button", name=f"Omkoppeling {number} afwijzen").click()
    assert "ontbreekt; dit veld is verplicht" in page.get_by_role("alert").inner_text()  # a decline needs a reason
    request = page.locator('#recouplings tr[data-household="h-wmo"]')
    request.get_by_label(f"Reden bij omkoppeling {number}").fill("WMO-indicatie bekend")
    request.get_by_role("button", name=f"Omkoppeling {number} goedkeuren").click()
    page.get_by_role("status").filter(has_text="Omkoppeling goedgekeurd").wait_for()
    assert page.locator('#recouplings tr[data-household="h-wmo"]').get_attribute("data-status") == "approved"
    page.get_by_role("link", name="Voorstellen", exact=True).click()
    page.get_by_label("Peildatum").fill("2023-07-03")
    page.get_by_role("button", name="Start").click()
    page.locator("#lines").wait_for(timeout=30_000)
    line = page.locator('#lines tr[data-household="h-wmo"]').inner_text()
    assert "Hengelo" in line and "H-WMO" in line and "omgekoppeld van Enschede" in line
    page.context.clear_cookies()

    sign_in(page, secrets.enschede)
    page.get_by_role("link", name="Huishoudens", exact=True).click()
    assert "goedgekeurd door COA" in page.locator('#households tr[data-household="h-wmo"] td.recoupling').inner_text()


def test_a_municipality_session_cannot_open_another_municipalitys_pages(page, secrets):
    """Enschede types Hengelo's addresses: 'not found'; a planner page: 'not allowed'."""
    sign_in(page, secrets.enschede)
    for path in (f"/ui/municipality/{HENGELO}", f"/ui/municipality/{HENGELO}/homes", f"/ui/municipality/{HENGELO}/households"):
        response = page.goto(path)
        assert response.status == 404
        assert page.get_by_role("heading", level=1).inner_text() == "Niet gevonden"
    response = page.goto("/ui/planner")
    assert response.status == 403 and page.get_by_role("heading", level=1).inner_text() == "Geen toegang"
    assert page.goto(f"/ui/municipality/{ENSCHEDE}/homes").status == 200


def test_the_language_switch_and_keyboard_use(page, secrets):
    """The English link switches labels and lang; Tab reaches the skip link and the sign-in field."""
    page.goto("/ui/sign-in")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Token").fill(secrets.coa)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Planner overview").wait_for()


def test_the_api_docs_work_offline_under_the_content_security_policy(page, live):
    """/docs renders every operation with nothing fetched from elsewhere (any request off this
    site is aborted) and no Content-Security-Policy violation; the pages report none either."""
    outside: list[str] = []
    violations: list[str] = []

    def only_here(route):
        if route.request.url.startswith(live.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_here)
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    page.goto("/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 25
    page.goto("/ui/sign-in")
    page.wait_for_load_state()
    assert not outside, outside
    assert not violations, violations


def test_the_monitoring_pages_open_from_the_menu_with_their_charts_and_tables(page, secrets, live):
    """A planner follows the menu to the monitoring pages: the lead-time chart beside its table,
    the realisation bars and map; a municipality sees its own row only."""
    from api.db import session_factory
    from api.services import households
    from api.services.errors import Actor

    with session_factory(live.app.state.engine)() as session:
        households.upsert_batch(session, Actor(None, "test", "coa"), {"households": [
            {"household_id": f"b{i}", "size": 1 + i % 3, "location_id": "azc-enschede", "permit_date": "2023-05-01",
             "state": "housed", "municipality": (ENSCHEDE, HENGELO)[i % 2], "coupling_date": f"2023-06-{1 + i:02d}",
             "housed_date": f"2023-{7 + i % 4:02d}-{10 + i:02d}"} for i in range(8)]})
    sign_in(page, secrets.coa)
    page.get_by_role("link", name="Monitoring").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Monitoring")
    assert page.locator("svg.chart.line polyline").count() == 2
    assert page.locator("#figure-table tbody tr").count() == 4  # July to October
    shot(page, "monitoring-lead-times")
    page.get_by_role("link", name="Realisatie van de taakstelling").click()
    page.wait_for_load_state()
    assert page.locator("svg.chart.bars rect.bar").count() == 12
    assert page.locator("svg.nlmap circle").count() == 342
    shot(page, "monitoring-realisation")
    page.context.clear_cookies()
    sign_in(page, secrets.enschede)
    assert page.goto("/ui/monitoring/realisation").status == 200
    assert page.locator("#figure-table tbody tr").count() == 1 and page.locator("svg.nlmap circle").count() == 1


def test_a_planner_follows_a_large_home_signal_to_the_households_and_the_home(page, secrets, live):
    """The overview lists the signals; the planner follows the large home's to its page, sees the
    households it fits, follows the home's link to the home; and records an idle home's
    suggested redistribution with one click."""
    signal_world(live.app.state.engine)
    sign_in(page, secrets.coa)
    page.goto("/ui/planner?on=2023-07-03")
    section = page.locator("#overview-signals")
    section.scroll_into_view_if_needed()
    assert section.locator("li[data-kind=large_home]").count() == 1
    assert section.locator("li[data-kind=idle_homes]").count() == 1
    shot(page, "planner-overview-signals")
    section.get_by_role("link", name="Grote woning E-BIG in Enschede: 6 plaatsen, past bij 2 wachtende huishoudens").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Grote woning"
    assert page.locator("#signal-households tbody tr").evaluate_all("rows => rows.map(r => r.dataset.household)") == [
        "h-big", "h-four"]
    shot(page, "planner-signal-large-home")
    page.locator("#signal-homes").get_by_role("link", name="E-BIG").click()
    page.wait_for_load_state()
    assert f"/ui/municipality/{ENSCHEDE}/homes/" in page.url
    assert page.get_by_role("heading", level=1).inner_text().startswith("Woning E-BIG")
    page.goto("/ui/planner/signals?on=2023-07-03")
    page.locator("tr[data-kind=idle_homes] a").click()
    page.wait_for_load_state()
    assert "Haaksbergen neemt 2 personen" in page.locator("#suggestion").inner_text()
    shot(page, "planner-signal-idle-homes")
    page.get_by_role("button", name="Herverdeling vastleggen").click()
    page.wait_for_load_state()
    assert "Herverdeling vastgelegd." in page.locator("main").inner_text()
    assert page.locator("tr[data-kind=idle_homes]").count() == 0


def test_a_municipality_records_arriving_family_members_and_sees_the_housing_check_change(page, secrets, live):
    """COA accepts h-late's house line (3 persons into E-2, room for 3); on Enschede's households
    page the housing check says the home still fits; an arrival in the future is refused with
    why; one family member who arrived makes the household 4 persons, and the check says the home
    no longer fits."""
    planner_world(live.app.state.engine)
    _accept_house_line(page, secrets, "h-late")
    sign_in(page, secrets.enschede)
    page.get_by_role("link", name="Huishoudens", exact=True).click()
    row = page.locator('#households tr[data-household="h-late"]')
    check = row.locator(".housing-check")
    assert check.get_attribute("data-fits") == "yes" and "past nog: 3 personen, plaats voor 3" in check.inner_text()
    row.get_by_label("Aantal aangekomen gezinsleden van h-late").fill("1")
    row.get_by_label("Datum van aankomst van gezinsleden van h-late").fill("2099-01-01")
    row.get_by_role("button", name="Aankomst van gezinsleden van h-late vastleggen").click()
    alert = page.get_by_role("alert").inner_text()
    assert "Aankomst niet vastgelegd" in alert and "datum: een aankomst wordt vastgelegd als ze gebeurd is" in alert
    row = page.locator('#households tr[data-household="h-late"]')
    row.get_by_label("Aantal aangekomen gezinsleden van h-late").fill("1")
    row.get_by_label("Datum van aankomst van gezinsleden van h-late").fill("2023-08-01")
    row.get_by_role("button", name="Aankomst van gezinsleden van h-late vastleggen").click()
    page.get_by_role("status").filter(has_text="Aankomst van gezinsleden vastgelegd").wait_for()
    row = page.locator('#households tr[data-household="h-late"]')
    assert row.locator("td.n").first.inner_text() == "4"
    check = row.locator(".housing-check")
    assert check.get_attribute("data-fits") == "no" and "past niet meer: 4 personen, plaats voor 3" in check.inner_text()
    shot(page, "municipality-family-arrival")
    page.context.clear_cookies()

    sign_in(page, secrets.coa)
    page.get_by_role("link", name="Logboek", exact=True).click()
    assert "household.arrival" in page.locator("#audit").inner_text()


def test_an_exchange_goes_from_one_municipality_past_the_other_to_coas_approval(page, secrets, live):
    """Enschede asks, from h-e's row on its households page, to exchange h-e with Hengelo's h-h;
    Hengelo sees the exchange on its pages; COA approves it on its exchanges page; each
    household is then the other municipality's."""
    exchange_world(live.app.state.engine)
    sign_in(page, secrets.enschede)
    page.get_by_role("link", name="Huishoudens", exact=True).click()
    page.locator('#households tr[data-household="h-e"]').get_by_role("link", name="Ruil van h-e aanvragen").click()
    form = page.locator("#ask-exchange")
    assert form.get_by_label("Huishouden A: uw gekoppelde huishouden").input_value() == "h-e"
    form.get_by_label("Huishouden B: het gekoppelde huishouden van de andere gemeente").fill("h-h")
    form.get_by_label("Reden").fill("past in elkaars woningen")
    shot(page, "municipality-exchange")
    form.get_by_role("button", name="Ruil aanvragen").click()
    page.get_by_role("status").filter(has_text="Ruil aangevraagd").wait_for()
    exchange = page.locator('#exchanges tr[data-status="pending"]')
    assert "van Enschede (GM0153) naar Hengelo (O.) (GM0164)" in exchange.inner_text()
    page.context.clear_cookies()

    sign_in(page, secrets.hengelo)
    page.get_by_role("link", name="Huishoudens", exact=True).click()
    assert "ruil met h-e aangevraagd" in page.locator('#households tr[data-household="h-h"] td.recoupling').inner_text()
    page.get_by_role("link", name="Ruilen", exact=True).click()
    assert page.locator('#exchanges tr[data-households="h-e h-h"]').get_attribute("data-status") == "pending"
    page.context.clear_cookies()

    sign_in(page, secrets.coa)
    page.get_by_role("link", name="Ruilen", exact=True).click()
    exchange = page.locator('#exchanges tr[data-households="h-e h-h"]')
    assert "Enschede krijgt er 1 persoon bij" in exchange.inner_text()
    number = exchange.get_attribute("id").removeprefix("exchange-")
    shot(page, "planner-exchanges")
    exchange.get_by_role("button", name=f"Ruil {number} afwijzen").click()
    assert "ontbreekt" in page.get_by_role("alert").inner_text()  # a decline needs a reason
    exchange = page.locator('#exchanges tr[data-households="h-e h-h"]')
    exchange.get_by_label(f"Reden bij ruil {number}").fill("afgesproken")
    exchange.get_by_role("button", name=f"Ruil {number} goedkeuren").click()
    page.get_by_role("status").filter(has_text="Ruil goedgekeurd").wait_for()
    assert page.locator('#exchanges tr[data-households="h-e h-h"]').get_attribute("data-status") == "approved"
    page.context.clear_cookies()

    sign_in(page, secrets.hengelo)
    page.get_by_role("link", name="Huishoudens", exact=True).click()
    row = page.locator('#households tr[data-household="h-e"]')
    assert "gekoppeld" in row.inner_text() and page.locator('#households tr[data-household="h-h"]').count() == 0
