"""The extractor: one pure function from a report's text to everything Jirga codes from it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from jirga.extract.actors import find_actors
from jirga.extract.dates import find_dates
from jirga.extract.document import Document
from jirga.extract.events import find_incidents
from jirga.extract.layout import BODY, read_layout
from jirga.extract.meetings import find_meetings
from jirga.extract.numbers import find_quantities
from jirga.extract.people import find_people
from jirga.extract.places import PlaceMention, find_demonyms, find_places
from jirga.extract.relations import find_relations
from jirga.extract.statistics import find_statistics
from jirga.extract.text import paragraphs, sentences
from jirga.model import Extraction, Span
from jirga.reference.lexicon import Lexicon, default_lexicon
from jirga.reference.names import fold, lower
from jirga.version import __version__

EXTRACTOR_VERSION = f"jirga-rules/{__version__}"
# "QUETTA:", "Islamabad, Jan 31", "SEHWAN / KARACHI:", "BISHKEK -": not "Aksu, in the west of the region".
_DATELINE = re.compile(r"(?:\s*\([^()\n]{1,20}\))?(?:\s*[:/]|,\s+(?:[A-Z][a-z]{2}|\d)|\s+(?:--?|[\u2013\u2014])\s)")


def extract(text: str, published: dt.date | None = None, lexicon: Lexicon | None = None) -> Extraction:
    """Extract incidents, meetings, relations, actors, places and people from one report.

    Deterministic: the same text, date and reference data always give the same result.
    `published` anchors relative dates ("last week", "on Tuesday"); without it they stay unresolved.
    """
    lexicon = lexicon or default_lexicon()
    folded = fold(text)
    lowered = lower(folded)
    key = lowered.replace("-", " ")
    actors = find_actors(text, folded, key, lexicon)
    actor_spans = [a.span for a in actors]
    people = find_people(text, key, lexicon, actor_spans)
    places = find_places(text, key, lexicon, actor_spans + [p.span for p in people])
    spans = sentences(text)
    dates = find_dates(text, published, lowered)
    doc = Document(
        text=text,
        published=published,
        sentences=spans,
        actors=actors,
        places=places,
        demonyms=find_demonyms(text, key, lexicon),
        dates=dates,
        layout=read_layout(text, spans, dates, places),
        people=people,
        countries=lexicon.country_by_code,
        lower=lowered,
        folded=folded,
        quantities=find_quantities(text, lowered),
    )
    dateline = _dateline(doc)
    if dateline is not None:  # "QUETTA, Oct 25 -" dates the filing, not the event
        head = re.match(r"[^\n]{0,40}?\s(?:--?|[\u2013\u2014:])\s|[^\n]{0,40}?:", text[dateline.span.start :])
        end = max(dateline.span.start + (head.end() if head else 0), dateline.span.end)
        dates = [d for d in doc.dates if not dateline.span.end <= d.span.start < end]
        doc = replace(doc, dateline=dateline, dates=dates, dateline_region=Span(dateline.span.start, end))
    filed = _filing_date(doc)
    if filed is not None:  # "August 1: The group has claimed ...": the day of filing, like a dateline's
        doc = replace(doc, dates=[d for d in doc.dates if d is not filed])
    incidents = find_incidents(doc)
    statistics = find_statistics(doc, len(incidents) + 1)
    return Extraction(
        text_length=len(text),
        published=published,
        extractor_version=EXTRACTOR_VERSION,
        incidents=tuple(incidents) + tuple(statistics),
        meetings=tuple(find_meetings(doc)),
        relations=tuple(find_relations(doc, lexicon)),
        actors=tuple(actors),
        places=tuple((p.place, p.span, p.text) for p in places),
        people=tuple(people),
    )


def _filing_date(doc: Document):
    """A date that opens the body and only there ('August 1: The terrorist group ...'), not a timeline's entries."""
    layout = doc.layout
    opening = [d for d in doc.dates if d.span and any(d.span.start == s.start and layout.role(i) == BODY
                                                        for i, s in enumerate(doc.sentences))
               and re.match(r"\s*[:\u2013\u2014]|\s+-\s", doc.text[d.span.end : d.span.end + 3])]
    if len(opening) != 1:
        return None
    first_body = next((s for i, s in enumerate(doc.sentences) if layout.role(i) == BODY), None)
    return opening[0] if first_body is not None and opening[0].span.start == first_body.start else None


def _dateline(doc: Document) -> PlaceMention | None:
    """'QUETTA, Oct 25 -' or 'Peshawar:' opening the body: where the report was filed."""
    for paragraph in paragraphs(doc.text)[:8]:  # after a headline, a standfirst, highlights and a byline
        for place in doc.within(doc.places, paragraph):
            if place.span.start == paragraph.start and _DATELINE.match(doc.text, place.span.end):
                return place
    return None
