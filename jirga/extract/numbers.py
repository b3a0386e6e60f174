"""Counts as the text gives them: "about 150", "over 100", "dozens", "twenty-two", "nearly 1,700"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from jirga.extract.text import finditer
from jirga.model import Figure, Span

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
_TWO_WORDS = rf"(?:{_NUMBER_WORD})(?:[- ](?:{_NUMBER_WORD}))?"
_SPELLED = rf"(?:{_TWO_WORDS}(?:\s+hundred(?:\s+(?:and\s+)?{_TWO_WORDS})?)?|a\s+hundred)"
_DIGITS = r"\d{1,3}(?:,\d{3}){1,3}|\d{1,9}"  # no count of people runs to ten digits

# Qualifier words and what they make of N: (low, best, high) as functions of N.
_QUALIFIERS = [
    (r"at\s+least|no\s+fewer\s+than|a\s+minimum\s+of", "at_least"),
    (r"more\s+than|over|above|in\s+excess\s+of|upwards\s+of", "over"),
    (r"nearly|almost|close\s+to|just\s+under|up\s+to|as\s+many\s+as|fewer\s+than|less\s+than|under", "nearly"),
    (r"about|around|approximately|roughly|some|an\s+estimated|estimated|nearly\s+about|circa|approx\.?", "about"),
]
_QUALIFIER = "|".join(f"(?P<q{i}>{pattern})" for i, (pattern, _) in enumerate(_QUALIFIERS))
# Vague counts: (low, high).
_VAGUE = {
    "dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999), "thousands": (2000, 9999),
    "a dozen": (12, 12), "half a dozen": (6, 6), "two dozen": (24, 24), "three dozen": (36, 36),
    "several": (3, 9), "a few": (2, 5), "many": (None, None),
    "a couple of": (2, 2), "a number of": (None, None), "tens": (20, 99),
}  # fmt: skip
_VAGUE_RE = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(_VAGUE, key=len, reverse=True))

QUANTITY = re.compile(
    rf"\b(?=[\dacdefhijlmnorstuz])(?:(?:{_QUALIFIER})\s+)?(?:(?<![\d.,])\b(?P<digits>{_DIGITS})(?![\d,]*\d)(?!\.\d|\s*(?:%|percent|per\s+cent))|\b(?P<vague>{_VAGUE_RE})\b"
    rf"|\b(?P<spelled>{_SPELLED})\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quantity:
    figure: Figure
    span: Span


def spelled_value(words: str) -> int:
    words = re.sub(r"\s+", " ", words.lower().replace("-", " ")).replace(" and ", " ")
    if words == "a hundred":
        return 100
    total, current = 0, 0
    for word in words.split():
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
    return total + current


def _figure(match: re.Match, text: str) -> Figure | None:
    qualifier = next((name for i, (_, name) in enumerate(_QUALIFIERS) if match.group(f"q{i}")), None)
    written = text[match.start() : match.end()]
    if match.group("vague"):
        low, high = _VAGUE[re.sub(r"\s+", " ", match.group("vague").lower())]
        if low is None:
            return None
        best = low if low == high else None
        return Figure(low, best, high, "vague" if low != high else qualifier, written)
    if match.group("digits"):
        value = int(match.group("digits").replace(",", ""))
    else:
        value = spelled_value(match.group("spelled"))
    if qualifier in ("at_least", "over"):
        return Figure(value, value, None, qualifier, written)
    if qualifier == "nearly":
        return Figure(None, value, value, qualifier, written)
    if qualifier == "about":
        return Figure(None, value, None, qualifier, written)
    return Figure(value, value, value, None, written)


def find_quantities(text: str, lowered: str | None = None) -> list[Quantity]:
    found = []
    for match in finditer(QUANTITY, text, lowered):
        figure = _figure(match, text)
        if figure is not None:
            span = Span(match.start(), match.end())
            found.append(Quantity(Figure(figure.low, figure.best, figure.high, figure.qualifier, figure.text, span),
                                  span))
    return found
