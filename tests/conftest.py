"""Shared fixtures: where the seeds, samples and scorer live, and how to run the `jirga` command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
SCORER = SHARED / "tools" / "score_extraction.py"
EXAMPLES = ROOT / "examples"
HELDOUT = ROOT / "tests" / "data" / "heldout"


def run_jirga(*args: str, check: bool = False, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The command line as a user runs it (`env`: variables set on top of this process's environment)."""
    import os

    return subprocess.run([sys.executable, "-m", "jirga.cli", *args], capture_output=True, text=True, check=check,
                          cwd=ROOT, env={**os.environ, **env} if env else None)


def score(gold: Path, pred: Path) -> tuple[dict[str, float], str]:
    """Run the shared scorer; return its closing figures and its whole report."""
    out = subprocess.run([sys.executable, str(SCORER), "--gold", str(gold), "--pred", str(pred)], capture_output=True,
                         text=True, check=True).stdout
    figures = dict(re.findall(r"(\w+)=([\d.]+)", out.strip().splitlines()[-1]))
    return {k: float(v) for k, v in figures.items()}, out


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the shared seeds are not beside the checkout ({SEEDS})")
    return SEEDS


POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _postgres_database():
    """A throw-away PostgreSQL database on the machine's server, dropped afterwards. Skipped when no server runs,
    unless JIRGA_REQUIRE_POSTGRES is set (CI), where that is a failure."""
    import os
    import uuid

    import psycopg

    name = f"jirga_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("JIRGA_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required here but not reachable: {error}")
        pytest.skip(f"no PostgreSQL server at {POSTGRES_ADMIN}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The store's test suite runs on both backends."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jirga.db'}"
    else:
        yield from _postgres_database()
