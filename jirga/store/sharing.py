"""The SQL of sharing between instances: organisations' registered keys, the STIX objects published and received
(`stix_objects`, each version kept as its author made it), and the records an organisation publishes.

Every read of records or objects puts `access.visible` in its WHERE clause; what may leave the instance at all is
`access.rules.may_leave`, and what one audience receives `access.rules.audience_receives`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from jirga.access.rules import Audience, Viewer, audience_receives, may_leave, visible
from jirga.db.schema import (
    Actor,
    Assessment,
    Claim,
    Incident,
    Organisation,
    Place,
    Relation,
    Report,
    SharingGroup,
    SharingGroupMember,
)
from jirga.db.share_schema import OrgKey, StixObject

# Keys


def organisation(session: Session, org_id: int) -> Organisation:
    return session.get(Organisation, org_id)


def organisation_by_uuid(session: Session, org_uuid: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.uuid == org_uuid))


def organisation_by_name(session: Session, name: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.name == name.strip()))


def keys_of(session: Session, org_id: int) -> list[OrgKey]:
    """Every key the organisation has registered, oldest first (the current one has no `retired_at`)."""
    return list(session.scalars(select(OrgKey).where(OrgKey.org_id == org_id).order_by(OrgKey.id)))


def current_key(session: Session, org_id: int) -> OrgKey | None:
    return session.scalar(select(OrgKey).where(OrgKey.org_id == org_id, OrgKey.retired_at.is_(None))
                          .order_by(OrgKey.id.desc()).limit(1))


def key_by_kid(session: Session, kid: str) -> OrgKey | None:
    """The registered key of that id, whoever it belongs to (a kid is a thumbprint: unique)."""
    return session.scalar(select(OrgKey).where(OrgKey.key_id == kid))


def add_organisation(session: Session, name: str, org_uuid: str) -> Organisation:
    """A partner organisation known by its STIX identity (added when its key is registered)."""
    org = Organisation(name=name, uuid=org_uuid, is_local=False)
    session.add(org)
    session.flush()
    return org


def registered_keys(session: Session) -> list[tuple[OrgKey, str]]:
    """Every registered key with its organisation's name."""
    return [tuple(row) for row in session.execute(
        select(OrgKey, Organisation.name).join(Organisation, Organisation.id == OrgKey.org_id).order_by(OrgKey.id))]


def add_key(session: Session, org_id: int, kid: str, jwk: str) -> OrgKey:
    """Register a key as the organisation's current one; the one it replaces is retired, never deleted."""
    now = dt.datetime.now(dt.UTC)
    session.execute(update(OrgKey).where(OrgKey.org_id == org_id, OrgKey.retired_at.is_(None))
                    .values(retired_at=now))
    key = OrgKey(org_id=org_id, key_id=kid, public_key=jwk, created_at=now)
    session.add(key)
    org = session.get(Organisation, org_id)
    org.key_fingerprint = kid
    session.flush()
    return key


def add_retired_key(session: Session, org_id: int, kid: str, jwk: str, retired_at: dt.datetime) -> OrgKey:
    """A key the organisation retired before this instance learnt of it: it verifies what it signed until then."""
    key = OrgKey(org_id=org_id, key_id=kid, public_key=jwk, created_at=dt.datetime.now(dt.UTC), retired_at=retired_at)
    session.add(key)
    session.flush()
    return key


# STIX objects


def latest_versions(session: Session, stix_ids: Iterable[str]) -> dict[str, StixObject]:
    """The newest stored version of each of these objects (any collection, any author), by id."""
    ids = sorted(set(stix_ids))
    found: dict[str, StixObject] = {}
    for start in range(0, len(ids), 500):
        for row in session.scalars(select(StixObject).where(StixObject.stix_id.in_(ids[start:start + 500]))
                                   .order_by(StixObject.stix_id, StixObject.version, StixObject.id)):
            found[row.stix_id] = row  # the last is the newest
    return found


def version_before(session: Session, stix_id: str, version: str) -> StixObject | None:
    """The newest stored version of the object older than `version`."""
    return session.scalar(select(StixObject).where(StixObject.stix_id == stix_id, StixObject.version < version)
                          .order_by(StixObject.version.desc(), StixObject.id.desc()).limit(1))


def authors_of(session: Session, stix_ids: Iterable[str]) -> dict[str, set[int | None]]:
    """Who authored the stored versions of each of these objects."""
    ids = sorted(set(stix_ids))
    found: dict[str, set[int | None]] = {}
    for start in range(0, len(ids), 500):
        for stix_id, author in session.execute(select(StixObject.stix_id, StixObject.author_org_id).distinct()
                                               .where(StixObject.stix_id.in_(ids[start:start + 500]))):
            found.setdefault(stix_id, set()).add(author)
    return found


def latest_authored(session: Session, org_id: int) -> dict[str, StixObject]:
    """The newest version of every object this organisation has published, by id."""
    newest = (select(StixObject.stix_id, func.max(StixObject.version).label("version"))
              .where(StixObject.author_org_id == org_id, StixObject.owner_org_id == org_id)
              .group_by(StixObject.stix_id).subquery())
    rows = session.scalars(select(StixObject).join(newest, (StixObject.stix_id == newest.c.stix_id)
                                                   & (StixObject.version == newest.c.version))
                           .where(StixObject.author_org_id == org_id, StixObject.owner_org_id == org_id))
    return {row.stix_id: row for row in rows}


def add_object(session: Session, *, collection: str, stix_id: str, kind: str, version: str, author: int,
               body: str, tlp: str, group: int | None, owner: int | None = None) -> StixObject:
    row = StixObject(collection=collection, stix_id=stix_id, type=kind, spec_version="2.1", version=version,
                     author_org_id=author, body=body, owner_org_id=owner if owner is not None else author, tlp=tlp,
                     sharing_group_id=group, date_added=dt.datetime.now(dt.UTC))
    session.add(row)
    session.flush()
    return row


def shared_objects(session: Session, viewer: Viewer, audience: Audience) -> list[StixObject]:
    """The newest version of every stored object `viewer` may see and `audience` may receive, oldest added
    first: what an export for that audience holds (published and received objects alike)."""
    allowed = (visible(StixObject, viewer), audience_receives(StixObject, audience), may_leave(StixObject))
    newest = (select(StixObject.stix_id, func.max(StixObject.version).label("version"))
              .where(*allowed).group_by(StixObject.stix_id).subquery())
    return list(session.scalars(select(StixObject).join(newest, (StixObject.stix_id == newest.c.stix_id)
                                                        & (StixObject.version == newest.c.version))
                                .where(*allowed).order_by(StixObject.date_added, StixObject.id)))


def incidents_referring(session: Session, author: int, report_id: str) -> list[StixObject]:
    """The author's stored incident versions whose body names this report (a claim arrived before its report)."""
    return list(session.scalars(select(StixObject).where(
        StixObject.author_org_id == author, StixObject.type == "incident",
        StixObject.body.contains(report_id)).order_by(StixObject.stix_id, StixObject.version)))


# What an organisation publishes


def authored_reports(session: Session, viewer: Viewer) -> list[Report]:
    """The current reports of the viewer's organisation whose marking lets them leave the instance."""
    return list(session.scalars(select(Report).where(
        Report.owner_org_id == viewer.org_id, Report.is_current, may_leave(Report), visible(Report, viewer))
        .order_by(Report.id)))


def authored_claims(session: Session, viewer: Viewer) -> list[Claim]:
    """The counted claims of the viewer's organisation from its current reports that may leave the instance, in
    active incidents, by incident."""
    return list(session.scalars(
        select(Claim).join(Report, Report.id == Claim.report_id).join(Incident, Incident.id == Claim.incident_id)
        .where(Claim.owner_org_id == viewer.org_id, ~Claim.retired, Report.is_current, Incident.status == "active",
               may_leave(Claim), visible(Claim, viewer), visible(Report, viewer))
        .order_by(Claim.incident_id, Claim.id)))


def authored_relations(session: Session, viewer: Viewer) -> list[Relation]:
    """The relations between actors the viewer's organisation read in its current reports, that may leave."""
    return list(session.scalars(
        select(Relation).join(Report, Report.id == Relation.report_id)
        .where(Relation.owner_org_id == viewer.org_id, Relation.origin != "partner", Report.is_current,
               may_leave(Relation), visible(Relation, viewer), visible(Report, viewer))
        .order_by(Relation.id)))


def authored_assessments(session: Session, viewer: Viewer) -> list[tuple[Assessment, Claim]]:
    """The latest agree or dispute of the viewer's organisation on each claim, that may leave, with the claim."""
    rows = session.execute(
        select(Assessment, Claim).join(Claim, Claim.id == Assessment.claim_id)
        .where(Assessment.owner_org_id == viewer.org_id, Assessment.verdict.in_(("agree", "dispute")), ~Claim.retired,
               may_leave(Assessment), visible(Assessment, viewer), visible(Claim, viewer))
        .order_by(Assessment.claim_id, Assessment.created_at, Assessment.id)).all()
    latest = {claim.id: (assessment, claim) for assessment, claim in rows}  # the last wins
    return list(latest.values())


def incident_holding(session: Session, author: int, claim_uuid: str) -> str | None:
    """The STIX id of the author's stored incident whose newest version holds this claim (a partner's claim)."""
    rows = session.scalars(select(StixObject).where(
        StixObject.author_org_id == author, StixObject.type == "incident", StixObject.body.contains(claim_uuid))
        .order_by(StixObject.version.desc(), StixObject.id.desc()).limit(1))
    row = next(iter(rows), None)
    return row.stix_id if row is not None else None


def incidents(session: Session, ids: Sequence[int]) -> dict[int, Incident]:
    return {row.id: row for row in session.scalars(select(Incident).where(Incident.id.in_(list(ids))))}


def places(session: Session, ids: Iterable[str]) -> dict[str, Place]:
    return {row.id: row for row in session.scalars(select(Place).where(Place.id.in_(sorted(set(ids)))))}


def actors(session: Session, ids: Iterable[str]) -> dict[str, Actor]:
    return {row.id: row for row in session.scalars(select(Actor).where(Actor.id.in_(sorted(set(ids)))))}


def reports(session: Session, ids: Iterable[int]) -> dict[int, Report]:
    return {row.id: row for row in session.scalars(select(Report).where(Report.id.in_(sorted(set(ids))))
                                                   .options(selectinload(Report.source)))}


# Sharing groups


def group_named(session: Session, name: str) -> SharingGroup | None:
    return session.scalar(select(SharingGroup).where(SharingGroup.name == name.strip()))


def groups_of(session: Session, org_id: int) -> list[SharingGroup]:
    """The sharing groups this organisation is a member of, by name."""
    return list(session.scalars(select(SharingGroup).join(SharingGroupMember, SharingGroupMember.group_id
                                                          == SharingGroup.id)
                                .where(SharingGroupMember.org_id == org_id).order_by(SharingGroup.name)))


def organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.id)))


def group_members(session: Session, group_id: int) -> set[int]:
    return set(session.scalars(select(SharingGroupMember.org_id).where(SharingGroupMember.group_id == group_id)))
