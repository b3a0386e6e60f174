"""How fast does `jirga ingest` store reports, on SQLite and PostgreSQL, and does its memory stay flat?

    python benchmarks/ingest_speed.py [--reports N] [--backend sqlite|postgresql|both] [--workers W] [--quick]

The corpus is the sample reports (examples/reports/*.txt) copied until it holds N reports (default 10,000), each
copy made distinct: a closing dispatch line with its number, its own title, a publication date shifted by up to a
month from the sample's (so relative dates resolve differently) and one of a few outlets as its source, all given
to the ingest through a metadata CSV (file,published,title,source). The real command line runs as a subprocess,

    python -m jirga.cli ingest DIR --metadata CSV --db URL [--workers W]

once per backend: a SQLite file in the temporary directory, and a throw-away PostgreSQL database on
127.0.0.1:5432 that this script creates and drops. Meanwhile the process tree's resident memory is sampled from
/proc every 0.2 s (VmRSS of the main process, which reads and writes, and of its extraction workers; and the
proportional set size of the whole tree, which counts shared pages once) and the stored reports
are counted, so that memory can be printed at 25/50/75/100 % of progress: flat means it does not grow with the
number of reports. Timings include Python start-up, the schema migration and the process pool's start.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from throwaway import postgres_database

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "examples" / "reports"
OUTLETS = ["Dawn", "The Express Tribune", "Reuters", "Associated Press", "TOLOnews", "Radio Free Europe",
           "The Hindu", "Iran International"]
TARGET_REPORTS, TARGET_MINUTES = 100_000, 30
SAMPLE_SECONDS = 0.2
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CHECKPOINTS = (25, 50, 75, 100)
SUMMARY = re.compile(r"(\d+) new, (\d+) unchanged, (\d+) updated, (\d+) failed; (\d+) new incidents")


def build_corpus(directory: Path, n: int) -> Path:
    """N distinct report files in directory/reports and their metadata CSV; returns the CSV's path."""
    samples = sorted(REPORTS.glob("*.txt"))
    with (REPORTS / "metadata.csv").open(encoding="utf-8", newline="") as handle:
        known = {row["file"]: row for row in csv.DictReader(handle)}
    texts = [path.read_text(encoding="utf-8").rstrip() for path in samples]
    out = directory / "reports"
    out.mkdir()
    metadata = directory / "metadata.csv"
    with metadata.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "published", "title", "source"])
        for number in range(n):
            sample, copy = samples[number % len(samples)], number // len(samples)
            row = known.get(sample.name, {})
            base = dt.date.fromisoformat(row["published"]) if row.get("published") else dt.date(2020, 1, 1)
            published = base + dt.timedelta(days=copy % 31)
            name = f"{number:06d}_{sample.name}"
            (out / name).write_text(f"{texts[number % len(samples)]}\n\nDispatch {number + 1:06d}.\n",
                                    encoding="utf-8")
            title = row.get("title") or sample.stem.replace("_", " ")
            writer.writerow([name, published.isoformat(), f"{title} (dispatch {number + 1})",
                             OUTLETS[number % len(OUTLETS)]])
    return metadata


# Memory of the process tree, from /proc (no psutil).

def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return 0  # a zombie has no VmRSS line


def pss_kib(pid: int) -> int:
    """Proportional set size: shared pages (the workers share much with the process they were forked from) split
    among their sharers, so the PSS of a tree adds up to the memory it really holds."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15 of stat)
    except (OSError, ValueError, IndexError):
        return 0.0


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def is_helper(pid: int) -> bool:
    """multiprocessing's resource tracker or fork server: not an extraction worker."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read()
    except OSError:
        return False
    return b"resource_tracker" in command or b"forkserver" in command


@dataclass
class Sample:
    seconds: float
    stored: int
    main: int  # KiB
    workers: dict[int, int]  # pid -> KiB
    pss: int  # KiB, the whole tree

    @property
    def workers_total(self) -> int:
        return sum(self.workers.values())


@dataclass
class Memory:
    samples: list[Sample] = field(default_factory=list)
    helpers: dict[int, int] = field(default_factory=dict)  # pid -> peak KiB
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> CPU seconds, as last seen
    root: int = 0

    def sample(self, root: int, seconds: float, stored: int) -> None:
        main = rss_kib(root)
        if main is None:
            return
        self.root = root
        self.cpu[root] = cpu_seconds(root)
        workers: dict[int, int] = {}
        pss = pss_kib(root)
        todo = children(root)
        while todo:
            pid = todo.pop()
            kib = rss_kib(pid)
            if kib is None:
                continue
            pss += pss_kib(pid)
            todo.extend(children(pid))
            if is_helper(pid):
                self.helpers[pid] = max(kib, self.helpers.get(pid, 0))
            elif kib:
                workers[pid] = kib
                self.cpu[pid] = cpu_seconds(pid)
        self.samples.append(Sample(seconds, stored, main, workers, pss))

    def peak_main(self) -> int:
        return max((s.main for s in self.samples), default=0)

    def peak_worker(self) -> int:
        return max((kib for s in self.samples for kib in s.workers.values()), default=0)

    def peak_workers_total(self) -> int:
        return max((s.workers_total for s in self.samples), default=0)

    def peak_pss(self) -> int:
        return max((s.pss for s in self.samples), default=0)

    def worker_count(self) -> int:
        return len({pid for s in self.samples for pid in s.workers})

    def at(self, stored: int) -> Sample | None:
        """The first sample taken once this many reports were stored, else the last one taken; only samples taken
        while the workers ran, when there were workers (at the very end the pool has shut down)."""
        running = [s for s in self.samples if s.workers] or self.samples
        return next((s for s in running if s.stored >= stored), running[-1] if running else None)


# Counting stored reports while the ingest runs.

class Counter:
    """Counts reports (and incidents) in the store the ingest writes to; 0 until its schema exists."""

    def __init__(self, url: str, sqlite_path: Path | None):
        self.url, self.sqlite_path, self.connection = url, sqlite_path, None

    def _connect(self):
        if self.sqlite_path is not None:
            if not self.sqlite_path.exists():  # never create the file before jirga does
                return None
            return sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True, timeout=1)
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=3)

    def count(self, table: str = "reports") -> int:
        try:
            if self.connection is None:
                self.connection = self._connect()
                if self.connection is None:
                    return 0
            return self.connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except Exception:  # no schema yet, or the database is busy: try again at the next sample
            self.close()
            return 0

    def backends(self) -> list[int]:
        """PostgreSQL: the server processes serving the ingest's connections to this database."""
        if self.sqlite_path is not None or self.connection is None:
            return []
        try:
            return [row[0] for row in self.connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]
        except Exception:
            self.close()
            return []

    def close(self) -> None:
        if self.connection is not None:
            with suppress(Exception):
                self.connection.close()
            self.connection = None


@dataclass
class Outcome:
    backend: str
    seconds: float
    summary: str
    new: int
    failed: int
    incidents: int
    stored_reports: int
    stored_incidents: int
    memory: Memory
    stderr: str
    server_cpu: float | None  # PostgreSQL: CPU seconds of the server processes serving the ingest


def run_ingest(backend: str, url: str, sqlite_path: Path | None, corpus: Path, metadata: Path, n: int,
               workers: int | None, logs: Path) -> Outcome:
    command = [sys.executable, "-m", "jirga.cli", "ingest", str(corpus), "--metadata", str(metadata), "--db", url]
    if workers:
        command += ["--workers", str(workers)]
    counter, memory = Counter(url, sqlite_path), Memory()
    out_path, err_path = logs / f"{backend}.out", logs / f"{backend}.err"
    with out_path.open("w") as out, err_path.open("w") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT)
        stored = 0
        server: dict[int, float] = {}
        while process.poll() is None:
            stored = max(stored, counter.count())
            memory.sample(process.pid, time.perf_counter() - start, stored)
            for pid in counter.backends():
                server[pid] = max(server.get(pid, 0.0), cpu_seconds(pid))
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - start
    counter.close()
    stdout, stderr = out_path.read_text(), err_path.read_text()
    if process.returncode not in (0, 1):
        sys.exit(f"{backend}: jirga ingest exited with {process.returncode}\n{stderr[-3000:]}")
    match = SUMMARY.search(stdout)
    if not match:
        sys.exit(f"{backend}: no summary line in the output of jirga ingest:\n{stdout[-2000:]}\n{stderr[-2000:]}")
    new, _unchanged, _updated, failed, incidents = map(int, match.groups())
    final = Counter(url, sqlite_path)
    stored_reports, stored_incidents = final.count("reports"), final.count("incidents")
    final.close()
    return Outcome(backend, seconds, match.group(0), new, failed, incidents, stored_reports, stored_incidents,
                   memory, stderr, sum(server.values()) if sqlite_path is None else None)


def mib(kib: int) -> str:
    return f"{kib / 1024:6.0f} MiB"


def report(outcome: Outcome, n: int) -> None:
    m = outcome.memory
    rate = n / outcome.seconds
    print(f"\n{outcome.backend}")
    print(f"  jirga said           {outcome.summary}")
    print(f"  stored               {outcome.stored_reports:,} reports, {outcome.stored_incidents:,} incidents")
    print(f"  wall time            {outcome.seconds:.1f} s (Python start-up, migration and pool start included)")
    print(f"  throughput           {rate:,.1f} reports/s, {outcome.incidents / outcome.seconds:,.1f} incidents/s")
    first, last = m.at(n * CHECKPOINTS[0] // 100), m.at(n)
    if first and last and last.stored > first.stored and last.seconds > first.seconds:
        steady = (last.stored - first.stored) / (last.seconds - first.seconds)
        print(f"  steady rate          {steady:,.1f} reports/s (from {first.stored:,} to {last.stored:,} stored)")
    else:
        steady = None
    print(f"  peak RSS             main {mib(m.peak_main()).strip()}; workers: {m.worker_count()} seen, "
          f"largest {mib(m.peak_worker()).strip()}, all together {mib(m.peak_workers_total()).strip()}"
          + (f"; helpers {mib(sum(m.helpers.values())).strip()}" if m.helpers else ""))
    main_cpu = m.cpu.get(m.root, 0.0)
    workers_cpu = sum(seconds for pid, seconds in m.cpu.items() if pid != m.root)
    print(f"  CPU                  main {main_cpu:.1f} s ({100 * main_cpu / outcome.seconds:.0f} % of the wall time), "
          f"workers {workers_cpu:.1f} s together, as last sampled"
          + (f"; database server {outcome.server_cpu:.1f} s" if outcome.server_cpu is not None else ""))
    print(f"  peak PSS             {mib(m.peak_pss()).strip()} for the whole tree (RSS counts the pages the "
          "workers share with main once per process)")
    print(f"  RSS by progress      {'progress':>8} {'stored':>8} {'time':>7} {'main':>10} {'workers':>10} "
          f"{'tree PSS':>10}")
    for percent in CHECKPOINTS:
        sample = m.at(n * percent // 100)
        if sample is None:
            continue
        print(f"  {'':20} {percent:>7}% {sample.stored:>8,} {sample.seconds:>6.1f}s {mib(sample.main):>10} "
              f"{mib(sample.workers_total):>10} {mib(sample.pss):>10}")
    for label, per_second in (("overall", rate), ("steady", steady)):
        if per_second:
            minutes = TARGET_REPORTS / per_second / 60
            verdict = "meets" if minutes <= TARGET_MINUTES else "misses"
            print(f"  projection ({label:7}) {minutes:,.1f} min for {TARGET_REPORTS:,} reports "
                  f"({verdict} the {TARGET_MINUTES}-minute target)")


def check(outcome: Outcome, n: int) -> list[str]:
    """Sanity: every report stored once, none failed, jirga's counts match the database's."""
    problems = []
    if outcome.new != n or outcome.stored_reports != n:
        problems.append(f"{outcome.backend}: {n} reports built, {outcome.new} new, {outcome.stored_reports} stored")
    if outcome.failed:
        problems.append(f"{outcome.backend}: {outcome.failed} failed:\n{outcome.stderr[-2000:]}")
    if outcome.incidents != outcome.stored_incidents:
        problems.append(f"{outcome.backend}: jirga counted {outcome.incidents} incidents, the database holds "
                        f"{outcome.stored_incidents}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000, help="reports in the corpus (default 10000)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, help="extraction processes (default: jirga's, all cores)")
    parser.add_argument("--quick", action="store_true", help="500 reports, for a fast check")
    args = parser.parse_args()
    n = 500 if args.quick else args.reports
    if n < 1:
        parser.error("--reports must be at least 1")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]

    print(f"machine   {platform.platform()}, {os.cpu_count()} CPUs "
          f"({len(os.sched_getaffinity(0))} usable), Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="jirga-ingest-bench-") as tmp:
        directory = Path(tmp)
        start = time.perf_counter()
        metadata = build_corpus(directory, n)
        corpus = directory / "reports"
        words = sum(len(path.read_text(encoding="utf-8").split()) for path in sorted(REPORTS.glob("*.txt")))
        print(f"corpus    {n:,} reports built in {time.perf_counter() - start:.1f} s from "
              f"{len(list(REPORTS.glob('*.txt')))} samples (mean {words / len(list(REPORTS.glob('*.txt'))):.0f} "
              f"words), {len(OUTLETS)} outlets")
        print("command   python -m jirga.cli ingest DIR --metadata CSV --db URL"
              + (f" --workers {args.workers}" if args.workers else " (workers: all cores)"))
        problems: list[str] = []
        for backend in backends:
            if backend == "sqlite":
                path = directory / "jirga.db"
                outcome = run_ingest(backend, f"sqlite:///{path}", path, corpus, metadata, n, args.workers,
                                     directory)
            else:
                with postgres_database() as url:
                    outcome = run_ingest(backend, url, None, corpus, metadata, n, args.workers, directory)
            report(outcome, n)
            problems += check(outcome, n)
    if problems:
        sys.exit("\n".join(["", "SANITY CHECK FAILED:", *problems]))


if __name__ == "__main__":
    main()
