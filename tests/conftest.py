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


def run_jirga(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    """The command line as a user runs it."""
    return subprocess.run([sys.executable, "-m", "jirga.cli", *args], capture_output=True, text=True, check=check,
                          cwd=ROOT)


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
