"""Why every household got its action, as data (docs/contract.md §6): a reason kind and the values
behind it (a clause of :mod:`matcher.reasons`), rendered into one sentence in Dutch or English.

A waiting household's reason names the binding cause, checked in this order: residence
document missing, no municipality in range, banned, quota used up in range, no dwelling that
fits (size, accessibility, kind, availability), outcompeted by more overdue households.  A
``house`` or ``couple`` line also says why this municipality (its own; a tie; the nearest with
quota; what the nearer ones lacked; the look-ahead's quota price) and why this home rather than a
larger one that is left free.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace

from matcher.models import Action, Assignment, Dwelling, DwellingKind, Household, Proposal, ReasonKind
from matcher.reasons import DEFAULT_LANG, Clause, Lang, render
from matcher.rules import Rules, dwelling_fits


class _After:
    """The state the proposal leaves: quota used and dwellings taken."""

    def __init__(self, rules: Rules, assignments: dict[str, Assignment]):
        self.rules = rules
        self.used: dict[str, int] = defaultdict(int)
        self.amv_used: dict[str, int] = defaultdict(int)
        self.occupants: dict[str, list[Household]] = defaultdict(list)
        for h in rules.instance.households:
            a = assignments[h.household_id]
            if a.action is Action.WAIT:
                continue
            if a.municipality != h.coupled_to:
                self.used[a.municipality] += h.size
                if h.amv:
                    self.amv_used[a.municipality] += h.size
            if a.dwelling_id is not None:
                self.occupants[a.dwelling_id].append(h)

    def quota_left(self, code: str) -> int:
        return self.rules.quota[code] - self.used[code]

    def amv_left(self, code: str) -> int:
        return self.rules.amv_quota[code] - self.amv_used[code]

    def room_left(self, d: Dwelling) -> int:
        taken = sum(h.size for h in self.occupants[d.dwelling_id])
        if d.kind is DwellingKind.REGULAR and self.occupants[d.dwelling_id]:
            return 0
        return d.capacity - taken


def explain_proposal(rules: Rules, proposal: Proposal, lang: Lang = DEFAULT_LANG,
                     prices: Mapping[str, float] | None = None) -> Proposal:
    """The same proposal with a reason (in ``lang``), reason kind and reason values on every
    assignment.  ``prices`` are the look-ahead's quota prices per municipality, if any."""
    assignments = proposal.by_household()
    after = _After(rules, assignments)
    locked = {lock.household_id for lock in rules.instance.locks}
    explained = []
    for h in rules.instance.households:
        a = assignments[h.household_id]
        kind, clause = _reason(rules, after, h, a, prices or {})
        grown = rules.grown_past(h)
        if grown is not None:
            before = rules.previous[h.household_id].persons
            clause["notes"] = [*clause.get("notes", []), {"key": "note.grown_past_home", "dwelling_id": grown.dwelling_id,
                                                          "before": before, "size": h.size, "capacity": grown.capacity}]
        if h.household_id in locked and a.action is not Action.WAIT:
            kind = ReasonKind.LOCKED
            clause["notes"] = [*clause.get("notes", []), {"key": "note.locked"}]
        values = {"kind": kind.value, **clause}
        explained.append(replace(a, reason=render(values, lang), reason_kind=kind, reason_values=values))
    return replace(proposal, assignments=tuple(explained))


def _town(rules: Rules, code: str) -> Clause:
    return {"municipality": code, "municipality_name": rules.instance.municipality_by_code[code].name}


def _late(rules: Rules, h: Household) -> Clause:
    if h.housed_since is not None:
        return _year(rules, h)
    overdue = rules.overdue(h)
    if not overdue:
        return {"key": "late.not_yet"}
    return {"key": "late.overdue", "overdue_days": overdue, "norm_days": rules.params.norm_days}


def _year(rules: Rules, h: Household) -> Clause:
    """The year a household may stay in its temporary home: days left at the end of the horizon, or past it."""
    left = rules.temporary_days_left(h)
    return {"key": "year.left", "days_left": left} if left >= 0 else {"key": "year.over", "days_over": -left}


def _temporary(h: Household) -> Clause:
    assert h.housed_since is not None
    return {"temporary_home": h.temporary_home, "since": h.housed_since.isoformat()}


def _limit(rules: Rules) -> Clause:
    """Rule 5's limits: km, minutes or both (a minutes-only region has no km)."""
    if rules.params.max_minutes is None:
        return {"key": "limit.km", "max_km": rules.params.max_km}
    if rules.params.max_km is None:
        return {"key": "limit.minutes", "max_minutes": rules.params.max_minutes}
    return {"key": "limit.km_minutes", "max_km": rules.params.max_km, "max_minutes": rules.params.max_minutes}


NAMED_MISSING = 5
"""A reason names at most this many missing travel times (the nearest); summary.json counts them all."""


def _missing_times(rules: Rules, h: Household) -> Clause | None:
    """The note naming the travel times rule 5 needs for ``h`` and lacks, nearest first and at most
    :data:`NAMED_MISSING` of them (None when none is missing)."""
    codes = sorted((m.code for m in rules.instance.municipalities if rules.travel_time_missing(h.location_id, m.code)),
                   key=lambda code: rules.household_km(h, code))
    if not codes:
        return None
    location = next((loc.name for loc in rules.instance.locations if loc.location_id == h.location_id), h.location_id)
    towns = [_town(rules, code) for code in codes[:NAMED_MISSING]]
    named = ", ".join(f"{t['municipality_name']} ({t['municipality']})" for t in towns)
    more = len(codes) - len(towns)
    return {"key": "note.no_travel_time_more" if more else "note.no_travel_time", "location_id": h.location_id,
            "location_name": location, "municipalities": codes[:NAMED_MISSING], "names": named, "more": more}


def _place(rules: Rules, h: Household, code: str) -> Clause:
    if h.coupled_to == code:
        return {"key": "place.own", **_town(rules, code)}
    km = round(rules.household_km(h, code), 1)
    minutes = rules.minutes.get((h.location_id, code))
    if rules.params.max_minutes is not None and minutes is not None:
        return {"key": "place.km_minutes", **_town(rules, code), "km": km, "minutes": minutes}
    return {"key": "place.km", **_town(rules, code), "km": km}


def _reason(rules: Rules, after: _After, h: Household, a: Assignment,
            prices: Mapping[str, float]) -> tuple[ReasonKind, Clause]:
    if a.action is Action.HOUSE:
        d = rules.instance.dwelling_by_id[a.dwelling_id]
        notes = _why_here(rules, after, h, d.municipality, prices) + _why_this_home(rules, after, h, d)
        if d.kind is DwellingKind.TEMPORARY:
            notes.append({"key": "note.temporary"})
        if h.in_temporary:
            notes.insert(0, {"key": "note.onward", **_temporary(h)})
        return ReasonKind.HOUSED, {"key": "housed", "dwelling_id": d.dwelling_id, "dwelling_kind": d.kind.value,
                                   **_town(rules, d.municipality), "place": _place(rules, h, d.municipality),
                                   "late": _late(rules, h), "notes": notes}
    if a.action is Action.COUPLE:
        why = _why_not_housed(rules, after, h, [a.municipality])[1]
        return ReasonKind.COUPLED, {"key": "coupled", **_town(rules, a.municipality),
                                    "place": _place(rules, h, a.municipality), "why": why,
                                    "notes": _why_here(rules, after, h, a.municipality, prices)}
    if h.in_temporary:
        assert h.coupled_to is not None
        kind, why = _why_not_housed(rules, after, h, [h.coupled_to])
        return kind, {"key": "waiting_temporary", **_town(rules, h.coupled_to), **_temporary(h), "year": _year(rules, h),
                      "why": why}
    if h.coupled_to is not None:
        kind, why = _why_not_housed(rules, after, h, [h.coupled_to])
        return kind, {"key": "waiting_coupled", **_town(rules, h.coupled_to), "late": _late(rules, h), "why": why}
    return _why_not_coupled(rules, after, h, prices)


def _quota_short(rules: Rules, h: Household, code: str, left: Mapping[str, int], amv_left: Mapping[str, int]) -> bool:
    return left[code] < h.size or (h.amv and amv_left[code] < h.size)


def _why_here(rules: Rules, after: _After, h: Household, code: str, prices: Mapping[str, float]) -> list[Clause]:
    """Why a new coupling to ``code``: a tie, or what the nearer municipalities in range lacked."""
    if h.coupled_to == code:
        return []
    notes: list[Clause] = []
    if h.coupled_to is not None:
        notes.append({"key": "note.recoupled", **_town(rules, h.coupled_to)})
    if h.tie_municipality == code:
        notes.append({"key": "note.tie", **_town(rules, code)})
    else:
        km = rules.household_km(h, code)
        banned = rules.banned_municipalities.get(h.household_id, set())
        nearer = [m.code for m in rules.instance.municipalities
                  if m.code not in (code, h.coupled_to) and m.code not in banned and rules.in_range(h, m.code)
                  and rules.household_km(h, m.code) < km]
        short = [c for c in nearer if _quota_short(rules, h, c, rules.quota, rules.amv_quota)]
        rest = [c for c in nearer if c not in short]
        no_home = [c for c in rest if not any(rules.may_house(h, d) and after.room_left(d) >= h.size
                                              for d in rules.dwellings_by_municipality[c])]
        other = [c for c in rest if c not in no_home]
        if not nearer:
            notes.append({"key": "note.nearest"})
        if short:
            notes.append({"key": "note.nearer_quota", "count": len(short), "size": h.size, "municipalities": short})
        if no_home:
            notes.append({"key": "note.nearer_no_home", "count": len(no_home), "municipalities": no_home})
        if other:
            notes.append({"key": "note.nearer_other", "count": len(other), "municipalities": other})
    if code in prices:
        notes.append({"key": "note.price", "price": round(prices[code], 4)})
    return notes


def _why_this_home(rules: Rules, after: _After, h: Household, d: Dwelling) -> list[Clause]:
    """Why this home: the family members still expected, and larger homes that fit and stay free."""
    notes: list[Clause] = []
    if h.expected_extra and h.expected_extra_date is not None:
        notes.append({"key": "note.expected_extra_on", "expected_extra": h.expected_extra,
                      "expected_extra_date": h.expected_extra_date.isoformat(), "capacity": d.capacity})
    elif h.expected_extra:
        notes.append({"key": "note.expected_extra", "expected_extra": h.expected_extra, "capacity": d.capacity})
    larger = [o for o in rules.dwellings_by_municipality[d.municipality]
              if o.dwelling_id != d.dwelling_id and o.capacity > d.capacity and rules.may_house(h, o)
              and not after.occupants[o.dwelling_id]]
    if larger:
        notes.append({"key": "note.smaller_home" if len(larger) == 1 else "note.smaller_homes",
                      "capacity": d.capacity, "count": len(larger), "dwelling_ids": [o.dwelling_id for o in larger]})
    return notes


def _why_not_coupled(rules: Rules, after: _After, h: Household,
                     prices: Mapping[str, float] | None = None) -> tuple[ReasonKind, Clause]:
    """:func:`_why_not_coupled_in_range`, with a note naming the missing travel times (kind
    ``no_travel_time`` when no municipality is in range), and for a household not chosen
    although quota is left, the look-ahead's quota prices there (when it priced them)."""
    kind, clause = _why_not_coupled_in_range(rules, after, h)
    if kind is ReasonKind.NOT_CHOSEN and prices:
        banned = rules.banned_municipalities.get(h.household_id, set())
        room = [m.code for m in rules.instance.municipalities if rules.in_range(h, m.code) and m.code not in banned
                and not _quota_short(rules, h, m.code, {m.code: after.quota_left(m.code)},
                                     {m.code: after.amv_left(m.code)})]
        priced = sorted(round(prices[code], 4) for code in room if prices.get(code, 0) > 0)
        if priced:
            clause = {**clause, "notes": [*clause.get("notes", []), {
                "key": "note.reserved" if priced[0] != priced[-1] else "note.reserved_one", "count": len(room), "price_min": priced[0], "price_max": priced[-1],
                "municipalities": room}]}
    missing = _missing_times(rules, h)
    if missing is None:
        return kind, clause
    if kind is ReasonKind.NO_MUNICIPALITY_IN_RANGE:
        kind, clause = ReasonKind.NO_TRAVEL_TIME, {**clause, "key": "no_travel_time"}
    return kind, {**clause, "notes": [*clause.get("notes", []), missing]}


def _why_not_coupled_in_range(rules: Rules, after: _After, h: Household) -> tuple[ReasonKind, Clause]:
    limit = _limit(rules)
    in_range = [m.code for m in rules.instance.municipalities if rules.in_range(h, m.code)]
    if not in_range:
        return ReasonKind.NO_MUNICIPALITY_IN_RANGE, {"key": "no_municipality_in_range", "limit": limit}
    banned = rules.banned_municipalities.get(h.household_id, set())
    open_ = [code for code in in_range if code not in banned]
    if not open_:
        return ReasonKind.BANNED, {"key": "banned", "count": len(in_range), "limit": limit, "municipalities": in_range}
    housing_kind, housing = _why_not_housed(rules, after, h, open_)
    left = {code: after.quota_left(code) for code in open_}
    amv_left = {code: after.amv_left(code) for code in open_}
    short = [code for code in open_ if _quota_short(rules, h, code, left, amv_left)]
    if len(short) == len(open_):
        clause: Clause = {"key": "quota_used_up", "amv": h.amv, "count": len(open_), "limit": limit, "size": h.size,
                          "municipalities": open_, "quota_left": left}
        if housing_kind in (ReasonKind.NO_FITTING_DWELLING, ReasonKind.BANNED):
            clause.update(key="quota_used_up+housing", housing=housing)
        return ReasonKind.QUOTA_USED_UP, clause
    return ReasonKind.NOT_CHOSEN, {"key": "not_chosen", "limit": limit, "housing": housing}


def _why_not_housed(rules: Rules, after: _After, h: Household, codes: list[str]) -> tuple[ReasonKind, Clause]:
    """Why ``h`` has no dwelling in any of ``codes``, as a kind and a clause."""
    places: Clause = ({"key": "places.in", **_town(rules, codes[0])} if len(codes) == 1
                      else {"key": "places.within", "max_km": rules.params.max_km} if rules.params.max_km is not None
                      else {"key": "places.within_limit", "limit": _limit(rules)})
    if not h.document_ready:
        return ReasonKind.DOCUMENT_MISSING, {"key": "cause.document_missing"}
    offered = [d for code in codes for d in rules.dwellings_by_municipality[code]]
    if not offered:
        return ReasonKind.NO_FITTING_DWELLING, {"key": "cause.none_offered", "places": places}
    in_time = [d for d in offered if rules.available(d)]
    if not in_time:
        return ReasonKind.NO_FITTING_DWELLING, {"key": "cause.none_available", "places": places,
                                                "end": rules.params.end.isoformat(), "offered": len(offered)}
    fitting = [d for d in in_time if dwelling_fits(h, d)]
    if not fitting:
        return ReasonKind.NO_FITTING_DWELLING, {"key": "cause.none_fits", "places": places, "size": h.size,
                                                "amv": h.amv, "accessible": h.needs_accessible,
                                                "available": len(in_time),
                                                "largest": max(d.capacity for d in in_time)}
    banned = rules.banned_dwellings.get(h.household_id, set())
    bmun = rules.banned_municipalities.get(h.household_id, set())
    allowed = [d for d in fitting if d.dwelling_id not in banned and d.municipality not in bmun]
    if not allowed:
        return ReasonKind.BANNED, {"key": "cause.banned", "places": places, "fitting": len(fitting)}
    free = [d for d in allowed if after.room_left(d) >= h.size]
    if free:
        return ReasonKind.NOT_CHOSEN, {"key": "cause.free_left", "places": places, "free": len(free),
                                       "dwelling_ids": [d.dwelling_id for d in free]}
    return ReasonKind.OUTCOMPETED, _outcompeted(rules, after, h, allowed, places)


def _outcompeted(rules: Rules, after: _After, h: Household, allowed: list[Dwelling], places: Clause) -> Clause:
    winners = sorted({o.household_id: o for d in allowed for o in after.occupants[d.dwelling_id]}.values(),
                     key=lambda o: o.household_id)
    locked = {o.household_id for o in winners} & {lock.household_id for lock in rules.instance.locks}
    mine = h.size * rules.overdue(h)
    days = sorted(o.size * rules.overdue(o) for o in winners)
    to: Clause
    if len(winners) == 1:
        to = {"key": "to.one", "winner": winners[0].household_id, "days": days[0], "mine": mine}
    else:
        to = {"key": "to.many" if days[0] != days[-1] else "to.many_same", "count": len(winners),
              "days_min": days[0], "days_max": days[-1], "mine": mine}
    lock: Clause = {"key": "empty"}
    if locked:
        lock = {"key": "locked.all"} if len(locked) == len(winners) else {"key": "locked.some", "count": len(locked)}
    homes: Clause = ({"key": "homes.one", "places": places} if len(allowed) == 1
                     else {"key": "homes.many", "places": places, "count": len(allowed)})
    return {"key": "cause.outcompeted", "homes": homes, "to": to, "locked": lock,
            "winners": [o.household_id for o in winners]}
