"""One incident's consensus from its claims, without overwriting any of them.

Counted: claims that are not retired, not disputed by an analyst, and come from a current report revision (or
from an analyst). Each source counts once, with the figure of its latest report: an outlet that raised its toll
from 40 to 72 says 72. Figures follow UCDP: low the lowest figure given, high the highest, best the median of the
most reliable sources' figures (an analyst's agreement outranks any source). Date and place keep the narrowest
precision any counted claim gives. Competing claims of responsibility are all kept; none is chosen.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from jirga.fuse.match import BOMBINGS

RELIABILITY_ORDER = "ABCDEF"
DATE_RANK = {"day": 0, "days": 1, "week": 2, "month": 3, "quarter": 4, "year": 5}
PLACE_RANK = {"city": 0, "district": 1, "province": 2, "country": 3}


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
        finest = min(PLACE_RANK.get(f.value["precision"], 9) for f in places)
        out.place = _mode_value([f.value for f in places if PLACE_RANK.get(f.value["precision"], 9) == finest],
                                key=lambda p: p["gazetteer_id"])
    types = [f.value for f in by_field.get("attack_type", []) if f.value != "unknown"]
    out.attack_type = _mode(types) or _mode([f.value for f in by_field.get("attack_type", [])])
    out.target_type = _mode([f.value.get("target_type") for f in by_field.get("target", [])
                             if f.value.get("target_type")])
    out.killed = figures(by_field.get("killed", []))
    out.injured = figures(by_field.get("injured", []))
    claimed = [f.value["actor_id"] for f in by_field.get("responsibility", []) if f.value["mode"] == "claimed"]
    out.claimed_by = list(dict.fromkeys(claimed))
    out.conflicts = _conflicts(by_field, out)
    return out


def figures(facts: list[Fact]) -> tuple[int | None, int | None, int | None]:
    if not facts:
        return (None, None, None)
    latest = _latest_per_source([f for f in facts if f.value.get("best") is not None])
    lows = [f.value["low"] for f in facts if f.value.get("low") is not None]
    highs = [f.value["high"] if f.value.get("high") is not None else f.value.get("best") for f in facts]
    highs = [h for h in highs if h is not None]
    agreed = [f for f in latest if f.verdict == "agree"]
    pool = agreed or (_most_reliable(latest) if latest else [])
    bests = [f.value["best"] for f in pool]
    best = int(statistics.median_low(bests)) if bests else None
    return (min(lows) if lows else None, best, max(highs) if highs else None)


def _latest_per_source(facts: list[Fact]) -> list[Fact]:
    latest: dict[str, Fact] = {}
    for fact in facts:
        current = latest.get(fact.source)
        if current is None or (fact.published or dt.date.min) >= (current.published or dt.date.min):
            latest[fact.source] = fact
    return list(latest.values())


def _most_reliable(facts: list[Fact]) -> list[Fact]:
    best = min(RELIABILITY_ORDER.index(f.reliability) for f in facts)
    return [f for f in facts if RELIABILITY_ORDER.index(f.reliability) == best]


def _mode(values: list) -> Any:
    return Counter(values).most_common(1)[0][0] if values else None


def _mode_value(values: list[dict], key) -> dict:
    counts = Counter(key(v) for v in values)
    top = counts.most_common(1)[0][0]
    return next(v for v in values if key(v) == top)


def _conflicts(by_field: dict[str, list[Fact]], out: Consensus) -> list[str]:
    found = []
    for name in ("killed", "injured"):
        bests = sorted({f.value["best"] for f in _latest_per_source(by_field.get(name, []))
                        if f.value.get("best") is not None})
        if len(bests) > 1:
            found.append(f"{name}: sources give {', '.join(map(str, bests))}")
    if len(out.claimed_by) > 1:
        found.append(f"responsibility claimed by {len(out.claimed_by)} groups")
    types = {f.value for f in by_field.get("attack_type", []) if f.value != "unknown"}
    if len(types) > 1 and not types <= BOMBINGS:
        found.append(f"attack type: {', '.join(sorted(types))}")
    dates = {(f.value["start"], f.value["end"]) for f in by_field.get("date", []) if f.value["precision"] == "day"}
    if len(dates) > 1:
        found.append(f"date: {', '.join(sorted(start for start, _ in dates))}")
    return found
