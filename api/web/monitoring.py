"""The monitoring pages (issue 16), for COA and, its own part, a municipality: lead times with
a line chart, realisation against the taakstelling (Tabel 1) with bars per province and a map,
regional placement, and accepted proposals against move-ins.  Each shows the figure's table
beside its picture and links to the CSV/XLSX exports of :mod:`api.routes.monitoring`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from markupsafe import Markup
from starlette.responses import Response

from api.models import Municipality
from api.routes.monitoring import build
from api.services import monitoring as service
from api.services.errors import Invalid
from api.web import charts
from api.web.pages import UI, Page, PageRoute, SignedInDep, error_page
from matcher.models.params import NORM_DAYS, NORM_FROM_PERMIT_DAYS

router = APIRouter(prefix="/monitoring", route_class=PageRoute)

FIGURES = ("lead-times", "realisation", "regional", "predicted")
Figure = Literal["lead-times", "realisation", "regional", "predicted"]
By = Annotated[Literal["month", "province", "municipality", "location"] | None, Query()]
AsOf = Annotated[dt.date | None, Query(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]
Km = Annotated[float, Query(gt=0, le=1000, allow_inf_nan=False)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]

PAGE_ROWS = 500
"""Rows of a figure's table on one page (Tabel 1's 380 rows fit on one; the predicted figure,
a row per municipality and week, is paged); the exports and the API hold every row."""


def _lead_chart(page: Page, table: service.Table) -> Markup:
    rows = table.records()
    return charts.line_chart(
        page.t("mon_lead_chart", coupling=NORM_DAYS, permit=NORM_FROM_PERMIT_DAYS), [str(r["month"]) for r in rows],
        [(page.t("col_coupling_mean"), "s1", [_num(r["coupling_mean"]) for r in rows]),
         (page.t("col_permit_mean"), "s2", [_num(r["permit_mean"]) for r in rows])],
        [(f"{NORM_DAYS}", "s1", NORM_DAYS), (f"{NORM_FROM_PERMIT_DAYS}", "s2", NORM_FROM_PERMIT_DAYS)])


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _share(row: dict) -> float | None:
    target, realised = row["target"], row["realised"]
    return realised / target if isinstance(target, int) and isinstance(realised, int) and target > 0 else None


def _realisation_pictures(page: Page, table: service.Table) -> list[Markup]:
    rows = table.records()
    provinces = [r for r in rows if r["level"] == "province"]
    pictures = []
    if provinces:
        pictures.append(charts.bar_chart(page.t("mon_realisation_chart"), [
            (str(r["name"]), _share(r), f"{r['name']}: {r['realised']} / {r['target']}") for r in provinces]))
    points = {m.code: m for m in page.session.query(Municipality)}
    dots = [(str(r["code"]), str(r["name"]), points[str(r["code"])].lat, points[str(r["code"])].lon,
             int(r["target"] or 0), _share(r)) for r in rows if r["level"] == "municipality" and r["code"] in points]
    pictures.append(charts.realisation_map(page.t("mon_map"), dots))
    return pictures


@router.get("", summary="Monitoring")
def monitoring_home(page: SignedInDep) -> Response:
    return figure_page(page, "lead-times")


@router.get("/{figure}", summary="A monitoring figure")
def figure_page(page: SignedInDep, figure: Figure, by: By = None, km: Km = service.REGIONAL_KM,
                as_of: AsOf = None, offset: Offset = 0) -> Response:
    """The figure for the signed-in actor (a municipality sees its own part), its picture and table."""
    try:
        table = build(page.session, page.signed_in_actor, figure, by, km, as_of)
    except Invalid as exc:
        fields = "; ".join(page.located(exc))
        return error_page(page.request, 422, page.t("bad_request", fields=fields))
    pictures: list[Markup] = []
    if figure == "lead-times" and table.figure == "lead_times_month" and table.rows:
        pictures.append(_lead_chart(page, table))
    elif figure == "realisation":
        pictures = _realisation_pictures(page, table)
    titles = {"lead-times": "mon_lead_times" if (by or "month") == "month" else f"mon_lead_{by}",
              "realisation": "mon_realisation", "regional": "mon_regional" if (by or "municipality") == "municipality"
              else "mon_regional_location", "predicted": "mon_predicted"}
    query = {k: v for k, v in (("by", by), ("km", km if figure == "regional" else None), ("as_of", as_of)) if v}
    base = f"{UI}/monitoring/{figure}?" + "".join(f"{urlencode({k: v})}&" for k, v in query.items())
    return page.render("planner/monitoring.html", figure=figure, figures=FIGURES, table=table,
                       rows=table.rows[offset:offset + PAGE_ROWS], total=len(table.rows), offset=offset,
                       page_size=PAGE_ROWS, base=base,
                       title_key=titles[figure], pictures=pictures, export_query=query, by=by or "",
                       km=km, as_of=as_of, period=table.notes.get("period", ""))
