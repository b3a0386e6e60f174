"""How fast does the writer store extracted reports: the batched writer against the reference (one event at a time),
on SQLite and PostgreSQL, in one run?

    python benchmarks/writer_speed.py [--reports N] [--rounds R] [--backend sqlite|postgresql|both]

The corpus is benchmarks/ingest_speed.py's (the sample reports copied into N distinct ones), extracted once on all
cores before anything is timed; each timed run then stores those same results into a new store through `Ingest`,
as `jirga ingest` does, with extraction replaced by the stored results, so only the writer (and the reading of the
files) is measured. The two writers alternate, R rounds per backend (the reference at batches of 50, as it ran
before; the batched writer at its default), so that a noisy machine slows both alike: compare the ratio, which is
printed per round. Each pair of runs is also checked to give the same number of incidents.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_speed import build_corpus
from throwaway import postgres_database

from jirga.db import open_store
from jirga.ingest.readers import read_inputs
from jirga.ingest.textfile import read_metadata
from jirga.pipeline import ingest as ingest_module
from jirga.pipeline.ingest import Ingest, IngestOptions
from jirga.pipeline.pool import default_workers, extract_all


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    if args.reports < 1 or args.rounds < 1:
        parser.error("--reports and --rounds must be at least 1")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory(prefix="jirga-writer-bench-") as scratch:
        directory = Path(scratch)
        metadata = read_metadata(build_corpus(directory, args.reports))
        items = list(read_inputs([str(directory / "reports")], detect_language=False))
        results: list = []

        def extracted(jobs, workers=None, window=None, cluster=None):
            jobs = list(jobs)  # the run's own jobs (its dates, its order), extracted once
            if not results:
                results.extend(extract_all(jobs, default_workers()))
            return iter(results)

        ingest_module.extract_all = extracted
        start = time.perf_counter()
        run(f"sqlite:///{directory}/warm.db", items, metadata, True, 256)  # extracts, and warms the caches
        print(f"corpus    {args.reports:,} reports, extracted in {time.perf_counter() - start:.1f} s; "
              f"load {load()}")
        for backend in backends:
            for round_ in range(1, args.rounds + 1):
                timings = {}
                for name, batched, batch_size in (("reference", False, 50), ("batched", True, 256)):
                    with (postgres_database() if backend == "postgresql"
                          else contextlib.nullcontext(f"sqlite:///{directory}/{name}{round_}.db")) as url:
                        timings[name] = run(url, items, metadata, batched, batch_size)
                (ref, ref_incidents), (new, new_incidents) = timings["reference"], timings["batched"]
                print(f"{backend:10} round {round_}: reference {args.reports / ref:7.1f} reports/s, batched "
                      f"{args.reports / new:7.1f} reports/s, {ref / new:4.1f}x; incidents {ref_incidents} / "
                      f"{new_incidents}; load {load()}")


def run(url: str, items: list, metadata: dict, batched: bool, batch_size: int) -> tuple[float, int]:
    store = open_store(url)
    errors: list[str] = []
    Ingest.batched = batched
    ingest = Ingest(store, IngestOptions(workers=1, metadata=metadata, source="benchmark", batch_size=batch_size),
                    errors.append)
    try:
        start = time.perf_counter()
        ingest.run(items)
        seconds = time.perf_counter() - start
    finally:
        store.close()
    if errors or ingest.summary.new != len(items):
        sys.exit(f"{url}: {ingest.summary.line()}\n" + "\n".join(errors[:10]))
    return seconds, ingest.summary.incidents


if __name__ == "__main__":
    main()
