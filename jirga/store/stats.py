"""Counting incidents for the situation picture (`jirga.assess`): their consensus figures summed by month, group,
place, attack or target type, the incidents behind a report, and the victim categories their sources name.

Every read starts from `queries.incident_query`, so a filter means what it means in `jirga incidents`, and counts
the incident as the viewer sees it: its view (`IncidentView`), the summary of the claims the viewer may see, never
of claims hidden from them. Each function writes one audit entry.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import Session, selectinload

from jirga.access import Viewer, audit, visible
from jirga.access.rules import seen_view
from jirga.db.schema import (
    Claim,
    Incident,
    IncidentActor,
    IncidentView,
    IncidentViewActor,
    IncidentViewVictim,
    Place,
    Report,
)
from jirga.fuse import victims
from jirga.reference import catalog
from jirga.store import month_sums
from jirga.store.queries import IncidentFilter, _describe, incident_query, list_incidents
from jirga.store.summary import GROUP_ROLES
from jirga.store.sums import figure_sums, view_sums

KEYS = ("month", "group", "country", "province", "district", "attack-type", "target-type")
ALL = 10**9  # "no limit" for the listing the report reads
# Sectarian violence, which Pakistan's security monitors count apart (docs/assessment.md): an incident whose target
# is religious (the extractor's target type for a mosque, shrine, imambargah, church, temple, gurdwara, a procession,
# worshippers or a congregation at prayer), or that a sectarian group of the catalog (or one of its parts) claimed,
# is named as perpetrator of, or is blamed for. `sectarian_clause` is the rule in SQL, `is_sectarian` in Python:
# keep them alike.
SECTARIAN_TARGETS = ("religious",)
SECTARIAN_GROUPS = ("ssp", "lej", "lej-alami", "sipah-e-muhammad", "zainabiyoun", "fatemiyoun")


def _roots() -> dict[str, str]:
    return {actor.id: catalog.root_of(actor.id) for actor in catalog.load_actors()
            if catalog.root_of(actor.id) != actor.id}


@functools.cache
def sectarian_groups() -> frozenset[str]:
    """SECTARIAN_GROUPS and every actor of the catalog that is part of one."""
    return frozenset(SECTARIAN_GROUPS) | {actor.id for actor in catalog.load_actors()
                                          if catalog.root_of(actor.id) in SECTARIAN_GROUPS}


def sectarian_clause():
    """Sectarian violence, on the incident as the viewer sees it (its view, joined by `incident_query`)."""
    named = select(IncidentViewActor.incident_id).where(
        IncidentViewActor.incident_id == Incident.id, IncidentViewActor.org_id == IncidentView.org_id,
        IncidentViewActor.role.in_(GROUP_ROLES), IncidentViewActor.actor_id.in_(sorted(sectarian_groups()))).exists()
    return or_(IncidentView.target_type.in_(SECTARIAN_TARGETS), named)


def is_sectarian(incident: Incident, groups: dict[int, list[str]]) -> bool:
    """The rule of `sectarian_clause`, for an incident as the viewer sees it, with its groups (`group_links`)."""
    return incident.target_type in SECTARIAN_TARGETS or not sectarian_groups().isdisjoint(groups.get(incident.id, ()))


def _whole_table(where: IncidentFilter) -> bool:
    """The count reads most of the table: no period (see `incident_query`)."""
    return not (where.since or where.until)


def _matching(where: IncidentFilter, viewer: Viewer, sectarian: bool):
    query = incident_query(where, viewer, whole_table=_whole_table(where)).order_by(None)
    return query.where(sectarian_clause()) if sectarian else query


def sums_by(session: Session, where: IncidentFilter, by: str | None, *, viewer: Viewer, roll_up: bool = False,
            sectarian: bool = False) -> list[tuple]:
    """SQL sums of the matching incidents as the viewer sees them, grouped by `by` (one of KEYS, or None for one
    total): rows of (key, parent key, incidents, killed low, best, high, open, unknown, injured ..., with
    conflicting sources, single-source). `roll_up`: a group's provinces and branches count as the group.
    `sectarian`: only sectarian violence (`sectarian_clause`)."""
    seen = IncidentView
    query = _matching(where, viewer, sectarian)  # built first: it checks the filter, whichever way is read
    if month_sums.serves(where, by, sectarian):  # kept ready: a few hundred rows instead of every incident
        rows = month_sums.read(session, viewer, kind=where.kind, include_superseded=where.include_superseded, by=by)
        audit.record(session, viewer, "read", "incident", None, "ok", f"stats by {by or 'total'} {_describe(where)}")
        return rows
    keys: list = []
    if by == "month":
        keys = [func.substr(cast(seen.date_start, String), 1, 7), None]
    elif by == "country":
        keys = [seen.country, None]
    elif by == "province":
        keys = [seen.province_code, seen.country]
    elif by == "district":
        query = query.outerjoin(Place, Place.id == seen.place_id)
        keys = [Place.district, seen.province_code]
    elif by == "attack-type":
        keys = [seen.attack_type, None]
    elif by == "target-type":
        keys = [seen.target_type, None]
    elif by == "group":
        return _sums_by_group(session, query, where, viewer, roll_up)
    elif by is not None:
        raise ValueError(f"unknown breakdown {by!r}")
    columns = [k for k in keys if k is not None]
    statement = query.with_only_columns(*columns, *view_sums(), maintain_column_froms=True)
    if columns:
        statement = statement.group_by(*columns)
    rows = []
    for row in session.execute(statement):
        values = list(row)
        if not columns:
            rows.append((None, None, *values))
        elif keys[1] is None:
            rows.append((values[0], None, *values[1:]))
        else:
            rows.append(tuple(values))
    audit.record(session, viewer, "read", "incident", None, "ok", f"stats by {by or 'total'} {_describe(where)}")
    return [row for row in rows if row[2]]  # an empty total comes back as one row of zeros and NULLs


def _sums_by_group(session: Session, query, where: IncidentFilter, viewer: Viewer, roll_up: bool) -> list[tuple]:
    rows = by_group(_group_list_sums(session, query), roll_up)
    audit.record(session, viewer, "read", "incident", None, "ok", f"stats by group {_describe(where)}")
    return rows


def group_list_sums(session: Session, where: IncidentFilter, *, viewer: Viewer, sectarian: bool = False
                    ) -> list[tuple]:
    """The matching incidents as the viewer sees them, summed by the list of groups each names, in one scan of their
    views (`IncidentView.group_ids`): rows of (the groups' ids, none for none, then the sums of `sums_by`). Each
    incident is in one row: the rows add up to the total. `by_group` makes them the rows by group."""
    rows = _group_list_sums(session, _matching(where, viewer, sectarian))
    audit.record(session, viewer, "read", "incident", None, "ok", f"stats by group {_describe(where)}")
    return rows


def _group_list_sums(session: Session, query) -> list[tuple]:
    grouped = (query.with_only_columns(IncidentView.group_ids, *view_sums(), maintain_column_froms=True)
               .group_by(IncidentView.group_ids))
    return [(json.loads(group_ids) if group_ids else [], *sums) for group_ids, *sums in session.execute(grouped)]


def by_group(lists: list[tuple], roll_up: bool) -> list[tuple]:
    """Rows of `sums_by` by group from `group_list_sums`: each list's sums under each of its groups (rolled up:
    each of their roots, once), a group's in parts (`assess.aggregate.count` adds them up). An incident two groups
    claimed counts under each; one that names none, under None."""
    roots = _roots() if roll_up else {}
    rows = []
    for groups, *sums in lists:
        actors = sorted({roots.get(actor, actor) for actor in groups}) or [None]
        rows += [(actor, None, *sums) for actor in actors]
    return rows


def group_links(session: Session, incidents: Sequence[Incident], viewer: Viewer) -> dict[int, list[str]]:
    """The actor ids of each incident's groups (GROUP_ROLES), as far as the claims the viewer sees tell."""
    links: dict[int, set[str]] = {}
    full = [incident.id for incident in incidents if not hasattr(incident, "seen_links")]
    for start in range(0, len(full), 5000):
        for incident_id, actor_id in session.execute(
                select(IncidentActor.incident_id, IncidentActor.actor_id)
                .where(IncidentActor.incident_id.in_(full[start:start + 5000]), IncidentActor.role.in_(GROUP_ROLES))):
            links.setdefault(incident_id, set()).add(actor_id)
    for incident in incidents:
        for actor_id, role in getattr(incident, "seen_links", []):
            if role in GROUP_ROLES:
                links.setdefault(incident.id, set()).add(actor_id)
    return {incident_id: sorted(actors) for incident_id, actors in links.items()}


def matching_incidents(session: Session, where: IncidentFilter, *, viewer: Viewer, limit: int = ALL
                       ) -> list[Incident]:
    """Every matching incident as the viewer sees it (at most `limit`), newest first: what a situation report or
    an export rests on."""
    return list_incidents(session, IncidentFilter(**{**where.__dict__, "limit": limit}), viewer=viewer)


def incident_claims(session: Session, incident_ids: Sequence[int], *, viewer: Viewer) -> list[Claim]:
    """The counted claims the viewer may see of these incidents, with their reports (if visible), by incident."""
    claims: list[Claim] = []
    for start in range(0, len(incident_ids), 5000):
        claims += session.scalars(
            select(Claim).where(Claim.incident_id.in_(incident_ids[start:start + 5000]), ~Claim.retired,
                                visible(Claim, viewer))
            .options(selectinload(Claim.report.and_(visible(Report, viewer))))
            .order_by(Claim.incident_id, Claim.id))
    audit.record(session, viewer, "read", "claim", None, "ok", f"claims of {len(incident_ids)} incidents")
    return claims


def _victimview_sums() -> list:
    """SQL sums over `IncidentViewVictim` rows of one category: the incidents, the killed and the injured (as
    `sums.figure_sums`), and the first incident (the order in which `victim_figures` meets the categories)."""
    return [func.count(), *figure_sums("killed", IncidentViewVictim), *figure_sums("injured", IncidentViewVictim),
            func.min(IncidentViewVictim.incident_id)]


def victim_sums(session: Session, where: IncidentFilter, *, viewer: Viewer, sectarian: bool = False
                ) -> list[tuple]:
    """Victims by category over the matching incidents as the viewer sees them (`sums_by`), from the rows their
    views hold (`IncidentViewVictim`): rows of (category, incidents, killed low, best, high, open, not told,
    injured ..., first incident id). "Not told" counts the incidents that tell the category's other count only."""
    victim = IncidentViewVictim
    # Over every period, few views tell victims by category: read those rows and look their views up, rather than
    # every view and its victims (SQLite, with no statistics, would; "+ 0" keeps it from searching this table).
    incident_id = victim.incident_id + 0 if _whole_table(where) else victim.incident_id
    statement = (_matching(where, viewer, sectarian)
                 .join(victim, and_(incident_id == Incident.id, victim.org_id == IncidentView.org_id))
                 .with_only_columns(victim.category, *_victimview_sums(), maintain_column_froms=True)
                 .group_by(victim.category))
    found = [tuple(row) for row in session.execute(statement)]
    audit.record(session, viewer, "read", "incident", None, "ok", f"victim counts {_describe(where)}")
    return found


def victim_figures(session: Session, incident_ids: Sequence[int], *, viewer: Viewer) -> dict[int, victims.Figures]:
    """incident id -> victim category -> killed/injured -> (low, best, high), for these incidents as the viewer
    sees them (the rows of the view they read)."""
    victim = IncidentViewVictim
    out: dict[int, victims.Figures] = {}
    for start in range(0, len(incident_ids), 5000):
        part = incident_ids[start:start + 5000]
        for row in session.execute(
                select(victim).join(IncidentView, and_(IncidentView.incident_id == victim.incident_id,
                                                       IncidentView.org_id == victim.org_id))
                .join(Incident, seen_view(viewer))
                .where(victim.incident_id.in_(part)).order_by(victim.incident_id, victim.category)).scalars():
            out.setdefault(row.incident_id, {})[row.category] = victims.from_row(row)
    audit.record(session, viewer, "read", "incident", None, "ok", f"victim counts of {len(incident_ids)} incidents")
    return out


def disputes(session: Session, incident_ids: Sequence[int], *, viewer: Viewer) -> list[tuple[int, int | None, str]]:
    """(incident id, claim id, reason) of the analysts' disputes the viewer may see, on these incidents' claims."""
    from jirga.db.schema import Assessment

    found = []
    for start in range(0, len(incident_ids), 5000):
        part = incident_ids[start:start + 5000]
        found += session.execute(
            select(Claim.incident_id, Assessment.claim_id, Assessment.reason)
            .join(Claim, Claim.id == Assessment.claim_id)
            .where(Claim.incident_id.in_(part), Assessment.verdict == "dispute", visible(Assessment, viewer),
                   visible(Claim, viewer)).order_by(Assessment.id)).all()
    return [tuple(row) for row in found]


def relations_among(session: Session, actor_ids: Sequence[str], *, viewer: Viewer) -> list[tuple[str, str, str, int]]:
    """(subject, relation, object, how many reports say so) between these actors, as the viewer may see."""
    from jirga.db.schema import Relation

    if not actor_ids:
        return []
    rows = session.execute(
        select(Relation.subject_id, Relation.relation, Relation.object_id, func.count())
        .where(or_(Relation.subject_id.in_(actor_ids), Relation.object_id.in_(actor_ids)), visible(Relation, viewer))
        .group_by(Relation.subject_id, Relation.relation, Relation.object_id)).all()
    audit.record(session, viewer, "read", "relation", None, "ok", f"relations of {len(actor_ids)} actors")
    return sorted((tuple(row) for row in rows), key=lambda row: (-row[3], row[0], row[2]))


def source_names(session: Session, incident_ids: Sequence[int], *, viewer: Viewer) -> dict[int, list[str]]:
    """The sources of the reports the viewer may see of each incident's counted claims."""
    from jirga.db.schema import Source

    found: dict[int, set[str]] = {}
    for start in range(0, len(incident_ids), 5000):
        for incident_id, name in session.execute(
                select(Claim.incident_id, Source.name).distinct()
                .join(Report, Report.id == Claim.report_id).join(Source, Source.id == Report.source_id)
                .where(Claim.incident_id.in_(incident_ids[start:start + 5000]), ~Claim.retired,
                       visible(Claim, viewer), visible(Report, viewer))):
            found.setdefault(incident_id, set()).add(name)
    return {incident_id: sorted(names) for incident_id, names in found.items()}


def group_names(session: Session, ids) -> dict[str, str]:
    """Names of actors by id: the catalog's, and the store's for groups the catalog does not know."""
    names = {actor.id: actor.name for actor in catalog.load_actors()}
    unknown = sorted({actor_id for actor_id in ids if actor_id and actor_id not in names})
    if unknown:
        from jirga.store.queries import actor_names

        names |= actor_names(session, unknown)
    return names
