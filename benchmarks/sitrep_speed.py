"""How fast is a situation report (PDF) for one quarter of a store of 10,000 incidents?

    python benchmarks/sitrep_speed.py [--incidents N] [--backend sqlite|postgresql] [--runs R] [--out DIR]

A fresh store is filled with N synthetic incidents (default 10,000) as `query_speed.py` fills it (bulk inserts over
2014-2024, places from the gazetteer, groups, figures; `synthetic_store.py`). Then the report for 2016-07-01 to
2016-09-30 is made R times (default 5, after one untimed run) as `jirga sitrep --format pdf` makes it, in three
timed steps: reading and counting (`assess.sitrep.build`: the quarter, the quarter before, claims, footnotes, the
map), the HTML, and the PDF (WeasyPrint). Printed: median and worst of each and of the whole, against the target of
5 s; then the command line once, Python start-up included. The last PDF is kept in --out (default out/bench).
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

from query_speed import fill
from throwaway import database

from jirga.access.auth import implicit_admin
from jirga.assess import sitrep
from jirga.db import open_store
from jirga.store.queries import IncidentFilter

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 5.0
QUARTER = IncidentFilter(kind="attack", since="2016-07-01", until="2016-09-30")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench")
    args = parser.parse_args()
    print(f"machine   {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with database(args.backend) as url:
        store = open_store(url)
        try:
            began = time.perf_counter()
            counts = fill(store, args.incidents)
            print(f"store     {args.backend}: {counts['incidents']:,} incidents, {counts['claims']:,} claims "
                  f"(filled in {time.perf_counter() - began:.0f} s)")
            viewer = implicit_admin(store)
            steps: dict[str, list[float]] = {"build": [], "html": [], "pdf": [], "total": []}
            pdf = b""
            for run in range(args.runs + 1):
                t0 = time.perf_counter()
                with store.session() as session:
                    report = sitrep.build(session, QUARTER, viewer=viewer)
                t1 = time.perf_counter()
                sitrep.to_html(report)
                t2 = time.perf_counter()
                pdf = sitrep.to_pdf(report)
                t3 = time.perf_counter()
                if run:  # the first run warms caches: the map's outlines, fonts, templates
                    for name, seconds in (("build", t1 - t0), ("html", t2 - t1), ("pdf", t3 - t2),
                                          ("total", t3 - t0 - (t2 - t1))):
                        steps[name].append(seconds)
            print(f"report    {report.start} to {report.end}: {report.total.incidents} attacks, "
                  f"{len(report.notes.notes)} footnotes, {len(pdf) // 1024} KiB of PDF")
            for name, values in steps.items():
                print(f"  {name:6} median {statistics.median(values):6.2f} s   worst {max(values):6.2f} s")
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / "sitrep-quarter.pdf").write_bytes(pdf)
            began = time.perf_counter()
            subprocess.run([sys.executable, "-m", "jirga.cli", "sitrep", "--db", url, "--from", "2016-07-01",
                            "--to", "2016-09-30", "--format", "pdf", "--out", str(args.out / "sitrep-cli.pdf")],
                           check=True, capture_output=True, cwd=ROOT)
            print(f"  command line: `jirga sitrep ... --format pdf` in {time.perf_counter() - began:.2f} s, "
                  "Python start-up included")
            median = statistics.median(steps["total"])
            print(f"\n{'under' if median < TARGET_S else 'OVER'} the target of {TARGET_S:.0f} s (median, reading "
                  f"and counting plus the PDF)")
        finally:
            store.close()


if __name__ == "__main__":
    main()
