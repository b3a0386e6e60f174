"""Find the groups and organisations a text names: catalog aliases, then fuzzy variants."""

from __future__ import annotations

import re

from jirga.model import ActorRef, Span
from jirga.reference.lexicon import Lexicon
from jirga.reference.names import skeleton

# Words that mark a name as a militant group's even when the catalog does not know it.
_GROUP_WORD = (
    r"(?:Lashkar|Lashkr|Laskhar|Jaish|Jaysh|Jaishul|Tehrik|Tehreek|Tehrek|Tahrik|Tahreek|Harakat|Harkat|Hizb|Hezb"
    r"|Hizbul|Jamaat|Jamat|Jamaatul|Jama'at|Ansar|Ansarul|Ansarullah|Jund|Jundullah|Junud|Sipah|Tanzeem|Tanzim"
    r"|Katibat|Katiba|Liwa|Jabhat|Fidayeen|Mujahideen|Mujahidin|Wilayat|Wilayah|Daesh|Daish|Taliban|Ittehad"
    r"|Ittihad|Majlis|Resistance|Liberation)"
)
_NAME_TOKEN = r"[A-Z][\w']*(?:-[\w']+)*"
_CONNECTOR = r"(?:e|i|ul|ur|al|ud|un|us|ut|of|the|wal|bil|fi)"
# Atomic tokens: a hyphen inside a name is never given back to the separator, so "Al-Al-Al-..." stays linear.
_CANDIDATE = re.compile(rf"(?>{_NAME_TOKEN})(?:[ -]+(?:{_CONNECTOR}[ -]+)*(?>{_NAME_TOKEN}))*")
_HAS_GROUP_WORD = re.compile(rf"\b{_GROUP_WORD}(?![a-z])", re.IGNORECASE)
_TRAILING = re.compile(r"(?:[ -]+(?:group|faction|militants?|fighters?|chief|leader))+$", re.IGNORECASE)

FUZZY_ACCEPT = 88.0  # Indel similarity of skeletons; measured on the catalog's own spelling variants
FUZZY_SUGGEST = 60.0


def find_actors(text: str, folded: str, key: str, lexicon: Lexicon) -> list[ActorRef]:
    """Catalog matches first; then group-like names the catalog lacks, resolved only when close.

    folded is fold(text) and key its match_key form, both computed once by the caller."""
    refs = []
    for start, end, payloads in lexicon.actor_index.find(key, _acronym_filter(folded)):
        actor, how = payloads[0]
        refs.append(ActorRef(actor.id, actor.name, actor.kind, text[start:end], Span(start, end), how))
    refs.extend(_unknown_groups(text, folded, refs, lexicon))
    refs.sort(key=lambda r: r.span.start)
    return _taliban_in_context(refs, lexicon)


def _taliban_in_context(refs: list[ActorRef], lexicon: Lexicon) -> list[ActorRef]:
    """A bare 'Taliban' in a report about the TTP that never names the Afghan movement is the TTP."""
    ids = {r.id for r in refs}
    if "ttp" not in ids or "ttp" not in lexicon.actors:
        return refs
    if any(r.id == "afghan-taliban" and r.text.lower() != "taliban" for r in refs):
        return refs
    ttp = lexicon.actors["ttp"]
    return [ActorRef(ttp.id, ttp.name, ttp.kind, r.text, r.span, "context") if r.id == "afghan-taliban" else r
            for r in refs]


def _acronym_filter(folded: str):
    """Acronyms match only as written (IS, not 'is'); aliases match in any case."""

    def accept(start, end, payloads):
        written = folded[start:end].replace("-", " ")
        keep = []
        for actor, how in payloads:
            if how == "alias" or any(written == acronym.replace("-", " ") for acronym in actor.acronyms):
                keep.append((actor, how))
        keep.sort(key=lambda p: p[1] != "alias")
        return tuple(keep)

    return accept


def _unknown_groups(text: str, folded: str, known: list[ActorRef], lexicon: Lexicon) -> list[ActorRef]:
    masked = list(folded)
    for ref in known:
        masked[ref.span.start : ref.span.end] = "#" * (ref.span.end - ref.span.start)
    masked_text = "".join(masked)
    refs = []
    for match in _CANDIDATE.finditer(masked_text):
        name = _TRAILING.sub("", match.group())
        word = _HAS_GROUP_WORD.search(name)
        if not word:
            continue
        # "Fighters of the Lashkar-e-Jhangwi": the name starts after the last "of"/"the" before the group word
        lead = list(re.finditer(r"\b(?:of|the)\s+", name[: word.start()], re.IGNORECASE))
        offset = lead[-1].end() if lead else 0
        name = name[offset:]
        if len(skeleton(name)) < 5:
            continue
        span = Span(match.start() + offset, match.start() + offset + len(name))
        written = text[span.start : span.end]
        best = lexicon.closest_group(name)
        if best and best.score >= FUZZY_ACCEPT:
            a = best.actor
            refs.append(ActorRef(a.id, a.name, a.kind, written, span, "fuzzy", best.score))
        else:
            suggestion = best.actor.name if best and best.score >= FUZZY_SUGGEST else None
            refs.append(
                ActorRef(f"unresolved:{skeleton(name)}", written, "unresolved", written, span, "unresolved",
                         best.score if best else 0.0, suggestion)
            )
    return refs
