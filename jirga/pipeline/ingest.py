"""An ingest run: reports from the readers, extracted over all cores, stored in batches with their claims.

Each batch is one transaction, so a run killed at any moment leaves whole reports or none; running it again skips
what was stored (same source, same content hash) and stores the rest.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from jirga.access import Viewer, audit
from jirga.access.acts import require
from jirga.db import Store
from jirga.db.schema import Report, Source
from jirga.extract.pipeline import EXTRACTOR_VERSION
from jirga.ingest.language import describe
from jirga.ingest.textfile import BadInput
from jirga.model import tlp as tlp_levels
from jirga.model.checks import check_date, safe_url
from jirga.model.report import IncomingReport
from jirga.pipeline.cluster import PARTITION
from jirga.pipeline.pool import HANDLED_LANGUAGES, Job, Result, default_workers, extract_all
from jirga.store.claims import HAND_CODED
from jirga.store.partner import PARTNER
from jirga.store.records import (
    add_extraction,
    add_references,
    add_report,
    prune,
    remove_machine_claims,
    source_id,
    stored_pairs,
)
from jirga.store.tallies import Tallies
from jirga.store.writer import Item, NotBatchable, write_batch

UNATTRIBUTED = "Unattributed"
MAX_SOURCE_CHARS = 200  # the sources.name column
SURROGATE = re.compile("[\ud800-\udfff]")  # a regular expression: a loop over a long text's characters is slow
LOOKAHEAD = 64  # reports read ahead, so that whether they are stored already is one query for them all

# The tables an ingest fills (PostgreSQL's statistics refreshed as they grow: `Store.grew`)
GROWING = ("reports", "claims", "incidents", "incident_views", "incident_view_actors", "incident_view_victims",
           "incident_history")


@dataclass
class IngestOptions:
    source: str | None = None
    reliability: str | None = None  # applied to every source met in the run
    published: dt.date | None = None
    tlp: str | None = None  # None: the input's own marking, else TLP:AMBER
    group: int | None = None  # the sharing group of every report of the run (its TLP:AMBER reaches the members)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)  # by file name
    workers: int | None = None
    cluster: Any = None  # a pipeline.cluster.Cluster: extract on Dask workers instead of local processes
    batch_size: int = 256  # reports per transaction: the batched writer's statements and queries are per batch


@dataclass
class Summary:
    new: int = 0
    unchanged: int = 0
    updated: int = 0
    failed: int = 0
    incidents: int = 0
    undated: int = 0  # stored with no publication date from the input, metadata, options or text
    dated_from_text: int = 0  # no publication date given: the latest full date in the text stands in

    def line(self) -> str:
        line = (f"{self.new} new, {self.unchanged} unchanged, {self.updated} updated, {self.failed} failed; "
                f"{self.incidents} new incidents")
        if self.dated_from_text:
            line += f"; {self.dated_from_text} reports had no publication date: dated by the latest date in their text"
        if self.undated:
            line += f"; {self.undated} reports had no publication date: relative dates not resolved"
        return line


@dataclass
class _Pending:
    report: IncomingReport
    source: int
    tlp: str


class Ingest:
    batched = True  # the batched writer (jirga.store.writer); False: one event at a time, the reference

    def __init__(self, store: Store, options: IngestOptions, on_error: Callable[[str], None],
                 on_progress: Callable[[Summary], None] = lambda summary: None, viewer: Viewer | None = None,
                 *, doing: str = "ingest reports", audit_batches: bool = True):
        """A run for `viewer` (an analyst or above: a refusal is audited and raised here) or, without one, for the
        instance's own organisation. `doing` names the act in a refusal; `audit_batches=False` when the caller
        audits the one report it stores itself."""
        if viewer is not None:
            require(store, viewer, "analyst", doing)
        self.store, self.options = store, options
        self.on_error, self.on_progress = on_error, on_progress
        self.on_warning = on_error  # what a report was stored without: said, but not counted as a failure
        self.summary = Summary()
        # Who ingests: what they store belongs to their organisation, and each batch is audited in its name.
        self.viewer = viewer
        self.audit_batches = audit_batches
        self.owner = viewer.org_id if viewer else store.local_org_id()
        self._sources: dict[str, int] = {}
        self._pending: dict[int, _Pending] = {}
        self._in_run: set[tuple[int, str]] = set()  # texts sent to extraction and not written yet
        self._tallies = Tallies()  # big incidents' summaries, kept from batch to batch (jirga.store.tallies)

    def run(self, items: Iterable[IncomingReport | BadInput]) -> Summary:
        batch: list[tuple[_Pending, Result]] = []
        options = self.options
        # Twice a batch in flight (jobs, or a cluster's partitions of PARTITION jobs), at least the usual window: the
        # workers extract the next batch while this one is written.
        if options.cluster:
            window = max(4 * options.cluster.workers, -(-2 * options.batch_size // PARTITION))
        else:
            window = max(2 * options.batch_size, 16 * (options.workers or default_workers()))
        for result in extract_all(self._jobs(items), options.workers, window, cluster=options.cluster):
            pending = self._pending.pop(result.key)
            if result.found is None:
                self._fail(f"{pending.report.origin}: {result.error}")
                continue
            if result.language and not pending.report.language:
                pending.report = pending.report.with_defaults(language=result.language)
            self._date(pending, result)
            batch.append((pending, result))
            if len(batch) >= self.options.batch_size:
                self._write(batch)
                batch = []
        self._write(batch)
        return self.summary

    def _date(self, pending: _Pending, result: Result) -> None:
        """Say so when a report has no publication date: its events are not fused by date and its relative dates
        ("on Tuesday") resolve to nothing, unless its text gives a full date, which then stands in."""
        report = pending.report
        if report.published is not None:
            return
        if result.published is not None:
            pending.report = report.with_defaults(published=result.published)
            self.summary.dated_from_text += 1
            self.on_warning(f"{report.origin}: no publication date given; dated {result.published.isoformat()} "
                            f"by the latest date in its text (give --published or --metadata to set it)")
        else:
            self.summary.undated += 1
            self.on_warning(f"{report.origin}: no publication date (none given and none in its text): relative "
                            f"dates not resolved; give --published or --metadata")

    def _jobs(self, items: Iterable[IncomingReport | BadInput]) -> Iterator[Job]:
        chunk: list[tuple[int, _Pending]] = []
        for number, item in enumerate(items):
            if isinstance(item, BadInput):
                self._fail(str(item))
                continue
            try:
                chunk.append((number, self._prepare(item)))
            except BadInput as error:
                self._fail(str(error))
                continue
            except SQLAlchemyError as error:  # looking up its source failed: this report fails, the run goes on
                self._fail(f"{item.origin}: not stored ({_reason(error)})")
                continue
            if len(chunk) >= LOOKAHEAD:
                yield from self._new_jobs(chunk)
                chunk = []
        yield from self._new_jobs(chunk)

    def _new_jobs(self, chunk: list[tuple[int, _Pending]]) -> Iterator[Job]:
        """Jobs for the reports of this chunk that are not stored yet: one query for the chunk, not one each."""
        try:
            with self.store.session() as session:
                stored = stored_pairs(session, self.owner, list({self._key(p) for _, p in chunk}))
        except SQLAlchemyError as error:
            for _, pending in chunk:
                self._fail(f"{pending.report.origin}: not stored ({_reason(error)})")
            return
        for number, pending in chunk:
            key = self._key(pending)
            if key in stored or key in self._in_run:  # this source has this text already
                self.summary.unchanged += 1
                self.on_progress(self.summary)
                continue
            self._in_run.add(key)
            self._pending[number] = pending
            yield Job(number, pending.report.text, pending.report.published, pending.report.language)

    @staticmethod
    def _key(pending: _Pending) -> tuple[int, str]:
        return pending.source, pending.report.content_hash

    def _prepare(self, report: IncomingReport) -> _Pending:
        """The report with its metadata and defaults (BadInput if it cannot be stored)."""
        options = self.options
        report = report.with_defaults(**options.metadata.get(Path(report.origin).name, {}))
        report = report.with_defaults(source=options.source, published=options.published)
        report = check_report(report.with_defaults(source=_host(report.url) or UNATTRIBUTED))
        for note in report.notes:
            self.on_warning(note)
        if report.language and report.language not in HANDLED_LANGUAGES:  # known before extraction: refuse now
            raise BadInput(f"{report.origin}: written in {describe(report.language)}; "
                           f"the extractor handles {', '.join(map(describe, sorted(HANDLED_LANGUAGES)))} only")
        if not report.text.strip():
            raise BadInput(f"{report.origin}: no text")
        marking = report.tlp if options.tlp is None else tlp_levels.most_restrictive(report.tlp, options.tlp)
        return _Pending(report, self._source(report.source), marking or "amber")

    def _source(self, name: str) -> int:
        if name not in self._sources:
            with self.store.session() as session:
                self._sources[name] = source_id(session, name, self.owner, self.options.reliability)
        return self._sources[name]

    def _write(self, batch: list[tuple[_Pending, Result]]) -> None:
        """One transaction for the batch; if it fails, each report alone, so one bad row fails only its report."""
        if not batch:
            return
        # Written oldest first, whatever order the inputs came in: clustering is incremental, so within a batch the
        # same reports always give the same incidents. Revisions of one link keep their input order.
        batch = sorted(batch, key=lambda item: _written_order(*item))
        try:
            with self.store.session() as session:
                counts = self._store(session, batch)
                self._audit(session, counts)
        except Exception:  # whatever one report trips on, the others of the batch are still stored
            self._tallies.clear()  # they took the batch that was not stored
            counts = []
            for pending, result in batch:
                try:
                    with self.store.session() as session:
                        counts += self._store(session, [(pending, result)])
                        self._audit(session, counts[-1:])
                except Exception as error:
                    self._tallies.clear()
                    self._fail(f"{pending.report.origin}: not stored ({_reason(error)})")
        for state, incidents, _ in counts:
            setattr(self.summary, state, getattr(self.summary, state) + 1)
            self.summary.incidents += incidents
        # Written (or failed): from now on the store says whether a text is stored, so the run remembers only the
        # reports in flight, and its memory does not grow with the input.
        self._in_run.difference_update(self._key(pending) for pending, _ in batch)
        stored = sum(1 for state, _, _ in counts if state in ("new", "updated"))
        for table in GROWING:  # each grows with the reports: their count paces the statistics' refresh
            self.store.grew(table, stored)
        self.on_progress(self.summary)

    def _store(self, session, batch: list[tuple[_Pending, Result]]) -> list[tuple[str, int, int | None]]:
        """Store the batch in this transaction, by the batched writer unless it needs the reference (`Ingest.batched`
        False: always the reference, one event at a time); the counts in the batch's order."""
        add_references(session, [result.found for _, result in batch])
        stored = stored_pairs(session, self.owner,
                              [(pending.source, pending.report.content_hash) for pending, _ in batch])
        if self.batched:
            fresh = [(pending, result) for pending, result in batch
                     if (pending.source, pending.report.content_hash) not in stored]
            try:  # NotBatchable comes before any write
                written = iter(write_batch(session, [Item(p.report, p.source, p.tlp, r.found) for p, r in fresh],
                                           self.owner, self.options.group, self._tallies))
            except NotBatchable:
                pass
            else:
                return [("unchanged", 0, None) if (p.source, p.report.content_hash) in stored else next(written)
                        for p, _ in batch]
        return [self._store_one(session, pending, result, stored) for pending, result in batch]

    def _store_one(self, session, pending: _Pending, result: Result,
                   stored: set[tuple[int, str]]) -> tuple[str, int, int | None]:
        """The reference: (new | updated | unchanged, incidents opened, the report's id if stored)."""
        report = pending.report
        if (pending.source, report.content_hash) in stored:  # stored meanwhile by another run
            return "unchanged", 0, None
        row = add_report(session, report, pending.source, self.owner, pending.tlp, self.options.group)
        incidents = add_extraction(session, row, result.found)
        return ("updated" if row.supersedes_id else "new"), incidents, row.id

    def _audit(self, session, counts: list[tuple[str, int, int | None]]) -> None:
        """One entry naming the reports the batch stored, in the batch's transaction: a run killed at any moment
        leaves no stored report without its entry."""
        stored = [report_id for _, _, report_id in counts if report_id is not None]
        if self.viewer is not None and self.audit_batches and stored:
            audit.record(session, self.viewer, "write", "report", None, "ok",
                         f"ingest: stored reports {', '.join(map(str, stored))}")

    def _fail(self, message: str) -> None:
        self.summary.failed += 1
        self.on_error(message)
        self.on_progress(self.summary)


def reextract(store: Store, *, force: bool = False, workers: int | None = None, batch_size: int = 50,
              on_error: Callable[[str], None] = print,
              on_progress: Callable[[int], None] = lambda done: None) -> tuple[int, int]:
    """Re-run the extractor over current reports made by another version (all of them with force).

    Machine claims of those reports are replaced; analysts' claims and assessments are never touched.
    Returns (reports re-extracted, failures).
    """
    with store.session() as session:
        # Incidents coded by hand have no machine claims to redo; a partner's reports carry the partner's claims.
        query = select(Report.id).where(Report.is_current, Report.extractor_version.is_distinct_from(HAND_CODED),
                                        Report.extractor_version.is_distinct_from(PARTNER))
        query = query.order_by(Report.id)
        if not force:
            query = query.where((Report.extractor_version != EXTRACTOR_VERSION) | Report.extractor_version.is_(None))
        ids = list(session.scalars(query))

    def jobs() -> Iterator[Job]:
        for start in range(0, len(ids), batch_size):
            with store.session() as session:  # read a batch, then let go of the connection while it is extracted
                rows = session.execute(select(Report.id, Report.text, Report.published)
                                       .where(Report.id.in_(ids[start:start + batch_size]))).all()
            yield from (Job(*row) for row in rows)

    done = failed = 0
    batch: list[Result] = []

    def write() -> None:
        nonlocal done
        with store.session() as session:
            add_references(session, [result.found for result in batch])
            for result in batch:
                report = session.get(Report, result.key)
                placed = remove_machine_claims(session, report)
                add_extraction(session, report, result.found, placed)
                prune(session, set(placed.values()))
        done += len(batch)
        batch.clear()
        on_progress(done)

    for result in extract_all(jobs(), workers):
        if result.found is None:
            failed += 1
            on_error(f"report {result.key}: {result.error}")
            continue
        batch.append(result)
        if len(batch) >= batch_size:
            write()
    if batch:
        write()
    return done, failed


def _written_order(pending: _Pending, result: Result) -> tuple:
    report = pending.report
    return (report.published or dt.date.max, report.source or "", report.url or "",
            result.key if report.url else 0, report.content_hash)


def _host(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None


def check_report(report: IncomingReport) -> IncomingReport:
    """The report, if what will be stored is safe to store; else BadInput naming the report and the problem.

    The readers already leave out links they find inside documents; a link or date still wrong here was given by
    the user (--metadata, --published, a form) or by a caller, and refusing the report says so plainly."""
    if report.url is not None:
        try:
            safe_url(report.url, "link")
        except ValueError as error:
            raise BadInput(f"{report.origin}: {error} ({report.url[:80]!r})") from None
    if report.published is not None:
        try:
            check_date(report.published, "publication date")
        except ValueError as error:
            raise BadInput(f"{report.origin}: {error}") from None
    for name in ("text", "title", "source", "url"):
        value = getattr(report, name) or ""
        if "\x00" in value:  # PostgreSQL cannot store it, and no report needs it
            raise BadInput(f"{report.origin}: the {name} contains a NUL character")
        if SURROGATE.search(value):  # from a JSON escape such as "\ud800"
            raise BadInput(f"{report.origin}: the {name} contains a lone surrogate (not valid Unicode)")
    if len(report.source or "") > MAX_SOURCE_CHARS:
        raise BadInput(f"{report.origin}: the source name is longer than {MAX_SOURCE_CHARS} characters")
    return report


def _reason(error: Exception) -> str:
    return str(getattr(error, "orig", None) or error).splitlines()[0]


def ingest_one(store: Store, report: IncomingReport, owner: int, reliability: str | None = None, *,
               viewer: Viewer | None = None, group: int | None = None, doing: str = "add reports"
               ) -> tuple[int | None, Summary, list[str], list[str]]:
    """One report, extracted in this process and stored at once (the web app's paste and upload): its id (also when
    `owner` stored it before), the summary line, any errors, and notes on what it was stored without (a link, a
    publication date). With `viewer`, only an analyst or above may store it (a refusal is audited and raised); the
    caller audits the report it stored."""
    errors: list[str] = []
    notes: list[str] = []
    run = Ingest(store, IngestOptions(workers=1, reliability=reliability, group=group), errors.append, viewer=viewer,
                 doing=doing, audit_batches=False)
    run.owner, run.on_warning = owner, notes.append
    summary = run.run([report])
    if summary.failed:  # refused or not stored: nothing to name (and its text may not even be valid Unicode)
        return None, summary, errors, notes
    source = report.source or _host(report.url) or UNATTRIBUTED
    with store.session() as session:
        # The owner's own report only: another organisation's copy of the text is never named.
        found = session.scalar(select(Report.id).join(Report.source).where(
            Report.owner_org_id == owner, Report.content_hash == report.content_hash, Source.name == source))
    return found, summary, errors, notes
