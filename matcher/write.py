"""The outputs of docs/contract.md §6: ``proposal.csv``, ``summary.json``, and the figures behind both."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher import sheets
from matcher.models import LEVEL_NAMES, Action, Proposal, ReasonKind
from matcher.rules import Rules

PROPOSAL_HEADER = ["household_id", "action", "municipality", "dwelling_id", "persons", "km", "overdue_days", "moves", "reason"]
REASON_COLUMNS = ["reason_kind", "reason_values"]
"""The reason as data, after the sentence in ``proposal.csv``: its kind and its values (JSON)."""
TEMPORARY_COLUMNS = ["temporary_home"]
"""Last in ``proposal.csv``: the temporary home a household lives in (on a ``house`` line it moves on
out of it: an onward move; on a ``wait`` line it stays there), empty for the others."""


@dataclass(frozen=True)
class Line:
    """One household's line of a proposal with its figures, typed (``proposal.csv`` is these
    lines as text, :func:`proposal_rows`; the service stores them as they are)."""

    household_id: str
    action: Action
    municipality: str | None
    dwelling_id: str | None
    persons: int
    km: float | None
    """Distance of a new coupling (``None`` for ``wait`` and for the municipality the household
    is already coupled to)."""
    overdue_days: int
    moves: int
    reason: str
    reason_kind: ReasonKind | None
    reason_values: dict[str, Any] | None = None
    temporary_home: str | None = None
    """The temporary home the household lives in (its ``house`` line is then an onward move)."""


def proposal_lines(rules: Rules, proposal: Proposal) -> list[Line]:
    """One line per household, in the order of ``households.csv``."""
    by_id = proposal.by_household()
    lines = []
    for h in rules.instance.households:
        a = by_id[h.household_id]
        km = None
        moves = rules.wait_moves(h)
        if a.action is not Action.WAIT and a.municipality != h.coupled_to:
            km = rules.household_km(h, a.municipality)
        if a.action is not Action.WAIT:
            d = rules.instance.dwelling_by_id[a.dwelling_id] if a.dwelling_id else None
            moves = rules.moves(h, d, a.municipality)
        lines.append(Line(household_id=h.household_id, action=a.action, municipality=a.municipality,
                          dwelling_id=a.dwelling_id, persons=h.size, km=km, overdue_days=rules.overdue(h),
                          moves=moves, reason=a.reason, reason_kind=a.reason_kind,
                          reason_values=a.reason_values, temporary_home=h.temporary_home))
    return lines


def proposal_rows(rules: Rules, proposal: Proposal) -> list[dict[str, Any]]:
    """The rows of ``proposal.csv``: :func:`proposal_lines` as text."""
    return [{
        "household_id": line.household_id,
        "action": line.action.value,
        "municipality": line.municipality or "",
        "dwelling_id": line.dwelling_id or "",
        "persons": line.persons,
        "km": "" if line.km is None else f"{line.km:.1f}",
        "overdue_days": line.overdue_days,
        "moves": line.moves,
        "reason": line.reason,
        "reason_kind": "" if line.reason_kind is None else line.reason_kind.value,
        "reason_values": "" if line.reason_values is None else reason_json(line.reason_values),
        "temporary_home": line.temporary_home or "",
    } for line in proposal_lines(rules, proposal)]


def reason_json(values: dict[str, Any]) -> str:
    """The reason values as compact JSON (keys sorted, UTF-8 kept)."""
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def summary(rules: Rules, proposal: Proposal) -> dict[str, Any]:
    """The content of ``summary.json``."""
    by_id = proposal.by_household()
    actions: dict[str, dict[str, int]] = {a.value: {"households": 0, "persons": 0} for a in Action}
    reasons: Counter[str] = Counter()
    coupled: dict[str, int] = defaultdict(int)
    housed: dict[str, int] = defaultdict(int)
    overdue_before = overdue_after = 0
    for h in rules.instance.households:
        a = by_id[h.household_id]
        actions[a.action.value]["households"] += 1
        actions[a.action.value]["persons"] += h.size
        if a.reason_kind is not None:
            reasons[a.reason_kind.value] += 1
        person_days = h.size * rules.overdue(h)
        overdue_before += person_days
        if a.action is not Action.HOUSE:
            overdue_after += person_days
        if a.action is not Action.WAIT and a.municipality != h.coupled_to:
            coupled[a.municipality] += h.size
        if a.action is Action.HOUSE:
            housed[a.municipality] += h.size
    municipalities = {
        m.code: {
            "name": m.name,
            "persons_coupled": coupled[m.code],
            "persons_housed": housed[m.code],
            "quota_left": max(0, m.quota_remaining) - coupled[m.code],
            "amv_quota_left": max(0, m.amv_quota_remaining) - sum(
                h.size for h in rules.instance.households
                if h.amv and by_id[h.household_id].action is not Action.WAIT
                and by_id[h.household_id].municipality == m.code and h.coupled_to != m.code
            ),
        }
        for m in rules.instance.municipalities
        if coupled[m.code] or housed[m.code] or m.quota_remaining > 0
    }
    return {
        "status": proposal.status.value,
        "solver": proposal.solver,
        "as_of": rules.params.as_of.isoformat(),
        "levels": proposal.levels.as_dict(),
        "proven": dict(zip(LEVEL_NAMES, proposal.proven)),
        "bound": proposal.bound,
        "gap": proposal.gap,
        "runtime_s": round(proposal.runtime_s, 3),
        "message": proposal.message,
        "overdue_person_days": {"before": overdue_before, "after": overdue_after},
        "actions": actions,
        "reasons": dict(sorted(reasons.items())),
        "municipalities": municipalities,
        "missing_travel_times": _missing_travel_times(rules, proposal),
        "temporary": _temporary(rules, proposal),
        "params": {
            "horizon_days": rules.params.horizon_days,
            "norm_days": rules.params.norm_days,
            "coupling_days": rules.params.coupling_days,
            "max_km": rules.params.max_km,
            "max_minutes": rules.params.max_minutes,
            "quota_slack": rules.params.quota_slack,
            "allow_recoupling": rules.params.allow_recoupling,
            "weights": vars(rules.params.weights),
        },
        "stats": proposal.stats,
    }


def _temporary(rules: Rules, proposal: Proposal) -> dict[str, Any]:
    """Households in a temporary home: how many, how many move on (``house``: an onward move) and
    how many stay, the fewest days left of the year they may stay there (at the end of the
    horizon; negative: past it) and how many are past it."""
    by_id = proposal.by_household()
    out: dict[str, Any] = {"households": 0, "persons": 0, "onward": {"households": 0, "persons": 0},
                           "staying": {"households": 0, "persons": 0}, "days_left_min": None, "past_year": 0}
    for h in rules.instance.households:
        if not h.in_temporary:
            continue
        out["households"] += 1
        out["persons"] += h.size
        part = out["onward"] if by_id[h.household_id].action is Action.HOUSE else out["staying"]
        part["households"] += 1
        part["persons"] += h.size
        left = rules.temporary_days_left(h)
        out["days_left_min"] = left if out["days_left_min"] is None else min(out["days_left_min"], left)
        out["past_year"] += left < 0
    return out


def _missing_travel_times(rules: Rules, proposal: Proposal) -> dict[str, int]:
    """Rule 5's travel times that ``max_minutes`` asks for and ``travel_times.csv`` lacks: the
    (location, municipality) pairs within ``max_km`` at the locations households wait at, and the
    households waiting to be coupled whose reason names one (docs/contract.md §3, §6)."""
    by_id = proposal.by_household()
    missing_at = {loc for loc, _ in rules.missing_travel_times}
    households = sum(1 for h in rules.instance.households
                     if by_id[h.household_id].action is Action.WAIT and not h.is_coupled and h.location_id in missing_at)
    return {"pairs": len(rules.missing_travel_times), "households": households}


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_proposal(rules: Rules, proposal: Proposal, out: str | Path) -> tuple[Path, Path]:
    """Write ``proposal.csv`` and ``summary.json`` into ``out`` (created if needed); each file
    is replaced atomically, so a reader never sees half a file."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = proposal_rows(rules, proposal)
    data = summary(rules, proposal)

    def write_csv(fh) -> None:
        writer = csv.DictWriter(fh, fieldnames=PROPOSAL_HEADER + REASON_COLUMNS + TEMPORARY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(sheets.row(r) for r in rows)  # no cell a spreadsheet would run as a formula

    csv_path, json_path = out / "proposal.csv", out / "summary.json"
    _atomic_write(csv_path, write_csv)
    _atomic_write(json_path, lambda fh: fh.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n"))
    return csv_path, json_path
