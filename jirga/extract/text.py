"""Text helpers that keep offsets: every derived string has the length of the input."""

from __future__ import annotations

import re
from collections.abc import Iterator

from jirga.model import Span
from jirga.reference.names import lower

_TWINS: dict[re.Pattern, re.Pattern] = {}


def finditer(pattern: re.Pattern, text: str, lowered: str | None = None) -> Iterator[re.Match]:
    """pattern.finditer(text), faster: a case-insensitive pattern (its literals written in lower case) runs
    case-sensitively over the lower-cased text, which Python's re scans several times faster."""
    if not pattern.flags & re.IGNORECASE:
        return pattern.finditer(text)
    twin = _TWINS.get(pattern)
    if twin is None:
        if re.search(r"(?<!\\)[A-Z]", re.sub(r"\(\?P[<=]\w+>?", "", pattern.pattern)):
            raise ValueError(f"case-insensitive pattern with upper-case literals: {pattern.pattern[:60]}")
        twin = _TWINS[pattern] = re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)
    return twin.finditer(lowered if lowered is not None else lower(text))


# Sentence ends: . ! ? followed by space and a capital/digit/quote, unless the word is an abbreviation.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "brig", "capt", "sgt", "st", "no", "vs", "jan", "feb",
    "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.n", "u.k", "i.e", "e.g", "govt", "prof",
    "rev", "mt", "ft", "approx", "dept", "jr", "sr", "inc", "ltd", "co", "adm", "gov", "sen", "rep", "d.i",
}  # fmt: skip
# A run of stops is tried once, from its first character ("....." would otherwise be tried from each).
_BOUNDARY = re.compile(r"(?<![.!?])[.!?]++[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n|\n(?=[ ]*[^\sa-z])")


def sentences(text: str) -> list[Span]:
    """Sentence spans, trimmed of surrounding whitespace."""
    spans, start = [], 0
    for boundary in _BOUNDARY.finditer(text):
        if boundary.group().startswith(".") and _ends_with_abbreviation(text, boundary.start()):
            continue
        spans.append(Span(start, boundary.end()))
        start = boundary.end()
    spans.append(Span(start, len(text)))
    return [s for s in (_trim(text, s) for s in spans) if s.end > s.start]


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([\w.]+)$", text[max(0, dot - 12) : dot])
    if not word:
        return False
    token = word.group(1).lower()
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _trim(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def paragraphs(text: str) -> list[Span]:
    spans, start = [], 0
    for gap in re.finditer(r"\n\s*\n", text):
        spans.append(_trim(text, Span(start, gap.start())))
        start = gap.end()
    spans.append(_trim(text, Span(start, len(text))))
    return [s for s in spans if s.end > s.start]
