"""Thin routers: parse the request, authorise the role, call one service function, map the
result to a response body.  Queries and rules live in :mod:`api.services`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query
from starlette.convertors import StringConvertor, register_url_convertor

from api.schemas import MAX_INT, ErrorOut

API_PREFIX = "/api/v1"

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No token, or an unknown or revoked one"},
    403: {"model": ErrorOut, "description": "The token's role may not do this"},
    404: {"model": ErrorOut, "description": "It does not exist, or this token may not see it"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"model": ErrorOut, "description": "Not possible in the object's present state"}}



class NumberConvertor(StringConvertor):
    """``{name:number}`` in a route's path: a segment of digits, signed or not (the route's
    parameter then says which are ids: ``-1`` is a 422), never a word, so that ``/homes/upload``
    is no home id."""

    regex = "-?[0-9]+"


register_url_convertor("number", NumberConvertor())

IdPath = Path(ge=1, le=MAX_INT)
CodePath = Path(pattern=r"^GM[0-9]{4}$", description="CBS code, GM and four digits")
Limit = Query(ge=1, le=1000)
Offset = Query(ge=0, le=MAX_INT)


def build_router() -> APIRouter:
    from api.routes import (
        arrivals,
        audit,
        exchanges,
        homes,
        households,
        locks,
        me,
        monitoring,
        moveins,
        municipalities,
        proposals,
        recouplings,
        signals,
        travel,
    )

    router = APIRouter(prefix=API_PREFIX, responses=ERRORS)
    for module in (me, municipalities, homes, households, arrivals, proposals, locks, moveins, recouplings, exchanges, audit, monitoring, signals,
                   travel):
        router.include_router(module.router)
    return router
