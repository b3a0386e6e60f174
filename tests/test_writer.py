"""The batched writer (jirga.store.writer) stores exactly what storing one event at a time (the reference,
records.add_extraction) stores: every table, ids included, on both backends.

The runs cover what the writer must get right: events joining incidents opened earlier in the same batch, incidents
grown past BIG_INCIDENT reports (summarised once at the end of a batch), another organisation's TLP:GREEN reports
joining our TLP:AMBER incidents (views per audience), a sharing group, an analyst's verdict on a stored claim,
statistics (never clustered), undated reports, a revision (written by the reference), and a report that fails."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest
from sqlalchemy import distinct, func, select

from jirga.access import Viewer
from jirga.db import open_store
from jirga.db.schema import (
    Base,
    Claim,
    Incident,
    IncidentView,
    Organisation,
    Report,
    SharingGroup,
    SharingGroupMember,
)
from jirga.ingest.readers import read_inputs
from jirga.ingest.textfile import read_metadata
from jirga.model.report import IncomingReport
from jirga.pipeline.ingest import Ingest
from jirga.store.decisions import assess
from jirga.store.records import BIG_INCIDENT
from tests.conftest import ingest_reports

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports"
PESHAWAR = ("PESHAWAR, March 4 - A suicide bomber killed {killed} people and injured {injured} at a mosque in Peshawar "
            "on Friday, police said. The Islamic State claimed responsibility. Dispatch {n}.")


def dump(store) -> dict[str, list[tuple]]:
    """Every table, each row as its columns but those that differ from run to run (uuids, clocks, hash chains)."""
    out = {}
    with store.session() as session:
        for name, table in sorted(Base.metadata.tables.items()):
            columns = [c for c in table.columns
                       if c.name != "uuid" and c.name != "at" and not c.name.endswith(("_at", "hash"))]
            out[name] = sorted(tuple(repr(_plain(v)) for v in row) for row in session.execute(select(*columns)))
    return out


def _plain(value):
    """JSON as PostgreSQL and SQLite give it back alike (JSONB orders its keys its own way)."""
    if isinstance(value, dict):
        return sorted((key, _plain(v)) for key, v in value.items())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def fill(store) -> None:
    """The same inputs, the same batches: our reports, a partner's copies, a group's, an analyst's verdict between."""
    local = store.local_org_id()
    with store.session() as session:
        partner = Organisation(name="Partner")
        session.add(partner)
        session.flush()
        group = SharingGroup(name="Cell", owner_org_id=local)
        session.add(group)
        session.flush()
        session.add_all([SharingGroupMember(group_id=group.id, org_id=local),
                         SharingGroupMember(group_id=group.id, org_id=partner.id)])
        partner_id, group_id = partner.id, group.id
    analyst = Viewer(1, local, "analyst", "analyst")
    metadata = read_metadata(EXAMPLES / "metadata.csv")
    samples = list(read_inputs([str(EXAMPLES)], detect_language=False))
    ingest_reports(store, samples, metadata=metadata, source="Sample", batch_size=16)

    with store.session() as session:  # an analyst disputes a toll: the consensus of that incident weighs it so
        claim = session.scalars(select(Claim).where(Claim.field == "killed").order_by(Claim.id)).first()
        assess(session, claim.id, "dispute", analyst, "counted the attackers")

    # The partner's copies, marked GREEN, join our AMBER incidents; with ours, many grow past BIG_INCIDENT reports.
    copies = [IncomingReport(f"{item.text}\n\nDispatch {n}.", f"copy-{n}-{Path(item.origin).name}",
                             source=f"Outlet {n % 5}") for n in range(3) for item in samples]
    by_copy = {report.origin: metadata.get(Path(report.origin).name.split("-", 2)[2], {}) for report in copies}
    ingest_reports(store, copies, owner=partner_id, tlp="green", metadata=by_copy, batch_size=40)

    one_event = [IncomingReport(PESHAWAR.format(killed=50 + n % 9, injured=80 + n % 13, n=n), f"peshawar-{n}.txt",
                                source=f"Wire {n % 7}") for n in range(40)]
    undated = [IncomingReport("Gunmen killed 12 people in Quetta on Tuesday.", "undated.txt", source="Wire 1")]
    bad = [IncomingReport("x" * 10, "bad.txt", source="Wire 2", url="javascript:alert(1)")]
    ingest_reports(store, one_event + undated + bad, viewer=analyst, group=group_id, tlp="amber",
                   published=dt.date(2016, 3, 5), batch_size=12)

    # A changed text at a stored link is a revision: the batch that holds it is written by the reference.
    first = IncomingReport(PESHAWAR.format(killed=50, injured=80, n="R"), "r1.txt", source="Wire 1",
                           url="https://example.org/r")
    second = IncomingReport(PESHAWAR.format(killed=61, injured=80, n="R"), "r2.txt", source="Wire 1",
                            url="https://example.org/r")
    ingest_reports(store, [first], published=dt.date(2016, 3, 5))
    ingest_reports(store, [second, *one_event[:3]], published=dt.date(2016, 3, 6))


@pytest.fixture
def reference_url(database_url, databases, tmp_path):
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with databases.new(backend, tmp_path / "reference") as url:
        yield url


def test_batched_writer_stores_what_one_event_at_a_time_stores(database_url, reference_url, monkeypatch):
    dumps = []
    for batched, url in ((False, reference_url), (True, database_url)):
        monkeypatch.setattr(Ingest, "batched", batched)
        store = open_store(url)
        try:
            fill(store)
            dumps.append(dump(store))
            with store.session() as session:  # what the comparison covers
                assert session.scalar(select(func.max(Incident.report_count))) >= BIG_INCIDENT
                assert session.scalar(select(func.count(distinct(IncidentView.org_id)))) == 3  # everyone, us, partner
                assert session.scalar(select(func.count()).where(Report.revision == 2)) == 1
        finally:
            store.close()
    reference, batched = dumps
    assert len(reference["incidents"]) > 40 and len(reference["audit_log"]) > 1
    for name in reference:
        assert batched[name] == reference[name], name


def test_the_reference_is_really_used_when_asked(sqlite_url, monkeypatch):
    """The comparison above means something only if `batched` switches the writer."""
    from jirga.store import writer

    calls = []
    monkeypatch.setattr(writer, "_write", lambda *args: calls.append(args) or None)
    monkeypatch.setattr(Ingest, "batched", False)
    store = open_store(sqlite_url)
    try:
        ingest_reports(store, [IncomingReport(PESHAWAR.format(killed=5, injured=8, n=1), "a.txt", source="W")],
                       published=dt.date(2016, 3, 5))
        assert calls == []
        monkeypatch.setattr(Ingest, "batched", True)
        ingest_reports(store, [IncomingReport(PESHAWAR.format(killed=5, injured=8, n=2), "b.txt", source="W")],
                       published=dt.date(2016, 3, 5))
        assert len(calls) == 1
    finally:
        store.close()


QUETTA = ("QUETTA, March 4 - Gunmen killed {killed} policemen at a checkpoint in Quetta on Friday, officials said. "
          "Dispatch {n}.")


def two_events(store, between) -> None:
    """60 reports of two events in batches of 8, `between(store, batches written)` after each batch: the big
    incidents' tallies are kept from batch to batch, unless what `between` did means they no longer stand."""
    reports = [IncomingReport((PESHAWAR if n % 2 else QUETTA).format(killed=90 if n % 7 == 2 else 50 + n % 9,
                                                                     injured=80 + n % 13, n=n),
                              f"event-{n}.txt", source=f"Wire {n % 7}" if n < 40 else f"Late {n % 3}")
               for n in range(60)]
    written = Ingest._write

    def write_then(self, batch):
        written(self, batch)
        self.batches = getattr(self, "batches", 0) + 1
        between(store, self.batches)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Ingest, "_write", write_then)
        ingest_reports(store, reports, published=dt.date(2016, 3, 5), batch_size=8, silent=True)


@pytest.mark.parametrize("kept_size", [None, 40], ids=["all-kept", "one-kept"])
def test_big_incidents_kept_from_batch_to_batch_store_what_the_reference_stores(database_url, reference_url,
                                                                                monkeypatch, kept_size):
    """With room for both events' tallies, and with room for one only (the other is forgotten at each batch and
    summarised from its claims)."""
    from jirga.pipeline import ingest
    from jirga.store import tallies
    from jirga.store.sources import grade_source

    if kept_size:
        monkeypatch.setattr(ingest, "Tallies", functools.partial(tallies.Tallies, kept_size=kept_size))
    taken, held = [], []
    add, keep = tallies.IncidentTally.add, tallies.Tallies.keep
    monkeypatch.setattr(tallies.IncidentTally, "add", lambda self, *args: taken.append(add(self, *args)) or taken[-1])
    monkeypatch.setattr(tallies.Tallies, "keep",
                        lambda self, *args: keep(self, *args) or held.append((len(self.by_id), self.size)))

    def between(store, batches):
        analyst = Viewer(1, store.local_org_id(), "analyst", "analyst")
        if batches == 3:  # an analyst agrees with a toll of one event: its tally no longer stands
            with store.session() as session:
                claim = session.scalars(select(Claim).join(Report, Report.id == Claim.report_id).where(
                    Report.text.like("PESHAWAR%"), Claim.field == "killed").order_by(Claim.id)).first()
                assess(session, claim.id, "agree", analyst, "the hospital's figure")
        if batches == 5:  # a source of the other, which gives no more figures, is graded again: they weigh more
            with store.session() as session:
                wire = session.scalar(select(Report.source_id).where(Report.origin == "event-2.txt"))
            grade_source(store, analyst, wire, "B", "a wire with a good record")

    dumps = []
    for batched, url in ((False, reference_url), (True, database_url)):
        monkeypatch.setattr(Ingest, "batched", batched)
        store = open_store(url)
        try:
            two_events(store, between)
            dumps.append(dump(store))
        finally:
            store.close()
    reference, batched = dumps
    for name in reference:
        assert batched[name] == reference[name], name
    assert taken.count(True) >= (5 if kept_size is None else 1) and taken.count(False) == 0  # made, kept and taken
    assert max(count for count, _ in held) == (2 if kept_size is None else 1)
    assert max(size for _, size in held) <= (kept_size or tallies.KEPT_SIZE)
