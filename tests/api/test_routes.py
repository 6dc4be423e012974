"""Every route, table-driven: the happy path, 401 (no, unknown or revoked token), 403 (wrong
role), 404 (unknown id, another municipality's object, guessed ids), 422 (malformed input) and
idempotency (the same request twice has the effect of one: no second audit event, the same
answer).

Each table names every route; a route that a case cannot apply to is listed in ``NOT_APPLICABLE``
with the reason, and :func:`test_the_tables_cover_every_route` fails when a new route is added
to the app without its cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from api_testing import (
    API,
    decide,
    enschede_world,
    home,
    household,
    line_of,
    make_tokens,
    offer,
    propose,
    reset,
    restore,
    snapshot,
    upsert,
)
from sqlalchemy import func, select

from api.models import AuditEvent


@dataclass(frozen=True)
class Call:
    """A request: who sends it (a key of the ``auth`` fixture), and its parts; ``{name}`` in the
    path is filled from the world."""

    who: str
    method: str
    path: str
    json: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Any] | None = None

    def send(self, client, auth, world):
        headers = getattr(auth, self.who) if self.who != "nobody" else {}
        return client.request(self.method, API + self.path.format(**world), headers=headers, json=self.json,
                              params=self.params, files=self.files)


def csv(text: str) -> dict[str, Any]:
    return {"file": ("upload.csv", text.encode("utf-8"), "text/csv")}


HOMES_CSV = "reference,kind,capacity,available_from\nE-9,regular,3,2023-07-01\n"
HOUSEHOLDS_CSV = "household_id,size,location_id,permit_date\nc-1,2,azc-enschede,2023-02-01\n"
TRAVEL_CSV = "location_id,municipality,minutes\nazc-enschede,GM0153,10\n"
PERIOD = {"name": "2024-I", "starts_on": "2024-01-01", "ends_on": "2024-06-30"}
RECOUPLING = {"household_id": "h-wmo", "reason": "needs a WMO-adapted home", "to_municipality": "GM0164",
              "reference": "rc-1"}
EXCHANGE = {"household_a": "h-wmo", "household_b": "h-hen", "reason": "each fits the other's homes",
            "reference": "ruil-1"}
ARRIVAL = {"persons": 1, "date": "2023-08-01", "reference": "nareis-1"}
REDISTRIBUTION = {"reference": "r-1", "from_municipality": "GM0183", "to_municipality": "GM0141", "persons": 5,
                  "reason": "regional arrangement"}

# The route -> the call that must succeed, and its status.
HAPPY: dict[str, tuple[Call, int]] = {
    "GET /me": (Call("enschede", "GET", "/me"), 200),
    "GET /municipalities": (Call("coa", "GET", "/municipalities"), 200),
    "GET /municipalities/{code}": (Call("enschede", "GET", "/municipalities/GM0153"), 200),
    "PATCH /municipalities/{code}/quota": (Call("coa", "PATCH", "/municipalities/GM0153/quota", {"backlog": 7}), 200),
    "GET /periods": (Call("coa", "GET", "/periods"), 200),
    "POST /periods": (Call("coa", "POST", "/periods", PERIOD), 201),
    "GET /periods/{period_id}": (Call("coa", "GET", "/periods/{period_id}"), 200),
    "GET /redistributions": (Call("coa", "GET", "/redistributions"), 200),
    "POST /redistributions": (Call("coa", "POST", "/redistributions", REDISTRIBUTION), 201),
    "GET /locations": (Call("coa", "GET", "/locations"), 200),
    "GET /homes": (Call("enschede", "GET", "/homes"), 200),
    "POST /homes": (Call("enschede", "POST", "/homes", home("E-9")), 201),
    "POST /homes/upload": (Call("enschede", "POST", "/homes/upload", files=csv(HOMES_CSV)), 200),
    "GET /homes/{home_id}": (Call("enschede", "GET", "/homes/{home_id}"), 200),
    "PATCH /homes/{home_id}": (Call("enschede", "PATCH", "/homes/{free_home_id}", {"capacity": 5}), 200),
    "POST /homes/{home_id}/withdraw": (Call("enschede", "POST", "/homes/{free_home_id}/withdraw"), 200),
    "GET /households": (Call("enschede", "GET", "/households"), 200),
    "POST /households/batch": (Call("coa", "POST", "/households/batch", {"households": [household("b-1")]}), 200),
    "POST /households/upload": (Call("coa", "POST", "/households/upload", files=csv(HOUSEHOLDS_CSV)), 200),
    "GET /households/{household_id}": (Call("enschede", "GET", "/households/h-family"), 200),
    "POST /proposals": (Call("coa", "POST", "/proposals", {"as_of": "2023-07-10", "reference": "w28"}), 202),
    "GET /proposals": (Call("coa", "GET", "/proposals"), 200),
    "GET /proposals/{job_id}": (Call("coa", "GET", "/proposals/{job_id}"), 200),
    "GET /proposals/{job_id}/lines": (Call("coa", "GET", "/proposals/{job_id}/lines"), 200),
    "PUT /proposals/{job_id}/lines/{line_id}/decision":
        (Call("coa", "PUT", "/proposals/{job_id}/lines/{line_id}/decision", {"decision": "accept", "date": "2023-07-04"}), 200),
    "GET /proposals/{job_id}/export.csv": (Call("coa", "GET", "/proposals/{job_id}/export.csv"), 200),
    "GET /proposals/{job_id}/export.xlsx": (Call("coa", "GET", "/proposals/{job_id}/export.xlsx"), 200),
    "GET /bans": (Call("coa", "GET", "/bans"), 200),
    "POST /proposals/{job_id}/lines/{line_id}/lock":
        (Call("coa", "POST", "/proposals/{job_id}/lines/{line_id}/lock", {"note": "school nearby"}), 201),
    "GET /locks": (Call("coa", "GET", "/locks"), 200),
    "GET /locks/{lock_id}": (Call("coa", "GET", "/locks/{lock_id}"), 200),
    "DELETE /locks/{lock_id}": (Call("coa", "DELETE", "/locks/{lock_id}"), 200),
    "GET /audit": (Call("coa", "GET", "/audit"), 200),
    "GET /monitoring/{figure}": (Call("enschede", "GET", "/monitoring/realisation"), 200),
    "GET /monitoring/{figure}/export.csv": (Call("coa", "GET", "/monitoring/lead-times/export.csv"), 200),
    "GET /monitoring/{figure}/export.xlsx": (Call("hengelo", "GET", "/monitoring/regional/export.xlsx"), 200),
    "GET /proposed-lines": (Call("enschede", "GET", "/proposed-lines"), 200),
    "GET /proposed-lines/{line_id}": (Call("enschede", "GET", "/proposed-lines/{line_id}"), 200),
    "GET /travel-times": (Call("coa", "GET", "/travel-times"), 200),
    "POST /travel-times/upload": (Call("coa", "POST", "/travel-times/upload", files=csv(TRAVEL_CSV)), 200),
    "POST /households/{household_id}/arrivals": (Call("enschede", "POST", "/households/h-asked/arrivals", ARRIVAL), 201),
    "GET /households/{household_id}/arrivals": (Call("enschede", "GET", "/households/h-asked/arrivals"), 200),
    "GET /households/{household_id}/housing-check": (Call("enschede", "GET", "/households/h-single/housing-check"), 200),
    "GET /move-ins": (Call("enschede", "GET", "/move-ins"), 200),
    "GET /move-ins/{move_in_id}": (Call("enschede", "GET", "/move-ins/{move_in_id}"), 200),
    "POST /move-ins/{move_in_id}/confirm": (Call("enschede", "POST", "/move-ins/{move_in_id}/confirm", {"date": "2023-07-20"}), 200),
    "POST /move-ins/{move_in_id}/fell-through":
        (Call("enschede", "POST", "/move-ins/{move_in_id}/fell-through", {"reason": "te ver van school"}), 200),
    "GET /signals": (Call("coa", "GET", "/signals"), 200),
    "GET /signals/{signal_id}": (Call("hengelo", "GET", "/signals/large-home-{hengelo_home_id}"), 200),
    "GET /recouplings": (Call("enschede", "GET", "/recouplings"), 200),
    "POST /recouplings": (Call("enschede", "POST", "/recouplings", RECOUPLING), 201),
    "GET /recouplings/{recoupling_id}": (Call("enschede", "GET", "/recouplings/{recoupling_id}"), 200),
    "POST /recouplings/{recoupling_id}/approve":
        (Call("coa", "POST", "/recouplings/{recoupling_id}/approve", {"reason": "akkoord"}), 200),
    "POST /recouplings/{recoupling_id}/decline":
        (Call("coa", "POST", "/recouplings/{recoupling_id}/decline", {"reason": "geen aangepaste woning nodig"}), 200),
    "GET /exchanges": (Call("hengelo", "GET", "/exchanges"), 200),
    "POST /exchanges": (Call("enschede", "POST", "/exchanges", EXCHANGE), 201),
    "GET /exchanges/{exchange_id}": (Call("enschede", "GET", "/exchanges/{exchange_id}"), 200),
    "POST /exchanges/{exchange_id}/approve": (Call("coa", "POST", "/exchanges/{exchange_id}/approve", {"reason": "akkoord"}), 200),
    "POST /exchanges/{exchange_id}/decline":
        (Call("coa", "POST", "/exchanges/{exchange_id}/decline", {"reason": "de gemeenten zijn het niet eens"}), 200),
}

# The route -> a call by a token whose role may not use it.
FORBIDDEN: dict[str, Call] = {
    "PATCH /municipalities/{code}/quota": Call("enschede", "PATCH", "/municipalities/GM0153/quota", {"backlog": 7}),
    "GET /periods": Call("enschede", "GET", "/periods"),
    "POST /periods": Call("enschede", "POST", "/periods", PERIOD),
    "GET /periods/{period_id}": Call("enschede", "GET", "/periods/{period_id}"),
    "GET /redistributions": Call("enschede", "GET", "/redistributions"),
    "POST /redistributions": Call("enschede", "POST", "/redistributions", REDISTRIBUTION),
    "GET /locations": Call("enschede", "GET", "/locations"),
    "POST /homes": Call("coa", "POST", "/homes", home("C-1")),
    "POST /homes/upload": Call("coa", "POST", "/homes/upload", files=csv(HOMES_CSV)),
    "PATCH /homes/{home_id}": Call("coa", "PATCH", "/homes/{free_home_id}", {"capacity": 5}),
    "POST /homes/{home_id}/withdraw": Call("coa", "POST", "/homes/{free_home_id}/withdraw"),
    "POST /households/batch": Call("enschede", "POST", "/households/batch", {"households": [household("b-1")]}),
    "POST /households/upload": Call("enschede", "POST", "/households/upload", files=csv(HOUSEHOLDS_CSV)),
    "GET /travel-times": Call("enschede", "GET", "/travel-times"),
    "POST /travel-times/upload": Call("enschede", "POST", "/travel-times/upload", files=csv(TRAVEL_CSV)),
    "POST /proposals": Call("enschede", "POST", "/proposals", {"as_of": "2023-07-10"}),
    "GET /proposals": Call("hengelo", "GET", "/proposals"),
    "GET /proposals/{job_id}": Call("enschede", "GET", "/proposals/{job_id}"),
    "GET /proposals/{job_id}/lines": Call("enschede", "GET", "/proposals/{job_id}/lines"),
    "PUT /proposals/{job_id}/lines/{line_id}/decision":
        Call("enschede", "PUT", "/proposals/{job_id}/lines/{line_id}/decision", {"decision": "accept"}),
    "GET /proposals/{job_id}/export.csv": Call("enschede", "GET", "/proposals/{job_id}/export.csv"),
    "GET /proposals/{job_id}/export.xlsx": Call("enschede", "GET", "/proposals/{job_id}/export.xlsx"),
    "GET /bans": Call("enschede", "GET", "/bans"),
    "POST /proposals/{job_id}/lines/{line_id}/lock": Call("enschede", "POST", "/proposals/{job_id}/lines/{line_id}/lock"),
    "GET /locks": Call("enschede", "GET", "/locks"),
    "GET /locks/{lock_id}": Call("hengelo", "GET", "/locks/{lock_id}"),
    "DELETE /locks/{lock_id}": Call("enschede", "DELETE", "/locks/{lock_id}"),
    "GET /audit": Call("hengelo", "GET", "/audit"),
    "GET /proposed-lines": Call("coa", "GET", "/proposed-lines"),
    "GET /proposed-lines/{line_id}": Call("coa", "GET", "/proposed-lines/{line_id}"),
    "POST /households/{household_id}/arrivals": Call("enschede", "POST", "/households/h-single/arrivals", ARRIVAL),
    "POST /move-ins/{move_in_id}/confirm": Call("coa", "POST", "/move-ins/{move_in_id}/confirm", {"date": "2023-07-20"}),
    "POST /move-ins/{move_in_id}/fell-through": Call("coa", "POST", "/move-ins/{move_in_id}/fell-through", {"reason": "x"}),
    "POST /recouplings/{recoupling_id}/approve": Call("enschede", "POST", "/recouplings/{recoupling_id}/approve", {}),
    "POST /recouplings/{recoupling_id}/decline": Call("enschede", "POST", "/recouplings/{recoupling_id}/decline",
                                                      {"reason": "x"}),
    "POST /exchanges/{exchange_id}/approve": Call("enschede", "POST", "/exchanges/{exchange_id}/approve", {}),
    "POST /exchanges/{exchange_id}/decline": Call("enschede", "POST", "/exchanges/{exchange_id}/decline", {"reason": "x"}),
}

# The route -> calls that must be 404: unknown ids, and for municipalities another one's object
# (including ids guessed one after the other).
NOT_FOUND: dict[str, list[Call]] = {
    "GET /municipalities/{code}": [Call("coa", "GET", "/municipalities/GM9999"),
                                   Call("enschede", "GET", "/municipalities/GM0164")],
    "PATCH /municipalities/{code}/quota": [Call("coa", "PATCH", "/municipalities/GM9999/quota", {"backlog": 1})],
    "GET /periods/{period_id}": [Call("coa", "GET", "/periods/99")],
    # Homes 1 to 3 are Enschede's, 4 is Hengelo's own: Hengelo guessing 1 and 2 finds nothing.
    "GET /homes/{home_id}": [Call("coa", "GET", "/homes/9999"), Call("hengelo", "GET", "/homes/{home_id}"),
                             Call("hengelo", "GET", "/homes/1"), Call("hengelo", "GET", "/homes/2")],
    "PATCH /homes/{home_id}": [Call("enschede", "PATCH", "/homes/9999", {"capacity": 2}),
                               Call("hengelo", "PATCH", "/homes/{free_home_id}", {"capacity": 2})],
    "POST /homes/{home_id}/withdraw": [Call("enschede", "POST", "/homes/9999/withdraw"),
                                       Call("hengelo", "POST", "/homes/{free_home_id}/withdraw")],
    "GET /households/{household_id}": [Call("coa", "GET", "/households/nobody"),
                                       Call("hengelo", "GET", "/households/h-family"),
                                       Call("enschede", "GET", "/households/h-elsewhere")],
    "GET /proposals/{job_id}": [Call("coa", "GET", "/proposals/9999")],
    "GET /proposals/{job_id}/lines": [Call("coa", "GET", "/proposals/9999/lines")],
    "PUT /proposals/{job_id}/lines/{line_id}/decision": [
        Call("coa", "PUT", "/proposals/{job_id}/lines/9999/decision", {"decision": "accept"}),
        Call("coa", "PUT", "/proposals/9999/lines/{line_id}/decision", {"decision": "accept"})],
    "GET /proposals/{job_id}/export.csv": [Call("coa", "GET", "/proposals/9999/export.csv")],
    "GET /proposals/{job_id}/export.xlsx": [Call("coa", "GET", "/proposals/9999/export.xlsx")],
    "POST /proposals/{job_id}/lines/{line_id}/lock": [Call("coa", "POST", "/proposals/{job_id}/lines/9999/lock"),
                                                      Call("coa", "POST", "/proposals/9999/lines/{line_id}/lock")],
    "GET /locks/{lock_id}": [Call("coa", "GET", "/locks/9999")],
    "DELETE /locks/{lock_id}": [Call("coa", "DELETE", "/locks/9999")],
    # Line {line_id} couples a household to Enschede: Hengelo does not see it, nor guessed ids.
    "GET /proposed-lines/{line_id}": [Call("enschede", "GET", "/proposed-lines/9999"),
                                      Call("hengelo", "GET", "/proposed-lines/{line_id}"),
                                      Call("hengelo", "GET", "/proposed-lines/1"),
                                      Call("hengelo", "GET", "/proposed-lines/2")],
    # Move-in {move_in_id} is Enschede's: Hengelo neither sees nor decides it.
    "GET /move-ins/{move_in_id}": [Call("coa", "GET", "/move-ins/9999"), Call("hengelo", "GET", "/move-ins/{move_in_id}")],
    "POST /households/{household_id}/arrivals": [Call("hengelo", "POST", "/households/h-asked/arrivals", ARRIVAL),
                                                 Call("coa", "POST", "/households/nobody/arrivals", ARRIVAL)],
    "GET /households/{household_id}/arrivals": [Call("hengelo", "GET", "/households/h-asked/arrivals"),
                                                Call("coa", "GET", "/households/nobody/arrivals")],
    "GET /households/{household_id}/housing-check": [Call("hengelo", "GET", "/households/h-single/housing-check"),
                                                     Call("coa", "GET", "/households/nobody/housing-check")],
    # H-1 (5 places) is Hengelo's large home: Enschede does not see its signal.
    "GET /signals/{signal_id}": [Call("coa", "GET", "/signals/large-home-9999"), Call("coa", "GET", "/signals/nothing"),
                                 Call("enschede", "GET", "/signals/large-home-{hengelo_home_id}")],
    "POST /move-ins/{move_in_id}/confirm": [
        Call("enschede", "POST", "/move-ins/9999/confirm", {"date": "2023-07-20"}),
        Call("hengelo", "POST", "/move-ins/{move_in_id}/confirm", {"date": "2023-07-20"})],
    "POST /move-ins/{move_in_id}/fell-through": [
        Call("enschede", "POST", "/move-ins/9999/fell-through", {"reason": "x"}),
        Call("hengelo", "POST", "/move-ins/{move_in_id}/fell-through", {"reason": "x"})],
    # h-wmo and request {recoupling_id} are Enschede's: Hengelo neither asks for nor sees them.
    "POST /recouplings": [Call("hengelo", "POST", "/recouplings", RECOUPLING),
                          Call("coa", "POST", "/recouplings", {**RECOUPLING, "household_id": "nobody"})],
    "GET /recouplings/{recoupling_id}": [Call("coa", "GET", "/recouplings/9999"),
                                         Call("hengelo", "GET", "/recouplings/{recoupling_id}")],
    "POST /recouplings/{recoupling_id}/approve": [Call("coa", "POST", "/recouplings/9999/approve", {})],
    "POST /recouplings/{recoupling_id}/decline": [Call("coa", "POST", "/recouplings/9999/decline", {"reason": "x"})],
    # Exchange {exchange_id} is between Enschede and Groningen: Hengelo does not see it; Hengelo asking
    # to exchange two of Enschede's households finds neither.
    "POST /exchanges": [Call("hengelo", "POST", "/exchanges", {**EXCHANGE, "household_b": "h-asked"}),
                        Call("coa", "POST", "/exchanges", {**EXCHANGE, "household_b": "nobody"})],
    "GET /exchanges/{exchange_id}": [Call("coa", "GET", "/exchanges/9999"), Call("hengelo", "GET", "/exchanges/{exchange_id}")],
    "POST /exchanges/{exchange_id}/approve": [Call("coa", "POST", "/exchanges/9999/approve", {})],
    "POST /exchanges/{exchange_id}/decline": [Call("coa", "POST", "/exchanges/9999/decline", {"reason": "x"})],
}

# The route -> a malformed call (by a role that may use the route).
INVALID: dict[str, Call] = {
    "GET /municipalities": Call("coa", "GET", "/municipalities", params={"province": "\x00"}),
    "GET /municipalities/{code}": Call("coa", "GET", "/municipalities/Enschede"),
    "PATCH /municipalities/{code}/quota": Call("coa", "PATCH", "/municipalities/GM0153/quota", {"backlog": "x"}),
    "POST /periods": Call("coa", "POST", "/periods", {**PERIOD, "name": "2024-III"}),
    "GET /periods/{period_id}": Call("coa", "GET", "/periods/zero"),
    "POST /redistributions": Call("coa", "POST", "/redistributions", {**REDISTRIBUTION, "persons": 0}),
    "GET /homes": Call("coa", "GET", "/homes", params={"status": "sold"}),
    "POST /homes": Call("enschede", "POST", "/homes", home("E-9", capacity=0)),
    "POST /homes/upload": Call("enschede", "POST", "/homes/upload", files=csv("reference,kind\nE-9,regular\n")),
    "GET /homes/{home_id}": Call("enschede", "GET", "/homes/-1"),
    "PATCH /homes/{home_id}": Call("enschede", "PATCH", "/homes/{free_home_id}", {"capacity": 0}),
    "POST /homes/{home_id}/withdraw": Call("enschede", "POST", "/homes/99999999999/withdraw"),
    "GET /households": Call("coa", "GET", "/households", params={"state": "asleep"}),
    "GET /signals": Call("coa", "GET", "/signals", params={"limit": 0}),
    "GET /signals/{signal_id}": Call("coa", "GET", "/signals/Large_Home"),
    "POST /households/batch": Call("coa", "POST", "/households/batch", {"households": [household("b-1", 0)]}),
    "POST /households/upload": Call("coa", "POST", "/households/upload", files=csv("household_id\nx\n")),
    "GET /households/{household_id}": Call("coa", "GET", "/households/has space"),
    "POST /proposals": Call("coa", "POST", "/proposals", {"as_of": "2023-02-30"}),
    "GET /proposals": Call("coa", "GET", "/proposals", params={"limit": 0}),
    "GET /proposals/{job_id}": Call("coa", "GET", "/proposals/abc"),
    "GET /proposals/{job_id}/lines": Call("coa", "GET", "/proposals/{job_id}/lines", params={"action": "dance"}),
    "PUT /proposals/{job_id}/lines/{line_id}/decision":
        Call("coa", "PUT", "/proposals/{job_id}/lines/{line_id}/decision", {"decision": "maybe"}),
    "GET /proposals/{job_id}/export.csv": Call("coa", "GET", "/proposals/0/export.csv"),
    "GET /proposals/{job_id}/export.xlsx": Call("coa", "GET", "/proposals/0/export.xlsx"),
    "GET /bans": Call("coa", "GET", "/bans", params={"household_id": "no spaces"}),
    "POST /proposals/{job_id}/lines/{line_id}/lock":
        Call("coa", "POST", "/proposals/{job_id}/lines/{line_id}/lock", {"note": "two\nlines", "colour": "red"}),
    "GET /locks": Call("coa", "GET", "/locks", params={"state": "frozen"}),
    "GET /locks/{lock_id}": Call("coa", "GET", "/locks/zero"),
    "DELETE /locks/{lock_id}": Call("coa", "DELETE", "/locks/0"),
    "GET /audit": Call("coa", "GET", "/audit", params={"token_id": -3}),
    "GET /monitoring/{figure}": Call("coa", "GET", "/monitoring/lead-times", params={"by": "location"}),
    "GET /monitoring/{figure}/export.csv": Call("coa", "GET", "/monitoring/regional/export.csv", params={"km": "nan"}),
    "GET /monitoring/{figure}/export.xlsx": Call("enschede", "GET", "/monitoring/signals/export.xlsx"),
    "GET /proposed-lines": Call("enschede", "GET", "/proposed-lines", params={"decision": "refused"}),
    "GET /proposed-lines/{line_id}": Call("enschede", "GET", "/proposed-lines/zero"),
    "GET /travel-times": Call("coa", "GET", "/travel-times", params={"municipality": "Enschede"}),
    "POST /travel-times/upload": Call("coa", "POST", "/travel-times/upload", files=csv("location_id,municipality\nazc-enschede,GM0153\n")),
    "GET /move-ins": Call("enschede", "GET", "/move-ins", params={"status": "moved"}),
    "POST /households/{household_id}/arrivals": Call("enschede", "POST", "/households/h-asked/arrivals",
                                                     {"persons": 0, "date": "2023-08-01"}),
    "GET /households/{household_id}/arrivals": Call("coa", "GET", "/households/has space/arrivals"),
    "GET /households/{household_id}/housing-check": Call("coa", "GET", "/households/has space/housing-check"),
    "GET /move-ins/{move_in_id}": Call("enschede", "GET", "/move-ins/-1"),
    "POST /move-ins/{move_in_id}/confirm": Call("enschede", "POST", "/move-ins/{move_in_id}/confirm", {"date": "soon"}),
    "POST /move-ins/{move_in_id}/fell-through": Call("enschede", "POST", "/move-ins/{move_in_id}/fell-through", {"reason": ""}),
    "GET /recouplings": Call("enschede", "GET", "/recouplings", params={"status": "maybe"}),
    "POST /recouplings": Call("enschede", "POST", "/recouplings", {"household_id": "h-wmo"}),
    "GET /recouplings/{recoupling_id}": Call("enschede", "GET", "/recouplings/-1"),
    "POST /recouplings/{recoupling_id}/approve": Call("coa", "POST", "/recouplings/{recoupling_id}/approve",
                                                      {"reason": "x", "colour": "red"}),
    "POST /recouplings/{recoupling_id}/decline": Call("coa", "POST", "/recouplings/{recoupling_id}/decline", {}),
    "GET /exchanges": Call("enschede", "GET", "/exchanges", params={"status": "done"}),
    "POST /exchanges": Call("enschede", "POST", "/exchanges", {"household_a": "h-wmo", "reason": "x"}),
    "GET /exchanges/{exchange_id}": Call("enschede", "GET", "/exchanges/0"),
    "POST /exchanges/{exchange_id}/approve": Call("coa", "POST", "/exchanges/{exchange_id}/approve", {"over_quota": True}),
    "POST /exchanges/{exchange_id}/decline": Call("coa", "POST", "/exchanges/{exchange_id}/decline", {"reason": ""}),
}

NOT_APPLICABLE: dict[str, dict[str, str]] = {
    "403": {route: "open to both roles; what a municipality may see of it is tested under 404"
            for route in ("GET /me", "GET /municipalities", "GET /municipalities/{code}", "GET /homes",
                          "GET /homes/{home_id}", "GET /households", "GET /households/{household_id}", "GET /monitoring/{figure}",
                          "GET /monitoring/{figure}/export.csv", "GET /monitoring/{figure}/export.xlsx",
                          "GET /move-ins", "GET /move-ins/{move_in_id}", "GET /signals", "GET /signals/{signal_id}",
                          "GET /recouplings", "POST /recouplings", "GET /recouplings/{recoupling_id}",
                          "GET /exchanges", "POST /exchanges", "GET /exchanges/{exchange_id}",
                          "GET /households/{household_id}/arrivals", "GET /households/{household_id}/housing-check")},
    "404": {route: "no id in the path; unknown references in a body or query are 422"
            for route in ("GET /me", "GET /municipalities", "GET /periods", "POST /periods", "GET /redistributions",
                          "POST /redistributions", "GET /locations", "GET /homes", "POST /homes", "POST /homes/upload",
                          "GET /households", "POST /households/batch", "POST /households/upload", "POST /proposals",
                          "GET /proposals", "GET /bans", "GET /audit", "GET /proposed-lines", "GET /locks",
                          "GET /travel-times", "POST /travel-times/upload",
                          "GET /move-ins", "GET /signals", "GET /recouplings", "GET /exchanges")},
    "422": {route: "takes no input" for route in ("GET /me", "GET /periods", "GET /redistributions", "GET /locations")},}
NOT_APPLICABLE["404"].update({route: "the figure is one of four words; another is a 422" for route in (
    "GET /monitoring/{figure}", "GET /monitoring/{figure}/export.csv", "GET /monitoring/{figure}/export.xlsx")})


def app_routes(app) -> set[str]:
    """``METHOD /path`` of every operation the app publishes under /api/v1."""
    return {f"{method.upper()} {path.removeprefix(API)}" for path, operations in app.openapi()["paths"].items()
            if path.startswith(API) for method in operations}


@pytest.fixture(scope="module")
def built(service, tmp_path_factory):
    """Enschede's world (a finished job with a couple and a house line), plus a free home in
    Enschede, a home in Hengelo, a household nobody proposed to Enschede, and a lock on the
    house line (h-single): built once per database, then restored before each test."""
    from api.worker import run_pending

    reset(service.engine)
    tokens = make_tokens(service)
    client = service.client

    def run_jobs():
        return run_pending(service.app.state.sessions, service.settings)

    # A pending move-in first: h-mover, needing an adapted home, accepted into E-0.
    upsert(client, tokens, household("h-mover", 1, permit_date="2022-12-01", needs_accessible=True))
    (adapted,) = offer(client, tokens.enschede, home("E-0", capacity=1, accessible=True))
    first = propose(client, tokens, run_jobs)
    mover = line_of(client, tokens, first["id"], "h-mover")
    assert (mover["action"], mover["home_id"]) == ("house", adapted["id"]), mover
    assert decide(client, tokens, first["id"], mover["id"], date="2023-07-03").status_code == 200
    (move_in,) = client.get(f"{API}/move-ins", headers=tokens.enschede).json()["items"]
    base = enschede_world(client, tokens, run_jobs)
    (free,) = offer(client, tokens.enschede, home("E-free"))
    (hengelo,) = offer(client, tokens.hengelo, home("H-1", capacity=5))
    upsert(client, tokens, household("h-elsewhere", location_id="azc-maastricht"))
    lock = client.post(f"{API}/proposals/{base['job']['id']}/lines/{base['single']['id']}/lock", headers=tokens.coa)
    assert lock.status_code == 201, lock.text
    # Two households coupled to Enschede after the jobs: one to ask for (h-wmo), one asked for already.
    upsert(client, tokens, household("h-wmo", 2, state="coupled", municipality="GM0153", coupling_date="2023-05-01"),
           household("h-asked", 3, state="coupled", municipality="GM0153", coupling_date="2023-05-01"))
    asked = client.post(f"{API}/recouplings", headers=tokens.enschede,
                        json={"household_id": "h-asked", "reason": "exchange with Hengelo"})
    assert asked.status_code == 201, asked.text
    # h-hen is coupled to Hengelo (h-wmo's partner in the exchange HAPPY asks for); h-x-e (Enschede)
    # and h-x-g (Groningen) are the pending exchange {exchange_id}.
    upsert(client, tokens, household("h-hen", 2, state="coupled", municipality="GM0164", coupling_date="2023-05-01"),
           household("h-x-e", 1, state="coupled", municipality="GM0153", coupling_date="2023-05-01"),
           household("h-x-g", 1, state="coupled", municipality="GM0014", coupling_date="2023-05-01"))
    exchange = client.post(f"{API}/exchanges", headers=tokens.enschede,
                           json={"household_a": "h-x-e", "household_b": "h-x-g", "reason": "agreed by both"})
    assert exchange.status_code == 201, exchange.text
    ids = {"exchange_id": exchange.json()["id"], "recoupling_id": asked.json()["id"], "job_id": base["job"]["id"], "line_id": base["family"]["id"], "home_id": base["home"]["id"],
           "free_home_id": free["id"], "hengelo_home_id": hengelo["id"], "period_id": 1, "lock_id": lock.json()["id"],
           "move_in_id": move_in["id"]}
    return snapshot(service.engine), tokens, ids


@pytest.fixture
def auth(built):
    return built[1]


@pytest.fixture
def world(built, service) -> dict[str, Any]:
    restore(service.engine, built[0])
    return built[2]


@pytest.fixture
def client(service, world):
    return service.client


def audit_count(service) -> int:
    with service.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent))


def test_the_tables_cover_every_route(service):
    """Every route of the app is in every table, or in NOT_APPLICABLE with a reason."""
    routes = app_routes(service.app)
    assert set(HAPPY) == routes
    for name, table in (("403", FORBIDDEN), ("404", NOT_FOUND), ("422", INVALID)):
        covered = set(table) | set(NOT_APPLICABLE.get(name, {}))
        assert covered == routes, (name, sorted(routes - covered), sorted(covered - routes))
        assert not set(table) & set(NOT_APPLICABLE.get(name, {}))


@pytest.mark.parametrize("route", sorted(HAPPY))
def test_happy_path(route, client, auth, world):
    """The route answers with its success status."""
    call, status = HAPPY[route]
    response = call.send(client, auth, world)
    assert response.status_code == status, response.text


@pytest.mark.parametrize("route", sorted(HAPPY))
def test_401_without_a_valid_token(route, client, auth, world):
    """No token, an unknown token, a revoked token, a malformed header: 401 with WWW-Authenticate."""
    call, _ = HAPPY[route]
    for headers in ({}, {"Authorization": "Bearer mt_not-a-real-token"}, auth.revoked, {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer"}):
        response = client.request(call.method, API + call.path.format(**world), headers=headers, json=call.json,
                                  params=call.params, files=call.files)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("route", sorted(FORBIDDEN))
def test_403_for_the_wrong_role(route, client, auth, world, service):
    """A token of the other role: 403, and nothing is written."""
    before = audit_count(service)
    response = FORBIDDEN[route].send(client, auth, world)
    assert response.status_code == 403, response.text
    assert audit_count(service) == before


@pytest.mark.parametrize("route", sorted(NOT_FOUND))
def test_404_for_unknown_or_someone_elses(route, client, auth, world, service):
    """Unknown ids and another municipality's objects (guessed ids too) are 404, and nothing is written."""
    before = audit_count(service)
    for call in NOT_FOUND[route]:
        response = call.send(client, auth, world)
        assert response.status_code == 404, (call, response.text)
        assert isinstance(response.json()["detail"], str)
    assert audit_count(service) == before


@pytest.mark.parametrize("route", sorted(INVALID))
def test_422_for_malformed_input(route, client, auth, world, service):
    """Malformed input is a 422 whose detail names where (loc) and what (msg), and writes nothing."""
    before = audit_count(service)
    response = INVALID[route].send(client, auth, world)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail and all(e["loc"] and e["msg"] for e in detail), detail
    assert audit_count(service) == before


@pytest.mark.parametrize("route", sorted(HAPPY))
def test_idempotent(route, client, auth, world, service):
    """The same request twice has the effect of one: the second writes no audit event and
    answers the same (a batch answers 'unchanged'; a create answers 200 with the same object)."""
    call, status = HAPPY[route]
    first = call.send(client, auth, world)
    assert first.status_code == status, first.text
    events = audit_count(service)
    second = call.send(client, auth, world)
    assert second.status_code in (200, status), second.text
    assert audit_count(service) == events
    if route.startswith("GET /audit"):
        return
    if route in ("POST /households/batch", "POST /households/upload", "POST /homes/upload", "POST /travel-times/upload"):
        assert second.json()["created"] == second.json()["updated"] == 0
    elif route.endswith(".xlsx"):
        assert second.content[:2] == first.content[:2] == b"PK"
    elif second.headers["content-type"].startswith("application/json"):
        assert second.json() == first.json()
    else:
        assert second.content == first.content
