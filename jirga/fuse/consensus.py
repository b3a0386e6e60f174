"""One incident's consensus from its claims, without overwriting any of them.

Counted: claims that are not retired, not disputed by an analyst, and come from a current report revision (or
from an analyst). Figures are intervals ("more than 70" is 70 or more): those that overlap agree, and low/best/high
follow UCDP (`figures`). Date and place keep the narrowest precision any counted claim gives. Competing claims of
responsibility are all kept; none is chosen. The result never depends on the order of the claims: every tie is
broken on the values, so two ingests of the same reports agree however their workers were scheduled.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from jirga.fuse.intervals import Interval, interval_of, words
from jirga.fuse.match import BOMBINGS
from jirga.model.vocab import DATE_RANK, PLACE_RANK

RELIABILITY_ORDER = "ABCDEF"


@dataclass(frozen=True)
class Fact:
    """A claim as the consensus sees it."""

    field: str
    value: Any
    source: str  # a source name, or "analyst:<user>"
    reliability: str = "F"
    published: dt.date | None = None
    verdict: str | None = None  # the latest analyst verdict on it: agree | dispute | None
    counted: bool = True  # False: retired or from a superseded revision
    report_id: int | None = None
    claim_id: int | None = None
    agreed_by: str | None = None  # the analyst whose agreement is the verdict


@dataclass
class Consensus:
    kind: str | None = None
    date: dict | None = None
    place: dict | None = None
    attack_type: str | None = None
    target_type: str | None = None
    killed: tuple[int | None, int | None, int | None] = (None, None, None)
    injured: tuple[int | None, int | None, int | None] = (None, None, None)
    claimed_by: list[str] = field(default_factory=list)  # actor ids, every one that claimed
    conflicts: list[str] = field(default_factory=list)  # what the sources disagree on, in words
    notes: list[str] = field(default_factory=list)  # whose agreement pins a figure; which figures were superseded
    superseded: dict[int, str] = field(default_factory=dict)  # claim id -> why its figure no longer counts


def consensus(facts: list[Fact]) -> Consensus:
    counted = [f for f in facts if f.counted and f.verdict != "dispute"]
    by_field: dict[str, list[Fact]] = {}
    for fact in counted:
        by_field.setdefault(fact.field, []).append(fact)
    out = Consensus()
    out.kind = _mode([f.value for f in by_field.get("kind", [])])
    dates = by_field.get("date", [])
    if dates:
        finest = min(DATE_RANK.get(f.value["precision"], 9) for f in dates)
        out.date = _mode_value([f.value for f in dates if DATE_RANK.get(f.value["precision"], 9) == finest],
                               key=lambda d: (d["start"], d["end"]))
    places = by_field.get("place", [])
    if places:
        finest = max(PLACE_RANK.get(f.value["precision"], -1) for f in places)
        out.place = _mode_value([f.value for f in places if PLACE_RANK.get(f.value["precision"], -1) == finest],
                                key=lambda p: p["gazetteer_id"])
    types = [f.value for f in by_field.get("attack_type", []) if f.value != "unknown"]
    out.attack_type = _mode(types) or _mode([f.value for f in by_field.get("attack_type", [])])
    out.target_type = _mode([f.value.get("target_type") for f in by_field.get("target", [])
                             if f.value.get("target_type")])
    counts = {name: figures(by_field.get(name, []), name) for name in ("killed", "injured")}
    out.killed, out.injured = counts["killed"].triple, counts["injured"].triple
    claimed = [f.value["actor_id"] for f in sorted(by_field.get("responsibility", []), key=order)
               if f.value["mode"] == "claimed"]
    out.claimed_by = list(dict.fromkeys(claimed))
    out.conflicts = [c.conflict for c in counts.values() if c.conflict] + _conflicts(by_field, out)
    for count in counts.values():
        out.notes += count.notes
        out.superseded |= count.superseded
    return out


@dataclass
class Figures:
    """The consensus of one count (killed or injured): UCDP's low/best/high from the sources' intervals."""

    low: int | None = None
    best: int | None = None
    high: int | None = None
    conflict: str | None = None  # the sources' intervals do not all overlap: who says what, on each side
    notes: list[str] = field(default_factory=list)  # whose agreement pins the best; what was superseded and why
    superseded: dict[int, str] = field(default_factory=dict)  # claim id -> why it no longer counts

    @property
    def triple(self) -> tuple[int | None, int | None, int | None]:
        return (self.low, self.best, self.high)


def figures(facts: list[Fact], name: str = "killed") -> Figures:
    """Counted figures are intervals (`intervals.interval_of`); subset counts ("including 13 soldiers") are never
    the total. Each source counts with its latest figure, narrowed by its earlier ones where they overlap; a figure
    the text marks as a revision supersedes earlier ones of the same or a less reliable source (any source, if the
    revision is official); an analyst's agreement pins the best."""
    given = [(f, total(f)) for f in facts]
    given = sorted(((f, i) for f, i in given if i is not None), key=lambda pair: order(pair[0]))
    if not given:
        return Figures()
    latest, superseded = _narrowed(given)
    return decided(latest, superseded, [(f, i) for f, i in given if f.verdict == "agree"], name)


def total(fact: Fact) -> Interval | None:
    """The interval of a figure that counts towards the total: None for a subset ("including 13 soldiers") or a
    figure without a number ("many")."""
    return None if fact.value.get("subset") else interval_of(fact.value)


def decided(latest: dict[str, tuple[Fact, Interval]], superseded: list[tuple[Fact, Fact, str]],
            pinned: list[tuple[Fact, Interval]], name: str) -> Figures:
    """The figures, from each source's latest figure narrowed by its earlier ones (`_narrowed`, or `fuse.tally`
    one figure at a time), the figures that narrowing superseded, and those an analyst agreed with."""
    out = Figures()
    current, superseded = _revised(latest, superseded)
    for fact, by, why in sorted(superseded, key=lambda item: order(item[0])):
        out.notes.append(f"{name}: {words(fact.value)} ({fact.source}) superseded by {words(by.value)} "
                         f"({by.source}): {why}")
        if fact.claim_id is not None:
            out.superseded[fact.claim_id] = f"superseded by {words(by.value)} ({by.source}): {why}"
    ranged = current + [pair for pair in pinned if pair not in current]
    out.low = min(i.low for _, i in ranged)
    finite = [i.high for _, i in ranged if i.high is not None]
    # No upper bound when a floor lies above every stated ceiling ("at least 170" beside "170"): high unknown.
    open_above = any(i.high is None and (not finite or i.low > max(finite)) for _, i in ranged)
    out.high = None if open_above or not finite else max(finite)
    if pinned:
        out.best = _settle(pinned)
        analysts = sorted({f.agreed_by or "an analyst" for f, _ in pinned})
        out.notes.insert(0, f"{name}: {out.best} agreed by {', '.join(analysts)}")
        if _meet([i for _, i in pinned]) is None:
            out.conflict = f"{name}: analysts agreed with different figures: {_sides(pinned, None)}"
        elif _meet([i for _, i in current]) is None:
            out.notes.append(f"{name}: the sources disagree ({_sides(current, out.best)}); settled by the agreement")
    else:
        top = min(RELIABILITY_ORDER.index(f.reliability) for f, _ in current)
        out.best = _settle([(f, i) for f, i in current if RELIABILITY_ORDER.index(f.reliability) == top])
        if _meet([i for _, i in current]) is None:
            out.conflict = f"{name}: {_sides(current, out.best)}"
    if out.high is not None and out.best is not None:
        out.high = max(out.high, out.best)
    return out


def order(fact: Fact) -> tuple:
    """A total order on facts, so that nothing depends on the order the claims come in."""
    return (fact.published or dt.date.min, fact.report_id or 0, fact.claim_id or 0, fact.source,
            repr(sorted(fact.value.items())) if isinstance(fact.value, dict) else repr(fact.value))


def _nominal(fact: Fact, interval: Interval) -> int:
    return fact.value["best"] if fact.value.get("best") is not None else interval.low


def _meet(intervals: list[Interval]) -> Interval | None:
    common: Interval | None = intervals[0] if intervals else None
    for interval in intervals[1:]:
        common = common.meet(interval) if common else None
    return common


def _settle(pool: list[tuple[Fact, Interval]]) -> int:
    """The best of a pool of figures: the median of the numbers they state, moved into the numbers all of them
    allow when there are any ("more than 70" and "72": 72). Floors alone ("at least 47") give their highest floor;
    stated numbers are preferred to floors."""
    common = _meet([i for _, i in pool])
    stated = [_nominal(f, i) for f, i in pool if i.high is not None]
    if common is not None:
        if stated:
            return statistics.median_low(sorted(common.clamp(n) for n in stated))
        return common.low
    return statistics.median_low(sorted(stated or [_nominal(f, i) for f, i in pool]))


def _sides(pairs: list[tuple[Fact, Interval]], best: int | None) -> str:
    """ "70 (Dawn), more than 70 (AFP) vs 74 (Hospital)": who gives what, those whose figure allows the best first."""
    def told(side: list[tuple[Fact, Interval]]) -> str:
        by_words: dict[str, set[str]] = {}
        for fact, _ in sorted(side, key=lambda pair: (_span(pair[1]), order(pair[0]))):
            by_words.setdefault(words(fact.value), set()).add(fact.source)
        return ", ".join(f"{figure} ({', '.join(sorted(sources))})" for figure, sources in by_words.items())

    if best is None:
        return told(pairs)
    agree = [pair for pair in pairs if pair[1].contains(best)]
    other = [pair for pair in pairs if not pair[1].contains(best)]
    return f"{told(agree)} vs {told(other)}" if agree and other else told(pairs)


def _span(interval: Interval) -> tuple[int, int]:
    return (interval.low, interval.high if interval.high is not None else 2**62)


def _narrowed(given: list[tuple[Fact, Interval]]) -> tuple[dict[str, tuple[Fact, Interval]],
                                                            list[tuple[Fact, Fact, str]]]:
    """Each source's latest figure, narrowed by its earlier ones where they overlap ("at least 141" then "more than
    130": 141 or more); an earlier one that does not overlap is superseded: (figure, the one that superseded it,
    why). `given` is in `order`, oldest first."""
    superseded: list[tuple[Fact, Fact, str]] = []
    latest: dict[str, tuple[Fact, Interval]] = {}
    for fact, interval in given:
        if fact.source in latest:
            before, so_far = latest[fact.source]
            kept, common = narrow(so_far, interval)
            if not kept:
                superseded.append((before, fact, SAME_SOURCE))
            latest[fact.source] = (fact, common)
        else:
            latest[fact.source] = (fact, interval)
    return latest, superseded


SAME_SOURCE = "a later report of the same source"


def narrow(so_far: Interval, interval: Interval) -> tuple[bool, Interval]:
    """One step of `_narrowed`: a source's next figure after what its earlier ones came to. Returns whether it
    narrows them (else it supersedes them) and the source's interval from now on."""
    common = interval.meet(so_far)
    return common is not None, common or interval


def _revised(latest: dict[str, tuple[Fact, Interval]], superseded: list[tuple[Fact, Fact, str]]
             ) -> tuple[list[tuple[Fact, Interval]], list[tuple[Fact, Fact, str]]]:
    """The figures that still count, and all those superseded. A figure the text marks as a revision ("officials
    lowered the toll to 84") supersedes the latest figures of other sources published no later, if it is from a
    source rated at least as reliable or it is an official revision."""
    superseded = list(superseded)
    current = sorted(latest.values(), key=lambda pair: order(pair[0]))
    revisions = [f for f, _ in current if f.value.get("revision")]
    kept = []
    for fact, interval in current:
        by = next((r for r in revisions if _revises(r, fact)), None)
        if by is None:
            kept.append((fact, interval))
        else:
            superseded.append((fact, by, "an official revision" if by.value.get("official") else "a later revision"))
    return kept, superseded


def _revises(revision: Fact, other: Fact) -> bool:
    if revision.source == other.source:
        return False
    when, then = revision.published or dt.date.min, other.published or dt.date.min
    if then > when or (other.value.get("revision") and then >= when):
        return False  # a figure given later, or another revision of the same day, stands
    more_reliable = RELIABILITY_ORDER.index(revision.reliability) <= RELIABILITY_ORDER.index(other.reliability)
    return bool(revision.value.get("official")) or more_reliable


def _mode(values: list) -> Any:
    return top(Counter(values))


def top(counts: Counter) -> Any:
    """The most common value; a tie goes to the greatest, never to whichever came first."""
    return max(counts, key=lambda v: (counts[v], str(v))) if counts else None


def _mode_value(values: list[dict], key) -> dict:
    """The most common value by `key`; of the values that share it, the least, however they are ordered."""
    common = top(Counter(key(v) for v in values))
    return min((v for v in values if key(v) == common), key=lambda v: repr(sorted(v.items())))


def _conflicts(by_field: dict[str, list[Fact]], out: Consensus) -> list[str]:
    found = []
    if len(out.claimed_by) > 1:
        found.append(f"responsibility claimed by {len(out.claimed_by)} groups")
    types = {f.value for f in by_field.get("attack_type", []) if f.value != "unknown"}
    if len(types) > 1 and not types <= BOMBINGS:
        found.append(f"attack type: {', '.join(sorted(types))}")
    dates = {(f.value["start"], f.value["end"]) for f in by_field.get("date", []) if f.value["precision"] == "day"}
    if len(dates) > 1:
        found.append(f"date: {', '.join(sorted(start for start, _ in dates))}")
    return found
