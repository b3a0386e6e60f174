"""Clustering quality on a hand-made set: 75 reports of 14 real incidents and 11 look-alikes (tests/data/clusters).

B-cubed precision and recall of which reports were put together, against gold written by hand. The figures are
in docs/clue-verification.md; the floors here sit just under them.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from jirga.fuse import evaluate
from tests.conftest import ROOT

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
