"""B-cubed precision and recall of clustering on tests/data/clusters at a range of thresholds.

    python benchmarks/cluster_quality.py [THRESHOLD ...]

The reports are extracted once, then clustered into a fresh in-memory store for each threshold.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from jirga.fuse import match
from jirga.pipeline import evaluate

SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "clusters"


def main(thresholds: list[float]) -> None:
    reports, gold = evaluate.load(SET)
    found = evaluate.extract_all(reports)
    print(f"{len(reports)} reports, {len(set(gold.values()))} gold incidents; weights {match.WEIGHTS}")
    for threshold in thresholds:
        match.THRESHOLD = threshold  # the module's one setting, changed for this measurement only
        precision, recall = evaluate.bcubed(evaluate.cluster(reports, found), gold)
        print(f"threshold {threshold:.2f}: B-cubed precision {precision:.3f}, recall {recall:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("thresholds", nargs="*", type=float, default=[0.5, 0.55, 0.58, 0.6, 0.62, 0.65])
    main(parser.parse_args().thresholds)
