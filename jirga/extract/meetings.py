"""Meetings and visits: who met (countries and public figures), where, when, about which groups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jirga.extract import vocabulary as vocab
from jirga.extract.document import Document, split_point
from jirga.extract.layout import HEADLINE
from jirga.extract.places import PlaceMention
from jirga.model import DateRange, Meeting, PersonRef, Span

_LOCATIVE = re.compile(r"\b(?:in|at|held\s+in|hosted\s+in|hosted\s+by)\s+(?:the\s+)?$", re.IGNORECASE)
_DEFINITE = re.compile(r"\b(?:the|this|that|its|these|those)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_SPEAKER = re.compile(r"^[\s,]*(?:\w+\s+){0,1}(?:told|said|says|stated|announced|tweeted)\b", re.IGNORECASE)
_OCCASION = re.compile(r"\b(?:on\s+that\s+occasion|at\s+the\s+(?:meeting|talks|session|summit)|during\s+the\s+"
                       r"(?:meeting|talks|visit|session)|on\s+the\s+sidelines)\b", re.IGNORECASE)
_NAME_WORDS = re.compile(r"(?:(?:inaugural|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
                         r"|\d+(?:st|nd|rd|th)|trilateral|quadrilateral|bilateral|annual|political|ministerial|security|strategic|"
                         r"high-level|consultative|joint|regional|foreign\s+ministers'?|[A-Z][\w-]+)\s+){1,4}$")
_CONTINUATION_REACH = 2
# A country speaking at a meeting: "India focused on", "Russia, Uzbekistan and Turkmenistan called for".
_SPOKE = re.compile(r"(?:\s*(?:,|and)\s*[A-Z][a-z]+)*\s+(?:also\s+|reportedly\s+)?"
                    r"(?:highlighted|mentioned|pointed\s+out|called\s+for|focused\s+on|raised|stressed|urged|proposed|underlined|emphasi[sz]ed|noted"
                    r"|expressed|voiced|insisted)\b")
# Bodies whose meetings bring partners together even when the text names no two countries.
_INTERNATIONAL = {"un", "sco", "qccm", "nato"}
_ATTENDED = re.compile(r"\b(?:attended|attending|took\s+part|participated|joined|delegations?\s+from|envoys\s+from"
                       r"|represented|were\s+present|led\s+by|headed\s+by|chaired\s+by|opened|hosted|opening\s+the)\b",
                       re.IGNORECASE)


@dataclass
class MeetingMention:
    kind: str  # meeting | visit
    sentence: int
    trigger: Span
    definite: bool
    place: PlaceMention | None
    date: DateRange | None
    participants: list[tuple[str, Span]] = field(default_factory=list)
    people: list[PersonRef] = field(default_factory=list)
    groups: list[tuple[str, Span]] = field(default_factory=list)
    name: tuple[str, Span] | None = None
    organisations: list[str] = field(default_factory=list)  # SCO, QCCM ...: a meeting between partners


def find_meetings(doc: Document) -> list[Meeting]:
    meetings: list[list[MeetingMention]] = []
    headline: list[MeetingMention] = []
    for index, sentence in enumerate(doc.sentences):
        mentions = _mentions_in(doc, index, sentence)
        if not mentions:
            _continue_meeting(doc, meetings, index, sentence)
        for mention in mentions:
            if doc.layout is not None and doc.layout.role(index) == HEADLINE and mention.place is None:
                headline.append(mention)  # "Tajik capital hosts the dialogue": the lead says where
                continue
            if mention.place is None and doc.dateline and not meetings and mention.kind == "meeting":
                mention.place = doc.dateline  # "MOSCOW - Russia brought ... together": filed from where it met
            _place_mention(meetings, mention)
    for mention in headline:
        lead = next((group for group in meetings if group[0].kind == mention.kind), None)
        if lead is not None:
            lead.append(mention)
        else:
            _place_mention(meetings, mention)
    return [_meeting(doc, n, group) for n, group in enumerate(meetings, 1)]


def _mentions_in(doc: Document, index: int, sentence: Span) -> list[MeetingMention]:
    """At most one meeting and one visit per sentence, each with its own part of the sentence."""
    text = doc.text
    triggers = []
    for kind, pattern in (("meeting", vocab.MEETING_TRIGGER), ("visit", vocab.VISIT_TRIGGER)):
        for match in doc.matches(pattern, sentence):
            before = text[max(sentence.start, match.start() - 40) : match.start()]
            word = match.group().lower()
            if vocab.FUTURE_MEETING.search(before) or (word.endswith("s") and word not in ("talks", "consultations")):
                continue
            if vocab.NOT_A_MEETING.match(text, max(sentence.start, match.start() - 10)) or vocab.NOT_A_MEETING.search(
                    text, max(sentence.start, match.start() - 15), match.end()):
                continue
            triggers.append((Span(match.start(), match.end()), kind))
            break
    # Attack and operation words bound the meeting's part of the sentence: "The talks took place days after
    # last week's bombing in Kandahar" did not meet in Kandahar.
    for pattern in (vocab.ATTACK_TRIGGER, vocab.OPERATION_TRIGGER):
        triggers += [(Span(m.start(), m.end()), "other") for m in doc.matches(pattern, sentence)]
    triggers.sort()
    mentions = []
    for i, (trigger, kind) in enumerate(triggers):
        if kind == "other":
            continue
        left = sentence.start if i == 0 else split_point(text, triggers[i - 1][0].end, trigger.start)
        right = sentence.end if i == len(triggers) - 1 else split_point(text, trigger.end, triggers[i + 1][0].start)
        segment = Span(left, right)
        people = [p for p in doc.within(doc.people, segment) if not _SPEAKER.match(text[p.span.end :])]
        if kind == "visit" and not people:
            continue
        mentions.append(_build(doc, kind, index, segment, trigger, people))
    return mentions


def _build(doc: Document, kind: str, index: int, sentence: Span, trigger: Span, people: list[PersonRef]):
    text = doc.text
    places = doc.within(doc.places, sentence)
    locative = [p for p in places if _LOCATIVE.search(text[max(sentence.start, p.span.start - 15) : p.span.start])]
    if kind == "visit":
        locative = [p for p in places if re.search(r"\bto\s+$", text[max(0, p.span.start - 5) : p.span.start])]
    place = max(locative, key=lambda p: (3 if p.place.kind in ("city", "district") else 2 if p.place.kind == "province"
                                         else 1, -p.span.start), default=None)
    located = {p.span for p in locative}
    participants = [(p.place.country, p.span) for p in places if p.place.kind == "country" and p.span not in located]
    participants += [(d.country, d.span) for d in doc.within(doc.demonyms, sentence)]
    participants += [(p.country, p.span) for p in people if p.country]
    dates = doc.within(doc.dates, sentence)
    date = min(dates, key=lambda d: abs(d.span.start - trigger.start)) if dates else None
    groups = [(a.name, a.span) for a in doc.groups(sentence)]
    name = _name(doc, sentence, trigger)
    organisations = [a.name for a in doc.within(doc.actors, sentence) if a.id in _INTERNATIONAL]
    definite = bool(_DEFINITE.search(text[max(sentence.start, trigger.start - 40) : trigger.start]))
    return MeetingMention(kind, index, trigger, definite, place, date, participants, people, groups, name,
                          organisations)


def _name(doc: Document, sentence: Span, trigger: Span) -> tuple[str, Span] | None:
    text = doc.text
    words = _NAME_WORDS.search(text[max(sentence.start, trigger.start - 60) : trigger.start])
    start = trigger.start - len(words.group()) if words else trigger.start
    orgs = [a for a in doc.within(doc.actors, sentence) if a.kind == "organisation"]
    name = text[start : trigger.end]
    if orgs and orgs[0].name.lower() not in name.lower():
        name = f"{orgs[0].name}, {name}"
    return (name, Span(start, trigger.end)) if name else None


def _place_mention(meetings: list[list[MeetingMention]], mention: MeetingMention) -> None:
    same_kind = [m for m in meetings if m[0].kind == mention.kind]
    if mention.place is not None:
        for group in reversed(same_kind):
            place = _place_of(group)
            if place and _same_place(place, mention.place) and _dates_agree(group, mention):
                group.append(mention)
                return
    recent = same_kind[-1] if same_kind else None
    shared_people = recent and {p.name for m in recent for p in m.people} & {p.name for p in mention.people}
    if recent and mention.kind == "visit" and shared_people and mention.place is None:
        recent.append(mention)
        return
    # A report tells one meeting over several sentences unless a new place or date says otherwise.
    if recent and mention.place is None and mention.sentence - recent[-1].sentence <= 8 and _dates_agree(recent,
                                                                                                          mention):
        recent.append(mention)
        return
    # "In the meeting, India focused on ...": the meeting just told, whatever country the sentence names
    if recent and mention.definite and mention.sentence - recent[-1].sentence <= 8 and _dates_agree(recent, mention) \
            and (_place_of(recent) is None or mention.place is None
                 or (mention.place.place.kind == "country" and mention.date is None)):
        mention.place = None
        recent.append(mention)
        return
    countries = {c for c, _ in mention.participants}
    if len(countries) >= 2 or mention.organisations or (mention.kind == "visit" and mention.people):
        meetings.append([mention])


def _continue_meeting(doc: Document, meetings, index: int, sentence: Span) -> None:
    """The sentences after a meeting: who attended ('envoys from China, Pakistan and Iran attended'), and the
    people present 'on that occasion'."""
    if not meetings or index - meetings[-1][-1].sentence > _CONTINUATION_REACH:
        return
    text = doc.text
    people = [p for p in doc.within(doc.people, sentence) if not _SPEAKER.match(text[p.span.end :])]
    participants: list[tuple[str, Span]] = []
    speaking = [p for p in doc.within(doc.places, sentence) if p.place.kind == "country"
                and _SPOKE.match(text, p.span.end)]
    if len(speaking) >= 2:  # "Kazakhstan highlighted ..., Tajikistan mentioned ...": the delegations' positions
        participants = [(p.place.country, p.span) for p in speaking]
    elif _ATTENDED.search(text, sentence.start, sentence.end):
        located = [p for p in doc.within(doc.places, sentence) if _LOCATIVE.search(text[max(0, p.span.start - 15):
                                                                                         p.span.start])]
        participants = [(p.place.country, p.span) for p in doc.within(doc.places, sentence)
                        if p.place.kind == "country" and p not in located]
        participants += [(d.country, d.span) for d in doc.within(doc.demonyms, sentence)]
    elif not (_OCCASION.search(text, sentence.start, sentence.end) and people):
        return
    participants += [(p.country, p.span) for p in people if p.country]
    if participants or people:
        meetings[-1].append(MeetingMention(meetings[-1][0].kind, index, Span(sentence.start, sentence.start), True,
                                           None, None, participants, people))


def _same_place(a: PlaceMention, b: PlaceMention) -> bool:
    return a.place.within(b.place) or b.place.within(a.place)


def _place_of(group: list[MeetingMention]) -> PlaceMention | None:
    best = None
    for mention in group:
        if mention.place and (best is None or mention.place.place.refines(best.place)):
            best = mention.place
    return best


def _date_of(group: list[MeetingMention]) -> DateRange | None:
    best = None
    for mention in group:
        if mention.date and (best is None or mention.date.narrower_than(best)):
            best = mention.date
    return best


def _dates_agree(group: list[MeetingMention], mention: MeetingMention) -> bool:
    date = _date_of(group)
    return not (date and mention.date and (mention.date.end < date.start or date.end < mention.date.start))


def _meeting(doc: Document, number: int, group: list[MeetingMention]) -> Meeting:
    place, date = _place_of(group), _date_of(group)
    participants = list(dict.fromkeys(c for m in group for c, _ in m.participants))
    people = list(dict.fromkeys(p.name for m in group for p in m.people))
    concerning = list(dict.fromkeys(g for m in group for g, _ in m.groups))
    names = [m.name for m in group if m.name]
    name = max(names, key=lambda n: len(n[0])) if names else None
    spans: dict[str, tuple[Span, ...]] = {"kind": tuple(m.trigger for m in group if m.trigger.end > m.trigger.start)}
    for key, value in (("place", place and (place.span,)), ("date", date and (date.span,)),
                       ("participants", tuple(s for m in group for _, s in m.participants)),
                       ("people", tuple(p.span for m in group for p in m.people)),
                       ("concerning", tuple(s for m in group for _, s in m.groups)),
                       ("name", name and (name[1],))):
        if value:
            spans[key] = tuple(value)
    return Meeting(
        id=f"meeting-{number}",
        kind=group[0].kind,
        sentences=tuple(doc.sentences[i] for i in sorted({m.sentence for m in group})),
        spans=spans,
        name=name[0] if name else "",
        place=place.place if place else None,
        date=date,
        participants=tuple(participants),
        people=tuple(people),
        concerning=tuple(concerning),
    )
