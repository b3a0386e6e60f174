"""Possible duplicates: incidents that nearly matched one another when their reports were clustered (a score
below the threshold that joins them, or the same days and kind but places that disagree), each with why, and what
merging it would change, computed without changing anything. The incident page shows them all; the triage list
and `jirga incidents` name each listed row's closest, computed for the listed rows only (`nearest`), so that a
list costs the same however large the store."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Date, String, and_, column, false, or_, select, text, true
from sqlalchemy.orm import Session

from jirga.access import Viewer, audit, visible
from jirga.access.rules import audience_matches, seen_view
from jirga.db.schema import EVERYONE, Claim, Incident, IncidentView, IncidentViewActor, Place
from jirga.fuse.consensus import Consensus, consensus
from jirga.fuse.match import Match, compare
from jirga.model.vocab import DATE_PRECISIONS
from jirga.store.placement import ACTOR_ROLES, view_of_incident
from jirga.store.queries import as_seen_by
from jirga.store.summary import facts_of

NEAR = 0.35  # below the clustering threshold (fuse.match.THRESHOLD) but close enough to show an analyst
WINDOW = dt.timedelta(days=2)
MOST = 5
# The longest date range of each precision, so that candidates are read from the index on (organisation,
# precision, start) in short ranges: a day's incident is compared with those starting up to a month before it only
# if they are dated to a month. Precisions not named here ("days", "year") may span a year.
SPANS = {"day": 0, "week": 6, "month": 30, "quarter": 91, "half": 183}
LONGEST = 366


@dataclass(frozen=True)
class Duplicate:
    incident: Incident
    match: Match
    merged: Consensus  # the consensus if it were merged into the incident looked at


@dataclass(frozen=True)
class Near:
    """An incident's closest possible duplicate, as the triage list names it."""

    other_id: int
    match: Match


def possible_duplicates(session: Session, incident: Incident, viewer: Viewer) -> list[Duplicate]:
    """Incidents of the same audience (so that they can be merged) and kind, within two days, that the viewer may
    see, scored as clustering scores them but on what the viewer sees of each (their views); the closest first,
    each with the consensus a merge would give."""
    found = scored(session, [incident], viewer).get(incident.id, [])[:MOST]
    if not found:
        return []
    others = {other.id: other for other in session.scalars(select(Incident).where(
        Incident.id.in_([other_id for other_id, _ in found])))}
    duplicates = []
    for other_id, match in found:
        both = list(session.scalars(select(Claim).where(Claim.incident_id.in_((incident.id, other_id)),
                                                        ~Claim.retired, visible(Claim, viewer))))
        duplicates.append(Duplicate(others[other_id], match, consensus(facts_of(session, both, viewer=viewer))))
    as_seen_by(session, [d.incident for d in duplicates], viewer)  # shown with what the viewer may see of them
    return duplicates


def nearest(session: Session, incidents: Sequence[Incident], viewer: Viewer) -> dict[int, Near]:
    """The triage list's hint: for each incident listed, its closest possible duplicate (the first that its page
    shows), computed for the listed rows only."""
    return {incident_id: Near(*found[0]) for incident_id, found in scored(session, incidents, viewer).items()
            if found}


def listed_duplicates(session: Session, ids: Sequence[int], viewer: Viewer) -> dict[int, Near]:
    """`nearest` for the listed incidents of these ids that the viewer may see (the others are left out as if they
    did not exist), each as the viewer sees it."""
    incidents = list(session.scalars(select(Incident).where(Incident.id.in_(sorted(set(ids))),
                                                            visible(Incident, viewer))))
    as_seen_by(session, incidents, viewer)
    found = nearest(session, incidents, viewer)
    audit.record(session, viewer, "read", "incident", None, "ok",
                 f"possible duplicates of {len(incidents)} listed: {len(found)} found")
    return found


def scored(session: Session, incidents: Sequence[Incident], viewer: Viewer) -> dict[int, list[tuple[int, Match]]]:
    """For each incident (as the viewer sees it): the other active incidents of its audience and kind family, whose
    dates come within two days of its own, that the viewer may see and that score at least NEAR on what the viewer
    sees of each; the closest first. Candidates are read for all the incidents at once."""
    rows = [incident for incident in incidents if incident.date_start is not None and incident.status == "active"]
    if not rows:
        return {}
    found = _candidates(session, rows, viewer)
    candidates = [view for view in found if view.candidate]
    lists: dict[tuple[str, str], list] = {}  # (family, precision) -> candidates by start
    for view in sorted(candidates, key=lambda v: (v.date_start, v.incident_id)):
        lists.setdefault((_family(view.kind), view.date_precision), []).append(view)
    starts = {key: [view.date_start for view in listed] for key, listed in lists.items()}
    pairs: dict[int, list] = {}  # incident -> the candidates that pass the cheap tests, compared below
    for incident in rows:
        for (family, precision), listed in lists.items():
            if family != _family(incident.kind):
                continue
            window = _window(incident.date_precision, precision)
            first = bisect.bisect_left(starts[family, precision], incident.date_start - window - _span(precision))
            last = bisect.bisect_right(starts[family, precision], incident.date_end + window)
            pairs.setdefault(incident.id, []).extend(
                view for view in listed[first:last]
                if view.incident_id != incident.id and view.date_end >= incident.date_start - window
                and not (incident.country and view.country and view.country != incident.country)
                and audience_matches(view, incident.owner_org_id, incident.tlp, incident.sharing_group_id))
    compared = {view.incident_id: view for listed in pairs.values() for view in listed}
    listed_ids = {row.id for row in rows}
    actors = _actors(session, [*compared.values(), *(view for view in found if view.incident_id in listed_ids)],
                     viewer)
    places = {place.id: place for place in session.scalars(select(Place).where(
        Place.id.in_({view.place_id for view in compared.values() if view.place_id})))}
    events = {view.incident_id: view_of_incident(view, places.get(view.place_id) if view.place_id else None,
                                                 actors.get(view.incident_id, [])) for view in compared.values()}
    scores: dict[int, list[tuple[int, Match]]] = {}
    for incident in rows:
        this = view_of_incident(incident, incident.place, actors.get(incident.id, []))
        near = [(view.incident_id, match) for view in pairs.get(incident.id, [])
                for match in (compare(this, events[view.incident_id]),)
                if match.blocked is None and match.score >= NEAR]
        scores[incident.id] = sorted(near, key=lambda pair: (-pair[1].score, pair[0]))
    return scores


def _family(kind: str) -> str:
    return "meeting" if kind in ("meeting", "visit") else kind


def _span(precision: str) -> dt.timedelta:
    return dt.timedelta(days=SPANS.get(precision, LONGEST))


def _window(precision: str | None, other: str) -> dt.timedelta:
    """How far apart two incidents' dates may be: two days, or one for two incidents dated to the day (clustering
    tells those apart beyond a day, `fuse.match`)."""
    return dt.timedelta(days=1) if precision == other == "day" else WINDOW


def _candidates(session: Session, rows: Sequence[Incident], viewer: Viewer) -> list:
    """The views the viewer reads them through, as rows with their incident's status and marking, of the active
    incidents whose dates may come within two days of one of the rows' (`candidate` true), and of the rows
    themselves (for their actors). Read by precision, each from the index in short ranges of dates merged over
    the rows: one query for the organisation's own views and one for everyone's."""
    ranges = []  # (precision, kind, country, start, end): what a candidate may be, and where it may start
    for precision in (*SPANS, *(p for p in DATE_PRECISIONS if p not in SPANS)):
        starts: dict[tuple[str, str | None], list[tuple[dt.date, dt.date]]] = {}
        for r in rows:
            window = _window(r.date_precision, precision)
            for kind in (("meeting", "visit") if _family(r.kind) == "meeting" else (r.kind,)):
                starts.setdefault((kind, r.country), []).append((r.date_start - window - _span(precision),
                                                                 r.date_end + window))
        for (kind, country), spans in starts.items():
            merged: list[list[dt.date]] = []
            for start, end in sorted(spans):
                if merged and start <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], end)
                else:
                    merged.append([start, end])
            ranges += [(precision, kind, country, start, end) for start, end in merged]
    columns = (IncidentView.incident_id, IncidentView.org_id, IncidentView.kind, IncidentView.date_start,
               IncidentView.date_end, IncidentView.date_precision, IncidentView.place_id, IncidentView.country,
               IncidentView.attack_type, IncidentView.target_type, IncidentView.killed_best, Incident.owner_org_id,
               Incident.tlp, Incident.sharing_group_id)
    # The ranges as a table of values joined to the views (hundreds of SELECTs in a UNION cost more to build than
    # to run); each range is then read from the index (organisation, precision, start).
    values = ", ".join(f"(:p{i}, :k{i}, :c{i}, :s{i}, :e{i})" for i in range(len(ranges)))
    params = {f"{name}{i}": value for i, found in enumerate(ranges) for name, value in zip("pkcse", found, strict=True)}
    table = (text(f"VALUES {values}").bindparams(**params)
             .columns(*(column(f"column{i}", String) for i in (1, 2, 3)), column("column4", Date),
                      column("column5", Date)).subquery("ranges"))
    precision, kind, country, start, end = (table.c[f"column{i}"] for i in range(1, 6))
    found = {}
    for part in ("own", "everyone"):  # each read in order from its own index, as listings are
        near = and_(IncidentView.date_precision == precision, IncidentView.date_start.between(start, end),
                    IncidentView.kind == kind,
                    or_(country.is_(None), IncidentView.country.is_(None), IncidentView.country == country))
        if session.get_bind().dialect.name == "postgresql":
            # A lateral subquery per range (OFFSET 0 keeps the planner from flattening it): PostgreSQL would
            # otherwise hash the ranges and scan every view.
            each = (select(*columns).join(Incident, seen_view(viewer, part))
                    .where(Incident.status == "active", near).offset(0).lateral("near"))
            query = select(*each.c, true().label("candidate")).select_from(table).join(each, true())
        else:
            query = (select(*columns, true().label("candidate")).select_from(table)
                     .join(IncidentView, and_(IncidentView.date_precision == precision,
                                              IncidentView.date_start.between(start, end)))
                     .join(Incident, seen_view(viewer, part)).where(Incident.status == "active", near))
        found.update((row.incident_id, row) for row in session.execute(query))
    missing = [r.id for r in rows if r.id not in found]
    if missing:
        found.update((row.incident_id, row) for row in session.execute(
            select(*columns, false().label("candidate")).join(Incident, seen_view(viewer))
            .where(Incident.id.in_(missing))))
    return list(found.values())


def _actors(session: Session, views: list, viewer: Viewer) -> dict[int, list[str]]:
    """The claimants and perpetrators of each incident as its view (the one the viewer reads it through) tells."""
    actors: dict[int, list[str]] = {}
    through = {view.incident_id: view.org_id for view in views}
    ids = sorted(through)
    for first in range(0, len(ids), 5000):
        for incident_id, org_id, actor_id in session.execute(
                select(IncidentViewActor.incident_id, IncidentViewActor.org_id, IncidentViewActor.actor_id).where(
                    IncidentViewActor.incident_id.in_(ids[first:first + 5000]),
                    IncidentViewActor.org_id.in_((viewer.org_id, EVERYONE)), IncidentViewActor.role.in_(ACTOR_ROLES))):
            if through[incident_id] == org_id:
                actors.setdefault(incident_id, []).append(actor_id)
    return actors
