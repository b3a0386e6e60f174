"""Extraction over all cores: jobs go to a process pool a bounded window at a time, results come back as they end.

The window keeps memory flat however many reports stream through: at most `window` texts are in flight.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Hashable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
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


HANDLED_LANGUAGES = {"en"}


def run_job(job: Job) -> Result:
    from jirga.extract import extract
    from jirga.ingest.language import describe, detect

    language = job.language or detect(job.text)
    if language and language not in HANDLED_LANGUAGES:
        return Result(job.key, None, f"written in {describe(language)}; the extractor handles "
                                     f"{', '.join(map(describe, sorted(HANDLED_LANGUAGES)))} only")
    try:
        return Result(job.key, decompose(extract(job.text, job.published), job.text), language=language)
    except Exception as error:  # one bad report must not stop a run of thousands; its reason is reported
        return Result(job.key, None, f"extraction failed ({type(error).__name__}: {error})")


def _warm_up() -> None:
    from jirga.extract.lexicon import default_lexicon
    from jirga.ingest.language import detect

    default_lexicon()
    detect("Loading the language model once per worker.")


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def extract_all(jobs: Iterable[Job], workers: int | None = None, window: int | None = None) -> Iterator[Result]:
    """Results for all jobs, in the order they finish. One worker runs in this process (no pool start-up)."""
    workers = workers or default_workers()
    if workers <= 1:
        yield from map(run_job, jobs)
        return
    window = window or workers * 16
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm_up) as pool:
        pending: set[Future[Result]] = set()
        for job in jobs:
            pending.add(pool.submit(run_job, job))
            if len(pending) >= window:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)
        for future in list(pending):
            yield future.result()
