"""TAXII 2.1 collections in the store: which collections a user has, pages of their objects, versions, deletes, the
status of each add, and the partner instances this one syncs with.

**Collections.** One for CLEAR and GREEN (`OPEN_COLLECTION`), and one per sharing group, whose id is derived from
the group's name (`group_collection_id`), so that a group of the same name on two instances has the same collection
id and a pull or push needs no mapping. A user reads the open collection and those of the groups their organisation
belongs to; analysts and above write them. A collection the user has not is answered "not found", like one that
does not exist.

**Reads.** Every query puts `jirga.access.visible(StixObject, viewer)` in its WHERE clause (an object shows only to
whom its marking allows, even inside a collection they read) and writes one audit entry. Pages are keyset pages on
(date_added, id), the columns of `ix_stix_objects_collection_added`: the cost of a page does not grow with the
collection. "The latest version" is the latest the viewer may see.

**Writes.** `put_versions` stores checked objects: the same version twice stores nothing new; a new `modified` is a
new version; an id another organisation stores in the collection is refused. Adds to one collection take turns
(`take_turn`) and each stored version gets a `date_added` later than every one before it in that collection, so a
client that remembers the last `date_added` it saw never misses an object committed later.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import (
    Integer,
    Select,
    bindparam,
    delete,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, aliased

from jirga.access import NotFound, PermissionDenied, Viewer, audit, visible
from jirga.access.rules import OPEN_LEVELS, SHARED_LEVELS, require_role
from jirga.db.schema import Organisation, SharingGroup, SharingGroupMember
from jirga.db.share_schema import Peer, StixObject, TaxiiStatus
from jirga.errors import BadInput, Conflict

NAMESPACE = uuid.UUID("2ff2c2af-acdd-4c80-9a86-5cc7cd3a435f")  # Jirga's, for collection ids (UUID version 5)
OPEN_COLLECTION = str(uuid.uuid5(NAMESPACE, "tlp:clear+green"))
MAX_PAGE = 1000  # objects per page at most, whatever `limit` asks
DEFAULT_PAGE = 100


def group_collection_id(group_name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "sharing-group:" + group_name))


def collection_id(session: Session, level: str, group_id: int | None) -> str:
    """The id of the collection an object of this marking and sharing group belongs to (see `collection_for`), for
    the writers that publish or receive into it: BadInput for a marking that no collection holds."""
    if level in OPEN_LEVELS:
        return OPEN_COLLECTION
    if level in SHARED_LEVELS and group_id is not None:
        name = session.scalar(select(SharingGroup.name).where(SharingGroup.id == group_id))
        if name is not None:
            return group_collection_id(name)
    raise BadInput(f"TLP:{level.upper()}{'' if group_id else ' without a sharing group'} is never shared with "
                   "another instance")


@dataclass(frozen=True)
class Collection:
    """A TAXII collection as one user has it (TAXII 2.1 section 5.2.1)."""

    id: str
    title: str
    description: str
    group_id: int | None  # None: the open collection
    can_read: bool
    can_write: bool

    @property
    def levels(self) -> tuple[str, ...]:
        """The TLP levels an object may carry here: AMBER only where a sharing group says who may see it."""
        return OPEN_LEVELS if self.group_id is None else (*OPEN_LEVELS, *SHARED_LEVELS)

    @property
    def default_tlp(self) -> str:
        """The marking of an object that carries none."""
        return "green" if self.group_id is None else "amber"

    def resource(self) -> dict:
        return {"id": self.id, "title": self.title, "description": self.description, "can_read": self.can_read,
                "can_write": self.can_write, "media_types": ["application/stix+json;version=2.1"]}


def _open(viewer: Viewer) -> Collection:
    return Collection(OPEN_COLLECTION, "CLEAR and GREEN", "Objects marked TLP:CLEAR or TLP:GREEN, for every "
                      "organisation of this instance and its partners", None, True, viewer.has_role("analyst"))


def collections(session: Session, viewer: Viewer) -> list[Collection]:
    """The open collection, then one per sharing group of the viewer's organisation, by name."""
    writes = viewer.has_role("analyst")
    found = [_open(viewer)]
    groups = session.execute(select(SharingGroup.id, SharingGroup.name)
                             .join(SharingGroupMember, SharingGroupMember.group_id == SharingGroup.id)
                             .where(SharingGroupMember.org_id == viewer.org_id).order_by(SharingGroup.name))
    found += [Collection(group_collection_id(name), f"Sharing group {name}", f"Objects shared with the members of "
                         f"the sharing group {name} (TLP:AMBER, or CLEAR and GREEN)", group_id, True, writes)
              for group_id, name in groups]
    return found


def get_collection(session: Session, viewer: Viewer, collection_id: str) -> Collection:
    """The viewer's collection with this id; NotFound (audited) if they have none."""
    if collection_id == OPEN_COLLECTION:  # every signed-in viewer's: no need to read their groups
        return _open(viewer)
    for collection in collections(session, viewer):
        if collection.id == collection_id:
            return collection
    raise _not_found(session, viewer, "taxii_collection", collection_id, f"no collection {collection_id[:60]!r}")


def collection_for(session: Session, viewer: Viewer, tlp: str, group_id: int | None) -> Collection:
    """Where an object with this marking and sharing group is published: CLEAR and GREEN in the open collection
    (every organisation sees them, group or not), AMBER in its group's; AMBER without a group, AMBER+STRICT and RED
    leave this instance by no collection."""
    if tlp in OPEN_LEVELS:
        return get_collection(session, viewer, OPEN_COLLECTION)
    if tlp in SHARED_LEVELS and group_id is not None:
        for collection in collections(session, viewer):
            if collection.group_id == group_id:
                return collection
        raise NotFound(f"your organisation is not in sharing group {group_id}")
    raise BadInput(f"TLP:{tlp.upper()}{'' if group_id else ' without a sharing group'} is never shared with another "
                   "instance")


# Reading


@dataclass(frozen=True)
class Filters:
    """TAXII 2.1's filters (added_after, match[...]), already checked, and the keyset page."""

    added_after: dt.datetime | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)  # "last", "first", "all" and stored version keys
    spec_versions: tuple[str, ...] = ()
    limit: int = DEFAULT_PAGE
    after: tuple[dt.datetime, int] | None = None  # (date_added, row id) of the last row of the page before
    not_owned_by: int | None = None  # leave out what this organisation owns (a push does not echo a peer's objects)


@dataclass
class Row:
    id: int
    stix_id: str
    version: str
    date_added: dt.datetime
    body: str
    spec_version: str


@dataclass
class Page:
    rows: list[Row] = field(default_factory=list)
    more: bool = False

    @property
    def next(self) -> str | None:
        return encode_next(self.rows[-1]) if self.more and self.rows else None


def encode_next(row: Row) -> str:
    return base64.urlsafe_b64encode(f"{row.date_added.isoformat()}~{row.id}".encode()).decode().rstrip("=")


def decode_next(value: str) -> tuple[dt.datetime, int]:
    try:
        added, _, number = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode().partition("~")
        moment = dt.datetime.fromisoformat(added)
        if not 1 <= int(number) <= 2**63 - 1 or moment.tzinfo is None:
            raise ValueError(value)
        return moment, int(number)
    except (ValueError, UnicodeError, binascii.Error, OverflowError):
        raise BadInput(f"next {value[:60]!r} is not a page token from this server") from None


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# The values that change from page to page are bound parameters, so that the statement of a listing is built once
# per viewer and filter (`_statement`), not for every page: building it (visible() twice, an alias) costs more than
# running it.
# They are typed: an untyped datetime would reach SQLite in another text form than the stored one, and compare wrong.
_ADDED_AFTER = bindparam("added_after", type_=StixObject.date_added.type)
_STIX_ID = bindparam("stix_id", type_=StixObject.stix_id.type)
_AFTER_ADDED = bindparam("after_added", type_=StixObject.date_added.type)
_AFTER_ID, _LIMIT = bindparam("after_id", type_=Integer()), bindparam("page_limit", type_=Integer())


def _params(where: Filters, stix_id: str | None) -> dict:
    after_added, after_id = where.after or (None, None)
    return {"added_after": where.added_after, "stix_id": stix_id, "after_added": after_added, "after_id": after_id,
            "page_limit": where.limit + 1}


def _filtered(model, viewer: Viewer, collection: Collection, where: Filters, by_id: bool) -> list:
    """The WHERE clause of a read, on `model` (StixObject or an alias of it); the version filter aside."""
    clauses = [model.collection == collection.id, visible(model, viewer)]
    if by_id:
        clauses.append(model.stix_id == _STIX_ID)
    if where.ids:
        clauses.append(model.stix_id.in_(where.ids))
    if where.types:
        clauses.append(model.type.in_(where.types))
    if where.added_after is not None:
        clauses.append(model.date_added > _ADDED_AFTER)
    if where.spec_versions:
        clauses.append(model.spec_version.in_(where.spec_versions))
    if where.not_owned_by is not None:
        clauses.append(model.owner_org_id != where.not_owned_by)
    return clauses


def _versions(viewer: Viewer, collection: Collection, where: Filters, by_id: bool) -> list:
    """match[version]: the latest or earliest version (of those the other filters keep), or the versions named."""
    if "all" in where.versions:
        return []
    other = aliased(StixObject)
    same = [other.stix_id == StixObject.stix_id, *_filtered(other, viewer, collection, where, by_id)]
    chosen = []
    if "last" in where.versions:
        chosen.append(~exists().where(*same, other.version > StixObject.version))
    if "first" in where.versions:
        chosen.append(~exists().where(*same, other.version < StixObject.version))
    named = [version for version in where.versions if version not in ("last", "first")]
    if named:
        chosen.append(StixObject.version.in_(named))
    return [or_(*chosen)]


_ROW = (StixObject.id, StixObject.stix_id, StixObject.version, StixObject.date_added, StixObject.body,
        StixObject.spec_version)
_NO_BODY = (*_ROW[:4], literal_column("''").label("body"), StixObject.spec_version)


@functools.lru_cache(maxsize=256)
def _statement(viewer: Viewer, collection: Collection, where: Filters, by_id: bool, bodies: bool) -> Select:
    """The listing's statement for this viewer, collection and filter; `where` without the values bound per page."""
    query = select(*(_ROW if bodies else _NO_BODY)).where(*_filtered(StixObject, viewer, collection, where, by_id),
                                                          *_versions(viewer, collection, where, by_id))
    if where.after is not None:
        query = query.where(tuple_(StixObject.date_added, StixObject.id) > tuple_(_AFTER_ADDED, _AFTER_ID))
    return query.order_by(StixObject.date_added, StixObject.id).limit(_LIMIT)


def _shape(where: Filters) -> Filters:
    """The filter with the values bound per page replaced by placeholders: the key of `_statement`."""
    placeholder = dt.datetime.min.replace(tzinfo=dt.UTC)
    return replace(where, added_after=placeholder if where.added_after else None, limit=0,
                   after=(placeholder, 0) if where.after else None)


def objects_page(session: Session, viewer: Viewer, collection: Collection, where: Filters, *,
                 stix_id: str | None = None, bodies: bool = True, what: str = "objects") -> Page:
    """One page of the collection's objects (or of one object's versions) that match, oldest added first.
    Without `bodies` the rows carry no JSON (a manifest or a versions list)."""
    statement = _statement(viewer, collection, _shape(where), stix_id is not None, bodies)
    rows = [Row(id_, sid, version, aware(added), body, spec)
            for id_, sid, version, added, body, spec in session.execute(statement, _params(where, stix_id))]
    page = Page(rows[:where.limit], len(rows) > where.limit)
    if stix_id is not None and not page.rows and where.after is None and not _exists(session, viewer, collection,
                                                                                       stix_id):
        raise _not_found(session, viewer, "stix_object", stix_id, f"no object {stix_id[:300]!r} in this collection")
    audit.record(session, viewer, "read", "stix_object", stix_id, "ok",
                 f"{what} of collection {collection.id}: {len(page.rows)}")
    return page


def _exists(session: Session, viewer: Viewer, collection: Collection, stix_id: str) -> bool:
    return bool(session.scalar(select(exists().where(*_filtered(StixObject, viewer, collection, Filters(), True))),
                               {"stix_id": stix_id}))


def _not_found(session: Session, viewer: Viewer, target: str, target_id: str, message: str) -> NotFound:
    audit.record(session, viewer, "read", target, target_id, "not_found", message)
    return NotFound(message)


# Writing


@dataclass(frozen=True)
class NewVersion:
    """One checked version of an object, with the marking and owner it is stored under."""

    stix_id: str
    type: str
    spec_version: str
    version: str | None  # None: an object without modified or created, immutable (its version is its date added)
    body: str
    owner_org_id: int
    tlp: str
    sharing_group_id: int | None
    author_org_id: int | None = None


STORED, UNCHANGED = "stored", "unchanged"  # else: the reason it is refused


def put_versions(session: Session, collection: Collection | str, versions: Sequence[NewVersion]) -> list[str]:
    """Store each version into the collection (or the collection of this id) unless it is stored already; for each,
    STORED, UNCHANGED or why it is refused. Call it first in its transaction, or after `take_turn`: it takes the
    collection's turn (see the module's docstring)."""
    target = collection if isinstance(collection, str) else collection.id
    take_turn(session, target)
    stored: dict[str, list[tuple[str, int, str]]] = {}  # stix id -> (version, owner, body) already there
    ids = sorted({v.stix_id for v in versions})
    for start in range(0, len(ids), 500):
        for stix_id, version, owner, body in session.execute(
                select(StixObject.stix_id, StixObject.version, StixObject.owner_org_id, StixObject.body)
                .where(StixObject.collection == target, StixObject.stix_id.in_(ids[start:start + 500]))):
            stored.setdefault(stix_id, []).append((version, owner, body))
    last = session.scalar(select(func.max(StixObject.date_added)).where(StixObject.collection == target))
    moment = max(dt.datetime.now(dt.UTC), aware(last) + dt.timedelta(microseconds=1) if last else dt.datetime.min
                 .replace(tzinfo=dt.UTC))
    verdicts, rows = [], []
    for new in versions:
        there = stored.get(new.stix_id, [])
        verdict = _verdict(new, there)
        verdicts.append(verdict)
        if verdict != STORED:
            continue
        version = new.version or moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        there.append((version, new.owner_org_id, new.body))
        stored[new.stix_id] = there
        rows.append(dict(collection=target, stix_id=new.stix_id, type=new.type, spec_version=new.spec_version,
                         version=version, date_added=moment, author_org_id=new.author_org_id, body=new.body,
                         owner_org_id=new.owner_org_id, tlp=new.tlp, sharing_group_id=new.sharing_group_id))
        moment += dt.timedelta(microseconds=1)
    for start in range(0, len(rows), 500):
        session.execute(StixObject.__table__.insert(), rows[start:start + 500])
    return verdicts


def _verdict(new: NewVersion, there: list[tuple[str, int, str]]) -> str:
    if any(owner != new.owner_org_id for _, owner, _ in there):
        return f"{new.stix_id} is another organisation's object in this collection"
    same = [body for version, _, body in there if new.version is None or version == new.version]
    if not same:
        return STORED
    if new.body in same or _same_json(new.body, same):
        return UNCHANGED
    what = "an object without modified or created cannot change" if new.version is None else \
        "another object is stored with this id and version (a change needs a new 'modified')"
    return f"{new.stix_id}: {what}"


def _same_json(body: str, others: Iterable[str]) -> bool:
    value = json.loads(body)
    return any(json.loads(other) == value for other in others)


def take_turn(session: Session, collection_id: str) -> None:
    """Hold the collection's write turn until the transaction ends: a PostgreSQL advisory lock, SQLite's write
    lock (taken by a write that changes nothing). Taking it again in the same transaction is harmless; a writer to
    several collections takes their turns in the order of their ids, so that two writers never wait on each other."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"jirga-taxii:{collection_id}".encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        session.execute(update(StixObject).where(StixObject.id == -1).values(id=StixObject.id))


def delete_object(session: Session, viewer: Viewer, collection: Collection, stix_id: str, where: Filters) -> int:
    """Delete the versions of an object that match (every version unless match[version] names some); the number
    deleted. Only an admin of the object's author organisation deletes it (its owner's, for an object with no
    author)."""
    rows = session.execute(select(StixObject.id, StixObject.author_org_id, StixObject.owner_org_id)
                           .where(*_filtered(StixObject, viewer, collection, where, True),
                                  *_versions(viewer, collection, where, True)), _params(where, stix_id)).all()
    if not rows:
        raise _not_found(session, viewer, "stix_object", stix_id, f"no object {stix_id[:300]!r} in this collection")
    try:
        require_role(viewer, "org_admin", f"delete {stix_id}")
        if any((author or owner) != viewer.org_id for _, author, owner in rows):
            raise PermissionDenied(f"{viewer.username} may not delete {stix_id}: only an admin of the organisation "
                                   "that wrote it may")
    except PermissionDenied as refusal:
        audit.record(session, viewer, "write", "stix_object", stix_id, "denied", str(refusal))
        raise
    session.execute(delete(StixObject).where(StixObject.id.in_([row[0] for row in rows])))
    audit.record(session, viewer, "write", "stix_object", stix_id, "ok",
                 f"deleted {len(rows)} versions from collection {collection.id}")
    return len(rows)


# Status resources (TAXII 2.1 section 4.3.1)


def save_status(session: Session, viewer: Viewer, collection: Collection, status: dict) -> None:
    """Keep the status of an add; only the organisation that added reads it back (it names every object)."""
    session.add(TaxiiStatus(
        id=status["id"], collection=collection.id, status=status["status"],
        request_timestamp=dt.datetime.fromisoformat(status["request_timestamp"].replace("Z", "+00:00")),
        total_count=status["total_count"], success_count=status["success_count"],
        failure_count=status["failure_count"], pending_count=status["pending_count"],
        details=json.dumps({key: status.get(key, []) for key in ("successes", "failures", "pendings")}),
        owner_org_id=viewer.org_id, tlp="red", sharing_group_id=None))


def get_status(session: Session, viewer: Viewer, status_id: str) -> dict:
    row = session.scalar(select(TaxiiStatus).where(TaxiiStatus.id == status_id[:36], visible(TaxiiStatus, viewer)))
    if row is None:
        raise _not_found(session, viewer, "taxii_status", status_id, f"no status {status_id[:60]!r}")
    audit.record(session, viewer, "read", "taxii_status", status_id, "ok", "status")
    status = {"id": row.id, "status": row.status,
              "request_timestamp": aware(row.request_timestamp).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
              "total_count": row.total_count, "success_count": row.success_count,
              "failure_count": row.failure_count, "pending_count": row.pending_count}
    details = json.loads(row.details)
    status.update({key: value for key, value in details.items() if value})
    return status


# Peers: the partner instances this one pulls from and pushes to


def add_peer(session: Session, viewer: Viewer, name: str, url: str, credential: dict | None,
             org_name: str | None) -> Peer:
    """A partner's TAXII API root, with the credential it gave us; org admins add them for their organisation."""
    require_role(viewer, "org_admin", "add a peer")
    name = name.strip()
    if not name or len(name) > 100 or any(ord(c) < 32 for c in name):
        raise BadInput(f"not a peer name: {name[:100]!r} (1-100 characters, no control characters)")
    if not url.startswith(("http://", "https://")) or len(url) > 2048:
        raise BadInput(f"not a TAXII API root URL: {url[:100]!r} (http:// or https://)")
    if session.scalar(select(exists().where(Peer.name == name))):
        raise Conflict(f"a peer called {name!r} exists already")
    org_id = None
    if org_name is not None:
        org_id = session.scalar(select(Organisation.id).where(Organisation.name == org_name.strip()))
        if org_id is None:
            raise NotFound(f"no organisation {org_name.strip()[:200]!r} (jirga org add registers a partner)")
    peer = Peer(name=name, url=url if url.endswith("/") else url + "/", org_id=org_id, owner_org_id=viewer.org_id,
                token=json.dumps(credential) if credential else None, cursor="{}")
    session.add(peer)
    session.flush()
    audit.record(session, viewer, "admin", "peer", peer.id, "ok", f"add {name} at {peer.url}")
    return peer


def list_peers(session: Session, viewer: Viewer) -> list[tuple[Peer, str | None]]:
    """The peers of the viewer's organisation, with the name of each one's partner organisation."""
    rows = session.execute(select(Peer, Organisation.name).outerjoin(Organisation, Organisation.id == Peer.org_id)
                           .where(Peer.owner_org_id == viewer.org_id).order_by(Peer.name)).all()
    audit.record(session, viewer, "read", "peer", None, "ok", f"list: {len(rows)}")
    return [(peer, org) for peer, org in rows]


def get_peer(session: Session, viewer: Viewer, name: str) -> Peer:
    peer = session.scalar(select(Peer).where(Peer.name == name.strip(), Peer.owner_org_id == viewer.org_id))
    if peer is None:
        raise _not_found(session, viewer, "peer", name[:100], f"no peer {name.strip()[:100]!r} (jirga peer list)")
    return peer


def save_cursor(session: Session, peer_id: int, cursor: dict) -> None:
    session.execute(update(Peer).where(Peer.id == peer_id).values(cursor=json.dumps(cursor, sort_keys=True)))


def group_members(session: Session, group_id: int) -> set[int]:
    return set(session.scalars(select(SharingGroupMember.org_id).where(SharingGroupMember.group_id == group_id)))


__all__ = ["DEFAULT_PAGE", "MAX_PAGE", "OPEN_COLLECTION", "STORED", "UNCHANGED", "Collection", "Filters",
           "NewVersion", "Page", "Row", "add_peer", "collection_for", "collections", "decode_next",
           "delete_object", "get_collection", "get_peer", "get_status", "group_collection_id", "group_members",
           "list_peers", "objects_page", "put_versions", "save_cursor", "save_status", "take_turn"]
