"""Does extraction scale with Dask workers, and how far is ingest from extraction alone?

    python benchmarks/scale.py [--reports N] [--dask-runs K] [--dask-only]

One corpus (the sample reports copied until it holds N distinct reports, as benchmarks/ingest_speed.py builds it),
measured in one run:
- extraction alone, through `jirga.pipeline.pool.extract_all` on a Dask LocalCluster of 1 and then 2 worker
  processes (one thread each): reports/s and the scaling ratio (the bar: >= 1.8x from 1 to 2 workers, which a
  machine with fewer than 3 free cores cannot show, since the driver needs one too), with the CPU each used per
  report, the driver's (which runs the scheduler) against the workers'; `--dask-runs K` measures it K times;
- extraction alone on the local process pool with all cores;
- ingest of the same corpus into a new SQLite store and into a throw-away PostgreSQL database (127.0.0.1:5432) with
  all cores (`Ingest`, as `jirga ingest` runs it): reports/s, its time over extraction's on the same cores (the bar:
  within 2x), and the memory of the process and its extraction workers at 25/50/75/100 % of the reports stored
  (flat: it does not grow with the number of reports). `--no-dask` leaves the Dask part out, `--backend` one
  backend.

    python benchmarks/scale.py --store URL [--runs R]

measures a store made by `benchmarks/make_corpus.py` (about 1M claims) instead: p50 and p95 of the filtered
incident list (`list_incidents`, limit 100, as `jirga incidents` runs it) and of the monthly aggregate (`jirga
stats --by month`, every year), for the data's owner and for the partner that sees 10 % (the bar: p95 < 100 ms),
and the same aggregate by the direct query over every view (as before `month_sums` kept it), the cases alternated.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_speed import CHECKPOINTS, SAMPLE_SECONDS, Memory, build_corpus, mib
from throwaway import postgres_database

from jirga.db import open_store
from jirga.ingest.readers import read_inputs
from jirga.ingest.textfile import read_metadata
from jirga.pipeline.cluster import Cluster
from jirga.pipeline.ingest import Ingest, IngestOptions
from jirga.pipeline.pool import Job, default_workers, extract_all

LISTS = [("--country PK", {"country": "PK"}), ("--actor TTP --since 2020", {"actor": "TTP", "since": "2020"}),
         ("--province PK-BA --kind attack", {"province": "PK-BA", "kind": "attack"})]


def jobs(corpus: Path, metadata: dict) -> list[Job]:
    found = []
    for number, path in enumerate(sorted(corpus.glob("*.txt"))):
        published = metadata.get(path.name, {}).get("published")
        # No language: the workers detect it, as they do for `jirga ingest`, so both do the same work.
        found.append(Job(number, path.read_text(encoding="utf-8"), published))
    return found


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def at_scale(url: str, runs: int) -> None:
    """The list and the monthly aggregate over a made corpus, for its owner and for the partner."""
    from make_corpus import PARTNER
    from query_speed import percentile
    from sqlalchemy import func, select

    from jirga.access import Viewer
    from jirga.access.auth import implicit_admin
    from jirga.assess.stats import compute
    from jirga.db.schema import Claim, Organisation
    from jirga.store.queries import IncidentFilter, list_incidents

    store = open_store(url)
    with store.session() as session:
        claims = session.scalar(select(func.count()).select_from(Claim))
        partner = session.scalar(select(Organisation.id).where(Organisation.name == PARTNER))
    print(f"store     {claims:,} claims")
    cases = [(f"list {label}", lambda s, v, w=where: list_incidents(s, IncidentFilter(**w), viewer=v))
             for label, where in LISTS]
    monthly = functools.partial(compute, where=IncidentFilter(kind="attack"), by="month")
    cases.append(("stats --by month, every year", lambda s, v: monthly(s, viewer=v)))
    cases.append(("  the same, direct (before month_sums)", lambda s, v: direct(monthly, s, v)))
    print(f"load      {os.getloadavg()[0]:.2f} (1 min) at the start")
    for who, viewer in (("owner", implicit_admin(store)), ("partner", Viewer(None, partner, "viewer", "partner"))):
        with store.session() as session:  # the kept sums must say what the direct query says
            same = monthly(session, viewer=viewer).as_dict() == direct(monthly, session, viewer).as_dict()
        print(f"{who:8}  stats --by month: kept sums equal the direct query: {same}")
        timings: dict[str, list[float]] = {label: [] for label, _ in cases}
        for _ in range(runs + 1):  # the cases alternate, so a noisy neighbour hits all alike; the first warms caches
            for label, case in cases:
                with store.session() as session:
                    timings[label].append(timed(lambda case=case, session=session, viewer=viewer:
                                                case(session, viewer)))
        for label, _ in cases:
            ms = [t * 1000 for t in timings[label][1:]]
            p95 = percentile(ms, 0.95)
            print(f"{who:8}  {label:40} p50 {sorted(ms)[len(ms) // 2]:7.1f}  p95 {p95:7.1f} ms"
                  + ("" if p95 < 100 else "  (bar 100 ms)"))
    print(f"load      {os.getloadavg()[0]:.2f} (1 min) at the end")
    store.close()


def direct(count, session, viewer):
    """The count as the direct query over the views gives it, the kept monthly sums (`month_sums`) not read."""
    from jirga.store import month_sums

    with mock.patch.object(month_sums, "serves", lambda *_: False):
        return count(session, viewer=viewer)


def dask_scaling(work: list[Job]) -> None:
    """Extraction on a LocalCluster of 1 and 2 workers: reports/s, the ratio, and where the CPU went (the driver,
    which runs the scheduler too, against the workers), per report: the driver's share is what the workers lose
    when driver and workers share the cores."""
    rates = {}
    for workers in (1, 2):
        with Cluster(f"local:{workers}") as cluster:
            list(extract_all(work[:64], cluster=cluster))  # workers warmed up, not timed
            before = sum(cluster.client.run(time.process_time).values()), time.process_time()
            seconds = timed(lambda cluster=cluster: sum(1 for _ in extract_all(work, cluster=cluster)))
            used = sum(cluster.client.run(time.process_time).values()) - before[0], time.process_time() - before[1]
        rates[workers] = len(work) / seconds
        print(f"dask      {workers} worker(s): {seconds:6.1f} s, {rates[workers]:7.1f} reports/s; CPU per report: "
              f"workers {used[0] / len(work) * 1000:.2f} ms, driver {used[1] / len(work) * 1000:.2f} ms "
              f"({used[1] / (used[0] + used[1]):.1%})")
    print(f"          scaling 1 -> 2 workers: {rates[2] / rates[1]:.2f}x (bar >= 1.8x); load {os.getloadavg()[0]:.2f}")


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def ingest(url: str, directory: Path, metadata: dict, cores: int) -> tuple[float, Ingest, Memory]:
    """`jirga ingest` of the corpus into the store at url, in this process, with its memory sampled meanwhile."""
    store = open_store(url)
    errors: list[str] = []
    stored = [0]
    run = Ingest(store, IngestOptions(workers=cores, metadata=metadata, source="benchmark",
                                      published=dt.date(2020, 1, 1)), errors.append,
                 lambda summary: stored.__setitem__(0, summary.new))
    memory, done = Memory(), threading.Event()
    start = time.perf_counter()

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            memory.sample(os.getpid(), time.perf_counter() - start, stored[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        run.run(read_inputs([str(directory / "reports")], detect_language=False))
        seconds = time.perf_counter() - start
    finally:
        done.set()
        sampler.join()
        store.close()
    if errors:
        sys.exit("\n".join(errors[:10]))
    return seconds, run, memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2_000, help="reports in the corpus (default 2000)")
    parser.add_argument("--store", help="measure reads over this store made by make_corpus.py instead")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per read with --store (default 20)")
    parser.add_argument("--dask-runs", type=int, default=1, help="times to measure Dask scaling (default 1)")
    parser.add_argument("--dask-only", action="store_true", help="measure Dask scaling only")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--no-dask", action="store_true", help="leave out the Dask workers' scaling")
    args = parser.parse_args()
    if args.store:
        at_scale(args.store, args.runs)
        return
    cores = default_workers()
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        metadata_path = build_corpus(directory, args.reports)
        metadata = read_metadata(metadata_path)
        work = jobs(directory / "reports", metadata)
        print(f"corpus    {len(work):,} reports; {cores} cores; Python {sys.version.split()[0]}")

        if not args.no_dask:
            for _ in range(args.dask_runs):
                dask_scaling(work)
        if args.dask_only:
            return

        backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
        for backend in backends:
            # Extraction alone just before each ingest, so that both meet the same load on a shared machine.
            pool = timed(lambda: sum(1 for _ in extract_all(work, workers=cores)))
            print(f"pool      {cores} processes: {pool:6.1f} s, {len(work) / pool:7.1f} reports/s (extraction alone); "
                  f"load {load()}")
            with (postgres_database() if backend == "postgresql"
                  else contextlib.nullcontext(f"sqlite:///{directory / 'jirga.db'}")) as url:
                seconds, run, memory = ingest(url, directory, metadata, cores)
            name = "SQLite" if backend == "sqlite" else "PostgreSQL"
            print(f"ingest    {cores} processes, {name}: {seconds:6.1f} s, {len(work) / seconds:7.1f} reports/s "
                  f"({run.summary.line()}); load {load()}")
            print(f"          ingest / extraction alone: {seconds / pool:.2f}x (bar <= 2x)")
            for percent in CHECKPOINTS:
                sample = memory.at(len(work) * percent // 100)
                if sample is not None:
                    print(f"          memory at {percent:3d} % ({sample.stored:,} stored): main {mib(sample.main)}, "
                          f"workers {mib(sample.workers_total)}, tree PSS {mib(sample.pss)}")
        if os.cpu_count() and os.cpu_count() < 3:
            print("note      fewer than 3 cores: the Dask driver competes with the workers, so scaling is capped")


if __name__ == "__main__":
    main()
