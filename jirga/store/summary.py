"""An incident's summary columns, computed from its claims by the consensus rules (never typed in), and its
actor links. Recomputed whenever its claims or their assessments change; the claims stay the truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from jirga.db.schema import Assessment, Claim, Incident, IncidentActor, Report, Source, SourceGrade
from jirga.fuse.consensus import Consensus, Fact, consensus

ROLE_OF_FIELD = {"perpetrator": "perpetrator", "against": "against", "concerning": "about"}


def facts_of(session: Session, claims: list[Claim], fresh: bool = False) -> list[Fact]:
    """The claims as the consensus sees them. `fresh`: the claims were just made, so no analyst assessed them."""
    report_ids = {c.report_id for c in claims if c.report_id is not None}
    # Each report is weighed with its owner's grade of its source: a partner's grade never changes another's reports.
    reports = {row.id: row for row in session.execute(
        select(Report.id, Report.published, Report.is_current, Source.name,
               func.coalesce(SourceGrade.reliability, "F").label("reliability"))
        .join(Source, Source.id == Report.source_id)
        .outerjoin(SourceGrade, and_(SourceGrade.source_id == Report.source_id,
                                     SourceGrade.org_id == Report.owner_org_id))
        .where(Report.id.in_(report_ids)))} if report_ids else {}
    verdicts: dict[int, tuple[str, str | None]] = {}
    claim_ids = [c.id for c in claims if c.id is not None]
    if claim_ids and not fresh:
        for claim_id, verdict, user in session.execute(
                select(Assessment.claim_id, Assessment.verdict, Assessment.created_by)
                .where(Assessment.claim_id.in_(claim_ids), Assessment.verdict.in_(("agree", "dispute")))
                .order_by(Assessment.created_at, Assessment.id)):
            verdicts[claim_id] = (verdict, user)  # the latest wins
    facts = []
    for claim in claims:
        report = reports.get(claim.report_id)
        if report is not None and claim.origin in ("machine", "partner"):  # a partner's claims: its source, its grade
            source, reliability, published, current = report.name, report.reliability, report.published, \
                report.is_current
        else:
            source, reliability, published, current = f"analyst:{claim.created_by}", "A", None, True
        verdict, user = verdicts.get(claim.id, (None, None))
        facts.append(Fact(claim.field, claim.value, source, reliability, published, verdict,
                          counted=current and not claim.retired, report_id=claim.report_id, claim_id=claim.id,
                          agreed_by=user if verdict == "agree" else None))
    return facts


def claim_rows(session: Session, incident_id: int) -> list:
    """An incident's claims as light rows with what the consensus reads (not ORM objects: big incidents have
    hundreds of claims, and this runs each time a report joins one)."""
    return list(session.execute(select(Claim.id, Claim.field, Claim.value, Claim.report_id, Claim.origin,
                                       Claim.retired, Claim.created_by).where(Claim.incident_id == incident_id)))


def summarize(session: Session, incident: Incident, claims: Iterable[Claim], fresh: bool = False) -> None:
    """Write the consensus of these claims into the incident's columns and its actor links.
    `fresh`: a new incident whose claims were just made (nothing to look up about them)."""
    claims = list(claims)
    apply_consensus(incident, claims, consensus(facts_of(session, claims, fresh)))
    if not fresh:
        session.execute(delete(IncidentActor).where(IncidentActor.incident_id == incident.id))
    session.add_all(IncidentActor(incident_id=incident.id, actor_id=actor_id, role=role)
                    for actor_id, role in actor_links(claims))


def apply_consensus(incident: Incident, claims: list[Claim], agreed: Consensus) -> None:
    incident.kind = agreed.kind or incident.kind
    date, place = agreed.date, agreed.place
    incident.date_start = dt.date.fromisoformat(date["start"]) if date else None
    incident.date_end = dt.date.fromisoformat(date["end"]) if date else None
    incident.date_precision = date["precision"] if date else None
    incident.place_id = place["gazetteer_id"] if place else None
    incident.country = place["country"] if place else None
    incident.province_code = place["province_code"] if place else None
    incident.attack_type = agreed.attack_type
    incident.target_type = agreed.target_type
    incident.killed_low, incident.killed_best, incident.killed_high = agreed.killed
    incident.injured_low, incident.injured_best, incident.injured_high = agreed.injured
    incident.has_conflict = bool(agreed.conflicts)
    incident.report_count = len({c.report_id for c in claims if c.report_id is not None and not c.retired})
    incident.title = _title(incident, place)


def _title(incident: Incident, place: dict | None) -> str:
    kind = incident.attack_type if incident.attack_type not in (None, "unknown") else incident.kind
    what = kind.replace("_", " ")
    return f"{what.capitalize()} in {place['name']}" if place else what.capitalize()


def actor_links(claims: Iterable[Claim]) -> list[tuple[str, str]]:
    """(actor id, role) for each actor the claims involve: perpetrator, claimed, denied, against, about."""
    links: set[tuple[str, str]] = set()
    for claim in claims:
        if claim.retired:
            continue
        if claim.field == "responsibility":
            links.add((claim.value["actor_id"], claim.value["mode"]))
        elif claim.field in ROLE_OF_FIELD:
            links.add((claim.value["actor_id"], ROLE_OF_FIELD[claim.field]))
        elif claim.field == "statistic":
            links.update((actor_id, "about") for actor_id in claim.value.get("about", []))
    return sorted(links)
