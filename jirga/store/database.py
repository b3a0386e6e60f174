"""Connecting to the store: which database, its connection settings, and bringing its schema up to date."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from jirga.store.schema import Organisation

LOCAL_ORG_DEFAULT = "Local organisation"
# The newest migration in jirga/store/migrations/versions (a test checks). A store already there opens without
# loading Alembic, which would cost a few tenths of a second on every command.
SCHEMA_HEAD = "0005"


class StoreError(Exception):
    """The database cannot be used; the message says why."""


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
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def alembic_config(engine: Engine | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "jirga.store:migrations")
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
        config.attributes["engine"] = engine
    return config


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed if the block ends normally, rolled back on any exception."""
        with self.sessions.begin() as session:
            yield session

    def local_org_id(self) -> int:
        with self.session() as session:
            org = session.scalar(select(Organisation).where(Organisation.is_local))
            if org is None:
                org = Organisation(name=os.environ.get("JIRGA_ORGANISATION", LOCAL_ORG_DEFAULT), is_local=True)
                session.add(org)
                session.flush()
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
    except OperationalError as error:
        engine.dispose()
        raise StoreError(f"cannot open database {parsed.render_as_string()}: {error.orig}") from None
    return store


def schema_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def migrate(store: Store) -> None:
    current = schema_revision(store.engine)
    if current == SCHEMA_HEAD:
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
