"""Connecting to the store: which database, its connection settings, and bringing its schema up to date."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from jirga.errors import StoreError

try:
    import fcntl
except ImportError:  # Windows: no lock file; create a new store from one process at a time there
    fcntl = None
from sqlalchemy import JSON, Engine, Text, create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from jirga.db.schema import Base, Organisation

LOCAL_ORG_DEFAULT = "Local organisation"
# The newest migration in jirga/db/migrations/versions (a test checks). A store already there opens without
# loading Alembic, which would cost a few tenths of a second on every command.
SCHEMA_HEAD = "0015"
# Made by hand in the migrations for one backend, not by the models: the full-text index, PostgreSQL's ordered ones
HAND_MADE = ("reports_fts", "ix_incidents_recent_", "ix_incident_views_recent_")
ANALYZE_AFTER = 1000  # rows a process adds to a table before it refreshes PostgreSQL's statistics (or 10 %, if more)
MIGRATION_LOCK = 0x6A697267  # "jirg": the PostgreSQL advisory lock taken while the schema is migrated



def default_path() -> Path:
    return platformdirs.user_data_path("jirga") / "jirga.db"


def database_url(explicit: str | None = None) -> str:
    """--db, else JIRGA_DATABASE_URL, else a SQLite file in the user's data directory. A bare path means SQLite."""
    value = explicit or os.environ.get("JIRGA_DATABASE_URL") or str(default_path())
    if "://" not in value:
        path = Path(value).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if value.startswith(("postgres://", "postgresql://")):  # psycopg 3, not the SQLAlchemy default psycopg2
        value = "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def _sqlite_settings(dbapi_connection, _record) -> None:
    # WAL: readers never block the writer, and a killed writer leaves the last committed state intact.
    cursor = dbapi_connection.cursor()
    # The busy timeout first: switching a new file to WAL waits for a lock another process may hold.
    for pragma in ("busy_timeout=30000", "journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def alembic_config(engine: Engine | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "jirga.db:migrations")
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
        config.attributes["engine"] = engine
    return config


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    _writes: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _grown: dict[str, tuple[int, float]] = field(default_factory=dict, repr=False, compare=False)  # (added, size)
    _counting: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    helpers: dict[str, object] = field(default_factory=dict, repr=False, compare=False)  # upper layers' per store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write_turn(self) -> Iterator[None]:
        """Around a transaction that writes, from a path many threads of a server run at once: SQLite takes one
        writer at a time, and a thread that finds the database locked sleeps in SQLite's busy handler (1 ms, then
        2, 5, 10 ... up to 100 ms) before it tries again; threads that wait on this lock instead take turns at once.
        On PostgreSQL, nothing: its row locks queue."""
        if self.dialect != "sqlite":
            yield
            return
        with self._writes:
            yield

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed if the block ends normally, rolled back on any exception."""
        with self.sessions.begin() as session:
            yield session

    def grew(self, table: str, rows: int) -> None:
        """`rows` were just added to `table`. PostgreSQL's autovacuum refreshes the planner's statistics a minute or
        more after a bulk load, and until then plans for the table's old size (e.g. sorting a whole TAXII collection
        to serve one page of it, instead of reading the page from its index); so after a process has added 1,000
        rows, or a tenth of the table if more, it refreshes them itself. SQLite plans well without them."""
        if self.dialect != "postgresql" or rows <= 0:
            return
        with self._counting:
            added, size = self._grown.get(table, (0, 0.0))
            added += rows
            due = added >= max(ANALYZE_AFTER, size / 10)
            self._grown[table] = (0 if due else added, size)
        if not due:
            return
        quote = self.engine.dialect.identifier_preparer.quote
        quoted = quote(table)
        columns = ", ".join(quote(name) for name in planned_columns(table))
        with self.engine.begin() as connection:
            connection.execute(text(f"ANALYZE {quoted} ({columns})"))
            size = connection.scalar(text("SELECT reltuples FROM pg_class WHERE oid = CAST(:name AS regclass)"),
                                     {"name": quoted}) or 0.0
        with self._counting:
            self._grown[table] = (self._grown.get(table, (0, 0.0))[0], float(size))

    def local_org_id(self) -> int:
        with self.session() as session:
            org = session.scalar(select(Organisation).where(Organisation.is_local))
            if org is None:
                try:
                    with session.begin_nested():  # another process may be making it at this moment
                        org = Organisation(name=os.environ.get("JIRGA_ORGANISATION", LOCAL_ORG_DEFAULT),
                                           is_local=True)
                        session.add(org)
                except IntegrityError:
                    org = session.scalar(select(Organisation).where(Organisation.is_local))
            return org.id

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None, *, upgrade: bool = True) -> Store:
    """Connect, and migrate the schema to the newest revision unless told not to."""
    url = database_url(url)
    try:
        parsed = make_url(url)
        engine = create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, ImportError, ValueError) as error:
        raise StoreError(f"cannot use database URL {url!r}: {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_settings)
    store = Store(engine, sessionmaker(engine, expire_on_commit=False))
    try:
        if upgrade:
            migrate(store)
        if store.dialect == "postgresql":
            _analyze_unknown(engine)
    except OperationalError as error:
        engine.dispose()
        raise StoreError(f"cannot open database {parsed.render_as_string()}: {error.orig}") from None
    except BaseException:  # a newer schema, say: a store that does not open keeps no connection open
        engine.dispose()
        raise
    return store


def _analyze_unknown(engine: Engine) -> None:
    """ANALYZE the tables PostgreSQL has no statistics for. Autovacuum analyzes a table only after 50 changed rows,
    so small tables such as sharing_group_members may never have any; the planner then guesses their size, and a
    guess that is wrong can turn a page read from an index into a sort of a whole TAXII collection."""
    with engine.begin() as connection:
        unknown = connection.scalars(text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND c.reltuples < 0 AND n.nspname = current_schema()")).all()
        for table in unknown:
            connection.execute(text(f"ANALYZE {engine.dialect.identifier_preparer.quote(table)}"))


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def migrate(store: Store) -> None:
    if schema_revision(store.engine) == SCHEMA_HEAD:
        return
    # Two processes opening a new store at once must not both create it: the second waits, then finds it made.
    with _creation_lock(store.engine):
        _upgrade(store)


@contextmanager
def _creation_lock(engine: Engine) -> Iterator[None]:
    """Held while the schema is brought up to date: a lock file beside a SQLite database, an advisory lock on
    PostgreSQL (on a connection of its own, so the migration's transactions are not affected)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or fcntl is None:
        yield
        return
    with open(f"{database}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _upgrade(store: Store) -> None:
    current = schema_revision(store.engine)
    if current == SCHEMA_HEAD:  # made meanwhile by another process
        return
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = alembic_config(store.engine)
    try:
        known = current is None or ScriptDirectory.from_config(config).get_revision(current) is not None
    except CommandError:
        known = False
    if not known:
        raise StoreError(f"the database is at schema revision {current}, which this version of Jirga does not know "
                         "(made by a newer Jirga?)")
    command.upgrade(config, "head")


def planned_columns(table: str) -> list[str]:
    """The columns of a table whose statistics the planner uses: all but long texts and JSON, which no query filters
    or sorts by. Naming them also leaves out the expression indexes (the reports' full-text index), whose statistics
    cost ANALYZE a text search vector for each sampled row: about a second for the reports table at 10,000."""
    return [column.name for column in Base.metadata.tables[table].columns
            if not isinstance(column.type, (Text, JSON))]
