"""Statistics and exports of the incidents the user may see: /stats (breakdowns), /export/incidents.csv, /sitrep."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from jirga.access import Viewer
from jirga.assess import sitrep
from jirga.assess.export import incidents_csv
from jirga.assess.stats import BREAKDOWNS, compute
from jirga.db.schema import Organisation
from jirga.store.queries import IncidentFilter
from jirga.web.api.incidents import incident_filter
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer

router = APIRouter(tags=["assessment"])
WEB_EXPORT_LIMIT = 50_000  # rows of one CSV over HTTP (one request must not read a whole large store)

KindChoice = Literal["attack", "security_operation", "arrest", "statistic", "meeting", "visit", "any"]


def assessed_filter(where: Annotated[IncidentFilter, Depends(incident_filter)],
                    kind: Annotated[KindChoice, Query(description="which incidents; 'any' for every kind")] = "attack"
                    ) -> IncidentFilter:
    """The incident list's filters, for counting: attacks unless another kind (or any) is asked for."""
    return replace(where, kind=None if kind == "any" else kind, limit=100, after=None)


AssessedFilter = Annotated[IncidentFilter, Depends(assessed_filter)]


@router.get("/stats", summary="Incidents, killed and injured (low/best/high summed) by one key, with the change "
                              "against the previous period when both since and until are given")
def stats(request: Request, viewer: ActingViewer, where: AssessedFilter,
          by: Annotated[Literal[BREAKDOWNS] | None, Query(description="the key to break down by")] = None,  # type: ignore[valid-type]
          roll_up: Annotated[bool, Query(description="count a group's provinces and branches as the group")] = False,
          sectarian: Annotated[bool, Query(description="only sectarian violence (docs/assessment.md)")] = False
          ) -> dict:
    return stats_of(request, viewer, where, by, roll_up, sectarian)


def stats_of(request: Request, viewer: Viewer, where: IncidentFilter, by: str | None, roll_up: bool,
             sectarian: bool = False) -> dict:
    with store_of(request).session() as session:
        return compute(session, where, by, viewer=viewer, roll_up=roll_up, sectarian=sectarian).as_dict()


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def csv_response(request: Request, viewer: Viewer, where: IncidentFilter) -> Response:
    with store_of(request).session() as session:
        text, rows = incidents_csv(session, where, viewer=viewer, base_url=base_url(request), limit=WEB_EXPORT_LIMIT)
    headers = {"content-disposition": 'attachment; filename="jirga-incidents.csv"'}
    if rows == WEB_EXPORT_LIMIT:  # say so: a silent cut would read as the whole
        headers["x-jirga-truncated"] = f"the newest {WEB_EXPORT_LIMIT} incidents; jirga export gives them all"
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


def sitrep_response(request: Request, viewer: Viewer, where: IncidentFilter, fmt: str) -> Response:
    """The report as a download (PDF) or a page of its own (HTML), whose inline style sheet its
    Content-Security-Policy allows by hash: no script, nothing from elsewhere."""
    with store_of(request).session() as session:
        organisation = session.scalar(select(Organisation.name).where(Organisation.id == viewer.org_id)) or ""
        report = sitrep.build(session, where, viewer=viewer, organisation=organisation, base_url=base_url(request))
    name = f"jirga-sitrep-{report.start}-{report.end}"
    if fmt == "pdf":
        return Response(sitrep.to_pdf(report), media_type="application/pdf",
                        headers={"content-disposition": f'attachment; filename="{name}.pdf"'})
    html = sitrep.to_html(report)
    styles = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"
                      for style in re.findall(r"<style>(.*?)</style>", html, flags=re.S))
    policy = (f"default-src 'none'; style-src {styles}; img-src 'self' data:; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'none'")
    return HTMLResponse(html, headers={"content-security-policy": policy})


Format = Annotated[Literal["html", "pdf"], Query(description="html (a page) or pdf (a download)")]


@router.get("/export/incidents.csv", summary="The incidents as CSV (ACLED-like columns with precision codes)",
            response_class=Response)
def export_csv(request: Request, viewer: ActingViewer, where: AssessedFilter,
               kind: Annotated[KindChoice, Query()] = "any") -> Response:
    return csv_response(request, viewer, replace(where, kind=None if kind == "any" else kind))


@router.get("/sitrep", summary="A situation report for a period (since and until), every figure footnoted",
            response_class=Response)
def sitrep_api(request: Request, viewer: ActingViewer, where: AssessedFilter, format: Format = "html") -> Response:
    return sitrep_response(request, viewer, where, format)
