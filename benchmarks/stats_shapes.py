"""Old against new, interleaved in one process on one store: the `jirga stats` cases whose queries changed (by group,
rolled up, for a quarter and the one before; by victim category), each run through `assess.stats.compute` as the
command runs it, the old way (the queries as they were before the views kept their groups and victims) and the new,
alternately, so that the load of a shared machine weighs on both alike. The two must give the same rows.

    python benchmarks/stats_shapes.py [--backend sqlite|postgresql|both] [--runs R] [--incidents N] [--db URL]

A fresh store of N synthetic incidents (default 100,000) per backend (as `stats_speed.py` fills it), or `--db` one
filled before. Printed per case: median and p95 of each way in ms, and new/old of the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from contextlib import contextmanager

from query_speed import fill, percentile
from sqlalchemy import and_, case, select, text
from throwaway import database

from jirga.access import visible
from jirga.access.auth import implicit_admin
from jirga.assess import stats as assess_stats
from jirga.assess.aggregate import Totals, count, victim_rows, victim_totals
from jirga.db import open_store
from jirga.db.schema import Claim, Incident, IncidentView, IncidentViewActor
from jirga.fuse import victims
from jirga.store import stats as store
from jirga.store.queries import IncidentFilter
from jirga.store.summary import facts_of

QUARTER = {"since": "2016-07-01", "until": "2016-09-30"}
CASES = [("--by group, every year", IncidentFilter(kind="attack"), "group", False),
         ("--by group --roll-up, every year", IncidentFilter(kind="attack"), "group", True),
         ("--by group, a quarter (+ the one before)", IncidentFilter(kind="attack", **QUARTER), "group", False),
         ("--by victim-category, every year", IncidentFilter(kind="attack"), "victim-category", False)]


def old_sums_by_group(session, query, where, viewer, roll_up):
    """By group as it was: the view actor links, distinct per incident and group, outer-joined to the views."""
    actor = IncidentViewActor.actor_id
    roots = store._roots() if roll_up else {}
    key = case(roots, value=actor, else_=actor) if roots else actor
    links = (select(IncidentViewActor.incident_id, IncidentViewActor.org_id, key.label("actor_id")).distinct()
             .where(IncidentViewActor.role.in_(store.GROUP_ROLES)).subquery())
    grouped = (query.outerjoin(links, and_(links.c.incident_id == Incident.id, links.c.org_id == IncidentView.org_id))
               .with_only_columns(links.c.actor_id, *store._sums(), maintain_column_froms=True)
               .group_by(links.c.actor_id))
    return [(row[0], None, *row[1:]) for row in session.execute(grouped)]


def old_victims(session, where, viewer, roll_up, sectarian=False):
    """By victim category as it was: every visible claim of a category, read and summed up in Python."""
    sums = store.sums_by(session, where, None, viewer=viewer, sectarian=sectarian)
    total = count([], None, {}, sums=sums).get((None, None), Totals())
    matching = store._matching(where, viewer, sectarian)
    claims = [c for c in session.scalars(select(Claim).where(
        Claim.field.in_(victims.COUNTS), Claim.value["subset"].as_string().isnot(None), ~Claim.retired,
        visible(Claim, viewer), Claim.incident_id.in_(matching.with_only_columns(Incident.id))
    ).order_by(Claim.incident_id, Claim.id)) if victims.is_victim_count(c)]
    by_incident: dict[int, list] = {}
    for claim, fact in zip(claims, facts_of(session, claims, viewer=viewer), strict=True):
        by_incident.setdefault(claim.incident_id, []).append((claim, fact))
    found = {i: victims.category_figures([c for c, _ in pairs], [f for _, f in pairs])
             for i, pairs in by_incident.items()}
    return victim_rows(victim_totals({i: f for i, f in found.items() if f}), total), total


def old_groups(session, where, viewer, roll_up, sectarian=False):
    """By group as it was: the groups' rows, then the total in a query of its own."""
    rows = old_sums_by_group(session, store._matching(where, viewer, sectarian), where, viewer, roll_up)
    total = count([], None, {}, sums=store.sums_by(session, where, None, viewer=viewer, sectarian=sectarian))
    return count([], "group", {}, roll_up, rows), total.get((None, None), Totals())


@contextmanager
def the_old_way():
    counting = assess_stats._count

    def count_as_before(session, where, by, viewer, roll_up, sectarian=False):
        if by == "victim-category":
            return old_victims(session, where, viewer, roll_up, sectarian)
        if by == "group":
            return old_groups(session, where, viewer, roll_up, sectarian)
        return counting(session, where, by, viewer, roll_up, sectarian)

    assess_stats._count = count_as_before
    try:
        yield
    finally:
        assess_stats._count = counting


def run(db, where, by, viewer, roll_up) -> list[dict]:
    with db.session() as session:
        return [row.as_dict() for row in assess_stats.compute(session, where, by, viewer=viewer,
                                                              roll_up=roll_up).rows]


def _order(row: dict) -> tuple[str, str]:
    return str(row["key"]), str(row["parent"])


def bench(url: str, runs: int, fresh: bool, incidents: int = 100_000) -> None:
    db = open_store(url)
    try:
        if fresh:
            fill(db, incidents)
            if db.dialect == "postgresql":
                with db.engine.begin() as connection:
                    connection.execute(text("ANALYZE"))
        viewer = implicit_admin(db)
        print(f"\n{db.dialect}, load {os.getloadavg()[0]:.1f} (1 min) at the start, {runs} runs each way")
        print(f"  {'case':44} {'old median':>10} {'old p95':>8} {'new median':>10} {'new p95':>8} {'new/old':>7}")
        for label, where, by, roll_up in CASES:
            with the_old_way():
                before = run(db, where, by, viewer, roll_up)
            now = run(db, where, by, viewer, roll_up)
            assert sorted(before, key=_order) == sorted(now, key=_order), f"{label}: the two ways disagree"
            timings: dict[str, list[float]] = {"old": [], "new": []}
            for _ in range(runs):
                for way in ("old", "new"):
                    began = time.perf_counter()
                    if way == "old":
                        with the_old_way():
                            run(db, where, by, viewer, roll_up)
                    else:
                        run(db, where, by, viewer, roll_up)
                    timings[way].append((time.perf_counter() - began) * 1000)
            old, new = (statistics.median(timings[w]) for w in ("old", "new"))
            print(f"  {label:44} {old:10.1f} {percentile(timings['old'], 0.95):8.1f} {new:10.1f} "
                  f"{percentile(timings['new'], 0.95):8.1f} {new / old:7.2f}")
        print(f"  load {os.getloadavg()[0]:.1f} (1 min) at the end")
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--db", help="a store filled by stats_speed.py or query_speed.py before: skip the fill")
    args = parser.parse_args()
    if args.db:
        bench(args.db, args.runs, fresh=False)
        return
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        with database(backend) as url:
            bench(url, args.runs, fresh=True, incidents=args.incidents)


if __name__ == "__main__":
    main()
