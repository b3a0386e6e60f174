"""STIX 2.1 objects as a TAXII server receives them: the envelope of an add, each object checked on its own, and the
timestamps that order an object's versions.

An add is read in two steps. `read_envelope` refuses the request as a whole (`BadInput`, HTTP 400/413/422) when it
cannot be used at all: not UTF-8, not JSON, nested too deeply to parse, not an envelope or bundle. `check_object`
then judges each object alone and returns either a `StixVersion` or the reason it is refused, so one bad object
never costs the others (TAXII 2.1 section 5.4: the status resource lists each failure).

What a received object must be (STIX 2.1 section 3): a JSON object with a `type` (3-250 characters: a-z, 0-9 and
single hyphens), an `id` of that type (`type--UUID`), `spec_version` "2.1" (optional only for the cyber-observable
types STIX defines), valid timestamps, `modified` not before `created`, at most `MAX_DEPTH` levels deep. A type STIX
defines must also build as that type with the `stix2` library (its required properties and their kinds); a type it
does not define is kept as it is (a collection stores any valid STIX object and serves it back unchanged).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from jirga.errors import BadInput
from jirga.model import tlp

SPEC_VERSION = "2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
MAX_DEPTH = 32  # levels of JSON nesting within one object (an incident with its extension needs about 6)

TYPE = re.compile(r"[a-z0-9](?:-?[a-z0-9])+")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
TIMESTAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z")


class NotAnEnvelope(BadInput):
    """JSON that is not a TAXII envelope or a STIX bundle (HTTP 422)."""


def parse_timestamp(value: object, name: str = "timestamp") -> dt.datetime:
    """A STIX timestamp (RFC 3339, UTC, 'Z') as an aware datetime, to the microsecond; BadInput otherwise."""
    match = TIMESTAMP.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise BadInput(f"{name} {str(value)[:60]!r} is not a STIX timestamp (like 2016-04-06T20:03:48.000Z)")
    *fields, fraction = match.groups()
    try:
        return dt.datetime(*map(int, fields), int((fraction or "0")[:6].ljust(6, "0")), tzinfo=dt.UTC)
    except ValueError:
        raise BadInput(f"{name} {value[:60]!r} is not a date and time that exists") from None


def version_key(moment: dt.datetime) -> str:
    """The stored form of a version: fixed width, so that the database orders versions by comparing strings."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def stix_timestamp(moment: dt.datetime) -> str:
    """A timestamp as STIX writes it: UTC, milliseconds, or microseconds where they are not zero."""
    text = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return (text[:-3] if text.endswith("000") else text) + "Z"


def version_text(key: str) -> str:
    """A stored version (`version_key`) as a STIX timestamp."""
    return stix_timestamp(dt.datetime.strptime(key, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC))


def _no_constant(name: str) -> None:
    raise BadInput(f"{name} is not a JSON value")


def read_envelope(data: bytes) -> list[Any]:
    """The `objects` of a TAXII envelope (or of a STIX bundle), each still unchecked."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadInput(f"the body is not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})") from None
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise BadInput(f"the body is not JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None
    except RecursionError:
        raise BadInput("the body is not JSON that can be read: it is nested too deeply") from None
    except BadInput as error:
        raise BadInput(f"the body is not JSON: {error}") from None
    except ValueError:  # an integer of thousands of digits: Python refuses to convert it
        raise BadInput(f"the body is not JSON that can be read: a number of more than "
                       f"{sys.get_int_max_str_digits():,} digits") from None
    if not isinstance(document, dict):
        raise NotAnEnvelope(f"the body is a JSON {type(document).__name__}, not a TAXII envelope "
                            '({"objects": [...]}) or a STIX bundle')
    if "type" in document and document["type"] != "bundle":
        raise NotAnEnvelope(f"the body is a STIX {str(document['type'])[:60]!r}, not a TAXII envelope or a bundle")
    objects = document.get("objects")
    if not isinstance(objects, list):
        raise NotAnEnvelope("the body has no list of 'objects': it is not a TAXII envelope or a STIX bundle")
    return objects


@dataclass(frozen=True)
class StixVersion:
    """One version of one object, checked: what a collection stores."""

    id: str
    type: str
    spec_version: str
    version: str | None  # `version_key` of `modified`, else of `created`; None for an object without either (SCOs)
    tlp: str | None  # the most restrictive TLP level of its markings; None when it has none
    body: str  # the object as compact JSON
    created_by_ref: str | None
    object: dict = field(compare=False, repr=False)  # the object as received, for a receiver that verifies it

    @property
    def shown_version(self) -> str:
        return version_text(self.version) if self.version else ""


def object_label(obj: object, index: int) -> tuple[str, str]:
    """(id, version) to name an object in a status resource, even one that is not valid."""
    if isinstance(obj, dict):
        ident = obj.get("id") if isinstance(obj.get("id"), str) else None
        version = obj.get("modified", obj.get("created"))
        return (ident or f"objects[{index}]")[:300], version if isinstance(version, str) else ""
    return f"objects[{index}]", ""


def check_object(obj: object) -> StixVersion | str:
    """The checked object, or why it cannot be stored (one line, naming the property)."""
    if not isinstance(obj, dict):
        return f"a STIX object is a JSON object, not a {type(obj).__name__}"
    kind = obj.get("type")
    if not isinstance(kind, str) or not 3 <= len(kind) <= 250 or not TYPE.fullmatch(kind):
        return (f"type {str(kind)[:60]!r} is not a STIX type (3-250 characters: a-z, 0-9 and single hyphens)"
                if kind is not None else "no 'type'")
    ident = obj.get("id")
    if not isinstance(ident, str):
        return "no 'id'" if ident is None else "'id' is not a string"
    prefix, _, uuid = ident.partition("--")
    if prefix != kind or not UUID.fullmatch(uuid):
        return f"id {ident[:300]!r} is not '{kind}--' followed by a UUID"
    spec_version = obj.get("spec_version")
    if spec_version is None and kind not in _observable_types():
        return "no 'spec_version' (STIX 2.1 objects carry spec_version '2.1')"
    if spec_version not in (None, SPEC_VERSION):
        return f"spec_version {str(spec_version)[:20]!r} is not supported: this collection holds STIX 2.1"
    if (depth := _depth(obj)) > MAX_DEPTH:
        return f"nested {depth} levels deep (at most {MAX_DEPTH})"
    try:
        created = parse_timestamp(obj["created"], "created") if "created" in obj else None
        modified = parse_timestamp(obj["modified"], "modified") if "modified" in obj else None
        level = _marking(obj)
    except BadInput as error:
        return str(error)
    if created and modified and modified < created:
        return f"modified {obj['modified']} is before created {obj['created']}"
    if problem := _library_check(obj, kind):
        return problem
    creator = obj.get("created_by_ref")
    moment = modified or created
    return StixVersion(ident, kind, SPEC_VERSION, version_key(moment) if moment else None, level,
                       json.dumps(obj, ensure_ascii=False, separators=(",", ":")),
                       creator if isinstance(creator, str) else None, obj)


def _marking(obj: dict) -> str | None:
    refs = obj.get("object_marking_refs", [])
    granular = obj.get("granular_markings", [])
    if not isinstance(refs, list) or not all(isinstance(ref, str) for ref in refs):
        raise BadInput("object_marking_refs is not a list of marking-definition ids")
    if not isinstance(granular, list) or not all(isinstance(g, dict) for g in granular):
        raise BadInput("granular_markings is not a list of granular markings")
    refs = refs + [g["marking_ref"] for g in granular if isinstance(g.get("marking_ref"), str)]
    return tlp.from_marking_refs(refs)


def _depth(value: object) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


_TYPES: dict[str, frozenset[str]] = {}


def _observable_types() -> frozenset[str]:
    if "observables" not in _TYPES:
        from stix2.registry import STIX2_OBJ_MAPS

        maps = STIX2_OBJ_MAPS[SPEC_VERSION]
        _TYPES["observables"] = frozenset(maps["observables"])
        _TYPES["known"] = frozenset(maps["objects"]) | frozenset(maps["observables"]) | {"marking-definition"}
    return _TYPES["observables"]


def _library_check(obj: dict, kind: str) -> str | None:
    """Why the `stix2` library cannot build a type it defines from the object, if it cannot."""
    _observable_types()
    if kind not in _TYPES["known"]:
        return None
    import stix2

    try:
        stix2.parse(obj, allow_custom=True, version=SPEC_VERSION)
    except Exception as error:  # the library raises many kinds (STIXError, ValueError, TypeError...) on bad input
        return " ".join(str(error).split())[:300] or type(error).__name__
    return None
