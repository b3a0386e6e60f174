"""Policy preview: exactly what one partner would receive from this instance, object by object, and why.

A partner is a sharing group or an organisation. A sharing group receives what `publishing.shared` gives its
audience; an organisation receives the community's share (TLP:CLEAR and GREEN) and what each sharing group that
holds both it and the viewer's organisation receives. The objects come from `publishing.shared` itself, the
function `jirga export` and the TAXII collections read, so the preview and what is sent can never differ; the
preview only explains them. Like `shared`, it shows what is published now (`jirga export` publishes first, and
`jirga share preview --publish` too).

A sharing group that does not exist, that the viewer's organisation is not in, or that has no member but it, shares
with no one: `publishing.audience` refuses it (GroupError), never read as "no restriction".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from jirga.access import Viewer
from jirga.access.acts import require
from jirga.access.rules import Audience
from jirga.db import Store
from jirga.errors import BadInput, NotFound
from jirga.model import tlp as tlp_levels
from jirga.share.definitions import SIGNATURE_EXTENSION_ID, uuid_of
from jirga.share.publishing import audience, shared
from jirga.store import sharing


@dataclass
class Item:
    """One object the partner would receive."""

    id: str
    type: str
    title: str
    marking: str  # TLP:GREEN, ...
    author: str  # the organisation that signed it (a partner's, relayed unchanged, or ours)
    why: list[str] = field(default_factory=list)  # one line per audience it reaches the partner through
    fields: dict[str, Any] = field(default_factory=dict)  # the object, without its signature

    def row(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "title": self.title, "marking": self.marking,
                "author": self.author, "why": "; ".join(self.why)}


@dataclass
class Preview:
    partner: str
    kind: str  # "sharing group" or "organisation"
    audiences: list[str]  # through what it receives, in words
    items: list[Item]

    @property
    def ids(self) -> list[str]:
        return [item.id for item in self.items]


def preview(store: Store, viewer: Viewer, partner: str) -> Preview:
    """What `partner` (a sharing group's or an organisation's name) would receive of what the viewer may see; an
    analyst's view (audited, as `shared` is). BadInput, NotFound or GroupError for a partner that receives
    nothing because it is not one."""
    require(store, viewer, "analyst", "preview what a partner receives", target_type="stix_object")
    name = partner.strip()
    with store.session() as session:
        group = sharing.group_named(session, name) if name else None
        org = sharing.organisation_by_name(session, name) if name else None
        if group is not None and org is not None:
            raise BadInput(f"{name[:200]!r} is both a sharing group and an organisation: rename one of them")
        if group is None and org is None:
            raise NotFound(f"no sharing group or organisation called {name[:200]!r} (jirga group list, jirga org "
                           "list)")
        if org is not None and org.id == viewer.org_id:
            raise BadInput(f"{org.name} is your own organisation: preview what a partner receives")
        groups = [] if org is None else [g for g in sharing.groups_of(session, viewer.org_id)
                                         if org.id in sharing.group_members(session, g.id)]
        authors = {o.uuid: o.name for o in sharing.organisations(session)}
    if group is not None:
        reasons = [(audience(store, viewer, group=group.name), f"shared in sharing group {group.name}")]
    else:
        reasons = [(Audience(tlp="green"), f"TLP:CLEAR and GREEN go to every partner, {org.name} included")]
        reasons += [(Audience(group_id=g.id), f"shared in sharing group {g.name}, of which {org.name} is a member")
                    for g in groups]
    items: dict[str, Item] = {}
    for who, why in reasons:
        for text in shared(store, viewer, who, purpose=f"preview for {name[:100]}"):
            obj = json.loads(text)
            item = items.get(obj["id"]) or items.setdefault(obj["id"], _item(obj, authors))
            if item.marking in ("TLP:CLEAR", "TLP:GREEN") and not item.why:
                item.why.append(f"{item.marking}: every partner receives it")
            elif item.marking == "TLP:AMBER":
                item.why.append(f"TLP:AMBER, {why}")
    return Preview(name, "sharing group" if group is not None else "organisation", [why for _, why in reasons],
                   list(items.values()))


def _item(obj: dict[str, Any], authors: dict[str, str]) -> Item:
    level = tlp_levels.from_marking_refs(obj.get("object_marking_refs") or []) or "amber"
    author_ref = obj.get("created_by_ref") or (obj["id"] if obj["type"] == "identity" else "")
    fields = {key: value for key, value in obj.items() if key != "extensions"}
    extensions = {key: value for key, value in (obj.get("extensions") or {}).items() if key != SIGNATURE_EXTENSION_ID}
    if extensions:
        fields["extensions"] = extensions
    return Item(obj["id"], obj["type"], str(obj.get("name") or obj.get("title") or obj["id"])[:300],
                f"TLP:{level.upper()}", authors.get(uuid_of(author_ref), author_ref) if author_ref else "",
                fields=fields)
