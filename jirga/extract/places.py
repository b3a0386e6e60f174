"""Find place names and geocode them, choosing among same-named places by context."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from jirga.model import PlaceRef, Span
from jirga.reference.lexicon import Lexicon

FOCUS_COUNTRIES = {"AF", "PK", "IR", "IN", "BD", "TJ", "UZ", "KG", "TM", "KZ", "CN"}
_KIND_WORD = re.compile(r"\s*(district|province|city|town|agency|region|county|village)\b", re.IGNORECASE)
_JOIN_TO_PARENT = re.compile(r"^(?:\s*(?:district|province|city|town|agency|area|village)s?)?\s*(?:,|of|in|,\s*in)\s*$",
                             re.IGNORECASE)
_KIND_FOR_WORD = {"district": "district", "agency": "district", "province": "province", "region": "province",
                  "city": "city", "town": "city", "village": "city", "county": "district"}


# "Pakistan-based", "Gulistan-e-Jauhar", "Sayed al-Shuhada": a place word inside another name is no location.
# "Gulistan Road", "Liaquat Bazaar": a place word naming a street or landmark elsewhere.
_NOT_A_LOCATION = re.compile(r" (?:based|backed|born|registered|made|sponsored|funded|e |i |ul |ur |e$)"
                             r"| (?:road|street|chowk|avenue|lane|square|bazaar|colony|gate)\b"
                             r"|(?: [a-z]+)? (?:highway|motorway|expressway)\b"
                             r"|\s+(?:militants?|fighters?|insurgents?|separatists?|terrorists?|extremists?|rebels?)\b")
_IN_A_NAME = re.compile(r"(?:\bal |\bul |\bud |\bel |\banti |\bpro )$")  # "anti-Tehran": no location


_GIVEN_NAME_BEFORE = re.compile(r"(?<![.!?:;\n] )(?<!^)\b([A-Z][a-z]{2,})[ \t]+$")
_PLACE_PREFIXES = {"North", "South", "East", "West", "Upper", "Lower", "Central", "Eastern", "Western", "Northern",
                   "Southern", "Greater", "Old", "New", "District", "Province", "Division", "City", "Agency", "Tehsil",
                   "Lake", "Mount", "Port", "Fort", "The", "In", "At", "From", "Near", "Outside", "Inside", "Across",
                   "Both", "Neighbouring", "Neighboring", "Eid", "Friday", "Sunday", "Monday", "Tuesday", "Wednesday",
                   "Thursday", "Saturday"}


def _after_a_given_name(text: str, start: int) -> bool:
    """'Attaullah Khogyani', 'Sarfraz Bugti': a place name right after a capitalised given name is a surname."""
    word = _GIVEN_NAME_BEFORE.search(text[max(0, start - 20) : start])
    return bool(word) and word.group(1) not in _PLACE_PREFIXES


@dataclass(frozen=True)
class PlaceMention:
    place: PlaceRef
    span: Span
    text: str


@dataclass(frozen=True)
class CountryMention:
    """A nationality adjective (Pakistani, Iranian): names a country without being a location."""

    country: str
    span: Span
    text: str


def find_places(text: str, key: str, lexicon: Lexicon, masked: list[Span]) -> list[PlaceMention]:
    blocked = {i for m in masked for i in range(m.start, m.end)}

    def accept(start, end, payloads):
        if not text[start].isupper() or start in blocked or end - 1 in blocked:
            return ()
        if _NOT_A_LOCATION.match(key, end) or _IN_A_NAME.search(key, max(0, start - 5), start):
            return ()
        if _after_a_given_name(text, start):
            return ()
        return payloads

    raw = lexicon.place_index.find(key, accept)
    countries_named = {p.country for _, _, payloads in raw for p in payloads if p.kind == "country"}
    mentions: list[PlaceMention] = []
    # Resolve right to left, so that "Sayyad district of Sar-e-Pul" sees Sar-e-Pul already resolved.
    resolved_after: PlaceMention | None = None
    for start, end, candidates in reversed(raw):
        parent = resolved_after if resolved_after and _joins(text, end, resolved_after.span.start) else None
        kind_hint = _kind_hint(text, start, end)
        best = max(candidates, key=lambda c: _score(c, candidates, parent, kind_hint, countries_named, lexicon))
        mention = PlaceMention(best, Span(start, end), text[start:end])
        mentions.append(mention)
        resolved_after = mention
    mentions.reverse()
    return _drop_foreign_name_parts(text, mentions)


_NEXT_NAME = re.compile(r"[ \t]+(?!(?:District|Province|City|Town|Agency|Region|County|Village|Area)\b)[A-Z][a-z]")


def _drop_foreign_name_parts(text: str, mentions: list[PlaceMention]) -> list[PlaceMention]:
    """'Nawa Kali' in a report on Quetta is a neighbourhood, not Nawa in India: a town of a country the report
    never names otherwise, glued to a following capitalised word, is part of a local name."""
    per_country: dict[str, int] = {}
    for mention in mentions:
        per_country[mention.place.country] = per_country.get(mention.place.country, 0) + 1
    kept = [m for m in mentions if not (m.place.kind == "city" and per_country[m.place.country] == 1
                                        and _NEXT_NAME.match(text, m.span.end))]
    # "the Khanabad Bandar area of Kunduz city": a neighbourhood named after a place, inside the place named next
    return [m for i, m in enumerate(kept) if not (_NAMED_AREA.match(text, m.span.end) and i + 1 < len(kept)
                                                  and 0 <= kept[i + 1].span.start - m.span.end <= 30)]


_NAMED_AREA = re.compile(r"[ \t]+[A-Z][a-z]+[ \t]+(?:area|neighbou?rhood|locality|quarter|mohalla)[ \t]+of[ \t]")


def find_demonyms(text: str, key: str, lexicon: Lexicon) -> list[CountryMention]:
    def accept(start, end, payloads):
        return payloads if text[start].isupper() else ()

    return [CountryMention(codes[0], Span(s, e), text[s:e]) for s, e, codes in lexicon.demonym_index.find(key, accept)]


def _joins(text: str, end: int, next_start: int) -> bool:
    return next_start - end <= 25 and bool(_JOIN_TO_PARENT.match(text[end:next_start]))


_KIND_BEFORE = re.compile(r"\b(district|province|city|town|agency|region)\s+of\s+$", re.IGNORECASE)


def _kind_hint(text: str, start: int, end: int) -> str | None:
    """'Mastung district', 'province of Farah': the kind of place the text says it is."""
    word = _KIND_WORD.match(text, end) or _KIND_BEFORE.search(text[max(0, start - 20) : start])
    # .get: ignoring case also matches 'cİty', whose lower case ('ci̇ty', a dot above) names no kind
    return _KIND_FOR_WORD.get(word.group(1).lower()) if word else None


def _score(place: PlaceRef, candidates, parent: PlaceMention | None, kind_hint: str | None,
           countries_named: set[str], lexicon: Lexicon) -> float:
    score = {"country": 50.0, "province": 40.0, "city": 30.0, "district": 28.0}.get(place.kind, 0.0)
    if place.kind == "city":
        score += math.log10(1 + lexicon.population.get(place.gazetteer_id, 0))
        # A bare "Kabul" or "Kunduz" is the city, not the province named after it.
        if any(c.kind in ("province", "district") and place.within(c) for c in candidates):
            score += 15
    if parent is not None and place.gazetteer_id != parent.place.gazetteer_id and place.within(parent.place):
        score += 100
    if kind_hint is not None and place.kind == kind_hint:
        score += 30
    if place.country in countries_named:
        score += 15
    if place.country in FOCUS_COUNTRIES:
        score += 10
    return score
