"""Extraction over all cores, or over a Dask cluster: jobs go out a bounded window at a time, results come back in
job order.

The window keeps memory flat however many reports stream through: at most `window` texts are in flight. On a
cluster (`cluster.py`) the jobs travel in partitions; a worker lost mid-run has its partitions recomputed by the
scheduler on another, and since the store is written here, in job order, nothing is lost or written twice.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections import deque
from collections.abc import Hashable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from jirga.store.claims import Decomposed, decompose


@dataclass(frozen=True)
class Job:
    key: Hashable
    text: str
    published: dt.date | None
    language: str | None = None  # detected in the worker when None


@dataclass(frozen=True)
class Result:
    key: Hashable
    found: Decomposed | None
    error: str | None = None
    language: str | None = None
    published: dt.date | None = None  # the job had none: the date its text gives, which anchored extraction


HANDLED_LANGUAGES = {"en"}


def run_job(job: Job) -> Result:
    from jirga.extract import extract
    from jirga.ingest.language import describe, detect

    language = job.language or detect(job.text)
    if language and language not in HANDLED_LANGUAGES:
        return Result(job.key, None, f"written in {describe(language)}; the extractor handles "
                                     f"{', '.join(map(describe, sorted(HANDLED_LANGUAGES)))} only")
    try:
        found = None if job.published is not None else date_in_text(job.text)
        return Result(job.key, decompose(extract(job.text, job.published or found), job.text), language=language,
                      published=found)
    except Exception as error:  # one bad report must not stop a run of thousands; its reason is reported
        return Result(job.key, None, f"extraction failed ({type(error).__name__}: {error})")


def date_in_text(text: str) -> dt.date | None:
    """For a report with no publication date: the latest full date its text gives (a dateline's, "on 14 August
    2016"), so that its relative dates ("on Tuesday") resolve against it; None when it gives none. Only dates with a
    day and a year count, and none after today."""
    from jirga.extract.dates import find_dates
    from jirga.model.checks import date_is_plausible

    days = [d.start for d in find_dates(text, None) if d.precision == "day" and date_is_plausible(d.start)]
    return max(days, default=None)


def warm_up() -> None:
    from jirga.ingest.language import detect
    from jirga.reference.lexicon import default_lexicon

    default_lexicon()
    detect("Loading the language model once per worker.")


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run_partition(jobs: list[Job]) -> list[Result]:
    """One cluster task: a partition of jobs, so that scheduling costs little next to extraction."""
    return [run_job(job) for job in jobs]


def extract_all(jobs: Iterable[Job], workers: int | None = None, window: int | None = None,
                cluster=None) -> Iterator[Result]:
    """Results for all jobs, in the order of the jobs, however the pool schedules them: clustering is incremental,
    so the order reports are written in decides incidents, and the same inputs must give the same store.
    One worker runs in this process (no pool start-up); `cluster` (a `cluster.Cluster`) sends them to Dask."""
    if cluster is not None:
        yield from cluster.extract_all(jobs, window)
        return
    workers = workers or default_workers()
    if workers <= 1:
        yield from map(run_job, jobs)
        return
    window = window or workers * 16
    # The workers are forked from this process and share its memory until either writes to it; the collector, going
    # over every object, would write to all of it: what exists now stays out of its sight while the pool runs.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=warm_up) as pool:
            pending: deque[Future[Result]] = deque()
            for job in jobs:
                pending.append(pool.submit(run_job, job))
                if len(pending) >= window:  # wait for the oldest: a slow text holds the window, never the order
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
    finally:
        gc.unfreeze()
