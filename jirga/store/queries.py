"""Reading the store: incidents by filter, one incident with its claims, full-text search over reports.

Every query takes the `Viewer` who asks and puts `jirga.access.visible` in its WHERE clause, so a record the viewer
may not see is never loaded; each call writes one entry to the audit log, in the caller's transaction. An incident
is visible when its own marking or at least one of its claims is. Listings filter and sort on the incident as the
viewer sees it (`IncidentView`, joined by `access.rules.seen_view`); the viewer gets only the claims they may see,
and when some claims are hidden from them, the incident's summary (date, place, figures, title, actors) is computed
from the visible claims alone, on a copy detached from the session so that it is never written back.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import pycountry
from rapidfuzz import process
from sqlalchemy import ColumnElement, Select, and_, column, exists, func, or_, select, table, text, true, union_all
from sqlalchemy.orm import Session, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from jirga.access import Viewer, audit, visible
from jirga.access.rules import seen_view
from jirga.db.schema import (
    Actor,
    Claim,
    Incident,
    IncidentActor,
    IncidentView,
    IncidentViewActor,
    Place,
    Report,
)
from jirga.errors import QueryError
from jirga.fuse.consensus import consensus
from jirga.model import tlp as tlp_levels
from jirga.reference import catalog
from jirga.reference.names import match_key, skeleton
from jirga.store.credibility import credible
from jirga.store.summary import actor_links, apply_consensus, facts_of

# SQLite's FTS5 index over reports (created by the first migration, not a model).
REPORTS_FTS = table("reports_fts", column("rowid"), column("rank"))


MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL
MAX_SPAN = dt.timedelta(days=366)  # the longest an incident's date range can be: a year



@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


def parse_period(value: str) -> Period:
    """YYYY, YYYY-MM or YYYY-MM-DD as the period it names."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return Period(dt.date(int(value), 1, 1), dt.date(int(value), 12, 31))
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = map(int, value.split("-"))
            start = dt.date(year, month, 1)
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return Period(start, following - dt.timedelta(days=1))
        day = dt.date.fromisoformat(value)
        return Period(day, day)
    except ValueError:
        raise QueryError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None


@dataclass(frozen=True)
class IncidentFilter:
    actor: str | None = None  # a name, alias or acronym; the actor's provinces and branches are included
    country: str | None = None  # ISO 3166-1 alpha-2 or a country name; several separated by commas (PK,AF)
    province: str | None = None  # ISO 3166-2 code or a province name
    kind: str | None = None
    attack_type: str | None = None
    since: str | None = None
    until: str | None = None
    conflicts: bool = False  # only incidents whose sources disagree
    include_superseded: bool = False
    limit: int = 100
    after: tuple[dt.date | None, int] | None = None  # keyset cursor: list what comes after (date_start, id)
    min_id: int | None = None  # only incidents opened after this one (ids only grow): a watchlist's new matches
    actor_role: str | None = None  # with `actor`: "perpetrator" (claimed, did, blamed) or "mentioned" (about, against)
    hide: tuple[str, ...] = ()  # triage: leave out "undated", "single_source", "low_credibility" incidents
    sort: str = "date"  # one of SORTS: the list's order (ties by id); the keyset cursor `after` pages only "date"
    ascending: bool = False
    offset: int = 0  # skip this many (paging in any order, and backwards)


def list_incidents(session: Session, where: IncidentFilter, *, viewer: Viewer) -> list[Incident]:
    """The incidents `viewer` may see that match, newest first (by date, then id) or in the order `where.sort`."""
    incidents = list(session.scalars(listing_query(where, viewer)
                                     .options(_visible_claims(lazyload, viewer))  # incident.claims, if read later
                                     .execution_options(populate_existing=True)))
    as_seen_by(session, incidents, viewer)
    audit.record(session, viewer, "read", "incident", None, "ok", f"list {_describe(where)}: {len(incidents)} found")
    return incidents


def as_seen_by(session: Session, incidents: list[Incident], viewer: Viewer) -> None:
    """Those of the incidents of which `viewer` may not see every claim: summarised again from the claims they
    may see (see `_as_seen_by`)."""
    hidden = _hiding_claims(session, [incident.id for incident in incidents], viewer)
    _as_seen_by(session, [incident for incident in incidents if incident.id in hidden], viewer)


def listing_query(where: IncidentFilter, viewer: Viewer) -> Select:
    """The page of matches `where` asks for (`offset`, `limit`, in the order `sort`): the first ones seen through
    the organisation's own views and the first seen through everyone's, each read in order from its own index and
    cut where the page ends, then merged (a query over both kinds of view at once had to sort every match first)."""
    column, end = SORTS[where.sort], (where.offset or 0) + where.limit
    if where.sort == "date":
        parts = [incident_query(where, viewer, through=part).with_only_columns(Incident.id, column.label("key"))
                 .limit(end).subquery()
                 for part in ("own", "everyone")]
    else:
        # The figures' indexes (organisation, value, incident) serve no "NULLS LAST" both ways on both backends: the
        # incidents with the value in the index's order, and those without it by number, each cut at the page's end.
        parts = []
        for part in ("own", "everyone"):
            query = incident_query(where, viewer, through=part, by_view=True).order_by(None)
            number = IncidentView.incident_id.asc() if where.ascending else IncidentView.incident_id.desc()
            for known in (True, False):
                order = ([column.asc() if where.ascending else column.desc()] if known else []) + [number]
                parts.append(query.where(column.is_not(None) if known else column.is_(None)).order_by(*order)
                             .with_only_columns(IncidentView.incident_id.label("id"), column.label("key"))
                             .limit(end).subquery())
    first = union_all(*(select(part.c.id, part.c.key) for part in parts)).subquery()
    key, number = (first.c.key.asc(), first.c.id.asc()) if where.ascending else (first.c.key.desc(), first.c.id.desc())
    return (select(Incident).join(first, first.c.id == Incident.id).order_by(key.nulls_last(), number)
            .offset(where.offset or None).limit(where.limit))


def _check_text(where: IncidentFilter) -> None:
    for name in ("actor", "country", "province", "kind", "attack_type", "since", "until"):
        value = getattr(where, name)
        if value is not None and (len(value) > 300 or any(ord(c) < 32 for c in value)):
            raise QueryError(f"--{name.replace('_', '-')} {value[:60]!r}: not a name (control characters, or over "
                             "300 characters)")


def incident_query(where: IncidentFilter, viewer: Viewer, *, whole_table: bool = False,
                   through: str | None = None, by_view: bool = False) -> Select:
    """The incidents `viewer` may see that match, in the order `where.sort` (newest first unless told otherwise),
    joined to the view they see them through (`IncidentView`): every filter and the order read the summary of the
    claims the viewer may see, never claims hidden from them. `whole_table`: the caller reads most of the table (a
    count over every period): the status is then compared in a form no index serves, because SQLite, which has no
    statistics, would otherwise walk the status index and fetch each row apart, ten times slower than a scan.
    `through`: only the incidents seen through that kind of view ("own" or "everyone", see
    `access.rules.seen_view`). `by_view`: the caller reads the views in the order of one of their indexes (a sort by
    a figure): the status is then compared in a form no index serves, so that SQLite walks that index instead."""
    _check_text(where)
    _check_triage(where)
    seen = IncidentView
    query = select(Incident).join(seen, seen_view(viewer, through, scan=whole_table))
    if not where.include_superseded:
        query = query.where((func.coalesce(Incident.status, "") if whole_table or by_view else Incident.status)
                            == "active")
    else:
        query = query.where(Incident.status != "merged")
    if where.conflicts:
        query = query.where(seen.has_conflict)
    if where.actor:
        roles = ACTOR_ROLES[where.actor_role] if where.actor_role else None
        query = query.where(exists().where(IncidentViewActor.incident_id == Incident.id,
                                           IncidentViewActor.org_id == seen.org_id,
                                           IncidentViewActor.actor_id.in_(resolve_actor(where.actor)),
                                           IncidentViewActor.role.in_(roles) if roles else true()))
    if where.hide:
        query = query.where(*quality(where.hide, viewer))
    if where.country:
        query = query.where(seen.country.in_(resolve_countries(where.country)))
    if where.province:
        single = where.country if where.country and "," not in where.country else None
        query = query.where(seen.province_code == resolve_province(where.province, single))
    if where.kind:
        query = query.where(seen.kind == where.kind)
    if where.attack_type:
        query = query.where(seen.attack_type == where.attack_type.replace(" ", "_").lower())
    if where.since:
        start = parse_period(where.since).start
        # No incident's dates span more than a year (the coarsest precision a date is told in): the bound on the
        # start is implied, and lets the date index serve both ends of a period.
        query = query.where(seen.date_end >= start, seen.date_start >= start - MAX_SPAN)
    if where.until:
        query = query.where(seen.date_start <= parse_period(where.until).end)
    if where.after:
        query = query.where(_after(*where.after))
    if where.min_id:
        query = query.where(Incident.id > where.min_id)
    return query.order_by(*sort_order(where))


SORTS = {"date": IncidentView.date_start, "killed": IncidentView.killed_best, "injured": IncidentView.injured_best,
         "reports": IncidentView.report_count}  # as the viewer sees the incident
ACTOR_ROLES = {"perpetrator": ("claimed", "perpetrator", "attributed"), "mentioned": ("about", "against", "denied")}
HIDE = ("undated", "single_source", "low_credibility")


def _check_triage(where: IncidentFilter) -> None:
    if where.sort not in SORTS:
        raise QueryError(f"cannot sort by {where.sort!r} (one of {', '.join(SORTS)})")
    if where.after and (where.sort, where.ascending) != ("date", False):
        raise QueryError("a cursor pages the newest-first order only; page other orders by offset")
    if where.actor_role not in (None, *ACTOR_ROLES):
        raise QueryError(f"actor role {where.actor_role!r}: one of {', '.join(ACTOR_ROLES)}")
    if where.actor_role and not where.actor:
        raise QueryError("an actor role needs an actor")
    unknown = [name for name in where.hide if name not in HIDE]
    if unknown:
        raise QueryError(f"cannot hide {unknown[0]!r} incidents (one of {', '.join(HIDE)})")
    if where.offset < 0:
        raise QueryError(f"offset {where.offset}: not below 0")


def sort_order(where: IncidentFilter) -> list:
    """ORDER BY for `where.sort`: incidents without the value last, ties by id, so every page follows on."""
    column = SORTS[where.sort]
    if where.ascending:
        return [column.asc().nulls_last(), Incident.id.asc()]
    return [column.desc().nulls_last(), Incident.id.desc()]


def quality(hide: tuple[str, ...], viewer: Viewer) -> list[ColumnElement[bool]]:
    """Triage: conditions that leave out undated incidents, those told by one report, and those of low credibility:
    whose facts cannot grade better than 4 (doubtful) by `fuse.grading`, since they rest on one source that the
    owner of its report grades D-F (or not at all: F) and no analyst agreed with them or coded them
    (`jirga.store.credibility`)."""
    found = []
    if "undated" in hide:
        found.append(IncidentView.date_start.is_not(None))
    if "single_source" in hide:
        found.append(IncidentView.report_count > 1)
    if "low_credibility" in hide:
        found.append(credible(viewer))  # from the view's basis columns: no subquery per incident
    return found


def _after(date: dt.date | None, incident_id: int) -> ColumnElement[bool]:
    """The incidents listed after (date, id) in the order date_start DESC NULLS LAST, id DESC."""
    start = IncidentView.date_start
    if date is None:
        return and_(start.is_(None), Incident.id < incident_id)
    return or_(start < date, and_(start == date, Incident.id < incident_id), start.is_(None))


def get_incident(session: Session, key: str | int, *, viewer: Viewer) -> Incident | None:
    """By number or uuid, with the claims `viewer` may see and their reports (if visible) loaded; None when there is
    no such incident or the viewer may not see it (the two are told apart only in the audit log, never to the
    viewer)."""
    key = str(key).strip()
    found = None
    # A larger number is no id (ids are INTEGER columns, and PostgreSQL refuses a larger parameter); a uuid has 36
    # characters, none of them NUL.
    number = key.isascii() and key.isdigit() and len(key) <= 10 and int(key) <= MAX_ID
    if number or (not key.isdigit() and len(key) <= 36 and "\x00" not in key):
        query = (select(Incident)
                 .where(Incident.id == int(key) if number else Incident.uuid == key, visible(Incident, viewer))
                 .options(_visible_claims(selectinload, viewer))
                 .execution_options(populate_existing=True))
        found = session.scalars(query).one_or_none()
    if found is None:
        audit.record(session, viewer, "read", "incident", key[:200], "not_found", "show")
        return None
    incident = found
    if _hiding_claims(session, [incident.id], viewer):
        _as_seen_by(session, [incident], viewer)
    audit.record(session, viewer, "read", "incident", incident.id, "ok", "show")
    return incident


def incident_actors(session: Session, incidents: Sequence[Incident], viewer: Viewer) -> dict[int, list[str]]:
    """'Name (role)' of the actors each incident involves, as far as the claims `viewer` sees tell."""
    actors: dict[int, list[str]] = {}
    full = [incident.id for incident in incidents if not hasattr(incident, "seen_links")]
    links = [*session.execute(select(IncidentActor.incident_id, IncidentActor.role, IncidentActor.actor_id)
                              .where(IncidentActor.incident_id.in_(full))),
             *[(incident.id, role, actor_id) for incident in incidents for actor_id, role in
               getattr(incident, "seen_links", [])]]
    names = actor_names(session, sorted({actor_id for _, _, actor_id in links}))
    for incident_id, role, actor_id in sorted(links, key=lambda link: (link[0], names.get(link[2], link[2]))):
        actors.setdefault(incident_id, []).append(f"{names.get(actor_id, actor_id)} ({role})")
    return actors


def _visible_claims(loader, viewer: Viewer):
    """Load (now or when first read) an incident's claims and their reports, only those `viewer` may see."""
    return (loader(Incident.claims.and_(visible(Claim, viewer)))
            .options(loader(Claim.report.and_(visible(Report, viewer)))))


def _hiding_claims(session: Session, incident_ids: list[int], viewer: Viewer) -> set[int]:
    """Those of the incidents with at least one (not retired) claim that `viewer` may not see. A query of its own
    over the incidents found, by the claims' incident index: as a correlated EXISTS in the listing, PostgreSQL's
    planner chose to scan every claim of the store."""
    if not incident_ids:
        return set()
    return set(session.scalars(select(Claim.incident_id).distinct().where(
        Claim.incident_id.in_(incident_ids), ~Claim.retired, ~visible(Claim, viewer))))


def _as_seen_by(session: Session, incidents: list[Incident], viewer: Viewer) -> None:
    """For incidents of which `viewer` may see only some claims: the summary from those claims alone, on the
    incident detached from the session (never written back), with `claims` holding only the visible ones."""
    if not incidents:
        return
    claims: dict[int, list[Claim]] = {}
    for claim in session.scalars(select(Claim).where(Claim.incident_id.in_([i.id for i in incidents]),
                                                     visible(Claim, viewer)).order_by(Claim.id)
                                 .options(selectinload(Claim.report.and_(visible(Report, viewer))))):
        claims.setdefault(claim.incident_id, []).append(claim)
    for incident in incidents:
        seen = claims.get(incident.id, [])
        agreed = consensus(facts_of(session, seen, viewer=viewer))
        session.expunge(incident)
        apply_consensus(incident, seen, agreed)
        if seen:  # its marking and owner as far as the viewer sees: hidden claims may be another's, marked higher
            incident.tlp = functools.reduce(tlp_levels.most_restrictive, (claim.tlp for claim in seen))
            if incident.owner_org_id != viewer.org_id:
                incident.owner_org_id = seen[0].owner_org_id
        set_committed_value(incident, "claims", seen)
        set_committed_value(incident, "place", session.get(Place, incident.place_id) if incident.place_id else None)
        incident.seen_links = actor_links(seen)


def _describe(where: IncidentFilter) -> str:
    defaults = {"sort": "date", "offset": 0, "hide": ()}  # left out, so that a plain listing reads as it did
    return json.dumps({name: value for name, value in asdict(where).items()
                       if value not in (None, False) and defaults.get(name) != value},
                      ensure_ascii=False, default=str)


def actor_names(session: Session, ids: Sequence[str]) -> dict[str, str]:
    return dict(session.execute(select(Actor.id, Actor.name).where(Actor.id.in_(ids))).all())


@dataclass(frozen=True)
class SearchHit:
    report_id: int
    title: str
    source: str
    published: dt.date | None
    snippet: str


def search_reports(session: Session, query: str, limit: int = 20, *, viewer: Viewer) -> list[SearchHit]:
    """Reports `viewer` may see holding all the words of the query, best match first. The words are taken literally."""
    words = re.findall(r"\w+", query)
    if not words:
        raise QueryError(f"nothing to search for in {query!r}")
    if session.get_bind().dialect.name == "postgresql":
        document = func.to_tsvector(text("'english'"), Report.title + " " + Report.text)
        tsquery = func.plainto_tsquery(text("'english'"), " ".join(words))
        rows = session.execute(
            select(Report, func.ts_headline(text("'english'"), Report.text, tsquery,
                                            "MaxWords=30, MinWords=12, StartSel=«, StopSel=»"))
            .where(document.op("@@")(tsquery), Report.is_current, visible(Report, viewer))
            .order_by(func.ts_rank(document, tsquery).desc(), Report.id).limit(limit)).all()
    else:
        match = " ".join('"' + word.replace('"', "") + '"' for word in words)  # quoted: no FTS5 syntax from users
        rows = session.execute(
            select(Report, text("snippet(reports_fts, 1, '«', '»', '…', 24)"))
            .join(REPORTS_FTS, REPORTS_FTS.c.rowid == Report.id)
            .where(text("reports_fts MATCH :match").bindparams(match=match), Report.is_current, visible(Report, viewer))
            .order_by(REPORTS_FTS.c.rank, Report.id).limit(limit)).all()
    hits = [SearchHit(report.id, report.title, report.source.name, report.published, " ".join(snippet.split()))
            for report, snippet in rows]
    audit.record(session, viewer, "read", "report", None, "ok", f"search {query[:500]!r}: {len(hits)} found")
    return hits


@functools.cache
def _actor_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for actor in catalog.load_actors():
        for name in (actor.id, *actor.aliases, *actor.acronyms):
            keys.setdefault(match_key(name), actor.id)
    return keys


def resolve_actor(name: str) -> list[str]:
    """The catalog id for a name, alias or acronym, with every actor that is part of it; else an unresolved id."""
    keys = _actor_keys()
    actor_id = keys.get(match_key(name))
    if actor_id is None:
        best = process.extractOne(match_key(name), list(keys), score_cutoff=85)
        if best:
            suggestion = next(a.name for a in catalog.load_actors() if a.id == keys[best[0]])
            raise QueryError(f"unknown actor {name!r} (did you mean {suggestion!r}?)")
        return [f"unresolved:{skeleton(name)}"]  # a group the catalog does not know, keyed as the extractor keys it
    children: dict[str, list[str]] = {}
    for actor in catalog.load_actors():
        if actor.part_of:
            children.setdefault(actor.part_of, []).append(actor.id)
    found, todo = [], [actor_id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def resolve_country(value: str) -> str:
    value = value.strip()
    if len(value) == 2 and pycountry.countries.get(alpha_2=value.upper()):
        return value.upper()
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        raise QueryError(f"unknown country {value!r} (use an ISO code such as PK or a name)") from None


def resolve_countries(value: str) -> list[str]:
    """ISO codes of a comma-separated list of countries (PK,AF or Pakistan, Afghanistan)."""
    return sorted({resolve_country(part) for part in value.split(",") if part.strip()}) or [resolve_country(value)]


def resolve_province(value: str, country: str | None = None) -> str:
    value = value.strip()
    if pycountry.subdivisions.get(code=value.upper()):
        return value.upper()
    wanted = match_key(value)
    country_code = resolve_country(country) if country else None
    found = [s.code for s in pycountry.subdivisions
             if match_key(s.name) == wanted and (country_code is None or s.country_code == country_code)]
    if len(found) == 1:
        return found[0]
    if found:
        raise QueryError(f"province {value!r} is ambiguous ({', '.join(found[:6])}); give its code or --country")
    raise QueryError(f"unknown province {value!r} (use an ISO 3166-2 code such as PK-BA or a name)")
