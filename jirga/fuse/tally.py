"""An incident's consensus kept up to date one fact at a time: what `consensus.consensus` gives over all the facts,
without going over them all again when a few more come.

It holds for facts that all count (none retired, none from a superseded revision, none disputed or agreed with by an
analyst): the batched writer keeps one for each big incident an ingest run keeps joining, so that storing the
2,000th report of an event costs what storing the first did. Modes keep their counts; each source's figures are kept
in the consensus's order with the narrowing of its earlier figures by its later ones (`consensus.narrow`), redone
from where a new figure falls until a later one comes out as it was. What a consensus says about superseded figures
(`notes`, `superseded`) is not kept: the incident page works it out from the claims.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter

from jirga.fuse.consensus import Consensus, Fact, Figures, decided, narrow, order, top, total
from jirga.fuse.intervals import Interval
from jirga.fuse.match import BOMBINGS
from jirga.model.vocab import DATE_RANK, PLACE_RANK

COUNTS = ("killed", "injured")


class _SourceFigures:
    """One source's figures in the consensus's order, what they come to after each, and the latest. Memory: a big
    incident has thousands of figures, so each is kept as a number (its key) and two intervals shared with the
    source's other figures of the same value; what decides is only the latest figure's fact."""

    __slots__ = ("given", "keys", "latest", "narrowed", "shared")

    def __init__(self):
        self.keys: list[int] = []
        self.given: list[Interval] = []
        self.narrowed: list[Interval] = []  # after each figure: the latest, narrowed by the earlier ones
        self.latest: Fact | None = None
        self.shared: dict[Interval, Interval] = {}

    def add(self, fact: Fact, interval: Interval) -> None:
        key = _key(fact)
        at = bisect.bisect_right(self.keys, key)
        self.keys.insert(at, key)
        self.given.insert(at, self._shared(interval))
        if at == len(self.keys) - 1:
            self.latest = fact
        self.narrowed.insert(at, self._narrowed(at))
        # The later figures' narrowing, redone until one comes out as it was (shared intervals: the same value is the
        # same object): from there on the fold goes as before.
        for later in range(at + 1, len(self.keys)):
            now = self._narrowed(later)
            if now is self.narrowed[later]:
                break
            self.narrowed[later] = now

    def told(self) -> tuple[Fact, Interval]:
        return self.latest, self.narrowed[-1]

    def _narrowed(self, at: int) -> Interval:
        """The figure at `at`, narrowed by those before it."""
        given = self.given[at]
        return self._shared(narrow(self.narrowed[at - 1], given)[1]) if at else given

    def _shared(self, interval: Interval) -> Interval:
        return self.shared.setdefault(interval, interval)


def _key(fact: Fact) -> int:
    """`order` within one source, as one number (published, report, claim): a claim's id tells it from any other, so
    the value's text need not be kept. Ids are below 2**64, the writer's provisional ones included."""
    published = (fact.published or dt.date.min).toordinal()
    return published << 128 | (fact.report_id or 0) << 64 | fact.claim_id


class FigureTally:
    """`consensus.figures` of one count over the facts added so far."""

    def __init__(self, name: str):
        self.name = name
        self.sources: dict[str, _SourceFigures] = {}

    def add(self, fact: Fact) -> None:
        interval = total(fact)
        if interval is not None:
            self.sources.setdefault(fact.source, _SourceFigures()).add(fact, interval)

    def figures(self) -> Figures:
        if not self.sources:
            return Figures()
        return decided({source: figures.told() for source, figures in self.sources.items()}, [], [], self.name)


class _ModeOfFinest:
    """The most common value among those of the finest precision (date, place), as `consensus` picks it."""

    def __init__(self, rank: dict[str, int], missing: int, finest, key):
        self.rank, self.missing, self.finest, self.key = rank, missing, finest, key
        self.counts: dict[int, Counter] = {}
        self.first: dict[tuple[int, object], tuple[str, dict]] = {}  # (rank, key) -> the value the tie-break keeps

    def add(self, value: dict) -> None:
        rank, key = self.rank.get(value["precision"], self.missing), self.key(value)
        self.counts.setdefault(rank, Counter())[key] += 1
        told = repr(sorted(value.items()))
        kept = self.first.get((rank, key))
        if kept is None or told < kept[0]:
            self.first[rank, key] = (told, value)

    def value(self) -> dict | None:
        if not self.counts:
            return None
        rank = self.finest(self.counts)
        return self.first[rank, top(self.counts[rank])][1]


class Tally:
    """`consensus.consensus` of the facts added so far (all of which count), less its notes on superseded figures."""

    def __init__(self):
        self.kinds: Counter = Counter()
        self.attack_types: Counter = Counter()
        self.target_types: Counter = Counter()
        self.dates = _ModeOfFinest(DATE_RANK, 9, min, lambda d: (d["start"], d["end"]))
        self.places = _ModeOfFinest(PLACE_RANK, -1, max, lambda p: p["gazetteer_id"])
        self.days: set[tuple[str, str]] = set()  # the dates given to the day
        self.claimed: dict[str, tuple] = {}  # actor id -> the first of its claims of responsibility, in `order`
        self.counts = {name: FigureTally(name) for name in COUNTS}

    def add(self, fact: Fact) -> None:
        name, value = fact.field, fact.value
        if name == "kind":
            self.kinds[value] += 1
        elif name == "attack_type":
            self.attack_types[value] += 1
        elif name == "target" and value.get("target_type"):
            self.target_types[value["target_type"]] += 1
        elif name == "date":
            self.dates.add(value)
            if value["precision"] == "day":
                self.days.add((value["start"], value["end"]))
        elif name == "place":
            self.places.add(value)
        elif name in self.counts:
            self.counts[name].add(fact)
        elif name == "responsibility" and value["mode"] == "claimed":
            key = order(fact)
            if value["actor_id"] not in self.claimed or key < self.claimed[value["actor_id"]]:
                self.claimed[value["actor_id"]] = key

    def consensus(self) -> Consensus:
        out = Consensus(kind=top(self.kinds), date=self.dates.value(), place=self.places.value(),
                        target_type=top(self.target_types))
        known = Counter({kind: n for kind, n in self.attack_types.items() if kind != "unknown"})
        out.attack_type = top(known) or top(self.attack_types)
        figures = {name: tally.figures() for name, tally in self.counts.items()}
        out.killed, out.injured = figures["killed"].triple, figures["injured"].triple
        out.claimed_by = sorted(self.claimed, key=self.claimed.__getitem__)
        out.conflicts = [told.conflict for told in figures.values() if told.conflict]
        if len(out.claimed_by) > 1:
            out.conflicts.append(f"responsibility claimed by {len(out.claimed_by)} groups")
        if len(known) > 1 and not set(known) <= BOMBINGS:
            out.conflicts.append(f"attack type: {', '.join(sorted(known))}")
        if len(self.days) > 1:
            out.conflicts.append(f"date: {', '.join(sorted(start for start, _ in self.days))}")
        return out

