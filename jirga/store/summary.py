"""An incident's summaries, computed from its claims by the consensus rules (never typed in), and its actor links:
the incident's own columns (from all its claims: what clustering matches against) and one view per audience that
sees it (`IncidentView`: from the claims that audience may see, which is what filters, lists and counts read).
Recomputed whenever its claims or their assessments change; the claims stay the truth.

Claims of different markings fuse into one incident (a partner's TLP:GREEN account and our TLP:AMBER one of the
same attack), so different organisations see different parts of it. The views follow the marking rules of
`jirga.access.rules` (written again here for claims in memory; tests/test_access.py holds the two alike): one view
for every organisation (`EVERYONE`: the TLP:CLEAR and GREEN claims), and one for each organisation that may see
more (its own claims, its sharing groups' TLP:AMBER ones), which takes that one's place for it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable

from sqlalchemy import Row, and_, delete, func, insert, select
from sqlalchemy.orm import Session

from jirga.access.rules import OPEN_LEVELS, SHARED_LEVELS, Viewer, visible
from jirga.db.schema import (
    EVERYONE,
    Assessment,
    Claim,
    Incident,
    IncidentActor,
    IncidentView,
    IncidentViewActor,
    IncidentViewVictim,
    Report,
    SharingGroupMember,
    Source,
    SourceGrade,
)
from jirga.fuse import victims
from jirga.fuse.consensus import Consensus, Fact, consensus
from jirga.store import month_sums
from jirga.store.credibility import BASIS_COLUMNS, basis

ROLE_OF_FIELD = {"perpetrator": "perpetrator", "against": "against", "concerning": "about"}
# The roles that make an actor the group behind an incident: it claimed it, or the sources name it as perpetrator,
# or the authorities attribute it. (Denied, against and about do not.)
GROUP_ROLES = ("claimed", "perpetrator", "attributed")


def facts_of(session: Session, claims: list[Claim], fresh: bool = False, *, viewer: Viewer | None = None
             ) -> list[Fact]:
    """The claims as the consensus sees them, with the analysts' verdicts `viewer` may see (all of them without a
    viewer). `fresh`: the claims were just made, so no analyst assessed them."""
    verdicts = [] if fresh else verdict_rows(session, claims, viewer)
    return facts_from(claims, report_rows(session, claims), latest(verdicts))


def report_rows(session: Session, claims: list) -> dict[int, Row]:
    """The claims' reports with what the consensus weighs them by. Each report is weighed with its owner's grade of
    its source: a partner's grade never changes another's reports."""
    report_ids = {c.report_id for c in claims if c.report_id is not None}
    return {row.id: row for row in session.execute(
        select(Report.id, Report.published, Report.is_current, Report.source_id, Report.owner_org_id, Source.name,
               func.coalesce(SourceGrade.reliability, "F").label("reliability"))
        .join(Source, Source.id == Report.source_id)
        .outerjoin(SourceGrade, and_(SourceGrade.source_id == Report.source_id,
                                     SourceGrade.org_id == Report.owner_org_id))
        .where(Report.id.in_(report_ids)))} if report_ids else {}


def verdict_rows(session: Session, claims: list, viewer: Viewer | None = None) -> list[Row]:
    """The analysts' agree and dispute verdicts on these claims (those `viewer` may see), oldest first, with their
    markings: an organisation's verdict changes only what those who may see it see. A partner's opinion received
    over TAXII is not among them (`jirga.store.partner.add_partner_assessment`)."""
    claim_ids = [c.id for c in claims if c.id is not None]
    if not claim_ids:
        return []
    query = (select(Assessment.claim_id, Assessment.verdict, Assessment.created_by, Assessment.owner_org_id,
                    Assessment.tlp, Assessment.sharing_group_id)
             .where(Assessment.claim_id.in_(claim_ids), Assessment.verdict.in_(("agree", "dispute")),
                    Assessment.origin == "local")
             .order_by(Assessment.created_at, Assessment.id))
    return list(session.execute(query.where(visible(Assessment, viewer)) if viewer else query))


def latest(verdicts: list[Row]) -> dict[int, tuple[str, str | None]]:
    """claim id -> (verdict, who): the latest verdict on each claim wins."""
    return {row.claim_id: (row.verdict, row.created_by) for row in verdicts}


def facts_from(claims: list, reports: dict[int, Row], verdicts: dict[int, tuple[str, str | None]]) -> list[Fact]:
    facts = []
    for claim in claims:
        report = reports.get(claim.report_id)
        if report is not None and claim.origin in ("machine", "partner"):  # a partner's claims: its source, its grade
            source, reliability, published, current = report.name, report.reliability, report.published, \
                report.is_current
        else:
            source, reliability, published, current = f"analyst:{claim.created_by}", "A", None, True
        verdict, user = verdicts.get(claim.id, (None, None))
        facts.append(Fact(claim.field, claim.value, source, reliability, published, verdict,
                          counted=current and not claim.retired, report_id=claim.report_id, claim_id=claim.id,
                          agreed_by=user if verdict == "agree" else None))
    return facts


def claim_rows(session: Session, incident_id: int) -> list:
    """An incident's claims as light rows with what the consensus reads (not ORM objects: big incidents have
    hundreds of claims, and this runs each time a report joins one)."""
    return list(session.execute(select(Claim.id, Claim.field, Claim.value, Claim.report_id, Claim.origin,
                                       Claim.retired, Claim.created_by, Claim.owner_org_id, Claim.tlp,
                                       Claim.sharing_group_id).where(Claim.incident_id == incident_id)))


# What an incident's summary writes besides its own columns, all of it again each time (`jirga.store.writer` too)
DERIVED = (IncidentActor, IncidentView, IncidentViewActor, IncidentViewVictim)


def summarize(session: Session, incident: Incident, claims: Iterable[Claim], fresh: bool = False) -> None:
    """Write the consensus of these claims into the incident's columns, its actor links and its views.
    `fresh`: a new incident whose claims were just made (nothing to look up about them)."""
    claims = list(claims)
    reports = report_rows(session, claims)
    verdicts = [] if fresh else verdict_rows(session, claims)
    apply_consensus(incident, claims, consensus(facts_from(claims, reports, latest(verdicts))))
    incident.revision = (incident.revision or 0) + 1
    if not fresh:
        for table in DERIVED:
            session.execute(delete(table).where(table.incident_id == incident.id))
    session.add_all(IncidentActor(incident_id=incident.id, actor_id=actor_id, role=role)
                    for actor_id, role in actor_links(claims))
    _write_views(session, incident, claims, reports, verdicts)
    month_sums.refresh(session, [incident.id])


def apply_consensus(incident: Incident, claims: list[Claim], agreed: Consensus) -> None:
    apply_values(incident, agreed, report_count(claims))


def apply_values(incident: Incident, agreed: Consensus, reports: int) -> None:
    """Set the incident's summary columns and title from the consensus of its claims, from `reports` reports."""
    for name, value in summary_values(incident.kind, agreed, reports).items():
        setattr(incident, name, value)
    incident.title = _title(incident, agreed.place)


def report_count(claims: Iterable) -> int:
    return len({c.report_id for c in claims if c.report_id is not None and not c.retired})


def summary_values(kind: str, agreed: Consensus, reports: int) -> dict:
    """The summary columns (shared by an incident and its views) that the consensus of claims from `reports` reports
    gives."""
    date, place = agreed.date, agreed.place
    return {
        "kind": agreed.kind or kind,
        "date_start": dt.date.fromisoformat(date["start"]) if date else None,
        "date_end": dt.date.fromisoformat(date["end"]) if date else None,
        "date_precision": date["precision"] if date else None,
        "place_id": place["gazetteer_id"] if place else None,
        "country": place["country"] if place else None,
        "province_code": place["province_code"] if place else None,
        "attack_type": agreed.attack_type,
        "target_type": agreed.target_type,
        "killed_low": agreed.killed[0], "killed_best": agreed.killed[1], "killed_high": agreed.killed[2],
        "injured_low": agreed.injured[0], "injured_best": agreed.injured[1], "injured_high": agreed.injured[2],
        "has_conflict": bool(agreed.conflicts),
        "report_count": reports,
    }


def audiences(session: Session, incident: Incident, claims: list, verdicts: list[Row]
              ) -> dict[int, tuple[list[int], list[int]]]:
    """Which claims and which verdicts on them (by position) each audience of the incident sees: EVERYONE and each
    organisation that sees more than everyone does. An audience that does not see the incident (none of its
    claims that count, nor the incident's own marking) has no entry."""
    records = [incident, *claims, *verdicts]
    grouped = {r.sharing_group_id for r in records if r.tlp in SHARED_LEVELS and r.sharing_group_id is not None}
    groups_of: dict[int, set[int]] = {}
    if grouped:
        for group_id, org_id in session.execute(select(SharingGroupMember.group_id, SharingGroupMember.org_id)
                                                .where(SharingGroupMember.group_id.in_(grouped))):
            groups_of.setdefault(org_id, set()).add(group_id)

    def sees(org_id: int, record) -> bool:  # access.rules._marking_allows, for one record in memory
        return (record.owner_org_id == org_id or record.tlp in OPEN_LEVELS
                or (record.tlp in SHARED_LEVELS and record.sharing_group_id in groups_of.get(org_id, ())))

    def lens(org_id: int) -> tuple[tuple[list[int], list[int]], bool]:
        seen = [i for i, claim in enumerate(claims) if sees(org_id, claim)]
        told = [j for j, verdict in enumerate(verdicts) if sees(org_id, verdict)]
        return (seen, told), sees(org_id, incident) or any(not claims[i].retired for i in seen)

    found: dict[int, tuple[list[int], list[int]]] = {}
    everyone, visible = lens(EVERYONE)  # no organisation has id 0: what an outsider to every record sees
    if visible:
        found[EVERYONE] = everyone
    for org_id in sorted({r.owner_org_id for r in records} | set(groups_of)):
        view, visible = lens(org_id)
        if visible and (EVERYONE not in found or view != everyone):
            found[org_id] = view
    return found


def _write_views(session: Session, incident: Incident, claims: list, reports: dict[int, Row],
                 verdicts: list[Row]) -> None:
    whole = (list(range(len(claims))), list(range(len(verdicts))))

    def view(seen: list[int], told: list[int]) -> View:
        return view_of(incident, [claims[i] for i in seen], reports, [verdicts[j] for j in told],
                       whole=(seen, told) == whole)

    write_views(session, incident, audiences(session, incident, claims, verdicts), view)


View = tuple[dict, list[tuple[str, str]], victims.Figures]  # a view's columns, its actor links, its victims


def view_of(incident: Incident, claims: list, reports: dict[int, Row], verdicts: list[Row], *, whole: bool) -> View:
    """The view of an audience that sees these claims of the incident and these verdicts on them (`whole`: all of
    them, so that its summary is the incident's own, just computed)."""
    told = latest(verdicts)
    if whole:
        values = {name: getattr(incident, name) for name in VIEW_COLUMNS}
    else:
        values = summary_values(incident.kind, consensus(facts_from(claims, reports, told)), report_count(claims))
    actors = actor_links(claims)
    values = {**values, "group_ids": group_key(actors),
              **basis(claims, reports, verdicts)}  # for the credibility filter
    return values, actors, victim_figures(claims, reports, told)


def write_views(session: Session, incident: Incident, found: dict[int, tuple[list[int], list[int]]],
                view: Callable[[list[int], list[int]], View]) -> None:
    """Write the views of the audiences `found` (`audiences`), each made by `view(seen, told)`, once for all the
    audiences that see the same."""
    rows, links, counts = [], [], []
    computed: dict[tuple[tuple[int, ...], tuple[int, ...]], View] = {}
    for org_id, (seen, told) in found.items():
        key = (tuple(seen), tuple(told))
        if key not in computed:
            computed[key] = view(seen, told)
        values, actors, figures = computed[key]
        rows.append({"incident_id": incident.id, "org_id": org_id, **values})
        links += [{"incident_id": incident.id, "org_id": org_id, "actor_id": actor_id, "role": role}
                  for actor_id, role in actors]
        counts += victims.view_rows(incident.id, org_id, figures)
    if rows:
        session.execute(insert(IncidentView), rows)
    if links:
        session.execute(insert(IncidentViewActor), links)
    if counts:
        session.execute(insert(IncidentViewVictim), counts)


def victim_figures(claims: list, reports: dict[int, Row], verdicts: dict[int, tuple[str, str | None]]
                   ) -> victims.Figures:
    """Victims by category among these claims (those one audience sees), with that audience's verdicts, in the
    order of their ids (as the claims' consensus reads them)."""
    told = sorted((c for c in claims if victims.is_victim_count(c)), key=lambda c: (c.id is None, c.id or 0))
    return victims.category_figures(told, facts_from(told, reports, verdicts)) if told else {}


def group_key(links: Iterable[tuple[str, str]]) -> str | None:
    """`IncidentView.group_ids` of a view with these (actor id, role) links: the ids of its groups (GROUP_ROLES),
    distinct and sorted, as a JSON list; None when it names no group."""
    groups = sorted({actor_id for actor_id, role in links if role in GROUP_ROLES})
    return json.dumps(groups, ensure_ascii=False, separators=(",", ":")) if groups else None


# The summary columns a view shares with its incident (`schema.Summary`, and the place), not the view's own.
VIEW_COLUMNS = tuple(column.name for column in IncidentView.__table__.columns
                     if not column.primary_key and column.name != "group_ids" and column.name not in BASIS_COLUMNS)


def _title(incident: Incident, place: dict | None) -> str:
    """A title that tells incidents apart in a list: what, where, on what target, when ("Suicide bombing in Quetta
    (health target), 8 Aug 2016"; "Armed assault in Pakistan, Oct 2016")."""
    kind = incident.attack_type if incident.attack_type not in (None, "unknown") else incident.kind
    title = kind.replace("_", " ").capitalize()
    if place:
        title += f" in {place['name']}"
    if incident.target_type:
        title += f" ({incident.target_type.replace('_', ' ')} target)"
    when = _when(incident.date_start, incident.date_end, incident.date_precision)
    return f"{title}, {when}" if when else title


def _when(start: dt.date | None, end: dt.date | None, precision: str | None) -> str:
    if start is None or end is None:
        return ""
    if start == end:
        return f"{start.day} {start:%b %Y}"
    if precision == "month":
        return f"{start:%b %Y}"
    if precision == "year":
        return str(start.year)
    return f"{start.day} {start:%b}–{end.day} {end:%b %Y}" if start.year == end.year else \
        f"{start.day} {start:%b %Y}–{end.day} {end:%b %Y}"


def actor_links(claims: Iterable[Claim]) -> list[tuple[str, str]]:
    """(actor id, role) for each actor the claims involve: perpetrator, claimed, denied, against, about."""
    links: set[tuple[str, str]] = set()
    for claim in claims:
        if claim.retired:
            continue
        if claim.field == "responsibility":
            links.add((claim.value["actor_id"], claim.value["mode"]))
        elif claim.field in ROLE_OF_FIELD:
            links.add((claim.value["actor_id"], ROLE_OF_FIELD[claim.field]))
        elif claim.field == "statistic":
            links.update((actor_id, "about") for actor_id in claim.value.get("about", []))
    return sorted(links)
