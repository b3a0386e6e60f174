"""Public figures: names from the catalog, or names that carry a public title in the text.

Private persons are not extracted: a bare name with no public role never reaches the output.
"""

from __future__ import annotations

import re

from jirga.model import PersonRef, Span
from jirga.reference.lexicon import Lexicon

_TITLE = (
    r"(?:President|Vice President|Prime Minister|(?:Deputy\s+)?(?:Foreign|Interior|Defen[cs]e|Home|Information)\s+"
    r"Minister|Minister(?:\s+of\s+[A-Z]\w+)?|Foreign\s+Secretary|Interior\s+Secretary|Secretary(?:-General)?"
    r"|Director(?:-General|\s+General)?|[Dd]irector|Chief\s+Minister|Chief\s+of\s+Army\s+Staff|Army\s+Chief"
    r"|(?:Lt\.?|Lieutenant|Maj\.?|Major)\s+Gen(?:eral|\.)?|General|Gen\.?|Brigadier|(?:Rear\s+|Vice\s+)?Admiral"
    r"|Ambassador|Governor|Inspector\s+General|IGP|[Ss]pokes(?:man|person|woman)|[Cc]ommander|Senator|Mayor"
    r"|Chairman|Speaker|National\s+Security\s+Advis[eo]r|NSA|[Ee]nvoy|Special\s+Representative|Mufti|Maulana"
    r"|Mullah|Emir|[Cc]hief)"
)
_NAME = r"[A-Z][a-z'’]+(?:-[A-Z]?[a-z'’]+)?(?:\s+(?:al-|ul-|ud-)?[A-Z][a-z'’]+(?:-[A-Z]?[a-z'’]+)?){1,3}"
_TITLED = re.compile(rf"\b(?P<title>{_TITLE})\.?(?:\s+\(r\))?\s+(?P<name>{_NAME})")
# "Balochistan's home minister, Sarfraz Bugti, said": the title before the name, set off by commas
_APPOSITIVE = re.compile(rf"\b(?:minister|spokes(?:man|person|woman)|chief|commander|governor|secretary|ambassador"
                         rf"|envoy|director|president|adviser|advisor|leader|emir)\s*,\s*(?P<name>{_NAME})\s*,")
_TITLE_WORDS_BEFORE = re.compile(r"(?<![\w'’])(?:[a-z-]+\s+){0,2}$")
_NOT_A_NAME = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday"
    r"|Wednesday|Thursday|Friday|Saturday|Sunday|Minister|Secretary|Council|Ministry|Office|Police|Army|Force"
    r"|Forces|Agency|Service|Department|Committee|Government|Province|District|Party|Security|Staff|General"
    r"|Intelligence|Islamic|State|Republic|Federation|Foreign|Affairs|National|Assembly|University|Hospital"
    r"|Lt|Gen|Col|Maj|Brig|Admiral|Rear|Director|Chief|Deputy|President|Prime|Commander|Governor|Senator)\b"
)


def find_people(text: str, key: str, lexicon: Lexicon, masked: list[Span]) -> list[PersonRef]:
    people = []
    for start, end, payloads in lexicon.person_index.find(key, _capitalised(text)):
        person = payloads[0]
        people.append(PersonRef(person.name, person.role, person.country or "", person.actor or "",
                                text[start:end], Span(start, end)))
    taken = [p.span for p in people] + masked
    for match in [*_TITLED.finditer(text), *_APPOSITIVE.finditer(text)]:
        span = Span(match.start("name"), match.end("name"))
        name = match.group("name")
        if _NOT_A_NAME.search(name) or any(t.overlaps(span) for t in taken):
            continue
        people.append(PersonRef(name, _title(text, match), "", "", name, span))
        taken.append(span)
    people.sort(key=lambda p: p.span.start)
    return people


def _capitalised(text: str):
    def accept(start, end, payloads):
        return payloads if text[start].isupper() else ()

    return accept


def _title(text: str, match: re.Match) -> str:
    if "title" in match.groupdict():
        return match.group("title")
    word_end = text.index(",", match.start())
    lead = _TITLE_WORDS_BEFORE.search(text, max(0, match.start() - 30), match.start())
    return text[lead.start() if lead else match.start() : word_end].strip()
