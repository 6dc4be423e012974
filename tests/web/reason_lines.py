"""Reasons of every kind, as the engine gives them: for the pages that must render each kind in
the reader's language.

The reasons come from real proposals: the hand-made cases of ``tests/cases`` solved by the
default exact backend, two small instances made here for the kinds those cases do not reach
(a household with no municipality in range, one refused by every municipality in range, one
whose travel times are missing, a household housed in the smaller of two fitting homes, as last
week), and the
look-ahead on the Hart van Brabant example with a prior history (quota prices, households not
chosen although quota is left).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from matcher.exceptions import LocksInfeasibleError
from matcher.explain import explain_proposal
from matcher.models import (
    Action,
    Assignment,
    Ban,
    Dwelling,
    DwellingKind,
    Household,
    Instance,
    Location,
    Municipality,
    Params,
    PreviousRow,
    ReasonKind,
)
from matcher.read import read_instance, read_params
from matcher.solvers import solve

CASES = Path(__file__).resolve().parent.parent / "cases"
AS_OF = dt.date(2023, 7, 3)


def _small(max_minutes: float | None) -> tuple[Instance, Params]:
    towns = (Municipality("GM0001", "Aa", "Test", 52.1, 6.0, 5), Municipality("GM0002", "Bb", "Test", 52.2, 6.0, 5))
    locations = (Location("azc-a", "azc A", 52.0, 6.0), Location("azc-b", "azc B", 52.05, 6.0),
                 Location("azc-far", "azc Ver", 53.5, 6.0))
    households = (
        Household("S1", 2, "azc-a", dt.date(2023, 2, 1)),  # the smaller home (as last week), the larger left free
        Household("B1", 1, "azc-a", dt.date(2023, 5, 1)),                 # refused by Aa and Bb
        Household("N1", 1, "azc-far" if max_minutes is None else "azc-b", dt.date(2023, 5, 1)),
    )
    dwellings = (Dwelling("small", "GM0001", DwellingKind.REGULAR, 2, dt.date(2023, 7, 1)),
                 Dwelling("large", "GM0001", DwellingKind.REGULAR, 5, dt.date(2023, 7, 1)))
    instance = Instance(municipalities=towns, locations=locations, households=households, dwellings=dwellings,
                        bans=(Ban("B1", municipality="GM0001"), Ban("B1", municipality="GM0002")),
                        previous=(PreviousRow("S1", Action.HOUSE, "GM0001", "small"),),
                        travel_minutes=(("azc-a", "GM0001", 15.0), ("azc-a", "GM0002", 25.0)))
    raw: dict[str, Any] = {"as_of": AS_OF.isoformat()}
    if max_minutes is not None:
        raw["max_minutes"] = max_minutes
    return instance, Params.from_dict(raw)


def _lookahead() -> list[Assignment]:
    from matcher.lookahead import propose, weeks_left_in_period
    from matcher.simulate.config import SimConfig
    from matcher.simulate.policies import prior_history
    from matcher.synth import write_example

    region = "hart-van-brabant"
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_example(region, Path(tmp), seed=0)
        instance, params = read_instance(folder), read_params(folder)
    result = propose(instance, params, prior_history(SimConfig(region=region)), params.as_of.toordinal() // 7,
                     time_limit=20, weeks_left=max(0, weeks_left_in_period(params.as_of) - 1))
    return list(explain_proposal(result.rules, result.proposal, "nl", prices=result.prices).assignments)


def _keys(clause: Any) -> set[str]:
    if isinstance(clause, dict):
        return ({clause["key"]} if "key" in clause else set()) | {k for v in clause.values() for k in _keys(v)}
    if isinstance(clause, list):
        return {k for v in clause for k in _keys(v)}
    return set()


def every_kind() -> list[Assignment]:
    """Explained assignments covering every reason kind and every catalogue key the engine gives:
    for each kind the first one found, and then one more for each key not covered yet."""
    found: list[Assignment] = []
    for folder in sorted(p for p in CASES.iterdir() if (p / "households.csv").exists()):
        try:
            found += solve(read_instance(folder), read_params(folder), time_limit=30).assignments
        except LocksInfeasibleError:
            continue
    for max_minutes in (None, 45.0):
        found += solve(*_small(max_minutes), time_limit=30).assignments
    found += _lookahead()
    chosen: list[Assignment] = []
    kinds: set[str] = set()
    keys: set[str] = set()
    for a in found:
        assert a.reason_kind is not None and a.reason_values is not None
        new_keys = _keys(a.reason_values) - keys
        if a.reason_kind.value not in kinds or new_keys:
            chosen.append(a)
            kinds.add(a.reason_kind.value)
            keys |= new_keys
    assert kinds == {k.value for k in ReasonKind}, sorted({k.value for k in ReasonKind} - kinds)
    return chosen


def store_job(engine: Any, municipality: str, home_id: int) -> tuple[int, list[dict[str, Any]]]:
    """A finished proposal job whose lines carry the reasons of :func:`every_kind` (households
    ``r-01``, ... waiting; house lines in home ``home_id`` of ``municipality``, couple lines to
    ``municipality``): the review page renders each reason from its values.  The job's id and
    the reasons' values."""
    from api.db import session_factory
    from api.models import Job, ProposalLine
    from api.services import households
    from api.services.errors import Actor

    chosen = every_kind()
    ids = [f"r-{i:02d}" for i in range(1, len(chosen) + 1)]
    with session_factory(engine)() as session:
        households.upsert_batch(session, Actor(None, "test", "coa"), {"households": [
            {"household_id": hid, "size": 1, "location_id": "azc-enschede", "permit_date": "2023-01-01"} for hid in ids]})
        job = Job(status="done", as_of=AS_OF, params={}, solver="highspy", time_limit=30.0, summary={"status": "optimal"})
        session.add(job)
        session.flush()
        for hid, a in zip(ids, chosen, strict=True):
            action = a.action.value
            session.add(ProposalLine(
                job_id=job.id, household_id=hid, action=action, municipality_code=None if action == "wait" else municipality,
                home_id=home_id if action == "house" else None, persons=1, km=None, overdue_days=0, moves=0,
                reason=a.reason, reason_kind=a.reason_kind.value if a.reason_kind else None, reason_values=a.reason_values,
                was_state="waiting", was_municipality=None, decision="none" if action == "wait" else "pending"))
        session.commit()
        return job.id, [dict(a.reason_values or {}) for a in chosen]
