"""Analysts decide: agree with or dispute a claim, merge two incidents, split reports out of one, move claims
from one incident to another, undo.

Each decision is one transaction that records who, when and why in the incident's history (and the audit log),
and recomputes the consensus at once. Deciding needs the analyst role, and an incident or claim the viewer may not
see answers "not found", as if it did not exist. `decide` runs one through `access.acts.audited`, which audits a
refusal in a transaction of its own, since the decision's is rolled back. The same functions serve the command line
and the web app.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jirga.access import NotFound, Viewer, audit, visible
from jirga.access.acts import audited
from jirga.access.rules import require_role, same_audience
from jirga.db.schema import Assessment, CannotLink, Claim, Incident, IncidentHistory
from jirga.errors import DecisionError
from jirga.store import month_sums
from jirga.store.queries import MAX_ID
from jirga.store.records import record
from jirga.store.summary import summarize

VERDICTS = ("agree", "dispute")
UNDOABLE = ("merged", "split", "dismissed", "moved")  # an analyst's decisions that undo can reverse


def _incident(session: Session, incident_id: int, viewer: Viewer) -> Incident:
    incident = session.scalar(select(Incident).where(Incident.id == incident_id, visible(Incident, viewer))) \
        if 0 < incident_id <= MAX_ID else None
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    if incident.status == "merged":
        raise DecisionError(f"incident {incident_id} was merged into another; act on that one")
    return incident


def _analyst(viewer: Viewer, doing: str) -> str:
    require_role(viewer, "analyst", doing)
    return viewer.username


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise DecisionError("a reason is required")
    return reason.strip()


def assess(session: Session, claim_id: int, verdict: str, viewer: Viewer, reason: str,
           confidence: str | None = None) -> Assessment:
    user = _analyst(viewer, "assess a claim")
    if verdict not in VERDICTS:
        raise DecisionError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    claim = session.scalar(select(Claim).where(Claim.id == claim_id, visible(Claim, viewer)))
    if claim is None:
        raise NotFound(f"no claim {claim_id}")
    incident = _incident(session, claim.incident_id, viewer)
    # The analyst's opinion is their organisation's record, marked as the claim it is about.
    assessment = Assessment(claim_id=claim.id, incident_id=incident.id, verdict=verdict, confidence=confidence,
                            reason=_require_reason(reason), created_by=user, owner_org_id=viewer.org_id,
                            tlp=claim.tlp, sharing_group_id=claim.sharing_group_id)
    session.add(assessment)
    session.flush()
    summarize(session, incident, incident.claims)
    record(session, incident, "assessed", {"claim": claim.id, "field": claim.field, "verdict": verdict},
           user, assessment.reason)
    audit.record(session, viewer, "write", "claim", claim.id, "ok", f"assess {verdict}")
    return assessment


def merge(session: Session, keep_id: int, other_id: int, viewer: Viewer,
          reason: str) -> tuple[Incident, IncidentHistory]:
    """All claims of `other` move to `keep`; `other` stays, marked merged, so the merge can be undone."""
    user = _analyst(viewer, "merge incidents")
    if keep_id == other_id:
        raise DecisionError("an incident cannot be merged with itself")
    keep, other = _incident(session, keep_id, viewer), _incident(session, other_id, viewer)
    if not session.scalar(select(Incident.id).where(Incident.id == other.id, same_audience(
            Incident, keep.owner_org_id, keep.tlp, keep.sharing_group_id))):
        raise DecisionError(f"incidents {keep.id} and {other.id} are seen by different organisations (owner, TLP or "
                            "sharing group differ); merged, one's claims would show through the other")
    reason = _require_reason(reason)
    moved = [c.id for c in other.claims]
    session.execute(update(Claim).where(Claim.incident_id == other.id).values(incident_id=keep.id)
                    .execution_options(synchronize_session=False))
    session.execute(update(Assessment).where(Assessment.incident_id == other.id).values(incident_id=keep.id)
                    .execution_options(synchronize_session=False))
    session.expire_all()
    other.status = "merged"
    summarize(session, keep, keep.claims)
    summarize(session, other, [])
    entry = record(session, keep, "merged", {"from": other.id, "claims": moved}, user, reason)
    record(session, other, "merged", {"into": keep.id, "claims": moved}, user, reason)
    audit.record(session, viewer, "write", "incident", keep.id, "ok", f"merge {other.id}")
    session.flush()
    return keep, entry


def split(session: Session, incident_id: int, report_ids: list[int], viewer: Viewer,
          reason: str) -> tuple[Incident, IncidentHistory]:
    """The claims of these reports leave the incident for a new one, and never come back by themselves."""
    user = _analyst(viewer, "split an incident")
    incident = _incident(session, incident_id, viewer)
    reason = _require_reason(reason)
    leaving = [c for c in incident.claims if c.report_id in set(report_ids)]
    if not leaving:
        raise DecisionError(f"incident {incident_id} has no claims from report(s) {', '.join(map(str, report_ids))}")
    if len(leaving) == len(incident.claims):
        raise DecisionError("that would leave the incident empty; split off the other reports instead")
    new = Incident(kind=incident.kind, owner_org_id=incident.owner_org_id, tlp=incident.tlp,
                   sharing_group_id=incident.sharing_group_id)
    session.add(new)
    session.flush()
    _move(session, [c.id for c in leaving], new.id)
    for report_id, event in {(c.report_id, c.event) for c in leaving if c.report_id is not None}:
        session.merge(CannotLink(report_id=report_id, event=event, incident_id=incident.id))
    session.expire_all()
    summarize(session, incident, incident.claims)
    summarize(session, new, new.claims)
    entry = record(session, incident, "split", {"to": new.id, "claims": [c.id for c in leaving],
                                                "reports": sorted(set(report_ids))}, user, reason)
    record(session, new, "created", {"split_from": incident.id, "claims": [c.id for c in leaving]}, user, reason)
    audit.record(session, viewer, "write", "incident", incident.id, "ok", f"split off {new.id}")
    session.flush()
    return new, entry

def dismiss(session: Session, incident_id: int, viewer: Viewer, reason: str) -> tuple[Incident, IncidentHistory]:
    """'Not an incident': the machine opened it from words that tell no event of their own (a claim about another
    attack, a comparison, a retrospective). It leaves every list and count; its claims stay for the record, and
    re-extraction puts the same events back into it, still dismissed. Undo makes it an incident again."""
    user = _analyst(viewer, "mark an incident as not one")
    incident = _incident(session, incident_id, viewer)
    if incident.status != "active":
        raise DecisionError(f"incident {incident_id} is {incident.status}, not active")
    reason = _require_reason(reason)
    incident.status = "dismissed"
    session.flush()
    month_sums.refresh(session, [incident.id])
    entry = record(session, incident, "dismissed", {}, user, reason)
    audit.record(session, viewer, "write", "incident", incident.id, "ok", "not an incident")
    session.flush()
    return incident, entry


def undo(session: Session, history_id: int, viewer: Viewer, reason: str) -> IncidentHistory:
    """Reverse an analyst's merge, split, dismissal or move, recorded as a decision of its own."""
    user = _analyst(viewer, "undo a decision")
    entry = _entry(session, history_id, viewer)
    if entry.action not in UNDOABLE or entry.created_by is None:
        raise DecisionError(f"history entry {history_id} is not an analyst's merge, split, dismissal or move")
    if entry.detail.get("undone_by"):
        raise DecisionError(f"history entry {history_id} was already undone")
    reason = _require_reason(reason)
    if entry.action == "merged" and "from" in entry.detail:
        keep, other = _incident(session, entry.incident_id, viewer), session.get(Incident, entry.detail["from"])
        _move(session, entry.detail["claims"], other.id)
        other.status = "active"
        touched = [keep, other]
    elif entry.action == "split":
        source, new = _incident(session, entry.incident_id, viewer), _incident(session, entry.detail["to"], viewer)
        _move(session, entry.detail["claims"], source.id)
        session.execute(CannotLink.__table__.delete().where(CannotLink.incident_id == source.id,
                                                            CannotLink.report_id.in_(entry.detail["reports"])))
        session.flush()
        session.expire_all()
        if not new.claims:  # reports that joined it after the split keep it alive
            new.status = "merged"
        touched = [source, new]
    elif entry.action == "dismissed":
        incident = _incident(session, entry.incident_id, viewer)
        incident.status = "active"
        touched = [incident]
    elif entry.action == "moved":
        touched = _move_back(session, entry, viewer)
    else:
        raise DecisionError(f"history entry {history_id} is the merged side; undo the entry of the kept incident")
    session.flush()
    session.expire_all()
    for incident in touched:
        summarize(session, incident, incident.claims)
    undone = record(session, touched[0], "undone", {"entry": entry.id, "action": entry.action}, user, reason)
    audit.record(session, viewer, "write", "incident", touched[0].id, "ok", f"undo {entry.id}")
    session.flush()
    for undone_id in (history_id, entry.detail.get("pair")):  # a move is told on both incidents
        if undone_id:
            done = session.get(IncidentHistory, undone_id)
            done.detail = {**done.detail, "undone_by": undone.id}
    return undone


def move_claims(session: Session, claim_id: int, to: int | None, viewer: Viewer, reason: str,
                whole_event: bool = False) -> tuple[Incident, IncidentHistory]:
    """Move a claim (or, `whole_event`, every claim its report told of the same event) to incident `to`, or to a new
    incident when `to` is None: the fix for a claim the machine put in the wrong incident, such as a claim of
    responsibility extracted into an incident of its own. An incident left with no claims is marked merged into
    `to` (its page leads there). Returns the incident the claims went to and the history entry of the move."""
    user = _analyst(viewer, "move a claim")
    claim = session.scalar(select(Claim).where(Claim.id == claim_id, visible(Claim, viewer))) \
        if 0 < claim_id <= MAX_ID else None
    if claim is None:
        raise NotFound(f"no claim {claim_id}")
    source = _incident(session, claim.incident_id, viewer)
    target = None if to is None else _incident(session, to, viewer)
    if target is not None and target.id == source.id:
        raise DecisionError(f"claim {claim_id} is already in incident {source.id}")
    if target is not None and target.status != "active":
        raise DecisionError(f"incident {target.id} is {target.status}, not active")
    if target is not None and not session.scalar(select(Incident.id).where(Incident.id == target.id, same_audience(
            Incident, source.owner_org_id, source.tlp, source.sharing_group_id))):
        raise DecisionError(f"incidents {source.id} and {target.id} are seen by different organisations (owner, TLP "
                            "or sharing group differ); moved, the claim would show through the other")
    reason = _require_reason(reason)
    moving = [claim]
    if whole_event and claim.report_id is not None:
        moving = list(session.scalars(select(Claim).where(
            Claim.incident_id == source.id, Claim.report_id == claim.report_id, Claim.event == claim.event,
            visible(Claim, viewer)).order_by(Claim.id)))
    moved = [c.id for c in moving]
    emptied = not session.scalar(select(Claim.id).where(Claim.incident_id == source.id, ~Claim.retired,
                                                        Claim.id.not_in(moved)).limit(1))
    if target is None:
        if emptied:
            raise DecisionError(f"those are all the claims of incident {source.id}; moved to a new incident they "
                                "would only change its number (move them to another incident instead)")
        target = Incident(kind=source.kind, owner_org_id=source.owner_org_id, tlp=source.tlp,
                          sharing_group_id=source.sharing_group_id)
        session.add(target)
        session.flush()
    _move(session, moved, target.id)
    unlinked = []  # an event moved out whole never comes back to its incident by itself (as after a split)
    if whole_event and claim.report_id is not None and session.get(
            CannotLink, (claim.report_id, claim.event, source.id)) is None:
        session.add(CannotLink(report_id=claim.report_id, event=claim.event, incident_id=source.id))
        unlinked = [claim.report_id, claim.event]
    if emptied:
        source.status = "merged"
    session.flush()
    session.expire_all()
    summarize(session, source, source.claims)
    summarize(session, target, target.claims)
    arrived = record(session, target, "moved", {"from": source.id, "claims": moved, "new": to is None}, user, reason)
    session.flush()
    entry = record(session, source, "moved", {"to": target.id, "claims": moved, "new": to is None,
                                              "emptied": emptied, "unlinked": unlinked, "pair": arrived.id},
                   user, reason)
    session.flush()
    arrived.detail = {**arrived.detail, "pair": entry.id}
    audit.record(session, viewer, "write", "claim", claim.id, "ok",
                 f"moved {len(moved)} claim(s) from incident {source.id} to {target.id}")
    session.flush()
    return target, entry


def _move_back(session: Session, entry: IncidentHistory, viewer: Viewer) -> list[Incident]:
    """Undo a move: the claims still in the incident they went to return to the one they left."""
    source_id, target_id = ((entry.incident_id, entry.detail["to"]) if "to" in entry.detail
                            else (entry.detail["from"], entry.incident_id))
    left = session.get(IncidentHistory, entry.detail["pair"]) if "from" in entry.detail else entry
    target = _incident(session, target_id, viewer)
    source = session.get(Incident, source_id)  # visible: `_entry` checked every incident the entry names
    if source.status == "merged" and not left.detail.get("emptied"):
        raise DecisionError(f"incident {source_id} was merged into another since; act on that one")
    claims = list(session.scalars(select(Claim.id).where(Claim.id.in_(left.detail["claims"]),
                                                         Claim.incident_id == target.id)))
    _move(session, claims, source.id)
    if left.detail.get("unlinked"):
        report_id, event = left.detail["unlinked"]
        session.execute(CannotLink.__table__.delete().where(CannotLink.incident_id == source.id,
                                                            CannotLink.report_id == report_id,
                                                            CannotLink.event == event))
    source.status = "active"
    session.flush()
    session.expire_all()
    if left.detail.get("new") and not target.claims:
        target.status = "merged"  # nothing else joined the new incident since: it goes as it came
    return [source, target]


def _entry(session: Session, history_id: int, viewer: Viewer) -> IncidentHistory:
    """The history entry, if the viewer may see every incident it names; otherwise exactly the answer for one that
    does not exist, so that nothing (an incident's id, another organisation's merge) shows through."""
    entry = session.get(IncidentHistory, history_id) if 0 < history_id <= MAX_ID else None
    if entry is not None:
        named = {entry.incident_id, *(entry.detail.get(key) for key in ("from", "into", "to"))} - {None}
        seen = session.scalars(select(Incident.id).where(Incident.id.in_(named), visible(Incident, viewer)))
        if set(seen) != named:
            entry = None
    if entry is None:
        raise NotFound(f"no history entry {history_id}")
    return entry


def _move(session: Session, claim_ids: list[int], incident_id: int) -> None:
    session.execute(update(Claim).where(Claim.id.in_(claim_ids)).values(incident_id=incident_id)
                    .execution_options(synchronize_session=False))
    session.execute(update(Assessment).where(Assessment.claim_id.in_(claim_ids)).values(incident_id=incident_id)
                    .execution_options(synchronize_session=False))


def history(session: Session, incident_id: int, viewer: Viewer) -> list[IncidentHistory] | None:
    """The incident's history; None if there is no such incident or the viewer may not see it."""
    if session.scalar(select(Incident.id).where(Incident.id == incident_id, visible(Incident, viewer))) is None:
        audit.record(session, viewer, "read", "incident", incident_id, "not_found", "history")
        return None
    audit.record(session, viewer, "read", "incident", incident_id, "ok", "history")
    return list(session.scalars(select(IncidentHistory).where(IncidentHistory.incident_id == incident_id)
                                .order_by(IncidentHistory.id)))


def merged_into(history: list[IncidentHistory]) -> int | None:
    """Where a merged-away incident went: the incident of its latest merge, or of the move that took its last
    claims."""
    for entry in reversed(history):
        detail = entry.detail or {}
        if entry.action == "merged" and "into" in detail:
            return detail["into"]
        if entry.action == "moved" and detail.get("emptied") and not detail.get("undone_by"):
            return detail["to"]
    return None


def decide(store, viewer: Viewer, what: str, act):
    """Run `act(session)` as one transaction and return what it returns. A refusal (no such incident or claim, or
    not allowed) rolls the decision back and is audited in a transaction of its own, then raised again."""
    with audited(store, viewer, "write", "incident", detail=None, refusal_prefix=f"{what}: ") as done:
        return act(done.session)
