"""Withdrawing a report: it and its claims leave the store for good, with who, when and why in the audit log.

Withdrawal deletes; it cannot be undone. A report is withdrawn because it should not be there (posted under the
wrong marking or organisation, by mistake, hostile or poisoned, or taken down): a copy kept in the database would
be one forgotten filter away from being shown, and every query (the machine's clustering and consensus too) would
have to know about it. The audit entry keeps what identified it (id, uuid, owner, source, content hash), so its
owner can ingest it again if it was withdrawn in error.

Who: an instance admin, any report they may see; an org admin, their own organisation's reports. A report the
user may not see answers "no report N", exactly as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from jirga.access import NotFound, PermissionDenied, Viewer, audit, visible
from jirga.access.acts import audited
from jirga.db.database import Store
from jirga.db.schema import (
    Assessment,
    CannotLink,
    Claim,
    Incident,
    IncidentActor,
    IncidentHistory,
    Relation,
    Report,
)
from jirga.errors import WithdrawalError
from jirga.store import month_sums
from jirga.store.queries import MAX_ID
from jirga.store.records import record
from jirga.store.summary import summarize


@dataclass(frozen=True)
class Withdrawn:
    report_id: int
    claims: int  # claims deleted with it
    removed: list[int]  # incidents it alone told, deleted
    recomputed: list[int]  # incidents that keep other reports' claims, summarised again
    current_again: int | None  # the earlier revision that is current again, if the withdrawn one was current


def withdraw(store: Store, viewer: Viewer, report_id: int, reason: str) -> Withdrawn:
    """One transaction with its audit entry; a refusal is audited in a transaction of its own and raised."""
    with audited(store, viewer, "write", "report", report_id if 0 < report_id <= MAX_ID else None, detail=None,
                 refusal_prefix="withdraw: ") as act:
        return withdraw_report(act.session, report_id, viewer, reason)


def withdraw_report(session: Session, report_id: int, viewer: Viewer, reason: str) -> Withdrawn:
    if viewer.role not in ("org_admin", "instance_admin"):
        raise PermissionDenied(f"{viewer.username} ({viewer.role}) may not withdraw reports: it needs the role "
                               "org_admin (their organisation's reports) or instance_admin")
    report = session.scalar(select(Report).where(Report.id == report_id, visible(Report, viewer))
                            .with_for_update(of=Report)) if 0 < report_id <= MAX_ID else None
    if report is None or (viewer.role == "org_admin" and report.owner_org_id != viewer.org_id):
        # An org admin may see a partner's report but not withdraw it; say so only for one they can see.
        if report is not None:
            raise PermissionDenied(f"{viewer.username} (org_admin) may withdraw only their organisation's reports; "
                                   f"report {report_id} is a partner's")
        raise NotFound(f"no report {report_id}")
    reason = reason.strip()
    if not reason:
        raise WithdrawalError("a reason is required (--reason): it is kept in the audit log")

    claims = list(session.execute(select(Claim.id, Claim.incident_id).where(Claim.report_id == report.id)))
    claim_ids = [claim_id for claim_id, _ in claims]
    touched = sorted({incident_id for _, incident_id in claims})
    session.execute(delete(Assessment).where(Assessment.claim_id.in_(claim_ids)))
    session.execute(delete(Claim).where(Claim.report_id == report.id))
    session.execute(delete(Relation).where(Relation.report_id == report.id))
    session.execute(delete(CannotLink).where(CannotLink.report_id == report.id))
    # Its revisions: the earlier one is current again if this one was; a later one now follows the earlier one.
    current_again = report.supersedes_id if report.is_current else None
    session.execute(update(Report).where(Report.supersedes_id == report.id)
                    .values(supersedes_id=report.supersedes_id).execution_options(synchronize_session=False))
    if current_again is not None:
        session.execute(update(Report).where(Report.id == current_again).values(is_current=True)
                        .execution_options(synchronize_session=False))
    described = (f"withdraw report {report.id} (uuid {report.uuid}, owner organisation {report.owner_org_id}, "
                 f"source {report.source.name!r}, revision {report.revision}, TLP:{report.tlp.upper()}, "
                 f"sha256 {report.content_hash})")
    session.delete(report)
    session.flush()
    session.expire_all()

    removed, recomputed = [], []
    for incident in session.scalars(select(Incident).where(Incident.id.in_(touched)).order_by(Incident.id)):
        if not incident.claims:  # only the withdrawn report told it
            _delete_incident(session, incident)
            removed.append(incident.id)
            continue
        summarize(session, incident, incident.claims)
        record(session, incident, "withdrawn", {"report_id": report_id, "claims": claim_ids}, viewer.username)
        recomputed.append(incident.id)
    _restatus(session, recomputed + _told_by(session, current_again))
    audit.record(session, viewer, "write", "report", report_id, "ok",
                 f"{described}: {len(claim_ids)} claims; incidents removed {removed or 'none'}, recomputed "
                 f"{recomputed or 'none'}; reason: {reason}")
    session.flush()
    return Withdrawn(report_id, len(claim_ids), removed, recomputed, current_again)


def _delete_incident(session: Session, incident: Incident) -> None:
    for model in (IncidentHistory, CannotLink, Assessment, IncidentActor):
        session.execute(delete(model).where(model.incident_id == incident.id))
    session.delete(incident)
    session.flush()
    month_sums.refresh(session, [incident.id])


def _told_by(session: Session, report_id: int | None) -> list[int]:
    if report_id is None:
        return []
    return list(session.scalars(select(Claim.incident_id).distinct().where(Claim.report_id == report_id)))


def _restatus(session: Session, incident_ids: list[int]) -> None:
    """Active while a current revision or an analyst tells the incident, superseded otherwise (merged ones stay)."""
    current = select(Report.id).where(Report.is_current)
    told = exists().where(Claim.incident_id == Incident.id, ~Claim.retired,
                          (Claim.origin != "machine") | Claim.report_id.in_(current))
    for status, condition in (("active", told), ("superseded", ~told)):
        session.execute(update(Incident).where(Incident.id.in_(incident_ids), Incident.status != "merged",
                                               Incident.status != status, condition)
                        .values(status=status).execution_options(synchronize_session=False))
    month_sums.refresh(session, incident_ids)
