"""Possible duplicates: incidents that nearly matched one another when their reports were clustered (a score
below the threshold that joins them, or the same days and kind but places that disagree), each with why, and what
merging it would change, computed without changing anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from jirga.access import Viewer, visible
from jirga.access.rules import same_audience, seen_view
from jirga.db.schema import Claim, Incident, IncidentView, IncidentViewActor, Place
from jirga.fuse.consensus import Consensus, consensus
from jirga.fuse.match import Match, compare
from jirga.store.placement import ACTOR_ROLES, view_of_incident
from jirga.store.queries import as_seen_by
from jirga.store.summary import facts_of

NEAR = 0.35  # below the clustering threshold (fuse.match.THRESHOLD) but close enough to show an analyst
WINDOW = dt.timedelta(days=2)
MOST = 5


@dataclass(frozen=True)
class Duplicate:
    incident: Incident
    match: Match
    merged: Consensus  # the consensus if it were merged into the incident looked at


def possible_duplicates(session: Session, incident: Incident, viewer: Viewer) -> list[Duplicate]:
    """Incidents of the same audience (so that they can be merged) and kind, within two days, that the viewer may
    see, scored as clustering scores them but on what the viewer sees of each (their views); the closest first."""
    if incident.date_start is None or incident.status != "active":
        return []
    family = ("meeting", "visit") if incident.kind in ("meeting", "visit") else (incident.kind,)
    near = session.execute(
        select(Incident, IncidentView).join(IncidentView, seen_view(viewer))
        .where(Incident.id != incident.id, Incident.status == "active", IncidentView.kind.in_(family),
               IncidentView.date_start <= incident.date_end + WINDOW,
               IncidentView.date_end >= incident.date_start - WINDOW,
               same_audience(Incident, incident.owner_org_id, incident.tlp, incident.sharing_group_id))
        .order_by(Incident.id).limit(50)).all()
    if not near:
        return []
    this_view = session.scalar(select(IncidentView).join(Incident, seen_view(viewer))
                               .where(Incident.id == incident.id))
    views = [(incident.id, this_view), *((other.id, view) for other, view in near)]
    actors: dict[int, list[str]] = {}
    for incident_id, actor_id in session.execute(
            select(IncidentViewActor.incident_id, IncidentViewActor.actor_id).where(
                tuple_(IncidentViewActor.incident_id, IncidentViewActor.org_id).in_(
                    [(incident_id, view.org_id) for incident_id, view in views if view is not None]),
                IncidentViewActor.role.in_(ACTOR_ROLES))):
        actors.setdefault(incident_id, []).append(actor_id)
    this = view_of_incident(incident, incident.place, actors.get(incident.id, []))
    found = []
    for other, view in near:
        place = session.get(Place, view.place_id) if view.place_id else None
        match = compare(this, view_of_incident(view, place, actors.get(other.id, [])))
        if match.blocked is None and match.score >= NEAR:
            both = list(session.scalars(select(Claim).where(Claim.incident_id.in_((incident.id, other.id)),
                                                            ~Claim.retired, visible(Claim, viewer))))
            found.append(Duplicate(other, match, consensus(facts_of(session, both, viewer=viewer))))
    found = sorted(found, key=lambda d: (-d.match.score, d.incident.id))[:MOST]
    as_seen_by(session, [d.incident for d in found], viewer)  # shown with what the viewer may see of them
    return found
