"""Does storing a report cost more as its incident grows? Many near-copies of one attack against as many reports of
different attacks, ingested into SQLite (or PostgreSQL) in one run.

    python benchmarks/one_event_ingest.py [--reports N] [--workers W] [--backend sqlite|postgresql]

Each copy of the one event tells the same bombing (the toll varies a little, each ends with its own dispatch line),
so every one joins the same incident; each report of the other corpus tells the same kind of bombing on its own date
three days from the others', so each opens an incident of its own. The two corpora alternate (one event, different
events, one event again) and the script prints their reports/s, their ratio (the bar: one event as fast as
different events) and the seconds per 100 reports of each batch of the first runs (flat: joining an incident costs
the same however big it is).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway import postgres_database

from jirga.db import open_store
from jirga.db.schema import Incident
from jirga.model.report import IncomingReport
from jirga.pipeline.ingest import Ingest, IngestOptions

TEXT = ("PESHAWAR, March 4 - A suicide bomber killed {killed} people and injured {injured} at a mosque in Peshawar on "
        "{day}, police said. The Islamic State claimed responsibility. Dispatch {number}.")
PUBLISHED = dt.date(2016, 3, 5)


def corpus(n: int, one_event: bool) -> list[IncomingReport]:
    days = ["Friday" if one_event else f"{PUBLISHED - dt.timedelta(days=3 * k):%d %B %Y}" for k in range(n)]
    return [IncomingReport(TEXT.format(killed=50 + k % 9, injured=80 + k % 13, day=days[k], number=k),
                           f"copy-{k}.txt", source=f"Outlet {k % 40}") for k in range(n)]


def ingest(url: str, reports: list[IncomingReport], workers: int) -> tuple[float, int, list[tuple[int, float]]]:
    store = open_store(url)
    marks: list[tuple[int, float]] = []
    start = time.perf_counter()

    def progress(summary) -> None:
        done = summary.new + summary.unchanged + summary.failed
        if not marks or done // 100 > marks[-1][0] // 100:
            marks.append((done, time.perf_counter() - start))

    try:
        Ingest(store, IngestOptions(workers=workers, published=PUBLISHED), print, progress).run(reports)
        seconds = time.perf_counter() - start
        with store.session() as session:
            incidents = session.query(Incident).count()
    finally:
        store.close()
    return seconds, incidents, marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    if args.reports < 1 or args.workers < 1:
        parser.error("--reports and --workers must be at least 1")
    with tempfile.TemporaryDirectory() as folder:
        rates: dict[str, list[float]] = {"one event": [], "different events": []}
        for run, name in enumerate(["one event", "different events", "one event", "different events"]):
            with (postgres_database() if args.backend == "postgresql"
                  else contextlib.nullcontext(f"sqlite:///{folder}/run{run}.db")) as url:
                seconds, incidents, marks = ingest(url, corpus(args.reports, name == "one event"), args.workers)
            rates[name].append(args.reports / seconds)
            print(f"{name:17} {args.reports} reports, {incidents} incident(s), {seconds:6.1f} s, "
                  f"{args.reports / seconds:6.1f} reports/s; load {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
            if run < 2:
                blocks, previous = [], (0, 0.0)
                for done, at in marks:
                    blocks.append(f"{(at - previous[1]) * 100 / max(done - previous[0], 1):.2f}")
                    previous = (done, at)
                print(f"{'':17} seconds per 100 reports, batch by batch: {' '.join(blocks)}")
    one, different = (sum(rates[name]) / len(rates[name]) for name in ("one event", "different events"))
    print(f"one event / different events: {one / different:.2f}x the reports/s (bar: >= 1, as fast)")


if __name__ == "__main__":
    main()
