"""How fast does `jirga stats` answer over a store of 100,000 incidents, on SQLite and PostgreSQL?

    python benchmarks/stats_speed.py [--incidents N] [--backend sqlite|postgresql|both] [--runs R] [--db URL]

A fresh store is filled with N synthetic incidents (default 100,000) as `query_speed.py` fills it (bulk inserts:
claims, actor links, places; dates over 2014-2024), or `--db` names one already filled. Then each breakdown runs R
times (default 20, after one untimed run) the way `jirga stats` runs it (`assess.stats.compute` in one session, as
the organisation that owns the store): the totals, each key over the whole store, and each key over one quarter
with the change against the quarter before. Printed per case: median and p95 in ms against the target of 200 ms
(p95), and the command line once, Python start-up included.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from query_speed import fill, percentile
from sqlalchemy import text
from throwaway import database

from jirga.access.auth import implicit_admin
from jirga.assess.stats import compute
from jirga.db import open_store
from jirga.store.queries import IncidentFilter

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 200
QUARTER = {"since": "2016-07-01", "until": "2016-09-30"}
CASES: list[tuple[str, IncidentFilter, str | None, bool]] = [
    ("totals, every year", IncidentFilter(kind="attack"), None, False),
    ("--by month, every year", IncidentFilter(kind="attack"), "month", False),
    ("--by group, every year", IncidentFilter(kind="attack"), "group", False),
    ("--by group --roll-up, every year", IncidentFilter(kind="attack"), "group", True),
    ("--by province, every year", IncidentFilter(kind="attack"), "province", False),
    ("--by district, every year", IncidentFilter(kind="attack"), "district", False),
    ("--by attack-type, every year", IncidentFilter(kind="attack"), "attack-type", False),
    ("--by victim-category, every year", IncidentFilter(kind="attack"), "victim-category", False),
    ("--by province, a quarter (+ the one before)", IncidentFilter(kind="attack", **QUARTER), "province", False),
    ("--by group, a quarter (+ the one before)", IncidentFilter(kind="attack", **QUARTER), "group", False),
    ("--by month --region PK --group TTP", IncidentFilter(kind="attack", country="PK", actor="TTP"), "month", False),
]


def run(store, where: IncidentFilter, by: str | None, viewer, roll_up: bool) -> int:
    """As `jirga stats` runs it: one session, the breakdown; returns its number of rows."""
    with store.session() as session:
        return len(compute(session, where, by, viewer=viewer, roll_up=roll_up).rows)


def bench(backend: str, url: str, args: argparse.Namespace, fresh: bool) -> list[str]:
    print(f"\n{backend}")
    store = open_store(url)
    slow = []
    try:
        if fresh:
            start = time.perf_counter()
            counts = fill(store, args.incidents)
            if backend == "postgresql":
                with store.engine.begin() as connection:
                    connection.execute(text("ANALYZE"))
            print(f"  filled {counts['incidents']:,} incidents, {counts['claims']:,} claims in "
                  f"{time.perf_counter() - start:.0f} s")
        viewer = implicit_admin(store)
        print(f"  {'case':46} {'median':>8} {'p95':>8} {'rows':>5}  (ms, {args.runs} runs)")
        for label, where, by, roll_up in CASES:
            rows = run(store, where, by, viewer, roll_up)
            timings = []
            for _ in range(args.runs):
                began = time.perf_counter()
                run(store, where, by, viewer, roll_up)
                timings.append((time.perf_counter() - began) * 1000)
            median, p95 = statistics.median(timings), percentile(timings, 0.95)
            flag = "  SLOW" if p95 > TARGET_MS else ""
            print(f"  {label:46} {median:8.1f} {p95:8.1f} {rows:5}{flag}")
            if p95 > TARGET_MS:
                slow.append(f"{backend}: {label}")
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "jirga.cli", "stats", "--db", url, "--by", "province", "--format",
                        "json"], capture_output=True, check=True, cwd=ROOT)
        print(f"  command line: `jirga stats --by province --format json` in "
              f"{(time.perf_counter() - began) * 1000:,.0f} ms, Python start-up included")
    finally:
        store.close()
    return slow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", help="a store already filled by this benchmark (or query_speed.py): skip the fill")
    args = parser.parse_args()
    print(f"machine   {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"target    p95 under {TARGET_MS} ms per `jirga stats` at {args.incidents:,} incidents")
    slow: list[str] = []
    if args.db:
        slow += bench("given store", args.db, args, fresh=False)
    else:
        for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
            with database(backend) as url:
                slow += bench(backend, url, args, fresh=True)
    print("\n" + ("p95 over the target: " + "; ".join(slow) if slow else f"every p95 under {TARGET_MS} ms"))


if __name__ == "__main__":
    main()
