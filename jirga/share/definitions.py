"""The fixed STIX objects every Jirga instance knows: the TLP 2.0 marking definitions, Jirga's two extension
definitions with their JSON schemas (shipped in `jirga/share/schemas/`), and the identity that defines them; with
the id and timestamp conventions the mapping uses.

These objects are the same on every instance, so they travel unsigned: a receiver accepts one only if it equals
its own copy (`well_known`), and never stores it. Changing a schema means a new extension version: a new
`version` and `modified` here, and the schema's digest in tests/test_share_stix.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import uuid
from importlib import resources
from typing import Any

from jirga.model import tlp

# uuid5 namespace of the ids Jirga derives (an incident's objects per marking, places, actors, collections).
NAMESPACE = uuid.UUID("970b1d3a-e6b2-4933-8f81-a1f4f80e70ea")

JIRGA_IDENTITY_ID = "identity--cc0c8e56-afd4-4574-aa00-c0814df3aaac"
EXTENSION_ID = "extension-definition--555b0f4d-a8ef-444c-9bcc-868395fbbac0"  # incident, report, location fields
SIGNATURE_EXTENSION_ID = "extension-definition--31adafa2-0e7d-458b-acb5-4e550cdd1ef7"  # the author's JWS
DEFINED = "2026-12-02T00:00:00.000Z"  # created and modified of the objects above (version 1.0.0)
EXTENSION_VERSION = "1.0.0"

# TLP 2.0 marking definitions as OASIS publishes them (cti-stix-common-objects, extension-definition-specifications
# /tlp-2.0/examples): https://github.com/oasis-open/cti-stix-common-objects
TLP2_CREATED = "2022-10-01T00:00:00.000Z"

STIX_TYPES = ("identity", "report", "incident", "location", "intrusion-set")  # what Jirga authors


def stix_id(kind: str, value: str | uuid.UUID) -> str:
    return f"{kind}--{value}"


def derived_id(kind: str, *parts: object) -> str:
    """A STIX id that is a function of `parts`, so the same record gives the same id on every publication: the
    name-based uuid5 in Jirga's namespace with the version bits of a UUIDv4, the form STIX 2.1 asks of domain
    objects (2.9: SDO ids SHOULD be UUIDv4; uuid5 is for cyber observables)."""
    name = uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts))
    return stix_id(kind, uuid.UUID(bytes=name.bytes, version=4))


def uuid_of(identifier: str) -> str:
    """The UUID part of a STIX id."""
    return identifier.split("--", 1)[1] if "--" in identifier else ""


def timestamp(value: dt.datetime | dt.date) -> str:
    """A STIX timestamp in UTC with millisecond precision: 2026-12-02T14:03:07.123Z."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if value.tzinfo is None:  # SQLite gives back naive UTC
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_timestamp(value: str) -> dt.datetime:
    """A STIX timestamp (any sub-second precision) as an aware datetime; ValueError if it is none."""
    if not isinstance(value, str) or not value.endswith("Z") or "T" not in value:
        raise ValueError(f"not a STIX timestamp: {str(value)[:40]!r}")
    head, _, fraction = value[:-1].partition(".")
    if fraction and not fraction.isdigit():
        raise ValueError(f"not a STIX timestamp: {value[:40]!r}")
    moment = dt.datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.UTC)
    return moment + dt.timedelta(microseconds=int((fraction + "000000")[:6]) if fraction else 0)


def version_key(value: str) -> str:
    """An object version (`modified`, else `created`) in one fixed form, so that versions compare as strings
    whatever sub-second precision their author wrote: 2026-12-02T14:03:07.123000Z."""
    return parse_timestamp(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def collection_for(level: str, group_id: int | None) -> str:
    """The TAXII collection (a UUID) an object of this marking belongs to on this instance: one for TLP:CLEAR and
    TLP:GREEN, one per sharing group for its TLP:AMBER. Nothing else leaves an instance, so nothing else has one."""
    if level in ("clear", "green"):
        return str(uuid.uuid5(NAMESPACE, "collection/community"))
    if level == "amber" and group_id is not None:
        return str(uuid.uuid5(NAMESPACE, f"collection/group/{group_id}"))
    raise ValueError(f"TLP:{level.upper()}{' without a sharing group' if level == 'amber' else ''} never leaves "
                     "the instance: it has no collection")


@functools.cache
def schema_text(name: str) -> str:
    """A packaged JSON schema (`jirga-extension.json`, `signature-extension.json`) as compact JSON."""
    raw = resources.files("jirga.share").joinpath("schemas").joinpath(name).read_text(encoding="utf-8")
    return json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False)


@functools.cache
def schema(name: str) -> dict[str, Any]:
    return json.loads(schema_text(name))


def schema_digest(name: str) -> str:
    return hashlib.sha256(schema_text(name).encode("utf-8")).hexdigest()


def jirga_identity() -> dict[str, Any]:
    return {"type": "identity", "spec_version": "2.1", "id": JIRGA_IDENTITY_ID, "created": DEFINED,
            "modified": DEFINED, "name": "Jirga", "identity_class": "system",
            "description": "The Jirga project: defines the STIX extensions Jirga instances exchange.",
            "object_marking_refs": [tlp.TLP2_MARKING_IDS["clear"]]}


def _extension_definition(identifier: str, name: str, description: str, schema_name: str) -> dict[str, Any]:
    # `schema` holds the JSON schema itself (STIX 2.1, 7.3: "a URL or plain text"): an instance behind a data diode
    # can read it without fetching anything.
    return {"type": "extension-definition", "spec_version": "2.1", "id": identifier,
            "created_by_ref": JIRGA_IDENTITY_ID, "created": DEFINED, "modified": DEFINED, "name": name,
            "description": description, "schema": schema_text(schema_name), "version": EXTENSION_VERSION,
            "extension_types": ["property-extension"],
            "object_marking_refs": [tlp.TLP2_MARKING_IDS["clear"]]}


def extension_definition() -> dict[str, Any]:
    return _extension_definition(
        EXTENSION_ID, "Jirga incident data",
        "What STIX 2.1 lacks for terrorism incidents: kind, attack and target type, date and place precision, "
        "killed and injured low/best/high and by victim category, and the claims behind an incident with their "
        "report, span, source and Admiralty grade; a report's source and grade; a location's gazetteer entry "
        "and precision.", "jirga-extension.json")


def signature_extension_definition() -> dict[str, Any]:
    return _extension_definition(
        SIGNATURE_EXTENSION_ID, "Jirga author signature",
        "The author's detached JWS (Ed25519) over the object's canonical JSON, this extension left out; verified "
        "against the key the author registered, so that it survives relaying.", "signature-extension.json")


def tlp_marking(level: str) -> dict[str, Any]:
    return {"type": "marking-definition", "spec_version": "2.1", "id": tlp.TLP2_MARKING_IDS[level],
            "created": TLP2_CREATED, "name": tlp.NAMES[level],
            "extensions": {tlp.TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level}}}


@functools.cache
def _well_known() -> dict[str, str]:
    from jirga.share.canonical import canonical

    objects = [jirga_identity(), extension_definition(), signature_extension_definition(),
               *(tlp_marking(level) for level in tlp.LEVELS)]
    return {obj["id"]: canonical(obj).decode("utf-8") for obj in objects}


def is_well_known(identifier: str) -> bool:
    return identifier in _well_known()


def well_known(identifier: str) -> dict[str, Any]:
    return json.loads(_well_known()[identifier])


def same_as_well_known(obj: dict[str, Any]) -> bool:
    """True if `obj` is exactly one of the fixed objects above (compared in canonical form). STIX 2.1's own TLP 1.0
    markings (stix2.v21.TLP_WHITE ...) are accepted too: they are fixed by the specification."""
    from jirga.share.canonical import canonical

    if obj.get("id") in tlp.TLP1_MARKING_IDS.values():
        return obj.get("definition_type") == "tlp" and obj.get("type") == "marking-definition"
    known = _well_known().get(obj.get("id", ""))
    return known is not None and canonical(obj).decode("utf-8") == known
