"""An Extraction taken apart into claims: one per field of each event, each with its span and sentence.

Pure and picklable, so it runs in the extraction workers and the writer only inserts rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jirga.extract.casualties import marks
from jirga.model import serialize
from jirga.model.checks import date_is_plausible
from jirga.model.extraction import DateRange, Extraction, Incident, Meeting, PlaceRef, Span
from jirga.reference.names import skeleton

HAND_CODED = "hand-coded"  # the extractor version of a report whose incident an analyst coded by hand


@dataclass
class EventClaims:
    event: str  # the extraction's id: incident-1, meeting-2
    kind: str
    claims: list[dict[str, Any]]


@dataclass
class Decomposed:
    extractor_version: str
    events: list[EventClaims] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    actors: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, kind)
    places: dict[str, dict[str, Any]] = field(default_factory=dict)  # gazetteer id -> place columns
    origin: str = "machine"  # or "analyst": an incident coded by hand (jirga.store.coding)
    created_by: str | None = None  # the analyst


def decompose(extraction: Extraction, text: str) -> Decomposed:
    out = Decomposed(extraction.extractor_version)
    for ref in extraction.actors:
        out.actors.setdefault(ref.id, (ref.name, ref.kind))
    for incident in extraction.incidents:
        out.events.append(EventClaims(incident.id, incident.kind, _incident_claims(incident, text, out)))
    for meeting in extraction.meetings:
        out.events.append(EventClaims(meeting.id, meeting.kind, _meeting_claims(meeting, text, out)))
    for relation in extraction.relations:
        out.relations.append({"subject_id": relation.subject_id, "relation": relation.relation,
                              "object_id": relation.object_id, "span_start": relation.span.start,
                              "span_end": relation.span.end})
        out.actors.setdefault(relation.subject_id, (relation.subject, "unresolved"))
        out.actors.setdefault(relation.object_id, (relation.object, "unresolved"))
    return out


class _Builder:
    """Collects the claims of one event, placing each in the event sentence that holds its span."""

    def __init__(self, sentences: tuple[Span, ...], spans: dict[str, tuple[Span, ...]], text: str):
        self.sentences, self.spans, self.text = sentences, spans, text
        self.claims: list[dict[str, Any]] = []

    def add(self, field_: str, value: Any, span: Span | None = None, spans_key: str | None = None) -> None:
        if span is None and spans_key and self.spans.get(spans_key):
            span = self.spans[spans_key][0]
        sentence = self._sentence(span)
        self.claims.append({
            "field": field_, "value": value,
            "text": self.text[span.start:span.end] if span else "",
            "span_start": span.start if span else None, "span_end": span.end if span else None,
            "sentence_start": sentence.start if sentence else None,
            "sentence_end": sentence.end if sentence else None,
        })

    def _sentence(self, span: Span | None) -> Span | None:
        if span is not None:
            for sentence in self.sentences:
                if sentence.start <= span.start < sentence.end:
                    return sentence
        return self.sentences[0] if self.sentences else None


def _place(builder: _Builder, place: PlaceRef | None, out: Decomposed) -> None:
    if place is None:
        return
    out.places[place.gazetteer_id] = {
        "id": place.gazetteer_id, "name": place.name, "precision": place.kind, "country": place.country,
        "province_code": place.province_code or None, "province": place.province or None,
        "district": place.district or None, "lat": place.lat, "lon": place.lon,
    }
    builder.add("place", serialize.place(place), spans_key="place")


def _actor(out: Decomposed, actor_id: str, name: str) -> None:
    out.actors.setdefault(actor_id, (name, "unresolved" if actor_id.startswith("unresolved:") else "armed_group"))


def _incident_claims(incident: Incident, text: str, out: Decomposed) -> list[dict[str, Any]]:
    b = _Builder(incident.sentences, incident.spans, text)
    b.add("kind", incident.kind, spans_key="kind")
    if _plausible(incident.date):
        b.add("date", serialize.date(incident.date), incident.date.span, "date")
    _place(b, incident.place, out)
    if incident.attack_type:
        b.add("attack_type", incident.attack_type, spans_key="attack_type")
    if incident.target or incident.target_type:
        b.add("target", {"target": incident.target, "target_type": incident.target_type}, spans_key="target")
    for name, figure in (("killed", incident.killed), ("injured", incident.injured)):
        if figure:
            # The figure with what the text says of it (a revision, superseded, a subset): the consensus reads it.
            value = serialize.figure(figure) | marks(figure, text)
            value["mentions"] = [serialize.figure(f) | marks(f, text) for f in incident.figures.get(name, ())]
            b.add(name, value, figure.span, name)
    for which, category, figure in incident.victims:
        # A count of one group of victims ("13 service members") is kept as such, never taken for the total.
        if figure.best is not None or figure.low is not None:
            b.add(which, serialize.figure(figure) | {"subset": category}, figure.span)
    for claim in incident.claims:
        _actor(out, claim.actor_id, claim.actor)
        b.add("responsibility", {"actor_id": claim.actor_id, "actor": claim.actor, "mode": claim.mode}, claim.span)
    for role, names in (("perpetrator", incident.perpetrator), ("against", incident.against)):
        spans = incident.spans.get(role, ())
        for i, name in enumerate(names):
            actor_id = _actor_id(name, out)
            b.add(role, {"actor_id": actor_id, "actor": name}, spans[i] if i < len(spans) else None)
    if incident.kind == "statistic":
        b.add("statistic", {"source": incident.source, "about": [_actor_id(a, out) for a in incident.about],
                            "figures": {unit: [serialize.figure(f) for f in figures]
                                        for unit, figures in incident.figures.items()}})
    return b.claims


def _meeting_claims(meeting: Meeting, text: str, out: Decomposed) -> list[dict[str, Any]]:
    b = _Builder(meeting.sentences, meeting.spans, text)
    b.add("kind", meeting.kind, spans_key="kind")
    if meeting.name:
        b.add("name", meeting.name, spans_key="name")
    if _plausible(meeting.date):
        b.add("date", serialize.date(meeting.date), meeting.date.span, "date")
    _place(b, meeting.place, out)
    for i, country in enumerate(meeting.participants):
        spans = meeting.spans.get("participants", ())
        b.add("participant", country, spans[i] if i < len(spans) else None)
    for person in meeting.people:
        b.add("person", person, spans_key="people")
    for name in meeting.concerning:
        b.add("concerning", {"actor_id": _actor_id(name, out), "actor": name}, spans_key="concerning")
    return b.claims


def _plausible(date: DateRange | None) -> bool:
    """An event date outside 1900-01-01..tomorrow is a misreading or a hostile text, never an incident's date: the
    event is stored without it, so no incident lands in year 9999 and no date arithmetic downstream overflows."""
    return date is not None and date_is_plausible(date.start) and date_is_plausible(date.end)


def _actor_id(name: str, out: Decomposed) -> str:
    """The extraction lists perpetrators by name; map a name back to the id it was resolved to."""
    for actor_id, (known, _) in out.actors.items():
        if known == name:
            return actor_id
    actor_id = f"unresolved:{skeleton(name)}"
    out.actors[actor_id] = (name, "unresolved")
    return actor_id

