"""A partner's shared reports and incidents, stored as its reports and claims so that they cluster with ours.

A partner's report is stored as that partner's report (owner: the author organisation; source and grade: the
author's, as its extension says; marking and sharing group: as received), under the STIX report's own uuid. A
partner's incident brings its claims: each joins the partner's report it quotes, with origin `partner`, and goes
through placement (`store.placement`) like any report's event, so it lands in the incident our own reports of the
same attack opened, its figures side by side with ours. Nothing is re-extracted: the partner's claims are the
partner's reading, kept as such.

Versions: the claims of one partner incident share its uuid as their `event`, so later claims of it join the same
incident here. A new version of a partner incident adds the claims it gained, moves here a claim the partner moved
into it (a merge there), and removes those the previous version had and this one has not (a claim an analyst here
assessed is kept, retired); a revoked version removes them all. The incidents touched are summarised again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jirga.access.rules import Viewer, visible
from jirga.db.schema import Actor, Assessment, Claim, Incident, Relation, Report
from jirga.errors import BadInput, Conflict
from jirga.model import tlp as tlp_levels
from jirga.model.report import IncomingReport
from jirga.store.claims import Decomposed, EventClaims
from jirga.store.records import (
    add_actors,
    add_extraction,
    add_references,
    add_report,
    catalog_actors,
    prune,
    record,
    source_id,
    stored_report,
)

PARTNER = "partner"  # the origin of a partner's claims, and the extractor version of its reports (never re-extracted)
ACTOR_FIELDS = ("responsibility", "perpetrator", "against", "concerning")


class Collision(Conflict):
    """A received object whose id is another organisation's record here."""


@dataclass
class Applied:
    added: int = 0
    removed: int = 0
    moved: int = 0
    waiting: int = 0  # claims whose report has not arrived yet
    incidents: set[int] = field(default_factory=set)  # our incidents it changed


def partner_report(session: Session, report_uuid: str) -> Report | None:
    return session.scalar(select(Report).where(Report.uuid == report_uuid))


def add_partner_report(session: Session, report_uuid: str, incoming: IncomingReport, author: int, reliability: str,
                       tlp: str, group: int | None) -> tuple[Report, bool]:
    """The partner's report (made if new), and whether it is new here."""
    existing = partner_report(session, report_uuid)
    if existing is not None:
        if existing.owner_org_id != author:
            raise Collision(f"the id is that of another organisation's report here (report {existing.id})")
        return existing, False
    source = source_id(session, incoming.source, author, reliability)
    same_text = stored_report(session, author, source, incoming.content_hash)
    if same_text is not None:
        return session.get(Report, same_text), False
    row = add_report(session, incoming, source, author, tlp, group)
    row.uuid, row.extractor_version = report_uuid, PARTNER
    session.flush()
    return row, True


def add_partner_relation(session: Session, author: int, subject: tuple[str, str], relation: str,
                         target: tuple[str, str], report: Report, tlp: str, group: int | None) -> bool:
    """A relation between two actors (each its id and name) that a partner read in its report, kept as the
    partner's (origin partner); False if it is here already (a later version of the same relationship)."""
    if report.owner_org_id != author:
        raise Collision(f"report {report.uuid} is another organisation's report here")
    known = catalog_actors()
    if any(actor_id not in known and session.get(Actor, actor_id) is None for actor_id, _ in (subject, target)):
        return False  # an actor this instance does not know: a partner does not add actors; it stays a STIX object
    add_actors(session, {actor_id: (name, "armed_group") for actor_id, name in (subject, target)})
    subject, target = subject[0], target[0]
    same = session.scalar(select(Relation.id).where(
        Relation.report_id == report.id, Relation.subject_id == subject, Relation.relation == relation,
        Relation.object_id == target, Relation.owner_org_id == author, Relation.origin == PARTNER))
    if same is not None:
        return False
    session.add(Relation(subject_id=subject, relation=relation, object_id=target, report_id=report.id, origin=PARTNER,
                         extractor_version=PARTNER, owner_org_id=author, tlp=tlp, sharing_group_id=group))
    session.flush()
    return True


def add_partner_assessment(session: Session, author: int, author_name: str, claim_uuid: str, verdict: str,
                           confidence: str | None, reason: str, tlp: str, group: int | None) -> Incident | None:
    """A partner organisation's verdict (agree, dispute) on a claim held here, kept as that organisation's
    assessment (origin partner): shown beside the claim and in the incident's history, for those who may see it,
    but not counted in the consensus, which a partner's opinion must not change without an analyst here. It is
    marked no wider than the opinion nor the claim. None (the opinion stays a STIX object only) for a claim not
    here, retired, or one the author may not see: a partner does not judge what it was never shown."""
    claim = session.scalar(select(Claim).where(Claim.uuid == claim_uuid, ~Claim.retired,
                                               visible(Claim, Viewer(None, author, "analyst", author_name))))
    marking = _narrower((tlp, group), (claim.tlp, claim.sharing_group_id)) if claim is not None else None
    if marking is None:
        return None
    session.add(Assessment(claim_id=claim.id, incident_id=claim.incident_id, verdict=verdict, confidence=confidence,
                           reason=reason, created_by=author_name, owner_org_id=author, tlp=marking[0],
                           sharing_group_id=marking[1], origin=PARTNER))
    incident = session.get(Incident, claim.incident_id)
    record(session, incident, "assessed", {"claim": claim.id, "field": claim.field, "verdict": verdict,
                                           "origin": PARTNER}, author_name, reason)
    return incident


def _narrower(one: tuple[str, int | None], other: tuple[str, int | None]) -> tuple[str, int | None] | None:
    """The stricter of two markings (level, sharing group); None when neither holds the other (TLP:AMBER for two
    different groups: no marking says "both")."""
    if tlp_levels.rank(one[0]) != tlp_levels.rank(other[0]):
        return max(one, other, key=lambda marking: tlp_levels.rank(marking[0]))
    return one if one[1] == other[1] or one[0] not in ("amber", "amber+strict") else None


def apply_incident(session: Session, ext: dict[str, Any], author: int, reports: dict[str, Report | None],
                   before: set[str], revoked: bool = False) -> Applied:
    """Bring our store in line with this version of a partner's incident (see the module's docstring).

    `ext`: its Jirga extension, claim values already in the store's form; `reports`: the partner's reports by
    STIX id (None where not here yet); `before`: the claim ids of the version stored before this one."""
    out = Applied()
    changed: set[int] = set()  # incidents that lost or gained claims other than through add_extraction
    event = ext["incident"]
    wanted = {} if revoked else {claim["id"]: claim for claim in ext.get("claims", [])}
    ours = {row.uuid: row for row in session.scalars(select(Claim).where(Claim.uuid.in_(sorted(before | set(wanted)))))}
    for row in ours.values():
        if row.owner_org_id != author or row.origin != PARTNER:
            raise Collision(f"claim {row.uuid} is another organisation's claim here")
    _remove(session, [ours[uuid] for uuid in sorted(before - set(wanted)) if uuid in ours], out)
    changed |= out.incidents
    home = _home(session, author, event)
    for uuid in sorted(set(wanted) & set(ours)):
        row = ours[uuid]
        if row.event != event:  # the partner moved it into this incident (a merge there)
            changed.add(row.incident_id)
            row.event = event
            if home is not None and row.incident_id != home:
                row.incident_id = home
            out.moved += 1
            changed.add(row.incident_id)
    if out.moved:
        session.flush()
        home = home if home is not None else _home(session, author, event)
    by_report: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for uuid, claim in wanted.items():
        if uuid not in ours:
            by_report[claim["report_ref"]].append(claim)
    for report_ref, claims in sorted(by_report.items()):
        report = reports.get(report_ref)
        if report is None:
            out.waiting += len(claims)
            continue
        if report.owner_org_id != author:
            raise Collision(f"{report_ref} is another organisation's report here")
        found = _decomposed(report, event, ext["kind"], claims)
        add_references(session, [found])
        add_extraction(session, report, found, {event: home} if home is not None else None)
        session.flush()
        home = home if home is not None else _home(session, author, event)
        out.added += len(claims)
        out.incidents.add(home)  # summarised by add_extraction
    changed.discard(None)
    out.incidents |= changed
    out.incidents.discard(None)
    if changed:
        prune(session, changed)  # summarised again; an incident left without claims goes
    return out


def _home(session: Session, author: int, event: str) -> int | None:
    """Our incident that holds most of this partner incident's claims."""
    return session.scalar(select(Claim.incident_id).where(Claim.owner_org_id == author, Claim.event == event,
                                                          Claim.origin == PARTNER, ~Claim.retired)
                          .group_by(Claim.incident_id).order_by(func.count().desc(), Claim.incident_id).limit(1))


def _remove(session: Session, rows: list[Claim], out: Applied) -> None:
    """Claims the partner no longer makes: deleted, or retired where an analyst here assessed them."""
    assessed = set(session.scalars(select(Assessment.claim_id).where(Assessment.claim_id.in_([r.id for r in rows]))))
    for row in rows:
        out.incidents.add(row.incident_id)
        if row.id in assessed:
            row.retired = True
        else:
            session.delete(row)
        out.removed += 1
    session.flush()


def _decomposed(report: Report, event: str, kind: str, claims: list[dict[str, Any]]) -> Decomposed:
    found = Decomposed(PARTNER, origin=PARTNER)
    rows = []
    for claim in claims:
        rows.append(_claim_row(report, claim))
        value = claim["value"]
        if claim["field"] in ACTOR_FIELDS:
            actor_id = value["actor_id"]
            found.actors.setdefault(actor_id, (value["actor"], "unresolved" if actor_id.startswith("unresolved:")
                                               else "armed_group"))
        elif claim["field"] == "place":
            found.places[value["gazetteer_id"]] = {
                "id": value["gazetteer_id"], "name": value["name"], "precision": value["precision"],
                "country": value["country"], "province_code": value.get("province_code"),
                "province": value.get("province"), "district": value.get("district"), "lat": value.get("lat"),
                "lon": value.get("lon")}
    found.events.append(EventClaims(event, kind, rows))
    return found


def _claim_row(report: Report, claim: dict[str, Any]) -> dict[str, Any]:
    """A claim's columns; BadInput if its span does not slice the report's text to the words it quotes."""
    span, sentence, text = claim.get("span"), claim.get("sentence"), claim.get("text") or ""
    if span is not None:
        start, end = span
        if not start <= end <= len(report.text) or report.text[start:end] != text:
            raise BadInput(f"claim {claim['id']}: its span [{start}, {end}] does not hold the words it quotes in "
                           f"{report.uuid}")
    if sentence is not None and not sentence[0] <= sentence[1] <= len(report.text):
        raise BadInput(f"claim {claim['id']}: its sentence [{sentence[0]}, {sentence[1]}] lies outside the report")
    return {"uuid": claim["id"], "field": claim["field"], "value": claim["value"], "text": text,
            "span_start": span[0] if span else None, "span_end": span[1] if span else None,
            "sentence_start": sentence[0] if sentence else None, "sentence_end": sentence[1] if sentence else None}
