"""Read a partner's STIX 2.1 bundle: its reports, and its incidents that describe something, become reports.

The whole bundle is checked with the OASIS validator first (offline, against the schemas it ships); a bundle
that fails gives one BadInput and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator

from jirga.ingest.language import detect
from jirga.ingest.textfile import BadInput
from jirga.model import tlp
from jirga.model.report import IncomingReport, found_url

MAX_ERRORS_SHOWN = 3
MAX_ERROR_CHARS = 200


def read_bundle(data: bytes, origin: str) -> Iterator[IncomingReport | BadInput]:
    """A report per STIX report and per described incident, a BadInput per one without description; one BadInput
    alone for what is not a valid STIX 2.1 bundle."""
    try:
        bundle = _parse(data, origin)
        _validate(bundle, origin)
    except BadInput as error:
        yield error
        return
    objects = {obj["id"]: obj for obj in bundle.get("objects", [])}
    for obj in bundle.get("objects", []):
        if obj["type"] in ("report", "incident"):
            yield _report(obj, objects, origin)


def _parse(data: bytes, origin: str) -> dict:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(f"{origin}: not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})") from None
    try:
        bundle = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInput(f"{origin}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None
    except RecursionError:
        raise BadInput(f"{origin}: not valid JSON (nested too deeply)") from None
    except ValueError:  # a number of thousands of digits: Python refuses to convert it
        raise BadInput(f"{origin}: not valid JSON (a number of more than {sys.get_int_max_str_digits():,} digits)"
                       ) from None
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        found = bundle.get("type") if isinstance(bundle, dict) else type(bundle).__name__
        raise BadInput(f"{origin}: not a STIX bundle (the top level is {found!r}, not an object of type 'bundle')")
    return bundle


def _validate(bundle: dict, origin: str) -> None:
    validate_parsed_json, options = stix_validator()
    try:
        results = validate_parsed_json(bundle, options)
    except Exception as error:  # the validator raises on shapes it cannot even walk
        raise BadInput(f"{origin}: STIX bundle fails validation ({_one_line(str(error))})") from None
    results = results if isinstance(results, list) else [results]
    errors = [_one_line(str(error)) for result in results for error in (result.errors or [])]
    if errors or not all(result.is_valid for result in results):
        shown = "; ".join(errors[:MAX_ERRORS_SHOWN]) or "no reason given"
        more = f" (and {len(errors) - MAX_ERRORS_SHOWN} more)" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise BadInput(f"{origin}: STIX bundle fails validation: {shown}{more}")


def stix_validator():
    # stix2validator calls colorama.init() on import, which rewraps sys.stdout and sys.stderr: keep ours.
    stdout, stderr = sys.stdout, sys.stderr
    try:
        from stix2validator import ValidationOptions, validate_parsed_json
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    return validate_parsed_json, ValidationOptions(version="2.1", silent=True)


def _report(obj: dict, objects: dict[str, dict], origin: str) -> IncomingReport | BadInput:
    return report_of(obj, f"{origin}, {obj['id']}", _source(obj.get("created_by_ref"), objects))


def report_of(obj: dict, where: str, source: str | None) -> IncomingReport | BadInput:
    """A STIX report or incident as a report to extract: its name and description as the text, its first link,
    its publication (or creation) date, language and TLP marking; BadInput if it has no description."""
    name = " ".join(str(obj.get("name") or "").split())
    description = str(obj.get("description") or "").strip()
    if not description:
        return BadInput(f"{where}: the {obj['type']} has no description to read")
    text = f"{name}\n\n{description}" if name else description
    date_field = "published" if obj["type"] == "report" else "created"
    url, notes = None, []
    for reference in obj.get("external_references") or []:
        if url is None and isinstance(reference, dict) and reference.get("url"):
            url, note = found_url(reference["url"], f"{where}, external reference")
            notes += note
    return IncomingReport(
        text=text,
        origin=where,
        title=name,
        source=source,
        url=url,
        published=date_of(obj.get(date_field)),
        language=language_of(obj.get("lang")) or detect(description),
        tlp=_marking(obj),
        notes=tuple(notes),
    )


def _marking(obj: dict) -> str | None:
    """The object's TLP level: the most restrictive of its object markings and its granular ones. A granular
    marking counts whatever it selects: the name, description, links and dates it may cover are all stored as one
    record, and a record has one marking. A marking Jirga does not know counts as RED (tlp.from_marking_refs)."""
    refs = list(obj.get("object_marking_refs", []))
    refs += [marking["marking_ref"] for marking in obj.get("granular_markings", []) if marking.get("marking_ref")]
    return tlp.from_marking_refs(refs)


def _source(ref: str | None, objects: dict[str, dict]) -> str | None:
    """The name of the identity that made the object. A source's name is seen by every organisation, so an
    identity marked beyond GREEN is named by its id only."""
    if not ref:
        return None
    identity = objects.get(ref) or {}
    level = _marking(identity)
    if identity.get("name") and (level is None or tlp.rank(level) <= tlp.rank("green")):
        return str(identity["name"])
    return ref


def date_of(value: str | None) -> dt.date | None:
    """The calendar date of a STIX timestamp, as written (STIX timestamps are UTC)."""
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def language_of(tag: str | None) -> str | None:
    code = (tag or "").strip().lower().split("-")[0]
    return code if len(code) == 2 and code.isalpha() else None


def _one_line(message: str) -> str:
    line = " ".join(message.split())
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"
