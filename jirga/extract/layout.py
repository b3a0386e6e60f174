"""The layout of a report: what each sentence is, before anyone asks what it says.

Real reporting is not all running prose: a headline retells the lead; a byline and a date line above a timeline
entry say nothing happened; a subheading or a highlights bullet restates what the body tells; an entry of a
timeline inherits the date of the line above it. Spans stay offsets into the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jirga.model import DateRange, Span

# Roles a sentence can have.
HEADLINE, BYLINE, DATE_LINE = "headline", "byline", "date_line"
SUBHEADING, BULLET, BODY = "subheading", "bullet", "body"

_BULLET = re.compile(r"[-•*–—·▪]\s+")
_BYLINE = re.compile(r"(?:by\s|from\s|staff\b|our\s|special\s+correspondent|news\s+desk|monitoring\s+desk|agencies\b"
                     r"|web\s+desk|reuters\b|afp\b|ap\b|dpa\b)", re.IGNORECASE)
_DATE_LEAD = re.compile(r"\s*(?:[-–—:|]+|\.)?\s*")  # what may follow a date that heads an entry: "23 November 2018 —"
_END = (".", "!", "?", ":", '"', "”", "'", "’", ";")


@dataclass(frozen=True)
class Layout:
    roles: tuple[str, ...]  # one per sentence
    entry_dates: tuple[DateRange | None, ...]  # the date of the timeline entry a sentence belongs to
    entry_places: tuple = ()  # the place of the digest entry a sentence belongs to ('16 Feb, Sehwan (Sindh).')

    def role(self, index: int) -> str:
        return self.roles[index] if index < len(self.roles) else BODY


def read_layout(text: str, sentences: list[Span], dates: list[DateRange], places: list = ()) -> Layout:
    """`places` are the place mentions (with .span and .place), for digest headings that name where."""
    roles = [_role(text, sentences, i) for i in range(len(sentences))]
    heads = {i: d for i, d in ((i, _heading_date(text, s, dates)) for i, s in enumerate(sentences)) if d}
    where: dict[int, object] = {}
    for i, date in heads.items():
        if _DATE_LEAD.fullmatch(text, date.span.end, sentences[i].end):
            roles[i] = DATE_LINE
        elif (place := _only_places(text, Span(date.span.end, sentences[i].end), places)) is not None:
            roles[i], where[i] = DATE_LINE, place
    entry_dates: list[DateRange | None] = [None] * len(sentences)
    entry_places: list = [None] * len(sentences)
    if len(heads) >= 2 or where:  # a timeline or a digest: each entry told under the line that opens it
        date = place = None
        for i in range(len(sentences)):
            if i in heads:
                date, place = heads[i], where.get(i)
            entry_dates[i], entry_places[i] = date, place
    return Layout(tuple(roles), tuple(entry_dates), tuple(entry_places))


def _only_places(text: str, rest: Span, places: list):
    """The finest place of a heading's rest when it holds nothing but places: ', Sehwan (Jamshoro district, Sindh).'"""
    inside = [p for p in places if rest.start <= p.span.start and p.span.end <= rest.end]
    if not inside:
        return None
    leftover = text[rest.start : rest.end]
    for p in sorted(inside, key=lambda p: -p.span.start):
        leftover = leftover[: p.span.start - rest.start] + leftover[p.span.end - rest.start :]
    if re.fullmatch(r"[\s,.;:()\-–—]*(?:(?:district|province|city|town|county|area|division)[\s,.;:()\-–—]*)*",
                    leftover, re.IGNORECASE) is None:
        return None
    rank = {"country": 1, "province": 2, "district": 3, "city": 4}
    return max(inside, key=lambda p: (rank.get(p.place.kind, 0), -p.span.start))


def _heading_date(text: str, sentence: Span, dates: list[DateRange]) -> DateRange | None:
    """'23 November 2018 —' on its own line, or opening an entry: '12 March: A bomb ...'."""
    for date in dates:
        if date.span and date.span.start == sentence.start and date.precision == "day" \
                and re.match(r"\s*(?:[-–—:|,]|\n|$)", text[date.span.end : date.span.end + 3]):
            return date
    return None


def _role(text: str, sentences: list[Span], index: int) -> str:
    span = sentences[index]
    line = text[span.start : span.end]
    alone = _alone_on_line(text, span)
    if _BULLET.match(line):
        return BULLET
    if not alone or line.rstrip().endswith(_END):
        return BODY
    words = len(line.split())
    if index == 0:
        return HEADLINE
    if index == 1 and words <= 5 and (_BYLINE.match(line) or words <= 3):
        return BYLINE
    if words <= 10 and index + 1 < len(sentences):
        return SUBHEADING
    return BODY


def _alone_on_line(text: str, span: Span) -> bool:
    before = text[max(0, span.start - 1) : span.start]
    after = text[span.end : span.end + 1]
    return before in ("", "\n") and after in ("", "\n")
