"""Domain types shared by every layer. Frozen dataclasses, no I/O."""

from jirga.model.extraction import (
    ActorRef,
    DateRange,
    Extraction,
    Figure,
    Incident,
    Involvement,
    Meeting,
    PersonRef,
    PlaceRef,
    Relation,
    Span,
)

__all__ = [
    "ActorRef",
    "DateRange",
    "Extraction",
    "Figure",
    "Incident",
    "Involvement",
    "Meeting",
    "PersonRef",
    "PlaceRef",
    "Relation",
    "Span",
]
