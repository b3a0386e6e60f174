"""kill -9 in the middle of a large ingest, then again: nothing lost, nothing duplicated, nothing half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from sqlalchemy import create_engine, func, select, text

from jirga.db.access_schema import AuditEntry
from jirga.db.database import database_url as resolve_url
from jirga.db.schema import Claim, Incident, Report
from tests.conftest import EXAMPLES, JIRGA_COMMAND, ROOT, run_jirga

pytestmark = pytest.mark.slow  # hundreds of reports ingested, twice

REPORT_COUNT = 600


def write_reports(folder) -> None:
    """The sample reports again and again, each copy made distinct by a dispatch number."""
    samples = sorted((EXAMPLES / "reports").glob("*.txt"))
    folder.mkdir()
    for number in range(REPORT_COUNT):
        body = samples[number % len(samples)].read_text()
        (folder / f"{number:05d}.txt").write_text(f"{body}\n\nDispatch {number}.\n")


def stored(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Report))


def test_a_killed_ingest_resumes_without_loss_or_duplicates(database_url, tmp_path):
    folder = tmp_path / "many"
    write_reports(folder)
    command = [*JIRGA_COMMAND, "ingest", str(folder), "--db", database_url, "--workers", "2"]
    # Make the schema first, so the poll below never races the migration.
    run_jirga("incidents", "--db", database_url, check=True)
    engine = create_engine(resolve_url(database_url))
    victim = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while stored(engine) < 100 and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert victim.poll() is None, "the ingest ended before it could be killed; make REPORT_COUNT larger"
        os.killpg(victim.pid, signal.SIGKILL)  # the ingest and its extraction workers
        victim.wait()
        victim.stdout.close()
        victim.stderr.close()

        survived = stored(engine)
        assert 100 <= survived < REPORT_COUNT
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                assert connection.scalar(text("PRAGMA integrity_check")) == "ok"
            # Whole reports or none: every stored report was stored with its extraction, every claim has both.
            assert connection.scalar(select(func.count()).select_from(Report)
                                     .where(Report.extractor_version.is_(None))) == 0
            assert connection.scalar(select(func.count()).select_from(Incident)
                                     .where(~Incident.id.in_(select(Claim.incident_id)))) == 0
            # Every stored report is named by the audit entry written in its batch's transaction.
            audited = {int(n) for detail in connection.scalars(select(AuditEntry.detail).where(
                AuditEntry.detail.startswith("ingest: stored reports ")))
                for n in detail.removeprefix("ingest: stored reports ").split(", ")}
            assert set(connection.scalars(select(Report.id))) <= audited

        again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith(f"{REPORT_COUNT - survived} new, {survived} unchanged, 0 updated, 0 failed")
        with engine.connect() as connection:
            assert stored(engine) == REPORT_COUNT
            assert connection.scalar(select(func.count(func.distinct(Report.content_hash)))) == REPORT_COUNT
    finally:
        if victim.poll() is None:
            os.killpg(victim.pid, signal.SIGKILL)
        engine.dispose()
