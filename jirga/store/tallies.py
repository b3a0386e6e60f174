"""What the batched writer remembers of big incidents between the batches of one ingest run, so that a report
joining an incident of 2,000 reports costs what joining one of ten does.

The writer summarises an incident of `BIG_INCIDENT` reports or more once per batch, over all its claims; when an
event is reported thousands of times that is most of the run's work, and it grows with each batch. An
`IncidentTally` keeps what that summary is made of (the running consensus, `jirga.fuse.tally`; the reports, actor
links, sources and victims' figures) and takes the batch's new claims one at a time: the columns, actor links and
views it gives are those the summary over all the claims gives.

It serves only while that is certain: every claim counts (none retired, none from a superseded revision, no
analyst's verdict on any), every claim carries the same marking (so each audience sees all of them or none), the
incident has not been summarised by anyone else since (`Incident.revision`), and its reports' sources keep the
names and grades they had (a grade weighs the figures). Otherwise the writer reads the claims and summarises them
all, as before. A batch that fails leaves its tallies half-changed: the run forgets them all (`Tallies.clear`).
"""

from __future__ import annotations

import bisect
from array import array
from collections import OrderedDict

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from jirga.db.schema import Source, SourceGrade
from jirga.fuse import victims
from jirga.fuse.tally import COUNTS, FigureTally, Tally
from jirga.store.credibility import basis
from jirga.store.summary import (
    VIEW_COLUMNS,
    View,
    actor_links,
    audiences,
    facts_from,
    group_key,
    view_of,
    write_views,
)

# What a run remembers at most: the least recently joined incidents are forgotten first, so memory stays bounded
# however many reports come (a figure or a report id costs a tally about 70 and 8 bytes).
KEPT = 1_000  # incidents
KEPT_SIZE = 500_000  # figures and report ids, all tallies together
CHUNK = 500


class IncidentTally:
    """An incident's summary, kept up to date one claim at a time. Claims made in the current batch carry the
    writer's provisional ids: the consensus orders facts by claim id only within one report, whose claims the store
    numbers in the same order."""

    def __init__(self, example):
        self.consensus = Tally()
        self.victims: dict[tuple[str, str], FigureTally] = {}
        self.example = example  # one of its claims: what `summary.audiences` reads of them all
        self.marking = _marking(example)
        self.reports = array("q")  # their ids, in order: 8 bytes each
        self.links: set[tuple[str, str]] = set()
        # What basis() reads: a claim of each source and grading organisation, and an analyst's, with their reports
        self.told: dict[tuple, object] = {}
        self.told_reports: dict[int, object] = {}
        self.weighed: dict[tuple[int, int], tuple[str, str]] = {}  # (report owner, source) -> (name, grade) used
        self.revision: int | None = None
        self.figures = 0  # figures kept, all counts and victims' figures together

    @classmethod
    def of(cls, claims: list, reports: dict, verdicts: list) -> IncidentTally | None:
        """The tally of these claims (all of an incident's), or None if it cannot stand for their summary."""
        if verdicts or not claims:
            return None
        tally = cls(claims[0])
        return tally if tally.add(claims, reports) else None

    def accepts(self, claims: list, reports: dict) -> bool:
        """Whether these claims can be added and the tally still stand for the summary of all."""
        return all(not claim.retired and _marking(claim) == self.marking
                   and (claim.report_id is None or (claim.report_id in reports and reports[claim.report_id].is_current))
                   for claim in claims)

    def add(self, claims: list, reports: dict) -> bool:
        """Add these claims (False, and nothing added, if the tally cannot take them)."""
        if not self.accepts(claims, reports):
            return False
        for claim, fact in zip(claims, facts_from(claims, reports, {}), strict=True):
            self.consensus.add(fact)
            self.links.update(actor_links([claim]))
            report = reports.get(claim.report_id)
            if report is not None:
                at = bisect.bisect_left(self.reports, report.id)
                if at == len(self.reports) or self.reports[at] != report.id:
                    self.reports.insert(at, report.id)
                if claim.origin in ("machine", "partner"):
                    self.weighed[report.owner_org_id, report.source_id] = (report.name, report.reliability)
                if self.told.setdefault(("report", report.source_id, report.owner_org_id), claim) is claim:
                    self.told_reports[report.id] = report
            if claim.origin == "analyst":
                self.told.setdefault(("analyst",), claim)
            if victims.is_victim_count(claim):
                part = (claim.value["subset"], claim.field)
                self.victims.setdefault(part, FigureTally(claim.field)).add(victims.as_total(fact))
                self.figures += 1
            elif claim.field in COUNTS:
                self.figures += 1
        return True

    @property
    def size(self) -> int:
        """What it holds that grows with its claims: figures and report ids."""
        return self.figures + len(self.reports)

    def actor_links(self) -> list[tuple[str, str]]:
        return sorted(self.links)

    def basis(self) -> dict:
        """`credibility.basis` of all the claims: that of one claim for each source, grader and analyst's claim."""
        return basis(list(self.told.values()), self.told_reports, [])

    def victim_figures(self) -> victims.Figures:
        return victims.collected({part: tally.figures() for part, tally in self.victims.items()})


def write_tallied_views(session: Session, incident, tally: IncidentTally) -> None:
    """`summary._write_views` for an incident summarised by its tally: every audience sees all its claims (one
    marking) or none of them."""
    links = tally.actor_links()

    def view(seen: list[int], told: list[int]) -> View:
        if not seen:  # it sees the incident (its marking) but none of its claims
            return view_of(incident, [], {}, [], whole=False)
        return ({**{name: getattr(incident, name) for name in VIEW_COLUMNS}, "group_ids": group_key(links),
                 **tally.basis()}, links, tally.victim_figures())

    write_views(session, incident, audiences(session, incident, [tally.example], []), view)


def _marking(claim) -> tuple:
    return claim.owner_org_id, claim.tlp, claim.sharing_group_id


class Tallies:
    """The tallies of one ingest run, by incident id."""

    def __init__(self, kept: int = KEPT, kept_size: int = KEPT_SIZE):
        self.kept, self.kept_size = kept, kept_size
        self.by_id: OrderedDict[int, IncidentTally] = OrderedDict()
        self.size = 0  # of the tallies in by_id, as they were kept

    def valid(self, session: Session, incidents: list) -> dict[int, IncidentTally]:
        """The tallies of these incidents (as the batch read them) that still stand for their summaries; the others
        are forgotten."""
        found = {}
        for incident in incidents:
            tally = self._forget(incident.id)
            if tally is not None and tally.revision == incident.revision:
                found[incident.id] = tally
        weighed = {pair for tally in found.values() for pair in tally.weighed}
        now = _weights(session, sorted(weighed))
        return {incident_id: tally for incident_id, tally in found.items()
                if all(now.get(pair) == used for pair, used in tally.weighed.items())}

    def keep(self, incident_id: int, tally: IncidentTally | None, revision: int) -> None:
        """Remember the incident's tally as of this revision (None: forget any)."""
        self._forget(incident_id)
        if tally is None:
            return
        tally.revision = revision
        self.by_id[incident_id] = tally
        self.size += tally.size
        while len(self.by_id) > self.kept or self.size > self.kept_size:
            self._forget(next(iter(self.by_id)))

    def clear(self) -> None:
        self.by_id.clear()
        self.size = 0

    def _forget(self, incident_id: int) -> IncidentTally | None:
        tally = self.by_id.pop(incident_id, None)
        if tally is not None:
            self.size -= tally.size
        return tally


def _weights(session: Session, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[str, str]]:
    """(organisation, source) -> (the source's name, the organisation's grade of it, F if none), as
    `summary.report_rows` weighs a report."""
    out = {}
    for start in range(0, len(pairs), CHUNK):
        part = pairs[start:start + CHUNK]
        names = dict(session.execute(select(Source.id, Source.name).where(Source.id.in_({s for _, s in part}))).all())
        grades = dict(((org, source), grade) for org, source, grade in session.execute(
            select(SourceGrade.org_id, SourceGrade.source_id, SourceGrade.reliability)
            .where(tuple_(SourceGrade.org_id, SourceGrade.source_id).in_(part))))
        for org, source in part:
            if source in names:
                out[org, source] = (names[source], grades.get((org, source)) or "F")
    return out

