"""Incidents: the filtered list (keyset pages), one incident with its claims side by side, its history, and the
analysts' decisions (assess a claim, merge, split)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from jirga.access import NotFound, visible
from jirga.db.schema import Assessment
from jirga.model.checks import check_date
from jirga.store import decisions, present
from jirga.store.decisions import decide
from jirga.store.queries import (
    HIDE,
    SORTS,
    IncidentFilter,
    QueryError,
    get_incident,
    incident_actors,
    list_incidents,
    parse_period,
)
from jirga.store.verification import verification
from jirga.web.api import models
from jirga.web.auth import store_of
from jirga.web.deps import ActingViewer

router = APIRouter(tags=["incidents"])

Text = Annotated[str | None, Query(max_length=300)]


MAX_OFFSET = 10**7


def encode_cursor(date: dt.date | None, incident_id: int) -> str:
    return base64.urlsafe_b64encode(f"{date.isoformat() if date else ''}~{incident_id}".encode()).decode()


def encode_offset(offset: int) -> str:
    """The next page of an order the keyset cursor does not page (any but newest first): where it starts."""
    return base64.urlsafe_b64encode(f"+{offset}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[tuple[dt.date | None, int] | None, int]:
    """(keyset position, offset): one of them says where the page starts."""
    try:
        date, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition("~")
        if date.startswith("+") and not number:
            if not 0 <= int(date[1:]) <= MAX_OFFSET:
                raise ValueError(date)
            return None, int(date[1:])
        if not 1 <= int(number) <= models.MAX_ID:  # no incident has another, and the database would refuse it
            raise ValueError(number)
        return ((dt.date.fromisoformat(date) if date else None), int(number)), 0
    except (ValueError, UnicodeError, binascii.Error):
        raise QueryError(f"not a cursor from this API: {cursor[:60]!r}") from None


def next_cursor(where: IncidentFilter, found: list) -> str | None:
    """The cursor of the page after `found`, if it was full: a keyset for newest first, else an offset."""
    if len(found) < where.limit:
        return None
    if (where.sort, where.ascending, where.offset) == ("date", False, 0):
        return encode_cursor(found[-1].date_start, found[-1].id)
    return encode_offset(where.offset + len(found))


Period = Annotated[str | None, Query(max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD")]


def incident_filter(actor: Annotated[str | None, Query(max_length=300, description="name, alias or acronym; its "
                                                        "provinces and branches are included")] = None,
                    country: Annotated[str | None, Query(max_length=300, description="ISO code or name")] = None,
                    province: Annotated[str | None, Query(max_length=300, description="ISO 3166-2 code or name")
                                        ] = None,
                    kind: Text = None, attack_type: Text = None, since: Period = None, until: Period = None,
                    conflicts: Annotated[bool, Query(description="only incidents whose sources disagree")] = False,
                    actor_role: Annotated[Literal["perpetrator", "mentioned", ""] | None, Query(
                        description="with actor: perpetrator (claimed, did, blamed) or mentioned (about, against, "
                                    "denied)")] = None,
                    hide: Annotated[list[Literal[HIDE]], Query(
                        description="leave out undated, single-source or low-credibility incidents (repeat)")] = (),
                    sort: Annotated[Literal[tuple(SORTS)], Query(description="the order, largest or newest first")
                                    ] = "date",
                    order: Annotated[Literal["desc", "asc"], Query()] = "desc",
                    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
                    limit: Annotated[int, Query(ge=1, le=500)] = 50,
                    cursor: Annotated[str | None, Query(max_length=100)] = None) -> IncidentFilter:
    """The filters of `jirga incidents`, shared by the API and the pages."""
    for name, value in (("since", since), ("until", until)):
        if value:  # a date outside 1900..tomorrow matches nothing worth asking for: say so (400), not a crash
            check_date(parse_period(value).start, name)
    after, offset = decode_cursor(cursor) if cursor else (None, offset)
    return IncidentFilter(actor=actor or None, country=country or None, province=province or None, kind=kind or None,
                          attack_type=attack_type or None, since=since or None, until=until or None,
                          conflicts=conflicts, actor_role=(actor_role or None) if actor else None,
                          hide=tuple(dict.fromkeys(hide)), sort=sort, ascending=order == "asc", offset=offset,
                          limit=limit, after=after)


Filter = Annotated[IncidentFilter, Depends(incident_filter)]


@router.get("/incidents", response_model=models.IncidentPage, summary="Incidents, newest first")
def incidents(request: Request, viewer: ActingViewer, where: Filter) -> dict:
    with store_of(request).session() as session:
        found = list_incidents(session, where, viewer=viewer)
        actors = incident_actors(session, found, viewer)
        items = [present.incident_row(incident, actors) for incident in found]
    return {"items": items, "next_cursor": next_cursor(where, found)}


@router.get("/incidents/{incident_id}", response_model=models.IncidentDetail,
            summary="One incident: claims side by side, consensus, conflicts, credibility, assessments")
def incident(request: Request, incident_id: models.PathId, viewer: ActingViewer) -> dict:
    with store_of(request).session() as session:
        found = get_incident(session, incident_id, viewer=viewer)
        detail = incident_detail(session, found, viewer) if found is not None else None
    if detail is None:  # after the commit, so that the audit entry of the refusal stays
        raise NotFound(f"no incident {incident_id}")
    return detail


def incident_detail(session, found, viewer, claims: bool = True) -> dict:
    """The incident as the API gives it; `claims=False` leaves out the claims (the page renders them itself)."""
    actors = incident_actors(session, [found], viewer)
    assessments = session.scalars(select(Assessment).where(Assessment.incident_id == found.id,
                                                           visible(Assessment, viewer)).order_by(Assessment.id))
    return present.incident_row(found, actors) | {
        "claims": [present.claim_dict(claim) for claim in present.ordered_claims(found)] if claims else [],
        "verification": verification(session, found, viewer),
        "assessments": [assessment_dict(a) for a in assessments]}


def assessment_dict(a: Assessment) -> dict:
    return {"id": a.id, "claim_id": a.claim_id, "incident_id": a.incident_id, "verdict": a.verdict,
            "confidence": a.confidence, "reason": a.reason, "created_by": a.created_by, "created_at": a.created_at,
            "tlp": a.tlp, "origin": a.origin}


@router.get("/incidents/{incident_id}/history", response_model=list[models.HistoryEntry],
            summary="How the incident came to be what it is")
def incident_history(request: Request, incident_id: models.PathId, viewer: ActingViewer) -> list[dict]:
    with store_of(request).session() as session:  # a refusal is audited: raise after the commit
        entries = decisions.history(session, incident_id, viewer)
        rows = None if entries is None else [
            {"id": e.id, "action": e.action, "created_by": e.created_by, "created_at": e.created_at,
             "reason": e.reason, "detail": e.detail, "summary": e.summary} for e in entries]
    if rows is None:
        raise NotFound(f"no incident {incident_id}")
    return rows


@router.post("/claims/{claim_id}/assessments", response_model=models.Assessment, status_code=201,
             summary="Agree with or dispute a claim (analysts)")
def assess(request: Request, claim_id: models.PathId, body: models.AssessmentIn, viewer: ActingViewer) -> dict:
    return decide(store_of(request), viewer, "assess", lambda session: assessment_dict(
        decisions.assess(session, claim_id, body.verdict, viewer, body.reason, body.confidence)))


@router.post("/claims/{claim_id}/move", response_model=models.Decision,
             summary="Move a claim (or its whole event) to another incident or a new one (analysts)")
def move_claim(request: Request, claim_id: models.PathId, body: models.MoveIn, viewer: ActingViewer) -> dict:
    def act(session) -> dict:
        target, entry = decisions.move_claims(session, claim_id, None if body.to == "new" else body.to, viewer,
                                              body.reason, body.event)
        return {"incident_id": target.id, "history_entry": entry.id,
                "message": f"{len(entry.detail['claims'])} claim(s) moved from incident {entry.incident_id} to "
                           f"{target.id}"}
    return decide(store_of(request), viewer, "move claim", act)


@router.post("/incidents/{incident_id}/merge", response_model=models.Decision,
             summary="Merge another incident into this one (analysts)")
def merge(request: Request, incident_id: models.PathId, body: models.MergeIn, viewer: ActingViewer) -> dict:
    def act(session) -> dict:
        keep, entry = decisions.merge(session, incident_id, body.other, viewer, body.reason)
        return {"incident_id": keep.id, "history_entry": entry.id,
                "message": f"incident {body.other} merged into {keep.id}"}
    return decide(store_of(request), viewer, "merge", act)


@router.post("/incidents/{incident_id}/split", response_model=models.Decision,
             summary="Move some reports' claims to a new incident (analysts)")
def split(request: Request, incident_id: models.PathId, body: models.SplitIn, viewer: ActingViewer) -> dict:
    def act(session) -> dict:
        new, entry = decisions.split(session, incident_id, body.reports, viewer, body.reason)
        return {"incident_id": new.id, "history_entry": entry.id,
                "message": f"reports {', '.join(map(str, body.reports))} split off into incident {new.id}"}
    return decide(store_of(request), viewer, "split", act)


@router.post("/incidents/{incident_id}/dismiss", response_model=models.Decision,
             summary="Mark an incident as not one: it leaves every list; undo reverses it (analysts)")
def dismiss(request: Request, incident_id: models.PathId, body: models.UndoIn, viewer: ActingViewer) -> dict:
    def act(session) -> dict:
        incident, entry = decisions.dismiss(session, incident_id, viewer, body.reason)
        return {"incident_id": incident.id, "history_entry": entry.id, "message": f"incident {incident.id} dismissed"}
    return decide(store_of(request), viewer, "dismiss", act)


@router.post("/history/{entry_id}/undo", response_model=models.Decision,
             summary="Undo an analyst's merge or split, as a decision of its own (analysts)")
def undo(request: Request, entry_id: models.PathId, body: models.UndoIn, viewer: ActingViewer) -> dict:
    def act(session) -> dict:
        undone = decisions.undo(session, entry_id, viewer, body.reason)
        return {"incident_id": undone.incident_id, "history_entry": undone.id,
                "message": f"history entry {entry_id} undone"}
    return decide(store_of(request), viewer, "undo", act)
