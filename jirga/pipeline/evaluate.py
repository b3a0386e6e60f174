"""Measuring clustering against a hand-made gold set: which reports tell the same incident (B-cubed)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable
from pathlib import Path

import yaml
from sqlalchemy import select

from jirga.db import Store, open_store
from jirga.db.schema import Claim, Incident
from jirga.extract import extract
from jirga.model.report import IncomingReport
from jirga.store.claims import Decomposed, decompose
from jirga.store.records import add_extraction, add_references, add_report, source_id


def bcubed(predicted: dict[Hashable, Hashable], gold: dict[Hashable, Hashable]) -> tuple[float, float]:
    """B-cubed precision and recall (Bagga and Baldwin 1998) of a predicted clustering of the gold's items."""
    def members(labels: dict) -> dict:
        groups = defaultdict(set)
        for item, label in labels.items():
            groups[label].add(item)
        return {item: groups[label] for item, label in labels.items()}

    pred, true = members(predicted), members(gold)
    precision = sum(len(pred[i] & true[i]) / len(pred[i]) for i in gold) / len(gold)
    recall = sum(len(pred[i] & true[i]) / len(true[i]) for i in gold) / len(gold)
    return precision, recall


def load(folder: Path) -> tuple[list[IncomingReport], dict[str, str]]:
    """The set's reports (with publication date and source) and the gold cluster of each, by file name."""
    gold = yaml.safe_load((folder / "gold.yaml").read_text(encoding="utf-8"))
    reports, labels = [], {}
    for name, meta in sorted(gold["reports"].items()):
        text = (folder / "reports" / name).read_text(encoding="utf-8")
        published = meta["published"]
        published = published if isinstance(published, dt.date) else dt.date.fromisoformat(str(published))
        reports.append(IncomingReport(text, name, source=meta["source"], published=published))
        labels[name] = meta["cluster"]
    return reports, labels


def extract_all(reports: list[IncomingReport]) -> list[Decomposed]:
    return [decompose(extract(r.text, r.published), r.text) for r in reports]


def cluster(reports: list[IncomingReport], found: list[Decomposed], url: str = "sqlite://") -> dict[str, str]:
    """Store the reports in order, clustering as ingest does; each report's predicted label is the incident of
    its first event (the lede's), or the report itself when nothing was extracted."""
    store = open_store(url)
    try:
        owner = store.local_org_id()
        with store.session() as session:
            add_references(session, found)
            for report, decomposed in zip(reports, found, strict=True):
                row = add_report(session, report, source_id(session, report.source, owner), owner, "amber")
                add_extraction(session, row, decomposed)
        return _labels(store, reports)
    finally:
        store.close()


def _labels(store: Store, reports: list[IncomingReport]) -> dict[str, str]:
    from jirga.db.schema import Report

    labels = {}
    with store.session() as session:
        for report in reports:
            row = session.scalar(select(Report).where(Report.origin == report.origin))
            events = session.execute(select(Claim.event, Claim.incident_id).join(Incident)
                                     .where(Claim.report_id == row.id, Claim.field == "kind",
                                            Incident.kind != "statistic")).all()
            attacks = sorted(events, key=lambda e: (not e.event.startswith("incident-"),
                                                    int(e.event.rsplit("-", 1)[1])))
            labels[report.origin] = f"incident:{attacks[0].incident_id}" if attacks else f"alone:{report.origin}"
    return labels
