"""The layout of a report: what each sentence is, before anyone asks what it says.

Real reporting is not all running prose: a headline retells the lead; a byline and a date line above a timeline
entry say nothing happened; a subheading or a highlights bullet restates what the body tells; an entry of a
timeline inherits the date of the line above it. Spans stay offsets into the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jirga.model import DateRange, Span
from jirga.model.vocab import PLACE_RANK

# Roles a sentence can have.
HEADLINE, BYLINE, DATE_LINE = "headline", "byline", "date_line"
SUBHEADING, BULLET, BODY, CHROME = "subheading", "bullet", "body", "chrome"

# Page chrome that survives copying a web page: share and follow prompts, "read more", credits, rules of dashes.
_CHROME = re.compile(r"\s*(?:(?:share|tweet|email|print)(?:\s+(?:this|the|article|story|page|post|on\s+\w+))*"
                     r"|follow\s+us\b.*|subscribe\b.*"
                     r"|sign\s+up\b.*|click\s+here\b.*|read\s+(?:more|also)\b.*|also\s+read\b.*|related\s*:.*"
                     r"|advertisement|sponsored|(?:photo|image|file\s+photo)\s*:.*|copyright\b.*|©.*"
                     r"|all\s+rights\s+reserved\.?|[-=_*·•]{3,})\s*", re.IGNORECASE)
# A quotation and who said it: "...," said X / X said: "..." - a speaker's words, kept apart from the reporter's.
_QUOTE = re.compile(r"[\"“]([^\"“”]{10,}?)[\"”]")
_NAME = r"[A-Z][\w'-]*(?:\.[A-Z][\w'-]*)*"  # a capitalised word; "U.S." but not the stop after "Karimi."
_SPEAKER_AFTER = re.compile(rf"\s*,?\s*(?:(?:said|says|told\s+\w+|added|according\s+to)\s+((?:{_NAME}[ \t]*){{1,5}})"
                            rf"|((?:{_NAME}[ \t]+){{1,5}})(?:[^.\"“”]{{0,80}}?\s)?(?:said|says|told|added)\b)")
_SPEAKER_BEFORE = re.compile(rf"((?:{_NAME}[ \t]*){{1,5}})\s+(?:said|says|told\s+\w+|added)\s*[:,]?\s*$")

_BULLET = re.compile(r"[-•*–—·▪]\s+")
_BYLINE = re.compile(r"(?:by\s|from\s|staff\b|our\s|special\s+correspondent|news\s+desk|monitoring\s+desk|agencies\b"
                     r"|web\s+desk|reuters\b|afp\b|ap\b|dpa\b)", re.IGNORECASE)
_DATE_LEAD = re.compile(r"\s*(?:[-–—:|]+|\.)?\s*")  # what may follow a date that heads an entry: "23 November 2018 —"
_END = (".", "!", "?", ":", '"', "”", "'", "’", ";")


@dataclass(frozen=True)
class Quotation:
    span: Span  # the quoted words, without the quotation marks
    speaker: Span | None  # who the text says spoke them, where it says


@dataclass(frozen=True)
class Layout:
    roles: tuple[str, ...]  # one per sentence
    entry_dates: tuple[DateRange | None, ...]  # the date of the timeline entry a sentence belongs to
    entry_places: tuple = ()  # the place of the digest entry a sentence belongs to ('16 Feb, Sehwan (Sindh).')
    quotations: tuple[Quotation, ...] = ()

    def quoted(self, position: int) -> Quotation | None:
        return next((q for q in self.quotations if q.span.start <= position < q.span.end), None)

    def role(self, index: int) -> str:
        return self.roles[index] if index < len(self.roles) else BODY


def read_layout(text: str, sentences: list[Span], dates: list[DateRange], places: list = ()) -> Layout:
    """`places` are the place mentions (with .span and .place), for digest headings that name where."""
    roles = [_role(text, sentences, i) for i in range(len(sentences))]
    heads: dict[int, DateRange] = {}
    where: dict[int, object] = {}
    for i, sentence in enumerate(sentences):
        date = _heading_date(text, sentence, dates)
        if date is not None and _DATE_LEAD.fullmatch(text, date.span.end, sentence.end):
            heads[i], roles[i] = date, DATE_LINE  # "23 November 2018 —"
            continue
        date = date or _dated_heading(text, sentence, roles[i], dates)
        if date is None:
            continue
        place = _only_places(text, sentence, places, date)
        if place is not None:  # "16 Feb, Sehwan (Jamshoro district, Sindh).", "IRAN | Sistan and Baluchestan | 13 Feb"
            heads[i], where[i], roles[i] = date, place, DATE_LINE
        elif date.span.start == sentence.start and roles[i] == BODY:
            heads[i] = date  # "12 March: A bomb went off ...": an entry that opens with its date
    entry_dates: list[DateRange | None] = [None] * len(sentences)
    entry_places: list = [None] * len(sentences)
    if len(heads) >= 2 or where:  # a timeline or a digest: each entry told under the line that opens it
        date = place = None
        for i in range(len(sentences)):
            if i in heads:
                date, place = heads[i], where.get(i)
            entry_dates[i], entry_places[i] = date, place
    return Layout(tuple(roles), tuple(entry_dates), tuple(entry_places), tuple(_quotations(text)))


def _quotations(text: str) -> list[Quotation]:
    found = []
    for match in _QUOTE.finditer(text):
        after = _SPEAKER_AFTER.match(text, match.end())
        before = _SPEAKER_BEFORE.search(text[max(0, match.start() - 60) : match.start()])
        if after:
            group = 1 if after.group(1) else 2
            speaker = Span(after.start(group), after.start(group) + len(after.group(group).rstrip()))
        elif before:
            offset = max(0, match.start() - 60)
            speaker = Span(offset + before.start(1), offset + before.start(1) + len(before.group(1).rstrip()))
        else:
            speaker = None
        found.append(Quotation(Span(match.start(1), match.end(1)), speaker))
    return found


def _dated_heading(text: str, sentence: Span, role: str, dates: list[DateRange]) -> DateRange | None:
    """A short line standing alone with a day in it: 'IRAN | Sistan and Baluchestan | 13 February'."""
    if role not in (SUBHEADING, HEADLINE, BODY) or len(text[sentence.start : sentence.end].split()) > 14 \
            or not _alone_on_line(text, sentence):
        return None
    return next((d for d in dates if d.span and sentence.start <= d.span.start and d.span.end <= sentence.end
                 and d.precision == "day"), None)


def _only_places(text: str, line: Span, places: list, date: DateRange):
    """The finest place of a heading that holds nothing but its date and places: '16 Feb, Sehwan (Jamshoro district,
    Sindh).', 'INDIA | Jammu and Kashmir, Pulwama district | 14 February'."""
    inside = [p for p in places if line.start <= p.span.start and p.span.end <= line.end]
    if not inside:
        return None
    chars = list(text[line.start : line.end])
    for span in [date.span] + [p.span for p in inside]:
        chars[span.start - line.start : span.end - line.start] = " " * (span.end - span.start)
    if re.fullmatch(r"[\s,.;:()|/\-–—]*(?:(?:district|province|city|town|county|area|division|region)"
                    r"[\s,.;:()|/\-–—]*)*", "".join(chars), re.IGNORECASE) is None:
        return None
    return max(inside, key=lambda p: (PLACE_RANK.get(p.place.kind, -1), p.span.start))


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
    if _CHROME.fullmatch(line):
        return CHROME
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
