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

    def role(self, index: int) -> str:
        return self.roles[index] if index < len(self.roles) else BODY


def read_layout(text: str, sentences: list[Span], dates: list[DateRange]) -> Layout:
    roles = [_role(text, sentences, i) for i in range(len(sentences))]
    heads = {i: d for i, d in ((i, _heading_date(text, s, dates)) for i, s in enumerate(sentences)) if d}
    for i, date in heads.items():
        if date.span.start == sentences[i].start and _DATE_LEAD.fullmatch(text, date.span.end, sentences[i].end):
            roles[i] = DATE_LINE
    entry_dates: list[DateRange | None] = [None] * len(sentences)
    if len(heads) >= 2:  # a timeline: every entry is dated by the line that opens it, until the next one
        current = None
        for i in range(len(sentences)):
            current = heads.get(i, current)
            entry_dates[i] = current
    return Layout(tuple(roles), tuple(entry_dates))


def _heading_date(text: str, sentence: Span, dates: list[DateRange]) -> DateRange | None:
    """'23 November 2018 —' on its own line, or opening an entry: '12 March: A bomb ...'."""
    for date in dates:
        if date.span and date.span.start == sentence.start and date.precision == "day" \
                and re.match(r"\s*(?:[-–—:|]|\n|$)", text[date.span.end : date.span.end + 3]):
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
