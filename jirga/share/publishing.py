"""Publishing: an organisation's shareable records become signed STIX objects in `stix_objects`, one version per
change; and what one audience receives of them (and of what partners sent, relayed unchanged).

`publish` builds every object the organisation would share now (`stix_out.build`) and compares each with the
newest version it published before: unchanged content keeps that version (same `modified`, same bytes, same
signature); changed content becomes a new version with the same id and a later `modified`, signed anew; an object
it no longer shares (a withdrawn report, an incident merged away) gets a last version with `revoked: true`. So a
partner that pulls again receives corrections, not duplicates, and a version once published never changes.

`shared` is what an audience receives: the newest version of every stored object the requesting viewer may see
(`access.visible`) and the audience may receive (`access.rules.audience_receives`), plus the fixed definitions
those objects refer to. The TAXII server's collections and `jirga export` both read it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from jirga.access import Viewer, audit
from jirga.access.acts import require
from jirga.access.rules import Audience, member_group
from jirga.db import Store
from jirga.errors import BadInput, GroupError
from jirga.model import tlp as tlp_levels
from jirga.share import keys, signing, stix_out
from jirga.share.canonical import canonical
from jirga.share.definitions import (
    EXTENSION_ID,
    JIRGA_IDENTITY_ID,
    SIGNATURE_EXTENSION_ID,
    collection_for,
    parse_timestamp,
    timestamp,
    version_key,
    well_known,
)
from jirga.store import sharing


@dataclass
class Published:
    new: int = 0  # objects published for the first time
    changed: int = 0  # new versions of objects published before
    unchanged: int = 0
    revoked: int = 0

    def line(self) -> str:
        return (f"{self.new} new, {self.changed} new versions, {self.unchanged} unchanged, {self.revoked} revoked "
                "objects published")


def _content(obj: dict) -> bytes:
    """What a version says, without its version stamp and signature."""
    unsigned = json.loads(signing.payload(obj))
    unsigned.pop("modified", None)
    return canonical(unsigned)


def _next_version(previous: str | None, now: dt.datetime) -> str:
    """`now`, or a millisecond after the previous version if the clock has not passed it."""
    if previous is not None:
        now = max(now, parse_timestamp(previous) + dt.timedelta(milliseconds=1))
    return timestamp(now)


def publish(store: Store, viewer: Viewer, *, key_dir: Path | None = None,
            signer: signing.Signer | None = None) -> Published:
    """Sign and store what the viewer's organisation shares now (see the module's docstring); audited. Signing in
    the organisation's name is an analyst's act: a viewer may read what is shared, not publish."""
    require(store, viewer, "analyst", "publish the organisation's shared objects", "write", "stix_object")
    signer = signer or keys.signer(store, viewer, key_dir)
    done = Published()
    with store.session() as session:
        before = sharing.latest_authored(session, viewer.org_id)
        now = dt.datetime.now(dt.UTC)
        for item in stix_out.build(session, viewer):
            old = before.pop(item.obj["id"], None)
            old_body = json.loads(old.body) if old is not None else None
            if old_body is not None and not old_body.get("revoked") and old.tlp == item.tlp \
                    and old.sharing_group_id == item.group and _content(old_body) == _content(item.obj):
                done.unchanged += 1
                continue
            modified = _next_version(old_body.get("modified") if old_body else None, now)
            _store(session, signing.sign(item.obj | {"modified": modified}, signer), item.tlp, item.group, viewer)
            if old is None:
                done.new += 1
            else:
                done.changed += 1
        for old in before.values():
            body = json.loads(old.body)
            if body.get("revoked"):
                continue
            revoked = body | {"revoked": True, "modified": _next_version(body.get("modified"), now)}
            _store(session, signing.sign(revoked, signer), old.tlp, old.sharing_group_id, viewer)
            done.revoked += 1
        audit.record(session, viewer, "write", "stix_object", None, "ok", f"publish: {done.line()}")
    return done


def _store(session, obj: dict, level: str, group: int | None, viewer: Viewer) -> None:
    sharing.add_object(session, collection=collection_for(level, group), stix_id=obj["id"], kind=obj["type"],
                       version=version_key(obj["modified"]), author=viewer.org_id,
                       body=canonical(obj).decode("utf-8"), tlp=level, group=group)


def audience(store: Store, viewer: Viewer, *, group: str | None = None, tlp: str | None = None) -> Audience:
    """The audience of an export: a sharing group the viewer's organisation belongs to and that has at least one
    other member, or TLP clear/green. A group that does not exist, or has no member but the viewer's organisation,
    shares with no one: refused (GroupError), never read as "no restriction"."""
    if (group is None) == (tlp is None):
        raise BadInput("say who receives it: --group GROUP (its TLP:CLEAR, GREEN and its own AMBER) or --tlp "
                       "clear|green")
    if tlp is not None:
        level = tlp_levels.normalize(tlp)
        if level not in ("clear", "green"):
            raise BadInput(f"--tlp {level}: only clear or green go to everyone who receives them; TLP:AMBER goes to "
                           "a sharing group (--group), AMBER+STRICT and RED never leave this instance")
        return Audience(tlp=level)
    with store.session() as session:
        group_id = member_group(session, viewer.org_id, group)
        if not sharing.group_members(session, group_id) - {viewer.org_id}:
            raise GroupError(f"group: {group.strip()[:200]!r} has no member but your organisation, so it shares with "
                             "no one: add its partners first (jirga group add ... --member ORG)")
    return Audience(group_id=group_id)


def shared(store: Store, viewer: Viewer, audience: Audience, *, purpose: str = "export") -> list[str]:
    """The JSON text of every object `audience` receives of what `viewer` may see, as stored (published or
    received: a partner's object is relayed byte for byte), oldest first; audited."""
    with store.session() as session:
        rows = sharing.shared_objects(session, viewer, audience)
        audit.record(session, viewer, "read", "stix_object", None, "ok",
                     f"{purpose} for {_describe(audience)}: {len(rows)} objects")
    return [row.body for row in rows]


def definitions() -> list[str]:
    """The fixed objects shared objects refer to: Jirga's identity and extension definitions, and the markings
    of the levels that leave an instance (TLP:CLEAR, GREEN, AMBER)."""
    ids = [JIRGA_IDENTITY_ID, EXTENSION_ID, SIGNATURE_EXTENSION_ID,
           *(tlp_levels.TLP2_MARKING_IDS[level] for level in ("clear", "green", "amber"))]
    return [canonical(well_known(identifier)).decode("utf-8") for identifier in ids]


def _describe(audience: Audience) -> str:
    return f"sharing group {audience.group_id}" if audience.group_id is not None else f"TLP:{audience.tlp.upper()}"


def bundle_text(objects: list[str]) -> str:
    """A STIX bundle holding these objects' JSON texts unchanged, after the definitions they refer to; with no
    objects, an empty bundle (STIX has no empty list: no `objects` at all)."""
    head = f'{{"type":"bundle","id":"bundle--{uuid.uuid4()}"'
    if not objects:
        return head + "}\n"
    return head + ',"objects":[\n' + ",\n".join([*definitions(), *objects]) + "\n]}\n"
