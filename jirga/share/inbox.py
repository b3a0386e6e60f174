"""Objects coming into a collection: a partner's TAXII add, a pull from a peer, and our own publishing.

Every received object passes two steps:

1. `check_object` (jirga.share.objects): is it a STIX 2.1 object at all? What fails here is refused before anything
   else sees it.
2. the **receiver**: whatever decides, object by object, whether a checked object is stored, and stores it. It is
   pluggable (`Receiver`): the web app takes one (`create_app(receiver=...)`), and so does `jirga.share.sync`;
   both default to `default_receiver()`, which is `verify_and_fuse`:
   - a **Jirga object** (one that carries Jirga's signature or data extension, or has the id of one of Jirga's
     fixed definitions) goes through `jirga.share.receiving.receive`, exactly as `jirga import` does: its author's
     signature is verified against the keys registered for that author, and a partner's reports and incidents join
     our store. One that fails is refused with the reason (in the status resource), audited and counted.
   - **any other valid STIX object** (a third-party client's indicator, a type Jirga does not know) is kept as it
     came and served back unchanged, but it is *unverified*: it names no verified author (`author_org_id` is
     NULL), is owned by whoever sent it, and never joins an incident. The status resource says so.
   Both store through `jirga.store.taxii.put_versions`, so versions, idempotence and the order of `date_added` are
   the same whichever path an object takes. `store_as_received` (every object unverified) remains for a server that
   only relays.

`add` turns the receiver's outcomes into a TAXII status resource (section 4.3.1) and keeps it; `publish` puts our
own objects into the collection their marking belongs in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from jirga.access import NotFound, Viewer, audit
from jirga.access.acts import require
from jirga.db import Store
from jirga.errors import BadInput
from jirga.share import receiving
from jirga.share.definitions import EXTENSION_ID, SIGNATURE_EXTENSION_ID, is_well_known
from jirga.share.objects import StixVersion, check_object, object_label
from jirga.store import taxii
from jirga.store.taxii import STORED, UNCHANGED, Collection, NewVersion


@dataclass(frozen=True)
class Outcome:
    """What became of one object: stored, already there (both successes), or refused and why."""

    id: str
    version: str  # as STIX writes a timestamp; "" for an object without one
    stored: bool = False
    refused: str | None = None
    verified_by: str | None = None  # the author whose signature it carries, verified; None: unverified
    note: str | None = None  # what to say of a success besides "stored"

    def detail(self) -> dict:
        """A TAXII status-details entry."""
        message = self.refused or self.note or (None if self.stored else "already stored")
        return {"id": self.id, "version": self.version, **({"message": message} if message else {})}


class Receiver(Protocol):
    """Decides for each checked object whether it is stored, stores those it accepts, and says what became of each
    (one `Outcome` per object, in order). `owner_org_id` is whom the objects come from when the caller knows better
    than `viewer` (a pull from a partner registered as an organisation); None means the viewer's organisation."""

    def __call__(self, store: Store, viewer: Viewer, collection: Collection, objects: Sequence[StixVersion], *,
                 owner_org_id: int | None = None) -> list[Outcome]: ...


UNVERIFIED = "stored unverified: it carries no Jirga signature, so it is served back unchanged and never fused"


def store_as_received(store: Store, viewer: Viewer, collection: Collection, objects: Sequence[StixVersion], *,
                      owner_org_id: int | None = None) -> list[Outcome]:
    """Every object as it came, unverified, under its own marking, owned by whom it comes from."""
    owner = owner_org_id if owner_org_id is not None else viewer.org_id
    return _put(store, collection, objects, owner=owner, author=None)


def is_jirga_object(obj: dict) -> bool:
    """Whether an object speaks for Jirga, so must be verified: it carries Jirga's signature or data extension, or
    has the id of one of Jirga's fixed definitions."""
    extensions = obj.get("extensions")
    ours = isinstance(extensions, dict) and (SIGNATURE_EXTENSION_ID in extensions or EXTENSION_ID in extensions)
    return ours or is_well_known(str(obj.get("id")))


def verify_and_fuse(store: Store, viewer: Viewer, collection: Collection, objects: Sequence[StixVersion], *,
                    owner_org_id: int | None = None) -> list[Outcome]:
    """The default receiver (see the module's docstring): Jirga objects verified and fused as `jirga import` does,
    any other STIX object kept unverified."""
    sender = owner_org_id if owner_org_id is not None else viewer.org_id
    done: dict[int, Outcome] = {}
    for obj in objects:  # a marking the collection does not hold is refused alike, signed or not
        level = obj.tlp or collection.default_tlp
        if level not in collection.levels:
            done[id(obj)] = Outcome(obj.id, obj.shown_version, refused=_misplaced(obj.id, level, collection))
    ours = [obj for obj in objects if id(obj) not in done and is_jirga_object(obj.object)]
    others = [obj for obj in objects if id(obj) not in done and not is_jirga_object(obj.object)]
    if ours:
        items = [receiving.Incoming(obj.object, obj.body, obj.id) for obj in ours]
        result = receiving.receive(store, viewer, items, group=collection.group_id, sender=sender,
                                   collection=collection.id)
        for obj, verdict in zip(ours, result.verdicts, strict=True):
            done[id(obj)] = _verified(obj, verdict)
    kept = _put(store, collection, others, owner=sender, author=None) if others else []
    for obj, outcome in zip(others, kept, strict=True):
        done[id(obj)] = replace(outcome, note=UNVERIFIED) if outcome.stored else outcome
    return [done[id(obj)] for obj in objects]


def _verified(obj: StixVersion, verdict: str) -> Outcome:
    if verdict == receiving.STORED:
        author = obj.created_by_ref or ""
        return Outcome(obj.id, obj.shown_version, stored=True, verified_by=author,
                       note=f"stored, signature of its author {author} verified")
    if verdict == receiving.UNCHANGED:
        return Outcome(obj.id, obj.shown_version)
    if verdict == receiving.DEFINITION:
        return Outcome(obj.id, obj.shown_version, note="a fixed definition every Jirga instance has: not stored")
    return Outcome(obj.id, obj.shown_version, refused=f"{obj.id}: {verdict}")


def default_receiver() -> Receiver:
    """The receiver the web app and `jirga sync pull` use unless told otherwise: the one place to plug in another."""
    return verify_and_fuse


def _put(store: Store, collection: Collection, objects: Sequence[StixVersion], *, owner: int,
         author: int | None) -> list[Outcome]:
    outcomes: list[Outcome | None] = []
    accepted: list[NewVersion] = []
    for obj in objects:
        level = obj.tlp or collection.default_tlp
        if level not in collection.levels:
            outcomes.append(Outcome(obj.id, obj.shown_version, refused=_misplaced(obj.id, level, collection)))
            continue
        outcomes.append(None)
        accepted.append(NewVersion(obj.id, obj.type, obj.spec_version, obj.version, obj.body, owner, level,
                                   collection.group_id, author))
    with store.write_turn(), store.session() as session:
        verdicts = taxii.put_versions(session, collection, accepted)
    store.grew("stix_objects", verdicts.count(STORED))
    verdicts = iter(verdicts)
    done = []
    for obj, outcome in zip(objects, outcomes, strict=True):
        if outcome is None:
            verdict = next(verdicts)
            outcome = Outcome(obj.id, obj.shown_version, stored=verdict == STORED,
                              refused=None if verdict in (STORED, UNCHANGED) else verdict)
        done.append(outcome)
    return done


def _misplaced(stix_id: str, level: str, collection: Collection) -> str:
    if level not in collection.levels and level in ("amber+strict", "red"):
        return f"{stix_id} is marked TLP:{level.upper()}, which never leaves its organisation"
    holds = ", ".join(f"TLP:{each.upper()}" for each in collection.levels)
    return f"{stix_id} is marked TLP:{level.upper()}, which this collection does not hold (it holds {holds})"


def check_all(objects: Sequence[object]) -> tuple[list[StixVersion], list[Outcome]]:
    """The objects that are STIX 2.1, and an outcome for each one that is not."""
    checked, refused = [], []
    for index, obj in enumerate(objects):
        result = check_object(obj)
        if isinstance(result, str):
            ident, version = object_label(obj, index)
            refused.append(Outcome(ident, version, refused=result))
        else:
            checked.append(result)
    return checked, refused


def add(store: Store, viewer: Viewer, collection: Collection, objects: Sequence[object],
        receiver: Receiver | None = None) -> dict:
    """A TAXII add (section 5.5): check each object, hand the good ones to the receiver, keep and return the
    status resource. The collection must be one the viewer writes."""
    require(store, viewer, "analyst", f"add objects to collection {collection.id}", target_type="stix_object")
    requested = dt.datetime.now(dt.UTC)
    checked, refused = check_all(objects)
    outcomes = (receiver or default_receiver())(store, viewer, collection, checked) + refused
    successes = [o.detail() for o in outcomes if o.refused is None]
    failures = [o.detail() for o in outcomes if o.refused is not None]
    status = {"id": str(uuid.uuid4()), "status": "complete",
              "request_timestamp": requested.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "total_count": len(outcomes),
              "success_count": len(successes), "failure_count": len(failures), "pending_count": 0,
              "successes": successes, "failures": failures, "pendings": []}
    with store.write_turn(), store.session() as session:
        taxii.save_status(session, viewer, collection, status)
        stored = sum(o.stored for o in outcomes)
        audit.record(session, viewer, "write", "stix_object", None, "ok" if not failures else "denied",
                     f"add to collection {collection.id}: {stored} stored, {len(successes) - stored} already there, "
                     f"{len(failures)} refused (status {status['id']})")
    return status


@dataclass
class Published:
    stored: int = 0
    unchanged: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (object id, why)

    def line(self) -> str:
        return (f"{self.stored} versions published, {self.unchanged} already published, {len(self.refused)} "
                "refused")


def publish(store: Store, viewer: Viewer, objects: Sequence[dict], *, collection_id: str | None = None,
            group_id: int | None = None) -> Published:
    """Put our own STIX objects into a collection, authored by the viewer's organisation: into `collection_id`, or
    else each into the collection its marking belongs in (CLEAR and GREEN: the open one; AMBER: that of the sharing
    group `group_id`; AMBER+STRICT and RED: none, refused). An object whose `modified` changed is a new version;
    the same version again stores nothing new."""
    require(store, viewer, "analyst", "publish objects", target_type="stix_object")
    checked, refused = check_all(objects)
    done = Published(refused=[(o.id, o.refused or "") for o in refused])
    by_collection: dict[str, tuple[Collection, list[StixVersion]]] = {}
    with store.session() as session:
        for obj in checked:
            try:
                if collection_id is not None:
                    target = taxii.get_collection(session, viewer, collection_id)
                elif obj.tlp is None:
                    raise BadInput("it carries no TLP marking: say which collection it goes in")
                else:
                    target = taxii.collection_for(session, viewer, obj.tlp, group_id)
            except (BadInput, NotFound) as error:
                done.refused.append((obj.id, f"{obj.id}: {error}"))
                continue
            by_collection.setdefault(target.id, (target, []))[1].append(obj)
    for target, members in by_collection.values():
        for outcome in _put(store, target, members, owner=viewer.org_id, author=viewer.org_id):
            if outcome.refused:
                done.refused.append((outcome.id, outcome.refused))
            elif outcome.stored:
                done.stored += 1
            else:
                done.unchanged += 1
    with store.session() as session:
        audit.record(session, viewer, "write", "stix_object", None, "ok", f"publish: {done.line()}")
    return done
