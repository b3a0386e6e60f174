"""Admiralty information credibility (1-6) for each fact of an incident, with the reason shown.

Credibility comes from corroboration by independent accounts. Reports from one source count once, and so do
reports whose texts are near-copies of one another (two outlets running one wire story are one account).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jirga.fuse.consensus import BOMBINGS, Consensus, Fact
from jirga.fuse.intervals import interval_of

LABELS = {1: "confirmed", 2: "probably true", 3: "possibly true", 4: "doubtful", 5: "improbable",
          6: "cannot be judged"}
NEAR_COPY = 0.5  # Jaccard similarity of 5-word shingles above which two texts are one story
TRUSTED = "ABC"


@dataclass(frozen=True)
class Grade:
    level: int
    reason: str

    @property
    def label(self) -> str:
        return f"{self.level} ({LABELS[self.level]})"


def shingles(text: str, size: int = 5) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    return {hash(tuple(words[i:i + size])) for i in range(max(1, len(words) - size + 1))}


def near_copies(texts: dict[int, str]) -> dict[int, int]:
    """report id -> the id of the first report of its group of near-copies (itself if it has none)."""
    sets = {report_id: shingles(text) for report_id, text in texts.items()}
    group = {report_id: report_id for report_id in texts}

    def root(report_id: int) -> int:
        while group[report_id] != report_id:
            report_id = group[report_id]
        return report_id

    ids = sorted(texts)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if root(a) == root(b):  # already one group: comparing them again changes nothing
                continue
            shared = len(sets[a] & sets[b])
            union = len(sets[a]) + len(sets[b]) - shared
            if union and shared / union >= NEAR_COPY:
                group[root(b)] = root(a)
    return {report_id: root(report_id) for report_id in ids}


def grade_all(facts: list[Fact], agreed: Consensus, copies: dict[int, int]) -> dict[str, Grade]:
    """A grade for each field the consensus holds, and one per claimed responsibility."""
    counted = [f for f in facts if f.counted]
    out: dict[str, Grade] = {}
    for name, value in (("date", agreed.date), ("place", agreed.place), ("attack_type", agreed.attack_type),
                        ("killed", agreed.killed[1]), ("injured", agreed.injured[1])):
        if value is not None:
            # A subset ("including 13 soldiers") or a superseded figure is neither for nor against the total.
            relevant = [f for f in counted if f.field == name and not (isinstance(f.value, dict) and (
                f.value.get("subset") or f.claim_id in agreed.superseded))]
            out[name] = _grade(relevant, lambda f, v=value, n=name: _agrees(n, f.value, v), copies)
    for actor_id in agreed.claimed_by:
        relevant = [f for f in counted if f.field == "responsibility" and f.value["actor_id"] == actor_id]
        out[f"claimed_by:{actor_id}"] = _grade(relevant, lambda f: f.value["mode"] == "claimed", copies)
    return out


def _agrees(name: str, value, consensus_value) -> bool:
    if name in ("killed", "injured"):  # its interval allows the consensus, or it is within a tenth of it
        best, interval = value.get("best"), interval_of(value)
        return (interval is not None and interval.contains(consensus_value)) or (
            best is not None and abs(best - consensus_value) <= max(1, consensus_value * 0.1))
    if name == "date":
        return (value["start"], value["end"]) == (consensus_value["start"], consensus_value["end"]) or (
            value["start"] <= consensus_value["start"] and consensus_value["end"] <= value["end"])
    if name == "place":
        return value["gazetteer_id"] == consensus_value["gazetteer_id"] or (
            value["country"] == consensus_value["country"] and value["precision"] in ("province", "country")
            and (value["precision"] == "country" or value["province_code"] == consensus_value["province_code"]))
    if name == "attack_type":
        return value == consensus_value or {value, consensus_value} <= BOMBINGS or value == "unknown"
    return value == consensus_value


def _accounts(facts: list[Fact], copies: dict[int, int]) -> dict[int, str]:
    """fact index -> its account: facts from one source, or from near-copies of one story, are one account."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for fact in facts:
        if fact.report_id is not None:
            parent[root(f"story:{copies.get(fact.report_id, fact.report_id)}")] = root(f"source:{fact.source}")
    return {i: root(f"source:{fact.source}") for i, fact in enumerate(facts)}


def _grade(facts: list[Fact], agrees, copies: dict[int, int]) -> Grade:
    analysts = sorted({f.agreed_by or "an analyst" for f in facts if f.verdict == "agree" and agrees(f)})
    if analysts:
        return Grade(1, f"agreed by {', '.join(analysts)}")
    if any(f.verdict == "dispute" for f in facts if agrees(f)) and not any(f.verdict != "dispute" for f in facts
                                                                           if agrees(f)):
        return Grade(5, "an analyst disputed every account of it")
    live = [f for f in facts if f.verdict != "dispute"]
    account = _accounts(live, copies)
    confirm = {account[i]: f for i, f in enumerate(live) if agrees(f)}
    against = {account[i] for i, f in enumerate(live) if not agrees(f)} - set(confirm)
    copied = len({f.source for f in live if agrees(f)}) - len(confirm)
    sources = ", ".join(sorted({f.source for f in confirm.values()}))
    note = f" ({copied} more source(s) repeat another's text, counted once)" if copied > 0 else ""
    contra = f", contradicted by {len(against)}" if against else ""
    told = f"told by {len(confirm)} independent account(s): {sources}{note}{contra}"
    if not confirm:
        return Grade(6, "no account states it")
    if len(against) > len(confirm):
        return Grade(5, told)
    if len(confirm) >= 3 and not against:
        return Grade(1, told)
    if len(confirm) >= 2:
        return Grade(2 if not against else 3, told)
    reliability = min(f.reliability for f in confirm.values())
    if against:
        return Grade(4, told)
    if reliability in TRUSTED:
        return Grade(3, f"{told}; source reliability {reliability}")
    if reliability == "F":
        return Grade(6, f"{told}; source reliability F (cannot be judged)")
    return Grade(4, f"{told}; source reliability {reliability}")
