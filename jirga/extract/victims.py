"""Victim lists: "two policemen and four assailants were killed", "killing a soldier and six militants".

A toll given as parts is one count, their sum (every death tied to the incident, attackers included, as GTD's
nkill and ACLED's fatalities count it), and each part says who the victims were: civilians, security forces or
militants, the categories UCDP, ACLED and Pakistan's security monitors report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jirga.extract.numbers import spelled_value
from jirga.model import Figure, Span

_NOUNS = {
    "security_forces": r"policem[ae]n|police\s+(?:officers?|officials?|personnel|constables?)|constables?|soldiers?"
                       r"|troops|security\s+(?:personnel|officials?|men|guards?)|(?:border\s+)?guards?|officers?"
                       r"|personnel|sepoys?|rangers|commandos|paramilitar\w+|levies|jawans?|cops?|servicem[ae]n",
    "militants": r"militants?|terrorists?|attackers?|assailants?|insurgents?|(?:suicide\s+)?bombers?|gunm[ae]n"
                 r"|fighters?|rebels?|miscreants?|jihadists?|raiders?",
    "civilians": r"civilians?|wom[ae]n|child(?:ren)?|girls?|boys?|students?|worshippers?|pilgrims?|passengers?"
                 r"|labou?rers?|workers?|residents?|journalists?|minors?|family\s+members|relatives|villagers?"
                 r"|tourists?|shoppers?|bystanders?|teachers?|doctors?|nurses?|cyclists?|foreigners?|nationals"
                 r"|Americans?|Britons?|Chinese|Japanese|Italians?|Germans?|(?:Dutch|French|English|Irish)m[ae]n",
    "": r"people|persons?|others|m[ae]n|victims|individuals",
}
_NOUN = "|".join(f"(?P<n_{name or 'any'}>{pattern})" for name, pattern in _NOUNS.items())
VICTIM_NOUNS = "|".join(_NOUNS.values())
_NUMBER_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
                 r"|sixteen|seventeen|eighteen|nineteen"
                 r"|twenty(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?")
_GROUP = re.compile(
    rf"\b(?P<qualifier>at\s+least\s+|more\s+than\s+|over\s+)?(?P<count>(?!(?:19|20)\d\d\b)\d{{1,4}}|{_NUMBER_WORDS}|an?)\s+"
    # "15 of the militants" is a group; "132 of them children" is part of one
    rf"(?!of\s+(?:them|whom|those|these)\b)(?:(?!and\b|or\b|killed\b|were\b|was\b|\d)[\w'-]+\s+){{0,2}}?(?:{_NOUN})\b",
    re.IGNORECASE,
)
_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+|as\s+well\s+as\s+|along\s+with\s+|besides\s+|plus\s+)\s*$",
                   re.IGNORECASE)
_VERB_AFTER = re.compile(r"\s*,?\s*(?:(?:who|were|was|have|has|had|been|are|also|reportedly|all)\s+){0,4}"
                         r"(?:(?P<kill>killed|died|dead|martyred|slain|lost\s+their\s+lives|perished)"
                         r"|(?P<hurt>injured|wounded|hurt))\b", re.IGNORECASE)
_VERB_BEFORE = re.compile(r"(?:(?P<kill>\bkill(?:ed|ing)|\bleft|\bleaving|\bclaimed\s+the\s+lives\s+of)"
                          r"|(?P<hurt>\binjur(?:ed|ing)|\bwound(?:ed|ing)))\s+$", re.IGNORECASE)
# "Four people, including two policemen", "141 people, 132 of them children": a part of a count told before it.
PART_OF = re.compile(r"\b(?:including|among\s+them|among\s+whom|of\s+whom|of\s+them|mostly|mainly)\s*"
                     r"(?:at\s+least\s+|more\s+than\s+|some\s+|about\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class VictimList:
    which: str  # killed | injured
    total: Figure  # the parts added up, spanning the whole list
    parts: tuple[tuple[str, Figure], ...]  # (category or "", count)
    breakdown: bool  # "Four people, including two policemen and a woman": parts of a total given before


def find_victim_lists(text: str, start: int, end: int) -> list[VictimList]:
    """Lists of two or more counted victim groups between start and end, tied to a killing or wounding verb."""
    groups = list(_GROUP.finditer(text, start, end))
    found, i = [], 0
    while i < len(groups):
        chain = [groups[i]]
        while i + 1 < len(groups) and _JOIN.match(text[chain[-1].end() : groups[i + 1].start()]) and \
                groups[i + 1].start() - chain[-1].end() < 20:
            i += 1
            chain.append(groups[i])
        i += 1
        if len(chain) < 2:
            continue
        after = _VERB_AFTER.match(text, chain[-1].end(), end)
        before = _VERB_BEFORE.search(text, max(start, chain[0].start() - 25), chain[0].start())
        verb = after or before
        if verb is None:
            continue
        which = "killed" if verb.group("kill") else "injured"
        parts = tuple((_category(m), _count(m)) for m in chain)
        qualifier = "at_least" if any(m.group("qualifier") for m in chain) else None
        value = sum(f.best for _, f in parts)
        span = Span(chain[0].start(), chain[-1].end())
        total = Figure(value, value, None if qualifier else value, qualifier, text[span.start : span.end], span)
        breakdown = bool(PART_OF.search(text, max(start, chain[0].start() - 20), chain[0].start()))
        found.append(VictimList(which, total, parts, breakdown))
    return found


def _category(match: re.Match) -> str:
    for name in _NOUNS:
        if match.group(f"n_{name or 'any'}"):
            return name
    return ""


def _count(match: re.Match) -> Figure:
    word = match.group("count").lower()
    value = int(word) if word.isdigit() else 1 if word in ("a", "an") else spelled_value(word)
    span = Span(match.start("count"), match.end())
    return Figure(value, value, value, None, match.group(), span)


_ONE = (r"chief|commander|officer|policeman|soldier|guard|journalist|leader|official|governor|judge|cleric|scholar"
        r"|child|woman|man|girl|boy|student|worker|driver|civilian|bystander|constable|lawmaker|politician|minister"
        r"|mayor|elder|bomber|attacker|assailant|gunman|militant|sentry|passer-by|shopkeeper|teacher|doctor|person"
        r"|resident|youth|villager|pilgrim|worshipper|passenger|labourer|farmer|trader|journalist|lawyer")
_SINGLE = re.compile(
    rf"\b(?:kill(?:s|ed|ing)|shot\s+dead|gunned\s+down|assassinat(?:es|ed|ing))\s+(?:him|her"
    rf"|(?:an?\s+|the\s+|one\s+)?(?:[\w'-]+\s+){{0,3}}?(?:{_ONE})\b(?!\s*(?:,|and\b|along\b|as\s+well\b|'s)))"
    rf"|\b(?:the|an?)\s+(?:[\w'-]+\s+){{0,3}}?(?:{_ONE})\s+(?:(?:has|had|was|is)\s+(?:been\s+)?(?:killed|martyred"
    rf"|slain|shot\s+dead)|(?:has\s+|had\s+)?died|(?:was|is)\s+dead|(?:has\s+|had\s+)?embraced\s+martyrdom)\b",
    re.IGNORECASE,
)


_SINGLE_HURT = re.compile(rf"\b(?:an?)\s+(?:[\w'-]+\s+){{0,3}}?(?:{_ONE})\s+(?:was|is|has\s+been)\s+(?:also\s+)?"
                          r"(?:injured|wounded|hurt)\b", re.IGNORECASE)


def find_single_victims(text: str, start: int, end: int, pattern: re.Pattern = _SINGLE) -> list[Figure]:
    """'killing him', 'kills police chief', 'the driver died': one death, told without a number."""
    found = []
    for match in pattern.finditer(text, start, end):
        if PART_OF.search(text, max(start, match.start() - 20), match.start()):
            continue
        span = Span(match.start(), match.end())
        found.append(Figure(1, 1, 1, None, match.group(), span))
    return found


def find_single_injured(text: str, start: int, end: int) -> list[Figure]:
    """'a security official was injured': one wounded, told without a number."""
    return find_single_victims(text, start, end, _SINGLE_HURT)


_WITH_OTHERS = re.compile(
    rf"\b(?:along\s+with|together\s+with|and)\s+(?P<count>\d{{1,4}}|{_NUMBER_WORDS})\s+(?:other|more|of\s+(?:his|her"
    rf"|their)|(?:[\w'-]+\s+)?(?:colleagues|companions|relatives|family\s+members|guards|bodyguards))\b",
    re.IGNORECASE,
)


def find_named_with_others(text: str, start: int, end: int) -> list[tuple[str, Figure]]:
    """'DIG Hamid Shakeel and two other police officials were martyred', 'the officer along with three of his
    family members were killed': someone named, plus the count."""
    found = []
    for match in _WITH_OTHERS.finditer(text, start, end):
        verb = _VERB_AFTER.match(text, _noun_end(text, match.end(), end), end)
        if verb is None:
            continue
        word = match.group("count").lower()
        value = (int(word) if word.isdigit() else spelled_value(word)) + 1
        span = Span(match.start("count"), match.end())
        found.append(("killed" if verb.group("kill") else "injured",
                      Figure(value, value, value, None, text[span.start : span.end], span)))
    return found


def _noun_end(text: str, position: int, end: int) -> int:
    """Past the rest of the victims' noun phrase: 'other police officials', 'of his family members'."""
    rest = re.match(r"(?:\s+[\w'-]+){0,3}?(?=\s*,?\s*(?:who\s+|were\b|was\b|have\b|had\b|also\b|all\b"
                    r"|killed|died|martyred|injured|wounded))", text[position:end])
    return position + (rest.end() if rest else 0)


_ATTACKER = re.compile(rf"^\W*(?:[\w'-]+\s+){{0,3}}?(?:{_NOUNS['militants']})\b(?!\s+(?:were\s+)?(?:arrested|detained"
                       r"|captured|held))", re.IGNORECASE)
_SELF_DETONATION = re.compile(r"\bblew\s+(?:himself|herself)\s+up|\b(?:detonated|set\s+off|triggered)\s+(?:his|her)\s+"
                              r"(?:own\s+)?(?:suicide\s+|explosives?[- ]laden\s+)?"
                              r"(?:vest|explosives?|jacket|belt|device|bomb|car|vehicle|truck)", re.IGNORECASE)


def is_attacker(words: str) -> bool:
    """Whether the victims a count or phrase names are the attackers: 'four attackers', 'the bomber died'."""
    return bool(_ATTACKER.match(words))


def find_self_detonations(text: str, start: int, end: int) -> list[Figure]:
    """'a suicide bomber blew himself up': the bomber's own death, one."""
    found = []
    for match in _SELF_DETONATION.finditer(text, start, end):
        span = Span(match.start(), match.end())
        found.append(Figure(1, 1, 1, None, match.group(), span))
    return found[:1]
