"""Does storing a report cost more as its incident grows? Many near-copies of one attack, ingested into SQLite.

    python benchmarks/one_event_ingest.py [--reports N] [--workers W]

Each copy tells the same bombing (the toll varies a little, each ends with its own dispatch line), so every one
joins the same incident. Prints the seconds each block of 100 reports took to extract and store: flat means joining
an incident costs the same however big it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time

from jirga.db import open_store
from jirga.db.schema import Incident
from jirga.model.report import IncomingReport
from jirga.pipeline.ingest import Ingest, IngestOptions

TEXT = ("PESHAWAR, March 4 - A suicide bomber killed {killed} people and injured {injured} at a mosque in Peshawar on "
        "Friday, police said. The Islamic State claimed responsibility. Dispatch {number}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/one.db")
        reports = [IncomingReport(TEXT.format(killed=50 + n % 9, injured=80 + n % 13, number=n), f"copy-{n}.txt",
                                  source=f"Outlet {n % 40}") for n in range(args.reports)]
        marks: list[tuple[int, float]] = []
        start = time.perf_counter()

        def progress(summary) -> None:
            done = summary.new + summary.unchanged + summary.failed
            if not marks or done // 100 > marks[-1][0] // 100:
                marks.append((done, time.perf_counter() - start))

        Ingest(store, IngestOptions(workers=args.workers, published=dt.date(2016, 3, 5)), print, progress).run(reports)
        total = time.perf_counter() - start
        with store.session() as session:
            incidents = session.query(Incident).count()
        store.close()
    print(f"{args.reports} reports, {incidents} incident(s), {total:.1f} s in all")
    previous = (0, 0.0)
    for done, at in marks:
        if done // 100 > previous[0] // 100 or done == args.reports:
            print(f"  up to {done:5d}: {at - previous[1]:5.2f} s for the last {done - previous[0]}")
            previous = (done, at)


if __name__ == "__main__":
    main()
