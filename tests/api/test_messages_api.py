"""The API's messages: a stable ``code`` beside every sentence, English by default, Dutch by
``lang=nl`` or ``Accept-Language: nl`` (docs/contract.md §11)."""

from __future__ import annotations

from api_testing import API


def test_a_404_has_a_code_and_is_english_unless_dutch_is_asked_for(client, auth):
    plain = client.get(f"{API}/proposals/999999", headers=auth.coa)
    assert plain.status_code == 404 and plain.json() == {"detail": "no proposal job 999999", "code": "no_job"}
    dutch = client.get(f"{API}/proposals/999999", headers={**auth.coa, "Accept-Language": "nl-NL,nl;q=0.9,en;q=0.8"})
    assert dutch.json() == {"detail": "voorstel 999999 bestaat niet", "code": "no_job"}
    by_parameter = client.get(f"{API}/proposals/999999", headers={**auth.coa, "Accept-Language": "nl"}, params={"lang": "en"})
    assert by_parameter.json()["detail"] == "no proposal job 999999"
    assert client.get(f"{API}/proposals/999999", headers=auth.coa, params={"lang": "nl"}).json()["detail"] == "voorstel 999999 bestaat niet"


def test_a_422_keeps_fastapis_shape_with_a_code_and_a_dutch_msg(client, auth):
    body = {"as_of": "3 juli 2023", "time_limit": -1}
    english = client.post(f"{API}/proposals", headers=auth.coa, json=body)
    dutch = client.post(f"{API}/proposals", headers=auth.coa, json=body, params={"lang": "nl"})
    assert english.status_code == dutch.status_code == 422
    for answer in (english.json()["detail"], dutch.json()["detail"]):
        assert {tuple(e["loc"]) for e in answer} == {("body", "as_of"), ("body", "time_limit")}
        assert all({"loc", "msg", "type", "code"} <= set(e) for e in answer)
    by_loc = {e["loc"][-1]: e for e in dutch.json()["detail"]}
    assert by_loc["time_limit"]["msg"].startswith("moet ") and by_loc["time_limit"]["code"] == by_loc["time_limit"]["type"]
    assert by_loc["as_of"]["msg"] == "moet een datum zijn, zoals 2023-07-03"
    assert {e["loc"][-1]: e["msg"] for e in english.json()["detail"]}["as_of"].startswith("Input should be a valid date")


def test_a_service_validation_error_is_dutch_on_request(client, auth):
    response = client.patch(f"{API}/municipalities/GM0153/quota", headers={**auth.coa, "Accept-Language": "nl"},
                            json={"taakstelling": 1})
    (error,) = response.json()["detail"]
    assert response.status_code == 422 and error["code"] == "amv_exceeds"
    assert error["msg"].startswith("het AMV-deel (") and error["msg"].endswith("mag de taakstelling (1) niet overschrijden")


def test_401_and_403_have_a_code_and_are_dutch_on_request(client, auth):
    """No token (the middleware), a revoked token (the route, and the middleware before a large
    body) and the wrong role: English by default, Dutch by lang or Accept-Language."""
    cases = [
        (client.get(f"{API}/proposals"), 401, "missing_token", "missing bearer token: "),
        (client.get(f"{API}/proposals", params={"lang": "nl"}), 401, "missing_token", "token ontbreekt: "),
        (client.get(f"{API}/proposals", headers={**auth.revoked, "Accept-Language": "nl"}), 401, "unknown_token",
         "onbekend of ingetrokken token"),
        (client.post(f"{API}/households/batch", headers={**auth.revoked, "Accept-Language": "nl"},
                     content=b"{" + b" " * 70_000 + b"}"), 401, "unknown_token", "onbekend of ingetrokken token"),
        (client.get(f"{API}/proposals", headers=auth.enschede), 403, "only_coa", "only COA planners (role coa) may do this"),
        (client.get(f"{API}/proposals", headers=auth.enschede, params={"lang": "nl"}), 403, "only_coa",
         "alleen planners van het COA (rol coa) mogen dit"),
    ]
    for response, status, code, start in cases:
        assert response.status_code == status and response.json()["code"] == code, response.text
        assert response.json()["detail"].startswith(start), response.json()
    assert cases[0][0].headers["www-authenticate"] == "Bearer" and cases[2][0].headers["www-authenticate"] == "Bearer"


def test_a_failed_job_has_its_error_code_and_the_page_renders_it(client, auth):
    """The worker's reason for failing a job is a catalogue message: the API gives the English
    text with its code; the message renders in Dutch from the same values."""
    from api.messages import data, render_data
    from api.services import jobs
    from api.worker import recover, worker_id

    job = client.post(f"{API}/proposals", headers=auth.coa, json={"as_of": "2023-07-03"}).json()
    sessions = client.app.state.sessions
    with sessions() as session:
        assert jobs.claim_next(session, "elsewhere:1:gone") == job["id"]
    with sessions() as session:
        assert recover(session, worker_id(), 0.0) == [job["id"]]
    failed = client.get(f"{API}/proposals/{job['id']}", headers=auth.coa).json()
    assert failed["status"] == "failed" and failed["error_code"] == "job_interrupted"
    assert failed["error"].startswith("interrupted: its worker elsewhere:1:gone sent no heartbeat for over 0 s")
    with sessions() as session:
        from api.models import Job

        stored = session.get(Job, job["id"]).error_values
    assert stored == data("job_interrupted", why=data("why_no_heartbeat", worker="elsewhere:1:gone", seconds=0.0))
    assert render_data("en", stored) == failed["error"]
    assert render_data("nl", stored).startswith("onderbroken: rekenproces elsewhere:1:gone gaf meer dan 0 s geen teken")


def test_the_schema_lists_lang_on_every_route_that_honours_it(client, auth):
    """Every /api/ route answers its messages in ``lang`` (the line and export routes their
    reasons too): the OpenAPI schema lists the parameter on each, once, with its two values."""
    schema = client.get("/openapi.json").json()
    operations = [(path, method, op) for path, ops in schema["paths"].items() if path.startswith("/api/")
                  for method, op in ops.items()]
    assert len(operations) > 20
    for path, method, op in operations:
        langs = [p for p in op.get("parameters", []) if p["name"] == "lang" and p["in"] == "query"]
        assert len(langs) == 1, (method, path)
        assert "nl" in str(langs[0]["schema"]) and "en" in str(langs[0]["schema"]), (method, path)
    lines = schema["paths"]["/api/v1/proposals/{job_id}/lines"]["get"]
    assert "reasons" in next(p for p in lines["parameters"] if p["name"] == "lang")["description"]
    assert "health" not in str([p for p, _, _ in operations])
    # and a route that lists it because of its messages does honour it
    assert client.get("/api/v1/homes/999999", headers=auth.coa, params={"lang": "nl"}).json()["detail"] == "woning 999999 bestaat niet"
