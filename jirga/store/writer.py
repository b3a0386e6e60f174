"""The batched writer: a batch of extracted reports stored with a few statements per batch, not per claim.

It gives exactly the store that storing the batch one event at a time gives (`records.add_extraction`, kept as the
reference and for re-extraction, hand coding and partners' reports): the same incidents, claims, summaries, views,
history and ids. What changes is how:

- the reports go in with one multi-row insert (PostgreSQL: COPY), the claims, relations, history rows and new
  incidents with one each at the end of the batch;
- clustering candidates come from one query for the whole batch (the date windows and countries of all its events),
  and each event is placed in memory, in order, against incidents as the earlier events of the batch left them
  (one may join an incident an earlier event opened);
- an incident's consensus is computed in memory where the reference computes it (after each join of an incident of
  fewer than `BIG_INCIDENT` reports, else once at the end), and its actor links and views are written once per batch;
  a big incident's, where it can be, from its tally, kept by the run from batch to batch (`jirga.store.tallies`),
  so that its claims are not read and weighed again each batch.

A batch with a revision (a changed text at a URL already stored, or twice in the batch) is written by the reference
instead (`NotBatchable`): revisions are rare, and retiring the old revision's incidents changes incidents the batch's
query did not read. A new report has no analyst's "cannot link" (`CannotLink` rows go with their report), so the
reference's check for one is left out.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, text, tuple_, update
from sqlalchemy.orm import Session

from jirga.db.schema import (
    Claim,
    Incident,
    IncidentActor,
    IncidentHistory,
    Place,
    Relation,
    Report,
    Source,
    SourceGrade,
)
from jirga.fuse.consensus import consensus
from jirga.fuse.match import UNDATED_WINDOW, compare
from jirga.model import tlp as tlp_levels
from jirga.model.report import IncomingReport
from jirga.store import month_sums
from jirga.store.claims import Decomposed, EventClaims
from jirga.store.placement import (
    ACTOR_ROLES,
    LONGEST_DATE_RANGE,
    MAX_CANDIDATES,
    NEVER_CLUSTERED,
    view_of_event,
    view_of_incident,
)
from jirga.store.records import BIG_INCIDENT, snapshot
from jirga.store.summary import (
    DERIVED,
    _write_views,
    actor_links,
    apply_values,
    facts_from,
    latest,
    report_count,
    report_rows,
    verdict_rows,
)
from jirga.store.tallies import IncidentTally, Tallies, write_tallied_views

CHUNK = 500  # ids per IN (...) list: well under SQLite's limit on bound parameters
MERGE_GAP = dt.timedelta(days=31)
UNFILED = object()  # the country of an incident not summarised yet
NEW = 1 << 62  # provisional ids of rows made in the batch: above every stored id, in the order they were made
INCIDENT_COLUMNS = tuple(c.name for c in Incident.__table__.columns if c.name not in ("id", "uuid", "created_at"))
CLAIM_COLUMNS = (Claim.id, Claim.incident_id, Claim.field, Claim.value, Claim.report_id, Claim.origin, Claim.retired,
                 Claim.created_by, Claim.owner_org_id, Claim.tlp, Claim.sharing_group_id)  # as summary.claim_rows
ReportRow = namedtuple("ReportRow", "id published is_current source_id owner_org_id name reliability")  # as report_rows


class NotBatchable(Exception):
    """This batch needs the reference writer (see the module's docstring); nothing was written."""


@dataclass
class Item:
    """One report to store: what `add_report` and `add_extraction` take."""
    report: IncomingReport
    source: int
    tlp: str
    found: Decomposed


CLAIM_FIELDS = ("field", "value", "report_id", "origin", "retired", "created_by", "owner_org_id", "tlp",
                "sharing_group_id")  # what summary.claim_rows reads, besides the id


class _Row:
    """A claim, as light as `summary.claim_rows` gives them (made in the batch, or stored)."""
    __slots__ = ("created_by", "field", "id", "origin", "owner_org_id", "report_id", "retired", "sharing_group_id",
                 "tlp", "value", "values")

    def __init__(self, **values: Any):
        self.id = values.pop("id")
        for name in CLAIM_FIELDS:
            setattr(self, name, values.pop(name, None))
        self.values = values  # the other columns of a new claim


class _Incident:
    """An incident as the batch knows it: every column of the table, the actors clustering compares (as its last
    summary linked them), and what its summary needs."""

    def __init__(self, columns: dict, actors: list[str], new: bool):
        self.__dict__.update(columns)
        self.actors, self.new = actors, new
        self.claims: list | None = [] if new else None  # None: not read yet
        self.made: list[_Row] = []  # its claims made in the batch
        self.verdicts: list = []
        self.touched = False
        self.deferred = False  # joined while big: summarised at the end of the batch
        self.summarised_tlp: str | None = None  # its marking when last summarised (the reference's views use it)
        self.tally: IncidentTally | None = None  # its summary kept from batch to batch (jirga.store.tallies)

    def with_tlp(self, tlp: str | None) -> _Incident:
        copy = object.__new__(_Incident)
        copy.__dict__.update(self.__dict__, tlp=tlp)
        return copy


@dataclass
class _Batch:
    session: Session
    owner: int
    group: int | None
    tallies: Tallies
    pool: dict[int, _Incident] = field(default_factory=dict)
    by_country: dict[str | None, dict[int, _Incident]] = field(default_factory=dict)  # the pool, by country
    reports: dict[int, Any] = field(default_factory=dict)  # report id -> ReportRow, for the consensus
    places: dict[str, Any] = field(default_factory=dict)  # the places of the batch's claims and candidates
    claims: list[_Row] = field(default_factory=list)  # new, in the order made
    history: list[dict] = field(default_factory=list)
    opened: list[_Incident] = field(default_factory=list)

    def new_id(self) -> int:
        return NEW + len(self.claims) + len(self.opened)


def write_batch(session: Session, items: list[Item], owner: int, group: int | None,
                tallies: Tallies | None = None) -> list[tuple[str, int, int]]:
    """Store these reports and their extractions in this order (none stored yet: the caller checked); returns for
    each ("new", incidents opened, report id). Raises NotBatchable, having written nothing, when the reference must
    write this batch. `tallies`: the big incidents' summaries kept by the run from batch to batch (if the
    transaction fails, the caller must clear them)."""
    if not items:
        return []
    _check_batchable(session, items, owner, group)
    batch = _Batch(session, owner, group, tallies if tallies is not None else Tallies())
    report_ids = _insert_reports(session, items, owner, group)
    _read_reports(batch, items, report_ids)
    _read_places(batch, items)
    _read_candidates(batch, items)
    _read_claims(batch, items)
    out = []
    relations = []
    for item, report_id in zip(items, report_ids, strict=True):
        out.append(("new", _place_events(batch, item, report_id), report_id))
        owned = {"owner_org_id": owner, "tlp": item.tlp, "sharing_group_id": group}
        relations += [{"report_id": report_id, "extractor_version": item.found.extractor_version, **relation,
                       **owned} for relation in item.found.relations]
    _write(batch, relations)
    return out


def _insert(session: Session, model, rows: list[dict]) -> list[int]:
    """Insert these rows (Core, not the ORM's bulk insert: no objects); their new ids, in the rows' order.

    SQLite: one multi-row insert with RETURNING. PostgreSQL: the ids drawn from the table's sequence first, then
    COPY (a multi-row statement of thousands of rows costs psycopg more to parse than the server takes to run it)."""
    if not rows:
        return []
    table = model.__table__
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return list(connection.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
                    .scalars())
    ids = sorted(connection.execute(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                         "FROM generate_series(1, :n)"), {"table": table.name, "n": len(rows)})
                 .scalars())
    _copy(connection, table, [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)])
    return ids


def _copy(connection, table, rows: list[dict]) -> None:
    """PostgreSQL's COPY of these rows into the table, in the session's transaction: each column's default filled in
    and each value prepared as SQLAlchemy's insert would (JSON wrapped for psycopg)."""
    dialect = connection.dialect
    columns = list(table.columns)
    prepare = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    defaults = [column.default for column in columns]
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for column, default, process in zip(columns, defaults, prepare, strict=True):
                if column.name in row:
                    value = row[column.name]
                elif default is None:
                    value = None
                else:
                    value = default.arg(None) if default.is_callable else default.arg
                values.append(process(value) if process is not None and value is not None else value)
            copy.write_row(values)


def _check_batchable(session: Session, items: list[Item], owner: int, group: int | None) -> None:
    linked = [(item.source, item.report.url) for item in items if item.report.url]
    if len(set(linked)) < len(linked):  # a revision of a report of the same batch
        raise NotBatchable("two texts at one link")
    same_group = Report.sharing_group_id.is_(None) if group is None else Report.sharing_group_id == group
    tlps = {(item.source, item.report.url): item.tlp for item in items}
    for start in range(0, len(linked), CHUNK):
        stored = session.execute(select(Report.source_id, Report.url, Report.tlp).where(
            Report.owner_org_id == owner, Report.is_current, same_group,
            tuple_(Report.source_id, Report.url).in_(linked[start:start + CHUNK]))).all()
        if any(tlps.get((source, url)) == tlp for source, url, tlp in stored):
            raise NotBatchable("a revision of a stored report")


def _insert_reports(session: Session, items: list[Item], owner: int, group: int | None) -> list[int]:
    rows = [{"source_id": item.source, "url": r.url, "origin": r.origin[:2000], "title": r.title[:1000],
             "published": r.published, "language": r.language, "content_hash": r.content_hash, "text": r.text,
             "owner_org_id": owner, "tlp": item.tlp, "sharing_group_id": group,
             "extractor_version": item.found.extractor_version}
            for item in items for r in (item.report,)]
    return _insert(session, Report, rows)


def _read_reports(batch: _Batch, items: list[Item], report_ids: list[int]) -> None:
    """What the consensus weighs the batch's reports by: their source and their owner's grade of it."""
    sources = {item.source for item in items}
    names = dict(batch.session.execute(select(Source.id, Source.name).where(Source.id.in_(sources))).all())
    grades = dict(batch.session.execute(select(SourceGrade.source_id, SourceGrade.reliability).where(
        SourceGrade.org_id == batch.owner, SourceGrade.source_id.in_(sources))).all())
    for item, report_id in zip(items, report_ids, strict=True):
        batch.reports[report_id] = ReportRow(report_id, item.report.published, True, item.source, batch.owner,
                                             names[item.source], grades.get(item.source) or "F")


def _read_places(batch: _Batch, items: list[Item]) -> None:
    ids = sorted({place_id for item in items for place_id in item.found.places})
    for start in range(0, len(ids), CHUNK):
        batch.places.update((place.id, place) for place in batch.session.execute(
            select(Place).where(Place.id.in_(ids[start:start + CHUNK]))).scalars())


def _window(view, published: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """The dates an event's candidates must overlap (placement._candidates)."""
    if view.date_start is not None:
        return view.date_start - dt.timedelta(days=1), view.date_end + dt.timedelta(days=1)
    if published is not None:
        return published - UNDATED_WINDOW, published
    return None


def _family(kind: str) -> tuple[str, ...]:
    return ("meeting", "visit") if kind in ("meeting", "visit") else (kind,)


def _read_candidates(batch: _Batch, items: list[Item]) -> None:
    """Every active incident any event of the batch may be compared with, in one query: for each kind and country,
    the union of the events' date windows. Incidents the batch opens or changes are kept up to date in memory."""
    windows: dict[tuple[tuple[str, ...], str | None], list[tuple[dt.date, dt.date]]] = {}
    for item in items:
        for event in item.found.events:
            if event.kind in NEVER_CLUSTERED:
                continue
            view = view_of_event(event, item.report.published)
            window = _window(view, item.report.published)
            if window is not None:
                country = view.place.country if view.place is not None else None
                windows.setdefault((_family(view.kind), country), []).append(window)
    if not windows:
        return
    terms = []
    for (family, country), spans in windows.items():
        for start, end in _merged(spans):
            term = and_(Incident.kind.in_(family), Incident.date_start.between(start - LONGEST_DATE_RANGE, end),
                        Incident.date_end >= start)
            if country is not None:
                term = and_(term, (Incident.country == country) | Incident.country.is_(None))
            terms.append(term)
    columns = [c for c in Incident.__table__.columns if c.name != "uuid"]
    rows = batch.session.execute(select(*columns, Place).outerjoin(Place, Place.id == Incident.place_id)
                                 .where(Incident.status == "active", or_(*terms))).all()
    ids = [row.id for row in rows]
    actors: dict[int, list[str]] = {}
    for start in range(0, len(ids), CHUNK):
        for incident_id, actor_id in batch.session.execute(
                select(IncidentActor.incident_id, IncidentActor.actor_id).where(
                    IncidentActor.incident_id.in_(ids[start:start + CHUNK]), IncidentActor.role.in_(ACTOR_ROLES))
                .order_by(IncidentActor.incident_id, IncidentActor.actor_id, IncidentActor.role)):
            actors.setdefault(incident_id, []).append(actor_id)
    for row in rows:
        if row.Place is not None:
            batch.places.setdefault(row.Place.id, row.Place)
        values = {c.name: getattr(row, c.name) for c in columns}
        incident = batch.pool[row.id] = _Incident(values, actors.get(row.id, []), new=False)
        batch.by_country.setdefault(incident.country, {})[incident.id] = incident


def _read_claims(batch: _Batch, items: list[Item]) -> None:
    """The claims of the stored incidents the batch's events will likely join, in a few queries rather than some
    for each: those that are candidates of an event as the batch starts, and small enough to be summarised at each
    join (a big one is read at the end of the batch)."""
    wanted: dict[int, _Incident] = {}
    for item in items:
        for event in item.found.events:
            if event.kind not in NEVER_CLUSTERED:
                view = view_of_event(event, item.report.published)
                wanted.update((c.id, c) for c in _candidates(batch, view, item.report.published, set())
                              if c.report_count < BIG_INCIDENT)
    _load_claims(batch, list(wanted.values()))


def _merged(spans: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """The windows as few date ranges: those less than MERGE_GAP apart as one (a few more incidents read, each
    filtered in memory, rather than a query of hundreds of terms)."""
    out: list[list[dt.date]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + MERGE_GAP:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(start, end) for start, end in out]


def _candidates(batch: _Batch, view, published: dt.date | None, joined: set[int]) -> list[_Incident]:
    """placement._candidates, over the batch's incidents in memory."""
    window = _window(view, published)
    if window is None:
        return []
    start, end = window
    family = _family(view.kind)
    country = view.place.country if view.place is not None else None
    low = start - LONGEST_DATE_RANGE
    pool = batch.pool.values() if country is None else chain(batch.by_country.get(country, {}).values(),
                                                             batch.by_country.get(None, {}).values())
    found = [i for i in pool
             if i.status == "active" and i.kind in family and i.id not in joined
             and i.date_start is not None and low <= i.date_start <= end
             and i.date_end is not None and i.date_end >= start
             and (country is None or i.country == country or i.country is None)]
    found.sort(key=lambda incident: incident.id)
    return found[:MAX_CANDIDATES]


def _place_events(batch: _Batch, item: Item, report_id: int) -> int:
    """add_extraction for one report, in memory; returns how many incidents it opened."""
    found, report = item.found, item.report
    owned = {"owner_org_id": batch.owner, "tlp": item.tlp, "sharing_group_id": batch.group}
    machine_version = found.extractor_version if found.origin == "machine" else None
    joined: set[int] = set()  # incidents this report's claims are in: never a candidate for its next event
    opened = 0
    for event in found.events:
        incident, match, candidates = _best(batch, event, report.published, joined)
        fresh = incident is None
        if fresh:
            incident = _Incident({"kind": event.kind, "status": "active", "report_count": 0, **owned,
                                  **dict.fromkeys(("title", "place_id")), "id": batch.new_id()}, [], new=True)
            incident.title = ""
            batch.opened.append(incident)
            batch.pool[incident.id] = incident
            opened += 1
        claims = []
        for claim in event.claims:
            row = _Row(id=batch.new_id(), incident_id=incident.id, report_id=report_id, event=event.event,
                       origin=found.origin, created_by=found.created_by, extractor_version=machine_version,
                       retired=False, **claim, **owned)
            batch.claims.append(row)
            claims.append(row)
        joined.add(incident.id)
        incident.touched = True
        incident.made += claims
        if incident.claims is not None:
            incident.claims += claims
        deferred = not fresh and incident.report_count >= BIG_INCIDENT
        if deferred:
            incident.deferred = True
        else:
            _load_claims(batch, [incident])  # most were read ahead (_read_claims); this reads any other
            _summarise(batch, incident)
        if not fresh:
            incident.tlp = tlp_levels.most_restrictive(incident.tlp, item.tlp)
        batch.history.append({"incident": incident, "action": "created" if fresh else "joined",
                              "detail": {"report_id": report_id, "event": event.event, "claims": claims,
                                         "candidates": candidates,
                                         **({"match": match.explain(), "scores": match.features} if match else {})},
                              "summary": None if deferred else snapshot(incident)})
    return opened


def _best(batch: _Batch, event: EventClaims, published: dt.date | None, joined: set[int]):
    """placement.find_incident: (the incident to join or None, the best match, how many candidates)."""
    if event.kind in NEVER_CLUSTERED:
        return None, None, 0
    view = view_of_event(event, published)
    candidates = _candidates(batch, view, published, joined)
    if not candidates:
        return None, None, 0
    scored = [(compare(view, view_of_incident(c, batch.places.get(c.place_id), c.actors)), c) for c in candidates]
    best_match, best = max(scored, key=lambda pair: (pair[0].score if pair[0].same else -1, -pair[1].id))
    return (best if best_match.same else None), best_match, len(candidates)


def _load_claims(batch: _Batch, incidents: list[_Incident]) -> None:
    """Stored incidents' claims, their reports and the analysts' verdicts on them: read once per batch, for many
    incidents at a time."""
    todo = [incident for incident in incidents if incident.claims is None]
    for start in range(0, len(todo), CHUNK):
        part = {incident.id: incident for incident in todo[start:start + CHUNK]}
        rows = list(batch.session.execute(select(*CLAIM_COLUMNS).where(Claim.incident_id.in_(part))
                                          .order_by(Claim.id)))
        for incident in part.values():
            incident.claims, incident.verdicts = [], []  # the batch's own claims go after the stored ones
        by_id = {}
        for row in rows:
            claim = _Row(**row._asdict())
            by_id[claim.id] = row.incident_id
            part[row.incident_id].claims.append(claim)
        for verdict in verdict_rows(batch.session, rows):
            part[by_id[verdict.claim_id]].verdicts.append(verdict)
        batch.reports.update(report_rows(batch.session, [row for row in rows if row.report_id not in batch.reports]))
        for incident in part.values():
            incident.claims += incident.made


def _summarise(batch: _Batch, incident: _Incident) -> None:
    """summary.summarize's consensus, in memory; the actor links and views are written at the end of the batch."""
    claims = incident.claims
    agreed = consensus(facts_from(claims, batch.reports, latest(incident.verdicts)))
    _summarised(batch, incident, agreed, report_count(claims), actor_links(claims))


def _summarise_big(batch: _Batch, incidents: list[_Incident]) -> None:
    """Summarise the incidents that grew big in this batch, once, over all their claims, as the reference does at
    commit: by their tallies where they still stand (nothing read), else over their claims (a tally made of them
    for the next batch)."""
    tallied = batch.tallies.valid(batch.session, [i for i in incidents if i.claims is None])
    _load_claims(batch, [i for i in incidents if i.id not in tallied])
    for incident in incidents:
        tally = tallied.get(incident.id)
        if tally is not None and tally.add(incident.made, batch.reports):
            incident.tally = tally
            _summarised(batch, incident, tally.consensus.consensus(), len(tally.reports), tally.actor_links())
            continue
        _load_claims(batch, [incident])  # a tally that could not take the batch's claims: read them all
        _summarise(batch, incident)
        incident.tally = IncidentTally.of(incident.claims, batch.reports, incident.verdicts)


def _summarised(batch: _Batch, incident: _Incident, agreed, reports: int, links: list[tuple[str, str]]) -> None:
    before = incident.__dict__.get("country", UNFILED)
    apply_values(incident, agreed, reports)
    incident.revision = (incident.__dict__.get("revision") or 0) + 1
    if incident.country != before:
        batch.by_country.get(before, {}).pop(incident.id, None)
        batch.by_country.setdefault(incident.country, {})[incident.id] = incident
    incident.actors = [actor for actor, role in links if role in ACTOR_ROLES]
    incident.summarised_tlp = incident.tlp


def _write(batch: _Batch, relations: list[dict]) -> None:
    """Everything the batch made, a statement per table (and the views per incident, as summary writes them)."""
    session = batch.session
    _summarise_big(batch, [incident for incident in batch.pool.values() if incident.deferred])
    ids: dict[int, int] = {}
    if batch.opened:
        # The columns the batch set (the table's defaults give the rest, as they do for the reference's rows).
        rows = [{name: i.__dict__[name] for name in INCIDENT_COLUMNS if name in i.__dict__} for i in batch.opened]
        new_ids = _insert(session, Incident, rows)
        ids.update(zip((i.id for i in batch.opened), new_ids, strict=True))
    touched = [i for i in batch.pool.values() if i.touched]
    stored = [i for i in touched if not i.new]
    if stored:
        now = dt.datetime.now(dt.UTC)
        session.execute(update(Incident).execution_options(synchronize_session=False),
                        [{"id": i.id, **{name: getattr(i, name) for name in INCIDENT_COLUMNS}, "updated_at": now}
                         for i in stored])
    for incident in touched:
        incident.id = ids.get(incident.id, incident.id)
    claim_ids: dict[int, int] = {}
    if batch.claims:
        rows = [{"incident_id": ids.get(c.values["incident_id"], c.values["incident_id"]),
                 **{name: getattr(c, name) for name in CLAIM_FIELDS},
                 **{k: v for k, v in c.values.items() if k != "incident_id"}} for c in batch.claims]
        new_ids = _insert(session, Claim, rows)
        claim_ids.update(zip((c.id for c in batch.claims), new_ids, strict=True))
        for claim in batch.claims:
            claim.id = claim_ids[claim.id]
    if relations:
        session.connection().execute(insert(Relation.__table__), relations)
    if stored:
        old = [i.id for i in stored]
        for start in range(0, len(old), CHUNK):
            for table in DERIVED:
                session.execute(delete(table).where(table.incident_id.in_(old[start:start + CHUNK])))
    links = [{"incident_id": i.id, "actor_id": actor_id, "role": role} for i in touched
             for actor_id, role in (i.tally.actor_links() if i.tally else actor_links(i.claims))]
    if links:
        session.connection().execute(insert(IncidentActor.__table__), links)
    for incident in touched:
        tlp = incident.tlp if incident.deferred else incident.summarised_tlp
        if incident.tally:
            write_tallied_views(session, incident.with_tlp(tlp), incident.tally)
        else:
            _write_views(session, incident.with_tlp(tlp), incident.claims, batch.reports, incident.verdicts)
        batch.tallies.keep(incident.id, incident.tally, incident.revision)
    month_sums.refresh(session, [incident.id for incident in touched])
    if batch.history:
        session.connection().execute(insert(IncidentHistory.__table__), [
            {"incident_id": entry["incident"].id, "action": entry["action"], "created_by": None, "reason": "",
             "detail": {**entry["detail"], "claims": [c.id for c in entry["detail"]["claims"]]},
             "summary": entry["summary"] or snapshot(entry["incident"])} for entry in batch.history])
