"""The message catalogue of reasons (docs/contract.md §6): reasons as data, rendered in Dutch or English.

A reason is a *clause*: a JSON-able mapping with a ``key`` (an entry of :data:`CATALOGUE`) and the
values its templates name.  A value can itself be a clause (rendered in place), and the list under
``notes`` holds clauses rendered as further sentences after the main one.  The top clause of an
assignment also carries ``kind`` (its :class:`~matcher.models.ReasonKind` value); its ``key`` is the
kind itself or a variant of it (``quota_used_up+housing``).

Templates are :meth:`str.format` strings; a format spec names a word form of :data:`_FORMS`
(``{size:persons}`` is "7 personen" / "7 persons"), so no sentence is put together outside this file.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable, Mapping
from typing import Any, Literal

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, Lang] = ("nl", "en")
DEFAULT_LANG: Lang = "nl"
"""The users' language: ``matcher propose`` and the engine render reasons in Dutch unless asked otherwise."""

Clause = dict[str, Any]

CATALOGUE: dict[str, tuple[str, str]] = {
    # --- the kinds (top clauses) ---
    "housed": ("Gehuisvest in {dwelling_kind:dwelling_kind} {home} in {place}; {late}.",
               "Housed in {dwelling_kind:dwelling_kind} {home} in {place}; {late}."),
    "coupled": ("Gekoppeld aan {place}, met taakstelling over; nog niet gehuisvest, want {why}.",
                "Coupled to {place}, which has quota left; not housed yet because {why}."),
    "waiting_coupled": ("Wacht in de opvang, gekoppeld aan {municipality_name} ({municipality}), {late}: {why}.",
                        "Waiting in reception, coupled to {municipality_name} ({municipality}), {late}: {why}."),
    "waiting_temporary": ("Woont sinds {since:date} in tijdelijke woning {temporary_home} in {municipality_name} "
                          "({municipality}), {year}; wacht op een gewone woning: {why}.",
                          "Living in temporary home {temporary_home} in {municipality_name} ({municipality}) since "
                          "{since:date}, {year}; waiting for a regular home because {why}."),
    "no_municipality_in_range": ("Wacht op koppeling: geen gemeente ligt binnen {limit} van de opvanglocatie.",
                                 "Waiting to be coupled: no municipality lies within {limit} of its reception location."),
    "no_travel_time": ("Wacht op koppeling: geen gemeente ligt binnen {limit} van de opvanglocatie.",
                       "Waiting to be coupled: no municipality lies within {limit} of its reception location."),
    "banned": ("Wacht op koppeling: dit huishouden is geweigerd door {count:every_municipality} binnen {limit}.",
               "Waiting to be coupled: {count:every_municipality} within {limit} refused for this household."),
    "quota_used_up": ("Wacht op koppeling: de {amv:quota} van {count:every_municipality} binnen {limit} "
                      "is op of te klein voor {size:persons}.",
                      "Waiting to be coupled: the {amv:quota} of {count:every_municipality} within {limit} "
                      "is used up or too small for {size:persons}."),
    "quota_used_up+housing": ("Wacht op koppeling: {housing}; en de {amv:quota} van {count:every_municipality} "
                              "binnen {limit} is op of te klein voor {size:persons}.",
                              "Waiting to be coupled: {housing}, and the {amv:quota} of {count:every_municipality} "
                              "within {limit} is used up or too small for {size:persons}."),
    "not_chosen": ("Wacht: deze week niet gekozen, hoewel er binnen {limit} taakstelling over is; {housing}.",
                   "Waiting: not chosen this week although quota is left within {limit}; {housing}."),
    # --- places and limits ---
    "place.own": ("de eigen gemeente {municipality_name} ({municipality})",
                  "its own municipality {municipality_name} ({municipality})"),
    "place.km": ("{municipality_name} ({municipality}), {km:km} km van de opvanglocatie",
                 "{municipality_name} ({municipality}), {km:km} km from its reception location"),
    "place.km_minutes": ("{municipality_name} ({municipality}), {km:km} km en {minutes:number} minuten met het OV "
                         "van de opvanglocatie",
                         "{municipality_name} ({municipality}), {km:km} km and {minutes:number} minutes by public "
                         "transport from its reception location"),
    "places.in": ("in {municipality_name} ({municipality})", "in {municipality_name} ({municipality})"),
    "places.within": ("binnen {max_km:number} km", "within {max_km:number} km"),
    "limit.km": ("{max_km:number} km", "{max_km:number} km"),
    "limit.minutes": ("{max_minutes:number} minuten", "{max_minutes:number} minutes"),
    "places.within_limit": ("binnen {limit}", "within {limit}"),
    "limit.km_minutes": ("{max_km:number} km en {max_minutes:number} minuten", "{max_km:number} km and {max_minutes:number} minutes"),
    "late.overdue": ("{overdue_days} dagen over de norm van {norm_days} dagen", "{overdue_days} days past the {norm_days}-day norm"),
    "year.left": ("nog {days_left} dagen van het jaar dat het in de tijdelijke woning mag blijven",
                  "{days_left} days left of the year it may stay in the temporary home"),
    "year.over": ("{days_over} dagen over het jaar dat het in de tijdelijke woning mag blijven",
                  "{days_over} days past the year it may stay in the temporary home"),
    "late.not_yet": ("nog niet over de norm", "not yet past the norm"),
    # --- why a household is not housed (binding cause) ---
    "cause.document_missing": ("het verblijfsdocument van de IND ontbreekt, en zonder dat mag geen woning worden toegewezen",
                               "the IND residence document is missing, and without it no home may be allocated"),
    "cause.none_offered": ("er wordt {places} geen woning aangeboden", "no home is offered {places}"),
    "cause.none_available": ("geen woning die {places} wordt aangeboden is beschikbaar vóór {end:date}",
                             "no home offered {places} is available before {end:date}"),
    "cause.none_fits": ("geen woning {places} past bij {size:persons}{amv:amv_need}{accessible:accessible_need}",
                        "no home {places} fits {size:persons}{amv:amv_need}{accessible:accessible_need}"),
    "cause.banned": ("elke woning {places} die past is voor dit huishouden geweigerd",
                     "every home {places} that fits was refused for this household"),
    "cause.free_left": ("{places} blijft {free:fitting_home} vrij: gebruiken levert op de eerdere niveaus niets op",
                        "{places} {free:fitting_home} left free would gain nothing on the earlier levels"),
    "cause.outcompeted": ("{homes} {to}{locked}", "{homes} {to}{locked}"),
    "homes.one": ("de enige woning {places} die past ging naar", "the only home {places} that fits went to"),
    "homes.many": ("de {count} woningen {places} die passen gingen naar", "the {count} homes {places} that fit went to"),
    "to.one": ("huishouden {winner} ({days} persoonsdagen over de norm; dit huishouden heeft er {mine})",
               "household {winner} ({days} overdue person-days; this household has {mine})"),
    "to.many": ("{count} andere huishoudens ({days_min} tot {days_max} persoonsdagen over de norm; "
                "dit huishouden heeft er {mine})",
                "{count} other households ({days_min} to {days_max} overdue person-days; this household has {mine})"),
    "to.many_same": ("{count} andere huishoudens (elk {days_min} persoonsdagen over de norm; dit huishouden heeft er {mine})",
                     "{count} other households ({days_min} overdue person-days each; this household has {mine})"),
    "locked.all": (", daar vastgezet door de planner", ", locked there by the planner"),
    "locked.some": (", waarvan {count} daar vastgezet door de planner", ", {count} of them locked there by the planner"),
    "empty": ("", ""),
    # --- notes: why this municipality, why this home ---
    "note.locked": ("De planner heeft deze regel vastgezet.", "The planner locked this line."),
    "note.temporary": ("Het is een tijdelijke woning, dus het huishouden verhuist nog een keer.",
                       "It is a temporary home, so the household will move once more."),
    "note.onward": ("Het verhuist door uit tijdelijke woning {temporary_home}, waar het sinds {since:date} woont; "
                    "de taakstelling telde het toen al, en deze doorverhuizing telt als een verhuizing.",
                    "It moves on from temporary home {temporary_home}, where it has lived since {since:date}; the quota "
                    "counted it then already, and this onward move counts as a move."),
    "note.recoupled": ("Het huishouden is omgekoppeld van {municipality_name} ({municipality}).",
                       "The household is re-coupled from {municipality_name} ({municipality})."),
    "note.tie": ("Gekozen om de band (werk, studie of familie) met {municipality_name} ({municipality}).",
                 "Chosen for its tie (work, study or family) with {municipality_name} ({municipality})."),
    "note.nearest": ("Dit is de dichtstbijzijnde gemeente in bereik met genoeg taakstelling.",
                     "It is the nearest municipality in range with enough quota."),
    "note.nearer_quota": ("Dichterbij in bereik: {count:municipality} zonder genoeg taakstelling voor {size:persons}.",
                          "Nearer in range: {count:municipality} without enough quota for {size:persons}."),
    "note.nearer_no_home": ("Dichterbij in bereik: {count:municipality} zonder vrije woning die past.",
                            "Nearer in range: {count:municipality} without a free home that fits."),
    "note.nearer_other": ("Dichterbij in bereik: {count:municipality} met taakstelling over, die deze week aan anderen "
                          "is gegeven of hier op de eerdere niveaus niets oplevert.",
                          "Nearer in range: {count:municipality} with quota left, used for others this week or "
                          "gaining nothing on the earlier levels here."),
    "note.expected_extra": ("Er komen nog {expected_extra:family_member} bij (nareizigers); de woning heeft plaats voor "
                            "{capacity:persons}.",
                            "{expected_extra:family_member} expected to join (nareizigers); the home has room for "
                            "{capacity:persons}."),
    "note.expected_extra_on": ("Er komen nog {expected_extra:family_member} bij (nareizigers), verwacht op "
                               "{expected_extra_date:date}; de woning heeft plaats voor {capacity:persons}.",
                               "{expected_extra:family_member} expected to join (nareizigers) on {expected_extra_date:date}; "
                               "the home has room for {capacity:persons}."),
    "note.grown_past_home": ("Het huishouden is gegroeid van {before:persons} naar {size:persons} (nareizigers): woning "
                             "{home} van vorige week, voor {capacity:persons}, past niet meer.",
                             "The household has grown from {before:persons} to {size:persons} (family members joined): "
                             "home {home} of last week's proposal, for {capacity:persons}, no longer fits."),
    "note.smaller_home": ("Een woning voor {capacity:persons}; {count:larger_home} die ook past blijft vrij voor een "
                          "groter huishouden.",
                          "A home for {capacity:persons}; {count:larger_home} that also fits stays free for a larger "
                          "household."),
    "note.smaller_homes": ("Een woning voor {capacity:persons}; {count:larger_home} die ook passen blijven vrij voor "
                           "grotere huishoudens.",
                           "A home for {capacity:persons}; {count:larger_home} that also fit stay free for larger "
                           "households."),
    "note.no_travel_time": ("Geen reistijd bekend van {location_name} naar {names}.",
                            "No travel time known from {location_name} to {names}."),
    "note.no_travel_time_more": ("Geen reistijd bekend van {location_name} naar {names} en {more} andere.",
                                 "No travel time known from {location_name} to {names} and {more} more."),
    "note.reserved": ("De vooruitblik houdt taakstelling vast voor vergunninghouders die deze periode nog komen: de "
                      "prijs van de taakstelling van {count:municipality} in bereik met plaats is {price_min:price} "
                      "tot {price_max:price} (0-1).",
                      "The look-ahead holds quota back for permit holders still to come this period: the quota price "
                      "of {count:municipality} in range with room is {price_min:price} to {price_max:price} (0-1)."),
    "note.reserved_one": ("De vooruitblik houdt taakstelling vast voor vergunninghouders die deze periode nog komen: de "
                          "prijs van de taakstelling van {count:municipality} in bereik met plaats is {price_max:price} "
                          "(0-1).",
                          "The look-ahead holds quota back for permit holders still to come this period: the quota "
                          "price of {count:municipality} in range with room is {price_max:price} (0-1)."),
    "note.price": ("Prijs van de taakstelling hier volgens de vooruitblik: {price:price} (0-1).",
                   "The look-ahead's quota price here: {price:price} (0-1)."),
}


def _count(one: str, many: str) -> Callable[[Any], str]:
    return lambda n: f"{n} {one if n == 1 else many}"


def _every(one: str, many: str) -> Callable[[Any], str]:
    return lambda n: one if n == 1 else many.format(n=n)


_MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
              "november", "december")


def _date_nl(value: Any) -> str:
    d = dt.date.fromisoformat(value)
    return f"{d.day} {_MONTHS_NL[d.month - 1]} {d.year}"


_FORMS: dict[str, tuple[Callable[[Any], str], Callable[[Any], str]]] = {
    "persons": (_count("persoon", "personen"), _count("person", "persons")),
    "municipality": (_count("gemeente", "gemeenten"), _count("municipality", "municipalities")),
    "every_municipality": (_every("de enige gemeente", "alle {n} gemeenten"),
                           _every("the only municipality", "all {n} municipalities")),
    "fitting_home": (_count("passende woning", "passende woningen"), _count("fitting home", "fitting homes")),
    "larger_home": (_count("grotere woning", "grotere woningen"), _count("larger home", "larger homes")),
    "family_member": (_count("gezinslid", "gezinsleden"), _count("family member", "family members")),
    "quota": (lambda amv: "amv-taakstelling" if amv else "taakstelling", lambda amv: "AMV quota" if amv else "quota"),
    "amv_need": (lambda amv: ", alleenstaande minderjarigen (een amv-eenheid is nodig)" if amv else "",
                 lambda amv: ", unaccompanied minors (an amv unit is needed)" if amv else ""),
    "accessible_need": (lambda yes: ", met een toegankelijke woning nodig" if yes else "",
                        lambda yes: ", needing an accessible home" if yes else ""),
    "dwelling_kind": (lambda k: {"regular": "gewone woning", "shared": "gedeelde woning", "amv": "amv-eenheid",
                                 "temporary": "tijdelijke woning"}[k],
                      lambda k: {"regular": "regular home", "shared": "shared home", "amv": "amv unit",
                                 "temporary": "temporary home"}[k]),
    "km": (lambda v: f"{v:.0f}", lambda v: f"{v:.0f}"),
    "number": (lambda v: f"{v:g}".replace(".", ","), lambda v: f"{v:g}"),
    "price": (lambda v: f"{v:.2f}".replace(".", ","), lambda v: f"{v:.2f}"),
    "date": (_date_nl, lambda v: str(v)),
}


class _Formatter(string.Formatter):
    def __init__(self, lang: Lang, homes: Mapping[str, str] | None):
        self.lang_index = LANGS.index(lang)
        self.lang: Lang = lang
        self.homes = homes

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, dict):
            return self.render(value)
        if format_spec:
            return _FORMS[format_spec][self.lang_index](value)
        return str(value)

    def render(self, clause: Mapping[str, Any]) -> str:
        fields = dict(clause)
        if "dwelling_id" in fields:
            fields.setdefault("home", fields["dwelling_id"])
            if self.homes is not None and fields["dwelling_id"] in self.homes:
                fields["home"] = self.homes[fields["dwelling_id"]]
        text = self.format(CATALOGUE[clause["key"]][self.lang_index], **fields)
        notes = [self.render(note) for note in clause.get("notes", ())]
        return " ".join([text, *notes]) if notes else text


def render(clause: Mapping[str, Any], lang: Lang = DEFAULT_LANG, homes: Mapping[str, str] | None = None) -> str:
    """The sentence of a reason clause in ``lang``.  ``homes`` maps dwelling ids to the names a
    reader knows them by (the municipality's own home reference); without it the id is shown."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}; expected one of {', '.join(LANGS)}")
    return _Formatter(lang, homes).render(clause)


def pick_lang(accept_language: str | None, default: Lang = DEFAULT_LANG) -> Lang:
    """The first of ``nl`` / ``en`` an ``Accept-Language`` header asks for (by weight), else ``default``."""
    if not accept_language:
        return default
    best: tuple[float, int, Lang] | None = None
    for position, part in enumerate(accept_language.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGS:
            continue
        weight = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0 and (best is None or (weight, -position) > (best[0], -best[1])):
            best = (weight, position, "nl" if primary == "nl" else "en")
    return best[2] if best is not None else default
