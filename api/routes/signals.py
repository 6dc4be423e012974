"""Signals (issue 16 item 5) as a feed: newest first, stable ids, an opaque cursor, a bounded
page.  COA reads every signal; a municipality those about itself.  The suggested
redistribution of an ``idle_homes`` signal is recorded through ``POST /api/v1/redistributions``
with the signal's ``suggestion`` as the body."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.config import Settings
from api.deps import ActorDep, ApiRoute, SessionDep, SettingsDep
from api.schemas import Day, SignalFeed, SignalKind, SignalOut, utc
from api.services import signals as service

router = APIRouter(tags=["signals"], route_class=ApiRoute)

AsOf = Annotated[Day | None, Query(description="The date the signals describe (default today).")]
After = Annotated[str | None, Query(max_length=200, pattern=r"^[A-Za-z0-9_-]+$",
                                    description="The cursor `next` of the previous page.")]
Limit = Annotated[int, Query(ge=1, le=200, description="Signals per page (1 to 200, default 50).")]
Kinds = Annotated[list[SignalKind] | None, Query(max_length=5, description="Only these kinds (repeat the parameter).")]
SignalPath = Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9-]+$")]


def options(settings: Settings) -> service.Options:
    return service.Options(settings.signal_large_home, settings.signal_weeks, settings.signal_shortfall)


def signal_out(signal: service.Signal) -> SignalOut:
    return SignalOut(id=signal.id, kind=SignalKind(signal.kind), raised_at=utc(signal.raised_at) or signal.raised_at,
                     municipalities=list(signal.municipalities), province=signal.province, values=signal.values,
                     homes=signal.homes, households=signal.households, suggestion=signal.suggestion)


@router.get("/signals", response_model=SignalFeed, summary="The signals feed, newest first")
def list_signals(actor: ActorDep, session: SessionDep, settings: SettingsDep, after: After = None, limit: Limit = 50,
                 kind: Kinds = None, as_of: AsOf = None) -> SignalFeed:
    """Large homes offered, provinces and COA regions short of their quota share of the
    couplings, and homes idle for lack of quota with a suggested redistribution.  A
    municipality gets only the signals about itself."""
    day = as_of or dt.date.today()
    kinds = tuple(k.value for k in kind) if kind else service.KINDS
    items, cursor = service.feed(session, actor, day, options(settings), after, limit, kinds)
    return SignalFeed(items=[signal_out(s) for s in items], next=cursor, limit=limit, as_of=day)


@router.get("/signals/{signal_id}", response_model=SignalOut, summary="One signal")
def get_signal(actor: ActorDep, session: SessionDep, settings: SettingsDep, signal_id: SignalPath,
               as_of: AsOf = None) -> SignalOut:
    """A signal that holds on ``as_of`` (404 if it does not, or is not about this municipality)."""
    return signal_out(service.get_signal(session, actor, as_of or dt.date.today(), options(settings), signal_id))
