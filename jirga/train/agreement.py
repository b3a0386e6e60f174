"""Inter-coder agreement: where several people coded the same report, how far they agree, field by field.

Pairwise agreement: for every pair of coders, each one's coding is taken in turn as the other's gold and scored with
the usual rules (jirga.train.scoring), so "agree" means exactly what "right" means when scoring against gold. Per
field, the share of the fields one coder gave that the other reproduced, over all pairs and both directions; for the
items themselves, the pairwise F1 (twice the paired items over the items both coded). A field with low agreement is
one the coding guide leaves ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from jirga.train.scoring import coded_items, score_document

ITEMS = "items"


def as_gold(coding: dict) -> dict:
    """A coding restated in the gold file's schema, so that another coding can be scored against it."""
    incidents, meetings = [], []
    for item in coded_items(coding):
        gold: dict = {"kind": item.get("kind") or "attack"}
        place = item.get("place") or {}
        if place:
            gold["place"] = {k: v for k, v in (("country", place.get("country")),
                                               ("city", place.get("city") or place.get("name")),
                                               ("district", place.get("district"))) if v}
        date = item.get("date") or {}
        if date.get("start"):
            start, end = str(date["start"])[:10], str(date.get("end") or date["start"])[:10]
            gold["date"] = start if start == end else {"within": [start, end]}
        for name in ("killed", "injured"):
            figure = item.get(name) or {}
            value = figure.get("best", figure.get("low"))
            if value is not None:
                gold[name] = {"value": value}
        for name in ("claimed_by", "perpetrator", "participants"):
            if item.get(name):
                gold[name] = list(item[name])
        if item.get("attack_type"):
            gold["attack_type"] = item["attack_type"]
        (meetings if gold["kind"] == "meeting" else incidents).append(gold)
    relations = [[r.get("subject"), r.get("relation"), r.get("object")] for r in coding.get("relations") or []
                 if isinstance(r, dict)]
    return {"incidents": {"required": incidents}, "meetings": {"required": meetings}, "relations": relations}


@dataclass(frozen=True)
class Agreement:
    field: str
    agreed: int
    compared: int
    pairs: int

    @property
    def share(self) -> float | None:
        return self.agreed / self.compared if self.compared else None

    def as_dict(self) -> dict:
        share = self.share
        return {"field": self.field, "agreed": self.agreed, "compared": self.compared, "pairs": self.pairs,
                "agreement": None if share is None else round(share, 4)}


def agreement(codings_by_report: dict[str, dict[str, dict]]) -> list[Agreement]:
    """Per field (and for the items themselves), agreement over every report coded by two people or more.
    `codings_by_report`: report name to {coder: coding}."""
    tallies: dict[str, list[int]] = {}
    pairs = 0
    for name, by_coder in codings_by_report.items():
        for first, second in combinations(sorted(by_coder), 2):
            pairs += 1
            a, b = by_coder[first], by_coder[second]
            items = tallies.setdefault(ITEMS, [0, 0])
            one_way = score_document(name, as_gold(a), b)
            items[0] += 2 * one_way.matched
            items[1] += one_way.required + one_way.coded
            for gold, coded in ((a, b), (b, a)):
                for field, (ok, asked) in score_document(name, as_gold(gold), coded).field_counts().items():
                    tally = tallies.setdefault(field, [0, 0])
                    tally[0] += ok
                    tally[1] += asked
    return [Agreement(field, ok, asked, pairs) for field, (ok, asked) in sorted(tallies.items())]
