"""Who am I, and my watchlists."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from jirga.db.schema import Organisation
from jirga.store import present, watchlists
from jirga.store.queries import IncidentFilter, incident_actors, list_incidents
from jirga.web.api import models
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer

router = APIRouter(tags=["account"])


@router.get("/me", response_model=models.Me, summary="The signed-in user, their organisation and role")
def me(request: Request, viewer: ActingViewer) -> dict:
    with store_of(request).session() as session:
        organisation = session.scalar(select(Organisation.name).where(Organisation.id == viewer.org_id))
    return {"username": viewer.username, "role": viewer.role, "organisation": organisation, "org_id": viewer.org_id}


def watchlist_dict(watchlist, new: int, changed: int = 0) -> dict:
    return {"id": watchlist.id, "name": watchlist.name, "filter": watchlist.filter, "new": new, "changed": changed}


@router.get("/watchlists", response_model=list[models.Watchlist], summary="My watchlists, with their new matches")
def my_watchlists(request: Request, viewer: ActingViewer) -> list[dict]:
    with store_of(request).session() as session:
        return [watchlist_dict(w, new, changed) for w, new, changed in watchlists.mine(session, viewer)]


@router.post("/watchlists", response_model=models.Watchlist, status_code=201, summary="Save a filter as a watchlist")
def add_watchlist(request: Request, body: models.WatchlistIn, viewer: ActingViewer) -> dict:
    where = IncidentFilter(actor=body.actor, country=body.country, province=body.province, kind=body.kind,
                           attack_type=body.attack_type, conflicts=body.conflicts)
    with store_of(request).session() as session:
        return watchlist_dict(watchlists.add(session, viewer, body.name, where), 0)


@router.get("/watchlists/{watchlist_id}/new", response_model=list[models.Incident],
            summary="Incidents opened since I last looked that match; marks them seen")
def watchlist_news(request: Request, watchlist_id: models.PathId, viewer: ActingViewer) -> list[dict]:
    with store_of(request).session() as session:
        watchlist = watchlists.get(session, viewer, watchlist_id)
        before = watchlists.seen(session, viewer, watchlist)
        found = list_incidents(session, watchlists.as_filter(watchlist, min_id=before[0]), viewer=viewer)
        actors = incident_actors(session, found, viewer)
        return [present.incident_row(incident, actors) for incident in found]


@router.get("/watchlists/{watchlist_id}/changes", response_model=list[models.WatchlistChange],
            summary="Watched incidents changed since I last looked (new reports, tolls, claimants); marks them seen")
def watchlist_changes(request: Request, watchlist_id: models.PathId, viewer: ActingViewer) -> list[dict]:
    with store_of(request).session() as session:
        watchlist = watchlists.get(session, viewer, watchlist_id)
        changed = watchlists.changes(session, viewer, watchlist, watchlists.seen(session, viewer, watchlist))
        return [{"incident_id": c.incident_id, "new_reports": c.reports, "what": c.what} for c in changed]


@router.delete("/watchlists/{watchlist_id}", status_code=204, response_class=Response, summary="Delete a watchlist")
def delete_watchlist(request: Request, watchlist_id: models.PathId, viewer: ActingViewer) -> Response:
    with store_of(request).session() as session:
        watchlists.remove(session, viewer, watchlist_id)
    return Response(status_code=204)
