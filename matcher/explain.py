"""One plain sentence per household saying why it got its action (docs/contract.md §6).

A waiting household's sentence names the binding cause, checked in this order: residence
document missing, no municipality in range, banned, quota used up in range, no dwelling that
fits (size, accessibility, kind, availability), outcompeted by more overdue households.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from matcher.models import Action, Assignment, Dwelling, DwellingKind, Household, Proposal, ReasonKind
from matcher.rules import Rules, dwelling_fits


def _persons(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} persons"


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


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


def explain_proposal(rules: Rules, proposal: Proposal) -> Proposal:
    """The same proposal with a reason and reason kind on every assignment."""
    assignments = proposal.by_household()
    after = _After(rules, assignments)
    locked = {lock.household_id for lock in rules.instance.locks}
    explained = []
    for h in rules.instance.households:
        a = assignments[h.household_id]
        kind, text = _reason(rules, after, h, a)
        if h.household_id in locked and a.action is not Action.WAIT:
            kind, text = ReasonKind.LOCKED, text + " The planner locked this line."
        explained.append(replace(a, reason=text, reason_kind=kind))
    return replace(proposal, assignments=tuple(explained))


def _every(n: int, word: str) -> str:
    return f"the only {word}" if n == 1 else f"all {_plural(n, word)}"


def _name(rules: Rules, code: str | None) -> str:
    if code is None:
        return "no municipality"
    return f"{rules.instance.municipality_by_code[code].name} ({code})"


def _reason(rules: Rules, after: _After, h: Household, a: Assignment) -> tuple[ReasonKind, str]:
    overdue = rules.overdue(h)
    late = f"{overdue} days past the {rules.params.norm_days}-day norm" if overdue else "not yet past the norm"
    if a.action is Action.HOUSE:
        d = rules.instance.dwelling_by_id[a.dwelling_id]
        where = _name(rules, d.municipality)
        if h.coupled_to == d.municipality:
            place = f"its own municipality {where}"
        else:
            km = rules.household_km(h, d.municipality)
            place = f"{where}, {km:.0f} km from its reception location"
            if h.is_coupled:
                place += f" (re-coupled from {_name(rules, h.coupled_to)})"
        extra = " It is a temporary home, so the household will move once more." if d.kind is DwellingKind.TEMPORARY else ""
        return ReasonKind.HOUSED, f"Housed in {d.kind.value} dwelling {d.dwelling_id} in {place}; {late}.{extra}"
    if a.action is Action.COUPLE:
        km = rules.household_km(h, a.municipality)
        why = _why_not_housed(rules, after, h, [a.municipality])[1]
        return ReasonKind.COUPLED, (
            f"Coupled to {_name(rules, a.municipality)}, {km:.0f} km from its reception location, which has quota left; "
            f"not housed yet because {why}."
        )
    # wait
    if h.is_coupled:
        kind, why = _why_not_housed(rules, after, h, [h.coupled_to])
        return kind, f"Waiting in reception, coupled to {_name(rules, h.coupled_to)}, {late}: {why}."
    return _why_not_coupled(rules, after, h)


def _why_not_coupled(rules: Rules, after: _After, h: Household) -> tuple[ReasonKind, str]:
    limit = f"{rules.params.max_km:g} km"
    if rules.params.max_minutes is not None:
        limit += f" and {rules.params.max_minutes:g} minutes"
    in_range = [m.code for m in rules.instance.municipalities if rules.in_range(h, m.code)]
    if not in_range:
        return ReasonKind.NO_MUNICIPALITY_IN_RANGE, f"Waiting to be coupled: no municipality lies within {limit} of its reception location."
    banned = rules.banned_municipalities.get(h.household_id, set())
    open_ = [code for code in in_range if code not in banned]
    if not open_:
        return ReasonKind.BANNED, f"Waiting to be coupled: {_every(len(in_range), 'municipality')} within {limit} refused for this household."
    housing_kind, housing = _why_not_housed(rules, after, h, open_)
    if h.amv:
        short = [code for code in open_ if after.quota_left(code) < h.size or after.amv_left(code) < h.size]
        quota = "AMV quota"
    else:
        short = [code for code in open_ if after.quota_left(code) < h.size]
        quota = "quota"
    if len(short) == len(open_):
        lead = f"{housing}, and the" if housing_kind in (ReasonKind.NO_FITTING_DWELLING, ReasonKind.BANNED) else "the"
        return ReasonKind.QUOTA_USED_UP, (
            f"Waiting to be coupled: {lead} {quota} of {_every(len(open_), 'municipality')} within {limit} "
            f"is used up or too small for {_persons(h.size)}."
        )
    return ReasonKind.NOT_CHOSEN, f"Waiting: not chosen this week although quota is left within {limit}; {housing}."


def _why_not_housed(rules: Rules, after: _After, h: Household, codes: list[str]) -> tuple[ReasonKind, str]:
    """Why ``h`` has no dwelling in any of ``codes``, as a kind and a clause."""
    places = f"in {_name(rules, codes[0])}" if len(codes) == 1 else f"within {rules.params.max_km:g} km"
    if not h.document_ready:
        return ReasonKind.DOCUMENT_MISSING, "the IND residence document is missing, and without it no dwelling may be allocated"
    offered = [d for code in codes for d in rules.dwellings_by_municipality[code]]
    if not offered:
        return ReasonKind.NO_FITTING_DWELLING, f"no dwelling is offered {places}"
    in_time = [d for d in offered if rules.available(d)]
    if not in_time:
        return ReasonKind.NO_FITTING_DWELLING, f"no dwelling offered {places} is available before {rules.params.end.isoformat()}"
    fitting = [d for d in in_time if dwelling_fits(h, d)]
    if not fitting:
        return ReasonKind.NO_FITTING_DWELLING, f"no dwelling {places} fits {_describe(h)}"
    banned = rules.banned_dwellings.get(h.household_id, set()) | set()
    bmun = rules.banned_municipalities.get(h.household_id, set())
    allowed = [d for d in fitting if d.dwelling_id not in banned and d.municipality not in bmun]
    if not allowed:
        return ReasonKind.BANNED, f"every dwelling {places} that fits was refused for this household"
    free = [d for d in allowed if after.room_left(d) >= h.size]
    if free:
        return ReasonKind.NOT_CHOSEN, f"{places} {_plural(len(free), 'fitting dwelling')} left free would gain nothing on the earlier levels"
    winners = sorted({o.household_id: o for d in allowed for o in after.occupants[d.dwelling_id]}.values(),
                     key=lambda o: o.household_id)
    locked = {o.household_id for o in winners} & {lock.household_id for lock in rules.instance.locks}
    mine = h.size * rules.overdue(h)
    days = sorted(o.size * rules.overdue(o) for o in winners)
    if len(winners) == 1:
        to = f"household {winners[0].household_id} ({days[0]} overdue person-days"
    else:
        span = f"{days[0]}" if days[0] == days[-1] else f"{days[0]} to {days[-1]}"
        to = f"{len(winners)} other households ({span} overdue person-days"
    to += f"; this household has {mine})"
    if locked:
        to += ", locked there by the planner" if len(locked) == len(winners) else f", {len(locked)} of them locked there by the planner"
    what = f"the only dwelling {places} that fits" if len(allowed) == 1 else f"the {len(allowed)} dwellings {places} that fit"
    return ReasonKind.OUTCOMPETED, f"{what} went to {to}"


def _describe(h: Household) -> str:
    parts = [_persons(h.size)]
    if h.amv:
        parts.append("unaccompanied minors (an amv unit is needed)")
    if h.needs_accessible:
        parts.append("needing an accessible home")
    return ", ".join(parts)
