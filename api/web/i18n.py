"""The pages' words in Dutch (the default) and English: one table, key -> (nl, en).

Values are ``str.format`` templates (``{name}``).  Messages that come from the service layer
(validation of a field, why a line cannot be accepted) have their own catalogue,
:mod:`api.messages`, rendered in the page's language too.  ``tests/web/test_pages.py`` checks that every key a template uses is here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

LANGUAGES = ("nl", "en")
DEFAULT = "nl"

WORDS: dict[str, tuple[str, str]] = {
    # layout and access
    "skip_to_content": ("Naar de inhoud", "Skip to content"),
    "main_menu": ("Hoofdmenu", "Main menu"),
    "footer": ("matcher — koppelen en huisvesten van vergunninghouders. Huishoudens zijn pseudoniem.",
               "matcher — coupling and housing status holders. Households are pseudonymous."),
    "nav_overview": ("Overzicht", "Overview"),
    "nav_municipalities": ("Gemeenten", "Municipalities"),
    "nav_proposals": ("Voorstellen", "Proposals"),
    "nav_audit": ("Logboek", "Audit log"),
    "nav_homes": ("Woningen", "Homes"),
    "nav_households": ("Huishoudens", "Households"),
    "sign_in": ("Aanmelden", "Sign in"),
    "sign_out": ("Afmelden", "Sign out"),
    "sign_in_intro": ("Plak het token dat u van de beheerder kreeg (het begint met mt_). U blijft aangemeld tot u zich afmeldt of het werkdag-einde.",
                      "Paste the token you were given by the administrator (it starts with mt_). You stay signed in until you sign out or the working day ends."),
    "token": ("Token", "Token"),
    "token_hint": ("Het token wordt niet bewaard in de browser; alleen een ondertekende sessie.",
                   "The token is not kept in the browser; only a signed session is."),
    "sign_in_failed": ("Dit token is onbekend of ingetrokken.", "This token is unknown or revoked."),
    "csrf_failed": ("Dit formulier is verlopen of kwam niet van deze site. Laad de pagina opnieuw en probeer het nog eens.",
                    "This form has expired or did not come from this site. Reload the page and try again."),
    "only_coa": ("Alleen COA-planners (rol coa) kunnen deze pagina openen.", "Only COA planners (role coa) can open this page."),
    "only_municipality": ("Alleen de gemeente zelf kan haar woningen wijzigen.", "Only the municipality itself can change its homes."),
    "bad_request": ("Deze pagina kan zo niet worden geopend (controleer: {fields}).", "This page cannot be opened like this (check: {fields})."),
    "error_403": ("Geen toegang", "Not allowed"),
    "error_404": ("Niet gevonden", "Not found"),
    "error_409": ("Niet mogelijk", "Not possible"),
    "error_422": ("Ongeldig verzoek", "Invalid request"),
    "error_500": ("Er ging iets mis", "Something went wrong"),
    "internal_error": ("Er ging aan onze kant iets mis. Probeer het later opnieuw of meld het aan de beheerder.",
                       "Something went wrong on our side. Try again later or tell the administrator."),
    "back_to_start": ("Terug naar de startpagina", "Back to the start page"),
    "pages": ("Pagina's", "Pages"),
    "previous": ("Vorige", "Previous"),
    "next": ("Volgende", "Next"),
    "showing": ("{first}–{last} van {total}", "{first}–{last} of {total}"),
    "show": ("Toon", "Show"),
    "filter": ("Filter", "Filter"),
    "all": ("Alle", "All"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
    "sort_by": ("Sorteer op", "Sort by"),
    "sort_code": ("CBS-code", "CBS code"),
    "sort_name": ("Naam", "Name"),
    "sort_remaining": ("Meeste resterend", "Most remaining"),
    "sort_attained": ("Laagste realisatie", "Lowest attainment"),
    "sort_overdue_desc": ("Langst over de termijn eerst", "Most overdue first"),
    "sort_overdue_asc": ("Kortst over de termijn eerst", "Least overdue first"),
    "sort_line": ("Regelnummer", "Line number"),
    # planner overview
    "planner_overview": ("Overzicht planner", "Planner overview"),
    "who_is_waiting": ("Wie wacht er", "Who is waiting"),
    "overdue_on": ("Termijn berekend op", "Overdue counted on"),
    "households_waiting": ("Huishoudens zonder woning", "Households without a home"),
    "persons_waiting": ("Personen zonder woning", "Persons without a home"),
    "persons_uncoupled": ("Personen nog niet gekoppeld", "Persons not yet coupled"),
    "persons_coupled": ("Gekoppeld, wacht op woning", "Coupled, waiting for a home"),
    "not_coupled": ("Niet gekoppeld", "Not coupled"),
    "persons_overdue": ("Personen over de {norm}-dagentermijn", "Persons past the {norm}-day norm"),
    "longest_overdue": ("Langst over termijn (dagen)", "Longest overdue (days)"),
    "waiting_by_province": ("Wachtenden per provincie van de opvanglocatie, op {on}",
                            "Waiting by province of the reception location, on {on}"),
    "province": ("Provincie", "Province"),
    "households": ("Huishoudens", "Households"),
    "persons": ("Personen", "Persons"),
    "coupled": ("Gekoppeld", "Coupled"),
    "overdue_households": ("Huishoudens over termijn", "Households overdue"),
    "overdue_persons": ("Personen over termijn", "Persons overdue"),
    "nobody_waiting": ("Niemand wacht.", "Nobody is waiting."),
    "quota_state": ("Taakstelling {period}", "Quota {period}"),
    "quota_by_province": ("Taakstelling per provincie", "Quota by province"),
    "target": ("Opgave", "Target"),
    "realised": ("Gerealiseerd", "Realised"),
    "remaining": ("Resterend", "Remaining"),
    "attained": ("Behaald", "Attained"),
    "taakstelling": ("Taakstelling", "Quota (taakstelling)"),
    "redistributed": ("Herverdeeld", "Redistributed"),
    "backlog": ("Achterstand", "Backlog"),
    "map_title": ("Kaart: taakstelling per gemeente", "Map: quota per municipality"),
    "map_desc": ("Elke stip is een gemeente; de grootte is de opgave, de kleur het behaalde deel (gerealiseerd plus gekoppeld). De tabel ernaast en de gemeentetabel geven dezelfde cijfers.",
                 "Each dot is a municipality; its size is the target, its colour the share attained (realised plus coupled). The table beside it and the municipality table give the same figures."),
    "map_caption": ("Stipgrootte: opgave; kleur: behaald deel (gerealiseerd + gekoppeld) van de opgave.",
                    "Dot size: target; colour: share of the target attained (realised + coupled)."),
    "map_credit": ("Gemeentepunten:", "Municipality points:"),
    "band_q0": ("minder dan 25%", "under 25%"),
    "band_q1": ("25–50%", "25–50%"),
    "band_q2": ("50–75%", "50–75%"),
    "band_q3": ("75–100%", "75–100%"),
    "band_q4": ("100% of meer", "100% or more"),
    "band_qn": ("geen opgave", "no target"),
    "recent_proposals": ("Recente voorstellen", "Recent proposals"),
    "start_or_follow": ("Voorstel starten of volgen", "Start or follow a proposal"),
    "quota_per_municipality": ("Taakstelling per gemeente", "Quota per municipality"),
    "all_provinces": ("Alle provincies", "All provinces"),
    "municipalities_shown": ("{n} gemeenten, periode {period}", "{n} municipalities, period {period}"),
    "code": ("Code", "Code"),
    "municipality": ("Gemeente", "Municipality"),
    # proposals
    "proposals": ("Voorstellen", "Proposals"),
    "proposal": ("Voorstel", "Proposal"),
    "start_proposal": ("Nieuw voorstel", "New proposal"),
    "start_proposal_intro": ("De rekenkern maakt een voorstel met de huishoudens, woningen en taakstelling zoals ze nu in de database staan.",
                             "The engine makes a proposal from the households, homes and quota as they are in the database now."),
    "as_of": ("Peildatum", "As of"),
    "solver": ("Rekenmethode", "Solver"),
    "policy": ("Werkwijze", "Policy"),
    "policy_weekly": ("Week (exact, de niveaus van het contract)", "Weekly (exact, the contract's levels)"),
    "policy_lookahead": ("Vooruitkijkend (het halfjaar in beeld)", "Look-ahead (the half-year in view)"),
    "policy_help": ("Vooruitkijkend prijst de taakstelling van elke gemeente met de aanbiedingen en vergunningen van de "
                    "afgelopen 26 weken in de database en koppelt waar een passende woning het eerst te verwachten is; "
                    "de rekenmethode geldt dan niet.",
                    "Look-ahead prices each municipality's quota from the offers and permits of the last 26 weeks in "
                    "the database and couples where a fitting home is expected soonest; the solver is not used then."),
    "lookahead_prices": ("Prijzen van de taakstelling (vooruitkijkend)", "Quota prices (look-ahead)"),
    "lookahead_why": ("Prijs per gemeente (0-1): de gemiddelde schaduwprijs van haar taakstelling in lineaire "
                      "programma's die de vergunningen die de rest van de periode verwacht worden koppelen binnen de "
                      "taakstelling die over is (tempo uit {weeks} week/weken geschiedenis: {homes} aangeboden "
                      "woningen, {permits} vergunningen). Taakstelling die niet voor een tijdige koppeling wordt "
                      "gebruikt, kost reserve_days × prijs per persoon.",
                      "Price per municipality (0-1): the average dual price of its quota in linear programmes "
                      "coupling the permits expected over the rest of the period within the quota left (rates from "
                      "{weeks} week(s) of history: {homes} homes offered, {permits} permits). Quota used for anything "
                      "but an in-time coupling costs reserve_days × price per person."),
    "lookahead_no_history": ("Geen aanbiedingen of vergunningen in de database vóór de peildatum: geen taakstelling "
                             "is geprijsd en geen woning wordt verwacht.",
                             "No offers or permits in the database before the as-of date: no quota is priced and no "
                             "home is expected."),
    "lookahead_unpriced": ("Geen van de {count} gemeenten heeft een prijs: de verwachte vergunningen passen binnen "
                           "de taakstelling die over is.",
                           "None of the {count} municipalities has a price: the permits expected fit within the "
                           "quota left."),
    "quota_price": ("Prijs", "Price"),
    "time_limit": ("Tijdslimiet (s)", "Time limit (s)"),
    "max_km": ("Max. km", "Max. km"),
    "max_minutes": ("Max. reistijd (min)", "Max. travel time (min)"),
    "range_help": ("Regio voor een nieuwe koppeling: leeg laten is 50 km; alleen een reistijd invullen "
                   "is een regio op reistijd (openbaar vervoer, uit de geüploade reistijden; een paar "
                   "zonder reistijd valt erbuiten).",
                   "Region for a new coupling: blank is 50 km; filling in only a travel time makes a "
                   "travel-time region (public transport, from the uploaded travel times; a pair "
                   "without one is outside it)."),
    "start": ("Start", "Start"),
    "all_proposals": ("Alle voorstellen ({total})", "All proposals ({total})"),
    "no_proposals": ("Nog geen voorstellen.", "No proposals yet."),
    "status": ("Status", "Status"),
    "status_queued": ("in de wachtrij", "queued"),
    "status_running": ("bezig", "running"),
    "status_done": ("klaar", "done"),
    "status_failed": ("mislukt", "failed"),
    "lines": ("Regels", "Lines"),
    "line": ("Regel", "Line"),
    "pending": ("Open", "Pending"),
    "accepted": ("Akkoord", "Accepted"),
    "refused": ("Afgewezen", "Refused"),
    "wait": ("Wachten", "Wait"),
    "created": ("Aangemaakt", "Created"),
    "job_running": ("De rekenkern werkt aan dit voorstel; de pagina ververst vanzelf.",
                    "The engine is working on this proposal; the page refreshes by itself."),
    "job_failed": ("Dit voorstel is mislukt", "This proposal failed"),
    "export_csv": ("Exporteer CSV", "Export CSV"),
    "export_csv_nl": ("Exporteer CSV voor Excel (puntkomma)", "Export CSV for Dutch Excel (semicolon)"),
    "export_xlsx": ("Exporteer Excel", "Export Excel"),
    "filter_lines": ("Regels filteren", "Filter lines"),
    "action": ("Actie", "Action"),
    "action_house": ("huisvesten", "house"),
    "action_couple": ("koppelen", "couple"),
    "action_wait": ("wachten", "wait"),
    "decision": ("Besluit", "Decision"),
    "decision_pending": ("open", "pending"),
    "decision_accepted": ("akkoord", "accepted"),
    "decision_refused": ("afgewezen", "refused"),
    "decision_none": ("niets te besluiten", "nothing to decide"),
    "reason": ("Reden", "Reason"),
    "reason_housed": ("gehuisvest", "housed"),
    "reason_coupled": ("gekoppeld", "coupled"),
    "reason_locked": ("vastgezet", "locked"),
    "reason_no_fitting_dwelling": ("geen passende woning", "no fitting home"),
    "reason_no_municipality_in_range": ("geen gemeente binnen bereik", "no municipality in range"),
    "reason_no_travel_time": ("geen reistijd bekend", "no travel time known"),
    "reason_quota_used_up": ("taakstelling vol", "quota used up"),
    "reason_outcompeted": ("anderen wachten langer", "others wait longer"),
    "reason_document_missing": ("verblijfsdocument ontbreekt", "residence document missing"),
    "reason_banned": ("eerder afgewezen", "refused before"),
    "reason_not_chosen": ("niet gekozen", "not chosen"),
    "accept_all_pending_shown": ("Alle open regels hieronder akkoord", "Accept all pending lines shown"),
    "confirm_accept_all": ("Alle open regels die het filter toont akkoord geven?", "Accept every pending line the filter shows?"),
    "lines_shown": ("{n} van {total} regels", "{n} of {total} lines"),
    "household": ("Huishouden", "Household"),
    "home": ("Woning", "Home"),
    "km": ("km", "km"),
    "overdue_days": ("Dagen over termijn", "Days overdue"),
    "reason_for_line": ("Reden of notitie bij regel {line}", "Reason or note for line {line}"),
    "reason_placeholder": ("reden (nodig bij afwijzen)", "reason (needed to refuse)"),
    "accept": ("Akkoord", "Accept"),
    "refuse": ("Afwijzen", "Refuse"),
    "accept_line": ("Regel {line} akkoord", "Accept line {line}"),
    "refuse_line": ("Regel {line} afwijzen", "Refuse line {line}"),
    "no_lines": ("Geen regels met dit filter.", "No lines match this filter."),
    "line_error": ("Regel {line}: {message}", "Line {line}: {message}"),
    "done_decided": ("Besluit vastgelegd.", "Decision recorded."),
    "done_accepted_all": ("Alle open regels zijn akkoord gegeven.", "All pending lines were accepted."),
    # locks
    "lock": ("Vastzetten", "Lock"),
    "lock_line": ("Regel {line} vastzetten", "Lock line {line}"),
    "locked": ("Vastgezet", "Locked"),
    "locked_title": ("Vastgezet: elk nieuw voorstel plaatst dit huishouden hier.",
                     "Locked: every new proposal places this household here."),
    "done_locked": ("Regel vastgezet: elk nieuw voorstel plaatst het huishouden hier.",
                    "Line locked: every new proposal places the household here."),
    "done_unlocked": ("Vastzetting opgeheven.", "Lock removed."),
    "locks_heading": ("Vastgezette regels ({total})", "Locked lines ({total})"),
    "locks_intro": ("Een vastgezet huishouden krijgt in elk nieuw voorstel deze plek, tot een regel ervan akkoord krijgt, de plek wordt afgewezen of de vastzetting wordt opgeheven.",
                    "A locked household gets this place in every new proposal, until a line of it is accepted, the place is refused or the lock is removed."),
    "no_locks": ("Geen vastgezette regels.", "No locked lines."),
    "from_proposal": ("Uit voorstel", "From proposal"),
    "note": ("Notitie", "Note"),
    "remove_lock": ("Opheffen", "Remove"),
    "remove_lock_of": ("Vastzetting van {household} opheffen", "Remove the lock of {household}"),
    "locks_skipped": ("Deze vastzettingen zijn niet meegenomen:", "These locks were left out:"),
    "lock_skipped": ("vastzetting {id} ({household}): {reason}", "lock {id} ({household}): {reason}"),
    # audit
    "audit_log": ("Logboek", "Audit log"),
    "audit_action": ("Handeling", "Action"),
    "events": ("{total} gebeurtenissen, nieuwste eerst", "{total} events, newest first"),
    "when": ("Wanneer", "When"),
    "who": ("Wie", "Who"),
    "object": ("Object", "Object"),
    "detail": ("Details", "Details"),
    "no_events": ("Geen gebeurtenissen.", "No events."),
    # municipality
    "quota_progress": ("Voortgang taakstelling {period}", "Quota progress {period}"),
    "quota_bar": ("{done} van {target} personen gerealiseerd of gekoppeld", "{done} of {target} persons realised or coupled"),
    "amv_part": ("Waarvan alleenstaande minderjarigen (AMV): taakstelling {taakstelling}, resterend {remaining}.",
                 "Of which unaccompanied minors (AMV): quota {taakstelling}, remaining {remaining}."),
    "manage_homes": ("Woningen beheren", "Manage homes"),
    "see_households": ("Huishoudens bekijken", "See households"),
    "home_status_open": ("aangeboden", "open"),
    "home_status_allocated": ("toegewezen", "allocated"),
    "home_status_withdrawn": ("ingetrokken", "withdrawn"),
    "household_state_waiting": ("voorgesteld, wacht", "proposed, waiting"),
    "household_state_coupled": ("gekoppeld", "coupled"),
    "move_in": ("Verhuizing", "Move-in"),
    "move_in_pending": ("Woning {home} geaccepteerd op {date}; bevestig de verhuizing of meld dat die niet doorging.",
                        "Home {home} accepted on {date}; confirm the move-in or report that it fell through."),
    "move_in_date_for": ("Datum van verhuizing van {household}", "Move-in date of {household}"),
    "confirm_move_in": ("Verhuizing bevestigen", "Confirm move-in"),
    "confirm_move_in_of": ("Verhuizing van {household} bevestigen", "Confirm the move-in of {household}"),
    "fell_through_reason_for": ("Reden waarom {household} de woning weigerde", "Why {household} refused the home"),
    "fell_through_placeholder": ("reden van weigering", "reason of refusal"),
    "report_fell_through": ("Ging niet door", "Fell through"),
    "report_fell_through_of": ("Verhuizing van {household} ging niet door", "The move-in of {household} fell through"),
    "done_move_in_confirmed": ("Verhuizing bevestigd: de huisvesting telt mee als gerealiseerd.",
                               "Move-in confirmed: the housing counts as realised."),
    "done_move_in_fell_through": ("Verhuizing ging niet door: het huishouden is weer gekoppeld, de woning is vrij en wordt "
                                  "het niet opnieuw aangeboden.",
                                  "Move-in fell through: the household is coupled again, the home is free and will not be "
                                  "offered to it again."),
    "move_in_not_recorded": ("Niet vastgelegd:", "Not recorded:"),
    "household_state_moving_in": ("verhuist (nog niet bevestigd)", "moving in (not yet confirmed)"),
    "household_state_housed": ("gehuisvest", "housed"),
    "household_state_temporary": ("in een tijdelijke woning", "in a temporary home"),
    "temporary_left": ("tijdelijke woning {home} sinds {since}; doorverhuizen vóór {until} (nog {days} dagen)",
                       "temporary home {home} since {since}; to move on before {until} ({days} days left)"),
    "temporary_over": ("tijdelijke woning {home} sinds {since}; het jaar liep af op {until} ({days} dagen geleden)",
                       "temporary home {home} since {since}; its year ended on {until} ({days} days ago)"),
    "homes_of": ("Woningen van {name}", "Homes of {name}"),
    "upload_csv": ("Bestand uploaden (Excel of CSV)", "Upload a file (Excel or CSV)"),
    "upload_intro": ("Eén regel per woning, met kolomkoppen. Een bestaande referentie wordt bijgewerkt; status withdrawn trekt haar in. Bevat het bestand een fout, dan wordt niets opgeslagen.",
                     "One row per home, with a header row. An existing reference is updated; status withdrawn withdraws it. If the file has an error, nothing is saved."),
    "upload_formats": ("Geschikt: een Excel-werkmap (.xlsx, het eerste werkblad; geen macro's, formules worden niet uitgerekend: vul de waarde in), "
                       "CSV met puntkomma's zoals Nederlandse Excel die opslaat (decimale komma, datums als 3-7-2023, WAAR/ONWAAR) "
                       "of CSV met komma's in UTF-8 (datums als 2023-07-03). Het formaat wordt herkend aan de inhoud. "
                       "Ten hoogste {rows} rijen, {columns} kolommen en {cell} tekens per cel.",
                       "Accepted: an Excel workbook (.xlsx, its first sheet; no macros, formulas are not evaluated: enter the value), "
                       "CSV with semicolons as Dutch Excel saves it (decimal comma, dates as 3-7-2023, WAAR/ONWAAR) "
                       "or comma-separated UTF-8 CSV (dates as 2023-07-03). The format is recognised by the content. "
                       "At most {rows} rows, {columns} columns and {cell} characters a cell."),
    "upload_failed": ("Niets opgeslagen: {n} fout(en). Verbeter het bestand en upload het opnieuw.",
                      "Nothing was saved: {n} problem(s). Fix the file and upload it again."),
    "row": ("Rij", "Row"),
    "column": ("Kolom", "Column"),
    "problem": ("Probleem", "Problem"),
    "csv_file": ("Bestand (.xlsx of .csv)", "File (.xlsx or .csv)"),
    "upload": ("Uploaden", "Upload"),
    "add_home": ("Woning toevoegen", "Add a home"),
    "add": ("Toevoegen", "Add"),
    "save": ("Opslaan", "Save"),
    "reference": ("Eigen referentie", "Your reference"),
    "kind": ("Soort", "Kind"),
    "kind_regular": ("zelfstandig", "regular"),
    "kind_shared": ("gedeeld (kamers)", "shared (rooms)"),
    "kind_amv": ("AMV-plek", "AMV place"),
    "kind_temporary": ("tijdelijk", "temporary"),
    "capacity": ("Capaciteit (personen)", "Capacity (persons)"),
    "min_occupancy": ("Minimale bezetting", "Minimum occupancy"),
    "accessible": ("Toegankelijk", "Accessible"),
    "available_from": ("Beschikbaar vanaf", "Available from"),
    "occupied": ("Bewoond", "Occupied"),
    "actions": ("Acties", "Actions"),
    "change": ("Wijzigen", "Change"),
    "withdraw": ("Intrekken", "Withdraw"),
    "confirm_withdraw": ("Woning {reference} intrekken?", "Withdraw home {reference}?"),
    "homes_total": ("{total} woningen", "{total} homes"),
    "no_homes": ("Nog geen woningen aangeboden.", "No homes offered yet."),
    "done_uploaded": ("Upload verwerkt: {created} nieuw, {updated} gewijzigd, {withdrawn} ingetrokken, {unchanged} ongewijzigd.",
                      "Upload saved: {created} new, {updated} changed, {withdrawn} withdrawn, {unchanged} unchanged."),
    "done_home_added": ("Woning toegevoegd.", "Home added."),
    "done_home_changed": ("Woning gewijzigd.", "Home changed."),
    "done_home_withdrawn": ("Woning ingetrokken.", "Home withdrawn."),
    "done_home_unchanged": ("Niets gewijzigd.", "Nothing changed."),
    "households_of": ("Huishoudens voor {name}", "Households for {name}"),
    "households_intro": ("Huishoudens die aan de gemeente gekoppeld of er gehuisvest zijn, en die een voorstel er plaatst (niet afgewezen).",
                         "Households coupled or housed to the municipality, and those a proposal places there (not refused)."),
    "state": ("Stand", "State"),
    "households_total": ("{total} huishoudens", "{total} households"),
    "composition": ("Samenstelling", "Composition"),
    "adults_children": ("{adults} volw., {children} kind.", "{adults} adults, {children} children"),
    "needs": ("Bijzonderheden", "Needs"),
    "amv": ("AMV", "AMV"),
    "needs_accessible": ("toegankelijk nodig", "needs accessible"),
    "expected_extra": ("{n} nareizigers verwacht", "{n} family members expected"),
    "permit_date": ("Vergunning", "Permit"),
    "coupling_date": ("Gekoppeld op", "Coupled on"),
    "proposed": ("Voorgesteld", "Proposed"),
    "no_households": ("Geen huishoudens.", "No households."),
    # re-couplings (issue 14 item 3): api/services/recouplings.py
    "recoupling": ("Omkoppeling", "Re-coupling"),
    "ask_recoupling": ("Omkoppeling aanvragen", "Ask to re-couple"),
    "ask_recoupling_of": ("Omkoppeling van {household} aanvragen", "Ask to re-couple {household}"),
    "recoupling_reason_for": ("Waarom {household} omkoppelen", "Why re-couple {household}"),
    "recoupling_reason_placeholder": ("reden, bijv. WMO-woning elders", "reason, e.g. WMO home elsewhere"),
    "recoupling_to_for": ("Gewenste gemeente (CBS-code) voor {household}", "Municipality asked for (CBS code) for {household}"),
    "recoupling_to_placeholder": ("GM-code (optioneel)", "GM code (optional)"),
    "recoupling_status_pending": ("aangevraagd, wacht op COA", "asked, awaiting COA"),
    "recoupling_status_approved": ("goedgekeurd door COA: het volgende voorstel mag omkoppelen",
                                   "approved by COA: the next proposal may re-couple"),
    "recoupling_status_declined": ("afgewezen door COA", "declined by COA"),
    "recoupling_status_done": ("omgekoppeld", "re-coupled"),
    "recoupling_not_recorded": ("Omkoppeling niet aangevraagd:", "Re-coupling not asked:"),
    "done_recoupling_requested": ("Omkoppeling aangevraagd: COA beslist erover.", "Re-coupling asked: COA decides on it."),
    "nav_recouplings": ("Omkoppelingen", "Re-couplings"),
    "recouplings": ("Omkoppelingsverzoeken", "Re-coupling requests"),
    "recouplings_intro": ("Gemeenten en COA vragen een omkoppeling aan, bijvoorbeeld voor een WMO-woning die alleen een andere gemeente heeft, of een ruil van vergunninghouders. Na goedkeuring mag het volgende voorstel het huishouden in een andere gemeente huisvesten; dat telt als verhuizing.",
                          "Municipalities and COA ask for a re-coupling, for example for a WMO home only another municipality has, or an exchange of status holders. Once approved, the next proposal may house the household in another municipality; that counts as a move."),
    "recouplings_total": ("{total} verzoeken", "{total} requests"),
    "no_recouplings": ("Geen omkoppelingsverzoeken.", "No re-coupling requests."),
    "from_municipality": ("Van", "From"),
    "to_municipality": ("Gevraagd naar", "Asked for"),
    "exchange_with": ("Ruil met", "Exchange with"),
    "requested_by": ("Aangevraagd door", "Asked by"),
    "requested_role_coa": ("COA", "COA"),
    "requested_role_municipality": ("gemeente", "municipality"),
    "approve": ("Goedkeuren", "Approve"),
    "decline": ("Afwijzen", "Decline"),
    "approve_recoupling": ("Omkoppeling {id} goedkeuren", "Approve re-coupling {id}"),
    "decline_recoupling": ("Omkoppeling {id} afwijzen", "Decline re-coupling {id}"),
    "recoupling_decision_for": ("Reden bij omkoppeling {id}", "Reason for re-coupling {id}"),
    "recoupling_decision_placeholder": ("reden (verplicht bij afwijzen)", "reason (required to decline)"),
    "recoupling_error": ("Omkoppeling {id}: {message}", "Re-coupling {id}: {message}"),
    "done_recoupling_approved": ("Omkoppeling goedgekeurd: het volgende voorstel mag het huishouden omkoppelen.",
                                 "Re-coupling approved: the next proposal may re-couple the household."),
    "done_recoupling_declined": ("Omkoppeling afgewezen.", "Re-coupling declined."),
    # deadlines (issue 14 item 5): api/services/deadlines.py
    "coupling_deadline": ("Koppeltermijn COA", "COA's coupling deadline"),
    "housing_deadline": ("Huisvestingstermijn gemeente", "Municipality's housing deadline"),
    "next_deadline": ("Eerstvolgende termijn", "Next deadline"),
    "deadlines_intro": ("COA koppelt binnen {coupling} dagen na de vergunning; de gemeente huisvest binnen {norm} dagen na de koppeling.",
                        "COA couples within {coupling} days of the permit; the municipality houses within {norm} days of the coupling."),
    "deadline_left": ("nog {days} dagen", "{days} days left"),
    "deadline_left_one": ("nog 1 dag", "1 day left"),
    "deadline_today": ("vandaag", "today"),
    "deadline_overdue": ("{days} dagen over tijd", "{days} days overdue"),
    "deadline_overdue_one": ("1 dag over tijd", "1 day overdue"),
    "deadline_met": ("gehaald", "met"),
    "deadline_late": ("{days} dagen te laat gehaald", "met {days} days late"),
    "deadline_late_one": ("1 dag te laat gehaald", "met 1 day late"),
    "deadline_kind_coupling": ("koppeling", "coupling"),
    "deadline_kind_housing": ("huisvesting", "housing"),
    "sort_household": ("Huishouden", "Household"),
    "sort_urgency": ("Urgentie: minste dagen over eerst", "Urgency: fewest days left first"),
    "past_coupling_deadline": ("Huishoudens over de koppeltermijn ({days} dagen)", "Households past the coupling deadline ({days} days)"),
    "nav_planner_households": ("Huishoudens", "Households"),
    "planner_households": ("Huishoudens en hun termijnen", "Households and their deadlines"),
    "planner_households_intro": ("Alle huishoudens met de koppeltermijn van COA en de huisvestingstermijn van de gemeente, op {date}.",
                                 "Every household with COA's coupling deadline and the municipality's housing deadline, on {date}."),
    # monitoring (issue 16): pages, charts and the column labels of its tables and exports
    "nav_monitoring": ("Monitoring", "Monitoring"),
    "monitoring": ("Monitoring", "Monitoring"),
    "mon_intro": ("Cijfers uit de database van de dienst: doorlooptijden, realisatie van de taakstelling, regionale plaatsing en voorspeld tegen gerealiseerd.",
                  "Figures from the service's database: lead times, realisation of the taakstelling, regional placement and predicted against realised."),
    "mon_as_of": ("Peildatum {date}", "As of {date}"),
    "mon_lead_times": ("Doorlooptijd per maand van verhuizing", "Lead time by month of move-in"),
    "mon_lead_province": ("Doorlooptijd per provincie", "Lead time by province"),
    "mon_lead_municipality": ("Doorlooptijd per gemeente", "Lead time by municipality"),
    "mon_lead_chart": ("Gemiddelde doorlooptijd in dagen: koppeling tot verhuizing (norm {coupling} dagen) en vergunning tot verhuizing (norm {permit} dagen)",
                       "Mean lead time in days: coupling to move-in (norm {coupling} days) and permit to move-in (norm {permit} days)"),
    "mon_realisation": ("Realisatie van de taakstelling {period} (Tabel 1)", "Realisation of the taakstelling {period} (Table 1)"),
    "mon_realisation_chart": ("Realisatie per provincie: gehuisvest tegen taakstelling (incl. voor- en achterstanden)",
                              "Realisation by province: housed against the target (backlog and advance included)"),
    "mon_map": ("Kaart: realisatie per gemeente", "Map: realisation by municipality"),
    "mon_regional": ("Regionale plaatsing: koppelingen binnen {km} km", "Regional placement: couplings within {km} km"),
    "mon_regional_location": ("Regionale plaatsing per opvanglocatie", "Regional placement by reception location"),
    "mon_predicted": ("Voorspeld tegen gerealiseerd per week", "Predicted against realised by week"),
    "mon_download": ("Downloaden", "Download"),
    "mon_empty": ("Nog geen gegevens.", "No figures yet."),
    "level_province": ("Provincie", "Province"),
    "level_safety_region": ("Veiligheidsregio", "Safety region"),
    "level_municipality": ("Gemeente", "Municipality"),
    "level_total": ("Totaal", "Total"),
    "mon_carried": ("uitgevoerd door {code}", "carried out by {code}"),
    "col_month": ("Maand", "Month"),
    "col_province": ("Provincie", "Province"),
    "col_municipality": ("Gemeente", "Municipality"),
    "col_code": ("CBS-code", "CBS code"),
    "col_name": ("Naam", "Name"),
    "col_households": ("Huishoudens", "Households"),
    "col_persons": ("Personen", "Persons"),
    "col_coupling_mean": ("Koppeling-verhuizing gem.", "Coupling to move-in mean"),
    "col_coupling_median": ("Koppeling-verhuizing mediaan", "Coupling to move-in median"),
    "col_coupling_p90": ("Koppeling-verhuizing p90", "Coupling to move-in p90"),
    "col_coupling_count": ("Koppeling-verhuizing aantal", "Coupling to move-in count"),
    "col_coupling_over_norm": ("Boven norm koppeling", "Over coupling norm"),
    "col_permit_mean": ("Vergunning-verhuizing gem.", "Permit to move-in mean"),
    "col_permit_median": ("Vergunning-verhuizing mediaan", "Permit to move-in median"),
    "col_permit_p90": ("Vergunning-verhuizing p90", "Permit to move-in p90"),
    "col_permit_count": ("Vergunning-verhuizing aantal", "Permit to move-in count"),
    "col_permit_over_norm": ("Boven norm vergunning", "Over permit norm"),
    "col_level": ("Niveau", "Level"),
    "col_safety_region": ("Veiligheidsregio", "Safety region"),
    "col_executed_by": ("Uitgevoerd door", "Carried out by"),
    "col_taakstelling": ("Taakstelling", "Taakstelling"),
    "col_redistributed": ("Herverdeeld", "Redistributed"),
    "col_backlog": ("Achterstand (+) / voorsprong (-)", "Backlog (+) / advance (-)"),
    "col_target": ("Taakstelling incl. voor- en achterstanden", "Target incl. backlog and advance"),
    "col_realised": ("Realisatie", "Realised"),
    "col_difference": ("Verschil", "Difference"),
    # signals (api/web/signals.py)
    "signals": ("Signalen", "Signals"),
    "signals_intro": ("Signalen uit de database, nieuwste eerst: grote woningen met de huishoudens die erin passen, "
                      "provincies en COA-regio's die minder koppelingen krijgen dan hun aandeel in de taakstelling, en "
                      "woningen die leeg staan bij gebrek aan taakstelling, met een voorgestelde herverdeling.",
                      "Signals from the database, newest first: large homes with the households that fit them, "
                      "provinces and COA regions receiving fewer couplings than their share of the taakstelling, and "
                      "homes idle for lack of quota, with a suggested redistribution."),
    "signals_on": ("Peildatum", "As of"),
    "signals_caption": ("Signalen op {date}", "Signals on {date}"),
    "no_signals": ("Geen signalen.", "No signals."),
    "all_signals": ("Alle signalen", "All signals"),
    "sig_raised": ("Gemeld", "Raised"),
    "sig_kind": ("Soort signaal", "Kind of signal"),
    "sig_what": ("Wat", "What"),
    "sig_newest": ("Nieuwste", "Newest"),
    "sig_older": ("Oudere signalen", "Older signals"),
    "sigkind_large_home": ("Grote woning", "Large home"),
    "sigkind_province_shortfall": ("Provincie krijgt te weinig koppelingen", "Province receives too few couplings"),
    "sigkind_region_shortfall": ("Regio krijgt te weinig koppelingen", "Region receives too few couplings"),
    "sigkind_idle_homes": ("Woningen leeg bij gebrek aan taakstelling", "Homes idle for lack of quota"),
    "sig_large_home": ("Grote woning {reference} in {name}: {capacity} plaatsen, past bij {fits} wachtende huishoudens",
                       "Large home {reference} in {name}: {capacity} places, fits {fits} waiting households"),
    "sig_province_shortfall": ("{area} kreeg {couplings} gekoppelde personen in {weeks} weken; naar aandeel in de taakstelling {expected}",
                               "{area} received {couplings} coupled persons in {weeks} weeks; its share of the taakstelling is {expected}"),
    "sig_region_shortfall": ("Regio {area} ({provinces}) kreeg {couplings} gekoppelde personen in {weeks} weken; naar aandeel {expected}",
                             "Region {area} ({provinces}) received {couplings} coupled persons in {weeks} weeks; its share is {expected}"),
    "sig_idle_homes": ("{homes} woning(en) in {name} staan leeg bij gebrek aan taakstelling; {short} personen tekort",
                       "{homes} home(s) in {name} idle for lack of quota; {short} persons short"),
    "sig_window": ("Periode", "Window"),
    "sig_couplings": ("Gekoppelde personen", "Coupled persons"),
    "sig_expected": ("Naar aandeel verwacht", "Expected by share"),
    "sig_share": ("Aandeel in de taakstelling", "Share of the taakstelling"),
    "sig_target": ("Taakstelling incl. voor- en achterstanden / landelijk", "Target / national"),
    "sig_national_couplings": ("Landelijk gekoppeld", "Coupled nationally"),
    "sig_shortfall_rule": ("Gemeld als de gekoppelde personen minder zijn dan {ratio} maal het verwachte aantal.",
                           "Raised when the coupled persons are fewer than {ratio} times the expected number."),
    "sig_homes": ("Woningen", "Homes"),
    "sig_room_left": ("Plaatsen vrij", "Places left"),
    "sig_fits": ("Huishoudens die passen: {fits} ({within} binnen de taakstelling)",
                 "Households that fit: {fits} ({within} within the quota)"),
    "sig_idle_households": ("Het huishouden dat elke woning zou krijgen", "The household each home would take"),
    "sig_coupled_to": ("Gekoppeld aan", "Coupled to"),
    "sig_quota_allows": ("Taakstelling laat toe", "Quota allows"),
    "sig_no_households": ("Geen wachtende huishoudens passen.", "No waiting household fits."),
    "sig_suggestion": ("Voorgestelde herverdeling", "Suggested redistribution"),
    "sig_suggestion_text": ("{to} neemt {persons} personen (waarvan {amv} AMV) van de taakstelling van {giver} over ({km} km); het totaal blijft gelijk.",
                            "{to} takes over {persons} persons ({amv} AMV) of the taakstelling of {giver} ({km} km); the total stays the same."),
    "sig_record": ("Herverdeling vastleggen", "Record the redistribution"),
    "sig_no_giver": ("Geen gemeente in de buurt heeft taakstelling over.", "No municipality nearby has quota to spare."),
    "done_redistributed": ("Herverdeling vastgelegd.", "Redistribution recorded."),
    "size": ("Grootte", "Size"),
    "location": ("Opvanglocatie", "Reception location"),
    "col_coupled": ("Gekoppeld, nog niet gehuisvest", "Coupled, not yet housed"),
    "col_amv_taakstelling": ("Taakstelling AMV", "AMV taakstelling"),
    "col_amv_redistributed": ("Herverdeeld AMV", "AMV redistributed"),
    "col_amv_backlog": ("Achterstand AMV", "AMV backlog"),
    "col_amv_target": ("Taakstelling AMV incl. voor- en achterstanden", "AMV target"),
    "col_amv_realised": ("Realisatie AMV", "AMV realised"),
    "col_amv_difference": ("Verschil AMV", "AMV difference"),
    "col_amv_coupled": ("Gekoppeld AMV", "AMV coupled"),
    "col_location_id": ("Opvanglocatie", "Reception location"),
    "col_location": ("Naam locatie", "Location name"),
    "col_couplings": ("Koppelingen", "Couplings"),
    "col_regional": ("Regionaal", "Regional"),
    "col_share": ("Aandeel regionaal", "Regional share"),
    "col_regional_persons": ("Personen regionaal", "Regional persons"),
    "col_mean_km": ("Gem. km", "Mean km"),
    "col_week": ("Week (maandag)", "Week (Monday)"),
    "col_coupled_accepted": ("Koppelingen aanvaard (pers.)", "Couplings accepted (persons)"),
    "col_housed_accepted": ("Huisvestingen aanvaard (pers.)", "Housings accepted (persons)"),
    "col_housed_of_accepted": ("Daarvan verhuisd", "Of those moved in"),
    "col_moved_in": ("Verhuisd (pers.)", "Moved in (persons)"),
}


MONTHS: dict[str, tuple[str, ...]] = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
"""The month names of :func:`long_date` (babel is not a dependency; two languages need no more)."""


def long_date(lang: str, value: dt.date | None) -> str:
    """A date as people read it: ``3 juli 2023`` (Dutch, also for an unknown language) or
    ``3 July 2023``; with a time (a datetime) ``3 juli 2023 14:05``; nothing for None.  Machines
    (the API, CSV, form fields) get ISO instead."""
    if value is None:
        return ""
    months = MONTHS.get(lang, MONTHS[DEFAULT])
    text = f"{value.day} {months[value.month - 1]} {value.year}"
    return f"{text} {value:%H:%M}" if isinstance(value, dt.datetime) else text


def deadline_text(lang: str, deadline: Any) -> str:
    """Days left or overdue of a deadline (:class:`api.services.deadlines.Deadline`) in words:
    ``nog 3 dagen``, ``vandaag``, ``2 dagen over tijd``, ``gehaald``, ``4 dagen te laat gehaald``."""
    days = deadline.days_left
    if deadline.status == "met":
        return translate(lang, "deadline_met")
    if deadline.status == "late":
        return translate(lang, "deadline_late_one") if days == -1 else translate(lang, "deadline_late", days=-days)
    if deadline.status == "overdue":
        return translate(lang, "deadline_overdue_one") if days == -1 else translate(lang, "deadline_overdue", days=-days)
    if days == 0:
        return translate(lang, "deadline_today")
    return translate(lang, "deadline_left_one") if days == 1 else translate(lang, "deadline_left", days=days)


def temporary_text(lang: str, household: Any, today: dt.date | None = None) -> str:
    """For a household in a temporary home (or moving on from one): which, since when, and the
    year it may stay there [003:74] with the days left or past it; else empty."""
    from api.services.deadlines import temporary_until

    until = temporary_until(household)
    if until is None:
        return ""
    days = (until - (today or dt.date.today())).days
    values = {"home": household.temporary_home, "since": long_date(lang, household.housed_date),
              "until": long_date(lang, until)}
    if days >= 0:
        return translate(lang, "temporary_left", days=days, **values)
    return translate(lang, "temporary_over", days=-days, **values)


def translate(lang: str, key: str, **values: Any) -> str:
    """The words for ``key`` in ``lang`` (Dutch if unknown), filled with ``values``; an unknown
    key is shown as itself."""
    words = WORDS.get(key)
    if words is None:
        return key
    text = words[LANGUAGES.index(lang) if lang in LANGUAGES else 0]
    return text.format(**values) if values else text


def decimal(lang: str, value: float | int | None) -> str:
    """A number as people read it: a decimal comma in Dutch (``5,8``), a point in English."""
    if value is None:
        return "–"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text.replace(".", ",") if lang != "en" else text
