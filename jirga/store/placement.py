"""Incremental clustering: a new report's event joins the incident it matches best, or opens a new one.

Candidates come from an indexed query (same kind, dates within a day of each other, same country); each is scored
with `match.compare` against the incident's summary of all its claims. Whoever made them and however they are
marked, claims of one event join one incident: a partner's TLP:GREEN account of an attack joins the incident our
TLP:AMBER reports describe. Each organisation then sees it through its own view, the summary of the claims it may
see (`jirga.store.summary`); that a report joined an existing incident rather than opening one tells its reader
nothing of the other claims. Nothing already placed is moved,
so an analyst's merge or split is never undone by the machine; an event an analyst split out of an incident never
goes back into it (`CannotLink`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from jirga.db.schema import CannotLink, Claim, Incident, IncidentActor, IncidentView, Place, Report
from jirga.fuse.match import UNDATED_WINDOW, EventView, Match, compare, place_from, with_parents
from jirga.model.extraction import PlaceRef
from jirga.reference import catalog
from jirga.store.claims import EventClaims

MAX_CANDIDATES = 200
LONGEST_DATE_RANGE = dt.timedelta(days=366)
NEVER_CLUSTERED = {"statistic"}  # a figure for a period is not an event told by several reports
ACTOR_ROLES = ("claimed", "perpetrator", "attributed")


@functools.cache
def parents() -> dict[str, str | None]:
    return {actor.id: actor.part_of for actor in catalog.load_actors()}


@dataclass(frozen=True)
class Placement:
    incident: Incident | None  # None: open a new incident
    match: Match | None
    candidates: int


def view_of_event(event: EventClaims, published: dt.date | None = None) -> EventView:
    """An event as clustering sees it. A date equal to the report's own publication date may be the report's
    dateline rather than the event's, so it is read as "in the week up to publication"."""
    values: dict[str, object] = {}
    actors = []
    for claim in event.claims:
        name, value = claim["field"], claim["value"]
        if name in ("responsibility", "perpetrator") and (name == "perpetrator" or value["mode"] != "denied"):
            actors.append(value["actor_id"])
        elif not (isinstance(value, dict) and value.get("subset")):  # a subset count is not the toll
            values.setdefault(name, value)
    date, killed, target = values.get("date"), values.get("killed"), values.get("target")
    start = dt.date.fromisoformat(date["start"]) if date else None
    end = dt.date.fromisoformat(date["end"]) if date else None
    precision = date["precision"] if date else None
    if published is not None and precision == "day" and start == published:
        start, precision = published - UNDATED_WINDOW, "week"
    return EventView(
        kind=event.kind, date_start=start, date_end=end, date_precision=precision,
        place=place_from(values.get("place")),
        attack_type=values.get("attack_type"),
        target_type=target.get("target_type") if target else None,
        killed=killed.get("best") if killed else None,
        actors=with_parents(actors, parents()),
    )


def view_of_incident(incident: Incident | IncidentView, place: Place | None, actor_ids: list[str]) -> EventView:
    return EventView(
        kind=incident.kind, date_start=incident.date_start, date_end=incident.date_end,
        date_precision=incident.date_precision,
        place=PlaceRef(name=place.name, kind=place.precision, country=place.country, province=place.province or "",
                       province_code=place.province_code or "", district=place.district or "",
                       gazetteer_id=place.id) if place else None,
        attack_type=incident.attack_type, target_type=incident.target_type, killed=incident.killed_best,
        actors=with_parents(actor_ids, parents()),
    )


def find_incident(session: Session, report: Report, event: EventClaims) -> Placement:
    """The incident this event of this report belongs to, if any."""
    if event.kind in NEVER_CLUSTERED:
        return Placement(None, None, 0)
    view = view_of_event(event, report.published)
    candidates = _candidates(session, report, event, view)
    if not candidates:
        return Placement(None, None, 0)
    actors: dict[int, list[str]] = {}
    for incident_id, actor_id in session.execute(
            select(IncidentActor.incident_id, IncidentActor.actor_id)
            .where(IncidentActor.incident_id.in_([c.id for c in candidates]), IncidentActor.role.in_(ACTOR_ROLES))):
        actors.setdefault(incident_id, []).append(actor_id)
    scored = [(compare(view, view_of_incident(c, c.place, actors.get(c.id, []))), c) for c in candidates]
    best_match, best = max(scored, key=lambda pair: (pair[0].score if pair[0].same else -1, -pair[1].id))
    return Placement(best if best_match.same else None, best_match, len(candidates))


def _candidates(session: Session, report: Report, event: EventClaims, view: EventView) -> list[Incident]:
    family = ("meeting", "visit") if view.kind in ("meeting", "visit") else (view.kind,)
    if view.date_start is not None:
        start, end = view.date_start - dt.timedelta(days=1), view.date_end + dt.timedelta(days=1)
    elif report.published is not None:
        start, end = report.published - UNDATED_WINDOW, report.published
    else:
        return []  # neither a date nor a publication date: nothing to block on
    # The lower bound lets the date index stop early: no incident's date range is longer than a year.
    query = (select(Incident).where(Incident.status == "active", Incident.kind.in_(family),
                                    Incident.date_start.between(start - LONGEST_DATE_RANGE, end),
                                    Incident.date_end >= start)
             .where(~exists().where(Claim.incident_id == Incident.id, Claim.report_id == report.id))
             .where(~exists().where(CannotLink.incident_id == Incident.id, CannotLink.report_id == report.id,
                                    CannotLink.event == event.event)))
    if view.place is not None:
        query = query.where((Incident.country == view.place.country) | Incident.country.is_(None))
    return list(session.scalars(query.order_by(Incident.id).limit(MAX_CANDIDATES)))
