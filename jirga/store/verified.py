"""Every SQL statement behind what analysts have verified in the live store: the claims they coded by hand or
assessed, with their verdicts, for inter-coder agreement between two analysts and for exercises built from the
store (`jirga.train.live` holds the logic and the definition of "verified").

Only what the viewer may see is read: every query has `access.visible` in its WHERE clause (claims, reports,
assessments), and the incidents are chosen by the incident list's own query (`queries.incident_query`).
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from jirga.access import Viewer, audit, visible
from jirga.access.rules import Audience, audience_receives, member_group
from jirga.db.database import Store
from jirga.db.schema import Assessment, Claim, Incident, Report
from jirga.model import tlp as tlp_levels
from jirga.store.claims import HAND_CODED
from jirga.store.queries import IncidentFilter, incident_query


def _matching(session: Session, where: IncidentFilter, viewer: Viewer, among) -> list[int]:
    """The ids of the active incidents among `among` (a select of ids) that match `where`: the incidents' own
    query, which matches each as the viewer sees it."""
    return list(session.scalars(incident_query(where, viewer).order_by(None).where(Incident.id.in_(among))
                                .with_only_columns(Incident.id).order_by(Incident.id)))


def _claim_row(claim: Claim, kind: str) -> dict:
    return {"id": claim.id, "incident_id": claim.incident_id, "incident_kind": kind, "report_id": claim.report_id,
            "event": claim.event, "field": claim.field, "value": claim.value, "origin": claim.origin,
            "created_by": claim.created_by, "at": claim.created_at}


def _verdicts(session: Session, viewer: Viewer, claim_ids: list[int], analysts: list[str] | None,
              receives=lambda model: true()) -> list[dict]:
    """The visible assessments of these claims, oldest first (by analysts of `analysts` only, if given)."""
    found = []
    for start in range(0, len(claim_ids), 5000):
        query = select(Assessment).where(Assessment.claim_id.in_(claim_ids[start:start + 5000]),
                                         visible(Assessment, viewer))
        if analysts is not None:
            query = query.where(Assessment.created_by.in_(analysts))
        query = query.where(receives(Assessment))
        found += [{"claim_id": a.claim_id, "analyst": a.created_by, "verdict": a.verdict, "at": a.created_at,
                   "id": a.id} for a in session.scalars(query)]
    return sorted(found, key=lambda a: a["id"])


def analysts_claims(store: Store, viewer: Viewer, analysts: list[str], where: IncidentFilter) -> dict:
    """For the agreement between analysts: the visible claims of the matching incidents that any of `analysts`
    coded by hand or assessed, and those analysts' visible assessments of them."""
    with store.session() as session:
        assessed = select(Assessment.claim_id).where(visible(Assessment, viewer),
                                                     Assessment.created_by.in_(analysts))
        theirs = and_(~Claim.retired, visible(Claim, viewer),
                      or_(and_(Claim.origin == "analyst", Claim.created_by.in_(analysts)), Claim.id.in_(assessed)))
        incidents = _matching(session, where, viewer, select(Claim.incident_id).where(theirs))
        rows = session.execute(select(Claim, Incident.kind).join(Incident, Incident.id == Claim.incident_id)
                               .where(theirs, Claim.incident_id.in_(incidents)).order_by(Claim.id)).all()
        claims = [_claim_row(claim, kind) for claim, kind in rows]
        verdicts = _verdicts(session, viewer, [c["id"] for c in claims], analysts)
        audit.record(session, viewer, "read", "claim", None, "ok",
                     f"agreement between {' and '.join(a[:100] for a in analysts)}: {len(incidents)} incidents")
        return {"claims": claims, "verdicts": verdicts}


def _exercise_audience(session: Session, viewer: Viewer, tlp: str, group: str | None):
    """A function of a marked model: the records that everyone who will see an exercise so marked may see too."""
    level = tlp_levels.normalize(tlp)
    if group and group.strip():
        audience = Audience(group_id=member_group(session, viewer.org_id, group))
    elif level in ("clear", "green"):
        audience = Audience(tlp=level)
    else:  # AMBER without a group, AMBER+STRICT, RED: the viewer's organisation alone
        return lambda model: true()
    return lambda model: audience_receives(model, audience)


def verified_reports(store: Store, viewer: Viewer, where: IncidentFilter, tlp: str = "amber",
                     group: str | None = None) -> dict:
    """For an exercise built from the store: the current reports (not analysts' own hand-coded ones) with a claim
    some analyst agreed with in a matching incident, each with its text and every claim of it the viewer sees, and
    the visible assessments of those claims. A report enters only if everyone who will see the exercise (marked
    `tlp`, shared with `group`) may see it."""
    with store.session() as session:
        receives = _exercise_audience(session, viewer, tlp, group)
        agreed = select(Assessment.claim_id).where(visible(Assessment, viewer), Assessment.verdict == "agree",
                                                   receives(Assessment))
        candidates = and_(~Claim.retired, visible(Claim, viewer), Claim.id.in_(agreed))
        incidents = _matching(session, where, viewer, select(Claim.incident_id).where(candidates))
        by_hand = and_(Report.extractor_version.isnot(None), Report.extractor_version == HAND_CODED)
        readable = and_(visible(Report, viewer), Report.is_current, ~by_hand, receives(Report))
        report_ids = select(Claim.report_id).where(candidates, Claim.incident_id.in_(incidents))
        reports = list(session.scalars(select(Report).where(readable, Report.id.in_(report_ids))
                                       .order_by(Report.published.nulls_last(), Report.id)))
        ids = [r.id for r in reports]
        rows = []
        for start in range(0, len(ids), 5000):  # a visible claim makes its incident visible (access.rules.visible)
            rows += session.execute(
                select(Claim, Incident.kind, Incident.status).join(Incident, Incident.id == Claim.incident_id)
                .where(Claim.report_id.in_(ids[start:start + 5000]), ~Claim.retired, visible(Claim, viewer),
                       receives(Claim)).order_by(Claim.id)).all()
        matching = set(incidents)
        claims = [{**_claim_row(claim, kind), "counted": status == "active" and claim.incident_id in matching}
                  for claim, kind, status in rows]
        verdicts = _verdicts(session, viewer, [c["id"] for c in claims], None, receives)
        audit.record(session, viewer, "read", "report", None, "ok",
                     f"verified reports for an exercise: {len(reports)} reports")
        return {"reports": [{"id": r.id, "title": r.title, "text": r.text, "published": r.published,
                             "source": r.source.name} for r in reports],
                "claims": claims, "verdicts": verdicts}
