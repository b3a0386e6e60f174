"""The low-credibility filter before and after its basis moved onto the incident views, timed A/B in one run.

    python benchmarks/credibility_speed.py [--incidents N] [--backend sqlite|postgresql] [--runs R] [--db URL]

A fresh store is filled with N synthetic incidents as `query_speed.py` fills it (or `--db` names one already
filled), one outlet is graded B, and the triage list's work for `hide=low_credibility` (the page of 50 and the
whole filter's count and sums, as /incidents does) is timed R times for each variant, alternating the two so that
the machine's load falls on both alike: OLD, the subquery per incident the filter used to be (kept here as it
was), and NEW, the test of the view's columns (`jirga.store.credibility`). Printed: median and p95 of each, their
ratio, and the load average. Both must list the same incidents.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from query_speed import fill, percentile
from sqlalchemy import func, select
from throwaway import database

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests, whose oracle this times

import jirga.store.queries as queries
from jirga.access.auth import implicit_admin
from jirga.assess.stats import total
from jirga.db import open_store
from jirga.db.schema import Incident, Source, SourceGrade
from jirga.store.credibility import credible
from jirga.store.queries import IncidentFilter, list_incidents
from tests.test_credibility import old_credible  # the filter before the views carried its basis

VARIANTS = {"old": old_credible, "new": credible}
CASES = {"newest first": IncidentFilter(limit=50, hide=("low_credibility",)),
         "by killed": IncidentFilter(limit=50, hide=("low_credibility",), sort="killed")}


def triage(store, where, viewer) -> tuple[float, list[int]]:
    """Seconds for the page and the whole filter's total, as the list reads them; the ids listed."""
    start = time.perf_counter()
    with store.session() as session:
        listed = [incident.id for incident in list_incidents(session, where, viewer=viewer)]
        total(session, where, viewer=viewer)
    return time.perf_counter() - start, listed


def bench(url: str, args) -> None:
    store = open_store(url)
    try:
        viewer = implicit_admin(store)
        with store.session() as session:
            if session.scalar(select(func.count()).select_from(Incident)) == 0:
                fill(store, args.incidents)
            dawn = session.scalar(select(Source.id).where(Source.name == "Dawn"))
            if dawn is not None and session.get(SourceGrade, (store.local_org_id(), dawn)) is None:
                session.add(SourceGrade(org_id=store.local_org_id(), source_id=dawn, reliability="B"))
        print(f"  load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} before timing")
        for case, where in CASES.items():
            timings: dict[str, list[float]] = {name: [] for name in VARIANTS}
            listed = {}
            for run in range(args.runs + 1):
                for name, condition in (VARIANTS.items() if run % 2 else reversed(VARIANTS.items())):
                    queries.credible = condition
                    seconds, listed[name] = triage(store, where, viewer)
                    if run:  # the first round warms caches
                        timings[name].append(seconds * 1000)
            queries.credible = credible
            if listed["old"] != listed["new"]:
                sys.exit(f"{case}: the two variants list different incidents")
            old, new = (statistics.median(timings[name]) for name in ("old", "new"))
            print(f"  {case:14} old {old:8.1f} ms (p95 {percentile(timings['old'], 0.95):8.1f})   new {new:7.1f} ms "
                  f"(p95 {percentile(timings['new'], 0.95):7.1f})   old/new {old / new:5.1f}x   {len(listed['new'])} "
                  "listed")
        print(f"  load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} after timing")
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each variant (default 10)")
    parser.add_argument("--db", help="an already filled store (a path or postgresql://...) instead of a fresh one")
    args = parser.parse_args()
    print(f"{args.backend if not args.db else args.db}, {os.cpu_count()} CPUs")
    if args.db:
        bench(args.db, args)
    else:
        with database(args.backend) as url:
            bench(url, args)


if __name__ == "__main__":
    main()
