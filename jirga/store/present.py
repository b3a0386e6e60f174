"""How stored records read to people: figures with their range, date ranges, claim values, an incident as a row.

Shared by the command line and the web app, so both say the same thing the same way.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


def figures(incident, name: str) -> str:
    """best, with the range across claims when they differ: 62 (54-63); ≥100 when only a floor is known."""
    low, best, high = (getattr(incident, f"{name}_{part}") for part in ("low", "best", "high"))
    if best is None:
        return f"≥{low}" if low is not None and high is None else (f"{low}-{high}" if low is not None else "")
    if high is None:  # no ceiling: some source gives only a floor ("at least 170")
        if low is None:
            return str(best)
        return f"≥{low}" if low == best else f"{best} (≥{low})"
    if low is None:
        return str(best) if best == high else f"{best} (up to {high})"
    return str(best) if low == high else f"{best} ({low}-{high})"


def date_text(incident) -> str:
    if incident.date_start is None:
        return ""
    if incident.date_start == incident.date_end:
        return incident.date_start.isoformat()
    return f"{incident.date_start.isoformat()}..{incident.date_end.isoformat()} ({incident.date_precision})"


def incident_row(incident, actors: dict[str, list[str]]) -> dict:
    place = incident.place
    return {
        "id": incident.id, "uuid": incident.uuid, "kind": incident.kind, "title": incident.title,
        "date": date_text(incident), "date_start": incident.date_start, "date_end": incident.date_end,
        "date_precision": incident.date_precision,
        "attack_type": incident.attack_type, "target_type": incident.target_type,
        "place": place.name if place else None, "province": incident.province_code, "country": incident.country,
        "lat": place.lat if place else None, "lon": place.lon if place else None,
        "killed_low": incident.killed_low, "killed_best": incident.killed_best, "killed_high": incident.killed_high,
        "injured_low": incident.injured_low, "injured_best": incident.injured_best,
        "injured_high": incident.injured_high,
        "actors": actors.get(incident.id, []), "reports": incident.report_count, "tlp": incident.tlp,
        "status": incident.status, "conflict": incident.has_conflict,
    }


FIELD_ORDER = {name: i for i, name in enumerate(
    ("kind", "date", "place", "attack_type", "target", "killed", "injured", "responsibility", "perpetrator"))}


def ordered_claims(incident) -> list:
    """The incident's counted claims, field by field, then by report."""
    return sorted((c for c in incident.claims if not c.retired),
                  key=lambda c: (FIELD_ORDER.get(c.field, 99), c.report_id or 0, c.id))


def claim_value(claim) -> str:
    value = claim.value
    if claim.field in ("killed", "injured"):
        low, best, high = value["low"], value["best"], value["high"]
        qualifier = f"{value['qualifier'].replace('_', ' ')} " if value.get("qualifier") else ""
        spread = "" if low == high else f" (low {low}, high {high if high is not None else 'unknown'})"
        part = f" (part of the total: {value['subset'].replace('_', ' ')})" if value.get("subset") else ""
        return f"{qualifier}{best if best is not None else low}{spread}{part}"
    if claim.field == "date":
        return value["start"] if value["start"] == value["end"] else f"{value['start']}..{value['end']}"
    if claim.field == "place":
        return ", ".join(x for x in (value["name"], value.get("province"), value["country"]) if x)
    if claim.field == "responsibility":
        return f"{value['actor']} ({value['mode']})"
    if claim.field in ("perpetrator", "against", "concerning"):
        return value["actor"]
    if claim.field == "target":
        return f"{value.get('target') or ''} [{value.get('target_type') or '?'}]".strip()
    if claim.field == "statistic":
        return "; ".join(f"{f['best']} {unit}" for unit, figures in value["figures"].items() for f in figures)
    return str(value)


def sentence_of(claim) -> str:
    if claim.report is None or claim.sentence_start is None:
        return ""
    return " ".join(claim.report.text[claim.sentence_start:claim.sentence_end].split())


def claim_dict(claim) -> dict:
    """A claim with where it came from: its words, their span, the sentence, the report and its source."""
    report = claim.report
    return {"id": claim.id, "incident_id": claim.incident_id, "field": claim.field, "value": claim.value,
            "text": claim.text, "span": None if claim.span_start is None else [claim.span_start, claim.span_end],
            "sentence": sentence_of(claim), "origin": claim.origin, "created_by": claim.created_by,
            "extractor": claim.extractor_version, "tlp": claim.tlp,
            "report": None if report is None else {
                "id": report.id, "title": report.title, "source": report.source.name,
                "reliability": report.reliability, "published": report.published,
                "current": report.is_current}}


def report_dict(report) -> dict:
    return {"id": report.id, "uuid": report.uuid, "title": report.title, "source": report.source.name,
            "reliability": report.reliability, "url": report.url, "published": report.published,
            "language": report.language, "revision": report.revision, "current": report.is_current,
            "tlp": report.tlp, "ingested_at": report.ingested_at}


def sentence_parts(claim) -> tuple[str, str, str]:
    """The claim's sentence as (before, the words it came from, after), for highlighting."""
    report = claim.report
    if report is None or claim.sentence_start is None:
        return "", "", ""
    start, end = claim.sentence_start, claim.sentence_end
    if claim.span_start is None or not start <= claim.span_start < claim.span_end <= end:
        return " ".join(report.text[start:end].split()), "", ""
    text = report.text
    gap_before = " " if text[max(claim.span_start - 1, 0):claim.span_start].isspace() else ""
    gap_after = " " if text[claim.span_end:claim.span_end + 1].isspace() else ""
    return (" ".join(text[start:claim.span_start].split()) + gap_before,
            " ".join(text[claim.span_start:claim.span_end].split()),
            gap_after + " ".join(text[claim.span_end:end].split()))


def highlight(text: str, claims: list, focus: int | None = None) -> list[tuple[str, object | None, bool]]:
    """The text cut into (piece, the claim it was coded into or None, in the focused incident): one mark per span.
    Where spans overlap the narrowest (then the first) wins, so a figure or a place stays a mark of its own inside a
    sentence-long span such as an attack type's; the others are still listed beside the text."""
    starts: list[int] = []  # of the marks so far, which never overlap: in order of start, so also of end
    marks: list = []
    for claim in sorted((c for c in claims if c.span_start is not None and c.span_end > c.span_start),
                        key=lambda c: (c.span_end - c.span_start, c.span_start)):
        at = bisect.bisect_left(starts, claim.span_end)  # marks from `at` on start at or after this one's end
        if at and marks[at - 1].span_end > claim.span_start:  # the mark before them is the only one it can overlap
            continue
        starts.insert(at, claim.span_start)
        marks.insert(at, claim)
    pieces, at = [], 0
    for claim in marks:
        if claim.span_start > at:
            pieces.append((text[at:claim.span_start], None, False))
        pieces.append((text[claim.span_start:claim.span_end], claim, focus is None or claim.incident_id == focus))
        at = claim.span_end
    pieces.append((text[at:], None, False))
    return pieces


MATRIX_FIELDS = ("kind", "date", "place", "attack_type", "target", "killed", "injured", "responsibility",
                 "perpetrator", "against")


@dataclass(frozen=True)
class Matrix:
    """An incident's claims as a table: one row per field, one column per report (or analyst), so that what each
    source says sits side by side and a field whose sources disagree shows at once."""

    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[tuple[str, dict[str, list[str]], bool]]  # (field, {column key: values as shown}, sources disagree)


def claim_matrix(incident) -> Matrix:
    columns: dict[str, str] = {}
    shown: dict[str, dict[str, list[str]]] = {}
    said: dict[str, dict[str, set]] = {}  # what each source says of a field, compared for disagreement
    for claim in ordered_claims(incident):
        if claim.field not in MATRIX_FIELDS:
            continue
        report = claim.report
        if report is not None:
            key = f"report-{report.id}"
            columns.setdefault(key, f"{report.source.name}, {report.published or 'undated'}"
                                    + ("" if report.is_current else " (superseded)"))
        else:
            key = f"{claim.origin}-{claim.created_by}"
            columns.setdefault(key, f"{claim.origin}: {claim.created_by or '?'}")
        values = shown.setdefault(claim.field, {}).setdefault(key, [])
        if claim_value(claim) not in values:
            values.append(claim_value(claim))
        if isinstance(claim.value, dict) and claim.value.get("subset"):
            continue  # a part of the toll ("12 of them police") is no rival to the toll
        counted = claim.value.get("best") if claim.field in ("killed", "injured") else claim_value(claim)
        said.setdefault(claim.field, {}).setdefault(key, set()).add(counted)
    rows = [(field, shown[field], len({frozenset(v) for v in said.get(field, {}).values()}) > 1)
            for field in MATRIX_FIELDS if field in shown]
    return Matrix(list(columns.items()), rows)
