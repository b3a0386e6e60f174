"""The incident list's map and exports as pages (signed in with the browser's session): the CSV, the situation
report."""

from __future__ import annotations

import functools
import gzip
from dataclasses import replace
from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from jirga.assess import maps, webmap
from jirga.store import stats
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
ColourBy = Literal[webmap.COLOUR_BY]  # type: ignore[valid-type]


@router.get("/incidents/map")
def map_page(request: Request, viewer: ActingViewer, where: AssessedFilter, colour: ColourBy = "group"):
    """The filtered incidents on the interactive map (Leaflet, static/map.js), whose data it fetches from
    /incidents/map.json; those known only to a province with no outline are listed beside it (docs/assessment.md)."""
    with store_of(request).session() as session:
        found = list_incidents(session, replace(where, limit=MAP_LIMIT), viewer=viewer)
        drawn, listed = maps.placed(found)
        beside = [i for i in listed if not maps.country_only(i) and not maps.outlined_province(i)]  # not shaded
        areas = [(area, [(i.id, i.title, i.killed_best) for i in incidents])
                 for area, incidents in maps.by_area(beside)]
        query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "colour"])
        return render(request, "map.html", areas=areas, where=where, shown=len(found), colour=colour,
                      limited=len(found) == MAP_LIMIT, drawn=len(drawn), query=query)


@router.get("/incidents/map.json")
def map_json(request: Request, viewer: ActingViewer, where: AssessedFilter, colour: ColourBy = "group"
             ) -> JSONResponse:
    """The map's incidents, read as the viewer sees them: points, rings, shaded countries, the legend."""
    with store_of(request).session() as session:
        found = list_incidents(session, replace(where, limit=MAP_LIMIT), viewer=viewer)
        groups = stats.group_links(session, found, viewer)
        names = stats.group_names(session, {actor for actors in groups.values() for actor in actors})
        return JSONResponse(webmap.map_data(found, groups, names, colour))


OUTLINES = {"countries": webmap.countries_geojson, "provinces": webmap.provinces_geojson}


@router.get("/map/{which}.geojson")
def outlines(request: Request, viewer: ActingViewer, which: Literal["countries", "provinces"]) -> Response:
    """Every country's or province's outline (Natural Earth, public domain: the same for every user), gzipped when
    the browser takes it."""
    headers = {"cache-control": "private, max-age=86400", "vary": "accept-encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(_gzipped(which), media_type="application/geo+json",
                        headers=headers | {"content-encoding": "gzip"})
    return Response(OUTLINES[which](), media_type="application/geo+json", headers=headers)


@functools.cache
def _gzipped(which: str) -> bytes:
    return gzip.compress(OUTLINES[which](), mtime=0)
