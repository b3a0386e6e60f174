"""Event words: what signals an attack, an operation, an arrest or a meeting, and how to code it.

Attack and target types follow the Global Terrorism Database's categories (docs/extraction-format.md).
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

ATTACK_TRIGGER = re.compile(
    r"\b(?:(?:suicide|twin|bomb|gun|grenade|rocket|terror(?:ist)?|militant|insurgent|armed|deadly|coordinated)\s+)?"
    r"(?:attacks?|bombings?|blasts?|explosions?|bombers?|massacre|assault|ambush(?:ed)?|shootings?|stormed"
    r"|gunmen|car[- ]bomb(?:ing)?s?|truck[- ]bomb|IEDs?|hostage[- ]taking|kidnapp(?:ed|ing)|abduct(?:ed|ion)"
    r"|assassinat(?:ed|ion)|blew\s+(?:himself|herself|themselves)\s+up|opened\s+fire|rammed|stabbed|hacked\s+to\s+death)\b",
    _I,
)
# Senses of "attack" that are not violence, and contexts that make an attack hypothetical.
NOT_VIOLENCE = re.compile(
    r"\b(?:heart|panic|asthma|pace|spin|bowling|seam|batting|verbal|cyber|counter)[- ](?:attacks?|assault)\b"
    r"|\b(?:attacks?|attacking)\s+(?:batting|bowling|cricket|football|play|shot|stroke|batsm[ae]n|on\s+the\s+"
    r"(?:government|policy|opposition|media|judiciary))|\bbomb(?:ed)?\s+at\s+the\s+box|\bbox[- ]office\s+bomb",
    _I,
)
HYPOTHETICAL = re.compile(
    r"\b(?:threats?|plan(?:ned|ning|s)?|plots?|plotting|warn(?:ed|ing|s)?|fears?|feared|risk|prevent(?:ed|ing)?"
    r"|could|would|may|might|will|capable|potential|possible|possibility|foil(?:ed|ing)?|thwart(?:ed|ing)?"
    r"|vulnerable|alerts?|prone|carry\s+out|target\s+of|intended|aimed\s+to|conduct\s+more|more\s+attacks"
    r"|against\s+(?:further|future)|any)\s+(?:\w+\s+){0,3}$",
    _I,
)

OPERATION_TRIGGER = re.compile(
    r"\b(?:(?:military|security|army|police|counter[- ]?terror(?:ism)?|ground|air|intelligence[- ]based|search"
    r"|combing|clearance|joint|major|large[- ]scale)\s+)+(?:operations?|offensive|raids?|crackdown|strikes?)\b"
    r"|\b(?:operation|Operation)\s+(?:[A-Z][\w'-]+)|\b(?:raid(?:ed|s)?|offensive|crackdown|air\s?strikes?"
    r"|drone\s+strikes?)\b|\b[A-Z][\w'-]+\s+operation\b",
    re.UNICODE,
)
ARREST_TRIGGER = re.compile(
    r"\b(?:arrested|arrests?|detained|apprehended|nabbed|taken\s+into\s+custody|rounded\s+up|captured)\b", _I
)
MEETING_TRIGGER = re.compile(
    r"\b(?:meetings?|met|meet|meeting|talks|consultations?|summit|conference|dialogue|session|parleys?"
    r"|huddle|round\s+of\s+talks|held\s+talks|consultative\s+meeting)\b",
    _I,
)
VISIT_TRIGGER = re.compile(r"\b(?:trip|visit(?:ed|ing)?|tour(?:ed)?)\b", _I)
FUTURE_MEETING = re.compile(
    r"\b(?:hold(?:ing)?|will|to\s+meet|plan(?:ned|s)?\s+to|next|upcoming|proposed|agreed\s+on|agreed\s+to)\s+"
    r"(?:\w+\s+){0,2}$",
    _I,
)

# Attack types, most specific first (GTD: attack type 1-9).
ATTACK_TYPES = [
    ("suicide_bombing", re.compile(r"\bsuicide\b|blew\s+(?:himself|herself|themselves)\s+up|\bfidayeen\b", _I)),
    ("kidnapping", re.compile(r"\b(?:kidnap\w*|abduct\w*|hostages?)\b", _I)),
    ("bombing", re.compile(r"\b(?:bomb\w*|blasts?|explosi\w+|IEDs?|grenades?|mortar|rockets?|landmine|"
                           r"improvised\s+explosive|detonat\w+|car[- ]bomb)\b", _I)),
    ("assassination", re.compile(r"\b(?:assassinat\w+|targeted\s+killing)\b", _I)),
    ("armed_assault", re.compile(r"\b(?:gunm[ae]n|opened\s+fire|shooting|shot\s+dead|gunfire|firing|stormed|"
                                 r"armed\s+(?:assault|attack|men)|rifles?|gun\s+attack|stabb\w+|knives|"
                                 r"rammed|hacked)\b", _I)),
    ("facility_attack", re.compile(r"\b(?:set\s+(?:on\s+)?fire|torched|arson|burn(?:ed|t)\s+down)\b", _I)),
]

# Target nouns and their type (GTD target/victim types, shortened).
TARGETS = [
    (r"hospital|clinic|maternity\s+ward|medical\s+cent(?:re|er)", "health"),
    (r"school|university|college|madrassa|madrasa|seminary|academy|campus|education(?:al)?\s+cent(?:re|er)"
     r"|tuition\s+cent(?:re|er)|Confucius\s+Institute|institute", "educational"),
    (r"mosque|shrine|imambargah|imambargah|church|temple|gurdwara|procession|worshippers|congregation"
     r"|prayers", "religious"),
    (r"police\s+(?:station|post|headquarters|training\s+(?:college|cent(?:re|er)|school)|van|convoy|officers?)"
     r"|policemen|checkpoint|check\s*post|police", "police"),
    (r"army|military|soldiers|troops|convoy|cantonment|garrison|base|cadets|security\s+forces"
     r"|Revolutionary\s+Guards?|paramilitary|Frontier\s+Corps|Rangers", "military"),
    (r"embassy|consulate|diplomats?|mission", "diplomatic"),
    (r"market|bazaar|cafe|café|restaurant|hotel|bank|shop|shopping\s+mall|mall|bakery|guest\s*house", "business"),
    (r"bus|buses|train|airport|airline|aircraft|railway|station|passengers|vehicle", "transportation"),
    (r"election\s+(?:rally|gathering|meeting|office|campaign)|rally|corner\s+meeting|gathering|polling\s+station"
     r"|party\s+office|political\s+(?:rally|gathering)", "political"),
    (r"court|courthouse|judges?|lawyers|parliament|ministry|government\s+(?:office|building)|officials"
     r"|governor'?s?\s+house|compound", "government"),
    (r"journalists?|press\s+club|reporters?|media", "journalists_media"),
    (r"polio\s+(?:workers?|teams?|vaccinators?)|aid\s+workers?|NGO|charity", "ngo"),
    (r"tourists?|cyclists|foreigners", "tourists"),
    (r"pipeline|power\s+(?:plant|station|pylons?)|pylons?|gas\s+(?:line|pipeline)|grid|dam", "utilities"),
    (r"wedding(?:\s+(?:hall|party|ceremony))?|funeral|park|crowd|civilians|residents|village|picnic"
     r"|family|families|graduation\s+ceremony|sports\s+(?:club|event)|cricket\s+match|playground", "private_citizens"),
]
TARGET = re.compile(r"\b(?:" + "|".join(f"(?P<t{i}>{p})" for i, (p, _) in enumerate(TARGETS)) + r")\b", _I)


def target_type(match: re.Match) -> str:
    for i, (_, kind) in enumerate(TARGETS):
        if match.group(f"t{i}"):
            return kind
    return "other"


def attack_type(text: str) -> str | None:
    for name, pattern in ATTACK_TYPES:
        if pattern.search(text):
            return name
    return None
