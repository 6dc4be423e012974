"""The message catalogue: every error the service layer, a form or a CSV row can give, as a stable
code with values, and its words in Dutch (the pages' default) and English.

A service error (:class:`~api.services.errors.ServiceError`) and a field error
(:class:`~api.services.errors.FieldError`) carry a ``code`` from :data:`MESSAGES` and the values
its template names; :func:`text` renders them in a language.  The English text of a code is the
message the service has always given (``str(error)``), so API clients that read English see no
change.  Pydantic's own errors are rendered by their ``type`` (``missing``, ``int_parsing``, ...)
with their context values (``ge``, ``max_length``, ...); in English pydantic's own wording is
kept.  A validator in :mod:`api.schemas` raises :class:`Coded` (a ``ValueError``) so that
pydantic reports it as ``value_error`` as before, and the code travels in the error's context.

Values that name a state (``accepted``, ``withdrawn``, ...) are passed as :class:`Term` and
rendered in the language too.  Field names in locations are rendered by :func:`field_name`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

LANGUAGES = ("nl", "en")
DEFAULT = "nl"
API_DEFAULT = "en"
"""The JSON API answers in English unless ``lang`` or ``Accept-Language`` asks for Dutch: its
clients are programs, and existing clients read the English messages they always had."""


class Term(str):
    """A value that is itself a word (a state, a decision): rendered through :data:`TERMS`."""


class Part:
    """A value that is itself a message (a code and its values), rendered in the same language;
    a list of parts is joined by "en"/"and"."""

    def __init__(self, code: str, /, **values: Any) -> None:
        self.code, self.values = code, values

    def __str__(self) -> str:
        return text("en", self.code, self.values)


class Coded(ValueError):
    """A validator's error with a catalogue code; ``str()`` is the English text."""

    def __init__(self, code: str, /, **values: Any) -> None:
        self.code, self.values = code, values
        super().__init__(text("en", code, values))


MESSAGES: dict[str, tuple[str, str]] = {
    # not found (404)
    "no_home": ("woning {home} bestaat niet", "no home {home}"),
    "no_household": ("huishouden {household} bestaat niet", "no household {household}"),
    "no_job": ("voorstel {job} bestaat niet", "no proposal job {job}"),
    "no_line": ("regel {line} bestaat niet in voorstel {job}", "no line {line} in proposal job {job}"),
    "no_lock": ("vastzetting {lock} bestaat niet", "no lock {lock}"),
    "no_municipality": ("gemeente {code} bestaat niet", "no municipality {code}"),
    "no_period": ("periode {period} bestaat niet", "no period {period}"),
    "no_signal": ("signaal {signal} bestaat niet (meer)", "no signal {signal} (or no longer)"),
    # forbidden (403)
    "only_municipality_offers": ("alleen een gemeente biedt woningen aan", "only a municipality offers homes"),
    # conflicts (409)
    "job_not_done": ("voorstel {job} is {status}; het kan worden geëxporteerd als het klaar is",
                     "proposal job {job} is {status}; it can be exported when done"),
    "home_reference_withdrawn": ("referentie {reference!r} is woning {home}, ingetrokken; een ingetrokken woning wordt niet "
                                 "opnieuw aangeboden: bied haar aan onder een nieuwe referentie",
                                 "reference {reference!r} is home {home}, withdrawn; a withdrawn home is not "
                                 "offered again: offer it under a new reference"),
    "home_reference_other_values": ("referentie {reference!r} is woning {home} met andere waarden; "
                                    "wijzig haar met PATCH /api/v1/homes/{home}",
                                    "reference {reference!r} is home {home} with other values; "
                                    "change it with PATCH /api/v1/homes/{home}"),
    "home_not_open": ("woning {home} is {status}; alleen een aangeboden woning kan worden gewijzigd",
                      "home {home} is {status}; only an open home can be changed"),
    "home_allocated": ("woning {home} is toegewezen; ze kan niet worden ingetrokken",
                       "home {home} is allocated; it cannot be withdrawn"),
    "upload_race": ("een andere upload maakte tegelijk een deel van deze referenties aan; stuur het bestand opnieuw",
                    "another upload created some of these references at the same moment; send the file again"),
    "job_reference_other": ("referentie {reference!r} is voorstel {job} met andere instellingen",
                            "reference {reference!r} is job {job} with other parameters"),
    "line_waits_no_lock": ("regel {line} stelt voor dat huishouden {household} wacht; er is geen plek om vast te zetten",
                           "line {line} proposes that household {household} waits; there is no place to lock"),
    "line_not_pending_lock": ("regel {line} is al {decision}; alleen een open regel kan worden vastgezet",
                              "line {line} is already {decision}; only a pending line can be locked"),
    "household_changed": ("huishouden {household} is veranderd sinds voorstel {job} het las (nu {now}); "
                          "vraag een nieuw voorstel",
                          "household {household} has changed since proposal job {job} read it (now {now}); "
                          "ask for a new proposal"),
    "already_locked": ("huishouden {household} is al vastgezet met vastzetting {lock} ({place}); hef die "
                       "vastzetting eerst op (DELETE /api/v1/locks/{lock})",
                       "household {household} is already locked by lock {lock} ({place}); remove that "
                       "lock first (DELETE /api/v1/locks/{lock})"),
    "place_home": ("woning {home} in {code}", "home {home} in {code}"),
    "home_cannot_lock": ("woning {home} is {status}; ze kan niet worden vastgezet", "home {home} is {status}; it cannot be locked"),
    "no_period_yet": ("er is nog geen taakstellingsperiode; start de service eenmaal om periode 2023-II aan te maken",
                      "no quota period yet; start the service once to seed period 2023-II"),
    "period_other_dates": ("periode {period} bestaat met andere data ({starts_on} tot {ends_on})",
                           "period {period} exists with other dates ({starts_on} to {ends_on})"),
    "redistribution_other": ("referentie {reference!r} is herverdeling {redistribution} met andere waarden",
                             "reference {reference!r} is redistribution {redistribution} with other values"),
    "line_waits_nothing": ("regel {line} stelt voor dat huishouden {household} wacht; er valt niets te besluiten ({decision})",
                           "line {line} proposes that household {household} waits; there is nothing to {decision}"),
    "line_decided": ("regel {line} is al {decision}", "line {line} is already {decision}"),
    "home_gone": ("woning {home} is {status}; vraag een nieuw voorstel", "home {home} is {status}; ask for a new proposal"),
    "home_full": ("woning {home} heeft geen plaats meer voor {size} personen ({taken} van {capacity} bezet)",
                  "home {home} has no room left for {size} persons ({taken} of {capacity} taken)"),
    "over_quota": ("akkoord op regel {line} zou {persons} van huishouden {household} koppelen aan {name} ({code}), "
                   "die in periode {period} {short} over heeft: andere besluiten gebruikten die sinds voorstel {job} de "
                   "taakstelling las. Wijs de regel af, vraag een nieuw voorstel, of geef toch akkoord met "
                   "\"over_quota\": true en een reden (vastgelegd in het logboek)",
                   "accepting line {line} would couple {persons} of household "
                   "{household} to {name} ({code}), which has {short} left in period "
                   "{period}: other decisions used it since proposal job {job} read the quota. Refuse the "
                   "line, ask for a new proposal, or accept anyway with \"over_quota\": true and a reason (recorded "
                   "in the audit log)"),
    "n_persons_one": ("{n} persoon", "{n} person"),
    "n_persons": ("{n} personen", "{n} persons"),
    "short_quota": ("{places} van haar taakstelling", "{places} of its quota"),
    "short_quota_slack": ("{places} van haar taakstelling (plus de speling van {slack} waarmee voorstel {job} is gemaakt)",
                          "{places} of its quota (plus the slack of {slack} proposal job {job} was made with)"),
    "short_amv": ("{places} van haar AMV-taakstelling (huishouden {household} is een alleenstaande minderjarige)",
                  "{places} of its AMV quota (household {household} is an unaccompanied minor)"),
    "places_none": ("geen plaatsen ({remaining})", "no places ({remaining})"),
    "places_one": ("nog maar 1 plaats", "only 1 place"),
    "places_many": ("nog maar {remaining} plaatsen", "only {remaining} places"),
    "no_line_proposed": ("regel {line} is niet aan {code} voorgesteld", "no line {line} proposed to {code}"),
    "ban_needs_home": ("een koppelregel heeft geen woning om uit te sluiten; gebruik municipality",
                       "a couple line has no home to ban; use municipality"),
    "file_too_large": ("is groter dan {limit} bytes; splits het bestand", "is larger than {limit} bytes; split it"),
    "engine_param": ("ongeldige rekenparameter: {message}", "{message}"),
    "unknown_role": ("onbekende rol {role!r}; verwacht coa of municipality", "unknown role {role!r}; expected coa or municipality"),
    "token_needs_municipality": ("een gemeentetoken heeft --municipality GMxxxx nodig", "a municipality token needs --municipality GMxxxx"),
    "coa_token_no_municipality": ("een coa-token hoort niet bij een gemeente", "a coa token is not bound to a municipality"),
    "unknown_municipality_r": ("onbekende gemeente {code!r}", "unknown municipality {code!r}"),
    "no_token": ("token {token} bestaat niet", "no token {token}"),
    "no_token_r": ("token {token!r} bestaat niet", "no token {token!r}"),
    "token_prefix_ambiguous": ("voorvoegsel {key!r} past bij {n} tokens; gebruik het id", "prefix {key!r} matches {n} tokens; use the id"),
    "bad_cursor": ("geen cursor van deze feed: gebruik de waarde next van een eerdere pagina",
                   "not a cursor of this feed: use the next value of an earlier page"),
    "no_grouping": ("{figure} kent geen indeling {by!r}; kies {choices}", "{figure} has no grouping {by!r}; choose {choices}"),
    "municipality_gone": ("gemeente {code} van regel {line} bestaat niet meer",
                          "municipality {code} of line {line} no longer exists"),
    # invalid fields (422), of the service layer
    "amv_exceeds": ("het AMV-deel ({amv}) mag de taakstelling ({taakstelling}) niet overschrijden",
                    "the AMV part ({amv}) cannot exceed the taakstelling ({taakstelling})"),
    "amv_exceeds_taakstelling": ("mag de taakstelling niet overschrijden", "cannot exceed taakstelling"),
    "starts_after_current": ("moet na het begin van de huidige periode {period} ({starts_on}) liggen",
                             "must be after the start of the current period {period} ({starts_on})"),
    "unknown_municipality": ("onbekende gemeente {code}", "unknown municipality {code}"),
    "listed_twice": ("{code} staat er twee keer in", "{code} is listed twice"),
    "too_few_persons": ("{code} heeft deze periode maar {available} personen taakstelling over te dragen",
                        "{code} has only {available} persons of taakstelling to hand over this period"),
    "too_few_amv": ("{code} heeft maar {available} AMV-personen taakstelling over te dragen",
                    "{code} has only {available} AMV persons of taakstelling to hand over"),
    "date_before_permit": ("mag niet vóór de vergunnings- of koppeldatum van het huishouden liggen",
                           "must not be before the household's permit or coupling date"),
    "time_limit_max": ("hoogstens {seconds:g} seconden op deze server", "at most {seconds:g} seconds on this server"),
    "min_occupancy_capacity": ("de minimale bezetting mag niet groter zijn dan de capaciteit",
                               "min_occupancy must not exceed capacity"),
    "min_occupancy_regular": ("een minimale bezetting geldt alleen voor zelfstandige woningen; laat haar 1",
                              "min_occupancy applies to regular homes only; leave it 1"),
    "persons_live_there": ("er wonen al {persons} personen", "{persons} persons already live there"),
    "reference_twice": ("referentie {reference!r} staat ook op rij {row}", "reference {reference!r} is also on row {row}"),
    "home_withdrawn_row": ("woning {home} ({reference}) is ingetrokken; bied haar aan onder een nieuwe referentie",
                           "home {home} ({reference}) is withdrawn; offer it under a new reference"),
    "status_open_withdrawn": ("status is open of withdrawn; de service wijst woningen toe",
                              "status is open or withdrawn; the service allocates homes"),
    "household_twice": ("huishouden {household} komt twee keer voor (ook op {at})",
                        "household {household} appears twice (also at {at})"),
    "travel_time_twice": ("reistijd {location} -> {code} staat al op rij {row}",
                          "travel time {location} -> {code} is already given on row {row}"),
    "no_travel_times": ("er zijn geen reistijden opgeslagen, dus elke nieuwe koppeling valt buiten bereik; upload ze "
                        "eerst (POST /api/v1/travel-times/upload) of laat max_minutes weg",
                        "no travel times are stored, so every new coupling would be out of range; upload them first "
                        "(POST /api/v1/travel-times/upload) or leave max_minutes out"),
    "unknown_location": ("onbekende opvanglocatie {location!r} (GET /api/v1/locations geeft ze)",
                         "unknown reception location {location!r} (GET /api/v1/locations lists them)"),
    # why a proposal job failed (the job's error_values; the worker and api.engine)
    "job_interrupted": ("onderbroken: {why}; het voorstel is niet afgemaakt, er is niets van opgeslagen en er is geen "
                        "besluit verloren gegaan; vraag een nieuw voorstel",
                        "interrupted: {why}; the job did not finish, nothing of it was stored and no decision "
                        "was lost; ask for a new proposal"),
    "why_no_worker": ("het had geen rekenproces", "it has no worker"),
    "why_replaced": ("de service is herstart terwijl het liep (rekenproces {pid} op {host} is vervangen)",
                     "the service was restarted while it ran (its worker process {pid} on {host} was replaced)"),
    "why_gone": ("de service is herstart of gestopt terwijl het liep (rekenproces {pid} op {host} bestaat niet meer)",
                 "the service was restarted or stopped while it ran (its worker process {pid} on {host} is gone)"),
    "why_no_heartbeat": ("rekenproces {worker} gaf meer dan {seconds:g} s geen teken van leven (de server stopte, werd "
                         "herstart of verloor de database)",
                         "its worker {worker} sent no heartbeat for over {seconds:g} s (its server stopped, was "
                         "restarted or lost the database)"),
    "why_lost_track": ("deze server raakte het voorstel kwijt (de draad die het rekende stopte)",
                       "this server lost track of it (its worker thread stopped)"),
    "job_invalid_instance": ("de gegevens in de database vormen geen geldige invoer: {error}",
                             "the database does not make a valid instance: {error}"),
    "job_worker_crashed": ("het rekenproces liep vast: {error}", "the worker crashed: {error}"),
    "job_not_stored": ("de uitkomst kon niet worden opgeslagen: {error}", "the result could not be stored: {error}"),
    "job_solver_died": ("het rekenproces stopte onverwacht (afsluitcode {exit_code})",
                        "the solver process died (exit code {exit_code})"),
    "job_solver_timeout": ("de berekening was na {seconds:.0f} s niet klaar en is gestopt",
                           "the solver did not finish within {seconds:.0f} s and was stopped"),
    "job_locks_infeasible": ("de vastzettingen kunnen niet alle tegelijk gelden binnen de harde regels ({detail}); hef er "
                             "een op en vraag een nieuw voorstel", "the locks cannot all hold: {detail}"),
    "job_engine_error": ("de rekenkern kon geen voorstel maken: {detail}", "{detail}"),
    "job_check_failed": ("het voorstel van {solver} brak {count} regel(s) en is niet opgeslagen: {shown}",
                         "the {solver} proposal broke {count} rule(s) and was not stored: {shown}"),
    "job_engine_crashed": ("de rekenkern liep vast: {error}\n{trace}", "the engine crashed: {error}\n{trace}"),
    "server_stopped": ("de server stopte terwijl het voorstel liep", "the server stopped while the job ran"),
    # why an active lock was left out of a job (the job's summary.locks.skipped)
    "lock_skip_changed": ("huishouden {household} is veranderd sinds het werd vastgezet",
                          "household {household} has changed since it was locked"),
    "lock_skip_home": ("woning {home} is {status}: ze wordt niet meer aangeboden", "home {home} is {status}: no longer offered"),
    "lock_skip_room": ("woning {home} heeft nog {room} plaats(en), huishouden {household} telt {size}",
                       "home {home} has {room} place(s) left, household {household} is {size}"),
    # who may (401, 403)
    "missing_token": ("token ontbreekt: stuur Authorization: Bearer <token> (maak er een met `matcher token create`)",
                      "missing bearer token: send Authorization: Bearer <token> (make one with `matcher token create`)"),
    "unknown_token": ("onbekend of ingetrokken token", "unknown or revoked token"),
    "only_coa": ("alleen planners van het COA (rol coa) mogen dit", "only COA planners (role coa) may do this"),
    "only_municipality_role": ("alleen een gemeente (rol municipality) mag dit",
                               "only a municipality (role municipality) may do this"),
    "no_move_in": ("geen verhuizing {move_in}", "no move-in {move_in}"),
    "arrival_reference": ("kenmerk {reference} hoort bij een andere aankomst van gezinsleden ({arrival})",
                          "reference {reference} belongs to another arrival of family members ({arrival})"),
    "arrival_not_yours": ("huishouden {household} is niet gekoppeld aan of gehuisvest in uw gemeente: COA of de "
                          "gemeente van het huishouden legt de aankomst van gezinsleden vast",
                          "household {household} is not coupled to or housed in your municipality: COA or the "
                          "household's municipality records the arrival of family members"),
    "arrival_before_permit": ("mag niet vóór de verblijfsvergunning liggen ({date})",
                              "must not be before the residence permit ({date})"),
    "arrival_in_future": ("een aankomst wordt vastgelegd als ze gebeurd is: de datum ligt in de toekomst",
                          "an arrival is recorded once it happened: the date is in the future"),
    "arrival_too_large": ("het huishouden telt {size} personen; met {persons} erbij wordt het groter dan {max}",
                          "the household has {size} persons; {persons} more would make it larger than {max}"),
    "arrival_composition": ("adults en children samen moeten persons zijn ({persons})",
                            "adults and children must add up to persons ({persons})"),
    "expected_date_needs_extra": ("expected_extra_date hoort bij verwachte gezinsleden: expected_extra is 0",
                                  "expected_extra_date goes with family members expected: expected_extra is 0"),
    "expected_date_before_permit": ("expected_extra_date mag niet vóór permit_date liggen",
                                    "expected_extra_date must not be before permit_date"),
    "no_recoupling": ("geen omkoppelingsverzoek {recoupling}", "no re-coupling request {recoupling}"),
    "recoupling_not_coupled": ("huishouden {household} is {state}: alleen een gekoppeld huishouden kan worden omgekoppeld",
                               "household {household} is {state}: only a coupled household can be re-coupled"),
    "recoupling_open": ("voor huishouden {household} loopt al omkoppelingsverzoek {recoupling} ({status})",
                        "household {household} already has re-coupling request {recoupling} ({status})"),
    "recoupling_reference": ("kenmerk {reference} hoort bij een ander omkoppelingsverzoek ({recoupling})",
                             "reference {reference} belongs to another re-coupling request ({recoupling})"),
    "recoupling_decided": ("omkoppelingsverzoek {recoupling} is al {status}", "re-coupling request {recoupling} is already {status}"),
    "recoupling_same": ("huishouden {household} is al gekoppeld aan {code}", "household {household} is already coupled to {code}"),
    "recoupling_exchange": ("huishouden {household} is niet gekoppeld aan {code} (een ruil is met een huishouden van die gemeente)",
                            "household {household} is not coupled to {code} (an exchange is with a household of that municipality)"),
    "recoupling_exchange_self": ("een ruil is met een ander huishouden", "an exchange is with another household"),
    "recoupling_in_exchange": ("huishouden {household} zit in ruil {exchange}, die op COA wacht",
                               "household {household} is in exchange {exchange}, awaiting COA"),
    "no_exchange": ("geen ruil {exchange}", "no exchange {exchange}"),
    "exchange_reference": ("kenmerk {reference} hoort bij een andere ruil ({exchange})",
                           "reference {reference} belongs to another exchange ({exchange})"),
    "exchange_self": ("een ruil is tussen twee verschillende huishoudens", "an exchange is between two different households"),
    "exchange_same_municipality": ("huishouden {household} is ook gekoppeld aan {code}: een ruil is tussen twee gemeenten",
                                   "household {household} is coupled to {code} too: an exchange is between two municipalities"),
    "exchange_partner": ("huishouden {household} is geen gekoppeld huishouden van een andere gemeente",
                         "household {household} is not a coupled household of another municipality"),
    "exchange_open": ("huishouden {household} zit al in ruil {exchange}, die op COA wacht",
                      "household {household} is in exchange {exchange} already, awaiting COA"),
    "exchange_decided": ("ruil {exchange} is al {status}", "exchange {exchange} is already {status}"),
    "exchange_changed": ("huishouden {household} van ruil {exchange} is niet meer gekoppeld aan {code} (nu {now}); "
                         "wijs de ruil af", "household {household} of exchange {exchange} is no longer coupled to {code} "
                         "(now {now}); decline the exchange"),
    "exchange_over_quota": ("ruil {exchange} geeft {name} ({code}) er {persons} bij, en die heeft in periode {period} {short} "
                            "over. Wijs de ruil af, of keur haar toch goed met over_quota en een reden",
                            "exchange {exchange} gives {name} ({code}) {persons} more, and it has {short} left in period "
                            "{period}. Decline the exchange, or approve it anyway with over_quota and a reason"),
    "move_in_household_changed": ("huishouden {household} verhuist niet meer naar woning {home}",
                                  "household {household} is no longer moving in to home {home}"),
    "move_in_confirmed_on": ("verhuizing {move_in} is bevestigd op {date}, niet {other}",
                             "move-in {move_in} was confirmed on {date}, not {other}"),
    "move_in_fell_through": ("verhuizing {move_in} ging niet door ({reason}); bevestigen kan niet meer",
                             "move-in {move_in} fell through ({reason}); it cannot be confirmed"),
    "move_in_already_confirmed": ("verhuizing {move_in} is bevestigd op {date}; ze kan niet meer niet doorgaan",
                                  "move-in {move_in} was confirmed on {date}; it cannot fall through"),
    "move_in_before_accept": ("mag niet voor de acceptatie van de woning liggen ({date})",
                              "must not be before the accept of the home ({date})"),
    "move_in_in_future": ("een verhuizing wordt bevestigd als ze gebeurd is: de datum ligt in de toekomst",
                          "a move-in is confirmed once it happened: the date is in the future"),
    "household_moving_in": ("huishouden {household} verhuist naar woning {home} van {code}: de gemeente bevestigt de "
                            "verhuizing of meldt dat die niet doorging (/api/v1/move-ins), niet een upload",
                            "household {household} is moving in to home {home} of {code}: its municipality confirms the "
                            "move-in or reports that it fell through (/api/v1/move-ins), not an upload"),
    "state_back": ("huishouden {household} is {old}; de stand kan niet terug naar {new}",
                   "household {household} is {old}; its state cannot go back to {new}"),
    "housed_elsewhere": ("huishouden {household} is gehuisvest in woning {home} van {code}",
                         "household {household} is housed in home {home} of {code}"),
    "households_object": ('verwacht een object {{"households": [...]}} en verder niets',
                          'expected an object {{"households": [...]}} and nothing else'),
    "households_list": ("verwacht een lijst van 1 tot {max} huishoudens", "expected a list of 1 to {max} households"),
    "must_be_object": ("moet een object zijn", "must be an object"),
    # files (CSV uploads)
    "file_not_utf8": ("is geen UTF-8-tekst ({reason} bij byte {byte}); sla het op als UTF-8-CSV",
                      "is not UTF-8 text ({reason} at byte {byte}); save it as UTF-8 CSV"),
    "file_nul": ("bevat NUL-tekens; verwacht een UTF-8-CSV-tekstbestand", "contains NUL characters; expected a UTF-8 CSV text file"),
    "file_empty": ("is leeg; verwacht een rij met kolomkoppen", "is empty; expected a header row"),
    "file_not_csv": ("is geen geldige CSV: {error}", "is not valid CSV: {error}"),
    "unknown_column": ("onbekende kolom {name!r}; verwacht {expected} (of x_ voor eigen kolommen)",
                       "unknown column {name!r}; expected {expected} (or x_ for your own)"),
    "column_twice": ("kolom komt twee keer voor", "column appears twice"),
    "missing_column": ("verplichte kolom {name!r} ontbreekt", "missing required column {name!r}"),
    "row_cells": ("heeft {cells} cellen; de kopregel heeft er {header}", "has {cells} cells; the header has {header}"),
    "too_many_rows": ("heeft meer dan {max} rijen; splits het bestand", "has more than {max} rows; split it"),
    "file_xls": ("is een oud Excel-bestand (.xls); sla het op als Excel-werkmap (.xlsx) of als CSV",
                 "is an old Excel file (.xls); save it as an Excel workbook (.xlsx) or as CSV"),
    "file_utf16": ("is UTF-16-tekst; sla het op als CSV (UTF-8 of de Nederlandse puntkomma-CSV) of als XLSX",
                   "is UTF-16 text; save it as CSV (UTF-8 or the Dutch semicolon CSV) or XLSX"),
    "file_encoding": ("is geen UTF-8- en geen Windows-1252-tekst (byte {value} op positie {byte}); sla het op als UTF-8-CSV",
                      "is neither UTF-8 nor Windows-1252 text (byte {value} at byte {byte}); save it as UTF-8 CSV"),
    "file_not_xlsx": ("is geen leesbare XLSX-werkmap; sla het opnieuw op vanuit Excel als .xlsx, of als CSV",
                      "is not a readable XLSX workbook; save it again from Excel as .xlsx, or as CSV"),
    "file_unpacked": ("is uitgepakt groter dan {max} bytes; splits het bestand", "unpacks to more than {max} bytes; split it"),
    "file_macros": ("bevat macro's (.xlsm); sla het op als Excel-werkmap (.xlsx) zonder macro's, of als CSV",
                    "contains macros (.xlsm); save it as an Excel workbook (.xlsx) without macros, or as CSV"),
    "too_many_columns": ("heeft meer dan {max} kolommen", "has more than {max} columns"),
    "sheet_rows": ("gebruikt rijen na rij {max}; splits het bestand", "uses rows beyond row {max}; split it"),
    "formula": ("is een formule; vul de waarde in (formules worden niet uitgerekend)",
                "is a formula; enter its value instead (formulas are not evaluated)"),
    "excel_error": ("is een Excel-fout ({value}); vul een waarde in", "is an Excel error ({value}); enter a value"),
    "cell_too_long": ("heeft meer dan {max} tekens", "has more than {max} characters"),
    "body_unreadable": ("kan niet worden gelezen: {error}", "cannot be read: {error}"),
    # validators of api.schemas (pydantic value_error)
    "date_range": ("moet tussen {first} en {last} liggen", "must lie between {first} and {last}"),
    "id_names_route": ("{value!r} is de naam van een route (/api/v1/households/{value}); kies een ander huishouden-id",
                       "{value!r} names a route (/api/v1/households/{value}); choose another household id"),
    "give_one_of": ("geef minstens een van {fields}", "give at least one of {fields}"),
    "ends_before_starts": ("ends_on mag niet vóór starts_on liggen", "ends_on must not be before starts_on"),
    "same_municipality": ("from_municipality en to_municipality moeten verschillen",
                          "from_municipality and to_municipality must differ"),
    "amv_part_of_persons": ("amv_persons is een deel van persons en mag het niet overschrijden",
                            "amv_persons is part of persons and cannot exceed it"),
    "exceeds_size": ("{field} ({value}) mag de grootte {size} niet overschrijden", "{field} ({value}) cannot exceed size {size}"),
    "give_children": ("geef ook children: adults en children tellen op tot size {size} (children {missing})",
                      "give children too: adults and children add up to size {size} (children {missing})"),
    "give_adults": ("geef ook adults: adults en children tellen op tot size {size} (adults {missing})",
                    "give adults too: adults and children add up to size {size} (adults {missing})"),
    "size_sum": ("adults + children ({adults} + {children}) moet gelijk zijn aan size {size}",
                 "adults + children ({adults} + {children}) must equal size {size}"),
    "waiting_has_no": ("een wachtend huishouden heeft geen {fields}", "a waiting household has no {fields}"),
    "state_needs_municipality": ("een {state} huishouden heeft een gemeente nodig", "a {state} household needs municipality"),
    "coupled_needs_date": ("een gekoppeld huishouden heeft een coupling_date nodig", "a coupled household needs coupling_date"),
    "coupled_no_housed": ("een gekoppeld huishouden heeft geen housed_date (gebruik state housed)",
                          "a coupled household has no housed_date (use state housed)"),
    "housed_needs_date": ("een gehuisvest huishouden heeft een housed_date nodig", "a housed household needs housed_date"),
    "temporary_needs": ("een huishouden in een tijdelijke woning heeft coupling_date, housed_date (sinds wanneer) en "
                        "temporary_home nodig",
                        "a household in a temporary home needs coupling_date, housed_date (since when) and temporary_home"),
    "temporary_home_only": ("temporary_home hoort alleen bij state temporary",
                            "temporary_home goes with state temporary only"),
    "temporary_no_amv": ("een tijdelijke woning neemt geen alleenstaande minderjarigen (amv)",
                         "a temporary home takes no unaccompanied minors (amv)"),
    "coupling_before_permit": ("coupling_date mag niet vóór permit_date liggen", "coupling_date must not be before permit_date"),
    "housed_before_coupling": ("housed_date mag niet vóór coupling_date liggen", "housed_date must not be before coupling_date"),
    "refusal_needs_reason": ("bij afwijzen is een reden nodig", "a refusal needs a reason"),
    "ban_with_refusal": ("ban hoort alleen bij een afwijzing", "ban goes with a refusal only"),
    "over_quota_with_accept": ("over_quota hoort alleen bij een akkoord", "over_quota goes with an accept only"),
    "over_quota_needs_reason": ("akkoord boven de taakstelling vraagt een reden", "accepting over the quota needs a reason"),
    "not_null": ("mag niet leeg (null) zijn; laat het veld weg om het te houden", "cannot be null; leave the field out to keep it"),
    # pydantic's error types (English: pydantic's own words are kept; these are their meaning)
    "missing": ("ontbreekt; dit veld is verplicht", "Field required"),
    "int_parsing": ("moet een geheel getal zijn", "Input should be a valid integer"),
    "int_type": ("moet een geheel getal zijn", "Input should be a valid integer"),
    "int_from_float": ("moet een geheel getal zijn, zonder decimalen", "Input should be a valid integer, got a number with a fractional part"),
    "float_parsing": ("moet een getal zijn", "Input should be a valid number"),
    "float_type": ("moet een getal zijn", "Input should be a valid number"),
    "finite_number": ("moet een eindig getal zijn", "Input should be a finite number"),
    "bool_parsing": ("moet ja of nee zijn (true of false)", "Input should be a valid boolean"),
    "bool_type": ("moet ja of nee zijn (true of false)", "Input should be a valid boolean"),
    "string_type": ("moet tekst zijn", "Input should be a valid string"),
    "string_too_short": ("moet minstens {min_length} teken(s) lang zijn", "String should have at least {min_length} characters"),
    "string_too_long": ("mag hoogstens {max_length} tekens lang zijn", "String should have at most {max_length} characters"),
    "string_pattern_mismatch": ("heeft niet de juiste vorm (patroon {pattern})", "String should match pattern '{pattern}'"),
    "too_short": ("moet minstens {min_length} element(en) hebben", "List should have at least {min_length} items"),
    "too_long": ("mag hoogstens {max_length} elementen hebben", "List should have at most {max_length} items"),
    "greater_than_equal": ("moet minstens {ge} zijn", "Input should be greater than or equal to {ge}"),
    "greater_than": ("moet groter zijn dan {gt}", "Input should be greater than {gt}"),
    "less_than_equal": ("mag hoogstens {le} zijn", "Input should be less than or equal to {le}"),
    "less_than": ("moet kleiner zijn dan {lt}", "Input should be less than {lt}"),
    "multiple_of": ("moet een veelvoud van {multiple_of} zijn", "Input should be a multiple of {multiple_of}"),
    "enum": ("moet een van deze zijn: {expected}", "Input should be {expected}"),
    "literal_error": ("moet een van deze zijn: {expected}", "Input should be {expected}"),
    "date_parsing": ("moet een datum zijn, zoals 2023-07-03", "Input should be a valid date"),
    "date_from_datetime_parsing": ("moet een datum zijn, zoals 2023-07-03", "Input should be a valid date or datetime"),
    "date_from_datetime_inexact": ("moet een datum zijn zonder tijd", "Datetimes provided to dates should have zero time"),
    "date_type": ("moet een datum zijn, zoals 2023-07-03", "Input should be a valid date"),
    "datetime_parsing": ("moet een datum en tijd zijn, zoals 2023-07-03T09:00:00", "Input should be a valid datetime"),
    "datetime_from_date_parsing": ("moet een datum en tijd zijn, zoals 2023-07-03T09:00:00", "Input should be a valid datetime or date"),
    "datetime_type": ("moet een datum en tijd zijn", "Input should be a valid datetime"),
    "dict_type": ("moet een object zijn", "Input should be a valid dictionary"),
    "model_type": ("moet een object zijn", "Input should be a valid dictionary or instance"),
    "model_attributes_type": ("moet een object zijn", "Input should be a valid dictionary or object"),
    "list_type": ("moet een lijst zijn", "Input should be a valid list"),
    "extra_forbidden": ("is geen bekend veld", "Extra inputs are not permitted"),
    "json_invalid": ("is geen geldige JSON", "Invalid JSON"),
    "json_type": ("moet JSON-tekst zijn", "JSON input should be string, bytes or bytearray"),
    "uuid_parsing": ("moet een UUID zijn", "Input should be a valid UUID"),
    "value_error": ("ongeldige waarde", "Value error"),
    "invalid_fields": ("ongeldige invoer", "invalid input"),
    "invalid": ("ongeldige waarde ({type})", "invalid value ({type})"),
}
"""Code -> (Dutch, English) template; values fill ``{name}`` fields (``str.format``)."""

TERMS: dict[str, tuple[str, str]] = {
    "pending": ("open", "pending"), "accepted": ("akkoord", "accepted"), "refused": ("afgewezen", "refused"),
    "none": ("zonder besluit", "none"), "accept": ("akkoord geven", "accept"), "refuse": ("afwijzen", "refuse"),
    "queued": ("in de wachtrij", "queued"), "running": ("bezig", "running"), "done": ("klaar", "done"),
    "failed": ("mislukt", "failed"), "open": ("aangeboden", "open"), "allocated": ("toegewezen", "allocated"),
    "withdrawn": ("ingetrokken", "withdrawn"), "waiting": ("wachtend", "waiting"), "coupled": ("gekoppeld", "coupled"), "moving_in": ("verhuist", "moving in"),
    "temporary": ("in een tijdelijke woning", "in a temporary home"),
    "housed": ("gehuisvest", "housed"), "gone": ("verdwenen", "gone"),
    "full": ("vol", "full"),
    "approved": ("goedgekeurd", "approved"), "declined": ("afgewezen", "declined"),
    # why bytes are not UTF-8 (Python's UnicodeDecodeError.reason)
    "invalid start byte": ("ongeldige beginbyte", "invalid start byte"),
    "invalid continuation byte": ("ongeldige vervolgbyte", "invalid continuation byte"),
    "unexpected end of data": ("onverwacht einde van de gegevens", "unexpected end of data"),
}
"""State and decision words that appear as values in messages."""

FIELDS: dict[str, tuple[str, str]] = {
    "file": ("bestand", "file"), "body": ("inhoud", "body"), "query": ("adres", "query"), "path": ("pad", "path"),
    "form": ("formulier", "form"),
    "reference": ("referentie", "reference"), "kind": ("soort", "kind"), "capacity": ("capaciteit", "capacity"),
    "min_occupancy": ("minimale bezetting", "min_occupancy"), "accessible": ("toegankelijk", "accessible"),
    "available_from": ("beschikbaar vanaf", "available_from"), "status": ("status", "status"),
    "as_of": ("peildatum", "as_of"), "solver": ("rekenmethode", "solver"), "time_limit": ("tijdslimiet", "time_limit"),
    "decision": ("besluit", "decision"), "reason": ("reden", "reason"), "date": ("datum", "date"),
    "household_id": ("huishouden", "household_id"), "location_id": ("opvanglocatie", "location_id"),
    "municipality": ("gemeente", "municipality"), "tie_municipality": ("gemeente van binding", "tie_municipality"),
    "state": ("stand", "state"), "size": ("grootte", "size"), "adults": ("volwassenen", "adults"),
    "children": ("kinderen", "children"), "permit_date": ("vergunningsdatum", "permit_date"),
    "coupling_date": ("koppeldatum", "coupling_date"), "housed_date": ("huisvestingsdatum", "housed_date"),
    "taakstelling": ("taakstelling", "taakstelling"), "amv_taakstelling": ("AMV-taakstelling", "amv_taakstelling"),
    "starts_on": ("begindatum", "starts_on"), "ends_on": ("einddatum", "ends_on"), "persons": ("personen", "persons"),
    "amv_persons": ("AMV-personen", "amv_persons"), "page": ("pagina", "page"), "per_page": ("per pagina", "per_page"),
    "period": ("periode", "period"), "on": ("datum", "on"), "by": ("indeling", "by"), "km": ("km", "km"), "offset": ("begin", "offset"), "sort": ("sortering", "sort"), "note": ("notitie", "note"), "household_a": ("huishouden A", "household A"),
    "household_b": ("huishouden B", "household B"), "over_quota": ("boven de taakstelling", "over_quota"),
}
"""Field names as a location shows them; an unknown name is shown as itself."""

COLUMNS: dict[str, tuple[str, str]] = {
    "line_id": ("regel", "line"), "household_id": ("huishouden", "household"), "action": ("actie", "action"),
    "municipality": ("gemeente", "municipality"), "dwelling_id": ("woning-id", "home id"),
    "persons": ("personen", "persons"), "km": ("km", "km"), "overdue_days": ("dagen over de norm", "days overdue"),
    "moves": ("verhuizingen", "moves"), "reason": ("reden", "reason"), "reason_kind": ("soort reden", "reason kind"),
    "reason_values": ("reden als gegevens (JSON)", "reason as data (JSON)"),
    "temporary_home": ("tijdelijke woning", "temporary home"),
    "home_reference": ("woningreferentie", "home reference"), "decision": ("besluit", "decision"),
    "decision_reason": ("reden van het besluit", "decision reason"), "decision_date": ("datum van het besluit", "decision date"),
    "coupling_deadline": ("uiterste koppeldatum", "coupling deadline"), "coupling_status": ("stand koppeling", "coupling status"),
    "coupling_days_left": ("dagen tot de koppeltermijn", "days left to couple"),
    "housing_deadline": ("uiterste huisvestingsdatum", "housing deadline"),
    "housing_status": ("stand huisvesting", "housing status"),
    "housing_days_left": ("dagen tot de huisvestingstermijn", "days left to house"),
    # the summary sheet of an XLSX export
    "sheet_proposal": ("voorstel", "proposal"), "sheet_summary": ("samenvatting", "summary"),
    "job": ("voorstel", "job"), "as_of": ("peildatum", "as of"), "status": ("status", "status"),
    "solver": ("rekenmethode", "solver"), "runtime_s": ("rekentijd (s)", "runtime (s)"), "bound": ("grens", "bound"),
    "gap": ("gat", "gap"), "level": ("niveau {level}", "level {level}"),
}
"""Column headers of the exports for people (the XLSX and the Dutch CSV), by machine name; the
comma CSV keeps the machine names."""


def column(lang: str, name: str, /, **values: Any) -> str:
    """The header of export column ``name`` in ``lang`` (an unknown name is shown as itself)."""
    words = COLUMNS.get(name)
    return words[_index(lang)].format(**values) if words else name


def language(value: str | None, default: str = DEFAULT) -> str:
    """``value`` if it is a language of :data:`LANGUAGES`, else the first one an ``Accept-Language``
    header (``value``) names, else ``default``."""
    if not value:
        return default
    value = value.strip().lower()
    if value in LANGUAGES:
        return value
    ranked = []
    for i, part in enumerate(value.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().split("-")[0]
        if primary in LANGUAGES and q > 0:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else default


def request_language(lang: str | None, accept_language: str | None) -> str:
    """The language of the API's messages: ``lang`` (the query parameter) if it is one of
    :data:`LANGUAGES`, else ``Accept-Language``, else :data:`API_DEFAULT` (English)."""
    if lang in LANGUAGES:
        return str(lang)
    return language(accept_language, API_DEFAULT)


def _index(lang: str) -> int:
    return LANGUAGES.index(lang) if lang in LANGUAGES else 0


def term(lang: str, word: str) -> str:
    words = TERMS.get(word)
    return words[_index(lang)] if words else word


def field_name(lang: str, name: str | int) -> str:
    words = FIELDS.get(str(name))
    return words[_index(lang)] if words else str(name)


def data(code: str, /, **values: Any) -> dict[str, Any]:
    """A message as JSON-able data, ``{"code": code, "values": {...}}``, to store and render later
    (:func:`render_data`): a :class:`Part` value becomes such an object, a :class:`Term`
    ``{"term": word}``."""
    def plain(value: Any) -> Any:
        if isinstance(value, Part):
            return data(value.code, **value.values)
        if isinstance(value, Term):
            return {"term": str(value)}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value if value is None or isinstance(value, (str, int, float, bool, dict)) else str(value)
    return {"code": code, "values": {k: plain(v) for k, v in values.items()}}


def render_data(lang: str, message: Mapping[str, Any]) -> str:
    """A message stored by :func:`data`, in ``lang``."""
    return text(lang, str(message.get("code", "")), message.get("values") or {})


def _value(lang: str, value: Any) -> Any:
    if isinstance(value, Term):
        return term(lang, value)
    if isinstance(value, Part):
        return text(lang, value.code, value.values)
    if isinstance(value, dict) and "code" in value:
        return render_data(lang, value)
    if isinstance(value, dict) and "term" in value:
        return term(lang, str(value["term"]))
    if isinstance(value, list) and all(isinstance(v, Part) for v in value):
        return (" en " if lang == "nl" else " and ").join(text(lang, v.code, v.values) for v in value)
    return value


def text(lang: str, code: str, values: Mapping[str, Any] | None = None) -> str:
    """The message ``code`` in ``lang`` with ``values``; an unknown code is shown as itself."""
    words = MESSAGES.get(code)
    if words is None:
        return code
    filled = {k: _value(lang, v) for k, v in (values or {}).items()}
    try:
        return words[_index(lang)].format(**filled)
    except (KeyError, IndexError, ValueError):
        return words[_index(lang)]


def pydantic_code(error: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The catalogue code and values of one of pydantic's errors (``ValidationError.errors()``):
    a :class:`Coded` validator error's own, else its ``type`` with its context values."""
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, Coded):
        return cause.code, dict(cause.values)
    kind = str(error.get("type", ""))
    if kind not in MESSAGES or kind == "value_error":
        return "invalid", {"type": kind}
    values = {k: v for k, v in ctx.items() if k != "error"}
    if "expected" in values:  # pydantic lists the choices as "'a', 'b' or 'c'"
        values["expected"] = str(values["expected"]).replace(" or ", " of ")
    return kind, values


def pydantic_error(lang: str, error: Mapping[str, Any]) -> str:
    """One of pydantic's errors in ``lang``: Dutch from the catalogue, English as pydantic words
    it (without "Value error, ")."""
    if lang == "en":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    code, values = pydantic_code(error)
    return text(lang, code, values)


def location(lang: str, loc: Sequence[str | int]) -> str:
    """A field's location as a reader names it: the parts after body/query/path/form/file, each
    field name in ``lang``, joined by dots (``("body", "quotas", 2, "amv_taakstelling")`` is
    ``quotas.2.AMV-taakstelling`` in Dutch)."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "form", "file"):
        parts = parts[1:]
    return ".".join(field_name(lang, p) for p in parts) or field_name(lang, loc[0] if loc else "body")
