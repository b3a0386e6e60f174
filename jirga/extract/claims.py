"""Claims of responsibility, denials and attributions: one Claim per group, each with its span."""

from __future__ import annotations

import re

from jirga.extract.document import Document, clause_bounds
from jirga.model import ActorRef, Claim, Span

_ACTIVE = re.compile(
    r"\b(?:(?:has|have|had)\s+)?(?:claimed|claims|claiming|took|takes|taken|accepted|accepts|owned|owns|issued)"
    r"\s+(?:the\s+|a\s+)?(?:(?:respons\w*|credit|claim\s+of\s+responsibility)|(?=(?:the\s+)?(?:attack|bombing|"
    r"blast|assault|killing|strike|it)\b))"
    r"|\bsaid\s+(?:it|they)\s+(?:had\s+)?(?:carried\s+out|was\s+behind|were\s+behind|conducted)",
    re.IGNORECASE,
)
_PASSIVE = re.compile(
    r"\b(?:was|were|has\s+been|had\s+been)?\s*claimed\s+by\b|\bclaims?\s+of\s+responsibility\s+(?:came\s+)?"
    r"(?:from|by)\b|\bresponsibility\s+(?:was|has\s+been|had\s+been)\s+claimed\s+by\b",
    re.IGNORECASE,
)
_DENIAL = re.compile(r"\b(?:denied|denies|disowned|disowns|distanced\s+itself)\b", re.IGNORECASE)
_BLAME_OBJECT = re.compile(
    r"\b(?:blamed|blames|blaming|accused|accuses|attributed\s+(?:\w+\s+){0,3}to|pinned\s+(?:\w+\s+){0,3}on"
    r"|suspected|suspects|blamed\s+(?:\w+\s+){0,3}on)\b",
    re.IGNORECASE,
)
_BLAME_SUBJECT = re.compile(r"\b(?:was|were)\s+(?:blamed|suspected|behind)\b", re.IGNORECASE)
_RELATIVE = re.compile(r",\s*(?:which|who|that)\b|\bwhich\b")
_LIST_JOIN = re.compile(r"^\s*(?:,|and|or|as\s+well\s+as|,\s*and|both)?\s*(?:both\s+)?$", re.IGNORECASE)


def find_claims(doc: Document, sentence: Span) -> list[Claim]:
    """Claims stated in one sentence, in text order."""
    text = doc.text
    body = text[sentence.start : sentence.end]
    claims: list[Claim] = []
    for match in _ACTIVE.finditer(body):
        verb = sentence.start + match.start()
        for actor in _subjects(doc, sentence, verb):
            claims.append(Claim(actor.name, actor.id, "claimed", actor.span))
    for match in _PASSIVE.finditer(body):
        for actor in _objects(doc, sentence, sentence.start + match.end()):
            claims.append(Claim(actor.name, actor.id, "claimed", actor.span))
    for match in _DENIAL.finditer(body):
        for actor in _subjects(doc, sentence, sentence.start + match.start()):
            claims.append(Claim(actor.name, actor.id, "denied", actor.span))
    for match in _BLAME_OBJECT.finditer(body):
        for actor in _objects(doc, sentence, sentence.start + match.end()):
            claims.append(Claim(actor.name, actor.id, "attributed", actor.span))
    for match in _BLAME_SUBJECT.finditer(body):
        for actor in _subjects(doc, sentence, sentence.start + match.start()):
            claims.append(Claim(actor.name, actor.id, "attributed", actor.span))
    return _dedupe(claims)


def _subjects(doc: Document, sentence: Span, verb: int) -> list[ActorRef]:
    """The group(s) right before the verb, skipping a relative clause: 'X, which joined Y, claimed'."""
    clause = clause_bounds(doc.text, sentence, verb)
    before = [a for a in doc.groups(Span(clause.start, verb))]
    if not before:
        return []
    relative = [m for m in _RELATIVE.finditer(doc.text, clause.start, verb)]
    if relative:
        cut = relative[-1].start()
        outside = [a for a in before if a.span.end <= cut]
        before = outside or before
    chosen = [before[-1]]
    for earlier in reversed(before[:-1]):
        if _LIST_JOIN.match(doc.text[earlier.span.end : chosen[0].span.start]):
            chosen.insert(0, earlier)
        else:
            break
    return chosen


def _objects(doc: Document, sentence: Span, after: int) -> list[ActorRef]:
    """The group(s) right after 'claimed by' / 'blamed', a list joined by 'and' included."""
    following = [a for a in doc.groups(Span(after, sentence.end))]
    if not following or following[0].span.start - after > 30:
        return []
    chosen = [following[0]]
    for later in following[1:]:
        if _LIST_JOIN.match(doc.text[chosen[-1].span.end : later.span.start]):
            chosen.append(later)
        else:
            break
    return chosen


def _dedupe(claims: list[Claim]) -> list[Claim]:
    seen, kept = set(), []
    for claim in claims:
        if (claim.actor_id, claim.mode) not in seen:
            seen.add((claim.actor_id, claim.mode))
            kept.append(claim)
    return kept
