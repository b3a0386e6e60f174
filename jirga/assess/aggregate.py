"""Sums of incidents and their casualty figures, by key, with the change against a previous period: pure functions
over what `jirga.store.stats` reads.

A sum of figures is honest about its uncertainty: low, best and high are each summed (UCDP's convention), an
incident that gives no upper bound ("at least 170") makes the summed high a floor (shown as "63+"), and incidents
that give no figure at all are counted apart rather than as zero deaths.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pycountry

from jirga.reference import catalog

BLANK = {"month": "undated", "group": "no group named", "country": "place unknown", "province": "province unknown",
         "district": "not known to district level", "attack-type": "type unknown", "target-type": "target unknown",
         "victim-category": "not told by category"}


@dataclass(frozen=True)
class Figure:
    """A sum of one count (killed or injured) over incidents."""

    low: int = 0
    best: int = 0
    high: int = 0  # a floor when `open` > 0
    open: int = 0  # incidents with no upper bound
    unknown: int = 0  # incidents that give no figure

    @classmethod
    def of(cls, low: int | None, best: int | None, high: int | None) -> Figure:
        """One incident's figure, by the rule `store.sums.figure_sums` applies in SQL."""
        best = best if best is not None else low
        if best is None:
            return cls(low or 0, 0, high or 0, 0, 1)
        return cls(low if low is not None else best, best, high if high is not None else best,
                   1 if high is None else 0, 0)

    def __add__(self, other: Figure) -> Figure:
        return Figure(self.low + other.low, self.best + other.best, self.high + other.high, self.open + other.open,
                      self.unknown + other.unknown)

    @property
    def range(self) -> str:
        """The range the sum lies in: "54–63", "54–63+" when some incident gives no upper bound (the high is then a
        floor), "≥63" when that floor is the low too."""
        if self.low == self.high:
            return f"≥{self.low:,}" if self.open else ""
        return f"{self.low:,}–{self.high:,}{'+' if self.open else ''}"

    def text(self) -> str:
        """62 (54–63); 62 (54–63+)."""
        return f"{self.best:,} ({self.range})" if self.range else f"{self.best:,}"

    def as_dict(self) -> dict:
        return {"low": self.low, "best": self.best, "high": self.high, "high_is_floor": bool(self.open),
                "open": self.open, "unknown": self.unknown}


@dataclass(frozen=True)
class Totals:
    incidents: int = 0
    killed: Figure = Figure()
    injured: Figure = Figure()
    conflicts: int = 0  # incidents whose sources disagree
    single_source: int = 0  # incidents told by one report (or none: coded by hand)
    ids: tuple[int, ...] = ()  # the incidents counted, where known (counted in Python, not in SQL)

    @classmethod
    def of(cls, incident) -> Totals:
        return cls(1, Figure.of(incident.killed_low, incident.killed_best, incident.killed_high),
                   Figure.of(incident.injured_low, incident.injured_best, incident.injured_high),
                   1 if incident.has_conflict else 0, 1 if incident.report_count <= 1 else 0, (incident.id,))

    @classmethod
    def from_sums(cls, sums: Sequence) -> Totals:
        """From SQL's (incidents, killed low, best, high, open, unknown, injured ..., conflicts, single-source)."""
        n = [int(value or 0) for value in sums]
        return cls(n[0], Figure(*n[1:6]), Figure(*n[6:11]), n[11], n[12])

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.incidents + other.incidents, self.killed + other.killed, self.injured + other.injured,
                      self.conflicts + other.conflicts, self.single_source + other.single_source,
                      self.ids + other.ids)

    def as_dict(self) -> dict:
        return {"incidents": self.incidents, "killed": self.killed.as_dict(), "injured": self.injured.as_dict(),
                "conflicting_sources": self.conflicts, "single_source": self.single_source}


@dataclass
class Row:
    key: str | None
    parent: str | None
    label: str
    totals: Totals
    parent_label: str = ""
    change: dict[str, float | None] = field(default_factory=dict)  # percent against the previous period

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "parent": self.parent, "parent_label": self.parent_label,
                **self.totals.as_dict(), "change_percent": self.change or None}


def keys_of(incident, by: str | None, groups: dict[int, list[str]], roll_up: bool = False
            ) -> list[tuple[str | None, str | None]]:
    """The (key, parent key) rows an incident counts in: one, or one per group for `group` (none: one row)."""
    if by is None:
        return [(None, None)]
    if by == "month":
        return [(incident.date_start.isoformat()[:7] if incident.date_start else None, None)]
    if by == "group":
        actors = groups.get(incident.id, [])
        actors = sorted({catalog.root_of(a) for a in actors}) if roll_up else actors
        return [(actor, None) for actor in actors] or [(None, None)]
    if by == "country":
        return [(incident.country, None)]
    if by == "province":
        return [(incident.province_code, incident.country)]
    if by == "district":
        place = incident.place
        return [(place.district if place else None, incident.province_code)]
    if by == "attack-type":
        return [(incident.attack_type, None)]
    if by == "target-type":
        return [(incident.target_type, None)]
    raise ValueError(f"unknown breakdown {by!r}")


def count(incidents: Iterable, by: str | None, groups: dict[int, list[str]], roll_up: bool = False,
          sums: Iterable[Sequence] = ()) -> dict[tuple[str | None, str | None], Totals]:
    """Totals per (key, parent): SQL's `sums` rows (key, parent, sums...) plus incidents counted here."""
    out: dict[tuple[str | None, str | None], Totals] = {}
    for row in sums:
        out[(row[0], row[1])] = out.get((row[0], row[1]), Totals()) + Totals.from_sums(row[2:])
    for incident in incidents:
        for key in keys_of(incident, by, groups, roll_up):
            out[key] = out.get(key, Totals()) + Totals.of(incident)
    return out


def rows(counted: dict[tuple[str | None, str | None], Totals], by: str | None, names: dict[str, str],
         previous: dict[tuple[str | None, str | None], Totals] | None = None) -> list[Row]:
    """Rows with their labels, months in order and everything else largest first (then by label); with the
    change against `previous` where it is given."""
    out = []
    for (key, parent), totals in counted.items():
        row = Row(key, parent, label(by, key, names), totals, label(_parent_key(by), parent, names) if parent else "")
        if previous is not None:
            row.change = change(totals, previous.get((key, parent), Totals()))
        out.append(row)
    if by == "month":
        return sorted(out, key=lambda r: (r.key is None, r.key or ""))
    return sorted(out, key=lambda r: (r.key is None, -r.totals.incidents, -r.totals.killed.best, r.label))


def _parent_key(by: str | None) -> str | None:
    return {"province": "country", "district": "province"}.get(by or "")


def label(by: str | None, key: str | None, names: dict[str, str]) -> str:
    """How a key reads: a country's or province's name, a group's, a type in words."""
    if by is None:
        return "all"
    if key is None:
        return BLANK.get(by, "unknown")
    if by == "country":
        country = pycountry.countries.get(alpha_2=key)
        return country.name if country else key
    if by == "province":
        province = pycountry.subdivisions.get(code=key)
        return f"{province.name}" if province else key
    if by == "group":
        return names.get(key, key)
    if by in ("attack-type", "target-type", "victim-category"):
        return key.replace("_", " ")
    return key


def change(now: Totals, before: Totals) -> dict[str, float | None]:
    """Percent change of incidents, killed and injured (best) against the previous period; None where the
    previous period had none (no percentage of nothing)."""
    def percent(a: int, b: int) -> float | None:
        return None if b == 0 else round(100 * (a - b) / b, 1)

    return {"incidents": percent(now.incidents, before.incidents),
            "killed": percent(now.killed.best, before.killed.best),
            "injured": percent(now.injured.best, before.injured.best)}


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period just before: as many whole months when the period is whole months (a quarter before a quarter),
    else as many days."""
    following = end + dt.timedelta(days=1)
    if start.day == 1 and following.day == 1:
        months = (following.year - start.year) * 12 + following.month - start.month
        first = start.year * 12 + start.month - 1 - months
        return dt.date(first // 12, first % 12 + 1, 1), start - dt.timedelta(days=1)
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def percent_text(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:+.0f} %" if abs(value) >= 10 else f"{value:+.1f} %"


def victim_totals(figures: dict[int, dict[str, dict[str, tuple]]], ids: set[int] | None = None
                  ) -> dict[str, Totals]:
    """Totals per victim category (civilians, security forces, militants) of these incidents' figures
    (`store.stats.victim_figures`), each with the incidents that tell it; in the order the categories are met
    (incidents by id, then categories by name). A category's count that an incident does not tell adds nothing."""
    per: dict[str, Totals] = {}
    for incident_id, categories in figures.items():
        if ids is not None and incident_id not in ids:
            continue
        for category, counts in categories.items():
            killed = Figure.of(*counts["killed"]) if "killed" in counts else Figure()
            injured = Figure.of(*counts["injured"]) if "injured" in counts else Figure()
            per[category] = per.get(category, Totals()) + Totals(1, killed, injured, ids=(incident_id,))
    return per


def victim_totals_from_sums(sums: Iterable[Sequence]) -> dict[str, Totals]:
    """`victim_totals` from SQL's rows (`store.stats.victim_sums`): (category, incidents, killed's five sums,
    injured's five, first incident), in the same order. The "no figure" count of a category is always 0 (an
    incident that tells only its injured adds nothing to its killed), as in `victim_totals`."""
    ordered = sorted(sums, key=lambda row: (row[-1], row[0]))
    return {row[0]: Totals(int(row[1]), Figure(*(int(n or 0) for n in row[2:6])),
                           Figure(*(int(n or 0) for n in row[7:11]))) for row in ordered}


def victim_rows(per: dict[str, Totals], total: Totals) -> list[Row]:
    """Killed and injured by victim category (`victim_totals`), the most killed first, with what the sources did
    not tell by category: the total's best less the categories' best."""
    out = [Row(category, None, label("victim-category", category, {}), totals) for category, totals in
           sorted(per.items(), key=lambda item: -item[1].killed.best)]
    told_killed = sum(r.totals.killed.best for r in out)
    told_injured = sum(r.totals.injured.best for r in out)
    rest = Totals(0, Figure(best=max(total.killed.best - told_killed, 0)),
                  Figure(best=max(total.injured.best - told_injured, 0)), ids=total.ids)
    out.append(Row(None, None, BLANK["victim-category"], rest))
    return out
