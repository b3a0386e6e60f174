"""One report with every mention found in it: the shared input of the event, meeting and relation steps."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from jirga.extract.layout import Layout
from jirga.extract.numbers import Quantity
from jirga.extract.places import CountryMention, PlaceMention
from jirga.extract.text import finditer
from jirga.model import ActorRef, DateRange, PersonRef, PlaceRef, Span

_LIST_JOIN = re.compile(r"\s*(?:,|and|or|as\s+well\s+as|,\s*and|both)?\s*(?:both\s+)?(?:the\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Document:
    text: str
    published: dt.date | None
    sentences: list[Span]
    actors: list[ActorRef]
    places: list[PlaceMention]
    demonyms: list[CountryMention]
    dates: list[DateRange]
    people: list[PersonRef]
    countries: dict[str, PlaceRef]  # ISO2 -> the gazetteer's country entry
    lower: str = ""  # text folded and lower-cased, same length
    folded: str = ""  # text with typographic quotes, dashes and spaces made ASCII, same length
    quantities: list[Quantity] = field(default_factory=list)
    dateline: PlaceMention | None = None  # 'QUETTA, Oct 25 -': where the report was filed
    dateline_region: Span | None = None  # the whole 'SEHWAN / KARACHI, Feb 17 -'
    layout: Layout | None = None  # what each sentence is: headline, byline, date line, subheading, bullet, body
    _matches: dict = field(default_factory=dict, compare=False, repr=False)
    _starts: dict = field(default_factory=dict, compare=False, repr=False)

    def matches(self, pattern: re.Pattern, span: Span) -> list[re.Match]:
        """Matches of pattern inside span; the whole text is scanned once per pattern."""
        found = self._matches.get(pattern)
        if found is None:
            matches = list(finditer(pattern, self.text, self.lower or None))
            found = self._matches[pattern] = ([m.start() for m in matches], matches)
        starts, matches = found
        first, last = bisect_left(starts, span.start), bisect_left(starts, span.end)
        return [m for m in matches[first:last] if m.end() <= span.end]

    @property
    def plain(self) -> str:
        """The text to match patterns against: "Balochistan’s" reads as "Balochistan's"."""
        return self.folded or self.text

    def country_mentions(self, code: str) -> int:
        return sum(p.place.country == code for p in self.places) + sum(d.country == code for d in self.demonyms)

    def within(self, mentions: list, span: Span) -> list:
        """The mentions (a list sorted by start) that lie inside span."""
        starts = self._starts.get(id(mentions))
        if starts is None or len(starts) != len(mentions):
            starts = self._starts[id(mentions)] = [m.span.start for m in mentions]
        first, last = bisect_left(starts, span.start), bisect_left(starts, span.end)
        return [m for m in mentions[first:last] if m.span.end <= span.end]

    def groups(self, span: Span) -> list[ActorRef]:
        return [a for a in self.within(self.actors, span) if a.kind in ("armed_group", "unresolved")]

    def sentence_index(self, position: int) -> int:
        starts = self._starts.get("sentences")
        if starts is None:
            starts = self._starts["sentences"] = [s.start for s in self.sentences]
        return max(0, bisect_right(starts, position) - 1)

    def listed_from(self, groups: list[ActorRef]) -> list[ActorRef]:
        """groups[0] and the groups listed after it: 'Jundallah and the Islamic State', 'TTP, IMU'."""
        chosen = groups[:1]
        for later in groups[1:]:
            if not _LIST_JOIN.match(self.text, chosen[-1].span.end, later.span.start):
                break
            chosen.append(later)
        return chosen

    def listed_up_to(self, groups: list[ActorRef]) -> list[ActorRef]:
        """groups[-1] and the groups listed before it: 'TTP and Lashkar-e-Jhangvi fighters'."""
        chosen = groups[-1:]
        for earlier in reversed(groups[:-1]):
            if not _LIST_JOIN.match(self.text, earlier.span.end, chosen[0].span.start):
                break
            chosen.insert(0, earlier)
        return chosen

    def last_group_before(self, position: int) -> ActorRef | None:
        earlier = [a for a in self.actors if a.span.end <= position and a.kind == "armed_group"]
        return earlier[-1] if earlier else None


def clause_bounds(text: str, sentence: Span, position: int) -> Span:
    """The clause around position: the sentence cut at semicolons and at ', while' / ', but' / ', and'."""
    cuts = [sentence.start]
    for match in re.finditer(r";|,\s+(?:while|but|whereas|although)\b|\bwhile\b", text[sentence.start : sentence.end]):
        cuts.append(sentence.start + match.start())
    cuts.append(sentence.end)
    for left, right in itertools.pairwise(cuts):
        if left <= position < right:
            return Span(left, right)
    return sentence


def split_point(text: str, left_end: int, right_start: int) -> int:
    """Where to cut between two event words in one sentence: the comma nearest their midpoint, else the midpoint."""
    middle = (left_end + right_start) // 2
    commas = [left_end + m.start() + 1 for m in re.finditer(r"[,;]", text[left_end:right_start])]
    return min(commas, key=lambda c: abs(c - middle)) if commas else middle
