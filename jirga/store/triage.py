"""What the incident list says of each row beyond its summary: the credibility of its toll (or, without one, of its
date) and the fields its sources disagree on. Computed for the listed rows only, from the claims the viewer may
see, by the same consensus and Admiralty grading as the incident page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from jirga.access import Viewer, visible
from jirga.db.schema import Claim, Incident, Report
from jirga.fuse.consensus import consensus
from jirga.fuse.grading import LABELS, grade_all, near_copies
from jirga.store.summary import facts_of

GRADED = ("killed", "date")  # the fact whose credibility a row shows: its toll, else when it happened


@dataclass(frozen=True)
class RowNotes:
    credibility: int | None = None  # Admiralty 1-6
    graded: str | None = None  # the fact graded
    reason: str = ""
    disagree: list[str] = field(default_factory=list)  # the fields the sources disagree on

    @property
    def label(self) -> str:
        return LABELS[self.credibility] if self.credibility else ""


def row_notes(session: Session, incidents: Sequence[Incident], viewer: Viewer) -> dict[int, RowNotes]:
    ids = [incident.id for incident in incidents]
    if not ids:
        return {}
    claims: dict[int, list[Claim]] = {}
    for claim in session.scalars(select(Claim).where(Claim.incident_id.in_(ids), visible(Claim, viewer))
                                 .order_by(Claim.id)):
        claims.setdefault(claim.incident_id, []).append(claim)
    every = [claim for listed in claims.values() for claim in listed]
    facts = dict(zip((claim.id for claim in every), facts_of(session, every), strict=True))
    report_ids = {claim.report_id for claim in every if claim.report_id is not None}
    texts = dict(session.execute(select(Report.id, Report.text).where(
        Report.id.in_(report_ids), visible(Report, viewer))).all()) if report_ids else {}
    notes = {}
    for incident_id, listed in claims.items():
        told = [facts[claim.id] for claim in listed]
        agreed = consensus(told)
        copies = near_copies({claim.report_id: texts[claim.report_id] for claim in listed
                              if claim.report_id in texts})
        grades = grade_all(told, agreed, copies)
        graded = next((name for name in GRADED if name in grades), None)
        grade = grades.get(graded)
        notes[incident_id] = RowNotes(grade.level if grade else None, graded, grade.reason if grade else "",
                                      disagreeing_fields(agreed.conflicts))
    return notes


def disagreeing_fields(conflicts: list[str]) -> list[str]:
    """'killed: 70 (Dawn) vs 74 (Reuters)' is about killed, 'responsibility claimed by 2 groups' about
    responsibility."""
    names = [conflict.split(":", 1)[0] if ":" in conflict else conflict.split(" ", 1)[0] for conflict in conflicts]
    return list(dict.fromkeys(names))
