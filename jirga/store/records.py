"""Writing to the store: sources, reports with their revisions, and the claims extracted from them.

Each function works inside the caller's transaction, so a report and its claims are committed together or not at
all.
"""

from __future__ import annotations

import functools

from sqlalchemy import delete, exists, select, tuple_, update
from sqlalchemy import event as orm_events
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from jirga.db.schema import (
    Actor,
    Assessment,
    CannotLink,
    Claim,
    Incident,
    IncidentHistory,
    Place,
    Relation,
    Report,
    Source,
    SourceGrade,
)
from jirga.errors import BadInput
from jirga.fuse.consensus import RELIABILITY_ORDER
from jirga.model import tlp as tlp_levels
from jirga.model.report import IncomingReport
from jirga.reference import catalog
from jirga.store import month_sums
from jirga.store.claims import Decomposed
from jirga.store.placement import Placement, find_incident
from jirga.store.summary import claim_rows, summarize

BIG_INCIDENT = 10  # reports: from this size on, a joining report's incident is summarised once per transaction


@functools.cache
def catalog_actors() -> dict[str, catalog.Actor]:
    return {actor.id: actor for actor in catalog.load_actors()}


def source_id(session: Session, name: str, owner: int, reliability: str | None = None) -> int:
    """The source of that name, made if new; `owner`'s grade of it set when one is given (each organisation grades
    the sources for itself: see `SourceGrade`)."""
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        source = Source(name=name, owner_org_id=owner, tlp="clear")
        session.add(source)
        session.flush()
    if reliability:
        grade = session.get(SourceGrade, (owner, source.id))
        if grade is None:
            session.add(SourceGrade(org_id=owner, source_id=source.id, reliability=reliability))
        else:
            grade.reliability = reliability
        session.flush()
    return source.id


def stored_pairs(session: Session, owner: int, pairs: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Those of these (source, content hash) pairs `owner` has already stored: one query, by the unique index, for a
    batch. Only the owner's own reports count, so "unchanged" never tells what another organisation stored."""
    key = tuple_(Report.source_id, Report.content_hash)
    return {tuple(row) for row in session.execute(select(Report.source_id, Report.content_hash)
                                                  .where(Report.owner_org_id == owner, key.in_(pairs)))}


def stored_report(session: Session, owner: int, source: int, content_hash: str) -> int | None:
    """The id of `owner`'s report of this source with this text, if there is one."""
    return session.scalar(select(Report.id).where(Report.owner_org_id == owner, Report.source_id == source,
                                                  Report.content_hash == content_hash))


def add_report(session: Session, incoming: IncomingReport, source: int, owner: int, tlp: str,
               group: int | None = None) -> Report:
    """Store a report; if the same owner already has a current report of the same source at the same URL for the
    same audience (TLP and sharing group), this is its next revision (`supersedes_id`). Call `add_extraction` next:
    its events join the incidents the old revision told."""
    report = Report(source_id=source, url=incoming.url, origin=incoming.origin[:2000], title=incoming.title[:1000],
                    published=incoming.published, language=incoming.language, content_hash=incoming.content_hash,
                    text=incoming.text, owner_org_id=owner, tlp=tlp, sharing_group_id=group)
    previous = None
    if incoming.url:
        # Never another organisation's report, nor one seen by other people: a revision would retire it, and its
        # number would tell that it exists.
        group = (Report.sharing_group_id.is_(None) if report.sharing_group_id is None
                 else Report.sharing_group_id == report.sharing_group_id)
        previous = session.scalar(select(Report).where(Report.source_id == source, Report.url == incoming.url,
                                                       Report.is_current, Report.owner_org_id == owner,
                                                       Report.tlp == tlp, group).with_for_update(of=Report))
    if previous is not None:
        report.revision, report.supersedes_id = previous.revision + 1, previous.id
        previous.is_current = False
    session.add(report)
    session.flush()
    return report


def add_extraction(session: Session, report: Report, found: Decomposed, placed: dict[str, int] | None = None) -> int:
    """Each event of the report joins the incident it matches or opens a new one; returns how many it opened.
    Call `add_references` first (once for a whole batch). `placed`: where a re-extracted report's events were
    (see `remove_machine_claims`); an event found again goes back to its incident."""
    owned = {"owner_org_id": report.owner_org_id, "tlp": report.tlp, "sharing_group_id": report.sharing_group_id}
    machine_version = found.extractor_version if found.origin == "machine" else None  # analysts' claims carry none
    opened = 0
    for event in found.events:
        before = session.get(Incident, placed[event.event]) if placed and event.event in placed else None
        if before is not None and before.status in ("active", "dismissed"):  # an analyst's "not an incident" holds
            placement = Placement(before, None, 0)
        else:
            placement = find_incident(session, report, event)
        incident = placement.incident
        if incident is None:
            incident = Incident(kind=event.kind, **owned)
            session.add(incident)
            session.flush()
            opened += 1
        # Set by id, not appended to incident.claims: that would load every claim of a big incident as objects.
        claims = [Claim(incident_id=incident.id, report_id=report.id, event=event.event, origin=found.origin,
                        created_by=found.created_by, extractor_version=machine_version, **claim, **owned)
                  for claim in event.claims]
        session.add_all(claims)
        session.flush()
        fresh = placement.incident is None
        deferred = not fresh and incident.report_count >= BIG_INCIDENT
        if not deferred:
            summarize(session, incident, claims if fresh else claim_rows(session, incident.id), fresh=fresh)
        if placement.incident is not None:
            # The incident's marking is the strictest of its claims', as its owner sees it whole; another
            # organisation sees it through the claims it may see (its view), marked as those are.
            incident.tlp = tlp_levels.most_restrictive(incident.tlp, report.tlp)
        action = "reextracted" if placement.incident is before and before is not None else (
            "joined" if placement.incident else "created")
        entry = record(session, incident, action, {
            "report_id": report.id, "event": event.event, "claims": [c.id for c in claims],
            "candidates": placement.candidates,
            **({"match": placement.match.explain(), "scores": placement.match.features}
               if placement.match else {})})
        if deferred:
            _summarize_before_commit(session, incident, entry)
        session.flush()  # the next event, of this report or the next, must see this incident
    session.add_all(Relation(report_id=report.id, extractor_version=found.extractor_version, **relation, **owned)
                    for relation in found.relations)
    report.extractor_version = found.extractor_version
    if report.supersedes_id is not None:
        retire_superseded(session, report.supersedes_id)
    return opened


def _summarize_before_commit(session: Session, incident: Incident, entry: IncidentHistory) -> None:
    """Summarise a big incident once, when the transaction (an ingest batch) commits, rather than at each report
    that joins it: recomputing the consensus over all its claims at every join made ingesting many reports of one
    event quadratic. Until then the batch matches against the summary as it was at the batch's start, which one more
    report among ten or more barely moves; the history entries of the batch get the summary at its end."""
    pending = session.info.setdefault("jirga_unsummarized", {})
    if not pending:
        orm_events.listen(session, "before_commit", _summarize_pending, once=True)
    pending.setdefault(incident.id, []).append(entry)


def _summarize_pending(session: Session) -> None:
    for incident_id, entries in session.info.pop("jirga_unsummarized", {}).items():
        incident = session.get(Incident, incident_id)
        summarize(session, incident, claim_rows(session, incident_id))
        for entry in entries:
            entry.summary = snapshot(incident)


def record(session: Session, incident: Incident, action: str, detail: dict, user: str | None = None,
           reason: str = "") -> IncidentHistory:
    """A history row with the consensus as it stands after the change."""
    entry = IncidentHistory(incident_id=incident.id, action=action, detail=detail, created_by=user, reason=reason,
                            summary=snapshot(incident))
    session.add(entry)
    return entry


def snapshot(incident: Incident) -> dict:
    return {"date": [str(incident.date_start) if incident.date_start else None,
                     str(incident.date_end) if incident.date_end else None, incident.date_precision],
            "place": incident.place_id, "attack_type": incident.attack_type,
            "killed": [incident.killed_low, incident.killed_best, incident.killed_high],
            "injured": [incident.injured_low, incident.injured_best, incident.injured_high],
            "reports": incident.report_count, "conflict": incident.has_conflict}


def remove_machine_claims(session: Session, report: Report) -> dict[str, int]:
    """Before re-extraction: drop the report's machine claims and relations (a claim an analyst assessed is kept,
    retired). Returns the incident each event was in, so that its new claims go back there and an analyst's
    merges and splits survive; call `prune` on those incidents afterwards."""
    claims = list(session.scalars(select(Claim).where(Claim.report_id == report.id, Claim.origin == "machine",
                                                      ~Claim.retired)))
    assessed = set(session.scalars(select(Assessment.claim_id).where(Assessment.claim_id.in_([c.id for c in claims]))))
    placed = {c.event: c.incident_id for c in claims}
    for claim in claims:
        if claim.id in assessed:
            claim.retired = True
        else:
            session.delete(claim)
    session.execute(delete(Relation).where(Relation.report_id == report.id, Relation.origin == "machine"))
    session.flush()
    return placed


def prune(session: Session, incident_ids: set[int]) -> None:
    """Summarise these incidents again; one left with no claims, no assessment and no analyst's decision goes."""
    for incident in session.scalars(select(Incident).where(Incident.id.in_(incident_ids))):
        session.refresh(incident, ["claims"])
        decided = session.scalar(select(exists().where(IncidentHistory.incident_id == incident.id,
                                                       IncidentHistory.created_by.is_not(None))))
        assessed = session.scalar(select(exists().where(Assessment.incident_id == incident.id)))
        if incident.claims or decided or assessed:
            summarize(session, incident, incident.claims)
        else:  # nothing told it but the replaced claims
            session.execute(delete(IncidentHistory).where(IncidentHistory.incident_id == incident.id))
            session.execute(delete(CannotLink).where(CannotLink.incident_id == incident.id))
            session.delete(incident)
            session.flush()
            month_sums.refresh(session, [incident.id])


def retire_superseded(session: Session, report_id: int) -> None:
    """An incident told only by superseded revisions is itself superseded (kept, not listed by default)."""
    from_current = exists().where(Claim.incident_id == Incident.id, Claim.report_id == Report.id, Report.is_current)
    analysts = exists().where(Claim.incident_id == Incident.id, Claim.origin == "analyst")
    told_here = select(Claim.incident_id).where(Claim.report_id == report_id)
    retired = session.scalars(update(Incident).where(Incident.id.in_(told_here), ~from_current, ~analysts,
                                                     Incident.status != "superseded")
                              .values(status="superseded").returning(Incident.id)
                              .execution_options(synchronize_session=False)).all()
    month_sums.refresh(session, retired)


def add_references(session: Session, founds: list[Decomposed]) -> None:
    """The actors and places some extractions refer to, inserted once; concurrent writers may race, so conflicts
    are ignored."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    add_actors(session, {actor_id: named for found in founds for actor_id, named in found.actors.items()})
    places = {place_id: place for found in founds for place_id, place in found.places.items()}
    if places:
        session.execute(insert(Place).values(sorted(places.values(), key=lambda p: p["id"])).on_conflict_do_nothing())


def add_actors(session: Session, actors: dict[str, tuple[str, str]]) -> None:
    """Actors (id -> name and kind as read) inserted once, as the catalog knows them where it does."""
    if not actors:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    catalog = catalog_actors()
    rows = []
    for actor_id, (name, kind) in sorted(actors.items()):
        known = catalog.get(actor_id)
        rows.append({"id": actor_id, "name": (known.name if known else name)[:300],
                     "kind": known.kind if known else kind, "parent_id": known.part_of if known else None})
    session.execute(insert(Actor).values(rows).on_conflict_do_nothing())


def check_reliability(value: str) -> str:
    value = value.strip().upper()
    if len(value) != 1 or value not in RELIABILITY_ORDER:
        raise BadInput(f"reliability must be one letter A-F (Admiralty code), not {value!r}")
    return value

