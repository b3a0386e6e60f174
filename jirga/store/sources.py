"""Each organisation's Admiralty grade of the sources it reads, set by its analysts, with the history of who set
which grade and why (kept in the audit log, where every grading is recorded anyway)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select

from jirga.access import NotFound, Viewer, visible
from jirga.access.acts import audited
from jirga.db.access_schema import AuditEntry
from jirga.db.database import Store
from jirga.db.schema import Report, SourceGrade
from jirga.store.records import check_reliability

RELIABILITY = {
    "A": "completely reliable", "B": "usually reliable", "C": "fairly reliable", "D": "not usually reliable",
    "E": "unreliable", "F": "reliability cannot be judged",
}


@dataclass(frozen=True)
class GradeChange:
    at: str
    by: str
    detail: str


def grade_source(store: Store, viewer: Viewer, source_id: int, reliability: str, reason: str) -> str:
    """Set the viewer's organisation's grade of a source it can see (analysts and above); returns the old grade.
    Another organisation's grade of the same source never changes."""
    reliability = check_reliability(reliability.strip().upper())
    reason = " ".join(reason.split())[:500]
    with audited(store, viewer, "write", "source", source_id, role="analyst", doing="grade sources") as act:
        seen = act.session.scalar(select(exists().where(Report.source_id == source_id, visible(Report, viewer))))
        if not seen:
            raise NotFound(f"no source {source_id}")
        grade = act.session.get(SourceGrade, (viewer.org_id, source_id))
        old = grade.reliability if grade else "F"
        if grade is None:
            act.session.add(SourceGrade(org_id=viewer.org_id, source_id=source_id, reliability=reliability))
        else:
            grade.reliability = reliability
        act.detail = f"grade {old} -> {reliability}" + (f": {reason}" if reason else "")
    return old


def grade_history(store: Store, viewer: Viewer, source_id: int) -> list[GradeChange]:
    """How the viewer's organisation graded a source over time, newest first (its own gradings only)."""
    with store.session() as session:
        rows = session.scalars(select(AuditEntry).where(
            AuditEntry.org_id == viewer.org_id, AuditEntry.action == "write", AuditEntry.target_type == "source",
            AuditEntry.target_id == str(source_id), AuditEntry.result == "ok").order_by(AuditEntry.id.desc()))
        return [GradeChange(entry.at.strftime("%Y-%m-%d %H:%M"), entry.actor, entry.detail) for entry in rows]
