"""Reports: the list, the reader (the text with every coded field highlighted), a claim's panel, and adding a
report by pasting or uploading it (extracted at once)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from jirga.access import NotFound
from jirga.access.rules import member_groups
from jirga.ingest.readers import read_upload
from jirga.ingest.textfile import DEFAULT_MAX_BYTES, BadInput
from jirga.model import tlp as tlp_levels
from jirga.model.checks import check_date
from jirga.model.report import IncomingReport
from jirga.model.tlp import LEVELS
from jirga.store import present
from jirga.store.browse import get_claim, get_report, incidents_of, incidents_told_by, list_reports, report_claims
from jirga.store.queries import parse_period, search_reports
from jirga.web.api.models import MAX_ID, PathId
from jirga.web.api.reports import group_of, store_report
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer
from jirga.web.pages.rendering import render

router = APIRouter()


@router.get("/reports")
def reports_page(request: Request, viewer: ActingViewer, before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
    with store_of(request).session() as session:
        found = list_reports(session, viewer=viewer, limit=50, before_id=before)
        return render(request, "reports.html", reports=found, more=found[-1].id if len(found) == 50 else None)


@router.get("/reports/new")
def new_report_page(request: Request, viewer: ActingViewer):
    return render(request, "add_report.html", levels=LEVELS, form={}, groups=_groups(request, viewer))


def _groups(request: Request, viewer) -> list[str]:
    with store_of(request).session() as session:
        return member_groups(session, viewer.org_id)


@router.post("/reports/new")
async def add_report(request: Request, viewer: ActingViewer, source: Annotated[str, Form(min_length=1, max_length=200)],
                     text: Annotated[str, Form(max_length=2_000_000)] = "", title: Annotated[str, Form()] = "",
                     published: Annotated[str, Form()] = "", tlp: Annotated[str, Form()] = "amber",
                     reliability: Annotated[str, Form()] = "", group: Annotated[str, Form(max_length=200)] = "",
                     upload: Annotated[UploadFile | None, File()] = None):
    form = {"source": source, "text": text, "title": title, "published": published, "tlp": tlp,
            "reliability": reliability, "group": group}
    data = await upload.read(DEFAULT_MAX_BYTES + 1) if upload is not None and upload.filename else b""
    return await run_in_threadpool(_store, request, viewer, form, data, upload.filename if data else None)


def _store(request: Request, viewer, form: dict, data: bytes, filename: str | None):
    try:
        published = (check_date(parse_period(form["published"]).start, "published")
                     if form["published"].strip() else None)
        if filename:
            items = list(read_upload(data, filename))
        elif form["text"].strip():
            items = [IncomingReport(form["text"], f"pasted by {viewer.username}")]
        else:
            raise BadInput("paste a report's text or choose a file")
        group = group_of(store_of(request), viewer, form["group"])
    except BadInput as error:
        return render(request, "add_report.html", status_code=422, levels=LEVELS, form=form, problems=[str(error)],
                      groups=_groups(request, viewer))
    problems, stored = [], []
    for item in items:
        if isinstance(item, BadInput):
            problems.append(str(item))
            continue
        item = item.with_defaults(title=form["title"].strip() or None, source=form["source"].strip(),
                                  published=published)
        result = store_report(store_of(request), viewer, _marked(item, form["tlp"]), form["reliability"] or None,
                              group)
        problems.extend(result["errors"])
        if result["report_id"]:
            stored.append(result)
    if len(stored) == 1 and not problems:
        return RedirectResponse(f"/reports/{stored[0]['report_id']}?added=1", status_code=303)
    return render(request, "add_report.html", status_code=200 if stored else 422, levels=LEVELS, form=form,
                  problems=problems, stored=stored, groups=_groups(request, viewer))


def _marked(item: IncomingReport, tlp: str) -> IncomingReport:
    """The form's marking, or the file's own if stricter (a partner's TLP:RED bundle stays red)."""
    return replace(item, tlp=tlp_levels.most_restrictive(item.tlp, tlp) if item.tlp else tlp_levels.normalize(tlp))


@router.get("/reports/{report_id}")
def report_page(request: Request, report_id: PathId, viewer: ActingViewer,
                incident: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                added: bool = False):
    with store_of(request).session() as session:
        report = get_report(session, report_id, viewer=viewer)
        page = None
        if report is not None:
            claims = report_claims(session, report, viewer)
            page = render(request, "report.html", report=report, claims=claims, focus=incident, added=added,
                          segments=present.highlight(report.text, claims, incident),
                          incidents=incidents_of(session, claims, viewer))
    if page is None:
        raise NotFound(f"no report {report_id}")
    return page


@router.get("/claims/{claim_id}/panel")
def claim_panel(request: Request, claim_id: PathId, viewer: ActingViewer):
    """What was coded from one highlighted span (loaded into the reader's side panel)."""
    with store_of(request).session() as session:
        claim = get_claim(session, claim_id, viewer=viewer)
        page = render(request, "_claim_panel.html", claim=claim) if claim else None
    if page is None:
        raise NotFound(f"no claim {claim_id}")
    return page


@router.get("/search")
def search_page(request: Request, viewer: ActingViewer, q: Annotated[str, Query(max_length=500)] = ""):
    hits, grouped = [], []
    with store_of(request).session() as session:  # the page reads the incidents found: rendered in the session
        if q.strip():
            hits = search_reports(session, q, 50, viewer=viewer)
            grouped = incidents_told_by(session, [hit.report_id for hit in hits], viewer)
        return render(request, "search.html", q=q, hits=hits, grouped=grouped)
