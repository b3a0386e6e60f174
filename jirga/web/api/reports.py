"""Reports: list, read with the claims coded from them, store a new one (extracted at once), search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from jirga.access import NotFound, Viewer, audit, visible
from jirga.access.rules import member_group
from jirga.db import Store
from jirga.db.schema import Claim, Report
from jirga.model.report import IncomingReport
from jirga.pipeline.ingest import ingest_one
from jirga.store import present
from jirga.store.browse import get_report, list_reports, report_claims
from jirga.store.queries import QueryError, search_reports
from jirga.store.records import check_reliability
from jirga.web.api import models
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer

router = APIRouter(tags=["reports"])


@router.get("/reports", response_model=models.ReportPage, summary="Current reports, newest stored first")
def reports(request: Request, viewer: ActingViewer,
            source: Annotated[str | None, Query(max_length=200), models.NoControl] = None,
            limit: Annotated[int, Query(ge=1, le=500)] = 50,
            cursor: Annotated[str | None, Query(max_length=20, pattern=r"^\d{1,18}$")] = None) -> dict:
    if cursor and int(cursor) > models.MAX_ID:  # no report has such an id, and the database would refuse it
        raise QueryError(f"not a cursor from this API: {cursor!r}")
    with store_of(request).session() as session:
        found = list_reports(session, viewer=viewer, limit=limit, before_id=int(cursor) if cursor else None,
                             source=source)
        items = [present.report_dict(report) for report in found]
    return {"items": items, "next_cursor": str(found[-1].id) if len(found) == limit else None}


@router.get("/reports/{report_id}", response_model=models.ReportDetail,
            summary="One report: its text and every claim coded from it, with spans")
def report(request: Request, report_id: models.PathId, viewer: ActingViewer) -> dict:
    with store_of(request).session() as session:
        found = get_report(session, report_id, viewer=viewer)
        detail = None if found is None else present.report_dict(found) | {
            "text": found.text, "claims": [present.claim_dict(c) for c in report_claims(session, found, viewer)]}
    if detail is None:
        raise NotFound(f"no report {report_id}")
    return detail


def group_of(store: Store, viewer: Viewer, name: str | None) -> int | None:
    """The sharing group named, if the viewer's organisation is a member (GroupError otherwise: 422)."""
    if not name or not name.strip():
        return None
    with store.session() as session:
        return member_group(session, viewer.org_id, name)


def store_report(store: Store, viewer: Viewer, incoming: IncomingReport, reliability: str | None,
                 group: int | None = None) -> dict:
    """Extract and store one report for the viewer's organisation (the API's POST and the pages' paste/upload),
    in sharing group `group` (see `group_of`)."""
    report_id, summary, errors, notes = ingest_one(store, incoming, viewer.org_id,
                                                   check_reliability(reliability) if reliability else None,
                                                   viewer=viewer, group=group)
    incidents: list[int] = []
    with store.session() as session:
        if report_id is not None and not session.scalar(select(visible(Report, viewer)).where(Report.id == report_id)):
            report_id = None  # the same text from the same source, stored by an organisation that did not share it
            errors.append("this source's report with the same text is already stored")
        if report_id is not None:
            incidents = sorted(set(session.scalars(select(Claim.incident_id).where(
                Claim.report_id == report_id, visible(Claim, viewer)))))
        audit.record(session, viewer, "write", "report", report_id, "ok" if report_id else "not_found",
                     "; ".join([summary.line(), *errors, *notes])[:2000])
    return {"report_id": report_id, "summary": summary.line(), "errors": errors, "notes": notes,
            "incidents": incidents}


@router.post("/reports", response_model=models.Stored, status_code=201,
             summary="Store a report: it is extracted at once and its events join or open incidents (analysts)")
def add_report(request: Request, body: models.ReportIn, viewer: ActingViewer) -> dict:
    incoming = IncomingReport(body.text, f"api:{viewer.username}", title=body.title, source=body.source,
                              url=body.url, published=body.published, tlp=body.tlp)
    store = store_of(request)
    stored = store_report(store, viewer, incoming, body.reliability, group_of(store, viewer, body.group))
    if stored["report_id"] is None:
        raise QueryError("; ".join(stored["errors"]) or "the report was not stored")
    return stored


@router.get("/search", response_model=list[models.SearchHit], summary="Reports holding all the words, best first")
def search(request: Request, viewer: ActingViewer, q: Annotated[str, Query(min_length=1, max_length=500)],
           limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[dict]:
    with store_of(request).session() as session:
        hits = search_reports(session, q, limit, viewer=viewer)
    return [{"report": h.report_id, "title": h.title, "source": h.source, "published": h.published,
             "snippet": h.snippet} for h in hits]
