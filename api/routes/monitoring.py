"""Monitoring figures (issue 16) as JSON and as CSV/XLSX exports, for COA (everything) and for
a municipality (its own part only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.deps import ActorDep, ApiRoute, SessionDep
from api.schemas import Day, MonitoringTable
from api.services import monitoring as service
from api.services.errors import Actor, FieldError, Invalid

router = APIRouter(tags=["monitoring"], route_class=ApiRoute)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Figure = Literal["lead-times", "realisation", "regional", "predicted"]
By = Literal["month", "province", "municipality", "location"]
AsOf = Annotated[Day | None, Query(description="The date the figures describe (default today); realisation counts move-ins up to it.")]
ByQuery = Annotated[By | None, Query(description="lead-times: month (default), province, municipality; regional: municipality (default), location.")]
Km = Annotated[float, Query(gt=0, le=1000, allow_inf_nan=False, description="regional: the distance limit in km (default 50).")]


def build(session, actor: Actor, figure: str, by: str | None, km: float, as_of: dt.date | None) -> service.Table:
    """The figure asked for; ``by`` must be one the figure has (else 422 at ``by``)."""
    allowed: dict[str, tuple[str, ...]] = {"lead-times": service.LEAD_BY, "regional": service.REGIONAL_BY}
    if by is not None and by not in allowed.get(figure, ()):
        raise Invalid([FieldError(("query", "by"), "no_grouping",
                                  {"figure": figure, "by": by, "choices": ", ".join(allowed.get(figure, ())) or "none"})])
    makers: dict[str, Callable[[], service.Table]] = {
        "lead-times": lambda: service.lead_times(session, actor, by or "month", as_of),
        "realisation": lambda: service.realisation(session, actor, as_of),
        "regional": lambda: service.regional(session, actor, by or "municipality", km, as_of),
        "predicted": lambda: service.predicted(session, actor, as_of),
    }
    return makers[figure]()


def table_out(table: service.Table) -> MonitoringTable:
    return MonitoringTable(figure=table.figure, as_of=table.as_of, columns=table.columns, labels=service.labels(table),
                           rows=table.records(), notes={k: str(v) for k, v in table.notes.items()})


@router.get("/monitoring/{figure}", response_model=MonitoringTable, summary="A monitoring figure")
def get_figure(actor: ActorDep, session: SessionDep, figure: Figure, by: ByQuery = None,
               km: Km = service.REGIONAL_KM, as_of: AsOf = None) -> MonitoringTable:
    """COA gets every municipality; a municipality only its own households, quota and lines."""
    return table_out(build(session, actor, figure, by, km, as_of))


@router.get("/monitoring/{figure}/export.csv", summary="A monitoring figure as CSV", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def export_csv(actor: ActorDep, session: SessionDep, figure: Figure, by: ByQuery = None,
               km: Km = service.REGIONAL_KM, as_of: AsOf = None) -> Response:
    table = build(session, actor, figure, by, km, as_of)
    return Response(service.export_csv(table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{table.figure}-{table.as_of}.csv"'})


@router.get("/monitoring/{figure}/export.xlsx", summary="A monitoring figure as XLSX", response_class=Response,
            responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
def export_xlsx(actor: ActorDep, session: SessionDep, figure: Figure, by: ByQuery = None,
                km: Km = service.REGIONAL_KM, as_of: AsOf = None) -> Response:
    table = build(session, actor, figure, by, km, as_of)
    return Response(service.export_xlsx(table), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{table.figure}-{table.as_of}.xlsx"'})
