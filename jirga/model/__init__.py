"""Domain types shared by every layer. Frozen dataclasses, no I/O."""

from jirga.model.extraction import (
    ActorRef,
    Claim,
    DateRange,
    Extraction,
    Figure,
    Incident,
    Meeting,
    PersonRef,
    PlaceRef,
    Relation,
    Span,
)

__all__ = [
    "ActorRef",
    "Claim",
    "DateRange",
    "Extraction",
    "Figure",
    "Incident",
    "Meeting",
    "PersonRef",
    "PlaceRef",
    "Relation",
    "Span",
]
