"""What every test file shares, written once: where the seeds, samples and scorer live; fresh stores on both backends
(copies of a database migrated once per session); the ingest helper; and the `jirga` command run in this process.

A test that is about the process itself (a kill -9, processes racing, `python -m jirga.cli`) starts a real one with
JIRGA_COMMAND; every other command runs through `run_jirga`, which calls `jirga.cli.main(argv)`.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import traceback
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
EXAMPLES = ROOT / "examples"
HELDOUT = ROOT / "tests" / "data" / "heldout"
JIRGA_COMMAND = [sys.executable, "-m", "jirga.cli"]  # the command as a separate process

# What the command and the library read from the environment: a developer's shell may set any of them, and a test
# must neither see it nor leave one set for the next.
JIRGA_SETTINGS = ("JIRGA_DATABASE_URL", "JIRGA_TOKEN", "JIRGA_USER", "JIRGA_PASSWORD", "JIRGA_ORGANISATION",
                  "JIRGA_ALLOWED_HOSTS", "JIRGA_IDENTITY_ID")


@pytest.fixture(autouse=True)
def _no_jirga_settings(monkeypatch):
    for name in JIRGA_SETTINGS:
        monkeypatch.delenv(name, raising=False)


# The command, in this process


def run_jirga(*args: str, check: bool = False, stdin: str | None = None, env: dict[str, str] | None = None,
              **variables: str) -> subprocess.CompletedProcess:
    """`jirga ARGS` as a user runs it, answered as a finished process would be (exit code, stdout, stderr), but
    without starting one: main(argv) runs here, in the checkout's directory. Its JIRGA_* environment is `env` and the
    other keyword arguments alone, and `stdin` its standard input (never a terminal). A crash is exit 1 with its
    traceback on stderr, as Python would print it."""
    saved_environ, saved_stdin, saved_cwd = dict(os.environ), sys.stdin, os.getcwd()
    for name in [name for name in os.environ if name.startswith("JIRGA_")]:
        del os.environ[name]
    os.environ.update({**(env or {}), **variables})
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        from jirga.cli import main

        os.chdir(ROOT)
        sys.stdin = io.StringIO(stdin or "")
        with redirect_stdout(stdout), redirect_stderr(stderr):
            try:
                code = main(list(args))
            except SystemExit as stop:  # argparse: --help, --version, a usage error
                code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
                if isinstance(stop.code, str):
                    print(stop.code, file=sys.stderr)
            except Exception:
                traceback.print_exc()
                code = 1
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_environ)
    result = subprocess.CompletedProcess(["jirga", *args], code, stdout.getvalue(), stderr.getvalue())
    if check:
        result.check_returncode()
    return result


def score(gold: Path, pred: Path) -> tuple[dict[str, float], str]:
    """Score with `jirga score` (jirga.train.scoring, whose totals equal the shared scorer's: see
    tests/test_train_scoring.py); return its closing figures and its whole report."""
    out = run_jirga("score", "--gold", str(gold), "--pred", str(pred), check=True).stdout
    figures = dict(re.findall(r"(\w+)=([\d.]+)", out.strip().splitlines()[-1]))
    return {k: float(v) for k, v in figures.items()}, out


CHROMIUM = Path("/usr/bin/chromium")  # Debian's: no tool downloads a browser of its own
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, driven by Playwright: one per test module. Without it the browser tests skip,
    or fail where JIRGA_REQUIRE_BROWSER is set (CI)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        message = f"the browser tests need Debian's chromium at {CHROMIUM} (make browser installs it)"
        if os.environ.get("JIRGA_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the shared seeds are not beside the checkout ({SEEDS})")
    return SEEDS


# Stores: each test gets a fresh database, a copy of one migrated once per session (a migration takes half a
# second on SQLite and up to seconds on PostgreSQL; a copy takes milliseconds).

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
POSTGRES_ADMIN = f"{POSTGRES_SERVER}/postgres"


class Databases:
    """Fresh migrated databases on either backend. PostgreSQL's come from a template database migrated on first use
    and dropped at the end of the session; where no server runs its tests skip, unless JIRGA_REQUIRE_POSTGRES is set
    (CI), where that is a failure."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._sqlite_template: Path | None = None
        self._postgres_template: str | None = None
        self._postgres_missing: str | None = None

    @contextmanager
    def new(self, backend: str, folder: Path | None = None) -> Iterator[str]:
        """The URL of a new database: a SQLite file `jirga.db` in `folder` (pytest's temporary directories are
        cleared in time), or a PostgreSQL database dropped afterwards."""
        if backend == "sqlite":
            yield self._sqlite_copy(folder or self.folder / uuid.uuid4().hex)
        else:
            yield from self._postgres_copy()

    def _sqlite_copy(self, folder: Path) -> str:
        from jirga.db import open_store

        if self._sqlite_template is None:
            template = self.folder / "template.db"
            open_store(f"sqlite:///{template}").close()  # closing checkpoints the write-ahead log into the file
            self._sqlite_template = template
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._sqlite_template, folder / "jirga.db")
        return f"sqlite:///{folder / 'jirga.db'}"

    def _postgres_copy(self) -> Iterator[str]:
        template = self._postgres()
        name = f"jirga_test_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        try:
            yield f"{POSTGRES_SERVER}/{name}"
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _postgres(self) -> str:
        import psycopg

        if self._postgres_missing:
            pytest.skip(self._postgres_missing)
        if self._postgres_template is None:
            try:
                psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3).close()
            except psycopg.OperationalError as error:
                if os.environ.get("JIRGA_REQUIRE_POSTGRES"):
                    pytest.fail(f"PostgreSQL is required here but not reachable: {error}")
                self._postgres_missing = f"no PostgreSQL server at {POSTGRES_ADMIN}"
                pytest.skip(self._postgres_missing)
            from jirga.db import open_store

            # Named for this session: other test runs may share the server.
            template = f"jirga_template_{uuid.uuid4().hex[:12]}"
            self._admin(f'CREATE DATABASE "{template}"')
            self._postgres_template = template
            open_store(f"{POSTGRES_SERVER}/{template}").close()  # no connection left: a template must have none
        return self._postgres_template

    @staticmethod
    def _admin(statement: str) -> None:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(statement)

    def close(self) -> None:
        if self._postgres_template:
            self._admin(f'DROP DATABASE IF EXISTS "{self._postgres_template}" WITH (FORCE)')


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Iterator[Databases]:
    made = Databases(tmp_path_factory.mktemp("databases"))
    yield made
    made.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, databases, tmp_path) -> Iterator[str]:
    """A new, migrated, empty database of the test's own: every store test runs on both backends."""
    with databases.new(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(databases, tmp_path) -> Iterator[str]:
    """A new, migrated, empty SQLite database, for a test about that backend only."""
    with databases.new("sqlite", tmp_path) as url:
        yield url


@pytest.fixture
def store(database_url):
    """The test's own store (see database_url)."""
    from jirga.db import open_store

    store = open_store(database_url)
    yield store
    store.close()


# Ingesting, as `jirga ingest` does it but in this process


@dataclass
class Ingested:
    summary: object  # jirga.pipeline.ingest.Summary
    errors: list[str] = field(default_factory=list)  # a report that failed
    notes: list[str] = field(default_factory=list)  # what a report was stored without (a link, a date)
    said: list[str] = field(default_factory=list)  # both, in the order said


def ingest_reports(store, reports: Iterable, *, viewer=None, owner: int | None = None, silent: bool = False,
           **options) -> Ingested:
    """Store `reports` (IncomingReport or BadInput) as `viewer` (default: the local organisation, unaudited), or for
    organisation `owner`. One extraction worker unless `workers` is given; the other keyword arguments are
    IngestOptions. silent: anything said (an error or a note) fails the test there and then."""
    from jirga.pipeline.ingest import Ingest, IngestOptions

    said: list[str] = []
    errors: list[str] = []
    notes: list[str] = []

    def on(kind: list[str]):
        def hear(message: str) -> None:
            if silent:
                pytest.fail(message)
            kind.append(message)
            said.append(message)
        return hear

    run = Ingest(store, IngestOptions(**{"workers": 1} | options), on(errors), viewer=viewer)
    run.on_warning = on(notes)
    if owner is not None:
        run.owner = owner
    summary = run.run(reports)
    return Ingested(summary, errors, notes, said)
