"""Reading the store for the web app: reports with their claims, sources, an actor's record (the trends are
`store.stats`).

Like `queries`, every function takes the `Viewer`, filters with `jirga.access.visible` in SQL and writes one audit
entry. Actors and places are reference data (the bundled catalog and gazetteer) and need no marking; what the
store says about them (incidents, relations) is filtered like everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, and_, cast, extract, func, or_, select
from sqlalchemy.orm import Session, selectinload

from jirga.access import Viewer, audit, visible
from jirga.db.schema import (
    Claim,
    Incident,
    IncidentView,
    IncidentViewActor,
    Relation,
    Report,
    Source,
    SourceGrade,
)
from jirga.model.checks import latest_date
from jirga.reference import catalog
from jirga.store.queries import IncidentFilter, actor_names, incident_query, resolve_actor


def get_report(session: Session, report_id: int, *, viewer: Viewer) -> Report | None:
    """The report, if `viewer` may see it (None otherwise, told apart only in the audit log)."""
    report = session.scalar(select(Report).where(Report.id == report_id, visible(Report, viewer)))
    audit.record(session, viewer, "read", "report", report_id, "ok" if report else "not_found", "read")
    return report


def get_claim(session: Session, claim_id: int, *, viewer: Viewer) -> Claim | None:
    """The claim with its report (if `viewer` may see them)."""
    claim = session.scalar(select(Claim).where(Claim.id == claim_id, visible(Claim, viewer))
                           .options(selectinload(Claim.report.and_(visible(Report, viewer)))))
    audit.record(session, viewer, "read", "claim", claim_id, "ok" if claim else "not_found", "read")
    return claim


def report_claims(session: Session, report: Report, viewer: Viewer) -> list[Claim]:
    """The claims coded from the report that `viewer` may see, in text order."""
    return list(session.scalars(select(Claim).where(Claim.report_id == report.id, ~Claim.retired,
                                                    visible(Claim, viewer))
                                .order_by(Claim.span_start.is_(None), Claim.span_start, Claim.id)))


def list_reports(session: Session, *, viewer: Viewer, limit: int = 50, before_id: int | None = None,
                 source: str | None = None) -> list[Report]:
    """Current reports `viewer` may see, newest stored first."""
    query = select(Report).where(Report.is_current, visible(Report, viewer))
    if before_id:
        query = query.where(Report.id < before_id)
    if source:
        query = query.join(Source).where(Source.name == source)
    reports = list(session.scalars(query.order_by(Report.id.desc()).limit(limit)))
    audit.record(session, viewer, "read", "report", None, "ok", f"list: {len(reports)} found")
    return reports


def list_sources(session: Session, *, viewer: Viewer) -> list[tuple[Source, int, str]]:
    """Sources with at least one current report `viewer` may see: each with how many, and the viewer's
    organisation's grade of it (F where it has none). A source named only by reports hidden from the viewer is not
    listed: its name (a STIX identity, a feed's title, a host) would tell what others hold."""
    counted = (select(Report.source_id, func.count().label("reports"))
               .where(Report.is_current, visible(Report, viewer)).group_by(Report.source_id).subquery())
    rows = session.execute(select(Source, counted.c.reports, func.coalesce(SourceGrade.reliability, "F"))
                           .join(counted, counted.c.source_id == Source.id)
                           .outerjoin(SourceGrade, and_(SourceGrade.source_id == Source.id,
                                                        SourceGrade.org_id == viewer.org_id))
                           .order_by(Source.name)).all()
    audit.record(session, viewer, "read", "source", None, "ok", f"list: {len(rows)} found")
    return [(source, count, grade) for source, count, grade in rows]


@dataclass(frozen=True)
class ActorRecord:
    actor: catalog.Actor
    parent: catalog.Actor | None
    parts: list[catalog.Actor]  # provinces and branches
    splinter_of: catalog.Actor | None
    splinters: list[catalog.Actor]
    relations: list[tuple[str, str, str, int]]  # (subject id, relation, object id, how many reports say so)
    names: dict[str, str]  # actor id -> name, for every actor named above
    by_year: list[tuple[int, int]]  # (year, incidents involving the actor or its parts)


def catalog_actor(actor_id: str) -> catalog.Actor | None:
    return next((actor for actor in catalog.load_actors() if actor.id == actor_id), None)


def actor_record(session: Session, actor_id: str, *, viewer: Viewer) -> ActorRecord | None:
    actor = catalog_actor(actor_id)
    if actor is None:
        audit.record(session, viewer, "read", "actor", actor_id[:200], "not_found", "read")
        return None
    everyone = catalog.load_actors()
    rows = session.execute(
        select(Relation.subject_id, Relation.relation, Relation.object_id, func.count())
        .where(or_(Relation.subject_id == actor_id, Relation.object_id == actor_id), visible(Relation, viewer))
        .group_by(Relation.subject_id, Relation.relation, Relation.object_id)).all()
    relations = sorted(((s, r, o, n) for s, r, o, n in rows), key=lambda row: -row[3])
    names = {a.id: a.name for a in everyone}
    unknown = {i for s, _, o, _ in relations for i in (s, o) if i not in names}
    if unknown:
        names |= actor_names(session, sorted(unknown))
    # Counted from the actor's links in the views: SQLite, with no statistics, would rather walk every incident.
    linked = (select(IncidentViewActor.incident_id, IncidentViewActor.org_id)
              .where(IncidentViewActor.actor_id.in_(resolve_actor(actor.name))).distinct().subquery())
    year = extract("year", IncidentView.date_start)
    by_year = [(int(y), n) for y, n in session.execute(
        incident_query(IncidentFilter(), viewer).order_by(None)
        .join(linked, and_(linked.c.incident_id == Incident.id, linked.c.org_id == IncidentView.org_id))
        .with_only_columns(cast(year, Integer), func.count())
        .where(IncidentView.date_start.isnot(None), IncidentView.date_start <= latest_date())
        .group_by(year).order_by(year))]
    audit.record(session, viewer, "read", "actor", actor_id, "ok", "read")
    return ActorRecord(actor, catalog_actor(actor.part_of) if actor.part_of else None,
                       [a for a in everyone if a.part_of == actor.id],
                       catalog_actor(actor.splinter_of) if actor.splinter_of else None,
                       [a for a in everyone if a.splinter_of == actor.id], relations, names, by_year)


def incidents_of(session: Session, claims, viewer: Viewer) -> list[Incident]:
    """The incidents these claims were placed in, as far as `viewer` may see them, by number."""
    ids = {claim.incident_id for claim in claims}
    return list(session.scalars(select(Incident).where(Incident.id.in_(ids), visible(Incident, viewer))
                                .order_by(Incident.id))) if ids else []


def incidents_told_by(session: Session, report_ids: list[int], viewer: Viewer) -> list[tuple[Incident, list[int]]]:
    """The incidents these reports tell, as far as `viewer` may see them, each with which of the reports tell it;
    those told by the most reports first (search hits grouped by the event they are about)."""
    if not report_ids:
        return []
    pairs = session.execute(select(Claim.incident_id, Claim.report_id).distinct()
                            .where(Claim.report_id.in_(report_ids), ~Claim.retired, visible(Claim, viewer)))
    told: dict[int, list[int]] = {}
    for incident_id, report_id in pairs:
        told.setdefault(incident_id, []).append(report_id)
    incidents = session.scalars(select(Incident).where(Incident.id.in_(told), Incident.status == "active",
                                                       visible(Incident, viewer)))
    return sorted(((incident, sorted(told[incident.id])) for incident in incidents),
                  key=lambda pair: (-len(pair[1]), pair[0].id))
