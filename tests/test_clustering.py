"""Clustering quality on a hand-made set: 75 reports of 14 real incidents and 11 look-alikes (tests/data/clusters).

B-cubed precision and recall of which reports were put together, against gold written by hand. The figures are
in docs/clue-verification.md; the floors here sit just under them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from jirga.pipeline import evaluate
from tests.conftest import ROOT, ingest_reports

CLUSTERS = ROOT / "tests" / "data" / "clusters"


@pytest.fixture(scope="module")
def clustered():
    reports, gold = evaluate.load(CLUSTERS)
    return reports, gold, evaluate.cluster(reports, evaluate.extract_all(reports))


def test_reports_of_the_same_incident_are_put_together_and_look_alikes_kept_apart(clustered):
    _, gold, predicted = clustered
    precision, recall = evaluate.bcubed(predicted, gold)
    assert precision >= 0.95, precision
    assert recall >= 0.85, recall


def test_no_two_real_incidents_share_an_incident(clustered):
    _, gold, predicted = clustered
    gold_of_incident = defaultdict(set)
    for name, label in predicted.items():
        gold_of_incident[label].add(gold[name])
    assert all(len(labels) == 1 for labels in gold_of_incident.values()), dict(gold_of_incident)


def test_bcubed_scores_what_it_should():
    gold = {"a": 1, "b": 1, "c": 2}
    assert evaluate.bcubed(gold, gold) == (1.0, 1.0)
    assert evaluate.bcubed({"a": 1, "b": 2, "c": 3}, gold) == (1.0, pytest.approx(2 / 3 + 1 / 9 * 0 + 1 / 3 * 0
                                                                                   + (1 / 2 + 1 / 2 + 1) / 3 - 2 / 3))
    precision, recall = evaluate.bcubed({"a": 1, "b": 1, "c": 1}, gold)
    assert recall == 1.0 and precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3) / 3)


def test_the_seed_and_five_outlets_make_one_quetta_hospital_incident_with_both_claims(seeds, sqlite_url):
    from sqlalchemy import select

    from jirga.db import open_store
    from jirga.db.schema import Claim, Incident
    from jirga.model.report import IncomingReport

    reports, gold = evaluate.load(CLUSTERS)
    hospital = [r for r in reports if gold[r.origin] == "quetta-hospital-2016"]
    seed = (seeds / "002_e7e6cd0a04428e21.txt").read_text(encoding="utf-8")
    hospital.append(IncomingReport(seed, "seed 002", source="Seed analysis", published=dt.date(2016, 8, 14)))
    store = open_store(sqlite_url)
    try:
        ingest_reports(store, hospital, silent=True)
        with store.session() as session:
            told = session.execute(select(Claim.incident_id, Claim.report_id).where(Claim.field == "kind")).all()
            by_incident = defaultdict(set)
            for incident_id, report_id in told:
                by_incident[incident_id].add(report_id)
            biggest = max(by_incident, key=lambda i: len(by_incident[i]))
            assert len(by_incident[biggest]) == len(hospital)  # the five outlets and the seed: one incident
            incident = session.get(Incident, biggest)
            claimed = {c.value["actor_id"] for c in incident.claims
                       if c.field == "responsibility" and c.value["mode"] == "claimed"}
            assert {"jamaat-ul-ahrar", "islamic-state"} <= claimed and incident.has_conflict
    finally:
        store.close()
