"""A throw-away PostgreSQL database for the benchmarks, on the machine's server (127.0.0.1:5432, trust auth)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new database's URL; the database is dropped afterwards."""
    import psycopg

    name = f"jirga_bench_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        sys.exit(f"no PostgreSQL server at {POSTGRES_ADMIN} ({error}); run with --backend sqlite")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database(backend: str) -> Iterator[str]:
    """A throw-away store's URL: a SQLite file in a temporary folder, or a PostgreSQL database."""
    if backend == "postgresql":
        with postgres_database() as url:
            yield url
        return
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="jirga-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'jirga.db'}"
