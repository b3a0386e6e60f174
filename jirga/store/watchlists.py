"""Watchlists: a user's saved incident filters, and the incidents opened since they last looked that match.

A watchlist belongs to one user and is never shared. Its matches are read through `incident_query`, so they are the
incidents its owner may see, now (not when it was saved).
"""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jirga.access import NotFound, Viewer, audit
from jirga.db.schema import Incident, Watchlist
from jirga.store.queries import IncidentFilter, QueryError, incident_query

SAVED = ("actor", "country", "province", "kind", "attack_type", "conflicts")  # what a watchlist keeps of a filter
NEW_CAP = 100  # "100+ new" is enough to say


def _filter(watchlist: Watchlist, **more) -> IncidentFilter:
    return IncidentFilter(**{name: watchlist.filter.get(name) for name in SAVED if name in watchlist.filter}, **more)


def _owner(viewer: Viewer) -> int:
    if viewer.user_id is None:
        raise QueryError("watchlists belong to users: create one first (jirga user add)")
    return viewer.user_id


def add(session: Session, viewer: Viewer, name: str, where: IncidentFilter) -> Watchlist:
    """Save the filter; incidents stored from now on that match it will be new to the user."""
    saved = {key: value for key, value in asdict(where).items() if key in SAVED and value not in (None, False, "")}
    if not saved:
        raise QueryError("a watchlist needs at least one filter (actor, country, province, kind, attack type or "
                         "conflicts)")
    incident_query(where, viewer)  # resolves names now: an unknown actor or province is refused when saved
    watchlist = Watchlist(user_id=_owner(viewer), name=name.strip()[:200] or "watchlist", filter=saved,
                          seen_up_to=session.scalar(select(func.max(Incident.id))) or 0)
    session.add(watchlist)
    session.flush()
    audit.record(session, viewer, "write", "watchlist", watchlist.id, "ok", f"saved {saved}")
    return watchlist


def mine(session: Session, viewer: Viewer) -> list[tuple[Watchlist, int]]:
    """The user's watchlists, each with how many new incidents match it (at most NEW_CAP)."""
    if viewer.user_id is None:
        return []
    out = []
    for watchlist in session.scalars(select(Watchlist).where(Watchlist.user_id == viewer.user_id)
                                     .order_by(Watchlist.id)):
        new = incident_query(_filter(watchlist, min_id=watchlist.seen_up_to), viewer)
        count = session.scalar(select(func.count()).select_from(new.order_by(None).limit(NEW_CAP).subquery()))
        out.append((watchlist, count or 0))
    return out


def get(session: Session, viewer: Viewer, watchlist_id: int) -> Watchlist:
    watchlist = session.get(Watchlist, watchlist_id)
    if watchlist is None or watchlist.user_id != viewer.user_id:
        raise NotFound(f"no watchlist {watchlist_id}")
    return watchlist


def as_filter(watchlist: Watchlist, **more) -> IncidentFilter:
    """The saved filter; `more` adds to it (limit, min_id)."""
    return _filter(watchlist, **more)


def seen(session: Session, viewer: Viewer, watchlist: Watchlist) -> int:
    """Mark everything stored so far as seen; returns the mark it had before (what was new is above it)."""
    before = watchlist.seen_up_to
    watchlist.seen_up_to = session.scalar(select(func.max(Incident.id))) or 0
    audit.record(session, viewer, "read", "watchlist", watchlist.id, "ok", "seen")
    return before


def remove(session: Session, viewer: Viewer, watchlist_id: int) -> None:
    session.delete(get(session, viewer, watchlist_id))
    audit.record(session, viewer, "write", "watchlist", watchlist_id, "ok", "deleted")

