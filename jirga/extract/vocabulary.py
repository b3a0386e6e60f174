"""Event words: what signals an attack, an operation, an arrest or a meeting, and how to code it.

Attack and target types follow the Global Terrorism Database's categories (docs/extraction-format.md).
"""

from __future__ import annotations

import re

from jirga.model.vocab import TARGET_TYPES

_I = re.IGNORECASE

ATTACK_TRIGGER = re.compile(
    r"\b(?:(?:suicide|twin|bomb|gun|grenade|rocket|terror(?:ist)?|militant|insurgent|armed|deadly|coordinated)\s+)?"
    r"(?:attacks?|bombings?|blasts?|explosions?|bombers?|massacre|assaults?|ambush(?:ed)?|shootings?|stormed"
    r"|gunmen|car[- ]bomb(?:ing)?s?|truck[- ]bomb|ieds?|hostage[- ]taking|kidnapp(?:ed|ing)|abduct(?:ed|ion)"
    r"|attacked|bombed|raid(?:ed)?|siege|attackers|assailants|hostage\s+crisis|burst\s+into|bombs?|exploded|went\s+off|detonated"
    r"|struck\s+again|blew\s+up|broke\s+into|shoot-?outs?|gun\s*battles?|gunfights?|firefights?|clash(?:es|ed)"
    r"|assassinat(?:ed|ion)|blew\s+(?:himself|herself|themselves)\s+up|opened\s+fire|rammed|stabbed|hacked\s+to\s+death)\b",
    _I,
)
# Senses of "attack" that are not violence, and contexts that make an attack hypothetical.
NOT_VIOLENCE = re.compile(
    r"\b(?:heart|panic|asthma|pace|spin|bowling|seam|batting|verbal|cyber|counter)[- ](?:attacks?|assault)\b"
    r"|\b(?:attacks?|attacking)\s+(?:batting|bowling|cricket|football|play|shot|stroke|batsm[ae]n|on\s+the\s+"
    r"(?:government|policy|opposition|media|judiciary))|\bbomb(?:ed)?\s+at\s+the\s+box|\bbox[- ]office\s+bomb"
    r"|\bexplosions?\s+(?:in|of)\s+(?:demand|prices|growth|population|sales|interest|popularity|traffic|cases)"
    r"|\b(?:population|price|data|information)\s+explosion",
    _I,
)
# "one of the worst attacks", "the deadliest bombing in years": a comparison, not another event.
COMPARISON = re.compile(r"\b(?:one\s+of\s+the\s+|the\s+|its\s+|their\s+)?(?:worst|deadliest|bloodiest|biggest|largest"
                        r"|most\s+(?:serious|lethal|devastating|brazen|audacious))\s+(?:[\w-]+\s+){0,2}$", _I)
# A sentence about a game: its "attack", "struck" and "assault" are play.
SPORT = re.compile(r"\b(?:wickets?|innings|overs|bowl\w*|batsm[ae]n|batting|batter|t20|odi|test\s+match|runs|sixes"
                   r"|boundar(?:y|ies)|goal(?:s|keeper)?|striker|midfield\w*|tournament|league|stadium|captain|pitch"
                   r"|semi-final|final\s+over|scored)\b", _I)
HYPOTHETICAL = re.compile(
    r"\b(?:threats?|plan(?:ned|ning|s)?|plots?|plotting|warn(?:ed|ing|s)?|fears?|feared|risk|prevent(?:ed|ing)?"
    r"|could|would|may|might|will|capable|potential|possible|possibility|foil(?:ed|ing)?|thwart(?:ed|ing)?"
    r"|vulnerable|alerts?|prone|carry\s+out|target\s+of|intended|aimed\s+to|conduct\s+more|more\s+attacks"
    r"|return\s+to|resume|to\s+launch|to\s+intensify|to\s+step\s+up|ordered|urged"
    r"|against\s+(?:further|future)|any)\s+(?:\w+\s+){0,3}$",
    _I,
)

OPERATION_TRIGGER = re.compile(
    r"\b(?:(?:military|security|army|police|counter[- ]?terror(?:ism)?|ground|air|intelligence[- ]based|search"
    r"|combing|clearance|joint|major|large[- ]scale|nationwide|full[- ]scale|new)\s+(?:and\s+\w+\s+)?)+"
    r"(?:operations?|offensive|raids?|crackdown|strikes?|campaign)\b"
    r"|\b(?:the|this|its)\s+(?:campaign|offensive|operation)\b"
    r"|\b[Oo]peration\s+(?:[A-Z][\w'-]+)|\b(?:offensive|crackdown|air\s?strikes?|drone\s+strikes?|raids)\b"
    r"|\b[A-Z][\w'-]{0,30}\s+operation\b"
    r"|(?<=carried\sout\s)operations\b|(?<=conducted\s)operations\b|(?<=\b[Aa]n\s)operation\b"
    # a state striking, named by its country or capital: "Tehran pounded", "Pakistan strikes inside Afghanistan"
    r"|\b(?:Iran|Pakistan|India|Afghanistan|China|Tajikistan|Russia|Tehran|Islamabad|New\s+Delhi|Kabul|Beijing"
    r"|Moscow)(?:['’]s\s+(?:army|military|forces|air\s+force))?\s+(?:has\s+|had\s+)?(?:pounded|struck|strikes|shelled"
    r"|bombed|targeted)\b"
)
# An attack verb whose subject is the state is a security operation: "commandos stormed the building".
STATE_FORCES = re.compile(
    r"\b(?:army|troops|soldiers|police|policemen|security\s+forces|forces|military|jets|warplanes|aircraft|drones?"
    r"|helicopters|commandos|para-commandos|Rangers|Frontier\s+Corps|CTD|NDS|special\s+forces|gunships)"
    r"(?:\s+[\w-]+){0,2}\s*$",
    _I,
)
STATE_VERB = re.compile(r"^(?:stormed|attacked|bombed|raid(?:ed|s)?|opened\s+fire)$", _I)
ARREST_TRIGGER = re.compile(
    r"\b(?:arrested|arrests?|detained|apprehended|nabbed|taken\s+into\s+custody|rounded\s+up|captured)\b", _I
)
# "called its envoy home for consultations" is no meeting.
NOT_A_MEETING = re.compile(r"\b(?:home|back)\s+for\s+consultations\b", _I)
MEETING_TRIGGER = re.compile(
    r"\b(?:meetings?|met|meet|meeting|talks|consultations?|summit|conference|dialogue|session|parleys?"
    r"|huddle|round\s+of\s+talks|held\s+talks|consultative\s+meeting)\b",
    _I,
)
VISIT_TRIGGER = re.compile(r"\b(?:trip|visit(?:ed|ing)?|tour(?:ed)?)\b", _I)
FUTURE_MEETING = re.compile(
    r"\b(?:hold(?:ing)?|will|to\s+meet|plan(?:ned|s)?\s+to|next|upcoming|proposed|agreed\s+on|agreed\s+to"
    r"|called\s+for|proposing|called\s+off|cancel+ed|postponed|put\s+off)\s+(?:[\w-]+\s+){0,3}$",
    _I,
)

# Attack types (GTD attack types 1-9), decided from the words of every sentence that tells the attack.
_SUICIDE = re.compile(r"\bsuicide[\s-]+(?:bomb\w*|attack\w*|blast|explosion|car|truck|vest\s+detonated)"
                      r"|\bbomber\s+(?:walked|entered|slipped|rushed|drove|got|set\s+off)|blew\s+(?:himself"
                      r"|herself|themselves)\s+up|detonated\s+(?:his|her|their)\s+(?:vest|explosive)|\bfidayeen\b", _I)
_KIDNAP = re.compile(r"\b(?:kidnap\w*|abduct\w*|taken\s+hostage|held\s+hostage)\b", _I)
_BOMB = re.compile(r"\b(?:bomb(?:s|ing|ings|ed|ers?)?|blasts?|explosions?|IEDs?|improvised\s+explosive|detonat\w+"
                   r"|car[- ]bomb|landmines?|roadside\s+bomb|magnetic\s+bomb|sticky\s+bomb|explosives?[- ]laden"
                   r"|packed\s+with\s+explosives|explosive\s+devices?|blew\s+up)\b", _I)
_WEAPONS = re.compile(r"\b(?:grenades?|rockets?|mortars?|explosive\s+vests?|suicide\s+vests?|suicide\s+jackets?)\b", _I)
_ARMED = re.compile(r"\b(?:gunm[ae]n|opened\s+fire|shooting|shot\s+dead|gunfire|firing|stormed"
                    r"|armed\s+(?:assault|attack|men|with)|rifles?|gun\s+attack|pistols|machetes|stabb\w+|knives|rammed|hacked|burst\s+into"
                    r"|siege)\b", _I)
_ARMED_WITH = re.compile(r"\barmed\s+with[^.;]{0,80}", _I)
_ASSASSINATION = re.compile(r"\b(?:assassinat\w+|targeted\s+killing)\b", _I)
_FACILITY = re.compile(r"\b(?:set\s+(?:on\s+)?fire|torched|arson|burn(?:ed|t)\s+down)\b", _I)


def attack_type(text: str) -> str | None:
    """suicide_bombing > kidnapping > bombing > armed_assault (weapons carried by gunmen do not make a
    bombing) > assassination > facility_attack."""
    text = _ARMED_WITH.sub(" ", text)  # "armed with pistols and crude bombs": weapons, not a bombing
    if _SUICIDE.search(text):
        return "suicide_bombing"
    if _KIDNAP.search(text):
        return "kidnapping"
    if _ASSASSINATION.search(text):
        return "assassination"
    if _BOMB.search(text):
        return "bombing"
    if _ARMED.search(text):
        return "armed_assault"
    if _WEAPONS.search(text):
        return "bombing"
    if _FACILITY.search(text):
        return "facility_attack"
    return None


# Target nouns and their type (GTD target/victim types, shortened).
TARGETS = [
    (r"hospital|clinic|maternity\s+ward|medical\s+cent(?:re|er)", "health"),
    (r"school|university|college|madrassa|madrasa|seminary|academy|campus|education(?:al)?\s+cent(?:re|er)"
     r"|tuition\s+cent(?:re|er)|confucius\s+institute|institute", "educational"),
    (r"mosque|shrine|imambargah|imambargah|church|temple|gurdwara|procession|worshippers|congregation"
     r"|prayers", "religious"),
    (r"police\s+(?:station|post|headquarters|training\s+(?:college|cent(?:re|er)|school)|van|convoy|officers?)"
     r"|policemen|checkpoint|check\s*post|police", "police"),
    (r"army|military|soldiers|troops|convoy|cantonment|garrison|base|cadets|security\s+forces"
     r"|revolutionary\s+guards?|paramilitary|frontier\s+corps|rangers", "military"),
    (r"embassy|consulate|diplomats?|mission", "diplomatic"),
    (r"market|bazaar|cafe|café|restaurant|hotel|bank|shop|shopping\s+mall|mall|bakery|guest\s*house", "business"),
    (r"bus|buses|train|airport|airline|aircraft|railway|station|passengers|vehicle", "transportation"),
    (r"election\s+(?:rally|gathering|meeting|office|campaign)|rally|corner\s+meeting|gathering|polling\s+station"
     r"|party\s+office|political\s+(?:rally|gathering)", "political"),
    (r"court|courthouse|judges?|lawyers|parliament|ministry|government\s+(?:office|building)|officials"
     r"|governor'?s?\s+house|compound", "government"),
    (r"journalists?|press\s+club|reporters?|media", "journalists_media"),
    (r"polio\s+(?:workers?|teams?|vaccinators?)|aid\s+workers?|ngo|charity", "ngo"),
    (r"tourists?|cyclists|foreigners", "tourists"),
    (r"pipeline|power\s+(?:plant|station|pylons?)|pylons?|gas\s+(?:line|pipeline)|grid|dam", "utilities"),
    (r"wedding(?:\s+(?:hall|party|ceremony))?|funeral|park|crowd|civilians|residents|village|picnic"
     r"|family|families|graduation\s+ceremony|sports\s+(?:club|event)|cricket\s+match|playground", "private_citizens"),
]
TARGET = re.compile(r"\b(?:" + "|".join(f"(?P<t{i}>{p})" for i, (p, _) in enumerate(TARGETS))
                    + r")\b(?!\s+(?:chief|commander|spokes\w+|officials?|said|chief's))", _I)


def target_type(match: re.Match) -> str:
    for i, (_, kind) in enumerate(TARGETS):
        if match.group(f"t{i}"):
            return kind
    return "other"


assert {kind for _, kind in TARGETS} <= set(TARGET_TYPES), "a target noun's type is not in model.vocab"
