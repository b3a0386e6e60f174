"""What the extractor finds in one report: typed, immutable, every fact with its text span.

Offsets are Python string indices (Unicode code points) into the text as given, end exclusive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from jirga.model.vocab import DATE_RANK, INCIDENT_KINDS, INVOLVEMENTS, PLACE_RANK


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"a span runs from 0 <= start <= end, not {self.start}..{self.end}")

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class DateRange:
    """A date as precise as the text allows: never an invented day."""

    start: dt.date
    end: dt.date
    precision: str  # one of vocab.DATE_PRECISIONS
    text: str = ""
    span: Span | None = None

    def __post_init__(self) -> None:
        if self.precision not in DATE_RANK:
            raise ValueError(f"not a date precision: {self.precision!r} (one of {', '.join(DATE_RANK)})")
        if self.start > self.end:
            raise ValueError(f"a date range ends before it starts: {self.start}..{self.end}")

    def narrower_than(self, other: DateRange) -> bool:
        """A shorter range that overlaps other: 'August 6' refines 'last week'."""
        overlaps = self.start <= other.end and other.start <= self.end
        return overlaps and (self.end - self.start) < (other.end - other.start)


@dataclass(frozen=True)
class Figure:
    """A count as reported: low / best / high with the qualifier that bounds it (UCDP style)."""

    low: int | None
    best: int | None
    high: int | None
    qualifier: str | None = None  # about | over | at_least | nearly | up_to | vague | None (exact)
    text: str = ""
    span: Span | None = None

    def __post_init__(self) -> None:
        known = [value for value in (self.low, self.best, self.high) if value is not None]
        if any(value < 0 for value in known) or known != sorted(known):
            raise ValueError(f"a figure has 0 <= low <= best <= high, not {self.low}, {self.best}, {self.high}")




@dataclass(frozen=True)
class PlaceRef:
    name: str
    kind: str  # one of vocab.PLACE_PRECISIONS
    country: str
    province: str = ""
    province_code: str = ""
    district: str = ""
    lat: float | None = None
    lon: float | None = None
    gazetteer_id: str = ""

    def __post_init__(self) -> None:
        if self.kind not in PLACE_RANK:
            raise ValueError(f"not a place precision: {self.kind!r} (one of {', '.join(PLACE_RANK)})")

    def refines(self, other: PlaceRef) -> bool:
        """A more precise place inside other: a city in its province."""
        finer = PLACE_RANK[self.kind] > PLACE_RANK[other.kind]
        return finer and self.gazetteer_id != other.gazetteer_id and self.within(other)

    def within(self, other: PlaceRef) -> bool:
        """True if self lies inside other (or is the same place)."""
        if self.gazetteer_id == other.gazetteer_id:
            return True
        if self.country != other.country:
            return False
        if other.kind == "country":
            return True
        if other.kind == "province":
            return self.province == other.province and self.kind in ("district", "city")
        if other.kind == "district":
            return self.kind == "city" and self.district == other.district and self.province == other.province
        return False


@dataclass(frozen=True)
class ActorRef:
    id: str  # catalog id, or "unresolved:<key>"
    name: str
    kind: str  # armed_group | party | organisation | unresolved
    text: str
    span: Span
    match: str  # alias | acronym | fuzzy | unresolved
    score: float = 100.0
    suggestion: str | None = None


@dataclass(frozen=True)
class PersonRef:
    name: str
    role: str
    country: str
    actor_id: str
    text: str
    span: Span


@dataclass(frozen=True)
class Involvement:
    """How one group is involved in an incident, as the text says: it claimed it, denied it, was blamed for it
    (attributed), or was its target. Not to be confused with the store's `Claim`, any one stored assertion."""

    actor: str
    actor_id: str
    mode: str  # one of vocab.INVOLVEMENTS
    span: Span

    def __post_init__(self) -> None:
        if self.mode not in INVOLVEMENTS:
            raise ValueError(f"not an involvement: {self.mode!r} (one of {', '.join(INVOLVEMENTS)})")


@dataclass(frozen=True)
class Incident:
    id: str
    kind: str  # one of vocab.INCIDENT_KINDS
    sentences: tuple[Span, ...]
    spans: dict[str, tuple[Span, ...]]
    attack_type: str | None = None
    target: str | None = None
    target_type: str | None = None
    place: PlaceRef | None = None
    places: tuple[PlaceRef, ...] = ()
    date: DateRange | None = None
    killed: Figure | None = None
    injured: Figure | None = None
    figures: dict[str, tuple[Figure, ...]] = field(default_factory=dict)
    claims: tuple[Involvement, ...] = ()
    perpetrator: tuple[str, ...] = ()
    against: tuple[str, ...] = ()
    source: str | None = None  # statistics: who asserts the figure
    about: tuple[str, ...] = ()  # statistics: groups the figure concerns
    # Who the dead and wounded were where the text says: (killed|injured, civilians|security_forces|militants|
    # unspecified, count).
    victims: tuple[tuple[str, str, Figure], ...] = ()
    trail: tuple[str, ...] = field(default=(), compare=False)  # why each sentence joined it (--explain)

    def __post_init__(self) -> None:
        if self.kind not in INCIDENT_KINDS:
            raise ValueError(f"not an incident kind: {self.kind!r} (one of {', '.join(INCIDENT_KINDS)})")

    @property
    def claimed_by(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.actor for c in self.claims if c.mode == "claimed"))


@dataclass(frozen=True)
class Meeting:
    id: str
    kind: str  # meeting | visit
    sentences: tuple[Span, ...]
    spans: dict[str, tuple[Span, ...]]
    name: str = ""
    place: PlaceRef | None = None
    date: DateRange | None = None
    participants: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    people: tuple[str, ...] = ()
    concerning: tuple[str, ...] = ()


@dataclass(frozen=True)
class Relation:
    subject: str
    subject_id: str
    relation: str
    object: str
    object_id: str
    span: Span
    symmetric: bool = False


@dataclass(frozen=True)
class Extraction:
    text_length: int
    published: dt.date | None
    extractor_version: str
    incidents: tuple[Incident, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    relations: tuple[Relation, ...] = ()
    actors: tuple[ActorRef, ...] = ()
    places: tuple[tuple[PlaceRef, Span, str], ...] = ()  # (place, span, text as written)
    people: tuple[PersonRef, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
