"""Every operation of the OpenAPI schema, sent what an attacker or a broken client sends.

For each operation of ``app.openapi()`` (walked, not listed by hand, so a new route is covered
the day it is added), as COA, as a municipality (Enschede) and without a valid token:

* **oversized**: a body one byte over the route's limit (413, or 401 first without a token),
  and text fields 100,000 characters long;
* **non-finite**: ``NaN``, ``Infinity``, ``-Infinity`` or ``1e400`` in every field (one of them
  per field, in turn);
* **wrongly typed**: every field in turn replaced by ``null``, a value of the wrong type (text for
  a number, a number for text or a date, a list for an object, ...) and one out of range (a
  5,000-digit number, a 31-digit one, a date that does not exist or lies outside 2000-2100, a
  control character), or left out; whole bodies that are no object, no JSON, no UTF-8, nested
  10,000 deep or carry an unknown field; for uploads, files that are no CSV or whose cells are
  all of the above;
* **bad path and query parameters**: text, negative, 23-digit, non-finite, 5,000-character,
  NUL and empty values for every parameter;
* **unauthenticated**: no ``Authorization``, another scheme, an empty, unknown or revoked token.

Every body sent is one the schema refuses (checked with a JSON Schema validator before it is
sent; non-finite numbers, which JSON cannot hold, and dates the service's rules refuse are
always sent), so none may be accepted.  Asserted: no answer is a 5xx; no hostile body or
parameter of a route that changes something is accepted (every answer a 4xx, a 401 without a
valid token); and the database is unchanged, row for row, after each operation's requests.
Against SQLite and PostgreSQL, on a database holding a finished proposal and a lock, so the id
routes reach their records.
"""

from __future__ import annotations

import copy
import io
import json
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from api_testing import (
    API,
    decide,
    enschede_world,
    home,
    household,
    line_of,
    offer,
    ok,
    propose,
    restore,
    snapshot,
    upsert,
)

from api.guard import body_limit

METHODS = ("get", "put", "post", "patch", "delete")
CHANGES = ("put", "post", "patch", "delete")

BIG_NUMBER = "9" * 5000
"""A 5,000-digit number (written into the JSON text as it is)."""
_RAW = {"__1e400__": "1e400", "__big__": BIG_NUMBER}
NON_FINITE = [float("nan"), float("inf"), float("-inf"), "__1e400__"]
LONG_TEXT = "x" * 100_000

HOSTILE_PATH = ["abc", "-1", "99999999999999999999999", "Infinity", "x" * 5000, "\x00", "", "../../etc/passwd",
                "GM0153' OR '1'='1"]
HOSTILE_QUERY = ["abc", "-1", "99999999999999999999999", "NaN", "x" * 5000, "\x00"]

UNAUTHENTICATED = {
    "no Authorization": {},
    "another scheme": {"Authorization": "Basic Y29hOmNvYQ=="},
    "empty bearer": {"Authorization": "Bearer "},
    "unknown token": {"Authorization": "Bearer mt_0000000000000000000000000000000000000000"},
}

KNOWN = {
    "household_id": "h-hostile", "location_id": "azc-enschede", "municipality": "GM0153",
    "from_municipality": "GM0153", "to_municipality": "GM0164", "tie_municipality": "GM0153",
    "reference": "R-hostile", "name": "2024-I", "starts_on": "2024-01-01", "ends_on": "2024-06-30",
    "permit_date": "2023-03-01", "as_of": "2023-07-03", "available_from": "2023-07-01", "date": "2023-07-04",
    "reason": "a reason", "note": "a note", "state": "waiting", "decision": "accept", "solver": "greedy",
}
"""Values that make an example body valid, by field name; the rest comes from the schema."""
OMIT = object()
IN_MODEL = {
    "HouseholdIn": {"size": 2, "adults": 1, "children": 1, "state": "coupled", "coupling_date": "2023-07-03",
                    "housed_date": OMIT, "temporary_home": OMIT},
    "DecisionIn": {"decision": "refuse", "ban": "municipality", "date": OMIT},
    "RecouplingIn": {"household_id": "h-wmo", "exchange_with": OMIT},
    "ExchangeIn": {"household_a": "h-x-e", "household_b": "h-hen"},
    "ArrivalIn": {"persons": 2, "adults": 1, "children": 1},
}
"""Values by model and field name, where the field's name alone does not decide (``OMIT``: leave out)."""


# --- bodies from the schema -------------------------------------------------------------------

def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _options(schema: dict, components: dict) -> list[dict]:
    schema = _resolve(schema, components)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [o for option in schema[key] for o in _options(option, components)]
    if "allOf" in schema and "type" not in schema and "properties" not in schema:  # else: rules beside the fields
        return _options(schema["allOf"][0], components)
    return [schema]


def example(schema: dict, components: dict, name: str | None = None) -> Any:
    """A valid value for ``schema`` (the service accepts each example body: see
    :func:`test_the_example_bodies_are_accepted`), with every optional field filled in."""
    options = [o for o in _options(schema, components) if o.get("type") != "null"]
    if not options:
        return None
    schema = options[0]
    if name in KNOWN and schema.get("type") == "string" and "enum" not in schema:
        return KNOWN[name]
    if "enum" in schema:
        return KNOWN[name] if name in KNOWN and KNOWN[name] in schema["enum"] else schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        fixed = IN_MODEL.get(schema.get("title"), {})
        return {key: fixed.get(key) if key in fixed else example(sub, components, key)
                for key, sub in schema.get("properties", {}).items() if fixed.get(key, True) is not OMIT}
    if kind == "array":
        return [example(schema.get("items", {}), components, name)] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1.0, float(schema.get("minimum", 1.0)))
    if kind == "boolean":
        return False
    if kind == "string":
        if schema.get("format") == "date":
            return "2023-07-03"
        if schema.get("format") == "date-time":
            return "2023-07-03T00:00:00Z"
        return "x" * max(1, schema.get("minLength", 1))
    return "x"


def _paths(value: Any, at: tuple = ()) -> Iterator[tuple]:
    """Every place in ``value``: the keys and indexes leading to it."""
    yield at
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _paths(sub, (*at, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _paths(sub, (*at, index))


def _schema_at(schema: dict, components: dict, at: tuple) -> list[dict]:
    """The schemas that may apply at ``at`` in a value of ``schema``."""
    found = _options(schema, components)
    for step in at:
        following = []
        for option in found:
            if isinstance(step, int) and "items" in option:
                following += _options(option["items"], components)
            elif isinstance(step, str) and step in option.get("properties", {}):
                following += _options(option["properties"][step], components)
        found = following
    return found


def _replaced(value: Any, at: tuple, new: Any, delete: bool = False) -> Any:
    if not at:
        return new
    changed = copy.deepcopy(value)
    holder = changed
    for step in at[:-1]:
        holder = holder[step]
    if delete:
        del holder[at[-1]]
    else:
        holder[at[-1]] = new
    return changed


def wrong_values(schemas: list[dict], turn: int) -> list[Any]:
    """What is sent in place of a value whose schema is one of ``schemas``: a non-finite number
    (which of them goes round with ``turn``), ``null``, a value of the wrong type and one out of
    range or oversized."""
    kinds = {s.get("type") for s in schemas} - {"null"}
    values: list[Any] = [NON_FINITE[turn % len(NON_FINITE)], None]
    if kinds & {"integer", "number"}:
        values += ["abc", True, 1.5, "__big__" if turn % 2 else -(10**30)]
    elif any(s.get("format") == "date" for s in schemas):  # the service's rule: 2000-01-01 to 2100-12-31
        values += [12345, "2023-02-30", "2101-01-01" if turn % 2 else "1999-12-31"]
    elif "string" in kinds:
        values += [12345, LONG_TEXT if turn % 2 else "\x00"]
    elif "boolean" in kinds:
        values += ["maybe", 2]
    elif "array" in kinds:
        values += [{}, "x"]
    elif "object" in kinds:
        values += [[], "x"]
    return values


def _always_sent(value: Any, schemas: list[dict]) -> bool:
    """Refused by the service's rules though the schema may allow it: non-finite numbers
    (JSON has none) and dates outside 2000-2100."""
    if value in NON_FINITE:
        return True
    return isinstance(value, str) and any(s.get("format") == "date" for s in schemas) and value in (
        "1999-12-31", "2101-01-01")


def encode(body: Any) -> bytes:
    text = json.dumps(body, allow_nan=True)
    for marker, raw in _RAW.items():
        text = text.replace(f'"{marker}"', raw)
    return text.encode()


def hostile_bodies(schema: dict, components: dict, required: bool) -> Iterator[tuple[str, bytes]]:
    """``(what, body)``: every body here is refused by the schema or by the service's rules
    (``required``: the operation needs a body; an empty one is then refused too)."""
    root = {**schema, "components": {"schemas": components}}
    validator = jsonschema_rs.validator_for(root, validate_formats=True)

    def refused(value: Any) -> bool:
        try:
            return not validator.is_valid(json.loads(encode(value)))
        except (ValueError, jsonschema_rs.ValidationError):  # not even JSON the validator can hold
            return True

    base = example(schema, components)
    for turn, at in enumerate(_paths(base)):
        schemas = _schema_at(schema, components, at)
        where = "/".join(map(str, at)) or "the body"
        for value in wrong_values(schemas, turn):
            mutated = _replaced(base, at, value)
            if _always_sent(value, schemas) or refused(mutated):
                yield f"{where} = {str(value)[:20]!r}", encode(mutated)
        if at and isinstance(at[-1], str):
            mutated = _replaced(base, at, None, delete=True)
            if refused(mutated):
                yield f"{where} missing", encode(mutated)
    for what, raw in [("not JSON", b"{{{"), ("not UTF-8", b'{"a": "\xff\xfe"}'), ("empty", b""),
                      ("nested 10,000 deep", b"[" * 10_000 + b"]" * 10_000), ("NaN", b"NaN"), ("a string", b'"x"'),
                      ("a list", b"[]"), ("null", b"null"), ("a number", b"42"), ("1e400", b"1e400"),
                      ("an empty object", b"{}"), ("an unknown field", encode({**(base if isinstance(base, dict) else {}),
                                                                                "unknown_field": 1}))]:
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):  # no JSON (or too deep for this validator): refused anyway
            if raw or required:
                yield what, raw
            continue
        if refused(value) or what == "1e400":
            yield what, raw


def hostile_uploads(columns: tuple[str, ...]) -> Iterator[tuple[str, dict]]:
    """``(what, request arguments)`` for a CSV upload: all refused."""
    header = ",".join(columns)

    def csv(*cells: str) -> dict:
        row = ",".join(cells)
        return {"files": {"file": ("x.csv", io.BytesIO(f"{header}\n{row}\n".encode()), "text/csv")}}

    yield "a JSON body", {"content": b'{"file": "x"}', "headers": {"Content-Type": "application/json"}}
    yield "no file", {"data": {"other": "x"}}
    yield "the file as a text field", {"data": {"file": f"{header}\nx\n"}}
    yield "not UTF-8", {"files": {"file": ("x.csv", io.BytesIO(b"\xff\xfe\x00\x01" * 100), "text/csv")}}
    yield "no CSV", {"files": {"file": ("x.csv", io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(range(256))), "image/png")}}
    yield "an empty file", {"files": {"file": ("x.csv", io.BytesIO(b""), "text/csv")}}
    yield "broken multipart", {"content": b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx",
                               "headers": {"Content-Type": "multipart/form-data; boundary=b"}}
    for value in ["NaN", "Infinity", "-Infinity", "1e400", "99999999999999999999999", BIG_NUMBER, "-1", "abc",
                  LONG_TEXT, "2023-02-30", "1999-12-31", '"=cmd|x"']:
        yield f"every cell {value[:20]!r}", csv(*[value] * len(columns))
    yield "a row too long", csv(*["1"] * (len(columns) + 5))


# --- the operations ---------------------------------------------------------------------------

@pytest.fixture
def world(client, auth, run_jobs) -> dict[str, Any]:
    """A pending move-in (a first proposal's house line accepted), a finished proposal, a lock
    on one of its lines; the ids the path parameters take."""
    upsert(client, auth, household("h-mover", 1, permit_date="2022-12-01", needs_accessible=True))
    (adapted,) = offer(client, auth.enschede, home("E-0", capacity=1, accessible=True))
    first = propose(client, auth, run_jobs)
    mover = line_of(client, auth, first["id"], "h-mover")
    assert (mover["action"], mover["home_id"]) == ("house", adapted["id"]), mover
    ok(decide(client, auth, first["id"], mover["id"], date="2023-07-03"))
    (move_in,) = ok(client.get(f"{API}/move-ins", headers=auth.enschede))["items"]
    made = enschede_world(client, auth, run_jobs)
    lock = ok(client.post(f"{API}/proposals/{made['job']['id']}/lines/{made['family']['id']}/lock",
                          headers=auth.coa, json={"note": "hold"}), 201)
    upsert(client, auth, household("h-asked", 3, state="coupled", municipality="GM0153", coupling_date="2023-05-01"),
           household("h-wmo", 2, state="coupled", municipality="GM0153", coupling_date="2023-05-01"))
    asked = ok(client.post(f"{API}/recouplings", headers=auth.enschede,
                           json={"household_id": "h-asked", "reason": "a WMO-adapted home"}), 201)
    # h-x-e and h-hen are free to exchange (the example body); h-x-e2 and h-x-g are the pending exchange
    upsert(client, auth, *(household(key, 1, state="coupled", municipality=code, coupling_date="2023-05-01")
                           for key, code in (("h-x-e", "GM0153"), ("h-hen", "GM0164"), ("h-x-e2", "GM0153"),
                                             ("h-x-g", "GM0014"))))
    exchange = ok(client.post(f"{API}/exchanges", headers=auth.enschede,
                              json={"household_a": "h-x-e2", "household_b": "h-x-g", "reason": "agreed by both"}), 201)
    period = ok(client.get(f"{API}/periods", headers=auth.coa))[0]["id"]
    # the example job body sets max_minutes, which needs a stored travel time
    ok(client.post(f"{API}/travel-times/upload", headers=auth.coa,
                   files={"file": ("t.csv", b"location_id,municipality,minutes\nazc-enschede,GM0153,10\n", "text/csv")}))
    return {"code": "GM0153", "period_id": period, "home_id": made["home"]["id"], "household_id": "h-family",
            "job_id": made["job"]["id"], "line_id": made["family"]["id"], "lock_id": lock["id"],
            "figure": "realisation", "move_in_id": move_in["id"], "recoupling_id": asked["id"], "signal_id": "large-home-0",
            "exchange_id": exchange["id"]}


def operations(app) -> list[tuple[str, str, dict]]:
    schema = app.openapi()
    return [(method, path, operation) for path, item in schema["paths"].items()
            for method, operation in item.items() if method in METHODS]


def _url(path: str, values: dict[str, str], query: dict[str, str] | None = None) -> str:
    url = path
    for name, value in values.items():
        url = url.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
    if query:
        url += "?" + urllib.parse.urlencode(query)
    return url


def _body_schema(operation: dict) -> tuple[str, dict] | None:
    content = operation.get("requestBody", {}).get("content", {})
    for kind in ("application/json", "multipart/form-data"):
        if kind in content:
            return kind, content[kind]["schema"]
    return None


def _upload_columns(path: str) -> tuple[str, ...]:
    from api.services import homes, households

    return households.CSV_COLUMNS if "households" in path else homes.CSV_COLUMNS


def requests_of(app, method: str, path: str, operation: dict, world: dict) -> Iterator[tuple[str, str, dict]]:
    """``(what, url, request arguments)``: the hostile requests of one operation."""
    components = app.openapi()["components"]["schemas"]
    parameters = operation.get("parameters", [])
    good = {p["name"]: world[p["name"]] for p in parameters if p["in"] == "path"}
    body = _body_schema(operation)
    # Bad path parameters, one at a time (the others good), with the example body if any.
    base: dict = {}
    if body and body[0] == "application/json":
        base = {"content": encode(example(body[1], components)), "headers": {"Content-Type": "application/json"}}
    for p in (p for p in parameters if p["in"] == "path"):
        for value in HOSTILE_PATH:
            yield f"path {p['name']}={value[:20]!r}", _url(path, {**good, p["name"]: value}), base
    # Bad query parameters, one at a time.
    for p in (p for p in parameters if p["in"] == "query"):
        for value in HOSTILE_QUERY:
            yield f"query {p['name']}={value[:20]!r}", _url(path, good, {p["name"]: value}), {}
    url = _url(path, good)
    # A body one byte over the limit, to every operation.
    limit = body_limit(app.state.settings, method.upper(), path)
    yield f"a body of {limit + 1} bytes", url, {"content": b" " * (limit + 1),
                                                "headers": {"Content-Type": "application/json"}}
    if body is None:
        if method not in CHANGES:
            yield "a stray body", url, {"content": b"[" * 10_000, "headers": {"Content-Type": "application/json"}}
        return
    if body[0] == "multipart/form-data":
        for what, arguments in hostile_uploads(_upload_columns(path)):
            yield what, url, arguments
        return
    for what, content in hostile_bodies(body[1], components, operation["requestBody"].get("required", False)):
        yield what, url, {"content": content, "headers": {"Content-Type": "application/json"}}


def _call(client, method: str, url: str, arguments: dict, headers: dict) -> Any:
    arguments = copy.copy(arguments)
    for upload in (arguments.get("files") or {}).values():
        upload[1].seek(0)
    arguments["headers"] = {**arguments.get("headers", {}), **headers}
    return client.request(method.upper(), url, follow_redirects=False, **arguments)


ROUTER_ANSWERS = {307: None, 404: "Not Found", 405: "Method Not Allowed"}
"""What the router answers, before any route and its token check, to a path no route has (a
hostile path parameter can make one: an empty one, or one with a ``/``)."""


def _problem(who: str, method: str, path: str, answer) -> str | None:
    status = answer.status_code
    if status >= 500:
        return "a server error"
    if not path.startswith("/api/"):
        return None
    if who == "unauthenticated" and status not in (401, 413):
        detail = answer.json().get("detail") if answer.headers.get("content-type") == "application/json" else None
        if status not in ROUTER_ANSWERS or ROUTER_ANSWERS[status] not in (None, detail):
            return "neither 401 nor 413 without a valid token"
    if method in CHANGES and 200 <= status < 300:
        return "accepted"
    return None


@pytest.mark.parametrize("who", ["coa", "enschede", "unauthenticated"])
def test_every_operation_refuses_hostile_input_without_5xx_or_change(who, client, auth, world):
    """As COA, as Enschede, and with no valid token (the five kinds in turn)."""
    app = client.app
    engine = app.state.engine
    headers = {"coa": [auth.coa], "enschede": [auth.enschede],
               "unauthenticated": [*UNAUTHENTICATED.values(), auth.revoked]}[who]
    failures: list[str] = []
    sent = 0
    started = time.monotonic()
    for method, path, operation in operations(app):
        before = snapshot(engine)
        for number, (what, url, arguments) in enumerate(requests_of(app, method, path, operation, world)):
            if who == "unauthenticated" and number % 4 and not what.startswith(("path", "a body of")):
                continue  # without a valid token no body is read: every fourth is enough
            answer = _call(client, method, url, arguments, headers[sent % len(headers)])
            sent += 1
            if problem := _problem(who, method, path, answer):
                failures.append(f"{method.upper()} {path} [{what}] as {who}: {answer.status_code} ({problem}): "
                                f"{answer.text[:300]}")
        after = snapshot(engine)
        if after != before:
            changed = [name for name in before if before[name] != after[name]]
            failures.append(f"{method.upper()} {path} as {who} changed the database: tables {changed}")
            restore(engine, before)
    elapsed = time.monotonic() - started
    assert len(operations(app)) >= 30 and sent > 300, (len(operations(app)), sent)
    assert not failures, f"{len(failures)} of {sent} requests ({elapsed:.0f} s):\n" + "\n".join(failures[:60])


def test_the_example_bodies_are_accepted(client, auth, world):
    """Each hostile body is an accepted one changed in one place: the example bodies themselves
    are taken (as COA, or as Enschede where COA may not), each on the same database."""
    app = client.app
    engine = app.state.engine
    components = app.openapi()["components"]["schemas"]
    before = snapshot(engine)
    tried = 0
    for method, path, operation in operations(app):
        body = _body_schema(operation)
        if body is None or body[0] != "application/json":
            continue
        url = _url(path, {p["name"]: world[p["name"]] for p in operation.get("parameters", []) if p["in"] == "path"})
        arguments = {"content": encode(example(body[1], components)), "headers": {"Content-Type": "application/json"}}
        answer = _call(client, method, url, arguments, auth.coa)
        if answer.status_code == 403:
            answer = _call(client, method, url, arguments, auth.enschede)
        assert 200 <= answer.status_code < 300, (method, path, arguments["content"][:500], answer.text[:500])
        tried += 1
        restore(engine, before)
    assert tried >= 9
