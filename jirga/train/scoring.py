"""Scoring a coding against gold: per document, per field and in total, every miss explained in words.

A coding is what `jirga extract --json` writes for one report (a trainee's, an analyst's or the extractor's): its
`incidents` (attacks and security operations), `meetings` and `relations`. The gold is one document of a gold file
(docs/training.md; ../shared/seeds/gold.yaml): `incidents` and `meetings`, each `required` or `optional`, and
`relations` as [subject, relation, object].

- recall: the share of required gold items some coded item is paired with;
- precision: the share of coded attacks, operations and meetings paired with a gold item, required or optional;
- fields: for the paired required items, the share of the gold's fields coded right (jirga.train.fields).
Relations and victim categories are scored too, beside these three, so the totals stay comparable with the shared
scorer's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from jirga.train.fields import (
    SCORED_FIELDS,
    Check,
    describe_place,
    field_checks,
    same_place,
)
from jirga.train.names import group_name
from jirga.train.pairing import best_pairing

SCORED_KINDS = ("attack", "security_operation", "meeting")
SYMMETRIC_RELATIONS = {"allied_with", "linked_to"}
# Pairing gains: a required gold item outweighs any number of optional ones, which outweigh any number of fields.
REQUIRED_GAIN, OPTIONAL_GAIN, FIELD_GAIN = 100_000, 10_000, 10


@dataclass
class ItemScore:
    """One gold item: whether a coded item was paired with it, and how its fields fared."""

    kind: str
    place: str
    required: bool
    coded: int | None  # the index of the paired coded item among the coding's scored items
    checks: list[Check] = field(default_factory=list)
    why: str = ""  # for an item nobody coded: what the coder did instead, if anything near

    def as_dict(self) -> dict:
        return {"kind": self.kind, "place": self.place, "required": self.required, "found": self.coded is not None,
                "checks": [c.as_dict() for c in self.checks], "why": self.why}


@dataclass
class DocumentScore:
    name: str
    has_coding: bool = True
    required: int = 0
    found: int = 0
    coded: int = 0
    matched: int = 0
    fields_ok: int = 0
    fields_all: int = 0
    items: list[ItemScore] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # coded items that match no gold item, described
    relations_gold: int = 0
    relations_coded: int = 0
    relations_matched: int = 0
    relation_misses: list[str] = field(default_factory=list)

    def field_counts(self) -> dict[str, list[int]]:
        """Per field: [right, asked] over the paired required items, victims included."""
        counts: dict[str, list[int]] = {}
        for item in self.items:
            if item.required and item.coded is not None:
                for check in item.checks:
                    tally = counts.setdefault(check.field, [0, 0])
                    tally[0] += check.ok
                    tally[1] += 1
        return counts

    def misses(self) -> list[str]:
        """Every miss in words, gold order first, then what was coded beyond the gold."""
        words = []
        for item in self.items:
            if item.coded is None and item.required:
                words.append(item.why or f"missing {item.kind.replace('_', ' ')} at {item.place}")
            elif item.required:
                words += [f"{item.kind.replace('_', ' ')} at {item.place}: {c.why}" for c in item.checks if not c.ok]
        words += [f"not in the gold: {e}" for e in self.extra]
        return words + self.relation_misses

    def as_dict(self) -> dict:
        return {"document": self.name, "has_coding": self.has_coding, "required": self.required,
                "found": self.found, "coded": self.coded, "matched": self.matched, "fields_ok": self.fields_ok,
                "fields_all": self.fields_all, "fields": self.field_counts(),
                "relations": {"gold": self.relations_gold, "coded": self.relations_coded,
                              "matched": self.relations_matched},
                "items": [i.as_dict() for i in self.items], "misses": self.misses()}


@dataclass
class Score:
    """A whole coding against a whole gold file."""

    documents: list[DocumentScore]

    def total(self, key: str) -> int:
        return sum(getattr(d, key) for d in self.documents)

    @property
    def recall(self) -> float:
        return self.total("found") / max(1, self.total("required"))

    @property
    def precision(self) -> float:
        coded = self.total("coded")
        return self.total("matched") / coded if coded else 0.0

    @property
    def fields(self) -> float:
        return self.total("fields_ok") / max(1, self.total("fields_all"))

    def field_counts(self) -> dict[str, list[int]]:
        counts: dict[str, list[int]] = {}
        for document in self.documents:
            for name, (ok, asked) in document.field_counts().items():
                tally = counts.setdefault(name, [0, 0])
                tally[0] += ok
                tally[1] += asked
        return counts

    def as_dict(self) -> dict:
        return {"recall": round(self.recall, 4), "precision": round(self.precision, 4),
                "fields": round(self.fields, 4),
                "totals": {k: self.total(k) for k in ("required", "found", "coded", "matched", "fields_ok",
                                                       "fields_all", "relations_gold", "relations_coded",
                                                       "relations_matched")},
                "per_field": self.field_counts(), "documents": [d.as_dict() for d in self.documents]}


def gold_items(document: dict) -> tuple[list[dict], list[dict]]:
    """The gold's incidents and meetings, required and optional, each with its kind (an incident without one is an
    attack)."""
    required, optional = [], []
    for section, target in (("required", required), ("optional", optional)):
        for group in ("incidents", "meetings"):  # incidents before meetings: the order breaks ties in the pairing
            for item in ((document.get(group) or {}).get(section) or []):
                kind = item.get("kind") or ("meeting" if group == "meetings" else "attack")
                target.append({**item, "kind": kind})
    return required, optional


def coded_items(coding: dict) -> list[dict]:
    items = [i for i in coding.get("incidents") or [] if isinstance(i, dict)]
    items += [{"kind": "meeting", **m} for m in coding.get("meetings") or [] if isinstance(m, dict)]
    return [i for i in items if i.get("kind") in SCORED_KINDS]


def _may_pair(coded: dict, gold: dict) -> bool:
    return (coded.get("kind") or "attack") == gold["kind"] and same_place(coded.get("place"), gold.get("place"))


def score_document(name: str, gold: dict, coding: dict | None) -> DocumentScore:
    """One report's coding against its gold (a missing coding scores as one that found nothing)."""
    result = DocumentScore(name, has_coding=coding is not None)
    coding = coding or {}
    required, optional = gold_items(gold)
    golds = required + optional
    coded = coded_items(coding)
    gains = [[(REQUIRED_GAIN if g < len(required) else OPTIONAL_GAIN)
              + FIELD_GAIN * sum(c.ok for c in field_checks(item, gold_item, extras=False))
              if _may_pair(item, gold_item) else 0 for item in coded] for g, gold_item in enumerate(golds)]
    pairing = best_pairing(gains)
    paired = {c for c in pairing if c is not None}
    result.required, result.coded, result.matched = len(required), len(coded), len(paired)
    for g, (gold_item, chosen) in enumerate(zip(golds, pairing, strict=True)):
        item = ItemScore(gold_item["kind"], describe_place(gold_item.get("place")), g < len(required), chosen)
        if chosen is not None:
            item.checks = field_checks(coded[chosen], gold_item)
            if item.required:
                result.found += 1
                scored = [c for c in item.checks if c.field in SCORED_FIELDS]
                result.fields_ok += sum(c.ok for c in scored)
                result.fields_all += len(scored)
        elif item.required:
            item.why = _why_missing(gold_item, [c for i, c in enumerate(coded) if i not in paired])
        result.items.append(item)
    result.extra = [f"{c.get('kind', 'attack').replace('_', ' ')} at {describe_place(c.get('place'))}"
                    for i, c in enumerate(coded) if i not in paired]
    if "relations" in coding:  # a coding without the key (the web form's) was not asked for relations
        _score_relations(result, gold.get("relations") or [], coding.get("relations") or [])
    return result


def _why_missing(gold: dict, unpaired: list[dict]) -> str:
    """A gold item no coded item was paired with: say what the coder put in its place, if an item of its kind
    was coded elsewhere."""
    kind = gold["kind"].replace("_", " ")
    where = describe_place(gold.get("place"))
    near = [c for c in unpaired if (c.get("kind") or "attack") == gold["kind"]]
    if near:
        return f"place: you coded {describe_place(near[0].get('place'))}, the {kind} was in {where}"
    return f"missing {kind} at {where}"


def _relation_key(subject: object, relation: object, obj: object) -> tuple:
    ends = (group_name(subject), group_name(obj))
    relation = str(relation)
    return (relation, *sorted(ends)) if relation in SYMMETRIC_RELATIONS else (relation, *ends)


def _score_relations(result: DocumentScore, gold: list, coded: list) -> None:
    wanted = Counter(_relation_key(*r[:3]) for r in gold if isinstance(r, (list, tuple)) and len(r) >= 3)
    got = Counter(_relation_key(r.get("subject"), r.get("relation"), r.get("object"))
                  for r in coded if isinstance(r, dict))
    result.relations_gold, result.relations_coded = sum(wanted.values()), sum(got.values())
    result.relations_matched = sum((wanted & got).values())
    for relation, subject, obj in sorted((wanted - got).elements()):
        result.relation_misses.append(f"missing relation: {subject} {relation.replace('_', ' ')} {obj}")


def score(gold: dict, codings: dict[str, dict | None]) -> Score:
    """Every document of a gold file (`{"documents": {name: document}}`) against its coding, by document name."""
    return Score([score_document(name, document or {}, codings.get(name))
                  for name, document in (gold.get("documents") or {}).items()])
