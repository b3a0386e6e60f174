"""Possible duplicates: incidents that nearly matched one another when their reports were clustered (a score
below the threshold that joins them, or the same days and kind but places that disagree), each with why, and what
merging it would change, computed without changing anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jirga.access import Viewer, visible
from jirga.access.rules import same_audience
from jirga.db.schema import Claim, Incident, IncidentActor
from jirga.fuse.consensus import Consensus, consensus
from jirga.fuse.match import Match, compare
from jirga.store.placement import ACTOR_ROLES, view_of_incident
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
    see, scored as clustering scores them; the closest first."""
    if incident.date_start is None or incident.status != "active":
        return []
    family = ("meeting", "visit") if incident.kind in ("meeting", "visit") else (incident.kind,)
    candidates = list(session.scalars(
        select(Incident).where(Incident.id != incident.id, Incident.status == "active", Incident.kind.in_(family),
                               Incident.date_start <= incident.date_end + WINDOW,
                               Incident.date_end >= incident.date_start - WINDOW,
                               visible(Incident, viewer),
                               same_audience(Incident, incident.owner_org_id, incident.tlp,
                                             incident.sharing_group_id))
        .order_by(Incident.id).limit(50)))
    if not candidates:
        return []
    actors: dict[int, list[str]] = {}
    for incident_id, actor_id in session.execute(
            select(IncidentActor.incident_id, IncidentActor.actor_id).where(
                IncidentActor.incident_id.in_([incident.id, *(c.id for c in candidates)]),
                IncidentActor.role.in_(ACTOR_ROLES))):
        actors.setdefault(incident_id, []).append(actor_id)
    this = view_of_incident(incident, incident.place, actors.get(incident.id, []))
    found = []
    for other in candidates:
        match = compare(this, view_of_incident(other, other.place, actors.get(other.id, [])))
        if match.blocked is None and match.score >= NEAR:
            both = list(session.scalars(select(Claim).where(Claim.incident_id.in_((incident.id, other.id)),
                                                            ~Claim.retired, visible(Claim, viewer))))
            found.append(Duplicate(other, match, consensus(facts_of(session, both))))
    return sorted(found, key=lambda d: (-d.match.score, d.incident.id))[:MOST]
