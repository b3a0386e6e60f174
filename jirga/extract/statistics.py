"""Statistics: a figure that an organisation asserts about the conflict ("UNAMA: 52 percent ...")."""

from __future__ import annotations

import re

from jirga.extract.document import Document
from jirga.model import Figure, Incident, Span

_PERCENT = re.compile(r"\b(?P<n>\d+(?:\.\d+)?)\s*(?:%|percent|per\s+cent)", re.IGNORECASE)
_MEASURE = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(?P<unit>casualties|deaths|attacks|incidents|civilians|people|fighters"
                      r"|militants|members|foreign\s+fighters|terrorists|killings|victims)\b", re.IGNORECASE)
_SOURCE_CUE = re.compile(r"\baccording\s+to\b|'s?\s+(?:\(\w+\)\s+)?(?:assertion|report|data|figures|count|statistics)"
                         r"|\b(?:said|says|reported|recorded|documented|counted)\b", re.IGNORECASE)


def find_statistics(doc: Document, first_number: int) -> list[Incident]:
    found = []
    for sentence in doc.sentences:
        sources = [a for a in doc.within(doc.actors, sentence) if a.kind == "organisation"]
        if not sources or not _SOURCE_CUE.search(doc.text, sentence.start, sentence.end):
            continue
        figures = _figures(doc, sentence)
        if not figures:
            continue
        dates = doc.within(doc.dates, sentence)
        date = max(dates, key=lambda d: d.span.start >= sources[0].span.start) if dates else None
        about = [g for g in doc.groups(sentence)]
        spans = {"source": (sources[0].span,), "figures": tuple(f.span for _, f in figures if f.span)}
        if date:
            spans["date"] = (date.span,)
        if about:
            spans["about"] = tuple(g.span for g in about)
        found.append(Incident(
            id=f"incident-{first_number + len(found)}",
            kind="statistic",
            sentences=(sentence,),
            spans=spans,
            date=date,
            figures=_by_unit(figures),
            source=sources[0].name,
            about=tuple(dict.fromkeys(g.name for g in about)),
        ))
    return found


def _figures(doc: Document, sentence: Span) -> list[tuple[str, Figure]]:
    figures = []
    for quantity in doc.within(doc.quantities, sentence):
        if any(d.span.overlaps(quantity.span) for d in doc.dates):
            continue
        measure = _MEASURE.match(doc.text, quantity.span.end)
        if measure:
            figures.append((re.sub(r"\s+", "_", measure.group("unit").lower()), quantity.figure))
    for match in doc.matches(_PERCENT, sentence):
        value = round(float(match.group("n")))
        figures.append(("percent", Figure(value, value, value, None, match.group(), Span(match.start(), match.end()))))
    return figures


def _by_unit(figures: list[tuple[str, Figure]]) -> dict[str, tuple[Figure, ...]]:
    grouped: dict[str, list[Figure]] = {}
    for unit, figure in figures:
        grouped.setdefault(unit, []).append(figure)
    return {unit: tuple(values) for unit, values in grouped.items()}
