"""Name keys: the spelling-tolerant forms names are stored and looked up under, and the phrase index that finds
catalog and gazetteer names in text. Every key has the length of its input, so offsets carry over."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import ahocorasick

# One-for-one substitutions, so that an index into the folded text is an index into the original.
_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " ",
    }
)  # fmt: skip
# Latin letters with diacritics to their base letter, one for one: "Ürümqi" is matched as "Urumqi".
_FOLD.update({
    code: ord(base)
    for code in range(0xC0, 0x250)
    if (base := unicodedata.normalize("NFD", chr(code))[0]).isascii() and base.isalpha() and chr(code).isalpha()
})


def fold(text: str) -> str:
    """Typographic quotes, dashes, odd spaces and Latin diacritics to ASCII, same length."""
    return text.translate(_FOLD)


def lower(text: str) -> str:
    """Folded and lower-cased, same length as text."""
    lowered = fold(text).lower()
    if len(lowered) != len(text):  # a few code points lower-case to two; keep those as they were
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in fold(text))
    return lowered


def match_key(text: str) -> str:
    """Lower-case, hyphens as spaces: the form names are matched in. Same length as text."""
    return lower(text).replace("-", " ")


def name_key(name: str) -> str:
    """The key a catalog name is stored under; matches match_key of the same words in text."""
    return re.sub(r"\s+", " ", match_key(name)).strip()


_WORD = re.compile(r"\w")


def at_word_boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not _WORD.match(before) and not _WORD.match(after)


class PhraseIndex:
    """Aho-Corasick automaton over name keys; finds whole-word, leftmost-longest matches."""

    def __init__(self, phrases: Iterable[tuple[str, object]]):
        self._automaton = ahocorasick.Automaton()
        grouped: dict[str, list[object]] = {}
        for phrase, payload in phrases:
            key = name_key(phrase)
            if key:
                grouped.setdefault(key, []).append(payload)
        for key, payloads in grouped.items():
            self._automaton.add_word(key, (len(key), tuple(payloads)))
        self._empty = not grouped
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, key_text: str, accept=None) -> list[tuple[int, int, tuple[object, ...]]]:
        """Whole-word matches in key_text as (start, end, payloads): leftmost-longest, non-overlapping.

        accept(start, end, payloads) may narrow the payloads of a match, or return () to drop it.
        """
        if self._empty:
            return []
        found = []
        for end_index, (length, payloads) in self._automaton.iter(key_text):
            start, end = end_index - length + 1, end_index + 1
            if not at_word_boundary(key_text, start, end):
                continue
            if accept is not None:
                payloads = accept(start, end, payloads)
            if payloads:
                found.append((start, end, payloads))
        return leftmost_longest(found)


def leftmost_longest(matches: list[tuple]) -> list[tuple]:
    """Keep non-overlapping (start, end, ...) tuples, preferring earlier then longer ones."""
    chosen, last_end = [], -1
    for match in sorted(matches, key=lambda m: (m[0], -(m[1] - m[0]))):
        if match[0] >= last_end:
            chosen.append(match)
            last_end = match[1]
    return chosen


def skeleton(name: str) -> str:
    """A spelling-insensitive key for fuzzy matching: letters only, doubled letters collapsed."""
    letters = re.sub(r"[^a-z0-9]", "", name.lower())
    return re.sub(r"(.)\1+", r"\1", letters)
