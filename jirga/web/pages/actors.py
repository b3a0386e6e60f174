"""Actors: the catalog, and one actor's page (aliases, parent, parts and splinters, relations as a small graph,
incidents over time)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from jirga.access import NotFound
from jirga.reference import catalog
from jirga.store.browse import actor_record
from jirga.web.auth import store_of
from jirga.web.charts import bar_chart, star_graph, years_between
from jirga.web.deps import ActingViewer
from jirga.web.pages.rendering import render

router = APIRouter()


@router.get("/actors")
def actors_page(request: Request, viewer: ActingViewer):
    return render(request, "actors.html", actors=sorted(catalog.load_actors(), key=lambda a: a.name.lower()))


ActorId = Annotated[str, Path(max_length=120, pattern=r"^[\w:.-]+$")]  # catalog ids: islamic-state, iskp


@router.get("/actors/{actor_id}")
def actor_page(request: Request, actor_id: ActorId, viewer: ActingViewer):
    with store_of(request).session() as session:
        found = actor_record(session, actor_id[:120], viewer=viewer)
    if found is None:
        raise NotFound(f"no actor {actor_id!r} in the catalog")
    nodes, edges = star_graph((found.actor.id, found.actor.name), found.relations, found.names)
    return render(request, "actor.html", record=found, nodes=nodes, edges=edges,
                  years=bar_chart(years_between(dict(found.by_year)), width=480, height=100))
