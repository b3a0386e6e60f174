"""How much memory does a big incident's running consensus (`jirga.fuse.tally`) hold for each figure it keeps?

    python benchmarks/tally_memory.py [--figures N] [--sources S]

Adds N death tolls of one event, from S outlets over a month, each figure one of a few values as real reporting of
one attack gives them, in random order (as an archive arrives), the ids as the batched writer gives them; prints the
bytes Python allocated per figure (tracemalloc) and the time per figure. The ingest run's cap on its tallies
(`jirga.store.tallies.KEPT_SIZE`) is sized by this figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import tracemalloc

from jirga.fuse.consensus import Fact
from jirga.fuse.tally import Tally
from jirga.store.writer import NEW

DAY = dt.date(2016, 8, 8)
TOLLS = (50, 52, 55, 60, 70, 74)


def figure(best: int) -> dict:
    return {"low": best, "best": best, "high": best, "qualifier": None, "text": str(best)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=40)
    args = parser.parse_args()
    rnd = random.Random(1)
    facts = [Fact("killed", figure(rnd.choice(TOLLS)), f"Outlet {n % args.sources}", "B",
                  DAY + dt.timedelta(rnd.randrange(31)), report_id=1_000 + n, claim_id=NEW + n)
             for n in range(args.figures)]
    tally = Tally()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    for fact in facts:
        tally.add(fact)
    seconds = time.perf_counter() - start
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(f"{args.figures:,} figures from {args.sources} sources: {held / args.figures:.1f} bytes a figure, "
          f"{seconds / args.figures * 1e6:.1f} us a figure (traced); killed {tally.consensus().killed}")


if __name__ == "__main__":
    main()
