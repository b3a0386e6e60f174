"""What the triage list's low-credibility filter reads, kept on each incident view so that the filter is a test of
the row rather than a subquery per incident.

Low credibility: no fact of the incident, as one audience sees it, can grade better than 4 (doubtful) by
`fuse.grading`: it rests on one source, which the organisation owning its report grades D-F (or not at all: F),
and no analyst coded or agreed with any of it. The writer stores the part that follows from the claims
(`corroborated`: two sources or more, an analyst's claim, an analyst's agreement) and, for the rest, the one source
and grading organisation it rests on; the grade itself is read with the list, since a grade changes without any
incident changing."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, or_, select, tuple_

from jirga.access.rules import Viewer, visible
from jirga.db.schema import Claim, Incident, IncidentView, Report, SourceGrade
from jirga.fuse.grading import TRUSTED

BASIS_COLUMNS = ("corroborated", "sole_source_id", "sole_source_org_id")


def basis(claims: list, reports: dict, verdicts: list) -> dict:
    """The view's basis columns from the claims one audience sees, their reports (`summary.report_rows`, with
    `source_id` and `owner_org_id`) and the verdicts it sees (`summary.verdict_rows`)."""
    told = [reports[c.report_id] for c in claims
            if not c.retired and c.report_id in reports and reports[c.report_id].is_current]
    sources = {report.source_id for report in told}
    graders = {report.owner_org_id for report in told}
    corroborated = (len(sources) >= 2 or any(c.origin == "analyst" and not c.retired for c in claims)
                    or any(v.verdict == "agree" for v in verdicts))
    sole = len(sources) == 1
    return {"corroborated": corroborated, "sole_source_id": next(iter(sources)) if sole else None,
            "sole_source_org_id": next(iter(graders)) if sole and len(graders) == 1 else None}


def credible(viewer: Viewer) -> ColumnElement[bool]:
    """The incidents (joined to the view `viewer` reads them through) that are not of low credibility."""
    trusted = select(SourceGrade.source_id, SourceGrade.org_id).where(SourceGrade.reliability.in_(tuple(TRUSTED)))
    # One source that reports of several organisations carry (rare): whichever's grade is trusted, from the claims.
    several = exists().where(
        Claim.incident_id == Incident.id, ~Claim.retired, visible(Claim, viewer), Report.id == Claim.report_id,
        Report.is_current, SourceGrade.source_id == Report.source_id, SourceGrade.org_id == Report.owner_org_id,
        SourceGrade.reliability.in_(tuple(TRUSTED)))
    return or_(IncidentView.corroborated,
               and_(IncidentView.sole_source_org_id.is_not(None),
                    tuple_(IncidentView.sole_source_id, IncidentView.sole_source_org_id).in_(trusted)),
               and_(IncidentView.sole_source_id.is_not(None), IncidentView.sole_source_org_id.is_(None), several))
