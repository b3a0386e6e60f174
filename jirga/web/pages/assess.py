"""The incident list's map and exports as pages (signed in with the browser's session): the CSV, the situation
report."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request

from jirga.assess import maps
from jirga.store.queries import list_incidents
from jirga.web.api.stats import AssessedFilter, Format, KindChoice, csv_response, sitrep_response
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer
from jirga.web.pages.rendering import render

router = APIRouter()


@router.get("/incidents/export.csv")
def export_csv(request: Request, viewer: ActingViewer, where: AssessedFilter, kind: KindChoice = "any"):
    return csv_response(request, viewer, replace(where, kind=None if kind == "any" else kind))


@router.get("/sitrep")
def sitrep_page(request: Request, viewer: ActingViewer, where: AssessedFilter, format: Format = "html"):
    return sitrep_response(request, viewer, where, format)


MAP_LIMIT = 5000  # the newest matching incidents drawn: enough for a quarter's picture, light enough for a browser


@router.get("/incidents/map")
def map_page(request: Request, viewer: ActingViewer, where: AssessedFilter):
    """The filtered incidents on the map: points link to their incident; those known only to a province or
    country listed beside it (docs/assessment.md)."""
    with store_of(request).session() as session:
        found = list_incidents(session, replace(where, limit=MAP_LIMIT), viewer=viewer)
        drawn, listed = maps.placed(found)
        svg = maps.svg_map(drawn, listed, what=f"{(where.kind or 'incident').replace('_', ' ')}s",
                           link="/incidents/{id}", width=900, height=600)
        areas = [(area, [(i.id, i.title, i.killed_best) for i in incidents])
                 for area, incidents in maps.by_area(listed)]
        return render(request, "map.html", svg=svg, areas=areas, where=where, shown=len(found),
                      limited=len(found) == MAP_LIMIT, drawn=len(drawn))
