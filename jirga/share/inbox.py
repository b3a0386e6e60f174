"""Objects coming into a collection: a partner's TAXII add, a pull from a peer, and our own publishing.

Every received object passes two steps:

1. `check_object` (jirga.share.objects): is it a STIX 2.1 object at all? What fails here is refused before anything
   else sees it.
2. the **receiver**: whatever decides, object by object, whether a checked object is stored, and stores it. It is
   pluggable (`Receiver`): the web app takes one (`create_app(receiver=...)`), and so does `jirga.share.sync`;
   both default to `default_receiver()`, the one place to plug in another. That is now `store_as_received`: each
   object as it came, marked with its own TLP marking (the collection's default when it has none) and owned by
   the organisation that sent it; a marking the collection cannot hold is refused (AMBER outside a sharing group;
   AMBER+STRICT and RED always). A receiver that verifies signatures and fuses received claims replaces it; it
   stores through `jirga.store.taxii.put_versions` like this one, so that versions, idempotence and the order of
   `date_added` stay the same.

`add` turns the receiver's outcomes into a TAXII status resource (section 4.3.1) and keeps it; `publish` puts our
own objects into the collection their marking belongs in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from jirga.access import NotFound, Viewer, audit
from jirga.access.acts import require
from jirga.db import Store
from jirga.errors import BadInput
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

    def detail(self) -> dict:
        """A TAXII status-details entry."""
        message = self.refused or (None if self.stored else "already stored")
        return {"id": self.id, "version": self.version, **({"message": message} if message else {})}


class Receiver(Protocol):
    """Decides for each checked object whether it is stored, stores those it accepts, and says what became of each
    (one `Outcome` per object, in order). `owner_org_id` is whom the objects come from when the caller knows better
    than `viewer` (a pull from a partner registered as an organisation); None means the viewer's organisation."""

    def __call__(self, store: Store, viewer: Viewer, collection: Collection, objects: Sequence[StixVersion], *,
                 owner_org_id: int | None = None) -> list[Outcome]: ...


def store_as_received(store: Store, viewer: Viewer, collection: Collection, objects: Sequence[StixVersion], *,
                      owner_org_id: int | None = None) -> list[Outcome]:
    """The default receiver: each object as it came, under its own marking, owned by whom it comes from."""
    owner = owner_org_id if owner_org_id is not None else viewer.org_id
    return _put(store, collection, objects, owner=owner, author=None)


def default_receiver() -> Receiver:
    """The receiver the web app and `jirga sync pull` use unless told otherwise: the one place to plug in another."""
    return store_as_received


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
        verdicts = iter(taxii.put_versions(session, collection, accepted))
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
