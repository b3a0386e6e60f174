"""Relations between groups as the text states them: allied_with, splinter_of, part_of, linked_to,
pledged_allegiance_to, members_pledged_allegiance_to, members_joined."""

from __future__ import annotations

import re

from jirga.extract.document import Document, clause_bounds
from jirga.model import ActorRef, PersonRef, Relation, Span
from jirga.reference.lexicon import Lexicon

SYMMETRIC = {"allied_with", "linked_to"}
_I = re.IGNORECASE
_SPLINTER = re.compile(r"\b(?:splinter|breakaway|break-away|offshoot)\s*(?:group|faction|outfit)?\b", _I)
_SPLIT_FROM = re.compile(r"\b(?:split|broke\s+away|broke\s+off|breaking\s+away|parted\s+ways)\s+from\b", _I)
_PART = re.compile(r"\b(?:chapter|branch|affiliate|wing|province|franchise|arm|faction)\s+of\b", _I)
_KNOWN_AS = re.compile(r"^\s*(?:,\s*)?(?:(?:also\s+)?known\s+as|called|named|calling\s+itself|,)\s*(?:the\s+)?$", _I)
_POSSESSIVE_PART = re.compile(r"^(?:'s?)\s+(?:\w+\s+)?(?:chapter|branch|affiliate|wing|province|franchise)\s*,?\s*"
                              r"(?:the\s+)?$", _I)
_ALLIED = re.compile(r"\b(?:allied\s+with|allies\s+of|ally\s+of|joined\s+hands\s+with|in\s+alliance\s+with|alliance\s+"
                     r"with|aligned\s+with|teamed\s+up\s+with|merged\s+with)\b", _I)
_LINKED = re.compile(r"\b(?:linkages?|links?|ties|connections?|contacts?|nexus|linked)\s+(?:with|to)\b", _I)
_PLEDGE = re.compile(r"\b(?:pledg\w*|swore|sworn|swear\w*|declar\w*|announc\w*)\s+(?:their\s+|its\s+|his\s+)?"
                     r"(?:allegiance|loyalty|bay'?ah)\s+to\b", _I)
_JOINED = re.compile(r"\b(?:joined|have\s+joined|has\s+joined|joining|defected\s+to)\b(?!\s+hands)", _I)
_MEMBERS = re.compile(r"\b(?:fighters|militants|members|commanders|cadres|leaders|operatives|recruits|men)\b", _I)
_INCLUDING = re.compile(r"^[^.;]{0,80}?\bincluding\b", _I)


def find_relations(doc: Document, lexicon: Lexicon) -> list[Relation]:
    found: list[Relation] = []
    for sentence in doc.sentences:
        groups = _groups_with_leaders(doc, sentence, lexicon)
        if len(groups) < 2:
            continue
        found += _splinters(doc, sentence, groups)
        found += _parts(doc, sentence, groups)
        found += _symmetric(doc, sentence, groups, _ALLIED, "allied_with")
        found += _symmetric(doc, sentence, groups, _LINKED, "linked_to")
        found += _pledges(doc, sentence, groups)
        found += _joins(doc, sentence, groups)
    return _dedupe([r for r in found if r.subject_id != r.object_id])


def _groups_with_leaders(doc: Document, sentence: Span, lexicon: Lexicon) -> list[ActorRef]:
    """Armed groups in the sentence, plus each catalogued leader standing for the group he leads."""
    groups = list(doc.groups(sentence))
    for person in doc.within(doc.people, sentence):
        actor = lexicon.actors.get(person.actor_id)
        if actor is not None:
            groups.append(_leader_as_group(person, actor))
    return sorted(groups, key=lambda g: g.span.start)


def _leader_as_group(person: PersonRef, actor) -> ActorRef:
    return ActorRef(actor.id, actor.name, actor.kind, person.text, person.span, "leader")


def _left(groups, position, clause_start):
    return [g for g in groups if clause_start <= g.span.start and g.span.end <= position]


def _right(groups, position, clause_end):
    return [g for g in groups if position <= g.span.start and g.span.end <= clause_end]


def _relation(subject: ActorRef, relation: str, obj: ActorRef, span: Span) -> Relation:
    return Relation(subject.name, subject.id, relation, obj.name, obj.id, span, relation in SYMMETRIC)


def _cover(a: ActorRef, b: ActorRef) -> Span:
    return Span(min(a.span.start, b.span.start), max(a.span.end, b.span.end))


def _splinters(doc, sentence, groups):
    found = []
    for pattern, object_after in ((_SPLINTER, None), (_SPLIT_FROM, True)):
        for cue in doc.matches(pattern, sentence):
            clause = clause_bounds(doc.text, sentence, cue.start())
            left, right = _left(groups, cue.start(), clause.start), _right(groups, cue.end(), clause.end)
            if not left or not right:
                continue
            of_follows = re.match(r"\s*of\b", doc.text[cue.end() :], _I)
            if object_after or of_follows:  # "A, a splinter group of B" / "A broke away from B"
                subject, obj = left[-1], right[0]
            else:  # "B splinter group A"
                subject, obj = right[0], left[-1]
            found.append(_relation(subject, "splinter_of", obj, _cover(subject, obj)))
    return found


def _parts(doc, sentence, groups):
    found = []
    for cue in doc.matches(_PART, sentence):
        right = _right(groups, cue.end(), sentence.end)
        if not right:
            continue
        parent = right[0]
        known_as = len(right) > 1 and _KNOWN_AS.match(doc.text[parent.span.end : right[1].span.start])
        named = right[1] if known_as else None
        left = _left(groups, cue.start(), clause_bounds(doc.text, sentence, cue.start()).start)
        child = named or (left[-1] if left and re.search(r",\s*(?:the|a|an)?\s*(?:\w+\s+){0,2}$",
                                                         doc.text[left[-1].span.end : cue.start()]) else None)
        if child is not None:
            found.append(_relation(child, "part_of", parent, _cover(child, parent)))
    for parent in groups:  # "Daesh's local chapter, ISKP"
        tail = [g for g in groups if g.span.start > parent.span.end]
        if tail and _POSSESSIVE_PART.match(doc.text[parent.span.end : tail[0].span.start]):
            found.append(_relation(tail[0], "part_of", parent, _cover(tail[0], parent)))
    return found


def _symmetric(doc, sentence, groups, pattern, name):
    found = []
    for cue in doc.matches(pattern, sentence):
        clause = clause_bounds(doc.text, sentence, cue.start())
        right = _right(groups, cue.end(), clause.end)
        if not right or right[0].span.start - cue.end() > 40:
            continue
        obj = right[0]
        including = _INCLUDING.match(doc.text[obj.span.end : clause.end])
        if including:  # "groups allied with B, including A1, A2 and A3"
            members = doc.listed_from([g for g in right[1:] if g.span.start >= obj.span.end + including.end()])
            found += [_relation(m, name, obj, _cover(m, obj)) for m in members]
            continue
        left = _left(groups, cue.start(), clause.start)
        if left:
            found.append(_relation(left[-1], name, obj, _cover(left[-1], obj)))
    return found


def _subjects_before(doc, groups, position, clause_start):
    """The group list right before a verb: 'TTP and Lashkar-e-Jhangvi fighters ... have joined'."""
    left = _left(groups, position, clause_start)
    if not left:
        return [], False
    chosen = doc.listed_up_to(left)
    members = bool(_MEMBERS.search(doc.text[chosen[0].span.start : position]) or _MEMBERS.search(
        doc.text[max(clause_start, chosen[0].span.start - 30) : chosen[0].span.start]))
    return chosen, members


def _pledges(doc, sentence, groups):
    found = []
    for cue in doc.matches(_PLEDGE, sentence):
        right = _right(groups, cue.end(), sentence.end)
        if not right:
            continue
        subjects, members = _subjects_before(doc, groups, cue.start(), clause_bounds(doc.text, sentence,
                                                                                        cue.start()).start)
        relation = "members_pledged_allegiance_to" if members else "pledged_allegiance_to"
        found += [_relation(s, relation, right[0], _cover(s, right[0])) for s in subjects]
    return found


def _joins(doc, sentence, groups):
    found = []
    for cue in doc.matches(_JOINED, sentence):
        right = _right(groups, cue.end(), sentence.end)
        if not right or right[0].span.start - cue.end() > 20:
            continue
        subjects, members = _subjects_before(doc, groups, cue.start(), sentence.start)
        if members:
            found += [_relation(s, "members_joined", right[0], _cover(s, right[0])) for s in subjects]
    return found


def _dedupe(relations: list[Relation]) -> list[Relation]:
    seen, kept = set(), []
    for r in relations:
        key = (r.relation, *sorted((r.subject_id, r.object_id))) if r.symmetric else (r.relation, r.subject_id,
                                                                                       r.object_id)
        if key not in seen:
            seen.add(key)
            kept.append(r)
    return kept
