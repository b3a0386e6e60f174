"""Which counts in a passage are the dead and which the injured."""

from __future__ import annotations

import re

from jirga.extract.numbers import Quantity
from jirga.extract.victims import PART_OF, VICTIM_NOUNS
from jirga.model import Figure, Span

_KILL = (r"killed|dead|died|lost\s+their\s+lives|martyred|slain|perished|lifeless|fatalities|deaths"
         r"|embraced\s+(?:martyrdom|shahadat)")
_HURT = r"injured|wounded|hurt|injuries|maimed"
_VICTIM = (r"(?:(?-i:[A-Z]{2,6})|people|persons|civilians|worshippers|students|children|policemen|police(?:men)?"
           r"|soldiers|security"
           r"|personnel|others|more|of\s+them|militants|cadets|pilgrims|passengers|troops|guards|officers|members"
           r"|men|women|labourers|workers|devotees|recruits|trainees|guests|staff|teachers|foreigners|tourists"
           r"|Afghans|Pakistanis|Americans|Chinese|U\.?S\.?|American|service\s*members|Shias?|Hazaras?|others"
           r"|were|at|the|mostly|including|all|of|whom|them|most|nationals|cyclists|bystanders|victims|terrorists"
           r"|attackers|assailants|gunmen|insurgents|bombers|fighters|rebels|miscreants|suspected|alleged|armed"
           r"|passers-?by)")
_AFTER = re.compile(
    rf"^\s*(?:{_VICTIM}[\s,]+){{0,5}}(?:(?:were|was|have\s+been|had\s+been|are|is|being|got)\s+)?(?:also\s+)?"
    rf"(?:(?P<kill>{_KILL})|(?P<hurt>{_HURT}|(?:being\s+)?treated\s+for\s+(?:wounds|injuries)"
    rf"|(?:sustained|suffered|received)\s+(?:[\w-]+\s+)?(?:injuries|wounds)))\b",
    re.IGNORECASE,
)
_LOOSE_AFTER = re.compile(
    rf"^(?:(?!\b(?:and\s+that|but|while|whereas|although)\b)[^.;\d]){{0,60}}?\b(?:were|was|have\s+been|had\s+been)\s+"
    rf"(?:\w+\s+)?(?:(?P<kill>{_KILL})|(?P<hurt>{_HURT}))\b",
    re.IGNORECASE,
)
_BEFORE = re.compile(
    r"(?:(?P<kill>\bkill(?:ed|ing|s)?|shot\s+dead|gunned\s+down|claimed\s+the\s+lives\s+of|(?:death\s+)?toll\s+(?:\w+\s+){0,3}(?:to|at|of)"
    r"|taking\s+the\s+toll\s+to|lives\s+of|(?:death\s+)?toll\s+(?:had\s+|has\s+)?(?:passed|exceeded|topped|crossed|surpassed)"
    r"|(?:rose|climbed|jumped|risen|reached|revised|lowered|lowering|cut|settling|settled)\s+"
    r"(?:\w+\s+)?(?:to|at)|number\s+of\s+(?:the\s+)?dead\s+(?:\w+\s+){0,2}(?:to|at)?|and\s+the\s+dead\s+at"
    r"|bodies\s+of|(?:put|puts|putting|placed|gave|give|giving|gives)\s+(?:the\s+|a\s+)?(?:death\s+)?(?:toll|number|figure)"
    r"\s+(?:of\s+(?:the\s+dead|(?:[\w-]+\s+){0,3}?(?:killed|dead))\s+)?(?:at|of|as)|spoke\s+of|spoken\s+of)"
    r"|(?P<hurt>\binjur(?:ed|ing|es)|\bwound(?:ed|ing|s)?|\bhurting|number\s+of\s+(?:the\s+)?(?:injured|wounded)"
    r"\s+(?:\w+\s+){0,2}(?:to|at)?))\s*(?:nearly\s+|at\s+least\s+|over\s+|more\s+than\s+|some\s+|about\s+)?$",
    re.IGNORECASE,
)
_NOT_A_TOLL = re.compile(
    r"^\s*(?:%|percent|per\s+cent|km|kilomet|kg|kilogram|years?\b|year-old|hours?|minutes?|days?|weeks?|months?"
    r"|rupees|dollars|million|billion|times|feet|metres|meters|miles|militants?\s+(?:were\s+)?(?:arrested|detained)"
    r"|suspects|runs|wickets|overs|goals|points|of\s+(?:them|the|those|whom)\b)",
    re.IGNORECASE,
)


_UPDATE = re.compile(r"\b(?:rose|risen|rising|climbed|jumped|reached|revised|raised|lowered|lowering|cut|settl\w+|grown"
                     r"|grew|increased|put\s+the\s+(?:number|toll|figure)|now|final)\b[^.;\d]{0,25}$", re.IGNORECASE)
# "lowered the death toll from Monday's bombing at a mosque in Peshawar to 84": a revision told at length
_LOWERED_TO = re.compile(r"\b(?:lowered|raised|revised|cut|corrected)\s+(?:the|its)\s+(?:death\s+)?toll\b[^.;\d]{0,160}"
                         r"\bto\s*$", re.IGNORECASE)
_CORRECTED = re.compile(r"\b(?:lowered|revised\s+down|corrected|cut)\b[^.;\d]{0,25}$", re.IGNORECASE)
_UPDATE_TO = re.compile(r"\b(?:(?:rose|risen|rising|climbed|jumped|reached|grown|grew|increased|revised|lowered"
                        r"|lowering|cut|settl\w+)\s+(?:\w+\s+)?(?:to|at)|reached|hit|stood\s+at)"
                        r"\s*(?:some\s+|nearly\s+|about\s+)?$",
                        re.IGNORECASE)
_SUPERSEDED = re.compile(r"(?:\b(?:first|initially|initial|earlier|at\s+first|at\s+one\s+point|preliminary"
                         r"|had\s+(?:spoken|put|given|reported|said))\b[^.;]{0,60}|\b(?:raising|up\s+from|revised\s+from)\s+(?:the\s+)?(?:toll|"
                         r"figure|number)?\s*(?:of\s+)?)$", re.IGNORECASE)
_LAST_CASUALTY_WORD = re.compile(
    rf"(?:(?P<kill>{_KILL}|death\s+toll|toll|dead)|(?P<hurt>{_HURT}))(?!.*(?:{_KILL}|{_HURT}|toll))",
    re.IGNORECASE | re.DOTALL)


_KILLED_OR_HURT = re.compile(rf"\s*(?:[\w'-]+\s+){{0,4}}?(?:{_KILL}|{_HURT})\s+(?:or|and)\s+(?:{_KILL}|{_HURT})\b"
                             r"(?!\s+(?:at\s+least\s+|more\s+than\s+|over\s+|nearly\s+|about\s+|some\s+)?"
                             r"(?:\d|an?\b|one|two|three|four|five|six|seven|eight|nine|ten|dozens|scores|hundreds))",
                             re.IGNORECASE)
_CLAIMED_COUNT = re.compile(r"\bclaim(?:ed|s|ing)\s+(?:that\s+)?$", re.IGNORECASE)
# "five Iranian border guards died": a count, a few words of description, a victim noun, a casualty verb.
_DESCRIBED_AFTER = re.compile(
    rf"\s*(?:[A-Za-z][\w'-]*\s+){{0,3}}?(?:{VICTIM_NOUNS})\s+(?:(?:were|was|have|has|had|been|also|reportedly)\s+)*"
    rf"(?:(?P<kill>{_KILL})|(?P<hurt>{_HURT}))\b", re.IGNORECASE)


def classify(text: str, quantity: Quantity, window_start: int) -> str | None:
    """'killed', 'injured' or None for a count, from the words just before and after it."""
    start, end = quantity.span.start, quantity.span.end
    after = text[end : end + 90]
    before = text[max(window_start, start - 60) : start]
    partitive = re.match(r"\s*of\s+(?:them|the|those|whom)\b", after)
    if partitive and re.search(r"\b(?:kill(?:ed|ing)|wound(?:ed|ing)|injur(?:ed|ing))\s+$", before):
        return "killed" if "kill" in before[-12:] else "injured"  # "killing 27 of them"
    if _NOT_A_TOLL.match(after):
        return None
    if _KILLED_OR_HURT.match(after):  # "16 people have been killed or wounded": the two counts in one
        return None
    if _CLAIMED_COUNT.search(before):  # "the group claimed 100 policemen had been killed": the claimant's number
        return None
    # "shot all four of them dead": the attackers, counted already; "killing all four" counts the victims
    if re.search(r"\b(?:other|remaining)\s+$", before) or (re.search(r"\ball\s+$", before)
                                                              and re.match(r"\s*of\s+them\b", after)):
        return None
    if PART_OF.search(before):
        return None  # "four people, including two policemen": part of a count, not another one
    if _LOWERED_TO.search(text[max(window_start, start - 200) : start]):  # "lowered the death toll from ... to 84"
        return "killed"
    if _UPDATE_TO.search(before):  # "the number of wounded ... had grown to some 40": whatever was counted
        counted = _LAST_CASUALTY_WORD.search(text[max(window_start, start - 150) : start])
        if counted:
            return "killed" if counted.group("kill") else "injured"
    for pattern, passage in ((_AFTER, after), (_BEFORE, before), (_LOOSE_AFTER, after), (_DESCRIBED_AFTER, after)):
        match = pattern.search(passage) if pattern is _BEFORE else pattern.match(passage)
        if match:
            return "killed" if match.group("kill") else "injured"
    return None


def combine(figures: list[Figure], text: str) -> Figure | None:
    """One figure from a report's successive statements: the latest update as best, the spread as low/high.

    A count the text marks as revised ('rose to 62', 'put the number at 21') wins over the rest; one it marks
    as superseded ('officials first spoke of 19') loses; otherwise the largest wins."""
    if not figures:
        return None
    if len(figures) == 1:
        return figures[0]

    def weight(f: Figure) -> int:
        before = text[max(0, f.span.start - 80) : f.span.start] if f.span else ""
        if f.span and (_LOWERED_TO.search(text[max(0, f.span.start - 200) : f.span.start])
                       or _CORRECTED.search(before)):
            return 3  # a correction replaces every count before it, rises included
        if _UPDATE.search(before):
            return 2
        return 0 if _SUPERSEDED.search(before) else 1

    # Among counts the text does not mark, the largest: tolls rise, and smaller ones are parts ("bodies of three")
    best = max(enumerate(figures), key=lambda item: (weight(item[1]), item[1].best or 0, item[0]))[1]
    lows = [f.low if f.low is not None else f.best for f in figures]
    open_ended = any(f.high is None and f.qualifier in ("over", "at_least", "vague") for f in figures)
    highs = [f.high if f.high is not None else f.best for f in figures]
    high = None if open_ended else max((v for v in highs if v is not None), default=None)
    return Figure(min((v for v in lows if v is not None), default=None), best.best, high, best.qualifier, best.text,
                  best.span)


def spans_of(figures: list[Figure]) -> tuple[Span, ...]:
    return tuple(f.span for f in figures if f.span)



_OFFICIAL = re.compile(r"\b(?:officials?|authorit(?:y|ies)|ministry|minister|government|police"
                       r"|spokes(?:man|woman|person)|military|army|ISPR|governor|provincial|health\s+department"
                       r"|interior)\b", re.IGNORECASE)


def marks(figure: Figure, text: str) -> dict[str, bool]:
    """What the text says about a count, for the consensus across reports (store.claims keeps it on the claim):
    a revision ('rose to 62', 'officials lowered the toll to 84'), official when an authority gives it; superseded
    ('officials first spoke of 19'); a subset of the total ('including 13 soldiers'). The same wordings `combine`
    weighs within one report; reading them changes nothing that is extracted."""
    if figure.span is None:
        return {}
    before = text[max(0, figure.span.start - 80) : figure.span.start]
    found = {"revision": bool(_UPDATE.search(before)), "superseded": bool(_SUPERSEDED.search(before)),
             "subset": bool(PART_OF.search(before))}
    if found["revision"]:  # who revised it: the words before the count, or the attribution after it, in its sentence
        start = max(before.rfind("."), before.rfind("\n")) + 1
        after = re.split(r"[.;\n]", text[figure.span.end : figure.span.end + 80])[0]
        found["official"] = bool(_OFFICIAL.search(before[start:]) or _OFFICIAL.search(after))
    return {name: True for name, value in found.items() if value}
