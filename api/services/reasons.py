"""A proposal line's reason in the reader's language (docs/contract.md §6, §11): rendered from the
values the engine stored, with the municipality's own home reference instead of the home id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Home, ProposalLine
from matcher.reasons import Lang, render


def references(session: Session, home_ids: Iterable[int | None]) -> dict[int, str]:
    """The municipality's own reference of each of these homes, by home id."""
    ids = sorted({i for i in home_ids if i is not None})
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(select(Home.id, Home.reference).where(Home.id.in_(ids[start:start + 500])))
        out.update((home_id, reference) for home_id, reference in rows)
    return out


def home_references(session: Session, lines: Iterable[ProposalLine]) -> dict[str, str]:
    """The municipality's own reference of every home the lines name, by the engine's dwelling id."""
    return {str(i): ref for i, ref in references(session, [line.home_id for line in lines]).items()}


def line_reason(line: ProposalLine, lang: str, references: Mapping[str, str]) -> str:
    """The line's reason in ``lang`` (``en``, else Dutch); a line stored before reasons were data
    keeps its sentence."""
    if line.reason_values is None:
        return line.reason
    chosen: Lang = "en" if lang == "en" else "nl"
    return render(line.reason_values, chosen, homes=references)
