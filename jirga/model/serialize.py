"""One JSON form for an Extraction (documented in docs/extraction-format.md)."""

from __future__ import annotations

from typing import Any

from jirga.model.extraction import (
    ActorRef,
    DateRange,
    Extraction,
    Figure,
    Incident,
    Meeting,
    PersonRef,
    PlaceRef,
    Relation,
    Span,
)


def span(s: Span | None) -> list[int] | None:
    return [s.start, s.end] if s else None


def place(p: PlaceRef | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "name": p.name,
        "city": p.name if p.kind == "city" else None,
        "district": p.name if p.kind == "district" else (p.district or None),
        "province": p.name if p.kind == "province" else (p.province or None),
        "province_code": p.province_code or None,
        "country": p.country,
        "lat": p.lat,
        "lon": p.lon,
        "precision": p.kind,
        "gazetteer_id": p.gazetteer_id,
    }


def date(d: DateRange | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"start": d.start.isoformat(), "end": d.end.isoformat(), "precision": d.precision, "text": d.text}


def figure(f: Figure | None) -> dict[str, Any] | None:
    if f is None:
        return None
    return {"low": f.low, "best": f.best, "high": f.high, "qualifier": f.qualifier, "text": f.text,
            "span": span(f.span)}


def spans(fields: dict[str, tuple[Span, ...]]) -> dict[str, list[list[int]]]:
    return {name: [span(s) for s in values] for name, values in fields.items()}


def incident(i: Incident, explain: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": i.id, "kind": i.kind}
    if i.kind == "attack":
        out |= {"attack_type": i.attack_type, "target": i.target, "target_type": i.target_type}
    out |= {"place": place(i.place), "date": date(i.date)}
    if i.kind == "arrest":
        out["places"] = [place(p) for p in i.places]
    if i.kind == "statistic":
        out |= {"source": i.source, "about": list(i.about),
                "figures": {unit: [figure(f) for f in fs] for unit, fs in i.figures.items()}}
    else:
        out |= {
            "killed": figure(i.killed),
            "injured": figure(i.injured),
            "claimed_by": list(i.claimed_by),
            "perpetrator": list(i.perpetrator),
            "claims": [{"actor": c.actor, "actor_id": c.actor_id, "mode": c.mode, "span": span(c.span)}
                       for c in i.claims],
            "figures": {kind: [figure(f) for f in fs] for kind, fs in i.figures.items() if fs},
        }
        if i.victims:
            out["victims"] = {}
            for which, category, count in i.victims:
                out["victims"].setdefault(which, {})[category] = figure(count)
        if i.kind == "security_operation":
            out["against"] = list(i.against)
    out |= {"spans": spans(i.spans), "sentences": [span(s) for s in i.sentences]}
    if explain:
        out["explain"] = list(i.trail)
    return out


def meeting(m: Meeting) -> dict[str, Any]:
    return {"id": m.id, "kind": m.kind, "name": m.name, "place": place(m.place), "date": date(m.date),
            "participants": list(m.participants), "people": list(m.people), "concerning": list(m.concerning),
            "spans": spans(m.spans), "sentences": [span(s) for s in m.sentences]}


def relation(r: Relation) -> dict[str, Any]:
    return {"subject": r.subject, "relation": r.relation, "object": r.object, "subject_id": r.subject_id,
            "object_id": r.object_id, "symmetric": r.symmetric, "span": span(r.span)}


def _actors(refs: tuple[ActorRef, ...]) -> list[dict[str, Any]]:
    grouped: dict[str, dict[str, Any]] = {}
    for ref in refs:
        entry = grouped.setdefault(ref.id, {"id": ref.id, "name": ref.name, "kind": ref.kind,
                                            "resolved": ref.match != "unresolved", "mentions": []})
        mention = {"text": ref.text, "span": span(ref.span), "match": ref.match}
        if ref.match in ("fuzzy", "unresolved"):
            mention["score"] = ref.score
        if ref.suggestion:
            mention["suggestion"] = ref.suggestion
        entry["mentions"].append(mention)
    return list(grouped.values())


def _places(found) -> list[dict[str, Any]]:
    grouped: dict[str, dict[str, Any]] = {}
    for p, s, text in found:
        entry = grouped.setdefault(p.gazetteer_id, place(p) | {"mentions": []})
        entry["mentions"].append({"text": text, "span": span(s)})
    return list(grouped.values())


def _people(refs: tuple[PersonRef, ...]) -> list[dict[str, Any]]:
    grouped: dict[str, dict[str, Any]] = {}
    for ref in refs:
        entry = grouped.setdefault(ref.name, {"name": ref.name, "role": ref.role, "country": ref.country or None,
                                              "actor_id": ref.actor_id or None, "mentions": []})
        entry["mentions"].append({"text": ref.text, "span": span(ref.span)})
    return list(grouped.values())


def extraction(e: Extraction, document: dict[str, Any] | None = None, explain: bool = False) -> dict[str, Any]:
    return {
        "document": (document or {}) | {"length": e.text_length,
                                         "published": e.published.isoformat() if e.published else None},
        "extractor": {"version": e.extractor_version},
        "incidents": [incident(i, explain) for i in e.incidents],
        "meetings": [meeting(m) for m in e.meetings],
        "relations": [relation(r) for r in e.relations],
        "actors": _actors(e.actors),
        "places": _places(e.places),
        "people": _people(e.people),
    }
