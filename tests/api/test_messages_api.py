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
