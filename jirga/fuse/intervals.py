"""A reported count as the interval of numbers it allows: "72" is 72, "more than 70" is 70 or more, "about 100" is
90-110, "dozens" is 24-99. Figures agree when their intervals overlap (docs/clue-verification.md, Figures)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WORDS = {"over": "more than", "at_least": "at least", "about": "about", "nearly": "nearly", "up_to": "up to"}


@dataclass(frozen=True, slots=True)  # slots: a big incident's tally keeps two for each of its figures
class Interval:
    low: int
    high: int | None  # None: no upper bound ("at least 170")

    def overlaps(self, other: Interval) -> bool:
        return (self.high is None or other.low <= self.high) and (other.high is None or self.low <= other.high)

    def meet(self, other: Interval) -> Interval | None:
        """The numbers both allow, or None when they allow none in common."""
        if not self.overlaps(other):
            return None
        highs = [h for h in (self.high, other.high) if h is not None]
        return Interval(max(self.low, other.low), min(highs) if highs else None)

    def clamp(self, value: int) -> int:
        value = max(value, self.low)
        return value if self.high is None else min(value, self.high)

    def contains(self, value: int) -> bool:
        return self.low <= value and (self.high is None or value <= self.high)


def margin(best: int) -> int:
    """How far "about N" reaches: a tenth of N, at least one."""
    return max(1, round(best / 10))


def interval_of(value: dict[str, Any]) -> Interval | None:
    """The interval a figure claim allows, or None when it gives no number ("many").

    A machine claim's interval comes from the figure the report settled on (its best and qualifier): its low/high
    also spread over every count the report gave, superseded and partial ones included ("1-62" from a misread 1),
    which are not what the report asserts. A figure without `mentions` (an analyst's, coded as low/best/high) is
    the range it states."""
    best, qualifier = value.get("best"), value.get("qualifier")
    low, high = value.get("low"), value.get("high")
    if best is None:  # a vague count: "dozens" is 24-99
        return Interval(low, high) if low is not None else None
    if best < 0:
        return None
    if qualifier in ("over", "at_least"):  # "more than 70" is read as 70 or more: reporters round down to a floor
        return Interval(best, None)
    if qualifier == "about":
        return Interval(max(0, best - margin(best)), best + margin(best))
    if qualifier == "nearly":
        return Interval(max(0, best - margin(best)), best)
    if qualifier == "up_to":
        return Interval(0, best)
    if qualifier is None and "mentions" not in value and low is not None and low <= best:
        return Interval(low, high if high is None or high >= best else best)
    return Interval(best, best)


def words(value: dict[str, Any]) -> str:
    """A figure as a person would say it: "more than 70", "24-99", "72"."""
    best, qualifier = value.get("best"), value.get("qualifier")
    if best is None:
        low, high = value.get("low"), value.get("high")
        return f"{low}-{high}" if high is not None else f"{low} or more"
    if qualifier in WORDS:
        return f"{WORDS[qualifier]} {best}"
    interval = interval_of(value)  # an analyst's range: 60-80, or 70 or more
    if interval is None or interval.low == interval.high:
        return str(best)
    return f"{interval.low} or more" if interval.high is None else f"{best} ({interval.low}-{interval.high})"
