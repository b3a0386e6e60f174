"""The incident list's exports as pages (signed in with the browser's session): the CSV, the situation report."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request

from jirga.web.api.stats import AssessedFilter, Format, KindChoice, csv_response, sitrep_response
from jirga.web.deps import ActingViewer

router = APIRouter()


@router.get("/incidents/export.csv")
def export_csv(request: Request, viewer: ActingViewer, where: AssessedFilter, kind: KindChoice = "any"):
    return csv_response(request, viewer, replace(where, kind=None if kind == "any" else kind))


@router.get("/sitrep")
def sitrep_page(request: Request, viewer: ActingViewer, where: AssessedFilter, format: Format = "html"):
    return sitrep_response(request, viewer, where, format)
