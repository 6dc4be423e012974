"""Every page speaks one language: a journey through every page (sign-in, the planner's and the
municipality's pages, forms and CSV uploads with errors, conflicts, the error pages 403, 404, 409,
422 and 500, and a review page with a line of every reason kind) in Dutch finds no English
sentence of the catalogues (``api/messages.py``, ``api/web/i18n.py`` and the reasons of
``matcher/reasons.py``), and the same journey in English no Dutch one."""

from __future__ import annotations

import datetime as dt
import html
import re
import string

import pytest
from reason_lines import store_job
from sqlalchemy import select
from web_testing import ENSCHEDE, csrf_of, planner_world, sign_in, signal_world

from api import messages
from api.models import Home
from api.services import households, jobs
from api.services.errors import Actor
from api.web import i18n, planner
from api.web.session import LANG_COOKIE
from api.worker import recover, run_pending, worker_id
from matcher import reasons
from matcher.models import ReasonKind

UPLOAD = ("reference,kind,capacity,min_occupancy,available_from,colour\n"
          "E-101,regular,4,1,2023-07-01,red\n")
"""An unknown column: the header is refused."""
UPLOAD_ROWS = ("reference,kind,capacity,min_occupancy,available_from\n"
               "E-101,villa,4,1,2023-07-01\n"
               "E-102,regular,vier,1,2023-07-01\n"
               "E-103,regular,2,3,1 juli 2023\n"
               "E-105,shared,0,2,2023-07-01\n")
"""Bad rows: an unknown kind, a capacity that is no number, a date that is no date, a capacity of 0."""
TEMPORARY = {"household_id": "h-tuvo", "size": 2, "location_id": "azc-enschede", "permit_date": "2022-12-01",
             "state": "temporary", "municipality": ENSCHEDE, "coupling_date": "2022-12-10", "housed_date": "2023-01-02",
             "temporary_home": "TuVo-1"}
"""A household in a temporary home of Enschede since 2 January 2023."""
SWAP = [{"household_id": "h-swap-e", "size": 1, "location_id": "azc-enschede", "permit_date": "2023-01-01",
         "state": "coupled", "municipality": ENSCHEDE, "coupling_date": "2023-01-10"},
        {"household_id": "h-swap-h", "size": 3, "location_id": "azc-enschede", "permit_date": "2023-01-01",
         "state": "coupled", "municipality": "GM0164", "coupling_date": "2023-01-10"}]
"""Two households Enschede and Hengelo exchange (Enschede gains 2 persons)."""
UPLOAD_CELLS = "reference,kind,capacity,min_occupancy,available_from\nE-104,regular,2\n"
"""Too few cells."""


def _visible(page: str) -> str:
    """The text a reader sees (and hears: titles and aria-labels), without tags."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    labels = " ".join(re.findall(r'(?:title|aria-label|placeholder)="([^"]*)"', page))
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + labels).split())


def _fragments(template: str) -> list[str]:
    """The literal parts of a template between its fields, long enough to be a sentence's words."""
    parts = [literal.strip(" ,.;:()") for literal, _, _, _ in string.Formatter().parse(template)]
    return [p for p in parts if len(p) >= 12 and p.count(" ") >= 2]


def _sentences(lang: str) -> set[str]:
    """The catalogues' sentences in ``lang`` that the other language does not also use."""
    index = messages.LANGUAGES.index(lang)
    tables = (messages.MESSAGES, i18n.WORDS, reasons.CATALOGUE)
    other = " ".join(words[1 - index] for table in tables for words in table.values())
    return {f for table in tables for words in table.values() for f in _fragments(words[index]) if f not in other}


def _journey(client, secrets, lang: str) -> dict[str, str]:
    """Every page, with the status each must have; name -> visible text."""
    pages: dict[str, str] = {}
    client.cookies.set(LANG_COOKIE, lang)

    def see(name: str, response, status: int = 200) -> str:
        assert response.status_code == status, (name, response.status_code, response.text[:3000])
        assert f'<html lang="{lang}">' in response.text, name
        pages[name] = _visible(response.text)
        return response.text

    engine = client.app.state.engine
    planner_world(engine)
    with client.app.state.sessions() as session:  # one in a temporary home, moving on within a year
        households.upsert_batch(session, Actor(None, "test", "coa"), {"households": [TEMPORARY, *SWAP]})
    see("sign-in", client.get("/ui/sign-in"))
    form = client.get("/ui/sign-in")
    see("sign-in failed", client.post("/ui/sign-in", data={"token": "mt_nonsense", "csrf": csrf_of(form.text)}), 401)
    csrf = sign_in(client, secrets.coa)
    see("overview", client.get("/ui/planner", params={"on": "2023-07-03"}))
    see("municipalities", client.get("/ui/planner/municipalities"))
    see("households and deadlines", client.get("/ui/planner/households"))
    see("households in temporary homes", client.get("/ui/planner/households", params={"state": "temporary"}))
    see("proposals", client.get("/ui/planner/proposals"))
    see("proposal form errors", client.post("/ui/planner/proposals", data={"csrf": csrf, "as_of": "3 juli 2023",
                                                                          "solver": "magic", "time_limit": "-1"}), 422)
    started = client.post("/ui/planner/proposals", data={"csrf": csrf, "as_of": "2023-07-03", "solver": "greedy"},
                          follow_redirects=False)
    review = started.headers["location"]
    see("proposal queued", client.get(review))
    run_pending(client.app.state.sessions, client.app.state.settings)
    text = see("review", client.get(review))
    first, second = re.findall(r'<tr id="line-(\d+)" data-household="[^"]+" data-decision="pending">', text)[:2]
    see("refusal without reason", client.post(f"{review}/lines/{first}", data={"csrf": csrf, "decision": "refuse"}), 422)
    client.post(f"{review}/lines/{first}", data={"csrf": csrf, "decision": "refuse", "reason": "school"})
    see("decided already", client.post(f"{review}/lines/{first}", data={"csrf": csrf, "decision": "accept"}), 409)
    see("lock refused line", client.post(f"{review}/lines/{first}/lock", data={"csrf": csrf}), 409)
    client.post(f"{review}/lines/{second}/lock", data={"csrf": csrf, "reason": "familie"})
    see("locked", client.get("/ui/planner/proposals"))
    see("accepted all", client.post(f"{review}/accept-all", data={"csrf": csrf, "back": review}))
    signal_world(engine)
    on = {"on": "2023-07-03"}
    see("overview with signals", client.get("/ui/planner", params=on))
    text = see("signals", client.get("/ui/planner/signals", params=on))
    signals = dict(reversed(re.findall(r'<tr data-signal="([a-z0-9-]+)" data-kind="([a-z_]+)">', text)))
    shown = {kind: ident for ident, kind in signals.items()}
    assert set(shown) == {"large_home", "province_shortfall", "region_shortfall", "safety_region_shortfall", "idle_homes"}
    for kind, ident in sorted(shown.items()):
        see(f"signal {kind}", client.get(f"/ui/planner/signals/{ident}", params=on))
    see("signal recorded", client.post(f"/ui/planner/signals/{shown['idle_homes']}/redistribute",
                                       data={"csrf": csrf, "on": "2023-07-03"}))
    see("signal 404", client.get(f"/ui/planner/signals/{shown['idle_homes']}", params=on), 404)
    see("signals 422", client.get("/ui/planner/signals", params={"after": "abc"}), 422)
    see("audit", client.get("/ui/planner/audit"))
    failed = client.post("/ui/planner/proposals", data={"csrf": csrf, "as_of": "2023-07-03", "solver": "highspy"},
                         follow_redirects=False).headers["location"]
    with client.app.state.sessions() as session:  # a worker elsewhere took it, and then went silent
        assert jobs.claim_next(session, "elsewhere:1:gone") is not None
    with client.app.state.sessions() as session:
        assert recover(session, worker_id(), 0.0)
    text = see("failed proposal", client.get(failed))
    why = messages.data("job_interrupted", why=messages.data("why_no_heartbeat", worker="elsewhere:1:gone", seconds=0.0))
    assert html.escape(messages.render_data(lang, why), quote=False) in text
    with client.app.state.sessions() as session:
        home = session.scalar(select(Home.id).where(Home.municipality_code == ENSCHEDE, Home.status == "open"))
    every_kind, clauses = store_job(engine, ENSCHEDE, home)
    text = see("review with every reason kind", client.get(f"/ui/planner/proposals/{every_kind}", params={"sort": "line"}))
    kinds = set(re.findall(r'<option value="([a-z_]+)"', text.split('name="reason"')[1].split("</select>")[0]))
    assert kinds == {k.value for k in ReasonKind}  # a line of every kind is on the page
    shown = pages["review with every reason kind"]
    assert [c["kind"] for c in clauses if " ".join(reasons.render(c, lang).split()) not in shown] == []
    for figure in ("", "/realisation", "/regional", "/predicted"):
        see(f"monitoring{figure}", client.get(f"/ui/monitoring{figure}", params={"as_of": "2023-07-03"}))
    see("monitoring 422", client.get("/ui/monitoring/realisation", params={"by": "month"}), 422)
    see("404", client.get("/ui/planner/proposals/999999"), 404)
    see("422", client.get("/ui/planner", params={"on": "3 juli"}), 422)
    client.cookies.clear()
    client.cookies.set(LANG_COOKIE, lang)
    csrf = sign_in(client, secrets.enschede)
    base = f"/ui/municipality/{ENSCHEDE}"
    see("403", client.get("/ui/planner"), 403)
    see("municipality", client.get(base))
    see("homes", client.get(f"{base}/homes"))
    see("households", client.get(f"{base}/households"))
    see("households by urgency", client.get(f"{base}/households", params={"sort": "urgency"}))
    see("municipality's households in temporary homes", client.get(f"{base}/households", params={"state": "temporary"}))
    see("monitoring of the municipality", client.get("/ui/monitoring"))
    for name, content in (("upload header", UPLOAD), ("upload rows", UPLOAD_ROWS), ("upload cells", UPLOAD_CELLS), ("upload not utf-8", "E-1;\xe9\n".encode("latin-1"))):
        see(name, client.post(f"{base}/homes/upload", data={"csrf": csrf},
                              files={"file": ("homes.csv", content, "text/csv")}), 422)
    see("add home errors", client.post(f"{base}/homes", data={"csrf": csrf, "reference": "", "kind": "shared", "capacity": "0",
                                                             "min_occupancy": "2", "available_from": "morgen"}), 422)
    home_ids = re.findall(rf'href="{base}/homes/(\d+)"', client.get(f"{base}/homes").text)
    see("home", client.get(f"{base}/homes/{home_ids[0]}"))
    see("home change errors", client.post(f"{base}/homes/{home_ids[0]}", data={"csrf": csrf, "kind": "regular", "capacity": "1",
                                                                               "min_occupancy": "2", "available_from": "2023-07-01"}), 422)
    with client.app.state.sessions() as session:
        allocated = session.scalar(select(Home.id).where(Home.status == "allocated"))
    assert allocated is not None  # the accepted lines took a home
    see("409", client.post(f"{base}/homes/{allocated}/withdraw", data={"csrf": csrf}), 409)
    coupled = re.findall(r'name="household_id" value="([^"]+)"', client.get(f"{base}/households").text)
    assert coupled, "no coupled household to ask a re-coupling for"
    see("re-coupling without a reason", client.post(f"{base}/recouplings", data={"csrf": csrf, "household_id": coupled[0]}), 422)
    see("re-coupling asked", client.post(f"{base}/recouplings", data={"csrf": csrf, "household_id": coupled[0],
                                                                      "reason": "WMO", "to_municipality": "GM0164"}))
    see("re-coupling asked twice", client.post(f"{base}/recouplings", data={"csrf": csrf, "household_id": coupled[0],
                                                                            "reason": "WMO"}), 409)
    arrivals = f"{base}/households/{coupled[0]}/arrivals"
    raw = see("arrival of family members", client.post(arrivals, data={"csrf": csrf, "persons": "2", "date": "2023-08-01"}))
    assert 'class="housing-check' in raw, "no housing check on the households page"
    see("arrival without persons", client.post(arrivals, data={"csrf": csrf, "persons": "", "date": "2023-08-01"}), 422)
    see("arrival in the future", client.post(arrivals, data={"csrf": csrf, "persons": "1", "date": "2999-01-01"}), 422)
    swap = {"csrf": csrf, "household_a": "h-swap-e", "household_b": "h-swap-h", "reason": "woningen"}
    see("exchanges of the municipality", client.get(f"{base}/exchanges", params={"household": "h-swap-e"}))
    see("exchange without a reason", client.post(f"{base}/exchanges", data={**swap, "reason": ""}), 422)
    see("exchange with an unknown household", client.post(f"{base}/exchanges", data={**swap, "household_b": "h-none"}), 422)
    see("exchange with itself", client.post(f"{base}/exchanges", data={**swap, "household_b": "h-swap-e"}), 422)
    see("exchange of nobody's", client.post(f"{base}/exchanges", data={**swap, "household_a": "h-none"}), 404)
    see("exchange asked", client.post(f"{base}/exchanges", data=swap))
    see("exchange asked twice", client.post(f"{base}/exchanges", data=swap), 409)
    see("households with an exchange", client.get(f"{base}/households"))
    client.cookies.clear()
    client.cookies.set(LANG_COOKIE, lang)
    csrf = sign_in(client, secrets.coa)
    text = see("re-couplings", client.get("/ui/planner/recouplings"))
    number = re.search(r'<tr id="recoupling-(\d+)"', text).group(1)
    see("re-coupling declined without a reason", client.post(f"/ui/planner/recouplings/{number}/decline",
                                                             data={"csrf": csrf}), 422)
    see("re-coupling approved", client.post(f"/ui/planner/recouplings/{number}/approve", data={"csrf": csrf}))
    see("re-coupling decided", client.post(f"/ui/planner/recouplings/{number}/decline", data={"csrf": csrf, "reason": "x"}), 409)
    see("arrival recorded by COA", client.post("/ui/planner/households/h-swap-e/arrivals",
                                               data={"csrf": csrf, "persons": "1", "date": "2023-08-01"}))
    see("arrival by COA before the permit", client.post("/ui/planner/households/h-swap-e/arrivals",
                                                        data={"csrf": csrf, "persons": "1", "date": "2022-01-01"}), 422)
    text = see("exchanges", client.get("/ui/planner/exchanges"))
    number = re.search(r'<tr id="exchange-(\d+)"', text).group(1)
    see("exchange over quota without a reason", client.post(f"/ui/planner/exchanges/{number}/approve",
                                                           data={"csrf": csrf, "over_quota": "on"}), 422)
    see("exchange declined without a reason", client.post(f"/ui/planner/exchanges/{number}/decline",
                                                         data={"csrf": csrf}), 422)
    see("exchange approved", client.post(f"/ui/planner/exchanges/{number}/approve", data={"csrf": csrf, "over_quota": "on",
                                                                                       "reason": "afgesproken"}))
    see("exchange decided", client.post(f"/ui/planner/exchanges/{number}/decline", data={"csrf": csrf, "reason": "x"}), 409)
    return pages


def _journey_with_a_fault(client, secrets, lang: str, monkeypatch) -> str:
    def broken(*_, **__):
        raise RuntimeError("a fault of ours")

    client.cookies.set(LANG_COOKIE, lang)
    sign_in(client, secrets.coa)
    monkeypatch.setattr(planner.overview, "quota_overview", broken)
    response = client.get("/ui/planner")
    assert response.status_code == 500 and f'<html lang="{lang}">' in response.text
    assert "a fault of ours" not in response.text
    return _visible(response.text)


@pytest.mark.parametrize("lang", messages.LANGUAGES)
def test_every_page_is_in_one_language(client, secrets, lang, monkeypatch):
    pages = _journey(client, secrets, lang)
    client.cookies.clear()
    pages["500"] = _journey_with_a_fault(client, secrets, lang, monkeypatch)
    foreign = _sentences(messages.LANGUAGES[1 - messages.LANGUAGES.index(lang)])
    assert len(foreign) > 100  # the catalogues' sentences are found at all
    found = {name: sorted(f for f in foreign if f in text) for name, text in pages.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}
    own = _sentences(lang)
    assert all(any(f in text for f in own) for text in pages.values())  # each page does say something
    assert i18n.translate(lang, "done_arrival_recorded") in pages["arrival of family members"]
    for name in ("households in temporary homes", "municipality's households in temporary homes"):
        assert i18n.translate(lang, "household_state_temporary") in pages[name], name
        assert "TuVo-1" in pages[name] and i18n.long_date(lang, dt.date(2024, 1, 2)) in pages[name], name


def test_the_row_errors_of_an_upload_name_row_column_and_problem_in_dutch(client, secrets):
    csrf = sign_in(client, secrets.enschede)
    response = client.post(f"/ui/municipality/{ENSCHEDE}/homes/upload", data={"csrf": csrf},
                           files={"file": ("homes.csv", UPLOAD_ROWS, "text/csv")})
    rows = re.findall(r'<tr class="upload-error"><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', response.text)
    problems = {(row, column): html.unescape(problem) for row, column, problem in rows}
    assert problems[("2", "kind")].startswith("moet een van deze zijn: 'regular', ")
    assert problems[("3", "capacity")] == "moet een geheel getal zijn"
    assert problems[("4", "available_from")] == "moet een datum zijn, zoals 2023-07-03"
    assert problems[("5", "capacity")] == "moet minstens 1 zijn"
    response = client.post(f"/ui/municipality/{ENSCHEDE}/homes/upload", data={"csrf": csrf},
                           files={"file": ("homes.csv", b"\xef\xbb\xbf" + "E-1;\xe9\n".encode("latin-1"), "text/csv")})
    # (marked UTF-8 by its byte-order mark; without it the file would read as Windows-1252)
    assert "is geen UTF-8-tekst (ongeldige vervolgbyte bij byte 4); sla het op als UTF-8-CSV" in response.text
    response = client.post(f"/ui/municipality/{ENSCHEDE}/homes/upload", data={"csrf": csrf},
                           files={"file": ("homes.csv", UPLOAD_CELLS, "text/csv")})
    assert '<tr class="upload-error"><td>2</td><td></td><td>heeft 3 cellen; de kopregel heeft er 5</td></tr>' in response.text
