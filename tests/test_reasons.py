"""The message catalogue of reasons (matcher/reasons.py): every key renders in Dutch and in English,
and a sentence in one language carries no phrase of the other's templates."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from matcher.read import read_instance, read_params
from matcher.reasons import _FORMS, CATALOGUE, LANGS, pick_lang, render
from matcher.solvers import solve
from matcher.synth import write_example

SAMPLE = {"km": 27.9, "minutes": 41.5, "max_km": 50.0, "max_minutes": 45.0, "end": "2023-07-10", "amv": True,
          "expected_extra_date": "2023-09-01",
          "accessible": True, "dwelling_kind": "temporary", "price": 0.25, "size": 7, "count": 4,
          "municipality": "GM0153", "municipality_name": "Enschede", "winner": "h00001", "dwelling_id": "17",
          "since": "2023-01-02"}


def _fields(template: str) -> list[tuple[str, str]]:
    return [(name, spec or "") for _, name, spec, _ in string.Formatter().parse(template) if name]


def _sample(key: str) -> dict:
    """A clause of ``key`` with a value for every field its templates name (nested fields get the
    plainest clause, "empty")."""
    values: dict = {"key": key}
    for template in CATALOGUE[key]:
        for name, spec in _fields(template):
            if name == "home":  # rendered from dwelling_id
                values["dwelling_id"] = SAMPLE["dwelling_id"]
            elif name in SAMPLE:
                values[name] = SAMPLE[name]
            elif spec or name in ("overdue_days", "norm_days", "days", "days_min", "days_max", "mine", "free"):
                values[name] = 3
            elif name in ("place", "late", "why", "year", "housing", "limit", "places", "homes", "to", "locked"):
                values[name] = {"key": "empty"}
            else:
                values[name] = f"<{name}>"
    return values


def _phrases(lang_index: int) -> set[str]:
    """The literal phrases of every template in one language: text between fields, at least two words."""
    out = set()
    for pair in CATALOGUE.values():
        for part, *_ in string.Formatter().parse(pair[lang_index]):
            part = part.strip(" ,.;:()")
            if len(part.split()) >= 2:
                out.add(part)
    return out


def _words(lang_index: int) -> set[str]:
    """The words the word forms produce in one language (numbers and codes left out)."""
    out = set()
    for name, forms in _FORMS.items():
        for value in (1, 2, True, False) if name not in ("dwelling_kind", "km", "number", "price", "date") else ():
            out |= {w for w in re.findall(r"[a-z]{4,}", forms[lang_index](value))}
    for kind in ("regular", "shared", "amv", "temporary"):
        out |= set(re.findall(r"[a-z]{4,}", _FORMS["dwelling_kind"][lang_index](kind)))
    return out


NL, EN = LANGS.index("nl"), LANGS.index("en")
FOREIGN = {"nl": (_phrases(EN) - _phrases(NL), _words(EN) - _words(NL)),
           "en": (_phrases(NL) - _phrases(EN), _words(NL) - _words(EN))}


def _foreign(text: str, lang: str) -> list[str]:
    phrases, words = FOREIGN[lang]
    found = [p for p in phrases if p in text]
    found += [w for w in words if re.search(rf"\b{w}\b", text)]
    return found


def test_the_foreign_phrase_check_can_fail() -> None:
    """The check below sees an English sentence rendered where Dutch was asked, and the reverse."""
    en = render(_sample("no_municipality_in_range"), "en")
    nl = render(_sample("no_municipality_in_range"), "nl")
    assert _foreign(en, "nl") and _foreign(nl, "en")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_renders_in_the_language_asked(key: str, lang: str) -> None:
    """Every catalogue key renders with its values, and carries no phrase or word of the other language."""
    text = render(_sample(key), lang)  # type: ignore[arg-type]
    assert "{" not in text and "}" not in text
    assert _foreign(text, lang) == [], text


@pytest.fixture(scope="module")
def twente(tmp_path_factory: pytest.TempPathFactory):
    folder = write_example("twente", tmp_path_factory.mktemp("twente"), seed=0)
    return solve(read_instance(folder), read_params(folder), solver="highspy", time_limit=60)


@pytest.mark.parametrize("lang", LANGS)
def test_a_real_proposal_reads_in_one_language(twente, lang: str) -> None:
    """Every reason of the twente example, rendered from its values, is in the language asked and
    survives JSON (what proposal.csv and the service store)."""
    kinds = set()
    for a in twente.assignments:
        values = json.loads(json.dumps(a.reason_values))
        text = render(values, lang)  # type: ignore[arg-type]
        assert _foreign(text, lang) == [], text
        kinds.add(values["kind"])
    assert len(kinds) >= 4


def test_the_engine_default_is_dutch(twente) -> None:
    assert all(a.reason == render(a.reason_values, "nl") for a in twente.assignments)


def test_homes_are_shown_by_the_readers_name() -> None:
    clause = {"key": "housed", "kind": "housed", "dwelling_id": "17", "dwelling_kind": "regular",
              "place": {"key": "place.own", "municipality": "GM0153", "municipality_name": "Enschede"},
              "late": {"key": "late.not_yet"}}
    assert "woning 17 in" in render(clause, "nl")
    assert "woning Kerkstraat 5 in" in render(clause, "nl", homes={"17": "Kerkstraat 5"})


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language 'de'"):
        render({"key": "empty"}, "de")  # type: ignore[arg-type]


@pytest.mark.parametrize(("header", "lang"), [
    (None, "nl"), ("", "nl"), ("en", "en"), ("en-GB,en;q=0.9", "en"), ("de,en;q=0.5,nl;q=0.8", "nl"),
    ("fr", "nl"), ("nl-BE", "nl"), ("en;q=0", "nl"), ("en;q=x", "nl"),
])
def test_accept_language(header: str | None, lang: str) -> None:
    assert pick_lang(header) == lang


def test_cli_writes_dutch_by_default_and_english_on_request(tmp_path: Path) -> None:
    """``matcher propose --example twente`` (and ``--lang nl``) writes Dutch reasons; ``--lang en`` English;
    the kinds and values are the same."""
    import csv

    from matcher import cli

    rows = {}
    for lang in ("default", "nl", "en"):
        out = tmp_path / lang
        args = ["propose", "--example", "twente", "--out", str(out), "--solver", "highspy"]
        assert cli.main(args + ([] if lang == "default" else ["--lang", lang])) == 0
        rows[lang] = list(csv.DictReader((out / "proposal.csv").open(encoding="utf-8")))
    assert [r["reason"] for r in rows["default"]] == [r["reason"] for r in rows["nl"]]
    assert all(_foreign(r["reason"], "nl") == [] for r in rows["nl"])
    assert all(_foreign(r["reason"], "en") == [] for r in rows["en"])
    assert [(r["reason_kind"], r["reason_values"]) for r in rows["nl"]] == [(r["reason_kind"], r["reason_values"]) for r in rows["en"]]
    assert all(render(json.loads(r["reason_values"]), "en") == r["reason"] for r in rows["en"])
