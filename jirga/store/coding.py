"""An incident coded by hand: an analyst's field report, or a trainee's coding of an incident, stored as claims.

The form's fields become the same kind of extraction the machine makes, with the analyst as origin and no extractor
version, so the claims cluster, count in the consensus and show side by side like any other; re-extraction never
touches them. The report's text is what the analyst wrote (or a line made from the fields when they wrote none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from jirga.access import Viewer
from jirga.access.acts import require
from jirga.access.rules import member_group
from jirga.db import Store
from jirga.db.schema import Claim as ClaimRow
from jirga.db.schema import Source
from jirga.errors import CodingError
from jirga.model import tlp as tlp_levels
from jirga.model.checks import check_date
from jirga.model.extraction import ActorRef, DateRange, Extraction, Figure, Incident, Involvement, Span
from jirga.model.report import IncomingReport
from jirga.model.vocab import ATTACK_TYPES, HAND_CODED_KINDS, TARGET_TYPES
from jirga.reference import catalog
from jirga.reference.gazetteer import find_place
from jirga.reference.names import skeleton
from jirga.store.claims import HAND_CODED, decompose
from jirga.store.queries import parse_period, resolve_actor
from jirga.store.records import (
    add_extraction,
    add_references,
    add_report,
    check_reliability,
    source_id,
    stored_report,
)


@dataclass
class CodedIncident:
    kind: str = "attack"
    date: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD
    place: str = ""
    country: str | None = None
    attack_type: str | None = None
    target: str | None = None
    target_type: str | None = None
    perpetrators: list[str] = field(default_factory=list)
    claimed_by: list[str] = field(default_factory=list)
    killed: tuple[int | None, int | None, int | None] = (None, None, None)  # low, best, high
    injured: tuple[int | None, int | None, int | None] = (None, None, None)
    source: str = ""
    reliability: str | None = None
    published: dt.date | None = None
    title: str = ""
    text: str = ""  # the field report as written
    tlp: str = "amber"
    group: str = ""  # a sharing group of the analyst's organisation: its TLP:AMBER reaches the group's members



def people_count(value: str, name: str) -> int | None:
    """A form field that holds a number of people (killed, injured): None when empty; CodingError, naming the field,
    for anything but a whole number."""
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 7:
        raise CodingError(f"{name}: a whole number of people, not {value[:20]!r}")
    return int(value)


def code_incident(store: Store, coded: CodedIncident, viewer: Viewer) -> tuple[int, list[int]]:
    """Store the coded incident as the viewer's organisation's report and claims: (report id, incident ids)."""
    require(store, viewer, "analyst", "code an incident")
    incident, actors = _incident(coded)
    if coded.published is not None:
        try:
            check_date(coded.published, "reported on")
        except ValueError as error:
            raise CodingError(str(error)) from None
    text = coded.text.strip() or _describe(coded)
    extraction = Extraction(len(text), coded.published, HAND_CODED, incidents=(incident,), actors=actors)
    found = decompose(extraction, text)
    found.origin, found.created_by = "analyst", viewer.username
    report = IncomingReport(text, f"coded by {viewer.username}", title=coded.title.strip() or _describe(coded),
                            source=coded.source.strip(), published=coded.published,
                            tlp=tlp_levels.normalize(coded.tlp))
    if not report.source:
        raise CodingError("source: say who reported it (an office, an outlet, a partner)")
    try:
        with store.session() as session:
            return _store(session, report, found, coded, viewer)
    except IntegrityError:
        with store.session() as session:
            source = session.scalar(select(Source.id).where(Source.name == report.source))
            existing = stored_report(session, viewer.org_id, source, report.content_hash) if source else None
        if existing is None:
            raise
        raise CodingError(_already(existing)) from None  # the same coding stored meanwhile by a colleague


def _already(report_id: int | None) -> str:
    return (f"this incident is already stored as report {report_id}, with the same source and text; "
            "open it there, or say something new in the text")


def _store(session, report: IncomingReport, found, coded: CodedIncident, viewer: Viewer) -> tuple[int, list[int]]:
    # A text is unique per owner and source, so only the viewer's organisation's own report can be the same one.
    source = source_id(session, report.source, viewer.org_id,
                       check_reliability(coded.reliability) if coded.reliability else None)
    existing = stored_report(session, viewer.org_id, source, report.content_hash)
    if existing is not None:
        raise CodingError(_already(existing))
    group = member_group(session, viewer.org_id, coded.group) if coded.group.strip() else None
    add_references(session, [found])
    row = add_report(session, report, source, viewer.org_id, report.tlp, group)
    add_extraction(session, row, found)
    session.flush()
    incidents = sorted(set(session.scalars(select(ClaimRow.incident_id).where(ClaimRow.report_id == row.id))))
    return row.id, incidents


def _incident(coded: CodedIncident) -> tuple[Incident, tuple[ActorRef, ...]]:
    if coded.kind not in HAND_CODED_KINDS:
        raise CodingError(f"kind: one of {', '.join(HAND_CODED_KINDS)}, not {coded.kind!r}")
    if coded.attack_type and coded.attack_type not in ATTACK_TYPES:
        raise CodingError(f"attack type: one of {', '.join(ATTACK_TYPES)}, not {coded.attack_type!r}")
    if coded.target_type and coded.target_type not in TARGET_TYPES:
        raise CodingError(f"target type: one of {', '.join(TARGET_TYPES)}, not {coded.target_type!r}")
    date = None
    if coded.date.strip():
        try:
            period = parse_period(coded.date)
        except ValueError as error:
            raise CodingError(f"date: {error}") from None
        try:  # nothing before 1900 or after tomorrow: a typo there would stretch every chart
            check_date(period.start, "date")
        except ValueError as error:
            raise CodingError(str(error)) from None
        precision = {4: "year", 7: "month"}.get(len(coded.date.strip()), "day")
        date = DateRange(period.start, period.end, precision, coded.date.strip())
    place = None
    if coded.place.strip():
        try:
            place = find_place(coded.place.strip(), coded.country or None)
        except ValueError as error:
            raise CodingError(f"place: {error}") from None
    actors: dict[str, ActorRef] = {}
    for name in [*coded.perpetrators, *coded.claimed_by]:
        actors.setdefault(name, _actor(name))
    nowhere = Span(0, 0)
    return Incident(
        "incident-1", coded.kind, sentences=(), spans={}, attack_type=coded.attack_type or None,
        target=coded.target or None, target_type=coded.target_type or None, place=place, date=date,
        killed=_figure("killed", coded.killed), injured=_figure("injured", coded.injured),
        claims=tuple(Involvement(actors[name].name, actors[name].id, "claimed", nowhere) for name in coded.claimed_by),
        perpetrator=tuple(actors[name].name for name in coded.perpetrators),
    ), tuple(actors.values())


def _actor(name: str) -> ActorRef:
    name = name.strip()
    try:
        actor_id = resolve_actor(name)[0]
    except ValueError as error:
        raise CodingError(f"actor: {error}") from None
    if actor_id.startswith("unresolved:"):
        return ActorRef(f"unresolved:{skeleton(name)}", name, "unresolved", name, Span(0, 0), "unresolved")
    known = next(actor for actor in catalog.load_actors() if actor.id == actor_id)
    return ActorRef(actor_id, known.name, known.kind, name, Span(0, 0), "alias")


def _figure(name: str, values: tuple[int | None, int | None, int | None]) -> Figure | None:
    low, best, high = values
    if best is None and low is None and high is None:
        return None
    if any(v is not None and v < 0 for v in values):
        raise CodingError(f"{name}: figures cannot be negative")
    low = low if low is not None else best if best is not None else high
    high = high if high is not None else best if best is not None else low
    best = best if best is not None else (low if low == high else None)
    if not low <= high or (best is not None and not low <= best <= high):
        raise CodingError(f"{name}: low ≤ best ≤ high, not {values[0]}, {values[1]}, {values[2]}")
    return Figure(low, best, high)


def _describe(coded: CodedIncident) -> str:
    what = (coded.attack_type or coded.kind).replace("_", " ")
    where = f" in {coded.place.strip()}" if coded.place.strip() else ""
    when = f" on {coded.date.strip()}" if coded.date.strip() else ""
    return f"{what.capitalize()}{where}{when}, coded by hand"
