"""The message catalogue (``api/messages.py``) is whole: every code has a Dutch and an English
text naming the same values, every code the service raises is in it, and the rendering picks the
language, the values' own words and pydantic's error types."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from pydantic import ValidationError

from api import messages
from api.schemas import DecisionIn, HomeIn, JobIn
from api.services.errors import Conflict, FieldError
from api.web import i18n

API = Path(messages.__file__).resolve().parent
CATALOGUES = {"MESSAGES": messages.MESSAGES, "TERMS": messages.TERMS, "FIELDS": messages.FIELDS, "WORDS": i18n.WORDS}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_every_key_has_a_dutch_and_an_english_text_with_the_same_values(catalogue):
    for key, words in CATALOGUES[catalogue].items():
        assert len(words) == len(messages.LANGUAGES), key
        nl, en = words
        assert nl.strip() and en.strip(), key
        assert _fields(nl) == _fields(en), key


RAISED = re.compile(r"""\b(?:NotFound|Forbidden|Conflict|Coded|Part|PydanticCustomError)\(\s*"(\w+)"|FieldError\(\s*(?:\([^()]*\)|\w+)\s*,\s*"(\w+)\"""")


def test_every_code_the_service_raises_is_in_the_catalogue():
    """Scans the sources for ``Conflict("code", ...)``, ``FieldError(loc, "code", ...)`` and the like."""
    used = set()
    for path in API.rglob("*.py"):
        for match in RAISED.finditer(path.read_text(encoding="utf-8")):
            used.add(match.group(1) or match.group(2))
    assert {"over_quota", "line_decided", "refusal_needs_reason", "unknown_column", "no_job"} <= used  # the scan works
    assert sorted(used - set(messages.MESSAGES)) == []


def test_a_conflict_renders_in_either_language_with_its_values_and_terms():
    error = Conflict("line_decided", line=4, decision=messages.Term("refused"))
    assert str(error) == "line 4 is already refused"
    assert error.text("nl") == "regel 4 is al afgewezen"
    assert error.code == "line_decided" and error.values["line"] == 4


def test_the_over_quota_conflict_keeps_its_english_and_has_dutch_parts():
    places = messages.Part("places_one")
    error = Conflict("over_quota", line=3, persons=messages.Part("n_persons", n=4), household="h-1", name="Enschede",
                     code="GM0153", short=[messages.Part("short_quota", places=places)], period="2023-II", job=7)
    assert "would couple 4 persons of household h-1 to Enschede (GM0153), which has only 1 place of its quota left" in str(error)
    dutch = error.text("nl")
    assert "4 personen van huishouden h-1" in dutch and "nog maar 1 plaats van haar taakstelling" in dutch
    assert "only" not in dutch and "quota" not in dutch.replace("over_quota", "")


def _errors(model, data) -> list[FieldError]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [FieldError.of(tuple(e["loc"]), e) for e in caught.value.errors(include_url=False)]


def test_pydantic_errors_are_rendered_by_type_with_their_context():
    by_field = {e.loc[-1]: e for e in _errors(HomeIn, {"reference": "E-1", "kind": "villa", "capacity": 0,
                                                          "available_from": "1 juli"})}
    assert by_field["capacity"].code == "greater_than_equal"
    assert by_field["capacity"].text("nl") == "moet minstens 1 zijn"
    assert by_field["capacity"].text("en") == "Input should be greater than or equal to 1"  # pydantic's own words
    assert by_field["kind"].code == "enum" and " of " in by_field["kind"].text("nl") and " or " not in by_field["kind"].text("nl")
    assert by_field["available_from"].text("nl").startswith("moet een datum zijn")
    (as_of,) = _errors(JobIn, {"as_of": "3 juli"})
    assert as_of.code.startswith("date") and as_of.text("nl") == "moet een datum zijn, zoals 2023-07-03"


def test_a_validator_error_carries_its_code_through_pydantic():
    (error,) = _errors(DecisionIn, {"decision": "refuse"})
    assert (error.code, error.type) == ("refusal_needs_reason", "value_error")
    assert error.text("en") == "a refusal needs a reason" and error.text("nl") == "bij afwijzen is een reden nodig"


def test_an_unknown_pydantic_type_is_named_not_left_in_english():
    error = FieldError.of(("x",), {"type": "url_parsing", "msg": "Input should be a valid URL", "ctx": {}})
    assert error.code == "invalid" and error.text("nl") == "ongeldige waarde (url_parsing)"


@pytest.mark.parametrize(("header", "expected"), [
    (None, "en"), ("", "en"), ("nl", "nl"), ("nl-NL,nl;q=0.9,en;q=0.8", "nl"), ("en-GB,nl;q=0.5", "en"),
    ("de-DE,nl;q=0.3", "nl"), ("fr", "en"), ("nl;q=0", "en"), ("nl;q=abc,en;q=0.1", "en")])
def test_accept_language_picks_the_first_language_we_have(header, expected):
    assert messages.language(header, "en") == expected
