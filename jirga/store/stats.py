"""Counting incidents for the situation picture (`jirga.assess`): their consensus figures summed by month, group,
place, attack or target type, the incidents behind a report, and the victim categories their sources name.

Every read starts from `queries.incident_query`, so a filter means what it means in `jirga incidents` and
`access.visible` is in the WHERE clause. An incident of which the viewer may see only some claims is counted as
those claims tell it (its summary recomputed from them, as `jirga show` shows it to that viewer), never by its
stored summary: such incidents are left out of the SQL sums and handed back as the viewer sees them, for the caller
to count in Python. Each function writes one audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session, selectinload

from jirga.access import Viewer, audit, visible
from jirga.db.schema import Claim, Incident, IncidentActor, Place, Report
from jirga.fuse.consensus import figures
from jirga.reference import catalog
from jirga.store.queries import (
    ACTOR_ROLES,
    IncidentFilter,
    _as_seen_by,
    _describe,
    incident_query,
    list_incidents,
    parse_period,
    resolve_actor,
    resolve_countries,
    resolve_province,
)
from jirga.store.summary import facts_of

KEYS = ("month", "group", "country", "province", "district", "attack-type", "target-type")
# The roles that make an actor the group behind an incident: it claimed it, or the sources name it as perpetrator,
# or the authorities attribute it. (Denied, against and about do not.)
GROUP_ROLES = ("claimed", "perpetrator", "attributed")
VICTIM_CATEGORIES = ("civilians", "security_forces", "militants")
ALL = 10**9  # "no limit" for the listing the report reads


def figure_sums(name: str) -> list:
    """SQL sums of one figure (killed or injured) over incidents, in the order of `assess.aggregate.Figure`:
    low, best, high, how many have no upper bound, how many give no figure. An incident with no figure adds 0 to
    low and best; one with no upper bound ("at least 170") adds its best to high, which is then a floor.
    `assess.aggregate.Figure.of` is the same rule for one incident in Python: keep them alike."""
    low, best, high = (getattr(Incident, f"{name}_{part}") for part in ("low", "best", "high"))
    best_or_low = func.coalesce(best, low)
    return [func.sum(func.coalesce(low, best, 0)), func.sum(func.coalesce(best_or_low, 0)),
            func.sum(func.coalesce(high, best_or_low, 0)),
            func.sum(case((and_(best_or_low.isnot(None), high.is_(None)), 1), else_=0)),
            func.sum(case((best_or_low.is_(None), 1), else_=0))]


def _sums() -> list:
    return [func.count(), *figure_sums("killed"), *figure_sums("injured"),
            func.sum(case((Incident.has_conflict, 1), else_=0)),
            func.sum(case((Incident.report_count <= 1, 1), else_=0))]


def _roots() -> dict[str, str]:
    return {actor.id: catalog.root_of(actor.id) for actor in catalog.load_actors()
            if catalog.root_of(actor.id) != actor.id}


def sums_by(session: Session, where: IncidentFilter, by: str | None, *, viewer: Viewer, roll_up: bool = False
            ) -> tuple[list[tuple], list[Incident], dict[int, list[str]]]:
    """SQL sums of the matching incidents the viewer sees whole, grouped by `by` (one of KEYS, or None for one
    total): rows of (key, parent key, incidents, killed low, best, high, open, unknown, injured ..., with
    conflicting sources, single-source). `roll_up`: a group's provinces and branches count as the group.

    Also returned: the matching incidents of which the viewer may not see every claim, as the viewer sees them
    (their summary from the visible claims, matched again against the filter on it), and their groups."""
    whole = not (where.since or where.until)
    matching = incident_query(where, viewer, whole_table=whole).order_by(None)
    hidden = _partly_hidden(session, matching, viewer)
    query = matching.where(Incident.id.notin_(hidden)) if hidden else matching
    keys: list = []
    if by == "month":
        keys = [func.substr(cast(Incident.date_start, String), 1, 7), None]
    elif by == "country":
        keys = [Incident.country, None]
    elif by == "province":
        keys = [Incident.province_code, Incident.country]
    elif by == "district":
        query = query.outerjoin(Place, Place.id == Incident.place_id)
        keys = [Place.district, Incident.province_code]
    elif by == "attack-type":
        keys = [Incident.attack_type, None]
    elif by == "target-type":
        keys = [Incident.target_type, None]
    elif by == "group":
        return _sums_by_group(session, query, where, viewer, hidden, roll_up)
    elif by is not None:
        raise ValueError(f"unknown breakdown {by!r}")
    columns = [k for k in keys if k is not None]
    statement = query.with_only_columns(*columns, *_sums(), maintain_column_froms=True)
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
    rows = [row for row in rows if row[2]]  # an empty total comes back as one row of zeros and NULLs
    seen = _seen(session, hidden, where, viewer)
    groups = group_links(session, seen, viewer)
    audit.record(session, viewer, "read", "incident", None, "ok", f"stats by {by or 'total'} {_describe(where)}")
    return rows, seen, groups


def _sums_by_group(session: Session, query, where: IncidentFilter, viewer: Viewer, hidden: list[int],
                   roll_up: bool) -> tuple[list[tuple], list[Incident], dict[int, list[str]]]:
    """By group: the incidents joined to their (distinct) groups, then those with none. An incident two groups
    claimed counts under each."""
    actor = IncidentActor.actor_id
    roots = _roots() if roll_up else {}
    key = case(roots, value=actor, else_=actor) if roots else actor
    links = (select(IncidentActor.incident_id, key.label("actor_id")).distinct()
             .where(IncidentActor.role.in_(GROUP_ROLES)).subquery())
    named = (query.join(links, links.c.incident_id == Incident.id)
             .with_only_columns(links.c.actor_id, *_sums(), maintain_column_froms=True).group_by(links.c.actor_id))
    none = query.where(~select(IncidentActor.incident_id).where(
        IncidentActor.incident_id == Incident.id, IncidentActor.role.in_(GROUP_ROLES)).exists()
    ).with_only_columns(*_sums())
    rows = [(row[0], None, *row[1:]) for row in session.execute(named)]
    rows += [(None, None, *row) for row in session.execute(none) if row[0]]
    seen = _seen(session, hidden, where, viewer)
    audit.record(session, viewer, "read", "incident", None, "ok", f"stats by group {_describe(where)}")
    return rows, seen, group_links(session, seen, viewer)


def _partly_hidden(session: Session, matching, viewer: Viewer) -> list[int]:
    """The matching incidents with a (not retired) claim the viewer may not see."""
    hidden = and_(~visible(Claim, viewer), ~Claim.retired)
    # First: is any claim of the store hidden from the viewer at all? Written so that an index on the owner serves
    # it (a hidden claim is another organisation's), it answers at once for an organisation that owns the store;
    # asked per matching incident instead, it would probe every claim of every incident.
    others = or_(Claim.owner_org_id < viewer.org_id, Claim.owner_org_id > viewer.org_id)
    if session.scalar(select(Claim.id).where(others, hidden).limit(1)) is None:
        return []
    ids = matching.with_only_columns(Incident.id)
    return list(session.scalars(select(Claim.incident_id).distinct().where(hidden, Claim.incident_id.in_(ids))))


def _seen(session: Session, ids: list[int], where: IncidentFilter, viewer: Viewer) -> list[Incident]:
    if not ids:
        return []
    incidents = list(session.scalars(select(Incident).where(Incident.id.in_(ids)).order_by(Incident.id)
                                     .execution_options(populate_existing=True)))
    _as_seen_by(session, incidents, viewer)
    return [incident for incident in incidents if _matches_as_seen(incident, where)]


def _matches_as_seen(incident: Incident, where: IncidentFilter) -> bool:
    """The filter, checked again on the summary the viewer sees (the SQL matched the stored one, which may rest on
    claims the viewer may not see: that must not decide what is counted for them)."""
    if where.kind and incident.kind != where.kind:
        return False
    if where.attack_type and incident.attack_type != where.attack_type.replace(" ", "_").lower():
        return False
    if where.conflicts and not incident.has_conflict:
        return False
    if where.country and incident.country not in resolve_countries(where.country):
        return False
    if where.province:
        single = where.country if where.country and "," not in where.country else None
        if incident.province_code != resolve_province(where.province, single):
            return False
    if where.since and (incident.date_end is None or incident.date_end < parse_period(where.since).start):
        return False
    if where.until and (incident.date_start is None or incident.date_start > parse_period(where.until).end):
        return False
    if where.actor:
        wanted = set(resolve_actor(where.actor))
        roles = ACTOR_ROLES.get(where.actor_role or "")
        if not wanted & {actor_id for actor_id, role in getattr(incident, "seen_links", [])
                         if roles is None or role in roles}:
            return False
    undated = "undated" in where.hide and incident.date_start is None
    return not (undated or ("single_source" in where.hide and incident.report_count <= 1))


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


def victim_figures(session: Session, claims: Sequence[Claim]) -> dict[int, dict[str, dict[str, tuple]]]:
    """incident id -> victim category -> killed/injured -> (low, best, high): the consensus of the sources'
    counts of one category of victims ("13 soldiers"), each category on its own, by the rules of the totals."""
    parts = [c for c in claims if c.field in ("killed", "injured") and isinstance(c.value, dict)
             and c.value.get("subset") in VICTIM_CATEGORIES]
    by_part: dict[tuple[int, str, str], list] = {}
    for claim, fact in zip(parts, facts_of(session, parts), strict=True):
        whole = type(fact)(**{**fact.__dict__, "value": {k: v for k, v in fact.value.items() if k != "subset"}})
        by_part.setdefault((claim.incident_id, claim.value["subset"], claim.field), []).append(whole)
    out: dict[int, dict[str, dict[str, tuple]]] = {}
    for (incident_id, category, name), facts in sorted(by_part.items()):
        agreed = figures(facts, name)
        if agreed.best is not None or agreed.low is not None:
            out.setdefault(incident_id, {}).setdefault(category, {})[name] = agreed.triple
    return out


def victim_claims(session: Session, where: IncidentFilter, *, viewer: Viewer) -> list[Claim]:
    """The counts of one category of victims (claims of killed or injured with a `subset`) that the viewer may
    see, of the matching incidents (those seen in part matched as the viewer sees them, as in `sums_by`)."""
    matching = incident_query(where, viewer, whole_table=not (where.since or where.until)).order_by(None)
    hidden = _partly_hidden(session, matching, viewer)
    ids = matching.with_only_columns(Incident.id)
    wanted = Claim.incident_id.in_(ids.where(Incident.id.notin_(hidden)) if hidden else ids)
    if hidden:
        wanted = or_(wanted, Claim.incident_id.in_([i.id for i in _seen(session, hidden, where, viewer)]))
    claims = list(session.scalars(select(Claim).where(
        Claim.field.in_(("killed", "injured")), Claim.value["subset"].as_string().isnot(None), ~Claim.retired,
        visible(Claim, viewer), wanted).order_by(Claim.incident_id, Claim.id)))
    audit.record(session, viewer, "read", "claim", None, "ok", f"victim counts {_describe(where)}")
    return claims




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
