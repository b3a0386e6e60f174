"""Do two accounts tell the same real event? Hard limits first, then a score per feature, then one threshold.

An account is what one report says about one event, or what an incident's claims say together (`EventView`).
The weights and the threshold were set on the clustering set in tests/data/clusters (B-cubed, see
docs/clue-verification.md), not guessed; the score of every feature is kept so a merge can be explained.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from jirga.model.extraction import PlaceRef
from jirga.model.vocab import PLACE_RANK

# A report that gives no date for an event most likely tells of something in the week before it appeared.
UNDATED_WINDOW = dt.timedelta(days=7)
WEIGHTS = {"date": 0.2, "place": 0.2, "attack_type": 0.15, "target": 0.2, "actors": 0.05, "killed": 0.2}
THRESHOLD = 0.6
BOMBINGS = {"bombing", "suicide_bombing"}


@dataclass(frozen=True)
class EventView:
    kind: str
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    date_precision: str | None = None
    place: PlaceRef | None = None
    attack_type: str | None = None
    target_type: str | None = None
    killed: int | None = None
    actors: frozenset[str] = field(default_factory=frozenset)  # claimants and perpetrators, with their parents


@dataclass(frozen=True)
class Match:
    score: float
    features: dict[str, float]
    blocked: str | None = None  # why the two cannot be the same event, if they cannot

    @property
    def same(self) -> bool:
        return self.blocked is None and self.score >= THRESHOLD

    def explain(self) -> str:
        if self.blocked:
            return f"not the same event: {self.blocked}"
        parts = ", ".join(f"{name} {value:.2f}" for name, value in self.features.items())
        return f"score {self.score:.2f} (threshold {THRESHOLD}): {parts}"


def place_from(value: dict | None) -> PlaceRef | None:
    """A claim's place value (its JSON form) as a PlaceRef."""
    if not value:
        return None
    return PlaceRef(name=value["name"], kind=value["precision"], country=value["country"],
                    province=value.get("province") or "", province_code=value.get("province_code") or "",
                    district=value.get("district") or "", gazetteer_id=value.get("gazetteer_id") or "")


def compare(a: EventView, b: EventView) -> Match:
    if _family(a.kind) != _family(b.kind):
        return Match(0.0, {}, f"{a.kind} and {b.kind}")
    date, why = _date(a, b)
    if why:
        return Match(0.0, {"date": 0.0}, why)
    place, why = _place(a.place, b.place)
    if why:
        return Match(0.0, {"date": date, "place": 0.0}, why)
    features = {"date": date, "place": place, "attack_type": _attack_type(a.attack_type, b.attack_type),
                "target": _target(a.target_type, b.target_type), "actors": _actors(a.actors, b.actors),
                "killed": _killed(a.killed, b.killed)}
    score = sum(WEIGHTS[name] * value for name, value in features.items())
    return Match(round(score, 4), features)


def _family(kind: str) -> str:
    return "meeting" if kind in ("meeting", "visit") else kind


def _date(a: EventView, b: EventView) -> tuple[float, str | None]:
    if a.date_start is None or b.date_start is None:
        return 0.5, None  # the caller's window already limits undated accounts to the week before the report
    gap = max(0, (b.date_start - a.date_end).days, (a.date_start - b.date_end).days)
    if a.date_precision == b.date_precision == "day":
        if gap > 1:
            return 0.0, f"{gap} days apart"
        return (1.0 if gap == 0 else 0.6), None  # a night attack is dated a day apart by some reports
    if gap > 0:
        return 0.0, f"dates do not overlap ({gap} days apart)"
    return 0.6, None  # overlapping, but at least one is only a week, month or year


def _place(a: PlaceRef | None, b: PlaceRef | None) -> tuple[float, str | None]:
    if a is None or b is None:
        return 0.5, None
    if a.gazetteer_id and a.gazetteer_id == b.gazetteer_id:
        return 1.0, None
    if a.country != b.country:
        return 0.0, f"{a.country} and {b.country}"
    if a.within(b) or b.within(a):
        coarser = min(PLACE_RANK[a.kind], PLACE_RANK[b.kind])
        return (0.8 if coarser >= PLACE_RANK["district"] else 0.6 if coarser == PLACE_RANK["province"] else 0.4), None
    if a.kind in ("city", "district") and b.kind in ("city", "district"):
        return 0.0, f"{a.name} and {b.name} are different places"
    return 0.0, f"{a.name} and {b.name} do not contain one another"


def _attack_type(a: str | None, b: str | None) -> float:
    if not a or not b or "unknown" in (a, b):
        return 0.5
    if a == b:
        return 1.0
    return 0.8 if {a, b} <= BOMBINGS else 0.2


def _target(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.5
    return 1.0 if a == b else 0.2


def _actors(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.5
    return 1.0 if a & b else 0.3  # competing claims are common; a different claimant alone is weak evidence


def _killed(a: int | None, b: int | None) -> float:
    if a is None or b is None:
        return 0.5
    if a == b:
        return 1.0
    ratio = min(a, b) / max(a, b)
    return ratio if ratio >= 0.25 else 0.0  # tolls rise as the dead are counted, but not fourfold in a few days


def with_parents(actor_ids: Iterable[str], parents: dict[str, str | None]) -> frozenset[str]:
    """ISKP's claim is also the Islamic State's: each actor with the chain of what it is part of."""
    found = set()
    for actor_id in actor_ids:
        while actor_id and actor_id not in found:
            found.add(actor_id)
            actor_id = parents.get(actor_id)
    return frozenset(found)
