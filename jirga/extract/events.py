"""Incidents: attacks, security operations and arrests, each assembled from the sentences that tell it.

A sentence with an event word opens an event mention; a definite one ("the attack", "This was a suicide
attack") or a sentence with no event word but a claim or a toll continues the event just told.
Mentions of the same kind whose places and dates agree are one event.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
from dataclasses import dataclass, field

from jirga.extract import vocabulary as vocab
from jirga.extract.casualties import classify, combine, spans_of
from jirga.extract.claims import find_claims, unique_claims
from jirga.extract.document import Document, split_point
from jirga.extract.layout import BODY, BULLET, BYLINE, CHROME, DATE_LINE, HEADLINE, SUBHEADING, Layout, read_layout
from jirga.extract.places import PlaceMention
from jirga.extract.victims import (
    find_named_with_others,
    find_self_detonations,
    find_single_injured,
    find_single_victims,
    find_victim_lists,
    is_attacker,
)
from jirga.model import DateRange, Figure, Incident, Involvement, Span
from jirga.model.vocab import PLACE_RANK

_DEFINITE = re.compile(r"(?:\b(?:the|its|these|those|this(?!\s+(?:year|month|week|morning|afternoon|evening|weekend)"
                       r"\b))\s+(?:\w+\s+){0,2}"
                       r"|(?:^|[.,;:]\s+)[Tt]hat\s+(?:\w+\s+){0,2}|\b(?:this|it|that)\s+was\s+(?:a|an|the)"
                       r"\s+(?:\w+\s+){0,2})$", re.IGNORECASE)
_PLURAL = re.compile(r"(?:attacks|bombings|blasts|explosions|shootings|raids|operations|strikes|massacres|offensives"
                     r"|assaults)$",
                     re.IGNORECASE)

_AGAINST = re.compile(r"\b(?:against|go\s+after|going\s+after|targeting|aimed\s+at|to\s+(?:flush|root|wipe)\s+out)"
                      r"\s+(?:the\s+)?", re.IGNORECASE)
_NATIONWIDE = re.compile(r"\b(?:nationwide|countrywide|across\s+the\s+country|all\s+over\s+the\s+country)\b",
                         re.IGNORECASE)
_THE_GROUP = re.compile(r"\bagainst\s+(?:the|this)\s+(?:group|outfit|organi[sz]ation|militants)\b", re.IGNORECASE)
_KIND_OF = {"attack": vocab.ATTACK_TRIGGER, "security_operation": vocab.OPERATION_TRIGGER,
            "arrest": vocab.ARREST_TRIGGER}
_SAME_PLACE = re.compile(r"\b(?:the|this|same)\s+(?:city|capital|town|provincial\s+capital|district|area"
                         r"|neighbou?rhood)\b(?!\s+of\b)"
                         r"|\bthe\s+city's\b",
                         re.IGNORECASE)
CONTINUATION_REACH = 3  # sentences after an event in which an untriggered claim or toll still belongs to it


@dataclass
class EventMention:
    kind: str
    triggers: list[Span]
    sentence: int
    segment: Span
    definite: bool
    plural: bool
    places: list[PlaceMention] = field(default_factory=list)
    dates: list[DateRange] = field(default_factory=list)
    killed: list[Figure] = field(default_factory=list)
    injured: list[Figure] = field(default_factory=list)
    claims: list[Involvement] = field(default_factory=list)
    perpetrators: list[Involvement] = field(default_factory=list)
    against: list[Involvement] = field(default_factory=list)
    attack_type: tuple[str, Span] | None = None
    target: tuple[str, str, Span] | None = None
    victims: list[tuple[str, str, Figure]] = field(default_factory=list)  # (killed|injured, category, count)
    restates: bool = False  # from a subheading or a highlights bullet: joins an event, never opens one
    attackers: list[Figure] = field(default_factory=list)  # attackers' deaths told apart from the victims'
    also_killed: list[Figure] = field(default_factory=list)  # other deaths on top of the toll given
    campaign: bool = False  # "operations against X in Y last night": plural, yet one operation
    inherited: bool = False  # dated by its timeline entry, not by its own words


@dataclass
class Event:
    """An incident being assembled from its mentions."""

    kind: str
    mentions: list[EventMention]
    place: PlaceMention | None = None
    date: DateRange | None = None
    last_sentence: int = 0
    trail: list[str] = field(default_factory=list)
    headline: bool = False  # told only by the headline so far: the lead's event, once the lead is read
    inferred: bool = False  # placed where the report's other events are, not where its own words say

    def absorb(self, mention: EventMention, why: str = "") -> None:
        self.headline = self.headline and not self.mentions
        self.mentions.append(mention)
        if why:
            self.trail.append(f"sentence {mention.sentence + 1}: {why}")
        self.last_sentence = max(self.last_sentence, mention.sentence)
        own_place = best_place(mention)
        # An operation covers an area: a strike near one village of its district does not narrow it to the village
        area = self.kind == "security_operation" and self.place is not None and self.place.place.kind == "district"
        if own_place and (self.place is None or (own_place.place.refines(self.place.place) and not area)):
            self.place = own_place
        own_date = nearest_date(mention)
        if own_date and (self.date is None or own_date.narrower_than(self.date)):
            self.date = own_date


def find_incidents(doc: Document) -> list[Incident]:
    events: list[Event] = []
    layout = doc.layout or read_layout(doc.text, doc.sentences, doc.dates)
    for index, sentence in enumerate(doc.sentences):
        role = layout.role(index)
        if role in (BYLINE, DATE_LINE, CHROME):
            continue
        # "attacks on foreigners have been rare", "15 attacks killed 99": no particular event
        # "two separate suicide bombings in Mastung and Hangu": one event per place, before plurals are weighed
        found = [part for m in _mentions_in(doc, index, sentence) for part in _split_coordinated(doc, m)]
        for mention in found:
            mention.campaign = mention.plural and _one_campaign(doc, mention)
        entry_date, entry_place = layout.entry_dates[index], layout.entry_places[index]
        for mention in found:
            if entry_date is not None and not (mention.definite or mention.dates):  # on the date above the entry
                mention.dates, mention.inherited = [entry_date], True
            if entry_place is not None and not mention.places:  # a digest entry, where its heading says
                mention.places = [entry_place]
            # a subheading or highlights bullet restates the body; one with a date of its own (a day or more, not a
            # span of days such as "overnight") is a bulletin item
            mention.restates = role == SUBHEADING or (role == BULLET and all(d.precision == "days"
                                                                             for d in mention.dates))
        counted = [m for m in found if _counts_events(doc, m)]
        mentions = [m for m in found if m not in counted and not (m.plural and not m.campaign and (
            _aggregate(doc, m) or not (m.killed or m.injured)))]
        if counted:  # "both these blasts ..., besides the death of the two bombers": all about the many
            mentions = [m for m in mentions if m.killed or m.injured or m.places or m.dates or m.kind != "attack"]
        _claims_of_the_many(doc, [m for m in found if m not in mentions], mentions)
        if not any(m.kind == "attack" for m in mentions):
            casualties = _casualty_mention(doc, events, index, sentence)
            if casualties is not None:
                mentions.append(casualties)
            elif len(mentions) == len(found):  # a claim of "a string of attacks" is not a claim of the last one
                _continue_event(doc, events, index, sentence, claims_only=bool(mentions))
        for mention in mentions:
            if role == HEADLINE:
                if all(p.place.kind == "country" for p in mention.places):
                    mention.places = []  # "Pakistan strikes inside Afghanistan after deadly raid": the lead says where
                events.append(_new_event(mention, f"the headline: {_describe(doc, mention)}"))
                events[-1].headline = True
            else:
                _place_mention(doc, events, mention)
    return [_incident(doc, n, event) for n, event in enumerate(_settled(doc, layout, events), 1)]


def _claims_of_the_many(doc: Document, many: list[EventMention], kept: list[EventMention]) -> None:
    """'X claimed some of the recent attacks, including a bombing in Kunduz': the claims on the attacks, which are
    no event, cover the attack the sentence names as one of them."""
    for plural in many:
        if plural.kind != "attack" or not (plural.claims or plural.perpetrators):
            continue
        for mention in kept:
            if mention.kind == "attack" and not (mention.claims or mention.perpetrators) and _INCLUDED.match(
                    doc.plain, plural.triggers[-1].end, mention.triggers[0].start):
                mention.claims, mention.perpetrators = list(plural.claims), list(plural.perpetrators)


_INCLUDED = re.compile(r"[^.;:]{0,50}?\b(?:including|among\s+them|among\s+which|such\s+as)\b[^.;]{0,40}$",
                       re.IGNORECASE)


def _settled(doc: Document, layout: Layout, events: list[Event]) -> list[Event]:
    """The events that stand once the whole report is read, placed and dated where the report implies it."""
    kept = []
    for event in events:
        # Told only by the headline and sentences that name no place: the report's own event, filed from its
        # dateline or, failing one, from the place it names most.
        if event.place is None:
            if event.headline and any(e.kind == event.kind and e is not event for e in events):
                continue  # a headline the body retells under other words
            where = doc.dateline or (None if kept else _main_place(doc))
            if where is None or not any(_evidence(m, placed=False) for m in event.mentions):
                continue
            event.place = where
            event.trail.append(f"placed at {'the dateline' if where is doc.dateline else 'the place named most'}")
        kept.append(event)
    if kept and kept[0].date is None and doc.published is not None and doc.published > dt.date.min \
            and _in_the_lead(layout, kept[0]):
        # The report's own event, told with no date: news of it is published the day it happens or the next.
        kept[0].date = DateRange(doc.published - dt.timedelta(days=1), doc.published, "days", "")
        kept[0].trail.append("dated by publication: that day or the day before")
    return kept


def _in_the_lead(layout: Layout, event: Event) -> bool:
    """Told in the headline or the first sentences of the body: a news report's own event, not one an analysis
    names further down."""
    body = [i for i, role in enumerate(layout.roles) if role == BODY][:2]
    return any(m.sentence in body or layout.role(m.sentence) == HEADLINE for m in event.mentions)


def _main_place(doc: Document) -> PlaceMention | None:
    counts: dict[str, list[PlaceMention]] = {}
    for place in doc.places:
        if _the_scene(doc, place):
            counts.setdefault(place.place.gazetteer_id, []).append(place)
    if not counts:
        return None
    return max(counts.values(), key=lambda found: (len(found), -found[0].span.start))[0]


def _nested(a: PlaceMention | None, b: PlaceMention | None) -> bool:
    """Whether two places can be one event's: one lies within the other, or either is unknown."""
    return a is None or b is None or a.place.within(b.place) or b.place.within(a.place)


def _overlap(a: DateRange | None, b: DateRange | None) -> bool:
    """Whether two dates can be one event's: their ranges meet, or either is unknown."""
    return a is None or b is None or (a.start <= b.end and b.start <= a.end)


def _retells(event: Event, mention: EventMention) -> bool:
    """A headline retells the lead's event unless its place or date rules that out."""
    return _nested(best_place(mention), event.place) and _overlap(nearest_date(mention), event.date)


# "the two blasts", "twin explosions", "both attacks": one event told as several blasts, or two told together;
# "15 attacks", "these attacks", "attacks on foreigners" count or generalise.
_ONE_EVENT_PLURAL = re.compile(r"(?:\b(?:the|both|twin|triple|two|simultaneous|coordinated|back-to-back)|'s)\s+"
                               r"(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_AGGREGATE = re.compile(r"\b(?:\d[\d,]*|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|scores?"
                        r"|hundreds?|these|those|such|all|several|many|multiple|numerous|(?:series|spate|string|rash|handful)\s+of"
                        r"|wave\s+of|number\s+of|total\s+of)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


_JOINED = re.compile(r"\s*(?:,|and|,\s*and)\s*")
_SEPARATE = re.compile(r"\b(?:two|three|separate|twin|both)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


def _split_coordinated(doc: Document, mention: EventMention) -> list[EventMention]:
    """'two separate suicide bombings near mosques in Mastung and Hangu': one event per place; a toll given for
    both together belongs to neither alone."""
    first = mention.triggers[0]
    before = doc.plain[max(mention.segment.start, first.start - 30) : first.start]
    if not mention.plural or not _SEPARATE.search(before):
        return [mention]
    places = [p for p in doc.within(doc.places, Span(first.end, mention.segment.end)) if _the_scene(doc, p)]
    if not _listed(doc, places):
        return [mention]
    distinct = [p for p in places if not any(q is not p and q.place.within(p.place) for q in places)]
    if len(distinct) < 2 or any(a.place.within(b.place) or b.place.within(a.place)
                                for a, b in itertools.combinations(distinct, 2)):
        return [mention]
    parts = []
    for place in distinct:
        part = copy.copy(mention)
        part.places = [p for p in places if p.place.within(place.place)]
        part.killed, part.injured, part.plural = [], [], False
        parts.append(part)
    return parts


def _one_campaign(doc: Document, mention: EventMention) -> bool:
    """'special forces carried out operations against Daesh hideouts in Mazar-e-Sharif last night': operations
    with a place, a time and a target are one operation."""
    if mention.kind != "security_operation" or not (mention.places and (mention.dates or mention.against)):
        return False
    # raids "in Lahore, Faisalabad and Multan" are a crackdown, not one operation
    return not _listed(doc, doc.within(doc.places, mention.segment))


def _listed(doc: Document, places: list[PlaceMention]) -> bool:
    """Whether two of the places stand in a list: 'in Mastung and Hangu', 'in Lahore, Faisalabad and Multan'."""
    return any(_JOINED.fullmatch(doc.plain, a.span.end, b.span.start) for a, b in itertools.pairwise(places))


def _counts_events(doc: Document, mention: EventMention) -> bool:
    """'Those 14 killed in these attacks included 2 suicide bombers': a plural event word counted or pointed at
    with 'these' makes the whole clause about many events."""
    for trigger in mention.triggers:
        if _PLURAL.search(doc.plain[trigger.start : trigger.end]) and _AGGREGATE.search(
                doc.plain[max(mention.segment.start, trigger.start - 40) : trigger.start]):
            return True
    return False


def _aggregate(doc: Document, mention: EventMention) -> bool:
    """'in 15 terrorist attacks', 'these attacks killed 6': a count of events, which is a statistic."""
    first = mention.triggers[0]
    before = doc.plain[max(mention.segment.start, first.start - 40) : first.start]
    if re.match(r"(?:twin|triple)\b", doc.plain[first.start : first.end], re.IGNORECASE):
        return False
    return bool(_AGGREGATE.search(before)) or not _ONE_EVENT_PLURAL.search(before)


def _mentions_in(doc: Document, index: int, sentence: Span) -> list[EventMention]:
    text = doc.plain
    triggers = []
    for pattern_kind, pattern in _KIND_OF.items():
        for match in doc.matches(pattern, sentence):
            span, kind = Span(match.start(), match.end()), pattern_kind
            if kind == "attack" and (_not_an_attack(doc, sentence, span) or _counted_people(doc, span)):
                continue
            if kind == "attack" and _by_the_state(text, sentence, span, match.group()):
                kind = "security_operation"
            if kind == "security_operation" and vocab.HYPOTHETICAL.search(text[max(sentence.start, span.start - 40):
                                                                               span.start]):
                continue
            triggers.append((span, kind))
    triggers.sort()
    groups: list[tuple[str, list[Span]]] = []
    for span, kind in triggers:
        if groups and groups[-1][0] == kind and not _new_event_between(doc, groups[-1][1][-1], span):
            groups[-1][1].append(span)
        elif not any(k == kind and any(s.overlaps(span) for s in spans) for k, spans in groups):
            groups.append((kind, [span]))
    mentions = []
    for i, (kind, spans) in enumerate(groups):
        left = sentence.start if i == 0 else _cut(doc, groups[i - 1][1][-1].end, spans[0].start)
        right = sentence.end if i == len(groups) - 1 else _cut(doc, spans[-1].end, groups[i + 1][1][0].start)
        mentions.append(_build_mention(doc, kind, spans, index, Span(left, right)))
    return mentions


def _cut(doc: Document, left_end: int, right_start: int) -> int:
    """Split between two events of one sentence; 'since August, when a bomber struck' gives the date to the second."""
    for date in doc.within(doc.dates, Span(left_end, right_start)):
        if re.match(r"\s*,\s*when\b", doc.plain[date.span.end : right_start]):
            return date.span.start
    return split_point(doc.plain, left_end, right_start)


_PEOPLE_WORD = re.compile(r"(?:attackers|assailants|gunmen|bombers|militants|raiders)$", re.IGNORECASE)
_COUNT_BEFORE = re.compile(r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|all|both"
                           r"|dozens\s+of|some)\s+(?:(?:suspected|armed|of\s+the)\s+)?$", re.IGNORECASE)


def _counted_people(doc: Document, span: Span) -> bool:
    """'15 attackers, a border guard and a policeman were killed': attackers counted among the dead are victims of
    the toll, not a new event word."""
    if not (_PEOPLE_WORD.search(doc.plain[span.start : span.end])
            and _COUNT_BEFORE.search(doc.plain[max(0, span.start - 30) : span.start])):
        return False
    sentence = doc.sentences[doc.sentence_index(span.start)]
    lists = find_victim_lists(doc.plain, sentence.start, sentence.end)
    return any(v.which == "killed" and v.total.span.start <= span.start < v.total.span.end for v in lists)


def _by_the_state(text: str, sentence: Span, trigger: Span, word: str) -> bool:
    """'Commandos stormed the building', 'police killed him ... in a raid': the state acting, not militants."""
    if not vocab.STATE_VERB.match(word):
        return False
    before = text[max(sentence.start, trigger.start - 40) : trigger.start]
    if vocab.STATE_FORCES.search(before):
        return True
    if word.lower() != "raid":
        return False
    clause = text[sentence.start : trigger.start]
    state = list(re.finditer(r"\b(?:police|troops|soldiers|army|security\s+forces|commandos|forces)\b", clause, re.I))
    return bool(state) and not re.search(r"\b(?:militants|gunmen|attackers|insurgents|fighters|terrorists)\b",
                                         clause[state[-1].end() :], re.I)


def _is_definite(text: str, segment: Span, trigger: Span) -> bool:
    return bool(_DEFINITE.search(text[max(segment.start, trigger.start - 40) : trigger.start]))


def _not_an_attack(doc: Document, sentence: Span, span: Span) -> bool:
    text = doc.plain
    window = text[max(sentence.start, span.start - 20) : min(sentence.end, span.end + 25)]
    if vocab.NOT_VIOLENCE.search(window):
        return True
    before = text[max(sentence.start, span.start - 40) : span.start]
    # "one of the worst attacks in years" compares; "carried out the deadliest attack in the country's history"
    # and "Pakistan's worst massacre" name the event itself
    comparison = vocab.COMPARISON.search(before)
    if comparison and not re.search(r"(?:\b(?:carried\s+out|launched|staged|committed|was|is|marks?)\s+|'s\s+)"
                                    r"(?:the\s+)?$", before[: comparison.start()]):
        return True
    if vocab.HYPOTHETICAL.search(before):
        return True
    return bool(doc.matches(vocab.SPORT, sentence)) and not vocab.attack_type(text[span.start : span.end])


def _new_event_between(doc: Document, previous: Span, current: Span) -> bool:
    """Whether two event words of one sentence tell two events."""
    between = Span(previous.end, current.start)
    sentence = doc.sentences[doc.sentence_index(previous.start)]
    # "the hospital assault began, a suicide bomber blew himself up": a known event, then a new one
    # ... but "the explosion that sent a bus into a ravine was a suicide bombing" names the same one
    if _is_definite(doc.plain, sentence, previous) and re.search(r"\b(?:an?|another)\s+(?:[\w-]+\s+)?$",
                                                                doc.plain[max(previous.end, current.start - 25):
                                                                         current.start]) \
            and not re.search(r"\b(?:was|is|were|been)\s+(?:also\s+)?an?\s+(?:[\w-]+\s+)?$",
                              doc.plain[max(previous.end, current.start - 30): current.start]):
        return True
    text = doc.plain[between.start : between.end]
    # "..., an attack claimed by" and "..., killing 22, in a siege claimed by": the same event
    if re.search(r",\s*(?:(?:in|during)\s+)?(?:an?|the|this|what\s+was)\s+(?:[\w-]+\s+)?$", text):
        return False
    # "came nine days after a bombing" tells two; "were killed after gunmen opened fire" and "took place on
    # November 14 when gunmen opened fire" tell one
    if re.search(r"\b(?:(?:days?|weeks?|months?|years?|hours?|came|comes|shortly|soon|just|only|long)\s+(?:after"
                 r"|before)|since|later|earlier|another)\b", text):
        return True
    if re.search(r"\bwhen\b", text) or (re.search(r"\bafter\b", text) and not doc.within(doc.dates, between)):
        return False  # "began on Friday when gunmen burst in"; but "after the 2014 massacre" is another
    has_break = re.search(r"[,;]|\b(?:and|while)\b", text)
    if has_break and (doc.within(doc.places, between) or doc.within(doc.dates, between)):
        return True
    # "seven were injured in a blast on Saryab Road while an official was injured in a bomb blast in Pasni"
    if re.search(r"\b(?:while|whereas)\b", text) and _CASUALTY_WORD.search(text):
        return True
    # "the siege of the bakery ..., and the attack at Sholakia in Kishoreganj": each tied to its own place
    after = [p for p in doc.within(doc.places, Span(current.end, sentence.end))
             if _PLACE_AFTER.match(doc.plain[current.end : p.span.start])]
    earlier = [p for p in doc.within(doc.places, Span(sentence.start, previous.start))
               if _PLACE_BEFORE.match(doc.plain[p.span.end : previous.start])]
    return bool(has_break and after and earlier and not any(
        a.place.within(b.place) or b.place.within(a.place) for a in after for b in earlier))


def _build_mention(doc: Document, kind: str, triggers: list[Span], index: int, segment: Span) -> EventMention:
    text = doc.plain
    first = triggers[0]
    mention = EventMention(
        kind=kind,
        triggers=triggers,
        sentence=index,
        segment=segment,
        definite=_is_definite(text, segment, first),
        plural=all(_PLURAL.search(text[t.start : t.end]) for t in triggers) and kind != "arrest",
    )
    mention.places = _linked_places(doc, kind, triggers, segment, mention.definite)
    mention.dates = [_shifted(doc, d, triggers[0]) for d in doc.within(doc.dates, segment)
                     if _dates_an_event(doc.plain, d)]
    # "ending an assault that began on Sunday evening": the day it began dates the event, not the day it ended
    began = [d for d in mention.dates if d.span and _BEGAN.search(doc.plain[max(0, d.span.start - 25) : d.span.start])]
    if began:
        mention.dates = began[:1]
    _add_tolls(doc, mention, segment)
    if kind == "attack":
        claims = find_claims(doc, segment, doc.sentences[index])
        mention.claims = [c for c in claims if c.mode in ("claimed", "denied")]
        mention.perpetrators = [c for c in claims if c.mode == "attributed"] + _modifier_groups(doc, mention)
        mention.attack_type = _attack_type(text, segment)
        mention.target = _target(doc, mention)
    elif kind == "security_operation":
        mention.against = _against(doc, segment)
        if not mention.places and _NATIONWIDE.search(text, segment.start, segment.end):
            mention.places = _dominant_country(doc, segment)
    return mention


_PLACE_AFTER = re.compile(r"^(?:(?!\b(?:after|before|since|until|and|with|by|during|when|while|where|which|who)\b)"
                          r"[^.;]){0,80}?\b(?:in|at|near|outside|inside|on|of|from|to|a|an)\s+(?:the\s+)?"
                          r"(?:(?!(?:after|before|since|and|with|by|during)\b)[\w'-]+\s+){0,3}$", re.IGNORECASE)
_PLACE_BEFORE = re.compile(r"^(?:'s)?\s*(?:(?!(?:that|which|who|when|where|said|says|and|or|but|after|before|since"
                           r"|in|on|at|of|for|by|with|from|to|as|was|were|is|are|has|had|the|a|an)\b)[\w'-]+\s+){0,3}$",
                           re.IGNORECASE)


# Places a sentence names that are not where its event happened: a reference point ("170 km south of Kabul",
# "near the border with Afghanistan"), where victims came from ("pilgrims from Delhi") or where someone spoke.
_NOT_THE_SCENE = re.compile(
    r"(?:\b(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east"
    r"|south-west)(?:ern)?\s+of|\b(?:border|borders|bordering|frontier)\s+(?:with|of)|\bfrom|\bnative\s+of"
    r"|\bresidents?\s+of|\bhailing\s+from|\bbelong(?:ed|ing|s)?\s+to"
    r"|\b(?:said|says|told\s+[\w ]{1,30}?|speaking|spoke|addressing|briefing|press\s+conference|news\s+conference"
    r"|statement\s+issued)\s+(?:on\s+\w+\s+)?(?:in|at|from))"
    r"\s+(?:the\s+)?(?:[\w'-]+\s+){0,3}?(?:(?:and|or|,)\s+(?:[\w'-]+\s+){0,2})?$",
    re.IGNORECASE)


_AN_INSTITUTION = re.compile(r"['’]?s?\s+(?:(?:health|home|interior|provincial|district|regional|city|state)\s+)?"
                             r"(?:police|government|department|ministry|administration|authorities|assembly"
                             r"|governor|officials|spokesman|chief\s+minister|home\s+minister|counter-terrorism)\b",
                             re.IGNORECASE)


_A_GOVERNMENT_SPEAKING = re.compile(r"\s+(?:has\s+|had\s+|have\s+)?(?:said|says|described|condemned|blamed|accused"
                                    r"|denied|called|urged|demanded|announced|asked|warned|vowed|rejected|welcomed"
                                    r"|responded|insisted|summoned|protested)\b")


_OWNED = re.compile(r"['’]s\s+(?:[A-Z][\w-]+\s+(?:(?:of|and|for)\s+)?){2,}")


def _the_scene(doc: Document, place: PlaceMention) -> bool:
    region = doc.dateline_region or (doc.dateline.span if doc.dateline else None)
    if region is not None and region.start <= place.span.start < region.end:
        return False
    if re.match(r"\s*,\s*where\b", doc.plain[place.span.end : place.span.end + 12]):
        return True  # "50 km from Peshawar, where gunmen killed ...": the scene of what follows
    if _AN_INSTITUTION.match(doc.plain, place.span.end) or _A_GOVERNMENT_SPEAKING.match(doc.plain, place.span.end):
        return False  # "the Punjab health department", "Kishoreganj police said", "Beijing described it as"
    owner = _OWNED.match(doc.plain[place.span.end : place.span.end + 60])
    if owner and place.place.kind == "country" and not doc.within(doc.places, Span(place.span.end,
                                                                                    place.span.end + owner.end())):
        return False  # "India's Research and Analysis Wing": a country named as an institution's owner
    window = doc.plain[max(0, place.span.start - 60) : place.span.start]
    return not _NOT_THE_SCENE.search(window)


def _linked_places(doc: Document, kind: str, triggers: list[Span], segment: Span, definite: bool
                   ) -> list[PlaceMention]:
    """Places the text ties to the event word ('attack in Kabul', 'the Mastung attack'); failing that, and
    only for a first mention, every place in its clause."""
    # "Tehran pounded ...": a place inside the event words names who acted, not where
    places = [p for p in doc.within(doc.places, segment) if _the_scene(doc, p)
              and not any(t.overlaps(p.span) for t in triggers)]
    if definite:  # "the explosion in the Dubai City wedding hall": a foreign name named once is no location
        places = [p for p in places if doc.country_mentions(p.place.country) > 1 or p.place.kind != "city"]
    linked = []
    for place in places:
        for trigger in triggers:
            if place.span.start >= trigger.end and _PLACE_AFTER.match(doc.plain[trigger.end : place.span.start]):
                linked.append(place)
                break
            before = place.span.end <= trigger.start and _PLACE_BEFORE.match(doc.plain[place.span.end : trigger.start])
            # "US drone strike", "Pakistani operation": a country before an operation names who acted
            if before and not (kind == "security_operation" and place.place.kind == "country"):
                linked.append(place)
                break
    if not (linked or definite):
        linked = [p for p in places if not (kind == "security_operation" and p.place.kind == "country")]
    # "TEHRAN - ... attacked Iran's parliament": a country named only as the target's owner; the dateline says where
    dateline = doc.dateline
    if dateline and linked and all(dateline.place.within(p.place) and p.place.kind == "country"
                                   and doc.lower.startswith("'s", p.span.end) for p in linked):
        linked.append(dateline)
    return linked


def _add_tolls(doc: Document, mention: EventMention, segment: Span) -> None:
    dates = doc.within(doc.dates, segment)
    lists = find_victim_lists(doc.plain, segment.start, segment.end)
    for victims in lists:
        if not victims.breakdown:  # "two policemen and four assailants were killed": one toll of six
            (mention.killed if victims.which == "killed" else mention.injured).append(victims.total)
        mention.victims += [(victims.which, category, figure) for category, figure in victims.parts]
    for figure in find_single_victims(doc.plain, segment.start, segment.end):
        if not any(v.total.span.overlaps(figure.span) for v in lists):
            (mention.attackers if is_attacker(figure.text) else mention.killed).append(figure)
    mention.attackers += find_self_detonations(doc.plain, segment.start, segment.end)
    mention.injured += [f for f in find_single_injured(doc.plain, segment.start, segment.end)
                        if not any(v.total.span.overlaps(f.span) for v in lists)]
    for which, figure in find_named_with_others(doc.plain, segment.start, segment.end):
        if not any(v.total.span.overlaps(figure.span) for v in lists):
            (mention.killed if which == "killed" else mention.injured).append(figure)
    for quantity in doc.within(doc.quantities, segment):
        if any(d.span.overlaps(quantity.span) for d in dates) or any(v.total.span.overlaps(quantity.span)
                                                                       for v in lists):
            continue
        if _toll_of_another(doc, mention, quantity.span) or (
                doc.dateline_region and doc.dateline_region.overlaps(quantity.span)):
            continue
        which = classify(doc.plain, quantity, segment.start)
        after = doc.plain[quantity.span.end : quantity.span.end + 60]
        if which == "killed" and is_attacker(after):
            mention.attackers.append(quantity.figure)  # "four attackers were shot dead"
        elif which == "killed" and _ALSO_KILLED.match(after):
            mention.also_killed.append(quantity.figure)  # "Thirteen US troops were also killed"
        elif which == "killed":
            mention.killed.append(quantity.figure)
        elif which == "injured":
            mention.injured.append(quantity.figure)


# "Thirteen US troops were also killed": deaths on top of the toll just given
_ALSO_KILLED = re.compile(r"\s*(?:[\w'-]+\s+){0,4}?(?:(?:were|was|have\s+been|had\s+been)\s+also\s+(?:killed|slain"
                          r"|martyred)|also\s+(?:died|perished))", re.IGNORECASE)
_KILLED_IN = re.compile(r"[^.;]{0,50}?\b(?:killed|died|dead|injured|wounded|martyred)\s+(?:in|during)\s+"
                        r"(?:the\s+|an?\s+|these\s+|those\s+)?(?:[\w-]+\s+){0,2}?", re.IGNORECASE)


_OTHER_ACTION = re.compile(r"(?:operations?|raids?|clash(?:es)?|strikes?|offensives?|crackdowns?|encounters?"
                           r"|shoot-?outs?|firefights?|gunfights?|fighting|exchanges?\s+of\s+fire)\b", re.IGNORECASE)


def _toll_of_another(doc: Document, mention: EventMention, quantity: Span) -> bool:
    """'100 militants had been killed in operations across the country': a toll tied by 'killed in' to an event
    word other than this mention's belongs to that event."""
    tied = _KILLED_IN.match(doc.plain, quantity.end)
    if tied is None:
        return False
    at = tied.end()
    if _OTHER_ACTION.match(doc.plain, at) and not any(t.start <= at < t.end for t in mention.triggers):
        return True
    for pattern in _KIND_OF.values():
        for word in doc.matches(pattern, Span(at, min(len(doc.plain), at + 40))):
            if word.start() == at:
                return not any(t.start <= at < t.end for t in mention.triggers)
    return False


_BEFORE_TRIGGER = re.compile(r"(?:'s|s')?\s*(?:[\w-]+\s+){0,2}")
_NOT_A_MODIFIER = re.compile(r"\b(?:and|against|on|of|with|claimed|by)\b")
_BY_AFTER_TRIGGER = re.compile(r"\s*(?:carried\s+out\s+)?by\s+(?:the\s+)?(?:(?:militants|fighters|members|men|gunmen"
                               r"|operatives|cadres)\s+(?:of|from)\s+(?:the\s+)?)?(?:(?:banned|outlawed|proscribed)\s+)?")


def _modifier_groups(doc: Document, mention: EventMention) -> list[Involvement]:
    """'Da'ish attack', 'an attack by the TTP', 'IS-K suicide bomber': the group the report says did it."""
    found = []
    for trigger in mention.triggers:
        for group in doc.groups(mention.segment):
            if group.span.end <= trigger.start:
                gap = doc.plain[group.span.end : trigger.start]
                named = _BEFORE_TRIGGER.fullmatch(gap) and not _NOT_A_MODIFIER.search(gap)
            else:
                named = group.span.start >= trigger.end and _BY_AFTER_TRIGGER.fullmatch(
                    doc.plain[trigger.end : group.span.start])
            if named:
                found.append(Involvement(group.name, group.id, "attributed", group.span))
    return found


def _against(doc: Document, segment: Span) -> list[Involvement]:
    found = []
    for match in doc.matches(_AGAINST, segment):
        groups = doc.groups(Span(match.end(), segment.end))
        if groups and groups[0].span.start - match.end() < 25:
            listed = doc.listed_from(groups)
            found += [Involvement(g.name, g.id, "target", g.span) for g in listed]
        elif _THE_GROUP.match(doc.plain, match.start()):
            earlier = doc.last_group_before(match.start())
            if earlier is not None:
                found.append(Involvement(earlier.name, earlier.id, "target", Span(match.start(), match.end())))
    return found


def _dominant_country(doc: Document, segment: Span) -> list[PlaceMention]:
    """'A nationwide campaign': the country the report is most about."""
    counts: dict[str, int] = {}
    for place in doc.places:
        counts[place.place.country] = counts.get(place.place.country, 0) + 1
    for demonym in doc.demonyms:
        counts[demonym.country] = counts.get(demonym.country, 0) + 1
    if not counts:
        return []
    code = max(counts, key=lambda c: (counts[c], c))
    country = doc.countries.get(code)
    cue = _NATIONWIDE.search(doc.plain, segment.start, segment.end)
    return [PlaceMention(country, Span(cue.start(), cue.end()), cue.group())] if country and cue else []


def _attack_type(text: str, segment: Span) -> tuple[str, Span] | None:
    name = vocab.attack_type(text[segment.start : segment.end])
    return (name, segment) if name else None


_MODIFIER = re.compile(r"(?:election|Shia|Sunni|Sufi|Ahmadi|Hazara|Christian|Hindu|Sikh|police|army|military"
                       r"|girls'?|boys'?|public|wedding|funeral|busy|crowded|main|central|local|government|security|passenger|"
                       r"training|religious|[A-Z][\w'-]+)$")


def _target(doc: Document, mention: EventMention) -> tuple[str, str, Span] | None:
    text, seg = doc.text, mention.segment
    trigger = mention.triggers[0]
    blocked = list(mention.triggers) + [a.span for a in doc.within(doc.actors, seg)]
    matches = [m for m in doc.matches(vocab.TARGET, seg)
               if not any(b.overlaps(Span(m.start(), m.end())) for b in blocked)
               and min(abs(m.start() - trigger.end), abs(trigger.start - m.end())) <= 60]
    if not matches:
        return None
    match = min(matches, key=lambda m: (m.start() < trigger.start, abs(m.start() - trigger.end)))
    for later in matches:  # "army school", "Army Public School": the last noun is the head
        joined = text[match.end() : later.start()]
        if later.start() > match.end() and re.fullmatch(r"\s+(?:[A-Z][\w'-]*\s+){0,2}", joined):
            match = later
    start, end = match.start(), match.end()
    place_spans = [p.span for p in doc.within(doc.places, seg)] + [g.span for g in doc.groups(seg)]
    while True:  # widen left over modifiers: "Civil Hospital", "election gathering"
        window = max(seg.start, start - 40)
        word = re.search(r"([\w'-]+)\s+$", text[window:start])
        if not word or not _MODIFIER.match(word.group(1)) or word.group(1).lower() in ("the", "a", "an"):
            break
        word_span = Span(window + word.start(1), window + word.end(1))
        if any(p.overlaps(word_span) for p in place_spans) or word_span.overlaps(trigger):
            break
        start = word_span.start
    tail = re.match(r"\s+(?:of|for)\s+(?:the\s+)?(?:[A-Z][\w'-]*\s?){1,5}", text[end : seg.end])
    if tail:
        end += len(tail.group().rstrip())
    return text[start:end], vocab.target_type(match), Span(start, end)


def best_place(mention: EventMention) -> PlaceMention | None:
    if not mention.places:
        return None
    anchor = mention.triggers[0].start

    def rank(p: PlaceMention) -> tuple:
        return (PLACE_RANK.get(p.place.kind, -1), -abs(p.span.start - anchor))

    return max(mention.places, key=rank)


_REPORTED = re.compile(r"\b(?:said|says|told|announced|reported|added|confirmed|stated)\s+$", re.IGNORECASE)
_REPORTED_AFTER = re.compile(r"^\s+(?:said|revised|raised|lowered|announced|confirmed|reported|told|put|gave)\b",
                             re.IGNORECASE)


_BEGAN = re.compile(r"\b(?:began|begun|started|erupted|broke\s+out|opened)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_SINCE = re.compile(r"\bsince\s+(?:the\s+)?(?:[\w'-]+\s+){1,4}$", re.IGNORECASE)


def _dates_an_event(text: str, date: DateRange) -> bool:
    """'since August' bounds a period and dates no event, unless it goes on ', when a bomber struck'; 'police said
    on Saturday' dates the statement; 'the worst since the riots of 2009' dates the comparison."""
    if _REPORTED.search(text[max(0, date.span.start - 12) : date.span.start]):
        return False
    if _SINCE.search(text[max(0, date.span.start - 50) : date.span.start]):
        return False
    if re.search(r"\banniversar(?:y|ies)\b[^.;]{0,40}$", text[max(0, date.span.start - 60) : date.span.start],
                 re.IGNORECASE):
        return False  # "as the anniversary passed quietly on Saturday": the day it was remembered
    if _REPORTED_AFTER.match(text[date.span.end : date.span.end + 20]):  # "officials on Sunday revised the toll"
        return False
    if not date.text.lower().startswith(("since", "until", "by ")):
        return True
    return bool(re.match(r"\s*,\s*when\b", text[date.span.end :]))


def nearest_date(mention: EventMention) -> DateRange | None:
    if not mention.dates:
        return None
    anchor = mention.triggers[0].start
    return min(mention.dates, key=lambda d: (abs(d.span.start - anchor), d.span.start))


def _compatible(event: Event, mention: EventMention) -> bool:
    date = nearest_date(mention)
    if not _nested(best_place(mention), event.place):
        return False
    if not _overlap(date, event.date):
        # "On Thursday the toll was raised": a later day in an anaphor dates the news, not the event
        follow_up = mention.definite and event.date.end < date.start <= _later(event.date.end, 3)
        if not follow_up:
            return False
    # "Earlier this month a car bomb aimed at a police station in Kabul": same city, another target, another event
    targets = {m.target[1] for m in event.mentions if m.target}
    own = mention.target[1] if mention.target else None
    headline_only = all(m.sentence == 0 for m in event.mentions)  # a headline and its lede tell one event
    return mention.definite or headline_only or not (own and targets and own not in targets
                                                     and (mention.killed or mention.injured))


def _evidence(mention: EventMention, placed: bool = True) -> bool:
    """Enough to say that a particular event happened, not that attacks happen."""
    if mention.plural and not (mention.killed or mention.injured or mention.campaign):
        return False
    if mention.kind == "arrest":
        return bool(mention.places)
    signals = [mention.killed or mention.injured, mention.claims, mention.perpetrators,
               mention.dates and not mention.inherited,
               mention.target, mention.against, mention.attack_type and mention.attack_type[0] != "armed_assault"]
    return (bool(mention.places) or not placed) and any(signals)


_ANOTHER = re.compile(r"\b(?:earlier|previous|prior|another|last\s+such|similar|separate|other)\s+(?:[\w-]+\s+){0,2}$",
                      re.IGNORECASE)


def _another(doc: Document, mention: EventMention) -> bool:
    """'In an earlier attack', 'the last such attack', 'another blast': an event other than the one just told."""
    first = mention.triggers[0]
    return bool(_ANOTHER.search(doc.plain[max(mention.segment.start, first.start - 30) : first.start]))


_INDEFINITE = re.compile(r"\b(?:an?|another)\s+(?:[\w-]+\s+){0,3}$", re.IGNORECASE)


def _another_toll(doc: Document, mention: EventMention, recent: Event | None) -> bool:
    """'Four others were killed in a bomb blast near the college' after an attack with a toll of its own: an
    event told with 'a' and its own, different toll is another event."""
    if recent is None or not (mention.killed or mention.injured) or mention.definite:
        return False
    first = mention.triggers[0]
    if not _INDEFINITE.search(doc.plain[max(mention.segment.start, first.start - 40) : first.start]):
        return False
    told = {f.best for m in recent.mentions for f in m.killed + m.injured}
    own = {f.best for f in mention.killed + mention.injured}
    return bool(told) and not (own & told)


def _describe(doc: Document, mention: EventMention) -> str:
    words = ", ".join(repr(doc.text[t.start : t.end]) for t in mention.triggers if t.end > t.start) or "no event word"
    date = nearest_date(mention)
    facts = [f"place {p.text}" for p in mention.places[:2]] + ([f"date {date.text!r}"] if date else [])
    quote = doc.layout.quoted(mention.triggers[0].start) if doc.layout else None
    if quote is not None:  # the words of someone the report quotes, not the reporter's
        facts.append(f"quoting {doc.text[quote.speaker.start : quote.speaker.end]}" if quote.speaker else "quoted")
    facts += [f"killed {f.text!r}" for f in mention.killed[:2]] + [f"injured {f.text!r}" for f in mention.injured[:2]]
    return words + (f" with {', '.join(facts)}" if facts else "")


def _context_place(doc: Document, events: list[Event], mention: EventMention) -> PlaceMention | None:
    """Where a report's other events happened, at province level: 'In an earlier attack' in a report on Quetta;
    exactly there where the earlier attack struck the same named target: 'an attack on Shah Cheragh'."""
    placed = [e for e in events if e.place is not None]
    if not placed:
        return doc.dateline
    names = _proper_names(doc, mention.segment)
    same_target = [e for e in placed if names and any(names & _proper_names(doc, m.segment) for m in e.mentions)]
    if same_target:
        return same_target[-1].place
    place = placed[-1].place
    if place.place.kind in ("country", "province"):
        return place
    # the province the report names for it; where it names none, the report's own city or district
    wider = [p for p in doc.places if p.place.kind == "province" and place.place.within(p.place)]
    return wider[0] if wider else place


_NAME_RUN = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}(?:[ -][A-Z][a-z]{2,})*")
_NOT_A_LANDMARK = {"the", "police", "army", "state", "media", "islamic", "muslim", "shia", "sunni", "sufi", "news",
                   "agency", "province", "city", "district", "minister", "president", "government", "ministry",
                   "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                   "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                   "sunday", "taliban", "group"}


def _proper_names(doc: Document, span: Span) -> set[str]:
    """Names in a passage that are neither places nor groups: 'Shah Cheragh', 'Army Public School' - a landmark
    two mentions share puts them at the same place."""
    taken = [p.span for p in doc.within(doc.places, span)] + [a.span for a in doc.within(doc.actors, span)]
    names = set()
    for match in _NAME_RUN.finditer(doc.plain, span.start, span.end):
        if not any(t.overlaps(Span(match.start(), match.end())) for t in taken):
            names |= {w.lower() for w in re.split(r"[ -]", match.group())} - _NOT_A_LANDMARK
    return names


def _place_mention(doc: Document, events: list[Event], mention: EventMention) -> None:
    same_kind = [e for e in events if e.kind == mention.kind]
    # An anaphor ("the attack") points to an event told before its sentence, not to one it has just opened.
    told_before = [e for e in same_kind if e.mentions[0].sentence < mention.sentence]
    recent = _antecedent(told_before, mention)
    latest = max(reversed(events), key=lambda e: e.last_sentence) if events else None  # ties: the one opened last
    another = _another(doc, mention) or (latest is recent and _another_toll(doc, mention, recent))
    same_day = _same_day(doc, mention, events)
    if same_day is not None:  # "That morning a car bomb exploded in Quetta": the day of the event just told
        mention.dates = [same_day]
    shifted = _dated_from(doc, mention, recent)
    if shifted is not None:  # "That came two weeks after two policemen were killed": another event, dated from this
        mention.dates, another = [shifted], True
    if another:
        mention.definite = False
    if best_place(mention) is None and recent and recent.place and _SAME_PLACE.search(
            doc.plain, mention.segment.start, mention.segment.end):
        mention.places = [recent.place]
    if best_place(mention) is None and mention.definite and recent and mention.sentence - recent.last_sentence <= 6 \
            and _compatible(recent, mention):
        recent.absorb(mention, f"{_describe(doc, mention)} refers back to it")
        return
    if best_place(mention) is None and mention.definite and not (recent and mention.sentence - recent.last_sentence
                                                                  <= 6):
        # no antecedent: a first mention after all
        mention.places = [p for p in doc.within(doc.places, mention.segment) if _the_scene(doc, p)]
    if best_place(mention) is not None:
        if not another:
            for event in reversed(same_kind):
                # an event placed only by the report's context takes no new, placed and dated mention
                if event.place and _compatible(event, mention) and not (event.inferred and mention.dates):
                    event.absorb(mention, f"{_describe(doc, mention)} agrees in place and date")
                    return
        if _evidence(mention):
            _open(events, mention, _describe(doc, mention))
        return
    if mention.kind == "attack" and doc.dateline and not same_kind and _evidence(mention, placed=False):
        mention.places = [doc.dateline]
        _open(events, mention, f"{_describe(doc, mention)}, placed at the dateline")
    elif mention.kind == "arrest" and _demonym_place(doc, mention):
        _open(events, mention, _describe(doc, mention))
    elif recent and not another and not mention.plural and _compatible(recent, mention) \
            and mention.sentence - recent.last_sentence <= (
            CONTINUATION_REACH if mention.claims or mention.killed or mention.injured else 1):
        recent.absorb(mention, f"{_describe(doc, mention)} continues it")
    elif mention.kind == "attack" and recent and (mention.killed or mention.injured) and (
            another or (not mention.definite and _dates_elsewhere(recent, mention))):
        context = _context_place(doc, events, mention)
        if context is not None:
            mention.places = [context]
            _open(events, mention, f"{_describe(doc, mention)}: another event, placed where the report's others are")
            events[-1].inferred = events[-1].mentions[0] is mention


_RELATIVE_TO = re.compile(r"\b(?P<n>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?P<unit>day|week"
                          r"|month)s?\s+(?P<way>after|before|earlier|later)\b", re.IGNORECASE)
_SMALL = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10}


def _shifted(doc: Document, date: DateRange, trigger: Span) -> DateRange:
    """'struck early on Monday, two days after militants killed seven soldiers in an assault': the assault is dated
    two days before Monday."""
    if date.span is None or date.span.end > trigger.start or date.precision != "day":
        return date
    found = list(_RELATIVE_TO.finditer(doc.plain, date.span.end, trigger.start))
    if not found or _event_word_in(doc, Span(found[-1].end(), trigger.start)):
        return date
    return _moved(date.start, found[-1])


def _event_word_in(doc: Document, span: Span) -> bool:
    """An event word in span, attackers counted among the dead aside: a relative phrase before it dates that word."""
    return any(not _counted_people(doc, Span(m.start(), m.end()))
               for pattern in _KIND_OF.values() for m in doc.matches(pattern, span))


def _moved(day: dt.date, match: re.Match) -> DateRange:
    """The day a relative phrase points to from `day`: 'two weeks after' (this came two weeks after that) is two
    weeks earlier, give or take two days a week, as such spans are round."""
    word = match.group("n").lower()
    count = int(word) if word.isdigit() else _SMALL[word]
    unit = match.group("unit").lower()
    sign = -1 if match.group("way").lower() in ("after", "later") else 1
    slack = dt.timedelta(days={"day": 0, "week": 2, "month": 10}[unit])
    try:
        moved = day + dt.timedelta(days=sign * count * {"day": 1, "week": 7, "month": 30}[unit])
        return DateRange(moved - slack, moved + slack, "day" if not slack else "days", match.group(),
                         Span(match.start(), match.end()))
    except OverflowError:  # a date at the ends of the calendar: nothing to move to
        return DateRange(day, day, "day", match.group(), Span(match.start(), match.end()))


_SAME_DAY = re.compile(r"\b(?:that|the\s+same|later\s+that|earlier\s+that|in\s+the)\s+(?:morning|afternoon|evening"
                       r"|night|day)\b", re.IGNORECASE)


def _same_day(doc: Document, mention: EventMention, events: list[Event]) -> DateRange | None:
    """'That morning', 'In the evening', 'the same day': the day of the event told last, when it has one."""
    if mention.dates or not events:
        return None
    sentence = doc.sentences[mention.sentence]
    phrase = _SAME_DAY.search(doc.plain, sentence.start, mention.triggers[0].start)
    dated = [e for e in events if e.date is not None and e.date.precision == "day"]
    if phrase is None or not dated:
        return None
    day = max(dated, key=lambda e: e.last_sentence).date
    return DateRange(day.start, day.end, "day", phrase.group(), Span(phrase.start(), phrase.end()))


def _dated_from(doc: Document, mention: EventMention, recent: Event | None) -> DateRange | None:
    """'That came two weeks after <event>': the event is dated two weeks before the one just told (give or take
    two days a week, as such spans are round)."""
    if recent is None or recent.date is None or recent.date.precision != "day" or mention.dates:
        return None
    sentence = doc.sentences[mention.sentence]
    found = list(_RELATIVE_TO.finditer(doc.plain, sentence.start, mention.triggers[0].start))
    if not found:
        return None
    match = found[-1]
    if _event_word_in(doc, Span(match.end(), mention.triggers[0].start)):
        return None  # the phrase dates the event word right after it, not this one
    return _moved(recent.date.start, match)


def _later(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days) if day <= dt.date.max - dt.timedelta(days=days) else dt.date.max


def _dates_elsewhere(event: Event, mention: EventMention, follow_up: int = 0) -> bool:
    """Whether the mention's date rules out the event's; `follow_up` days after it still count as the event's
    (a toll given the morning after)."""
    date = nearest_date(mention)
    if date is None or event.date is None:
        return False
    return not _overlap(date, DateRange(event.date.start, _later(event.date.end, follow_up), event.date.precision))


_CASUALTY_WORD = re.compile(r"\b(?:killed|died|dead|martyred|slain|lost\s+their\s+lives|injured|wounded)\b", re.I)


def _casualty_mention(doc: Document, events: list[Event], index: int, sentence: Span) -> EventMention | None:
    """'On July 23 four policemen were killed': a toll with a date of its own tells an event of its own, even
    without an event word."""
    word = next(iter(doc.matches(_CASUALTY_WORD, sentence)), None)
    if word is None:
        return None
    dates = [d for d in doc.within(doc.dates, sentence) if _dates_an_event(doc.plain, d)
             and d.precision in ("day", "week", "month")]
    attacks = [e for e in events if e.kind == "attack"]
    if not dates or not attacks:
        return None
    mention = _build_mention(doc, "attack", [Span(word.start(), word.end())], index, sentence)
    if not (mention.killed or mention.injured) or not _dates_elsewhere(attacks[-1], mention, follow_up=3):
        return None
    return mention


def _antecedent(events: list[Event], mention: EventMention) -> Event | None:
    """The event a mention without a place continues: the one told last; where the last sentence told two, the
    one with the same kind of target ("the attackers ... the hospital")."""
    if not events:
        return None
    latest = max(e.last_sentence for e in events)
    recent = [e for e in events if e.last_sentence == latest]
    if mention.target:
        same_target = [e for e in recent if any(m.target and m.target[1] == mention.target[1] for m in e.mentions)]
        if same_target:
            return max(same_target, key=lambda e: (e.last_sentence, e.mentions[-1].triggers[-1].start))
    return max(events, key=lambda e: (e.last_sentence, e.mentions[-1].triggers[-1].start))


def _demonym_place(doc: Document, mention: EventMention) -> bool:
    """'Indian security forces made arrests': the arresting state's country, at country precision."""
    for demonym in doc.within(doc.demonyms, mention.segment):
        country = doc.countries.get(demonym.country)
        if country is not None:
            mention.places = [PlaceMention(country, demonym.span, demonym.text)]
            return True
    return False


def _open(events: list[Event], mention: EventMention, why: str) -> None:
    """A new event, unless it is the one the headline announced and no sentence has told yet."""
    pending = next((e for e in events if e.headline and e.kind == mention.kind and _retells(e, mention)), None)
    if pending is not None:
        pending.absorb(mention, f"{why}: the event the headline announced")
    elif not mention.restates:
        events.append(_new_event(mention, why))


def _new_event(mention: EventMention, why: str) -> Event:
    event = Event(mention.kind, [], last_sentence=mention.sentence)
    event.absorb(mention, f"opened it ({why})")
    return event


def _continue_event(doc: Document, events: list[Event], index: int, sentence: Span, claims_only: bool) -> None:
    """A sentence with no attack word of its own: its claims, tolls and finer places belong to the attack just told;
    in a report that has told no attack, its tolls and places belong to the operation just told ("During the exchange
    of fire, eight terrorists also sustained injuries")."""
    told = [e for e in events if e.kind == "attack"] or [e for e in events if e.kind == "security_operation"]
    recent = _antecedent(told, EventMention("attack", [sentence], index, sentence, True, False))
    if recent is None or index - recent.last_sentence > CONTINUATION_REACH:
        return
    mention = EventMention(recent.kind, [Span(sentence.start, sentence.start)], index, sentence, True, False)
    if not claims_only:
        _add_tolls(doc, mention, sentence)
        if recent.place is not None:  # "... along a highway in Danghara district": finer than "in Tajikistan"
            finer = doc.within(doc.places, sentence)
            mention.places = [p for p in finer if p.place.refines(recent.place.place) and _the_scene(doc, p)]
    claims = find_claims(doc, sentence, sentence) if recent.kind == "attack" else []
    mention.claims = [c for c in claims if c.mode in ("claimed", "denied")]
    mention.perpetrators = [c for c in claims if c.mode == "attributed"]
    if not claims_only:  # "on Tuesday morning" after a headline; "on the morning of July 14" after "last month"
        mention.dates = [d for d in doc.within(doc.dates, sentence)
                         if d.precision in ("day", "week") and _dates_an_event(doc.plain, d)
                         and (recent.date is None or d.narrower_than(recent.date))][:1]
    if mention.killed or mention.injured or mention.claims or mention.perpetrators or mention.dates or mention.places:
        if recent.kind == "attack":
            mention.attack_type = _attack_type(doc.plain, sentence)
        recent.absorb(mention)


def _incident(doc: Document, number: int, event: Event) -> Incident:
    mentions = event.mentions
    killed = [f for m in mentions for f in m.killed]
    attackers = [f for m in mentions for f in m.attackers]
    also = [f for m in mentions for f in m.also_killed]
    injured = [f for m in mentions for f in m.injured]
    claims = unique_claims(c for m in mentions for c in m.claims)
    perpetrators = unique_claims(c for m in mentions for c in m.perpetrators)
    against = unique_claims(c for m in mentions for c in m.against)
    types = [m.attack_type for m in mentions if m.attack_type]
    # The lede's word for it ("gunmen stormed", not the later "one blew himself up"), made precise where a
    # generic "bombing" is later told to have been a suicide bombing.
    attack_type = types[0] if types else None
    if attack_type and attack_type[0] == "bombing":
        attack_type = next((t for t in types if t[0] == "suicide_bombing"), attack_type)
    targets = [m.target for m in mentions if m.target]
    named = [t for t in targets if t[0][:1].isupper()]
    target = (named or targets or [None])[0]
    places = _unique_places(p for m in mentions for p in m.places) if event.kind == "arrest" else []
    spans: dict[str, tuple[Span, ...]] = {"kind": tuple(t for m in mentions for t in m.triggers if t.end > t.start)}
    for name, value in (("place", event.place and (event.place.span,)),
                        ("date", event.date and event.date.span and (event.date.span,)),
                        ("killed", spans_of(killed + also + attackers)), ("injured", spans_of(injured)),
                        ("claimed_by", tuple(c.span for c in claims if c.mode == "claimed")),
                        ("perpetrator", tuple(c.span for c in perpetrators)),
                        ("against", tuple(c.span for c in against)),
                        ("attack_type", attack_type and (attack_type[1],)), ("target", target and (target[2],)),
                        ("places", tuple(p.span for p in places))):
        if value:
            spans[name] = tuple(value)
    return Incident(
        id=f"incident-{number}",
        kind=event.kind,
        sentences=tuple(doc.sentences[i] for i in sorted({m.sentence for m in mentions})),
        spans=spans,
        attack_type=(attack_type[0] if attack_type else "unknown") if event.kind == "attack" else None,
        target=target[0] if target else None,
        target_type=target[1] if target else None,
        place=event.place.place if event.place else None,
        places=tuple(p.place for p in places),
        date=event.date,
        killed=_with_attackers(_plus(combine(killed, doc.plain), combine(also, doc.plain)),
                               combine(attackers, doc.plain), doc, mentions),
        injured=combine(injured, doc.plain),
        figures={"killed": tuple(killed + also + attackers), "injured": tuple(injured)},
        claims=tuple(claims),
        perpetrator=tuple(dict.fromkeys(c.actor for c in perpetrators)),
        against=tuple(dict.fromkeys(c.actor for c in against)),
        victims=_victims(mentions, combine(attackers, doc.plain)),
        trail=tuple(event.trail),
    )


_INCLUDES_ATTACKERS = re.compile(r"\b(?:including|of\s+whom|among\s+them|among\s+the\s+dead|counting)\b[^.;]{0,40}?"
                                 r"\b(?:attackers?|assailants?|bombers?|militants|gunm[ae]n|terrorists)\b", re.I)
_EXCLUDES_ATTACKERS = re.compile(r"\b(?:not\s+(?:counting|including)|excluding|besides|apart\s+from|in\s+addition\s+to"
                                 r"|do(?:es)?\s+not\s+include)\b[^.;]{0,30}?\b(?:attackers?|assailants?|bombers?"
                                 r"|militants|gunm[ae]n|terrorists)\b", re.I)


def _with_attackers(victims: Figure | None, attackers: Figure | None, doc: Document,
                    mentions: list[EventMention]) -> Figure | None:
    """The toll as GTD and ACLED count it: the victims and the attackers who died, unless the text says its
    total already holds them ('43 dead, of whom four were the attackers')."""
    if attackers is None or victims is None:
        return victims or attackers
    told = " ".join(doc.plain[s.start : s.end] for s in {doc.sentences[m.sentence] for m in mentions})
    if attackers.best is not None and _INCLUDES_ATTACKERS.search(told) and not _EXCLUDES_ATTACKERS.search(told):
        return victims
    return _plus(victims, attackers)


def _plus(first: Figure | None, second: Figure | None) -> Figure | None:
    """Two counts of different people added up; a count given as a word ('several assailants were also killed')
    adds nothing but 'at least'."""
    if first is None or second is None:
        return first or second
    if second.best is None:
        return Figure(first.low, first.best, None, "at_least", first.text, first.span)

    def add(a: int | None, b: int | None) -> int | None:
        return None if a is None or b is None else a + b

    return Figure(add(first.low, second.low), add(first.best, second.best), add(first.high, second.high),
                  first.qualifier or second.qualifier, f"{first.text} + {second.text}", first.span)


def _victims(mentions: list[EventMention], attackers: Figure | None) -> tuple[tuple[str, str, Figure], ...]:
    """Who the dead and wounded were, where the text says: the first count given for each category."""
    seen: dict[tuple[str, str], Figure] = {}
    if attackers is not None:
        seen[("killed", "militants")] = attackers
    for mention in mentions:
        for which, category, figure in mention.victims:
            seen.setdefault((which, category or "unspecified"), figure)
    return tuple((which, category, figure) for (which, category), figure in seen.items())


def _unique_places(places) -> list[PlaceMention]:
    seen, kept = set(), []
    for place in places:
        if place.place.gazetteer_id not in seen:
            seen.add(place.place.gazetteer_id)
            kept.append(place)
    return kept

