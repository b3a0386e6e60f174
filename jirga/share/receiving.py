"""Receiving STIX objects from partners: every object is checked and its author's signature verified before
anything is stored; the valid ones are stored as received (`stix_objects`, byte for byte) and a partner's reports
and incidents join our store (`store.partner`); each bad one is rejected with its id and the reason, and changes
nothing. `jirga import` and the TAXII server's add endpoint both call `receive`.

An object is rejected, in this order of checks, when it is:
 1. not a JSON object, has a key twice or NaN, is larger than MAX_OBJECT_BYTES or nested deeper than MAX_DEPTH;
 2. not STIX 2.1 (the `stix2` library's object model refuses it);
 3. a fixed definition (a TLP marking, Jirga's extensions) that differs from ours;
 4. unsigned, or its signature is malformed;
 5. authored (`created_by_ref`) by no organisation registered here, or signed with a key registered for another
    organisation than the one it names as author, or an identity that names another registered organisation;
 6. signed with a key its author has not registered, or with a retired key after its retirement;
 7. not verified by that key (changed after it was signed);
 8. marked with what may not cross between instances (TLP:RED, TLP:AMBER+STRICT, an unknown marking, which reads as
    RED), or TLP:AMBER (or unmarked, read as AMBER) without a sharing group that holds its author, the sender (when
    known) and the receiving organisation;
 9. an id of another author's object, or of another organisation's report or claim here;
10. older than the version stored (a replay), or a different object under a stored version;
11. a Jirga object whose extension does not follow its schema, or whose claims do not quote their reports.
Receiving what is already stored stores nothing (pulling twice is harmless). Rejections are counted, audited and
returned; the caller says them (stderr, or the TAXII status resource).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import stix2
from sqlalchemy.exc import IntegrityError
from stix2.exceptions import STIXError

from jirga.access import Viewer, audit
from jirga.access.acts import require
from jirga.db import Store
from jirga.errors import BadInput, Conflict
from jirga.ingest.stix import date_of, language_of, report_of
from jirga.model import tlp as tlp_levels
from jirga.model.report import IncomingReport, found_url
from jirga.share import keys, signing, stix_links
from jirga.share.canonical import MAX_DEPTH, canonical, depth
from jirga.share.definitions import (
    EXTENSION_ID,
    is_well_known,
    same_as_well_known,
    schema,
    uuid_of,
    version_key,
)
from jirga.share.values import restored
from jirga.store import partner, sharing, taxii
from jirga.store.taxii import NewVersion, collection_id

MAX_BUNDLE_BYTES = 256 * 2**20
MAX_OBJECT_BYTES = 4 * 2**20
MAX_OBJECTS = 100_000
STORED, UNCHANGED, DEFINITION = taxii.STORED, taxii.UNCHANGED, "definition"
ORDER = {"identity": 0, "location": 1, "intrusion-set": 1, "report": 2, "incident": 3}  # reports before incidents
_SPACE = re.compile(r"[ \t\n\r]*")


@dataclass(frozen=True)
class Incoming:
    """One object as received: parsed (None if it is not a JSON object), its exact text, and what names it."""

    obj: Any
    raw: str
    where: str  # its id, or "object N" when it has none
    problem: str | None = None  # found while reading it: a repeated key, NaN


@dataclass
class Received:
    total: int = 0
    stored: int = 0  # object versions stored
    unchanged: int = 0  # already stored, or this instance's own objects come back
    definitions: int = 0  # fixed definitions every instance has
    reports: int = 0  # partner reports stored as reports
    claims: int = 0  # partner claims added to our incidents
    relations: int = 0  # partner relations between actors added
    opinions: int = 0  # partner verdicts on claims held here
    removed: int = 0  # partner claims a newer version withdrew
    waiting: int = 0  # claims whose report has not arrived yet
    incidents: set[int] = field(default_factory=set)  # our incidents they joined or changed
    authors: dict[str, int] = field(default_factory=dict)  # verified author -> objects stored
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)
    notes: list[str] = field(default_factory=list)
    # What became of each object, in the order received: STORED, UNCHANGED, DEFINITION, or the reason it was rejected
    # (the TAXII status resource names each object).
    verdicts: list[str] = field(default_factory=list)

    def line(self) -> str:
        by = ", ".join(f"{name}: {count}" for name, count in sorted(self.authors.items())) or "none"
        return (f"{self.total} objects: {self.stored} stored, {self.unchanged} unchanged, {len(self.rejected)} "
                f"rejected; verified authors {by}; {self.reports} reports and {self.claims} claims joined "
                f"{len(self.incidents)} incidents" + (f"; {self.opinions} verdicts on claims" if self.opinions else "")
                + (f"; {self.waiting} claims wait for their report" if self.waiting else ""))


class _Reject(Exception):
    pass


# Reading


def read_bundle(data: bytes, origin: str = "bundle") -> list[Incoming]:
    """A STIX bundle's objects, each with its exact text; BadInput (naming `origin`) if the bundle as a whole cannot
    be read: too large, not UTF-8, not JSON, not a bundle, too many objects."""
    return _read(data, origin, bundle=True)


def read_envelope(data: bytes, origin: str = "envelope") -> list[Incoming]:
    """A TAXII 2.1 envelope's objects (`{"objects": [...]}`), like `read_bundle`."""
    return _read(data, origin, bundle=False)


def incoming(objects: Iterable[Any]) -> list[Incoming]:
    """Objects already parsed (their text is then their canonical JSON)."""
    out = []
    for number, obj in enumerate(objects, 1):
        try:
            raw = canonical(obj).decode("utf-8")
        except BadInput as error:
            out.append(Incoming(obj, "", _name(obj, number), str(error)))
            continue
        out.append(Incoming(obj, raw, _name(obj, number)))
    return out


def _name(obj: Any, number: int) -> str:
    identifier = obj.get("id") if isinstance(obj, dict) else None
    if isinstance(identifier, str) and re.fullmatch(r"[a-z0-9-]{1,250}--[0-9a-fA-F-]{36}", identifier):
        return identifier
    return f"object {number}"


def _read(data: bytes, origin: str, *, bundle: bool) -> list[Incoming]:
    if len(data) > MAX_BUNDLE_BYTES:
        raise BadInput(f"{origin}: {len(data):,} bytes, more than the {MAX_BUNDLE_BYTES:,} a bundle may have")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(f"{origin}: not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})") from None
    try:
        top, items = _split(text)
    except json.JSONDecodeError as error:
        raise BadInput(f"{origin}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None
    except RecursionError:
        raise BadInput(f"{origin}: not valid JSON (nested too deeply)") from None
    except ValueError as error:
        raise BadInput(f"{origin}: {error}") from None
    if bundle and top.get("type") != "bundle":
        raise BadInput(f"{origin}: not a STIX bundle (the top level has type {str(top.get('type'))[:40]!r}, not "
                       "'bundle')")
    if top.get("objects") is not None:  # a list was read element by element and left None here
        raise BadInput(f"{origin}: its 'objects' is not a list")
    if len(items) > MAX_OBJECTS:
        raise BadInput(f"{origin}: {len(items):,} objects, more than the {MAX_OBJECTS:,} one bundle may hold")
    return [Incoming(obj, raw, _name(obj, number), problem) for number, (obj, raw, problem) in enumerate(items, 1)]


def _split(text: str) -> tuple[dict[str, Any], list[tuple[Any, str, str | None]]]:
    """The top-level members, and each element of `objects` with its exact text and the first problem in it."""
    problems: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                problems.append(f"the key {key[:60]!r} appears twice in one object")
            out[key] = value
        return out

    def constant(name: str) -> None:
        problems.append(f"{name} is not a JSON number")

    decoder = json.JSONDecoder(object_pairs_hook=pairs, parse_constant=constant)

    def space(at: int) -> int:
        return _SPACE.match(text, at).end()

    def expect(at: int, char: str) -> int:
        if at >= len(text) or text[at] != char:
            raise json.JSONDecodeError(f"Expecting {char!r}", text, at)
        return space(at + 1)

    top: dict[str, Any] = {}
    items: list[tuple[Any, str, str | None]] = []
    at = expect(space(0), "{")
    more = not text.startswith("}", at)
    while more:
        if not text.startswith('"', at):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, at)
        key, at = decoder.raw_decode(text, at)
        at = expect(space(at), ":")
        if key in top:
            raise ValueError(f"the bundle has the member {key[:60]!r} twice")
        if key == "objects" and text.startswith("[", at):
            at = space(at + 1)
            element = not text.startswith("]", at)
            while element:
                problems.clear()
                value, end = decoder.raw_decode(text, at)
                items.append((value, text[at:end], problems[0] if problems else None))
                at = space(end)
                element = text.startswith(",", at)
                at = space(at + 1) if element else at
            top[key] = None
            at = expect(at, "]")
        else:
            problems.clear()
            top[key], at = decoder.raw_decode(text, at)
            if problems:
                raise ValueError(problems[0])
            at = space(at)
        more = text.startswith(",", at)
        at = space(at + 1) if more else at
    at = expect(at, "}")
    if at != len(text):
        raise json.JSONDecodeError("Extra data", text, at)
    return top, items


# Checking


@dataclass
class _Accepted:
    item: Incoming
    obj: dict[str, Any]
    author: int
    author_name: str
    level: str
    version: str


class _Checks:
    """What the checks of one call need, looked up once."""

    def __init__(self, session, viewer: Viewer, items: list[Incoming], group: int | None, sender: int | None):
        self.viewer, self.group, self.sender = viewer, group, sender
        self.keys = keys.verification_keys(session)
        self.members = sharing.group_members(session, group) if group is not None else set()
        ids = [item.where for item in items if "--" in item.where]
        self.latest = sharing.latest_versions(session, ids)
        self.authors = sharing.authors_of(session, ids)
        self.session = session
        self._orgs: dict[str, Any] = {}
        self.batch: dict[str, str] = {}  # id -> the version accepted earlier in this call

    def org(self, org_uuid: str):
        if org_uuid not in self._orgs:
            self._orgs[org_uuid] = sharing.organisation_by_uuid(self.session, org_uuid)
        return self._orgs[org_uuid]

    def check(self, item: Incoming) -> _Accepted | str:
        """The accepted object; "definition" or "own" for what is not stored; _Reject with the reason."""
        obj = item.obj
        if item.problem:
            raise _Reject(f"not JSON that every reader reads alike: {item.problem}")
        if not isinstance(obj, dict):
            raise _Reject(f"not a STIX object (a JSON {type(obj).__name__}, not an object)")
        if len(item.raw.encode("utf-8", "surrogatepass")) > MAX_OBJECT_BYTES:
            raise _Reject(f"too large: {len(item.raw):,} characters, more than {MAX_OBJECT_BYTES:,} bytes")
        if depth(obj) > MAX_DEPTH:
            raise _Reject(f"nested more than {MAX_DEPTH} deep")
        if obj.get("spec_version") != "2.1":
            raise _Reject(f"not STIX 2.1 (spec_version {str(obj.get('spec_version'))[:20]!r})")
        self._valid_stix(obj)
        if is_well_known(item.where) or obj.get("type") == "marking-definition":
            if same_as_well_known(obj):
                return "definition"
            raise _Reject("differs from the fixed definition of that id every instance has" if is_well_known(
                item.where) else "a marking definition Jirga does not know: its objects would read as TLP:RED")
        try:
            signature = signing.signature_of(obj)
        except signing.SignatureError as error:
            raise _Reject(str(error)) from None
        author, name = self._author(obj, signature["kid"])
        registered = self.keys[signature["kid"]]
        version = self._version(obj)
        if registered.retired_at is not None:
            retired = registered.retired_at if registered.retired_at.tzinfo else registered.retired_at.replace(
                tzinfo=dt.UTC)
            if version > retired.strftime("%Y-%m-%dT%H:%M:%S.%fZ"):  # the form of version_key
                raise _Reject(f"signed with {name}'s key {registered.kid}, retired on {retired:%Y-%m-%d %H:%M} UTC, "
                              "for a version made after that")
        try:
            signing.verify(obj, registered.key)
        except BadInput as error:
            raise _Reject(str(error)) from None
        if self._is_local(author):  # this instance's own object, relayed back: its records are here already
            return "own"
        level = self._marking(obj, author, name)
        self._collision(item.where, author)
        self._replay(item, version)
        self._extension(obj)
        self.batch[item.where] = version
        return _Accepted(item, obj, author, name, level, version)

    def _valid_stix(self, obj: dict[str, Any]) -> None:
        """The `stix2` object model's checks: required properties, their types and formats, the id's form. (The
        OASIS validator is thorough but takes 20-30 ms an object; this takes about one. Exports are tested with
        the validator.) Custom properties and types are STIX 2.1 too, and are kept."""
        try:
            stix2.parse(obj, allow_custom=True, version="2.1")
        except (STIXError, ValueError, TypeError, KeyError, AttributeError) as error:
            raise _Reject(f"not valid STIX 2.1: {_one_line(str(error))}") from None

    def _author(self, obj: dict[str, Any], kid: str) -> tuple[int, str]:
        author_ref = obj.get("created_by_ref")
        if not isinstance(author_ref, str) or not author_ref.startswith("identity--"):
            raise _Reject("names no author (created_by_ref)")
        org = self.org(uuid_of(author_ref))
        holder = self.keys.get(kid)
        if org is None:
            if holder is not None:
                raise _Reject(f"claims {author_ref} as its author, but is signed with {holder.org_name}'s key {kid}")
            raise _Reject(f"its author {author_ref} is no organisation registered here (jirga key register)")
        if holder is None:
            raise _Reject(f"signed with key {kid}, which {org.name} has not registered here (an unknown key)")
        if holder.org_id != org.id:
            raise _Reject(f"claims {org.name} as its author, but is signed with {holder.org_name}'s key {kid}")
        if obj.get("type") == "identity" and obj.get("id") != author_ref:
            named = self.org(uuid_of(obj["id"]))
            if named is not None:
                raise _Reject(f"an identity of {named.name} made by {org.name}: an organisation speaks for itself "
                              "only")
        return org.id, org.name

    def _is_local(self, org_id: int) -> bool:
        return bool(sharing.organisation(self.session, org_id).is_local)

    def _version(self, obj: dict[str, Any]) -> str:
        try:
            return version_key(obj.get("modified") or obj.get("created"))
        except (ValueError, TypeError):
            raise _Reject("has no readable version (modified or created)") from None

    def _marking(self, obj: dict[str, Any], author: int, name: str) -> str:
        refs = list(obj.get("object_marking_refs") or [])
        refs += [m.get("marking_ref") for m in obj.get("granular_markings") or [] if isinstance(m, dict)]
        level = tlp_levels.from_marking_refs([ref for ref in refs if isinstance(ref, str)]) or "amber"
        if level in ("red", "amber+strict"):
            unknown = [ref for ref in refs if ref not in tlp_levels.LEVEL_BY_MARKING_ID]
            why = f" (it carries the marking {unknown[0]}, which Jirga does not know, so reads as TLP:RED)" \
                if unknown else ""
            raise _Reject(f"marked TLP:{level.upper()}{why}: a marking its sender may not use between instances, "
                          "where only TLP:CLEAR, GREEN and AMBER (within a sharing group) travel")
        if level == "amber":
            unmarked = "" if refs else " (unmarked, so read as TLP:AMBER)"
            if self.group is None:
                raise _Reject(f"TLP:AMBER{unmarked} needs the sharing group it was shared in: give --group")
            parties = (("its author " + name, author), ("your organisation", self.viewer.org_id),
                       ("its sender", self.sender))
            missing = [who for who, org_id in parties if org_id is not None and org_id not in self.members]
            if missing:
                raise _Reject(f"TLP:AMBER{unmarked} for a sharing group that does not hold {', '.join(missing)}: a "
                              "marking its sender may not use here")
        return level

    def _collision(self, stix_id: str, author: int) -> None:
        others = self.authors.get(stix_id, set()) - {author}
        if others:
            raise _Reject("its id is that of another author's object stored here")

    def _replay(self, item: Incoming, version: str) -> None:
        stored = self.latest.get(item.where)
        newest = max(filter(None, (stored.version if stored else None, self.batch.get(item.where))), default=None)
        if newest is None or version > newest:
            return
        if version < newest:
            raise _Reject(f"an older version ({version}) than the one stored ({newest}): a replay")
        if stored is not None and stored.version == version:
            if signing.payload(json.loads(stored.body)) == signing.payload(item.obj):
                raise _Same()
            raise _Reject(f"a different object under version {version}, which is stored already")
        raise _Reject(f"version {version} twice in one bundle")

    def _extension(self, obj: dict[str, Any]) -> None:
        ext = (obj.get("extensions") or {}).get(EXTENSION_ID)
        kind = obj.get("type")
        if ext is None or kind not in ("incident", "report", "location"):
            return
        error = next(iter(sorted(_validators()[kind].iter_errors(ext), key=lambda e: e.path)), None)
        if error is not None:
            where = ".".join(str(part) for part in error.absolute_path) or "(the extension)"
            raise _Reject(f"Jirga extension does not follow its schema at {where}: {_one_line(error.message)}")
        if kind == "report" and not isinstance(obj.get("description"), str):
            raise _Reject("a Jirga report without its text (description)")


class _Same(Exception):
    pass


def _validators() -> dict[str, Any]:
    """A jsonschema validator per Jirga object type, made once (jsonschema takes seconds to import)."""
    global _VALIDATORS
    if _VALIDATORS is None:
        from jsonschema import Draft202012Validator

        whole = schema("jirga-extension.json")
        _VALIDATORS = {kind: Draft202012Validator({"$ref": f"#/$defs/{kind}", "$defs": whole["$defs"]})
                       for kind in ("incident", "report", "location")}
    return _VALIDATORS


_VALIDATORS: dict[str, Any] | None = None


def _one_line(message: str, limit: int = 200) -> str:
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# Storing


def receive(store: Store, viewer: Viewer, items: list[Incoming], *, group: int | None = None,
            sender: int | None = None, collection: str | None = None,
            on_reject: Callable[[str, str], None] | None = None) -> Received:
    """Check every object, then store the valid ones and fuse a partner's reports and incidents with ours.

    `group`: the sharing group (on this instance) the objects were shared in, which TLP:AMBER needs; `sender`: the
    organisation that sent them, when known (a TAXII client); `collection`: the TAXII collection they were added
    to (default: the one their marking belongs to). Returns what happened; rejections go to `on_reject` too."""
    require(store, viewer, "analyst", "receive shared objects", target_type="stix_object")
    out = Received(total=len(items), verdicts=[""] * len(items))

    def reject(index: int, reason: str) -> None:
        where = items[index].where
        out.rejected.append((where, reason))
        out.verdicts[index] = reason
        if on_reject:
            on_reject(where, reason)

    accepted: list[tuple[int, _Accepted]] = []
    with store.session() as session:
        checks = _Checks(session, viewer, items, group, sender)
        for index, item in enumerate(items):
            try:
                result = checks.check(item)
            except _Reject as refusal:
                reject(index, str(refusal))
                continue
            except _Same:
                out.unchanged += 1
                out.verdicts[index] = UNCHANGED
                continue
            if result == "definition":
                out.definitions += 1
                out.verdicts[index] = DEFINITION
            elif result == "own":
                out.unchanged += 1
                out.verdicts[index] = UNCHANGED
            else:
                accepted.append((index, result))
    accepted.sort(key=lambda pair: ORDER.get(pair[1].obj["type"], 4))
    to_extract: list[tuple[_Accepted, IncomingReport]] = []
    with store.write_turn(), store.session() as session:
        places = {index: _collection_of(session, item, group, collection) for index, item in accepted}
        for target in sorted(set(places.values())):  # every collection's turn first, always in the same order
            taxii.take_turn(session, target)
        for index, item in accepted:
            try:
                with session.begin_nested():
                    out.verdicts[index] = _store(session, item, group, places[index], out, to_extract)
            except IntegrityError:
                out.unchanged += 1  # stored meanwhile by another receiver
                out.verdicts[index] = UNCHANGED
            except (BadInput, Conflict) as error:
                reject(index, str(error))
        audit.record(session, viewer, "write", "stix_object", None, "ok", f"receive: {out.line()}")
        if out.rejected:
            audit.record(session, viewer, "write", "stix_object", None, "denied",
                         "rejected: " + "; ".join(f"{where}: {why}" for where, why in out.rejected))
    store.grew("stix_objects", out.stored)
    _extract(store, viewer, to_extract, group, out)
    return out


def _collection_of(session, item: _Accepted, group: int | None, collection: str | None) -> str:
    """The TAXII collection an accepted object goes in: the one it was added to, else the one of its marking."""
    return collection or collection_id(session, item.level, group if item.level == "amber" else None)


def _store(session, item: _Accepted, group: int | None, collection: str, out: Received, to_extract: list) -> str:
    """Store one accepted object into its collection (versions, idempotence and the order of `date_added` as every
    TAXII add keeps them), then fuse it; STORED or UNCHANGED. BadInput if the collection refuses it."""
    obj = item.obj
    group = group if item.level == "amber" else None
    (verdict,) = taxii.put_versions(session, collection, [NewVersion(
        obj["id"], obj["type"], "2.1", item.version, item.item.raw, item.author, item.level, group, item.author)])
    if verdict == UNCHANGED:
        out.unchanged += 1
        return verdict
    if verdict != STORED:
        raise BadInput(verdict)
    out.stored += 1
    out.authors[item.author_name] = out.authors.get(item.author_name, 0) + 1
    ext = (obj.get("extensions") or {}).get(EXTENSION_ID)
    if obj["type"] == "report" and ext is not None:
        _report(session, item, ext, group, out)
    elif obj["type"] == "incident" and ext is not None:
        previous = _claim_ids(sharing.version_before(session, obj["id"], item.version))
        _incident(session, item.author, _restored(ext), previous, bool(obj.get("revoked")), out)
    elif obj["type"] == "relationship" and not obj.get("revoked"):
        _relationship(session, item, group, out)
    elif obj["type"] == "opinion" and not obj.get("revoked"):
        _opinion(session, item, group, out)
    elif obj["type"] in ("report", "incident") and ext is None and not obj.get("revoked"):
        report = _outside_report(obj, item)
        if isinstance(report, IncomingReport):  # else it has no description: nothing to read
            to_extract.append((item, report))
    return STORED


def _relationship(session, item: _Accepted, group: int | None, out: Received) -> None:
    """A partner's relation between two actors, read in one of its reports here, joins our store as its relation;
    one whose actors or report are not known here stays a STIX object only."""
    obj = item.obj
    report_ref = stix_links.reference(obj, stix_links.REPORT_REFERENCE)
    report = partner.partner_report(session, uuid_of(report_ref)) if report_ref else None
    stored = sharing.latest_versions(session, [obj["source_ref"], obj["target_ref"]])
    ends = [_actor(json.loads(stored[ref].body)) if ref in stored else None
            for ref in (obj["source_ref"], obj["target_ref"])]
    if report is None or None in ends:
        return
    if partner.add_partner_relation(session, item.author, ends[0], obj["relationship_type"].replace("-", "_")[:40],
                                    ends[1], report, item.level, group):
        out.relations += 1


def _opinion(session, item: _Accepted, group: int | None, out: Received) -> None:
    """A partner's opinion on one of the claims held here (its `jirga-claim` reference) joins our store as that
    organisation's verdict; any other opinion stays a STIX object only."""
    obj = item.obj
    claim_ref = stix_links.reference(obj, stix_links.CLAIM_REFERENCE)
    verdict = stix_links.OPINIONS.get(obj.get("opinion", ""))
    if claim_ref is None or verdict is None:
        return
    confidence = stix_links.confidence_of(obj.get("confidence"), strong=obj["opinion"].startswith("strongly"))
    incident = partner.add_partner_assessment(session, item.author, item.author_name, claim_ref[:36], verdict,
                                              confidence, str(obj.get("explanation") or "")[:2000], item.level,
                                              group if item.level == "amber" else None)
    if incident is not None:
        out.opinions += 1
        out.incidents.add(incident.id)


def _actor(obj: dict[str, Any]) -> tuple[str, str] | None:
    """An intrusion-set's actor in Jirga's catalog: (id, name)."""
    actor_id = stix_links.reference(obj, stix_links.ACTOR_REFERENCE)
    return (actor_id[:100], str(obj.get("name", actor_id))) if actor_id else None


def _claim_ids(row) -> set[str]:
    """The claim ids of a stored version of an incident (none if there is none, or it was revoked)."""
    if row is None:
        return set()
    body = json.loads(row.body)
    ext = (body.get("extensions") or {}).get(EXTENSION_ID) or {}
    return set() if body.get("revoked") else {claim["id"] for claim in ext.get("claims", [])}


def _restored(ext: dict[str, Any]) -> dict[str, Any]:
    return ext | {"claims": [claim | {"value": restored(claim["field"], claim["value"])}
                             for claim in ext.get("claims", [])]}


def _report(session, item: _Accepted, ext: dict[str, Any], group: int | None, out: Received) -> None:
    from jirga.pipeline.ingest import check_report

    obj = item.obj
    url, notes = None, []
    for reference in obj.get("external_references") or []:
        if url is None and reference.get("url"):
            url, note = found_url(reference["url"], item.item.where)
            notes += note
    out.notes += notes
    incoming_report = check_report(IncomingReport(
        text=obj["description"], origin=f"{item.author_name}: {obj['id']}", title=obj.get("name", "")[:1000],
        source=ext["source"], url=url, published=date_of(obj.get("published")), language=language_of(obj.get("lang")),
        tlp=item.level))
    _, new = partner.add_partner_report(session, uuid_of(obj["id"]), incoming_report, item.author,
                                             ext["reliability"], item.level, group)
    if not new:
        return
    out.reports += 1
    # Incidents of this author that quote it and came before it: their claims can join now.
    waiting: dict[str, Any] = {}
    for row in sharing.incidents_referring(session, item.author, obj["id"]):
        waiting[row.stix_id] = row  # the newest version wins
    for row in waiting.values():
        body = json.loads(row.body)
        ext_incident = (body.get("extensions") or {}).get(EXTENSION_ID)
        if ext_incident and not body.get("revoked"):
            ids = {claim["id"] for claim in ext_incident.get("claims", [])}
            _incident(session, item.author, _restored(ext_incident), ids, False, out)


def _incident(session, author: int, ext: dict[str, Any], before: set[str], revoked: bool, out: Received) -> None:
    refs = {claim["report_ref"] for claim in ext.get("claims", [])}
    reports = {ref: partner.partner_report(session, uuid_of(ref)) for ref in refs}
    applied = partner.apply_incident(session, ext, author, reports, before, revoked)
    out.claims += applied.added
    out.removed += applied.removed
    out.waiting += applied.waiting
    out.incidents |= applied.incidents


def _outside_report(obj: dict[str, Any], item: _Accepted) -> IncomingReport:
    """A report or incident from a partner's other tools (no Jirga extension): read by our extractor like an
    ingested STIX bundle's, with the author organisation as its source."""
    return report_of(obj, f"{item.author_name}: {obj['id']}", item.author_name)


def _extract(store: Store, viewer: Viewer, pending: list[tuple[_Accepted, IncomingReport]], group: int | None,
             out: Received) -> None:
    """Reports without Jirga's claims go through the ordinary ingest pipeline, owned by their author."""
    from jirga.pipeline.ingest import Ingest, IngestOptions

    by_author: dict[int, list[tuple[_Accepted, IncomingReport]]] = {}
    for item, report in pending:
        by_author.setdefault(item.author, []).append((item, report))
    for author, items in by_author.items():
        run = Ingest(store, IngestOptions(workers=1, group=group), out.notes.append, viewer=viewer)
        run.owner = author
        summary = run.run([report for _, report in items])
        out.reports += summary.new + summary.updated
        if summary.failed:
            out.notes.append(f"{summary.failed} reports without Jirga claims could not be read: {summary.line()}")
