"""Claims of responsibility, denials and attributions: one Involvement per group, each with its span."""

from __future__ import annotations

import re

from jirga.extract.document import Document, clause_bounds
from jirga.model import ActorRef, Involvement, Span

_ACTIVE = re.compile(
    r"\b(?:(?:has|have|had)\s+)?(?:claimed|claims|claiming|took|takes|taken|accepted|accepts|owned|owns|issued)"
    r"\s+(?:the\s+|a\s+)?(?:(?:respons\w*|credit|claim\s+of\s+responsibility)|(?=(?:the\s+|that\s+|this\s+)?"
    r"(?:[\w'-]+\s+){0,3}(?:(?:attack|bombing|blast|assault|killing|strike|raid|massacre|shooting|explosion|ambush)s?"
    r"|it|that|this)\b))"
    r"|\b(?:put\s+out|issued|made|released|posted)\s+(?:a|its|their)\s+(?:own\s+)?claim"
    r"|\b(?:say|said|says|saying)\s+(?:that\s+)?(?:it|they|his\s+men|its\s+men|its\s+fighters|their\s+men|his\s+group"
    r"|the\s+group|its\s+members|one\s+of\s+its\s+(?:fighters|members|soldiers))(?:\s*,[^,]{0,60},)?\s+(?:too\s+|also\s+)?(?:had\s+"
    r"|have\s+|has\s+)?(?:carried\s+(?:it\s+)?out|was\s+behind|were\s+behind|been\s+behind|conducted|staged|launched"
    r"|were\s+responsible|was\s+responsible|struck|attacked|detonated|blew|set\s+off|sent)"
    r"|\b(?:called|described)\s+the\s+(?:attackers|bombers?|gunmen)\s+its\s+(?:soldiers|fighters|men|martyrs)"
    r"|\b(?:said|says)\s+(?:that\s+)?its\s+(?:man|men|fighters?|bombers?|soldiers?|members?|martyrs?)\b"
    r"|\b(?:group's|its)\s+claim\b"
    r"|\b(?:said|says|stated|announced)\b[^.;]{0,80}?\bthat\s+(?:it|they|its\s+(?:men|fighters|members))\s+(?:too\s+"
    r"|also\s+)?(?:had\s+|has\s+|have\s+)?(?:sent|carried\s+out|conducted|staged|dispatched|was\s+behind"
    r"|were\s+behind|been\s+behind)"
    r"|\b(?:said|says|stated)\s+(?:that\s+)?the\s+(?:attack|bombing|blast|assault)\s+(?:was|had|opened|marked|"
    r"avenged|would|targeted)",
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
_BLAME_SUBJECT = re.compile(  # "they were also behind", "X is believed to have been behind"
    r"\b(?:was|were|is|are)\s+(?:(?:also|allegedly|reportedly|likely|probably|widely|most\s+likely)\s+)?"
    r"(?:(?:believed|thought|said)\s+to\s+(?:be|have\s+been)\s+)?(?:blamed|suspected|behind)\b", re.IGNORECASE)
_RELATIVE = re.compile(r",\s*(?:which|who|that)\b|\bwhich\b")
# Only a spokesman speaks for a group: its commanders and chiefs are as often an attack's victims.
_SPOKESMAN = re.compile(r"\b(?:spokes(?:man|person|woman|men))\b[^.;]{0,60}?\b(?:said|says|told"
                        r"|stated|telephoned|called|contacted|tweeted)\b", re.IGNORECASE)
_NOT_INVOLVED = re.compile(r"\b(?:not\s+involved|no\s+(?:role|hand|link)|not\s+behind|had\s+nothing\s+to\s+do)\b",
                           re.IGNORECASE)
_IN_APPOSITION = re.compile(r",\s*(?:a|an|the)\s+(?:[\w'-]+\s+){0,4}(?:of|from|within)\s+(?:the\s+)?$",
                            re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:it|they)\s+(?:had\s+|has\s+|have\s+|also\s+)?$", re.IGNORECASE)
_APPOSITIVE = re.compile(r"^\s*,\s*(?:the|a|an|as|whose)\b", re.IGNORECASE)


def find_claims(doc: Document, segment: Span, sentence: Span) -> list[Involvement]:
    """Claims whose verb lies in segment (a sentence or part of one); their subject may stand earlier in the
    sentence: 'Jamaat-ul-Ahrar, the faction that bombed a park last year, said the attack ...'."""
    claims: list[Involvement] = []
    for match in doc.matches(_ACTIVE, segment):
        for actor in _subjects(doc, sentence, match.start()):
            claims.append(Involvement(actor.name, actor.id, "claimed", actor.span))
    for match in doc.matches(_PASSIVE, segment):
        for actor in _objects(doc, segment, match.end()):
            claims.append(Involvement(actor.name, actor.id, "claimed", actor.span))
    denied = False
    for match in list(doc.matches(_DENIAL, segment)) + list(
            doc.matches(_NOT_INVOLVED, segment)):
        for actor in _subjects(doc, sentence, match.start()):
            claims.append(Involvement(actor.name, actor.id, "denied", actor.span))
            denied = True
    if not denied:  # "a spokesman for X told reporters ...": the group speaking for the attack
        for match in doc.matches(_SPOKESMAN, segment):
            for actor in _subjects(doc, sentence, match.end(), pronouns=False):
                if actor.span.start < match.end():
                    claims.append(Involvement(actor.name, actor.id, "claimed", actor.span))
    for match in doc.matches(_BLAME_OBJECT, segment):
        for actor in _objects(doc, segment, match.end()):
            claims.append(Involvement(actor.name, actor.id, "attributed", actor.span))
    for match in doc.matches(_BLAME_SUBJECT, segment):
        for actor in _subjects(doc, sentence, match.start()):
            claims.append(Involvement(actor.name, actor.id, "attributed", actor.span))
    return unique_claims(claims)


def _subjects(doc: Document, segment: Span, verb: int, pronouns: bool = True) -> list[ActorRef]:
    """The group(s) that are the subject of a verb: 'X, which joined Y, claimed', 'X, the Y faction, said',
    'it claimed' (the group last named)."""
    clause = clause_bounds(doc.text, segment, verb)
    before = doc.groups(Span(clause.start, verb))
    if not before:
        if pronouns and _PRONOUN.search(doc.text[max(clause.start, verb - 20) : verb]):
            earlier = doc.last_group_before(verb)
            return [earlier] if earlier else []
        return []
    # "Jamaat-ul-Ahrar, a splinter faction of the TTP, claimed": a group inside an apposition is not the subject
    before = [a for a in before if not _IN_APPOSITION.search(doc.text, clause.start, a.span.start)
              or not re.fullmatch(r"[^,]*,\s*", doc.text[a.span.end : verb])] if before else before
    if not before:
        return []
    relative = list(_RELATIVE.finditer(doc.text, clause.start, verb))
    if relative:
        outside = [a for a in before if a.span.end <= relative[-1].start()]
        before = outside or before
    first = before[0]
    if len(before) > 1 and _APPOSITIVE.match(doc.text[first.span.end : verb]) and not doc.groups(
            Span(clause.start, first.span.start)):
        return [first]
    return doc.listed_up_to(before)


def _objects(doc: Document, segment: Span, after: int) -> list[ActorRef]:
    """The group(s) right after 'claimed by' / 'blamed', a list joined by 'and' included."""
    following = doc.groups(Span(after, segment.end))
    if not following or following[0].span.start - after > 30:
        return []
    return doc.listed_from(following)


def unique_claims(claims) -> list[Involvement]:
    """One claim per group and mode, in order of first mention."""
    seen, kept = set(), []
    for claim in claims:
        if (claim.actor_id, claim.mode) not in seen:
            seen.add((claim.actor_id, claim.mode))
            kept.append(claim)
    return kept
