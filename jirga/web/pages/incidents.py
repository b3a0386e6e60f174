"""The incident list (filters, trend chart, pages) and the incident page (claims side by side, consensus,
credibility, and the analysts' decisions: agree, dispute, merge, split)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import Field

from jirga.access import NotFound
from jirga.assess import charts
from jirga.assess.stats import compute, span, total
from jirga.errors import BadInput
from jirga.model.vocab import ATTACK_TYPES, INCIDENT_KINDS
from jirga.store import decisions, present
from jirga.store.decisions import decide
from jirga.store.duplicates import listed_duplicates, possible_duplicates
from jirga.store.queries import HIDE, actor_names, get_incident, incident_actors, list_incidents
from jirga.store.triage import row_notes
from jirga.web.api.incidents import Filter, encode_cursor, incident_detail
from jirga.web.api.models import MAX_ID, PathId
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer
from jirga.web.pages.rendering import render

router = APIRouter()



@router.get("/")
def home():
    return RedirectResponse("/incidents", status_code=303)


def _query(request: Request, **change) -> str:
    """The page's query string with some parameters changed (None drops one); repeated ones (hide) kept."""
    kept = [(key, value) for key, value in request.query_params.multi_items() if value and key not in change]
    return urlencode(kept + [(key, value) for key, value in change.items() if value not in (None, "")])


SORTABLE = (("date", "Date"), ("killed", "Killed"), ("injured", "Injured"), ("reports", "Reports"))


@router.get("/incidents")
def incidents_page(request: Request, viewer: ActingViewer, where: Filter):
    """The triage list: sorted by a column, paged both ways by offset (a keyset cursor still reads), with the
    count and summed figures of the whole filter, and each row's credibility and disagreements."""
    with store_of(request).session() as session:
        found = list_incidents(session, where, viewer=viewer)
        actors = incident_actors(session, found, viewer)
        totals = total(session, where, viewer=viewer)
        notes = row_notes(session, found, viewer)
        sorting = {key: _query(request, cursor=None, offset=None, sort=key,
                               order="asc" if (where.sort, where.ascending) == (key, False) else "desc")
                   for key, _ in SORTABLE}
        return render(request, "incidents.html", incidents=found, actors=actors, where=where,
                      pages=_paging(request, where, found, totals.incidents), totals=totals, notes=notes,
                      sorting=sorting, sortable=SORTABLE,
                      kinds=INCIDENT_KINDS, attack_types=ATTACK_TYPES, hide_options=HIDE,
                      trend_query=_query(request, cursor=None, offset=None, sort=None, order=None),
                      first_page=where.after is None and not where.offset)


def _paging(request: Request, where, found: list, matching: int) -> dict:
    """Links to the previous and next pages, and the rows' position among the `matching` ("51-100 of 312")."""
    if where.after is not None:  # a keyset page (an older link) does not know its position: it goes on by keyset
        full = len(found) == where.limit
        return {"previous": None, "position": None,
                "next": _query(request, cursor=encode_cursor(found[-1].date_start, found[-1].id)) if full else None}
    end = where.offset + len(found)
    return {"previous": _query(request, offset=max(where.offset - where.limit, 0) or None) if where.offset else None,
            "next": _query(request, offset=end) if end < matching else None,
            "position": (where.offset + 1, end) if found else None}


@router.get("/incidents/trend")
def trend_fragment(request: Request, viewer: ActingViewer, where: Filter):
    """The trend charts of the filtered list (attacks unless it asks for another kind: never meetings and attacks
    in one bar), over its whole period; loaded after the page so that the list shows at once."""
    counted = replace(where, kind=where.kind or "attack", after=None)
    with store_of(request).session() as session:
        found = compute(session, counted, "month", viewer=viewer)
    period = span(found, counted)
    what = f"{counted.kind.replace('_', ' ')}s"
    charts_ = []
    if period:
        charts_ = [charts.trend({r.key: r.totals.incidents for r in found.rows if r.key}, *period,
                                what=what.capitalize(), unit=what),
                   charts.trend({r.key: r.totals.killed.best for r in found.rows if r.key}, *period,
                                what=f"Killed in {what}", unit="killed (best)", colour=charts.LINE)]
    return render(request, "_trend.html", charts=charts_, total=found.total, what=what)


MOST_LISTED = 500  # rows of one page at most (the API's largest limit)


@router.get("/incidents/duplicates")
def duplicates_fragment(request: Request, viewer: ActingViewer, ids: Annotated[str, Query(max_length=6000)] = ""):
    """Each listed row's closest possible duplicate, loaded after the list (so the list shows at once) and swapped
    into the rows out of band: `ids` are the rows' incident numbers, comma-separated."""
    if not re.fullmatch(r"\d{1,10}(,\d{1,10})*", ids) or len(ids.split(",")) > MOST_LISTED:
        raise BadInput(f"ids {ids[:40]!r}: give up to {MOST_LISTED} incident numbers separated by commas")
    wanted = [int(number) for number in ids.split(",") if 0 < int(number) <= MAX_ID]
    with store_of(request).session() as session:
        found = listed_duplicates(session, wanted, viewer)
    return render(request, "_duplicate_hints.html", near=found)


@router.get("/incidents/{incident_id}")
def incident_page(request: Request, incident_id: PathId, viewer: ActingViewer, merged: int | None = None):
    with store_of(request).session() as session:
        found = get_incident(session, incident_id, viewer=viewer)
        if found is None:
            page = None
        else:
            history = decisions.history(session, incident_id, viewer) or []
            into = decisions.merged_into(history) if found.status == "merged" else None
            if into is not None:  # a merged-away incident is an empty page: go where its claims went
                return RedirectResponse(f"/incidents/{into}?merged={incident_id}", status_code=303)
            detail = incident_detail(session, found, viewer, claims=False)
            claimants = actor_names(session, detail["verification"]["claimed_by"])
            assessed: dict[int, list[dict]] = {}
            for assessment in detail["assessments"]:
                assessed.setdefault(assessment["claim_id"], []).append(assessment)
            blamed = [name.rsplit(" (", 1)[0] for name in detail["actors"]
                      if name.endswith(("(perpetrator)", "(attributed)"))]
            page = render(request, "incident.html", incident=found, detail=detail, history=history, assessed=assessed,
                          matrix=present.claim_matrix(found), blamed=list(dict.fromkeys(blamed)),
                          duplicates=possible_duplicates(session, found, viewer),
                          merged_from=merged if merged and 0 < merged <= MAX_ID else None,
                          claimed_by=[claimants.get(a, a) for a in detail["verification"]["claimed_by"]],
                          reports=sorted({(c.report.id, c.report.title, c.report.source.name)
                                          for c in found.claims if c.report is not None}))
    if page is None:  # after the commit, so that the refusal's audit entry stays
        raise NotFound(f"no incident {incident_id}")
    return page


Reason = Annotated[str, Form(min_length=1, max_length=5000)]


@router.post("/claims/{claim_id}/assess")
def assess(request: Request, claim_id: PathId, viewer: ActingViewer, verdict: Annotated[str, Form()], reason: Reason,
           incident: Annotated[int, Form(ge=1, le=MAX_ID)]):
    decide(store_of(request), viewer, "assess",
           lambda session: decisions.assess(session, claim_id, verdict, viewer, reason))
    return RedirectResponse(f"/incidents/{incident}#consensus", status_code=303)


@router.post("/claims/{claim_id}/move")
def move_claim(request: Request, claim_id: PathId, viewer: ActingViewer, reason: Reason,
               to: Annotated[str, Form(max_length=20)], event: Annotated[bool, Form()] = False):
    if not re.fullmatch(r"\d{1,10}|new", to.strip()):
        raise BadInput(f"move claim {claim_id} to {to[:20]!r}: give an incident number or 'new'")
    target = None if to.strip() == "new" else int(to)
    moved = decide(store_of(request), viewer, "move claim",
                   lambda session: decisions.move_claims(session, claim_id, target, viewer, reason, event)[0].id)
    return RedirectResponse(f"/incidents/{moved}", status_code=303)


@router.post("/incidents/{incident_id}/merge")
def merge(request: Request, incident_id: PathId, viewer: ActingViewer, other: Annotated[int, Form(ge=1, le=MAX_ID)],
          reason: Reason):
    decide(store_of(request), viewer, "merge",
           lambda session: decisions.merge(session, incident_id, other, viewer, reason))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id}/split")
def split(request: Request, incident_id: PathId, viewer: ActingViewer, reason: Reason,
          report: Annotated[list[Annotated[int, Field(ge=1, le=MAX_ID)]], Form()]):
    new = decide(store_of(request), viewer, "split",
                 lambda session: decisions.split(session, incident_id, report, viewer, reason)[0].id)
    return RedirectResponse(f"/incidents/{new}", status_code=303)


@router.post("/incidents/{incident_id}/dismiss")
def dismiss(request: Request, incident_id: PathId, viewer: ActingViewer, reason: Reason):
    decide(store_of(request), viewer, "dismiss",
           lambda session: decisions.dismiss(session, incident_id, viewer, reason))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/history/{entry_id}/undo")
def undo(request: Request, entry_id: PathId, viewer: ActingViewer, reason: Reason):
    incident = decide(store_of(request), viewer, "undo",
                      lambda session: decisions.undo(session, entry_id, viewer, reason).incident_id)
    return RedirectResponse(f"/incidents/{incident}", status_code=303)
