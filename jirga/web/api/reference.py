"""Actors, places and sources. Actors and places are the bundled catalog and gazetteer (public reference data);
what the store says about them, and the sources, are filtered by what the user may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from jirga.access import NotFound
from jirga.reference import catalog
from jirga.reference.gazetteer import search_places
from jirga.reference.names import match_key
from jirga.store.browse import actor_record, list_sources
from jirga.web.api import models
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer

router = APIRouter(tags=["reference"])


def actor_dict(actor: catalog.Actor) -> dict:
    return {"id": actor.id, "name": actor.name, "kind": actor.kind, "aliases": list(actor.aliases),
            "acronyms": list(actor.acronyms), "part_of": actor.part_of, "splinter_of": actor.splinter_of,
            "country": actor.country}


@router.get("/actors", response_model=list[models.Actor], summary="The actor catalog; q matches names and aliases")
def actors(viewer: ActingViewer, q: Annotated[str | None, Query(max_length=200)] = None) -> list[dict]:
    key = match_key(q) if q else ""
    return [actor_dict(actor) for actor in catalog.load_actors()
            if not key or any(key in match_key(name) for name in (actor.name, *actor.aliases, *actor.acronyms))]


@router.get("/actors/{actor_id}", response_model=models.ActorDetail,
            summary="One actor: aliases, parent, parts and splinters, relations, incidents by year")
def actor(request: Request, actor_id: Annotated[str, Path(max_length=120), models.NoControl],
          viewer: ActingViewer) -> dict:
    with store_of(request).session() as session:
        found = actor_record(session, actor_id, viewer=viewer)
    if found is None:
        raise NotFound(f"no actor {actor_id!r} in the catalog")
    return actor_dict(found.actor) | {
        "parts": [a.id for a in found.parts], "splinters": [a.id for a in found.splinters],
        "relations": [{"subject": s, "relation": r, "object": o, "reports": n} for s, r, o, n in found.relations],
        "incidents_by_year": {str(year): count for year, count in found.by_year}}


def place_dict(place) -> dict:
    return {"id": place.gazetteer_id, "name": place.name, "precision": place.kind, "country": place.country,
            "province_code": place.province_code or None, "province": place.province or None,
            "district": place.district or None, "lat": place.lat, "lon": place.lon}


@router.get("/places", response_model=list[models.Place], summary="Gazetteer places whose name starts with q")
def places(viewer: ActingViewer, q: Annotated[str, Query(min_length=1, max_length=200)],
           country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
           limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[dict]:
    return [place_dict(place) for place in search_places(q, country, limit)]


@router.get("/sources", response_model=list[models.Source], summary="Sources, with their Admiralty reliability")
def sources(request: Request, viewer: ActingViewer) -> list[dict]:
    with store_of(request).session() as session:
        return [{"id": s.id, "name": s.name, "reliability": grade, "reports": n}
                for s, n, grade in list_sources(session, viewer=viewer)]
