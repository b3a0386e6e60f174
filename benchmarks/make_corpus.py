"""A store of realistic synthetic data for measuring at scale: about 1M claims over ten years.

    python benchmarks/make_corpus.py --db URL [--claims 1000000] [--green 0.10]

Incidents are made as `query_speed.py` makes them (dates over 2014-2024; places from the gazetteer in PK, AF, IN,
IR and TJ with their provinces, weighted as attacks fall; kinds, attack and target types; the groups active in each
country; killed and injured with ranges; claims as the ingest writes them, about seven per incident; actor links),
until the store holds the claims asked for. Two organisations: the owner, whose incidents are TLP:AMBER, and a
partner ("Partner") that sees only the share marked TLP:GREEN (`--green`, default 10 %), each with the views the
store's writer keeps (`IncidentView`). `benchmarks/scale.py --store URL` then times the filtered incident list and
the monthly aggregate for both. A SQLite URL names a new file; a PostgreSQL database must exist and be empty.

The views are written in bulk, not by the store's writer, so the monthly counts it keeps (`month_sums`) are then
counted from them (`synthetic_store.bulk_fill` does), and a PostgreSQL store is VACUUM ANALYZEd, as autovacuum
would soon do in a real deployment after such a load (statistics for the planner, the visibility map for
index-only scans).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from query_speed import fill
from sqlalchemy import text

from jirga.db import open_store
from jirga.db.schema import Organisation

CLAIMS_PER_INCIDENT = 6.9  # what query_speed's incidents average
PARTNER = "Partner"


def make(url: str, claims: int, green: float) -> dict[str, int]:
    store = open_store(url)
    try:
        with store.session() as session:
            session.add(Organisation(name=PARTNER))
        counts = fill(store, max(1, round(claims / CLAIMS_PER_INCIDENT)), green_share=green)
        if store.dialect == "postgresql":
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        return counts
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the store to fill: sqlite:///FILE or a PostgreSQL URL")
    parser.add_argument("--claims", type=int, default=1_000_000, help="about how many claims (default 1000000)")
    parser.add_argument("--green", type=float, default=0.10, help="share marked TLP:GREEN (default 0.10)")
    args = parser.parse_args()
    if args.claims < 1 or not 0 <= args.green <= 1:
        parser.error("--claims must be at least 1 and --green between 0 and 1")
    start = time.perf_counter()
    counts = make(args.db, args.claims, args.green)
    print(f"{counts['incidents']:,} incidents, {counts['claims']:,} claims, {counts['incident_actors']:,} actor links "
          f"({args.green:.0%} TLP:GREEN, seen by {PARTNER!r}) in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
